/* main.c: kaigi-server start-up and shut-down.
 *
 * Order: settings (embedded defaults < --config file < command line), GStreamer, the data
 * directory and its SQLite store, the demo meeting, the secret that signs join links, the
 * first secretariat account, the media graph, the rooms and the REST API, and last the
 * HTTP/WebSocket listener, so that nobody can connect before everything behind it exists.
 * `--add-account NAME` only sets a secretariat password (read from standard input) and exits.
 * Any failure stops start-up with one message that names the setting. SIGINT/SIGTERM quit the
 * main loop; participants are then removed and the pipeline stopped.
 * Thread: main. */
#include <glib-unix.h>
#include <glib/gstdio.h>
#include <gst/gst.h>
#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "api.h"
#include "auth.h"
#include "config.h"
#include "http.h"
#include "ice-servers.h"
#include "kaigi-error.h"
#include "layout.h"
#include "log.h"
#include "metrics.h"
#include "media/graph.h"
#include "media/mixminus.h"
#include "media/program.h"
#include "media/whep.h"
#include "peer.h"
#include "retention.h"
#include "room.h"
#include "signalling.h"
#include "store.h"
#include "timeline.h"

typedef struct {
  KaigiConfig *config;
  GMainLoop *loop;
  KaigiStore *store; /* the main loop's connection (REST API, room state) */
  KaigiTimeline *timeline;
  KaigiAuth *auth;
  KaigiGraph *graph;
  KaigiRooms *rooms;
  KaigiApi *api;
  KaigiSignalContext signal;
  char *created_account_note; /* owned, nullable: printed after a successful start */
  KaigiHttp *http;
  KaigiIceServers *ice_servers;
  KaigiRetention *retention; /* NULL when recordings are kept forever */
  KaigiAsr *asr;             /* NULL with [minutes] asr-engine = none */
} Server;

/* ---- WebSocket sessions <-> signalling connections ---- */

static void
transport_send (gpointer data, const char *json)
{
  kaigi_http_session_send (data, json);
}

static void
transport_close (gpointer data, int status, const char *reason)
{
  kaigi_http_session_close (data, status, reason);
}

static const KaigiSignalTransport ws_transport = { transport_send, transport_close };

static void
on_ws_opened (KaigiHttpSession *session, gpointer user_data)
{
  Server *s = user_data;

  kaigi_http_session_set_data (session, kaigi_signal_conn_new (&s->signal, &ws_transport, session));
}

static void
on_ws_message (KaigiHttpSession *session, const char *text, gsize len, gpointer user_data)
{
  kaigi_signal_conn_message (kaigi_http_session_get_data (session), text, len);
}

static void
on_ws_closed (KaigiHttpSession *session, gpointer user_data)
{
  kaigi_signal_conn_closed (kaigi_http_session_get_data (session));
}

static void
on_request (KaigiHttpRequest *req, gpointer user_data)
{
  Server *s = user_data;

  kaigi_api_handle (req, s->api);
}

static char *
on_metrics (gpointer user_data)
{
  Server *s = user_data;

  return kaigi_metrics_render (s->rooms, s->asr);
}

static const KaigiHttpCallbacks http_callbacks = {
  .opened = on_ws_opened,
  .message = on_ws_message,
  .closed = on_ws_closed,
  .request = on_request,
  .metrics = on_metrics,
};

/* SIGHUP: a renewed certificate, same files. Meetings and open sockets carry on. */
static gboolean
on_reload_signal (gpointer user_data)
{
  Server *s = user_data;
  g_autoptr (GError) error = NULL;

  if (kaigi_http_reload_tls (s->http, &error))
    g_printerr ("kaigi-server: reloaded %s\n", s->config->tls_certificate);
  else
    g_printerr ("kaigi-server: reload failed, keeping the old certificate: %s\n", error->message);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_quit_signal (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_CONTINUE;
}

/* Runs the main context until every peer teardown and every recording's end (its last piece
 * closed and listed: media/record.c) has finished, or @timeout_us passed. */
static void
drain_teardowns (gint64 timeout_us)
{
  gint64 deadline = g_get_monotonic_time () + timeout_us;

  while ((kaigi_peer_closing_count () > 0 || kaigi_whep_closing_count () > 0
          || kaigi_record_leaving_count () > 0)
         && g_get_monotonic_time () < deadline) {
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (2000);
  }
}

/* ---- start-up ---- */

static gboolean
parse_args (KaigiConfig **out, char **add_account, int *argc, char ***argv, GError **error)
{
  g_autofree char *config_path = NULL, *listen = NULL, *data_dir = NULL, *web_root = NULL;
  g_auto (GStrv) ice = NULL;
  gboolean version = FALSE;
  GOptionEntry entries[]
      = { { "config", 'c', 0, G_OPTION_ARG_FILENAME, &config_path,
            "Settings file (see conf/kaigi.conf)", "FILE" },
          { "listen", 'l', 0, G_OPTION_ARG_STRING, &listen,
            "Address and port to serve on (default 127.0.0.1:8080)", "HOST:PORT" },
          { "data-dir", 'd', 0, G_OPTION_ARG_FILENAME, &data_dir,
            "Folder for the database and media (default ./kaigi-data)", "DIR" },
          { "web-root", 0, 0, G_OPTION_ARG_FILENAME, &web_root, NULL, "DIR" },
          { "ice-address", 0, 0, G_OPTION_ARG_STRING_ARRAY, &ice,
            "Local address ICE may use (repeatable; default: all)", "ADDR" },
          { "add-account", 0, 0, G_OPTION_ARG_STRING, add_account,
            "Create a secretariat account (or set its password; read from standard input) "
            "and exit",
            "NAME" },
          { "version", 0, 0, G_OPTION_ARG_NONE, &version, "Print the version and exit", NULL },
          { NULL } };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("- hybrid meeting server");
  g_autoptr (KaigiConfig) c = kaigi_config_new ();
  g_autofree char *web_help = g_strdup_printf ("Folder of client-web (default %s)", c->web_root);

  entries[3].description = web_help; /* the installed or the source tree's, see config.c */
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_add_group (ctx, gst_init_get_option_group ());
  if (!g_option_context_parse (ctx, argc, argv, error))
    return FALSE;
  if (version) {
    g_print ("kaigi-server %s\n", KAIGI_VERSION);
    exit (0);
  }
  if (config_path && !kaigi_config_load_file (c, config_path, error))
    return FALSE;
  if (listen && !kaigi_config_set_listen (c, listen, error))
    return FALSE;
  if (data_dir)
    g_free (c->data_dir), c->data_dir = g_steal_pointer (&data_dir);
  if (web_root)
    g_free (c->web_root), c->web_root = g_steal_pointer (&web_root);
  if (ice)
    g_strfreev (c->ice_addresses), c->ice_addresses = g_steal_pointer (&ice);
  if (!kaigi_config_validate (c, error))
    return FALSE;
  *out = g_steal_pointer (&c);
  return TRUE;
}

static gboolean
open_store (Server *s, GError **error)
{
  g_autofree char *db = g_build_filename (s->config->data_dir, "kaigi.db", NULL);

  if (g_mkdir_with_parents (s->config->data_dir, 0750) != 0
      || g_access (s->config->data_dir, W_OK) != 0) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_CONFIG, "[server] data-dir: cannot write to %s",
                 s->config->data_dir);
    return FALSE;
  }
  s->store = kaigi_store_open (db, error);
  return s->store != NULL;
}

/* The demo meeting and its media folder, so that a new installation has something to join. */
static gboolean
ensure_demo (Server *s, GError **error)
{
  gint64 id = kaigi_store_ensure_demo_meeting (s->store, s->config->meeting_title, error);
  g_autofree char *media = NULL;

  if (id < 0)
    return FALSE;
  media = kaigi_recorder_meeting_dir (s->config->data_dir, id, error);
  return media != NULL;
}

/* With no account at all, makes `admin` with a random password, kept in a file only its
 * owner can read, so that a new installation can be signed into and nothing is guessable. */
static gboolean
ensure_first_account (Server *s, GError **error)
{
  g_autofree char *password = NULL, *hash = NULL, *path = NULL, *text = NULL;

  if (kaigi_store_account_count (s->store) > 0)
    return TRUE;
  password = kaigi_auth_random_password (16);
  if (!(hash = kaigi_auth_password_hash (password, error))
      || kaigi_store_account_set (s->store, "admin", hash, error) < 0)
    return FALSE;
  path = g_build_filename (s->config->data_dir, "initial-admin-password", NULL);
  text = g_strdup_printf ("%s\n", password);
  if (!g_file_set_contents_full (path, text, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, error))
    return FALSE;
  /* Said once the server is up, so that a start that fails later still says one line. */
  s->created_account_note = g_strdup_printf (
      "kaigi-server: created the secretariat account 'admin'; its password is in %s\n", path);
  return TRUE;
}

/* --add-account: one line from standard input is the password. */
static int
add_account (Server *s, const char *name)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GIOChannel) in = g_io_channel_unix_new (0);
  g_autofree char *line = NULL, *hash = NULL;
  gsize len = 0;

  if (!kaigi_api_account_name_ok (name)) {
    g_printerr ("kaigi-server: --add-account: the name must be 1 to 64 letters, digits, '.', "
                "'_' or '-'\n");
    return 2;
  }
  if (g_io_channel_read_line (in, &line, &len, NULL, &error) != G_IO_STATUS_NORMAL || !line) {
    g_printerr ("kaigi-server: --add-account: give the password on standard input\n");
    return 2;
  }
  g_strchomp (line);
  if (!open_store (s, &error) || !(hash = kaigi_auth_password_hash (line, &error))
      || kaigi_store_account_set (s->store, name, hash, &error) < 0) {
    g_printerr ("kaigi-server: --add-account: %s\n", error->message);
    return 1;
  }
  g_printerr ("kaigi-server: the secretariat account '%s' is ready\n", name);
  return 0;
}

/* Main thread: a recognition job is done (minutes/asr.c). */
static void
on_recognised (gpointer user, const char *meta, const char *wav, const char *text,
               double confidence, const char *error)
{
  Server *s = user;

  if (s->rooms)
    kaigi_rooms_recognised (s->rooms, meta, wav, text, confidence, error);
}

/* The recogniser of [minutes]; TRUE without one when the engine is none. */
static gboolean
start_asr (Server *s, GError **error)
{
  KaigiConfig *c = s->config;
  g_autofree char *spool = g_build_filename (c->data_dir, "asr-spool", NULL);
  KaigiAsrOptions o = { .engine = c->asr_engine,
                        .model_dir = c->asr_model,
                        .dict = c->asr_dict,
                        .lm = c->asr_lm,
                        .url = c->asr_url,
                        .command = c->asr_command,
                        .language = c->asr_language,
                        .workers = c->asr_workers,
                        .timeout_s = c->asr_timeout,
                        .spool_dir = spool };

  if (g_strcmp0 (c->asr_engine, "none") == 0)
    return TRUE;
  s->asr = kaigi_asr_new (&o, NULL, on_recognised, s, error);
  return s->asr != NULL;
}

static gboolean
start (Server *s, GError **error)
{
  KaigiRoomOptions ro = { 0 };
  KaigiHttpOptions ho = { 0 };
  KaigiApiContext ac = { 0 };
  KaigiConfig *c = s->config;
  g_autofree char *db = g_build_filename (c->data_dir, "kaigi.db", NULL);
  g_autofree char *secret = g_build_filename (c->data_dir, "secret", NULL);
  g_autofree char *hls_root = NULL;

  if (!open_store (s, error) || !ensure_demo (s, error)
      || !(s->auth = kaigi_auth_new (secret, error)) || !ensure_first_account (s, error)
      || !(s->timeline = kaigi_timeline_new (db, error)) || !(s->graph = kaigi_graph_new (error))
      || !start_asr (s, error))
    return FALSE;
  ro.asr = s->asr;
  ro.max_participants = c->max_participants;
  ro.data_dir = c->data_dir;
  ro.record = c->record;
  ro.program_enabled = c->public_stream;
  ro.whep_max = c->public_whep_max;
  ro.program = (KaigiProgramOptions){ .segment_seconds = c->public_segment_s,
                                      .playlist_length = 6,
                                      .width = c->public_width,
                                      .height = c->public_height,
                                      .fps = c->public_fps,
                                      .video_bitrate = c->public_video_bitrate,
                                      .audio_bitrate = c->public_audio_bitrate,
                                      .icecast = c->public_icecast };
  ro.peer.slots = c->slots;
  ro.peer.jitter_latency_ms = c->jitter_latency_ms;
  ro.peer.audio_bitrate = c->audio_bitrate;
  ro.peer.ice_addresses = (const char *const *)c->ice_addresses;
  ro.peer.stun_server = c->stun_server;
  s->ice_servers = kaigi_ice_servers_new (
      &(KaigiIceServersOptions){ .stun_server = c->stun_server,
                                 .turn_servers = (const char *const *)c->turn_servers,
                                 .turn_username = c->turn_username,
                                 .turn_password = c->turn_password,
                                 .turn_secret = c->turn_secret,
                                 .turn_ttl = c->turn_ttl });
  ro.peer.ice_servers = s->ice_servers;
  ro.peer.loopback_only = kaigi_config_loopback_only (c);
  s->rooms = kaigi_rooms_new (s->store, s->graph, s->timeline, &ro, kaigi_signal_room_ops ());
  s->signal.rooms = s->rooms;
  s->signal.auth = s->auth;
  ac.store = s->store;
  ac.auth = s->auth;
  ac.rooms = s->rooms;
  ac.timeline = s->timeline;
  ac.data_dir = c->data_dir;
  s->api = kaigi_api_new (&ac);
  s->retention = kaigi_retention_start (c->data_dir, c->retention_days, s->rooms);
  /* What a stopped server had not recognised yet. */
  if (s->asr && kaigi_asr_resume (s->asr) > 0)
    g_message ("recognising %u utterances left from before", kaigi_asr_backlog (s->asr));

  ho.host = c->listen_host;
  ho.port = c->port;
  ho.web_root = c->web_root;
  if (c->public_stream) {
    hls_root = g_build_filename (c->data_dir, "hls", NULL);
    if (g_mkdir_with_parents (hls_root, 0755) != 0) {
      g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_CONFIG, "cannot create %s: %s", hls_root,
                   g_strerror (errno));
      return FALSE;
    }
    kaigi_program_clear_hls (hls_root);
    ho.hls_root = hls_root;
  }
  ho.max_message = c->max_message;
  ho.rate = c->rate;
  ho.burst = c->burst;
  ho.max_body = 1024 * 1024;
  ho.max_upload = 50 * 1024 * 1024;
  ho.tls_certificate = c->tls_certificate;
  ho.tls_key = c->tls_key;
  s->http = kaigi_http_new (s->loop, &ho, &http_callbacks, s, error);
  return s->http != NULL;
}

int
main (int argc, char **argv)
{
  Server s = { 0 };
  g_autoptr (GError) error = NULL;
  g_autofree char *account = NULL;
  int status = 0;

  setlocale (LC_ALL, "");
  kaigi_log_trace_criticals ();
  if (!parse_args (&s.config, &account, &argc, &argv, &error)) {
    g_printerr ("kaigi-server: %s\n", error->message);
    return 2;
  }
  if (account) {
    status = add_account (&s, account);
    kaigi_store_free (s.store);
    kaigi_config_free (s.config);
    return status;
  }
  gst_init (NULL, NULL);
  kaigi_mixminus_register ();
  s.loop = g_main_loop_new (NULL, FALSE);
  if (!start (&s, &error)) {
    g_printerr ("kaigi-server: %s\n", error->message);
    status = 1;
  } else {
    /* Only now: a failed start-up says one line, not the libraries' view of it too. */
    kaigi_log_setup (s.config->log_level);
    g_unix_signal_add (SIGINT, on_quit_signal, s.loop);
    g_unix_signal_add (SIGTERM, on_quit_signal, s.loop);
    g_unix_signal_add (SIGHUP, on_reload_signal, &s);
    kaigi_metrics_start ();
    if (s.created_account_note)
      g_printerr ("%s", s.created_account_note);
    g_printerr ("kaigi-server: listening on %s://%s:%u/ (data in %s)\n",
                s.config->tls_certificate ? "https" : "http", s.config->listen_host, s.config->port,
                s.config->data_dir);
    g_main_loop_run (s.loop);
    kaigi_metrics_stop ();
    g_printerr ("kaigi-server: stopping\n");
  }
  /* Sockets first (their close leaves the rooms), then the rooms, then wait for the media
   * teardowns to finish in their safe order: stopping the whole pipeline while peers are
   * live deadlocks on webrtcbin's sinks prerolling in PAUSED. */
  kaigi_http_free (s.http);
  kaigi_retention_stop (s.retention);
  kaigi_rooms_free (s.rooms);
  s.rooms = NULL; /* results still arriving are stored no more: the spool keeps their jobs */
  /* A recording ends within 3.3 s of its peer's close (record.c); the rest is margin for a
   * busy machine. */
  drain_teardowns (10 * G_TIME_SPAN_SECOND);
  /* After the rooms: their last utterances are submitted; what is not recognised yet
   * stays in the spool for the next start. */
  kaigi_asr_free (s.asr);
  kaigi_api_free (s.api);
  kaigi_graph_free (s.graph);
  kaigi_timeline_free (s.timeline); /* writes what the last leaves queued */
  kaigi_auth_free (s.auth);
  kaigi_store_free (s.store);
  kaigi_ice_servers_free (s.ice_servers);
  g_main_loop_unref (s.loop);
  kaigi_config_free (s.config);
  g_free (s.created_account_note);
  gst_deinit ();
  /* Everything of ours is written and closed. GStreamer's and GLib's pooled threads may still
   * be ending (freeing their thread-local caches); returning from main would run the
   * libraries' destructors under them: after busy meetings (bench runs at 20-30
   * participants) a stop now and then aborted with heap corruption in an exiting thread. */
  fflush (NULL);
  _exit (status);
}
