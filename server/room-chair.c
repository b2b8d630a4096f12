/* room-chair.c: the chair's controls on a live meeting.
 *
 * What: the hands queue (raise order), the floor (指名: who speaks, and through whose audio
 * when the speaker sits in a venue), the chair's mute and the unmute request, removal, the
 * meeting state (meeting-state.c decides the transitions), the current agenda item,
 * decisions (了承 / votes with names) and the secretariat's in-room marks. Every change is
 * sent to everyone as one `meeting` snapshot (small, and a late joiner needs the same), and
 * goes onto the timeline; the state, the item, the marks and decisions are also kept in the
 * store at once, so a restarted server resumes the meeting where it was.
 *
 * Who may call what is decided before (roles.c via signalling.c); here only the meeting's
 * own rules are checked (an agenda item of this meeting, a participant in this room...).
 *
 * Thread: main loop only. */
#include "room-private.h"

#include <gst/gst.h>

#include "kaigi-error.h"
#include "meeting-state.h"
#include "roles.h"

GST_DEBUG_CATEGORY_EXTERN (kaigi_room_debug);
#define GST_CAT_DEFAULT kaigi_room_debug

void
kaigi_room_floor_clear (KaigiFloor *f)
{
  g_clear_pointer (&f->name, g_free);
  g_clear_pointer (&f->title, g_free);
  g_clear_pointer (&f->venue, g_free);
  f->participant = NULL;
  f->roster = 0;
}

/* ---- the snapshot ---- */

static GHashTable *
online_roster (KaigiRoom *r)
{
  GHashTable *online = g_hash_table_new (NULL, NULL);

  for (guint i = 0; i < r->people->len; i++) {
    KaigiParticipant *q = g_ptr_array_index (r->people, i);
    if (q->roster)
      g_hash_table_add (online, GINT_TO_POINTER ((int)q->roster));
  }
  return online;
}

static void
add_floor_json (KaigiRoom *r, JsonBuilder *b)
{
  KaigiFloor *f = &r->floor;

  if (!f->name) {
    json_builder_add_null_value (b);
    return;
  }
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "participant");
  f->participant ? json_builder_add_string_value (b, f->participant->id)
                 : json_builder_add_null_value (b);
  json_builder_set_member_name (b, "roster");
  f->roster ? json_builder_add_int_value (b, f->roster) : json_builder_add_null_value (b);
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, f->name);
  json_builder_set_member_name (b, "title");
  json_builder_add_string_value (b, f->title ? f->title : "");
  json_builder_set_member_name (b, "venue");
  f->venue ? json_builder_add_string_value (b, f->venue) : json_builder_add_null_value (b);
  json_builder_end_object (b);
}

/* The snapshot as @to may see it: the queue and the quorum only for those who run the
 * meeting; everyone else learns only whether their own hand is up. */
void
kaigi_room_add_meeting_json (KaigiRoom *r, KaigiParticipant *to, JsonBuilder *b)
{
  KaigiMeeting *m = r->meeting;
  g_autoptr (JsonNode) decisions = json_node_new (JSON_NODE_ARRAY);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_int_value (b, m->id);
  json_builder_set_member_name (b, "title");
  json_builder_add_string_value (b, m->title);
  json_builder_set_member_name (b, "body");
  json_builder_add_string_value (b, m->body ? m->body : "");
  json_builder_set_member_name (b, "state");
  json_builder_add_string_value (b, kaigi_meeting_state_to_string (m->state));
  json_builder_set_member_name (b, "item");
  m->current_item ? json_builder_add_int_value (b, m->current_item)
                  : json_builder_add_null_value (b);
  json_builder_set_member_name (b, "floor");
  add_floor_json (r, b);
  json_builder_set_member_name (b, "decisions");
  json_node_set_array (decisions, r->decisions);
  json_builder_add_value (b, json_node_copy (decisions));
  json_builder_set_member_name (b, "program");
  kaigi_room_add_program_json (r, b);
  json_builder_set_member_name (b, "pinned"); /* everyone's video slots show them first */
  r->slot_pin ? json_builder_add_string_value (b, r->slot_pin->id)
              : json_builder_add_null_value (b);
  json_builder_set_member_name (b, "screen"); /* whose screen the materials slots show */
  r->screen_sharer ? json_builder_add_string_value (b, r->screen_sharer->id)
                   : json_builder_add_null_value (b);
  if (to && kaigi_role_may (to->role, KAIGI_ACTION_SEE_QUEUE)) {
    g_autoptr (GHashTable) online = online_roster (r);
    KaigiQuorum q = kaigi_meeting_quorum (m, online);
    json_builder_set_member_name (b, "hands");
    json_builder_begin_array (b);
    for (guint i = 0; i < r->hands->len; i++)
      json_builder_add_string_value (b, ((KaigiParticipant *)g_ptr_array_index (r->hands, i))->id);
    json_builder_end_array (b);
    json_builder_set_member_name (b, "quorum");
    json_builder_add_value (b, kaigi_quorum_to_json (&q));
    json_builder_set_member_name (b, "in_room");
    json_builder_begin_array (b);
    for (guint i = 0; i < m->roster->len; i++) {
      KaigiRosterEntry *e = g_ptr_array_index (m->roster, i);
      if (e->in_room)
        json_builder_add_int_value (b, e->id);
    }
    json_builder_end_array (b);
  } else if (to) {
    json_builder_set_member_name (b, "hand_raised");
    json_builder_add_boolean_value (b, to->hand);
  }
  json_builder_end_object (b);
}

void
kaigi_room_send_meeting (KaigiRoom *r, KaigiParticipant *only, KaigiParticipant *except)
{
  kaigi_room_program_update (r); /* the public program follows every change of the meeting */
  for (guint i = 0; i < r->people->len; i++) {
    KaigiParticipant *q = g_ptr_array_index (r->people, i);
    if ((only && q != only) || q == except)
      continue;
    JsonBuilder *b = kaigi_room_begin ("meeting");
    json_builder_set_member_name (b, "meeting");
    kaigi_room_add_meeting_json (r, q, b);
    kaigi_room_send_to (r, q, b);
  }
}

/* A participant leaves: out of the queue, and off the floor. */
void
kaigi_room_chair_forget (KaigiRoom *r, KaigiParticipant *p)
{
  gboolean changed = g_ptr_array_remove (r->hands, p);

  if (r->floor.participant == p) {
    kaigi_room_floor_clear (&r->floor);
    kaigi_room_record (r, "floor-end", p->ref, NULL);
    changed = TRUE;
  }
  if (changed)
    kaigi_room_send_meeting (r, NULL, NULL);
}

static KaigiParticipant *
target (KaigiRoom *r, const char *pid, GError **error)
{
  KaigiParticipant *p = kaigi_room_find (r, pid);

  if (!p)
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_NOT_FOUND, "no participant %s in this meeting",
                 pid ? pid : "(none)");
  return p;
}

/* ---- hands and floor ---- */

void
kaigi_room_hand (KaigiRoom *r, KaigiParticipant *p, gboolean raised)
{
  JsonBuilder *d;

  if (p->hand == raised)
    return;
  p->hand = raised;
  if (raised)
    g_ptr_array_add (r->hands, p);
  else
    g_ptr_array_remove (r->hands, p);
  d = kaigi_room_detail (NULL);
  json_builder_set_member_name (d, "raised");
  json_builder_add_boolean_value (d, raised);
  kaigi_room_record (r, "hand", p->ref, d);
  kaigi_room_send_meeting (r, NULL, NULL);
}

/* The connected endpoint of the venue called @site, if any. */
static KaigiParticipant *
venue_endpoint (KaigiRoom *r, const char *site)
{
  KaigiVenue *v = kaigi_meeting_venue_by_name (r->meeting, site);

  for (guint i = 0; v && i < r->people->len; i++) {
    KaigiParticipant *q = g_ptr_array_index (r->people, i);
    if (q->role == KAIGI_ROLE_VENUE && q->ref[0] == 'v'
        && g_ascii_strtoll (q->ref + 1, NULL, 10) == v->id)
      return q;
  }
  return NULL;
}

static KaigiParticipant *
online_as (KaigiRoom *r, gint64 roster)
{
  for (guint i = 0; i < r->people->len; i++) {
    KaigiParticipant *q = g_ptr_array_index (r->people, i);
    if (q->roster == roster)
      return q;
  }
  return NULL;
}

/* Fills the floor for roster entry @id: through their own connection if they joined, else
 * through their venue's endpoint (the venue's audio is then labelled with their name). */
static gboolean
floor_for_roster (KaigiRoom *r, gint64 id, GError **error)
{
  KaigiRosterEntry *e = kaigi_meeting_find_roster (r->meeting, id);
  KaigiParticipant *p;

  if (!e) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_NOT_FOUND,
                 "no one with roster id %" G_GINT64_FORMAT, id);
    return FALSE;
  }
  kaigi_room_floor_clear (&r->floor);
  r->floor.roster = id;
  r->floor.name = g_strdup (e->name);
  r->floor.title = g_strdup (e->title);
  if ((p = online_as (r, id))) {
    r->floor.participant = p;
  } else {
    r->floor.participant = venue_endpoint (r, e->site);
    r->floor.venue = g_strdup (e->site);
  }
  return TRUE;
}

static void
floor_for_participant (KaigiRoom *r, KaigiParticipant *p)
{
  kaigi_room_floor_clear (&r->floor);
  r->floor.participant = p;
  r->floor.roster = p->roster;
  r->floor.name = g_strdup (p->name);
  r->floor.title = g_strdup (p->title);
  if (p->role == KAIGI_ROLE_VENUE)
    r->floor.venue = g_strdup (p->name);
}

gboolean
kaigi_room_floor_give (KaigiRoom *r, KaigiParticipant *by, const char *pid, gint64 roster,
                       GError **error)
{
  KaigiParticipant *p = NULL;
  JsonBuilder *d;

  if (!kaigi_meeting_state_is_running (r->meeting->state)) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_STATE,
                 "the floor can be given only while the meeting is open");
    return FALSE;
  }
  if (pid) {
    if (!(p = target (r, pid, error)))
      return FALSE;
    if (!kaigi_role_may (p->role, KAIGI_ACTION_PUBLISH)) {
      g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_INVALID, "%s cannot speak in this meeting",
                   p->name);
      return FALSE;
    }
    floor_for_participant (r, p);
  } else if (!floor_for_roster (r, roster, error)) {
    return FALSE;
  }
  p = r->floor.participant;
  if (p) {
    if (p->hand) {
      p->hand = FALSE;
      g_ptr_array_remove (r->hands, p);
    }
    /* Given the floor, a person muted by the chair may unmute (they still choose to). */
    if (p->forced)
      p->unmute_asked = TRUE;
  }
  d = kaigi_room_detail (by ? by->ref : NULL);
  kaigi_room_detail_string (d, "name", r->floor.name);
  kaigi_room_detail_string (d, "venue", r->floor.venue);
  kaigi_room_detail_string (d, "through", p ? p->ref : NULL);
  if (r->floor.roster)
    kaigi_room_detail_int (d, "roster", r->floor.roster);
  g_autofree char *who = r->floor.roster ? g_strdup_printf ("r%" G_GINT64_FORMAT, r->floor.roster)
                                         : g_strdup (p->ref);
  kaigi_room_record (r, "floor", who, d);
  {
    g_autofree char *label = g_strdup_printf ("%s%s%s", r->floor.title ? r->floor.title : "",
                                              r->floor.title && *r->floor.title ? " " : "",
                                              r->floor.name ? r->floor.name : "");
    kaigi_room_record_chapter (r, "speaker", label);
  }
  kaigi_room_send_meeting (r, NULL, NULL);
  return TRUE;
}

void
kaigi_room_floor_take (KaigiRoom *r, KaigiParticipant *by)
{
  if (!r->floor.name)
    return;
  kaigi_room_floor_clear (&r->floor);
  kaigi_room_record (r, "floor-end", by ? by->ref : NULL, NULL);
  kaigi_room_send_meeting (r, NULL, NULL);
}

/* ---- mute, unmute request, removal ---- */

gboolean
kaigi_room_mute_other (KaigiRoom *r, KaigiParticipant *by, const char *pid, GError **error)
{
  KaigiParticipant *p = target (r, pid, error);
  JsonBuilder *b;

  if (!p)
    return FALSE;
  if (!p->forced) {
    p->forced = TRUE;
    p->unmute_asked = FALSE;
    kaigi_room_set_mic_enforced (r, p, TRUE);
  }
  p->audio = FALSE;
  b = kaigi_room_begin ("muted");
  json_builder_set_member_name (b, "by");
  json_builder_add_string_value (b, by ? by->name : "");
  kaigi_room_send_to (r, p, b);
  kaigi_room_participant_changed (r, p);
  kaigi_room_record (r, "muted-by-chair", p->ref, kaigi_room_detail (by ? by->ref : NULL));
  return TRUE;
}

/* Never a silent remote unmute: the person is asked, and unmutes themselves if they agree
 * (kaigi_room_set_sending lets them through once). */
gboolean
kaigi_room_unmute_request (KaigiRoom *r, KaigiParticipant *by, const char *pid, GError **error)
{
  KaigiParticipant *p = target (r, pid, error);
  JsonBuilder *b;

  if (!p)
    return FALSE;
  p->unmute_asked = TRUE;
  b = kaigi_room_begin ("unmute-requested");
  json_builder_set_member_name (b, "by");
  json_builder_add_string_value (b, by ? by->name : "");
  kaigi_room_send_to (r, p, b);
  kaigi_room_record (r, "unmute-requested", p->ref, kaigi_room_detail (by ? by->ref : NULL));
  return TRUE;
}

gboolean
kaigi_room_remove (KaigiRoom *r, KaigiParticipant *by, const char *pid, GError **error)
{
  KaigiParticipant *p = target (r, pid, error);

  if (!p)
    return FALSE;
  if (p == by) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_INVALID, "to leave, use 'leave'");
    return FALSE;
  }
  if (p->role != KAIGI_ROLE_VIEWER)
    g_hash_table_add (r->removed, g_strdup (p->ref));
  kaigi_room_record (r, "removed", p->ref, kaigi_room_detail (by ? by->ref : NULL));
  kaigi_room_drop (p, "removed", "the chair removed you from this meeting");
  return TRUE;
}

/* ---- state, agenda, decisions, attendance ---- */

static gboolean
persist_state (KaigiRoom *r, GError **error)
{
  KaigiMeeting *m = r->meeting;

  return !r->opt.store
         || kaigi_store_meeting_set_state (r->opt.store, m->id, m->state, m->current_item, error);
}

gboolean
kaigi_room_change_state (KaigiRoom *r, KaigiParticipant *by, const char *command, GError **error)
{
  KaigiMeeting *m = r->meeting;
  KaigiMeetingState to, from = m->state;
  JsonBuilder *d;

  if (!kaigi_meeting_state_next (from, command, m->closed, &to, error))
    return FALSE;
  m->state = to;
  if (!persist_state (r, error)) {
    m->state = from;
    return FALSE;
  }
  r->state_since_us = g_get_real_time ();
  if (from == KAIGI_MEETING_SCHEDULED) {
    m->opened_at_us = g_get_real_time ();
    kaigi_room_record (r, "opened", by ? by->ref : NULL, NULL);
  }
  if (to == KAIGI_MEETING_ADJOURNED)
    kaigi_room_floor_clear (&r->floor);
  d = kaigi_room_detail (by ? by->ref : NULL);
  kaigi_room_detail_string (d, "from", kaigi_meeting_state_to_string (from));
  kaigi_room_detail_string (d, "to", kaigi_meeting_state_to_string (to));
  kaigi_room_record (r, "state", by ? by->ref : NULL, d);
  kaigi_room_record_state (r);
  GST_INFO ("meeting %" G_GINT64_FORMAT ": %s -> %s", m->id, kaigi_meeting_state_to_string (from),
            kaigi_meeting_state_to_string (to));
  kaigi_room_send_meeting (r, NULL, NULL);
  return TRUE;
}

gboolean
kaigi_room_set_item (KaigiRoom *r, KaigiParticipant *by, gint64 item, GError **error)
{
  KaigiMeeting *m = r->meeting;
  KaigiAgendaItem *it = kaigi_meeting_find_item (m, item);
  gint64 before = m->current_item;
  JsonBuilder *d;

  if (!it) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_NOT_FOUND, "no agenda item %" G_GINT64_FORMAT,
                 item);
    return FALSE;
  }
  if (!kaigi_meeting_state_is_running (m->state)) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_STATE,
                 "agenda items are taken up only while the meeting is open");
    return FALSE;
  }
  m->current_item = item;
  if (!persist_state (r, error)) {
    m->current_item = before;
    return FALSE;
  }
  d = kaigi_room_detail (by ? by->ref : NULL);
  kaigi_room_detail_int (d, "item", item);
  kaigi_room_detail_string (d, "number", it->number);
  kaigi_room_detail_string (d, "title", it->title);
  kaigi_room_record (r, "agenda", NULL, d);
  {
    g_autofree char *label
        = g_strdup_printf ("%s %s", it->number ? it->number : "", it->title ? it->title : "");
    kaigi_room_record_chapter (r, "item", g_strstrip (label));
  }
  kaigi_room_send_meeting (r, NULL, NULL);
  return TRUE;
}

/* Names of roster ids, for the record; NULL (error set) if an id is not on the roster. */
static GStrv
names_of (KaigiRoom *r, GArray *ids, const char *field, GError **error)
{
  g_autoptr (GStrvBuilder) sb = g_strv_builder_new ();

  for (guint i = 0; ids && i < ids->len; i++) {
    gint64 id = g_array_index (ids, gint64, i);
    KaigiRosterEntry *e = kaigi_meeting_find_roster (r->meeting, id);
    if (!e) {
      g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_INVALID,
                   "%s: no one with roster id %" G_GINT64_FORMAT, field, id);
      return NULL;
    }
    g_strv_builder_add (sb, e->name);
  }
  return g_strv_builder_end (sb);
}

static JsonNode *
strv_node (GStrv v)
{
  JsonArray *a = json_array_new ();
  JsonNode *n = json_node_new (JSON_NODE_ARRAY);

  for (guint i = 0; v && v[i]; i++)
    json_array_add_string_element (a, v[i]);
  json_node_take_array (n, a);
  return n;
}

static void
remember_decision (KaigiRoom *r, gint64 id, gint64 item, const char *kind, const char *text,
                   GStrv yes, GStrv no, GStrv abstain)
{
  JsonObject *o = json_object_new ();

  json_object_set_int_member (o, "id", id);
  json_object_set_int_member (o, "item", item);
  json_object_set_string_member (o, "kind", kind);
  json_object_set_string_member (o, "text", text ? text : "");
  json_object_set_member (o, "for", strv_node (yes));
  json_object_set_member (o, "against", strv_node (no));
  json_object_set_member (o, "abstain", strv_node (abstain));
  json_object_set_int_member (o, "at_us", g_get_real_time ());
  json_array_add_object_element (r->decisions, o);
}

gboolean
kaigi_room_decide (KaigiRoom *r, KaigiParticipant *by, gint64 item, const char *kind,
                   const char *text, GArray *for_ids, GArray *against_ids, GArray *abstain_ids,
                   GError **error)
{
  g_auto (GStrv) yes = NULL, no = NULL, abstain = NULL;
  gint64 id = 0;
  JsonBuilder *d;

  if (!kaigi_meeting_find_item (r->meeting, item)) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_NOT_FOUND, "no agenda item %" G_GINT64_FORMAT,
                 item);
    return FALSE;
  }
  if (g_strcmp0 (kind, "approved") != 0 && g_strcmp0 (kind, "vote") != 0) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_INVALID, "'kind' must be approved or vote");
    return FALSE;
  }
  if (!kaigi_meeting_state_is_running (r->meeting->state)) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_STATE,
                 "decisions are taken only while the meeting is open");
    return FALSE;
  }
  if (!(yes = names_of (r, for_ids, "for", error))
      || !(no = names_of (r, against_ids, "against", error))
      || !(abstain = names_of (r, abstain_ids, "abstain", error)))
    return FALSE;
  if (r->opt.store) {
    id = kaigi_store_decision_add (r->opt.store, r->meeting->id, item, kind, text,
                                   (const char *const *)yes, (const char *const *)no,
                                   (const char *const *)abstain, error);
    if (id < 0)
      return FALSE;
  } else {
    id = json_array_get_length (r->decisions) + 1;
  }
  remember_decision (r, id, item, kind, text, yes, no, abstain);
  d = kaigi_room_detail (by ? by->ref : NULL);
  kaigi_room_detail_int (d, "decision", id);
  kaigi_room_detail_int (d, "item", item);
  kaigi_room_detail_string (d, "kind", kind);
  kaigi_room_record (r, "decision", NULL, d);
  kaigi_room_send_meeting (r, NULL, NULL);
  return TRUE;
}

gboolean
kaigi_room_mark_in_room (KaigiRoom *r, KaigiParticipant *by, gint64 roster, gboolean in_room,
                         GError **error)
{
  KaigiRosterEntry *e = kaigi_meeting_find_roster (r->meeting, roster);
  JsonBuilder *d;

  if (!e) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_NOT_FOUND,
                 "no one with roster id %" G_GINT64_FORMAT, roster);
    return FALSE;
  }
  if (e->in_room == in_room)
    return TRUE;
  if (by && r->opt.store
      && !kaigi_store_roster_set_in_room (r->opt.store, r->meeting->id, roster, in_room, error))
    return FALSE;
  e->in_room = in_room;
  d = kaigi_room_detail (by ? by->ref : NULL);
  json_builder_set_member_name (d, "in_room");
  json_builder_add_boolean_value (d, in_room);
  g_autofree char *who = g_strdup_printf ("r%" G_GINT64_FORMAT, roster);
  kaigi_room_record (r, "attendance", who, d);
  kaigi_room_send_meeting (r, NULL, NULL);
  return TRUE;
}
