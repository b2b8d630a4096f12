/* zip.c: stored ZIP archives (zip.h), following PKWARE's APPNOTE 4.3: a local header and the
 * data for each entry, then the central directory and its end record. CRC-32 from zlib.
 * No compression: a DOCX of a meeting is small, and every ZIP reader accepts method 0.
 * No ZIP64: the archive stays far below 4 GiB. */
#include "zip.h"

#include <zlib.h>

typedef struct {
  char *name;
  guint32 crc, size, offset;
} Entry;

struct _KaigiZip {
  GByteArray *out; /* owned */
  GArray *entries; /* Entry */
};

#define DOS_DATE ((0 << 9) | (1 << 5) | 1) /* 1980-01-01 */
#define DOS_TIME 0

static void
put16 (GByteArray *out, guint16 v)
{
  guint8 b[2] = { v & 0xff, v >> 8 };

  g_byte_array_append (out, b, 2);
}

static void
put32 (GByteArray *out, guint32 v)
{
  put16 (out, v & 0xffff);
  put16 (out, v >> 16);
}

KaigiZip *
kaigi_zip_new (void)
{
  KaigiZip *zip = g_new0 (KaigiZip, 1);

  zip->out = g_byte_array_new ();
  zip->entries = g_array_new (FALSE, FALSE, sizeof (Entry));
  return zip;
}

/* The fields local and central headers share, from "version needed" to "extra length". */
static void
common_fields (GByteArray *out, const Entry *e)
{
  put16 (out, 20);       /* version needed: 2.0 */
  put16 (out, 1u << 11); /* flags: names are UTF-8 */
  put16 (out, 0);        /* method: stored */
  put16 (out, DOS_TIME);
  put16 (out, DOS_DATE);
  put32 (out, e->crc);
  put32 (out, e->size); /* compressed */
  put32 (out, e->size);
  put16 (out, strlen (e->name));
  put16 (out, 0); /* extra */
}

void
kaigi_zip_add (KaigiZip *zip, const char *name, const void *data, gsize len)
{
  Entry e = { g_strdup (name), crc32 (0L, data, len), len, zip->out->len };

  put32 (zip->out, 0x04034b50);
  common_fields (zip->out, &e);
  g_byte_array_append (zip->out, (const guint8 *)name, strlen (name));
  g_byte_array_append (zip->out, data, len);
  g_array_append_val (zip->entries, e);
}

GBytes *
kaigi_zip_finish (KaigiZip *zip)
{
  guint32 dir_start = zip->out->len, dir_size;
  GBytes *bytes;

  for (guint i = 0; i < zip->entries->len; i++) {
    Entry *e = &g_array_index (zip->entries, Entry, i);
    put32 (zip->out, 0x02014b50);
    put16 (zip->out, 20); /* made by: 2.0, MS-DOS attributes */
    common_fields (zip->out, e);
    put16 (zip->out, 0); /* comment */
    put16 (zip->out, 0); /* disk */
    put16 (zip->out, 0); /* internal attributes */
    put32 (zip->out, 0); /* external attributes */
    put32 (zip->out, e->offset);
    g_byte_array_append (zip->out, (const guint8 *)e->name, strlen (e->name));
    g_free (e->name);
  }
  dir_size = zip->out->len - dir_start;
  put32 (zip->out, 0x06054b50);
  put16 (zip->out, 0);
  put16 (zip->out, 0);
  put16 (zip->out, zip->entries->len);
  put16 (zip->out, zip->entries->len);
  put32 (zip->out, dir_size);
  put32 (zip->out, dir_start);
  put16 (zip->out, 0);
  g_array_unref (zip->entries);
  bytes = g_byte_array_free_to_bytes (zip->out);
  g_free (zip);
  return bytes;
}
