/* store-meeting.c: prepared meetings in the store: create, load, list, update, delete and the
 * live state. Materials and decisions are in store-agenda.c.
 *
 * An update keeps the rows of entries that carry their id, so what hangs off them stays (an
 * agenda item's materials, a roster entry's in-room mark): the three child tables (venue,
 * agenda_item, roster) are synchronised by one table-driven routine with an UPSERT, never
 * INSERT OR REPLACE (that deletes the row first, and its materials with it by cascade).
 * Each create, update and delete is one transaction. Main thread only. */
#define G_LOG_DOMAIN "kaigi-store"

#include <stddef.h>

#include "meeting-private.h"
#include "store-private.h"

/* A table of a meeting's entries. Every entry struct (KaigiVenue, KaigiAgendaItem,
 * KaigiRosterEntry) starts with its gint64 id, so an entry pointer is a pointer to its id. */
typedef struct {
  const char *table;
  const char *field;  /* the document's array, for error messages */
  size_t array;       /* offset of the GPtrArray in KaigiMeeting */
  const char *upsert; /* ?1 id (NULL: new), ?2 meeting, ?3 position, ?4... bind () */
  void (*bind) (sqlite3_stmt *st, gconstpointer entry);
} Child;

static void
bind_venue (sqlite3_stmt *st, gconstpointer entry)
{
  const KaigiVenue *v = entry;

  sqlite3_bind_text (st, 4, kaigi_venue_kind_to_string (v->kind), -1, SQLITE_STATIC);
  sqlite3_bind_text (st, 5, v->name, -1, SQLITE_TRANSIENT);
}

static void
bind_item (sqlite3_stmt *st, gconstpointer entry)
{
  const KaigiAgendaItem *item = entry;

  sqlite3_bind_text (st, 4, item->number ? item->number : "", -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (st, 5, item->title, -1, SQLITE_TRANSIENT);
}

static void
bind_roster (sqlite3_stmt *st, gconstpointer entry)
{
  const KaigiRosterEntry *r = entry;

  sqlite3_bind_text (st, 4, r->name, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (st, 5, r->title ? r->title : "", -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (st, 6, kaigi_role_to_string (r->role), -1, SQLITE_STATIC);
  sqlite3_bind_text (st, 7, r->site, -1, SQLITE_TRANSIENT);
}

/* in_room is not in the upsert's update: an edit keeps the secretariat's mark. */
static const Child children[] = {
  { "venue", "venues", offsetof (KaigiMeeting, venues),
    "INSERT INTO venue (id, meeting_id, pos, kind, name) VALUES (?1, ?2, ?3, ?4, ?5) "
    "ON CONFLICT (id) DO UPDATE SET pos = excluded.pos, kind = excluded.kind, "
    "name = excluded.name",
    bind_venue },
  { "agenda_item", "agenda", offsetof (KaigiMeeting, agenda),
    "INSERT INTO agenda_item (id, meeting_id, pos, number, title) VALUES (?1, ?2, ?3, ?4, ?5) "
    "ON CONFLICT (id) DO UPDATE SET pos = excluded.pos, number = excluded.number, "
    "title = excluded.title",
    bind_item },
  { "roster", "roster", offsetof (KaigiMeeting, roster),
    "INSERT INTO roster (id, meeting_id, pos, name, title, role, site) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) "
    "ON CONFLICT (id) DO UPDATE SET pos = excluded.pos, name = excluded.name, "
    "title = excluded.title, role = excluded.role, site = excluded.site",
    bind_roster },
};

#define MEETING_COLUMNS                                                                            \
  "id, body, title, number, scheduled_at, closed, visibility_reason, quorum_in_room, quorum, "     \
  "state, current_item, opened_at_us, adjourned_at_us, peak_viewers"

static GPtrArray *
child_array (KaigiMeeting *m, const Child *c)
{
  return G_STRUCT_MEMBER (GPtrArray *, m, c->array);
}

/* The ids the table holds for meeting @id, as a set of gint64 * (owned). */
static GHashTable *
existing_ids (KaigiStore *s, const Child *c, gint64 id, GError **error)
{
  g_autofree char *sql = g_strdup_printf ("SELECT id FROM %s WHERE meeting_id = ?", c->table);
  g_autoptr (sqlite3_stmt) st = kaigi_store_prepare (s, sql, error);
  g_autoptr (GHashTable) ids = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  int rc;

  if (!st)
    return NULL;
  sqlite3_bind_int64 (st, 1, id);
  while ((rc = sqlite3_step (st)) == SQLITE_ROW) {
    gint64 row = sqlite3_column_int64 (st, 0);
    g_hash_table_add (ids, g_memdup2 (&row, sizeof row));
  }
  if (rc != SQLITE_DONE) {
    kaigi_store_fail (s, error, c->table);
    return NULL;
  }
  return g_steal_pointer (&ids);
}

/* Refuses ids that are not this meeting's, then deletes the rows no entry keeps. */
static gboolean
drop_missing (KaigiStore *s, const Child *c, gint64 id, GPtrArray *entries, GError **error)
{
  g_autoptr (GHashTable) stored = existing_ids (s, c, id, error);
  g_autofree char *sql = g_strdup_printf ("DELETE FROM %s WHERE id = ?", c->table);
  g_autoptr (sqlite3_stmt) del = NULL;
  GHashTableIter iter;
  gpointer key;

  if (!stored || !(del = kaigi_store_prepare (s, sql, error)))
    return FALSE;
  for (guint i = 0; i < entries->len; i++) {
    gint64 *entry_id = g_ptr_array_index (entries, i);
    if (*entry_id && !g_hash_table_remove (stored, entry_id)) {
      g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_INVALID,
                   "%s[%u].id: %" G_GINT64_FORMAT " is not an entry of this meeting", c->field, i,
                   *entry_id);
      return FALSE;
    }
  }
  g_hash_table_iter_init (&iter, stored);
  while (g_hash_table_iter_next (&iter, &key, NULL)) {
    sqlite3_reset (del);
    sqlite3_bind_int64 (del, 1, *(gint64 *)key);
    if (!kaigi_store_step_done (s, del, c->table, error))
      return FALSE;
  }
  return TRUE;
}

/* Writes every entry in its position; a new entry gets its id (and goes on @assigned, so a
 * failed transaction can take the ids back). */
static gboolean
upsert_entries (KaigiStore *s, const Child *c, gint64 id, GPtrArray *entries, GPtrArray *assigned,
                GError **error)
{
  g_autoptr (sqlite3_stmt) st = kaigi_store_prepare (s, c->upsert, error);

  if (!st)
    return FALSE;
  for (guint i = 0; i < entries->len; i++) {
    gint64 *entry_id = g_ptr_array_index (entries, i);
    sqlite3_reset (st);
    sqlite3_clear_bindings (st);
    if (*entry_id)
      sqlite3_bind_int64 (st, 1, *entry_id);
    sqlite3_bind_int64 (st, 2, id);
    sqlite3_bind_int64 (st, 3, i);
    c->bind (st, entry_id);
    if (!kaigi_store_step_done (s, st, c->table, error))
      return FALSE;
    if (!*entry_id) {
      *entry_id = sqlite3_last_insert_rowid (s->db);
      g_ptr_array_add (assigned, entry_id);
    }
  }
  return TRUE;
}

static gboolean
sync_children (KaigiStore *s, gint64 id, KaigiMeeting *m, GPtrArray *assigned, GError **error)
{
  for (guint i = 0; i < G_N_ELEMENTS (children); i++) {
    GPtrArray *entries = child_array (m, &children[i]);
    if (!drop_missing (s, &children[i], id, entries, error)
        || !upsert_entries (s, &children[i], id, entries, assigned, error))
      return FALSE;
  }
  return TRUE;
}

/* ?1..?8: the prepared part of the meeting row. */
static void
bind_meeting (sqlite3_stmt *st, const KaigiMeeting *m)
{
  sqlite3_bind_text (st, 1, m->title, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (st, 2, m->body ? m->body : "", -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (st, 3, m->number ? m->number : "", -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (st, 4, m->scheduled_at ? m->scheduled_at : "", -1, SQLITE_TRANSIENT);
  sqlite3_bind_int (st, 5, !!m->closed);
  sqlite3_bind_text (st, 6, m->visibility_reason ? m->visibility_reason : "", -1, SQLITE_TRANSIENT);
  sqlite3_bind_int (st, 7, !!m->quorum_in_room);
  sqlite3_bind_int64 (st, 8, m->quorum);
}

static gint64
insert_row (KaigiStore *s, const KaigiMeeting *m, gboolean is_demo, GError **error)
{
  g_autoptr (sqlite3_stmt) st = kaigi_store_prepare (
      s,
      "INSERT INTO meeting (title, body, number, scheduled_at, closed, visibility_reason, "
      "quorum_in_room, quorum, is_demo, created_us, state) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 'scheduled')",
      error);

  if (!st)
    return -1;
  bind_meeting (st, m);
  sqlite3_bind_int (st, 9, !!is_demo);
  sqlite3_bind_int64 (st, 10, g_get_real_time ());
  if (!kaigi_store_step_done (s, st, "create meeting", error))
    return -1;
  return sqlite3_last_insert_rowid (s->db);
}

static gboolean
update_row (KaigiStore *s, gint64 id, const KaigiMeeting *m, GError **error)
{
  g_autoptr (sqlite3_stmt) st = kaigi_store_prepare (
      s,
      "UPDATE meeting SET title = ?1, body = ?2, number = ?3, scheduled_at = ?4, closed = ?5, "
      "visibility_reason = ?6, quorum_in_room = ?7, quorum = ?8 WHERE id = ?9",
      error);

  if (!st)
    return FALSE;
  bind_meeting (st, m);
  sqlite3_bind_int64 (st, 9, id);
  return kaigi_store_step_done (s, st, "update meeting", error);
}

/* After a failed transaction: the entries that got an id from it are new again. */
static void
forget_ids (GPtrArray *assigned)
{
  for (guint i = 0; i < assigned->len; i++)
    *(gint64 *)g_ptr_array_index (assigned, i) = 0;
}

static void
clear_ids (KaigiMeeting *m)
{
  for (guint i = 0; i < G_N_ELEMENTS (children); i++) {
    GPtrArray *entries = child_array (m, &children[i]);
    for (guint j = 0; j < entries->len; j++)
      *(gint64 *)g_ptr_array_index (entries, j) = 0;
  }
}

gint64
kaigi_store_meeting_insert (KaigiStore *s, KaigiMeeting *m, gboolean is_demo, GError **error)
{
  g_autoptr (GPtrArray) assigned = g_ptr_array_new ();
  gint64 id;

  /* Everything is new, whatever ids the document carried; materials come by upload. */
  clear_ids (m);
  for (guint i = 0; i < m->agenda->len; i++)
    g_ptr_array_set_size (((KaigiAgendaItem *)g_ptr_array_index (m->agenda, i))->materials, 0);
  if (!kaigi_store_begin (s, error))
    return -1;
  if ((id = insert_row (s, m, is_demo, error)) < 0 || !sync_children (s, id, m, assigned, error)
      || !kaigi_store_commit (s, error)) {
    kaigi_store_rollback (s);
    forget_ids (assigned);
    return -1;
  }
  m->id = id;
  m->state = KAIGI_MEETING_SCHEDULED;
  return id;
}

gint64
kaigi_store_meeting_create (KaigiStore *s, KaigiMeeting *m, GError **error)
{
  return kaigi_store_meeting_insert (s, m, FALSE, error);
}

/* ---- loading ---- */

static KaigiMeeting *
meeting_from_row (sqlite3_stmt *st)
{
  KaigiMeeting *m = kaigi_meeting_new ();

  m->id = sqlite3_column_int64 (st, 0);
  g_free (m->body);
  m->body = kaigi_store_column_dup (st, 1);
  g_free (m->title);
  m->title = kaigi_store_column_dup (st, 2);
  g_free (m->number);
  m->number = kaigi_store_column_dup (st, 3);
  g_free (m->scheduled_at);
  m->scheduled_at = kaigi_store_column_dup (st, 4);
  m->closed = sqlite3_column_int (st, 5);
  g_free (m->visibility_reason);
  m->visibility_reason = kaigi_store_column_dup (st, 6);
  m->quorum_in_room = sqlite3_column_int (st, 7);
  m->quorum = sqlite3_column_int (st, 8);
  if (!kaigi_meeting_state_from_string ((const char *)sqlite3_column_text (st, 9), &m->state))
    m->state = KAIGI_MEETING_SCHEDULED;
  m->current_item = sqlite3_column_int64 (st, 10);
  m->opened_at_us = sqlite3_column_int64 (st, 11);
  m->adjourned_at_us = sqlite3_column_int64 (st, 12);
  m->peak_viewers = (guint)sqlite3_column_int (st, 13);
  return m;
}

static gboolean
load_venues (KaigiStore *s, KaigiMeeting *m, GError **error)
{
  g_autoptr (sqlite3_stmt) st = kaigi_store_prepare (
      s, "SELECT id, kind, name FROM venue WHERE meeting_id = ? ORDER BY pos, id", error);
  int rc;

  if (!st)
    return FALSE;
  sqlite3_bind_int64 (st, 1, m->id);
  while ((rc = sqlite3_step (st)) == SQLITE_ROW) {
    KaigiVenue *v = g_new0 (KaigiVenue, 1);
    int kind = kaigi_meeting_name_index (kaigi_meeting_venue_kind_names,
                                         (const char *)sqlite3_column_text (st, 1));
    v->id = sqlite3_column_int64 (st, 0);
    v->kind = kind < 0 ? KAIGI_VENUE_SATELLITE : (KaigiVenueKind)kind;
    v->name = kaigi_store_column_dup (st, 2);
    g_ptr_array_add (m->venues, v);
  }
  return rc == SQLITE_DONE || kaigi_store_fail (s, error, "load venues");
}

static gboolean
load_materials (KaigiStore *s, KaigiAgendaItem *item, GError **error)
{
  g_autoptr (sqlite3_stmt) st = kaigi_store_prepare (
      s, "SELECT id, name, content_type, size FROM material WHERE item_id = ? ORDER BY id", error);
  int rc;

  if (!st)
    return FALSE;
  g_ptr_array_set_size (item->materials, 0);
  sqlite3_bind_int64 (st, 1, item->id);
  while ((rc = sqlite3_step (st)) == SQLITE_ROW) {
    KaigiMaterial *mat = g_new0 (KaigiMaterial, 1);
    mat->id = sqlite3_column_int64 (st, 0);
    mat->name = kaigi_store_column_dup (st, 1);
    mat->content_type = kaigi_store_column_dup (st, 2);
    mat->size = sqlite3_column_int64 (st, 3);
    g_ptr_array_add (item->materials, mat);
  }
  return rc == SQLITE_DONE || kaigi_store_fail (s, error, "load materials");
}

static gboolean
load_agenda (KaigiStore *s, KaigiMeeting *m, GError **error)
{
  g_autoptr (sqlite3_stmt) st = kaigi_store_prepare (
      s, "SELECT id, number, title FROM agenda_item WHERE meeting_id = ? ORDER BY pos, id", error);
  int rc;

  if (!st)
    return FALSE;
  sqlite3_bind_int64 (st, 1, m->id);
  while ((rc = sqlite3_step (st)) == SQLITE_ROW) {
    KaigiAgendaItem *item = kaigi_meeting_item_new ();
    item->id = sqlite3_column_int64 (st, 0);
    item->number = kaigi_store_column_dup (st, 1);
    item->title = kaigi_store_column_dup (st, 2);
    g_ptr_array_add (m->agenda, item);
    if (!load_materials (s, item, error))
      return FALSE;
  }
  return rc == SQLITE_DONE || kaigi_store_fail (s, error, "load agenda");
}

static gboolean
load_roster (KaigiStore *s, KaigiMeeting *m, GError **error)
{
  g_autoptr (sqlite3_stmt) st
      = kaigi_store_prepare (s,
                             "SELECT id, name, title, role, site, in_room FROM roster "
                             "WHERE meeting_id = ? ORDER BY pos, id",
                             error);
  int rc;

  if (!st)
    return FALSE;
  sqlite3_bind_int64 (st, 1, m->id);
  while ((rc = sqlite3_step (st)) == SQLITE_ROW) {
    KaigiRosterEntry *r = g_new0 (KaigiRosterEntry, 1);
    r->id = sqlite3_column_int64 (st, 0);
    r->name = kaigi_store_column_dup (st, 1);
    r->title = kaigi_store_column_dup (st, 2);
    if (!kaigi_role_from_string ((const char *)sqlite3_column_text (st, 3), &r->role))
      r->role = KAIGI_ROLE_MEMBER;
    r->site = kaigi_store_column_dup (st, 4);
    r->in_room = sqlite3_column_int (st, 5);
    g_ptr_array_add (m->roster, r);
  }
  return rc == SQLITE_DONE || kaigi_store_fail (s, error, "load roster");
}

KaigiMeeting *
kaigi_store_meeting_load (KaigiStore *s, gint64 id, GError **error)
{
  g_autoptr (sqlite3_stmt) st
      = kaigi_store_prepare (s, "SELECT " MEETING_COLUMNS " FROM meeting WHERE id = ?", error);
  g_autoptr (KaigiMeeting) m = NULL;

  if (!st)
    return NULL;
  sqlite3_bind_int64 (st, 1, id);
  if (sqlite3_step (st) != SQLITE_ROW) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_NOT_FOUND, "no meeting %" G_GINT64_FORMAT, id);
    return NULL;
  }
  m = meeting_from_row (st);
  if (!load_venues (s, m, error) || !load_agenda (s, m, error) || !load_roster (s, m, error))
    return NULL;
  return g_steal_pointer (&m);
}

/* ---- update, list, delete ---- */

/* The document's materials are not the store's: @m gets what is stored for its items. */
static gboolean
reload_materials (KaigiStore *s, KaigiMeeting *m, GError **error)
{
  for (guint i = 0; i < m->agenda->len; i++)
    if (!load_materials (s, g_ptr_array_index (m->agenda, i), error))
      return FALSE;
  return TRUE;
}

gboolean
kaigi_store_meeting_update (KaigiStore *s, gint64 id, KaigiMeeting *m, GError **error)
{
  g_autoptr (GPtrArray) assigned = g_ptr_array_new ();

  if (!kaigi_store_begin (s, error))
    return FALSE;
  if (!kaigi_store_require_scheduled (s, id, "edit", error) || !update_row (s, id, m, error)
      || !sync_children (s, id, m, assigned, error) || !reload_materials (s, m, error)
      || !kaigi_store_commit (s, error)) {
    kaigi_store_rollback (s);
    forget_ids (assigned);
    return FALSE;
  }
  m->id = id;
  m->state = KAIGI_MEETING_SCHEDULED;
  return TRUE;
}

/* Microseconds since the epoch of @m's scheduled_at; unparsable (a meeting from schema 1)
 * sorts as the oldest. */
static gint64
scheduled_us (const KaigiMeeting *m)
{
  g_autoptr (GDateTime) when = g_date_time_new_from_iso8601 (m->scheduled_at, NULL);

  return when ? g_date_time_to_unix (when) * G_USEC_PER_SEC + g_date_time_get_microsecond (when)
              : G_MININT64;
}

/* Newest first; the time, not the string, decides (offsets may differ). */
static int
newest_first (gconstpointer a, gconstpointer b)
{
  const KaigiMeeting *ma = *(KaigiMeeting *const *)a, *mb = *(KaigiMeeting *const *)b;
  gint64 ta = scheduled_us (ma), tb = scheduled_us (mb);

  if (ta != tb)
    return ta < tb ? 1 : -1;
  return ma->id < mb->id ? 1 : ma->id > mb->id ? -1 : 0;
}

GPtrArray *
kaigi_store_meeting_list (KaigiStore *s, GError **error)
{
  g_autoptr (sqlite3_stmt) st
      = kaigi_store_prepare (s, "SELECT " MEETING_COLUMNS " FROM meeting", error);
  g_autoptr (GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify)kaigi_meeting_free);
  int rc;

  if (!st)
    return NULL;
  while ((rc = sqlite3_step (st)) == SQLITE_ROW)
    g_ptr_array_add (list, meeting_from_row (st));
  if (rc != SQLITE_DONE) {
    kaigi_store_fail (s, error, "list meetings");
    return NULL;
  }
  g_ptr_array_sort (list, newest_first);
  return g_steal_pointer (&list);
}

static gboolean
delete_rows (KaigiStore *s, const char *sql, gint64 id, GError **error)
{
  g_autoptr (sqlite3_stmt) st = kaigi_store_prepare (s, sql, error);

  if (!st)
    return FALSE;
  sqlite3_bind_int64 (st, 1, id);
  return kaigi_store_step_done (s, st, "delete meeting", error);
}

gboolean
kaigi_store_meeting_delete (KaigiStore *s, gint64 id, GError **error)
{
  if (!kaigi_store_begin (s, error))
    return FALSE;
  /* The timeline (schema 1) has no cascade; the other tables follow the meeting. */
  if (!kaigi_store_require_scheduled (s, id, "delete", error)
      || !delete_rows (s, "DELETE FROM timeline WHERE meeting_id = ?", id, error)
      || !delete_rows (s, "DELETE FROM meeting WHERE id = ?", id, error)
      || !kaigi_store_commit (s, error))
    return kaigi_store_rollback (s);
  return TRUE;
}

/* ---- the live state ---- */

gboolean
kaigi_store_item_check (KaigiStore *s, gint64 meeting_id, gint64 item_id, GError **error)
{
  g_autoptr (sqlite3_stmt) st
      = kaigi_store_prepare (s, "SELECT 1 FROM agenda_item WHERE id = ? AND meeting_id = ?", error);

  if (!st)
    return FALSE;
  sqlite3_bind_int64 (st, 1, item_id);
  sqlite3_bind_int64 (st, 2, meeting_id);
  if (sqlite3_step (st) == SQLITE_ROW)
    return TRUE;
  g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_NOT_FOUND,
               "no agenda item %" G_GINT64_FORMAT " in meeting %" G_GINT64_FORMAT, item_id,
               meeting_id);
  return FALSE;
}

gboolean
kaigi_store_meeting_set_state (KaigiStore *s, gint64 id, KaigiMeetingState state,
                               gint64 current_item, GError **error)
{
  KaigiMeetingState old;
  g_autoptr (sqlite3_stmt) st = NULL;

  if (!kaigi_store_meeting_state (s, id, &old, error)
      || (current_item && !kaigi_store_item_check (s, id, current_item, error)))
    return FALSE;
  /* Each time stamp is taken once: a recess and a return do not reopen the meeting. */
  st = kaigi_store_prepare (
      s,
      "UPDATE meeting SET state = ?1, current_item = ?2, "
      "opened_at_us = CASE WHEN opened_at_us = 0 AND ?1 != 'scheduled' THEN ?3 "
      "  ELSE opened_at_us END, "
      "adjourned_at_us = CASE WHEN adjourned_at_us = 0 AND ?1 = 'adjourned' THEN ?3 "
      "  ELSE adjourned_at_us END "
      "WHERE id = ?4",
      error);
  if (!st)
    return FALSE;
  sqlite3_bind_text (st, 1, kaigi_meeting_state_to_string (state), -1, SQLITE_STATIC);
  sqlite3_bind_int64 (st, 2, current_item);
  sqlite3_bind_int64 (st, 3, g_get_real_time ());
  sqlite3_bind_int64 (st, 4, id);
  return kaigi_store_step_done (s, st, "set state", error);
}

gboolean
kaigi_store_meeting_raise_viewers (KaigiStore *s, gint64 id, guint viewers, GError **error)
{
  g_autoptr (sqlite3_stmt) st = kaigi_store_prepare (
      s, "UPDATE meeting SET peak_viewers = MAX(peak_viewers, ?1) WHERE id = ?2", error);

  if (!st)
    return FALSE;
  sqlite3_bind_int (st, 1, (int)MIN (viewers, G_MAXINT));
  sqlite3_bind_int64 (st, 2, id);
  return kaigi_store_step_done (s, st, "raise viewers", error);
}
