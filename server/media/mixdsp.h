/* mixdsp.h: the sample arithmetic of the mix-minus mixer (media/mixminus.c): the limiter,
 * the level of a period, and the voice state of one input (speaking, silent).
 *
 * Plain C on 48 kHz mono samples, no GStreamer, so that it is tested and benchmarked on its
 * own. Thread: whichever calls it (the mixer's aggregate thread); no shared state. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* -1 dBFS: the limiter's ceiling. Opus and resamplers overshoot a little at full scale. */
#define KAIGI_MIX_CEILING 29204
/* What the level of digital silence reads (instead of -infinity). */
#define KAIGI_MIX_FLOOR_DB (-120.0)

/* Speaking: above ON_DB for ON_MS starts, below OFF_DB for OFF_MS stops. The gap between the
 * two thresholds and the long release keep a speaker from flickering between words (pauses
 * of 300-500 ms are common in council speech), while a cough (< 200 ms) does not count. */
#define KAIGI_VOICE_ON_DB (-40.0)
#define KAIGI_VOICE_ON_MS 200
#define KAIGI_VOICE_OFF_DB (-50.0)
#define KAIGI_VOICE_OFF_MS 600
/* Silent (shares the total mix): below SILENT_DB for HANGOVER_MS. Any louder period ends
 * silence at once, so nobody ever hears their own voice; the hangover keeps the tail of a
 * word subtracted and stops a quiet talker flapping between shared and own mix. */
#define KAIGI_VOICE_SILENT_DB (-60.0)
#define KAIGI_VOICE_HANGOVER_MS 300

/* A peak limiter without look-ahead (it adds no latency): instant attack, 20 ms hold,
 * exponential release. The gain drops at once so that the sample just reaches the ceiling,
 * stays there 20 ms after the last peak that needed it (longer than one wave of a voice's
 * fundamental, so the gain does not ripple between the peaks of one vowel), then recovers
 * toward 1 with a 100 ms time constant. The signal is scaled, not clipped: only the rising
 * edge of a peak that needs more reduction is held at the ceiling (a few samples); the
 * waves after it pass scaled down whole. */
typedef struct {
  float gain; /* 1 = untouched */
  guint hold; /* samples before the release starts */
} KaigiLimiter;

void kaigi_limiter_init (KaigiLimiter *lim);
/* out[i] = limit (a[i] - b[i]); @b may be NULL (nothing subtracted). */
void kaigi_limiter_run (KaigiLimiter *lim, const gint32 *a, const gint16 *b, gint16 *out, guint n);

/* RMS level of @n samples in dBFS (a full-scale square wave reads 0), KAIGI_MIX_FLOOR_DB for
 * digital silence. */
double kaigi_mix_level_db (const gint16 *s, guint n);

typedef struct {
  gboolean speaking;
  guint above_ms; /* time above KAIGI_VOICE_ON_DB without a break */
  guint below_ms; /* time below KAIGI_VOICE_OFF_DB without a break */
  guint quiet_ms; /* time below KAIGI_VOICE_SILENT_DB without a break, capped */
} KaigiVoice;

/* A new input: silent, not speaking. */
void kaigi_voice_init (KaigiVoice *v);
/* Feeds the level of the next @period_ms; TRUE when `speaking` changed. */
gboolean kaigi_voice_update (KaigiVoice *v, double level_db, guint period_ms);
/* TRUE while the input counts as silent: its listener may receive the total mix. */
gboolean kaigi_voice_silent (const KaigiVoice *v);

G_END_DECLS
