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


def parse_dateline(text: str) -> str | None:
    """A full calendar date written out in a dateline ('09 December 2021', 'Dec. 9, 2021, 10:30')."""
    import dateparser  # slow to import; only needed when a page has a dateline

    settings = {"STRICT_PARSING": True, "REQUIRE_PARTS": ["day", "month", "year"], "PREFER_DAY_OF_MONTH": "first"}
    cleaned = re.sub(r"^\W*(?:published|updated|posted|last updated|date)\W*(?:on|at)?\s*", "", text, flags=re.I)
    parsed = dateparser.parse(cleaned, languages=["en"], settings=settings)
    return parsed.date().isoformat() if parsed else None


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
