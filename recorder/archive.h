/* archive.h: what kaigi-recorder does with a data directory's recordings: list, verify,
 * repair, export. Each takes the folder and writes its report to a GString, so that tests
 * call them without a process. Any thread (each runs its own pipelines, bounded). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Meetings, tracks, sessions, pieces and durations (from the manifests). */
gboolean kaigi_archive_list (const char *data_dir, GString *out, GError **error);
/* Decodes every piece; reports durations, errors, gaps between pieces and sessions, and
 * sessions that ended without a stop (the server was killed): "recorded until". Returns
 * FALSE with @error only if it could not run; *damaged counts pieces that do not play or
 * are missing, and files in tracks/ that the manifest does not list. */
gboolean kaigi_archive_verify (const char *data_dir, gint64 meeting, GString *out, guint *damaged,
                               GError **error);
/* After a crash: pieces the manifest does not list are added; a piece cut short is
 * remuxed (what can be read, without transcoding) into a valid file; an empty or unreadable
 * one is removed; sessions left "recording" become "interrupted" with their real end. */
gboolean kaigi_archive_repair (const char *data_dir, gint64 meeting, GString *out, GError **error);
/* One WebM per track (WHO-KIND.webm: every session's pieces in order, without transcoding;
 * the time between sessions is not kept in the file, verify and the manifest say where it
 * was) into @out_dir. */
gboolean kaigi_archive_export (const char *data_dir, gint64 meeting, const char *out_dir,
                               GString *out, GError **error);

G_END_DECLS
