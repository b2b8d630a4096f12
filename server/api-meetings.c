/* api-meetings.c: the meeting routes of the REST API (docs/meetings-api.md): prepare a
 * meeting, its materials and join links; read its attendance, timeline and decisions.
 *
 * Edits go through the store, which refuses them once the meeting has opened; a live room
 * (people may join early to check their camera) is handed the new document. Material files
 * are stored under the meeting's folder by material id, never by the uploaded name, so no
 * name can reach outside it.
 * Thread: main loop only. */
#include "api-private.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>

#include "kaigi-error.h"
#include "layout.h"
#include "room.h"

#define LINK_HOURS_DEFAULT 48
#define LINK_HOURS_MAX 720

static KaigiMeeting *
load (KaigiApi *api, KaigiHttpRequest *req, gint64 id)
{
  g_autoptr (GError) error = NULL;
  KaigiMeeting *m = kaigi_store_meeting_load (api->ctx.store, id, &error);

  if (!m)
    kaigi_api_reply_gerror (req, error);
  return m;
}

void
kaigi_api_meetings_list (KaigiApi *api, KaigiHttpRequest *req, const gint64 *ids,
                         const KaigiApiWho *who)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) list = kaigi_store_meeting_list (api->ctx.store, &error);
  JsonArray *a;
  JsonObject *o;

  if (!list) {
    kaigi_api_reply_gerror (req, error);
    return;
  }
  a = json_array_new ();
  for (guint i = 0; i < list->len; i++)
    json_array_add_element (a, kaigi_meeting_summary_json (g_ptr_array_index (list, i)));
  o = json_object_new ();
  json_object_set_array_member (o, "meetings", a);
  kaigi_api_reply_object (req, 200, o, NULL);
}

static KaigiMeeting *
parse_document (KaigiHttpRequest *req)
{
  g_autoptr (JsonNode) body = kaigi_api_body_json (req);
  g_autoptr (GError) error = NULL;
  KaigiMeeting *m;

  if (!body)
    return NULL;
  if (!(m = kaigi_meeting_from_json (body, &error)))
    kaigi_api_reply_gerror (req, error);
  return m;
}

void
kaigi_api_meetings_create (KaigiApi *api, KaigiHttpRequest *req, const gint64 *ids,
                           const KaigiApiWho *who)
{
  g_autoptr (KaigiMeeting) m = parse_document (req);
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = NULL;
  gint64 id;

  if (!m)
    return;
  if ((id = kaigi_store_meeting_create (api->ctx.store, m, &error)) < 0
      || !(dir = kaigi_recorder_meeting_dir (api->ctx.data_dir, id, &error))) {
    kaigi_api_reply_gerror (req, error);
    return;
  }
  kaigi_api_reply_json (req, 201, kaigi_meeting_to_json (m));
}

void
kaigi_api_meeting_get (KaigiApi *api, KaigiHttpRequest *req, const gint64 *ids,
                       const KaigiApiWho *who)
{
  g_autoptr (KaigiMeeting) m = load (api, req, ids[0]);

  if (m)
    kaigi_api_reply_json (req, 200, kaigi_meeting_to_json (m));
}

void
kaigi_api_meeting_put (KaigiApi *api, KaigiHttpRequest *req, const gint64 *ids,
                       const KaigiApiWho *who)
{
  g_autoptr (KaigiMeeting) m = parse_document (req);
  g_autoptr (GError) error = NULL;
  KaigiMeeting *stored;
  KaigiRoom *room;

  if (!m)
    return;
  if (!kaigi_store_meeting_update (api->ctx.store, ids[0], m, &error)) {
    kaigi_api_reply_gerror (req, error);
    return;
  }
  if (!(stored = load (api, req, ids[0])))
    return;
  kaigi_api_reply_json (req, 200, kaigi_meeting_to_json (stored));
  if ((room = kaigi_rooms_lookup (api->ctx.rooms, ids[0])))
    kaigi_room_replace_meeting (room, stored);
  else
    kaigi_meeting_free (stored);
}

void
kaigi_api_meeting_delete (KaigiApi *api, KaigiHttpRequest *req, const gint64 *ids,
                          const KaigiApiWho *who)
{
  g_autoptr (GError) error = NULL;

  if (kaigi_rooms_lookup (api->ctx.rooms, ids[0])) {
    kaigi_api_reply_error (req, 409, "meeting-live", "people are in this meeting");
    return;
  }
  if (!kaigi_store_meeting_delete (api->ctx.store, ids[0], &error))
    kaigi_api_reply_gerror (req, error);
  else
    kaigi_http_request_reply (req, 204, "application/json", NULL, NULL);
}

/* ---- materials ---- */

static char *
material_path (KaigiApi *api, gint64 meeting, gint64 material, GError **error)
{
  g_autofree char *dir = kaigi_recorder_meeting_dir (api->ctx.data_dir, meeting, error);
  g_autofree char *mdir = NULL, *file = NULL;

  if (!dir)
    return NULL;
  mdir = g_build_filename (dir, "materials", NULL);
  if (g_mkdir_with_parents (mdir, 0750) != 0) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_IO, "%s: %s", mdir, g_strerror (errno));
    return NULL;
  }
  file = g_strdup_printf ("%" G_GINT64_FORMAT, material);
  return g_build_filename (mdir, file, NULL);
}

/* A file name as people see it: 1..200 characters, no path separators or control chars. */
static gboolean
material_name_ok (const char *name)
{
  if (!name || !g_utf8_validate (name, -1, NULL) || g_utf8_strlen (name, -1) < 1
      || g_utf8_strlen (name, -1) > 200 || strchr (name, '/') || strchr (name, '\\'))
    return FALSE;
  for (const char *c = name; *c; c = g_utf8_next_char (c))
    if (g_unichar_iscntrl (g_utf8_get_char (c)))
      return FALSE;
  return TRUE;
}

void
kaigi_api_material_upload (KaigiApi *api, KaigiHttpRequest *req, const gint64 *ids,
                           const KaigiApiWho *who)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (KaigiMeeting) m = load (api, req, ids[0]);
  g_autoptr (GBytes) body = kaigi_http_request_body (req);
  g_autofree char *path = NULL;
  const char *name = kaigi_http_request_query (req, "name");
  const char *type = kaigi_http_request_header (req, "content-type");
  KaigiMaterial mat = { 0 };
  gint64 id;

  if (!m)
    return;
  if (!kaigi_meeting_find_item (m, ids[1])) {
    kaigi_api_reply_error (req, 404, "not-found", "no such agenda item in this meeting");
    return;
  }
  if (m->state != KAIGI_MEETING_SCHEDULED) {
    kaigi_api_reply_error (req, 409, "meeting-started", "the meeting has opened");
    return;
  }
  if (!material_name_ok (name)) {
    kaigi_api_reply_error (req, 400, "invalid",
                           "name: give the file name (1 to 200 characters, no '/')");
    return;
  }
  id = kaigi_store_material_add (api->ctx.store, ids[0], ids[1], name, type,
                                 g_bytes_get_size (body), &error);
  if (id < 0 || !(path = material_path (api, ids[0], id, &error))) {
    if (id > 0)
      kaigi_store_material_delete (api->ctx.store, id, NULL);
    kaigi_api_reply_gerror (req, error);
    return;
  }
  mat.id = id, mat.name = (char *)name, mat.content_type = (char *)type;
  mat.size = g_bytes_get_size (body);
  kaigi_api_file_write (api, req, path, body, &mat); /* answers when written */
}

void
kaigi_api_material_get (KaigiApi *api, KaigiHttpRequest *req, const gint64 *ids,
                        const KaigiApiWho *who)
{
  g_autoptr (GError) error = NULL;
  gint64 meeting = 0;
  KaigiMaterial *mat = kaigi_store_material_get (api->ctx.store, ids[0], &meeting, &error);
  g_autofree char *path = NULL;
  const char *token = kaigi_http_request_query (req, "t");

  if (!mat) {
    kaigi_api_reply_gerror (req, error);
    return;
  }
  if (!who->account) {
    const char *code;
    g_autoptr (KaigiToken) t
        = token ? kaigi_auth_token_verify (api->ctx.auth, token, meeting,
                                           g_get_real_time () / G_USEC_PER_SEC, &code, NULL)
                : NULL;
    if (!t || t->role == KAIGI_ROLE_VIEWER) {
      kaigi_material_free (mat);
      kaigi_api_reply_error (req, 401, "unauthorized", "sign in, or use your join link");
      return;
    }
  }
  if (!(path = material_path (api, meeting, mat->id, &error)))
    kaigi_api_reply_gerror (req, error);
  else
    kaigi_api_file_send (api, req, path, mat); /* answers when read */
  kaigi_material_free (mat);
}

void
kaigi_api_material_delete (KaigiApi *api, KaigiHttpRequest *req, const gint64 *ids,
                           const KaigiApiWho *who)
{
  g_autoptr (GError) error = NULL;
  gint64 meeting = 0;
  KaigiMaterial *mat = kaigi_store_material_get (api->ctx.store, ids[0], &meeting, &error);
  g_autoptr (KaigiMeeting) m = NULL;
  g_autofree char *path = NULL;

  if (!mat) {
    kaigi_api_reply_gerror (req, error);
    return;
  }
  kaigi_material_free (mat);
  if (!(m = load (api, req, meeting)))
    return;
  if (m->state != KAIGI_MEETING_SCHEDULED) {
    kaigi_api_reply_error (req, 409, "meeting-started", "the meeting has opened");
    return;
  }
  if (!kaigi_store_material_delete (api->ctx.store, ids[0], &error)) {
    kaigi_api_reply_gerror (req, error);
    return;
  }
  if ((path = material_path (api, meeting, ids[0], NULL)))
    g_unlink (path);
  kaigi_http_request_reply (req, 204, "application/json", NULL, NULL);
}

/* ---- join links ---- */

static void
add_link (JsonArray *links, KaigiApi *api, gint64 meeting, const char *kind, gint64 ref,
          const char *who, const char *name, KaigiRole role, gint64 expires)
{
  JsonObject *o = json_object_new ();
  g_autofree char *token = kaigi_auth_token_issue (
      api->ctx.auth, meeting, role, who, g_str_equal (kind, "console") ? name : NULL, expires);
  g_autofree char *url = g_strdup_printf ("/join.html?m=%" G_GINT64_FORMAT "#t=%s", meeting, token);

  json_object_set_string_member (o, "kind", kind);
  json_object_set_int_member (o, "ref", ref);
  json_object_set_string_member (o, "name", name);
  json_object_set_string_member (o, "role", kaigi_role_to_string (role));
  json_object_set_string_member (o, "token", token);
  json_object_set_string_member (o, "url", url);
  json_object_set_int_member (o, "expires", expires);
  json_array_add_object_element (links, o);
}

/* Links are valid for @hours from now, and at least until a day after the meeting. */
static gint64
link_expiry (const KaigiMeeting *m, gint64 hours)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC, at = now + hours * 3600;
  g_autoptr (GDateTime) when
      = m->scheduled_at ? g_date_time_new_from_iso8601 (m->scheduled_at, NULL) : NULL;

  if (when)
    at = MAX (at, g_date_time_to_unix (when) + 24 * 3600);
  return at;
}

void
kaigi_api_links (KaigiApi *api, KaigiHttpRequest *req, const gint64 *ids, const KaigiApiWho *who)
{
  g_autoptr (KaigiMeeting) m = load (api, req, ids[0]);
  g_autoptr (JsonNode) body = NULL;
  gint64 hours = LINK_HOURS_DEFAULT, expires;
  JsonArray *links;
  JsonObject *o;

  g_autoptr (GBytes) raw = kaigi_http_request_body (req);

  if (!m)
    return;
  if (g_bytes_get_size (raw) > 0 && !(body = kaigi_api_body_json (req)))
    return;
  if (body && JSON_NODE_HOLDS_OBJECT (body)
      && json_object_has_member (json_node_get_object (body), "hours")) {
    hours = json_object_get_int_member_with_default (json_node_get_object (body), "hours", 0);
    if (hours < 1 || hours > LINK_HOURS_MAX) {
      kaigi_api_reply_error (req, 400, "invalid", "hours: must be 1 to 720");
      return;
    }
  }
  expires = link_expiry (m, hours);
  links = json_array_new ();
  for (guint i = 0; i < m->roster->len; i++) {
    KaigiRosterEntry *e = g_ptr_array_index (m->roster, i);
    g_autofree char *ref = g_strdup_printf ("r%" G_GINT64_FORMAT, e->id);
    add_link (links, api, m->id, "roster", e->id, ref, e->name, e->role, expires);
  }
  for (guint i = 0; i < m->venues->len; i++) {
    KaigiVenue *v = g_ptr_array_index (m->venues, i);
    g_autofree char *ref = g_strdup_printf ("v%" G_GINT64_FORMAT, v->id);
    if (v->kind != KAIGI_VENUE_ONLINE)
      add_link (links, api, m->id, "venue", v->id, ref, v->name, KAIGI_ROLE_VENUE, expires);
  }
  g_autofree char *me = g_strdup_printf ("a%" G_GINT64_FORMAT, who->account);
  add_link (links, api, m->id, "console", who->account, me, who->name, KAIGI_ROLE_SECRETARIAT,
            expires);
  o = json_object_new ();
  json_object_set_array_member (o, "links", links);
  kaigi_api_reply_object (req, 200, o, NULL);
}

/* What anyone may know of a meeting (it is on the town's public notice): its name, date,
 * state, agenda and the current item; not the roster or materials. */
void
kaigi_api_public_meeting (KaigiApi *api, KaigiHttpRequest *req, const gint64 *ids,
                          const KaigiApiWho *who)
{
  g_autoptr (KaigiMeeting) m = load (api, req, ids[0]);
  JsonObject *o;
  JsonArray *agenda;

  if (!m)
    return;
  o = json_object_new ();
  json_object_set_int_member (o, "id", m->id);
  json_object_set_string_member (o, "body", m->body ? m->body : "");
  json_object_set_string_member (o, "title", m->title);
  json_object_set_string_member (o, "number", m->number ? m->number : "");
  json_object_set_string_member (o, "scheduled_at", m->scheduled_at ? m->scheduled_at : "");
  json_object_set_string_member (o, "state", kaigi_meeting_state_to_string (m->state));
  json_object_set_string_member (o, "visibility", m->closed ? "closed" : "public");
  if (m->current_item)
    json_object_set_int_member (o, "item", m->current_item);
  else
    json_object_set_null_member (o, "item");
  agenda = json_array_new ();
  for (guint i = 0; i < m->agenda->len; i++) {
    KaigiAgendaItem *it = g_ptr_array_index (m->agenda, i);
    JsonObject *a = json_object_new ();
    json_object_set_int_member (a, "id", it->id);
    json_object_set_string_member (a, "number", it->number);
    json_object_set_string_member (a, "title", it->title);
    json_array_add_object_element (agenda, a);
  }
  json_object_set_array_member (o, "agenda", agenda);
  kaigi_api_reply_object (req, 200, o, NULL);
}

void
kaigi_api_public_token (KaigiApi *api, KaigiHttpRequest *req, const gint64 *ids,
                        const KaigiApiWho *who)
{
  g_autoptr (KaigiMeeting) m = load (api, req, ids[0]);
  g_autofree char *token = NULL;
  JsonObject *o;

  if (!m)
    return;
  token = kaigi_auth_token_issue (api->ctx.auth, m->id, KAIGI_ROLE_VIEWER, "public", "傍聴",
                                  g_get_real_time () / G_USEC_PER_SEC + 2 * 3600);
  o = json_object_new ();
  json_object_set_string_member (o, "token", token);
  kaigi_api_reply_object (req, 200, o, NULL);
}

/* The public gallery page says it is open ({viewer: an id it made up, 8..64 of [A-Za-z0-9]}),
 * every 15 s. Only a live room counts (someone has joined): a request must not start one. */
/* GET /api/public/meetings/ID/captions?after=N: the live public captions after number N
 * (docs/meetings-api.md); nothing while the gate is shut or the meeting is not live. */
void
kaigi_api_public_captions (KaigiApi *api, KaigiHttpRequest *req, const gint64 *ids,
                           const KaigiApiWho *who)
{
  g_autoptr (KaigiMeeting) m = load (api, req, ids[0]);
  const char *after_s = kaigi_http_request_query (req, "after");
  guint64 after = 0;
  KaigiRoom *room;
  JsonObject *o;

  if (!m)
    return;
  if (after_s && !g_ascii_string_to_unsigned (after_s, 10, 0, G_MAXINT64, &after, NULL)) {
    kaigi_api_reply_error (req, 400, "invalid", "after: a caption number");
    return;
  }
  room = api->ctx.rooms ? kaigi_rooms_lookup (api->ctx.rooms, ids[0]) : NULL;
  if (room) {
    o = kaigi_room_public_captions (room, after);
  } else {
    o = json_object_new ();
    json_object_set_array_member (o, "captions", json_array_new ());
    json_object_set_int_member (o, "last", 0);
    json_object_set_boolean_member (o, "live", FALSE);
  }
  kaigi_api_reply_object (req, 200, o, NULL);
}

void
kaigi_api_public_view (KaigiApi *api, KaigiHttpRequest *req, const gint64 *ids,
                       const KaigiApiWho *who)
{
  g_autoptr (JsonNode) body = kaigi_api_body_json (req);
  KaigiRoom *room;
  const char *viewer;
  JsonObject *o;
  gsize n;

  if (!body)
    return;
  viewer = JSON_NODE_HOLDS_OBJECT (body) ? json_object_get_string_member_with_default (
               json_node_get_object (body), "viewer", NULL)
                                         : NULL;
  n = viewer ? strlen (viewer) : 0;
  if (n < 8 || n > 64
      || strspn (viewer, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                         "0123456789")
             != n) {
    kaigi_api_reply_error (req, 400, "invalid", "viewer: 8 to 64 letters and digits");
    return;
  }
  room = api->ctx.rooms ? kaigi_rooms_lookup (api->ctx.rooms, ids[0]) : NULL;
  o = json_object_new ();
  json_object_set_boolean_member (o, "live", room != NULL);
  json_object_set_int_member (o, "viewers", room ? kaigi_room_viewer_seen (room, viewer) : 0);
  kaigi_api_reply_object (req, 200, o, NULL);
}

/* A WHEP or WHIP offer on its way: answered with 201, the answer and the session's URL
 * (location, then the session's id without its prefix strip), or 422 with the code failed. */
typedef struct {
  KaigiApi *api;
  KaigiHttpRequest *req;
  char *location; /* owned */
  const char *strip, *failed;
} SdpRequest;

static SdpRequest *
sdp_request_new (KaigiApi *api, KaigiHttpRequest *req, char *location, const char *strip,
                 const char *failed)
{
  SdpRequest *sr = g_new0 (SdpRequest, 1);

  sr->api = api;
  sr->req = req;
  sr->location = location;
  sr->strip = strip;
  sr->failed = failed;
  return sr;
}

static void
sdp_request_free (SdpRequest *sr)
{
  g_free (sr->location);
  g_free (sr);
}

static void
sdp_replied (const char *session, const char *answer, const char *error, gpointer user)
{
  SdpRequest *sr = user;

  if (kaigi_api_task_end (sr->api, sr->req)) {
    if (answer) {
      g_autofree char *location = g_strconcat (
          sr->location,
          g_str_has_prefix (session, sr->strip) ? session + strlen (sr->strip) : session, NULL);
      const char *headers[] = { "location:", location, NULL };
      kaigi_http_request_reply (sr->req, 201, "application/sdp",
                                g_bytes_new (answer, strlen (answer)), headers);
    } else {
      kaigi_api_reply_error (sr->req, 422, sr->failed, error);
    }
  }
  sdp_request_free (sr);
}

/* The body of an offer sent as application/sdp, or NULL after a 415. */
static char *
sdp_offer_of (KaigiHttpRequest *req)
{
  g_autoptr (GBytes) body = kaigi_http_request_body (req);
  const char *type = kaigi_http_request_header (req, "content-type");

  if (!type || g_ascii_strncasecmp (type, "application/sdp", 15) != 0) {
    kaigi_api_reply_error (req, 415, "invalid", "send the offer as application/sdp");
    return NULL;
  }
  return g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
}

/* WHEP (draft-ietf-wish-whep, the playing side of WHIP): POST an SDP offer (application/sdp)
 * to /api/public/meetings/ID/whep, get 201 with the answer and the session's URL in Location;
 * DELETE that URL to stop. The answer holds all of the server's candidates: no trickle (PATCH
 * is not offered). */
void
kaigi_api_whep_offer (KaigiApi *api, KaigiHttpRequest *req, const gint64 *ids,
                      const KaigiApiWho *who)
{
  g_autofree char *offer = NULL;
  g_autoptr (GError) error = NULL;
  KaigiRoom *room = api->ctx.rooms ? kaigi_rooms_lookup (api->ctx.rooms, ids[0]) : NULL;
  SdpRequest *sr;

  if (!(offer = sdp_offer_of (req)))
    return;
  if (!room) {
    kaigi_api_reply_error (req, 404, "not-live",
                           "this meeting is not live: nobody has joined it yet");
    return;
  }
  sr = sdp_request_new (api, req,
                        g_strdup_printf ("/api/public/meetings/%" G_GINT64_FORMAT "/whep/", ids[0]),
                        "", "whep-failed");
  kaigi_api_task_begin (api);
  if (!kaigi_room_whep_offer (room, offer, sdp_replied, sr, &error)) {
    kaigi_api_task_end (api, req);
    sdp_request_free (sr);
    kaigi_api_reply_error (req,
                           g_error_matches (error, KAIGI_ERROR, KAIGI_ERROR_FULL)        ? 503
                           : g_error_matches (error, KAIGI_ERROR, KAIGI_ERROR_NOT_FOUND) ? 404
                                                                                         : 400,
                           "whep-refused", error->message);
  }
}

void
kaigi_api_whep_delete (KaigiApi *api, KaigiHttpRequest *req, const gint64 *ids,
                       const KaigiApiWho *who)
{
  KaigiRoom *room = api->ctx.rooms ? kaigi_rooms_lookup (api->ctx.rooms, ids[0]) : NULL;
  g_autofree char *session = g_strdup_printf ("%" G_GINT64_FORMAT, ids[1]);

  if (!room || !kaigi_room_whep_close (room, session)) {
    kaigi_api_reply_error (req, 404, "not-found", "no such WHEP session");
    return;
  }
  kaigi_http_request_reply (req, 204, "application/json", NULL, NULL);
}

/* WHIP (RFC 9725): a venue's encoder (OBS, a hardware encoder) POSTs its SDP offer
 * (application/sdp) to /api/meetings/ID/whip with "Authorization: Bearer <the venue's join
 * token>", gets 201 with the answer (every server candidate in it: no trickle, PATCH is not
 * offered) and the session's URL in Location; DELETE that URL, with the same token, to stop.
 * The ingest joins the meeting as the venue's camera and room mics (room.h). */

/* The venue's join token of "Authorization: Bearer ..." for @meeting, or NULL after a 401. */
static KaigiToken *
whip_token (KaigiApi *api, KaigiHttpRequest *req, gint64 meeting)
{
  const char *auth = kaigi_http_request_header (req, "authorization");
  g_autoptr (GError) error = NULL;
  const char *code = NULL;
  KaigiToken *t;

  if (!auth || g_ascii_strncasecmp (auth, "Bearer ", 7) != 0) {
    kaigi_api_reply_error (req, 401, "unauthorized",
                           "send the venue's join token as \"Authorization: Bearer <token>\"");
    return NULL;
  }
  t = kaigi_auth_token_verify (api->ctx.auth, auth + 7, meeting,
                               g_get_real_time () / G_USEC_PER_SEC, &code, &error);
  if (!t)
    kaigi_api_reply_error (req, 401, code, error->message);
  return t;
}

void
kaigi_api_whip_offer (KaigiApi *api, KaigiHttpRequest *req, const gint64 *ids,
                      const KaigiApiWho *who)
{
  g_autofree char *offer = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (KaigiToken) t = NULL;
  KaigiJoinRequest jr = { 0 };
  KaigiRoom *room;
  SdpRequest *sr;

  if (!(t = whip_token (api, req, ids[0])) || !(offer = sdp_offer_of (req)))
    return;
  if (!api->ctx.rooms || !(room = kaigi_rooms_get (api->ctx.rooms, ids[0], &error))) {
    kaigi_api_reply_error (req, 404, "not-found", "no such meeting");
    return;
  }
  /* The session is the ingest's participant ("p7"): its URL names the number. */
  sr = sdp_request_new (api, req,
                        g_strdup_printf ("/api/meetings/%" G_GINT64_FORMAT "/whip/", ids[0]), "p",
                        "whip-failed");
  jr.ref = t->participant;
  jr.role = t->role;
  jr.name = t->name;
  jr.whip_offer = offer;
  jr.whip_answered = sdp_replied;
  jr.whip_user = sr;
  kaigi_api_task_begin (api);
  if (!kaigi_room_whip_offer (room, &jr, &error)) {
    kaigi_api_task_end (api, req);
    sdp_request_free (sr);
    kaigi_api_reply_error (req,
                           g_error_matches (error, KAIGI_ERROR, KAIGI_ERROR_FORBIDDEN) ? 403
                           : g_error_matches (error, KAIGI_ERROR, KAIGI_ERROR_FULL)    ? 503
                           : g_error_matches (error, KAIGI_ERROR, KAIGI_ERROR_STATE)   ? 409
                                                                                       : 400,
                           "whip-refused", error->message);
  }
}

void
kaigi_api_whip_delete (KaigiApi *api, KaigiHttpRequest *req, const gint64 *ids,
                       const KaigiApiWho *who)
{
  g_autoptr (KaigiToken) t = NULL;
  KaigiRoom *room = api->ctx.rooms ? kaigi_rooms_lookup (api->ctx.rooms, ids[0]) : NULL;
  g_autofree char *session = g_strdup_printf ("p%" G_GINT64_FORMAT, ids[1]);

  if (!(t = whip_token (api, req, ids[0])))
    return;
  if (!room || !kaigi_room_whip_close (room, session, t->participant)) {
    kaigi_api_reply_error (req, 404, "not-found", "no such WHIP session of this venue");
    return;
  }
  kaigi_http_request_reply (req, 204, "application/json", NULL, NULL);
}

/* ---- attendance, timeline, decisions ---- */

/* @error is read only after @n has been computed. */
static void
reply_node (KaigiHttpRequest *req, JsonNode *n, GError **error)
{
  if (!n)
    kaigi_api_reply_gerror (req, *error);
  else
    kaigi_api_reply_json (req, 200, n);
  g_clear_error (error);
}

void
kaigi_api_attendance_get (KaigiApi *api, KaigiHttpRequest *req, const gint64 *ids,
                          const KaigiApiWho *who)
{
  GError *error = NULL;

  reply_node (req, kaigi_store_attendance_json (api->ctx.store, ids[0], &error), &error);
}

void
kaigi_api_timeline_get (KaigiApi *api, KaigiHttpRequest *req, const gint64 *ids,
                        const KaigiApiWho *who)
{
  GError *error = NULL;

  if (api->ctx.timeline)
    kaigi_timeline_flush (api->ctx.timeline);
  reply_node (req, kaigi_store_timeline_json (api->ctx.store, ids[0], &error), &error);
}

void
kaigi_api_decisions_get (KaigiApi *api, KaigiHttpRequest *req, const gint64 *ids,
                         const KaigiApiWho *who)
{
  GError *error = NULL;
  JsonNode *list = kaigi_store_decisions_json (api->ctx.store, ids[0], &error);
  JsonObject *o;

  if (!list) {
    reply_node (req, NULL, &error);
    return;
  }
  o = json_object_new ();
  json_object_set_member (o, "decisions", list);
  kaigi_api_reply_object (req, 200, o, NULL);
}

void
kaigi_api_attendance_put (KaigiApi *api, KaigiHttpRequest *req, const gint64 *ids,
                          const KaigiApiWho *who)
{
  g_autoptr (JsonNode) body = kaigi_api_body_json (req);
  g_autoptr (GError) error = NULL;
  g_autoptr (KaigiMeeting) m = NULL;
  KaigiRoom *room;
  JsonNode *v;

  if (!body)
    return;
  v = JSON_NODE_HOLDS_OBJECT (body)
          ? json_object_get_member (json_node_get_object (body), "in_room")
          : NULL;
  if (!v || !JSON_NODE_HOLDS_VALUE (v) || json_node_get_value_type (v) != G_TYPE_BOOLEAN) {
    kaigi_api_reply_error (req, 400, "invalid", "in_room: must be true or false");
    return;
  }
  if (!(m = load (api, req, ids[0])))
    return;
  if (!kaigi_meeting_find_roster (m, ids[1])) {
    kaigi_api_reply_error (req, 404, "not-found", "no such person on this meeting's roster");
    return;
  }
  if (!kaigi_store_roster_set_in_room (api->ctx.store, ids[0], ids[1], json_node_get_boolean (v),
                                       &error)) {
    kaigi_api_reply_gerror (req, error);
    return;
  }
  if ((room = kaigi_rooms_lookup (api->ctx.rooms, ids[0])))
    kaigi_room_mark_in_room (room, NULL, ids[1], json_node_get_boolean (v), NULL);
  else if (api->ctx.timeline) {
    g_autofree char *ref = g_strdup_printf ("r%" G_GINT64_FORMAT, ids[1]);
    kaigi_timeline_append (api->ctx.timeline, ids[0], "attendance", ref,
                           json_node_get_boolean (v) ? "{\"in_room\":true}"
                                                     : "{\"in_room\":false}");
  }
  kaigi_api_attendance_get (api, req, ids, who);
}
