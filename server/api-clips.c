/* api-clips.c: a statement's audio clip follows its statement when the minutes editor merges
 * or splits it (minutes/clip.h): merged statements play both parts, split ones each their
 * own share, cut in proportion to the characters as the store divides the time.
 *
 * Why on a worker: a clip is read and written whole (up to a few MiB); the answer to the
 * merge or split waits until the files are done, so a page that reloads at once finds them.
 * A failure costs only the clip (logged); the statement's change is already stored.
 * Thread: main loop, except clip_job_thread (a GTask worker touching only its ClipJob and the
 * clip files, one job at a time). */
#include "api-private.h"

#include <errno.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <gst/gst.h>

#include "clip.h"

GST_DEBUG_CATEGORY_STATIC (kaigi_api_clips_debug);
#define GST_CAT_DEFAULT kaigi_api_clips_debug

typedef struct {
  KaigiApi *api;         /* not owned; checked with kaigi_api_task_end */
  KaigiHttpRequest *req; /* answered exactly once, by done */
  KaigiApiClipsDone done;
  gint64 meeting, first, second;
  glong num, den;    /* split at num/den; 0/0 for a merge */
  char *first_path;  /* owned */
  char *second_path; /* owned */
  GError *error;     /* owned */
} ClipJob;

static GMutex clip_lock; /* two jobs never work on the same files at once */

static void
clip_job_free (ClipJob *j)
{
  g_free (j->first_path);
  g_free (j->second_path);
  g_clear_error (&j->error);
  g_free (j);
}

/* Worker thread: second's clip into first's (or moved there if first has none). */
static void
merge_files (ClipJob *j)
{
  gboolean a = g_file_test (j->first_path, G_FILE_TEST_IS_REGULAR);
  gboolean b = g_file_test (j->second_path, G_FILE_TEST_IS_REGULAR);

  if (a && b && kaigi_clip_join (j->first_path, j->second_path, j->first_path, &j->error))
    g_unlink (j->second_path);
  else if (!a && b && g_rename (j->second_path, j->first_path) != 0)
    g_set_error (&j->error, G_FILE_ERROR, g_file_error_from_errno (errno), "%s",
                 g_strerror (errno));
}

static void
clip_job_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancel)
{
  ClipJob *j = data;

  g_mutex_lock (&clip_lock);
  if (j->den == 0)
    merge_files (j);
  else if (g_file_test (j->first_path, G_FILE_TEST_IS_REGULAR))
    kaigi_clip_split (j->first_path, j->num, j->den, j->first_path, j->second_path, &j->error);
  g_mutex_unlock (&clip_lock);
  g_task_return_boolean (task, TRUE);
}

/* Main loop: the files are done. */
static void
on_clip_job_done (GObject *source, GAsyncResult *res, gpointer user_data)
{
  ClipJob *j = g_task_get_task_data (G_TASK (res));

  if (j->error)
    GST_WARNING ("meeting %" G_GINT64_FORMAT ": the clip of statement %" G_GINT64_FORMAT
                 " did not follow its %s: %s",
                 j->meeting, j->first, j->den ? "split" : "merge", j->error->message);
  if (kaigi_api_task_end (j->api, j->req))
    j->done (j->api, j->req, j->meeting, j->first, j->second);
}

void
kaigi_api_clips_follow (KaigiApi *api, KaigiHttpRequest *req, gint64 meeting, gint64 first,
                        gint64 second, glong num, glong den, KaigiApiClipsDone done)
{
  g_autoptr (GTask) task = g_task_new (NULL, NULL, on_clip_job_done, NULL);
  ClipJob *j = g_new0 (ClipJob, 1);

  GST_DEBUG_CATEGORY_INIT (kaigi_api_clips_debug, "kaigi-api-clips", 0, "minutes clips");
  j->api = api;
  j->req = req;
  j->done = done;
  j->meeting = meeting;
  j->first = first;
  j->second = second;
  j->num = num;
  j->den = den;
  j->first_path = kaigi_rooms_clip_path (api->ctx.data_dir, meeting, first);
  j->second_path = kaigi_rooms_clip_path (api->ctx.data_dir, meeting, second);
  g_task_set_task_data (task, j, (GDestroyNotify)clip_job_free);
  kaigi_api_task_begin (api);
  g_task_run_in_thread (task, clip_job_thread);
}
