/* mixminus-bench.c: CPU cost of the meeting's audio mix, kaigimixminus against the design it
 * replaces (one audiomixer per participant with the N-1 others' mics through tees), for N
 * participants, measured in one run on the same input.
 *
 * Not a test: built, never run by meson test. Run: build/tests/mixminus-bench [periods]
 *
 * Each participant is an appsrc that pushes the same pre-made 20 ms buffer (shallow copies,
 * restamped), so that generating input costs next to nothing; a run with the sources alone
 * into fakesinks is the baseline subtracted from the others. All outputs go to fakesinks
 * (sync=false), so the pipelines run as fast as the CPU allows; CPU time is the process's
 * user+system time from PLAYING to EOS (getrusage), so the other users of the machine affect
 * it less than wall time. "talk" is how many participants carry a tone (the others push
 * digital silence): kaigimixminus does less for silent ones, audiomixer does not.
 * Thread: main, plus the pipelines' own streaming threads. */
#include <gst/app/gstappsrc.h>
#include <gst/gst.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "media/mixdsp.h"
#include "media/mixminus.h"

#define P KAIGI_MIXMINUS_PERIOD
#define PERIOD_TIME (20 * GST_MSECOND)
#define CAPS "audio/x-raw,format=S16LE,rate=48000,channels=1,layout=interleaved"

typedef struct {
  GstBuffer *buf; /* owned */
  guint periods, k;
} Feed;

static void
feed_free (gpointer data)
{
  Feed *f = data;

  gst_buffer_unref (f->buf);
  g_free (f);
}

/* appsrc streaming thread: the next period, or EOS. */
static void
need_data (GstAppSrc *src, guint length, gpointer user_data)
{
  Feed *f = user_data;
  GstBuffer *b;

  if (f->k == f->periods) {
    gst_app_src_end_of_stream (src);
    return;
  }
  b = gst_buffer_copy (f->buf); /* shares the memory */
  GST_BUFFER_PTS (b) = f->k * PERIOD_TIME;
  GST_BUFFER_DURATION (b) = PERIOD_TIME;
  f->k++;
  gst_app_src_push_buffer (src, b);
}

static GstElement *
make (GstElement *pipeline, const char *factory)
{
  GstElement *e = gst_element_factory_make (factory, NULL);

  if (!e) {
    g_printerr ("mixminus-bench: no element %s\n", factory);
    exit (1);
  }
  gst_bin_add (GST_BIN (pipeline), e);
  return e;
}

static GstElement *
make_sink (GstElement *pipeline)
{
  GstElement *sink = make (pipeline, "fakesink");

  g_object_set (sink, "sync", FALSE, "async", FALSE, NULL);
  return sink;
}

/* Participant @i's mic: a tone if @talking, else digital silence. */
static GstElement *
make_source (GstElement *pipeline, guint i, gboolean talking, guint periods)
{
  GstElement *src = make (pipeline, "appsrc");
  g_autoptr (GstCaps) caps = gst_caps_from_string (CAPS);
  GstAppSrcCallbacks cb = { .need_data = need_data };
  Feed *f = g_new0 (Feed, 1);
  GstMapInfo map;

  f->periods = periods;
  f->buf = gst_buffer_new_allocate (NULL, P * 2, NULL);
  gst_buffer_map (f->buf, &map, GST_MAP_WRITE);
  for (guint s = 0; s < P; s++) /* 50 Hz steps: whole cycles per period, no clicks */
    ((gint16 *)map.data)[s]
        = talking ? (gint16)(3000 * sin (2 * G_PI * 50 * (i + 4) * s / 48000.0)) : 0;
  gst_buffer_unmap (f->buf, &map);
  g_object_set (src, "caps", caps, "format", GST_FORMAT_TIME, "is-live", FALSE, "max-bytes",
                (guint64)4 * P * 2, NULL);
  gst_app_src_set_callbacks (GST_APP_SRC (src), &cb, f, feed_free);
  return src;
}

static void
link_pads (GstPad *src, GstPad *sink)
{
  if (gst_pad_link (src, sink) != GST_PAD_LINK_OK) {
    g_printerr ("mixminus-bench: cannot link %s to %s\n", GST_PAD_NAME (src), GST_PAD_NAME (sink));
    exit (1);
  }
}

static gint64
cpu_ns (void)
{
  struct rusage ru;

  getrusage (RUSAGE_SELF, &ru);
  return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * G_GINT64_CONSTANT (1000000000)
         + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * G_GINT64_CONSTANT (1000);
}

/* Plays @pipeline to EOS; the CPU time it took in ns. */
static gint64
run (GstElement *pipeline)
{
  g_autoptr (GstBus) bus = gst_element_get_bus (pipeline);
  g_autoptr (GstMessage) msg = NULL;
  gint64 start = cpu_ns (), used;

  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  msg = gst_bus_timed_pop_filtered (bus, 600 * GST_SECOND, GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  used = cpu_ns () - start;
  if (!msg || GST_MESSAGE_TYPE (msg) != GST_MESSAGE_EOS) {
    g_printerr ("mixminus-bench: the pipeline did not reach EOS\n");
    exit (1);
  }
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (pipeline);
  return used;
}

static gint64
bench_sources (guint n, guint periods)
{
  GstElement *pipeline = gst_pipeline_new (NULL);

  for (guint i = 0; i < n; i++)
    gst_element_link (make_source (pipeline, i, TRUE, periods), make_sink (pipeline));
  return run (pipeline);
}

/* N sources into one kaigimixminus; every src_N and the total into fakesinks. */
static gint64
bench_mixminus (guint n, guint talk, guint periods)
{
  GstElement *pipeline = gst_pipeline_new (NULL);
  GstElement *mix = make (pipeline, "kaigimixminus");

  for (guint i = 0; i < n; i++) {
    GstElement *src = make_source (pipeline, i, i < talk, periods);
    g_autoptr (GstPad) sink = gst_element_request_pad_simple (mix, "sink_%u");
    g_autofree char *name = gst_pad_get_name (sink);
    g_autofree char *ear_name = g_strdup_printf ("src_%s", name + 5);
    g_autoptr (GstPad) src_pad = gst_element_get_static_pad (src, "src");
    g_autoptr (GstPad) ear = gst_element_get_static_pad (mix, ear_name);
    g_autoptr (GstPad) ear_sink = gst_element_get_static_pad (make_sink (pipeline), "sink");
    link_pads (src_pad, sink);
    link_pads (ear, ear_sink);
  }
  gst_element_link (mix, make_sink (pipeline));
  return run (pipeline);
}

/* The current design: each source into a tee, each participant's audiomixer takes the N-1
 * other tees (straight into its pads, as media/forward.c links them) into a fakesink. */
static gint64
bench_audiomixers (guint n, guint talk, guint periods)
{
  GstElement *pipeline = gst_pipeline_new (NULL);
  g_autofree GstElement **tees = g_new0 (GstElement *, n);

  for (guint i = 0; i < n; i++) {
    tees[i] = make (pipeline, "tee");
    gst_element_link (make_source (pipeline, i, i < talk, periods), tees[i]);
  }
  for (guint j = 0; j < n; j++) {
    GstElement *mixer = make (pipeline, "audiomixer");
    g_object_set (mixer, "output-buffer-duration", PERIOD_TIME, NULL);
    for (guint i = 0; i < n; i++) {
      if (i == j)
        continue;
      g_autoptr (GstPad) tee_pad = gst_element_request_pad_simple (tees[i], "src_%u");
      g_autoptr (GstPad) sink = gst_element_request_pad_simple (mixer, "sink_%u");
      link_pads (tee_pad, sink);
    }
    gst_element_link (mixer, make_sink (pipeline));
  }
  return run (pipeline);
}

/* This thread's CPU time: the other users of the machine do not count. */
static gint64
thread_cpu_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * G_GINT64_CONSTANT (1000000000) + ts.tv_nsec;
}

/* The arithmetic alone, as kaigimixminus does it per period with everyone talking: the sum
 * of @n inputs, then @n limited ears (total minus own). ns per output sample. */
static double
bench_arithmetic (guint n, guint periods)
{
  g_autofree gint16 *in = g_new0 (gint16, (gsize)n * P);
  g_autofree gint16 *out = g_new0 (gint16, P);
  g_autofree KaigiLimiter *lim = g_new0 (KaigiLimiter, n);
  gint32 total[P];
  gint64 start;

  for (guint i = 0; i < n * P; i++)
    in[i] = (gint16)(3000 * sin (i * 0.01 * (i / P + 1)));
  for (guint i = 0; i < n; i++)
    kaigi_limiter_init (&lim[i]);
  start = thread_cpu_ns ();
  for (guint k = 0; k < periods; k++) {
    memset (total, 0, sizeof total);
    for (guint i = 0; i < n; i++)
      for (guint s = 0; s < P; s++)
        total[s] += in[i * P + s];
    for (guint i = 0; i < n; i++)
      kaigi_limiter_run (&lim[i], total, in + i * P, out, P);
  }
  return (thread_cpu_ns () - start) / ((double)n * periods * P);
}

int
main (int argc, char **argv)
{
  static const guint sizes[] = { 10, 20, 30, 60 };
  guint periods = argc > 1 ? (guint)atoi (argv[1]) : 250;

  gst_init (&argc, &argv);
  kaigi_mixminus_register ();
  g_print ("%u periods of 20 ms (%.1f s of audio) per run; CPU time less the sources' own.\n"
           "ns/sample: per output sample (N ears x 960 a period); %%RT: CPU per 20 ms period.\n\n",
           periods, periods * 0.02);
  g_print ("%4s %10s | %21s | %21s | %21s | %7s %7s\n", "N", "sources", "mixminus, all talk",
           "mixminus, 2 talk", "N audiomixers", "ratio", "ratio2");
  g_print ("%4s %10s | %10s %10s | %10s %10s | %10s %10s | %7s %7s\n", "", "ms CPU", "ns/sample",
           "%RT", "ns/sample", "%RT", "ns/sample", "%RT", "all", "2 talk");
  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++) {
    guint n = sizes[s];
    double outs = (double)n * periods * P;
    gint64 base = bench_sources (n, periods);
    gint64 mm = MAX (bench_mixminus (n, n, periods) - base, 1);
    gint64 mm2 = MAX (bench_mixminus (n, 2, periods) - base, 1);
    gint64 am = MAX (bench_audiomixers (n, n, periods) - base, 1);
    g_print ("%4u %10.1f | %10.2f %9.2f%% | %10.2f %9.2f%% | %10.2f %9.2f%% | %7.1f %7.1f\n", n,
             base / 1e6, mm / outs, 100.0 * mm / periods / PERIOD_TIME, mm2 / outs,
             100.0 * mm2 / periods / PERIOD_TIME, am / outs, 100.0 * am / periods / PERIOD_TIME,
             (double)am / mm, (double)am / mm2);
  }
  g_print ("\nThe arithmetic alone (sum of N, then N limited ears), ns per output sample:");
  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    g_print ("  N=%u %.2f", sizes[s], bench_arithmetic (sizes[s], periods * 4));
  g_print ("\n");
  return 0;
}
