/* test_dates — unit tests of core/dates: the calendar (leap years, month
 * lengths, weekdays, day numbers, the ISO checker, ordinals, two-digit
 * years) and the generator (every family within DATES_HUMAN_MAX for every
 * date, the weekday written is the date's, reproducibility). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "dates.h"
#include "rng.h"

static date_ymd ymd(int y, int m, int d)
{
    date_ymd t = {y, m, d};
    return t;
}

static int parses(const char *s, date_ymd want)
{
    date_ymd d;
    return date_parse_iso(s, strlen(s), &d) == 0 && d.year == want.year &&
           d.month == want.month && d.day == want.day;
}

static int refused(const char *s)
{
    date_ymd d = {-1, -1, -1};
    return date_parse_iso(s, strlen(s), &d) < 0 && d.year == -1;
}

static void test_calendar(void)
{
    check(date_weekday(ymd(1900, 1, 1)) == 0, "1900-01-01 was a Monday");
    check(date_weekday(ymd(2099, 12, 31)) == 3, "2099-12-31 is a Thursday");
    check(date_weekday(ymd(1970, 1, 1)) == 3 && date_weekday(ymd(1979, 5, 3)) == 3,
          "1970-01-01 and 1979-05-03 were Thursdays");
    check(date_weekday(ymd(2000, 2, 29)) == 1 && date_weekday(ymd(2024, 11, 23)) == 5 &&
              date_weekday(ymd(1600, 3, 1)) == 2 && date_weekday(ymd(1, 1, 1)) == 0,
          "2000-02-29 Tuesday, 2024-11-23 Saturday, 1600-03-01 Wednesday, 0001-01-01 Monday");
    check(date_is_valid(ymd(2000, 2, 29)) && date_is_valid(ymd(2004, 2, 29)) &&
              !date_is_valid(ymd(1900, 2, 29)) && !date_is_valid(ymd(2100, 2, 29)) &&
              !date_is_valid(ymd(2023, 2, 29)),
          "leap days: 2000 and 2004 have one, 1900, 2100 and 2023 do not");
    check(!date_is_valid(ymd(2023, 4, 31)) && date_is_valid(ymd(2023, 3, 31)) &&
              !date_is_valid(ymd(2023, 13, 1)) && !date_is_valid(ymd(2023, 0, 1)) &&
              !date_is_valid(ymd(2023, 1, 0)) && !date_is_valid(ymd(0, 1, 1)) &&
              !date_is_valid(ymd(10000, 1, 1)),
          "invalid: April 31st, month 13 or 0, day 0, year 0 or 10000");
    int lengths_ok = 1;
    for (int y = 1899; y <= 2101; y++) {
        int total = 0;
        for (int m = 1; m <= 12; m++)
            total += date_days_in_month(y, m);
        lengths_ok &= total == (date_is_leap_year(y) ? 366 : 365);
    }
    check(lengths_ok && date_days_in_month(2023, 0) == 0 && date_days_in_month(2023, 13) == 0,
          "month lengths add up to 365 or 366 days, every year 1899-2101");

    /* Every day of the range: day numbers count up by one, dates round-trip,
     * weekdays cycle. */
    long first = date_day_number(ymd(1900, 1, 1)), last = date_day_number(ymd(2099, 12, 31));
    int walk_ok = 1;
    date_ymd prev = ymd(1899, 12, 31);
    for (long n = first; n <= last; n++) {
        date_ymd d = date_from_day_number(n);
        date_ymd next = prev.day < date_days_in_month(prev.year, prev.month) ? ymd(prev.year, prev.month, prev.day + 1)
                        : prev.month < 12 ? ymd(prev.year, prev.month + 1, 1) : ymd(prev.year + 1, 1, 1);
        if (d.year != next.year || d.month != next.month || d.day != next.day ||
            date_day_number(d) != n || date_weekday(d) != (int)((n - first) % 7) || !date_in_range(d))
            walk_ok = 0;
        prev = d;
    }
    check(walk_ok && last - first + 1 == 73049 && date_day_number(ymd(1970, 1, 1)) == 0,
          "1900-01-01 .. 2099-12-31: 73049 days, each the day after the last, weekdays cycling from Monday");
    check(!date_in_range(ymd(1899, 12, 31)) && !date_in_range(ymd(2100, 1, 1)) &&
              date_in_range(ymd(1900, 1, 1)) && date_in_range(ymd(2099, 12, 31)),
          "date_in_range: 1900-01-01 .. 2099-12-31");
    check(date_from_day_number(-719162).year == 1 && date_from_day_number(2932896).year == 9999 &&
              date_from_day_number(2932896).month == 12 && date_from_day_number(2932896).day == 31,
          "day numbers reach 0001-01-01 and 9999-12-31");

    check(parses("1979-05-03", ymd(1979, 5, 3)) && parses("2000-02-29", ymd(2000, 2, 29)) &&
              parses("0001-01-01", ymd(1, 1, 1)) && parses("9999-12-31", ymd(9999, 12, 31)),
          "date_parse_iso reads valid dates, 0001-01-01 to 9999-12-31");
    const char *bad[] = {"1900-02-29", "2023-04-31", "2023-13-01", "2023-00-10", "2023-01-00",
                         "0000-01-01", "1979-5-3", "1979-05-3", "79-05-03", "1979/05/03",
                         "1979-05-03 ", " 1979-05-03", "1979-05-031", "+979-05-03", "1979-0a-03",
                         "19790503", "", "1979-05-03x"};
    int all_refused = 1;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (!refused(bad[i])) {
            all_refused = 0;
            printf("  accepted '%s'\n", bad[i]);
        }
    check(all_refused, "date_parse_iso refuses invalid days, other shapes, signs, spaces, trailing text");
    date_ymd d;
    check(date_parse_iso("1979-05-03junk", 10, &d) == 0 && d.day == 3,
          "date_parse_iso reads exactly the n bytes it is given");
    char iso[DATE_ISO_LEN + 1];
    date_format_iso(ymd(7, 1, 9), iso);
    int fmt_ok = strcmp(iso, "0007-01-09") == 0;
    date_format_iso(ymd(2099, 12, 31), iso);
    fmt_ok &= strcmp(iso, "2099-12-31") == 0;
    check(fmt_ok, "date_format_iso pads year, month and day");

    const char *want[32] = {"", "st", "nd", "rd", "th", "th", "th", "th", "th", "th", "th",
                            "th", "th", "th", "th", "th", "th", "th", "th", "th", "th",
                            "st", "nd", "rd", "th", "th", "th", "th", "th", "th", "th", "st"};
    int suffix_ok = 1;
    for (int day = 1; day <= 31; day++)
        suffix_ok &= strcmp(date_ordinal_suffix(day), want[day]) == 0;
    check(suffix_ok && strcmp(date_ordinal_suffix(111), "th") == 0 && strcmp(date_ordinal_suffix(101), "st") == 0,
          "ordinal suffixes: 1st 2nd 3rd 4th, 11th 12th 13th, 21st 22nd 23rd, 31st");
    int two_ok = 1;
    for (int yy = 0; yy < 100; yy++) {
        int y = date_two_digit_year(yy);
        two_ok &= y % 100 == yy && date_two_digit_ok(y) && (yy < 30 ? y >= 2000 : y < 2000);
    }
    check(two_ok && date_two_digit_year(0) == 2000 && date_two_digit_year(29) == 2029 &&
              date_two_digit_year(30) == 1930 && date_two_digit_year(99) == 1999 &&
              !date_two_digit_ok(1929) && !date_two_digit_ok(2030) && !date_two_digit_ok(1925) &&
              !date_two_digit_ok(2045),
          "two-digit years: 00-29 are 2000-2029, 30-99 1930-1999; 1925 and 2045 have none");
}

static void test_families(void)
{
    int ok = 1;
    for (int f = 0; f < DATES_NFORMATS; f++) {
        const char *name = dates_format_name(f);
        ok &= name && dates_format_find(name, strlen(name)) == f && dates_format_example(f) &&
              strlen(dates_format_example(f)) <= DATES_HUMAN_MAX;
    }
    check(ok && dates_format_find("nosuch", 6) < 0 && dates_format_find("iso,ordinal-of", 3) == 0 &&
              dates_format_name(DATES_NFORMATS) == NULL,
          "the %d families are found by name", DATES_NFORMATS);
    int dmy[DATES_NFORMATS], mdy[DATES_NFORMATS], both[DATES_NFORMATS];
    int ndmy = dates_formats_for(DATES_DMY, dmy), nmdy = dates_formats_for(DATES_MDY, mdy),
        nboth = dates_formats_for(DATES_DMY | DATES_MDY, both);
    int dmy_ok = 1, mdy_ok = 1, ndmy_fam = 0, nmdy_fam = 0;
    for (int i = 0; i < ndmy; i++)
        dmy_ok &= dates_format_order(dmy[i]) != DATES_ORDER_MDY;
    for (int i = 0; i < nmdy; i++)
        mdy_ok &= dates_format_order(mdy[i]) != DATES_ORDER_DMY;
    for (int f = 0; f < DATES_NFORMATS; f++) {
        ndmy_fam += dates_format_order(f) == DATES_ORDER_DMY;
        nmdy_fam += dates_format_order(f) == DATES_ORDER_MDY;
    }
    check(dmy_ok && mdy_ok && nboth == DATES_NFORMATS && ndmy == DATES_NFORMATS - nmdy_fam &&
              nmdy == DATES_NFORMATS - ndmy_fam && ndmy_fam == 2 && nmdy_fam == 2,
          "conventions: day-first drops the month-first numeric families and the other way round");
    check(strcmp(dates_order_name(DATES_ORDER_DMY), "dmy") == 0 && strcmp(dates_order_name(DATES_ORDER_MDY), "mdy") == 0 &&
              strcmp(dates_order_name(DATES_ORDER_NONE), "-") == 0,
          "order names: dmy, mdy, -");
}

/* The weekday's first three letters, in any case, must open the string
 * (after stray spaces); no other weekday's may. */
static int weekday_matches(const char *s, int wd)
{
    static const char *const abbr[7] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
    while (*s == ' ')
        s++;
    for (int i = 0; i < 3; i++)
        if (tolower((unsigned char)s[i]) != abbr[wd][i])
            return 0;
    return 1;
}

static void test_generator(void)
{
    /* The fallback (no rng: the shortest variant) fits for every date and
     * family, so the generator can always keep to the limit. */
    long first = date_day_number(ymd(1900, 1, 1)), last = date_day_number(ymd(2099, 12, 31));
    int longest = 0, weekdays_ok = 1;
    char s[DATES_HUMAN_MAX + 1];
    for (long n = first; n <= last; n++) {
        date_ymd d = date_from_day_number(n);
        for (int f = 0; f < DATES_NFORMATS; f++) {
            int len = dates_render(NULL, f, d, s);
            if (len > longest)
                longest = len;
            if (strncmp(dates_format_name(f), "weekday-", 8) == 0)
                weekdays_ok &= weekday_matches(s, date_weekday(d));
        }
    }
    check(longest <= DATES_HUMAN_MAX, "the shortest variant of every family, for every date, fits in %d characters (longest %d)",
          DATES_HUMAN_MAX, longest);
    char plain[DATES_HUMAN_MAX + 1];
    dates_render(NULL, dates_format_find("weekday-ordinal-of", 18), ymd(1979, 5, 3), plain);
    check(strcmp(plain, "Thu 3rd of May 79") == 0 && weekdays_ok,
          "shortest variant: '%s'; weekdays right in every shortest weekday family", plain);

    int all[DATES_NFORMATS], nall = dates_formats_for(DATES_DMY | DATES_MDY, all);
    rng r;
    rng_seed(&r, 42);
    long draws = 400000, too_long = 0, bad_iso = 0, bad_weekday = 0, bad_char = 0;
    long seen[DATES_NFORMATS] = {0};
    for (long i = 0; i < draws; i++) {
        dates_pair p;
        dates_draw(&r, all, nall, &p);
        date_ymd back;
        too_long += p.len > DATES_HUMAN_MAX || p.len != (int)strlen(p.human);
        bad_iso += date_parse_iso(p.iso, strlen(p.iso), &back) < 0 || !date_in_range(back) ||
                   back.year != p.date.year || back.month != p.date.month || back.day != p.date.day ||
                   p.order != dates_format_order(p.format);
        if (strncmp(dates_format_name(p.format), "weekday-", 8) == 0)
            bad_weekday += !weekday_matches(p.human, date_weekday(p.date));
        for (const char *c = p.human; *c; c++)
            bad_char += *c < ' ' || *c > '~';
        seen[p.format]++;
    }
    int every = 1;
    for (int f = 0; f < DATES_NFORMATS; f++)
        every &= seen[f] > draws / DATES_NFORMATS / 2;
    check(!too_long && !bad_iso && !bad_char, "400000 draws: at most %d printable ASCII characters, ISO dates valid and in range",
          DATES_HUMAN_MAX);
    check(!bad_weekday, "400000 draws: every weekday written is the date's own");
    check(every, "400000 draws: every family drawn");

    rng a, b;
    rng_seed(&a, 7);
    rng_seed(&b, 7);
    int same = 1;
    for (int i = 0; i < 1000; i++) {
        dates_pair p, q;
        dates_draw(&a, all, nall, &p);
        dates_draw(&b, all, nall, &q);
        same &= strcmp(p.human, q.human) == 0 && strcmp(p.iso, q.iso) == 0 && p.format == q.format;
    }
    check(same, "the same seed draws the same pairs");
}

int main(void)
{
    test_calendar();
    test_families();
    test_generator();
    return check_exit();
}
