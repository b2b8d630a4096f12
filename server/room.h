/* room.h: one meeting's live state: who is in, what they send, what each of them sees.
 *
 * Main thread only. A room made without a graph runs the same logic with no media (unit
 * tests of the protocol and of slot assignment). */
#pragma once

#include <glib.h>

#include "media/graph.h"
#include "peer.h"
#include "timeline.h"

G_BEGIN_DECLS

typedef struct _KaigiRoom KaigiRoom;
typedef struct _KaigiParticipant KaigiParticipant;

/* How the room reaches a participant's client (the signalling connection). */
typedef struct {
  void (*send) (gpointer target, const char *json);
  /* The server removed the participant (media failed, meeting full...): tell and close. */
  void (*drop) (gpointer target, const char *code, const char *message);
} KaigiRoomClientOps;

typedef struct {
  gint64 meeting_id;
  const char *title;
  guint max_participants;
  guint connect_timeout_s; /* media must connect within this after join; 0: 30 s */
  KaigiPeerOptions peer;   /* peer.slots is K */
} KaigiRoomOptions;

KaigiRoom *kaigi_room_new (const KaigiRoomOptions *options, KaigiGraph *graph,
                           KaigiTimeline *timeline, const KaigiRoomClientOps *ops);
void kaigi_room_free (KaigiRoom *room);

/* Validates @name, admits the participant, sends them `welcome` and tells the others. */
KaigiParticipant *kaigi_room_join (KaigiRoom *room, const char *name, gpointer target,
                                   GError **error);
/* Removes the participant, tells the others, tears their media down. @p is freed. */
void kaigi_room_leave (KaigiRoom *room, KaigiParticipant *p);
gboolean kaigi_room_answer (KaigiRoom *room, KaigiParticipant *p, const char *sdp, GError **error);
void kaigi_room_ice (KaigiRoom *room, KaigiParticipant *p, guint mline, const char *candidate);
/* @audio, @video: 1 sending, 0 off, -1 unchanged. */
void kaigi_room_set_sending (KaigiRoom *room, KaigiParticipant *p, int audio, int video);

guint kaigi_room_count (KaigiRoom *room);
const char *kaigi_participant_id (KaigiParticipant *p);
/* The participant shown in @slot, or NULL. */
const char *kaigi_participant_slot (KaigiParticipant *p, guint slot);
char *kaigi_room_status_json (KaigiRoom *room);

/* Name rules shared with the protocol description: 1..64 characters, valid UTF-8, no
 * control characters; surrounding white space is trimmed. Returns the cleaned name. */
char *kaigi_room_clean_name (const char *name, GError **error);

/* For logic tests without media: marks a participant's media as connected. */
void kaigi_room_media_connected (KaigiRoom *room, KaigiParticipant *p);

G_END_DECLS
