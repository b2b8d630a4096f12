/* test-minutes.c: the room's side of the minutes, through the real signalling handlers and
 * the real recogniser (PocketSphinx on flite speech): who a statement is attributed to, what
 * is stored, who gets the caption, and that the public get nothing of a closed session. The
 * utterances are handed to the room as the speech detector would (kaigi_room_speech): a
 * room without a graph has no media (the browser tests run the whole chain). */
#include <glib/gstdio.h>
#include <string.h>

#include "asr.h"
#include "meeting-fixture.h"
#include "room-private.h"
#include "rooms.h"
#include "signal-client.h"
#include "store.h"

enum { CHAIR, MEMBER, VENUE, VIEWER, N };

typedef struct {
  char *dir;
  KaigiStore *store;
  KaigiAsr *asr;
  KaigiAuth *auth;
  KaigiRooms *rooms;
  KaigiRoom *room;
  gint64 meeting;
  Client clients[N];
  KaigiSignalConn *conns[N];
  char *pids[N];
} F;

static void
on_done (gpointer user, const char *meta, const char *wav, const char *text, double confidence,
         const char *error)
{
  F *f = user;

  kaigi_rooms_recognised (f->rooms, meta, wav, text, confidence, error);
}

static char *
join (F *f, guint i, const char *ref, KaigiRole role, gboolean media)
{
  g_autofree char *msg = NULL;
  g_autofree char *token
      = kaigi_auth_token_issue (f->auth, f->meeting, role, ref, ref[0] == 'p' ? "傍聴 太郎" : NULL,
                                g_get_real_time () / G_USEC_PER_SEC + 3600);
  JsonObject *w;

  msg = g_strdup_printf ("{\"type\":\"join\",\"meeting\":%" G_GINT64_FORMAT
                         ",\"token\":\"%s\",\"media\":%s}",
                         f->meeting, token, media ? "true" : "false");
  kaigi_signal_conn_message (f->conns[i], msg, strlen (msg));
  w = client_last_of (&f->clients[i], "welcome");
  g_assert_nonnull (w);
  return g_strdup (json_object_get_string_member (w, "id"));
}

static void
say (F *f, guint i, const char *json)
{
  kaigi_signal_conn_message (f->conns[i], json, strlen (json));
}

static F *
f_new (void)
{
  F *f = g_new0 (F, 1);
  g_autoptr (GError) error = NULL;
  g_autofree char *db = NULL, *spool = NULL;
  g_autoptr (KaigiMeeting) m = fixture_meeting (KAIGI_MEETING_SCHEDULED);
  KaigiRoomOptions o = { .max_participants = 20, .peer = { .slots = 2 } };
  KaigiAsrOptions ao = { .engine = "pocketsphinx" };
  KaigiSignalContext ctx;

  f->dir = g_dir_make_tmp ("kaigi-minutes-XXXXXX", NULL);
  db = g_build_filename (f->dir, "kaigi.db", NULL);
  spool = g_build_filename (f->dir, "asr-spool", NULL);
  f->store = kaigi_store_open (db, &error);
  g_assert_no_error (error);
  f->meeting = kaigi_store_meeting_create (f->store, m, &error);
  g_assert_no_error (error);
  ao.spool_dir = spool;
  f->asr = kaigi_asr_new (&ao, NULL, on_done, f, &error);
  g_assert_no_error (error);
  o.asr = f->asr;
  o.data_dir = f->dir;
  f->auth = fixture_auth ();
  f->rooms = kaigi_rooms_new (f->store, NULL, NULL, &o, kaigi_signal_room_ops ());
  f->room = kaigi_rooms_get (f->rooms, f->meeting, &error);
  g_assert_no_error (error);
  ctx.rooms = f->rooms;
  ctx.auth = f->auth;
  for (guint i = 0; i < N; i++) {
    f->clients[i].got = g_ptr_array_new_with_free_func (g_free);
    f->conns[i] = kaigi_signal_conn_new (&ctx, &transport, &f->clients[i]);
  }
  f->pids[CHAIR] = join (f, CHAIR, "a1", KAIGI_ROLE_SECRETARIAT, FALSE); /* the console */
  f->pids[MEMBER] = join (f, MEMBER, "r2", KAIGI_ROLE_MEMBER, TRUE);
  f->pids[VENUE] = join (f, VENUE, "v1", KAIGI_ROLE_VENUE, TRUE);
  f->pids[VIEWER] = join (f, VIEWER, "public", KAIGI_ROLE_VIEWER, FALSE);
  return f;
}

static void
f_free (F *f)
{
  g_autofree char *rm = g_strdup_printf ("rm -rf '%s'", f->dir);

  for (guint i = 0; i < N; i++) {
    kaigi_signal_conn_closed (f->conns[i]);
    g_ptr_array_unref (f->clients[i].got);
    g_free (f->pids[i]);
  }
  kaigi_rooms_free (f->rooms);
  kaigi_asr_free (f->asr);
  kaigi_auth_free (f->auth);
  kaigi_store_free (f->store);
  g_assert_cmpint (system (rm), ==, 0);
  g_free (f->dir);
  g_free (f);
}

/* flite's @text as the detector's utterance, begun just now. */
static KaigiVadSegment *
spoken (const char *voice, const char *text, const char *dir)
{
  g_autofree char *path = g_build_filename (dir, "said.wav", NULL);
  const char *argv[] = { "flite", "-voice", voice, "-t", text, "-o", path, NULL };
  KaigiVadSegment *s = g_new0 (KaigiVadSegment, 1);
  g_autoptr (GError) error = NULL;
  int status = -1;

  g_assert_true (g_spawn_sync (NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL,
                               NULL, &status, NULL));
  g_assert_cmpint (status, ==, 0);
  s->samples = kaigi_asr_read_wav (path, &error);
  g_assert_no_error (error);
  /* Begun now, after whatever the test did last. */
  s->audio_us = s->start_us = g_get_real_time ();
  s->end_us = s->start_us + (gint64)g_bytes_get_size (s->samples) / 2 * G_USEC_PER_SEC / 16000;
  return s;
}

static gboolean
on_slow (gpointer data)
{
  g_error ("recognition took more than 60 s");
  return G_SOURCE_REMOVE;
}

static void
wait_recognised (F *f)
{
  guint timer = g_timeout_add_seconds (60, on_slow, NULL);

  while (kaigi_asr_backlog (f->asr) > 0)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (timer);
}

/* @who says @text (participant id); waits until it is recognised and stored. */
static void
speak (F *f, const char *pid, const char *voice, const char *text)
{
  g_autoptr (KaigiVadSegment) s = spoken (voice, text, f->dir);

  kaigi_room_speech (kaigi_room_find (f->room, pid), s);
  wait_recognised (f);
}

static KaigiUtterance *
last_utterance (F *f, guint *count)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) all = kaigi_store_utterances_load (f->store, f->meeting, &error);

  g_assert_no_error (error);
  *count = all->len;
  return all->len ? kaigi_utterance_copy (all->pdata[all->len - 1]) : NULL;
}

static guint
count_of (Client *c, const char *type)
{
  guint n = 0;

  for (guint k = 0; k < c->got->len; k++)
    if (strstr (c->got->pdata[k], type))
      n++;
  return n;
}

static void
test_attribution_and_gate (void)
{
  F *f = f_new ();
  g_autoptr (KaigiUtterance) u = NULL;
  g_autofree char *clip = NULL;
  g_autoptr (JsonObject) pub = NULL;
  JsonObject *cap;
  guint n = 0;

  /* Before the meeting opens nothing is minuted. */
  {
    g_autoptr (KaigiVadSegment) s = spoken ("rms", "Good morning.", f->dir);
    kaigi_room_speech (kaigi_room_find (f->room, f->pids[MEMBER]), s);
    g_assert_cmpuint (kaigi_asr_backlog (f->asr), ==, 0);
  }
  say (f, CHAIR, "{\"type\":\"state\",\"to\":\"open\"}");
  say (f, CHAIR, "{\"type\":\"agenda\",\"item\":1}");
  g_assert_cmpint (kaigi_room_state (f->room), ==, KAIGI_MEETING_PUBLIC);

  /* An online member's own track names them. */
  speak (f, f->pids[MEMBER], "rms", "The committee will now consider the budget for the library.");
  u = last_utterance (f, &n);
  g_assert_cmpuint (n, ==, 1);
  g_test_message ("heard: %s", u->text);
  g_assert_nonnull (strstr (u->text, "budget"));
  g_assert_cmpint (u->speaker, ==, 2);
  g_assert_cmpstr (u->speaker_name, ==, "市川");
  g_assert_cmpstr (u->venue, ==, "オンライン");
  g_assert_cmpint (u->item, ==, 1);
  g_assert_true (u->is_public);
  g_assert_cmpint (u->state, ==, KAIGI_UTTERANCE_TRANSCRIBED);
  g_assert_cmpfloat (u->confidence, >, 0.0);
  /* Its audio is kept for the editor. */
  clip = kaigi_rooms_clip_path (f->dir, f->meeting, u->id);
  g_assert_true (g_file_test (clip, G_FILE_TEST_IS_REGULAR));
  /* Everyone gets the caption, the public viewer too (said in public). */
  for (guint i = 0; i < N; i++) {
    cap = client_last_of (&f->clients[i], "caption");
    g_assert_nonnull (cap);
    g_assert_cmpstr (json_object_get_string_member (cap, "speaker"), ==, "市川");
    g_assert_cmpstr (json_object_get_string_member (cap, "title"), ==, "委員");
    g_assert_cmpstr (json_object_get_string_member (cap, "text"), ==, u->text);
    g_assert_true (json_object_get_boolean_member (cap, "public"));
  }
  pub = kaigi_room_public_captions (f->room, 0);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (pub, "captions")), ==, 1);
  g_clear_pointer (&pub, json_object_unref);

  /* The main venue's track, nobody there given the floor: the chair, who sits there. */
  g_clear_pointer (&u, kaigi_utterance_free);
  speak (f, f->pids[VENUE], "awb", "Is there any objection to this plan?");
  u = last_utterance (f, &n);
  g_assert_cmpuint (n, ==, 2);
  g_assert_cmpint (u->speaker, ==, 1);
  g_assert_cmpstr (u->speaker_name, ==, "金子");
  g_assert_cmpstr (u->venue, ==, "本会場");

  /* The floor given to someone in the main venue names them. */
  say (f, CHAIR, "{\"type\":\"floor\",\"roster\":4}");
  g_clear_pointer (&u, kaigi_utterance_free);
  speak (f, f->pids[VENUE], "slt", "Thank you for the question.");
  u = last_utterance (f, &n);
  g_assert_cmpuint (n, ==, 3);
  g_assert_cmpint (u->speaker, ==, 4);
  g_assert_cmpstr (u->speaker_name, ==, "石井");
  g_assert_cmpstr (u->venue, ==, "本会場");

  /* A closed session (非公開): minuted and marked; the members see the caption, the public
   * viewer and the public captions get nothing. */
  say (f, CHAIR, "{\"type\":\"state\",\"to\":\"closed\"}");
  g_assert_cmpint (kaigi_room_state (f->room), ==, KAIGI_MEETING_CLOSED);
  guint viewer_before = count_of (&f->clients[VIEWER], "\"caption\"");
  g_clear_pointer (&u, kaigi_utterance_free);
  speak (f, f->pids[MEMBER], "rms", "The number of visitors to the museum increased.");
  u = last_utterance (f, &n);
  g_assert_cmpuint (n, ==, 4);
  g_assert_false (u->is_public);
  g_assert_nonnull (strstr (u->text, "museum"));
  cap = client_last_of (&f->clients[MEMBER], "caption");
  g_assert_false (json_object_get_boolean_member (cap, "public"));
  g_assert_cmpstr (json_object_get_string_member (cap, "text"), ==, u->text);
  g_assert_cmpuint (count_of (&f->clients[VIEWER], "\"caption\""), ==, viewer_before);
  pub = kaigi_room_public_captions (f->room, 0);
  g_assert_false (json_object_get_boolean_member (pub, "live"));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (pub, "captions")), ==, 0);
  g_clear_pointer (&pub, json_object_unref);

  /* In recess nothing is minuted. */
  say (f, CHAIR, "{\"type\":\"state\",\"to\":\"recess\"}");
  {
    g_autoptr (KaigiVadSegment) s = spoken ("rms", "Coffee is ready.", f->dir);
    kaigi_room_speech (kaigi_room_find (f->room, f->pids[MEMBER]), s);
    g_assert_cmpuint (kaigi_asr_backlog (f->asr), ==, 0);
  }
  /* Public again: the earlier public captions are there again, the closed one never. */
  say (f, CHAIR, "{\"type\":\"state\",\"to\":\"public\"}");
  /* An utterance that began before the return to public (in recess) is not public. */
  {
    g_autoptr (KaigiVadSegment) s = spoken ("rms", "The meeting will resume.", f->dir);
    g_clear_pointer (&u, kaigi_utterance_free);
    s->audio_us -= 2 * G_USEC_PER_SEC;
    kaigi_room_speech (kaigi_room_find (f->room, f->pids[MEMBER]), s);
    wait_recognised (f);
    u = last_utterance (f, &n);
    g_assert_cmpuint (n, ==, 5);
    g_assert_false (u->is_public);
  }
  pub = kaigi_room_public_captions (f->room, 0);
  g_assert_true (json_object_get_boolean_member (pub, "live"));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (pub, "captions")), ==, 3);
  for (guint i = 0; i < 3; i++) {
    JsonObject *c
        = json_array_get_object_element (json_object_get_array_member (pub, "captions"), i);
    g_assert_null (strstr (json_object_get_string_member (c, "text"), "museum"));
  }
  f_free (f);
}

/* Metadata that is not ours is refused, not stored half-filled. */
static void
test_bad_meta (void)
{
  const char *bad[] = { "", "[]", "{\"meeting\":7}", "{\"start_us\":5}", "not json" };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++) {
    g_autoptr (GError) error = NULL;
    gint64 meeting = 0;
    g_autoptr (KaigiUtterance) u
        = kaigi_room_utterance_from_meta (bad[i], "text", 1.0, &meeting, &error);
    g_assert_null (u);
    g_assert_nonnull (error);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/minutes/attribution-and-gate", test_attribution_and_gate);
  g_test_add_func ("/minutes/bad-meta", test_bad_meta);
  return g_test_run ();
}
