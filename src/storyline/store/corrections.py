"""Corrections as stored (a part of `Store`): their records, and computed rows changed through a journal that undoes them."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from storyline.store import schema
from storyline.store.clauses import marks

if TYPE_CHECKING:
    from storyline.store.connection import Transaction

# the computed tables a correction may change (their rows are put back as computed before every link), and
# articles, whose publication a re-dating sets
JOURNALLED = ("entities", "entity_mentions", "quotes", "events", "event_refs", "claims", "stories", "articles")
_CORRECTION_COLS = ("id", "created_at", "made_by", "why", "op", "target_kind", "target_id", "payload", "undone_at",
                    "status")


def _col(name: str) -> str:
    return f'"{name}"'  # every column quoted ("end" is reserved on PostgreSQL); the names are the schema's, never input


def _columns(table: str) -> list[str]:
    return [c.name for c in schema.BY_NAME[table].columns if c.kind != "search"]


def _where(key: dict[str, Any]) -> tuple[str, list[Any]]:
    return " AND ".join(f"{_col(k)} = ?" for k in key), list(key.values())


class CorrectionRecords:
    """The corrections table and the journal (schema.TABLES, "corrections a person made"). Every write here runs
    inside the caller's transaction (`storyline.corrections` holds one around a correction and its replay)."""

    if TYPE_CHECKING:
        db: Any
        pg: bool

        def transaction(self) -> Transaction: ...

    # --- the records -----------------------------------------------------------------------------------
    def add_correction(self, created_at: str, made_by: str, why: str, op: str, target_kind: str, target_id: str,
                       payload: dict[str, Any]) -> int:
        """A new correction's record; returns its id."""
        row = self.db.execute(
            "INSERT INTO corrections(created_at, made_by, why, op, target_kind, target_id, payload)"
            " VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
            (created_at, made_by, why, op, target_kind, target_id, json.dumps(payload, ensure_ascii=False))).fetchone()
        return int(row[0])

    def corrections(self, active_only: bool = False) -> list[dict[str, Any]]:
        """Every correction (or those not undone), oldest first: the table's columns, `payload` read."""
        where = " WHERE undone_at IS NULL" if active_only else ""
        out = []
        for r in self.db.execute(f"SELECT {', '.join(_CORRECTION_COLS)} FROM corrections{where} ORDER BY id"):
            x = dict(zip(_CORRECTION_COLS, tuple(r)))
            x["payload"] = json.loads(x["payload"])
            out.append(x)
        return out

    def corrections_page(self, limit: int, offset: int = 0, latest_first: bool = False
                         ) -> tuple[int, list[dict[str, Any]]]:
        """(how many corrections, one page of them) in id order, or the latest first: as `corrections` gives
        them, read only for the page."""
        total = self.db.execute("SELECT count(*) FROM corrections").fetchone()[0]
        order = "DESC" if latest_first else "ASC"
        out = []
        for r in self.db.execute(f"SELECT {', '.join(_CORRECTION_COLS)} FROM corrections ORDER BY id {order}"
                                 " LIMIT ? OFFSET ?", (limit, offset)):
            x = dict(zip(_CORRECTION_COLS, tuple(r)))
            x["payload"] = json.loads(x["payload"])
            out.append(x)
        return total, out

    def set_correction_status(self, correction_id: int, status: str) -> None:
        self.db.execute("UPDATE corrections SET status = ? WHERE id = ?", (status, correction_id))

    def set_correction_undone(self, correction_id: int, when: str) -> None:
        self.db.execute("UPDATE corrections SET undone_at = ?, status = 'undone' WHERE id = ?", (when, correction_id))

    # --- computed rows, read -------------------------------------------------------------------------------
    def rows_where(self, table: str, key: dict[str, Any]) -> list[dict[str, Any]]:
        """The rows of a journalled table whose columns equal `key`'s values, as dicts (JSON columns as text)."""
        if table not in JOURNALLED:
            raise ValueError(f"not a table corrections change: {table!r}")
        cols = _columns(table)
        cond, args = _where(key)
        return [dict(zip(cols, tuple(r))) for r in self.db.execute(
            f"SELECT {', '.join(_col(c) for c in cols)} FROM {table} WHERE {cond}", args)]

    def mention_owners(self, refs: Iterable[tuple[str, int]]) -> dict[str, int]:
        """entity id → how many of these mentions (article id, start) it holds."""
        out: dict[str, int] = {}
        by_article: dict[str, set[int]] = {}
        for aid, start in refs:
            by_article.setdefault(aid, set()).add(int(start))
        for aid, starts in by_article.items():
            ss = sorted(starts)
            for (eid,) in self.db.execute(f"SELECT entity_id FROM entity_mentions WHERE article_id = ?"
                                          f" AND start IN ({marks(ss)})", [aid, *ss]):
                out[eid] = out.get(eid, 0) + 1
        return out

    def entities_named(self, name: str) -> list[dict[str, Any]]:
        """The entities whose canonical name is exactly `name`, or that have it as an alias (exactly)."""
        rows = self.db.execute("SELECT id, name, type, data FROM entities WHERE name = ?", (name,)).fetchall()
        if not rows:  # an alias (the data's JSON escapes what is not ASCII: read, not matched in SQL)
            rows = self.db.execute("SELECT id, name, type, data FROM entities").fetchall()
        out = []
        for r in rows:
            data = json.loads(r[3])
            if r[1] == name or name in (data.get("aliases") or []):
                out.append({"id": r[0], "name": r[1], "type": r[2], "data": data})
        return sorted(out, key=lambda e: (e["name"] != name, e["id"]))

    def events_of_story(self, story_id: str) -> list[dict[str, Any]]:
        return [json.loads(r[0]) for r in self.db.execute("SELECT data FROM events WHERE story_id = ?", (story_id,))]

    def claims_of_story(self, story_id: str) -> list[dict[str, Any]]:
        return [json.loads(r[0]) for r in self.db.execute("SELECT data FROM claims WHERE story_id = ?", (story_id,))]

    # --- computed rows, changed through the journal ---------------------------------------------------------
    def _journal(self, correction_id: int, table: str, action: str, data: dict[str, Any]) -> None:
        self.db.execute("INSERT INTO correction_journal(correction_id, tbl, action, data) VALUES (?, ?, ?, ?)",
                        (correction_id, table, action, json.dumps(data, ensure_ascii=False)))

    def journal_delete(self, correction_id: int, table: str, key: dict[str, Any]) -> int:
        """Delete the rows `key` names, each noted so that it can be put back; returns how many."""
        rows = self.rows_where(table, key)
        for row in rows:
            self._journal(correction_id, table, "restore", row)
        cond, args = _where(key)
        self.db.execute(f"DELETE FROM {table} WHERE {cond}", args)
        return len(rows)

    def journal_insert(self, correction_id: int, table: str, row: dict[str, Any]) -> None:
        """Insert a row, noted so that it can be taken out again."""
        cols = list(row)
        self.db.execute(f"INSERT INTO {table}({', '.join(_col(c) for c in cols)}) VALUES ({marks(cols)})",
                        [row[c] for c in cols])
        self._journal(correction_id, table, "remove", {k: row[k] for k in schema.BY_NAME[table].key()})

    def journal_update(self, correction_id: int, table: str, key: dict[str, Any], changes: dict[str, Any]) -> None:
        """Set columns of the row `key` names (a key column too: a mention moved to another entity), the
        values before noted so that they can be set back."""
        before = self.rows_where(table, key)
        if not before:
            return
        old = {c: before[0][c] for c in changes}
        sets = ", ".join(f"{_col(c)} = ?" for c in changes)
        cond, args = _where(key)
        self.db.execute(f"UPDATE {table} SET {sets} WHERE {cond}", [*changes.values(), *args])
        self._journal(correction_id, table, "revert", {"key": {**key, **{k: v for k, v in changes.items() if k in key}},
                                                       "old": old})

    def journal_pending(self) -> bool:
        """Whether the computed rows hold changes a replay made (the journal is not empty)."""
        return self.db.execute("SELECT 1 FROM correction_journal LIMIT 1").fetchone() is not None

    def unapply_journal(self) -> int:
        """Undo every journalled change, the last first, and empty the journal: the computed rows as the stages
        left them. Returns how many changes were undone."""
        rows = self.db.execute("SELECT tbl, action, data FROM correction_journal ORDER BY seq DESC").fetchall()
        for table, action, data in rows:
            x = json.loads(data)
            if table not in JOURNALLED:
                continue
            if action == "restore":
                cols = list(x)
                self.db.execute(f"INSERT INTO {table}({', '.join(_col(c) for c in cols)}) VALUES ({marks(cols)})",
                                [x[c] for c in cols])
            elif action == "remove":
                cond, args = _where(x)
                self.db.execute(f"DELETE FROM {table} WHERE {cond}", args)
            elif action == "revert":
                cond, args = _where(x["key"])
                sets = ", ".join(f"{_col(c)} = ?" for c in x["old"])
                self.db.execute(f"UPDATE {table} SET {sets} WHERE {cond}", [*x["old"].values(), *args])
        self.db.execute("DELETE FROM correction_journal")
        return len(rows)

    def forget_journal(self, tables: Iterable[str]) -> None:
        """Inside a write that replaces these tables whole (a batch's entities): their journalled changes are
        moot (the next replay applies the corrections to the new rows)."""
        ts = list(tables)
        self.db.execute(f"DELETE FROM correction_journal WHERE tbl IN ({marks(ts)})", ts)
