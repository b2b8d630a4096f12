/* program-closed.c: what the public program would have shown during closed sessions (非公開),
 * recorded apart for the town's archive, never published.
 *
 *   mix (before the gate) -> queue -> audioconvert -> [drop unless closed] voaacenc -> aacparse
 *                                                                 -> queue -> hlssink2 (audio)
 *   black -> compositor <- picture (before the gate)
 *            compositor -> [drop unless closed] caps -> textoverlay (caption, 非公開) ->
 *                          videoconvert -> openh264enc -> h264parse -> queue -> hlssink2 (video)
 *
 * The public program's gate shuts the public outputs (program.c); this branch takes the same
 * mix and picture in front of it, and its encoders see frames only while the meeting is in a
 * closed session, so it costs a compositor's work the rest of the time. Its segments go to
 * program/closed-RUN-NNNNN.ts, listed in the manifest as "program_closed" (never served by
 * the archive API). Thread: main loop, except the probes (streaming threads, which read only
 * the atomic flag). */
#include "program-private.h"

#include "../peer-private.h"
#include "guard.h"

GST_DEBUG_CATEGORY_STATIC (kaigi_closed_debug);
#define GST_CAT_DEFAULT kaigi_closed_debug

struct _KaigiClosedProgram {
  gint *on;              /* atomic rc box: 1 while a closed session is recorded */
  GstElement *aq, *comp; /* entries (in the program's element list) */
  GstElement *aenc, *econv, *venc, *overlay;
  GstElement *aconv, *aparse, *raq, *src, *vcaps, *ccaps, *vparse, *rvq; /* linked later */
  GstElement *rec;                                                       /* owned ref */
  GstPad *picture_pad; /* owned: the compositor's picture input */
  KaigiSegmentLog log; /* its segments, told to the options' closed_segment */
};

KaigiClosedProgram *
kaigi_closed_program_make (Maker *m, const KaigiProgramOptions *o, const char *raw_rate)
{
  KaigiClosedProgram *c;

  GST_DEBUG_CATEGORY_INIT (kaigi_closed_debug, "kaigi-closed", 0, "kaigi closed-session program");
  if (!o->closed_location)
    return NULL;
  c = g_new0 (KaigiClosedProgram, 1);
  c->on = g_atomic_rc_box_new0 (gint);
  c->aq = make (m, "queue", "closed-aq");
  c->aconv = make (m, "audioconvert", "closed-aconv");
  c->aenc = make (m, "voaacenc", "closed-aac");
  c->aparse = make (m, "aacparse", "closed-aacparse");
  c->raq = make (m, "queue", "closed-raq");
  c->src = make (m, "videotestsrc", "closed-black");
  c->vcaps = make_caps (m, "closed-vcaps", raw_rate);
  c->comp = make (m, "compositor", "closed-comp");
  c->ccaps = make_caps (m, "closed-ccaps", raw_rate);
  c->overlay = make (m, "textoverlay", "closed-overlay");
  c->econv = make (m, "videoconvert", "closed-econv");
  c->venc = make (m, "openh264enc", "closed-h264");
  c->vparse = make (m, "h264parse", "closed-h264parse");
  c->rvq = make (m, "queue", "closed-rvq");
  c->rec = make (m, "hlssink2", "closed-rec");
  if (*m->error) {
    c->rec = NULL; /* not ours: the list of made elements holds it */
    kaigi_closed_program_free (c);
    return NULL;
  }
  c->rec = gst_object_ref (c->rec);
  c->log.pattern = g_strdup (o->closed_location);
  c->log.segment = o->closed_segment;
  c->log.user = o->record_user;
  g_object_set (c->src, "is-live", TRUE, "pattern", 2 /* black */, NULL);
  g_object_set (c->comp, "min-upstream-latency", (guint64)(o->jitter_latency_ms + 60) * GST_MSECOND,
                "background", 1 /* black */, NULL);
  g_object_set (c->overlay, "font-desc", "Sans 16", "shaded-background", TRUE, "wait-text", FALSE,
                "auto-resize", TRUE, "valignment", 1 /* bottom */, "halignment", 0 /* left */,
                NULL);
  g_object_set (c->aenc, "bitrate", o->audio_bitrate, NULL);
  g_object_set (c->venc, "rate-control", 1 /* bitrate */, "bitrate", o->video_bitrate, "gop-size",
                o->fps * o->segment_seconds, "complexity", 0, NULL);
  for (GstElement **q = (GstElement *[]){ c->aq, c->raq, c->rvq, NULL }; *q; q++)
    kaigi_graph_leaky_queue (*q, 4 * GST_SECOND);
  g_object_set (c->rec, "async-handling", TRUE, "location", o->closed_location, "playlist-location",
                o->closed_playlist, "target-duration", o->segment_seconds, "playlist-length", 0,
                "max-files", 0, NULL);
  return c;
}

/* Streaming threads, in front of the encoders: only a closed session's frames pass. */
static GstPadProbeReturn
only_closed (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  return g_atomic_int_get ((gint *)user_data) ? GST_PAD_PROBE_OK : GST_PAD_PROBE_DROP;
}

/* Main thread (bus): its segments, as for the public program's recording (program.c). */
static void
on_message (gpointer owner, GstMessage *msg)
{
  kaigi_segment_log_message (msg, "kaigi-closed-program");
}

/* The elements are linked once they are in the graph (the program's peer adds them). */
gboolean
kaigi_closed_program_link (KaigiClosedProgram *c, GstElement *audio_tee, GstElement *video_tee,
                           guint jitter_latency_ms, gpointer peer, GError **error)
{
  g_autoptr (GstPad) tee_v = gst_element_request_pad_simple (video_tee, "src_%u");
  g_autoptr (GstPad) aq_sink = gst_element_get_static_pad (c->aq, "sink");
  g_autoptr (GstPad) aenc_sink = gst_element_get_static_pad (c->aenc, "sink");
  g_autoptr (GstPad) ccaps_sink = gst_element_get_static_pad (c->ccaps, "sink");

  if (!link_many (error, c->aq, c->aconv, c->aenc, c->aparse, c->raq, NULL)
      || !link_request (c->raq, c->rec, "audio", NULL, error)
      || !link_many (error, c->src, c->vcaps, NULL)
      || !link_request (c->vcaps, c->comp, "sink_%u", NULL, error)
      || !link_many (error, c->comp, c->ccaps, c->overlay, c->econv, c->venc, c->vparse, c->rvq,
                     NULL)
      || !link_request (c->rvq, c->rec, "video", NULL, error))
    return FALSE;
  c->picture_pad = gst_element_request_pad_simple (c->comp, "sink_%u");
  if (!gst_element_link (audio_tee, c->aq) || !tee_v || !c->picture_pad
      || gst_pad_link (tee_v, c->picture_pad) != GST_PAD_LINK_OK) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_MEDIA,
                 "program: cannot link the closed-session recording");
    return FALSE;
  }
  g_object_set (c->picture_pad, "zorder", 1, NULL);
  /* The camera link answers for its latency before any camera is linked (chains.c). */
  gst_pad_add_probe (c->picture_pad, GST_PAD_PROBE_TYPE_QUERY_UPSTREAM,
                     kaigi_peer_answer_mic_latency, peer, NULL);
  /* A failing recording (a full disk) stops itself, not the program. */
  kaigi_guard_pad (aq_sink, "closed-aq");
  kaigi_guard_pad (c->picture_pad, "closed-picture");
  gst_pad_add_probe (aenc_sink, GST_PAD_PROBE_TYPE_BUFFER, only_closed,
                     g_atomic_rc_box_acquire (c->on), (GDestroyNotify)g_atomic_rc_box_release);
  /* Right after the compositor: outside closed sessions nothing is drawn or encoded. */
  gst_pad_add_probe (ccaps_sink, GST_PAD_PROBE_TYPE_BUFFER, only_closed,
                     g_atomic_rc_box_acquire (c->on), (GDestroyNotify)g_atomic_rc_box_release);
  g_object_set_data (G_OBJECT (c->rec), "kaigi-closed-program", &c->log);
  kaigi_graph_watch_messages (c->rec, on_message);
  return TRUE;
}

void
kaigi_closed_program_set (KaigiClosedProgram *c, gboolean on, const char *caption)
{
  g_autofree char *text = g_strdup_printf ("%s%s非公開 / closed session", caption ? caption : "",
                                           caption && *caption ? "\n" : "");

  g_object_set (c->overlay, "text", text, NULL);
  if (g_atomic_int_get (c->on) == on)
    return;
  g_atomic_int_set (c->on, on);
  if (on) {
    /* The first frame after a pause must be a keyframe for the segment to play. */
    g_autoptr (GstPad) src = gst_element_get_static_pad (c->venc, "src");
    gst_pad_send_event (src,
                        gst_event_new_custom (GST_EVENT_CUSTOM_UPSTREAM,
                                              gst_structure_new ("GstForceKeyUnit", "all-headers",
                                                                 G_TYPE_BOOLEAN, TRUE, NULL)));
  }
  GST_INFO ("closed-session program %s", on ? "recording" : "paused");
}

void
kaigi_closed_program_free (KaigiClosedProgram *c)
{
  if (!c)
    return;
  g_atomic_int_set (c->on, 0);
  if (c->rec) /* its last messages come after us */
    g_object_set_data (G_OBJECT (c->rec), "kaigi-closed-program", NULL);
  g_clear_object (&c->rec);
  g_clear_object (&c->picture_pad);
  g_atomic_rc_box_release (c->on);
  kaigi_segment_log_clear (&c->log);
  g_free (c);
}
