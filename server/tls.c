/* tls.c: the server certificate and key, through OpenSSL (the TLS library of Debian's lws).
 *
 * Why here and not in lws: lws 4.1 loads the vhost's files once, when the vhost is made, and
 * has no public call to load them again. Certificates are renewed every few weeks (ACME), and
 * a meeting must not end for that, so on SIGHUP we put the new pair into the vhost's live
 * SSL_CTX: OpenSSL copies the certificate into each SSL when a connection starts, so open
 * connections keep the old one and every new one gets the new one. The pair is first tried
 * in a scratch context, so a half-copied file never replaces a working certificate.
 * Thread: main loop only. */
#include "tls.h"

#include <gst/gst.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "kaigi-error.h"

GST_DEBUG_CATEGORY_STATIC (kaigi_tls_debug);
#define GST_CAT_DEFAULT kaigi_tls_debug

/* OpenSSL's own reason for the last failure, e.g. "no start line". */
static const char *
ssl_reason (void)
{
  unsigned long e = ERR_peek_last_error ();
  const char *r = e ? ERR_reason_error_string (e) : NULL;

  return r ? r : "unknown error";
}

static gboolean
load_pair (SSL_CTX *ctx, const char *cert, const char *key, GError **error)
{
  ERR_clear_error ();
  if (SSL_CTX_use_certificate_chain_file (ctx, cert) != 1) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_CONFIG,
                 "[server] tls-certificate: cannot load %s (%s)", cert, ssl_reason ());
    return FALSE;
  }
  if (SSL_CTX_use_PrivateKey_file (ctx, key, SSL_FILETYPE_PEM) != 1) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_CONFIG, "[server] tls-key: cannot load %s (%s)",
                 key, ssl_reason ());
    return FALSE;
  }
  if (SSL_CTX_check_private_key (ctx) != 1) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_CONFIG,
                 "[server] tls-key: %s does not belong to the certificate in %s", key, cert);
    return FALSE;
  }
  return TRUE;
}

gboolean
kaigi_tls_check (const char *cert, const char *key, GError **error)
{
  SSL_CTX *scratch = SSL_CTX_new (TLS_server_method ());
  gboolean ok;

  GST_DEBUG_CATEGORY_INIT (kaigi_tls_debug, "kaigi-tls", 0, "kaigi TLS certificates");
  if (!scratch) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_CONFIG, "[server] tls-certificate: %s",
                 ssl_reason ());
    return FALSE;
  }
  ok = load_pair (scratch, cert, key, error);
  SSL_CTX_free (scratch);
  return ok;
}

gboolean
kaigi_tls_reload (gpointer ssl_ctx, const char *cert, const char *key, GError **error)
{
  if (!ssl_ctx) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_CONFIG,
                 "[server] tls-certificate: the server is not serving TLS");
    return FALSE;
  }
  if (!kaigi_tls_check (cert, key, error) || !load_pair (ssl_ctx, cert, key, error))
    return FALSE;
  GST_INFO ("reloaded %s", cert);
  return TRUE;
}
