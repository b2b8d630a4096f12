/* program.c: the public program and its gate (program.h).
 *
 *   silence -> caps -> audiomixer [mics link in] -> GATE(zero) -> audioconvert -> voaacenc
 *           -> aacparse -> queue -> hlssink2.audio
 *   black slate -> caps -> compositor.sink_0
 *   [camera links in] vp8dec -> videoconvert -> videoscale -> caps -> GATE(drop) ->
 * compositor.sink_1 compositor -> caps -> textoverlay -> videoconvert -> openh264enc -> h264parse
 * -> queue
 *           -> hlssink2.video
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
#include "kaigi-error.h"

GST_DEBUG_CATEGORY_STATIC (kaigi_program_debug);
#define GST_CAT_DEFAULT kaigi_program_debug

struct _KaigiProgram {
  KaigiPeer *peer; /* owned: closing it removes our elements */
  GstElement *overlay;
  GstPad *picture_pad; /* compositor sink_1, owned ref */
  gint *gate;          /* atomic rc box: 1 open; the probes hold references (they may outlive us) */
};

typedef struct {
  const char *id;
  GPtrArray *made; /* owned refs */
  GError **error;
} Maker;

static GstElement *
make (Maker *m, const char *factory, const char *role)
{
  g_autofree char *name = g_strdup_printf ("%s-%s", m->id, role);
  GstElement *e;

  if (*m->error)
    return NULL;
  e = kaigi_graph_make (factory, name, m->error);
  if (e)
    g_ptr_array_add (m->made, gst_object_ref_sink (e));
  return e;
}

static GstElement *
make_caps (Maker *m, const char *role, const char *caps)
{
  GstElement *e = make (m, "capsfilter", role);
  g_autoptr (GstCaps) c = gst_caps_from_string (caps);

  if (e)
    g_object_set (e, "caps", c, NULL);
  return e;
}

static gboolean
link_many (GError **error, GstElement *first, ...)
{
  va_list ap;
  GstElement *prev = first, *next;
  gboolean ok = TRUE;

  va_start (ap, first);
  while (ok && (next = va_arg (ap, GstElement *))) {
    if (!gst_element_link (prev, next)) {
      g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_MEDIA, "program: cannot link %s to %s",
                   GST_ELEMENT_NAME (prev), GST_ELEMENT_NAME (next));
      ok = FALSE;
    }
    prev = next;
  }
  va_end (ap);
  return ok;
}

static gboolean
link_request (GstElement *src, GstElement *sink, const char *templ, GstPad **out, GError **error)
{
  g_autoptr (GstPad) s = gst_element_get_static_pad (src, "src");
  GstPad *d = gst_element_request_pad_simple (sink, templ);

  if (!d || gst_pad_link (s, d) != GST_PAD_LINK_OK) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_MEDIA, "program: cannot link %s to %s",
                 GST_ELEMENT_NAME (src), GST_ELEMENT_NAME (sink));
    g_clear_object (&d);
    return FALSE;
  }
  if (out)
    *out = d;
  else
    gst_object_unref (d);
  return TRUE;
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
  GstElement *a_src, *a_caps, *mixer, *a_conv, *a_enc, *a_parse, *a_q;
  GstElement *v_src, *v_caps, *comp, *c_caps, *overlay, *e_conv, *v_enc, *v_parse, *v_q;
  GstElement *dec, *d_conv, *d_scale, *d_caps, *hls;
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
  if (*error)
    return NULL;

  g_object_set (a_src, "is-live", TRUE, "wave", 4 /* silence */, "samplesperbuffer", 960, NULL);
  /* Mics arrive a jitterbuffer later than the silent input (as in every participant's mix). */
  g_object_set (mixer, "min-upstream-latency", wait, NULL);
  g_object_set (a_enc, "bitrate", o->audio_bitrate, NULL);
  g_object_set (v_src, "is-live", TRUE, "pattern", 2 /* black */, NULL);
  g_object_set (comp, "min-upstream-latency", wait, "background", 1 /* black */, NULL);
  g_object_set (overlay, "font-desc", "Sans 16", "shaded-background", TRUE, "wait-text", FALSE,
                "auto-resize", TRUE, NULL);
  g_object_set (v_enc, "rate-control", 1 /* bitrate */, "bitrate", o->video_bitrate, "gop-size",
                o->fps * o->segment_seconds, "complexity", 0 /* low */, NULL);
  g_object_set (dec, "max-errors", -1, NULL);
  g_object_set (hls, "location", segments, "playlist-location", playlist, "target-duration",
                o->segment_seconds, "playlist-length", o->playlist_length, "max-files",
                o->playlist_length * 3, NULL);
  for (guint i = 0; i < 2; i++)
    g_object_set (i ? v_q : a_q, "max-size-time", (guint64)4 * GST_SECOND, "max-size-buffers", 0,
                  "max-size-bytes", 0, NULL);

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
  pg->peer = kaigi_peer_new_local (graph, id, 1, o->jitter_latency_ms, made, mixer, &dec);
  pg->overlay = overlay;
  if (!link_many (error, a_src, a_caps, mixer, a_conv, a_enc, a_parse, a_q, NULL)
      || !link_request (a_q, hls, "audio", NULL, error) || !link_many (error, v_src, v_caps, NULL)
      || !link_request (v_caps, comp, "sink_%u", &bg_pad, error)
      || !link_many (error, dec, d_conv, d_scale, d_caps, NULL)
      || !link_request (d_caps, comp, "sink_%u", &pg->picture_pad, error)
      || !link_many (error, comp, c_caps, overlay, e_conv, v_enc, v_parse, v_q, NULL)
      || !link_request (v_q, hls, "video", NULL, error)) {
    g_clear_object (&bg_pad);
    kaigi_program_free (pg);
    return NULL;
  }
  g_object_set (bg_pad, "zorder", 0, NULL);
  g_object_set (pg->picture_pad, "zorder", 1, "alpha", 0.0, NULL);
  gst_object_unref (bg_pad);
  /* The camera link answers for its latency before any camera is linked (chains.c). */
  gst_pad_add_probe (pg->picture_pad, GST_PAD_PROBE_TYPE_QUERY_UPSTREAM,
                     kaigi_peer_answer_mic_latency, pg->peer, NULL);
  gst_pad_add_probe (pg->picture_pad, GST_PAD_PROBE_TYPE_BUFFER, gate_video,
                     g_atomic_rc_box_acquire (pg->gate), (GDestroyNotify)g_atomic_rc_box_release);
  {
    g_autoptr (GstPad) mixsrc = gst_element_get_static_pad (mixer, "src");
    gst_pad_add_probe (mixsrc, GST_PAD_PROBE_TYPE_BUFFER, gate_audio,
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
