/* timeline.h: a meeting's events written to the store off the main loop.
 *
 * The main loop must not wait for the disk (ARCHITECTURE.md, Threading rule), yet every
 * event must be committed as it happens. KaigiTimeline owns a writer thread with its own
 * SQLite connection (WAL lets it write while others read); appending copies the event and
 * returns at once. kaigi_timeline_free() writes what is queued before it returns.
 * kaigi_timeline_append may be called from any thread. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _KaigiTimeline KaigiTimeline;

/* Opens the database at @db_path for the writer thread. */
KaigiTimeline *kaigi_timeline_new (const char *db_path, GError **error);
void kaigi_timeline_append (KaigiTimeline *timeline, gint64 meeting_id, const char *kind,
                            const char *participant, const char *detail_json);
/* Blocks until everything appended so far is committed. */
void kaigi_timeline_flush (KaigiTimeline *timeline);
guint64 kaigi_timeline_failures (KaigiTimeline *timeline);
void kaigi_timeline_free (KaigiTimeline *timeline);

G_END_DECLS
