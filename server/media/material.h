/* material.h: a meeting material shown as a picture (the public program's, media/program.c):
 * a still image (PNG or JPEG; a PDF is turned into its first page's PNG by the room first)
 * as a local KaigiPeer whose camera is that picture, VP8 at 2 frames a second. Whoever shows
 * it links to it like to anyone's camera (media/forward.c). Main thread. */
#pragma once

#include "media/graph.h"
#include "peer.h"

G_BEGIN_DECLS

/* @image: a PNG or JPEG file, scaled into @width x @height with borders. Close it with
 * kaigi_peer_close. */
KaigiPeer *kaigi_material_source_new (KaigiGraph *graph, const char *id, const char *image,
                                      guint width, guint height, GError **error);

G_END_DECLS
