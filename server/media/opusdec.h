/* opusdec.h: kaigiopusdec, the Opus decoder of one participant's mic (see opusdec.c).
 *
 *   sink  audio/x-opus (one Opus packet per buffer, channel mapping family 0: RTP's)
 *   src   audio/x-raw S16LE 48 kHz mono, one buffer per packet, the packet's timestamp
 *
 * GAP events pass as they are (the mixer takes them as silence), as opusdec does with its
 * defaults. A packet libopus refuses is dropped and counted; the stream goes on. */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

#define KAIGI_TYPE_OPUS_DEC (kaigi_opus_dec_get_type ())
G_DECLARE_FINAL_TYPE (KaigiOpusDec, kaigi_opus_dec, KAIGI, OPUS_DEC, GstElement)

/* Registers "kaigiopusdec". Any thread; later calls do nothing. */
gboolean kaigi_opus_dec_register (void);

/* Packets refused by libopus since the process started, all decoders together. Any thread. */
guint64 kaigi_opus_dec_refused (void);

G_END_DECLS
