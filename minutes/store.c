/* store.c: the meeting record in SQLite.
 *
 * Why SQLite: one file, transactional, and nothing is lost when the process is killed; WAL
 * with synchronous=NORMAL makes each small timeline insert a page append without an fsync
 * (a power cut may lose the last transactions, a killed process loses nothing).
 * Migrations: migrations[i] takes the schema from version i to i+1, all in one transaction.
 * Main thread only. */
#define G_LOG_DOMAIN "kaigi-store"

#include "store.h"

#include <sqlite3.h>

#include "kaigi-error.h"

struct _KaigiStore {
  sqlite3 *db; /* owned */
};

static const char *const migrations[] = {
  /* 0 -> 1 */
  "CREATE TABLE meeting ("
  "  id INTEGER PRIMARY KEY,"
  "  title TEXT NOT NULL,"
  "  is_demo INTEGER NOT NULL DEFAULT 0,"
  "  created_us INTEGER NOT NULL);"
  "CREATE TABLE timeline ("
  "  id INTEGER PRIMARY KEY,"
  "  meeting_id INTEGER NOT NULL REFERENCES meeting(id),"
  "  at_us INTEGER NOT NULL,"
  "  kind TEXT NOT NULL,"
  "  participant TEXT,"
  "  detail TEXT);"
  "CREATE INDEX timeline_meeting ON timeline(meeting_id, at_us);",
};

static gboolean
fail (KaigiStore *s, GError **error, const char *what)
{
  g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_STORE, "%s: %s", what, sqlite3_errmsg (s->db));
  return FALSE;
}

static gboolean
exec (KaigiStore *s, const char *sql, GError **error)
{
  char *msg = NULL;

  if (sqlite3_exec (s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_STORE, "%s", msg ? msg : "sqlite error");
    sqlite3_free (msg);
    return FALSE;
  }
  return TRUE;
}

int
kaigi_store_schema_version (KaigiStore *s)
{
  sqlite3_stmt *st = NULL;
  int v = -1;

  if (sqlite3_prepare_v2 (s->db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK
      && sqlite3_step (st) == SQLITE_ROW)
    v = sqlite3_column_int (st, 0);
  sqlite3_finalize (st);
  return v;
}

static gboolean
migrate (KaigiStore *s, GError **error)
{
  int v = kaigi_store_schema_version (s);
  int target = G_N_ELEMENTS (migrations);

  if (v > target) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_STORE,
                 "database schema version %d is newer than this kaigi (%d)", v, target);
    return FALSE;
  }
  for (; v < target; v++) {
    g_autofree char *bump = g_strdup_printf ("PRAGMA user_version = %d", v + 1);
    if (!exec (s, "BEGIN IMMEDIATE", error))
      return FALSE;
    if (!exec (s, migrations[v], error) || !exec (s, bump, error)) {
      exec (s, "ROLLBACK", NULL);
      return FALSE;
    }
    if (!exec (s, "COMMIT", error))
      return FALSE;
  }
  return TRUE;
}

KaigiStore *
kaigi_store_open (const char *path, GError **error)
{
  g_autoptr (KaigiStore) s = g_new0 (KaigiStore, 1);

  if (sqlite3_open_v2 (path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL)
      != SQLITE_OK) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_STORE, "cannot open database %s: %s", path,
                 s->db ? sqlite3_errmsg (s->db) : "out of memory");
    return NULL;
  }
  sqlite3_busy_timeout (s->db, 2000);
  if (!exec (s, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
             error)
      || !migrate (s, error)) {
    g_prefix_error (error, "database %s: ", path);
    return NULL;
  }
  return g_steal_pointer (&s);
}

void
kaigi_store_free (KaigiStore *s)
{
  if (!s)
    return;
  sqlite3_close (s->db);
  g_free (s);
}

gint64
kaigi_store_ensure_demo_meeting (KaigiStore *s, const char *title, GError **error)
{
  sqlite3_stmt *st = NULL;
  gint64 id = -1;

  if (sqlite3_prepare_v2 (s->db, "SELECT id FROM meeting WHERE is_demo = 1 ORDER BY id LIMIT 1", -1,
                          &st, NULL)
      != SQLITE_OK) {
    fail (s, error, "find demo meeting");
    return -1;
  }
  if (sqlite3_step (st) == SQLITE_ROW)
    id = sqlite3_column_int64 (st, 0);
  sqlite3_finalize (st);
  if (id >= 0)
    return id;

  if (sqlite3_prepare_v2 (
          s->db, "INSERT INTO meeting (title, is_demo, created_us) VALUES (?, 1, ?)", -1, &st, NULL)
      != SQLITE_OK) {
    fail (s, error, "create demo meeting");
    return -1;
  }
  sqlite3_bind_text (st, 1, title, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (st, 2, g_get_real_time ());
  if (sqlite3_step (st) != SQLITE_DONE) {
    fail (s, error, "create demo meeting");
    sqlite3_finalize (st);
    return -1;
  }
  sqlite3_finalize (st);
  return sqlite3_last_insert_rowid (s->db);
}

char *
kaigi_store_meeting_title (KaigiStore *s, gint64 meeting_id)
{
  sqlite3_stmt *st = NULL;
  char *title = NULL;

  if (sqlite3_prepare_v2 (s->db, "SELECT title FROM meeting WHERE id = ?", -1, &st, NULL)
      != SQLITE_OK)
    return NULL;
  sqlite3_bind_int64 (st, 1, meeting_id);
  if (sqlite3_step (st) == SQLITE_ROW)
    title = g_strdup ((const char *)sqlite3_column_text (st, 0));
  sqlite3_finalize (st);
  return title;
}

gboolean
kaigi_store_add_event (KaigiStore *s, gint64 meeting_id, const char *kind, const char *participant,
                       const char *detail_json, GError **error)
{
  sqlite3_stmt *st = NULL;
  gboolean ok;

  if (sqlite3_prepare_v2 (s->db,
                          "INSERT INTO timeline (meeting_id, at_us, kind, participant, detail) "
                          "VALUES (?, ?, ?, ?, ?)",
                          -1, &st, NULL)
      != SQLITE_OK)
    return fail (s, error, "add event");
  sqlite3_bind_int64 (st, 1, meeting_id);
  sqlite3_bind_int64 (st, 2, g_get_real_time ());
  sqlite3_bind_text (st, 3, kind, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (st, 4, participant, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (st, 5, detail_json, -1, SQLITE_TRANSIENT);
  ok = sqlite3_step (st) == SQLITE_DONE;
  if (!ok)
    fail (s, error, "add event");
  sqlite3_finalize (st);
  return ok;
}

gint64
kaigi_store_count_events (KaigiStore *s, gint64 meeting_id, const char *kind)
{
  sqlite3_stmt *st = NULL;
  gint64 n = -1;

  if (sqlite3_prepare_v2 (s->db, "SELECT count(*) FROM timeline WHERE meeting_id = ? AND kind = ?",
                          -1, &st, NULL)
      != SQLITE_OK)
    return -1;
  sqlite3_bind_int64 (st, 1, meeting_id);
  sqlite3_bind_text (st, 2, kind, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (st) == SQLITE_ROW)
    n = sqlite3_column_int64 (st, 0);
  sqlite3_finalize (st);
  return n;
}
