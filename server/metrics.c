/* metrics.c: what town IT staff watch, as Prometheus text (GET /metrics).
 *
 * Only figures with a real source are exported (docs/operations.md lists them):
 *   - meetings, participants (all are role "member" until roles exist), WebRTC peers;
 *   - RTP packets and bytes in and out of the webrtcbins, counted by buffer probes on their
 *     pads (peer.c), so "out, video" is exactly what was forwarded to participants;
 *   - mixer and encoder load: the CPU time of the threads that mix (each meeting's
 *     kaigimixminus, "mix-N:src") and encode each participant's Opus (the ear queue's
 *     "pN-ear0:src" runs opusenc and payloader), read from /proc/self/task;
 *   - event-loop lag: a 100 ms GLib timer on the main context measures how late it fires;
 *   - process CPU, resident memory, threads and open files, from /proc/self.
 * Thread: main loop, except kaigi_metrics_count_rtp (any thread).
 */
#include "metrics.h"

#include <string.h>
#include <unistd.h>

#include "media/opusdec.h"
#include "media/opusear.h"
#include "peer.h"

#define LAG_TICK_MS 100
#define LAG_WINDOW_US (10 * G_USEC_PER_SEC)

/* [direction][video] */
static guint64 rtp_packets[2][2];
static guint64 recorded_bytes[2]; /* [video] */
static guint64 recording_errors;
static guint64 rtp_bytes[2][2];

static struct {
  guint source;
  gint64 expected_us;
  gint64 window_start_us;
  gint64 max_us, prev_max_us; /* the current and the previous 10 s window */
  guint64 ticks;
  gint64 total_us;
} lag;

void
kaigi_metrics_count_recorded (gboolean video, guint64 bytes)
{
  __atomic_add_fetch (&recorded_bytes[!!video], bytes, __ATOMIC_RELAXED);
}

void
kaigi_metrics_recording_error (void)
{
  __atomic_add_fetch (&recording_errors, 1, __ATOMIC_RELAXED);
}

void
kaigi_metrics_count_rtp (KaigiMetricsDirection dir, gboolean video, guint packets, guint64 bytes)
{
  __atomic_add_fetch (&rtp_packets[dir][!!video], packets, __ATOMIC_RELAXED);
  __atomic_add_fetch (&rtp_bytes[dir][!!video], bytes, __ATOMIC_RELAXED);
}

/* Main thread, every LAG_TICK_MS: how much later than asked did the main loop get here? */
static gboolean
on_lag_tick (gpointer user_data)
{
  gint64 now = g_get_monotonic_time ();
  gint64 late = MAX (0, now - lag.expected_us);

  lag.ticks++;
  lag.total_us += late;
  if (now - lag.window_start_us > LAG_WINDOW_US) {
    lag.prev_max_us = lag.max_us;
    lag.max_us = 0;
    lag.window_start_us = now;
  }
  lag.max_us = MAX (lag.max_us, late);
  lag.expected_us = now + LAG_TICK_MS * 1000;
  return G_SOURCE_CONTINUE;
}

void
kaigi_metrics_start (void)
{
  if (lag.source)
    return;
  lag.expected_us = g_get_monotonic_time () + LAG_TICK_MS * 1000;
  lag.window_start_us = g_get_monotonic_time ();
  lag.source = g_timeout_add (LAG_TICK_MS, on_lag_tick, NULL);
}

void
kaigi_metrics_stop (void)
{
  g_clear_handle_id (&lag.source, g_source_remove);
}

/* ---- /proc ---- */

/* utime + stime of /proc/self/task/<tid>/stat or /proc/self/stat, in clock ticks; the name
 * in parentheses into @comm (may be NULL). */
static gboolean
read_stat (const char *path, char *comm, gsize comm_len, guint64 *ticks)
{
  g_autofree char *text = NULL;
  const char *open, *close;
  g_auto (GStrv) f = NULL;

  if (!g_file_get_contents (path, &text, NULL, NULL) || !(open = strchr (text, '('))
      || !(close = strrchr (text, ')')))
    return FALSE;
  if (comm)
    g_strlcpy (comm, open + 1, MIN (comm_len, (gsize)(close - open)));
  /* After "pid (comm) ": state is field 3, utime 14, stime 15 -> index 11 and 12 here. */
  f = g_strsplit (close + 2, " ", 14);
  if (g_strv_length (f) < 14)
    return FALSE;
  *ticks = g_ascii_strtoull (f[11], NULL, 10) + g_ascii_strtoull (f[12], NULL, 10);
  return TRUE;
}

/* CPU seconds and count of the live threads named "mix-N:src" (comm keeps 15 characters:
 * the prefix is what is sure): the meetings' mixers, which also carry every ear. */
static void
mixer_threads (double *seconds, guint *count)
{
  g_autoptr (GDir) dir = g_dir_open ("/proc/self/task", 0, NULL);
  const char *tid;
  guint64 ticks = 0;

  *count = 0;
  while (dir && (tid = g_dir_read_name (dir))) {
    g_autofree char *path = g_strdup_printf ("/proc/self/task/%s/stat", tid);
    char comm[32];
    guint64 t;
    if (read_stat (path, comm, sizeof (comm), &t) && g_str_has_prefix (comm, "mix-")) {
      ticks += t;
      (*count)++;
    }
  }
  *seconds = (double)ticks / sysconf (_SC_CLK_TCK);
}

static guint64
status_field (const char *text, const char *name)
{
  const char *line = text ? strstr (text, name) : NULL;

  return line ? g_ascii_strtoull (line + strlen (name), NULL, 10) : 0;
}

static guint
open_fds (void)
{
  g_autoptr (GDir) dir = g_dir_open ("/proc/self/fd", 0, NULL);
  guint n = 0;

  while (dir && g_dir_read_name (dir))
    n++;
  return n;
}

/* ---- the page ---- */

static void
family (GString *out, const char *name, const char *type, const char *help)
{
  g_string_append_printf (out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void
rtp_family (GString *out, const char *name, const char *help, guint64 (*v)[2])
{
  static const char *const dirs[] = { "in", "out" }, *const kinds[] = { "audio", "video" };

  family (out, name, "counter", help);
  for (guint d = 0; d < 2; d++)
    for (guint k = 0; k < 2; k++)
      g_string_append_printf (out, "%s{direction=\"%s\",kind=\"%s\"} %" G_GUINT64_FORMAT "\n", name,
                              dirs[d], kinds[k], __atomic_load_n (&v[d][k], __ATOMIC_RELAXED));
}

char *
kaigi_metrics_render (KaigiRooms *rooms, KaigiAsr *asr)
{
  guint by_role[KAIGI_N_ROLES] = { 0 };
  guint meetings = rooms ? kaigi_rooms_count_by_role (rooms, by_role) : 0;
  GString *out = g_string_new (NULL);
  g_autofree char *status = NULL;
  guint64 cpu_ticks = 0;
  double mixer_s;
  guint mixers;

  family (out, "kaigi_meetings", "gauge",
          "Meetings with a live room (someone joined since start).");
  g_string_append_printf (out, "kaigi_meetings %u\n", meetings);
  family (out, "kaigi_participants", "gauge", "Participants in meetings, by role.");
  for (guint r = 0; r < KAIGI_N_ROLES; r++)
    g_string_append_printf (out, "kaigi_participants{role=\"%s\"} %u\n", kaigi_role_to_string (r),
                            by_role[r]);
  {
    guint peak = 0, viewers = rooms ? kaigi_rooms_viewers (rooms, &peak) : 0;
    family (out, "kaigi_public_viewers", "gauge",
            "Public gallery pages open now (heard from in the last 40 s), all meetings.");
    g_string_append_printf (out, "kaigi_public_viewers %u\n", viewers);
    family (out, "kaigi_public_viewers_peak", "gauge",
            "Sum over live meetings of each one's peak of simultaneous viewers (傍聴人数).");
    g_string_append_printf (out, "kaigi_public_viewers_peak %u\n", peak);
    family (out, "kaigi_public_whep_viewers", "gauge",
            "WebRTC (WHEP) connections to the public programs, all meetings.");
    g_string_append_printf (out, "kaigi_public_whep_viewers %u\n",
                            rooms ? kaigi_rooms_whep_viewers (rooms) : 0);
  }
  family (out, "kaigi_peers", "gauge",
          "Media peers alive: WebRTC participants and public programs (including those being "
          "torn down).");
  g_string_append_printf (out, "kaigi_peers %u\n", kaigi_peer_alive_count ());
  family (out, "kaigi_peers_closing", "gauge", "WebRTC peer teardowns still running.");
  g_string_append_printf (out, "kaigi_peers_closing %u\n", kaigi_peer_closing_count ());
  rtp_family (out, "kaigi_rtp_packets_total", "RTP packets into and out of the webrtcbins.",
              rtp_packets);
  rtp_family (out, "kaigi_rtp_bytes_total",
              "RTP bytes (before SRTP) into and out of the webrtcbins.", rtp_bytes);

  family (out, "kaigi_recording_bytes_total", "counter",
          "Media bytes (Opus, VP8 frames) handed to the recorder's WebM muxers.");
  for (guint k = 0; k < 2; k++)
    g_string_append_printf (out, "kaigi_recording_bytes_total{kind=\"%s\"} %" G_GUINT64_FORMAT "\n",
                            k ? "video" : "audio",
                            __atomic_load_n (&recorded_bytes[k], __ATOMIC_RELAXED));
  family (out, "kaigi_recording_errors_total", "counter",
          "Recording branches that failed (disk full, muxer refused data); the meeting goes on.");
  g_string_append_printf (out, "kaigi_recording_errors_total %" G_GUINT64_FORMAT "\n",
                          __atomic_load_n (&recording_errors, __ATOMIC_RELAXED));

  if (asr) {
    guint64 failed = 0, done = kaigi_asr_done_count (asr, &failed);
    double busy = 0, audio;
    family (out, "kaigi_asr_backlog", "gauge",
            "Utterances waiting for speech recognition or being recognised (spooled on disk).");
    g_string_append_printf (out, "kaigi_asr_backlog %u\n", kaigi_asr_backlog (asr));
    family (out, "kaigi_asr_utterances_total", "counter",
            "Utterances recognised since start, by result.");
    g_string_append_printf (
        out, "kaigi_asr_utterances_total{result=\"ok\"} %" G_GUINT64_FORMAT "\n", done - failed);
    g_string_append_printf (
        out, "kaigi_asr_utterances_total{result=\"failed\"} %" G_GUINT64_FORMAT "\n", failed);
    audio = kaigi_asr_seconds (asr, &busy);
    family (out, "kaigi_asr_audio_seconds_total", "counter", "Seconds of speech recognised.");
    g_string_append_printf (out, "kaigi_asr_audio_seconds_total %.3f\n", audio);
    family (out, "kaigi_asr_busy_seconds_total", "counter",
            "Time the recognisers took (busy / audio is the real-time factor).");
    g_string_append_printf (out, "kaigi_asr_busy_seconds_total %.3f\n", busy);
  }

  {
    guint64 own, shared;
    kaigi_opus_ear_counts (&own, &shared);
    family (out, "kaigi_ear_packets_total", "counter",
            "Opus packets of the participants' mix-minus: encoded for one listener (own), or "
            "the meeting's total encoded once for everyone silent (shared).");
    g_string_append_printf (out, "kaigi_ear_packets_total{encoder=\"own\"} %" G_GUINT64_FORMAT "\n",
                            own);
    g_string_append_printf (
        out, "kaigi_ear_packets_total{encoder=\"shared\"} %" G_GUINT64_FORMAT "\n", shared);
  }
  family (out, "kaigi_mic_packets_refused_total", "counter",
          "Opus packets from participants' mics that libopus could not decode (dropped).");
  g_string_append_printf (out, "kaigi_mic_packets_refused_total %" G_GUINT64_FORMAT "\n",
                          kaigi_opus_dec_refused ());
  mixer_threads (&mixer_s, &mixers);
  family (out, "kaigi_mixer_threads", "gauge",
          "Threads mixing the meetings' audio (each participant's ear is encoded on them).");
  g_string_append_printf (out, "kaigi_mixer_threads %u\n", mixers);
  family (out, "kaigi_mixer_cpu_seconds", "gauge",
          "CPU time of the live mixer/encoder threads (drops when a participant leaves).");
  g_string_append_printf (out, "kaigi_mixer_cpu_seconds %.3f\n", mixer_s);

  family (out, "kaigi_event_loop_lag_seconds", "gauge",
          "Worst lateness of a 100 ms main-loop timer over the last 10 to 20 s.");
  g_string_append_printf (out, "kaigi_event_loop_lag_seconds %.6f\n",
                          MAX (lag.max_us, lag.prev_max_us) / 1e6);
  family (out, "kaigi_event_loop_lag_seconds_total", "counter",
          "Sum of the lateness of every main-loop timer tick.");
  g_string_append_printf (out, "kaigi_event_loop_lag_seconds_total %.6f\n", lag.total_us / 1e6);
  family (out, "kaigi_event_loop_ticks_total", "counter", "Main-loop timer ticks measured.");
  g_string_append_printf (out, "kaigi_event_loop_ticks_total %" G_GUINT64_FORMAT "\n", lag.ticks);

  g_file_get_contents ("/proc/self/status", &status, NULL, NULL);
  read_stat ("/proc/self/stat", NULL, 0, &cpu_ticks);
  family (out, "process_cpu_seconds_total", "counter", "User and system CPU time.");
  g_string_append_printf (out, "process_cpu_seconds_total %.2f\n",
                          (double)cpu_ticks / sysconf (_SC_CLK_TCK));
  family (out, "process_resident_memory_bytes", "gauge", "Resident memory.");
  g_string_append_printf (out, "process_resident_memory_bytes %" G_GUINT64_FORMAT "\n",
                          status_field (status, "VmRSS:") * 1024);
  family (out, "process_threads", "gauge", "Threads of the process.");
  g_string_append_printf (out, "process_threads %" G_GUINT64_FORMAT "\n",
                          status_field (status, "Threads:"));
  family (out, "process_open_fds", "gauge", "Open file descriptors.");
  g_string_append_printf (out, "process_open_fds %u\n", open_fds ());
  return g_string_free (out, FALSE);
}
