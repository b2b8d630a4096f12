/* listen.c: a participant's speech, cut into utterances for the minutes.
 *
 *   mic-tee -> audioresample -> capsfilter (16 kHz mono S16) -> appsink
 *
 * The mic's own streaming thread runs the voice activity detector (minutes/vad.c) on each
 * buffer, stamped with the wall clock of its running time; each utterance that ends hops to
 * the main loop as the peer's `speech` event. Nothing here may hold up the participant's tee
 * (ARCHITECTURE.md), and nothing does: the detector takes microseconds a buffer, the
 * recogniser's stream only queues samples (its decoding runs on the recogniser's threads),
 * the appsink drops rather than waits, and the rest hops to the main loop. (A leaky queue
 * here gave every 20 ms of every mic one more thread hand-over.) When the peer closes, what was
 * being said is handed over at once (kaigi_listen_flush): the last words before leaving are kept.
 *
 * With a recogniser that streams (opt.asr), the utterance in progress is fed to it as it is
 * spoken (kaigi_asr_stream_feed only queues: the decoding runs on the recogniser's threads),
 * and the stream goes with the utterance's segment, so that when the pause ends it only the
 * last fraction is left to decode: the caption follows the end of speech closely. An
 * utterance cut for length (cut) is not the prefix its stream heard: it goes whole.
 *
 * Threads: kaigi_listen_build and kaigi_listen_flush on the main loop; on_sample on the
 * appsink's streaming thread. The detector is guarded by a mutex (both touch it). */
#include "../peer-private.h"

#include <gst/app/gstappsink.h>

#include "hop.h"
#include "kaigi-error.h"
#include "vad.h"

GST_DEBUG_CATEGORY_STATIC (kaigi_listen_debug);
#define GST_CAT_DEFAULT kaigi_listen_debug

struct _KaigiListen {
  KaigiPeer *peer; /* not owned: the peer outlives its elements' streaming threads */
  GMutex lock;
  KaigiVad *vad;          /* owned; guarded by lock */
  KaigiAsr *asr;          /* nullable, not owned (the server's, outlives the peers) */
  KaigiAsrStream *stream; /* owned, nullable: the utterance in progress; lock */
  guint64 stream_serial;  /* its number in vad; lock */
};

typedef struct {
  KaigiPeer *peer; /* a ref */
  KaigiVadSegment *segment;
} Speech;

static void
speech_free (gpointer data)
{
  Speech *s = data;

  kaigi_peer_unref (s->peer);
  kaigi_vad_segment_free (s->segment);
  g_free (s);
}

/* Main thread. */
static gboolean
deliver (gpointer data)
{
  Speech *s = data;
  KaigiPeer *p = s->peer;

  if (p->state != KAIGI_PEER_CLOSING && p->ev.speech)
    p->ev.speech (p->user, s->segment);
  return G_SOURCE_REMOVE;
}

static void
hop (KaigiPeer *p, KaigiVadSegment *segment)
{
  Speech *s = g_new0 (Speech, 1);

  s->peer = kaigi_peer_ref (p);
  s->segment = segment;
  g_main_context_invoke_full (NULL, G_PRIORITY_DEFAULT, deliver, s, speech_free);
}

/* Gives the stream to @segment if it heard it. Caller holds l->lock. */
static void
hand_over (KaigiListen *l, KaigiVadSegment *segment)
{
  if (!l->stream || segment->serial != l->stream_serial)
    return;
  if (!segment->cut)
    segment->stream = g_steal_pointer (&l->stream);
  else
    g_clear_pointer (&l->stream, kaigi_asr_stream_close);
}

/* Feeds what was said since the last call to the stream of the utterance in progress, begun
 * if need be (a recogniser may be free later in the utterance: it gets everything so far).
 * Caller holds l->lock. */
static void
stream_current (KaigiListen *l)
{
  gsize n, queued;
  guint64 serial = 0;
  const gint16 *x = kaigi_vad_current (l->vad, &n, &serial);

  if (l->stream && (!x || serial != l->stream_serial))
    g_clear_pointer (&l->stream, kaigi_asr_stream_close); /* ended without a segment */
  if (!x || !l->asr)
    return;
  if (!l->stream) {
    l->stream = kaigi_asr_stream_begin (l->asr);
    l->stream_serial = serial;
  }
  if (!l->stream)
    return;
  queued = kaigi_asr_stream_queued (l->stream);
  if (n > queued)
    kaigi_asr_stream_feed (l->stream, x + queued, n - queued);
}

/* Streaming thread. */
static GstFlowReturn
on_sample (GstAppSink *sink, gpointer user_data)
{
  KaigiListen *l = user_data;
  g_autoptr (GstSample) sample = gst_app_sink_pull_sample (sink);
  GstBuffer *buf = sample ? gst_sample_get_buffer (sample) : NULL;
  const GstSegment *seg = sample ? gst_sample_get_segment (sample) : NULL;
  GstMapInfo map;
  guint64 rt;
  g_autoptr (GPtrArray) done = NULL;

  if (!buf || !seg || !GST_BUFFER_PTS_IS_VALID (buf))
    return GST_FLOW_OK;
  rt = gst_segment_to_running_time (seg, GST_FORMAT_TIME, GST_BUFFER_PTS (buf));
  if (rt == GST_CLOCK_TIME_NONE || !gst_buffer_map (buf, &map, GST_MAP_READ))
    return GST_FLOW_OK;
  g_mutex_lock (&l->lock);
  done = kaigi_vad_push (l->vad, (const gint16 *)map.data, map.size / 2,
                         kaigi_graph_wall_clock_of (l->peer->graph, rt));
  for (guint i = 0; i < done->len; i++)
    hand_over (l, done->pdata[i]);
  stream_current (l);
  g_mutex_unlock (&l->lock);
  gst_buffer_unmap (buf, &map);
  for (guint i = 0; i < done->len; i++)
    hop (l->peer, g_steal_pointer (&done->pdata[i]));
  return GST_FLOW_OK;
}

static void
listen_free (gpointer data)
{
  KaigiListen *l = data;

  kaigi_asr_stream_close (l->stream);
  kaigi_vad_free (l->vad);
  g_mutex_clear (&l->lock);
  g_free (l);
}

gboolean
kaigi_listen_build (KaigiPeer *p,
                    GstElement *(*add) (KaigiPeer *, const char *, const char *, GError **),
                    GError **error)
{
  GstElement *resample, *caps, *sink;
  g_autoptr (GstCaps) raw
      = gst_caps_from_string ("audio/x-raw,format=S16LE,rate=16000,channels=1,layout=interleaved");
  GstAppSinkCallbacks cb = { .new_sample = on_sample };
  KaigiListen *l;

  GST_DEBUG_CATEGORY_INIT (kaigi_listen_debug, "kaigi-listen", 0, "kaigi speech detection");
  resample = add (p, "audioresample", "listen-rs", error);
  caps = resample ? add (p, "capsfilter", "listen-caps", error) : NULL;
  sink = caps ? add (p, "appsink", "listen", error) : NULL;
  if (!sink)
    return FALSE;
  g_object_set (caps, "caps", raw, NULL);
  g_object_set (sink, "sync", FALSE, "async", FALSE, "max-buffers", 50, "drop", TRUE, NULL);
  if (!gst_element_link_many (p->audio_tee, resample, caps, sink, NULL)) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_MEDIA, "cannot link the speech detector");
    return FALSE;
  }
  l = g_new0 (KaigiListen, 1);
  l->peer = p;
  g_mutex_init (&l->lock);
  l->vad = kaigi_vad_new (NULL);
  l->asr = p->opt.asr;
  gst_app_sink_set_callbacks (GST_APP_SINK (sink), &cb, l, listen_free);
  p->listen = l;
  return TRUE;
}

void
kaigi_listen_flush (KaigiPeer *p)
{
  KaigiVadSegment *last;

  if (!p->listen || !p->ev.speech)
    return;
  g_mutex_lock (&p->listen->lock);
  last = kaigi_vad_flush (p->listen->vad);
  if (last)
    hand_over (p->listen, last);
  g_clear_pointer (&p->listen->stream, kaigi_asr_stream_close);
  g_mutex_unlock (&p->listen->lock);
  if (last)
    p->ev.speech (p->user, last);
  kaigi_vad_segment_free (last);
}
