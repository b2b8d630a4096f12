/* room-minutes.c: the room's side of the minutes.
 *
 *   participant's mic -> detector (media/listen.c) -> kaigi_room_speech: who said it (the
 *     participant, or for a venue the floor's holder), the agenda item, public or closed,
 *     and the wall-clock times -> recognition (minutes/asr.c, worker threads)
 *   -> kaigi_rooms_recognised (rooms.c) stores the utterance -> kaigi_room_caption: a
 *     `caption` message to everyone in the meeting (but public viewers, who get only what
 *     was said in public), and, while the public gate is open, the public captions (the
 *     public page's list and the live HLS WebVTT rendition: room-captions.c).
 *
 * Attribution: an online member's own track names them. A venue's track carries many people:
 * the floor's holder when the floor was given to someone there (指名), else the chair when the
 * chair sits in that venue, else the venue itself; the secretariat corrects in the editor.
 * Main thread only. */
#define G_LOG_DOMAIN "kaigi-room"

#include "room-private.h"

#include "kaigi-error.h"

/* Names and terms for engines that take a vocabulary (whisper's prompt). */
static GStrv
vocabulary (KaigiRoom *r)
{
  g_autoptr (GStrvBuilder) b = g_strv_builder_new ();
  KaigiMeeting *m = r->meeting;

  for (guint i = 0; i < m->roster->len; i++) {
    KaigiRosterEntry *e = g_ptr_array_index (m->roster, i);
    g_autofree char *who = g_strdup_printf ("%s%s", e->name, e->title ? e->title : "");
    g_strv_builder_add (b, who);
  }
  for (guint i = 0; i < m->agenda->len; i++)
    g_strv_builder_add (b, ((KaigiAgendaItem *)g_ptr_array_index (m->agenda, i))->title);
  return g_strv_builder_end (b);
}

static KaigiRosterEntry *
roster_entry (KaigiRoom *r, gint64 id)
{
  for (guint i = 0; id && i < r->meeting->roster->len; i++) {
    KaigiRosterEntry *e = g_ptr_array_index (r->meeting->roster, i);
    if (e->id == id)
      return e;
  }
  return NULL;
}

/* The chair, if the chair is on the roster at venue @site and not joined online. */
static KaigiRosterEntry *
chair_at (KaigiRoom *r, const char *site)
{
  for (guint i = 0; i < r->meeting->roster->len; i++) {
    KaigiRosterEntry *e = g_ptr_array_index (r->meeting->roster, i);
    if (e->role != KAIGI_ROLE_CHAIR || g_strcmp0 (e->site, site) != 0)
      continue;
    for (guint j = 0; j < r->people->len; j++)
      if (((KaigiParticipant *)g_ptr_array_index (r->people, j))->roster == e->id)
        return NULL;
    return e;
  }
  return NULL;
}

static void
add_speaker (JsonBuilder *b, gint64 roster, const char *name, const char *title, const char *venue)
{
  json_builder_set_member_name (b, "speaker");
  json_builder_add_int_value (b, roster);
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, name ? name : "");
  json_builder_set_member_name (b, "title");
  json_builder_add_string_value (b, title ? title : "");
  json_builder_set_member_name (b, "venue");
  json_builder_add_string_value (b, venue ? venue : "");
}

static void
attribute (KaigiRoom *r, KaigiParticipant *p, JsonBuilder *b)
{
  KaigiRosterEntry *e;

  if (r->floor.name && r->floor.participant == p) {
    add_speaker (b, r->floor.roster, r->floor.name, r->floor.title, r->floor.venue);
  } else if (p->role != KAIGI_ROLE_VENUE) {
    e = roster_entry (r, p->roster);
    add_speaker (b, p->roster, p->name, p->title, e ? e->site : "");
  } else if ((e = chair_at (r, p->name))) {
    add_speaker (b, e->id, e->name, e->title, p->name);
  } else {
    add_speaker (b, 0, p->name, "", p->name);
  }
}

void
kaigi_room_speech (KaigiParticipant *p, const KaigiVadSegment *s)
{
  KaigiRoom *r = p->room;
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *meta = NULL;
  g_auto (GStrv) words = NULL;
  KaigiMeetingState state = r->meeting->state;

  /* Before the meeting opens and after it ends nothing is minuted; in recess neither. */
  if (!r->opt.asr || state == KAIGI_MEETING_SCHEDULED || state == KAIGI_MEETING_ADJOURNED
      || state == KAIGI_MEETING_RECESS)
    return;
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "meeting");
  json_builder_add_int_value (b, r->meeting->id);
  json_builder_set_member_name (b, "participant");
  json_builder_add_string_value (b, p->ref);
  attribute (r, p, b);
  json_builder_set_member_name (b, "item");
  json_builder_add_int_value (b, r->meeting->current_item);
  json_builder_set_member_name (b, "public");
  /* Public only if all of it was said in public: speech that began in a closed session and
   * ran past the return to public stays closed. */
  json_builder_add_boolean_value (b, state == KAIGI_MEETING_PUBLIC
                                         && s->audio_us >= r->state_since_us);
  json_builder_set_member_name (b, "start_us");
  json_builder_add_int_value (b, s->start_us);
  json_builder_set_member_name (b, "end_us");
  json_builder_add_int_value (b, s->end_us);
  json_builder_set_member_name (b, "media_us");
  json_builder_add_int_value (b, r->meeting->opened_at_us ? s->start_us - r->meeting->opened_at_us
                                                          : 0);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  meta = json_to_string (root, FALSE);
  words = vocabulary (r);
  kaigi_asr_submit_streamed (r->opt.asr, s->stream, meta, s->samples, (const char *const *)words);
}

KaigiUtterance *
kaigi_room_utterance_from_meta (const char *meta, const char *text, double confidence,
                                gint64 *meeting, GError **error)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (KaigiUtterance) u = kaigi_utterance_new ();
  JsonObject *o;

  if (!json_parser_load_from_data (parser, meta, -1, error))
    return NULL;
  if (!json_parser_get_root (parser) || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser))) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_INVALID, "not a recognition job");
    return NULL;
  }
  o = json_node_get_object (json_parser_get_root (parser));
  *meeting = json_object_get_int_member_with_default (o, "meeting", 0);
  u->item = json_object_get_int_member_with_default (o, "item", 0);
  u->speaker = json_object_get_int_member_with_default (o, "speaker", 0);
  g_free (u->speaker_name);
  u->speaker_name = g_strdup (json_object_get_string_member_with_default (o, "name", ""));
  g_free (u->venue);
  u->venue = g_strdup (json_object_get_string_member_with_default (o, "venue", ""));
  u->start_us = json_object_get_int_member_with_default (o, "start_us", 0);
  u->end_us = json_object_get_int_member_with_default (o, "end_us", 0);
  u->media_us = json_object_get_int_member_with_default (o, "media_us", 0);
  u->is_public = json_object_get_boolean_member_with_default (o, "public", FALSE);
  g_free (u->text);
  u->text = g_strdup (text);
  u->confidence = confidence;
  u->state = KAIGI_UTTERANCE_TRANSCRIBED;
  if (*meeting <= 0 || u->start_us <= 0) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_INVALID, "recognition job without meeting");
    return NULL;
  }
  return g_steal_pointer (&u);
}

static char *
caption_json (const KaigiUtterance *u, const char *title, gint64 now_us)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (b, "caption");
  json_builder_set_member_name (b, "id");
  json_builder_add_int_value (b, u->id);
  json_builder_set_member_name (b, "speaker");
  json_builder_add_string_value (b, u->speaker_name);
  json_builder_set_member_name (b, "title");
  json_builder_add_string_value (b, title ? title : "");
  json_builder_set_member_name (b, "text");
  json_builder_add_string_value (b, u->text);
  json_builder_set_member_name (b, "public");
  json_builder_add_boolean_value (b, u->is_public);
  json_builder_set_member_name (b, "start");
  json_builder_add_int_value (b, u->start_us / 1000);
  json_builder_set_member_name (b, "end");
  json_builder_add_int_value (b, u->end_us / 1000);
  json_builder_set_member_name (b, "at");
  json_builder_add_int_value (b, now_us / 1000);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  return json_to_string (root, FALSE);
}

void
kaigi_room_caption (KaigiRoom *r, const KaigiUtterance *u)
{
  KaigiRosterEntry *e = roster_entry (r, u->speaker);
  gint64 now = g_get_real_time ();
  g_autofree char *text = caption_json (u, e ? e->title : NULL, now);
  gboolean open = r->program && kaigi_program_is_open (r->program);

  for (guint i = 0; i < r->people->len; i++) {
    KaigiParticipant *q = g_ptr_array_index (r->people, i);
    if (q->target
        && (q->role != KAIGI_ROLE_VIEWER
            || (u->is_public && r->meeting->state == KAIGI_MEETING_PUBLIC)))
      r->ops->send (q->target, text);
  }
  /* The public get it only if it was said in public and the gate is open now. */
  if (u->is_public && r->meeting->state == KAIGI_MEETING_PUBLIC && (open || !r->program))
    kaigi_room_captions_add (r, u, e ? e->title : NULL, now);
}
