/* record-private.h: what record.c and record-json.c share. Not for use outside minutes/. */
#pragma once

#include "record.h"

G_BEGIN_DECLS

/* A record of @meeting (taken over) with everyone absent and nothing said. */
KaigiRecord *kaigi_record_new (KaigiMeeting *meeting);
/* Sets the visibility from what was said and, for a public copy, leaves out closed and
 * retracted statements (one placeholder per run). Call once, when everything is loaded. */
void kaigi_record_finish (KaigiRecord *r, gboolean public_copy);
/* Appends decisions in the form of kaigi_store_decisions_json (at_us or an ISO `at`). */
gboolean kaigi_record_read_decisions (KaigiRecord *r, JsonArray *decisions, GError **error);
gboolean kaigi_presence_from_string (const char *s, KaigiPresence *out);

G_END_DECLS
