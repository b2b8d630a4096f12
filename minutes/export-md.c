/* export-md.c: the 会議録 as Markdown (CommonMark with a GFM table for the header): the title
 * as `#`, the header rows as a two-column table, agenda items as `##`, speakers in bold.
 * Text is escaped so that a statement never turns into markup. Pure functions. */
#define G_LOG_DOMAIN "kaigi-minutes"

#include "export-private.h"

/* @s with Markdown's punctuation escaped; in a table cell also `|`. */
static void
append_escaped (GString *out, const char *s, gboolean cell)
{
  for (const char *p = s; *p; p++) {
    if (strchr ("\\`*_[]<>#", *p) || (cell && *p == '|'))
      g_string_append_c (out, '\\');
    g_string_append_c (out, *p);
  }
}

static guint
write_table (GString *out, GPtrArray *doc, guint i, const char *lang)
{
  g_string_append_printf (out, "| %s | %s |\n| --- | --- |\n",
                          kaigi_export_label (lang, "col.label"),
                          kaigi_export_label (lang, "col.value"));
  for (; i < doc->len; i++) {
    KaigiBlock *b = g_ptr_array_index (doc, i);
    if (b->kind != KAIGI_BLOCK_FIELD)
      break;
    g_string_append (out, "| ");
    append_escaped (out, b->label, TRUE);
    g_string_append (out, " | ");
    for (guint k = 0; b->lines[k]; k++) {
      if (k)
        g_string_append (out, "<br>");
      append_escaped (out, b->lines[k], TRUE);
    }
    g_string_append (out, " |\n");
  }
  g_string_append (out, "\n");
  return i;
}

static void
write_block (GString *out, const KaigiBlock *b)
{
  static const char *const before[] = {
    [KAIGI_BLOCK_TITLE] = "# ",      [KAIGI_BLOCK_NOTE] = "> ※", [KAIGI_BLOCK_HEADING] = "## ",
    [KAIGI_BLOCK_SPEAKER] = "**",    [KAIGI_BLOCK_PARA] = "",    [KAIGI_BLOCK_MARK] = "",
    [KAIGI_BLOCK_SUBHEADING] = "## "
  };

  if (b->kind == KAIGI_BLOCK_LIST) {
    for (guint k = 0; b->lines[k]; k++) {
      g_string_append (out, "- ");
      append_escaped (out, b->lines[k], FALSE);
      g_string_append (out, "\n");
    }
    g_string_append (out, "\n");
    return;
  }
  g_string_append (out, before[b->kind]);
  append_escaped (out, b->lines[0], FALSE);
  g_string_append (out, b->kind == KAIGI_BLOCK_SPEAKER ? "**\n\n" : "\n\n");
}

GBytes *
kaigi_export_md (const KaigiRecord *r, const char *lang)
{
  g_autoptr (GPtrArray) doc = kaigi_export_document (r, lang);
  GString *out = g_string_new ("");

  for (guint i = 0; i < doc->len;) {
    KaigiBlock *b = g_ptr_array_index (doc, i);
    if (b->kind == KAIGI_BLOCK_FIELD) {
      i = write_table (out, doc, i, lang);
      continue;
    }
    write_block (out, b);
    i++;
  }
  while (out->len >= 2 && out->str[out->len - 1] == '\n' && out->str[out->len - 2] == '\n')
    g_string_truncate (out, out->len - 1);
  return g_string_free_to_bytes (out);
}
