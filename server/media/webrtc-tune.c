/* webrtc-tune.c: see webrtc-tune.h. */
#include "webrtc-tune.h"

#include "receive-bypass.h"

/* The segment is touched only under the funnel's source stream lock (rtpfunnel takes it for
 * every input's data, and sends segments only then); `valid` also by a flush-stop, which comes
 * without that lock (no flush happens on kaigi's send paths: nothing seeks them; it is kept
 * right in case one does). TOS events come both ways: re-sent with an input's data (under the
 * lock) and forwarded as they arrive on an input (webrtcbin sends one when a transceiver gets
 * its mid and caps), so the mids have a lock of their own. */
typedef struct {
  GstSegment segment;
  gint valid;           /* atomic */
  GMutex lock;          /* for tos_mids */
  GHashTable *tos_mids; /* mids whose TOS event went through */
} FunnelMemo;

static void
funnel_memo_free (gpointer data)
{
  FunnelMemo *memo = data;

  g_hash_table_destroy (memo->tos_mids);
  g_mutex_clear (&memo->lock);
  g_free (memo);
}

/* Equal but for the position (the inputs' segments differ only there: where each stream
 * was when it started), which downstream of the funnel nothing reads: nicesink tracks its
 * own position from the buffers. */
static gboolean
same_segment (const GstSegment *a, const GstSegment *b)
{
  return a->format == b->format && a->flags == b->flags && a->rate == b->rate
         && a->applied_rate == b->applied_rate && a->base == b->base && a->offset == b->offset
         && a->start == b->start && a->stop == b->stop && a->time == b->time
         && a->duration == b->duration;
}

static gboolean
repeated_tos (FunnelMemo *memo, GstEvent *event)
{
  const GstStructure *s = gst_event_get_structure (event);
  const char *mid = s && gst_structure_has_name (s, "GstWebRtcBinUpdateTos")
                        ? gst_structure_get_string (s, "mid")
                        : NULL;
  gboolean seen;

  if (!mid)
    return FALSE;
  g_mutex_lock (&memo->lock);
  seen = g_hash_table_contains (memo->tos_mids, mid);
  if (!seen)
    g_hash_table_add (memo->tos_mids, g_strdup (mid));
  g_mutex_unlock (&memo->lock);
  return seen;
}

static GstPadProbeReturn
drop_repeated_events (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  GstEvent *event = GST_PAD_PROBE_INFO_EVENT (info);
  FunnelMemo *memo = user_data;
  const GstSegment *segment;

  switch (GST_EVENT_TYPE (event)) {
  case GST_EVENT_FLUSH_STOP:
  case GST_EVENT_STREAM_START:
  case GST_EVENT_EOS:
    g_atomic_int_set (&memo->valid, FALSE);
    return GST_PAD_PROBE_OK;
  case GST_EVENT_SEGMENT:
    gst_event_parse_segment (event, &segment);
    if (g_atomic_int_get (&memo->valid) && same_segment (&memo->segment, segment))
      break;
    gst_segment_copy_into (segment, &memo->segment);
    g_atomic_int_set (&memo->valid, TRUE);
    return GST_PAD_PROBE_OK;
  case GST_EVENT_CUSTOM_DOWNSTREAM_STICKY:
    if (repeated_tos (memo, event))
      break;
    return GST_PAD_PROBE_OK;
  default:
    return GST_PAD_PROBE_OK;
  }
  gst_event_unref (event);
  return GST_PAD_PROBE_HANDLED;
}

void
kaigi_funnel_drop_repeated_events (GstElement *funnel)
{
  g_autoptr (GstPad) src = gst_element_get_static_pad (funnel, "src");
  FunnelMemo *memo = g_new0 (FunnelMemo, 1);

  g_mutex_init (&memo->lock);
  memo->tos_mids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  if (src)
    gst_pad_add_probe (src, GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM | GST_PAD_PROBE_TYPE_EVENT_FLUSH,
                       drop_repeated_events, memo, funnel_memo_free);
  else
    funnel_memo_free (memo);
}

static gboolean
made_by (GstElement *element, const char *factory)
{
  GstElementFactory *f = gst_element_get_factory (element);

  return f && g_str_equal (GST_OBJECT_NAME (f), factory);
}

/* Thread: whichever adds the element (the caller of a pad request, webrtcbin's own). */
static void
on_deep_element_added (GstBin *bin, GstBin *sub_bin, GstElement *element, gpointer live_send)
{
  if (live_send && made_by (element, "clocksync"))
    g_object_set (element, "sync", FALSE, NULL);
  if (made_by (element, "rtpjitterbuffer"))
    g_object_set (element, "rtx-next-seqnum", FALSE, NULL);
}

/* Thread: as above. The rtpfunnel is webrtcbin's own child, not in a sub-bin. */
static void
on_element_added (GstBin *bin, GstElement *element, gpointer user_data)
{
  if (made_by (element, "rtpfunnel"))
    kaigi_funnel_drop_repeated_events (element);
  /* KAIGI_RECEIVE_QUEUE=keep leaves webrtcbin's receive queues in place (for comparisons). */
  if (g_str_equal (G_OBJECT_TYPE_NAME (element), "TransportReceiveBin")
      && g_strcmp0 (g_getenv ("KAIGI_RECEIVE_QUEUE"), "keep") != 0)
    kaigi_receive_bypass_watch (element);
}

void
kaigi_webrtc_tune (GstElement *webrtcbin, gboolean live_send)
{
  g_signal_connect (webrtcbin, "deep-element-added", G_CALLBACK (on_deep_element_added),
                    GINT_TO_POINTER (live_send));
  g_signal_connect (webrtcbin, "element-added", G_CALLBACK (on_element_added), NULL);
}
