/* log.h: where kaigi-server's log goes and how much of it ([log] level).
 *
 * Main thread, once, after gst_init. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Applies @level (GST_DEBUG syntax) unless the GST_DEBUG environment variable is set, which
 * wins for a one-off debugging session. When stderr is the systemd journal, every line gets
 * a syslog priority prefix and loses the terminal decoration. */
void kaigi_log_setup (const char *level);

/* Before anything logs (GLib allows one writer per process): every GLib critical and error
 * is followed by the stack of the thread that raised it; a crash (SIGSEGV, SIGBUS, SIGFPE,
 * SIGILL) prints the stack of the crashing thread before the core. */
void kaigi_log_trace_criticals (void);

G_END_DECLS
