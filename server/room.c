/* room.c: one meeting's live state: participants and their media.
 *
 * What: the participants in join order with their role and mute state, and for each of them
 * which other participant each of their K video slots shows. It tells clients about every
 * change, writes joins and leaves to the meeting's timeline (who = the roster/venue/account
 * ref, so attendance can be read back), and drives the media layer (peer.c, media/forward.c)
 * from that state: when a participant's media connects, their mic goes into the meeting's
 * mixer (media/mix.c) and they hear its mix of everyone but themselves, and their slots are filled
 * with the first others that have media, in join order. The chair's controls are in
 * room-chair.c; roles are checked before anything gets here (signalling.c, roles.c).
 *
 * Who is in whose video slots (last-N: pins, then the last speakers) is room-slots.c; the
 * room keeps the speakers in order, as the meeting's mixer reports them (kaigi_room_speaking).
 *
 * Participant life:  join --kaigi_room_join--> waiting for media (or none: media FALSE)
 *                    --kaigi_room_media_connected--> connected --kaigi_room_leave--> gone
 *
 * Thread: main loop only. */
#include "room-private.h"

#include <gst/gst.h>
#include <math.h>

#include "kaigi-error.h"
#include "message.h"
#include "roles.h"

GST_DEBUG_CATEGORY (kaigi_room_debug);
#define GST_CAT_DEFAULT kaigi_room_debug

static guint
n_slots (KaigiRoom *r)
{
  return r->opt.peer.slots;
}

static void on_mix_speaking (gpointer user, gpointer who, gboolean speaking, double level_db);

static void
participant_free (KaigiParticipant *p)
{
  if (p->whip_answered) /* a WHIP ingest that ended (DELETE, the room closed) unanswered */
    p->whip_answered (p->id, NULL, "the ingest ended before its answer", p->whip_user);
  if (p->connect_timer)
    g_source_remove (p->connect_timer);
  g_free (p->id);
  g_free (p->ref);
  g_free (p->name);
  g_free (p->title);
  g_free (p->slots);
  g_free (p);
}

static JsonArray *
load_decisions (KaigiRoom *r)
{
  g_autoptr (JsonNode) n = NULL;

  if (r->opt.store)
    n = kaigi_store_decisions_json (r->opt.store, r->meeting->id, NULL);
  if (n && JSON_NODE_HOLDS_ARRAY (n))
    return json_array_ref (json_node_get_array (n));
  return json_array_new ();
}

KaigiRoom *
kaigi_room_new (const KaigiRoomOptions *opt, KaigiGraph *graph, KaigiTimeline *timeline,
                const KaigiRoomClientOps *ops)
{
  KaigiRoom *r = g_new0 (KaigiRoom, 1);

  if (!kaigi_room_debug)
    GST_DEBUG_CATEGORY_INIT (kaigi_room_debug, "kaigi-room", 0, "kaigi meeting room");
  r->opt = *opt;
  r->meeting = opt->meeting;
  r->opt.meeting = NULL;
  r->graph = graph;
  r->timeline = timeline;
  r->ops = ops;
  r->people = g_ptr_array_new ();
  r->hands = g_ptr_array_new ();
  r->speakers = g_ptr_array_new ();
  r->removed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  r->decisions = load_decisions (r);
  r->next_id = 1;
  if (graph) {
    g_autoptr (GError) error = NULL;
    r->mix = kaigi_mix_new (graph, opt->peer.jitter_latency_ms, opt->peer.audio_bitrate,
                            on_mix_speaking, r, &error);
    if (!r->mix)
      GST_ERROR ("meeting %" G_GINT64_FORMAT ": no audio mix: %s", r->meeting->id, error->message);
  }
  kaigi_room_program_start (r);
  return r;
}

void
kaigi_room_free (KaigiRoom *r)
{
  if (!r)
    return;
  while (r->people->len)
    kaigi_room_leave (r, g_ptr_array_index (r->people, r->people->len - 1));
  g_ptr_array_unref (r->people);
  g_ptr_array_unref (r->hands);
  g_ptr_array_unref (r->speakers);
  g_hash_table_unref (r->removed);
  json_array_unref (r->decisions);
  kaigi_room_program_free (r);
  g_clear_pointer (&r->mix, kaigi_mix_free); /* after the program, which takes its total */
  kaigi_room_captions_free (r);
  kaigi_room_record_free (r);
  kaigi_room_floor_clear (&r->floor);
  kaigi_meeting_free (r->meeting);
  g_free (r);
}

void
kaigi_room_replace_meeting (KaigiRoom *r, KaigiMeeting *m)
{
  kaigi_meeting_free (r->meeting);
  r->meeting = m;
  kaigi_room_send_meeting (r, NULL, NULL);
}

/* ---- messages ---- */

void
kaigi_room_add_participant_json (JsonBuilder *b, KaigiParticipant *p)
{
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, p->id);
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, p->name);
  json_builder_set_member_name (b, "title");
  json_builder_add_string_value (b, p->title);
  json_builder_set_member_name (b, "role");
  json_builder_add_string_value (b, kaigi_role_to_string (p->role));
  json_builder_set_member_name (b, "ref");
  json_builder_add_string_value (b, p->ref);
  json_builder_set_member_name (b, "audio");
  json_builder_add_boolean_value (b, p->audio);
  json_builder_set_member_name (b, "video");
  json_builder_add_boolean_value (b, p->video);
  json_builder_set_member_name (b, "media");
  json_builder_add_boolean_value (b, p->media);
  json_builder_set_member_name (b, "forced");
  json_builder_add_boolean_value (b, p->forced);
  json_builder_end_object (b);
}

JsonBuilder *
kaigi_room_begin (const char *type)
{
  JsonBuilder *b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (b, type);
  return b;
}

static char *
finish (JsonBuilder *b)
{
  g_autoptr (JsonNode) root = NULL;

  json_builder_end_object (b);
  root = json_builder_get_root (b);
  return json_to_string (root, FALSE);
}

void
kaigi_room_send_to (KaigiRoom *r, KaigiParticipant *p, JsonBuilder *b)
{
  g_autofree char *text = finish (b);

  if (p->target) /* a WHIP ingest has no signalling */
    r->ops->send (p->target, text);
  g_object_unref (b);
}

/* Sends one message to everyone but @except. */
void
kaigi_room_broadcast (KaigiRoom *r, KaigiParticipant *except, JsonBuilder *b)
{
  g_autofree char *text = finish (b);

  for (guint i = 0; i < r->people->len; i++) {
    KaigiParticipant *q = g_ptr_array_index (r->people, i);
    if (q != except)
      if (q->target)
        r->ops->send (q->target, text);
  }
  g_object_unref (b);
}

void
kaigi_room_participant_changed (KaigiRoom *r, KaigiParticipant *p)
{
  JsonBuilder *b = kaigi_room_begin ("participant-updated");

  json_builder_set_member_name (b, "participant");
  kaigi_room_add_participant_json (b, p);
  kaigi_room_broadcast (r, NULL, b);
  kaigi_room_program_update (r); /* a camera turned on or off may change the picture */
}

/* Onto the meeting's timeline; written by the timeline's own thread, not here. @detail is an
 * object being built (its closing brace is added here), or NULL. With media, every event
 * carries "media_time_us": the pipeline's running time, the clock the recorded pieces are
 * stamped with (manifest.json maps it to wall clock per session), so any moment of the
 * timeline can be found in any track. */
void
kaigi_room_record (KaigiRoom *r, const char *kind, const char *who, JsonBuilder *detail)
{
  g_autofree char *text = NULL;

  if (r->graph) {
    if (!detail) {
      detail = json_builder_new ();
      json_builder_begin_object (detail);
    }
    json_builder_set_member_name (detail, "media_time_us");
    json_builder_add_int_value (detail, kaigi_graph_running_time (r->graph) / GST_USECOND);
  }
  if (detail) {
    json_builder_end_object (detail);
    g_autoptr (JsonNode) n = json_builder_get_root (detail);
    text = json_to_string (n, FALSE);
    g_object_unref (detail);
  }
  if (r->timeline)
    kaigi_timeline_append (r->timeline, r->meeting->id, kind, who, text);
}

KaigiParticipant *
kaigi_room_find (KaigiRoom *r, const char *pid)
{
  for (guint i = 0; pid && i < r->people->len; i++) {
    KaigiParticipant *q = g_ptr_array_index (r->people, i);
    if (g_str_equal (q->id, pid))
      return q;
  }
  return NULL;
}

/* ---- joining ---- */

static void on_offer (gpointer user, const char *sdp);
static void on_ice_candidate (gpointer user, guint mline, const char *candidate);
static void on_answer_result (gpointer user, gboolean ok, const char *message);
static void on_connected (gpointer user);
static void on_failed (gpointer user, const char *message);

static void
on_speech (gpointer user, const KaigiVadSegment *segment)
{
  kaigi_room_speech (user, segment);
}

static const KaigiPeerEvents peer_events = {
  .offer = on_offer,
  .ice_candidate = on_ice_candidate,
  .answer_result = on_answer_result,
  .connected = on_connected,
  .failed = on_failed,
  .speech = on_speech,
};

static void
send_welcome (KaigiRoom *r, KaigiParticipant *p)
{
  JsonBuilder *b = kaigi_room_begin ("welcome");

  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, p->id);
  json_builder_set_member_name (b, "you");
  kaigi_room_add_participant_json (b, p);
  json_builder_set_member_name (b, "meeting");
  kaigi_room_add_meeting_json (r, p, b);
  kaigi_meeting_add_agenda (b, r->meeting);
  if (p->role != KAIGI_ROLE_VIEWER) { /* the public list of 出席者 */
    kaigi_meeting_add_roster (b, r->meeting);
    kaigi_meeting_add_venues (b, r->meeting);
  }
  json_builder_set_member_name (b, "slots");
  json_builder_add_int_value (b, p->media ? n_slots (r) : 0);
  json_builder_set_member_name (b, "iceServers");
  kaigi_ice_servers_add_json (r->opt.peer.ice_servers, b, p->id,
                              g_get_real_time () / G_USEC_PER_SEC);
  json_builder_set_member_name (b, "participants");
  json_builder_begin_array (b);
  for (guint i = 0; i < r->people->len; i++) {
    KaigiParticipant *q = g_ptr_array_index (r->people, i);
    if (q != p)
      kaigi_room_add_participant_json (b, q);
  }
  json_builder_end_array (b);
  kaigi_room_send_to (r, p, b);
}

/* Main thread. A browser that never answers, or whose ICE never completes, would hold its
 * place and its elements until its socket closes. */
static gboolean
on_connect_timeout (gpointer user_data)
{
  KaigiParticipant *p = user_data;

  p->connect_timer = 0;
  kaigi_room_drop (p, "media-timeout", "the media connection was not established in time");
  return G_SOURCE_REMOVE;
}

/* Fills in name, title, role and roster id from the meeting for @req->ref. */
static gboolean
identify (KaigiRoom *r, const KaigiJoinRequest *req, KaigiParticipant *p, GError **error)
{
  gint64 id = 0;

  if (req->ref[0] && req->ref[1])
    id = g_ascii_strtoll (req->ref + 1, NULL, 10);
  if (req->ref[0] == 'r') {
    KaigiRosterEntry *e = kaigi_meeting_find_roster (r->meeting, id);
    if (!e) {
      g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_NOT_FOUND,
                   "this join link's person is no longer on the roster");
      return FALSE;
    }
    p->roster = id, p->name = g_strdup (e->name), p->title = g_strdup (e->title);
    p->role = e->role;
  } else if (req->ref[0] == 'v') {
    KaigiVenue *v = kaigi_meeting_find_venue (r->meeting, id);
    if (!v) {
      g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_NOT_FOUND,
                   "this join link's venue is no longer in the meeting");
      return FALSE;
    }
    p->name = g_strdup (v->name), p->title = g_strdup (""), p->role = KAIGI_ROLE_VENUE;
  } else {
    p->name = g_strdup (req->name ? req->name : req->ref);
    p->title = g_strdup ("");
    p->role = req->role;
  }
  return TRUE;
}

static gboolean
admissible (KaigiRoom *r, const KaigiJoinRequest *req, GError **error)
{
  if (g_hash_table_contains (r->removed, req->ref)) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_FORBIDDEN,
                 "the chair removed you from this meeting");
    return FALSE;
  }
  if (r->meeting->state == KAIGI_MEETING_ADJOURNED) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_STATE, "the meeting has been adjourned");
    return FALSE;
  }
  if (r->people->len >= r->opt.max_participants) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_FULL, "the meeting is full (%u people)",
                 r->opt.max_participants);
    return FALSE;
  }
  return TRUE;
}

/* One seat per person: an earlier connection of the same ref (a second tab, a reconnect
 * before the old socket timed out) gives way. Viewers share the ref "public". */
static void
replace_earlier (KaigiRoom *r, const char *ref, gboolean whip)
{
  for (guint i = 0; i < r->people->len; i++) {
    KaigiParticipant *q = g_ptr_array_index (r->people, i);
    /* A venue's page and its WHIP ingest are two seats of one place. */
    if (g_str_equal (q->ref, ref) && q->role != KAIGI_ROLE_VIEWER && q->whip == whip) {
      kaigi_room_drop (q, "replaced", "you joined this meeting from another window");
      return;
    }
  }
}

/* A timeline event's detail object; @by_ref (nullable) names who acted. Recorded (and
 * freed) by kaigi_room_record. */
JsonBuilder *
kaigi_room_detail (const char *by_ref)
{
  JsonBuilder *d = json_builder_new ();

  json_builder_begin_object (d);
  if (by_ref)
    kaigi_room_detail_string (d, "by", by_ref);
  return d;
}

void
kaigi_room_detail_string (JsonBuilder *d, const char *key, const char *value)
{
  json_builder_set_member_name (d, key);
  value ? json_builder_add_string_value (d, value) : json_builder_add_null_value (d);
}

void
kaigi_room_detail_int (JsonBuilder *d, const char *key, gint64 value)
{
  json_builder_set_member_name (d, key);
  json_builder_add_int_value (d, value);
}

KaigiParticipant *
kaigi_room_join (KaigiRoom *r, const KaigiJoinRequest *req, gpointer target, GError **error)
{
  KaigiParticipant *p;
  JsonBuilder *b, *d;

  if (!admissible (r, req, error))
    return NULL;
  p = g_new0 (KaigiParticipant, 1);
  p->room = r;
  if (!identify (r, req, p, error)) {
    participant_free (p);
    return NULL;
  }
  p->ref = g_strdup (req->ref);
  p->whip = req->whip_offer != NULL;
  if (p->role != KAIGI_ROLE_VIEWER)
    replace_earlier (r, p->ref, p->whip);
  p->id = g_strdup_printf ("p%u", r->next_id++);
  p->media = req->media && kaigi_role_may (p->role, KAIGI_ACTION_RECEIVE);
  p->audio = p->video = p->media && kaigi_role_may (p->role, KAIGI_ACTION_PUBLISH);
  p->target = target;
  p->slots = g_new0 (KaigiParticipant *, n_slots (r));
  if (r->graph && p->media) {
    KaigiPeerOptions po = r->opt.peer;
    po.slots = n_slots (r) + 1;     /* and the materials slot (room-slots.c) */
    po.listen = r->opt.asr != NULL; /* every published mic is minuted */
    po.asr = r->opt.asr;
    if (p->whip) {
      char *name = g_strdup_printf ("%s (WHIP)", p->name ? p->name : p->ref);
      g_free (p->name);
      p->name = name;
      p->whip_answered = req->whip_answered;
      p->whip_user = req->whip_user;
      p->peer
          = kaigi_peer_new_ingest (r->graph, p->id, &po, req->whip_offer, &peer_events, p, error);
    } else {
      p->peer = kaigi_peer_new (r->graph, p->id, &po, &peer_events, p, error);
    }
    if (!p->peer) {
      p->whip_answered = NULL; /* the caller hears of it through @error */
      participant_free (p);
      return NULL;
    }
    p->connect_timer = g_timeout_add_seconds (
        r->opt.connect_timeout_s ? r->opt.connect_timeout_s : 30, on_connect_timeout, p);
  }
  g_ptr_array_add (r->people, p);
  send_welcome (r, p);
  b = kaigi_room_begin ("participant-joined");
  json_builder_set_member_name (b, "participant");
  kaigi_room_add_participant_json (b, p);
  kaigi_room_broadcast (r, p, b);
  d = kaigi_room_detail (NULL);
  kaigi_room_detail_string (d, "participant", p->id);
  kaigi_room_detail_string (d, "name", p->name);
  kaigi_room_detail_string (d, "role", kaigi_role_to_string (p->role));
  kaigi_room_record (r, "join", p->ref, d);
  GST_INFO ("%s joined as %s (%s, %u in meeting %" G_GINT64_FORMAT ")", p->id, p->name,
            kaigi_role_to_string (p->role), r->people->len, r->meeting->id);
  if (p->roster)
    kaigi_room_send_meeting (r, NULL, p); /* the live quorum changed */
  /* Without media there is nothing to wait for: others are shown at once. */
  if (!r->graph && p->media)
    kaigi_room_media_connected (r, p);
  return p;
}

/* The mixer group of @p (media/mixminus.h): a venue's page and its WHIP ingest are one place,
 * the venue's; everyone else is alone (0). */
static guint
place_of (KaigiParticipant *p)
{
  return p->role == KAIGI_ROLE_VENUE && p->ref[0] == 'v'
             ? (guint)g_ascii_strtoull (p->ref + 1, NULL, 10)
             : 0;
}

/* TRUE if @p is a venue's page whose room sends its sound through a live WHIP ingest: the
 * page's mic then stays out of the mix (the room would be heard twice, and the page's mic
 * hears the loudspeakers). */
static gboolean
ingest_live (KaigiRoom *r, KaigiParticipant *p)
{
  if (p->whip || p->role != KAIGI_ROLE_VENUE)
    return FALSE;
  for (guint i = 0; i < r->people->len; i++) {
    KaigiParticipant *q = g_ptr_array_index (r->people, i);
    if (q->whip && q->connected && g_str_equal (q->ref, p->ref))
      return TRUE;
  }
  return FALSE;
}

/* A WHIP ingest of venue @ref came or went: its page's mic follows. */
static void
page_mics (KaigiRoom *r, const char *ref)
{
  for (guint i = 0; i < r->people->len; i++) {
    KaigiParticipant *q = g_ptr_array_index (r->people, i);
    if (!q->whip && q->peer && g_str_equal (q->ref, ref))
      kaigi_peer_set_mic_muted (q->peer, q->forced || ingest_live (r, q));
  }
}

void
kaigi_room_media_connected (KaigiRoom *r, KaigiParticipant *p)
{
  p->connected = TRUE;
  if (p->connect_timer) {
    g_source_remove (p->connect_timer);
    p->connect_timer = 0;
  }
  if (p->peer && r->mix) {
    kaigi_peer_set_mic_muted (p->peer, p->forced || ingest_live (r, p));
    kaigi_mix_add (r->mix, p->peer, p, place_of (p));
  }
  if (p->whip)
    page_mics (r, p->ref);
  for (guint i = 0; i < r->people->len; i++) {
    KaigiParticipant *q = g_ptr_array_index (r->people, i);
    if (q == p || !q->connected)
      continue;
    kaigi_room_slots_refresh (r, q, FALSE);
  }
  kaigi_room_slots_refresh (r, p, TRUE); /* each new link asks its camera for a keyframe */
  kaigi_room_record_start (r, p);
  kaigi_room_program_connected (r, p);
}

/* The chair's mute is enforced here, not trusted to the browser: the muted mic is silence
 * in the meeting's mix (so in every ear and the program), and sounds again when the person
 * unmutes with the chair's leave. They go on hearing everyone. */
void
kaigi_room_set_mic_enforced (KaigiRoom *r, KaigiParticipant *p, gboolean muted)
{
  if (p->peer)
    kaigi_peer_set_mic_muted (p->peer, muted || ingest_live (r, p));
}

void
kaigi_room_leave (KaigiRoom *r, KaigiParticipant *p)
{
  JsonBuilder *b, *d;

  g_ptr_array_remove (r->people, p);
  g_ptr_array_remove (r->speakers, p);
  if (r->slot_pin == p)
    r->slot_pin = NULL;
  if (r->screen_sharer == p) /* off everyone's materials slot before the peer goes */
    kaigi_room_screen_end (r, "left");
  if (p->whip) /* already out of r->people: its page's mic is back in the mix */
    page_mics (r, p->ref);
  kaigi_room_chair_forget (r, p);
  kaigi_room_record_stop (r, p);
  if (p->peer && r->mix)
    kaigi_mix_remove (r->mix, p->peer);
  if (p->peer)
    kaigi_peer_close (g_steal_pointer (&p->peer));
  kaigi_room_program_left (r, p);
  b = kaigi_room_begin ("participant-left");
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, p->id);
  kaigi_room_broadcast (r, NULL, b);
  d = kaigi_room_detail (NULL);
  kaigi_room_detail_string (d, "participant", p->id);
  kaigi_room_record (r, "leave", p->ref, d);
  GST_INFO ("%s left (%u in the meeting)", p->id, r->people->len);
  if (p->roster)
    kaigi_room_send_meeting (r, NULL, NULL);
  for (guint i = 0; i < r->people->len; i++) {
    KaigiParticipant *q = g_ptr_array_index (r->people, i);
    gboolean cleared = FALSE;
    for (guint s = 0; s < n_slots (r); s++) {
      if (q->slots[s] == p) {
        q->slots[s] = NULL;
        cleared = TRUE;
      }
    }
    if (cleared)
      kaigi_room_slots_refresh (r, q, TRUE);
  }
  participant_free (p);
}

/* ---- active speakers ---- */

/* Main thread: the mix's callback (the graph's bus watch, media/mix.c); @who is the
 * participant given to kaigi_mix_add, whose entry goes before they are freed. */
static void
on_mix_speaking (gpointer user, gpointer who, gboolean speaking, double level_db)
{
  kaigi_room_speaking (user, who, speaking, level_db);
}

void
kaigi_room_speaking (KaigiRoom *r, KaigiParticipant *p, gboolean speaking, double level_db)
{
  g_autofree char *text = NULL;
  JsonBuilder *b;

  if (p->speaking == speaking)
    return;
  p->speaking = speaking;
  if (speaking) {
    g_ptr_array_remove (r->speakers, p);
    g_ptr_array_insert (r->speakers, 0, p);
    kaigi_room_slots_follow (r);
  }
  b = kaigi_room_begin ("speaking");
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, p->id);
  json_builder_set_member_name (b, "speaking");
  json_builder_add_boolean_value (b, speaking);
  json_builder_set_member_name (b, "level");
  json_builder_add_double_value (b, round (level_db * 10) / 10);
  /* Not to the public: who talks in a closed session is not theirs to know. */
  text = finish (b);
  for (guint i = 0; i < r->people->len; i++) {
    KaigiParticipant *q = g_ptr_array_index (r->people, i);
    if (q->role != KAIGI_ROLE_VIEWER)
      if (q->target)
        r->ops->send (q->target, text);
  }
  g_object_unref (b);
}

/* ---- peer events (main thread) ---- */

static void
on_offer (gpointer user, const char *sdp)
{
  KaigiParticipant *p = user;
  JsonBuilder *b;

  if (p->whip) { /* our answer to the encoder's offer */
    if (p->whip_answered)
      p->whip_answered (p->id, sdp, NULL, p->whip_user), p->whip_answered = NULL;
    return;
  }
  b = kaigi_room_begin ("offer");

  json_builder_set_member_name (b, "sdp");
  json_builder_add_string_value (b, sdp);
  kaigi_room_send_to (p->room, p, b);
}

static void
on_ice_candidate (gpointer user, guint mline, const char *candidate)
{
  KaigiParticipant *p = user;
  JsonBuilder *b = kaigi_room_begin ("ice");

  json_builder_set_member_name (b, "candidate");
  json_builder_add_string_value (b, candidate);
  json_builder_set_member_name (b, "sdpMLineIndex");
  json_builder_add_int_value (b, mline);
  kaigi_room_send_to (p->room, p, b);
}

static void
on_answer_result (gpointer user, gboolean ok, const char *message)
{
  KaigiParticipant *p = user;
  g_autofree char *text = NULL;

  if (ok)
    return;
  text = kaigi_message_error ("bad-sdp", message);
  if (p->target)
    p->room->ops->send (p->target, text);
}

static void
on_connected (gpointer user)
{
  KaigiParticipant *p = user;

  GST_INFO ("%s: media connected", p->id);
  kaigi_room_media_connected (p->room, p);
}

/* The server removes @p: tells them why, closes their connection, tells the others. */
void
kaigi_room_drop (KaigiParticipant *p, const char *code, const char *message)
{
  KaigiRoom *r = p->room;
  gpointer target = p->target;

  GST_WARNING ("%s dropped (%s): %s", p->id, code, message);
  if (p->whip_answered) /* a WHIP ingest that failed before its answer */
    p->whip_answered (p->id, NULL, message, p->whip_user), p->whip_answered = NULL;
  if (target)
    r->ops->drop (target, code, message);
  kaigi_room_leave (r, p);
}

static void
on_failed (gpointer user, const char *message)
{
  kaigi_room_drop (user, "internal", message);
}

/* ---- requests from the client ---- */

gboolean
kaigi_room_answer (KaigiRoom *r, KaigiParticipant *p, const char *sdp, GError **error)
{
  if (!p->peer) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_PROTOCOL, "you joined without media");
    return FALSE;
  }
  return kaigi_peer_set_answer (p->peer, sdp, error);
}

void
kaigi_room_ice (KaigiRoom *r, KaigiParticipant *p, guint mline, const char *candidate)
{
  if (p->peer && mline <= kaigi_peer_slot_mline (n_slots (r)))
    kaigi_peer_add_ice_candidate (p->peer, mline, candidate);
}

gboolean
kaigi_room_set_sending (KaigiRoom *r, KaigiParticipant *p, int audio, int video, GError **error)
{
  JsonBuilder *d;

  if (audio == 1 && !p->audio && p->forced) {
    if (!p->unmute_asked) {
      g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_FORBIDDEN,
                   "the chair muted you; you can speak again when the chair asks you or gives "
                   "you the floor");
      return FALSE;
    }
    p->forced = p->unmute_asked = FALSE;
    kaigi_room_set_mic_enforced (r, p, FALSE);
  }
  if ((audio < 0 || audio == p->audio) && (video < 0 || video == p->video))
    return TRUE;
  if (audio >= 0)
    p->audio = audio;
  if (video >= 0)
    p->video = video;
  kaigi_room_participant_changed (r, p);
  d = kaigi_room_detail (NULL);
  json_builder_set_member_name (d, "audio");
  json_builder_add_boolean_value (d, p->audio);
  json_builder_set_member_name (d, "video");
  json_builder_add_boolean_value (d, p->video);
  kaigi_room_record (r, "sending", p->ref, d);
  return TRUE;
}

guint
kaigi_room_count (KaigiRoom *r)
{
  return r->people->len;
}

void
kaigi_room_count_by_role (KaigiRoom *r, guint *by_role)
{
  for (guint i = 0; i < r->people->len; i++)
    by_role[((KaigiParticipant *)g_ptr_array_index (r->people, i))->role]++;
}

gint64
kaigi_room_meeting_id (KaigiRoom *r)
{
  return r->meeting->id;
}

KaigiMeetingState
kaigi_room_state (KaigiRoom *r)
{
  return r->meeting->state;
}

const char *
kaigi_participant_id (KaigiParticipant *p)
{
  return p->id;
}

KaigiRole
kaigi_participant_role (KaigiParticipant *p)
{
  return p->role;
}

const char *
kaigi_participant_slot (KaigiParticipant *p, guint slot)
{
  return slot < n_slots (p->room) && p->slots[slot] ? p->slots[slot]->id : NULL;
}

void
kaigi_room_add_status (KaigiRoom *r, JsonBuilder *b)
{
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_int_value (b, r->meeting->id);
  json_builder_set_member_name (b, "title");
  json_builder_add_string_value (b, r->meeting->title);
  json_builder_set_member_name (b, "state");
  json_builder_add_string_value (b, kaigi_meeting_state_to_string (r->meeting->state));
  json_builder_set_member_name (b, "participants");
  json_builder_add_int_value (b, r->people->len);
  json_builder_end_object (b);
}

/* ---- WHIP ingest ---- */

KaigiParticipant *
kaigi_room_whip_offer (KaigiRoom *r, const KaigiJoinRequest *req, GError **error)
{
  KaigiJoinRequest wr = *req;

  if (req->role != KAIGI_ROLE_VENUE || req->ref[0] != 'v') {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_FORBIDDEN,
                 "only a venue's join token may publish through WHIP");
    return NULL;
  }
  if (!r->graph) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_STATE, "this server runs without media");
    return NULL;
  }
  wr.media = TRUE;
  return kaigi_room_join (r, &wr, NULL, error);
}

gboolean
kaigi_room_whip_close (KaigiRoom *r, const char *session, const char *ref)
{
  KaigiParticipant *p = kaigi_room_find (r, session);

  if (!p || !p->whip || g_strcmp0 (p->ref, ref) != 0)
    return FALSE;
  kaigi_room_leave (r, p);
  return TRUE;
}
