"""The duplicates-and-passages stage of `clean/dedupe.py` run as shuffles on an engine: its steps, Parquet in and out."""

from __future__ import annotations

import os
import shutil
import uuid
import zlib
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from storyline.batch.engines import Engine
from storyline.clean import dedupe
from storyline.settings import BUCKETS_PER_WORKER

DIR = "_crossdoc"
DUPLICATES = pa.schema([("article_id", pa.string()), ("duplicate_of", pa.string()), ("kind", pa.string()),
                        ("similarity", pa.float64())])
PASSAGES = pa.schema([("article_id", pa.string()), ("start", pa.int64()), ("end", pa.int64()),
                      ("other_article_id", pa.string()), ("other_start", pa.int64()), ("other_end", pa.int64())])

Order = tuple[str, int, int]  # (publication date or '9999', partition, position): the canonical dedupe order


def _bucket(key: bytes, buckets: int) -> int:
    return zlib.crc32(key) % buckets


def _part_number(part_dir: str) -> int:
    return int(Path(part_dir).name.split("=", 1)[1])


# --- map and reduce tasks (run on the workers) --------------------------------------------------------
def lsh_keys(part_dir: str, buckets: int) -> list[list[tuple[bytes, Order, str, str]]]:
    """Map: each article's `dedupe.keys` (its exact-text key and LSH band keys), sorted into shuffle buckets."""
    out: list[list[tuple[bytes, Order, str, str]]] = [[] for _ in range(buckets)]
    table = pq.read_table(Path(part_dir) / "articles.parquet", columns=["id", "text_hash", "minhash", "published", "ord"])
    number = _part_number(part_dir)
    for row in table.to_pylist():
        pub = row["published"] or {}
        order = (pub.get("date") or pub.get("earliest") or "9999", number, row["ord"])
        for k in dedupe.keys(row["text_hash"], row["minhash"]):
            out[_bucket(k, buckets)].append((k, order, row["id"], row["text_hash"]))
    return out


def candidate_pairs(*parts: list[tuple[bytes, Order, str, str]]) -> list[tuple[str, Order, str, Order, str]]:
    """Reduce: within one bucket, the articles sharing a key → `dedupe.pairs_of_key`'s candidate pairs."""
    groups: dict[bytes, list[tuple[Order, str, str]]] = {}
    for rows in parts:
        for key, order, aid, th in rows:
            groups.setdefault(key, []).append((order, aid, th))
    return sorted({p for key, members in groups.items() for p in dedupe.pairs_of_key(key, members)})


def similarities(part_dir: str, pairs: list[tuple[str, str, str]]) -> list[tuple[str, str, float]]:
    """For (earlier id, earlier partition folder, later id) with the later article in `part_dir`: the
    shingle Jaccard the finder confirms a candidate with."""
    want: dict[str, set[str]] = {part_dir: {p[2] for p in pairs}}
    for eid, edir, _ in pairs:
        want.setdefault(edir, set()).add(eid)
    texts: dict[str, str] = {}
    for d, ids in want.items():
        t = pq.read_table(Path(d) / "articles.parquet", columns=["id", "text"], filters=[("id", "in", sorted(ids))])
        texts.update(zip(t.column("id").to_pylist(), t.column("text").to_pylist()))
    cache: dict[str, set[bytes]] = {}
    out = []
    for eid, _, lid in pairs:
        a = cache.setdefault(eid, dedupe.shingles(texts[eid]))
        b = cache.setdefault(lid, dedupe.shingles(texts[lid]))
        out.append((eid, lid, dedupe.jaccard(a, b)))
    return out


def passage_keys(part_dir: str, duplicates: list[str], buckets: int) -> list[list[tuple[str, str, int, int]]]:
    """Map: (paragraph hash, article id, span) of the paragraphs long enough to count as shared, per bucket."""
    out: list[list[tuple[str, str, int, int]]] = [[] for _ in range(buckets)]
    skip = set(duplicates)
    table = pq.read_table(Path(part_dir) / "articles.parquet", columns=["id", "text"])
    for aid, text in zip(table.column("id").to_pylist(), table.column("text").to_pylist()):
        if aid in skip:
            continue
        for h, (s, e) in dedupe.passage_hashes(text):
            out[_bucket(h.encode(), buckets)].append((h, aid, s, e))
    return out


def write_passages(out_dir: str, bucket: int, *parts: list[tuple[str, str, int, int]]) -> int:
    """Reduce: a bucket's shared passages (each pair both ways), written as one Parquet file."""
    by_hash: dict[str, list[tuple[str, tuple[int, int]]]] = {}
    for rows in parts:
        for h, aid, s, e in rows:
            by_hash.setdefault(h, []).append((aid, (s, e)))
    rows = sorted({(p.article_id, *p.span, p.other_article_id, *p.other_span)
                   for occ in by_hash.values() for p in dedupe.passages_of_hash(occ)})
    _write(Path(out_dir) / f"passages-{bucket:04d}.parquet",
           pa.Table.from_pylist([dict(zip(PASSAGES.names, r)) for r in rows], schema=PASSAGES))
    return len(rows)


def _write(path: Path, table: pa.Table) -> None:
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}")
    pq.write_table(table, tmp)
    os.replace(tmp, path)


# --- the driver ----------------------------------------------------------------------------------
def run(engine: Engine, out: Path, parts: list[Path]) -> tuple[int, int]:
    """Duplicates and shared passages of a finished batch, written under `out/_crossdoc`; returns their counts."""
    work = out / DIR
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    buckets = BUCKETS_PER_WORKER * max(1, engine.workers)
    dirs = [str(p) for p in parts]
    # 1. band-wise grouping: map per partition, shuffle by key bucket, candidate pairs per bucket
    maps = [engine.submit(lsh_keys, d, buckets) for d in dirs]
    reduces = [engine.submit(candidate_pairs, *[engine.pick(m, b) for m in maps]) for b in range(buckets)]
    pairs = sorted({p for rs in engine.gather(reduces) for p in rs})
    # 2. confirm near candidates on their shingles, grouped by the later article's partition
    by_part: dict[int, list[tuple[str, str, str]]] = {}
    for kind, eo, eid, lo, lid in pairs:
        if kind == "near":
            by_part.setdefault(lo[1], []).append((eid, dirs[eo[1]], lid))
    checks = [engine.submit(similarities, dirs[n], ps) for n, ps in sorted(by_part.items())]
    sims = {(e, o): s for rs in engine.gather(checks) for e, o, s in rs}
    dups = dedupe.decide(pairs, sims)
    _write(work / "duplicates.parquet", pa.Table.from_pylist(
        [{"article_id": a, "duplicate_of": o, "kind": k, "similarity": s} for a, (o, k, s) in sorted(dups.items())],
        schema=DUPLICATES))
    # 3. shared passages: paragraph hashes shuffled by bucket, duplicates left out
    part_of = {lid: lo[1] for _, _, _, lo, lid in pairs}  # a duplicate is always the later article of a pair
    dup_by_part: dict[int, list[str]] = {}
    for aid in dups:
        dup_by_part.setdefault(part_of[aid], []).append(aid)
    maps = [engine.submit(passage_keys, d, dup_by_part.get(n, []), buckets) for n, d in enumerate(dirs)]
    writes = [engine.submit(write_passages, str(work), b, *[engine.pick(m, b) for m in maps]) for b in range(buckets)]
    shared = sum(engine.gather(writes))
    return len(dups), shared // 2


def read_duplicates(out: Path) -> dict[str, tuple[str, str, float]] | None:
    path = out / DIR / "duplicates.parquet"
    if not path.exists():
        return None
    return {r["article_id"]: (r["duplicate_of"], r["kind"], r["similarity"]) for r in pq.read_table(path).to_pylist()}


def read_passages(out: Path) -> list[tuple[str, int, int, str, int, int]] | None:
    files = sorted((out / DIR).glob("passages-*.parquet"))
    if not files:
        return None
    return [tuple(r.values()) for f in files for r in pq.read_table(f).to_pylist()]
