/* test-era.c: Japanese era dates at every era boundary, 元年, weekdays, and the 12-hour clock
 * of 会議録 in both languages. */
#include "era.h"

static GDateTime *
jst (int y, int m, int d, int h, int min)
{
  g_autoptr (GTimeZone) tz = g_time_zone_new_identifier ("+09:00");

  return g_date_time_new (tz, y, m, d, h, min, 0);
}

static void
check_date (int y, int m, int d, const char *ja, const char *en)
{
  g_autoptr (GDateTime) t = jst (y, m, d, 10, 0);
  g_autofree char *got_ja = kaigi_era_date (t, "ja");
  g_autofree char *got_en = kaigi_era_date (t, "en");

  g_assert_cmpstr (got_ja, ==, ja);
  g_assert_cmpstr (got_en, ==, en);
}

static void
test_era_boundaries (void)
{
  check_date (2021, 2, 17, "令和3年2月17日（水）", "Wednesday, 17 February 2021 (Reiwa 3)");
  check_date (2019, 4, 30, "平成31年4月30日（火）", "Tuesday, 30 April 2019 (Heisei 31)");
  check_date (2019, 5, 1, "令和元年5月1日（水）", "Wednesday, 1 May 2019 (Reiwa 1)");
  check_date (2020, 1, 1, "令和2年1月1日（水）", "Wednesday, 1 January 2020 (Reiwa 2)");
  check_date (1989, 1, 7, "昭和64年1月7日（土）", "Saturday, 7 January 1989 (Showa 64)");
  check_date (1989, 1, 8, "平成元年1月8日（日）", "Sunday, 8 January 1989 (Heisei 1)");
  check_date (1926, 12, 24, "大正15年12月24日（金）", "Friday, 24 December 1926 (Taisho 15)");
  check_date (1926, 12, 25, "昭和元年12月25日（土）", "Saturday, 25 December 1926 (Showa 1)");
  check_date (1912, 7, 30, "大正元年7月30日（火）", "Tuesday, 30 July 1912 (Taisho 1)");
  check_date (1868, 10, 23, "明治元年10月23日（金）", "Friday, 23 October 1868 (Meiji 1)");
  check_date (1868, 10, 22, "1868年10月22日（木）", "Thursday, 22 October 1868 (1868)");
}

/* The date is the one of the time's own zone: 2019-04-30 23:30 JST is still 平成. */
static void
test_era_time_zone (void)
{
  g_autoptr (GDateTime) t = jst (2019, 4, 30, 23, 30);
  g_autoptr (GDateTime) utc = g_date_time_to_utc (t);
  g_autofree char *ja = kaigi_era_date (t, "ja");
  g_autofree char *year = kaigi_era_year (t, "ja");

  g_assert_cmpstr (ja, ==, "平成31年4月30日（火）");
  g_assert_cmpstr (year, ==, "平成31年");
  g_assert_cmpint (g_date_time_get_hour (utc), ==, 14);
}

static void
check_time (int h, int min, const char *ja, const char *en)
{
  g_autoptr (GDateTime) t = jst (2021, 3, 10, h, min);
  g_autofree char *got_ja = kaigi_era_time (t, "ja");
  g_autofree char *got_en = kaigi_era_time (t, "en");

  g_assert_cmpstr (got_ja, ==, ja);
  g_assert_cmpstr (got_en, ==, en);
}

static void
test_era_clock (void)
{
  check_time (14, 0, "午後2時00分", "2:00 p.m.");
  check_time (10, 30, "午前10時30分", "10:30 a.m.");
  check_time (0, 5, "午前0時05分", "12:05 a.m.");
  check_time (12, 0, "午後0時00分", "12:00 p.m.");
  check_time (23, 59, "午後11時59分", "11:59 p.m.");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/era/boundaries", test_era_boundaries);
  g_test_add_func ("/era/time-zone", test_era_time_zone);
  g_test_add_func ("/era/clock", test_era_clock);
  return g_test_run ();
}
