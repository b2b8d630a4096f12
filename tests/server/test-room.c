/* test-room.c: slot assignment in the room (no media): first others in join order,
 * sticky while they stay, refilled when they leave, never oneself; consoles without media
 * are never shown. */
#include "meeting-fixture.h"
#include "room.h"

static void
ignore_send (gpointer target, const char *json)
{
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

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/room/fill-in-join-order", test_fill_in_join_order);
  g_test_add_func ("/room/sticky-and-refill", test_sticky_and_refill);
  g_test_add_func ("/room/console-not-shown", test_console_not_shown);
  return g_test_run ();
}
