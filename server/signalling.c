/* signalling.c: the signalling protocol, one handler per message type.
 *
 * Every message is a JSON object with a string "type"; handlers[] maps the type to its
 * function and says whether the sender must have joined. Members are checked here, with
 * a clear error code (docs/protocol.md), before the room sees anything: the room only ever
 * gets well-formed requests. Errors that leave the socket usable keep it open; the bounds
 * on size and rate are enforced below us (http.c).
 * Thread: main loop only. */
#include "signalling.h"

#include <gst/gst.h>
#include <json-glib/json-glib.h>

#include "kaigi-error.h"
#include "message.h"

GST_DEBUG_CATEGORY_STATIC (kaigi_signal_debug);
#define GST_CAT_DEFAULT kaigi_signal_debug

#define CLOSE_NORMAL 1000
#define CLOSE_POLICY 1008
#define CLOSE_INTERNAL 1011

struct _KaigiSignalConn {
  KaigiRoom *room; /* not owned */
  const KaigiSignalTransport *transport;
  gpointer transport_data;       /* not owned */
  KaigiParticipant *participant; /* owned by the room; NULL until join */
  gboolean dropped;              /* the server closed us */
};

typedef void (*Handler) (KaigiSignalConn *c, JsonObject *msg);

static void
send_json (KaigiSignalConn *c, const char *json)
{
  c->transport->send (c->transport_data, json);
}

void
kaigi_signal_conn_error (KaigiSignalConn *c, const char *code, const char *message)
{
  g_autofree char *text = kaigi_message_error (code, message);

  send_json (c, text);
}

/* Member accessors that check the type; on a mismatch they answer bad-message. */
static const char *
get_string (KaigiSignalConn *c, JsonObject *msg, const char *member)
{
  JsonNode *n = json_object_get_member (msg, member);

  if (!n || !JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_STRING) {
    g_autofree char *m = g_strdup_printf ("'%s' must be a string", member);
    kaigi_signal_conn_error (c, "bad-message", m);
    return NULL;
  }
  return json_node_get_string (n);
}

/* Returns -1 if absent, 0/1 if a boolean, -2 (after answering bad-message) otherwise. */
static int
get_optional_bool (KaigiSignalConn *c, JsonObject *msg, const char *member)
{
  JsonNode *n = json_object_get_member (msg, member);

  if (!n)
    return -1;
  if (!JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_BOOLEAN) {
    g_autofree char *m = g_strdup_printf ("'%s' must be true or false", member);
    kaigi_signal_conn_error (c, "bad-message", m);
    return -2;
  }
  return json_node_get_boolean (n);
}

static void
on_join (KaigiSignalConn *c, JsonObject *msg)
{
  g_autoptr (GError) error = NULL;
  const char *name;

  if (c->participant) {
    kaigi_signal_conn_error (c, "already-joined", "this connection has joined already");
    return;
  }
  if (!(name = get_string (c, msg, "name")))
    return;
  c->participant = kaigi_room_join (c->room, name, c, &error);
  if (c->participant)
    return;
  if (g_error_matches (error, KAIGI_ERROR, KAIGI_ERROR_FULL)) {
    kaigi_signal_conn_error (c, "meeting-full", error->message);
    c->transport->close (c->transport_data, CLOSE_POLICY, "meeting full");
  } else if (g_error_matches (error, KAIGI_ERROR, KAIGI_ERROR_BAD_NAME)) {
    kaigi_signal_conn_error (c, "bad-name", error->message);
  } else {
    kaigi_signal_conn_error (c, "internal", error->message);
    c->transport->close (c->transport_data, CLOSE_INTERNAL, "internal error");
  }
}

static void
on_answer (KaigiSignalConn *c, JsonObject *msg)
{
  g_autoptr (GError) error = NULL;
  const char *sdp = get_string (c, msg, "sdp");

  if (sdp && !kaigi_room_answer (c->room, c->participant, sdp, &error))
    kaigi_signal_conn_error (c, "bad-sdp", error->message);
}

static void
on_ice (KaigiSignalConn *c, JsonObject *msg)
{
  const char *cand = get_string (c, msg, "candidate");
  JsonNode *n = json_object_get_member (msg, "sdpMLineIndex");

  if (!cand)
    return;
  if (!n || !JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_INT64
      || json_node_get_int (n) < 0 || json_node_get_int (n) > 64) {
    kaigi_signal_conn_error (c, "bad-message", "'sdpMLineIndex' must be an m-line number");
    return;
  }
  kaigi_room_ice (c->room, c->participant, (guint)json_node_get_int (n), cand);
}

static void
on_mute (KaigiSignalConn *c, JsonObject *msg)
{
  int audio = get_optional_bool (c, msg, "audio");
  int video = audio == -2 ? -2 : get_optional_bool (c, msg, "video");

  if (audio != -2 && video != -2)
    kaigi_room_set_sending (c->room, c->participant, audio, video);
}

static void
on_leave (KaigiSignalConn *c, JsonObject *msg)
{
  kaigi_room_leave (c->room, g_steal_pointer (&c->participant));
  c->transport->close (c->transport_data, CLOSE_NORMAL, "left");
}

static void
on_ping (KaigiSignalConn *c, JsonObject *msg)
{
  send_json (c, "{\"type\":\"pong\"}");
}

static const struct {
  const char *type;
  Handler handle;
  gboolean needs_join;
} handlers[] = {
  { "join", on_join, FALSE }, { "answer", on_answer, TRUE }, { "ice", on_ice, TRUE },
  { "mute", on_mute, TRUE },  { "leave", on_leave, TRUE },   { "ping", on_ping, FALSE },
};

void
kaigi_signal_conn_message (KaigiSignalConn *c, const char *text, gsize len)
{
  g_autoptr (JsonParser) parser = json_parser_new_immutable ();
  JsonNode *root;
  JsonObject *msg;
  const char *type;

  if (c->dropped)
    return;
  if (!json_parser_load_from_data (parser, text, len, NULL)
      || !(root = json_parser_get_root (parser)) || !JSON_NODE_HOLDS_OBJECT (root)
      || !(type = json_object_get_string_member_with_default ((msg = json_node_get_object (root)),
                                                              "type", NULL))) {
    kaigi_signal_conn_error (c, "bad-json", "expected a JSON object with a string 'type'");
    return;
  }
  for (guint i = 0; i < G_N_ELEMENTS (handlers); i++) {
    if (!g_str_equal (handlers[i].type, type))
      continue;
    if (handlers[i].needs_join && !c->participant) {
      kaigi_signal_conn_error (c, "not-joined", "send 'join' first");
      return;
    }
    handlers[i].handle (c, msg);
    return;
  }
  kaigi_signal_conn_error (c, "unknown-type", "no such message type");
}

KaigiSignalConn *
kaigi_signal_conn_new (KaigiRoom *room, const KaigiSignalTransport *transport, gpointer data)
{
  KaigiSignalConn *c = g_new0 (KaigiSignalConn, 1);

  GST_DEBUG_CATEGORY_INIT (kaigi_signal_debug, "kaigi-signal", 0, "kaigi signalling");
  c->room = room;
  c->transport = transport;
  c->transport_data = data;
  return c;
}

void
kaigi_signal_conn_closed (KaigiSignalConn *c)
{
  if (c->participant)
    kaigi_room_leave (c->room, g_steal_pointer (&c->participant));
  g_free (c);
}

/* ---- the room's way back to clients ---- */

static void
room_send (gpointer target, const char *json)
{
  KaigiSignalConn *c = target;

  if (!c->dropped)
    send_json (c, json);
}

static void
room_drop (gpointer target, const char *code, const char *message)
{
  KaigiSignalConn *c = target;

  kaigi_signal_conn_error (c, code, message);
  c->participant = NULL;
  c->dropped = TRUE;
  c->transport->close (c->transport_data, CLOSE_INTERNAL, code);
}

static const KaigiRoomClientOps room_ops = { .send = room_send, .drop = room_drop };

const KaigiRoomClientOps *
kaigi_signal_room_ops (void)
{
  return &room_ops;
}
