/* forward.c: links between peers: a publisher's mic into the meeting's mixer (whose ear for
 * that publisher goes back into their encoder), and a publisher's camera into one of a
 * subscriber's video slots.
 *
 * Why it is written this way (ARCHITECTURE.md, measured traps of tee in 1.22): tee returns
 * the first fatal flow of any branch, FLUSHING included, so a branch that is not PLAYING or is
 * being torn down stops the publisher for everybody. Hence:
 *   - a new branch is complete and PLAYING before its tee pad is linked (link_new);
 *   - a branch leaves in two steps: detach (unlink at the tee in an IDLE probe, any thread),
 *     then dispose (main thread: release pads). A subscriber that is closing disposes the
 *     links into it only after its webrtcbin is NULL.
 * A video link is the publisher's tee pad straight into the subscriber's slot payloader: the
 * publisher's streaming thread carries each packet through every subscriber's payloader,
 * RTP session and SRTP to the socket. A queue per link gave every packet one more thread
 * hand-over per subscriber (the server's largest cost at 30 participants: context switches).
 * Nothing on that path waits: links into a subscriber are made only once its media is
 * connected (DTLS keys set, so webrtcbin's send path no longer blocks), and the sockets do
 * not block. Audio links go straight into the mixer's pad
 * (kaigimixminus, one per meeting: media/mix.c); the mixer never waits for an ear (it ignores
 * their flow results, and an ear is linked only once its media is connected, chains.c). The ear
 * src_N is linked before the tee pad, and goes with the mixer's sink pad when the link is disposed.
 * The chair's mute marks the mic's buffers as gaps on the way into the mixer (mute_mic): the
 * link and the ear stay.
 *
 * Link life: new --link_new--> linked --detach--> detaching --on_idle/link_detached-->
 *            detached --link_dispose--> freed
 *
 * Thread: main loop, except on_idle (whichever thread holds the tee pad) and the probes. */
#include "../peer-private.h"

#include <string.h>

#include "guard.h"
#include "kaigi-error.h"
#include "mixminus.h"

GST_DEBUG_CATEGORY_STATIC (kaigi_forward_debug);
#define GST_CAT_DEFAULT kaigi_forward_debug

/* At most one keyframe request to a camera per this interval: 20 requests at once gave
 * 2 keyframes when measured, so more are only load. */
#define KEYFRAME_INTERVAL_US (300 * G_TIME_SPAN_MILLISECOND)

struct _KaigiLink {
  KaigiPeer *pub; /* ref */
  KaigiPeer *sub; /* ref */
  gboolean video;
  guint slot;         /* video only */
  GstPad *tee_pad;    /* owned: request pad of pub's tee */
  GstPad *sink_pad;   /* owned: mixer request pad (audio) or the slot payloader's sink (video) */
  gulong event_probe; /* on sink_pad, video only */
  gboolean detaching;
  gboolean detached;
  gboolean counted_pub; /* pub is closing and waits for this link's detach */
  gboolean counted_sub;
};

static void link_dispose (KaigiLink *l);

void
kaigi_forward_init (KaigiPeer *p)
{
  GST_DEBUG_CATEGORY_INIT (kaigi_forward_debug, "kaigi-forward", 0, "kaigi media links");
  p->mix_in = g_hash_table_new (NULL, NULL);
  p->slot_link = g_new0 (KaigiLink *, p->opt.slots);
  p->slot_want = g_new0 (KaigiPeer *, p->opt.slots);
  p->out_links = g_ptr_array_new ();
  p->dispose_later = g_ptr_array_new ();
}

void
kaigi_forward_clear (KaigiPeer *p)
{
  for (guint s = 0; s < p->opt.slots; s++)
    g_clear_pointer (&p->slot_want[s], kaigi_peer_unref);
  g_hash_table_unref (p->mix_in);
  g_free (p->slot_link);
  g_free (p->slot_want);
  g_ptr_array_unref (p->out_links);
  g_ptr_array_unref (p->dispose_later);
}

static gboolean
closing (KaigiPeer *p)
{
  return p->state == KAIGI_PEER_CLOSING;
}

/* TRUE if a keyframe may be asked of @pub now, and then counts this one. Any thread. */
static gboolean
keyframe_allowed (KaigiPeer *pub)
{
  gint64 now = g_get_monotonic_time ();
  gboolean ok;

  g_mutex_lock (&pub->keyframe_lock);
  ok = now - pub->last_keyframe_us >= KEYFRAME_INTERVAL_US;
  if (ok)
    pub->last_keyframe_us = now;
  g_mutex_unlock (&pub->keyframe_lock);
  return ok;
}

/* Upstream from the link: through the tee and the depayloader to the publisher's webrtcbin,
 * whose RTP session sends the camera a PLI. Without an "ssrc" field: the session fills in
 * the camera's own. */
GstEvent *
kaigi_forward_keyframe_event (void)
{
  return gst_event_new_custom (
      GST_EVENT_CUSTOM_UPSTREAM,
      gst_structure_new ("GstForceKeyUnit", "all-headers", G_TYPE_BOOLEAN, TRUE, NULL));
}

void
kaigi_forward_keyframe_taken (KaigiPeer *pub)
{
  g_mutex_lock (&pub->keyframe_lock);
  pub->last_keyframe_us = g_get_monotonic_time ();
  g_mutex_unlock (&pub->keyframe_lock);
}

/* Through the link's own probe (on_upstream_event), which throttles per publisher, as a
 * subscriber's PLI. (Taking the throttle here as well made that probe drop this very request:
 * a new link never asked, and a slot switched to a camera nobody watched waited for the
 * subscriber's own PLI.) */
static void
request_keyframe (KaigiLink *l)
{
  gst_pad_push_event (l->sink_pad, kaigi_forward_keyframe_event ());
}

/* Thread: the subscriber's webrtcbin (RTCP), or the main loop (request_keyframe, a new link).
 * A subscriber's PLI arrives as GstForceKeyUnit carrying the subscriber slot's SSRC; the
 * publisher's RTP session would look for a source of that SSRC among its own and ask nobody.
 * Replace it by a request without SSRC, throttled per publisher, so that a browser that lost a
 * frame gets a keyframe. */
static GstPadProbeReturn
on_upstream_event (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  KaigiLink *l = user_data;
  GstEvent *e = GST_PAD_PROBE_INFO_EVENT (info);

  if (!gst_event_has_name (e, "GstForceKeyUnit"))
    return GST_PAD_PROBE_OK;
  if (!keyframe_allowed (l->pub))
    return GST_PAD_PROBE_DROP;
  gst_event_unref (e);
  GST_PAD_PROBE_INFO_DATA (info) = kaigi_forward_keyframe_event ();
  return GST_PAD_PROBE_OK;
}

/* Streaming thread of @l's publisher (its mic tee): while the chair's mute holds, the mic
 * enters the mixer as a gap (silence, no copy of the samples). Nothing else changes: the
 * mixer's timing, the recording and the speech detector (other branches of the tee). */
static GstPadProbeReturn
mute_mic (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  KaigiLink *l = user_data;
  GstBuffer *buf;

  if (!g_atomic_int_get (&l->pub->mic_muted))
    return GST_PAD_PROBE_OK;
  buf = gst_buffer_make_writable (GST_PAD_PROBE_INFO_BUFFER (info));
  GST_BUFFER_FLAG_SET (buf, GST_BUFFER_FLAG_GAP);
  GST_PAD_PROBE_INFO_DATA (info) = buf;
  return GST_PAD_PROBE_OK;
}

/* The mixer's src_N for @l's sink_N (everyone but the publisher) into the publisher's ear. */
static void
link_ear (KaigiLink *l)
{
  g_autofree char *name = gst_pad_get_name (l->sink_pad);
  g_autofree char *ear_name = NULL;
  g_autoptr (GstPad) ear = NULL, enc = NULL;

  if (!l->pub->ear || !KAIGI_IS_MIX_MINUS (l->sub->mixer) || !g_str_has_prefix (name, "sink_"))
    return;
  ear_name = g_strdup_printf ("src_%s", name + strlen ("sink_"));
  ear = gst_element_get_static_pad (l->sub->mixer, ear_name);
  enc = gst_element_get_static_pad (l->pub->ear, "sink");
  if (!ear || !enc || gst_pad_link (ear, enc) != GST_PAD_LINK_OK)
    GST_WARNING ("cannot link the mix for %s (%s)", l->pub->id, ear_name);
}

static KaigiLink *
link_new (KaigiPeer *pub, KaigiPeer *sub, gboolean video, guint slot)
{
  KaigiLink *l = g_new0 (KaigiLink, 1);
  GstElement *tee = video ? pub->video_tee : pub->audio_tee;

  l->pub = kaigi_peer_ref (pub);
  l->sub = kaigi_peer_ref (sub);
  l->video = video;
  l->slot = slot;
  if (video) {
    l->sink_pad = gst_element_get_static_pad (sub->slot_pay[slot], "sink");
    l->event_probe = gst_pad_add_probe (l->sink_pad, GST_PAD_PROBE_TYPE_EVENT_UPSTREAM,
                                        on_upstream_event, l, NULL);
  } else {
    l->sink_pad = gst_element_request_pad_simple (sub->mixer, "sink_%u");
    gst_pad_add_probe (l->sink_pad, GST_PAD_PROBE_TYPE_QUERY_UPSTREAM,
                       kaigi_peer_answer_mic_latency, sub, NULL);
    gst_pad_add_probe (l->sink_pad, GST_PAD_PROBE_TYPE_BUFFER, mute_mic, l, NULL);
    link_ear (l);
  }
  /* A subscriber's failure (its mixer, its slot) never reaches the publisher's tee. */
  kaigi_guard_pad (l->sink_pad, video ? "a video link" : "a mixer input");
  /* The branch is complete and running; only now does the tee see it. */
  l->tee_pad = gst_element_request_pad_simple (tee, "src_%u");
  if (gst_pad_link (l->tee_pad, l->sink_pad) != GST_PAD_LINK_OK)
    GST_WARNING ("cannot link %s to %s", pub->id, sub->id);
  g_ptr_array_add (pub->out_links, l);
  GST_DEBUG ("linked %s %s -> %s (slot %u)", video ? "video" : "audio", pub->id, sub->id, slot);
  if (video)
    request_keyframe (l);
  return l;
}

static gboolean
link_detached (gpointer user_data)
{
  KaigiLink *l = user_data;
  KaigiPeer *pub = l->pub, *sub = l->sub;
  gboolean pub_counted = l->counted_pub, sub_counted = l->counted_sub;

  l->detached = TRUE;
  GST_DEBUG ("detached %s %s -> %s", l->video ? "video" : "audio", pub->id, sub->id);
  kaigi_peer_ref (pub);
  kaigi_peer_ref (sub);
  if (closing (sub))
    g_ptr_array_add (sub->dispose_later, l);
  else
    link_dispose (l);
  if (pub_counted && --pub->detaching == 0)
    kaigi_peer_finish_close (pub);
  if (sub_counted && --sub->detaching == 0)
    kaigi_peer_finish_close (sub);
  kaigi_peer_unref (pub);
  kaigi_peer_unref (sub);
  return G_SOURCE_REMOVE;
}

/* Thread: any; runs when the tee pad is not pushing. Unlinking here means the tee never sees
 * this branch's flow return again. */
static GstPadProbeReturn
on_idle (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  KaigiLink *l = user_data;

  gst_pad_unlink (l->tee_pad, l->sink_pad);
  /* Always through the idle queue, never inline: callers count detaches in progress. */
  g_idle_add_full (G_PRIORITY_DEFAULT, link_detached, l, NULL);
  return GST_PAD_PROBE_REMOVE;
}

static void
detach (KaigiLink *l)
{
  if (l->detaching)
    return;
  l->detaching = TRUE;
  GST_DEBUG ("detaching %s %s -> %s", l->video ? "video" : "audio", l->pub->id, l->sub->id);
  gst_pad_add_probe (l->tee_pad, GST_PAD_PROBE_TYPE_IDLE, on_idle, l, NULL);
}

static void apply_slot_want (KaigiPeer *sub, guint slot);

static void
link_dispose (KaigiLink *l)
{
  KaigiPeer *pub = l->pub, *sub = l->sub;
  GstElement *tee = l->video ? pub->video_tee : pub->audio_tee;
  gboolean refill = FALSE;

  g_ptr_array_remove (pub->out_links, l);
  if (l->video) {
    gst_pad_remove_probe (l->sink_pad, l->event_probe);
    if (sub->slot_link[l->slot] == l) {
      sub->slot_link[l->slot] = NULL;
      refill = !closing (sub);
    }
  } else {
    /* kaigimixminus takes its pads' references while it mixes, so a pad may go from here
     * (audiomixer could not: see git history); src_N goes with it. */
    gst_element_release_request_pad (sub->mixer, l->sink_pad);
    if (g_hash_table_lookup (sub->mix_in, pub) == l)
      g_hash_table_remove (sub->mix_in, pub);
  }
  gst_element_release_request_pad (tee, l->tee_pad);
  g_clear_object (&l->tee_pad);
  g_clear_object (&l->sink_pad);
  if (refill)
    apply_slot_want (sub, l->slot);
  GST_DEBUG ("disposed %s %s -> %s", l->video ? "video" : "audio", pub->id, sub->id);
  kaigi_peer_unref (l->pub);
  kaigi_peer_unref (l->sub);
  g_free (l);
}

static void
apply_slot_want (KaigiPeer *sub, guint slot)
{
  KaigiPeer *want = g_steal_pointer (&sub->slot_want[slot]);

  if (want && !closing (want) && !closing (sub))
    sub->slot_link[slot] = link_new (want, sub, TRUE, slot);
  if (want)
    kaigi_peer_unref (want);
}

void
kaigi_peer_set_slot_source (KaigiPeer *sub, guint slot, KaigiPeer *pub)
{
  KaigiLink *cur;

  /* Not before the subscriber is connected: webrtcbin holds data until DTLS is up, and a
   * video link has no queue to take that wait off the publisher's thread. */
  if (sub->state != KAIGI_PEER_CONNECTED || !kaigi_peer_slot_usable (sub, slot)
      || (pub && closing (pub)))
    return;
  cur = sub->slot_link[slot];
  g_clear_pointer (&sub->slot_want[slot], kaigi_peer_unref);
  if (cur && !cur->detaching && cur->pub == pub)
    return;
  sub->slot_want[slot] = pub ? kaigi_peer_ref (pub) : NULL;
  if (cur)
    detach (cur); /* the wanted source is linked when this link is disposed */
  else
    apply_slot_want (sub, slot);
}

void
kaigi_peer_add_mix_input (KaigiPeer *sub, KaigiPeer *pub)
{
  if (!sub->mixer || closing (sub) || closing (pub) || g_hash_table_contains (sub->mix_in, pub))
    return;
  g_hash_table_insert (sub->mix_in, pub, link_new (pub, sub, FALSE, 0));
}

void
kaigi_peer_set_mic_muted (KaigiPeer *pub, gboolean muted)
{
  g_atomic_int_set (&pub->mic_muted, muted ? 1 : 0);
}

GstPad *
kaigi_forward_mix_pad (KaigiPeer *mixer, KaigiPeer *pub)
{
  KaigiLink *l = g_hash_table_lookup (mixer->mix_in, pub);

  return l && !l->detaching ? l->sink_pad : NULL;
}

void
kaigi_peer_remove_mix_input (KaigiPeer *sub, KaigiPeer *pub)
{
  KaigiLink *l = g_hash_table_lookup (sub->mix_in, pub);

  if (l)
    detach (l);
}

static void
wait_for (KaigiPeer *p, KaigiLink *l)
{
  if (l->detached)
    return;
  if (l->pub == p)
    l->counted_pub = TRUE;
  else
    l->counted_sub = TRUE;
  p->detaching++;
  detach (l);
}

void
kaigi_forward_detach_all (KaigiPeer *p)
{
  GHashTableIter it;
  gpointer value;
  g_autoptr (GPtrArray) out = g_ptr_array_copy (p->out_links, NULL, NULL);

  g_hash_table_iter_init (&it, p->mix_in);
  while (g_hash_table_iter_next (&it, NULL, &value))
    wait_for (p, value);
  for (guint s = 0; s < p->opt.slots; s++) {
    g_clear_pointer (&p->slot_want[s], kaigi_peer_unref);
    if (p->slot_link[s])
      wait_for (p, p->slot_link[s]);
  }
  for (guint i = 0; i < out->len; i++)
    wait_for (p, g_ptr_array_index (out, i));
}

void
kaigi_forward_dispose_later (KaigiPeer *p)
{
  g_autoptr (GPtrArray) later = g_steal_pointer (&p->dispose_later);

  p->dispose_later = g_ptr_array_new ();
  for (guint i = 0; i < later->len; i++)
    link_dispose (g_ptr_array_index (later, i));
}
