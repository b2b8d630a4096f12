/* kaigi-backup: back up a kaigi data directory while kaigi-server runs, and restore one.
 *
 *   kaigi-backup --config /etc/kaigi/kaigi.conf --to /var/backups/kaigi/2024-05-01
 *   kaigi-backup --data-dir /var/lib/kaigi --restore /var/backups/kaigi/2024-05-01
 *
 * A backup folder holds kaigi.db (a consistent snapshot made with SQLite's online backup API,
 * checked with integrity_check) and meetings/ (the media folders). Restore puts both into a
 * data directory that has no database yet; run it with the server stopped.
 * Thread: main only. */
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <locale.h>
#include <stdlib.h>

#include "backup.h"
#include "kaigi-error.h"

/* [server] data-dir of @config, the same key kaigi-server reads. */
static char *
data_dir_from_config (const char *config, GError **error)
{
  g_autoptr (GKeyFile) kf = g_key_file_new ();
  char *dir;

  if (!g_key_file_load_from_file (kf, config, G_KEY_FILE_NONE, error))
    return NULL;
  dir = g_key_file_get_string (kf, "server", "data-dir", NULL);
  return dir ? g_strstrip (dir) : g_strdup ("kaigi-data");
}

static gboolean
backup (const char *data_dir, const char *to, GError **error)
{
  g_autofree char *db = g_build_filename (data_dir, "kaigi.db", NULL);
  g_autofree char *db_copy = g_build_filename (to, "kaigi.db", NULL);
  g_autofree char *media = g_build_filename (data_dir, "meetings", NULL);
  g_autofree char *media_copy = g_build_filename (to, "meetings", NULL);

  if (!g_file_test (db, G_FILE_TEST_IS_REGULAR)) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_CONFIG, "[server] data-dir: no kaigi.db in %s",
                 data_dir);
    return FALSE;
  }
  if (g_mkdir_with_parents (to, 0750) != 0) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_IO, "--to: cannot create %s", to);
    return FALSE;
  }
  if (!kaigi_backup_database (db, db_copy, error))
    return FALSE;
  return !g_file_test (media, G_FILE_TEST_IS_DIR)
         || kaigi_backup_copy_tree (media, media_copy, error);
}

static gboolean
restore (const char *from, const char *data_dir, GError **error)
{
  g_autofree char *db = g_build_filename (from, "kaigi.db", NULL);
  g_autofree char *db_target = g_build_filename (data_dir, "kaigi.db", NULL);
  g_autofree char *media = g_build_filename (from, "meetings", NULL);
  g_autofree char *media_target = g_build_filename (data_dir, "meetings", NULL);

  if (g_file_test (db_target, G_FILE_TEST_EXISTS)) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_IO,
                 "%s exists: stop kaigi-server and move the data directory aside first", db_target);
    return FALSE;
  }
  if (g_mkdir_with_parents (data_dir, 0750) != 0) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_CONFIG, "[server] data-dir: cannot create %s",
                 data_dir);
    return FALSE;
  }
  /* Through the backup API again: the restored file is checked like the backup was. */
  if (!kaigi_backup_database (db, db_target, error))
    return FALSE;
  return !g_file_test (media, G_FILE_TEST_IS_DIR)
         || kaigi_backup_copy_tree (media, media_target, error);
}

int
main (int argc, char **argv)
{
  g_autofree char *config = NULL, *data_dir = NULL, *to = NULL, *from = NULL;
  GOptionEntry entries[]
      = { { "config", 'c', 0, G_OPTION_ARG_FILENAME, &config,
            "kaigi-server's settings file (for [server] data-dir)", "FILE" },
          { "data-dir", 'd', 0, G_OPTION_ARG_FILENAME, &data_dir,
            "The data directory (overrides the settings file)", "DIR" },
          { "to", 0, 0, G_OPTION_ARG_FILENAME, &to, "Back up into DIR (made if missing)", "DIR" },
          { "restore", 0, 0, G_OPTION_ARG_FILENAME, &from,
            "Restore from DIR into the data directory (server stopped)", "DIR" },
          { NULL } };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("- back up or restore kaigi's data");
  g_autoptr (GError) error = NULL;
  gboolean ok;

  setlocale (LC_ALL, "");
  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &error) || (!to == !from)) {
    g_printerr ("kaigi-backup: %s\n", error ? error->message : "give either --to or --restore");
    return 2;
  }
  if (!data_dir)
    data_dir = config ? data_dir_from_config (config, &error) : g_strdup ("kaigi-data");
  if (!data_dir) {
    g_printerr ("kaigi-backup: --config %s: %s\n", config, error->message);
    return 2;
  }
  ok = to ? backup (data_dir, to, &error) : restore (from, data_dir, &error);
  if (!ok) {
    g_printerr ("kaigi-backup: %s\n", error->message);
    return 1;
  }
  g_print ("kaigi-backup: %s %s\n", to ? "backed up into" : "restored from", to ? to : from);
  return 0;
}
