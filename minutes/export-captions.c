/* export-captions.c: the statements as captions: WebVTT (the speaker as a voice tag
 * `<v 山口恵子会長>`) and SRT (the speaker label before the text). Cue times are relative to the
 * meeting's start (opened_at, else the first statement), so they line up with a recording that
 * starts when the meeting opens. Placeholders of a public copy have no cue. Pure functions. */
#define G_LOG_DOMAIN "kaigi-minutes"

#include "export-private.h"

static gint64
origin (const KaigiRecord *r)
{
  if (r->meeting->opened_at_us)
    return r->meeting->opened_at_us;
  for (guint i = 0; i < r->utterances->len; i++) {
    KaigiUtterance *u = g_ptr_array_index (r->utterances, i);
    if (!u->omitted)
      return u->start_us;
  }
  return 0;
}

static void
timestamp (GString *out, gint64 us, char sep)
{
  gint64 ms = MAX (us, 0) / 1000;

  g_string_append_printf (out, "%02" G_GINT64_FORMAT ":%02d:%02d%c%03d", ms / 3600000,
                          (int)(ms / 60000 % 60), (int)(ms / 1000 % 60), sep, (int)(ms % 1000));
}

/* The speaker's name for a voice tag: no '>' or newlines, which would end the tag. */
static char *
voice (const KaigiRecord *r, const KaigiUtterance *u, const char *lang)
{
  KaigiRosterEntry *e = kaigi_record_speaker (r, u);
  char *name = e ? (g_strcmp0 (lang, "en") == 0 && *e->title
                        ? g_strdup_printf ("%s (%s)", e->name, e->title)
                        : g_strconcat (e->name, e->title, NULL))
                 : g_strdup (*u->speaker_name ? u->speaker_name : "?");

  return g_strdelimit (name, "<>&\r\n", ' ');
}

static GBytes *
captions (const KaigiRecord *r, const char *lang, gboolean vtt)
{
  GString *out = g_string_new (vtt ? "WEBVTT\n\n" : "");
  gint64 zero = origin (r);
  guint n = 0;

  for (guint i = 0; i < r->utterances->len; i++) {
    KaigiUtterance *u = g_ptr_array_index (r->utterances, i);
    g_autofree char *text = NULL;
    if (u->omitted || !*u->text)
      continue;
    g_string_append_printf (out, "%u\n", ++n);
    timestamp (out, u->start_us - zero, vtt ? '.' : ',');
    g_string_append (out, " --> ");
    timestamp (out, MAX (u->end_us, u->start_us + 1000) - zero, vtt ? '.' : ',');
    g_string_append (out, "\n");
    if (vtt) {
      g_autofree char *who = voice (r, u, lang);
      text = kaigi_export_xml_escape (u->text);
      g_string_append_printf (out, "<v %s>%s\n\n", who, text);
    } else {
      g_autofree char *who = kaigi_export_speaker (r, u, lang);
      g_string_append_printf (out, "%s%s%s\n\n", who, g_strcmp0 (lang, "en") == 0 ? " " : "",
                              u->text);
    }
  }
  return g_string_free_to_bytes (out);
}

GBytes *
kaigi_export_vtt (const KaigiRecord *r, const char *lang)
{
  return captions (r, lang, TRUE);
}

GBytes *
kaigi_export_srt (const KaigiRecord *r, const char *lang)
{
  return captions (r, lang, FALSE);
}
