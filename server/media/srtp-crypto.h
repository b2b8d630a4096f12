/* srtp-crypto.h: SRTP's ciphers on OpenSSL for the whole process.
 *
 * Debian's libsrtp2 (2.5.0) is built on NSS, and its AES counter mode makes and destroys an
 * NSS cipher context for every packet (PK11_CreateContextBySymKey in set_iv), and its HMAC runs
 * each packet through NSS's PKCS#11 layers. At 30 participants SRTP was a quarter of a
 * forwarding thread's CPU (perf; docs/benchmarks.md). libsrtp lets a program put its own
 * implementation in place of a cipher or an authentication function (srtp_replace_cipher_type,
 * srtp_replace_auth_type, its public API for hardware acceleration), and the whole process
 * shares one libsrtp: GStreamer's srtpenc and srtpdec then use them too.
 *
 * kaigi_srtp_crypto_init puts in place, with OpenSSL's EVP (the library the server's TLS and
 * GStreamer's DTLS already load):
 *   - AES counter mode for 128- and 256-bit keys (SRTP_AES_ICM_128, SRTP_AES_ICM_256): one
 *     cipher context per SRTP stream, keyed once; a packet only sets the counter block;
 *   - HMAC-SHA1 (SRTP_HMAC_SHA1): one MAC context per stream, keyed once; a packet restarts it.
 * libsrtp accepts a replacement only after running it on its own test vectors and on ours
 * (RFC 3711 B.2, RFC 2202), so a wrong implementation is refused, never used. Streams made
 * before the call keep what they were made with; call it before any SRTP session exists.
 *
 * KAIGI_SRTP_CRYPTO=libsrtp in the environment leaves libsrtp's own in place (for A/B
 * measurements, and as a way out). Returns FALSE with @error if libsrtp refused one (that one,
 * and those after it, stay libsrtp's own: correct, only slower). Any thread, once;
 * later calls return the first call's result. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

gboolean kaigi_srtp_crypto_init (GError **error);
/* "openssl" or "libsrtp": what new SRTP streams use. */
const char *kaigi_srtp_crypto_name (void);
/* How many times an SRTP stream keyed one of ours (a cipher or a MAC): for the tests. */
guint kaigi_srtp_crypto_keyed (void);

G_END_DECLS
