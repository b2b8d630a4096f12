/* export-private.h: what the exporters share: the document every layout renders (a list of
 * blocks made from the record in one place, export-document.c), and the writers. Not for use
 * outside minutes/. */
#pragma once

#include "export.h"

G_BEGIN_DECLS

typedef enum {
  KAIGI_BLOCK_TITLE,      /* the document's title */
  KAIGI_BLOCK_FIELD,      /* a header row: label and one or more lines */
  KAIGI_BLOCK_NOTE,       /* a remark about the record itself (public copy, draft) */
  KAIGI_BLOCK_HEADING,    /* an agenda item */
  KAIGI_BLOCK_SPEAKER,    /* 【name title】 before statements */
  KAIGI_BLOCK_PARA,       /* a statement or a line of a decision */
  KAIGI_BLOCK_MARK,       /* —了承—, 〔非公開…〕, [14:38 終了] */
  KAIGI_BLOCK_SUBHEADING, /* 提出された資料等 */
  KAIGI_BLOCK_LIST,       /* lines are the list's items */
} KaigiBlockKind;

typedef struct {
  KaigiBlockKind kind;
  char *label; /* owned: FIELD only */
  GStrv lines; /* owned: the text; one line except FIELD and LIST */
} KaigiBlock;

/* The record as a document in @lang: KaigiBlock *, owned. */
GPtrArray *kaigi_export_document (const KaigiRecord *r, const char *lang);
/* The header's column titles for layouts that draw a table ("項目", "内容"). */
const char *kaigi_export_label (const char *lang, const char *key);

GBytes *kaigi_export_text (const KaigiRecord *r, const char *lang);
GBytes *kaigi_export_md (const KaigiRecord *r, const char *lang);
GBytes *kaigi_export_fodt (const KaigiRecord *r, const char *lang);
GBytes *kaigi_export_docx (const KaigiRecord *r, const char *lang);
GBytes *kaigi_export_vtt (const KaigiRecord *r, const char *lang);
GBytes *kaigi_export_srt (const KaigiRecord *r, const char *lang);

/* The speaker label of @u: 【山口恵子会長】 or [山口恵子 (会長)]. */
char *kaigi_export_speaker (const KaigiRecord *r, const KaigiUtterance *u, const char *lang);
/* @s with & < > " escaped for XML. */
char *kaigi_export_xml_escape (const char *s);

G_END_DECLS
