/* test-ice-servers.c: STUN/TURN as the browser gets them (welcome.iceServers) and coturn's
 * REST credentials, checked against a value made by `openssl dgst -sha1 -hmac`. */
#include <json-glib/json-glib.h>

#include "ice-servers.h"

static char *
to_json (const KaigiIceServers *ice, const char *who, gint64 now)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;

  kaigi_ice_servers_add_json (ice, b, who, now);
  root = json_builder_get_root (b);
  return json_to_string (root, FALSE);
}

static void
test_rest_credentials (void)
{
  g_autofree char *user = NULL, *pass = NULL;

  /* echo -n "1700000000:p1" | openssl dgst -sha1 -hmac s3cret -binary | base64 */
  kaigi_turn_rest_credentials ("s3cret", "p1", 1700000000, &user, &pass);
  g_assert_cmpstr (user, ==, "1700000000:p1");
  g_assert_cmpstr (pass, ==, "qgMGazZqfg3Xj1eyXcWMv9x2jo4=");
}

static void
test_browser_form (void)
{
  const char *turn[] = { "turn:127.0.0.1:3478?transport=udp", NULL };
  KaigiIceServersOptions o = { .stun_server = "stun://stun.example.org:3478",
                               .turn_servers = turn,
                               .turn_secret = "s3cret",
                               .turn_ttl = 600 };
  g_autoptr (KaigiIceServers) rest = kaigi_ice_servers_new (&o);
  g_autofree char *json = to_json (rest, "p1", 1700000000 - 600);
  g_autoptr (KaigiIceServers) none = kaigi_ice_servers_new (&(KaigiIceServersOptions){ 0 });
  g_autofree char *empty = to_json (none, "p1", 0);
  g_autofree char *lt_json = NULL;
  g_autoptr (KaigiIceServers) lt = NULL;

  g_assert_cmpstr (
      json, ==,
      "[{\"urls\":\"stun:stun.example.org:3478\"},"
      "{\"urls\":[\"turn:127.0.0.1:3478?transport=udp\"],"
      "\"username\":\"1700000000:p1\",\"credential\":\"qgMGazZqfg3Xj1eyXcWMv9x2jo4=\"}]");
  g_assert_cmpstr (empty, ==, "[]");
  o = (KaigiIceServersOptions){ .turn_servers = turn,
                                .turn_username = "kaigi",
                                .turn_password = "pw" };
  lt = kaigi_ice_servers_new (&o);
  lt_json = to_json (lt, "p9", 0);
  g_assert_nonnull (strstr (lt_json, "\"username\":\"kaigi\",\"credential\":\"pw\""));
}

/* webrtcbin takes the TURN server (with a REST username, whose ':' must be escaped). */
static void
test_webrtcbin_form (void)
{
  const char *turn[] = { "turn:127.0.0.1:3478?transport=udp", NULL };
  KaigiIceServersOptions o
      = { .stun_server = "stun://127.0.0.1:3478", .turn_servers = turn, .turn_secret = "s3cret" };
  g_autoptr (KaigiIceServers) ice = kaigi_ice_servers_new (&o);
  GstElement *webrtc = gst_element_factory_make ("webrtcbin", NULL);
  g_autofree char *stun = NULL;

  if (!webrtc) {
    g_test_skip ("no webrtcbin");
    return;
  }
  kaigi_ice_servers_configure (ice, webrtc, "p1", 1700000000);
  g_object_get (webrtc, "stun-server", &stun, NULL);
  g_assert_cmpstr (stun, ==, "stun://127.0.0.1:3478");
  gst_object_unref (webrtc);
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/ice-servers/rest-credentials", test_rest_credentials);
  g_test_add_func ("/ice-servers/browser-form", test_browser_form);
  g_test_add_func ("/ice-servers/webrtcbin-form", test_webrtcbin_form);
  return g_test_run ();
}
