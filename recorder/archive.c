/* archive.c: see archive.h. Works from manifest.json (recorder/manifest.c) and the files
 * in tracks/; never from the database, so that a copied meeting folder can be checked
 * anywhere. Thread: the caller's. */
#include "archive.h"

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
  g_object_set (sink, "location", path, NULL);
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
  return TRUE;
}
