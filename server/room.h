/* room.h: one meeting's live state: who is in and with what role, what they send, what each
 * of them sees, and the chair's controls (floor, hands, mute, state, agenda, decisions,
 * attendance).
 *
 * Main thread only. A room made without a graph runs the same logic with no media (unit
 * tests of the protocol, the permissions and the state machine). */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "media/graph.h"
#include "media/program.h"
#include "asr.h"
#include "meeting.h"
#include "peer.h"
#include "store.h"
#include "timeline.h"

G_BEGIN_DECLS

typedef struct _KaigiRoom KaigiRoom;
typedef struct _KaigiParticipant KaigiParticipant;

/* How the room reaches a participant's client (the signalling connection). */
typedef struct {
  void (*send) (gpointer target, const char *json);
  /* The server removed the participant (media failed, removed by the chair...): tell, close. */
  void (*drop) (gpointer target, const char *code, const char *message);
} KaigiRoomClientOps;

typedef struct {
  KaigiMeeting *meeting; /* taken over by the room */
  KaigiStore *store;     /* not owned, nullable: where state and decisions are kept */
  guint max_participants;
  guint connect_timeout_s;     /* media must connect within this after join; 0: 30 s */
  KaigiPeerOptions peer;       /* peer.slots is K */
  const char *data_dir;        /* not owned, nullable: meetings/<id>/ is recorded under it */
  gboolean record;             /* [recorder] enabled */
  gboolean program_enabled;    /* [public] enabled: HLS under data_dir/hls/<id>/ */
  KaigiProgramOptions program; /* hls_dir and jitter latency are filled in by the room */
  guint whep_max;              /* [public] whep-max-viewers: WHEP sessions per meeting */
  KaigiAsr *asr;               /* not owned, nullable: [minutes] speech recognition */
} KaigiRoomOptions;

/* A WHIP ingest's answer (@answer) or why there is none (@error); @session is the
 * participant's id. Main thread, once. */
typedef void (*KaigiRoomWhipAnswered) (const char *session, const char *answer, const char *error,
                                       gpointer user);

typedef struct {
  const char *ref; /* "r<ID>" roster, "v<ID>" venue, "a<ID>" account, "public" viewer */
  KaigiRole role;
  const char *name; /* accounts and viewers; roster and venue names come from the meeting */
  gboolean media;   /* FALSE: signalling only (consoles); viewers never get media */
  /* WHIP ingest (kaigi_room_whip_offer): the encoder's offer, and who gets the answer. */
  const char *whip_offer;
  KaigiRoomWhipAnswered whip_answered;
  gpointer whip_user;
} KaigiJoinRequest;

KaigiRoom *kaigi_room_new (const KaigiRoomOptions *options, KaigiGraph *graph,
                           KaigiTimeline *timeline, const KaigiRoomClientOps *ops);
void kaigi_room_free (KaigiRoom *room);

/* Admits the participant, sends them `welcome` and tells the others. Errors:
 * KAIGI_ERROR_FULL, KAIGI_ERROR_FORBIDDEN (removed by the chair), KAIGI_ERROR_STATE
 * (adjourned), KAIGI_ERROR_NOT_FOUND (no longer on the roster). A second join with the same
 * ref replaces the first connection (code "replaced"). */
KaigiParticipant *kaigi_room_join (KaigiRoom *room, const KaigiJoinRequest *request,
                                   gpointer target, GError **error);
/* A venue's WHIP ingest (its room mics and camera from OBS or a hardware encoder): a
 * participant of its own (no signalling; "<venue name> (WHIP)"), whose media go into the
 * mix and the slots like a camera's; the venue's page, same ref, keeps its seat, and the two
 * are one place in the mix (neither hears the other: media/mixminus.h, groups). A second
 * ingest of the same venue replaces the first. @req->role must be venue (KAIGI_ERROR_FORBIDDEN);
 * the offer is checked at once (KAIGI_ERROR_INVALID); the answer comes through
 * @req->whip_answered. KAIGI_ERROR_STATE without media. */
KaigiParticipant *kaigi_room_whip_offer (KaigiRoom *room, const KaigiJoinRequest *req,
                                         GError **error);
/* Ends the WHIP ingest @session (its participant id) of venue @ref; FALSE if there is none. */
gboolean kaigi_room_whip_close (KaigiRoom *room, const char *session, const char *ref);
/* Removes the participant, tells the others, tears their media down. @p is freed. */
void kaigi_room_leave (KaigiRoom *room, KaigiParticipant *p);
gboolean kaigi_room_answer (KaigiRoom *room, KaigiParticipant *p, const char *sdp, GError **error);
void kaigi_room_ice (KaigiRoom *room, KaigiParticipant *p, guint mline, const char *candidate);
/* @audio, @video: 1 sending, 0 off, -1 unchanged. Unmuting the mic is refused
 * (KAIGI_ERROR_FORBIDDEN) while the chair's mute holds, unless the chair asked or gave the
 * floor. */
gboolean kaigi_room_set_sending (KaigiRoom *room, KaigiParticipant *p, int audio, int video,
                                 GError **error);

/* The public gallery page @viewer (an id it made up) is open now; returns how many are
 * (pages heard from in the last 40 s). The peak is kept in the store. */
guint kaigi_room_viewer_seen (KaigiRoom *room, const char *viewer);
guint kaigi_room_viewers (KaigiRoom *room, guint *peak);

/* WHEP: a viewer's SDP offer for the public program. @reply is called exactly once, on the
 * main loop: with the session id and the SDP answer, or with an error message (also when the
 * room ends first). Errors at once: KAIGI_ERROR_NOT_FOUND (no program), KAIGI_ERROR_FULL
 * (whep_max viewers), KAIGI_ERROR_INVALID (an offer we cannot serve). */
typedef void (*KaigiRoomWhepReply) (const char *session, const char *answer, const char *error,
                                    gpointer user);
gboolean kaigi_room_whep_offer (KaigiRoom *room, const char *offer, KaigiRoomWhepReply reply,
                                gpointer user, GError **error);
/* Ends WHEP session @session; FALSE if there is none. */
gboolean kaigi_room_whep_close (KaigiRoom *room, const char *session);
/* WHEP viewers connected now. */
guint kaigi_room_whep_count (KaigiRoom *room);

/* ---- the chair's controls (room-chair.c); permissions are checked by the caller ---- */
void kaigi_room_hand (KaigiRoom *room, KaigiParticipant *p, gboolean raised);
/* Gives the floor to participant @pid, or to roster entry @roster (someone in a venue or
 * online); exactly one of them is set. */
gboolean kaigi_room_floor_give (KaigiRoom *room, KaigiParticipant *by, const char *pid,
                                gint64 roster, GError **error);
void kaigi_room_floor_take (KaigiRoom *room, KaigiParticipant *by);
gboolean kaigi_room_mute_other (KaigiRoom *room, KaigiParticipant *by, const char *pid,
                                GError **error);
gboolean kaigi_room_unmute_request (KaigiRoom *room, KaigiParticipant *by, const char *pid,
                                    GError **error);
gboolean kaigi_room_remove (KaigiRoom *room, KaigiParticipant *by, const char *pid, GError **error);
gboolean kaigi_room_change_state (KaigiRoom *room, KaigiParticipant *by, const char *command,
                                  GError **error);
gboolean kaigi_room_set_item (KaigiRoom *room, KaigiParticipant *by, gint64 item, GError **error);
/* Pins the public program's picture to participant @pid's camera (while they have one), or
 * with @pid NULL lets the room choose (floor, main venue, chair). KAIGI_ERROR_NOT_FOUND. */
gboolean kaigi_room_set_program_picture (KaigiRoom *room, KaigiParticipant *by, const char *pid,
                                         GError **error);
/* The public program shows material @material (PNG, JPEG, or a PDF's first page) instead of
 * a camera, until a participant or the automatic choice is set again. */
gboolean kaigi_room_set_program_material (KaigiRoom *room, KaigiParticipant *by, gint64 material,
                                          GError **error);
/* Pins participant @pid (with media) in everyone's video slots, after the main venue (room.c,
 * last-N); @pid NULL unpins. KAIGI_ERROR_NOT_FOUND. */
gboolean kaigi_room_pin (KaigiRoom *room, KaigiParticipant *by, const char *pid, GError **error);
/* The id of the participant pinned in the slots, or NULL. */
const char *kaigi_room_pinned (KaigiRoom *room);
/* @by's video becomes their screen (@on; their page has switched its video track), shown in
 * everyone's materials slot instead of a camera slot; a new share ends the one before, and so
 * does a material put on show. @on FALSE ends @by's own share. KAIGI_ERROR_STATE without
 * media. */
gboolean kaigi_room_share_screen (KaigiRoom *room, KaigiParticipant *by, gboolean on,
                                  GError **error);
/* The id of the participant sharing their screen, or NULL. */
const char *kaigi_room_screen_sharer (KaigiRoom *room);
/* @kind "approved" or "vote"; the lists are roster ids (G_TYPE_INT64 in a GArray), NULL for
 * none. */
gboolean kaigi_room_decide (KaigiRoom *room, KaigiParticipant *by, gint64 item, const char *kind,
                            const char *text, GArray *for_ids, GArray *against_ids,
                            GArray *abstain_ids, GError **error);
/* @by is NULL when the secretariat marks through the REST API. */
gboolean kaigi_room_mark_in_room (KaigiRoom *room, KaigiParticipant *by, gint64 roster,
                                  gboolean in_room, GError **error);
/* The secretariat edited the prepared meeting (only while scheduled); the room takes @m. */
void kaigi_room_replace_meeting (KaigiRoom *room, KaigiMeeting *m);

guint kaigi_room_count (KaigiRoom *room);
/* Lets go of the meeting's recording manifest (retention.c, before it edits the file); the
 * next recording in this room reads it again. Only while no one is in the room. */
void kaigi_room_release_recording (KaigiRoom *room);
/* Adds this room's participants to @by_role (indexed by KaigiRole). */
void kaigi_room_count_by_role (KaigiRoom *room, guint *by_role);
gint64 kaigi_room_meeting_id (KaigiRoom *room);
KaigiMeetingState kaigi_room_state (KaigiRoom *room);
const char *kaigi_participant_id (KaigiParticipant *p);
KaigiRole kaigi_participant_role (KaigiParticipant *p);
/* The participant shown in @slot, or NULL. */
const char *kaigi_participant_slot (KaigiParticipant *p, guint slot);
/* What @p's materials slot shows: the sharer's id, "material<ID>", or NULL. Free it. */
char *kaigi_participant_materials (KaigiParticipant *p);
/* Adds {"id","title","state","participants"} of this room to @b (an array being built). */
void kaigi_room_add_status (KaigiRoom *room, JsonBuilder *b);

/* ---- the minutes (room-minutes.c, room-captions.c) ---- */
/* The utterance a recognition job's metadata (kaigi_room_speech) and text make; @meeting is
 * set to its meeting. KAIGI_ERROR_INVALID for metadata that is not ours. */
KaigiUtterance *kaigi_room_utterance_from_meta (const char *meta, const char *text,
                                                double confidence, gint64 *meeting, GError **error);
/* A stored utterance @u of this meeting: the `caption` message to the participants, and the
 * public captions when it was said in public and the gate is open. */
void kaigi_room_caption (KaigiRoom *room, const KaigiUtterance *u);
/* {"captions":[{seq,speaker,text,start,end,at}],"last":N,"live":bool}: public captions after
 * number @after; none while the gate is shut. */
JsonObject *kaigi_room_public_captions (KaigiRoom *room, guint64 after);

/* The meeting's mixer heard @p start or stop speaking (@level_db: RMS of the last 20 ms).
 * Everyone in the meeting but the public is told (`speaking`). Called by the mix (media/mix.c);
 * public for logic tests without media. */
void kaigi_room_speaking (KaigiRoom *room, KaigiParticipant *p, gboolean speaking, double level_db);

/* For logic tests without media: marks a participant's media as connected. */
void kaigi_room_media_connected (KaigiRoom *room, KaigiParticipant *p);

G_END_DECLS
