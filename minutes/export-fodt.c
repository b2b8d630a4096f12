/* export-fodt.c: the 会議録 as Flat ODT (ODF 1.2, one XML file `office:document` with the
 * mimetype attribute), which LibreOffice and Word open as a text document. The header is a
 * two-column table like the reference records' header table; styles are named here so the
 * secretariat can restyle the whole record at once. Pure functions. */
#define G_LOG_DOMAIN "kaigi-minutes"

#include "export-private.h"

static const char prologue[]
    = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<office:document xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\" "
      "xmlns:style=\"urn:oasis:names:tc:opendocument:xmlns:style:1.0\" "
      "xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\" "
      "xmlns:table=\"urn:oasis:names:tc:opendocument:xmlns:table:1.0\" "
      "xmlns:fo=\"urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0\" "
      "xmlns:meta=\"urn:oasis:names:tc:opendocument:xmlns:meta:1.0\" "
      "xmlns:dc=\"http://purl.org/dc/elements/1.1/\" "
      "office:version=\"1.2\" office:mimetype=\"application/vnd.oasis.opendocument.text\">\n";

static const char styles[]
    = " <office:styles>\n"
      "  <style:style style:name=\"Standard\" style:family=\"paragraph\">\n"
      "   <style:paragraph-properties fo:margin-bottom=\"0.2cm\"/>\n"
      "   <style:text-properties fo:font-size=\"10.5pt\" style:font-size-asian=\"10.5pt\"/>\n"
      "  </style:style>\n"
      "  <style:style style:name=\"Title\" style:family=\"paragraph\" "
      "style:parent-style-name=\"Standard\">\n"
      "   <style:paragraph-properties fo:text-align=\"center\" fo:margin-bottom=\"0.5cm\"/>\n"
      "   <style:text-properties fo:font-size=\"16pt\" style:font-size-asian=\"16pt\" "
      "fo:font-weight=\"bold\" style:font-weight-asian=\"bold\"/>\n"
      "  </style:style>\n"
      "  <style:style style:name=\"Heading_20_1\" style:display-name=\"Heading 1\" "
      "style:family=\"paragraph\" style:parent-style-name=\"Standard\" "
      "style:default-outline-level=\"1\">\n"
      "   <style:paragraph-properties fo:margin-top=\"0.5cm\" fo:border-bottom=\"0.5pt solid "
      "#000000\"/>\n"
      "   <style:text-properties fo:font-size=\"12pt\" style:font-size-asian=\"12pt\" "
      "fo:font-weight=\"bold\" style:font-weight-asian=\"bold\"/>\n"
      "  </style:style>\n"
      "  <style:style style:name=\"Heading_20_2\" style:display-name=\"Heading 2\" "
      "style:family=\"paragraph\" style:parent-style-name=\"Standard\" "
      "style:default-outline-level=\"2\">\n"
      "   <style:text-properties fo:font-weight=\"bold\" style:font-weight-asian=\"bold\"/>\n"
      "  </style:style>\n"
      "  <style:style style:name=\"Speaker\" style:family=\"paragraph\" "
      "style:parent-style-name=\"Standard\">\n"
      "   <style:paragraph-properties fo:margin-top=\"0.3cm\" fo:keep-with-next=\"always\"/>\n"
      "   <style:text-properties fo:font-weight=\"bold\" style:font-weight-asian=\"bold\"/>\n"
      "  </style:style>\n"
      "  <style:style style:name=\"Mark\" style:family=\"paragraph\" "
      "style:parent-style-name=\"Standard\">\n"
      "   <style:paragraph-properties fo:text-align=\"center\"/>\n"
      "  </style:style>\n"
      "  <style:style style:name=\"Note\" style:family=\"paragraph\" "
      "style:parent-style-name=\"Standard\">\n"
      "   <style:text-properties fo:font-style=\"italic\" style:font-style-asian=\"italic\"/>\n"
      "  </style:style>\n"
      "  <style:style style:name=\"Label\" style:family=\"paragraph\" "
      "style:parent-style-name=\"Standard\">\n"
      "   <style:text-properties fo:font-weight=\"bold\" style:font-weight-asian=\"bold\"/>\n"
      "  </style:style>\n"
      " </office:styles>\n"
      " <office:automatic-styles>\n"
      "  <style:style style:name=\"Header\" style:family=\"table\">\n"
      "   <style:table-properties style:width=\"16cm\" table:align=\"left\"/>\n"
      "  </style:style>\n"
      "  <style:style style:name=\"Header.A\" style:family=\"table-column\">\n"
      "   <style:table-column-properties style:column-width=\"4cm\"/>\n"
      "  </style:style>\n"
      "  <style:style style:name=\"Header.B\" style:family=\"table-column\">\n"
      "   <style:table-column-properties style:column-width=\"12cm\"/>\n"
      "  </style:style>\n"
      "  <style:style style:name=\"Header.cell\" style:family=\"table-cell\">\n"
      "   <style:table-cell-properties fo:padding=\"0.1cm\" fo:border=\"0.5pt solid #000000\"/>\n"
      "  </style:style>\n"
      " </office:automatic-styles>\n";

static void
paragraph (GString *out, const char *style, const char *text)
{
  g_autofree char *esc = kaigi_export_xml_escape (text);

  g_string_append_printf (out, "   <text:p text:style-name=\"%s\">%s</text:p>\n", style, esc);
}

static guint
write_table (GString *out, GPtrArray *doc, guint i)
{
  g_string_append (out, "   <table:table table:name=\"Header\" table:style-name=\"Header\">\n"
                        "    <table:table-column table:style-name=\"Header.A\"/>\n"
                        "    <table:table-column table:style-name=\"Header.B\"/>\n");
  for (; i < doc->len; i++) {
    KaigiBlock *b = g_ptr_array_index (doc, i);
    if (b->kind != KAIGI_BLOCK_FIELD)
      break;
    g_string_append (out, "    <table:table-row>\n     <table:table-cell "
                          "table:style-name=\"Header.cell\" office:value-type=\"string\">\n ");
    paragraph (out, "Label", b->label);
    g_string_append (out, "     </table:table-cell>\n     <table:table-cell "
                          "table:style-name=\"Header.cell\" office:value-type=\"string\">\n");
    for (guint k = 0; b->lines[k]; k++) {
      g_string_append (out, " ");
      paragraph (out, "Standard", b->lines[k]);
    }
    if (!b->lines[0])
      paragraph (out, "Standard", "");
    g_string_append (out, "     </table:table-cell>\n    </table:table-row>\n");
  }
  g_string_append (out, "   </table:table>\n");
  return i;
}

static void
write_block (GString *out, const KaigiBlock *b)
{
  g_autofree char *esc = kaigi_export_xml_escape (b->lines[0]);

  switch (b->kind) {
  case KAIGI_BLOCK_HEADING:
  case KAIGI_BLOCK_SUBHEADING:
    g_string_append_printf (out,
                            "   <text:h text:style-name=\"Heading_20_%d\" "
                            "text:outline-level=\"%d\">%s</text:h>\n",
                            b->kind == KAIGI_BLOCK_HEADING ? 1 : 2,
                            b->kind == KAIGI_BLOCK_HEADING ? 1 : 2, esc);
    break;
  case KAIGI_BLOCK_LIST:
    for (guint k = 0; b->lines[k]; k++) {
      g_autofree char *item = g_strconcat ("・", b->lines[k], NULL);
      paragraph (out, "Standard", item);
    }
    break;
  default: {
    static const char *const style[] = { [KAIGI_BLOCK_TITLE] = "Title",
                                         [KAIGI_BLOCK_NOTE] = "Note",
                                         [KAIGI_BLOCK_SPEAKER] = "Speaker",
                                         [KAIGI_BLOCK_PARA] = "Standard",
                                         [KAIGI_BLOCK_MARK] = "Mark" };
    paragraph (out, style[b->kind], b->lines[0]);
  }
  }
}

GBytes *
kaigi_export_fodt (const KaigiRecord *r, const char *lang)
{
  g_autoptr (GPtrArray) doc = kaigi_export_document (r, lang);
  g_autofree char *title = kaigi_export_xml_escape (r->meeting->title);
  GString *out = g_string_new (prologue);

  g_string_append_printf (
      out,
      " <office:meta>\n  <dc:title>%s</dc:title>\n  <dc:language>%s</dc:language>\n"
      " </office:meta>\n",
      title, lang);
  g_string_append (out, styles);
  g_string_append (out, " <office:body>\n  <office:text>\n");
  for (guint i = 0; i < doc->len;) {
    KaigiBlock *b = g_ptr_array_index (doc, i);
    if (b->kind == KAIGI_BLOCK_FIELD) {
      i = write_table (out, doc, i);
      continue;
    }
    write_block (out, b);
    i++;
  }
  g_string_append (out, "  </office:text>\n </office:body>\n</office:document>\n");
  return g_string_free_to_bytes (out);
}
