"""The dossier export (storyline-dossier/1): one JSON object with every layer of a database.

Entities are in `../shared/design/dossier-format.md`'s shape, with these fields beside it:

* `"media": true` on an organisation the text describes as a news outlet or agency ("the newspaper
  Izvestiya", "news agency TASS"); absent otherwise.
* `"capital_of": "e-…"` on a capital (or a seat of government: "Kremlin", "White House"): the entity
  id of its country. The capital is a place entity of its own, never an alias of the country.
* a mention's `"as"`: `"capital"` where a capital stands for its government ("Ankara said"), then
  with `"country_id"`: the country's entity id; `"demonym"` on a country's demonym ("Turkish").

Corrections a person made (`storyline correct`, storyline/corrections.py) add, on any object:

* `"corrected": [{"id", "op", "why", "by", "at"}]` on an entity, a quote or an article a correction in force
  changed (merged, split, renamed; its speaker set; re-dated); absent otherwise.
* a top-level `"rejected": [{"kind", "id", "text", "correction": {"id", "op", "why", "by", "at"}}]`: the events,
  quotes and claims rejected, which the `events`, `quotes` and `claims` lists leave out.
"""

from __future__ import annotations

from typing import Any

from storyline.clean.language import UNDETERMINED, is_english
from storyline.model import Article
from storyline.store import Store

FORMAT = "storyline-dossier/1"


def article_record(
    a: Article, shared: list[dict[str, Any]] | None = None, layers: dict[str, Any] | None = None,
    event_id: str | None = None,
) -> dict[str, Any]:
    """An article in the dossier shape (plus `text_map`, duplicate details, shared passages, its
    time expressions with the anchor they were read against, its TimeML event mentions, and `event_id`:
    its main event, the happening it reports)."""
    layers = layers or {}
    return {
        "id": a.id,
        "document_id": a.document_id,
        "title": a.title,
        "text": a.text,
        "source_span": list(a.source_span),
        "text_map": [list(x) for x in a.text_map],
        "published": {
            "date": a.published.date, "earliest": a.published.earliest,
            "latest": a.published.latest, "evidence": a.published.evidence,
        },
        "outlet": a.outlet,
        "url": a.url,
        "authors": list(a.authors),
        "syndicated_from": list(a.syndicated_from),
        # ISO 639-1, null when there was too little text to tell (or not detected yet); the English layers
        # (time expressions, entities, quotes, events, claims) are not run on other languages
        "language": None if a.language in (None, UNDETERMINED) else a.language,
        "language_score": a.language_score,
        "not_annotated": None if is_english(a.language) else f"language {a.language}",
        "removed": [{"text": r.text, "reason": r.reason, "span": list(r.span)} for r in a.removed],
        "duplicate_of": a.duplicate_of,
        "duplicate": (
            {"kind": a.duplicate_kind, "similarity": a.duplicate_score} if a.duplicate_of else None
        ),
        "shared_passages": [
            {"span": p["span"], "article_id": p["other_article_id"], "other_span": p["other_span"]}
            for p in (shared or [])
        ],
        "story_id": a.story_id,
        "event_id": event_id,
        "timex_anchor": layers.get("anchor"),
        "timexes": layers.get("timexes", []),
        "event_mentions": layers.get("timeml", []),
        "title_event_mentions": (layers.get("title") or {}).get("timeml", []),  # spans into the title
    }


def dossier(store: Store) -> dict[str, Any]:
    """The whole database as one storyline-dossier/1 object. Corrections (storyline.corrections) show: a corrected
    entity, quote or article carries `corrected` (each correction's id, op, why, by, at); rejected events, quotes
    and claims are left out of their lists and listed under `rejected`, each with its correction."""
    from storyline import corrections

    marks = corrections.article_marks(store)
    by_doc = store.article_ids_by_document()
    mains = store.main_events()
    shared: dict[str, list[dict[str, Any]]] = {}
    for p in store.shared_passages():
        shared.setdefault(p["article_id"], []).append(p)
    return {
        "format": FORMAT,
        "documents": [
            {"id": d.id, "source": d.source, "sha256": d.sha256, "kind": d.kind, "encoding": d.encoding,
             "url": d.meta.url, "article_ids": by_doc.get(d.id, [])}
            for d in store.documents()
        ],
        "articles": [_marked(article_record(a, shared.get(a.id), store.annotations(a.id), mains.get(a.id)), marks)
                     for a in store.articles()],
        "stories": store.stories(),
        "entities": store.entities(),
        "quotes": store.quotes(),
        "events": store.events(),
        "claims": store.claims(),
        "rejected": corrections.rejected(store),
    }


def _marked(record: dict[str, Any], marks: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """An article record with `corrected` where a correction changed it (a re-dating)."""
    return {**record, "corrected": marks[record["id"]]} if record["id"] in marks else record
