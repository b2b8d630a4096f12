/* webvtt.h: WebVTT cues for live and recorded captions (the public HLS rendition, the
 * archive): a statement as `<v SPEAKER>SPEAKER: text`, so players that ignore voice tags still
 * name the speaker. Pure functions. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Appends one cue: @id (a number), times in µs from the file's zero, the speaker and text
 * (escaped; a line break becomes a space). */
void kaigi_vtt_cue (GString *out, guint64 id, gint64 start_us, gint64 end_us, const char *speaker,
                    const char *text);

G_END_DECLS
