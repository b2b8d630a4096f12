/* roles.c: the permission table.
 *
 * Why a table and not checks spread over handlers: the whole policy is readable in one place,
 * the same table is printed in docs/meetings-api.md, and the permission-matrix test walks every
 * cell of it through the real signalling handlers. Only the chair and the secretariat act on
 * other people or on the meeting; a venue stands for the people in a room and acts like a
 * member; a viewer may only watch. */
#include "roles.h"

#define C (1u << KAIGI_ROLE_CHAIR)
#define S (1u << KAIGI_ROLE_SECRETARIAT)
#define M (1u << KAIGI_ROLE_MEMBER)
#define P (1u << KAIGI_ROLE_PRESENTER)
#define V (1u << KAIGI_ROLE_VENUE)

static const struct {
  const char *name;
  guint roles;
} table[KAIGI_N_ACTIONS] = {
  [KAIGI_ACTION_PUBLISH] = { "publish", C | S | M | P | V },
  [KAIGI_ACTION_RECEIVE] = { "receive", C | S | M | P | V },
  [KAIGI_ACTION_HAND] = { "hand", M | P | V },
  [KAIGI_ACTION_MUTE_SELF] = { "mute-self", C | S | M | P | V },
  [KAIGI_ACTION_FLOOR] = { "floor", C | S },
  [KAIGI_ACTION_MUTE_OTHER] = { "mute-other", C | S },
  [KAIGI_ACTION_UNMUTE_REQUEST] = { "unmute-request", C | S },
  [KAIGI_ACTION_REMOVE] = { "remove", C | S },
  [KAIGI_ACTION_STATE] = { "state", C | S },
  [KAIGI_ACTION_AGENDA] = { "agenda", C | S },
  [KAIGI_ACTION_DECISION] = { "decision", C | S },
  [KAIGI_ACTION_ATTENDANCE] = { "attendance", C | S },
  [KAIGI_ACTION_SEE_QUEUE] = { "see-queue", C | S },
  [KAIGI_ACTION_PROGRAM] = { "program", C | S },
  [KAIGI_ACTION_PIN] = { "pin", C | S },
  [KAIGI_ACTION_SCREEN] = { "screen", C | S | P },
};

gboolean
kaigi_role_may (KaigiRole role, KaigiAction action)
{
  if ((guint)role >= KAIGI_N_ROLES || (guint)action >= KAIGI_N_ACTIONS)
    return FALSE;
  return (table[action].roles & (1u << role)) != 0;
}

const char *
kaigi_action_to_string (KaigiAction action)
{
  return (guint)action < KAIGI_N_ACTIONS ? table[action].name : "unknown";
}
