/* test-mixminus.c: kaigimixminus (server/media/mixminus.c) with GstHarness and known tones.
 *
 * One harness per participant: its source pad feeds sink_N, its sink pad takes src_N (the
 * ear). A probe on "src" catches the total. The harnesses share one GstTestClock, so time
 * only moves when a test cranks it: a period is mixed when every input has pushed it, or
 * when the test lets time run out. Tones are whole numbers of cycles per 20 ms period
 * (multiples of 50 Hz), so a Goertzel filter over one period sees no leakage between them. */
#include <gst/check/gstharness.h>
#include <gst/gst.h>
#include <math.h>

#include <opus.h>
#include <string.h>

#include "media/mixdsp.h"
#include "media/mixminus.h"
#include "media/opusear.h"

#define P KAIGI_MIXMINUS_PERIOD
#define RATE KAIGI_MIXMINUS_RATE
#define PERIOD_TIME (20 * GST_MSECOND)
#define CAPS "audio/x-raw,format=S16LE,rate=48000,channels=1,layout=interleaved"

typedef struct {
  double freq, amp; /* amp in full scale; 0 = silent */
  GstHarness *h;
} Voice;

typedef struct {
  GstElement *mix;
  GAsyncQueue *total; /* GstBuffer refs seen on "src" */
  Voice v[4];
  guint n;
} Fixture;

static GstPadProbeReturn
catch_total (GstPad *pad, GstPadProbeInfo *info, gpointer queue)
{
  g_async_queue_push (queue, gst_buffer_ref (GST_PAD_PROBE_INFO_BUFFER (info)));
  return GST_PAD_PROBE_OK;
}

static void
fixture_setup (Fixture *f, guint n)
{
  g_autoptr (GstPad) src = NULL;

  f->mix = gst_element_factory_make ("kaigimixminus", NULL);
  g_assert_nonnull (f->mix);
  f->total = g_async_queue_new_full ((GDestroyNotify)gst_buffer_unref);
  src = gst_element_get_static_pad (f->mix, "src");
  gst_pad_add_probe (src, GST_PAD_PROBE_TYPE_BUFFER, catch_total, f->total, NULL);
  f->n = n;
  for (guint i = 0; i < n; i++) {
    g_autofree char *sink = g_strdup_printf ("sink_%u", i);
    g_autofree char *ear = g_strdup_printf ("src_%u", i);
    f->v[i].h = gst_harness_new_with_element (f->mix, sink, ear);
    gst_harness_set_src_caps_str (f->v[i].h, CAPS);
  }
}

static void
fixture_teardown (Fixture *f)
{
  for (guint i = 0; i < f->n; i++)
    gst_harness_teardown (f->v[i].h);
  g_async_queue_unref (f->total);
  gst_object_unref (f->mix);
}

/* Sample @s (counted from running time 0) of voice @v. */
static gint16
sample (const Voice *v, guint64 s)
{
  return (gint16)lrint (v->amp * 32767.0 * sin (2.0 * G_PI * v->freq * (double)s / RATE));
}

static void
push_period (Fixture *f, guint i, guint k)
{
  GstBuffer *buf = gst_buffer_new_allocate (NULL, P * 2, NULL);
  GstMapInfo map;

  gst_buffer_map (buf, &map, GST_MAP_WRITE);
  for (guint s = 0; s < P; s++)
    ((gint16 *)map.data)[s] = sample (&f->v[i], (guint64)k * P + s);
  gst_buffer_unmap (buf, &map);
  GST_BUFFER_PTS (buf) = k * PERIOD_TIME;
  GST_BUFFER_DURATION (buf) = PERIOD_TIME;
  g_assert_cmpint (gst_harness_push (f->v[i].h, buf), ==, GST_FLOW_OK);
}

static void
push_all (Fixture *f, guint k)
{
  for (guint i = 0; i < f->n; i++)
    push_period (f, i, k);
}

static GstBuffer *
pull_total (Fixture *f)
{
  GstBuffer *buf = g_async_queue_timeout_pop (f->total, 10 * G_USEC_PER_SEC);

  g_assert_nonnull (buf);
  return buf;
}

/* Power of @freq in @s (Goertzel), relative to a full-scale sine: 0 dB. */
static double
tone_db (const gint16 *s, guint n, double freq)
{
  double w = 2.0 * G_PI * freq / RATE, c = 2.0 * cos (w), s1 = 0, s2 = 0, power;

  for (guint i = 0; i < n; i++) {
    double s0 = s[i] / 32767.0 + c * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  power = s1 * s1 + s2 * s2 - c * s1 * s2;
  return 10.0 * log10 (MAX (power, 1e-30) / ((double)n * n / 4.0));
}

typedef struct {
  GstBuffer *buf;
  GstMapInfo map;
} Pcm;

static const gint16 *
pcm_map (Pcm *p, GstBuffer *buf)
{
  p->buf = buf;
  g_assert_cmpuint (gst_buffer_get_size (buf), ==, P * 2);
  gst_buffer_map (buf, &p->map, GST_MAP_READ);
  return (const gint16 *)p->map.data;
}

static void
pcm_unmap (Pcm *p)
{
  gst_buffer_unmap (p->buf, &p->map);
  gst_buffer_unref (p->buf);
}

/* Checks every ear of period @k: exactly the sum of the others (no limiting at these
 * levels), and the total is the sum of all. */
static void
check_mix_minus (Fixture *f, guint k)
{
  Pcm pt;
  const gint16 *total = pcm_map (&pt, pull_total (f));

  for (guint i = 0; i < f->n; i++) {
    Pcm pe;
    const gint16 *ear = pcm_map (&pe, gst_harness_pull (f->v[i].h));
    for (guint s = 0; s < P; s++) {
      gint32 want = 0, all = 0;
      for (guint j = 0; j < f->n; j++) {
        gint16 x = sample (&f->v[j], (guint64)k * P + s);
        all += x;
        want += j == i ? 0 : x;
      }
      g_assert_cmpint (ear[s], ==, want);
      g_assert_cmpint (total[s], ==, all);
    }
    pcm_unmap (&pe);
  }
  pcm_unmap (&pt);
}

/* (1) A hears B + C and never A: exact sums, and by Goertzel B's and C's tones at their
 * levels with nothing at A's frequency; with B and C silent, A's ear is digital silence. */
static void
test_hears_the_others_never_itself (void)
{
  Fixture f = { 0 };
  Pcm pa;
  const gint16 *ear;

  fixture_setup (&f, 3);
  f.v[0] = (Voice){ 450, 0.25, f.v[0].h };
  f.v[1] = (Voice){ 1000, 0.125, f.v[1].h };
  f.v[2] = (Voice){ 1500, 0.0625, f.v[2].h };
  for (guint k = 0; k < 5; k++) {
    push_all (&f, k);
    if (k < 4) {
      check_mix_minus (&f, k);
      continue;
    }
    ear = pcm_map (&pa, gst_harness_pull (f.v[0].h));
    g_assert_cmpfloat (fabs (tone_db (ear, P, 1000) - 20 * log10 (0.125)), <, 0.1);
    g_assert_cmpfloat (fabs (tone_db (ear, P, 1500) - 20 * log10 (0.0625)), <, 0.1);
    g_assert_cmpfloat (tone_db (ear, P, 450), <, -100); /* A's own: only rounding noise */
    pcm_unmap (&pa);
    for (guint i = 1; i < 3; i++)
      gst_buffer_unref (gst_harness_pull (f.v[i].h));
    gst_buffer_unref (pull_total (&f));
  }

  f.v[1].amp = f.v[2].amp = 0;
  for (guint k = 5; k < 8; k++) {
    push_all (&f, k);
    check_mix_minus (&f, k); /* A's ear: every sample 0 */
  }
  fixture_teardown (&f);
}

/* (2) Silent participants share one buffer: B and C (silent) get the very GstBuffer that
 * "src" carries, marked shared, equal to A's signal; A gets a buffer of its own. After A
 * stops, A joins the shared mix once the hangover has passed, not before. */
static void
test_silent_ones_share_one_buffer (void)
{
  Fixture f = { 0 };
  GstBuffer *a, *b, *c, *t;
  guint k = 0, shared_at = 0;
  g_autoptr (GstPad) sink_a = NULL;
  gboolean shared;

  fixture_setup (&f, 3);
  f.v[0] = (Voice){ 700, 0.3, f.v[0].h };
  sink_a = gst_element_get_static_pad (f.mix, "sink_0");
  for (; k < 10; k++) {
    Pcm pt, pa;
    push_all (&f, k);
    a = gst_harness_pull (f.v[0].h);
    b = gst_harness_pull (f.v[1].h);
    c = gst_harness_pull (f.v[2].h);
    t = pull_total (&f);
    g_assert_true (b == c && b == t);
    g_assert_true (kaigi_mixminus_buffer_is_shared (b));
    g_assert_true (a != t && !kaigi_mixminus_buffer_is_shared (a));
    const gint16 *total = pcm_map (&pt, t), *own = pcm_map (&pa, a);
    for (guint s = 0; s < P; s++) {
      g_assert_cmpint (total[s], ==, sample (&f.v[0], (guint64)k * P + s));
      g_assert_cmpint (own[s], ==, 0);
    }
    pcm_unmap (&pt);
    pcm_unmap (&pa);
    gst_buffer_unref (b);
    gst_buffer_unref (c);
  }
  f.v[0].amp = 0;
  for (; k < 40 && !shared_at; k++) {
    push_all (&f, k);
    a = gst_harness_pull (f.v[0].h);
    b = gst_harness_pull (f.v[1].h);
    gst_buffer_unref (gst_harness_pull (f.v[2].h));
    t = pull_total (&f);
    g_object_get (sink_a, "shared", &shared, NULL);
    g_assert_cmpint (shared, ==, a == b);
    if (a == t)
      shared_at = k;
    gst_buffer_unref (a);
    gst_buffer_unref (b);
    gst_buffer_unref (t);
  }
  /* Silent from period 10 on: shared after KAIGI_VOICE_HANGOVER_MS of it. */
  g_assert_cmpuint (shared_at, ==, 10 + KAIGI_VOICE_HANGOVER_MS / 20 - 1);
  fixture_teardown (&f);
}

/* Longest run of samples at or above @level in magnitude, and their count. */
static guint
longest_run (const gint16 *s, guint n, gint level, guint *count)
{
  guint run = 0, best = 0;

  for (guint i = 0; i < n; i++) {
    run = abs (s[i]) >= level ? run + 1 : 0;
    *count += run > 0;
    best = MAX (best, run);
  }
  return best;
}

/* (3) Three loud voices in phase, each at 0.9 of full scale: the ears (1.8) and the total
 * (2.7) never exceed the ceiling, and they are scaled, not clipped: after the first peak no
 * flat tops, and the tone stays a clean tone. */
static void
test_clipping_is_limited (void)
{
  Fixture f = { 0 };

  fixture_setup (&f, 3);
  for (guint i = 0; i < 3; i++)
    f.v[i] = (Voice){ 500, 0.9, f.v[i].h };
  for (guint k = 0; k < 25; k++) {
    push_all (&f, k);
    for (guint i = 0; i <= 3; i++) {
      Pcm p;
      const gint16 *s = pcm_map (&p, i < 3 ? gst_harness_pull (f.v[i].h) : pull_total (&f));
      guint at_ceiling = 0, run = longest_run (s, P, KAIGI_MIX_CEILING - 1, &at_ceiling);
      gint peak = 0;
      for (guint j = 0; j < P; j++)
        peak = MAX (peak, abs (s[j]));
      g_assert_cmpint (peak, <=, KAIGI_MIX_CEILING);
      if (k > 0) {
        /* A hard clip of this sine would hold about 3/4 of the samples at the ceiling, in
         * runs of 35. Scaled, it touches the ceiling at each peak (20 a period); while the
         * gain recovers after its hold, a peak's last 2-3 samples meet the ceiling. (The
         * first period is the attack: the rising edge of the first peak is held.) */
        g_assert_cmpuint (run, <=, 4);
        g_assert_cmpuint (at_ceiling, <=, 3 * 20);
        /* Nearly all of the power stays in the tone: no clipping harmonics. */
        g_assert_cmpfloat (tone_db (s, P, 500), >, kaigi_mix_level_db (s, P) + 3.01 - 0.05);
      }
      pcm_unmap (&p);
    }
  }
  fixture_teardown (&f);
}

/* (4) A missing input counts as silence once time runs out, and outputs go on; its data
 * that comes too late is dropped, and then it joins again. */
static void
test_missing_input_is_silence (void)
{
  Fixture f = { 0 };
  guint k = 0;

  fixture_setup (&f, 3);
  f.v[0] = (Voice){ 450, 0.25, f.v[0].h };
  f.v[1] = (Voice){ 1000, 0.125, f.v[1].h };
  f.v[2] = (Voice){ 1500, 0.0625, f.v[2].h };
  for (; k < 2; k++) {
    push_all (&f, k);
    check_mix_minus (&f, k);
  }
  for (; k < 6; k++) { /* C sends nothing: the clock decides */
    Pcm pa, pc;
    push_period (&f, 0, k);
    push_period (&f, 1, k);
    g_assert_true (gst_harness_crank_single_clock_wait (f.v[0].h));
    const gint16 *a = pcm_map (&pa, gst_harness_pull (f.v[0].h));
    const gint16 *c = pcm_map (&pc, gst_harness_pull (f.v[2].h));
    for (guint s = 0; s < P; s++) {
      g_assert_cmpint (a[s], ==, sample (&f.v[1], (guint64)k * P + s));
      g_assert_cmpint (c[s], ==,
                       sample (&f.v[0], (guint64)k * P + s) + sample (&f.v[1], (guint64)k * P + s));
    }
    pcm_unmap (&pa);
    pcm_unmap (&pc);
    gst_buffer_unref (gst_harness_pull (f.v[1].h));
    gst_buffer_unref (pull_total (&f));
  }
  push_period (&f, 2, 3); /* C's period 3 arrives long after it was mixed */
  for (; k < 9; k++) {
    push_all (&f, k);
    check_mix_minus (&f, k);
  }
  fixture_teardown (&f);
}

typedef struct {
  char *pad;
  gboolean speaking;
  GstClockTime at;
} Talk;

/* The "kaigi-speaking" messages on @bus so far. */
static GArray *
take_talk (GstBus *bus)
{
  GArray *talk = g_array_new (FALSE, TRUE, sizeof (Talk));
  GstMessage *m;

  while ((m = gst_bus_pop_filtered (bus, GST_MESSAGE_ELEMENT))) {
    const GstStructure *s = gst_message_get_structure (m);
    Talk t = { 0 };
    guint64 at;
    if (gst_structure_has_name (s, KAIGI_MIXMINUS_SPEAKING)) {
      t.pad = g_strdup (gst_structure_get_string (s, "pad"));
      g_assert_true (gst_structure_get_boolean (s, "speaking", &t.speaking));
      g_assert_true (gst_structure_get_uint64 (s, "running-time", &at));
      t.at = at;
      g_array_append_val (talk, t);
    }
    gst_message_unref (m);
  }
  return talk;
}

static void
run_periods (Fixture *f, guint from, guint to)
{
  for (guint k = from; k < to; k++) {
    push_all (f, k);
    for (guint i = 0; i < f->n; i++)
      gst_buffer_unref (gst_harness_pull (f->v[i].h));
    gst_buffer_unref (pull_total (f));
  }
}

/* (5) A speaks 1 s: one speaking=true for A after 200 ms, one speaking=false 600 ms into
 * the silence after; a 50 ms blip from B starts nothing. The level reads on the pad. */
static void
test_active_speaker (void)
{
  Fixture f = { 0 };
  g_autoptr (GstBus) bus = gst_bus_new ();
  g_autoptr (GstPad) sink_a = NULL;
  GArray *talk;
  double level;

  fixture_setup (&f, 2);
  gst_element_set_bus (f.mix, bus);
  sink_a = gst_element_get_static_pad (f.mix, "sink_0");
  f.v[0] = (Voice){ 300, 0.1, f.v[0].h }; /* -23 dBFS RMS */
  run_periods (&f, 0, 50);
  g_object_get (sink_a, "level-db", &level, NULL);
  g_assert_cmpfloat (fabs (level - (20 * log10 (0.1) - 3.01)), <, 0.1);
  f.v[0].amp = 0;
  run_periods (&f, 50, 100);

  /* B: 50 ms of tone from 10 ms into period 100 (three periods touched). */
  for (guint k = 100; k < 103; k++) {
    GstBuffer *buf = gst_buffer_new_allocate (NULL, P * 2, NULL);
    GstMapInfo map;
    gst_buffer_map (buf, &map, GST_MAP_WRITE);
    for (guint s = 0; s < P; s++) {
      guint64 n = (guint64)k * P + s, start = 100 * P + RATE / 100;
      ((gint16 *)map.data)[s]
          = n >= start && n < start + RATE / 20 ? (gint16)(3000 * sin (n * 0.1)) : 0;
    }
    gst_buffer_unmap (buf, &map);
    GST_BUFFER_PTS (buf) = k * PERIOD_TIME;
    GST_BUFFER_DURATION (buf) = PERIOD_TIME;
    push_period (&f, 0, k);
    gst_harness_push (f.v[1].h, buf);
    for (guint i = 0; i < 2; i++)
      gst_buffer_unref (gst_harness_pull (f.v[i].h));
    gst_buffer_unref (pull_total (&f));
  }
  run_periods (&f, 103, 150);

  talk = take_talk (bus);
  g_assert_cmpuint (talk->len, ==, 2);
  g_assert_cmpstr (g_array_index (talk, Talk, 0).pad, ==, "sink_0");
  g_assert_true (g_array_index (talk, Talk, 0).speaking);
  g_assert_cmpuint (g_array_index (talk, Talk, 0).at, ==, KAIGI_VOICE_ON_MS * GST_MSECOND);
  g_assert_cmpstr (g_array_index (talk, Talk, 1).pad, ==, "sink_0");
  g_assert_false (g_array_index (talk, Talk, 1).speaking);
  g_assert_cmpuint (g_array_index (talk, Talk, 1).at, ==,
                    GST_SECOND + KAIGI_VOICE_OFF_MS * GST_MSECOND);
  for (guint i = 0; i < talk->len; i++)
    g_free (g_array_index (talk, Talk, i).pad);
  g_array_unref (talk);
  gst_element_set_bus (f.mix, NULL);
  fixture_teardown (&f);
}

/* (6) 200 request/release cycles while playing: each sink_N comes with src_N, both go
 * away together and are freed; the element's pad count is back where it was. */
static void
test_pad_churn (void)
{
  Fixture f = { 0 };
  guint base;

  fixture_setup (&f, 1);
  base = f.mix->numpads;
  g_assert_cmpuint (base, ==, 3); /* src, sink_0, src_0 */
  for (guint i = 0; i < 200; i++) {
    GstPad *sink = gst_element_request_pad_simple (f.mix, "sink_%u");
    g_autofree char *name = gst_pad_get_name (sink);
    g_autofree char *ear_name = g_strdup_printf ("src_%s", name + 5);
    GstPad *ear = gst_element_get_static_pad (f.mix, ear_name);
    gint64 until = g_get_monotonic_time () + G_USEC_PER_SEC;

    g_assert_nonnull (ear);
    g_assert_cmpuint (f.mix->numpads, ==, base + 2);
    g_object_add_weak_pointer (G_OBJECT (sink), (gpointer *)&sink);
    g_object_add_weak_pointer (G_OBJECT (ear), (gpointer *)&ear);
    gst_element_release_request_pad (f.mix, sink);
    gst_object_unref (sink);
    gst_object_unref (ear);
    while ((sink || ear) && g_get_monotonic_time () < until)
      g_usleep (1000); /* the aggregate thread may hold a reference for a moment */
    g_assert_null (sink);
    g_assert_null (ear);
    g_assert_cmpuint (f.mix->numpads, ==, base);
  }
  /* Still mixing. */
  run_periods (&f, 0, 2);
  fixture_teardown (&f);
}

static GstPadProbeReturn
count_buffer (GstPad *pad, GstPadProbeInfo *info, gpointer count)
{
  g_atomic_int_inc ((gint *)count);
  return GST_PAD_PROBE_OK;
}

/* (0) A meeting's mixer runs before anyone joins (on the clock, force-live), and logs about
 * its first period before it has a pad: the total flows, and nothing is logged with a
 * category not made yet (a GLib critical, fatal here). Registered first, so that no pad of
 * the element exists yet in this process. */
static void
test_runs_with_no_inputs (void)
{
  g_autoptr (GstElement) pipe = gst_parse_launch ("kaigimixminus name=m ! fakesink name=out "
                                                  "sync=false async=false",
                                                  NULL);
  g_autoptr (GstElement) out = NULL;
  g_autoptr (GstPad) sink = NULL;
  gint count = 0;
  gint64 end = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  g_assert_nonnull (pipe);
  /* As the server logs (INFO), but nowhere: only the category matters. */
  gst_debug_remove_log_function (gst_debug_log_default);
  gst_debug_set_threshold_for_name ("kaigi-mixminus*", GST_LEVEL_INFO);
  out = gst_bin_get_by_name (GST_BIN (pipe), "out");
  sink = gst_element_get_static_pad (out, "sink");
  gst_pad_add_probe (sink, GST_PAD_PROBE_TYPE_BUFFER, count_buffer, &count, NULL);
  gst_element_set_state (pipe, GST_STATE_PLAYING);
  while (g_atomic_int_get (&count) < 5 && g_get_monotonic_time () < end)
    g_usleep (10000);
  gst_element_set_state (pipe, GST_STATE_NULL);
  g_assert_cmpint (count, >=, 5); /* 100 ms of the total, with nobody in */
}

/* (9) A group (a venue's page and its WHIP ingest): A and B in group 7, C alone. A's and B's
 * ears are C only (neither hears the room itself, through the other input either); C hears
 * A + B. With A silent but B talking, A's ear is still not the shared total (which has B). */
static void
test_group_leaves_out_the_place (void)
{
  Fixture f = { 0 };
  g_autoptr (GstPad) sink_a = NULL, sink_b = NULL;
  gboolean shared = TRUE;

  fixture_setup (&f, 3);
  sink_a = gst_element_get_static_pad (f.mix, "sink_0");
  sink_b = gst_element_get_static_pad (f.mix, "sink_1");
  g_object_set (sink_a, "group", 7, NULL);
  g_object_set (sink_b, "group", 7, NULL);
  f.v[0] = (Voice){ 450, 0.25, f.v[0].h };
  f.v[1] = (Voice){ 1000, 0.125, f.v[1].h };
  f.v[2] = (Voice){ 1500, 0.0625, f.v[2].h };
  for (guint k = 0; k < 30; k++) {
    Pcm pe[3];
    const gint16 *ear[3];
    if (k == 15)
      f.v[0].amp = 0; /* A stops; B goes on */
    push_all (&f, k);
    gst_buffer_unref (pull_total (&f));
    for (guint i = 0; i < 3; i++)
      ear[i] = pcm_map (&pe[i], gst_harness_pull (f.v[i].h));
    for (guint s = 0; s < P; s++) {
      gint16 c = sample (&f.v[2], (guint64)k * P + s);
      g_assert_cmpint (ear[0][s], ==, c);
      g_assert_cmpint (ear[1][s], ==, c);
      g_assert_cmpint (ear[2][s], ==,
                       sample (&f.v[0], (guint64)k * P + s) + sample (&f.v[1], (guint64)k * P + s));
    }
    for (guint i = 0; i < 3; i++)
      pcm_unmap (&pe[i]);
  }
  g_object_get (sink_a, "shared", &shared, NULL);
  g_assert_false (shared); /* A is silent, B is not: A's ear leaves B out */
  fixture_teardown (&f);
}

/* ---- the shared Opus packet ---- */

typedef struct {
  GArray *pcm;    /* gint16: the decoded stream, one decoder from the first packet on */
  GPtrArray *pkt; /* GstBuffer refs, one per period */
  OpusDecoder *dec;
} Listener;

/* (8) Silence shares one encoded stream. D talks (400 Hz) all along; A talks (1000 Hz) in
 * periods 50..99 only; B and C never. Every period: the mixer encodes the total once; B's and
 * C's ear encoders (kaigiopusear) send that very packet, byte for byte, encoding nothing;
 * D's, and A's while A talks, are their own. A's ear goes shared -> own -> shared while what
 * A hears (D's tone) goes on: decoded by one decoder, it is D's tone at the level it was sent
 * in every period, the switches included, and never A's own. Prints the switches' distortion
 * with and without the own encoder's warm-up. */
static double
run_shared_opus (guint warm_up)
{
  Fixture f = { 0 };
  Listener l[4] = { 0 };
  GstHarness *enc[4];
  guint64 own0, shared0, own1, shared1, mixer_packets = 0;
  guint n = 150, switch_periods[] = { 0, 50, 100 };
  double worst = -200;
  const double d_db = 20 * log10 (0.2);

  fixture_setup (&f, 4);
  g_object_set (f.mix, "opus-bitrate", 32000, NULL);
  f.v[0] = (Voice){ 1000, 0, f.v[0].h };
  f.v[3] = (Voice){ 400, 0.2, f.v[3].h };
  for (guint i = 0; i < 4; i++) {
    enc[i] = gst_harness_new ("kaigiopusear");
    g_object_set (enc[i]->element, "bitrate", 32000, "warm-up", warm_up, NULL);
    gst_harness_set_src_caps_str (enc[i], CAPS);
    l[i].pcm = g_array_new (FALSE, FALSE, sizeof (gint16));
    l[i].pkt = g_ptr_array_new_with_free_func ((GDestroyNotify)gst_buffer_unref);
    l[i].dec = opus_decoder_create (RATE, 1, NULL);
  }
  kaigi_opus_ear_counts (&own0, &shared0);
  for (guint k = 0; k < n; k++) {
    f.v[0].amp = k >= 50 && k < 100 ? 0.25 : 0;
    push_all (&f, k);
    gst_buffer_unref (pull_total (&f));
    for (guint i = 0; i < 4; i++) {
      GstBuffer *raw = gst_harness_pull (f.v[i].h), *pkt;
      GstMapInfo map;
      gint16 pcm[P];
      int got;
      g_assert_cmpint (gst_harness_push (enc[i], raw), ==, GST_FLOW_OK);
      pkt = gst_harness_pull (enc[i]);
      g_assert_cmpuint (GST_BUFFER_PTS (pkt), ==, k * PERIOD_TIME);
      gst_buffer_map (pkt, &map, GST_MAP_READ);
      got = opus_decode (l[i].dec, map.data, map.size, pcm, P, 0);
      gst_buffer_unmap (pkt, &map);
      g_assert_cmpint (got, ==, P);
      g_array_append_vals (l[i].pcm, pcm, P);
      g_ptr_array_add (l[i].pkt, pkt);
    }
  }
  kaigi_opus_ear_counts (&own1, &shared1);
  g_object_get (f.mix, "opus-packets", &mixer_packets, NULL);
  g_assert_cmpuint (mixer_packets, ==, n); /* one encode of the total per period */

  /* B and C: the same bytes, every period. A: the shared ones while silent. */
  for (guint k = 0; k < n; k++) {
    GstBuffer *b = l[1].pkt->pdata[k], *c = l[2].pkt->pdata[k], *a = l[0].pkt->pdata[k];
    GstBuffer *d = l[3].pkt->pdata[k];
    gboolean a_talks_or_hangover = k >= 50 && k < 100 + KAIGI_VOICE_HANGOVER_MS / 20;
    g_assert_cmpint (gst_buffer_get_size (b), ==, gst_buffer_get_size (c));
    {
      GstMapInfo mb, mc, ma, md;
      gst_buffer_map (b, &mb, GST_MAP_READ);
      gst_buffer_map (c, &mc, GST_MAP_READ);
      gst_buffer_map (a, &ma, GST_MAP_READ);
      gst_buffer_map (d, &md, GST_MAP_READ);
      g_assert_true (mb.size == mc.size && memcmp (mb.data, mc.data, mb.size) == 0);
      /* D talks all along: its packets are its own, never the shared one. */
      g_assert_false (md.size == mb.size && memcmp (md.data, mb.data, mb.size) == 0);
      if (k > 5 && k < 50) /* A silent from the start: shared (after the detector's start) */
        g_assert_true (ma.size == mb.size && memcmp (ma.data, mb.data, mb.size) == 0);
      if (k >= 50 + 10 && k < 100) /* A talks: its own packets */
        g_assert_false (ma.size == mb.size && memcmp (ma.data, mb.data, mb.size) == 0);
      if (!a_talks_or_hangover && k > 100 + KAIGI_VOICE_HANGOVER_MS / 20)
        g_assert_true (ma.size == mb.size && memcmp (ma.data, mb.data, mb.size) == 0);
      gst_buffer_unmap (b, &mb);
      gst_buffer_unmap (c, &mc);
      gst_buffer_unmap (a, &ma);
      gst_buffer_unmap (d, &md);
    }
  }
  /* The ears encoded only D's, and A's while A talked; the rest came from the mixer. */
  g_assert_cmpuint (own1 - own0 + shared1 - shared0, ==, 4 * n);
  g_assert_cmpuint (own1 - own0, <, n + 50 + KAIGI_VOICE_HANGOVER_MS / 20 + 15);
  g_assert_cmpuint (shared1 - shared0, >, 2 * n + 50 - 15);

  /* What A heard, decoded: D's tone at its level in every period (the codec's delay is a few
   * ms, so from period 2 on), A's own tone never; the distortion around each switch is what
   * is left when D's tone is taken away (Goertzel power vs the whole period's). */
  for (guint k = 2; k < n; k++) {
    const gint16 *a = &g_array_index (l[0].pcm, gint16, (gsize)k * P);
    double all = 0, tone = tone_db (a, P, 400), rest;
    for (guint s = 0; s < P; s++)
      all += (double)a[s] * a[s];
    all = 10 * log10 (MAX (all / P, 1e-9) / (32767.0 * 32767.0 / 2));
    rest = 10 * log10 (MAX (pow (10, all / 10) - pow (10, tone / 10), 1e-12));
    if (g_getenv ("KAIGI_TEST_VERBOSE"))
      g_printerr ("warm-up %u, period %u: tone %.2f dB, the rest %.1f dB below it\n", warm_up, k,
                  tone, tone - rest);
    if (warm_up) /* cold, the switch drops out for a few ms: measured, not asserted */
      g_assert_cmpfloat (fabs (tone - d_db), <, 1.5);
    g_assert_cmpfloat (tone_db (a, P, 1000), <, d_db - 30);
    for (guint w = 0; w < G_N_ELEMENTS (switch_periods); w++) {
      /* A's ear: own until the detector finds A silent, own from 50, shared again. */
      guint at = switch_periods[w] + (w != 1 ? KAIGI_VOICE_HANGOVER_MS / 20 : 0);
      if (k + 3 >= at && k <= at + 20)
        worst = MAX (worst, rest - tone);
    }
  }
  g_test_message ("ear switching shared/own, warm-up %u: the worst period's distortion %.1f dB "
                  "below the tone",
                  warm_up, -worst);
  for (guint i = 0; i < 4; i++) {
    gst_harness_teardown (enc[i]);
    g_array_unref (l[i].pcm);
    g_ptr_array_unref (l[i].pkt);
    opus_decoder_destroy (l[i].dec);
  }
  fixture_teardown (&f);
  return worst;
}

static void
test_silence_shares_one_encoded_stream (void)
{
  double cold = run_shared_opus (0), warm = run_shared_opus (2);

  /* Warmed up (the default), a switch leaves the rest well below the tone (26 dB here);
   * cold, it drops out for the encoder's lookahead (8 dB). */
  g_assert_cmpfloat (warm, <, -20);
  g_assert_cmpfloat (warm, <, cold - 10);
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  g_assert_true (kaigi_mixminus_register ());
  g_assert_true (kaigi_opus_ear_register ());
  g_test_add_func ("/mixminus/runs-with-no-inputs", test_runs_with_no_inputs);
  g_test_add_func ("/mixminus/hears-the-others-never-itself", test_hears_the_others_never_itself);
  g_test_add_func ("/mixminus/silent-ones-share-one-buffer", test_silent_ones_share_one_buffer);
  g_test_add_func ("/mixminus/clipping-is-limited", test_clipping_is_limited);
  g_test_add_func ("/mixminus/missing-input-is-silence", test_missing_input_is_silence);
  g_test_add_func ("/mixminus/active-speaker", test_active_speaker);
  g_test_add_func ("/mixminus/pad-churn", test_pad_churn);
  g_test_add_func ("/mixminus/group-leaves-out-the-place", test_group_leaves_out_the_place);
  g_test_add_func ("/mixminus/silence-shares-one-encoded-stream",
                   test_silence_shares_one_encoded_stream);
  return g_test_run ();
}
