/* test-room.c: the room without media: slot assignment (first others in join order, kept
 * while they stay, refilled when they leave, never oneself; consoles without media are never
 * shown; last-N: pinned sources first, then the last speakers, a slot changing only when it
 * must) and the `speaking` messages. */
#include "kaigi-error.h"
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

static void
speak (KaigiRoom *r, KaigiParticipant *p)
{
  kaigi_room_speaking (r, p, TRUE, -20);
  kaigi_room_speaking (r, p, FALSE, -70); /* the list keeps who spoke, not who speaks */
}

/* Nobody is ever shown their own camera. */
static void
assert_never_self (KaigiParticipant **all, guint n, guint k)
{
  for (guint i = 0; i < n; i++)
    for (guint s = 0; s < k; s++)
      g_assert_cmpstr (kaigi_participant_slot (all[i], s), !=, kaigi_participant_id (all[i]));
}

/* Last-N: a new speaker replaces the least recently active one shown; a speaker already shown
 * keeps their slot; someone who never spoke goes before anyone who did. */
static void
test_slots_follow_speakers (void)
{
  KaigiRoom *r = make_room (2);
  KaigiParticipant *a = join (r, "a"), *b = join (r, "b"), *c = join (r, "c");
  KaigiParticipant *d = join (r, "d"), *e = join (r, "e");
  KaigiParticipant *all[] = { a, b, c, d, e };

  assert_slots (a, 2, (const char *[]){ "p2", "p3" }); /* join order */
  speak (r, d);
  assert_slots (a, 2, (const char *[]){ "p2", "p4" }); /* c (last in join order) goes */
  assert_slots (d, 2, (const char *[]){ "p1", "p2" }); /* d sees others, never d */
  speak (r, e);
  assert_slots (a, 2, (const char *[]){ "p5", "p4" }); /* b never spoke: goes before d */
  speak (r, d);
  assert_slots (a, 2, (const char *[]){ "p5", "p4" }); /* shown already: nothing moves */
  speak (r, c);
  assert_slots (a, 2, (const char *[]){ "p3", "p4" }); /* e spoke before d did again */
  speak (r, a);
  assert_slots (a, 2, (const char *[]){ "p3", "p4" }); /* a's own speech changes nothing */
  assert_slots (b, 2, (const char *[]){ "p3", "p1" }); /* b: a took d's slot, c kept its */
  assert_never_self (all, G_N_ELEMENTS (all), 2);
  /* The last speaker leaves: the next most recent takes the slot. */
  kaigi_room_leave (r, c);
  assert_slots (a, 2, (const char *[]){ "p5", "p4" });
  kaigi_room_free (r);
}

static KaigiParticipant *
join_venue (KaigiRoom *r)
{
  g_autoptr (GError) error = NULL;
  KaigiJoinRequest req = { .ref = "v1", .role = KAIGI_ROLE_VENUE, .media = TRUE };
  KaigiParticipant *p = kaigi_room_join (r, &req, NULL, &error);

  g_assert_no_error (error);
  return p;
}

/* Pinned sources come first: the main venue's camera, then whom the chair pins; speakers
 * fill what is left. Unpinning gives the slot back to the speakers. */
static void
test_slots_pins (void)
{
  KaigiRoom *r = make_room (2);
  KaigiParticipant *a = join (r, "a"), *b = join (r, "b"), *c = join (r, "c");
  KaigiParticipant *d = join (r, "d"), *v;
  g_autoptr (GError) error = NULL;

  assert_slots (a, 2, (const char *[]){ "p2", "p3" });
  v = join_venue (r); /* p5: the main venue (本会場) */
  assert_slots (a, 2, (const char *[]){ "p2", "p5" });
  assert_slots (v, 2, (const char *[]){ "p1", "p2" }); /* the venue does not see itself */
  g_assert_true (kaigi_room_pin (r, NULL, "p4", &error));
  g_assert_cmpstr (kaigi_room_pinned (r), ==, "p4");
  assert_slots (a, 2, (const char *[]){ "p4", "p5" });
  assert_slots (v, 2, (const char *[]){ "p1", "p4" }); /* b's slot: p1 stays where it was */
  speak (r, c);
  assert_slots (a, 2, (const char *[]){ "p4", "p5" }); /* both slots are pinned ones */
  assert_slots (b, 2, (const char *[]){ "p4", "p5" });
  assert_slots (d, 2, (const char *[]){ "p3", "p5" }); /* d, pinned: the venue and c */
  g_assert_true (kaigi_room_pin (r, NULL, NULL, &error));
  g_assert_null (kaigi_room_pinned (r));
  assert_slots (a, 2, (const char *[]){ "p3", "p5" }); /* the speaker takes d's place */
  g_assert_false (kaigi_room_pin (r, NULL, "p99", &error));
  g_assert_error (error, KAIGI_ERROR, KAIGI_ERROR_NOT_FOUND);
  /* The venue leaves: its slot goes to the next one wanted. */
  kaigi_room_leave (r, v);
  assert_slots (a, 2, (const char *[]){ "p3", "p2" });
  {
    KaigiParticipant *all[] = { a, b, c, d };
    assert_never_self (all, 4, 2);
  }
  kaigi_room_free (r);
}

static void
assert_materials (KaigiParticipant *p, const char *want)
{
  g_autofree char *got = kaigi_participant_materials (p);

  g_assert_cmpstr (got, ==, want);
}

/* A screen share goes into everyone's materials slot but the sharer's, and out of the camera
 * slots (the sharer's video is the screen); a new share replaces it and the sharer is told;
 * stopping or leaving empties the slot. */
static void
test_screen_share_fills_materials_slot (void)
{
  KaigiRoom *r = make_room (2);
  Inbox ia = { g_ptr_array_new_with_free_func (g_free) };
  KaigiParticipant *a, *b = join (r, "b"), *c = join (r, "c"), *d = join (r, "d");
  g_autoptr (GError) error = NULL;
  KaigiJoinRequest req = { .ref = "r2", .role = KAIGI_ROLE_PRESENTER, .media = TRUE };
  KaigiParticipant *viewer;
  KaigiJoinRequest vreq = { .ref = "public", .role = KAIGI_ROLE_VIEWER, .media = TRUE };

  a = kaigi_room_join (r, &req, &ia, &error); /* p4, a presenter */
  g_assert_no_error (error);
  assert_slots (b, 2, (const char *[]){ "p2", "p3" });
  assert_materials (b, NULL);
  g_assert_true (kaigi_room_share_screen (r, a, TRUE, &error));
  g_assert_cmpstr (kaigi_room_screen_sharer (r), ==, "p4");
  assert_materials (b, "p4");
  assert_materials (c, "p4");
  assert_materials (a, NULL); /* not one's own screen */
  assert_slots (d, 2, (const char *[]){ "p1", "p2" });
  speak (r, a); /* the sharer speaks: still not in a camera slot */
  assert_slots (d, 2, (const char *[]){ "p1", "p2" });
  /* Another share replaces it; the first sharer is told, and is back in the camera slots. */
  g_assert_true (kaigi_room_share_screen (r, b, TRUE, &error));
  {
    gboolean told = FALSE;
    for (guint i = 0; i < ia.got->len; i++)
      told
          |= strstr (ia.got->pdata[i], "\"screen-ended\"") && strstr (ia.got->pdata[i], "replaced");
    g_assert_true (told);
  }
  assert_materials (a, "p1");
  assert_materials (b, NULL);
  /* a, back, took c's slot (a spoke last, c joined after b); then b's went to c. */
  assert_slots (d, 2, (const char *[]){ "p2", "p4" });
  /* Stopping someone else's share does nothing; the sharer's own stop ends it. */
  g_assert_true (kaigi_room_share_screen (r, c, FALSE, &error));
  g_assert_cmpstr (kaigi_room_screen_sharer (r), ==, "p1");
  g_assert_true (kaigi_room_share_screen (r, b, FALSE, &error));
  g_assert_null (kaigi_room_screen_sharer (r));
  assert_materials (a, NULL);
  /* A sharer who leaves leaves the slot empty. */
  g_assert_true (kaigi_room_share_screen (r, c, TRUE, &error));
  assert_materials (d, "p2");
  kaigi_room_leave (r, c);
  assert_materials (d, NULL);
  g_assert_null (kaigi_room_screen_sharer (r));
  /* Without media there is nothing to share. */
  viewer = kaigi_room_join (r, &vreq, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (kaigi_room_share_screen (r, viewer, TRUE, &error));
  g_assert_error (error, KAIGI_ERROR, KAIGI_ERROR_STATE);
  kaigi_room_free (r);
  g_ptr_array_unref (ia.got);
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
  g_test_add_func ("/room/slots-follow-speakers", test_slots_follow_speakers);
  g_test_add_func ("/room/slots-pins", test_slots_pins);
  g_test_add_func ("/room/screen-share-fills-materials-slot",
                   test_screen_share_fills_materials_slot);
  return g_test_run ();
}
