"""The entity stage's stored state, read and written for `nlp.canonical_state` (a part of `Store`)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from storyline.model import Entity
from storyline.store.clauses import marks

if TYPE_CHECKING:
    from storyline.store.connection import Transaction

_CHUNK = 500  # ids per IN (…) list


def _chunks(values: Iterable[Any]) -> Iterable[list[Any]]:
    vals = sorted(set(values))
    for i in range(0, len(vals), _CHUNK):
        yield vals[i:i + _CHUNK]


def entity_row(e: dict[str, Any]) -> tuple[str, str, str, str]:
    """An entity (`Entity.to_json()`) as the entities table holds it: its mentions are rows of their own."""
    return e["id"], e["name"], e["type"], json.dumps({k: v for k, v in e.items() if k != "mentions"})


def mention_rows(e: dict[str, Any]) -> list[tuple[str, str, int, int, str, str | None]]:
    """An entity's mentions as entity_mentions rows."""
    return [(e["id"], m["article_id"], m["span"][0], m["span"][1], m["text"], m.get("as")) for m in e["mentions"]]


def quote_row(q: dict[str, Any]) -> tuple[Any, ...]:
    """A linked quote as the quotes table holds it."""
    sp = q.get("speaker") or {}
    return (q["id"], q["article_id"], q["span"][0], q["span"][1], q["kind"], sp.get("name"), sp.get("entity_id"),
            json.dumps(q))


STATE_TABLES = ("entity_edges", "entity_votes", "entity_decisions", "entity_shuffle", "entity_keys", "entity_stale")
INSERT_ENTITY = "INSERT INTO entities(id, name, type, data) VALUES (?,?,?,?)"
INSERT_MENTION = ("INSERT OR IGNORE INTO entity_mentions(entity_id, article_id, start, \"end\", text, mention_as)"
                  " VALUES (?,?,?,?,?,?)")
INSERT_QUOTE = ("INSERT OR REPLACE INTO quotes(id, article_id, start, \"end\", kind, speaker_name, speaker_entity, data)"
                " VALUES (?,?,?,?,?,?,?,?)")


class EntityState:
    """The entity stage's state: see schema.TABLES ("the entity stage's state") for what each table holds."""

    if TYPE_CHECKING:
        db: Any
        pg: bool

        def transaction(self) -> Transaction: ...

    # --- what changed ----------------------------------------------------------------------------
    def entity_state_ready(self) -> bool:
        """Whether the state holds every article taken in so far (False on a new database, after an upgrade,
        and after a batch wrote entities without it: the next update takes in every article)."""
        row = self.db.execute("SELECT value FROM meta WHERE key = 'entity_state'").fetchone()
        return bool(row and row[0] == "1")

    def entities_pending(self, every: bool = False) -> list[str]:
        """Annotated articles whose mentions are not in the state (new, or annotated again; `every`: all
        annotated articles), in ingestion order."""
        done = "" if every else " WHERE entities_done IS NULL"  # the partial index's condition: read from it
        return [r[0] for r in self.db.execute(
            f"SELECT id FROM articles WHERE id IN (SELECT article_id FROM annotations{done}) ORDER BY seq")]

    def entities_stale(self) -> list[str]:
        """Articles whose annotations were dropped (found not English) since the state took them in."""
        return [r[0] for r in self.db.execute("SELECT article_id FROM entity_stale ORDER BY article_id")]

    def _rows_in(self, sql: str, values: Iterable[Any]) -> Iterator[tuple[Any, ...]]:
        """The rows of `sql`, whose "{}" is an IN list, over `values` (deduplicated, in chunks of _CHUNK)."""
        for chunk in _chunks(values):
            yield from (tuple(r) for r in self.db.execute(sql.format(marks(chunk)), chunk))

    # --- acronym groups and type votes -----------------------------------------------------------------
    def entity_edges(self) -> list[tuple[str, str, str]]:
        """Every stored (article id, name key, name key) "Long Name (ACRONYM)" pair: a few per organisation."""
        return [(r[0], r[1], r[2]) for r in self.db.execute("SELECT article_id, a, b FROM entity_edges")]

    def entity_vote_keys(self, article_ids: Iterable[str]) -> set[str]:
        """The name keys these articles voted on."""
        return {r[0] for r in self._rows_in("SELECT DISTINCT key FROM entity_votes WHERE article_id IN ({})", article_ids)}

    def entity_votes(self, keys: Iterable[str]) -> list[tuple[str, str, str, int]]:
        """(key, article id, label, weight) of every stored vote on these name keys."""
        return [(r[0], r[1], r[2], r[3]) for r in self._rows_in(
            "SELECT key, article_id, label, weight FROM entity_votes WHERE key IN ({})", keys)]

    def entity_vote_articles(self, keys: Iterable[str]) -> set[str]:
        """The articles that voted on these name keys (those with a free mention of that name)."""
        return {r[0] for r in self._rows_in("SELECT DISTINCT article_id FROM entity_votes WHERE key IN ({})", keys)}

    def entity_decisions(self, roots: Iterable[str]) -> dict[str, tuple[str, bool]]:
        """Acronym-group root -> its stored (type, mostly a person)."""
        return {r[0]: (r[1], bool(r[2])) for r in self._rows_in(
            "SELECT root, type, person FROM entity_decisions WHERE root IN ({})", roots)}

    # --- the shuffles ----------------------------------------------------------------------------------
    def entity_shuffle(self, step: str, key: str) -> list[tuple[str, int, str]]:
        """(source, n, data) of every value stored under a shuffle's key."""
        return [(r[0], r[1], r[2]) for r in self.db.execute(
            "SELECT source, n, data FROM entity_shuffle WHERE step = ? AND key = ? ORDER BY source, n", (step, key))]

    def entity_shuffle_keys(self, sources: Iterable[str]) -> set[tuple[str, str]]:
        """The (step, key) these sources sent values to."""
        return {(r[0], r[1]) for r in self._rows_in(
            "SELECT DISTINCT step, key FROM entity_shuffle WHERE source IN ({})", sources)}

    # --- entities --------------------------------------------------------------------------------------
    def entity_key_ids(self, keys: Iterable[str]) -> dict[str, list[str]]:
        """Entity key -> the ids of the entities it gave."""
        out: dict[str, list[str]] = {}
        for r in self._rows_in("SELECT key, entity_id FROM entity_keys WHERE key IN ({}) ORDER BY key, entity_id", keys):
            out.setdefault(r[0], []).append(r[1])
        return out

    def existing_entities(self, ids: Iterable[str]) -> set[str]:
        """Those of these entity ids that are stored."""
        return {r[0] for r in self._rows_in("SELECT id FROM entities WHERE id IN ({})", ids)}

    def capitals_of(self, country_ids: Iterable[str]) -> list[tuple[str, str]]:
        """(entity id, country id) of the capitals that would stand for these countries."""
        return [(r[0], r[1]) for r in self._rows_in(
            "SELECT entity_id, capital_of FROM entity_keys WHERE capital_of IN ({})", country_ids)]

    def stored_entities(self, ids: Iterable[str], article_ids: Iterable[str] | None = None) -> list[Entity]:
        """These entities as stored, with their mentions (only those in `article_ids` when given)."""
        ids = sorted(set(ids))
        arts = None if article_ids is None else set(article_ids)
        ents: dict[str, Entity] = {}
        for chunk in _chunks(ids):
            for r in self.db.execute(f"SELECT id, data FROM entities WHERE id IN ({marks(chunk)})", chunk):
                ents[r[0]] = Entity.from_json({**json.loads(r[1]), "mentions": []})
            for r in self.db.execute(
                    "SELECT entity_id, article_id, start, \"end\", text, mention_as FROM entity_mentions"
                    f" WHERE entity_id IN ({marks(chunk)}) ORDER BY entity_id, article_id, start", chunk):
                if arts is None or r[1] in arts:
                    e = ents[r[0]]
                    e.mentions.append((r[1], (r[2], r[3]), r[4]))
                    if r[5]:
                        e.mention_as[(r[1], (r[2], r[3]))] = r[5]
        return [ents[i] for i in ids if i in ents]

    def entities_mentioned_in(self, article_ids: Iterable[str]) -> set[str]:
        """The ids of the entities with a mention in these articles."""
        return {r[0] for r in self._rows_in(
            "SELECT DISTINCT entity_id FROM entity_mentions WHERE article_id IN ({})", article_ids)}

    # --- one update, written at once -------------------------------------------------------------------
    def save_entity_state(self, u: Any) -> None:
        """An update (`nlp.canonical_state.Update`) in one transaction: a killed build leaves the state as
        the last finished one left it, and the next build takes in the same articles again."""
        q = self.db.executemany
        with self.transaction():
            if u.full:
                for t in ("entity_mentions", "entities", "quotes", *STATE_TABLES):
                    self.db.execute(f"DELETE FROM {t}")
            for chunk in _chunks(u.changed):
                self.db.execute(f"DELETE FROM entity_edges WHERE article_id IN ({marks(chunk)})", chunk)
                self.db.execute(f"DELETE FROM entity_votes WHERE article_id IN ({marks(chunk)})", chunk)
            q("INSERT OR IGNORE INTO entity_edges(article_id, a, b) VALUES (?,?,?)", u.edges)
            q("INSERT INTO entity_votes(key, article_id, label, weight) VALUES (?,?,?,?)", u.votes)
            for chunk in _chunks(u.decided_roots):
                self.db.execute(f"DELETE FROM entity_decisions WHERE root IN ({marks(chunk)})", chunk)
            q("INSERT INTO entity_decisions(root, type, person) VALUES (?,?,?)", u.decisions)
            for chunk in _chunks(u.replaced_sources):
                self.db.execute(f"DELETE FROM entity_shuffle WHERE source IN ({marks(chunk)})", chunk)
            q("INSERT INTO entity_shuffle(step, key, source, n, data) VALUES (?,?,?,?,?)", u.shuffled)
            for chunk in _chunks(u.removed_entities):
                self.db.execute(f"DELETE FROM entity_mentions WHERE entity_id IN ({marks(chunk)})", chunk)
                self.db.execute(f"DELETE FROM entities WHERE id IN ({marks(chunk)})", chunk)
            for chunk in _chunks(u.entity_keys):
                self.db.execute(f"DELETE FROM entity_keys WHERE key IN ({marks(chunk)})", chunk)
            q("DELETE FROM entity_mentions WHERE entity_id = ? AND article_id = ? AND start = ?", u.mentions_gone)
            q("INSERT INTO entities(id, name, type, data) VALUES (?,?,?,?) ON CONFLICT(id) DO UPDATE SET"  # not a
              " name = excluded.name, type = excluded.type, data = excluded.data",  # REPLACE: its mentions stay
              [entity_row(e) for e in u.entities])
            q(INSERT_MENTION, u.mentions_new)  # (an entity in `u.entities` has its mentions here, not there)
            q("INSERT INTO entity_keys(key, entity_id, capital_of) VALUES (?,?,?)", u.keys)
            q("UPDATE entities SET data = ? WHERE id = ?", u.recapitalised)
            for chunk in _chunks(u.relinked):
                self.db.execute(f"DELETE FROM quotes WHERE article_id IN ({marks(chunk)})", chunk)
            q(INSERT_QUOTE, [quote_row(x) for x in u.quotes])
            q("UPDATE annotations SET entities_done = 1 WHERE article_id = ?", [(a,) for a in u.pending])
            for chunk in _chunks(u.stale):
                self.db.execute(f"DELETE FROM entity_stale WHERE article_id IN ({marks(chunk)})", chunk)
            self.db.execute("INSERT INTO meta(key, value) VALUES ('entity_state', '1') ON CONFLICT(key)"
                            " DO UPDATE SET value = excluded.value")

    def forget_entity_state(self) -> None:
        """Entities written without the state (a batch's): the next update takes in every article again.
        Runs inside the caller's transaction."""
        for t in STATE_TABLES:
            self.db.execute(f"DELETE FROM {t}")
        self.db.execute("UPDATE annotations SET entities_done = NULL WHERE entities_done IS NOT NULL")
        self.db.execute("DELETE FROM meta WHERE key = 'entity_state'")
