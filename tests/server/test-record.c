/* test-record.c: media/record.c in-process. A fake publisher (audiotestsrc ! opusenc and
 * videotestsrc ! vp8enc, payloaded as a browser would) feeds a real participant's receive
 * chains; its recording runs for about 6 s and is closed by the peer's teardown. Then:
 * at least 3 pieces per track, every piece decodes with the right codec and starts on a
 * keyframe (vp8enc makes none by itself here: only the recording's requests cut pieces),
 * the manifest lists them with times, and the total duration is within 1 s of the time
 * recorded. A second test fills a tiny quota (RLIMIT_FSIZE) so filesink fails: the branch
 * goes, the failure is reported, and the publisher's other branches keep flowing. */
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
  g_autofree char *text = kaigi_metrics_render (NULL);
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
  guint failures;
  char *reason;
} Fixture;

static void
on_failed (gpointer user, const char *who, const char *kind, const char *reason)
{
  Fixture *f = user;

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

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/record/pieces", test_record_pieces);
  g_test_add_func ("/record/write-error", test_write_error);
  return g_test_run ();
}
