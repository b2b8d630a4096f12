/* api-private.h: shared by api.c (routing, sign-in, status) and api-meetings.c (the
 * meeting routes). Not for other files. Main thread only. */
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
/* api-archive.c */
void kaigi_api_archive_get (KaigiApi *, KaigiHttpRequest *, const gint64 *, const KaigiApiWho *);
void kaigi_api_archive_playlist (KaigiApi *, KaigiHttpRequest *, const gint64 *,
                                 const KaigiApiWho *);
void kaigi_api_archive_segment (KaigiApi *, KaigiHttpRequest *, const gint64 *,
                                const KaigiApiWho *);
