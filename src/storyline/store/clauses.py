"""Pieces of SQL text the store's queries share: WHERE clauses, IN lists, LIKE patterns, LIMIT values."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any


# an article's publication date for filters: the date, else its earliest bound, else its latest (alias a)
PUB_DATE = ("coalesce(json_extract(a.published, '$.date'), json_extract(a.published, '$.earliest'),"
            " json_extract(a.published, '$.latest'))")


_DAY_PREFIX = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?", re.ASCII)


def date_bound(value: str | None, upper: bool = False) -> str | None:
    """A YYYY[-MM[-DD]] filter as the text a publication date (PUB_DATE) is compared with: an upper bound takes
    the whole year or month it names ("2017" → "2017-12-31"). ValueError for anything else, a day that does
    not exist (2024-02-30) included."""
    from storyline.published import period

    if not value:
        return None
    if not _DAY_PREFIX.fullmatch(value) or period(value) is None:
        raise ValueError(f"{value!r} is not a date (YYYY, YYYY-MM or YYYY-MM-DD)")
    return value + ("-12-31"[len(value) - 4:] if upper and len(value) < 10 else "")


def where_clause(*conditions: tuple[str, Any]) -> tuple[str, list[Any]]:
    """' WHERE a AND b' and its arguments from (sql, value) pairs, leaving out those whose value is None;
    a value of () adds a condition that takes no argument."""
    parts, args = [], []
    for sql, value in conditions:
        if value is None:
            continue
        parts.append(sql)
        if value != ():
            args.append(value)
    return (" WHERE " + " AND ".join(parts) if parts else ""), args


def article_filters(outlet: str | None = None, date_from: str | None = None, date_to: str | None = None,
                    entity_id: str | None = None, story_id: str | None = None) -> tuple[str, list[Any]]:
    """The conditions on `articles a` that the article list and search share, as one SQL condition
    ('1=1' for none) and its arguments: the outlet, the publication date's range (YYYY[-MM[-DD]], on the
    date or else its earliest bound; a year or a month as `date_to` takes in its every day), an entity
    mentioned, a story. ValueError for a date not of that form."""
    where, args = where_clause(
        ("a.outlet = ?", outlet or None), (f"{PUB_DATE} >= ?", date_bound(date_from)),
        (f"{PUB_DATE} <= ?", date_bound(date_to, upper=True)),
        ("a.id IN (SELECT article_id FROM entity_mentions WHERE entity_id = ?)", entity_id or None),
        ("a.story_id = ?", story_id or None))
    return where.removeprefix(" WHERE ") or "1=1", args


def like_pattern(text: str) -> str:
    """A LIKE pattern (with ESCAPE '\\') matching `text` anywhere, its wildcards taken literally."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def marks(values: Iterable[Any]) -> str:
    """Placeholders for an IN (...) list: one '?' per value (at least one, so an empty list matches nothing)."""
    n = len(list(values))
    return ",".join("?" * n) if n else "NULL"


def limit(n: int, pg: bool) -> int | None:
    """A LIMIT argument: -1 (all) is NULL on PostgreSQL, which refuses negative limits."""
    return None if n < 0 and pg else n
