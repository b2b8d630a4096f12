/* test-timeline.c: events appended from several threads are all committed, in the real
 * SQLite file, by the writer thread; a failing insert is counted and the rest still land. */
#include "store.h"
#include "timeline.h"

#define THREADS 4
#define EACH 250

typedef struct {
  KaigiTimeline *t;
  gint64 meeting;
  int n;
} Job;

static gpointer
append_many (gpointer data)
{
  Job *j = data;

  for (int i = 0; i < EACH; i++) {
    g_autofree char *who = g_strdup_printf ("p%d-%d", j->n, i);
    kaigi_timeline_append (j->t, j->meeting, "join", who, NULL);
  }
  return NULL;
}

static void
test_all_committed (void)
{
  g_autofree char *dir = g_dir_make_tmp ("kaigi-timeline-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "kaigi.db", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (KaigiStore) s = kaigi_store_open (path, &error);
  gint64 m = kaigi_store_ensure_demo_meeting (s, "t", &error);
  KaigiTimeline *t = kaigi_timeline_new (path, &error);
  GThread *threads[THREADS];
  Job jobs[THREADS];

  g_assert_no_error (error);
  for (int i = 0; i < THREADS; i++) {
    jobs[i] = (Job){ t, m, i };
    threads[i] = g_thread_new ("append", append_many, &jobs[i]);
  }
  for (int i = 0; i < THREADS; i++)
    g_thread_join (threads[i]);
  /* An event of a meeting that does not exist fails alone, and says so. */
  g_test_expect_message ("kaigi-timeline", G_LOG_LEVEL_WARNING, "*not written*FOREIGN KEY*");
  kaigi_timeline_append (t, m + 99, "join", "ghost", NULL);
  kaigi_timeline_append (t, m, "leave", "p0-0", "{\"why\":\"done\"}");
  kaigi_timeline_flush (t);
  g_test_assert_expected_messages ();
  g_assert_cmpint (kaigi_store_count_events (s, m, "join"), ==, THREADS * EACH);
  g_assert_cmpint (kaigi_store_count_events (s, m, "leave"), ==, 1);
  g_assert_cmpuint (kaigi_timeline_failures (t), ==, 1);
  kaigi_timeline_append (t, m, "leave", "p0-1", NULL);
  kaigi_timeline_free (t); /* writes what is queued */
  g_assert_cmpint (kaigi_store_count_events (s, m, "leave"), ==, 2);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/timeline/all-committed", test_all_committed);
  return g_test_run ();
}
