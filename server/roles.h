/* roles.h: what each role may do in a meeting (docs/meetings-api.md, "Roles").
 *
 * One table, asked by the signalling layer before any action reaches the room, so that a
 * refused action changes nothing. Pure; any thread. */
#pragma once

#include <glib.h>

#include "meeting.h"

G_BEGIN_DECLS

typedef enum {
  KAIGI_ACTION_PUBLISH,
  KAIGI_ACTION_RECEIVE,
  KAIGI_ACTION_HAND,
  KAIGI_ACTION_MUTE_SELF,
  KAIGI_ACTION_FLOOR,
  KAIGI_ACTION_MUTE_OTHER,
  KAIGI_ACTION_UNMUTE_REQUEST,
  KAIGI_ACTION_REMOVE,
  KAIGI_ACTION_STATE,
  KAIGI_ACTION_AGENDA,
  KAIGI_ACTION_DECISION,
  KAIGI_ACTION_ATTENDANCE,
  KAIGI_ACTION_SEE_QUEUE, /* the hands queue and the live attendance */
  KAIGI_ACTION_PROGRAM,   /* choose the public program's picture */
  KAIGI_ACTION_PIN,       /* pin a participant in everyone's video slots */
  KAIGI_ACTION_SCREEN,    /* share one's screen into everyone's materials slot */
  KAIGI_N_ACTIONS
} KaigiAction;

gboolean kaigi_role_may (KaigiRole role, KaigiAction action);
const char *kaigi_action_to_string (KaigiAction action);

G_END_DECLS
