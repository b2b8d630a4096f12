/* asr-command.c: an external program as the recogniser: `COMMAND... FILE.wav`, the text on
 * its standard output, a non-zero exit an error (its standard error is the message). The
 * vocabulary is in the environment, one term a line, as KAIGI_ASR_VOCABULARY.
 *
 * Thread: the worker that holds the instance; the child is waited for on a main context of
 * the worker's own, so that a program that hangs is killed after timeout_s. */
#define G_LOG_DOMAIN "kaigi-asr"

#include "asr-private.h"

#include <gio/gio.h>

#include "kaigi-error.h"

struct _KaigiAsrInstance {
  char **argv; /* the command's words */
  guint timeout_s;
};

static KaigiAsrInstance *
cmd_open (const KaigiAsrOptions *opt, GError **error)
{
  g_auto (GStrv) argv = NULL;
  g_autofree char *path = NULL;
  g_autoptr (GError) parse_error = NULL;
  KaigiAsrInstance *inst;

  if (!opt->command || !g_shell_parse_argv (opt->command, NULL, &argv, &parse_error)) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_CONFIG, "[minutes] asr-command: %s",
                 parse_error ? parse_error->message : "missing (the engine is command)");
    return NULL;
  }
  path = g_find_program_in_path (argv[0]);
  if (!path) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_CONFIG,
                 "[minutes] asr-command: %s is not a program found in PATH", argv[0]);
    return NULL;
  }
  inst = g_new0 (KaigiAsrInstance, 1);
  inst->argv = g_steal_pointer (&argv);
  inst->timeout_s = opt->timeout_s;
  return inst;
}

typedef struct {
  gboolean finished, timed_out;
  char *out, *err;
  GError *error;
} Wait;

static void
on_communicated (GObject *source, GAsyncResult *res, gpointer user_data)
{
  Wait *w = user_data;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (source), res, &w->out, &w->err, &w->error);
  w->finished = TRUE;
}

static gboolean
on_timeout (gpointer user_data)
{
  ((Wait *)user_data)->timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

static char *
cmd_recognize (KaigiAsrInstance *inst, const char *wav_path, GBytes *pcm,
               const char *const *vocabulary, double *confidence, GError **error)
{
  g_autoptr (GMainContext) ctx = g_main_context_new ();
  g_autoptr (GSubprocessLauncher) launcher
      = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GSubprocess) proc = NULL;
  g_autoptr (GSource) timer = NULL;
  g_autofree char *vocab = vocabulary ? g_strjoinv ("\n", (char **)vocabulary) : g_strdup ("");
  Wait w = { 0 };
  char *text = NULL;

  for (guint i = 0; inst->argv[i]; i++)
    g_ptr_array_add (argv, inst->argv[i]);
  g_ptr_array_add (argv, (gpointer)wav_path);
  g_ptr_array_add (argv, NULL);
  g_subprocess_launcher_setenv (launcher, "KAIGI_ASR_VOCABULARY", vocab, TRUE);
  proc = g_subprocess_launcher_spawnv (launcher, (const char *const *)argv->pdata, error);
  if (!proc)
    return NULL;
  g_main_context_push_thread_default (ctx);
  g_subprocess_communicate_utf8_async (proc, NULL, NULL, on_communicated, &w);
  timer = g_timeout_source_new_seconds (inst->timeout_s);
  g_source_set_callback (timer, on_timeout, &w, NULL);
  g_source_attach (timer, ctx);
  while (!w.finished && !w.timed_out)
    g_main_context_iteration (ctx, TRUE);
  if (!w.finished) {
    g_subprocess_force_exit (proc);
    while (!w.finished)
      g_main_context_iteration (ctx, TRUE);
  }
  g_source_destroy (timer);
  g_main_context_pop_thread_default (ctx);

  if (w.timed_out)
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_MEDIA, "%s took longer than %u s", inst->argv[0],
                 inst->timeout_s);
  else if (w.error)
    g_propagate_error (error, g_steal_pointer (&w.error));
  else if (!g_subprocess_get_if_exited (proc) || g_subprocess_get_exit_status (proc) != 0)
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_MEDIA, "%s failed: %s", inst->argv[0],
                 w.err && *w.err ? g_strstrip (w.err) : "non-zero exit");
  else {
    text = g_strdup (g_strstrip (w.out ? w.out : (char *)""));
    *confidence = 1.0; /* the program says nothing of it */
  }
  g_clear_error (&w.error);
  g_free (w.out);
  g_free (w.err);
  return text;
}

static void
cmd_close (KaigiAsrInstance *inst)
{
  g_strfreev (inst->argv);
  g_free (inst);
}

const KaigiAsrEngineClass kaigi_asr_command = {
  .name = "command",
  .open = cmd_open,
  .recognize = cmd_recognize,
  .close = cmd_close,
};
