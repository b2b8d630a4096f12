/* test-utterances.c: the minutes in the store: a history row for every change, merge and split
 * keeping times and history, confirmation by the speaker only, retraction, the public copy
 * leaving closed and retracted statements out, and the draft's state transitions. */
#include <glib/gstdio.h>

#include "kaigi-error.h"
#include "record.h"
#include "store.h"

typedef struct {
  char *dir, *path;
  KaigiStore *store;
  gint64 meeting, item, chair, member;
} Fixture;

static void
setup (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (KaigiMeeting) m = NULL;

  f->dir = g_dir_make_tmp ("kaigi-utterances-XXXXXX", NULL);
  f->path = g_build_filename (f->dir, "kaigi.db", NULL);
  f->store = kaigi_store_open (f->path, &error);
  g_assert_no_error (error);
  f->meeting = kaigi_store_ensure_demo_meeting (f->store, "第1回 検討会", &error);
  g_assert_no_error (error);
  m = kaigi_store_meeting_load (f->store, f->meeting, &error);
  f->item = ((KaigiAgendaItem *)g_ptr_array_index (m->agenda, 0))->id;
  f->chair = ((KaigiRosterEntry *)g_ptr_array_index (m->roster, 0))->id;
  f->member = ((KaigiRosterEntry *)g_ptr_array_index (m->roster, 1))->id;
}

static void
teardown (Fixture *f, gconstpointer data)
{
  kaigi_store_free (f->store);
  g_unlink (f->path);
  g_free (f->path);
  g_free (f->dir);
}

static gint64
add (Fixture *f, gint64 speaker, gint64 start_s, gint64 end_s, const char *text, gboolean pub)
{
  g_autoptr (KaigiUtterance) u = kaigi_utterance_new ();
  g_autoptr (GError) error = NULL;
  gint64 id;

  u->item = f->item;
  u->speaker = speaker;
  g_free (u->speaker_name);
  u->speaker_name = g_strdup (speaker == f->chair ? "山田 太郎" : "佐藤 花子");
  u->start_us = start_s * G_USEC_PER_SEC;
  u->end_us = end_s * G_USEC_PER_SEC;
  g_free (u->text);
  u->text = g_strdup (text);
  u->is_public = pub;
  id = kaigi_store_utterance_add (f->store, f->meeting, u, &error);
  g_assert_no_error (error);
  return id;
}

static JsonArray *
history (Fixture *f, gint64 id, JsonNode **keep)
{
  g_autoptr (GError) error = NULL;

  *keep = kaigi_store_utterance_history_json (f->store, id, &error);
  g_assert_no_error (error);
  return json_node_get_array (*keep);
}

static const char *
row (JsonArray *a, guint i, const char *member)
{
  return json_object_get_string_member (json_array_get_object_element (a, i), member);
}

static KaigiUtterance *
get (Fixture *f, gint64 id)
{
  g_autoptr (GError) error = NULL;
  KaigiUtterance *u = kaigi_store_utterance_get (f->store, id, &error);

  g_assert_no_error (error);
  return u;
}

static void
test_edit_history (Fixture *f, gconstpointer data)
{
  gint64 id = add (f, f->member, 100, 110, "予約の電話がつながりにくい。", TRUE);
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) keep = NULL;
  g_autoptr (KaigiUtterance) u = NULL;
  JsonArray *h;

  g_assert_true (kaigi_store_utterance_set_text (
      f->store, id, "a1", "予約の電話がつながりにくいという声があります。", &error));
  g_assert_true (kaigi_store_utterance_set_speaker (f->store, id, "a1", f->chair, NULL, &error));
  g_assert_no_error (error);
  h = history (f, id, &keep);
  g_assert_cmpuint (json_array_get_length (h), ==, 3);
  g_assert_cmpstr (row (h, 0, "field"), ==, "text");
  g_assert_cmpstr (row (h, 0, "who"), ==, "a1");
  g_assert_cmpstr (row (h, 0, "old"), ==, "予約の電話がつながりにくい。");
  g_assert_cmpstr (row (h, 0, "new"), ==, "予約の電話がつながりにくいという声があります。");
  g_assert_cmpstr (row (h, 1, "field"), ==, "state");
  g_assert_cmpstr (row (h, 1, "new"), ==, "edited");
  g_assert_cmpstr (row (h, 2, "field"), ==, "speaker");
  g_assert_nonnull (strstr (row (h, 2, "new"), "山田 太郎"));
  u = get (f, id);
  g_assert_cmpint (u->state, ==, KAIGI_UTTERANCE_EDITED);
  g_assert_cmpint (u->speaker, ==, f->chair);
  g_assert_cmpstr (u->speaker_name, ==, "山田 太郎");
  /* An unknown utterance or a speaker of another meeting is refused. */
  g_assert_false (kaigi_store_utterance_set_text (f->store, id + 99, "a1", "x", &error));
  g_assert_error (error, KAIGI_ERROR, KAIGI_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (kaigi_store_utterance_set_speaker (f->store, id, "a1", 9999, NULL, &error));
  g_assert_error (error, KAIGI_ERROR, KAIGI_ERROR_NOT_FOUND);
}

static void
test_merge_split (Fixture *f, gconstpointer data)
{
  gint64 a = add (f, f->member, 100, 104, "前半の発言です。", TRUE);
  gint64 b = add (f, f->member, 105, 110, "後半の発言です。", TRUE);
  gint64 c = add (f, f->member, 120, 130, "別の発言。", TRUE);
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) keep = NULL;
  g_autoptr (JsonNode) keep2 = NULL;
  g_autoptr (KaigiUtterance) merged = NULL;
  g_autoptr (KaigiUtterance) head = NULL;
  g_autoptr (KaigiUtterance) tail = NULL;
  JsonArray *h;
  gint64 second;

  g_assert_true (kaigi_store_utterance_set_text (f->store, b, "a1", "後半の発言でした。", &error));
  /* Not next to each other: a and c have b between them. */
  g_assert_false (kaigi_store_utterance_merge (f->store, a, c, "a1", &error));
  g_assert_error (error, KAIGI_ERROR, KAIGI_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (kaigi_store_utterance_merge (f->store, b, a, "a1", &error));
  g_clear_error (&error);
  g_assert_true (kaigi_store_utterance_merge (f->store, a, b, "a1", &error));
  g_assert_no_error (error);
  merged = get (f, a);
  g_assert_cmpstr (merged->text, ==, "前半の発言です。後半の発言でした。");
  g_assert_cmpint (merged->start_us, ==, 100 * G_USEC_PER_SEC);
  g_assert_cmpint (merged->end_us, ==, 110 * G_USEC_PER_SEC);
  g_assert_null (kaigi_store_utterance_get (f->store, b, &error));
  g_clear_error (&error);
  /* b's history (its edit) moved to a, then the merge itself. */
  h = history (f, a, &keep);
  g_assert_cmpstr (row (h, 0, "field"), ==, "text");
  g_assert_cmpstr (row (h, 0, "new"), ==, "後半の発言でした。");
  g_assert_cmpstr (row (h, 2, "field"), ==, "merge");

  /* Split at 8 characters: 前半の発言です。 | 後半の発言でした。 (8 + 9 characters). */
  second = kaigi_store_utterance_split (f->store, a, 8, "a2", &error);
  g_assert_no_error (error);
  head = get (f, a);
  tail = get (f, second);
  g_assert_cmpstr (head->text, ==, "前半の発言です。");
  g_assert_cmpstr (tail->text, ==, "後半の発言でした。");
  g_assert_cmpint (head->start_us, ==, 100 * G_USEC_PER_SEC);
  g_assert_cmpint (head->end_us, ==, tail->start_us);
  g_assert_cmpint (tail->start_us, ==, 100 * G_USEC_PER_SEC + 10 * G_USEC_PER_SEC * 8 / 17);
  g_assert_cmpint (tail->end_us, ==, 110 * G_USEC_PER_SEC);
  g_assert_cmpint (tail->speaker, ==, f->member);
  /* The new part carries the history it came from, then its own split row. */
  h = history (f, second, &keep2);
  g_assert_cmpstr (row (h, 0, "new"), ==, "後半の発言でした。");
  g_assert_cmpstr (row (h, json_array_get_length (h) - 1, "field"), ==, "split");
  g_assert_false (kaigi_store_utterance_split (f->store, a, 0, "a2", &error) > 0);
  g_assert_error (error, KAIGI_ERROR, KAIGI_ERROR_INVALID);
  (void)c;
}

static void
test_confirm_retract (Fixture *f, gconstpointer data)
{
  gint64 id = add (f, f->member, 100, 110, "賛成します。", TRUE);
  g_autoptr (GError) error = NULL;
  g_autoptr (KaigiUtterance) u = NULL;
  g_autoptr (KaigiUtterance) after_edit = NULL;
  g_autoptr (JsonNode) keep = NULL;
  g_autofree char *who = g_strdup_printf ("r%" G_GINT64_FORMAT, f->member);
  JsonArray *h;

  /* Someone else, even the chair, cannot confirm a member's statement. */
  g_assert_false (kaigi_store_utterance_confirm (f->store, id, f->chair, &error));
  g_assert_error (error, KAIGI_ERROR, KAIGI_ERROR_FORBIDDEN);
  g_clear_error (&error);
  g_assert_true (kaigi_store_utterance_confirm (f->store, id, f->member, &error));
  u = get (f, id);
  g_assert_cmpint (u->state, ==, KAIGI_UTTERANCE_CONFIRMED);
  g_assert_cmpint (u->confirmed_by, ==, f->member);
  g_assert_cmpint (u->confirmed_at_us, >, 0);
  /* An edit afterwards voids the confirmation. */
  g_assert_true (kaigi_store_utterance_set_text (f->store, id, "a1", "賛成いたします。", &error));
  after_edit = get (f, id);
  g_assert_cmpint (after_edit->state, ==, KAIGI_UTTERANCE_EDITED);
  g_assert_cmpint (after_edit->confirmed_by, ==, 0);
  g_assert_true (kaigi_store_utterance_retract (f->store, id, "r1", TRUE, &error));
  g_assert_no_error (error);
  h = history (f, id, &keep);
  g_assert_cmpstr (row (h, 0, "field"), ==, "state");
  g_assert_cmpstr (row (h, 0, "new"), ==, "confirmed");
  g_assert_cmpstr (row (h, 0, "who"), ==, who);
  g_assert_cmpstr (row (h, json_array_get_length (h) - 1, "field"), ==, "retracted");
  g_assert_cmpstr (row (h, json_array_get_length (h) - 1, "new"), ==, "1");
}

static void
test_public_copy (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (KaigiRecord) full = NULL;
  g_autoptr (KaigiRecord) pub = NULL;
  gint64 retracted;

  add (f, f->chair, 100, 110, "公開の発言。", TRUE);
  add (f, f->member, 120, 130, "非公開の発言その1。", FALSE);
  add (f, f->chair, 131, 140, "非公開の発言その2。", FALSE);
  retracted = add (f, f->member, 150, 160, "取り消す発言。", TRUE);
  add (f, f->chair, 170, 180, "公開に戻ります。", TRUE);
  g_assert_true (kaigi_store_utterance_retract (f->store, retracted, "a1", TRUE, &error));
  full = kaigi_record_load (f->store, f->meeting, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (full->utterances->len, ==, 5);
  g_assert_cmpint (full->visibility, ==, KAIGI_VISIBILITY_PARTLY_CLOSED);
  g_assert_false (full->omissions);
  pub = kaigi_record_load (f->store, f->meeting, TRUE, &error);
  g_assert_no_error (error);
  g_assert_true (pub->omissions);
  /* 公開, one placeholder for both closed statements, one for the retracted, 公開. */
  g_assert_cmpuint (pub->utterances->len, ==, 4);
  g_assert_cmpint (((KaigiUtterance *)pub->utterances->pdata[1])->omitted, ==, KAIGI_OMIT_CLOSED);
  g_assert_cmpstr (((KaigiUtterance *)pub->utterances->pdata[1])->text, ==, "");
  g_assert_cmpint (((KaigiUtterance *)pub->utterances->pdata[2])->omitted, ==,
                   KAIGI_OMIT_RETRACTED);
  g_assert_cmpstr (((KaigiUtterance *)pub->utterances->pdata[3])->text, ==, "公開に戻ります。");
}

static void
test_draft_states (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *note = NULL;
  KaigiDraftState state;
  gint64 published_at;
  gint64 id = add (f, f->member, 100, 110, "発言。", TRUE);

  g_assert_true (
      kaigi_store_draft_get (f->store, f->meeting, &state, &published_at, &note, &error));
  g_assert_cmpint (state, ==, KAIGI_DRAFT_DRAFT);
  g_assert_false (
      kaigi_store_draft_set_state (f->store, f->meeting, KAIGI_DRAFT_PUBLISHED, NULL, &error));
  g_assert_error (error, KAIGI_ERROR, KAIGI_ERROR_STATE);
  g_clear_error (&error);
  g_assert_true (
      kaigi_store_draft_set_state (f->store, f->meeting, KAIGI_DRAFT_REVIEW, NULL, &error));
  g_assert_true (
      kaigi_store_draft_set_state (f->store, f->meeting, KAIGI_DRAFT_DRAFT, NULL, &error));
  g_assert_true (
      kaigi_store_draft_set_state (f->store, f->meeting, KAIGI_DRAFT_REVIEW, NULL, &error));
  g_assert_true (kaigi_store_utterance_confirm (f->store, id, f->member, &error));
  g_assert_true (kaigi_store_draft_set_state (f->store, f->meeting, KAIGI_DRAFT_PUBLISHED,
                                              "議題2の一部は非公開です。", &error));
  g_assert_no_error (error);
  g_clear_pointer (&note, g_free);
  g_assert_true (
      kaigi_store_draft_get (f->store, f->meeting, &state, &published_at, &note, &error));
  g_assert_cmpint (state, ==, KAIGI_DRAFT_PUBLISHED);
  g_assert_cmpint (published_at, >, 0);
  g_assert_cmpstr (note, ==, "議題2の一部は非公開です。");
  /* Published is final: no edits, no new statements, no way back. */
  g_assert_false (kaigi_store_utterance_set_text (f->store, id, "a1", "改変", &error));
  g_assert_error (error, KAIGI_ERROR, KAIGI_ERROR_STATE);
  g_clear_error (&error);
  g_assert_false (
      kaigi_store_draft_set_state (f->store, f->meeting, KAIGI_DRAFT_REVIEW, NULL, &error));
  g_assert_error (error, KAIGI_ERROR, KAIGI_ERROR_STATE);
  g_clear_error (&error);
  g_assert_false (kaigi_store_draft_get (f->store, 9999, &state, NULL, NULL, &error));
  g_assert_error (error, KAIGI_ERROR, KAIGI_ERROR_NOT_FOUND);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/utterances/edit-history", Fixture, NULL, setup, test_edit_history, teardown);
  g_test_add ("/utterances/merge-split", Fixture, NULL, setup, test_merge_split, teardown);
  g_test_add ("/utterances/confirm-retract", Fixture, NULL, setup, test_confirm_retract, teardown);
  g_test_add ("/utterances/public-copy", Fixture, NULL, setup, test_public_copy, teardown);
  g_test_add ("/utterances/draft-states", Fixture, NULL, setup, test_draft_states, teardown);
  return g_test_run ();
}
