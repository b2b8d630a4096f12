/* room-record.c: the room's side of recording: each participant's media is recorded from
 * the moment it connects until they leave (media/record.c does the GStreamer part), into the
 * meeting's folder described by its manifest (recorder/manifest.c). Starts, stops and
 * failures go onto the timeline; a failure is also told to the chair and the secretariat,
 * because the meeting goes on without that track and someone must decide what to do.
 *
 * Thread: main loop only. */
#include "room-private.h"

#include <gst/gst.h>

#include "layout.h"

GST_DEBUG_CATEGORY_EXTERN (kaigi_room_debug);
#define GST_CAT_DEFAULT kaigi_room_debug

static KaigiManifest *
manifest (KaigiRoom *r, GError **error)
{
  g_autofree char *dir = NULL;

  if (r->recording)
    return r->recording;
  dir = kaigi_recorder_meeting_dir (r->opt.data_dir, r->meeting->id, error);
  if (dir)
    r->recording = kaigi_manifest_open (dir, r->meeting->id, error);
  if (r->recording)
    kaigi_room_record_state (r);
  return r->recording;
}

KaigiManifest *
kaigi_room_recording_manifest (KaigiRoom *r)
{
  g_autoptr (GError) error = NULL;
  KaigiManifest *m;

  if (!r->opt.record || !r->opt.data_dir)
    return NULL;
  if (!(m = manifest (r, &error)))
    GST_WARNING ("meeting %" G_GINT64_FORMAT ": not recorded: %s", r->meeting->id, error->message);
  return m;
}

void
kaigi_room_record_chapter (KaigiRoom *r, const char *kind, const char *label)
{
  KaigiManifest *m = kaigi_room_recording_manifest (r);

  if (m)
    kaigi_manifest_mark_chapter (
        m, kind, label, g_get_real_time (),
        r->graph ? (gint64)(kaigi_graph_running_time (r->graph) / GST_USECOND) : -1);
}

/* The meeting's state goes into the manifest too (once it exists): the folder alone then
 * says which parts were closed. */
void
kaigi_room_record_state (KaigiRoom *r)
{
  if (r->recording)
    kaigi_manifest_mark_state (
        r->recording, kaigi_meeting_state_to_string (r->meeting->state), g_get_real_time (),
        r->graph ? (gint64)(kaigi_graph_running_time (r->graph) / GST_USECOND) : -1);
}

static void
tell_organisers (KaigiRoom *r, const char *state, const char *who, const char *kind,
                 const char *reason)
{
  for (guint i = 0; i < r->people->len; i++) {
    KaigiParticipant *q = g_ptr_array_index (r->people, i);
    JsonBuilder *b;
    if (q->role != KAIGI_ROLE_CHAIR && q->role != KAIGI_ROLE_SECRETARIAT)
      continue;
    b = kaigi_room_begin ("recording");
    json_builder_set_member_name (b, "state");
    json_builder_add_string_value (b, state);
    json_builder_set_member_name (b, "who");
    json_builder_add_string_value (b, who);
    json_builder_set_member_name (b, "kind");
    json_builder_add_string_value (b, kind);
    json_builder_set_member_name (b, "reason");
    json_builder_add_string_value (b, reason);
    kaigi_room_send_to (r, q, b);
  }
}

/* Main thread (bus), from media/record.c: that track is no longer recorded, or (@resumed)
 * has a gap and is recorded on in a new session. */
static void
on_failed (gpointer user, const char *who, const char *kind, const char *reason, gboolean resumed)
{
  KaigiRoom *r = user;
  JsonBuilder *d = json_builder_new ();

  json_builder_begin_object (d);
  json_builder_set_member_name (d, "kind");
  json_builder_add_string_value (d, kind);
  json_builder_set_member_name (d, "reason");
  json_builder_add_string_value (d, reason);
  kaigi_room_record (r, resumed ? "recording-resumed" : "recording-failed", who, d);
  tell_organisers (r, resumed ? "resumed" : "failed", who, kind, reason);
}

void
kaigi_room_record_start (KaigiRoom *r, KaigiParticipant *p)
{
  g_autoptr (GError) error = NULL;
  KaigiManifest *m;

  if (!r->opt.record || !r->opt.data_dir || !p->peer || kaigi_peer_recording (p->peer))
    return;
  if (!(m = manifest (r, &error))
      || !kaigi_peer_record_start (p->peer, m, p->ref, p->name, on_failed, r, &error)) {
    GST_WARNING ("%s: not recorded: %s", p->id, error->message);
    if (m)
      kaigi_manifest_mark_incomplete (m, error->message, g_get_real_time ());
    on_failed (r, p->ref, "audio+video", error->message, FALSE);
    return;
  }
  kaigi_room_record (r, "recording-started", p->ref, NULL);
}

void
kaigi_room_record_stop (KaigiRoom *r, KaigiParticipant *p)
{
  if (p->peer && kaigi_peer_recording (p->peer))
    kaigi_room_record (r, "recording-stopped", p->ref, NULL);
}

void
kaigi_room_release_recording (KaigiRoom *r)
{
  g_clear_pointer (&r->recording, kaigi_manifest_unref);
}

void
kaigi_room_record_free (KaigiRoom *r)
{
  g_clear_pointer (&r->recording, kaigi_manifest_unref);
}
