"""Entity canonicalisation on the engine: `storyline.nlp.canonical`'s steps over partitions and buckets, Parquet out.

The algorithm is the steps' (`article_items`, `acronym_edges` / `acronym_roots`, `type_votes` /
`decide_type`, `route`, `people_by_surname`, `people_by_first_name`, `entities_of`, `finish`); this module
only reads partitions, runs each map over a partition's articles, sends what it emits to shuffle buckets
by its key, runs each reduce over a bucket (a set of whole keys), and writes Parquet."""

from __future__ import annotations

import json
import shutil
import zlib
from pathlib import Path
from typing import Any, Iterator

import pyarrow as pa
import pyarrow.parquet as pq

from storyline.batch.crossdoc import BUCKETS_PER_WORKER, DIR, _write
from storyline.batch.engines import Engine
from storyline.batch.partition import part_name
from storyline.model import Entity, Mention
from storyline.nlp.canonical import (
    Decision, Item, Keyed, Name, Part, Rec, acronym_edges, acronym_roots, article_items, decide_type, entities_of,
    entity_order, finish, item_of, people_by_first_name, people_by_surname, record, route, type_votes,
)

SCALARS, LISTS = ("id", "name", "type"), ("aliases", "roles", "mentions")  # an entity's fields: columns, JSON text
OPTIONAL = ("capital_of", "media")  # fields `Entity.to_json` gives only when set: nullable columns
ENTITIES = pa.schema([(k, pa.string()) for k in SCALARS + LISTS] + [("capital_of", pa.string()), ("media", pa.bool_())])
ENTITY_IDS = pa.schema([("article_id", pa.string()), ("start", pa.int64()), ("end", pa.int64()),
                        ("entity_id", pa.string())])
IDS_DIR = "entity-ids"  # under DIR: one file a partition, its articles' linked mentions

RootDecision = tuple[str, str, bool]  # (acronym-group root, its type, mostly a person)
Route = tuple[str, int, int, str]  # (article id, start, end, entity id)


def _bucket(key: str, buckets: int) -> int:
    """The shuffle bucket of a key (a name-key root, a surname or first name, a base entity id)."""
    return zlib.crc32(key.encode("utf-8", "surrogatepass")) % buckets


def _slots(channels: int, buckets: int) -> list[list[Any]]:
    """A task's output for `channels` shuffles of `buckets` each: slot c * buckets + b is bucket b of shuffle c."""
    return [[] for _ in range(channels * buckets)]


def _joined(*lists: list[Any]) -> list[Any]:
    """One list of the lists a task was given (a partition's share of every bucket of a shuffle)."""
    return [x for xs in lists for x in xs]


def _articles(part_dir: str, skip: list[str]) -> Iterator[tuple[list[Item], list[Item]]]:
    """A partition's articles in id order, each as `article_items` gives it (all named mentions, the free
    ones); the articles in `skip` (copies an earlier partition holds) left out."""
    path = Path(part_dir) / "annotations.parquet"
    col = "mentions" if "mentions" in pq.read_schema(path).names else "entities"  # a partition written before
    t = pq.read_table(path, columns=["article_id", col])
    per = {aid: json.loads(ents or "[]")
           for aid, ents in zip(t.column("article_id").to_pylist(), t.column(col).to_pylist())}
    for aid in sorted(per.keys() - set(skip)):
        yield article_items(aid, [Mention(**{**m, "span": tuple(m["span"])}) for m in per[aid]])


# --- 0. each article once (the same input given twice puts an article in two partitions) ----------
def article_ids(part_dir: str, p: int, buckets: int) -> list[list[tuple[str, int]]]:
    """Map: the partition's article ids, sorted into shuffle buckets."""
    out: list[list[tuple[str, int]]] = _slots(1, buckets)
    ids = pq.read_table(Path(part_dir) / "annotations.parquet", columns=["article_id"]).column("article_id")
    for aid in set(ids.to_pylist()):
        out[_bucket(aid, buckets)].append((aid, p))
    return out


def owners(partitions: int, *parts: list[tuple[str, int]]) -> list[list[str]]:
    """Reduce: per partition, the articles of a bucket it must skip, an earlier partition holding them too."""
    first: dict[str, int] = {}
    for rows in parts:
        for aid, p in rows:
            first[aid] = min(p, first.get(aid, p))
    skip: list[list[str]] = [[] for _ in range(partitions)]
    for rows in parts:
        for aid, p in rows:
            if p != first[aid]:
                skip[p].append(aid)
    return skip


# --- 1. acronym groups (map per partition, one small global task) ---------------------------------
def acronym_pairs(part_dir: str, skip: list[str]) -> list[tuple[str, str]]:
    """Map: the "Long Name (ACRONYM)" name-key pairs of a partition's articles."""
    return sorted({e for _, free in _articles(part_dir, skip) for e in acronym_edges(free)})


def roots(*parts: list[tuple[str, str]]) -> dict[str, str]:
    """The connected components over every partition's acronym pairs: name key -> its group's root.

    One task sees every pair: the list is proportional to the distinct acronym pairs of the corpus
    (a few per organisation), not to its mentions."""
    return acronym_roots(e for edges in parts for e in edges)


# --- 2. types by majority per acronym group (shuffle by root, decisions back to the partitions) -----
def vote_keys(part_dir: str, p: int, skip: list[str], root_of: dict[str, str],
              buckets: int) -> list[list[tuple[str, int, dict]]]:
    """Map: the partition's type votes per acronym-group root, sorted into shuffle buckets by root."""
    free = [it for _, fr in _articles(part_dir, skip) for it in fr]
    out: list[list[tuple[str, int, dict]]] = _slots(1, buckets)
    for root, c in type_votes(free, root_of).items():
        out[_bucket(root, buckets)].append((root, p, dict(c)))
    return out


def decide_types(partitions: int, *parts: list[tuple[str, int, dict]]) -> list[list[RootDecision]]:
    """Reduce: a bucket's roots, each with its type and whether it is mostly a person (`decide_type`),
    returned per partition (each gets the roots it voted on)."""
    votes: dict[str, list[dict]] = {}
    asked: dict[str, set[int]] = {}
    for rows in parts:
        for root, p, c in rows:
            votes.setdefault(root, []).append(c)
            asked.setdefault(root, set()).add(p)
    out: list[list[RootDecision]] = [[] for _ in range(partitions)]
    for root, cs in votes.items():
        etype, person = decide_type(root, cs)
        for p in asked[root]:
            out[p].append((root, etype, person))
    return out


# --- 3. mentions into their shuffles: people by surname, the rest straight to entity buckets --------
SURNAMES, ENTITY = 0, 1  # the two shuffles `route_mentions` feeds


def route_mentions(part_dir: str, p: int, skip: list[str], root_of: dict[str, str], buckets: int,
                   *decided: list[RootDecision]) -> list[list[Any]]:
    """Map: `route` over each article of the partition, its mentions as records: the Names to their
    surname buckets, the Parts (merged per group over the partition) to their entity buckets."""
    decisions: dict[str, Decision] = {root: (etype, person) for rows in decided for root, etype, person in rows}
    out = _slots(2, buckets)
    grouped: dict[Any, tuple[str, list[Rec]]] = {}
    for items, free in _articles(part_dir, skip):
        names, parts = route(items, free, root_of, decisions)
        _send(out, SURNAMES, buckets, [(k, Name(n.kind, n.name, [record(it, p) for it in n.mentions])) for k, n in names])
        for key, part in parts:
            grouped.setdefault(part.group, (key, []))[1].extend(record(it, p) for it in part.mentions)
    _send(out, ENTITY, buckets, [(key, Part(group, recs)) for group, (key, recs) in grouped.items()])
    return out


def _send(out: list[list[Any]], channel: int, buckets: int, keyed: list[Keyed[Any]]) -> None:
    """Put each value in its key's bucket of shuffle `channel` (entity keys are base ids: collisions meet)."""
    for key, v in keyed:
        out[channel * buckets + _bucket(key, buckets)].append(v)


# --- 4. people across articles (shuffle by surname, then bare names by first name) -----------------
FIRST_NAMES = 0  # the shuffles `surname_buckets` feeds: first names, then entity buckets (ENTITY)


def surname_buckets(buckets: int, *parts: list[Name[Rec]]) -> list[list[Any]]:
    """Reduce: `people_by_surname` over a bucket's surnames; the Names it emits to first-name buckets,
    the Parts to entity buckets."""
    firsts, groups = people_by_surname(n for rows in parts for n in rows)
    out = _slots(2, buckets)
    _send(out, FIRST_NAMES, buckets, firsts)
    _send(out, ENTITY, buckets, groups)
    return out


def first_name_buckets(buckets: int, *parts: list[Name[Rec]]) -> list[list[Any]]:
    """Reduce: `people_by_first_name` over a bucket's first names; the Parts to entity buckets."""
    out = _slots(1, buckets)
    _send(out, 0, buckets, people_by_first_name(n for rows in parts for n in rows))  # its one shuffle
    return out


# --- 5. entities per base id, and each partition's linked mentions ----------------------------------
def write_entities(out_dir: str, bucket: int, partitions: int, *parts: list[Part[Rec]]
                   ) -> tuple[int, list[list[Route]]]:
    """Reduce: `entities_of` over a bucket's entity keys (all entities of a base id meet here), written as
    one Parquet file; returns their count and, per partition, its mentions' entity ids."""
    part_of: dict[str, int] = {}  # article id -> the partition that holds it
    items: list[Part[Item]] = []
    for rows in parts:
        for group, recs in rows:
            part_of.update((r[1], r[0]) for r in recs)
            items.append(Part(group, [item_of(r) for r in recs]))
    entities = entities_of(items)
    back: list[set[Route]] = [set() for _ in range(partitions)]
    for e in entities:
        for aid, span, _ in e.mentions:
            back[part_of[aid]].add((aid, span[0], span[1], e.id))
    _write(Path(out_dir) / f"entities-{bucket:04d}.parquet",
           pa.Table.from_pylist([_entity_row(e) for e in sorted(entities, key=entity_order)], schema=ENTITIES))
    return len(entities), [sorted(b) for b in back]


def _entity_row(e: Entity) -> dict[str, Any]:
    """An entity as a Parquet row: id, name and type as columns, its lists as JSON text."""
    j = e.to_json()
    return {**{k: j[k] for k in SCALARS}, **{k: json.dumps(j[k]) for k in LISTS}, **{k: j.get(k) for k in OPTIONAL}}


def write_entity_ids(ids_dir: str, name: str, *parts: list[Route]) -> int:
    """Per partition: its articles' mentions with their entity ids, as one Parquet file."""
    rows = sorted(r for rows in parts for r in rows)
    _write(Path(ids_dir) / f"{name}.parquet",
           pa.Table.from_pylist([dict(zip(ENTITY_IDS.names, r)) for r in rows], schema=ENTITY_IDS))
    return len(rows)


# --- the driver ----------------------------------------------------------------------------------
def run(engine: Engine, out: Path, parts: list[Path], buckets: int | None = None) -> int:
    """Canonical entities of a finished, annotated batch, written under `out/_crossdoc`; returns their count.

    The driver only wires tasks together: no mention, vote or entity passes through it."""
    work = out / DIR
    ids_dir = work / IDS_DIR
    for old in work.glob("entities-*.parquet"):
        old.unlink()
    shutil.rmtree(ids_dir, ignore_errors=True)
    ids_dir.mkdir(parents=True)
    b_n = buckets or BUCKETS_PER_WORKER * max(1, engine.workers)
    dirs, n = [str(p) for p in parts], len(parts)
    # 0. article ids shuffled: an article in several partitions is read in the first one only
    ids = [engine.submit(article_ids, d, p, b_n) for p, d in enumerate(dirs)]
    owned = [engine.submit(owners, n, *[engine.pick(i, b) for i in ids]) for b in range(b_n)]
    skip = [engine.submit(_joined, *[engine.pick(o, p) for o in owned]) for p in range(n)]
    # 1. acronym pairs per partition, their connected components in one task (small: distinct pairs)
    root_of = engine.submit(roots, *[engine.submit(acronym_pairs, d, skip[p]) for p, d in enumerate(dirs)])
    # 2. type votes shuffled by root; each partition gets back the decisions on its roots
    votes = [engine.submit(vote_keys, d, p, skip[p], root_of, b_n) for p, d in enumerate(dirs)]
    decided = [engine.submit(decide_types, n, *[engine.pick(v, b) for v in votes]) for b in range(b_n)]
    # 3. mentions routed: people to surname buckets, the rest to entity buckets
    routed = [engine.submit(route_mentions, d, p, skip[p], root_of, b_n, *[engine.pick(r, p) for r in decided])
              for p, d in enumerate(dirs)]
    # 4. people across articles by surname, then bare names by first name
    surnamed = [engine.submit(surname_buckets, b_n, *[engine.pick(r, SURNAMES * b_n + b) for r in routed])
                for b in range(b_n)]
    firsted = [engine.submit(first_name_buckets, b_n, *[engine.pick(s, FIRST_NAMES * b_n + b) for s in surnamed])
               for b in range(b_n)]
    # 5. entities per base-id bucket; each partition's linked mentions shuffled back to it
    written = [engine.submit(write_entities, str(work), b, n,
                             *[engine.pick(r, ENTITY * b_n + b) for r in routed],
                             *[engine.pick(s, ENTITY * b_n + b) for s in surnamed],
                             *[engine.pick(f, b) for f in firsted]) for b in range(b_n)]
    back = [engine.pick(w, 1) for w in written]
    writes = [engine.submit(write_entity_ids, str(ids_dir), Path(d).name, *[engine.pick(r, p) for r in back])
              for p, d in enumerate(dirs)]
    engine.gather(writes)
    return sum(engine.gather([engine.pick(w, 0) for w in written]))


def read_entities(out: Path) -> list[dict[str, Any]] | None:
    """The batch's entities as `Entity.to_json()` dicts, in `canonicalise`'s order; None when not written."""
    files = sorted((out / DIR).glob("entities-*.parquet"))
    if not files:
        return None
    ents = [{**{k: r[k] for k in SCALARS}, **{k: json.loads(r[k]) for k in LISTS},
             **{k: r[k] for k in OPTIONAL if r.get(k)}}
            for f in files for r in pq.read_table(f).to_pylist()]
    return [e.to_json() for e in finish([Entity.from_json(e) for e in ents])]  # over all the buckets' entities


def article_entities(out: Path, part_number: int) -> dict[str, list[str]] | None:
    """Partition `part_number`'s articles -> the entity ids of their mentions, by mention start then
    entity id (one per start and entity, as the store's entity_mentions holds them); None when not written."""
    path = out / DIR / IDS_DIR / f"{part_name(part_number)}.parquet"
    if not path.exists():
        return None
    rows = sorted({(r["article_id"], r["start"], r["entity_id"]) for r in pq.read_table(path).to_pylist()})
    by_article: dict[str, list[str]] = {}
    for aid, _, eid in rows:
        by_article.setdefault(aid, []).append(eid)
    return by_article
