/* mixminus-input.c: kaigimixminus's input side: the sink pad type (one participant) and
 * how each input's buffers are placed on the output periods.
 *
 * Inputs are placed by running time, so buffers of any size line up; a buffer stamped
 * within ALIGN_SAMPLES of where the previous one ended continues it. What is missing when
 * time runs out is silence; what comes after its period was mixed is dropped.
 * Thread: the aggregator's src pad task (aggregate), except the pad's flush (its streaming
 * thread) and properties (any thread, object lock). */
#include "mixminus-private.h"

#include <string.h>

GST_DEBUG_CATEGORY_STATIC (kaigi_mixminus_input_debug);
#define GST_CAT_DEFAULT kaigi_mixminus_input_debug

enum { PAD_PROP_0, PAD_PROP_LEVEL_DB, PAD_PROP_SPEAKING, PAD_PROP_SHARED, PAD_PROP_GROUP };

G_DEFINE_TYPE (KaigiMixMinusPad, kaigi_mix_minus_pad, GST_TYPE_AGGREGATOR_PAD)

static void
pad_reset_stream (KaigiMixMinusPad *pad)
{
  memset (pad->in, 0, sizeof pad->in);
  pad->filled = 0;
  pad->head = NULL;
  pad->next_offset = NO_OFFSET;
  pad->spent = FALSE;
}

/* Flush-stop or stop, on the pad's streaming thread: a flush of this pad alone does not
 * stop the task, so the reset is left to the aggregate thread. */
static GstFlowReturn
kaigi_mix_minus_pad_flush (GstAggregatorPad *ap, GstAggregator *agg)
{
  g_atomic_int_set (&KAIGI_MIX_MINUS_PAD (ap)->flushed, 1);
  return GST_FLOW_OK;
}

static void
kaigi_mix_minus_pad_get_property (GObject *object, guint id, GValue *value, GParamSpec *pspec)
{
  KaigiMixMinusPad *pad = KAIGI_MIX_MINUS_PAD (object);

  GST_OBJECT_LOCK (pad);
  if (id == PAD_PROP_LEVEL_DB)
    g_value_set_double (value, pad->level_db);
  else if (id == PAD_PROP_SPEAKING)
    g_value_set_boolean (value, pad->speaking);
  else if (id == PAD_PROP_SHARED)
    g_value_set_boolean (value, pad->shared_prop);
  else if (id == PAD_PROP_GROUP)
    g_value_set_uint (value, pad->group);
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, id, pspec);
  GST_OBJECT_UNLOCK (pad);
}

static void
kaigi_mix_minus_pad_set_property (GObject *object, guint id, const GValue *value, GParamSpec *pspec)
{
  KaigiMixMinusPad *pad = KAIGI_MIX_MINUS_PAD (object);

  if (id != PAD_PROP_GROUP) {
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, id, pspec);
    return;
  }
  GST_OBJECT_LOCK (pad);
  pad->group = g_value_get_uint (value);
  GST_OBJECT_UNLOCK (pad);
}

static void
kaigi_mix_minus_pad_finalize (GObject *object)
{
  gst_clear_object (&KAIGI_MIX_MINUS_PAD (object)->ear);
  G_OBJECT_CLASS (kaigi_mix_minus_pad_parent_class)->finalize (object);
}

static void
kaigi_mix_minus_pad_class_init (KaigiMixMinusPadClass *klass)
{
  GObjectClass *oc = G_OBJECT_CLASS (klass);
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  GST_DEBUG_CATEGORY_INIT (kaigi_mixminus_input_debug, "kaigi-mixminus-input", 0,
                           "kaigi mix-minus inputs");
  oc->get_property = kaigi_mix_minus_pad_get_property;
  oc->set_property = kaigi_mix_minus_pad_set_property;
  oc->finalize = kaigi_mix_minus_pad_finalize;
  GST_AGGREGATOR_PAD_CLASS (klass)->flush = kaigi_mix_minus_pad_flush;
  g_object_class_install_property (
      oc, PAD_PROP_LEVEL_DB,
      g_param_spec_double ("level-db", "Level", "RMS level of the last period in dBFS",
                           KAIGI_MIX_FLOOR_DB, 0.0, KAIGI_MIX_FLOOR_DB, ro));
  g_object_class_install_property (
      oc, PAD_PROP_SPEAKING,
      g_param_spec_boolean ("speaking", "Speaking", "The speaking detector's state", FALSE, ro));
  g_object_class_install_property (oc, PAD_PROP_SHARED,
                                   g_param_spec_boolean ("shared", "Shared",
                                                         "Silent: src_N carries the shared total",
                                                         TRUE, ro));
  g_object_class_install_property (
      oc, PAD_PROP_GROUP,
      g_param_spec_uint ("group", "Group",
                         "Inputs of one place (0: none): each one's ear leaves out all of them", 0,
                         G_MAXUINT, 0, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
}

static void
kaigi_mix_minus_pad_init (KaigiMixMinusPad *pad)
{
  pad_reset_stream (pad);
  kaigi_voice_init (&pad->voice);
  kaigi_limiter_init (&pad->limiter);
  pad->shared = pad->shared_prop = TRUE;
  pad->level_db = KAIGI_MIX_FLOOR_DB;
}

GstClockTime
kaigi_mix_minus_running_time_now (KaigiMixMinus *self)
{
  g_autoptr (GstClock) clock = gst_element_get_clock (GST_ELEMENT (self));
  GstClockTime now, base = gst_element_get_base_time (GST_ELEMENT (self));

  if (!clock)
    return GST_CLOCK_TIME_NONE;
  now = gst_clock_get_time (clock);
  return now > base ? now - base : 0;
}

/* Where @buf starts, in samples of running time; remembered while it is @pad's head. */
static guint64
buffer_offset (KaigiMixMinus *self, KaigiMixMinusPad *pad, GstBuffer *buf)
{
  GstAggregatorPad *ap = GST_AGGREGATOR_PAD (pad);
  GstClockTime rt = GST_CLOCK_TIME_NONE;
  guint64 off, next = pad->next_offset;

  if (buf == pad->head)
    return pad->head_offset;
  if (GST_BUFFER_PTS_IS_VALID (buf)) {
    GST_OBJECT_LOCK (ap);
    rt = gst_segment_to_running_time (&ap->segment, GST_FORMAT_TIME, GST_BUFFER_PTS (buf));
    GST_OBJECT_UNLOCK (ap);
  }
  if (!GST_CLOCK_TIME_IS_VALID (rt))
    off = next != NO_OFFSET ? next : self->offset;
  else {
    off = gst_util_uint64_scale_int_round (rt, RATE, GST_SECOND);
    if (next != NO_OFFSET && !GST_BUFFER_FLAG_IS_SET (buf, GST_BUFFER_FLAG_DISCONT)
        && off + ALIGN_SAMPLES > next && off < next + ALIGN_SAMPLES)
      off = next;
  }
  pad->head = buf;
  pad->head_offset = off;
  return off;
}

static guint64
buffer_samples (GstBuffer *buf)
{
  if (GST_BUFFER_FLAG_IS_SET (buf, GST_BUFFER_FLAG_GAP) && gst_buffer_get_size (buf) == 0)
    return GST_BUFFER_DURATION_IS_VALID (buf)
               ? gst_util_uint64_scale_int_round (GST_BUFFER_DURATION (buf), RATE, GST_SECOND)
               : 0;
  return gst_buffer_get_size (buf) / sizeof (gint16);
}

gboolean
kaigi_mix_minus_collect (KaigiMixMinus *self, KaigiMixMinusPad *pad, gboolean timeout)
{
  GstAggregatorPad *ap = GST_AGGREGATOR_PAD (pad);
  guint64 end = self->offset + PERIOD;

  if (g_atomic_int_compare_and_exchange (&pad->flushed, 1, 0))
    pad_reset_stream (pad);
  while (pad->filled < PERIOD) {
    g_autoptr (GstBuffer) buf = gst_aggregator_pad_peek_buffer (ap);
    guint64 start, stop, pos = self->offset + pad->filled;

    if (!buf)
      break;
    start = buffer_offset (self, pad, buf);
    stop = start + buffer_samples (buf);
    if (start >= end) {
      pad->filled = PERIOD; /* its data begins later: silence until then */
      break;
    }
    if (stop > pos) {
      guint64 from = MAX (start, pos), to = MIN (stop, end);
      if (!GST_BUFFER_FLAG_IS_SET (buf, GST_BUFFER_FLAG_GAP))
        gst_buffer_extract (buf, (from - start) * sizeof (gint16), pad->in + (from - self->offset),
                            (to - from) * sizeof (gint16));
      pad->filled = to - self->offset;
    }
    if (stop > end)
      break; /* the rest is the next period's */
    if (stop == end) {
      /* Used up, but left queued until the period is mixed: GstAggregator counts a pad
       * without a queued buffer as not ready, and would wait for time to run out even
       * though this input has given all of the period. */
      pad->spent = TRUE;
      break;
    }
    gst_aggregator_pad_drop_buffer (ap); /* used up, or too late: the next one */
    pad->head = NULL;
    pad->next_offset = stop;
  }
  if (pad->filled < PERIOD && (timeout || gst_aggregator_pad_is_eos (ap)))
    pad->filled = PERIOD; /* what did not come counts as silence */
  return pad->filled == PERIOD;
}

/* The first period: where the earliest queued input starts; with nothing timestamped
 * queued (time ran out), the period that the clock says is due. */
void
kaigi_mix_minus_choose_start (KaigiMixMinus *self)
{
  guint64 start = NO_OFFSET;
  GstClockTime now = kaigi_mix_minus_running_time_now (self), latency;

  for (guint p = 0; p < self->pads->len; p++) {
    KaigiMixMinusPad *pad = self->pads->pdata[p];
    g_autoptr (GstBuffer) buf = gst_aggregator_pad_peek_buffer (GST_AGGREGATOR_PAD (pad));
    if (buf)
      start = MIN (start, buffer_offset (self, pad, buf));
    pad->head = NULL; /* placed before offset was known */
  }
  if (start == NO_OFFSET && GST_CLOCK_TIME_IS_VALID (now)) {
    latency = gst_aggregator_get_latency (GST_AGGREGATOR (self));
    if (GST_CLOCK_TIME_IS_VALID (latency))
      now = now > latency ? now - latency : 0;
    start = gst_util_uint64_scale_int (now, RATE, GST_SECOND);
  }
  self->offset = start == NO_OFFSET ? 0 : start;
  GST_INFO_OBJECT (self, "first period at %" GST_TIME_FORMAT,
                   GST_TIME_ARGS (offset_time (self->offset)));
}
