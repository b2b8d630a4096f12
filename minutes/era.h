/* era.h: dates as Japanese records write them (令和3年2月17日（水）午後2時00分) and as the
 * English versions of the same records do ("Wednesday, 17 February 2021 (Reiwa 3)", "2:00 p.m.").
 *
 * Eras start on their first day (令和 2019-05-01, 平成 1989-01-08, 昭和 1926-12-25, 大正
 * 1912-07-30, 明治 1868-10-23); the first year is 元年. Dates before 明治 are written with the
 * Western year. The date is taken in the GDateTime's own time zone. Pure functions. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* @lang "ja" or "en" (anything else is "ja"). */
char *kaigi_era_date (GDateTime *t, const char *lang);
/* 12-hour clock: 午前/午後 h時mm分 (午前0時 is midnight, 午後0時 noon); "h:mm a.m." in English. */
char *kaigi_era_time (GDateTime *t, const char *lang);
/* The era year alone: 令和元年, 平成31年; "Reiwa 1". */
char *kaigi_era_year (GDateTime *t, const char *lang);

G_END_DECLS
