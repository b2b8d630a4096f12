/* metrics.h: GET /metrics in Prometheus' text format.
 *
 * The counters are bumped from streaming threads (atomics, no lock); everything else runs
 * on the main loop. */
#pragma once

#include <glib.h>

#include "asr.h"
#include "rooms.h"

G_BEGIN_DECLS

typedef enum { KAIGI_METRICS_IN, KAIGI_METRICS_OUT } KaigiMetricsDirection;

/* Any thread: RTP that went into (IN) or out of (OUT) the server's webrtcbins. */
void kaigi_metrics_count_rtp (KaigiMetricsDirection dir, gboolean video, guint packets,
                              guint64 bytes);

/* Any thread: media bytes handed to the recorder's muxers (@video: camera, else mic). */
void kaigi_metrics_count_recorded (gboolean video, guint64 bytes);
/* Any thread: a recording branch failed (disk full, muxer refused its data). */
void kaigi_metrics_recording_error (void);

/* Main thread: starts and stops the event-loop lag timer on the default main context. */
void kaigi_metrics_start (void);
void kaigi_metrics_stop (void);

/* Main thread: the whole page; @rooms is nullable. */
char *kaigi_metrics_render (KaigiRooms *rooms, KaigiAsr *asr);

G_END_DECLS
