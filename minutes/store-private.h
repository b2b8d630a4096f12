/* store-private.h: what the parts of the store (store.c, store-meeting.c, store-people.c)
 * share: the connection and small SQLite helpers that turn failures into KAIGI_ERROR values.
 * Not for use outside minutes/. Main thread only, like KaigiStore. */
#pragma once

#include <sqlite3.h>

#include "kaigi-error.h"
#include "store.h"

G_BEGIN_DECLS

struct _KaigiStore {
  sqlite3 *db; /* owned */
};

G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, sqlite3_finalize)

/* Sets KAIGI_ERROR_STORE "@what: <sqlite's message>" and returns FALSE. */
gboolean kaigi_store_fail (KaigiStore *s, GError **error, const char *what);
gboolean kaigi_store_exec (KaigiStore *s, const char *sql, GError **error);
/* The prepared @sql, or NULL with KAIGI_ERROR_STORE. */
sqlite3_stmt *kaigi_store_prepare (KaigiStore *s, const char *sql, GError **error);
/* Steps @st to its end; FALSE with KAIGI_ERROR_STORE naming @what. */
gboolean kaigi_store_step_done (KaigiStore *s, sqlite3_stmt *st, const char *what, GError **error);

/* BEGIN IMMEDIATE / COMMIT; kaigi_store_rollback keeps the first error and returns FALSE. */
gboolean kaigi_store_begin (KaigiStore *s, GError **error);
gboolean kaigi_store_commit (KaigiStore *s, GError **error);
gboolean kaigi_store_rollback (KaigiStore *s);

/* The stored state of meeting @id; FALSE with KAIGI_ERROR_NOT_FOUND if there is none. */
gboolean kaigi_store_meeting_state (KaigiStore *s, gint64 id, KaigiMeetingState *state,
                                    GError **error);
/* FALSE with KAIGI_ERROR_STATE unless meeting @id is scheduled (@what: what was refused). */
gboolean kaigi_store_require_scheduled (KaigiStore *s, gint64 id, const char *what, GError **error);
/* Stores @m as a new scheduled meeting (is_demo marks the demo meeting) and fills in its
 * ids; kaigi_store_meeting_create is this with @is_demo FALSE. Returns the id or -1. */
gint64 kaigi_store_meeting_insert (KaigiStore *s, KaigiMeeting *m, gboolean is_demo,
                                   GError **error);
/* FALSE with KAIGI_ERROR_NOT_FOUND unless @item_id is on the agenda of @meeting_id. */
gboolean kaigi_store_item_check (KaigiStore *s, gint64 meeting_id, gint64 item_id, GError **error);
/* Column @col as a newly allocated string, "" for NULL. */
char *kaigi_store_column_dup (sqlite3_stmt *st, int col);

G_END_DECLS
