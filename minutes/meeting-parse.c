/* meeting-parse.c: reads a meeting document (docs/meetings-api.md) into a KaigiMeeting and
 * enforces its rules.
 *
 * Why here and not in the HTTP handler: the store and the tests rely on a KaigiMeeting that
 * came through this being sound (one main venue, one chair, every site a venue), and the
 * secretariat must be told which field is wrong, so every refusal names its field
 * ("roster[2].role: ..."). Strings are trimmed (also of U+3000, the ideographic space) before
 * their limits, which count characters, not bytes. Unknown members are ignored; `state` and
 * materials are the server's and are not read.
 * Plain data, no threads. */
#define G_LOG_DOMAIN "kaigi-meeting"

#include "meeting.h"

#include "kaigi-error.h"
#include "meeting-private.h"

#define NAME_MAX_CHARS 64
#define TEXT_MAX_CHARS 200

static const char *const visibility_names[] = { "public", "closed", NULL };
static const char *const quorum_rule_names[] = { "all", "in-room", NULL };
/* The roles a roster entry may have, in the order the documentation lists them. */
static const char *const roster_role_names[]
    = { "chair", "member", "presenter", "secretariat", NULL };

static char *
field_name (const char *path, const char *member)
{
  if (!path)
    return g_strdup (member);
  if (!member)
    return g_strdup (path);
  return g_strdup_printf ("%s.%s", path, member);
}

static gboolean G_GNUC_PRINTF (4, 5)
    invalid (GError **error, const char *path, const char *member, const char *format, ...)
{
  g_autofree char *field = field_name (path, member);
  g_autofree char *why = NULL;
  va_list args;

  va_start (args, format);
  why = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_INVALID, "%s: %s", field, why);
  return FALSE;
}

/* A copy of @s without leading and trailing white space (Unicode's, not only ASCII's). */
static char *
trim_copy (const char *s)
{
  const char *end = s + strlen (s);

  while (*s && g_unichar_isspace (g_utf8_get_char (s)))
    s = g_utf8_next_char (s);
  while (end > s) {
    const char *prev = g_utf8_prev_char (end);
    if (!g_unichar_isspace (g_utf8_get_char (prev)))
      break;
    end = prev;
  }
  return g_strndup (s, end - s);
}

static gboolean
has_control_chars (const char *s)
{
  for (; *s; s = g_utf8_next_char (s))
    if (g_unichar_iscntrl (g_utf8_get_char (s)))
      return TRUE;
  return FALSE;
}

static gboolean
check_length (const char *s, const char *path, const char *member, guint min, guint max,
              GError **error)
{
  glong n = g_utf8_strlen (s, -1);

  if (n >= min && n <= max)
    return TRUE;
  if (min == 0)
    return invalid (error, path, member, "must be at most %u characters", max);
  if (n == 0)
    return invalid (error, path, member, "is required (%u to %u characters)", min, max);
  return invalid (error, path, member, "must be %u to %u characters", min, max);
}

/* A string member, trimmed. Absent or null reads as "" (then refused if @min > 0). */
static gboolean
read_string (JsonObject *o, const char *path, const char *member, guint min, guint max, char **out,
             GError **error)
{
  JsonNode *node = json_object_get_member (o, member);
  g_autofree char *s = NULL;

  if (node && !JSON_NODE_HOLDS_NULL (node)) {
    if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
      return invalid (error, path, member, "must be a string");
    if (!g_utf8_validate (json_node_get_string (node), -1, NULL))
      return invalid (error, path, member, "must be valid UTF-8");
    s = trim_copy (json_node_get_string (node));
  } else {
    s = g_strdup ("");
  }
  if (has_control_chars (s))
    return invalid (error, path, member, "must not contain control characters");
  if (!check_length (s, path, member, min, max, error))
    return FALSE;
  g_free (*out);
  *out = g_steal_pointer (&s);
  return TRUE;
}

/* A whole number >= 0; absent or null reads as 0. */
static gboolean
read_count (JsonObject *o, const char *path, const char *member, gint64 max, gint64 *out,
            GError **error)
{
  JsonNode *node = json_object_get_member (o, member);

  *out = 0;
  if (!node || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64
      || json_node_get_int (node) < 0 || json_node_get_int (node) > max)
    return invalid (error, path, member, "must be a whole number from 0 to %" G_GINT64_FORMAT, max);
  *out = json_node_get_int (node);
  return TRUE;
}

/* One of @names; absent or null reads as @fallback, or is refused if @fallback is -1. */
static gboolean
read_choice (JsonObject *o, const char *path, const char *member, const char *const *names,
             int fallback, int *out, GError **error)
{
  JsonNode *node = json_object_get_member (o, member);
  const char *s = NULL;
  g_autofree char *list = NULL;

  if ((!node || JSON_NODE_HOLDS_NULL (node)) && fallback >= 0) {
    *out = fallback;
    return TRUE;
  }
  if (node && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    s = json_node_get_string (node);
  if ((*out = kaigi_meeting_name_index (names, s)) >= 0)
    return TRUE;
  list = g_strjoinv (", ", (char **)names);
  return invalid (error, path, member, "must be one of %s", list);
}

/* An array member; absent or null reads as empty (*out NULL). */
static gboolean
read_array (JsonObject *o, const char *member, JsonArray **out, GError **error)
{
  JsonNode *node = json_object_get_member (o, member);

  *out = NULL;
  if (!node || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    return invalid (error, NULL, member, "must be an array");
  *out = json_node_get_array (node);
  return TRUE;
}

/* Element @i of @array as an object; *@path becomes its field name, "member[i]". */
static JsonObject *
element (JsonArray *array, guint i, const char *member, char **path, GError **error)
{
  JsonNode *node = json_array_get_element (array, i);

  *path = g_strdup_printf ("%s[%u]", member, i);
  if (!JSON_NODE_HOLDS_OBJECT (node)) {
    invalid (error, *path, NULL, "must be an object");
    return NULL;
  }
  return json_node_get_object (node);
}

/* The entry's `id`: absent or 0 for a new entry; no two entries of one array share one. */
static gboolean
read_id (JsonObject *o, const char *path, GHashTable *seen, gint64 *id, GError **error)
{
  if (!read_count (o, path, "id", G_MAXINT, id, error))
    return FALSE;
  if (*id == 0)
    return TRUE;
  if (!g_hash_table_add (seen, id))
    return invalid (error, path, "id", "%" G_GINT64_FORMAT " is used twice", *id);
  return TRUE;
}

/* ---- venues ---- */

static gboolean
read_venue (JsonObject *o, const char *path, KaigiMeeting *m, GHashTable *seen, GError **error)
{
  KaigiVenue *v = g_new0 (KaigiVenue, 1);
  int kind;

  g_ptr_array_add (m->venues, v);
  if (!read_id (o, path, seen, &v->id, error)
      || !read_choice (o, path, "kind", kaigi_meeting_venue_kind_names, -1, &kind, error)
      || !read_string (o, path, "name", 1, NAME_MAX_CHARS, &v->name, error))
    return FALSE;
  v->kind = (KaigiVenueKind)kind;
  if (kaigi_meeting_venue_by_name (m, v->name) != v)
    return invalid (error, path, "name", "another venue has this name");
  return TRUE;
}

static gboolean
check_venue_kinds (const KaigiMeeting *m, GError **error)
{
  guint main = 0, online = 0;

  for (guint i = 0; i < m->venues->len; i++) {
    KaigiVenue *v = g_ptr_array_index (m->venues, i);
    main += v->kind == KAIGI_VENUE_MAIN;
    online += v->kind == KAIGI_VENUE_ONLINE;
  }
  if (main != 1)
    return invalid (error, "venues", NULL, "exactly one venue of kind main");
  if (online > 1)
    return invalid (error, "venues", NULL, "at most one venue of kind online");
  return TRUE;
}

static gboolean
read_venues (JsonObject *root, KaigiMeeting *m, GError **error)
{
  g_autoptr (GHashTable) seen = g_hash_table_new (g_int64_hash, g_int64_equal);
  JsonArray *array;

  if (!read_array (root, "venues", &array, error))
    return FALSE;
  for (guint i = 0; array && i < json_array_get_length (array); i++) {
    g_autofree char *path = NULL;
    JsonObject *o = element (array, i, "venues", &path, error);
    if (!o || !read_venue (o, path, m, seen, error))
      return FALSE;
  }
  return check_venue_kinds (m, error);
}

/* ---- agenda ---- */

static gboolean
read_agenda (JsonObject *root, KaigiMeeting *m, GError **error)
{
  g_autoptr (GHashTable) seen = g_hash_table_new (g_int64_hash, g_int64_equal);
  JsonArray *array;

  if (!read_array (root, "agenda", &array, error))
    return FALSE;
  for (guint i = 0; array && i < json_array_get_length (array); i++) {
    g_autofree char *path = NULL;
    JsonObject *o = element (array, i, "agenda", &path, error);
    KaigiAgendaItem *item;

    if (!o)
      return FALSE;
    item = kaigi_meeting_item_new ();
    g_ptr_array_add (m->agenda, item);
    if (!read_id (o, path, seen, &item->id, error)
        || !read_string (o, path, "number", 0, NAME_MAX_CHARS, &item->number, error)
        || !read_string (o, path, "title", 1, TEXT_MAX_CHARS, &item->title, error))
      return FALSE;
  }
  return TRUE;
}

/* ---- roster ---- */

static gboolean
read_roster_entry (JsonObject *o, const char *path, KaigiMeeting *m, GHashTable *seen,
                   GError **error)
{
  KaigiRosterEntry *r = g_new0 (KaigiRosterEntry, 1);
  int role;

  g_ptr_array_add (m->roster, r);
  if (!read_id (o, path, seen, &r->id, error)
      || !read_string (o, path, "name", 1, NAME_MAX_CHARS, &r->name, error)
      || !read_string (o, path, "title", 0, NAME_MAX_CHARS, &r->title, error)
      || !read_choice (o, path, "role", roster_role_names, -1, &role, error)
      || !read_string (o, path, "site", 1, NAME_MAX_CHARS, &r->site, error))
    return FALSE;
  kaigi_role_from_string (roster_role_names[role], &r->role);
  if (!kaigi_meeting_venue_by_name (m, r->site))
    return invalid (error, path, "site", "must be the name of one of the venues");
  return TRUE;
}

static gboolean
read_roster (JsonObject *root, KaigiMeeting *m, GError **error)
{
  g_autoptr (GHashTable) seen = g_hash_table_new (g_int64_hash, g_int64_equal);
  JsonArray *array;
  guint chairs = 0;

  if (!read_array (root, "roster", &array, error))
    return FALSE;
  for (guint i = 0; array && i < json_array_get_length (array); i++) {
    g_autofree char *path = NULL;
    JsonObject *o = element (array, i, "roster", &path, error);
    if (!o || !read_roster_entry (o, path, m, seen, error))
      return FALSE;
    chairs += ((KaigiRosterEntry *)g_ptr_array_index (m->roster, i))->role == KAIGI_ROLE_CHAIR;
  }
  if (chairs != 1)
    return invalid (error, "roster", NULL, "exactly one entry of role chair");
  return TRUE;
}

/* ---- the meeting itself ---- */

static gboolean
read_scheduled_at (JsonObject *root, KaigiMeeting *m, GError **error)
{
  g_autoptr (GDateTime) when = NULL;

  if (!read_string (root, NULL, "scheduled_at", 1, NAME_MAX_CHARS, &m->scheduled_at, error))
    return FALSE;
  /* No default time zone: a time without its offset is refused, not guessed. */
  when = g_date_time_new_from_iso8601 (m->scheduled_at, NULL);
  if (!when)
    return invalid (error, NULL, "scheduled_at",
                    "must be ISO 8601 with an offset, e.g. 2021-03-10T10:30:00+09:00");
  return TRUE;
}

static gboolean
read_visibility (JsonObject *root, KaigiMeeting *m, GError **error)
{
  int visibility, rule;

  if (!read_choice (root, NULL, "visibility", visibility_names, 0, &visibility, error)
      || !read_string (root, NULL, "visibility_reason", 0, TEXT_MAX_CHARS, &m->visibility_reason,
                       error)
      || !read_choice (root, NULL, "quorum_rule", quorum_rule_names, 0, &rule, error))
    return FALSE;
  m->closed = visibility == 1;
  m->quorum_in_room = rule == 1;
  if (m->closed && !*m->visibility_reason)
    return invalid (error, NULL, "visibility_reason", "is required when visibility is closed");
  return TRUE;
}

static gboolean
read_quorum (JsonObject *root, KaigiMeeting *m, GError **error)
{
  gint64 quorum;
  guint members = 0;

  for (guint i = 0; i < m->roster->len; i++) {
    KaigiRosterEntry *r = g_ptr_array_index (m->roster, i);
    members += r->role == KAIGI_ROLE_CHAIR || r->role == KAIGI_ROLE_MEMBER;
  }
  /* A quorum above the number of members could never be reached. */
  if (!read_count (root, NULL, "quorum", members, &quorum, error))
    return FALSE;
  m->quorum = quorum;
  return TRUE;
}

static gboolean
read_meeting (JsonObject *root, KaigiMeeting *m, GError **error)
{
  return read_count (root, NULL, "id", G_MAXINT64, &m->id, error)
         && read_string (root, NULL, "body", 0, TEXT_MAX_CHARS, &m->body, error)
         && read_string (root, NULL, "title", 1, TEXT_MAX_CHARS, &m->title, error)
         && read_string (root, NULL, "number", 0, TEXT_MAX_CHARS, &m->number, error)
         && read_scheduled_at (root, m, error) && read_visibility (root, m, error)
         && read_venues (root, m, error) && read_agenda (root, m, error)
         && read_roster (root, m, error) && read_quorum (root, m, error);
}

KaigiMeeting *
kaigi_meeting_from_json (JsonNode *node, GError **error)
{
  g_autoptr (KaigiMeeting) m = kaigi_meeting_new ();

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);
  if (!node || !JSON_NODE_HOLDS_OBJECT (node)) {
    invalid (error, "document", NULL, "must be a JSON object");
    return NULL;
  }
  if (!read_meeting (json_node_get_object (node), m, error))
    return NULL;
  return g_steal_pointer (&m);
}
