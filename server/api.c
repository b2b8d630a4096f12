/* api.c: the REST API's router, sign-in and status.
 *
 * Routes are a table of method + path pattern ("#" matches a positive number) + handler +
 * whether a signed-in secretariat is needed (docs/meetings-api.md). Sign-in checks the
 * Argon2id hash on a worker thread (about 0.1 s of CPU and 64 MiB on purpose) and answers on
 * the main loop; everything else answers at once from SQLite (small indexed statements on
 * the main loop's own connection).
 * Cross-site requests: session cookies are SameSite=Strict, and every POST must carry a JSON
 * (or, for uploads, a non-form) content type, which a foreign page cannot send without a CORS
 * preflight that we never allow; PUT and DELETE always need that preflight.
 * Thread: main loop, except check_password_thread (a GTask worker). */
#include "api-private.h"

#include <gst/gst.h>
#include <string.h>

#include "kaigi-error.h"

GST_DEBUG_CATEGORY_STATIC (kaigi_api_debug);
#define GST_CAT_DEFAULT kaigi_api_debug

#define MAX_IDS 3
#define SESSION_COOKIE "kaigi_session"

static void api_login (KaigiApi *, KaigiHttpRequest *, const gint64 *, const KaigiApiWho *);
static void api_logout (KaigiApi *, KaigiHttpRequest *, const gint64 *, const KaigiApiWho *);
static void api_me (KaigiApi *, KaigiHttpRequest *, const gint64 *, const KaigiApiWho *);
static void api_status (KaigiApi *, KaigiHttpRequest *, const gint64 *, const KaigiApiWho *);

static const struct {
  const char *method;
  const char *pattern;
  KaigiApiHandler handle;
  gboolean signed_in;
} routes[] = {
  { "POST", "/api/login", api_login, FALSE },
  { "POST", "/api/logout", api_logout, FALSE },
  { "GET", "/api/me", api_me, TRUE },
  { "GET", "/api/status", api_status, FALSE },
  { "GET", "/api/meetings", kaigi_api_meetings_list, TRUE },
  { "POST", "/api/meetings", kaigi_api_meetings_create, TRUE },
  { "GET", "/api/meetings/#", kaigi_api_meeting_get, TRUE },
  { "PUT", "/api/meetings/#", kaigi_api_meeting_put, TRUE },
  { "DELETE", "/api/meetings/#", kaigi_api_meeting_delete, TRUE },
  { "POST", "/api/meetings/#/agenda/#/materials", kaigi_api_material_upload, TRUE },
  { "GET", "/api/materials/#", kaigi_api_material_get, FALSE }, /* session or ?t= token */
  { "DELETE", "/api/materials/#", kaigi_api_material_delete, TRUE },
  { "POST", "/api/meetings/#/links", kaigi_api_links, TRUE },
  { "GET", "/api/meetings/#/attendance", kaigi_api_attendance_get, TRUE },
  { "PUT", "/api/meetings/#/attendance/#", kaigi_api_attendance_put, TRUE },
  { "GET", "/api/meetings/#/timeline", kaigi_api_timeline_get, TRUE },
  { "GET", "/api/meetings/#/decisions", kaigi_api_decisions_get, TRUE },
  { "GET", "/api/meetings/#/minutes", kaigi_api_minutes_get, TRUE },
  { "GET", "/api/meetings/#/minutes/utterances/#/history", kaigi_api_minutes_history, TRUE },
  { "PATCH", "/api/meetings/#/minutes/utterances/#", kaigi_api_minutes_patch, TRUE },
  { "POST", "/api/meetings/#/minutes/utterances/#/merge", kaigi_api_minutes_merge, TRUE },
  { "POST", "/api/meetings/#/minutes/utterances/#/split", kaigi_api_minutes_split, TRUE },
  { "POST", "/api/meetings/#/minutes/utterances/#/retract", kaigi_api_minutes_retract, TRUE },
  { "POST", "/api/meetings/#/minutes/fillers", kaigi_api_minutes_fillers, TRUE },
  { "POST", "/api/meetings/#/minutes/state", kaigi_api_minutes_state, TRUE },
  { "GET", "/api/meetings/#/minutes/export", kaigi_api_minutes_export, TRUE },
  { "GET", "/api/meetings/#/minutes/clips/#", kaigi_api_minutes_clip, FALSE }, /* or token */
  { "GET", "/api/meetings/#/review", kaigi_api_review_get, FALSE },            /* join token */
  { "POST", "/api/meetings/#/review/utterances/#/confirm", kaigi_api_review_confirm, FALSE },
  { "GET", "/api/public/meetings/#/minutes", kaigi_api_public_minutes, FALSE },
  { "GET", "/api/public/meetings/#", kaigi_api_public_meeting, FALSE },
  { "POST", "/api/public/meetings/#/token", kaigi_api_public_token, FALSE },
  { "POST", "/api/public/meetings/#/view", kaigi_api_public_view, FALSE },
  { "GET", "/api/public/meetings/#/captions", kaigi_api_public_captions, FALSE },
  { "POST", "/api/public/meetings/#/whep", kaigi_api_whep_offer, FALSE },
  { "DELETE", "/api/public/meetings/#/whep/#", kaigi_api_whep_delete, FALSE },
  { "POST", "/api/meetings/#/whip", kaigi_api_whip_offer, FALSE },      /* venue token */
  { "DELETE", "/api/meetings/#/whip/#", kaigi_api_whip_delete, FALSE }, /* venue token */
  { "GET", "/api/public/meetings/#/archive", kaigi_api_archive_get, FALSE },
  { "GET", "/api/public/meetings/#/archive.m3u8", kaigi_api_archive_playlist, FALSE },
  { "GET", "/api/public/meetings/#/archive.vtt", kaigi_api_archive_captions, FALSE },
  { "GET", "/api/public/meetings/#/archive/#/#", kaigi_api_archive_segment, FALSE },
};

KaigiApi *
kaigi_api_new (const KaigiApiContext *ctx)
{
  KaigiApi *api = g_new0 (KaigiApi, 1);

  GST_DEBUG_CATEGORY_INIT (kaigi_api_debug, "kaigi-api", 0, "kaigi REST API");
  api->ctx = *ctx;
  api->data_dir = g_strdup (ctx->data_dir);
  api->ctx.data_dir = api->data_dir;
  return api;
}

void
kaigi_api_free (KaigiApi *api)
{
  if (!api)
    return;
  if (api->pending) {
    /* Sign-ins still hashing hold a pointer to us: let them find a stopped API. */
    api->stopping = TRUE;
    return;
  }
  g_free (api->data_dir);
  g_free (api);
}

/* ---- work on worker threads ---- */

void
kaigi_api_task_begin (KaigiApi *api)
{
  api->pending++;
}

gboolean
kaigi_api_task_end (KaigiApi *api, KaigiHttpRequest *req)
{
  api->pending--;
  if (!api->stopping)
    return TRUE;
  kaigi_http_request_reply (req, 503, "application/json", NULL, NULL);
  if (!api->pending)
    kaigi_api_free (api);
  return FALSE;
}

/* ---- answers ---- */

void
kaigi_api_reply_json (KaigiHttpRequest *req, guint status, JsonNode *node)
{
  char *text = json_to_string (node, FALSE);

  json_node_unref (node);
  kaigi_http_request_reply (req, status, "application/json", g_bytes_new_take (text, strlen (text)),
                            NULL);
}

void
kaigi_api_reply_object (KaigiHttpRequest *req, guint status, JsonObject *o,
                        const char *const *headers)
{
  g_autoptr (JsonNode) n = json_node_new (JSON_NODE_OBJECT);
  char *text;

  json_node_take_object (n, o);
  text = json_to_string (n, FALSE);
  kaigi_http_request_reply (req, status, "application/json", g_bytes_new_take (text, strlen (text)),
                            headers);
}

void
kaigi_api_reply_error (KaigiHttpRequest *req, guint status, const char *code, const char *message)
{
  JsonObject *inner = json_object_new (), *outer = json_object_new ();

  json_object_set_string_member (inner, "code", code);
  json_object_set_string_member (inner, "message", message);
  json_object_set_object_member (outer, "error", inner);
  kaigi_api_reply_object (req, status, outer, NULL);
}

void
kaigi_api_reply_gerror (KaigiHttpRequest *req, const GError *error)
{
  static const struct {
    int code;
    guint status;
    const char *name;
  } map[] = {
    { KAIGI_ERROR_INVALID, 400, "invalid" },       { KAIGI_ERROR_NOT_FOUND, 404, "not-found" },
    { KAIGI_ERROR_STATE, 409, "meeting-started" }, { KAIGI_ERROR_AUTH, 401, "unauthorized" },
    { KAIGI_ERROR_FORBIDDEN, 403, "forbidden" },
  };

  for (guint i = 0; error->domain == KAIGI_ERROR && i < G_N_ELEMENTS (map); i++) {
    if (map[i].code == error->code) {
      kaigi_api_reply_error (req, map[i].status, map[i].name, error->message);
      return;
    }
  }
  GST_WARNING ("%s %s: %s", kaigi_http_request_method (req), kaigi_http_request_path (req),
               error->message);
  kaigi_api_reply_error (req, 500, "internal", error->message);
}

JsonNode *
kaigi_api_body_json (KaigiHttpRequest *req)
{
  g_autoptr (GBytes) body = kaigi_http_request_body (req);
  g_autoptr (JsonParser) p = json_parser_new_immutable ();
  gsize len;
  const char *data = g_bytes_get_data (body, &len);

  if (!data || !g_utf8_validate (data, len, NULL)
      || !json_parser_load_from_data (p, data, len, NULL)) {
    kaigi_api_reply_error (req, 400, "bad-json", "the body is not valid JSON");
    return NULL;
  }
  return json_node_ref (json_parser_get_root (p));
}

/* ---- routing ---- */

/* Matches @path against @pattern, collecting the numbers at "#". */
static gboolean
match (const char *pattern, const char *path, gint64 *ids)
{
  g_auto (GStrv) ps = g_strsplit (pattern, "/", -1), xs = g_strsplit (path, "/", -1);
  guint n = 0;

  if (g_strv_length (ps) != g_strv_length (xs))
    return FALSE;
  for (guint i = 0; ps[i]; i++) {
    if (g_str_equal (ps[i], "#")) {
      char *end = NULL;
      gint64 v = g_ascii_strtoll (xs[i], &end, 10);
      if (!xs[i][0] || *end || v <= 0 || n >= MAX_IDS)
        return FALSE;
      ids[n++] = v;
    } else if (!g_str_equal (ps[i], xs[i])) {
      return FALSE;
    }
  }
  return TRUE;
}

static char *
session_id (KaigiHttpRequest *req)
{
  const char *auth = kaigi_http_request_header (req, "authorization");
  const char *cookie = kaigi_http_request_header (req, "cookie");

  if (auth && g_str_has_prefix (auth, "Bearer "))
    return g_strdup (auth + 7);
  if (cookie) {
    g_auto (GStrv) parts = g_strsplit (cookie, ";", -1);
    for (guint i = 0; parts[i]; i++) {
      char *p = g_strstrip (parts[i]);
      if (g_str_has_prefix (p, SESSION_COOKIE "="))
        return g_strdup (p + strlen (SESSION_COOKIE "="));
    }
  }
  return NULL;
}

/* A POST must have a content type no plain HTML form can send. (Forms cannot send PUT or
 * DELETE, and a foreign page's fetch of those needs a CORS preflight we never allow.) */
static gboolean
content_type_ok (KaigiHttpRequest *req, const char *method)
{
  const char *t = kaigi_http_request_header (req, "content-type");

  if (!g_str_equal (method, "POST"))
    return TRUE;
  if (!t)
    return FALSE;
  return !g_str_has_prefix (t, "text/plain") && !g_str_has_prefix (t, "multipart/form-data")
         && !g_str_has_prefix (t, "application/x-www-form-urlencoded");
}

void
kaigi_api_handle (KaigiHttpRequest *req, gpointer user_data)
{
  KaigiApi *api = user_data;
  const char *method = kaigi_http_request_method (req);
  g_autofree char *path = g_strdup (kaigi_http_request_path (req));
  g_autofree char *sid = session_id (req);
  KaigiApiWho who = { 0 };
  gint64 ids[MAX_IDS] = { 0 };
  gboolean path_known = FALSE;

  if (strlen (path) > 1 && g_str_has_suffix (path, "/"))
    path[strlen (path) - 1] = '\0';
  kaigi_auth_session_lookup (api->ctx.auth, sid, &who.account, &who.name);
  for (guint i = 0; i < G_N_ELEMENTS (routes); i++) {
    if (!match (routes[i].pattern, path, ids))
      continue;
    path_known = TRUE;
    if (!g_str_equal (routes[i].method, method))
      continue;
    if (routes[i].signed_in && !who.account) {
      kaigi_api_reply_error (req, 401, "unauthorized", "sign in first");
      return;
    }
    if (!content_type_ok (req, method)) {
      kaigi_api_reply_error (req, 415, "bad-content-type",
                             "send the body as application/json (or the file's own type)");
      return;
    }
    routes[i].handle (api, req, ids, &who);
    return;
  }
  if (path_known)
    kaigi_api_reply_error (req, 405, "bad-method", "this method is not allowed here");
  else
    kaigi_api_reply_error (req, 404, "not-found", "no such API path");
}

/* ---- status ---- */

static void
api_status (KaigiApi *api, KaigiHttpRequest *req, const gint64 *ids, const KaigiApiWho *who)
{
  char *text = kaigi_rooms_status_json (api->ctx.rooms);

  kaigi_http_request_reply (req, 200, "application/json", g_bytes_new_take (text, strlen (text)),
                            NULL);
}

/* ---- sign-in ---- */

gboolean
kaigi_api_account_name_ok (const char *name)
{
  gsize n = name ? strlen (name) : 0;

  if (n < 1 || n > 64)
    return FALSE;
  for (gsize i = 0; i < n; i++)
    if (!g_ascii_isalnum (name[i]) && !strchr ("._-", name[i]))
      return FALSE;
  return TRUE;
}

typedef struct {
  KaigiApi *api;         /* not owned; checked for stopping */
  KaigiHttpRequest *req; /* answered exactly once */
  char *name, *password, *hash;
  gint64 account;
  gboolean ok;
} Login;

static void
login_free (Login *l)
{
  g_free (l->name);
  if (l->password)
    memset (l->password, 0, strlen (l->password));
  g_free (l->password);
  g_free (l->hash);
  g_free (l);
}

/* Worker thread: only the Login's own strings are touched. */
static void
check_password_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancel)
{
  Login *l = data;

  l->ok = kaigi_auth_password_check (l->hash, l->password);
  g_task_return_boolean (task, TRUE);
}

/* {"account": {id, name}}: the answer to a sign-in and to GET /api/me. */
static JsonObject *
account_object (gint64 id, const char *name)
{
  JsonObject *o = json_object_new (), *acct = json_object_new ();

  json_object_set_int_member (acct, "id", id);
  json_object_set_string_member (acct, "name", name);
  json_object_set_object_member (o, "account", acct);
  return o;
}

/* Main loop: the check is done. */
static void
on_password_checked (GObject *source, GAsyncResult *res, gpointer user_data)
{
  Login *l = g_task_get_task_data (G_TASK (res));
  KaigiApi *api = l->api;
  JsonObject *o;

  if (!kaigi_api_task_end (api, l->req))
    return;
  if (!l->ok) {
    GST_INFO ("sign-in refused for '%s' from %s", l->name, kaigi_http_request_peer (l->req));
    kaigi_api_reply_error (l->req, 401, "bad-login", "the name or the password is wrong");
    return;
  }
  g_autofree char *sid = kaigi_auth_session_new (api->ctx.auth, l->account, l->name);
  g_autofree char *cookie
      = g_strdup_printf (SESSION_COOKIE "=%s; HttpOnly; SameSite=Strict; Path=/", sid);
  const char *headers[] = { "set-cookie:", cookie, NULL };
  o = account_object (l->account, l->name);
  json_object_set_string_member (o, "session", sid);
  GST_INFO ("'%s' signed in from %s", l->name, kaigi_http_request_peer (l->req));
  kaigi_api_reply_object (l->req, 200, o, headers);
}

/* A fixed hash to check against when the account does not exist, so that a wrong name costs
 * as long as a wrong password and names cannot be probed by timing. */
static const char *
dummy_hash (void)
{
  static char *hash;

  if (!hash)
    hash = kaigi_auth_password_hash ("kaigi-no-such-account", NULL);
  return hash;
}

static void
api_login (KaigiApi *api, KaigiHttpRequest *req, const gint64 *ids, const KaigiApiWho *who)
{
  g_autoptr (JsonNode) body = kaigi_api_body_json (req);
  g_autoptr (GTask) task = NULL;
  JsonObject *o;
  Login *l;
  const char *name, *password;

  if (!body)
    return;
  o = JSON_NODE_HOLDS_OBJECT (body) ? json_node_get_object (body) : NULL;
  name = o ? json_object_get_string_member_with_default (o, "name", NULL) : NULL;
  password = o ? json_object_get_string_member_with_default (o, "password", NULL) : NULL;
  if (!name || !password || strlen (password) > 256) {
    kaigi_api_reply_error (req, 400, "invalid", "give 'name' and 'password'");
    return;
  }
  l = g_new0 (Login, 1);
  l->api = api;
  l->req = req;
  l->name = g_strdup (name);
  l->password = g_strdup (password);
  l->hash = kaigi_api_account_name_ok (name)
                ? kaigi_store_account_hash (api->ctx.store, name, &l->account)
                : NULL;
  if (!l->hash)
    l->hash = g_strdup (dummy_hash ());
  kaigi_api_task_begin (api);
  task = g_task_new (NULL, NULL, on_password_checked, NULL);
  g_task_set_task_data (task, l, (GDestroyNotify)login_free);
  if (!l->account)
    l->password[0] = '\0'; /* never matches the dummy */
  g_task_run_in_thread (task, check_password_thread);
}

static void
api_logout (KaigiApi *api, KaigiHttpRequest *req, const gint64 *ids, const KaigiApiWho *who)
{
  g_autofree char *sid = session_id (req);
  const char *headers[]
      = { "set-cookie:", SESSION_COOKIE "=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0", NULL };

  kaigi_auth_session_end (api->ctx.auth, sid);
  kaigi_http_request_reply (req, 204, "application/json", NULL, headers);
}

static void
api_me (KaigiApi *api, KaigiHttpRequest *req, const gint64 *ids, const KaigiApiWho *who)
{
  kaigi_api_reply_object (req, 200, account_object (who->account, who->name), NULL);
}
