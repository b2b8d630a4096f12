/* test-meeting.c: the meeting document (docs/meetings-api.md): a valid document read and
 * written back unchanged, every rule refused with its field named, and the quorum counted
 * under both rules. */
#include <string.h>

#include "kaigi-error.h"
#include "meeting.h"

#define MAIN_HALL "市民会館 3階 第3会議室"

/* A document in exactly the shape kaigi_meeting_to_json writes. */
static const char *const valid_doc
    = "{\"id\":7,\"body\":\"八千代市情報化推進協議会\","
      "\"title\":\"令和2年度 第4回八千代市情報化推進協議会\",\"number\":\"第4回\","
      "\"scheduled_at\":\"2021-03-10T10:30:00+09:00\",\"visibility\":\"public\","
      "\"visibility_reason\":\"\",\"quorum_rule\":\"all\",\"quorum\":0,\"state\":\"scheduled\","
      "\"venues\":[{\"id\":1,\"kind\":\"main\",\"name\":\"" MAIN_HALL "\"},"
      "{\"id\":2,\"kind\":\"satellite\",\"name\":\"勝田台支所\"},"
      "{\"id\":3,\"kind\":\"online\",\"name\":\"オンライン\"}],"
      "\"agenda\":[{\"id\":1,\"number\":\"議題1\","
      "\"title\":\"八千代市ICT利活用推進計画（素案）について\",\"materials\":[]},"
      "{\"id\":2,\"number\":\"議題2\",\"title\":\"その他\",\"materials\":[]}],"
      "\"roster\":[{\"id\":1,\"name\":\"金子\",\"title\":\"会長\",\"role\":\"chair\","
      "\"site\":\"" MAIN_HALL "\"},"
      "{\"id\":2,\"name\":\"市川\",\"title\":\"委員\",\"role\":\"member\","
      "\"site\":\"オンライン\"},"
      "{\"id\":3,\"name\":\"大野\",\"title\":\"委員\",\"role\":\"member\","
      "\"site\":\"勝田台支所\"},"
      "{\"id\":5,\"name\":\"小川\",\"title\":\"副主幹\",\"role\":\"secretariat\","
      "\"site\":\"" MAIN_HALL "\"}]}";

static JsonNode *
parse (const char *json)
{
  g_autoptr (GError) error = NULL;
  JsonNode *node = json_from_string (json, &error);

  g_assert_no_error (error);
  return node;
}

static void
test_valid_roundtrip (void)
{
  g_autoptr (JsonNode) doc = parse (valid_doc);
  g_autoptr (GError) error = NULL;
  g_autoptr (KaigiMeeting) m = kaigi_meeting_from_json (doc, &error);
  g_autoptr (JsonNode) back = NULL;
  g_autofree char *text = NULL;
  KaigiRosterEntry *r;

  g_assert_no_error (error);
  g_assert_cmpint (m->id, ==, 7);
  g_assert_cmpstr (m->title, ==, "令和2年度 第4回八千代市情報化推進協議会");
  g_assert_cmpuint (m->venues->len, ==, 3);
  g_assert_cmpuint (m->agenda->len, ==, 2);
  g_assert_cmpuint (m->roster->len, ==, 4);
  r = kaigi_meeting_find_roster (m, 5);
  g_assert_nonnull (r);
  g_assert_cmpint (r->role, ==, KAIGI_ROLE_SECRETARIAT);
  g_assert_cmpstr (r->name, ==, "小川");
  g_assert_cmpint (kaigi_meeting_venue_by_name (m, "オンライン")->kind, ==, KAIGI_VENUE_ONLINE);
  g_assert_cmpint (kaigi_meeting_find_venue (m, 2)->kind, ==, KAIGI_VENUE_SATELLITE);
  g_assert_cmpstr (kaigi_meeting_find_item (m, 2)->title, ==, "その他");
  g_assert_null (kaigi_meeting_find_item (m, 9));

  back = kaigi_meeting_to_json (m);
  text = json_to_string (back, FALSE);
  g_assert_cmpstr (text, ==, valid_doc);
}

static void
test_defaults_and_trimming (void)
{
  g_autoptr (JsonNode) doc
      = parse ("{\"title\":\"\xe3\x80\x80 第1回委員会 \",\"scheduled_at\":\"2024-05-01T14:00:00Z\","
               "\"state\":\"adjourned\",\"unknown\":{\"x\":1},"
               "\"venues\":[{\"kind\":\"main\",\"name\":\"本会場\"}],"
               "\"roster\":[{\"name\":\"山田\",\"role\":\"chair\",\"site\":\"本会場\"}]}");
  g_autoptr (GError) error = NULL;
  g_autoptr (KaigiMeeting) m = kaigi_meeting_from_json (doc, &error);
  g_autoptr (JsonNode) summary = NULL;
  g_autofree char *text = NULL;

  g_assert_no_error (error);
  /* Trimmed also of U+3000; state is the server's; absent members take their defaults. */
  g_assert_cmpstr (m->title, ==, "第1回委員会");
  g_assert_cmpint (m->state, ==, KAIGI_MEETING_SCHEDULED);
  g_assert_false (m->closed);
  g_assert_false (m->quorum_in_room);
  g_assert_cmpuint (m->quorum, ==, 0);
  g_assert_cmpuint (m->agenda->len, ==, 0);
  g_assert_cmpstr (((KaigiRosterEntry *)m->roster->pdata[0])->title, ==, "");

  summary = kaigi_meeting_summary_json (m);
  text = json_to_string (summary, FALSE);
  g_assert_cmpstr (text, ==,
                   "{\"id\":0,\"body\":\"\",\"title\":\"第1回委員会\",\"number\":\"\","
                   "\"scheduled_at\":\"2024-05-01T14:00:00Z\",\"visibility\":\"public\","
                   "\"state\":\"scheduled\"}");
}

static void
test_closed_in_room (void)
{
  g_autoptr (JsonNode) doc
      = parse ("{\"title\":\"秘密会\",\"scheduled_at\":\"2024-05-01T14:00:00+09:00\","
               "\"visibility\":\"closed\",\"visibility_reason\":\"個人情報を扱うため\","
               "\"quorum_rule\":\"in-room\",\"quorum\":1,"
               "\"venues\":[{\"kind\":\"main\",\"name\":\"本会場\"}],"
               "\"roster\":[{\"name\":\"山田\",\"role\":\"chair\",\"site\":\"本会場\"}]}");
  g_autoptr (GError) error = NULL;
  g_autoptr (KaigiMeeting) m = kaigi_meeting_from_json (doc, &error);
  g_autoptr (JsonNode) back = NULL;
  JsonObject *o;

  g_assert_no_error (error);
  g_assert_true (m->closed);
  g_assert_true (m->quorum_in_room);
  back = kaigi_meeting_to_json (m);
  o = json_node_get_object (back);
  g_assert_cmpstr (json_object_get_string_member (o, "visibility"), ==, "closed");
  g_assert_cmpstr (json_object_get_string_member (o, "quorum_rule"), ==, "in-room");
  g_assert_cmpint (json_object_get_int_member (o, "quorum"), ==, 1);
}

/* ---- every rule, one case each ---- */

typedef struct {
  const char *path;  /* "roster[2].role": where to put @value */
  const char *value; /* JSON; NULL removes the member */
  const char *path2, *value2;
  const char *expect; /* the start of the error message */
} RuleCase;

static const RuleCase rule_cases[] = {
  { "title", "\"\"", NULL, NULL, "title: is required" },
  { "title", NULL, NULL, NULL, "title: is required" },
  { "title", "\"   \"", NULL, NULL, "title: is required" },
  { "title", "5", NULL, NULL, "title: must be a string" },
  { "title", "\"会\\u0007議\"", NULL, NULL, "title: must not contain control characters" },
  { "body", "[]", NULL, NULL, "body: must be a string" },
  { "scheduled_at", "\"2021-03-10T10:30:00\"", NULL, NULL, "scheduled_at: must be ISO 8601" },
  { "scheduled_at", "\"来週の水曜日\"", NULL, NULL, "scheduled_at: must be ISO 8601" },
  { "scheduled_at", NULL, NULL, NULL, "scheduled_at: is required" },
  { "visibility", "\"secret\"", NULL, NULL, "visibility: must be one of public, closed" },
  { "visibility", "\"closed\"", NULL, NULL, "visibility_reason: is required when" },
  { "quorum_rule", "\"most\"", NULL, NULL, "quorum_rule: must be one of all, in-room" },
  { "quorum", "-1", NULL, NULL, "quorum: must be a whole number" },
  { "quorum", "2.5", NULL, NULL, "quorum: must be a whole number" },
  { "quorum", "\"2\"", NULL, NULL, "quorum: must be a whole number" },
  { "quorum", "4", NULL, NULL, "quorum: must be a whole number from 0 to 3" },
  { "venues", "\"本会場\"", NULL, NULL, "venues: must be an array" },
  { "venues", "[{\"kind\":\"main\",\"name\":\"A\"},3]", NULL, NULL,
    "venues[1]: must be an object" },
  { "venues", NULL, NULL, NULL, "venues: exactly one venue of kind main" },
  { "venues[1].kind", "\"main\"", NULL, NULL, "venues: exactly one venue of kind main" },
  { "venues[0].kind", "\"satellite\"", NULL, NULL, "venues: exactly one venue of kind main" },
  { "venues[1].kind", "\"online\"", NULL, NULL, "venues: at most one venue of kind online" },
  { "venues[1].kind", "\"cloud\"", NULL, NULL,
    "venues[1].kind: must be one of main, satellite, online" },
  { "venues[2].name", "\"" MAIN_HALL "\"", NULL, NULL, "venues[2].name: another venue" },
  { "venues[0].name", "\"\"", NULL, NULL, "venues[0].name: is required" },
  { "venues[0].id", "-3", NULL, NULL, "venues[0].id: must be a whole number" },
  { "venues[1].id", "1", NULL, NULL, "venues[1].id: 1 is used twice" },
  { "agenda[0].title", "\"\"", NULL, NULL, "agenda[0].title: is required" },
  { "agenda[1].number",
    "\"" /* 65 characters */
    "一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十"
    "一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十"
    "一二三四五\"",
    NULL, NULL, "agenda[1].number: must be at most 64 characters" },
  { "agenda[1].id", "1", NULL, NULL, "agenda[1].id: 1 is used twice" },
  { "agenda", "{}", NULL, NULL, "agenda: must be an array" },
  { "roster[2].role", "\"boss\"", NULL, NULL,
    "roster[2].role: must be one of chair, member, presenter, secretariat" },
  { "roster[2].role", "\"viewer\"", NULL, NULL,
    "roster[2].role: must be one of chair, member, presenter, secretariat" },
  { "roster[1].role", NULL, NULL, NULL, "roster[1].role: must be one of" },
  { "roster[1].role", "\"chair\"", NULL, NULL, "roster: exactly one entry of role chair" },
  { "roster[0].role", "\"member\"", NULL, NULL, "roster: exactly one entry of role chair" },
  { "roster", "[]", NULL, NULL, "roster: exactly one entry of role chair" },
  { "roster[1].site", "\"市役所\"", NULL, NULL,
    "roster[1].site: must be the name of one of the venues" },
  { "roster[1].name", "\"\xe3\x80\x80\"", NULL, NULL, "roster[1].name: is required" },
  { "roster[1].name",
    "\"" /* 65 characters */
    "あいうえおかきくけこあいうえおかきくけこあいうえおかきくけこ"
    "あいうえおかきくけこあいうえおかきくけこあいうえおかきくけこ"
    "あいうえお\"",
    NULL, NULL, "roster[1].name: must be 1 to 64 characters" },
  { "roster[3].title", "\"副\\n主幹\"", NULL, NULL, "roster[3].title: must not contain" },
  { "roster[0].id", "5", NULL, NULL, "roster[3].id: 5 is used twice" },
  { "roster[0].id", "0", "roster[1].id", "0", NULL },            /* new entries: allowed */
  { "roster[0].in_room", "true", "extra", "{\"a\":[1]}", NULL }, /* ignored */
};

/* Replaces (or removes) the member at @path, e.g. "roster[2].role", in @root. */
static void
set_path (JsonNode *root, const char *path, const char *value)
{
  g_auto (GStrv) parts = g_strsplit (path, ".", -1);
  JsonObject *o = json_node_get_object (root);
  guint n = g_strv_length (parts);

  for (guint i = 0; i + 1 < n; i++) {
    char *bracket = strchr (parts[i], '[');
    guint index = atoi (bracket + 1);
    *bracket = '\0';
    o = json_array_get_object_element (json_object_get_array_member (o, parts[i]), index);
  }
  if (value)
    json_object_set_member (o, parts[n - 1], parse (value));
  else
    json_object_remove_member (o, parts[n - 1]);
}

static void
test_rules (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (rule_cases); i++) {
    const RuleCase *c = &rule_cases[i];
    g_autoptr (JsonNode) doc = parse (valid_doc);
    g_autoptr (GError) error = NULL;
    g_autoptr (KaigiMeeting) m = NULL;

    set_path (doc, c->path, c->value);
    if (c->path2)
      set_path (doc, c->path2, c->value2);
    m = kaigi_meeting_from_json (doc, &error);
    if (!c->expect) {
      g_assert_no_error (error);
      g_assert_nonnull (m);
      continue;
    }
    g_assert_null (m);
    g_assert_error (error, KAIGI_ERROR, KAIGI_ERROR_INVALID);
    if (!g_str_has_prefix (error->message, c->expect))
      g_error ("case %u (%s): got \"%s\", expected \"%s...\"", i, c->path, error->message,
               c->expect);
  }
}

static void
test_not_an_object (void)
{
  g_autoptr (JsonNode) doc = parse ("[1, 2]");
  g_autoptr (GError) error = NULL;

  g_assert_null (kaigi_meeting_from_json (doc, &error));
  g_assert_error (error, KAIGI_ERROR, KAIGI_ERROR_INVALID);
  g_assert_cmpstr (error->message, ==, "document: must be a JSON object");
}

/* A document built in code may carry bytes no parser would let through. */
static void
test_invalid_utf8 (void)
{
  g_autoptr (JsonNode) doc = parse (valid_doc);
  g_autoptr (GError) error = NULL;

  json_object_set_string_member (json_node_get_object (doc), "body", "\xff\xfe");
  g_assert_null (kaigi_meeting_from_json (doc, &error));
  g_assert_error (error, KAIGI_ERROR, KAIGI_ERROR_INVALID);
  g_assert_cmpstr (error->message, ==, "body: must be valid UTF-8");
}

static void
test_names (void)
{
  KaigiMeetingState state;
  KaigiRole role;

  for (KaigiMeetingState s = KAIGI_MEETING_SCHEDULED; s <= KAIGI_MEETING_ADJOURNED; s++) {
    g_assert_true (kaigi_meeting_state_from_string (kaigi_meeting_state_to_string (s), &state));
    g_assert_cmpint (state, ==, s);
  }
  for (KaigiRole r = 0; r < KAIGI_N_ROLES; r++) {
    g_assert_true (kaigi_role_from_string (kaigi_role_to_string (r), &role));
    g_assert_cmpint (role, ==, r);
  }
  g_assert_false (kaigi_meeting_state_from_string ("open", &state));
  g_assert_false (kaigi_role_from_string (NULL, &role));
  g_assert_cmpstr (kaigi_venue_kind_to_string (KAIGI_VENUE_SATELLITE), ==, "satellite");
}

/* ---- quorum ---- */

/* A chair and four members (main, main, satellite, online, main), a presenter and the
 * secretariat, with roster ids 1..7. */
static KaigiMeeting *
quorum_meeting (const char *rule, guint quorum)
{
  g_autofree char *json = g_strdup_printf (
      "{\"title\":\"本会議\",\"scheduled_at\":\"2024-05-01T10:00:00+09:00\","
      "\"quorum_rule\":\"%s\",\"quorum\":%u,"
      "\"venues\":[{\"kind\":\"main\",\"name\":\"議場\"},"
      "{\"kind\":\"satellite\",\"name\":\"支所\"},{\"kind\":\"online\",\"name\":\"オンライン\"}],"
      "\"roster\":[{\"id\":1,\"name\":\"議長\",\"role\":\"chair\",\"site\":\"議場\"},"
      "{\"id\":2,\"name\":\"甲\",\"role\":\"member\",\"site\":\"議場\"},"
      "{\"id\":3,\"name\":\"乙\",\"role\":\"member\",\"site\":\"支所\"},"
      "{\"id\":4,\"name\":\"丙\",\"role\":\"member\",\"site\":\"オンライン\"},"
      "{\"id\":5,\"name\":\"丁\",\"role\":\"member\",\"site\":\"議場\"},"
      "{\"id\":6,\"name\":\"講師\",\"role\":\"presenter\",\"site\":\"議場\"},"
      "{\"id\":7,\"name\":\"事務局\",\"role\":\"secretariat\",\"site\":\"議場\"}]}",
      rule, quorum);
  g_autoptr (JsonNode) doc = parse (json);
  g_autoptr (GError) error = NULL;
  KaigiMeeting *m = kaigi_meeting_from_json (doc, &error);

  g_assert_no_error (error);
  /* In the room: the chair and 甲 at the main venue, 乙 at the satellite; presenter too. */
  kaigi_meeting_find_roster (m, 1)->in_room = TRUE;
  kaigi_meeting_find_roster (m, 2)->in_room = TRUE;
  kaigi_meeting_find_roster (m, 3)->in_room = TRUE;
  kaigi_meeting_find_roster (m, 6)->in_room = TRUE;
  return m;
}

static GHashTable *
online_set (void)
{
  GHashTable *online = g_hash_table_new (NULL, NULL);

  /* 丙 online; 甲 joined too but is marked in the room; the secretariat does not count. */
  g_hash_table_add (online, GINT_TO_POINTER (4));
  g_hash_table_add (online, GINT_TO_POINTER (2));
  g_hash_table_add (online, GINT_TO_POINTER (7));
  return online;
}

static void
test_quorum_all (void)
{
  g_autoptr (KaigiMeeting) m = quorum_meeting ("all", 0);
  g_autoptr (GHashTable) online = online_set ();
  KaigiQuorum q = kaigi_meeting_quorum (m, online);
  g_autoptr (JsonNode) node = NULL;
  g_autofree char *text = NULL;

  g_assert_cmpuint (q.members, ==, 5);
  g_assert_cmpuint (q.in_room, ==, 3);
  g_assert_cmpuint (q.online, ==, 1);
  g_assert_cmpuint (q.absent, ==, 1);
  g_assert_cmpuint (q.present_for_quorum, ==, 4);
  g_assert_cmpuint (q.quorum, ==, 3);
  g_assert_true (q.quorate);
  node = kaigi_quorum_to_json (&q);
  text = json_to_string (node, FALSE);
  g_assert_cmpstr (text, ==,
                   "{\"members\":5,\"online\":1,\"in_room\":3,\"absent\":1,"
                   "\"present_for_quorum\":4,\"quorum\":3,\"quorate\":true}");

  /* Nobody online: the chair, 甲 and 乙 are still three of five. */
  q = kaigi_meeting_quorum (m, NULL);
  g_assert_cmpuint (q.online, ==, 0);
  g_assert_cmpuint (q.absent, ==, 2);
  g_assert_cmpuint (q.present_for_quorum, ==, 3);
  g_assert_true (q.quorate);
  kaigi_meeting_find_roster (m, 3)->in_room = FALSE;
  q = kaigi_meeting_quorum (m, NULL);
  g_assert_false (q.quorate);
}

static void
test_quorum_in_room (void)
{
  g_autoptr (KaigiMeeting) m = quorum_meeting ("in-room", 0);
  g_autoptr (KaigiMeeting) low = quorum_meeting ("in-room", 2);
  g_autoptr (GHashTable) online = online_set ();
  KaigiQuorum q = kaigi_meeting_quorum (m, online);

  /* Only the chair and 甲, in the room at the main venue, count: not the satellite's 乙,
   * not 丙 online. The other counts do not change with the rule. */
  g_assert_cmpuint (q.members, ==, 5);
  g_assert_cmpuint (q.in_room, ==, 3);
  g_assert_cmpuint (q.online, ==, 1);
  g_assert_cmpuint (q.present_for_quorum, ==, 2);
  g_assert_cmpuint (q.quorum, ==, 3);
  g_assert_false (q.quorate);

  q = kaigi_meeting_quorum (low, online);
  g_assert_cmpuint (q.quorum, ==, 2);
  g_assert_true (q.quorate);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/meeting/valid-roundtrip", test_valid_roundtrip);
  g_test_add_func ("/meeting/defaults-and-trimming", test_defaults_and_trimming);
  g_test_add_func ("/meeting/closed-in-room", test_closed_in_room);
  g_test_add_func ("/meeting/rules", test_rules);
  g_test_add_func ("/meeting/not-an-object", test_not_an_object);
  g_test_add_func ("/meeting/invalid-utf8", test_invalid_utf8);
  g_test_add_func ("/meeting/names", test_names);
  g_test_add_func ("/meeting/quorum-all", test_quorum_all);
  g_test_add_func ("/meeting/quorum-in-room", test_quorum_in_room);
  return g_test_run ();
}
