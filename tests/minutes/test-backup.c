/* test-backup.c: backups taken while the database is being written are consistent, and a
 * restored data directory brings kaigi-server back with its meeting.
 *
 * /backup/while-writing: a writer thread commits timeline events as fast as it can while
 * backups are taken; every copy passes integrity_check and holds a whole number of commits.
 * /backup/restore-server: kaigi-server runs with a meeting title; kaigi-backup copies its
 * data directory live; the copy is restored into a new directory, and a new server started
 * there with another title in its settings still reports the original meeting. */
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <signal.h>

#include "backup.h"
#include "store.h"

typedef struct {
  char *db;
  gint64 meeting;
  gint stop;
  gint written;
} Writer;

static gpointer
write_events (gpointer data)
{
  Writer *w = data;
  g_autoptr (KaigiStore) store = kaigi_store_open (w->db, NULL);

  g_assert_nonnull (store);
  while (!g_atomic_int_get (&w->stop)) {
    g_assert_true (kaigi_store_add_event (store, w->meeting, "join", "p1", "{}", NULL));
    g_atomic_int_inc (&w->written);
  }
  return NULL;
}

static void
test_while_writing (void)
{
  g_autofree char *dir = g_dir_make_tmp ("kaigi-backup-XXXXXX", NULL);
  Writer w = { .db = g_build_filename (dir, "kaigi.db", NULL) };
  g_autoptr (KaigiStore) store = kaigi_store_open (w.db, NULL);
  GThread *thread;
  gint64 last = -1;

  w.meeting = kaigi_store_ensure_demo_meeting (store, "Backup", NULL);
  thread = g_thread_new ("writer", write_events, &w);
  while (g_atomic_int_get (&w.written) < 50)
    g_usleep (1000);
  for (int i = 0; i < 5; i++) {
    g_autofree char *name = g_strdup_printf ("copy-%d.db", i);
    g_autofree char *copy = g_build_filename (dir, name, NULL);
    g_autoptr (GError) error = NULL;
    g_autoptr (KaigiStore) c = NULL;
    gint64 n;

    g_assert_true (kaigi_backup_database (w.db, copy, &error)); /* includes integrity_check */
    g_assert_no_error (error);
    c = kaigi_store_open (copy, &error);
    g_assert_no_error (error);
    n = kaigi_store_count_events (c, w.meeting, "join");
    g_test_message ("copy %d: %" G_GINT64_FORMAT " events (writer at %d)", i, n,
                    g_atomic_int_get (&w.written));
    g_assert_cmpint (n, >=, last);
    /* The writer counts a commit just after making it: one may be in the copy, not yet counted. */
    g_assert_cmpint (n, <=, g_atomic_int_get (&w.written) + 1);
    last = n;
    g_usleep (20000);
  }
  g_atomic_int_set (&w.stop, 1);
  g_thread_join (thread);
  g_assert_cmpint (last, >, 0);
  g_free (w.db);
}

/* ---- kaigi-server and kaigi-backup as processes ---- */

static guint16
free_port (void)
{
  g_autoptr (GSocketListener) probe = g_socket_listener_new ();
  guint16 port = g_socket_listener_add_any_inet_port (probe, NULL, NULL);

  g_socket_listener_close (probe);
  return port;
}

/* GET /api/status; the body, or NULL while the server is not up. */
static char *
get_status (guint16 port)
{
  g_autoptr (GSocketClient) client = g_socket_client_new ();
  g_autoptr (GSocketConnection) conn = NULL;
  /* The demo meeting (id 1) as the public sees it: its title comes from the database. */
  g_autofree char *req
      = g_strdup_printf ("GET /api/public/meetings/1 HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n");
  char buf[4096];
  gssize n, total = 0;

  g_socket_client_set_enable_proxy (client, FALSE);
  conn = g_socket_client_connect_to_host (client, "127.0.0.1", port, NULL, NULL);
  if (!conn)
    return NULL;
  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (conn)), req, strlen (req),
                             NULL, NULL, NULL);
  while (total < (gssize)sizeof (buf) - 1
         && (n = g_input_stream_read (g_io_stream_get_input_stream (G_IO_STREAM (conn)),
                                      buf + total, sizeof (buf) - 1 - total, NULL, NULL))
                > 0)
    total += n;
  buf[total] = 0;
  return strstr (buf, "\r\n\r\n") ? g_strdup (strstr (buf, "\r\n\r\n") + 4) : NULL;
}

static GSubprocess *
start_server (const char *data_dir, const char *title, guint16 port, char **status)
{
  g_autofree char *parent = g_path_get_dirname (data_dir);
  g_autofree char *conf = g_build_filename (parent, "kaigi.conf", NULL);
  g_autofree char *text = g_strdup_printf ("[meeting]\ntitle = %s\n", title);
  g_autofree char *listen = g_strdup_printf ("127.0.0.1:%u", port);
  g_autoptr (GError) error = NULL;
  GSubprocess *proc;

  g_assert_true (g_file_set_contents (conf, text, -1, NULL));
  proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error, g_getenv ("KAIGI_SERVER"),
                           "--config", conf, "--listen", listen, "--data-dir", data_dir, NULL);
  g_assert_no_error (error);
  for (int i = 0; i < 100 && !(*status = get_status (port)); i++)
    g_usleep (50000);
  g_assert_nonnull (*status);
  return proc;
}

static void
stop_server (GSubprocess *proc)
{
  g_subprocess_send_signal (proc, SIGTERM);
  g_assert_true (g_subprocess_wait (proc, NULL, NULL));
  g_assert_true (g_subprocess_get_if_exited (proc));
  g_object_unref (proc);
}

static void
run_backup (const char *a, const char *b, const char *c, const char *d, gboolean expect_ok)
{
  const char *argv[] = { g_getenv ("KAIGI_BACKUP"), a, b, c, d, NULL };
  g_autofree char *out = NULL, *err = NULL;
  int status = -1;

  g_assert_true (g_spawn_sync (NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err,
                               &status, NULL));
  g_test_message ("%s%s", out, err);
  g_assert_true (g_spawn_check_wait_status (status, NULL) == expect_ok);
}

static void
test_restore_server (void)
{
  g_autofree char *root = NULL, *a = NULL, *backup_dir = NULL, *c = NULL, *status = NULL;
  g_autofree char *media = NULL;
  guint16 port = free_port ();
  GSubprocess *proc;

  if (!g_getenv ("KAIGI_SERVER") || !g_getenv ("KAIGI_BACKUP")) {
    g_test_skip ("KAIGI_SERVER and KAIGI_BACKUP not set");
    return;
  }
  root = g_dir_make_tmp ("kaigi-restore-XXXXXX", NULL);
  a = g_build_filename (root, "a", NULL);
  backup_dir = g_build_filename (root, "backup", NULL);
  c = g_build_filename (root, "c", NULL);
  proc = start_server (a, "Original title", port, &status);
  g_assert_nonnull (strstr (status, "Original title"));
  run_backup ("--data-dir", a, "--to", backup_dir, TRUE); /* while it runs */
  stop_server (proc);
  g_clear_pointer (&status, g_free);

  run_backup ("--data-dir", c, "--restore", backup_dir, TRUE);
  run_backup ("--data-dir", c, "--restore", backup_dir, FALSE); /* never over live data */
  media = g_build_filename (c, "meetings", "1", NULL);
  g_assert_true (g_file_test (media, G_FILE_TEST_IS_DIR));
  proc = start_server (c, "Another title", free_port (), &status);
  g_test_message ("restored server: %s", status);
  g_assert_nonnull (strstr (status, "Original title"));
  stop_server (proc);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/backup/while-writing", test_while_writing);
  g_test_add_func ("/backup/restore-server", test_restore_server);
  return g_test_run ();
}
