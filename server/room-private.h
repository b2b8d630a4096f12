/* room-private.h: the room's state, shared by room.c (participants and media) and
 * room-chair.c (the chair's controls). Not for other files. Main thread only. */
#pragma once

#include <json-glib/json-glib.h>

#include "media/mix.h"
#include "room.h"

struct _KaigiParticipant {
  KaigiRoom *room; /* not owned */
  char *id;        /* owned, "p<N>": this connection */
  char *ref;       /* owned: "r<ID>", "v<ID>", "a<ID>", "public" */
  gint64 roster;   /* roster id for "r<ID>", else 0 */
  char *name;      /* owned */
  char *title;     /* owned, may be empty */
  KaigiRole role;
  gboolean audio; /* sending (not muted) */
  gboolean video;
  gboolean hand;   /* raised */
  gboolean forced; /* muted by the chair: may not unmute until asked or given the floor */
  gboolean unmute_asked;
  gpointer target; /* the client connection, not owned */
  KaigiPeer *peer; /* owned until kaigi_peer_close; NULL without media */
  gboolean media;  /* joined with media (has, or would have with a graph, a peer) */
  gboolean connected;
  guint connect_timer;      /* drops the participant if media never connects */
  KaigiParticipant **slots; /* [K] shown participants, not owned */
  gboolean speaking;        /* the meeting's mixer says so (kaigi_room_speaking) */
  /* The materials slot (index K, after the K camera slots): whose screen it shows (not owned)
   * or which material (r->material_peer's), or neither. */
  KaigiParticipant *materials_screen;
  gint64 materials_material;
  /* A WHIP ingest (no signalling, target NULL): who waits for the answer, until it is sent. */
  gboolean whip;
  KaigiRoomWhipAnswered whip_answered;
  gpointer whip_user;
};

typedef struct {
  KaigiParticipant *participant; /* not owned, nullable: whose audio carries the speech */
  gint64 roster;                 /* 0 if the speaker is not on the roster (a venue as such) */
  char *name;                    /* owned */
  char *title;                   /* owned */
  char *venue;                   /* owned, nullable: the venue the speech comes through */
} KaigiFloor;

struct _KaigiRoom {
  KaigiRoomOptions opt;
  KaigiMeeting *meeting;   /* owned */
  KaigiGraph *graph;       /* not owned, nullable */
  KaigiMix *mix;           /* owned, nullable (no graph): everyone's audio (media/mix.c) */
  KaigiTimeline *timeline; /* not owned, nullable */
  const KaigiRoomClientOps *ops;
  GPtrArray *people;         /* KaigiParticipant *, join order, owned */
  GPtrArray *hands;          /* KaigiParticipant *, raise order, not owned */
  GPtrArray *speakers;       /* KaigiParticipant *, not owned: by their last start of speaking,
                              * the most recent first; the slots follow it (room.c) */
  KaigiFloor floor;          /* floor.name NULL: nobody has the floor */
  GHashTable *removed;       /* refs the chair removed, owned strings */
  JsonArray *decisions;      /* owned */
  KaigiManifest *recording;  /* owned, made when the first participant's media connects */
  KaigiProgram *program;     /* owned, nullable: the public program (room-program.c) */
  guint program_run;         /* the program recording's run in the manifest, 0: none */
  guint program_closed_run;  /* ... and the closed sessions' recording's run */
  guint program_rec_end;     /* timer ending the program recording after adjournment */
  gboolean program_rec_done; /* ... which has ended it */
  char *program_caption;     /* owned: the text on it now (caption or slate) */
  KaigiParticipant *program_picture; /* not owned: whose camera it shows */
  KaigiParticipant *program_pin;     /* not owned, nullable: chosen by the chair */
  KaigiParticipant *slot_pin; /* not owned, nullable: the chair pinned them in every slot set */
  KaigiParticipant *screen_sharer; /* not owned, nullable: their video is their screen now */
  gint64 program_material;         /* the material chosen as the picture, 0: none */
  KaigiPeer *material_peer;        /* owned, nullable: its picture (media/material.c) */
  GCancellable *material_cancel;   /* owned, nullable: a PDF page being rendered */
  gboolean material_shown;         /* the program shows material_peer now */
  GHashTable *viewers;             /* owned, nullable: public page id -> last seen (s, monotonic) */
  gint64 viewers_pruned_us;
  GHashTable *wheps; /* owned, nullable: WHEP session id -> viewer (room-program.c) */
  guint next_whep;
  guint next_id;
  gint64 state_since_us; /* wall clock of the last state change, 0: none since start */
  GQueue *captions;      /* owned, nullable: KaigiPublicCaption *, the last public captions */
  guint64 caption_seq;   /* the last public caption's number */
  GArray *vtt_segments;  /* owned, nullable: the live caption playlist's window */
  char *hls_dir;         /* owned, nullable: the live HLS folder */
};

typedef struct _KaigiPublicCaption KaigiPublicCaption;

/* room.c */
void kaigi_room_broadcast (KaigiRoom *r, KaigiParticipant *except, JsonBuilder *b);
JsonBuilder *kaigi_room_begin (const char *type);
void kaigi_room_send_to (KaigiRoom *r, KaigiParticipant *p, JsonBuilder *b);
void kaigi_room_add_participant_json (JsonBuilder *b, KaigiParticipant *p);
void kaigi_room_participant_changed (KaigiRoom *r, KaigiParticipant *p);
void kaigi_room_record (KaigiRoom *r, const char *kind, const char *who, JsonBuilder *detail);
JsonBuilder *kaigi_room_detail (const char *by_ref);
void kaigi_room_detail_string (JsonBuilder *d, const char *key, const char *value);
void kaigi_room_detail_int (JsonBuilder *d, const char *key, gint64 value);
KaigiParticipant *kaigi_room_find (KaigiRoom *r, const char *pid);
void kaigi_room_drop (KaigiParticipant *p, const char *code, const char *message);
void kaigi_room_set_mic_enforced (KaigiRoom *r, KaigiParticipant *p, gboolean muted);

/* room-slots.c */
/* Puts into @p's slots whom they should see, and if that changed (or @force) tells them and
 * links the media. */
void kaigi_room_slots_refresh (KaigiRoom *r, KaigiParticipant *p, gboolean force);
/* Someone started speaking, or a pin changed: every connected subscriber's slots follow. */
void kaigi_room_slots_follow (KaigiRoom *r);
/* Ends @r's screen share, if any, telling the sharer why ("replaced", "material", "left"). */
void kaigi_room_screen_end (KaigiRoom *r, const char *reason);

/* room-record.c */
void kaigi_room_record_start (KaigiRoom *r, KaigiParticipant *p);
void kaigi_room_record_state (KaigiRoom *r);
/* A chapter of the archive ("item" or "speaker") from now, if the meeting is recorded. */
void kaigi_room_record_chapter (KaigiRoom *r, const char *kind, const char *label);
/* The meeting's recording manifest, opened (and its folder made) if need be; NULL if the
 * meeting is not recorded or it cannot be opened. */
KaigiManifest *kaigi_room_recording_manifest (KaigiRoom *r);
void kaigi_room_record_stop (KaigiRoom *r, KaigiParticipant *p);
void kaigi_room_record_free (KaigiRoom *r);

/* room-program.c */
void kaigi_room_program_start (KaigiRoom *r);
void kaigi_room_program_free (KaigiRoom *r);
void kaigi_room_program_update (KaigiRoom *r);
void kaigi_room_program_connected (KaigiRoom *r, KaigiParticipant *p);
void kaigi_room_program_left (KaigiRoom *r, KaigiParticipant *p);
/* {pinned, showing, live}: the program picture's participant ids (null for none). */
void kaigi_room_add_program_json (KaigiRoom *r, JsonBuilder *b);

/* room-minutes.c */
/* The participant's detector found an utterance (the peer's speech event). */
void kaigi_room_speech (KaigiParticipant *p, const KaigiVadSegment *segment);

/* room-captions.c */
void kaigi_room_captions_add (KaigiRoom *r, const KaigiUtterance *u, const char *title, gint64 now);
/* Live segment @index of the program (running times @start..@end) was written in @dir. */
void kaigi_room_captions_segment (KaigiRoom *r, const char *dir, guint index, GstClockTime start,
                                  GstClockTime end);
void kaigi_room_captions_free (KaigiRoom *r);

/* room-chair.c */
/* To @only, or to everyone but @except (both nullable). */
void kaigi_room_send_meeting (KaigiRoom *r, KaigiParticipant *only, KaigiParticipant *except);
void kaigi_room_add_meeting_json (KaigiRoom *r, KaigiParticipant *to, JsonBuilder *b);
void kaigi_room_chair_forget (KaigiRoom *r, KaigiParticipant *p);
void kaigi_room_floor_clear (KaigiFloor *f);
