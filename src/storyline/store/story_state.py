"""The story stage's stored state, read and written for `stories.stored` (a part of `Store`): term counts, postings, statistics, the epoch's norms."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from storyline.store.connection import Transaction


def tf_factor(count: int) -> float:
    """A term's weight in an article before its rarity: 1 + log count (sublinear term frequency)."""
    return 1.0 + math.log(count)


class StoryState:
    """The story stage's state: see schema.TABLES ("the cross-article stages' state" and "what placing a new
    article bounds its similarities with") for what each table holds."""

    if TYPE_CHECKING:
        db: Any
        pg: bool

        def transaction(self) -> Transaction: ...

        def _rows_in(self, sql: str, values: Iterable[Any]) -> Iterator[tuple[Any, ...]]: ...  # EntityState's

    # --- term counts, postings, statistics --------------------------------------------------------------
    def add_story_terms(self, counts: dict[int, dict[str, int]], norms: dict[int, float] | None = None) -> None:
        """Articles' term counts (seq → term → count), their postings (with each term's frequency factor) and
        the document frequencies, in one transaction; with each article's text vector norm (`norms`, when
        there is an epoch: `stories.stored.add_terms` computes them)."""
        if not counts:
            return
        df: dict[str, int] = {}
        for c in counts.values():
            for t in c:
                df[t] = df.get(t, 0) + 1
        norms = norms or {}
        with self.transaction():
            self.db.executemany("INSERT INTO story_terms(seq, counts, norm0) VALUES (?, ?, ?)",
                                [(seq, json.dumps(c, sort_keys=True), norms.get(seq)) for seq, c in counts.items()])
            self.db.executemany("INSERT INTO story_postings(term, seq, tf) VALUES (?, ?, ?)",
                                [(t, seq, tf_factor(n)) for seq, c in counts.items() for t, n in c.items()])
            self.db.executemany("INSERT INTO story_df(term, df) VALUES (?, ?) ON CONFLICT(term)"
                                " DO UPDATE SET df = story_df.df + excluded.df", sorted(df.items()))

    def _forget_story_terms(self, seqs: list[int]) -> None:
        """Inside a write: the story terms of articles that lost their layers, out of the statistics. The
        articles counted fall, so every weight may fall: the epoch is over (the next link makes one)."""
        for seq in seqs:
            r = self.db.execute("SELECT counts FROM story_terms WHERE seq = ?", (seq,)).fetchone()
            if r is None:
                continue
            terms = list(json.loads(r[0]))
            self.db.executemany("UPDATE story_df SET df = df - 1 WHERE term = ?", [(t,) for t in terms])
            self.db.execute("DELETE FROM story_postings WHERE seq = ?", (seq,))
            self.db.execute("DELETE FROM story_terms WHERE seq = ?", (seq,))
            self.db.execute("DELETE FROM meta WHERE key = 'story_epoch'")

    # --- the epoch ---------------------------------------------------------------------------------------
    def story_epoch(self) -> int | None:
        """How many articles the epoch counted (None: no epoch, as after an upgrade or a drop)."""
        row = self.db.execute("SELECT value FROM meta WHERE key = 'story_epoch'").fetchone()
        return int(row[0]) if row else None

    def story_epoch_weights(self) -> str | None:
        """The term weights the epoch's norms were computed with (`stories.cluster.WEIGHTS`; None: before
        they were recorded, when they were the corpus's document frequencies)."""
        row = self.db.execute("SELECT value FROM meta WHERE key = 'story_weights'").fetchone()
        return row[0] if row else None

    def story_counts_all(self) -> dict[int, dict[str, int]]:
        """seq → term counts of every article with story terms (a new epoch reads them all)."""
        return {r[0]: json.loads(r[1]) for r in self.db.execute("SELECT seq, counts FROM story_terms")}

    def story_postings_weighed(self) -> bool:
        """Whether every posting holds its term frequency factor (not so after an upgrade)."""
        return self.db.execute("SELECT 1 FROM story_postings WHERE tf IS NULL LIMIT 1").fetchone() is None

    def save_story_epoch(self, n: int, norms: dict[int, float], counts: dict[int, dict[str, int]] | None,
                         weights: str) -> None:
        """A new epoch, in one transaction: the number of articles now (`n`), each article's norm under the term
        weights named `weights` (`stories.cluster.WEIGHTS`); and, given `counts`,
        every posting written again with its term frequency factor. (story_hot, which an older storyline
        filled while its weights moved with the corpus, is emptied.)"""
        with self.transaction():
            self.db.executemany("UPDATE story_terms SET norm0 = ? WHERE seq = ?", [(v, k) for k, v in norms.items()])
            if counts is not None:
                self.db.execute("DELETE FROM story_postings")
                self.db.executemany("INSERT INTO story_postings(term, seq, tf) VALUES (?, ?, ?)",
                                    [(t, seq, tf_factor(c)) for seq, cs in counts.items() for t, c in cs.items()])
            self.db.execute("DELETE FROM story_hot")
            for key, value in (("story_epoch", str(n)), ("story_weights", weights)):
                self.db.execute("INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key)"
                                " DO UPDATE SET value = excluded.value", (key, value))

    # --- what bounds a new article's similarities ----------------------------------------------------------
    def story_term_weights(self, terms: Iterable[str]) -> Iterator[tuple[str, int, float | None]]:
        """(term, seq, its frequency factor over the article's epoch norm: None where either is missing) of every
        posting of these terms."""
        return self._rows_in("SELECT p.term, p.seq, p.tf / t.norm0 FROM story_postings p JOIN story_terms t"
                                " ON t.seq = p.seq WHERE p.term IN ({})", terms)

    def story_entity_pairs(self, entity_ids: Iterable[str]) -> list[tuple[int, str, str | None]]:
        """(seq, entity id, story id) of the articles mentioning these entities."""
        return [(r[0], r[1], r[2]) for r in self._rows_in(
            "SELECT DISTINCT a.seq, m.entity_id, a.story_id FROM entity_mentions m JOIN articles a ON a.id = m.article_id"
            " WHERE m.entity_id IN ({})", entity_ids)]

    def story_entity_counts(self, seqs: Iterable[int]) -> dict[int, int]:
        """seq → how many distinct canonical entities the article mentions."""
        return {r[0]: r[1] for r in self._rows_in(
            "SELECT a.seq, count(DISTINCT m.entity_id) FROM articles a JOIN entity_mentions m ON m.article_id = a.id"
            " WHERE a.seq IN ({}) GROUP BY a.seq", seqs)}

    def article_count(self) -> int:
        return self.db.execute("SELECT count(*) FROM articles").fetchone()[0]

    def story_ids_at(self, seqs: Iterable[int]) -> dict[int, str]:
        """seq → story id of the given articles that are in a story."""
        return {r[0]: r[1] for r in self._rows_in(
            "SELECT seq, story_id FROM articles WHERE seq IN ({}) AND story_id IS NOT NULL", seqs)}

    def story_member_seqs(self, story_ids: Iterable[str]) -> dict[str, list[int]]:
        """story id → the seqs of its articles that have story terms, in ingestion order."""
        out: dict[str, list[int]] = {}
        for sid, seq in sorted(self._rows_in(
                "SELECT a.story_id, a.seq FROM articles a JOIN story_terms t ON t.seq = a.seq"
                " WHERE a.story_id IN ({})", story_ids)):
            out.setdefault(sid, []).append(seq)
        return out
