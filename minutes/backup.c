/* backup.c: copies of the meeting record that can be trusted.
 *
 * Why the online backup API and not cp: kaigi-server keeps the database in WAL mode and
 * writes the timeline as it happens; a file copy taken mid-write can hold half a
 * transaction, and misses what is still in kaigi.db-wal. sqlite3_backup_step(-1) copies every
 * page under one read transaction, so the copy is one committed state, and WAL readers do not
 * block the server's writer while it runs. The copy is checked with integrity_check before
 * anyone relies on it. Media files are written once and never changed in place, so a plain
 * file copy of meetings/ is enough for them.
 * Thread: any (the kaigi-backup tool's main thread). */
#include "backup.h"

#include <gio/gio.h>
#include <sqlite3.h>

#include "kaigi-error.h"

static gboolean
fail (GError **error, sqlite3 *db, const char *what, const char *path)
{
  g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_STORE, "%s %s: %s", what, path,
               db ? sqlite3_errmsg (db) : "out of memory");
  return FALSE;
}

static gboolean
integrity_ok (sqlite3 *db, const char *path, GError **error)
{
  sqlite3_stmt *st = NULL;
  gboolean ok = FALSE;

  if (sqlite3_prepare_v2 (db, "PRAGMA integrity_check", -1, &st, NULL) != SQLITE_OK)
    return fail (error, db, "checking", path);
  if (sqlite3_step (st) == SQLITE_ROW)
    ok = g_strcmp0 ((const char *)sqlite3_column_text (st, 0), "ok") == 0;
  if (!ok)
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_STORE, "the copy %s fails integrity_check: %s",
                 path, st ? (const char *)sqlite3_column_text (st, 0) : "?");
  sqlite3_finalize (st);
  return ok;
}

gboolean
kaigi_backup_database (const char *db_path, const char *dest_path, GError **error)
{
  sqlite3 *src = NULL, *dst = NULL;
  sqlite3_backup *b;
  gboolean ok = FALSE;
  int rc;

  if (g_file_test (dest_path, G_FILE_TEST_EXISTS)) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_IO, "%s exists already", dest_path);
    return FALSE;
  }
  if (sqlite3_open_v2 (db_path, &src, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
    fail (error, src, "cannot open", db_path);
    goto out;
  }
  sqlite3_busy_timeout (src, 5000);
  if (sqlite3_open_v2 (dest_path, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL)
      != SQLITE_OK) {
    fail (error, dst, "cannot create", dest_path);
    goto out;
  }
  if (!(b = sqlite3_backup_init (dst, "main", src, "main"))) {
    fail (error, dst, "cannot back up into", dest_path);
    goto out;
  }
  /* All pages in one step: one read transaction, hence one consistent state. */
  rc = sqlite3_backup_step (b, -1);
  sqlite3_backup_finish (b);
  if (rc != SQLITE_DONE) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_STORE, "backing up %s: %s", db_path,
                 sqlite3_errstr (rc));
    goto out;
  }
  ok = integrity_ok (dst, dest_path, error);
out:
  sqlite3_close (src);
  sqlite3_close (dst);
  return ok;
}

gboolean
kaigi_backup_copy_tree (const char *from, const char *to, GError **error)
{
  g_autoptr (GDir) dir = g_dir_open (from, 0, error);
  const char *name;

  if (!dir || g_mkdir_with_parents (to, 0750) != 0) {
    if (dir)
      g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_IO, "cannot create %s", to);
    return FALSE;
  }
  while ((name = g_dir_read_name (dir))) {
    g_autofree char *src = g_build_filename (from, name, NULL);
    g_autofree char *dst = g_build_filename (to, name, NULL);
    if (g_file_test (src, G_FILE_TEST_IS_DIR)) {
      if (!kaigi_backup_copy_tree (src, dst, error))
        return FALSE;
    } else {
      g_autoptr (GFile) s = g_file_new_for_path (src);
      g_autoptr (GFile) d = g_file_new_for_path (dst);
      if (!g_file_copy (s, d, G_FILE_COPY_NOFOLLOW_SYMLINKS, NULL, NULL, NULL, error))
        return FALSE;
    }
  }
  return TRUE;
}
