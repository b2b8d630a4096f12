/* receive-bypass.c: see receive-bypass.h.
 *
 * Locks, in this order: the capsfilter sink's stream lock (held by nicesrc's thread while a
 * packet goes through; taken by a restore to keep packets out), then Bypass.lock. The idle
 * probe runs either in nicesrc's thread, inside a push (so with the stream lock), or in the
 * caller of gst_pad_add_probe when the pad is idle (without it), and takes only Bypass.lock. */
#include "receive-bypass.h"

GST_DEBUG_CATEGORY_STATIC (kaigi_bypass_debug);
#define GST_CAT_DEFAULT kaigi_bypass_debug

#define DATA_KEY "kaigi-receive-bypass"

typedef struct {
  GMutex lock;
  GstPad *up;            /* owned: the capsfilter's src */
  GstPad *up_in;         /* owned: the capsfilter's sink */
  GstPad *q_in;          /* owned: the queue's sink */
  GstPad *q_out;         /* owned: the queue's src */
  GstPad *down;          /* owned: dtlssrtpdec's sink */
  gboolean want;         /* under lock: the last "leaky" said media may pass */
  gboolean bypassed;     /* under lock */
  gboolean idle_pending; /* under lock: an idle probe is waiting to bypass */
} Bypass;

static void
bypass_clear (gpointer data)
{
  Bypass *b = data;

  gst_object_unref (b->up);
  gst_object_unref (b->up_in);
  gst_object_unref (b->q_in);
  gst_object_unref (b->q_out);
  gst_object_unref (b->down);
  g_mutex_clear (&b->lock);
}

static void
bypass_unref (gpointer data)
{
  g_atomic_rc_box_release_full (data, bypass_clear);
}

/* Thread: nicesrc's (a push just ended), or the caller of gst_pad_add_probe. Data cannot pass
 * the capsfilter's src while this runs. */
static GstPadProbeReturn
bypass_when_idle (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  Bypass *b = data;

  g_mutex_lock (&b->lock);
  b->idle_pending = FALSE;
  if (b->want && !b->bypassed) {
    gst_pad_unlink (b->up, b->q_in);
    gst_pad_unlink (b->q_out, b->down);
    if (gst_pad_link (b->up, b->down) == GST_PAD_LINK_OK) {
      b->bypassed = TRUE;
      GST_DEBUG_OBJECT (b->down, "receive queue bypassed");
    } else {
      GST_WARNING_OBJECT (b->down, "cannot link past the receive queue; keeping it");
      gst_pad_link (b->q_out, b->down);
      gst_pad_link (b->up, b->q_in);
    }
  }
  g_mutex_unlock (&b->lock);
  return GST_PAD_PROBE_REMOVE;
}

/* Puts the queue back between the capsfilter and dtlssrtpdec. Called with the capsfilter
 * sink's stream lock and b->lock held: no packet is on its way. */
static void
restore (Bypass *b)
{
  gst_pad_unlink (b->up, b->down);
  /* A packet the queue's thread pushed after the bypass found its src unlinked and left the
   * queue "not linked", which it would answer every packet with: a flush resets it (the
   * flush events go nowhere: its src is unlinked). */
  gst_pad_send_event (b->q_in, gst_event_new_flush_start ());
  gst_pad_send_event (b->q_in, gst_event_new_flush_stop (FALSE));
  if (gst_pad_link (b->q_out, b->down) != GST_PAD_LINK_OK
      || gst_pad_link (b->up, b->q_in) != GST_PAD_LINK_OK)
    GST_ERROR_OBJECT (b->down, "cannot put the receive queue back");
  b->bypassed = FALSE;
  GST_DEBUG_OBJECT (b->down, "receive queue back in place");
}

/* Thread: whichever sets transportreceivebin's receive state (see the header). */
static void
on_leaky (GObject *queue, GParamSpec *pspec, gpointer data)
{
  Bypass *b = data;
  int leaky = 0;
  gboolean schedule = FALSE;

  g_object_get (queue, "leaky", &leaky, NULL);
  if (leaky == 0) {
    g_mutex_lock (&b->lock);
    b->want = TRUE;
    if (!b->bypassed && !b->idle_pending)
      schedule = b->idle_pending = TRUE;
    g_mutex_unlock (&b->lock);
    if (schedule)
      gst_pad_add_probe (b->up, GST_PAD_PROBE_TYPE_IDLE, bypass_when_idle,
                         g_atomic_rc_box_acquire (b), bypass_unref);
    return;
  }
  GST_PAD_STREAM_LOCK (b->up_in);
  g_mutex_lock (&b->lock);
  b->want = FALSE;
  if (b->bypassed)
    restore (b);
  g_mutex_unlock (&b->lock);
  GST_PAD_STREAM_UNLOCK (b->up_in);
}

static GstElement *
child_made_by (GstElement *bin, const char *factory)
{
  GstIterator *it = gst_bin_iterate_elements (GST_BIN (bin));
  GValue v = G_VALUE_INIT;
  GstElement *found = NULL;

  while (!found && gst_iterator_next (it, &v) == GST_ITERATOR_OK) {
    GstElement *e = g_value_get_object (&v);
    GstElementFactory *f = gst_element_get_factory (e);
    if (f && g_str_equal (GST_OBJECT_NAME (f), factory))
      found = gst_object_ref (e);
    g_value_reset (&v);
  }
  g_value_unset (&v);
  gst_iterator_free (it);
  return found;
}

gboolean
kaigi_receive_bypass_watch (GstElement *receive_bin)
{
  g_autoptr (GstElement) queue = NULL;
  g_autoptr (GstPad) q_in = NULL, q_out = NULL, up = NULL, down = NULL, up_in = NULL;
  g_autoptr (GstElement) capsfilter = NULL;
  Bypass *b;

  GST_DEBUG_CATEGORY_INIT (kaigi_bypass_debug, "kaigi-bypass", 0, "webrtcbin receive queue");
  if (!(queue = child_made_by (receive_bin, "queue"))
      || !(q_in = gst_element_get_static_pad (queue, "sink"))
      || !(q_out = gst_element_get_static_pad (queue, "src")) || !(up = gst_pad_get_peer (q_in))
      || !(down = gst_pad_get_peer (q_out)) || !(capsfilter = gst_pad_get_parent_element (up))
      || !(up_in = gst_element_get_static_pad (capsfilter, "sink"))) {
    GST_WARNING_OBJECT (receive_bin, "not laid out as webrtcbin 1.22's: receive queue kept");
    return FALSE;
  }
  b = g_atomic_rc_box_new0 (Bypass);
  g_mutex_init (&b->lock);
  b->up = g_steal_pointer (&up);
  b->up_in = g_steal_pointer (&up_in);
  b->q_in = g_steal_pointer (&q_in);
  b->q_out = g_steal_pointer (&q_out);
  b->down = g_steal_pointer (&down);
  g_object_set_data_full (G_OBJECT (queue), DATA_KEY, b, bypass_unref);
  g_signal_connect (queue, "notify::leaky", G_CALLBACK (on_leaky), b);
  return TRUE;
}

gboolean
kaigi_receive_bypass_active (GstElement *receive_bin)
{
  g_autoptr (GstElement) queue = child_made_by (receive_bin, "queue");
  Bypass *b = queue ? g_object_get_data (G_OBJECT (queue), DATA_KEY) : NULL;
  gboolean active = FALSE;

  if (b) {
    g_mutex_lock (&b->lock);
    active = b->bypassed;
    g_mutex_unlock (&b->lock);
  }
  return active;
}
