/* funnel.h: the send path's rtpfunnel without the events that change nothing.
 *
 * webrtcbin's rtpfunnel (one per BUNDLE transport: a participant's ear and every slot into
 * one RTP session) pushes its new input's sticky events downstream whenever the input
 * changes, which with an ear and four slots interleaved is nearly every packet: the input's
 * segment, and webrtcbin's "GstWebRtcBinUpdateTos" event naming its mid, which nicesink's
 * probe turns into a lookup of the transceiver and a DSCP setting on the socket. Each push
 * walks the transport's bins (ghost pads, dtlssrtpenc, srtpenc, nicesink): a fifth of a
 * forwarding thread's CPU at 30 participants (perf; docs/benchmarks.md). A probe on the
 * funnel's source drops them when they change nothing downstream, and counts them as
 * delivered (HANDLED) so the pad does not keep them pending:
 *   - a segment equal, but for its position, to the last one let through;
 *   - the TOS event of a mid already let through: the DSCP follows the sender's priority,
 *     which kaigi never changes after the transceiver is made.
 * After a flush, stream-start or EOS the next segment passes.
 * Any thread; call before the funnel carries data (webrtcbin's element-added). */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

void kaigi_funnel_drop_repeated_events (GstElement *rtpfunnel);

G_END_DECLS
