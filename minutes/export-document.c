/* export-document.c: the record as a document of blocks, made once for every layout (text,
 * Markdown, Flat ODT, DOCX), in Japanese or English.
 *
 * The order follows the reference 会議録 (/work/shared/reference/minutes): the header
 * (会議名, 開催日時 in the era style with start and end, 開催場所 with main, satellite and
 * online, 議題 with 資料 numbers, 出席者 with （欠席） marks, 説明員, 事務局, 公開又は非公開の
 * 別 with the reason, 傍聴人), then the body per agenda item with 【speaker】 statements and the
 * decisions where they were taken, the end time `[HH:MM 終了]` and 提出された資料等.
 * Pure functions. */
#define G_LOG_DOMAIN "kaigi-minutes"

#include "era.h"
#include "export-private.h"

/* ---- labels ---- */

static const struct {
  const char *key, *ja, *en;
} labels[] = {
  { "minutes", "会議録", "Minutes" },
  { "draft", "（案）", " (draft)" },
  { "meeting", "会議名", "Meeting" },
  { "when", "開催日時", "Date and time" },
  { "where", "開催場所", "Venues" },
  { "agenda", "議題", "Agenda" },
  { "attendees", "出席者", "Attendance" },
  { "presenters", "説明員", "Presenters" },
  { "secretariat", "事務局", "Secretariat" },
  { "visibility", "公開又は非公開の別", "Open or closed" },
  { "viewers", "傍聴人", "Public gallery" },
  { "record", "会議録の状態", "State of the minutes" },
  { "venue.main", "本会場", "main venue" },
  { "venue.satellite", "サテライト会場", "satellite venue" },
  { "venue.online", "オンライン", "online" },
  { "absent", "欠席", "absent" },
  { "public", "公開", "Open to the public" },
  { "closed", "非公開", "Closed" },
  { "partly-closed", "一部非公開", "Partly closed" },
  { "reason", "理由：", "reason: " },
  { "draft.draft", "案（事務局で編集中）", "Draft (being edited by the secretariat)" },
  { "draft.review", "案（発言者の確認中）", "Draft (speakers are confirming)" },
  { "draft.published", "公開済み", "Published" },
  { "public-copy",
    "本会議録は公開用です。非公開で行った部分及び取り消された発言は掲載していません（一部非公開）"
    "。",
    "This is the public copy of the minutes. Parts held in closed session and retracted remarks "
    "are left out (partly closed)." },
  { "omit.closed", "〔非公開部分につき省略〕", "[Closed session: left out]" },
  { "omit.retracted", "〔取り消された発言につき省略〕", "[Retracted remark: left out]" },
  { "closed.begin", "〔ここから非公開〕", "[Closed session begins]" },
  { "closed.end", "〔ここまで非公開〕", "[Closed session ends]" },
  { "retracted", "（発言取消し）", "(retracted) " },
  { "approved", "—了承—", "— Approved —" },
  { "vote", "〔採決〕", "[Vote] " },
  { "for", "賛成", "For" },
  { "against", "反対", "Against" },
  { "abstain", "棄権", "Abstained" },
  { "carried", "可決", "Carried" },
  { "rejected", "否決", "Rejected" },
  { "end", "終了", "Adjourned" },
  { "materials", "提出された資料等", "Materials submitted" },
  { "material", "資料", "Material " },
  { "unknown-speaker", "発言者不明", "unknown speaker" },
  { "col.label", "項目", "Item" },
  { "col.value", "内容", "Details" },
};

const char *
kaigi_export_label (const char *lang, const char *key)
{
  gboolean en = g_strcmp0 (lang, "en") == 0;

  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    if (g_str_equal (labels[i].key, key))
      return en ? labels[i].en : labels[i].ja;
  g_return_val_if_reached ("");
}

#define L(key) kaigi_export_label (lang, key)
#define EN (g_strcmp0 (lang, "en") == 0)

static void
block_free (KaigiBlock *b)
{
  g_free (b->label);
  g_strfreev (b->lines);
  g_free (b);
}

static void
add_block (GPtrArray *doc, KaigiBlockKind kind, const char *label, GStrv lines)
{
  KaigiBlock *b = g_new0 (KaigiBlock, 1);

  b->kind = kind;
  b->label = g_strdup (label);
  b->lines = lines;
  g_ptr_array_add (doc, b);
}

static void
add_line (GPtrArray *doc, KaigiBlockKind kind, const char *text)
{
  const char *lines[] = { text, NULL };

  add_block (doc, kind, NULL, g_strdupv ((char **)lines));
}

/* g_strv_builder_take is GLib 2.80; we build on 2.74. */
static void
take (GStrvBuilder *b, char *s)
{
  g_strv_builder_add (b, s);
  g_free (s);
}

static void
add_field (GPtrArray *doc, const char *label, const char *text)
{
  const char *lines[] = { text, NULL };

  add_block (doc, KAIGI_BLOCK_FIELD, label, g_strdupv ((char **)lines));
}

/* "name title" as the records write people: 山口恵子会長, or 山口恵子, 会長 in English. */
static char *
person (const KaigiRosterEntry *e, const char *lang)
{
  if (!e->title || !*e->title)
    return g_strdup (e->name);
  return EN ? g_strdup_printf ("%s, %s", e->name, e->title) : g_strconcat (e->name, e->title, NULL);
}

char *
kaigi_export_speaker (const KaigiRecord *r, const KaigiUtterance *u, const char *lang)
{
  KaigiRosterEntry *e = kaigi_record_speaker (r, u);
  const char *name = *u->speaker_name ? u->speaker_name : L ("unknown-speaker");

  if (EN)
    return e && *e->title ? g_strdup_printf ("[%s (%s)]", e->name, e->title)
                          : g_strdup_printf ("[%s]", e ? e->name : name);
  return e ? g_strdup_printf ("【%s%s】", e->name, e->title) : g_strdup_printf ("【%s】", name);
}

/* The material's name without its file extension, as a list of materials shows it. */
static char *
material_title (const KaigiMaterial *mat)
{
  const char *dot = strrchr (mat->name, '.');

  if (dot && dot != mat->name && strlen (dot) <= 5)
    return g_strndup (mat->name, dot - mat->name);
  return g_strdup (mat->name);
}

/* ---- the header ---- */

static char *
hhmm (const KaigiRecord *r, gint64 us)
{
  g_autoptr (GDateTime) t = kaigi_record_time (r, us);

  return t ? g_date_time_format (t, "%H:%M") : g_strdup ("");
}

static void
add_when (GPtrArray *doc, const KaigiRecord *r, const char *lang)
{
  g_autoptr (GDateTime) start = kaigi_record_start (r);
  g_autoptr (GDateTime) end = kaigi_record_time (r, r->meeting->adjourned_at_us);
  g_autoptr (GStrvBuilder) lines = g_strv_builder_new ();
  g_autofree char *date = NULL, *from = NULL, *to = NULL, *iso_from = NULL, *iso_to = NULL;

  if (!start) {
    add_block (doc, KAIGI_BLOCK_FIELD, L ("when"), g_strsplit ("", "\n", -1));
    return;
  }
  date = kaigi_era_date (start, lang);
  from = kaigi_era_time (start, lang);
  to = end ? kaigi_era_time (end, lang) : NULL;
  iso_from = g_date_time_format (start, "%Y-%m-%dT%H:%M%:z");
  iso_to = end ? g_date_time_format (end, "%Y-%m-%dT%H:%M%:z") : NULL;
  if (EN)
    take (lines, to ? g_strdup_printf ("%s, %s to %s", date, from, to)
                    : g_strdup_printf ("%s, %s", date, from));
  else
    take (lines, g_strdup_printf ("%s%s%s%s", date, from, to ? "～" : "", to ? to : ""));
  take (lines, g_strdup_printf ("(%s%s%s)", iso_from, iso_to ? "/" : "", iso_to ? iso_to : ""));
  add_block (doc, KAIGI_BLOCK_FIELD, L ("when"), g_strv_builder_end (lines));
}

static const char *
venue_kind_label (KaigiVenueKind kind, const char *lang)
{
  static const char *const keys[] = { "venue.main", "venue.satellite", "venue.online" };

  return L (keys[kind]);
}

static void
add_where (GPtrArray *doc, const KaigiRecord *r, const char *lang)
{
  g_autoptr (GStrvBuilder) lines = g_strv_builder_new ();

  for (guint i = 0; i < r->meeting->venues->len; i++) {
    KaigiVenue *v = g_ptr_array_index (r->meeting->venues, i);
    take (lines, g_strdup_printf (EN ? "%s (%s)" : "%2$s：%1$s", v->name,
                                  venue_kind_label (v->kind, lang)));
  }
  add_block (doc, KAIGI_BLOCK_FIELD, L ("where"), g_strv_builder_end (lines));
}

/* 資料 numbers run through the meeting in agenda order, as the references number them. */
static char *
material_refs (const KaigiAgendaItem *item, guint *next, const char *lang)
{
  g_autoptr (GString) s = g_string_new ("");

  for (guint i = 0; i < item->materials->len; i++)
    g_string_append_printf (s, "%s%s%u", i ? (EN ? ", " : "、") : "", L ("material"), (*next)++);
  if (!s->len)
    return g_strdup ("");
  return g_strdup_printf (EN ? " (%s)" : "（%s）", s->str);
}

static char *
item_heading (const KaigiAgendaItem *item)
{
  return *item->number ? g_strdup_printf ("%s　%s", item->number, item->title)
                       : g_strdup (item->title);
}

static void
add_agenda (GPtrArray *doc, const KaigiRecord *r, const char *lang)
{
  g_autoptr (GStrvBuilder) lines = g_strv_builder_new ();
  guint next = 1;

  for (guint i = 0; i < r->meeting->agenda->len; i++) {
    KaigiAgendaItem *item = g_ptr_array_index (r->meeting->agenda, i);
    g_autofree char *heading = item_heading (item);
    g_autofree char *refs = material_refs (item, &next, lang);
    take (lines, g_strconcat (heading, refs, NULL));
  }
  add_block (doc, KAIGI_BLOCK_FIELD, L ("agenda"), g_strv_builder_end (lines));
}

static const char *
place_of (const KaigiRecord *r, const KaigiRosterEntry *e, KaigiPresence p, const char *lang)
{
  KaigiVenue *v = kaigi_meeting_venue_by_name (r->meeting, e->site);

  if (p == KAIGI_PRESENCE_ONLINE || !v)
    return L ("venue.online");
  return venue_kind_label (v->kind, lang);
}

/* Chair and members present, in roster order, then the absent ones (as the references list
 * them), then how many were where. */
static void
add_attendees (GPtrArray *doc, const KaigiRecord *r, const char *lang)
{
  g_autoptr (GStrvBuilder) lines = g_strv_builder_new ();
  g_autoptr (GPtrArray) absent = g_ptr_array_new_with_free_func (g_free);
  guint members = 0, present = 0;

  for (guint i = 0; i < r->meeting->roster->len; i++) {
    KaigiRosterEntry *e = g_ptr_array_index (r->meeting->roster, i);
    KaigiPresence p = g_array_index (r->presence, KaigiPresence, i);
    g_autofree char *who = person (e, lang);
    if (e->role != KAIGI_ROLE_CHAIR && e->role != KAIGI_ROLE_MEMBER)
      continue;
    members++;
    if (p == KAIGI_PRESENCE_ABSENT) {
      g_ptr_array_add (absent,
                       g_strdup_printf (EN ? "%s (%s)" : "（%2$s）%1$s", who, L ("absent")));
      continue;
    }
    present++;
    take (lines, g_strdup_printf (EN ? "%s (%s)" : "%s（%s）", who, place_of (r, e, p, lang)));
  }
  for (guint i = 0; i < absent->len; i++)
    g_strv_builder_add (lines, g_ptr_array_index (absent, i));
  take (lines, EN ? g_strdup_printf ("%u of %u members present", present, members)
                  : g_strdup_printf ("委員%u名中%u名出席", members, present));
  add_block (doc, KAIGI_BLOCK_FIELD, L ("attendees"), g_strv_builder_end (lines));
}

static void
add_role_list (GPtrArray *doc, const KaigiRecord *r, KaigiRole role, const char *key,
               const char *lang)
{
  g_autoptr (GStrvBuilder) lines = g_strv_builder_new ();
  guint n = 0;

  for (guint i = 0; i < r->meeting->roster->len; i++) {
    KaigiRosterEntry *e = g_ptr_array_index (r->meeting->roster, i);
    if (e->role == role && ++n)
      take (lines, person (e, lang));
  }
  if (n)
    add_block (doc, KAIGI_BLOCK_FIELD, L (key), g_strv_builder_end (lines));
}

static void
add_visibility (GPtrArray *doc, const KaigiRecord *r, const char *lang)
{
  const char *reason = r->meeting->visibility_reason;
  const char *what = L (kaigi_visibility_to_string (r->visibility));
  g_autofree char *line = NULL;

  if (r->visibility == KAIGI_VISIBILITY_PUBLIC || !*reason)
    line = g_strdup (what);
  else
    line = g_strdup_printf (EN ? "%s (%s%s)" : "%s（%s%s）", what, L ("reason"), reason);
  add_field (doc, L ("visibility"), line);
}

static void
add_state (GPtrArray *doc, const KaigiRecord *r, const char *lang)
{
  static const char *const keys[] = { "draft.draft", "draft.review", "draft.published" };
  guint confirmed = 0, of = 0;
  g_autofree char *line = NULL;

  for (guint i = 0; i < r->utterances->len; i++) {
    KaigiUtterance *u = g_ptr_array_index (r->utterances, i);
    of += u->speaker != 0 && !u->omitted;
    confirmed += u->speaker != 0 && u->state == KAIGI_UTTERANCE_CONFIRMED;
  }
  line = g_strdup_printf (EN ? "%s; %u of %u statements confirmed by their speakers"
                             : "%s、発言者の確認済み %u件／%u件",
                          L (keys[r->draft]), confirmed, of);
  add_field (doc, L ("record"), line);
}

static void
add_header (GPtrArray *doc, const KaigiRecord *r, const char *lang)
{
  g_autofree char *title = NULL;
  g_autofree char *viewers = NULL;

  title = EN ? g_strdup_printf ("%s: %s%s", L ("minutes"), r->meeting->title,
                                r->draft == KAIGI_DRAFT_PUBLISHED ? "" : L ("draft"))
             : g_strdup_printf ("%s　%s%s", r->meeting->title, L ("minutes"),
                                r->draft == KAIGI_DRAFT_PUBLISHED ? "" : L ("draft"));
  add_line (doc, KAIGI_BLOCK_TITLE, title);
  add_field (doc, L ("meeting"), r->meeting->title);
  add_when (doc, r, lang);
  add_where (doc, r, lang);
  add_agenda (doc, r, lang);
  add_attendees (doc, r, lang);
  add_role_list (doc, r, KAIGI_ROLE_PRESENTER, "presenters", lang);
  add_role_list (doc, r, KAIGI_ROLE_SECRETARIAT, "secretariat", lang);
  add_visibility (doc, r, lang);
  viewers = g_strdup_printf (EN ? "%u" : "%u名", r->viewers);
  add_field (doc, L ("viewers"), viewers);
  if (!r->public_copy)
    add_state (doc, r, lang);
  if (r->public_copy && r->omissions)
    add_line (doc, KAIGI_BLOCK_NOTE, L ("public-copy"));
  if (r->public_copy && *r->public_note)
    add_line (doc, KAIGI_BLOCK_NOTE, r->public_note);
}

/* ---- the body ---- */

static void
add_vote (GPtrArray *doc, const KaigiDecision *d, const char *lang)
{
  GStrv lists[] = { d->for_names, d->against_names, d->abstain_names };
  static const char *const keys[] = { "for", "against", "abstain" };
  guint n[3];
  g_autofree char *counts = NULL;
  g_autofree char *result = NULL;

  for (int i = 0; i < 3; i++)
    n[i] = lists[i] ? g_strv_length (lists[i]) : 0;
  counts = EN ? g_strdup_printf ("%sfor %u, against %u, abstained %u", L ("vote"), n[0], n[1], n[2])
              : g_strdup_printf ("%s賛成%u名、反対%u名、棄権%u名", L ("vote"), n[0], n[1], n[2]);
  add_line (doc, KAIGI_BLOCK_PARA, counts);
  for (int i = 0; i < 3; i++) {
    g_autofree char *names = NULL;
    g_autofree char *line = NULL;
    if (!n[i])
      continue;
    names = g_strjoinv (EN ? ", " : "、", lists[i]);
    line = g_strdup_printf (EN ? "%s: %s" : "%s：%s", L (keys[i]), names);
    add_line (doc, KAIGI_BLOCK_PARA, line);
  }
  result = g_strdup_printf (EN ? "— %s —" : "—%s—",
                            *d->text ? d->text : L (n[0] > n[1] ? "carried" : "rejected"));
  add_line (doc, KAIGI_BLOCK_MARK, result);
}

static void
add_decision (GPtrArray *doc, const KaigiDecision *d, const char *lang)
{
  g_autofree char *text = NULL;

  if (g_str_equal (d->kind, "vote")) {
    add_vote (doc, d, lang);
    return;
  }
  if (!*d->text) {
    add_line (doc, KAIGI_BLOCK_MARK, L ("approved"));
    return;
  }
  text = g_strdup_printf (EN ? "— Approved: %s —" : "—了承（%s）—", d->text);
  add_line (doc, KAIGI_BLOCK_MARK, text);
}

typedef struct {
  const KaigiUtterance *last; /* the previous statement, for speaker runs */
  gboolean in_closed;         /* inside a closed session (the internal copy marks it) */
} BodyState;

static void
add_utterance (GPtrArray *doc, const KaigiRecord *r, const KaigiUtterance *u, BodyState *st,
               const char *lang)
{
  g_autofree char *speaker = NULL;

  if (u->omitted) {
    add_line (doc, KAIGI_BLOCK_MARK,
              L (u->omitted == KAIGI_OMIT_CLOSED ? "omit.closed" : "omit.retracted"));
    st->last = NULL;
    return;
  }
  if ((!u->is_public) != st->in_closed) {
    st->in_closed = !u->is_public;
    add_line (doc, KAIGI_BLOCK_MARK, L (st->in_closed ? "closed.begin" : "closed.end"));
    st->last = NULL;
  }
  speaker = kaigi_export_speaker (r, u, lang);
  if (!st->last || st->last->speaker != u->speaker
      || g_strcmp0 (st->last->speaker_name, u->speaker_name) != 0)
    add_line (doc, KAIGI_BLOCK_SPEAKER, speaker);
  if (u->retracted) {
    g_autofree char *text = g_strconcat (L ("retracted"), u->text, NULL);
    add_line (doc, KAIGI_BLOCK_PARA, text);
  } else {
    add_line (doc, KAIGI_BLOCK_PARA, u->text);
  }
  st->last = u;
}

/* Statements and decisions of one item, merged in time order. */
static void
add_item_body (GPtrArray *doc, const KaigiRecord *r, gint64 item, const char *lang)
{
  g_autoptr (GPtrArray) us = kaigi_record_item_utterances (r, item);
  g_autoptr (GPtrArray) ds = kaigi_record_item_decisions (r, item);
  BodyState st = { NULL, FALSE };
  guint i = 0, k = 0;

  while (i < us->len || k < ds->len) {
    KaigiUtterance *u = i < us->len ? g_ptr_array_index (us, i) : NULL;
    KaigiDecision *d = k < ds->len ? g_ptr_array_index (ds, k) : NULL;
    if (u && (!d || u->start_us <= d->at_us)) {
      add_utterance (doc, r, u, &st, lang);
      i++;
      continue;
    }
    add_decision (doc, d, lang);
    st.last = NULL;
    k++;
  }
  if (st.in_closed)
    add_line (doc, KAIGI_BLOCK_MARK, L ("closed.end"));
}

static void
add_materials (GPtrArray *doc, const KaigiRecord *r, const char *lang)
{
  g_autoptr (GStrvBuilder) lines = g_strv_builder_new ();
  guint n = 0;

  for (guint i = 0; i < r->meeting->agenda->len; i++) {
    KaigiAgendaItem *item = g_ptr_array_index (r->meeting->agenda, i);
    for (guint k = 0; k < item->materials->len; k++) {
      g_autofree char *title = material_title (g_ptr_array_index (item->materials, k));
      take (lines, g_strdup_printf (EN ? "%s%u: %s" : "%s%u：%s", L ("material"), ++n, title));
    }
  }
  if (!n)
    return;
  add_line (doc, KAIGI_BLOCK_SUBHEADING, L ("materials"));
  add_block (doc, KAIGI_BLOCK_LIST, NULL, g_strv_builder_end (lines));
}

GPtrArray *
kaigi_export_document (const KaigiRecord *r, const char *lang)
{
  GPtrArray *doc = g_ptr_array_new_with_free_func ((GDestroyNotify)block_free);

  add_header (doc, r, lang);
  add_item_body (doc, r, 0, lang);
  for (guint i = 0; i < r->meeting->agenda->len; i++) {
    KaigiAgendaItem *item = g_ptr_array_index (r->meeting->agenda, i);
    g_autofree char *heading = item_heading (item);
    add_line (doc, KAIGI_BLOCK_HEADING, heading);
    add_item_body (doc, r, item->id, lang);
  }
  if (r->meeting->adjourned_at_us) {
    g_autofree char *at = hhmm (r, r->meeting->adjourned_at_us);
    g_autofree char *end = g_strdup_printf ("[%s %s]", at, L ("end"));
    add_line (doc, KAIGI_BLOCK_MARK, end);
  }
  add_materials (doc, r, lang);
  return doc;
}
