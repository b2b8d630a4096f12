/* test-config.c: defaults, the settings file, and errors that name the setting. */
#include <glib/gstdio.h>
#include <unistd.h>

#include "config.h"
#include "kaigi-error.h"

static char *
write_conf (const char *text)
{
  g_autoptr (GError) error = NULL;
  char *path = NULL;
  int fd = g_file_open_tmp ("kaigi-XXXXXX.conf", &path, &error);

  g_assert_no_error (error);
  close (fd);
  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  return path;
}

static void
test_defaults (void)
{
  g_autoptr (KaigiConfig) c = kaigi_config_new ();

  g_assert_cmpstr (c->listen_host, ==, "127.0.0.1");
  g_assert_cmpuint (c->port, ==, 8080);
  g_assert_cmpuint (c->slots, ==, 4);
  g_assert_cmpuint (c->jitter_latency_ms, ==, 50);
  g_assert_cmpuint (c->max_message, ==, 65536);
  g_assert_false (kaigi_config_loopback_only (c));
}

static void
test_file_overrides (void)
{
  g_autofree char *path = write_conf ("[server]\nlisten = 0.0.0.0:9000\n"
                                      "[media]\nslots = 6\n"
                                      "[webrtc]\nice-addresses = 127.0.0.1;::1\n");
  g_autoptr (KaigiConfig) c = kaigi_config_new ();
  g_autoptr (GError) error = NULL;

  g_assert_true (kaigi_config_load_file (c, path, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (c->listen_host, ==, "0.0.0.0");
  g_assert_cmpuint (c->port, ==, 9000);
  g_assert_cmpuint (c->slots, ==, 6);
  g_assert_cmpuint (g_strv_length (c->ice_addresses), ==, 2);
  g_assert_true (kaigi_config_loopback_only (c));
  g_unlink (path);
}

static void
expect_error (const char *text, const char *names)
{
  g_autofree char *path = write_conf (text);
  g_autoptr (KaigiConfig) c = kaigi_config_new ();
  g_autoptr (GError) error = NULL;

  g_assert_false (kaigi_config_load_file (c, path, &error));
  g_assert_error (error, KAIGI_ERROR, KAIGI_ERROR_CONFIG);
  g_assert_nonnull (strstr (error->message, names));
  g_unlink (path);
}

static void
test_errors_name_the_setting (void)
{
  g_autoptr (KaigiConfig) c = kaigi_config_new ();
  g_autoptr (GError) error = NULL;

  expect_error ("[media]\nslots = many\n", "[media] slots");
  expect_error ("[media]\nslots = 99\n", "[media] slots");
  expect_error ("[server]\nlisten = nowhere\n", "[server] listen");
  expect_error ("this is not a key file\n", "--config");
  g_assert_false (kaigi_config_set_listen (c, "127.0.0.1:70000", &error));
  g_assert_nonnull (strstr (error->message, "[server] listen"));
}

static void
test_validate (void)
{
  g_autoptr (KaigiConfig) c = kaigi_config_new ();
  g_autoptr (GError) error = NULL;

  g_free (c->web_root);
  c->web_root = g_strdup ("/nonexistent");
  g_assert_false (kaigi_config_validate (c, &error));
  g_assert_nonnull (strstr (error->message, "[server] web-root"));
}

/* The deployment keys: TLS, TURN and log level, read and checked with the setting named. */
static void
test_deployment_keys (void)
{
  g_autofree char *path = write_conf ("[server]\ntls-certificate = /nonexistent/cert.pem\n"
                                      "tls-key = /nonexistent/key.pem\n"
                                      "[webrtc]\nturn-servers = turn:127.0.0.1:3478; "
                                      "turns:turn.example.org:5349?transport=tcp\n"
                                      "turn-secret = s3cret\nturn-ttl = 600\n"
                                      "[log]\nlevel = *:2,kaigi*:5\n");
  g_autoptr (KaigiConfig) c = kaigi_config_new ();
  g_autoptr (GError) error = NULL;

  g_assert_true (kaigi_config_load_file (c, path, &error));
  g_assert_cmpstr (c->tls_certificate, ==, "/nonexistent/cert.pem");
  g_assert_cmpuint (g_strv_length (c->turn_servers), ==, 2);
  g_assert_cmpstr (c->turn_servers[1], ==, "turns:turn.example.org:5349?transport=tcp");
  g_assert_cmpstr (c->turn_secret, ==, "s3cret");
  g_assert_cmpuint (c->turn_ttl, ==, 600);
  g_assert_cmpstr (c->log_level, ==, "*:2,kaigi*:5");
  /* A certificate that cannot be read stops start-up, naming the key. */
  g_assert_false (kaigi_config_validate (c, &error));
  g_assert_nonnull (strstr (error->message, "[server] tls-certificate"));
  g_clear_error (&error);
  g_clear_pointer (&c->tls_certificate, g_free);
  g_assert_false (kaigi_config_validate (c, &error));
  g_assert_nonnull (strstr (error->message, "[server] tls-certificate: missing"));
  g_clear_error (&error);
  g_clear_pointer (&c->tls_key, g_free);
  g_assert_true (kaigi_config_validate (c, &error));
  /* TURN: credentials of one kind, and URIs that are TURN URIs. */
  c->turn_username = g_strdup ("u");
  c->turn_password = g_strdup ("p");
  g_assert_false (kaigi_config_validate (c, &error));
  g_assert_nonnull (strstr (error->message, "not both"));
  g_clear_error (&error);
  g_clear_pointer (&c->turn_secret, g_free);
  g_assert_true (kaigi_config_validate (c, &error));
  g_clear_pointer (&c->turn_password, g_free);
  g_assert_false (kaigi_config_validate (c, &error));
  g_assert_nonnull (strstr (error->message, "[webrtc] turn-servers"));
  g_clear_error (&error);
  g_unlink (path);
  expect_error ("[webrtc]\nturn-ttl = 1\n", "[webrtc] turn-ttl");
}

static void
expect_invalid (const char *text, const char *names)
{
  g_autofree char *path = write_conf (text);
  g_autoptr (KaigiConfig) c = kaigi_config_new ();
  g_autoptr (GError) error = NULL;

  g_assert_true (kaigi_config_load_file (c, path, &error));
  g_assert_false (kaigi_config_validate (c, &error));
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, names));
  g_unlink (path);
}

static void
test_deployment_errors (void)
{
  expect_invalid ("[webrtc]\nturn-servers = stun:127.0.0.1:3478\nturn-secret = x\n",
                  "[webrtc] turn-servers: 'stun:127.0.0.1:3478'");
  expect_invalid ("[webrtc]\nturn-secret = x\n", "[webrtc] turn-servers: TURN credentials");
  expect_invalid ("[log]\nlevel = kaigi*:loud\n", "[log] level: 'kaigi*:loud'");
  expect_invalid ("[server]\ntls-key = /etc/hostname\n", "[server] tls-certificate: missing");
  expect_invalid ("[public]\nicecast = http://127.0.0.1:8000\n",
                  "[public] icecast: 'http://127.0.0.1:8000' is not");
  expect_invalid ("[public]\nicecast = icecast://source:x@127.0.0.1:8000\n", "[public] icecast");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/config/defaults", test_defaults);
  g_test_add_func ("/config/file-overrides", test_file_overrides);
  g_test_add_func ("/config/errors-name-the-setting", test_errors_name_the_setting);
  g_test_add_func ("/config/validate", test_validate);
  g_test_add_func ("/config/deployment-keys", test_deployment_keys);
  g_test_add_func ("/config/deployment-errors", test_deployment_errors);
  return g_test_run ();
}
