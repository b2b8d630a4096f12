/* test-chair.c: roles and the chair's controls through the real signalling handlers (no
 * media): the permission matrix (every role x every action, the slot pin and the screen share
 * too), the meeting state machine, the hands queue and the floor, the chair's mute and the
 * unmute request, removal, decisions and attendance with the live quorum. */
#include "meeting-fixture.h"
#include "meeting-state.h"
#include "roles.h"
#include "rooms.h"
#include "signal-client.h"

#define N 4

typedef struct {
  KaigiAuth *auth;
  KaigiRooms *rooms;
  KaigiRoom *room;
  Client clients[N];
  KaigiSignalConn *conns[N];
} F;

static F *
f_new (KaigiMeetingState state)
{
  F *f = g_new0 (F, 1);
  KaigiRoomOptions o = { .max_participants = 20, .peer = { .slots = 2 } };
  KaigiSignalContext ctx;

  f->auth = fixture_auth ();
  f->rooms = kaigi_rooms_new (NULL, NULL, NULL, &o, kaigi_signal_room_ops ());
  f->room = kaigi_rooms_add (f->rooms, fixture_meeting (state));
  ctx.rooms = f->rooms;
  ctx.auth = f->auth;
  for (guint i = 0; i < N; i++) {
    f->clients[i].got = g_ptr_array_new_with_free_func (g_free);
    f->conns[i] = kaigi_signal_conn_new (&ctx, &transport, &f->clients[i]);
  }
  return f;
}

static void
f_free (F *f)
{
  for (guint i = 0; i < N; i++) {
    if (f->conns[i])
      kaigi_signal_conn_closed (f->conns[i]);
    g_ptr_array_unref (f->clients[i].got);
  }
  kaigi_rooms_free (f->rooms);
  kaigi_auth_free (f->auth);
  g_free (f);
}

static void
say (F *f, guint i, const char *json)
{
  kaigi_signal_conn_message (f->conns[i], json, strlen (json));
}

static void sayf (F *f, guint i, const char *fmt, ...) G_GNUC_PRINTF (3, 4);
static void
sayf (F *f, guint i, const char *fmt, ...)
{
  va_list ap;
  g_autofree char *msg = NULL;

  va_start (ap, fmt);
  msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  say (f, i, msg);
}

/* Client @i joins as @ref with @role; returns its participant id ("p<N>"). */
static char *
join (F *f, guint i, const char *ref, KaigiRole role, gboolean media)
{
  g_autofree char *msg = fixture_join (f->auth, ref, role, media);
  JsonObject *w;

  say (f, i, msg);
  w = client_last_of (&f->clients[i], "welcome");
  g_assert_nonnull (w);
  return g_strdup (json_object_get_string_member (w, "id"));
}

static JsonObject *
meeting_seen (F *f, guint i)
{
  JsonObject *o = client_last_of (&f->clients[i], "meeting");

  if (o)
    return json_object_get_object_member (o, "meeting");
  o = client_last_of (&f->clients[i], "welcome");
  return o ? json_object_get_object_member (o, "meeting") : NULL;
}

static const char *
state_seen (F *f, guint i)
{
  return json_object_get_string_member (meeting_seen (f, i), "state");
}

/* ---- the permission matrix ---- */

static const struct {
  const char *ref;
  KaigiRole role;
} actors[] = {
  { "r1", KAIGI_ROLE_CHAIR },     { "a1", KAIGI_ROLE_SECRETARIAT }, { "r2", KAIGI_ROLE_MEMBER },
  { "r8", KAIGI_ROLE_PRESENTER }, { "v1", KAIGI_ROLE_VENUE },       { "public", KAIGI_ROLE_VIEWER },
};

/* Whether @action took effect, observed from outside: client 0 is the actor, client 1 a
 * member (r3) the action may target. Returns TRUE if the actor was not told "forbidden" and
 * the effect is there. */
static gboolean
try_action (KaigiAction action, KaigiRole role, const char *ref)
{
  F *f = f_new (KAIGI_MEETING_PUBLIC);
  g_autofree char *me = join (f, 0, ref, role, TRUE);
  g_autofree char *other = join (f, 1, "r3", KAIGI_ROLE_MEMBER, TRUE);
  JsonObject *o, *w;
  gboolean effect = FALSE;
  guint before = f->clients[1].got->len;

  switch (action) {
  case KAIGI_ACTION_PUBLISH:
    w = json_object_get_object_member (client_last_of (&f->clients[0], "welcome"), "you");
    effect = json_object_get_boolean_member (w, "audio");
    break;
  case KAIGI_ACTION_RECEIVE:
    w = client_last_of (&f->clients[0], "welcome");
    effect = json_object_get_int_member (w, "slots") > 0;
    say (f, 0, "{\"type\":\"answer\",\"sdp\":\"v=0\"}");
    /* Allowed: the (media-less) room answers bad-sdp; refused: forbidden. */
    effect = effect && strstr (f->clients[0].got->pdata[f->clients[0].got->len - 1], "bad-sdp");
    break;
  case KAIGI_ACTION_HAND:
    say (f, 0, "{\"type\":\"hand\",\"raised\":true}");
    o = meeting_seen (f, 0);
    effect = json_object_get_boolean_member_with_default (o, "hand_raised", FALSE);
    break;
  case KAIGI_ACTION_MUTE_SELF:
    say (f, 0, "{\"type\":\"mute\",\"video\":false}");
    o = client_last_of (&f->clients[1], "participant-updated");
    effect = o != NULL;
    break;
  case KAIGI_ACTION_FLOOR:
    sayf (f, 0, "{\"type\":\"floor\",\"give\":\"%s\"}", other);
    o = meeting_seen (f, 1);
    effect = !json_object_get_null_member (o, "floor");
    break;
  case KAIGI_ACTION_MUTE_OTHER:
    sayf (f, 0, "{\"type\":\"mute-other\",\"participant\":\"%s\"}", other);
    effect = client_last_of (&f->clients[1], "muted") != NULL;
    break;
  case KAIGI_ACTION_UNMUTE_REQUEST:
    sayf (f, 0, "{\"type\":\"unmute-request\",\"participant\":\"%s\"}", other);
    effect = client_last_of (&f->clients[1], "unmute-requested") != NULL;
    break;
  case KAIGI_ACTION_REMOVE:
    sayf (f, 0, "{\"type\":\"remove\",\"participant\":\"%s\"}", other);
    effect = f->clients[1].closed != 0;
    break;
  case KAIGI_ACTION_STATE:
    say (f, 0, "{\"type\":\"state\",\"to\":\"recess\"}");
    effect = g_str_equal (state_seen (f, 1), "recess");
    break;
  case KAIGI_ACTION_AGENDA:
    say (f, 0, "{\"type\":\"agenda\",\"item\":2}");
    effect = json_object_get_int_member_with_default (meeting_seen (f, 1), "item", 0) == 2;
    break;
  case KAIGI_ACTION_DECISION:
    say (f, 0, "{\"type\":\"decision\",\"item\":1,\"kind\":\"approved\"}");
    effect = json_array_get_length (json_object_get_array_member (meeting_seen (f, 1), "decisions"))
             == 1;
    break;
  case KAIGI_ACTION_ATTENDANCE:
    say (f, 0, "{\"type\":\"attendance\",\"roster\":4,\"in_room\":true}");
    effect = f->clients[1].got->len > before; /* everyone gets the new snapshot */
    break;
  case KAIGI_ACTION_PROGRAM:
    sayf (f, 0, "{\"type\":\"program\",\"participant\":\"%s\"}", other);
    o = json_object_get_object_member (meeting_seen (f, 1), "program");
    effect
        = o && g_strcmp0 (json_object_get_string_member_with_default (o, "pinned", ""), other) == 0;
    break;
  case KAIGI_ACTION_PIN:
    sayf (f, 0, "{\"type\":\"pin\",\"participant\":\"%s\"}", other);
    effect
        = g_strcmp0 (json_object_get_string_member_with_default (meeting_seen (f, 1), "pinned", ""),
                     other)
          == 0;
    break;
  case KAIGI_ACTION_SCREEN:
    say (f, 0, "{\"type\":\"screen\",\"on\":true}");
    effect = g_strcmp0 (
                 json_object_get_string_member_with_default (meeting_seen (f, 1), "screen", ""), me)
             == 0;
    break;
  case KAIGI_ACTION_SEE_QUEUE:
    effect = json_object_has_member (meeting_seen (f, 0), "hands")
             && json_object_has_member (meeting_seen (f, 0), "quorum");
    break;
  default:
    g_assert_not_reached ();
  }
  /* A refused message is answered `forbidden` (publish, receive and see-queue are not
   * messages but what the join gives). */
  if (!effect && action != KAIGI_ACTION_PUBLISH && action != KAIGI_ACTION_SEE_QUEUE
      && action != KAIGI_ACTION_RECEIVE)
    g_assert_nonnull (strstr (f->clients[0].got->pdata[f->clients[0].got->len - 1], "forbidden"));
  f_free (f);
  return effect;
}

static void
test_permission_matrix (void)
{
  for (guint a = 0; a < KAIGI_N_ACTIONS; a++) {
    for (guint r = 0; r < G_N_ELEMENTS (actors); r++) {
      gboolean want = kaigi_role_may (actors[r].role, a);
      gboolean got = try_action (a, actors[r].role, actors[r].ref);
      if (want != got)
        g_error ("%s as %s: expected %s, got %s", kaigi_action_to_string (a),
                 kaigi_role_to_string (actors[r].role), want ? "allowed" : "refused",
                 got ? "allowed" : "refused");
    }
  }
}

/* The table itself, as docs/meetings-api.md prints it. */
static void
test_role_table (void)
{
  for (guint a = 0; a < KAIGI_N_ACTIONS; a++) {
    gboolean control = a >= KAIGI_ACTION_FLOOR;
    g_assert_true (kaigi_role_may (KAIGI_ROLE_CHAIR, a) || a == KAIGI_ACTION_HAND);
    g_assert_cmpint (kaigi_role_may (KAIGI_ROLE_SECRETARIAT, a), ==,
                     kaigi_role_may (KAIGI_ROLE_CHAIR, a));
    g_assert_cmpint (kaigi_role_may (KAIGI_ROLE_MEMBER, a), ==, !control);
    g_assert_cmpint (kaigi_role_may (KAIGI_ROLE_VENUE, a), ==, !control);
    g_assert_false (kaigi_role_may (KAIGI_ROLE_VIEWER, a));
  }
  g_assert_false (kaigi_role_may (KAIGI_N_ROLES, KAIGI_ACTION_PUBLISH));
}

/* ---- the state machine ---- */

static void
test_state_machine_table (void)
{
  static const struct {
    KaigiMeetingState from;
    const char *cmd;
    gboolean closed_default;
    int to; /* -1: refused */
  } cases[] = {
    { KAIGI_MEETING_SCHEDULED, "open", FALSE, KAIGI_MEETING_PUBLIC },
    { KAIGI_MEETING_SCHEDULED, "open", TRUE, KAIGI_MEETING_CLOSED },
    { KAIGI_MEETING_SCHEDULED, "public", FALSE, -1 },
    { KAIGI_MEETING_SCHEDULED, "adjourned", FALSE, -1 },
    { KAIGI_MEETING_PUBLIC, "closed", FALSE, KAIGI_MEETING_CLOSED },
    { KAIGI_MEETING_PUBLIC, "recess", FALSE, KAIGI_MEETING_RECESS },
    { KAIGI_MEETING_PUBLIC, "public", FALSE, -1 },
    { KAIGI_MEETING_PUBLIC, "open", FALSE, -1 },
    { KAIGI_MEETING_CLOSED, "public", FALSE, KAIGI_MEETING_PUBLIC },
    { KAIGI_MEETING_RECESS, "closed", FALSE, KAIGI_MEETING_CLOSED },
    { KAIGI_MEETING_RECESS, "adjourned", FALSE, KAIGI_MEETING_ADJOURNED },
    { KAIGI_MEETING_CLOSED, "adjourned", FALSE, KAIGI_MEETING_ADJOURNED },
    { KAIGI_MEETING_ADJOURNED, "public", FALSE, -1 },
    { KAIGI_MEETING_ADJOURNED, "open", FALSE, -1 },
    { KAIGI_MEETING_PUBLIC, "scheduled", FALSE, -1 },
    { KAIGI_MEETING_PUBLIC, "party", FALSE, -1 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autoptr (GError) error = NULL;
    KaigiMeetingState to = 99;
    gboolean ok = kaigi_meeting_state_next (cases[i].from, cases[i].cmd, cases[i].closed_default,
                                            &to, &error);
    g_assert_cmpint (ok, ==, cases[i].to >= 0);
    if (ok)
      g_assert_cmpint (to, ==, cases[i].to);
    else
      g_assert_nonnull (error);
  }
}

/* Through the room: everyone sees each state; a refused move changes nothing; an adjourned
 * meeting admits nobody. */
static void
test_state_through_room (void)
{
  F *f = f_new (KAIGI_MEETING_SCHEDULED);
  g_autofree char *chair = join (f, 0, "r1", KAIGI_ROLE_CHAIR, FALSE);
  g_autofree char *member = join (f, 1, "r2", KAIGI_ROLE_MEMBER, FALSE);
  const char *steps[] = { "open", "closed", "recess", "public", "adjourned" };
  const char *seen[] = { "public", "closed", "recess", "public", "adjourned" };

  g_assert_cmpstr (state_seen (f, 1), ==, "scheduled");
  say (f, 0, "{\"type\":\"state\",\"to\":\"recess\"}");
  client_assert_error (&f->clients[0], "wrong-state");
  g_assert_cmpstr (state_seen (f, 1), ==, "scheduled");
  for (guint i = 0; i < G_N_ELEMENTS (steps); i++) {
    sayf (f, 0, "{\"type\":\"state\",\"to\":\"%s\"}", steps[i]);
    g_assert_cmpstr (state_seen (f, 1), ==, seen[i]);
    g_assert_cmpstr (state_seen (f, 0), ==, seen[i]);
  }
  g_assert_cmpint (kaigi_room_state (f->room), ==, KAIGI_MEETING_ADJOURNED);
  say (f, 0, "{\"type\":\"state\",\"to\":\"public\"}");
  client_assert_error (&f->clients[0], "wrong-state");
  {
    g_autofree char *msg = fixture_join (f->auth, "r3", KAIGI_ROLE_MEMBER, FALSE);
    say (f, 2, msg);
    client_assert_error (&f->clients[2], "meeting-adjourned");
    g_assert_cmpint (f->clients[2].closed, ==, 1008);
  }
  f_free (f);
}

/* ---- hands and floor ---- */

static void
test_hands_and_floor (void)
{
  F *f = f_new (KAIGI_MEETING_PUBLIC);
  g_autofree char *chair = join (f, 0, "r1", KAIGI_ROLE_CHAIR, TRUE);
  g_autofree char *a = join (f, 1, "r2", KAIGI_ROLE_MEMBER, TRUE);
  g_autofree char *b = join (f, 2, "r3", KAIGI_ROLE_MEMBER, TRUE);
  g_autofree char *venue = join (f, 3, "v1", KAIGI_ROLE_VENUE, TRUE);
  JsonObject *m, *floor;
  JsonArray *hands;

  say (f, 2, "{\"type\":\"hand\",\"raised\":true}");
  say (f, 1, "{\"type\":\"hand\",\"raised\":true}");
  say (f, 1, "{\"type\":\"hand\",\"raised\":true}"); /* twice: still once in the queue */
  m = meeting_seen (f, 0);
  hands = json_object_get_array_member (m, "hands");
  g_assert_cmpuint (json_array_get_length (hands), ==, 2);
  g_assert_cmpstr (json_array_get_string_element (hands, 0), ==, b); /* raise order */
  g_assert_cmpstr (json_array_get_string_element (hands, 1), ==, a);
  /* Members see their own hand, not the queue. */
  g_assert_false (json_object_has_member (meeting_seen (f, 1), "hands"));
  g_assert_true (json_object_get_boolean_member (meeting_seen (f, 1), "hand_raised"));

  sayf (f, 0, "{\"type\":\"floor\",\"give\":\"%s\"}", a);
  floor = json_object_get_object_member (meeting_seen (f, 1), "floor");
  g_assert_cmpstr (json_object_get_string_member (floor, "participant"), ==, a);
  g_assert_cmpstr (json_object_get_string_member (floor, "name"), ==, "市川");
  g_assert_cmpstr (json_object_get_string_member (floor, "title"), ==, "委員");
  g_assert_cmpint (json_object_get_int_member (floor, "roster"), ==, 2);
  hands = json_object_get_array_member (meeting_seen (f, 0), "hands");
  g_assert_cmpuint (json_array_get_length (hands), ==, 1); /* given the floor: out of the queue */
  g_assert_false (json_object_get_boolean_member (meeting_seen (f, 1), "hand_raised"));

  /* The floor to someone in the main venue names them, through the venue's audio. */
  say (f, 0, "{\"type\":\"floor\",\"roster\":4}");
  floor = json_object_get_object_member (meeting_seen (f, 2), "floor");
  g_assert_cmpstr (json_object_get_string_member (floor, "name"), ==, "石井");
  g_assert_cmpstr (json_object_get_string_member (floor, "venue"), ==, "本会場");
  g_assert_cmpstr (json_object_get_string_member (floor, "participant"), ==, venue);

  say (f, 0, "{\"type\":\"floor\",\"roster\":99}");
  client_assert_error (&f->clients[0], "not-found");
  say (f, 0, "{\"type\":\"floor\",\"give\":\"p999\"}");
  client_assert_error (&f->clients[0], "not-found");
  say (f, 0, "{\"type\":\"floor\",\"take\":true}");
  g_assert_true (json_object_get_null_member (meeting_seen (f, 2), "floor"));

  /* A member cannot give the floor, even to themselves. */
  sayf (f, 1, "{\"type\":\"floor\",\"give\":\"%s\"}", a);
  client_assert_error (&f->clients[1], "forbidden");
  /* The one whose hand is up leaves: out of the queue. */
  kaigi_signal_conn_closed (g_steal_pointer (&f->conns[2]));
  hands = json_object_get_array_member (meeting_seen (f, 0), "hands");
  g_assert_cmpuint (json_array_get_length (hands), ==, 0);
  f_free (f);
}

/* A material for the broadcast must be one of this meeting's, given by its id. */
static void
test_program_material (void)
{
  F *f = f_new (KAIGI_MEETING_PUBLIC);
  g_autofree char *chair = join (f, 0, "r1", KAIGI_ROLE_CHAIR, TRUE);
  g_autofree char *a = join (f, 1, "r2", KAIGI_ROLE_MEMBER, TRUE);

  say (f, 0, "{\"type\":\"program\",\"material\":99}");
  client_assert_error (&f->clients[0], "not-found");
  say (f, 0, "{\"type\":\"program\",\"material\":\"12\"}");
  client_assert_error (&f->clients[0], "bad-message");
  say (f, 0, "{\"type\":\"program\",\"material\":{}}");
  client_assert_error (&f->clients[0], "bad-message");
  say (f, 0, "{\"type\":\"program\",\"material\":-3}");
  client_assert_error (&f->clients[0], "bad-message");
  say (f, 1, "{\"type\":\"program\",\"material\":1}");
  client_assert_error (&f->clients[1], "forbidden");
  f_free (f);
}

/* ---- mute, unmute request, removal ---- */

static void
test_mute_and_unmute_request (void)
{
  F *f = f_new (KAIGI_MEETING_PUBLIC);
  g_autofree char *chair = join (f, 0, "r1", KAIGI_ROLE_CHAIR, TRUE);
  g_autofree char *a = join (f, 1, "r2", KAIGI_ROLE_MEMBER, TRUE);
  JsonObject *o;

  sayf (f, 0, "{\"type\":\"mute-other\",\"participant\":\"%s\"}", a);
  g_assert_nonnull (client_last_of (&f->clients[1], "muted"));
  o = json_object_get_object_member (client_last_of (&f->clients[0], "participant-updated"),
                                     "participant");
  g_assert_false (json_object_get_boolean_member (o, "audio"));
  g_assert_true (json_object_get_boolean_member (o, "forced"));
  /* The person cannot undo the chair's mute on their own... */
  say (f, 1, "{\"type\":\"mute\",\"audio\":true}");
  client_assert_error (&f->clients[1], "muted-by-chair");
  /* ...the chair never unmutes silently: it asks... */
  sayf (f, 0, "{\"type\":\"unmute-request\",\"participant\":\"%s\"}", a);
  g_assert_nonnull (client_last_of (&f->clients[1], "unmute-requested"));
  o = json_object_get_object_member (client_last_of (&f->clients[0], "participant-updated"),
                                     "participant");
  g_assert_false (json_object_get_boolean_member (o, "audio")); /* still muted */
  /* ...and the person agrees by unmuting. */
  say (f, 1, "{\"type\":\"mute\",\"audio\":true}");
  o = json_object_get_object_member (client_last_of (&f->clients[0], "participant-updated"),
                                     "participant");
  g_assert_true (json_object_get_boolean_member (o, "audio"));
  g_assert_false (json_object_get_boolean_member (o, "forced"));

  /* Given the floor, a muted person may unmute too. */
  sayf (f, 0, "{\"type\":\"mute-other\",\"participant\":\"%s\"}", a);
  sayf (f, 0, "{\"type\":\"floor\",\"give\":\"%s\"}", a);
  say (f, 1, "{\"type\":\"mute\",\"audio\":true}");
  o = json_object_get_object_member (client_last_of (&f->clients[0], "participant-updated"),
                                     "participant");
  g_assert_true (json_object_get_boolean_member (o, "audio"));
  f_free (f);
}

static void
test_remove_and_replace (void)
{
  F *f = f_new (KAIGI_MEETING_PUBLIC);
  g_autofree char *chair = join (f, 0, "r1", KAIGI_ROLE_CHAIR, FALSE);
  g_autofree char *a = join (f, 1, "r2", KAIGI_ROLE_MEMBER, FALSE);
  g_autofree char *again = NULL;

  /* The same person joining again (a second tab) replaces the first connection. */
  again = join (f, 2, "r2", KAIGI_ROLE_MEMBER, FALSE);
  client_assert_error (&f->clients[1], "replaced");
  g_assert_cmpint (f->clients[1].closed, ==, 1008);
  g_assert_cmpuint (kaigi_room_count (f->room), ==, 2);

  sayf (f, 0, "{\"type\":\"remove\",\"participant\":\"%s\"}", chair);
  client_assert_error (&f->clients[0], "bad-message"); /* not oneself */
  sayf (f, 0, "{\"type\":\"remove\",\"participant\":\"%s\"}", again);
  client_assert_error (&f->clients[2], "removed");
  g_assert_cmpint (f->clients[2].closed, ==, 1008);
  g_assert_cmpuint (kaigi_room_count (f->room), ==, 1);
  /* Their link no longer works in this meeting. */
  {
    g_autofree char *msg = fixture_join (f->auth, "r2", KAIGI_ROLE_MEMBER, FALSE);
    say (f, 3, msg);
    client_assert_error (&f->clients[3], "removed");
  }
  f_free (f);
}

/* ---- decisions and attendance ---- */

static void
test_decisions (void)
{
  F *f = f_new (KAIGI_MEETING_PUBLIC);
  g_autofree char *chair = join (f, 0, "r1", KAIGI_ROLE_CHAIR, FALSE);
  JsonArray *d;
  JsonObject *vote;

  say (f, 0,
       "{\"type\":\"decision\",\"item\":1,\"kind\":\"approved\",\"text\":\"原案のとおり了承\"}");
  say (f, 0,
       "{\"type\":\"decision\",\"item\":2,\"kind\":\"vote\",\"for\":[2,3,4],"
       "\"against\":[5],\"abstain\":[]}");
  say (f, 0, "{\"type\":\"decision\",\"item\":9,\"kind\":\"approved\"}");
  client_assert_error (&f->clients[0], "not-found");
  say (f, 0, "{\"type\":\"decision\",\"item\":1,\"kind\":\"vote\",\"for\":[77]}");
  client_assert_error (&f->clients[0], "bad-message");
  say (f, 0, "{\"type\":\"decision\",\"item\":1,\"kind\":\"maybe\"}");
  client_assert_error (&f->clients[0], "bad-message");
  say (f, 0, "{\"type\":\"decision\",\"item\":1,\"kind\":\"vote\",\"for\":\"all\"}");
  client_assert_error (&f->clients[0], "bad-message");
  d = json_object_get_array_member (meeting_seen (f, 0), "decisions");
  g_assert_cmpuint (json_array_get_length (d), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (d, 0), "text"), ==,
                   "原案のとおり了承");
  vote = json_array_get_object_element (d, 1);
  g_assert_cmpstr (json_object_get_string_member (vote, "kind"), ==, "vote");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (vote, "for")), ==, 3);
  g_assert_cmpstr (
      json_array_get_string_element (json_object_get_array_member (vote, "against"), 0), ==,
      "岩本");
  f_free (f);
}

static void
test_attendance_and_quorum (void)
{
  F *f = f_new (KAIGI_MEETING_PUBLIC);
  g_autofree char *sec = join (f, 0, "a1", KAIGI_ROLE_SECRETARIAT, FALSE);
  JsonObject *q;

  /* 13 on the roster; the chair and 10 members count: a quorum is 11 / 2 + 1 = 6. */
  q = json_object_get_object_member (meeting_seen (f, 0), "quorum");
  g_assert_cmpint (json_object_get_int_member (q, "members"), ==, 11);
  g_assert_cmpint (json_object_get_int_member (q, "quorum"), ==, 6);
  g_assert_cmpint (json_object_get_int_member (q, "present_for_quorum"), ==, 0);
  g_assert_false (json_object_get_boolean_member (q, "quorate"));

  g_free (join (f, 1, "r2", KAIGI_ROLE_MEMBER, FALSE));
  g_free (join (f, 2, "r3", KAIGI_ROLE_MEMBER, FALSE));
  for (int r = 4; r <= 5; r++)
    sayf (f, 0, "{\"type\":\"attendance\",\"roster\":%d,\"in_room\":true}", r);
  say (f, 0, "{\"type\":\"attendance\",\"roster\":1,\"in_room\":true}");
  q = json_object_get_object_member (meeting_seen (f, 0), "quorum");
  g_assert_cmpint (json_object_get_int_member (q, "online"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (q, "in_room"), ==, 3);
  g_assert_cmpint (json_object_get_int_member (q, "absent"), ==, 6);
  g_assert_cmpint (json_object_get_int_member (q, "present_for_quorum"), ==, 5);
  g_assert_false (json_object_get_boolean_member (q, "quorate"));
  say (f, 0, "{\"type\":\"attendance\",\"roster\":6,\"in_room\":true}");
  q = json_object_get_object_member (meeting_seen (f, 0), "quorum");
  g_assert_true (json_object_get_boolean_member (q, "quorate"));
  say (f, 0, "{\"type\":\"attendance\",\"roster\":404,\"in_room\":true}");
  client_assert_error (&f->clients[0], "not-found");
  /* Someone online leaves: the live count drops. */
  kaigi_signal_conn_closed (g_steal_pointer (&f->conns[1]));
  q = json_object_get_object_member (meeting_seen (f, 0), "quorum");
  g_assert_cmpint (json_object_get_int_member (q, "online"), ==, 1);
  f_free (f);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/chair/role-table", test_role_table);
  g_test_add_func ("/chair/permission-matrix", test_permission_matrix);
  g_test_add_func ("/chair/state-machine-table", test_state_machine_table);
  g_test_add_func ("/chair/state-through-room", test_state_through_room);
  g_test_add_func ("/chair/hands-and-floor", test_hands_and_floor);
  g_test_add_func ("/chair/program-material", test_program_material);
  g_test_add_func ("/chair/mute-and-unmute-request", test_mute_and_unmute_request);
  g_test_add_func ("/chair/remove-and-replace", test_remove_and_replace);
  g_test_add_func ("/chair/decisions", test_decisions);
  g_test_add_func ("/chair/attendance-and-quorum", test_attendance_and_quorum);
  return g_test_run ();
}
