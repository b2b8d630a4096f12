/* http.h: libwebsockets on the GLib main loop: static client-web, the REST API under /api and
 * the signalling WebSocket.
 *
 * Main thread only: lws runs on the default GMainContext (LWS_SERVER_OPTION_GLIB), so every
 * callback below and every function here runs on the main loop. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _KaigiHttp KaigiHttp;
typedef struct _KaigiHttpSession KaigiHttpSession;
typedef struct _KaigiHttpRequest KaigiHttpRequest;

typedef struct {
  void (*opened) (KaigiHttpSession *session, gpointer user_data);
  /* One complete text message, reassembled and within the size and rate bounds. */
  void (*message) (KaigiHttpSession *session, const char *text, gsize len, gpointer user_data);
  /* The socket is gone; @session is freed right after this returns. */
  void (*closed) (KaigiHttpSession *session, gpointer user_data);
  /* A request under /api with its whole body. Answer it with kaigi_http_request_reply, now
   * or later on the main loop (exactly once). */
  void (*request) (KaigiHttpRequest *req, gpointer user_data);
  /* Returns a newly allocated Prometheus text for GET /metrics; NULL: 404. */
  char *(*metrics) (gpointer user_data);
} KaigiHttpCallbacks;

typedef struct {
  const char *host;
  guint port;
  const char *web_root;
  const char *hls_root;        /* nullable: served under /hls/ (the public programs) */
  guint max_message;           /* bytes */
  guint rate;                  /* messages per second, refill of the token bucket */
  guint burst;                 /* token bucket size */
  gsize max_body;              /* bytes of a request body; larger ones are answered 413 */
  gsize max_upload;            /* the same for paths ending in /materials */
  const char *tls_certificate; /* nullable: plain HTTP */
  const char *tls_key;
} KaigiHttpOptions;

KaigiHttp *kaigi_http_new (GMainLoop *loop, const KaigiHttpOptions *options,
                           const KaigiHttpCallbacks *callbacks, gpointer user_data, GError **error);
void kaigi_http_free (KaigiHttp *http);
/* Loads the certificate and key again from the same files (SIGHUP); open sockets stay. */
gboolean kaigi_http_reload_tls (KaigiHttp *http, GError **error);

/* Queues one text message. Returns FALSE (and closes the session) if its queue is full. */
gboolean kaigi_http_session_send (KaigiHttpSession *session, const char *text);
/* Sends an error message {type:"error",code,message}. */
void kaigi_http_session_send_error (KaigiHttpSession *session, const char *code,
                                    const char *message);
/* Flushes what is queued, then closes with @status (RFC 6455 close code). */
void kaigi_http_session_close (KaigiHttpSession *session, int status, const char *reason);
void kaigi_http_session_set_data (KaigiHttpSession *session, gpointer data);
gpointer kaigi_http_session_get_data (KaigiHttpSession *session);

/* ---- REST requests (http-request.c) ---- */

const char *kaigi_http_request_method (KaigiHttpRequest *req); /* GET POST PUT DELETE ... */
const char *kaigi_http_request_path (KaigiHttpRequest *req);   /* "/api/meetings/3" */
/* A decoded query parameter, or NULL. */
const char *kaigi_http_request_query (KaigiHttpRequest *req, const char *name);
/* A request header by lws token name, e.g. "cookie", "authorization", "content-type"; NULL if
 * absent. */
const char *kaigi_http_request_header (KaigiHttpRequest *req, const char *name);
GBytes *kaigi_http_request_body (KaigiHttpRequest *req);
/* The peer's address, for logs and rate limits. */
const char *kaigi_http_request_peer (KaigiHttpRequest *req);
/* @headers: extra headers as name/value pairs, names lower case with a colon
 * ({"set-cookie:", "a=b", NULL}), may be NULL. Takes @body (may be NULL). If the client has
 * gone, the answer is dropped. */
void kaigi_http_request_reply (KaigiHttpRequest *req, guint status, const char *content_type,
                               GBytes *body, const char *const *headers);

/* Pure helpers, exposed for tests. */
typedef struct {
  double tokens;
  gint64 last_us;
} KaigiTokenBucket;
void kaigi_token_bucket_init (KaigiTokenBucket *b, guint burst, gint64 now_us);
gboolean kaigi_token_bucket_take (KaigiTokenBucket *b, guint rate, guint burst, gint64 now_us);

G_END_DECLS
