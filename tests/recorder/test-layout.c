/* test-layout.c: a meeting's media folder under the data directory. */
#include <glib/gstdio.h>

#include "layout.h"

static void
test_meeting_dir (void)
{
  g_autofree char *data = g_dir_make_tmp ("kaigi-data-XXXXXX", NULL);
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = kaigi_recorder_meeting_dir (data, 12, &error);
  g_autofree char *want = g_build_filename (data, "meetings", "12", NULL);

  g_assert_no_error (error);
  g_assert_cmpstr (dir, ==, want);
  g_assert_true (g_file_test (dir, G_FILE_TEST_IS_DIR));
  g_assert_null (kaigi_recorder_meeting_dir (data, -1, &error));
  g_assert_nonnull (error);
}

static void
test_unwritable (void)
{
  g_autoptr (GError) error = NULL;

  g_assert_null (kaigi_recorder_meeting_dir ("/proc/kaigi-cannot", 1, &error));
  g_assert_nonnull (strstr (error->message, "/proc/kaigi-cannot"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/recorder/meeting-dir", test_meeting_dir);
  g_test_add_func ("/recorder/unwritable", test_unwritable);
  return g_test_run ();
}
