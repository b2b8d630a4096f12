/* webrtc-tune.h: what kaigi changes inside webrtcbin 1.22: for the participants' peers, the
 * public viewers (WHEP) and the media bench's load generator alike.
 *
 * kaigi_webrtc_tune watches the elements webrtcbin makes and sets:
 *   - every receive rtpjitterbuffer: rtx-next-seqnum off. A jitterbuffer then asks for a
 *     retransmission when a gap shows (a later packet came), as a browser does, not also on a
 *     timer it sets for every next packet by guessing when that one is due: that timer woke its
 *     thread once per packet received, the "timer" threads took 3 % of the server's CPU at 30
 *     participants, all of it switching.
 *   - with live_send, every clocksync that webrtcbin puts before a stream it sends: sync off.
 *     It held each packet until its running time plus the upstream latency, which for a
 *     forwarded camera is the publisher's jitterbuffer latency (50 ms by default, measured by
 *     the media bench as the whole of the delay the server added). What a participant is sent
 *     is live already (the network's pace, or the mixer's clock): it goes out as it comes.
 *     The public viewers keep it (the program's sound and picture leave together), and so
 *     does the load generator (it paces its participants through it).
 *   - the send path's rtpfunnel: kaigi_funnel_drop_repeated_events, below.
 *   - every receive transport: once media flows, nicesrc's thread feeds dtlssrtpdec directly,
 *     past webrtcbin's receive queue (receive-bypass.h). KAIGI_RECEIVE_QUEUE=keep in the
 *     environment leaves the queues (for comparisons).
 *
 * kaigi_funnel_drop_repeated_events: webrtcbin's rtpfunnel (one per BUNDLE transport: a
 * participant's ear and every slot into one RTP session) pushes its new input's sticky events
 * downstream whenever the input changes, which with an ear and four slots interleaved is
 * nearly every packet: the input's segment, and webrtcbin's "GstWebRtcBinUpdateTos" event
 * naming its mid, which nicesink's probe turns into a lookup of the transceiver and a DSCP
 * setting on the socket. Each push walks the transport's bins (ghost pads, dtlssrtpenc,
 * srtpenc, nicesink): a fifth of a forwarding thread's CPU at 30 participants (perf;
 * docs/benchmarks.md). A probe on the funnel's source drops them when they change nothing
 * downstream, and counts them as delivered (HANDLED) so the pad does not keep them pending:
 *   - a segment equal, but for its position, to the last one let through;
 *   - the TOS event of a mid already let through: the DSCP follows the sender's priority,
 *     which kaigi never changes after the transceiver is made.
 * After a flush, stream-start or EOS the next segment passes.
 *
 * Any thread; call before the webrtcbin (or the funnel) leaves NULL. */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

void kaigi_webrtc_tune (GstElement *webrtcbin, gboolean live_send);
void kaigi_funnel_drop_repeated_events (GstElement *rtpfunnel);

G_END_DECLS
