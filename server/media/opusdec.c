/* opusdec.c: kaigiopusdec, the Opus decoder of one participant's mic (into the meeting's
 * mixer, the program and the speech detector).
 *
 * What: each Opus packet from rtpopusdepay becomes one buffer of 16-bit mono samples at
 * 48 kHz (libopus mixes a stereo stream down), with the packet's timestamp and its length
 * as duration. A packet libopus refuses is dropped with a warning; a GAP event (a packet the
 * jitterbuffer gave up on) passes to the mixer, which counts it as silence.
 *
 * Why not GStreamer's opusdec: it decodes through libopus's multistream API, which on every
 * packet asks its own decoder for the sample rate and so walks its streams' sizes; in
 * libopus 1.3 that looks the CELT mode up, which runs the CPU detection (cpuid) each time.
 * On a virtual machine cpuid traps to the hypervisor: at 20 participants the mic decoders'
 * cpuid was 7 % of the server's CPU (perf, docs/benchmarks.md). RTP carries one Opus
 * stream (channel mapping family 0), which the plain decoder API decodes with its layout
 * worked out once. Its output is already the mixer's format, so no audioconvert and
 * audioresample follow it.
 *
 * Thread: the sink pad's streaming thread (chain, events); the decoder is touched only there. */
#include "opusdec.h"

#include <opus.h>

GST_DEBUG_CATEGORY_STATIC (kaigi_opus_dec_debug);
#define GST_CAT_DEFAULT kaigi_opus_dec_debug

#define RATE 48000
#define MAX_FRAME (RATE * 120 / 1000) /* samples in the longest Opus packet: 120 ms */
#define RAW_CAPS "audio/x-raw, format=S16LE, rate=48000, channels=1, layout=interleaved"

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE (
    "sink", GST_PAD_SINK, GST_PAD_ALWAYS, GST_STATIC_CAPS ("audio/x-opus"));
static GstStaticPadTemplate src_template
    = GST_STATIC_PAD_TEMPLATE ("src", GST_PAD_SRC, GST_PAD_ALWAYS, GST_STATIC_CAPS (RAW_CAPS));

static gsize refused_count; /* atomic */

struct _KaigiOpusDec {
  GstElement parent;
  GstPad *sinkpad, *srcpad; /* not owned (the element's) */
  OpusDecoder *dec;         /* owned */
};

G_DEFINE_TYPE (KaigiOpusDec, kaigi_opus_dec, GST_TYPE_ELEMENT)

static GstBuffer *
decode (KaigiOpusDec *self, GstBuffer *in)
{
  GstMapInfo map, out_map;
  GstBuffer *out = NULL;
  gsize size;
  int samples, n;

  if (!gst_buffer_map (in, &map, GST_MAP_READ))
    return NULL;
  size = map.size;
  samples = opus_decoder_get_nb_samples (self->dec, map.data, map.size);
  if (samples > 0 && samples <= MAX_FRAME) {
    out = gst_buffer_new_allocate (NULL, samples * sizeof (opus_int16), NULL);
    gst_buffer_map (out, &out_map, GST_MAP_WRITE);
    n = opus_decode (self->dec, map.data, map.size, (opus_int16 *)out_map.data, samples, 0);
    gst_buffer_unmap (out, &out_map);
  } else if (samples > MAX_FRAME) {
    n = OPUS_INVALID_PACKET;
  } else {
    n = samples; /* the error opus_decoder_get_nb_samples gave */
  }
  gst_buffer_unmap (in, &map);
  if (n != samples || n <= 0) {
    GST_WARNING_OBJECT (self, "a packet of %" G_GSIZE_FORMAT " bytes not decoded: %s", size,
                        n < 0 ? opus_strerror (n) : "no samples");
    g_atomic_pointer_add (&refused_count, 1);
    gst_clear_buffer (&out);
    return NULL;
  }
  GST_BUFFER_PTS (out) = GST_BUFFER_PTS (in);
  GST_BUFFER_DURATION (out) = gst_util_uint64_scale_int (n, GST_SECOND, RATE);
  if (GST_BUFFER_FLAG_IS_SET (in, GST_BUFFER_FLAG_DISCONT))
    GST_BUFFER_FLAG_SET (out, GST_BUFFER_FLAG_DISCONT);
  return out;
}

static GstFlowReturn
kaigi_opus_dec_chain (GstPad *pad, GstObject *parent, GstBuffer *in)
{
  KaigiOpusDec *self = KAIGI_OPUS_DEC (parent);
  GstBuffer *out = gst_buffer_get_size (in) ? decode (self, in) : NULL;

  gst_buffer_unref (in);
  return out ? gst_pad_push (self->srcpad, out) : GST_FLOW_OK;
}

/* RTP's Opus is one stream: family 0 (or no family given), at most two channels. */
static gboolean
caps_acceptable (GstCaps *caps)
{
  const GstStructure *s = gst_caps_get_size (caps) ? gst_caps_get_structure (caps, 0) : NULL;
  int family = 0, channels = 1;

  if (!s || !gst_structure_has_name (s, "audio/x-opus"))
    return FALSE;
  gst_structure_get_int (s, "channel-mapping-family", &family);
  gst_structure_get_int (s, "channels", &channels);
  return family == 0 && channels >= 1 && channels <= 2;
}

static gboolean
kaigi_opus_dec_sink_event (GstPad *pad, GstObject *parent, GstEvent *event)
{
  KaigiOpusDec *self = KAIGI_OPUS_DEC (parent);

  switch (GST_EVENT_TYPE (event)) {
  case GST_EVENT_CAPS: {
    GstCaps *in;
    g_autoptr (GstCaps) caps = gst_static_caps_get (&src_template.static_caps);
    gst_event_parse_caps (event, &in);
    if (!caps_acceptable (in)) {
      GST_ELEMENT_ERROR (self, STREAM, FORMAT, ("not one Opus stream"),
                         ("caps %" GST_PTR_FORMAT, in));
      gst_event_unref (event);
      return FALSE;
    }
    gst_event_unref (event);
    return gst_pad_push_event (self->srcpad, gst_event_new_caps (caps));
  }
  case GST_EVENT_FLUSH_STOP:
    opus_decoder_ctl (self->dec, OPUS_RESET_STATE);
    break;
  default:
    break;
  }
  return gst_pad_event_default (pad, parent, event);
}

static void
kaigi_opus_dec_finalize (GObject *object)
{
  g_clear_pointer (&KAIGI_OPUS_DEC (object)->dec, opus_decoder_destroy);
  G_OBJECT_CLASS (kaigi_opus_dec_parent_class)->finalize (object);
}

static void
kaigi_opus_dec_class_init (KaigiOpusDecClass *klass)
{
  GstElementClass *ec = GST_ELEMENT_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = kaigi_opus_dec_finalize;
  gst_element_class_add_static_pad_template (ec, &sink_template);
  gst_element_class_add_static_pad_template (ec, &src_template);
  gst_element_class_set_static_metadata (ec, "Kaigi mic decoder", "Codec/Decoder/Audio",
                                         "One Opus stream to 16-bit mono at 48 kHz", "kaigi");
}

static void
kaigi_opus_dec_init (KaigiOpusDec *self)
{
  int err = 0;

  /* A mono 48 kHz decoder cannot fail to be made but for memory, which aborts anyway. */
  self->dec = opus_decoder_create (RATE, 1, &err);
  g_assert (self->dec);
  self->sinkpad = gst_pad_new_from_static_template (&sink_template, "sink");
  gst_pad_set_chain_function (self->sinkpad, kaigi_opus_dec_chain);
  gst_pad_set_event_function (self->sinkpad, kaigi_opus_dec_sink_event);
  gst_element_add_pad (GST_ELEMENT (self), self->sinkpad);
  self->srcpad = gst_pad_new_from_static_template (&src_template, "src");
  gst_pad_use_fixed_caps (self->srcpad);
  gst_element_add_pad (GST_ELEMENT (self), self->srcpad);
}

gboolean
kaigi_opus_dec_register (void)
{
  static gsize once = 0;

  if (g_once_init_enter (&once)) {
    GST_DEBUG_CATEGORY_INIT (kaigi_opus_dec_debug, "kaigi-opusdec", 0, "kaigi mic decoder");
    g_once_init_leave (&once, 1);
  }
  return gst_element_register (NULL, "kaigiopusdec", GST_RANK_NONE, KAIGI_TYPE_OPUS_DEC);
}

guint64
kaigi_opus_dec_refused (void)
{
  return (guint64)g_atomic_pointer_get (&refused_count);
}
