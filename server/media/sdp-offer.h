/* sdp-offer.h: what the two answerers (WHEP viewers, media/whep.c; WHIP ingests, peer.c) read
 * in an offer and add to their answer. Pure functions, any thread. */
#pragma once

#include <gst/sdp/sdp.h>

G_BEGIN_DECLS

typedef enum {
  KAIGI_SDP_H264_ANY,     /* H.264 with packetization-mode=1 */
  KAIGI_SDP_H264_BASELINE /* ... and a (constrained) baseline profile (what openh264 makes) */
} KaigiSdpH264;

/* The payload type of @encoding ("opus", "VP8", "H264", case-insensitive) offered in @media,
 * or -1. For H.264, @h264 says which fmtp is needed. */
int kaigi_sdp_offered_pt (const GstSDPMedia *media, const char *encoding, KaigiSdpH264 h264);

/* @answer with every candidate of @candidates ("mline\tcandidate:..." strings, webrtcbin's
 * on-ice-candidate) added to its m-line, unless it has some already, and end-of-candidates:
 * an answer that needs no trickle. NULL if @answer is not SDP (or has no m-line). */
char *kaigi_sdp_answer_with_candidates (const char *answer, const GPtrArray *candidates);

G_END_DECLS
