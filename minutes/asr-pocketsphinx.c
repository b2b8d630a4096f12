/* asr-pocketsphinx.c: the embedded default engine: CMU PocketSphinx from Debian with its
 * US English model (pocketsphinx-en-us), in process.
 *
 * One decoder per instance (a decoder is not thread-safe; asr.c never shares an instance).
 * The confidence is the mean posterior probability of the words, from the lattice. The
 * vocabulary is not used: adding a word to PocketSphinx needs its pronunciation, and the
 * roster's names are mostly Japanese; engines with a vocabulary are vosk and whisper.
 * Thread: the worker that holds the instance. */
#define G_LOG_DOMAIN "kaigi-asr"

#include "asr-private.h"

#include <pocketsphinx.h>

#include "kaigi-error.h"

#define MODEL_ROOT "/usr/share/pocketsphinx/model/en-us"

struct _KaigiAsrInstance {
  ps_decoder_t *ps;
};

static gboolean
readable (const char *path, const char *setting, GError **error)
{
  if (g_file_test (path, G_FILE_TEST_EXISTS))
    return TRUE;
  g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_CONFIG,
               "[minutes] %s: %s does not exist (Debian: apt install pocketsphinx-en-us)", setting,
               path);
  return FALSE;
}

static KaigiAsrInstance *
ps_open (const KaigiAsrOptions *opt, GError **error)
{
  const char *hmm = opt->model_dir ? opt->model_dir : MODEL_ROOT "/en-us";
  const char *dict = opt->dict ? opt->dict : MODEL_ROOT "/cmudict-en-us.dict";
  const char *lm = opt->lm ? opt->lm : MODEL_ROOT "/en-us.lm.bin";
  cmd_ln_t *config;
  KaigiAsrInstance *inst;

  if (!readable (hmm, "asr-model", error) || !readable (dict, "asr-dict", error)
      || !readable (lm, "asr-lm", error))
    return NULL;
  /* A narrower search (at most 3000 active HMMs and 10 word exits a frame) decodes 40 %
   * faster with the same words: measured on 27 flite statements in three voices, identical
   * output, real-time factor 0.16 instead of 0.28 (docs/minutes.md). */
  config = cmd_ln_init (NULL, ps_args (), TRUE, "-hmm", hmm, "-dict", dict, "-lm", lm, "-logfn",
                        "/dev/null", "-maxhmmpf", "3000", "-maxwpf", "10", NULL);
  if (!config) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_CONFIG, "[minutes] pocketsphinx: bad settings");
    return NULL;
  }
  inst = g_new0 (KaigiAsrInstance, 1);
  inst->ps = ps_init (config);
  cmd_ln_free_r (config);
  if (!inst->ps) {
    g_free (inst);
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_CONFIG,
                 "[minutes] asr-model: pocketsphinx cannot load %s", hmm);
    return NULL;
  }
  return inst;
}

/* The text of the utterance just ended, and the mean posterior probability of its words. */
static char *
hypothesis (KaigiAsrInstance *inst, double *confidence)
{
  int32 score;
  const char *hyp = ps_get_hyp (inst->ps, &score);
  logmath_t *lmath = ps_get_logmath (inst->ps);
  double sum = 0;
  guint words = 0;

  for (ps_seg_t *seg = ps_seg_iter (inst->ps); seg; seg = ps_seg_next (seg)) {
    const char *w = ps_seg_word (seg);
    int32 ascr, lscr, lback;
    if (!w || w[0] == '<' || w[0] == '[')
      continue; /* silence and fillers */
    sum += logmath_exp (lmath, ps_seg_prob (seg, &ascr, &lscr, &lback));
    words++;
  }
  *confidence = words ? CLAMP (sum / words, 0.0, 1.0) : 0.0;
  return g_strdup (hyp ? hyp : "");
}

static char *
ps_recognize (KaigiAsrInstance *inst, const char *wav_path, GBytes *pcm,
              const char *const *vocabulary, double *confidence, GError **error)
{
  gsize n;
  const gint16 *x = g_bytes_get_data (pcm, &n);

  if (ps_start_utt (inst->ps) < 0 || ps_process_raw (inst->ps, x, n / 2, FALSE, TRUE) < 0
      || ps_end_utt (inst->ps) < 0) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_MEDIA, "pocketsphinx could not decode %s",
                 wav_path);
    return NULL;
  }
  return hypothesis (inst, confidence);
}

/* Streaming: the same decoder fed as the person speaks (live cepstral mean normalisation
 * instead of the whole utterance's), so that at the end only the last frames and the final
 * search remain. */
static gboolean
ps_stream_begin (KaigiAsrInstance *inst, GError **error)
{
  if (ps_start_utt (inst->ps) >= 0)
    return TRUE;
  g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_MEDIA, "pocketsphinx could not start an utterance");
  return FALSE;
}

static gboolean
ps_stream_feed (KaigiAsrInstance *inst, const gint16 *x, gsize n, GError **error)
{
  if (ps_process_raw (inst->ps, x, n, FALSE, FALSE) >= 0)
    return TRUE;
  g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_MEDIA, "pocketsphinx could not decode speech");
  return FALSE;
}

static char *
ps_stream_end (KaigiAsrInstance *inst, double *confidence, GError **error)
{
  if (ps_end_utt (inst->ps) < 0) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_MEDIA, "pocketsphinx could not end an utterance");
    return NULL;
  }
  return hypothesis (inst, confidence);
}

static void
ps_close (KaigiAsrInstance *inst)
{
  ps_free (inst->ps);
  g_free (inst);
}

const KaigiAsrEngineClass kaigi_asr_pocketsphinx = {
  .name = "pocketsphinx",
  .open = ps_open,
  .recognize = ps_recognize,
  .close = ps_close,
  .stream_begin = ps_stream_begin,
  .stream_feed = ps_stream_feed,
  .stream_end = ps_stream_end,
};
