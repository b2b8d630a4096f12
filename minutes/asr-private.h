/* asr-private.h: what an engine (asr-*.c) gives asr.c. Not a public header.
 *
 * An instance is used by one worker thread at a time, never by two at once; engines keep
 * no state between calls that another instance would need. */
#pragma once

#include "asr.h"

typedef struct _KaigiAsrInstance KaigiAsrInstance;

typedef struct {
  const char *name;
  KaigiAsrInstance *(*open) (const KaigiAsrOptions *options, GError **error);
  /* @vocabulary may be NULL. Returns the text ("" for nothing) or NULL with @error. */
  char *(*recognize) (KaigiAsrInstance *instance, const char *wav_path, GBytes *pcm,
                      const char *const *vocabulary, double *confidence, GError **error);
  void (*close) (KaigiAsrInstance *instance);
  /* Streaming, optional (NULL: the engine only takes whole utterances): an utterance is
   * begun, fed its samples as they are spoken, and ended for its text. Between begin and end
   * the instance belongs to that one utterance. */
  gboolean (*stream_begin) (KaigiAsrInstance *instance, GError **error);
  gboolean (*stream_feed) (KaigiAsrInstance *instance, const gint16 *samples, gsize n,
                           GError **error);
  /* Returns the text ("" for nothing) or NULL with @error; the instance is free again. */
  char *(*stream_end) (KaigiAsrInstance *instance, double *confidence, GError **error);
} KaigiAsrEngineClass;

extern const KaigiAsrEngineClass kaigi_asr_pocketsphinx;
extern const KaigiAsrEngineClass kaigi_asr_command;
extern const KaigiAsrEngineClass kaigi_asr_whisper;
extern const KaigiAsrEngineClass kaigi_asr_vosk;
