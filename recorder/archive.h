/* archive.h: what kaigi-recorder does with a data directory's recordings: list, verify,
 * repair, export, expire. Each takes the folder and writes its report to a GString, so that tests
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
/* Into @out_dir: one WebM per track (WHO-KIND.webm: every session's pieces in order, without
 * transcoding; the time between sessions is not kept in the file, verify and the manifest
 * say where it was); mixed.webm, every microphone mixed on the meeting's wall clock (Opus,
 * silence where no one was recorded); public.webm, the same with every part that was not
 * public (before opening, closed sessions, recesses, after adjournment) cut out, from the
 * manifest's state marks. */
gboolean kaigi_archive_export (const char *data_dir, gint64 meeting, const char *out_dir,
                               GString *out, GError **error);

/* Retention. If the meeting's manifest was last written more than @days ago (0: never), its
 * media folders (tracks/, program/) are moved aside into MEETING_DIR/removed-NOW, whose path
 * is put in *@trash for kaigi_archive_remove_trash; the manifest stays, with its sessions
 * (who spoke when) but no pieces or program segments, and "removed" saying when and why. Not for a
 * meeting that is being recorded (the server asks its rooms first). */
gboolean kaigi_archive_expire_meeting (const char *data_dir, gint64 meeting, guint days,
                                       gint64 now_us, char **trash, GString *out, GError **error);
/* TRUE if meeting @id must be left alone now (someone is in it). */
typedef gboolean (*KaigiArchiveBusyFunc) (gint64 id, gpointer user);
/* Every meeting of @data_dir; @trash also gets removed-* folders left by an interrupted
 * sweep. */
gboolean kaigi_archive_expire (const char *data_dir, guint days, gint64 now_us,
                               KaigiArchiveBusyFunc busy, gpointer user, GPtrArray *trash,
                               GString *out, GError **error);
/* Deletes the folders in @trash (paths): the number of files deleted. Any thread. */
guint kaigi_archive_remove_trash (GPtrArray *trash);

G_END_DECLS
