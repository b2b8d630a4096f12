/* kaigi-recorder: the recordings of a data directory, from the command line.
 *
 *   kaigi-recorder list DATA_DIR
 *   kaigi-recorder verify DATA_DIR MEETING      exit 1 if a piece is damaged or unlisted
 *   kaigi-recorder repair DATA_DIR MEETING      after a crash (not while the meeting runs)
 *   kaigi-recorder export DATA_DIR MEETING OUTDIR
 *   kaigi-recorder expire DATA_DIR DAYS         media of meetings last written > DAYS ago
 *
 * The work is in archive.c; this file parses arguments and prints. Main thread only. */
#include <gst/gst.h>
#include <locale.h>

#include "archive.h"

static int
usage (void)
{
  g_printerr ("usage: kaigi-recorder list DATA_DIR\n"
              "       kaigi-recorder verify DATA_DIR MEETING\n"
              "       kaigi-recorder repair DATA_DIR MEETING\n"
              "       kaigi-recorder export DATA_DIR MEETING OUTDIR\n"
              "       kaigi-recorder expire DATA_DIR DAYS\n");
  return 2;
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GString) out = g_string_new (NULL);
  const char *cmd = argc > 1 ? argv[1] : "";
  gint64 meeting = argc > 3 ? g_ascii_strtoll (argv[3], NULL, 10) : -1;
  guint damaged = 0;
  gboolean ok;

  setlocale (LC_ALL, "");
  gst_init (NULL, NULL);
  if (g_str_equal (cmd, "list") && argc == 3)
    ok = kaigi_archive_list (argv[2], out, &error);
  else if (g_str_equal (cmd, "verify") && argc == 4)
    ok = kaigi_archive_verify (argv[2], meeting, out, &damaged, &error);
  else if (g_str_equal (cmd, "repair") && argc == 4)
    ok = kaigi_archive_repair (argv[2], meeting, out, &error);
  else if (g_str_equal (cmd, "export") && argc == 5)
    ok = kaigi_archive_export (argv[2], meeting, argv[4], out, &error);
  else if (g_str_equal (cmd, "expire") && argc == 4) {
    g_autoptr (GPtrArray) trash = g_ptr_array_new_with_free_func (g_free);
    char *end = NULL;
    guint64 days = g_ascii_strtoull (argv[3], &end, 10);
    if (!end || *end || end == argv[3] || days == 0 || days > 36500) {
      g_printerr ("kaigi-recorder expire: DAYS must be a number of days from 1 to 36500, not "
                  "\"%s\"\n",
                  argv[3]);
      return 2;
    }
    ok = kaigi_archive_expire (argv[2], (guint)days, g_get_real_time (), NULL, NULL, trash, out,
                               &error);
    g_string_append_printf (out, "%u files deleted\n", kaigi_archive_remove_trash (trash));
  } else
    return usage ();
  g_print ("%s", out->str);
  if (!ok) {
    g_printerr ("kaigi-recorder %s: %s\n", cmd, error->message);
    return 1;
  }
  return damaged ? 1 : 0;
}
