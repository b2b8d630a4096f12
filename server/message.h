/* message.h: JSON texts of the messages the server sends (docs/protocol.md) that more than
 * one layer sends. Any thread. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* {"type":"error","code":@code,"message":@message}, newly allocated. */
char *kaigi_message_error (const char *code, const char *message);

G_END_DECLS
