/* api.h: the REST API of docs/meetings-api.md (accounts, meetings, materials, links,
 * attendance, timeline, decisions, minutes and their review, public viewer tokens) and
 * GET /api/status.
 *
 * Main thread only; slow work (password hashing) runs on worker threads and answers back on
 * the main loop. */
#pragma once

#include <glib.h>

#include "auth.h"
#include "http.h"
#include "rooms.h"
#include "store.h"
#include "timeline.h"

G_BEGIN_DECLS

typedef struct _KaigiApi KaigiApi;

typedef struct {
  KaigiStore *store;       /* not owned: the main loop's connection */
  KaigiAuth *auth;         /* not owned */
  KaigiRooms *rooms;       /* not owned */
  KaigiTimeline *timeline; /* not owned */
  const char *data_dir;
} KaigiApiContext;

KaigiApi *kaigi_api_new (const KaigiApiContext *context);
void kaigi_api_free (KaigiApi *api);
/* KaigiHttpCallbacks.request: @user_data is the KaigiApi. */
void kaigi_api_handle (KaigiHttpRequest *req, gpointer user_data);
/* Account names: 1..64 characters, letters, digits, '.', '_' and '-'. */
gboolean kaigi_api_account_name_ok (const char *name);

G_END_DECLS
