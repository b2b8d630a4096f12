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
