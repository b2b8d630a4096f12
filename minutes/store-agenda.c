/* store-agenda.c: what hangs off a meeting's agenda items in the store: the records of
 * uploaded materials and the decisions taken (了承 / 採決).
 *
 * The store keeps a material's record only; the file is the caller's (recorder/layout.h names
 * it), so deleting a record never touches the disk. A decision's names are kept as written
 * when it was taken, as a JSON array, so a later roster edit does not rewrite history.
 * Main thread only. */
#define G_LOG_DOMAIN "kaigi-store"

#include "store-private.h"

/* ---- materials ---- */

gint64
kaigi_store_material_add (KaigiStore *s, gint64 meeting_id, gint64 item_id, const char *name,
                          const char *content_type, gint64 size, GError **error)
{
  g_autoptr (sqlite3_stmt) st = NULL;

  if (!kaigi_store_item_check (s, meeting_id, item_id, error))
    return -1;
  st = kaigi_store_prepare (s,
                            "INSERT INTO material (item_id, name, content_type, size, created_us) "
                            "VALUES (?, ?, ?, ?, ?)",
                            error);
  if (!st)
    return -1;
  sqlite3_bind_int64 (st, 1, item_id);
  sqlite3_bind_text (st, 2, name, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (st, 3, content_type ? content_type : "application/octet-stream", -1,
                     SQLITE_TRANSIENT);
  sqlite3_bind_int64 (st, 4, size);
  sqlite3_bind_int64 (st, 5, g_get_real_time ());
  if (!kaigi_store_step_done (s, st, "add material", error))
    return -1;
  return sqlite3_last_insert_rowid (s->db);
}

KaigiMaterial *
kaigi_store_material_get (KaigiStore *s, gint64 material_id, gint64 *meeting_id, GError **error)
{
  g_autoptr (sqlite3_stmt) st
      = kaigi_store_prepare (s,
                             "SELECT m.name, m.content_type, m.size, a.meeting_id "
                             "FROM material m JOIN agenda_item a ON a.id = m.item_id "
                             "WHERE m.id = ?",
                             error);
  KaigiMaterial *mat;

  if (!st)
    return NULL;
  sqlite3_bind_int64 (st, 1, material_id);
  if (sqlite3_step (st) != SQLITE_ROW) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_NOT_FOUND, "no material %" G_GINT64_FORMAT,
                 material_id);
    return NULL;
  }
  mat = g_new0 (KaigiMaterial, 1);
  mat->id = material_id;
  mat->name = kaigi_store_column_dup (st, 0);
  mat->content_type = kaigi_store_column_dup (st, 1);
  mat->size = sqlite3_column_int64 (st, 2);
  if (meeting_id)
    *meeting_id = sqlite3_column_int64 (st, 3);
  return mat;
}

/* Refused with KAIGI_ERROR_STATE once the meeting has left scheduled, as the API's DELETE. */
gboolean
kaigi_store_material_delete (KaigiStore *s, gint64 material_id, GError **error)
{
  KaigiMaterial *mat;
  gint64 meeting_id = 0;
  g_autoptr (sqlite3_stmt) st = NULL;

  if (!(mat = kaigi_store_material_get (s, material_id, &meeting_id, error)))
    return FALSE;
  kaigi_material_free (mat);
  if (!kaigi_store_require_scheduled (s, meeting_id, "delete material", error)
      || !(st = kaigi_store_prepare (s, "DELETE FROM material WHERE id = ?", error)))
    return FALSE;
  sqlite3_bind_int64 (st, 1, material_id);
  return kaigi_store_step_done (s, st, "delete material", error);
}

/* ---- decisions ---- */

static char *
names_to_json (const char *const *names)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;

  json_builder_begin_array (b);
  for (guint i = 0; names && names[i]; i++)
    json_builder_add_string_value (b, names[i]);
  json_builder_end_array (b);
  root = json_builder_get_root (b);
  return json_to_string (root, FALSE);
}

static gboolean
check_decision (KaigiStore *s, gint64 meeting_id, gint64 item_id, const char *kind, GError **error)
{
  KaigiMeetingState state;

  if (!kaigi_store_meeting_state (s, meeting_id, &state, error)
      || (item_id && !kaigi_store_item_check (s, meeting_id, item_id, error)))
    return FALSE;
  if (g_strcmp0 (kind, "approved") != 0 && g_strcmp0 (kind, "vote") != 0) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_INVALID, "kind: must be one of approved, vote");
    return FALSE;
  }
  return TRUE;
}

gint64
kaigi_store_decision_add (KaigiStore *s, gint64 meeting_id, gint64 item_id, const char *kind,
                          const char *text, const char *const *for_names,
                          const char *const *against_names, const char *const *abstain_names,
                          GError **error)
{
  g_autoptr (sqlite3_stmt) st = NULL;
  const char *const *lists[] = { for_names, against_names, abstain_names };

  if (!check_decision (s, meeting_id, item_id, kind, error))
    return -1;
  st = kaigi_store_prepare (s,
                            "INSERT INTO decision (meeting_id, item_id, kind, text, for_names, "
                            "against_names, abstain_names, at_us) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                            error);
  if (!st)
    return -1;
  sqlite3_bind_int64 (st, 1, meeting_id);
  if (item_id)
    sqlite3_bind_int64 (st, 2, item_id);
  sqlite3_bind_text (st, 3, kind, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (st, 4, text ? text : "", -1, SQLITE_TRANSIENT);
  for (int i = 0; i < 3; i++)
    sqlite3_bind_text (st, 5 + i, names_to_json (lists[i]), -1, g_free);
  sqlite3_bind_int64 (st, 8, g_get_real_time ());
  if (!kaigi_store_step_done (s, st, "add decision", error))
    return -1;
  return sqlite3_last_insert_rowid (s->db);
}

/* A stored names column as an array node; anything unreadable reads as []. */
static JsonNode *
names_from_json (const char *json)
{
  JsonNode *node = json ? json_from_string (json, NULL) : NULL;

  if (node && JSON_NODE_HOLDS_ARRAY (node))
    return node;
  if (node)
    json_node_unref (node);
  node = json_node_new (JSON_NODE_ARRAY);
  json_node_take_array (node, json_array_new ());
  return node;
}

static JsonObject *
decision_from_row (sqlite3_stmt *st)
{
  static const char *const lists[] = { "for", "against", "abstain" };
  JsonObject *o = json_object_new ();

  json_object_set_int_member (o, "id", sqlite3_column_int64 (st, 0));
  if (sqlite3_column_type (st, 1) == SQLITE_NULL)
    json_object_set_null_member (o, "item");
  else
    json_object_set_int_member (o, "item", sqlite3_column_int64 (st, 1));
  json_object_set_string_member (o, "kind", (const char *)sqlite3_column_text (st, 2));
  json_object_set_string_member (o, "text", (const char *)sqlite3_column_text (st, 3));
  for (int i = 0; i < 3; i++)
    json_object_set_member (o, lists[i],
                            names_from_json ((const char *)sqlite3_column_text (st, 4 + i)));
  json_object_set_int_member (o, "at_us", sqlite3_column_int64 (st, 7));
  return o;
}

JsonNode *
kaigi_store_decisions_json (KaigiStore *s, gint64 meeting_id, GError **error)
{
  g_autoptr (sqlite3_stmt) st = NULL;
  g_autoptr (JsonArray) decisions = json_array_new ();
  KaigiMeetingState state;
  int rc;

  if (!kaigi_store_meeting_state (s, meeting_id, &state, error))
    return NULL;
  st = kaigi_store_prepare (s,
                            "SELECT id, item_id, kind, text, for_names, against_names, "
                            "abstain_names, at_us FROM decision WHERE meeting_id = ? ORDER BY id",
                            error);
  if (!st)
    return NULL;
  sqlite3_bind_int64 (st, 1, meeting_id);
  while ((rc = sqlite3_step (st)) == SQLITE_ROW)
    json_array_add_object_element (decisions, decision_from_row (st));
  if (rc != SQLITE_DONE) {
    kaigi_store_fail (s, error, "load decisions");
    return NULL;
  }
  return json_node_init_array (json_node_alloc (), decisions);
}
