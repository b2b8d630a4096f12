/* rooms.h: the live meetings of this server, by meeting id.
 *
 * A room is made when the first person joins a meeting (its prepared record loaded from the
 * store) and lives until the server stops. Main thread only. */
#pragma once

#include <glib.h>

#include "room.h"

G_BEGIN_DECLS

typedef struct _KaigiRooms KaigiRooms;

/* @room_template: options copied into every room (its meeting and store are set here).
 * @store may be NULL (tests): rooms then come only from kaigi_rooms_add. */
KaigiRooms *kaigi_rooms_new (KaigiStore *store, KaigiGraph *graph, KaigiTimeline *timeline,
                             const KaigiRoomOptions *room_template, const KaigiRoomClientOps *ops);
void kaigi_rooms_free (KaigiRooms *rooms);

/* The room of @meeting, made from the store if needed; NULL with KAIGI_ERROR_NOT_FOUND. */
KaigiRoom *kaigi_rooms_get (KaigiRooms *rooms, gint64 meeting, GError **error);
/* The room if it is live, else NULL. */
/* The meetings (gint64 ids) whose rooms have someone in them; with @release_others, the
 * empty rooms let go of their recording manifest (retention.c, before it edits the files). */
GArray *kaigi_rooms_occupied (KaigiRooms *rs, gboolean release_others);
KaigiRoom *kaigi_rooms_lookup (KaigiRooms *rooms, gint64 meeting);
/* Makes the room of @m (taken over), replacing nothing: for tests. */
KaigiRoom *kaigi_rooms_add (KaigiRooms *rooms, KaigiMeeting *m);

/* Adds the participants of every live room to @by_role (indexed by KaigiRole); returns the
 * number of live rooms. */
guint kaigi_rooms_count_by_role (KaigiRooms *rooms, guint *by_role);

/* {"rooms":[{id,title,state,participants}],"participants":N,"closing":N} */
char *kaigi_rooms_status_json (KaigiRooms *rooms);

/* Public gallery viewers now, over all live rooms; @peak: the sum of each meeting's peak. */
guint kaigi_rooms_viewers (KaigiRooms *rooms, guint *peak);
/* WHEP (WebRTC) viewers connected now, all meetings. */
guint kaigi_rooms_whep_viewers (KaigiRooms *rooms);

/* A recognition job is done (KaigiAsrDone): a statement is stored in the minutes, its audio
 * @wav kept as DATA/meetings/ID/clips/UTTERANCE.wav (the editor's play button) and, if its
 * meeting is live, captioned; a failure or an empty text is logged or dropped. */
void kaigi_rooms_recognised (KaigiRooms *rooms, const char *meta, const char *wav, const char *text,
                             double confidence, const char *error);
/* Where utterance @utterance's audio clip is kept (it may not exist). */
char *kaigi_rooms_clip_path (const char *data_dir, gint64 meeting, gint64 utterance);

G_END_DECLS
