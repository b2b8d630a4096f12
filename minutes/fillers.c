/* fillers.c: filler words out of a statement (fillers.h).
 *
 * Why by whole words only: Japanese has no spaces, and あの is also "that" (あの件), まあ is in
 * まあまあ, er is in "her". Speech recognisers write a filler as its own word, between commas
 * or spaces (えー、本日は / "um, I think"); a filler glued to other letters is left for the
 * secretariat. A filler may be drawn out (えーー, あのーー, umm, uhh). Pure functions. */
#include "fillers.h"

#include <string.h>

#define LONG_VOWEL 0x30FC /* ー */

static const struct {
  const char *word; /* lower case */
  gunichar stretch; /* may repeat after the word (drawn out), 0 for none */
} fillers[] = {
  { "えーと", 0 },
  { "えー", LONG_VOWEL },
  { "あの", LONG_VOWEL },
  { "まあ", LONG_VOWEL },
  { "um", 'm' },
  { "uh", 'h' },
  { "er", 0 },
  { "ah", 'h' },
};

/* Marks that end a statement's sentence. */
static gboolean
is_stop (gunichar c)
{
  return c && g_utf8_strchr ("。．.!?！？", -1, c) != NULL;
}

/* Commas and spaces: taken away with a filler before them. */
static gboolean
is_pause (gunichar c)
{
  return c && (g_unichar_isspace (c) || g_utf8_strchr ("、，,", -1, c) != NULL);
}

/* What may stand next to a filler for it to be a word of its own. */
static gboolean
is_boundary (gunichar c)
{
  return c == 0 || is_pause (c) || is_stop (c) || g_utf8_strchr ("…「」『』（）()\"", -1, c);
}

/* The length in bytes of the filler at @p (its stretch included), or 0 if none is there or it
 * is glued to the next letter. */
static gsize
filler_at (const char *p)
{
  for (guint i = 0; i < G_N_ELEMENTS (fillers); i++) {
    gsize n = strlen (fillers[i].word);
    const char *end = p + n;

    if (g_ascii_strncasecmp (p, fillers[i].word, n) != 0)
      continue;
    while (fillers[i].stretch && *end
           && g_unichar_tolower (g_utf8_get_char (end)) == fillers[i].stretch)
      end = g_utf8_next_char (end);
    if (is_boundary (g_utf8_get_char (end)))
      return end - p;
  }
  return 0;
}

/* Drops the commas and spaces at the end of @out. */
static void
trim_pauses (GString *out)
{
  while (out->len > 0) {
    const char *last = g_utf8_find_prev_char (out->str, out->str + out->len);
    if (!last || !is_pause (g_utf8_get_char (last)))
      return;
    g_string_truncate (out, last - out->str);
  }
}

static gboolean
ends_sentence (GString *out)
{
  const char *last = out->len ? g_utf8_find_prev_char (out->str, out->str + out->len) : NULL;

  return !last || is_stop (g_utf8_get_char (last));
}

/* Past the filler at @p (@n bytes) and the pause after it; when nothing of the sentence
 * follows, the pause before it goes too, and a stop that would end nothing. */
static const char *
skip_filler (const char *p, gsize n, GString *out)
{
  p += n;
  while (*p && is_pause (g_utf8_get_char (p)))
    p = g_utf8_next_char (p);
  if (*p && !is_stop (g_utf8_get_char (p)))
    return p;
  trim_pauses (out);
  if (*p && ends_sentence (out))
    p = g_utf8_next_char (p);
  while (*p && is_pause (g_utf8_get_char (p)))
    p = g_utf8_next_char (p);
  return p;
}

char *
kaigi_fillers_remove (const char *text, guint *removed)
{
  g_autoptr (GString) out = g_string_new (NULL);
  const char *p = text ? text : "";
  gunichar prev = 0;
  gboolean capitalise = FALSE;
  guint count = 0;

  while (*p) {
    gsize n = is_boundary (prev) ? filler_at (p) : 0;
    if (n) {
      capitalise = capitalise || (out->len == 0 && g_ascii_isupper (*p));
      p = skip_filler (p, n, out);
      prev = ' ';
      count++;
      continue;
    }
    prev = g_utf8_get_char (p);
    if (capitalise && g_ascii_islower (*p))
      g_string_append_c (out, g_ascii_toupper (*p));
    else
      g_string_append_len (out, p, g_utf8_next_char (p) - p);
    p = g_utf8_next_char (p);
    capitalise = FALSE;
  }
  if (removed)
    *removed = count;
  return g_string_free (g_steal_pointer (&out), FALSE);
}
