/* export-docx.c: the 会議録 as a Word document (Office Open XML, ECMA-376): a stored ZIP
 * (zip.c) of [Content_Types].xml, _rels/.rels, word/document.xml, word/styles.xml and
 * word/_rels/document.xml.rels. The header is a bordered two-column table; paragraphs use
 * named styles (Title, Heading1, Heading2, Speaker, Mark, Note) so the secretariat can restyle
 * the record at once. A4 portrait. Pure functions. */
#define G_LOG_DOMAIN "kaigi-minutes"

#include "export-private.h"
#include "zip.h"

#define W_NS "xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\""

static const char content_types[]
    = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
      "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
      "<Default Extension=\"rels\" "
      "ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
      "<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
      "<Override PartName=\"/word/document.xml\" ContentType=\"application/"
      "vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/>"
      "<Override PartName=\"/word/styles.xml\" ContentType=\"application/"
      "vnd.openxmlformats-officedocument.wordprocessingml.styles+xml\"/>"
      "</Types>\n";

static const char package_rels[]
    = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
      "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
      "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/"
      "relationships/officeDocument\" Target=\"word/document.xml\"/>"
      "</Relationships>\n";

static const char document_rels[]
    = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
      "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
      "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/"
      "relationships/styles\" Target=\"styles.xml\"/>"
      "</Relationships>\n";

/* A paragraph style: id, name, then pPr and rPr contents. */
#define STYLE(id, name, ppr, rpr)                                                                  \
  "<w:style w:type=\"paragraph\" w:styleId=\"" id "\"><w:name w:val=\"" name "\"/>"                \
  "<w:basedOn w:val=\"Normal\"/><w:qFormat/><w:pPr>" ppr "</w:pPr><w:rPr>" rpr "</w:rPr>"          \
  "</w:style>"

static const char styles[]
    = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
      "<w:styles " W_NS ">"
      "<w:docDefaults><w:rPrDefault><w:rPr>"
      "<w:rFonts w:ascii=\"Liberation Serif\" w:hAnsi=\"Liberation Serif\" "
      "w:eastAsia=\"Noto Serif CJK JP\"/><w:sz w:val=\"21\"/><w:lang w:val=\"ja-JP\" "
      "w:eastAsia=\"ja-JP\"/></w:rPr></w:rPrDefault>"
      "<w:pPrDefault><w:pPr><w:spacing w:after=\"120\"/></w:pPr></w:pPrDefault></w:docDefaults>"
      "<w:style w:type=\"paragraph\" w:default=\"1\" w:styleId=\"Normal\">"
      "<w:name w:val=\"Normal\"/><w:qFormat/></w:style>" STYLE (
          "Title", "Title", "<w:jc w:val=\"center\"/><w:spacing w:after=\"240\"/>",
          "<w:b/><w:sz w:val=\"32\"/>")
          STYLE (
              "Heading1", "heading 1",
              "<w:keepNext/><w:spacing w:before=\"240\"/><w:pBdr><w:bottom w:val=\"single\" "
              "w:sz=\"4\" w:space=\"1\" w:color=\"000000\"/></w:pBdr><w:outlineLvl w:val=\"0\"/>",
              "<w:b/><w:sz w:val=\"24\"/>")
              STYLE ("Heading2", "heading 2", "<w:keepNext/><w:outlineLvl w:val=\"1\"/>", "<w:b/>")
                  STYLE ("Speaker", "Speaker", "<w:keepNext/><w:spacing w:before=\"120\"/>",
                         "<w:b/>") STYLE ("Mark", "Mark", "<w:jc w:val=\"center\"/>", "")
                      STYLE ("Note", "Note", "",
                             "<w:i/>") "<w:style w:type=\"table\" "
                                       "w:styleId=\"HeaderTable\"><w:name w:val=\"Header Table\"/>"
                                       "<w:tblPr><w:tblBorders><w:top w:val=\"single\" "
                                       "w:sz=\"4\"/><w:left w:val=\"single\" "
                                       "w:sz=\"4\"/><w:bottom w:val=\"single\" "
                                       "w:sz=\"4\"/><w:right w:val=\"single\" "
                                       "w:sz=\"4\"/><w:insideH w:val=\"single\" "
                                       "w:sz=\"4\"/><w:insideV w:val=\"single\" "
                                       "w:sz=\"4\"/></w:tblBorders></w:tblPr></w:style>"
                                       "</w:styles>\n";

static void
paragraph (GString *out, const char *style, const char *text, gboolean bold)
{
  g_autofree char *esc = kaigi_export_xml_escape (text);

  g_string_append (out, "<w:p>");
  if (style)
    g_string_append_printf (out, "<w:pPr><w:pStyle w:val=\"%s\"/></w:pPr>", style);
  g_string_append_printf (out, "<w:r>%s<w:t xml:space=\"preserve\">%s</w:t></w:r></w:p>\n",
                          bold ? "<w:rPr><w:b/></w:rPr>" : "", esc);
}

static void
cell (GString *out, guint width, const char *const *lines, gboolean bold)
{
  g_string_append_printf (out, "<w:tc><w:tcPr><w:tcW w:w=\"%u\" w:type=\"dxa\"/></w:tcPr>\n",
                          width);
  for (guint k = 0; lines[k]; k++)
    paragraph (out, NULL, lines[k], bold);
  if (!lines[0])
    paragraph (out, NULL, "", FALSE);
  g_string_append (out, "</w:tc>");
}

static guint
write_table (GString *out, GPtrArray *doc, guint i)
{
  g_string_append (out,
                   "<w:tbl><w:tblPr><w:tblStyle w:val=\"HeaderTable\"/>"
                   "<w:tblW w:w=\"9070\" w:type=\"dxa\"/></w:tblPr>"
                   "<w:tblGrid><w:gridCol w:w=\"2268\"/><w:gridCol w:w=\"6802\"/></w:tblGrid>\n");
  for (; i < doc->len; i++) {
    KaigiBlock *b = g_ptr_array_index (doc, i);
    const char *label[] = { b->label, NULL };
    if (b->kind != KAIGI_BLOCK_FIELD)
      break;
    g_string_append (out, "<w:tr>");
    cell (out, 2268, label, TRUE);
    cell (out, 6802, (const char *const *)b->lines, FALSE);
    g_string_append (out, "</w:tr>\n");
  }
  /* Word needs a paragraph between a table and what follows. */
  g_string_append (out, "</w:tbl>\n<w:p/>\n");
  return i;
}

static void
write_block (GString *out, const KaigiBlock *b)
{
  static const char *const style[] = { [KAIGI_BLOCK_TITLE] = "Title",
                                       [KAIGI_BLOCK_NOTE] = "Note",
                                       [KAIGI_BLOCK_HEADING] = "Heading1",
                                       [KAIGI_BLOCK_SPEAKER] = "Speaker",
                                       [KAIGI_BLOCK_PARA] = NULL,
                                       [KAIGI_BLOCK_MARK] = "Mark",
                                       [KAIGI_BLOCK_SUBHEADING] = "Heading2" };

  if (b->kind == KAIGI_BLOCK_LIST) {
    for (guint k = 0; b->lines[k]; k++) {
      g_autofree char *item = g_strconcat ("・", b->lines[k], NULL);
      paragraph (out, NULL, item, FALSE);
    }
    return;
  }
  paragraph (out, style[b->kind], b->lines[0], FALSE);
}

static char *
document_xml (const KaigiRecord *r, const char *lang)
{
  g_autoptr (GPtrArray) doc = kaigi_export_document (r, lang);
  GString *out = g_string_new ("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
                               "<w:document " W_NS "><w:body>\n");

  for (guint i = 0; i < doc->len;) {
    KaigiBlock *b = g_ptr_array_index (doc, i);
    if (b->kind == KAIGI_BLOCK_FIELD) {
      i = write_table (out, doc, i);
      continue;
    }
    write_block (out, b);
    i++;
  }
  /* A4 portrait, 25 mm margins. */
  g_string_append (out, "<w:sectPr><w:pgSz w:w=\"11906\" w:h=\"16838\"/><w:pgMar w:top=\"1418\" "
                        "w:right=\"1418\" w:bottom=\"1418\" w:left=\"1418\" w:header=\"851\" "
                        "w:footer=\"851\" w:gutter=\"0\"/></w:sectPr>\n"
                        "</w:body></w:document>\n");
  return g_string_free (out, FALSE);
}

GBytes *
kaigi_export_docx (const KaigiRecord *r, const char *lang)
{
  g_autofree char *document = document_xml (r, lang);
  KaigiZip *zip = kaigi_zip_new ();

  kaigi_zip_add (zip, "[Content_Types].xml", content_types, strlen (content_types));
  kaigi_zip_add (zip, "_rels/.rels", package_rels, strlen (package_rels));
  kaigi_zip_add (zip, "word/document.xml", document, strlen (document));
  kaigi_zip_add (zip, "word/_rels/document.xml.rels", document_rels, strlen (document_rels));
  kaigi_zip_add (zip, "word/styles.xml", styles, strlen (styles));
  return kaigi_zip_finish (zip);
}
