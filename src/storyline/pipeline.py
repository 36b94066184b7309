"""Composes the stages in order (read → segment → clean → dedupe → store); the only place that knows it."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from storyline.clean import dedupe
from storyline.clean.boilerplate import clean_article
from storyline.clean.segment import split_articles
from storyline.ingest import read_paths
from storyline.model import Article, Document, ReadProblem, unique_names
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
                published=publication(doc.meta, c.datelines),
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


ProgressFn = Callable[[str, Document | ReadProblem | None], None]


def build(
    paths: Iterable[str | Path],
    store: Store,
    max_mb: float = DEFAULT_MAX_MB,
    progress: ProgressFn | None = None,
) -> BuildReport:
    """Ingest every readable document under `paths` into `store`, then run the cross-article stages.

    Each document is stored with its articles in one transaction, so a run killed half-way
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
    if progress:
        progress("cross-article", None)
    link_articles(store)
    return report


def link_articles(store: Store) -> None:
    """The cross-article stages over everything stored: duplicates and shared passages."""
    rows = store.dedupe_rows()
    items = [dedupe.DedupeItem(r["id"], r["text_hash"], r["minhash"], r["text"]) for r in rows]
    dups = dedupe.find_duplicates(items)
    store.set_duplicates(dups)
    passages = dedupe.shared_passages({r["id"]: r["text"] for r in rows}, dups)
    store.set_shared_passages(
        (p.article_id, p.span[0], p.span[1], p.other_article_id, p.other_span[0], p.other_span[1]) for p in passages
    )
