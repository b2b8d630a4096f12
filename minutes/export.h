/* export.h: the meeting record written out (docs/minutes.md): the 会議録 text laid out like
 * the reference records, Markdown, Flat ODT, DOCX, WebVTT and SRT captions, and JSON, each
 * in Japanese or English. Exporters are found by name in one table.
 *
 * Output depends on the record alone (no clock, no locale, no environment), so the same
 * record always gives the same bytes: the golden tests rely on it. Pure functions. */
#pragma once

#include <glib.h>

#include "record.h"

G_BEGIN_DECLS

typedef struct {
  const char *name;         /* "text", "md", "fodt", "docx", "vtt", "srt", "json" */
  const char *extension;    /* the file name's, without the dot */
  const char *content_type; /* MIME type */
  const char *description;  /* English, one line */
  GBytes *(*write) (const KaigiRecord *r, const char *lang);
} KaigiExporter;

/* Every exporter in a fixed order; @n_out gets their number. */
const KaigiExporter *kaigi_exporters (guint *n_out);
const KaigiExporter *kaigi_exporter_find (const char *name);
/* @lang "ja" or "en". KAIGI_ERROR_INVALID for an unknown format or language. */
GBytes *kaigi_export (const KaigiRecord *r, const char *format, const char *lang, GError **error);

G_END_DECLS
