/* config.c: settings for kaigi-server.
 *
 * The embedded defaults run a demo meeting on http://127.0.0.1:8080 with its data under
 * ./kaigi-data. A GKeyFile (conf/kaigi.conf documents every key) overrides them, and the
 * command line overrides both. Every error names the setting, so that a town's IT staff can
 * fix the file without reading code. Main thread only. */
#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>

#include "kaigi-error.h"

/* Warnings and errors of every category, and kaigi's own notes of what happens. */
#define KAIGI_DEFAULT_LOG_LEVEL "*:2,kaigi*:4,kaigi-lws:2"

#ifndef KAIGI_WEB_ROOT
#define KAIGI_WEB_ROOT "client-web"
#endif

#ifndef KAIGI_INSTALLED_WEB_ROOT
#define KAIGI_INSTALLED_WEB_ROOT KAIGI_WEB_ROOT
#endif

/* The build tree's binary serves the source tree's client-web (edit, reload); an installed
 * binary serves the installed copy, even on a machine that also has the source. */
static const char *
default_web_root (void)
{
#ifdef KAIGI_BUILD_ROOT
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);

  if (exe && g_str_has_prefix (exe, KAIGI_BUILD_ROOT "/"))
    return KAIGI_WEB_ROOT;
#endif
  return KAIGI_INSTALLED_WEB_ROOT;
}

KaigiConfig *
kaigi_config_new (void)
{
  KaigiConfig *c = g_new0 (KaigiConfig, 1);

  c->listen_host = g_strdup ("127.0.0.1");
  c->port = 8080;
  c->data_dir = g_strdup ("kaigi-data");
  c->web_root = g_strdup (default_web_root ());
  c->meeting_title = g_strdup ("デモ会議 / Demo meeting");
  c->slots = 4;
  c->jitter_latency_ms = 50;
  c->max_participants = 50;
  c->audio_bitrate = 32000;
  c->ice_addresses = g_new0 (char *, 1);
  c->stun_server = NULL;
  c->turn_servers = g_new0 (char *, 1);
  c->turn_ttl = 86400;
  c->log_level = g_strdup (KAIGI_DEFAULT_LOG_LEVEL);
  c->max_message = 65536;
  c->rate = 50;
  c->burst = 200;
  /* Every session is archived unless a town says otherwise (docs/recording.md). */
  c->record = TRUE;
  c->retention_days = 0;
  c->public_stream = TRUE;
  c->public_segment_s = 2;
  c->public_width = 640;
  c->public_height = 360;
  c->public_fps = 15;
  c->public_video_bitrate = 600000;
  c->public_audio_bitrate = 64000;
  c->public_whep_max = 100;
  c->asr_engine = g_strdup ("pocketsphinx");
  c->asr_workers = 2;
  c->asr_timeout = 120;
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
  g_free (c->tls_certificate);
  g_free (c->tls_key);
  g_strfreev (c->turn_servers);
  g_free (c->turn_username);
  g_free (c->turn_password);
  g_free (c->turn_secret);
  g_free (c->public_icecast);
  g_free (c->asr_engine);
  g_free (c->asr_model);
  g_free (c->asr_dict);
  g_free (c->asr_lm);
  g_free (c->asr_url);
  g_free (c->asr_command);
  g_free (c->asr_language);
  g_free (c->log_level);
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

/* A ';'-separated list; empty items are dropped, so "ice-addresses =" means none. */
static void
read_list (GKeyFile *kf, const char *group, const char *key, char ***out)
{
  g_auto (GStrv) items = g_key_file_get_string_list (kf, group, key, NULL, NULL);
  g_autoptr (GStrvBuilder) b = g_strv_builder_new ();

  if (!items)
    return;
  for (char **i = items; *i; i++)
    if (*g_strstrip (*i))
      g_strv_builder_add (b, *i);
  g_strfreev (*out);
  *out = g_strv_builder_end (b);
}

gboolean
kaigi_config_load_file (KaigiConfig *c, const char *path, GError **error)
{
  g_autoptr (GKeyFile) kf = g_key_file_new ();
  g_autoptr (GError) local = NULL;
  g_autofree char *listen = NULL;

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
  read_string (kf, "server", "tls-certificate", &c->tls_certificate);
  read_string (kf, "server", "tls-key", &c->tls_key);
  read_string (kf, "webrtc", "stun-server", &c->stun_server);
  read_string (kf, "webrtc", "turn-username", &c->turn_username);
  read_string (kf, "webrtc", "turn-password", &c->turn_password);
  read_string (kf, "webrtc", "turn-secret", &c->turn_secret);
  read_string (kf, "log", "level", &c->log_level);
  read_string (kf, "public", "icecast", &c->public_icecast);
  read_string (kf, "minutes", "asr-engine", &c->asr_engine);
  read_string (kf, "minutes", "asr-model", &c->asr_model);
  read_string (kf, "minutes", "asr-dict", &c->asr_dict);
  read_string (kf, "minutes", "asr-lm", &c->asr_lm);
  read_string (kf, "minutes", "asr-url", &c->asr_url);
  read_string (kf, "minutes", "asr-command", &c->asr_command);
  read_string (kf, "minutes", "asr-language", &c->asr_language);
  read_list (kf, "webrtc", "turn-servers", &c->turn_servers);
  read_list (kf, "webrtc", "ice-addresses", &c->ice_addresses);
  if (g_key_file_has_key (kf, "recorder", "enabled", NULL)) {
    c->record = g_key_file_get_boolean (kf, "recorder", "enabled", &local);
    if (local) {
      g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_CONFIG, "[recorder] enabled: %s",
                   local->message);
      return FALSE;
    }
  }
  if (g_key_file_has_key (kf, "public", "enabled", NULL)) {
    c->public_stream = g_key_file_get_boolean (kf, "public", "enabled", &local);
    if (local) {
      g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_CONFIG, "[public] enabled: %s", local->message);
      return FALSE;
    }
  }
  return read_uint (kf, "recorder", "retention-days", 0, 36500, &c->retention_days, error)
         && read_uint (kf, "public", "segment-seconds", 1, 10, &c->public_segment_s, error)
         && read_uint (kf, "public", "width", 160, 1920, &c->public_width, error)
         && read_uint (kf, "public", "height", 90, 1080, &c->public_height, error)
         && read_uint (kf, "public", "fps", 5, 30, &c->public_fps, error)
         && read_uint (kf, "public", "video-bitrate", 100000, 8000000, &c->public_video_bitrate,
                       error)
         && read_uint (kf, "public", "audio-bitrate", 32000, 256000, &c->public_audio_bitrate,
                       error)
         && read_uint (kf, "public", "whep-max-viewers", 0, 10000, &c->public_whep_max, error)
         && read_uint (kf, "media", "slots", 1, 16, &c->slots, error)
         && read_uint (kf, "media", "jitterbuffer-latency", 0, 2000, &c->jitter_latency_ms, error)
         && read_uint (kf, "media", "max-participants", 1, 500, &c->max_participants, error)
         && read_uint (kf, "media", "audio-bitrate", 6000, 510000, &c->audio_bitrate, error)
         && read_uint (kf, "signal", "max-message", 1024, 16 * 1024 * 1024, &c->max_message, error)
         && read_uint (kf, "signal", "rate", 1, 100000, &c->rate, error)
         && read_uint (kf, "signal", "burst", 1, 100000, &c->burst, error)
         && read_uint (kf, "webrtc", "turn-ttl", 60, 30 * 86400, &c->turn_ttl, error)
         && read_uint (kf, "minutes", "asr-workers", 1, 16, &c->asr_workers, error)
         && read_uint (kf, "minutes", "asr-timeout", 1, 3600, &c->asr_timeout, error);
}

static gboolean
readable_file (const char *key, const char *path, GError **error)
{
  if (!path || !*path) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_CONFIG,
                 "[server] %s: missing (tls-certificate and tls-key go together)", key);
    return FALSE;
  }
  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR) || g_access (path, R_OK) != 0) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_CONFIG, "[server] %s: cannot read %s", key, path);
    return FALSE;
  }
  return TRUE;
}

/* Only that the files are there; whether they hold a matching certificate and key is for
 * the TLS layer to say (tls.c), with the same setting names. */
static gboolean
validate_tls (const KaigiConfig *c, GError **error)
{
  if (!c->tls_certificate && !c->tls_key)
    return TRUE;
  return readable_file ("tls-certificate", c->tls_certificate, error)
         && readable_file ("tls-key", c->tls_key, error);
}

static gboolean
validate_turn (const KaigiConfig *c, GError **error)
{
  gboolean long_term = c->turn_username || c->turn_password;
  const char *why = NULL;

  for (char **u = c->turn_servers; *u; u++) {
    if (!g_str_has_prefix (*u, "turn:") && !g_str_has_prefix (*u, "turns:")) {
      g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_CONFIG,
                   "[webrtc] turn-servers: '%s' is not turn:HOST:PORT or turns:HOST:PORT", *u);
      return FALSE;
    }
  }
  if (!c->turn_servers[0] && (long_term || c->turn_secret))
    why = "TURN credentials are set but [webrtc] turn-servers is empty";
  else if (c->turn_servers[0] && long_term && c->turn_secret)
    why = "set turn-username and turn-password, or turn-secret, not both";
  else if (c->turn_servers[0] && !c->turn_secret && !(c->turn_username && c->turn_password))
    why = "TURN needs turn-username and turn-password, or turn-secret";
  if (why) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_CONFIG, "[webrtc] turn-servers: %s", why);
    return FALSE;
  }
  return TRUE;
}

/* GST_DEBUG syntax: comma-separated CATEGORY-PATTERN:LEVEL (a number 0-9 or a level name),
 * or a lone LEVEL for every category. */
static gboolean
validate_log (const KaigiConfig *c, GError **error)
{
  static const char *const names[]
      = { "none", "error", "warning", "fixme", "info", "debug", "log", "trace", "memdump" };
  g_auto (GStrv) items = g_strsplit (c->log_level, ",", -1);

  for (char **i = items; *i; i++) {
    const char *colon = strrchr (*i, ':');
    const char *level = g_strstrip (colon ? (char *)colon + 1 : *i);
    gboolean ok = g_ascii_isdigit (level[0]) && !level[1];
    for (guint n = 0; n < G_N_ELEMENTS (names) && !ok; n++)
      ok = g_ascii_strcasecmp (level, names[n]) == 0;
    if (!ok || (colon && colon == *i)) {
      g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_CONFIG,
                   "[log] level: '%s' is not CATEGORY:LEVEL (for example kaigi*:4)", *i);
      return FALSE;
    }
  }
  return TRUE;
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
  if (c->public_icecast) {
    g_autoptr (GUri) u = g_uri_parse (c->public_icecast, G_URI_FLAGS_HAS_PASSWORD, NULL);
    if (!u || g_strcmp0 (g_uri_get_scheme (u), "http") != 0 || !g_uri_get_host (u)
        || g_uri_get_port (u) <= 0 || !g_uri_get_password (u)) {
      g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_CONFIG,
                   "[public] icecast: '%s' is not http://source:PASSWORD@HOST:PORT",
                   c->public_icecast);
      return FALSE;
    }
  }
  for (char **a = c->ice_addresses; *a; a++) {
    if (!g_hostname_is_ip_address (*a)) {
      g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_CONFIG,
                   "[webrtc] ice-addresses: '%s' is not an IP address", *a);
      return FALSE;
    }
  }
  return validate_tls (c, error) && validate_turn (c, error) && validate_log (c, error);
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
