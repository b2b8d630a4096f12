/* signalling-chair.c: the meeting-control messages (docs/meetings-api.md): hand, floor,
 * mute-other, unmute-request, remove, state, agenda, decision, attendance, program, pin,
 * screen.
 *
 * The role was checked by the dispatcher (signalling.c, roles.c) before any of these runs;
 * here members are read and checked, and the room's verdict on the meeting's own rules is
 * turned into an error code. Thread: main loop only. */
#include "signalling-private.h"

#include "kaigi-error.h"

static const char *
code_of (const GError *error)
{
  static const struct {
    int code;
    const char *name;
  } map[] = {
    { KAIGI_ERROR_NOT_FOUND, "not-found" },
    { KAIGI_ERROR_STATE, "wrong-state" },
    { KAIGI_ERROR_INVALID, "bad-message" },
    { KAIGI_ERROR_FORBIDDEN, "forbidden" },
  };

  for (guint i = 0; error->domain == KAIGI_ERROR && i < G_N_ELEMENTS (map); i++)
    if (map[i].code == error->code)
      return map[i].name;
  return "internal";
}

/* @error is read only after @ok, the room's verdict, has been computed. */
static void
answer (KaigiSignalConn *c, gboolean ok, GError **error)
{
  if (!ok)
    kaigi_signal_conn_error (c, code_of (*error), (*error)->message);
  g_clear_error (error);
}

void
kaigi_signal_on_hand (KaigiSignalConn *c, JsonObject *msg)
{
  int raised = kaigi_signal_get_optional_bool (c, msg, "raised");

  if (raised == -1)
    kaigi_signal_conn_error (c, "bad-message", "'raised' must be true or false");
  else if (raised >= 0)
    kaigi_room_hand (c->room, c->participant, raised);
}

void
kaigi_signal_on_floor (KaigiSignalConn *c, JsonObject *msg)
{
  GError *error = NULL;
  int take = kaigi_signal_get_optional_bool (c, msg, "take");

  if (take == -2)
    return;
  if (take == 1) {
    kaigi_room_floor_take (c->room, c->participant);
  } else if (json_object_has_member (msg, "give")) {
    const char *pid = kaigi_signal_get_string (c, msg, "give");
    if (pid)
      answer (c, kaigi_room_floor_give (c->room, c->participant, pid, 0, &error), &error);
  } else if (json_object_has_member (msg, "roster")) {
    gint64 roster = kaigi_signal_get_id (c, msg, "roster");
    if (roster > 0)
      answer (c, kaigi_room_floor_give (c->room, c->participant, NULL, roster, &error), &error);
  } else {
    kaigi_signal_conn_error (c, "bad-message", "'floor' needs 'give', 'roster' or 'take'");
  }
}

typedef gboolean (*OnOther) (KaigiRoom *room, KaigiParticipant *by, const char *pid,
                             GError **error);

static void
on_other (KaigiSignalConn *c, JsonObject *msg, OnOther act)
{
  GError *error = NULL;
  const char *pid = kaigi_signal_get_string (c, msg, "participant");

  if (pid)
    answer (c, act (c->room, c->participant, pid, &error), &error);
}

void
kaigi_signal_on_mute_other (KaigiSignalConn *c, JsonObject *msg)
{
  on_other (c, msg, kaigi_room_mute_other);
}

void
kaigi_signal_on_unmute_request (KaigiSignalConn *c, JsonObject *msg)
{
  on_other (c, msg, kaigi_room_unmute_request);
}

void
kaigi_signal_on_remove (KaigiSignalConn *c, JsonObject *msg)
{
  on_other (c, msg, kaigi_room_remove);
}

void
kaigi_signal_on_state (KaigiSignalConn *c, JsonObject *msg)
{
  GError *error = NULL;
  const char *to = kaigi_signal_get_string (c, msg, "to");

  if (to)
    answer (c, kaigi_room_change_state (c->room, c->participant, to, &error), &error);
}

void
kaigi_signal_on_agenda (KaigiSignalConn *c, JsonObject *msg)
{
  GError *error = NULL;
  gint64 item = kaigi_signal_get_id (c, msg, "item");

  if (item > 0)
    answer (c, kaigi_room_set_item (c->room, c->participant, item, &error), &error);
}

/* An optional array of roster ids; NULL and *ok FALSE (after answering) if malformed. */
static GArray *
get_ids (KaigiSignalConn *c, JsonObject *msg, const char *member, gboolean *ok)
{
  JsonNode *n = json_object_get_member (msg, member);
  GArray *ids;
  JsonArray *a;

  if (!n)
    return NULL;
  if (!JSON_NODE_HOLDS_ARRAY (n) || json_array_get_length (a = json_node_get_array (n)) > 500) {
    g_autofree char *m = g_strdup_printf ("'%s' must be a list of roster ids", member);
    kaigi_signal_conn_error (c, "bad-message", m);
    *ok = FALSE;
    return NULL;
  }
  ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  for (guint i = 0; i < json_array_get_length (a); i++) {
    JsonNode *e = json_array_get_element (a, i);
    if (!JSON_NODE_HOLDS_VALUE (e) || json_node_get_value_type (e) != G_TYPE_INT64) {
      g_autofree char *m = g_strdup_printf ("'%s' must be a list of roster ids", member);
      kaigi_signal_conn_error (c, "bad-message", m);
      g_array_unref (ids);
      *ok = FALSE;
      return NULL;
    }
    gint64 v = json_node_get_int (e);
    g_array_append_val (ids, v);
  }
  return ids;
}

void
kaigi_signal_on_decision (KaigiSignalConn *c, JsonObject *msg)
{
  GError *error = NULL;
  gboolean ok = TRUE;
  gint64 item = kaigi_signal_get_id (c, msg, "item");
  const char *kind = item > 0 ? kaigi_signal_get_string (c, msg, "kind") : NULL;
  const char *text = json_object_get_string_member_with_default (msg, "text", NULL);
  g_autoptr (GArray) yes = NULL, no = NULL, abstain = NULL;

  if (!kind)
    return;
  if (text && (!g_utf8_validate (text, -1, NULL) || g_utf8_strlen (text, -1) > 2000)) {
    kaigi_signal_conn_error (c, "bad-message", "'text' must be text of at most 2000 characters");
    return;
  }
  yes = get_ids (c, msg, "for", &ok);
  no = ok ? get_ids (c, msg, "against", &ok) : NULL;
  abstain = ok ? get_ids (c, msg, "abstain", &ok) : NULL;
  if (ok)
    answer (c,
            kaigi_room_decide (c->room, c->participant, item, kind, text, yes, no, abstain, &error),
            &error);
}

void
kaigi_signal_on_attendance (KaigiSignalConn *c, JsonObject *msg)
{
  GError *error = NULL;
  gint64 roster = kaigi_signal_get_id (c, msg, "roster");
  int in_room = roster > 0 ? kaigi_signal_get_optional_bool (c, msg, "in_room") : -2;

  if (in_room == -1)
    kaigi_signal_conn_error (c, "bad-message", "'in_room' must be true or false");
  else if (in_room >= 0)
    answer (c, kaigi_room_mark_in_room (c->room, c->participant, roster, in_room, &error), &error);
}

/* {participant: "p3"} pins the public program's picture to that participant's camera;
 * {participant: null} gives the choice back to the room; {material: 12} shows that material
 * (room-program.c). */
void
kaigi_signal_on_program (KaigiSignalConn *c, JsonObject *msg)
{
  GError *error = NULL;
  JsonNode *n = json_object_get_member (msg, "participant");
  JsonNode *mat = json_object_get_member (msg, "material");
  const char *pid;

  if (mat) {
    if (!JSON_NODE_HOLDS_VALUE (mat) || json_node_get_value_type (mat) != G_TYPE_INT64
        || json_node_get_int (mat) <= 0) {
      kaigi_signal_conn_error (c, "bad-message", "'material' must be a material's id");
      return;
    }
    answer (
        c,
        kaigi_room_set_program_material (c->room, c->participant, json_node_get_int (mat), &error),
        &error);
    return;
  }
  if (!n || (!JSON_NODE_HOLDS_NULL (n) && json_node_get_value_type (n) != G_TYPE_STRING)) {
    kaigi_signal_conn_error (c, "bad-message", "'program' needs 'participant' (an id or null)");
    return;
  }
  pid = JSON_NODE_HOLDS_NULL (n) ? NULL : json_node_get_string (n);
  answer (c, kaigi_room_set_program_picture (c->room, c->participant, pid, &error), &error);
}

/* {participant: "p3"}: shown first in everyone's video slots (after the main venue). */
void
kaigi_signal_on_pin (KaigiSignalConn *c, JsonObject *msg)
{
  on_other (c, msg, kaigi_room_pin);
}

/* {on: true}: my video is my screen now (the page has switched its track), into everyone's
 * materials slot; {on: false}: it is my camera again. */
void
kaigi_signal_on_screen (KaigiSignalConn *c, JsonObject *msg)
{
  GError *error = NULL;
  JsonNode *on = json_object_get_member (msg, "on");

  if (!on || !JSON_NODE_HOLDS_VALUE (on) || json_node_get_value_type (on) != G_TYPE_BOOLEAN) {
    kaigi_signal_conn_error (c, "bad-message", "'screen' needs 'on' (true or false)");
    return;
  }
  answer (c, kaigi_room_share_screen (c->room, c->participant, json_node_get_boolean (on), &error),
          &error);
}

/* {}: nobody pinned; the slots follow the speakers again. */
void
kaigi_signal_on_unpin (KaigiSignalConn *c, JsonObject *msg)
{
  GError *error = NULL;

  answer (c, kaigi_room_pin (c->room, c->participant, NULL, &error), &error);
}
