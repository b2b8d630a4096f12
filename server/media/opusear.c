/* opusear.c: kaigiopusear, the Opus encoder of one participant's ear.
 *
 * What: each 20 ms buffer of the participant's mix-minus (kaigimixminus's src_N, through the
 * ear's leaky queue) becomes one Opus packet. While the participant is silent, the mixer
 * gives them the meeting's shared total, which with "opus-bitrate" carries that period's
 * packet, encoded once for everyone silent (mixminus.c): it goes out as it is, and nothing is
 * encoded here. Otherwise (they speak: total minus their own voice) the buffer is encoded
 * here, with the same settings as the shared encoder (libopus, application "audio", the
 * same bitrate).
 *
 * Why not opusenc: it would encode every buffer, shared or not; at 30 participants the ears'
 * encoders were the server's busiest threads (docs/benchmarks.md).
 *
 * The switch: one stream, one RTP SSRC and sequence (rtpopuspay after us), whichever encoder
 * made each packet. The browser's decoder carries its state from one packet to the next.
 * Going back to the own encoder after a shared stretch, that encoder is reset and first fed
 * the last "warm-up" periods this listener got (the shared total's, what the shared encoder
 * encoded), their packets thrown away, and its first packet is coded without inter-frame
 * prediction (the decoder's state is the shared encoder's). Without the warm-up a fresh
 * encoder's first frame starts with its lookahead's worth of silence, a dropout; without
 * the intra frame the decoder predicts from the wrong state. test-mixminus measures it: the
 * worst period around a switch 26 dB below the tone it carries, 5-8 dB without these.
 *
 * Threads: the sink pad's streaming thread (the ear queue's); properties under the object
 * lock. */
#include "opusear.h"

#include <opus.h>
#include <string.h>

#include "mixminus.h"

GST_DEBUG_CATEGORY_STATIC (kaigi_opus_ear_debug);
#define GST_CAT_DEFAULT kaigi_opus_ear_debug

#define RAW_CAPS "audio/x-raw, format=S16LE, rate=48000, channels=1, layout=interleaved"
#define OPUS_CAPS                                                                                  \
  "audio/x-opus, rate=48000, channels=1, channel-mapping-family=0, stream-count=1, "               \
  "coupled-count=0"

static GstStaticPadTemplate sink_template
    = GST_STATIC_PAD_TEMPLATE ("sink", GST_PAD_SINK, GST_PAD_ALWAYS, GST_STATIC_CAPS (RAW_CAPS));
static GstStaticPadTemplate src_template
    = GST_STATIC_PAD_TEMPLATE ("src", GST_PAD_SRC, GST_PAD_ALWAYS, GST_STATIC_CAPS (OPUS_CAPS));

static gsize own_count, shared_count; /* atomic */

#define MAX_WARM_UP 4

struct _KaigiOpusEar {
  GstElement parent;
  GstPad *sinkpad, *srcpad; /* not owned (the element's) */

  /* Streaming thread. */
  OpusEncoder *enc;               /* owned, made on the first buffer that needs it */
  gboolean shared;                /* the last packet was the shared one */
  GstBuffer *recent[MAX_WARM_UP]; /* owned, nullable: the last inputs, the newest last */

  /* Object lock. */
  gint bitrate;
  guint warm_up; /* periods fed to the own encoder when it takes over again */
};

G_DEFINE_TYPE (KaigiOpusEar, kaigi_opus_ear, GST_TYPE_ELEMENT)

enum { PROP_0, PROP_BITRATE, PROP_WARM_UP };

static opus_int32
encode (KaigiOpusEar *self, GstBuffer *in, guchar *data, gsize size)
{
  GstMapInfo map;
  opus_int32 n;
  int frame;

  gst_buffer_map (in, &map, GST_MAP_READ);
  frame = map.size / sizeof (opus_int16);
  /* The mixer's periods are one 20 ms frame; any other valid Opus frame size goes too. */
  if (frame != 960 && frame != 480 && frame != 1920 && frame != 240 && frame != 120
      && frame != 2880)
    n = OPUS_BAD_ARG;
  else
    n = opus_encode (self->enc, (const opus_int16 *)map.data, frame, data, size);
  gst_buffer_unmap (in, &map);
  if (n <= 0)
    GST_WARNING_OBJECT (self, "%d samples not encoded: %s", frame, opus_strerror (n));
  return n;
}

static GstBuffer *
encode_own (KaigiOpusEar *self, GstBuffer *in)
{
  guchar data[KAIGI_MIXMINUS_MAX_PACKET];
  gint bitrate;
  guint warm_up;
  opus_int32 n;

  GST_OBJECT_LOCK (self);
  bitrate = self->bitrate;
  warm_up = self->warm_up;
  GST_OBJECT_UNLOCK (self);
  if (!self->enc) {
    int err = 0;
    self->enc = opus_encoder_create (48000, 1, OPUS_APPLICATION_AUDIO, &err);
    if (!self->enc) {
      GST_ELEMENT_ERROR (self, LIBRARY, INIT, ("no Opus encoder"), ("%s", opus_strerror (err)));
      return NULL;
    }
  }
  opus_encoder_ctl (self->enc, OPUS_SET_BITRATE (bitrate));
  if (self->shared) { /* taking over from the shared encoder */
    opus_encoder_ctl (self->enc, OPUS_RESET_STATE);
    for (guint i = MAX_WARM_UP - MIN (warm_up, MAX_WARM_UP); i < MAX_WARM_UP; i++)
      if (self->recent[i])
        encode (self, self->recent[i], data, sizeof data);
  }
  /* The first own packet does not predict from the previous frame: the listener's decoder
   * has the shared encoder's, not ours. */
  if (self->shared)
    opus_encoder_ctl (self->enc, OPUS_SET_PREDICTION_DISABLED (1));
  n = encode (self, in, data, sizeof data);
  if (self->shared)
    opus_encoder_ctl (self->enc, OPUS_SET_PREDICTION_DISABLED (0));
  return n > 0 ? gst_buffer_new_memdup (data, n) : NULL;
}

/* Keeps a reference of @in among the last inputs (only while warm-up is asked for). */
static void
remember (KaigiOpusEar *self, GstBuffer *in)
{
  if (self->recent[0])
    gst_buffer_unref (self->recent[0]);
  memmove (self->recent, self->recent + 1, (MAX_WARM_UP - 1) * sizeof self->recent[0]);
  self->recent[MAX_WARM_UP - 1] = gst_buffer_ref (in);
}

static void
forget (KaigiOpusEar *self)
{
  for (guint i = 0; i < MAX_WARM_UP; i++)
    gst_clear_buffer (&self->recent[i]);
}

static GstFlowReturn
kaigi_opus_ear_chain (GstPad *pad, GstObject *parent, GstBuffer *in)
{
  KaigiOpusEar *self = KAIGI_OPUS_EAR (parent);
  GstBuffer *pkt = kaigi_mixminus_shared_opus (in), *out;

  if (pkt) {
    out = gst_buffer_copy (pkt); /* its memory is shared, not copied; our own timestamps */
    self->shared = TRUE;
    g_atomic_pointer_add (&shared_count, 1);
  } else {
    out = encode_own (self, in);
    self->shared = FALSE;
    if (!out) {
      gst_buffer_unref (in);
      return GST_FLOW_OK; /* one period missing: the listener's jitterbuffer conceals it */
    }
    g_atomic_pointer_add (&own_count, 1);
  }
  gst_buffer_copy_into (out, in, GST_BUFFER_COPY_FLAGS | GST_BUFFER_COPY_TIMESTAMPS, 0, -1);
  remember (self, in);
  gst_buffer_unref (in);
  return gst_pad_push (self->srcpad, out);
}

static gboolean
kaigi_opus_ear_sink_event (GstPad *pad, GstObject *parent, GstEvent *event)
{
  KaigiOpusEar *self = KAIGI_OPUS_EAR (parent);

  switch (GST_EVENT_TYPE (event)) {
  case GST_EVENT_CAPS: {
    g_autoptr (GstCaps) caps = gst_static_caps_get (&src_template.static_caps);
    gst_event_unref (event); /* the template took the raw format */
    return gst_pad_push_event (self->srcpad, gst_event_new_caps (caps));
  }
  case GST_EVENT_FLUSH_STOP:
    self->shared = FALSE;
    forget (self);
    if (self->enc)
      opus_encoder_ctl (self->enc, OPUS_RESET_STATE);
    break;
  default:
    break;
  }
  return gst_pad_event_default (pad, parent, event);
}

static void
kaigi_opus_ear_set_property (GObject *object, guint id, const GValue *value, GParamSpec *pspec)
{
  KaigiOpusEar *self = KAIGI_OPUS_EAR (object);

  GST_OBJECT_LOCK (self);
  if (id == PROP_BITRATE)
    self->bitrate = g_value_get_int (value);
  else if (id == PROP_WARM_UP)
    self->warm_up = g_value_get_uint (value);
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, id, pspec);
  GST_OBJECT_UNLOCK (self);
}

static void
kaigi_opus_ear_get_property (GObject *object, guint id, GValue *value, GParamSpec *pspec)
{
  KaigiOpusEar *self = KAIGI_OPUS_EAR (object);

  GST_OBJECT_LOCK (self);
  if (id == PROP_BITRATE)
    g_value_set_int (value, self->bitrate);
  else if (id == PROP_WARM_UP)
    g_value_set_uint (value, self->warm_up);
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, id, pspec);
  GST_OBJECT_UNLOCK (self);
}

static void
kaigi_opus_ear_finalize (GObject *object)
{
  g_clear_pointer (&KAIGI_OPUS_EAR (object)->enc, opus_encoder_destroy);
  forget (KAIGI_OPUS_EAR (object));
  G_OBJECT_CLASS (kaigi_opus_ear_parent_class)->finalize (object);
}

static void
kaigi_opus_ear_class_init (KaigiOpusEarClass *klass)
{
  GObjectClass *oc = G_OBJECT_CLASS (klass);
  GstElementClass *ec = GST_ELEMENT_CLASS (klass);

  oc->set_property = kaigi_opus_ear_set_property;
  oc->get_property = kaigi_opus_ear_get_property;
  oc->finalize = kaigi_opus_ear_finalize;
  g_object_class_install_property (oc, PROP_BITRATE,
                                   g_param_spec_int ("bitrate", "Bitrate",
                                                     "Of the listener's own packets (bit/s)", 6000,
                                                     510000, KAIGI_OPUS_EAR_DEFAULT_BITRATE,
                                                     G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property (
      oc, PROP_WARM_UP,
      g_param_spec_uint ("warm-up", "Warm-up",
                         "Periods fed to the own encoder, reset, when it takes over from the "
                         "shared one",
                         0, MAX_WARM_UP, 2, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
  gst_element_class_add_static_pad_template (ec, &sink_template);
  gst_element_class_add_static_pad_template (ec, &src_template);
  gst_element_class_set_static_metadata (
      ec, "Kaigi ear encoder", "Codec/Encoder/Audio",
      "Opus for one listener; the shared total's packet as it is when the mixer made one", "kaigi");
}

static void
kaigi_opus_ear_init (KaigiOpusEar *self)
{
  self->bitrate = KAIGI_OPUS_EAR_DEFAULT_BITRATE;
  self->warm_up = 2;
  self->sinkpad = gst_pad_new_from_static_template (&sink_template, "sink");
  gst_pad_set_chain_function (self->sinkpad, kaigi_opus_ear_chain);
  gst_pad_set_event_function (self->sinkpad, kaigi_opus_ear_sink_event);
  GST_PAD_SET_PROXY_ALLOCATION (self->sinkpad);
  gst_element_add_pad (GST_ELEMENT (self), self->sinkpad);
  self->srcpad = gst_pad_new_from_static_template (&src_template, "src");
  gst_pad_use_fixed_caps (self->srcpad);
  gst_element_add_pad (GST_ELEMENT (self), self->srcpad);
}

gboolean
kaigi_opus_ear_register (void)
{
  static gsize once = 0;

  if (g_once_init_enter (&once)) {
    GST_DEBUG_CATEGORY_INIT (kaigi_opus_ear_debug, "kaigi-opusear", 0, "kaigi ear encoder");
    kaigi_mixminus_register ();
    g_once_init_leave (&once, 1);
  }
  return gst_element_register (NULL, "kaigiopusear", GST_RANK_NONE, KAIGI_TYPE_OPUS_EAR);
}

void
kaigi_opus_ear_counts (guint64 *own, guint64 *shared)
{
  *own = (guint64)g_atomic_pointer_get (&own_count);
  *shared = (guint64)g_atomic_pointer_get (&shared_count);
}
