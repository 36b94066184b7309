"""The store, on SQLite or PostgreSQL: schema, migrations and every SQL statement of the project."""

from __future__ import annotations

import fcntl
import json
import os
import re
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from dataclasses import asdict
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote

from storyline.model import Article, Document, DocMeta, Published, Removed

SCHEMA_VERSION = 8

_MIGRATIONS: dict[int, str] = {
    1: """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE documents (
        seq       INTEGER PRIMARY KEY AUTOINCREMENT,
        id        TEXT NOT NULL UNIQUE,
        source    TEXT NOT NULL,
        sha256    TEXT NOT NULL,
        kind      TEXT NOT NULL,
        encoding  TEXT,
        meta      TEXT NOT NULL,
        text      TEXT NOT NULL
    );
    CREATE INDEX documents_source ON documents(source);
    CREATE TABLE articles (
        seq             INTEGER PRIMARY KEY AUTOINCREMENT,
        id              TEXT NOT NULL UNIQUE,
        document_id     TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        idx             INTEGER NOT NULL,
        title           TEXT,
        text            TEXT NOT NULL,
        span_start      INTEGER NOT NULL,
        span_end        INTEGER NOT NULL,
        text_map        TEXT NOT NULL,
        removed         TEXT NOT NULL,
        published       TEXT NOT NULL,
        outlet          TEXT,
        url             TEXT,
        authors         TEXT NOT NULL,
        syndicated_from TEXT NOT NULL,
        text_hash       TEXT NOT NULL,
        minhash         BLOB NOT NULL,
        duplicate_of    TEXT,
        duplicate_kind  TEXT,
        duplicate_score REAL,
        story_id        TEXT
    );
    CREATE INDEX articles_document ON articles(document_id);
    CREATE TABLE shared_passages (
        article_id       TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        start            INTEGER NOT NULL,
        end              INTEGER NOT NULL,
        other_article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        other_start      INTEGER NOT NULL,
        other_end        INTEGER NOT NULL,
        PRIMARY KEY (article_id, start, other_article_id, other_start)
    ) WITHOUT ROWID;
    CREATE TABLE problems (
        source  TEXT NOT NULL,
        message TEXT NOT NULL,
        PRIMARY KEY (source, message)
    ) WITHOUT ROWID;
    CREATE VIRTUAL TABLE articles_fts USING fts5(title, text, content='articles', content_rowid='seq');
    CREATE TRIGGER articles_ai AFTER INSERT ON articles BEGIN
        INSERT INTO articles_fts(rowid, title, text) VALUES (new.seq, new.title, new.text);
    END;
    CREATE TRIGGER articles_ad AFTER DELETE ON articles BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, title, text) VALUES ('delete', old.seq, old.title, old.text);
    END;
    CREATE TRIGGER articles_au AFTER UPDATE OF title, text ON articles BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, title, text) VALUES ('delete', old.seq, old.title, old.text);
        INSERT INTO articles_fts(rowid, title, text) VALUES (new.seq, new.title, new.text);
    END;
    """,
    2: """
    CREATE TABLE annotations (
        article_id TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
        anchor     TEXT,
        timexes    TEXT NOT NULL,
        mentions   TEXT NOT NULL,
        quotes     TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE entities (
        id    TEXT PRIMARY KEY,
        name  TEXT NOT NULL,
        type  TEXT NOT NULL,
        data  TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE entity_mentions (
        entity_id  TEXT NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
        article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        start      INTEGER NOT NULL,
        end        INTEGER NOT NULL,
        text       TEXT NOT NULL,
        mention_as TEXT,
        PRIMARY KEY (article_id, start, entity_id)
    ) WITHOUT ROWID;
    CREATE INDEX entity_mentions_entity ON entity_mentions(entity_id);
    CREATE TABLE quotes (
        id             TEXT PRIMARY KEY,
        article_id     TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        start          INTEGER NOT NULL,
        end            INTEGER NOT NULL,
        kind           TEXT NOT NULL,
        speaker_name   TEXT,
        speaker_entity TEXT,
        data           TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX quotes_article ON quotes(article_id);
    CREATE INDEX quotes_speaker ON quotes(speaker_name);
    """,
    3: """
    ALTER TABLE annotations ADD COLUMN events TEXT;
    ALTER TABLE annotations ADD COLUMN claims TEXT;
    CREATE INDEX articles_story ON articles(story_id);
    CREATE TABLE stories (
        id     TEXT PRIMARY KEY,
        seq    INTEGER NOT NULL,
        title  TEXT,
        first  TEXT,
        last   TEXT,
        data   TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE events (
        id       TEXT PRIMARY KEY,
        story_id TEXT NOT NULL,
        type     TEXT NOT NULL,
        date     TEXT,
        data     TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX events_story ON events(story_id);
    CREATE TABLE event_refs (
        event_id   TEXT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
        article_id TEXT NOT NULL,
        start      INTEGER NOT NULL,
        PRIMARY KEY (event_id, article_id, start)
    ) WITHOUT ROWID;
    CREATE INDEX event_refs_mention ON event_refs(article_id, start);
    CREATE TABLE claims (
        id       TEXT PRIMARY KEY,
        story_id TEXT NOT NULL,
        status   TEXT NOT NULL,
        data     TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX claims_story ON claims(story_id);
    """,
    4: """
    ALTER TABLE events ADD COLUMN sort TEXT;
    UPDATE events SET sort = json_extract(data, '$.sort');
    CREATE INDEX events_timeline ON events(story_id, date IS NULL, sort, id);
    """,
    # a document's origin (its source without a positional locator: see Document.origin), so the same
    # bytes from the same file are found however the lines or entries around them moved; a story's
    # members (see Store.set_stories), so a rerun finds stories whose layers are not those of their articles
    5: """
    ALTER TABLE documents ADD COLUMN origin TEXT;
    UPDATE documents SET origin = CASE WHEN kind IN ('feed', 'jsonl') AND instr(source, '#') > 0
        THEN substr(rtrim(source, replace(source, '#', '')), 1, length(rtrim(source, replace(source, '#', ''))) - 1)
        ELSE source END;
    CREATE INDEX documents_origin ON documents(origin, sha256);
    ALTER TABLE stories ADD COLUMN members TEXT;
    """,
    # the TimeML event mentions of an article (nlp/timeml.py); NULL for articles annotated before: the
    # next build annotates them again (see unannotated)
    6: """
    ALTER TABLE annotations ADD COLUMN timeml TEXT;
    """,
    # the event layers of an article's title ({"text", "timeml", "events"}; {} without a title); NULL for
    # articles annotated before: the next build annotates them again
    7: """
    ALTER TABLE annotations ADD COLUMN title TEXT;
    """,
    # an article's language (ISO 639-1, 'und' when too little text to tell) and the detector's probability;
    # NULL for articles stored before: the next build detects it (pipeline.detect_languages)
    8: """
    ALTER TABLE articles ADD COLUMN language TEXT;
    ALTER TABLE articles ADD COLUMN language_score REAL;
    """,
}


# PostgreSQL starts at the current schema: an empty database gets this whole script as version
# _PG_FIRST; later versions add a PostgreSQL script beside the SQLite one in _MIGRATIONS where the
# SQLite one is not portable SQL (a version missing here runs its _MIGRATIONS script).
# Text columns sort in code-point order (COLLATE "C"), as SQLite's BINARY does; the tsvector is
# the full-text index (title weighted A, text B; the 'simple' configuration: no stemming, no stop
# words, as FTS5's unicode61 tokenizer).
_PG_FIRST = 4
_PG_MIGRATIONS: dict[int, str] = {
    4: """
    CREATE TABLE meta (key TEXT COLLATE "C" PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE documents (
        seq       BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        id        TEXT COLLATE "C" NOT NULL UNIQUE,
        source    TEXT COLLATE "C" NOT NULL,
        sha256    TEXT NOT NULL,
        kind      TEXT NOT NULL,
        encoding  TEXT,
        meta      TEXT NOT NULL,
        text      TEXT NOT NULL
    );
    CREATE INDEX documents_source ON documents(source);
    CREATE TABLE articles (
        seq             BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        id              TEXT COLLATE "C" NOT NULL UNIQUE,
        document_id     TEXT COLLATE "C" NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        idx             INTEGER NOT NULL,
        title           TEXT COLLATE "C",
        text            TEXT NOT NULL,
        span_start      INTEGER NOT NULL,
        span_end        INTEGER NOT NULL,
        text_map        TEXT NOT NULL,
        removed         TEXT NOT NULL,
        published       TEXT NOT NULL,
        outlet          TEXT COLLATE "C",
        url             TEXT,
        authors         TEXT NOT NULL,
        syndicated_from TEXT NOT NULL,
        text_hash       TEXT NOT NULL,
        minhash         BYTEA NOT NULL,
        duplicate_of    TEXT COLLATE "C",
        duplicate_kind  TEXT,
        duplicate_score DOUBLE PRECISION,
        story_id        TEXT COLLATE "C",
        tsv             TSVECTOR GENERATED ALWAYS AS (
            setweight(to_tsvector('simple', coalesce(title, '')), 'A') || setweight(to_tsvector('simple', text), 'B')
        ) STORED
    );
    CREATE INDEX articles_document ON articles(document_id);
    CREATE INDEX articles_story ON articles(story_id);
    CREATE INDEX articles_fts ON articles USING GIN (tsv);
    CREATE TABLE shared_passages (
        article_id       TEXT COLLATE "C" NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        start            INTEGER NOT NULL,
        "end"            INTEGER NOT NULL,
        other_article_id TEXT COLLATE "C" NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        other_start      INTEGER NOT NULL,
        other_end        INTEGER NOT NULL,
        PRIMARY KEY (article_id, start, other_article_id, other_start)
    );
    CREATE TABLE problems (
        source  TEXT COLLATE "C" NOT NULL,
        message TEXT COLLATE "C" NOT NULL,
        PRIMARY KEY (source, message)
    );
    CREATE TABLE annotations (
        article_id TEXT COLLATE "C" PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
        anchor     TEXT,
        timexes    TEXT NOT NULL,
        mentions   TEXT NOT NULL,
        quotes     TEXT NOT NULL,
        events     TEXT,
        claims     TEXT
    );
    CREATE TABLE entities (
        id    TEXT COLLATE "C" PRIMARY KEY,
        name  TEXT COLLATE "C" NOT NULL,
        type  TEXT COLLATE "C" NOT NULL,
        data  TEXT NOT NULL
    );
    CREATE TABLE entity_mentions (
        entity_id  TEXT COLLATE "C" NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
        article_id TEXT COLLATE "C" NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        start      INTEGER NOT NULL,
        "end"      INTEGER NOT NULL,
        text       TEXT NOT NULL,
        mention_as TEXT,
        PRIMARY KEY (article_id, start, entity_id)
    );
    CREATE INDEX entity_mentions_entity ON entity_mentions(entity_id);
    CREATE TABLE quotes (
        id             TEXT COLLATE "C" PRIMARY KEY,
        article_id     TEXT COLLATE "C" NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        start          INTEGER NOT NULL,
        "end"          INTEGER NOT NULL,
        kind           TEXT NOT NULL,
        speaker_name   TEXT COLLATE "C",
        speaker_entity TEXT COLLATE "C",
        data           TEXT NOT NULL
    );
    CREATE INDEX quotes_article ON quotes(article_id);
    CREATE INDEX quotes_speaker ON quotes(speaker_name);
    CREATE TABLE stories (
        id     TEXT COLLATE "C" PRIMARY KEY,
        seq    INTEGER NOT NULL,
        title  TEXT COLLATE "C",
        first  TEXT COLLATE "C",
        last   TEXT COLLATE "C",
        data   TEXT NOT NULL
    );
    CREATE TABLE events (
        id       TEXT COLLATE "C" PRIMARY KEY,
        story_id TEXT COLLATE "C" NOT NULL,
        type     TEXT COLLATE "C" NOT NULL,
        date     TEXT COLLATE "C",
        data     TEXT NOT NULL,
        sort     TEXT COLLATE "C"
    );
    CREATE INDEX events_story ON events(story_id);
    CREATE INDEX events_timeline ON events(story_id, (date IS NULL), sort, id);
    CREATE TABLE event_refs (
        event_id   TEXT COLLATE "C" NOT NULL REFERENCES events(id) ON DELETE CASCADE,
        article_id TEXT COLLATE "C" NOT NULL,
        start      INTEGER NOT NULL,
        PRIMARY KEY (event_id, article_id, start)
    );
    CREATE INDEX event_refs_mention ON event_refs(article_id, start);
    CREATE TABLE claims (
        id       TEXT COLLATE "C" PRIMARY KEY,
        story_id TEXT COLLATE "C" NOT NULL,
        status   TEXT COLLATE "C" NOT NULL,
        data     TEXT NOT NULL
    );
    CREATE INDEX claims_story ON claims(story_id);
    INSERT INTO meta(key, value) VALUES ('changes', '0');
    """,
    5: """
    ALTER TABLE documents ADD COLUMN origin TEXT COLLATE "C";
    UPDATE documents SET origin = CASE WHEN kind IN ('feed', 'jsonl') AND strpos(source, '#') > 0
        THEN regexp_replace(source, '#[^#]*$', '') ELSE source END;
    CREATE INDEX documents_origin ON documents(origin, sha256);
    ALTER TABLE stories ADD COLUMN members TEXT;
    """,
    # 6 and 7: the SQLite scripts are portable SQL and run as they are (Store._migrate_pg)
    8: """
    ALTER TABLE articles ADD COLUMN language TEXT COLLATE "C";
    ALTER TABLE articles ADD COLUMN language_score DOUBLE PRECISION;
    """,
}
# (whether there is a table meta, how many tables) in the current schema
_PG_TABLES = ("SELECT count(*) FILTER (WHERE c.relname = 'meta'), count(*) FROM pg_class c"
              " JOIN pg_namespace n ON n.oid = c.relnamespace"
              " WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'v', 'm', 'p', 'f')")
_LINK_LOCK = 7391026458  # PostgreSQL advisory lock of the cross-article stages (Store.exclusive)
# the key of each table that INSERT OR REPLACE writes, for PostgreSQL's ON CONFLICT
_PG_KEYS = {"meta": "key", "annotations": "article_id", "stories": "id", "events": "id", "claims": "id", "quotes": "id"}
ENGLISH_OR_UNKNOWN = ("en", "und")  # the languages the English layers run on ('und': too little text to tell)
_ARTICLE_COLS = ("seq, id, document_id, idx, title, text, span_start, span_end, text_map, removed, published, outlet,"
                 " url, authors, syndicated_from, text_hash, minhash, duplicate_of, duplicate_kind, duplicate_score,"
                 " story_id, language, language_score")


class StoreError(Exception):
    """The database cannot be used as asked (newer schema, not a storyline database, unreachable, …)."""


class QueryError(StoreError):
    """A full-text query the backend cannot read (FTS5 syntax on SQLite, its subset on PostgreSQL)."""


def is_url(db: str | Path) -> bool:
    """Whether `--db` names a PostgreSQL database (a postgresql:// URL) rather than a SQLite file."""
    return str(db).startswith(("postgresql://", "postgres://"))


def display_name(db: str | Path) -> str:
    """`db` as messages show it: a URL without its password."""
    return re.sub(r"^(postgres(?:ql)?://[^:/@]*):[^@/]*@", r"\1:***@", str(db))


class Store:
    """One storyline database, a SQLite file or a PostgreSQL database (a postgresql:// URL),
    holding documents, articles and every later layer."""

    QueryError = QueryError

    def __init__(self, path: str | Path):
        self.path = display_name(path)
        self.pg = is_url(path)
        self._exclusive = False
        self.read_only = False  # a SQLite file opened read-only (its file or its folder is not writable)
        self._frozen: tuple | None = None
        if self.pg:
            self.db: Any = _PgConnection.open(str(path), self.path)
        else:
            self.db, self.read_only, immutable = _open_sqlite(self.path)
            # an immutable connection never looks for changes: note the file's state to see one (broken)
            self._frozen = _file_state(self.path) if immutable else None
            self.db.row_factory = sqlite3.Row
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.execute("PRAGMA foreign_keys=ON")
        try:
            self._migrate()
        except BaseException:
            self.db.close()
            raise

    @staticmethod
    def exists(path: str | Path) -> bool:
        """Whether there is a storyline database at `path` to read (a file; or a PostgreSQL database
        holding storyline's tables). Raises StoreError when the server cannot be reached."""
        if not is_url(path):
            return Path(path).exists()
        conn = _PgConnection.open(str(path), display_name(path))
        try:
            return bool(conn.execute(_PG_TABLES).fetchone()[0])
        finally:
            conn.close()

    def close(self) -> None:
        self.db.close()

    @property
    def broken(self) -> bool:
        """Whether the connection is gone (a PostgreSQL server restarted or closed it), or a SQLite file
        opened immutable (read-only media) changed after all: open a new Store."""
        if self._frozen is not None:
            return _file_state(self.path) != self._frozen
        return bool(self.pg and (self.db.raw.closed or self.db.raw.broken))

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- schema -------------------------------------------------------------------------
    def _migrate(self) -> None:
        if self.pg:
            return self._migrate_pg()
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        self._check_version(version, version == 0 and self.db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0])
        if self.read_only and version < SCHEMA_VERSION:
            raise StoreError(f"{self.path}: the database is read-only and at schema version {version}; this storyline"
                             f" needs {SCHEMA_VERSION}: open it once where it can be written, or use a writable copy")
        for v in range(version + 1, SCHEMA_VERSION + 1):
            with self.transaction():
                for stmt in _split_sql(_MIGRATIONS[v]):
                    self.db.execute(stmt)
                self.db.execute(f"PRAGMA user_version={int(v)}")
                self.db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('schema_version', ?)", (str(v),))

    def _check_version(self, version: int, foreign: bool) -> None:
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path}: schema version {version} is newer than this storyline ({SCHEMA_VERSION}); upgrade storyline"
            )
        if foreign:
            raise StoreError(f"{self.path}: not a storyline database (it has other tables); choose another --db")

    def _pg_version(self) -> tuple[int, bool]:
        """(schema version, whether the schema holds tables that are not storyline's) on PostgreSQL."""
        # pg_class read as a table (a fresh snapshot), not through to_regclass, whose catalog snapshot
        # may not yet show another process's migration that committed while we waited for the lock
        meta, tables = self.db.execute(_PG_TABLES).fetchone()
        if not meta:
            return 0, bool(tables)
        row = self.db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        version = int(row[0]) if row and str(row[0]).isdigit() else 0
        return version, version == 0

    def _migrate_pg(self) -> None:
        version, _ = self._pg_version()
        self._check_version(version, False)
        if version == SCHEMA_VERSION:
            return
        with self.transaction():
            # one migrating process at a time; the others find the work done (and only under the lock is
            # "tables but no meta" a foreign database rather than another process's migration landing)
            self.db.execute("SELECT pg_advisory_xact_lock(7391026457)")
            version, foreign = self._pg_version()
            self._check_version(version, foreign)
            for v in range(max(version, _PG_FIRST - 1) + 1, SCHEMA_VERSION + 1):
                self.db.execute(_PG_MIGRATIONS.get(v, _MIGRATIONS[v]), raw=True)
                self.db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('schema_version', ?)", (str(v),))

    def transaction(self) -> _Transaction:
        return _Transaction(self)

    @contextmanager
    def exclusive(self, waiting: Callable[[], None] | None = None) -> Iterator[None]:
        """Hold the database's linking lock: one process at a time runs the cross-article stages.
        `waiting()` is called once when another process holds it, before waiting for it. SQLite: an
        flock on `<db>-link.lock` beside the file (not on the database file itself, whose POSIX locks a
        second descriptor's close would drop); PostgreSQL: a session advisory lock. Reentrant."""
        if self._exclusive:
            yield
            return
        if self.pg:
            if not self.db.execute("SELECT pg_try_advisory_lock(?)", (_LINK_LOCK,)).fetchone()[0]:
                if waiting:
                    waiting()
                self.db.execute("SELECT pg_advisory_lock(?)", (_LINK_LOCK,))

            def release() -> None:
                self.db.execute("SELECT pg_advisory_unlock(?)", (_LINK_LOCK,))
        else:
            try:
                fd = os.open(self.path + "-link.lock", os.O_RDWR | os.O_CREAT, 0o644)
            except OSError:  # a folder we cannot write: the link's writes will say so; nothing to serialise
                fd = -1
            if fd >= 0:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    if waiting:
                        waiting()
                    fcntl.flock(fd, fcntl.LOCK_EX)

            def release() -> None:
                if fd >= 0:
                    os.close(fd)  # closing the descriptor drops the flock
        self._exclusive = True
        try:
            yield
        finally:
            self._exclusive = False
            release()

    def data_version(self) -> str:
        """A string that changes whenever the data does (the web app's ETags and cache keys): the change
        counter every write bumps (meta 'changes', see _touch; 0 until a first write by this storyline),
        and on SQLite also the file's mtime and size and the write-ahead log's size, for writers that do
        not bump the counter (an older storyline). The file's state alone misses changes: a write after a
        checkpoint reuses the log at the same size and leaves the file as it was. (SQLite's PRAGMA
        data_version cannot serve: it is per connection, and the app has one connection per thread.)"""
        row = self.db.execute("SELECT value FROM meta WHERE key = 'changes'").fetchone()
        changes = str(row[0]) if row else "0"
        if self.pg:
            return "pg:" + changes
        parts = [changes]
        for name in (self.path, self.path + "-wal"):
            try:
                st = os.stat(name)
                # not the log's presence or mtime: SQLite creates an empty log when a reader connects
                parts.append(f"{st.st_mtime_ns}:{st.st_size}" if name == self.path else str(st.st_size))
            except OSError:
                parts.append("-" if name == self.path else "0")
        return "|".join(parts)

    def _touch(self) -> None:
        """Note a change (data_version) in the current write transaction (_Transaction does, before its
        commit, so every write bumps the counter): meta 'changes' + 1, on SQLite made at the first write
        where missing, so a database an older storyline made needs no migration."""
        if self.pg:
            self.db.execute("UPDATE meta SET value = (value::bigint + 1)::text WHERE key = 'changes'")
        else:
            self.db.execute("INSERT INTO meta(key, value) VALUES ('changes', '1') ON CONFLICT(key)"
                            " DO UPDATE SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT)")

    def _limit(self, limit: int) -> int | None:
        """A LIMIT argument: -1 (all) is NULL on PostgreSQL, which refuses negative limits."""
        return None if limit < 0 and self.pg else limit

    # --- documents and articles -----------------------------------------------------------
    def has_document(self, doc_id: str) -> bool:
        return self.db.execute("SELECT 1 FROM documents WHERE id = ?", (doc_id,)).fetchone() is not None

    def has_articles(self, doc_id: str) -> bool:
        return self.db.execute("SELECT 1 FROM articles WHERE document_id = ? LIMIT 1", (doc_id,)).fetchone() is not None

    def stored_as(self, doc: Document) -> str | None:
        """The id under which `doc` is already stored: its own id, or the id of the same bytes from the
        same origin (a JSONL line or feed entry whose position moved); None when it is new."""
        r = self.db.execute("SELECT id FROM documents WHERE id = ? OR (origin = ? AND sha256 = ?) ORDER BY seq LIMIT 1",
                            (doc.id, doc.origin, doc.sha256)).fetchone()
        return r[0] if r else None

    def save_document(self, doc: Document, articles: list[Article], signatures: list[tuple[str, bytes]]) -> bool:
        """Store a document with its articles in one transaction. Nothing stored is ever replaced: a new
        version of a source (same name, other content) is kept beside the earlier ones, which stay as they
        were (their articles, ids and layers). Returns whether an earlier version of the source is stored."""
        with self.transaction():
            earlier = doc.origin == doc.source and self.db.execute(  # a line or entry number is no version
                "SELECT 1 FROM documents WHERE source = ? AND id != ? LIMIT 1", (doc.source, doc.id)).fetchone() is not None
            self.db.execute(
                "INSERT OR IGNORE INTO documents(id, source, origin, sha256, kind, encoding, meta, text)"
                " VALUES (?,?,?,?,?,?,?,?)",
                (doc.id, doc.source, doc.origin, doc.sha256, doc.kind, doc.encoding, json.dumps(asdict(doc.meta)),
                 doc.text),
            )
            for art, (text_hash, sig) in zip(articles, signatures):
                self.db.execute(
                    "INSERT OR IGNORE INTO articles(id, document_id, idx, title, text, span_start, span_end, text_map,"
                    " removed, published, outlet, url, authors, syndicated_from, text_hash, minhash, language,"
                    " language_score) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    (
                        art.id, art.document_id, art.index, art.title, art.text, art.source_span[0], art.source_span[1],
                        json.dumps(art.text_map), json.dumps([asdict(r) for r in art.removed]),
                        json.dumps(asdict(art.published)), art.outlet, art.url, json.dumps(art.authors),
                        json.dumps(art.syndicated_from), text_hash, sig, art.language, art.language_score,
                    ),
                )
        return earlier

    def record_problem(self, source: str, message: str) -> None:
        with self.transaction():
            self.db.execute("INSERT OR IGNORE INTO problems(source, message) VALUES (?, ?)", (source, message))

    def problems(self) -> list[tuple[str, str]]:
        return [(r[0], r[1]) for r in self.db.execute("SELECT source, message FROM problems ORDER BY source, message")]

    def clear_problems(self, sources: Iterable[str]) -> None:
        with self.transaction():
            self.db.executemany("DELETE FROM problems WHERE source = ?", [(s,) for s in sources])

    def documents(self) -> Iterator[Document]:
        for r in self.db.execute("SELECT * FROM documents ORDER BY seq"):
            yield _document(r)

    def document(self, doc_id: str) -> Document | None:
        r = self.db.execute("SELECT * FROM documents WHERE id = ?", (doc_id,)).fetchone()
        return _document(r) if r else None

    def article_sources(self, ids: Iterable[str]) -> dict[str, tuple[str, int]]:
        """article id → (its document's source, its position in the document), for messages."""
        args = list(ids)
        return {r[0]: (r[1], r[2]) for r in self.db.execute(
            f"SELECT a.id, d.source, a.idx FROM articles a JOIN documents d ON d.id = a.document_id"
            f" WHERE a.id IN ({_marks(args)})", args)}

    def article_ids_by_document(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for r in self.db.execute("SELECT document_id, id FROM articles ORDER BY document_id, idx"):
            out.setdefault(r[0], []).append(r[1])
        return out

    def articles(self) -> Iterator[Article]:
        for r in self.db.execute(f"SELECT {_ARTICLE_COLS} FROM articles ORDER BY seq"):
            yield _article(r)

    def article(self, ref: str) -> Article | None:
        """An article by id, by an unambiguous id prefix, or by its position (1-based) in `articles`."""
        r = self.db.execute(f"SELECT {_ARTICLE_COLS} FROM articles WHERE id = ?", (ref,)).fetchone()
        if r is None and ref.isdigit() and int(ref) >= 1:
            r = self.db.execute(f"SELECT {_ARTICLE_COLS} FROM articles ORDER BY seq LIMIT 1 OFFSET ?",
                                (int(ref) - 1,)).fetchone()
        if r is None and len(ref) >= 4:
            rows = self.db.execute(
                f"SELECT {_ARTICLE_COLS} FROM articles WHERE substr(id, 1, ?) = ? ORDER BY seq LIMIT 2", (len(ref), ref)
            ).fetchall()
            r = rows[0] if len(rows) == 1 else None
        return _article(r) if r else None

    def dedupe_rows(self) -> list[Any]:
        """Articles in canonical order for duplicate finding: earliest published first, then ingestion order."""
        return self.db.execute(
            "SELECT id, text, text_hash, minhash FROM articles"
            " ORDER BY coalesce(json_extract(published, '$.date'), json_extract(published, '$.earliest'), '9999'), seq"
        ).fetchall()

    def set_duplicates(self, dups: dict[str, tuple[str, str, float]]) -> None:
        with self.transaction():
            self.db.execute("UPDATE articles SET duplicate_of = NULL, duplicate_kind = NULL, duplicate_score = NULL")
            self.db.executemany(
                "UPDATE articles SET duplicate_of = ?, duplicate_kind = ?, duplicate_score = ? WHERE id = ?",
                [(o, k, s, a) for a, (o, k, s) in dups.items()],
            )

    def set_shared_passages(self, rows: Iterable[tuple[str, int, int, str, int, int]]) -> None:
        with self.transaction():
            self.db.execute("DELETE FROM shared_passages")
            self.db.executemany("INSERT OR IGNORE INTO shared_passages VALUES (?,?,?,?,?,?)", list(rows))

    def shared_passages(self, article_id: str | None = None) -> list[dict[str, Any]]:
        sql = "SELECT * FROM shared_passages"
        args: tuple[Any, ...] = ()
        if article_id:
            sql += " WHERE article_id = ?"
            args = (article_id,)
        return [
            {"article_id": r["article_id"], "span": [r["start"], r["end"]],
             "other_article_id": r["other_article_id"], "other_span": [r["other_start"], r["other_end"]]}
            for r in self.db.execute(sql + " ORDER BY article_id, start, other_article_id", args)
        ]

    def counts(self) -> dict[str, int]:
        q = self.db.execute
        return {
            "documents": q("SELECT count(*) FROM documents").fetchone()[0],
            "articles": q("SELECT count(*) FROM articles").fetchone()[0],
            "duplicates": q("SELECT count(*) FROM articles WHERE duplicate_of IS NOT NULL").fetchone()[0],
            "shared passages": q("SELECT count(*) FROM shared_passages").fetchone()[0] // 2,
            "removed pieces": q("SELECT coalesce(sum(json_array_length(removed)), 0) FROM articles").fetchone()[0],
            "annotated": q("SELECT count(*) FROM annotations").fetchone()[0],
            "time expressions": q("SELECT coalesce(sum(json_array_length(timexes)), 0) FROM annotations").fetchone()[0],
            "entities": q("SELECT count(*) FROM entities").fetchone()[0],
            "quotes": q("SELECT count(*) FROM quotes").fetchone()[0],
            "stories": q("SELECT count(*) FROM stories").fetchone()[0],
            "events": q("SELECT count(*) FROM events").fetchone()[0],
            "claims": q("SELECT count(*) FROM claims").fetchone()[0],
            "problems": q("SELECT count(*) FROM problems").fetchone()[0],
        }

    # --- languages ------------------------------------------------------------------------------
    def undetected_languages(self) -> list[tuple[str, str | None, str]]:
        """(id, title, text) of articles stored before languages were detected (language NULL)."""
        return [(r[0], r[1], r[2]) for r in self.db.execute(
            "SELECT id, title, text FROM articles WHERE language IS NULL ORDER BY seq")]

    def set_languages(self, rows: Iterable[tuple[str, str, float | None]]) -> int:
        """(article id, language, probability) for articles stored before languages were detected. An
        article found not to be English loses the layers an older storyline gave it (English layers on
        another language) and its story, so it leaves entities, quotes, events and stories at the next
        link. Returns how many lost layers."""
        rows = list(rows)
        other = [(aid,) for aid, lang, _ in rows if lang not in ENGLISH_OR_UNKNOWN]
        with self.transaction():
            self.db.executemany("UPDATE articles SET language = ?, language_score = ? WHERE id = ?",
                                [(lang, score, aid) for aid, lang, score in rows])
            dropped = sum(self.db.execute("SELECT count(*) FROM annotations WHERE article_id = ?", a).fetchone()[0]
                          for a in other)
            self.db.executemany("DELETE FROM annotations WHERE article_id = ?", other)
            self.db.executemany("UPDATE articles SET story_id = NULL WHERE id = ?", other)
        return dropped

    def not_annotated_languages(self, article_ids: Iterable[str] | None = None) -> dict[str, int]:
        """language → how many stored articles (or of those given) are in it, for the languages the English
        layers do not run on (these articles are stored and searchable, never annotated)."""
        sql = f"SELECT language, count(*) FROM articles WHERE language NOT IN ({_marks(ENGLISH_OR_UNKNOWN)})"
        args: list[Any] = list(ENGLISH_OR_UNKNOWN)
        if article_ids is not None:
            ids = list(article_ids)
            sql += f" AND id IN ({_marks(ids)})"
            args += ids
        return {r[0]: r[1] for r in self.db.execute(sql + " GROUP BY language ORDER BY count(*) DESC, language", args)}

    # --- annotation layers -----------------------------------------------------------------
    def unannotated(self) -> list[tuple[str, str, Published, str | None]]:
        """(id, text, publication, title) of articles whose layers are not stored yet (new, a killed run's
        rest, or annotated by an older storyline without a layer now computed). Articles in a language other
        than English are never annotated (the layers are English ones): they are not listed; those whose
        language could not be told (or is not detected yet) are."""
        rows = self.db.execute(
            "SELECT a.id, a.text, a.published, a.title FROM articles a LEFT JOIN annotations n ON n.article_id = a.id"
            " WHERE (n.article_id IS NULL OR n.events IS NULL OR n.timeml IS NULL OR n.title IS NULL)"
            f" AND (a.language IS NULL OR a.language IN ({_marks(ENGLISH_OR_UNKNOWN)})) ORDER BY a.seq",
            ENGLISH_OR_UNKNOWN).fetchall()
        return [(r[0], r[1], Published(**json.loads(r[2])), r[3]) for r in rows]

    def save_annotations(self, rows: Iterable[tuple]) -> None:
        """(article id, anchor, timexes, mentions, quotes, events, claims, TimeML events[, title layers]) as
        JSON-ready values, in one transaction (TimeML events or title layers None: not computed, as in a
        batch written before them; the next build computes them)."""
        with self.transaction():
            self.db.executemany(
                "INSERT OR REPLACE INTO annotations(article_id, anchor, timexes, mentions, quotes, events, claims,"
                " timeml, title) VALUES (?,?,?,?,?,?,?,?,?)",
                [(a, anchor, json.dumps(t), json.dumps(m), json.dumps(q), json.dumps(ev), json.dumps(cl),
                  None if tm is None else json.dumps(tm), None if title is None else json.dumps(title))
                 for a, anchor, t, m, q, ev, cl, tm, *more in rows for title in [more[0] if more else None]],
            )

    def annotations(self, article_id: str) -> dict[str, Any] | None:
        r = self.db.execute("SELECT * FROM annotations WHERE article_id = ?", (article_id,)).fetchone()
        if r is None:
            return None
        return {"anchor": r["anchor"], "timexes": json.loads(r["timexes"]),
                "mentions": json.loads(r["mentions"]), "quotes": json.loads(r["quotes"]),
                "events": json.loads(r["events"] or "[]"), "claims": json.loads(r["claims"] or "[]"),
                "timeml": json.loads(r["timeml"] or "[]"), "title": json.loads(r["title"] or "{}")}

    def all_annotations(self, layer: str, article_ids: Iterable[str] | None = None) -> Iterator[tuple[str, Any]]:
        """(article id, that layer: a list, a dict for "title") for every annotated article (or those given),
        in ingestion order."""
        if layer not in ("timexes", "mentions", "quotes", "events", "claims", "timeml", "title"):
            raise ValueError(f"no annotation layer {layer!r}")
        sql = f"SELECT n.article_id, n.{layer} FROM annotations n JOIN articles a ON a.id = n.article_id"
        args: list[Any] = []
        if article_ids is not None:
            ids = list(article_ids)
            sql += f" WHERE a.id IN ({_marks(ids)})"
            args = ids
        for r in self.db.execute(sql + " ORDER BY a.seq", args):
            yield r[0], json.loads(r[1] or ("{}" if layer == "title" else "[]"))

    # --- stories, events, claims --------------------------------------------------------------
    def story_rows(self) -> list[dict[str, Any]]:
        """Every annotated article for story assignment, in ingestion order: id, title, text, published,
        story id, duplicate_of, and the canonical entities it mentions (an article joins a story only once
        its layers are stored, so no story is computed without an article's events)."""
        ents: dict[str, list[str]] = {}
        for r in self.db.execute("SELECT article_id, entity_id FROM entity_mentions ORDER BY article_id, start, entity_id"):
            ents.setdefault(r[0], []).append(r[1])
        return [{"id": r["id"], "title": r["title"], "text": r["text"], "published": json.loads(r["published"]),
                 "story_id": r["story_id"], "duplicate_of": r["duplicate_of"], "entities": ents.get(r["id"], [])}
                for r in self.db.execute(
                    "SELECT id, title, text, published, story_id, duplicate_of FROM articles a"
                    " WHERE EXISTS (SELECT 1 FROM annotations n WHERE n.article_id = a.id AND n.events IS NOT NULL)"
                    " ORDER BY seq")]

    def article_meta(self, ids: Iterable[str] | None = None) -> dict[str, dict[str, Any]]:
        """id → {seq, title, outlet, url, published, story_id} (all articles, or those given)."""
        sql = "SELECT seq, id, title, outlet, url, published, story_id FROM articles"
        args: list[Any] = []
        if ids is not None:
            args = list(ids)
            sql += f" WHERE id IN ({_marks(args)})"
        return {r["id"]: {"seq": r["seq"], "title": r["title"], "outlet": r["outlet"], "url": r["url"],
                          "published": json.loads(r["published"]), "story_id": r["story_id"]}
                for r in self.db.execute(sql + " ORDER BY seq", args)}

    def entity_ids_at(self, article_ids: Iterable[str]) -> dict[tuple[str, int], str]:
        """(article id, mention start) → canonical entity id, for the given articles; a capital standing for
        its government ("Ankara bought ...") gives its country's (the state is who acts)."""
        ids = list(article_ids)
        out: dict[tuple[str, int], str] = {}
        for aid, start, eid, as_, data in self.db.execute(
                "SELECT m.article_id, m.start, m.entity_id, m.mention_as, e.data FROM entity_mentions m"
                f" JOIN entities e ON e.id = m.entity_id WHERE m.article_id IN ({_marks(ids)})", ids):
            country = json.loads(data).get("capital_of") if as_ == "capital" else None
            out[(aid, start)] = country or eid
        return out

    def story_members(self) -> dict[str, str | None]:
        """story id → the members key its stored layers were computed over (None from an older storyline)."""
        return {r[0]: r[1] for r in self.db.execute("SELECT id, members FROM stories")}

    def set_stories(self, assignment: dict[str, str], story_ids: Iterable[str], stories: list[dict[str, Any]],
                    events: list[dict[str, Any]], claims: list[dict[str, Any]], members: dict[str, str]) -> None:
        """In one transaction: the articles' new story ids (`assignment`), and the stories, events and
        claims of `story_ids` replaced by those given, each story with the members key of its layers."""
        sids = list(story_ids)
        with self.transaction():
            self.db.executemany("UPDATE articles SET story_id = ? WHERE id = ?",
                                [(sid, aid) for aid, sid in assignment.items()])
            for table in ("stories", "claims"):
                self.db.execute(f"DELETE FROM {table} WHERE {'id' if table == 'stories' else 'story_id'}"
                                f" IN ({_marks(sids)})", sids)
            self.db.execute(f"DELETE FROM event_refs WHERE event_id IN (SELECT id FROM events WHERE story_id IN"
                            f" ({_marks(sids)}))", sids)
            self.db.execute(f"DELETE FROM events WHERE story_id IN ({_marks(sids)})", sids)
            self.db.executemany(
                "INSERT OR REPLACE INTO stories(id, seq, title, first, last, data, members) VALUES (?,?,?,?,?,?,?)",
                [(x["id"], x["seq"], x["title"], x.get("first"), x.get("last"), json.dumps(x), members.get(x["id"]))
                 for x in stories])
            self.db.executemany(
                "INSERT OR REPLACE INTO events(id, story_id, type, date, sort, data) VALUES (?,?,?,?,?,?)",
                [(e["id"], e["story_id"], e["type"], e.get("date"), e.get("sort"), json.dumps(e)) for e in events])
            self.db.executemany(
                "INSERT OR IGNORE INTO event_refs(event_id, article_id, start) VALUES (?,?,?)",
                [(e["id"], p["ref"][0], p["ref"][1]) for e in events for p in e["participants"] if p.get("ref")])
            self.db.executemany(
                "INSERT OR REPLACE INTO claims(id, story_id, status, data) VALUES (?,?,?,?)",
                [(c["id"], c["story_id"], c["status"], json.dumps(c)) for c in claims])

    def stories(self) -> list[dict[str, Any]]:
        """Stories, the one with most articles first: {id, title, article_ids, first, last, …}."""
        return self.stories_page(-1, 0)[1]

    def stories_page(self, limit: int = 20, offset: int = 0) -> tuple[int, list[dict[str, Any]]]:
        """(total, one page) of stories, the one with most articles first (a limit of -1: all)."""
        total = self.db.execute("SELECT count(*) FROM stories").fetchone()[0]
        out = [json.loads(r[0]) for r in self.db.execute(
            "SELECT s.data, (SELECT count(*) FROM articles a WHERE a.story_id = s.id) AS n FROM stories s"
            " ORDER BY n DESC, s.seq, s.id LIMIT ? OFFSET ?", (self._limit(limit), offset))]
        ids: dict[str, list[str]] = {x["id"]: [] for x in out}
        if ids:
            for r in self.db.execute(f"SELECT story_id, id FROM articles WHERE story_id IN ({_marks(ids)})"
                                     " ORDER BY seq", list(ids)):
                ids[r[0]].append(r[1])
        for x in out:
            x["article_ids"] = ids[x["id"]]
        return total, out

    def story_article_facts(self, story_ids: Iterable[str]) -> dict[str, list[dict[str, Any]]]:
        """Story id → its articles' {id, outlet, url, published} in ingestion order: what a list of stories
        shows beside each (outlets, date span, articles over time)."""
        ids = list(story_ids)
        out: dict[str, list[dict[str, Any]]] = {sid: [] for sid in ids}
        if ids:
            for r in self.db.execute(f"SELECT story_id, id, outlet, url, published FROM articles"
                                     f" WHERE story_id IN ({_marks(ids)}) ORDER BY seq", ids):
                out[r[0]].append({"id": r[1], "outlet": r[2], "url": r[3], "published": json.loads(r[4])})
        return out

    def main_events(self, story_id: str | None = None) -> dict[str, str]:
        """Article id → the id of its main event (the happening it reports; a copy takes its original's),
        over every story or one."""
        out: dict[str, str] = {}
        sql, args = "SELECT data FROM stories", []
        if story_id is not None:
            sql, args = sql + " WHERE id = ?", [story_id]
        for (data,) in self.db.execute(sql, args).fetchall():
            out.update(json.loads(data).get("main_events") or {})
        sql = "SELECT id, duplicate_of FROM articles WHERE duplicate_of IS NOT NULL"
        if story_id is not None:
            sql += " AND story_id = ?"
        for aid, original in self.db.execute(sql, args).fetchall():
            if original in out:
                out[aid] = out[original]
        return out

    def story(self, story_id: str) -> dict[str, Any] | None:
        row = self.db.execute("SELECT data FROM stories WHERE id = ?", (story_id,)).fetchone()
        if row is None:
            return None
        x = json.loads(row[0])
        x["article_ids"] = [r[0] for r in self.db.execute(
            "SELECT id FROM articles WHERE story_id = ? ORDER BY seq", (story_id,))]
        return x

    def events(self, story_id: str | None = None, entity_id: str | None = None) -> list[dict[str, Any]]:
        """Events (dossier shape) ordered by date, undated last: every one of `events_page`."""
        return self.events_page(-1, 0, story_id, entity_id, generic=True)[1]

    _NOT_GENERIC = "NOT (e.date IS NULL AND coalesce(json_extract(e.data, '$.generic'), 0))"
    _NOT_GENERIC_PG = "NOT (e.date IS NULL AND coalesce((e.data::json ->> 'generic')::boolean, false))"

    def events_page(self, limit: int = 20, offset: int = 0, story_id: str | None = None,
                    entity_id: str | None = None, generic: bool | None = None, type: str | None = None,
                    event_class: str | None = None) -> tuple[int, list[dict[str, Any]]]:
        """(total, one page) of events (dossier shape) ordered by date, undated last (a limit of -1: all).
        Undated generic events (a predicate found only as what some entity did) are left out of a
        story's timeline unless `generic` is True; an entity's timeline (`entity_id`) keeps them. `type`
        keeps one news type, `event_class` one TimeML class. Participants are linked to the canonical entities as they are now (through the mention each came
        from), so a story left untouched by a later build still points at the right entities when a new
        article renames one."""
        if generic is None:
            generic = entity_id is not None
        where, args = _where(("e.story_id = ?", story_id), (
            "e.id IN (SELECT r.event_id FROM event_refs r JOIN entity_mentions m"
            " ON m.article_id = r.article_id AND m.start = r.start WHERE m.entity_id = ?)", entity_id),
            (self._NOT_GENERIC_PG if self.pg else self._NOT_GENERIC, None if generic else ()),
            ("e.type = ?", type),
            ("(e.data::json ->> 'class') = ?" if self.pg else "json_extract(e.data, '$.class') = ?", event_class))
        total = self.db.execute(f"SELECT count(*) FROM events e{where}", args).fetchone()[0]
        evs = [json.loads(r[0]) for r in self.db.execute(
            f"SELECT e.data FROM events e{where} ORDER BY e.date IS NULL, e.sort, e.id"
            " LIMIT ? OFFSET ?", [*args, self._limit(limit), offset])]
        refs = {p["ref"][0] for e in evs for p in e["participants"] if p.get("ref")}
        now = self.entity_ids_at(refs) if refs else {}
        for e in evs:
            for p in e["participants"]:
                if p.get("ref"):
                    p["entity_id"] = now.get(tuple(p["ref"]), p.get("entity_id"))
        return total, evs

    def event_points(self, story_id: str) -> list[dict[str, Any]]:
        """The story's dated events as {id, date, type, summary}: enough to draw them on a time axis."""
        return [{"id": r[0], "date": r[1], "type": r[2], "summary": r[3]} for r in self.db.execute(
            "SELECT id, date, type, json_extract(data, '$.summary') FROM events"
            " WHERE story_id = ? AND date IS NOT NULL ORDER BY sort, id", (story_id,))]

    def claims(self, story_id: str | None = None, conflicts_only: bool = False) -> list[dict[str, Any]]:
        where, args = _where(("story_id = ?", story_id), ("status = 'conflict'", None if not conflicts_only else ()))
        return [json.loads(r[0]) for r in self.db.execute(f"SELECT data FROM claims{where} ORDER BY story_id, id", args)]

    def set_entities(self, entities: list[dict[str, Any]], quotes: list[dict[str, Any]]) -> None:
        """Replace the canonical entities (dossier shape) and the linked quotes in one transaction."""
        with self.transaction():
            self.db.execute("DELETE FROM entities")
            self.db.execute("DELETE FROM quotes")
            self.db.executemany(
                "INSERT INTO entities(id, name, type, data) VALUES (?,?,?,?)",
                [(e["id"], e["name"], e["type"], json.dumps({k: v for k, v in e.items() if k != "mentions"}))
                 for e in entities],
            )
            self.db.executemany(
                "INSERT OR IGNORE INTO entity_mentions(entity_id, article_id, start, \"end\", text, mention_as)"
                " VALUES (?,?,?,?,?,?)",
                [(e["id"], m["article_id"], m["span"][0], m["span"][1], m["text"], m.get("as"))
                 for e in entities for m in e["mentions"]],
            )
            self.db.executemany(
                "INSERT OR REPLACE INTO quotes(id, article_id, start, \"end\", kind, speaker_name, speaker_entity, data)"
                " VALUES (?,?,?,?,?,?,?,?)",
                [(q["id"], q["article_id"], q["span"][0], q["span"][1], q["kind"],
                  (q.get("speaker") or {}).get("name"), (q.get("speaker") or {}).get("entity_id"), json.dumps(q))
                 for q in quotes],
            )

    def entities(self, type: str | None = None, name: str | None = None) -> list[dict[str, Any]]:
        """Canonical entities with their mentions, most mentioned first; `name` matches name or alias."""
        _, rows = self.entities_page(limit=-1, type=type)  # LIMIT -1: all of them
        out = [e for e in rows if not name or _name_matches(name, e)]
        for e in out:
            e.pop("mention_count", None)
        return out

    def quotes(self, speaker: str | None = None, article_ids: Iterable[str] | None = None) -> list[dict[str, Any]]:
        """Quotes in reading order; `speaker` matches the speaker's name, alias or entity id."""
        return self.quotes_page(limit=-1, speaker=speaker,
                                article_ids=list(article_ids) if article_ids is not None else None)[1]

    def search(self, query: str, limit: int = 20) -> list[tuple[str, str]]:
        """Full-text search (FTS5 query syntax; on PostgreSQL its subset, see _tsquery); returns (article
        id, highlighted snippet). Raises QueryError on a query the backend cannot read."""
        if self.pg:
            tsq = _tsquery(query)
            rows = self.db.execute(
                "SELECT a.id, ts_headline('simple', a.text, to_tsquery('simple', ?), ?), a.text FROM articles a"
                " WHERE a.tsv @@ to_tsquery('simple', ?) ORDER BY ts_rank(a.tsv, to_tsquery('simple', ?)) DESC, a.seq"
                " LIMIT ?", (tsq, "StartSel=[, StopSel=], MaxWords=12, MinWords=6", tsq, tsq, self._limit(limit)),
            ).fetchall()
            return [(r[0], _ellipsis(r[1], r[2], "[]")) for r in rows]
        try:
            rows = self.db.execute(
                "SELECT a.id, snippet(articles_fts, 1, '[', ']', '…', 12) FROM articles_fts"
                " JOIN articles a ON a.seq = articles_fts.rowid WHERE articles_fts MATCH ? ORDER BY rank LIMIT ?",
                (query, limit),
            ).fetchall()
        except sqlite3.OperationalError as e:
            raise QueryError(str(e)) from e
        return [(r[0], r[1]) for r in rows]

    # --- paginated queries for the HTTP API and the pages (storyline.web) ----------------------
    _PUB_DATE = ("coalesce(json_extract(a.published, '$.date'), json_extract(a.published, '$.earliest'),"
                 " json_extract(a.published, '$.latest'))")

    def articles_page(
        self, limit: int = 20, offset: int = 0, q: str | None = None, outlet: str | None = None,
        date_from: str | None = None, date_to: str | None = None, entity_id: str | None = None,
        story_id: str | None = None,
    ) -> tuple[int, list[dict[str, Any]]]:
        """(total, one page) of articles as summaries, in ingestion order, or by rank when `q` (an FTS5
        query) is given; then each row has `snippet` (plain text) and `highlights` ([start, end) into it).
        Filters: outlet, publication date range (ISO, on the date or else its earliest bound), an
        entity mentioned, a story. Raises QueryError on a malformed query (on PostgreSQL the FTS5
        subset _tsquery reads; ranked by ts_rank, snippets by ts_headline)."""
        where, args = ["1=1"], []
        if outlet:
            where.append("a.outlet = ?")
            args.append(outlet)
        if date_from:
            where.append(f"{self._PUB_DATE} >= ?")
            args.append(date_from)
        if date_to:
            where.append(f"{self._PUB_DATE} <= ?")
            args.append(date_to)
        if entity_id:
            where.append("a.id IN (SELECT article_id FROM entity_mentions WHERE entity_id = ?)")
            args.append(entity_id)
        if story_id:
            where.append("a.story_id = ?")
            args.append(story_id)
        cols = "a.id, a.title, a.outlet, a.url, a.published, a.authors, a.story_id, a.duplicate_of, a.text"
        cond = " AND ".join(where)
        if q and self.pg:
            tsq = _tsquery(q)
            base = " FROM articles a WHERE a.tsv @@ to_tsquery('simple', ?) AND " + cond
            total = self.db.execute("SELECT count(*)" + base, [tsq, *args]).fetchone()[0]
            seqs = [r[0] for r in self.db.execute(
                "SELECT a.seq" + base + " ORDER BY ts_rank(a.tsv, to_tsquery('simple', ?)) DESC, a.seq LIMIT ? OFFSET ?",
                [tsq, *args, tsq, self._limit(limit), offset])]
            # the snippet from the text, or from the title where only the title matches (FTS5 picks a column)
            by_seq = {r["seq"]: r for r in self.db.execute(
                f"SELECT {cols}, a.seq, ts_headline('simple', CASE WHEN to_tsvector('simple', a.text)"
                " @@ to_tsquery('simple', ?) THEN a.text ELSE coalesce(a.title, '') END, to_tsquery('simple', ?), ?)"
                f" AS snippet FROM articles a WHERE a.seq IN ({_marks(seqs)})",
                [tsq, tsq, "StartSel=\ue000, StopSel=\ue001, MaxWords=24, MinWords=12", *seqs])}
            rows = [{**dict(r), "snippet": _ellipsis(r["snippet"], r["text"], "\ue000\ue001")}
                    for r in (by_seq.get(i) for i in seqs) if r is not None]
        elif q:
            # rank first, then read columns and make snippets for the one page only (cheap at any hit count)
            if args:
                base = (" FROM articles_fts JOIN articles a ON a.seq = articles_fts.rowid"
                        f" WHERE articles_fts MATCH ? AND {cond}")
            else:  # no filter: the index alone answers
                base = " FROM articles_fts WHERE articles_fts MATCH ?"
            try:
                total = self.db.execute("SELECT count(*)" + base, [q, *args]).fetchone()[0]
                seqs = [r[0] for r in self.db.execute(
                    "SELECT articles_fts.rowid" + base + " ORDER BY rank LIMIT ? OFFSET ?", [q, *args, limit, offset])]
                snippets = dict(self.db.execute(
                    "SELECT rowid, snippet(articles_fts, -1, char(57344), char(57345), '…', 24) FROM articles_fts"
                    f" WHERE articles_fts MATCH ? AND rowid IN ({_marks(seqs)})", [q, *seqs]).fetchall())
            except sqlite3.OperationalError as e:
                raise QueryError(str(e)) from e
            by_seq = {r["seq"]: r for r in self.db.execute(
                f"SELECT {cols}, a.seq FROM articles a WHERE a.seq IN ({_marks(seqs)})", seqs)}
            rows = [{**dict(by_seq[i]), "snippet": snippets.get(i)} for i in seqs if i in by_seq]
        else:
            base = f" FROM articles a WHERE {cond}"
            total = self.db.execute("SELECT count(*)" + base, args).fetchone()[0]
            rows = self.db.execute(f"SELECT {cols}" + base + " ORDER BY a.seq LIMIT ? OFFSET ?",
                                   [*args, self._limit(limit), offset]).fetchall()
        out = []
        for r in rows:
            item = {"id": r["id"], "title": r["title"], "published": json.loads(r["published"]),
                    "outlet": r["outlet"], "url": r["url"], "authors": json.loads(r["authors"]),
                    "words": len(r["text"].split()), "story_id": r["story_id"], "duplicate_of": r["duplicate_of"]}
            if q:
                item["snippet"], item["highlights"] = _unmark(r["snippet"] or "")
            out.append(item)
        return total, out

    def article_titles(self, ids: list[str]) -> dict[str, dict[str, Any]]:
        """id → {title, outlet, published} for the given articles (a story's sources)."""
        return {r[0]: {"title": r[1], "outlet": r[2], "published": json.loads(r[3])} for r in self.db.execute(
            f"SELECT id, title, outlet, published FROM articles WHERE id IN ({_marks(ids)})", list(ids))}

    def entity_names(self, ids: Iterable[str]) -> dict[str, str]:
        """id → canonical name for the given entities (those that exist)."""
        ids = sorted(set(ids))
        if not ids:
            return {}
        return {r[0]: r[1] for r in self.db.execute(f"SELECT id, name FROM entities WHERE id IN ({_marks(ids)})", ids)}

    def outlets(self) -> list[tuple[str, int]]:
        """(outlet, number of articles), most articles first."""
        return [(r[0], r[1]) for r in self.db.execute(
            "SELECT outlet, count(*) AS n FROM articles WHERE outlet IS NOT NULL"
            " GROUP BY outlet ORDER BY n DESC, outlet")]

    def entities_page(
        self, limit: int = 20, offset: int = 0, type: str | None = None, q: str | None = None,
        article_ids: list[str] | None = None, max_mentions: int | None = None,
    ) -> tuple[int, list[dict[str, Any]]]:
        """(total, one page) of canonical entities, most mentioned first, each with its mentions and
        `mention_count`; `q` is a substring of the name or an alias; `article_ids` keeps those mentioned
        there, counts and lists only their mentions there (a story's entities); `max_mentions` lists at
        most that many of each entity's mentions, the first in reading order (`mention_count` counts all)."""
        where, args = ["1=1"], []
        if type:
            where.append("e.type = ?")
            args.append(type.upper())
        if q:
            where.append("(e.name LIKE ? ESCAPE '\\' OR json_extract(e.data, '$.aliases') LIKE ? ESCAPE '\\')")
            args += [_like(q), _like(q)]
        cond = " AND ".join(where)
        if article_ids is not None:  # a story's entities: its mentions counted in one grouped pass
            counted = (f"(SELECT entity_id, count(*) AS n FROM entity_mentions WHERE article_id IN"
                       f" ({_marks(article_ids)}) GROUP BY entity_id) c JOIN entities e ON e.id = c.entity_id")
            total = self.db.execute(f"SELECT count(*) FROM {counted} WHERE {cond}", [*article_ids, *args]).fetchone()[0]
            rows = self.db.execute(f"SELECT e.id, e.data, c.n FROM {counted} WHERE {cond}"
                                   " ORDER BY c.n DESC, e.name, e.id LIMIT ? OFFSET ?",
                                   [*article_ids, *args, self._limit(limit), offset]).fetchall()
        else:
            total = self.db.execute(f"SELECT count(*) FROM entities e WHERE {cond}", args).fetchone()[0]
            rows = self.db.execute(
                "SELECT e.id, e.data, (SELECT count(*) FROM entity_mentions m WHERE m.entity_id = e.id) AS n"
                f" FROM entities e WHERE {cond} ORDER BY n DESC, e.name, e.id LIMIT ? OFFSET ?",
                [*args, self._limit(limit), offset]).fetchall()
        return total, self._with_mentions(rows, article_ids, max_mentions)

    def entity(self, entity_id: str) -> dict[str, Any] | None:
        rows = self.db.execute(
            "SELECT e.id, e.data, (SELECT count(*) FROM entity_mentions m WHERE m.entity_id = e.id) AS n"
            " FROM entities e WHERE e.id = ?", (entity_id,)).fetchall()
        found = self._with_mentions(rows)
        return found[0] if found else None

    def _with_mentions(self, rows: list[Any], article_ids: list[str] | None = None,
                       max_mentions: int | None = None) -> list[dict[str, Any]]:
        out, by_id = [], {}
        for r in rows:
            e = json.loads(r["data"])
            e["mention_count"] = r["n"]
            e["mentions"] = []
            by_id[r["id"]] = e
            out.append(e)
        if by_id:
            within, wargs = "", []
            if article_ids is not None:
                within, wargs = f" AND m.article_id IN ({_marks(article_ids)})", list(article_ids)
            for m in self.db.execute(
                "SELECT entity_id, article_id, start, \"end\", text, mention_as FROM ("
                " SELECT m.entity_id, m.article_id, m.start, m.\"end\", m.text, m.mention_as, a.seq,"
                " row_number() OVER (PARTITION BY m.entity_id ORDER BY a.seq, m.start) AS k FROM entity_mentions m"
                f" JOIN articles a ON a.id = m.article_id WHERE m.entity_id IN ({_marks(by_id)}){within}) t"
                " WHERE k <= ? ORDER BY seq, start, entity_id", [*by_id, *wargs, 1 << 62 if max_mentions is None else max_mentions],
            ):
                e = by_id[m[0]]
                e["mentions"].append(
                    {"article_id": m[1], "span": [m[2], m[3]], "text": m[4], **({"as": m[5]} if m[5] else {}),
                     **({"country_id": e["capital_of"]} if m[5] == "capital" and e.get("capital_of") else {})})
        return out

    def entity_articles(self, entity_ids: list[str], article_ids: list[str]) -> dict[str, set[str]]:
        """entity id → the articles among `article_ids` that name it (who appears with whom)."""
        out: dict[str, set[str]] = {}
        for r in self.db.execute(
                f"SELECT DISTINCT entity_id, article_id FROM entity_mentions WHERE entity_id IN ({_marks(entity_ids)})"
                f" AND article_id IN ({_marks(article_ids)})", [*entity_ids, *article_ids]):
            out.setdefault(r[0], set()).add(r[1])
        return out

    def speakers(self, article_ids: list[str], top: int | None = 12,
                 per: int = 5) -> list[tuple[str, int, list[dict[str, Any]]]]:
        """Who is quoted most in these articles: (speaker, number of quotes, the first `per` of them in
        reading order) for the `top` speakers (every one where `top` is None); a speaker is the linked
        entity where there is one, else its own words ("Turkish media")."""
        rows = self.db.execute(
            "SELECT t.who, t.name, t.n, q.data FROM (SELECT q.id, coalesce(q.speaker_entity, q.speaker_name, '') AS who,"
            " coalesce(e.name, q.speaker_name, '') AS name, count(*) OVER w AS n,"
            " row_number() OVER (w ORDER BY a.seq, q.start) AS k"
            " FROM quotes q JOIN articles a ON a.id = q.article_id LEFT JOIN entities e ON e.id = q.speaker_entity"
            f" WHERE q.article_id IN ({_marks(article_ids)})"
            " WINDOW w AS (PARTITION BY coalesce(q.speaker_entity, q.speaker_name, ''))) t"
            " JOIN quotes q ON q.id = t.id WHERE t.k <= ?"
            " ORDER BY t.n DESC, t.name, t.who, t.k", [*article_ids, per]).fetchall()
        out: list[tuple[str, int, list[dict[str, Any]]]] = []
        last = None
        for who, name, n, data in rows:
            if who != last:
                if len(out) == top:
                    break
                out.append((name, n, []))
                last = who
            out[-1][2].append(json.loads(data))
        return out

    def article_entity_mentions(self, article_id: str) -> list[dict[str, Any]]:
        """The mentions in one article linked to their canonical entity: entity_id, name, type, span, text."""
        return [
            {"entity_id": r[0], "name": r[1], "type": r[2], "span": [r[3], r[4]], "text": r[5],
             **({"as": r[6]} if r[6] else {}),
             **({"country_id": c} if r[6] == "capital" and (c := json.loads(r[7]).get("capital_of")) else {})}
            for r in self.db.execute(
                "SELECT m.entity_id, e.name, e.type, m.start, m.\"end\", m.text, m.mention_as, e.data"
                " FROM entity_mentions m"
                " JOIN entities e ON e.id = m.entity_id WHERE m.article_id = ? ORDER BY m.start, m.\"end\" DESC",
                (article_id,))
        ]

    def quotes_page(
        self, limit: int = 20, offset: int = 0, speaker: str | None = None, article_ids: list[str] | None = None,
    ) -> tuple[int, list[dict[str, Any]]]:
        """(total, one page) of linked quotes in reading order; `speaker` matches as in `quotes`
        (the speaker's entity id, a word-wise part of its name or an alias, or whole words of the name given)."""
        where, args = ["1=1"], []
        if article_ids is not None:
            where.append(f"q.article_id IN ({_marks(article_ids)})")
            args += list(article_ids)
        if speaker:
            pat = _like(speaker)
            fpat = _like(speaker.split()[0] if speaker.split() else speaker)
            candidates = self.db.execute(
                "SELECT id, data FROM entities"
                " WHERE name LIKE ? ESCAPE '\\' OR json_extract(data, '$.aliases') LIKE ? ESCAPE '\\'",
                (fpat, fpat)).fetchall()
            ids = [r[0] for r in candidates if _name_matches(speaker, json.loads(r[1]))] + [speaker]
            # the name given, word-wise: "Russia" is not "a Russian newspaper" (a group keeps its own words)
            core = pat[1:-1]
            where.append(f"(q.speaker_entity IN ({_marks(ids)}) OR q.speaker_name LIKE ? ESCAPE '\\'"
                         " OR q.speaker_name LIKE ? ESCAPE '\\' OR q.speaker_name LIKE ? ESCAPE '\\'"
                         " OR q.speaker_name LIKE ? ESCAPE '\\')")
            args += [*ids, core, f"{core} %", f"% {core}", f"% {core} %"]
        cond = " AND ".join(where)
        total = self.db.execute(f"SELECT count(*) FROM quotes q WHERE {cond}", args).fetchone()[0]
        rows = self.db.execute(
            f"SELECT q.data FROM quotes q JOIN articles a ON a.id = q.article_id WHERE {cond}"
            " ORDER BY a.seq, q.start, q.id LIMIT ? OFFSET ?", [*args, self._limit(limit), offset]).fetchall()
        return total, [json.loads(r[0]) for r in rows]


def _where(*conditions: tuple[str, Any]) -> tuple[str, list[Any]]:
    """' WHERE a AND b' and its arguments from (sql, value) pairs, leaving out those whose value is None;
    a value of () adds a condition that takes no argument."""
    parts, args = [], []
    for sql, value in conditions:
        if value is None:
            continue
        parts.append(sql)
        if value != ():
            args.append(value)
    return (" WHERE " + " AND ".join(parts) if parts else ""), args


def _like(text: str) -> str:
    """A LIKE pattern (with ESCAPE '\\') matching `text` anywhere, its wildcards taken literally."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _marks(values: Iterable[Any]) -> str:
    """Placeholders for an IN (...) list: one '?' per value (at least one, so an empty list matches nothing)."""
    n = len(list(values))
    return ",".join("?" * n) if n else "NULL"


def _unmark(snippet: str) -> tuple[str, list[list[int]]]:
    """A snippet with FTS5 markers U+E000/U+E001 → (plain text, [start, end) of each highlighted run)."""
    out: list[str] = []
    spans: list[list[int]] = []
    pos = 0
    start = None
    for ch in snippet:
        if ch == "\ue000":
            start = pos
        elif ch == "\ue001":
            if start is not None:
                spans.append([start, pos])
            start = None
        else:
            out.append(ch)
            pos += 1
    return "".join(out), spans


def _name_matches(query: str, entity: dict[str, Any]) -> bool:
    """A name query matches an entity when it is a word-wise part of its name or an alias ('erdogan')."""
    q = query.casefold().split()
    for name in [entity.get("name", "")] + list(entity.get("aliases", [])):
        words = name.casefold().split()
        if any(words[i : i + len(q)] == q for i in range(len(words) - len(q) + 1)):
            return True
    return False


class _Transaction:
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


def _file_state(path: str) -> tuple:
    """The file's and its write-ahead log's mtime and size (None where missing)."""
    out: list[Any] = []
    for name in (path, path + "-wal"):
        try:
            st = os.stat(name)
            out.append((st.st_mtime_ns, st.st_size))
        except OSError:
            out.append(None)
    return tuple(out)


def _open_sqlite(path: str) -> tuple[sqlite3.Connection, bool, bool]:
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


class _Row(tuple):
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


class _PgConnection:
    """A psycopg connection that takes the store's SQL as written for SQLite (see _pg_sql)."""

    def __init__(self, raw: Any):
        self.raw = raw

    @classmethod
    def open(cls, url: str, name: str) -> _PgConnection:
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
        return self.raw.execute(sql if raw else _pg_sql(sql), args)

    def executemany(self, sql: str, rows: Iterable[Any]) -> Any:
        rows = list(rows)
        cur = self.raw.cursor()
        if rows:
            cur.executemany(_pg_sql(sql), rows)
        return cur

    def close(self) -> None:
        self.raw.close()


@lru_cache(maxsize=512)
def _pg_sql(sql: str) -> str:
    """One of the store's statements, written for SQLite, as PostgreSQL takes it: ? placeholders
    become %s, INSERT OR IGNORE / OR REPLACE become ON CONFLICT, json_extract(x, '$.k') becomes
    x::json ->> 'k' and json_array_length takes x::json. Only the store's own SQL comes here."""
    out = sql.replace("%", "%%").replace("?", "%s")
    if out.startswith("INSERT OR IGNORE INTO"):
        out = "INSERT INTO" + out[len("INSERT OR IGNORE INTO"):] + " ON CONFLICT DO NOTHING"
    elif out.startswith("INSERT OR REPLACE INTO"):
        m = re.match(r"INSERT OR REPLACE INTO (\w+)\(([^)]*)\)", out)
        assert m, sql
        key = _PG_KEYS[m.group(1)]
        cols = [c.strip() for c in m.group(2).split(",") if c.strip() != key]
        out = ("INSERT INTO" + out[len("INSERT OR REPLACE INTO"):] + f" ON CONFLICT ({key}) DO UPDATE SET "
               + ", ".join(f"{c} = EXCLUDED.{c}" for c in cols))
    out = re.sub(r"\bLIKE\b", "ILIKE", out)  # SQLite's LIKE ignores case
    out = re.sub(r"json_extract\(([\w.]+), '\$\.(\w+)'\)", r"(\1::json ->> '\2')", out)
    return re.sub(r"json_array_length\(([\w.]+)\)", r"json_array_length(\1::json)", out)


_BAREWORD = re.compile(r"[0-9A-Za-z_\x1a\u0080-\U0010ffff]+")
_FTS_COLUMNS = {"title": "A", "text": "B"}


def _tsquery(query: str) -> str:
    """An FTS5 query as a PostgreSQL tsquery (for to_tsquery('simple', …)): barewords and "phrases"
    (a phrase keeps its word order), prefix*, AND, OR, NOT, implicit AND, parentheses, and a column
    filter (title: or text:). Raises QueryError on what FTS5 would refuse, and on NEAR, which
    PostgreSQL has no match for. The terms travel quoted inside the tsquery text, never as SQL."""
    tokens: list[tuple[str, str]] = []
    i, n = 0, len(query)
    while i < n:
        ch = query[i]
        if ch.isspace():
            i += 1
        elif ch == '"':
            j, buf = i + 1, []
            while True:
                if j >= n:
                    raise QueryError("fts5: syntax error: unterminated string")
                if query[j] == '"':
                    if j + 1 < n and query[j + 1] == '"':
                        buf.append('"')
                        j += 2
                        continue
                    break
                buf.append(query[j])
                j += 1
            tokens.append(("term", "".join(buf)))
            i = j + 1
        elif ch in "()*:":
            tokens.append((ch, ch))
            i += 1
        else:
            m = _BAREWORD.match(query, i)
            if not m:
                raise QueryError(f'fts5: syntax error near "{ch}"')
            word = m.group()
            tokens.append(("op", word) if word in ("AND", "OR", "NOT") else ("term", word))
            i = m.end()
    pos = 0

    def peek() -> tuple[str, str] | None:
        return tokens[pos] if pos < len(tokens) else None

    def take() -> tuple[str, str]:
        nonlocal pos
        if pos >= len(tokens):
            raise QueryError("fts5: syntax error near \"\"")
        pos += 1
        return tokens[pos - 1]

    def primary() -> str:
        kind, value = take()
        if kind == "(":
            inner = or_expr()
            if take()[0] != ")":
                raise QueryError('fts5: syntax error near ")"')
            return f"( {inner} )"
        if kind != "term":
            raise QueryError(f'fts5: syntax error near "{value}"')
        weight = ""
        if peek() == (":", ":") and value in _FTS_COLUMNS:
            take()
            weight = _FTS_COLUMNS[value]
            kind, value = take()
            if kind != "term":
                raise QueryError(f'fts5: syntax error near "{value}"')
        elif peek() == (":", ":"):
            raise QueryError(f"fts5: no such column: {value}")
        if value == "NEAR" and peek() == ("(", "("):
            raise QueryError("NEAR is not supported on PostgreSQL")
        prefix = "*" if peek() == ("*", "*") else ""
        if prefix:
            take()
        lexeme = "'" + value.replace("\\", "\\\\").replace("'", "''") + "'"
        return lexeme + (":" + prefix + weight if prefix or weight else "")

    def not_expr() -> str:
        out = primary()
        while peek() == ("op", "NOT"):
            take()
            out = f"( {out} & !{primary()} )"
        return out

    def and_expr() -> str:
        out = not_expr()
        while (t := peek()) and (t == ("op", "AND") or t[0] in ("term", "(")):
            if t[0] == "op":
                take()
            out = f"{out} & {not_expr()}"
        return out

    def or_expr() -> str:
        out = and_expr()
        while peek() == ("op", "OR"):
            take()
            out = f"( {out} ) | ( {and_expr()} )"
        return out

    if not tokens:
        raise QueryError('fts5: syntax error near ""')
    result = or_expr()
    if pos != len(tokens):
        raise QueryError(f'fts5: syntax error near "{tokens[pos][1]}"')
    return result


def _ellipsis(fragment: str, text: str, marks: str) -> str:
    """A PostgreSQL headline with '…' where it cuts the text, as FTS5's snippet marks it."""
    plain = fragment.replace(marks[0], "").replace(marks[1], "")
    if plain and not text.startswith(plain[:40]):
        fragment = "…" + fragment
    if plain and not text.rstrip().endswith(plain[-40:].rstrip()):
        fragment += "…"
    return fragment


def _split_sql(script: str) -> list[str]:
    """Statements of a migration script; trigger bodies hold ';' so split on complete statements."""
    out, buf = [], ""
    for line in script.strip().splitlines():
        buf += line + "\n"
        if sqlite3.complete_statement(buf):
            out.append(buf.strip())
            buf = ""
    return out


def _document(r: sqlite3.Row) -> Document:
    return Document(
        source=r["source"], sha256=r["sha256"], kind=r["kind"], text=r["text"],
        meta=DocMeta(**json.loads(r["meta"])), encoding=r["encoding"],
    )


def _article(r: sqlite3.Row) -> Article:
    a = Article(
        document_id=r["document_id"], index=r["idx"], title=r["title"], text=r["text"],
        source_span=(r["span_start"], r["span_end"]),
        text_map=[tuple(x) for x in json.loads(r["text_map"])],
        removed=[Removed(d["text"], d["reason"], tuple(d["span"])) for d in json.loads(r["removed"])],
        published=Published(**json.loads(r["published"])), outlet=r["outlet"], url=r["url"],
        authors=json.loads(r["authors"]), syndicated_from=json.loads(r["syndicated_from"]),
        duplicate_of=r["duplicate_of"], duplicate_kind=r["duplicate_kind"], duplicate_score=r["duplicate_score"],
        story_id=r["story_id"], language=r["language"], language_score=r["language_score"],
    )
    return a
