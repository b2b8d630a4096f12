/* meeting-fixture.h: a prepared meeting for server tests, with fixed ids, and join messages
 * carrying real signed tokens.
 *
 * Venues: 1 本会場 (main), 2 第2庁舎サテライト (satellite), 3 オンライン (online).
 * Agenda: 1 議題1, 2 議題2.
 * Roster: 1 chair (main); 2-13 members (2, 3, 7, 10-13 online; 4, 5 main; 6 satellite);
 * 8 presenter (online); 9 secretariat (main). */
#pragma once

#include <json-glib/json-glib.h>

#include "auth.h"
#include "meeting.h"

static const char fixture_doc[]
    = "{\"id\":7,\"body\":\"テスト町議会\",\"title\":\"第1回 委員会\",\"number\":\"第1回\","
      "\"scheduled_at\":\"2026-11-23T14:00:00+09:00\",\"visibility\":\"public\","
      "\"quorum_rule\":\"all\",\"quorum\":0,"
      "\"venues\":[{\"id\":1,\"kind\":\"main\",\"name\":\"本会場\"},"
      "{\"id\":2,\"kind\":\"satellite\",\"name\":\"第2庁舎サテライト\"},"
      "{\"id\":3,\"kind\":\"online\",\"name\":\"オンライン\"}],"
      "\"agenda\":[{\"id\":1,\"number\":\"議題1\",\"title\":\"計画について\"},"
      "{\"id\":2,\"number\":\"議題2\",\"title\":\"その他\"}],"
      "\"roster\":["
      "{\"id\":1,\"name\":\"金子\",\"title\":\"会長\",\"role\":\"chair\",\"site\":\"本会場\"},"
      "{\"id\":2,\"name\":\"市川\",\"title\":\"委員\",\"role\":\"member\",\"site\":\"オンライン\"},"
      "{\"id\":3,\"name\":\"折笠\",\"title\":\"委員\",\"role\":\"member\",\"site\":\"オンライン\"},"
      "{\"id\":4,\"name\":\"石井\",\"title\":\"委員\",\"role\":\"member\",\"site\":\"本会場\"},"
      "{\"id\":5,\"name\":\"岩本\",\"title\":\"委員\",\"role\":\"member\",\"site\":\"本会場\"},"
      "{\"id\":6,\"name\":\"石原\",\"title\":\"委員\",\"role\":\"member\",\"site\":"
      "\"第2庁舎サテライト\"},"
      "{\"id\":7,\"name\":\"町塚\",\"title\":\"委員\",\"role\":\"member\",\"site\":\"オンライン\"},"
      "{\"id\":8,\"name\":\"根本\",\"title\":\"講師\",\"role\":\"presenter\",\"site\":"
      "\"オンライン\"},"
      "{\"id\":9,\"name\":\"小川\",\"title\":\"副主幹\",\"role\":\"secretariat\",\"site\":"
      "\"本会場\"},"
      "{\"id\":10,\"name\":\"樫\",\"title\":\"委員\",\"role\":\"member\",\"site\":\"オンライン\"},"
      "{\"id\":11,\"name\":\"荒井\",\"title\":\"委員\",\"role\":\"member\",\"site\":\"オンライン\"}"
      ","
      "{\"id\":12,\"name\":\"若林\",\"title\":\"委員\",\"role\":\"member\",\"site\":\"オンライン\"}"
      ","
      "{\"id\":13,\"name\":\"糸賀\",\"title\":\"委員\",\"role\":\"member\",\"site\":\"オンライン\"}"
      "]}";

static inline KaigiMeeting *
fixture_meeting (KaigiMeetingState state)
{
  g_autoptr (JsonParser) p = json_parser_new ();
  g_autoptr (GError) error = NULL;
  KaigiMeeting *m;

  g_assert_true (json_parser_load_from_data (p, fixture_doc, -1, NULL));
  m = kaigi_meeting_from_json (json_parser_get_root (p), &error);
  g_assert_no_error (error);
  m->id = 7;
  m->state = state;
  return m;
}

static inline KaigiAuth *
fixture_auth (void)
{
  static const guint8 key[32] = "kaigi test key, not a secret!!!";

  return kaigi_auth_new_with_key (key, sizeof (key));
}

/* The join message for @ref ("r2", "v1", "a1", "public") with a token valid for an hour. */
static inline char *
fixture_join (KaigiAuth *auth, const char *ref, KaigiRole role, gboolean media)
{
  g_autofree char *token = kaigi_auth_token_issue (
      auth, 7, role, ref, ref[0] == 'a' || ref[0] == 'p' ? "事務局 太郎" : NULL,
      g_get_real_time () / G_USEC_PER_SEC + 3600);

  return g_strdup_printf ("{\"type\":\"join\",\"meeting\":7,\"token\":\"%s\",\"media\":%s}", token,
                          media ? "true" : "false");
}
