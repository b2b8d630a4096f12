/* peer.c: one participant's webrtcbin, its fixed transceivers and its media chains.
 *
 * The m-lines never change (ARCHITECTURE.md, media plane): 0 audio sendrecv, 1 video
 * sendrecv (camera in, slot 0 out), 2..K video sendonly (slots 1..K-1). The server makes the
 * offer; transceivers, codec preferences (fixed payload types, our SSRCs, the TWCC header
 * extension) and every sink pad exist before the webrtcbin leaves NULL, because 1.22 fires
 * on-negotiation-needed at NULL->READY and cannot re-activate a transceiver later. We never
 * use on-negotiation-needed: the offer is made once, when the elements are PLAYING.
 *
 * Around the webrtcbin, media/chains.c builds the participant's elements: the mic and camera
 * chains ending in the tees that others link to (media/forward.c), the mixer of what they
 * hear, and their slot payloaders. They exist from the start, so pad-added (webrtcbin's
 * streaming thread) only links a pad to a chain that is already PLAYING and touches no room
 * state.
 *
 * Peer states (the function behind each transition):
 *
 *   NEW --on_offer_created--> OFFERING --on_answer_set--> ANSWERED --on_connection_state-->
 *   CONNECTED;  any --kaigi_peer_close--> CLOSING --kaigi_peer_finish_close--> freed
 *
 * Threads: public functions on the main thread. Signal handlers and promise callbacks run
 * on webrtcbin's threads; each copies what it needs, takes a reference on the peer and hops
 * to the main context with g_main_context_invoke_full, where closed peers are ignored. */
#include "peer-private.h"

#include <gio/gio.h>
#include <gst/sdp/sdp.h>
#include <string.h>

#include "hop.h"
#include "kaigi-error.h"
#include "metrics.h"
#include "media/sdp-offer.h"
#include "media/webrtc-tune.h"

GST_DEBUG_CATEGORY_STATIC (kaigi_peer_debug);
#define GST_CAT_DEFAULT kaigi_peer_debug

#define TWCC_EXT_ID 3
#define TWCC_URI "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01"

static guint closing_count;
static gint alive_count; /* atomic: peers not yet freed */

KaigiPeer *
kaigi_peer_ref (KaigiPeer *p)
{
  g_atomic_ref_count_inc (&p->ref);
  return p;
}

static void
peer_free (KaigiPeer *p)
{
  g_free (p->answer);
  if (p->candidates)
    g_ptr_array_unref (p->candidates);
  GST_DEBUG ("peer %s freed", p->id);
  kaigi_forward_clear (p);
  g_mutex_clear (&p->keyframe_lock);
  g_clear_object (&p->webrtc);
  g_ptr_array_unref (p->elements);
  g_free (p->slot_pay);
  g_strfreev (p->mids);
  g_free (p->rejected);
  g_free (p->id);
  g_free (p);
  g_atomic_int_dec_and_test (&alive_count);
}

void
kaigi_peer_unref (KaigiPeer *p)
{
  if (g_atomic_ref_count_dec (&p->ref))
    peer_free (p);
}

guint
kaigi_peer_slot_mline (guint slot)
{
  return slot + 1;
}

static gboolean
live (KaigiPeer *p)
{
  return p->state != KAIGI_PEER_CLOSING;
}

/* ---- hops from webrtcbin's threads to the main loop ---- */

static gpointer
hop_ref (gpointer p)
{
  return kaigi_peer_ref (p);
}

static void
hop_unref (gpointer p)
{
  kaigi_peer_unref (p);
}

static gboolean
hop_alive (gpointer p)
{
  return live (p);
}

static const KaigiHopOwner peer_hop = { hop_ref, hop_unref, hop_alive };

/* Any thread. */
static void
hop (KaigiPeer *p, void (*run) (KaigiPeer *, gpointer), gpointer data, GDestroyNotify free_data)
{
  kaigi_hop (&peer_hop, p, (KaigiHopFunc)run, data, free_data);
}

/* ---- transceivers (main thread) ---- */

static GstCaps *
codec_caps (gboolean audio, guint ssrc)
{
  g_autofree char *ext = g_strdup_printf ("extmap-%d", TWCC_EXT_ID);
  GstCaps *c;

  if (audio)
    c = gst_caps_new_simple ("application/x-rtp", "media", G_TYPE_STRING, "audio", "encoding-name",
                             G_TYPE_STRING, "OPUS", "clock-rate", G_TYPE_INT, 48000, "payload",
                             G_TYPE_INT, KAIGI_AUDIO_PT, "encoding-params", G_TYPE_STRING, "2",
                             "minptime", G_TYPE_STRING, "10", "useinbandfec", G_TYPE_STRING, "1",
                             NULL);
  else
    c = gst_caps_new_simple ("application/x-rtp", "media", G_TYPE_STRING, "video", "encoding-name",
                             G_TYPE_STRING, "VP8", "clock-rate", G_TYPE_INT, 90000, "payload",
                             G_TYPE_INT, KAIGI_VIDEO_PT, "rtcp-fb-nack", G_TYPE_BOOLEAN, TRUE,
                             "rtcp-fb-nack-pli", G_TYPE_BOOLEAN, TRUE, "rtcp-fb-ccm-fir",
                             G_TYPE_BOOLEAN, TRUE, NULL);
  gst_caps_set_simple (c, "rtcp-fb-transport-cc", G_TYPE_BOOLEAN, TRUE, ext, G_TYPE_STRING,
                       TWCC_URI, "ssrc", G_TYPE_UINT, ssrc, NULL);
  return c;
}

/* Requests webrtcbin's sink pad for m-line @mline and configures its transceiver. */
/* Streaming threads: RTP into (webrtcbin src pads) or out of (sink pads) the server, for
 * /metrics. @user_data: bit 0 video, bit 1 outgoing. */
static GstPadProbeReturn
count_rtp (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  guint what = GPOINTER_TO_UINT (user_data);
  guint packets = 1;
  guint64 bytes = 0;

  if (info->type & GST_PAD_PROBE_TYPE_BUFFER_LIST) {
    GstBufferList *list = GST_PAD_PROBE_INFO_BUFFER_LIST (info);
    packets = gst_buffer_list_length (list);
    bytes = gst_buffer_list_calculate_size (list);
  } else {
    bytes = gst_buffer_get_size (GST_PAD_PROBE_INFO_BUFFER (info));
  }
  kaigi_metrics_count_rtp ((what & 2) ? KAIGI_METRICS_OUT : KAIGI_METRICS_IN, what & 1, packets,
                           bytes);
  return GST_PAD_PROBE_OK;
}

static void
add_rtp_counter (GstPad *pad, gboolean video, gboolean outgoing)
{
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST, count_rtp,
                     GUINT_TO_POINTER ((video ? 1 : 0) | (outgoing ? 2 : 0)), NULL);
}

static GstPad *
request_sink (KaigiPeer *p, guint mline, gboolean audio, GstWebRTCRTPTransceiverDirection dir,
              guint ssrc, GError **error)
{
  g_autofree char *name = g_strdup_printf ("sink_%u", mline);
  GstPad *pad = gst_element_request_pad_simple (p->webrtc, name);
  g_autoptr (GstWebRTCRTPTransceiver) trans = NULL;
  g_autoptr (GstCaps) caps = codec_caps (audio, ssrc);

  if (!pad) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_MEDIA, "webrtcbin gave no pad %s", name);
    return NULL;
  }
  g_object_get (pad, "transceiver", &trans, NULL);
  g_object_set (trans, "direction", dir, "codec-preferences", caps, NULL);
  if (!audio)
    g_object_set (trans, "do-nack", TRUE, NULL);
  add_rtp_counter (pad, !audio, TRUE);
  return pad;
}

/* ---- webrtcbin signal handlers (webrtcbin threads) ---- */

typedef struct {
  guint mline;
  char *candidate;
} Candidate;

static void
candidate_free (gpointer data)
{
  Candidate *c = data;

  g_free (c->candidate);
  g_free (c);
}

static void
run_candidate (KaigiPeer *p, gpointer data)
{
  Candidate *c = data;

  p->ev.ice_candidate (p->user, c->mline, c->candidate);
}

static void ingest_candidate (KaigiPeer *p, gpointer data);

/* Thread: webrtcbin's ICE thread. */
static void
on_ice_candidate (GstElement *webrtc, guint mline, const char *candidate, KaigiPeer *p)
{
  if (p->opt.ingest) {
    hop (p, ingest_candidate, g_strdup_printf ("%u\t%s", mline, candidate), g_free);
    return;
  }
  Candidate *c = g_new0 (Candidate, 1);

  c->mline = mline;
  c->candidate = g_strdup (candidate);
  hop (p, run_candidate, c, candidate_free);
}

static void
run_connection_state (KaigiPeer *p, gpointer data)
{
  GstWebRTCPeerConnectionState s = GPOINTER_TO_UINT (data);

  GST_INFO ("peer %s connection state %d", p->id, s);
  if (s == GST_WEBRTC_PEER_CONNECTION_STATE_CONNECTED && p->state == KAIGI_PEER_ANSWERED) {
    p->state = KAIGI_PEER_CONNECTED;
    p->ev.connected (p->user);
  } else if (s == GST_WEBRTC_PEER_CONNECTION_STATE_FAILED) {
    p->ev.failed (p->user, "ICE or DTLS failed");
  }
}

/* Thread: any (webrtcbin's pc thread, usually). */
static void
on_connection_state (GstElement *webrtc, GParamSpec *pspec, KaigiPeer *p)
{
  GstWebRTCPeerConnectionState s;

  g_object_get (webrtc, "connection-state", &s, NULL);
  hop (p, run_connection_state, GUINT_TO_POINTER (s), NULL);
}

/* Thread: a streaming thread of webrtcbin. Links the new source pad to its receive chain
 * (funnel pads may be requested from any thread); no room state is touched. */
static void
on_pad_added (GstElement *webrtc, GstPad *pad, KaigiPeer *p)
{
  g_autoptr (GstWebRTCRTPTransceiver) trans = NULL;
  g_autoptr (GstPad) sink = NULL;
  guint mline = G_MAXUINT;
  GstElement *in;

  if (GST_PAD_DIRECTION (pad) != GST_PAD_SRC)
    return;
  g_object_get (pad, "transceiver", &trans, NULL);
  if (trans)
    g_object_get (trans, "mlineindex", &mline, NULL);
  add_rtp_counter (pad, mline != 0, FALSE);
  in = kaigi_chains_for_pad (p, pad, mline);
  if (in == p->discard)
    GST_WARNING ("peer %s: unexpected stream %s on m-line %u, discarded", p->id, GST_PAD_NAME (pad),
                 mline);
  sink = gst_element_request_pad_simple (in, "sink_%u");
  if (gst_pad_link (pad, sink) != GST_PAD_LINK_OK)
    GST_WARNING ("peer %s: cannot link the stream of m-line %u", p->id, mline);
  else
    GST_INFO ("peer %s: receiving %s on m-line %u into %s", p->id, GST_PAD_NAME (pad), mline,
              GST_ELEMENT_NAME (in));
}

/* ---- offer and answer ---- */

static void
run_failed (KaigiPeer *p, gpointer data)
{
  p->ev.failed (p->user, data);
}

static void
run_offer (KaigiPeer *p, gpointer data)
{
  const char *sdp = data;
  GstSDPMessage *msg = NULL;

  if (gst_sdp_message_new_from_text (sdp, &msg) == GST_SDP_OK) {
    for (guint i = 0; i < gst_sdp_message_medias_len (msg) && i <= p->opt.slots; i++) {
      const char *mid = gst_sdp_media_get_attribute_val (gst_sdp_message_get_media (msg, i), "mid");
      g_free (p->mids[i]);
      p->mids[i] = g_strdup (mid);
    }
    gst_sdp_message_free (msg);
  }
  p->state = KAIGI_PEER_OFFERING;
  p->ev.offer (p->user, sdp);
}

/* Thread: webrtcbin's pc thread. Our own description (@field "offer" or "answer") out of
 * @promise becomes the local one; its text goes to @run on the main thread, or @failure to
 * the failed event. Takes @promise and the reference of @p that the promise held. */
static void
set_local (KaigiPeer *p, GstPromise *promise, const char *field,
           void (*run) (KaigiPeer *, gpointer), const char *failure)
{
  const GstStructure *reply = gst_promise_get_reply (promise);
  GstWebRTCSessionDescription *desc = NULL;

  if (reply)
    gst_structure_get (reply, field, GST_TYPE_WEBRTC_SESSION_DESCRIPTION, &desc, NULL);
  gst_promise_unref (promise);
  if (!desc) {
    GST_ERROR ("peer %s: webrtcbin made no %s", p->id, field);
    hop (p, run_failed, g_strdup (failure), g_free);
  } else {
    g_signal_emit_by_name (p->webrtc, "set-local-description", desc, NULL);
    hop (p, run, gst_sdp_message_as_text (desc->sdp), g_free);
    gst_webrtc_session_description_free (desc);
  }
  kaigi_peer_unref (p);
}

/* Thread: webrtcbin's pc thread (promise change function). */
static void
on_offer_created (GstPromise *promise, gpointer user_data)
{
  set_local (user_data, promise, "offer", run_offer, "the server could not make an offer");
}

static void
run_answer_result (KaigiPeer *p, gpointer data)
{
  char *error = data;

  if (error) {
    p->ev.answer_result (p->user, FALSE, error);
    return;
  }
  if (p->state == KAIGI_PEER_OFFERING)
    p->state = KAIGI_PEER_ANSWERED;
  p->ev.answer_result (p->user, TRUE, NULL);
}

/* Thread: webrtcbin's pc thread (promise change function). */
static void
on_answer_set (GstPromise *promise, gpointer user_data)
{
  KaigiPeer *p = user_data;
  const GstStructure *reply = gst_promise_get_reply (promise);
  GError *err = NULL;
  char *message = NULL;

  if (reply && gst_structure_has_field (reply, "error"))
    gst_structure_get (reply, "error", G_TYPE_ERROR, &err, NULL);
  if (err) {
    message = g_strdup (err->message);
    g_error_free (err);
  }
  gst_promise_unref (promise);
  hop (p, run_answer_result, message, g_free);
  kaigi_peer_unref (p);
}

gboolean
kaigi_peer_set_answer (KaigiPeer *p, const char *sdp, GError **error)
{
  GstSDPMessage *msg = NULL;
  GstWebRTCSessionDescription *desc;
  guint n;

  if (p->state != KAIGI_PEER_OFFERING) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_PROTOCOL, "no offer is waiting for an answer");
    return FALSE;
  }
  if (!*sdp || gst_sdp_message_new_from_text (sdp, &msg) != GST_SDP_OK || !msg
      || gst_sdp_message_medias_len (msg) == 0 || !gst_sdp_message_get_origin (msg)->sess_id) {
    if (msg)
      gst_sdp_message_free (msg);
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_PROTOCOL, "the answer is not valid SDP");
    return FALSE;
  }
  n = gst_sdp_message_medias_len (msg);
  if (n != 1 + p->opt.slots) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_PROTOCOL,
                 "the answer has %u m-lines, the offer had %u", n, 1 + p->opt.slots);
    gst_sdp_message_free (msg);
    return FALSE;
  }
  for (guint i = 0; i < n; i++)
    p->rejected[i] = gst_sdp_media_get_port (gst_sdp_message_get_media (msg, i)) == 0;
  desc = gst_webrtc_session_description_new (GST_WEBRTC_SDP_TYPE_ANSWER, msg);
  g_signal_emit_by_name (
      p->webrtc, "set-remote-description", desc,
      gst_promise_new_with_change_func (on_answer_set, kaigi_peer_ref (p), NULL));
  gst_webrtc_session_description_free (desc);
  return TRUE;
}

static gboolean
candidate_is_loopback (const char *candidate)
{
  g_auto (GStrv) parts = g_strsplit (candidate, " ", 7);
  g_autoptr (GInetAddress) addr = NULL;

  if (g_strv_length (parts) < 6)
    return FALSE;
  addr = g_inet_address_new_from_string (parts[4]);
  return addr && g_inet_address_get_is_loopback (addr);
}

void
kaigi_peer_add_ice_candidate (KaigiPeer *p, guint mline, const char *candidate)
{
  if (!live (p) || !candidate || !*candidate)
    return;
  if (p->opt.loopback_only && !candidate_is_loopback (candidate)) {
    GST_DEBUG ("peer %s: ignoring non-loopback candidate %s", p->id, candidate);
    return;
  }
  g_signal_emit_by_name (p->webrtc, "add-ice-candidate", mline, candidate);
}

/* ---- creation ---- */

void
kaigi_peer_element_error (gpointer owner, const GError *error)
{
  KaigiPeer *p = owner;
  const char *message = error->message;

  if (!p->ev.failed)
    GST_WARNING ("%s: %s", p->id, message); /* a local peer: its owner watches its output */
  else if (live (p))
    p->ev.failed (p->user, message);
}

static gboolean
configure_webrtc (KaigiPeer *p, GError **error)
{
  g_autoptr (GObject) ice = NULL;

  g_object_set (p->webrtc, "bundle-policy", GST_WEBRTC_BUNDLE_POLICY_MAX_BUNDLE, "latency",
                p->opt.jitter_latency_ms, NULL);
  kaigi_webrtc_tune (p->webrtc, TRUE);
  if (p->opt.ice_servers)
    kaigi_ice_servers_configure (p->opt.ice_servers, p->webrtc, p->id,
                                 g_get_real_time () / G_USEC_PER_SEC);
  else if (p->opt.stun_server)
    g_object_set (p->webrtc, "stun-server", p->opt.stun_server, NULL);
  g_object_get (p->webrtc, "ice-agent", &ice, NULL);
  if (!ice) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_MEDIA, "webrtcbin has no ICE agent");
    return FALSE;
  }
  g_object_set (ice, "ice-tcp", FALSE, NULL);
  {
    /* libnice would also map ports through UPnP, multicasting SSDP discovery on every
     * interface; a meeting server has its addresses configured, not discovered. */
    g_autoptr (GObject) agent = NULL;
    g_object_get (ice, "agent", &agent, NULL);
    if (agent && g_object_class_find_property (G_OBJECT_GET_CLASS (agent), "upnp"))
      g_object_set (agent, "upnp", FALSE, NULL);
  }
  for (const char *const *a = p->opt.ice_addresses; a && *a; a++) {
    gboolean ok = FALSE;
    g_signal_emit_by_name (ice, "add-local-ip-address", *a, &ok);
    if (!ok) {
      g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_CONFIG,
                   "[webrtc] ice-addresses: ICE cannot use %s", *a);
      return FALSE;
    }
  }
  g_signal_connect (p->webrtc, "on-ice-candidate", G_CALLBACK (on_ice_candidate), p);
  g_signal_connect (p->webrtc, "notify::connection-state", G_CALLBACK (on_connection_state), p);
  g_signal_connect (p->webrtc, "pad-added", G_CALLBACK (on_pad_added), p);
  return TRUE;
}

static gboolean
build (KaigiPeer *p, GError **error)
{
  guint k = p->opt.slots;
  g_autofree GstPad **sinks = g_new0 (GstPad *, k + 1);
  g_autofree guint *ssrcs = g_new0 (guint, k + 1);
  gboolean ok = FALSE;

  for (guint i = 0; i <= k; i++)
    ssrcs[i] = g_random_int_range (1, G_MAXINT32);
  p->webrtc = gst_object_ref (kaigi_graph_make ("webrtcbin", p->id, error));
  if (!p->webrtc)
    goto out;
  kaigi_graph_add (p->graph, p->webrtc, p, kaigi_peer_element_error);
  if (!configure_webrtc (p, error))
    goto out;
  /* Every sink pad, hence every transceiver, before webrtcbin leaves NULL. */
  for (guint i = 0; i <= k; i++) {
    GstWebRTCRTPTransceiverDirection dir = i <= 1 ? GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_SENDRECV
                                                  : GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_SENDONLY;
    sinks[i] = request_sink (p, i, i == 0, dir, ssrcs[i], error);
    if (!sinks[i])
      goto out;
  }
  if (!kaigi_chains_build (p, sinks, ssrcs, error))
    goto out;
  ok = TRUE;
out:
  for (guint i = 0; i <= k; i++)
    g_clear_object (&sinks[i]);
  return ok;
}

static KaigiPeer *
peer_alloc (KaigiGraph *graph, const char *id, const KaigiPeerOptions *opt)
{
  KaigiPeer *p = g_new0 (KaigiPeer, 1);

  GST_DEBUG_CATEGORY_INIT (kaigi_peer_debug, "kaigi-peer", 0, "kaigi WebRTC peer");
  g_atomic_ref_count_init (&p->ref);
  g_atomic_int_inc (&alive_count);
  g_mutex_init (&p->keyframe_lock);
  p->graph = graph;
  p->id = g_strdup (id);
  p->opt = *opt;
  p->state = KAIGI_PEER_NEW;
  p->elements = g_ptr_array_new_with_free_func (gst_object_unref);
  p->slot_pay = g_new0 (GstElement *, opt->slots);
  p->mids = g_new0 (char *, opt->slots + 2);
  p->rejected = g_new0 (gboolean, opt->slots + 1);
  kaigi_forward_init (p);
  return p;
}

KaigiPeer *
kaigi_peer_new_local (KaigiGraph *graph, const char *id, guint slots, guint jitter_latency_ms,
                      GPtrArray *elements, GstElement *mixer, GstElement *const *slot_in)
{
  KaigiPeerOptions opt = { .slots = slots, .jitter_latency_ms = jitter_latency_ms };
  KaigiPeer *p = peer_alloc (graph, id, &opt);

  for (guint i = 0; i < elements->len; i++) {
    GstElement *e = g_ptr_array_index (elements, i);
    g_ptr_array_add (p->elements, gst_object_ref (e));
    kaigi_graph_add (graph, e, p, kaigi_peer_element_error);
  }
  p->mixer = mixer;
  for (guint s = 0; s < slots; s++)
    p->slot_pay[s] = slot_in[s];
  /* Nothing to negotiate: links may come in at once. */
  p->state = KAIGI_PEER_CONNECTED;
  return p;
}

/* A peer that could not be built: what was made of it leaves the graph. */
static void
remove_made (KaigiPeer *p)
{
  if (p->webrtc && GST_OBJECT_PARENT (p->webrtc))
    kaigi_graph_remove (p->graph, p->webrtc);
  for (guint i = 0; i < p->elements->len; i++) {
    GstElement *e = g_ptr_array_index (p->elements, i);
    if (GST_OBJECT_PARENT (e))
      kaigi_graph_remove (p->graph, e);
  }
}

/* Downstream first: a chain that pushes into a webrtcbin still in NULL gets FLUSHING back,
 * and an aggregator that once sees FLUSHING from downstream never produces again. */
static void
start_made (KaigiPeer *p)
{
  gst_element_sync_state_with_parent (p->webrtc);
  for (guint i = p->elements->len; i > 0; i--)
    gst_element_sync_state_with_parent (g_ptr_array_index (p->elements, i - 1));
}

KaigiPeer *
kaigi_peer_new (KaigiGraph *graph, const char *id, const KaigiPeerOptions *opt,
                const KaigiPeerEvents *ev, gpointer user, GError **error)
{
  KaigiPeer *p = peer_alloc (graph, id, opt);

  p->ev = *ev;
  p->user = user;

  /* Elements stay in NULL until all of them are made and linked. */
  if (!build (p, error)) {
    remove_made (p);
    g_prefix_error (error, "participant %s: ", id);
    kaigi_peer_unref (p);
    return NULL;
  }
  start_made (p);
  g_signal_emit_by_name (
      p->webrtc, "create-offer", NULL,
      gst_promise_new_with_change_func (on_offer_created, kaigi_peer_ref (p), NULL));
  return p;
}

KaigiPeerState
kaigi_peer_get_state (KaigiPeer *p)
{
  return p->state;
}

const char *
kaigi_peer_get_id (KaigiPeer *p)
{
  return p->id;
}

const char *
kaigi_peer_slot_mid (KaigiPeer *p, guint slot)
{
  return slot < p->opt.slots ? p->mids[kaigi_peer_slot_mline (slot)] : NULL;
}

gboolean
kaigi_peer_slot_usable (KaigiPeer *p, guint slot)
{
  return slot < p->opt.slots && !p->rejected[kaigi_peer_slot_mline (slot)];
}

/* ---- WHIP ingest: the other side offers ---- */

/* Before webrtcbin leaves NULL: a receive-only transceiver per offered m-line we take, its
 * codec preferences the offer's payload type (VP8 rather than H.264 when both are offered),
 * so that the answer names only what the chains decode. */
static gboolean
ingest_transceivers (KaigiPeer *p, const GstSDPMessage *sdp, GError **error)
{
  gboolean audio = FALSE, video = FALSE;

  for (guint i = 0; i < gst_sdp_message_medias_len (sdp); i++) {
    const GstSDPMedia *m = gst_sdp_message_get_media (sdp, i);
    gboolean is_audio = g_strcmp0 (gst_sdp_media_get_media (m), "audio") == 0;
    int pt = -1;
    const char *enc = NULL;
    g_autoptr (GstCaps) caps = NULL;
    g_autoptr (GstWebRTCRTPTransceiver) trans = NULL;

    if (gst_sdp_media_get_port (m) == 0 || (is_audio ? audio : video))
      continue;
    if (is_audio && (pt = kaigi_sdp_offered_pt (m, "opus", KAIGI_SDP_H264_ANY)) >= 0)
      enc = "OPUS";
    else if (!is_audio && g_strcmp0 (gst_sdp_media_get_media (m), "video") == 0) {
      if ((pt = kaigi_sdp_offered_pt (m, "VP8", KAIGI_SDP_H264_ANY)) >= 0)
        enc = "VP8";
      else if ((pt = kaigi_sdp_offered_pt (m, "H264", KAIGI_SDP_H264_ANY)) >= 0)
        enc = "H264";
    }
    if (!enc)
      continue;
    caps = gst_caps_new_simple ("application/x-rtp", "media", G_TYPE_STRING,
                                is_audio ? "audio" : "video", "encoding-name", G_TYPE_STRING, enc,
                                "payload", G_TYPE_INT, pt, "clock-rate", G_TYPE_INT,
                                is_audio ? 48000 : 90000, NULL);
    if (!is_audio)
      gst_caps_set_simple (caps, "rtcp-fb-nack-pli", G_TYPE_BOOLEAN, TRUE, "rtcp-fb-ccm-fir",
                           G_TYPE_BOOLEAN, TRUE, NULL);
    g_signal_emit_by_name (p->webrtc, "add-transceiver",
                           GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_RECVONLY, caps, &trans);
    if (trans && !is_audio)
      g_object_set (trans, "do-nack", TRUE, NULL);
    *(is_audio ? &audio : &video) = TRUE;
  }
  if (!audio && !video)
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_INVALID,
                 "the offer sends neither Opus audio nor VP8 or H.264 "
                 "(packetization-mode=1) video");
  return audio || video;
}

/* Main thread: our answer is set and ICE gathering is over: hand the answer over, every
 * candidate in it. */
static void
ingest_maybe_reply (KaigiPeer *p)
{
  g_autofree char *text = NULL;

  if (p->answered || !p->answer || !p->gathered)
    return;
  p->answered = TRUE;
  if (!(text = kaigi_sdp_answer_with_candidates (p->answer, p->candidates))) {
    p->ev.failed (p->user, "webrtcbin made an answer that is not SDP");
    return;
  }
  GST_INFO ("peer %s: WHIP answer with %u candidates", p->id, p->candidates->len);
  p->ev.offer (p->user, text);
}

static void
ingest_candidate (KaigiPeer *p, gpointer data)
{
  g_ptr_array_add (p->candidates, g_strdup (data));
}

static void
ingest_gathered (KaigiPeer *p, gpointer data)
{
  p->gathered = TRUE;
  ingest_maybe_reply (p);
}

/* Any thread. */
static void
on_gathering (GObject *webrtc, GParamSpec *pspec, KaigiPeer *p)
{
  GstWebRTCICEGatheringState s;

  g_object_get (webrtc, "ice-gathering-state", &s, NULL);
  if (s == GST_WEBRTC_ICE_GATHERING_STATE_COMPLETE)
    hop (p, ingest_gathered, NULL, NULL);
}

static void
ingest_answer_set (KaigiPeer *p, gpointer data)
{
  p->answer = g_strdup (data);
  p->state = KAIGI_PEER_ANSWERED;
  ingest_maybe_reply (p);
}

/* Thread: webrtcbin's pc thread. */
static void
on_ingest_answer (GstPromise *promise, gpointer user_data)
{
  set_local (user_data, promise, "answer", ingest_answer_set,
             "the server could not answer this offer");
}

/* Thread: webrtcbin's pc thread. */
static void
on_ingest_offer_set (GstPromise *promise, gpointer user_data)
{
  KaigiPeer *p = user_data;
  const GstStructure *reply = gst_promise_get_reply (promise);
  GError *err = NULL;

  if (reply && gst_structure_has_field (reply, "error"))
    gst_structure_get (reply, "error", G_TYPE_ERROR, &err, NULL);
  gst_promise_unref (promise);
  if (err) {
    hop (p, run_failed, g_strdup_printf ("the offer was refused: %s", err->message), g_free);
    g_error_free (err);
    kaigi_peer_unref (p);
    return;
  }
  g_signal_emit_by_name (p->webrtc, "create-answer", NULL,
                         gst_promise_new_with_change_func (on_ingest_answer, p, NULL));
}

KaigiPeer *
kaigi_peer_new_ingest (KaigiGraph *graph, const char *id, const KaigiPeerOptions *opt,
                       const char *offer, const KaigiPeerEvents *ev, gpointer user, GError **error)
{
  GstSDPMessage *sdp = NULL;
  GstWebRTCSessionDescription *desc;
  KaigiPeerOptions o = *opt;
  KaigiPeer *p;

  if (gst_sdp_message_new_from_text (offer, &sdp) != GST_SDP_OK || !sdp
      || gst_sdp_message_medias_len (sdp) == 0) {
    if (sdp)
      gst_sdp_message_free (sdp);
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_INVALID, "the body is not an SDP offer");
    return NULL;
  }
  o.ingest = TRUE;
  o.slots = 0;
  p = peer_alloc (graph, id, &o);
  p->ev = *ev;
  p->user = user;
  p->candidates = g_ptr_array_new_with_free_func (g_free);
  p->webrtc = kaigi_graph_make ("webrtcbin", p->id, error);
  if (p->webrtc)
    kaigi_graph_add (graph, gst_object_ref (p->webrtc), p, kaigi_peer_element_error);
  if (!p->webrtc || !configure_webrtc (p, error) || !ingest_transceivers (p, sdp, error)
      || !kaigi_chains_build (p, NULL, NULL, error)) {
    gst_sdp_message_free (sdp);
    remove_made (p);
    kaigi_peer_unref (p);
    return NULL;
  }
  g_signal_connect (p->webrtc, "notify::ice-gathering-state", G_CALLBACK (on_gathering), p);
  start_made (p);
  p->state = KAIGI_PEER_OFFERING;
  desc = gst_webrtc_session_description_new (GST_WEBRTC_SDP_TYPE_OFFER, sdp);
  g_signal_emit_by_name (
      p->webrtc, "set-remote-description", desc,
      gst_promise_new_with_change_func (on_ingest_offer_set, kaigi_peer_ref (p), NULL));
  gst_webrtc_session_description_free (desc);
  return p;
}

/* ---- teardown ---- */

void
kaigi_peer_close (KaigiPeer *p)
{
  if (p->state == KAIGI_PEER_CLOSING)
    return;
  GST_INFO ("peer %s closing", p->id);
  kaigi_listen_flush (p);
  p->state = KAIGI_PEER_CLOSING;
  closing_count++;
  if (p->webrtc)
    g_signal_handlers_disconnect_by_data (p->webrtc, p);
  kaigi_forward_detach_all (p);
  kaigi_record_detach_all (p);
  if (p->detaching == 0)
    kaigi_peer_finish_close (p);
}

/* Main thread: every link into and out of @p is unlinked from its tee, so nothing of ours
 * can return FLUSHING to anyone else's tee any more. webrtcbin goes first: that unblocks any
 * of its sink pads a stream may be waiting on; then the links into us, then the rest. */
void
kaigi_peer_finish_close (KaigiPeer *p)
{
  if (p->webrtc)
    kaigi_graph_remove (p->graph, p->webrtc);
  kaigi_forward_dispose_later (p);
  for (guint i = 0; i < p->elements->len; i++)
    kaigi_graph_remove (p->graph, g_ptr_array_index (p->elements, i));
  closing_count--;
  GST_INFO ("peer %s closed", p->id);
  kaigi_peer_unref (p);
}

guint
kaigi_peer_closing_count (void)
{
  return closing_count;
}

guint
kaigi_peer_alive_count (void)
{
  return g_atomic_int_get (&alive_count);
}
