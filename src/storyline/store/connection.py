"""Connections: a SQLite file (read-only where it cannot be written), PostgreSQL taking SQLite's SQL, their transaction."""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import quote

from storyline.store.dialect import pg_sql
from storyline.store.errors import StoreError, write_error

if TYPE_CHECKING:
    from storyline.store import Store


def is_url(db: str | Path) -> bool:
    """Whether `--db` names a PostgreSQL database (a postgresql:// URL) rather than a SQLite file."""
    return str(db).startswith(("postgresql://", "postgres://"))


def display_name(db: str | Path) -> str:
    """`db` as messages show it: a URL without its password."""
    return re.sub(r"^(postgres(?:ql)?://[^:/@]*):[^@/]*@", r"\1:***@", str(db))


class Transaction:
    """BEGIN IMMEDIATE … COMMIT on SQLite; psycopg's transaction block on PostgreSQL; either way the
    change is noted (_touch) before the commit. A failed write is rolled back whole, and a full disk, a
    read-only database or an I/O error comes out as WriteError (one line naming the database)."""

    def __init__(self, store: Store):
        self.store = store
        self.block: Any = None

    def __enter__(self) -> None:
        try:
            if self.store.pg:
                self.block = self.store.db.raw.transaction()
                self.block.__enter__()
            else:
                self.store.db.execute("BEGIN IMMEDIATE")
        except Exception as e:
            err = write_error(e, self.store.path)
            if err is None:
                raise
            raise err from e

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> Literal[False]:
        failure = exc
        if self.store.pg:
            if failure is None:
                try:
                    self.store._touch()
                except Exception as e:
                    failure = e
            try:
                self.block.__exit__(type(failure) if failure else None, failure,
                                    failure.__traceback__ if failure else None)
            except Exception as e:  # the commit failed (or the rollback, on a lost connection)
                failure = failure or e
        else:
            db = self.store.db
            if failure is None:
                try:
                    self.store._touch()
                    db.execute("COMMIT")
                except Exception as e:
                    failure = e
            # SQLite may have rolled back by itself already (a full disk, an I/O error)
            if failure is not None and db.in_transaction:
                try:
                    db.execute("ROLLBACK")
                except sqlite3.Error:
                    pass
        if failure is None:
            return False
        err = write_error(failure, self.store.path)
        if err is not None:
            raise err from failure
        if failure is not exc:
            raise failure
        return False


def file_state(path: str) -> tuple[Any, ...]:
    """The file's and its write-ahead log's mtime and size (None where missing)."""
    out: list[Any] = []
    for name in (path, path + "-wal"):
        try:
            st = os.stat(name)
            out.append((st.st_mtime_ns, st.st_size))
        except OSError:
            out.append(None)
    return tuple(out)


def open_sqlite(path: str) -> tuple[sqlite3.Connection, bool, bool]:
    """(connection, whether read-only, whether immutable) to the SQLite file at `path`, in WAL mode when
    it can be written.
    A file that cannot be written, or one on read-only media (its folder not writable, so SQLite
    cannot make the write-ahead log's files), is opened read-only: mode=ro, or immutable where not
    even that can open it (only when no log holds changes the file does not have yet)."""
    db = None
    try:
        db = sqlite3.connect(path, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        return db, False, False
    except sqlite3.DatabaseError as e:
        if db is not None:
            db.close()
        first = e
    if not os.path.isfile(path):
        raise StoreError(f"{path}: cannot create the database there ({first}); check the folder's permissions"
                         " or choose another --db") from None
    refused = write_error(first, path)
    if refused is None:
        raise StoreError(f"{path}: not a usable SQLite database ({first})") from None
    if refused.kind != "read-only":
        raise refused from None
    uri = "file:" + quote(os.path.abspath(path)) + "?mode=ro"
    tries = [uri]
    wal = path + "-wal"
    if not os.path.exists(wal) or os.path.getsize(wal) == 0:
        tries.append(uri + "&immutable=1")  # nothing can change it: nobody can write beside it
    for target in tries:
        db = None
        try:
            db = sqlite3.connect(target, uri=True, isolation_level=None)
            db.execute("SELECT count(*) FROM sqlite_master").fetchone()
            return db, True, target.endswith("immutable=1")
        except sqlite3.DatabaseError as e:
            if db is not None:
                db.close()
            last = e
    reason = (f"its write-ahead log {wal} holds changes, and the folder cannot be written to read them;"
              " copy the database with its -wal file to a writable folder" if len(tries) == 1 else str(last))
    raise StoreError(f"{path}: cannot open the database read-only ({reason})") from None


class _Row(tuple[Any, ...]):
    """A PostgreSQL row read by position or by column name, like sqlite3.Row (and dict(row) works)."""

    _index: dict[str, int]

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            return tuple.__getitem__(self, self._index[key])
        return tuple.__getitem__(self, key)

    def keys(self) -> list[str]:
        return list(self._index)


def _row_factory(cursor: Any) -> Any:
    index = {c.name: i for i, c in enumerate(cursor.description or ())}

    def make(values: Any) -> _Row:
        row = _Row(values)
        row._index = index
        return row
    return make


class PgConnection:
    """A psycopg connection that takes the store's SQL as written for SQLite (see pg_sql)."""

    def __init__(self, raw: Any):
        self.raw = raw

    @classmethod
    def open(cls, url: str, name: str) -> PgConnection:
        try:
            import psycopg
        except ImportError as e:  # pragma: no cover - a dependency
            raise StoreError(f"{name}: PostgreSQL needs psycopg (pip install 'psycopg[binary]')") from e
        try:
            raw = psycopg.connect(url, autocommit=True, row_factory=_row_factory, connect_timeout=10)
        except (psycopg.Error, ValueError) as e:
            first = (str(e).strip().splitlines() or [type(e).__name__])[0]
            raise StoreError(f"{name}: cannot open the PostgreSQL database ({display_name(first)})") from None
        return cls(raw)

    def execute(self, sql: str, args: Any = None, raw: bool = False) -> Any:
        return self.raw.execute(sql if raw else pg_sql(sql), args)

    def executemany(self, sql: str, rows: Iterable[Any]) -> Any:
        rows = list(rows)
        cur = self.raw.cursor()
        if rows:
            cur.executemany(pg_sql(sql), rows)
        return cur

    def close(self) -> None:
        self.raw.close()
