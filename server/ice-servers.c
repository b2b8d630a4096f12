/* ice-servers.c: STUN and TURN servers for the browsers and for the server's webrtcbins.
 *
 * Why both sides: members behind a strict firewall or a symmetric NAT reach the server only
 * through a TURN relay, so the browser must know the relay (welcome.iceServers); the server
 * also allocates on it, so that two relayed ends still meet when the server itself is behind
 * NAT. With turn-secret the credentials follow coturn's REST scheme (use-auth-secret): each
 * participant gets a username "<expiry>:<participant>" and an HMAC of it, valid for turn-ttl
 * seconds, and the long-lived secret never leaves the server.
 * Thread: main loop only. */
#include "ice-servers.h"

#include <string.h>

struct _KaigiIceServers {
  char *stun;        /* owned, nullable; stun://host:port */
  char **turn;       /* owned; browser form */
  char *user, *pass; /* owned, nullable: long-term credentials */
  char *secret;      /* owned, nullable: REST scheme */
  guint ttl;
};

KaigiIceServers *
kaigi_ice_servers_new (const KaigiIceServersOptions *o)
{
  KaigiIceServers *ice = g_new0 (KaigiIceServers, 1);
  const char *const none[] = { NULL };

  ice->stun = g_strdup (o->stun_server);
  ice->turn = g_strdupv ((char **)(o->turn_servers ? o->turn_servers : none));
  ice->user = g_strdup (o->turn_username);
  ice->pass = g_strdup (o->turn_password);
  ice->secret = g_strdup (o->turn_secret);
  ice->ttl = o->turn_ttl ? o->turn_ttl : 86400;
  return ice;
}

void
kaigi_ice_servers_free (KaigiIceServers *ice)
{
  if (!ice)
    return;
  g_free (ice->stun);
  g_strfreev (ice->turn);
  g_free (ice->user);
  g_free (ice->pass);
  g_free (ice->secret);
  g_free (ice);
}

void
kaigi_turn_rest_credentials (const char *secret, const char *user, gint64 expiry, char **username,
                             char **password)
{
  g_autoptr (GHmac) hmac = g_hmac_new (G_CHECKSUM_SHA1, (const guchar *)secret, strlen (secret));
  guint8 digest[20];
  gsize len = sizeof (digest);

  *username = g_strdup_printf ("%" G_GINT64_FORMAT ":%s", expiry, user);
  g_hmac_update (hmac, (const guchar *)*username, -1);
  g_hmac_get_digest (hmac, digest, &len);
  *password = g_base64_encode (digest, len);
}

static void
credentials (const KaigiIceServers *ice, const char *who, gint64 now_s, char **user, char **pass)
{
  if (ice->secret) {
    kaigi_turn_rest_credentials (ice->secret, who, now_s + ice->ttl, user, pass);
  } else {
    *user = g_strdup (ice->user ? ice->user : "");
    *pass = g_strdup (ice->pass ? ice->pass : "");
  }
}

void
kaigi_ice_servers_add_json (const KaigiIceServers *ice, JsonBuilder *b, const char *who,
                            gint64 now_s)
{
  json_builder_begin_array (b);
  if (ice && ice->stun && g_str_has_prefix (ice->stun, "stun://")) {
    g_autofree char *url = g_strconcat ("stun:", ice->stun + strlen ("stun://"), NULL);
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "urls");
    json_builder_add_string_value (b, url);
    json_builder_end_object (b);
  }
  if (ice && ice->turn[0]) {
    g_autofree char *user = NULL, *pass = NULL;
    credentials (ice, who, now_s, &user, &pass);
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "urls");
    json_builder_begin_array (b);
    for (char **u = ice->turn; *u; u++)
      json_builder_add_string_value (b, *u);
    json_builder_end_array (b);
    json_builder_set_member_name (b, "username");
    json_builder_add_string_value (b, user);
    json_builder_set_member_name (b, "credential");
    json_builder_add_string_value (b, pass);
    json_builder_end_object (b);
  }
  json_builder_end_array (b);
}

/* turn:HOST:PORT?transport=udp -> turn://USER:PASS@HOST:PORT?transport=udp, with user and
 * password escaped: a REST username has a ':' of its own, and webrtcbin splits the user
 * information at the first ':' before unescaping. */
static char *
webrtcbin_uri (const char *url, const char *user, const char *pass)
{
  gboolean tls = g_str_has_prefix (url, "turns:");
  const char *rest = url + (tls ? strlen ("turns:") : strlen ("turn:"));
  g_autofree char *u = g_uri_escape_string (user, NULL, FALSE);
  g_autofree char *p = g_uri_escape_string (pass, NULL, FALSE);

  while (*rest == '/')
    rest++;
  return g_strdup_printf ("%s://%s:%s@%s", tls ? "turns" : "turn", u, p, rest);
}

void
kaigi_ice_servers_configure (const KaigiIceServers *ice, GstElement *webrtc, const char *who,
                             gint64 now_s)
{
  g_autofree char *user = NULL, *pass = NULL;

  if (!ice)
    return;
  if (ice->stun)
    g_object_set (webrtc, "stun-server", ice->stun, NULL);
  if (!ice->turn[0])
    return;
  credentials (ice, who, now_s, &user, &pass);
  for (char **u = ice->turn; *u; u++) {
    g_autofree char *uri = webrtcbin_uri (*u, user, pass);
    gboolean ok = FALSE;
    g_signal_emit_by_name (webrtc, "add-turn-server", uri, &ok);
    if (!ok)
      GST_WARNING_OBJECT (webrtc, "webrtcbin refused TURN server %s", *u);
  }
}
