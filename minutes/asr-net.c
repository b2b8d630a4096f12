/* asr-net.c: recognition servers over the network, for Japanese (and better English) than
 * the embedded engine:
 *   - "whisper": the whisper.cpp server's HTTP API: POST /inference, multipart form with the
 *     WAV file, response_format=json, language, and the vocabulary as the prompt (whisper
 *     takes a prompt as the words likely to come); the reply is {"text": ...}.
 *   - "vosk": the Vosk server's WebSocket protocol: {"config":{"sample_rate":16000}}, the
 *     PCM as binary messages, {"eof" : 1}; every reply with "text" is a finished phrase. The
 *     vocabulary is not sent: Vosk's phrase_list is a grammar, which would allow only those
 *     words.
 * One connection per job (the servers are on the same network; a job is seconds of speech).
 * Vosk also streams (asr.c's streams): the connection is opened when the utterance begins and
 * its audio sent as it is spoken, so the server has decoded it when the utterance ends; its
 * replies (one a message) wait in the socket until the end, as for a whole job.
 * Thread: the worker that holds the instance; blocking sockets with opt.timeout_s. */
#define G_LOG_DOMAIN "kaigi-asr"

#include "asr-private.h"

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <string.h>

#include "kaigi-error.h"

struct _KaigiAsrInstance {
  char *host;
  guint16 port;
  char *path; /* the URL's path, "" if none */
  char *language;
  guint timeout_s;
  GSocketClient *client;
  GSocketConnection *stream; /* vosk: the utterance being streamed, or NULL */
  GByteArray *unsent;        /* vosk: its audio not sent yet (less than a message) */
};

static KaigiAsrInstance *
net_open (const KaigiAsrOptions *opt, const char *scheme, guint16 default_port, GError **error)
{
  g_autoptr (GUri) uri = opt->url ? g_uri_parse (opt->url, G_URI_FLAGS_NONE, NULL) : NULL;
  KaigiAsrInstance *inst;

  if (!uri || g_strcmp0 (g_uri_get_scheme (uri), scheme) != 0 || !g_uri_get_host (uri)) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_CONFIG,
                 "[minutes] asr-url: \"%s\" is not a %s://host:port URL", opt->url ? opt->url : "",
                 scheme);
    return NULL;
  }
  inst = g_new0 (KaigiAsrInstance, 1);
  inst->host = g_strdup (g_uri_get_host (uri));
  inst->port = g_uri_get_port (uri) > 0 ? g_uri_get_port (uri) : default_port;
  inst->path = g_strdup (g_uri_get_path (uri));
  inst->language = g_strdup (opt->language ? opt->language : "auto");
  inst->timeout_s = opt->timeout_s;
  inst->client = g_socket_client_new ();
  g_socket_client_set_timeout (inst->client, opt->timeout_s);
  g_socket_client_set_enable_proxy (inst->client, FALSE);
  return inst;
}

static void
net_close (KaigiAsrInstance *inst)
{
  g_clear_object (&inst->stream);
  if (inst->unsent)
    g_byte_array_unref (inst->unsent);
  g_free (inst->host);
  g_free (inst->path);
  g_free (inst->language);
  g_object_unref (inst->client);
  g_free (inst);
}

static GSocketConnection *
connect_to (KaigiAsrInstance *inst, GError **error)
{
  return g_socket_client_connect_to_host (inst->client, inst->host, inst->port, NULL, error);
}

static gboolean
send_all (GSocketConnection *c, const void *data, gsize n, GError **error)
{
  return g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (c)), data, n, NULL,
                                    NULL, error);
}

static gboolean
recv_all (GSocketConnection *c, void *data, gsize n, GError **error)
{
  gsize got = 0;

  if (!g_input_stream_read_all (g_io_stream_get_input_stream (G_IO_STREAM (c)), data, n, &got, NULL,
                                error))
    return FALSE;
  if (got != n) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_PROTOCOL, "the server closed the connection");
    return FALSE;
  }
  return TRUE;
}

/* {"text": ...} of a reply, stripped; NULL if the reply has none. */
static char *
text_of (const char *json, gsize n, GError **error)
{
  g_autoptr (JsonParser) p = json_parser_new ();
  JsonObject *o;
  const char *t;

  if (!json_parser_load_from_data (p, json, n, error))
    return NULL;
  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (p)))
    return NULL;
  o = json_node_get_object (json_parser_get_root (p));
  t = json_object_has_member (o, "text") ? json_object_get_string_member (o, "text") : NULL;
  return t ? g_strstrip (g_strdup (t)) : NULL;
}

/* ---- whisper.cpp server ---- */

static KaigiAsrInstance *
whisper_open (const KaigiAsrOptions *opt, GError **error)
{
  return net_open (opt, "http", 8080, error);
}

static void
form_field (GString *body, const char *boundary, const char *name, const char *value)
{
  g_string_append_printf (body, "--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n%s\r\n",
                          boundary, name, value);
}

/* The body of an HTTP/1.1 reply read to the end (Connection: close), de-chunked. */
static GBytes *
read_reply (GSocketConnection *c, guint *status, GError **error)
{
  GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (c));
  g_autoptr (GByteArray) all = g_byte_array_new ();
  guint8 buf[8192];
  gssize n;
  const char *head_end, *body;
  gsize body_len;

  while ((n = g_input_stream_read (in, buf, sizeof buf, NULL, error)) > 0) {
    g_byte_array_append (all, buf, n);
    if (all->len > 4 * 1024 * 1024)
      break;
  }
  if (n < 0)
    return NULL;
  g_byte_array_append (all, (const guint8 *)"", 1);
  head_end = strstr ((const char *)all->data, "\r\n\r\n");
  if (!head_end || sscanf ((const char *)all->data, "HTTP/1.%*d %u", status) != 1) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_PROTOCOL, "not an HTTP reply");
    return NULL;
  }
  body = head_end + 4;
  body_len = all->len - 1 - (body - (const char *)all->data);
  if (g_strstr_len ((const char *)all->data, head_end - (const char *)all->data,
                    "Transfer-Encoding: chunked")) {
    g_autoptr (GString) out = g_string_new (NULL);
    const char *p = body;
    for (;;) {
      char *end;
      gulong len = strtoul (p, &end, 16);
      if (end == p || len == 0 || !(end = strstr (end, "\r\n")))
        break;
      p = end + 2;
      if ((gsize)(p - body) + len > body_len)
        break;
      g_string_append_len (out, p, len);
      p += len + 2;
    }
    return g_string_free_to_bytes (g_steal_pointer (&out));
  }
  return g_bytes_new (body, body_len);
}

static char *
whisper_recognize (KaigiAsrInstance *inst, const char *wav_path, GBytes *pcm,
                   const char *const *vocabulary, double *confidence, GError **error)
{
  g_autoptr (GSocketConnection) c = NULL;
  g_autofree char *wav = NULL;
  gsize wav_len;
  g_autofree char *boundary = g_strdup_printf ("kaigi%08x%08x", g_random_int (), g_random_int ());
  g_autoptr (GString) body = g_string_new (NULL);
  g_autoptr (GString) head = g_string_new (NULL);
  g_autoptr (GBytes) reply = NULL;
  g_autofree char *prompt = vocabulary ? g_strjoinv (", ", (char **)vocabulary) : NULL;
  guint status = 0;
  char *text;

  if (!g_file_get_contents (wav_path, &wav, &wav_len, error))
    return NULL;
  form_field (body, boundary, "response_format", "json");
  form_field (body, boundary, "temperature", "0.0");
  form_field (body, boundary, "language", inst->language);
  if (prompt && *prompt)
    form_field (body, boundary, "prompt", prompt);
  g_string_append_printf (body,
                          "--%s\r\nContent-Disposition: form-data; name=\"file\"; "
                          "filename=\"speech.wav\"\r\nContent-Type: audio/wav\r\n\r\n",
                          boundary);
  g_string_append_len (body, wav, wav_len);
  g_string_append_printf (body, "\r\n--%s--\r\n", boundary);
  g_string_printf (
      head,
      "POST %s/inference HTTP/1.1\r\nHost: %s:%u\r\nConnection: close\r\n"
      "Content-Type: multipart/form-data; boundary=%s\r\nContent-Length: %" G_GSIZE_FORMAT
      "\r\n\r\n",
      g_str_has_suffix (inst->path, "/") ? "" : inst->path, inst->host, inst->port, boundary,
      body->len);
  c = connect_to (inst, error);
  if (!c || !send_all (c, head->str, head->len, error)
      || !send_all (c, body->str, body->len, error))
    return NULL;
  reply = read_reply (c, &status, error);
  if (!reply)
    return NULL;
  if (status != 200) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_PROTOCOL, "whisper server answered %u: %.*s",
                 status, (int)MIN (200, g_bytes_get_size (reply)),
                 (const char *)g_bytes_get_data (reply, NULL));
    return NULL;
  }
  text = text_of (g_bytes_get_data (reply, NULL), g_bytes_get_size (reply), error);
  if (!text && error && !*error)
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_PROTOCOL, "whisper server's reply has no text");
  *confidence = 1.0; /* the JSON reply carries none */
  return text;
}

const KaigiAsrEngineClass kaigi_asr_whisper = {
  .name = "whisper",
  .open = whisper_open,
  .recognize = whisper_recognize,
  .close = net_close,
};

/* ---- Vosk server ---- */

static KaigiAsrInstance *
vosk_open (const KaigiAsrOptions *opt, GError **error)
{
  return net_open (opt, "ws", 2700, error);
}

/* Sends one masked frame (clients must mask, RFC 6455 5.3). */
static gboolean
ws_send (GSocketConnection *c, guint8 opcode, const void *data, gsize n, GError **error)
{
  guint8 head[14];
  gsize h = 0;
  guint32 key = g_random_int ();
  g_autofree guint8 *masked = g_malloc (n ? n : 1);

  head[h++] = 0x80 | opcode;
  if (n < 126) {
    head[h++] = 0x80 | n;
  } else if (n < 65536) {
    head[h++] = 0x80 | 126;
    head[h++] = n >> 8;
    head[h++] = n & 0xff;
  } else {
    head[h++] = 0x80 | 127;
    for (int i = 7; i >= 0; i--)
      head[h++] = ((guint64)n >> (8 * i)) & 0xff;
  }
  memcpy (head + h, &key, 4);
  h += 4;
  for (gsize i = 0; i < n; i++)
    masked[i] = ((const guint8 *)data)[i] ^ ((const guint8 *)&key)[i % 4];
  return send_all (c, head, h, error) && send_all (c, masked, n, error);
}

/* Reads one message; NULL with *closed TRUE at a close frame. */
static GBytes *
ws_recv (GSocketConnection *c, gboolean *closed, GError **error)
{
  guint8 h[2], ext[8];
  guint64 len;
  g_autofree guint8 *data = NULL;

  *closed = FALSE;
  if (!recv_all (c, h, 2, error))
    return NULL;
  len = h[1] & 0x7f;
  if (len == 126 || len == 127) {
    guint k = len == 126 ? 2 : 8;
    if (!recv_all (c, ext, k, error))
      return NULL;
    len = 0;
    for (guint i = 0; i < k; i++)
      len = (len << 8) | ext[i];
  }
  if (len > 1024 * 1024) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_PROTOCOL, "vosk message too long");
    return NULL;
  }
  data = g_malloc (len + 1);
  if ((h[1] & 0x80) && !recv_all (c, ext, 4, error))
    return NULL;
  if (len && !recv_all (c, data, len, error))
    return NULL;
  if ((h[0] & 0x0f) == 0x8) {
    *closed = TRUE;
    return NULL;
  }
  return g_bytes_new_take (g_steal_pointer (&data), len);
}

static gboolean
ws_handshake (KaigiAsrInstance *inst, GSocketConnection *c, GError **error)
{
  guint8 nonce[16];
  g_autofree char *key = NULL;
  g_autofree char *req = NULL;
  g_autoptr (GString) head = g_string_new (NULL);
  char ch;

  for (guint i = 0; i < sizeof nonce; i++)
    nonce[i] = g_random_int_range (0, 256);
  key = g_base64_encode (nonce, sizeof nonce);
  req = g_strdup_printf ("GET %s HTTP/1.1\r\nHost: %s:%u\r\nUpgrade: websocket\r\n"
                         "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\n"
                         "Sec-WebSocket-Version: 13\r\n\r\n",
                         *inst->path ? inst->path : "/", inst->host, inst->port, key);
  if (!send_all (c, req, strlen (req), error))
    return FALSE;
  while (!g_str_has_suffix (head->str, "\r\n\r\n")) {
    if (!recv_all (c, &ch, 1, error))
      return FALSE;
    g_string_append_c (head, ch);
    if (head->len > 8192)
      break;
  }
  if (!g_str_has_prefix (head->str, "HTTP/1.1 101")) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_PROTOCOL,
                 "vosk server refused the WebSocket: %.*s", (int)MIN (head->len, 80), head->str);
    return FALSE;
  }
  return TRUE;
}

#define VOSK_MESSAGE 8000 /* bytes of audio a message: 0.25 s */

static const char vosk_config[] = "{\"config\":{\"sample_rate\":16000}}";

static GSocketConnection *
vosk_connect (KaigiAsrInstance *inst, GError **error)
{
  g_autoptr (GSocketConnection) c = connect_to (inst, error);

  if (!c || !ws_handshake (inst, c, error)
      || !ws_send (c, 0x1, vosk_config, sizeof vosk_config - 1, error))
    return NULL;
  return g_steal_pointer (&c);
}

/* Sends eof and gathers the finished phrases until the server closes. */
static char *
vosk_finish (GSocketConnection *c, double *confidence, GError **error)
{
  static const char eof[] = "{\"eof\" : 1}";
  g_autoptr (GString) text = g_string_new (NULL);
  gboolean closed = FALSE;

  if (!ws_send (c, 0x1, eof, sizeof eof - 1, error))
    return NULL;
  /* Replies until the server closes after the final result. */
  while (!closed) {
    g_autoptr (GError) read_error = NULL;
    g_autoptr (GBytes) msg = ws_recv (c, &closed, &read_error);
    g_autofree char *t = NULL;
    if (!msg) {
      if (closed || text->len)
        break;
      g_propagate_error (error, g_steal_pointer (&read_error));
      return NULL;
    }
    t = text_of (g_bytes_get_data (msg, NULL), g_bytes_get_size (msg), NULL);
    if (t && *t)
      g_string_append_printf (text, "%s%s", text->len ? " " : "", t);
  }
  *confidence = 1.0;
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static char *
vosk_recognize (KaigiAsrInstance *inst, const char *wav_path, GBytes *pcm,
                const char *const *vocabulary, double *confidence, GError **error)
{
  g_autoptr (GSocketConnection) c = vosk_connect (inst, error);
  gsize n;
  const guint8 *x = g_bytes_get_data (pcm, &n);

  if (!c)
    return NULL;
  for (gsize at = 0; at < n; at += VOSK_MESSAGE)
    if (!ws_send (c, 0x2, x + at, MIN (VOSK_MESSAGE, n - at), error))
      return NULL;
  return vosk_finish (c, confidence, error);
}

static gboolean
vosk_stream_begin (KaigiAsrInstance *inst, GError **error)
{
  g_clear_object (&inst->stream);
  inst->stream = vosk_connect (inst, error);
  if (!inst->unsent)
    inst->unsent = g_byte_array_new ();
  g_byte_array_set_size (inst->unsent, 0);
  return inst->stream != NULL;
}

static gboolean
vosk_stream_feed (KaigiAsrInstance *inst, const gint16 *x, gsize n, GError **error)
{
  gsize at = 0;

  g_byte_array_append (inst->unsent, (const guint8 *)x, n * sizeof (gint16));
  for (; inst->unsent->len - at >= VOSK_MESSAGE; at += VOSK_MESSAGE)
    if (!ws_send (inst->stream, 0x2, inst->unsent->data + at, VOSK_MESSAGE, error))
      return FALSE;
  g_byte_array_remove_range (inst->unsent, 0, at);
  return TRUE;
}

static char *
vosk_stream_end (KaigiAsrInstance *inst, double *confidence, GError **error)
{
  g_autoptr (GSocketConnection) c = g_steal_pointer (&inst->stream);
  gboolean sent;

  if (!c) {
    g_set_error (error, KAIGI_ERROR, KAIGI_ERROR_PROTOCOL, "no utterance was begun");
    return NULL;
  }
  sent = !inst->unsent->len || ws_send (c, 0x2, inst->unsent->data, inst->unsent->len, error);
  g_byte_array_set_size (inst->unsent, 0);
  return sent ? vosk_finish (c, confidence, error) : NULL;
}

const KaigiAsrEngineClass kaigi_asr_vosk = {
  .name = "vosk",
  .open = vosk_open,
  .recognize = vosk_recognize,
  .close = net_close,
  .stream_begin = vosk_stream_begin,
  .stream_feed = vosk_stream_feed,
  .stream_end = vosk_stream_end,
};
