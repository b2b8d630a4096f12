/* room-program.c: what the meeting's public program (media/program.c) carries.
 *
 * The room decides three things, every time the meeting changes (kaigi_room_program_update,
 * called with each `meeting` message) and when media come and go:
 *   - the gate: open only while the meeting is 公開 (public); before it opens, in recess, in a
 *     closed session and after adjournment the program shows a slate saying why, in Japanese
 *     and English, and is silent;
 *   - the picture: the camera the chair or secretariat pinned, else that of whoever has the
 *     floor (for someone speaking in a venue, that venue's camera), else the main venue's,
 *     else the chair's, else the first camera;
 *   - the caption: 【title name】 of the speaker and the current agenda item.
 * The program's sound is the meeting's total mix (media/mix.c): every microphone the
 * participants hear; the chair's mute silences a mic in it for everyone at once.
 *
 * Thread: main loop only. */
#include "room-private.h"

#include <gst/gst.h>

#include "kaigi-error.h"
#include "layout.h"
#include "media/material.h"
#include "media/program.h"
#include "meeting-state.h"
#include "media/whep.h"

GST_DEBUG_CATEGORY_EXTERN (kaigi_room_debug);
#define GST_CAT_DEFAULT kaigi_room_debug

static const char *
slate_for (KaigiMeetingState s)
{
  switch (s) {
  case KAIGI_MEETING_SCHEDULED:
    return "開会前です\nThe meeting has not started yet";
  case KAIGI_MEETING_CLOSED:
    return "非公開の審議中です（中継を停止しています）\nClosed session: the broadcast is paused";
  case KAIGI_MEETING_RECESS:
    return "休憩中です\nRecess";
  case KAIGI_MEETING_ADJOURNED:
    return "閉会しました\nThe meeting has ended";
  default:
    return NULL;
  }
}

/* Main thread (bus), from program.c: a segment of the program's recording. */
static void
on_program_segment (gpointer user, const char *location, gboolean opened, GstClockTime rt)
{
  KaigiRoom *r = user;

  if (!r->recording || !r->program_run)
    return;
  if (!GST_CLOCK_TIME_IS_VALID (rt))
    rt = kaigi_graph_running_time (r->graph);
  kaigi_manifest_program_segment (r->recording, FALSE, r->program_run, location, opened,
                                  rt / GST_USECOND, kaigi_graph_wall_clock_of (r->graph, rt));
}

/* Main thread (bus): a segment of what the closed sessions would have shown. */
static void
on_closed_segment (gpointer user, const char *location, gboolean opened, GstClockTime rt)
{
  KaigiRoom *r = user;

  if (!r->recording || !r->program_closed_run)
    return;
  if (!GST_CLOCK_TIME_IS_VALID (rt))
    rt = kaigi_graph_running_time (r->graph);
  kaigi_manifest_program_segment (r->recording, TRUE, r->program_closed_run, location, opened,
                                  rt / GST_USECOND, kaigi_graph_wall_clock_of (r->graph, rt));
}

/* Main thread: a live HLS segment was written; its caption segment follows. */
static void
on_live_segment (gpointer user, guint index, GstClockTime start, GstClockTime end)
{
  KaigiRoom *r = user;

  kaigi_room_captions_segment (r, r->hls_dir, index, start, end);
}

void
kaigi_room_program_start (KaigiRoom *r)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *id = g_strdup_printf ("program%" G_GINT64_FORMAT, r->meeting->id);
  g_autofree char *mid = g_strdup_printf ("%" G_GINT64_FORMAT, r->meeting->id);
  g_autofree char *dir = NULL;
  g_autofree char *mount = g_strdup_printf ("/kaigi-%" G_GINT64_FORMAT ".opus", r->meeting->id);
  KaigiProgramOptions o = r->opt.program;
  g_autofree char *rec_location = NULL, *rec_playlist = NULL;
  g_autofree char *closed_location = NULL, *closed_playlist = NULL;
  KaigiManifest *manifest;

  if (!r->graph || !r->opt.program_enabled || !r->opt.data_dir)
    return;
  dir = g_build_filename (r->opt.data_dir, "hls", mid, NULL);
  o.hls_dir = dir;
  /* The live caption rendition follows the program's segments, numbered again from 0. */
  g_free (r->hls_dir);
  r->hls_dir = g_strdup (dir);
  g_clear_pointer (&r->vtt_segments, g_array_unref);
  o.live_segment = on_live_segment;
  o.live_user = r;
  o.icecast_mount = mount;
  o.jitter_latency_ms = r->opt.peer.jitter_latency_ms;
  /* The program is recorded with the meeting: the archive page plays it (docs/recording.md). */
  if (r->meeting->state != KAIGI_MEETING_ADJOURNED && (manifest = kaigi_room_recording_manifest (r))
      && (r->program_run = kaigi_manifest_program_begin (manifest, FALSE, g_get_real_time (),
                                                         &rec_location, &rec_playlist, &error))) {
    o.record_location = rec_location;
    o.record_playlist = rec_playlist;
    o.record_segment = on_program_segment;
    o.record_user = r;
    /* And what the closed sessions would have shown, for the town (docs/recording.md). */
    r->program_closed_run = kaigi_manifest_program_begin (
        manifest, TRUE, g_get_real_time (), &closed_location, &closed_playlist, &error);
    if (r->program_closed_run) {
      o.closed_location = closed_location;
      o.closed_playlist = closed_playlist;
      o.closed_segment = on_closed_segment;
    }
  }
  if (error) {
    GST_WARNING ("meeting %" G_GINT64_FORMAT ": the program is not recorded: %s", r->meeting->id,
                 error->message);
    g_clear_error (&error);
  }
  r->program = kaigi_program_new (r->graph, id, &o, &error);
  if (!r->program) {
    GST_WARNING ("meeting %" G_GINT64_FORMAT ": no public program: %s", r->meeting->id,
                 error->message);
    return;
  }
  /* Its sound is the meeting's total mix, mixed once for the participants and the public. */
  if (r->mix) {
    g_autoptr (GstPad) sink = kaigi_program_audio_sink (r->program);
    if (!kaigi_mix_link_total (r->mix, sink, &error)) {
      GST_WARNING ("meeting %" G_GINT64_FORMAT ": the program is silent: %s", r->meeting->id,
                   error->message);
      g_clear_error (&error);
    }
  }
  kaigi_room_program_update (r);
}

static void
clear_material (KaigiRoom *r)
{
  if (r->material_cancel) {
    g_cancellable_cancel (r->material_cancel);
    g_clear_object (&r->material_cancel);
  }
  r->program_material = 0;
  if (!r->material_peer)
    return;
  if (r->material_shown && r->program) /* off the program before it goes */
    kaigi_peer_set_slot_source (kaigi_program_peer (r->program), 0, NULL);
  r->material_shown = FALSE;
  r->program_picture = NULL;
  {
    KaigiPeer *old = g_steal_pointer (&r->material_peer);
    kaigi_room_slots_follow (r); /* off the materials slots before it goes */
    kaigi_peer_close (old);
  }
}

void
kaigi_room_program_free (KaigiRoom *r)
{
  clear_material (r);
  if (r->program_rec_end)
    g_source_remove (r->program_rec_end), r->program_rec_end = 0;
  g_clear_pointer (&r->wheps, g_hash_table_unref); /* viewers off the program first */
  g_clear_pointer (&r->program, kaigi_program_free);
  g_clear_pointer (&r->program_caption, g_free);
  g_clear_pointer (&r->viewers, g_hash_table_unref);
  g_clear_pointer (&r->hls_dir, g_free);
}

static gboolean
has_camera (KaigiParticipant *p)
{
  return p && p->peer && p->connected && p->video;
}

static KaigiParticipant *
venue_participant (KaigiRoom *r, const char *venue_name, gboolean main_only)
{
  KaigiParticipant *found = NULL;

  for (guint i = 0; i < r->people->len; i++) {
    KaigiParticipant *q = g_ptr_array_index (r->people, i);
    KaigiVenue *v;
    if (q->role != KAIGI_ROLE_VENUE || !has_camera (q) || q->ref[0] != 'v')
      continue;
    v = kaigi_meeting_find_venue (r->meeting, g_ascii_strtoll (q->ref + 1, NULL, 10));
    if (!v)
      continue;
    if ((main_only && v->kind == KAIGI_VENUE_MAIN)
        || (venue_name && g_strcmp0 (v->name, venue_name) == 0)) {
      if (q->whip) /* the room's camera, through WHIP, before the page's */
        return q;
      found = found ? found : q;
    }
  }
  return found;
}

static KaigiParticipant *
choose_picture (KaigiRoom *r)
{
  KaigiParticipant *q;

  if (has_camera (r->program_pin))
    return r->program_pin;
  if (has_camera (r->floor.participant))
    return r->floor.participant;
  if (r->floor.venue && (q = venue_participant (r, r->floor.venue, FALSE)))
    return q;
  if ((q = venue_participant (r, NULL, TRUE)))
    return q;
  for (guint i = 0; i < r->people->len; i++) {
    q = g_ptr_array_index (r->people, i);
    if (q->role == KAIGI_ROLE_CHAIR && has_camera (q))
      return q;
  }
  for (guint i = 0; i < r->people->len; i++) {
    q = g_ptr_array_index (r->people, i);
    if (has_camera (q) && q->role != KAIGI_ROLE_VIEWER)
      return q;
  }
  return NULL;
}

static char *
caption_for (KaigiRoom *r)
{
  KaigiAgendaItem *item = r->meeting->current_item
                              ? kaigi_meeting_find_item (r->meeting, r->meeting->current_item)
                              : NULL;
  GString *s = g_string_new (NULL);

  if (r->floor.name)
    g_string_append_printf (s, "【%s%s%s】", r->floor.title ? r->floor.title : "",
                            r->floor.title && *r->floor.title ? " " : "", r->floor.name);
  if (item) {
    if (s->len)
      g_string_append (s, "  ");
    g_string_append_printf (s, "%s%s%s", item->number ? item->number : "",
                            item->number && *item->number ? " " : "", item->title);
  }
  if (!s->len)
    g_string_append (s, r->meeting->title ? r->meeting->title : "");
  return g_string_free (s, FALSE);
}

/* Seconds of the 閉会 slate the recording keeps after adjournment. */
#define RECORD_AFTER_END_S 4

static gboolean
end_recording (gpointer data)
{
  KaigiRoom *r = data;

  r->program_rec_end = 0;
  r->program_rec_done = TRUE;
  if (r->program)
    kaigi_program_record (r->program, FALSE);
  return G_SOURCE_REMOVE;
}

void
kaigi_room_program_update (KaigiRoom *r)
{
  const char *slate;
  KaigiParticipant *pic;

  if (!r->program)
    return;
  slate = slate_for (r->meeting->state);
  if (slate) {
    if (kaigi_program_is_open (r->program) || !r->program_caption
        || g_strcmp0 (r->program_caption, slate) != 0) {
      GST_INFO ("meeting %" G_GINT64_FORMAT ": public program shut (%s)", r->meeting->id,
                kaigi_meeting_state_to_string (r->meeting->state));
      kaigi_program_shut (r->program, slate);
      g_free (r->program_caption);
      r->program_caption = g_strdup (slate);
    }
  } else {
    g_autofree char *caption = caption_for (r);
    if (!kaigi_program_is_open (r->program) || g_strcmp0 (r->program_caption, caption) != 0) {
      if (!kaigi_program_is_open (r->program))
        GST_INFO ("meeting %" G_GINT64_FORMAT ": public program open", r->meeting->id);
      kaigi_program_open (r->program, caption);
      g_free (r->program_caption);
      r->program_caption = g_steal_pointer (&caption);
    }
  }
  /* The closed sessions' own recording: what the gate keeps from the public. */
  {
    g_autofree char *caption = caption_for (r);
    kaigi_program_closed_session (r->program, r->meeting->state == KAIGI_MEETING_CLOSED, caption);
  }
  /* The recording: from the opening to a few seconds into the 閉会 slate. */
  if (kaigi_meeting_state_is_running (r->meeting->state))
    kaigi_program_record (r->program, TRUE);
  else if (r->meeting->state == KAIGI_MEETING_ADJOURNED && !r->program_rec_end
           && !r->program_rec_done)
    r->program_rec_end = g_timeout_add_seconds (RECORD_AFTER_END_S, end_recording, r);
  /* A material the chair chose comes before any camera, once its picture is ready. */
  if (r->material_peer) {
    if (!r->material_shown) {
      r->material_shown = TRUE;
      r->program_picture = NULL;
      kaigi_peer_set_slot_source (kaigi_program_peer (r->program), 0, r->material_peer);
    }
    return;
  }
  pic = choose_picture (r);
  if (pic != r->program_picture || r->material_shown) {
    r->material_shown = FALSE;
    r->program_picture = pic;
    kaigi_peer_set_slot_source (kaigi_program_peer (r->program), 0, pic ? pic->peer : NULL);
  }
}

void
kaigi_room_program_connected (KaigiRoom *r, KaigiParticipant *p)
{
  if (!r->program || !p->peer)
    return;
  kaigi_room_program_update (r);
}

/* @p is leaving: its peer is closing (which detaches its links into the program). */
void
kaigi_room_program_left (KaigiRoom *r, KaigiParticipant *p)
{
  if (!r->program)
    return;
  if (r->program_picture == p)
    r->program_picture = NULL;
  if (r->program_pin == p)
    r->program_pin = NULL;
  kaigi_room_program_update (r);
}

gboolean
kaigi_room_set_program_picture (KaigiRoom *r, KaigiParticipant *by, const char *pid, GError **error)
{
  KaigiParticipant *p = pid ? kaigi_room_find (r, pid) : NULL;
  JsonBuilder *d;

  if (pid && (!p || p->role == KAIGI_ROLE_VIEWER)) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_NOT_FOUND, "no such participant: %s", pid);
    return FALSE;
  }
  clear_material (r);
  r->program_pin = p;
  d = kaigi_room_detail (by ? by->ref : NULL);
  if (p)
    kaigi_room_detail_string (d, "participant", p->ref);
  kaigi_room_record (r, "program", p ? p->ref : "auto", d);
  kaigi_room_send_meeting (r, NULL, NULL); /* updates the program, then tells everyone */
  return TRUE;
}

/* ---- a material as the picture ---- */

static void
show_material (KaigiRoom *r, const char *image)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *id = g_strdup_printf ("material%" G_GINT64_FORMAT, r->program_material);

  r->material_peer = kaigi_material_source_new (r->graph, id, image, r->opt.program.width,
                                                r->opt.program.height, &error);
  if (!r->material_peer)
    GST_WARNING ("meeting %" G_GINT64_FORMAT ": material %" G_GINT64_FORMAT " not shown: %s",
                 r->meeting->id, r->program_material, error->message);
  else
    kaigi_room_slots_follow (r);           /* into everyone's materials slot */
  kaigi_room_send_meeting (r, NULL, NULL); /* the program takes it; everyone is told */
}

typedef struct {
  KaigiRoom *room;      /* valid unless @cancel was cancelled */
  GCancellable *cancel; /* owned ref: the room cancels it before it lets go of the choice */
  gint64 material;
  char *png;
} PdfJob;

/* Main loop: pdftoppm is done (or was cancelled: the room or its choice went). */
static void
on_pdf_page (GObject *source, GAsyncResult *res, gpointer user_data)
{
  PdfJob *j = user_data;
  g_autoptr (GError) error = NULL;
  gboolean ok = g_subprocess_wait_check_finish (G_SUBPROCESS (source), res, &error);

  /* Cancelled: the room (or its choice) went, even if pdftoppm had finished just before. */
  if (!g_cancellable_is_cancelled (j->cancel) && j->room->program_material == j->material) {
    g_clear_object (&j->room->material_cancel);
    if (ok)
      show_material (j->room, j->png);
    else
      GST_WARNING ("meeting %" G_GINT64_FORMAT ": the PDF of material %" G_GINT64_FORMAT
                   " could not be rendered: %s",
                   j->room->meeting->id, j->material, error->message);
  }
  g_object_unref (j->cancel);
  g_free (j->png);
  g_free (j);
}

static KaigiMaterial *
find_material (KaigiMeeting *m, gint64 id)
{
  for (guint i = 0; i < m->agenda->len; i++) {
    KaigiAgendaItem *it = g_ptr_array_index (m->agenda, i);
    for (guint k = 0; k < it->materials->len; k++) {
      KaigiMaterial *mat = g_ptr_array_index (it->materials, k);
      if (mat->id == id)
        return mat;
    }
  }
  return NULL;
}

gboolean
kaigi_room_set_program_material (KaigiRoom *r, KaigiParticipant *by, gint64 material,
                                 GError **error)
{
  KaigiMaterial *mat = find_material (r->meeting, material);
  const char *type = mat ? mat->content_type : NULL;
  gboolean pdf = g_strcmp0 (type, "application/pdf") == 0;
  g_autofree char *dir = NULL, *file = NULL, *path = NULL, *png = NULL;
  JsonBuilder *d;

  if (!mat) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_NOT_FOUND,
                 "no material %" G_GINT64_FORMAT " in this meeting", material);
    return FALSE;
  }
  if (!pdf && g_strcmp0 (type, "image/png") != 0 && g_strcmp0 (type, "image/jpeg") != 0) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_INVALID,
                 "%s cannot be shown: only PNG, JPEG and PDF materials can (this one is %s)",
                 mat->name, type && *type ? type : "of no known type");
    return FALSE;
  }
  if (!r->program || !r->graph || !r->opt.data_dir) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_STATE, "this meeting has no public program");
    return FALSE;
  }
  if (!(dir = kaigi_recorder_meeting_dir (r->opt.data_dir, r->meeting->id, error)))
    return FALSE;
  file = g_strdup_printf ("%" G_GINT64_FORMAT, material);
  path = g_build_filename (dir, "materials", file, NULL);
  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR)) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_NOT_FOUND, "the file of %s is missing", mat->name);
    return FALSE;
  }
  clear_material (r);
  kaigi_room_screen_end (r, "material"); /* the material takes the materials slot */
  r->program_pin = NULL;
  r->program_material = material;
  d = kaigi_room_detail (by ? by->ref : NULL);
  kaigi_room_detail_int (d, "material", material);
  kaigi_room_record (r, "program", "material", d);
  if (!pdf) {
    show_material (r, path);
    return TRUE;
  }
  /* A PDF's first page, rendered once (kept next to it) by poppler's pdftoppm, off the
   * main loop; the program shows the material when it is there. */
  png = g_strconcat (path, ".page1.png", NULL);
  if (g_file_test (png, G_FILE_TEST_IS_REGULAR)) {
    show_material (r, png);
    return TRUE;
  }
  {
    g_autofree char *prefix = g_strconcat (path, ".page1", NULL);
    g_autofree char *scale = g_strdup_printf ("%u", MAX (r->opt.program.width, 320) * 2);
    g_autoptr (GSubprocess) proc = g_subprocess_new (
        G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE, error, "pdftoppm",
        "-png", "-f", "1", "-l", "1", "-singlefile", "-scale-to", scale, path, prefix, NULL);
    PdfJob *j;
    if (!proc) {
      g_prefix_error (error, "cannot render the PDF (is poppler-utils installed?): ");
      r->program_material = 0;
      return FALSE;
    }
    j = g_new0 (PdfJob, 1);
    j->room = r;
    j->material = material;
    j->png = g_steal_pointer (&png);
    r->material_cancel = g_cancellable_new ();
    j->cancel = g_object_ref (r->material_cancel);
    g_subprocess_wait_check_async (proc, r->material_cancel, on_pdf_page, j);
  }
  kaigi_room_send_meeting (r, NULL, NULL);
  return TRUE;
}

void
kaigi_room_add_program_json (KaigiRoom *r, JsonBuilder *b)
{
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "pinned");
  r->program_pin ? json_builder_add_string_value (b, r->program_pin->id)
                 : json_builder_add_null_value (b);
  json_builder_set_member_name (b, "showing");
  r->program_picture ? json_builder_add_string_value (b, r->program_picture->id)
                     : json_builder_add_null_value (b);
  json_builder_set_member_name (b, "live");
  json_builder_add_boolean_value (b, r->program != NULL);
  json_builder_set_member_name (b, "material");
  r->program_material ? json_builder_add_int_value (b, r->program_material)
                      : json_builder_add_null_value (b);
  json_builder_set_member_name (b, "material_shown");
  json_builder_add_boolean_value (b, r->material_shown);
  json_builder_end_object (b);
}

/* ---- public gallery viewers ---- */

#define VIEWER_TTL_US (40 * G_USEC_PER_SEC) /* the page says it is there every 15 s */
#define MAX_VIEWERS 200000                  /* bounds the table against made-up ids */

guint
kaigi_room_viewer_seen (KaigiRoom *r, const char *viewer)
{
  gint64 now = g_get_monotonic_time ();
  GHashTableIter it;
  gpointer seen;

  if (!r->viewers)
    r->viewers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  /* Forget the pages that stopped saying so; at most once a second. */
  if (now - r->viewers_pruned_us >= G_USEC_PER_SEC) {
    r->viewers_pruned_us = now;
    g_hash_table_iter_init (&it, r->viewers);
    while (g_hash_table_iter_next (&it, NULL, &seen))
      if (now - GPOINTER_TO_SIZE (seen) * (gint64)G_USEC_PER_SEC > VIEWER_TTL_US)
        g_hash_table_iter_remove (&it);
  }
  if (r->meeting->state != KAIGI_MEETING_ADJOURNED
      && (g_hash_table_contains (r->viewers, viewer)
          || g_hash_table_size (r->viewers) < MAX_VIEWERS))
    g_hash_table_insert (r->viewers, g_strdup (viewer),
                         GSIZE_TO_POINTER ((gsize)(now / G_USEC_PER_SEC)));
  if (g_hash_table_size (r->viewers) > r->meeting->peak_viewers) {
    g_autoptr (GError) error = NULL;
    r->meeting->peak_viewers = g_hash_table_size (r->viewers);
    if (r->opt.store
        && !kaigi_store_meeting_raise_viewers (r->opt.store, r->meeting->id,
                                               r->meeting->peak_viewers, &error))
      GST_WARNING ("meeting %" G_GINT64_FORMAT ": %s", r->meeting->id, error->message);
  }
  return g_hash_table_size (r->viewers);
}

guint
kaigi_room_viewers (KaigiRoom *r, guint *peak)
{
  if (peak)
    *peak = r->meeting->peak_viewers;
  return r->viewers ? g_hash_table_size (r->viewers) : 0;
}

/* ---- WHEP viewers ---- */

typedef struct {
  KaigiRoom *room;
  char *id;
  KaigiWhep *whep;          /* closed (and freed by itself) when the viewer goes */
  KaigiRoomWhepReply reply; /* until called once */
  gpointer user;
} Viewer;

static void
viewer_free (gpointer data)
{
  Viewer *v = data;

  if (v->reply)
    v->reply (NULL, NULL, "the public program has ended", v->user);
  kaigi_whep_close (v->whep);
  g_free (v->id);
  g_free (v);
}

static void
on_whep_answered (KaigiWhep *w, const char *answer, const char *error, gpointer user)
{
  Viewer *v = user;
  KaigiRoomWhepReply reply = g_steal_pointer (&v->reply);

  reply (v->id, answer, error, v->user);
  if (!answer)
    g_hash_table_remove (v->room->wheps, v->id);
}

static void
on_whep_gone (KaigiWhep *w, gpointer user)
{
  Viewer *v = user;

  g_hash_table_remove (v->room->wheps, v->id);
}

gboolean
kaigi_room_whep_offer (KaigiRoom *r, const char *offer, KaigiRoomWhepReply reply, gpointer user,
                       GError **error)
{
  KaigiWhepOptions o
      = { .ice_addresses = r->opt.peer.ice_addresses, .ice_servers = r->opt.peer.ice_servers };
  Viewer *v;

  if (!r->program) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_NOT_FOUND, "this meeting has no public program");
    return FALSE;
  }
  if (!r->wheps)
    r->wheps = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, viewer_free);
  if (g_hash_table_size (r->wheps) >= r->opt.whep_max) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_FULL,
                 "this meeting has %u WebRTC viewers, the most it takes; use HLS", r->opt.whep_max);
    return FALSE;
  }
  v = g_new0 (Viewer, 1);
  v->room = r;
  v->id = g_strdup_printf ("%u", ++r->next_whep);
  v->reply = reply;
  v->user = user;
  {
    g_autofree char *name = g_strdup_printf ("%" G_GINT64_FORMAT "-%s", r->meeting->id, v->id);
    v->whep = kaigi_whep_new (r->graph, r->program, name, offer, &o, on_whep_answered, on_whep_gone,
                              v, error);
  }
  if (!v->whep) {
    g_free (v->id);
    g_free (v);
    return FALSE;
  }
  g_hash_table_insert (r->wheps, v->id, v);
  return TRUE;
}

gboolean
kaigi_room_whep_close (KaigiRoom *r, const char *session)
{
  return r->wheps && g_hash_table_remove (r->wheps, session);
}

guint
kaigi_room_whep_count (KaigiRoom *r)
{
  GHashTableIter it;
  gpointer v;
  guint n = 0;

  if (!r->wheps)
    return 0;
  g_hash_table_iter_init (&it, r->wheps);
  while (g_hash_table_iter_next (&it, NULL, &v))
    n += kaigi_whep_connected (((Viewer *)v)->whep);
  return n;
}
