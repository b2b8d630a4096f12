/* guard.c: see guard.h. */
#include "guard.h"

GST_DEBUG_CATEGORY_STATIC (kaigi_guard_debug);
#define GST_CAT_DEFAULT kaigi_guard_debug

typedef struct {
  GstPadChainFunction chain;
  GstPadChainListFunction chain_list;
  char *what;
  gint failed; /* atomic: warned once */
} Guard;

static GQuark
guard_quark (void)
{
  static gsize q;

  if (g_once_init_enter (&q)) {
    GST_DEBUG_CATEGORY_INIT (kaigi_guard_debug, "kaigi-guard", 0, "kaigi branch guards");
    g_once_init_leave (&q, g_quark_from_static_string ("kaigi-guard"));
  }
  return (GQuark)q;
}

static void
guard_free (gpointer data)
{
  Guard *g = data;

  g_free (g->what);
  g_free (g);
}

static GstFlowReturn
answer (Guard *g, GstPad *pad, GstFlowReturn ret)
{
  /* Flushing, EOS and not-linked are the tee's to handle; only fatal results are kept. */
  if (ret >= GST_FLOW_EOS)
    return ret;
  if (g_atomic_int_compare_and_exchange (&g->failed, 0, 1))
    GST_WARNING_OBJECT (pad, "%s failed (%s); its publisher goes on", g->what,
                        gst_flow_get_name (ret));
  return GST_FLOW_OK;
}

static GstFlowReturn
guard_chain (GstPad *pad, GstObject *parent, GstBuffer *buffer)
{
  Guard *g = g_object_get_qdata (G_OBJECT (pad), guard_quark ());

  return answer (g, pad, g->chain (pad, parent, buffer));
}

static GstFlowReturn
guard_chain_list (GstPad *pad, GstObject *parent, GstBufferList *list)
{
  Guard *g = g_object_get_qdata (G_OBJECT (pad), guard_quark ());

  return answer (g, pad, g->chain_list (pad, parent, list));
}

void
kaigi_guard_pad (GstPad *sink, const char *what)
{
  Guard *g;

  if (g_object_get_qdata (G_OBJECT (sink), guard_quark ()))
    return;
  g = g_new0 (Guard, 1);
  g->chain = GST_PAD_CHAINFUNC (sink);
  g->chain_list = GST_PAD_CHAINLISTFUNC (sink);
  g->what = g_strdup (what);
  g_object_set_qdata_full (G_OBJECT (sink), guard_quark (), g, guard_free);
  if (g->chain)
    gst_pad_set_chain_function (sink, guard_chain);
  if (g->chain_list)
    gst_pad_set_chain_list_function (sink, guard_chain_list);
}
