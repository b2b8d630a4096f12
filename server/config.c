/* config.c: settings for kaigi-server.
 *
 * The embedded defaults run a demo meeting on http://127.0.0.1:8080 with its data under
 * ./kaigi-data. A GKeyFile (conf/kaigi.conf documents every key) overrides them, and the
 * command line overrides both. Every error names the setting, so that a town's IT staff can
 * fix the file without reading code. Main thread only. */
#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "kaigi-error.h"

#ifndef KAIGI_WEB_ROOT
#define KAIGI_WEB_ROOT "client-web"
#endif

KaigiConfig *
kaigi_config_new (void)
{
  KaigiConfig *c = g_new0 (KaigiConfig, 1);

  c->listen_host = g_strdup ("127.0.0.1");
  c->port = 8080;
  c->data_dir = g_strdup ("kaigi-data");
  c->web_root = g_strdup (KAIGI_WEB_ROOT);
  c->meeting_title = g_strdup ("デモ会議 / Demo meeting");
  c->slots = 4;
  c->jitter_latency_ms = 50;
  c->max_participants = 50;
  c->audio_bitrate = 32000;
  c->ice_addresses = g_new0 (char *, 1);
  c->stun_server = NULL;
  c->max_message = 65536;
  c->rate = 50;
  c->burst = 200;
  return c;
}

void
kaigi_config_free (KaigiConfig *c)
{
  if (!c)
    return;
  g_free (c->listen_host);
  g_free (c->data_dir);
  g_free (c->web_root);
  g_free (c->meeting_title);
  g_strfreev (c->ice_addresses);
  g_free (c->stun_server);
  g_free (c);
}

gboolean
kaigi_config_set_listen (KaigiConfig *c, const char *host_port, GError **error)
{
  const char *colon = strrchr (host_port, ':');
  guint64 port = 0;

  if (!colon || colon == host_port
      || !g_ascii_string_to_unsigned (colon + 1, 10, 1, 65535, &port, NULL)) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_CONFIG,
                 "[server] listen: '%s' is not HOST:PORT (for example 127.0.0.1:8080)", host_port);
    return FALSE;
  }
  g_free (c->listen_host);
  c->listen_host = g_strndup (host_port, colon - host_port);
  c->port = (guint)port;
  return TRUE;
}

/* Reads an unsigned key if present; absent keys keep the current value. */
static gboolean
read_uint (GKeyFile *kf, const char *group, const char *key, guint min, guint max, guint *out,
           GError **error)
{
  g_autoptr (GError) local = NULL;
  g_autofree char *text = g_key_file_get_string (kf, group, key, &local);
  guint64 v;

  if (!text)
    return TRUE;
  g_strstrip (text);
  if (!g_ascii_string_to_unsigned (text, 10, min, max, &v, NULL)) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_CONFIG,
                 "[%s] %s: '%s' is not a whole number from %u to %u", group, key, text, min, max);
    return FALSE;
  }
  *out = (guint)v;
  return TRUE;
}

static void
read_string (GKeyFile *kf, const char *group, const char *key, char **out)
{
  char *v = g_key_file_get_string (kf, group, key, NULL);

  if (v) {
    g_strstrip (v);
    g_free (*out);
    *out = v;
  }
}

gboolean
kaigi_config_load_file (KaigiConfig *c, const char *path, GError **error)
{
  g_autoptr (GKeyFile) kf = g_key_file_new ();
  g_autoptr (GError) local = NULL;
  g_autofree char *listen = NULL;
  g_auto (GStrv) ice = NULL;

  if (!g_key_file_load_from_file (kf, path, G_KEY_FILE_NONE, &local)) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_CONFIG, "--config %s: %s", path, local->message);
    return FALSE;
  }
  listen = g_key_file_get_string (kf, "server", "listen", NULL);
  if (listen && !kaigi_config_set_listen (c, g_strstrip (listen), error))
    return FALSE;
  read_string (kf, "server", "data-dir", &c->data_dir);
  read_string (kf, "server", "web-root", &c->web_root);
  read_string (kf, "meeting", "title", &c->meeting_title);
  read_string (kf, "webrtc", "stun-server", &c->stun_server);
  ice = g_key_file_get_string_list (kf, "webrtc", "ice-addresses", NULL, NULL);
  if (ice) {
    g_strfreev (c->ice_addresses);
    c->ice_addresses = g_steal_pointer (&ice);
  }
  return read_uint (kf, "media", "slots", 1, 16, &c->slots, error)
         && read_uint (kf, "media", "jitterbuffer-latency", 0, 2000, &c->jitter_latency_ms, error)
         && read_uint (kf, "media", "max-participants", 1, 500, &c->max_participants, error)
         && read_uint (kf, "media", "audio-bitrate", 6000, 510000, &c->audio_bitrate, error)
         && read_uint (kf, "signal", "max-message", 1024, 16 * 1024 * 1024, &c->max_message, error)
         && read_uint (kf, "signal", "rate", 1, 100000, &c->rate, error)
         && read_uint (kf, "signal", "burst", 1, 100000, &c->burst, error);
}

gboolean
kaigi_config_validate (const KaigiConfig *c, GError **error)
{
  g_autofree char *index = g_build_filename (c->web_root, "index.html", NULL);

  if (!g_file_test (index, G_FILE_TEST_IS_REGULAR)) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_CONFIG,
                 "[server] web-root: '%s' has no index.html", c->web_root);
    return FALSE;
  }
  for (char **a = c->ice_addresses; *a; a++) {
    if (!g_hostname_is_ip_address (*a)) {
      g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_CONFIG,
                   "[webrtc] ice-addresses: '%s' is not an IP address", *a);
      return FALSE;
    }
  }
  return TRUE;
}

/* TRUE when ICE is restricted to loopback addresses (tests, single-machine demos): the server
 * then also ignores remote candidates that are not loopback, so that no packet of ours is ever
 * addressed off the machine. */
gboolean
kaigi_config_loopback_only (const KaigiConfig *c)
{
  if (!c->ice_addresses[0])
    return FALSE;
  for (char **a = c->ice_addresses; *a; a++) {
    g_autoptr (GInetAddress) addr = g_inet_address_new_from_string (*a);
    if (!addr || !g_inet_address_get_is_loopback (addr))
      return FALSE;
  }
  return TRUE;
}
