"""The queries only the HTTP API and the pages run (a page of articles, a story page's parts), on a Store."""

from __future__ import annotations

import bisect
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


def entity_profile(store: Store, entity_id: str, top: int = 10, per: int = 20) -> dict[str, Any] | None:
    """What the corpus says of one entity, for its page, `/api/entities/{id}/profile` and `storyline entity`:
    the entity (name, type, aliases, roles), `forms` (each way the articles write it, with its count), its
    quotes (`quotes_by`: it is the speaker) and the quotes naming it (`quotes_naming`: a mention of it inside
    the quoted words), the events it takes part in by date (`events`), the entities named in the same
    articles (`with`: weighted by the articles shared, `top` of them), and its articles by date with their
    outlets (`articles`, `outlets`). Lists hold their first `per` items beside their totals."""
    row = store.db.execute("SELECT data FROM entities WHERE id = ?", (entity_id,)).fetchone()
    if row is None:
        return None
    e = json.loads(row[0])
    mentions = store.db.execute("SELECT article_id, start, \"end\", text FROM entity_mentions WHERE entity_id = ?",
                                (entity_id,)).fetchall()
    counts: dict[str, int] = {}
    spans: dict[str, list[tuple[int, int]]] = {}
    for aid, start, end, text in mentions:
        counts[text] = counts.get(text, 0) + 1
        spans.setdefault(aid, []).append((start, end))
    forms = [{"text": t, "n": n} for t, n in sorted(counts.items(), key=lambda x: (-x[1], x[0]))]
    meta = store.article_meta(list(spans)) if spans else {}
    arts = sorted(spans, key=lambda a: meta[a]["seq"])

    def when(aid: str) -> str:
        p = meta[aid].get("published") or {}
        return p.get("date") or p.get("earliest") or p.get("latest") or "9999"

    listed = sorted(arts, key=lambda a: (when(a), meta[a]["seq"]))
    by_outlet: dict[str, int] = {}
    for a in arts:
        if meta[a].get("outlet"):
            by_outlet[meta[a]["outlet"]] = by_outlet.get(meta[a]["outlet"], 0) + 1
    # who appears with it: the other entities of its articles, each counted once an article, the top ones
    together = [(r[0], r[1]) for r in store.db.execute(
        "SELECT entity_id, count(*) AS n FROM (SELECT DISTINCT m.article_id, m.entity_id FROM entity_mentions m"
        " WHERE m.article_id IN (SELECT article_id FROM entity_mentions WHERE entity_id = ?)) AS pairs"
        " WHERE entity_id <> ? GROUP BY entity_id ORDER BY n DESC, entity_id LIMIT ?", (entity_id, entity_id, top))]
    names = store.entity_names(o for o, _ in together) if together else {}
    types = {r[0]: r[1] for r in store.db.execute(
        f"SELECT id, type FROM entities WHERE id IN ({marks(names)})", list(names))} if names else {}
    by_total, by = store.quotes_page(per, 0, entity_id)
    # the quotes naming it: those holding one of its mentions (found by bisection in the article's mentions,
    # in text order), not spoken by it
    for ms in spans.values():
        ms.sort()
    starts = {aid: [m0 for m0, _ in ms] for aid, ms in spans.items()}
    naming_ids: list[tuple[int, int, str]] = []
    for qid, aid, start, end in store.db.execute(
            "SELECT q.id, q.article_id, q.start, q.\"end\" FROM quotes q WHERE q.article_id IN"
            " (SELECT article_id FROM entity_mentions WHERE entity_id = ?)"
            " AND (q.speaker_entity IS NULL OR q.speaker_entity <> ?)", (entity_id, entity_id)):
        ms = spans.get(aid, [])
        k = bisect.bisect_left(starts[aid], start) if ms else 0
        while k < len(ms) and ms[k][0] < end:
            if ms[k][1] <= end:
                naming_ids.append((meta[aid]["seq"], start, qid))
                break
            k += 1
    naming_ids.sort()
    page = [q for _, _, q in naming_ids[:per]]
    data = dict(store.db.execute(f"SELECT id, data FROM quotes WHERE id IN ({marks(page)})", page).fetchall()) \
        if page else {}
    naming = [json.loads(data[q]) for q in page if q in data]
    ev_total, events = store.events_page(per, 0, entity_id=entity_id)
    e["id"] = entity_id
    return {
        "entity": {k: e.get(k) for k in ("id", "name", "type", "aliases", "roles", "as", "capital_of", "media", "corrected")
                   if k in e},
        "mention_count": len(mentions), "forms": forms,
        "article_count": len(arts), "outlets": sorted(by_outlet.items(), key=lambda x: (-x[1], x[0])),
        "articles": [{"id": a, "title": meta[a].get("title"), "outlet": meta[a].get("outlet"),
                      "published": meta[a].get("published"), "story_id": meta[a].get("story_id")} for a in listed[:per]],
        "quotes_by_total": by_total, "quotes_by": by,
        "quotes_naming_total": len(naming_ids), "quotes_naming": naming,
        "events_total": ev_total, "events": events,
        "with": [{"id": o, "name": names.get(o, o), "type": types.get(o), "articles": n} for o, n in together],
    }


def story_choices(store: Store, limit: int = 200) -> list[dict[str, Any]]:
    """The stories a filter menu offers, most articles first: {id, title}, without reading their records."""
    return [{"id": r[0], "title": r[1]} for r in store.db.execute(
        "SELECT s.id, json_extract(s.data, '$.title'), (SELECT count(*) FROM articles a WHERE a.story_id = s.id) AS n"
        " FROM stories s ORDER BY n DESC, s.seq, s.id LIMIT ?", (limit,))]
