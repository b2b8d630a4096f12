/* test-export.c: every exporter on a fixture meeting written for the tests
 * (fixtures/aoba-transport-2024-10-09.json: an invented committee with a main venue, a
 * satellite and online, three agenda items, a closed session, a retracted remark, a vote, a
 * 了承, an absent member and materials), compared byte for byte with golden files; then the
 * structure of the office formats (Flat ODT and word/document.xml are well-formed XML, the
 * DOCX is a ZIP every reader accepts), the JSON round trip, and kaigi-minutes on a real store.
 *
 * To regenerate the golden files after a deliberate change of layout, run
 *   KAIGI_UPDATE_GOLDEN=1 meson test -C build minutes/test-export
 * and read the diff (git diff tests/minutes/golden) before committing it. */
#include <glib/gstdio.h>
#include <sys/wait.h>

#include "export.h"
#include "kaigi-error.h"
#include "record.h"
#include "store.h"

#define FIXTURE "aoba-transport-2024-10-09.json"

static const struct {
  const char *format, *lang;
  gboolean public_copy;
  const char *golden;
} goldens[] = {
  { "text", "ja", FALSE, "aoba.ja.txt" },        { "text", "en", FALSE, "aoba.en.txt" },
  { "text", "ja", TRUE, "aoba.public.ja.txt" },  { "md", "ja", FALSE, "aoba.ja.md" },
  { "md", "en", TRUE, "aoba.public.en.md" },     { "fodt", "ja", FALSE, "aoba.ja.fodt" },
  { "fodt", "en", FALSE, "aoba.en.fodt" },       { "docx", "ja", FALSE, "aoba.ja.docx" },
  { "docx", "en", TRUE, "aoba.public.en.docx" }, { "vtt", "ja", FALSE, "aoba.ja.vtt" },
  { "vtt", "ja", TRUE, "aoba.public.ja.vtt" },   { "srt", "ja", FALSE, "aoba.ja.srt" },
  { "srt", "en", FALSE, "aoba.en.srt" },         { "json", "ja", FALSE, "aoba.json" },
  { "json", "ja", TRUE, "aoba.public.json" },
};

static char *
data_path (const char *sub, const char *name)
{
  return g_build_filename (g_getenv ("KAIGI_TEST_DATA"), sub, name, NULL);
}

static KaigiRecord *
fixture (gboolean public_copy)
{
  g_autofree char *path = data_path ("fixtures", FIXTURE);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  KaigiRecord *r;

  g_assert_true (json_parser_load_from_file (parser, path, &error));
  r = kaigi_record_from_json (json_parser_get_root (parser), public_copy, &error);
  g_assert_no_error (error);
  return r;
}

static GBytes *export(const KaigiRecord *r, const char *format, const char *lang)
{
  g_autoptr (GError) error = NULL;
  GBytes *bytes = kaigi_export (r, format, lang, &error);

  g_assert_no_error (error);
  return bytes;
}

static void
test_export_golden (void)
{
  gboolean update = g_strcmp0 (g_getenv ("KAIGI_UPDATE_GOLDEN"), "1") == 0;

  for (guint i = 0; i < G_N_ELEMENTS (goldens); i++) {
    g_autoptr (KaigiRecord) r = fixture (goldens[i].public_copy);
    g_autoptr (GBytes) got = export(r, goldens[i].format, goldens[i].lang);
    g_autofree char *path = data_path ("golden", goldens[i].golden);
    g_autofree char *want = NULL;
    gsize want_len, got_len;
    const char *got_data = g_bytes_get_data (got, &got_len);
    g_autoptr (GError) error = NULL;

    if (update) {
      g_assert_true (g_file_set_contents (path, got_data, got_len, &error));
      continue;
    }
    g_test_message ("golden %s", goldens[i].golden);
    g_assert_true (g_file_get_contents (path, &want, &want_len, &error));
    g_assert_no_error (error);
    if (want_len != got_len || memcmp (want, got_data, got_len) != 0) {
      g_autofree char *got_path = g_strconcat (goldens[i].golden, ".got", NULL);
      g_file_set_contents (got_path, got_data, got_len, NULL);
      g_error ("%s differs from the golden file (written to %s in the test's directory)",
               goldens[i].golden, got_path);
    }
  }
}

/* ---- structure ---- */

static void
assert_well_formed (const char *xml, gsize len)
{
  GMarkupParser none = { 0 };
  g_autoptr (GMarkupParseContext) ctx = g_markup_parse_context_new (&none, 0, NULL, NULL);
  g_autoptr (GError) error = NULL;

  g_assert_true (g_markup_parse_context_parse (ctx, xml, len, &error)
                 && g_markup_parse_context_end_parse (ctx, &error));
  g_assert_no_error (error);
}

/* Runs @argv (a tool looked up in PATH); FALSE if the tool is not there. */
static gboolean
run_tool (const char *const *argv, char **out, int *status)
{
  g_autofree char *tool = g_find_program_in_path (argv[0]);
  g_autoptr (GError) error = NULL;

  if (!tool)
    return FALSE;
  g_assert_true (g_spawn_sync (NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, out,
                               NULL, status, &error));
  g_assert_no_error (error);
  return TRUE;
}

static void
test_export_fodt_xml (void)
{
  g_autoptr (KaigiRecord) r = fixture (FALSE);
  g_autoptr (GBytes) fodt = export(r, "fodt", "ja");
  gsize len;
  const char *xml = g_bytes_get_data (fodt, &len);
  g_autofree char *dir = g_dir_make_tmp ("kaigi-export-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "m.fodt", NULL);
  const char *argv[] = { "xmllint", "--noout", path, NULL };
  int status = -1;

  assert_well_formed (xml, len);
  g_assert_nonnull (strstr (xml, "office:mimetype=\"application/vnd.oasis.opendocument.text\""));
  g_assert_nonnull (
      strstr (xml, "xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\""));
  g_assert_nonnull (strstr (xml, "<table:table "));
  g_assert_true (g_file_set_contents (path, xml, len, NULL));
  if (run_tool (argv, NULL, &status))
    g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_unlink (path);
  g_rmdir (dir);
}

/* The archive as our writer promises it: stored entries in order, CRCs that readers check. */
static void
test_export_docx_zip (void)
{
  g_autoptr (KaigiRecord) r = fixture (FALSE);
  g_autoptr (GBytes) docx = export(r, "docx", "ja");
  g_autofree char *dir = g_dir_make_tmp ("kaigi-export-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "m.docx", NULL);
  g_autofree char *list = NULL, *document = NULL;
  const char *test_argv[] = { "unzip", "-t", path, NULL };
  const char *doc_argv[] = { "unzip", "-p", path, "word/document.xml", NULL };
  const char *names[]
      = { "[Content_Types].xml", "_rels/.rels", "word/document.xml", "word/styles.xml" };
  int status = -1;
  gsize len;
  const guint8 *data = g_bytes_get_data (docx, &len);

  g_assert_cmpmem (data, 4, "PK\3\4", 4);
  g_assert_true (g_file_set_contents (path, (const char *)data, len, NULL));
  if (!run_tool (test_argv, &list, &status)) {
    g_test_skip ("unzip is not installed (conf/install-deps.sh --tests)");
    return;
  }
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_assert_nonnull (strstr (list, "No errors detected"));
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    g_assert_nonnull (strstr (list, names[i]));
  g_assert_true (run_tool (doc_argv, &document, &status));
  assert_well_formed (document, strlen (document));
  g_assert_nonnull (strstr (document, "<w:t xml:space=\"preserve\">【山口恵子会長】</w:t>"));
  g_unlink (path);
  g_rmdir (dir);
}

/* The json format is a record: reading it back gives the same minutes. */
static void
test_export_json_round_trip (void)
{
  g_autoptr (KaigiRecord) r = fixture (FALSE);
  g_autoptr (GBytes) json = export(r, "json", "ja");
  g_autoptr (GBytes) text = export(r, "text", "ja");
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (KaigiRecord) again = NULL;
  g_autoptr (GBytes) text_again = NULL;
  g_autoptr (GBytes) json_again = NULL;

  g_assert_true (json_parser_load_from_data (parser, g_bytes_get_data (json, NULL), -1, &error));
  again = kaigi_record_from_json (json_parser_get_root (parser), FALSE, &error);
  g_assert_no_error (error);
  text_again = export(again, "text", "ja");
  json_again = export(again, "json", "ja");
  g_assert_true (g_bytes_equal (text, text_again));
  g_assert_true (g_bytes_equal (json, json_again));
}

/* The public copy: no closed or retracted words anywhere, in any format, and it says so. */
static void
test_export_public_copy (void)
{
  g_autoptr (KaigiRecord) r = fixture (TRUE);
  guint n;
  const KaigiExporter *e = kaigi_exporters (&n);

  g_assert_true (r->omissions);
  g_assert_cmpint (r->visibility, ==, KAIGI_VISIBILITY_PARTLY_CLOSED);
  for (guint i = 0; i < n; i++) {
    g_autoptr (GBytes) out = export(r, e[i].name, "ja");
    g_autofree char *s = g_strndup (g_bytes_get_data (out, NULL), g_bytes_get_size (out));
    if (g_str_equal (e[i].name, "docx"))
      continue; /* a ZIP holds NUL bytes; its document.xml is made from the same blocks */
    g_assert_null (strstr (s, "低床車両"));       /* closed session */
    g_assert_null (strstr (s, "ほとんどが反対")); /* retracted */
    if (!g_str_equal (e[i].name, "vtt") && !g_str_equal (e[i].name, "srt")
        && !g_str_equal (e[i].name, "json"))
      g_assert_nonnull (strstr (s, "一部非公開"));
  }
}

static void
test_export_unknown (void)
{
  g_autoptr (KaigiRecord) r = fixture (FALSE);
  g_autoptr (GError) error = NULL;

  g_assert_null (kaigi_export (r, "pdf", "ja", &error));
  g_assert_error (error, KAIGI_ERROR, KAIGI_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_null (kaigi_export (r, "text", "fr", &error));
  g_assert_error (error, KAIGI_ERROR, KAIGI_ERROR_INVALID);
}

/* ---- kaigi-minutes on a real store ---- */

/* Stores the fixture's meeting through the store API, with live times of today. */
static gint64
store_fixture (KaigiStore *s)
{
  g_autoptr (KaigiRecord) r = fixture (FALSE);
  g_autoptr (GError) error = NULL;
  KaigiMeeting *m = r->meeting;
  g_autoptr (GHashTable) ids = g_hash_table_new (g_int64_hash, g_int64_equal);
  g_autoptr (GArray) old = g_array_new (FALSE, FALSE, sizeof (gint64));
  gint64 id;

  /* The fixture's ids become the store's: remember them by position. */
  for (guint i = 0; i < m->agenda->len; i++)
    g_array_append_val (old, ((KaigiAgendaItem *)g_ptr_array_index (m->agenda, i))->id);
  for (guint i = 0; i < m->roster->len; i++)
    g_array_append_val (old, ((KaigiRosterEntry *)g_ptr_array_index (m->roster, i))->id);
  for (guint i = 0; i < m->venues->len; i++)
    ((KaigiVenue *)g_ptr_array_index (m->venues, i))->id = 0;
  for (guint i = 0; i < m->agenda->len; i++) {
    KaigiAgendaItem *item = g_ptr_array_index (m->agenda, i);
    item->id = 0;
    g_ptr_array_set_size (item->materials, 0);
  }
  for (guint i = 0; i < m->roster->len; i++)
    ((KaigiRosterEntry *)g_ptr_array_index (m->roster, i))->id = 0;
  id = kaigi_store_meeting_create (s, m, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < m->agenda->len; i++)
    g_hash_table_insert (ids, &g_array_index (old, gint64, i),
                         &((KaigiAgendaItem *)g_ptr_array_index (m->agenda, i))->id);
  for (guint i = 0; i < m->roster->len; i++)
    g_hash_table_insert (ids, &g_array_index (old, gint64, m->agenda->len + i),
                         &((KaigiRosterEntry *)g_ptr_array_index (m->roster, i))->id);
  g_assert_cmpint (kaigi_store_material_add (s, id, ((KaigiAgendaItem *)m->agenda->pdata[0])->id,
                                             "計画案.pdf", "application/pdf", 10, &error),
                   >, 0);
  g_assert_true (kaigi_store_meeting_set_state (s, id, KAIGI_MEETING_PUBLIC, 0, &error));
  for (guint i = 0; i < r->utterances->len; i++) {
    KaigiUtterance *u = kaigi_utterance_copy (g_ptr_array_index (r->utterances, i));
    gint64 *item = g_hash_table_lookup (ids, &u->item);
    gint64 *speaker = g_hash_table_lookup (ids, &u->speaker);
    u->item = item ? *item : 0;
    u->speaker = speaker ? *speaker : 0;
    g_assert_cmpint (kaigi_store_utterance_add (s, id, u, &error), >, 0);
    g_assert_no_error (error);
    kaigi_utterance_free (u);
  }
  g_assert_true (kaigi_store_meeting_set_state (s, id, KAIGI_MEETING_ADJOURNED, 0, &error));
  g_assert_cmpint (kaigi_store_decision_add (s, id, ((KaigiAgendaItem *)m->agenda->pdata[0])->id,
                                             "approved", "", NULL, NULL, NULL, &error),
                   >, 0);
  return id;
}

static int
run_cli (const char *const *args, char **out)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GError) error = NULL;
  int status = -1;

  g_ptr_array_add (argv, (char *)g_getenv ("KAIGI_MINUTES"));
  for (guint i = 0; args[i]; i++)
    g_ptr_array_add (argv, (char *)args[i]);
  g_ptr_array_add (argv, NULL);
  g_assert_true (g_spawn_sync (NULL, (char **)argv->pdata, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL,
                               NULL, out, NULL, &status, &error));
  g_assert_no_error (error);
  return WIFEXITED (status) ? WEXITSTATUS (status) : -1;
}

static void
test_export_cli (void)
{
  g_autofree char *dir = g_dir_make_tmp ("kaigi-minutes-XXXXXX", NULL);
  g_autofree char *db = g_build_filename (dir, "kaigi.db", NULL);
  g_autofree char *docx = g_build_filename (dir, "m.docx", NULL);
  g_autofree char *out = NULL, *pub = NULL, *formats = NULL, *id_s = NULL;
  g_autoptr (GError) error = NULL;
  gint64 id;

  {
    g_autoptr (KaigiStore) s = kaigi_store_open (db, &error);
    g_assert_no_error (error);
    id = store_fixture (s);
  }
  id_s = g_strdup_printf ("%" G_GINT64_FORMAT, id);
  {
    const char *args[]
        = { "export", "--data-dir", dir, "--meeting", id_s, "--format", "text", NULL };
    g_assert_cmpint (run_cli (args, &out), ==, 0);
  }
  g_assert_true (
      g_str_has_prefix (out, "令和6年度 第2回あおば市地域公共交通協議会　会議録（案）\n"));
  g_assert_nonnull (strstr (out, "【山口恵子会長】\n"));
  g_assert_nonnull (strstr (out, "低床車両"));
  g_assert_nonnull (strstr (out, "—了承—"));
  g_assert_nonnull (strstr (out, "・資料1：計画案\n"));
  g_assert_nonnull (strstr (out, " 終了]\n"));
  {
    const char *args[] = { "export", "-d", dir, "-m", id_s, "-f", "text", "--public", NULL };
    g_assert_cmpint (run_cli (args, &pub), ==, 0);
  }
  g_assert_null (strstr (pub, "低床車両"));
  g_assert_null (strstr (pub, "ほとんどが反対"));
  g_assert_nonnull (strstr (pub, "〔非公開部分につき省略〕"));
  g_assert_nonnull (strstr (pub, "一部非公開"));
  {
    const char *args[] = { "export", "-d", dir, "-m", id_s, "-f", "docx", "-o", docx, NULL };
    g_assert_cmpint (run_cli (args, NULL), ==, 0);
    g_assert_true (g_file_test (docx, G_FILE_TEST_IS_REGULAR));
  }
  {
    const char *unknown_meeting[] = { "export", "-d", dir, "-m", "999", "-f", "text", NULL };
    const char *unknown_format[] = { "export", "-d", dir, "-m", id_s, "-f", "pdf", NULL };
    const char *no_store[] = { "export", "-d", "/nonexistent", "-m", "1", "-f", "md", NULL };
    const char *bad_lang[] = { "export", "-d", dir, "-m", id_s, "-f", "md", "-l", "fr", NULL };
    const char *list[] = { "formats", NULL };
    g_assert_cmpint (run_cli (unknown_meeting, NULL), ==, 3);
    g_assert_cmpint (run_cli (no_store, NULL), ==, 3);
    g_assert_cmpint (run_cli (unknown_format, NULL), ==, 2);
    g_assert_cmpint (run_cli (bad_lang, NULL), ==, 2);
    g_assert_cmpint (run_cli (list, &formats), ==, 0);
  }
  for (const char *f = "text\0md\0fodt\0docx\0vtt\0srt\0json\0"; *f; f += strlen (f) + 1)
    g_assert_nonnull (strstr (formats, f));
  g_unlink (docx);
  g_unlink (db);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/export/golden", test_export_golden);
  g_test_add_func ("/export/fodt-xml", test_export_fodt_xml);
  g_test_add_func ("/export/docx-zip", test_export_docx_zip);
  g_test_add_func ("/export/json-round-trip", test_export_json_round_trip);
  g_test_add_func ("/export/public-copy", test_export_public_copy);
  g_test_add_func ("/export/unknown", test_export_unknown);
  g_test_add_func ("/export/cli", test_export_cli);
  return g_test_run ();
}
