/* record.h: the meeting record as exporters read it (会議録 = KaigiRecord): the meeting,
 * who attended and how, the statements per agenda item, the decisions, the materials and the
 * state of the minutes draft. Built from the store (kaigi_record_load) or from its JSON form
 * (kaigi_record_from_json, also what the `json` exporter writes), so exporters are tested
 * without a database.
 *
 * The public copy (@public_copy) leaves out what was said in closed sessions and retracted
 * remarks; each run of left-out statements becomes one placeholder utterance naming why
 * (KaigiUtterance.omitted), and `omissions` tells the header to say so (一部非公開).
 * Plain data, no threads of its own: a KaigiRecord belongs to whoever made it. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "meeting.h"
#include "store.h"
#include "utterance.h"

G_BEGIN_DECLS

typedef enum {
  KAIGI_PRESENCE_ABSENT,
  KAIGI_PRESENCE_IN_ROOM,
  KAIGI_PRESENCE_ONLINE,
} KaigiPresence;

typedef enum {
  KAIGI_VISIBILITY_PUBLIC,        /* 公開 */
  KAIGI_VISIBILITY_CLOSED,        /* 非公開 */
  KAIGI_VISIBILITY_PARTLY_CLOSED, /* 一部非公開: some statements were in a closed session */
} KaigiVisibility;

typedef struct {
  gint64 id;
  gint64 item; /* agenda id, 0 for none */
  char *kind;  /* owned: "approved" (了承) or "vote" */
  char *text;  /* owned: e.g. 原案のとおり可決; may be empty */
  GStrv for_names, against_names, abstain_names; /* owned, as written when taken */
  gint64 at_us;
} KaigiDecision;

typedef struct {
  KaigiMeeting *meeting; /* owned; opened_at_us / adjourned_at_us are the start and end */
  GArray *presence;      /* KaigiPresence for each meeting->roster entry, same order */
  guint viewers;         /* 傍聴人数: the public gallery's peak of viewers at once */
  KaigiVisibility visibility;
  gboolean public_copy; /* built with closed and retracted statements left out */
  gboolean omissions;   /* the public copy did leave something out */
  KaigiDraftState draft;
  gint64 published_at_us; /* 0 unless published */
  char *public_note;      /* owned: the secretariat's note for the public copy; may be "" */
  GPtrArray *utterances;  /* KaigiUtterance *, owned, in time order */
  GPtrArray *decisions;   /* KaigiDecision *, owned, in the order taken */
  GTimeZone *tz;          /* owned: the zone of scheduled_at; times are shown in it */
} KaigiRecord;

KaigiRecord *kaigi_record_load (KaigiStore *store, gint64 meeting_id, gboolean public_copy,
                                GError **error);
/* KAIGI_ERROR_INVALID naming the member on a malformed document. */
KaigiRecord *kaigi_record_from_json (JsonNode *node, gboolean public_copy, GError **error);
JsonNode *kaigi_record_to_json (const KaigiRecord *r);
void kaigi_record_free (KaigiRecord *r);

/* @us (µs since the epoch) in the meeting's zone; NULL for 0. */
GDateTime *kaigi_record_time (const KaigiRecord *r, gint64 us);
/* Where the meeting starts: opened_at_us, else scheduled_at; NULL if neither is known. */
GDateTime *kaigi_record_start (const KaigiRecord *r);
/* The utterances and decisions of agenda item @item (not owned; 0: those before the first
 * item and those whose item is not on the agenda). */
GPtrArray *kaigi_record_item_utterances (const KaigiRecord *r, gint64 item);
GPtrArray *kaigi_record_item_decisions (const KaigiRecord *r, gint64 item);
/* The roster entry @u is attributed to, NULL if none. */
KaigiRosterEntry *kaigi_record_speaker (const KaigiRecord *r, const KaigiUtterance *u);

const char *kaigi_presence_to_string (KaigiPresence p);
const char *kaigi_visibility_to_string (KaigiVisibility v);
void kaigi_decision_free (KaigiDecision *d);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KaigiRecord, kaigi_record_free)

G_END_DECLS
