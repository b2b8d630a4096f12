/* material.c: see material.h.
 *
 *   [bin, async-handling: filesrc -> decodebin -> imagefreeze (live) -> videoconvert
 *     -> videoscale (borders) -> caps (I420 WxH, 2/1) -> vp8enc] -> tee [the program links here]
 *
 * imagefreeze repeats the decoded picture as a live stream stamped with the pipeline's
 * running time, so the compositor and the subscribers take it like a camera. vp8enc makes a
 * keyframe when a new link asks for one (GstForceKeyUnit, from forward.c) and every few
 * seconds anyway. Thread: main loop, except on_pad (decodebin's streaming thread). */
#include "material.h"

#include "../peer-private.h"
#include "kaigi-error.h"

#define FPS 2

/* decodebin's thread: the decoded picture goes to imagefreeze. */
static void
on_pad (GstElement *decodebin, GstPad *pad, GstElement *freeze)
{
  g_autoptr (GstPad) sink = gst_element_get_static_pad (freeze, "sink");
  g_autoptr (GstCaps) caps = gst_pad_get_current_caps (pad);

  if (gst_pad_is_linked (sink)
      || (caps
          && !g_str_has_prefix (gst_structure_get_name (gst_caps_get_structure (caps, 0)),
                                "video/")))
    return;
  gst_pad_link (pad, sink);
}

KaigiPeer *
kaigi_material_source_new (KaigiGraph *graph, const char *id, const char *image, guint width,
                           guint height, GError **error)
{
  g_autoptr (GPtrArray) made = g_ptr_array_new_with_free_func (gst_object_unref);
  const char *factories[] = { "filesrc",    "decodebin",  "imagefreeze", "videoconvert",
                              "videoscale", "capsfilter", "vp8enc" };
  GstElement *e[G_N_ELEMENTS (factories)], *bin, *tee;
  g_autofree char *bin_name = g_strdup_printf ("%s-picture", id);
  g_autofree char *tee_name = g_strdup_printf ("%s-tee", id);
  g_autoptr (GstCaps) caps = NULL;
  g_autoptr (GstPad) enc_src = NULL;
  KaigiPeer *p;

  if (!g_file_test (image, G_FILE_TEST_IS_REGULAR)) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_NOT_FOUND, "no picture at %s", image);
    return NULL;
  }
  /* One bin that keeps its state changes to itself: decodebin prerolls asynchronously, and
   * an element doing so in the running pipeline made the whole pipeline re-commit its state
   * (as splitmuxsink did, record.c). */
  bin = gst_object_ref_sink (gst_bin_new (bin_name));
  g_ptr_array_add (made, bin);
  g_object_set (bin, "async-handling", TRUE, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (factories); i++) {
    g_autofree char *name = g_strdup_printf ("%s-%s", id, factories[i]);
    if (!(e[i] = kaigi_graph_make (factories[i], name, error)))
      return NULL;
    gst_bin_add (GST_BIN (bin), e[i]);
  }
  if (!(tee = kaigi_graph_make ("tee", tee_name, error)))
    return NULL;
  g_ptr_array_add (made, gst_object_ref_sink (tee));
  caps
      = gst_caps_new_simple ("video/x-raw", "format", G_TYPE_STRING, "I420", "width", G_TYPE_INT,
                             width, "height", G_TYPE_INT, height, "pixel-aspect-ratio",
                             GST_TYPE_FRACTION, 1, 1, "framerate", GST_TYPE_FRACTION, FPS, 1, NULL);
  g_object_set (e[0], "location", image, NULL);
  g_object_set (e[2], "is-live", TRUE, NULL);
  g_object_set (e[4], "add-borders", TRUE, NULL);
  g_object_set (e[5], "caps", caps, NULL);
  g_object_set (e[6], "deadline", (gint64)1, "keyframe-max-dist", FPS * 4, "target-bitrate", 300000,
                NULL);
  g_object_set (tee, "allow-not-linked", TRUE, NULL);
  g_signal_connect_object (e[1], "pad-added", G_CALLBACK (on_pad), e[2], 0);
  if (!gst_element_link (e[0], e[1])
      || !gst_element_link_many (e[2], e[3], e[4], e[5], e[6], NULL)) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_MEDIA, "cannot link the picture of %s", id);
    return NULL;
  }
  enc_src = gst_element_get_static_pad (e[6], "src");
  gst_element_add_pad (bin, gst_ghost_pad_new ("src", enc_src));
  p = kaigi_peer_new_local (graph, id, 0, 0, made, NULL, NULL);
  if (!gst_element_link (bin, tee)) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_MEDIA, "cannot link the picture of %s", id);
    kaigi_peer_close (p);
    return NULL;
  }
  p->video_tee = tee;
  /* Downstream first, as for every branch. */
  gst_element_sync_state_with_parent (tee);
  gst_element_sync_state_with_parent (bin);
  return p;
}
