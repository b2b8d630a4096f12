/* retention.c: see retention.h.
 *
 * A meeting's media go when its manifest was last written more than retention-days ago
 * (a recording in progress rewrites it every piece, so a live meeting is never that old)
 * and no one is in its room. The sweep itself (reading every meeting's manifest, moving the
 * media aside, marking the manifest, deleting thousands of files for a long meeting) runs on
 * a thread of its own, never on the main loop; the main loop only notes which rooms are
 * occupied when a sweep starts (and lets the empty ones drop their copy of the manifest, so
 * that what they write next starts from the file as the sweep leaves it). A room that fills
 * up during a sweep is not seen by it: that needs a meeting untouched for days to be joined
 * within the sweep's seconds, and costs a manifest that lists pieces `verify` reports missing.
 * The minutes (SQLite) are not touched: retention is about media. */
#include "retention.h"

#include <gst/gst.h>

#include "archive.h"

GST_DEBUG_CATEGORY_STATIC (kaigi_retention_debug);
#define GST_CAT_DEFAULT kaigi_retention_debug

#define SWEEP_EVERY_S 3600

struct _KaigiRetention {
  char *data_dir;
  guint days;
  KaigiRooms *rooms; /* not owned */
  guint timer, first;
  GThread *sweeper; /* the last sweep; joined before the next and at stop */
};

typedef struct {
  char *data_dir;
  guint days;
  GHashTable *busy; /* gint64 * meeting ids with people in their rooms */
} Sweep;

static gboolean
is_busy (gint64 id, gpointer user)
{
  return g_hash_table_contains (user, &id);
}

/* The sweeper thread. */
static gpointer
sweep_thread (gpointer data)
{
  Sweep *s = data;
  g_autoptr (GString) out = g_string_new (NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) trash = g_ptr_array_new_with_free_func (g_free);
  g_auto (GStrv) lines = NULL;
  guint files;

  if (!kaigi_archive_expire (s->data_dir, s->days, g_get_real_time (), is_busy, s->busy, trash, out,
                             &error))
    g_warning ("retention: %s", error->message); /* what was done before stays done */
  lines = g_strsplit (out->str, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    if (*lines[i])
      g_message ("retention: %s", lines[i]);
  files = kaigi_archive_remove_trash (trash);
  if (trash->len)
    GST_INFO ("retention: %u files deleted in %u folders", files, trash->len);
  g_hash_table_unref (s->busy);
  g_free (s->data_dir);
  g_free (s);
  return NULL;
}

void
kaigi_retention_sweep (KaigiRetention *r)
{
  Sweep *s;
  g_autoptr (GArray) occupied = NULL;

  if (r->sweeper)
    g_thread_join (g_steal_pointer (&r->sweeper)); /* hourly: long done, normally */
  s = g_new0 (Sweep, 1);
  s->data_dir = g_strdup (r->data_dir);
  s->days = r->days;
  s->busy = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  occupied = kaigi_rooms_occupied (r->rooms, TRUE);
  for (guint i = 0; i < occupied->len; i++)
    g_hash_table_add (s->busy, g_memdup2 (&g_array_index (occupied, gint64, i), sizeof (gint64)));
  r->sweeper = g_thread_new ("kaigi-retention", sweep_thread, s);
}

static gboolean
on_timer (gpointer data)
{
  kaigi_retention_sweep (data);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_first (gpointer data)
{
  KaigiRetention *r = data;

  r->first = 0;
  kaigi_retention_sweep (r);
  return G_SOURCE_REMOVE;
}

KaigiRetention *
kaigi_retention_start (const char *data_dir, guint days, KaigiRooms *rooms)
{
  KaigiRetention *r;

  GST_DEBUG_CATEGORY_INIT (kaigi_retention_debug, "kaigi-retention", 0, "kaigi retention");
  if (!days)
    return NULL;
  r = g_new0 (KaigiRetention, 1);
  r->data_dir = g_strdup (data_dir);
  r->days = days;
  r->rooms = rooms;
  r->timer = g_timeout_add_seconds (SWEEP_EVERY_S, on_timer, r);
  r->first = g_idle_add (on_first, r); /* once the server is up: start-up is not held back */
  return r;
}

void
kaigi_retention_stop (KaigiRetention *r)
{
  if (!r)
    return;
  g_source_remove (r->timer);
  if (r->first)
    g_source_remove (r->first);
  if (r->sweeper)
    g_thread_join (r->sweeper);
  g_free (r->data_dir);
  g_free (r);
}
