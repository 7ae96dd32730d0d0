/* dates — the calendar and the generator of dates as people write them;
 * see dates.h. */
#include "dates.h"

#include <string.h>

/* ---- the calendar ---- */

int date_is_leap_year(int year)
{
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int date_days_in_month(int year, int month)
{
    static const int days[13] = {0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month < 1 || month > 12)
        return 0;
    return days[month] + (month == 2 && date_is_leap_year(year));
}

int date_is_valid(date_ymd d)
{
    return d.year >= 1 && d.year <= 9999 && d.day >= 1 &&
           d.day <= date_days_in_month(d.year, d.month);
}

int date_in_range(date_ymd d)
{
    return date_is_valid(d) && d.year >= DATES_FIRST_YEAR && d.year <= DATES_LAST_YEAR;
}

/* Howard Hinnant's days_from_civil and civil_from_days: eras of 400
 * years, each year counted from March so that February's length is last. */
long date_day_number(date_ymd d)
{
    long y = d.year - (d.month <= 2);
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153L * (d.month + (d.month > 2 ? -3 : 9)) + 2) / 5 + d.day - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

date_ymd date_from_day_number(long n)
{
    n += 719468;
    long era = (n >= 0 ? n : n - 146096) / 146097;
    long doe = n - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    date_ymd d;
    d.day = (int)(doy - (153 * mp + 2) / 5 + 1);
    d.month = (int)(mp < 10 ? mp + 3 : mp - 9);
    d.year = (int)(yoe + era * 400 + (d.month <= 2));
    return d;
}

int date_weekday(date_ymd d)
{
    long w = (date_day_number(d) + 3) % 7; /* 1970-01-01 was a Thursday */
    return (int)(w < 0 ? w + 7 : w);
}

int date_two_digit_year(int yy)
{
    return yy < DATES_TWO_DIGIT_PIVOT ? 2000 + yy : 1900 + yy;
}

int date_two_digit_ok(int year)
{
    return year >= 1900 + DATES_TWO_DIGIT_PIVOT && year < 2000 + DATES_TWO_DIGIT_PIVOT;
}

const char *date_ordinal_suffix(int day)
{
    if (day % 100 >= 11 && day % 100 <= 13)
        return "th";
    switch (day % 10) {
    case 1: return "st";
    case 2: return "nd";
    case 3: return "rd";
    default: return "th";
    }
}

static int digits(const char *s, int n, int *v)
{
    *v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        *v = *v * 10 + (s[i] - '0');
    }
    return 0;
}

int date_parse_iso(const char *s, size_t n, date_ymd *d)
{
    date_ymd t;
    if (n != DATE_ISO_LEN || s[4] != '-' || s[7] != '-' || digits(s, 4, &t.year) < 0 ||
        digits(s + 5, 2, &t.month) < 0 || digits(s + 8, 2, &t.day) < 0 || !date_is_valid(t))
        return -1;
    *d = t;
    return 0;
}

void date_format_iso(date_ymd d, char out[DATE_ISO_LEN + 1])
{
    int v[3] = {d.year, d.month, d.day}, w[3] = {4, 2, 2}, k = 0;
    for (int i = 0; i < 3; i++) {
        if (i)
            out[k++] = '-';
        for (int j = w[i] - 1, x = v[i]; j >= 0; j--, x /= 10)
            out[k + j] = (char)('0' + x % 10);
        k += w[i];
    }
    out[k] = 0;
}

const char *dates_order_name(dates_order o)
{
    return o == DATES_ORDER_DMY ? "dmy" : o == DATES_ORDER_MDY ? "mdy" : "-";
}

/* ---- the families ---- */

/* The templates; each comes plain and with a weekday in front. */
enum {
    BASE_ISO,             /* 1979-05-03 */
    BASE_NUMERIC_YMD,     /* 1979/5/3, 1979.05.03, 19790503 */
    BASE_NUMERIC_DMY,     /* 03/05/1979, 3.5.79, 3-5-1979, 03 05 79 */
    BASE_NUMERIC_MDY,     /* 05/03/1979, ... */
    BASE_DAY_MONTH_YEAR,  /* 3 May 1979, 03 Sept. '79 */
    BASE_DAY_MONTH_YEAR_COMPACT, /* 03-May-1979, 3/MAY/79, 03May79 */
    BASE_MONTH_DAY_YEAR,  /* May 3, 1979 */
    BASE_YEAR_MONTH_DAY,  /* 1979 May 3, 1979-May-03 */
    BASE_ORDINAL_MONTH_YEAR, /* 3rd May 1979 */
    BASE_ORDINAL_OF,      /* the 3rd of May, 1979 */
    BASE_MONTH_ORDINAL_YEAR, /* May 3rd, 1979 */
    BASE_MONTH_THE_ORDINAL,  /* May the 3rd, 1979 */
    NBASES
};

static const char *const format_names[DATES_NFORMATS] = {
    "iso", "numeric-ymd", "numeric-dmy", "numeric-mdy", "day-month-name-year",
    "day-month-name-year-compact", "month-name-day-year", "year-month-name-day",
    "ordinal-month-name-year", "ordinal-of", "month-name-ordinal-year", "month-name-the-ordinal",
    "weekday-iso", "weekday-numeric-ymd", "weekday-numeric-dmy", "weekday-numeric-mdy",
    "weekday-day-month-name-year", "weekday-day-month-name-year-compact",
    "weekday-month-name-day-year", "weekday-year-month-name-day", "weekday-ordinal-month-name-year",
    "weekday-ordinal-of", "weekday-month-name-ordinal-year", "weekday-month-name-the-ordinal",
};

static const char *const format_examples[DATES_NFORMATS] = {
    "1979-05-03", "1979/5/3", "03/05/1979", "05/03/1979", "3 May 1979", "03-May-79",
    "May 3, 1979", "1979 May 3", "3rd May 1979", "the 3rd of May 1979", "May 3rd, 1979",
    "May the 3rd, 1979",
    "Thu 1979-05-03", "Thu 1979.05.03", "Thu 3.5.79", "Thu 5/3/79", "Thursday, 3 May 1979",
    "Thu 03-MAY-1979", "Thursday, May 3, 1979", "Thu 1979-May-03", "Thu 3rd May 1979",
    "Thursday the 3rd of May 1979", "Thu, May 3rd, 1979", "Thursday, May the 3rd 79",
};

typedef char format_tables_match[NBASES * 2 == DATES_NFORMATS ? 1 : -1];

const char *dates_format_name(int format)
{
    return format >= 0 && format < DATES_NFORMATS ? format_names[format] : NULL;
}

const char *dates_format_example(int format)
{
    return format >= 0 && format < DATES_NFORMATS ? format_examples[format] : NULL;
}

int dates_format_find(const char *s, size_t n)
{
    for (int f = 0; f < DATES_NFORMATS; f++)
        if (strlen(format_names[f]) == n && memcmp(format_names[f], s, n) == 0)
            return f;
    return -1;
}

dates_order dates_format_order(int format)
{
    int base = format % NBASES;
    return base == BASE_NUMERIC_DMY ? DATES_ORDER_DMY
           : base == BASE_NUMERIC_MDY ? DATES_ORDER_MDY : DATES_ORDER_NONE;
}

int dates_formats_for(int conventions, int *out)
{
    int n = 0;
    for (int f = 0; f < DATES_NFORMATS; f++) {
        dates_order o = dates_format_order(f);
        if ((o == DATES_ORDER_DMY && !(conventions & DATES_DMY)) ||
            (o == DATES_ORDER_MDY && !(conventions & DATES_MDY)))
            continue;
        out[n++] = f;
    }
    return n;
}

/* ---- writing one date ---- */

static const char *const month_full[13] = {
    "", "January", "February", "March", "April", "May", "June", "July", "August",
    "September", "October", "November", "December",
};
static const char *const month_abbr[13] = {
    "", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
};
static const char *const weekday_full[7] = {
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
};
static const char *const weekday_abbr[7] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};

/* A string under construction; every choice goes through pick(), whose
 * choice 0 is always the shortest, so that without an rng the writer
 * produces the shortest plain form. */
typedef struct {
    rng *r;
    int n;
    char s[96];
} writer;

static int pick(writer *w, int n)
{
    return w->r ? (int)rng_below(w->r, (uint64_t)n) : 0;
}

static void put(writer *w, const char *s)
{
    size_t k = strlen(s);
    if (w->n + k < sizeof w->s) {
        memcpy(w->s + w->n, s, k);
        w->n += (int)k;
    }
}

static void put_char(writer *w, char c)
{
    if (w->n + 1 < (int)sizeof w->s)
        w->s[w->n++] = c;
}

static void put_number(writer *w, int v, int width)
{
    char b[8];
    int k = 0;
    do {
        b[k++] = (char)('0' + v % 10);
        v /= 10;
    } while (v || k < width);
    while (k)
        put_char(w, b[--k]);
}

/* Two digits when the year allows it and the draw says so, else four;
 * with apostrophe also "'79". */
static void put_year(writer *w, int year, int apostrophe)
{
    if (!date_two_digit_ok(year)) {
        put_number(w, year, 4);
        return;
    }
    int k = pick(w, apostrophe ? 4 : 2);
    if (k == 0) {
        put_number(w, year % 100, 2);
    } else if (k == 1 && apostrophe) {
        put_char(w, '\'');
        put_number(w, year % 100, 2);
    } else {
        put_number(w, year, 4);
    }
}

/* "Sep", "Sept", "September", and with period_ok also "Sep." and "Sept."
 * ("May" never takes a period). */
static void put_month(writer *w, int m, int period_ok)
{
    int k = pick(w, period_ok ? 3 : 2);
    if (k == 1) {
        put(w, month_full[m]);
        return;
    }
    put(w, m == 9 && pick(w, 2) ? "Sept" : month_abbr[m]);
    if (k == 2 && m != 5)
        put_char(w, '.');
}

/* "Thu", "Thu.", "Thur"/"Thurs" (and "Tues"), "Thursday", then a space or
 * a comma and a space. */
static void put_weekday(writer *w, int wd)
{
    int k = pick(w, 4);
    if (k == 3)
        put(w, weekday_full[wd]);
    else if (k == 2 && wd == 1)
        put(w, "Tues");
    else if (k == 2 && wd == 3)
        put(w, pick(w, 2) ? "Thurs" : "Thur");
    else
        put(w, weekday_abbr[wd]);
    if (k == 1) {
        put(w, ". ");
        return;
    }
    put(w, pick(w, 2) ? ", " : " ");
}

static void put_ordinal(writer *w, int day)
{
    put_number(w, day, 1);
    put(w, date_ordinal_suffix(day));
}

/* The day of a written-out date: "3", or sometimes "03". */
static void put_day(writer *w, int day)
{
    put_number(w, day, pick(w, 3) == 2 ? 2 : 1);
}

/* The day of a written-out date as an ordinal ("3rd") or as put_day. */
static void put_day_as(writer *w, int day, int ordinal)
{
    if (ordinal)
        put_ordinal(w, day);
    else
        put_day(w, day);
}

/* Optional comma, then a space and the year. */
static void put_comma_year(writer *w, int year)
{
    if (pick(w, 2))
        put_char(w, ',');
    put_char(w, ' ');
    put_year(w, year, 1);
}

/* Day and month of a numeric date: padded both (the most common), neither,
 * or only one of them. */
static void numeric_widths(writer *w, int *day_width, int *month_width)
{
    int k = pick(w, 10);
    *day_width = k >= 4 && k != 9 ? 2 : 1;
    *month_width = k >= 4 && k != 8 ? 2 : 1;
}

static void write_numeric(writer *w, date_ymd d, int month_first)
{
    static const char seps[] = "/.- ";
    char sep = seps[pick(w, 4)];
    int dw, mw;
    numeric_widths(w, &dw, &mw);
    put_number(w, month_first ? d.month : d.day, month_first ? mw : dw);
    put_char(w, sep);
    put_number(w, month_first ? d.day : d.month, month_first ? dw : mw);
    put_char(w, sep);
    if (date_two_digit_ok(d.year) && pick(w, 2) == 0)
        put_number(w, d.year % 100, 2);
    else
        put_number(w, d.year, 4);
}

static void write_base(writer *w, int base, date_ymd d, int title, int starts)
{
    switch (base) {
    case BASE_ISO: {
        char iso[DATE_ISO_LEN + 1];
        date_format_iso(d, iso);
        put(w, iso);
        break;
    }
    case BASE_NUMERIC_YMD: {
        static const char seps[] = "/. -";
        int k = pick(w, 5);
        if (k == 4) { /* 19790503 */
            put_number(w, d.year, 4);
            put_number(w, d.month, 2);
            put_number(w, d.day, 2);
            break;
        }
        int dw = 1, mw = 1;
        if (seps[k] != '-') /* 1979-05-03 would be the iso family */
            numeric_widths(w, &dw, &mw);
        put_number(w, d.year, 4);
        put_char(w, seps[k]);
        put_number(w, d.month, mw);
        put_char(w, seps[k]);
        put_number(w, d.day, dw);
        break;
    }
    case BASE_NUMERIC_DMY:
    case BASE_NUMERIC_MDY:
        write_numeric(w, d, base == BASE_NUMERIC_MDY);
        break;
    case BASE_DAY_MONTH_YEAR:
    case BASE_ORDINAL_MONTH_YEAR:
        put_day_as(w, d.day, base == BASE_ORDINAL_MONTH_YEAR);
        put_char(w, ' ');
        put_month(w, d.month, 1);
        put_comma_year(w, d.year);
        break;
    case BASE_DAY_MONTH_YEAR_COMPACT: {
        static const char *const seps[] = {"-", "/", ".", ""};
        const char *sep = seps[pick(w, 4)];
        put_number(w, d.day, pick(w, 2) ? 2 : 1);
        put(w, sep);
        if (*sep)
            put_month(w, d.month, 0);
        else
            put(w, month_abbr[d.month]);
        put(w, sep);
        put_year(w, d.year, 0);
        break;
    }
    case BASE_MONTH_DAY_YEAR:
    case BASE_MONTH_ORDINAL_YEAR:
        put_month(w, d.month, 1);
        put_char(w, ' ');
        put_day_as(w, d.day, base == BASE_MONTH_ORDINAL_YEAR);
        put_comma_year(w, d.year);
        break;
    case BASE_YEAR_MONTH_DAY: {
        static const char seps[] = " -/";
        char sep = seps[pick(w, 3)];
        put_number(w, d.year, 4);
        put_char(w, sep);
        put_month(w, d.month, sep == ' ');
        put_char(w, sep);
        put_day(w, d.day);
        break;
    }
    case BASE_ORDINAL_OF:
        if (pick(w, 2))
            put(w, starts && title && pick(w, 2) ? "The " : "the ");
        put_ordinal(w, d.day);
        put(w, " of ");
        put_month(w, d.month, 1);
        put_comma_year(w, d.year);
        break;
    case BASE_MONTH_THE_ORDINAL:
        put_month(w, d.month, 1);
        put(w, " the ");
        put_ordinal(w, d.day);
        put_comma_year(w, d.year);
        break;
    }
}

/* Now and then a stray space: one space doubled, or one or two spaces
 * before or after the date. */
static void stray_spaces(writer *w)
{
    if (pick(w, 10) != 9)
        return;
    int kind = pick(w, 3), spaces = 0;
    for (int i = 0; i < w->n; i++)
        spaces += w->s[i] == ' ';
    if (kind == 0 && spaces == 0)
        kind = 1;
    if (kind == 0) {
        int which = pick(w, spaces), at = 0;
        for (int i = 0; i < w->n; i++)
            if (w->s[i] == ' ' && which-- == 0) {
                at = i;
                break;
            }
        memmove(w->s + at + 1, w->s + at, (size_t)(w->n - at));
        w->n++;
    } else {
        int k = 1 + pick(w, 2);
        if (kind == 1) {
            memmove(w->s + k, w->s, (size_t)w->n);
            memset(w->s, ' ', (size_t)k);
        } else {
            memset(w->s + w->n, ' ', (size_t)k);
        }
        w->n += k;
    }
}

static void write_date(writer *w, int format, date_ymd d)
{
    w->n = 0;
    int casing = pick(w, 5); /* 0-2 as written (title), 3 lower, 4 upper */
    int weekday = format >= NBASES;
    if (weekday)
        put_weekday(w, date_weekday(d));
    write_base(w, format % NBASES, d, casing < 3, !weekday);
    for (int i = 0; i < w->n; i++) {
        char c = w->s[i];
        if (casing == 3 && c >= 'A' && c <= 'Z')
            w->s[i] = (char)(c - 'A' + 'a');
        else if (casing == 4 && c >= 'a' && c <= 'z')
            w->s[i] = (char)(c - 'a' + 'A');
    }
    stray_spaces(w);
}

#define RENDER_TRIES 64

int dates_render(rng *r, int format, date_ymd d, char *out)
{
    writer w;
    w.r = r;
    write_date(&w, format, d);
    for (int t = 1; t < RENDER_TRIES && w.n > DATES_HUMAN_MAX; t++)
        write_date(&w, format, d);
    if (w.n > DATES_HUMAN_MAX) {
        w.r = NULL;
        write_date(&w, format, d);
    }
    memcpy(out, w.s, (size_t)w.n);
    out[w.n] = 0;
    return w.n;
}

void dates_draw(rng *r, const int *formats, int nformats, dates_pair *p)
{
    date_ymd a = {DATES_FIRST_YEAR, 1, 1}, b = {DATES_LAST_YEAR, 12, 31};
    long first = date_day_number(a), span = date_day_number(b) - first + 1;
    p->format = formats[rng_below(r, (uint64_t)nformats)];
    p->order = dates_format_order(p->format);
    p->date = date_from_day_number(first + (long)rng_below(r, (uint64_t)span));
    date_format_iso(p->date, p->iso);
    p->len = dates_render(r, p->format, p->date, p->human);
}
