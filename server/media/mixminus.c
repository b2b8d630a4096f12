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
 * marked with the KaigiMixShared meta, so that it can be encoded once for all of them. With
 * "opus-bitrate" set, it is: the total is encoded here once per period, on this thread (one
 * encoder whose state follows the total without a gap), and the packet rides in the meta
 * ("opus", a GstBuffer) to every silent listener's kaigiopusear, which sends it as it is.
 *
 * Format: fixed S16LE, 48000 Hz, mono, interleaved on every pad (what the receive chains
 * decode to, chains.c); nothing is converted here. Output period: 20 ms (one Opus frame).
 *
 * Timing (live; GstAggregator semantics): the element is always live (force-live). A period
 * is produced when every input has covered it, or when the clock reaches the period's start
 * plus the latency (upstream's + the "latency" property + one period, which we report); an
 * input that has not delivered by then counts as silence for that period, and its data that
 * comes later than its period is dropped. Inputs are placed by running time, so buffers of
 * any size line up (mixminus-input.c: the sink pads and that placing). Output timestamps
 * are running time (default TIME segment).
 *
 * Groups: inputs with the same non-zero pad property "group" come from one place (a venue's
 * page and the WHIP ingest of its room mics): each one's ear is the total minus the whole
 * group, and it gets the shared total only while the whole group is silent.
 *
 * Per period and input: RMS level (pad property "level-db"), the speaking detector and the
 * silence rule (mixdsp.h: numbers and reasons); a change of speaking posts the element
 * message "kaigi-speaking" (pad, speaking, level-db, running-time).
 *
 * Threads: pads are requested and released on the application's thread. aggregate(), the
 * pushes on src_N and the bus messages run on the aggregator's src pad task; the pads'
 * mixing state is touched only there (and in flush/start, while that task is stopped). The
 * read-only pad properties are under the pad's object lock. */
#include "mixminus-private.h"

#include <string.h>

GST_DEBUG_CATEGORY_STATIC (kaigi_mixminus_debug);
#define GST_CAT_DEFAULT kaigi_mixminus_debug

#define CAPS "audio/x-raw, format=S16LE, rate=48000, channels=1, layout=interleaved"

static GstStaticPadTemplate src_template
    = GST_STATIC_PAD_TEMPLATE ("src", GST_PAD_SRC, GST_PAD_ALWAYS, GST_STATIC_CAPS (CAPS));
static GstStaticPadTemplate sink_template
    = GST_STATIC_PAD_TEMPLATE ("sink_%u", GST_PAD_SINK, GST_PAD_REQUEST, GST_STATIC_CAPS (CAPS));
static GstStaticPadTemplate ear_template
    = GST_STATIC_PAD_TEMPLATE ("src_%u", GST_PAD_SRC, GST_PAD_SOMETIMES, GST_STATIC_CAPS (CAPS));

/* ---- the element ---- */

G_DEFINE_TYPE (KaigiMixMinus, kaigi_mix_minus, GST_TYPE_AGGREGATOR)

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

/* A new buffer holding limit (@sum - @own), with @lim's state. */
static GstBuffer *
limited (KaigiMixMinus *self, KaigiLimiter *lim, const gint32 *sum, const gint16 *own)
{
  GstBuffer *buf = new_period_buffer (self);
  GstMapInfo map;

  gst_buffer_map (buf, &map, GST_MAP_WRITE);
  kaigi_limiter_run (lim, sum, own, (gint16 *)map.data, PERIOD);
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

/* One participant's period: level and voice (before any ear is served: a group's ears need
 * every member's). */
static void
listen_to (KaigiMixMinus *self, KaigiMixMinusPad *pad)
{
  double level = kaigi_mix_level_db (pad->in, PERIOD);
  gboolean changed = kaigi_voice_update (&pad->voice, level, PERIOD_MS);

  GST_OBJECT_LOCK (pad);
  pad->level_db = level;
  pad->speaking = pad->voice.speaking;
  pad->group_now = pad->group;
  GST_OBJECT_UNLOCK (pad);
  if (changed)
    post_speaking (self, pad, level);
}

/* The ear of @pad: the shared total if @pad is silent (and so is the rest of its group),
 * else the total minus its own input (minus its group's), through its own limiter. */
static void
serve_ear (KaigiMixMinus *self, KaigiMixMinusPad *pad, GstBuffer *shared)
{
  gboolean silent = kaigi_voice_silent (&pad->voice), grouped = FALSE;
  gint32 rest[PERIOD];
  GstBuffer *out;
  GstFlowReturn ret;

  for (guint p = 0; pad->group_now && p < self->pads->len; p++) {
    KaigiMixMinusPad *q = self->pads->pdata[p];
    if (q == pad || q->group_now != pad->group_now)
      continue;
    if (!grouped)
      memcpy (rest, self->total, sizeof rest);
    grouped = TRUE;
    silent &= kaigi_voice_silent (&q->voice);
    for (guint i = 0; i < PERIOD; i++)
      rest[i] -= q->in[i];
  }
  GST_OBJECT_LOCK (pad);
  pad->shared_prop = silent;
  GST_OBJECT_UNLOCK (pad);
  if (silent)
    out = gst_buffer_ref (shared);
  else {
    if (pad->shared) /* leaving the shared mix: go on from the gain it had */
      pad->limiter = self->limiter_at;
    out = limited (self, &pad->limiter, grouped ? rest : self->total, pad->in);
  }
  pad->shared = silent;
  ear_events (self, pad->ear);
  ret = gst_pad_push (pad->ear, out);
  /* An ear not linked yet, or being torn down, is that participant's business alone. */
  if (ret != GST_FLOW_OK)
    GST_LOG_OBJECT (pad->ear, "push: %s", gst_flow_get_name (ret));
}

/* After every ear of the period: the input's period is spent. */
static void
next_period (KaigiMixMinus *self, KaigiMixMinusPad *pad)
{
  memset (pad->in, 0, sizeof pad->in);
  pad->filled = 0;
  if (pad->spent) {
    gst_aggregator_pad_drop_buffer (GST_AGGREGATOR_PAD (pad));
    pad->head = NULL;
    pad->next_offset = self->offset + PERIOD;
    pad->spent = FALSE;
  }
}

/* The total's Opus packet for this period, into the shared buffer's meta (before any ear gets
 * it). Nothing when no encoding was asked for, or nobody listens. */
static void
encode_shared (KaigiMixMinus *self, GstBuffer *shared)
{
  GstCustomMeta *meta = gst_buffer_get_custom_meta (shared, KAIGI_MIXMINUS_SHARED_META);
  guchar data[KAIGI_MIXMINUS_MAX_PACKET];
  GstMapInfo map;
  opus_int32 n;
  gint bitrate;
  GstBuffer *pkt;

  GST_OBJECT_LOCK (self);
  bitrate = self->opus_bitrate;
  GST_OBJECT_UNLOCK (self);
  if (!bitrate || !meta || self->pads->len == 0)
    return;
  if (!self->opus) {
    int err = 0;
    self->opus = opus_encoder_create (RATE, 1, OPUS_APPLICATION_AUDIO, &err);
    if (!self->opus) {
      GST_WARNING_OBJECT (self, "no Opus encoder: %s", opus_strerror (err));
      return;
    }
  }
  opus_encoder_ctl (self->opus, OPUS_SET_BITRATE (bitrate));
  gst_buffer_map (shared, &map, GST_MAP_READ);
  n = opus_encode (self->opus, (const opus_int16 *)map.data, PERIOD, data, sizeof data);
  gst_buffer_unmap (shared, &map);
  if (n <= 0) {
    GST_WARNING_OBJECT (self, "Opus: %s", opus_strerror (n));
    return;
  }
  pkt = gst_buffer_new_memdup (data, n);
  GST_BUFFER_PTS (pkt) = GST_BUFFER_PTS (shared);
  GST_BUFFER_DURATION (pkt) = GST_BUFFER_DURATION (shared);
  gst_structure_set (gst_custom_meta_get_structure (meta), "opus", GST_TYPE_BUFFER, pkt, NULL);
  gst_buffer_unref (pkt);
  self->opus_packets++;
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
  shared = limited (self, &self->limiter, self->total, NULL);
  gst_buffer_add_custom_meta (shared, KAIGI_MIXMINUS_SHARED_META);
  encode_shared (self, shared);
  for (guint p = 0; p < self->pads->len; p++)
    listen_to (self, self->pads->pdata[p]);
  for (guint p = 0; p < self->pads->len; p++)
    serve_ear (self, self->pads->pdata[p], shared);
  for (guint p = 0; p < self->pads->len; p++)
    next_period (self, self->pads->pdata[p]);

  self->offset += PERIOD;
  self->discont = FALSE;
  GST_OBJECT_LOCK (self);
  GST_AGGREGATOR_PAD (agg->srcpad)->segment.position = offset_time (self->offset);
  GST_OBJECT_UNLOCK (self);
  ret = gst_aggregator_finish_buffer (agg, g_steal_pointer (&shared));
  /* Nobody takes the program mix, or what takes it is being torn down (flushing while our
   * own pad is not): the ears still matter, as an ear's own flow never stops the others. */
  if (ret == GST_FLOW_NOT_LINKED
      || (ret == GST_FLOW_FLUSHING && !GST_PAD_IS_FLUSHING (agg->srcpad))) {
    GST_LOG_OBJECT (self, "total: %s", gst_flow_get_name (ret));
    return GST_FLOW_OK;
  }
  return ret;
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
    kaigi_mix_minus_choose_start (self);
  for (guint p = 0; p < self->pads->len; p++) {
    KaigiMixMinusPad *pad = self->pads->pdata[p];
    ready &= kaigi_mix_minus_collect (self, pad, timeout);
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

  return self->offset != NO_OFFSET ? offset_time (self->offset)
                                   : kaigi_mix_minus_running_time_now (self);
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
  if (self->opus)
    opus_encoder_ctl (self->opus, OPUS_RESET_STATE);
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

enum { PROP_0, PROP_OPUS_BITRATE, PROP_OPUS_PACKETS };

static void
kaigi_mix_minus_set_property (GObject *object, guint id, const GValue *value, GParamSpec *pspec)
{
  KaigiMixMinus *self = KAIGI_MIX_MINUS (object);

  if (id != PROP_OPUS_BITRATE) {
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, id, pspec);
    return;
  }
  GST_OBJECT_LOCK (self);
  self->opus_bitrate = g_value_get_int (value);
  GST_OBJECT_UNLOCK (self);
}

/* "opus-packets" is read while the element is stopped, or for figures (a torn read of a
 * 64-bit counter on a 64-bit machine does not happen). */
static void
kaigi_mix_minus_get_property (GObject *object, guint id, GValue *value, GParamSpec *pspec)
{
  KaigiMixMinus *self = KAIGI_MIX_MINUS (object);

  GST_OBJECT_LOCK (self);
  if (id == PROP_OPUS_BITRATE)
    g_value_set_int (value, self->opus_bitrate);
  else if (id == PROP_OPUS_PACKETS)
    g_value_set_uint64 (value, self->opus_packets);
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, id, pspec);
  GST_OBJECT_UNLOCK (self);
}

static void
kaigi_mix_minus_finalize (GObject *object)
{
  g_clear_pointer (&KAIGI_MIX_MINUS (object)->opus, opus_encoder_destroy);
  g_ptr_array_unref (KAIGI_MIX_MINUS (object)->pads);
  G_OBJECT_CLASS (kaigi_mix_minus_parent_class)->finalize (object);
}

static void
kaigi_mix_minus_class_init (KaigiMixMinusClass *klass)
{
  GstElementClass *ec = GST_ELEMENT_CLASS (klass);
  GstAggregatorClass *ac = GST_AGGREGATOR_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = kaigi_mix_minus_finalize;
  G_OBJECT_CLASS (klass)->set_property = kaigi_mix_minus_set_property;
  G_OBJECT_CLASS (klass)->get_property = kaigi_mix_minus_get_property;
  g_object_class_install_property (
      G_OBJECT_CLASS (klass), PROP_OPUS_BITRATE,
      g_param_spec_int ("opus-bitrate", "Opus bitrate",
                        "Encode the total once per period for the silent listeners (bit/s, "
                        "0: do not)",
                        0, 510000, 0, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property (
      G_OBJECT_CLASS (klass), PROP_OPUS_PACKETS,
      g_param_spec_uint64 ("opus-packets", "Opus packets", "Shared packets encoded so far", 0,
                           G_MAXUINT64, 0, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  /* The pad class makes the input side's debug category, which a mixer logs with before it
   * has any input (its first period, when time runs out): kept for the process's life. */
  g_type_class_ref (KAIGI_TYPE_MIX_MINUS_PAD);
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

GstBuffer *
kaigi_mixminus_shared_opus (GstBuffer *buffer)
{
  GstCustomMeta *meta = gst_buffer_get_custom_meta (buffer, KAIGI_MIXMINUS_SHARED_META);
  const GValue *v
      = meta ? gst_structure_get_value (gst_custom_meta_get_structure (meta), "opus") : NULL;

  return v && GST_VALUE_HOLDS_BUFFER (v) ? gst_value_get_buffer (v) : NULL;
}
