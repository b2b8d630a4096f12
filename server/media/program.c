/* program.c: the public program and its gate (program.h).
 *
 *   audio: silence -> caps -> audiomixer -> GATE (zero) -> audioconvert -> tee
 *            [the meeting's total, media/mix.c] -> leaky queue -> audiomixer
 *            tee -> voaacenc -> aacparse -> queue -> hlssink2 (audio)
 *            tee -> queue -> opusenc -> tee [WHEP viewers link here]
 *            tee -> queue -> opusenc -> oggmux -> appsink ~> Icecast pipeline (optional)
 *   video: black -> caps -> compositor (sink_0)
 *          [camera links in] vp8dec -> convert -> scale -> caps -> GATE (drop) -> compositor
 *          compositor -> caps -> textoverlay -> convert -> openh264enc -> h264parse -> tee
 *            tee -> queue -> hlssink2 (video);  tee [WHEP viewers link here]
 *   recording (optional): the AAC (a tee after aacparse) and the H.264 tee -> queues ->
 *            a second hlssink2 that keeps every segment (the meeting's archive)
 *   closed sessions (optional, program-closed.c): the mix and the picture are teed off in
 *            front of the gate (pgm-apre, pgm-vpre) to a recording of what the public would
 *            have seen, encoded only during closed sessions
 *
 * The gate is one atomic flag read by two probes; the slate text and the picture's alpha follow
 * it from the main thread. The decoder ignores decoding errors: an error returned upstream would
 * reach the camera's tee and stop that camera for every participant (ARCHITECTURE.md).
 * Thread: main loop, except the probes. */
#include "program.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>

#include "../peer-private.h"
#include "guard.h"
#include "kaigi-error.h"
#include "program-private.h"

GST_DEBUG_CATEGORY_STATIC (kaigi_program_debug);
#define GST_CAT_DEFAULT kaigi_program_debug

/* The Icecast source connection lives in a pipeline of its own (appsrc ! shout2send), fed
 * with the program's Ogg pages from an appsink: a refused or lost connection is an error
 * there, retried every few seconds, and never a flow error in the program, where it would
 * stop the HLS output too. A new connection starts with the Ogg headers (from the caps), as
 * Icecast needs. */
typedef struct {
  gatomicrefcount ref;
  GstElement *pipeline; /* owned: appsrc ! shout2send */
  GstElement *src;      /* the appsrc */
  char *where;          /* host:port/mount, for the log */
  gint connected;       /* atomic: the pipeline is up; pages are pushed */
  gint need_headers;    /* atomic: push the stream headers before the next page */
  guint bus_watch, retry;
  gboolean stopped;
} Icecast;

struct _KaigiProgram {
  KaigiPeer *peer;      /* owned: closing it removes our elements */
  GstElement *audio_in; /* the queue the meeting's total mix links into (into the mixer) */
  Icecast *icecast;     /* owned, nullable */
  GstElement *opus_tee; /* the gated mix as Opus frames, for WHEP viewers (whep.c) */
  GstElement *h264_tee; /* the program picture as H.264 access units */
  GstElement *h264_enc;
  GstElement *overlay;
  GstPad *picture_pad; /* compositor sink_1, owned ref */
  GstElement *rec;     /* owned ref, nullable: the recording hlssink2 */
  GstPad *rec_pads[2]; /* owned: the tee pads feeding it (audio, video) */
  gint *rec_on;        /* atomic rc box: 1 while recording; the probes hold references */
  gboolean rec_ended;
  KaigiSegmentLog rec_log; /* its segments, told to the options' record_segment */
  GstElement *hls;         /* owned ref: the live hlssink2 */
  void (*live_segment) (gpointer, guint, GstClockTime, GstClockTime);
  gpointer live_user;
  guint live_next;          /* the number of the next live segment */
  GstClockTime live_opened; /* running time the current live segment began */
  gint *gate; /* atomic rc box: 1 open; the probes hold references (they may outlive us) */
  KaigiClosedProgram *closed; /* owned, nullable: the closed sessions' recording */
};

/* Links a request pad of tee @tee to a new request pad of @sink ("sink_%u"), given in @out. */
static gboolean
link_tee (GstElement *tee, GstElement *sink, GstPad **out, GError **error)
{
  g_autoptr (GstPad) s = gst_element_request_pad_simple (tee, "src_%u");
  GstPad *d = gst_element_request_pad_simple (sink, "sink_%u");

  if (!s || !d || gst_pad_link (s, d) != GST_PAD_LINK_OK) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_MEDIA, "program: cannot link %s to %s",
                 GST_ELEMENT_NAME (tee), GST_ELEMENT_NAME (sink));
    g_clear_object (&d);
    return FALSE;
  }
  *out = d;
  return TRUE;
}

/* Main thread (bus): the recording's segments, from its splitmuxsink inside hlssink2. */
static void
on_rec_message (gpointer owner, GstMessage *msg)
{
  kaigi_segment_log_message (msg, "kaigi-program-rec");
}

/* Main thread (bus): the live segments, to mirror in the caption rendition. */
static void
on_live_message (gpointer owner, GstMessage *msg)
{
  const GstStructure *s = gst_message_get_structure (msg);
  GstObject *o = GST_MESSAGE_SRC (msg);
  KaigiProgram *pg = NULL;
  GstClockTime rt = GST_CLOCK_TIME_NONE;

  if (!s)
    return;
  for (; o && !(pg = g_object_get_data (G_OBJECT (o), "kaigi-program-live"));
       o = GST_OBJECT_PARENT (o))
    ;
  if (!pg || !gst_structure_get_clock_time (s, "running-time", &rt))
    return;
  if (gst_structure_has_name (s, "splitmuxsink-fragment-opened"))
    pg->live_opened = rt;
  else if (gst_structure_has_name (s, "splitmuxsink-fragment-closed")
           && GST_CLOCK_TIME_IS_VALID (pg->live_opened)) {
    if (pg->live_segment)
      pg->live_segment (pg->live_user, pg->live_next, pg->live_opened, rt);
    pg->live_next++;
    pg->live_opened = GST_CLOCK_TIME_NONE;
  }
}

/* Streaming threads of the AAC and H.264 tees: nothing reaches the recording outside the
 * meeting (before it opens, after it ends: a room's program runs as long as the room), and
 * its video starts on a keyframe. The video probe's data is the rc box with a second int
 * after it: 1 while a keyframe is awaited. */
static GstPadProbeReturn
rec_filter (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  gint *on = user_data;
  GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER (info);
  gboolean video = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (pad), "kaigi-rec-video"));

  if (!g_atomic_int_get (&on[0])) {
    g_atomic_int_set (&on[1], 1);
    return GST_PAD_PROBE_DROP;
  }
  if (video && g_atomic_int_get (&on[1])) {
    if (GST_BUFFER_FLAG_IS_SET (buf, GST_BUFFER_FLAG_DELTA_UNIT))
      return GST_PAD_PROBE_DROP;
    g_atomic_int_set (&on[1], 0);
  }
  return GST_PAD_PROBE_OK;
}

/* Streaming thread of the mixer: silence unless the gate is open. */
static GstPadProbeReturn
gate_audio (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  gint *gate = user_data;
  GstBuffer *buf;
  GstMapInfo map;

  if (g_atomic_int_get (gate))
    return GST_PAD_PROBE_OK;
  buf = gst_buffer_make_writable (GST_PAD_PROBE_INFO_BUFFER (info));
  if (gst_buffer_map (buf, &map, GST_MAP_WRITE)) {
    memset (map.data, 0, map.size);
    gst_buffer_unmap (buf, &map);
  }
  GST_PAD_PROBE_INFO_DATA (info) = buf;
  return GST_PAD_PROBE_OK;
}

/* Streaming thread of the camera link: no frame passes a shut gate. */
static GstPadProbeReturn
gate_video (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  gint *gate = user_data;

  return g_atomic_int_get (gate) ? GST_PAD_PROBE_OK : GST_PAD_PROBE_DROP;
}

/* ---- Icecast ---- */

#define ICECAST_RETRY_S 5

static Icecast *
icecast_ref (Icecast *ic)
{
  g_atomic_ref_count_inc (&ic->ref);
  return ic;
}

static void
icecast_unref (gpointer data)
{
  Icecast *ic = data;

  if (!g_atomic_ref_count_dec (&ic->ref))
    return;
  gst_object_unref (ic->src);
  gst_object_unref (ic->pipeline);
  g_free (ic->where);
  g_free (ic);
}

static gboolean icecast_start (gpointer data);

/* Main thread (bus watch of the Icecast pipeline). */
static gboolean
icecast_bus (GstBus *bus, GstMessage *msg, gpointer data)
{
  Icecast *ic = data;
  g_autoptr (GError) err = NULL;

  if (GST_MESSAGE_TYPE (msg) != GST_MESSAGE_ERROR || ic->stopped)
    return G_SOURCE_CONTINUE;
  gst_message_parse_error (msg, &err, NULL);
  GST_WARNING ("icecast %s: %s; again in %d s", ic->where, err->message, ICECAST_RETRY_S);
  g_atomic_int_set (&ic->connected, 0);
  gst_element_set_state (ic->pipeline, GST_STATE_NULL);
  if (!ic->retry)
    ic->retry = g_timeout_add_seconds (ICECAST_RETRY_S, icecast_start, ic);
  return G_SOURCE_CONTINUE;
}

/* Main thread. */
static gboolean
icecast_start (gpointer data)
{
  Icecast *ic = data;

  ic->retry = 0;
  g_atomic_int_set (&ic->need_headers, 1);
  if (gst_element_set_state (ic->pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    GST_WARNING ("icecast %s: cannot connect; again in %d s", ic->where, ICECAST_RETRY_S);
    gst_element_set_state (ic->pipeline, GST_STATE_NULL);
    ic->retry = g_timeout_add_seconds (ICECAST_RETRY_S, icecast_start, ic);
    return G_SOURCE_REMOVE;
  }
  g_atomic_int_set (&ic->connected, 1);
  GST_INFO ("icecast %s: sending", ic->where);
  return G_SOURCE_REMOVE;
}

/* Streaming thread of the program's Ogg muxer. */
static GstFlowReturn
icecast_page (GstElement *sink, gpointer data)
{
  Icecast *ic = data;
  g_autoptr (GstSample) sample = NULL;
  GstFlowReturn ret;

  g_signal_emit_by_name (sink, "pull-sample", &sample);
  if (!sample || !g_atomic_int_get (&ic->connected))
    return GST_FLOW_OK;
  if (g_atomic_int_compare_and_exchange (&ic->need_headers, 1, 0)) {
    GstCaps *caps = gst_sample_get_caps (sample);
    const GValue *hdrs
        = caps && gst_caps_get_size (caps)
              ? gst_structure_get_value (gst_caps_get_structure (caps, 0), "streamheader")
              : NULL;
    g_object_set (ic->src, "caps", caps, NULL);
    for (guint i = 0; hdrs && GST_VALUE_HOLDS_ARRAY (hdrs) && i < gst_value_array_get_size (hdrs);
         i++) {
      GstBuffer *h = gst_value_get_buffer (gst_value_array_get_value (hdrs, i));
      g_signal_emit_by_name (ic->src, "push-buffer", h, &ret);
    }
  }
  g_signal_emit_by_name (ic->src, "push-sample", sample, &ret);
  return GST_FLOW_OK; /* whatever became of it: the program goes on */
}

/* @url: http://USER:PASSWORD@HOST:PORT. */
static Icecast *
icecast_new (const char *url, const char *mount, GError **error)
{
  g_autoptr (GUri) uri = g_uri_parse (url, G_URI_FLAGS_HAS_PASSWORD, NULL);
  g_autoptr (GstBus) bus = NULL;
  GstElement *shout;
  Icecast *ic;

  if (!uri || g_strcmp0 (g_uri_get_scheme (uri), "http") != 0 || !g_uri_get_host (uri)
      || g_uri_get_port (uri) <= 0 || !g_uri_get_password (uri)) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_CONFIG,
                 "[public] icecast: '%s' is not http://source:PASSWORD@HOST:PORT", url);
    return NULL;
  }
  ic = g_new0 (Icecast, 1);
  g_atomic_ref_count_init (&ic->ref);
  ic->pipeline = gst_object_ref_sink (gst_pipeline_new ("icecast"));
  ic->src = gst_element_factory_make ("appsrc", NULL);
  shout = gst_element_factory_make ("shout2send", NULL);
  if (!ic->src || !shout) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_MEDIA, "program: no appsrc or shout2send");
    g_clear_object (&shout);
    if (!ic->src)
      ic->src = gst_object_ref_sink (gst_element_factory_make ("fakesrc", NULL));
    icecast_unref (ic);
    return NULL;
  }
  gst_object_ref (ic->src);
  gst_bin_add_many (GST_BIN (ic->pipeline), ic->src, shout, NULL);
  gst_element_link (ic->src, shout);
  /* Live pages; if the connection stalls, the oldest go (about 10 s of audio are kept). */
  g_object_set (ic->src, "is-live", TRUE, "format", GST_FORMAT_TIME, "max-bytes",
                (guint64)128 * 1024, "leaky-type", 2 /* downstream: drop old */, NULL);
  g_object_set (shout, "ip", g_uri_get_host (uri), "port", g_uri_get_port (uri), "password",
                g_uri_get_password (uri), "username",
                g_uri_get_user (uri) ? g_uri_get_user (uri) : "source", "mount", mount, "protocol",
                3 /* http */, "sync", FALSE, "async", FALSE, "streamname", mount, NULL);
  ic->where = g_strdup_printf ("%s:%d%s", g_uri_get_host (uri), g_uri_get_port (uri), mount);
  bus = gst_pipeline_get_bus (GST_PIPELINE (ic->pipeline));
  ic->bus_watch = gst_bus_add_watch (bus, icecast_bus, ic);
  icecast_start (ic);
  return ic;
}

static void
icecast_stop (Icecast *ic)
{
  ic->stopped = TRUE;
  g_atomic_int_set (&ic->connected, 0);
  if (ic->retry)
    g_source_remove (ic->retry);
  g_source_remove (ic->bus_watch);
  gst_element_set_state (ic->pipeline, GST_STATE_NULL);
  icecast_unref (ic);
}

static void
clear_dir (const char *dir)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d && (name = g_dir_read_name (d))) {
    if (g_str_has_suffix (name, ".ts") || g_str_has_suffix (name, ".m3u8")) {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_unlink (path);
    }
  }
}

void
kaigi_program_clear_hls (const char *hls_root)
{
  g_autoptr (GDir) d = g_dir_open (hls_root, 0, NULL);
  const char *name;

  while (d && (name = g_dir_read_name (d))) {
    g_autofree char *dir = g_build_filename (hls_root, name, NULL);
    if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
      continue;
    clear_dir (dir);
    g_rmdir (dir); /* only if nothing else is in it */
  }
}

KaigiProgram *
kaigi_program_new (KaigiGraph *graph, const char *id, const KaigiProgramOptions *o, GError **error)
{
  g_autoptr (GPtrArray) made = g_ptr_array_new_with_free_func (gst_object_unref);
  Maker m = { id, made, error };
  g_autofree char *raw_audio
      = g_strdup ("audio/x-raw,format=S16LE,rate=48000,channels=1,layout=interleaved");
  g_autofree char *raw_video = g_strdup_printf (
      "video/x-raw,format=I420,width=%u,height=%u,pixel-aspect-ratio=1/1", o->width, o->height);
  g_autofree char *raw_rate = g_strdup_printf ("%s,framerate=%u/1", raw_video, o->fps);
  g_autofree char *segments = g_build_filename (o->hls_dir, "segment%05d.ts", NULL);
  g_autofree char *playlist = g_build_filename (o->hls_dir, "index.m3u8", NULL);
  GstElement *a_src, *a_caps, *mixer, *a_in, *a_conv, *a_enc, *a_parse, *a_q;
  GstElement *v_src, *v_caps, *comp, *c_caps, *overlay, *e_conv, *v_enc, *v_parse, *v_q;
  GstElement *dec, *d_conv, *d_scale, *d_caps, *hls;
  GstElement *a_tee, *i_q = NULL, *i_enc = NULL, *i_mux = NULL, *i_sink = NULL;
  GstElement *w_q, *w_enc, *w_tee, *v_tee;
  GstElement *aac_tee, *r_aq = NULL, *r_vq = NULL, *rec = NULL;
  GstElement *a_pre, *v_pre; /* the mix and the picture before the gate */
  KaigiClosedProgram *closed = NULL;
  Icecast *ic = NULL;
  KaigiProgram *pg;
  GstPad *bg_pad = NULL;
  guint64 wait = (guint64)(o->jitter_latency_ms + 60) * GST_MSECOND;

  GST_DEBUG_CATEGORY_INIT (kaigi_program_debug, "kaigi-program", 0, "kaigi public program");
  if (g_mkdir_with_parents (o->hls_dir, 0755) != 0) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_MEDIA, "program: cannot create %s: %s", o->hls_dir,
                 g_strerror (errno));
    return NULL;
  }
  clear_dir (o->hls_dir);

  a_src = make (&m, "audiotestsrc", "pgm-silence");
  a_caps = make_caps (&m, "pgm-acaps", raw_audio);
  mixer = make (&m, "audiomixer", "pgm-mix");
  a_in = make (&m, "queue", "pgm-ain");
  a_conv = make (&m, "audioconvert", "pgm-aconv");
  a_enc = make (&m, "voaacenc", "pgm-aac");
  a_parse = make (&m, "aacparse", "pgm-aacparse");
  a_q = make (&m, "queue", "pgm-aq");
  v_src = make (&m, "videotestsrc", "pgm-slate");
  v_caps = make_caps (&m, "pgm-vcaps", raw_rate);
  comp = make (&m, "compositor", "pgm-comp");
  c_caps = make_caps (&m, "pgm-ccaps", raw_rate);
  overlay = make (&m, "textoverlay", "pgm-text");
  e_conv = make (&m, "videoconvert", "pgm-econv");
  v_enc = make (&m, "openh264enc", "pgm-h264");
  v_parse = make (&m, "h264parse", "pgm-h264parse");
  v_q = make (&m, "queue", "pgm-vq");
  dec = make (&m, "vp8dec", "pgm-vp8dec");
  d_conv = make (&m, "videoconvert", "pgm-dconv");
  d_scale = make (&m, "videoscale", "pgm-dscale");
  d_caps = make_caps (&m, "pgm-dcaps", raw_video);
  hls = make (&m, "hlssink2", "pgm-hls");
  a_tee = make (&m, "tee", "pgm-atee");
  w_q = make (&m, "queue", "pgm-whepq");
  w_enc = make (&m, "opusenc", "pgm-whepopus");
  w_tee = make (&m, "tee", "pgm-wheptee");
  v_tee = make (&m, "tee", "pgm-vtee");
  aac_tee = make (&m, "tee", "pgm-aactee");
  if (o->record_location) {
    r_aq = make (&m, "queue", "pgm-recaq");
    r_vq = make (&m, "queue", "pgm-recvq");
    rec = make (&m, "hlssink2", "pgm-rec"); /* made last: removed first, as hls (below) */
  }
  if (o->icecast) {
    i_q = make (&m, "queue", "pgm-iceq");
    i_enc = make (&m, "opusenc", "pgm-opus");
    i_mux = make (&m, "oggmux", "pgm-ogg");
    i_sink = make (&m, "appsink", "pgm-ice");
  }
  a_pre = make (&m, "tee", "pgm-apre");
  v_pre = make (&m, "tee", "pgm-vpre");
  /* Made last: its hlssink2 leaves first, like the recording's (below). */
  if (!*error && o->closed_location && !(closed = kaigi_closed_program_make (&m, o, raw_rate)))
    return NULL;
  if (*error)
    return NULL;
  if (o->icecast && !(ic = icecast_new (o->icecast, o->icecast_mount, error)))
    return NULL;
  if (ic) {
    kaigi_graph_leaky_queue (i_q, 2 * GST_SECOND);
    g_object_set (i_enc, "bitrate", o->audio_bitrate, NULL);
    g_object_set (i_sink, "emit-signals", TRUE, "sync", FALSE, "async", FALSE, "max-buffers", 64,
                  "drop", TRUE, NULL);
    g_signal_connect_data (i_sink, "new-sample", G_CALLBACK (icecast_page), icecast_ref (ic),
                           (GClosureNotify)(void (*) (void))icecast_unref, 0);
  }

  /* The sound is the meeting's total mix (media/mix.c), mixed once for everyone. It comes in
   * through an audiomixer with a live silent input all the same: the program's picture starts
   * at running time 0 (the compositor's aggregator), the meeting's mixer only when the room
   * is made, and a first HLS segment without sound could leave a player without any. The
   * queue is leaky: the meeting's mixer serves every participant's ear from its thread and
   * must never wait for the program. */
  g_object_set (a_src, "is-live", TRUE, "wave", 4 /* silence */, "samplesperbuffer", 960, NULL);
  g_object_set (mixer, "min-upstream-latency", wait, NULL);
  kaigi_graph_leaky_queue (a_in, GST_SECOND);
  g_object_set (a_enc, "bitrate", o->audio_bitrate, NULL);
  g_object_set (v_src, "is-live", TRUE, "pattern", 2 /* black */, NULL);
  g_object_set (comp, "min-upstream-latency", wait, "background", 1 /* black */, NULL);
  g_object_set (overlay, "font-desc", "Sans 16", "shaded-background", TRUE, "wait-text", FALSE,
                "auto-resize", TRUE, NULL);
  g_object_set (v_enc, "rate-control", 1 /* bitrate */, "bitrate", o->video_bitrate, "gop-size",
                o->fps * o->segment_seconds, "complexity", 0 /* low */, NULL);
  g_object_set (dec, "max-errors", -1, NULL);
  /* hlssink2's splitmuxsink handles its state changes itself (as in record.c). */
  g_object_set (hls, "async-handling", TRUE, NULL);
  g_object_set (hls, "location", segments, "playlist-location", playlist, "target-duration",
                o->segment_seconds, "playlist-length", o->playlist_length, "max-files",
                o->playlist_length * 3, NULL);
  /* Leaky: the mix and the compositor never wait for HLS (their output also feeds WHEP and
   * Icecast). */
  for (GstElement **q = (GstElement *[]){ a_q, v_q, r_aq, r_vq, NULL }; *q; q++)
    kaigi_graph_leaky_queue (*q, 4 * GST_SECOND);
  if (rec) {
    /* Every segment kept, all in the playlist: the archive plays it as a recording. */
    g_object_set (rec, "async-handling", TRUE, "location", o->record_location, "playlist-location",
                  o->record_playlist, "target-duration", o->segment_seconds, "playlist-length", 0,
                  "max-files", 0, NULL);
    kaigi_graph_watch_messages (rec, on_rec_message);
  }

  /* The peer removes its elements in this order when the program ends: hlssink2 first. Its
   * splitmuxsink holds each stream until the other catches up; with the sources stopped first,
   * the queues feeding it can never stop their threads (seen: shutdown hung in
   * gst_pad_stop_task of the audio queue). */
  for (guint i = 0; i < made->len / 2; i++) {
    gpointer t = made->pdata[i];
    made->pdata[i] = made->pdata[made->len - 1 - i];
    made->pdata[made->len - 1 - i] = t;
  }
  pg = g_new0 (KaigiProgram, 1);
  pg->gate = g_atomic_rc_box_new0 (gint);
  pg->icecast = ic;
  pg->opus_tee = w_tee;
  pg->h264_tee = v_tee;
  pg->h264_enc = v_enc;
  /* WHEP branches: viewers come and go on these tees (whep.c); the Opus encoder never waits
   * for them (leaky queue), and nobody linked is no error. */
  kaigi_graph_leaky_queue (w_q, GST_SECOND);
  g_object_set (w_enc, "bitrate", 48000, "frame-size", 20, NULL);
  g_object_set (w_tee, "allow-not-linked", TRUE, NULL);
  g_object_set (v_tee, "allow-not-linked", TRUE, NULL);
  pg->peer = kaigi_peer_new_local (graph, id, 1, o->jitter_latency_ms, made, NULL, &dec);
  pg->audio_in = a_in;
  pg->overlay = overlay;
  pg->closed = closed;
  if (!link_many (error, a_src, a_caps, mixer, a_pre, a_conv, a_tee, a_enc, a_parse, aac_tee, a_q,
                  NULL)
      || !link_request (a_in, mixer, "sink_%u", NULL, error)
      || (rec
          && (!link_many (error, aac_tee, r_aq, NULL) || !link_many (error, v_tee, r_vq, NULL)
              || !link_request (r_aq, rec, "audio", NULL, error)
              || !link_request (r_vq, rec, "video", NULL, error)))
      || !link_many (error, a_tee, w_q, w_enc, w_tee, NULL)
      || (i_q && !link_many (error, a_tee, i_q, i_enc, i_mux, i_sink, NULL))
      || !link_request (a_q, hls, "audio", NULL, error) || !link_many (error, v_src, v_caps, NULL)
      || !link_request (v_caps, comp, "sink_%u", &bg_pad, error)
      || !link_many (error, dec, d_conv, d_scale, d_caps, v_pre, NULL)
      || !link_tee (v_pre, comp, &pg->picture_pad, error)
      || (closed
          && !kaigi_closed_program_link (closed, a_pre, v_pre, o->jitter_latency_ms, pg->peer,
                                         error))
      || !link_many (error, comp, c_caps, overlay, e_conv, v_enc, v_parse, v_tee, v_q, NULL)
      || !link_request (v_q, hls, "video", NULL, error)) {
    g_clear_object (&bg_pad);
    kaigi_program_free (pg);
    return NULL;
  }
  g_object_set (bg_pad, "zorder", 0, NULL);
  /* An output that fails (HLS on a full disk, say) stops itself, not the program: neither
   * its other outputs nor, through the mixer, the participants feeding it. */
  {
    GstElement *branches[] = { a_enc, a_q, w_q, v_q, i_q, r_aq, r_vq }; /* the last 3 optional */
    for (guint i = 0; i < G_N_ELEMENTS (branches); i++) {
      g_autoptr (GstPad) pad
          = branches[i] ? gst_element_get_static_pad (branches[i], "sink") : NULL;
      if (pad)
        kaigi_guard_pad (pad, GST_OBJECT_NAME (branches[i]));
    }
  }
  if (rec) {
    GstElement *qs[2] = { r_aq, r_vq };
    pg->rec_on = g_atomic_rc_box_alloc0 (2 * sizeof (gint));
    pg->rec_on[1] = 1;
    for (guint i = 0; i < 2; i++) {
      g_autoptr (GstPad) sink = gst_element_get_static_pad (qs[i], "sink");
      pg->rec_pads[i] = gst_pad_get_peer (sink);
      g_object_set_data (G_OBJECT (pg->rec_pads[i]), "kaigi-rec-video", GINT_TO_POINTER (i == 1));
      gst_pad_add_probe (pg->rec_pads[i], GST_PAD_PROBE_TYPE_BUFFER, rec_filter,
                         g_atomic_rc_box_acquire (pg->rec_on),
                         (GDestroyNotify)g_atomic_rc_box_release);
    }
    pg->rec = gst_object_ref (rec);
    pg->rec_log.pattern = g_strdup (o->record_location);
    pg->rec_log.segment = o->record_segment;
    pg->rec_log.user = o->record_user;
    g_object_set_data (G_OBJECT (rec), "kaigi-program-rec", &pg->rec_log);
  }
  pg->hls = gst_object_ref (hls);
  pg->live_segment = o->live_segment;
  pg->live_user = o->live_user;
  pg->live_opened = GST_CLOCK_TIME_NONE;
  g_object_set_data (G_OBJECT (hls), "kaigi-program-live", pg);
  kaigi_graph_watch_messages (hls, on_live_message);
  g_object_set (pg->picture_pad, "zorder", 1, "alpha", 0.0, NULL);
  gst_object_unref (bg_pad);
  /* The camera link answers for its latency before any camera is linked (chains.c). */
  gst_pad_add_probe (pg->picture_pad, GST_PAD_PROBE_TYPE_QUERY_UPSTREAM,
                     kaigi_peer_answer_mic_latency, pg->peer, NULL);
  gst_pad_add_probe (pg->picture_pad, GST_PAD_PROBE_TYPE_BUFFER, gate_video,
                     g_atomic_rc_box_acquire (pg->gate), (GDestroyNotify)g_atomic_rc_box_release);
  {
    /* On the mix's way to the public outputs, after the closed-session recording's tee pad. */
    g_autoptr (GstPad) conv = gst_element_get_static_pad (a_conv, "sink");
    g_autoptr (GstPad) to_public = gst_pad_get_peer (conv);
    gst_pad_add_probe (to_public, GST_PAD_PROBE_TYPE_BUFFER, gate_audio,
                       g_atomic_rc_box_acquire (pg->gate), (GDestroyNotify)g_atomic_rc_box_release);
  }
  kaigi_program_shut (pg, NULL);
  /* Downstream first, as for a participant (peer.c). */
  for (guint i = 0; i < made->len; i++)
    gst_element_sync_state_with_parent (g_ptr_array_index (made, i));
  GST_INFO ("program %s: HLS in %s", id, o->hls_dir);
  return pg;
}

void
kaigi_program_free (KaigiProgram *pg)
{
  if (!pg)
    return;
  /* Shut: whatever still flows until the peer's teardown removes the elements is gated. */
  g_atomic_int_set (pg->gate, 0);
  g_clear_pointer (&pg->closed, kaigi_closed_program_free);
  if (pg->icecast)
    icecast_stop (pg->icecast);
  if (pg->rec) /* its last messages come after us */
    g_object_set_data (G_OBJECT (pg->rec), "kaigi-program-rec", NULL);
  g_object_set_data (G_OBJECT (pg->hls), "kaigi-program-live", NULL);
  g_clear_object (&pg->hls);
  g_clear_object (&pg->rec);
  for (guint i = 0; i < 2; i++)
    g_clear_object (&pg->rec_pads[i]);
  g_clear_pointer (&pg->rec_on, g_atomic_rc_box_release);
  kaigi_segment_log_clear (&pg->rec_log);
  kaigi_peer_close (pg->peer);
  g_clear_object (&pg->picture_pad);
  g_atomic_rc_box_release (pg->gate);
  g_free (pg);
}

KaigiPeer *
kaigi_program_peer (KaigiProgram *pg)
{
  return pg->peer;
}

GstPad *
kaigi_program_audio_sink (KaigiProgram *pg)
{
  return gst_element_get_static_pad (pg->audio_in, "sink");
}

void
kaigi_program_open (KaigiProgram *pg, const char *caption)
{
  g_object_set (pg->overlay, "text", caption ? caption : "", "valignment", 1 /* bottom */,
                "halignment", 0 /* left */, "font-desc", "Sans 16", NULL);
  g_object_set (pg->picture_pad, "alpha", 1.0, NULL);
  g_atomic_int_set (pg->gate, 1);
}

void
kaigi_program_shut (KaigiProgram *pg, const char *slate)
{
  g_atomic_int_set (pg->gate, 0);
  g_object_set (pg->picture_pad, "alpha", 0.0, NULL);
  g_object_set (pg->overlay, "text", slate ? slate : "", "valignment", 4 /* center */, "halignment",
                1 /* center */, "font-desc", "Sans 22", NULL);
}

gboolean
kaigi_program_is_open (KaigiProgram *pg)
{
  return g_atomic_int_get (pg->gate);
}

/* Whichever thread holds the tee pad, or the caller's if it is idle: the recording's branch
 * leaves its tee, then gets EOS. Never EOS through the tee: a tee that hears EOS from one
 * branch stops feeding the others, and returns it to the encoder (the live program). */
static GstPadProbeReturn
rec_detach (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  GstPad *sink = gst_pad_get_peer (pad);

  if (sink) {
    gst_pad_unlink (pad, sink);
    gst_pad_send_event (sink, gst_event_new_eos ());
    gst_object_unref (sink);
  }
  return GST_PAD_PROBE_REMOVE;
}

void
kaigi_program_record (KaigiProgram *pg, gboolean on)
{
  if (!pg->rec || pg->rec_ended || g_atomic_int_get (&pg->rec_on[0]) == on)
    return;
  g_atomic_int_set (&pg->rec_on[0], on);
  if (on)
    kaigi_program_request_keyframe (pg);
  else {
    /* The end: the last segment closes and the playlist gets its end. The tee pads stay,
     * unlinked (a tee skips those), until the program goes. */
    pg->rec_ended = TRUE;
    for (guint i = 0; i < 2; i++)
      gst_pad_add_probe (pg->rec_pads[i], GST_PAD_PROBE_TYPE_IDLE, rec_detach, NULL, NULL);
  }
}

GstElement *
kaigi_program_opus_tee (KaigiProgram *pg)
{
  return pg->opus_tee;
}

GstElement *
kaigi_program_h264_tee (KaigiProgram *pg)
{
  return pg->h264_tee;
}

/* Any thread. A new WHEP viewer can start on a keyframe instead of waiting up to a GOP. */
void
kaigi_program_request_keyframe (KaigiProgram *pg)
{
  g_autoptr (GstPad) src = gst_element_get_static_pad (pg->h264_enc, "src");
  GstEvent *e = gst_event_new_custom (
      GST_EVENT_CUSTOM_UPSTREAM,
      gst_structure_new ("GstForceKeyUnit", "all-headers", G_TYPE_BOOLEAN, TRUE, NULL));

  gst_pad_send_event (src, e);
}

void
kaigi_program_closed_session (KaigiProgram *pg, gboolean on, const char *caption)
{
  if (pg->closed)
    kaigi_closed_program_set (pg->closed, on, caption);
}
