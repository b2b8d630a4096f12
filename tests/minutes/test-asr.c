/* test-asr.c: voice activity detection on known signals and on real speech, and every
 * recognition engine: PocketSphinx for real on flite speech, an external command (the real
 * pocketsphinx_continuous), the spool that survives a stopped service, and the whisper.cpp and
 * Vosk server protocols against servers in this process that check what they receive (the
 * real servers and their models are not packaged in Debian). */
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "asr.h"
#include "kaigi-error.h"
#include "vad.h"

#define RATE KAIGI_VAD_RATE

/* ---- signals ---- */

/* Speech-like: a 180 Hz tone with its harmonics, loudness varying like syllables. */
static void
voice (GArray *a, double seconds)
{
  guint n = seconds * RATE;

  for (guint i = 0; i < n; i++) {
    double t = (double)i / RATE;
    double env = 0.55 + 0.45 * sin (2 * G_PI * 4 * t);
    double s = sin (2 * G_PI * 180 * t) + 0.5 * sin (2 * G_PI * 360 * t)
               + 0.25 * sin (2 * G_PI * 720 * t);
    gint16 v = (gint16)(6000 * env * s);
    g_array_append_val (a, v);
  }
}

static void
hush (GArray *a, double seconds)
{
  guint n = seconds * RATE;

  for (guint i = 0; i < n; i++) {
    gint16 v = g_random_int_range (-30, 31); /* -60 dBFS of noise */
    g_array_append_val (a, v);
  }
}

/* Pushes @a in 10 ms buffers from wall time @t0; returns every segment. */
static GPtrArray *
run_vad (KaigiVad *v, GArray *a, gint64 t0)
{
  GPtrArray *all = g_ptr_array_new_with_free_func ((GDestroyNotify)kaigi_vad_segment_free);

  for (guint at = 0; at < a->len; at += 160) {
    g_autoptr (GPtrArray) out
        = kaigi_vad_push (v, &g_array_index (a, gint16, at), MIN (160, a->len - at),
                          t0 + (gint64)at * 1000000 / RATE);
    for (guint i = 0; i < out->len; i++)
      g_ptr_array_add (all, g_steal_pointer (&out->pdata[i]));
  }
  KaigiVadSegment *last = kaigi_vad_flush (v);
  if (last)
    g_ptr_array_add (all, last);
  return all;
}

#define T0 1700000000000000

static void
assert_near_ms (gint64 got_us, gint64 want_us, gint64 ms)
{
  if (llabs (got_us - want_us) > ms * 1000)
    g_error ("time %" G_GINT64_FORMAT " µs is %" G_GINT64_FORMAT " ms from %" G_GINT64_FORMAT,
             got_us, (got_us - want_us) / 1000, want_us);
}

static void
test_vad_segments (void)
{
  g_autoptr (GArray) a = g_array_new (FALSE, FALSE, sizeof (gint16));
  g_autoptr (KaigiVad) v = kaigi_vad_new (NULL);
  g_autoptr (GPtrArray) segs = NULL;
  KaigiVadSegment *s;

  hush (a, 1.0);
  voice (a, 1.5); /* 1.0 - 2.5 */
  hush (a, 0.3);  /* a pause inside a sentence: not an end */
  voice (a, 0.5); /* 2.8 - 3.3 */
  hush (a, 1.5);
  voice (a, 0.06); /* a click: not speech */
  hush (a, 1.5);
  voice (a, 2.0); /* 6.36 - 8.36 */
  hush (a, 1.0);
  segs = run_vad (v, a, T0);
  g_assert_cmpuint (segs->len, ==, 2);
  s = segs->pdata[0];
  assert_near_ms (s->start_us, T0 + 1000000, 60);
  assert_near_ms (s->end_us, T0 + 3300000, 60);
  g_assert_false (s->cut);
  /* 300 ms before and 200 ms after the speech are kept. */
  assert_near_ms (s->audio_us, T0 + 1000000 - 300000, 80);
  assert_near_ms (s->audio_us + (gint64)g_bytes_get_size (s->samples) / 2 * 1000000 / RATE,
                  T0 + 3300000 + 200000, 60);
  s = segs->pdata[1];
  assert_near_ms (s->start_us, T0 + 6360000, 60);
  assert_near_ms (s->end_us, T0 + 8360000, 60);
  g_assert_cmpfloat (kaigi_vad_noise_db (v), <, -50);
}

static void
test_vad_long_and_gaps (void)
{
  g_autoptr (GArray) a = g_array_new (FALSE, FALSE, sizeof (gint16));
  g_autoptr (GArray) b = g_array_new (FALSE, FALSE, sizeof (gint16));
  KaigiVadOptions o = { .max_ms = 5000 };
  g_autoptr (KaigiVad) v = kaigi_vad_new (&o);
  g_autoptr (GPtrArray) segs = NULL;
  g_autoptr (GPtrArray) more = NULL;
  gsize total = 0;

  hush (a, 0.5);
  voice (a, 12.0);
  hush (a, 1.0);
  segs = run_vad (v, a, T0);
  /* 12 s of speech with a 5 s limit: parts of 2 to 5 s (cut at the quietest moment of their
   * last 3 s: where the syllables dip), nothing of it lost in between. */
  g_assert_cmpuint (segs->len, >=, 3);
  g_assert_cmpuint (segs->len, <=, 6);
  for (guint i = 0; i < segs->len; i++) {
    KaigiVadSegment *s = segs->pdata[i];
    gsize n = g_bytes_get_size (s->samples) / 2;
    g_assert_true (s->cut == (i + 1 < segs->len));
    g_assert_cmpint (n, <=, 5.02 * RATE);
    if (s->cut) {
      /* The cut falls in a dip of the 4 Hz syllable envelope: the last 20 ms are quiet. */
      const gint16 *x = g_bytes_get_data (s->samples, NULL);
      double sum = 0;
      g_assert_cmpint (n, >=, 2.0 * RATE);
      for (gsize k = n - 320; k < n; k++)
        sum += (double)x[k] * x[k];
      g_assert_cmpfloat (sqrt (sum / 320), <, 6000 * 0.35);
    }
    total += n;
  }
  g_assert_cmpint (total, >=, 12.0 * RATE);
  g_assert_cmpint (total, <=, 12.6 * RATE);

  /* A stream that stops mid-sentence and comes back 5 s later: the first part ends at the
   * jump, the second is its own utterance with its own time. */
  voice (b, 1.0);
  g_autoptr (KaigiVad) w = kaigi_vad_new (NULL);
  g_autoptr (GArray) lead = g_array_new (FALSE, FALSE, sizeof (gint16));
  hush (lead, 0.5);
  g_autoptr (GPtrArray) none = run_vad (w, lead, T0);
  g_assert_cmpuint (none->len, ==, 0);
  more = g_ptr_array_new_with_free_func ((GDestroyNotify)kaigi_vad_segment_free);
  for (guint round = 0; round < 2; round++) {
    gint64 t = T0 + 500000 + round * 6000000;
    for (guint at = 0; at < b->len; at += 160) {
      g_autoptr (GPtrArray) out
          = kaigi_vad_push (w, &g_array_index (b, gint16, at), 160, t + at * 1000000 / RATE);
      for (guint i = 0; i < out->len; i++)
        g_ptr_array_add (more, g_steal_pointer (&out->pdata[i]));
    }
  }
  g_ptr_array_add (more, kaigi_vad_flush (w));
  g_assert_cmpuint (more->len, ==, 2);
  assert_near_ms (((KaigiVadSegment *)more->pdata[1])->start_us, T0 + 6500000, 60);
}

/* What kaigi_vad_current shows while an utterance is spoken is the start of the segment it
 * becomes, under the segment's serial; a part cut for length has its own serial, and so has
 * the rest after it. */
static void
test_vad_current (void)
{
  g_autoptr (GArray) a = g_array_new (FALSE, FALSE, sizeof (gint16));
  KaigiVadOptions o = { .max_ms = 5000 };
  g_autoptr (KaigiVad) v = kaigi_vad_new (&o);
  g_autoptr (GHashTable) seen
      = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, (GDestroyNotify)g_bytes_unref);
  g_autoptr (GPtrArray) segs
      = g_ptr_array_new_with_free_func ((GDestroyNotify)kaigi_vad_segment_free);
  guint64 last_serial = 0;

  hush (a, 0.5);
  voice (a, 1.5);
  hush (a, 1.0);
  voice (a, 6.0);
  hush (a, 1.0);
  for (guint at = 0; at < a->len; at += 160) {
    g_autoptr (GPtrArray) out
        = kaigi_vad_push (v, &g_array_index (a, gint16, at), MIN (160, a->len - at),
                          T0 + (gint64)at * 1000000 / RATE);
    gsize n;
    guint64 serial = 0;
    const gint16 *x;
    for (guint i = 0; i < out->len; i++)
      g_ptr_array_add (segs, g_steal_pointer (&out->pdata[i]));
    x = kaigi_vad_current (v, &n, &serial);
    if (!x)
      continue;
    g_assert_cmpuint (serial, >=, last_serial);
    last_serial = serial;
    g_hash_table_insert (seen, g_memdup2 (&serial, sizeof serial),
                         g_bytes_new (x, n * sizeof (gint16)));
  }
  g_assert_null (kaigi_vad_flush (v));
  /* 1.5 s alone, then 6 s cut once 2 to 5 s in: three segments, serials 1, 2, 3. */
  g_assert_cmpuint (segs->len, ==, 3);
  for (guint i = 0; i < segs->len; i++) {
    KaigiVadSegment *s = segs->pdata[i];
    GBytes *heard = g_hash_table_lookup (seen, &s->serial);
    gsize hn, sn;
    const guint8 *hx, *sx = g_bytes_get_data (s->samples, &sn);
    g_assert_cmpuint (s->serial, ==, i + 1);
    g_assert_true (s->cut == (i == 1));
    g_assert_nonnull (heard);
    hx = g_bytes_get_data (heard, &hn);
    /* The last view ran into the pause that ended it (or, for the cut, past the cut). */
    g_assert_cmpuint (MIN (hn, sn), >=, 1.0 * RATE * 2);
    g_assert_cmpint (memcmp (hx, sx, MIN (hn, sn)), ==, 0);
    if (!s->cut)
      g_assert_cmpuint (hn, >=, sn);
  }
}

/* ---- real speech ---- */

static char *tmp_dir;

static char *
say (const char *voice_name, const char *text, const char *file)
{
  char *path = g_build_filename (tmp_dir, file, NULL);
  const char *argv[] = { "flite", "-voice", voice_name, "-t", text, "-o", path, NULL };
  int status = -1;

  if (!g_spawn_sync (NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL,
                     &status, NULL)
      || status != 0)
    g_error ("flite could not say \"%s\"", text);
  return path;
}

typedef struct {
  GMainLoop *loop;
  GPtrArray *texts;  /* "meta|text" */
  GPtrArray *errors; /* "meta|error" */
  guint want;
} Results;

static void
on_done (gpointer user, const char *meta, const char *wav, const char *text, double confidence,
         const char *error)
{
  Results *r = user;

  /* The job's audio is there for the callback to keep. */
  g_assert_true (g_str_has_suffix (wav, ".wav"));
  g_assert_true (g_file_test (wav, G_FILE_TEST_IS_REGULAR));

  if (text) {
    g_assert_cmpfloat (confidence, >=, 0.0);
    g_assert_cmpfloat (confidence, <=, 1.0);
    g_ptr_array_add (r->texts, g_strdup_printf ("%s|%s", meta, text));
  } else {
    g_test_message ("error: %s", error);
    g_ptr_array_add (r->errors, g_strdup_printf ("%s|%s", meta, error));
  }
  if (r->texts->len + r->errors->len >= r->want)
    g_main_loop_quit (r->loop);
}

static gboolean
on_too_long (gpointer loop)
{
  g_error ("recognition took too long");
  return G_SOURCE_REMOVE;
}

static void
results_init (Results *r, guint want)
{
  r->loop = g_main_loop_new (NULL, FALSE);
  r->texts = g_ptr_array_new_with_free_func (g_free);
  r->errors = g_ptr_array_new_with_free_func (g_free);
  r->want = want;
}

static void
results_wait (Results *r)
{
  guint timer = g_timeout_add_seconds (60, on_too_long, NULL);

  if (r->texts->len + r->errors->len < r->want)
    g_main_loop_run (r->loop);
  g_source_remove (timer);
}

static void
results_clear (Results *r)
{
  g_main_loop_unref (r->loop);
  g_ptr_array_unref (r->texts);
  g_ptr_array_unref (r->errors);
}

static char *
spool_dir (const char *name)
{
  char *d = g_build_filename (tmp_dir, name, NULL);
  g_mkdir_with_parents (d, 0700);
  return d;
}

static guint
count_files (const char *dir)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  guint n = 0;

  while (d && g_dir_read_name (d))
    n++;
  return n;
}

static const char *
find_text (Results *r, const char *meta)
{
  g_autofree char *prefix = g_strconcat (meta, "|", NULL);

  for (guint i = 0; i < r->texts->len; i++)
    if (g_str_has_prefix (r->texts->pdata[i], prefix))
      return (const char *)r->texts->pdata[i] + strlen (prefix);
  return NULL;
}

static void
test_pocketsphinx_speech (void)
{
  g_autofree char *wav
      = say ("rms", "The committee will now consider the budget for the library.", "budget.wav");
  g_autofree char *two = say ("slt", "Thank you for the question.", "thanks.wav");
  g_autofree char *dir = spool_dir ("spool-ps");
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) pcm = kaigi_asr_read_wav (wav, &error);
  g_autoptr (GBytes) pcm2 = kaigi_asr_read_wav (two, &error);
  KaigiAsrOptions o = { .engine = "pocketsphinx", .workers = 2, .spool_dir = dir };
  Results r;
  g_autoptr (KaigiAsr) asr = NULL;
  const char *text;

  g_assert_no_error (error);
  results_init (&r, 2);
  asr = kaigi_asr_new (&o, NULL, on_done, &r, &error);
  g_assert_no_error (error);
  kaigi_asr_submit (asr, "one", pcm, NULL);
  kaigi_asr_submit (asr, "two", pcm2, NULL);
  g_assert_cmpuint (kaigi_asr_backlog (asr), ==, 2);
  results_wait (&r);
  g_assert_cmpuint (r.errors->len, ==, 0);
  text = find_text (&r, "one");
  g_test_message ("pocketsphinx heard: %s / %s", text, find_text (&r, "two"));
  g_assert_nonnull (strstr (text, "committee"));
  g_assert_nonnull (strstr (text, "budget"));
  g_assert_nonnull (strstr (find_text (&r, "two"), "question"));
  g_assert_cmpuint (kaigi_asr_backlog (asr), ==, 0);
  g_assert_cmpuint (kaigi_asr_done_count (asr, NULL), ==, 2);
  g_assert_cmpuint (count_files (dir), ==, 0);
  results_clear (&r);
}

/* flite's sentences with pauses through the VAD give one utterance each, and those are
 * recognised. */
static void
test_vad_real_speech (void)
{
  g_autofree char *a = say ("awb", "I would like to ask about the road repairs.", "roads.wav");
  g_autofree char *b = say ("awb", "The work will begin in the spring.", "spring.wav");
  g_autoptr (GBytes) pa = kaigi_asr_read_wav (a, NULL);
  g_autoptr (GBytes) pb = kaigi_asr_read_wav (b, NULL);
  g_autoptr (GArray) all = g_array_new (FALSE, FALSE, sizeof (gint16));
  g_autoptr (KaigiVad) v = kaigi_vad_new (NULL);
  g_autoptr (GPtrArray) segs = NULL;
  gsize na, nb;
  const gint16 *xa = g_bytes_get_data (pa, &na), *xb = g_bytes_get_data (pb, &nb);

  hush (all, 1.0);
  g_array_append_vals (all, xa, na / 2);
  hush (all, 1.5);
  g_array_append_vals (all, xb, nb / 2);
  hush (all, 1.0);
  segs = run_vad (v, all, T0);
  g_assert_cmpuint (segs->len, ==, 2);
  /* Each utterance starts within flite's own leading silence of its file. */
  assert_near_ms (((KaigiVadSegment *)segs->pdata[0])->start_us, T0 + 1000000, 400);
  assert_near_ms (((KaigiVadSegment *)segs->pdata[1])->start_us,
                  T0 + 2500000 + (gint64)na / 2 * 1000000 / RATE, 400);
}

/* Waits (the main loop running, at most 20 s) until @check is TRUE. */
static void
wait_until (gboolean (*check) (gpointer), gpointer data, const char *what)
{
  for (guint i = 0; i < 2000; i++) {
    if (check (data))
      return;
    g_main_context_iteration (NULL, FALSE);
    g_usleep (10000);
  }
  g_error ("waited 20 s for %s", what);
}

static gboolean
has_decoded (gpointer asr)
{
  double busy = 0;

  kaigi_asr_seconds (asr, &busy);
  return busy > 0;
}

static gboolean
can_begin (gpointer asr)
{
  KaigiAsrStream *s = kaigi_asr_stream_begin (asr);

  kaigi_asr_stream_close (s);
  return s != NULL;
}

/* Streaming recognition: PocketSphinx decodes an utterance while it is fed, in the 20 ms
 * pieces the detector sees, and gives the same words as for the whole utterance; the job
 * goes through the spool like any other. At most opt.workers streams at once; a stream let
 * go without a job gives its recogniser back and yields nothing; engines that cannot stream
 * say so; a job whose stream had not finished when the service stopped is in the spool for
 * the next start. */
static void
test_streaming (void)
{
  g_autofree char *wav
      = say ("rms", "The committee will now consider the budget for the library.", "budget.wav");
  g_autofree char *dir = spool_dir ("spool-stream");
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) pcm = kaigi_asr_read_wav (wav, &error);
  KaigiAsrOptions o = { .engine = "pocketsphinx", .workers = 1, .spool_dir = dir };
  KaigiAsrOptions cmd = { .engine = "command", .command = "echo x", .spool_dir = dir };
  Results r;
  KaigiAsr *asr;
  g_autoptr (KaigiAsr) other = NULL;
  KaigiAsrStream *s, *busy;
  gsize n;
  const gint16 *x = g_bytes_get_data (pcm, &n);
  const char *streamed, *whole;

  g_assert_no_error (error);
  n /= 2;
  results_init (&r, 2);
  asr = kaigi_asr_new (&o, NULL, on_done, &r, &error);
  g_assert_no_error (error);

  /* Abandoned: nothing comes of it, and the place is free again. */
  s = kaigi_asr_stream_begin (asr);
  g_assert_nonnull (s);
  g_assert_null (kaigi_asr_stream_begin (asr)); /* one worker: one stream */
  kaigi_asr_stream_feed (s, x, n / 2);
  kaigi_asr_stream_close (s);
  wait_until (can_begin, asr, "the abandoned stream's place");
  g_assert_cmpuint (r.texts->len + r.errors->len, ==, 0);

  /* Fed in 20 ms pieces, the last 0.3 s only with the job (as the detector's pause ends it). */
  for (guint i = 0; i < 2000 && !(s = kaigi_asr_stream_begin (asr)); i++)
    g_usleep (10000); /* can_begin's own stream giving its place back */
  g_assert_nonnull (s);
  for (gsize at = 0; at + 4800 < n; at += 320)
    kaigi_asr_stream_feed (s, x + at, MIN (320, n - 4800 - at));
  wait_until (has_decoded, asr, "decoding while speaking");
  kaigi_asr_submit_streamed (asr, s, "streamed", pcm, NULL);
  kaigi_asr_stream_close (s);
  kaigi_asr_submit (asr, "whole", pcm, NULL);
  results_wait (&r);
  g_assert_cmpuint (r.errors->len, ==, 0);
  streamed = find_text (&r, "streamed");
  whole = find_text (&r, "whole");
  g_test_message ("streamed: %s / whole: %s", streamed, whole);
  g_assert_nonnull (strstr (streamed, "committee"));
  g_assert_nonnull (strstr (streamed, "budget"));
  g_assert_nonnull (strstr (streamed, "library"));
  g_assert_nonnull (strstr (whole, "budget"));
  g_assert_cmpuint (kaigi_asr_done_count (asr, NULL), ==, 2);
  g_assert_cmpuint (kaigi_asr_backlog (asr), ==, 0);
  g_assert_cmpuint (count_files (dir), ==, 0);
  g_assert_cmpfloat (kaigi_asr_seconds (asr, NULL), >, 2 * (n - 1) / 16000.0);

  /* Stopped before the stream's text came: the job waits in the spool. */
  s = kaigi_asr_stream_begin (asr);
  g_assert_nonnull (s);
  kaigi_asr_stream_feed (s, x, n / 3);
  kaigi_asr_submit_streamed (asr, s, "interrupted", pcm, NULL);
  kaigi_asr_stream_close (s);
  kaigi_asr_free (asr);
  g_assert_cmpuint (r.texts->len, ==, 2);
  g_assert_cmpuint (count_files (dir), ==, 2);
  results_clear (&r);
  results_init (&r, 1);
  asr = kaigi_asr_new (&o, NULL, on_done, &r, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (kaigi_asr_resume (asr), ==, 1);
  results_wait (&r);
  g_assert_nonnull (strstr (find_text (&r, "interrupted"), "budget"));
  /* A stream begun and never fed nor submitted holds nothing when the service goes. */
  busy = kaigi_asr_stream_begin (asr);
  g_assert_nonnull (busy);
  kaigi_asr_free (asr);
  kaigi_asr_stream_close (busy);
  results_clear (&r);

  other = kaigi_asr_new (&cmd, NULL, on_done, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (kaigi_asr_stream_begin (other));
}

static void
test_command_engine (void)
{
  g_autofree char *wav = say ("rms", "Is there any objection to this plan?", "objection.wav");
  g_autofree char *dir = spool_dir ("spool-cmd");
  g_autoptr (GBytes) pcm = kaigi_asr_read_wav (wav, NULL);
  KaigiAsrOptions o = { .engine = "command",
                        .command = "pocketsphinx_continuous -logfn /dev/null -infile",
                        .spool_dir = dir };
  KaigiAsrOptions bad = { .engine = "command", .command = "false", .spool_dir = dir };
  Results r;
  g_autoptr (GError) error = NULL;
  g_autoptr (KaigiAsr) asr = NULL;
  g_autoptr (KaigiAsr) failing = NULL;

  results_init (&r, 2);
  asr = kaigi_asr_new (&o, NULL, on_done, &r, &error);
  g_assert_no_error (error);
  kaigi_asr_submit (asr, "cmd", pcm, NULL);
  failing = kaigi_asr_new (&bad, NULL, on_done, &r, &error);
  g_assert_no_error (error);
  kaigi_asr_submit (failing, "fails", pcm, NULL);
  results_wait (&r);
  g_assert_nonnull (strstr (find_text (&r, "cmd"), "objection"));
  g_assert_cmpuint (r.errors->len, ==, 1);
  g_assert_true (g_str_has_prefix (r.errors->pdata[0], "fails|"));
  g_assert_nonnull (strstr (r.errors->pdata[0], ".wav: false failed: non-zero exit"));
  g_assert_cmpuint (count_files (dir), ==, 0);
  results_clear (&r);
}

/* A service stopped with jobs waiting leaves them in the spool; the next one does them. */
static void
test_spool_resume (void)
{
  g_autofree char *wav = say ("rms", "The number of visitors increased.", "visitors.wav");
  g_autofree char *dir = spool_dir ("spool-resume");
  g_autoptr (GBytes) pcm = kaigi_asr_read_wav (wav, NULL);
  KaigiAsrOptions slow
      = { .engine = "command", .command = "sh -c 'sleep 1; echo slow' x", .spool_dir = dir };
  KaigiAsrOptions o = { .engine = "pocketsphinx", .spool_dir = dir };
  Results r;
  g_autoptr (GError) error = NULL;
  KaigiAsr *first;
  g_autoptr (KaigiAsr) second = NULL;

  results_init (&r, 5);
  first = kaigi_asr_new (&slow, NULL, on_done, &r, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < 5; i++) {
    const char *vocab[] = { "visitors", "長谷川", NULL };
    g_autofree char *meta = g_strdup_printf ("{\"n\":%u,\"q\":\"\\\"\"}", i);
    kaigi_asr_submit (first, meta, pcm, vocab);
  }
  g_assert_cmpuint (kaigi_asr_backlog (first), ==, 5);
  /* Stopped at once: the job under way finishes (and is not delivered), the rest wait. */
  kaigi_asr_free (first);
  g_assert_cmpuint (r.texts->len, ==, 0);
  g_assert_cmpuint (count_files (dir), ==, 10);

  second = kaigi_asr_new (&o, NULL, on_done, &r, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (kaigi_asr_resume (second), ==, 5);
  results_wait (&r);
  g_assert_cmpuint (r.texts->len, ==, 5);
  for (guint i = 0; i < 5; i++) {
    g_autofree char *meta = g_strdup_printf ("{\"n\":%u,\"q\":\"\\\"\"}", i);
    const char *t = find_text (&r, meta);
    g_assert_nonnull (t);
    g_assert_nonnull (strstr (t, "visitors"));
  }
  g_assert_cmpuint (count_files (dir), ==, 0);
  results_clear (&r);
}

static void
test_bad_settings (void)
{
  g_autofree char *dir = spool_dir ("spool-bad");
  struct {
    KaigiAsrOptions o;
    const char *says;
  } cases[] = {
    { { .engine = "siri", .spool_dir = dir }, "asr-engine" },
    { { .engine = "whisper", .url = "ftp://x", .spool_dir = dir }, "asr-url" },
    { { .engine = "vosk", .spool_dir = dir }, "asr-url" },
    { { .engine = "command", .command = "no-such-program-kaigi", .spool_dir = dir },
      "asr-command" },
    { { .engine = "pocketsphinx", .lm = "/nonexistent.lm", .spool_dir = dir }, "asr-lm" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autoptr (GError) error = NULL;
    g_autoptr (KaigiAsr) asr = kaigi_asr_new (&cases[i].o, NULL, on_done, NULL, &error);
    g_assert_null (asr);
    g_assert_error (error, KAIGI_ERROR, KAIGI_ERROR_CONFIG);
    g_assert_nonnull (strstr (error->message, cases[i].says));
  }
}

/* ---- servers in this process ---- */

typedef struct {
  GSocketService *service;
  guint16 port;
  GString *got; /* what the server received, for the test to check */
  gsize audio;  /* vosk: audio bytes received so far on the current connection */
  GMutex lock;
} FakeServer;

static gboolean
read_line_block (GDataInputStream *in, GString *into)
{
  gsize len;
  g_autofree char *line = g_data_input_stream_read_line (in, &len, NULL, NULL);

  if (!line)
    return FALSE;
  g_string_append_printf (into, "%s\n", line);
  return TRUE;
}

/* whisper.cpp: reads the request, checks it is a multipart with a WAV, answers JSON. */
static gboolean
on_whisper (GThreadedSocketService *s, GSocketConnection *c, GObject *source, gpointer user)
{
  FakeServer *f = user;
  g_autoptr (GDataInputStream) in
      = g_data_input_stream_new (g_io_stream_get_input_stream (G_IO_STREAM (c)));
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (c));
  g_autoptr (GString) head = g_string_new (NULL);
  gsize length = 0;
  g_autofree char *body = NULL;
  const char *reply = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: "
                      "chunked\r\n\r\nF\r\n{\"text\":\" Hello\r\nd\r\n council. \"}\n\r\n0\r\n\r\n";

  g_data_input_stream_set_newline_type (in, G_DATA_STREAM_NEWLINE_TYPE_CR_LF);
  while (read_line_block (in, head) && !g_str_has_suffix (head->str, "\n\n")) {
    const char *cl = strstr (head->str, "Content-Length: ");
    if (cl)
      length = strtoul (cl + 16, NULL, 10);
  }
  body = g_malloc0 (length + 1);
  g_input_stream_read_all (G_INPUT_STREAM (in), body, length, NULL, NULL, NULL);
  g_mutex_lock (&f->lock);
  g_string_append (f->got, head->str);
  /* The WAV itself is binary: only what is around it. */
  for (gsize i = 0; i < length; i++)
    g_string_append_c (f->got, body[i] ? body[i] : '.');
  g_mutex_unlock (&f->lock);
  g_output_stream_write_all (out, reply, strlen (reply), NULL, NULL, NULL);
  return TRUE;
}

static gboolean
ws_read (GInputStream *in, guint8 *op, GByteArray *payload)
{
  guint8 h[2], mask[4], ext[8];
  guint64 len;

  if (!g_input_stream_read_all (in, h, 2, NULL, NULL, NULL))
    return FALSE;
  len = h[1] & 0x7f;
  if (len >= 126) {
    guint k = len == 126 ? 2 : 8;
    g_input_stream_read_all (in, ext, k, NULL, NULL, NULL);
    len = 0;
    for (guint i = 0; i < k; i++)
      len = (len << 8) | ext[i];
  }
  g_assert_true (h[1] & 0x80); /* clients mask */
  g_input_stream_read_all (in, mask, 4, NULL, NULL, NULL);
  g_byte_array_set_size (payload, len);
  g_input_stream_read_all (in, payload->data, len, NULL, NULL, NULL);
  for (guint64 i = 0; i < len; i++)
    payload->data[i] ^= mask[i % 4];
  *op = h[0] & 0x0f;
  return TRUE;
}

static void
ws_write (GOutputStream *out, guint8 op, const char *text)
{
  guint8 h[2] = { 0x80 | op, strlen (text) };

  g_output_stream_write_all (out, h, 2, NULL, NULL, NULL);
  g_output_stream_write_all (out, text, strlen (text), NULL, NULL, NULL);
}

/* Vosk: checks the upgrade, the config, counts the audio, answers after eof, closes. */
static gboolean
on_vosk (GThreadedSocketService *s, GSocketConnection *c, GObject *source, gpointer user)
{
  FakeServer *f = user;
  g_autoptr (GDataInputStream) in
      = g_data_input_stream_new (g_io_stream_get_input_stream (G_IO_STREAM (c)));
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (c));
  g_autoptr (GString) head = g_string_new (NULL);
  g_autoptr (GByteArray) payload = g_byte_array_new ();
  gsize audio = 0;
  guint8 op;
  const char *accept = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                       "Connection: Upgrade\r\nSec-WebSocket-Accept: x\r\n\r\n";

  g_data_input_stream_set_newline_type (in, G_DATA_STREAM_NEWLINE_TYPE_CR_LF);
  while (read_line_block (in, head) && !g_str_has_suffix (head->str, "\n\n"))
    ;
  g_output_stream_write_all (out, accept, strlen (accept), NULL, NULL, NULL);
  while (ws_read (G_INPUT_STREAM (in), &op, payload)) {
    if (op == 0x2) {
      audio += payload->len;
      g_mutex_lock (&f->lock);
      f->audio = audio;
      g_mutex_unlock (&f->lock);
      if (audio % 16000 == 0)
        ws_write (out, 0x1, "{\"partial\" : \"good\"}");
      continue;
    }
    g_mutex_lock (&f->lock);
    g_string_append_len (f->got, (const char *)payload->data, payload->len);
    g_string_append_printf (f->got, "\n");
    g_mutex_unlock (&f->lock);
    if (strstr ((const char *)payload->data, "eof")) {
      g_autofree char *audio_said = g_strdup_printf ("audio %" G_GSIZE_FORMAT "\n", audio);
      g_mutex_lock (&f->lock);
      g_string_append (f->got, audio_said);
      g_mutex_unlock (&f->lock);
      ws_write (out, 0x1, "{\"text\" : \"good morning\"}");
      ws_write (out, 0x1, "{\"text\" : \"everyone\"}");
      ws_write (out, 0x8, "");
      break;
    }
  }
  return TRUE;
}

static void
fake_start (FakeServer *f, GCallback handler)
{
  g_autoptr (GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) any = g_inet_socket_address_new (lo, 0);
  g_autoptr (GSocketAddress) bound = NULL;
  g_autoptr (GError) error = NULL;

  g_mutex_init (&f->lock);
  f->got = g_string_new (NULL);
  f->service = g_threaded_socket_service_new (2);
  g_socket_listener_add_address (G_SOCKET_LISTENER (f->service), any, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_TCP, NULL, &bound, &error);
  g_assert_no_error (error);
  f->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_signal_connect (f->service, "run", handler, f);
  g_socket_service_start (f->service);
}

static void
fake_stop (FakeServer *f)
{
  g_socket_service_stop (f->service);
  g_socket_listener_close (G_SOCKET_LISTENER (f->service));
  g_object_unref (f->service);
  g_string_free (f->got, TRUE);
  g_mutex_clear (&f->lock);
}

static void
test_whisper_protocol (void)
{
  FakeServer f = { 0 };
  g_autofree char *dir = spool_dir ("spool-whisper");
  g_autofree char *url = NULL;
  g_autoptr (GArray) a = g_array_new (FALSE, FALSE, sizeof (gint16));
  g_autoptr (GBytes) pcm = NULL;
  const char *vocab[] = { "長谷川委員", "学校給食", NULL };
  Results r;
  g_autoptr (GError) error = NULL;
  g_autoptr (KaigiAsr) asr = NULL;

  fake_start (&f, G_CALLBACK (on_whisper));
  url = g_strdup_printf ("http://127.0.0.1:%u", f.port);
  KaigiAsrOptions o = { .engine = "whisper", .url = url, .language = "ja", .spool_dir = dir };
  voice (a, 0.5);
  pcm = g_bytes_new (a->data, a->len * 2);
  results_init (&r, 1);
  asr = kaigi_asr_new (&o, NULL, on_done, &r, &error);
  g_assert_no_error (error);
  kaigi_asr_submit (asr, "w", pcm, vocab);
  results_wait (&r);
  g_assert_cmpuint (r.errors->len, ==, 0);
  g_assert_cmpstr (find_text (&r, "w"), ==, "Hello council.");
  g_mutex_lock (&f.lock);
  g_assert_true (g_str_has_prefix (f.got->str, "POST /inference HTTP/1.1\n"));
  g_assert_nonnull (strstr (f.got->str, "multipart/form-data; boundary="));
  g_assert_nonnull (strstr (f.got->str, "name=\"language\"\r\n\r\nja\r\n"));
  g_assert_nonnull (strstr (f.got->str, "name=\"prompt\"\r\n\r\n長谷川委員, 学校給食\r\n"));
  g_assert_nonnull (
      strstr (f.got->str, "filename=\"speech.wav\"\r\nContent-Type: audio/wav\r\n\r\nRIFF"));
  g_assert_nonnull (strstr (f.got->str, "name=\"response_format\"\r\n\r\njson"));
  g_mutex_unlock (&f.lock);
  results_clear (&r);
  g_clear_pointer (&asr, kaigi_asr_free);
  fake_stop (&f);
}

static void
test_vosk_protocol (void)
{
  FakeServer f = { 0 };
  g_autofree char *dir = spool_dir ("spool-vosk");
  g_autofree char *url = NULL;
  g_autofree char *want_audio = NULL;
  g_autoptr (GArray) a = g_array_new (FALSE, FALSE, sizeof (gint16));
  g_autoptr (GBytes) pcm = NULL;
  Results r;
  g_autoptr (GError) error = NULL;
  g_autoptr (KaigiAsr) asr = NULL;

  fake_start (&f, G_CALLBACK (on_vosk));
  url = g_strdup_printf ("ws://127.0.0.1:%u", f.port);
  KaigiAsrOptions o = { .engine = "vosk", .url = url, .spool_dir = dir };
  voice (a, 1.3); /* 41600 bytes: 5 full messages of 8000 and one of 1600 */
  pcm = g_bytes_new (a->data, a->len * 2);
  results_init (&r, 1);
  asr = kaigi_asr_new (&o, NULL, on_done, &r, &error);
  g_assert_no_error (error);
  kaigi_asr_submit (asr, "v", pcm, NULL);
  results_wait (&r);
  g_assert_cmpuint (r.errors->len, ==, 0);
  g_assert_cmpstr (find_text (&r, "v"), ==, "good morning everyone");
  want_audio = g_strdup_printf ("audio %u\n", a->len * 2);
  g_mutex_lock (&f.lock);
  g_assert_true (g_str_has_prefix (f.got->str, "{\"config\":{\"sample_rate\":16000}}\n"));
  g_assert_nonnull (strstr (f.got->str, "{\"eof\" : 1}\n"));
  g_assert_nonnull (strstr (f.got->str, want_audio));
  g_string_truncate (f.got, 0);
  f.audio = 0;
  g_mutex_unlock (&f.lock);
  results_clear (&r);

  /* Streamed: the same messages, the audio sent while it is fed (in 20 ms pieces, the last
   * 0.1 s with the job). */
  KaigiAsrStream *s = kaigi_asr_stream_begin (asr);
  g_assert_nonnull (s);
  results_init (&r, 1);
  for (guint at = 0; at + 1600 < a->len; at += 320)
    kaigi_asr_stream_feed (s, &g_array_index (a, gint16, at), MIN (320, a->len - 1600 - at));
  for (guint i = 0; i < 2000; i++) { /* the first 0.75 s reach the server before the end */
    g_mutex_lock (&f.lock);
    gboolean heard = f.audio >= 24000;
    g_mutex_unlock (&f.lock);
    if (heard)
      break;
    g_main_context_iteration (NULL, FALSE); /* the fake server accepts on this context */
    g_usleep (10000);
  }
  g_mutex_lock (&f.lock);
  g_assert_cmpuint (f.audio, >=, 24000);
  g_assert_null (strstr (f.got->str, "eof"));
  g_mutex_unlock (&f.lock);
  kaigi_asr_submit_streamed (asr, s, "streamed", pcm, NULL);
  kaigi_asr_stream_close (s);
  results_wait (&r);
  g_assert_cmpuint (r.errors->len, ==, 0);
  g_assert_cmpstr (find_text (&r, "streamed"), ==, "good morning everyone");
  g_mutex_lock (&f.lock);
  g_assert_true (g_str_has_prefix (f.got->str, "{\"config\":{\"sample_rate\":16000}}\n"));
  g_assert_nonnull (strstr (f.got->str, "{\"eof\" : 1}\n"));
  g_assert_nonnull (strstr (f.got->str, want_audio));
  g_mutex_unlock (&f.lock);
  results_clear (&r);
  g_clear_pointer (&asr, kaigi_asr_free);
  fake_stop (&f);
}

/* A WAV that is not 16 kHz mono 16-bit is refused with its name. */
static void
test_wav_files (void)
{
  g_autofree char *path = g_build_filename (tmp_dir, "x.wav", NULL);
  g_autofree char *bad = g_build_filename (tmp_dir, "bad.wav", NULL);
  gint16 x[] = { 1, -2, 3, 32767, -32768 };
  g_autoptr (GBytes) in = g_bytes_new (x, sizeof x);
  g_autoptr (GBytes) back = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_true (kaigi_asr_write_wav (path, in, &error));
  back = kaigi_asr_read_wav (path, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (in, back));
  g_assert_true (g_file_set_contents (bad, "RIFF\x10\0\0\0WAVEfmt ", 16, NULL));
  g_assert_null (kaigi_asr_read_wav (bad, &error));
  g_assert_error (error, KAIGI_ERROR, KAIGI_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "bad.wav"));
}

int
main (int argc, char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  tmp_dir = g_dir_make_tmp ("kaigi-asr-XXXXXX", NULL);
  g_test_add_func ("/vad/segments", test_vad_segments);
  g_test_add_func ("/vad/long-and-gaps", test_vad_long_and_gaps);
  g_test_add_func ("/vad/real-speech", test_vad_real_speech);
  g_test_add_func ("/vad/current", test_vad_current);
  g_test_add_func ("/asr/wav-files", test_wav_files);
  g_test_add_func ("/asr/pocketsphinx", test_pocketsphinx_speech);
  g_test_add_func ("/asr/streaming", test_streaming);
  g_test_add_func ("/asr/command", test_command_engine);
  g_test_add_func ("/asr/spool-resume", test_spool_resume);
  g_test_add_func ("/asr/bad-settings", test_bad_settings);
  g_test_add_func ("/asr/whisper-protocol", test_whisper_protocol);
  g_test_add_func ("/asr/vosk-protocol", test_vosk_protocol);
  ret = g_test_run ();
  g_autofree char *rm = g_strdup_printf ("rm -rf '%s'", tmp_dir);
  if (system (rm) != 0)
    g_printerr ("could not remove %s\n", tmp_dir);
  return ret;
}
