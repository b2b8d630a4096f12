/* api-archive.c: a past (or running) meeting's recorded program, for the archive page.
 *
 *   GET /api/public/meetings/ID/archive        what was recorded: duration, chapters (agenda
 *                                              items, speakers) and states, each with its
 *                                              time t (s) in the playlist below
 *   GET /api/public/meetings/ID/archive.m3u8   an HLS playlist of every closed segment of
 *                                              every run of the program recording
 *   GET /api/public/meetings/ID/archive/R/N    segment N (from 1) of run R (MPEG-TS)
 *   GET /api/public/meetings/ID/archive.vtt    captions of the recording (WebVTT): the
 *                                              statements of the minutes said in public
 *
 * The statements (in the JSON too, with their time t) are the minutes' utterances said in
 * public and not retracted, with their current text (the secretariat's corrections): what the
 * live captions showed, as the minutes now have it. They are read from the store on the main
 * loop (its connection is the main loop's), a quick indexed query, and handed to the worker.
 *
 * Public: the program recording is the public program itself (slates and silence where the
 * meeting was not public; media/program.c). Everything comes from the meeting folder's
 * manifest (recorder/manifest.c); a segment is served only if the manifest lists it, so no
 * path from the request reaches the disk. The manifest (a few hundred kB for a long meeting)
 * and the segment are read on a GTask worker, never on the main loop; the answer is sent
 * from the main loop. Thread: main loop, except the *_answer functions (the worker's, touching
 * only their Job). */
#include "api-private.h"

#include <math.h>
#include <string.h>

#include "kaigi-error.h"
#include "layout.h"
#include "manifest.h"
#include "webvtt.h"

/* A segment of the recording, in playlist order. */
typedef struct {
  guint run, index; /* index from 1 */
  const char *file; /* in the manifest */
  gint64 wall_start_us;
  double seconds, t; /* duration; start in the playlist */
} Segment;

typedef struct {
  KaigiManifest *manifest;
  GArray *segments; /* Segment */
  double duration;
} Archive;

static void
archive_clear (Archive *a)
{
  g_clear_pointer (&a->segments, g_array_unref);
  g_clear_pointer (&a->manifest, kaigi_manifest_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Archive, archive_clear)

static gboolean
archive_load (const char *data_dir, gint64 meeting, Archive *a, GError **error)
{
  g_autofree char *name = g_strdup_printf ("%" G_GINT64_FORMAT, meeting);
  g_autofree char *dir = g_build_filename (data_dir, "meetings", name, NULL);
  g_autofree char *path = g_build_filename (dir, "manifest.json", NULL);
  JsonObject *root;
  JsonArray *runs;

  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR)
      || !(a->manifest = kaigi_manifest_open (dir, meeting, error))) {
    if (error && !*error)
      g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_NOT_FOUND, "meeting %s was not recorded", name);
    return FALSE;
  }
  root = kaigi_manifest_root (a->manifest);
  runs = json_object_has_member (root, "program") ? json_object_get_array_member (root, "program")
                                                  : NULL;
  a->segments = g_array_new (FALSE, TRUE, sizeof (Segment));
  for (guint i = 0; runs && i < json_array_get_length (runs); i++) {
    JsonObject *run = json_array_get_object_element (runs, i);
    JsonArray *segs = json_object_get_array_member (run, "segments");
    for (guint j = 0; segs && j < json_array_get_length (segs); j++) {
      JsonObject *s = json_array_get_object_element (segs, j);
      Segment seg = { 0 };
      if (!json_object_has_member (s, "media_end_us"))
        continue; /* still being written, or cut by a crash */
      seg.run = json_object_get_int_member (run, "session");
      seg.index = j + 1;
      seg.file = json_object_get_string_member (s, "file");
      seg.wall_start_us = json_object_get_int_member (s, "wall_start_us");
      seg.seconds = (json_object_get_int_member (s, "media_end_us")
                     - json_object_get_int_member (s, "media_start_us"))
                    / 1e6;
      seg.t = a->duration;
      if (seg.seconds <= 0)
        continue;
      a->duration += seg.seconds;
      g_array_append_val (a->segments, seg);
    }
  }
  if (!a->segments->len) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_NOT_FOUND,
                 "meeting %s has no recorded program (yet)", name);
    return FALSE;
  }
  return TRUE;
}

/* The playlist time of wall-clock moment @wall_us: inside a segment, its place there; between
 * runs (the server was down), the start of the next; after the end, the end. */
static double
time_of (Archive *a, gint64 wall_us)
{
  for (guint i = 0; i < a->segments->len; i++) {
    Segment *s = &g_array_index (a->segments, Segment, i);
    if (wall_us < s->wall_start_us)
      return s->t;
    if (wall_us < s->wall_start_us + (gint64)(s->seconds * 1e6))
      return s->t + (wall_us - s->wall_start_us) / 1e6;
  }
  return a->duration;
}

static JsonArray *
marks (Archive *a, const char *member, const char *text_member)
{
  JsonObject *root = kaigi_manifest_root (a->manifest);
  JsonArray *in
      = json_object_has_member (root, member) ? json_object_get_array_member (root, member) : NULL;
  JsonArray *out = json_array_new ();

  for (guint i = 0; in && i < json_array_get_length (in); i++) {
    JsonObject *m = json_array_get_object_element (in, i), *o = json_object_new ();
    json_object_set_double_member (o, "t", time_of (a, json_object_get_int_member (m, "wall_us")));
    json_object_set_int_member (o, "wall_us", json_object_get_int_member (m, "wall_us"));
    if (json_object_has_member (m, "kind"))
      json_object_set_string_member (o, "kind", json_object_get_string_member (m, "kind"));
    json_object_set_string_member (o, text_member, json_object_get_string_member (m, text_member));
    json_array_add_object_element (out, o);
  }
  return out;
}

/* What a worker found: the reply to send. */
typedef struct {
  KaigiApi *api;         /* not owned; checked with kaigi_api_task_end */
  KaigiHttpRequest *req; /* answered exactly once */
  char *data_dir;        /* owned */
  gint64 ids[3];
  enum { ARCHIVE_JSON, ARCHIVE_PLAYLIST, ARCHIVE_SEGMENT, ARCHIVE_VTT } what;
  GPtrArray *statements; /* owned, nullable: KaigiUtterance *, public and not retracted */
  guint status;
  const char *type;
  GBytes *body;  /* owned */
  GError *error; /* owned */
} Job;

static void
job_free (Job *j)
{
  g_free (j->data_dir);
  g_clear_pointer (&j->statements, g_ptr_array_unref);
  g_clear_pointer (&j->body, g_bytes_unref);
  g_clear_error (&j->error);
  g_free (j);
}

/* Worker: the statements with their times in the recording. */
static JsonArray *
statements_json (Job *j, Archive *a)
{
  JsonArray *out = json_array_new ();

  for (guint i = 0; j->statements && i < j->statements->len; i++) {
    KaigiUtterance *u = g_ptr_array_index (j->statements, i);
    JsonObject *o = json_object_new ();
    json_object_set_int_member (o, "id", u->id);
    json_object_set_double_member (o, "t", time_of (a, u->start_us));
    json_object_set_double_member (o, "end", time_of (a, u->end_us));
    json_object_set_int_member (o, "wall_us", u->start_us);
    json_object_set_string_member (o, "speaker", u->speaker_name);
    json_object_set_string_member (o, "text", u->text);
    json_array_add_object_element (out, o);
  }
  return out;
}

/* Worker. */
static void
vtt_answer (Job *j, Archive *a)
{
  GString *vtt = g_string_new ("WEBVTT\n\n");

  for (guint i = 0; j->statements && i < j->statements->len; i++) {
    KaigiUtterance *u = g_ptr_array_index (j->statements, i);
    double t = time_of (a, u->start_us), end = time_of (a, u->end_us);
    if (end <= t)
      continue; /* said while nothing was recorded */
    kaigi_vtt_cue (vtt, u->id, (gint64)llround (t * 1e6), (gint64)llround (end * 1e6),
                   u->speaker_name, u->text);
  }
  j->status = 200;
  j->type = "text/vtt";
  j->body = g_string_free_to_bytes (vtt);
}

/* Worker. */
static void
json_answer (Job *j, Archive *a)
{
  g_autofree char *playlist
      = g_strdup_printf ("/api/public/meetings/%" G_GINT64_FORMAT "/archive.m3u8", j->ids[0]);
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  g_autoptr (JsonNode) root = json_node_new (JSON_NODE_OBJECT);
  JsonObject *o = json_object_new ();
  char *text;
  gsize len;

  json_object_set_int_member (o, "meeting", j->ids[0]);
  json_object_set_string_member (o, "playlist", playlist);
  json_object_set_double_member (o, "duration", a->duration);
  json_object_set_int_member (o, "segments", a->segments->len);
  json_object_set_int_member (o, "wall_start_us",
                              g_array_index (a->segments, Segment, 0).wall_start_us);
  json_object_set_array_member (o, "chapters", marks (a, "chapters", "label"));
  json_object_set_array_member (o, "states", marks (a, "states", "state"));
  json_object_set_array_member (o, "statements", statements_json (j, a));
  json_node_take_object (root, o);
  json_generator_set_root (gen, root);
  text = json_generator_to_data (gen, &len);
  j->status = 200;
  j->type = "application/json";
  j->body = g_bytes_new_take (text, len);
}

/* Worker. */
static void
playlist_answer (Job *j, Archive *a)
{
  GString *m3u8 = g_string_new ("#EXTM3U\n#EXT-X-VERSION:3\n");
  double longest = 0;
  guint run = 0;

  for (guint i = 0; i < a->segments->len; i++)
    longest = MAX (longest, g_array_index (a->segments, Segment, i).seconds);
  g_string_append_printf (m3u8,
                          "#EXT-X-TARGETDURATION:%u\n#EXT-X-MEDIA-SEQUENCE:0\n"
                          "#EXT-X-PLAYLIST-TYPE:VOD\n",
                          (guint)ceil (longest));
  for (guint i = 0; i < a->segments->len; i++) {
    Segment *s = &g_array_index (a->segments, Segment, i);
    g_autoptr (GDateTime) t = g_date_time_new_from_unix_utc (s->wall_start_us / G_USEC_PER_SEC);
    g_autofree char *when = t ? g_date_time_format_iso8601 (t) : NULL;
    char num[G_ASCII_DTOSTR_BUF_SIZE];
    if (i > 0 && s->run != run)
      g_string_append (m3u8, "#EXT-X-DISCONTINUITY\n");
    run = s->run;
    if (when)
      g_string_append_printf (m3u8, "#EXT-X-PROGRAM-DATE-TIME:%s\n", when);
    g_string_append_printf (m3u8, "#EXTINF:%s,\narchive/%u/%u\n",
                            g_ascii_formatd (num, sizeof num, "%.3f", s->seconds), s->run,
                            s->index);
  }
  g_string_append (m3u8, "#EXT-X-ENDLIST\n");
  j->status = 200;
  j->type = "application/vnd.apple.mpegurl";
  j->body = g_string_free_to_bytes (m3u8);
}

/* Worker. */
static void
segment_answer (Job *j, Archive *a)
{
  for (guint i = 0; i < a->segments->len; i++) {
    Segment *s = &g_array_index (a->segments, Segment, i);
    if (s->run == j->ids[1] && s->index == j->ids[2]) {
      g_autofree char *path = g_build_filename (kaigi_manifest_dir (a->manifest), s->file, NULL);
      char *data = NULL;
      gsize len = 0;
      if (!g_file_get_contents (path, &data, &len, &j->error))
        return;
      j->status = 200;
      j->type = "video/mp2t";
      j->body = g_bytes_new_take (data, len);
      return;
    }
  }
  g_set_error (&j->error, KAIGI_ERROR, KAIGI_ERROR_NOT_FOUND,
               "no such segment in this meeting's recording");
}

static void
job_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancel)
{
  Job *j = data;
  g_auto (Archive) a = { 0 };

  if (archive_load (j->data_dir, j->ids[0], &a, &j->error)) {
    if (j->what == ARCHIVE_JSON)
      json_answer (j, &a);
    else if (j->what == ARCHIVE_PLAYLIST)
      playlist_answer (j, &a);
    else if (j->what == ARCHIVE_VTT)
      vtt_answer (j, &a);
    else
      segment_answer (j, &a);
  }
  g_task_return_boolean (task, TRUE);
}

/* Main loop. */
static void
on_job_done (GObject *source, GAsyncResult *res, gpointer user_data)
{
  Job *j = g_task_get_task_data (G_TASK (res));

  if (!kaigi_api_task_end (j->api, j->req))
    return;
  if (j->error)
    kaigi_api_reply_gerror (j->req, j->error);
  else
    kaigi_http_request_reply (j->req, j->status, j->type, g_steal_pointer (&j->body), NULL);
}

/* Main loop: the meeting's statements said in public and not retracted, in time order. */
static GPtrArray *
public_statements (KaigiApi *api, gint64 meeting)
{
  g_autoptr (GError) error = NULL;
  GPtrArray *all = kaigi_store_utterances_load (api->ctx.store, meeting, &error);

  if (!all) {
    g_warning ("archive of meeting %" G_GINT64_FORMAT ": no statements: %s", meeting,
               error->message);
    return NULL;
  }
  for (guint i = all->len; i > 0; i--) {
    KaigiUtterance *u = g_ptr_array_index (all, i - 1);
    if (!u->is_public || u->retracted || !u->text || !*u->text)
      g_ptr_array_remove_index (all, i - 1);
  }
  return all;
}

static void
run (KaigiApi *api, KaigiHttpRequest *req, const gint64 *ids, int what)
{
  g_autoptr (GTask) task = g_task_new (NULL, NULL, on_job_done, NULL);
  Job *j = g_new0 (Job, 1);

  j->api = api;
  j->req = req;
  j->data_dir = g_strdup (api->data_dir);
  memcpy (j->ids, ids, sizeof j->ids);
  j->what = what;
  if ((what == ARCHIVE_JSON || what == ARCHIVE_VTT) && api->ctx.store)
    j->statements = public_statements (api, ids[0]);
  g_task_set_task_data (task, j, (GDestroyNotify)job_free);
  kaigi_api_task_begin (api);
  g_task_run_in_thread (task, job_thread);
}

void
kaigi_api_archive_get (KaigiApi *api, KaigiHttpRequest *req, const gint64 *ids,
                       const KaigiApiWho *who)
{
  run (api, req, ids, ARCHIVE_JSON);
}

void
kaigi_api_archive_playlist (KaigiApi *api, KaigiHttpRequest *req, const gint64 *ids,
                            const KaigiApiWho *who)
{
  run (api, req, ids, ARCHIVE_PLAYLIST);
}

void
kaigi_api_archive_segment (KaigiApi *api, KaigiHttpRequest *req, const gint64 *ids,
                           const KaigiApiWho *who)
{
  run (api, req, ids, ARCHIVE_SEGMENT);
}

void
kaigi_api_archive_captions (KaigiApi *api, KaigiHttpRequest *req, const gint64 *ids,
                            const KaigiApiWho *who)
{
  run (api, req, ids, ARCHIVE_VTT);
}
