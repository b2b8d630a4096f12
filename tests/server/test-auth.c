/* test-auth.c: join tokens (round trip, forgery, tampering, expiry, other meeting), the
 * secret file, Argon2id passwords and sign-in sessions. */
#include <glib/gstdio.h>
#include <sys/stat.h>

#include "auth.h"
#include "kaigi-error.h"

static void
test_token_roundtrip (void)
{
  static const guint8 key[32] = "0123456789abcdef0123456789abcdef";
  g_autoptr (KaigiAuth) a = kaigi_auth_new_with_key (key, 32);
  g_autofree char *t = kaigi_auth_token_issue (a, 12, KAIGI_ROLE_SECRETARIAT, "a3", "事務局", 2000);
  g_autoptr (GError) error = NULL;
  const char *code = NULL;
  g_autoptr (KaigiToken) ok = kaigi_auth_token_verify (a, t, 12, 1999, &code, &error);

  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (t, "kaigi1."));
  g_assert_cmpint (ok->meeting, ==, 12);
  g_assert_cmpint (ok->role, ==, KAIGI_ROLE_SECRETARIAT);
  g_assert_cmpstr (ok->participant, ==, "a3");
  g_assert_cmpstr (ok->name, ==, "事務局");
  g_assert_null (kaigi_auth_token_verify (a, t, 12, 2000, &code, NULL));
  g_assert_cmpstr (code, ==, "token-expired");
  g_assert_null (kaigi_auth_token_verify (a, t, 13, 1000, &code, NULL));
  g_assert_cmpstr (code, ==, "token-wrong-meeting");
}

/* Every single-character change anywhere in a token makes it invalid. */
static void
test_token_tampering (void)
{
  static const guint8 key[32] = "0123456789abcdef0123456789abcdef";
  g_autoptr (KaigiAuth) a = kaigi_auth_new_with_key (key, 32);
  g_autofree char *t = kaigi_auth_token_issue (a, 5, KAIGI_ROLE_MEMBER, "r9", NULL, 4000000000);

  for (gsize i = 0; t[i]; i++) {
    g_autofree char *bad = g_strdup (t);
    const char *code = NULL;
    KaigiToken *v;
    bad[i] = bad[i] == 'x' ? 'y' : 'x';
    v = kaigi_auth_token_verify (a, bad, 5, 1000, &code, NULL);
    if (v) /* 'x' for 'x'-less positions can only decode the same bits if it is padding */
      g_error ("a token changed at %" G_GSIZE_FORMAT " was accepted: %s", i, bad);
    g_assert_cmpstr (code, ==, "token-invalid");
  }
}

static void
test_secret_file (void)
{
  g_autofree char *dir = g_dir_make_tmp ("kaigi-auth-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "secret", NULL);
  g_autoptr (GError) error = NULL;
  g_autofree char *t = NULL;
  const char *code;
  struct stat st;

  {
    g_autoptr (KaigiAuth) a = kaigi_auth_new (path, &error);
    g_assert_no_error (error);
    t = kaigi_auth_token_issue (a, 1, KAIGI_ROLE_CHAIR, "r1", NULL, 4000000000);
  }
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_cmpint (st.st_size, ==, 32);
  {
    /* Same secret after a restart: links made before still work. */
    g_autoptr (KaigiAuth) a = kaigi_auth_new (path, &error);
    g_autoptr (KaigiToken) v = kaigi_auth_token_verify (a, t, 1, 1000, &code, NULL);
    g_assert_nonnull (v);
  }
  g_assert_true (g_file_set_contents (path, "short", -1, NULL));
  g_assert_null (kaigi_auth_new (path, &error));
  g_assert_error (error, KAIGI_ERROR, KAIGI_ERROR_CONFIG);
  g_unlink (path);
  g_rmdir (dir);
}

static void
test_passwords (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *h = kaigi_auth_password_hash ("correct horse battery", &error);
  g_autofree char *h2 = kaigi_auth_password_hash ("correct horse battery", NULL);
  g_autofree char *r = kaigi_auth_random_password (16);

  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (h, "$argon2id$"));
  g_assert_cmpstr (h, !=, h2); /* salted */
  g_assert_true (kaigi_auth_password_check (h, "correct horse battery"));
  g_assert_false (kaigi_auth_password_check (h, "correct horse batterY"));
  g_assert_false (kaigi_auth_password_check (h, ""));
  g_assert_false (kaigi_auth_password_check ("not a hash", "x"));
  g_assert_null (kaigi_auth_password_hash ("short", &error));
  g_assert_error (error, KAIGI_ERROR, KAIGI_ERROR_INVALID);
  g_assert_cmpuint (strlen (r), ==, 16);
}

static void
test_sessions (void)
{
  static const guint8 key[32] = { 0 };
  g_autoptr (KaigiAuth) a = kaigi_auth_new_with_key (key, 32);
  g_autofree char *s = kaigi_auth_session_new (a, 4, "admin");
  g_autofree char *s2 = kaigi_auth_session_new (a, 4, "admin");
  gint64 account = 0;
  const char *name = NULL;

  g_assert_cmpuint (strlen (s), ==, 64);
  g_assert_cmpstr (s, !=, s2);
  g_assert_true (kaigi_auth_session_lookup (a, s, &account, &name));
  g_assert_cmpint (account, ==, 4);
  g_assert_cmpstr (name, ==, "admin");
  g_assert_false (kaigi_auth_session_lookup (a, "0000", NULL, NULL));
  g_assert_false (kaigi_auth_session_lookup (a, NULL, NULL, NULL));
  kaigi_auth_session_end (a, s);
  g_assert_false (kaigi_auth_session_lookup (a, s, NULL, NULL));
  g_assert_true (kaigi_auth_session_lookup (a, s2, NULL, NULL));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/auth/token-roundtrip", test_token_roundtrip);
  g_test_add_func ("/auth/token-tampering", test_token_tampering);
  g_test_add_func ("/auth/secret-file", test_secret_file);
  g_test_add_func ("/auth/passwords", test_passwords);
  g_test_add_func ("/auth/sessions", test_sessions);
  return g_test_run ();
}
