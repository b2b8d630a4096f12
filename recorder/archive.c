/* archive.c: see archive.h. Works from manifest.json (recorder/manifest.c) and the files
 * in tracks/; never from the database, so that a copied meeting folder can be checked
 * anywhere. Thread: the caller's. */
#include "archive.h"

#include <errno.h>
#include <gst/gst.h>
#include <glib/gstdio.h>
#include <string.h>

#include "kaigi-error.h"
#include "layout.h"
#include "manifest.h"
#include "piece.h"

/* A hole in a track longer than this is reported (Opus frames are 20 ms, video frames 33+). */
#define GAP_US 300000

static KaigiManifest *
open_meeting (const char *data_dir, gint64 meeting, GError **error)
{
  g_autofree char *name = g_strdup_printf ("%" G_GINT64_FORMAT, meeting);
  g_autofree char *dir = g_build_filename (data_dir, "meetings", name, NULL);
  g_autofree char *path = g_build_filename (dir, "manifest.json", NULL);

  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR)) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_NOT_FOUND, "%s: no recording here", path);
    return NULL;
  }
  return kaigi_manifest_open (dir, meeting, error);
}

static JsonArray *
sessions_of (KaigiManifest *m)
{
  return json_object_get_array_member (kaigi_manifest_root (m), "sessions");
}

static gint64
iget (JsonObject *o, const char *k)
{
  return json_object_get_int_member_with_default (o, k, -1);
}

static const char *
sget (JsonObject *o, const char *k)
{
  return json_object_get_string_member_with_default (o, k, "");
}

static char *
wall_text (gint64 us)
{
  g_autoptr (GDateTime) s = g_date_time_new_from_unix_local (us / G_USEC_PER_SEC);
  g_autoptr (GDateTime) t = s ? g_date_time_add (s, us % G_USEC_PER_SEC) : NULL;

  return t ? g_date_time_format (t, "%Y-%m-%d %H:%M:%S.%f") : g_strdup ("?");
}

static char *
piece_path (KaigiManifest *m, JsonObject *p)
{
  return g_build_filename (kaigi_manifest_dir (m), sget (p, "file"), NULL);
}

/* ---- list ---- */

/* The program recordings' runs: segments and the time they cover (closed segments). */
static void
list_program (JsonObject *root, const char *member, const char *what, GString *out)
{
  JsonArray *runs
      = json_object_has_member (root, member) ? json_object_get_array_member (root, member) : NULL;

  for (guint i = 0; runs && i < json_array_get_length (runs); i++) {
    JsonObject *r = json_array_get_object_element (runs, i);
    JsonArray *segs = json_object_get_array_member (r, "segments");
    g_autofree char *from = wall_text (iget (r, "wall_start_us"));
    gint64 covered = 0;
    for (guint k = 0; k < json_array_get_length (segs); k++) {
      JsonObject *g = json_array_get_object_element (segs, k);
      if (json_object_has_member (g, "wall_end_us"))
        covered += iget (g, "wall_end_us") - iget (g, "wall_start_us");
    }
    g_string_append_printf (out, "  %s run %" G_GINT64_FORMAT ": %u segments, %.1f s, from %s\n",
                            what, iget (r, "session"), json_array_get_length (segs), covered / 1e6,
                            from);
  }
}

static void
list_meeting (KaigiManifest *m, GString *out)
{
  JsonObject *root = kaigi_manifest_root (m);
  JsonArray *ss = sessions_of (m);

  g_string_append_printf (out, "meeting %" G_GINT64_FORMAT ": %u sessions, %s\n",
                          iget (root, "meeting"), json_array_get_length (ss),
                          json_object_get_boolean_member_with_default (root, "complete", FALSE)
                              ? "complete"
                              : "INCOMPLETE");
  if (json_object_has_member (root, "removed")) {
    JsonObject *r = json_object_get_object_member (root, "removed");
    g_autofree char *when = wall_text (iget (r, "wall_us"));
    g_string_append_printf (out, "  media removed %s (retention %" G_GINT64_FORMAT " days)\n", when,
                            iget (r, "retention_days"));
  }
  for (guint i = 0; i < json_array_get_length (ss); i++) {
    JsonObject *s = json_array_get_object_element (ss, i);
    JsonArray *ps = json_object_get_array_member (s, "pieces");
    guint n = json_array_get_length (ps);
    gint64 span = 0;
    g_autofree char *from = wall_text (iget (s, "wall_start_us"));

    if (n) {
      JsonObject *first = json_array_get_object_element (ps, 0);
      JsonObject *last = json_array_get_object_element (ps, n - 1);
      span = (iget (last, "media_end_us") >= 0 ? iget (last, "media_end_us")
                                               : iget (last, "media_start_us"))
             - iget (first, "media_start_us");
    }
    g_string_append_printf (out,
                            "  %s session %" G_GINT64_FORMAT " (%s, %s) %s: %u pieces, "
                            "%.1f s from %s\n",
                            sget (s, "track"), iget (s, "session"), sget (s, "name"),
                            sget (s, "codec"), sget (s, "state"), n, span / 1e6, from);
  }
  list_program (root, "program", "program", out);
  list_program (root, "program_closed", "closed-session program", out);
}

gboolean
kaigi_archive_list (const char *data_dir, GString *out, GError **error)
{
  g_autofree char *root = g_build_filename (data_dir, "meetings", NULL);
  g_autoptr (GDir) dir = g_dir_open (root, 0, error);
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  if (!dir)
    return FALSE;
  while ((name = g_dir_read_name (dir)))
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, (GCompareFunc)g_strcmp0);
  for (guint i = 0; i < names->len; i++) {
    gint64 id = g_ascii_strtoll (g_ptr_array_index (names, i), NULL, 10);
    g_autoptr (GError) local = NULL;
    g_autoptr (KaigiManifest) m = open_meeting (data_dir, id, &local);
    if (m)
      list_meeting (m, out);
  }
  return TRUE;
}

/* ---- verify ---- */

/* Files under tracks/ as paths relative to the meeting folder. */
static GPtrArray *
files_on_disk (KaigiManifest *m)
{
  GPtrArray *files = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *tracks = g_build_filename (kaigi_manifest_dir (m), "tracks", NULL);
  g_autoptr (GDir) d = g_dir_open (tracks, 0, NULL);
  const char *who, *f;

  while (d && (who = g_dir_read_name (d))) {
    g_autofree char *sub = g_build_filename (tracks, who, NULL);
    g_autoptr (GDir) e = g_dir_open (sub, 0, NULL);
    while (e && (f = g_dir_read_name (e)))
      if (g_str_has_suffix (f, ".webm"))
        g_ptr_array_add (files, g_strdup_printf ("tracks/%s/%s", who, f));
  }
  g_ptr_array_sort (files, (GCompareFunc)g_strcmp0);
  return files;
}

static gboolean
listed (KaigiManifest *m, const char *file)
{
  JsonArray *ss = sessions_of (m);

  for (guint i = 0; i < json_array_get_length (ss); i++) {
    JsonArray *ps = json_object_get_array_member (json_array_get_object_element (ss, i), "pieces");
    for (guint j = 0; j < json_array_get_length (ps); j++)
      if (g_str_equal (sget (json_array_get_object_element (ps, j), "file"), file))
        return TRUE;
  }
  return FALSE;
}

/* Checks a session's pieces; returns its recorded end (wall clock, µs). */
static gint64
verify_session (KaigiManifest *m, JsonObject *s, GString *out, guint *damaged)
{
  JsonArray *ps = json_object_get_array_member (s, "pieces");
  gint64 end_media = -1, end_wall = iget (s, "wall_start_us");
  GstClockTime total = 0;

  g_string_append_printf (out, "%s session %" G_GINT64_FORMAT " (%s) %s\n", sget (s, "track"),
                          iget (s, "session"), sget (s, "name"), sget (s, "state"));
  for (guint j = 0; j < json_array_get_length (ps); j++) {
    JsonObject *p = json_array_get_object_element (ps, j);
    g_autofree char *path = piece_path (m, p);
    KaigiPieceInfo info;
    gint64 start = iget (p, "media_start_us");

    kaigi_piece_check (path, &info, NULL);
    if (end_media >= 0 && start - end_media > GAP_US) {
      g_autofree char *at = wall_text (iget (p, "wall_start_us") - (start - end_media));
      g_string_append_printf (out, "  gap %.2f s before %s (from %s)\n", (start - end_media) / 1e6,
                              sget (p, "file"), at);
    }
    g_string_append_printf (out, "  piece %s: %s %.2f s, %u frames: %s\n", sget (p, "file"),
                            info.codec ? info.codec : "-", (double)info.duration / GST_SECOND,
                            info.frames, info.complete ? "ok" : info.error);
    if (!info.complete || g_strcmp0 (info.codec, sget (s, "codec")) != 0)
      (*damaged)++;
    total += info.duration;
    end_media = start + (gint64)(info.duration / GST_USECOND);
    end_wall = iget (p, "wall_start_us") + (gint64)(info.duration / GST_USECOND);
    kaigi_piece_info_clear (&info);
  }
  g_string_append_printf (out, "  total %.2f s\n", (double)total / GST_SECOND);
  if (g_str_equal (sget (s, "state"), KAIGI_SESSION_RECORDING)
      || g_str_equal (sget (s, "state"), "interrupted")) {
    g_autofree char *t = wall_text (end_wall);
    g_string_append_printf (
        out, "  interrupted: recorded until %s (recorded-until-us=%" G_GINT64_FORMAT ")\n", t,
        end_wall);
  }
  return end_wall;
}

gboolean
kaigi_archive_verify (const char *data_dir, gint64 meeting, GString *out, guint *damaged,
                      GError **error)
{
  g_autoptr (KaigiManifest) m = open_meeting (data_dir, meeting, error);
  g_autoptr (GHashTable) track_end
      = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr (GPtrArray) files = NULL;
  JsonArray *ss;

  *damaged = 0;
  if (!m)
    return FALSE;
  list_meeting (m, out);
  ss = sessions_of (m);
  for (guint i = 0; i < json_array_get_length (ss); i++) {
    JsonObject *s = json_array_get_object_element (ss, i);
    gint64 *prev = g_hash_table_lookup (track_end, sget (s, "track"));
    gint64 end;

    if (prev) {
      g_autofree char *from = wall_text (*prev);
      g_string_append_printf (
          out, "%s: gap between sessions %.2f s from %s (gap-us=%" G_GINT64_FORMAT ")\n",
          sget (s, "track"), (iget (s, "wall_start_us") - *prev) / 1e6, from,
          iget (s, "wall_start_us") - *prev);
    }
    end = verify_session (m, s, out, damaged);
    g_hash_table_insert (track_end, g_strdup (sget (s, "track")), g_memdup2 (&end, sizeof end));
  }
  files = files_on_disk (m);
  for (guint i = 0; i < files->len; i++) {
    if (listed (m, g_ptr_array_index (files, i)))
      continue;
    g_string_append_printf (out, "%s: not in the manifest (kaigi-recorder repair adds it)\n",
                            (char *)g_ptr_array_index (files, i));
    (*damaged)++;
  }
  g_string_append_printf (out, "%u damaged\n", *damaged);
  return TRUE;
}

/* ---- repair ---- */

static JsonObject *
session_for_file (KaigiManifest *m, const char *file, guint *index)
{
  g_auto (GStrv) parts = g_strsplit (file, "/", 3); /* tracks, who, name */
  g_autofree char *stem = NULL;
  g_auto (GStrv) bits = NULL;
  JsonArray *ss = sessions_of (m);

  if (g_strv_length (parts) != 3)
    return NULL;
  stem = g_strndup (parts[2], strlen (parts[2]) - strlen (".webm"));
  bits = g_strsplit (stem, "-", 3); /* kind, session, index */
  if (g_strv_length (bits) != 3)
    return NULL;
  *index = (guint)g_ascii_strtoull (bits[2], NULL, 10);
  for (guint i = 0; i < json_array_get_length (ss); i++) {
    JsonObject *s = json_array_get_object_element (ss, i);
    g_autofree char *folder = kaigi_manifest_folder_name (sget (s, "who"));
    if (g_str_equal (folder, parts[1]) && g_str_equal (sget (s, "kind"), bits[0])
        && iget (s, "session") == g_ascii_strtoll (bits[1], NULL, 10))
      return s;
  }
  return NULL;
}

/* A piece the server wrote but had not listed yet (killed within the manifest's write
 * delay): appended with times following the piece before it. */
static void
add_unlisted (KaigiManifest *m, const char *file, GString *out)
{
  guint index = 0;
  JsonObject *s = session_for_file (m, file, &index), *p;
  JsonArray *ps;

  if (!s) {
    g_string_append_printf (out, "%s: no session in the manifest; left as it is\n", file);
    return;
  }
  ps = json_object_get_array_member (s, "pieces");
  p = json_object_new ();
  json_object_set_string_member (p, "file", file);
  if (json_array_get_length (ps) > 0) {
    JsonObject *last = json_array_get_object_element (ps, json_array_get_length (ps) - 1);
    g_autofree char *path = piece_path (m, last);
    KaigiPieceInfo info;
    kaigi_piece_check (path, &info, NULL);
    json_object_set_int_member (p, "media_start_us",
                                iget (last, "media_start_us") + info.duration / GST_USECOND);
    json_object_set_int_member (p, "wall_start_us",
                                iget (last, "wall_start_us") + info.duration / GST_USECOND);
    kaigi_piece_info_clear (&info);
  } else {
    json_object_set_int_member (p, "media_start_us",
                                iget (s, "wall_start_us") - iget (s, "media_zero_wall_us"));
    json_object_set_int_member (p, "wall_start_us", iget (s, "wall_start_us"));
  }
  json_array_add_object_element (ps, p);
  g_string_append_printf (out, "%s: added to the manifest\n", file);
}

/* Returns FALSE if the piece is to be dropped. */
static gboolean
repair_piece (KaigiManifest *m, JsonObject *p, GString *out)
{
  g_autofree char *path = piece_path (m, p);
  g_autofree char *tmp = g_strconcat (path, ".repair", NULL);
  KaigiPieceInfo info;
  gint frames;

  kaigi_piece_check (path, &info, NULL);
  if (!info.complete && g_file_test (path, G_FILE_TEST_EXISTS)) {
    frames = kaigi_piece_remux (path, tmp, NULL);
    if (frames > 0 && g_rename (tmp, path) == 0) {
      g_string_append_printf (out, "%s: remuxed %d frames (was: %s)\n", sget (p, "file"), frames,
                              info.error);
      kaigi_piece_info_clear (&info);
      kaigi_piece_check (path, &info, NULL);
    }
    g_unlink (tmp);
  }
  if (!info.complete) {
    g_string_append_printf (out, "%s: nothing readable (%s); removed\n", sget (p, "file"),
                            info.error);
    g_unlink (path);
    kaigi_piece_info_clear (&info);
    return FALSE;
  }
  if (iget (p, "media_end_us") < 0) {
    json_object_set_int_member (p, "media_end_us",
                                iget (p, "media_start_us") + info.duration / GST_USECOND);
    json_object_set_int_member (p, "wall_end_us",
                                iget (p, "wall_start_us") + info.duration / GST_USECOND);
  }
  kaigi_piece_info_clear (&info);
  return TRUE;
}

gboolean
kaigi_archive_repair (const char *data_dir, gint64 meeting, GString *out, GError **error)
{
  g_autoptr (KaigiManifest) m = open_meeting (data_dir, meeting, error);
  g_autoptr (GPtrArray) files = NULL;
  JsonArray *ss;

  if (!m)
    return FALSE;
  files = files_on_disk (m);
  for (guint i = 0; i < files->len; i++)
    if (!listed (m, g_ptr_array_index (files, i)))
      add_unlisted (m, g_ptr_array_index (files, i), out);
  ss = sessions_of (m);
  for (guint i = 0; i < json_array_get_length (ss); i++) {
    JsonObject *s = json_array_get_object_element (ss, i);
    JsonArray *ps = json_object_get_array_member (s, "pieces");
    for (guint j = json_array_get_length (ps); j > 0; j--)
      if (!repair_piece (m, json_array_get_object_element (ps, j - 1), out))
        json_array_remove_element (ps, j - 1);
    if (g_str_equal (sget (s, "state"), KAIGI_SESSION_RECORDING)) {
      guint n = json_array_get_length (ps);
      JsonObject *last = n ? json_array_get_object_element (ps, n - 1) : NULL;
      g_autofree char *why = g_strdup_printf ("%s session %" G_GINT64_FORMAT
                                              ": the server stopped without closing it",
                                              sget (s, "track"), iget (s, "session"));
      json_object_set_string_member (s, "state", "interrupted");
      json_object_set_int_member (s, "wall_end_us",
                                  last ? iget (last, "wall_end_us") : iget (s, "wall_start_us"));
      kaigi_manifest_mark_incomplete (m, why, g_get_real_time ());
      g_string_append_printf (out, "%s\n", why);
    }
  }
  return kaigi_manifest_save (m, error);
}

/* ---- export ---- */

static char **
on_format_location (GstElement *src, gpointer user_data)
{
  return g_strdupv (user_data);
}

static void
on_src_pad (GstElement *src, GstPad *pad, GstElement *first)
{
  /* opusparse's "sink", or a new webmmux video pad for this stream. */
  g_autoptr (GstPad) sink = gst_element_get_compatible_pad (first, pad, NULL);

  if (sink && !gst_pad_is_linked (sink))
    gst_pad_link (pad, sink);
}

/* splitmuxsrc plays the pieces back to back (no decoding); a parser for Opus, whose caps
 * from matroskademux webmmux does not take as they are. */
static gboolean
export_track (GStrv files, gboolean video, const char *path, GError **error)
{
  g_autoptr (GstElement) pipeline = gst_pipeline_new ("kaigi-export");
  GstElement *src = gst_element_factory_make ("splitmuxsrc", NULL);
  GstElement *parse = video ? NULL : gst_element_factory_make ("opusparse", NULL);
  GstElement *mux = gst_element_factory_make ("webmmux", NULL);
  GstElement *sink = gst_element_factory_make ("filesink", NULL);
  g_autoptr (GstBus) bus = gst_element_get_bus (pipeline);
  g_autoptr (GstMessage) msg = NULL;

  if (!src || !mux || !sink || (!video && !parse)) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_MEDIA,
                 "splitmuxsrc, opusparse or webmmux missing");
    return FALSE;
  }
  g_object_set (sink, "location", path, "async", FALSE, NULL);
  gst_bin_add_many (GST_BIN (pipeline), src, mux, sink, NULL);
  if (parse) {
    gst_bin_add (GST_BIN (pipeline), parse);
    gst_element_link (parse, mux);
  }
  gst_element_link (mux, sink);
  g_signal_connect (src, "format-location", G_CALLBACK (on_format_location), files);
  g_signal_connect (src, "pad-added", G_CALLBACK (on_src_pad), parse ? parse : mux);
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  msg = gst_bus_timed_pop_filtered (bus, 600 * GST_SECOND, GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  if (!msg || GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR) {
    g_autoptr (GError) e = NULL;
    if (msg)
      gst_message_parse_error (msg, &e, NULL);
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_MEDIA, "export to %s: %s", path,
                 e ? e->message : "timed out");
    return FALSE;
  }
  return TRUE;
}

/* ---- the mixed and the public audio ---- */

/* A stretch of wall-clock time (µs). */
typedef struct {
  gint64 from, to;
} Span;

/* The recording's clock is when the media arrived (the jitterbuffers' estimate), which can
 * be a little before or (after a stream stepped back: media/record.c) up to about a second
 * after the moment it was said; a state change is stamped when the chair's command came.
 * The public version therefore leaves out a margin around every part that was not public:
 * GUARD_BEFORE_US before it, GUARD_AFTER_US after it. (The live program's gate has no such
 * margin: it acts on the media as they pass.) */
#define GUARD_BEFORE_US (G_USEC_PER_SEC / 2)
#define GUARD_AFTER_US (3 * G_USEC_PER_SEC / 2)

/* Where the meeting was public, from the manifest's state marks (each lasts until the next;
 * the last until @end), less the margins above. NULL if the manifest has none (recorded
 * before they existed). */
static GArray *
public_spans (JsonObject *root, gint64 end)
{
  JsonArray *marks = json_object_has_member (root, "states")
                         ? json_object_get_array_member (root, "states")
                         : NULL;
  GArray *spans;

  if (!marks)
    return NULL;
  spans = g_array_new (FALSE, FALSE, sizeof (Span));
  for (guint i = 0; i < json_array_get_length (marks); i++) {
    JsonObject *mk = json_array_get_object_element (marks, i);
    Span sp = { iget (mk, "wall_us"), end };
    if (i + 1 < json_array_get_length (marks))
      sp.to = iget (json_array_get_object_element (marks, i + 1), "wall_us") - GUARD_BEFORE_US;
    if (i > 0) /* after a part that was not public (before opening, closed, recess) */
      sp.from += GUARD_AFTER_US;
    if (g_str_equal (sget (mk, "state"), "public") && sp.to > sp.from)
      g_array_append_val (spans, sp);
  }
  return spans;
}

typedef struct {
  GArray *spans; /* public stretches, wall µs */
  gint64 t0;     /* wall µs at the output's time 0 */
  guint64 cut_ns, kept_ns;
  gint64 public_us; /* public time within the recording */
} Cutter;

/* Streaming thread (the mixer's). Only the public stretches go on, back to back. */
static GstPadProbeReturn
cut_closed (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  Cutter *c = user_data;
  GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER (info);
  GstClockTime pts = GST_BUFFER_PTS (buf), before = 0;
  gint64 wall;
  gboolean public = FALSE;

  if (!GST_CLOCK_TIME_IS_VALID (pts))
    return GST_PAD_PROBE_DROP;
  wall = c->t0 + (gint64)(pts / GST_USECOND);
  /* Public time before this buffer: its time in the public version. */
  for (guint i = 0; i < c->spans->len; i++) {
    Span *sp = &g_array_index (c->spans, Span, i);
    if (wall >= sp->to)
      before += (GstClockTime)(MAX (sp->to, c->t0) - MAX (sp->from, c->t0)) * GST_USECOND;
    else if (wall >= sp->from) {
      before += (GstClockTime)(wall - MAX (sp->from, c->t0)) * GST_USECOND;
      public = TRUE;
    }
  }
  if (!public) {
    c->cut_ns += GST_BUFFER_DURATION (buf);
    return GST_PAD_PROBE_DROP;
  }
  c->kept_ns += GST_BUFFER_DURATION (buf);
  buf = gst_buffer_make_writable (buf);
  GST_BUFFER_PTS (buf) = before;
  GST_BUFFER_DTS (buf) = GST_CLOCK_TIME_NONE;
  GST_PAD_PROBE_INFO_DATA (info) = buf;
  return GST_PAD_PROBE_OK;
}

static GstElement *
encoder_branch (GstElement *pipeline, GstElement *tee, const char *path, GstPadProbeCallback probe,
                gpointer data)
{
  GstElement *q = gst_element_factory_make ("queue", NULL);
  GstElement *enc = gst_element_factory_make ("opusenc", NULL);
  GstElement *mux = gst_element_factory_make ("webmmux", NULL);
  GstElement *sink = gst_element_factory_make ("filesink", NULL);
  g_autoptr (GstPad) qsrc = NULL;

  if (!q || !enc || !mux || !sink)
    return NULL;
  /* Not async: the public branch may get its first buffer long after the mix's (the meeting
   * opened later); waiting for both to preroll would block the tee for good. */
  g_object_set (sink, "location", path, "async", FALSE, NULL);
  g_object_set (enc, "bitrate", 48000, NULL);
  gst_bin_add_many (GST_BIN (pipeline), q, enc, mux, sink, NULL);
  if (!gst_element_link_many (tee, q, enc, mux, sink, NULL))
    return NULL;
  if (probe) {
    qsrc = gst_element_get_static_pad (q, "src");
    gst_pad_add_probe (qsrc, GST_PAD_PROBE_TYPE_BUFFER, probe, data, NULL);
  }
  return sink;
}

/* Every audio session mixed onto the meeting's wall clock (silence where no one was
 * recorded) into @mixed_path, and, if @spans, the same with all but the public stretches cut
 * out into @public_path. Returns the mix's duration in *seconds. */
static gboolean
export_mixed (KaigiManifest *m, GArray *spans, const char *mixed_path, const char *public_path,
              Cutter *cutter, double *seconds, GString *out, GError **error)
{
  g_autoptr (GstElement) pipeline = gst_pipeline_new ("kaigi-mix");
  g_autoptr (GstBus) bus = gst_element_get_bus (pipeline);
  g_autoptr (GstMessage) msg = NULL;
  g_autoptr (GPtrArray) files = g_ptr_array_new_with_free_func ((GDestroyNotify)g_strfreev);
  guint inputs = 0;
  GstElement *mix = gst_element_factory_make ("audiomixer", NULL);
  GstElement *conv = gst_element_factory_make ("audioconvert", NULL);
  GstElement *tee = gst_element_factory_make ("tee", NULL);
  JsonArray *ss = sessions_of (m);
  gint64 t0 = G_MAXINT64, end = 0;

  if (!mix || !conv || !tee) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_MEDIA, "audiomixer missing");
    return FALSE;
  }
  /* The meeting's first recorded moment is the mix's time 0. */
  for (guint i = 0; i < json_array_get_length (ss); i++) {
    JsonObject *s = json_array_get_object_element (ss, i);
    JsonArray *ps = json_object_get_array_member (s, "pieces");
    if (!g_str_equal (sget (s, "kind"), "audio") || !json_array_get_length (ps))
      continue;
    JsonObject *last = json_array_get_object_element (ps, json_array_get_length (ps) - 1);
    t0 = MIN (t0, iget (json_array_get_object_element (ps, 0), "wall_start_us"));
    end = MAX (end, iget (last, "wall_end_us") > 0 ? iget (last, "wall_end_us")
                                                   : iget (last, "wall_start_us"));
  }
  if (t0 == G_MAXINT64) {
    g_string_append (out, "mixed: no audio recorded\n");
    *seconds = 0;
    return TRUE;
  }
  /* Nothing public at all (a meeting held closed): no public version. */
  for (guint i = 0; spans && i < spans->len; i++) {
    Span *sp = &g_array_index (spans, Span, i);
    cutter->public_us += MAX (0, MIN (sp->to, end) - MAX (sp->from, t0));
  }
  if (!cutter->public_us)
    spans = NULL;
  gst_bin_add_many (GST_BIN (pipeline), mix, conv, tee, NULL);
  gst_element_link_many (mix, conv, tee, NULL);
  if (!encoder_branch (pipeline, tee, mixed_path, NULL, NULL)
      || (spans && !encoder_branch (pipeline, tee, public_path, cut_closed, cutter))) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_MEDIA, "opusenc or webmmux missing");
    return FALSE;
  }
  cutter->t0 = t0;
  cutter->spans = spans;
  for (guint i = 0; i < json_array_get_length (ss); i++) {
    JsonObject *s = json_array_get_object_element (ss, i);
    JsonArray *ps = json_object_get_array_member (s, "pieces");
    GStrvBuilder *b = g_strv_builder_new ();
    GstElement *src, *dec, *conv2, *res;
    g_autoptr (GstPad) srcpad = NULL, mixpad = NULL;
    GStrv list;

    if (!g_str_equal (sget (s, "kind"), "audio") || !json_array_get_length (ps)) {
      g_strv_builder_unref (b);
      continue;
    }
    for (guint j = 0; j < json_array_get_length (ps); j++) {
      g_autofree char *path = piece_path (m, json_array_get_object_element (ps, j));
      if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
        g_strv_builder_add (b, path);
    }
    list = g_strv_builder_end (b);
    g_strv_builder_unref (b);
    if (!list[0]) {
      g_strfreev (list);
      continue;
    }
    g_ptr_array_add (files, list);
    src = gst_element_factory_make ("splitmuxsrc", NULL);
    dec = gst_element_factory_make ("opusdec", NULL);
    conv2 = gst_element_factory_make ("audioconvert", NULL);
    res = gst_element_factory_make ("audioresample", NULL);
    gst_bin_add_many (GST_BIN (pipeline), src, dec, conv2, res, NULL);
    gst_element_link_many (dec, conv2, res, NULL);
    inputs++;
    g_signal_connect (src, "format-location", G_CALLBACK (on_format_location), list);
    g_signal_connect (src, "pad-added", G_CALLBACK (on_src_pad), dec);
    srcpad = gst_element_get_static_pad (res, "src");
    mixpad = gst_element_request_pad_simple (mix, "sink_%u");
    gst_pad_link (srcpad, mixpad);
    /* Its place on the meeting's clock (its first piece's wall clock from the meeting's
     * first): the mixer reads running time. */
    gst_pad_set_offset (srcpad, (iget (json_array_get_object_element (ps, 0), "wall_start_us") - t0)
                                    * GST_USECOND);
  }
  if (!inputs) {
    g_string_append (out, "mixed: no audio pieces on disk\n");
    *seconds = 0;
    return TRUE;
  }
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  msg = gst_bus_timed_pop_filtered (bus, 1800 * GST_SECOND, GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  if (!msg || GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR) {
    g_autoptr (GError) e = NULL;
    if (msg)
      gst_message_parse_error (msg, &e, NULL);
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_MEDIA, "mixing %s: %s", mixed_path,
                 e ? e->message : "timed out");
    return FALSE;
  }
  *seconds = (end - t0) / 1e6;
  g_string_append_printf (out, "mixed: %u audio sessions, %.1f s -> %s\n", inputs, *seconds,
                          mixed_path);
  return TRUE;
}

static gboolean
export_mixes (KaigiManifest *m, const char *out_dir, GString *out, GError **error)
{
  g_autoptr (GArray) spans = public_spans (kaigi_manifest_root (m), G_MAXINT64);
  g_autofree char *mixed = g_build_filename (out_dir, "mixed.webm", NULL);
  g_autofree char *public = g_build_filename (out_dir, "public.webm", NULL);
  Cutter cutter = { 0 };
  double seconds = 0;

  if (!export_mixed (m, spans, mixed, public, &cutter, &seconds, out, error))
    return FALSE;
  if (!spans)
    g_string_append (out, "public: not made: the manifest has no meeting states (recorded "
                          "before they were kept)\n");
  else if (seconds > 0 && !cutter.public_us)
    g_string_append (out, "public: not made: no part of the recording was public\n");
  else if (seconds > 0) {
    g_string_append_printf (out,
                            "public: %.1f s kept, %.1f s cut (not public: before opening, "
                            "closed, recess, after adjournment) -> %s\n",
                            cutter.kept_ns / 1e9, cutter.cut_ns / 1e9, public);
    for (guint i = 0; i < spans->len; i++) {
      Span *sp = &g_array_index (spans, Span, i);
      g_autofree char *from = wall_text (sp->from);
      g_autofree char *to = sp->to == G_MAXINT64 ? g_strdup ("the end") : wall_text (sp->to);
      g_string_append_printf (out, "  public from %s to %s\n", from, to);
    }
  }
  return TRUE;
}

gboolean
kaigi_archive_export (const char *data_dir, gint64 meeting, const char *out_dir, GString *out,
                      GError **error)
{
  g_autoptr (KaigiManifest) m = open_meeting (data_dir, meeting, error);
  g_autoptr (GHashTable) tracks = NULL;
  GHashTableIter it;
  gpointer key, value;
  JsonArray *ss;

  if (!m)
    return FALSE;
  if (g_mkdir_with_parents (out_dir, 0750) != 0) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_IO, "cannot create %s", out_dir);
    return FALSE;
  }
  /* track -> GStrvBuilder of absolute paths, sessions and pieces in manifest order. */
  tracks = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                  (GDestroyNotify)g_strv_builder_unref);
  ss = sessions_of (m);
  for (guint i = 0; i < json_array_get_length (ss); i++) {
    JsonObject *s = json_array_get_object_element (ss, i);
    JsonArray *ps = json_object_get_array_member (s, "pieces");
    GStrvBuilder *b = g_hash_table_lookup (tracks, sget (s, "track"));
    if (!b)
      g_hash_table_insert (tracks, g_strdup (sget (s, "track")), b = g_strv_builder_new ());
    for (guint j = 0; j < json_array_get_length (ps); j++) {
      g_autofree char *path = piece_path (m, json_array_get_object_element (ps, j));
      if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
        g_strv_builder_add (b, path);
    }
  }
  g_hash_table_iter_init (&it, tracks);
  while (g_hash_table_iter_next (&it, &key, &value)) {
    g_auto (GStrv) files = g_strv_builder_end (value);
    g_autofree char *name = g_strdelimit (g_strdup (key), "/", '-');
    g_autofree char *file = g_strconcat (name, ".webm", NULL);
    g_autofree char *path = g_build_filename (out_dir, file, NULL);
    if (!files[0])
      continue;
    if (!export_track (files, g_str_has_suffix (key, "/video"), path, error))
      return FALSE;
    g_string_append_printf (out, "%s: %u pieces -> %s\n", (char *)key, g_strv_length (files), path);
  }
  return export_mixes (m, out_dir, out, error);
}

/* ---- retention ---- */

gboolean
kaigi_archive_expire_meeting (const char *data_dir, gint64 meeting, guint days, gint64 now_us,
                              char **trash, GString *out, GError **error)
{
  g_autoptr (GError) local = NULL;
  g_autoptr (KaigiManifest) m = NULL;
  g_autofree char *aside = NULL, *when = NULL;
  JsonObject *root, *removed;
  JsonArray *ss, *runs;
  gint64 updated;

  *trash = NULL;
  if (!days)
    return TRUE;
  if (!(m = open_meeting (data_dir, meeting, &local))) {
    if (g_error_matches (local, KAIGI_ERROR, KAIGI_ERROR_NOT_FOUND))
      return TRUE; /* a meeting that recorded nothing */
    g_propagate_error (error, g_steal_pointer (&local));
    return FALSE;
  }
  root = kaigi_manifest_root (m);
  updated = iget (root, "updated_wall_us");
  if (json_object_has_member (root, "removed") || updated < 0
      || now_us - updated < (gint64)days * 24 * 3600 * G_USEC_PER_SEC)
    return TRUE;
  /* The media folders (tracks/, program/) are moved aside at once (a rename each, into
   * removed-NOW/), their files deleted after: a crash in between leaves a removed-* folder
   * that the next sweep deletes. */
  {
    g_autofree char *name = g_strdup_printf ("removed-%" G_GINT64_FORMAT, now_us);
    aside = g_build_filename (kaigi_manifest_dir (m), name, NULL);
  }
  for (const char *const *f = (const char *const[]){ "tracks", "program", NULL }; *f; f++) {
    g_autofree char *from = g_build_filename (kaigi_manifest_dir (m), *f, NULL);
    g_autofree char *to = g_build_filename (aside, *f, NULL);
    if (!g_file_test (from, G_FILE_TEST_IS_DIR))
      continue;
    if (g_mkdir_with_parents (aside, 0750) != 0 || g_rename (from, to) != 0) {
      int e = errno;
      g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_IO, "cannot move %s aside: %s", from,
                   g_strerror (e));
      if (g_file_test (aside, G_FILE_TEST_IS_DIR))
        *trash = g_steal_pointer (&aside); /* what did move goes all the same */
      return FALSE;
    }
  }
  if (g_file_test (aside, G_FILE_TEST_IS_DIR))
    *trash = g_steal_pointer (&aside);
  ss = sessions_of (m);
  for (guint i = 0; i < json_array_get_length (ss); i++) {
    JsonObject *s = json_array_get_object_element (ss, i);
    json_object_set_int_member (s, "pieces_removed",
                                json_array_get_length (json_object_get_array_member (s, "pieces")));
    json_object_set_array_member (s, "pieces", json_array_new ());
  }
  for (const char *const *which = (const char *const[]){ "program", "program_closed", NULL };
       *which; which++) {
    runs = json_object_has_member (root, *which) ? json_object_get_array_member (root, *which)
                                                 : NULL;
    for (guint i = 0; runs && i < json_array_get_length (runs); i++) {
      JsonObject *r = json_array_get_object_element (runs, i);
      json_object_set_int_member (
          r, "segments_removed",
          json_array_get_length (json_object_get_array_member (r, "segments")));
      json_object_set_array_member (r, "segments", json_array_new ());
    }
  }
  removed = json_object_new ();
  json_object_set_int_member (removed, "wall_us", now_us);
  json_object_set_int_member (removed, "last_written_wall_us", updated);
  json_object_set_int_member (removed, "retention_days", days);
  json_object_set_object_member (root, "removed", removed);
  when = wall_text (updated);
  g_string_append_printf (out,
                          "meeting %" G_GINT64_FORMAT ": media removed (last written %s, "
                          "retention %u days); the manifest stays\n",
                          meeting, when, days);
  return kaigi_manifest_save (m, error);
}

/* Meeting ids under DATA_DIR/meetings, in order. */
static GArray *
meeting_ids (const char *data_dir)
{
  g_autofree char *root = g_build_filename (data_dir, "meetings", NULL);
  g_autoptr (GDir) dir = g_dir_open (root, 0, NULL);
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  const char *name;

  while (dir && (name = g_dir_read_name (dir))) {
    char *end = NULL;
    gint64 id = g_ascii_strtoll (name, &end, 10);
    if (end && !*end && end != name && id >= 0)
      g_array_append_val (ids, id);
  }
  return ids;
}

static gint
cmp_id (gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *)a, y = *(const gint64 *)b;

  return x < y ? -1 : x > y;
}

gboolean
kaigi_archive_expire (const char *data_dir, guint days, gint64 now_us, KaigiArchiveBusyFunc busy,
                      gpointer user, GPtrArray *trash, GString *out, GError **error)
{
  g_autoptr (GArray) ids = meeting_ids (data_dir);

  g_array_sort (ids, cmp_id);
  for (guint i = 0; i < ids->len; i++) {
    gint64 id = g_array_index (ids, gint64, i);
    g_autofree char *name = g_strdup_printf ("%" G_GINT64_FORMAT, id);
    g_autofree char *dir = g_build_filename (data_dir, "meetings", name, NULL);
    g_autoptr (GDir) d = NULL;
    const char *entry;
    char *aside = NULL;

    /* Left over by a sweep that was interrupted. */
    d = g_dir_open (dir, 0, NULL);
    while (d && (entry = g_dir_read_name (d)))
      if (g_str_has_prefix (entry, "removed-"))
        g_ptr_array_add (trash, g_build_filename (dir, entry, NULL));
    if (busy && busy (id, user))
      continue;
    if (!kaigi_archive_expire_meeting (data_dir, id, days, now_us, &aside, out, error))
      return FALSE;
    if (aside)
      g_ptr_array_add (trash, aside);
  }
  return TRUE;
}

static void
remove_tree (const char *path, guint *files)
{
  g_autoptr (GDir) d = g_dir_open (path, 0, NULL);
  const char *name;

  while (d && (name = g_dir_read_name (d))) {
    g_autofree char *child = g_build_filename (path, name, NULL);
    if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
      remove_tree (child, files);
    else if (g_unlink (child) == 0)
      (*files)++;
  }
  g_rmdir (path);
}

guint
kaigi_archive_remove_trash (GPtrArray *trash)
{
  guint files = 0;

  for (guint i = 0; i < trash->len; i++)
    remove_tree (g_ptr_array_index (trash, i), &files);
  return files;
}
