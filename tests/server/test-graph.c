/* test-graph.c: errors in the one pipeline reach the element's owner, and only while the
 * element is in the graph: an error still queued on the bus when its owner has been torn
 * down (and freed) must not reach it. The bus queues only what the graph reads (errors,
 * warnings, element messages, latency), not the state changes of elements coming and going. */
#include <gst/gst.h>

#include "media/graph.h"

typedef struct {
  int errors;
  char *last; /* owned */
} Owner;

static void
on_error (gpointer owner, const GError *error)
{
  Owner *o = owner;

  o->errors++;
  g_free (o->last);
  o->last = g_strdup (error->message);
}

static void
post_error (GstElement *e, const char *text)
{
  GError *err = g_error_new_literal (GST_STREAM_ERROR, GST_STREAM_ERROR_FAILED, text);

  gst_element_post_message (e, gst_message_new_error (GST_OBJECT (e), err, "test"));
  g_error_free (err);
}

static void
drain (void)
{
  gint64 end = g_get_monotonic_time () + 200 * G_TIME_SPAN_MILLISECOND;

  while (g_get_monotonic_time () < end)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (1000);
}

static void
test_error_reaches_owner_while_in_graph (void)
{
  g_autoptr (GError) error = NULL;
  KaigiGraph *g = kaigi_graph_new (&error);
  Owner a = { 0 }, b = { 0 };
  GstElement *ea = kaigi_graph_make ("fakesink", "a", &error);
  GstElement *eb = kaigi_graph_make ("fakesink", "b", &error);

  g_assert_no_error (error);
  gst_object_ref (ea);
  gst_object_ref (eb);
  kaigi_graph_add (g, ea, &a, on_error);
  kaigi_graph_add (g, eb, &b, on_error);
  post_error (ea, "broken a");
  drain ();
  g_assert_cmpint (a.errors, ==, 1);
  g_assert_cmpstr (a.last, ==, "broken a");
  g_assert_cmpint (b.errors, ==, 0); /* the other owner carries on */

  /* Posted while b is torn down, dispatched after it was removed: b is not told. */
  post_error (eb, "flushed during teardown");
  kaigi_graph_remove (g, eb);
  drain ();
  g_assert_cmpint (b.errors, ==, 0);
  /* The pipeline itself carries on. */
  g_assert_cmpint (GST_STATE (kaigi_graph_pipeline (g)), ==, GST_STATE_PLAYING);

  gst_object_unref (ea);
  gst_object_unref (eb);
  kaigi_graph_free (g);
  g_free (a.last);
}

static void
on_element_message (gpointer owner, GstMessage *msg)
{
  Owner *o = owner;

  g_free (o->last);
  o->last = g_strdup (gst_structure_get_name (gst_message_get_structure (msg)));
}

static void
test_bus_keeps_only_needed (void)
{
  g_autoptr (GError) error = NULL;
  KaigiGraph *g = kaigi_graph_new (&error);
  g_autoptr (GstBus) bus = gst_pipeline_get_bus (kaigi_graph_pipeline (g));
  Owner a = { 0 };
  GstElement *e;

  g_assert_no_error (error);
  drain ();
  g_assert_false (gst_bus_have_pending (bus));
  /* Elements joining and leaving: a dozen state changes and stream-status messages. */
  for (int i = 0; i < 3; i++) {
    e = kaigi_graph_make ("fakesrc", NULL, &error);
    g_assert_no_error (error);
    g_object_set (e, "is-live", TRUE, NULL);
    gst_object_ref (e);
    kaigi_graph_add (g, e, &a, on_error);
    g_assert_true (gst_element_sync_state_with_parent (e));
    g_assert_cmpint (gst_element_get_state (e, NULL, NULL, 5 * GST_SECOND), !=,
                     GST_STATE_CHANGE_FAILURE);
    g_object_add_weak_pointer (G_OBJECT (e), (gpointer *)&e);
    kaigi_graph_remove (g, e);
    gst_object_unref (e);
    g_assert_null (e); /* no message the bus dropped still holds it */
  }
  g_assert_false (gst_bus_have_pending (bus));
  /* An element message still arrives, and goes to its owner. */
  e = kaigi_graph_make ("fakesink", NULL, &error);
  gst_object_ref (e);
  kaigi_graph_add (g, e, &a, on_error);
  kaigi_graph_watch_messages (e, on_element_message);
  gst_element_post_message (
      e, gst_message_new_element (GST_OBJECT (e), gst_structure_new_empty ("kaigi-test-note")));
  g_assert_true (gst_bus_have_pending (bus));
  drain ();
  g_assert_cmpstr (a.last, ==, "kaigi-test-note");
  kaigi_graph_remove (g, e);
  gst_object_unref (e);
  kaigi_graph_free (g);
  g_free (a.last);
}

static GstPadProbeReturn
hold (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  return GST_PAD_PROBE_OK; /* blocking: the queue's thread waits while this probe is there */
}

static GstPadProbeReturn
count_out (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  GPtrArray *out = user_data;

  g_ptr_array_add (out, GSIZE_TO_POINTER (GST_BUFFER_PTS (GST_PAD_PROBE_INFO_BUFFER (info))));
  return GST_PAD_PROBE_OK;
}

/* A leaky queue linked to a tee 5 s into the stream keeps its first buffers while its own
 * thread has not yet pushed any (here: held on its first event). With "max-size-time" it
 * leaked them on the second buffer: its level was measured from running time 0. */
static void
test_leaky_queue_linked_late_keeps_its_first_buffers (void)
{
  GstElement *pipe = gst_pipeline_new (NULL), *tee = gst_element_factory_make ("tee", NULL);
  GstElement *queue = gst_element_factory_make ("queue", NULL);
  GstElement *sink = gst_element_factory_make ("fakesink", NULL);
  GstPad *src = gst_pad_new ("src", GST_PAD_SRC);
  g_autoptr (GstPad) tee_sink = gst_element_get_static_pad (tee, "sink");
  g_autoptr (GstPad) q_sink = gst_element_get_static_pad (queue, "sink");
  g_autoptr (GstPad) q_src = gst_element_get_static_pad (queue, "src");
  g_autoptr (GstPad) tee_src = NULL;
  g_autoptr (GPtrArray) out = g_ptr_array_new ();
  GstSegment seg;
  gulong held;

  g_object_set (tee, "allow-not-linked", TRUE, NULL);
  g_object_set (sink, "sync", FALSE, "async", FALSE, NULL);
  gst_bin_add (GST_BIN (pipe), tee);
  gst_element_set_state (pipe, GST_STATE_PLAYING);
  gst_pad_set_active (src, TRUE);
  g_assert_cmpint (gst_pad_link (src, tee_sink), ==, GST_PAD_LINK_OK);
  gst_segment_init (&seg, GST_FORMAT_TIME);
  gst_pad_push_event (src, gst_event_new_stream_start ("late"));
  gst_pad_push_event (src, gst_event_new_caps (gst_caps_new_empty_simple ("video/x-vp8")));
  gst_pad_push_event (src, gst_event_new_segment (&seg));

  kaigi_graph_leaky_queue (queue, GST_SECOND);
  gst_bin_add_many (GST_BIN (pipe), queue, sink, NULL);
  g_assert_true (gst_element_link (queue, sink));
  gst_pad_add_probe (q_src, GST_PAD_PROBE_TYPE_BUFFER, count_out, out, NULL);
  held = gst_pad_add_probe (q_src, GST_PAD_PROBE_TYPE_BLOCK | GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM,
                            hold, NULL, NULL);
  gst_element_sync_state_with_parent (sink);
  gst_element_sync_state_with_parent (queue);
  tee_src = gst_element_request_pad_simple (tee, "src_%u");
  g_assert_cmpint (gst_pad_link (tee_src, q_sink), ==, GST_PAD_LINK_OK);

  for (guint i = 0; i < 10; i++) { /* 20 fps from 5 s: less than the queue's second */
    GstBuffer *b = gst_buffer_new_allocate (NULL, 100, NULL);

    GST_BUFFER_PTS (b) = 5 * GST_SECOND + i * 50 * GST_MSECOND;
    GST_BUFFER_DURATION (b) = 50 * GST_MSECOND;
    g_assert_cmpint (gst_pad_push (src, b), ==, GST_FLOW_OK);
  }
  gst_pad_remove_probe (q_src, held);
  for (gint64 end = g_get_monotonic_time () + 2 * G_TIME_SPAN_SECOND;
       out->len < 10 && g_get_monotonic_time () < end;)
    g_usleep (1000);
  g_assert_cmpuint (out->len, ==, 10);
  g_assert_cmpuint (GPOINTER_TO_SIZE (out->pdata[0]), ==, 5 * GST_SECOND);
  {
    guint64 max_time = 0;

    g_object_get (queue, "max-size-time", &max_time, NULL); /* flowing: bounded by time now */
    g_assert_cmpuint (max_time, ==, GST_SECOND);
  }

  gst_element_set_state (pipe, GST_STATE_NULL);
  gst_pad_set_active (src, FALSE);
  gst_object_unref (src);
  gst_object_unref (pipe);
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/graph/leaky-queue-linked-late",
                   test_leaky_queue_linked_late_keeps_its_first_buffers);
  g_test_add_func ("/graph/bus-keeps-only-needed", test_bus_keeps_only_needed);
  g_test_add_func ("/graph/error-reaches-owner-while-in-graph",
                   test_error_reaches_owner_while_in_graph);
  return g_test_run ();
}
