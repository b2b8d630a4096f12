/* test-fillers.c: filler words out of statements (minutes/fillers.c): whole words only, in
 * Japanese and English, drawn out, in a row, with the commas around them, and the words that
 * only look like fillers left alone. */
#include "fillers.h"

static void
check (const char *in, const char *want, guint want_removed)
{
  guint removed = 99;
  g_autofree char *got = kaigi_fillers_remove (in, &removed);

  g_assert_cmpstr (got, ==, want);
  g_assert_cmpuint (removed, ==, want_removed);
}

static void
test_japanese (void)
{
  check ("えー、本日の議題は二件です。", "本日の議題は二件です。", 1);
  check ("えーと、資料1をご覧ください。", "資料1をご覧ください。", 1);
  check ("あのー、その件ですが、まあ、問題ありません。", "その件ですが、問題ありません。", 2);
  check ("あの、よろしいでしょうか。", "よろしいでしょうか。", 1);
  check ("えーー、それでは始めます。", "それでは始めます。", 1);
  /* A recogniser that puts spaces between words. */
  check ("えー 本日 は あの 報告 です", "本日 は 報告 です", 2);
  /* Fillers in a row, and one that ends the statement. */
  check ("えー、あのー、開会します。", "開会します。", 2);
  check ("以上です、えー。", "以上です。", 1);
  check ("えー。", "", 1);
}

static void
test_words_that_stay (void)
{
  /* あの件 (that matter), まあまあ, えーと glued to a word: not fillers. */
  check ("あの件について伺います。", "あの件について伺います。", 0);
  check ("結果はまあまあでした。", "結果はまあまあでした。", 0);
  check ("本日はえー、晴天です。", "本日はえー、晴天です。", 0);
  check ("Her error was an umbrella.", "Her error was an umbrella.", 0);
  check ("Ahead, the ahh-ha moment.", "Ahead, the ahh-ha moment.", 0);
  check ("", "", 0);
}

static void
test_english (void)
{
  check ("Um, I think we should, uh, vote.", "I think we should, vote.", 2);
  check ("so uh we agree", "so we agree", 1);
  check ("Ummm, er, yes.", "Yes.", 2);
  check ("We agree, ah.", "We agree.", 1);
  check ("UH the budget", "The budget", 1);
  check ("Um, so we agree.", "So we agree.", 1);
}

static void
test_null_count (void)
{
  g_autofree char *got = kaigi_fillers_remove ("まあ、はい", NULL);

  g_assert_cmpstr (got, ==, "はい");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/fillers/japanese", test_japanese);
  g_test_add_func ("/fillers/words-that-stay", test_words_that_stay);
  g_test_add_func ("/fillers/english", test_english);
  g_test_add_func ("/fillers/null-count", test_null_count);
  return g_test_run ();
}
