/* room-slots.c: which participant each subscriber's video slots show.
 *
 * Slots follow who speaks (last-N): each subscriber's K slots show, in this order of
 * preference, the pinned sources (the main venue's camera, then the one the chair pinned),
 * then those who spoke most recently (r->speakers, from the meeting's mixer), then the others
 * in join order; never the subscriber (nor, for a venue's page, its own room's WHIP camera).
 * A slot changes only when it must: whoever is wanted and shown keeps their slot, and a
 * newcomer takes an empty slot, else the slot of the least recently active of those no longer
 * wanted (assign_slots). The new source is asked for a keyframe (media/forward.c); the slot's
 * payloader keeps its SSRC and sequence, so nothing is renegotiated, and `slots` tells the
 * subscriber who is where.
 *
 * After the K camera slots, each subscriber has one materials slot (index K, its own m-line):
 * the screen someone shares (kaigi_room_share_screen; their video is their screen meanwhile,
 * so they leave the camera slots), else the material on show (room-program.c's material
 * peer, also the public program's picture), else nothing. Never one's own screen.
 *
 * Thread: main loop only. */
#include "room-private.h"

#include "kaigi-error.h"
#include "roles.h"

static guint
n_slots (KaigiRoom *r)
{
  return r->opt.peer.slots;
}

static void
add_materials_json (KaigiRoom *r, KaigiParticipant *p, JsonBuilder *b)
{
  const char *mid = p->peer ? kaigi_peer_slot_mid (p->peer, n_slots (r)) : NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "index");
  json_builder_add_int_value (b, n_slots (r));
  json_builder_set_member_name (b, "mline");
  json_builder_add_int_value (b, kaigi_peer_slot_mline (n_slots (r)));
  json_builder_set_member_name (b, "mid");
  mid ? json_builder_add_string_value (b, mid) : json_builder_add_null_value (b);
  json_builder_set_member_name (b, "participant");
  p->materials_screen ? json_builder_add_string_value (b, p->materials_screen->id)
                      : json_builder_add_null_value (b);
  json_builder_set_member_name (b, "material");
  p->materials_material ? json_builder_add_int_value (b, p->materials_material)
                        : json_builder_add_null_value (b);
  json_builder_end_object (b);
}

static void
send_slots (KaigiRoom *r, KaigiParticipant *p)
{
  JsonBuilder *b = kaigi_room_begin ("slots");

  json_builder_set_member_name (b, "slots");
  json_builder_begin_array (b);
  for (guint s = 0; s < n_slots (r); s++) {
    const char *mid = p->peer ? kaigi_peer_slot_mid (p->peer, s) : NULL;
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "index");
    json_builder_add_int_value (b, s);
    json_builder_set_member_name (b, "mline");
    json_builder_add_int_value (b, kaigi_peer_slot_mline (s));
    json_builder_set_member_name (b, "mid");
    mid ? json_builder_add_string_value (b, mid) : json_builder_add_null_value (b);
    json_builder_set_member_name (b, "participant");
    p->slots[s] ? json_builder_add_string_value (b, p->slots[s]->id)
                : json_builder_add_null_value (b);
    json_builder_end_object (b);
  }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "materials");
  add_materials_json (r, p, b);
  kaigi_room_send_to (r, p, b);
}

/* ---- slots ---- */

static gboolean
has_media (KaigiRoom *r, KaigiParticipant *q)
{
  return q->connected;
}

static gboolean
shown (KaigiParticipant *p, KaigiParticipant *q)
{
  for (guint s = 0; s < n_slots (p->room); s++)
    if (p->slots[s] == q)
      return TRUE;
  return FALSE;
}

static gboolean
usable (KaigiParticipant *p, guint s)
{
  return !p->peer || kaigi_peer_slot_usable (p->peer, s);
}

/* The main venue's participant (a venue link of the meeting's venue of kind main), if its
 * media is connected: its WHIP ingest (the room's camera) before its page. */
static KaigiParticipant *
main_venue (KaigiRoom *r)
{
  KaigiParticipant *page = NULL;

  for (guint i = 0; i < r->people->len; i++) {
    KaigiParticipant *q = g_ptr_array_index (r->people, i);
    KaigiVenue *v;
    if (q->role != KAIGI_ROLE_VENUE || q->ref[0] != 'v' || !has_media (r, q))
      continue;
    v = kaigi_meeting_find_venue (r->meeting, g_ascii_strtoll (q->ref + 1, NULL, 10));
    if (v && v->kind == KAIGI_VENUE_MAIN) {
      if (q->whip)
        return q;
      page = page ? page : q;
    }
  }
  return page;
}

static void
want_add (KaigiParticipant **want, guint *n, guint k, KaigiParticipant *p, KaigiParticipant *q)
{
  /* A sharer's video is their screen: it is in the materials slot. A venue's page is not
   * shown its own room's WHIP camera either (one place, like oneself). */
  if (!q || q == p || *n >= k || !has_media (p->room, q) || q == p->room->screen_sharer
      || (q->whip != p->whip && g_str_equal (q->ref, p->ref)))
    return;
  for (guint i = 0; i < *n; i++)
    if (want[i] == q)
      return;
  want[(*n)++] = q;
}

/* Whom @p's @k usable slots should show, best first: pinned, last speakers, join order. */
static guint
wanted (KaigiRoom *r, KaigiParticipant *p, KaigiParticipant **want, guint k)
{
  guint n = 0;

  want_add (want, &n, k, p, main_venue (r));
  want_add (want, &n, k, p, r->slot_pin);
  for (guint i = 0; i < r->speakers->len && n < k; i++)
    want_add (want, &n, k, p, g_ptr_array_index (r->speakers, i));
  for (guint i = 0; i < r->people->len && n < k; i++)
    want_add (want, &n, k, p, g_ptr_array_index (r->people, i));
  return n;
}

/* How long ago @q was active, as a rank: 0 spoke last; G_MAXUINT never spoke (or nobody). */
static guint
staleness (KaigiRoom *r, KaigiParticipant *q)
{
  guint i;

  return q && g_ptr_array_find (r->speakers, q, &i) ? i : G_MAXUINT;
}

/* Puts into @p's slots whom they should show, moving as few as possible. Returns TRUE if a
 * slot changed. */
static gboolean
assign_slots (KaigiRoom *r, KaigiParticipant *p)
{
  guint k = n_slots (r), n_usable = 0, n, n_free = 0;
  g_autofree KaigiParticipant **want = g_new0 (KaigiParticipant *, k);
  g_autofree guint *free_slots = g_new0 (guint, k);
  gboolean changed = FALSE;

  for (guint s = 0; s < k; s++)
    n_usable += usable (p, s);
  n = wanted (r, p, want, n_usable);
  /* Slots whose participant is no longer wanted (or nobody) may be given to a newcomer. */
  for (guint s = 0; s < k; s++) {
    gboolean keep = FALSE;
    for (guint i = 0; i < n && p->slots[s]; i++)
      keep |= want[i] == p->slots[s];
    if (usable (p, s) && !keep)
      free_slots[n_free++] = s;
  }
  /* Empty ones first, then by the staleness of whom they show, the most stale first. */
  for (guint i = 1; i < n_free; i++) {
    for (guint j = i; j > 0; j--) {
      KaigiParticipant *a = p->slots[free_slots[j - 1]], *b = p->slots[free_slots[j]];
      gboolean swap = b ? a && staleness (r, b) > staleness (r, a) : a != NULL;
      if (!swap)
        break;
      guint t = free_slots[j - 1];
      free_slots[j - 1] = free_slots[j];
      free_slots[j] = t;
    }
  }
  /* There are as many free slots as newcomers, or more: each newcomer is one of the n wanted
   * that is not in one of the n_usable - n_free kept slots. */
  for (guint i = 0, f = 0; i < n && f < n_free; i++) {
    if (shown (p, want[i]))
      continue;
    p->slots[free_slots[f++]] = want[i];
    changed = TRUE;
  }
  /* Whoever is left in a free slot is wanted no more, and nobody needs the slot: empty it. */
  for (guint f = 0; f < n_free; f++) {
    KaigiParticipant *q = p->slots[free_slots[f]];
    gboolean keep = FALSE;
    for (guint i = 0; i < n && q; i++)
      keep |= want[i] == q;
    if (q && !keep) {
      p->slots[free_slots[f]] = NULL;
      changed = TRUE;
    }
  }
  return changed;
}

/* The materials slot: the screen shared by someone else, else the material on show. Returns
 * TRUE if it changed. */
static gboolean
assign_materials (KaigiRoom *r, KaigiParticipant *p)
{
  KaigiParticipant *screen = r->screen_sharer;
  gint64 material = 0;

  if (screen && (screen == p || !has_media (r, screen)))
    screen = NULL;
  if (!screen && r->material_peer)
    material = r->program_material;
  if (screen == p->materials_screen && material == p->materials_material)
    return FALSE;
  p->materials_screen = screen;
  p->materials_material = material;
  return TRUE;
}

static void
apply_slots (KaigiRoom *r, KaigiParticipant *p)
{
  KaigiParticipant *screen = p->materials_screen;

  if (!p->peer || !p->connected)
    return;
  for (guint s = 0; s < n_slots (r); s++)
    kaigi_peer_set_slot_source (p->peer, s, p->slots[s] ? p->slots[s]->peer : NULL);
  kaigi_peer_set_slot_source (p->peer, n_slots (r),
                              screen                  ? screen->peer
                              : p->materials_material ? r->material_peer
                                                      : NULL);
}

void
kaigi_room_slots_refresh (KaigiRoom *r, KaigiParticipant *p, gboolean force)
{
  gboolean cameras = assign_slots (r, p), materials = assign_materials (r, p);

  if (cameras || materials || force) {
    send_slots (r, p);
    apply_slots (r, p);
  }
}

/* Someone started speaking, or a pin changed: every subscriber's slots follow. */
void
kaigi_room_slots_follow (KaigiRoom *r)
{
  for (guint i = 0; i < r->people->len; i++) {
    KaigiParticipant *q = g_ptr_array_index (r->people, i);
    if (q->connected)
      kaigi_room_slots_refresh (r, q, FALSE);
  }
}

gboolean
kaigi_room_pin (KaigiRoom *r, KaigiParticipant *by, const char *pid, GError **error)
{
  KaigiParticipant *p = pid ? kaigi_room_find (r, pid) : NULL;
  JsonBuilder *d;

  if (pid && (!p || !p->media)) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_NOT_FOUND, "no participant with media: %s", pid);
    return FALSE;
  }
  if (r->slot_pin == p)
    return TRUE;
  r->slot_pin = p;
  d = kaigi_room_detail (by ? by->ref : NULL);
  kaigi_room_detail_string (d, "participant", p ? p->ref : NULL);
  kaigi_room_record (r, p ? "pin" : "unpin", p ? p->ref : NULL, d);
  kaigi_room_slots_follow (r);
  kaigi_room_send_meeting (r, NULL, NULL); /* its "pinned" */
  return TRUE;
}

const char *
kaigi_room_pinned (KaigiRoom *r)
{
  return r->slot_pin ? r->slot_pin->id : NULL;
}

/* ---- screen share ---- */

void
kaigi_room_screen_end (KaigiRoom *r, const char *reason)
{
  KaigiParticipant *p = r->screen_sharer;
  JsonBuilder *b, *d;

  if (!p)
    return;
  r->screen_sharer = NULL;
  b = kaigi_room_begin ("screen-ended"); /* the page puts its camera back */
  json_builder_set_member_name (b, "reason");
  json_builder_add_string_value (b, reason);
  kaigi_room_send_to (r, p, b);
  d = kaigi_room_detail (NULL);
  kaigi_room_detail_string (d, "participant", p->id);
  kaigi_room_detail_string (d, "reason", reason);
  kaigi_room_record (r, "screen-end", p->ref, d);
  kaigi_room_slots_follow (r);
  kaigi_room_send_meeting (r, NULL, NULL); /* its "screen" */
}

gboolean
kaigi_room_share_screen (KaigiRoom *r, KaigiParticipant *by, gboolean on, GError **error)
{
  JsonBuilder *d;

  if (!on) {
    if (r->screen_sharer == by)
      kaigi_room_screen_end (r, "stopped");
    return TRUE;
  }
  if (!by->media) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_STATE,
                 "you joined without media: there is no video to share your screen in");
    return FALSE;
  }
  if (r->screen_sharer == by)
    return TRUE;
  kaigi_room_screen_end (r, "replaced");
  r->screen_sharer = by;
  d = kaigi_room_detail (by->ref);
  kaigi_room_detail_string (d, "participant", by->id);
  kaigi_room_record (r, "screen", by->ref, d);
  kaigi_room_slots_follow (r);
  kaigi_room_send_meeting (r, NULL, NULL);
  return TRUE;
}

const char *
kaigi_room_screen_sharer (KaigiRoom *r)
{
  return r->screen_sharer ? r->screen_sharer->id : NULL;
}

char *
kaigi_participant_materials (KaigiParticipant *p)
{
  if (p->materials_screen)
    return g_strdup (p->materials_screen->id);
  if (p->materials_material)
    return g_strdup_printf ("material%" G_GINT64_FORMAT, p->materials_material);
  return NULL;
}
