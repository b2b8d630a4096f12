/* layout.h: where a meeting's media live under the data directory.
 *
 * DATA_DIR/meetings/<meeting id>/ holds everything recorded for one meeting, so that a
 * meeting's archive can be copied or synced to object storage as one folder. Any thread. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Creates (mode 0750, parents included) and returns the meeting's media folder. */
char *kaigi_recorder_meeting_dir (const char *data_dir, gint64 meeting_id, GError **error);

G_END_DECLS
