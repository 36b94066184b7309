"""Publication date of an article from what its source and its page say (metadata, datelines)."""

from __future__ import annotations

import datetime as dt
import re

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
]


def parse_dateline(text: str) -> str | None:
    """A full calendar date written out in a dateline ('09 December 2021', 'Dec. 9, 2021, 10:30')."""
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


def publication(meta: DocMeta, datelines: list[str]) -> Published:
    """What the source's metadata and the page's datelines say about when it was published.

    A web-archive capture date is only an upper bound. Text-based inference over the
    article's own time expressions belongs to the temporal layer.
    """
    latest = iso_date(meta.capture_date)
    date = iso_date(meta.published)
    if date:
        return Published(date, date, date if not latest or date <= latest else latest,
                         f"{meta.published_source or 'source'} metadata: {meta.published}")
    for line in datelines:
        d = parse_dateline(line)
        if d and (not latest or d <= latest):
            return Published(d, d, d, f"dateline: {line!r}")
    if latest:
        return Published(None, None, latest, f"web-archive capture date {meta.capture_date} (upper bound)")
    return Published()
