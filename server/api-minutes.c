/* api-minutes.c: the minutes editor's routes (docs/meetings-api.md, "Minutes"): the draft with
 * its statements, agenda headings, roster and decisions; a statement's history; corrections
 * of one statement (text, speaker, merge with the next, split, retract), filler removal over
 * all of them, and the draft's state (draft → review → published).
 *
 * Why here and not in the store alone: a request names a meeting and a statement, and the
 * statement must belong to that meeting; a body is checked whole before anything changes, so
 * a bad request changes nothing. Every change goes through the store, which writes the
 * history row naming the signed-in account ("a<ID>") and refuses once the minutes are
 * published (409 `published`); clips follow merges and splits (api-clips.c). Review and
 * publication wait until the meeting is adjourned: until then recognition still adds
 * statements, which a published draft would refuse.
 * Thread: main loop only (small indexed SQLite statements on the main loop's connection). */
#include "api-private.h"

#include <string.h>

#include "fillers.h"
#include "kaigi-error.h"

#define TEXT_MAX_CHARS 20000
#define NAME_MAX_CHARS 64
#define NOTE_MAX_CHARS 500

/* ---- shared with api-review.c ---- */

void
kaigi_api_minutes_error (KaigiApi *api, KaigiHttpRequest *req, gint64 meeting, const GError *error)
{
  KaigiDraftState state = KAIGI_DRAFT_DRAFT;

  if (g_error_matches (error, KAIGI_ERROR, KAIGI_ERROR_STATE)) {
    kaigi_store_draft_get (api->ctx.store, meeting, &state, NULL, NULL, NULL);
    if (state == KAIGI_DRAFT_PUBLISHED)
      kaigi_api_reply_error (req, 409, "published",
                             "the minutes are published and can no longer be changed");
    else
      kaigi_api_reply_error (req, 409, "wrong-state", error->message);
    return;
  }
  kaigi_api_reply_gerror (req, error);
}

JsonObject *
kaigi_api_utterance_json (KaigiApi *api, gint64 meeting, const KaigiUtterance *u)
{
  JsonObject *o = json_object_new ();
  g_autofree char *clip = kaigi_rooms_clip_path (api->ctx.data_dir, meeting, u->id);

  json_object_set_int_member (o, "id", u->id);
  if (u->item)
    json_object_set_int_member (o, "item", u->item);
  else
    json_object_set_null_member (o, "item");
  if (u->speaker)
    json_object_set_int_member (o, "speaker", u->speaker);
  else
    json_object_set_null_member (o, "speaker");
  json_object_set_string_member (o, "speaker_name", u->speaker_name);
  json_object_set_string_member (o, "venue", u->venue);
  json_object_set_int_member (o, "start_us", u->start_us);
  json_object_set_int_member (o, "end_us", u->end_us);
  json_object_set_string_member (o, "text", u->text);
  json_object_set_double_member (o, "confidence", u->confidence);
  json_object_set_boolean_member (o, "public", u->is_public);
  json_object_set_boolean_member (o, "retracted", u->retracted);
  json_object_set_string_member (o, "state", kaigi_utterance_state_to_string (u->state));
  if (u->confirmed_by)
    json_object_set_int_member (o, "confirmed_by", u->confirmed_by);
  else
    json_object_set_null_member (o, "confirmed_by");
  json_object_set_int_member (o, "confirmed_at_us", u->confirmed_at_us);
  json_object_set_boolean_member (o, "clip", g_file_test (clip, G_FILE_TEST_IS_REGULAR));
  return o;
}

/* The agenda (with its materials) and the roster, as the meeting document has them
 * (minutes/meeting.c), set on @o. */
static void
add_agenda_and_roster (JsonObject *o, const KaigiMeeting *m)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;
  JsonObject *parts;

  json_builder_begin_object (b);
  kaigi_meeting_add_agenda (b, m);
  kaigi_meeting_add_roster (b, m);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  parts = json_node_get_object (root);
  json_object_set_array_member (o, "agenda",
                                json_array_ref (json_object_get_array_member (parts, "agenda")));
  json_object_set_array_member (o, "roster",
                                json_array_ref (json_object_get_array_member (parts, "roster")));
}

static JsonObject *
draft_json (KaigiApi *api, gint64 meeting, GError **error)
{
  KaigiDraftState state;
  gint64 published_at_us;
  g_autofree char *note = NULL;
  JsonObject *o;

  if (!kaigi_store_draft_get (api->ctx.store, meeting, &state, &published_at_us, &note, error))
    return NULL;
  o = json_object_new ();
  json_object_set_string_member (o, "state", kaigi_draft_state_to_string (state));
  json_object_set_int_member (o, "published_at_us", published_at_us);
  json_object_set_string_member (o, "public_note", note);
  return o;
}

JsonObject *
kaigi_api_minutes_document (KaigiApi *api, gint64 meeting, GError **error)
{
  g_autoptr (KaigiMeeting) m = kaigi_store_meeting_load (api->ctx.store, meeting, error);
  g_autoptr (GPtrArray) list = NULL;
  JsonObject *o, *draft;
  JsonNode *decisions;
  JsonArray *a;

  if (!m || !(list = kaigi_store_utterances_load (api->ctx.store, meeting, error))
      || !(draft = draft_json (api, meeting, error)))
    return NULL;
  if (!(decisions = kaigi_store_decisions_json (api->ctx.store, meeting, error))) {
    json_object_unref (draft);
    return NULL;
  }
  o = json_object_new ();
  json_object_set_member (o, "meeting", kaigi_meeting_summary_json (m));
  json_object_set_object_member (o, "draft", draft);
  add_agenda_and_roster (o, m);
  json_object_set_member (o, "decisions", decisions);
  a = json_array_new ();
  for (guint i = 0; i < list->len; i++)
    json_array_add_object_element (a, kaigi_api_utterance_json (api, meeting, list->pdata[i]));
  json_object_set_array_member (o, "utterances", a);
  return o;
}

/* The meeting's statements in time order, with @uid's index in @index; NULL after answering
 * 404 if @uid is not a statement of @meeting. */
GPtrArray *
kaigi_api_minutes_find (KaigiApi *api, KaigiHttpRequest *req, gint64 meeting, gint64 uid,
                        guint *index)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) list = kaigi_store_utterances_load (api->ctx.store, meeting, &error);

  if (!list) {
    kaigi_api_reply_gerror (req, error);
    return NULL;
  }
  for (guint i = 0; i < list->len; i++) {
    if (((KaigiUtterance *)list->pdata[i])->id == uid) {
      *index = i;
      return g_steal_pointer (&list);
    }
  }
  kaigi_api_reply_error (req, 404, "not-found", "no such statement in this meeting's minutes");
  return NULL;
}

/* ---- reading ---- */

void
kaigi_api_minutes_get (KaigiApi *api, KaigiHttpRequest *req, const gint64 *ids,
                       const KaigiApiWho *who)
{
  g_autoptr (GError) error = NULL;
  JsonObject *o = kaigi_api_minutes_document (api, ids[0], &error);

  if (!o)
    kaigi_api_reply_gerror (req, error);
  else
    kaigi_api_reply_object (req, 200, o, NULL);
}

/* "a3" → the account's name, "r5" → the roster entry's; NULL if unknown. */
static char *
who_name (KaigiApi *api, const KaigiMeeting *m, const char *who)
{
  gint64 id = who && who[0] ? g_ascii_strtoll (who + 1, NULL, 10) : 0;
  KaigiRosterEntry *e;

  if (who && who[0] == 'a' && id > 0)
    return kaigi_store_account_name (api->ctx.store, id);
  if (who && who[0] == 'r' && (e = kaigi_meeting_find_roster (m, id)))
    return g_strdup (e->name);
  return NULL;
}

void
kaigi_api_minutes_history (KaigiApi *api, KaigiHttpRequest *req, const gint64 *ids,
                           const KaigiApiWho *who)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (KaigiMeeting) m = kaigi_store_meeting_load (api->ctx.store, ids[0], &error);
  g_autoptr (GPtrArray) list = NULL;
  JsonNode *rows;
  JsonArray *a;
  JsonObject *o;
  guint index;

  if (!m) {
    kaigi_api_reply_gerror (req, error);
    return;
  }
  if (!(list = kaigi_api_minutes_find (api, req, ids[0], ids[1], &index)))
    return;
  if (!(rows = kaigi_store_utterance_history_json (api->ctx.store, ids[1], &error))) {
    kaigi_api_reply_gerror (req, error);
    return;
  }
  a = json_node_get_array (rows);
  for (guint i = 0; i < json_array_get_length (a); i++) {
    JsonObject *row = json_array_get_object_element (a, i);
    g_autofree char *name = who_name (api, m, json_object_get_string_member (row, "who"));
    if (name)
      json_object_set_string_member (row, "who_name", name);
    else
      json_object_set_null_member (row, "who_name");
  }
  o = json_object_new ();
  json_object_set_member (o, "history", rows);
  kaigi_api_reply_object (req, 200, o, NULL);
}

/* ---- one statement ---- */

/* The body as an object; NULL after answering 400. */
static JsonObject *
body_object (KaigiHttpRequest *req, JsonNode **holder)
{
  if (!(*holder = kaigi_api_body_json (req)))
    return NULL;
  if (!JSON_NODE_HOLDS_OBJECT (*holder)) {
    kaigi_api_reply_error (req, 400, "invalid", "the body must be a JSON object");
    return NULL;
  }
  return json_node_get_object (*holder);
}

static gboolean
is_type (JsonNode *n, GType type)
{
  return n && JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == type;
}

/* A string member of 1..@max characters, not blank; NULL after answering 400 naming @field. */
static const char *
string_member (KaigiHttpRequest *req, JsonNode *n, const char *field, glong max)
{
  const char *s = is_type (n, G_TYPE_STRING) ? json_node_get_string (n) : NULL;
  g_autofree char *stripped = s ? g_strstrip (g_strdup (s)) : NULL;
  g_autofree char *msg = NULL;

  if (s && stripped[0] && g_utf8_strlen (s, -1) <= max)
    return s;
  msg = g_strdup_printf ("%s: must be a string of 1 to %ld characters", field, max);
  kaigi_api_reply_error (req, 400, "invalid", msg);
  return NULL;
}

typedef struct {
  const char *text; /* NULL: unchanged */
  gboolean set_speaker;
  gint64 speaker;   /* roster id, 0 for someone not on the roster */
  const char *name; /* NULL: the roster entry's */
  const char *was;  /* NULL: not checked; else the text the editor started from */
} Patch;

/* Reads {text?, speaker?, speaker_name?} into @p; FALSE after answering 400 or 404. */
static gboolean
parse_patch (KaigiApi *api, KaigiHttpRequest *req, gint64 meeting, JsonObject *o, Patch *p)
{
  JsonNode *text = json_object_get_member (o, "text");
  JsonNode *speaker = json_object_get_member (o, "speaker");
  JsonNode *name = json_object_get_member (o, "speaker_name");
  g_autoptr (KaigiMeeting) m = NULL;
  g_autoptr (GError) error = NULL;

  if (!text && !speaker && !name) {
    kaigi_api_reply_error (req, 400, "invalid", "give text, speaker or speaker_name");
    return FALSE;
  }
  if (text && !(p->text = string_member (req, text, "text", TEXT_MAX_CHARS)))
    return FALSE;
  if (json_object_has_member (o, "was")) {
    if (!is_type (json_object_get_member (o, "was"), G_TYPE_STRING)) {
      kaigi_api_reply_error (req, 400, "invalid", "was: the text the change started from");
      return FALSE;
    }
    p->was = json_object_get_string_member (o, "was");
  }
  if (name && !(p->name = string_member (req, name, "speaker_name", NAME_MAX_CHARS)))
    return FALSE;
  p->set_speaker = speaker || name;
  if (speaker && !JSON_NODE_HOLDS_NULL (speaker)) {
    if (!is_type (speaker, G_TYPE_INT64) || json_node_get_int (speaker) <= 0) {
      kaigi_api_reply_error (req, 400, "invalid", "speaker: a roster id, or null");
      return FALSE;
    }
    p->speaker = json_node_get_int (speaker);
    if (!(m = kaigi_store_meeting_load (api->ctx.store, meeting, &error))) {
      kaigi_api_reply_gerror (req, error);
      return FALSE;
    }
    if (!kaigi_meeting_find_roster (m, p->speaker)) {
      kaigi_api_reply_error (req, 400, "invalid", "speaker: not on this meeting's roster");
      return FALSE;
    }
  } else if (speaker && !name) {
    kaigi_api_reply_error (req, 400, "invalid",
                           "speaker_name: needed for a speaker not on the roster");
    return FALSE;
  }
  return TRUE;
}

static void
reply_utterance (KaigiApi *api, KaigiHttpRequest *req, gint64 meeting, gint64 id)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (KaigiUtterance) u = kaigi_store_utterance_get (api->ctx.store, id, &error);

  if (!u)
    kaigi_api_reply_gerror (req, error);
  else
    kaigi_api_reply_object (req, 200, kaigi_api_utterance_json (api, meeting, u), NULL);
}

static char *
who_ref (const KaigiApiWho *who)
{
  return g_strdup_printf ("a%" G_GINT64_FORMAT, who->account);
}

void
kaigi_api_minutes_patch (KaigiApi *api, KaigiHttpRequest *req, const gint64 *ids,
                         const KaigiApiWho *who)
{
  g_autoptr (JsonNode) body = NULL;
  g_autoptr (GPtrArray) list = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *ref = who_ref (who);
  JsonObject *o = body_object (req, &body);
  KaigiUtterance *u;
  Patch p = { 0 };
  guint i;

  if (!o || !parse_patch (api, req, ids[0], o, &p)
      || !(list = kaigi_api_minutes_find (api, req, ids[0], ids[1], &i)))
    return;
  u = list->pdata[i];
  if (p.was && !g_str_equal (p.was, u->text)) {
    /* Two people at one statement: the second would overwrite the first unknowingly. */
    kaigi_api_reply_error (req, 409, "changed",
                           "someone else changed this statement meanwhile; nothing was saved");
    return;
  }
  if (p.text && !g_str_equal (p.text, u->text)
      && !kaigi_store_utterance_set_text (api->ctx.store, u->id, ref, p.text, &error)) {
    kaigi_api_minutes_error (api, req, ids[0], error);
    return;
  }
  if (p.set_speaker
      && (p.speaker != u->speaker || (p.name && !g_str_equal (p.name, u->speaker_name)))
      && !kaigi_store_utterance_set_speaker (api->ctx.store, u->id, ref, p.speaker, p.name,
                                             &error)) {
    kaigi_api_minutes_error (api, req, ids[0], error);
    return;
  }
  reply_utterance (api, req, ids[0], u->id);
}

/* The clips have followed: the merged statement. */
static void
merged (KaigiApi *api, KaigiHttpRequest *req, gint64 meeting, gint64 first, gint64 second)
{
  reply_utterance (api, req, meeting, first);
}

/* {"with": ID} (optional: the next statement in time order). */
void
kaigi_api_minutes_merge (KaigiApi *api, KaigiHttpRequest *req, const gint64 *ids,
                         const KaigiApiWho *who)
{
  g_autoptr (JsonNode) body = NULL;
  g_autoptr (GPtrArray) list = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *ref = who_ref (who);
  JsonObject *o = body_object (req, &body);
  JsonNode *with;
  gint64 second;
  guint i;

  if (!o || !(list = kaigi_api_minutes_find (api, req, ids[0], ids[1], &i)))
    return;
  with = json_object_get_member (o, "with");
  if (with && (!is_type (with, G_TYPE_INT64) || json_node_get_int (with) <= 0)) {
    kaigi_api_reply_error (req, 400, "invalid", "with: the id of the next statement");
    return;
  }
  if (!with && i + 1 >= list->len) {
    kaigi_api_reply_error (req, 400, "invalid", "with: this is the last statement");
    return;
  }
  second = with ? json_node_get_int (with) : ((KaigiUtterance *)list->pdata[i + 1])->id;
  if (!kaigi_store_utterance_merge (api->ctx.store, ids[1], second, ref, &error)) {
    kaigi_api_minutes_error (api, req, ids[0], error);
    return;
  }
  kaigi_api_clips_follow (api, req, ids[0], ids[1], second, 0, 0, merged);
}

/* The clips have followed: {first, second}. */
static void
split_done (KaigiApi *api, KaigiHttpRequest *req, gint64 meeting, gint64 first_id, gint64 second_id)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (KaigiUtterance) first = kaigi_store_utterance_get (api->ctx.store, first_id, &error);
  g_autoptr (KaigiUtterance) second
      = first ? kaigi_store_utterance_get (api->ctx.store, second_id, &error) : NULL;
  JsonObject *out;

  if (!second) {
    kaigi_api_reply_gerror (req, error);
    return;
  }
  out = json_object_new ();
  json_object_set_object_member (out, "first", kaigi_api_utterance_json (api, meeting, first));
  json_object_set_object_member (out, "second", kaigi_api_utterance_json (api, meeting, second));
  kaigi_api_reply_object (req, 200, out, NULL);
}

/* {"offset": N}: characters of the text that stay in the first part. */
void
kaigi_api_minutes_split (KaigiApi *api, KaigiHttpRequest *req, const gint64 *ids,
                         const KaigiApiWho *who)
{
  g_autoptr (JsonNode) body = NULL;
  g_autoptr (GPtrArray) list = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *ref = who_ref (who);
  JsonObject *o = body_object (req, &body);
  JsonNode *offset;
  gint64 second_id;
  glong at, len;
  guint i;

  if (!o || !(list = kaigi_api_minutes_find (api, req, ids[0], ids[1], &i)))
    return;
  offset = json_object_get_member (o, "offset");
  if (!is_type (offset, G_TYPE_INT64)) {
    kaigi_api_reply_error (req, 400, "invalid", "offset: a number of characters");
    return;
  }
  at = (glong)CLAMP (json_node_get_int (offset), -1, G_MAXINT);
  len = g_utf8_strlen (((KaigiUtterance *)list->pdata[i])->text, -1);
  second_id = kaigi_store_utterance_split (api->ctx.store, ids[1], at, ref, &error);
  if (second_id < 0) {
    kaigi_api_minutes_error (api, req, ids[0], error);
    return;
  }
  kaigi_api_clips_follow (api, req, ids[0], ids[1], second_id, at, len, split_done);
}

/* {"retracted": true} (the default) or false to take a retraction back. */
void
kaigi_api_minutes_retract (KaigiApi *api, KaigiHttpRequest *req, const gint64 *ids,
                           const KaigiApiWho *who)
{
  g_autoptr (JsonNode) body = NULL;
  g_autoptr (GPtrArray) list = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *ref = who_ref (who);
  JsonObject *o = body_object (req, &body);
  JsonNode *v;
  guint i;

  if (!o || !(list = kaigi_api_minutes_find (api, req, ids[0], ids[1], &i)))
    return;
  v = json_object_get_member (o, "retracted");
  if (v && !is_type (v, G_TYPE_BOOLEAN)) {
    kaigi_api_reply_error (req, 400, "invalid", "retracted: must be true or false");
    return;
  }
  if (!kaigi_store_utterance_retract (api->ctx.store, ids[1], ref,
                                      v ? json_node_get_boolean (v) : TRUE, &error)) {
    kaigi_api_minutes_error (api, req, ids[0], error);
    return;
  }
  reply_utterance (api, req, ids[0], ids[1]);
}

/* ---- the whole draft ---- */

/* {"preview": true} answers what would change without changing it. */
void
kaigi_api_minutes_fillers (KaigiApi *api, KaigiHttpRequest *req, const gint64 *ids,
                           const KaigiApiWho *who)
{
  g_autoptr (JsonNode) body = NULL;
  g_autoptr (GPtrArray) list = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *ref = who_ref (who);
  JsonObject *o = body_object (req, &body), *out;
  JsonArray *changes;
  JsonNode *preview;
  KaigiDraftState state;
  guint total = 0;

  if (!o)
    return;
  preview = json_object_get_member (o, "preview");
  if (preview && !is_type (preview, G_TYPE_BOOLEAN)) {
    kaigi_api_reply_error (req, 400, "invalid", "preview: must be true or false");
    return;
  }
  if (!kaigi_store_draft_get (api->ctx.store, ids[0], &state, NULL, NULL, &error)
      || !(list = kaigi_store_utterances_load (api->ctx.store, ids[0], &error))) {
    kaigi_api_reply_gerror (req, error);
    return;
  }
  if (state == KAIGI_DRAFT_PUBLISHED) {
    kaigi_api_reply_error (req, 409, "published",
                           "the minutes are published and can no longer be changed");
    return;
  }
  changes = json_array_new ();
  out = json_object_new ();
  json_object_set_array_member (out, "changes", changes);
  for (guint i = 0; i < list->len; i++) {
    KaigiUtterance *u = list->pdata[i];
    guint removed = 0;
    g_autofree char *text = kaigi_fillers_remove (u->text, &removed);
    JsonObject *c;
    if (!removed || !text[0])
      continue; /* nothing to take out, or nothing would be left: the secretariat decides */
    if (!(preview && json_node_get_boolean (preview))
        && !kaigi_store_utterance_set_text (api->ctx.store, u->id, ref, text, &error)) {
      json_object_unref (out);
      kaigi_api_minutes_error (api, req, ids[0], error);
      return;
    }
    c = json_object_new ();
    json_object_set_int_member (c, "id", u->id);
    json_object_set_string_member (c, "old", u->text);
    json_object_set_string_member (c, "new", text);
    json_object_set_int_member (c, "removed", removed);
    json_array_add_object_element (changes, c);
    total += removed;
  }
  json_object_set_int_member (out, "removed", total);
  json_object_set_boolean_member (out, "applied", !(preview && json_node_get_boolean (preview)));
  kaigi_api_reply_object (req, 200, out, NULL);
}

/* {"to": "review" | "draft" | "published", "public_note"?: "…"}. */
void
kaigi_api_minutes_state (KaigiApi *api, KaigiHttpRequest *req, const gint64 *ids,
                         const KaigiApiWho *who)
{
  g_autoptr (JsonNode) body = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (KaigiMeeting) m = NULL;
  JsonObject *o = body_object (req, &body), *draft;
  JsonNode *note_node;
  const char *to, *note = NULL;
  KaigiDraftState state;

  if (!o)
    return;
  to = is_type (json_object_get_member (o, "to"), G_TYPE_STRING)
           ? json_object_get_string_member (o, "to")
           : NULL;
  if (!to || !kaigi_draft_state_from_string (to, &state)) {
    kaigi_api_reply_error (req, 400, "invalid", "to: must be one of draft, review, published");
    return;
  }
  note_node = json_object_get_member (o, "public_note");
  if (note_node && !(note = string_member (req, note_node, "public_note", NOTE_MAX_CHARS)))
    return;
  if (!(m = kaigi_store_meeting_load (api->ctx.store, ids[0], &error))) {
    kaigi_api_reply_gerror (req, error);
    return;
  }
  if (state != KAIGI_DRAFT_DRAFT && m->state != KAIGI_MEETING_ADJOURNED) {
    kaigi_api_reply_error (req, 409, "meeting-not-adjourned",
                           "the minutes go to review and publication after the meeting is "
                           "adjourned");
    return;
  }
  if (!kaigi_store_draft_set_state (api->ctx.store, ids[0], state, note, &error)
      || !(draft = draft_json (api, ids[0], &error))) {
    kaigi_api_minutes_error (api, req, ids[0], error);
    return;
  }
  kaigi_api_reply_object (req, 200, draft, NULL);
}
