/* utterance.h: one statement of the meeting record (発言) as the store keeps it and the
 * exporters read it, and the states of the minutes draft.
 *
 * An utterance goes transcribed → edited (the secretariat changed its text or speaker) →
 * confirmed (the member who spoke confirmed it on the review page); an edit after a
 * confirmation makes it edited again. The draft of a meeting's minutes goes
 *
 *   draft --kaigi_store_draft_set_state(REVIEW)--> review --(PUBLISHED)--> published (final)
 *   review --(DRAFT)--> draft
 *
 * Plain data, no threads of its own. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  KAIGI_UTTERANCE_TRANSCRIBED,
  KAIGI_UTTERANCE_EDITED,
  KAIGI_UTTERANCE_CONFIRMED,
} KaigiUtteranceState;

typedef enum {
  KAIGI_DRAFT_DRAFT,
  KAIGI_DRAFT_REVIEW,
  KAIGI_DRAFT_PUBLISHED,
} KaigiDraftState;

/* In a public copy, a run of left-out utterances is replaced by one placeholder saying why. */
typedef enum {
  KAIGI_OMIT_NONE,
  KAIGI_OMIT_CLOSED,    /* said in a closed session (非公開) */
  KAIGI_OMIT_RETRACTED, /* withdrawn (発言取消し) */
} KaigiOmission;

typedef struct {
  gint64 id;          /* 0 until stored */
  gint64 item;        /* agenda item id, 0 for none (before the first item) */
  gint64 speaker;     /* roster id, 0 if not on the roster or not known */
  char *speaker_name; /* owned: the name as recorded when it was said */
  char *venue;        /* owned: the venue's name, "" if not known */
  gint64 start_us;    /* wall clock, µs since the epoch */
  gint64 end_us;      /* wall clock, µs since the epoch */
  gint64 media_us;    /* offset into the meeting's recording */
  char *text;         /* owned */
  double confidence;  /* 0..1 from the recogniser; 1 for typed text */
  gboolean is_public; /* FALSE if said in a closed session */
  gboolean retracted; /* withdrawn by the speaker or the chair */
  KaigiUtteranceState state;
  gint64 confirmed_by;    /* roster id, 0 if not confirmed */
  gint64 confirmed_at_us; /* 0 if not confirmed */
  KaigiOmission omitted;  /* placeholders of a public copy only; text is "" then */
} KaigiUtterance;

KaigiUtterance *kaigi_utterance_new (void);
KaigiUtterance *kaigi_utterance_copy (const KaigiUtterance *u);
void kaigi_utterance_free (KaigiUtterance *u);

const char *kaigi_utterance_state_to_string (KaigiUtteranceState s);
gboolean kaigi_utterance_state_from_string (const char *s, KaigiUtteranceState *out);
const char *kaigi_draft_state_to_string (KaigiDraftState s);
gboolean kaigi_draft_state_from_string (const char *s, KaigiDraftState *out);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KaigiUtterance, kaigi_utterance_free)

G_END_DECLS
