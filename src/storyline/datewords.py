"""Dates in words for people: TIMEX3 values ('2017-FA' → 'fall 2017'), spans, bounds ('on or after 12 July 2019').

    in_words(value) -> str            a TIMEX3 value, a span 'A/B', or bounds 'A…B' ('A…', '…B')
    bounds_in_words(earliest, latest) a date known only between two days, or on one side of one
    published_in_words(published)     an article's publication: its date, else its bounds

The value itself (what JSON and the API keep) is never changed here; this is only how it reads.
A bound never reads as a day: 'on or after 12 July 2019', not '2019-07-12'. Values this module
cannot read come back as they are.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from typing import Any

__all__ = ["in_words", "bounds_in_words", "published_in_words"]

_SEASONS = {"SP": "spring", "SU": "summer", "FA": "fall", "WI": "winter"}
_ORDINAL_WORDS = {1: "first", 2: "second", 3: "third", 4: "fourth"}
_PARTS = {"MO": "morning", "AF": "afternoon", "EV": "evening", "NI": "night", "DT": "daytime"}
_REFS = {"PRESENT_REF": "at the time", "PAST_REF": "in the past", "FUTURE_REF": "in the future"}
_UNITS = {"Y": "year", "M": "month", "W": "week", "D": "day", "H": "hour", "S": "second", "Q": "quarter",
          "DE": "decade", "CE": "century", "WE": "weekend"}
_TIME_UNITS = {"H": "hour", "M": "minute", "S": "second"}

_DAY = re.compile(r"^(\d{4}|XXXX)-(\d{2}|XX)-(\d{2}|XX)(?:T(.+))?$")
_MONTH = re.compile(r"^(\d{4}|XXXX)-(\d{2}|XX)$")
_YEAR = re.compile(r"^(\d{4}|XXXX)$")
_PART = re.compile(r"^(\d{4}|XXXX)-(SP|SU|FA|WI|Q[1-4X]|H[12X])$")
_WEEK = re.compile(r"^(\d{4}|XXXX)-W(\d{2}|XX)(?:-(WE|[1-7]))?(?:T(.+))?$")
_DURATION = re.compile(r"^P(?:(?P<date>(?:[\dX.]+(?:Y|M|W|D|DE|CE|WE|Q))+))?(?:T(?P<time>(?:[\dX.]+[HMS])+))?$")


def _ordinal(n: int) -> str:
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


def _month_name(m: int) -> str:
    return calendar.month_name[m]


def _day(d: dt.date) -> str:
    return f"{d.day} {_month_name(d.month)} {d.year}"


def _clock(t: str) -> str | None:
    """'15:00' → '15:00', 'NI' → 'night'; None when it is neither."""
    if t in _PARTS:
        return _PARTS[t]
    m = re.match(r"^(\d{2}):(\d{2})", t)
    return f"{m[1]}:{m[2]}" if m else None


def _with_time(day: str, t: str | None) -> str:
    if not t:
        return day
    c = _clock(t)
    if c is None:
        return day
    return f"the {c} of {day}" if t in _PARTS else f"{day}, {c}"


def _point(v: str) -> str | None:
    """One TIMEX3 point value in words, or None when it is not one this module reads."""
    if v in _REFS:
        return _REFS[v]
    if m := _DAY.match(v):
        y, mo, d, t = m[1], m[2], m[3], m[4]
        if mo == "XX":
            return _with_time(f"a day in {y}" if y != "XXXX" else "a day", t)
        if not 1 <= int(mo) <= 12:
            return None
        month = _month_name(int(mo))
        if d == "XX":
            return _with_time(f"a day in {month} {y}" if y != "XXXX" else f"a day in {month}", t)
        if y == "XXXX":
            return _with_time(f"{int(d)} {month} (year not given)", t)
        try:
            return _with_time(_day(dt.date(int(y), int(mo), int(d))), t)
        except ValueError:
            return None
    if m := _MONTH.match(v):
        y, mo = m[1], m[2]
        if mo == "XX":
            return f"a month in {y}" if y != "XXXX" else "a month"
        if not 1 <= int(mo) <= 12:
            return None
        return f"{_month_name(int(mo))} {y}" if y != "XXXX" else f"{_month_name(int(mo))} (year not given)"
    if m := _YEAR.match(v):
        return v if v != "XXXX" else "a year"
    if m := _PART.match(v):
        y, part = m[1], m[2]
        if part in _SEASONS:
            if y == "XXXX":
                return f"{_SEASONS[part]} (year not given)"
            return f"winter {y}–{(int(y) + 1) % 100:02d}" if part == "WI" else f"{_SEASONS[part]} {y}"
        if part[1] == "X":
            name = "a quarter" if part[0] == "Q" else "a half year"
        else:
            name = f"the {_ORDINAL_WORDS[int(part[1])]} {'quarter' if part[0] == 'Q' else 'half'}"
        return f"{name} of {y}" if y != "XXXX" else f"{name} (year not given)"
    if m := _WEEK.match(v):
        y, w, day, t = m[1], m[2], m[3], m[4]
        if y == "XXXX" or w == "XX":
            if day and day.isdigit():
                name = f"a {calendar.day_name[int(day) - 1]}"
                return f"{name} {_PARTS[t]}" if t in _PARTS else name
            return "a weekend" if day == "WE" else "a week"
        try:
            if day == "WE":
                sat = dt.date.fromisocalendar(int(y), int(w), 6)
                return f"the weekend of {_range(sat.isoformat(), (sat + dt.timedelta(days=1)).isoformat())}"
            if day:
                return _with_time(_day(dt.date.fromisocalendar(int(y), int(w), int(day))), t)
        except ValueError:
            return None
        return f"week {int(w)} of {y}"
    if re.fullmatch(r"\d{3}", v):
        return f"the {v}0s"
    if re.fullmatch(r"\d{2}", v):
        return f"the {_ordinal(int(v) + 1)} century"
    if v == "XXX":
        return "a decade"
    if v == "XX":
        return "a century"
    return None


def _amount(n: str, unit: str) -> str:
    if n == "X":
        return unit + "s"
    x = float(n)
    shown = str(int(x)) if x == int(x) else str(x)
    return f"{shown} {unit}{'' if x == 1 else 's'}"


def _duration(v: str) -> str | None:
    """'P3Y' → '3 years', 'PT5H30M' → '5 hours 30 minutes', 'PXM' → 'months'."""
    m = _DURATION.match(v)
    if not m or not (m["date"] or m["time"]):
        return None
    bits = [_amount(n, _UNITS[u]) for n, u in re.findall(r"([\dX.]+)(DE|CE|WE|Y|M|W|D|Q)", m["date"] or "")]
    bits += [_amount(n, _TIME_UNITS[u]) for n, u in re.findall(r"([\dX.]+)([HMS])", m["time"] or "")]
    return " ".join(bits)


def _range(a: str, b: str) -> str:
    """Two values as one span, the shared year (and month) said once: '16 April – 3 May 2017',
    '16–30 April 2017', 'April – May 2017', '1955 – 2011'."""
    da, db = _DAY.match(a), _DAY.match(b)
    if da and db and "X" not in a[:10] + b[:10] and not da[4] and not db[4]:
        x, y = dt.date.fromisoformat(a[:10]), dt.date.fromisoformat(b[:10])
        if x == y:
            return _day(x)
        if x.year == y.year and x.month == y.month:
            return f"{x.day}–{y.day} {_month_name(x.month)} {x.year}"
        if x.year == y.year:
            return f"{x.day} {_month_name(x.month)} – {_day(y)}"
    ma, mb = _MONTH.match(a), _MONTH.match(b)
    if ma and mb and "X" not in a + b and ma[1] == mb[1]:
        return f"{_month_name(int(ma[2]))} – {_month_name(int(mb[2]))} {ma[1]}" if a != b else in_words(a)
    wa, wb = in_words(a), in_words(b)
    return wa if wa == wb else f"{wa} – {wb}"


def bounds_in_words(earliest: Any, latest: Any) -> str:
    """A date known only by its bounds: 'on or after 12 July 2019', 'on or before 3 May 2017',
    '16 April – 3 May 2017' (both), '' (neither). Never an exact day unless both bounds are that day."""
    lo = str(earliest).strip() if earliest else ""
    hi = str(latest).strip() if latest else ""
    if lo and hi:
        return _range(lo, hi)
    if lo:
        return f"on or after {in_words(lo)}"
    if hi:
        return f"on or before {in_words(hi)}"
    return ""


def in_words(value: Any) -> str:
    """A TIMEX3 value as a person says it: '2017-04-16' → '16 April 2017', '2017-04' → 'April 2017',
    '2017-FA' → 'fall 2017', '2017-WI' → 'winter 2017–18', '2017-Q2' → 'the second quarter of 2017',
    '2017-H1' → 'the first half of 2017', '2017-W15' → 'week 15 of 2017', '196' → 'the 1960s', '19' → 'the
    20th century', 'XXXX-WXX-2' → 'a Tuesday', 'XXXX-07-25' → '25 July (year not given)', '2017-09-12TNI' →
    'the night of 12 September 2017', 'PRESENT_REF' → 'at the time', 'P3Y' → '3 years'; a span '1955/2011' →
    '1955 – 2011'; bounds '2019-07-12…' → 'on or after 12 July 2019', '…2017-05-03' → 'on or before 3 May
    2017', '2017-04-16…2017-05-03' → '16 April – 3 May 2017'. '' and None → 'undated'; a value it cannot read
    comes back as it is."""
    if value is None:
        return "undated"
    v = str(value).strip()
    if not v:
        return "undated"
    if "…" in v:
        lo, _, hi = v.partition("…")
        if hi and len(hi) < len(lo) and re.fullmatch(r"\d{2}(?:-\d{2})?", hi):  # '2017-04-16…05-03'
            hi = lo[: len(lo) - len(hi)] + hi
        return bounds_in_words(lo, hi) or "undated"
    if "/" in v:
        a, _, b = v.partition("/")
        if _point(a) and _point(b):
            return _range(a, b)
        return v
    if v.startswith("P") and v not in _REFS:
        return _duration(v) or v
    return _point(v) or v


def published_in_words(published: Any) -> str:
    """An article's publication as a person says it: its date ('12 July 2019'), else its bounds ('on or after
    12 July 2019', '16 April – 3 May 2017'); '' when nothing is known. Takes a `Published` or its dict."""
    if published is None:
        return ""

    def get(key: str) -> Any:
        return published.get(key) if isinstance(published, dict) else getattr(published, key, None)

    if get("date"):
        return in_words(get("date"))
    return bounds_in_words(get("earliest"), get("latest"))
