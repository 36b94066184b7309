"""One partition of a batch: its units read, split, cleaned and annotated, written as Parquet files in one atomic rename."""

from __future__ import annotations

import hashlib
import json
import os
import resource
import shutil
import time
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from storyline.ingest.stream import Unit, read_unit, units
from storyline.model import Article, DocMeta, Document, Published, ReadProblem, Removed
from storyline.settings import DEFAULT_PART_MB, DEFAULT_UNITS

DONE = "_SUCCESS.json"

_SPAN = pa.list_(pa.int64())
SCHEMAS = {
    "documents": pa.schema([
        ("id", pa.string()), ("source", pa.string()), ("sha256", pa.string()), ("kind", pa.string()),
        ("encoding", pa.string()), ("meta", pa.string()), ("text", pa.string()), ("ord", pa.int32()),
    ]),
    "articles": pa.schema([  # the dossier-format article fields, plus what loading and deduplication need
        ("id", pa.string()), ("document_id", pa.string()), ("index", pa.int32()), ("title", pa.string()),
        ("text", pa.string()), ("source_span", _SPAN), ("text_map", pa.list_(pa.list_(pa.int64()))),
        ("published", pa.struct([("date", pa.string()), ("earliest", pa.string()),
                                 ("latest", pa.string()), ("evidence", pa.string())])),
        ("outlet", pa.string()), ("url", pa.string()), ("authors", pa.list_(pa.string())),
        ("syndicated_from", pa.list_(pa.string())),
        ("removed", pa.list_(pa.struct([("text", pa.string()), ("reason", pa.string()), ("span", _SPAN)]))),
        ("text_hash", pa.string()), ("minhash", pa.binary()), ("ord", pa.int32()),
        # absent from partitions written before languages were detected: loaded as NULL, detected at load
        ("language", pa.string()), ("language_score", pa.float64()),
    ]),
    "annotations": pa.schema([  # layers as JSON text, the shapes `storyline annotate` prints
        ("article_id", pa.string()), ("anchor", pa.string()), ("timexes", pa.string()), ("mentions", pa.string()),
        ("quotes", pa.string()), ("events", pa.string()), ("claims", pa.string()), ("timeml", pa.string()), ("title", pa.string()),
    ]),
    "problems": pa.schema([("source", pa.string()), ("message", pa.string())]),
}


@dataclass(frozen=True)
class Partition:
    """A run of consecutive units; its number orders it in the whole input, its key names its content."""

    number: int
    units: tuple[Unit, ...]

    @property
    def name(self) -> str:
        return part_name(self.number)

    @property
    def key(self) -> str:
        h = hashlib.sha256()
        for u in self.units:
            h.update(u.fingerprint().encode("utf-8", "surrogatepass") + b"\n")
        return h.hexdigest()[:32]


def plan(paths: Iterable[str | Path], max_bytes: int, size: int = DEFAULT_UNITS,
         part_mb: float = DEFAULT_PART_MB) -> Iterator[Partition | ReadProblem]:
    """Partitions of the input, streamed: at most `size` units and `part_mb` of raw bytes each.
    The same input always gives the same partitions, so a restarted batch finds the ones it finished."""
    cap = int(part_mb * 1024 * 1024)
    batch: list[Unit] = []
    held = number = 0
    for item in units(paths, max_bytes):
        if isinstance(item, ReadProblem):
            yield item
            continue
        if batch and (len(batch) >= size or held + item.size > cap):
            yield Partition(number, tuple(batch))
            number, batch, held = number + 1, [], 0
        batch.append(item)
        held += item.size
    if batch:
        yield Partition(number, tuple(batch))


def part_name(number: int) -> str:
    """The folder of partition `number` under a batch's output."""
    return f"part={number:06d}"


def written(out: Path, part: Partition) -> dict[str, Any] | None:
    """What a finished partition's `_SUCCESS.json` says (counts, whether annotated), or None when this
    partition, with this content, is not finished under `out`."""
    try:
        info = json.loads((out / part.name / DONE).read_text())
    except (OSError, ValueError):
        return None
    return info if info.get("key") == part.key else None


def process(part: Partition, out: str, max_bytes: int, annotate: bool = True) -> dict[str, Any]:
    """Run the per-article stages on a partition and write it: the worker's whole task.

    Written to a temporary folder and renamed into place, so a partition is either complete or absent;
    when a retried copy of the task finished first, this copy's result is dropped (never duplicated)."""
    from storyline.clean import dedupe
    from storyline.clean.language import is_english
    from storyline.pipeline import no_article_reason, normalise_document, process_document

    t0 = time.perf_counter()
    docs: list[Document] = []
    problems: list[ReadProblem] = []
    for unit in part.units:
        for item in read_unit(unit, max_bytes):
            (problems if isinstance(item, ReadProblem) else docs).append(item)
    doc_rows, art_rows, articles = [], [], []
    for d_ord, doc in enumerate(docs):
        doc = normalise_document(doc)
        doc_rows.append({"id": doc.id, "source": doc.source, "sha256": doc.sha256, "kind": doc.kind,
                         "encoding": doc.encoding, "meta": json.dumps(asdict(doc.meta)), "text": doc.text, "ord": d_ord})
        found = process_document(doc)
        if not found:
            problems.append(ReadProblem(doc.source, no_article_reason(doc)))
        for a in found:
            articles.append(a)
            art_rows.append(_article_row(a, dedupe.text_hash(a.text), dedupe.signature(a.text), len(art_rows)))
    ann_rows = []
    english = [a for a in articles if is_english(a.language)]  # the English layers on English articles only
    if annotate and english:
        from storyline.nlp.annotate import NotAnnotated, annotate_texts, layers_json

        source_of = {d.id: d.source for d in docs}
        for a, lay in zip(english, annotate_texts((a.text, a.published, a.title) for a in english)):
            if isinstance(lay, NotAnnotated):  # that article's problem; the partition goes on (as build does)
                problems.append(ReadProblem(source_of[a.document_id],
                                            f"article {a.index + 1} ({a.id}) not annotated: {lay.reason}"))
                continue
            stored = layers_json(lay)
            ann_rows.append({"article_id": a.id, "anchor": stored.pop("anchor"),
                             **{k: json.dumps(v) for k, v in stored.items()}})
    tables = {"documents": doc_rows, "articles": art_rows, "annotations": ann_rows,
              "problems": [{"source": p.source, "message": p.message} for p in problems]}
    _write_atomically(Path(out), part, tables, annotate)
    return {"partition": part.number, "documents": len(doc_rows), "articles": len(art_rows),
            "problems": len(problems), "seconds": time.perf_counter() - t0, "pid": os.getpid(),
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def _article_row(a: Article, text_hash: str, sig: bytes, ord_: int) -> dict[str, Any]:
    return {
        "id": a.id, "document_id": a.document_id, "index": a.index, "title": a.title, "text": a.text,
        "source_span": list(a.source_span), "text_map": [list(x) for x in a.text_map],
        "published": asdict(a.published), "outlet": a.outlet, "url": a.url, "authors": list(a.authors),
        "syndicated_from": list(a.syndicated_from),
        "removed": [{"text": r.text, "reason": r.reason, "span": list(r.span)} for r in a.removed],
        "text_hash": text_hash, "minhash": sig, "ord": ord_,
        "language": a.language, "language_score": a.language_score,
    }


def _write_atomically(out: Path, part: Partition, tables: dict[str, list[dict]], annotate: bool) -> None:
    final = out / part.name
    tmp = out / ".tmp" / f"{part.name}-{uuid.uuid4().hex}"
    tmp.mkdir(parents=True)
    try:
        for name, rows in tables.items():
            pq.write_table(pa.Table.from_pylist(rows, schema=SCHEMAS[name]), tmp / f"{name}.parquet")
        (tmp / DONE).write_text(json.dumps({"key": part.key, "annotated": annotate,
                                            **{name: len(rows) for name, rows in tables.items()}}))
        done = written(out, part)
        if done is not None and done.get("annotated", False) >= annotate:
            return  # another attempt of this task got there while this one ran
        if final.exists():
            shutil.rmtree(final)  # a stale partition: different input, or written without the annotation stage
        try:
            os.rename(tmp, final)
        except OSError:
            if written(out, part) is None:
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


# --- reading a batch's output back --------------------------------------------------------------
def finished(out: Path) -> list[Path]:
    """The finished partition folders of a batch output, in input order."""
    return sorted(p for p in out.glob("part=*") if (p / DONE).is_file())


def read_table(part_dir: Path, name: str, columns: list[str] | None = None) -> list[dict[str, Any]]:
    return pq.read_table(part_dir / f"{name}.parquet", columns=columns).to_pylist()


def article_from_row(r: dict[str, Any]) -> Article:
    return Article(
        document_id=r["document_id"], index=r["index"], title=r["title"], text=r["text"],
        source_span=tuple(r["source_span"]), text_map=[tuple(x) for x in r["text_map"]],
        removed=[Removed(d["text"], d["reason"], tuple(d["span"])) for d in r["removed"]],
        published=Published(**r["published"]), outlet=r["outlet"], url=r["url"],
        authors=list(r["authors"]), syndicated_from=list(r["syndicated_from"]),
        language=r.get("language"), language_score=r.get("language_score"),
    )


def document_from_row(r: dict[str, Any]) -> Document:
    return Document(source=r["source"], sha256=r["sha256"], kind=r["kind"], text=r["text"],
                    meta=DocMeta(**json.loads(r["meta"])), encoding=r["encoding"])
