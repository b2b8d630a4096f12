/* test-signalling.c: the protocol (docs/protocol.md) and the room logic behind it, without
 * media: a room made with no graph, clients that record what they are sent. */
#include <json-glib/json-glib.h>

#include "room.h"
#include "signalling.h"

typedef struct {
  GPtrArray *got; /* JSON texts received, owned */
  int closed;     /* close status, 0 if open */
} Client;

static void
client_send (gpointer data, const char *json)
{
  Client *c = data;

  g_ptr_array_add (c->got, g_strdup (json));
}

static void
client_close (gpointer data, int status, const char *reason)
{
  Client *c = data;

  c->closed = status;
}

static const KaigiSignalTransport transport = { client_send, client_close };

typedef struct {
  KaigiRoom *room;
  Client clients[4];
  KaigiSignalConn *conns[4];
} Fixture;

static void
setup (Fixture *f, gconstpointer data)
{
  KaigiRoomOptions o
      = { .meeting_id = 7, .title = "第1回 委員会", .max_participants = 3, .peer = { .slots = 2 } };

  f->room = kaigi_room_new (&o, NULL, NULL, kaigi_signal_room_ops ());
  for (guint i = 0; i < G_N_ELEMENTS (f->clients); i++) {
    f->clients[i].got = g_ptr_array_new_with_free_func (g_free);
    f->conns[i] = kaigi_signal_conn_new (f->room, &transport, &f->clients[i]);
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
  kaigi_room_free (f->room);
}

static void
say (Fixture *f, guint i, const char *json)
{
  kaigi_signal_conn_message (f->conns[i], json, strlen (json));
}

/* The last message client @i got, parsed; NULL if none. */
static JsonObject *
last (Fixture *f, guint i)
{
  static JsonParser *parser;
  GPtrArray *got = f->clients[i].got;

  if (!got->len)
    return NULL;
  g_clear_object (&parser);
  parser = json_parser_new ();
  g_assert_true (json_parser_load_from_data (parser, got->pdata[got->len - 1], -1, NULL));
  return json_node_get_object (json_parser_get_root (parser));
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
  JsonObject *o = last (f, i);

  g_assert_nonnull (o);
  g_assert_cmpstr (json_object_get_string_member (o, "type"), ==, "error");
  g_assert_cmpstr (json_object_get_string_member (o, "code"), ==, code);
  g_assert_cmpstr (json_object_get_string_member (o, "message"), !=, "");
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
test_bad_name (Fixture *f, gconstpointer data)
{
  g_autofree char *long_name = NULL;
  g_autofree char *msg = NULL;
  GString *s = g_string_new (NULL);

  say (f, 0, "{\"type\":\"join\",\"name\":\"   \"}");
  assert_error (f, 0, "bad-name");
  say (f, 0, "{\"type\":\"join\",\"name\":\"a\\u0007b\"}");
  assert_error (f, 0, "bad-name");
  for (int i = 0; i < 65; i++)
    g_string_append (s, "議");
  long_name = g_string_free (s, FALSE);
  msg = g_strdup_printf ("{\"type\":\"join\",\"name\":\"%s\"}", long_name);
  say (f, 0, msg);
  assert_error (f, 0, "bad-name");
  say (f, 0, "{\"type\":\"join\",\"name\":42}");
  assert_error (f, 0, "bad-message");
  g_assert_cmpuint (kaigi_room_count (f->room), ==, 0);
}

static void
test_join_welcome_and_broadcast (Fixture *f, gconstpointer data)
{
  JsonObject *o;
  JsonArray *people;

  say (f, 0, "{\"type\":\"join\",\"name\":\"  山田 太郎  \"}");
  g_assert_cmpuint (kaigi_room_count (f->room), ==, 1);
  /* No media: the welcome is followed by the (empty) slots. */
  g_assert_cmpuint (f->clients[0].got->len, ==, 2);
  say (f, 1, "{\"type\":\"join\",\"name\":\"Suzuki\"}");
  o = last (f, 0);
  g_assert_cmpstr (json_object_get_string_member (o, "type"), ==, "slots");

  /* Client 1's welcome lists client 0, with the trimmed name. */
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
        "山田 太郎");
    g_object_unref (p);
  }
  say (f, 1, "{\"type\":\"join\",\"name\":\"again\"}");
  assert_error (f, 1, "already-joined");
}

static void
test_mute_is_broadcast (Fixture *f, gconstpointer data)
{
  JsonObject *o, *who;
  guint before;

  say (f, 0, "{\"type\":\"join\",\"name\":\"A\"}");
  say (f, 1, "{\"type\":\"join\",\"name\":\"B\"}");
  say (f, 0, "{\"type\":\"mute\",\"audio\":\"no\"}");
  assert_error (f, 0, "bad-message");
  say (f, 0, "{\"type\":\"mute\",\"audio\":false}");
  o = last (f, 1);
  g_assert_cmpstr (json_object_get_string_member (o, "type"), ==, "participant-updated");
  who = json_object_get_object_member (o, "participant");
  g_assert_cmpstr (json_object_get_string_member (who, "name"), ==, "A");
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

  for (guint i = 0; i < 3; i++) {
    g_autofree char *m = g_strdup_printf ("{\"type\":\"join\",\"name\":\"m%u\"}", i);
    say (f, i, m);
  }
  say (f, 3, "{\"type\":\"join\",\"name\":\"late\"}");
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
  say (f, 0, "{\"type\":\"join\",\"name\":\"A\"}");
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
  ADD ("/signalling/bad-name", test_bad_name);
  ADD ("/signalling/join-welcome-broadcast", test_join_welcome_and_broadcast);
  ADD ("/signalling/mute-broadcast", test_mute_is_broadcast);
  ADD ("/signalling/full-and-leave", test_full_and_leave);
  ADD ("/signalling/answer-without-media", test_answer_without_media);
  return g_test_run ();
}
