/* peer.h: one participant's WebRTC connection: a webrtcbin with fixed transceivers, the
 * chains that decode what they send, the encoder of what they hear, and their slots.
 *
 * Main thread for every function here. The events are delivered on the main thread too
 * (webrtcbin's own threads hop there first), and never after kaigi_peer_close(). */
#pragma once

#include <glib.h>
#include <gst/gst.h>

#include "ice-servers.h"
#include "manifest.h"
#include "vad.h"
#include "media/graph.h"

G_BEGIN_DECLS

typedef struct _KaigiPeer KaigiPeer;

typedef enum {
  KAIGI_PEER_NEW,       /* elements made, offer being created */
  KAIGI_PEER_OFFERING,  /* offer sent, waiting for the answer */
  KAIGI_PEER_ANSWERED,  /* answer applied, ICE/DTLS under way */
  KAIGI_PEER_CONNECTED, /* media flows; only now is anything linked into this peer */
  KAIGI_PEER_CLOSING,   /* links detaching, then elements torn down */
} KaigiPeerState;

typedef struct {
  void (*offer) (gpointer user, const char *sdp);
  void (*ice_candidate) (gpointer user, guint mline, const char *candidate);
  /* @ok FALSE: webrtcbin refused the answer; the peer stays OFFERING and may get another. */
  void (*answer_result) (gpointer user, gboolean ok, const char *message);
  void (*connected) (gpointer user);
  /* ICE or DTLS failed, or an element of this peer posted an error. */
  void (*failed) (gpointer user, const char *message);
  /* An utterance of the participant's mic ended (options.listen); @segment is the
   * caller's to read during the call (take a ref on its samples to keep them). */
  void (*speech) (gpointer user, const KaigiVadSegment *segment);
} KaigiPeerEvents;

typedef struct {
  guint slots; /* K: video receive slots */
  guint jitter_latency_ms;
  guint audio_bitrate;
  const char *const *ice_addresses;   /* empty: all interfaces */
  const char *stun_server;            /* nullable; ignored when ice_servers is set */
  const KaigiIceServers *ice_servers; /* nullable; STUN and TURN, not owned */
  gboolean loopback_only;             /* ignore remote candidates that are not loopback */
  gboolean listen;                    /* detect the mic's utterances (events.speech) */
  KaigiAsr *asr; /* nullable: with listen, recognise utterances as they are spoken */
  /* WHIP ingest: the other side offers (kaigi_peer_new_ingest), we answer and only receive
   * (no ear, no slots; slots must be 0). */
  gboolean ingest;
} KaigiPeerOptions;

KaigiPeer *kaigi_peer_new (KaigiGraph *graph, const char *id, const KaigiPeerOptions *options,
                           const KaigiPeerEvents *events, gpointer user, GError **error);
/* A peer without WebRTC that only subscribes: the meeting's mixer (media/mix.c) and the public
 * program (media/program.c). Links into it go to @mixer's sink_%u pads (audio; @mixer a
 * kaigimixminus, or NULL) and to the sink pad of @slot_in[s] (VP8 frames), exactly as into a
 * participant's slot payloaders. It adds @elements (made, not in
 * the graph) to the graph, tagged as its own, and removes them when its teardown ends; the
 * caller then links them and brings them up. CONNECTED from the start; no events (errors of
 * its elements are logged). */
KaigiPeer *kaigi_peer_new_local (KaigiGraph *graph, const char *id, guint slots,
                                 guint jitter_latency_ms, GPtrArray *elements, GstElement *mixer,
                                 GstElement *const *slot_in);
/* A WHIP ingest (options->ingest): answers @offer, which must offer Opus and/or VP8 or H.264
 * (packetization-mode 1), sent to us (KAIGI_ERROR_INVALID otherwise, at once). The answer,
 * with every candidate in it (no trickle), comes through events->offer once ICE gathering is
 * complete; events->ice_candidate is not called. Then connected/failed as for a browser. */
KaigiPeer *kaigi_peer_new_ingest (KaigiGraph *graph, const char *id,
                                  const KaigiPeerOptions *options, const char *offer,
                                  const KaigiPeerEvents *events, gpointer user, GError **error);
KaigiPeerState kaigi_peer_get_state (KaigiPeer *peer);
const char *kaigi_peer_get_id (KaigiPeer *peer);
/* The mid of a receive slot, known once the offer is made (else NULL). Slot 0 is m-line 1. */
const char *kaigi_peer_slot_mid (KaigiPeer *peer, guint slot);
guint kaigi_peer_slot_mline (guint slot);
/* FALSE if the browser rejected the slot's m-line: nothing may be linked into it. */
gboolean kaigi_peer_slot_usable (KaigiPeer *peer, guint slot);

/* Checks and applies the browser's answer. Errors here are synchronous (not SDP, not an
 * answer, wrong m-lines); webrtcbin's verdict comes later through answer_result. */
gboolean kaigi_peer_set_answer (KaigiPeer *peer, const char *sdp, GError **error);
/* An empty candidate (end of candidates) is ignored. */
void kaigi_peer_add_ice_candidate (KaigiPeer *peer, guint mline, const char *candidate);

/* Media routing (forward.c). @sub must be CONNECTED. */
void kaigi_peer_set_slot_source (KaigiPeer *sub, guint slot, KaigiPeer *pub);
/* @pub's decoded mic into the mixer of local peer @mixer (the meeting's kaigimixminus,
 * media/mix.c), and that mixer's src_N (everyone but @pub) into @pub's Opus encoder. The link
 * goes when either peer closes, or with kaigi_peer_remove_mix_input. */
void kaigi_peer_add_mix_input (KaigiPeer *mixer, KaigiPeer *pub);
void kaigi_peer_remove_mix_input (KaigiPeer *mixer, KaigiPeer *pub);
/* The chair's mute: while @muted, @pub's mic reaches the mixers as silence (the link and the
 * ear stay: a muted participant still hears everyone). Takes effect on the next buffer. */
void kaigi_peer_set_mic_muted (KaigiPeer *pub, gboolean muted);

/* Recording (media/record.c): the mic's Opus and the camera's VP8 into WebM pieces of about
 * two seconds under the manifest's folder, in a new session of @who's tracks. @failed is
 * called on the main thread when a track's recording fails: with @resumed FALSE if it is
 * removed (disk full), TRUE if it went on in a new session (a stream error; the manifest
 * has the gap); never after kaigi_peer_close, which ends the recordings (their last pieces
 * closed properly). */
typedef void (*KaigiPeerRecordFailed) (gpointer user, const char *who, const char *kind,
                                       const char *reason, gboolean resumed);
gboolean kaigi_peer_record_start (KaigiPeer *peer, KaigiManifest *manifest, const char *who,
                                  const char *name, KaigiPeerRecordFailed failed, gpointer user,
                                  GError **error);
gboolean kaigi_peer_recording (KaigiPeer *peer);
/* Recordings ending (their last piece being closed, the manifest told), of every peer. The
 * server waits for them before it stops the pipeline: a stop during a meeting then leaves
 * every session "stopped", its last piece listed and whole. Main thread. */
guint kaigi_record_leaving_count (void);

/* Detaches everything linked into or out of @peer, then tears it down, in the order that
 * keeps everyone else's media flowing (ARCHITECTURE.md: the tee traps). No event is
 * delivered after this call. The peer is freed when the teardown ends. */
void kaigi_peer_close (KaigiPeer *peer);

/* For tests and benchmarks: teardowns still running; peers not yet freed. */
guint kaigi_peer_closing_count (void);
guint kaigi_peer_alive_count (void);

G_END_DECLS
