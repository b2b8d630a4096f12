/* test-sdp.c: what the WHEP and WHIP answerers read in offers and add to answers
 * (server/media/sdp-offer.c): payload types by codec and H.264 profile, and answers completed
 * with their candidates. */
#include <gst/sdp/sdp.h>
#include <string.h>

#include "media/sdp-offer.h"

/* An OBS-like offer: Opus 111; H.264 high profile 102, constrained baseline 127 (mode 1),
 * baseline mode 0 125; VP8 96. */
static const char offer[] = "v=0\r\n"
                            "o=- 1 2 IN IP4 127.0.0.1\r\n"
                            "s=-\r\n"
                            "t=0 0\r\n"
                            "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"
                            "a=rtpmap:111 opus/48000/2\r\n"
                            "m=video 9 UDP/TLS/RTP/SAVPF 102 125 127 96\r\n"
                            "a=rtpmap:102 H264/90000\r\n"
                            "a=fmtp:102 packetization-mode=1;profile-level-id=640032\r\n"
                            "a=rtpmap:125 H264/90000\r\n"
                            "a=fmtp:125 packetization-mode=0;profile-level-id=42e01f\r\n"
                            "a=rtpmap:127 H264/90000\r\n"
                            "a=fmtp:127 packetization-mode=1;profile-level-id=42e01f\r\n"
                            "a=rtpmap:96 VP8/90000\r\n";

static void
test_offered_pt (void)
{
  g_autoptr (GstSDPMessage) sdp = NULL;
  const GstSDPMedia *audio, *video;

  g_assert_cmpint (gst_sdp_message_new_from_text (offer, &sdp), ==, GST_SDP_OK);
  audio = gst_sdp_message_get_media (sdp, 0);
  video = gst_sdp_message_get_media (sdp, 1);
  g_assert_cmpint (kaigi_sdp_offered_pt (audio, "opus", KAIGI_SDP_H264_ANY), ==, 111);
  g_assert_cmpint (kaigi_sdp_offered_pt (audio, "VP8", KAIGI_SDP_H264_ANY), ==, -1);
  g_assert_cmpint (kaigi_sdp_offered_pt (video, "VP8", KAIGI_SDP_H264_ANY), ==, 96);
  /* Any profile with packetization mode 1: the high profile comes first. */
  g_assert_cmpint (kaigi_sdp_offered_pt (video, "H264", KAIGI_SDP_H264_ANY), ==, 102);
  /* Baseline only (what openh264 encodes for WHEP viewers): not mode 0. */
  g_assert_cmpint (kaigi_sdp_offered_pt (video, "H264", KAIGI_SDP_H264_BASELINE), ==, 127);
  g_assert_cmpint (kaigi_sdp_offered_pt (video, "VP9", KAIGI_SDP_H264_ANY), ==, -1);
}

static void
test_answer_with_candidates (void)
{
  static const char answer[] = "v=0\r\n"
                               "o=- 1 2 IN IP4 127.0.0.1\r\n"
                               "s=-\r\n"
                               "t=0 0\r\n"
                               "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"
                               "a=rtpmap:111 opus/48000/2\r\n"
                               "m=video 9 UDP/TLS/RTP/SAVPF 96\r\n"
                               "a=rtpmap:96 VP8/90000\r\n";
  g_autoptr (GPtrArray) cands = g_ptr_array_new ();
  g_autofree char *with = NULL, *again = NULL;
  const char *first;

  g_ptr_array_add (cands, "0\tcandidate:1 1 UDP 2015363327 127.0.0.1 40000 typ host");
  g_ptr_array_add (cands, "7\tcandidate:2 1 UDP 2015363327 127.0.0.1 40001 typ host");
  g_ptr_array_add (cands, "1\tnot a candidate");
  with = kaigi_sdp_answer_with_candidates (answer, cands);
  g_assert_nonnull (with);
  first = strstr (with, "a=candidate:1 1 UDP 2015363327 127.0.0.1 40000 typ host\r\n");
  g_assert_nonnull (first);
  g_assert_true (first < strstr (with, "m=video")); /* on its m-line */
  g_assert_null (strstr (with, "40001"));           /* no such m-line */
  g_assert_null (strstr (with, "not a candidate"));
  g_assert_nonnull (strstr (strstr (with, "m=video"), "a=end-of-candidates"));
  /* An answer that has candidates already gets no more. */
  again = kaigi_sdp_answer_with_candidates (with, cands);
  g_assert_true (strstr (again, "40000") == g_strrstr (again, "40000"));
  g_assert_null (kaigi_sdp_answer_with_candidates ("not sdp", cands));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/sdp/offered-pt", test_offered_pt);
  g_test_add_func ("/sdp/answer-with-candidates", test_answer_with_candidates);
  return g_test_run ();
}
