/* manifest.c: see manifest.h. The JSON tree is the model: what is written is what is held,
 * so a field added by a newer writer survives a round trip through an older one.
 * Thread: the owner's. The coalesced write is timed on the thread-default main context, which
 * renders the text there (cheap) and hands the file write (temporary file, fsync, rename) to
 * one writer thread: a disk slow to sync must not hold the server's main loop. */
#define G_LOG_DOMAIN "kaigi-manifest"

#include "manifest.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>

#include "kaigi-error.h"

struct _KaigiManifest {
  gatomicrefcount ref;
  char *dir;           /* owned: the meeting folder */
  char *path;          /* owned: DIR/manifest.json */
  JsonNode *root;      /* owned, an object */
  guint save_timer;    /* pending coalesced write */
  GThreadPool *writer; /* owned, one thread, made on the first coalesced write */
  GMutex lock;         /* guards pending */
  char *pending;       /* owned: the newest text not yet written; older ones are dropped */
  gint closing;        /* atomic: the last reference went; the writer stops retrying */
};

/* A write that fails (disk full) is tried again every RETRY_MS, the newest text each time,
 * for up to RETRY_MAX times: a manifest must not stay behind once space is back. */
#define RETRY_MS 1000
#define RETRY_MAX 600

static JsonObject *
obj (KaigiManifest *m)
{
  return json_node_get_object (m->root);
}

static JsonArray *
sessions (KaigiManifest *m)
{
  if (!json_object_has_member (obj (m), "sessions"))
    json_object_set_array_member (obj (m), "sessions", json_array_new ());
  return json_object_get_array_member (obj (m), "sessions");
}

static JsonNode *
empty_root (gint64 meeting_id)
{
  JsonObject *o = json_object_new ();
  JsonNode *n = json_node_new (JSON_NODE_OBJECT);

  json_object_set_string_member (o, "format", KAIGI_MANIFEST_FORMAT);
  json_object_set_int_member (o, "meeting", meeting_id);
  json_object_set_boolean_member (o, "complete", TRUE);
  json_object_set_array_member (o, "incomplete", json_array_new ());
  json_object_set_array_member (o, "sessions", json_array_new ());
  json_node_take_object (n, o);
  return n;
}

KaigiManifest *
kaigi_manifest_open (const char *meeting_dir, gint64 meeting_id, GError **error)
{
  g_autoptr (KaigiManifest) m = g_new0 (KaigiManifest, 1);
  g_autoptr (JsonParser) parser = NULL;

  g_atomic_ref_count_init (&m->ref);
  g_mutex_init (&m->lock);
  m->dir = g_strdup (meeting_dir);
  m->path = g_build_filename (meeting_dir, "manifest.json", NULL);
  if (!g_file_test (m->path, G_FILE_TEST_EXISTS)) {
    m->root = empty_root (meeting_id);
    return g_steal_pointer (&m);
  }
  parser = json_parser_new ();
  if (!json_parser_load_from_file (parser, m->path, error))
    return NULL;
  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser))) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_INVALID, "%s: not a JSON object", m->path);
    return NULL;
  }
  m->root = json_node_copy (json_parser_get_root (parser));
  return g_steal_pointer (&m);
}

KaigiManifest *
kaigi_manifest_ref (KaigiManifest *m)
{
  g_atomic_ref_count_inc (&m->ref);
  return m;
}

void
kaigi_manifest_unref (KaigiManifest *m)
{
  g_autoptr (GError) error = NULL;

  if (!g_atomic_ref_count_dec (&m->ref))
    return;
  g_atomic_int_set (&m->closing, 1);
  if (m->writer) /* lets the writer finish what it was given */
    g_thread_pool_free (m->writer, FALSE, TRUE);
  if (m->save_timer || m->pending) { /* a change not written yet, or not writable so far */
    if (m->save_timer)
      g_source_remove (m->save_timer);
    if (!kaigi_manifest_save (m, &error))
      g_warning ("%s", error->message);
  }
  g_free (m->pending);
  g_clear_pointer (&m->root, json_node_unref);
  g_mutex_clear (&m->lock);
  g_free (m->path);
  g_free (m->dir);
  g_free (m);
}

const char *
kaigi_manifest_dir (KaigiManifest *m)
{
  return m->dir;
}

JsonObject *
kaigi_manifest_root (KaigiManifest *m)
{
  return obj (m);
}

static char *
render (KaigiManifest *m)
{
  g_autoptr (JsonGenerator) gen = json_generator_new ();

  json_object_set_int_member (obj (m), "updated_wall_us", g_get_real_time ());
  json_generator_set_root (gen, m->root);
  json_generator_set_pretty (gen, TRUE);
  return json_generator_to_data (gen, NULL);
}

static gboolean
write_text (const char *path, const char *text, GError **error)
{
  /* CONSISTENT: a temporary file, fsync, rename: a reader or a crash sees old or new. */
  return g_file_set_contents_full (path, text, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0640, error);
}

gboolean
kaigi_manifest_save (KaigiManifest *m, GError **error)
{
  g_autofree char *text = render (m);

  return write_text (m->path, text, error);
}

/* The writer thread: writes the newest text handed over, if any, retrying while it fails. */
static void
write_pending (gpointer job, gpointer user_data)
{
  KaigiManifest *m = user_data;
  g_autofree char *text = NULL;

  for (guint attempt = 0;; attempt++) {
    g_autoptr (GError) error = NULL;
    g_mutex_lock (&m->lock);
    if (m->pending) {
      g_free (text);
      text = g_steal_pointer (&m->pending);
    }
    g_mutex_unlock (&m->lock);
    if (!text || write_text (m->path, text, &error)) {
      if (attempt)
        g_message ("manifest %s written after %u retries", m->path, attempt);
      return;
    }
    if (!attempt)
      g_warning ("manifest not written: %s; trying again every %u ms", error->message, RETRY_MS);
    if (attempt == RETRY_MAX) {
      g_warning ("manifest not written: %s; given up (kaigi-recorder repair rebuilds it)",
                 error->message);
      return;
    }
    for (guint t = 0; t < RETRY_MS / 100 && !g_atomic_int_get (&m->closing); t++)
      g_usleep (100 * 1000);
    if (g_atomic_int_get (&m->closing)) {
      /* The last reference writes it itself, once: it sees that something is unwritten. */
      g_mutex_lock (&m->lock);
      if (!m->pending)
        m->pending = g_steal_pointer (&text);
      g_mutex_unlock (&m->lock);
      return;
    }
  }
}

static gboolean
on_save_timer (gpointer user_data)
{
  KaigiManifest *m = user_data;
  char *text = render (m);

  m->save_timer = 0;
  g_mutex_lock (&m->lock);
  g_free (m->pending);
  m->pending = text;
  g_mutex_unlock (&m->lock);
  if (!m->writer)
    m->writer = g_thread_pool_new (write_pending, m, 1, TRUE, NULL);
  g_thread_pool_push (m->writer, GINT_TO_POINTER (1), NULL);
  return G_SOURCE_REMOVE;
}

void
kaigi_manifest_changed (KaigiManifest *m)
{
  if (!m->save_timer)
    m->save_timer = g_timeout_add (500, on_save_timer, m);
}

char *
kaigi_manifest_folder_name (const char *who)
{
  char *s = g_strdup (who && *who ? who : "unknown");

  g_strcanon (s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-", '_');
  return s;
}

static JsonObject *
find_session (KaigiManifest *m, const char *who, const char *kind, guint session)
{
  JsonArray *a = sessions (m);

  for (guint i = 0; i < json_array_get_length (a); i++) {
    JsonObject *s = json_array_get_object_element (a, i);
    if (g_strcmp0 (json_object_get_string_member_with_default (s, "who", ""), who) == 0
        && g_strcmp0 (json_object_get_string_member_with_default (s, "kind", ""), kind) == 0
        && json_object_get_int_member_with_default (s, "session", 0) == session)
      return s;
  }
  return NULL;
}

static guint
last_session (KaigiManifest *m, const char *who, const char *kind)
{
  JsonArray *a = sessions (m);
  guint last = 0;

  for (guint i = 0; i < json_array_get_length (a); i++) {
    JsonObject *s = json_array_get_object_element (a, i);
    if (g_strcmp0 (json_object_get_string_member_with_default (s, "who", ""), who) == 0
        && g_strcmp0 (json_object_get_string_member_with_default (s, "kind", ""), kind) == 0)
      last = MAX (last, (guint)json_object_get_int_member_with_default (s, "session", 0));
  }
  return last;
}

/* Makes @dir, and returns the first number after @last whose first file (@first, a pattern
 * with one %u) is not there yet, or 0 with @error. A manifest lost or older than the files
 * (a crash between a file and the write) must not make a new session or run overwrite files
 * on disk. Bounded: numbers only grow. */
static guint
next_free (const char *dir, const char *first, guint last, GError **error)
{
  if (g_mkdir_with_parents (dir, 0750) != 0) {
    int e = errno;
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_IO, "cannot create %s: %s", dir, g_strerror (e));
    return 0;
  }
  for (guint tries = 0; tries < 10000; tries++) {
    g_autofree char *name = g_strdup_printf (first, ++last);
    g_autofree char *path = g_build_filename (dir, name, NULL);
    if (!g_file_test (path, G_FILE_TEST_EXISTS))
      break;
  }
  return last;
}

guint
kaigi_manifest_session_begin (KaigiManifest *m, const char *who, const char *name,
                              const char *participant, const char *kind, const char *codec,
                              gint64 wall_us, gint64 media_zero_wall_us, char **location,
                              GError **error)
{
  g_autofree char *folder = kaigi_manifest_folder_name (who);
  g_autofree char *rel_dir = g_build_filename ("tracks", folder, NULL);
  g_autofree char *abs_dir = g_build_filename (m->dir, rel_dir, NULL);
  JsonObject *s;
  guint n = last_session (m, who, kind);

  {
    g_autofree char *first = g_strdup_printf ("%s-%%u-00000.webm", kind);
    if (!(n = next_free (abs_dir, first, n, error)))
      return 0;
  }
  s = json_object_new ();
  {
    g_autofree char *track = g_strdup_printf ("%s/%s", folder, kind);
    json_object_set_string_member (s, "track", track);
  }
  json_object_set_string_member (s, "who", who);
  json_object_set_string_member (s, "name", name ? name : "");
  json_object_set_string_member (s, "participant", participant ? participant : "");
  json_object_set_string_member (s, "kind", kind);
  json_object_set_string_member (s, "codec", codec);
  json_object_set_int_member (s, "session", n);
  json_object_set_string_member (s, "state", KAIGI_SESSION_RECORDING);
  json_object_set_int_member (s, "wall_start_us", wall_us);
  json_object_set_int_member (s, "media_zero_wall_us", media_zero_wall_us);
  json_object_set_array_member (s, "pieces", json_array_new ());
  json_array_add_object_element (sessions (m), s);
  *location = g_strdup_printf ("%s/%s-%u-%%05d.webm", abs_dir, kind, n);
  kaigi_manifest_changed (m);
  return n;
}

/* @location relative to the meeting folder, as stored. */
static const char *
relative (KaigiManifest *m, const char *location)
{
  gsize n = strlen (m->dir);

  if (g_str_has_prefix (location, m->dir) && location[n] == '/')
    return location + n + 1;
  return location;
}

static JsonObject *
find_piece (JsonObject *s, const char *file)
{
  JsonArray *a = json_object_get_array_member (s, "pieces");

  for (guint i = json_array_get_length (a); i > 0; i--) {
    JsonObject *p = json_array_get_object_element (a, i - 1);
    if (g_strcmp0 (json_object_get_string_member_with_default (p, "file", ""), file) == 0)
      return p;
  }
  return NULL;
}

void
kaigi_manifest_piece_opened (KaigiManifest *m, const char *who, const char *kind, guint session,
                             const char *location, guint64 media_us, gint64 wall_us)
{
  JsonObject *s = find_session (m, who, kind, session), *p;

  if (!s || find_piece (s, relative (m, location)))
    return;
  p = json_object_new ();
  json_object_set_string_member (p, "file", relative (m, location));
  json_object_set_int_member (p, "media_start_us", media_us);
  json_object_set_int_member (p, "wall_start_us", wall_us);
  json_array_add_object_element (json_object_get_array_member (s, "pieces"), p);
  kaigi_manifest_changed (m);
}

void
kaigi_manifest_piece_closed (KaigiManifest *m, const char *who, const char *kind, guint session,
                             const char *location, guint64 media_us, gint64 wall_us)
{
  JsonObject *s = find_session (m, who, kind, session);
  JsonObject *p = s ? find_piece (s, relative (m, location)) : NULL;

  if (!p)
    return;
  json_object_set_int_member (p, "media_end_us", media_us);
  json_object_set_int_member (p, "wall_end_us", wall_us);
  kaigi_manifest_changed (m);
}

void
kaigi_manifest_mark_incomplete (KaigiManifest *m, const char *reason, gint64 wall_us)
{
  JsonObject *o = obj (m), *why = json_object_new ();

  if (!json_object_has_member (o, "incomplete"))
    json_object_set_array_member (o, "incomplete", json_array_new ());
  json_object_set_boolean_member (o, "complete", FALSE);
  json_object_set_int_member (why, "wall_us", wall_us);
  json_object_set_string_member (why, "reason", reason);
  json_array_add_object_element (json_object_get_array_member (o, "incomplete"), why);
  kaigi_manifest_changed (m);
}

void
kaigi_manifest_mark_state (KaigiManifest *m, const char *state, gint64 wall_us, gint64 media_us)
{
  JsonObject *o = obj (m), *mark;
  JsonArray *a;
  guint n;

  if (!json_object_has_member (o, "states"))
    json_object_set_array_member (o, "states", json_array_new ());
  a = json_object_get_array_member (o, "states");
  n = json_array_get_length (a);
  if (n
      && g_strcmp0 (json_object_get_string_member_with_default (
                        json_array_get_object_element (a, n - 1), "state", NULL),
                    state)
             == 0)
    return;
  mark = json_object_new ();
  json_object_set_string_member (mark, "state", state);
  json_object_set_int_member (mark, "wall_us", wall_us);
  json_object_set_int_member (mark, "media_us", media_us);
  json_array_add_object_element (a, mark);
  kaigi_manifest_changed (m);
}

void
kaigi_manifest_session_end (KaigiManifest *m, const char *who, const char *kind, guint session,
                            const char *state, const char *reason, gint64 wall_us)
{
  JsonObject *s = find_session (m, who, kind, session);

  if (!s)
    return;
  json_object_set_string_member (s, "state", state);
  json_object_set_int_member (s, "wall_end_us", wall_us);
  if (reason) {
    g_autofree char *why = g_strdup_printf (
        "%s session %u: %s", json_object_get_string_member (s, "track"), session, reason);
    json_object_set_string_member (s, "reason", reason);
    kaigi_manifest_mark_incomplete (m, why, wall_us);
  }
  kaigi_manifest_changed (m);
}

void
kaigi_manifest_drop_empty_pieces (KaigiManifest *m, const char *who, const char *kind,
                                  guint session)
{
  JsonObject *s = find_session (m, who, kind, session);
  JsonArray *a = s ? json_object_get_array_member (s, "pieces") : NULL;

  for (guint i = a ? json_array_get_length (a) : 0; i > 0; i--) {
    JsonObject *p = json_array_get_object_element (a, i - 1);
    g_autofree char *path
        = g_build_filename (m->dir, json_object_get_string_member (p, "file"), NULL);
    GStatBuf st;
    if (g_stat (path, &st) == 0 && st.st_size > 0)
      continue;
    g_unlink (path);
    json_array_remove_element (a, i - 1);
    kaigi_manifest_changed (m);
  }
}

/* ---- chapters and the program ---- */

void
kaigi_manifest_mark_chapter (KaigiManifest *m, const char *kind, const char *label, gint64 wall_us,
                             gint64 media_us)
{
  JsonObject *o = obj (m), *c = json_object_new ();

  if (!json_object_has_member (o, "chapters"))
    json_object_set_array_member (o, "chapters", json_array_new ());
  json_object_set_string_member (c, "kind", kind);
  json_object_set_string_member (c, "label", label ? label : "");
  json_object_set_int_member (c, "wall_us", wall_us);
  json_object_set_int_member (c, "media_us", media_us);
  json_array_add_object_element (json_object_get_array_member (o, "chapters"), c);
  kaigi_manifest_changed (m);
}

/* "program" (what the public saw) or "program_closed" (the closed sessions, not public). */
static JsonArray *
program_runs (KaigiManifest *m, gboolean closed)
{
  const char *member = closed ? "program_closed" : "program";

  if (!json_object_has_member (obj (m), member))
    json_object_set_array_member (obj (m), member, json_array_new ());
  return json_object_get_array_member (obj (m), member);
}

guint
kaigi_manifest_program_begin (KaigiManifest *m, gboolean closed, gint64 wall_us, char **location,
                              char **playlist, GError **error)
{
  g_autofree char *abs_dir = g_build_filename (m->dir, "program", NULL);
  JsonArray *runs = program_runs (m, closed);
  const char *prefix = closed ? "closed-" : "";
  g_autofree char *first = g_strdup_printf ("%s%%u-00000.ts", prefix);
  JsonObject *run;
  guint n = json_array_get_length (runs);

  if (!(n = next_free (abs_dir, first, n, error)))
    return 0;
  run = json_object_new ();
  json_object_set_int_member (run, "session", n);
  json_object_set_int_member (run, "wall_start_us", wall_us);
  json_object_set_array_member (run, "segments", json_array_new ());
  json_array_add_object_element (runs, run);
  *location = g_strdup_printf ("%s/%s%u-%%05d.ts", abs_dir, prefix, n);
  *playlist = g_strdup_printf ("%s/%s%u.m3u8", abs_dir, prefix, n);
  kaigi_manifest_changed (m);
  return n;
}

void
kaigi_manifest_program_segment (KaigiManifest *m, gboolean closed, guint session,
                                const char *location, gboolean opened, guint64 media_us,
                                gint64 wall_us)
{
  JsonArray *runs = program_runs (m, closed), *segs = NULL;
  const char *file = relative (m, location);

  for (guint i = 0; i < json_array_get_length (runs); i++) {
    JsonObject *r = json_array_get_object_element (runs, i);
    if ((guint)json_object_get_int_member (r, "session") == session)
      segs = json_object_get_array_member (r, "segments");
  }
  if (!segs)
    return;
  if (opened) {
    JsonObject *s = json_object_new ();
    json_object_set_string_member (s, "file", file);
    json_object_set_int_member (s, "media_start_us", media_us);
    json_object_set_int_member (s, "wall_start_us", wall_us);
    json_array_add_object_element (segs, s);
  } else {
    for (guint i = json_array_get_length (segs); i > 0; i--) {
      JsonObject *s = json_array_get_object_element (segs, i - 1);
      if (g_strcmp0 (json_object_get_string_member (s, "file"), file) == 0) {
        json_object_set_int_member (s, "media_end_us", media_us);
        json_object_set_int_member (s, "wall_end_us", wall_us);
        break;
      }
    }
  }
  kaigi_manifest_changed (m);
}
