"""The dossier as CSV tables (articles, entities, quotes, events, event mentions, claim values) and its entity graph as GEXF.

What an analyst moves into a spreadsheet, pandas or Gephi. Every row that states something carries the
article and the span it came from (`article_id`, `start`, `end`: character offsets into that article's
clean text, as in the JSON dossier). Lists inside a cell are joined with "; ". A text cell that a
spreadsheet would read as a formula (it starts with =, +, -, @, a tab or a carriage return) is written
with a leading apostrophe, as OWASP advises against CSV injection: article text is hostile. The graph
links two entities by the number of articles that name both (`weight`), the co-occurrence network
analysts draw from news; it is written by networkx's GEXF writer, which escapes every label.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterable
from itertools import combinations
from pathlib import Path
from typing import Any

from storyline.export.views import find_story

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> Any:
    """One CSV cell: numbers as they are, None as empty, lists joined by "; ", text defused against formulas."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, (list, tuple)):
        value = "; ".join(str(v) for v in value if v is not None)
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _span(x: dict[str, Any] | None) -> tuple[Any, Any]:
    sp = (x or {}).get("span") or [None, None]
    return (sp[0], sp[1]) if isinstance(sp, (list, tuple)) and len(sp) == 2 else (None, None)


def scope(dossier: dict[str, Any], story: str | None = None) -> dict[str, Any]:
    """The dossier, or the part of it one story (an id or part of its title) holds: its articles and their
    documents, the entities they name (with only those mentions), their quotes, the story's events and claims,
    in the dossier's shape. Raises StoryNotFound."""
    if story is None:
        return dossier
    st = find_story([s for s in dossier.get("stories") or [] if isinstance(s, dict)], story)
    sid = st.get("id")
    arts = [a for a in dossier.get("articles") or [] if a.get("story_id") == sid or a.get("id") in (st.get("article_ids") or [])]
    ids = {a["id"] for a in arts}
    ents = []
    for e in dossier.get("entities") or []:
        ms = [m for m in e.get("mentions") or [] if m.get("article_id") in ids]
        if ms:
            ents.append({**e, "mentions": ms})
    docs = {a.get("document_id") for a in arts}
    return {**dossier, "documents": [d for d in dossier.get("documents") or [] if d.get("id") in docs],
            "stories": [st], "articles": arts, "entities": ents,
            "quotes": [q for q in dossier.get("quotes") or [] if q.get("article_id") in ids],
            "events": [e for e in dossier.get("events") or [] if e.get("story_id") == sid],
            "claims": [c for c in dossier.get("claims") or [] if c.get("story_id") == sid]}


def tables(dossier: dict[str, Any]) -> dict[str, tuple[list[str], list[list[Any]]]]:
    """Table name → (header, rows) of the dossier's CSV tables."""
    docs = {d.get("id"): d for d in dossier.get("documents") or []}
    out: dict[str, tuple[list[str], list[list[Any]]]] = {}
    rows: list[list[Any]] = []
    for a in dossier.get("articles") or []:
        pub = a.get("published") or {}
        rows.append([a.get("id"), a.get("title"), a.get("outlet"), a.get("url"), pub.get("date"), pub.get("earliest"),
                     pub.get("latest"), a.get("authors") or [], a.get("language"), a.get("story_id"), a.get("event_id"),
                     a.get("duplicate_of"), a.get("document_id"), (docs.get(a.get("document_id")) or {}).get("source"),
                     len(a.get("text") or "")])
    out["articles"] = (["id", "title", "outlet", "url", "published", "published_earliest", "published_latest",
                        "authors", "language", "story_id", "event_id", "duplicate_of", "document_id", "source",
                        "characters"], rows)
    rows = []
    for e in dossier.get("entities") or []:
        ms = e.get("mentions") or []
        rows.append([e.get("id"), e.get("name"), e.get("type"), e.get("aliases") or [], len(ms),
                     len({m.get("article_id") for m in ms})])
    out["entities"] = (["id", "name", "type", "aliases", "mentions", "articles"], rows)
    rows = []
    for e in dossier.get("entities") or []:
        for m in e.get("mentions") or []:
            rows.append([e.get("id"), e.get("name"), m.get("article_id"), *_span(m), m.get("text")])
    out["entity_mentions"] = (["entity_id", "entity", "article_id", "start", "end", "text"], rows)
    rows = []
    for q in dossier.get("quotes") or []:
        sp = q.get("speaker") or {}
        rows.append([q.get("id"), q.get("article_id"), *_span(q), q.get("kind"), q.get("text"), sp.get("name"),
                     sp.get("entity_id"), sp.get("type"), sp.get("text"), *_span(sp), q.get("via") or []])
    out["quotes"] = (["id", "article_id", "start", "end", "kind", "text", "speaker", "speaker_entity_id",
                      "speaker_type", "speaker_text", "speaker_start", "speaker_end", "via"], rows)
    rows, mentions = [], []
    for e in dossier.get("events") or []:
        ms = e.get("mentions") or []
        rows.append([e.get("id"), e.get("story_id"), e.get("type"), e.get("class"), e.get("date"), e.get("precision"),
                     e.get("modality"), e.get("summary"), len(e.get("sources") or []), e.get("sources") or [],
                     e.get("main_of") or []])
        for m in ms:
            trig = m.get("trigger") or {}
            mentions.append([e.get("id"), m.get("article_id"), *_span(m), trig.get("text"), *_span(trig), m.get("date"),
                             m.get("text")])
    out["events"] = (["id", "story_id", "type", "class", "date", "precision", "modality", "summary", "sources",
                      "article_ids", "main_event_of"], rows)
    out["event_mentions"] = (["event_id", "article_id", "start", "end", "trigger", "trigger_start", "trigger_end",
                              "date", "sentence"], mentions)
    rows = []
    for c in dossier.get("claims") or []:
        for v in c.get("values") or []:
            rows.append([c.get("id"), c.get("story_id"), c.get("subject"), c.get("attribute"), c.get("status"),
                         v.get("value"), v.get("article_id"), *_span(v), v.get("date"), v.get("text")])
    out["claims"] = (["claim_id", "story_id", "subject", "attribute", "status", "value", "article_id", "start", "end",
                      "date", "sentence"], rows)
    return out


def csv_text(header: list[str], rows: Iterable[list[Any]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows([cell(x) for x in r] for r in rows)
    return buf.getvalue()


def write_csv(dossier: dict[str, Any], folder: Path) -> dict[str, int]:
    """Each table to FOLDER/<name>.csv (UTF-8, written whole then renamed): table name → rows written."""
    folder.mkdir(parents=True, exist_ok=True)
    counts = {}
    for name, (header, rows) in tables(dossier).items():
        path = folder / f"{name}.csv"
        tmp = path.with_suffix(".csv.tmp")
        tmp.write_text(csv_text(header, rows), encoding="utf-8")
        tmp.replace(path)
        counts[name] = len(rows)
    return counts


def entity_graph(dossier: dict[str, Any], min_weight: int = 1) -> Any:
    """A networkx Graph: an entity a node (label, type, mentions, articles), an edge between two entities
    named in the same articles, `weight` the number of those articles (edges under `min_weight` left out)."""
    import networkx as nx

    g = nx.Graph()
    by_article: dict[str, set[str]] = {}
    for e in dossier.get("entities") or []:
        ms = e.get("mentions") or []
        arts = {m.get("article_id") for m in ms if m.get("article_id")}
        g.add_node(e["id"], label=str(e.get("name") or e["id"]), type=str(e.get("type") or ""), mentions=len(ms),
                   articles=len(arts))
        for a in arts:
            by_article.setdefault(a, set()).add(e["id"])
    weights: Counter = Counter()
    for ids in by_article.values():
        weights.update(combinations(sorted(ids), 2))
    for (a, b), w in sorted(weights.items()):
        if w >= min_weight:
            g.add_edge(a, b, weight=w)
    return g


def render_gexf(dossier: dict[str, Any], min_weight: int = 1) -> str:
    """The entity graph as GEXF 1.2 (Gephi's format), the same bytes for the same dossier: networkx stamps its
    <meta> with today's date, an optional attribute left out here."""
    import re

    import networkx as nx

    lines = list(nx.generate_gexf(entity_graph(dossier, min_weight), version="1.2draft"))
    for i, line in enumerate(lines):
        if "<meta " in line:
            lines[i] = re.sub(r' lastmodifieddate="[^"]*"', "", line, count=1)
            break
    return "\n".join(lines) + "\n"
