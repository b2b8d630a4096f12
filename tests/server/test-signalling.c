/* test-signalling.c: the protocol (docs/protocol.md) and the room logic behind it, without
 * media: a room made with no graph, clients that record what they are sent. */
#include <json-glib/json-glib.h>

#include "meeting-fixture.h"
#include "room.h"
#include "signal-client.h"
#include "signalling.h"

typedef struct {
  KaigiAuth *auth;
  KaigiRooms *rooms;
  KaigiRoom *room;
  Client clients[4];
  KaigiSignalConn *conns[4];
} Fixture;

static void
setup (Fixture *f, gconstpointer data)
{
  KaigiRoomOptions o = { .max_participants = 3, .peer = { .slots = 2 } };
  KaigiSignalContext ctx;

  f->auth = fixture_auth ();
  f->rooms = kaigi_rooms_new (NULL, NULL, NULL, &o, kaigi_signal_room_ops ());
  f->room = kaigi_rooms_add (f->rooms, fixture_meeting (KAIGI_MEETING_SCHEDULED));
  ctx.rooms = f->rooms;
  ctx.auth = f->auth;
  for (guint i = 0; i < G_N_ELEMENTS (f->clients); i++) {
    f->clients[i].got = g_ptr_array_new_with_free_func (g_free);
    f->conns[i] = kaigi_signal_conn_new (&ctx, &transport, &f->clients[i]);
  }
}

static void
teardown (Fixture *f, gconstpointer data)
{
  for (guint i = 0; i < G_N_ELEMENTS (f->clients); i++) {
    if (f->conns[i])
      kaigi_signal_conn_closed (f->conns[i]);
    g_ptr_array_unref (f->clients[i].got);
  }
  kaigi_rooms_free (f->rooms);
  kaigi_auth_free (f->auth);
}

/* Client @i joins as member r<roster>. */
static void
join_member (Fixture *f, guint i, int roster)
{
  g_autofree char *ref = g_strdup_printf ("r%d", roster);
  g_autofree char *msg = fixture_join (f->auth, ref, KAIGI_ROLE_MEMBER, TRUE);

  kaigi_signal_conn_message (f->conns[i], msg, strlen (msg));
}

static void
say (Fixture *f, guint i, const char *json)
{
  kaigi_signal_conn_message (f->conns[i], json, strlen (json));
}

static JsonObject *
last (Fixture *f, guint i)
{
  return client_message (&f->clients[i], -1);
}

static const char *
last_type (Fixture *f, guint i)
{
  JsonObject *o = last (f, i);

  return o ? json_object_get_string_member (o, "type") : NULL;
}

static void
assert_error (Fixture *f, guint i, const char *code)
{
  client_assert_error (&f->clients[i], code);
}

static void
test_bad_json (Fixture *f, gconstpointer data)
{
  say (f, 0, "{not json");
  assert_error (f, 0, "bad-json");
  say (f, 0, "[1,2]");
  assert_error (f, 0, "bad-json");
  say (f, 0, "{\"type\": 5}");
  assert_error (f, 0, "bad-json");
  say (f, 0, "{\"name\": \"x\"}");
  assert_error (f, 0, "bad-json");
  say (f, 0, "{\"type\": \"dance\"}");
  assert_error (f, 0, "unknown-type");
  g_assert_cmpint (f->clients[0].closed, ==, 0);
}

static void
test_needs_join (Fixture *f, gconstpointer data)
{
  const char *msgs[] = { "{\"type\":\"answer\",\"sdp\":\"v=0\"}",
                         "{\"type\":\"ice\",\"candidate\":\"\",\"sdpMLineIndex\":0}",
                         "{\"type\":\"mute\",\"audio\":false}", "{\"type\":\"leave\"}" };

  for (guint i = 0; i < G_N_ELEMENTS (msgs); i++) {
    say (f, 0, msgs[i]);
    assert_error (f, 0, "not-joined");
  }
  say (f, 0, "{\"type\":\"ping\"}");
  g_assert_cmpstr (last_type (f, 0), ==, "pong");
}

static void
test_bad_join (Fixture *f, gconstpointer data)
{
  say (f, 0, "{\"type\":\"join\",\"name\":\"x\"}");
  assert_error (f, 0, "bad-message");
  say (f, 0, "{\"type\":\"join\",\"meeting\":\"7\",\"token\":\"x\"}");
  assert_error (f, 0, "bad-message");
  say (f, 0, "{\"type\":\"join\",\"meeting\":7,\"token\":42}");
  assert_error (f, 0, "bad-message");
  g_assert_cmpint (f->clients[0].closed, ==, 0);
  g_assert_cmpuint (kaigi_room_count (f->room), ==, 0);
}

/* Forged, damaged, expired and other-meeting tokens are refused, and the socket closes. */
static void
test_bad_tokens (Fixture *f, gconstpointer data)
{
  static const guint8 other_key[32] = "another server's key, not ours";
  g_autoptr (KaigiAuth) other = kaigi_auth_new_with_key (other_key, 32);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  g_autofree char *forged
      = kaigi_auth_token_issue (other, 7, KAIGI_ROLE_CHAIR, "r1", NULL, now + 60);
  g_autofree char *expired
      = kaigi_auth_token_issue (f->auth, 7, KAIGI_ROLE_CHAIR, "r1", NULL, now - 1);
  g_autofree char *elsewhere
      = kaigi_auth_token_issue (f->auth, 8, KAIGI_ROLE_CHAIR, "r1", NULL, now + 60);
  g_autofree char *good
      = kaigi_auth_token_issue (f->auth, 7, KAIGI_ROLE_MEMBER, "r2", NULL, now + 60);
  g_autofree char *tampered = g_strdup (good);
  const struct {
    const char *token;
    const char *code;
  } cases[] = {
    { forged, "token-invalid" },
    { expired, "token-expired" },
    { elsewhere, "token-wrong-meeting" },
    { tampered, "token-invalid" },
    { "kaigi1.e30.AAAA", "token-invalid" },
    { "not a token", "token-invalid" },
  };

  tampered[10] = tampered[10] == 'A' ? 'B' : 'A'; /* one letter of the payload */
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autofree char *msg
        = g_strdup_printf ("{\"type\":\"join\",\"meeting\":7,\"token\":\"%s\"}", cases[i].token);
    f->clients[0].closed = 0;
    say (f, 0, msg);
    assert_error (f, 0, cases[i].code);
    g_assert_cmpint (f->clients[0].closed, ==, 1008);
  }
  /* A token of meeting 7 sent for meeting 8 names the mismatch too. */
  {
    g_autofree char *msg
        = g_strdup_printf ("{\"type\":\"join\",\"meeting\":8,\"token\":\"%s\"}", good);
    say (f, 1, msg);
    assert_error (f, 1, "token-wrong-meeting");
  }
  g_assert_cmpuint (kaigi_room_count (f->room), ==, 0);
}

static void
test_join_welcome_and_broadcast (Fixture *f, gconstpointer data)
{
  JsonObject *o;
  JsonArray *people;

  join_member (f, 0, 2);
  g_assert_cmpuint (kaigi_room_count (f->room), ==, 1);
  /* No media: the welcome is followed by the (empty) slots. */
  g_assert_cmpuint (f->clients[0].got->len, ==, 2);
  join_member (f, 1, 3);
  o = last (f, 0);
  g_assert_cmpstr (json_object_get_string_member (o, "type"), ==, "slots");

  /* Client 1's welcome lists client 0, with the roster's name, title and role. */
  {
    JsonParser *p = json_parser_new ();
    g_assert_true (json_parser_load_from_data (p, f->clients[1].got->pdata[0], -1, NULL));
    o = json_node_get_object (json_parser_get_root (p));
    g_assert_cmpstr (json_object_get_string_member (o, "type"), ==, "welcome");
    g_assert_cmpint (json_object_get_int_member (o, "slots"), ==, 2);
    g_assert_cmpstr (
        json_object_get_string_member (json_object_get_object_member (o, "meeting"), "title"), ==,
        "第1回 委員会");
    people = json_object_get_array_member (o, "participants");
    g_assert_cmpuint (json_array_get_length (people), ==, 1);
    g_assert_cmpstr (
        json_object_get_string_member (json_array_get_object_element (people, 0), "name"), ==,
        "市川");
    g_assert_cmpstr (
        json_object_get_string_member (json_array_get_object_element (people, 0), "title"), ==,
        "委員");
    g_assert_cmpstr (
        json_object_get_string_member (json_object_get_object_member (o, "you"), "role"), ==,
        "member");
    g_object_unref (p);
  }
  join_member (f, 1, 4);
  assert_error (f, 1, "already-joined");
}

static void
test_mute_is_broadcast (Fixture *f, gconstpointer data)
{
  JsonObject *o, *who;
  guint before;

  join_member (f, 0, 2);
  join_member (f, 1, 3);
  say (f, 0, "{\"type\":\"mute\",\"audio\":\"no\"}");
  assert_error (f, 0, "bad-message");
  say (f, 0, "{\"type\":\"mute\",\"audio\":false}");
  o = last (f, 1);
  g_assert_cmpstr (json_object_get_string_member (o, "type"), ==, "participant-updated");
  who = json_object_get_object_member (o, "participant");
  g_assert_cmpstr (json_object_get_string_member (who, "name"), ==, "市川");
  g_assert_false (json_object_get_boolean_member (who, "audio"));
  g_assert_true (json_object_get_boolean_member (who, "video"));
  /* Repeating the same state sends nothing. */
  before = f->clients[1].got->len;
  say (f, 0, "{\"type\":\"mute\",\"audio\":false}");
  g_assert_cmpuint (f->clients[1].got->len, ==, before);
}

static void
test_full_and_leave (Fixture *f, gconstpointer data)
{
  JsonObject *o;

  for (guint i = 0; i < 3; i++)
    join_member (f, i, 2 + i);
  join_member (f, 3, 5);
  assert_error (f, 3, "meeting-full");
  g_assert_cmpint (f->clients[3].closed, ==, 1008);

  say (f, 1, "{\"type\":\"leave\"}");
  g_assert_cmpint (f->clients[1].closed, ==, 1000);
  g_assert_cmpuint (kaigi_room_count (f->room), ==, 2);
  /* Everybody left hears it; the slots that showed m1 are refilled or emptied. */
  for (guint i = 0; i < 3; i += 2) {
    gboolean saw_left = FALSE;
    for (guint k = 0; k < f->clients[i].got->len; k++)
      saw_left |= strstr (f->clients[i].got->pdata[k], "participant-left") != NULL;
    g_assert_true (saw_left);
  }
  o = last (f, 0);
  g_assert_cmpstr (json_object_get_string_member (o, "type"), ==, "slots");
  /* A closed socket without `leave` leaves too. */
  kaigi_signal_conn_closed (g_steal_pointer (&f->conns[2]));
  g_assert_cmpuint (kaigi_room_count (f->room), ==, 1);
}

static void
test_answer_without_media (Fixture *f, gconstpointer data)
{
  join_member (f, 0, 2);
  say (f, 0, "{\"type\":\"answer\"}");
  assert_error (f, 0, "bad-message");
  say (f, 0, "{\"type\":\"answer\",\"sdp\":\"garbage\"}");
  assert_error (f, 0, "bad-sdp");
  say (f, 0, "{\"type\":\"ice\",\"candidate\":\"x\",\"sdpMLineIndex\":-1}");
  assert_error (f, 0, "bad-message");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(name, fn) g_test_add (name, Fixture, NULL, setup, fn, teardown)
  ADD ("/signalling/bad-json", test_bad_json);
  ADD ("/signalling/needs-join", test_needs_join);
  ADD ("/signalling/bad-join", test_bad_join);
  ADD ("/signalling/bad-tokens", test_bad_tokens);
  ADD ("/signalling/join-welcome-broadcast", test_join_welcome_and_broadcast);
  ADD ("/signalling/mute-broadcast", test_mute_is_broadcast);
  ADD ("/signalling/full-and-leave", test_full_and_leave);
  ADD ("/signalling/answer-without-media", test_answer_without_media);
  return g_test_run ();
}
