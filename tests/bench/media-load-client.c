/* media-load-client.c: one participant of kaigi-media-load, joined as a browser would be.
 *
 * A WebSocket to /ws with the sub-protocol "kaigi" (libsoup 3), a join with the member's
 * token, then the server's offer answered by a webrtcbin that sends what the shared encoders
 * made (appsrc -> rtpopuspay / rtpvp8pay, m-lines 0 and 1) and receives the mix-minus and
 * the video slots. Received streams are not decoded: the RTP sequence numbers are counted at
 * webrtcbin's source pad (after its jitterbuffer) and every VP8 frame is looked up, after
 * the depayloader, in the frame table of media-load.c.
 *
 * Threads: the WebSocket and every public function on the main thread, except
 * load_client_push (the encoders' streaming threads). webrtcbin's callbacks run on its own
 * threads and hop to the main context (g_main_context_invoke_full) to send anything. */
#include <gst/rtp/rtp.h>
#include <gst/sdp/sdp.h>
#include <gst/webrtc/webrtc.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "media-load.h"
#include "media/webrtc-tune.h"

#define OPUS_CAPS "audio/x-opus,channel-mapping-family=0,channels=1,rate=48000"
#define AUDIO_RTP "application/x-rtp,media=audio,encoding-name=OPUS,payload=111,clock-rate=48000"
#define VIDEO_RTP "application/x-rtp,media=video,encoding-name=VP8,payload=96,clock-rate=90000"

struct _LoadClient {
  Load *load; /* not owned */
  guint number;
  char *token;                 /* owned */
  SoupWebsocketConnection *ws; /* owned; main thread */
  GstElement *pipe;            /* owned */
  GstElement *webrtc;          /* owned by pipe */
  GstAppSrc *src[2];           /* [video]; owned by pipe */
  gint connected;              /* atomic: ICE and DTLS are up */
  guint slots;                 /* K, from welcome */
  char *error;                 /* code of the last error the server sent, owned */
  GMutex lock;                 /* guards streams (the array; the fields: Load.lock) */
  GPtrArray *streams;          /* LoadStream, owned */
  /* Per m-line the client number whose camera the server's slot carries (0: none or not
   * known), from the "slots" messages; atomic (read by the stream threads). */
  gint slot_publisher[32];
};

/* ---- sending (main thread) ---- */

static void
send_json (LoadClient *c, JsonBuilder *b)
{
  g_autoptr (JsonNode) root = json_builder_get_root (b);
  g_autofree char *text = json_to_string (root, FALSE);

  if (c->ws && soup_websocket_connection_get_state (c->ws) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_send_text (c->ws, text);
}

typedef struct {
  LoadClient *c;
  JsonBuilder *b; /* owned */
} Say;

static gboolean
say_now (gpointer data)
{
  Say *s = data;

  send_json (s->c, s->b);
  return G_SOURCE_REMOVE;
}

static void
say_free (gpointer data)
{
  Say *s = data;

  g_object_unref (s->b);
  g_free (s);
}

/* Any thread: sends @b (consumed) from the main context. */
static void
say_later (LoadClient *c, JsonBuilder *b)
{
  Say *s = g_new0 (Say, 1);

  s->c = c;
  s->b = b;
  g_main_context_invoke_full (NULL, G_PRIORITY_DEFAULT, say_now, s, say_free);
}

/* ---- webrtcbin (its threads) ---- */

static void
on_answer_created (GstPromise *promise, gpointer data)
{
  LoadClient *c = data;
  GstWebRTCSessionDescription *answer = NULL;
  const GstStructure *reply = gst_promise_get_reply (promise);
  g_autofree char *sdp = NULL;
  JsonBuilder *b;

  if (reply)
    gst_structure_get (reply, "answer", GST_TYPE_WEBRTC_SESSION_DESCRIPTION, &answer, NULL);
  gst_promise_unref (promise);
  if (!answer) {
    g_printerr ("media-load: client %u: webrtcbin made no answer\n", c->number);
    return;
  }
  g_signal_emit_by_name (c->webrtc, "set-local-description", answer, NULL);
  sdp = gst_sdp_message_as_text (answer->sdp);
  gst_webrtc_session_description_free (answer);
  b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (b, "answer");
  json_builder_set_member_name (b, "sdp");
  json_builder_add_string_value (b, sdp);
  json_builder_end_object (b);
  say_later (c, b);
}

static void
on_offer_set (GstPromise *promise, gpointer data)
{
  LoadClient *c = data;

  gst_promise_unref (promise);
  g_signal_emit_by_name (c->webrtc, "create-answer", NULL,
                         gst_promise_new_with_change_func (on_answer_created, c, NULL));
}

static void
on_ice_candidate (GstElement *webrtc, guint mline, const char *cand, LoadClient *c)
{
  JsonBuilder *b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (b, "ice");
  json_builder_set_member_name (b, "candidate");
  json_builder_add_string_value (b, cand);
  json_builder_set_member_name (b, "sdpMLineIndex");
  json_builder_add_int_value (b, mline);
  json_builder_end_object (b);
  say_later (c, b);
}

static void
on_connection_state (GstElement *webrtc, GParamSpec *pspec, LoadClient *c)
{
  GstWebRTCPeerConnectionState s;

  g_object_get (webrtc, "connection-state", &s, NULL);
  g_atomic_int_set (&c->connected, s == GST_WEBRTC_PEER_CONNECTION_STATE_CONNECTED);
  if (s == GST_WEBRTC_PEER_CONNECTION_STATE_FAILED)
    g_printerr ("media-load: client %u: ICE or DTLS failed\n", c->number);
}

/* Thread: the stream's. RTP at webrtcbin's source pad, after its jitterbuffer. */
static GstPadProbeReturn
on_rtp (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  LoadStream *s = data;
  GstRTPBuffer rtp = GST_RTP_BUFFER_INIT;
  GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER (info);

  if (!gst_rtp_buffer_map (buf, GST_MAP_READ, &rtp))
    return GST_PAD_PROBE_OK;
  g_atomic_int_inc (&s->packets_total);
  load_packet_arrived (s->load, s, gst_rtp_buffer_get_seq (&rtp));
  gst_rtp_buffer_unmap (&rtp);
  return GST_PAD_PROBE_OK;
}

/* Thread: the stream's. One whole VP8 frame out of the depayloader. */
static GstPadProbeReturn
on_frame (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  LoadStream *s = data;
  GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER (info);
  gint64 now = g_get_monotonic_time ();
  GstMapInfo map;

  g_atomic_int_inc (&s->frames);
  if (gst_buffer_map (buf, &map, GST_MAP_READ)) {
    guint publisher = s->mline < G_N_ELEMENTS (s->client->slot_publisher)
                          ? (guint)g_atomic_int_get (&s->client->slot_publisher[s->mline])
                          : 0;
    load_frame_arrived (s->load, s, map.data, map.size, now, publisher);
    gst_buffer_unmap (buf, &map);
  }
  return GST_PAD_PROBE_OK;
}

/* Thread: a webrtcbin streaming thread. Counts what arrives; decodes nothing. */
static void
on_pad_added (GstElement *webrtc, GstPad *pad, LoadClient *c)
{
  g_autoptr (GstCaps) caps = NULL;
  g_autoptr (GstPad) sink = NULL;
  const char *media;
  LoadStream *s;
  GstElement *bin;
  GError *err = NULL;

  if (GST_PAD_DIRECTION (pad) != GST_PAD_SRC)
    return;
  caps = gst_pad_get_current_caps (pad);
  media = caps ? gst_structure_get_string (gst_caps_get_structure (caps, 0), "media") : NULL;
  s = g_new0 (LoadStream, 1);
  s->load = c->load;
  s->client = c;
  {
    g_autoptr (GstWebRTCRTPTransceiver) trans = NULL;
    g_object_get (pad, "transceiver", &trans, NULL);
    if (trans)
      g_object_get (trans, "mlineindex", &s->mline, NULL);
  }
  s->video = g_strcmp0 (media, "video") == 0;
  g_mutex_lock (&c->lock);
  g_ptr_array_add (c->streams, s);
  g_mutex_unlock (&c->lock);
  bin = gst_parse_bin_from_description (s->video ? "rtpvp8depay name=d ! fakesink sync=false "
                                                   "async=false"
                                                 : "fakesink sync=false async=false",
                                        TRUE, &err);
  g_assert_no_error (err);
  if (s->video) {
    g_autoptr (GstElement) d = gst_bin_get_by_name (GST_BIN (bin), "d");
    g_autoptr (GstPad) out = gst_element_get_static_pad (d, "src");
    gst_pad_add_probe (out, GST_PAD_PROBE_TYPE_BUFFER, on_frame, s, NULL);
  }
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, on_rtp, s, NULL);
  gst_bin_add (GST_BIN (c->pipe), bin);
  gst_element_sync_state_with_parent (bin);
  sink = gst_element_get_static_pad (bin, "sink");
  if (gst_pad_link (pad, sink) != GST_PAD_LINK_OK)
    g_printerr ("media-load: client %u: could not link a received %s stream\n", c->number,
                media ? media : "?");
}

/* Thread: the payloader's. */
static GstPadProbeReturn
on_sent (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  LoadClient *c = data;
  gboolean video = g_str_has_prefix (GST_OBJECT_NAME (GST_PAD_PARENT (pad)), "rtpvp8pay");

  if (info->type & GST_PAD_PROBE_TYPE_BUFFER_LIST) {
    GstBufferList *list = GST_PAD_PROBE_INFO_BUFFER_LIST (info);
    for (guint i = 0; i < gst_buffer_list_length (list); i++)
      load_packet_sent (c->load, video);
  } else {
    load_packet_sent (c->load, video);
  }
  return GST_PAD_PROBE_OK;
}

/* Thread: the payloader's. A PLI from the server reaches our appsrc as GstForceKeyUnit. */
static GstPadProbeReturn
on_upstream_event (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  LoadClient *c = data;

  if (gst_event_has_name (GST_PAD_PROBE_INFO_EVENT (info), "GstForceKeyUnit"))
    load_request_keyframe (c->load);
  return GST_PAD_PROBE_OK;
}

/* ---- signalling (main thread) ---- */

static void
on_offer (LoadClient *c, JsonObject *o)
{
  GstSDPMessage *sdp = NULL;
  GstWebRTCSessionDescription *d;

  if (gst_sdp_message_new_from_text (json_object_get_string_member_with_default (o, "sdp", ""),
                                     &sdp)
      != GST_SDP_OK) {
    g_printerr ("media-load: client %u: the offer does not parse\n", c->number);
    return;
  }
  d = gst_webrtc_session_description_new (GST_WEBRTC_SDP_TYPE_OFFER, sdp);
  g_signal_emit_by_name (c->webrtc, "set-remote-description", d,
                         gst_promise_new_with_change_func (on_offer_set, c, NULL));
  gst_webrtc_session_description_free (d);
}

static void
on_ice (LoadClient *c, JsonObject *o)
{
  const char *cand = json_object_get_string_member_with_default (o, "candidate", "");

  if (*cand)
    g_signal_emit_by_name (c->webrtc, "add-ice-candidate",
                           (guint)json_object_get_int_member_with_default (o, "sdpMLineIndex", 0),
                           cand);
}

static void
on_welcome (LoadClient *c, JsonObject *o)
{
  const char *id = json_object_get_string_member_with_default (o, "id", NULL);

  c->slots = json_object_get_int_member_with_default (o, "slots", 0);
  if (id)
    g_hash_table_replace (c->load->numbers, g_strdup (id), GUINT_TO_POINTER (c->number));
}

/* Which participant the server shows in each of our slots: whose phase a frame there has. */
static void
on_slots (LoadClient *c, JsonObject *o)
{
  JsonArray *slots
      = json_object_has_member (o, "slots") ? json_object_get_array_member (o, "slots") : NULL;

  for (guint i = 0; slots && i < json_array_get_length (slots); i++) {
    JsonObject *slot = json_array_get_object_element (slots, i);
    gint64 mline = json_object_get_int_member_with_default (slot, "mline", -1);
    const char *who = json_object_get_string_member_with_default (slot, "participant", NULL);
    if (mline >= 0 && mline < (gint64)G_N_ELEMENTS (c->slot_publisher))
      g_atomic_int_set (&c->slot_publisher[mline],
                        who ? GPOINTER_TO_INT (g_hash_table_lookup (c->load->numbers, who)) : 0);
  }
}

static void
on_error (LoadClient *c, JsonObject *o)
{
  g_free (c->error);
  c->error = g_strdup (json_object_get_string_member_with_default (o, "code", "?"));
  g_printerr ("media-load: client %u: error %s: %s\n", c->number, c->error,
              json_object_get_string_member_with_default (o, "message", ""));
}

static const struct {
  const char *type;
  void (*handle) (LoadClient *c, JsonObject *o);
} handlers[] = {
  { "offer", on_offer }, { "ice", on_ice },     { "welcome", on_welcome },
  { "slots", on_slots }, { "error", on_error },
};

static void
on_message (SoupWebsocketConnection *ws, gint type, GBytes *message, LoadClient *c)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  gsize size;
  const char *data = g_bytes_get_data (message, &size);
  JsonNode *root;
  const char *t;

  if (type != SOUP_WEBSOCKET_DATA_TEXT || !json_parser_load_from_data (parser, data, size, NULL))
    return;
  root = json_parser_get_root (parser);
  if (!JSON_NODE_HOLDS_OBJECT (root))
    return;
  t = json_object_get_string_member_with_default (json_node_get_object (root), "type", "");
  for (guint i = 0; i < G_N_ELEMENTS (handlers); i++)
    if (g_str_equal (t, handlers[i].type))
      handlers[i].handle (c, json_node_get_object (root));
}

static void
on_closed (SoupWebsocketConnection *ws, LoadClient *c)
{
  if (!c->error)
    c->error = g_strdup_printf ("closed-%u", soup_websocket_connection_get_close_code (ws));
}

static void
on_connected (GObject *session, GAsyncResult *res, gpointer data)
{
  LoadClient *c = data;
  g_autoptr (GError) error = NULL;
  JsonBuilder *b;

  c->ws = soup_session_websocket_connect_finish (SOUP_SESSION (session), res, &error);
  if (!c->ws) {
    g_printerr ("media-load: client %u: %s\n", c->number, error->message);
    c->error = g_strdup ("websocket");
    return;
  }
  g_signal_connect (c->ws, "message", G_CALLBACK (on_message), c);
  g_signal_connect (c->ws, "closed", G_CALLBACK (on_closed), c);
  b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (b, "join");
  json_builder_set_member_name (b, "meeting");
  json_builder_add_int_value (b, c->load->meeting);
  json_builder_set_member_name (b, "token");
  json_builder_add_string_value (b, c->token);
  json_builder_end_object (b);
  send_json (c, b);
  g_object_unref (b);
}

/* ---- the client ---- */

static void
restrict_ice_to_loopback (GstElement *webrtc)
{
  GObject *ice = NULL, *agent = NULL;
  gboolean ok = FALSE;

  g_object_get (webrtc, "ice-agent", &ice, NULL);
  g_signal_emit_by_name (ice, "add-local-ip-address", "127.0.0.1", &ok);
  g_object_get (ice, "agent", &agent, NULL);
  g_object_set (agent, "upnp", FALSE, NULL); /* no SSDP multicast off the machine */
  g_object_unref (agent);
  g_object_unref (ice);
}

LoadClient *
load_client_new (Load *load, guint number, const char *token, GError **error)
{
  LoadClient *c = g_new0 (LoadClient, 1);
  g_autofree char *desc = g_strdup_printf (
      "webrtcbin name=w bundle-policy=max-bundle latency=%u "
      "appsrc name=a0 is-live=true format=time max-bytes=200000 "
      "leaky-type=downstream caps=" OPUS_CAPS " ! rtpopuspay pt=111 ! " AUDIO_RTP " ! w.sink_0 "
      "appsrc name=a1 is-live=true format=time max-bytes=2000000 "
      "leaky-type=downstream caps=video/x-vp8 ! rtpvp8pay pt=96 picture-id-mode=15-bit "
      "! " VIDEO_RTP " ! w.sink_1",
      load->latency_ms);

  c->load = load;
  c->number = number;
  c->token = g_strdup (token);
  c->streams = g_ptr_array_new_with_free_func (g_free);
  g_mutex_init (&c->lock);
  c->pipe = gst_parse_launch (desc, error);
  if (!c->pipe) {
    load_client_free (c);
    return NULL;
  }
  c->webrtc = gst_bin_get_by_name (GST_BIN (c->pipe), "w");
  g_object_unref (c->webrtc); /* the pipeline keeps it */
  restrict_ice_to_loopback (c->webrtc);
  for (int i = 0; i < 2; i++) {
    g_autofree char *name = g_strdup_printf ("a%d", i);
    g_autofree char *sink_name = g_strdup_printf ("sink_%d", i);
    g_autoptr (GstPad) sink = gst_element_get_static_pad (c->webrtc, sink_name);
    g_autoptr (GstCaps) prefs = gst_caps_from_string (i ? VIDEO_RTP : AUDIO_RTP);
    g_autoptr (GstWebRTCRTPTransceiver) trans = NULL;
    g_autoptr (GstPad) src_pad = NULL;
    /* Without codec preferences the answer pairs our camera with the video m-line only if
     * the payloader's caps are already there. */
    g_object_get (sink, "transceiver", &trans, NULL);
    g_object_set (trans, "codec-preferences", prefs, NULL);
    c->src[i] = GST_APP_SRC (gst_bin_get_by_name (GST_BIN (c->pipe), name));
    g_object_unref (c->src[i]);
    src_pad = gst_element_get_static_pad (GST_ELEMENT (c->src[i]), "src");
    if (i)
      gst_pad_add_probe (src_pad, GST_PAD_PROBE_TYPE_EVENT_UPSTREAM, on_upstream_event, c, NULL);
    {
      g_autoptr (GstPad) pay_sink = gst_pad_get_peer (src_pad);
      g_autoptr (GstPad) pay_src = gst_element_get_static_pad (GST_PAD_PARENT (pay_sink), "src");
      gst_pad_add_probe (pay_src, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST,
                         on_sent, c, NULL);
    }
  }
  g_signal_connect (c->webrtc, "on-ice-candidate", G_CALLBACK (on_ice_candidate), c);
  g_signal_connect (c->webrtc, "pad-added", G_CALLBACK (on_pad_added), c);
  /* As the server's (its jitterbuffers and funnel; its clocksync keeps pacing the sends): the
   * participants stand in for browsers on other machines, and what they spend here the
   * server cannot. */
  kaigi_webrtc_tune (c->webrtc, FALSE);
  g_signal_connect (c->webrtc, "notify::connection-state", G_CALLBACK (on_connection_state), c);
  if (gst_element_set_state (c->pipe, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_STATE_CHANGE,
                 "client %u: the pipeline does not start", number);
    load_client_free (c);
    return NULL;
  }
  return c;
}

void
load_client_connect (LoadClient *c)
{
  g_autoptr (SoupMessage) msg = soup_message_new (SOUP_METHOD_GET, c->load->url);
  const char *protocols[] = { "kaigi", NULL };

  soup_session_websocket_connect_async (c->load->session, msg, NULL, (char **)protocols,
                                        G_PRIORITY_DEFAULT, NULL, on_connected, c);
}

void
load_client_push (LoadClient *c, gboolean video, GstBuffer *frame)
{
  g_autoptr (GstClock) clock = NULL;
  GstBuffer *copy;

  if (!g_atomic_int_get (&c->connected) || !(clock = gst_element_get_clock (c->pipe)))
    return;
  /* A shallow copy (the bytes are shared), stamped with this client's running time plus its
   * phase: webrtcbin's clocksync (sync on, as in a browser's sender) holds it until then. */
  copy = gst_buffer_copy (frame);
  GST_BUFFER_PTS (copy) = GST_BUFFER_DTS (copy)
      = gst_clock_get_time (clock) - gst_element_get_base_time (c->pipe)
        + load_phase_us (c->load, c->number, video) * GST_USECOND;
  gst_app_src_push_buffer (c->src[video], copy);
}

gboolean
load_client_ready (LoadClient *c, guint expected_slots, char **why)
{
  guint shown = 0, audio = 0;

  g_mutex_lock (&c->lock);
  for (guint i = 0; i < c->streams->len; i++) {
    LoadStream *s = c->streams->pdata[i];
    if (s->video && g_atomic_int_get (&s->frames) >= 10)
      shown++;
    else if (!s->video && g_atomic_int_get (&s->packets_total) >= 10)
      audio++;
  }
  g_mutex_unlock (&c->lock);
  if (why)
    *why = g_strdup_printf ("client %u: %s, %s audio, %u of %u slots with video", c->number,
                            c->error                           ? c->error
                            : g_atomic_int_get (&c->connected) ? "connected"
                                                               : "not connected",
                            audio ? "hears" : "no", shown, expected_slots);
  return g_atomic_int_get (&c->connected) && audio && shown >= expected_slots;
}

guint
load_client_slots (LoadClient *c)
{
  return c->slots;
}

GPtrArray *
load_client_streams (LoadClient *c)
{
  return c->streams;
}

const char *
load_client_error (LoadClient *c)
{
  return c->error;
}

void
load_client_leave (LoadClient *c)
{
  if (c->ws && soup_websocket_connection_get_state (c->ws) == SOUP_WEBSOCKET_STATE_OPEN) {
    soup_websocket_connection_send_text (c->ws, "{\"type\":\"leave\"}");
    soup_websocket_connection_close (c->ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
  }
}

/* The pipeline stops first, so that no webrtcbin thread calls back into a freed client;
 * hops still queued on the main context must have run (the caller iterates it) before. */
void
load_client_free (LoadClient *c)
{
  if (c->pipe) {
    gst_element_set_state (c->pipe, GST_STATE_NULL);
    while (g_main_context_iteration (NULL, FALSE))
      ; /* this client's queued hops */
    gst_object_unref (c->pipe);
  }
  if (c->ws) {
    g_signal_handlers_disconnect_by_data (c->ws, c);
    g_object_unref (c->ws);
  }
  g_ptr_array_unref (c->streams);
  g_mutex_clear (&c->lock);
  g_free (c->error);
  g_free (c->token);
  g_free (c);
}
