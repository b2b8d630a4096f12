/* store.h: the meeting record in SQLite (meetings and their timeline of events).
 *
 * One database file under the data directory, in WAL mode, its schema versioned by
 * PRAGMA user_version and migrated forward on open. Main thread only: a KaigiStore is not
 * shared between threads. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "meeting.h"
#include "utterance.h"

G_BEGIN_DECLS

typedef struct _KaigiStore KaigiStore;

KaigiStore *kaigi_store_open (const char *path, GError **error);
void kaigi_store_free (KaigiStore *store);
int kaigi_store_schema_version (KaigiStore *store);

/* Returns the id of the demo meeting, creating it with @title if there is none yet: a
 * scheduled public meeting with a main venue, a satellite and online, two agenda items and a
 * roster (a chair, three members of whom one online, one presenter, one secretariat). */
gint64 kaigi_store_ensure_demo_meeting (KaigiStore *store, const char *title, GError **error);
char *kaigi_store_meeting_title (KaigiStore *store, gint64 meeting_id);

/* Appends one event to a meeting's timeline, committed before it returns. @detail_json may
 * be NULL. The timestamp is the server's wall clock in microseconds. */
gboolean kaigi_store_add_event (KaigiStore *store, gint64 meeting_id, const char *kind,
                                const char *participant, const char *detail_json, GError **error);
gint64 kaigi_store_count_events (KaigiStore *store, gint64 meeting_id, const char *kind);

/* ---- meetings (docs/meetings-api.md) ---- */

/* Stores a new meeting (state scheduled) and its venues, agenda and roster; fills in every
 * id of @m. Returns the meeting id, or -1. */
gint64 kaigi_store_meeting_create (KaigiStore *store, KaigiMeeting *m, GError **error);
/* Replaces the prepared part of meeting @id with @m in one transaction: entries with an id of
 * this meeting are updated (materials of kept agenda items stay), entries with id 0 are
 * inserted (ids filled in), entries missing from @m are deleted. KAIGI_ERROR_STATE unless the
 * stored meeting is scheduled; KAIGI_ERROR_NOT_FOUND if there is no such meeting;
 * KAIGI_ERROR_INVALID if an id belongs to another meeting. */
gboolean kaigi_store_meeting_update (KaigiStore *store, gint64 id, KaigiMeeting *m, GError **error);
/* The whole meeting, or NULL with KAIGI_ERROR_NOT_FOUND. */
KaigiMeeting *kaigi_store_meeting_load (KaigiStore *store, gint64 id, GError **error);
/* Every meeting without venues/agenda/roster (empty arrays), newest scheduled_at first. */
GPtrArray *kaigi_store_meeting_list (KaigiStore *store, GError **error);
/* Deletes a scheduled meeting and everything of it (KAIGI_ERROR_STATE otherwise). */
gboolean kaigi_store_meeting_delete (KaigiStore *store, gint64 id, GError **error);
/* Records the live state: sets opened_at_us when leaving scheduled and adjourned_at_us when
 * entering adjourned (each once); @current_item 0 for none. */
gboolean kaigi_store_meeting_set_state (KaigiStore *store, gint64 id, KaigiMeetingState state,
                                        gint64 current_item, GError **error);
/* The public gallery's peak: raised to @viewers if that is more (never lowered). */
gboolean kaigi_store_meeting_raise_viewers (KaigiStore *store, gint64 id, guint viewers,
                                            GError **error);
/* The secretariat's in-room mark. */
gboolean kaigi_store_roster_set_in_room (KaigiStore *store, gint64 meeting_id, gint64 roster_id,
                                         gboolean in_room, GError **error);

/* Materials: the store keeps the record, the caller the file (recorder/layout.h names it). */
gint64 kaigi_store_material_add (KaigiStore *store, gint64 meeting_id, gint64 item_id,
                                 const char *name, const char *content_type, gint64 size,
                                 GError **error);
/* The material and, in @meeting_id, its meeting; NULL with KAIGI_ERROR_NOT_FOUND. */
KaigiMaterial *kaigi_store_material_get (KaigiStore *store, gint64 material_id, gint64 *meeting_id,
                                         GError **error);
gboolean kaigi_store_material_delete (KaigiStore *store, gint64 material_id, GError **error);
void kaigi_material_free (KaigiMaterial *material);

/* ---- decisions (了承 / votes), attached to an agenda item ---- */

/* @kind "approved" or "vote"; @for_names etc. are NULL-terminated lists of names (may be
 * NULL). Returns the decision id or -1. */
gint64 kaigi_store_decision_add (KaigiStore *store, gint64 meeting_id, gint64 item_id,
                                 const char *kind, const char *text, const char *const *for_names,
                                 const char *const *against_names, const char *const *abstain_names,
                                 GError **error);
/* [{id, item, kind, text, for, against, abstain, at_us}] in the order they were taken. */
JsonNode *kaigi_store_decisions_json (KaigiStore *store, gint64 meeting_id, GError **error);

/* ---- attendance and the timeline as the secretariat reads them ---- */

/* The attendance report of docs/meetings-api.md: every roster entry with its status, its
 * online sessions (from the timeline's `join`/`leave` events whose participant is "r<ID>")
 * and the counts of kaigi_meeting_quorum (a member who joined at least once is online). */
JsonNode *kaigi_store_attendance_json (KaigiStore *store, gint64 meeting_id, GError **error);
/* {"events":[{at_us, kind, who, detail (parsed JSON or null)}]} in time order. */
JsonNode *kaigi_store_timeline_json (KaigiStore *store, gint64 meeting_id, GError **error);

/* ---- utterances and the minutes draft (store-utterances.c) ---- */

/* Every change to an utterance writes rows of its history {at_us, who, field, old, new}; @who
 * names the person as the timeline does ("a<ID>" an account, "r<ID>" a roster entry). Changes
 * are refused with KAIGI_ERROR_STATE once the meeting's minutes are published, with
 * KAIGI_ERROR_NOT_FOUND for an unknown utterance. */

/* Stores @u (its id, state and confirmation are ignored: a new utterance is transcribed).
 * @u->item and @u->speaker must be 0 or belong to the meeting. Returns the id or -1. */
gint64 kaigi_store_utterance_add (KaigiStore *store, gint64 meeting_id, const KaigiUtterance *u,
                                  GError **error);
KaigiUtterance *kaigi_store_utterance_get (KaigiStore *store, gint64 id, GError **error);
/* The secretariat's corrections; the utterance becomes edited (a confirmation is void). */
gboolean kaigi_store_utterance_set_text (KaigiStore *store, gint64 id, const char *who,
                                         const char *text, GError **error);
/* @roster_id 0 for someone not on the roster; @name NULL takes the roster entry's name. */
gboolean kaigi_store_utterance_set_speaker (KaigiStore *store, gint64 id, const char *who,
                                            gint64 roster_id, const char *name, GError **error);
/* Joins @second into @first: they must be of one meeting and next to each other in time
 * order. @first keeps its start, takes @second's end, the texts are joined, and the history
 * of @second moves to @first. */
gboolean kaigi_store_utterance_merge (KaigiStore *store, gint64 first, gint64 second,
                                      const char *who, GError **error);
/* Splits at @offset characters (0 < offset < length): the first part keeps the id, the
 * second is a new utterance (returned) with a copy of the history. The time between start
 * and end is divided in proportion to the characters. */
gint64 kaigi_store_utterance_split (KaigiStore *store, gint64 id, glong offset, const char *who,
                                    GError **error);
gboolean kaigi_store_utterance_retract (KaigiStore *store, gint64 id, const char *who,
                                        gboolean retracted, GError **error);
/* Only the member who spoke confirms: KAIGI_ERROR_FORBIDDEN unless @roster_id is the
 * utterance's speaker. */
gboolean kaigi_store_utterance_confirm (KaigiStore *store, gint64 id, gint64 roster_id,
                                        GError **error);
/* The meeting's utterances (KaigiUtterance *, owned) in time order. */
GPtrArray *kaigi_store_utterances_load (KaigiStore *store, gint64 meeting_id, GError **error);
/* [{at_us, who, field, old, new}] oldest first. */
JsonNode *kaigi_store_utterance_history_json (KaigiStore *store, gint64 id, GError **error);

/* The draft's state (draft if never set), publication time (0) and public note (""). */
gboolean kaigi_store_draft_get (KaigiStore *store, gint64 meeting_id, KaigiDraftState *state,
                                gint64 *published_at_us, char **public_note, GError **error);
/* The transitions of utterance.h; KAIGI_ERROR_STATE for any other. @public_note (may be
 * NULL: unchanged) is printed in the public copy's header. */
gboolean kaigi_store_draft_set_state (KaigiStore *store, gint64 meeting_id, KaigiDraftState state,
                                      const char *public_note, GError **error);

/* ---- secretariat accounts ---- */

/* Creates the account, or replaces its password hash if it exists. Returns its id or -1. */
gint64 kaigi_store_account_set (KaigiStore *store, const char *name, const char *password_hash,
                                GError **error);
/* The stored hash and id of @name, or NULL if there is no such account. */
char *kaigi_store_account_hash (KaigiStore *store, const char *name, gint64 *id);
gint64 kaigi_store_account_count (KaigiStore *store);
/* The name of account @id (the minutes' history names editors by id), or NULL. */
char *kaigi_store_account_name (KaigiStore *store, gint64 id);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KaigiStore, kaigi_store_free)

G_END_DECLS
