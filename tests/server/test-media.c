/* test-media.c: real WebRTC between the server's peers and webrtcbin clients in this process.
 *
 * Three clients join one room through the signalling layer: A sends a 440 Hz tone, B and C
 * send silence; all send VP8 test video. Over loopback ICE, DTLS and SRTP:
 *   - each client decodes video from both others (two slots);
 *   - B and C hear A's tone in their mix; A hears silence (its own voice never comes back);
 *     everyone is told A speaks (the meeting mixer's `speaking`);
 *   - when A leaves, B and C go on receiving each other's video and audio.
 * The chair's mute takes a mic out of every ear but leaves its owner hearing; a fourth client
 * who talks takes a slot (RTP sequence continuous, its keyframe within a second). Then the
 * same room goes through join/leave churn with one resident client, and the server's part of
 * the process (threads, fds) must come back to where it was. The server's receive transports
 * skip webrtcbin's receive queue while media flows and put it back when ICE loses the
 * connection (media/receive-bypass.h).
 *
 * Threads: clients' webrtcbin callbacks hop to the main context (g_idle_add) before they
 * touch the signalling layer, as the server's own code does. */
#include <gst/gst.h>
#include <gst/sdp/sdp.h>
#include <gst/webrtc/webrtc.h>
#include <json-glib/json-glib.h>
#include <math.h>

#include "media/graph.h"
#include "media/receive-bypass.h"
#include "meeting-fixture.h"
#include "peer.h"
#include "room.h"
#include "signalling.h"

#define SLOTS 2

typedef struct {
  const char *name;
  int freq;                     /* 0: silence */
  GstElement *pipe;             /* owned */
  GstElement *webrtc;           /* owned by pipe */
  KaigiSignalConn *conn;        /* NULL once gone */
  gint video_frames[SLOTS + 1]; /* per received video stream, atomic */
  gint n_video;                 /* atomic */
  gint keyframe_requests;       /* force-key-unit events that reached our encoder, atomic */
  GstPad *video_in;             /* first received video stream's depayloader sink, ref */
  GMutex lock;
  double sq_sum; /* audio received since the last reset, under lock */
  gint64 samples;
  int closed;
  gboolean ignore_offer; /* never answers: a broken browser */
  char *last_error;      /* code of the last error message, owned */
  char *id;              /* our participant id, from `welcome`, owned */
  GHashTable *speaking;  /* participant id -> "1"/"0": the last `speaking` about them */
  /* Per received video stream, under lock: its m-line's mid (owned), RTP sequence numbers
   * that did not follow the previous one, the last number (-1: none yet), and the monotonic
   * time of its last keyframe. */
  char *video_mid[SLOTS + 1];
  int video_gaps[SLOTS + 1];
  int video_last_seq[SLOTS + 1];
  gint64 video_keyframe_us[SLOTS + 1][16]; /* the first 16 keyframes' times, 0: none */
  /* The last `slots` message (main thread): who each slot shows (owned), since when. */
  char *slot_shows[SLOTS];
  char *slot_mid[SLOTS];
  gint64 slot_changed_us[SLOTS];
} Client;

typedef struct {
  KaigiGraph *graph;
  KaigiRoom *room;
  KaigiRooms *rooms;
  KaigiAuth *auth;
  int next_roster; /* members join as r2..r7, r10..r13 in turn, then from r3 again */
} Server;

static const char *ice_addresses[] = { "127.0.0.1", NULL };

/* ---- hops from client threads to the main loop ---- */

typedef struct {
  Client *c;
  char *json;
} Say;

static gboolean
say_idle (gpointer data)
{
  Say *s = data;

  if (s->c->conn)
    kaigi_signal_conn_message (s->c->conn, s->json, strlen (s->json));
  g_free (s->json);
  g_free (s);
  return G_SOURCE_REMOVE;
}

static void
say_later (Client *c, char *json)
{
  Say *s = g_new0 (Say, 1);

  s->c = c;
  s->json = json;
  g_idle_add (say_idle, s);
}

/* ---- client webrtcbin ---- */

static void
on_answer_created (GstPromise *promise, gpointer data)
{
  Client *c = data;
  GstWebRTCSessionDescription *answer = NULL;
  g_autofree char *sdp = NULL;
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;

  gst_structure_get (gst_promise_get_reply (promise), "answer", GST_TYPE_WEBRTC_SESSION_DESCRIPTION,
                     &answer, NULL);
  gst_promise_unref (promise);
  g_assert_nonnull (answer);
  g_signal_emit_by_name (c->webrtc, "set-local-description", answer, NULL);
  sdp = gst_sdp_message_as_text (answer->sdp);
  gst_webrtc_session_description_free (answer);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (b, "answer");
  json_builder_set_member_name (b, "sdp");
  json_builder_add_string_value (b, sdp);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  say_later (c, json_to_string (root, FALSE));
}

static void
on_offer_set (GstPromise *promise, gpointer data)
{
  Client *c = data;

  gst_promise_unref (promise);
  g_signal_emit_by_name (c->webrtc, "create-answer", NULL,
                         gst_promise_new_with_change_func (on_answer_created, c, NULL));
}

static void
on_client_ice (GstElement *webrtc, guint mline, const char *cand, Client *c)
{
  say_later (c, g_strdup_printf ("{\"type\":\"ice\",\"candidate\":\"%s\",\"sdpMLineIndex\":%u}",
                                 cand, mline));
}

static GstPadProbeReturn
count_frame (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  g_atomic_int_inc ((gint *)data);
  return GST_PAD_PROBE_OK;
}

static GstPadProbeReturn
count_keyframe_request (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  Client *c = data;
  GstEvent *e = GST_PAD_PROBE_INFO_EVENT (info);

  if (gst_event_has_name (e, "GstForceKeyUnit"))
    g_atomic_int_inc (&c->keyframe_requests);
  return GST_PAD_PROBE_OK;
}

static GstPadProbeReturn
measure_audio (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  Client *c = data;
  GstMapInfo map;
  GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER (info);
  double sum = 0;

  if (!gst_buffer_map (buf, &map, GST_MAP_READ))
    return GST_PAD_PROBE_OK;
  for (gsize i = 0; i + 1 < map.size; i += 2) {
    double v = (gint16)(map.data[i] | map.data[i + 1] << 8) / 32768.0;
    sum += v * v;
  }
  g_mutex_lock (&c->lock);
  c->sq_sum += sum;
  c->samples += map.size / 2;
  g_mutex_unlock (&c->lock);
  gst_buffer_unmap (buf, &map);
  return GST_PAD_PROBE_OK;
}

typedef struct {
  Client *c;
  int i; /* the video stream */
} Stream;

/* Streaming thread: RTP of video stream @s->i, as webrtcbin's jitterbuffer hands it out. */
static GstPadProbeReturn
check_seq (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  Stream *s = data;
  guint8 head[4];
  int seq;

  if (gst_buffer_extract (GST_PAD_PROBE_INFO_BUFFER (info), 0, head, 4) != 4)
    return GST_PAD_PROBE_OK;
  seq = head[2] << 8 | head[3];
  g_mutex_lock (&s->c->lock);
  if (s->c->video_last_seq[s->i] >= 0 && seq != ((s->c->video_last_seq[s->i] + 1) & 0xffff))
    s->c->video_gaps[s->i]++;
  s->c->video_last_seq[s->i] = seq;
  g_mutex_unlock (&s->c->lock);
  return GST_PAD_PROBE_OK;
}

/* Streaming thread: VP8 frames of video stream @s->i out of the depayloader. */
static GstPadProbeReturn
note_keyframe (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  Stream *s = data;

  if (!GST_BUFFER_FLAG_IS_SET (GST_PAD_PROBE_INFO_BUFFER (info), GST_BUFFER_FLAG_DELTA_UNIT)) {
    g_mutex_lock (&s->c->lock);
    for (guint k = 0; k < G_N_ELEMENTS (s->c->video_keyframe_us[s->i]); k++) {
      if (!s->c->video_keyframe_us[s->i][k]) {
        s->c->video_keyframe_us[s->i][k] = g_get_monotonic_time ();
        break;
      }
    }
    g_mutex_unlock (&s->c->lock);
  }
  return GST_PAD_PROBE_OK;
}

static Stream *
stream_new (Client *c, int i)
{
  Stream *s = g_new0 (Stream, 1);

  s->c = c;
  s->i = i;
  return s;
}

/* Thread: webrtcbin streaming thread. Decodes what arrives and counts or measures it. */
static void
on_client_pad (GstElement *webrtc, GstPad *pad, Client *c)
{
  g_autoptr (GstCaps) caps = NULL;
  const char *media;
  GstElement *bin;
  g_autoptr (GstPad) sink = NULL, out = NULL;
  GError *err = NULL;

  if (GST_PAD_DIRECTION (pad) != GST_PAD_SRC)
    return;
  caps = gst_pad_get_current_caps (pad);
  media = gst_structure_get_string (gst_caps_get_structure (caps, 0), "media");
  if (g_str_equal (media, "audio"))
    bin = gst_parse_bin_from_description (
        "rtpopusdepay ! opusdec ! audioconvert ! audioresample ! "
        "audio/x-raw,format=S16LE,channels=1,rate=48000 ! fakesink name=out async=false",
        TRUE, &err);
  else
    bin = gst_parse_bin_from_description ("rtpvp8depay ! vp8dec ! fakesink name=out async=false",
                                          TRUE, &err);
  g_assert_no_error (err);
  {
    g_autoptr (GstElement) sink_element = gst_bin_get_by_name (GST_BIN (bin), "out");
    out = gst_element_get_static_pad (sink_element, "sink");
  }
  if (g_str_equal (media, "audio")) {
    gst_pad_add_probe (out, GST_PAD_PROBE_TYPE_BUFFER, measure_audio, c, NULL);
  } else {
    int i = g_atomic_int_add (&c->n_video, 1);
    g_assert_cmpint (i, <=, SLOTS);
    {
      g_autoptr (GstIterator) it = gst_bin_iterate_sorted (GST_BIN (bin));
      g_autoptr (GstWebRTCRTPTransceiver) trans = NULL;
      GValue v = G_VALUE_INIT;
      char *mid = NULL;
      /* The depayloader is the last element in sink-to-source order. */
      while (gst_iterator_next (it, &v) == GST_ITERATOR_OK) {
        GstElement *e = g_value_get_object (&v);
        if (g_str_has_prefix (GST_OBJECT_NAME (e), "rtpvp8depay")) {
          g_autoptr (GstPad) src = gst_element_get_static_pad (e, "src");
          gst_pad_add_probe (src, GST_PAD_PROBE_TYPE_BUFFER, note_keyframe, stream_new (c, i),
                             g_free);
          if (i == 0) {
            g_clear_object (&c->video_in);
            c->video_in = gst_element_get_static_pad (e, "sink");
          }
        }
        g_value_reset (&v);
      }
      g_value_unset (&v);
      g_object_get (pad, "transceiver", &trans, NULL);
      if (trans)
        g_object_get (trans, "mid", &mid, NULL);
      g_mutex_lock (&c->lock);
      c->video_mid[i] = mid;
      g_mutex_unlock (&c->lock);
      gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, check_seq, stream_new (c, i), g_free);
    }
    gst_pad_add_probe (out, GST_PAD_PROBE_TYPE_BUFFER, count_frame, &c->video_frames[i], NULL);
  }
  gst_bin_add (GST_BIN (c->pipe), bin);
  gst_element_sync_state_with_parent (bin);
  sink = gst_element_get_static_pad (bin, "sink");
  g_assert_cmpint (gst_pad_link (pad, sink), ==, GST_PAD_LINK_OK);
}

static void
client_send (gpointer data, const char *json)
{
  Client *c = data;
  g_autoptr (JsonParser) p = json_parser_new ();
  JsonObject *o;
  const char *type;

  g_assert_true (json_parser_load_from_data (p, json, -1, NULL));
  o = json_node_get_object (json_parser_get_root (p));
  type = json_object_get_string_member (o, "type");
  if (g_str_equal (type, "offer") && c->ignore_offer) {
    return;
  } else if (g_str_equal (type, "offer")) {
    GstSDPMessage *sdp = NULL;
    GstWebRTCSessionDescription *d;
    g_assert_cmpint (gst_sdp_message_new_from_text (json_object_get_string_member (o, "sdp"), &sdp),
                     ==, GST_SDP_OK);
    d = gst_webrtc_session_description_new (GST_WEBRTC_SDP_TYPE_OFFER, sdp);
    g_signal_emit_by_name (c->webrtc, "set-remote-description", d,
                           gst_promise_new_with_change_func (on_offer_set, c, NULL));
    gst_webrtc_session_description_free (d);
  } else if (g_str_equal (type, "ice")) {
    const char *cand = json_object_get_string_member (o, "candidate");
    if (*cand)
      g_signal_emit_by_name (c->webrtc, "add-ice-candidate",
                             (guint)json_object_get_int_member (o, "sdpMLineIndex"), cand);
  } else if (g_str_equal (type, "slots")) {
    JsonArray *a = json_object_get_array_member (o, "slots");
    for (guint k = 0; k < json_array_get_length (a) && k < SLOTS; k++) {
      JsonObject *slot = json_array_get_object_element (a, k);
      const char *who = json_object_get_null_member (slot, "participant")
                            ? NULL
                            : json_object_get_string_member (slot, "participant");
      guint index = json_object_get_int_member (slot, "index");
      if (index < SLOTS && !json_object_get_null_member (slot, "mid")) {
        g_free (c->slot_mid[index]);
        c->slot_mid[index] = g_strdup (json_object_get_string_member (slot, "mid"));
      }
      if (index < SLOTS && g_strcmp0 (who, c->slot_shows[index]) != 0) {
        g_free (c->slot_shows[index]);
        c->slot_shows[index] = g_strdup (who);
        c->slot_changed_us[index] = g_get_monotonic_time ();
      }
    }
  } else if (g_str_equal (type, "speaking")) {
    g_hash_table_replace (c->speaking, g_strdup (json_object_get_string_member (o, "id")),
                          json_object_get_boolean_member (o, "speaking") ? "1" : "0");
  } else if (g_str_equal (type, "welcome")) {
    g_free (c->id);
    c->id = g_strdup (json_object_get_string_member (o, "id"));
  } else if (g_str_equal (type, "error")) {
    g_test_message ("%s got error %s", c->name, json);
    g_free (c->last_error);
    c->last_error = g_strdup (json_object_get_string_member (o, "code"));
  }
}

static void
client_close (gpointer data, int status, const char *reason)
{
  ((Client *)data)->closed = status;
}

static const KaigiSignalTransport client_transport = { client_send, client_close };

static Client *
client_new_full (Server *s, const char *name, int freq, gboolean ignore_offer)
{
  Client *c = g_new0 (Client, 1);
  g_autofree char *desc = g_strdup_printf (
      "webrtcbin name=w bundle-policy=max-bundle latency=50 "
      "audiotestsrc is-live=true wave=%s freq=%d volume=0.5 ! audio/x-raw,rate=48000,channels=1 ! "
      "opusenc ! rtpopuspay pt=111 ! "
      "application/x-rtp,media=audio,encoding-name=OPUS,payload=111,clock-rate=48000 ! w.sink_0 "
      "videotestsrc is-live=true pattern=ball ! video/x-raw,width=320,height=180,framerate=15/1 ! "
      "vp8enc name=enc deadline=1 keyframe-max-dist=100000 ! rtpvp8pay pt=96 ! "
      "application/x-rtp,media=video,encoding-name=VP8,payload=96,clock-rate=90000 ! w.sink_1",
      freq ? "sine" : "silence", freq ? freq : 440);
  GError *err = NULL;
  GObject *ice = NULL;
  gboolean ok = FALSE;

  c->name = name;
  c->freq = freq;
  c->ignore_offer = ignore_offer;
  c->speaking = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (int i = 0; i <= SLOTS; i++)
    c->video_last_seq[i] = -1;
  g_mutex_init (&c->lock);
  c->pipe = gst_parse_launch (desc, &err);
  g_assert_no_error (err);
  c->webrtc = gst_bin_get_by_name (GST_BIN (c->pipe), "w");
  g_object_unref (c->webrtc); /* the pipeline keeps it */
  g_object_get (c->webrtc, "ice-agent", &ice, NULL);
  g_signal_emit_by_name (ice, "add-local-ip-address", "127.0.0.1", &ok);
  {
    GObject *agent = NULL;
    g_object_get (ice, "agent", &agent, NULL);
    g_object_set (agent, "upnp", FALSE, NULL); /* no SSDP multicast off the machine */
    g_object_unref (agent);
  }
  g_object_unref (ice);
  /* Without codec preferences the client's answer matches its camera to the offer's video
   * m-line only if the encoder's caps happen to be there already. */
  for (int i = 0; i < 2; i++) {
    g_autofree char *name = g_strdup_printf ("sink_%d", i);
    g_autoptr (GstPad) pad = gst_element_get_static_pad (c->webrtc, name);
    g_autoptr (GstCaps) prefs = gst_caps_from_string (
        i == 0 ? "application/x-rtp,media=audio,encoding-name=OPUS,payload=111,clock-rate=48000"
               : "application/x-rtp,media=video,encoding-name=VP8,payload=96,clock-rate=90000");
    GstWebRTCRTPTransceiver *trans = NULL;
    g_object_get (pad, "transceiver", &trans, NULL);
    g_object_set (trans, "codec-preferences", prefs, NULL);
    g_object_unref (trans);
  }
  {
    g_autoptr (GstElement) enc = gst_bin_get_by_name (GST_BIN (c->pipe), "enc");
    g_autoptr (GstPad) src = gst_element_get_static_pad (enc, "src");
    gst_pad_add_probe (src, GST_PAD_PROBE_TYPE_EVENT_UPSTREAM, count_keyframe_request, c, NULL);
  }
  g_signal_connect (c->webrtc, "on-ice-candidate", G_CALLBACK (on_client_ice), c);
  g_signal_connect (c->webrtc, "pad-added", G_CALLBACK (on_client_pad), c);
  gst_element_set_state (c->pipe, GST_STATE_PLAYING);
  {
    KaigiSignalContext ctx = { .rooms = s->rooms, .auth = s->auth };
    g_autofree char *ref = NULL, *join = NULL;
    /* The first to join (r2) stays the resident of the churn test: later ones wrap to r3. */
    if (s->next_roster < 2)
      s->next_roster = 2;
    if (s->next_roster > 13)
      s->next_roster = 3;
    if (s->next_roster == 8)
      s->next_roster = 10;
    ref = g_strdup_printf ("r%d", s->next_roster++);
    join = fixture_join (s->auth, ref, KAIGI_ROLE_MEMBER, TRUE);
    c->conn = kaigi_signal_conn_new (&ctx, &client_transport, c);
    kaigi_signal_conn_message (c->conn, join, strlen (join));
  }
  return c;
}

static Client *
client_new (Server *s, const char *name, int freq)
{
  return client_new_full (s, name, freq, FALSE);
}

static void
client_leave (Client *c)
{
  const char *leave = "{\"type\":\"leave\"}";

  kaigi_signal_conn_message (c->conn, leave, strlen (leave));
  kaigi_signal_conn_closed (g_steal_pointer (&c->conn));
}

static void
spin_for (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * G_TIME_SPAN_MILLISECOND;

  while (g_get_monotonic_time () < end)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (2000);
}

static void
client_free (Client *c)
{
  if (c->conn)
    client_leave (c);
  gst_element_set_state (c->pipe, GST_STATE_NULL);
  g_clear_object (&c->video_in);
  spin_for (50); /* pending hops of this client */
  gst_object_unref (c->pipe);
  g_mutex_clear (&c->lock);
  g_free (c->last_error);
  g_free (c->id);
  g_hash_table_unref (c->speaking);
  for (int i = 0; i <= SLOTS; i++)
    g_free (c->video_mid[i]);
  for (int i = 0; i < SLOTS; i++) {
    g_free (c->slot_shows[i]);
    g_free (c->slot_mid[i]);
  }
  g_free (c);
}

/* Waits (bounded) until @c decodes @n video streams with at least @frames frames each. */
static gboolean
wait_video (Client *c, int n, int frames, guint timeout_ms)
{
  gint64 end = g_get_monotonic_time () + timeout_ms * G_TIME_SPAN_MILLISECOND;

  while (g_get_monotonic_time () < end) {
    int ok = 0;
    for (int i = 0; i < g_atomic_int_get (&c->n_video); i++)
      ok += g_atomic_int_get (&c->video_frames[i]) >= frames;
    if (ok >= n)
      return TRUE;
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (5000);
  }
  return FALSE;
}

static void
reset_audio (Client *c)
{
  g_mutex_lock (&c->lock);
  c->sq_sum = 0;
  c->samples = 0;
  g_mutex_unlock (&c->lock);
}

/* dBFS of what @c heard since the last reset; -200 for nothing at all. */
static double
heard_db (Client *c, gint64 *samples)
{
  double db;

  g_mutex_lock (&c->lock);
  *samples = c->samples;
  db = c->samples ? 10 * log10 (c->sq_sum / c->samples + 1e-20) : -200;
  g_mutex_unlock (&c->lock);
  return db;
}

static Server *
server_new_with_timeout (guint connect_timeout_s)
{
  Server *s = g_new0 (Server, 1);
  g_autoptr (GError) error = NULL;
  KaigiRoomOptions o = { .max_participants = 10 };

  o.peer.slots = SLOTS;
  o.peer.jitter_latency_ms = 50;
  o.peer.audio_bitrate = 32000;
  o.peer.ice_addresses = ice_addresses;
  o.peer.loopback_only = TRUE;
  o.connect_timeout_s = connect_timeout_s;
  s->graph = kaigi_graph_new (&error);
  g_assert_no_error (error);
  s->auth = fixture_auth ();
  s->rooms = kaigi_rooms_new (NULL, s->graph, NULL, &o, kaigi_signal_room_ops ());
  s->room = kaigi_rooms_add (s->rooms, fixture_meeting (KAIGI_MEETING_PUBLIC));
  return s;
}

static Server *
server_new (void)
{
  return server_new_with_timeout (0);
}

static void
server_free (Server *s)
{
  kaigi_rooms_free (s->rooms);
  kaigi_auth_free (s->auth);
  for (int i = 0; i < 500 && kaigi_peer_closing_count (); i++)
    spin_for (10);
  g_assert_cmpuint (kaigi_peer_closing_count (), ==, 0);
  kaigi_graph_free (s->graph);
  g_free (s);
}

static void
test_three_party_mix_minus (void)
{
  Server *s = server_new ();
  Client *a = client_new (s, "A", 440), *b = client_new (s, "B", 0), *c = client_new (s, "C", 0);
  Client *all[] = { a, b, c };
  gint64 n;
  double db[3];

  for (int i = 0; i < 3; i++)
    g_assert_true (wait_video (all[i], 2, 20, 20000));
  spin_for (1000); /* let the mixes settle after the last join */
  for (int i = 0; i < 3; i++)
    reset_audio (all[i]);
  spin_for (2000);
  for (int i = 0; i < 3; i++) {
    db[i] = heard_db (all[i], &n);
    g_test_message ("%s heard %.1f dBFS over %" G_GINT64_FORMAT " samples; video frames %d/%d",
                    all[i]->name, db[i], n, all[i]->video_frames[0], all[i]->video_frames[1]);
    g_assert_cmpint (n, >, 48000); /* over a second of mix arrived */
  }
  g_assert_cmpfloat (db[1], >, -20); /* B hears A's tone (-9 dBFS sent) */
  g_assert_cmpfloat (db[2], >, -20); /* C too */
  g_assert_cmpfloat (db[0], <, -60); /* A does not hear itself */
  /* The meeting's mixer heard A talk (its tone), and nobody else: everyone is told. */
  for (int i = 0; i < 3; i++) {
    g_assert_cmpstr (g_hash_table_lookup (all[i]->speaking, a->id), ==, "1");
    g_assert_null (g_hash_table_lookup (all[i]->speaking, b->id));
    g_assert_null (g_hash_table_lookup (all[i]->speaking, c->id));
  }

  /* A leaves: B and C carry on with each other. */
  client_leave (a);
  {
    int fb = b->video_frames[0] + b->video_frames[1], fc = c->video_frames[0] + c->video_frames[1];
    spin_for (2000);
    g_assert_cmpint (b->video_frames[0] + b->video_frames[1], >, fb + 10);
    g_assert_cmpint (c->video_frames[0] + c->video_frames[1], >, fc + 10);
    reset_audio (b);
    spin_for (1000);
    heard_db (b, &n);
    g_assert_cmpint (n, >, 24000);
  }
  g_assert_cmpuint (kaigi_room_count (s->room), ==, 2);
  for (int i = 0; i < 3; i++)
    client_free (all[i]);
  server_free (s);
}

/* Over one second from now: what @n clients heard, in dBFS. */
static void
listen_all (Client **c, int n, double *db)
{
  gint64 samples;

  for (int i = 0; i < n; i++)
    reset_audio (c[i]);
  spin_for (1500);
  for (int i = 0; i < n; i++) {
    db[i] = heard_db (c[i], &samples);
    g_test_message ("%s heard %.1f dBFS over %" G_GINT64_FORMAT " samples", c[i]->name, db[i],
                    samples);
    g_assert_cmpint (samples, >, 48000);
  }
}

/* The chair's mute, enforced in the meeting's mixer: A (tone) and C (tone) talk, B is silent.
 * Muting C takes C out of everyone's ear (A then hears only silent B) while C goes on hearing
 * A; the leave to unmute brings C back. */
static void
test_chair_mute_keeps_the_ear (void)
{
  Server *s = server_new ();
  Client *a = client_new (s, "A", 440), *b = client_new (s, "B", 0), *c = client_new (s, "C", 880);
  Client *all[] = { a, b, c };
  g_autoptr (GError) error = NULL;
  double db[3];

  for (int i = 0; i < 3; i++)
    g_assert_true (wait_video (all[i], 2, 10, 20000));
  spin_for (1000);
  listen_all (all, 3, db);
  g_assert_cmpfloat (db[0], >, -20); /* A hears C */
  g_assert_cmpfloat (db[2], >, -20); /* C hears A */

  g_assert_nonnull (c->id);
  g_assert_true (kaigi_room_mute_other (s->room, NULL, c->id, &error));
  g_assert_no_error (error);
  spin_for (500); /* what was in flight */
  listen_all (all, 3, db);
  g_assert_cmpfloat (db[0], <, -60); /* C is out of A's ear: only silent B is left */
  g_assert_cmpstr (g_hash_table_lookup (b->speaking, c->id), ==, "0"); /* muted: not speaking */
  g_assert_cmpfloat (db[1], >, -20);                                   /* B still hears A */
  g_assert_cmpfloat (db[2], >, -20);                                   /* muted C still hears A */

  /* The chair asks, C accepts: C is heard again. */
  g_assert_true (kaigi_room_unmute_request (s->room, NULL, c->id, &error));
  {
    const char *unmute = "{\"type\":\"mute\",\"audio\":true}";
    kaigi_signal_conn_message (c->conn, unmute, strlen (unmute));
  }
  spin_for (500);
  listen_all (all, 3, db);
  g_assert_cmpfloat (db[0], >, -20);
  for (int i = 0; i < 3; i++)
    client_free (all[i]);
  server_free (s);
}

/* The video stream of @c that carries slot @slot (found by its mid), or -1. */
static int
stream_of_slot (Client *c, guint slot)
{
  int found = -1;

  g_mutex_lock (&c->lock);
  for (int i = 0; i < g_atomic_int_get (&c->n_video) && i <= SLOTS; i++)
    if (c->video_mid[i] && g_strcmp0 (c->video_mid[i], c->slot_mid[slot]) == 0)
      found = i;
  g_mutex_unlock (&c->lock);
  return found;
}

/* Last-N over real WebRTC, K = 2: A, B and C are silent, and A's slots show B and C. D joins last,
 * not shown to A, until it talks (a tone): the meeting's mixer says so and D takes the slot of C,
 * who never spoke. On A's side that slot's RTP stream goes on without a gap in its sequence numbers
 * (same SSRC: no new stream appears), and a keyframe of D's camera arrives within a second of the
 * switch. */
static void
test_slot_follows_the_speaker (void)
{
  Server *s = server_new ();
  Client *a = client_new (s, "A", 0), *b = client_new (s, "B", 0), *c = client_new (s, "C", 0);
  Client *d;
  gint64 end, switched, keyframe;
  guint slot = SLOTS, c_slot;
  int stream, frames, gaps;

  g_assert_true (wait_video (a, 2, 10, 20000));
  g_assert_true (wait_video (b, 2, 10, 20000));
  g_assert_true (wait_video (c, 2, 10, 20000));
  /* In the order their media connected; C's is the slot D will take (B joined first). */
  c_slot = g_strcmp0 (a->slot_shows[0], c->id) == 0 ? 0 : 1;
  g_assert_cmpstr (a->slot_shows[c_slot], ==, c->id);
  g_assert_cmpstr (a->slot_shows[1 - c_slot], ==, b->id);
  d = client_new (s, "D", 440);
  end = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  while (slot == SLOTS && g_get_monotonic_time () < end) {
    spin_for (20);
    for (guint k = 0; k < SLOTS; k++)
      if (d->id && g_strcmp0 (a->slot_shows[k], d->id) == 0)
        slot = k;
  }
  g_assert_cmpuint (slot, ==, c_slot); /* C's slot: B keeps its own */
  g_assert_cmpstr (g_hash_table_lookup (a->speaking, d->id), ==, "1");
  switched = a->slot_changed_us[slot];
  stream = stream_of_slot (a, slot);
  g_assert_cmpint (stream, >=, 0);
  frames = g_atomic_int_get (&a->video_frames[stream]);
  spin_for (1500);
  g_mutex_lock (&a->lock);
  keyframe = 0; /* the first one after the switch */
  for (guint k = 0; k < G_N_ELEMENTS (a->video_keyframe_us[stream]) && !keyframe; k++)
    if (a->video_keyframe_us[stream][k] >= switched)
      keyframe = a->video_keyframe_us[stream][k];
  gaps = a->video_gaps[stream];
  g_mutex_unlock (&a->lock);
  g_test_message ("slot %u (stream %d) switched to D; keyframe %.0f ms later; %d frames since; "
                  "%d sequence gaps; %d streams",
                  slot, stream, (keyframe - switched) / 1000.0,
                  g_atomic_int_get (&a->video_frames[stream]) - frames, gaps,
                  g_atomic_int_get (&a->n_video));
  g_assert_cmpint (keyframe, >=, switched);
  g_assert_cmpint (keyframe - switched, <=, G_USEC_PER_SEC);
  g_assert_cmpint (gaps, ==, 0);
  g_assert_cmpint (g_atomic_int_get (&a->n_video), ==, SLOTS); /* no new stream */
  g_assert_cmpint (g_atomic_int_get (&a->video_frames[stream]), >, frames + 10);
  client_free (d);
  client_free (a);
  client_free (b);
  client_free (c);
  server_free (s);
}

/* A subscriber's picture-loss indication must reach the publisher's encoder through the
 * server (subscriber webrtcbin -> slot payloader -> link queue -> tee -> depayloader ->
 * publisher webrtcbin -> PLI): Chrome makes keyframes only when asked. */
static void
test_keyframe_request_reaches_publisher (void)
{
  Server *s = server_new ();
  Client *a = client_new (s, "A", 440), *b = client_new (s, "B", 0);

  g_assert_true (wait_video (a, 1, 5, 20000));
  g_assert_true (wait_video (b, 1, 5, 20000));
  for (int round = 0; round < 3; round++) {
    int before = g_atomic_int_get (&a->keyframe_requests);
    gint64 end = g_get_monotonic_time () + 3 * G_USEC_PER_SEC;
    GstStructure *st
        = gst_structure_new ("GstForceKeyUnit", "all-headers", G_TYPE_BOOLEAN, TRUE, NULL);

    spin_for (400); /* past the server's keyframe-request throttle */
    /* Upstream from B's depayloader: B's webrtcbin sends the server a PLI. */
    g_assert_true (
        gst_pad_push_event (b->video_in, gst_event_new_custom (GST_EVENT_CUSTOM_UPSTREAM, st)));
    while (g_atomic_int_get (&a->keyframe_requests) == before && g_get_monotonic_time () < end)
      spin_for (20);
    g_test_message ("round %d: A's encoder got %d keyframe requests", round,
                    g_atomic_int_get (&a->keyframe_requests) - before);
    g_assert_cmpint (g_atomic_int_get (&a->keyframe_requests), >, before);
  }
  client_free (a);
  client_free (b);
  server_free (s);
}

/* A browser that never answers the offer is dropped after the connect timeout, with an
 * error saying so; the participant who is connected carries on. */
static void
test_unanswered_offer_times_out (void)
{
  Server *s = server_new_with_timeout (2);
  Client *a = client_new (s, "A", 0);
  Client *broken = client_new_full (s, "never answers", 0, TRUE);

  spin_for (1000);
  g_assert_cmpuint (kaigi_room_count (s->room), ==, 2);
  for (int i = 0; i < 300 && !broken->closed; i++)
    spin_for (10);
  g_assert_cmpint (broken->closed, ==, 1011);
  g_assert_cmpstr (broken->last_error, ==, "media-timeout");
  g_assert_cmpuint (kaigi_room_count (s->room), ==, 1);
  /* A, connected long before, is not dropped by its own timer. */
  spin_for (1500);
  g_assert_cmpuint (kaigi_room_count (s->room), ==, 1);
  g_assert_cmpint (a->closed, ==, 0);
  client_free (broken);
  client_free (a);
  server_free (s);
}

static int
count_dir (const char *path)
{
  g_autoptr (GDir) d = g_dir_open (path, 0, NULL);
  int n = 0;

  while (d && g_dir_read_name (d))
    n++;
  return n;
}

static int
count_threads (void)
{
  return count_dir ("/proc/self/task");
}

/* Elements in the server's pipeline. */
static guint
graph_children (Server *s)
{
  return GST_BIN (kaigi_graph_pipeline (s->graph))->numchildren;
}

/* Resident set size of this process in KiB, from /proc/self/status. */
static long
rss_kib (void)
{
  g_autofree char *text = NULL;
  const char *line;

  g_assert_true (g_file_get_contents ("/proc/self/status", &text, NULL, NULL));
  line = strstr (text, "VmRSS:");
  g_assert_nonnull (line);
  return strtol (line + 6, NULL, 10);
}

static void
test_churn (void)
{
  Server *s = server_new ();
  Client *resident = client_new (s, "resident", 0);
  int threads0 = 0, fds0 = 0;
  long rss0 = 0;
  double growth;
  guint children0 = 0;
  const char *env = g_getenv ("KAIGI_CHURN_CYCLES");
  const int cycles = env ? atoi (env) : 50;

  for (int i = 0; i < cycles + 1; i++) {
    Client *v = client_new (s, "visitor", 440);
    if (!wait_video (v, 1, 5, 20000)) {
      g_test_message ("cycle %d: visitor decodes %d streams (%d frames), resident %d (%d frames)",
                      i, v->n_video, v->video_frames[0], resident->n_video,
                      resident->video_frames[0]);
      g_test_fail ();
      client_free (v);
      break;
    }
    client_free (v);
    for (int k = 0; k < 200 && kaigi_peer_closing_count (); k++)
      spin_for (10);
    g_assert_cmpuint (kaigi_peer_closing_count (), ==, 0);
    if (i % 10 == 0)
      g_test_message ("cycle %d: threads %d, RSS %ld KiB, t=%.1f s", i, count_threads (),
                      rss_kib (), g_get_monotonic_time () / 1e6);
    if (i == 0) { /* after one warm-up cycle */
      spin_for (500);
      threads0 = count_threads ();
      fds0 = count_dir ("/proc/self/fd");
      rss0 = rss_kib ();
      children0 = graph_children (s);
    }
  }
  spin_for (1000);
  growth = (double)(rss_kib () - rss0) / cycles;
  g_test_message ("after %d join/leave cycles: threads %d -> %d, fds %d -> %d, RSS %ld -> %ld KiB "
                  "(%.0f KiB a cycle)",
                  cycles, threads0, count_threads (), fds0, count_dir ("/proc/self/fd"), rss0,
                  rss_kib (), growth);
  g_assert_cmpint (count_threads (), <=, threads0 + 2);
  g_assert_cmpint (count_dir ("/proc/self/fd"), <=, fds0 + 2);
  /* Every visitor's server peer is freed (a peer holds its elements, so a peer kept alive
   * by a stray reference keeps them all) and its elements left the pipeline. RSS is only reported:
   * glibc's per-thread arenas keep freed memory and GLib never frees quarks (webrtcbin makes fields
   * per SSRC), so it does not come all the way back even when nothing leaks, and the amount depends
   * on which thread freed what. */
  g_test_message ("server: %u elements in the pipeline after the warm-up, %u after; "
                  "%u peers alive (the resident's and the meeting mixer's)",
                  children0, graph_children (s), kaigi_peer_alive_count ());
  g_assert_cmpuint (graph_children (s), ==, children0);
  g_assert_cmpuint (kaigi_peer_alive_count (), ==, 2);
  g_assert_cmpuint (kaigi_room_count (s->room), ==, 1);
  client_free (resident);
  server_free (s);
}

/* ---- webrtcbin's receive queue (media/receive-bypass.h) ---- */

static void
collect_receive_bins (const GValue *v, gpointer data)
{
  GstElement *e = g_value_get_object (v);

  if (g_str_equal (G_OBJECT_TYPE_NAME (e), "TransportReceiveBin"))
    g_ptr_array_add (data, gst_object_ref (e));
}

/* The server's receive transports (one per participant: BUNDLE). */
static GPtrArray *
server_receive_bins (Server *s)
{
  GPtrArray *bins = g_ptr_array_new_with_free_func (gst_object_unref);
  GstIterator *it = gst_bin_iterate_recurse (GST_BIN (kaigi_graph_pipeline (s->graph)));

  gst_iterator_foreach (it, collect_receive_bins, bins);
  gst_iterator_free (it);
  return bins;
}

static GstElement *
child_of_factory (GstElement *bin, const char *factory)
{
  GstIterator *it = gst_bin_iterate_elements (GST_BIN (bin));
  GValue v = G_VALUE_INIT;
  GstElement *found = NULL;

  while (!found && gst_iterator_next (it, &v) == GST_ITERATOR_OK) {
    GstElement *e = g_value_get_object (&v);
    if (g_str_equal (GST_OBJECT_NAME (gst_element_get_factory (e)), factory))
      found = gst_object_ref (e);
    g_value_reset (&v);
  }
  g_value_unset (&v);
  gst_iterator_free (it);
  return found;
}

/* Whose pad feeds dtlssrtpdec now: the queue's or the capsfilter's. */
static gboolean
fed_by (GstElement *bin, const char *factory)
{
  g_autoptr (GstElement) dec = child_of_factory (bin, "dtlssrtpdec");
  g_autoptr (GstPad) sink = gst_element_get_static_pad (dec, "sink");
  g_autoptr (GstPad) peer = gst_pad_get_peer (sink);
  g_autoptr (GstElement) parent = peer ? gst_pad_get_parent_element (peer) : NULL;

  return parent && g_str_equal (GST_OBJECT_NAME (gst_element_get_factory (parent)), factory);
}

static gboolean
wait_bypass (GPtrArray *bins, gboolean active, guint timeout_ms)
{
  gint64 end = g_get_monotonic_time () + timeout_ms * G_TIME_SPAN_MILLISECOND;

  for (;;) {
    guint n = 0;
    for (guint i = 0; i < bins->len; i++)
      n += kaigi_receive_bypass_active (bins->pdata[i]) == active;
    if (n == bins->len || g_get_monotonic_time () > end)
      return n == bins->len;
    spin_for (20);
  }
}

static GstPadProbeReturn
count_buffer (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  g_atomic_int_inc ((gint *)data);
  return GST_PAD_PROBE_OK;
}

static GstPadProbeReturn
hold_data (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  return GST_IS_EVENT (info->data) || GST_IS_QUERY (info->data) ? GST_PAD_PROBE_DROP
                                                                : GST_PAD_PROBE_OK;
}

/* Once media flows, nicesrc feeds dtlssrtpdec directly; when ICE loses the connection
 * (transportreceivebin sets its queue leaky and blocks what feeds dtlssrtpdec), the queue is
 * back in place first, so that the block holds the queue's thread and nicesrc's goes on
 * reading the socket (STUN); when media may flow again, the bypass is back and media flows. */
static void
test_receive_queue_bypass (void)
{
  Server *s = server_new ();
  Client *a = client_new (s, "A", 440), *b = client_new (s, "B", 0);
  g_autoptr (GPtrArray) bins = NULL;

  g_assert_true (wait_video (a, 1, 5, 20000));
  g_assert_true (wait_video (b, 1, 5, 20000));
  bins = server_receive_bins (s);
  g_assert_cmpuint (bins->len, ==, 2);
  g_assert_true (wait_bypass (bins, TRUE, 5000));
  for (guint i = 0; i < bins->len; i++)
    g_assert_true (fed_by (bins->pdata[i], "capsfilter"));

  for (int round = 0; round < 2; round++) {
    gint received = 0;
    gulong holds[2], counts[2];
    GstPad *fed[2], *caps_src[2];
    int frames;

    /* ICE lost: what transportreceivebin does, in its order. */
    for (guint i = 0; i < bins->len; i++) {
      g_autoptr (GstElement) queue = child_of_factory (bins->pdata[i], "queue");
      g_autoptr (GstElement) dec = child_of_factory (bins->pdata[i], "dtlssrtpdec");
      g_autoptr (GstElement) caps = child_of_factory (bins->pdata[i], "capsfilter");
      g_autoptr (GstPad) dec_sink = gst_element_get_static_pad (dec, "sink");
      g_object_set (queue, "leaky", 2, NULL);
      fed[i] = gst_pad_get_peer (dec_sink);
      holds[i] = gst_pad_add_probe (fed[i],
                                    GST_PAD_PROBE_TYPE_BLOCK | GST_PAD_PROBE_TYPE_DATA_DOWNSTREAM,
                                    hold_data, NULL, NULL);
      caps_src[i] = gst_element_get_static_pad (caps, "src");
      counts[i] = gst_pad_add_probe (caps_src[i], GST_PAD_PROBE_TYPE_BUFFER, count_buffer,
                                     &received, NULL);
      g_assert_false (kaigi_receive_bypass_active (bins->pdata[i]));
      g_assert_true (fed_by (bins->pdata[i], "queue"));
    }
    /* The block holds the queues' threads; nicesrc's threads go on receiving. */
    spin_for (500);
    g_assert_cmpint (g_atomic_int_get (&received), >, 20);
    g_test_message ("round %d: %d packets read while blocked", round, g_atomic_int_get (&received));

    /* ICE back: the queue stops leaking, the block goes. */
    frames = g_atomic_int_get (&b->video_frames[0]) + g_atomic_int_get (&b->video_frames[1]);
    for (guint i = 0; i < bins->len; i++) {
      g_autoptr (GstElement) queue = child_of_factory (bins->pdata[i], "queue");
      g_object_set (queue, "leaky", 0, NULL);
      gst_pad_remove_probe (fed[i], holds[i]);
      gst_pad_remove_probe (caps_src[i], counts[i]);
      gst_object_unref (fed[i]);
      gst_object_unref (caps_src[i]);
    }
    g_assert_true (wait_bypass (bins, TRUE, 5000));
    for (guint i = 0; i < bins->len; i++)
      g_assert_true (fed_by (bins->pdata[i], "capsfilter"));
    /* Media flows through the bypass again: B decodes more of A's video. */
    {
      gint64 end = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
      while (g_atomic_int_get (&b->video_frames[0]) + g_atomic_int_get (&b->video_frames[1])
                 < frames + 20
             && g_get_monotonic_time () < end)
        spin_for (20);
    }
    g_assert_cmpint (g_atomic_int_get (&b->video_frames[0])
                         + g_atomic_int_get (&b->video_frames[1]),
                     >=, frames + 20);
  }
  client_free (a);
  client_free (b);
  server_free (s);
}

int
main (int argc, char **argv)
{
  int status;

  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/media/three-party-mix-minus", test_three_party_mix_minus);
  g_test_add_func ("/media/chair-mute-keeps-the-ear", test_chair_mute_keeps_the_ear);
  g_test_add_func ("/media/slot-follows-the-speaker", test_slot_follows_the_speaker);
  g_test_add_func ("/media/keyframe-request-reaches-publisher",
                   test_keyframe_request_reaches_publisher);
  g_test_add_func ("/media/unanswered-offer-times-out", test_unanswered_offer_times_out);
  g_test_add_func ("/media/churn", test_churn);
  g_test_add_func ("/media/receive-queue-bypass", test_receive_queue_bypass);
  status = g_test_run ();
  gst_deinit ();
  return status;
}
