/* opusear.h: kaigiopusear, the Opus encoder of one participant's ear (see opusear.c).
 *
 *   sink  audio/x-raw S16LE 48 kHz mono, 20 ms buffers (kaigimixminus's src_N)
 *   src   audio/x-opus (one Opus packet per buffer; rtpopuspay takes it)
 *
 * A buffer that is the meeting's shared total mix and carries its Opus packet (encoded once by
 * kaigimixminus for everyone silent) goes out as that packet; any other is encoded here.
 * Property "bitrate" (bit/s), as the mixer's "opus-bitrate". */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

#define KAIGI_TYPE_OPUS_EAR (kaigi_opus_ear_get_type ())
G_DECLARE_FINAL_TYPE (KaigiOpusEar, kaigi_opus_ear, KAIGI, OPUS_EAR, GstElement)

/* The ears' bitrate when none is configured (bit/s): the element's default. */
#define KAIGI_OPUS_EAR_DEFAULT_BITRATE 32000

/* Registers "kaigiopusear" (and kaigimixminus's meta). Any thread; later calls do nothing. */
gboolean kaigi_opus_ear_register (void);

/* Packets since the process started, all ears together: encoded by an ear for its listener
 * alone, and taken from the shared mix (encoded once by the mixer). Any thread. */
void kaigi_opus_ear_counts (guint64 *own, guint64 *shared);

G_END_DECLS
