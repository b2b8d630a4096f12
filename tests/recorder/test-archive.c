/* test-archive.c: kaigi-recorder's export of the mixed and the public audio, on a meeting
 * folder written for the test: real Opus WebM pieces (opusenc) listed in a real manifest.
 *
 * Member A (440 Hz) is recorded from 0 to 12 s, member B (1000 Hz) from 4 to 16 s, each in
 * 2-second pieces. The meeting opens (not yet public) before, is public from 2 to 6 s, closed
 * from 6 to 10 s, public again from 10 s, and adjourned at 16 s. Then:
 *   - mixed.webm lasts 16 s; A's tone is in it from 0 to 12 s, B's from 4 to 16 s, each only
 *     there (its place on the meeting's clock kept, silence before and after);
 *   - public.webm keeps the public parts less a margin of 1.5 s after and 0.5 s before each
 *     part that was not public: 3.5..5.5 then 11.5..15.5, back to back, 6 s: A in its first
 *     2.5 s (meeting 3.5..5.5 and 11.5..12), B from 0.5 s (meeting 4) to the end; and the
 *     export does not wait for the public version to start before writing the mix (a first
 *     public moment seconds into the recording once blocked both).
 *   - a manifest without state marks, or a meeting closed throughout, gives the mix and says
 *     why no public version was made.
 * And retention (kaigi_archive_expire): media removed only after the time and only when the
 * meeting is not busy, the manifest kept; an interrupted sweep is finished by the next. */
#include <gst/app/gstappsink.h>
#include <gst/gst.h>
#include <glib/gstdio.h>
#include <math.h>

#include "archive.h"
#include "manifest.h"

#define RATE 48000
#define T0 1700000000000000 /* wall µs of the meeting's first recorded moment */
#define S 1000000           /* one second in µs */

/* A piece: @seconds of a sine at @freq as Opus in WebM, at @path. */
static void
write_piece (const char *path, guint freq, guint seconds)
{
  g_autofree char *desc = g_strdup_printf (
      "audiotestsrc freq=%u volume=0.3 samplesperbuffer=960 num-buffers=%u ! "
      "audio/x-raw,rate=48000,channels=1 ! opusenc ! webmmux ! filesink location=\"%s\"",
      freq, seconds * 50, path);
  g_autoptr (GError) error = NULL;
  g_autoptr (GstElement) p = gst_parse_launch (desc, &error);
  g_autoptr (GstBus) bus = NULL;
  g_autoptr (GstMessage) msg = NULL;

  g_assert_no_error (error);
  bus = gst_element_get_bus (p);
  gst_element_set_state (p, GST_STATE_PLAYING);
  msg = gst_bus_timed_pop_filtered (bus, 30 * GST_SECOND, GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  g_assert_nonnull (msg);
  g_assert_cmpint (GST_MESSAGE_TYPE (msg), ==, GST_MESSAGE_EOS);
  gst_element_set_state (p, GST_STATE_NULL);
}

/* A session of @who from @from_s to @to_s (seconds after T0) in 2-second pieces. */
static void
record (KaigiManifest *m, const char *who, guint freq, guint from_s, guint to_s)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *pattern = NULL;
  guint session = kaigi_manifest_session_begin (m, who, who, "p1", "audio", "opus",
                                                T0 + (gint64)from_s * S, T0, &pattern, &error);

  g_assert_no_error (error);
  for (guint i = 0, t = from_s; t < to_s; i++, t += 2) {
    g_autofree char *path = g_strdup_printf (pattern, i);
    write_piece (path, freq, 2);
    kaigi_manifest_piece_opened (m, who, "audio", session, path, (guint64)t * S,
                                 T0 + (gint64)t * S);
    kaigi_manifest_piece_closed (m, who, "audio", session, path, (guint64)(t + 2) * S,
                                 T0 + (gint64)(t + 2) * S);
  }
  kaigi_manifest_session_end (m, who, "audio", session, KAIGI_SESSION_STOPPED, NULL,
                              T0 + (gint64)to_s * S);
}

/* Decodes @path to mono float samples at RATE. */
static GArray *
decode (const char *path)
{
  g_autofree char *desc
      = g_strdup_printf ("filesrc location=\"%s\" ! decodebin ! audioconvert ! audioresample ! "
                         "audio/x-raw,format=F32LE,rate=%d,channels=1,layout=interleaved ! appsink "
                         "name=out sync=false",
                         path, RATE);
  g_autoptr (GError) error = NULL;
  g_autoptr (GstElement) p = gst_parse_launch (desc, &error);
  g_autoptr (GstElement) sink = NULL;
  GArray *samples = g_array_new (FALSE, FALSE, sizeof (float));
  GstSample *s;

  g_assert_no_error (error);
  sink = gst_bin_get_by_name (GST_BIN (p), "out");
  gst_element_set_state (p, GST_STATE_PLAYING);
  while ((s = gst_app_sink_try_pull_sample (GST_APP_SINK (sink), 10 * GST_SECOND))) {
    GstMapInfo map;
    GstBuffer *b = gst_sample_get_buffer (s);
    gst_buffer_map (b, &map, GST_MAP_READ);
    g_array_append_vals (samples, map.data, map.size / sizeof (float));
    gst_buffer_unmap (b, &map);
    gst_sample_unref (s);
  }
  gst_element_set_state (p, GST_STATE_NULL);
  return samples;
}

/* Power of @freq (Goertzel) in the 100 ms from @at seconds, relative to a full-scale sine. */
static double
tone (GArray *x, double at, double freq)
{
  guint from = (guint)(at * RATE), n = RATE / 10;
  double w = 2 * G_PI * freq / RATE, c = 2 * cos (w), s1 = 0, s2 = 0;

  if (from + n > x->len)
    return 0;
  for (guint i = 0; i < n; i++) {
    double s0 = g_array_index (x, float, from + i) + c * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  return (s1 * s1 + s2 * s2 - c * s1 * s2) / ((double)n * n / 4);
}

/* The tone at @freq is heard (above -30 dB of full scale) in the 100 ms windows of [from, to)
 * seconds, 200 ms from either end, and not (below -50 dB) outside, 200 ms from the ends.
 * @joins: the output's times where two of the fixture's pieces meet (each piece is a separate
 * opusenc run: a click and a few ms missing there), left out. */
static void
check_tone (GArray *x, const char *what, double freq, double from, double to, const double *joins)
{
  double len = (double)x->len / RATE;

  for (double t = 0.2; t + 0.3 < len; t += 0.1) {
    double db = 10 * log10 (tone (x, t, freq) + 1e-12);
    gboolean near_join = FALSE;
    for (const double *j = joins; j && *j > 0; j++)
      near_join |= t + 0.1 > *j - 0.15 && t < *j + 0.15;
    if (near_join)
      continue;
    if (t >= from + 0.2 && t + 0.1 <= to - 0.2) {
      if (db < -30)
        g_error ("%s: %.0f Hz missing at %.1f s (%.1f dB)", what, freq, t, db);
    } else if ((t + 0.1 <= from - 0.2 || t >= to + 0.2) && db > -50)
      g_error ("%s: %.0f Hz present at %.1f s (%.1f dB)", what, freq, t, db);
  }
}

enum { NO_STATES, PUBLIC_AND_CLOSED, ALL_CLOSED };

static char *
meeting_folder (const char *data, guint states)
{
  g_autofree char *dir = g_build_filename (data, "meetings", "3", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (KaigiManifest) m = NULL;

  g_mkdir_with_parents (dir, 0750);
  m = kaigi_manifest_open (dir, 3, &error);
  g_assert_no_error (error);
  if (states == ALL_CLOSED) {
    kaigi_manifest_mark_state (m, "open", T0 - 5 * S, -1);
    kaigi_manifest_mark_state (m, "closed", T0 - 4 * S, -1);
    kaigi_manifest_mark_state (m, "adjourned", T0 + 16 * S, -1);
  } else if (states == PUBLIC_AND_CLOSED) {
    kaigi_manifest_mark_state (m, "open", T0 - 5 * S, -1);
    kaigi_manifest_mark_state (m, "public", T0 + 2 * S, -1);
    kaigi_manifest_mark_state (m, "public", T0 + 2500000, -1); /* a repeat: ignored */
    kaigi_manifest_mark_state (m, "closed", T0 + 6 * S, -1);
    kaigi_manifest_mark_state (m, "public", T0 + 10 * S, -1);
    kaigi_manifest_mark_state (m, "adjourned", T0 + 16 * S, -1);
  }
  record (m, "r1", 440, 0, 12);
  record (m, "r2", 1000, 4, 16);
  g_assert_true (kaigi_manifest_save (m, &error));
  return g_steal_pointer (&dir);
}

/* list: the tracks' sessions and both program recordings. */
static void
test_list (void)
{
  g_autofree char *data = g_dir_make_tmp ("kaigi-archive-XXXXXX", NULL);
  g_autofree char *dir = meeting_folder (data, PUBLIC_AND_CLOSED);
  g_autoptr (GString) out = g_string_new (NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (KaigiManifest) m = kaigi_manifest_open (dir, 3, &error);

  g_assert_no_error (error);
  for (guint closed = 0; closed < 2; closed++) {
    g_autofree char *location = NULL, *playlist = NULL;
    guint run = kaigi_manifest_program_begin (m, closed, T0, &location, &playlist, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (run, ==, 1);
    g_assert_true (
        g_str_has_suffix (location, closed ? "/program/closed-1-%05d.ts" : "/program/1-%05d.ts"));
    for (guint k = 0; k < (closed ? 2u : 5u); k++) {
      g_autofree char *seg = g_strdup_printf (location, k);
      kaigi_manifest_program_segment (m, closed, run, seg, TRUE, k * 2 * S, T0 + k * 2 * S);
      kaigi_manifest_program_segment (m, closed, run, seg, FALSE, (k + 1) * 2 * S,
                                      T0 + (k + 1) * 2 * S);
    }
  }
  g_assert_true (kaigi_manifest_save (m, &error));
  g_assert_true (kaigi_archive_list (data, out, &error));
  g_assert_no_error (error);
  g_test_message ("%s", out->str);
  g_assert_nonnull (strstr (out->str, "meeting 3: 2 sessions"));
  g_assert_nonnull (strstr (out->str, "  program run 1: 5 segments, 10.0 s, from "));
  g_assert_nonnull (strstr (out->str, "  closed-session program run 1: 2 segments, 4.0 s, from "));
}

static void
test_mixed_and_public (void)
{
  g_autofree char *data = g_dir_make_tmp ("kaigi-archive-XXXXXX", NULL);
  g_autofree char *dir = meeting_folder (data, PUBLIC_AND_CLOSED);
  g_autofree char *out_dir = g_build_filename (data, "export", NULL);
  g_autofree char *mixed_path = g_build_filename (out_dir, "mixed.webm", NULL);
  g_autofree char *public_path = g_build_filename (out_dir, "public.webm", NULL);
  g_autoptr (GString) out = g_string_new (NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) mixed = NULL, public = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autofree char *manifest = g_build_filename (dir, "manifest.json", NULL);
  JsonArray *states;

  /* The repeat of "public" was not kept. */
  json_parser_load_from_file (parser, manifest, &error);
  g_assert_no_error (error);
  states = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)),
                                         "states");
  g_assert_cmpuint (json_array_get_length (states), ==, 5);

  g_assert_true (kaigi_archive_export (data, 3, out_dir, out, &error));
  g_assert_no_error (error);
  g_test_message ("%s", out->str);
  g_assert_nonnull (strstr (out->str, "mixed: 2 audio sessions, 16.0 s"));

  mixed = decode (mixed_path);
  g_test_message ("mixed.webm: %.2f s", (double)mixed->len / RATE);
  g_assert_cmpfloat (fabs ((double)mixed->len / RATE - 16.0), <, 0.15);
  check_tone (mixed, "mixed", 440, 0, 12, (const double[]){ 2, 4, 6, 8, 10, 12, 14, 0 });
  check_tone (mixed, "mixed", 1000, 4, 16, (const double[]){ 2, 4, 6, 8, 10, 12, 14, 0 });

  public = decode (public_path);
  g_test_message ("public.webm: %.2f s", (double)public->len / RATE);
  g_assert_cmpfloat (fabs ((double)public->len / RATE - 6.0), <, 0.15);
  /* Its time: 0..2 is the meeting's 3.5..5.5, 2..6 the meeting's 11.5..15.5. */
  /* Joins: meeting 4 s (0.5), the cut (2.0), meeting 12 and 14 s (2.5, 4.5). */
  check_tone (public, "public", 440, 0, 2.5, (const double[]){ 0.5, 2, 2.5, 4.5, 0 });
  check_tone (public, "public", 1000, 0.5, 6, (const double[]){ 0.5, 2, 2.5, 4.5, 0 });
}

static void
test_no_states (void)
{
  g_autofree char *data = g_dir_make_tmp ("kaigi-archive-XXXXXX", NULL);
  g_autofree char *dir = meeting_folder (data, NO_STATES);
  g_autofree char *out_dir = g_build_filename (data, "export", NULL);
  g_autofree char *public_path = g_build_filename (out_dir, "public.webm", NULL);
  g_autoptr (GString) out = g_string_new (NULL);
  g_autoptr (GError) error = NULL;

  g_assert_true (kaigi_archive_export (data, 3, out_dir, out, &error));
  g_assert_no_error (error);
  g_assert_nonnull (strstr (out->str, "public: not made"));
  g_assert_false (g_file_test (public_path, G_FILE_TEST_EXISTS));
}

/* A meeting held closed throughout: the mix, and no public version. */
static void
test_all_closed (void)
{
  g_autofree char *data = g_dir_make_tmp ("kaigi-archive-XXXXXX", NULL);
  g_autofree char *dir = meeting_folder (data, ALL_CLOSED);
  g_autofree char *out_dir = g_build_filename (data, "export", NULL);
  g_autofree char *mixed_path = g_build_filename (out_dir, "mixed.webm", NULL);
  g_autofree char *public_path = g_build_filename (out_dir, "public.webm", NULL);
  g_autoptr (GString) out = g_string_new (NULL);
  g_autoptr (GError) error = NULL;

  g_assert_true (kaigi_archive_export (data, 3, out_dir, out, &error));
  g_assert_no_error (error);
  g_assert_nonnull (strstr (out->str, "public: not made: no part of the recording was public"));
  g_assert_true (g_file_test (mixed_path, G_FILE_TEST_IS_REGULAR));
  g_assert_false (g_file_test (public_path, G_FILE_TEST_EXISTS));
}

static gboolean
busy_three (gint64 id, gpointer user)
{
  (*(guint *)user)++;
  return id == 3;
}

/* Retention: nothing happens before the time; a busy meeting is left alone; after it, the
 * media go (files deleted), the manifest stays with the sessions, no pieces and "removed";
 * verify finds nothing damaged; a second sweep finds nothing to do. */
static void
test_expire (void)
{
  g_autofree char *data = g_dir_make_tmp ("kaigi-archive-XXXXXX", NULL);
  g_autofree char *dir = meeting_folder (data, PUBLIC_AND_CLOSED);
  g_autofree char *tracks = g_build_filename (dir, "tracks", NULL);
  g_autoptr (GPtrArray) trash = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GString) out = g_string_new (NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (KaigiManifest) m = NULL;
  gint64 now = g_get_real_time (), day = (gint64)24 * 3600 * G_USEC_PER_SEC;
  JsonArray *ss;
  guint asked = 0, damaged = 0;

  /* A day and a half later, with 2 days of retention: kept. */
  g_assert_true (kaigi_archive_expire (data, 2, now + day * 3 / 2, NULL, NULL, trash, out, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (trash->len, ==, 0);
  g_assert_true (g_file_test (tracks, G_FILE_TEST_IS_DIR));
  /* Three days later, but someone is in the meeting: kept. */
  g_assert_true (
      kaigi_archive_expire (data, 2, now + day * 3, busy_three, &asked, trash, out, &error));
  g_assert_cmpuint (asked, ==, 1);
  g_assert_cmpuint (trash->len, ==, 0);
  /* Three days later: gone. */
  g_assert_true (kaigi_archive_expire (data, 2, now + day * 3, NULL, NULL, trash, out, &error));
  g_assert_no_error (error);
  g_test_message ("%s", out->str);
  g_assert_cmpuint (trash->len, ==, 1);
  g_assert_false (g_file_test (tracks, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (kaigi_archive_remove_trash (trash), ==, 12); /* 6 pieces each, 2 tracks */
  g_assert_false (g_file_test (g_ptr_array_index (trash, 0), G_FILE_TEST_EXISTS));
  g_assert_nonnull (strstr (out->str, "meeting 3: media removed"));

  m = kaigi_manifest_open (dir, 3, &error);
  g_assert_no_error (error);
  g_assert_true (json_object_has_member (kaigi_manifest_root (m), "removed"));
  ss = json_object_get_array_member (kaigi_manifest_root (m), "sessions");
  g_assert_cmpuint (json_array_get_length (ss), ==, 2);
  for (guint i = 0; i < 2; i++) {
    JsonObject *s = json_array_get_object_element (ss, i);
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (s, "pieces")), ==, 0);
    g_assert_cmpint (json_object_get_int_member (s, "pieces_removed"), ==, 6);
  }
  g_string_truncate (out, 0);
  g_assert_true (kaigi_archive_verify (data, 3, out, &damaged, &error));
  g_assert_cmpuint (damaged, ==, 0);
  g_assert_nonnull (strstr (out->str, "media removed"));
  /* Nothing left to do. */
  g_ptr_array_set_size (trash, 0);
  g_string_truncate (out, 0);
  g_assert_true (kaigi_archive_expire (data, 2, now + day * 30, NULL, NULL, trash, out, &error));
  g_assert_cmpuint (trash->len, ==, 0);
  g_assert_cmpstr (out->str, ==, "");
}

/* A sweep interrupted after the move, before the delete: the next one deletes the rest. */
static void
test_expire_interrupted (void)
{
  g_autofree char *data = g_dir_make_tmp ("kaigi-archive-XXXXXX", NULL);
  g_autofree char *dir = meeting_folder (data, NO_STATES);
  g_autoptr (GPtrArray) trash = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GString) out = g_string_new (NULL);
  g_autoptr (GError) error = NULL;
  gint64 later = g_get_real_time () + (gint64)10 * 24 * 3600 * G_USEC_PER_SEC;

  g_assert_true (kaigi_archive_expire (data, 1, later, NULL, NULL, trash, out, &error));
  g_assert_cmpuint (trash->len, ==, 1);
  g_ptr_array_set_size (trash, 0); /* "crashed": nothing deleted */
  g_assert_true (kaigi_archive_expire (data, 1, later, NULL, NULL, trash, out, &error));
  g_assert_cmpuint (trash->len, ==, 1);
  g_assert_cmpuint (kaigi_archive_remove_trash (trash), ==, 12);
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/archive/list", test_list);
  g_test_add_func ("/archive/mixed-and-public", test_mixed_and_public);
  g_test_add_func ("/archive/no-states", test_no_states);
  g_test_add_func ("/archive/all-closed", test_all_closed);
  g_test_add_func ("/archive/expire", test_expire);
  g_test_add_func ("/archive/expire-interrupted", test_expire_interrupted);
  return g_test_run ();
}
