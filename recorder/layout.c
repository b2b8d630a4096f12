/* layout.c: see layout.h. */
#include "layout.h"

#include <errno.h>
#include <glib/gstdio.h>

#include "kaigi-error.h"

char *
kaigi_recorder_meeting_dir (const char *data_dir, gint64 meeting_id, GError **error)
{
  g_autofree char *name = g_strdup_printf ("%" G_GINT64_FORMAT, meeting_id);
  g_autofree char *dir = g_build_filename (data_dir, "meetings", name, NULL);

  if (meeting_id < 0) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_IO, "invalid meeting id %" G_GINT64_FORMAT,
                 meeting_id);
    return NULL;
  }
  if (g_mkdir_with_parents (dir, 0750) != 0) {
    int e = errno;
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_IO, "cannot create %s: %s", dir, g_strerror (e));
    return NULL;
  }
  return g_steal_pointer (&dir);
}
