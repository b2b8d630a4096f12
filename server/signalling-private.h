/* signalling-private.h: shared by signalling.c (the connection, join, media messages) and
 * signalling-chair.c (the chair's messages). Not for other files. Main thread only. */
#pragma once

#include <json-glib/json-glib.h>

#include "signalling.h"

struct _KaigiSignalConn {
  KaigiSignalContext ctx;
  KaigiRoom *room; /* not owned; NULL until join */
  const KaigiSignalTransport *transport;
  gpointer transport_data;       /* not owned */
  KaigiParticipant *participant; /* owned by the room; NULL until join */
  gboolean dropped;              /* the server closed us */
};

typedef void (*KaigiSignalHandler) (KaigiSignalConn *c, JsonObject *msg);

/* Member accessors that check the type; on a mismatch they answer bad-message and return
 * NULL / -2 / -1. */
const char *kaigi_signal_get_string (KaigiSignalConn *c, JsonObject *msg, const char *member);
/* -1 if absent, 0/1 if a boolean, -2 (after answering bad-message) otherwise. */
int kaigi_signal_get_optional_bool (KaigiSignalConn *c, JsonObject *msg, const char *member);
/* A positive integer, or -1 after answering bad-message. */
gint64 kaigi_signal_get_id (KaigiSignalConn *c, JsonObject *msg, const char *member);

void kaigi_signal_on_hand (KaigiSignalConn *c, JsonObject *msg);
void kaigi_signal_on_floor (KaigiSignalConn *c, JsonObject *msg);
void kaigi_signal_on_mute_other (KaigiSignalConn *c, JsonObject *msg);
void kaigi_signal_on_unmute_request (KaigiSignalConn *c, JsonObject *msg);
void kaigi_signal_on_remove (KaigiSignalConn *c, JsonObject *msg);
void kaigi_signal_on_state (KaigiSignalConn *c, JsonObject *msg);
void kaigi_signal_on_agenda (KaigiSignalConn *c, JsonObject *msg);
void kaigi_signal_on_decision (KaigiSignalConn *c, JsonObject *msg);
void kaigi_signal_on_attendance (KaigiSignalConn *c, JsonObject *msg);
void kaigi_signal_on_program (KaigiSignalConn *c, JsonObject *msg);
void kaigi_signal_on_pin (KaigiSignalConn *c, JsonObject *msg);
void kaigi_signal_on_unpin (KaigiSignalConn *c, JsonObject *msg);
void kaigi_signal_on_screen (KaigiSignalConn *c, JsonObject *msg);
