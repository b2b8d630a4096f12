/* backup.h: a consistent copy of a live kaigi data directory, and putting one back.
 *
 * Any thread; each call opens its own SQLite connections. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Copies the database at @db_path into a new file @dest_path with SQLite's online backup
 * API: one snapshot, consistent even while kaigi-server writes. @dest_path must not exist.
 * Then checks the copy with PRAGMA integrity_check. */
gboolean kaigi_backup_database (const char *db_path, const char *dest_path, GError **error);

/* Copies the folder tree @from into @to (created), file by file. */
gboolean kaigi_backup_copy_tree (const char *from, const char *to, GError **error);

G_END_DECLS
