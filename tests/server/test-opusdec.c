/* test-opusdec.c: kaigiopusdec (media/opusdec.h), the mic decoder, against GStreamer's opusdec
 * on the same packets: the same samples; timestamps, gaps, stereo, a refused packet (and its
 * count in /metrics) and caps it must not take. The packets are libopus's own, of a 440 Hz tone. */
#include <gst/check/gstharness.h>
#include <gst/gst.h>
#include <math.h>
#include <opus.h>

#include <string.h>

#include "media/opusdec.h"
#include "metrics.h"

#define RATE 48000
#define FRAME 960 /* 20 ms */
#define PACKETS 50
#define OPUS_CAPS "audio/x-opus, channel-mapping-family=(int)0, rate=(int)48000, channels=(int)%d"

/* A counter of /metrics, read as the server renders it. */
static guint64
metric (const char *name)
{
  g_autofree char *text = kaigi_metrics_render (NULL, NULL);
  g_autofree char *key = g_strconcat ("\n", name, " ", NULL);
  const char *at = strstr (text, key);

  g_assert_nonnull (at);
  return g_ascii_strtoull (at + strlen (key), NULL, 10);
}

/* PACKETS Opus packets of a 440 Hz tone at -12 dBFS, @channels channels. */
static GPtrArray *
tone_packets (int channels)
{
  GPtrArray *packets = g_ptr_array_new_with_free_func ((GDestroyNotify)gst_buffer_unref);
  int err = 0;
  OpusEncoder *enc = opus_encoder_create (RATE, channels, OPUS_APPLICATION_AUDIO, &err);
  opus_int16 pcm[FRAME * 2];
  guchar data[1500];

  g_assert_nonnull (enc);
  opus_encoder_ctl (enc, OPUS_SET_BITRATE (64000));
  for (guint p = 0; p < PACKETS; p++) {
    for (guint i = 0; i < FRAME; i++) {
      double t = (double)(p * FRAME + i) / RATE;
      for (int c = 0; c < channels; c++)
        pcm[i * channels + c] = (opus_int16)(8192 * sin (2 * G_PI * 440 * t));
    }
    opus_int32 n = opus_encode (enc, pcm, FRAME, data, sizeof data);
    g_assert_cmpint (n, >, 0);
    GstBuffer *buf = gst_buffer_new_memdup (data, n);
    GST_BUFFER_PTS (buf) = p * 20 * GST_MSECOND;
    GST_BUFFER_DURATION (buf) = 20 * GST_MSECOND;
    g_ptr_array_add (packets, buf);
  }
  opus_encoder_destroy (enc);
  return packets;
}

/* All samples @h put out, concatenated (its buffers are pulled). */
static GArray *
pull_samples (GstHarness *h)
{
  GArray *all = g_array_new (FALSE, FALSE, sizeof (gint16));
  GstBuffer *b;

  while ((b = gst_harness_try_pull (h))) {
    GstMapInfo map;
    gst_buffer_map (b, &map, GST_MAP_READ);
    g_array_append_vals (all, map.data, map.size / sizeof (gint16));
    gst_buffer_unmap (b, &map);
    gst_buffer_unref (b);
  }
  return all;
}

static GstHarness *
ours (int channels)
{
  GstHarness *h = gst_harness_new ("kaigiopusdec");
  g_autofree char *caps = g_strdup_printf (OPUS_CAPS, channels);

  gst_harness_set_src_caps_str (h, caps);
  return h;
}

static double
rms (const gint16 *s, guint n)
{
  double sum = 0;

  for (guint i = 0; i < n; i++)
    sum += (double)s[i] * s[i];
  return n ? sqrt (sum / n) : 0;
}

/* The same samples as opusdec (mono out, as the server's chain asked it before), and the
 * tone at its level once the codec has settled. */
static void
test_same_as_opusdec (void)
{
  g_autoptr (GPtrArray) packets = tone_packets (1);
  GstHarness *a = ours (1);
  GstHarness *b = gst_harness_new_parse ("opusdec ! audioconvert ! audioresample ! "
                                         "capsfilter caps=audio/x-raw,format=S16LE,rate=48000,"
                                         "channels=1,layout=interleaved");
  g_autofree char *caps = g_strdup_printf (OPUS_CAPS, 1);
  g_autoptr (GArray) sa = NULL, sb = NULL;

  gst_harness_set_src_caps_str (b, caps);
  for (guint p = 0; p < packets->len; p++) {
    GstBuffer *buf = g_ptr_array_index (packets, p);
    g_assert_cmpint (gst_harness_push (a, gst_buffer_ref (buf)), ==, GST_FLOW_OK);
    g_assert_cmpint (gst_harness_push (b, gst_buffer_ref (buf)), ==, GST_FLOW_OK);
  }
  gst_harness_push_event (b, gst_event_new_eos ());
  sa = pull_samples (a);
  sb = pull_samples (b);
  g_assert_cmpuint (sa->len, ==, PACKETS * FRAME);
  g_assert_cmpuint (sb->len, ==, sa->len);
  for (guint i = 0; i < sa->len; i++)
    if (g_array_index (sa, gint16, i) != g_array_index (sb, gint16, i))
      g_error ("sample %u: %d, opusdec %d", i, g_array_index (sa, gint16, i),
               g_array_index (sb, gint16, i));
  /* -12 dBFS sine: RMS 8192 / sqrt 2 = 5793; the last half second. */
  double r = rms ((const gint16 *)sa->data + sa->len / 2, sa->len / 2);
  g_assert_cmpfloat (fabs (20 * log10 (r / 5793.0)), <, 1.0);
  gst_harness_teardown (a);
  gst_harness_teardown (b);
}

/* Each packet's timestamp and length, DISCONT kept; the output caps are the mixer's. */
static void
test_timestamps_and_caps (void)
{
  g_autoptr (GPtrArray) packets = tone_packets (1);
  GstHarness *h = ours (1);
  g_autoptr (GstCaps) want = gst_caps_from_string (
      "audio/x-raw, format=S16LE, rate=48000, channels=1, layout=interleaved");
  g_autoptr (GstCaps) got = NULL;

  for (guint p = 0; p < 5; p++) {
    GstBuffer *buf = gst_buffer_copy (g_ptr_array_index (packets, p));
    GST_BUFFER_PTS (buf) = 7 * GST_SECOND + p * 20 * GST_MSECOND + (p == 3 ? GST_SECOND : 0);
    if (p == 3)
      GST_BUFFER_FLAG_SET (buf, GST_BUFFER_FLAG_DISCONT);
    g_assert_cmpint (gst_harness_push (h, buf), ==, GST_FLOW_OK);
    GstBuffer *out = gst_harness_pull (h);
    g_assert_cmpuint (GST_BUFFER_PTS (out), ==,
                      7 * GST_SECOND + p * 20 * GST_MSECOND + (p == 3 ? GST_SECOND : 0));
    g_assert_cmpuint (GST_BUFFER_DURATION (out), ==, 20 * GST_MSECOND);
    g_assert_cmpuint (gst_buffer_get_size (out), ==, FRAME * sizeof (gint16));
    g_assert_cmpint (GST_BUFFER_FLAG_IS_SET (out, GST_BUFFER_FLAG_DISCONT), ==, p == 3);
    gst_buffer_unref (out);
  }
  got = gst_pad_get_current_caps (h->sinkpad);
  g_assert_true (gst_caps_is_equal (got, want));
  gst_harness_teardown (h);
}

/* A lost packet's GAP event reaches the mixer as it is; a packet libopus refuses is dropped
 * and counted, and the next decodes. */
static void
test_gap_and_refused (void)
{
  g_autoptr (GPtrArray) packets = tone_packets (1);
  GstHarness *h = ours (1);
  guint64 refused = kaigi_opus_dec_refused ();
  guint64 refused_metric = metric ("kaigi_mic_packets_refused_total");
  /* TOC code 3 (frame count follows) with a count of 0: invalid. */
  static const guchar bad[] = { 0x03, 0x00, 0x11, 0x22 };
  GstEvent *e;
  gboolean gap = FALSE;

  g_assert_cmpint (gst_harness_push (h, gst_buffer_ref (g_ptr_array_index (packets, 0))), ==,
                   GST_FLOW_OK);
  gst_buffer_unref (gst_harness_pull (h));
  g_assert_true (
      gst_harness_push_event (h, gst_event_new_gap (20 * GST_MSECOND, 20 * GST_MSECOND)));
  while ((e = gst_harness_try_pull_event (h))) {
    if (GST_EVENT_TYPE (e) == GST_EVENT_GAP) {
      GstClockTime ts, dur;
      gst_event_parse_gap (e, &ts, &dur);
      g_assert_cmpuint (ts, ==, 20 * GST_MSECOND);
      g_assert_cmpuint (dur, ==, 20 * GST_MSECOND);
      gap = TRUE;
    }
    gst_event_unref (e);
  }
  g_assert_true (gap);
  g_assert_cmpint (gst_harness_push (h, gst_buffer_new_memdup (bad, sizeof bad)), ==, GST_FLOW_OK);
  g_assert_cmpuint (gst_harness_buffers_in_queue (h), ==, 0);
  g_assert_cmpuint (kaigi_opus_dec_refused (), ==, refused + 1);
  g_assert_cmpuint (metric ("kaigi_mic_packets_refused_total"), ==, refused_metric + 1);
  g_assert_cmpint (gst_harness_push (h, gst_buffer_ref (g_ptr_array_index (packets, 2))), ==,
                   GST_FLOW_OK);
  GstBuffer *out = gst_harness_pull (h);
  g_assert_cmpuint (gst_buffer_get_size (out), ==, FRAME * sizeof (gint16));
  gst_buffer_unref (out);
  gst_harness_teardown (h);
}

/* A stereo stream (a venue's encoder may send one) comes out mono, the tone at its level. */
static void
test_stereo_to_mono (void)
{
  g_autoptr (GPtrArray) packets = tone_packets (2);
  GstHarness *h = ours (2);
  g_autoptr (GArray) s = NULL;

  for (guint p = 0; p < packets->len; p++)
    g_assert_cmpint (gst_harness_push (h, gst_buffer_ref (g_ptr_array_index (packets, p))), ==,
                     GST_FLOW_OK);
  s = pull_samples (h);
  g_assert_cmpuint (s->len, ==, PACKETS * FRAME);
  double r = rms ((const gint16 *)s->data + s->len / 2, s->len / 2);
  g_assert_cmpfloat (fabs (20 * log10 (r / 5793.0)), <, 1.0);
  gst_harness_teardown (h);
}

/* Caps of several streams (mapping family 1) are refused with an error, not decoded wrong. */
static void
test_multistream_refused (void)
{
  GstHarness *h = gst_harness_new ("kaigiopusdec");
  g_autoptr (GstBus) bus = gst_bus_new ();
  g_autoptr (GstMessage) msg = NULL;
  g_autoptr (GstCaps) six
      = gst_caps_from_string ("audio/x-opus, channel-mapping-family=(int)1, channels=(int)6");

  gst_element_set_bus (h->element, bus);
  g_assert_true (gst_pad_push_event (h->srcpad, gst_event_new_stream_start ("six")));
  gst_pad_push_event (h->srcpad, gst_event_new_caps (six)); /* TRUE: stored as sticky */
  msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  g_assert_nonnull (msg);
  /* Nothing of it is decoded: the packet meets caps not taken. */
  GstSegment segment;
  gst_segment_init (&segment, GST_FORMAT_TIME);
  gst_pad_push_event (h->srcpad, gst_event_new_segment (&segment));
  g_assert_cmpint (gst_pad_push (h->srcpad, gst_buffer_new_memdup ("\x78\x01\x02", 3)), ==,
                   GST_FLOW_NOT_NEGOTIATED);
  g_assert_cmpuint (gst_harness_buffers_in_queue (h), ==, 0);
  gst_element_set_bus (h->element, NULL);
  gst_harness_teardown (h);
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  kaigi_opus_dec_register ();
  g_test_add_func ("/opusdec/same-as-opusdec", test_same_as_opusdec);
  g_test_add_func ("/opusdec/timestamps-and-caps", test_timestamps_and_caps);
  g_test_add_func ("/opusdec/gap-and-refused", test_gap_and_refused);
  g_test_add_func ("/opusdec/stereo-to-mono", test_stereo_to_mono);
  g_test_add_func ("/opusdec/multistream-refused", test_multistream_refused);
  return g_test_run ();
}
