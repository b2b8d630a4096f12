/* test-startup.c: kaigi-server itself, started as a process: it serves on its port and stops
 * cleanly on SIGTERM, and bad settings stop it at once with one message naming the setting.
 * With [recorder] retention-days set, it removes the media of a meeting recorded long ago
 * as it starts, and leaves a recent one. The live HLS files a stopped server left go too. */
#include <gio/gio.h>
#include <signal.h>

static const char *server;

/* Runs kaigi-server with @args; returns its exit status and stderr. */
static int
run (const char *const *args, char **err)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GError) error = NULL;
  int status = -1;

  g_ptr_array_add (argv, (char *)server);
  for (const char *const *a = args; *a; a++)
    g_ptr_array_add (argv, (char *)*a);
  g_ptr_array_add (argv, NULL);
  g_assert_true (g_spawn_sync (NULL, (char **)argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL,
                               err, &status, &error));
  g_assert_no_error (error);
  return WIFEXITED (status) ? WEXITSTATUS (status) : -1;
}

static void
expect_refusal (const char *const *args, const char *names)
{
  g_autofree char *err = NULL;
  int code = run (args, &err);

  g_test_message ("%s", err);
  g_assert_cmpint (code, !=, 0);
  g_assert_nonnull (strstr (err, names));
  g_assert_cmpuint (g_strv_length (g_strsplit (g_strchomp (err), "\n", -1)), ==, 1);
}

static void
test_bad_settings (void)
{
  g_autofree char *dir = g_dir_make_tmp ("kaigi-startup-XXXXXX", NULL);
  g_autofree char *conf = g_build_filename (dir, "bad.conf", NULL);
  g_autofree char *file = g_build_filename (dir, "a-file", NULL);

  g_assert_true (g_file_set_contents (conf, "[media]\nslots = lots\n", -1, NULL));
  g_assert_true (g_file_set_contents (file, "", -1, NULL));
  expect_refusal ((const char *[]){ "--config", conf, NULL }, "[media] slots");
  expect_refusal ((const char *[]){ "--listen", "127.0.0.1", NULL }, "[server] listen");
  expect_refusal ((const char *[]){ "--web-root", dir, NULL }, "[server] web-root");
  expect_refusal ((const char *[]){ "--data-dir", file, "--listen", "127.0.0.1:1", NULL },
                  "[server] data-dir");
  expect_refusal ((const char *[]){ "--ice-address", "not-an-ip", NULL }, "[webrtc] ice-addresses");
  /* Speech recognition that cannot work stops start-up too, naming the setting. */
  {
    g_autofree char *data = g_build_filename (dir, "data", NULL);
    const char *bad[][2] = {
      { "[minutes]\nasr-engine = siri\n", "[minutes] asr-engine" },
      { "[minutes]\nasr-engine = whisper\nasr-url = ftp://x\n", "[minutes] asr-url" },
      { "[minutes]\nasr-engine = command\nasr-command = no-such-program-k\n",
        "[minutes] asr-command" },
      { "[minutes]\nasr-lm = /nowhere.lm\n", "[minutes] asr-lm" },
      { "[minutes]\nasr-workers = 0\n", "[minutes] asr-workers" },
    };
    for (guint i = 0; i < G_N_ELEMENTS (bad); i++) {
      g_assert_true (g_file_set_contents (conf, bad[i][0], -1, NULL));
      expect_refusal (
          (const char *[]){ "--config", conf, "--data-dir", data, "--listen", "127.0.0.1:1", NULL },
          bad[i][1]);
    }
  }
}

/* Makes a self-signed certificate and its key in @dir with the openssl command. */
static void
make_cert (const char *dir, const char *name)
{
  g_autofree char *cmd
      = g_strdup_printf ("openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost "
                         "-keyout %s/%s.key -out %s/%s.pem",
                         dir, name, dir, name);
  int status = -1;

  g_assert_true (g_spawn_command_line_sync (cmd, NULL, NULL, &status, NULL));
  g_assert_true (g_spawn_check_wait_status (status, NULL));
}

/* TLS settings that cannot work are refused at start-up, naming the key. */
static void
test_bad_tls (void)
{
  g_autofree char *dir = g_dir_make_tmp ("kaigi-startup-XXXXXX", NULL);
  g_autofree char *conf = g_build_filename (dir, "tls.conf", NULL);
  g_autofree char *text = NULL;

  make_cert (dir, "a");
  make_cert (dir, "b");
  text = g_strdup_printf ("[server]\ndata-dir = %s\ntls-certificate = %s/a.pem\n"
                          "tls-key = %s/b.key\n",
                          dir, dir, dir);
  g_assert_true (g_file_set_contents (conf, text, -1, NULL));
  expect_refusal ((const char *[]){ "--config", conf, NULL }, "[server] tls-key");
  g_free (text);
  text = g_strdup_printf ("[server]\ndata-dir = %s\ntls-certificate = %s/none.pem\n"
                          "tls-key = %s/a.key\n",
                          dir, dir, dir);
  g_assert_true (g_file_set_contents (conf, text, -1, NULL));
  expect_refusal ((const char *[]){ "--config", conf, NULL }, "[server] tls-certificate");
  g_free (text);
  /* A key file given as the certificate: readable, but no certificate in it. */
  text = g_strdup_printf ("[server]\ndata-dir = %s\ntls-certificate = %s/a.key\n"
                          "tls-key = %s/a.key\n",
                          dir, dir, dir);
  g_assert_true (g_file_set_contents (conf, text, -1, NULL));
  expect_refusal ((const char *[]){ "--config", conf, NULL }, "[server] tls-certificate");
  g_assert_true (g_file_set_contents (conf, "[log]\nlevel = loud\n", -1, NULL));
  expect_refusal ((const char *[]){ "--config", conf, NULL }, "[log] level");
  g_assert_true (g_file_set_contents (conf, "[server\nlisten = x\n", -1, NULL));
  expect_refusal ((const char *[]){ "--config", conf, NULL }, "--config");
}

static void
test_serves_and_stops (void)
{
  g_autofree char *dir = g_dir_make_tmp ("kaigi-startup-XXXXXX", NULL);
  g_autoptr (GSocketListener) probe = g_socket_listener_new ();
  g_autoptr (GError) error = NULL;
  guint16 port = g_socket_listener_add_any_inet_port (probe, NULL, &error);
  g_autofree char *listen = NULL, *url = NULL, *err = NULL;
  g_autoptr (GSubprocess) proc = NULL;
  g_autoptr (GSocketClient) client = g_socket_client_new ();
  g_autoptr (GSocketConnection) conn = NULL;
  gboolean up = FALSE;

  g_socket_listener_close (probe);
  g_socket_client_set_enable_proxy (client, FALSE); /* loopback only, never a proxy */
  listen = g_strdup_printf ("127.0.0.1:%u", port);
  proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDERR_PIPE, &error, server, "--listen", listen,
                           "--data-dir", dir, NULL);
  g_assert_no_error (error);
  for (int i = 0; i < 100 && !up; i++) {
    conn = g_socket_client_connect_to_host (client, listen, port, NULL, NULL);
    up = conn != NULL;
    if (!up)
      g_usleep (50000);
  }
  g_assert_true (up);
  /* A second server on the same port is refused with the setting named. */
  expect_refusal ((const char *[]){ "--listen", listen, "--data-dir", dir, NULL },
                  "[server] listen");
  g_subprocess_send_signal (proc, SIGTERM);
  g_assert_true (g_subprocess_communicate_utf8 (proc, NULL, NULL, NULL, &err, &error));
  g_assert_true (g_subprocess_get_if_exited (proc));
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 0);
  g_assert_nonnull (strstr (err, "stopping"));
  /* The data directory now holds the database and the demo meeting's media folder. */
  url = g_build_filename (dir, "kaigi.db", NULL);
  g_assert_true (g_file_test (url, G_FILE_TEST_IS_REGULAR));
}

/* A stopped server's last live playlist must not be served as if live after a restart. */
static void
test_stale_hls (void)
{
  g_autofree char *dir = g_dir_make_tmp ("kaigi-startup-XXXXXX", NULL);
  g_autofree char *hls = g_build_filename (dir, "hls", "5", NULL);
  g_autofree char *playlist = g_build_filename (hls, "index.m3u8", NULL);
  g_autofree char *segment = g_build_filename (hls, "segment00007.ts", NULL);
  g_autofree char *other = g_build_filename (hls, "notes.txt", NULL);
  g_autoptr (GSocketListener) probe = g_socket_listener_new ();
  g_autoptr (GError) error = NULL;
  guint16 port = g_socket_listener_add_any_inet_port (probe, NULL, &error);
  g_autofree char *listen = g_strdup_printf ("127.0.0.1:%u", port);
  g_autoptr (GSubprocess) proc = NULL;

  g_socket_listener_close (probe);
  g_assert_cmpint (g_mkdir_with_parents (hls, 0750), ==, 0);
  g_assert_true (g_file_set_contents (playlist, "#EXTM3U\n", -1, NULL));
  g_assert_true (g_file_set_contents (segment, "ts", -1, NULL));
  g_assert_true (g_file_set_contents (other, "kept", -1, NULL));
  proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error, server, "--listen", listen,
                           "--data-dir", dir, NULL);
  g_assert_no_error (error);
  for (int i = 0; i < 100 && g_file_test (playlist, G_FILE_TEST_EXISTS); i++)
    g_usleep (50000);
  g_subprocess_send_signal (proc, SIGTERM);
  g_assert_true (g_subprocess_wait (proc, NULL, &error));
  g_assert_false (g_file_test (playlist, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (segment, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (other, G_FILE_TEST_EXISTS)); /* only HLS files go */
}

/* A meeting folder as the recorder leaves it, last written @days_ago days ago. */
static char *
old_meeting (const char *data, guint id, guint days_ago)
{
  g_autofree char *name = g_strdup_printf ("%u", id);
  g_autofree char *dir = g_build_filename (data, "meetings", name, NULL);
  g_autofree char *tracks = g_build_filename (dir, "tracks", "r1", NULL);
  g_autofree char *piece = g_build_filename (tracks, "audio-1-00000.webm", NULL);
  g_autofree char *manifest = g_build_filename (dir, "manifest.json", NULL);
  gint64 t = g_get_real_time () - (gint64)days_ago * 24 * 3600 * G_USEC_PER_SEC;
  g_autofree char *json = g_strdup_printf (
      "{\"format\":\"kaigi-recording/1\",\"meeting\":%u,\"complete\":true,"
      "\"updated_wall_us\":%" G_GINT64_FORMAT ",\"sessions\":[{\"track\":\"r1/audio\","
      "\"who\":\"r1\",\"kind\":\"audio\",\"codec\":\"opus\",\"session\":1,"
      "\"state\":\"stopped\",\"wall_start_us\":%" G_GINT64_FORMAT ",\"pieces\":[{\"file\":"
      "\"tracks/r1/audio-1-00000.webm\",\"media_start_us\":0,\"wall_start_us\":%" G_GINT64_FORMAT
      "}]}]}",
      id, t, t, t);

  g_assert_cmpint (g_mkdir_with_parents (tracks, 0750), ==, 0);
  g_assert_true (g_file_set_contents (piece, "not really webm", -1, NULL));
  g_assert_true (g_file_set_contents (manifest, json, -1, NULL));
  return g_steal_pointer (&tracks);
}

static void
test_retention (void)
{
  g_autofree char *dir = g_dir_make_tmp ("kaigi-startup-XXXXXX", NULL);
  g_autofree char *conf = g_build_filename (dir, "kaigi.conf", NULL);
  g_autofree char *old = old_meeting (dir, 77, 40);
  g_autofree char *recent = old_meeting (dir, 78, 10);
  g_autofree char *manifest = g_build_filename (dir, "meetings", "77", "manifest.json", NULL);
  g_autofree char *text = NULL, *err = NULL;
  g_autoptr (GSubprocess) proc = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GSocketListener) probe = g_socket_listener_new ();
  guint16 port = g_socket_listener_add_any_inet_port (probe, NULL, &error);
  g_autofree char *listen = g_strdup_printf ("127.0.0.1:%u", port);

  g_socket_listener_close (probe);
  g_assert_true (g_file_set_contents (conf, "[recorder]\nretention-days = 30\n", -1, NULL));
  proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDERR_PIPE, &error, server, "--config", conf,
                           "--listen", listen, "--data-dir", dir, NULL);
  g_assert_no_error (error);
  /* Bounded: the sweep runs as soon as the server is up. */
  for (int i = 0; i < 200 && g_file_test (old, G_FILE_TEST_EXISTS); i++)
    g_usleep (50000);
  g_subprocess_send_signal (proc, SIGTERM);
  g_assert_true (g_subprocess_communicate_utf8 (proc, NULL, NULL, NULL, &err, &error));
  g_test_message ("%s", err);
  g_assert_false (g_file_test (old, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (recent, G_FILE_TEST_IS_DIR));
  g_assert_nonnull (strstr (err, "retention: meeting 77: media removed"));
  g_assert_null (strstr (err, "meeting 78"));
  g_assert_true (g_file_get_contents (manifest, &text, NULL, NULL));
  g_assert_nonnull (strstr (text, "\"removed\""));
  g_assert_nonnull (strstr (text, "\"pieces_removed\" : 1"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  server = g_getenv ("KAIGI_SERVER");
  g_assert_nonnull (server);
  g_test_add_func ("/startup/bad-settings", test_bad_settings);
  g_test_add_func ("/startup/bad-tls", test_bad_tls);
  g_test_add_func ("/startup/serves-and-stops", test_serves_and_stops);
  g_test_add_func ("/startup/retention", test_retention);
  g_test_add_func ("/startup/stale-hls", test_stale_hls);
  return g_test_run ();
}
