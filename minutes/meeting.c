/* meeting.c: the KaigiMeeting model: names of its enums, lookups, the quorum and the JSON
 * document it is written as (docs/meetings-api.md). Reading a document, with its rules, is in
 * meeting-parse.c.
 *
 * Why the quorum lives here: the attendance report (store), the live meeting snapshot (server)
 * and the tests must count the same way, from the model alone.
 * Plain data, no threads: any thread may use a KaigiMeeting it owns. */
#define G_LOG_DOMAIN "kaigi-meeting"

#include "meeting.h"

#include "meeting-private.h"

static const char *const state_names[]
    = { "scheduled", "public", "closed", "recess", "adjourned", NULL };
static const char *const role_names[]
    = { "chair", "secretariat", "member", "presenter", "venue", "viewer", NULL };
const char *const kaigi_meeting_venue_kind_names[] = { "main", "satellite", "online", NULL };

/* Declared in store.h, where kaigi_store_material_get hands one out; defined here because
 * agenda items own their materials. */
void kaigi_material_free (KaigiMaterial *material);

void
kaigi_material_free (KaigiMaterial *material)
{
  if (!material)
    return;
  g_free (material->name);
  g_free (material->content_type);
  g_free (material);
}

void
kaigi_meeting_venue_free (KaigiVenue *v)
{
  g_free (v->name);
  g_free (v);
}

KaigiAgendaItem *
kaigi_meeting_item_new (void)
{
  KaigiAgendaItem *item = g_new0 (KaigiAgendaItem, 1);

  item->materials = g_ptr_array_new_with_free_func ((GDestroyNotify)kaigi_material_free);
  return item;
}

void
kaigi_meeting_item_free (KaigiAgendaItem *item)
{
  g_free (item->number);
  g_free (item->title);
  g_ptr_array_unref (item->materials);
  g_free (item);
}

void
kaigi_meeting_roster_free (KaigiRosterEntry *r)
{
  g_free (r->name);
  g_free (r->title);
  g_free (r->site);
  g_free (r);
}

KaigiMeeting *
kaigi_meeting_new (void)
{
  KaigiMeeting *m = g_new0 (KaigiMeeting, 1);

  /* Strings are never NULL, so that readers need no checks. */
  m->body = g_strdup ("");
  m->title = g_strdup ("");
  m->number = g_strdup ("");
  m->scheduled_at = g_strdup ("");
  m->visibility_reason = g_strdup ("");
  m->venues = g_ptr_array_new_with_free_func ((GDestroyNotify)kaigi_meeting_venue_free);
  m->agenda = g_ptr_array_new_with_free_func ((GDestroyNotify)kaigi_meeting_item_free);
  m->roster = g_ptr_array_new_with_free_func ((GDestroyNotify)kaigi_meeting_roster_free);
  return m;
}

void
kaigi_meeting_free (KaigiMeeting *m)
{
  if (!m)
    return;
  g_free (m->body);
  g_free (m->title);
  g_free (m->number);
  g_free (m->scheduled_at);
  g_free (m->visibility_reason);
  g_ptr_array_unref (m->venues);
  g_ptr_array_unref (m->agenda);
  g_ptr_array_unref (m->roster);
  g_free (m);
}

/* ---- names ---- */

int
kaigi_meeting_name_index (const char *const *names, const char *s)
{
  for (int i = 0; s && names[i]; i++)
    if (g_str_equal (names[i], s))
      return i;
  return -1;
}

const char *
kaigi_meeting_state_to_string (KaigiMeetingState s)
{
  g_return_val_if_fail (s <= KAIGI_MEETING_ADJOURNED, NULL);
  return state_names[s];
}

gboolean
kaigi_meeting_state_from_string (const char *s, KaigiMeetingState *out)
{
  int i = kaigi_meeting_name_index (state_names, s);

  if (i < 0)
    return FALSE;
  *out = (KaigiMeetingState)i;
  return TRUE;
}

const char *
kaigi_role_to_string (KaigiRole r)
{
  g_return_val_if_fail (r < KAIGI_N_ROLES, NULL);
  return role_names[r];
}

gboolean
kaigi_role_from_string (const char *s, KaigiRole *out)
{
  int i = kaigi_meeting_name_index (role_names, s);

  if (i < 0)
    return FALSE;
  *out = (KaigiRole)i;
  return TRUE;
}

const char *
kaigi_venue_kind_to_string (KaigiVenueKind k)
{
  g_return_val_if_fail (k <= KAIGI_VENUE_ONLINE, NULL);
  return kaigi_meeting_venue_kind_names[k];
}

/* ---- lookups ---- */

KaigiRosterEntry *
kaigi_meeting_find_roster (const KaigiMeeting *m, gint64 id)
{
  for (guint i = 0; i < m->roster->len; i++) {
    KaigiRosterEntry *r = g_ptr_array_index (m->roster, i);
    if (r->id == id)
      return r;
  }
  return NULL;
}

KaigiVenue *
kaigi_meeting_find_venue (const KaigiMeeting *m, gint64 id)
{
  for (guint i = 0; i < m->venues->len; i++) {
    KaigiVenue *v = g_ptr_array_index (m->venues, i);
    if (v->id == id)
      return v;
  }
  return NULL;
}

KaigiVenue *
kaigi_meeting_venue_by_name (const KaigiMeeting *m, const char *name)
{
  for (guint i = 0; name && i < m->venues->len; i++) {
    KaigiVenue *v = g_ptr_array_index (m->venues, i);
    if (g_str_equal (v->name, name))
      return v;
  }
  return NULL;
}

KaigiAgendaItem *
kaigi_meeting_find_item (const KaigiMeeting *m, gint64 id)
{
  for (guint i = 0; i < m->agenda->len; i++) {
    KaigiAgendaItem *item = g_ptr_array_index (m->agenda, i);
    if (item->id == id)
      return item;
  }
  return NULL;
}

/* ---- quorum ---- */

static gboolean
counts_for_quorum (const KaigiMeeting *m, const KaigiRosterEntry *r, gboolean online)
{
  KaigiVenue *site;

  if (!m->quorum_in_room)
    return r->in_room || online;
  /* A plenary: only members in the room of the main venue count, not a satellite. */
  site = kaigi_meeting_venue_by_name (m, r->site);
  return r->in_room && site && site->kind == KAIGI_VENUE_MAIN;
}

KaigiQuorum
kaigi_meeting_quorum (const KaigiMeeting *m, GHashTable *online)
{
  KaigiQuorum q = { 0 };

  for (guint i = 0; i < m->roster->len; i++) {
    KaigiRosterEntry *r = g_ptr_array_index (m->roster, i);
    gboolean is_online = online && g_hash_table_contains (online, GINT_TO_POINTER ((int)r->id));

    if (r->role != KAIGI_ROLE_CHAIR && r->role != KAIGI_ROLE_MEMBER)
      continue;
    q.members++;
    if (r->in_room)
      q.in_room++;
    else if (is_online)
      q.online++;
    else
      q.absent++;
    if (counts_for_quorum (m, r, is_online))
      q.present_for_quorum++;
  }
  q.quorum = m->quorum ? m->quorum : q.members / 2 + 1;
  q.quorate = q.present_for_quorum >= q.quorum;
  return q;
}

JsonNode *
kaigi_quorum_to_json (const KaigiQuorum *q)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "members");
  json_builder_add_int_value (b, q->members);
  json_builder_set_member_name (b, "online");
  json_builder_add_int_value (b, q->online);
  json_builder_set_member_name (b, "in_room");
  json_builder_add_int_value (b, q->in_room);
  json_builder_set_member_name (b, "absent");
  json_builder_add_int_value (b, q->absent);
  json_builder_set_member_name (b, "present_for_quorum");
  json_builder_add_int_value (b, q->present_for_quorum);
  json_builder_set_member_name (b, "quorum");
  json_builder_add_int_value (b, q->quorum);
  json_builder_set_member_name (b, "quorate");
  json_builder_add_boolean_value (b, q->quorate);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

/* ---- the document ---- */

static void
add_int (JsonBuilder *b, const char *name, gint64 v)
{
  json_builder_set_member_name (b, name);
  json_builder_add_int_value (b, v);
}

static void
add_string (JsonBuilder *b, const char *name, const char *v)
{
  json_builder_set_member_name (b, name);
  json_builder_add_string_value (b, v ? v : "");
}

void
kaigi_meeting_add_venues (JsonBuilder *b, const KaigiMeeting *m)
{
  json_builder_set_member_name (b, "venues");
  json_builder_begin_array (b);
  for (guint i = 0; i < m->venues->len; i++) {
    KaigiVenue *v = g_ptr_array_index (m->venues, i);
    json_builder_begin_object (b);
    add_int (b, "id", v->id);
    add_string (b, "kind", kaigi_venue_kind_to_string (v->kind));
    add_string (b, "name", v->name);
    json_builder_end_object (b);
  }
  json_builder_end_array (b);
}

static void
add_materials (JsonBuilder *b, const KaigiAgendaItem *item)
{
  json_builder_set_member_name (b, "materials");
  json_builder_begin_array (b);
  for (guint i = 0; i < item->materials->len; i++) {
    KaigiMaterial *mat = g_ptr_array_index (item->materials, i);
    json_builder_begin_object (b);
    add_int (b, "id", mat->id);
    add_string (b, "name", mat->name);
    add_string (b, "type", mat->content_type);
    add_int (b, "size", mat->size);
    json_builder_end_object (b);
  }
  json_builder_end_array (b);
}

void
kaigi_meeting_add_agenda (JsonBuilder *b, const KaigiMeeting *m)
{
  json_builder_set_member_name (b, "agenda");
  json_builder_begin_array (b);
  for (guint i = 0; i < m->agenda->len; i++) {
    KaigiAgendaItem *item = g_ptr_array_index (m->agenda, i);
    json_builder_begin_object (b);
    add_int (b, "id", item->id);
    add_string (b, "number", item->number);
    add_string (b, "title", item->title);
    add_materials (b, item);
    json_builder_end_object (b);
  }
  json_builder_end_array (b);
}

void
kaigi_meeting_add_roster (JsonBuilder *b, const KaigiMeeting *m)
{
  json_builder_set_member_name (b, "roster");
  json_builder_begin_array (b);
  for (guint i = 0; i < m->roster->len; i++) {
    KaigiRosterEntry *r = g_ptr_array_index (m->roster, i);
    json_builder_begin_object (b);
    add_int (b, "id", r->id);
    add_string (b, "name", r->name);
    add_string (b, "title", r->title);
    add_string (b, "role", kaigi_role_to_string (r->role));
    add_string (b, "site", r->site);
    json_builder_end_object (b);
  }
  json_builder_end_array (b);
}

/* The members every form of the document shares, in the order docs/meetings-api.md shows. */
static void
add_summary (JsonBuilder *b, const KaigiMeeting *m)
{
  add_int (b, "id", m->id);
  add_string (b, "body", m->body);
  add_string (b, "title", m->title);
  add_string (b, "number", m->number);
  add_string (b, "scheduled_at", m->scheduled_at);
  add_string (b, "visibility", m->closed ? "closed" : "public");
}

JsonNode *
kaigi_meeting_summary_json (const KaigiMeeting *m)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  add_summary (b, m);
  add_string (b, "state", kaigi_meeting_state_to_string (m->state));
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

JsonNode *
kaigi_meeting_to_json (const KaigiMeeting *m)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  add_summary (b, m);
  add_string (b, "visibility_reason", m->visibility_reason);
  add_string (b, "quorum_rule", m->quorum_in_room ? "in-room" : "all");
  add_int (b, "quorum", m->quorum);
  add_string (b, "state", kaigi_meeting_state_to_string (m->state));
  kaigi_meeting_add_venues (b, m);
  kaigi_meeting_add_agenda (b, m);
  kaigi_meeting_add_roster (b, m);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}
