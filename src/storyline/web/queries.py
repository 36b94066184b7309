"""The queries only the HTTP API and the pages run (a page of articles, a story page's parts), on a Store."""

from __future__ import annotations

import json
from typing import Any

from storyline.store import Store
from storyline.store.clauses import article_filters, limit as limit_arg, marks


def articles_page(
    store: Store, limit: int = 20, offset: int = 0, q: str | None = None, outlet: str | None = None,
    date_from: str | None = None, date_to: str | None = None, entity_id: str | None = None,
    story_id: str | None = None,
) -> tuple[int, list[dict[str, Any]]]:
    """(total, one page) of articles as summaries, in ingestion order, or, when `q` (a query in the
    search grammar, storyline.store.fulltext) is given, the hits of Store.search by rank (each also
    with `story`, `snippet` and `highlights`). Filters: outlet, publication date range (ISO, on the
    date or else its earliest bound), an entity mentioned, a story. Raises QueryError on a bad query."""
    if q:
        return store.search(q, limit, offset, outlet, date_from, date_to, entity_id, story_id)
    cond, args = article_filters(outlet, date_from, date_to, entity_id, story_id)
    rows = store.db.execute(
        "SELECT a.id, a.title, a.outlet, a.url, a.published, a.authors, a.story_id, a.duplicate_of, a.text"
        f" FROM articles a WHERE {cond} ORDER BY a.seq LIMIT ? OFFSET ?",
        [*args, limit_arg(limit, store.pg), offset]).fetchall()
    total = store.db.execute(f"SELECT count(*) FROM articles a WHERE {cond}", args).fetchone()[0]
    return total, [{"id": r["id"], "title": r["title"], "published": json.loads(r["published"]),
                    "outlet": r["outlet"], "url": r["url"], "authors": json.loads(r["authors"]),
                    "words": len(r["text"].split()), "story_id": r["story_id"], "duplicate_of": r["duplicate_of"]}
                   for r in rows]


def outlets(store: Store) -> list[tuple[str, int]]:
    """(outlet, number of articles), most articles first."""
    return [(r[0], r[1]) for r in store.db.execute(
        "SELECT outlet, count(*) AS n FROM articles WHERE outlet IS NOT NULL"
        " GROUP BY outlet ORDER BY n DESC, outlet")]


def event_points(store: Store, story_id: str) -> list[dict[str, Any]]:
    """The story's dated events as {id, date, type, summary}: enough to draw them on a time axis."""
    return [{"id": r[0], "date": r[1], "type": r[2], "summary": r[3]} for r in store.db.execute(
        "SELECT id, date, type, json_extract(data, '$.summary') FROM events"
        " WHERE story_id = ? AND date IS NOT NULL ORDER BY sort, id", (story_id,))]


def entity_articles(store: Store, entity_ids: list[str], article_ids: list[str]) -> dict[str, set[str]]:
    """entity id → the articles among `article_ids` that name it (who appears with whom)."""
    out: dict[str, set[str]] = {}
    for r in store.db.execute(
            f"SELECT DISTINCT entity_id, article_id FROM entity_mentions WHERE entity_id IN ({marks(entity_ids)})"
            f" AND article_id IN ({marks(article_ids)})", [*entity_ids, *article_ids]):
        out.setdefault(r[0], set()).add(r[1])
    return out


def speakers(store: Store, article_ids: list[str], top: int | None = 12,
             per: int = 5) -> list[tuple[str, int, list[dict[str, Any]]]]:
    """Who is quoted most in these articles: (speaker, number of quotes, the first `per` of them in
    reading order) for the `top` speakers (every one where `top` is None); a speaker is the linked
    entity where there is one, else its own words ("Turkish media")."""
    rows = store.db.execute(
        "SELECT t.who, t.name, t.n, q.data FROM (SELECT q.id, coalesce(q.speaker_entity, q.speaker_name, '') AS who,"
        " coalesce(e.name, q.speaker_name, '') AS name, count(*) OVER w AS n,"
        " row_number() OVER (w ORDER BY a.seq, q.start) AS k"
        " FROM quotes q JOIN articles a ON a.id = q.article_id LEFT JOIN entities e ON e.id = q.speaker_entity"
        f" WHERE q.article_id IN ({marks(article_ids)})"
        " WINDOW w AS (PARTITION BY coalesce(q.speaker_entity, q.speaker_name, ''))) t"
        " JOIN quotes q ON q.id = t.id WHERE t.k <= ?"
        " ORDER BY t.n DESC, t.name, t.who, t.k", [*article_ids, per]).fetchall()
    out: list[tuple[str, int, list[dict[str, Any]]]] = []
    last = None
    for who, name, n, data in rows:
        if who != last:
            if len(out) == top:
                break
            out.append((name, n, []))
            last = who
        out[-1][2].append(json.loads(data))
    return out


def article_entity_mentions(store: Store, article_id: str) -> list[dict[str, Any]]:
    """The mentions in one article linked to their canonical entity: entity_id, name, type, span, text."""
    return [
        {"entity_id": r[0], "name": r[1], "type": r[2], "span": [r[3], r[4]], "text": r[5],
         **({"as": r[6]} if r[6] else {}),
         **({"country_id": c} if r[6] == "capital" and (c := json.loads(r[7]).get("capital_of")) else {})}
        for r in store.db.execute(
            "SELECT m.entity_id, e.name, e.type, m.start, m.\"end\", m.text, m.mention_as, e.data"
            " FROM entity_mentions m"
            " JOIN entities e ON e.id = m.entity_id WHERE m.article_id = ? ORDER BY m.start, m.\"end\" DESC",
            (article_id,))
    ]
