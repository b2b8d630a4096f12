/* test-http.c: the message-rate token bucket of the signalling socket. */
#include "http.h"

static void
test_burst_then_rate (void)
{
  KaigiTokenBucket b;
  gint64 t = 1000000;
  guint n = 0;

  kaigi_token_bucket_init (&b, 200, t);
  while (kaigi_token_bucket_take (&b, 50, 200, t))
    n++;
  g_assert_cmpuint (n, ==, 200);
  /* 100 ms later, 5 more at 50 per second. */
  t += 100000;
  n = 0;
  while (kaigi_token_bucket_take (&b, 50, 200, t))
    n++;
  g_assert_cmpuint (n, ==, 5);
  /* Idle for a minute: full again, never above the burst. */
  t += 60 * G_USEC_PER_SEC;
  n = 0;
  while (kaigi_token_bucket_take (&b, 50, 200, t))
    n++;
  g_assert_cmpuint (n, ==, 200);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/http/token-bucket", test_burst_then_rate);
  return g_test_run ();
}
