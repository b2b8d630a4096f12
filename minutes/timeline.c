/* timeline.c: the writer thread behind KaigiTimeline.
 *
 * One GAsyncQueue of events; the thread pops, inserts with its own KaigiStore and signals
 * flushers. A failed insert is counted and logged (once per failure kind would be nicer; the
 * store's errors are rare and each one matters to the secretariat), and the next events are
 * still written. Threads: append/flush/free from any thread; write_loop on the writer. */
#define G_LOG_DOMAIN "kaigi-timeline"

#include "timeline.h"

#include "store.h"

typedef struct {
  gint64 meeting_id;
  char *kind;        /* owned; NULL for a flush marker */
  char *participant; /* owned */
  char *detail;      /* owned */
  gboolean stop;
} Event;

struct _KaigiTimeline {
  KaigiStore *store; /* owned, used by the writer thread only */
  GAsyncQueue *queue;
  GThread *thread;
  GMutex lock;
  GCond flushed;
  guint64 written;  /* events processed, under lock */
  guint64 appended; /* events appended, under lock */
  guint64 failures; /* under lock */
};

static void
event_free (Event *e)
{
  g_free (e->kind);
  g_free (e->participant);
  g_free (e->detail);
  g_free (e);
}

static gpointer
write_loop (gpointer data)
{
  KaigiTimeline *t = data;

  for (;;) {
    Event *e = g_async_queue_pop (t->queue);
    gboolean stop = e->stop, ok = TRUE;
    g_autoptr (GError) error = NULL;

    if (!stop)
      ok = kaigi_store_add_event (t->store, e->meeting_id, e->kind, e->participant, e->detail,
                                  &error);
    if (!ok)
      g_warning ("timeline event '%s' not written: %s", e->kind, error->message);
    event_free (e);
    g_mutex_lock (&t->lock);
    if (!stop)
      t->written++;
    if (!ok)
      t->failures++;
    g_cond_broadcast (&t->flushed);
    g_mutex_unlock (&t->lock);
    if (stop)
      return NULL;
  }
}

KaigiTimeline *
kaigi_timeline_new (const char *db_path, GError **error)
{
  KaigiStore *store = kaigi_store_open (db_path, error);
  KaigiTimeline *t;

  if (!store)
    return NULL;
  t = g_new0 (KaigiTimeline, 1);
  t->store = store;
  t->queue = g_async_queue_new ();
  g_mutex_init (&t->lock);
  g_cond_init (&t->flushed);
  t->thread = g_thread_new ("kaigi-timeline", write_loop, t);
  return t;
}

void
kaigi_timeline_append (KaigiTimeline *t, gint64 meeting_id, const char *kind,
                       const char *participant, const char *detail_json)
{
  Event *e = g_new0 (Event, 1);

  e->meeting_id = meeting_id;
  e->kind = g_strdup (kind);
  e->participant = g_strdup (participant);
  e->detail = g_strdup (detail_json);
  g_mutex_lock (&t->lock);
  t->appended++;
  g_mutex_unlock (&t->lock);
  g_async_queue_push (t->queue, e);
}

void
kaigi_timeline_flush (KaigiTimeline *t)
{
  g_mutex_lock (&t->lock);
  while (t->written < t->appended)
    g_cond_wait (&t->flushed, &t->lock);
  g_mutex_unlock (&t->lock);
}

guint64
kaigi_timeline_failures (KaigiTimeline *t)
{
  guint64 n;

  g_mutex_lock (&t->lock);
  n = t->failures;
  g_mutex_unlock (&t->lock);
  return n;
}

void
kaigi_timeline_free (KaigiTimeline *t)
{
  Event *stop;

  if (!t)
    return;
  stop = g_new0 (Event, 1);
  stop->stop = TRUE;
  g_async_queue_push (t->queue, stop);
  g_thread_join (t->thread);
  g_async_queue_unref (t->queue);
  kaigi_store_free (t->store);
  g_mutex_clear (&t->lock);
  g_cond_clear (&t->flushed);
  g_free (t);
}
