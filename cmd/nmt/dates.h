/* dates — the calendar (proleptic Gregorian) and a generator of dates as
 * people write them, paired with their ISO form, for `seqtool nmt`.
 *
 * Calendar functions are pure and take any year from 1 to 9999.  The
 * generator draws every random choice from the rng it is given: a date
 * uniformly from 1900-01-01 .. 2099-12-31, then a family of templates
 * ("format") and the variants of that family (month spelling, padding,
 * separators, commas, case, stray spaces), at most DATES_HUMAN_MAX
 * characters in all.
 *
 * Two-digit years: 00-29 are 2000-2029, 30-99 are 1930-1999; a date of
 * another year is always written with four digits.  Purely numeric dates
 * are written either day-first (dmy) or month-first (mdy): the family
 * says which, and every pair carries it (dates_order), so that a model can
 * take the convention as an input.
 */
#ifndef SEQTOOL_DATES_H
#define SEQTOOL_DATES_H

#include <stddef.h>

#include "rng.h"

#define DATES_HUMAN_MAX 30      /* longest human string (the model's Tx) */
#define DATES_FIRST_YEAR 1900   /* generated dates: 1900-01-01 .. */
#define DATES_LAST_YEAR 2099    /* .. 2099-12-31 */
#define DATES_TWO_DIGIT_PIVOT 30 /* yy < 30: 20yy, otherwise 19yy */
#define DATE_ISO_LEN 10          /* "YYYY-MM-DD" */

typedef struct {
    int year, month, day;
} date_ymd;

int date_is_leap_year(int year);
/* Days in month 1..12 of year; 0 for any other month. */
int date_days_in_month(int year, int month);
/* 1 when year is 1..9999, month 1..12 and day a day of that month. */
int date_is_valid(date_ymd d);
/* 1 when d is valid and within DATES_FIRST_YEAR-01-01 .. DATES_LAST_YEAR-12-31. */
int date_in_range(date_ymd d);
/* Days since 1970-01-01 (negative before it), and back. */
long date_day_number(date_ymd d);
date_ymd date_from_day_number(long n);
/* 0 Monday, 1 Tuesday, ... 6 Sunday. */
int date_weekday(date_ymd d);
/* The year a two-digit year yy (0..99) stands for. */
int date_two_digit_year(int yy);
/* 1 when year can be written with two digits and read back. */
int date_two_digit_ok(int year);
/* "st", "nd", "rd" or "th" for a day of the month (11th, 12th, 13th). */
const char *date_ordinal_suffix(int day);

/* s[0..n) as an ISO date "YYYY-MM-DD" (exactly ten characters, digits and
 * two hyphens) of a valid calendar date: 0 and *d set, else -1. */
int date_parse_iso(const char *s, size_t n, date_ymd *d);
/* Writes the ten characters and a NUL. */
void date_format_iso(date_ymd d, char out[DATE_ISO_LEN + 1]);

/* The convention a numeric date is written in. */
typedef enum { DATES_ORDER_NONE, DATES_ORDER_DMY, DATES_ORDER_MDY } dates_order;
/* "-", "dmy", "mdy". */
const char *dates_order_name(dates_order o);

/* The families of templates ("formats"), 0 .. DATES_NFORMATS-1. */
#define DATES_NFORMATS 24
const char *dates_format_name(int format);
/* The family named s[0..n), or -1. */
int dates_format_find(const char *s, size_t n);
/* DATES_ORDER_DMY or _MDY for the purely numeric day/month families,
 * DATES_ORDER_NONE for the rest (unambiguous whatever the convention). */
dates_order dates_format_order(int format);
/* An example of the family (1979-05-03, a Thursday). */
const char *dates_format_example(int format);

/* Conventions, as bits. */
#define DATES_DMY 1
#define DATES_MDY 2
/* The families allowed under the conventions (DATES_DMY, DATES_MDY or
 * both): every family except the numeric ones of a convention not asked
 * for.  Writes their indices to out (DATES_NFORMATS room); the count. */
int dates_formats_for(int conventions, int *out);

typedef struct {
    char human[DATES_HUMAN_MAX + 1];
    char iso[DATE_ISO_LEN + 1];
    date_ymd date;
    int format;
    dates_order order;
    int len;          /* strlen(human) */
} dates_pair;

/* One pair: a family drawn uniformly from formats[0..nformats), a date
 * uniformly from the range, then the family's variants. */
void dates_draw(rng *r, const int *formats, int nformats, dates_pair *p);

/* Write date d in family format into out (DATES_HUMAN_MAX + 1 bytes room);
 * returns the length.  Variants are drawn from r; one longer than
 * DATES_HUMAN_MAX is drawn again (at most 64 times, then the shortest is
 * written).  With r NULL, the shortest variant of the family. */
int dates_render(rng *r, int format, date_ymd d, char *out);

#endif
