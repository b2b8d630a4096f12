/* record-json.c: the meeting record as one JSON document (docs/minutes.md): what the `json`
 * exporter writes and what kaigi_record_from_json reads back, so a test fixture is simply a
 * record written by hand.
 *
 * The `meeting` member is the meeting document of docs/meetings-api.md (with materials);
 * times are ISO 8601 in the meeting's zone. Plain data; the caller's thread. */
#define G_LOG_DOMAIN "kaigi-minutes"

#include "record-private.h"

#include "kaigi-error.h"

static gboolean
invalid (GError **error, const char *path, const char *why)
{
  g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_INVALID, "%s: %s", path, why);
  return FALSE;
}

/* ---- reading ---- */

/* @member of @o as µs since the epoch: an ISO 8601 string with offset, or null/absent (0). */
static gboolean
read_time (JsonObject *o, const char *path, const char *member, gint64 *out, GError **error)
{
  JsonNode *node = o ? json_object_get_member (o, member) : NULL;
  g_autoptr (GDateTime) t = NULL;
  g_autofree char *where = NULL;

  *out = 0;
  if (!node || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (json_node_get_value_type (node) == G_TYPE_STRING)
    t = g_date_time_new_from_iso8601 (json_node_get_string (node), NULL);
  where = g_strdup_printf ("%s.%s", path, member);
  if (!t)
    return invalid (error, where, "must be ISO 8601 with an offset");
  *out = g_date_time_to_unix (t) * G_USEC_PER_SEC + g_date_time_get_microsecond (t);
  return TRUE;
}

static gint64
get_int (JsonObject *o, const char *member)
{
  JsonNode *node = json_object_get_member (o, member);

  return node && JSON_NODE_HOLDS_VALUE (node) ? json_node_get_int (node) : 0;
}

static const char *
get_string (JsonObject *o, const char *member)
{
  JsonNode *node = json_object_get_member (o, member);

  return node && json_node_get_value_type (node) == G_TYPE_STRING ? json_node_get_string (node)
                                                                  : "";
}

static gboolean
get_bool (JsonObject *o, const char *member, gboolean fallback)
{
  JsonNode *node = json_object_get_member (o, member);

  return node && JSON_NODE_HOLDS_VALUE (node) ? json_node_get_boolean (node) : fallback;
}

static GStrv
get_names (JsonObject *o, const char *member)
{
  g_autoptr (GStrvBuilder) b = g_strv_builder_new ();
  JsonArray *a
      = json_object_has_member (o, member) ? json_object_get_array_member (o, member) : NULL;

  for (guint i = 0; a && i < json_array_get_length (a); i++)
    g_strv_builder_add (b, json_array_get_string_element (a, i));
  return g_strv_builder_end (b);
}

gboolean
kaigi_record_read_decisions (KaigiRecord *r, JsonArray *decisions, GError **error)
{
  for (guint i = 0; decisions && i < json_array_get_length (decisions); i++) {
    JsonObject *o = json_array_get_object_element (decisions, i);
    g_autofree char *path = g_strdup_printf ("decisions[%u]", i);
    KaigiDecision *d;

    if (!o)
      return invalid (error, path, "must be an object");
    d = g_new0 (KaigiDecision, 1);
    g_ptr_array_add (r->decisions, d);
    d->id = get_int (o, "id");
    d->item = get_int (o, "item");
    d->kind = g_strdup (get_string (o, "kind"));
    d->text = g_strdup (get_string (o, "text"));
    d->for_names = get_names (o, "for");
    d->against_names = get_names (o, "against");
    d->abstain_names = get_names (o, "abstain");
    d->at_us = get_int (o, "at_us");
    if (!d->at_us && !read_time (o, path, "at", &d->at_us, error))
      return FALSE;
    if (!g_str_equal (d->kind, "approved") && !g_str_equal (d->kind, "vote"))
      return invalid (error, path, "kind: must be one of approved, vote");
  }
  return TRUE;
}

static gboolean
read_utterance (JsonObject *o, const char *path, KaigiUtterance *u, GError **error)
{
  const char *omitted = get_string (o, "omitted");

  u->id = get_int (o, "id");
  u->item = get_int (o, "item");
  u->speaker = get_int (o, "speaker");
  g_free (u->speaker_name);
  u->speaker_name = g_strdup (get_string (o, "speaker_name"));
  g_free (u->venue);
  u->venue = g_strdup (get_string (o, "venue"));
  g_free (u->text);
  u->text = g_strdup (get_string (o, "text"));
  u->media_us = get_int (o, "media_ms") * 1000;
  u->confidence = json_object_has_member (o, "confidence")
                      ? json_object_get_double_member (o, "confidence")
                      : 1.0;
  u->is_public = get_bool (o, "public", TRUE);
  u->retracted = get_bool (o, "retracted", FALSE);
  u->confirmed_by = get_int (o, "confirmed_by");
  u->omitted = g_str_equal (omitted, "closed")      ? KAIGI_OMIT_CLOSED
               : g_str_equal (omitted, "retracted") ? KAIGI_OMIT_RETRACTED
                                                    : KAIGI_OMIT_NONE;
  if (json_object_has_member (o, "state")
      && !kaigi_utterance_state_from_string (get_string (o, "state"), &u->state))
    return invalid (error, path, "state: must be one of transcribed, edited, confirmed");
  return read_time (o, path, "start", &u->start_us, error)
         && read_time (o, path, "end", &u->end_us, error)
         && read_time (o, path, "confirmed_at", &u->confirmed_at_us, error);
}

static gboolean
read_utterances (KaigiRecord *r, JsonArray *a, GError **error)
{
  for (guint i = 0; a && i < json_array_get_length (a); i++) {
    JsonObject *o = json_array_get_object_element (a, i);
    g_autofree char *path = g_strdup_printf ("utterances[%u]", i);
    KaigiUtterance *u;

    if (!o)
      return invalid (error, path, "must be an object");
    u = kaigi_utterance_new ();
    g_ptr_array_add (r->utterances, u);
    if (!read_utterance (o, path, u, error))
      return FALSE;
  }
  return TRUE;
}

/* kaigi_meeting_from_json leaves materials (the server's) out; a record keeps them. */
static void
read_materials (KaigiMeeting *m, JsonObject *meeting)
{
  JsonArray *agenda = json_object_get_array_member (meeting, "agenda");

  for (guint i = 0; agenda && i < json_array_get_length (agenda) && i < m->agenda->len; i++) {
    JsonObject *o = json_array_get_object_element (agenda, i);
    JsonArray *mats = o && json_object_has_member (o, "materials")
                          ? json_object_get_array_member (o, "materials")
                          : NULL;
    KaigiAgendaItem *item = g_ptr_array_index (m->agenda, i);
    for (guint k = 0; mats && k < json_array_get_length (mats); k++) {
      JsonObject *mo = json_array_get_object_element (mats, k);
      KaigiMaterial *mat = g_new0 (KaigiMaterial, 1);
      mat->id = get_int (mo, "id");
      mat->name = g_strdup (get_string (mo, "name"));
      mat->content_type = g_strdup (get_string (mo, "type"));
      mat->size = get_int (mo, "size");
      g_ptr_array_add (item->materials, mat);
    }
  }
}

static gboolean
read_attendance (KaigiRecord *r, JsonArray *a, GError **error)
{
  for (guint i = 0; a && i < json_array_get_length (a); i++) {
    JsonObject *o = json_array_get_object_element (a, i);
    g_autofree char *path = g_strdup_printf ("attendance[%u]", i);
    gint64 roster = o ? get_int (o, "roster") : 0;
    KaigiPresence p;
    guint k;

    for (k = 0; k < r->meeting->roster->len; k++)
      if (((KaigiRosterEntry *)g_ptr_array_index (r->meeting->roster, k))->id == roster)
        break;
    if (k == r->meeting->roster->len)
      return invalid (error, path, "roster: must be the id of a roster entry");
    if (!kaigi_presence_from_string (get_string (o, "status"), &p))
      return invalid (error, path, "status: must be one of absent, in-room, online");
    g_array_index (r->presence, KaigiPresence, k) = p;
  }
  return TRUE;
}

static JsonArray *
array_member (JsonObject *o, const char *member)
{
  JsonNode *node = json_object_get_member (o, member);

  return node && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

static gboolean
read_draft (KaigiRecord *r, JsonObject *root, GError **error)
{
  JsonNode *node = json_object_get_member (root, "draft");
  JsonObject *o = node && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;

  if (!o)
    return TRUE;
  if (json_object_has_member (o, "state")
      && !kaigi_draft_state_from_string (get_string (o, "state"), &r->draft))
    return invalid (error, "draft.state", "must be one of draft, review, published");
  g_free (r->public_note);
  r->public_note = g_strdup (get_string (o, "public_note"));
  return read_time (o, "draft", "published_at", &r->published_at_us, error);
}

KaigiRecord *
kaigi_record_from_json (JsonNode *node, gboolean public_copy, GError **error)
{
  JsonObject *root = node && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
  JsonNode *meeting_node = root ? json_object_get_member (root, "meeting") : NULL;
  g_autoptr (KaigiRecord) r = NULL;
  KaigiMeeting *m;

  if (!meeting_node || !JSON_NODE_HOLDS_OBJECT (meeting_node)) {
    invalid (error, "meeting", "must be a meeting document");
    return NULL;
  }
  if (!(m = kaigi_meeting_from_json (meeting_node, error))) {
    g_prefix_error (error, "meeting.");
    return NULL;
  }
  read_materials (m, json_node_get_object (meeting_node));
  r = kaigi_record_new (m);
  r->viewers = (guint)CLAMP (get_int (root, "viewers"), 0, G_MAXINT);
  if (!read_time (root, "record", "opened_at", &m->opened_at_us, error)
      || !read_time (root, "record", "adjourned_at", &m->adjourned_at_us, error)
      || !read_draft (r, root, error)
      || !read_attendance (r, array_member (root, "attendance"), error)
      || !kaigi_record_read_decisions (r, array_member (root, "decisions"), error)
      || !read_utterances (r, array_member (root, "utterances"), error))
    return NULL;
  kaigi_record_finish (r, public_copy);
  return g_steal_pointer (&r);
}

/* ---- writing ---- */

static void
add_time (JsonBuilder *b, const KaigiRecord *r, const char *member, gint64 us)
{
  g_autoptr (GDateTime) t = kaigi_record_time (r, us);
  g_autofree char *iso = NULL;

  json_builder_set_member_name (b, member);
  if (!t) {
    json_builder_add_null_value (b);
    return;
  }
  iso = g_date_time_format (t, us % G_USEC_PER_SEC ? "%Y-%m-%dT%H:%M:%S.%f%:z"
                                                   : "%Y-%m-%dT%H:%M:%S%:z");
  json_builder_add_string_value (b, iso);
}

static void
add_int (JsonBuilder *b, const char *member, gint64 v)
{
  json_builder_set_member_name (b, member);
  json_builder_add_int_value (b, v);
}

static void
add_string (JsonBuilder *b, const char *member, const char *v)
{
  json_builder_set_member_name (b, member);
  json_builder_add_string_value (b, v ? v : "");
}

static void
add_bool (JsonBuilder *b, const char *member, gboolean v)
{
  json_builder_set_member_name (b, member);
  json_builder_add_boolean_value (b, v);
}

static void
add_names (JsonBuilder *b, const char *member, GStrv names)
{
  json_builder_set_member_name (b, member);
  json_builder_begin_array (b);
  for (guint i = 0; names && names[i]; i++)
    json_builder_add_string_value (b, names[i]);
  json_builder_end_array (b);
}

static void
add_meeting (JsonBuilder *b, const KaigiRecord *r)
{
  g_autoptr (JsonNode) meeting = kaigi_meeting_to_json (r->meeting);

  json_builder_set_member_name (b, "meeting");
  json_builder_add_value (b, g_steal_pointer (&meeting));
}

static void
add_attendance (JsonBuilder *b, const KaigiRecord *r)
{
  json_builder_set_member_name (b, "attendance");
  json_builder_begin_array (b);
  for (guint i = 0; i < r->meeting->roster->len; i++) {
    KaigiRosterEntry *e = g_ptr_array_index (r->meeting->roster, i);
    json_builder_begin_object (b);
    add_int (b, "roster", e->id);
    add_string (b, "status",
                kaigi_presence_to_string (g_array_index (r->presence, KaigiPresence, i)));
    json_builder_end_object (b);
  }
  json_builder_end_array (b);
}

static void
add_decisions (JsonBuilder *b, const KaigiRecord *r)
{
  json_builder_set_member_name (b, "decisions");
  json_builder_begin_array (b);
  for (guint i = 0; i < r->decisions->len; i++) {
    KaigiDecision *d = g_ptr_array_index (r->decisions, i);
    json_builder_begin_object (b);
    add_int (b, "id", d->id);
    add_int (b, "item", d->item);
    add_string (b, "kind", d->kind);
    add_string (b, "text", d->text);
    add_names (b, "for", d->for_names);
    add_names (b, "against", d->against_names);
    add_names (b, "abstain", d->abstain_names);
    add_time (b, r, "at", d->at_us);
    json_builder_end_object (b);
  }
  json_builder_end_array (b);
}

static void
add_utterance (JsonBuilder *b, const KaigiRecord *r, const KaigiUtterance *u)
{
  json_builder_begin_object (b);
  add_int (b, "item", u->item);
  add_time (b, r, "start", u->start_us);
  add_time (b, r, "end", u->end_us);
  if (u->omitted) {
    add_string (b, "omitted", u->omitted == KAIGI_OMIT_CLOSED ? "closed" : "retracted");
    json_builder_end_object (b);
    return;
  }
  add_int (b, "id", u->id);
  add_int (b, "speaker", u->speaker);
  add_string (b, "speaker_name", u->speaker_name);
  add_string (b, "venue", u->venue);
  add_int (b, "media_ms", u->media_us / 1000);
  add_string (b, "text", u->text);
  json_builder_set_member_name (b, "confidence");
  json_builder_add_double_value (b, u->confidence);
  add_bool (b, "public", u->is_public);
  add_bool (b, "retracted", u->retracted);
  add_string (b, "state", kaigi_utterance_state_to_string (u->state));
  add_int (b, "confirmed_by", u->confirmed_by);
  add_time (b, r, "confirmed_at", u->confirmed_at_us);
  json_builder_end_object (b);
}

JsonNode *
kaigi_record_to_json (const KaigiRecord *r)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  add_string (b, "format", "kaigi-record/1");
  add_string (b, "copy", r->public_copy ? "public" : "internal");
  add_string (b, "visibility", kaigi_visibility_to_string (r->visibility));
  add_bool (b, "omissions", r->omissions);
  add_meeting (b, r);
  add_time (b, r, "opened_at", r->meeting->opened_at_us);
  add_time (b, r, "adjourned_at", r->meeting->adjourned_at_us);
  add_int (b, "viewers", r->viewers);
  json_builder_set_member_name (b, "draft");
  json_builder_begin_object (b);
  add_string (b, "state", kaigi_draft_state_to_string (r->draft));
  add_time (b, r, "published_at", r->published_at_us);
  add_string (b, "public_note", r->public_note);
  json_builder_end_object (b);
  add_attendance (b, r);
  add_decisions (b, r);
  json_builder_set_member_name (b, "utterances");
  json_builder_begin_array (b);
  for (guint i = 0; i < r->utterances->len; i++)
    add_utterance (b, r, g_ptr_array_index (r->utterances, i));
  json_builder_end_array (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}
