/* mixminus.h: kaigimixminus, one audio mixer for a whole meeting (see mixminus.c).
 *
 *   sink_N  (request)   a participant's decoded mic, S16LE 48 kHz mono
 *   src_N   (sometimes) added and removed with sink_N: everyone but N, limited
 *   src     (always)    everyone: the program mix, limited
 *
 * Buffers of the total mix carry the KaigiMixShared meta; a participant whose own input is
 * silent gets that very buffer on src_N; with "opus-bitrate" (bit/s) it also carries the
 * total's Opus packet, encoded once (kaigi_mixminus_shared_opus). Element messages
 * "kaigi-speaking" (pad: sink pad name, speaking: boolean, level-db: double, running-time:
 * guint64) tell who talks. The sink pads have read-only properties "level-db", "speaking" and
 * "shared", and "group": inputs of one place (a venue's page and its WHIP ingest) share a
 * non-zero group, and each one's ear leaves out the whole group (a room never hears itself
 * from its own loudspeakers). */
#pragma once

#include <gst/base/gstaggregator.h>

G_BEGIN_DECLS

#define KAIGI_TYPE_MIX_MINUS (kaigi_mix_minus_get_type ())
G_DECLARE_FINAL_TYPE (KaigiMixMinus, kaigi_mix_minus, KAIGI, MIX_MINUS, GstAggregator)

/* The custom meta on buffers of the total mix (gst_buffer_get_custom_meta). */
#define KAIGI_MIXMINUS_SHARED_META "KaigiMixShared"
/* The element message of the speaking detector. */
#define KAIGI_MIXMINUS_SPEAKING "kaigi-speaking"
/* Samples per output period: 20 ms at 48 kHz, one Opus frame. */
#define KAIGI_MIXMINUS_PERIOD 960
#define KAIGI_MIXMINUS_RATE 48000

/* Registers the element "kaigimixminus" (once; later calls do nothing). Any thread. */
gboolean kaigi_mixminus_register (void);
/* TRUE if @buffer is the shared total mix. */
gboolean kaigi_mixminus_buffer_is_shared (GstBuffer *buffer);
/* The Opus packet of the shared total mix @buffer (with "opus-bitrate" set), or NULL. Owned by
 * @buffer's meta. */
GstBuffer *kaigi_mixminus_shared_opus (GstBuffer *buffer);
/* The largest Opus packet (RFC 6716, 3.2.1). */
#define KAIGI_MIXMINUS_MAX_PACKET 1275

G_END_DECLS
