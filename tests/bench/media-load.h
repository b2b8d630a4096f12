/* media-load.h: what the parts of kaigi-media-load share (media-load.c: the encoders, the
 * frame table and the figures; media-load-client.c: one participant). Not part of the
 * server; see media-load.c for what the program does. */
#pragma once

#include <gst/app/gstappsrc.h>
#include <gst/gst.h>
#include <libsoup/soup.h>

/* Frame indices seen per stream are kept in a ring of this many bits: a window holds at most
 * this many frames (checked against --seconds x --fps). */
#define LOAD_RING 4096

typedef struct _Load Load;
typedef struct _LoadClient LoadClient;

/* One received RTP stream of a client (the mix-minus, or one video slot). */
typedef struct {
  Load *load;         /* not owned */
  LoadClient *client; /* not owned: the receiving client */
  guint mline;        /* the server's m-line it arrives on (a slot's, or the mix's) */
  gboolean video;
  gint frames;        /* VP8 frames out of the depayloader, since the start; atomic */
  gint packets_total; /* RTP packets since the start; atomic */
  /* The measurement window, under Load.lock. */
  gboolean have_seq;
  guint16 last_seq;
  gint64 ext_seq; /* extended sequence number of the last packet */
  gboolean in_window;
  gint64 first_ext, max_ext;
  guint64 packets;
  guint8 seen[LOAD_RING / 8]; /* frame indices matched in the window (mod LOAD_RING) */
} LoadStream;

struct _Load {
  /* Settings; read-only once the clients exist. */
  char *url;
  gint64 meeting;
  guint n;
  guint latency_ms;  /* the clients' receive jitterbuffers */
  gboolean in_phase; /* every client sends each frame at once (else: phases spread, below) */
  guint fps;
  /* Main thread. */
  SoupSession *session; /* owned */
  GPtrArray *clients;   /* LoadClient, owned */
  GstElement *source;   /* the shared encoders, owned */
  GstPad *venc_src;     /* owned: keyframe requests go here */
  gint64 last_key_us;   /* under lock */
  gboolean stop;        /* set on SIGINT/SIGTERM */
  GMutex lock;          /* guards the frame table, the window and every LoadStream */
  GHashTable *sent;     /* frame hash -> SentFrame, owned */
  GHashTable *numbers;  /* participant id -> client number (from welcome), owned; main thread */
  guint32 next_index;   /* index of the next encoded frame */
  gboolean measuring;   /* inside the window */
  gboolean closing;     /* the window's last frames are sent: end_index is set */
  gint64 window_start_us;
  guint32 first_index, end_index; /* frames counted in the window: [first, end) */
  GArray *latency_us;             /* gint64, matched frames in the window */
  GArray *latency_key_us;         /* the same, keyframes only */
  GArray *latency_delta_us;       /* the same, the other frames */
  guint key_frames;               /* keyframes the encoder put out in the window */
  guint64 sent_packets[2];        /* [video] RTP packets the clients sent in the window */
};

/* Thread: the source's streaming threads (videos, audio). */
void load_request_keyframe (Load *load);
/* When client @number sends its copy of a frame or audio packet, after the encoder put it out:
 * real cameras and microphones are not in step, so the N clients' phases are spread evenly
 * over a frame interval (20 ms for audio); 0 for everyone with --in-phase. */
gint64 load_phase_us (Load *load, guint number, gboolean video);
/* Thread: a client's streaming thread. Looks the frame up; counts it and its latency, from
 * when its publisher (@publisher, a client number; 0: not known) sent it. */
void load_frame_arrived (Load *load, LoadStream *s, const guint8 *data, gsize size, gint64 now,
                         guint publisher);
/* Thread: a client's streaming thread, under no lock. */
void load_packet_arrived (Load *load, LoadStream *s, guint16 seq);
/* Thread: a client's payloader's. */
void load_packet_sent (Load *load, gboolean video);

/* media-load-client.c; main thread unless said otherwise. */
LoadClient *load_client_new (Load *load, guint number, const char *token, GError **error);
void load_client_connect (LoadClient *c);
/* Thread: the source's streaming threads. Hands an encoded frame to the client's payloader
 * if its connection is up. */
void load_client_push (LoadClient *c, gboolean video, GstBuffer *frame);
/* Whether the client is connected, hears the mix and shows every slot it can. */
gboolean load_client_ready (LoadClient *c, guint expected_slots, char **why);
guint load_client_slots (LoadClient *c);
GPtrArray *load_client_streams (LoadClient *c); /* LoadStream, owned by the client */
const char *load_client_error (LoadClient *c);
void load_client_leave (LoadClient *c);
void load_client_free (LoadClient *c);
