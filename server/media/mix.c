/* mix.c: a meeting's audio (mix.h): one kaigimixminus in the graph, as a local KaigiPeer that
 * participants' mics link into (media/forward.c: the tee traps, the link life, the chair's
 * mute), and the map from its sink pads to participants for the speaking events.
 *
 * Why one per meeting: the mixer sums every mic once and subtracts each listener's own
 * (mixminus.c), O(N) instead of one audiomixer per participant fed by every other mic, O(N^2).
 *
 * Speaking: the mixer posts "kaigi-speaking" element messages; the graph's bus watch runs on
 * the main loop (graph.c) and hands them to on_message, so no hop is needed and room state is
 * only ever touched there. Sink pad names are never reused by an aggregator (it numbers them
 * from a serial), so a message about a pad already released finds no entry and is dropped.
 *
 * Thread: main loop only. */
#include "mix.h"

#include "../peer-private.h"
#include "guard.h"
#include "kaigi-error.h"
#include "mixdsp.h"
#include "mixminus.h"
#include "opusear.h"

GST_DEBUG_CATEGORY_STATIC (kaigi_mix_debug);
#define GST_CAT_DEFAULT kaigi_mix_debug

#define MIX_KEY "kaigi-mix"

typedef struct {
  KaigiPeer *peer; /* not owned: an entry goes before its peer closes (kaigi_mix_remove) */
  gpointer who;
} Entry;

struct _KaigiMix {
  KaigiPeer *peer;     /* owned: the local peer holding the mixer */
  GstElement *mixer;   /* in peer->elements */
  GHashTable *entries; /* sink pad name (owned) -> Entry * (owned) */
  KaigiMixSpeaking speaking;
  gpointer user;
};

/* Main thread (the graph's bus watch). */
static void
on_message (gpointer owner, GstMessage *msg)
{
  const GstStructure *s = gst_message_get_structure (msg);
  KaigiMix *m = g_object_get_data (G_OBJECT (GST_MESSAGE_SRC (msg)), MIX_KEY);
  gboolean speaking = FALSE;
  double level = KAIGI_MIX_FLOOR_DB;
  const char *pad;
  Entry *e;

  if (!m || !s || !gst_structure_has_name (s, KAIGI_MIXMINUS_SPEAKING))
    return;
  pad = gst_structure_get_string (s, "pad");
  e = pad ? g_hash_table_lookup (m->entries, pad) : NULL;
  if (!e || !gst_structure_get_boolean (s, "speaking", &speaking))
    return;
  gst_structure_get_double (s, "level-db", &level);
  GST_DEBUG ("%s (%s) %s speaking at %.1f dB", kaigi_peer_get_id (e->peer), pad,
             speaking ? "starts" : "stops", level);
  if (m->speaking)
    m->speaking (m->user, e->who, speaking, level);
}

KaigiMix *
kaigi_mix_new (KaigiGraph *graph, guint jitter_latency_ms, guint audio_bitrate,
               KaigiMixSpeaking speaking, gpointer user, GError **error)
{
  static guint serial;
  g_autofree char *id = g_strdup_printf ("mix-%u", ++serial);
  g_autoptr (GPtrArray) made = g_ptr_array_new_with_free_func (gst_object_unref);
  GstElement *mixer;
  KaigiMix *m;

  GST_DEBUG_CATEGORY_INIT (kaigi_mix_debug, "kaigi-mix", 0, "kaigi meeting mix");
  kaigi_mixminus_register ();
  /* Named for its thread ("mix-N:src"), which /metrics counts with the encoders. */
  mixer = kaigi_graph_make ("kaigimixminus", id, error);
  if (!mixer)
    return NULL;
  /* Mics arrive a jitterbuffer later than the clock says (and join after the mixer started):
   * it waits for them from the start, or their buffers would be late and dropped. */
  g_object_set (mixer, "min-upstream-latency", (guint64)(jitter_latency_ms + 60) * GST_MSECOND,
                NULL);
  /* The total encoded once for everyone silent, as their ears (kaigiopusear) would. */
  g_object_set (mixer, "opus-bitrate",
                audio_bitrate ? audio_bitrate : KAIGI_OPUS_EAR_DEFAULT_BITRATE, NULL);
  g_ptr_array_add (made, gst_object_ref_sink (mixer));
  m = g_new0 (KaigiMix, 1);
  m->mixer = mixer;
  m->speaking = speaking;
  m->user = user;
  m->entries = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  m->peer = kaigi_peer_new_local (graph, id, 0, jitter_latency_ms, made, mixer, NULL);
  g_object_set_data (G_OBJECT (mixer), MIX_KEY, m);
  kaigi_graph_watch_messages (mixer, on_message);
  gst_element_sync_state_with_parent (mixer);
  return m;
}

void
kaigi_mix_free (KaigiMix *m)
{
  if (!m)
    return;
  g_object_set_data (G_OBJECT (m->mixer), MIX_KEY, NULL);
  kaigi_graph_watch_messages (m->mixer, NULL);
  kaigi_peer_close (m->peer);
  g_hash_table_unref (m->entries);
  g_free (m);
}

void
kaigi_mix_add (KaigiMix *m, KaigiPeer *peer, gpointer who, guint group)
{
  GstPad *pad;
  Entry *e;

  kaigi_peer_add_mix_input (m->peer, peer);
  pad = kaigi_forward_mix_pad (m->peer, peer);
  if (!pad)
    return;
  g_object_set (pad, "group", group, NULL);
  e = g_new0 (Entry, 1);
  e->peer = peer;
  e->who = who;
  g_hash_table_insert (m->entries, gst_pad_get_name (pad), e);
}

static gboolean
is_peer (gpointer key, gpointer value, gpointer peer)
{
  return ((Entry *)value)->peer == peer;
}

void
kaigi_mix_remove (KaigiMix *m, KaigiPeer *peer)
{
  g_hash_table_foreach_remove (m->entries, is_peer, peer);
  kaigi_peer_remove_mix_input (m->peer, peer);
}

gboolean
kaigi_mix_link_total (KaigiMix *m, GstPad *sink, GError **error)
{
  g_autoptr (GstPad) src = gst_element_get_static_pad (m->mixer, "src");

  /* An error of that branch (not-negotiated...) would stop the mixer, and every ear with it;
   * a branch being torn down (flushing) is ignored by the mixer itself. */
  kaigi_guard_pad (sink, "the meeting mix's total");
  if (gst_pad_link (src, sink) != GST_PAD_LINK_OK) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_MEDIA, "cannot link the meeting mix to %s",
                 GST_PAD_NAME (sink));
    return FALSE;
  }
  return TRUE;
}
