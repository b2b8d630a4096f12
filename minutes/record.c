/* record.c: the meeting record for exporters (record.h): building it from the store, the
 * public copy, and what exporters ask of it. The JSON form is in record-json.c.
 *
 * Why a separate model and not the store: exporters must run on a fixture without a database
 * (golden tests), and the public copy must be made once, in one place, so that no exporter
 * can forget to leave a closed session out. Plain data; the caller's thread. */
#define G_LOG_DOMAIN "kaigi-minutes"

#include "record-private.h"

#include "kaigi-error.h"

static const char *const presence_names[] = { "absent", "in-room", "online" };
static const char *const visibility_names[] = { "public", "closed", "partly-closed" };

const char *
kaigi_presence_to_string (KaigiPresence p)
{
  return presence_names[p];
}

gboolean
kaigi_presence_from_string (const char *s, KaigiPresence *out)
{
  for (guint i = 0; i < G_N_ELEMENTS (presence_names); i++)
    if (g_strcmp0 (s, presence_names[i]) == 0) {
      *out = (KaigiPresence)i;
      return TRUE;
    }
  return FALSE;
}

const char *
kaigi_visibility_to_string (KaigiVisibility v)
{
  return visibility_names[v];
}

void
kaigi_decision_free (KaigiDecision *d)
{
  if (!d)
    return;
  g_free (d->kind);
  g_free (d->text);
  g_strfreev (d->for_names);
  g_strfreev (d->against_names);
  g_strfreev (d->abstain_names);
  g_free (d);
}

KaigiRecord *
kaigi_record_new (KaigiMeeting *meeting)
{
  KaigiRecord *r = g_new0 (KaigiRecord, 1);
  g_autoptr (GDateTime) scheduled = NULL;

  r->meeting = meeting;
  r->viewers = meeting->peak_viewers;
  r->presence = g_array_new (FALSE, TRUE, sizeof (KaigiPresence));
  g_array_set_size (r->presence, meeting->roster->len);
  r->public_note = g_strdup ("");
  r->utterances = g_ptr_array_new_with_free_func ((GDestroyNotify)kaigi_utterance_free);
  r->decisions = g_ptr_array_new_with_free_func ((GDestroyNotify)kaigi_decision_free);
  if (meeting->scheduled_at && *meeting->scheduled_at)
    scheduled = g_date_time_new_from_iso8601 (meeting->scheduled_at, NULL);
  r->tz = scheduled
              ? g_time_zone_new_offset (g_date_time_get_utc_offset (scheduled) / G_USEC_PER_SEC)
              : g_time_zone_new_local ();
  return r;
}

void
kaigi_record_free (KaigiRecord *r)
{
  if (!r)
    return;
  kaigi_meeting_free (r->meeting);
  g_array_unref (r->presence);
  g_free (r->public_note);
  g_ptr_array_unref (r->utterances);
  g_ptr_array_unref (r->decisions);
  g_time_zone_unref (r->tz);
  g_free (r);
}

/* ---- what exporters ask ---- */

GDateTime *
kaigi_record_time (const KaigiRecord *r, gint64 us)
{
  g_autoptr (GDateTime) utc = NULL;

  if (us == 0)
    return NULL;
  utc = g_date_time_new_from_unix_utc (us / G_USEC_PER_SEC);
  utc = g_date_time_add (g_steal_pointer (&utc), us % G_USEC_PER_SEC);
  return g_date_time_to_timezone (utc, r->tz);
}

GDateTime *
kaigi_record_start (const KaigiRecord *r)
{
  g_autoptr (GDateTime) scheduled = NULL;

  if (r->meeting->opened_at_us)
    return kaigi_record_time (r, r->meeting->opened_at_us);
  if (!r->meeting->scheduled_at || !*r->meeting->scheduled_at)
    return NULL;
  scheduled = g_date_time_new_from_iso8601 (r->meeting->scheduled_at, NULL);
  return scheduled ? g_date_time_to_timezone (scheduled, r->tz) : NULL;
}

/* The agenda id @item stands under: 0 unless it is on the agenda. */
static gint64
placed_item (const KaigiRecord *r, gint64 item)
{
  return item && kaigi_meeting_find_item (r->meeting, item) ? item : 0;
}

GPtrArray *
kaigi_record_item_utterances (const KaigiRecord *r, gint64 item)
{
  GPtrArray *list = g_ptr_array_new ();

  for (guint i = 0; i < r->utterances->len; i++) {
    KaigiUtterance *u = g_ptr_array_index (r->utterances, i);
    if (placed_item (r, u->item) == item)
      g_ptr_array_add (list, u);
  }
  return list;
}

GPtrArray *
kaigi_record_item_decisions (const KaigiRecord *r, gint64 item)
{
  GPtrArray *list = g_ptr_array_new ();

  for (guint i = 0; i < r->decisions->len; i++) {
    KaigiDecision *d = g_ptr_array_index (r->decisions, i);
    if (placed_item (r, d->item) == item)
      g_ptr_array_add (list, d);
  }
  return list;
}

KaigiRosterEntry *
kaigi_record_speaker (const KaigiRecord *r, const KaigiUtterance *u)
{
  return u->speaker ? kaigi_meeting_find_roster (r->meeting, u->speaker) : NULL;
}

/* ---- visibility and the public copy ---- */

void
kaigi_record_finish (KaigiRecord *r, gboolean public_copy)
{
  g_autoptr (GPtrArray) kept = NULL;
  gboolean closed_parts = FALSE;
  KaigiUtterance *run = NULL;

  for (guint i = 0; i < r->utterances->len; i++) {
    KaigiUtterance *u = g_ptr_array_index (r->utterances, i);
    closed_parts |= !u->is_public || u->omitted == KAIGI_OMIT_CLOSED;
  }
  r->visibility = r->meeting->closed ? KAIGI_VISIBILITY_CLOSED
                  : closed_parts     ? KAIGI_VISIBILITY_PARTLY_CLOSED
                                     : KAIGI_VISIBILITY_PUBLIC;
  r->public_copy = public_copy;
  if (!public_copy)
    return;
  kept = g_ptr_array_new_with_free_func ((GDestroyNotify)kaigi_utterance_free);
  for (guint i = 0; i < r->utterances->len; i++) {
    KaigiUtterance *u = g_ptr_array_index (r->utterances, i);
    KaigiOmission why = u->omitted      ? u->omitted
                        : !u->is_public ? KAIGI_OMIT_CLOSED
                        : u->retracted  ? KAIGI_OMIT_RETRACTED
                                        : KAIGI_OMIT_NONE;
    r->utterances->pdata[i] = NULL; /* now @kept's or freed below */
    if (why == KAIGI_OMIT_NONE) {
      run = NULL;
      g_ptr_array_add (kept, u);
      continue;
    }
    r->omissions = TRUE;
    if (run && run->omitted == why && run->item == u->item) {
      run->end_us = MAX (run->end_us, u->end_us);
      kaigi_utterance_free (u);
      continue;
    }
    run = kaigi_utterance_new ();
    run->item = u->item;
    run->start_us = u->start_us;
    run->end_us = u->end_us;
    run->media_us = u->media_us;
    run->is_public = TRUE;
    run->omitted = why;
    g_ptr_array_add (kept, run);
    kaigi_utterance_free (u);
  }
  g_ptr_array_unref (r->utterances);
  r->utterances = g_steal_pointer (&kept);
}

/* ---- from the store ---- */

static gboolean
load_presence (KaigiRecord *r, KaigiStore *store, gint64 id, GError **error)
{
  g_autoptr (JsonNode) report = kaigi_store_attendance_json (store, id, error);
  JsonArray *members;

  if (!report)
    return FALSE;
  members = json_object_get_array_member (json_node_get_object (report), "members");
  for (guint i = 0; i < json_array_get_length (members); i++) {
    JsonObject *o = json_array_get_object_element (members, i);
    gint64 roster = json_object_get_int_member (o, "roster");
    KaigiPresence p = KAIGI_PRESENCE_ABSENT;
    kaigi_presence_from_string (json_object_get_string_member (o, "status"), &p);
    for (guint k = 0; k < r->meeting->roster->len; k++)
      if (((KaigiRosterEntry *)g_ptr_array_index (r->meeting->roster, k))->id == roster)
        g_array_index (r->presence, KaigiPresence, k) = p;
  }
  return TRUE;
}

KaigiRecord *
kaigi_record_load (KaigiStore *store, gint64 id, gboolean public_copy, GError **error)
{
  KaigiMeeting *m = kaigi_store_meeting_load (store, id, error);
  g_autoptr (KaigiRecord) r = NULL;
  g_autoptr (JsonNode) decisions = NULL;
  g_autoptr (GPtrArray) utterances = NULL;

  if (!m)
    return NULL;
  r = kaigi_record_new (m);
  if (!load_presence (r, store, id, error)
      || !kaigi_store_draft_get (store, id, &r->draft, &r->published_at_us, NULL, error)
      || !(decisions = kaigi_store_decisions_json (store, id, error))
      || !kaigi_record_read_decisions (r, json_node_get_array (decisions), error)
      || !(utterances = kaigi_store_utterances_load (store, id, error)))
    return NULL;
  g_free (r->public_note);
  kaigi_store_draft_get (store, id, &r->draft, NULL, &r->public_note, NULL);
  g_ptr_array_extend_and_steal (r->utterances, g_steal_pointer (&utterances));
  kaigi_record_finish (r, public_copy);
  return g_steal_pointer (&r);
}
