/* signalling.h: the signalling protocol (docs/protocol.md): JSON messages from one client
 * connection, checked and dispatched through a table of handlers to the room.
 *
 * Main thread only. The transport (a WebSocket session in production, a recorder of
 * messages in tests) is reached through KaigiSignalTransport. */
#pragma once

#include <glib.h>

#include "auth.h"
#include "rooms.h"

G_BEGIN_DECLS

typedef struct _KaigiSignalConn KaigiSignalConn;

typedef struct {
  void (*send) (gpointer transport, const char *json);
  /* Flush what is queued, then close with an RFC 6455 status. */
  void (*close) (gpointer transport, int status, const char *reason);
} KaigiSignalTransport;

/* The room's client operations, for kaigi_room_new: targets are KaigiSignalConn. */
const KaigiRoomClientOps *kaigi_signal_room_ops (void);

/* What every connection needs: where meetings live and how tokens are checked. Not owned. */
typedef struct {
  KaigiRooms *rooms;
  KaigiAuth *auth;
} KaigiSignalContext;

KaigiSignalConn *kaigi_signal_conn_new (const KaigiSignalContext *context,
                                        const KaigiSignalTransport *transport,
                                        gpointer transport_data);
/* One complete text message from the client. */
void kaigi_signal_conn_message (KaigiSignalConn *conn, const char *text, gsize len);
/* The transport is gone: leaves the meeting if joined, and frees @conn. */
void kaigi_signal_conn_closed (KaigiSignalConn *conn);
/* Sends {type:"error"} through the connection's transport. */
void kaigi_signal_conn_error (KaigiSignalConn *conn, const char *code, const char *message);

G_END_DECLS
