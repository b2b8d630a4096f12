/* asr.h: speech recognition behind one interface, in a bounded worker pool, with a spool on
 * disk so that nothing is lost when recognition falls behind or the process dies.
 *
 *   kaigi_asr_submit (any thread)
 *     -> spool thread: writes SPOOL/<n>.wav, then SPOOL/<n>.json (the job is whole once the
 *        .json is there)
 *     -> worker pool (opt.workers threads, each with its own recogniser instance): reads the
 *        .wav, recognises it
 *     -> the main context given to kaigi_asr_new: @done with the job's metadata and the text;
 *        then the spool files go.
 *
 * Memory holds only the file names of waiting jobs; a job that waited when the process died
 * is picked up again by kaigi_asr_resume. Engines (asr-*.c): "pocketsphinx" (embedded
 * default, English), "vosk" (Vosk server WebSocket protocol), "whisper" (whisper.cpp server
 * HTTP API), "command" (an external program: the .wav's path as its last argument, the text
 * on its standard output), "none". */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _KaigiAsr KaigiAsr;
typedef struct _KaigiAsrStream KaigiAsrStream;

typedef struct {
  const char *engine;    /* "pocketsphinx" (NULL too), "vosk", "whisper", "command", "none" */
  const char *model_dir; /* pocketsphinx: acoustic model folder; NULL: Debian's en-us */
  const char *dict;      /* pocketsphinx: pronunciation dictionary; NULL: Debian's */
  const char *lm;        /* pocketsphinx: language model; NULL: Debian's */
  const char *url;       /* vosk: ws://host:port; whisper: http://host:port */
  const char *command;   /* command: a command line (shell words) */
  const char *language;  /* whisper: "ja", "en", "auto"; NULL: auto */
  guint workers;         /* recognisers working at once (0: 1); they run at nice 10 */
  guint timeout_s;       /* vosk, whisper, command: give up on one job after this (0: 120) */
  const char *spool_dir; /* where waiting jobs are kept; made if missing */
} KaigiAsrOptions;

/* Called on the main context of kaigi_asr_new for every job: @text is the recognised text
 * ("" when nothing was recognised) with @confidence 0..1, or NULL with @error saying why the
 * engine failed. @meta is what was submitted; @wav the job's audio (16 kHz WAV), which the
 * callback may move away to keep (a statement's clip). The job's files are removed when it
 * returns. */
typedef void (*KaigiAsrDone) (gpointer user, const char *meta, const char *wav, const char *text,
                              double confidence, const char *error);

/* Opens one recogniser now, so that a wrong engine, model or URL is an error at start-up:
 * KAIGI_ERROR_CONFIG naming the setting. */
KaigiAsr *kaigi_asr_new (const KaigiAsrOptions *options, GMainContext *context, KaigiAsrDone done,
                         gpointer user, GError **error);
/* Waits for the running jobs; waiting jobs stay in the spool for the next start. */
void kaigi_asr_free (KaigiAsr *asr);
/* Queues 16 kHz mono S16 @pcm for recognition; @meta is opaque to us (JSON in kaigi-server),
 * @vocabulary (nullable) names and terms for engines that take a vocabulary. Any thread. */
void kaigi_asr_submit (KaigiAsr *asr, const char *meta, GBytes *pcm, const char *const *vocabulary);
/* Streaming recognition, so that a caption follows the end of speech closely: an utterance's
 * samples are decoded while it is being spoken, by a recogniser held for it; when it ends,
 * kaigi_asr_submit_streamed spools it like any job and only the rest of the decoding is left.
 * The spool is still the way to the result: if the stream failed, the job is recognised whole.
 *
 * Begins a stream; NULL when the engine cannot stream or opt.workers streams are under way
 * (the utterance then goes by kaigi_asr_submit). Any thread. */
KaigiAsrStream *kaigi_asr_stream_begin (KaigiAsr *asr);
/* Queues @n samples (16 kHz mono S16, copied) that follow the ones queued before. Returns at
 * once: the decoding runs on a recognition thread. Any thread. */
void kaigi_asr_stream_feed (KaigiAsrStream *stream, const gint16 *samples, gsize n);
/* Samples queued so far. */
gsize kaigi_asr_stream_queued (KaigiAsrStream *stream);
/* Lets go of @stream: if it was not submitted, its utterance is dropped and its recogniser is
 * free again. Any thread. */
void kaigi_asr_stream_close (KaigiAsrStream *stream);
/* kaigi_asr_submit for the utterance @stream has heard: @pcm starts with the samples queued
 * (any beyond them are queued now). @stream may be NULL (kaigi_asr_submit). The caller still
 * closes @stream. Any thread. */
void kaigi_asr_submit_streamed (KaigiAsr *asr, KaigiAsrStream *stream, const char *meta,
                                GBytes *pcm, const char *const *vocabulary);
/* Queues the jobs a previous process left in the spool; returns how many. */
guint kaigi_asr_resume (KaigiAsr *asr);
/* Jobs submitted and not yet done (waiting on disk or being recognised). Any thread. */
guint kaigi_asr_backlog (KaigiAsr *asr);
/* Jobs done since kaigi_asr_new, and how many of them failed. Any thread. */
guint64 kaigi_asr_done_count (KaigiAsr *asr, guint64 *failed);
/* Seconds of speech recognised since kaigi_asr_new, and (@busy) the time the recognisers took
 * for them: their ratio is the real-time factor. Any thread. */
double kaigi_asr_seconds (KaigiAsr *asr, double *busy);
const char *kaigi_asr_engine (KaigiAsr *asr);

/* Writes @pcm (16 kHz mono S16) as a WAV file. */
gboolean kaigi_asr_write_wav (const char *path, GBytes *pcm, GError **error);
/* Reads a 16 kHz mono S16 WAV file (what kaigi_asr_write_wav writes, or flite's output). */
GBytes *kaigi_asr_read_wav (const char *path, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KaigiAsr, kaigi_asr_free)

G_END_DECLS
