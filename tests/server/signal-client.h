/* signal-client.h: a signalling client for tests without sockets: it records every message
 * the server sends it and how the server closed it. */
#pragma once

#include <json-glib/json-glib.h>
#include <string.h>

#include "signalling.h"

typedef struct {
  GPtrArray *got; /* JSON texts received, owned */
  int closed;     /* close status, 0 if open */
} Client;

static inline void
client_send (gpointer data, const char *json)
{
  Client *c = data;

  g_ptr_array_add (c->got, g_strdup (json));
}

static inline void
client_close (gpointer data, int status, const char *reason)
{
  Client *c = data;

  c->closed = status;
}

static const KaigiSignalTransport transport = { client_send, client_close };

/* Message @k of @c parsed (negative: from the end); NULL if there is none. The object lives
 * until the next call. */
static inline JsonObject *
client_message (Client *c, int k)
{
  static JsonParser *parser;

  if (k < 0)
    k += c->got->len;
  if (k < 0 || (guint)k >= c->got->len)
    return NULL;
  g_clear_object (&parser);
  parser = json_parser_new ();
  g_assert_true (json_parser_load_from_data (parser, c->got->pdata[k], -1, NULL));
  return json_node_get_object (json_parser_get_root (parser));
}

/* The last message of @type that @c got, or NULL. */
static inline JsonObject *
client_last_of (Client *c, const char *type)
{
  for (int k = (int)c->got->len - 1; k >= 0; k--) {
    JsonObject *o = client_message (c, k);
    if (g_strcmp0 (json_object_get_string_member_with_default (o, "type", ""), type) == 0)
      return o;
  }
  return NULL;
}

static inline void
client_assert_error (Client *c, const char *code)
{
  JsonObject *o = client_message (c, -1);

  g_assert_nonnull (o);
  g_assert_cmpstr (json_object_get_string_member (o, "type"), ==, "error");
  g_assert_cmpstr (json_object_get_string_member (o, "code"), ==, code);
  g_assert_cmpstr (json_object_get_string_member (o, "message"), !=, "");
}
