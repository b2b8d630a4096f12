/* hop.h: running a callback on the main loop for an object that one of GStreamer's threads
 * (a webrtcbin signal, a promise) holds.
 *
 * The object is referenced until the callback has run or been dropped; on the main loop the
 * callback runs only if the object is still alive (not closed meanwhile). Used by peer.c and
 * media/whep.c. kaigi_hop may be called from any thread. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  gpointer (*ref) (gpointer owner);
  void (*unref) (gpointer owner);
  gboolean (*alive) (gpointer owner); /* main thread; FALSE: the callback is skipped */
} KaigiHopOwner;

typedef void (*KaigiHopFunc) (gpointer owner, gpointer data);

/* Queues @run (@owner, @data) on the default main context; @free_data frees @data after it
 * ran or was skipped. */
void kaigi_hop (const KaigiHopOwner *kind, gpointer owner, KaigiHopFunc run, gpointer data,
                GDestroyNotify free_data);

G_END_DECLS
