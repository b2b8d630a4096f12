/* store.h: the meeting record in SQLite (meetings and their timeline of events).
 *
 * One database file under the data directory, in WAL mode, its schema versioned by
 * PRAGMA user_version and migrated forward on open. Main thread only: a KaigiStore is not
 * shared between threads. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _KaigiStore KaigiStore;

KaigiStore *kaigi_store_open (const char *path, GError **error);
void kaigi_store_free (KaigiStore *store);
int kaigi_store_schema_version (KaigiStore *store);

/* Returns the id of the demo meeting, creating it with @title if there is none yet. */
gint64 kaigi_store_ensure_demo_meeting (KaigiStore *store, const char *title, GError **error);
char *kaigi_store_meeting_title (KaigiStore *store, gint64 meeting_id);

/* Appends one event to a meeting's timeline, committed before it returns. @detail_json may
 * be NULL. The timestamp is the server's wall clock in microseconds. */
gboolean kaigi_store_add_event (KaigiStore *store, gint64 meeting_id, const char *kind,
                                const char *participant, const char *detail_json, GError **error);
gint64 kaigi_store_count_events (KaigiStore *store, gint64 meeting_id, const char *kind);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KaigiStore, kaigi_store_free)

G_END_DECLS
