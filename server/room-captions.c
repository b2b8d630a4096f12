/* room-captions.c: the public's live captions, behind the gate.
 *
 * Two outlets, fed only by kaigi_room_caption (room-minutes.c) with what was said in public
 * while the gate is open:
 *   - a short list (the last MAX_KEPT) that the public page polls (GET
 *     /api/public/meetings/ID/captions?after=N): captions beside the WHEP picture;
 *   - the live HLS WebVTT rendition: HLS_DIR/captions.m3u8 lists one captions-N.vtt for each
 *     live segment N the program writes (same numbers, same durations, same window), and
 *     HLS_DIR/master.m3u8 names index.m3u8 with it as its subtitles. Each .vtt maps its cue
 *     times to the segment's MPEG-TS time (X-TIMESTAMP-MAP): mpegtsmux stamps running time
 *     plus one hour (gst-plugins-bad 1.22 gstbasetsmux.c, TS_MUX_CLOCK_BASE).
 *
 * A live caption is shown when it exists: from the moment recognition gives it, for about
 * as long as it was spoken (2 to 7 s), as live television captions are; the archive's
 * captions use the exact times of speech. Main thread only, but for the file writer's thread. */
#define G_LOG_DOMAIN "kaigi-room"

#include "room-private.h"

#include <glib/gstdio.h>

#include "webvtt.h"

#define MAX_KEPT 50
#define TS_CLOCK_BASE_90K (90000LL * 3600)
#define MIN_SHOW_US (2 * G_USEC_PER_SEC)
#define MAX_SHOW_US (7 * G_USEC_PER_SEC)

struct _KaigiPublicCaption {
  guint64 seq;
  gint64 show_us, hide_us; /* wall clock */
  gint64 start_us, end_us; /* when it was said */
  char *speaker;           /* owned: 【】 label, "name title" */
  char *text;              /* owned */
};

typedef struct {
  guint index;
  double seconds;
} VttSegment;

static void
caption_free (gpointer data)
{
  KaigiPublicCaption *c = data;

  g_free (c->speaker);
  g_free (c->text);
  g_free (c);
}

void
kaigi_room_captions_free (KaigiRoom *r)
{
  if (r->captions)
    g_queue_free_full (r->captions, caption_free);
  r->captions = NULL;
  g_clear_pointer (&r->vtt_segments, g_array_unref);
}

void
kaigi_room_captions_add (KaigiRoom *r, const KaigiUtterance *u, const char *title, gint64 now)
{
  KaigiPublicCaption *c = g_new0 (KaigiPublicCaption, 1);
  gint64 spoken = u->end_us - u->start_us;

  if (!r->captions)
    r->captions = g_queue_new ();
  c->seq = ++r->caption_seq;
  c->show_us = now;
  c->hide_us = now + CLAMP (spoken, MIN_SHOW_US, MAX_SHOW_US);
  c->start_us = u->start_us;
  c->end_us = u->end_us;
  c->speaker = g_strdup_printf ("%s%s", u->speaker_name, title ? title : "");
  c->text = g_strdup (u->text);
  g_queue_push_tail (r->captions, c);
  while (g_queue_get_length (r->captions) > MAX_KEPT)
    caption_free (g_queue_pop_head (r->captions));
}

JsonObject *
kaigi_room_public_captions (KaigiRoom *r, guint64 after)
{
  JsonObject *o = json_object_new ();
  JsonArray *a = json_array_new ();
  gboolean open = r->meeting->state == KAIGI_MEETING_PUBLIC
                  && (!r->program || kaigi_program_is_open (r->program));

  /* Behind the gate nothing is given, not even what was said before it shut. */
  for (GList *l = open && r->captions ? r->captions->head : NULL; l; l = l->next) {
    KaigiPublicCaption *c = l->data;
    JsonObject *e;
    if (c->seq <= after)
      continue;
    e = json_object_new ();
    json_object_set_int_member (e, "seq", c->seq);
    json_object_set_string_member (e, "speaker", c->speaker);
    json_object_set_string_member (e, "text", c->text);
    json_object_set_int_member (e, "start", c->start_us / 1000);
    json_object_set_int_member (e, "end", c->end_us / 1000);
    json_object_set_int_member (e, "at", c->show_us / 1000);
    json_array_add_object_element (a, e);
  }
  json_object_set_array_member (o, "captions", a);
  json_object_set_int_member (o, "last", r->caption_seq);
  json_object_set_boolean_member (o, "live", open);
  return o;
}

/* ---- the HLS WebVTT rendition ---- */

static char *
vtt_segment (KaigiRoom *r, gint64 start_wall, gint64 end_wall, GstClockTime start_rt)
{
  GString *s = g_string_new ("WEBVTT\n");
  guint64 pts = (gst_util_uint64_scale (start_rt, 90000, GST_SECOND) + TS_CLOCK_BASE_90K)
                & ((1ULL << 33) - 1);

  g_string_append_printf (s, "X-TIMESTAMP-MAP=MPEGTS:%" G_GUINT64_FORMAT ",LOCAL:00:00:00.000\n\n",
                          pts);
  for (GList *l = r->captions ? r->captions->head : NULL; l; l = l->next) {
    KaigiPublicCaption *c = l->data;
    if (c->hide_us <= start_wall || c->show_us >= end_wall)
      continue;
    kaigi_vtt_cue (s, c->seq, c->show_us - start_wall, c->hide_us - start_wall, c->speaker,
                   c->text);
  }
  return g_string_free (s, FALSE);
}

/* The files are written by one thread of their own, in the order given: never disk on the
 * main loop (a playlist replaced is fsync'd). Shared by every room for the life of the
 * process. */
typedef struct {
  char *path; /* owned */
  char *text; /* owned; NULL: remove the file */
} FileJob;

static void
file_job (gpointer data, gpointer user_data)
{
  FileJob *j = data;
  g_autoptr (GError) error = NULL;

  if (!j->text)
    g_unlink (j->path);
  else if (!g_file_set_contents (j->path, j->text, -1, &error))
    g_warning ("live captions: %s", error->message);
  g_free (j->path);
  g_free (j->text);
  g_free (j);
}

static void
write_file (const char *dir, const char *name, const char *text)
{
  static GThreadPool *writer;
  FileJob *j = g_new0 (FileJob, 1);

  if (g_once_init_enter (&writer))
    g_once_init_leave (&writer, g_thread_pool_new (file_job, NULL, 1, FALSE, NULL));
  j->path = g_build_filename (dir, name, NULL);
  j->text = g_strdup (text);
  g_thread_pool_push (writer, j, NULL);
}

static void
write_playlists (KaigiRoom *r, const char *dir)
{
  g_autoptr (GString) pl = g_string_new ("#EXTM3U\n#EXT-X-VERSION:3\n");
  VttSegment *first = &g_array_index (r->vtt_segments, VttSegment, 0);
  g_autofree char *master = NULL;

  g_string_append_printf (pl, "#EXT-X-TARGETDURATION:%u\n#EXT-X-MEDIA-SEQUENCE:%u\n",
                          r->opt.program.segment_seconds, first->index);
  for (guint i = 0; i < r->vtt_segments->len; i++) {
    VttSegment *v = &g_array_index (r->vtt_segments, VttSegment, i);
    g_string_append_printf (pl, "#EXTINF:%.3f,\ncaptions-%05u.vtt\n", v->seconds, v->index);
  }
  write_file (dir, "captions.m3u8", pl->str);
  master = g_strdup_printf (
      "#EXTM3U\n#EXT-X-VERSION:3\n"
      "#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID=\"subs\",NAME=\"字幕 Captions\",LANGUAGE=\"ja\","
      "DEFAULT=YES,AUTOSELECT=YES,URI=\"captions.m3u8\"\n"
      "#EXT-X-STREAM-INF:BANDWIDTH=%u,CODECS=\"avc1.42c01f,mp4a.40.2\",SUBTITLES=\"subs\"\n"
      "index.m3u8\n",
      r->opt.program.video_bitrate + r->opt.program.audio_bitrate);
  write_file (dir, "master.m3u8", master);
}

void
kaigi_room_captions_segment (KaigiRoom *r, const char *dir, guint index, GstClockTime start,
                             GstClockTime end)
{
  gint64 start_wall = kaigi_graph_wall_clock_of (r->graph, start);
  gint64 end_wall = kaigi_graph_wall_clock_of (r->graph, end);
  g_autofree char *vtt = vtt_segment (r, start_wall, end_wall, start);
  g_autofree char *name = g_strdup_printf ("captions-%05u.vtt", index);
  VttSegment seg = { index, (double)(end - start) / GST_SECOND };
  guint window = MAX (r->opt.program.playlist_length, 1);

  if (!r->vtt_segments)
    r->vtt_segments = g_array_new (FALSE, FALSE, sizeof (VttSegment));
  write_file (dir, name, vtt);
  g_array_append_val (r->vtt_segments, seg);
  while (r->vtt_segments->len > window) {
    VttSegment *old = &g_array_index (r->vtt_segments, VttSegment, 0);
    /* Kept as long as hlssink2 keeps its segments (max-files: three windows). */
    if (old->index >= 3 * window) {
      g_autofree char *gone = g_strdup_printf ("captions-%05u.vtt", old->index - 3 * window);
      write_file (dir, gone, NULL);
    }
    g_array_remove_index (r->vtt_segments, 0);
  }
  write_playlists (r, dir);
}
