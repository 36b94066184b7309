"""Pieces of SQL text the store's queries share: WHERE clauses, IN lists, LIKE patterns, LIMIT values."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


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


# an article's publication date for filters: the date, else its earliest bound, else its latest
PUB_DATE = ("coalesce(json_extract(a.published, '$.date'), json_extract(a.published, '$.earliest'),"
            " json_extract(a.published, '$.latest'))")


def article_filters(outlet: str | None = None, date_from: str | None = None, date_to: str | None = None,
                    entity_id: str | None = None, story_id: str | None = None) -> tuple[str, list[Any]]:
    """The conditions on `articles a` that the article list and search share, as one SQL condition
    ('1=1' for none) and its arguments: the outlet, the publication date's range (YYYY[-MM[-DD]], on the
    date or else its earliest bound; a year or a month as `date_to` takes in its every day), an entity
    mentioned, a story."""
    where, args = where_clause(
        ("a.outlet = ?", outlet or None), (f"{PUB_DATE} >= ?", date_from or None),
        (f"substr({PUB_DATE}, 1, {len(date_to or '')}) <= ?", date_to or None),
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
