/* graph.h: the one GstPipeline that holds every participant's media.
 *
 * Main thread: create, add/remove elements, bus messages. Elements are tagged with the
 * owner (a participant's peer) so that an error inside one webrtcbin is reported to that
 * owner alone and the pipeline carries on for everyone else. */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

typedef struct _KaigiGraph KaigiGraph;

/* Called on the main thread when an element tagged with @owner posts an error. */
/* The GError of the element's error message: its domain tells a resource (file, device) from a
 * stream problem. */
typedef void (*KaigiGraphErrorFunc) (gpointer owner, const GError *error);

/* Called on the main thread with an element message (GST_MESSAGE_ELEMENT) from @owner's
 * element or one of its children. */
typedef void (*KaigiGraphMessageFunc) (gpointer owner, GstMessage *message);

KaigiGraph *kaigi_graph_new (GError **error);
void kaigi_graph_free (KaigiGraph *graph);

/* Adds @element to the pipeline (which sinks a floating reference) and tags it with @owner.
 * The caller links it, then brings it up with gst_element_sync_state_with_parent(). */
GstElement *kaigi_graph_add (KaigiGraph *graph, GstElement *element, gpointer owner,
                             KaigiGraphErrorFunc on_error);
/* Sets @element to NULL and removes it. Main thread; never from a streaming thread. */
void kaigi_graph_remove (KaigiGraph *graph, GstElement *element);
GstElement *kaigi_graph_make (const char *factory, const char *name, GError **error);
/* Makes @queue leaky downstream: when it holds @max_time, its oldest data goes. Use it for
 * every leaky queue, never "max-size-time" directly: a queue linked into a running pipeline
 * measures its level from running time 0 until its first buffer has left, so it "fills" on
 * its second buffer and leaks from its head while its own thread pushes the first (GStreamer
 * 1.22: the stream's first buffers lost, and its sticky events stored out of order, "got
 * 'segment' before 'caps'"). Until then a count of buffers (one per 10 ms) bounds it. */
void kaigi_graph_leaky_queue (GstElement *queue, GstClockTime max_time);
GstPipeline *kaigi_graph_pipeline (KaigiGraph *graph);
/* Element messages of @element (added with an owner) go to @func. */
void kaigi_graph_watch_messages (GstElement *element, KaigiGraphMessageFunc func);
/* The pipeline's running time now (media time: what buffers and pieces are stamped with). */
guint64 kaigi_graph_running_time (KaigiGraph *graph);
/* Wall clock (g_get_real_time, µs) at running time @running_time (ns) of this process. */
gint64 kaigi_graph_wall_clock_of (KaigiGraph *graph, guint64 running_time);
/* The running time (ns) at wall clock @wall_us; 0 for a time before the graph started. */
guint64 kaigi_graph_running_time_of (KaigiGraph *graph, gint64 wall_us);

G_END_DECLS
