/* store.c: the meeting record in SQLite: opening, the schema and its migrations, the
 * timeline's append and the demo meeting. Meetings are in store-meeting.c; people
 * (attendance, accounts) and the timeline as JSON in store-people.c; utterances and the
 * minutes draft in store-utterances.c.
 *
 * Why SQLite: one file, transactional, and nothing is lost when the process is killed; WAL
 * with synchronous=NORMAL makes each small timeline insert a page append without an fsync
 * (a power cut may lose the last transactions, a killed process loses nothing).
 * Migrations: migrations[i] takes the schema from version i to i+1, all in one transaction.
 * Main thread only. */
#define G_LOG_DOMAIN "kaigi-store"

#include "store.h"

#include "meeting-private.h"
#include "store-private.h"

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

  /* 1 -> 2: prepared meetings (docs/meetings-api.md). Children of a meeting go with it
   * (ON DELETE CASCADE); the timeline of version 1 has no cascade, so deleting a meeting
   * deletes its events itself (store-meeting.c). Roster sites are venue names, as in the
   * document. State is the name of a KaigiMeetingState. New tables never reuse an id
   * (AUTOINCREMENT): a join token names its roster entry "r<ID>" and must not let a deleted
   * entry's holder in as whoever is added next. */
  "ALTER TABLE meeting ADD COLUMN body TEXT NOT NULL DEFAULT '';"
  "ALTER TABLE meeting ADD COLUMN number TEXT NOT NULL DEFAULT '';"
  "ALTER TABLE meeting ADD COLUMN scheduled_at TEXT NOT NULL DEFAULT '';"
  "ALTER TABLE meeting ADD COLUMN closed INTEGER NOT NULL DEFAULT 0;"
  "ALTER TABLE meeting ADD COLUMN visibility_reason TEXT NOT NULL DEFAULT '';"
  "ALTER TABLE meeting ADD COLUMN quorum_in_room INTEGER NOT NULL DEFAULT 0;"
  "ALTER TABLE meeting ADD COLUMN quorum INTEGER NOT NULL DEFAULT 0;"
  "ALTER TABLE meeting ADD COLUMN state TEXT NOT NULL DEFAULT 'scheduled';"
  "ALTER TABLE meeting ADD COLUMN current_item INTEGER NOT NULL DEFAULT 0;"
  "ALTER TABLE meeting ADD COLUMN opened_at_us INTEGER NOT NULL DEFAULT 0;"
  "ALTER TABLE meeting ADD COLUMN adjourned_at_us INTEGER NOT NULL DEFAULT 0;"
  "CREATE TABLE venue ("
  "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
  "  meeting_id INTEGER NOT NULL REFERENCES meeting(id) ON DELETE CASCADE,"
  "  pos INTEGER NOT NULL,"
  "  kind TEXT NOT NULL,"
  "  name TEXT NOT NULL);"
  "CREATE INDEX venue_meeting ON venue(meeting_id, pos);"
  "CREATE TABLE agenda_item ("
  "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
  "  meeting_id INTEGER NOT NULL REFERENCES meeting(id) ON DELETE CASCADE,"
  "  pos INTEGER NOT NULL,"
  "  number TEXT NOT NULL DEFAULT '',"
  "  title TEXT NOT NULL);"
  "CREATE INDEX agenda_item_meeting ON agenda_item(meeting_id, pos);"
  "CREATE TABLE material ("
  "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
  "  item_id INTEGER NOT NULL REFERENCES agenda_item(id) ON DELETE CASCADE,"
  "  name TEXT NOT NULL,"
  "  content_type TEXT NOT NULL,"
  "  size INTEGER NOT NULL,"
  "  created_us INTEGER NOT NULL);"
  "CREATE INDEX material_item ON material(item_id);"
  "CREATE TABLE roster ("
  "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
  "  meeting_id INTEGER NOT NULL REFERENCES meeting(id) ON DELETE CASCADE,"
  "  pos INTEGER NOT NULL,"
  "  name TEXT NOT NULL,"
  "  title TEXT NOT NULL DEFAULT '',"
  "  role TEXT NOT NULL,"
  "  site TEXT NOT NULL,"
  "  in_room INTEGER NOT NULL DEFAULT 0);"
  "CREATE INDEX roster_meeting ON roster(meeting_id, pos);"
  "CREATE TABLE decision ("
  "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
  "  meeting_id INTEGER NOT NULL REFERENCES meeting(id) ON DELETE CASCADE,"
  "  item_id INTEGER REFERENCES agenda_item(id) ON DELETE SET NULL,"
  "  kind TEXT NOT NULL,"
  "  text TEXT NOT NULL DEFAULT '',"
  "  for_names TEXT NOT NULL DEFAULT '[]',"
  "  against_names TEXT NOT NULL DEFAULT '[]',"
  "  abstain_names TEXT NOT NULL DEFAULT '[]',"
  "  at_us INTEGER NOT NULL);"
  "CREATE INDEX decision_meeting ON decision(meeting_id, id);"
  "CREATE TABLE account ("
  "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
  "  name TEXT NOT NULL UNIQUE,"
  "  password_hash TEXT NOT NULL,"
  "  created_us INTEGER NOT NULL);",

  /* 2 -> 3: the minutes (store-utterances.c). An utterance keeps the speaker's name as it
   * was recorded next to the roster id, so a later roster edit does not rewrite the record;
   * every change is a row of utterance_history, never an overwrite without trace. */
  "CREATE TABLE utterance ("
  "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
  "  meeting_id INTEGER NOT NULL REFERENCES meeting(id) ON DELETE CASCADE,"
  "  item_id INTEGER REFERENCES agenda_item(id) ON DELETE SET NULL,"
  "  speaker_id INTEGER REFERENCES roster(id) ON DELETE SET NULL,"
  "  speaker_name TEXT NOT NULL DEFAULT '',"
  "  venue TEXT NOT NULL DEFAULT '',"
  "  start_us INTEGER NOT NULL,"
  "  end_us INTEGER NOT NULL,"
  "  media_us INTEGER NOT NULL DEFAULT 0,"
  "  text TEXT NOT NULL,"
  "  confidence REAL NOT NULL DEFAULT 1,"
  "  public INTEGER NOT NULL DEFAULT 1,"
  "  retracted INTEGER NOT NULL DEFAULT 0,"
  "  state TEXT NOT NULL DEFAULT 'transcribed',"
  "  confirmed_by INTEGER,"
  "  confirmed_at_us INTEGER NOT NULL DEFAULT 0);"
  "CREATE INDEX utterance_meeting ON utterance(meeting_id, start_us);"
  "CREATE TABLE utterance_history ("
  "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
  "  utterance_id INTEGER NOT NULL REFERENCES utterance(id) ON DELETE CASCADE,"
  "  at_us INTEGER NOT NULL,"
  "  who TEXT NOT NULL,"
  "  field TEXT NOT NULL,"
  "  old TEXT,"
  "  new TEXT);"
  "CREATE INDEX utterance_history_utterance ON utterance_history(utterance_id, id);"
  "CREATE TABLE minutes_draft ("
  "  meeting_id INTEGER PRIMARY KEY REFERENCES meeting(id) ON DELETE CASCADE,"
  "  state TEXT NOT NULL DEFAULT 'draft',"
  "  published_at_us INTEGER NOT NULL DEFAULT 0,"
  "  public_note TEXT NOT NULL DEFAULT '');",
  /* 3 -> 4: the public gallery's peak of simultaneous viewers, the 傍聴人数 of the minutes. */
  "ALTER TABLE meeting ADD COLUMN peak_viewers INTEGER NOT NULL DEFAULT 0;",
};

/* ---- helpers shared by the parts (store-private.h) ---- */

gboolean
kaigi_store_fail (KaigiStore *s, GError **error, const char *what)
{
  g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_STORE, "%s: %s", what, sqlite3_errmsg (s->db));
  return FALSE;
}

gboolean
kaigi_store_exec (KaigiStore *s, const char *sql, GError **error)
{
  char *msg = NULL;

  if (sqlite3_exec (s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_STORE, "%s", msg ? msg : "sqlite error");
    sqlite3_free (msg);
    return FALSE;
  }
  return TRUE;
}

sqlite3_stmt *
kaigi_store_prepare (KaigiStore *s, const char *sql, GError **error)
{
  sqlite3_stmt *st = NULL;

  if (sqlite3_prepare_v2 (s->db, sql, -1, &st, NULL) != SQLITE_OK) {
    kaigi_store_fail (s, error, "prepare");
    return NULL;
  }
  return st;
}

gboolean
kaigi_store_step_done (KaigiStore *s, sqlite3_stmt *st, const char *what, GError **error)
{
  if (sqlite3_step (st) != SQLITE_DONE)
    return kaigi_store_fail (s, error, what);
  return TRUE;
}

gboolean
kaigi_store_begin (KaigiStore *s, GError **error)
{
  return kaigi_store_exec (s, "BEGIN IMMEDIATE", error);
}

gboolean
kaigi_store_commit (KaigiStore *s, GError **error)
{
  if (kaigi_store_exec (s, "COMMIT", error))
    return TRUE;
  kaigi_store_rollback (s);
  return FALSE;
}

gboolean
kaigi_store_rollback (KaigiStore *s)
{
  kaigi_store_exec (s, "ROLLBACK", NULL);
  return FALSE;
}

char *
kaigi_store_column_dup (sqlite3_stmt *st, int col)
{
  const char *text = (const char *)sqlite3_column_text (st, col);

  return g_strdup (text ? text : "");
}

gboolean
kaigi_store_meeting_state (KaigiStore *s, gint64 id, KaigiMeetingState *state, GError **error)
{
  g_autoptr (sqlite3_stmt) st
      = kaigi_store_prepare (s, "SELECT state FROM meeting WHERE id = ?", error);

  if (!st)
    return FALSE;
  sqlite3_bind_int64 (st, 1, id);
  if (sqlite3_step (st) != SQLITE_ROW) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_NOT_FOUND, "no meeting %" G_GINT64_FORMAT, id);
    return FALSE;
  }
  if (!kaigi_meeting_state_from_string ((const char *)sqlite3_column_text (st, 0), state))
    *state = KAIGI_MEETING_SCHEDULED;
  return TRUE;
}

gboolean
kaigi_store_require_scheduled (KaigiStore *s, gint64 id, const char *what, GError **error)
{
  KaigiMeetingState state;

  if (!kaigi_store_meeting_state (s, id, &state, error))
    return FALSE;
  if (state != KAIGI_MEETING_SCHEDULED) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_STATE,
                 "%s: meeting %" G_GINT64_FORMAT " is %s, no longer scheduled", what, id,
                 kaigi_meeting_state_to_string (state));
    return FALSE;
  }
  return TRUE;
}

/* ---- opening and the schema ---- */

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
    if (!kaigi_store_begin (s, error))
      return FALSE;
    if (!kaigi_store_exec (s, migrations[v], error) || !kaigi_store_exec (s, bump, error))
      return kaigi_store_rollback (s);
    if (!kaigi_store_commit (s, error))
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
  if (!kaigi_store_exec (
          s, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;", error)
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

/* ---- the demo meeting ---- */

static void
demo_venue (KaigiMeeting *m, KaigiVenueKind kind, const char *name)
{
  KaigiVenue *v = g_new0 (KaigiVenue, 1);

  v->kind = kind;
  v->name = g_strdup (name);
  g_ptr_array_add (m->venues, v);
}

static void
demo_item (KaigiMeeting *m, const char *number, const char *title)
{
  KaigiAgendaItem *item = kaigi_meeting_item_new ();

  item->number = g_strdup (number);
  item->title = g_strdup (title);
  g_ptr_array_add (m->agenda, item);
}

static void
demo_person (KaigiMeeting *m, const char *name, const char *title, KaigiRole role, const char *site)
{
  KaigiRosterEntry *r = g_new0 (KaigiRosterEntry, 1);

  r->name = g_strdup (name);
  r->title = g_strdup (title);
  r->role = role;
  r->site = g_strdup (site);
  g_ptr_array_add (m->roster, r);
}

/* A town committee as a secretariat would prepare it, to try every part of kaigi with. */
static KaigiMeeting *
demo_meeting (const char *title)
{
  KaigiMeeting *m = kaigi_meeting_new ();
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();

  g_free (m->body);
  m->body = g_strdup ("さくら町情報化推進委員会");
  g_free (m->title);
  m->title = g_strdup (title);
  g_free (m->number);
  m->number = g_strdup ("第1回");
  g_free (m->scheduled_at);
  m->scheduled_at = g_date_time_format (now, "%Y-%m-%dT%H:00:00%:z");
  demo_venue (m, KAIGI_VENUE_MAIN, "本会場");
  demo_venue (m, KAIGI_VENUE_SATELLITE, "第2庁舎サテライト");
  demo_venue (m, KAIGI_VENUE_ONLINE, "オンライン");
  demo_item (m, "議題1", "さくら町デジタル化推進計画（案）について");
  demo_item (m, "議題2", "その他");
  demo_person (m, "山田 太郎", "会長", KAIGI_ROLE_CHAIR, "本会場");
  demo_person (m, "佐藤 花子", "委員", KAIGI_ROLE_MEMBER, "本会場");
  demo_person (m, "鈴木 一郎", "委員", KAIGI_ROLE_MEMBER, "第2庁舎サテライト");
  demo_person (m, "高橋 美咲", "委員", KAIGI_ROLE_MEMBER, "オンライン");
  demo_person (m, "田中 健", "企画部長", KAIGI_ROLE_PRESENTER, "本会場");
  demo_person (m, "伊藤 誠", "事務局", KAIGI_ROLE_SECRETARIAT, "本会場");
  return m;
}

gint64
kaigi_store_ensure_demo_meeting (KaigiStore *s, const char *title, GError **error)
{
  g_autoptr (sqlite3_stmt) st = kaigi_store_prepare (
      s, "SELECT id FROM meeting WHERE is_demo = 1 ORDER BY id LIMIT 1", error);
  g_autoptr (KaigiMeeting) m = NULL;

  if (!st)
    return -1;
  if (sqlite3_step (st) == SQLITE_ROW)
    return sqlite3_column_int64 (st, 0);
  m = demo_meeting (title);
  return kaigi_store_meeting_insert (s, m, TRUE, error);
}

char *
kaigi_store_meeting_title (KaigiStore *s, gint64 meeting_id)
{
  g_autoptr (sqlite3_stmt) st
      = kaigi_store_prepare (s, "SELECT title FROM meeting WHERE id = ?", NULL);

  if (!st)
    return NULL;
  sqlite3_bind_int64 (st, 1, meeting_id);
  if (sqlite3_step (st) != SQLITE_ROW)
    return NULL;
  return kaigi_store_column_dup (st, 0);
}

/* ---- the timeline ---- */

gboolean
kaigi_store_add_event (KaigiStore *s, gint64 meeting_id, const char *kind, const char *participant,
                       const char *detail_json, GError **error)
{
  g_autoptr (sqlite3_stmt) st
      = kaigi_store_prepare (s,
                             "INSERT INTO timeline (meeting_id, at_us, kind, participant, detail) "
                             "VALUES (?, ?, ?, ?, ?)",
                             error);

  if (!st)
    return FALSE;
  sqlite3_bind_int64 (st, 1, meeting_id);
  sqlite3_bind_int64 (st, 2, g_get_real_time ());
  sqlite3_bind_text (st, 3, kind, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (st, 4, participant, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (st, 5, detail_json, -1, SQLITE_TRANSIENT);
  return kaigi_store_step_done (s, st, "add event", error);
}

gint64
kaigi_store_count_events (KaigiStore *s, gint64 meeting_id, const char *kind)
{
  g_autoptr (sqlite3_stmt) st = kaigi_store_prepare (
      s, "SELECT count(*) FROM timeline WHERE meeting_id = ? AND kind = ?", NULL);

  if (!st)
    return -1;
  sqlite3_bind_int64 (st, 1, meeting_id);
  sqlite3_bind_text (st, 2, kind, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (st) != SQLITE_ROW)
    return -1;
  return sqlite3_column_int64 (st, 0);
}
