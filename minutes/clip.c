/* clip.c: statement clips joined and cut (clip.h), on the WAV reader and writer of asr.c.
 *
 * Why in proportion to characters: the store divides a split statement's time the same way
 * (kaigi_store_utterance_split), so text, times and audio stay together. Any thread. */
#include "clip.h"

#include "asr.h"
#include "kaigi-error.h"

gboolean
kaigi_clip_join (const char *first, const char *second, const char *out, GError **error)
{
  g_autoptr (GBytes) a = kaigi_asr_read_wav (first, error);
  g_autoptr (GBytes) b = a ? kaigi_asr_read_wav (second, error) : NULL;
  g_autoptr (GByteArray) both = NULL;

  if (!b)
    return FALSE;
  both = g_byte_array_sized_new (g_bytes_get_size (a) + g_bytes_get_size (b));
  g_byte_array_append (both, g_bytes_get_data (a, NULL), g_bytes_get_size (a));
  g_byte_array_append (both, g_bytes_get_data (b, NULL), g_bytes_get_size (b));
  g_autoptr (GBytes) pcm = g_byte_array_free_to_bytes (g_steal_pointer (&both));
  return kaigi_asr_write_wav (out, pcm, error);
}

gboolean
kaigi_clip_split (const char *path, glong num, glong den, const char *first_out,
                  const char *second_out, GError **error)
{
  g_autoptr (GBytes) pcm = NULL;
  g_autoptr (GBytes) head = NULL, tail = NULL;
  gsize samples, cut;

  if (num <= 0 || den <= num) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_INVALID, "split at %ld/%ld", num, den);
    return FALSE;
  }
  if (!(pcm = kaigi_asr_read_wav (path, error)))
    return FALSE;
  samples = g_bytes_get_size (pcm) / 2;
  cut = (gsize)((guint64)samples * (guint64)num / (guint64)den);
  head = g_bytes_new_from_bytes (pcm, 0, cut * 2);
  tail = g_bytes_new_from_bytes (pcm, cut * 2, (samples - cut) * 2);
  /* The second part first: @first_out may be @path. */
  return kaigi_asr_write_wav (second_out, tail, error)
         && kaigi_asr_write_wav (first_out, head, error);
}
