/* api-private.h: shared by api.c (routing, sign-in, status) and the route files api-*.c
 * (meetings, files, archive, minutes, review, clips). Not for other files. Main thread only. */
#pragma once

#include <json-glib/json-glib.h>

#include "api.h"

struct _KaigiApi {
  KaigiApiContext ctx;
  char *data_dir;    /* owned copy */
  gboolean stopping; /* set by kaigi_api_free; late worker answers are dropped */
  guint pending;     /* worker tasks not yet answered */
};

typedef struct {
  gint64 account; /* 0 if not signed in */
  const char *name;
} KaigiApiWho;

typedef void (*KaigiApiHandler) (KaigiApi *api, KaigiHttpRequest *req, const gint64 *ids,
                                 const KaigiApiWho *who);

/* Work handed to a worker thread holds the API: _begin before, _end on the main loop when it
 * is done. _end returns FALSE (after answering @req 503) if the server is stopping. */
void kaigi_api_task_begin (KaigiApi *api);
gboolean kaigi_api_task_end (KaigiApi *api, KaigiHttpRequest *req);

/* Material files are written and read on a worker thread (api-files.c); the answer comes
 * when the disk is done. @material is the stored record (upload: deleted again if the write
 * fails). */
void kaigi_api_file_write (KaigiApi *api, KaigiHttpRequest *req, const char *path, GBytes *data,
                           const KaigiMaterial *material);
void kaigi_api_file_send (KaigiApi *api, KaigiHttpRequest *req, const char *path,
                          const KaigiMaterial *material);

/* Takes @o. @headers as for kaigi_http_request_reply. */
void kaigi_api_reply_object (KaigiHttpRequest *req, guint status, JsonObject *o,
                             const char *const *headers);
void kaigi_api_reply_json (KaigiHttpRequest *req, guint status, JsonNode *node);
void kaigi_api_reply_error (KaigiHttpRequest *req, guint status, const char *code,
                            const char *message);
/* Answers a GError from the store or the model with the matching status and code. */
void kaigi_api_reply_gerror (KaigiHttpRequest *req, const GError *error);
/* The body parsed as JSON; NULL after answering bad-json. */
JsonNode *kaigi_api_body_json (KaigiHttpRequest *req);

void kaigi_api_meetings_list (KaigiApi *, KaigiHttpRequest *, const gint64 *, const KaigiApiWho *);
void kaigi_api_meetings_create (KaigiApi *, KaigiHttpRequest *, const gint64 *,
                                const KaigiApiWho *);
void kaigi_api_meeting_get (KaigiApi *, KaigiHttpRequest *, const gint64 *, const KaigiApiWho *);
void kaigi_api_meeting_put (KaigiApi *, KaigiHttpRequest *, const gint64 *, const KaigiApiWho *);
void kaigi_api_meeting_delete (KaigiApi *, KaigiHttpRequest *, const gint64 *, const KaigiApiWho *);
void kaigi_api_material_upload (KaigiApi *, KaigiHttpRequest *, const gint64 *,
                                const KaigiApiWho *);
void kaigi_api_material_get (KaigiApi *, KaigiHttpRequest *, const gint64 *, const KaigiApiWho *);
void kaigi_api_material_delete (KaigiApi *, KaigiHttpRequest *, const gint64 *,
                                const KaigiApiWho *);
void kaigi_api_links (KaigiApi *, KaigiHttpRequest *, const gint64 *, const KaigiApiWho *);
void kaigi_api_attendance_get (KaigiApi *, KaigiHttpRequest *, const gint64 *, const KaigiApiWho *);
void kaigi_api_attendance_put (KaigiApi *, KaigiHttpRequest *, const gint64 *, const KaigiApiWho *);
void kaigi_api_timeline_get (KaigiApi *, KaigiHttpRequest *, const gint64 *, const KaigiApiWho *);
void kaigi_api_decisions_get (KaigiApi *, KaigiHttpRequest *, const gint64 *, const KaigiApiWho *);
void kaigi_api_public_meeting (KaigiApi *, KaigiHttpRequest *, const gint64 *, const KaigiApiWho *);
void kaigi_api_public_token (KaigiApi *, KaigiHttpRequest *, const gint64 *, const KaigiApiWho *);
void kaigi_api_public_view (KaigiApi *, KaigiHttpRequest *, const gint64 *, const KaigiApiWho *);
void kaigi_api_public_captions (KaigiApi *, KaigiHttpRequest *, const gint64 *,
                                const KaigiApiWho *);
void kaigi_api_whep_offer (KaigiApi *, KaigiHttpRequest *, const gint64 *, const KaigiApiWho *);
void kaigi_api_whep_delete (KaigiApi *, KaigiHttpRequest *, const gint64 *, const KaigiApiWho *);
void kaigi_api_whip_offer (KaigiApi *, KaigiHttpRequest *, const gint64 *, const KaigiApiWho *);
void kaigi_api_whip_delete (KaigiApi *, KaigiHttpRequest *, const gint64 *, const KaigiApiWho *);
/* api-archive.c */
void kaigi_api_archive_get (KaigiApi *, KaigiHttpRequest *, const gint64 *, const KaigiApiWho *);
void kaigi_api_archive_captions (KaigiApi *, KaigiHttpRequest *, const gint64 *,
                                 const KaigiApiWho *);
void kaigi_api_archive_playlist (KaigiApi *, KaigiHttpRequest *, const gint64 *,
                                 const KaigiApiWho *);
void kaigi_api_archive_segment (KaigiApi *, KaigiHttpRequest *, const gint64 *,
                                const KaigiApiWho *);
/* api-minutes.c: the minutes editor (secretariat) */
void kaigi_api_minutes_get (KaigiApi *, KaigiHttpRequest *, const gint64 *, const KaigiApiWho *);
void kaigi_api_minutes_history (KaigiApi *, KaigiHttpRequest *, const gint64 *,
                                const KaigiApiWho *);
void kaigi_api_minutes_patch (KaigiApi *, KaigiHttpRequest *, const gint64 *, const KaigiApiWho *);
void kaigi_api_minutes_merge (KaigiApi *, KaigiHttpRequest *, const gint64 *, const KaigiApiWho *);
void kaigi_api_minutes_split (KaigiApi *, KaigiHttpRequest *, const gint64 *, const KaigiApiWho *);
void kaigi_api_minutes_retract (KaigiApi *, KaigiHttpRequest *, const gint64 *,
                                const KaigiApiWho *);
void kaigi_api_minutes_fillers (KaigiApi *, KaigiHttpRequest *, const gint64 *,
                                const KaigiApiWho *);
void kaigi_api_minutes_state (KaigiApi *, KaigiHttpRequest *, const gint64 *, const KaigiApiWho *);
/* Shared by api-minutes.c and api-review.c: the draft document of docs/meetings-api.md
 * ("Minutes"), one statement as JSON, the statements with @uid's index (NULL after answering
 * 404 if @uid is not of @meeting), and a store error answered (409 `published` once the
 * minutes are, `wrong-state` for a refused transition). */
JsonObject *kaigi_api_minutes_document (KaigiApi *api, gint64 meeting, GError **error);
JsonObject *kaigi_api_utterance_json (KaigiApi *api, gint64 meeting, const KaigiUtterance *u);
GPtrArray *kaigi_api_minutes_find (KaigiApi *api, KaigiHttpRequest *req, gint64 meeting, gint64 uid,
                                   guint *index);
void kaigi_api_minutes_error (KaigiApi *api, KaigiHttpRequest *req, gint64 meeting,
                              const GError *error);
/* api-review.c: members' review (join token), clips, exports */
void kaigi_api_review_get (KaigiApi *, KaigiHttpRequest *, const gint64 *, const KaigiApiWho *);
void kaigi_api_review_confirm (KaigiApi *, KaigiHttpRequest *, const gint64 *, const KaigiApiWho *);
void kaigi_api_minutes_clip (KaigiApi *, KaigiHttpRequest *, const gint64 *, const KaigiApiWho *);
void kaigi_api_minutes_export (KaigiApi *, KaigiHttpRequest *, const gint64 *, const KaigiApiWho *);
void kaigi_api_public_minutes (KaigiApi *, KaigiHttpRequest *, const gint64 *, const KaigiApiWho *);
/* api-clips.c: after a merge (@den 0: @second joined into @first) or a split (@first cut at
 * @num/@den, @second the new part) the clip files follow on a worker; then @done answers. */
typedef void (*KaigiApiClipsDone) (KaigiApi *api, KaigiHttpRequest *req, gint64 meeting,
                                   gint64 first, gint64 second);
void kaigi_api_clips_follow (KaigiApi *api, KaigiHttpRequest *req, gint64 meeting, gint64 first,
                             gint64 second, glong num, glong den, KaigiApiClipsDone done);
