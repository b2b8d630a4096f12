/* auth.c: join tokens, passwords and sign-in sessions.
 *
 * Tokens are "kaigi1.<payload>.<mac>", payload = base64url of a small JSON object, mac =
 * HMAC-SHA256 over "kaigi1.<payload>" with a 32-byte server secret. They carry everything the
 * server needs (meeting, role, participant, expiry), so links can be made ahead of a meeting
 * and checked without a lookup; the meeting id inside stops a link of one meeting being used
 * for another. The comparison of MACs is constant-time (sodium_memcmp).
 * Passwords: Argon2id via libsodium, the library the security community keeps for this.
 * Sessions: random 256-bit ids in a hash table; signing out or 12 hours ends them.
 * Thread: main loop (tokens, sessions); password functions on any thread. */
#include "auth.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <sodium.h>
#include <string.h>

#include "kaigi-error.h"

#define KEY_LEN 32
#define PREFIX "kaigi1."
#define SESSION_LIFETIME_US (12 * G_TIME_SPAN_HOUR)
#define MAX_TOKEN 1024

struct _KaigiAuth {
  guint8 key[KEY_LEN];
  GHashTable *sessions; /* sid -> Session, owned */
};

typedef struct {
  gint64 account;
  char *name;
  gint64 expires_us;
} Session;

static void
session_free (gpointer p)
{
  Session *s = p;

  g_free (s->name);
  g_free (s);
}

static gboolean
init_sodium (void)
{
  static gsize done = 0;
  static gboolean ok = FALSE;

  if (g_once_init_enter (&done)) {
    ok = sodium_init () >= 0;
    g_once_init_leave (&done, 1);
  }
  return ok;
}

static KaigiAuth *
auth_alloc (void)
{
  KaigiAuth *a = g_new0 (KaigiAuth, 1);

  a->sessions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, session_free);
  return a;
}

KaigiAuth *
kaigi_auth_new_with_key (const guint8 *key, gsize len)
{
  KaigiAuth *a = auth_alloc ();

  init_sodium ();
  memcpy (a->key, key, MIN (len, KEY_LEN));
  return a;
}

KaigiAuth *
kaigi_auth_new (const char *path, GError **error)
{
  g_autoptr (KaigiAuth) a = NULL;
  g_autofree char *data = NULL;
  gsize len = 0;

  if (!init_sodium ()) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_AUTH, "libsodium failed to initialise");
    return NULL;
  }
  a = auth_alloc ();
  if (g_file_get_contents (path, &data, &len, NULL)) {
    if (len != KEY_LEN) {
      g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_CONFIG,
                   "%s: the secret must be %d bytes (delete it to make a new one; every join "
                   "link made so far stops working)",
                   path, KEY_LEN);
      return NULL;
    }
    memcpy (a->key, data, KEY_LEN);
    return g_steal_pointer (&a);
  }
  randombytes_buf (a->key, KEY_LEN);
  int fd = g_open (path, O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd < 0 || write (fd, a->key, KEY_LEN) != KEY_LEN || fsync (fd) != 0) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_IO, "%s: cannot write the secret: %s", path,
                 g_strerror (errno));
    if (fd >= 0)
      close (fd);
    return NULL;
  }
  close (fd);
  return g_steal_pointer (&a);
}

void
kaigi_auth_free (KaigiAuth *a)
{
  if (!a)
    return;
  sodium_memzero (a->key, KEY_LEN);
  g_hash_table_unref (a->sessions);
  g_free (a);
}

void
kaigi_token_free (KaigiToken *t)
{
  if (!t)
    return;
  g_free (t->participant);
  g_free (t->name);
  g_free (t);
}

/* ---- base64url without padding ---- */

static char *
b64url (const guint8 *data, gsize len)
{
  char *s = g_base64_encode (data, len);

  g_strdelimit (s, "+", '-');
  g_strdelimit (s, "/", '_');
  for (char *e = s + strlen (s); e > s && e[-1] == '='; e--)
    e[-1] = '\0';
  return s;
}

static guint8 *
unb64url (const char *s, gsize *len)
{
  GString *t = g_string_new (s);

  for (gsize i = 0; i < t->len; i++) {
    char c = t->str[i];
    if (c == '-')
      t->str[i] = '+';
    else if (c == '_')
      t->str[i] = '/';
    else if (!g_ascii_isalnum (c)) {
      g_string_free (t, TRUE);
      return NULL;
    }
  }
  while (t->len % 4)
    g_string_append_c (t, '=');
  guint8 *out = g_base64_decode (t->str, len);
  g_string_free (t, TRUE);
  return out;
}

static void
mac (KaigiAuth *a, const char *signed_part, gsize len, guint8 out[32])
{
  crypto_auth_hmacsha256_state st;

  crypto_auth_hmacsha256_init (&st, a->key, KEY_LEN);
  crypto_auth_hmacsha256_update (&st, (const guint8 *)signed_part, len);
  crypto_auth_hmacsha256_final (&st, out);
}

char *
kaigi_auth_token_issue (KaigiAuth *a, gint64 meeting, KaigiRole role, const char *participant,
                        const char *name, gint64 expires)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  g_autofree char *json = NULL, *payload = NULL, *sig = NULL, *signed_part = NULL;
  guint8 m[32];

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "m");
  json_builder_add_int_value (b, meeting);
  json_builder_set_member_name (b, "r");
  json_builder_add_string_value (b, kaigi_role_to_string (role));
  json_builder_set_member_name (b, "p");
  json_builder_add_string_value (b, participant);
  if (name) {
    json_builder_set_member_name (b, "n");
    json_builder_add_string_value (b, name);
  }
  json_builder_set_member_name (b, "e");
  json_builder_add_int_value (b, expires);
  json_builder_end_object (b);
  json_generator_set_root (gen, json_builder_get_root (b));
  json = json_generator_to_data (gen, NULL);
  payload = b64url ((const guint8 *)json, strlen (json));
  signed_part = g_strconcat (PREFIX, payload, NULL);
  mac (a, signed_part, strlen (signed_part), m);
  sig = b64url (m, sizeof (m));
  return g_strconcat (signed_part, ".", sig, NULL);
}

static KaigiToken *
refuse (const char **code, const char *c, GError **error, const char *message)
{
  *code = c;
  g_set_error_literal (error, KAIGI_ERROR, KAIGI_ERROR_AUTH, message);
  return NULL;
}

/* Reads the verified payload; NULL if it is not the object we sign. */
static KaigiToken *
parse_payload (const guint8 *json, gsize len)
{
  g_autoptr (JsonParser) p = json_parser_new_immutable ();
  g_autoptr (KaigiToken) t = g_new0 (KaigiToken, 1);
  JsonObject *o;
  const char *role, *who;

  if (!json_parser_load_from_data (p, (const char *)json, len, NULL)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (p)))
    return NULL;
  o = json_node_get_object (json_parser_get_root (p));
  role = json_object_get_string_member_with_default (o, "r", NULL);
  who = json_object_get_string_member_with_default (o, "p", NULL);
  t->meeting = json_object_get_int_member_with_default (o, "m", -1);
  t->expires = json_object_get_int_member_with_default (o, "e", -1);
  if (!role || !who || !kaigi_role_from_string (role, &t->role) || t->meeting < 0)
    return NULL;
  t->participant = g_strdup (who);
  t->name = g_strdup (json_object_get_string_member_with_default (o, "n", NULL));
  return g_steal_pointer (&t);
}

KaigiToken *
kaigi_auth_token_verify (KaigiAuth *a, const char *token, gint64 meeting, gint64 now,
                         const char **code, GError **error)
{
  const char *dot;
  g_autofree guint8 *sig = NULL, *json = NULL;
  g_autofree char *payload = NULL;
  gsize sig_len = 0, json_len = 0;
  guint8 want[32];
  KaigiToken *t;

  if (!token || strlen (token) > MAX_TOKEN || !g_str_has_prefix (token, PREFIX)
      || !(dot = strrchr (token, '.')) || dot < token + strlen (PREFIX))
    return refuse (code, "token-invalid", error, "this is not a kaigi join link");
  sig = unb64url (dot + 1, &sig_len);
  mac (a, token, dot - token, want);
  if (!sig || sig_len != sizeof (want) || sodium_memcmp (sig, want, sizeof (want)) != 0)
    return refuse (code, "token-invalid", error,
                   "this join link is damaged or was not made by this server");
  payload = g_strndup (token + strlen (PREFIX), dot - token - strlen (PREFIX));
  if (!(json = unb64url (payload, &json_len)) || !(t = parse_payload (json, json_len)))
    return refuse (code, "token-invalid", error, "this join link is damaged");
  if (t->meeting != meeting) {
    kaigi_token_free (t);
    return refuse (code, "token-wrong-meeting", error, "this join link is for another meeting");
  }
  if (t->expires <= now) {
    kaigi_token_free (t);
    return refuse (code, "token-expired", error,
                   "this join link has expired; ask the secretariat for a new one");
  }
  return t;
}

/* ---- passwords ---- */

char *
kaigi_auth_password_hash (const char *password, GError **error)
{
  char out[crypto_pwhash_STRBYTES];
  gsize len = password ? strlen (password) : 0;

  if (len < 8 || len > 256) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_INVALID,
                 "password: must be 8 to 256 characters long");
    return NULL;
  }
  if (!init_sodium ()
      || crypto_pwhash_str (out, password, len, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                            crypto_pwhash_MEMLIMIT_INTERACTIVE)
             != 0) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_AUTH, "password hashing ran out of memory");
    return NULL;
  }
  return g_strdup (out);
}

gboolean
kaigi_auth_password_check (const char *hash, const char *password)
{
  if (!hash || !password || !init_sodium ())
    return FALSE;
  return crypto_pwhash_str_verify (hash, password, strlen (password)) == 0;
}

char *
kaigi_auth_random_password (guint len)
{
  static const char alphabet[] = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  char *s = g_malloc (len + 1);

  init_sodium ();
  for (guint i = 0; i < len; i++)
    s[i] = alphabet[randombytes_uniform (sizeof (alphabet) - 1)];
  s[len] = '\0';
  return s;
}

/* ---- sessions ---- */

char *
kaigi_auth_session_new (KaigiAuth *a, gint64 account, const char *name)
{
  guint8 raw[32];
  char hex[65];
  Session *s = g_new0 (Session, 1);

  randombytes_buf (raw, sizeof (raw));
  sodium_bin2hex (hex, sizeof (hex), raw, sizeof (raw));
  s->account = account;
  s->name = g_strdup (name);
  s->expires_us = g_get_monotonic_time () + SESSION_LIFETIME_US;
  g_hash_table_insert (a->sessions, g_strdup (hex), s);
  return g_strdup (hex);
}

gboolean
kaigi_auth_session_lookup (KaigiAuth *a, const char *sid, gint64 *account, const char **name)
{
  Session *s = sid ? g_hash_table_lookup (a->sessions, sid) : NULL;

  if (!s)
    return FALSE;
  if (s->expires_us < g_get_monotonic_time ()) {
    g_hash_table_remove (a->sessions, sid);
    return FALSE;
  }
  if (account)
    *account = s->account;
  if (name)
    *name = s->name;
  return TRUE;
}

void
kaigi_auth_session_end (KaigiAuth *a, const char *sid)
{
  if (sid)
    g_hash_table_remove (a->sessions, sid);
}
