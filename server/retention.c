/* retention.c: see retention.h.
 *
 * A meeting's media go when its manifest was last written more than retention-days ago
 * (a recording in progress rewrites it every piece, so a live meeting is never that old)
 * and no one is in its room. The decision and the manifest's "removed" mark are made here,
 * on the main loop, with the media folder moved aside by one rename; deleting the files
 * (thousands for a long meeting) runs on a thread so that it never holds up the meetings.
 * The minutes (SQLite) are not touched: retention is about media. */
#include "retention.h"

#include <gst/gst.h>

#include "archive.h"
#include "room.h"

GST_DEBUG_CATEGORY_STATIC (kaigi_retention_debug);
#define GST_CAT_DEFAULT kaigi_retention_debug

#define SWEEP_EVERY_S 3600

struct _KaigiRetention {
  char *data_dir;
  guint days;
  KaigiRooms *rooms; /* not owned */
  guint timer;
  GThread *deleter; /* the last deletion; joined before the next and at stop */
};

/* Main loop: someone is in the meeting's room; its room lets go of the manifest otherwise,
 * so that what it would write next starts from the file as the sweep leaves it. */
static gboolean
busy (gint64 id, gpointer user)
{
  KaigiRetention *r = user;
  KaigiRoom *room = kaigi_rooms_lookup (r->rooms, id);

  if (!room)
    return FALSE;
  if (kaigi_room_count (room) > 0)
    return TRUE;
  kaigi_room_release_recording (room);
  return FALSE;
}

static gpointer
delete_files (gpointer data)
{
  GPtrArray *trash = data;
  guint files = kaigi_archive_remove_trash (trash);

  GST_INFO ("retention: %u files deleted in %u folders", files, trash->len);
  g_ptr_array_unref (trash);
  return NULL;
}

guint
kaigi_retention_sweep (KaigiRetention *r)
{
  g_autoptr (GString) out = g_string_new (NULL);
  g_autoptr (GError) error = NULL;
  GPtrArray *trash = g_ptr_array_new_with_free_func (g_free);
  guint removed = 0;

  if (!kaigi_archive_expire (r->data_dir, r->days, g_get_real_time (), busy, r, trash, out, &error))
    g_warning ("retention: %s", error->message); /* what was done before stays done */
  {
    g_auto (GStrv) lines = g_strsplit (out->str, "\n", -1);
    for (guint i = 0; lines[i]; i++)
      if (*lines[i]) {
        g_message ("retention: %s", lines[i]);
        removed++;
      }
  }
  if (r->deleter)
    g_thread_join (g_steal_pointer (&r->deleter));
  if (trash->len)
    r->deleter = g_thread_new ("kaigi-retention", delete_files, trash);
  else
    g_ptr_array_unref (trash);
  return removed;
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
  kaigi_retention_sweep (data);
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
  g_idle_add (on_first, r); /* once the server is up: start-up is not held back */
  return r;
}

void
kaigi_retention_stop (KaigiRetention *r)
{
  if (!r)
    return;
  g_source_remove (r->timer);
  g_idle_remove_by_data (r);
  if (r->deleter)
    g_thread_join (r->deleter);
  g_free (r->data_dir);
  g_free (r);
}
