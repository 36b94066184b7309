"""`storyline load`: a batch's Parquet output into a database, then the cross-article stages incrementally."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from storyline.batch import crossdoc, entities, stories
from storyline.batch.partition import article_from_row, document_from_row, finished, read_table
from storyline.batch.run import FORMAT, MANIFEST
from storyline.store import Store


class LoadError(Exception):
    """The folder is not a finished storyline batch."""


@dataclass
class LoadReport:
    partitions: int = 0
    added_documents: int = 0
    added_articles: int = 0
    skipped: int = 0  # documents the database already held
    new_versions: int = 0  # documents stored beside an earlier version of the same source (kept too)
    reused_crossdoc: bool = False  # the batch's duplicates, passages, entities and stories were used as they are


def load(out: str | Path, store: Store, progress: Callable[[str, Any], None] | None = None) -> LoadReport:
    """Add every document of a finished batch that the database lacks, with its articles and annotation
    layers; then duplicates, entities and stories as `build` links them. Loading twice changes nothing;
    a load killed half-way resumes (documents are stored whole, missing layers are filled in again)."""
    from storyline.model import Entity
    from storyline.pipeline import annotate_articles, detect_languages, link_articles, save_entities, use_duplicates

    out = Path(out)
    manifest = _manifest(out)
    parts = finished(out)
    if len(parts) != manifest.get("partitions"):
        raise LoadError(f"{out}: {len(parts)} of {manifest.get('partitions')} partitions are finished; "
                        "run `storyline batch` again with the same inputs to finish it")
    report = LoadReport(partitions=len(parts))
    unannotated = {aid for aid, *_ in store.unannotated()}
    total = 0
    if progress:
        progress("load", len(parts))
    for part in parts:
        arts = read_table(part, "articles")
        total += len(arts)
        layers = {r["article_id"]: r for r in read_table(part, "annotations")}
        by_doc: dict[str, list[dict]] = {}
        for r in arts:
            by_doc.setdefault(r["document_id"], []).append(r)
        todo = []
        for d in read_table(part, "documents"):
            rows = by_doc.get(d["id"], [])
            if store.stored_as(document_from_row(d)):
                report.skipped += 1
                todo += [r["id"] for r in rows if r["id"] in unannotated]
                continue
            report.new_versions += store.save_document(document_from_row(d), [article_from_row(r) for r in rows],
                                                       [(r["text_hash"], r["minhash"]) for r in rows])
            report.added_documents += 1
            report.added_articles += len(rows)
            todo += [r["id"] for r in rows]
        store.save_annotations((aid, stored_layers(x)) for aid in todo if (x := layers.get(aid)) is not None)
        for p in read_table(part, "problems"):
            store.record_problem(p["source"], p["message"])
        if progress:
            progress("partition", part)
    for p in json.loads((out / "problems.json").read_text()) if (out / "problems.json").exists() else []:
        store.record_problem(p["source"], p["message"])
    # partitions written before languages were detected: their articles' languages, their English layers
    # dropped from those not in English (then the batch's entities and stories, computed with them, do not apply)
    relabelled = detect_languages(store)
    annotate_articles(store, progress)  # a batch run with --no-annotate: annotated here
    if store.counts()["articles"] == total and not relabelled:  # the database holds exactly this batch: its shuffles' results apply
        dups, passages = crossdoc.read_duplicates(out), crossdoc.read_passages(out)
        if dups is not None and passages is not None:
            use_duplicates(store, dups, passages)
            if (found := entities.read_entities(out)) is not None:
                save_entities(store, [Entity.from_json(e) for e in found])
            if (assigned := stories.read_stories(out)) is not None:
                store.set_story_ids(assigned)
            report.reused_crossdoc = True
    link_articles(store, progress)
    return report


def _manifest(out: Path) -> dict[str, Any]:
    path = out / MANIFEST
    if not out.is_dir():
        raise LoadError(f"{out}: no such folder; give the --out folder of a `storyline batch` run")
    try:
        m = json.loads(path.read_text())
    except OSError:
        raise LoadError(f"{out}: no {MANIFEST}; this is not the output of `storyline batch`") from None
    except ValueError:
        raise LoadError(f"{out}: {MANIFEST} is not valid JSON; run `storyline batch` again") from None
    if m.get("format") != FORMAT:
        raise LoadError(f"{out}: {MANIFEST} is not a storyline batch manifest ({FORMAT})")
    if not m.get("complete"):
        raise LoadError(f"{out}: the batch did not finish; run `storyline batch` again with the same inputs to finish it")
    return m


def stored_layers(row: dict[str, Any]) -> dict[str, Any]:
    """A partition's annotation row (each layer as JSON text, the columns `nlp.annotate.LAYERS` name) as
    the store takes it; partitions written before the layers were named as stored hold the mentions under
    "entities", and some no TimeML or title layers (None: the next build computes them)."""
    from storyline.nlp.annotate import LAYERS

    out: dict[str, Any] = {"anchor": row.get("anchor")}
    for k in LAYERS:
        value = row.get(k, row.get("entities")) if k == "mentions" else row.get(k)
        out[k] = json.loads(value) if value is not None else None
    return out
