/* rooms.c: meeting id -> live room.
 *
 * Why rooms are made lazily: a town prepares many meetings ahead; only those someone has
 * joined need participants, a floor and media. Thread: main loop only. */
#include "rooms.h"

#include <errno.h>
#include <glib/gstdio.h>

#include "kaigi-error.h"
#include "peer.h"

struct _KaigiRooms {
  KaigiStore *store;       /* not owned */
  KaigiGraph *graph;       /* not owned */
  KaigiTimeline *timeline; /* not owned */
  KaigiRoomOptions tmpl;
  const KaigiRoomClientOps *ops;
  GHashTable *rooms; /* gint64 * -> KaigiRoom *, owned */
};

KaigiRooms *
kaigi_rooms_new (KaigiStore *store, KaigiGraph *graph, KaigiTimeline *timeline,
                 const KaigiRoomOptions *tmpl, const KaigiRoomClientOps *ops)
{
  KaigiRooms *rs = g_new0 (KaigiRooms, 1);

  rs->store = store;
  rs->graph = graph;
  rs->timeline = timeline;
  rs->tmpl = *tmpl;
  rs->ops = ops;
  rs->rooms = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                     (GDestroyNotify)kaigi_room_free);
  return rs;
}

void
kaigi_rooms_free (KaigiRooms *rs)
{
  if (!rs)
    return;
  g_hash_table_unref (rs->rooms);
  g_free (rs);
}

GArray *
kaigi_rooms_occupied (KaigiRooms *rs, gboolean release_others)
{
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  GHashTableIter it;
  gpointer key, value;

  g_hash_table_iter_init (&it, rs->rooms);
  while (g_hash_table_iter_next (&it, &key, &value)) {
    if (kaigi_room_count (value) > 0)
      g_array_append_val (ids, *(gint64 *)key);
    else if (release_others)
      kaigi_room_release_recording (value);
  }
  return ids;
}

KaigiRoom *
kaigi_rooms_lookup (KaigiRooms *rs, gint64 meeting)
{
  return g_hash_table_lookup (rs->rooms, &meeting);
}

KaigiRoom *
kaigi_rooms_add (KaigiRooms *rs, KaigiMeeting *m)
{
  KaigiRoomOptions o = rs->tmpl;
  KaigiRoom *room;

  o.meeting = m;
  o.store = rs->store;
  room = kaigi_room_new (&o, rs->graph, rs->timeline, rs->ops);
  g_hash_table_insert (rs->rooms, g_memdup2 (&m->id, sizeof (gint64)), room);
  return room;
}

KaigiRoom *
kaigi_rooms_get (KaigiRooms *rs, gint64 meeting, GError **error)
{
  KaigiRoom *room = kaigi_rooms_lookup (rs, meeting);
  KaigiMeeting *m;

  if (room)
    return room;
  if (!rs->store) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_NOT_FOUND, "no such meeting");
    return NULL;
  }
  if (!(m = kaigi_store_meeting_load (rs->store, meeting, error)))
    return NULL;
  return kaigi_rooms_add (rs, m);
}

char *
kaigi_rooms_status_json (KaigiRooms *rs)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;
  GHashTableIter it;
  gpointer room;
  guint people = 0;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "rooms");
  json_builder_begin_array (b);
  g_hash_table_iter_init (&it, rs->rooms);
  while (g_hash_table_iter_next (&it, NULL, &room)) {
    kaigi_room_add_status (room, b);
    people += kaigi_room_count (room);
  }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "participants");
  json_builder_add_int_value (b, people);
  json_builder_set_member_name (b, "closing");
  json_builder_add_int_value (b, kaigi_peer_closing_count ());
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  return json_to_string (root, FALSE);
}

guint
kaigi_rooms_count_by_role (KaigiRooms *rs, guint *by_role)
{
  GHashTableIter it;
  gpointer room;

  g_hash_table_iter_init (&it, rs->rooms);
  while (g_hash_table_iter_next (&it, NULL, &room))
    kaigi_room_count_by_role (room, by_role);
  return g_hash_table_size (rs->rooms);
}

guint
kaigi_rooms_viewers (KaigiRooms *rs, guint *peak)
{
  GHashTableIter it;
  gpointer room;
  guint n = 0, p = 0, sum_peak = 0;

  g_hash_table_iter_init (&it, rs->rooms);
  while (g_hash_table_iter_next (&it, NULL, &room)) {
    n += kaigi_room_viewers (room, &p);
    sum_peak += p;
  }
  if (peak)
    *peak = sum_peak;
  return n;
}

guint
kaigi_rooms_whep_viewers (KaigiRooms *rs)
{
  GHashTableIter it;
  gpointer room;
  guint n = 0;

  g_hash_table_iter_init (&it, rs->rooms);
  while (g_hash_table_iter_next (&it, NULL, &room))
    n += kaigi_room_whep_count (room);
  return n;
}

char *
kaigi_rooms_clip_path (const char *data_dir, gint64 meeting, gint64 utterance)
{
  g_autofree char *m = g_strdup_printf ("%" G_GINT64_FORMAT, meeting);
  g_autofree char *u = g_strdup_printf ("%" G_GINT64_FORMAT ".wav", utterance);

  return g_build_filename (data_dir, "meetings", m, "clips", u, NULL);
}

/* Moves the statement's audio next to the meeting's media; a failure only costs the clip. */
static void
keep_clip (KaigiRooms *rs, gint64 meeting, gint64 utterance, const char *wav)
{
  g_autofree char *path = NULL;
  g_autofree char *dir = NULL;

  if (!rs->tmpl.data_dir || !wav)
    return;
  path = kaigi_rooms_clip_path (rs->tmpl.data_dir, meeting, utterance);
  dir = g_path_get_dirname (path);
  if (g_mkdir_with_parents (dir, 0750) != 0 || g_rename (wav, path) != 0)
    g_warning ("meeting %" G_GINT64_FORMAT ": the audio of statement %" G_GINT64_FORMAT
               " is not kept: %s",
               meeting, utterance, g_strerror (errno));
}

void
kaigi_rooms_recognised (KaigiRooms *rs, const char *meta, const char *wav, const char *text,
                        double confidence, const char *error)
{
  g_autoptr (GError) err = NULL;
  g_autoptr (KaigiUtterance) u = NULL;
  KaigiRoom *room;
  gint64 meeting = 0;

  if (!text) {
    /* The speech stays in the recording; the secretariat can add the statement by hand. */
    g_warning ("speech recognition failed: %s", error);
    return;
  }
  if (!*text)
    return; /* a noise, a cough: nothing was said */
  u = kaigi_room_utterance_from_meta (meta, text, confidence, &meeting, &err);
  if (!u) {
    g_warning ("a recognition result was not used: %s", err->message);
    return;
  }
  if (rs->store && (u->id = kaigi_store_utterance_add (rs->store, meeting, u, &err)) <= 0) {
    g_warning ("meeting %" G_GINT64_FORMAT ": utterance not stored: %s", meeting, err->message);
    return;
  }
  if (rs->store)
    keep_clip (rs, meeting, u->id, wav);
  room = kaigi_rooms_lookup (rs, meeting);
  if (room)
    kaigi_room_caption (room, u);
}
