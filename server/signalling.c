/* signalling.c: the signalling protocol, one handler per message type.
 *
 * Every message is a JSON object with a string "type"; handlers[] maps the type to its
 * function, says whether the sender must have joined and which action of the role table
 * (roles.c) it is. Members and permissions are checked here, with a clear error code
 * (docs/protocol.md, docs/meetings-api.md), before the room sees anything: the room only
 * ever gets well-formed, permitted requests. `join` checks the signed token (auth.c). Errors that
 * leave the socket usable keep it open; the bounds on size and rate are enforced below us (http.c).
 * Thread: main loop only. */
#include "signalling-private.h"

#include <gst/gst.h>
#include <json-glib/json-glib.h>

#include "kaigi-error.h"
#include "message.h"
#include "roles.h"

GST_DEBUG_CATEGORY_STATIC (kaigi_signal_debug);
#define GST_CAT_DEFAULT kaigi_signal_debug

#define CLOSE_NORMAL 1000
#define CLOSE_POLICY 1008
#define CLOSE_INTERNAL 1011

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
const char *
kaigi_signal_get_string (KaigiSignalConn *c, JsonObject *msg, const char *member)
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
int
kaigi_signal_get_optional_bool (KaigiSignalConn *c, JsonObject *msg, const char *member)
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

gint64
kaigi_signal_get_id (KaigiSignalConn *c, JsonObject *msg, const char *member)
{
  JsonNode *n = json_object_get_member (msg, member);

  if (!n || !JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_INT64
      || json_node_get_int (n) <= 0) {
    g_autofree char *m = g_strdup_printf ("'%s' must be a positive number", member);
    kaigi_signal_conn_error (c, "bad-message", m);
    return -1;
  }
  return json_node_get_int (n);
}

/* Refuses a join: the socket closes, as nothing else can be done on it. */
static void
refuse_join (KaigiSignalConn *c, const char *code, const char *message, int status)
{
  kaigi_signal_conn_error (c, code, message);
  c->transport->close (c->transport_data, status, code);
}

static const char *
join_error_code (const GError *error)
{
  static const struct {
    int code;
    const char *name;
  } map[] = {
    { KAIGI_ERROR_FULL, "meeting-full" },
    { KAIGI_ERROR_FORBIDDEN, "removed" },
    { KAIGI_ERROR_STATE, "meeting-adjourned" },
    { KAIGI_ERROR_NOT_FOUND, "not-on-roster" },
  };

  for (guint i = 0; error->domain == KAIGI_ERROR && i < G_N_ELEMENTS (map); i++)
    if (map[i].code == error->code)
      return map[i].name;
  return "internal";
}

static void
on_join (KaigiSignalConn *c, JsonObject *msg)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (KaigiToken) t = NULL;
  const char *token, *code = NULL;
  gint64 meeting;
  int media;
  KaigiRoom *room;
  KaigiJoinRequest req = { 0 };

  if (c->participant) {
    kaigi_signal_conn_error (c, "already-joined", "this connection has joined already");
    return;
  }
  if ((meeting = kaigi_signal_get_id (c, msg, "meeting")) < 0
      || !(token = kaigi_signal_get_string (c, msg, "token"))
      || (media = kaigi_signal_get_optional_bool (c, msg, "media")) == -2)
    return;
  t = kaigi_auth_token_verify (c->ctx.auth, token, meeting, g_get_real_time () / G_USEC_PER_SEC,
                               &code, &error);
  if (!t) {
    refuse_join (c, code, error->message, CLOSE_POLICY);
    return;
  }
  if (!(room = kaigi_rooms_get (c->ctx.rooms, meeting, &error))) {
    refuse_join (c, "no-such-meeting", "this meeting no longer exists", CLOSE_POLICY);
    return;
  }
  req.ref = t->participant;
  req.role = t->role;
  req.name = t->name;
  req.media = media != 0;
  c->room = room;
  c->participant = kaigi_room_join (room, &req, c, &error);
  if (c->participant)
    return;
  c->room = NULL;
  code = join_error_code (error);
  refuse_join (c, code, error->message,
               g_str_equal (code, "internal") ? CLOSE_INTERNAL : CLOSE_POLICY);
}

static void
on_answer (KaigiSignalConn *c, JsonObject *msg)
{
  g_autoptr (GError) error = NULL;
  const char *sdp = kaigi_signal_get_string (c, msg, "sdp");

  if (sdp && !kaigi_room_answer (c->room, c->participant, sdp, &error))
    kaigi_signal_conn_error (c, "bad-sdp", error->message);
}

static void
on_ice (KaigiSignalConn *c, JsonObject *msg)
{
  const char *cand = kaigi_signal_get_string (c, msg, "candidate");
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
  g_autoptr (GError) error = NULL;
  int audio = kaigi_signal_get_optional_bool (c, msg, "audio");
  int video = audio == -2 ? -2 : kaigi_signal_get_optional_bool (c, msg, "video");

  if (audio != -2 && video != -2
      && !kaigi_room_set_sending (c->room, c->participant, audio, video, &error))
    kaigi_signal_conn_error (c, "muted-by-chair", error->message);
}

static void
on_leave (KaigiSignalConn *c, JsonObject *msg)
{
  kaigi_room_leave (c->room, g_steal_pointer (&c->participant));
  c->room = NULL;
  c->transport->close (c->transport_data, CLOSE_NORMAL, "left");
}

static void
on_ping (KaigiSignalConn *c, JsonObject *msg)
{
  send_json (c, "{\"type\":\"pong\"}");
}

#define NONE (-1)

static const struct {
  const char *type;
  KaigiSignalHandler handle;
  gboolean needs_join;
  int action; /* KaigiAction the role must have, or NONE */
} handlers[] = {
  { "join", on_join, FALSE, NONE },
  { "answer", on_answer, TRUE, KAIGI_ACTION_RECEIVE },
  { "ice", on_ice, TRUE, KAIGI_ACTION_RECEIVE },
  { "mute", on_mute, TRUE, KAIGI_ACTION_MUTE_SELF },
  { "leave", on_leave, TRUE, NONE },
  { "ping", on_ping, FALSE, NONE },
  { "hand", kaigi_signal_on_hand, TRUE, KAIGI_ACTION_HAND },
  { "floor", kaigi_signal_on_floor, TRUE, KAIGI_ACTION_FLOOR },
  { "mute-other", kaigi_signal_on_mute_other, TRUE, KAIGI_ACTION_MUTE_OTHER },
  { "unmute-request", kaigi_signal_on_unmute_request, TRUE, KAIGI_ACTION_UNMUTE_REQUEST },
  { "remove", kaigi_signal_on_remove, TRUE, KAIGI_ACTION_REMOVE },
  { "state", kaigi_signal_on_state, TRUE, KAIGI_ACTION_STATE },
  { "agenda", kaigi_signal_on_agenda, TRUE, KAIGI_ACTION_AGENDA },
  { "decision", kaigi_signal_on_decision, TRUE, KAIGI_ACTION_DECISION },
  { "attendance", kaigi_signal_on_attendance, TRUE, KAIGI_ACTION_ATTENDANCE },
  { "program", kaigi_signal_on_program, TRUE, KAIGI_ACTION_PROGRAM },
  { "pin", kaigi_signal_on_pin, TRUE, KAIGI_ACTION_PIN },
  { "unpin", kaigi_signal_on_unpin, TRUE, KAIGI_ACTION_PIN },
  { "screen", kaigi_signal_on_screen, TRUE, KAIGI_ACTION_SCREEN },
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
    if (handlers[i].action != NONE
        && !kaigi_role_may (kaigi_participant_role (c->participant), handlers[i].action)) {
      g_autofree char *m = g_strdup_printf (
          "a %s may not %s", kaigi_role_to_string (kaigi_participant_role (c->participant)),
          kaigi_action_to_string (handlers[i].action));
      kaigi_signal_conn_error (c, "forbidden", m);
      return;
    }
    handlers[i].handle (c, msg);
    return;
  }
  kaigi_signal_conn_error (c, "unknown-type", "no such message type");
}

KaigiSignalConn *
kaigi_signal_conn_new (const KaigiSignalContext *ctx, const KaigiSignalTransport *transport,
                       gpointer data)
{
  KaigiSignalConn *c = g_new0 (KaigiSignalConn, 1);

  GST_DEBUG_CATEGORY_INIT (kaigi_signal_debug, "kaigi-signal", 0, "kaigi signalling");
  c->ctx = *ctx;
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
  c->transport->close (c->transport_data,
                       g_str_equal (code, "internal") || g_str_equal (code, "media-timeout")
                           ? CLOSE_INTERNAL
                           : CLOSE_POLICY,
                       code);
}

static const KaigiRoomClientOps room_ops = { .send = room_send, .drop = room_drop };

const KaigiRoomClientOps *
kaigi_signal_room_ops (void)
{
  return &room_ops;
}
