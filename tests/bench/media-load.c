/* media-load.c: kaigi-media-load, N WebRTC participants in one process, for the media bench.
 *
 * Not a test and not part of the server: tests/bench/media-bench.mjs starts a fresh server,
 * makes a meeting with N members and their join tokens, and runs this program against it:
 *
 *   kaigi-media-load --url ws://127.0.0.1:PORT/ws --meeting ID --tokens FILE [--seconds 20]
 *
 * DESIGN. One Opus and one VP8 encoder for the whole process (audiotestsrc, a moving
 * zone plate at 640x360, 500 kbit/s, deadline=1), their frames handed to every participant's
 * appsrc as shallow copies: the load on the server is N real publishers, the load generator's
 * own CPU goes to webrtcbin (SRTP, RTP, ICE), not to encoding. Independent cameras are not in
 * step, so client k sends its copy of each frame (k-1)/N of a frame interval after the encoder
 * put it out (audio: of 20 ms); --in-phase sends every copy at once, a burst of N frames per
 * frame interval that no meeting produces. Each participant
 * (media-load-client.c) joins with its token over the signalling WebSocket, answers the
 * server's offer and receives the mix-minus and the video slots.
 *
 * Because the server forwards VP8 frames unchanged (depayloaded, teed, payloaded per slot),
 * a frame's bytes identify it: the encoder's output is hashed and its time noted in the
 * frame table; every frame out of a receiver's depayloader is hashed and looked up. The
 * difference (one process, one monotonic clock), less the phase of the publisher whose copy it
 * is, is the time the frame spent in both clients' webrtcbins and in the server, an upper
 * bound of what the server adds. Every publisher sends the same frames, so a frame's index says
 * which frame it is, not whose: whose comes from the server's "slots" messages (the
 * participant in the slot of the m-line it arrived on).
 *
 * Phases (main thread): all clients join (one every --stagger-ms); wait until every client
 * is connected, hears the mix and receives video in min(N-1, K) slots (--ready-timeout);
 * warm up (--warmup); the window (--seconds), announced on stdout as lines
 * "WINDOW start" and "WINDOW end" for the driver to read the server's /proc figures; one
 * line "RESULT {json}"; every client leaves. Exit 0 when every client was ready.
 *
 * Threads: main (GLib loop: WebSockets, phases); the encoders' streaming threads (frame table,
 * pushes); each client's webrtcbin and stream threads (probes). Load.lock guards the frame
 * table, the window and the streams' counters. */
#include <glib-unix.h>
#include <gst/app/gstappsink.h>
#include <gst/video/video.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <string.h>

#include "media-load.h"
#include "media/srtp-crypto.h"

#define GRACE_US (500 * G_TIME_SPAN_MILLISECOND) /* frames sent later are not counted */
#define KEEP_US (10 * G_USEC_PER_SEC)            /* how long a sent frame is remembered */
#define KEYFRAME_GAP_US (300 * G_TIME_SPAN_MILLISECOND)

typedef struct {
  guint64 hash; /* the key */
  gint64 at_us; /* monotonic time at the encoder's output */
  guint32 index;
  gboolean key; /* a VP8 keyframe (the first byte's bit 0 clear) */
} SentFrame;

static struct {
  char *url, *tokens;
  gint64 meeting;
  int latency, seconds, warmup, ready_timeout, stagger_ms, fps, width, height, bitrate;
  double volume;
  gboolean in_phase;
} opt = { .latency = 50,
          .seconds = 20,
          .warmup = 5,
          .ready_timeout = 90,
          .stagger_ms = 100,
          .fps = 20,
          .width = 640,
          .height = 360,
          .bitrate = 500000,
          .volume = 0.001 };

static GOptionEntry entries[] = {
  { "url", 0, 0, G_OPTION_ARG_STRING, &opt.url, "signalling WebSocket (ws://HOST:PORT/ws)", "URL" },
  { "meeting", 0, 0, G_OPTION_ARG_INT64, &opt.meeting, "meeting id", "ID" },
  { "tokens", 0, 0, G_OPTION_ARG_FILENAME, &opt.tokens, "join tokens, one a line: one client each",
    "FILE" },
  { "latency", 0, 0, G_OPTION_ARG_INT, &opt.latency,
    "the clients' receive jitterbuffers, ms (50, as the server's default)", "MS" },
  { "seconds", 0, 0, G_OPTION_ARG_INT, &opt.seconds, "measurement window (20)", "S" },
  { "warmup", 0, 0, G_OPTION_ARG_INT, &opt.warmup, "after all are ready (5)", "S" },
  { "ready-timeout", 0, 0, G_OPTION_ARG_INT, &opt.ready_timeout, "for all to be ready (90)", "S" },
  { "stagger-ms", 0, 0, G_OPTION_ARG_INT, &opt.stagger_ms, "between two joins (100)", "MS" },
  { "fps", 0, 0, G_OPTION_ARG_INT, &opt.fps, "video frame rate (20)", "N" },
  { "width", 0, 0, G_OPTION_ARG_INT, &opt.width, "video width (640)", "N" },
  { "height", 0, 0, G_OPTION_ARG_INT, &opt.height, "video height (360)", "N" },
  { "video-bitrate", 0, 0, G_OPTION_ARG_INT, &opt.bitrate, "VP8 target, bit/s (500000)", "N" },
  { "in-phase", 0, 0, G_OPTION_ARG_NONE, &opt.in_phase,
    "every client sends each frame at the same moment (a burst per frame; default: the clients' "
    "phases spread over a frame interval, as independent cameras are)",
    NULL },
  { "volume", 0, 0, G_OPTION_ARG_DOUBLE, &opt.volume,
    "tone level, 0..1 (0.001: -60 dBFS, below the server's speech detection)", "V" },
  { NULL },
};

/* FNV-1a, 64 bits. */
static guint64
frame_hash (const guint8 *data, gsize size)
{
  guint64 h = 0xcbf29ce484222325ULL;

  for (gsize i = 0; i < size; i++)
    h = (h ^ data[i]) * 0x100000001b3ULL;
  return h;
}

/* ---- the frame table ---- */

static gboolean
too_old (gpointer key, gpointer value, gpointer now)
{
  return ((SentFrame *)value)->at_us < *(gint64 *)now - KEEP_US;
}

/* Thread: the video encoder's. */
static void
note_sent (Load *load, const guint8 *data, gsize size)
{
  SentFrame *f = g_new0 (SentFrame, 1);
  gint64 now = g_get_monotonic_time ();

  f->hash = frame_hash (data, size);
  f->at_us = now;
  f->key = size > 0 && !(data[0] & 1);
  g_mutex_lock (&load->lock);
  f->index = load->next_index++;
  if (f->key && load->measuring && !load->closing)
    load->key_frames++;
  g_hash_table_replace (load->sent, &f->hash, f);
  if (f->index % 100 == 0)
    g_hash_table_foreach_remove (load->sent, too_old, &now);
  g_mutex_unlock (&load->lock);
}

gint64
load_phase_us (Load *load, guint number, gboolean video)
{
  gint64 period = video ? G_USEC_PER_SEC / MAX (load->fps, 1) : 20 * G_TIME_SPAN_MILLISECOND;

  if (load->in_phase || number == 0 || load->n == 0)
    return 0;
  return (gint64)((number - 1) % load->n) * period / load->n;
}

void
load_frame_arrived (Load *load, LoadStream *s, const guint8 *data, gsize size, gint64 now,
                    guint publisher)
{
  guint64 h = frame_hash (data, size);
  SentFrame *f;

  g_mutex_lock (&load->lock);
  f = g_hash_table_lookup (load->sent, &h);
  if (f && load->measuring && f->index >= load->first_index
      && (!load->closing || f->index < load->end_index)) {
    guint bit = f->index % LOAD_RING;
    if (!(s->seen[bit / 8] & (1 << (bit % 8)))) {
      s->seen[bit / 8] |= 1 << (bit % 8);
      /* Whose copy it is comes from the server's slot messages; a frame that arrives while
       * they are not known (a slot switching) counts as received, with no latency. */
      if (publisher || load->in_phase) {
        gint64 us = now - f->at_us - load_phase_us (load, publisher, TRUE);
        g_array_append_val (load->latency_us, us);
        g_array_append_val (f->key ? load->latency_key_us : load->latency_delta_us, us);
      }
    }
  }
  g_mutex_unlock (&load->lock);
}

void
load_packet_arrived (Load *load, LoadStream *s, guint16 seq)
{
  g_mutex_lock (&load->lock);
  if (s->have_seq)
    s->ext_seq += (gint16)(seq - s->last_seq);
  else
    s->ext_seq = seq + 65536;
  s->have_seq = TRUE;
  s->last_seq = seq;
  if (load->measuring && !load->closing) {
    if (!s->in_window) {
      s->in_window = TRUE;
      s->first_ext = s->max_ext = s->ext_seq;
    }
    s->max_ext = MAX (s->max_ext, s->ext_seq);
    s->packets++;
  }
  g_mutex_unlock (&load->lock);
}

void
load_packet_sent (Load *load, gboolean video)
{
  g_mutex_lock (&load->lock);
  if (load->measuring && !load->closing)
    load->sent_packets[video]++;
  g_mutex_unlock (&load->lock);
}

void
load_request_keyframe (Load *load)
{
  gint64 now = g_get_monotonic_time ();
  gboolean send;

  g_mutex_lock (&load->lock);
  send = now - load->last_key_us > KEYFRAME_GAP_US;
  if (send)
    load->last_key_us = now;
  g_mutex_unlock (&load->lock);
  if (send)
    gst_pad_send_event (load->venc_src,
                        gst_video_event_new_upstream_force_key_unit (GST_CLOCK_TIME_NONE, TRUE, 0));
}

/* ---- the shared encoders ---- */

/* Thread: an encoder's streaming thread. */
static GstFlowReturn
on_sample (GstAppSink *sink, gpointer data)
{
  Load *load = data;
  g_autoptr (GstSample) sample = gst_app_sink_pull_sample (sink);
  GstBuffer *buf = sample ? gst_sample_get_buffer (sample) : NULL;
  gboolean video = g_str_equal (GST_OBJECT_NAME (sink), "v");
  GstMapInfo map;

  if (!buf)
    return GST_FLOW_OK;
  if (video && gst_buffer_map (buf, &map, GST_MAP_READ)) {
    note_sent (load, map.data, map.size);
    gst_buffer_unmap (buf, &map);
  }
  for (guint i = 0; i < load->clients->len; i++)
    load_client_push (load->clients->pdata[i], video, buf);
  return GST_FLOW_OK;
}

static gboolean
start_source (Load *load, GError **error)
{
  g_autofree char *desc = g_strdup_printf (
      "audiotestsrc is-live=true wave=sine freq=440 volume=%g ! "
      "audio/x-raw,rate=48000,channels=1 ! opusenc bitrate=32000 frame-size=20 ! "
      "appsink name=a sync=false "
      "videotestsrc is-live=true pattern=zone-plate kx2=20 ky2=20 kt=1 ! "
      "video/x-raw,width=%d,height=%d,framerate=%d/1 ! "
      "vp8enc name=venc target-bitrate=%d deadline=1 cpu-used=8 end-usage=cbr "
      "keyframe-max-dist=%d ! appsink name=v sync=false",
      opt.volume, opt.width, opt.height, opt.fps, opt.bitrate, opt.fps * 3);
  GstAppSinkCallbacks cb = { .new_sample = on_sample };

  load->source = gst_parse_launch (desc, error);
  if (!load->source)
    return FALSE;
  for (int i = 0; i < 2; i++) {
    g_autoptr (GstElement) sink = gst_bin_get_by_name (GST_BIN (load->source), i ? "v" : "a");
    gst_app_sink_set_callbacks (GST_APP_SINK (sink), &cb, load, NULL);
  }
  {
    g_autoptr (GstElement) venc = gst_bin_get_by_name (GST_BIN (load->source), "venc");
    load->venc_src = gst_element_get_static_pad (venc, "src");
  }
  if (gst_element_set_state (load->source, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_STATE_CHANGE, "the encoders do not start");
    return FALSE;
  }
  return TRUE;
}

/* ---- phases (main thread) ---- */

static gboolean
tick (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* Runs the main loop for @ms, or until @done (may be NULL) or a signal. */
static gboolean
spin (Load *load, guint ms, gboolean (*done) (Load *))
{
  gint64 end = g_get_monotonic_time () + ms * G_TIME_SPAN_MILLISECOND;
  guint t = g_timeout_add (50, tick, NULL);

  while (!load->stop && g_get_monotonic_time () < end && !(done && done (load)))
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (t);
  return done && !load->stop && done (load);
}

static guint
expected_slots (Load *load)
{
  LoadClient *c = load->clients->pdata[0];
  guint k = load_client_slots (c);

  return MIN (load->n - 1, k ? k : 1);
}

static guint
count_ready (Load *load, gboolean say_why)
{
  guint ready = 0;

  for (guint i = 0; i < load->clients->len; i++) {
    g_autofree char *why = NULL;
    if (load_client_ready (load->clients->pdata[i], expected_slots (load), &why))
      ready++;
    else if (say_why)
      g_printerr ("media-load: not ready: %s\n", why);
  }
  return ready;
}

static gboolean
all_ready (Load *load)
{
  return count_ready (load, FALSE) == load->n;
}

static gboolean
on_signal (gpointer data)
{
  ((Load *)data)->stop = TRUE;
  return G_SOURCE_CONTINUE;
}

static void
begin_window (Load *load)
{
  g_mutex_lock (&load->lock);
  for (guint i = 0; i < load->clients->len; i++) {
    GPtrArray *streams = load_client_streams (load->clients->pdata[i]);
    for (guint j = 0; j < streams->len; j++) {
      LoadStream *s = streams->pdata[j];
      s->in_window = FALSE;
      s->packets = 0;
      memset (s->seen, 0, sizeof (s->seen));
    }
  }
  load->first_index = load->next_index;
  load->window_start_us = g_get_monotonic_time ();
  load->measuring = TRUE;
  g_mutex_unlock (&load->lock);
  g_print ("WINDOW start\n");
}

static int
cmp_int64 (gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *)a, y = *(const gint64 *)b;

  return (x > y) - (x < y);
}

static double
percentile_ms (GArray *sorted, double p)
{
  if (!sorted->len)
    return -1;
  return g_array_index (sorted, gint64, (guint)MIN (sorted->len - 1, p * sorted->len)) / 1000.0;
}

static void
add_number (JsonBuilder *b, const char *name, double v)
{
  json_builder_set_member_name (b, name);
  json_builder_add_double_value (b, v);
}

/* Called once the window is over (measuring still set, closing set): the figures as one
 * JSON object on stdout. */
static void
report (Load *load, guint ready, double seconds)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *text = NULL;
  guint64 v_streams = 0, v_pkts = 0, v_lost = 0, a_streams = 0, a_pkts = 0, a_lost = 0;
  guint64 matched = 0, frames = load->end_index - load->first_index;

  g_mutex_lock (&load->lock);
  load->measuring = FALSE;
  for (guint i = 0; i < load->clients->len; i++) {
    GPtrArray *streams = load_client_streams (load->clients->pdata[i]);
    for (guint j = 0; j < streams->len; j++) {
      LoadStream *s = streams->pdata[j];
      guint64 expected = s->in_window ? s->max_ext - s->first_ext + 1 : 0;
      guint64 lost = expected > s->packets ? expected - s->packets : 0;
      if (s->video) {
        v_streams++, v_pkts += s->packets, v_lost += lost;
        for (guint32 k = load->first_index; k < load->end_index; k++)
          matched += (s->seen[(k % LOAD_RING) / 8] >> (k % LOAD_RING % 8)) & 1;
      } else {
        a_streams++, a_pkts += s->packets, a_lost += lost;
      }
    }
  }
  g_array_sort (load->latency_us, cmp_int64);
  g_array_sort (load->latency_key_us, cmp_int64);
  g_array_sort (load->latency_delta_us, cmp_int64);
  json_builder_begin_object (b);
  add_number (b, "clients", load->n);
  add_number (b, "ready", ready);
  add_number (b, "slots", expected_slots (load));
  add_number (b, "seconds", seconds);
  add_number (b, "framesSent", frames);
  add_number (b, "videoStreams", v_streams);
  add_number (b, "framesExpected", frames * v_streams);
  add_number (b, "framesMatched", matched);
  add_number (b, "latencySamples", load->latency_us->len);
  add_number (b, "latencyP50Ms", percentile_ms (load->latency_us, 0.50));
  add_number (b, "latencyP95Ms", percentile_ms (load->latency_us, 0.95));
  add_number (b, "latencyMaxMs", percentile_ms (load->latency_us, 1.0));
  add_number (b, "keyFramesSent", load->key_frames);
  add_number (b, "latencyKeyP95Ms", percentile_ms (load->latency_key_us, 0.95));
  add_number (b, "latencyDeltaP50Ms", percentile_ms (load->latency_delta_us, 0.50));
  add_number (b, "latencyDeltaP95Ms", percentile_ms (load->latency_delta_us, 0.95));
  add_number (b, "sentVideoPackets", load->sent_packets[1]);
  add_number (b, "sentAudioPackets", load->sent_packets[0]);
  add_number (b, "videoPackets", v_pkts);
  add_number (b, "videoLost", v_lost);
  add_number (b, "audioStreams", a_streams);
  add_number (b, "audioPackets", a_pkts);
  add_number (b, "audioLost", a_lost);
  json_builder_end_object (b);
  g_mutex_unlock (&load->lock);
  root = json_builder_get_root (b);
  text = json_to_string (root, FALSE);
  g_print ("RESULT %s\n", text);
}

static gboolean
read_tokens (Load *load, GError **error)
{
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;
  guint n = 0;

  if (!g_file_get_contents (opt.tokens, &text, NULL, error))
    return FALSE;
  lines = g_strsplit (text, "\n", -1);
  for (char **l = lines; *l; l++) {
    LoadClient *c;
    if (!*g_strstrip (*l))
      continue;
    if (!(c = load_client_new (load, ++n, *l, error)))
      return FALSE;
    g_ptr_array_add (load->clients, c);
  }
  load->n = n;
  if (n < 2)
    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "--tokens: fewer than 2 tokens");
  return n >= 2;
}

static int
run (Load *load)
{
  guint ready;
  gint64 t0;

  for (guint i = 0; i < load->n && !load->stop; i++) {
    load_client_connect (load->clients->pdata[i]);
    spin (load, opt.stagger_ms, NULL);
  }
  if (!spin (load, opt.ready_timeout * 1000, all_ready))
    g_printerr ("media-load: after %d s, %u of %u clients are ready\n", opt.ready_timeout,
                count_ready (load, TRUE), load->n);
  else
    g_printerr ("media-load: all %u clients ready, warming up for %d s\n", load->n, opt.warmup);
  spin (load, opt.warmup * 1000, NULL);
  if (load->stop)
    return 2;
  ready = count_ready (load, TRUE);
  t0 = g_get_monotonic_time ();
  begin_window (load);
  spin (load, opt.seconds * 1000 - GRACE_US / 1000, NULL);
  g_mutex_lock (&load->lock);
  load->end_index = load->next_index;
  load->closing = TRUE;
  g_mutex_unlock (&load->lock);
  g_print ("WINDOW end\n");
  spin (load, GRACE_US / 1000, NULL);
  report (load, ready, (g_get_monotonic_time () - t0 - GRACE_US) / 1e6);
  return ready == load->n ? 0 : 3;
}

int
main (int argc, char **argv)
{
  g_autoptr (GOptionContext) ctx = g_option_context_new ("- WebRTC participants for kaigi");
  g_autoptr (GError) error = NULL;
  Load load = { 0 };
  int code;

  setvbuf (stdout, NULL, _IOLBF, 0);
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_add_group (ctx, gst_init_get_option_group ());
  if (!g_option_context_parse (ctx, &argc, &argv, &error) || !opt.url || !opt.tokens
      || opt.meeting <= 0) {
    g_printerr ("kaigi-media-load: %s\n",
                error ? error->message : "--url, --meeting and --tokens are required");
    return 2;
  }
  if (opt.seconds < 2 || opt.seconds * opt.fps >= LOAD_RING || opt.fps < 1) {
    g_printerr ("kaigi-media-load: --seconds x --fps must be under %d\n", LOAD_RING);
    return 2;
  }
  /* The participants stand in for browsers, whose SRTP (BoringSSL) is not NSS's either. */
  if (!kaigi_srtp_crypto_init (&error)) {
    g_printerr ("kaigi-media-load: %s\n", error->message);
    g_clear_error (&error);
  }
  load.url = opt.url;
  load.meeting = opt.meeting;
  load.latency_ms = opt.latency;
  load.in_phase = opt.in_phase;
  load.fps = opt.fps;
  g_mutex_init (&load.lock);
  load.sent = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, g_free);
  load.numbers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  load.latency_us = g_array_new (FALSE, FALSE, sizeof (gint64));
  load.latency_key_us = g_array_new (FALSE, FALSE, sizeof (gint64));
  load.latency_delta_us = g_array_new (FALSE, FALSE, sizeof (gint64));
  load.clients = g_ptr_array_new ();
  load.session = soup_session_new ();
  g_unix_signal_add (SIGINT, on_signal, &load);
  g_unix_signal_add (SIGTERM, on_signal, &load);
  if (!read_tokens (&load, &error) || !start_source (&load, &error)) {
    g_printerr ("kaigi-media-load: %s\n", error->message);
    code = 2;
  } else {
    code = run (&load);
  }
  for (guint i = 0; i < load.clients->len; i++)
    load_client_leave (load.clients->pdata[i]);
  spin (&load, 300, NULL);
  if (load.source)
    gst_element_set_state (load.source, GST_STATE_NULL);
  for (guint i = 0; i < load.clients->len; i++)
    load_client_free (load.clients->pdata[i]);
  g_clear_object (&load.venc_src);
  g_clear_object (&load.source);
  g_ptr_array_unref (load.clients);
  g_object_unref (load.session);
  g_hash_table_unref (load.sent);
  g_hash_table_unref (load.numbers);
  g_array_unref (load.latency_us);
  g_array_unref (load.latency_key_us);
  g_array_unref (load.latency_delta_us);
  g_mutex_clear (&load.lock);
  return code;
}
