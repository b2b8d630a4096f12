/* ice-servers.h: the STUN and TURN servers of [webrtc], in the two forms they are used in:
 * the browser's RTCIceServer list (sent in `welcome`) and webrtcbin's properties.
 *
 * Main thread only; immutable once made. */
#pragma once

#include <gst/gst.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef struct _KaigiIceServers KaigiIceServers;

typedef struct {
  const char *stun_server;         /* stun://HOST:PORT (webrtcbin's form), nullable */
  const char *const *turn_servers; /* turn:HOST:PORT[?transport=udp|tcp], turns:..., or empty */
  const char *turn_username;       /* long-term credentials, or NULL */
  const char *turn_password;
  const char *turn_secret; /* coturn use-auth-secret (REST scheme), or NULL */
  guint turn_ttl;          /* seconds a REST credential stays valid */
} KaigiIceServersOptions;

KaigiIceServers *kaigi_ice_servers_new (const KaigiIceServersOptions *options);
void kaigi_ice_servers_free (KaigiIceServers *ice);

/* Adds the value of `iceServers` (an array of {urls, username?, credential?}) for the
 * participant @who to @b; REST credentials are made fresh, valid from @now_s for turn-ttl. */
void kaigi_ice_servers_add_json (const KaigiIceServers *ice, JsonBuilder *b, const char *who,
                                 gint64 now_s);
/* Sets stun-server and adds every TURN server to @webrtc (a webrtcbin still in NULL). */
void kaigi_ice_servers_configure (const KaigiIceServers *ice, GstElement *webrtc, const char *who,
                                  gint64 now_s);

/* coturn's REST scheme: username = "<expiry>:<user>", password =
 * base64(HMAC-SHA1(secret, username)). Exposed for tests. */
void kaigi_turn_rest_credentials (const char *secret, const char *user, gint64 expiry,
                                  char **username, char **password);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KaigiIceServers, kaigi_ice_servers_free)

G_END_DECLS
