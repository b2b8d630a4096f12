/* test-room.c: slot assignment in the room (no media): first others in join order,
 * sticky while they stay, refilled when they leave, never oneself; consoles without media
 * are never shown. */
#include "meeting-fixture.h"
#include "room.h"

/* A client's inbox: the messages the room sent it (target = Inbox *, or NULL: dropped). */
typedef struct {
  GPtrArray *got; /* owned strings */
} Inbox;

static void
ignore_send (gpointer target, const char *json)
{
  Inbox *in = target;

  if (in)
    g_ptr_array_add (in->got, g_strdup (json));
}

static void
ignore_drop (gpointer target, const char *code, const char *message)
{
}

static const KaigiRoomClientOps ops = { ignore_send, ignore_drop };

static KaigiRoom *
make_room (guint slots)
{
  KaigiRoomOptions o = { .meeting = fixture_meeting (KAIGI_MEETING_SCHEDULED),
                         .max_participants = 50,
                         .peer = { .slots = slots } };

  return kaigi_room_new (&o, NULL, NULL, &ops);
}

/* Members r2, r3... in the order of @name's letter: "a" is r2. */
static KaigiParticipant *
join_with (KaigiRoom *r, const char *name, gboolean media)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *ref = g_strdup_printf ("r%d", name[0] - 'a' + 2);
  KaigiJoinRequest req = { .ref = ref, .role = KAIGI_ROLE_MEMBER, .media = media };
  KaigiParticipant *p = kaigi_room_join (r, &req, NULL, &error);

  g_assert_no_error (error);
  return p;
}

static KaigiParticipant *
join (KaigiRoom *r, const char *name)
{
  return join_with (r, name, TRUE);
}

static void
assert_slots (KaigiParticipant *p, guint k, const char *const *want)
{
  for (guint s = 0; s < k; s++)
    g_assert_cmpstr (kaigi_participant_slot (p, s), ==, want[s]);
}

static void
test_fill_in_join_order (void)
{
  KaigiRoom *r = make_room (3);
  KaigiParticipant *a = join (r, "a"), *b = join (r, "b"), *c = join (r, "c");
  KaigiParticipant *d = join (r, "d"), *e = join (r, "e");

  assert_slots (a, 3, (const char *[]){ "p2", "p3", "p4" });
  assert_slots (c, 3, (const char *[]){ "p1", "p2", "p4" });
  assert_slots (e, 3, (const char *[]){ "p1", "p2", "p3" });
  (void)b, (void)d;
  kaigi_room_free (r);
}

static void
test_sticky_and_refill (void)
{
  KaigiRoom *r = make_room (2);
  KaigiParticipant *a = join (r, "a"), *b = join (r, "b");
  KaigiParticipant *c = join (r, "c");

  join (r, "d");
  assert_slots (a, 2, (const char *[]){ "p2", "p3" });
  /* b leaves: a's slot 0 gets the next one not shown (d); slot 1 keeps c. */
  kaigi_room_leave (r, b);
  assert_slots (a, 2, (const char *[]){ "p4", "p3" });
  kaigi_room_leave (r, c);
  assert_slots (a, 2, (const char *[]){ "p4", NULL });
  kaigi_room_free (r);
}

static void
test_console_not_shown (void)
{
  KaigiRoom *r = make_room (2);
  KaigiParticipant *a = join (r, "a");

  join_with (r, "b", FALSE); /* a console: signalling only */
  join (r, "c");
  assert_slots (a, 2, (const char *[]){ "p3", NULL });
  kaigi_room_free (r);
}

/* The `speaking` messages in @in, as "ID:1" / "ID:0 LEVEL" strings, from message @from on. */
static GString *
speaking_seen (Inbox *in, guint from)
{
  GString *s = g_string_new (NULL);

  for (guint i = from; i < in->got->len; i++) {
    g_autoptr (JsonParser) p = json_parser_new ();
    JsonObject *o;
    g_assert_true (json_parser_load_from_data (p, in->got->pdata[i], -1, NULL));
    o = json_node_get_object (json_parser_get_root (p));
    if (!g_str_equal (json_object_get_string_member (o, "type"), "speaking"))
      continue;
    g_string_append_printf (
        s, "%s%s:%d %.1f", s->len ? "," : "", json_object_get_string_member (o, "id"),
        json_object_get_boolean_member (o, "speaking"), json_object_get_double_member (o, "level"));
  }
  return s;
}

/* The mixer's speaking changes reach everyone in the meeting (the speaker too, consoles
 * too), once per change, but never the public. */
static void
test_speaking_reaches_clients (void)
{
  KaigiRoom *r = make_room (2);
  Inbox in[4];
  KaigiJoinRequest reqs[4] = {
    { .ref = "r2", .role = KAIGI_ROLE_MEMBER, .media = TRUE },
    { .ref = "r3", .role = KAIGI_ROLE_MEMBER, .media = TRUE },
    { .ref = "a1", .role = KAIGI_ROLE_SECRETARIAT, .name = "事務局", .media = FALSE },
    { .ref = "public", .role = KAIGI_ROLE_VIEWER, .name = "傍聴", .media = FALSE },
  };
  KaigiParticipant *p[4];
  guint mark[4];

  for (guint i = 0; i < 4; i++) {
    g_autoptr (GError) error = NULL;
    in[i].got = g_ptr_array_new_with_free_func (g_free);
    p[i] = kaigi_room_join (r, &reqs[i], &in[i], &error);
    g_assert_no_error (error);
  }
  for (guint i = 0; i < 4; i++)
    mark[i] = in[i].got->len;
  kaigi_room_speaking (r, p[0], TRUE, -23.04);
  kaigi_room_speaking (r, p[0], TRUE, -20.0); /* no change: nothing sent */
  kaigi_room_speaking (r, p[1], TRUE, -30.0);
  kaigi_room_speaking (r, p[0], FALSE, -55.55);
  for (guint i = 0; i < 3; i++) {
    g_autoptr (GString) seen = speaking_seen (&in[i], mark[i]);
    g_assert_cmpstr (seen->str, ==, "p1:1 -23.0,p2:1 -30.0,p1:0 -55.6");
  }
  {
    g_autoptr (GString) seen = speaking_seen (&in[3], mark[3]);
    g_assert_cmpstr (seen->str, ==, ""); /* the public */
  }
  kaigi_room_free (r);
  for (guint i = 0; i < 4; i++)
    g_ptr_array_unref (in[i].got);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/room/fill-in-join-order", test_fill_in_join_order);
  g_test_add_func ("/room/sticky-and-refill", test_sticky_and_refill);
  g_test_add_func ("/room/console-not-shown", test_console_not_shown);
  g_test_add_func ("/room/speaking-reaches-clients", test_speaking_reaches_clients);
  return g_test_run ();
}
