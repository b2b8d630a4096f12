/* asr.c: the recognition service of asr.h: a spool on disk, one writer thread, a bounded
 * pool of recognisers, and results handed to the main context.
 *
 * Why a spool and not a queue in memory: a meeting may be recognised slower than it is
 * spoken (a slow engine, a long meeting on a small machine). Waiting jobs cost a file each
 * and a name in memory; when the process dies they are still there for kaigi_asr_resume.
 *
 * Threads: kaigi_asr_submit from any thread; the spool thread writes files; the worker
 * threads (at most opt.workers) recognise, each with an instance of the engine taken from
 * a free list, so no instance is used by two threads; @done runs on the main context. */
#define G_LOG_DOMAIN "kaigi-asr"

#include "asr-private.h"

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <string.h>

#include "kaigi-error.h"

#define DEFAULT_TIMEOUT_S 120
#define WORKER_NICE 10

struct _KaigiAsr {
  gatomicrefcount ref; /* the owner + one per result on its way to the main context */
  const KaigiAsrEngineClass *klass;
  KaigiAsrOptions opt; /* strings owned (below) */
  char *engine, *model_dir, *dict, *lm, *url, *command, *language, *spool_dir;
  GMainContext *context; /* owned ref */
  KaigiAsrDone done;
  gpointer user;
  GThreadPool *spool;   /* one thread: writes the files */
  GThreadPool *work;    /* opt.workers threads: recognise */
  GAsyncQueue *idle;    /* KaigiAsrInstance * not in use */
  GPtrArray *instances; /* every instance opened, owned; guarded by lock */
  GMutex lock;
  gint backlog;                     /* atomic */
  guint64 done_count, failed_count; /* atomic via lock */
  double audio_s, busy_s;           /* guarded by lock: speech recognised, time it took */
  guint seq;                        /* guarded by lock */
  gint closed;                      /* atomic: the owner let go; results are no longer delivered */
};

typedef struct {
  KaigiAsr *asr; /* not owned: the pools are freed before the service */
  char *base;    /* SPOOL/<name>, without .wav/.json */
  char *meta;
  GBytes *pcm; /* until spooled */
  char **vocabulary;
} Job;

typedef struct {
  KaigiAsr *asr; /* a ref */
  char *base;
  char *meta;
  char *text;
  double confidence;
  char *error;
} Result;

static void
job_free (Job *j)
{
  g_free (j->base);
  g_free (j->meta);
  g_clear_pointer (&j->pcm, g_bytes_unref);
  g_strfreev (j->vocabulary);
  g_free (j);
}

static KaigiAsr *
asr_ref (KaigiAsr *a)
{
  g_atomic_ref_count_inc (&a->ref);
  return a;
}

static void
asr_unref (KaigiAsr *a)
{
  if (!g_atomic_ref_count_dec (&a->ref))
    return;
  if (a->instances) {
    for (guint i = 0; i < a->instances->len; i++)
      a->klass->close (g_ptr_array_index (a->instances, i));
    g_ptr_array_unref (a->instances);
  }
  g_async_queue_unref (a->idle);
  g_main_context_unref (a->context);
  g_mutex_clear (&a->lock);
  g_free (a->engine);
  g_free (a->model_dir);
  g_free (a->dict);
  g_free (a->lm);
  g_free (a->url);
  g_free (a->command);
  g_free (a->language);
  g_free (a->spool_dir);
  g_free (a);
}

/* ---- WAV files ---- */

static void
put_le (guint8 *p, guint32 v, guint bytes)
{
  for (guint i = 0; i < bytes; i++)
    p[i] = (v >> (8 * i)) & 0xff;
}

static guint32
get_le (const guint8 *p, guint bytes)
{
  guint32 v = 0;

  for (guint i = 0; i < bytes; i++)
    v |= (guint32)p[i] << (8 * i);
  return v;
}

gboolean
kaigi_asr_write_wav (const char *path, GBytes *pcm, GError **error)
{
  gsize n;
  const guint8 *data = g_bytes_get_data (pcm, &n);
  g_autofree guint8 *buf = g_malloc (44 + n);
  g_autofree char *tmp = g_strconcat (path, ".part", NULL);

  memcpy (buf, "RIFF\0\0\0\0WAVEfmt ", 16);
  put_le (buf + 4, 36 + n, 4);
  put_le (buf + 16, 16, 4);
  put_le (buf + 20, 1, 2); /* PCM */
  put_le (buf + 22, 1, 2); /* mono */
  put_le (buf + 24, 16000, 4);
  put_le (buf + 28, 32000, 4);
  put_le (buf + 32, 2, 2);
  put_le (buf + 34, 16, 2);
  memcpy (buf + 36, "data", 4);
  put_le (buf + 40, n, 4);
  memcpy (buf + 44, data, n);
  if (!g_file_set_contents (tmp, (const char *)buf, 44 + n, error))
    return FALSE;
  if (g_rename (tmp, path) != 0) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_IO, "cannot rename %s: %s", tmp,
                 g_strerror (errno));
    return FALSE;
  }
  return TRUE;
}

GBytes *
kaigi_asr_read_wav (const char *path, GError **error)
{
  g_autofree char *contents = NULL;
  gsize len, at = 12;
  const guint8 *d;
  gboolean fmt_ok = FALSE;

  if (!g_file_get_contents (path, &contents, &len, error))
    return NULL;
  d = (const guint8 *)contents;
  if (len < 12 || memcmp (d, "RIFF", 4) != 0 || memcmp (d + 8, "WAVE", 4) != 0)
    goto bad;
  while (at + 8 <= len) {
    guint32 size = get_le (d + at + 4, 4);
    const guint8 *body = d + at + 8;
    if (size > len - at - 8)
      size = len - at - 8;
    if (memcmp (d + at, "fmt ", 4) == 0 && size >= 16)
      fmt_ok = get_le (body, 2) == 1 && get_le (body + 2, 2) == 1 && get_le (body + 4, 4) == 16000
               && get_le (body + 14, 2) == 16;
    else if (memcmp (d + at, "data", 4) == 0) {
      if (!fmt_ok)
        goto bad;
      return g_bytes_new (body, size & ~1u);
    }
    at += 8 + size + (size & 1);
  }
bad:
  g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_INVALID,
               "%s is not a 16 kHz mono 16-bit PCM WAV file", path);
  return NULL;
}

/* ---- results, on the main context ---- */

static void
result_free (Result *r)
{
  asr_unref (r->asr);
  g_free (r->base);
  g_free (r->meta);
  g_free (r->text);
  g_free (r->error);
  g_free (r);
}

static void
remove_job_files (const char *base)
{
  g_autofree char *json = g_strconcat (base, ".json", NULL);
  g_autofree char *wav = g_strconcat (base, ".wav", NULL);

  /* The .json first: a .wav alone is not a job. */
  g_unlink (json);
  g_unlink (wav);
}

static gboolean
deliver (gpointer data)
{
  Result *r = data;

  if (g_atomic_int_get (&r->asr->closed))
    return G_SOURCE_REMOVE; /* done again by the next process */
  g_autofree char *wav = g_strconcat (r->base, ".wav", NULL);

  r->asr->done (r->asr->user, r->meta, wav, r->text, r->confidence, r->error);
  remove_job_files (r->base);
  g_atomic_int_dec_and_test (&r->asr->backlog);
  return G_SOURCE_REMOVE;
}

/* Hands @r (for job @j, which goes) to the main context; logging is the receiver's. */
static void
send_result (Job *j, Result *r)
{
  KaigiAsr *a = j->asr;

  g_mutex_lock (&a->lock);
  a->done_count++;
  a->failed_count += r->text ? 0 : 1;
  g_mutex_unlock (&a->lock);
  r->asr = asr_ref (a);
  r->base = g_steal_pointer (&j->base);
  r->meta = g_steal_pointer (&j->meta);
  g_main_context_invoke_full (a->context, G_PRIORITY_DEFAULT, deliver, r,
                              (GDestroyNotify)result_free);
  job_free (j);
}

/* ---- the worker pool ---- */

static KaigiAsrInstance *
take_instance (KaigiAsr *a, GError **error)
{
  KaigiAsrInstance *inst = g_async_queue_try_pop (a->idle);

  if (inst)
    return inst;
  /* The pool has at most opt.workers threads, and each holds at most one instance, so a
   * thread that finds none idle may open one without passing the bound. */
  inst = a->klass->open (&a->opt, error);
  if (inst) {
    g_mutex_lock (&a->lock);
    g_ptr_array_add (a->instances, inst);
    g_mutex_unlock (&a->lock);
  }
  return inst;
}

static void
work (gpointer data, gpointer user_data)
{
  Job *j = data;
  KaigiAsr *a = j->asr;
  Result *r;
  g_autoptr (GError) error = NULL;
  g_autofree char *wav = g_strconcat (j->base, ".wav", NULL);
  g_autoptr (GBytes) pcm = NULL;
  KaigiAsrInstance *inst;
  gint64 t0;

  if (g_atomic_int_get (&a->closed)) {
    job_free (j); /* still in the spool for the next start */
    return;
  }
  /* Recognition is never urgent next to the media: on a busy machine the streaming threads
   * go first (Linux: the nice value is per thread). */
  setpriority (PRIO_PROCESS, (id_t)syscall (SYS_gettid), WORKER_NICE);
  r = g_new0 (Result, 1);
  pcm = kaigi_asr_read_wav (wav, &error);
  inst = pcm ? take_instance (a, &error) : NULL;
  t0 = g_get_monotonic_time ();

  if (inst) {
    r->text = a->klass->recognize (inst, wav, pcm, (const char *const *)j->vocabulary,
                                   &r->confidence, &error);
    g_async_queue_push (a->idle, inst);
    g_mutex_lock (&a->lock);
    a->busy_s += (g_get_monotonic_time () - t0) / 1e6;
    a->audio_s += g_bytes_get_size (pcm) / 32000.0;
    g_mutex_unlock (&a->lock);
  }
  if (!r->text)
    r->error = g_strdup_printf ("%s: %s", wav, error ? error->message : "recognition failed");
  send_result (j, r);
}

/* ---- the spool ---- */

static char *
job_json (const Job *j)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "meta");
  json_builder_add_string_value (b, j->meta);
  json_builder_set_member_name (b, "vocabulary");
  json_builder_begin_array (b);
  for (guint i = 0; j->vocabulary && j->vocabulary[i]; i++)
    json_builder_add_string_value (b, j->vocabulary[i]);
  json_builder_end_array (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  return json_to_string (root, FALSE);
}

static void
spool (gpointer data, gpointer user_data)
{
  Job *j = data;
  g_autoptr (GError) error = NULL;
  g_autofree char *wav = g_strconcat (j->base, ".wav", NULL);
  g_autofree char *json = g_strconcat (j->base, ".json", NULL);
  g_autofree char *text = job_json (j);

  if (!kaigi_asr_write_wav (wav, j->pcm, &error) || !g_file_set_contents (json, text, -1, &error)) {
    /* A full disk: the job is lost to recognition, but the speech is in the recording. */
    Result *r = g_new0 (Result, 1);
    r->error = g_strdup_printf ("cannot spool %s for recognition: %s", j->base, error->message);
    send_result (j, r);
    return;
  }
  g_clear_pointer (&j->pcm, g_bytes_unref);
  g_thread_pool_push (j->asr->work, j, NULL);
}

void
kaigi_asr_submit (KaigiAsr *a, const char *meta, GBytes *pcm, const char *const *vocabulary)
{
  Job *j = g_new0 (Job, 1);
  guint seq;

  g_mutex_lock (&a->lock);
  seq = ++a->seq;
  g_mutex_unlock (&a->lock);
  j->asr = a;
  /* Time first: the spool sorts in the order things were said. */
  j->base = g_strdup_printf ("%s/%016" G_GINT64_FORMAT "-%06u", a->spool_dir, g_get_real_time (),
                             seq % 1000000);
  j->meta = g_strdup (meta ? meta : "");
  j->pcm = g_bytes_ref (pcm);
  j->vocabulary = g_strdupv ((char **)vocabulary);
  g_atomic_int_inc (&a->backlog);
  g_thread_pool_push (a->spool, j, NULL);
}

static Job *
load_job (KaigiAsr *a, const char *base)
{
  g_autofree char *json = g_strconcat (base, ".json", NULL);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GStrvBuilder) vocab = g_strv_builder_new ();
  JsonObject *o;
  JsonArray *words;
  Job *j;

  if (!json_parser_load_from_file (parser, json, NULL)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return NULL;
  o = json_node_get_object (json_parser_get_root (parser));
  if (!json_object_has_member (o, "meta"))
    return NULL;
  words = json_object_has_member (o, "vocabulary") ? json_object_get_array_member (o, "vocabulary")
                                                   : NULL;
  for (guint i = 0; words && i < json_array_get_length (words); i++)
    g_strv_builder_add (vocab, json_array_get_string_element (words, i));
  j = g_new0 (Job, 1);
  j->asr = a;
  j->base = g_strdup (base);
  j->meta = g_strdup (json_object_get_string_member (o, "meta"));
  j->vocabulary = g_strv_builder_end (vocab);
  return j;
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *)a, *(char *const *)b);
}

guint
kaigi_asr_resume (KaigiAsr *a)
{
  g_autoptr (GDir) dir = g_dir_open (a->spool_dir, 0, NULL);
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;
  guint n = 0;

  if (!dir)
    return 0;
  while ((name = g_dir_read_name (dir)))
    if (g_str_has_suffix (name, ".json"))
      g_ptr_array_add (names, g_strndup (name, strlen (name) - 5));
  g_ptr_array_sort (names, compare_names);
  for (guint i = 0; i < names->len; i++) {
    g_autofree char *base = g_build_filename (a->spool_dir, names->pdata[i], NULL);
    Job *j = load_job (a, base);
    if (!j) {
      g_warning ("%s.json is not a recognition job; left as it is", base);
      continue;
    }
    g_atomic_int_inc (&a->backlog);
    g_thread_pool_push (a->work, j, NULL);
    n++;
  }
  return n;
}

/* ---- the service ---- */

static const KaigiAsrEngineClass *
find_engine (const char *name)
{
  static const KaigiAsrEngineClass *const engines[]
      = { &kaigi_asr_pocketsphinx, &kaigi_asr_command, &kaigi_asr_whisper, &kaigi_asr_vosk };

  for (guint i = 0; i < G_N_ELEMENTS (engines); i++)
    if (g_strcmp0 (engines[i]->name, name) == 0)
      return engines[i];
  return NULL;
}

KaigiAsr *
kaigi_asr_new (const KaigiAsrOptions *opt, GMainContext *context, KaigiAsrDone done, gpointer user,
               GError **error)
{
  g_autoptr (KaigiAsr) a = g_new0 (KaigiAsr, 1);
  KaigiAsrInstance *first;

  g_atomic_ref_count_init (&a->ref);
  g_mutex_init (&a->lock);
  a->idle = g_async_queue_new ();
  a->instances = g_ptr_array_new ();
  a->context = g_main_context_ref (context ? context : g_main_context_default ());
  a->engine = g_strdup (opt->engine ? opt->engine : "pocketsphinx");
  a->klass = find_engine (a->engine);
  a->opt = *opt;
  a->opt.engine = a->engine;
  a->opt.model_dir = a->model_dir = g_strdup (opt->model_dir);
  a->opt.dict = a->dict = g_strdup (opt->dict);
  a->opt.lm = a->lm = g_strdup (opt->lm);
  a->opt.url = a->url = g_strdup (opt->url);
  a->opt.command = a->command = g_strdup (opt->command);
  a->opt.language = a->language = g_strdup (opt->language);
  a->opt.spool_dir = a->spool_dir = g_strdup (opt->spool_dir);
  a->opt.workers = opt->workers ? opt->workers : 1;
  a->opt.timeout_s = opt->timeout_s ? opt->timeout_s : DEFAULT_TIMEOUT_S;
  a->done = done;
  a->user = user;
  if (!a->klass) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_CONFIG,
                 "[minutes] asr-engine: unknown engine \"%s\" (pocketsphinx, vosk, whisper, "
                 "command or none)",
                 a->engine);
    a->klass = &kaigi_asr_command; /* for the free below */
    return NULL;
  }
  if (!a->spool_dir || g_mkdir_with_parents (a->spool_dir, 0750) != 0) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_CONFIG, "cannot make the recognition spool %s: %s",
                 a->spool_dir ? a->spool_dir : "(none)", g_strerror (errno));
    return NULL;
  }
  first = a->klass->open (&a->opt, error);
  if (!first)
    return NULL;
  g_ptr_array_add (a->instances, first);
  g_async_queue_push (a->idle, first);
  a->spool = g_thread_pool_new (spool, a, 1, FALSE, NULL);
  a->work = g_thread_pool_new (work, a, a->opt.workers, FALSE, NULL);
  return g_steal_pointer (&a);
}

void
kaigi_asr_free (KaigiAsr *a)
{
  if (!a)
    return;
  g_atomic_int_set (&a->closed, 1);
  /* Everything submitted reaches the disk; jobs not started stay there. */
  if (a->spool)
    g_thread_pool_free (a->spool, FALSE, TRUE);
  if (a->work)
    g_thread_pool_free (a->work, FALSE, TRUE);
  a->spool = a->work = NULL;
  asr_unref (a);
}

guint
kaigi_asr_backlog (KaigiAsr *a)
{
  return (guint)MAX (0, g_atomic_int_get (&a->backlog));
}

guint64
kaigi_asr_done_count (KaigiAsr *a, guint64 *failed)
{
  guint64 n;

  g_mutex_lock (&a->lock);
  n = a->done_count;
  if (failed)
    *failed = a->failed_count;
  g_mutex_unlock (&a->lock);
  return n;
}

double
kaigi_asr_seconds (KaigiAsr *a, double *busy)
{
  double audio;

  g_mutex_lock (&a->lock);
  audio = a->audio_s;
  if (busy)
    *busy = a->busy_s;
  g_mutex_unlock (&a->lock);
  return audio;
}

const char *
kaigi_asr_engine (KaigiAsr *a)
{
  return a->engine;
}
