/* receive-bypass.h: one thread hand-over less for every packet a webrtcbin receives.
 *
 * webrtcbin 1.22's receive side (transportreceivebin) is
 *
 *   nicesrc -> capsfilter -> queue -> dtlssrtpdec -> (rtpbin)
 *
 * The queue is there for the time before media may flow: until the description is applied
 * and ICE is connected, transportreceivebin blocks the pad in front of dtlssrtpdec, and the
 * queue (leaky) lets nicesrc's thread, which also answers ICE's STUN checks, go on meanwhile.
 * Once media flows, the queue only hands every packet from nicesrc's thread to its own: the
 * server's most frequent thread switch (a third of them at 20 participants, measured from
 * /proc/PID/task/N/status), for nothing.
 *
 * transportreceivebin says which of the two it is in by the queue's "leaky" property: 0 (no
 * leak) exactly when it lets media pass with ICE connected, 2 when it blocks. kaigi watches
 * that property:
 *   - leaky 0: once the capsfilter's source is idle (no packet on its way), the capsfilter is
 *     linked to dtlssrtpdec directly; nicesrc's thread decrypts and hands the packet to the
 *     RTP session and its jitterbuffer (whose own thread the publisher's forwarding runs on).
 *   - leaky 2 (ICE lost its connection): before transportreceivebin puts its block on "the
 *     pad in front of dtlssrtpdec", the queue is put back there (while no packet is on its
 *     way: under the capsfilter's stream lock), so that the block lands on the queue's thread,
 *     never on nicesrc's, and ICE can reconnect. The queue is flushed first (a packet its
 *     thread pushed while unlinked left it "not linked").
 *
 * Any thread: the notify comes from whoever changes transportreceivebin's state (webrtcbin's
 * description task, the ICE agent's thread, a state change); the bypass itself from nicesrc's
 * thread (or the caller's, when the pad is idle at once). */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

/* @receive_bin: a TransportReceiveBin just added to a webrtcbin (its elements linked). Returns
 * FALSE (and changes nothing) if it is not laid out as above. */
gboolean kaigi_receive_bypass_watch (GstElement *receive_bin);
/* For the tests: whether @receive_bin's capsfilter feeds dtlssrtpdec directly now. */
gboolean kaigi_receive_bypass_active (GstElement *receive_bin);

G_END_DECLS
