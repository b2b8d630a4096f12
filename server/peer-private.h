/* peer-private.h: KaigiPeer's fields, shared by peer.c (negotiation, lifetime) and
 * media/forward.c (links between peers). Not a public header. Main thread. */
#pragma once

#include <gst/gst.h>
#include <gst/webrtc/webrtc.h>

#include "peer.h"

typedef struct _KaigiLink KaigiLink;
typedef struct _KaigiRecordBranch KaigiRecordBranch;
typedef struct _KaigiListen KaigiListen;

/* Fixed payload types of every offer: never renegotiated (ARCHITECTURE.md). */
#define KAIGI_AUDIO_PT 111
#define KAIGI_VIDEO_PT 96

struct _KaigiPeer {
  gatomicrefcount ref;  /* main-thread owner + one per pending hop + one per link */
  KaigiGraph *graph;    /* not owned */
  char *id;             /* owned */
  KaigiPeerOptions opt; /* pointers borrowed from the config, which outlives peers */
  KaigiPeerEvents ev;
  gpointer user; /* the room's participant, not owned */
  KaigiPeerState state;

  GstElement *webrtc;   /* owned ref; in the graph */
  GPtrArray *elements;  /* owned refs of our other elements in the graph */
  GstElement *audio_in; /* funnels at the head of the receive chains (in elements) */
  GstElement *video_in;
  GstElement *video_h264_in; /* nullable: a WHIP ingest's H.264, transcoded to VP8 */
  GstElement *discard;       /* funnel into a fakesink, for streams on other m-lines */
  GstElement *opus_tee;      /* the mic's Opus frames, to the recording */
  GstElement *audio_tee;     /* decoded mic: to the meeting's mixer, the speech detector */
  GstElement *video_tee;     /* depayloaded VP8 frames, fanned out to the others' slots */
  GstElement *mixer;         /* a local peer's kaigimixminus that mics link into (media/mix.c) */
  GstElement *ear;           /* our Opus encoder (kaigiopusear): the mixer's src_N links here */
  GstElement **slot_pay;     /* [opt.slots] rtpvp8pay feeding webrtcbin sink_(1+slot) */
  char **mids;               /* [1 + opt.slots] mid per m-line, from our offer; owned */
  gboolean *rejected;        /* [1 + opt.slots] m-line rejected by the answer */
  /* WHIP ingest (opt.ingest): the answer is handed over once ICE gathering is complete. */
  char *answer;          /* owned: our answer's text, without candidates */
  GPtrArray *candidates; /* owned strings "mline\tcandidate" */
  gboolean gathered;
  gboolean answered;

  /* Links (media/forward.c). */
  GHashTable *mix_in;        /* KaigiPeer *pub -> KaigiLink *, links into our mixer */
  gint mic_muted;            /* atomic: our mic reaches every mixer as silence (chair's mute) */
  KaigiLink **slot_link;     /* [opt.slots] current link into each slot, or NULL */
  KaigiPeer **slot_want;     /* [opt.slots] source to link once the old link is gone (ref) */
  GPtrArray *out_links;      /* KaigiLink * out of our tees */
  GPtrArray *dispose_later;  /* links into us detached while closing, disposed after webrtc NULL */
  guint detaching;           /* links of ours still detaching, while CLOSING */
  KaigiRecordBranch *rec[2]; /* media/record.c: recordings of the mic [0] and camera [1] */
  KaigiListen *listen;       /* media/listen.c, nullable: owned by its appsink */
  GMutex keyframe_lock;      /* guards last_keyframe_us: subscribers' RTCP threads ask too */
  gint64 last_keyframe_us;   /* throttle of keyframe requests to our camera */
};

KaigiPeer *kaigi_peer_ref (KaigiPeer *peer);
void kaigi_peer_unref (KaigiPeer *peer);
/* peer.c: called by forward.c when the last link of a closing peer is detached. */
void kaigi_peer_finish_close (KaigiPeer *peer);
/* forward.c: detaches every link of a closing peer. */
void kaigi_forward_detach_all (KaigiPeer *peer);
void kaigi_forward_dispose_later (KaigiPeer *peer);
/* peer.c: an element of @owner (a KaigiPeer) posted an error. Main thread. */
void kaigi_peer_element_error (gpointer owner, const GError *error);
/* chains.c: makes and links every element of @p but webrtcbin; @sinks and @ssrcs are per
 * m-line (0 audio, 1.. slots). */
gboolean kaigi_chains_build (KaigiPeer *p, GstPad **sinks, const guint *ssrcs, GError **error);
/* chains.c: the funnel a new webrtcbin source pad goes into. Streaming thread. */
GstElement *kaigi_chains_for_pad (KaigiPeer *p, GstPad *pad, guint mline);
/* chains.c: probe for a mixer's sink pads, @user_data the mixer's peer. */
GstPadProbeReturn kaigi_peer_answer_mic_latency (GstPad *pad, GstPadProbeInfo *info,
                                                 gpointer user_data);
/* forward.c: a keyframe is being asked of @pub's camera by someone else (the recording):
 * subscribers' requests within the throttle interval are then not needed. Any thread. */
void kaigi_forward_keyframe_taken (KaigiPeer *pub);
GstEvent *kaigi_forward_keyframe_event (void);
/* listen.c: the speech detector on the mic tee (when opt.listen), made in NULL with the
 * chains; @add makes an element of the peer's (chains.c). */
gboolean kaigi_listen_build (KaigiPeer *p,
                             GstElement *(*add) (KaigiPeer *, const char *, const char *,
                                                 GError **),
                             GError **error);
/* listen.c: delivers the utterance in progress (the peer is closing). Main thread. */
void kaigi_listen_flush (KaigiPeer *p);
/* record.c: detaches the recordings of a closing peer; counted in @peer->detaching. */
void kaigi_record_detach_all (KaigiPeer *peer);
/* forward.c: the sink pad of the mixer (a local peer's) that @pub's mic is linked to, or NULL.
 * Not a reference. */
GstPad *kaigi_forward_mix_pad (KaigiPeer *mixer, KaigiPeer *pub);
/* forward.c: the peer's routing tables. */
void kaigi_forward_init (KaigiPeer *peer);
void kaigi_forward_clear (KaigiPeer *peer);
