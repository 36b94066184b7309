"""Stored rows read back as the project's records (Document, Article)."""

from __future__ import annotations

import json
import sqlite3

from storyline.model import Article, Document, DocMeta, Published, Removed

# the articles' columns article_of reads (not PostgreSQL's tsvector)
ARTICLE_COLS = ("seq, id, document_id, idx, title, text, span_start, span_end, text_map, removed, published, outlet,"
                " url, authors, syndicated_from, text_hash, minhash, duplicate_of, duplicate_kind, duplicate_score,"
                " story_id, language, language_score")


def document_of(r: sqlite3.Row) -> Document:
    return Document(
        source=r["source"], sha256=r["sha256"], kind=r["kind"], text=r["text"],
        meta=DocMeta(**json.loads(r["meta"])), encoding=r["encoding"],
    )


def article_of(r: sqlite3.Row) -> Article:
    a = Article(
        document_id=r["document_id"], index=r["idx"], title=r["title"], text=r["text"],
        source_span=(r["span_start"], r["span_end"]),
        text_map=[tuple(x) for x in json.loads(r["text_map"])],
        removed=[Removed(d["text"], d["reason"], tuple(d["span"])) for d in json.loads(r["removed"])],
        published=Published(**json.loads(r["published"])), outlet=r["outlet"], url=r["url"],
        authors=json.loads(r["authors"]), syndicated_from=json.loads(r["syndicated_from"]),
        duplicate_of=r["duplicate_of"], duplicate_kind=r["duplicate_kind"], duplicate_score=r["duplicate_score"],
        story_id=r["story_id"], language=r["language"], language_score=r["language_score"],
    )
    return a
