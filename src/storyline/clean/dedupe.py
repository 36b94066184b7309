"""Find exact and near-duplicate articles (MinHash LSH) and passages shared between articles."""

from __future__ import annotations

import hashlib
import re
import zlib
from dataclasses import dataclass

import numpy as np
from datasketch import MinHash, MinHashLSH

NUM_PERM = 128
SCHEME = "affine32"  # datasketch permutation scheme; stored signatures are only comparable within one
SHINGLE = 3  # words per shingle
NEAR_THRESHOLD = 0.6  # Jaccard similarity of word 3-shingles from which two articles are near-duplicates (one paragraph in four rewritten ≈ 0.63)
PASSAGE_MIN_WORDS = 15  # a shared paragraph must be at least this long to count as syndicated

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


def _minhash(sig: bytes) -> MinHash:
    return MinHash(
        num_perm=NUM_PERM, scheme=SCHEME, permutations=_TEMPLATE.permutations,
        hashvalues=np.frombuffer(sig, dtype=np.uint64),
    )


@dataclass(frozen=True)
class DedupeItem:
    """One article as the duplicate finder sees it; items come in canonical order (earliest first)."""

    article_id: str
    text_hash: str
    signature: bytes
    text: str


def find_duplicates(items: list[DedupeItem], threshold: float = NEAR_THRESHOLD) -> dict[str, tuple[str, str, float]]:
    """Map article id → (id of the earlier article it copies, "exact"|"near", similarity).

    The earliest item of a group is the original; every later one points to it directly.
    Near candidates come from LSH and are confirmed on the actual shingle Jaccard.
    """
    out: dict[str, tuple[str, str, float]] = {}
    first_by_hash: dict[str, str] = {}
    lsh = MinHashLSH(threshold=max(0.3, threshold - 0.15), num_perm=NUM_PERM)  # generous candidates, exact check below
    originals: dict[str, DedupeItem] = {}
    shingle_cache: dict[str, set[bytes]] = {}
    for it in items:
        if not it.text.strip():
            continue
        orig = first_by_hash.get(it.text_hash)
        if orig is not None:
            out[it.article_id] = (orig, "exact", 1.0)
            continue
        first_by_hash[it.text_hash] = it.article_id
        mh = _minhash(it.signature)
        best: tuple[float, str] | None = None
        for cand in lsh.query(mh):
            a = shingle_cache.setdefault(cand, shingles(originals[cand].text))
            b = shingle_cache.setdefault(it.article_id, shingles(it.text))
            sim = len(a & b) / max(1, len(a | b))
            if sim >= threshold and (best is None or sim > best[0] or (sim == best[0] and cand < best[1])):
                best = (sim, cand)
        if best is not None:
            out[it.article_id] = (best[1], "near", round(best[0], 3))
            continue
        lsh.insert(it.article_id, mh)
        originals[it.article_id] = it
    return out


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
    out = []
    for occ in by_hash.values():
        for aid, span in occ:
            for oid, ospan in occ:
                if oid != aid:
                    out.append(SharedPassage(aid, span, oid, ospan))
    return sorted(out, key=lambda p: (p.article_id, p.span, p.other_article_id))
