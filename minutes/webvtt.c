/* webvtt.c: WebVTT cues (webvtt.h). */
#include "webvtt.h"

static void
vtt_time (GString *s, gint64 us)
{
  gint64 ms = MAX (us, 0) / 1000;

  g_string_append_printf (s, "%02" G_GINT64_FORMAT ":%02d:%02d.%03d", ms / 3600000,
                          (int)(ms / 60000 % 60), (int)(ms / 1000 % 60), (int)(ms % 1000));
}

/* Cue text: WebVTT knows no escapes but these three, and a blank line would end the cue. */
static void
vtt_text (GString *s, const char *text)
{
  for (const char *p = text ? text : ""; *p; p++) {
    if (*p == '&')
      g_string_append (s, "&amp;");
    else if (*p == '<')
      g_string_append (s, "&lt;");
    else if (*p == '>')
      g_string_append (s, "&gt;");
    else
      g_string_append_c (s, *p == '\n' || *p == '\r' ? ' ' : *p);
  }
}

void
kaigi_vtt_cue (GString *out, guint64 id, gint64 start_us, gint64 end_us, const char *speaker,
               const char *text)
{
  g_string_append_printf (out, "%" G_GUINT64_FORMAT "\n", id);
  vtt_time (out, start_us);
  g_string_append (out, " --> ");
  vtt_time (out, end_us);
  g_string_append (out, "\n<v ");
  vtt_text (out, speaker);
  g_string_append (out, ">");
  vtt_text (out, speaker);
  g_string_append (out, ": ");
  vtt_text (out, text);
  g_string_append (out, "\n\n");
}
