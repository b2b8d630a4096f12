/* graph.c: the pipeline all participants' media live in.
 *
 * Why one pipeline: forwarding a publisher's RTP to a subscriber is then a pad link, with
 * one clock and one running time for every mixer, instead of a bridge between pipelines.
 * The price is that errors must be contained: every element we add is tagged with its owner
 * (a KaigiPeer) and an error message from it, or from any child of it (webrtcbin's internals),
 * goes to that owner's error callback; the pipeline itself is never stopped by one peer.
 * The pipeline is set to PLAYING once, empty, and elements join it with
 * gst_element_sync_state_with_parent.
 * Thread: main loop (the bus watch is attached to the default GMainContext). */
#include "graph.h"

#include <gst/base/gstbasesink.h>

#include "kaigi-error.h"
#include "srtp-crypto.h"

GST_DEBUG_CATEGORY_STATIC (kaigi_graph_debug);
#define GST_CAT_DEFAULT kaigi_graph_debug

#define OWNER_KEY "kaigi-owner"
#define ERROR_FUNC_KEY "kaigi-owner-error"
#define MESSAGE_FUNC_KEY "kaigi-owner-message"

struct _KaigiGraph {
  GstPipeline *pipeline; /* owned */
  guint bus_watch;
  guint latency_timer; /* a recalculation of the pipeline's latency is due */
};

/* The latency is recalculated at most this often (ms). */
#define LATENCY_COALESCE_MS 200

static gboolean
find_owner_func (GstObject *obj, const char *key, gpointer *owner, gpointer *func)
{
  for (; obj; obj = GST_OBJECT_PARENT (obj)) {
    gpointer o = g_object_get_data (G_OBJECT (obj), OWNER_KEY);
    if (o) {
      *owner = o;
      *func = g_object_get_data (G_OBJECT (obj), key);
      return TRUE;
    }
  }
  return FALSE;
}

static gboolean
find_owner (GstObject *obj, gpointer *owner, KaigiGraphErrorFunc *func)
{
  gpointer f = NULL;
  gboolean found = find_owner_func (obj, ERROR_FUNC_KEY, owner, &f);

  *func = (KaigiGraphErrorFunc)f;
  return found;
}

/* Element messages (splitmuxsink's fragment-opened/closed) go to the owner that asked. */
static void
route_element_message (GstMessage *msg)
{
  gpointer owner = NULL, func = NULL;

  if (find_owner_func (GST_MESSAGE_SRC (msg), MESSAGE_FUNC_KEY, &owner, &func) && func)
    ((KaigiGraphMessageFunc)func) (owner, msg);
}

/* Main thread (bus watch). */
static gboolean
recalculate_latency (gpointer data)
{
  KaigiGraph *g = data;

  g->latency_timer = 0;
  gst_bin_recalculate_latency (GST_BIN (g->pipeline));
  return G_SOURCE_REMOVE;
}

/* A latency message: the whole pipeline's latency is queried again (every sink, upstream
 * through everything: at 10 participants the graph has thousands of pads). A sink that does
 * not sync to the clock does not need it, and most messages come from those: the recording's
 * pieces post one for every new file (340 of 451 messages in a 10 s media bench window at 10
 * participants; the main loop spent 13-19 % of a core recalculating). The others are
 * gathered into one recalculation at most every LATENCY_COALESCE_MS. */
static void
schedule_latency (KaigiGraph *g, GstMessage *msg)
{
  GstObject *src = GST_MESSAGE_SRC (msg);

  if (GST_IS_BASE_SINK (src) && !gst_base_sink_get_sync (GST_BASE_SINK (src)))
    return;
  if (!g->latency_timer)
    g->latency_timer = g_timeout_add (LATENCY_COALESCE_MS, recalculate_latency, g);
}

/* Only what on_bus reads reaches the bus's queue. The rest (state changes, stream status,
 * stream starts: hundreds a second when many things start or stop) is dropped as it is posted,
 * on the poster's thread. Besides the main loop's time, this spares the queue: 1.22's
 * GstAtomicQueue makes every poster spin until the posters before it have finished, and the
 * recordings' splitmuxsinks all rotate their files at once (every 2 s, four state changes per
 * file): 55 such threads spinning on two cores held a stop for more than 5 s (their stacks,
 * N=30). Bins see their children's messages before the bus does (GstBin's own handling), so
 * nothing in the pipeline misses them. Thread: the poster's. */
static GstBusSyncReply
keep_needed (GstBus *bus, GstMessage *msg, gpointer user_data)
{
  switch (GST_MESSAGE_TYPE (msg)) {
  case GST_MESSAGE_ERROR:
  case GST_MESSAGE_WARNING:
  case GST_MESSAGE_ELEMENT:
  case GST_MESSAGE_LATENCY:
    return GST_BUS_PASS;
  default:
    gst_message_unref (msg); /* a sync handler that drops a message owns it */
    return GST_BUS_DROP;
  }
}

static gboolean
on_bus (GstBus *bus, GstMessage *msg, gpointer user_data)
{
  KaigiGraph *g = user_data;

  switch (GST_MESSAGE_TYPE (msg)) {
  case GST_MESSAGE_ERROR: {
    g_autoptr (GError) err = NULL;
    g_autofree char *dbg = NULL;
    gpointer owner = NULL;
    KaigiGraphErrorFunc func = NULL;

    gst_message_parse_error (msg, &err, &dbg);
    if (find_owner (GST_MESSAGE_SRC (msg), &owner, &func) && func) {
      GST_WARNING ("error in %s: %s (%s)", GST_MESSAGE_SRC_NAME (msg), err->message, dbg);
      func (owner, err);
    } else {
      /* Removed already (its teardown flushed it), or not one of ours. */
      GST_INFO ("error in %s, no owner: %s (%s)", GST_MESSAGE_SRC_NAME (msg), err->message, dbg);
    }
    break;
  }
  case GST_MESSAGE_WARNING: {
    g_autoptr (GError) err = NULL;
    gst_message_parse_warning (msg, &err, NULL);
    GST_INFO ("warning from %s: %s", GST_MESSAGE_SRC_NAME (msg), err->message);
    break;
  }
  case GST_MESSAGE_ELEMENT:
    route_element_message (msg);
    break;
  case GST_MESSAGE_LATENCY:
    schedule_latency (g, msg);
    break;
  default:
    break;
  }
  return G_SOURCE_CONTINUE;
}

KaigiGraph *
kaigi_graph_new (GError **error)
{
  KaigiGraph *g = g_new0 (KaigiGraph, 1);
  g_autoptr (GstBus) bus = NULL;
  g_autoptr (GError) srtp_error = NULL;

  GST_DEBUG_CATEGORY_INIT (kaigi_graph_debug, "kaigi-graph", 0, "kaigi media graph");
  /* Before any peer's SRTP exists (srtp-crypto.h). libsrtp's own still works if this fails. */
  if (!kaigi_srtp_crypto_init (&srtp_error))
    g_warning ("%s", srtp_error->message);
  GST_INFO ("SRTP ciphers: %s", kaigi_srtp_crypto_name ());
  g->pipeline = GST_PIPELINE (gst_object_ref_sink (gst_pipeline_new ("kaigi")));
  bus = gst_pipeline_get_bus (g->pipeline);
  gst_bus_set_sync_handler (bus, keep_needed, NULL, NULL);
  g->bus_watch = gst_bus_add_watch (bus, on_bus, g);
  if (gst_element_set_state (GST_ELEMENT (g->pipeline), GST_STATE_PLAYING)
      == GST_STATE_CHANGE_FAILURE) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_MEDIA, "cannot start the media pipeline");
    kaigi_graph_free (g);
    return NULL;
  }
  return g;
}

void
kaigi_graph_free (KaigiGraph *g)
{
  if (!g)
    return;
  gst_element_set_state (GST_ELEMENT (g->pipeline), GST_STATE_NULL);
  if (g->bus_watch)
    g_source_remove (g->bus_watch);
  if (g->latency_timer)
    g_source_remove (g->latency_timer);
  gst_object_unref (g->pipeline);
  g_free (g);
}

GstElement *
kaigi_graph_make (const char *factory, const char *name, GError **error)
{
  GstElement *e = gst_element_factory_make (factory, name);

  if (!e)
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_MEDIA,
                 "GStreamer element '%s' is missing (is its plugin package installed?)", factory);
  return e;
}

/* Thread: @queue's streaming thread, once, as its first buffer leaves: the level is now
 * measured between two real running times. */
static GstPadProbeReturn
limit_time_once_flowing (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  GstObject *queue = gst_pad_get_parent (pad);

  if (queue) {
    g_object_set (queue, "max-size-time", GPOINTER_TO_SIZE (user_data) * GST_MSECOND, NULL);
    gst_object_unref (queue);
  }
  return GST_PAD_PROBE_REMOVE;
}

void
kaigi_graph_leaky_queue (GstElement *queue, GstClockTime max_time)
{
  g_autoptr (GstPad) src = gst_element_get_static_pad (queue, "src");
  guint max_buffers = MAX (1, max_time / (10 * GST_MSECOND));

  g_object_set (queue, "leaky", 2 /* downstream */, "max-size-buffers", max_buffers,
                "max-size-bytes", 0, "max-size-time", (guint64)0, NULL);
  gst_pad_add_probe (src, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST,
                     limit_time_once_flowing, GSIZE_TO_POINTER (max_time / GST_MSECOND), NULL);
}

GstElement *
kaigi_graph_add (KaigiGraph *g, GstElement *e, gpointer owner, KaigiGraphErrorFunc on_error)
{
  g_object_set_data (G_OBJECT (e), OWNER_KEY, owner);
  g_object_set_data (G_OBJECT (e), ERROR_FUNC_KEY, on_error);
  gst_bin_add (GST_BIN (g->pipeline), e);
  return e;
}

void
kaigi_graph_remove (KaigiGraph *g, GstElement *e)
{
  /* Messages the element posted while it was torn down may still wait on the bus; by the time
   * they are dispatched, its owner may be freed. Untagged, they are logged and dropped. */
  g_object_set_data (G_OBJECT (e), OWNER_KEY, NULL);
  g_object_set_data (G_OBJECT (e), ERROR_FUNC_KEY, NULL);
  g_object_set_data (G_OBJECT (e), MESSAGE_FUNC_KEY, NULL);
  gst_element_set_state (e, GST_STATE_NULL);
  gst_bin_remove (GST_BIN (g->pipeline), e);
}

GstPipeline *
kaigi_graph_pipeline (KaigiGraph *g)
{
  return g->pipeline;
}

void
kaigi_graph_watch_messages (GstElement *e, KaigiGraphMessageFunc func)
{
  g_object_set_data (G_OBJECT (e), MESSAGE_FUNC_KEY, func);
}

guint64
kaigi_graph_running_time (KaigiGraph *g)
{
  /* The clock in use, not gst_pipeline_get_clock(): that one may hold a clock election, which
   * walks every element sorted and warns "loop detected" (peers feed each other's mixes). */
  g_autoptr (GstClock) clock = gst_element_get_clock (GST_ELEMENT (g->pipeline));

  if (!clock)
    return 0;
  return gst_clock_get_time (clock) - gst_element_get_base_time (GST_ELEMENT (g->pipeline));
}

gint64
kaigi_graph_wall_clock_of (KaigiGraph *g, guint64 running_time)
{
  gint64 now_rt = (gint64)kaigi_graph_running_time (g);

  return g_get_real_time () - (now_rt - (gint64)running_time) / GST_USECOND;
}

guint64
kaigi_graph_running_time_of (KaigiGraph *g, gint64 wall_us)
{
  gint64 now_rt = (gint64)kaigi_graph_running_time (g);
  gint64 rt = now_rt - (g_get_real_time () - wall_us) * GST_USECOND;

  return rt > 0 ? (guint64)rt : 0;
}
