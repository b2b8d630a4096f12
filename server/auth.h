/* auth.h: who may enter which meeting as what: signed join tokens, secretariat passwords
 * and sign-in sessions (docs/meetings-api.md, "Join tokens" and "Accounts").
 *
 * Main thread only, except the password functions, which are pure and may run on a worker
 * thread (Argon2id is slow on purpose). */
#pragma once

#include <glib.h>

#include "meeting.h"

G_BEGIN_DECLS

typedef struct _KaigiAuth KaigiAuth;

typedef struct {
  gint64 meeting;
  KaigiRole role;
  char *participant; /* owned: "r<ID>", "v<ID>", "a<ID>" or "public" */
  char *name;        /* owned, nullable: the display name of an account or viewer */
  gint64 expires;    /* unix seconds */
} KaigiToken;

/* Loads the 32-byte secret from @secret_path, creating it (mode 0600) if it does not exist. */
KaigiAuth *kaigi_auth_new (const char *secret_path, GError **error);
/* For tests: a fixed key. */
KaigiAuth *kaigi_auth_new_with_key (const guint8 *key, gsize len);
void kaigi_auth_free (KaigiAuth *auth);

/* @name (nullable) is carried for accounts, whose names the roster does not know. */
char *kaigi_auth_token_issue (KaigiAuth *auth, gint64 meeting, KaigiRole role,
                              const char *participant, const char *name, gint64 expires);
/* Checks the signature, the expiry against @now (unix seconds) and that the token is for
 * @meeting. On failure returns NULL and sets *@code to "token-invalid", "token-expired" or
 * "token-wrong-meeting" (static strings), with a KAIGI_ERROR_AUTH error for people. */
KaigiToken *kaigi_auth_token_verify (KaigiAuth *auth, const char *token, gint64 meeting, gint64 now,
                                     const char **code, GError **error);
void kaigi_token_free (KaigiToken *token);

/* Argon2id (libsodium crypto_pwhash_str, interactive limits). Passwords are 8..256 bytes. */
char *kaigi_auth_password_hash (const char *password, GError **error);
gboolean kaigi_auth_password_check (const char *hash, const char *password);
/* A random printable password of @len characters. */
char *kaigi_auth_random_password (guint len);

/* Sign-in sessions, in memory, valid for 12 hours. Returns the session id (64 hex digits). */
char *kaigi_auth_session_new (KaigiAuth *auth, gint64 account, const char *name);
/* TRUE and the account if @sid is a live session. @name may be NULL. */
gboolean kaigi_auth_session_lookup (KaigiAuth *auth, const char *sid, gint64 *account,
                                    const char **name);
void kaigi_auth_session_end (KaigiAuth *auth, const char *sid);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KaigiAuth, kaigi_auth_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (KaigiToken, kaigi_token_free)

G_END_DECLS
