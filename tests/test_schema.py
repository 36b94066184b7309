"""The schema described once (storyline.store.schema): a new database holds the described tables, and a
database upgraded from any older version ends with the same schema as a new one."""

from __future__ import annotations

import re
import sqlite3

from storyline.store import SCHEMA_VERSION, Store
from storyline.store import schema
from storyline.store.migrations import _MIGRATIONS, step
from tests.conftest import PG, sqlite_only


def _sqlite_schema(path: str) -> dict:
    """Every object's SQL token by token (SQLite keeps the text it was made with), and each table's columns."""
    con = sqlite3.connect(path)
    try:
        rows = con.execute("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name").fetchall()
        return {"version": con.execute("PRAGMA user_version").fetchone()[0],
                "objects": [(t, n, tb, re.findall(r"'[^']*'|\w+|[^\w\s]", s or "")) for t, n, tb, s in rows],
                "columns": {n: con.execute(f"PRAGMA table_xinfo({n})").fetchall() for t, n, _, _ in rows if t == "table"}}
    finally:
        con.close()


@sqlite_only
def test_a_database_upgraded_from_any_version_is_a_new_one(tmp_path):
    Store(tmp_path / "new.db").close()
    new = _sqlite_schema(str(tmp_path / "new.db"))
    assert new["version"] == SCHEMA_VERSION
    for old in range(1, SCHEMA_VERSION):
        path = str(tmp_path / f"v{old}.db")
        con = sqlite3.connect(path)
        for v in range(1, old + 1):
            con.executescript(_MIGRATIONS[v] if v in _MIGRATIONS else ";\n".join(step(v, "sqlite")) + ";")
        con.execute(f"PRAGMA user_version={old}")
        con.commit()
        con.close()
        Store(path).close()
        assert _sqlite_schema(path) == new, f"upgraded from version {old}"


def test_a_new_database_holds_the_described_tables(new_db):
    with Store(new_db("described")) as s:
        if PG:
            rows = s.db.execute("SELECT table_name, column_name FROM information_schema.columns"
                                " WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position")
            found: dict[str, list[str]] = {}
            for table, column in rows:
                found.setdefault(table, []).append(column)
        else:
            names = [r[0] for r in s.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
            found = {n: [r[1] for r in s.db.execute(f"PRAGMA table_info({n})")] for n in names}
        for t in schema.TABLES:
            assert found[t.name] == [c.name for c in t.columns if PG or c.kind != "search"], t.name
        assert ("articles_fts" in found) != bool(PG)  # the FTS5 table on SQLite; a tsvector column on PostgreSQL


def test_both_backends_ddl_come_from_one_description():
    sqlite, pg = "\n".join(schema.create("sqlite")), "\n".join(schema.create("postgresql"))
    assert "WITHOUT ROWID" in sqlite and "WITHOUT ROWID" not in pg
    assert 'id TEXT COLLATE "C" NOT NULL UNIQUE' in pg and "id TEXT NOT NULL UNIQUE" in sqlite
    assert '"end" INTEGER NOT NULL' in pg and " end INTEGER NOT NULL" in sqlite
    assert "CREATE INDEX events_timeline ON events(story_id, (date IS NULL), sort, id)" in pg
    assert "CREATE INDEX events_timeline ON events(story_id, date IS NULL, sort, id)" in sqlite
    assert schema.add_column("articles", "language_score", "postgresql") == \
        "ALTER TABLE articles ADD COLUMN language_score DOUBLE PRECISION"


def test_the_articles_left_to_detect_or_annotate_are_found_by_an_index(new_db):
    """A build with nothing new asks which articles still need their language or their layers: an index lookup
    (the partial indexes articles_undetected and articles_unannotated), not a scan of every article."""
    with Store(new_db("plans")) as s:
        if PG:
            s.db.execute("SET enable_seqscan = off")  # a table this small would be scanned anyway
            for where, index in ((schema.UNANNOTATED, "articles_unannotated"), ("language IS NULL", "articles_undetected")):
                plan = " ".join(r[0] for r in s.db.execute(f"EXPLAIN SELECT id FROM articles WHERE {where} ORDER BY seq"))
                assert f"Index Scan using {index}" in plan, plan
            return
        asked: list[str] = []
        s.db.set_trace_callback(asked.append)
        assert s.unannotated() == [] and s.undetected_languages() == []
        s.db.set_trace_callback(None)
        plans = [" ".join(r[3] for r in s.db.execute("EXPLAIN QUERY PLAN " + sql)) for sql in asked]
        assert plans == ["SCAN articles USING INDEX articles_unannotated", "SCAN articles USING INDEX articles_undetected"]
