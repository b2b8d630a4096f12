/* api-review.c: the minutes as members and the public get them (docs/meetings-api.md,
 * "Minutes"): a member's review of the draft with their join token, the audio clip of a
 * statement, and the exports (the secretariat's any time; the public copy once published).
 *
 * Who: a member proves who they are with the join token the secretariat sent them (?t= or
 * Authorization: Bearer), the same one that joins the meeting; only roster tokens ("r<ID>")
 * review, and only the speaker confirms a statement (the store checks it too). The public
 * gets the public copy (closed sessions and retracted remarks left out) and only once the
 * minutes are published. Exports are made on the main loop: a record is a few hundred
 * statements, written in milliseconds; clip files are read on a worker (api-files.c).
 * Thread: main loop only. */
#include "api-private.h"

#include <string.h>

#include "export.h"
#include "kaigi-error.h"
#include "record.h"

/* ---- the member's token ---- */

/* The roster id of the member whose join token of @meeting the request carries; 0 after
 * answering 401 (no token, forged, expired, another meeting) or 403 (not a roster entry). */
static gint64
member_of (KaigiApi *api, KaigiHttpRequest *req, gint64 meeting)
{
  const char *auth = kaigi_http_request_header (req, "authorization");
  const char *token = kaigi_http_request_query (req, "t");
  const char *code = "token-invalid";
  g_autoptr (KaigiToken) t = NULL;
  g_autoptr (KaigiMeeting) m = NULL;
  gint64 roster = 0;

  if (!token && auth && g_str_has_prefix (auth, "Bearer "))
    token = auth + 7;
  if (token)
    t = kaigi_auth_token_verify (api->ctx.auth, token, meeting, g_get_real_time () / G_USEC_PER_SEC,
                                 &code, NULL);
  if (!t) {
    kaigi_api_reply_error (req, 401, token ? code : "unauthorized",
                           "open the minutes with your own join link");
    return 0;
  }
  if (t->participant[0] == 'r')
    roster = g_ascii_strtoll (t->participant + 1, NULL, 10);
  m = roster > 0 ? kaigi_store_meeting_load (api->ctx.store, meeting, NULL) : NULL;
  if (!m || !kaigi_meeting_find_roster (m, roster)) {
    kaigi_api_reply_error (req, 403, "forbidden",
                           "only the people on the meeting's roster review its minutes");
    return 0;
  }
  return roster;
}

/* TRUE if the draft of @meeting is in review; else answers 409 (`not-in-review` or
 * `published`) and returns FALSE. */
static gboolean
require_review (KaigiApi *api, KaigiHttpRequest *req, gint64 meeting)
{
  g_autoptr (GError) error = NULL;
  KaigiDraftState state;

  if (!kaigi_store_draft_get (api->ctx.store, meeting, &state, NULL, NULL, &error)) {
    kaigi_api_reply_gerror (req, error);
    return FALSE;
  }
  if (state == KAIGI_DRAFT_REVIEW)
    return TRUE;
  if (state == KAIGI_DRAFT_PUBLISHED)
    kaigi_api_reply_error (req, 409, "published", "the minutes are published");
  else
    kaigi_api_reply_error (req, 409, "not-in-review",
                           "the secretariat has not yet sent the minutes for review");
  return FALSE;
}

void
kaigi_api_review_get (KaigiApi *api, KaigiHttpRequest *req, const gint64 *ids,
                      const KaigiApiWho *who)
{
  g_autoptr (GError) error = NULL;
  gint64 roster = member_of (api, req, ids[0]);
  JsonObject *o;

  if (!roster || !require_review (api, req, ids[0]))
    return;
  if (!(o = kaigi_api_minutes_document (api, ids[0], &error))) {
    kaigi_api_reply_gerror (req, error);
    return;
  }
  json_object_set_int_member (o, "you", roster);
  kaigi_api_reply_object (req, 200, o, NULL);
}

void
kaigi_api_review_confirm (KaigiApi *api, KaigiHttpRequest *req, const gint64 *ids,
                          const KaigiApiWho *who)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) list = NULL;
  g_autoptr (KaigiUtterance) u = NULL;
  gint64 roster = member_of (api, req, ids[0]);
  guint i;

  if (!roster || !require_review (api, req, ids[0])
      || !(list = kaigi_api_minutes_find (api, req, ids[0], ids[1], &i)))
    return;
  if (!kaigi_store_utterance_confirm (api->ctx.store, ids[1], roster, &error)) {
    if (g_error_matches (error, KAIGI_ERROR, KAIGI_ERROR_FORBIDDEN))
      kaigi_api_reply_error (req, 403, "forbidden", "you can confirm only your own statements");
    else
      kaigi_api_minutes_error (api, req, ids[0], error);
    return;
  }
  if (!(u = kaigi_store_utterance_get (api->ctx.store, ids[1], &error)))
    kaigi_api_reply_gerror (req, error);
  else
    kaigi_api_reply_object (req, 200, kaigi_api_utterance_json (api, ids[0], u), NULL);
}

/* ---- clips ---- */

/* The secretariat hears every statement; a member (join token) only their own. */
void
kaigi_api_minutes_clip (KaigiApi *api, KaigiHttpRequest *req, const gint64 *ids,
                        const KaigiApiWho *who)
{
  g_autoptr (GPtrArray) list = NULL;
  g_autofree char *path = NULL, *name = NULL;
  KaigiMaterial clip = { 0 };
  KaigiUtterance *u;
  gint64 roster = 0;
  guint i;

  if (!who->account && !(roster = member_of (api, req, ids[0])))
    return;
  if (!(list = kaigi_api_minutes_find (api, req, ids[0], ids[1], &i)))
    return;
  u = list->pdata[i];
  if (roster && u->speaker != roster) {
    kaigi_api_reply_error (req, 403, "forbidden", "you can hear only your own statements");
    return;
  }
  path = kaigi_rooms_clip_path (api->ctx.data_dir, ids[0], ids[1]);
  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR)) {
    kaigi_api_reply_error (req, 404, "not-found", "this statement has no audio clip");
    return;
  }
  name = g_strdup_printf ("%" G_GINT64_FORMAT ".wav", ids[1]);
  clip.id = ids[1], clip.name = name, clip.content_type = (char *)"audio/wav";
  kaigi_api_file_send (api, req, path, &clip); /* answers when read */
}

/* ---- exports ---- */

static void
reply_export (KaigiApi *api, KaigiHttpRequest *req, gint64 meeting, gboolean public_copy)
{
  const char *format = kaigi_http_request_query (req, "format");
  const char *lang = kaigi_http_request_query (req, "lang");
  const KaigiExporter *ex = kaigi_exporter_find (format ? format : "text");
  g_autoptr (GError) error = NULL;
  g_autoptr (KaigiRecord) r = NULL;
  g_autofree char *disposition = NULL;
  GBytes *bytes;

  if (!ex) {
    kaigi_api_reply_error (req, 400, "invalid",
                           "format: must be one of text, md, fodt, docx, vtt, srt, json");
    return;
  }
  if (lang && !g_str_equal (lang, "ja") && !g_str_equal (lang, "en")) {
    kaigi_api_reply_error (req, 400, "invalid", "lang: must be ja or en");
    return;
  }
  if (!(r = kaigi_record_load (api->ctx.store, meeting, public_copy, &error))
      || !(bytes = kaigi_export (r, ex->name, lang ? lang : "ja", &error))) {
    kaigi_api_reply_gerror (req, error);
    return;
  }
  disposition = g_strdup_printf ("attachment; filename=\"minutes-%" G_GINT64_FORMAT "%s.%s\"",
                                 meeting, public_copy ? "-public" : "", ex->extension);
  const char *headers[] = { "content-disposition:", disposition, NULL };
  kaigi_http_request_reply (req, 200, ex->content_type, bytes, headers);
}

/* ?format=text|md|fodt|docx|vtt|srt|json&lang=ja|en&public=1 */
void
kaigi_api_minutes_export (KaigiApi *api, KaigiHttpRequest *req, const gint64 *ids,
                          const KaigiApiWho *who)
{
  const char *pub = kaigi_http_request_query (req, "public");

  reply_export (api, req, ids[0], pub && (g_str_equal (pub, "1") || g_str_equal (pub, "true")));
}

/* Anyone, once published: always the public copy. */
void
kaigi_api_public_minutes (KaigiApi *api, KaigiHttpRequest *req, const gint64 *ids,
                          const KaigiApiWho *who)
{
  g_autoptr (GError) error = NULL;
  KaigiDraftState state;

  if (!kaigi_store_draft_get (api->ctx.store, ids[0], &state, NULL, NULL, &error)) {
    kaigi_api_reply_gerror (req, error);
    return;
  }
  if (state != KAIGI_DRAFT_PUBLISHED) {
    kaigi_api_reply_error (req, 404, "not-published", "these minutes are not published yet");
    return;
  }
  reply_export (api, req, ids[0], TRUE);
}
