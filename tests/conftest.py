"""Shared fixtures: paths to ../shared (skipped cleanly when absent), the example corpus, and fresh
databases on the backend under test (SQLite files; PostgreSQL when STORYLINE_TEST_PG is set)."""

from __future__ import annotations

import itertools
import os
import re
import shutil
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SEEDS = SHARED / "seeds"
CORPUS = ROOT / "examples" / "corpus"
# a postgresql:// URL of a throwaway server (scripts/with-postgres sets it): every test database is
# then a new PostgreSQL database on it, dropped at the end of the session
PG = os.environ.get("STORYLINE_TEST_PG")
pg_only = pytest.mark.skipif(not PG, reason="needs STORYLINE_TEST_PG (a throwaway PostgreSQL server)")
sqlite_only = pytest.mark.skipif(bool(PG), reason="about SQLite files")


def pytest_configure(config) -> None:
    config.addinivalue_line("markers", "first: scheduled before the rest (a long module: with make test's two "
                            "processes, the other takes everything else meanwhile)")


def pytest_collection_modifyitems(config, items) -> None:
    items.sort(key=lambda item: item.get_closest_marker("first") is None)  # stable: the order within each kept
    if PG:  # the PostgreSQL run: only the tests that can reach it (the rest would run again exactly as on SQLite)
        reach = ["databases" in i.fixturenames or getattr(i.module, "PG", None) is not None for i in items]
        if not all(reach):
            config.hook.pytest_deselected(items=[i for i, r in zip(items, reach) if not r])
            items[:] = [i for i, r in zip(items, reach) if r]


class Databases:
    """Fresh, empty databases for the tests: `new(name)` gives what `--db` takes (a file path, or a
    postgresql:// URL of a new database); `copy(db, name)` a copy of one that nobody has open."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.count = itertools.count(1)
        self.made: list[str] = []
        self.admin = None
        if PG:
            import psycopg

            self.admin = psycopg.connect(PG, autocommit=True)

    def url(self, dbname: str) -> str:
        parts = urlsplit(PG)
        return urlunsplit(parts._replace(path="/" + dbname))

    def _create(self, name: str, template: str | None = None) -> str:
        from psycopg import sql

        dbname = f"st_{os.getpid()}_{next(self.count)}_{re.sub(r'[^a-z0-9]', '_', name.lower())}"[:60]
        q = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dbname))
        if template:
            q = sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(dbname), sql.Identifier(template))
        self.admin.execute(q)
        self.made.append(dbname)
        return self.url(dbname)

    def new(self, name: str = "x") -> str:
        if PG:
            return self._create(name)
        return str(self.folder / f"{next(self.count)}-{name}.db")

    def copy(self, db: str | Path, name: str = "copy") -> str:
        if PG:
            return self._create(name, template=urlsplit(str(db)).path.lstrip("/"))
        dst = self.new(name)
        shutil.copy(db, dst)
        return dst

    def close(self) -> None:
        if self.admin is not None:
            from psycopg import sql

            for dbname in self.made:
                self.admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(dbname)))
            self.admin.close()


@pytest.fixture(scope="session")
def databases(tmp_path_factory) -> Databases:
    dbs = Databases(tmp_path_factory.mktemp("databases"))
    yield dbs
    dbs.close()


@pytest.fixture
def new_db(databases):
    """new_db(name) → a fresh, empty database for this test (a path or a postgresql:// URL)."""
    return databases.new


@pytest.fixture
def seeds() -> Path:
    if not SEEDS.is_dir():
        pytest.skip("../shared/seeds is not present")
    return SEEDS


@pytest.fixture
def corpus() -> Path:
    return CORPUS


@pytest.fixture(scope="module")
def seed_db(databases) -> str:
    """A database built from ../shared/seeds, one per test module (skipped when the seeds are absent)."""
    from storyline.pipeline import build
    from storyline.store import Store

    if not SEEDS.is_dir():
        pytest.skip("../shared/seeds is not present")
    db = databases.new("seeds")
    with Store(db) as store:
        build([SEEDS], store)
    return db
