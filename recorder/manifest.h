/* manifest.h: the description of one meeting's recording folder, manifest.json.
 *
 * The folder DATA_DIR/meetings/<id>/ must explain itself without the database (it is copied
 * and synced to object storage on its own), so what was recorded, when and where lives in a
 * JSON file next to the media (docs/recording.md has the format). The server changes it in
 * memory and writes it, coalesced, by rename of a temporary file (never half written);
 * kaigi-recorder reads and repairs it.
 *
 * Thread: the owner's (the server's main loop); the object is reference counted so that a
 * recording branch still finishing after its room is gone can close its last piece. */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef struct _KaigiManifest KaigiManifest;

#define KAIGI_MANIFEST_FORMAT "kaigi-recording/1"
/* Session states. */
#define KAIGI_SESSION_RECORDING "recording" /* still open, or the server was killed */
#define KAIGI_SESSION_STOPPED "stopped"
#define KAIGI_SESSION_FAILED "failed"

/* Reads DIR/manifest.json, or starts an empty one for @meeting_id if there is none. */
KaigiManifest *kaigi_manifest_open (const char *meeting_dir, gint64 meeting_id, GError **error);
KaigiManifest *kaigi_manifest_ref (KaigiManifest *m);
/* The last reference writes pending changes before freeing. */
void kaigi_manifest_unref (KaigiManifest *m);
const char *kaigi_manifest_dir (KaigiManifest *m);
JsonObject *kaigi_manifest_root (KaigiManifest *m);

/* Writes now (temporary file, fsync, rename). */
gboolean kaigi_manifest_save (KaigiManifest *m, GError **error);
/* Writes within about a second, on the thread-default main context; many changes, one write. */
void kaigi_manifest_changed (KaigiManifest *m);

/* A new session of @who's @kind ("audio", "video") from now: its number (1, 2, ..) and the
 * absolute splitmuxsink location pattern of its pieces (tracks/WHO/KIND-N-%05d.webm; the
 * folder is made). @media_zero_wall_us: wall clock at media (pipeline running) time 0. */
guint kaigi_manifest_session_begin (KaigiManifest *m, const char *who, const char *name,
                                    const char *participant, const char *kind, const char *codec,
                                    gint64 wall_us, gint64 media_zero_wall_us, char **location,
                                    GError **error);
/* A piece was opened (@location absolute) at media time @media_us. */
void kaigi_manifest_piece_opened (KaigiManifest *m, const char *who, const char *kind,
                                  guint session, const char *location, guint64 media_us,
                                  gint64 wall_us);
void kaigi_manifest_piece_closed (KaigiManifest *m, const char *who, const char *kind,
                                  guint session, const char *location, guint64 media_us,
                                  gint64 wall_us);
/* @state KAIGI_SESSION_STOPPED or _FAILED (then @reason says why and the recording is marked
 * incomplete). */
void kaigi_manifest_session_end (KaigiManifest *m, const char *who, const char *kind, guint session,
                                 const char *state, const char *reason, gint64 wall_us);
/* Removes pieces of the session that are missing or empty (a piece splitmuxsink opened at
 * the end with nothing left to write), from the disk and the manifest. */
void kaigi_manifest_drop_empty_pieces (KaigiManifest *m, const char *who, const char *kind,
                                       guint session);
void kaigi_manifest_mark_incomplete (KaigiManifest *m, const char *reason, gint64 wall_us);
/* The meeting's state (scheduled, open, public, closed, recess, adjourned) from @wall_us on,
 * at media time @media_us (-1 if unknown): "states" in the manifest, so that the folder
 * alone says which parts were closed (the public export cuts them). A repeat is ignored. */
void kaigi_manifest_mark_state (KaigiManifest *m, const char *state, gint64 wall_us,
                                gint64 media_us);
/* A chapter of the archive from @wall_us on: @kind "item" (an agenda item, @label its
 * number and title) or "speaker" (the floor given, @label the person). */
void kaigi_manifest_mark_chapter (KaigiManifest *m, const char *kind, const char *label,
                                  gint64 wall_us, gint64 media_us);
/* The program (what the public saw and heard) is recorded as HLS segments under program/:
 * a new run (a server restart starts another) with its segment pattern (N-%05d.ts) and
 * playlist (N.m3u8) as absolute paths: "program" in the manifest. With @closed, what the
 * closed sessions would have shown (closed-N-%05d.ts, closed-N.m3u8; "program_closed", never
 * public). Returns the run number, 0 on error. */
guint kaigi_manifest_program_begin (KaigiManifest *m, gboolean closed, gint64 wall_us,
                                    char **location, char **playlist, GError **error);
/* A segment of run @session opened or closed (@location absolute), at media/wall time. */
void kaigi_manifest_program_segment (KaigiManifest *m, gboolean closed, guint session,
                                     const char *location, gboolean opened, guint64 media_us,
                                     gint64 wall_us);

/* "r12" stays, anything but [A-Za-z0-9_-] becomes '_': a track folder name. */
char *kaigi_manifest_folder_name (const char *who);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KaigiManifest, kaigi_manifest_unref)

G_END_DECLS
