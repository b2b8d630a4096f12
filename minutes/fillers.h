/* fillers.h: filler words (えー, えーと, あのー, あの, まあ, um, uh, er, ah) taken out of a
 * statement's text, the minutes editor's "remove fillers" (docs/minutes.md).
 *
 * A filler goes only when it stands as a word of its own: at the start or end of the text or
 * next to a space or a punctuation mark (、。，．,.!?！？…「」), so あの in あの件 or er in
 * "her" stay. The comma and spaces that followed a removed filler go with it. Pure functions,
 * any thread. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The text without its fillers (newly allocated; equal to @text when there were none). @removed
 * (may be NULL) gets how many were taken out. @text must be valid UTF-8. */
char *kaigi_fillers_remove (const char *text, guint *removed);

G_END_DECLS
