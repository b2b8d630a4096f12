/* meeting-private.h: what the parts of libkaigi-minutes share about KaigiMeeting beyond
 * meeting.h (the parser in meeting-parse.c and the store build entries with these).
 * Not installed and not for server/: it may change with the store. */
#pragma once

#include "meeting.h"

G_BEGIN_DECLS

/* "main", "satellite", "online", NULL: indexed by KaigiVenueKind. */
extern const char *const kaigi_meeting_venue_kind_names[];

/* The index of @s in the NULL-terminated @names, or -1 (also for @s NULL). */
int kaigi_meeting_name_index (const char *const *names, const char *s);

/* Entries of a KaigiMeeting's arrays; the arrays free them with these. */
KaigiAgendaItem *kaigi_meeting_item_new (void);
void kaigi_meeting_venue_free (KaigiVenue *v);
void kaigi_meeting_item_free (KaigiAgendaItem *item);
void kaigi_meeting_roster_free (KaigiRosterEntry *r);

G_END_DECLS
