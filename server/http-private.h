/* http-private.h: the lws context shared by http.c (context, WebSocket sessions) and
 * http-request.c (REST requests). Not for other files. Main thread only. */
#pragma once

#include <libwebsockets.h>

#include "http.h"

struct _KaigiHttp {
  struct lws_context *ctx; /* owned */
  KaigiHttpCallbacks cb;
  gpointer user_data;
  KaigiHttpOptions opt;  /* strings owned below */
  char *host;            /* owned */
  char *web_root;        /* owned */
  char *hls_root;        /* owned, nullable */
  char *tls_certificate; /* owned, nullable */
  char *tls_key;         /* owned, nullable */
  gpointer ssl_ctx;      /* the vhost's OpenSSL SSL_CTX, owned by lws; NULL without TLS */
  struct lws_http_mount mounts[4];
  struct lws_protocols protocols[3];
  lws_retry_bo_t retry;
  void *foreign_loops[1];
};

/* lws's per-connection storage of the "http" protocol. */
typedef struct {
  KaigiHttpRequest *req; /* owned, see http-request.c for its life */
} KaigiHttpPerRequest;

int kaigi_http_callback_api (struct lws *wsi, enum lws_callback_reasons reason, void *user,
                             void *in, size_t len);
