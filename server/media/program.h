/* program.h: the public program (傍聴) of one meeting and the gate in front of it.
 *
 * One program per meeting, encoded once: the meeting's total mix (media/mix.c) and one
 * picture (the camera the room chooses, with a caption line), H.264 + AAC, written as HLS
 * files that kaigi-server or any HTTP server serves; and, if an Icecast server is set, the
 * same sound as Ogg/Opus sent to it for audio-only listening (a radio, a phone). Cameras link
 * into it like into any subscriber (a local KaigiPeer, media/forward.c).
 *
 * The gate: while it is shut (before the meeting opens, in recess, in a closed session) the
 * program carries a slate and silence, whatever is linked into it: the mix is
 * zeroed and the camera's frames are dropped before they reach the encoders. Shutting and
 * opening take effect on the next buffer.
 *
 * Main thread, except the probes (streaming threads), which read only the gate. */
#pragma once

#include "media/graph.h"
#include "peer.h"

G_BEGIN_DECLS

typedef struct _KaigiProgram KaigiProgram;

typedef struct {
  const char *hls_dir;   /* index.m3u8 and segments; created, old files removed */
  guint segment_seconds; /* HLS target duration */
  guint playlist_length; /* segments in the live playlist */
  guint width, height, fps;
  guint video_bitrate;       /* bit/s */
  guint audio_bitrate;       /* bit/s */
  guint jitter_latency_ms;   /* the participants' receive latency */
  const char *icecast;       /* nullable: http://source:PASSWORD@HOST:PORT of an Icecast server */
  const char *icecast_mount; /* the mount the audio goes to, e.g. "/kaigi-7.opus" */
  /* The program's recording (nullable: none): HLS segments kept for good at
   * @record_location (a pattern with %05d) and @record_playlist, the same encoded stream
   * as the public's (gated: slates in closed parts). @record_segment is told of each
   * segment opened and closed, at its running time, on the main thread. */
  const char *record_location;
  const char *record_playlist;
  void (*record_segment) (gpointer user, const char *location, gboolean opened,
                          GstClockTime running_time);
  gpointer record_user;
  /* What the closed sessions would have shown (nullable: not recorded): segments at
   * @closed_location (a pattern with %05d) and @closed_playlist, encoded only while
   * kaigi_program_closed_session is on; @closed_segment as @record_segment, with record_user. */
  const char *closed_location;
  const char *closed_playlist;
  void (*closed_segment) (gpointer user, const char *location, gboolean opened,
                          GstClockTime running_time);
  /* Told of each live HLS segment written (nullable): its number in the live playlist (from 0,
   * the media sequence) and its start and end running times; main thread. The live WebVTT
   * caption rendition mirrors these segments (room-captions.c). */
  void (*live_segment) (gpointer user, guint index, GstClockTime start, GstClockTime end);
  gpointer live_user;
} KaigiProgramOptions;

KaigiProgram *kaigi_program_new (KaigiGraph *graph, const char *id, const KaigiProgramOptions *opt,
                                 GError **error);
/* At start-up: the playlists and segments a stopped server left under @hls_root (HLS_ROOT/ID/)
 * go, so that a public page does not play a meeting's last minutes as if live; a program
 * writes its folder again when its meeting's room starts. */
void kaigi_program_clear_hls (const char *hls_root);
/* Ends the program: links into it detach, its elements leave when they have (the last
 * segment is whatever hlssink2 had closed). */
void kaigi_program_free (KaigiProgram *program);

/* The subscriber participants link into: one camera into slot 0. */
KaigiPeer *kaigi_program_peer (KaigiProgram *program);
/* Where the meeting's total mix goes in (media/mix.c: kaigi_mix_link_total); a reference. */
GstPad *kaigi_program_audio_sink (KaigiProgram *program);

/* Opens the gate, with @caption on the lower edge of the picture (nullable). */
void kaigi_program_open (KaigiProgram *program, const char *caption);
/* Shuts the gate: slate with @slate (the reason, several lines allowed) and silence. */
void kaigi_program_shut (KaigiProgram *program, const char *slate);
gboolean kaigi_program_is_open (KaigiProgram *program);

/* The recording (if the options asked for one) takes the program from @on TRUE; FALSE ends
 * it for good (the last segment is closed, the playlist ended). */
void kaigi_program_record (KaigiProgram *program, gboolean on);
/* The meeting is in a closed session (@on): the closed-session recording (if the options
 * asked for one) takes the ungated program, with @caption and a 非公開 mark on the picture. */
void kaigi_program_closed_session (KaigiProgram *program, gboolean on, const char *caption);

/* For WHEP viewers (whep.c): tees carrying the gated program as Opus frames (48 kHz mono,
 * 20 ms) and as H.264 access units (constrained baseline, SPS/PPS on every keyframe). Link to
 * them only with a branch already PLAYING; unlink in an IDLE probe (media/forward.c). */
GstElement *kaigi_program_opus_tee (KaigiProgram *program);
GstElement *kaigi_program_h264_tee (KaigiProgram *program);
/* Asks the H.264 encoder for a keyframe now. Any thread. */
void kaigi_program_request_keyframe (KaigiProgram *program);

G_END_DECLS
