/* asr.c: the recognition service of asr.h: a spool on disk, one writer thread, a bounded
 * pool of recognisers, and results handed to the main context.
 *
 * Why a spool and not a queue in memory: a meeting may be recognised slower than it is
 * spoken (a slow engine, a long meeting on a small machine). Waiting jobs cost a file each
 * and a name in memory; when the process dies they are still there for kaigi_asr_resume.
 *
 * Streams (engines that decode incrementally): a stream holds an instance for one utterance
 * while it is spoken; its samples are decoded by tasks on the stream pool (at most
 * opt.workers streams, and threads), one task per stream at a time, each draining what has
 * been queued. When the utterance is submitted, it is spooled like any job, then its stream
 * ends the decoding and gives the text; a stream that failed hands the job to the worker
 * pool, which recognises it whole from the spool. At most 2 x opt.workers instances exist.
 *
 * Threads: kaigi_asr_submit and the stream calls from any thread; the spool thread writes
 * files; the worker threads (at most opt.workers) recognise, each with an instance of the
 * engine taken from a free list, so no instance is used by two threads; the stream threads
 * likewise; @done runs on the main context. Locks: a stream's before the service's. */
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
  GThreadPool *spool;       /* one thread: writes the files */
  GThreadPool *work;        /* opt.workers threads: recognise */
  GThreadPool *stream_pool; /* opt.workers threads: decode streams; NULL once closing (lock) */
  guint streams;            /* guarded by lock: streams holding a place (at most opt.workers) */
  GAsyncQueue *idle;        /* KaigiAsrInstance * not in use */
  GPtrArray *instances;     /* every instance opened, owned; guarded by lock */
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
  KaigiAsrStream *stream; /* a ref, nullable: the stream that gives the text */
  gsize samples;
} Job;

struct _KaigiAsrStream {
  gatomicrefcount ref; /* the owner, the task queued or running, the job */
  KaigiAsr *asr;       /* a ref */
  GMutex lock;
  GQueue chunks;      /* GBytes * not decoded yet; lock */
  gsize queued;       /* samples queued in all; lock */
  gboolean scheduled; /* a task is queued or running; lock */
  gboolean owned;     /* kaigi_asr_stream_close not called yet; lock */
  gboolean submitted; /* its utterance is a job; lock */
  gboolean released;  /* its instance and place are given back; lock */
  Job *job;           /* spooled and waiting for the text; lock */
  /* The task's alone (tasks of one stream never overlap): */
  KaigiAsrInstance *inst;
  gboolean began, failed;
};

static void stream_unref (KaigiAsrStream *s);

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
  if (j->stream)
    stream_unref (j->stream);
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
  /* The pools have at most opt.workers threads each, and each thread holds at most one
   * instance (a stream's is held between its tasks, but there are at most opt.workers
   * streams), so a thread that finds none idle may open one without passing the bound. */
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

/* ---- streams ---- */

static void
stream_unref (KaigiAsrStream *s)
{
  if (!g_atomic_ref_count_dec (&s->ref))
    return;
  g_queue_clear_full (&s->chunks, (GDestroyNotify)g_bytes_unref);
  g_mutex_clear (&s->lock);
  asr_unref (s->asr);
  g_free (s);
}

/* Queues a task for @s unless one is queued or running. Caller holds s->lock. */
static void
schedule (KaigiAsrStream *s)
{
  KaigiAsr *a = s->asr;

  if (s->scheduled)
    return;
  g_mutex_lock (&a->lock);
  if (a->stream_pool) {
    s->scheduled = TRUE;
    g_atomic_ref_count_inc (&s->ref);
    g_thread_pool_push (a->stream_pool, s, NULL);
  }
  g_mutex_unlock (&a->lock);
}

/* Caller holds s->lock. */
static void
queue_samples (KaigiAsrStream *s, const gint16 *x, gsize n)
{
  if (n == 0)
    return;
  g_queue_push_tail (&s->chunks, g_bytes_new (x, n * sizeof (gint16)));
  s->queued += n;
  schedule (s);
}

/* The instance back to the free list, the place back to the service. Stream thread. */
static void
stream_release (KaigiAsrStream *s)
{
  KaigiAsr *a = s->asr;

  if (s->inst && s->began) {
    double confidence;
    g_free (a->klass->stream_end (s->inst, &confidence, NULL)); /* nobody wants it */
  }
  s->began = FALSE;
  if (s->inst)
    g_async_queue_push (a->idle, g_steal_pointer (&s->inst));
  g_mutex_lock (&s->lock);
  s->released = TRUE;
  g_mutex_unlock (&s->lock);
  g_mutex_lock (&a->lock);
  a->streams--;
  g_mutex_unlock (&a->lock);
}

/* Stream thread. */
static void
stream_decode (KaigiAsrStream *s, GBytes *chunk)
{
  KaigiAsr *a = s->asr;
  g_autoptr (GError) error = NULL;
  gsize size;
  const gint16 *x = g_bytes_get_data (chunk, &size);
  gint64 t0 = g_get_monotonic_time ();

  if (s->failed || g_atomic_int_get (&a->closed))
    return;
  if (!s->inst)
    s->inst = take_instance (a, &error);
  if (s->inst && !s->began)
    s->began = a->klass->stream_begin (s->inst, &error);
  if (!s->began || !a->klass->stream_feed (s->inst, x, size / sizeof (gint16), &error)) {
    g_debug ("streaming recognition failed, the utterance will be recognised whole: %s",
             error ? error->message : "?");
    s->failed = TRUE;
  }
  g_mutex_lock (&a->lock);
  a->busy_s += (g_get_monotonic_time () - t0) / 1e6;
  g_mutex_unlock (&a->lock);
}

/* The utterance's job is spooled and every sample decoded: the text. Stream thread. */
static void
stream_finish (KaigiAsrStream *s, Job *j)
{
  KaigiAsr *a = s->asr;
  g_autoptr (GError) error = NULL;
  Result *r = g_new0 (Result, 1);
  gint64 t0 = g_get_monotonic_time ();

  if (!s->failed && s->began && !g_atomic_int_get (&a->closed)) {
    r->text = a->klass->stream_end (s->inst, &r->confidence, &error);
    s->began = FALSE;
    g_mutex_lock (&a->lock);
    a->busy_s += (g_get_monotonic_time () - t0) / 1e6;
    a->audio_s += j->samples / 16000.0;
    g_mutex_unlock (&a->lock);
  }
  stream_release (s);
  if (r->text) {
    send_result (j, r);
    return;
  }
  g_free (r);
  g_clear_pointer (&j->stream, stream_unref);
  if (g_atomic_int_get (&a->closed))
    job_free (j); /* in the spool for the next start */
  else
    g_thread_pool_push (a->work, j, NULL); /* recognised whole */
}

static void
stream_work (gpointer data, gpointer user_data)
{
  KaigiAsrStream *s = data;

  setpriority (PRIO_PROCESS, (id_t)syscall (SYS_gettid), WORKER_NICE);
  for (;;) {
    GBytes *chunk;
    Job *job = NULL;
    gboolean abandoned = FALSE;

    g_mutex_lock (&s->lock);
    chunk = g_queue_pop_head (&s->chunks);
    if (chunk && !s->owned && !s->submitted) {
      g_bytes_unref (chunk); /* abandoned: nobody wants its words */
      g_mutex_unlock (&s->lock);
      continue;
    }
    if (!chunk) {
      job = g_steal_pointer (&s->job);
      abandoned = !job && !s->owned && !s->submitted && !s->released;
      if (!job && !abandoned) {
        s->scheduled = FALSE;
        g_mutex_unlock (&s->lock);
        break;
      }
    }
    g_mutex_unlock (&s->lock);
    if (chunk) {
      stream_decode (s, chunk);
      g_bytes_unref (chunk);
    } else if (job) {
      stream_finish (s, job);
    } else {
      stream_release (s);
    }
  }
  stream_unref (s); /* the task's */
}

KaigiAsrStream *
kaigi_asr_stream_begin (KaigiAsr *a)
{
  KaigiAsrStream *s;

  if (!a->klass->stream_begin || g_atomic_int_get (&a->closed))
    return NULL;
  g_mutex_lock (&a->lock);
  if (a->streams >= a->opt.workers) {
    g_mutex_unlock (&a->lock);
    return NULL;
  }
  a->streams++;
  g_mutex_unlock (&a->lock);
  s = g_new0 (KaigiAsrStream, 1);
  g_atomic_ref_count_init (&s->ref);
  g_mutex_init (&s->lock);
  g_queue_init (&s->chunks);
  s->asr = asr_ref (a);
  s->owned = TRUE;
  return s;
}

void
kaigi_asr_stream_feed (KaigiAsrStream *s, const gint16 *x, gsize n)
{
  g_mutex_lock (&s->lock);
  if (!s->submitted)
    queue_samples (s, x, n);
  g_mutex_unlock (&s->lock);
}

gsize
kaigi_asr_stream_queued (KaigiAsrStream *s)
{
  gsize n;

  g_mutex_lock (&s->lock);
  n = s->queued;
  g_mutex_unlock (&s->lock);
  return n;
}

void
kaigi_asr_stream_close (KaigiAsrStream *s)
{
  if (!s)
    return;
  g_mutex_lock (&s->lock);
  s->owned = FALSE;
  if (!s->submitted)
    schedule (s); /* to give the instance back */
  g_mutex_unlock (&s->lock);
  stream_unref (s);
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
    if (j->stream) {
      /* Its stream is no longer for a job: it gives its instance back once closed. */
      g_mutex_lock (&j->stream->lock);
      j->stream->submitted = FALSE;
      if (!j->stream->owned)
        schedule (j->stream);
      g_mutex_unlock (&j->stream->lock);
    }
    send_result (j, r);
    return;
  }
  g_clear_pointer (&j->pcm, g_bytes_unref);
  if (j->stream) {
    KaigiAsrStream *s = j->stream;
    gboolean taken;
    g_mutex_lock (&s->lock);
    s->job = j;
    schedule (s);
    /* Closing, no task will run: the job stays in the spool for the next start. */
    taken = s->scheduled;
    if (!taken)
      s->job = NULL;
    g_mutex_unlock (&s->lock);
    if (!taken)
      job_free (j);
    return;
  }
  g_thread_pool_push (j->asr->work, j, NULL);
}

static Job *
job_new (KaigiAsr *a, const char *meta, GBytes *pcm, const char *const *vocabulary)
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
  j->samples = g_bytes_get_size (pcm) / sizeof (gint16);
  return j;
}

void
kaigi_asr_submit (KaigiAsr *a, const char *meta, GBytes *pcm, const char *const *vocabulary)
{
  Job *j = job_new (a, meta, pcm, vocabulary);

  g_atomic_int_inc (&a->backlog);
  g_thread_pool_push (a->spool, j, NULL);
}

void
kaigi_asr_submit_streamed (KaigiAsr *a, KaigiAsrStream *s, const char *meta, GBytes *pcm,
                           const char *const *vocabulary)
{
  gsize n;
  const gint16 *x = g_bytes_get_data (pcm, &n);
  Job *j;

  if (!s) {
    kaigi_asr_submit (a, meta, pcm, vocabulary);
    return;
  }
  g_return_if_fail (s->asr == a);
  n /= sizeof (gint16);
  g_mutex_lock (&s->lock);
  if (s->submitted) {
    g_mutex_unlock (&s->lock);
    g_critical ("kaigi_asr_submit_streamed: the stream was submitted already");
    return;
  }
  if (n > s->queued)
    queue_samples (s, x + s->queued, n - s->queued);
  s->submitted = TRUE;
  g_mutex_unlock (&s->lock);
  j = job_new (a, meta, pcm, vocabulary);
  g_atomic_ref_count_inc (&s->ref);
  j->stream = s;
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
  if (a->klass->stream_begin)
    a->stream_pool = g_thread_pool_new (stream_work, a, a->opt.workers, FALSE, NULL);
  return g_steal_pointer (&a);
}

void
kaigi_asr_free (KaigiAsr *a)
{
  GThreadPool *streams;

  if (!a)
    return;
  g_atomic_int_set (&a->closed, 1);
  /* Everything submitted reaches the disk; jobs not started stay there. */
  if (a->spool)
    g_thread_pool_free (a->spool, FALSE, TRUE);
  g_mutex_lock (&a->lock);
  streams = g_steal_pointer (&a->stream_pool);
  g_mutex_unlock (&a->lock);
  /* Queued stream tasks run, decode nothing, and give their instances back. */
  if (streams)
    g_thread_pool_free (streams, FALSE, TRUE);
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
