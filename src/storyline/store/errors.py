"""The store's errors: a database it cannot use, a query it cannot read, a write refused (one line each)."""

from __future__ import annotations

import sqlite3


class StoreError(Exception):
    """The database cannot be used as asked (newer schema, not a storyline database, unreachable, …)."""


class QueryError(StoreError):
    """A full-text query the backend cannot read (FTS5 syntax on SQLite, its subset on PostgreSQL)."""


class WriteError(StoreError):
    """A write the database refused: `kind` is 'full' (no space), 'read-only' or 'io' (an I/O error).
    Nothing of the failed transaction was stored."""

    def __init__(self, message: str, kind: str):
        super().__init__(message)
        self.kind = kind


# (SQLITE_CANTOPEN: the log or journal beside the file cannot be made, a folder that cannot be written)
_SQLITE_KINDS = {"SQLITE_FULL": "full", "SQLITE_READONLY": "read-only", "SQLITE_CANTOPEN": "read-only",
                 "SQLITE_IOERR": "io"}
# PostgreSQL's SQLSTATEs: disk_full, read_only_sql_transaction, insufficient_privilege, io_error
_PG_KINDS = {"53100": "full", "25006": "read-only", "42501": "read-only", "58030": "io"}


def write_error(e: BaseException, name: str) -> WriteError | None:
    """The one-line WriteError for a write that failed on a full disk, a read-only database or an I/O
    error (SQLite's or PostgreSQL's), or None when `e` is something else."""
    kind, pg = None, False
    if isinstance(e, sqlite3.DatabaseError):
        code = (getattr(e, "sqlite_errorname", "") or "").split("_")
        kind = _SQLITE_KINDS.get("_".join(code[:2]))
        text = str(e)
        if kind is None:
            low = text.lower()
            kind = ("full" if "disk is full" in low else "read-only" if "readonly" in low or "read-only" in low
                    else "io" if "disk i/o error" in low else None)
    else:
        state = getattr(e, "sqlstate", None)
        if state is None or type(e).__module__.split(".")[0] != "psycopg":
            return None
        kind, pg = _PG_KINDS.get(state), True
        if kind is None and "no space left on device" in str(e).lower():
            kind = "full"
        text = (str(e).strip().splitlines() or [type(e).__name__])[0]
    if kind is None:
        return None
    advice = {
        "full": "the disk is full: free some space, then run the command again",
        "read-only": "the database cannot be written: check the permissions of the file and its folder, or work"
                     " on a writable copy",
        "io": "the disk failed to read or write: check the disk, then run the command again",
    }[kind]
    if pg and kind == "read-only":
        advice = ("the database cannot be written (a read-only server or transaction, or a missing privilege):"
                  " check the server's settings and the user's permissions")
    return WriteError(f"{name}: {advice} (nothing of the failed step was stored; {text})", kind)
