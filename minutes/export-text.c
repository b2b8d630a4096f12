/* export-text.c: the 会議録 as plain text, laid out like the reference records: header rows
 * "label　value" with continuation lines indented under the value, agenda headings between
 * rules, 【speaker】 lines before their statements, one blank line between paragraphs.
 * Pure functions. */
#define G_LOG_DOMAIN "kaigi-minutes"

#include "export-private.h"

#define RULE "――――――――――――――――――――――――――――――"

static void
write_field (GString *out, const KaigiBlock *b)
{
  glong width = g_utf8_strlen (b->label, -1) + 1;
  g_autoptr (GString) indent = g_string_new ("");

  /* Full-width spaces keep the continuation under the value in a monospaced CJK font. */
  for (glong i = 0; i < width; i++)
    g_string_append (indent, g_unichar_iswide (g_utf8_get_char (b->label)) ? "　" : " ");
  for (guint i = 0; b->lines[i]; i++)
    g_string_append_printf (out, "%s%s%s\n", i ? indent->str : b->label,
                            i ? "" : (indent->str[0] == ' ' ? " " : "　"), b->lines[i]);
  if (!b->lines[0])
    g_string_append_printf (out, "%s\n", b->label);
  g_string_append (out, "\n");
}

GBytes *
kaigi_export_text (const KaigiRecord *r, const char *lang)
{
  g_autoptr (GPtrArray) doc = kaigi_export_document (r, lang);
  GString *out = g_string_new ("");

  for (guint i = 0; i < doc->len; i++) {
    KaigiBlock *b = g_ptr_array_index (doc, i);
    switch (b->kind) {
    case KAIGI_BLOCK_FIELD:
      write_field (out, b);
      break;
    case KAIGI_BLOCK_NOTE:
      g_string_append_printf (out, "※%s\n\n", b->lines[0]);
      break;
    case KAIGI_BLOCK_HEADING:
      g_string_append_printf (out, RULE "\n%s\n" RULE "\n\n", b->lines[0]);
      break;
    case KAIGI_BLOCK_LIST:
      for (guint k = 0; b->lines[k]; k++)
        g_string_append_printf (out, "・%s\n", b->lines[k]);
      g_string_append (out, "\n");
      break;
    default:
      g_string_append_printf (out, "%s\n\n", b->lines[0]);
      break;
    }
  }
  /* One newline at the end, not a blank line. */
  while (out->len >= 2 && out->str[out->len - 1] == '\n' && out->str[out->len - 2] == '\n')
    g_string_truncate (out, out->len - 1);
  return g_string_free_to_bytes (out);
}
