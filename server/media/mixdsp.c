/* mixdsp.c: limiter, level and voice state of the mix-minus mixer (see mixdsp.h).
 *
 * Why floats in the limiter: the gain is a smooth envelope between 0 and 1, and one
 * multiply per sample is cheap; the sums themselves stay exact in 32-bit integers, so that a
 * listener's mix is exactly the total minus their own input whenever nothing is limited.
 * Thread: the caller's (the mixer's aggregate thread). */
#include "mixdsp.h"

#include <math.h>

/* 1 - exp (-1 / (100 ms * 48000 Hz)): the release's step toward unity gain per sample. */
#define RELEASE_STEP 2.0831e-4f
/* Closer than this to 1, the gain is 1 (the release would otherwise creep forever). */
#define UNITY 0.99999f
/* 20 ms at 48 kHz: the gain holds this long after a peak before it recovers. */
#define HOLD_SAMPLES 960

void
kaigi_limiter_init (KaigiLimiter *lim)
{
  lim->gain = 1.0f;
  lim->hold = 0;
}

void
kaigi_limiter_run (KaigiLimiter *lim, const gint32 *a, const gint16 *b, gint16 *out, guint n)
{
  float g = lim->gain;
  guint hold = lim->hold;

  for (guint i = 0; i < n; i++) {
    gint32 x = a[i] - (b ? b[i] : 0);
    gint32 ax = x < 0 ? -x : x;

    if (g == 1.0f && ax <= KAIGI_MIX_CEILING) {
      out[i] = (gint16)x; /* the common case: nothing to limit, exact */
      continue;
    }
    if ((float)ax * g > KAIGI_MIX_CEILING) {
      g = (float)KAIGI_MIX_CEILING / (float)ax; /* attack: at once */
      hold = HOLD_SAMPLES;
    }
    out[i] = (gint16)((float)x * g); /* truncates toward 0: never above the ceiling */
    if (hold > 0)
      hold--;
    else if ((g += (1.0f - g) * RELEASE_STEP) > UNITY)
      g = 1.0f;
  }
  lim->gain = g;
  lim->hold = hold;
}

double
kaigi_mix_level_db (const gint16 *s, guint n)
{
  gint64 sum = 0;

  for (guint i = 0; i < n; i++)
    sum += (gint32)s[i] * s[i];
  if (sum == 0 || n == 0)
    return KAIGI_MIX_FLOOR_DB;
  return MAX (KAIGI_MIX_FLOOR_DB, 10.0 * log10 ((double)sum / n / (32768.0 * 32768.0)));
}

void
kaigi_voice_init (KaigiVoice *v)
{
  *v = (KaigiVoice){ .quiet_ms = KAIGI_VOICE_HANGOVER_MS };
}

gboolean
kaigi_voice_update (KaigiVoice *v, double level_db, guint period_ms)
{
  /* Capped at their thresholds: only reaching them matters, and a long meeting must not wrap. */
  v->above_ms = level_db > KAIGI_VOICE_ON_DB ? MIN (v->above_ms + period_ms, KAIGI_VOICE_ON_MS) : 0;
  v->below_ms
      = level_db < KAIGI_VOICE_OFF_DB ? MIN (v->below_ms + period_ms, KAIGI_VOICE_OFF_MS) : 0;
  v->quiet_ms = level_db < KAIGI_VOICE_SILENT_DB
                    ? MIN (v->quiet_ms + period_ms, KAIGI_VOICE_HANGOVER_MS)
                    : 0;
  if (!v->speaking && v->above_ms >= KAIGI_VOICE_ON_MS) {
    v->speaking = TRUE;
    return TRUE;
  }
  if (v->speaking && v->below_ms >= KAIGI_VOICE_OFF_MS) {
    v->speaking = FALSE;
    return TRUE;
  }
  return FALSE;
}

gboolean
kaigi_voice_silent (const KaigiVoice *v)
{
  return v->quiet_ms >= KAIGI_VOICE_HANGOVER_MS;
}
