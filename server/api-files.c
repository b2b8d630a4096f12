/* api-files.c: material files on a worker thread.
 *
 * Why: a material may be 50 MiB; writing or reading it on the main loop would hold every
 * meeting's signalling for as long as the disk takes. The store record is made or read on the
 * main loop (small, indexed); only the file itself goes to a GTask worker, and the answer is
 * sent from the main loop when it is done.
 * Thread: main loop, except file_job_thread (a GTask worker, touching only its FileJob). */
#include "api-private.h"

#include <gio/gio.h>

typedef struct {
  KaigiApi *api;         /* not owned; checked with kaigi_api_task_end */
  KaigiHttpRequest *req; /* answered exactly once */
  char *path;            /* owned */
  GBytes *data;          /* owned: what to write, or what was read */
  gboolean write;
  gint64 id, size;
  char *name, *type; /* owned */
  GError *error;     /* owned */
} FileJob;

static void
file_job_free (FileJob *j)
{
  g_free (j->path);
  g_clear_pointer (&j->data, g_bytes_unref);
  g_free (j->name);
  g_free (j->type);
  g_clear_error (&j->error);
  g_free (j);
}

/* Worker thread. */
static void
file_job_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancel)
{
  FileJob *j = data;
  char *contents = NULL;
  gsize len = 0;

  if (j->write) {
    g_file_set_contents (j->path, g_bytes_get_data (j->data, NULL), g_bytes_get_size (j->data),
                         &j->error);
  } else if (g_file_get_contents (j->path, &contents, &len, &j->error)) {
    j->data = g_bytes_new_take (contents, len);
  }
  g_task_return_boolean (task, TRUE);
}

static void
written (KaigiApi *api, FileJob *j)
{
  JsonObject *o;

  if (j->error) {
    kaigi_store_material_delete (api->ctx.store, j->id, NULL);
    kaigi_api_reply_gerror (j->req, j->error);
    return;
  }
  o = json_object_new ();
  json_object_set_int_member (o, "id", j->id);
  json_object_set_string_member (o, "name", j->name);
  json_object_set_string_member (o, "type", j->type ? j->type : "");
  json_object_set_int_member (o, "size", j->size);
  kaigi_api_reply_object (j->req, 201, o, NULL);
}

static void
read_done (FileJob *j)
{
  g_autofree char *escaped = NULL, *disposition = NULL;

  if (j->error) {
    kaigi_api_reply_gerror (j->req, j->error);
    return;
  }
  escaped = g_uri_escape_string (j->name, NULL, FALSE);
  disposition = g_strdup_printf ("attachment; filename*=UTF-8''%s", escaped);
  const char *headers[] = { "content-disposition:", disposition, NULL };
  kaigi_http_request_reply (j->req, 200, j->type && *j->type ? j->type : "application/octet-stream",
                            g_steal_pointer (&j->data), headers);
}

/* Main loop: the disk is done. */
static void
on_file_job_done (GObject *source, GAsyncResult *res, gpointer user_data)
{
  FileJob *j = g_task_get_task_data (G_TASK (res));

  if (!kaigi_api_task_end (j->api, j->req))
    return;
  if (j->write)
    written (j->api, j);
  else
    read_done (j);
}

static void
run (KaigiApi *api, KaigiHttpRequest *req, const char *path, GBytes *data, const KaigiMaterial *m)
{
  g_autoptr (GTask) task = g_task_new (NULL, NULL, on_file_job_done, NULL);
  FileJob *j = g_new0 (FileJob, 1);

  j->api = api;
  j->req = req;
  j->path = g_strdup (path);
  j->write = data != NULL;
  j->data = data ? g_bytes_ref (data) : NULL;
  j->id = m->id;
  j->size = m->size;
  j->name = g_strdup (m->name);
  j->type = g_strdup (m->content_type);
  g_task_set_task_data (task, j, (GDestroyNotify)file_job_free);
  kaigi_api_task_begin (api);
  g_task_run_in_thread (task, file_job_thread);
}

void
kaigi_api_file_write (KaigiApi *api, KaigiHttpRequest *req, const char *path, GBytes *data,
                      const KaigiMaterial *material)
{
  run (api, req, path, data, material);
}

void
kaigi_api_file_send (KaigiApi *api, KaigiHttpRequest *req, const char *path,
                     const KaigiMaterial *material)
{
  run (api, req, path, NULL, material);
}
