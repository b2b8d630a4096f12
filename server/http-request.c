/* http-request.c: REST requests under /api: read the method, path, query, a few headers and
 * the body, hand the whole request to the server (KaigiHttpCallbacks.request), and write its
 * answer back.
 *
 * Why answers may come later: signing in checks an Argon2id hash, which is slow on purpose
 * and runs on a worker thread; the answer then arrives on the main loop after this callback
 * returned. So a request lives on its own: it is freed when its answer has been written, or,
 * if the client went away first, when the answer arrives (it is then dropped).
 * Bounds: the body is kept in memory up to max_body (max_upload for material uploads);
 * beyond that the rest is read and discarded and the answer is 413.
 * GET /metrics (its own mount) is answered here from KaigiHttpCallbacks.metrics.
 * Thread: main loop only (lws runs on it). */
#include "http-private.h"

#include <gst/gst.h>
#include <string.h>

GST_DEBUG_CATEGORY_STATIC (kaigi_api_http_debug);
#define GST_CAT_DEFAULT kaigi_api_http_debug

#define MAX_URI 2048

struct _KaigiHttpRequest {
  KaigiHttp *http;     /* not owned */
  struct lws *wsi;     /* NULL once the connection is gone */
  char *method;        /* owned */
  char *path;          /* owned */
  GHashTable *query;   /* name -> value, owned */
  GHashTable *headers; /* name -> value, owned */
  char *peer;          /* owned */
  GByteArray *body;    /* owned */
  gsize limit;
  gboolean too_large;
  gboolean dispatched;
  gboolean replied;
  /* the answer */
  guint status;
  char *type;  /* owned */
  GBytes *out; /* owned */
  GStrv extra; /* owned, name/value pairs */
  gsize sent;
  gboolean headers_sent;
};

static const struct {
  const char *name;
  enum lws_token_indexes token;
} methods[] = {
  { "GET", WSI_TOKEN_GET_URI },     { "POST", WSI_TOKEN_POST_URI },
  { "PUT", WSI_TOKEN_PUT_URI },     { "DELETE", WSI_TOKEN_DELETE_URI },
  { "PATCH", WSI_TOKEN_PATCH_URI }, { "OPTIONS", WSI_TOKEN_OPTIONS_URI },
};

static const struct {
  const char *name;
  enum lws_token_indexes token;
} header_tokens[] = {
  { "cookie", WSI_TOKEN_HTTP_COOKIE },
  { "authorization", WSI_TOKEN_HTTP_AUTHORIZATION },
  { "content-type", WSI_TOKEN_HTTP_CONTENT_TYPE },
  { "content-length", WSI_TOKEN_HTTP_CONTENT_LENGTH },
  { "transfer-encoding", WSI_TOKEN_HTTP_TRANSFER_ENCODING },
};

static void
request_free (KaigiHttpRequest *r)
{
  g_free (r->method);
  g_free (r->path);
  g_hash_table_unref (r->query);
  g_hash_table_unref (r->headers);
  g_free (r->peer);
  g_byte_array_unref (r->body);
  g_free (r->type);
  g_clear_pointer (&r->out, g_bytes_unref);
  g_strfreev (r->extra);
  g_free (r);
}

static char *
copy_token (struct lws *wsi, enum lws_token_indexes token)
{
  int n = lws_hdr_total_length (wsi, token);
  char *buf;

  if (n <= 0 || n > MAX_URI)
    return NULL;
  buf = g_malloc (n + 1);
  if (lws_hdr_copy (wsi, buf, n + 1, token) < 0) {
    g_free (buf);
    return NULL;
  }
  return buf;
}

static void
read_query (KaigiHttpRequest *r, struct lws *wsi)
{
  char buf[1024];

  for (int i = 0; i < 32; i++) {
    int n = lws_hdr_copy_fragment (wsi, buf, sizeof (buf), WSI_TOKEN_HTTP_URI_ARGS, i);
    char *eq;
    if (n < 0)
      break;
    if ((eq = strchr (buf, '=')))
      g_hash_table_insert (r->query, g_strndup (buf, eq - buf), g_strdup (eq + 1));
    else
      g_hash_table_insert (r->query, g_strdup (buf), g_strdup (""));
  }
}

static KaigiHttpRequest *
request_new (KaigiHttp *http, struct lws *wsi)
{
  KaigiHttpRequest *r = g_new0 (KaigiHttpRequest, 1);
  char addr[64] = "";

  r->http = http;
  r->wsi = wsi;
  r->query = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  r->headers = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  r->body = g_byte_array_new ();
  for (guint i = 0; i < G_N_ELEMENTS (methods) && !r->path; i++) {
    if ((r->path = copy_token (wsi, methods[i].token)))
      r->method = g_strdup (methods[i].name);
  }
  for (guint i = 0; i < G_N_ELEMENTS (header_tokens); i++) {
    char *v = copy_token (wsi, header_tokens[i].token);
    if (v)
      g_hash_table_insert (r->headers, (gpointer)header_tokens[i].name, v);
  }
  read_query (r, wsi);
  lws_get_peer_simple (wsi, addr, sizeof (addr));
  r->peer = g_strdup (addr);
  r->limit = r->path && g_str_has_suffix (r->path, "/materials") ? http->opt.max_upload
                                                                 : http->opt.max_body;
  return r;
}

const char *
kaigi_http_request_method (KaigiHttpRequest *r)
{
  return r->method;
}

const char *
kaigi_http_request_path (KaigiHttpRequest *r)
{
  return r->path;
}

const char *
kaigi_http_request_query (KaigiHttpRequest *r, const char *name)
{
  return g_hash_table_lookup (r->query, name);
}

const char *
kaigi_http_request_header (KaigiHttpRequest *r, const char *name)
{
  return g_hash_table_lookup (r->headers, name);
}

GBytes *
kaigi_http_request_body (KaigiHttpRequest *r)
{
  return g_bytes_new (r->body->data, r->body->len);
}

const char *
kaigi_http_request_peer (KaigiHttpRequest *r)
{
  return r->peer;
}

void
kaigi_http_request_reply (KaigiHttpRequest *r, guint status, const char *type, GBytes *body,
                          const char *const *headers)
{
  g_return_if_fail (!r->replied);
  r->replied = TRUE;
  if (!r->wsi) { /* the client is gone */
    if (body)
      g_bytes_unref (body);
    request_free (r);
    return;
  }
  r->status = status;
  r->type = g_strdup (type ? type : "application/json");
  r->out = body ? body : g_bytes_new (NULL, 0);
  r->extra = g_strdupv ((char **)headers);
  GST_DEBUG ("%s %s -> %u (%" G_GSIZE_FORMAT " bytes)", r->method, r->path, status,
             g_bytes_get_size (r->out));
  lws_callback_on_writable (r->wsi);
}

static void
dispatch (KaigiHttpRequest *r)
{
  r->dispatched = TRUE;
  if (r->too_large) {
    static const char too_large[]
        = "{\"error\":{\"code\":\"too-large\",\"message\":\"the request body is too large\"}}";
    kaigi_http_request_reply (r, HTTP_STATUS_REQ_ENTITY_TOO_LARGE, "application/json",
                              g_bytes_new_static (too_large, strlen (too_large)), NULL);
    return;
  }
  if (g_str_equal (r->path, "/metrics")) {
    char *text = r->http->cb.metrics ? r->http->cb.metrics (r->http->user_data) : NULL;
    if (text)
      kaigi_http_request_reply (r, 200, "text/plain; version=0.0.4; charset=utf-8",
                                g_bytes_new_take (text, strlen (text)), NULL);
    else
      kaigi_http_request_reply (r, 404, "text/plain", NULL, NULL);
    return;
  }
  r->http->cb.request (r, r->http->user_data);
}

static int
write_headers (KaigiHttpRequest *r)
{
  gsize cap = LWS_PRE + 4096;
  g_autofree guint8 *buf = g_malloc (cap);
  guint8 *start = buf + LWS_PRE, *p = start, *end = buf + cap - 1;

  if (lws_add_http_common_headers (r->wsi, r->status, r->type, g_bytes_get_size (r->out), &p, end)
      || lws_add_http_header_by_token (r->wsi, WSI_TOKEN_HTTP_CACHE_CONTROL,
                                       (const unsigned char *)"no-store", 8, &p, end))
    return -1;
  for (guint i = 0; r->extra && r->extra[i] && r->extra[i + 1]; i += 2) {
    if (lws_add_http_header_by_name (r->wsi, (const unsigned char *)r->extra[i],
                                     (const unsigned char *)r->extra[i + 1],
                                     strlen (r->extra[i + 1]), &p, end))
      return -1;
  }
  if (lws_finalize_write_http_header (r->wsi, start, &p, end))
    return -1;
  r->headers_sent = TRUE;
  return 0;
}

/* Returns -1 to close the connection, 1 when the answer is complete. */
static int
write_some (KaigiHttpRequest *r)
{
  gsize total, chunk;
  const guint8 *data;
  guint8 buf[LWS_PRE + 16384];

  if (!r->headers_sent) {
    if (write_headers (r) < 0)
      return -1;
    if (g_bytes_get_size (r->out) == 0)
      return 1;
    lws_callback_on_writable (r->wsi);
    return 0;
  }
  data = g_bytes_get_data (r->out, &total);
  chunk = MIN (total - r->sent, sizeof (buf) - LWS_PRE);
  memcpy (buf + LWS_PRE, data + r->sent, chunk);
  r->sent += chunk;
  if (lws_write (r->wsi, buf + LWS_PRE, chunk,
                 r->sent == total ? LWS_WRITE_HTTP_FINAL : LWS_WRITE_HTTP)
      != (int)chunk)
    return -1;
  if (r->sent < total) {
    lws_callback_on_writable (r->wsi);
    return 0;
  }
  return 1;
}

static gboolean
expects_body (KaigiHttpRequest *r)
{
  const char *len = g_hash_table_lookup (r->headers, "content-length");

  return (len && g_ascii_strtoull (len, NULL, 10) > 0)
         || g_hash_table_contains (r->headers, "transfer-encoding");
}

static void
on_body (KaigiHttpRequest *r, const void *in, size_t len)
{
  if (r->too_large || r->body->len + len > r->limit) {
    r->too_large = TRUE;
    g_byte_array_set_size (r->body, 0);
    return;
  }
  g_byte_array_append (r->body, in, len);
}

int
kaigi_http_callback_api (struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                         size_t len)
{
  KaigiHttpPerRequest *per = user;
  KaigiHttp *http = lws_context_user (lws_get_context (wsi));
  int done;

  switch (reason) {
  case LWS_CALLBACK_OPENSSL_LOAD_EXTRA_SERVER_VERIFY_CERTS:
    /* Made with the vhost: @user is its SSL_CTX, kept for kaigi_http_reload_tls. */
    http->ssl_ctx = user;
    return 0;
  case LWS_CALLBACK_HTTP:
    if (!kaigi_api_http_debug)
      GST_DEBUG_CATEGORY_INIT (kaigi_api_http_debug, "kaigi-http-api", 0, "kaigi REST requests");
    per->req = request_new (http, wsi);
    if (!per->req->path) {
      request_free (g_steal_pointer (&per->req));
      return -1;
    }
    if (!expects_body (per->req))
      dispatch (per->req);
    return 0;
  case LWS_CALLBACK_HTTP_BODY:
    if (per && per->req && !per->req->dispatched)
      on_body (per->req, in, len);
    return 0;
  case LWS_CALLBACK_HTTP_BODY_COMPLETION:
    if (per && per->req && !per->req->dispatched)
      dispatch (per->req);
    return 0;
  case LWS_CALLBACK_HTTP_WRITEABLE:
    if (!per || !per->req || !per->req->replied)
      return 0;
    done = write_some (per->req);
    if (done < 0)
      return -1;
    if (done == 1) {
      request_free (g_steal_pointer (&per->req));
      return lws_http_transaction_completed (wsi) ? -1 : 0;
    }
    return 0;
  case LWS_CALLBACK_CLOSED_HTTP:
    if (per && per->req) {
      KaigiHttpRequest *r = g_steal_pointer (&per->req);
      if (r->dispatched && !r->replied)
        r->wsi = NULL; /* freed when the answer comes */
      else
        request_free (r);
    }
    break;
  default:
    break;
  }
  return lws_callback_http_dummy (wsi, reason, user, in, len);
}
