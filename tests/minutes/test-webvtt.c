/* test-webvtt.c: a caption cue, escaped, with its speaker as a voice tag and in the text. */
#include "webvtt.h"

static void
test_cue (void)
{
  g_autoptr (GString) s = g_string_new ("WEBVTT\n\n");

  kaigi_vtt_cue (s, 7, 3723004000, 3725500999, "長谷川委員", "A <b> & C\nnext");
  kaigi_vtt_cue (s, 8, -5, 999, "x>y", "");
  g_assert_cmpstr (s->str, ==,
                   "WEBVTT\n\n"
                   "7\n01:02:03.004 --> 01:02:05.500\n"
                   "<v 長谷川委員>長谷川委員: A &lt;b&gt; &amp; C next\n\n"
                   "8\n00:00:00.000 --> 00:00:00.000\n<v x&gt;y>x&gt;y: \n\n");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/webvtt/cue", test_cue);
  return g_test_run ();
}
