/* chains.c: the GStreamer elements of one participant, around their webrtcbin.
 *
 *   mic   webrtcbin src(m0) -> funnel -> rtpopusdepay -> tee -> kaigiopusdec -> tee
 *         (the first tee carries Opus frames to the recording, media/record.c)
 *         (and, for the minutes, to the speech detector: media/listen.c)
 *   cam   webrtcbin src(m1) -> funnel -> rtpvp8depay -> tee
 *         (a WHIP ingest: rtpvp8depay -> funnel -> tee, and H.264 -> funnel -> rtph264depay ->
 *         h264parse -> openh264dec -> videoconvert -> vp8enc -> that funnel)
 *   ear   (the meeting mixer's src_N, media/mix.c) -> kaigiopusear -> rtpopuspay -> sink_0
 *   slot  (a publisher's cam tee, forward.c) -> rtpvp8pay (fixed SSRC) -> sink_(1+slot)
 *
 * The tees are where the meeting's mixer (the decoded mic), other participants' slots
 * (forward.c) and recordings (record.c) attach.
 * Everything is made and linked while still in NULL; peer.c brings it up, webrtcbin first. Thread:
 * main loop, except kaigi_chains_for_pad and the probes (streaming threads). */
#include "../peer-private.h"

#include "kaigi-error.h"
#include "opusdec.h"
#include "opusear.h"

GST_DEBUG_CATEGORY_STATIC (kaigi_chains_debug);
#define GST_CAT_DEFAULT kaigi_chains_debug

/* Makes an element of ours and puts it in the graph (still NULL, unlinked). */
static GstElement *
add (KaigiPeer *p, const char *factory, const char *role, GError **error)
{
  g_autofree char *name = g_strdup_printf ("%s-%s", p->id, role);
  GstElement *e = kaigi_graph_make (factory, name, error);

  if (!e)
    return NULL;
  g_ptr_array_add (p->elements, gst_object_ref (e));
  kaigi_graph_add (p->graph, e, p, kaigi_peer_element_error);
  return e;
}

/* Makes the elements of @factories ("a", "b", NULL) and links them in a row. */
static GstElement *
add_chain (KaigiPeer *p, const char *role, const char *const *factories, GstElement **last,
           GError **error)
{
  GstElement *first = NULL, *prev = NULL;

  for (guint i = 0; factories[i]; i++) {
    g_autofree char *r = g_strdup_printf ("%s%u", role, i);
    GstElement *e = add (p, factories[i], r, error);
    if (!e)
      return NULL;
    if (prev && !gst_element_link (prev, e)) {
      g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_MEDIA, "cannot link %s to %s",
                   GST_ELEMENT_NAME (prev), GST_ELEMENT_NAME (e));
      return NULL;
    }
    first = first ? first : e;
    prev = e;
  }
  *last = prev;
  return first;
}

static gboolean
link_to_pad (GstElement *src, GstPad *sink, GError **error)
{
  g_autoptr (GstPad) srcpad = gst_element_get_static_pad (src, "src");

  if (gst_pad_link (srcpad, sink) != GST_PAD_LINK_OK) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_MEDIA, "cannot link %s to %s",
                 GST_ELEMENT_NAME (src), GST_PAD_NAME (sink));
    return FALSE;
  }
  return TRUE;
}

/* A publisher's EOS must not reach its subscribers (ARCHITECTURE.md, tee traps). */
static GstPadProbeReturn
drop_eos (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  return GST_EVENT_TYPE (GST_PAD_PROBE_INFO_EVENT (info)) == GST_EVENT_EOS ? GST_PAD_PROBE_DROP
                                                                           : GST_PAD_PROBE_OK;
}

static GstElement *
make_tee (KaigiPeer *p, const char *role, GError **error)
{
  GstElement *tee = add (p, "tee", role, error);
  g_autoptr (GstPad) sink = NULL;

  if (!tee)
    return NULL;
  g_object_set (tee, "allow-not-linked", TRUE, NULL);
  sink = gst_element_get_static_pad (tee, "sink");
  gst_pad_add_probe (sink, GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM, drop_eos, NULL, NULL);
  return tee;
}

/* A mixer input's latency is known: it is a live stream out of a jitterbuffer. Asking
 * upstream fails while a browser's mic stream has not arrived yet (the chain has no
 * upstream before pad-added), and one failed answer makes the mixer give up live timing and
 * wait for data on every pad. So the mixer's pads answer for themselves. Any thread. */
GstPadProbeReturn
kaigi_peer_answer_mic_latency (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  KaigiPeer *p = user_data;
  GstQuery *q = GST_PAD_PROBE_INFO_QUERY (info);

  if (GST_QUERY_TYPE (q) != GST_QUERY_LATENCY)
    return GST_PAD_PROBE_OK;
  gst_query_set_latency (q, TRUE, p->opt.jitter_latency_ms * GST_MSECOND, GST_CLOCK_TIME_NONE);
  return GST_PAD_PROBE_HANDLED;
}

/* Each m-line's streams enter through a funnel: webrtcbin adds one source pad per SSRC, and
 * a sender may change its SSRC mid-call (the test clients' payloaders do when webrtcbin
 * assigns theirs); the newest stream simply follows the old one into the same chain.
 * Streams on m-lines we never receive on go to a fakesink rather than stay unlinked, which
 * would stop the whole connection with not-negotiated/not-linked. */
static gboolean
build_receive_chains (KaigiPeer *p, GError **error)
{
  static const char *const audio[] = { "funnel", "rtpopusdepay", NULL };
  static const char *const decode[] = { "kaigiopusdec", NULL }; /* S16LE 48 kHz mono */
  static const char *const video[] = { "funnel", "rtpvp8depay", NULL };
  static const char *const discard[] = { "funnel", "fakesink", NULL };
  GstElement *last = NULL, *depay, *dec;

  kaigi_opus_dec_register ();
  p->audio_in = add_chain (p, "mic", audio, &depay, error);
  if (!p->audio_in)
    return FALSE;
  p->opus_tee = make_tee (p, "opus-tee", error);
  if (!p->opus_tee || !gst_element_link (depay, p->opus_tee))
    return FALSE;
  dec = add_chain (p, "dec", decode, &last, error);
  if (!dec || !gst_element_link (p->opus_tee, dec))
    return FALSE;
  p->audio_tee = make_tee (p, "mic-tee", error);
  if (!p->audio_tee || !gst_element_link (last, p->audio_tee))
    return FALSE;
  if (p->opt.listen && !kaigi_listen_build (p, add, error))
    return FALSE;

  p->video_in = add_chain (p, "cam", video, &depay, error);
  if (!p->video_in)
    return FALSE;
  /* Ask the camera for a keyframe when frames were lost, instead of forwarding garbage. */
  g_object_set (depay, "request-keyframe", TRUE, "wait-for-keyframe", TRUE, NULL);
  p->video_tee = make_tee (p, "cam-tee", error);
  if (!p->video_tee)
    return FALSE;
  if (p->opt.ingest) {
    /* WHIP: OBS and hardware encoders send H.264; the slots carry VP8. Whichever comes in
     * reaches the tee through a funnel (one of them flows). The encoder makes a keyframe
     * when a slot asks (GstForceKeyUnit upstream) and every 2 s anyway. */
    static const char *const h264[]
        = { "funnel", "rtph264depay", "h264parse", "openh264dec", "videoconvert", "vp8enc", NULL };
    GstElement *join = add (p, "funnel", "cam-join", error), *enc;
    if (!join || !gst_element_link (depay, join) || !gst_element_link (join, p->video_tee))
      return FALSE;
    p->video_h264_in = add_chain (p, "h264", h264, &enc, error);
    if (!p->video_h264_in || !gst_element_link (enc, join))
      return FALSE;
    g_object_set (enc, "deadline", (gint64)1, "cpu-used", 8, "target-bitrate", 1500000, "end-usage",
                  1 /* cbr */, "keyframe-max-dist", 60, "threads", 2, "error-resilient", 1,
                  "lag-in-frames", 0, NULL);
  } else if (!gst_element_link (depay, p->video_tee)) {
    return FALSE;
  }

  p->discard = add_chain (p, "discard", discard, &last, error);
  if (!p->discard)
    return FALSE;
  g_object_set (last, "sync", FALSE, "async", FALSE, NULL);
  return TRUE;
}

/* What the participant hears: their ear src_N of the meeting's mixer (media/mix.c) links into
 * the encoder when their media connects. The mixer's thread carries every ear through its
 * encoder (kaigiopusear: a silent listener's ear passes the shared packet on, only a talker's
 * is encoded), payloader and webrtcbin to the socket: a queue per ear handed every packet to
 * another thread for nothing. Nothing there waits: the ear is linked only once the media is
 * connected (DTLS keys set), and the mixer ignores an ear's flow result. */
static gboolean
build_ear (KaigiPeer *p, GstPad *sink, guint ssrc, GError **error)
{
  static const char *const chain[] = { "kaigiopusear", "rtpopuspay", NULL };
  GstElement *last = NULL, *enc;

  kaigi_opus_ear_register ();
  enc = add_chain (p, "ear", chain, &last, error);
  if (!enc)
    return FALSE;
  if (p->opt.audio_bitrate) /* the same as the meeting mixer's shared encoder (mix.c) */
    g_object_set (enc, "bitrate", p->opt.audio_bitrate, NULL);
  g_object_set (last, "pt", KAIGI_AUDIO_PT, "ssrc", ssrc, NULL);
  p->ear = enc;
  return link_to_pad (last, sink, error);
}

static gboolean
build_slots (KaigiPeer *p, GstPad **sinks, const guint *ssrcs, GError **error)
{
  for (guint s = 0; s < p->opt.slots; s++) {
    g_autofree char *role = g_strdup_printf ("slot%u", s);
    GstElement *pay = add (p, "rtpvp8pay", role, error);
    if (!pay)
      return FALSE;
    g_object_set (pay, "pt", KAIGI_VIDEO_PT, "ssrc", ssrcs[s], "picture-id-mode", 2 /* 15 bit */,
                  "mtu", 1200, NULL);
    p->slot_pay[s] = pay;
    if (!link_to_pad (pay, sinks[s], error))
      return FALSE;
  }
  return TRUE;
}

/* Which receive chain a new stream belongs to. The codec in the pad's caps decides, not the
 * transceiver: when a browser's answer names no SSRCs, webrtcbin 1.22 can attach a bundled
 * stream to the wrong m-line (seen with a VP8 stream reported on the audio m-line), and a
 * VP8 stream in the Opus chain stops the whole connection with not-negotiated. */
GstElement *
kaigi_chains_for_pad (KaigiPeer *p, GstPad *pad, guint mline)
{
  g_autoptr (GstCaps) caps = gst_pad_get_current_caps (pad);
  const char *enc = NULL;

  if (caps && gst_caps_get_size (caps) > 0)
    enc = gst_structure_get_string (gst_caps_get_structure (caps, 0), "encoding-name");
  if (enc && g_ascii_strcasecmp (enc, "OPUS") == 0)
    return p->audio_in;
  if (enc && g_ascii_strcasecmp (enc, "VP8") == 0)
    return p->video_in;
  if (enc && g_ascii_strcasecmp (enc, "H264") == 0 && p->video_h264_in)
    return p->video_h264_in;
  if (!enc)
    return mline == 0 ? p->audio_in : mline == 1 ? p->video_in : p->discard;
  return p->discard;
}

gboolean
kaigi_chains_build (KaigiPeer *p, GstPad **sinks, const guint *ssrcs, GError **error)
{
  GST_DEBUG_CATEGORY_INIT (kaigi_chains_debug, "kaigi-chains", 0, "kaigi participant chains");
  if (p->opt.ingest) /* receives only: no ear, no slots */
    return build_receive_chains (p, error);
  return build_receive_chains (p, error) && build_ear (p, sinks[0], ssrcs[0], error)
         && build_slots (p, sinks + 1, ssrcs + 1, error);
}
