"""The story stage of `stories/cluster.py` run as shuffles on an engine: term and entity statistics, blocking, pair scores; then one ordered pass."""

from __future__ import annotations

import json
import math
import os
import uuid
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from storyline.batch.crossdoc import DIR, _write
from storyline.batch.engines import Engine
from storyline.batch.partition import DONE
from storyline.model import stable_id
from storyline.settings import BUCKETS_PER_WORKER
from storyline.store.story_state import tf_factor
from storyline.stories import cluster

MIN_SIM = cluster.MIN_SIM  # the blocking bound (`cluster.prefix`)
STORIES = pa.schema([("article_id", pa.string()), ("story_id", pa.string())])
VECTORS = pa.schema([("ord", pa.int32()), ("id", pa.string()), ("date", pa.string()),
                     ("terms", pa.list_(pa.string())), ("weights", pa.list_(pa.float64())),
                     ("entities", pa.list_(pa.string())), ("rarity", pa.list_(pa.float64()))])

EntitiesOf = Callable[[int], dict[str, list[str]] | None]  # partition number -> article id -> canonical entity ids
Posting = tuple[str, int, int, int]  # (key, partition, position, count); a key is "t" + term or "e" + entity id
Ref = tuple[int, int]  # (partition, position): an article's place in ingestion order


def _bucket(key: str, buckets: int) -> int:
    return zlib.crc32(key.encode()) % buckets


# --- tasks -------------------------------------------------------------------------------------------
def postings(part_dir: str, number: int, entities_of: EntitiesOf, buckets: int) -> list[list[Posting]]:
    """Map: each article's term counts (the story vectoriser's tokens of title and text) and its
    canonical entities, sorted into key buckets."""
    ents = entities_of(number) or {}
    out: list[list[Posting]] = [[] for _ in range(buckets)]
    table = pq.read_table(Path(part_dir) / "articles.parquet", columns=["id", "title", "text", "ord"])
    for aid, title, text, pos in zip(*(table.column(c).to_pylist() for c in ("id", "title", "text", "ord"))):
        keys = [("t" + t, c) for t, c in cluster.term_counts(title, text).items()]
        keys += [("e" + e, 1) for e in dict.fromkeys(ents.get(aid, []))]
        for k, c in keys:
            out[_bucket(k, buckets)].append((k, number, pos, c))
    return out


def weigh(n: int, parts: int, *rows: list[Posting]) -> list[list[tuple[int, str, float, int]]]:
    """Reduce: a key bucket's document frequencies, each posting weighted (a term: (1 + log count) × its
    `cluster.term_weight`, an entity: its rarity) and sent back to its partition as (position, key, weight, df)."""
    by_key: dict[str, list[Posting]] = {}
    for part in rows:
        for p in part:
            by_key.setdefault(p[0], []).append(p)
    out: list[list[tuple[int, str, float, int]]] = [[] for _ in range(parts)]
    for key, ps in by_key.items():
        weight = cluster.term_weight(key[1:]) if key[0] == "t" else cluster.rarity(n, len(ps))
        for _, number, pos, count in ps:
            w = tf_factor(count) * weight if key[0] == "t" else weight
            out[number].append((pos, key, w, len(ps)))
    return out


def vectors(part_dir: str, number: int, vec_path: str, min_sim: float, buckets: int,
            *rows: list[tuple[int, str, float, int]]) -> list[list[tuple[str, Ref, bool]]]:
    """Map: a partition's articles as L2-normalised text vectors (`cluster.text_vector`) and weighted entity
    sets (written for the pair step), and each article's blocking keys (`prefix`) sorted into buckets."""
    meta = pq.read_table(Path(part_dir) / "articles.parquet", columns=["id", "ord", "published"]).to_pylist()
    per: dict[int, list[tuple[str, float, int]]] = {}
    for part in rows:
        for pos, key, w, df in part:
            per.setdefault(pos, []).append((key, w, df))
    table: dict[str, list[Any]] = {name: [] for name in VECTORS.names}
    out: list[list[tuple[str, Ref, bool]]] = [[] for _ in range(buckets)]
    for m in meta:
        keys = sorted(per.get(m["ord"], []))
        terms = [(k[1:], w) for k, w, _ in keys if k[0] == "t"]
        norm = math.sqrt(sum(w * w for _, w in terms)) or 1.0
        date = cluster.article_date(m["published"] or {})
        table["ord"].append(m["ord"])
        table["id"].append(m["id"])
        table["date"].append(date.isoformat() if date else None)
        table["terms"].append([t for t, _ in terms])
        table["weights"].append([w / norm for _, w in terms])
        table["entities"].append([k[1:] for k, _, _ in keys if k[0] == "e"])
        table["rarity"].append([w for k, w, _ in keys if k[0] == "e"])
        block = set(cluster.prefix([(df, k, w / norm) for k, w, df in keys if k[0] == "t"], min_sim, squared=True)
                    + cluster.prefix([(df, k, w) for k, w, df in keys if k[0] == "e"], min_sim))
        for k, _, df in keys:
            if df >= 2:  # a key in one article only pairs nothing
                out[_bucket(k, buckets)].append((k, (number, m["ord"]), k in block))
    _write(Path(vec_path), pa.Table.from_pydict(table, schema=VECTORS))
    return out


def candidates(parts: int, *rows: list[tuple[str, Ref, bool]]) -> list[list[tuple[Ref, Ref]]]:
    """Reduce: per key, each article holding it among its blocking keys paired with every earlier article
    holding it at all (`cluster.assign_pending`'s candidates), as (later, earlier) pairs sent to the
    later one's partition."""
    by_key: dict[str, list[tuple[Ref, bool]]] = {}
    for part in rows:
        for key, ref, probe in part:
            by_key.setdefault(key, []).append((ref, probe))
    out: list[set[tuple[Ref, Ref]]] = [set() for _ in range(parts)]
    for refs in by_key.values():
        refs.sort()
        for i, (later, probe) in enumerate(refs):
            if probe:
                out[later[0]].update((later, earlier) for earlier, _ in refs[:i])
    return [sorted(s) for s in out]


def scores(vec_dir: str, number: int, *rows: list[tuple[Ref, Ref]]) -> list[tuple[int, Ref, float, float, bool]]:
    """Map: for each candidate pair whose later article is in this partition, the text cosine, the
    entity overlap and whether they are years apart, as `cluster.assign` computes them."""
    pairs = sorted({p for part in rows for p in part})
    want: dict[int, set[int]] = {number: {later[1] for later, _ in pairs}}
    for _, (p, pos) in pairs:
        want.setdefault(p, set()).add(pos)
    tables, refs = [], []
    for p, positions in sorted(want.items()):
        t = pq.read_table(Path(vec_dir) / f"part={p:06d}.parquet", filters=[("ord", "in", sorted(positions))])
        tables.append(t)
        refs += [(p, o) for o in t.column("ord").to_pylist()]
    if not pairs:
        return []
    vecs = pa.concat_tables(tables)
    row = {ref: i for i, ref in enumerate(refs)}
    a_rows = [row[a] for a, _ in pairs]
    b_rows = [row[b] for _, b in pairs]
    cos = _products(vecs, "terms", "weights", a_rows, b_rows)
    shared = _products(vecs, "entities", "rarity", a_rows, b_rows, binary=True)
    total = [sum(r) for r in vecs.column("rarity").to_pylist()]
    days = [cluster.article_date({"date": d}) for d in vecs.column("date").to_pylist()]
    out = []
    for (later, earlier), i, j, sim, both in zip(pairs, a_rows, b_rows, cos, shared):
        union = total[i] + total[j] - both
        ov = both / union if union > 0 else 0.0  # cluster.weighted_overlap: shared entities by rarity over all of them
        out.append((later[1], earlier, sim, ov, cluster.far_apart(days[i], days[j])))
    return out


def _products(vecs: pa.Table, keys: str, weights: str, a_rows: list[int], b_rows: list[int],
              binary: bool = False) -> list[float]:
    """Per pair of rows, the dot product of row a's weights with row b's (or, `binary`, row a's weights
    over the keys both have): the rows as one sparse matrix over their own keys, multiplied once."""
    import numpy as np
    from scipy.sparse import csr_matrix

    k = vecs.column(keys).combine_chunks()
    w = vecs.column(weights).combine_chunks()
    cols = k.flatten().dictionary_encode().indices.to_numpy(zero_copy_only=False).astype(np.int64)
    m = csr_matrix((w.flatten().to_numpy(zero_copy_only=False).astype(np.float64), cols, k.offsets.to_numpy()),
                   shape=(len(vecs), int(cols.max()) + 1 if len(cols) else 1))
    other = m.copy()
    if binary:
        other.data[:] = 1.0
    later = np.unique(a_rows)
    product = (m[later] @ other.T).toarray()
    return product[np.searchsorted(later, a_rows), b_rows].tolist()


# --- the driver -------------------------------------------------------------------------------------
def run(engine: Engine, out: Path, parts: list[Path], entities_of: EntitiesOf,
        duplicates: dict[str, tuple[str, str, float]], min_sim: float = MIN_SIM) -> int:
    """Stories of a finished batch, written to `out/_crossdoc/stories.parquet`; returns how many.

    `entities_of(n)`: partition n's article → canonical entity ids.
    The statistics, blocking and pair scores run on the engine; the driver then walks the articles in
    ingestion order once, holding a story number per article and a size per story, and decides as
    `cluster.assign_pending` does, over the same candidates: each article with every earlier one holding
    one of its blocking keys (`cluster.prefix` at `min_sim`: every pair whose text cosine or entity
    overlap reaches it is among them)."""
    work = out / DIR / "stories"
    work.mkdir(parents=True, exist_ok=True)
    n, np_ = sum(json.loads((p / DONE).read_text())["articles"] for p in parts), len(parts)
    buckets = BUCKETS_PER_WORKER * max(1, engine.workers)
    dirs = [str(p) for p in parts]
    maps = [engine.submit(postings, d, k, entities_of, buckets) for k, d in enumerate(dirs)]
    weighed = [engine.submit(weigh, n, np_, *[engine.pick(m, b) for m in maps]) for b in range(buckets)]
    vecs = [engine.submit(vectors, d, k, str(work / f"part={k:06d}.parquet"), min_sim, buckets, *[engine.pick(w, k) for w in weighed]) for k, d in enumerate(dirs)]
    cands = [engine.submit(candidates, np_, *[engine.pick(v, b) for v in vecs]) for b in range(buckets)]
    scored = [engine.submit(scores, str(work), k, *[engine.pick(c, k) for c in cands]) for k in range(np_)]
    path = out / DIR / "stories.parquet"
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}")
    stories: set[str] = set()
    with pq.ParquetWriter(tmp, STORIES) as writer:
        for assigned in decide(engine, dirs, scored, duplicates):
            stories.update(s for _, s in assigned)
            writer.write_table(pa.Table.from_pylist([{"article_id": a, "story_id": s} for a, s in assigned],
                                                    schema=STORIES))
    os.replace(tmp, path)
    return len(stories)


def decide(engine: Engine, dirs: list[str], scored: list[Any],
           duplicates: dict[str, tuple[str, str, float]]) -> Iterator[list[tuple[str, str]]]:
    """`cluster.assign`'s decisions in ingestion order, from each partition's scored pairs in turn;
    yields each partition's (article id, story id).

    What it holds: a story number per article (a list per partition), an id and a size per story, and
    the places of the articles that are originals of duplicates; never texts or vectors."""
    story: list[list[int]] = []  # partition → position → story number
    ids: list[str] = []
    number_of: dict[str, int] = {}
    size: list[int] = []
    originals = {o for o, _, _ in duplicates.values()}
    where: dict[str, Ref] = {}
    for k, d in enumerate(dirs):
        out: list[tuple[str, str]] = []
        arts = pq.read_table(Path(d) / "articles.parquet", columns=["id", "ord"]).to_pylist()
        story.append([-1] * (max((a["ord"] for a in arts), default=-1) + 1))
        pairs: dict[int, list[tuple[Ref, float, float, bool]]] = {}
        for pos, earlier, sim, ov, far in engine.gather([scored[k]])[0]:
            pairs.setdefault(pos, []).append((tuple(earlier), sim, ov, far))
        for a in arts:
            dup = duplicates.get(a["id"])
            if dup and dup[0] in where:
                s = story[where[dup[0]][0]][where[dup[0]][1]]
            else:
                cands = sorted(pairs.get(a["ord"], []))
                nums = [story[p][q] for (p, q), *_ in cands]
                sid = cluster.choose([(ids[x], sim, ov, far) for x, (_, sim, ov, far) in zip(nums, cands)],
                                     {ids[x]: size[x] for x in nums})
                if sid is None:
                    sid = stable_id("s", a["id"])
                    number_of[sid] = len(ids)
                    ids.append(sid)
                    size.append(0)
                s = number_of[sid]
            story[k][a["ord"]] = s
            size[s] += 1
            if a["id"] in originals:
                where[a["id"]] = (k, a["ord"])
            out.append((a["id"], ids[s]))
        yield out


def read_stories(out: Path) -> dict[str, str] | None:
    """Article id → story id, as the batch assigned them; None when the batch has no stories."""
    path = out / DIR / "stories.parquet"
    if not path.exists():
        return None
    t = pq.read_table(path)
    return dict(zip(t.column("article_id").to_pylist(), t.column("story_id").to_pylist()))
