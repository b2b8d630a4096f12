/* store-utterances.c: the minutes in the store: utterances, the history of every change to
 * them, and the state of each meeting's minutes draft (utterance.h has the diagram).
 *
 * Why a history table and not versioned rows: the record that matters is the current text;
 * the history answers "who changed what, when" (the secretariat's edits, merges and splits,
 * a member's confirmation, a retraction) and is only read on the review page. Each change and
 * its history rows are one transaction. Once the draft is published nothing changes.
 * Main thread only. */
#define G_LOG_DOMAIN "kaigi-store"

#include "store-private.h"

#define UTTERANCE_COLUMNS                                                                          \
  "id, meeting_id, item_id, speaker_id, speaker_name, venue, start_us, end_us, media_us, text, "   \
  "confidence, public, retracted, state, confirmed_by, confirmed_at_us"

static KaigiUtterance *
utterance_from_row (sqlite3_stmt *st, gint64 *meeting_id)
{
  KaigiUtterance *u = kaigi_utterance_new ();

  u->id = sqlite3_column_int64 (st, 0);
  if (meeting_id)
    *meeting_id = sqlite3_column_int64 (st, 1);
  u->item = sqlite3_column_int64 (st, 2);
  u->speaker = sqlite3_column_int64 (st, 3);
  g_free (u->speaker_name);
  u->speaker_name = kaigi_store_column_dup (st, 4);
  g_free (u->venue);
  u->venue = kaigi_store_column_dup (st, 5);
  u->start_us = sqlite3_column_int64 (st, 6);
  u->end_us = sqlite3_column_int64 (st, 7);
  u->media_us = sqlite3_column_int64 (st, 8);
  g_free (u->text);
  u->text = kaigi_store_column_dup (st, 9);
  u->confidence = sqlite3_column_double (st, 10);
  u->is_public = sqlite3_column_int (st, 11) != 0;
  u->retracted = sqlite3_column_int (st, 12) != 0;
  if (!kaigi_utterance_state_from_string ((const char *)sqlite3_column_text (st, 13), &u->state))
    u->state = KAIGI_UTTERANCE_TRANSCRIBED;
  u->confirmed_by = sqlite3_column_int64 (st, 14);
  u->confirmed_at_us = sqlite3_column_int64 (st, 15);
  return u;
}

static KaigiUtterance *
load_one (KaigiStore *s, gint64 id, gint64 *meeting_id, GError **error)
{
  g_autoptr (sqlite3_stmt) st
      = kaigi_store_prepare (s, "SELECT " UTTERANCE_COLUMNS " FROM utterance WHERE id = ?", error);

  if (!st)
    return NULL;
  sqlite3_bind_int64 (st, 1, id);
  if (sqlite3_step (st) != SQLITE_ROW) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_NOT_FOUND, "no utterance %" G_GINT64_FORMAT, id);
    return NULL;
  }
  return utterance_from_row (st, meeting_id);
}

KaigiUtterance *
kaigi_store_utterance_get (KaigiStore *s, gint64 id, GError **error)
{
  return load_one (s, id, NULL, error);
}

/* ---- the draft ---- */

gboolean
kaigi_store_draft_get (KaigiStore *s, gint64 meeting_id, KaigiDraftState *state,
                       gint64 *published_at_us, char **public_note, GError **error)
{
  KaigiMeetingState ms;
  g_autoptr (sqlite3_stmt) st = NULL;

  if (!kaigi_store_meeting_state (s, meeting_id, &ms, error))
    return FALSE;
  st = kaigi_store_prepare (
      s, "SELECT state, published_at_us, public_note FROM minutes_draft WHERE meeting_id = ?",
      error);
  if (!st)
    return FALSE;
  sqlite3_bind_int64 (st, 1, meeting_id);
  *state = KAIGI_DRAFT_DRAFT;
  if (published_at_us)
    *published_at_us = 0;
  if (public_note)
    *public_note = g_strdup ("");
  if (sqlite3_step (st) != SQLITE_ROW)
    return TRUE;
  kaigi_draft_state_from_string ((const char *)sqlite3_column_text (st, 0), state);
  if (published_at_us)
    *published_at_us = sqlite3_column_int64 (st, 1);
  if (public_note) {
    g_free (*public_note);
    *public_note = kaigi_store_column_dup (st, 2);
  }
  return TRUE;
}

static gboolean
draft_transition_allowed (KaigiDraftState from, KaigiDraftState to)
{
  return (from == KAIGI_DRAFT_DRAFT && to == KAIGI_DRAFT_REVIEW)
         || (from == KAIGI_DRAFT_REVIEW
             && (to == KAIGI_DRAFT_DRAFT || to == KAIGI_DRAFT_PUBLISHED));
}

gboolean
kaigi_store_draft_set_state (KaigiStore *s, gint64 meeting_id, KaigiDraftState state,
                             const char *public_note, GError **error)
{
  KaigiDraftState from;
  g_autofree char *note = NULL;
  g_autoptr (sqlite3_stmt) st = NULL;

  if (!kaigi_store_draft_get (s, meeting_id, &from, NULL, &note, error))
    return FALSE;
  if (!draft_transition_allowed (from, state)) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_STATE,
                 "minutes of meeting %" G_GINT64_FORMAT " cannot go from %s to %s", meeting_id,
                 kaigi_draft_state_to_string (from), kaigi_draft_state_to_string (state));
    return FALSE;
  }
  st = kaigi_store_prepare (s,
                            "INSERT OR REPLACE INTO minutes_draft (meeting_id, state, "
                            "published_at_us, public_note) VALUES (?, ?, ?, ?)",
                            error);
  if (!st)
    return FALSE;
  sqlite3_bind_int64 (st, 1, meeting_id);
  sqlite3_bind_text (st, 2, kaigi_draft_state_to_string (state), -1, SQLITE_STATIC);
  sqlite3_bind_int64 (st, 3, state == KAIGI_DRAFT_PUBLISHED ? g_get_real_time () : 0);
  sqlite3_bind_text (st, 4, public_note ? public_note : note, -1, SQLITE_TRANSIENT);
  return kaigi_store_step_done (s, st, "set draft state", error);
}

/* FALSE with KAIGI_ERROR_STATE once the minutes of @meeting_id are published. */
static gboolean
require_unpublished (KaigiStore *s, gint64 meeting_id, GError **error)
{
  KaigiDraftState state;

  if (!kaigi_store_draft_get (s, meeting_id, &state, NULL, NULL, error))
    return FALSE;
  if (state == KAIGI_DRAFT_PUBLISHED) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_STATE,
                 "minutes of meeting %" G_GINT64_FORMAT " are published", meeting_id);
    return FALSE;
  }
  return TRUE;
}

/* The utterance @id for a change: loaded, its meeting unpublished, a transaction begun. */
static KaigiUtterance *
begin_change (KaigiStore *s, gint64 id, gint64 *meeting_id, GError **error)
{
  g_autoptr (KaigiUtterance) u = load_one (s, id, meeting_id, error);

  if (!u || !require_unpublished (s, *meeting_id, error) || !kaigi_store_begin (s, error))
    return NULL;
  return g_steal_pointer (&u);
}

static gboolean
add_history (KaigiStore *s, gint64 id, const char *who, const char *field, const char *old,
             const char *new_value, GError **error)
{
  g_autoptr (sqlite3_stmt) st
      = kaigi_store_prepare (s,
                             "INSERT INTO utterance_history (utterance_id, at_us, who, field, "
                             "old, new) VALUES (?, ?, ?, ?, ?, ?)",
                             error);

  if (!st)
    return FALSE;
  sqlite3_bind_int64 (st, 1, id);
  sqlite3_bind_int64 (st, 2, g_get_real_time ());
  sqlite3_bind_text (st, 3, who ? who : "", -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (st, 4, field, -1, SQLITE_STATIC);
  sqlite3_bind_text (st, 5, old, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (st, 6, new_value, -1, SQLITE_TRANSIENT);
  return kaigi_store_step_done (s, st, "add history", error);
}

/* Writes @u's mutable columns back. */
static gboolean
save (KaigiStore *s, const KaigiUtterance *u, GError **error)
{
  g_autoptr (sqlite3_stmt) st = kaigi_store_prepare (
      s,
      "UPDATE utterance SET speaker_id = ?, speaker_name = ?, start_us = ?, end_us = ?, "
      "text = ?, retracted = ?, state = ?, confirmed_by = ?, confirmed_at_us = ? WHERE id = ?",
      error);

  if (!st)
    return FALSE;
  if (u->speaker)
    sqlite3_bind_int64 (st, 1, u->speaker);
  sqlite3_bind_text (st, 2, u->speaker_name, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (st, 3, u->start_us);
  sqlite3_bind_int64 (st, 4, u->end_us);
  sqlite3_bind_text (st, 5, u->text, -1, SQLITE_STATIC);
  sqlite3_bind_int (st, 6, !!u->retracted);
  sqlite3_bind_text (st, 7, kaigi_utterance_state_to_string (u->state), -1, SQLITE_STATIC);
  if (u->confirmed_by)
    sqlite3_bind_int64 (st, 8, u->confirmed_by);
  sqlite3_bind_int64 (st, 9, u->confirmed_at_us);
  sqlite3_bind_int64 (st, 10, u->id);
  return kaigi_store_step_done (s, st, "update utterance", error);
}

/* The secretariat edited @u: a confirmation no longer holds. Adds the state's history row. */
static gboolean
mark_edited (KaigiStore *s, KaigiUtterance *u, const char *who, GError **error)
{
  const char *old = kaigi_utterance_state_to_string (u->state);

  if (u->state == KAIGI_UTTERANCE_EDITED)
    return TRUE;
  u->state = KAIGI_UTTERANCE_EDITED;
  u->confirmed_by = 0;
  u->confirmed_at_us = 0;
  return add_history (s, u->id, who, "state", old, "edited", error);
}

static gboolean
finish (KaigiStore *s, gboolean ok, GError **error)
{
  if (!ok)
    return kaigi_store_rollback (s);
  return kaigi_store_commit (s, error);
}

/* ---- adding and editing ---- */

/* FALSE with KAIGI_ERROR_NOT_FOUND unless @roster_id is on the roster of @meeting_id. */
static gboolean
roster_check (KaigiStore *s, gint64 meeting_id, gint64 roster_id, char **name, GError **error)
{
  g_autoptr (sqlite3_stmt) st
      = kaigi_store_prepare (s, "SELECT name FROM roster WHERE id = ? AND meeting_id = ?", error);

  if (!st)
    return FALSE;
  sqlite3_bind_int64 (st, 1, roster_id);
  sqlite3_bind_int64 (st, 2, meeting_id);
  if (sqlite3_step (st) != SQLITE_ROW) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_NOT_FOUND,
                 "no roster entry %" G_GINT64_FORMAT " in meeting %" G_GINT64_FORMAT, roster_id,
                 meeting_id);
    return FALSE;
  }
  if (name)
    *name = kaigi_store_column_dup (st, 0);
  return TRUE;
}

gint64
kaigi_store_utterance_add (KaigiStore *s, gint64 meeting_id, const KaigiUtterance *u,
                           GError **error)
{
  g_autoptr (sqlite3_stmt) st = NULL;

  if (!require_unpublished (s, meeting_id, error)
      || (u->item && !kaigi_store_item_check (s, meeting_id, u->item, error))
      || (u->speaker && !roster_check (s, meeting_id, u->speaker, NULL, error)))
    return -1;
  st = kaigi_store_prepare (s,
                            "INSERT INTO utterance (meeting_id, item_id, speaker_id, speaker_name, "
                            "venue, start_us, end_us, media_us, text, confidence, public, "
                            "retracted) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                            error);
  if (!st)
    return -1;
  sqlite3_bind_int64 (st, 1, meeting_id);
  if (u->item)
    sqlite3_bind_int64 (st, 2, u->item);
  if (u->speaker)
    sqlite3_bind_int64 (st, 3, u->speaker);
  sqlite3_bind_text (st, 4, u->speaker_name ? u->speaker_name : "", -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (st, 5, u->venue ? u->venue : "", -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (st, 6, u->start_us);
  sqlite3_bind_int64 (st, 7, MAX (u->end_us, u->start_us));
  sqlite3_bind_int64 (st, 8, u->media_us);
  sqlite3_bind_text (st, 9, u->text ? u->text : "", -1, SQLITE_TRANSIENT);
  sqlite3_bind_double (st, 10, u->confidence);
  sqlite3_bind_int (st, 11, !!u->is_public);
  sqlite3_bind_int (st, 12, !!u->retracted);
  if (!kaigi_store_step_done (s, st, "add utterance", error))
    return -1;
  return sqlite3_last_insert_rowid (s->db);
}

gboolean
kaigi_store_utterance_set_text (KaigiStore *s, gint64 id, const char *who, const char *text,
                                GError **error)
{
  gint64 meeting_id;
  g_autoptr (KaigiUtterance) u = begin_change (s, id, &meeting_id, error);
  gboolean ok;

  if (!u)
    return FALSE;
  ok = add_history (s, id, who, "text", u->text, text, error);
  g_free (u->text);
  u->text = g_strdup (text);
  ok = ok && mark_edited (s, u, who, error) && save (s, u, error);
  return finish (s, ok, error);
}

gboolean
kaigi_store_utterance_set_speaker (KaigiStore *s, gint64 id, const char *who, gint64 roster_id,
                                   const char *name, GError **error)
{
  gint64 meeting_id;
  g_autoptr (KaigiUtterance) u = begin_change (s, id, &meeting_id, error);
  g_autofree char *roster_name = NULL;
  g_autofree char *old = NULL;
  g_autofree char *new_value = NULL;
  gboolean ok;

  if (!u)
    return FALSE;
  if (roster_id && !roster_check (s, meeting_id, roster_id, &roster_name, error))
    return kaigi_store_rollback (s);
  old = g_strdup_printf ("%" G_GINT64_FORMAT " %s", u->speaker, u->speaker_name);
  u->speaker = roster_id;
  g_free (u->speaker_name);
  u->speaker_name = g_strdup (name ? name : roster_name ? roster_name : "");
  new_value = g_strdup_printf ("%" G_GINT64_FORMAT " %s", u->speaker, u->speaker_name);
  ok = add_history (s, id, who, "speaker", old, new_value, error) && mark_edited (s, u, who, error)
       && save (s, u, error);
  return finish (s, ok, error);
}

gboolean
kaigi_store_utterance_retract (KaigiStore *s, gint64 id, const char *who, gboolean retracted,
                               GError **error)
{
  gint64 meeting_id;
  g_autoptr (KaigiUtterance) u = begin_change (s, id, &meeting_id, error);
  gboolean ok;

  if (!u)
    return FALSE;
  ok = add_history (s, id, who, "retracted", u->retracted ? "1" : "0", retracted ? "1" : "0",
                    error);
  u->retracted = retracted;
  return finish (s, ok && save (s, u, error), error);
}

gboolean
kaigi_store_utterance_confirm (KaigiStore *s, gint64 id, gint64 roster_id, GError **error)
{
  gint64 meeting_id;
  g_autoptr (KaigiUtterance) u = begin_change (s, id, &meeting_id, error);
  g_autofree char *who = g_strdup_printf ("r%" G_GINT64_FORMAT, roster_id);
  gboolean ok;

  if (!u)
    return FALSE;
  if (!u->speaker || u->speaker != roster_id) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_FORBIDDEN,
                 "utterance %" G_GINT64_FORMAT
                 " is not a statement of roster entry %" G_GINT64_FORMAT,
                 id, roster_id);
    return kaigi_store_rollback (s);
  }
  ok = add_history (s, id, who, "state", kaigi_utterance_state_to_string (u->state), "confirmed",
                    error);
  u->state = KAIGI_UTTERANCE_CONFIRMED;
  u->confirmed_by = roster_id;
  u->confirmed_at_us = g_get_real_time ();
  return finish (s, ok && save (s, u, error), error);
}

/* ---- merging and splitting ---- */

/* TRUE if no other utterance of the meeting starts between @a and @b (in time order). */
static gboolean
adjacent (KaigiStore *s, gint64 meeting_id, const KaigiUtterance *a, const KaigiUtterance *b,
          GError **error)
{
  g_autoptr (sqlite3_stmt) st = kaigi_store_prepare (
      s,
      "SELECT count(*) FROM utterance WHERE meeting_id = ? AND id NOT IN (?, ?) AND "
      "(start_us, id) > (?, ?) AND (start_us, id) < (?, ?)",
      error);

  if (!st)
    return FALSE;
  sqlite3_bind_int64 (st, 1, meeting_id);
  sqlite3_bind_int64 (st, 2, a->id);
  sqlite3_bind_int64 (st, 3, b->id);
  sqlite3_bind_int64 (st, 4, a->start_us);
  sqlite3_bind_int64 (st, 5, a->id);
  sqlite3_bind_int64 (st, 6, b->start_us);
  sqlite3_bind_int64 (st, 7, b->id);
  if (sqlite3_step (st) != SQLITE_ROW)
    return kaigi_store_fail (s, error, "adjacent");
  if (sqlite3_column_int64 (st, 0) == 0
      && (a->start_us < b->start_us || (a->start_us == b->start_us && a->id < b->id)))
    return TRUE;
  g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_INVALID,
               "utterances %" G_GINT64_FORMAT " and %" G_GINT64_FORMAT
               " are not next to each other",
               a->id, b->id);
  return FALSE;
}

static gboolean
move_history_and_delete (KaigiStore *s, gint64 from, gint64 to, GError **error)
{
  g_autoptr (sqlite3_stmt) move = kaigi_store_prepare (
      s, "UPDATE utterance_history SET utterance_id = ? WHERE utterance_id = ?", error);
  g_autoptr (sqlite3_stmt) del = NULL;

  if (!move)
    return FALSE;
  sqlite3_bind_int64 (move, 1, to);
  sqlite3_bind_int64 (move, 2, from);
  if (!kaigi_store_step_done (s, move, "move history", error)
      || !(del = kaigi_store_prepare (s, "DELETE FROM utterance WHERE id = ?", error)))
    return FALSE;
  sqlite3_bind_int64 (del, 1, from);
  return kaigi_store_step_done (s, del, "delete merged utterance", error);
}

gboolean
kaigi_store_utterance_merge (KaigiStore *s, gint64 first, gint64 second, const char *who,
                             GError **error)
{
  gint64 meeting_id, other_meeting = 0;
  g_autoptr (KaigiUtterance) b = load_one (s, second, &other_meeting, error);
  g_autoptr (KaigiUtterance) a = NULL;
  g_autofree char *merged = NULL;
  g_autofree char *ids = NULL;
  g_autofree char *old_end = NULL;
  g_autofree char *new_end = NULL;
  gboolean ok;

  if (!b || !(a = begin_change (s, first, &meeting_id, error)))
    return FALSE;
  if (other_meeting != meeting_id || !adjacent (s, meeting_id, a, b, error)) {
    if (other_meeting != meeting_id)
      g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_INVALID, "utterances of two meetings");
    return kaigi_store_rollback (s);
  }
  merged = g_strconcat (a->text, b->text, NULL);
  ids = g_strdup_printf ("%" G_GINT64_FORMAT "+%" G_GINT64_FORMAT, a->id, b->id);
  old_end = g_strdup_printf ("%" G_GINT64_FORMAT, a->end_us);
  a->end_us = MAX (a->end_us, b->end_us);
  new_end = g_strdup_printf ("%" G_GINT64_FORMAT, a->end_us);
  ok = move_history_and_delete (s, b->id, a->id, error)
       && add_history (s, a->id, who, "merge", ids, merged, error)
       && add_history (s, a->id, who, "end_us", old_end, new_end, error);
  g_free (a->text);
  a->text = g_steal_pointer (&merged);
  ok = ok && mark_edited (s, a, who, error) && save (s, a, error);
  return finish (s, ok, error);
}

static gint64
insert_copy (KaigiStore *s, gint64 meeting_id, const KaigiUtterance *u, GError **error)
{
  g_autoptr (sqlite3_stmt) st = kaigi_store_prepare (
      s,
      "INSERT INTO utterance_history (utterance_id, at_us, who, field, old, new) "
      "SELECT ?, at_us, who, field, old, new FROM utterance_history WHERE utterance_id = ? "
      "ORDER BY id",
      error);
  gint64 id;

  if (!st || (id = kaigi_store_utterance_add (s, meeting_id, u, error)) < 0)
    return -1;
  sqlite3_bind_int64 (st, 1, id);
  sqlite3_bind_int64 (st, 2, u->id);
  if (!kaigi_store_step_done (s, st, "copy history", error))
    return -1;
  return id;
}

gint64
kaigi_store_utterance_split (KaigiStore *s, gint64 id, glong offset, const char *who,
                             GError **error)
{
  gint64 meeting_id, second_id;
  g_autoptr (KaigiUtterance) u = begin_change (s, id, &meeting_id, error);
  g_autoptr (KaigiUtterance) tail = NULL;
  g_autofree char *whole = NULL;
  glong len;
  const char *cut;

  if (!u)
    return -1;
  len = g_utf8_strlen (u->text, -1);
  if (offset <= 0 || offset >= len) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_INVALID,
                 "offset: must be between 1 and %ld characters", len - 1);
    kaigi_store_rollback (s);
    return -1;
  }
  whole = g_strdup (u->text);
  cut = g_utf8_offset_to_pointer (whole, offset);
  tail = kaigi_utterance_copy (u);
  tail->start_us = u->start_us + (u->end_us - u->start_us) * offset / len;
  tail->media_us = u->media_us + (tail->start_us - u->start_us);
  g_free (tail->text);
  tail->text = g_strdup (cut);
  u->end_us = tail->start_us;
  g_free (u->text);
  u->text = g_strndup (whole, cut - whole);
  if ((second_id = insert_copy (s, meeting_id, tail, error)) < 0
      || !add_history (s, id, who, "split", whole, u->text, error)
      || !add_history (s, second_id, who, "split", whole, tail->text, error)
      || !mark_edited (s, u, who, error) || !save (s, u, error)) {
    kaigi_store_rollback (s);
    return -1;
  }
  tail->id = second_id;
  if (!mark_edited (s, tail, who, error) || !save (s, tail, error)
      || !kaigi_store_commit (s, error)) {
    kaigi_store_rollback (s);
    return -1;
  }
  return second_id;
}

/* ---- reading ---- */

GPtrArray *
kaigi_store_utterances_load (KaigiStore *s, gint64 meeting_id, GError **error)
{
  g_autoptr (GPtrArray) list
      = g_ptr_array_new_with_free_func ((GDestroyNotify)kaigi_utterance_free);
  g_autoptr (sqlite3_stmt) st = NULL;
  KaigiMeetingState state;
  int rc;

  if (!kaigi_store_meeting_state (s, meeting_id, &state, error))
    return NULL;
  st = kaigi_store_prepare (s,
                            "SELECT " UTTERANCE_COLUMNS " FROM utterance WHERE meeting_id = ? "
                            "ORDER BY start_us, id",
                            error);
  if (!st)
    return NULL;
  sqlite3_bind_int64 (st, 1, meeting_id);
  while ((rc = sqlite3_step (st)) == SQLITE_ROW)
    g_ptr_array_add (list, utterance_from_row (st, NULL));
  if (rc != SQLITE_DONE) {
    kaigi_store_fail (s, error, "load utterances");
    return NULL;
  }
  return g_steal_pointer (&list);
}

JsonNode *
kaigi_store_utterance_history_json (KaigiStore *s, gint64 id, GError **error)
{
  g_autoptr (KaigiUtterance) u = load_one (s, id, NULL, error);
  g_autoptr (sqlite3_stmt) st = NULL;
  g_autoptr (JsonArray) rows = json_array_new ();
  int rc;

  if (!u
      || !(st = kaigi_store_prepare (s,
                                     "SELECT at_us, who, field, old, new FROM utterance_history "
                                     "WHERE utterance_id = ? ORDER BY id",
                                     error)))
    return NULL;
  sqlite3_bind_int64 (st, 1, id);
  while ((rc = sqlite3_step (st)) == SQLITE_ROW) {
    JsonObject *o = json_object_new ();
    json_object_set_int_member (o, "at_us", sqlite3_column_int64 (st, 0));
    json_object_set_string_member (o, "who", (const char *)sqlite3_column_text (st, 1));
    json_object_set_string_member (o, "field", (const char *)sqlite3_column_text (st, 2));
    for (int col = 3; col <= 4; col++) {
      const char *v = (const char *)sqlite3_column_text (st, col);
      if (v)
        json_object_set_string_member (o, col == 3 ? "old" : "new", v);
      else
        json_object_set_null_member (o, col == 3 ? "old" : "new");
    }
    json_array_add_object_element (rows, o);
  }
  if (rc != SQLITE_DONE) {
    kaigi_store_fail (s, error, "load history");
    return NULL;
  }
  return json_node_init_array (json_node_alloc (), rows);
}
