/* clip.h: a statement's audio clip (16 kHz mono 16-bit WAV, DATA_DIR/meetings/ID/clips/UID.wav)
 * follows its statement when the minutes editor merges or splits it, so that the play button
 * plays what the text says (docs/minutes.md).
 *
 * Files are read whole and written through a temporary name (a clip is at most a few MiB).
 * Blocking file I/O: call from a worker thread. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Writes @first's audio followed by @second's to @out (which may be @first). */
gboolean kaigi_clip_join (const char *first, const char *second, const char *out, GError **error);
/* Cuts @path at @num/@den of its length (0 < num < den, on a sample) into @first_out (which may
 * be @path) and @second_out. */
gboolean kaigi_clip_split (const char *path, glong num, glong den, const char *first_out,
                           const char *second_out, GError **error);

G_END_DECLS
