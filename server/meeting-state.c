/* meeting-state.c: transitions of the meeting's state machine (diagram in meeting-state.h).
 *
 * Why "open" is a command and not a state: opening (開会) always puts the meeting into its
 * prepared visibility, and the public gate must know at every instant whether the session is
 * public; an "open but neither" state would be a hole in that gate. The timeline records the
 * opening itself (event "opened"). */
#include "meeting-state.h"

#include "kaigi-error.h"

gboolean
kaigi_meeting_state_is_running (KaigiMeetingState s)
{
  return s == KAIGI_MEETING_PUBLIC || s == KAIGI_MEETING_CLOSED || s == KAIGI_MEETING_RECESS;
}

gboolean
kaigi_meeting_state_next (KaigiMeetingState from, const char *command, gboolean default_closed,
                          KaigiMeetingState *to, GError **error)
{
  KaigiMeetingState target;

  if (g_strcmp0 (command, "open") == 0) {
    if (from != KAIGI_MEETING_SCHEDULED) {
      g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_STATE, "the meeting has already been opened");
      return FALSE;
    }
    *to = default_closed ? KAIGI_MEETING_CLOSED : KAIGI_MEETING_PUBLIC;
    return TRUE;
  }
  if (!command || !kaigi_meeting_state_from_string (command, &target)
      || target == KAIGI_MEETING_SCHEDULED) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_INVALID,
                 "'to' must be open, public, closed, recess or adjourned");
    return FALSE;
  }
  if (from == KAIGI_MEETING_SCHEDULED) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_STATE, "open the meeting first");
    return FALSE;
  }
  if (from == KAIGI_MEETING_ADJOURNED) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_STATE, "the meeting has been adjourned");
    return FALSE;
  }
  if (target == from) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_STATE, "the meeting is %s already",
                 kaigi_meeting_state_to_string (from));
    return FALSE;
  }
  *to = target;
  return TRUE;
}
