/* test-srtp-crypto.c: kaigi_srtp_crypto_init (media/srtp-crypto.h) puts SRTP's ciphers on
 * OpenSSL without changing a byte on the wire: the same packets through libsrtp's own (made
 * before the call) and through ours (after it) come out the same, each side reads the other's,
 * a changed byte is refused; GStreamer's srtpenc and srtpdec use ours; and
 * KAIGI_SRTP_CRYPTO=libsrtp leaves libsrtp's own in place. */
#include <gst/check/gstharness.h>
#include <gst/gst.h>
#include <srtp2/srtp.h>
#include <string.h>

#include "media/srtp-crypto.h"
#include "srtp-pair.h"

#define RTP_HEADER 12
#define MAX_PAYLOAD 1400

typedef struct {
  const char *name;
  void (*set) (srtp_crypto_policy_t *p);
  int key_len; /* master key and salt */
} Suite;

static const Suite suites[] = {
  { "AES_CM_128_HMAC_SHA1_80", srtp_crypto_policy_set_rtp_default, 30 },
  { "AES_CM_128_HMAC_SHA1_32", srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32, 30 },
  { "AES_CM_256_HMAC_SHA1_80", srtp_crypto_policy_set_aes_cm_256_hmac_sha1_80, 46 },
};

/* An RTP packet (or, for rtcp, a sender report's header) with a random payload. */
static int
make_packet (guint8 *buf, gboolean rtcp, guint16 seq, int payload)
{
  memset (buf, 0, RTP_HEADER);
  if (rtcp) {
    buf[0] = 0x80, buf[1] = 200; /* SR */
    buf[3] = (guint8)((RTP_HEADER + payload) / 4 - 1);
  } else {
    buf[0] = 0x80, buf[1] = 96;
    buf[2] = seq >> 8, buf[3] = seq & 0xff;
    buf[4] = (guint8)(seq >> 3); /* a timestamp */
  }
  buf[8] = 0x12, buf[9] = 0x34, buf[10] = 0x56, buf[11] = 0x78; /* RTP: SSRC; SR: sender SSRC */
  if (rtcp) {
    memmove (buf + 4, buf + 8, 4);
    for (int i = 8; i < RTP_HEADER; i++)
      buf[i] = (guint8)g_test_rand_int ();
  }
  for (int i = 0; i < payload; i++)
    buf[RTP_HEADER + i] = (guint8)g_test_rand_int ();
  return RTP_HEADER + payload;
}

static srtp_err_status_t
protect (srtp_t s, gboolean rtcp, guint8 *buf, int *len)
{
  return rtcp ? srtp_protect_rtcp (s, buf, len) : srtp_protect (s, buf, len);
}

static srtp_err_status_t
unprotect (srtp_t s, gboolean rtcp, guint8 *buf, int *len)
{
  return rtcp ? srtp_unprotect_rtcp (s, buf, len) : srtp_unprotect (s, buf, len);
}

/* Runs @n packets through both senders and checks the bytes, and each receiver reads the other
 * sender's packets. Sequence numbers wrap (the rollover counter goes into the IV). */
static void
compare (const Suite *s, SrtpPair *theirs, SrtpPair *ours, gboolean rtcp, guint n)
{
  guint8 plain[RTP_HEADER + MAX_PAYLOAD + SRTP_MAX_TRAILER_LEN];
  guint8 a[sizeof plain], b[sizeof plain];

  for (guint i = 0; i < n; i++) {
    guint16 seq = (guint16)(65000 + i);
    /* Lengths from 0 to MAX_PAYLOAD, some not a multiple of the AES block. */
    int payload = i % 7 == 0 ? (int)(i % 17) : g_test_rand_int_range (0, MAX_PAYLOAD + 1);
    int len = make_packet (plain, rtcp, seq, rtcp ? payload & ~3 : payload);
    int la = len, lb = len, lr;

    memcpy (a, plain, len);
    memcpy (b, plain, len);
    g_assert_cmpint (protect (theirs->send, rtcp, a, &la), ==, srtp_err_status_ok);
    g_assert_cmpint (protect (ours->send, rtcp, b, &lb), ==, srtp_err_status_ok);
    g_assert_cmpint (la, ==, lb);
    g_assert_cmpint (la, >, len);
    if (memcmp (a, b, la) != 0)
      g_error ("%s %s packet %u (%d octets): libsrtp's and ours differ", s->name,
               rtcp ? "RTCP" : "RTP", i, len);
    if (len > RTP_HEADER + 16)
      g_assert_true (memcmp (a + RTP_HEADER, plain + RTP_HEADER, 16) != 0); /* encrypted */

    /* A changed byte (of the payload, or of the tag when there is none) is refused, by both;
     * a refused packet does not count as received. */
    if (i % 10 == 0) {
      guint8 t[sizeof plain];
      int at = len > RTP_HEADER + 8 ? RTP_HEADER + 8 : la - 1;

      memcpy (t, a, la);
      t[at] ^= 0x01;
      lr = la;
      g_assert_cmpint (unprotect (ours->recv, rtcp, t, &lr), ==, srtp_err_status_auth_fail);
      memcpy (t, b, lb);
      t[at] ^= 0x80;
      lr = lb;
      g_assert_cmpint (unprotect (theirs->recv, rtcp, t, &lr), ==, srtp_err_status_auth_fail);
    }

    /* Each reads the other's. */
    lr = la;
    g_assert_cmpint (unprotect (ours->recv, rtcp, a, &lr), ==, srtp_err_status_ok);
    g_assert_cmpint (lr, ==, len);
    g_assert_cmpmem (a, lr, plain, len);
    lr = lb;
    g_assert_cmpint (unprotect (theirs->recv, rtcp, b, &lr), ==, srtp_err_status_ok);
    g_assert_cmpmem (b, lr, plain, len);
  }
}

static void
test_same_as_libsrtp (void)
{
  SrtpPair theirs[G_N_ELEMENTS (suites)], ours[G_N_ELEMENTS (suites)];
  guint8 keys[G_N_ELEMENTS (suites)][46];
  guint before;
  g_autoptr (GError) error = NULL;

  g_assert_cmpint (srtp_init (), ==, srtp_err_status_ok);
  before = kaigi_srtp_crypto_keyed ();
  for (guint k = 0; k < G_N_ELEMENTS (suites); k++) {
    for (int i = 0; i < suites[k].key_len; i++)
      keys[k][i] = (guint8)g_test_rand_int ();
    srtp_pair_make (&theirs[k], suites[k].set, keys[k]);
  }
  /* Made before the call: none of ours was keyed, these are libsrtp's own. */
  g_assert_cmpuint (kaigi_srtp_crypto_keyed (), ==, before);
  g_assert_cmpstr (kaigi_srtp_crypto_name (), ==, "libsrtp");

  kaigi_srtp_crypto_init (&error);
  g_assert_no_error (error);
  g_assert_cmpstr (kaigi_srtp_crypto_name (), ==, "openssl");
  g_assert_true (kaigi_srtp_crypto_init (NULL)); /* once */

  for (guint k = 0; k < G_N_ELEMENTS (suites); k++) {
    guint keyed = kaigi_srtp_crypto_keyed ();
    srtp_pair_make (&ours[k], suites[k].set, keys[k]);
    /* Ours this time: the ciphers and MACs of both sessions (keyed lazily per stream for the
     * receiver: at least the sender's). */
    g_assert_cmpuint (kaigi_srtp_crypto_keyed (), >, keyed);
    compare (&suites[k], &theirs[k], &ours[k], FALSE, 1200);
    compare (&suites[k], &theirs[k], &ours[k], TRUE, 300);
    srtp_pair_free (&theirs[k]);
    srtp_pair_free (&ours[k]);
  }
}

/* srtpenc -> srtpdec, the elements webrtcbin's transport uses, on ours. */
static void
test_gstreamer_elements (void)
{
  GstHarness *enc, *dec;
  guint8 key[30];
  g_autoptr (GstBuffer) key_buf = NULL;
  g_autofree char *caps = NULL;
  guint keyed;

  g_assert_true (kaigi_srtp_crypto_init (NULL));
  for (guint i = 0; i < sizeof key; i++)
    key[i] = (guint8)g_test_rand_int ();
  key_buf = gst_buffer_new_memdup (key, sizeof key);
  keyed = kaigi_srtp_crypto_keyed ();

  {
    GstElement *e = gst_element_factory_make ("srtpenc", NULL);
    g_object_set (e, "key", key_buf, NULL);
    gst_util_set_object_arg (G_OBJECT (e), "rtp-cipher", "aes-128-icm");
    gst_util_set_object_arg (G_OBJECT (e), "rtp-auth", "hmac-sha1-80");
    gst_util_set_object_arg (G_OBJECT (e), "rtcp-cipher", "aes-128-icm");
    gst_util_set_object_arg (G_OBJECT (e), "rtcp-auth", "hmac-sha1-80");
    enc = gst_harness_new_with_element (e, "rtp_sink_0", "rtp_src_0");
    gst_object_unref (e);
  }
  gst_harness_set_src_caps_str (enc, "application/x-rtp, ssrc=(uint)305419896");

  dec = gst_harness_new_with_padnames ("srtpdec", "rtp_sink", "rtp_src");
  {
    g_autoptr (GstCaps) c = gst_caps_from_string (
        "application/x-srtp, ssrc=(uint)305419896, srtp-cipher=(string)aes-128-icm, "
        "srtp-auth=(string)hmac-sha1-80, srtcp-cipher=(string)aes-128-icm, "
        "srtcp-auth=(string)hmac-sha1-80");
    gst_caps_set_simple (c, "srtp-key", GST_TYPE_BUFFER, key_buf, NULL);
    caps = gst_caps_to_string (c);
    gst_harness_set_src_caps_str (dec, caps);
  }

  for (guint i = 0; i < 50; i++) {
    guint8 plain[RTP_HEADER + MAX_PAYLOAD];
    int len = make_packet (plain, FALSE, (guint16)(100 + i), g_test_rand_int_range (1, 1200));
    GstBuffer *out, *back;
    GstMapInfo m;

    g_assert_cmpint (gst_harness_push (enc, gst_buffer_new_memdup (plain, len)), ==, GST_FLOW_OK);
    out = gst_harness_pull (enc);
    g_assert_nonnull (out);
    g_assert_cmpuint (gst_buffer_get_size (out), ==, len + 10); /* the 80-bit tag */
    g_assert_cmpint (gst_harness_push (dec, out), ==, GST_FLOW_OK);
    back = gst_harness_pull (dec);
    g_assert_nonnull (back);
    gst_buffer_map (back, &m, GST_MAP_READ);
    g_assert_cmpmem (m.data, m.size, plain, len);
    gst_buffer_unmap (back, &m);
    gst_buffer_unref (back);
  }
  /* The elements' streams were keyed by ours. */
  g_assert_cmpuint (kaigi_srtp_crypto_keyed (), >, keyed);
  gst_harness_teardown (dec);
  gst_harness_teardown (enc);
}

/* KAIGI_SRTP_CRYPTO=libsrtp: nothing replaced, streams keep libsrtp's own (a process of its own:
 * the choice is made once). */
static void
test_env_keeps_libsrtp (void)
{
  if (g_test_subprocess ()) {
    SrtpPair p;
    guint8 key[30] = { 1, 2, 3 };

    g_setenv ("KAIGI_SRTP_CRYPTO", "libsrtp", TRUE);
    g_assert_true (kaigi_srtp_crypto_init (NULL));
    g_assert_cmpstr (kaigi_srtp_crypto_name (), ==, "libsrtp");
    g_assert_cmpint (srtp_init (), ==, srtp_err_status_ok);
    srtp_pair_make (&p, suites[0].set, key);
    g_assert_cmpuint (kaigi_srtp_crypto_keyed (), ==, 0);
    srtp_pair_free (&p);
    return;
  }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  g_unsetenv ("KAIGI_SRTP_CRYPTO");
  /* In this order: the first makes libsrtp's own sessions before replacing them. */
  g_test_add_func ("/srtp-crypto/same-as-libsrtp", test_same_as_libsrtp);
  g_test_add_func ("/srtp-crypto/gstreamer-elements", test_gstreamer_elements);
  g_test_add_func ("/srtp-crypto/env-keeps-libsrtp", test_env_keeps_libsrtp);
  return g_test_run ();
}
