/* export.c: the table of exporters (export.h) and the JSON one, which is the record's own
 * document (record-json.c). Pure functions. */
#define G_LOG_DOMAIN "kaigi-minutes"

#include "export-private.h"

#include "kaigi-error.h"

static GBytes *
export_json (const KaigiRecord *r, const char *lang)
{
  g_autoptr (JsonNode) root = kaigi_record_to_json (r);
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  char *text;

  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  json_generator_set_indent (gen, 2);
  text = json_generator_to_data (gen, NULL);
  text = g_realloc (text, strlen (text) + 2);
  strcat (text, "\n");
  return g_bytes_new_take (text, strlen (text));
}

static const KaigiExporter exporters[] = {
  { "text", "txt", "text/plain; charset=utf-8", "会議録 text laid out like the reference records",
    kaigi_export_text },
  { "md", "md", "text/markdown; charset=utf-8", "Markdown", kaigi_export_md },
  { "fodt", "fodt", "application/vnd.oasis.opendocument.text-flat-xml",
    "Flat ODT (one XML file; LibreOffice, Word)", kaigi_export_fodt },
  { "docx", "docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "Word document (Office Open XML)", kaigi_export_docx },
  { "vtt", "vtt", "text/vtt; charset=utf-8", "WebVTT captions, speakers as voice tags",
    kaigi_export_vtt },
  { "srt", "srt", "application/x-subrip", "SubRip captions", kaigi_export_srt },
  { "json", "json", "application/json", "the whole record (docs/minutes.md)", export_json },
};

const KaigiExporter *
kaigi_exporters (guint *n_out)
{
  *n_out = G_N_ELEMENTS (exporters);
  return exporters;
}

const KaigiExporter *
kaigi_exporter_find (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (exporters); i++)
    if (g_strcmp0 (exporters[i].name, name) == 0)
      return &exporters[i];
  return NULL;
}

GBytes *
kaigi_export (const KaigiRecord *r, const char *format, const char *lang, GError **error)
{
  const KaigiExporter *e = kaigi_exporter_find (format);

  if (!e) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_INVALID,
                 "format: unknown format '%s' (kaigi-minutes formats lists them)", format);
    return NULL;
  }
  if (g_strcmp0 (lang, "ja") != 0 && g_strcmp0 (lang, "en") != 0) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_INVALID, "lang: must be ja or en, not '%s'", lang);
    return NULL;
  }
  return e->write (r, lang);
}

char *
kaigi_export_xml_escape (const char *s)
{
  return g_markup_escape_text (s ? s : "", -1);
}
