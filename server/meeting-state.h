/* meeting-state.h: the meeting's state machine (docs/meetings-api.md, "Meeting states").
 *
 *   scheduled --open--> public | closed        (the meeting's default visibility)
 *   public <--> closed <--> recess <--> public (commands "public", "closed", "recess")
 *   public | closed | recess --adjourned--> adjourned (final)
 *
 * kaigi_meeting_state_next() is the only place transitions are decided; room-chair.c applies
 * them. Pure; any thread. */
#pragma once

#include <glib.h>

#include "meeting.h"

G_BEGIN_DECLS

/* @command: "open", "public", "closed", "recess" or "adjourned". Returns FALSE with
 * KAIGI_ERROR_STATE (a message saying why) if the transition is not allowed from @from, or
 * KAIGI_ERROR_INVALID for an unknown command. */
gboolean kaigi_meeting_state_next (KaigiMeetingState from, const char *command,
                                   gboolean default_closed, KaigiMeetingState *to, GError **error);
/* TRUE while the meeting runs (public, closed or recess). */
gboolean kaigi_meeting_state_is_running (KaigiMeetingState s);

G_END_DECLS
