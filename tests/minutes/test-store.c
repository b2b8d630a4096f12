/* test-store.c: the SQLite store on a real file: schema and its migration from version 1,
 * demo meeting, timeline, reopen; prepared meetings (create, load, update keeping ids, list,
 * delete, live state), materials, decisions, the attendance report and accounts. */
#include <glib/gstdio.h>

#include <sqlite3.h>

#include "kaigi-error.h"
#include "store.h"

static void
test_store_roundtrip (void)
{
  g_autofree char *dir = g_dir_make_tmp ("kaigi-store-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "kaigi.db", NULL);
  g_autoptr (GError) error = NULL;
  gint64 id, again;

  {
    g_autoptr (KaigiStore) s = kaigi_store_open (path, &error);
    g_assert_no_error (error);
    g_assert_cmpint (kaigi_store_schema_version (s), ==, 4);
    id = kaigi_store_ensure_demo_meeting (s, "第3回 推進本部会議", &error);
    g_assert_no_error (error);
    g_assert_cmpint (id, >, 0);
    g_assert_true (kaigi_store_add_event (s, id, "join", "p1", NULL, &error));
    g_assert_true (kaigi_store_add_event (s, id, "leave", "p1", "{\"why\":\"bye\"}", &error));
    g_assert_true (kaigi_store_add_event (s, id, "join", "p2", NULL, &error));
  }
  /* Reopened: same meeting, events kept, no second demo meeting. */
  {
    g_autoptr (KaigiStore) s = kaigi_store_open (path, &error);
    g_assert_no_error (error);
    again = kaigi_store_ensure_demo_meeting (s, "other", &error);
    g_assert_cmpint (again, ==, id);
    g_autofree char *title = kaigi_store_meeting_title (s, id);
    g_assert_cmpstr (title, ==, "第3回 推進本部会議");
    g_assert_cmpint (kaigi_store_count_events (s, id, "join"), ==, 2);
    g_assert_cmpint (kaigi_store_count_events (s, id, "leave"), ==, 1);
    /* Events of an unknown meeting are refused (foreign key). */
    g_assert_false (kaigi_store_add_event (s, id + 100, "join", "p9", NULL, &error));
    g_assert_nonnull (error);
  }
  g_unlink (path);
}

static void
test_store_bad_path (void)
{
  g_autoptr (GError) error = NULL;
  KaigiStore *s = kaigi_store_open ("/nonexistent/dir/kaigi.db", &error);

  g_assert_null (s);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "/nonexistent/dir/kaigi.db"));
}

static void
test_store_newer_schema_refused (void)
{
  g_autofree char *dir = g_dir_make_tmp ("kaigi-store-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "kaigi.db", NULL);
  g_autoptr (GError) error = NULL;
  g_autofree char *cmd = g_strdup_printf ("PRAGMA user_version = 99");

  {
    g_autoptr (KaigiStore) s = kaigi_store_open (path, &error);
    g_assert_no_error (error);
  }
  /* A database from a newer kaigi must not be migrated "back". */
  {
    sqlite3 *db;
    g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_exec (db, cmd, NULL, NULL, NULL), ==, SQLITE_OK);
    sqlite3_close (db);
  }
  g_assert_null (kaigi_store_open (path, &error));
  g_assert_nonnull (strstr (error->message, "newer"));
}

/* ---- prepared meetings ---- */

typedef struct {
  char *dir;     /* owned */
  char *path;    /* owned */
  KaigiStore *s; /* owned */
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  f->dir = g_dir_make_tmp ("kaigi-store-XXXXXX", NULL);
  f->path = g_build_filename (f->dir, "kaigi.db", NULL);
  f->s = kaigi_store_open (f->path, &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  const char *suffixes[] = { "", "-wal", "-shm" };

  kaigi_store_free (f->s);
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++) {
    g_autofree char *file = g_strconcat (f->path, suffixes[i], NULL);
    g_unlink (file);
  }
  g_rmdir (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

#define MAIN_HALL "市民会館 3階 第3会議室"
/* Roster: 金子 chair (main), 市川 member (online), 大野 member (satellite), 小川 secretariat. */
#define DOC_AT(when)                                                                                                 \
  "{\"body\":\"八千代市情報化推進協議会\","                                                              \
  "\"title\":\"令和2年度 第4回八千代市情報化推進協議会\",\"number\":\"第4回\","                  \
  "\"scheduled_at\":\"" when "\","                                                                                   \
  "\"venues\":[{\"kind\":\"main\",\"name\":\"" MAIN_HALL "\"},"                                                      \
  "{\"kind\":\"satellite\",\"name\":\"勝田台支所\"},{\"kind\":\"online\",\"name\":\"オンライン\"}"         \
  "],"                                                                                                               \
  "\"agenda\":[{\"number\":\"議題1\",\"title\":\"八千代市ICT利活用推進計画（素案）について\"}," \
  "{\"number\":\"議題2\",\"title\":\"その他\"}],"                                                               \
  "\"roster\":[{\"name\":\"金子\",\"title\":\"会長\",\"role\":\"chair\",\"site\":\"" MAIN_HALL                       \
  "\"},{\"name\":\"市川\",\"title\":\"委員\",\"role\":\"member\",\"site\":\"オンライン\"},"                 \
  "{\"name\":\"大野\",\"title\":\"委員\",\"role\":\"member\",\"site\":\"勝田台支所\"},"                     \
  "{\"name\":\"小川\",\"title\":\"副主幹\",\"role\":\"secretariat\",\"site\":\"" MAIN_HALL "\"}]}"
#define DOC DOC_AT ("2021-03-10T10:30:00+09:00")

static JsonNode *
parse (const char *json)
{
  g_autoptr (GError) error = NULL;
  JsonNode *node = json_from_string (json, &error);

  g_assert_no_error (error);
  return node;
}

static KaigiMeeting *
meeting_from_node (JsonNode *node)
{
  g_autoptr (GError) error = NULL;
  KaigiMeeting *m = kaigi_meeting_from_json (node, &error);

  g_assert_no_error (error);
  return m;
}

static KaigiMeeting *
meeting_from_string (const char *json)
{
  g_autoptr (JsonNode) node = parse (json);

  return meeting_from_node (node);
}

static gint64
create (KaigiStore *s, const char *json)
{
  g_autoptr (KaigiMeeting) m = meeting_from_string (json);
  g_autoptr (GError) error = NULL;
  gint64 id = kaigi_store_meeting_create (s, m, &error);

  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  return id;
}

static KaigiMeeting *
load (KaigiStore *s, gint64 id)
{
  g_autoptr (GError) error = NULL;
  KaigiMeeting *m = kaigi_store_meeting_load (s, id, &error);

  g_assert_no_error (error);
  return m;
}

static gint64
entry_id (GPtrArray *entries, guint i)
{
  return *(gint64 *)g_ptr_array_index (entries, i);
}

static void
assert_json_equal (JsonNode *a, JsonNode *b)
{
  g_autofree char *ta = json_to_string (a, FALSE);
  g_autofree char *tb = json_to_string (b, FALSE);

  g_assert_cmpstr (ta, ==, tb);
}

static void
test_demo_meeting (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  gint64 id = kaigi_store_ensure_demo_meeting (f->s, "第3回 推進本部会議", &error);
  g_autoptr (KaigiMeeting) m = NULL;
  g_autoptr (JsonNode) doc = NULL;
  g_autoptr (KaigiMeeting) again = NULL;
  guint roles[KAIGI_N_ROLES] = { 0 };
  guint online_members = 0;

  g_assert_no_error (error);
  g_assert_cmpint (kaigi_store_ensure_demo_meeting (f->s, "other", &error), ==, id);
  m = load (f->s, id);
  g_assert_cmpstr (m->title, ==, "第3回 推進本部会議");
  g_assert_cmpint (m->state, ==, KAIGI_MEETING_SCHEDULED);
  g_assert_false (m->closed);
  g_assert_cmpuint (m->venues->len, ==, 3);
  g_assert_cmpint (kaigi_meeting_venue_by_name (m, "本会場")->kind, ==, KAIGI_VENUE_MAIN);
  g_assert_cmpint (kaigi_meeting_venue_by_name (m, "第2庁舎サテライト")->kind, ==,
                   KAIGI_VENUE_SATELLITE);
  g_assert_cmpint (kaigi_meeting_venue_by_name (m, "オンライン")->kind, ==, KAIGI_VENUE_ONLINE);
  g_assert_cmpuint (m->agenda->len, ==, 2);
  for (guint i = 0; i < m->roster->len; i++) {
    KaigiRosterEntry *r = g_ptr_array_index (m->roster, i);
    roles[r->role]++;
    online_members += r->role == KAIGI_ROLE_MEMBER && g_str_equal (r->site, "オンライン");
  }
  g_assert_cmpuint (roles[KAIGI_ROLE_CHAIR], ==, 1);
  g_assert_cmpuint (roles[KAIGI_ROLE_MEMBER], ==, 3);
  g_assert_cmpuint (roles[KAIGI_ROLE_PRESENTER], ==, 1);
  g_assert_cmpuint (roles[KAIGI_ROLE_SECRETARIAT], ==, 1);
  g_assert_cmpuint (online_members, ==, 1);
  /* The demo meeting follows the document's rules like any other. */
  doc = kaigi_meeting_to_json (m);
  again = meeting_from_node (doc);
  g_assert_cmpint (again->id, ==, id);
}

/* The schema of version 1, as kaigi wrote it before meetings were prepared. */
static const char *const schema_v1
    = "CREATE TABLE meeting (id INTEGER PRIMARY KEY, title TEXT NOT NULL,"
      "  is_demo INTEGER NOT NULL DEFAULT 0, created_us INTEGER NOT NULL);"
      "CREATE TABLE timeline (id INTEGER PRIMARY KEY,"
      "  meeting_id INTEGER NOT NULL REFERENCES meeting(id), at_us INTEGER NOT NULL,"
      "  kind TEXT NOT NULL, participant TEXT, detail TEXT);"
      "CREATE INDEX timeline_meeting ON timeline(meeting_id, at_us);"
      "INSERT INTO meeting (id, title, is_demo, created_us) VALUES (4, '旧 推進本部会議', 1, 1);"
      "INSERT INTO timeline (meeting_id, at_us, kind, participant, detail) VALUES"
      "  (4, 10, 'join', 'p1', NULL), (4, 20, 'leave', 'p1', '{\"why\":\"bye\"}');"
      "PRAGMA user_version = 1;";

static void
test_migration_from_v1 (void)
{
  g_autofree char *dir = g_dir_make_tmp ("kaigi-store-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "kaigi.db", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (KaigiStore) s = NULL;
  g_autoptr (KaigiMeeting) m = NULL;
  g_autoptr (KaigiMeeting) edit = NULL;
  g_autoptr (JsonNode) timeline = NULL;
  g_autofree char *title = NULL;
  sqlite3 *db;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, schema_v1, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  s = kaigi_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (kaigi_store_schema_version (s), ==, 4);
  title = kaigi_store_meeting_title (s, 4);
  g_assert_cmpstr (title, ==, "旧 推進本部会議");
  g_assert_cmpint (kaigi_store_count_events (s, 4, "join"), ==, 1);
  g_assert_cmpint (kaigi_store_ensure_demo_meeting (s, "new", &error), ==, 4);
  m = load (s, 4);
  g_assert_cmpint (m->state, ==, KAIGI_MEETING_SCHEDULED);
  g_assert_cmpstr (m->scheduled_at, ==, "");
  g_assert_cmpuint (m->venues->len + m->agenda->len + m->roster->len, ==, 0);
  timeline = kaigi_store_timeline_json (s, 4, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (
                        json_object_get_array_member (json_node_get_object (timeline), "events")),
                    ==, 2);
  /* The old meeting can be prepared now, and deleted with its events. */
  edit = meeting_from_string (DOC);
  g_assert_true (kaigi_store_meeting_update (s, 4, edit, &error));
  g_assert_no_error (error);
  g_clear_pointer (&m, kaigi_meeting_free);
  m = load (s, 4);
  g_assert_cmpuint (m->roster->len, ==, 4);
  g_assert_true (kaigi_store_meeting_delete (s, 4, &error));
  g_assert_no_error (error);
  g_assert_cmpint (kaigi_store_count_events (s, 4, "join"), ==, 0);
}

static void
test_create_load (Fixture *f, gconstpointer data)
{
  g_autoptr (KaigiMeeting) m = meeting_from_string (DOC);
  g_autoptr (GError) error = NULL;
  g_autoptr (KaigiMeeting) stored = NULL;
  g_autoptr (JsonNode) a = NULL;
  g_autoptr (JsonNode) b = NULL;
  gint64 id = kaigi_store_meeting_create (f->s, m, &error);

  g_assert_no_error (error);
  g_assert_cmpint (m->id, ==, id);
  for (guint i = 0; i < 3; i++) {
    g_assert_cmpint (entry_id (m->venues, i), >, 0);
    g_assert_cmpint (entry_id (m->roster, i), >, 0);
  }
  g_assert_cmpint (entry_id (m->agenda, 1), >, entry_id (m->agenda, 0));
  stored = load (f->s, id);
  a = kaigi_meeting_to_json (m);
  b = kaigi_meeting_to_json (stored);
  assert_json_equal (a, b);
  g_assert_null (kaigi_store_meeting_load (f->s, id + 100, &error));
  g_assert_error (error, KAIGI_ERROR, KAIGI_ERROR_NOT_FOUND);
}

/* The stored document of @id with @edit applied to its JSON, read back. */
static KaigiMeeting *
edited (KaigiStore *s, gint64 id, void (*edit) (JsonObject *o))
{
  g_autoptr (KaigiMeeting) m = load (s, id);
  g_autoptr (JsonNode) doc = kaigi_meeting_to_json (m);

  edit (json_node_get_object (doc));
  return meeting_from_node (doc);
}

/* Rename item 0, drop item 1, add an item; drop 大野, add a member; a new title. */
static void
edit_keep_drop_add (JsonObject *o)
{
  JsonArray *agenda = json_object_get_array_member (o, "agenda");
  JsonArray *roster = json_object_get_array_member (o, "roster");

  json_object_set_string_member (o, "title", "令和2年度 第4回（変更）");
  json_object_set_string_member (json_array_get_object_element (agenda, 0), "title",
                                 "計画（案）について");
  json_array_remove_element (agenda, 1);
  json_array_add_element (agenda, parse ("{\"number\":\"議題3\",\"title\":\"報告事項\"}"));
  json_array_remove_element (roster, 2);
  json_array_add_element (
      roster, parse ("{\"name\":\"森\",\"title\":\"委員\",\"role\":\"member\",\"site\":\"" MAIN_HALL
                     "\"}"));
}

static void
test_update_keeps_ids (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  gint64 id = create (f->s, DOC);
  g_autoptr (KaigiMeeting) before = load (f->s, id);
  g_autoptr (KaigiMeeting) edit = NULL;
  g_autoptr (KaigiMeeting) after = NULL;
  gint64 item0 = entry_id (before->agenda, 0), item1 = entry_id (before->agenda, 1);
  gint64 kept_mat, dropped_mat, chair = entry_id (before->roster, 0);

  kept_mat
      = kaigi_store_material_add (f->s, id, item0, "資料1.pdf", "application/pdf", 123456, &error);
  dropped_mat
      = kaigi_store_material_add (f->s, id, item1, "資料2.pdf", "application/pdf", 99, &error);
  g_assert_no_error (error);
  g_assert_true (kaigi_store_roster_set_in_room (f->s, id, chair, TRUE, &error));

  edit = edited (f->s, id, edit_keep_drop_add);
  g_assert_true (kaigi_store_meeting_update (f->s, id, edit, &error));
  g_assert_no_error (error);
  /* New entries got their ids; the kept item's stored materials are handed back. */
  g_assert_cmpint (entry_id (edit->agenda, 1), >, item1);
  g_assert_cmpint (entry_id (edit->roster, 3), >, 0);
  g_assert_cmpuint (((KaigiAgendaItem *)edit->agenda->pdata[0])->materials->len, ==, 1);

  after = load (f->s, id);
  g_assert_cmpstr (after->title, ==, "令和2年度 第4回（変更）");
  g_assert_cmpuint (after->agenda->len, ==, 2);
  g_assert_cmpint (entry_id (after->agenda, 0), ==, item0);
  g_assert_cmpstr (kaigi_meeting_find_item (after, item0)->title, ==, "計画（案）について");
  g_assert_null (kaigi_meeting_find_item (after, item1));
  g_assert_cmpint (
      ((KaigiMaterial *)kaigi_meeting_find_item (after, item0)->materials->pdata[0])->id, ==,
      kept_mat);
  g_assert_null (kaigi_store_material_get (f->s, dropped_mat, NULL, &error));
  g_assert_error (error, KAIGI_ERROR, KAIGI_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_cmpuint (after->roster->len, ==, 4);
  g_assert_null (kaigi_meeting_find_roster (after, entry_id (before->roster, 2)));
  g_assert_cmpstr (((KaigiRosterEntry *)after->roster->pdata[3])->name, ==, "森");
  /* The secretariat's mark survives an edit. */
  g_assert_true (kaigi_meeting_find_roster (after, chair)->in_room);

  g_assert_false (kaigi_store_meeting_update (f->s, id + 100, edit, &error));
  g_assert_error (error, KAIGI_ERROR, KAIGI_ERROR_NOT_FOUND);
}

static gint64 foreign_roster_id;

/* A new title and a new item, and the roster entry of another meeting. */
static void
edit_foreign_id (JsonObject *o)
{
  JsonArray *roster = json_object_get_array_member (o, "roster");

  json_object_set_string_member (o, "title", "乗っ取り");
  json_array_add_element (json_object_get_array_member (o, "agenda"),
                          parse ("{\"title\":\"新議題\"}"));
  json_object_set_int_member (json_array_get_object_element (roster, 1), "id", foreign_roster_id);
}

static void
test_update_foreign_ids (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  gint64 id = create (f->s, DOC), other = create (f->s, DOC);
  g_autoptr (KaigiMeeting) theirs = load (f->s, other);
  g_autoptr (KaigiMeeting) edit = NULL;
  g_autoptr (KaigiMeeting) after = NULL;
  g_autoptr (KaigiMeeting) unchanged = NULL;

  foreign_roster_id = entry_id (theirs->roster, 1);
  edit = edited (f->s, id, edit_foreign_id);
  g_assert_false (kaigi_store_meeting_update (f->s, id, edit, &error));
  g_assert_error (error, KAIGI_ERROR, KAIGI_ERROR_INVALID);
  g_assert_true (g_str_has_prefix (error->message, "roster[1].id: "));
  g_clear_error (&error);
  /* Nothing of the edit stayed, and the new item is new again in the model. */
  g_assert_cmpint (entry_id (edit->agenda, 2), ==, 0);
  after = load (f->s, id);
  g_assert_cmpstr (after->title, ==, "令和2年度 第4回八千代市情報化推進協議会");
  g_assert_cmpuint (after->agenda->len, ==, 2);
  unchanged = load (f->s, other);
  g_assert_cmpstr (((KaigiRosterEntry *)unchanged->roster->pdata[1])->name, ==, "市川");

  /* An id that is nobody's is refused too. */
  foreign_roster_id = 99999;
  g_clear_pointer (&edit, kaigi_meeting_free);
  edit = edited (f->s, id, edit_foreign_id);
  g_assert_false (kaigi_store_meeting_update (f->s, id, edit, &error));
  g_assert_error (error, KAIGI_ERROR, KAIGI_ERROR_INVALID);
}

static void
test_state (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  gint64 id = create (f->s, DOC);
  g_autoptr (KaigiMeeting) m = load (f->s, id);
  g_autoptr (KaigiMeeting) opened = NULL;
  g_autoptr (KaigiMeeting) ended = NULL;
  gint64 item0 = entry_id (m->agenda, 0);
  gint64 mat = kaigi_store_material_add (f->s, id, item0, "資料.pdf", "application/pdf", 1, NULL);

  g_assert_cmpint (m->opened_at_us, ==, 0);
  g_assert_true (kaigi_store_meeting_set_state (f->s, id, KAIGI_MEETING_PUBLIC, 0, &error));
  g_assert_no_error (error);
  opened = load (f->s, id);
  g_assert_cmpint (opened->state, ==, KAIGI_MEETING_PUBLIC);
  g_assert_cmpint (opened->opened_at_us, >, 0);

  /* No more edits, deletes or material deletes once open. */
  g_assert_false (kaigi_store_meeting_update (f->s, id, m, &error));
  g_assert_error (error, KAIGI_ERROR, KAIGI_ERROR_STATE);
  g_clear_error (&error);
  g_assert_false (kaigi_store_meeting_delete (f->s, id, &error));
  g_assert_error (error, KAIGI_ERROR, KAIGI_ERROR_STATE);
  g_clear_error (&error);
  g_assert_false (kaigi_store_material_delete (f->s, mat, &error));
  g_assert_error (error, KAIGI_ERROR, KAIGI_ERROR_STATE);
  g_clear_error (&error);

  g_usleep (2000);
  g_assert_true (kaigi_store_meeting_set_state (f->s, id, KAIGI_MEETING_RECESS, item0, &error));
  g_assert_true (kaigi_store_meeting_set_state (f->s, id, KAIGI_MEETING_CLOSED, item0, &error));
  g_assert_true (kaigi_store_meeting_set_state (f->s, id, KAIGI_MEETING_ADJOURNED, 0, &error));
  g_assert_no_error (error);
  ended = load (f->s, id);
  g_assert_cmpint (ended->opened_at_us, ==, opened->opened_at_us);
  g_assert_cmpint (ended->adjourned_at_us, >, opened->opened_at_us);
  g_assert_cmpint (ended->current_item, ==, 0);

  g_assert_false (kaigi_store_meeting_set_state (f->s, id, KAIGI_MEETING_PUBLIC, 99999, &error));
  g_assert_error (error, KAIGI_ERROR, KAIGI_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (kaigi_store_meeting_set_state (f->s, id + 100, KAIGI_MEETING_PUBLIC, 0, &error));
  g_assert_error (error, KAIGI_ERROR, KAIGI_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* The public gallery's peak only rises. */
  g_assert_cmpuint (ended->peak_viewers, ==, 0);
  g_assert_true (kaigi_store_meeting_raise_viewers (f->s, id, 5, &error));
  g_assert_true (kaigi_store_meeting_raise_viewers (f->s, id, 3, &error));
  g_assert_no_error (error);
  {
    g_autoptr (KaigiMeeting) peak = load (f->s, id);
    g_assert_cmpuint (peak->peak_viewers, ==, 5);
  }
}

static void
test_decisions (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  gint64 id = create (f->s, DOC), other = create (f->s, DOC);
  g_autoptr (KaigiMeeting) m = load (f->s, id);
  g_autoptr (KaigiMeeting) theirs = load (f->s, other);
  const char *const ayes[] = { "金子", "市川", NULL };
  const char *const noes[] = { "大野", NULL };
  g_autoptr (JsonNode) node = NULL;
  g_autofree char *text = NULL;
  JsonArray *list;
  JsonObject *d;
  gint64 d1, d2, d3;

  d1 = kaigi_store_decision_add (f->s, id, entry_id (m->agenda, 0), "approved", "原案のとおり了承",
                                 NULL, NULL, NULL, &error);
  d2 = kaigi_store_decision_add (f->s, id, entry_id (m->agenda, 1), "vote", NULL, ayes, noes, NULL,
                                 &error);
  d3 = kaigi_store_decision_add (f->s, id, 0, "approved", "閉会", NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (d1, <, d2);
  g_assert_cmpint (d2, <, d3);

  g_assert_cmpint (kaigi_store_decision_add (f->s, id, 0, "maybe", NULL, NULL, NULL, NULL, &error),
                   ==, -1);
  g_assert_error (error, KAIGI_ERROR, KAIGI_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_cmpint (kaigi_store_decision_add (f->s, id, entry_id (theirs->agenda, 0), "approved",
                                             NULL, NULL, NULL, NULL, &error),
                   ==, -1);
  g_assert_error (error, KAIGI_ERROR, KAIGI_ERROR_NOT_FOUND);
  g_clear_error (&error);

  node = kaigi_store_decisions_json (f->s, id, &error);
  g_assert_no_error (error);
  list = json_node_get_array (node);
  g_assert_cmpuint (json_array_get_length (list), ==, 3);
  d = json_array_get_object_element (list, 0);
  g_assert_cmpint (json_object_get_int_member (d, "id"), ==, d1);
  g_assert_cmpint (json_object_get_int_member (d, "item"), ==, entry_id (m->agenda, 0));
  g_assert_cmpstr (json_object_get_string_member (d, "text"), ==, "原案のとおり了承");
  g_assert_cmpint (json_object_get_int_member (d, "at_us"), >, 0);
  d = json_array_get_object_element (list, 1);
  g_assert_cmpstr (json_object_get_string_member (d, "kind"), ==, "vote");
  text = json_to_string (json_object_get_member (d, "for"), FALSE);
  g_assert_cmpstr (text, ==, "[\"金子\",\"市川\"]");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (d, "against")), ==, 1);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (d, "abstain")), ==, 0);
  d = json_array_get_object_element (list, 2);
  g_assert_true (json_object_get_null_member (d, "item"));

  g_assert_null (kaigi_store_decisions_json (f->s, id + 100, &error));
  g_assert_error (error, KAIGI_ERROR, KAIGI_ERROR_NOT_FOUND);
}

static JsonObject *
attendee (JsonNode *report, guint i)
{
  JsonObject *o = json_node_get_object (report);

  return json_array_get_object_element (json_object_get_array_member (o, "members"), i);
}

static void
add_event (KaigiStore *s, gint64 meeting, const char *kind, gint64 roster_id)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *who = g_strdup_printf ("r%" G_GINT64_FORMAT, roster_id);

  g_assert_true (kaigi_store_add_event (s, meeting, kind, who, NULL, &error));
}

static void
test_attendance (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  gint64 id = create (f->s, DOC), other = create (f->s, DOC);
  g_autoptr (KaigiMeeting) m = load (f->s, id);
  g_autoptr (JsonNode) report = NULL;
  g_autoptr (JsonNode) marked = NULL;
  gint64 chair = entry_id (m->roster, 0), ichikawa = entry_id (m->roster, 1);
  gint64 ono = entry_id (m->roster, 2), ogawa = entry_id (m->roster, 3);
  g_autofree char *counts = NULL;
  JsonArray *sessions;

  /* The chair is marked in the room; 市川 joins, leaves and comes back; 小川 (secretariat)
   * joins once; 大野 only appears in another meeting and with a stray leave. */
  g_assert_true (kaigi_store_roster_set_in_room (f->s, id, chair, TRUE, &error));
  add_event (f->s, id, "join", ichikawa);
  add_event (f->s, id, "leave", ichikawa);
  add_event (f->s, id, "join", ichikawa);
  add_event (f->s, id, "join", ogawa);
  add_event (f->s, id, "leave", ono);
  add_event (f->s, other, "join", ono);
  g_assert_true (kaigi_store_add_event (f->s, id, "join", "p7", NULL, &error));
  g_assert_false (kaigi_store_roster_set_in_room (f->s, other, chair, TRUE, &error));
  g_assert_error (error, KAIGI_ERROR, KAIGI_ERROR_NOT_FOUND);
  g_clear_error (&error);

  report = kaigi_store_attendance_json (f->s, id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (attendee (report, 0), "status"), ==, "in-room");
  g_assert_true (json_object_get_boolean_member (attendee (report, 0), "in_room"));
  g_assert_cmpstr (json_object_get_string_member (attendee (report, 1), "status"), ==, "online");
  g_assert_cmpstr (json_object_get_string_member (attendee (report, 1), "site"), ==, "オンライン");
  sessions = json_object_get_array_member (attendee (report, 1), "sessions");
  g_assert_cmpuint (json_array_get_length (sessions), ==, 2);
  g_assert_cmpint (
      json_object_get_int_member (json_array_get_object_element (sessions, 0), "left_at_us"), >=,
      json_object_get_int_member (json_array_get_object_element (sessions, 0), "joined_at_us"));
  g_assert_true (
      json_object_get_null_member (json_array_get_object_element (sessions, 1), "left_at_us"));
  g_assert_cmpstr (json_object_get_string_member (attendee (report, 2), "status"), ==, "absent");
  g_assert_cmpuint (
      json_array_get_length (json_object_get_array_member (attendee (report, 2), "sessions")), ==,
      0);
  g_assert_cmpstr (json_object_get_string_member (attendee (report, 3), "role"), ==, "secretariat");
  g_assert_cmpstr (json_object_get_string_member (attendee (report, 3), "status"), ==, "online");
  counts = json_to_string (json_object_get_member (json_node_get_object (report), "counts"), FALSE);
  g_assert_cmpstr (counts, ==,
                   "{\"members\":3,\"online\":1,\"in_room\":1,\"absent\":1,"
                   "\"present_for_quorum\":2,\"quorum\":2,\"quorate\":true}");

  /* Marked in the room, an online member counts as in the room. */
  g_assert_true (kaigi_store_roster_set_in_room (f->s, id, ichikawa, TRUE, &error));
  marked = kaigi_store_attendance_json (f->s, id, &error);
  g_assert_cmpstr (json_object_get_string_member (attendee (marked, 1), "status"), ==, "in-room");

  g_assert_null (kaigi_store_attendance_json (f->s, id + 100, &error));
  g_assert_error (error, KAIGI_ERROR, KAIGI_ERROR_NOT_FOUND);
}

static void
test_timeline_json (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  gint64 id = create (f->s, DOC);
  g_autoptr (JsonNode) node = NULL;
  JsonArray *events;
  JsonObject *e;

  g_assert_true (kaigi_store_add_event (f->s, id, "opened", NULL, NULL, &error));
  g_assert_true (kaigi_store_add_event (f->s, id, "leave", "r2", "{\"why\":\"bye\"}", &error));
  node = kaigi_store_timeline_json (f->s, id, &error);
  g_assert_no_error (error);
  events = json_object_get_array_member (json_node_get_object (node), "events");
  g_assert_cmpuint (json_array_get_length (events), ==, 2);
  e = json_array_get_object_element (events, 0);
  g_assert_cmpstr (json_object_get_string_member (e, "kind"), ==, "opened");
  g_assert_true (json_object_get_null_member (e, "who"));
  g_assert_true (json_object_get_null_member (e, "detail"));
  e = json_array_get_object_element (events, 1);
  g_assert_cmpstr (json_object_get_string_member (e, "who"), ==, "r2");
  g_assert_cmpstr (
      json_object_get_string_member (json_object_get_object_member (e, "detail"), "why"), ==,
      "bye");
  g_assert_cmpint (json_object_get_int_member (e, "at_us"), >, 0);
}

static void
test_accounts (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *hash = NULL;
  g_autofree char *replaced = NULL;
  gint64 id, again, found = 0;

  g_assert_cmpint (kaigi_store_account_count (f->s), ==, 0);
  g_assert_null (kaigi_store_account_hash (f->s, "admin", &found));
  id = kaigi_store_account_set (f->s, "admin", "$argon2id$v=19$one", &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  hash = kaigi_store_account_hash (f->s, "admin", &found);
  g_assert_cmpstr (hash, ==, "$argon2id$v=19$one");
  g_assert_cmpint (found, ==, id);

  again = kaigi_store_account_set (f->s, "admin", "$argon2id$v=19$two", &error);
  g_assert_cmpint (again, ==, id);
  replaced = kaigi_store_account_hash (f->s, "admin", NULL);
  g_assert_cmpstr (replaced, ==, "$argon2id$v=19$two");
  g_assert_cmpint (kaigi_store_account_set (f->s, "小川", "$argon2id$x", &error), >, id);
  g_assert_cmpint (kaigi_store_account_count (f->s), ==, 2);
  g_assert_cmpint (kaigi_store_account_set (f->s, "", "$argon2id$x", &error), ==, -1);
  g_assert_error (error, KAIGI_ERROR, KAIGI_ERROR_INVALID);
}

static void
test_materials (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  gint64 id = create (f->s, DOC), other = create (f->s, DOC);
  g_autoptr (KaigiMeeting) m = load (f->s, id);
  g_autoptr (KaigiMeeting) theirs = load (f->s, other);
  g_autoptr (KaigiMeeting) with = NULL;
  KaigiMaterial *mat;
  gint64 item = entry_id (m->agenda, 1), mat_id, meeting = 0;

  mat_id = kaigi_store_material_add (f->s, id, item, "資料2 計画素案.pdf", "application/pdf",
                                     123456, &error);
  g_assert_no_error (error);
  mat = kaigi_store_material_get (f->s, mat_id, &meeting, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (mat->name, ==, "資料2 計画素案.pdf");
  g_assert_cmpstr (mat->content_type, ==, "application/pdf");
  g_assert_cmpint (mat->size, ==, 123456);
  g_assert_cmpint (meeting, ==, id);
  kaigi_material_free (mat);
  with = load (f->s, id);
  g_assert_cmpuint (kaigi_meeting_find_item (with, item)->materials->len, ==, 1);

  /* An item of another meeting is no item of this one. */
  g_assert_cmpint (kaigi_store_material_add (f->s, id, entry_id (theirs->agenda, 0), "x.pdf",
                                             "application/pdf", 1, &error),
                   ==, -1);
  g_assert_error (error, KAIGI_ERROR, KAIGI_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_true (kaigi_store_material_delete (f->s, mat_id, &error));
  g_assert_no_error (error);
  g_assert_null (kaigi_store_material_get (f->s, mat_id, NULL, &error));
  g_assert_error (error, KAIGI_ERROR, KAIGI_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (kaigi_store_material_delete (f->s, mat_id, &error));
  g_assert_error (error, KAIGI_ERROR, KAIGI_ERROR_NOT_FOUND);
}

static void
test_list (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  /* 03:00 UTC is 12:00 in Japan: later than 10:30+09:00, though it sorts first as text. */
  gint64 morning = create (f->s, DOC_AT ("2021-03-10T10:30:00+09:00"));
  gint64 noon = create (f->s, DOC_AT ("2021-03-10T03:00:00+00:00"));
  gint64 last_year = create (f->s, DOC_AT ("2020-01-01T00:00:00+09:00"));
  g_autoptr (GPtrArray) list = kaigi_store_meeting_list (f->s, &error);
  KaigiMeeting *first;

  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 3);
  first = g_ptr_array_index (list, 0);
  g_assert_cmpint (first->id, ==, noon);
  g_assert_cmpint (((KaigiMeeting *)list->pdata[1])->id, ==, morning);
  g_assert_cmpint (((KaigiMeeting *)list->pdata[2])->id, ==, last_year);
  g_assert_cmpstr (first->title, ==, "令和2年度 第4回八千代市情報化推進協議会");
  g_assert_cmpuint (first->venues->len + first->agenda->len + first->roster->len, ==, 0);
}

static void
test_delete (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  gint64 id = create (f->s, DOC), other = create (f->s, DOC);
  g_autoptr (KaigiMeeting) m = load (f->s, id);
  g_autoptr (KaigiMeeting) kept = NULL;
  gint64 item = entry_id (m->agenda, 0);
  gint64 mat = kaigi_store_material_add (f->s, id, item, "a.pdf", "application/pdf", 1, NULL);

  g_assert_cmpint (mat, >, 0);
  add_event (f->s, id, "join", entry_id (m->roster, 1));
  g_assert_cmpint (
      kaigi_store_decision_add (f->s, id, item, "approved", NULL, NULL, NULL, NULL, NULL), >, 0);
  add_event (f->s, other, "join", 1);

  g_assert_true (kaigi_store_meeting_delete (f->s, id, &error));
  g_assert_no_error (error);
  g_assert_null (kaigi_store_meeting_load (f->s, id, &error));
  g_assert_error (error, KAIGI_ERROR, KAIGI_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_null (kaigi_store_material_get (f->s, mat, NULL, &error));
  g_clear_error (&error);
  g_assert_cmpint (kaigi_store_count_events (f->s, id, "join"), ==, 0);
  g_assert_false (kaigi_store_meeting_delete (f->s, id, &error));
  g_assert_error (error, KAIGI_ERROR, KAIGI_ERROR_NOT_FOUND);
  /* The other meeting is untouched. */
  kept = load (f->s, other);
  g_assert_cmpuint (kept->roster->len, ==, 4);
  g_assert_cmpint (kaigi_store_count_events (f->s, other, "join"), ==, 1);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/store/roundtrip", test_store_roundtrip);
  g_test_add_func ("/store/bad-path", test_store_bad_path);
  g_test_add_func ("/store/newer-schema-refused", test_store_newer_schema_refused);
  g_test_add_func ("/store/migration-from-v1", test_migration_from_v1);
#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD ("/store/demo-meeting", test_demo_meeting);
  ADD ("/store/create-load", test_create_load);
  ADD ("/store/update-keeps-ids", test_update_keeps_ids);
  ADD ("/store/update-foreign-ids", test_update_foreign_ids);
  ADD ("/store/state", test_state);
  ADD ("/store/decisions", test_decisions);
  ADD ("/store/attendance", test_attendance);
  ADD ("/store/timeline-json", test_timeline_json);
  ADD ("/store/accounts", test_accounts);
  ADD ("/store/materials", test_materials);
  ADD ("/store/list", test_list);
  ADD ("/store/delete", test_delete);
#undef ADD
  return g_test_run ();
}
