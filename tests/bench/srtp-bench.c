/* srtp-bench.c: CPU time per SRTP packet, libsrtp's own ciphers (Debian's: NSS) against
 * kaigi's on OpenSSL (media/srtp-crypto.h), in one run: figures, not a test.
 *
 *   build/tests/srtp-bench [PACKETS]     (default 200000 per figure)
 *
 * For each payload size (a VP8 packet's 1200 octets, an Opus packet's 100), protect and
 * unprotect AES_CM_128_HMAC_SHA1_80 RTP packets, alternating the two implementations in three
 * rounds (the machine is shared: the best round of each is printed). Sessions made before
 * kaigi_srtp_crypto_init keep libsrtp's own, so both live in one process. */
#include <srtp2/srtp.h>
#include <stdio.h>
#include <string.h>

#include "../server/srtp-pair.h"
#include "media/srtp-crypto.h"

/* µs per packet: [0] protect, [1] unprotect. Sequence numbers go on from *seq. */
static void
run (SrtpPair *p, guint n, int payload, guint32 *seq, double us[2])
{
  guint8 buf[12 + 1500 + SRTP_MAX_TRAILER_LEN];
  gint64 t0, t1, t_protect = 0, t_unprotect = 0;

  memset (buf, 0xa5, sizeof buf);
  for (guint i = 0; i < n; i++, (*seq)++) {
    int len = 12 + payload;
    buf[0] = 0x80, buf[1] = 96, buf[2] = (*seq >> 8) & 0xff, buf[3] = *seq & 0xff;
    buf[8] = 0x12, buf[9] = 0x34, buf[10] = 0x56, buf[11] = 0x78;
    t0 = g_get_monotonic_time ();
    if (srtp_protect (p->send, buf, &len))
      g_error ("srtp_protect");
    t1 = g_get_monotonic_time ();
    if (srtp_unprotect (p->recv, buf, &len))
      g_error ("srtp_unprotect");
    t_unprotect += g_get_monotonic_time () - t1;
    t_protect += t1 - t0;
  }
  us[0] = (double)t_protect / n;
  us[1] = (double)t_unprotect / n;
}

int
main (int argc, char **argv)
{
  guint n = argc > 1 ? (guint)g_ascii_strtoull (argv[1], NULL, 10) : 200000;
  guint8 key[30];
  SrtpPair libsrtp, ours;
  guint32 seq_a = 0, seq_b = 0;
  const int sizes[] = { 1200, 100 };
  g_autoptr (GError) error = NULL;

  if (n < 1000 || n > 10000000) {
    g_printerr ("srtp-bench: PACKETS from 1000 to 10000000\n");
    return 2;
  }
  g_unsetenv ("KAIGI_SRTP_CRYPTO");
  for (guint i = 0; i < sizeof key; i++)
    key[i] = (guint8)g_random_int ();
  if (srtp_init ())
    g_error ("srtp_init");
  srtp_pair_make (&libsrtp, srtp_crypto_policy_set_rtp_default, key);
  if (!kaigi_srtp_crypto_init (&error))
    g_error ("%s", error->message);
  srtp_pair_make (&ours, srtp_crypto_policy_set_rtp_default, key);

  printf ("SRTP AES_CM_128_HMAC_SHA1_80, %u packets a round, best of 3 rounds, µs per packet (one "
          "busy thread)\n",
          n);
  printf (
      "payload  libsrtp protect  ours protect  ratio   libsrtp unprotect  ours unprotect  ratio\n");
  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++) {
    double best_a[2] = { 1e9, 1e9 }, best_b[2] = { 1e9, 1e9 }, us[2];
    for (int round = 0; round < 3; round++) {
      run (&libsrtp, n, sizes[s], &seq_a, us);
      best_a[0] = MIN (best_a[0], us[0]), best_a[1] = MIN (best_a[1], us[1]);
      run (&ours, n, sizes[s], &seq_b, us);
      best_b[0] = MIN (best_b[0], us[0]), best_b[1] = MIN (best_b[1], us[1]);
    }
    printf ("%7d  %15.3f  %12.3f  %5.1f  %17.3f  %14.3f  %5.1f\n", sizes[s], best_a[0], best_b[0],
            best_a[0] / best_b[0], best_a[1], best_b[1], best_a[1] / best_b[1]);
  }
  srtp_pair_free (&libsrtp);
  srtp_pair_free (&ours);
  return 0;
}
