/* whep.c: one WHEP viewer of the public program (whep.h).
 *
 *   program opus tee -> queue (leaky) -> rtpopuspay (the offer's PT) -> webrtcbin sink (sendonly)
 *   program h264 tee -> queue (leaky) -> rtph264pay (the offer's PT) -> webrtcbin sink (sendonly)
 *
 * Here the browser makes the offer and webrtcbin answers: transceivers are made first (sink
 * pads with the offer's payload types as codec preferences, direction sendonly), so that the
 * offer's m-lines find them instead of new recvonly ones. The branch is linked to the tees only
 * once the answer is set and its elements are PLAYING, and leaves them in an IDLE probe
 * (ARCHITECTURE.md, tee traps): a viewer never stops the program.
 *
 * Life:  new --set-remote, create-answer, set-local (pc thread)--> answer ready (main)
 *        --ICE gathering complete--> answered (201 sent) --connection-state--> connected
 *        any --kaigi_whep_close--> detaching --both tee pads idle--> freed
 * Thread: main loop, except the promise callbacks, signal handlers and probes, which copy what
 * they need and hop to the main context. */
#include "whep.h"

#include <gst/sdp/sdp.h>
#include <gst/webrtc/webrtc.h>
#include <string.h>

#include "hop.h"
#include "guard.h"
#include "kaigi-error.h"
#include "sdp-offer.h"
#include "webrtc-tune.h"

GST_DEBUG_CATEGORY_STATIC (kaigi_whep_debug);
#define GST_CAT_DEFAULT kaigi_whep_debug

#define CONNECT_TIMEOUT_S 30

static guint closing_count; /* main thread: viewers closed whose teardown has not ended */

enum { AUDIO, VIDEO, N_KINDS };

struct _KaigiWhep {
  gatomicrefcount ref;
  KaigiGraph *graph; /* not owned */
  char *id;
  GstElement *webrtc;       /* owned ref, in the graph */
  GstElement *q[N_KINDS];   /* owned refs, in the graph; NULL for a kind not offered */
  GstElement *pay[N_KINDS]; /* owned refs */
  GstElement *tee[N_KINDS]; /* owned refs of the program's tees */
  GstPad *tee_pad[N_KINDS]; /* owned: our request pads on them, once linked */
  guint pt[N_KINDS];
  KaigiProgram *program; /* not owned: the room closes its viewers before the program */
  KaigiWhepAnswered answered;
  KaigiWhepGone gone;
  gpointer user;
  char *answer;      /* the answer's text once set, before candidates are added */
  GPtrArray *cands;  /* "mline\tcandidate" strings, from on-ice-candidate */
  gboolean gathered; /* ICE gathering complete */
  gboolean replied;  /* @answered was called */
  gboolean connected;
  gboolean closed;
  guint timer;
  guint detaching;
};

static KaigiWhep *
whep_ref (KaigiWhep *w)
{
  g_atomic_ref_count_inc (&w->ref);
  return w;
}

static void
whep_unref (gpointer data)
{
  KaigiWhep *w = data;

  if (!g_atomic_ref_count_dec (&w->ref))
    return;
  for (guint k = 0; k < N_KINDS; k++) {
    g_clear_object (&w->q[k]);
    g_clear_object (&w->pay[k]);
    g_clear_object (&w->tee[k]);
    g_clear_object (&w->tee_pad[k]);
  }
  g_clear_object (&w->webrtc);
  g_ptr_array_unref (w->cands);
  g_free (w->answer);
  g_free (w->id);
  g_free (w);
}

/* ---- hops to the main loop ---- */

static gpointer
hop_ref (gpointer w)
{
  return whep_ref (w);
}

static gboolean
hop_alive (gpointer w)
{
  return !((KaigiWhep *)w)->closed;
}

static const KaigiHopOwner whep_hop = { hop_ref, whep_unref, hop_alive };

/* Any thread. */
static void
hop (KaigiWhep *w, void (*run) (KaigiWhep *, gpointer), gpointer data, GDestroyNotify free_data)
{
  kaigi_hop (&whep_hop, w, (KaigiHopFunc)run, data, free_data);
}

/* ---- the offer ---- */

static gboolean
read_offer (KaigiWhep *w, const char *text, GstSDPMessage **out, GError **error)
{
  g_autoptr (GstSDPMessage) sdp = NULL;
  gboolean any = FALSE;

  if (gst_sdp_message_new_from_text (text, &sdp) != GST_SDP_OK
      || gst_sdp_message_medias_len (sdp) == 0) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_INVALID, "the body is not an SDP offer");
    return FALSE;
  }
  for (guint i = 0; i < gst_sdp_message_medias_len (sdp); i++) {
    const GstSDPMedia *m = gst_sdp_message_get_media (sdp, i);
    int k = g_strcmp0 (gst_sdp_media_get_media (m), "audio") == 0   ? AUDIO
            : g_strcmp0 (gst_sdp_media_get_media (m), "video") == 0 ? VIDEO
                                                                    : -1;
    int pt;
    if (k < 0 || gst_sdp_media_get_port (m) == 0 || w->pt[k])
      continue;
    pt = kaigi_sdp_offered_pt (m, k == AUDIO ? "opus" : "H264", KAIGI_SDP_H264_BASELINE);
    if (pt < 0) {
      g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_INVALID,
                   k == AUDIO ? "the offer has no Opus"
                              : "the offer has no H.264 (packetization-mode=1, baseline)");
      return FALSE;
    }
    w->pt[k] = pt;
    any = TRUE;
  }
  if (!any) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_INVALID, "the offer has no audio or video");
    return FALSE;
  }
  *out = g_steal_pointer (&sdp);
  return TRUE;
}

/* ---- the answer ---- */

/* Main thread: the answer is set and the gathering complete: hand it over with every
 * candidate in it. */
static void
maybe_reply (KaigiWhep *w)
{
  g_autofree char *text = NULL;

  if (w->replied || !w->answer || !w->gathered)
    return;
  w->replied = TRUE;
  if (!(text = kaigi_sdp_answer_with_candidates (w->answer, w->cands))) {
    w->answered (w, NULL, "webrtcbin made an answer that is not SDP", w->user);
    return;
  }
  GST_INFO ("whep %s: answered (%u candidates)", w->id, w->cands->len);
  w->answered (w, text, NULL, w->user);
}

/* Main thread: the answer is set. The branch is PLAYING: link it to the program now. */
static void
run_answer_set (KaigiWhep *w, gpointer data)
{
  w->answer = g_strdup (data);
  for (guint k = 0; k < N_KINDS; k++) {
    g_autoptr (GstPad) sink = NULL;
    if (!w->q[k])
      continue;
    sink = gst_element_get_static_pad (w->q[k], "sink");
    kaigi_guard_pad (sink, "a WHEP viewer"); /* one viewer never stops the program */
    w->tee_pad[k] = gst_element_request_pad_simple (w->tee[k], "src_%u");
    if (gst_pad_link (w->tee_pad[k], sink) != GST_PAD_LINK_OK)
      GST_WARNING ("whep %s: cannot link to the program", w->id);
  }
  if (w->q[VIDEO])
    kaigi_program_request_keyframe (w->program);
  maybe_reply (w);
}

static void
run_failed (KaigiWhep *w, gpointer data)
{
  if (!w->replied) {
    w->replied = TRUE;
    w->answered (w, NULL, data, w->user);
  } else if (w->gone)
    w->gone (w, w->user);
}

/* pc thread. */
static void
on_answer_created (GstPromise *promise, gpointer data)
{
  KaigiWhep *w = data;
  const GstStructure *reply = gst_promise_get_reply (promise);
  GstWebRTCSessionDescription *answer = NULL;
  g_autofree char *text = NULL;

  if (reply)
    gst_structure_get (reply, "answer", GST_TYPE_WEBRTC_SESSION_DESCRIPTION, &answer, NULL);
  gst_promise_unref (promise);
  if (!answer) {
    hop (w, run_failed, g_strdup ("webrtcbin could not answer this offer"), g_free);
    return;
  }
  text = gst_sdp_message_as_text (answer->sdp);
  g_signal_emit_by_name (w->webrtc, "set-local-description", answer, NULL);
  gst_webrtc_session_description_free (answer);
  hop (w, run_answer_set, g_steal_pointer (&text), g_free);
}

/* pc thread. */
static void
on_remote_set (GstPromise *promise, gpointer data)
{
  KaigiWhep *w = data;
  const GstStructure *reply = gst_promise_get_reply (promise);
  g_autoptr (GError) err = NULL;

  if (reply && gst_structure_has_field (reply, "error"))
    gst_structure_get (reply, "error", G_TYPE_ERROR, &err, NULL);
  gst_promise_unref (promise);
  if (err) {
    hop (w, run_failed, g_strdup_printf ("webrtcbin refused the offer: %s", err->message), g_free);
    return;
  }
  g_signal_emit_by_name (
      w->webrtc, "create-answer", NULL,
      gst_promise_new_with_change_func (on_answer_created, whep_ref (w), whep_unref));
}

/* ---- ICE and connection ---- */

static void
run_candidate (KaigiWhep *w, gpointer data)
{
  g_ptr_array_add (w->cands, g_strdup (data)); /* @data is freed after the hop */
}

/* webrtcbin's ICE thread. */
static void
on_ice_candidate (GstElement *webrtc, guint mline, const char *candidate, gpointer data)
{
  hop (data, run_candidate, g_strdup_printf ("%u\t%s", mline, candidate), g_free);
}

static void
run_gathered (KaigiWhep *w, gpointer data)
{
  w->gathered = TRUE;
  maybe_reply (w);
}

/* Any thread. */
static void
on_gathering (GObject *webrtc, GParamSpec *pspec, gpointer data)
{
  GstWebRTCICEGatheringState s;

  g_object_get (webrtc, "ice-gathering-state", &s, NULL);
  if (s == GST_WEBRTC_ICE_GATHERING_STATE_COMPLETE)
    hop (data, run_gathered, NULL, NULL);
}

static void
run_connection (KaigiWhep *w, gpointer data)
{
  GstWebRTCPeerConnectionState s = GPOINTER_TO_INT (data);

  if (s == GST_WEBRTC_PEER_CONNECTION_STATE_CONNECTED && !w->connected) {
    w->connected = TRUE;
    GST_INFO ("whep %s: connected", w->id);
    if (w->timer) {
      g_source_remove (w->timer);
      w->timer = 0;
    }
    if (w->q[VIDEO])
      kaigi_program_request_keyframe (w->program);
  } else if (s == GST_WEBRTC_PEER_CONNECTION_STATE_FAILED
             || s == GST_WEBRTC_PEER_CONNECTION_STATE_CLOSED) {
    GST_INFO ("whep %s: connection %s", w->id,
              s == GST_WEBRTC_PEER_CONNECTION_STATE_FAILED ? "failed" : "closed");
    if (w->gone)
      w->gone (w, w->user);
  }
}

/* Any thread. */
static void
on_connection_state (GObject *webrtc, GParamSpec *pspec, gpointer data)
{
  GstWebRTCPeerConnectionState s;

  g_object_get (webrtc, "connection-state", &s, NULL);
  hop (data, run_connection, GINT_TO_POINTER (s), NULL);
}

static gboolean
on_timeout (gpointer data)
{
  KaigiWhep *w = data;

  w->timer = 0;
  GST_INFO ("whep %s: not connected after %d s", w->id, CONNECT_TIMEOUT_S);
  if (w->gone)
    w->gone (w, w->user);
  return G_SOURCE_REMOVE;
}

/* Main thread: an element of ours posted an error. */
static void
on_element_error (gpointer owner, const GError *error)
{
  KaigiWhep *w = owner;

  if (!w->closed)
    run_failed (w, (gpointer)error->message);
}

/* ---- making it ---- */

static GstElement *
add (KaigiWhep *w, const char *factory, const char *role, GError **error)
{
  g_autofree char *name = g_strdup_printf ("whep%s-%s", w->id, role);
  GstElement *e = kaigi_graph_make (factory, name, error);

  if (e)
    kaigi_graph_add (w->graph, gst_object_ref (e), w, on_element_error);
  return e;
}

static gboolean
build (KaigiWhep *w, const KaigiWhepOptions *o, GError **error)
{
  g_autoptr (GObject) ice = NULL;

  w->webrtc = add (w, "webrtcbin", "pc", error);
  if (!w->webrtc)
    return FALSE;
  g_object_set (w->webrtc, "bundle-policy", GST_WEBRTC_BUNDLE_POLICY_MAX_BUNDLE, NULL);
  /* Its funnel as a participant's; its clocksyncs keep syncing: the program's sound and
   * picture leave together, whatever the picture's encoder takes. */
  kaigi_webrtc_tune (w->webrtc, FALSE);
  kaigi_ice_servers_configure (o->ice_servers, w->webrtc, w->id,
                               g_get_real_time () / G_USEC_PER_SEC);
  g_object_get (w->webrtc, "ice-agent", &ice, NULL);
  if (ice) {
    g_autoptr (GObject) agent = NULL;
    g_object_set (ice, "ice-tcp", FALSE, NULL);
    g_object_get (ice, "agent", &agent, NULL);
    if (agent && g_object_class_find_property (G_OBJECT_GET_CLASS (agent), "upnp"))
      g_object_set (agent, "upnp", FALSE, NULL);
    for (const char *const *a = o->ice_addresses; a && *a; a++) {
      gboolean ok = FALSE;
      g_signal_emit_by_name (ice, "add-local-ip-address", *a, &ok);
    }
  }
  for (guint k = 0; k < N_KINDS; k++) {
    g_autoptr (GstPad) sink = NULL, src = NULL;
    g_autoptr (GstWebRTCRTPTransceiver) trans = NULL;
    g_autoptr (GstCaps) caps = NULL;
    if (!w->pt[k])
      continue;
    w->q[k] = add (w, "queue", k == AUDIO ? "aq" : "vq", error);
    w->pay[k] = w->q[k] ? add (w, k == AUDIO ? "rtpopuspay" : "rtph264pay",
                               k == AUDIO ? "apay" : "vpay", error)
                        : NULL;
    if (!w->pay[k])
      return FALSE;
    kaigi_graph_leaky_queue (w->q[k], GST_SECOND);
    g_object_set (w->pay[k], "pt", w->pt[k], "mtu", 1200, NULL);
    if (k == VIDEO)
      g_object_set (w->pay[k], "config-interval", -1, "aggregate-mode", 1 /* zero-latency */, NULL);
    caps = k == AUDIO
               ? gst_caps_new_simple ("application/x-rtp", "media", G_TYPE_STRING, "audio",
                                      "encoding-name", G_TYPE_STRING, "OPUS", "clock-rate",
                                      G_TYPE_INT, 48000, "payload", G_TYPE_INT, w->pt[k], NULL)
               : gst_caps_new_simple ("application/x-rtp", "media", G_TYPE_STRING, "video",
                                      "encoding-name", G_TYPE_STRING, "H264", "clock-rate",
                                      G_TYPE_INT, 90000, "payload", G_TYPE_INT, w->pt[k], NULL);
    sink = gst_element_request_pad_simple (w->webrtc, "sink_%u");
    if (!sink) {
      g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_MEDIA, "webrtcbin gave no sink pad");
      return FALSE;
    }
    g_object_get (sink, "transceiver", &trans, NULL);
    g_object_set (trans, "direction", GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_SENDONLY,
                  "codec-preferences", caps, NULL);
    src = gst_element_get_static_pad (w->pay[k], "src");
    if (!gst_element_link (w->q[k], w->pay[k]) || gst_pad_link (src, sink) != GST_PAD_LINK_OK) {
      g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_MEDIA, "cannot link the %s branch",
                   k == AUDIO ? "audio" : "video");
      return FALSE;
    }
    w->tee[k] = gst_object_ref (k == AUDIO ? kaigi_program_opus_tee (w->program)
                                           : kaigi_program_h264_tee (w->program));
  }
  g_signal_connect (w->webrtc, "on-ice-candidate", G_CALLBACK (on_ice_candidate), w);
  g_signal_connect (w->webrtc, "notify::ice-gathering-state", G_CALLBACK (on_gathering), w);
  g_signal_connect (w->webrtc, "notify::connection-state", G_CALLBACK (on_connection_state), w);
  /* Downstream first: webrtcbin, then the payloaders and queues. */
  gst_element_sync_state_with_parent (w->webrtc);
  for (guint k = 0; k < N_KINDS; k++) {
    if (w->pay[k]) {
      gst_element_sync_state_with_parent (w->pay[k]);
      gst_element_sync_state_with_parent (w->q[k]);
    }
  }
  return TRUE;
}

static void remove_elements (KaigiWhep *w);

KaigiWhep *
kaigi_whep_new (KaigiGraph *graph, KaigiProgram *program, const char *id, const char *offer,
                const KaigiWhepOptions *o, KaigiWhepAnswered answered, KaigiWhepGone gone,
                gpointer user, GError **error)
{
  KaigiWhep *w = g_new0 (KaigiWhep, 1);
  g_autoptr (GstSDPMessage) sdp = NULL;
  GstWebRTCSessionDescription *desc;

  GST_DEBUG_CATEGORY_INIT (kaigi_whep_debug, "kaigi-whep", 0, "kaigi WHEP viewers");
  g_atomic_ref_count_init (&w->ref);
  w->graph = graph;
  w->program = program;
  w->id = g_strdup (id);
  w->answered = answered;
  w->gone = gone;
  w->user = user;
  w->cands = g_ptr_array_new_with_free_func (g_free);
  if (!read_offer (w, offer, &sdp, error)) {
    whep_unref (w);
    return NULL;
  }
  if (!build (w, o, error)) {
    w->closed = TRUE;
    remove_elements (w);
    whep_unref (w);
    return NULL;
  }
  w->timer = g_timeout_add_seconds (CONNECT_TIMEOUT_S, on_timeout, w);
  desc = gst_webrtc_session_description_new (GST_WEBRTC_SDP_TYPE_OFFER, g_steal_pointer (&sdp));
  g_signal_emit_by_name (
      w->webrtc, "set-remote-description", desc,
      gst_promise_new_with_change_func (on_remote_set, whep_ref (w), whep_unref));
  gst_webrtc_session_description_free (desc);
  GST_INFO ("whep %s: offer with audio pt %u, video pt %u", w->id, w->pt[AUDIO], w->pt[VIDEO]);
  return w;
}

const char *
kaigi_whep_id (KaigiWhep *w)
{
  return w->id;
}

gboolean
kaigi_whep_connected (KaigiWhep *w)
{
  return w->connected;
}

/* ---- teardown ---- */

static void
remove_elements (KaigiWhep *w)
{
  for (guint k = 0; k < N_KINDS; k++) {
    if (w->tee_pad[k]) {
      gst_element_release_request_pad (w->tee[k], w->tee_pad[k]);
      g_clear_object (&w->tee_pad[k]);
    }
  }
  /* webrtcbin first: it unblocks a queue waiting on one of its sink pads. */
  if (w->webrtc)
    kaigi_graph_remove (w->graph, w->webrtc);
  for (guint k = 0; k < N_KINDS; k++) {
    if (w->pay[k])
      kaigi_graph_remove (w->graph, w->pay[k]);
    if (w->q[k])
      kaigi_graph_remove (w->graph, w->q[k]);
  }
}

static gboolean
detached (gpointer data)
{
  KaigiWhep *w = data;

  if (--w->detaching == 0) {
    remove_elements (w);
    closing_count--;
    GST_INFO ("whep %s: closed", w->id);
    whep_unref (w);
  }
  return G_SOURCE_REMOVE;
}

/* Any thread: the tee pad is not pushing; after this, the tee never sees our branch. */
static GstPadProbeReturn
on_idle (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  KaigiWhep *w = data;
  GstPad *peer = gst_pad_get_peer (pad);

  if (peer) {
    gst_pad_unlink (pad, peer);
    gst_object_unref (peer);
  }
  g_idle_add (detached, w);
  return GST_PAD_PROBE_REMOVE;
}

void
kaigi_whep_close (KaigiWhep *w)
{
  if (w->closed)
    return;
  w->closed = TRUE;
  closing_count++;
  if (w->timer)
    g_source_remove (w->timer);
  w->timer = 0;
  g_signal_handlers_disconnect_by_data (w->webrtc, w);
  w->detaching = 1; /* held until every probe is placed */
  for (guint k = 0; k < N_KINDS; k++) {
    if (w->tee_pad[k]) {
      w->detaching++;
      gst_pad_add_probe (w->tee_pad[k], GST_PAD_PROBE_TYPE_IDLE, on_idle, w, NULL);
    }
  }
  g_idle_add (detached, w);
}

guint
kaigi_whep_closing_count (void)
{
  return closing_count;
}
