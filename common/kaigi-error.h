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
  KAIGI_ERROR_CONFIG,   /* a setting is malformed or names something unusable */
  KAIGI_ERROR_STORE,    /* the SQLite store failed */
  KAIGI_ERROR_IO,       /* a file or directory could not be used */
  KAIGI_ERROR_MEDIA,    /* a GStreamer element or link could not be made */
  KAIGI_ERROR_PROTOCOL, /* a peer sent something we cannot accept */
  KAIGI_ERROR_BAD_NAME, /* a display name breaks the rules */
  KAIGI_ERROR_FULL,     /* a meeting has no room for one more */
} KaigiErrorCode;

G_END_DECLS
