"""Publication date of an article: from its source's metadata, its datelines, else reasoned from its own dated text."""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass

from storyline.model import DocMeta, Published

_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")


def iso_date(value: str | None) -> str | None:
    """The calendar date of an ISO date or datetime string, or None when it is not one."""
    if not value:
        return None
    m = _ISO.match(value.strip())
    if not m:
        return None
    try:
        return dt.date(int(m[1]), int(m[2]), int(m[3])).isoformat()
    except ValueError:
        return None


_MONTHS = {m: i for i, names in enumerate(
    [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",), ("jun", "june"),
     ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
     ("dec", "december")], start=1) for m in names}
_MONTH = r"(?P<mon>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>\d{4})"
_DATELINE_FORMS = [
    re.compile(_DAY + r"\s+" + _MONTH + r",?\s+" + _YEAR, re.I),  # 09 December 2021
    re.compile(_MONTH + r"\s+" + _DAY + r",?\s+" + _YEAR, re.I),  # December 9, 2021
    re.compile(r"(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})"),  # 2021-12-09
    re.compile(r"(?P<day>\d{1,2})\.(?P<month>\d{1,2})\.(?P<year>\d{4})"),  # 09.12.2021 (day first)
    # 2021/12/09, as a web address's path writes the day a page went up (htmldate reads it the same way)
    re.compile(r"(?<![0-9])(?P<year>(?:19|20)\d{2})/(?P<month>\d{1,2})/(?P<day>\d{1,2})(?![0-9])"),
]


_SPACED_BEFORE = re.compile(r"(?<=\d)\s+(?=[,.:/-]\s*\d)|\s+(?=,)")  # "13 , 2013" "2012 - 04": the space before
_SPACED_AFTER = re.compile(r"(?<=\d[.:/-])\s+(?=\d)")  # then "2012- 04": the space after


def parse_dateline(text: str) -> str | None:
    """A full calendar date written out in a dateline ('09 December 2021', 'Dec. 9, 2021, 10:30'); punctuation
    set apart by spaces, as tokenised text has it ('Dec . 9 , 2021'), is read as written together."""
    text = _SPACED_AFTER.sub("", _SPACED_BEFORE.sub("", text))
    for form in _DATELINE_FORMS:
        m = form.search(text)
        if not m:
            continue
        g = m.groupdict()
        month = _MONTHS[g["mon"].casefold()] if g.get("mon") else int(g["month"])
        try:
            return dt.date(int(g["year"]), month, int(g["day"])).isoformat()
        except ValueError:
            return None  # "30 February 2021": not a date
    return None


def publication(
    meta: DocMeta, datelines: list[str], text: str = "", captions: list[str] | None = None,
    later_dates: list[str] | None = None,
) -> Published:
    """When the article was published, as a date and/or the bounds its evidence allows.

    Metadata dates (htmldate, JSONL, feeds) and full-date datelines give the date. A web-archive
    capture date is only an upper bound, and so is a date line after the body began (a
    correction's or an update's date). Otherwise the article's own time expressions are
    reasoned over (`infer_from_text`). A date the article's own text contradicts (a dated past
    event after it) is not reported as the date.
    """
    latest = iso_date(meta.capture_date)
    latest_why = f"web-archive capture date {meta.capture_date}"
    for line in later_dates or []:
        d = parse_dateline(line)
        if d and (not latest or d < latest):
            latest, latest_why = d, f"dated note after the body {line!r}"
    text_bounds, floor = _infer(text, captions or [], latest) if (text or captions) else (None, None)
    date = iso_date(meta.published)
    if date:
        source = f"{meta.published_source or 'source'} metadata: {meta.published}"
        if floor and text_bounds and date < floor:
            return Published(None, floor, latest, f"{source} is contradicted by the text: {text_bounds.evidence}")
        return Published(date, date, date if not latest or date <= latest else latest, source)
    for line in datelines:
        d = parse_dateline(line)
        if d and (not latest or d <= latest) and not (floor and d < floor):
            return Published(d, d, d, f"dateline: {line!r}")
    if text_bounds and (text_bounds.earliest or text_bounds.latest):
        return text_bounds
    if latest:
        return Published(None, None, latest, f"{latest_why} (upper bound)")
    return Published()


# ---------------------------------------------------------------------------------------------
# Reasoning over the article's own time expressions

_FULL = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?(?:T.*)?$")
_WEEK = re.compile(r"^(\d{4})-W(\d{2})(?:-(WE|[1-7]))?$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_HALF = re.compile(r"^(\d{4})-H([12])$")
_SEASON = re.compile(r"^(\d{4})-(SP|SU|FA|WI)$")
_SEASON_MONTHS = {"SP": (3, 5), "SU": (6, 8), "FA": (9, 11), "WI": (12, 14)}  # winter runs into the next year
_MONTHDAY = re.compile(r"^XXXX-(\d{2})(?:-(\d{2}))?(?:T.*)?$")
_WEEKDAY = re.compile(r"^XXXX-WXX-([1-7])(?:T.*)?$")  # 'Friday night' is XXXX-WXX-5TNI
_MIN_YEAR, _MAX_YEAR = 1000, 2999
# A date after these is a deadline, a range's end or a plan ("by 2030", "between 2026 and 2029"),
# not something that has happened.
_NOT_HAPPENED = re.compile(
    r"\b(?:by|until|till|before|through|to|between|and|or|from|ahead\s+of|no\s+later\s+than)\s+"
    r"(?:(?:the\s+)?(?:end|start|beginning|middle)\s+of\s+)?$",
    re.I,
)
# A year used as a modifier ("the 2016 candidates", "his 2013 amendments") names no event.
_MODIFIER = re.compile(r"\b(?:the|a|an|his|her|its|their|our|your|my|this|that|whose|fiscal)\s+$|['’]s\s+$", re.I)


def _month_end(year: int, month: int) -> dt.date:
    while month > 12:
        year, month = year + 1, month - 12
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


@functools.lru_cache(maxsize=100_000)  # a story's events compare the same few date values millions of times
def period(value: str | None) -> tuple[dt.date, dt.date] | None:
    """The first and last day a calendar TIMEX3 value covers: '2017', '2017-09', '2017-09-12T10:00',
    '2017-W37' (its weekend '-WE', a day '-2'), '2017-Q3', '2017-H1', '2017-FA' (winter runs into the
    next year), a decade '198', a century '19', a span of two of them '1997/1998'. None for values with
    no place on the calendar ('XXXX-09', 'PRESENT_REF', durations) and for nonsense."""
    if not value:
        return None
    try:
        if "/" in value:
            a, _, b = value.partition("/")
            pa, pb = period(a), period(b)
            return (pa[0], pb[1]) if pa and pb and pa[0] <= pb[1] else None
        m = _FULL.match(value)
        if m:
            y = int(m[1])
            if not _MIN_YEAR <= y <= _MAX_YEAR:
                return None
            if m[3]:
                d = dt.date(y, int(m[2]), int(m[3]))
                return d, d
            if m[2]:
                return dt.date(y, int(m[2]), 1), _month_end(y, int(m[2]))
            return dt.date(y, 1, 1), dt.date(y, 12, 31)
        if m := _WEEK.match(value):
            y, w = int(m[1]), int(m[2])
            if m[3] == "WE":
                return dt.date.fromisocalendar(y, w, 6), dt.date.fromisocalendar(y, w, 7)
            if m[3]:
                d = dt.date.fromisocalendar(y, w, int(m[3]))
                return d, d
            start = dt.date.fromisocalendar(y, w, 1)
            return start, start + dt.timedelta(days=6)
        if m := _QUARTER.match(value):
            q = int(m[2])
            return dt.date(int(m[1]), 3 * q - 2, 1), _month_end(int(m[1]), 3 * q)
        if m := _HALF.match(value):
            h = int(m[2])
            return dt.date(int(m[1]), 6 * h - 5, 1), _month_end(int(m[1]), 6 * h)
        if m := _SEASON.match(value):
            first, last = _SEASON_MONTHS[m[2]]
            return dt.date(int(m[1]), first, 1), _month_end(int(m[1]), last)
        if re.fullmatch(r"\d{3}", value) and _MIN_YEAR <= int(value) * 10:  # a decade: 198 → the 1980s
            return dt.date(int(value) * 10, 1, 1), dt.date(int(value) * 10 + 9, 12, 31)
        if re.fullmatch(r"\d{2}", value) and _MIN_YEAR <= int(value) * 100:  # a century: 19 → 1900–1999
            return dt.date(int(value) * 100, 1, 1), dt.date(int(value) * 100 + 99, 12, 31)
    except ValueError:
        return None
    return None


@dataclass
class _Yearless:
    """A date the text gives without its year ('On April 16', 'scheduled for May 3'), and its tense."""

    month: int
    day: int | None
    future: bool
    text: str

    def window(self, year: int) -> tuple[dt.date, dt.date] | None:
        """Publication dates this mention allows in `year`. News writes dates of the publication
        year without the year (and others with it), so the date falls in `year`: a past one
        on or before publication, a future one on or after it."""
        try:
            if self.day:
                first = last = dt.date(year, self.month, self.day)
            else:
                first, last = dt.date(year, self.month, 1), _month_end(year, self.month)
        except ValueError:  # 29 February of a common year
            return None
        return (dt.date(year, 1, 1), last) if self.future else (first, dt.date(year, 12, 31))


def _iso(d: dt.date | None) -> str | None:
    return d.isoformat() if d else None


def infer_from_text(text: str, captions: list[str], latest: str | None = None) -> Published:
    """Bounds (and, where the evidence pins it, the day) of publication from the article's own text;
    see `_infer` for the rules."""
    return _infer(text, captions, latest)[0]


def _infer(text: str, captions: list[str], latest: str | None) -> tuple[Published, str | None]:
    """Bounds (and, where the evidence pins it, the day) of publication from the article's own
    time expressions, tagged without an anchor:

    - a dated past event (or a dated photo caption) means published on or after its first day;
      a dated future one ("expected in 2020") on or before its last day;
    - year-less dates ("On April 16" past, "scheduled for May 3" future) are in the publication
      year; that year is the earliest one the dated events allow (the text gave older events
      their year), and the bounds narrow to what the year-less dates allow in it;
    - when the latest dated event is a day the text names by its weekday ("remarks published
      on Sunday" beside a caption dated Sunday, November 24), the article reports that day's
      news: that day is the date, the bounds the week the weekday allows.
    Where only bounds are known `date` stays None. Also returns the hard floor: the latest dated
    past event alone (what metadata must not contradict), without the year-less window's guess.
    """
    from storyline.nlp.timex import tag

    lower: tuple[dt.date, str, int, bool] | None = None  # (first day, evidence, days it spans, from a caption)
    upper: tuple[dt.date, str] | None = (dt.date.fromisoformat(latest), f"upper bound {latest}") if latest else None
    yearless: list[_Yearless] = []
    weekdays: list[tuple[int, str]] = []  # past weekday references: (isoweekday, text)
    for chunk, is_caption in [(text, False)] + [(c, True) for c in captions]:
        if not chunk:
            continue
        for t in tag(chunk):
            if t.type not in ("DATE", "TIME") or t.mod in ("BEFORE", "AFTER", "ON_OR_AFTER", "ON_OR_BEFORE"):
                continue
            before = chunk[max(0, t.span[0] - 40) : t.span[0]]
            future = t.tense == "future" and not is_caption
            happened = is_caption or (t.tense == "past" and not _NOT_HAPPENED.search(before))
            if not t.anchored:
                p = period(t.value)
                if not p:
                    continue
                span_days = (p[1] - p[0]).days
                if future:
                    # a future year ("expected in 2020") is too often a misread tense to bound anything
                    if span_days < 31 and (upper is None or p[1] < upper[0]):
                        upper = (p[1], f"future {t.text!r}")
                elif happened and (lower is None or p[0] > lower[0]):
                    # a bare year ("in 2016") is too often a plan or a modifier with a misread tense
                    if span_days > 300 or _MODIFIER.search(before):
                        continue
                    lower = (p[0], ("caption " if is_caption else "") + repr(t.text), span_days, is_caption)
            elif (m := _MONTHDAY.match(t.value)) and (future or happened):
                yearless.append(_Yearless(int(m[1]), int(m[2]) if m[2] else None, future, t.text))
            elif (m := _WEEKDAY.match(t.value)) and happened and t.type == "DATE":
                weekdays.append((int(m[1]), t.text))
    if not lower and not upper:
        return Published(), None
    floor = lower[0].isoformat() if lower else None
    lo = lower[0] if lower else None
    hi = upper[0] if upper else None
    evidence = [f"not before {lower[0]} ({lower[1]})"] if lower else []
    if upper:
        if lo and upper[0] < lo:  # a future tense misread, or the text contradicts itself: keep the past
            hi = None
        else:
            evidence.append(f"not after {upper[0]} ({upper[1]})")
    two_sided = any(y.day and y.future for y in yearless) and any(y.day and not y.future for y in yearless)
    if yearless and lower and lo and lower[2] < 31 and two_sided:
        for year in range(lo.year, (hi.year if hi else lo.year + 2) + 1):
            a, b = max(lo, dt.date(year, 1, 1)), min(hi, dt.date(year, 12, 31)) if hi else dt.date(year, 12, 31)
            for y in yearless:
                w = y.window(year)
                if w is None:
                    a = b + dt.timedelta(days=1)
                    break
                a, b = max(a, w[0]), min(b, w[1])
            if a <= b:
                lo, hi = a, b
                evidence.append("year-less " + ", ".join(repr(y.text) for y in yearless)
                                + f" taken in {year}, the earliest year the dated events allow")
                break
    date = None
    if lower and lower[2] == 0 and lower[3] and lo == lower[0]:
        for wd, wtext in weekdays:
            if lo.isoweekday() == wd:
                date = lo
                week_end = lo + dt.timedelta(days=6)
                hi = week_end if hi is None or week_end < hi else hi
                evidence.append(f"{wtext!r} names the weekday of {lo}, the date of its photo caption: the article reports that day")
                break
    return Published(_iso(date), _iso(lo), _iso(hi), "; ".join(evidence)), floor
