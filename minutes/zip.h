/* zip.h: a tiny writer of "stored" (uncompressed) ZIP archives, enough for an Office Open XML
 * package. Entries are written in the order added, all dated 1980-01-01 00:00 so that the same
 * content always gives the same bytes. Not thread-safe; one writer per archive. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _KaigiZip KaigiZip;

KaigiZip *kaigi_zip_new (void);
void kaigi_zip_add (KaigiZip *zip, const char *name, const void *data, gsize len);
/* Writes the central directory and returns the archive; frees @zip. */
GBytes *kaigi_zip_finish (KaigiZip *zip);

G_END_DECLS
