/* piece.c: see piece.h. Each check is a small pipeline of its own,
 *   filesrc ! matroskademux ! (opusdec | vp8dec) ! fakesink
 * and a remux is
 *   filesrc ! matroskademux ! webmmux ! filesink
 * both run to EOS or error with a bounded wait. Thread: the caller's; pad-added and the
 * probes run on the demuxer's streaming thread and touch only the Run they are given. */
#include "piece.h"

#include <string.h>

#include "kaigi-error.h"

GST_DEBUG_CATEGORY_STATIC (kaigi_piece_debug);
#define GST_CAT_DEFAULT kaigi_piece_debug

/* A 2 s piece decodes in well under a second; a broken one must not hang the CLI. */
#define RUN_TIMEOUT (60 * GST_SECOND)

typedef struct {
  GstElement *pipeline; /* owned */
  GstElement *mux;      /* remux only: the muxer, not owned */
  KaigiPieceInfo *info; /* check only */
  GMutex lock;
  guint frames; /* under lock */
  GstClockTime first, end;
  char *codec;
} Run;

static void
init_debug (void)
{
  static gsize once;

  if (g_once_init_enter (&once)) {
    GST_DEBUG_CATEGORY_INIT (kaigi_piece_debug, "kaigi-piece", 0, "kaigi recorded pieces");
    g_once_init_leave (&once, 1);
  }
}

void
kaigi_piece_info_clear (KaigiPieceInfo *info)
{
  g_clear_pointer (&info->codec, g_free);
  g_clear_pointer (&info->error, g_free);
}

/* Streaming thread: every decoded (or remuxed) frame. */
static GstPadProbeReturn
count_frame (GstPad *pad, GstPadProbeInfo *pinfo, gpointer user_data)
{
  Run *r = user_data;
  GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER (pinfo);
  GstClockTime pts = GST_BUFFER_PTS (buf), dur = GST_BUFFER_DURATION (buf);

  g_mutex_lock (&r->lock);
  r->frames++;
  if (GST_CLOCK_TIME_IS_VALID (pts)) {
    if (!GST_CLOCK_TIME_IS_VALID (r->first) || pts < r->first)
      r->first = pts;
    pts += GST_CLOCK_TIME_IS_VALID (dur) ? dur : 0;
    if (!GST_CLOCK_TIME_IS_VALID (r->end) || pts > r->end)
      r->end = pts;
  }
  g_mutex_unlock (&r->lock);
  return GST_PAD_PROBE_OK;
}

static const char *
codec_of (GstCaps *caps, const char **decoder)
{
  const char *name = gst_structure_get_name (gst_caps_get_structure (caps, 0));

  if (g_str_equal (name, "audio/x-opus"))
    return *decoder = "opusdec", "opus";
  if (g_str_equal (name, "video/x-vp8"))
    return *decoder = "vp8dec", "vp8";
  return *decoder = NULL, NULL;
}

/* Streaming thread (the demuxer's). */
static void
on_pad_added (GstElement *demux, GstPad *pad, Run *r)
{
  g_autoptr (GstCaps) caps = gst_pad_get_current_caps (pad);
  const char *decoder = NULL, *codec = caps ? codec_of (caps, &decoder) : NULL;
  GstElement *next, *sink = NULL;
  g_autoptr (GstPad) in = NULL;

  if (!codec || r->codec)
    return; /* an unknown or a second track: left unlinked, which fails the run */
  r->codec = g_strdup (codec);
  if (r->mux) {
    next = r->mux;
    in = gst_element_request_pad_simple (next,
                                         g_str_equal (codec, "vp8") ? "video_%u" : "audio_%u");
  } else {
    next = gst_element_factory_make (decoder, NULL);
    sink = gst_element_factory_make ("fakesink", NULL);
    g_object_set (sink, "sync", FALSE, NULL);
    gst_bin_add_many (GST_BIN (r->pipeline), next, sink, NULL);
    gst_element_link (next, sink);
    gst_element_sync_state_with_parent (sink);
    gst_element_sync_state_with_parent (next);
    in = gst_element_get_static_pad (next, "sink");
  }
  if (r->mux) {
    gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, count_frame, r, NULL);
  } else {
    g_autoptr (GstPad) out = gst_element_get_static_pad (next, "src");
    gst_pad_add_probe (out, GST_PAD_PROBE_TYPE_BUFFER, count_frame, r, NULL);
  }
  gst_pad_link (pad, in);
}

/* Runs @r->pipeline to EOS or error; returns the first error's text or NULL. */
static char *
run (Run *r)
{
  g_autoptr (GstBus) bus = gst_element_get_bus (r->pipeline);
  g_autoptr (GstMessage) msg = NULL;
  char *err = NULL;

  if (gst_element_set_state (r->pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
    err = g_strdup ("the pipeline did not start");
  if (!err)
    msg = gst_bus_timed_pop_filtered (bus, RUN_TIMEOUT, GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  if (!err && !msg)
    err = g_strdup ("timed out");
  else if (msg && GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR) {
    g_autoptr (GError) e = NULL;
    gst_message_parse_error (msg, &e, NULL);
    err = g_strdup (e->message);
    if (r->mux) {
      /* A remux of a cut piece: the demuxer stopped at the cut; end the output properly
       * (cues, duration) with what it got. */
      g_autoptr (GstMessage) eos = NULL;
      gst_element_send_event (r->mux, gst_event_new_eos ());
      eos = gst_bus_timed_pop_filtered (bus, 5 * GST_SECOND, GST_MESSAGE_EOS);
    }
  }
  gst_element_set_state (r->pipeline, GST_STATE_NULL);
  return err;
}

static gboolean
build (Run *r, const char *path, const char *out, GError **error)
{
  GstElement *src = gst_element_factory_make ("filesrc", NULL);
  GstElement *demux = gst_element_factory_make ("matroskademux", NULL);

  r->pipeline = gst_pipeline_new ("kaigi-piece");
  r->first = r->end = GST_CLOCK_TIME_NONE;
  if (!src || !demux) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_MEDIA,
                 "GStreamer's filesrc or matroskademux is missing");
    return FALSE;
  }
  g_object_set (src, "location", path, NULL);
  gst_bin_add_many (GST_BIN (r->pipeline), src, demux, NULL);
  gst_element_link (src, demux);
  if (out) {
    GstElement *sink = gst_element_factory_make ("filesink", NULL);
    r->mux = gst_element_factory_make ("webmmux", NULL);
    g_object_set (sink, "location", out, NULL);
    gst_bin_add_many (GST_BIN (r->pipeline), r->mux, sink, NULL);
    gst_element_link (r->mux, sink);
  }
  g_signal_connect (demux, "pad-added", G_CALLBACK (on_pad_added), r);
  /* No more pads and nothing linked: an empty or non-WebM file; say so instead of hanging. */
  return TRUE;
}

static void
run_clear (Run *r)
{
  g_clear_object (&r->pipeline);
  g_free (r->codec);
  g_mutex_clear (&r->lock);
}

gboolean
kaigi_piece_check (const char *path, KaigiPieceInfo *info, GError **error)
{
  Run r = { 0 };

  init_debug ();
  memset (info, 0, sizeof *info);
  g_mutex_init (&r.lock);
  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR)) {
    info->error = g_strdup ("missing");
    info->first = info->end = GST_CLOCK_TIME_NONE;
    run_clear (&r);
    return TRUE;
  }
  if (!build (&r, path, NULL, error)) {
    run_clear (&r);
    return FALSE;
  }
  info->error = run (&r);
  info->complete = info->error == NULL;
  info->codec = g_steal_pointer (&r.codec);
  info->frames = r.frames;
  info->first = r.first;
  info->end = r.end;
  info->duration = GST_CLOCK_TIME_IS_VALID (r.first) ? r.end - r.first : 0;
  if (!info->codec && !info->error)
    info->error = g_strdup ("no Opus or VP8 track");
  if (info->error)
    info->complete = FALSE;
  run_clear (&r);
  return TRUE;
}

gint
kaigi_piece_remux (const char *in, const char *out, GError **error)
{
  Run r = { 0 };
  g_autofree char *err = NULL;
  gint frames;

  init_debug ();
  g_mutex_init (&r.lock);
  if (!build (&r, in, out, error)) {
    run_clear (&r);
    return -1;
  }
  err = run (&r);
  frames = r.frames;
  /* A cut file ends in an error: what came before it is written and the muxer finalised on
   * state change; that is the point of the remux. */
  if (err)
    GST_INFO ("remux of %s ended with: %s (%d frames kept)", in, err, frames);
  run_clear (&r);
  return frames;
}
