/* piece.h: what one recorded WebM piece holds, found by decoding it.
 *
 * "Plays" means: matroskademux reads it to the end and every frame of its track decodes
 * (opusdec or vp8dec; no decodebin, so a missing or wrong codec is an error, not a silent
 * choice). Used by kaigi-recorder verify and repair, and by tests. Any thread (it runs its
 * own pipeline and waits for it, bounded). */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

typedef struct {
  char *codec;           /* "opus", "vp8", or NULL if no track was found */
  guint frames;          /* decoded buffers */
  GstClockTime first;    /* PTS of the first frame (file time) */
  GstClockTime end;      /* PTS + duration of the last frame */
  GstClockTime duration; /* end - first */
  gboolean complete;     /* demuxed to EOS without an error */
  char *error;           /* the first error, or NULL */
} KaigiPieceInfo;

void kaigi_piece_info_clear (KaigiPieceInfo *info);
/* Decodes @path. FALSE with @error only when the check itself could not run; a damaged
 * piece returns TRUE with info->complete FALSE and info->error set. */
gboolean kaigi_piece_check (const char *path, KaigiPieceInfo *info, GError **error);
/* Remuxes what can be read of @in (a piece cut by a crash) into @out without transcoding;
 * returns the number of frames written (0: nothing readable). */
gint kaigi_piece_remux (const char *in, const char *out, GError **error);

G_END_DECLS
