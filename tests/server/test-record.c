/* test-record.c: media/record.c in-process. A fake publisher (audiotestsrc ! opusenc and
 * videotestsrc ! vp8enc, payloaded as a browser would) feeds a real participant's receive
 * chains; its recording runs for about 6 s and is closed by the peer's teardown. Then:
 * at least 3 pieces per track, every piece decodes with the right codec and starts on a
 * keyframe (vp8enc makes none by itself here: only the recording's requests cut pieces),
 * the manifest lists them with times, and the total duration is within 1 s of the time
 * recorded. Time going back in the stream (late GAP events, frames from the past) costs
 * frames, not the recording; a stream error in the muxer restarts the track in a new
 * session, five times a minute at most. A test fills a tiny quota (RLIMIT_FSIZE) so filesink fails:
 * the branch goes, the failure is reported, and the publisher's other branches keep flowing. */
#include <gst/gst.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <sys/resource.h>

#include "manifest.h"
#include "metrics.h"
#include "peer-private.h"
#include "piece.h"

#define RECORD_S 6

/* A counter of /metrics as the server renders it (no rooms here). */
static guint64
metric (const char *name)
{
  g_autofree char *text = kaigi_metrics_render (NULL, NULL);
  g_autofree char *key = g_strconcat ("\n", name, " ", NULL);
  const char *at = strstr (text, key);

  g_assert_nonnull (at);
  return g_ascii_strtoull (at + strlen (key), NULL, 10);
}

static void
nop_offer (gpointer user, const char *sdp)
{
}
static void
nop_ice (gpointer user, guint mline, const char *candidate)
{
}
static void
nop_answer (gpointer user, gboolean ok, const char *message)
{
}
static void
nop (gpointer user)
{
}
static void
nop_failed (gpointer user, const char *message)
{
}

static const KaigiPeerEvents events = { nop_offer, nop_ice, nop_answer, nop, nop_failed };

static void
spin (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * G_TIME_SPAN_MILLISECOND;

  while (g_get_monotonic_time () < end)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (2000);
}

/* A source chain feeding @funnel, parsed from @desc (ends in a payloader). */
static GstElement *
feed (KaigiGraph *g, GstElement *funnel, const char *desc)
{
  g_autoptr (GError) error = NULL;
  GstElement *bin = gst_parse_bin_from_description (desc, TRUE, &error);
  g_autoptr (GstPad) src = NULL, sink = NULL;

  g_assert_no_error (error);
  gst_object_ref (bin);
  kaigi_graph_add (g, bin, NULL, NULL);
  src = gst_element_get_static_pad (bin, "src");
  sink = gst_element_request_pad_simple (funnel, "sink_%u");
  g_assert_cmpint (gst_pad_link (src, sink), ==, GST_PAD_LINK_OK);
  gst_element_sync_state_with_parent (bin);
  return bin;
}

typedef struct {
  KaigiGraph *graph;
  KaigiPeer *peer;
  GstElement *audio, *video;
  char *data;
  KaigiManifest *manifest;
  guint failures, resumed;
  char *reason;
} Fixture;

static void
on_failed (gpointer user, const char *who, const char *kind, const char *reason, gboolean resumed)
{
  Fixture *f = user;

  if (resumed)
    f->resumed++;
  else
    f->failures++;
  g_free (f->reason);
  f->reason = g_strdup (reason);
}

static void
setup (Fixture *f)
{
  g_autoptr (GError) error = NULL;
  KaigiPeerOptions opt = { .slots = 1, .jitter_latency_ms = 50, .audio_bitrate = 32000 };
  g_autofree char *dir = NULL;

  f->graph = kaigi_graph_new (&error);
  g_assert_no_error (error);
  f->peer = kaigi_peer_new (f->graph, "p1", &opt, &events, NULL, &error);
  g_assert_no_error (error);
  f->audio = feed (f->graph, f->peer->audio_in,
                   "audiotestsrc is-live=true samplesperbuffer=960 ! opusenc frame-size=20 ! "
                   "rtpopuspay pt=111");
  f->video = feed (f->graph, f->peer->video_in,
                   "videotestsrc is-live=true pattern=ball ! video/x-raw,width=320,height=240,"
                   "framerate=15/1 ! vp8enc deadline=1 keyframe-max-dist=100000 ! "
                   "rtpvp8pay pt=96");
  f->data = g_dir_make_tmp ("kaigi-record-XXXXXX", NULL);
  dir = g_build_filename (f->data, "meetings", "1", NULL);
  g_mkdir_with_parents (dir, 0750);
  f->manifest = kaigi_manifest_open (dir, 1, &error);
  g_assert_no_error (error);
}

static void
teardown (Fixture *f)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_TIME_SPAN_SECOND;

  if (f->peer)
    kaigi_peer_close (f->peer);
  /* Bounded: the peer's teardown and the recordings' last pieces. */
  while ((kaigi_peer_alive_count () > 0 || kaigi_peer_closing_count () > 0)
         && g_get_monotonic_time () < deadline)
    spin (50);
  spin (1000);
  kaigi_graph_remove (f->graph, f->audio);
  kaigi_graph_remove (f->graph, f->video);
  gst_object_unref (f->audio);
  gst_object_unref (f->video);
  kaigi_manifest_unref (f->manifest); /* writes manifest.json */
  kaigi_graph_free (f->graph);
}

static JsonObject *
load_manifest (Fixture *f)
{
  g_autofree char *path = g_build_filename (f->data, "meetings", "1", "manifest.json", NULL);
  g_autoptr (JsonParser) p = json_parser_new ();
  g_autoptr (GError) error = NULL;

  json_parser_load_from_file (p, path, &error);
  g_assert_no_error (error);
  return json_object_ref (json_node_get_object (json_parser_get_root (p)));
}

/* @seconds: the time recorded, or 0 to skip that check. */
static void
check_session (Fixture *f, JsonObject *s, const char *codec, guint seconds)
{
  JsonArray *pieces = json_object_get_array_member (s, "pieces");
  guint n = json_array_get_length (pieces);
  GstClockTime total = 0;
  gint64 media_span;

  g_assert_cmpstr (json_object_get_string_member (s, "codec"), ==, codec);
  g_test_message ("%s: %u pieces", codec, n);
  g_assert_cmpuint (n, >=, 3);
  for (guint i = 0; i < n; i++) {
    JsonObject *p = json_array_get_object_element (pieces, i);
    g_autofree char *path = g_build_filename (f->data, "meetings", "1",
                                              json_object_get_string_member (p, "file"), NULL);
    KaigiPieceInfo info;
    g_autoptr (GError) error = NULL;
    GStatBuf st;

    g_assert_true (kaigi_piece_check (path, &info, &error));
    g_assert_no_error (error);
    g_stat (path, &st);
    g_test_message ("  %s: %s %u frames %.2f s, %ld bytes%s%s", path, info.codec, info.frames,
                    (double)info.duration / GST_SECOND, (long)st.st_size,
                    info.error ? " error: " : "", info.error ? info.error : "");
    g_assert_true (info.complete);
    g_assert_cmpstr (info.codec, ==, codec);
    g_assert_true (json_object_has_member (p, "media_end_us"));
    total += info.duration;
    kaigi_piece_info_clear (&info);
  }
  media_span
      = json_object_get_int_member (json_array_get_object_element (pieces, n - 1), "media_end_us")
        - json_object_get_int_member (json_array_get_object_element (pieces, 0), "media_start_us");
  g_test_message ("%s: decoded %.2f s, manifest span %.2f s", codec, (double)total / GST_SECOND,
                  media_span / 1e6);
  g_assert_cmpfloat (ABS ((double)total / GST_SECOND - media_span / 1e6), <, 1.0);
  if (seconds)
    g_assert_cmpfloat (ABS ((double)total / GST_SECOND - seconds), <, 1.0);
}

static void
test_record_pieces (void)
{
  Fixture f = { 0 };
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) root = NULL;
  JsonArray *sessions;

  guint64 audio0 = metric ("kaigi_recording_bytes_total{kind=\"audio\"}");
  guint64 video0 = metric ("kaigi_recording_bytes_total{kind=\"video\"}");

  setup (&f);
  spin (500); /* the chains run before the recording starts: it joins a live stream */
  g_assert_true (
      kaigi_peer_record_start (f.peer, f.manifest, "r7", "Test Member", on_failed, &f, &error));
  g_assert_no_error (error);
  spin (RECORD_S * 1000);
  teardown (&f);
  root = load_manifest (&f);
  g_assert_true (json_object_get_boolean_member (root, "complete"));
  sessions = json_object_get_array_member (root, "sessions");
  g_assert_cmpuint (json_array_get_length (sessions), ==, 2);
  for (guint i = 0; i < 2; i++) {
    JsonObject *s = json_array_get_object_element (sessions, i);
    g_assert_cmpstr (json_object_get_string_member (s, "who"), ==, "r7");
    g_assert_cmpstr (json_object_get_string_member (s, "name"), ==, "Test Member");
    g_assert_cmpstr (json_object_get_string_member (s, "state"), ==, KAIGI_SESSION_STOPPED);
    check_session (
        &f, s, g_str_equal (json_object_get_string_member (s, "kind"), "audio") ? "opus" : "vp8",
        RECORD_S);
  }
  g_assert_cmpuint (f.failures, ==, 0);
  /* /metrics saw the media go into the recorder: at least a few kB a second of each. */
  g_assert_cmpuint (metric ("kaigi_recording_bytes_total{kind=\"audio\"}") - audio0, >,
                    RECORD_S * 1000);
  g_assert_cmpuint (metric ("kaigi_recording_bytes_total{kind=\"video\"}") - video0, >,
                    RECORD_S * 1000);
  g_free (f.data);
}

static GstPadProbeReturn
count_buffer (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  g_atomic_int_inc ((gint *)user_data);
  return GST_PAD_PROBE_OK;
}

/* Files may not grow past 15 kB (RLIMIT_FSIZE, with SIGXFSZ ignored: write() fails with
 * EFBIG, as it would with ENOSPC on a full disk): an audio piece (20 kB) fails, the video
 * pieces of this small picture (10 kB) do not. */
static void
test_write_error (void)
{
  Fixture f = { 0 };
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) root = NULL;
  struct rlimit old, small = { 15000, 15000 };
  g_autoptr (GstPad) cam = NULL;
  gint frames = 0, before;
  guint64 errors0 = metric ("kaigi_recording_errors_total");

  setup (&f);
  cam = gst_element_get_static_pad (f.peer->audio_tee, "sink");
  gst_pad_add_probe (cam, GST_PAD_PROBE_TYPE_BUFFER, count_buffer, &frames, NULL);
  spin (300);
  getrlimit (RLIMIT_FSIZE, &old);
  signal (SIGXFSZ, SIG_IGN);
  small.rlim_max = old.rlim_max;
  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &small), ==, 0);
  g_assert_true (
      kaigi_peer_record_start (f.peer, f.manifest, "r8", "Full Disk", on_failed, &f, &error));
  for (guint i = 0; i < 100 && !f.failures; i++)
    spin (100);
  g_assert_cmpuint (f.failures, >=, 1);
  g_assert_cmpuint (f.resumed, ==, 0); /* a write error is not retried */
  g_test_message ("failure reported: %s", f.reason);
  g_assert_cmpuint (metric ("kaigi_recording_errors_total") - errors0, >=, 1);
  /* The mic's stream carries on for everyone else: the decoder after the Opus tee runs. */
  before = g_atomic_int_get (&frames);
  spin (1500);
  g_assert_cmpint (g_atomic_int_get (&frames) - before, >=, 30);
  spin (2500);
  teardown (&f);
  setrlimit (RLIMIT_FSIZE, &old);
  root = load_manifest (&f);
  g_assert_false (json_object_get_boolean_member (root, "complete"));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (root, "incomplete")), >=,
                    1);
  for (guint i = 0; i < 2; i++) {
    JsonObject *s
        = json_array_get_object_element (json_object_get_array_member (root, "sessions"), i);
    const char *kind = json_object_get_string_member (s, "kind");
    g_assert_cmpstr (json_object_get_string_member (s, "state"), ==,
                     g_str_equal (kind, "audio") ? KAIGI_SESSION_FAILED : KAIGI_SESSION_STOPPED);
    if (g_str_equal (kind, "video"))
      check_session (&f, s, "vp8", 0);
  }
  g_free (f.reason);
  g_free (f.data);
}

/* The sessions of one kind in the manifest, in order. */
static GPtrArray *
sessions_of (JsonObject *root, const char *kind)
{
  JsonArray *all = json_object_get_array_member (root, "sessions");
  GPtrArray *out = g_ptr_array_new ();

  for (guint i = 0; i < json_array_get_length (all); i++) {
    JsonObject *s = json_array_get_object_element (all, i);
    if (g_str_equal (json_object_get_string_member (s, "kind"), kind))
      g_ptr_array_add (out, s);
  }
  return out;
}

typedef struct {
  gint buffers;
  gint recording, recorded; /* atomic: frames that came while the recording ran */
  GstPad *pad;              /* the opus tee's sink */
} Rewind;

/* Streaming thread (the mic's). Two seconds into the stream, time goes back: a GAP event for
 * a lost packet a second ago, then a single frame a second in the past; from the fourth
 * second on, the whole stream is 150 ms earlier (as when rtpbin shifts it for lip-sync). */
static GstPadProbeReturn
rewind_time (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  Rewind *r = user_data;
  GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER (info);
  gint n = g_atomic_int_add (&r->buffers, 1);

  if (g_atomic_int_get (&r->recording))
    g_atomic_int_inc (&r->recorded);
  if (!GST_BUFFER_PTS_IS_VALID (buf) || GST_BUFFER_PTS (buf) < GST_SECOND)
    return GST_PAD_PROBE_OK;
  if (n == 100 || n == 140)
    gst_pad_send_event (r->pad,
                        gst_event_new_gap (GST_BUFFER_PTS (buf) - GST_SECOND, 20 * GST_MSECOND));
  if (n == 120 || n == 160 || n >= 200) {
    buf = gst_buffer_make_writable (buf);
    GST_BUFFER_PTS (buf) -= n >= 200 ? 150 * GST_MSECOND : GST_SECOND;
    GST_PAD_PROBE_INFO_DATA (info) = buf;
  }
  return GST_PAD_PROBE_OK;
}

/* Time going backwards in the mic's stream (late GAP events, frames from the past) costs no
 * frame: the recording neither fails nor restarts, its pieces decode, and every frame that
 * came while it ran is in them. */
static void
test_time_goes_back (void)
{
  Fixture f = { 0 };
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) root = NULL;
  g_autoptr (GPtrArray) audio = NULL;
  Rewind r = { 0 };

  setup (&f);
  r.pad = gst_element_get_static_pad (f.peer->opus_tee, "sink");
  gst_pad_add_probe (r.pad, GST_PAD_PROBE_TYPE_BUFFER, rewind_time, &r, NULL);
  spin (300);
  g_atomic_int_set (&r.recording, 1);
  g_assert_true (
      kaigi_peer_record_start (f.peer, f.manifest, "r9", "Rewinder", on_failed, &f, &error));
  spin (RECORD_S * 1000);
  g_assert_cmpint (g_atomic_int_get (&r.buffers), >, 250);
  teardown (&f);
  g_atomic_int_set (&r.recording, 0);
  gst_object_unref (r.pad);
  g_assert_cmpuint (f.failures, ==, 0);
  g_assert_cmpuint (f.resumed, ==, 0);
  root = load_manifest (&f);
  audio = sessions_of (root, "audio");
  g_assert_cmpuint (audio->len, ==, 1);
  g_assert_cmpstr (json_object_get_string_member (audio->pdata[0], "state"), ==,
                   KAIGI_SESSION_STOPPED);
  check_session (&f, audio->pdata[0], "opus", RECORD_S);
  {
    JsonArray *pieces = json_object_get_array_member (audio->pdata[0], "pieces");
    guint frames = 0;
    for (guint i = 0; i < json_array_get_length (pieces); i++) {
      g_autofree char *path = g_build_filename (
          f.data, "meetings", "1",
          json_object_get_string_member (json_array_get_object_element (pieces, i), "file"), NULL);
      KaigiPieceInfo info;
      g_assert_true (kaigi_piece_check (path, &info, NULL));
      frames += info.frames;
      kaigi_piece_info_clear (&info);
    }
    /* A frame or two at either end may pass the counter and not the branch's link. */
    g_test_message ("%u frames came while recording, %u recorded",
                    (guint)g_atomic_int_get (&r.recorded), frames);
    g_assert_cmpuint (frames + 3, >=, (guint)g_atomic_int_get (&r.recorded));
  }
  g_free (f.reason);
  g_free (f.data);
}

/* The newest recording splitmuxsink for @kind in the pipeline (the highest serial in its
 * name: a failed one may still be leaving). */
static GstElement *
find_splitmux (Fixture *f, const char *kind)
{
  g_autofree char *part = g_strdup_printf ("-rec-%s-", kind);
  g_autoptr (GstIterator) it = gst_bin_iterate_recurse (GST_BIN (kaigi_graph_pipeline (f->graph)));
  GValue v = G_VALUE_INIT;
  GstElement *found = NULL;
  guint64 best = 0;

  while (gst_iterator_next (it, &v) == GST_ITERATOR_OK) {
    GstElement *e = g_value_get_object (&v);
    const char *name = GST_OBJECT_NAME (e);
    guint64 serial = strstr (name, part) ? g_ascii_strtoull (strrchr (name, '-') + 1, NULL, 10) : 0;
    if (serial && g_str_equal (G_OBJECT_TYPE_NAME (e), "GstSplitMuxSink")
        && (!found || serial > best)) {
      gst_clear_object (&found);
      found = gst_object_ref (e);
      best = serial;
    }
    g_value_reset (&v);
  }
  g_value_unset (&v);
  return found;
}

static void
post_stream_error (GstElement *e)
{
  GError *err = g_error_new_literal (GST_STREAM_ERROR, GST_STREAM_ERROR_FAILED,
                                     "Timestamping error on input streams");

  gst_element_post_message (e, gst_message_new_error (GST_OBJECT (e), err, "test"));
  g_error_free (err);
}

/* A stream error in the muxer (what splitmuxsink says when input time went backwards) ends
 * the session as failed and the track goes on in a new one; five times a minute at most,
 * then the failure is final. */
static void
test_stream_error_restarts (void)
{
  Fixture f = { 0 };
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) root = NULL;
  g_autoptr (GPtrArray) audio = NULL, video = NULL;
  GstElement *mux;

  setup (&f);
  spin (300);
  g_assert_true (
      kaigi_peer_record_start (f.peer, f.manifest, "r5", "Restarted", on_failed, &f, &error));
  spin (2500);
  mux = find_splitmux (&f, "audio");
  g_assert_nonnull (mux);
  post_stream_error (mux);
  gst_object_unref (mux);
  spin (RECORD_S * 1000);
  g_assert_cmpuint (f.resumed, ==, 1);
  g_assert_cmpuint (f.failures, ==, 0);
  g_assert_true (kaigi_peer_recording (f.peer));
  /* Five more in a row: four restarts, then it gives up. */
  for (guint i = 0; i < 5; i++) {
    gint64 deadline = g_get_monotonic_time () + 5 * G_TIME_SPAN_SECOND;
    while (!(mux = find_splitmux (&f, "audio")) && g_get_monotonic_time () < deadline)
      spin (50);
    g_assert_nonnull (mux);
    post_stream_error (mux);
    gst_object_unref (mux);
    spin (600);
  }
  g_assert_cmpuint (f.resumed, ==, 5);
  g_assert_cmpuint (f.failures, ==, 1);
  teardown (&f);
  root = load_manifest (&f);
  audio = sessions_of (root, "audio");
  video = sessions_of (root, "video");
  g_assert_cmpuint (audio->len, ==, 6);
  g_assert_cmpuint (video->len, ==, 1);
  for (guint i = 0; i < audio->len; i++)
    g_assert_cmpstr (json_object_get_string_member (audio->pdata[i], "state"), ==,
                     KAIGI_SESSION_FAILED);
  g_assert_cmpstr (json_object_get_string_member (video->pdata[0], "state"), ==,
                   KAIGI_SESSION_STOPPED);
  /* The session after the first error recorded on for its six seconds, in pieces that
   * decode (its last one cut by the next error: no end time in the manifest). */
  {
    JsonArray *pieces = json_object_get_array_member (audio->pdata[1], "pieces");
    GstClockTime total = 0;
    g_assert_cmpuint (json_array_get_length (pieces), >=, 3);
    for (guint i = 0; i < json_array_get_length (pieces); i++) {
      JsonObject *p = json_array_get_object_element (pieces, i);
      g_autofree char *path = g_build_filename (f.data, "meetings", "1",
                                                json_object_get_string_member (p, "file"), NULL);
      KaigiPieceInfo info;
      g_autoptr (GError) perr = NULL;
      g_assert_true (kaigi_piece_check (path, &info, &perr));
      g_assert_cmpstr (info.codec, ==, "opus");
      total += info.duration;
      kaigi_piece_info_clear (&info);
    }
    g_test_message ("session 2: %.2f s of opus", (double)total / GST_SECOND);
    g_assert_cmpfloat ((double)total / GST_SECOND, >, RECORD_S - 1.0);
  }
  g_free (f.reason);
  g_free (f.data);
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/record/pieces", test_record_pieces);
  g_test_add_func ("/record/write-error", test_write_error);
  g_test_add_func ("/record/time-goes-back", test_time_goes_back);
  g_test_add_func ("/record/stream-error-restarts", test_stream_error_restarts);
  return g_test_run ();
}
