/* whep.h: one WHEP viewer (WebRTC-HTTP Egress Protocol) of a meeting's public program.
 *
 * The viewer's browser POSTs an SDP offer (receive audio and video); the server answers with a
 * webrtcbin that only sends: the program's Opus and H.264 (media/program.c), encoded once for
 * every viewer and payloaded per viewer with the payload types of its offer. What a viewer
 * gets has passed the program's gate, like HLS. The answer carries every server candidate
 * (ICE gathering completes before it is sent), so no trickle (PATCH) is needed.
 *
 * Main thread for every function and callback here; webrtcbin's own threads hop there. */
#pragma once

#include "ice-servers.h"
#include "media/graph.h"
#include "media/program.h"

G_BEGIN_DECLS

typedef struct _KaigiWhep KaigiWhep;

typedef struct {
  const char *const *ice_addresses;   /* empty: all interfaces */
  const KaigiIceServers *ice_servers; /* nullable */
} KaigiWhepOptions;

/* @answer is the SDP answer, or NULL with @error (an unusable offer, webrtcbin refused). */
typedef void (*KaigiWhepAnswered) (KaigiWhep *whep, const char *answer, const char *error,
                                   gpointer user);
/* The viewer's connection failed or did not come up in time: the owner closes it. */
typedef void (*KaigiWhepGone) (KaigiWhep *whep, gpointer user);

/* Checks @offer at once (KAIGI_ERROR_INVALID: not SDP, no Opus or no H.264 constrained
 * baseline with packetization-mode 1 offered); the answer comes later through @answered. */
KaigiWhep *kaigi_whep_new (KaigiGraph *graph, KaigiProgram *program, const char *id,
                           const char *offer, const KaigiWhepOptions *options,
                           KaigiWhepAnswered answered, KaigiWhepGone gone, gpointer user,
                           GError **error);
const char *kaigi_whep_id (KaigiWhep *whep);
gboolean kaigi_whep_connected (KaigiWhep *whep);
/* Unlinks from the program and tears down; no callback after this. Freed when done. */
void kaigi_whep_close (KaigiWhep *whep);
/* Teardowns still running (the server waits for them before it stops the pipeline). */
guint kaigi_whep_closing_count (void);

G_END_DECLS
