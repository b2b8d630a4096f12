/* room.c: one meeting's live state.
 *
 * What: the participants in join order, their mute state, and for each of them which other
 * participant each of their K video slots shows. It tells clients about every change, writes
 * joins and leaves to the meeting's timeline, and drives the media layer (peer.c,
 * media/forward.c) from that state: when a participant's media connects, their mic goes into
 * everyone else's mix and everyone else's into theirs (mix-minus by construction), and their
 * slots are filled with the first others that have media, in join order.
 *
 * Slots are sticky: a slot keeps its participant until they leave, so nobody's picture jumps
 * when someone else joins. Active-speaker slots come with the media-core issue.
 *
 * Participant life:  join --kaigi_room_join--> waiting for media
 *                    --kaigi_room_media_connected--> connected --kaigi_room_leave--> gone
 *
 * Thread: main loop only. */
#include "room.h"

#include <gst/gst.h>
#include <json-glib/json-glib.h>

#include "kaigi-error.h"
#include "message.h"

GST_DEBUG_CATEGORY_STATIC (kaigi_room_debug);
#define GST_CAT_DEFAULT kaigi_room_debug

#define NAME_MAX_CHARS 64

struct _KaigiParticipant {
  KaigiRoom *room; /* not owned */
  char *id;        /* owned, "p<N>" */
  char *name;      /* owned */
  gboolean audio;  /* sending (not muted) */
  gboolean video;
  gpointer target; /* the client connection, not owned */
  KaigiPeer *peer; /* owned until kaigi_peer_close; NULL without media */
  gboolean connected;
  guint connect_timer;      /* drops the participant if media never connects */
  KaigiParticipant **slots; /* [K] shown participants, not owned */
};

struct _KaigiRoom {
  KaigiRoomOptions opt;
  char *title;             /* owned */
  KaigiGraph *graph;       /* not owned, nullable */
  KaigiTimeline *timeline; /* not owned, nullable */
  const KaigiRoomClientOps *ops;
  GPtrArray *people; /* KaigiParticipant *, join order, owned */
  guint next_id;
};

static guint
n_slots (KaigiRoom *r)
{
  return r->opt.peer.slots;
}

static void
participant_free (KaigiParticipant *p)
{
  if (p->connect_timer)
    g_source_remove (p->connect_timer);
  g_free (p->id);
  g_free (p->name);
  g_free (p->slots);
  g_free (p);
}

KaigiRoom *
kaigi_room_new (const KaigiRoomOptions *opt, KaigiGraph *graph, KaigiTimeline *timeline,
                const KaigiRoomClientOps *ops)
{
  KaigiRoom *r = g_new0 (KaigiRoom, 1);

  GST_DEBUG_CATEGORY_INIT (kaigi_room_debug, "kaigi-room", 0, "kaigi meeting room");
  r->opt = *opt;
  r->title = g_strdup (opt->title);
  r->graph = graph;
  r->timeline = timeline;
  r->ops = ops;
  r->people = g_ptr_array_new ();
  r->next_id = 1;
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
  g_free (r->title);
  g_free (r);
}

/* ---- messages ---- */

static void
add_participant (JsonBuilder *b, KaigiParticipant *p)
{
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, p->id);
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, p->name);
  json_builder_set_member_name (b, "audio");
  json_builder_add_boolean_value (b, p->audio);
  json_builder_set_member_name (b, "video");
  json_builder_add_boolean_value (b, p->video);
  json_builder_end_object (b);
}

static JsonBuilder *
begin (const char *type)
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

static void
send_to (KaigiRoom *r, KaigiParticipant *p, JsonBuilder *b)
{
  g_autofree char *text = finish (b);

  r->ops->send (p->target, text);
  g_object_unref (b);
}

/* Sends one message to everyone but @except. */
static void
broadcast (KaigiRoom *r, KaigiParticipant *except, JsonBuilder *b)
{
  g_autofree char *text = finish (b);

  for (guint i = 0; i < r->people->len; i++) {
    KaigiParticipant *q = g_ptr_array_index (r->people, i);
    if (q != except)
      r->ops->send (q->target, text);
  }
  g_object_unref (b);
}

static void
send_slots (KaigiRoom *r, KaigiParticipant *p)
{
  JsonBuilder *b = begin ("slots");

  json_builder_set_member_name (b, "slots");
  json_builder_begin_array (b);
  for (guint s = 0; s < n_slots (r); s++) {
    const char *mid = p->peer ? kaigi_peer_slot_mid (p->peer, s) : NULL;
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "index");
    json_builder_add_int_value (b, s);
    json_builder_set_member_name (b, "mline");
    json_builder_add_int_value (b, kaigi_peer_slot_mline (s));
    json_builder_set_member_name (b, "mid");
    mid ? json_builder_add_string_value (b, mid) : json_builder_add_null_value (b);
    json_builder_set_member_name (b, "participant");
    p->slots[s] ? json_builder_add_string_value (b, p->slots[s]->id)
                : json_builder_add_null_value (b);
    json_builder_end_object (b);
  }
  json_builder_end_array (b);
  send_to (r, p, b);
}

/* Onto the meeting's timeline; written by the timeline's own thread, not here. */
static void
record (KaigiRoom *r, const char *kind, KaigiParticipant *p, const char *detail)
{
  if (r->timeline)
    kaigi_timeline_append (r->timeline, r->opt.meeting_id, kind, p->id, detail);
}

/* ---- slots ---- */

static gboolean
has_media (KaigiRoom *r, KaigiParticipant *q)
{
  return !r->graph || q->connected;
}

static gboolean
shown (KaigiParticipant *p, KaigiParticipant *q)
{
  for (guint s = 0; s < n_slots (p->room); s++)
    if (p->slots[s] == q)
      return TRUE;
  return FALSE;
}

/* Fills @p's empty slots with the first others that have media and are not shown yet.
 * Returns TRUE if a slot changed. */
static gboolean
fill_slots (KaigiRoom *r, KaigiParticipant *p)
{
  gboolean changed = FALSE;
  guint next = 0;

  for (guint s = 0; s < n_slots (r); s++) {
    if (p->slots[s])
      continue;
    for (; next < r->people->len; next++) {
      KaigiParticipant *q = g_ptr_array_index (r->people, next);
      if (q != p && has_media (r, q) && !shown (p, q)
          && (!p->peer || kaigi_peer_slot_usable (p->peer, s))) {
        p->slots[s] = q;
        changed = TRUE;
        break;
      }
    }
  }
  return changed;
}

static void
apply_slots (KaigiRoom *r, KaigiParticipant *p)
{
  if (!p->peer || !p->connected)
    return;
  for (guint s = 0; s < n_slots (r); s++)
    kaigi_peer_set_slot_source (p->peer, s, p->slots[s] ? p->slots[s]->peer : NULL);
}

static void
refresh_slots (KaigiRoom *r, KaigiParticipant *p, gboolean force)
{
  if (fill_slots (r, p) || force) {
    send_slots (r, p);
    apply_slots (r, p);
  }
}

/* ---- joining ---- */

char *
kaigi_room_clean_name (const char *name, GError **error)
{
  g_autofree char *clean = NULL;
  glong n;

  if (!name || !g_utf8_validate (name, -1, NULL)) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_BAD_NAME, "the name is not valid text");
    return NULL;
  }
  clean = g_strstrip (g_strdup (name));
  n = g_utf8_strlen (clean, -1);
  if (n < 1 || n > NAME_MAX_CHARS) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_BAD_NAME, "the name must have 1 to %d characters",
                 NAME_MAX_CHARS);
    return NULL;
  }
  for (const char *c = clean; *c; c = g_utf8_next_char (c)) {
    if (g_unichar_iscntrl (g_utf8_get_char (c))) {
      g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_BAD_NAME,
                   "the name must not contain control characters");
      return NULL;
    }
  }
  return g_steal_pointer (&clean);
}

static void on_offer (gpointer user, const char *sdp);
static void on_ice_candidate (gpointer user, guint mline, const char *candidate);
static void on_answer_result (gpointer user, gboolean ok, const char *message);
static void on_connected (gpointer user);
static void on_failed (gpointer user, const char *message);
static void drop_participant (KaigiParticipant *p, const char *code, const char *message);

static const KaigiPeerEvents peer_events = {
  .offer = on_offer,
  .ice_candidate = on_ice_candidate,
  .answer_result = on_answer_result,
  .connected = on_connected,
  .failed = on_failed,
};

static void
send_welcome (KaigiRoom *r, KaigiParticipant *p)
{
  JsonBuilder *b = begin ("welcome");

  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, p->id);
  json_builder_set_member_name (b, "meeting");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_int_value (b, r->opt.meeting_id);
  json_builder_set_member_name (b, "title");
  json_builder_add_string_value (b, r->title);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "slots");
  json_builder_add_int_value (b, n_slots (r));
  json_builder_set_member_name (b, "iceServers");
  kaigi_ice_servers_add_json (r->opt.peer.ice_servers, b, p->id,
                              g_get_real_time () / G_USEC_PER_SEC);
  json_builder_set_member_name (b, "participants");
  json_builder_begin_array (b);
  for (guint i = 0; i < r->people->len; i++) {
    KaigiParticipant *q = g_ptr_array_index (r->people, i);
    if (q != p)
      add_participant (b, q);
  }
  json_builder_end_array (b);
  send_to (r, p, b);
}

/* Main thread. A browser that never answers, or whose ICE never completes, would hold its
 * place and its elements until its socket closes. */
static gboolean
on_connect_timeout (gpointer user_data)
{
  KaigiParticipant *p = user_data;

  p->connect_timer = 0;
  drop_participant (p, "media-timeout", "the media connection was not established in time");
  return G_SOURCE_REMOVE;
}

KaigiParticipant *
kaigi_room_join (KaigiRoom *r, const char *name, gpointer target, GError **error)
{
  g_autofree char *clean = kaigi_room_clean_name (name, error);
  KaigiParticipant *p;
  JsonBuilder *b;

  if (!clean)
    return NULL;
  if (r->people->len >= r->opt.max_participants) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_FULL, "the meeting is full (%u people)",
                 r->opt.max_participants);
    return NULL;
  }
  p = g_new0 (KaigiParticipant, 1);
  p->room = r;
  p->id = g_strdup_printf ("p%u", r->next_id++);
  p->name = g_steal_pointer (&clean);
  p->audio = p->video = TRUE;
  p->target = target;
  p->slots = g_new0 (KaigiParticipant *, n_slots (r));
  if (r->graph) {
    p->peer = kaigi_peer_new (r->graph, p->id, &r->opt.peer, &peer_events, p, error);
    if (!p->peer) {
      participant_free (p);
      return NULL;
    }
    p->connect_timer = g_timeout_add_seconds (
        r->opt.connect_timeout_s ? r->opt.connect_timeout_s : 30, on_connect_timeout, p);
  }
  g_ptr_array_add (r->people, p);
  send_welcome (r, p);
  b = begin ("participant-joined");
  json_builder_set_member_name (b, "participant");
  add_participant (b, p);
  broadcast (r, p, b);
  record (r, "join", p, NULL);
  GST_INFO ("%s joined as %s (%u in the meeting)", p->id, p->name, r->people->len);
  /* Without media there is nothing to wait for: others are shown at once. */
  if (!r->graph)
    kaigi_room_media_connected (r, p);
  return p;
}

void
kaigi_room_media_connected (KaigiRoom *r, KaigiParticipant *p)
{
  p->connected = TRUE;
  if (p->connect_timer) {
    g_source_remove (p->connect_timer);
    p->connect_timer = 0;
  }
  for (guint i = 0; i < r->people->len; i++) {
    KaigiParticipant *q = g_ptr_array_index (r->people, i);
    if (q == p || !has_media (r, q))
      continue;
    if (p->peer && q->peer) {
      kaigi_peer_add_mix_input (p->peer, q->peer);
      kaigi_peer_add_mix_input (q->peer, p->peer);
    }
    refresh_slots (r, q, FALSE);
  }
  refresh_slots (r, p, TRUE);
}

void
kaigi_room_leave (KaigiRoom *r, KaigiParticipant *p)
{
  JsonBuilder *b;

  g_ptr_array_remove (r->people, p);
  if (p->peer)
    kaigi_peer_close (g_steal_pointer (&p->peer));
  b = begin ("participant-left");
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, p->id);
  broadcast (r, NULL, b);
  record (r, "leave", p, NULL);
  GST_INFO ("%s left (%u in the meeting)", p->id, r->people->len);
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
      refresh_slots (r, q, TRUE);
  }
  participant_free (p);
}

/* ---- peer events (main thread) ---- */

static void
on_offer (gpointer user, const char *sdp)
{
  KaigiParticipant *p = user;
  JsonBuilder *b = begin ("offer");

  json_builder_set_member_name (b, "sdp");
  json_builder_add_string_value (b, sdp);
  send_to (p->room, p, b);
}

static void
on_ice_candidate (gpointer user, guint mline, const char *candidate)
{
  KaigiParticipant *p = user;
  JsonBuilder *b = begin ("ice");

  json_builder_set_member_name (b, "candidate");
  json_builder_add_string_value (b, candidate);
  json_builder_set_member_name (b, "sdpMLineIndex");
  json_builder_add_int_value (b, mline);
  send_to (p->room, p, b);
}

static void
on_answer_result (gpointer user, gboolean ok, const char *message)
{
  KaigiParticipant *p = user;
  g_autofree char *text = NULL;

  if (ok)
    return;
  text = kaigi_message_error ("bad-sdp", message);
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
static void
drop_participant (KaigiParticipant *p, const char *code, const char *message)
{
  KaigiRoom *r = p->room;
  gpointer target = p->target;

  GST_WARNING ("%s dropped (%s): %s", p->id, code, message);
  r->ops->drop (target, code, message);
  kaigi_room_leave (r, p);
}

static void
on_failed (gpointer user, const char *message)
{
  drop_participant (user, "internal", message);
}

/* ---- requests from the client ---- */

gboolean
kaigi_room_answer (KaigiRoom *r, KaigiParticipant *p, const char *sdp, GError **error)
{
  if (!p->peer) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_PROTOCOL, "this meeting has no media");
    return FALSE;
  }
  return kaigi_peer_set_answer (p->peer, sdp, error);
}

void
kaigi_room_ice (KaigiRoom *r, KaigiParticipant *p, guint mline, const char *candidate)
{
  if (p->peer && mline <= n_slots (r))
    kaigi_peer_add_ice_candidate (p->peer, mline, candidate);
}

void
kaigi_room_set_sending (KaigiRoom *r, KaigiParticipant *p, int audio, int video)
{
  JsonBuilder *b;
  g_autofree char *detail = NULL;

  if ((audio < 0 || audio == p->audio) && (video < 0 || video == p->video))
    return;
  if (audio >= 0)
    p->audio = audio;
  if (video >= 0)
    p->video = video;
  b = begin ("participant-updated");
  json_builder_set_member_name (b, "participant");
  add_participant (b, p);
  broadcast (r, NULL, b);
  detail = g_strdup_printf ("{\"audio\":%s,\"video\":%s}", p->audio ? "true" : "false",
                            p->video ? "true" : "false");
  record (r, "sending", p, detail);
}

guint
kaigi_room_count (KaigiRoom *r)
{
  return r->people->len;
}

const char *
kaigi_participant_id (KaigiParticipant *p)
{
  return p->id;
}

const char *
kaigi_participant_slot (KaigiParticipant *p, guint slot)
{
  return slot < n_slots (p->room) && p->slots[slot] ? p->slots[slot]->id : NULL;
}

char *
kaigi_room_status_json (KaigiRoom *r)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "meeting");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_int_value (b, r->opt.meeting_id);
  json_builder_set_member_name (b, "title");
  json_builder_add_string_value (b, r->title);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "participants");
  json_builder_add_int_value (b, r->people->len);
  json_builder_set_member_name (b, "closing");
  json_builder_add_int_value (b, kaigi_peer_closing_count ());
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  return json_to_string (root, FALSE);
}
