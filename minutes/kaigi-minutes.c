/* kaigi-minutes: the meeting record from the command line (docs/minutes.md).
 *
 *   kaigi-minutes export --data-dir /var/lib/kaigi --meeting 7 --format text [--lang en]
 *                        [--public] [-o minutes.txt]
 *   kaigi-minutes export --record record.json --format docx -o minutes.docx
 *   kaigi-minutes formats
 *
 * Reads the store (kaigi.db in the data directory) and never writes it, so it is safe to run
 * while kaigi-server runs (SQLite WAL). Thread: main only. */
#include <gio/gio.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>

#include "export.h"
#include "kaigi-error.h"
#include "record.h"

enum {
  EXIT_USAGE = 2, /* bad options, unknown format or language */
  EXIT_DATA = 3,  /* no store, unknown meeting, unreadable record */
  EXIT_WRITE = 4, /* the output could not be written */
};

static const char description[]
    = "Commands:\n"
      "  export    write the minutes of one meeting in one format\n"
      "  formats   list the formats\n"
      "\n"
      "Exit status: 0 done; 2 bad usage (unknown command, option, format or language);\n"
      "3 no such data directory or meeting, or an unreadable record; 4 the output could not\n"
      "be written.";

static int
list_formats (void)
{
  guint n;
  const KaigiExporter *e = kaigi_exporters (&n);

  for (guint i = 0; i < n; i++)
    g_print ("%-5s .%-5s %s\n", e[i].name, e[i].extension, e[i].description);
  return 0;
}

static KaigiRecord *
load_record (const char *data_dir, gint64 meeting, const char *record_file, gboolean public_copy,
             GError **error)
{
  g_autofree char *db = NULL;
  g_autoptr (KaigiStore) store = NULL;

  if (record_file) {
    g_autoptr (JsonParser) parser = json_parser_new ();
    if (!json_parser_load_from_file (parser, record_file, error))
      return NULL;
    return kaigi_record_from_json (json_parser_get_root (parser), public_copy, error);
  }
  db = g_build_filename (data_dir, "kaigi.db", NULL);
  if (!g_file_test (db, G_FILE_TEST_IS_REGULAR)) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_NOT_FOUND, "no kaigi.db in %s", data_dir);
    return NULL;
  }
  if (!(store = kaigi_store_open (db, error)))
    return NULL;
  return kaigi_record_load (store, meeting, public_copy, error);
}

static gboolean
write_out (GBytes *bytes, const char *path, GError **error)
{
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);

  if (path && g_strcmp0 (path, "-") != 0)
    return g_file_set_contents (path, data, len, error);
  if (fwrite (data, 1, len, stdout) != len || fflush (stdout) != 0) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_IO, "cannot write to standard output");
    return FALSE;
  }
  return TRUE;
}

static int export(int argc, char **argv)
{
  g_autofree char *data_dir = NULL, *format = NULL, *lang = NULL, *output = NULL;
  g_autofree char *record_file = NULL;
  gint64 meeting = 0;
  gboolean public_copy = FALSE;
  GOptionEntry entries[] = {
    { "data-dir", 'd', 0, G_OPTION_ARG_FILENAME, &data_dir, "kaigi's data directory", "DIR" },
    { "meeting", 'm', 0, G_OPTION_ARG_INT64, &meeting, "the meeting's id", "ID" },
    { "record", 0, 0, G_OPTION_ARG_FILENAME, &record_file,
      "read a record in the json format instead of the store", "FILE" },
    { "format", 'f', 0, G_OPTION_ARG_STRING, &format,
      "text, md, fodt, docx, vtt, srt or json (see: kaigi-minutes formats)", "FORMAT" },
    { "lang", 'l', 0, G_OPTION_ARG_STRING, &lang, "ja (default) or en", "LANG" },
    { "public", 'p', 0, G_OPTION_ARG_NONE, &public_copy,
      "the public copy: closed sessions and retracted remarks left out", NULL },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, "write to FILE (default: stdout)", "FILE" },
    { NULL },
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("- export the minutes of a meeting");
  g_autoptr (GError) error = NULL;
  g_autoptr (KaigiRecord) record = NULL;
  g_autoptr (GBytes) bytes = NULL;

  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_set_description (ctx, description);
  if (!g_option_context_parse (ctx, &argc, &argv, &error)) {
    g_printerr ("kaigi-minutes export: %s\n", error->message);
    return EXIT_USAGE;
  }
  if (!format || (!record_file && (!data_dir || meeting <= 0))) {
    g_printerr ("kaigi-minutes export: --format and either --data-dir with --meeting or "
                "--record are required\n");
    return EXIT_USAGE;
  }
  if (!kaigi_exporter_find (format) || (lang && g_strcmp0 (lang, "ja") && g_strcmp0 (lang, "en"))) {
    g_printerr ("kaigi-minutes export: %s\n",
                !kaigi_exporter_find (format) ? "unknown format (kaigi-minutes formats lists them)"
                                              : "--lang must be ja or en");
    return EXIT_USAGE;
  }
  if (!(record = load_record (data_dir, meeting, record_file, public_copy, &error))) {
    g_printerr ("kaigi-minutes export: %s\n", error->message);
    return EXIT_DATA;
  }
  bytes = kaigi_export (record, format, lang ? lang : "ja", &error);
  if (!bytes || !write_out (bytes, output, &error)) {
    g_printerr ("kaigi-minutes export: %s\n", error->message);
    return EXIT_WRITE;
  }
  return 0;
}

int
main (int argc, char **argv)
{
  setlocale (LC_ALL, "");
  if (argc >= 2 && g_str_equal (argv[1], "export"))
    return export(argc - 1, argv + 1);
  if (argc >= 2 && g_str_equal (argv[1], "formats"))
    return list_formats ();
  if (argc >= 2 && (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h"))) {
    g_print ("Usage: kaigi-minutes export|formats [OPTIONS]\n  kaigi-minutes export --help "
             "shows the options.\n\n%s\n",
             description);
    return 0;
  }
  g_printerr ("Usage: kaigi-minutes export|formats [OPTIONS] (kaigi-minutes --help)\n");
  return EXIT_USAGE;
}
