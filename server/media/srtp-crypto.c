/* srtp-crypto.c: see srtp-crypto.h.
 *
 * The types follow libsrtp's contract for a cipher (srtp2/cipher.h) and an authentication
 * function (srtp2/auth.h): alloc makes the srtp_cipher_t / srtp_auth_t and its state, init
 * keys it (and may be called again on the same object), set_iv / start begin a packet,
 * encrypt / update / compute work on it, dealloc frees both. libsrtp calls them for one stream
 * from one thread at a time (srtpenc and srtpdec hold their lock around libsrtp).
 *
 * AES counter mode as SRTP defines it (RFC 3711 4.1.1): the key is followed by a 14-byte
 * salt; a packet's counter block is (salt || 0x0000) XOR the 16-byte IV libsrtp gives, and
 * only its last 16 bits count blocks, so at most 2^16 - (the IV's last 16 bits) blocks follow
 * one IV. OpenSSL's CTR mode counts with all 128 bits: the same as long as those 16 bits do
 * not wrap, which encrypt checks (an SRTP packet is far shorter; libsrtp's own refuses too). */
#include "srtp-crypto.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <srtp2/auth.h>
#include <srtp2/cipher.h>
#include <srtp2/srtp.h>
#include <string.h>

#include "kaigi-error.h"

#define SALT_LEN 14
#define SHA1_LEN 20

/* ---- AES counter mode ---- */

typedef struct {
  EVP_CIPHER_CTX *ctx;
  const EVP_CIPHER *cipher; /* static in OpenSSL */
  int key_size;             /* 16 or 32 octets, without the salt */
  guint8 offset[16];        /* salt || 0x0000 */
  guint64 left;             /* octets encrypt may still make from this IV */
  gboolean keyed;
} Icm;

static const srtp_cipher_type_t icm_128, icm_256;
static gint streams_keyed; /* atomic: Icm and Hmac inits, for the tests */

static srtp_err_status_t
icm_alloc (srtp_cipher_t **cp, int key_len, int tag_len)
{
  srtp_cipher_t *c;
  Icm *icm;

  (void)tag_len;
  if (key_len != SRTP_AES_ICM_128_KEY_LEN_WSALT && key_len != SRTP_AES_ICM_256_KEY_LEN_WSALT)
    return srtp_err_status_bad_param;
  c = g_new0 (srtp_cipher_t, 1);
  icm = g_new0 (Icm, 1);
  if (!(icm->ctx = EVP_CIPHER_CTX_new ())) {
    g_free (icm);
    g_free (c);
    return srtp_err_status_alloc_fail;
  }
  if (key_len == SRTP_AES_ICM_128_KEY_LEN_WSALT) {
    c->type = &icm_128;
    c->algorithm = SRTP_AES_ICM_128;
    icm->cipher = EVP_aes_128_ctr ();
    icm->key_size = SRTP_AES_128_KEY_LEN;
  } else {
    c->type = &icm_256;
    c->algorithm = SRTP_AES_ICM_256;
    icm->cipher = EVP_aes_256_ctr ();
    icm->key_size = SRTP_AES_256_KEY_LEN;
  }
  c->state = icm;
  c->key_len = key_len;
  *cp = c;
  return srtp_err_status_ok;
}

static srtp_err_status_t
icm_dealloc (srtp_cipher_t *c)
{
  Icm *icm = c->state;

  if (icm) {
    EVP_CIPHER_CTX_free (icm->ctx);
    OPENSSL_cleanse (icm, sizeof *icm);
    g_free (icm);
  }
  g_free (c);
  return srtp_err_status_ok;
}

static srtp_err_status_t
icm_init (void *state, const uint8_t *key)
{
  Icm *icm = state;

  memset (icm->offset, 0, sizeof icm->offset);
  memcpy (icm->offset, key + icm->key_size, SALT_LEN);
  icm->left = 0;
  icm->keyed = EVP_EncryptInit_ex (icm->ctx, icm->cipher, NULL, key, NULL) == 1;
  if (!icm->keyed)
    return srtp_err_status_cipher_fail;
  g_atomic_int_inc (&streams_keyed);
  return srtp_err_status_ok;
}

static srtp_err_status_t
icm_set_iv (void *state, uint8_t *iv, srtp_cipher_direction_t direction)
{
  Icm *icm = state;
  guint8 counter[16];

  (void)direction; /* counter mode: the same both ways */
  if (!icm->keyed)
    return srtp_err_status_bad_param;
  for (guint i = 0; i < sizeof counter; i++)
    counter[i] = icm->offset[i] ^ iv[i];
  if (EVP_EncryptInit_ex (icm->ctx, NULL, NULL, NULL, counter) != 1)
    return srtp_err_status_cipher_fail;
  icm->left = (0x10000u - ((guint)counter[14] << 8 | counter[15])) * 16u;
  return srtp_err_status_ok;
}

static srtp_err_status_t
icm_encrypt (void *state, uint8_t *buf, unsigned int *len)
{
  Icm *icm = state;
  int out = 0;

  if (*len > icm->left)
    return srtp_err_status_terminus;
  if (*len == 0)
    return srtp_err_status_ok;
  if (*len > G_MAXINT || EVP_EncryptUpdate (icm->ctx, buf, &out, buf, (int)*len) != 1
      || (unsigned int)out != *len)
    return srtp_err_status_cipher_fail;
  icm->left -= *len;
  return srtp_err_status_ok;
}

/* RFC 3711 B.2 and RFC 6188 7.1: the keystream of the first blocks, as ciphertext of zeros. */
static const guint8 icm_128_key[30] = {
  0x2b, 0x7e, 0x15, 0x16, 0x28, 0xae, 0xd2, 0xa6, 0xab, 0xf7, 0x15, 0x88, 0x09, 0xcf, 0x4f,
  0x3c, 0xf0, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0xfa, 0xfb, 0xfc, 0xfd,
};
static const guint8 icm_128_stream[32] = {
  0xe0, 0x3e, 0xad, 0x09, 0x35, 0xc9, 0x5e, 0x80, 0xe1, 0x66, 0xb1, 0x6d, 0xd9, 0x2b, 0x4e, 0xb4,
  0xd2, 0x35, 0x13, 0x16, 0x2b, 0x02, 0xd0, 0xf7, 0x2a, 0x43, 0xa2, 0xfe, 0x4a, 0x5f, 0x97, 0xab,
};
static const guint8 icm_256_key[46] = {
  0x57, 0xf8, 0x2f, 0xe3, 0x61, 0x3f, 0xd1, 0x70, 0xa8, 0x5e, 0xc9, 0x3c, 0x40, 0xb1, 0xf0, 0x92,
  0x2e, 0xc4, 0xcb, 0x0d, 0xc0, 0x25, 0xb5, 0x82, 0x72, 0x14, 0x7c, 0xc4, 0x38, 0x94, 0x4a, 0x98,
  0xf0, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0xfa, 0xfb, 0xfc, 0xfd,
};
static const guint8 icm_256_stream[48] = {
  0x92, 0xbd, 0xd2, 0x8a, 0x93, 0xc3, 0xf5, 0x25, 0x11, 0xc6, 0x77, 0xd0, 0x8b, 0x55, 0x15, 0xa4,
  0x9d, 0xa7, 0x1b, 0x23, 0x78, 0xa8, 0x54, 0xf6, 0x70, 0x50, 0x75, 0x6d, 0xed, 0x16, 0x5b, 0xac,
  0x63, 0xc4, 0x86, 0x8b, 0x70, 0x96, 0xd8, 0x84, 0x21, 0xb5, 0x63, 0xb8, 0xc9, 0x4c, 0x9a, 0x31,
};
static const guint8 zeros[48];
static guint8 zero_iv[16]; /* the test case's type wants it writable; never written */

static const srtp_cipher_test_case_t icm_128_test = {
  .key_length_octets = sizeof icm_128_key,
  .key = icm_128_key,
  .idx = zero_iv,
  .plaintext_length_octets = sizeof icm_128_stream,
  .plaintext = zeros,
  .ciphertext_length_octets = sizeof icm_128_stream,
  .ciphertext = icm_128_stream,
};
static const srtp_cipher_test_case_t icm_256_test = {
  .key_length_octets = sizeof icm_256_key,
  .key = icm_256_key,
  .idx = zero_iv,
  .plaintext_length_octets = sizeof icm_256_stream,
  .plaintext = zeros,
  .ciphertext_length_octets = sizeof icm_256_stream,
  .ciphertext = icm_256_stream,
};

static const srtp_cipher_type_t icm_128 = {
  .alloc = icm_alloc,
  .dealloc = icm_dealloc,
  .init = icm_init,
  .encrypt = icm_encrypt,
  .decrypt = icm_encrypt,
  .set_iv = icm_set_iv,
  .description = "AES-128 counter mode using OpenSSL (kaigi)",
  .test_data = &icm_128_test,
  .id = SRTP_AES_ICM_128,
};
static const srtp_cipher_type_t icm_256 = {
  .alloc = icm_alloc,
  .dealloc = icm_dealloc,
  .init = icm_init,
  .encrypt = icm_encrypt,
  .decrypt = icm_encrypt,
  .set_iv = icm_set_iv,
  .description = "AES-256 counter mode using OpenSSL (kaigi)",
  .test_data = &icm_256_test,
  .id = SRTP_AES_ICM_256,
};

/* ---- HMAC-SHA1 ---- */

static EVP_MAC *hmac_impl; /* fetched once, by kaigi_srtp_crypto_init */
static const srtp_auth_type_t hmac_sha1;

static srtp_err_status_t
hmac_alloc (srtp_auth_t **ap, int key_len, int out_len)
{
  srtp_auth_t *a;
  EVP_MAC_CTX *ctx;

  if (out_len < 0 || out_len > SHA1_LEN || key_len < 0)
    return srtp_err_status_bad_param;
  if (!(ctx = EVP_MAC_CTX_new (hmac_impl)))
    return srtp_err_status_alloc_fail;
  a = g_new0 (srtp_auth_t, 1);
  a->type = &hmac_sha1;
  a->state = ctx;
  a->out_len = out_len;
  a->key_len = key_len;
  a->prefix_len = 0;
  *ap = a;
  return srtp_err_status_ok;
}

static srtp_err_status_t
hmac_dealloc (srtp_auth_t *a)
{
  EVP_MAC_CTX_free (a->state);
  g_free (a);
  return srtp_err_status_ok;
}

static srtp_err_status_t
hmac_init (void *state, const uint8_t *key, int key_len)
{
  OSSL_PARAM params[] = {
    OSSL_PARAM_construct_utf8_string (OSSL_MAC_PARAM_DIGEST, (char *)"SHA1", 0),
    OSSL_PARAM_construct_end (),
  };

  if (key_len < 0 || EVP_MAC_init (state, key, (size_t)key_len, params) != 1)
    return srtp_err_status_auth_fail;
  g_atomic_int_inc (&streams_keyed);
  return srtp_err_status_ok;
}

/* Starts a message with the key set by init (OpenSSL keeps the keyed inner and outer states). */
static srtp_err_status_t
hmac_start (void *state)
{
  return EVP_MAC_init (state, NULL, 0, NULL) == 1 ? srtp_err_status_ok : srtp_err_status_auth_fail;
}

static srtp_err_status_t
hmac_update (void *state, const uint8_t *msg, int len)
{
  if (len < 0 || (len > 0 && EVP_MAC_update (state, msg, (size_t)len) != 1))
    return srtp_err_status_auth_fail;
  return srtp_err_status_ok;
}

static srtp_err_status_t
hmac_compute (void *state, const uint8_t *msg, int len, int tag_len, uint8_t *tag)
{
  guint8 digest[EVP_MAX_MD_SIZE];
  size_t out = 0;
  srtp_err_status_t status;

  if (tag_len < 0 || tag_len > SHA1_LEN)
    return srtp_err_status_bad_param;
  if ((status = hmac_update (state, msg, len)))
    return status;
  if (EVP_MAC_final (state, digest, &out, sizeof digest) != 1 || out < (size_t)tag_len)
    return srtp_err_status_auth_fail;
  memcpy (tag, digest, (size_t)tag_len);
  OPENSSL_cleanse (digest, sizeof digest);
  return srtp_err_status_ok;
}

/* RFC 2202, test case 1. */
static const guint8 hmac_key[20] = {
  0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b,
  0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b,
};
static const guint8 hmac_data[8] = { 'H', 'i', ' ', 'T', 'h', 'e', 'r', 'e' };
static const guint8 hmac_tag[20] = {
  0xb6, 0x17, 0x31, 0x86, 0x55, 0x05, 0x72, 0x64, 0xe2, 0x8b,
  0xc0, 0xb6, 0xfb, 0x37, 0x8c, 0x8e, 0xf1, 0x46, 0xbe, 0x00,
};
static const srtp_auth_test_case_t hmac_test = {
  .key_length_octets = sizeof hmac_key,
  .key = hmac_key,
  .data_length_octets = sizeof hmac_data,
  .data = hmac_data,
  .tag_length_octets = sizeof hmac_tag,
  .tag = hmac_tag,
};

static const srtp_auth_type_t hmac_sha1 = {
  .alloc = hmac_alloc,
  .dealloc = hmac_dealloc,
  .init = hmac_init,
  .compute = hmac_compute,
  .update = hmac_update,
  .start = hmac_start,
  .description = "HMAC-SHA1 using OpenSSL (kaigi)",
  .test_data = &hmac_test,
  .id = SRTP_HMAC_SHA1,
};

/* ---- putting them in place ---- */

static gboolean replaced;
static GError *init_error; /* the first call's, kept for later calls */

static gpointer
replace_once (gpointer unused)
{
  const char *choice = g_getenv ("KAIGI_SRTP_CRYPTO");
  srtp_err_status_t s;
  const char *what = NULL;

  if (choice && g_str_equal (choice, "libsrtp"))
    return NULL;
  /* libsrtp's own types must be loaded first (srtp_init loading them would refuse an id that
   * is taken). A second srtp_init in a process returns bad_param (its debug module is loaded
   * already): someone, GStreamer's srtp plugin or a test, started it before us. */
  s = srtp_init ();
  if (s != srtp_err_status_ok && s != srtp_err_status_bad_param) {
    what = "libsrtp does not start";
  } else if (!(hmac_impl = EVP_MAC_fetch (NULL, "HMAC", NULL))) {
    what = "OpenSSL has no HMAC";
    s = srtp_err_status_init_fail;
  } else if ((s = srtp_replace_cipher_type (&icm_128, SRTP_AES_ICM_128))) {
    what = "libsrtp refused AES-128 counter mode on OpenSSL";
  } else if ((s = srtp_replace_cipher_type (&icm_256, SRTP_AES_ICM_256))) {
    what = "libsrtp refused AES-256 counter mode on OpenSSL";
  } else if ((s = srtp_replace_auth_type (&hmac_sha1, SRTP_HMAC_SHA1))) {
    what = "libsrtp refused HMAC-SHA1 on OpenSSL";
  }
  if (what)
    g_set_error (&init_error, KAIGI_ERROR, KAIGI_ERROR_MEDIA,
                 "%s (srtp_err_status %d); what was not replaced stays on libsrtp's own", what,
                 (int)s);
  else
    replaced = TRUE;
  return NULL;
}

gboolean
kaigi_srtp_crypto_init (GError **error)
{
  static GOnce once = G_ONCE_INIT;

  g_once (&once, replace_once, NULL);
  if (init_error) {
    g_propagate_error (error, g_error_copy (init_error));
    return FALSE;
  }
  return TRUE;
}

const char *
kaigi_srtp_crypto_name (void)
{
  return replaced ? "openssl" : "libsrtp";
}

guint
kaigi_srtp_crypto_keyed (void)
{
  return (guint)g_atomic_int_get (&streams_keyed);
}
