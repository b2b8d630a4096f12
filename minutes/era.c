/* era.c: Japanese era dates and the 12-hour clock of 会議録 (era.h). Pure functions. */
#include "era.h"

typedef struct {
  const char *ja, *en;
  int year, month, day; /* the era's first day */
} Era;

/* Newest first: the first era that started on or before a date is its era. */
static const Era eras[] = {
  { "令和", "Reiwa", 2019, 5, 1 },   { "平成", "Heisei", 1989, 1, 8 },
  { "昭和", "Showa", 1926, 12, 25 }, { "大正", "Taisho", 1912, 7, 30 },
  { "明治", "Meiji", 1868, 10, 23 },
};

static const char *const weekdays_ja[] = { "月", "火", "水", "木", "金", "土", "日" };
static const char *const weekdays_en[]
    = { "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday" };
static const char *const months_en[]
    = { "January", "February", "March",     "April",   "May",      "June",
        "July",    "August",   "September", "October", "November", "December" };

static gboolean
is_en (const char *lang)
{
  return g_strcmp0 (lang, "en") == 0;
}

static const Era *
era_of (int y, int m, int d)
{
  int key = y * 10000 + m * 100 + d;

  for (guint i = 0; i < G_N_ELEMENTS (eras); i++)
    if (key >= eras[i].year * 10000 + eras[i].month * 100 + eras[i].day)
      return &eras[i];
  return NULL;
}

char *
kaigi_era_year (GDateTime *t, const char *lang)
{
  int y = g_date_time_get_year (t);
  const Era *era = era_of (y, g_date_time_get_month (t), g_date_time_get_day_of_month (t));
  int n;

  if (!era)
    return is_en (lang) ? g_strdup_printf ("%d", y) : g_strdup_printf ("%d年", y);
  n = y - era->year + 1;
  if (is_en (lang))
    return g_strdup_printf ("%s %d", era->en, n);
  if (n == 1)
    return g_strdup_printf ("%s元年", era->ja);
  return g_strdup_printf ("%s%d年", era->ja, n);
}

char *
kaigi_era_date (GDateTime *t, const char *lang)
{
  g_autofree char *year = kaigi_era_year (t, lang);
  int wd = g_date_time_get_day_of_week (t) - 1;
  int m = g_date_time_get_month (t), d = g_date_time_get_day_of_month (t);

  if (is_en (lang))
    return g_strdup_printf ("%s, %d %s %d (%s)", weekdays_en[wd], d, months_en[m - 1],
                            g_date_time_get_year (t), year);
  return g_strdup_printf ("%s%d月%d日（%s）", year, m, d, weekdays_ja[wd]);
}

char *
kaigi_era_time (GDateTime *t, const char *lang)
{
  int h = g_date_time_get_hour (t), min = g_date_time_get_minute (t);
  gboolean pm = h >= 12;

  if (is_en (lang))
    return g_strdup_printf ("%d:%02d %s", h % 12 == 0 ? 12 : h % 12, min, pm ? "p.m." : "a.m.");
  return g_strdup_printf ("%s%d時%02d分", pm ? "午後" : "午前", h % 12, min);
}
