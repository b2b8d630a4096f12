/* vad.h: voice activity detection that cuts one speaker's audio into utterances.
 *
 * Feed it 16 kHz mono S16 samples with the wall-clock time of the first sample; it returns an
 * utterance each time one ends: the speech with a little audio before and after, the wall
 * time speech began and ended (without the padding). Plain data, no threads of its own: one
 * KaigiVad belongs to one thread (the streaming thread of the speaker's audio). */
#pragma once

#include <glib.h>

#include "asr.h"

G_BEGIN_DECLS

#define KAIGI_VAD_RATE 16000

typedef struct _KaigiVad KaigiVad;

typedef struct {
  GBytes *samples; /* owned: S16 native-endian, 16 kHz mono, with the padding */
  gint64 start_us; /* wall clock of the first voiced frame */
  gint64 end_us;   /* wall clock of the end of the last voiced frame */
  gint64 audio_us; /* wall clock of samples[0] (start_us less the lead-in) */
  gboolean cut;    /* ended by the length limit, not by a pause */
  guint64 serial;  /* the utterance's number in this detector (kaigi_vad_current) */
  /* Nullable, owned (closed with the segment): the recognition of these samples begun while
   * they were spoken (kaigi_asr_stream_begin); set by whoever streamed them. */
  KaigiAsrStream *stream;
} KaigiVadSegment;

typedef struct {
  guint hangover_ms; /* a pause this long ends an utterance (0: 500) */
  guint max_ms;      /* an utterance is cut near this length, at its quietest frame (0: 12000) */
  guint min_ms;      /* voiced time below this is a click or a cough (0: 250) */
} KaigiVadOptions;

KaigiVad *kaigi_vad_new (const KaigiVadOptions *options);
void kaigi_vad_free (KaigiVad *vad);
/* Appends @n samples, the first at @wall_us. Returns the utterances that ended (may be an
 * empty array; never NULL), KaigiVadSegment * owned by the array. A jump in @wall_us of more
 * than a pause (a stream that stopped and came back) ends the utterance in progress. */
GPtrArray *kaigi_vad_push (KaigiVad *vad, const gint16 *samples, gsize n, gint64 wall_us);
/* The samples of the utterance in progress so far (from its lead-in: what its segment's
 * samples will start with), valid until the next call; NULL when there is none. @serial: its
 * number, which its segment will carry (a new one after a cut). */
const gint16 *kaigi_vad_current (KaigiVad *vad, gsize *n, guint64 *serial);
/* The utterance in progress, if any (the stream ended); NULL otherwise. */
KaigiVadSegment *kaigi_vad_flush (KaigiVad *vad);
void kaigi_vad_segment_free (KaigiVadSegment *segment);
/* The noise floor the detector has learnt, in dBFS (for logs and tests). */
double kaigi_vad_noise_db (KaigiVad *vad);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KaigiVad, kaigi_vad_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (KaigiVadSegment, kaigi_vad_segment_free)

G_END_DECLS
