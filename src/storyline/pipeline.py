"""Composes the stages in order (read → segment → clean → date → store → annotate → link); the only place that knows it."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from storyline.clean import dedupe
from storyline.clean.boilerplate import clean_article
from storyline.clean.segment import split_articles
from storyline.ingest import read_paths
from storyline.model import Article, Document, Mention, ReadProblem, stable_id, unique_names
from storyline.published import publication
from storyline.store import Store

DEFAULT_MAX_MB = 50.0

# Spaces that scraped copy uses between words, replaced one-for-one so offsets do not move.
_ODD_SPACES = re.compile(r"[\u00a0\u2000-\u200a\u202f\u205f\u3000]")


def normalise_document(doc: Document) -> Document:
    """Odd spaces to plain ones (same length, so spans stay valid)."""
    doc.text = _ODD_SPACES.sub(" ", doc.text)
    return doc


def process_document(doc: Document) -> list[Article]:
    """The per-article stages for one document: split it into articles and clean each one."""
    articles = []
    spans = split_articles(doc.text)
    for index, span in enumerate(spans):
        title = doc.meta.title if (index == 0 and doc.meta.title) else None
        c = clean_article(doc.text, span, title=title)
        if not c.text.strip():
            continue
        articles.append(
            Article(
                document_id=doc.id,
                index=index,
                title=c.title,
                text=c.text,
                source_span=span,
                text_map=c.text_map,
                removed=c.removed,
                published=publication(doc.meta, c.datelines, c.text,
                                      [r.text for r in c.removed if r.reason == "caption"], c.later_dates),
                outlet=doc.meta.outlet,
                url=doc.meta.url,
                authors=unique_names(doc.meta.authors, c.authors),
                syndicated_from=c.syndicated_from,
            )
        )
    return articles


@dataclass
class BuildReport:
    """What a build did; `problems` are the inputs that were reported and skipped."""

    skipped: int = 0  # documents already in the database from an earlier run
    added_documents: int = 0
    added_articles: int = 0
    problems: list[ReadProblem] = field(default_factory=list)
    annotated: int = 0


ProgressFn = Callable[[str, object], None]


def build(
    paths: Iterable[str | Path],
    store: Store,
    max_mb: float = DEFAULT_MAX_MB,
    progress: ProgressFn | None = None,
    annotate: bool = True,
) -> BuildReport:
    """Ingest every readable document under `paths` into `store`, then run the cross-article stages.

    `annotate=False` leaves the annotation stage (spaCy) for a later build (benchmarks time the
    stages apart). Each document is stored with its articles in one transaction, so a run killed half-way
    resumes where it stopped; documents already stored are skipped, so re-running changes nothing.
    """
    report = BuildReport()
    ok_sources: list[str] = []
    for item in read_paths(list(paths), max_bytes=int(max_mb * 1024 * 1024)):
        if isinstance(item, ReadProblem):
            report.problems.append(item)
            store.record_problem(item.source, item.message)
            if progress:
                progress("problem", item)
            continue
        ok_sources.append(item.source)
        if store.has_document(item.id):
            report.skipped += 1
        else:
            doc = normalise_document(item)
            articles = process_document(doc)
            sigs = [(dedupe.text_hash(a.text), dedupe.signature(a.text)) for a in articles]
            store.save_document(doc, articles, sigs)
            report.added_documents += 1
            report.added_articles += len(articles)
        if progress:
            progress("document", item)
    store.clear_problems(ok_sources)
    if annotate:
        report.annotated = annotate_articles(store, progress)
    if progress:
        progress("cross-article", None)
    link_articles(store)
    return report


ANNOTATE_COMMIT_EVERY = 16


def annotate_articles(store: Store, progress: ProgressFn | None = None) -> int:
    """Annotate every stored article that has no layers yet (time expressions, mentions, quotes).

    Layers are committed every few articles, so a killed run resumes with the rest."""
    from storyline.nlp.annotate import annotate_texts, mention_json, quote_json

    rows = store.unannotated()
    if not rows:
        return 0
    if progress:
        progress("annotate", len(rows))
    batch: list[tuple[str, str | None, list, list, list]] = []
    layers = annotate_texts((text, pub) for _, text, pub in rows)
    for (aid, _, _), lay in zip(rows, layers):
        batch.append((aid, lay["anchor"], [t.to_json() for t in lay["timexes"]],
                      [mention_json(m) for m in lay["mentions"]], [quote_json(q) for q in lay["quotes"]]))
        if len(batch) >= ANNOTATE_COMMIT_EVERY:
            store.save_annotations(batch)
            if progress:
                progress("annotated", len(batch))
            batch = []
    if batch:
        store.save_annotations(batch)
        if progress:
            progress("annotated", len(batch))
    return len(rows)


def link_articles(store: Store) -> None:
    """The cross-article stages over everything stored: duplicates, shared passages, entities and quote speakers."""
    rows = store.dedupe_rows()
    items = [dedupe.DedupeItem(r["id"], r["text_hash"], r["minhash"], r["text"]) for r in rows]
    dups = dedupe.find_duplicates(items)
    store.set_duplicates(dups)
    passages = dedupe.shared_passages({r["id"]: r["text"] for r in rows}, dups)
    store.set_shared_passages(
        (p.article_id, p.span[0], p.span[1], p.other_article_id, p.other_span[0], p.other_span[1]) for p in passages
    )
    link_entities(store)


def link_entities(store: Store) -> None:
    """Canonical entities across the corpus from every article's mentions; quote speakers linked to them."""
    from storyline.nlp.entities import EntityIndex, canonicalise

    per_article = {
        aid: [Mention(**{**m, "span": tuple(m["span"])}) for m in ms] for aid, ms in store.all_annotations("mentions")
    }
    entities = canonicalise(per_article)
    index = EntityIndex(entities)
    by_id = {e.id: e for e in entities}
    quotes = []
    for aid, qs in store.all_annotations("quotes"):
        for q in qs:
            sp = q.get("speaker")
            if sp:
                eid = index.link(aid, tuple(sp["span"]), sp.get("name"), sp.get("type"))
                sp["entity_id"] = eid
                if eid in by_id and by_id[eid].type == sp.get("type"):  # a person's fullest name;
                    sp["name"] = by_id[eid].name  # a group ("Turkish officials") keeps its own words
            q["id"] = stable_id("q", aid, str(q["span"][0]), str(q["span"][1]))
            q["article_id"] = aid
            quotes.append(q)
    store.set_entities([e.to_json() for e in entities], quotes)
