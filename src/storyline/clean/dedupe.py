"""Find exact and near-duplicate articles (MinHash LSH) and passages shared between articles."""

from __future__ import annotations

import functools
import hashlib
import re
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
from datasketch import MinHash, MinHashLSH

from storyline.settings import NEAR_THRESHOLD, NUM_PERM, PASSAGE_MIN_WORDS, SHINGLE

SCHEME = "affine32"  # datasketch permutation scheme; stored signatures are only comparable within one

_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def words(text: str) -> list[str]:
    return [w.casefold() for w in _WORD.findall(text)]


def text_hash(text: str) -> str:
    """Hash of the text with case, punctuation and spacing ignored: equal for exact copies."""
    return hashlib.sha256(" ".join(words(text)).encode("utf-8")).hexdigest()


def shingles(text: str, k: int = SHINGLE) -> set[bytes]:
    ws = words(text)
    if len(ws) < k:
        return {" ".join(ws).encode("utf-8")} if ws else set()
    return {" ".join(ws[i : i + k]).encode("utf-8") for i in range(len(ws) - k + 1)}


# CRC-32 as the shingle hash: stable across processes (stored signatures stay comparable) and
# several times cheaper than datasketch's default SHA-1; 32 bits is what the affine32 scheme uses.
_TEMPLATE = MinHash(num_perm=NUM_PERM, seed=1, scheme=SCHEME, hashfunc=zlib.crc32)


def signature(text: str) -> bytes:
    """MinHash signature of an article's word shingles, as bytes to store beside the article."""
    m = MinHash(num_perm=NUM_PERM, scheme=SCHEME, hashfunc=zlib.crc32, permutations=_TEMPLATE.permutations)
    m.update_batch(list(shingles(text)))
    return bytes(m.hashvalues.astype(np.uint64).tobytes())


@dataclass(frozen=True)
class DedupeItem:
    """One article as the duplicate finder sees it; items come in canonical order (earliest first)."""

    article_id: str
    text_hash: str
    signature: bytes
    text: str


# --- the stage, in steps both runners share (pipeline in one process, batch/crossdoc on an engine) ----
# map: each article's keys (its text hash, its LSH bands); reduce per key: candidate pairs; confirm the
# near candidates on their shingles; decide in canonical order. `find_duplicates` runs the steps over a
# list; the pipeline's incremental link runs them over the articles new ones share a key with.

@functools.lru_cache(maxsize=1)
def bands() -> tuple[int, int]:
    """(bands, rows per band) of the LSH banding: datasketch's choice for a candidate threshold a little
    under NEAR_THRESHOLD (generous candidates; the shingle Jaccard decides)."""
    lsh = MinHashLSH(threshold=max(0.3, NEAR_THRESHOLD - 0.15), num_perm=NUM_PERM)
    return lsh.b, lsh.r


def keys(text_hash: str, sig: bytes) -> list[bytes]:
    """Map: an article's keys. Articles sharing the text-hash key are exact copies; those sharing a band
    key are near-duplicate candidates."""
    b, r = bands()
    width = r * 8  # uint64 hash values
    return [b"h" + text_hash.encode()] + [b"b" + i.to_bytes(2, "big") + sig[i * width:(i + 1) * width]
                                          for i in range(b)]


def key_number(key: bytes) -> int:
    """A key as a signed 64-bit integer, as the store keeps it (a collision only adds a candidate)."""
    return int.from_bytes(hashlib.blake2b(key, digest_size=8).digest(), "big", signed=True)


Pair = tuple[str, Any, str, Any, str]  # (kind, earlier's order, earlier id, later's order, later id)


def pairs_of_key(key: bytes, members: list[tuple[Any, str, str]]) -> set[Pair]:
    """Reduce: the articles sharing one key, as (canonical order, id, text hash), → candidate pairs.

    "exact": every later copy of a text with its first copy; "near": pairs sharing an LSH band, copies
    of one text counted once (an exact copy is never looked up as a near one)."""
    if len(members) < 2:
        return set()
    members = sorted(members)
    if key[:1] == b"h":
        first = members[0]
        return {("exact", first[0], first[1], m[0], m[1]) for m in members[1:]}
    firsts, texts = [], set()
    for m in members:
        if m[2] not in texts:
            texts.add(m[2])
            firsts.append(m)
    return {("near", a[0], a[1], later[0], later[1]) for i, a in enumerate(firsts) for later in firsts[i + 1:]}


def jaccard(a: set[bytes], b: set[bytes]) -> float:
    """The shingle Jaccard a near candidate is confirmed on."""
    return len(a & b) / max(1, len(a | b))


def decide(pairs: Iterable[Pair], sims: dict[tuple[str, str], float],
           threshold: float = NEAR_THRESHOLD) -> dict[str, tuple[str, str, float]]:
    """Map article id → (id of the earlier article it copies, "exact"|"near", similarity), from the
    candidate pairs and the Jaccard of each near pair (earlier id, later id).

    Articles are taken in canonical order: an exact copy points to the first copy of its text; otherwise
    an article copies the most similar earlier original it is a near candidate of (ties: the smaller
    id), when the similarity reaches `threshold`; else it is an original."""
    exact: dict[str, str] = {}
    near: dict[str, list[str]] = {}
    order: dict[str, Any] = {}
    for kind, eo, eid, lo, lid in pairs:
        order[eid], order[lid] = eo, lo
        if kind == "exact":
            exact[lid] = eid
        else:
            near.setdefault(lid, []).append(eid)
    out: dict[str, tuple[str, str, float]] = {}
    indexed: set[str] = set()
    for aid in sorted(order, key=order.__getitem__):
        if aid in exact:
            out[aid] = (exact[aid], "exact", 1.0)
            continue
        best: tuple[float, str] | None = None
        for cand in near.get(aid, []):
            sim = sims[(cand, aid)]
            if cand in indexed and sim >= threshold and (best is None or sim > best[0] or (sim == best[0] and cand < best[1])):
                best = (sim, cand)
        if best is not None:
            out[aid] = (best[1], "near", round(best[0], 3))
            continue
        indexed.add(aid)
    return out


def find_duplicates(items: list[DedupeItem], threshold: float = NEAR_THRESHOLD) -> dict[str, tuple[str, str, float]]:
    """Map article id → (id of the earlier article it copies, "exact"|"near", similarity), the stage's
    steps run in one process over `items` (in canonical order; empty texts are left out).

    The earliest item of a group is the original; every later one points to it directly.
    """
    groups: dict[bytes, list[tuple[int, str, str]]] = {}
    text_of: dict[str, str] = {}
    for n, it in enumerate(items):
        if not it.text.strip():
            continue
        text_of[it.article_id] = it.text
        for k in keys(it.text_hash, it.signature):
            groups.setdefault(k, []).append((n, it.article_id, it.text_hash))
    pairs = {p for k, members in groups.items() for p in pairs_of_key(k, members)}
    cache: dict[str, set[bytes]] = {}

    def sh(aid: str) -> set[bytes]:
        if aid not in cache:
            cache[aid] = shingles(text_of[aid])
        return cache[aid]

    sims = {(e, later): jaccard(sh(e), sh(later)) for kind, _, e, _, later in pairs if kind == "near"}
    return decide(pairs, sims, threshold)


@dataclass(frozen=True)
class SharedPassage:
    article_id: str
    span: tuple[int, int]
    other_article_id: str
    other_span: tuple[int, int]


def paragraphs(text: str) -> list[tuple[int, int]]:
    """[start, end) spans of the paragraphs of a clean article text (blank-line separated)."""
    spans = []
    for m in re.finditer(r"[^\n]+(?:\n(?!\n)[^\n]+)*", text):
        spans.append((m.start(), m.end()))
    return spans


def passage_hashes(text: str) -> list[tuple[str, tuple[int, int]]]:
    """(hash of the words, span) of each paragraph long enough to count as a shared passage."""
    out = []
    for s, e in paragraphs(text):
        ws = words(text[s:e])
        if len(ws) >= PASSAGE_MIN_WORDS:
            out.append((hashlib.sha256(" ".join(ws).encode("utf-8")).hexdigest(), (s, e)))
    return out


def shared_passages(texts: dict[str, str], duplicates: dict[str, tuple[str, str, float]]) -> list[SharedPassage]:
    """Paragraphs that appear (case and punctuation aside) in more than one article.

    Duplicates are left out: their sharing is already said by `duplicate_of`.
    Each pair is reported both ways, so every article lists what it shares.
    """
    by_hash: dict[str, list[tuple[str, tuple[int, int]]]] = {}
    for aid, text in texts.items():
        if aid in duplicates:
            continue
        for h, span in passage_hashes(text):
            by_hash.setdefault(h, []).append((aid, span))
    out = [p for occ in by_hash.values() for p in passages_of_hash(occ)]
    return sorted(out, key=lambda p: (p.article_id, p.span, p.other_article_id))


def passages_of_hash(occ: list[tuple[str, tuple[int, int]]]) -> list[SharedPassage]:
    """Reduce: the (article id, span) holding one paragraph hash → its shared passages, each pair both ways."""
    return [SharedPassage(aid, span, oid, ospan) for aid, span in occ for oid, ospan in occ if oid != aid]
