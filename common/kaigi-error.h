/* kaigi-error.h: the one error domain every kaigi library reports in.
 *
 * server/, recorder/ and minutes/ all return errors as GError values in KAIGI_ERROR so that
 * a caller never has to know which module a failure came from to tell the user about it. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define KAIGI_ERROR (kaigi_error_quark ())
GQuark kaigi_error_quark (void);

typedef enum {
  KAIGI_ERROR_CONFIG,    /* a setting is malformed or names something unusable */
  KAIGI_ERROR_STORE,     /* the SQLite store failed */
  KAIGI_ERROR_IO,        /* a file or directory could not be used */
  KAIGI_ERROR_MEDIA,     /* a GStreamer element or link could not be made */
  KAIGI_ERROR_PROTOCOL,  /* a peer sent something we cannot accept */
  KAIGI_ERROR_BAD_NAME,  /* a display name breaks the rules */
  KAIGI_ERROR_FULL,      /* a meeting has no room for one more */
  KAIGI_ERROR_INVALID,   /* a document or request breaks a documented rule; the message names the
                            field */
  KAIGI_ERROR_NOT_FOUND, /* no such meeting, item, material or account */
  KAIGI_ERROR_STATE,     /* not allowed in the meeting's current state */
  KAIGI_ERROR_AUTH,      /* bad credentials or token */
  KAIGI_ERROR_FORBIDDEN, /* the role may not do this */
} KaigiErrorCode;

G_END_DECLS
