/* guard.h: a consumer's failure stays the consumer's.
 *
 * A tee returns a branch's fatal flow result (error, not-negotiated) to its upstream, and a
 * publisher's receive chain that gets one stops: one participant's full disk, broken mixer
 * or failed HLS writer would cut a speaker off for everybody. kaigi_guard_pad wraps the
 * chain functions of the first sink pad of such a branch so that they always answer OK
 * (the branch's own element posts its error, which the graph routes to its owner).
 * Any thread; call before the pad is linked. */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

/* @what names the branch in the one warning logged when it first fails. */
void kaigi_guard_pad (GstPad *sink, const char *what);

G_END_DECLS
