/* vad.c: energy voice activity detection with an adaptive noise floor and hysteresis.
 *
 * Why energy and not a model: the audio reaching the server has been through the browser's
 * noise suppression and automatic gain (or a venue's mixing desk), so silence is far below
 * speech; what matters is to cut at pauses between sentences and not inside words. The noise
 * floor follows quiet frames quickly down and slowly up (2.5 dB a second), so a fan or a
 * hum raises it without speech ever being taken for noise. A frame is voiced when it is
 * 10 dB over the floor (and over -55 dBFS); three voiced frames in five start an utterance,
 * with 300 ms of audio before so the first consonant is kept; a pause of hangover_ms ends it,
 * keeping 200 ms after the last voiced frame. Plain data: one thread (vad.h). */
#define G_LOG_DOMAIN "kaigi-vad"

#include "vad.h"

#include <math.h>
#include <string.h>

#define FRAME 320 /* 20 ms */
#define FRAME_US 20000
#define PREROLL_FRAMES 15 /* 300 ms */
#define TAIL_FRAMES 10    /* 200 ms */
#define ONSET_WINDOW 5
#define ONSET_VOICED 3
#define OVER_NOISE_DB 10.0
#define MIN_SPEECH_DB -55.0
#define CUT_WINDOW 150 /* 3 s */

struct _KaigiVad {
  KaigiVadOptions opt;
  gint16 frame[FRAME]; /* the frame being filled */
  guint fill;
  gint64 frame_wall; /* wall clock of frame[0]; 0: no frame started */
  double noise;      /* dBFS */
  /* Idle: the last PREROLL_FRAMES frames (a ring), and which of the last ONSET_WINDOW
   * frames were voiced. */
  gint16 ring[PREROLL_FRAMES][FRAME];
  gint64 ring_wall[PREROLL_FRAMES];
  gboolean ring_voiced[PREROLL_FRAMES];
  double ring_db[PREROLL_FRAMES];
  guint ring_head, ring_count;
  /* Speaking. */
  GByteArray *speech;  /* NULL while idle */
  GArray *energy;      /* double dBFS of each frame in speech */
  gint64 speech_wall;  /* wall of speech[0] */
  gint64 first_voiced; /* wall of the first voiced frame */
  guint frames;        /* frames in speech */
  guint last_voiced;   /* index of the frame after the last voiced one */
  guint voiced;        /* voiced frames */
  guint64 serial;      /* of the utterance in progress (counted from 1) */
};

KaigiVad *
kaigi_vad_new (const KaigiVadOptions *options)
{
  KaigiVad *v = g_new0 (KaigiVad, 1);

  if (options)
    v->opt = *options;
  v->opt.hangover_ms = v->opt.hangover_ms ? v->opt.hangover_ms : 500;
  v->opt.max_ms = v->opt.max_ms ? v->opt.max_ms : 12000;
  v->opt.min_ms = v->opt.min_ms ? v->opt.min_ms : 250;
  v->noise = -60.0;
  v->energy = g_array_new (FALSE, FALSE, sizeof (double));
  return v;
}

void
kaigi_vad_free (KaigiVad *v)
{
  if (!v)
    return;
  if (v->speech)
    g_byte_array_unref (v->speech);
  g_array_unref (v->energy);
  g_free (v);
}

void
kaigi_vad_segment_free (KaigiVadSegment *s)
{
  if (!s)
    return;
  kaigi_asr_stream_close (s->stream);
  g_bytes_unref (s->samples);
  g_free (s);
}

double
kaigi_vad_noise_db (KaigiVad *v)
{
  return v->noise;
}

static double
frame_db (const gint16 *x)
{
  double sum = 0;

  for (guint i = 0; i < FRAME; i++)
    sum += (double)x[i] * x[i];
  sum /= (double)FRAME * 32768.0 * 32768.0;
  return sum > 1e-10 ? 10.0 * log10 (sum) : -100.0;
}

static void
learn_noise (KaigiVad *v, double db)
{
  if (db < v->noise)
    v->noise = 0.8 * v->noise + 0.2 * db;
  else
    v->noise += 0.05;
  v->noise = CLAMP (v->noise, -90.0, -25.0);
}

/* The utterance so far, trimmed to TAIL_FRAMES after its last voiced frame; NULL (and
 * nothing kept) if it had too little voice. Back to idle either way. */
static KaigiVadSegment *
finish (KaigiVad *v, gboolean cut)
{
  KaigiVadSegment *s = NULL;
  guint keep = cut ? v->frames : MIN (v->frames, v->last_voiced + TAIL_FRAMES);

  if (!v->speech)
    return NULL;
  if ((guint64)v->voiced * 20 >= v->opt.min_ms) {
    s = g_new0 (KaigiVadSegment, 1);
    g_byte_array_set_size (v->speech, (guint)keep * FRAME * sizeof (gint16));
    s->samples = g_byte_array_free_to_bytes (v->speech);
    s->audio_us = v->speech_wall;
    s->start_us = v->first_voiced;
    s->end_us = v->speech_wall + (gint64)(cut ? v->frames : v->last_voiced) * FRAME_US;
    s->cut = cut;
    s->serial = v->serial;
  } else {
    g_byte_array_unref (v->speech);
  }
  v->speech = NULL;
  v->ring_count = 0;
  return s;
}

static void
ring_push (KaigiVad *v, const gint16 *x, gint64 wall, gboolean voiced, double db)
{
  guint at = (v->ring_head + v->ring_count) % PREROLL_FRAMES;

  if (v->ring_count == PREROLL_FRAMES) {
    at = v->ring_head;
    v->ring_head = (v->ring_head + 1) % PREROLL_FRAMES;
  } else {
    v->ring_count++;
  }
  memcpy (v->ring[at], x, sizeof v->ring[at]);
  v->ring_wall[at] = wall;
  v->ring_voiced[at] = voiced;
  v->ring_db[at] = db;
}

static gboolean
onset (KaigiVad *v)
{
  guint n = 0;

  for (guint i = 0; i < MIN (v->ring_count, ONSET_WINDOW); i++)
    n += v->ring_voiced[(v->ring_head + v->ring_count - 1 - i) % PREROLL_FRAMES];
  return n >= ONSET_VOICED;
}

/* Starts an utterance with the ring's frames (the lead-in and the onset). */
static void
begin (KaigiVad *v)
{
  v->speech = g_byte_array_sized_new (FRAME * sizeof (gint16) * 250);
  v->serial++;
  v->frames = v->voiced = v->last_voiced = 0;
  v->first_voiced = 0;
  g_array_set_size (v->energy, 0);
  for (guint i = 0; i < v->ring_count; i++) {
    guint at = (v->ring_head + i) % PREROLL_FRAMES;
    if (i == 0)
      v->speech_wall = v->ring_wall[at];
    g_byte_array_append (v->speech, (const guint8 *)v->ring[at], sizeof v->ring[at]);
    g_array_append_val (v->energy, v->ring_db[at]);
    v->frames++;
    if (v->ring_voiced[at]) {
      if (!v->first_voiced)
        v->first_voiced = v->ring_wall[at];
      v->voiced++;
      v->last_voiced = v->frames;
    }
  }
  v->ring_count = 0;
}

static void cut (KaigiVad *v, GPtrArray *out);

static void
frame_done (KaigiVad *v, GPtrArray *out)
{
  double db = frame_db (v->frame);
  gboolean voiced = db > MAX (v->noise + OVER_NOISE_DB, MIN_SPEECH_DB);

  if (!v->speech) {
    if (!voiced)
      learn_noise (v, db);
    ring_push (v, v->frame, v->frame_wall, voiced, db);
    if (onset (v))
      begin (v);
    return;
  }
  g_byte_array_append (v->speech, (const guint8 *)v->frame, sizeof v->frame);
  g_array_append_val (v->energy, db);
  v->frames++;
  if (voiced) {
    v->voiced++;
    v->last_voiced = v->frames;
  }
  if ((guint64)(v->frames - v->last_voiced) * 20 >= v->opt.hangover_ms) {
    KaigiVadSegment *s = finish (v, FALSE);
    if (s)
      g_ptr_array_add (out, s);
  } else if ((guint64)v->frames * 20 >= v->opt.max_ms) {
    cut (v, out);
  }
}

/* An utterance too long for a caption: cut at the quietest frame of its last CUT_WINDOW
 * frames (a breath between phrases, most often), and go on with the rest. */
static void
cut (KaigiVad *v, GPtrArray *out)
{
  guint from = v->frames > CUT_WINDOW ? v->frames - CUT_WINDOW : 1;
  guint at = v->frames;
  double quietest = G_MAXDOUBLE;
  gsize frame_bytes = FRAME * sizeof (gint16);
  g_autoptr (GByteArray) rest = g_byte_array_new ();
  g_autoptr (GArray) rest_db = g_array_new (FALSE, FALSE, sizeof (double));
  KaigiVadSegment *s;
  gint64 rest_wall;

  for (guint i = from; i < v->frames; i++) {
    double db = g_array_index (v->energy, double, i);
    if (db < quietest) {
      quietest = db;
      at = i;
    }
  }
  g_byte_array_append (rest, v->speech->data + (gsize)at * frame_bytes,
                       (gsize)(v->frames - at) * frame_bytes);
  g_array_append_vals (rest_db, &g_array_index (v->energy, double, at), v->frames - at);
  rest_wall = v->speech_wall + (gint64)at * FRAME_US;
  g_byte_array_set_size (v->speech, (guint)((gsize)at * frame_bytes));
  v->frames = at;
  v->last_voiced = MIN (v->last_voiced, at);
  s = finish (v, TRUE);
  if (s)
    g_ptr_array_add (out, s);
  /* The rest starts the next part at once, as speech. */
  v->speech = g_byte_array_sized_new (frame_bytes * 250);
  v->serial++;
  g_byte_array_append (v->speech, rest->data, rest->len);
  g_array_set_size (v->energy, 0);
  g_array_append_vals (v->energy, rest_db->data, rest_db->len);
  v->speech_wall = v->first_voiced = rest_wall;
  v->frames = v->voiced = v->last_voiced = rest_db->len;
}

GPtrArray *
kaigi_vad_push (KaigiVad *v, const gint16 *x, gsize n, gint64 wall_us)
{
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify)kaigi_vad_segment_free);
  gint64 expected = v->frame_wall + (gint64)v->fill * 1000000 / KAIGI_VAD_RATE;

  if (v->frame_wall && llabs (wall_us - expected) > (gint64)v->opt.hangover_ms * 1000) {
    KaigiVadSegment *s = finish (v, FALSE);
    if (s)
      g_ptr_array_add (out, s);
    v->fill = 0;
    v->ring_count = 0;
  }
  if (v->fill == 0)
    v->frame_wall = wall_us;
  for (gsize i = 0; i < n;) {
    guint take = MIN (FRAME - v->fill, n - i);
    memcpy (v->frame + v->fill, x + i, take * sizeof (gint16));
    v->fill += take;
    i += take;
    if (v->fill < FRAME)
      break;
    frame_done (v, out);
    v->fill = 0;
    v->frame_wall = wall_us + (gint64)i * 1000000 / KAIGI_VAD_RATE;
  }
  return out;
}

const gint16 *
kaigi_vad_current (KaigiVad *v, gsize *n, guint64 *serial)
{
  if (!v->speech) {
    *n = 0;
    return NULL;
  }
  *n = v->speech->len / sizeof (gint16);
  *serial = v->serial;
  return (const gint16 *)v->speech->data;
}

KaigiVadSegment *
kaigi_vad_flush (KaigiVad *v)
{
  KaigiVadSegment *s = finish (v, FALSE);

  v->fill = 0;
  v->frame_wall = 0;
  return s;
}
