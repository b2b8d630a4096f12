/* log.c: kaigi-server's log, readable in journald.
 *
 * Everything logs through GStreamer debug categories (kaigi-room, kaigi-http, kaigi-lws for
 * libwebsockets, ...). GStreamer's default output carries colours, a timestamp, the pid and
 * the thread: right for a terminal, noise in the journal, which has all of that already. When
 * systemd connects our stderr to the journal (it says so in JOURNAL_STREAM), lines become
 * "<PRIORITY>category: message", and journald files each at its syslog priority, so
 * `journalctl -u kaigi-server -p warning` shows warnings and errors only. GLib's own
 * messages (g_warning) already go to the journal natively (g_log_writer_default).
 * Thread: kaigi_log_setup on the main thread; the log function on any thread. */
#define _GNU_SOURCE /* pthread_getname_np */
#include "log.h"

#include <execinfo.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>
#include <gst/gst.h>
#include <stdio.h>
#include <sys/stat.h>

/* sd-daemon.h's prefixes, without linking libsystemd for two numbers. */
static int
syslog_priority (GstDebugLevel level)
{
  switch (level) {
  case GST_LEVEL_ERROR:
    return 3;
  case GST_LEVEL_WARNING:
    return 4;
  case GST_LEVEL_FIXME:
  case GST_LEVEL_INFO:
    return 6;
  default:
    return 7;
  }
}

/* Any thread. One write per line, so that lines from different threads do not interleave. */
static void
log_to_journal (GstDebugCategory *category, GstDebugLevel level, const gchar *file,
                const gchar *function, gint line, GObject *object, GstDebugMessage *message,
                gpointer user_data)
{
  const char *text = gst_debug_message_get (message);
  g_autofree char *obj
      = object && GST_IS_OBJECT (object) ? gst_object_get_path_string (GST_OBJECT (object)) : NULL;

  if (level > gst_debug_category_get_threshold (category))
    return;
  if (obj)
    fprintf (stderr, "<%d>%s: %s: %s\n", syslog_priority (level),
             gst_debug_category_get_name (category), obj, text);
  else
    fprintf (stderr, "<%d>%s: %s\n", syslog_priority (level),
             gst_debug_category_get_name (category), text);
}

/* systemd sets JOURNAL_STREAM to "DEV:INODE" of the stream it gave us; it only counts if
 * stderr is still that stream (a child with redirected output inherits the variable). */
static gboolean
stderr_is_journal (void)
{
  const char *js = g_getenv ("JOURNAL_STREAM");
  struct stat st;
  guint64 dev, ino;

  if (!js || sscanf (js, "%" G_GUINT64_FORMAT ":%" G_GUINT64_FORMAT, &dev, &ino) != 2
      || fstat (2, &st) != 0)
    return FALSE;
  return st.st_dev == dev && st.st_ino == ino;
}

/* Any thread. A critical is a broken assertion in our code or a library's; the message alone
 * rarely says who called, and it may happen once in hundreds of meetings. So the stack of the
 * thread that hit it follows the message (library+offset frames; `addr2line -e LIB OFFSET`
 * with the library's debug symbols names them). Then GLib's default writer does the rest
 * (journal, stderr, G_DEBUG=fatal-criticals). */
static GLogWriterOutput
write_log (GLogLevelFlags level, const GLogField *fields, gsize n_fields, gpointer user_data)
{
  GLogWriterOutput out = g_log_writer_default (level, fields, n_fields, user_data);

  if ((level & (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_ERROR)) && !(level & G_LOG_FLAG_RECURSION)) {
    void *frames[48];
    int n = backtrace (frames, G_N_ELEMENTS (frames));
    char name[32] = "";

    pthread_getname_np (pthread_self (), name, sizeof name);
    fprintf (stderr, "kaigi-server: stack of thread '%s' at the critical above:\n", name);
    fflush (stderr);
    backtrace_symbols_fd (frames + 1, n - 1, 2);
  }
  return out;
}

/* Any thread, in a signal handler: only async-signal-safe calls (write, backtrace_symbols_fd;
 * backtrace itself was called once at start-up, so it loads nothing here). The stack goes to
 * stderr (the journal, the test's log), then the signal takes its default course (core). */
static void
on_fatal_signal (int sig)
{
  static const char msg[] = "kaigi-server: fatal signal; stack of the thread that got it:\n";
  void *frames[64];
  int n = backtrace (frames, G_N_ELEMENTS (frames));

  if (write (2, msg, sizeof msg - 1) < 0) {
    /* nothing more can be said */
  }
  backtrace_symbols_fd (frames, n, 2);
  signal (sig, SIG_DFL);
  raise (sig);
}

void
kaigi_log_trace_criticals (void)
{
  void *warm[1];
  struct sigaction sa = { 0 };

  g_log_set_writer_func (write_log, NULL, NULL);
  backtrace (warm, 1); /* loads libgcc's unwinder now, not inside a signal handler */
  sa.sa_handler = on_fatal_signal;
  sa.sa_flags = SA_RESETHAND | SA_NODEFER;
  sigemptyset (&sa.sa_mask);
  sigaction (SIGSEGV, &sa, NULL);
  sigaction (SIGBUS, &sa, NULL);
  sigaction (SIGFPE, &sa, NULL);
  sigaction (SIGILL, &sa, NULL);
}

void
kaigi_log_setup (const char *level)
{
  if (!g_getenv ("GST_DEBUG") && level && *level)
    gst_debug_set_threshold_from_string (level, TRUE);
  if (stderr_is_journal ()) {
    setvbuf (stderr, NULL, _IOLBF, 0);
    gst_debug_remove_log_function (gst_debug_log_default);
    gst_debug_add_log_function (log_to_journal, NULL, NULL);
  }
}
