/* mix.h: a meeting's audio: one kaigimixminus (media/mixminus.c) for all its participants.
 *
 * Each participant whose media is connected feeds their decoded mic into it and hears their own
 * ear of it (everyone but themselves); its total is the program's sound (media/program.c). It
 * tells who starts and stops speaking. Main thread for every function and callback here. */
#pragma once

#include <gst/gst.h>

#include "media/graph.h"
#include "peer.h"

G_BEGIN_DECLS

typedef struct _KaigiMix KaigiMix;

/* @who is what kaigi_mix_add was given; @level_db the RMS level of the last 20 ms. Main thread. */
typedef void (*KaigiMixSpeaking) (gpointer user, gpointer who, gboolean speaking, double level_db);

/* A running mixer in @graph; @jitter_latency_ms is the participants' receive latency,
 * @audio_bitrate their ears' (0: the default), at which the mixer encodes the total once for
 * everyone silent. */
KaigiMix *kaigi_mix_new (KaigiGraph *graph, guint jitter_latency_ms, guint audio_bitrate,
                         KaigiMixSpeaking speaking, gpointer user, GError **error);
/* No callback after this; the mixer leaves the graph when the links into it have detached. */
void kaigi_mix_free (KaigiMix *mix);
/* @peer (CONNECTED) joins the mix: its mic in, its ear out; speaking events name @who. */
/* @group: inputs of one place share a non-zero group (kaigimixminus "group"). */
void kaigi_mix_add (KaigiMix *mix, KaigiPeer *peer, gpointer who, guint group);
/* @peer leaves the mix (also done by closing the peer); no more events about it. */
void kaigi_mix_remove (KaigiMix *mix, KaigiPeer *peer);
/* The total (everyone, limited) into @sink, a pad of an element already PLAYING. Whatever
 * becomes of that branch, the mixer goes on. */
gboolean kaigi_mix_link_total (KaigiMix *mix, GstPad *sink, GError **error);

G_END_DECLS
