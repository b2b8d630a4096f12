/* program-private.h: what program.c and program-closed.c share: making the program's
 * elements (each tagged with the program's id and kept in one list, added to the graph by the
 * program's local peer) and linking them. Not a public header. Main thread. */
#pragma once

#include <gst/gst.h>

#include "graph.h"
#include "kaigi-error.h"
#include "program.h"

typedef struct {
  const char *id;
  GPtrArray *made; /* owned refs */
  GError **error;
} Maker;

static inline GstElement *
make (Maker *m, const char *factory, const char *role)
{
  g_autofree char *name = g_strdup_printf ("%s-%s", m->id, role);
  GstElement *e;

  if (*m->error)
    return NULL;
  e = kaigi_graph_make (factory, name, m->error);
  if (e)
    g_ptr_array_add (m->made, gst_object_ref_sink (e));
  return e;
}

static inline GstElement *
make_caps (Maker *m, const char *role, const char *caps)
{
  GstElement *e = make (m, "capsfilter", role);
  g_autoptr (GstCaps) c = gst_caps_from_string (caps);

  if (e)
    g_object_set (e, "caps", c, NULL);
  return e;
}

static inline gboolean
link_many (GError **error, GstElement *first, ...)
{
  va_list ap;
  GstElement *prev = first, *next;
  gboolean ok = TRUE;

  va_start (ap, first);
  while (ok && (next = va_arg (ap, GstElement *))) {
    if (!gst_element_link (prev, next)) {
      g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_MEDIA, "program: cannot link %s to %s",
                   GST_ELEMENT_NAME (prev), GST_ELEMENT_NAME (next));
      ok = FALSE;
    }
    prev = next;
  }
  va_end (ap);
  return ok;
}

static inline gboolean
link_request (GstElement *src, GstElement *sink, const char *templ, GstPad **out, GError **error)
{
  g_autoptr (GstPad) s = gst_element_get_static_pad (src, "src");
  GstPad *d = gst_element_request_pad_simple (sink, templ);

  if (!d || gst_pad_link (s, d) != GST_PAD_LINK_OK) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_MEDIA, "program: cannot link %s to %s",
                 GST_ELEMENT_NAME (src), GST_ELEMENT_NAME (sink));
    g_clear_object (&d);
    return FALSE;
  }
  if (out)
    *out = d;
  else
    gst_object_unref (d);
  return TRUE;
}

/* The segments an hlssink2 keeps for a recording. Its messages carry no location (it writes
 * through a stream sink): it numbers the segments from 0 in its location pattern, one per
 * fragment opened. The hlssink2 holds a pointer to this under an object-data key. */
typedef struct {
  char *pattern; /* owned: the location pattern (%05d) */
  char *current; /* owned: the segment being written */
  guint next;
  void (*segment) (gpointer user, const char *location, gboolean opened, GstClockTime rt);
  gpointer user;
} KaigiSegmentLog;

/* Main thread (bus): a splitmuxsink fragment message of the hlssink2 (or a child) that holds a
 * KaigiSegmentLog under @key goes to its callback; other messages are ignored. */
static inline void
kaigi_segment_log_message (GstMessage *msg, const char *key)
{
  const GstStructure *s = gst_message_get_structure (msg);
  GstObject *o = GST_MESSAGE_SRC (msg);
  KaigiSegmentLog *l = NULL;
  GstClockTime rt = GST_CLOCK_TIME_NONE;
  gboolean opened;

  if (!s)
    return;
  opened = gst_structure_has_name (s, "splitmuxsink-fragment-opened");
  if (!opened && !gst_structure_has_name (s, "splitmuxsink-fragment-closed"))
    return;
  for (; o && !(l = g_object_get_data (G_OBJECT (o), key)); o = GST_OBJECT_PARENT (o))
    ;
  if (!l)
    return;
  gst_structure_get_clock_time (s, "running-time", &rt);
  if (opened) {
    g_free (l->current);
    l->current = g_strdup_printf (l->pattern, l->next++);
  }
  if (l->segment && l->current)
    l->segment (l->user, l->current, opened, rt);
}

static inline void
kaigi_segment_log_clear (KaigiSegmentLog *l)
{
  g_clear_pointer (&l->pattern, g_free);
  g_clear_pointer (&l->current, g_free);
}

/* program-closed.c: the closed sessions' program (what the public would have seen), recorded
 * apart: @entry_audio takes the mix before the gate, @entry_video (a compositor) the picture
 * before the gate, on a request pad "sink_%u". */
typedef struct _KaigiClosedProgram KaigiClosedProgram;
KaigiClosedProgram *kaigi_closed_program_make (Maker *m, const KaigiProgramOptions *o,
                                               const char *raw_rate);
/* After everything is linked: hooks the recording's probes and messages. */
gboolean kaigi_closed_program_link (KaigiClosedProgram *c, GstElement *audio_tee,
                                    GstElement *video_tee, guint jitter_latency_ms, gpointer peer,
                                    GError **error);
void kaigi_closed_program_set (KaigiClosedProgram *c, gboolean on, const char *caption);
void kaigi_closed_program_free (KaigiClosedProgram *c);
