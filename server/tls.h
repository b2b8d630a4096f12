/* tls.h: the server certificate and key: checked before start-up, reloaded on SIGHUP.
 *
 * Main thread only. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Loads @cert (a PEM chain) and @key into a scratch context and checks that they match.
 * Errors name the setting ([server] tls-certificate or tls-key). */
gboolean kaigi_tls_check (const char *cert, const char *key, GError **error);

/* Replaces the certificate and key of the live OpenSSL SSL_CTX @ssl_ctx, after checking
 * them: on any error the old pair stays in use. Connections already open keep theirs. */
gboolean kaigi_tls_reload (gpointer ssl_ctx, const char *cert, const char *key, GError **error);

G_END_DECLS
