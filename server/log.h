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

G_END_DECLS
