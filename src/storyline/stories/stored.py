"""Placing new articles in the stories of a stored corpus: the stories an article may join, found from bounds, then `cluster.choose` over their articles.

`cluster.assign_pending` compares an article with every story article holding one of its blocking keys; in a
news corpus that is nearly every article (common words and entities). What it decides depends only on the
stories that can reach JOIN_AT (`cluster.may_join`), so this index hands it the articles of those stories
alone, and the decision is the same. To find them without reading every article's vector it bounds:

- the text cosine of each story article sharing a term with the new one, from the postings of the new
  article's terms: each holds the term's frequency factor over the article's norm. A term's weight is fixed
  (`cluster.term_weight`: general English, not this corpus), so the norm written when the article is added
  holds, and the bound is the cosine. The norms are all computed again (an *epoch*) after a build placing
  most articles in memory, when articles leave the statistics, and when the stored norms were computed with
  other weights (`cluster.WEIGHTS`: an older storyline's);
- the entity overlap of each story article sharing an entity: the shared weight over the new article's
  weight plus the story article's other entities, each weighing at least what the most common can weigh.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from typing import Any

from storyline.store import Store
from storyline.stories import cluster


def epoch_norm(counts: dict[str, int]) -> float:
    """An article's text vector norm (of `cluster.text_weights`)."""
    return math.sqrt(sum(w * w for w in cluster.text_weights(counts).values()))


def add_terms(store: Store, counts: dict[int, dict[str, int]]) -> None:
    """New articles' term counts into the stored statistics, with their norms (when there is an epoch)."""
    if not counts:
        return
    norms = {seq: epoch_norm(c) for seq, c in counts.items()} if store.story_epoch() is not None else {}
    store.add_story_terms(counts, norms)


def new_epoch(store: Store, counts: dict[int, dict[str, int]] | None = None) -> None:
    """A new epoch: every article's norm again (work in proportion to the corpus). `counts`: every article's
    term counts where the caller holds them."""
    n = store.story_statistics([])[0]
    if counts is None or len(counts) != n:
        counts = store.story_counts_all()
    norms = {seq: epoch_norm(c) for seq, c in counts.items()}
    store.save_story_epoch(n, norms, None if store.story_postings_weighed() else counts, cluster.WEIGHTS)


class StoredStories:
    """`cluster.StoryIndex` over the store: the statistics, postings and term counts it keeps, and the
    articles placed in this run (not written yet)."""

    def __init__(self, store: Store):
        self.store = store
        self.n = store.story_statistics([])[0]
        if store.story_epoch() is None or store.story_epoch_weights() != cluster.WEIGHTS:
            new_epoch(store)
        self._df: dict[str, int] = {}
        self.placed: dict[int, tuple[dict, str]] = {}  # seq → (row with counts and entities, story)
        self.postings: dict[str, list[int]] = {}  # their keys
        self.sizes: Counter = Counter()  # articles placed in this run, by story
        self._stored_sizes: dict[str, int] = {}
        self.by_id: dict[str, str] = {}
        self._vectors: dict[int, tuple[dict[str, int], list[str], dict[str, Any], str | None]] = {}
        self._floor: float | None = None  # the least weight an entity can have now

    def df(self, keys: Iterable[str]) -> dict[str, int]:
        keys = set(keys)
        missing = keys - self._df.keys()
        if missing:
            self._df.update(self.store.story_statistics(missing)[1])
        return {k: self._df[k] for k in keys}

    def _stored(self, seqs: Iterable[int]) -> dict[int, tuple[dict[str, int], list[str], dict[str, Any], str | None]]:
        """Stored articles' (counts, entities, publication, story), read once."""
        todo = [s for s in seqs if s not in self._vectors]
        if todo:
            self._vectors.update(self.store.story_vectors(todo))
        return {s: self._vectors[s] for s in seqs if s in self._vectors}

    def _exact(self, seqs: Iterable[int], vec: dict[str, float], ents: dict[str, float]) -> dict[int, tuple[float, float]]:
        """seq → (text cosine, entity overlap) with the article placed, computed from the articles' vectors."""
        rows: dict[int, tuple[dict[str, int], list[str]]] = {}
        for seq in seqs:
            if seq in self.placed:
                rows[seq] = (self.placed[seq][0]["counts"], self.placed[seq][0]["entities"])
        for seq, (c, es, _, _) in self._stored([s for s in seqs if s not in self.placed]).items():
            rows[seq] = (c, es)
        df = self.df({"e" + e for _, es in rows.values() for e in es})
        out = {}
        for seq, (c, es) in rows.items():
            v = cluster.text_vector(c)
            ew = cluster.entity_weights(es, {e: df["e" + e] for e in es}, self.n)
            out[seq] = (sum(w * v.get(t, 0.0) for t, w in vec.items()),
                        cluster.weighted_overlap(ents, ew) if ents and ew else 0.0)
        return out

    def candidates(self, keys: Iterable[str], vec: dict[str, float], ents: dict[str, float]) -> list[int]:
        """The articles holding one of `keys` in the stories the article may join (`cluster.may_join`), from
        bounds on the similarities of every story article sharing a term or an entity with it."""
        reach = cluster.JOIN_AT - cluster.BOUND_SLACK
        # text: each posting's factor over its article's norm, times the term's weight
        scale = {t: w * cluster.term_weight(t) for t, w in vec.items()}
        cos: dict[int, float] = {}
        exact: set[int] = set()
        for term, seq, w in self.store.story_term_weights(vec):
            if w is None:
                exact.add(seq)
            else:
                cos[seq] = cos.get(seq, 0.0) + scale[term] * w
        # entities: the shared weight over the article's and the story article's others at their least
        total = sum(ents.values())
        shared: dict[int, float] = {}
        common: Counter = Counter()
        story: dict[int, str] = {}
        for seq, e, sid in self.store.story_entity_pairs(ents) if ents else ():
            shared[seq] = shared.get(seq, 0.0) + ents[e]
            common[seq] += 1
            if sid:
                story[seq] = sid
        found = self._exact(exact, vec, ents)
        # a story reaches JOIN_AT only if one of its articles' bounds does (`may_join` weighs them)
        seeds = ({s for s, c in cos.items() if c >= reach} | {s for s, x in shared.items() if x / total >= reach}
                 | {s for s, (c, o) in found.items() if max(c, o) >= reach})
        story.update((s, sid) for s, (_, sid) in self.placed.items())
        story.update(self.store.story_ids_at(s for s in seeds if s not in story))
        stories = {story[s] for s in seeds if s in story}
        if not stories:
            return []
        members = self.store.story_member_seqs(stories)
        for seq, (_, sid) in self.placed.items():
            if sid in stories:
                members.setdefault(sid, []).append(seq)
        counts = self.store.story_entity_counts(s for ms in members.values() for s in ms if s in shared)
        if self._floor is None:
            self._floor = max(0.0, cluster.rarity(self.n, self.store.article_count()))
        bounds = []
        for sid, ms in members.items():
            for s in ms:
                if s in found:
                    bounds.append((sid, *found[s]))
                else:
                    ov = shared.get(s, 0.0)
                    if ov:
                        ov /= total + (counts.get(s, common[s]) - common[s]) * self._floor
                    bounds.append((sid, cos.get(s, 0.0), ov))
        near = cluster.may_join(bounds)
        seqs = sorted(s for sid in near for s in members[sid])
        keys = set(keys)
        stored = self._stored([s for s in seqs if s not in self.placed])
        out = []
        for s in seqs:
            c, es = (self.placed[s][0]["counts"], self.placed[s][0]["entities"]) if s in self.placed else stored[s][:2]
            if any("t" + t in keys for t in c) or any("e" + e in keys for e in es):
                out.append(s)
        return out

    def article(self, refs: list[int]) -> dict[int, tuple[dict[str, int], list[str], Any, str]]:
        out = {}
        for seq in refs:
            if seq in self.placed:
                row, story = self.placed[seq]
                out[seq] = (row["counts"], row["entities"], cluster.article_date(row.get("published") or {}), story)
        for seq, (counts, ents, pub, sid) in self._stored([x for x in refs if x not in self.placed]).items():
            out[seq] = (counts, ents, cluster.article_date(pub or {}), sid or "")  # they hold a story (candidates)
        return out

    def size(self, story: str) -> int:
        if story not in self._stored_sizes:
            self._stored_sizes[story] = self.store.story_size(story)
        return self._stored_sizes[story] + self.sizes[story]

    def story_of(self, article_id: str) -> str | None:
        return self.by_id.get(article_id) or self.store.story_of(article_id)

    def place(self, ref: int, row: dict, story: str) -> None:
        self.placed[ref] = (row, story)
        for k in cluster.index_keys(row["counts"], row["entities"]):
            self.postings.setdefault(k, []).append(ref)
        self.sizes[story] += 1
        self.by_id[row["id"]] = story
