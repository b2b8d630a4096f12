/* test-graph.c: errors in the one pipeline reach the element's owner, and only while the
 * element is in the graph: an error still queued on the bus when its owner has been torn
 * down (and freed) must not reach it. */
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

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/graph/error-reaches-owner-while-in-graph",
                   test_error_reaches_owner_while_in_graph);
  return g_test_run ();
}
