/* mixminus.c: kaigimixminus, one audio mixer for a whole meeting.
 *
 * What: a GstAggregator. Requesting sink_N (a participant's mic) also adds the sometimes
 * pad src_N, that participant's ear: the total of all inputs minus input N, limited; it is
 * removed when sink_N is released. The aggregator's own "src" pad carries the total, limited
 * (the program mix for the public output and the recording).
 *
 * Why: one audiomixer per participant with everyone else's mic costs O(N^2) links and
 * additions. Here each period the total is summed once (N inputs), and each ear costs one
 * subtraction per sample (N ears): O(N). Anyone whose own input is silent would hear exactly
 * the total, so all of them receive the very GstBuffer pushed on "src" (no copy, no work),
 * marked with the KaigiMixShared meta, so that it can be encoded once for all of them.
 *
 * Format: fixed S16LE, 48000 Hz, mono, interleaved on every pad (what the receive chains
 * decode to, chains.c); nothing is converted here. Output period: 20 ms (one Opus frame).
 *
 * Timing (live; GstAggregator semantics): the element is always live (force-live). A period
 * is produced when every input has covered it, or when the clock reaches the period's start
 * plus the latency (upstream's + the "latency" property + one period, which we report); an
 * input that has not delivered by then counts as silence for that period, and its data that
 * comes later than its period is dropped. Inputs are placed by running time, so buffers of
 * any size line up; timestamps within 20 ms of where the previous buffer ended continue it.
 * Output timestamps are running time (default TIME segment).
 *
 * Per period and input: RMS level (pad property "level-db"), the speaking detector and the
 * silence rule (mixdsp.h: numbers and reasons); a change of speaking posts the element
 * message "kaigi-speaking" (pad, speaking, level-db, running-time).
 *
 * Threads: pads are requested and released on the application's thread. aggregate(), the
 * pushes on src_N and the bus messages run on the aggregator's src pad task; the pads'
 * mixing state is touched only there (and in flush/start, while that task is stopped). The
 * read-only pad properties are under the pad's object lock. */
#include "mixminus.h"

#include <string.h>

#include "mixdsp.h"

GST_DEBUG_CATEGORY_STATIC (kaigi_mixminus_debug);
#define GST_CAT_DEFAULT kaigi_mixminus_debug

#define PERIOD KAIGI_MIXMINUS_PERIOD
#define RATE KAIGI_MIXMINUS_RATE
#define PERIOD_MS (PERIOD * 1000 / RATE)
#define PERIOD_TIME ((GstClockTime)PERIOD * GST_SECOND / RATE)
#define NO_OFFSET G_MAXUINT64
/* A buffer stamped this close to where the previous one ended continues it: RTP-derived
 * timestamps jitter by a sample or two, and a one-sample gap would click. */
#define ALIGN_SAMPLES (RATE / 50)
#define CAPS "audio/x-raw, format=S16LE, rate=48000, channels=1, layout=interleaved"

static GstStaticPadTemplate src_template
    = GST_STATIC_PAD_TEMPLATE ("src", GST_PAD_SRC, GST_PAD_ALWAYS, GST_STATIC_CAPS (CAPS));
static GstStaticPadTemplate sink_template
    = GST_STATIC_PAD_TEMPLATE ("sink_%u", GST_PAD_SINK, GST_PAD_REQUEST, GST_STATIC_CAPS (CAPS));
static GstStaticPadTemplate ear_template
    = GST_STATIC_PAD_TEMPLATE ("src_%u", GST_PAD_SRC, GST_PAD_SOMETIMES, GST_STATIC_CAPS (CAPS));

/* ---- the sink pad: one participant ---- */

#define KAIGI_TYPE_MIX_MINUS_PAD (kaigi_mix_minus_pad_get_type ())
G_DECLARE_FINAL_TYPE (KaigiMixMinusPad, kaigi_mix_minus_pad, KAIGI, MIX_MINUS_PAD, GstAggregatorPad)

struct _KaigiMixMinusPad {
  GstAggregatorPad parent;
  GstPad *ear; /* owned: src_N, also in the element while sink_N is */

  /* Aggregate thread only. */
  gint16 in[PERIOD];    /* this period's input; zeros where nothing came */
  guint filled;         /* samples of this period accounted for (data or known gap) */
  GstBuffer *head;      /* not owned: the queued buffer whose offset is head_offset */
  guint64 head_offset;  /* in samples of running time */
  guint64 next_offset;  /* where the last buffer ended, NO_OFFSET at first */
  gboolean spent;       /* the head buffer ends with this period: dropped once it is mixed */
  KaigiVoice voice;     /* speaking and silence */
  KaigiLimiter limiter; /* of this ear's own mix */
  gboolean shared;      /* got the shared total last period */
  gint flushed;         /* atomic: set by a flush (streaming thread), seen by collect() */

  /* Object lock: what the properties read. */
  double level_db;
  gboolean speaking;
  gboolean shared_prop;
};

enum { PAD_PROP_0, PAD_PROP_LEVEL_DB, PAD_PROP_SPEAKING, PAD_PROP_SHARED };

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
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, id, pspec);
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

  oc->get_property = kaigi_mix_minus_pad_get_property;
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

/* ---- the element ---- */

struct _KaigiMixMinus {
  GstAggregator parent;

  /* Aggregate thread only (reset by start and flush, while the task is stopped). */
  guint64 offset;          /* running time of the next period in samples, or NO_OFFSET */
  gboolean discont;        /* the next output starts a new stream */
  gint32 total[PERIOD];    /* exact sum of this period's inputs */
  KaigiLimiter limiter;    /* of the total */
  KaigiLimiter limiter_at; /* the total's limiter at the start of this period */
  GPtrArray *pads;         /* refs of the sink pads during one aggregate() */
};

G_DEFINE_TYPE (KaigiMixMinus, kaigi_mix_minus, GST_TYPE_AGGREGATOR)

static GstClockTime
offset_time (guint64 offset)
{
  return gst_util_uint64_scale_int (offset, GST_SECOND, RATE);
}

/* The element's running time now, or GST_CLOCK_TIME_NONE without a clock. */
static GstClockTime
running_time_now (KaigiMixMinus *self)
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

/* Takes what @pad's queue holds for the current period. TRUE when the period is complete
 * for this input: covered, or its next data is later, or it is EOS, or time is up. */
static gboolean
collect (KaigiMixMinus *self, KaigiMixMinusPad *pad, gboolean timeout)
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
static void
choose_start (KaigiMixMinus *self)
{
  guint64 start = NO_OFFSET;
  GstClockTime now = running_time_now (self), latency;

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

static GstBuffer *
new_period_buffer (KaigiMixMinus *self)
{
  GstBuffer *buf = gst_buffer_new_allocate (NULL, PERIOD * sizeof (gint16), NULL);

  GST_BUFFER_PTS (buf) = offset_time (self->offset);
  GST_BUFFER_DURATION (buf) = PERIOD_TIME;
  GST_BUFFER_OFFSET (buf) = self->offset;
  GST_BUFFER_OFFSET_END (buf) = self->offset + PERIOD;
  if (self->discont)
    GST_BUFFER_FLAG_SET (buf, GST_BUFFER_FLAG_DISCONT);
  return buf;
}

/* A new buffer holding limit (total - @own), with @lim's state. */
static GstBuffer *
limited (KaigiMixMinus *self, KaigiLimiter *lim, const gint16 *own)
{
  GstBuffer *buf = new_period_buffer (self);
  GstMapInfo map;

  gst_buffer_map (buf, &map, GST_MAP_WRITE);
  kaigi_limiter_run (lim, self->total, own, (gint16 *)map.data, PERIOD);
  gst_buffer_unmap (buf, &map);
  return buf;
}

/* Sticky events src_N needs before data: on a new pad, and a segment after a flush. */
static void
ear_events (KaigiMixMinus *self, GstPad *ear)
{
  GstEvent *ev;

  if ((ev = gst_pad_get_sticky_event (ear, GST_EVENT_STREAM_START, 0)))
    gst_event_unref (ev);
  else {
    g_autofree char *name = gst_pad_get_name (ear);
    g_autofree char *id = g_strdup_printf ("kaigimixminus-%08x/%s", g_random_int (), name);
    g_autoptr (GstCaps) caps = gst_static_caps_get (&ear_template.static_caps);
    gst_pad_push_event (ear, gst_event_new_stream_start (id));
    gst_pad_push_event (ear, gst_event_new_caps (caps));
  }
  if ((ev = gst_pad_get_sticky_event (ear, GST_EVENT_SEGMENT, 0)))
    gst_event_unref (ev);
  else {
    GstSegment seg;
    GST_OBJECT_LOCK (self);
    gst_segment_copy_into (&GST_AGGREGATOR_PAD (GST_AGGREGATOR_SRC_PAD (self))->segment, &seg);
    GST_OBJECT_UNLOCK (self);
    gst_pad_push_event (ear, gst_event_new_segment (&seg));
  }
}

static void
post_speaking (KaigiMixMinus *self, KaigiMixMinusPad *pad, double level)
{
  g_autofree char *name = gst_pad_get_name (pad);
  GstStructure *s = gst_structure_new (KAIGI_MIXMINUS_SPEAKING, "pad", G_TYPE_STRING, name,
                                       "speaking", G_TYPE_BOOLEAN, pad->voice.speaking, "level-db",
                                       G_TYPE_DOUBLE, level, "running-time", G_TYPE_UINT64,
                                       (guint64)offset_time (self->offset + PERIOD), NULL);

  GST_DEBUG_OBJECT (pad, "speaking %d at %.1f dB", pad->voice.speaking, level);
  gst_element_post_message (GST_ELEMENT (self), gst_message_new_element (GST_OBJECT (self), s));
}

/* One participant's period: level, voice, then their ear gets the shared total (silent)
 * or total minus their own input through their own limiter. */
static void
serve_ear (KaigiMixMinus *self, KaigiMixMinusPad *pad, GstBuffer *shared)
{
  double level = kaigi_mix_level_db (pad->in, PERIOD);
  gboolean changed = kaigi_voice_update (&pad->voice, level, PERIOD_MS);
  gboolean silent = kaigi_voice_silent (&pad->voice);
  GstBuffer *out;
  GstFlowReturn ret;

  GST_OBJECT_LOCK (pad);
  pad->level_db = level;
  pad->speaking = pad->voice.speaking;
  pad->shared_prop = silent;
  GST_OBJECT_UNLOCK (pad);
  if (changed)
    post_speaking (self, pad, level);
  if (silent)
    out = gst_buffer_ref (shared);
  else {
    if (pad->shared) /* leaving the shared mix: go on from the gain it had */
      pad->limiter = self->limiter_at;
    out = limited (self, &pad->limiter, pad->in);
  }
  pad->shared = silent;
  ear_events (self, pad->ear);
  ret = gst_pad_push (pad->ear, out);
  /* An ear not linked yet, or being torn down, is that participant's business alone. */
  if (ret != GST_FLOW_OK)
    GST_LOG_OBJECT (pad->ear, "push: %s", gst_flow_get_name (ret));
  memset (pad->in, 0, sizeof pad->in);
  pad->filled = 0;
  if (pad->spent) {
    gst_aggregator_pad_drop_buffer (GST_AGGREGATOR_PAD (pad));
    pad->head = NULL;
    pad->next_offset = self->offset + PERIOD;
    pad->spent = FALSE;
  }
}

/* Sums the period once, pushes every ear, then the total on "src". */
static GstFlowReturn
mix (KaigiMixMinus *self)
{
  GstAggregator *agg = GST_AGGREGATOR (self);
  g_autoptr (GstBuffer) shared = NULL;
  GstClockTime pts = offset_time (self->offset);
  GstFlowReturn ret;

  memset (self->total, 0, sizeof self->total);
  for (guint p = 0; p < self->pads->len; p++) {
    const gint16 *in = KAIGI_MIX_MINUS_PAD (self->pads->pdata[p])->in;
    for (guint i = 0; i < PERIOD; i++)
      self->total[i] += in[i];
  }
  gst_aggregator_selected_samples (agg, pts, GST_CLOCK_TIME_NONE, PERIOD_TIME, NULL);
  self->limiter_at = self->limiter;
  shared = limited (self, &self->limiter, NULL);
  gst_buffer_add_custom_meta (shared, KAIGI_MIXMINUS_SHARED_META);
  for (guint p = 0; p < self->pads->len; p++)
    serve_ear (self, self->pads->pdata[p], shared);

  self->offset += PERIOD;
  self->discont = FALSE;
  GST_OBJECT_LOCK (self);
  GST_AGGREGATOR_PAD (agg->srcpad)->segment.position = offset_time (self->offset);
  GST_OBJECT_UNLOCK (self);
  ret = gst_aggregator_finish_buffer (agg, g_steal_pointer (&shared));
  /* Nobody takes the program mix yet: the ears still matter. */
  return ret == GST_FLOW_NOT_LINKED ? GST_FLOW_OK : ret;
}

static GstFlowReturn
kaigi_mix_minus_aggregate (GstAggregator *agg, gboolean timeout)
{
  KaigiMixMinus *self = KAIGI_MIX_MINUS (agg);
  gboolean ready = TRUE, eos = TRUE, any = FALSE;
  GstFlowReturn ret;

  GST_OBJECT_LOCK (self);
  for (GList *l = GST_ELEMENT (self)->sinkpads; l; l = l->next)
    g_ptr_array_add (self->pads, gst_object_ref (l->data));
  GST_OBJECT_UNLOCK (self);

  if (self->offset == NO_OFFSET)
    choose_start (self);
  for (guint p = 0; p < self->pads->len; p++) {
    KaigiMixMinusPad *pad = self->pads->pdata[p];
    ready &= collect (self, pad, timeout);
    eos &= gst_aggregator_pad_is_eos (GST_AGGREGATOR_PAD (pad));
    any |= pad->spent || (pad->next_offset != NO_OFFSET && pad->next_offset > self->offset);
  }
  if (self->pads->len > 0 && eos && !any)
    ret = GST_FLOW_EOS; /* every input ended and nothing of theirs is left */
  else
    ret = ready ? mix (self) : GST_AGGREGATOR_FLOW_NEED_DATA;
  g_ptr_array_set_size (self->pads, 0);
  return ret;
}

/* Running time of the next period; before the first one, now (so that time runs out one
 * latency from now and the mix starts even if nobody sends). Aggregate thread. */
static GstClockTime
kaigi_mix_minus_get_next_time (GstAggregator *agg)
{
  KaigiMixMinus *self = KAIGI_MIX_MINUS (agg);

  return self->offset != NO_OFFSET ? offset_time (self->offset) : running_time_now (self);
}

/* Caps are fixed by the templates, so a caps event needs nothing and is not forwarded. */
static gboolean
kaigi_mix_minus_sink_event (GstAggregator *agg, GstAggregatorPad *pad, GstEvent *event)
{
  if (GST_EVENT_TYPE (event) == GST_EVENT_CAPS) {
    gst_event_unref (event);
    return TRUE;
  }
  return GST_AGGREGATOR_CLASS (kaigi_mix_minus_parent_class)->sink_event (agg, pad, event);
}

static void
reset_stream (KaigiMixMinus *self)
{
  self->offset = NO_OFFSET;
  self->discont = TRUE;
  kaigi_limiter_init (&self->limiter);
}

static gboolean
kaigi_mix_minus_start (GstAggregator *agg)
{
  reset_stream (KAIGI_MIX_MINUS (agg));
  return TRUE;
}

static GstFlowReturn
kaigi_mix_minus_flush (GstAggregator *agg)
{
  reset_stream (KAIGI_MIX_MINUS (agg));
  return GST_FLOW_OK;
}

/* ---- src_N: queries and events from the listener's side. Their streaming threads. ---- */

static gboolean
ear_query (GstPad *ear, GstObject *parent, GstQuery *query)
{
  /* Latency is the aggregator's, whichever source pad is asked. */
  if (GST_QUERY_TYPE (query) == GST_QUERY_LATENCY)
    return gst_pad_query (GST_AGGREGATOR_SRC_PAD (parent), query);
  return gst_pad_query_default (ear, parent, query);
}

static gboolean
ear_event (GstPad *ear, GstObject *parent, GstEvent *event)
{
  gboolean ok = GST_EVENT_TYPE (event) == GST_EVENT_RECONFIGURE
                || GST_EVENT_TYPE (event) == GST_EVENT_LATENCY;

  gst_event_unref (event); /* a listener cannot seek or steer the shared mix */
  return ok;
}

/* EOS and flushes of "src" reach every src_N too. Thread of whoever pushes them. */
static GstPadProbeReturn
forward_to_ears (GstPad *src, GstPadProbeInfo *info, gpointer user_data)
{
  GstElement *e = user_data;
  GstEvent *event = GST_PAD_PROBE_INFO_EVENT (info);
  g_autoptr (GPtrArray) ears = g_ptr_array_new_with_free_func (gst_object_unref);
  GstEventType t = GST_EVENT_TYPE (event);

  if (t != GST_EVENT_EOS && t != GST_EVENT_FLUSH_START && t != GST_EVENT_FLUSH_STOP)
    return GST_PAD_PROBE_OK;
  GST_OBJECT_LOCK (e);
  for (GList *l = e->srcpads; l; l = l->next)
    if (l->data != src)
      g_ptr_array_add (ears, gst_object_ref (l->data));
  GST_OBJECT_UNLOCK (e);
  for (guint i = 0; i < ears->len; i++)
    gst_pad_push_event (ears->pdata[i], gst_event_ref (event));
  return GST_PAD_PROBE_OK;
}

/* ---- pads come and go in pairs. Application thread. ---- */

static GstAggregatorPad *
kaigi_mix_minus_create_new_pad (GstAggregator *agg, GstPadTemplate *templ, const char *req_name,
                                const GstCaps *caps)
{
  GstAggregatorPad *ap = GST_AGGREGATOR_CLASS (kaigi_mix_minus_parent_class)
                             ->create_new_pad (agg, templ, req_name, caps);
  g_autofree char *name = NULL, *ear_name = NULL;
  KaigiMixMinusPad *pad;

  if (!ap)
    return NULL;
  pad = KAIGI_MIX_MINUS_PAD (ap);
  name = gst_pad_get_name (ap);
  ear_name = g_strdup_printf ("src_%s", name + strlen ("sink_"));
  pad->ear = gst_object_ref_sink (gst_pad_new_from_static_template (&ear_template, ear_name));
  gst_pad_set_query_function (pad->ear, ear_query);
  gst_pad_set_event_function (pad->ear, ear_event);
  return ap;
}

/* sink_N is added by GstAggregator; src_N follows (activated by add_pad when running). */
static GstPad *
kaigi_mix_minus_request_new_pad (GstElement *e, GstPadTemplate *templ, const char *name,
                                 const GstCaps *caps)
{
  GstPad *sink
      = GST_ELEMENT_CLASS (kaigi_mix_minus_parent_class)->request_new_pad (e, templ, name, caps);

  if (sink && !gst_element_add_pad (e, KAIGI_MIX_MINUS_PAD (sink)->ear)) {
    GST_WARNING_OBJECT (e, "cannot add the source pad of %s", GST_PAD_NAME (sink));
    GST_ELEMENT_CLASS (kaigi_mix_minus_parent_class)->release_pad (e, sink);
    return NULL;
  }
  return sink;
}

static void
kaigi_mix_minus_release_pad (GstElement *e, GstPad *sink)
{
  g_autoptr (GstPad) ear = gst_object_ref (KAIGI_MIX_MINUS_PAD (sink)->ear);

  GST_ELEMENT_CLASS (kaigi_mix_minus_parent_class)->release_pad (e, sink);
  /* Inactive first: waits for a push in progress, and later pushes return FLUSHING. */
  gst_pad_set_active (ear, FALSE);
  gst_element_remove_pad (e, ear);
}

static void
kaigi_mix_minus_finalize (GObject *object)
{
  g_ptr_array_unref (KAIGI_MIX_MINUS (object)->pads);
  G_OBJECT_CLASS (kaigi_mix_minus_parent_class)->finalize (object);
}

static void
kaigi_mix_minus_class_init (KaigiMixMinusClass *klass)
{
  GstElementClass *ec = GST_ELEMENT_CLASS (klass);
  GstAggregatorClass *ac = GST_AGGREGATOR_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = kaigi_mix_minus_finalize;
  gst_element_class_add_static_pad_template_with_gtype (ec, &src_template, GST_TYPE_AGGREGATOR_PAD);
  gst_element_class_add_static_pad_template_with_gtype (ec, &sink_template,
                                                        KAIGI_TYPE_MIX_MINUS_PAD);
  gst_element_class_add_static_pad_template (ec, &ear_template);
  gst_element_class_set_static_metadata (
      ec, "Kaigi mix-minus", "Filter/Audio/Mixer",
      "Sums every input once; each input's src pad gets the total minus itself", "kaigi");
  ec->request_new_pad = kaigi_mix_minus_request_new_pad;
  ec->release_pad = kaigi_mix_minus_release_pad;
  ac->aggregate = kaigi_mix_minus_aggregate;
  ac->get_next_time = kaigi_mix_minus_get_next_time;
  ac->sink_event = kaigi_mix_minus_sink_event;
  ac->create_new_pad = kaigi_mix_minus_create_new_pad;
  ac->start = kaigi_mix_minus_start;
  ac->flush = kaigi_mix_minus_flush;
}

static void
kaigi_mix_minus_init (KaigiMixMinus *self)
{
  GstAggregator *agg = GST_AGGREGATOR (self);

  self->pads = g_ptr_array_new_with_free_func (gst_object_unref);
  reset_stream (self);
  /* A meeting's mix runs on the clock even when nobody sends, and it needs a whole period
   * of input before it can mix it. */
  gst_aggregator_set_force_live (agg, TRUE);
  gst_aggregator_set_latency (agg, PERIOD_TIME, PERIOD_TIME);
  gst_pad_add_probe (agg->srcpad,
                     GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM | GST_PAD_PROBE_TYPE_EVENT_FLUSH,
                     forward_to_ears, self, NULL);
}

gboolean
kaigi_mixminus_register (void)
{
  static const char *tags[] = { NULL };
  static gsize once = 0;

  if (g_once_init_enter (&once)) {
    GST_DEBUG_CATEGORY_INIT (kaigi_mixminus_debug, "kaigi-mixminus", 0, "kaigi mix-minus mixer");
    gst_meta_register_custom (KAIGI_MIXMINUS_SHARED_META, tags, NULL, NULL, NULL);
    g_once_init_leave (&once, 1);
  }
  return gst_element_register (NULL, "kaigimixminus", GST_RANK_NONE, KAIGI_TYPE_MIX_MINUS);
}

gboolean
kaigi_mixminus_buffer_is_shared (GstBuffer *buffer)
{
  return gst_buffer_get_custom_meta (buffer, KAIGI_MIXMINUS_SHARED_META) != NULL;
}
