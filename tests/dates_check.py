#!/usr/bin/env python3
"""Check the pairs of `seqtool nmt dates --json` (one object per line on
standard input) with a parser of its own, Python's standard library only.

Every pair: the human string is at most 30 printable ASCII characters; the
ISO date is valid (datetime.date.fromisoformat) and within 1900-01-01 ..
2099-12-31; the human string, parsed by the template of its family (and,
for numeric dates, its declared order), gives back the ISO date; a
weekday is the date's true weekday; ordinal suffixes are right; two-digit
years follow 00-29 -> 20xx, 30-99 -> 19xx; "order" agrees with the family.
With --coverage, every family, spelling, case and stray-space variant
must also appear.  Prints "ok - ..." / "not ok - ..." lines.

usage: dates_check.py --conventions dmy|mdy|mixed [--coverage] [--families a,b]
"""
import argparse
import datetime
import json
import re
import sys

MONTHS = ["january", "february", "march", "april", "may", "june", "july",
          "august", "september", "october", "november", "december"]
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
BASES = ["iso", "numeric-ymd", "numeric-dmy", "numeric-mdy", "day-month-name-year",
         "day-month-name-year-compact", "month-name-day-year", "year-month-name-day",
         "ordinal-month-name-year", "ordinal-of", "month-name-ordinal-year",
         "month-name-the-ordinal"]
FAMILIES = BASES + ["weekday-" + b for b in BASES]


def month_forms():
    """Spelling (lower case) -> month number."""
    forms = {}
    for i, name in enumerate(MONTHS, 1):
        forms[name] = i
        forms[name[:3]] = i
        if name != "may":
            forms[name[:3] + "."] = i
    forms["sept"] = forms["sept."] = 9
    return forms


def weekday_forms():
    forms = {}
    for i, name in enumerate(WEEKDAYS):
        forms[name] = i
        forms[name[:3]] = i
        forms[name[:3] + "."] = i
    forms["tues"] = 1
    forms["thur"] = forms["thurs"] = 3
    return forms


MONTH_FORMS = month_forms()
WEEKDAY_FORMS = weekday_forms()

Y = r"('?\d{2}|\d{4})"
MON = r"([a-z]+\.?)"
ORD = r"(\d{1,2})(st|nd|rd|th)"
PATTERNS = {
    # name: (regex, group names in order)
    "iso": (r"(\d{4})-(\d{2})-(\d{2})", "y m d"),
    "numeric-ymd": (r"(\d{4})([/. -])(\d{1,2})\2(\d{1,2})", "y sep m d"),
    "numeric-ymd-compact": (r"(\d{4})(\d{2})(\d{2})", "y m d"),
    "numeric-dmy": (r"(\d{1,2})([/. -])(\d{1,2})\2(\d{2}|\d{4})", "d sep m y"),
    "numeric-mdy": (r"(\d{1,2})([/. -])(\d{1,2})\2(\d{2}|\d{4})", "m sep d y"),
    "day-month-name-year": (r"(\d{1,2}) " + MON + r"(,?) " + Y, "d mon comma y"),
    "day-month-name-year-compact": (r"(\d{1,2})([-/.]?)([a-z]+)\2(\d{2}|\d{4})", "d sep mon y"),
    "month-name-day-year": (MON + r" (\d{1,2})(,?) " + Y, "mon d comma y"),
    "year-month-name-day": (r"(\d{4})([ /-])" + MON + r"\2(\d{1,2})", "y sep mon d"),
    "ordinal-month-name-year": (ORD + " " + MON + r"(,?) " + Y, "d suf mon comma y"),
    "ordinal-of": (r"(the )?" + ORD + " of " + MON + r"(,?) " + Y, "the d suf mon comma y"),
    "month-name-ordinal-year": (MON + " " + ORD + r"(,?) " + Y, "mon d suf comma y"),
    "month-name-the-ordinal": (MON + " the " + ORD + r"(,?) " + Y, "mon d suf comma y"),
}


def suffix(day):
    if 11 <= day % 100 <= 13:
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")


class Checker:
    def __init__(self, conventions, families):
        self.conventions = conventions
        self.families = families
        self.n = 0
        self.errors = {}
        self.seen = {}

    def bad(self, what, line):
        self.errors.setdefault(what, []).append(line)

    def saw(self, kind, value):
        self.seen.setdefault(kind, {}).setdefault(value, 0)
        self.seen[kind][value] += 1

    def year(self, text, pair):
        if len(text.lstrip("'")) == 2:
            yy = int(text.lstrip("'"))
            self.saw("year", "apostrophe" if text[0] == "'" else "two digits")
            return 2000 + yy if yy < 30 else 1900 + yy
        self.saw("year", "four digits")
        return int(text)

    def month(self, text, pair):
        if text not in MONTH_FORMS:
            self.bad("a month spelled wrong (e.g. 'May.')", pair)
            return None
        self.saw("month", text)
        return MONTH_FORMS[text]

    def pair(self, line):
        self.n += 1
        try:
            p = json.loads(line)
        except ValueError:
            self.bad("a line that is not JSON", line)
            return
        if set(p) != {"human", "iso", "format", "order"}:
            self.bad("keys other than human, iso, format, order", line)
            return
        human, iso, family, order = p["human"], p["iso"], p["format"], p["order"]
        self.saw("family", family)
        if not (0 < len(human) <= 30) or any(not (" " <= c <= "~") for c in human):
            self.bad("a human string longer than 30 characters or not printable ASCII", line)
        try:
            date = datetime.date.fromisoformat(iso)
            assert len(iso) == 10 and datetime.date(1900, 1, 1) <= date <= datetime.date(2099, 12, 31)
        except (ValueError, AssertionError):
            self.bad("an ISO date that is invalid or outside 1900-2099", line)
            return
        self.saw("decade", date.year // 10 * 10)
        if (date.month, date.day) == (2, 29):
            self.saw("leap day", 1)
        if family not in self.families:
            self.bad("a family not asked for", line)
            return
        base = family[8:] if family.startswith("weekday-") else family
        want_order = {"numeric-dmy": "dmy", "numeric-mdy": "mdy"}.get(base)
        if order != want_order:
            self.bad("an order that does not match the family", line)
        # stray spaces and case
        if human != human.lstrip():
            self.saw("stray", "leading")
        if human != human.rstrip():
            self.saw("stray", "trailing")
        if "  " in human.strip():
            self.saw("stray", "doubled")
        letters = [c for c in human if c.isalpha()]
        if letters:
            self.saw("case", "upper" if all(c.isupper() for c in letters)
                     else "lower" if all(c.islower() for c in letters) else "title")
        text = " ".join(human.lower().split())
        if family.startswith("weekday-"):
            m = re.fullmatch(r"([a-z]+\.?)(,?) (.*)", text)
            if not m or m.group(1) not in WEEKDAY_FORMS:
                self.bad("a weekday that cannot be read", line)
                return
            self.saw("weekday", m.group(1))
            if WEEKDAY_FORMS[m.group(1)] != date.weekday():
                self.bad("a weekday that is not the date's", line)
            text = m.group(3)
        regex, names = PATTERNS[base]
        m = re.fullmatch(regex, text)
        if not m and base == "numeric-ymd":
            regex, names = PATTERNS["numeric-ymd-compact"]
            m = re.fullmatch(regex, text)
            if m:
                self.saw("numeric-ymd", "compact")
        if not m:
            self.bad("a human string that does not match its family's template", line)
            return
        g = dict(zip(names.split(), m.groups()))
        y = self.year(g["y"], line)
        mo = self.month(g["mon"], line) if "mon" in g else int(g["m"])
        d = int(g["d"])
        if mo is None:
            return
        if "suf" in g:
            self.saw("ordinal", str(d) + g["suf"])
            if g["suf"] != suffix(d):
                self.bad("a wrong ordinal suffix", line)
        if g.get("sep") is not None and base.startswith("numeric"):
            self.saw("separator", g["sep"])
            self.saw("day digits", len(g["d"]))
            self.saw("month digits", len(g["m"]))
        if g.get("comma"):
            self.saw("comma", base)
        if g.get("the"):
            self.saw("the", 1)
        if len(g["y"].lstrip("'")) == 2 and not 1930 <= date.year <= 2029:
            self.bad("a two-digit year for a year outside 1930-2029", line)
        try:
            back = datetime.date(y, mo, d)
        except ValueError:
            self.bad("a human string that is no valid date under its order", line)
            return
        if back != date:
            self.bad("a human string that reads as another date", line)

    def report(self, coverage):
        def result(ok, what):
            print(("ok - " if ok else "not ok - ") + what)

        for what, lines in sorted(self.errors.items()):
            result(False, "%s: %d of %d, e.g. %s" % (what, len(lines), self.n, lines[0].strip()))
        result(not self.errors, "%d pairs (%s): at most 30 ASCII characters, valid ISO dates in range, each "
               "reads back to its ISO date (weekday, ordinal, two-digit year, order all right)"
               % (self.n, self.conventions))
        if not coverage:
            return
        missing = []

        def need(kind, values):
            got = self.seen.get(kind, {})
            missing.extend("%s %s" % (kind, v) for v in values if v not in got)

        need("family", self.families)
        need("month", sorted(MONTH_FORMS))
        need("weekday", sorted(WEEKDAY_FORMS))
        need("case", ["title", "lower", "upper"])
        need("stray", ["leading", "trailing", "doubled"])
        need("year", ["two digits", "four digits", "apostrophe"])
        need("separator", ["/", ".", "-", " "])
        need("day digits", [1, 2])
        need("month digits", [1, 2])
        need("ordinal", ["1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd",
                         "23rd", "31st"])
        need("numeric-ymd", ["compact"])
        need("comma", ["day-month-name-year", "month-name-day-year", "ordinal-of"])
        need("the", [1])
        need("leap day", [1])
        need("decade", list(range(1900, 2100, 10)))
        result(not missing, "coverage over %d pairs: every family, month and weekday spelling, case, "
               "stray space, year form, separator, padding, tricky ordinal, comma, leap day and decade%s"
               % (self.n, ": missing " + ", ".join(missing) if missing else ""))
        decades = self.seen.get("decade", {})
        expect = self.n / 20
        even = all(abs(c - expect) < 0.25 * expect + 30 for c in decades.values())
        result(even, "dates spread evenly over the 20 decades (%d to %d per decade, %.0f expected)"
               % (min(decades.values()), max(decades.values()), expect))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--conventions", choices=["dmy", "mdy", "mixed"], required=True)
    ap.add_argument("--coverage", action="store_true")
    ap.add_argument("--families")
    a = ap.parse_args()
    if a.families:
        families = a.families.split(",")
    else:
        drop = {"dmy": "numeric-mdy", "mdy": "numeric-dmy", "mixed": None}[a.conventions]
        families = [f for f in FAMILIES if not (drop and f.endswith(drop))]
    c = Checker(a.conventions, families)
    for line in sys.stdin:
        c.pair(line)
    c.report(a.coverage)


if __name__ == "__main__":
    main()
