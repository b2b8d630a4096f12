/* test-funnel.c: an rtpfunnel with kaigi_funnel_drop_repeated_events (media/webrtc-tune.h) lets
 * every packet through but only the segments and TOS events that change something, as
 * webrtcbin's send path gets them: two inputs (an ear and a slot) taking turns. */
#include <gst/check/gstharness.h>
#include <gst/gst.h>
#include <gst/rtp/rtp.h>

#include "media/webrtc-tune.h"

typedef struct {
  GstHarness *a; /* sink_0; its sink side gets what the funnel sends */
  GstHarness *b; /* sink_1 */
} Funnel;

static void
funnel_setup (Funnel *f, gboolean watched)
{
  f->a = gst_harness_new_with_padnames ("rtpfunnel", "sink_0", "src");
  f->b = gst_harness_new_with_element (f->a->element, "sink_1", NULL);
  if (watched)
    kaigi_funnel_drop_repeated_events (f->a->element);
  gst_harness_set_src_caps_str (f->a, "application/x-rtp, media=audio, ssrc=(uint)1111");
  gst_harness_set_src_caps_str (f->b, "application/x-rtp, media=video, ssrc=(uint)2222");
}

static void
funnel_teardown (Funnel *f)
{
  gst_harness_teardown (f->b);
  gst_harness_teardown (f->a);
}

static GstBuffer *
rtp_packet (guint32 ssrc, guint16 seq)
{
  GstBuffer *buf = gst_rtp_buffer_new_allocate (20, 0, 0);
  GstRTPBuffer rtp = GST_RTP_BUFFER_INIT;

  gst_rtp_buffer_map (buf, GST_MAP_WRITE, &rtp);
  gst_rtp_buffer_set_ssrc (&rtp, ssrc);
  gst_rtp_buffer_set_seq (&rtp, seq);
  gst_rtp_buffer_unmap (&rtp);
  return buf;
}

static GstEvent *
tos_event (const char *mid)
{
  return gst_event_new_custom (
      GST_EVENT_CUSTOM_DOWNSTREAM_STICKY,
      gst_structure_new ("GstWebRtcBinUpdateTos", "mid", G_TYPE_STRING, mid, NULL));
}

/* Both inputs take turns, n packets each. */
static void
take_turns (Funnel *f, guint n, guint16 *seq)
{
  for (guint i = 0; i < n; i++) {
    g_assert_cmpint (gst_harness_push (f->a, rtp_packet (1111, (*seq)++)), ==, GST_FLOW_OK);
    g_assert_cmpint (gst_harness_push (f->b, rtp_packet (2222, (*seq)++)), ==, GST_FLOW_OK);
  }
}

typedef struct {
  guint segments;
  guint tos;
  guint buffers;
} Received;

/* What came out of the funnel since the last call. */
static Received
received (Funnel *f)
{
  Received r = { 0 };
  GstEvent *e;
  GstBuffer *b;

  while ((e = gst_harness_try_pull_event (f->a))) {
    if (GST_EVENT_TYPE (e) == GST_EVENT_SEGMENT)
      r.segments++;
    else if (gst_event_has_name (e, "GstWebRtcBinUpdateTos"))
      r.tos++;
    gst_event_unref (e);
  }
  while ((b = gst_harness_try_pull (f->a))) {
    r.buffers++;
    gst_buffer_unref (b);
  }
  return r;
}

static void
test_turns (gboolean watched, Received *out)
{
  Funnel f;
  guint16 seq = 0;

  funnel_setup (&f, watched);
  gst_harness_push_event (f.a, tos_event ("0"));
  gst_harness_push_event (f.b, tos_event ("1"));
  take_turns (&f, 20, &seq);
  *out = received (&f);
  funnel_teardown (&f);
}

/* Without the probe every turn sends the segment and the TOS event again (what it saves);
 * with it, one segment and one TOS event per mid, and every packet. */
static void
test_repeats_dropped (void)
{
  Received plain, watched;

  test_turns (FALSE, &plain);
  test_turns (TRUE, &watched);
  g_assert_cmpuint (plain.buffers, ==, 40);
  g_assert_cmpuint (plain.segments, >=, 39);
  g_assert_cmpuint (plain.tos, >=, 39);
  g_assert_cmpuint (watched.buffers, ==, 40);
  g_assert_cmpuint (watched.segments, ==, 1);
  g_assert_cmpuint (watched.tos, ==, 2);
}

/* A segment that differs (here: a new base, as after a seek or a restarted stream) goes
 * through, and so does the next change back; after a flush the same segment goes again. */
static void
test_changes_pass (void)
{
  Funnel f;
  guint16 seq = 0;
  GstSegment seg;
  Received r;

  funnel_setup (&f, TRUE);
  take_turns (&f, 3, &seq);
  r = received (&f);
  g_assert_cmpuint (r.segments, ==, 1);

  gst_segment_init (&seg, GST_FORMAT_TIME);
  seg.base = 5 * GST_SECOND;
  g_assert_true (gst_harness_push_event (f.b, gst_event_new_segment (&seg)));
  take_turns (&f, 1, &seq); /* a (the same segment: dropped), then b (a new one) */
  r = received (&f);
  g_assert_cmpuint (r.buffers, ==, 2);
  g_assert_cmpuint (r.segments, ==, 1);

  take_turns (&f, 3, &seq); /* each turn now changes the segment */
  r = received (&f);
  g_assert_cmpuint (r.segments, ==, 6);

  gst_segment_init (&seg, GST_FORMAT_TIME); /* what the harness sent first */
  g_assert_true (gst_harness_push_event (f.b, gst_event_new_segment (&seg)));
  g_assert_true (gst_harness_push_event (f.a, gst_event_new_flush_start ()));
  g_assert_true (gst_harness_push_event (f.a, gst_event_new_flush_stop (TRUE)));
  g_assert_true (gst_harness_push_event (f.a, gst_event_new_segment (&seg)));
  take_turns (&f, 3, &seq);
  r = received (&f);
  g_assert_cmpuint (r.buffers, ==, 6);
  g_assert_cmpuint (r.segments, ==, 1);
  funnel_teardown (&f);
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/funnel/repeats-dropped", test_repeats_dropped);
  g_test_add_func ("/funnel/changes-pass", test_changes_pass);
  return g_test_run ();
}
