/* store-people.c: people in the store: the secretariat's in-room marks, the attendance report
 * and the timeline as the secretariat reads them, and the secretariat's accounts.
 *
 * Why attendance is computed, not stored: the timeline already records every `join` and
 * `leave` (participant "r<ID>" for a roster entry), committed as it happens by the timeline
 * thread; a second record could only disagree with it. The in-room mark is the one fact the
 * timeline cannot know, so it is a roster column. Main thread only. */
#define G_LOG_DOMAIN "kaigi-store"

#include "store-private.h"

/* A node that takes over @o. */
static JsonNode *
object_node (JsonObject *o)
{
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_node_take_object (node, o);
  return node;
}

gboolean
kaigi_store_roster_set_in_room (KaigiStore *s, gint64 meeting_id, gint64 roster_id,
                                gboolean in_room, GError **error)
{
  g_autoptr (sqlite3_stmt) st = kaigi_store_prepare (
      s, "UPDATE roster SET in_room = ? WHERE id = ? AND meeting_id = ?", error);

  if (!st)
    return FALSE;
  sqlite3_bind_int (st, 1, !!in_room);
  sqlite3_bind_int64 (st, 2, roster_id);
  sqlite3_bind_int64 (st, 3, meeting_id);
  if (!kaigi_store_step_done (s, st, "set in room", error))
    return FALSE;
  if (sqlite3_changes (s->db) == 0) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_NOT_FOUND,
                 "no roster entry %" G_GINT64_FORMAT " in meeting %" G_GINT64_FORMAT, roster_id,
                 meeting_id);
    return FALSE;
  }
  return TRUE;
}

/* ---- attendance ---- */

typedef struct {
  gint64 joined_at_us;
  gint64 left_at_us; /* -1 while still in */
} Session;

/* Pairs a `leave` with the earliest `join` of that participant still open: a join and the
 * next leave make a session, also when a second device joined in between. */
static void
add_timeline_mark (GHashTable *sessions, gint64 roster_id, gboolean join, gint64 at_us)
{
  GArray *list = g_hash_table_lookup (sessions, GINT_TO_POINTER ((int)roster_id));

  if (join) {
    Session fresh = { at_us, -1 };
    if (!list) {
      list = g_array_new (FALSE, FALSE, sizeof (Session));
      g_hash_table_insert (sessions, GINT_TO_POINTER ((int)roster_id), list);
    }
    g_array_append_val (list, fresh);
    return;
  }
  for (guint i = 0; list && i < list->len; i++) {
    Session *open = &g_array_index (list, Session, i);
    if (open->left_at_us < 0) {
      open->left_at_us = at_us;
      return;
    }
  }
}

/* roster id (GINT_TO_POINTER) -> GArray of Session, from the meeting's join/leave events. */
static GHashTable *
load_sessions (KaigiStore *s, gint64 meeting_id, GError **error)
{
  g_autoptr (sqlite3_stmt) st
      = kaigi_store_prepare (s,
                             "SELECT at_us, kind, participant FROM timeline WHERE meeting_id = ? "
                             "AND kind IN ('join', 'leave') AND participant LIKE 'r%' "
                             "ORDER BY at_us, id",
                             error);
  g_autoptr (GHashTable) sessions
      = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify)g_array_unref);
  int rc;

  if (!st)
    return NULL;
  sqlite3_bind_int64 (st, 1, meeting_id);
  while ((rc = sqlite3_step (st)) == SQLITE_ROW) {
    const char *who = (const char *)sqlite3_column_text (st, 2);
    const char *kind = (const char *)sqlite3_column_text (st, 1);
    guint64 roster_id;
    if (g_ascii_string_to_unsigned (who + 1, 10, 1, G_MAXINT, &roster_id, NULL))
      add_timeline_mark (sessions, roster_id, g_str_equal (kind, "join"),
                         sqlite3_column_int64 (st, 0));
  }
  if (rc != SQLITE_DONE) {
    kaigi_store_fail (s, error, "load attendance");
    return NULL;
  }
  return g_steal_pointer (&sessions);
}

static JsonNode *
sessions_json (GArray *list)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();

  json_builder_begin_array (b);
  for (guint i = 0; list && i < list->len; i++) {
    Session *one = &g_array_index (list, Session, i);
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "joined_at_us");
    json_builder_add_int_value (b, one->joined_at_us);
    json_builder_set_member_name (b, "left_at_us");
    if (one->left_at_us < 0)
      json_builder_add_null_value (b);
    else
      json_builder_add_int_value (b, one->left_at_us);
    json_builder_end_object (b);
  }
  json_builder_end_array (b);
  return json_builder_get_root (b);
}

static JsonObject *
attendee_json (const KaigiRosterEntry *r, GArray *sessions)
{
  JsonObject *o = json_object_new ();
  const char *status = r->in_room ? "in-room" : sessions ? "online" : "absent";

  json_object_set_int_member (o, "roster", r->id);
  json_object_set_string_member (o, "name", r->name);
  json_object_set_string_member (o, "title", r->title);
  json_object_set_string_member (o, "role", kaigi_role_to_string (r->role));
  json_object_set_string_member (o, "site", r->site);
  json_object_set_string_member (o, "status", status);
  json_object_set_member (o, "sessions", sessions_json (sessions));
  json_object_set_boolean_member (o, "in_room", r->in_room);
  return o;
}

JsonNode *
kaigi_store_attendance_json (KaigiStore *s, gint64 meeting_id, GError **error)
{
  g_autoptr (KaigiMeeting) m = kaigi_store_meeting_load (s, meeting_id, error);
  g_autoptr (GHashTable) sessions = NULL;
  g_autoptr (JsonArray) members = json_array_new ();
  JsonObject *report;
  KaigiQuorum q;

  if (!m || !(sessions = load_sessions (s, meeting_id, error)))
    return NULL;
  for (guint i = 0; i < m->roster->len; i++) {
    KaigiRosterEntry *r = g_ptr_array_index (m->roster, i);
    GArray *list = g_hash_table_lookup (sessions, GINT_TO_POINTER ((int)r->id));
    json_array_add_object_element (members, attendee_json (r, list));
  }
  /* Joined at least once is online; the keys of @sessions are exactly that set. */
  q = kaigi_meeting_quorum (m, sessions);
  report = json_object_new ();
  json_object_set_array_member (report, "members", g_steal_pointer (&members));
  json_object_set_member (report, "counts", kaigi_quorum_to_json (&q));
  return object_node (report);
}

/* ---- the timeline ---- */

static JsonObject *
event_json (sqlite3_stmt *st)
{
  JsonObject *o = json_object_new ();
  const char *who = (const char *)sqlite3_column_text (st, 2);
  const char *detail = (const char *)sqlite3_column_text (st, 3);
  JsonNode *parsed = detail ? json_from_string (detail, NULL) : NULL;

  json_object_set_int_member (o, "at_us", sqlite3_column_int64 (st, 0));
  json_object_set_string_member (o, "kind", (const char *)sqlite3_column_text (st, 1));
  if (who)
    json_object_set_string_member (o, "who", who);
  else
    json_object_set_null_member (o, "who");
  if (parsed)
    json_object_set_member (o, "detail", parsed);
  else
    json_object_set_null_member (o, "detail");
  return o;
}

JsonNode *
kaigi_store_timeline_json (KaigiStore *s, gint64 meeting_id, GError **error)
{
  g_autoptr (sqlite3_stmt) st = NULL;
  g_autoptr (JsonArray) events = json_array_new ();
  KaigiMeetingState state;
  JsonObject *root;
  int rc;

  if (!kaigi_store_meeting_state (s, meeting_id, &state, error))
    return NULL;
  st = kaigi_store_prepare (s,
                            "SELECT at_us, kind, participant, detail FROM timeline "
                            "WHERE meeting_id = ? ORDER BY at_us, id",
                            error);
  if (!st)
    return NULL;
  sqlite3_bind_int64 (st, 1, meeting_id);
  while ((rc = sqlite3_step (st)) == SQLITE_ROW)
    json_array_add_object_element (events, event_json (st));
  if (rc != SQLITE_DONE) {
    kaigi_store_fail (s, error, "load timeline");
    return NULL;
  }
  root = json_object_new ();
  json_object_set_array_member (root, "events", g_steal_pointer (&events));
  return object_node (root);
}

/* ---- accounts ---- */

gint64
kaigi_store_account_set (KaigiStore *s, const char *name, const char *password_hash, GError **error)
{
  g_autoptr (sqlite3_stmt) st = NULL;
  gint64 id;

  if (!name || !*name || !password_hash || !*password_hash) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_INVALID, "account: name and hash are required");
    return -1;
  }
  st = kaigi_store_prepare (s,
                            "INSERT INTO account (name, password_hash, created_us) "
                            "VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE "
                            "SET password_hash = excluded.password_hash RETURNING id",
                            error);
  if (!st)
    return -1;
  sqlite3_bind_text (st, 1, name, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (st, 2, password_hash, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (st, 3, g_get_real_time ());
  if (sqlite3_step (st) != SQLITE_ROW) {
    kaigi_store_fail (s, error, "set account");
    return -1;
  }
  id = sqlite3_column_int64 (st, 0);
  return kaigi_store_step_done (s, st, "set account", error) ? id : -1;
}

char *
kaigi_store_account_hash (KaigiStore *s, const char *name, gint64 *id)
{
  g_autoptr (sqlite3_stmt) st
      = kaigi_store_prepare (s, "SELECT id, password_hash FROM account WHERE name = ?", NULL);

  if (!st)
    return NULL;
  sqlite3_bind_text (st, 1, name, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (st) != SQLITE_ROW)
    return NULL;
  if (id)
    *id = sqlite3_column_int64 (st, 0);
  return kaigi_store_column_dup (st, 1);
}

char *
kaigi_store_account_name (KaigiStore *s, gint64 id)
{
  g_autoptr (sqlite3_stmt) st
      = kaigi_store_prepare (s, "SELECT name FROM account WHERE id = ?", NULL);

  if (!st)
    return NULL;
  sqlite3_bind_int64 (st, 1, id);
  return sqlite3_step (st) == SQLITE_ROW ? kaigi_store_column_dup (st, 0) : NULL;
}

gint64
kaigi_store_account_count (KaigiStore *s)
{
  g_autoptr (sqlite3_stmt) st = kaigi_store_prepare (s, "SELECT count(*) FROM account", NULL);

  if (!st || sqlite3_step (st) != SQLITE_ROW)
    return -1;
  return sqlite3_column_int64 (st, 0);
}
