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
typedef void (*KaigiGraphErrorFunc) (gpointer owner, const char *message);

KaigiGraph *kaigi_graph_new (GError **error);
void kaigi_graph_free (KaigiGraph *graph);

/* Adds @element to the pipeline (which sinks a floating reference) and tags it with @owner.
 * The caller links it, then brings it up with gst_element_sync_state_with_parent(). */
GstElement *kaigi_graph_add (KaigiGraph *graph, GstElement *element, gpointer owner,
                             KaigiGraphErrorFunc on_error);
/* Sets @element to NULL and removes it. Main thread; never from a streaming thread. */
void kaigi_graph_remove (KaigiGraph *graph, GstElement *element);
GstElement *kaigi_graph_make (const char *factory, const char *name, GError **error);
GstPipeline *kaigi_graph_pipeline (KaigiGraph *graph);

G_END_DECLS
