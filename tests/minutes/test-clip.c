/* test-clip.c: statement clips joined and cut (minutes/clip.c) keep every sample, in order,
 * cut on a sample in proportion; a file that is not a 16 kHz WAV is refused. */
#include <glib/gstdio.h>

#include "asr.h"
#include "clip.h"
#include "kaigi-error.h"

/* @n samples counting up from @from. */
static GBytes *
ramp (gint16 from, guint n)
{
  gint16 *s = g_new (gint16, n);

  for (guint i = 0; i < n; i++)
    s[i] = GINT16_TO_LE (from + (gint16)i);
  return g_bytes_new_take (s, n * 2);
}

static gint16
sample (GBytes *pcm, guint i)
{
  return GINT16_FROM_LE (((const gint16 *)g_bytes_get_data (pcm, NULL))[i]);
}

typedef struct {
  char *dir, *a, *b, *c;
} Fixture;

static void
setup (Fixture *f, gconstpointer data)
{
  g_autoptr (GBytes) ra = ramp (0, 300), rb = ramp (1000, 100);

  f->dir = g_dir_make_tmp ("kaigi-clip-XXXXXX", NULL);
  f->a = g_build_filename (f->dir, "1.wav", NULL);
  f->b = g_build_filename (f->dir, "2.wav", NULL);
  f->c = g_build_filename (f->dir, "3.wav", NULL);
  g_assert_true (kaigi_asr_write_wav (f->a, ra, NULL));
  g_assert_true (kaigi_asr_write_wav (f->b, rb, NULL));
}

static void
teardown (Fixture *f, gconstpointer data)
{
  g_unlink (f->a);
  g_unlink (f->b);
  g_unlink (f->c);
  g_rmdir (f->dir);
  g_free (f->a);
  g_free (f->b);
  g_free (f->c);
  g_free (f->dir);
}

static void
test_join (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) pcm = NULL;

  g_assert_true (kaigi_clip_join (f->a, f->b, f->a, &error));
  g_assert_no_error (error);
  pcm = kaigi_asr_read_wav (f->a, &error);
  g_assert_nonnull (pcm);
  g_assert_cmpuint (g_bytes_get_size (pcm), ==, 400 * 2);
  g_assert_cmpint (sample (pcm, 0), ==, 0);
  g_assert_cmpint (sample (pcm, 299), ==, 299);
  g_assert_cmpint (sample (pcm, 300), ==, 1000);
  g_assert_cmpint (sample (pcm, 399), ==, 1099);
}

static void
test_split (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) head = NULL, tail = NULL;

  /* 300 samples at 1/3: 100 and 200; the first part replaces the file. */
  g_assert_true (kaigi_clip_split (f->a, 1, 3, f->a, f->c, &error));
  g_assert_no_error (error);
  head = kaigi_asr_read_wav (f->a, NULL);
  tail = kaigi_asr_read_wav (f->c, NULL);
  g_assert_cmpuint (g_bytes_get_size (head), ==, 100 * 2);
  g_assert_cmpuint (g_bytes_get_size (tail), ==, 200 * 2);
  g_assert_cmpint (sample (head, 99), ==, 99);
  g_assert_cmpint (sample (tail, 0), ==, 100);
  g_assert_cmpint (sample (tail, 199), ==, 299);
}

static void
test_refused (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) e1 = NULL, e2 = NULL, e3 = NULL;
  g_autoptr (GBytes) still = NULL;

  g_assert_true (g_file_set_contents (f->c, "not a wav file at all", -1, NULL));
  g_assert_false (kaigi_clip_join (f->a, f->c, f->a, &e1));
  g_assert_error (e1, KAIGI_ERROR, KAIGI_ERROR_INVALID);
  g_assert_false (kaigi_clip_split (f->a, 3, 3, f->a, f->c, &e2));
  g_assert_error (e2, KAIGI_ERROR, KAIGI_ERROR_INVALID);
  g_assert_false (kaigi_clip_split (f->b, 1, 2, f->b, "/nonexistent/dir/x.wav", &e3));
  g_assert_nonnull (e3);
  /* Nothing of the refused work reached the first file. */
  still = kaigi_asr_read_wav (f->a, NULL);
  g_assert_cmpuint (g_bytes_get_size (still), ==, 300 * 2);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/clip/join", Fixture, NULL, setup, test_join, teardown);
  g_test_add ("/clip/split", Fixture, NULL, setup, test_split, teardown);
  g_test_add ("/clip/refused", Fixture, NULL, setup, test_refused, teardown);
  return g_test_run ();
}
