/* http.c: libwebsockets on the GLib main loop.
 *
 * What: one lws context with one vhost serving (a) client-web as static files, (b) the REST
 * API under /api (requests are read and answered in http-request.c), and (c) the "kaigi"
 * WebSocket sub-protocol for signalling.
 * Why this shape: lws is driven by the default GMainContext through Debian's
 * libwebsockets-evlib-glib (LWS_SERVER_OPTION_GLIB + foreign_loops), so signalling, room
 * state and lws share one thread and need no locks (ARCHITECTURE.md, Threading rule).
 * Per socket: outgoing messages are queued and written only in SERVER_WRITEABLE; incoming
 * fragments are reassembled up to max_message; a token bucket bounds the message rate. Any
 * bound exceeded answers an error and closes that socket alone.
 * Thread: main loop only. */
#include "http-private.h"

#include <gst/gst.h>
#include <libwebsockets.h>
#include <string.h>

#include "kaigi-error.h"
#include "message.h"
#include "tls.h"

GST_DEBUG_CATEGORY_STATIC (kaigi_http_debug);
#define GST_CAT_DEFAULT kaigi_http_debug
GST_DEBUG_CATEGORY_STATIC (kaigi_lws_debug);

#define MAX_QUEUED 512
#define CLOSE_TOO_LARGE 1009
#define CLOSE_POLICY 1008

struct _KaigiHttpSession {
  KaigiHttp *http;     /* not owned */
  struct lws *wsi;     /* owned by lws */
  GQueue out;          /* of GBytes, each with LWS_PRE bytes of head room; owned */
  GByteArray *rx;      /* reassembly buffer; owned */
  gboolean discarding; /* dropping the rest of an over-long message */
  gboolean closing;
  gboolean lingering; /* closing, but still reading what the client had already sent */
  int close_status;
  char *close_reason; /* owned */
  KaigiTokenBucket bucket;
  gpointer data; /* the signalling layer's, not owned */
};

/* lws keeps only a pointer per connection; the session itself lives on the heap. */
typedef struct {
  KaigiHttpSession *session;
} PerSession;

void
kaigi_token_bucket_init (KaigiTokenBucket *b, guint burst, gint64 now_us)
{
  b->tokens = burst;
  b->last_us = now_us;
}

gboolean
kaigi_token_bucket_take (KaigiTokenBucket *b, guint rate, guint burst, gint64 now_us)
{
  b->tokens = MIN ((double)burst, b->tokens + (now_us - b->last_us) * (rate / 1e6));
  b->last_us = now_us;
  if (b->tokens < 1.0)
    return FALSE;
  b->tokens -= 1.0;
  return TRUE;
}

static void
lws_log_emit (int level, const char *line)
{
  g_autofree char *copy = g_strchomp (g_strdup (line));

  if (level & LLL_ERR)
    GST_CAT_ERROR (kaigi_lws_debug, "%s", copy);
  else if (level & LLL_WARN)
    GST_CAT_WARNING (kaigi_lws_debug, "%s", copy);
  else
    GST_CAT_INFO (kaigi_lws_debug, "%s", copy);
}

gboolean
kaigi_http_session_send (KaigiHttpSession *s, const char *text)
{
  gsize len = strlen (text);
  guint8 *buf;

  if (s->closing)
    return FALSE;
  if (g_queue_get_length (&s->out) >= MAX_QUEUED) {
    GST_WARNING ("session %p: outgoing queue full, closing (slow consumer)", s);
    kaigi_http_session_close (s, CLOSE_POLICY, "slow consumer");
    return FALSE;
  }
  buf = g_malloc (LWS_PRE + len);
  memcpy (buf + LWS_PRE, text, len);
  g_queue_push_tail (&s->out, g_bytes_new_take (buf, LWS_PRE + len));
  lws_callback_on_writable (s->wsi);
  return TRUE;
}

void
kaigi_http_session_send_error (KaigiHttpSession *s, const char *code, const char *message)
{
  g_autofree char *text = kaigi_message_error (code, message);

  kaigi_http_session_send (s, text);
}

void
kaigi_http_session_close (KaigiHttpSession *s, int status, const char *reason)
{
  if (s->closing)
    return;
  s->closing = TRUE;
  s->close_status = status;
  s->close_reason = g_strdup (reason ? reason : "");
  lws_callback_on_writable (s->wsi);
}

/* A close for a broken rule (size, rate). The client may still be sending: closing the socket
 * with unread data makes the kernel answer with a reset, and the client loses the error we
 * queued. So keep reading and discarding for LINGER_US, then close; a client that sends its
 * own close frame earlier is closed at once by lws. */
#define LINGER_US (1 * G_USEC_PER_SEC)

static void
close_lingering (KaigiHttpSession *s, int status, const char *reason)
{
  kaigi_http_session_close (s, status, reason);
  s->lingering = TRUE;
  lws_set_timer_usecs (s->wsi, LINGER_US);
}

void
kaigi_http_session_set_data (KaigiHttpSession *s, gpointer data)
{
  s->data = data;
}

gpointer
kaigi_http_session_get_data (KaigiHttpSession *s)
{
  return s->data;
}

static void
session_free (KaigiHttpSession *s)
{
  g_queue_clear_full (&s->out, (GDestroyNotify)g_bytes_unref);
  g_byte_array_unref (s->rx);
  g_free (s->close_reason);
  g_free (s);
}

static int
on_writeable (KaigiHttpSession *s)
{
  GBytes *msg = g_queue_pop_head (&s->out);

  if (msg) {
    gsize size;
    guint8 *data = (guint8 *)g_bytes_get_data (msg, &size);
    int n = lws_write (s->wsi, data + LWS_PRE, size - LWS_PRE, LWS_WRITE_TEXT);
    g_bytes_unref (msg);
    if (n < (int)(size - LWS_PRE))
      return -1;
    if (!g_queue_is_empty (&s->out) || s->closing)
      lws_callback_on_writable (s->wsi);
    return 0;
  }
  if (s->closing && !s->lingering) {
    lws_close_reason (s->wsi, s->close_status, (unsigned char *)s->close_reason,
                      strlen (s->close_reason));
    return -1;
  }
  return 0;
}

/* A fragment arrived: add it to the message, enforce the bounds, deliver when final. */
static void
on_receive (KaigiHttpSession *s, const void *in, size_t len)
{
  KaigiHttp *http = s->http;
  gboolean final = lws_is_final_fragment (s->wsi);

  if (s->closing)
    return;
  if (!s->discarding && s->rx->len + len > http->opt.max_message) {
    g_autofree char *m = g_strdup_printf ("message over %u bytes", http->opt.max_message);
    kaigi_http_session_send_error (s, "too-large", m);
    close_lingering (s, CLOSE_TOO_LARGE, "message too large");
    s->discarding = TRUE;
  }
  if (s->discarding) {
    g_byte_array_set_size (s->rx, 0);
    s->discarding = !final;
    return;
  }
  g_byte_array_append (s->rx, in, len);
  if (!final)
    return;
  if (!kaigi_token_bucket_take (&s->bucket, http->opt.rate, http->opt.burst,
                                g_get_monotonic_time ())) {
    kaigi_http_session_send_error (s, "rate-limited", "too many messages");
    close_lingering (s, CLOSE_POLICY, "rate limited");
    return;
  }
  if (lws_frame_is_binary (s->wsi)) {
    kaigi_http_session_send_error (s, "bad-json", "binary frames are not accepted");
  } else {
    g_byte_array_append (s->rx, (const guint8 *)"", 1); /* NUL for the parser */
    http->cb.message (s, (const char *)s->rx->data, s->rx->len - 1, http->user_data);
  }
  g_byte_array_set_size (s->rx, 0);
}

static int
callback_kaigi (struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len)
{
  PerSession *pss = user;
  KaigiHttp *http = lws_context_user (lws_get_context (wsi));

  switch (reason) {
  case LWS_CALLBACK_ESTABLISHED: {
    KaigiHttpSession *s = g_new0 (KaigiHttpSession, 1);
    s->http = http;
    s->wsi = wsi;
    g_queue_init (&s->out);
    s->rx = g_byte_array_new ();
    kaigi_token_bucket_init (&s->bucket, http->opt.burst, g_get_monotonic_time ());
    pss->session = s;
    http->cb.opened (s, http->user_data);
    return 0;
  }
  case LWS_CALLBACK_RECEIVE:
    if (pss->session)
      on_receive (pss->session, in, len);
    return 0;
  case LWS_CALLBACK_SERVER_WRITEABLE:
    return pss->session ? on_writeable (pss->session) : 0;
  case LWS_CALLBACK_TIMER:
    if (pss->session && pss->session->lingering) {
      pss->session->lingering = FALSE;
      lws_callback_on_writable (wsi);
    }
    return 0;
  case LWS_CALLBACK_CLOSED:
    if (pss->session) {
      KaigiHttpSession *s = g_steal_pointer (&pss->session);
      http->cb.closed (s, http->user_data);
      session_free (s);
    }
    return 0;
  default:
    return 0;
  }
}

/* The live HLS folder: playlists, MPEG-TS segments and the WebVTT captions (room-captions.c). */
static const struct lws_protocol_vhost_options hls_vtt_type = { NULL, NULL, ".vtt", "text/vtt" };
static const struct lws_protocol_vhost_options hls_ts_type
    = { &hls_vtt_type, NULL, ".ts", "video/mp2t" };
static const struct lws_protocol_vhost_options hls_mimetypes[]
    = { { &hls_ts_type, NULL, ".m3u8", "application/vnd.apple.mpegurl" } };

KaigiHttp *
kaigi_http_new (GMainLoop *loop, const KaigiHttpOptions *opt, const KaigiHttpCallbacks *cb,
                gpointer user_data, GError **error)
{
  KaigiHttp *http = g_new0 (KaigiHttp, 1);
  struct lws_context_creation_info info;

  GST_DEBUG_CATEGORY_INIT (kaigi_http_debug, "kaigi-http", 0, "kaigi HTTP and WebSocket");
  GST_DEBUG_CATEGORY_INIT (kaigi_lws_debug, "kaigi-lws", 0, "libwebsockets");
  lws_set_log_level (LLL_ERR | LLL_WARN | LLL_NOTICE, lws_log_emit);

  http->cb = *cb;
  http->user_data = user_data;
  http->opt = *opt;
  http->host = g_strdup (opt->host);
  http->web_root = g_strdup (opt->web_root);
  http->hls_root = g_strdup (opt->hls_root);

  http->protocols[0]
      = (struct lws_protocols){ "http", kaigi_http_callback_api, sizeof (KaigiHttpPerRequest), 0 };
  http->protocols[1] = (struct lws_protocols){ "kaigi", callback_kaigi, sizeof (PerSession),
                                               MIN (opt->max_message, 65536) };

  /* /api is ours; everything else is client-web. */
  http->mounts[0] = (struct lws_http_mount){ .mountpoint = "/api",
                                             .mountpoint_len = 4,
                                             .origin = "http",
                                             .origin_protocol = LWSMPRO_CALLBACK,
                                             .mount_next = &http->mounts[1] };
  http->mounts[1] = (struct lws_http_mount){ .mountpoint = "/metrics",
                                             .mountpoint_len = 8,
                                             .origin = "http",
                                             .origin_protocol = LWSMPRO_CALLBACK,
                                             .mount_next = &http->mounts[2] };
  http->mounts[2] = (struct lws_http_mount){ .mountpoint = "/",
                                             .mountpoint_len = 1,
                                             .origin = http->web_root,
                                             .def = "index.html",
                                             .origin_protocol = LWSMPRO_FILE };
  /* The public programs' HLS files (media/program.c): a live playlist must not be cached;
   * segments never change once written. */
  if (http->hls_root) {
    http->mounts[2].mount_next = &http->mounts[3];
    http->mounts[3] = (struct lws_http_mount){ .mountpoint = "/hls",
                                               .mountpoint_len = 4,
                                               .origin = http->hls_root,
                                               .origin_protocol = LWSMPRO_FILE,
                                               .extra_mimetypes = hls_mimetypes,
                                               .cache_max_age = 0,
                                               .cache_reusable = 0,
                                               .cache_revalidate = 1 };
  }

  /* Idle sockets are pinged, and dropped when the peer stops answering (a lost network). */
  http->retry = (lws_retry_bo_t){ .secs_since_valid_ping = 15, .secs_since_valid_hangup = 40 };
  http->foreign_loops[0] = loop;

  memset (&info, 0, sizeof (info));
  info.port = opt->port;
  info.iface = http->host;
  info.protocols = http->protocols;
  info.mounts = http->mounts;
  info.options = LWS_SERVER_OPTION_GLIB | LWS_SERVER_OPTION_VALIDATE_UTF8;
  info.foreign_loops = http->foreign_loops;
  info.user = http;
  info.retry_and_idle_policy = &http->retry;
  info.vhost_name = "kaigi";
  if (opt->tls_certificate) {
    if (!kaigi_tls_check (opt->tls_certificate, opt->tls_key, error)) {
      kaigi_http_free (http);
      return NULL;
    }
    http->tls_certificate = g_strdup (opt->tls_certificate);
    http->tls_key = g_strdup (opt->tls_key);
    info.options |= LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
    info.ssl_cert_filepath = http->tls_certificate;
    info.ssl_private_key_filepath = http->tls_key;
  }

  http->ctx = lws_create_context (&info);
  if (!http->ctx || !lws_get_vhost_by_name (http->ctx, "kaigi")) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_CONFIG,
                 "[server] listen: cannot listen on %s:%u (port in use, or no such address)",
                 opt->host, opt->port);
    kaigi_http_free (http);
    return NULL;
  }
  return http;
}

void
kaigi_http_free (KaigiHttp *http)
{
  if (!http)
    return;
  if (http->ctx)
    lws_context_destroy (http->ctx);
  g_free (http->host);
  g_free (http->web_root);
  g_free (http->hls_root);
  g_free (http->tls_certificate);
  g_free (http->tls_key);
  g_free (http);
}

gboolean
kaigi_http_reload_tls (KaigiHttp *http, GError **error)
{
  if (!http->tls_certificate) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_CONFIG,
                 "[server] tls-certificate: not set, nothing to reload");
    return FALSE;
  }
  return kaigi_tls_reload (http->ssl_ctx, http->tls_certificate, http->tls_key, error);
}
