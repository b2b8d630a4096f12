/* srtp-pair.h: a libsrtp sender and receiver sharing one master key, for the SRTP test and
 * bench (tests/server/test-srtp-crypto.c, tests/bench/srtp-bench.c). Whichever ciphers
 * libsrtp's crypto kernel holds when they are made are theirs for good. */
#pragma once

#include <glib.h>
#include <srtp2/srtp.h>
#include <string.h>

typedef struct {
  srtp_t send, recv;
} SrtpPair;

/* @set: one of libsrtp's srtp_crypto_policy_set_* (RTP and RTCP alike); @key: the master key
 * and salt, as long as @set wants. */
static inline void
srtp_pair_make (SrtpPair *p, void (*set) (srtp_crypto_policy_t *), guint8 *key)
{
  srtp_policy_t policy;

  memset (&policy, 0, sizeof policy);
  set (&policy.rtp);
  set (&policy.rtcp);
  policy.key = key;
  policy.window_size = 1024;
  policy.ssrc.type = ssrc_any_outbound;
  if (srtp_create (&p->send, &policy) != srtp_err_status_ok)
    g_error ("srtp_create (sender) failed");
  policy.ssrc.type = ssrc_any_inbound;
  if (srtp_create (&p->recv, &policy) != srtp_err_status_ok)
    g_error ("srtp_create (receiver) failed");
}

static inline void
srtp_pair_free (SrtpPair *p)
{
  srtp_dealloc (p->send);
  srtp_dealloc (p->recv);
}
