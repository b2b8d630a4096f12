/* record.c: a participant's mic (Opus frames) and camera (VP8 frames) written, without
 * transcoding, into WebM pieces of about two seconds by splitmuxsink, so that a killed
 * process loses at most the piece being written. The pieces and their times go into the
 * meeting's manifest (recorder/manifest.c); docs/recording.md describes the folder.
 *
 *   opus-tee / cam-tee -> queue (leaky) -> [guard] splitmuxsink (webmmux, filesink)
 *
 * The branch follows forward.c's rules for tees (ARCHITECTURE.md): it is PLAYING before its
 * tee pad is linked, and leaves by an IDLE probe; the queue is leaky so that a slow disk never
 * blocks the publisher. What forward.c does not need: a write error (disk full) must not
 * reach the tee, which would stop the publisher for everybody. The guard is splitmuxsink's
 * sink pad's chain function: it turns every failure into OK, and the error message that
 * filesink posts reaches on_error (the graph routes it to this branch, not to the peer), which
 * removes the branch and tells the room.
 *
 * Video pieces must start on keyframes. splitmuxsink asks upstream for one at the time the
 * next piece is due (send-keyframe-requests), but a browser answers a PLI at once, not at the
 * requested running time: on_upstream_event holds the request and a timer sends it (as a
 * keyframe request without SSRC, the form that reaches the camera through rtpfunnel) when it
 * is due. These requests bypass forward.c's throttle (a dropped one would make a piece last
 * until the camera's next spontaneous keyframe) but count in it, so subscribers asking at the
 * same time do not cause a second keyframe.
 *
 * Branch life: new --branch_new--> recording --detach--> detaching --on_idle/on_detached-->
 *              finishing (EOS, waiting for the last fragment-closed) --finish--> freed
 *
 * Thread: main loop, except the probes, the guard and on_idle (streaming threads), which hop
 * to the main loop with a reference. */
#include "../peer-private.h"

#include "kaigi-error.h"
#include "metrics.h"

GST_DEBUG_CATEGORY_STATIC (kaigi_record_debug);
#define GST_CAT_DEFAULT kaigi_record_debug

#define PIECE_NS (2 * GST_SECOND)
/* Longest wait for splitmuxsink to close the last piece after EOS. */
#define FINISH_TIMEOUT_MS 3000
/* Quiet time after a piece closed at EOS before the branch is removed. */
#define SETTLE_MS 300

struct _KaigiRecordBranch {
  gatomicrefcount ref;          /* main + one per hop in flight */
  KaigiPeer *peer;              /* ref until detached */
  KaigiGraph *graph;            /* not owned; outlives branches (freed after the last teardown) */
  KaigiManifest *manifest;      /* ref */
  char *who;                    /* owned */
  char *name;                   /* owned: the person's name, for a restarted session */
  const char *kind;             /* static: "audio" or "video" */
  guint session;                /* in the manifest */
  KaigiPeerRecordFailed failed; /* NULL once the owner stopped listening */
  gpointer user;
  GstElement *tee;       /* the peer's, not owned */
  GstPad *tee_pad;       /* owned */
  GstElement *queue;     /* owned ref, in the graph */
  GstElement *splitmux;  /* owned ref, in the graph */
  GstCaps *pinned;       /* video caps written to every piece; streaming thread */
  GstSegment segment;    /* streaming thread: the tee's, to compute running times */
  GstClockTime last_in;  /* streaming thread: running time of the last frame that came */
  GstClockTime last_rt;  /* streaming thread: ... and that it was recorded at */
  GstClockTime shift;    /* streaming thread: recorded time minus stream time (restamp) */
  guint stepped_back;    /* streaming thread: times the stream went back */
  gint waiting_keyframe; /* atomic */
  gint keyframes;        /* atomic: keyframes let through so far (video) */
  gint asked_at;         /* main: the value of keyframes when the last request went out */
  guint asked_again;     /* main: requests repeated since a keyframe came */
  gint broken;           /* atomic: the muxer or the file refused data */
  guint keyframe_timer;  /* main */
  guint finish_timer;    /* main */
  gboolean detaching, detached, eos, finished, counted, last_closed, failed_state;
  /* Restarts after stream errors: how many since restart_since (monotonic µs). */
  guint restarts;
  gint64 restart_since;
};

static KaigiRecordBranch *
branch_ref (KaigiRecordBranch *b)
{
  g_atomic_ref_count_inc (&b->ref);
  return b;
}

static void
branch_unref (gpointer data)
{
  KaigiRecordBranch *b = data;

  if (!g_atomic_ref_count_dec (&b->ref))
    return;
  g_clear_pointer (&b->pinned, gst_caps_unref);
  kaigi_manifest_unref (b->manifest);
  g_free (b->who);
  g_free (b->name);
  g_free (b);
}

static gboolean
is_video (KaigiRecordBranch *b)
{
  return b->kind[0] == 'v';
}

/* ---- the guard (streaming thread) ---- */

static GstFlowReturn
swallow (KaigiRecordBranch *b, GstFlowReturn ret)
{
  if (ret != GST_FLOW_OK && g_atomic_int_compare_and_exchange (&b->broken, 0, 1)) {
    kaigi_metrics_recording_error ();
    GST_WARNING ("recording %s/%s: the muxer returned %s; dropping its data", b->who, b->kind,
                 gst_flow_get_name (ret));
  }
  return GST_FLOW_OK;
}

static GstFlowReturn
guard_chain (GstPad *pad, GstObject *parent, GstBuffer *buffer)
{
  KaigiRecordBranch *b = g_object_get_data (G_OBJECT (pad), "kaigi-record-branch");

  if (g_atomic_int_get (&b->broken)) {
    gst_buffer_unref (buffer);
    return GST_FLOW_OK;
  }
  kaigi_metrics_count_recorded (is_video (b), gst_buffer_get_size (buffer));
  return swallow (b, gst_proxy_pad_chain_default (pad, parent, buffer));
}

static GstFlowReturn
guard_chain_list (GstPad *pad, GstObject *parent, GstBufferList *list)
{
  KaigiRecordBranch *b = g_object_get_data (G_OBJECT (pad), "kaigi-record-branch");

  if (g_atomic_int_get (&b->broken)) {
    gst_buffer_list_unref (list);
    return GST_FLOW_OK;
  }
  return swallow (b, gst_proxy_pad_chain_list_default (pad, parent, list));
}

/* The queue's own sink pad answers the tee with the queue's last downstream result; a
 * failure there (not-negotiated from the muxer, say) is the recording's, not the
 * publisher's: the tee always hears OK. */
static GstFlowReturn
guard_queue_chain (GstPad *pad, GstObject *parent, GstBuffer *buffer)
{
  KaigiRecordBranch *b = g_object_get_data (G_OBJECT (pad), "kaigi-record-branch");
  GstPadChainFunction chain = g_object_get_data (G_OBJECT (pad), "kaigi-record-chain");

  return swallow (b, chain (pad, parent, buffer));
}

static gboolean
guard_queue_event (GstPad *pad, GstObject *parent, GstEvent *event)
{
  GstPadEventFunction func = g_object_get_data (G_OBJECT (pad), "kaigi-record-event");
  gboolean serialized = GST_EVENT_IS_SERIALIZED (event);

  return func (pad, parent, event) || serialized;
}

static void
guard_queue (KaigiRecordBranch *b, GstPad *sink)
{
  g_object_set_data (G_OBJECT (sink), "kaigi-record-branch", b);
  g_object_set_data (G_OBJECT (sink), "kaigi-record-chain", GST_PAD_CHAINFUNC (sink));
  g_object_set_data (G_OBJECT (sink), "kaigi-record-event", GST_PAD_EVENTFUNC (sink));
  gst_pad_set_chain_function (sink, guard_queue_chain);
  gst_pad_set_event_function (sink, guard_queue_event);
}

/* ---- keyframes (video) ---- */

#define KEYFRAME_RETRY_MS 1000
#define KEYFRAME_RETRIES 5

static gboolean on_keyframe_check (gpointer user_data);

static gboolean
on_keyframe_due (gpointer user_data)
{
  KaigiRecordBranch *b = user_data;
  g_autoptr (GstPad) sink = NULL;

  b->keyframe_timer = 0;
  if (b->detaching || !b->peer)
    return G_SOURCE_REMOVE;
  kaigi_forward_keyframe_taken (b->peer);
  sink = gst_element_get_static_pad (b->queue, "sink");
  gst_pad_push_event (sink, kaigi_forward_keyframe_event ());
  /* splitmuxsink holds the piece in progress until the next keyframe: a request the camera
   * did not answer would leave seconds of video in memory only (lost if the process is
   * killed). Asked again every KEYFRAME_RETRY_MS until one comes, a few times. */
  b->asked_at = g_atomic_int_get (&b->keyframes);
  b->keyframe_timer = g_timeout_add (KEYFRAME_RETRY_MS, on_keyframe_check, b);
  return G_SOURCE_REMOVE;
}

static gboolean
on_keyframe_check (gpointer user_data)
{
  KaigiRecordBranch *b = user_data;

  b->keyframe_timer = 0;
  if (b->detaching || !b->peer)
    return G_SOURCE_REMOVE;
  if (g_atomic_int_get (&b->keyframes) != b->asked_at) {
    b->asked_again = 0;
    return G_SOURCE_REMOVE;
  }
  if (b->asked_again++ >= KEYFRAME_RETRIES) {
    GST_WARNING ("recording %s/%s: no keyframe after %u requests", b->who, b->kind, b->asked_again);
    b->asked_again = 0;
    return G_SOURCE_REMOVE;
  }
  GST_INFO ("recording %s/%s: no keyframe yet, asking again", b->who, b->kind);
  return on_keyframe_due (b);
}

typedef struct {
  KaigiRecordBranch *branch; /* ref */
  guint delay_ms;
} KeyframeHop;

static gboolean
schedule_keyframe (gpointer user_data)
{
  KeyframeHop *h = user_data;
  KaigiRecordBranch *b = h->branch;

  if (!b->detaching) {
    if (b->keyframe_timer)
      g_source_remove (b->keyframe_timer);
    b->keyframe_timer = g_timeout_add (h->delay_ms, on_keyframe_due, b);
  }
  return G_SOURCE_REMOVE;
}

static void
keyframe_hop_free (gpointer data)
{
  KeyframeHop *h = data;

  branch_unref (h->branch);
  g_free (h);
}

/* Streaming thread (splitmuxsink's, going upstream through the queue). */
static GstPadProbeReturn
on_upstream_event (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  KaigiRecordBranch *b = user_data;
  GstEvent *e = GST_PAD_PROBE_INFO_EVENT (info);
  const GstStructure *s = gst_event_get_structure (e);
  GstClockTime due = GST_CLOCK_TIME_NONE, now;
  KeyframeHop *h;

  if (!gst_event_has_name (e, "GstForceKeyUnit") || !s
      || !gst_structure_get_clock_time (s, "running-time", &due) || !GST_CLOCK_TIME_IS_VALID (due))
    return GST_PAD_PROBE_OK; /* ours, from on_keyframe_due */
  now = gst_element_get_current_running_time (b->queue);
  if (!GST_CLOCK_TIME_IS_VALID (now) || due <= now) {
    kaigi_forward_keyframe_taken (b->peer);
    gst_event_unref (e);
    GST_PAD_PROBE_INFO_DATA (info) = kaigi_forward_keyframe_event ();
    return GST_PAD_PROBE_OK;
  }
  h = g_new0 (KeyframeHop, 1);
  h->branch = branch_ref (b);
  /* Never held longer than a piece and a second: the recording's clock may run ahead of the
   * pipeline's (restamp), and a request that never goes out leaves the piece in memory. */
  h->delay_ms = (guint)(MIN (due - now, PIECE_NS + GST_SECOND) / GST_MSECOND);
  g_main_context_invoke_full (NULL, G_PRIORITY_DEFAULT, schedule_keyframe, h, keyframe_hop_free);
  return GST_PAD_PROBE_DROP;
}

/* Streaming thread (the tee's). Recording time may only go forward: splitmuxsink fails the
 * whole file otherwise ("Timestamping error on input streams"). A participant's stream does
 * step back now and then (by tens or hundreds of ms: rtpbin shifts a stream's timing for
 * lip-sync when a sender report comes, and a browser may change its SSRC). No frame is
 * dropped for it: the recording runs @shift ahead of the stream from then on, and catches up
 * by 1/CATCH_UP of the time between frames (2 %, which no one hears or sees). A single frame
 * from the past makes no lasting shift: a jump forward of more than MAX_JUMP while shifted
 * is taken out of the shift rather than left as a hole. */
#define CATCH_UP 50
#define MAX_JUMP (250 * GST_MSECOND)

static GstBuffer *
restamp (KaigiRecordBranch *b, GstBuffer *buf, GstClockTime rt)
{
  GstClockTime out,
      step = GST_BUFFER_DURATION_IS_VALID (buf) ? GST_BUFFER_DURATION (buf) : GST_MSECOND;

  if (b->shift && GST_CLOCK_TIME_IS_VALID (b->last_in) && rt > b->last_in)
    b->shift -= MIN (b->shift, (rt - b->last_in) / CATCH_UP);
  b->last_in = rt;
  out = rt + b->shift;
  if (b->shift && GST_CLOCK_TIME_IS_VALID (b->last_rt) && out > b->last_rt + MAX_JUMP) {
    out = MAX (rt, b->last_rt + step);
    b->shift = out - rt;
  }
  if (GST_CLOCK_TIME_IS_VALID (b->last_rt) && out <= b->last_rt) {
    if (b->stepped_back++ % 50 == 0)
      GST_INFO ("recording %s/%s: the stream stepped back from %" GST_TIME_FORMAT
                " to %" GST_TIME_FORMAT " (%u times so far); recorded %" GST_TIME_FORMAT " later",
                b->who, b->kind, GST_TIME_ARGS (b->last_rt), GST_TIME_ARGS (out), b->stepped_back,
                GST_TIME_ARGS (b->last_rt + step - rt));
    out = b->last_rt + step;
    b->shift = out - rt;
  }
  b->last_rt = out;
  if (out == rt)
    return buf;
  buf = gst_buffer_make_writable (buf);
  GST_BUFFER_PTS (buf) = gst_segment_position_from_running_time (&b->segment, GST_FORMAT_TIME, out);
  if (GST_BUFFER_DTS_IS_VALID (buf))
    GST_BUFFER_DTS (buf) = GST_BUFFER_PTS (buf);
  return buf;
}

/* Streaming thread (the tee's). A piece must start with a keyframe, and the muxer must see
 * one set of caps (matroskamux refuses a change of a track's caps: not-negotiated): the frame
 * size of a VP8 stream is in every keyframe, and players follow it; the caps only describe
 * the first. Opus frames are all "keyframes", and their caps do not change in substance. */
static GstPadProbeReturn
on_data (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  KaigiRecordBranch *b = user_data;

  if (info->type & GST_PAD_PROBE_TYPE_BUFFER) {
    GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER (info);
    GstClockTime ts = GST_BUFFER_PTS_IS_VALID (buf) ? GST_BUFFER_PTS (buf) : GST_BUFFER_DTS (buf);
    GstClockTime rt = gst_segment_to_running_time (&b->segment, GST_FORMAT_TIME, ts);
    if (GST_CLOCK_TIME_IS_VALID (rt))
      GST_PAD_PROBE_INFO_DATA (info) = buf = restamp (b, buf, rt);
    if (is_video (b) && !GST_BUFFER_FLAG_IS_SET (buf, GST_BUFFER_FLAG_DELTA_UNIT))
      g_atomic_int_inc (&b->keyframes);
    if (!g_atomic_int_get (&b->waiting_keyframe))
      return GST_PAD_PROBE_OK;
    if (GST_BUFFER_FLAG_IS_SET (buf, GST_BUFFER_FLAG_DELTA_UNIT))
      return GST_PAD_PROBE_DROP;
    g_atomic_int_set (&b->waiting_keyframe, 0);
    return GST_PAD_PROBE_OK;
  }
  if (info->type & GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM) {
    GstEvent *e = GST_PAD_PROBE_INFO_EVENT (info);
    GstCaps *caps;
    gint w = 0, h = 0;
    if (GST_EVENT_TYPE (e) == GST_EVENT_SEGMENT) {
      gst_event_copy_segment (e, &b->segment);
      return GST_PAD_PROBE_OK;
    }
    /* A lost packet becomes a GAP event (webrtcbin's jitterbuffers have do-lost on) stamped
     * with the time the packet would have had; splitmuxsink starts a piece's timing from a
     * GAP that comes between two frames, and fails the file if that time lies before what it
     * already wrote. A missing frame in a recording is just a missing frame. */
    if (GST_EVENT_TYPE (e) == GST_EVENT_GAP)
      return GST_PAD_PROBE_DROP;
    if (GST_EVENT_TYPE (e) != GST_EVENT_CAPS)
      return GST_PAD_PROBE_OK;
    gst_event_parse_caps (e, &caps);
    if (!b->pinned && !is_video (b)) {
      /* A browser's Opus has no "rate" in its caps (RTP Opus is always 48 kHz); the muxer
       * needs one. */
      GstCaps *fixed = gst_caps_copy (caps);
      if (!gst_structure_has_field (gst_caps_get_structure (fixed, 0), "rate"))
        gst_caps_set_simple (fixed, "rate", G_TYPE_INT, 48000, NULL);
      b->pinned = fixed;
      gst_event_unref (e);
      GST_PAD_PROBE_INFO_DATA (info) = gst_event_new_caps (fixed);
      return GST_PAD_PROBE_OK;
    }
    if (!b->pinned) {
      const GstStructure *st = gst_caps_get_structure (caps, 0);
      if (is_video (b)
          && (!gst_structure_get_int (st, "width", &w)
              || !gst_structure_get_int (st, "height", &h)))
        return GST_PAD_PROBE_DROP; /* the size comes with the first keyframe */
      b->pinned = gst_caps_ref (caps);
      return GST_PAD_PROBE_OK;
    }
    if (gst_caps_is_equal (caps, b->pinned))
      return GST_PAD_PROBE_OK;
    return GST_PAD_PROBE_DROP;
  }
  return GST_PAD_PROBE_OK;
}

/* Streaming thread. The tee asks every branch whether it accepts the publisher's caps and
 * refuses them for all if one says no: the recording takes whatever comes (on_data adapts
 * it), it never decides for the meeting. */
static GstPadProbeReturn
on_query (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  GstQuery *q = GST_PAD_PROBE_INFO_QUERY (info);

  if (GST_QUERY_TYPE (q) == GST_QUERY_ACCEPT_CAPS) {
    gst_query_set_accept_caps_result (q, TRUE);
    return GST_PAD_PROBE_HANDLED;
  }
  if (GST_QUERY_TYPE (q) == GST_QUERY_CAPS) {
    GstCaps *filter = NULL;
    gst_query_parse_caps (q, &filter);
    if (filter)
      gst_query_set_caps_result (q, filter);
    else {
      g_autoptr (GstCaps) any = gst_caps_new_any ();
      gst_query_set_caps_result (q, any);
    }
    return GST_PAD_PROBE_HANDLED;
  }
  return GST_PAD_PROBE_OK;
}

/* ---- pieces (main thread, from the bus) ---- */

static void restart_finish_timer (KaigiRecordBranch *b, guint ms);

static void
on_message (gpointer owner, GstMessage *msg)
{
  KaigiRecordBranch *b = owner;
  const GstStructure *s = gst_message_get_structure (msg);
  const char *location = s ? gst_structure_get_string (s, "location") : NULL;
  GstClockTime rt = GST_CLOCK_TIME_NONE;
  gboolean opened;

  if (!s || !location)
    return;
  opened = gst_structure_has_name (s, "splitmuxsink-fragment-opened");
  if (!opened && !gst_structure_has_name (s, "splitmuxsink-fragment-closed"))
    return;
  gst_structure_get_clock_time (s, "running-time", &rt);
  if (!GST_CLOCK_TIME_IS_VALID (rt))
    rt = kaigi_graph_running_time (b->graph);
  GST_INFO ("recording %s/%s: piece %s %s at %" GST_TIME_FORMAT, b->who, b->kind, location,
            opened ? "opened" : "closed", GST_TIME_ARGS (rt));
  if (opened)
    kaigi_manifest_piece_opened (b->manifest, b->who, b->kind, b->session, location,
                                 rt / GST_USECOND, kaigi_graph_wall_clock_of (b->graph, rt));
  else
    kaigi_manifest_piece_closed (b->manifest, b->who, b->kind, b->session, location,
                                 rt / GST_USECOND, kaigi_graph_wall_clock_of (b->graph, rt));
  /* After EOS, splitmuxsink may close a piece and open (and close) one more for the frames
   * it still held; the branch finishes once the messages stop: shortly after a close. */
  if (b->eos && b->detached)
    restart_finish_timer (b, opened ? FINISH_TIMEOUT_MS : SETTLE_MS);
  else if (b->eos && !opened)
    b->last_closed = TRUE;
}

/* ---- leaving ---- */

/* Branches between detach and finish. Main thread. */
static guint leaving_count;

guint
kaigi_record_leaving_count (void)
{
  return leaving_count;
}

static void
finish (KaigiRecordBranch *b)
{
  if (b->finished)
    return;
  b->finished = TRUE;
  leaving_count--; /* every finish follows a detach */
  if (b->finish_timer)
    g_source_remove (b->finish_timer), b->finish_timer = 0;
  if (b->keyframe_timer)
    g_source_remove (b->keyframe_timer), b->keyframe_timer = 0;
  /* splitmuxsink first: going to NULL it releases a queue thread it may be holding (it
   * waits for GOPs), which would otherwise block the queue's own state change forever. */
  kaigi_graph_remove (b->graph, b->splitmux);
  kaigi_graph_remove (b->graph, b->queue);
  g_clear_object (&b->queue);
  g_clear_object (&b->splitmux);
  kaigi_manifest_drop_empty_pieces (b->manifest, b->who, b->kind, b->session);
  if (!b->failed_state)
    kaigi_manifest_session_end (b->manifest, b->who, b->kind, b->session, KAIGI_SESSION_STOPPED,
                                NULL, g_get_real_time ());
  GST_INFO ("recording %s/%s session %u finished", b->who, b->kind, b->session);
  branch_unref (b);
}

static gboolean
on_finish_timeout (gpointer user_data)
{
  KaigiRecordBranch *b = user_data;

  b->finish_timer = 0;
  finish (b);
  return G_SOURCE_REMOVE;
}

static void
restart_finish_timer (KaigiRecordBranch *b, guint ms)
{
  if (b->finish_timer)
    g_source_remove (b->finish_timer);
  b->finish_timer = g_timeout_add (ms, on_finish_timeout, b);
}

/* Main thread: the tee no longer sees this branch. */
static gboolean
on_detached (gpointer user_data)
{
  KaigiRecordBranch *b = user_data;
  KaigiPeer *p = g_steal_pointer (&b->peer);

  b->detached = TRUE;
  gst_element_release_request_pad (b->tee, b->tee_pad);
  g_clear_object (&b->tee_pad);
  if (b->counted && --p->detaching == 0)
    kaigi_peer_finish_close (p);
  kaigi_peer_unref (p);
  if (!b->eos)
    finish (b);
  else
    restart_finish_timer (b, b->last_closed ? SETTLE_MS : FINISH_TIMEOUT_MS);
  return G_SOURCE_REMOVE;
}

/* Thread: whichever holds the tee pad, or the caller's if it is idle. */
static GstPadProbeReturn
on_idle (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  KaigiRecordBranch *b = user_data;
  g_autoptr (GstPad) sink = gst_element_get_static_pad (b->queue, "sink");

  gst_pad_unlink (b->tee_pad, sink);
  /* The last piece gets its end (cues, duration) rather than being cut. */
  if (b->eos)
    gst_pad_send_event (sink, gst_event_new_eos ());
  g_idle_add_full (G_PRIORITY_DEFAULT, on_detached, b, NULL);
  return GST_PAD_PROBE_REMOVE;
}

static void
detach (KaigiRecordBranch *b, gboolean eos)
{
  if (b->detaching)
    return;
  b->detaching = TRUE;
  leaving_count++;
  b->eos = eos && !g_atomic_int_get (&b->broken);
  b->failed = NULL;
  if (b->keyframe_timer)
    g_source_remove (b->keyframe_timer), b->keyframe_timer = 0;
  gst_pad_add_probe (b->tee_pad, GST_PAD_PROBE_TYPE_IDLE, on_idle, b, NULL);
}

static KaigiRecordBranch *branch_new (KaigiPeer *p, KaigiManifest *m, const char *who,
                                      const char *name, gboolean video, GError **error);

/* A stream error (timestamps the muxer refused, caps it could not take) is the muxer's
 * state, not the disk's: a fresh branch in a new session records on, and the manifest shows
 * the gap. At most RESTART_MAX times a minute, so a cause that persists ends as a failure. */
#define RESTART_MAX 5
#define RESTART_WINDOW_US (60 * G_USEC_PER_SEC)

static KaigiRecordBranch *
restart (KaigiRecordBranch *old, KaigiPeer *p, GError **error)
{
  gint64 now = g_get_monotonic_time ();
  KaigiRecordBranch *b;
  guint restarts = old->restarts;
  gint64 since = old->restart_since;

  if (!restarts || now - since > RESTART_WINDOW_US)
    restarts = 0, since = now;
  if (restarts >= RESTART_MAX) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_MEDIA, "failed %u times within a minute",
                 RESTART_MAX + 1);
    return NULL;
  }
  if (!(b = branch_new (p, old->manifest, old->who, old->name, is_video (old), error)))
    return NULL;
  b->restarts = restarts + 1;
  b->restart_since = since;
  return b;
}

/* Main thread (bus): splitmuxsink, its muxer or its file failed. A resource error (disk full,
 * file not writable) ends the track's recording; the participant and the meeting carry on.
 * A stream error restarts it in a new session. */
static void
on_error (gpointer owner, const GError *err)
{
  KaigiRecordBranch *b = owner;
  KaigiPeerRecordFailed failed = b->failed;
  gpointer user = b->user;
  KaigiPeer *p = b->peer;
  gboolean video = is_video (b);
  g_autoptr (GError) again = NULL;
  g_autofree char *message = g_strdup (err->message);

  if (b->detaching)
    return;
  GST_WARNING ("recording %s/%s session %u failed: %s", b->who, b->kind, b->session, message);
  if (!g_atomic_int_get (&b->broken))
    kaigi_metrics_recording_error ();
  g_atomic_int_set (&b->broken, 1);
  b->failed_state = TRUE;
  kaigi_manifest_session_end (b->manifest, b->who, b->kind, b->session, KAIGI_SESSION_FAILED,
                              message, g_get_real_time ());
  if (p && p->rec[video] == b)
    p->rec[video] = NULL;
  detach (b, FALSE);
  if (err->domain != GST_RESOURCE_ERROR && p && p->state != KAIGI_PEER_CLOSING && !p->rec[video]) {
    if ((p->rec[video] = restart (b, p, &again))) {
      p->rec[video]->failed = failed;
      p->rec[video]->user = user;
      GST_WARNING ("recording %s/%s goes on in session %u", b->who, b->kind,
                   p->rec[video]->session);
      if (failed)
        failed (user, b->who, b->kind, message, TRUE);
      return;
    }
    GST_WARNING ("recording %s/%s not restarted: %s", b->who, b->kind, again->message);
  }
  if (failed)
    failed (user, b->who, b->kind, message, FALSE);
}

/* ---- making a branch ---- */

static GstElement *
make (KaigiRecordBranch *b, const char *factory, GError **error)
{
  static guint serial;
  g_autofree char *name
      = g_strdup_printf ("%s-rec-%s-%u", b->peer->id, b->kind, g_atomic_int_add (&serial, 1));
  GstElement *e = kaigi_graph_make (factory, name, error);

  if (!e)
    return NULL;
  gst_object_ref (e);
  kaigi_graph_add (b->graph, e, b, on_error);
  kaigi_graph_watch_messages (e, on_message);
  return e;
}

static gboolean
build (KaigiRecordBranch *b, const char *location, GError **error)
{
  GstElement *mux = NULL, *file = NULL;
  g_autoptr (GstPad) qsrc = NULL, qsink = NULL, muxpad = NULL;

  if (!(b->queue = make (b, "queue", error)) || !(b->splitmux = make (b, "splitmuxsink", error))
      || !(mux = kaigi_graph_make ("webmmux", NULL, error))
      || !(file = kaigi_graph_make ("filesink", NULL, error)))
    return FALSE;
  /* Unbuffered: filesink's default 64 kB buffer would hold a whole audio piece in memory,
   * lost if the process is killed; the kernel's page cache survives that. */
  g_object_set (file, "buffer-mode", 2 /* unbuffered */, NULL);
  /* Not async: a sink prerolling (every new piece's filesink does) would make the whole
   * pipeline lose and regain its state, and re-sort every peer's elements to do so (GStreamer
   * warns "loop detected in the graph": peers feed each other through the mixes). Not sync: a
   * file takes data as it comes. */
  g_object_set (file, "async", FALSE, "sync", FALSE, NULL);
  /* Leaky: a disk that stalls loses recording, never the meeting. */
  kaigi_graph_leaky_queue (b->queue, 3 * GST_SECOND);
  g_object_set (b->splitmux, "muxer", mux, "sink", file, "location", location, "max-size-time",
                PIECE_NS, "max-size-bytes", (guint64)0, "send-keyframe-requests", is_video (b),
                NULL);
  /* And splitmuxsink keeps its own state changes to itself: going to PLAYING inside a running
   * pipeline, it otherwise posted ASYNC_START/DONE and the whole pipeline re-committed its
   * state (the "loop detected in the graph" warnings at every recording start). */
  g_object_set (b->splitmux, "async-handling", TRUE, NULL);
  muxpad = gst_element_request_pad_simple (b->splitmux, is_video (b) ? "video" : "audio_%u");
  qsrc = gst_element_get_static_pad (b->queue, "src");
  if (!muxpad || gst_pad_link (qsrc, muxpad) != GST_PAD_LINK_OK) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_MEDIA, "cannot link the recording of %s", b->who);
    return FALSE;
  }
  g_object_set_data (G_OBJECT (muxpad), "kaigi-record-branch", b);
  gst_pad_set_chain_function (muxpad, guard_chain);
  gst_pad_set_chain_list_function (muxpad, guard_chain_list);
  qsink = gst_element_get_static_pad (b->queue, "sink");
  g_atomic_int_set (&b->waiting_keyframe, is_video (b));
  gst_pad_add_probe (qsink, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM,
                     on_data, b, NULL);
  gst_pad_add_probe (qsink, GST_PAD_PROBE_TYPE_QUERY_DOWNSTREAM, on_query, b, NULL);
  guard_queue (b, qsink);
  if (is_video (b)) {
    gst_pad_add_probe (qsink, GST_PAD_PROBE_TYPE_EVENT_UPSTREAM, on_upstream_event, b, NULL);
  }
  /* Downstream first, then the tee sees a branch that is already running. */
  if (!gst_element_sync_state_with_parent (b->splitmux)
      || !gst_element_sync_state_with_parent (b->queue)) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_MEDIA, "cannot start the recording of %s", b->who);
    return FALSE;
  }
  b->tee_pad = gst_element_request_pad_simple (b->tee, "src_%u");
  if (gst_pad_link (b->tee_pad, qsink) != GST_PAD_LINK_OK) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_MEDIA, "cannot link the recording of %s", b->who);
    return FALSE;
  }
  if (is_video (b)) {
    kaigi_forward_keyframe_taken (b->peer);
    gst_pad_push_event (qsink, kaigi_forward_keyframe_event ());
  }
  return TRUE;
}

static void
discard (KaigiRecordBranch *b)
{
  if (b->tee_pad) {
    g_autoptr (GstPad) sink = gst_element_get_static_pad (b->queue, "sink");
    gst_pad_unlink (b->tee_pad, sink);
    gst_element_release_request_pad (b->tee, b->tee_pad);
    g_clear_object (&b->tee_pad);
  }
  for (GstElement **e = (GstElement *[]){ b->queue, b->splitmux, NULL }; *e; e++)
    if (GST_OBJECT_PARENT (*e))
      kaigi_graph_remove (b->graph, *e);
  g_clear_object (&b->queue);
  g_clear_object (&b->splitmux);
  g_clear_pointer (&b->peer, kaigi_peer_unref);
  branch_unref (b);
}

static KaigiRecordBranch *
branch_new (KaigiPeer *p, KaigiManifest *m, const char *who, const char *name, gboolean video,
            GError **error)
{
  KaigiRecordBranch *b = g_new0 (KaigiRecordBranch, 1);
  g_autofree char *location = NULL;
  guint64 now = kaigi_graph_running_time (p->graph);
  gint64 wall = g_get_real_time ();

  g_atomic_ref_count_init (&b->ref);
  b->peer = kaigi_peer_ref (p);
  b->graph = p->graph;
  b->manifest = kaigi_manifest_ref (m);
  b->who = g_strdup (who);
  b->name = g_strdup (name);
  b->last_rt = b->last_in = GST_CLOCK_TIME_NONE;
  gst_segment_init (&b->segment, GST_FORMAT_TIME);
  b->kind = video ? "video" : "audio";
  b->tee = video ? p->video_tee : p->opus_tee;
  b->session
      = kaigi_manifest_session_begin (m, who, name, p->id, b->kind, video ? "vp8" : "opus", wall,
                                      wall - (gint64)(now / GST_USECOND), &location, error);
  if (!b->session || !build (b, location, error)) {
    if (b->session)
      kaigi_manifest_session_end (m, who, b->kind, b->session, KAIGI_SESSION_FAILED,
                                  error && *error ? (*error)->message : "not started", wall);
    b->failed_state = TRUE;
    discard (b);
    return NULL;
  }
  GST_INFO ("recording %s/%s session %u into %s", who, b->kind, b->session, location);
  return b;
}

gboolean
kaigi_peer_record_start (KaigiPeer *p, KaigiManifest *m, const char *who, const char *name,
                         KaigiPeerRecordFailed failed, gpointer user, GError **error)
{
  GST_DEBUG_CATEGORY_INIT (kaigi_record_debug, "kaigi-record", 0, "kaigi recording branches");
  if (p->state == KAIGI_PEER_CLOSING || p->rec[0] || p->rec[1])
    return TRUE;
  for (guint v = 0; v < 2; v++) {
    if (!(p->rec[v] = branch_new (p, m, who, name, v == 1, error))) {
      kaigi_record_detach_all (p);
      return FALSE;
    }
    p->rec[v]->failed = failed;
    p->rec[v]->user = user;
  }
  return TRUE;
}

gboolean
kaigi_peer_recording (KaigiPeer *p)
{
  return p->rec[0] || p->rec[1];
}

void
kaigi_record_detach_all (KaigiPeer *p)
{
  for (guint v = 0; v < 2; v++) {
    KaigiRecordBranch *b = g_steal_pointer (&p->rec[v]);
    if (!b || b->detaching)
      continue;
    if (p->state == KAIGI_PEER_CLOSING) {
      b->counted = TRUE;
      p->detaching++;
    }
    detach (b, TRUE);
  }
}
