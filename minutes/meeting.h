/* meeting.h: the prepared meeting as the secretariat describes it (会議名, 開催日時, 開催場所,
 * 議題, 出席者, 事務局, 公開又は非公開の別), its JSON document (docs/meetings-api.md) and the
 * rules that document must follow.
 *
 * Plain data with no threads of its own: a KaigiMeeting belongs to whoever made it. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef enum {
  KAIGI_MEETING_SCHEDULED,
  KAIGI_MEETING_PUBLIC,
  KAIGI_MEETING_CLOSED,
  KAIGI_MEETING_RECESS,
  KAIGI_MEETING_ADJOURNED,
} KaigiMeetingState;

/* Roles a person or endpoint can join with. Roster entries use CHAIR..SECRETARIAT. */
typedef enum {
  KAIGI_ROLE_CHAIR,
  KAIGI_ROLE_SECRETARIAT,
  KAIGI_ROLE_MEMBER,
  KAIGI_ROLE_PRESENTER,
  KAIGI_ROLE_VENUE,
  KAIGI_ROLE_VIEWER,
  KAIGI_N_ROLES
} KaigiRole;

typedef enum {
  KAIGI_VENUE_MAIN,
  KAIGI_VENUE_SATELLITE,
  KAIGI_VENUE_ONLINE,
} KaigiVenueKind;

typedef struct {
  gint64 id; /* 0 until stored */
  KaigiVenueKind kind;
  char *name; /* owned */
} KaigiVenue;

typedef struct {
  gint64 id;
  char *name;         /* owned: the file name shown */
  char *content_type; /* owned */
  gint64 size;
} KaigiMaterial;

typedef struct {
  gint64 id;
  char *number;         /* owned, e.g. "議題1", "(1)"; may be empty */
  char *title;          /* owned */
  GPtrArray *materials; /* KaigiMaterial *, owned */
} KaigiAgendaItem;

typedef struct {
  gint64 id;
  char *name;       /* owned */
  char *title;      /* owned: 会長, 委員, 部長...; may be empty */
  KaigiRole role;   /* CHAIR, MEMBER, PRESENTER or SECRETARIAT */
  char *site;       /* owned: the name of one of the meeting's venues */
  gboolean in_room; /* marked present in the room by the secretariat */
} KaigiRosterEntry;

typedef struct {
  gint64 id;
  char *body;              /* owned */
  char *title;             /* owned */
  char *number;            /* owned */
  char *scheduled_at;      /* owned, ISO 8601 with offset */
  gboolean closed;         /* default visibility: FALSE 公開, TRUE 非公開 */
  char *visibility_reason; /* owned */
  gboolean quorum_in_room; /* quorum_rule "in-room" */
  guint quorum;            /* 0: majority of chair + members */
  KaigiMeetingState state;
  gint64 current_item;                  /* agenda id, 0 for none */
  gint64 opened_at_us, adjourned_at_us; /* 0 if not yet */
  guint peak_viewers;                   /* most public-gallery viewers at once (傍聴人数) */
  GPtrArray *venues;                    /* KaigiVenue *, owned */
  GPtrArray *agenda;                    /* KaigiAgendaItem *, owned */
  GPtrArray *roster;                    /* KaigiRosterEntry *, owned */
} KaigiMeeting;

KaigiMeeting *kaigi_meeting_new (void);
void kaigi_meeting_free (KaigiMeeting *m);

const char *kaigi_meeting_state_to_string (KaigiMeetingState s);
gboolean kaigi_meeting_state_from_string (const char *s, KaigiMeetingState *out);
const char *kaigi_role_to_string (KaigiRole r);
gboolean kaigi_role_from_string (const char *s, KaigiRole *out);
const char *kaigi_venue_kind_to_string (KaigiVenueKind k);

/* Parses and validates a meeting document (docs/meetings-api.md). Ids given in the document
 * are kept; `state` and anything the server owns is ignored. On a rule broken, returns NULL
 * with KAIGI_ERROR_INVALID and a message that names the field ("roster[2].role: ..."). */
KaigiMeeting *kaigi_meeting_from_json (JsonNode *node, GError **error);
/* The full document, ids and state included. */
JsonNode *kaigi_meeting_to_json (const KaigiMeeting *m);
/* Parts of the document, for messages that carry them (a participant's welcome): each sets
 * its member ("venues", "agenda" with materials, "roster") on the object @b is building. */
void kaigi_meeting_add_venues (JsonBuilder *b, const KaigiMeeting *m);
void kaigi_meeting_add_agenda (JsonBuilder *b, const KaigiMeeting *m);
void kaigi_meeting_add_roster (JsonBuilder *b, const KaigiMeeting *m);
/* {id, body, title, number, scheduled_at, state, visibility}. */
JsonNode *kaigi_meeting_summary_json (const KaigiMeeting *m);

KaigiRosterEntry *kaigi_meeting_find_roster (const KaigiMeeting *m, gint64 id);
KaigiVenue *kaigi_meeting_find_venue (const KaigiMeeting *m, gint64 id);
KaigiVenue *kaigi_meeting_venue_by_name (const KaigiMeeting *m, const char *name);
KaigiAgendaItem *kaigi_meeting_find_item (const KaigiMeeting *m, gint64 id);

/* Counts for the chair and members (roles CHAIR and MEMBER). @online: roster ids (as
 * GINT_TO_POINTER of the id; ids fit in int) counted as present online, may be NULL. A member
 * marked in_room is in-room, else online if in @online, else absent. With quorum_in_room only
 * members in the room at the main venue count towards the quorum. */
typedef struct {
  guint members, online, in_room, absent, present_for_quorum, quorum;
  gboolean quorate;
} KaigiQuorum;
KaigiQuorum kaigi_meeting_quorum (const KaigiMeeting *m, GHashTable *online);
JsonNode *kaigi_quorum_to_json (const KaigiQuorum *q);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KaigiMeeting, kaigi_meeting_free)

G_END_DECLS
