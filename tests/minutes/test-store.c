/* test-store.c: the SQLite store on a real file: schema, demo meeting, timeline, reopen. */
#include <glib/gstdio.h>

#include <sqlite3.h>

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
    g_assert_cmpint (kaigi_store_schema_version (s), ==, 1);
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

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/store/roundtrip", test_store_roundtrip);
  g_test_add_func ("/store/bad-path", test_store_bad_path);
  g_test_add_func ("/store/newer-schema-refused", test_store_newer_schema_refused);
  return g_test_run ();
}
