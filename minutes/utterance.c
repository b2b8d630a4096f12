/* utterance.c: the utterance record's memory and the names of its states (utterance.h).
 * No threads of its own. */
#include "utterance.h"

static const char *const utterance_states[] = { "transcribed", "edited", "confirmed", NULL };
static const char *const draft_states[] = { "draft", "review", "published", NULL };

KaigiUtterance *
kaigi_utterance_new (void)
{
  KaigiUtterance *u = g_new0 (KaigiUtterance, 1);

  u->speaker_name = g_strdup ("");
  u->venue = g_strdup ("");
  u->text = g_strdup ("");
  u->confidence = 1.0;
  u->is_public = TRUE;
  return u;
}

KaigiUtterance *
kaigi_utterance_copy (const KaigiUtterance *u)
{
  KaigiUtterance *c = g_memdup2 (u, sizeof *u);

  c->speaker_name = g_strdup (u->speaker_name);
  c->venue = g_strdup (u->venue);
  c->text = g_strdup (u->text);
  return c;
}

void
kaigi_utterance_free (KaigiUtterance *u)
{
  if (!u)
    return;
  g_free (u->speaker_name);
  g_free (u->venue);
  g_free (u->text);
  g_free (u);
}

static gboolean
name_index (const char *const *names, const char *s, int *out)
{
  for (int i = 0; s && names[i]; i++)
    if (g_str_equal (names[i], s)) {
      *out = i;
      return TRUE;
    }
  return FALSE;
}

const char *
kaigi_utterance_state_to_string (KaigiUtteranceState s)
{
  return utterance_states[s];
}

gboolean
kaigi_utterance_state_from_string (const char *s, KaigiUtteranceState *out)
{
  int i;

  if (!name_index (utterance_states, s, &i))
    return FALSE;
  *out = (KaigiUtteranceState)i;
  return TRUE;
}

const char *
kaigi_draft_state_to_string (KaigiDraftState s)
{
  return draft_states[s];
}

gboolean
kaigi_draft_state_from_string (const char *s, KaigiDraftState *out)
{
  int i;

  if (!name_index (draft_states, s, &i))
    return FALSE;
  *out = (KaigiDraftState)i;
  return TRUE;
}
