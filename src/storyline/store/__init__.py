"""The store, on SQLite or PostgreSQL: the Store class, with every statement the stages, exports and CLI run."""

from __future__ import annotations

import fcntl
import json
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Any

from storyline.model import Article, Claim, Document, Event, FileState, Published, ReadProblem, Story, StoredDocument
from storyline.store import connection, fulltext, migrations
from storyline.store.clauses import article_filters, like_pattern, marks, where_clause
from storyline.store.clauses import limit as limit_arg
from storyline.store.corrections import CorrectionRecords
from storyline.store.connection import PgConnection, Transaction, display_name, file_state, is_url
from storyline.store.dialect import ellipsis
from storyline.store.entity_state import (
    INSERT_ENTITY, INSERT_MENTION, INSERT_QUOTE, EntityState, entity_row, mention_rows, quote_row,
)
from storyline.store.errors import QueryError, StoreError, WriteError, write_error
from storyline.store.migrations import SCHEMA_VERSION
from storyline.store.story_state import StoryState
from storyline.store.rows import ARTICLE_COLS, article_of, document_of
from storyline.store.schema import ENGLISH_OR_UNKNOWN, UNANNOTATED

__all__ = ["ENGLISH_OR_UNKNOWN", "SCHEMA_VERSION", "QueryError", "Store", "StoreError", "WriteError", "display_name",
           "is_url", "write_error"]

_LINK_LOCK = 7391026458  # PostgreSQL advisory lock of the cross-article stages (Store.exclusive)


def recalled(row: tuple[int, int, str, str] | None, state: FileState,
             reader: str) -> list[StoredDocument | ReadProblem] | None:
    """What an earlier build read from a file, from its `input_files` row (size, mtime_ns, reader, items), when the
    file is exactly as `state` says and the reader the same: its documents, as stored, and its problems, in the
    order read; None otherwise."""
    if row is None or (row[0], row[1], row[2]) != (state.size, state.mtime_ns, reader):
        return None
    return [StoredDocument(x["source"], x["document"], x.get("no_article")) if "document" in x
            else ReadProblem(x["source"], x["problem"]) for x in json.loads(row[3])]


class Store(EntityState, StoryState, CorrectionRecords):
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
            self.db: Any = PgConnection.open(str(path), self.path)
        else:
            self.db, self.read_only, immutable = connection.open_sqlite(self.path)
            # an immutable connection never looks for changes: note the file's state to see one (broken)
            self._frozen = file_state(self.path) if immutable else None
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
        conn = PgConnection.open(str(path), display_name(path))
        try:
            return bool(conn.execute(migrations.PG_TABLES).fetchone()[0])
        finally:
            conn.close()

    def close(self) -> None:
        self.db.close()

    @property
    def broken(self) -> bool:
        """Whether the connection is gone (a PostgreSQL server restarted or closed it), or a SQLite file
        opened immutable (read-only media) changed after all: open a new Store."""
        if self._frozen is not None:
            return file_state(self.path) != self._frozen
        return bool(self.pg and (self.db.raw.closed or self.db.raw.broken))

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- schema ---------------------------------------------------------------------------
    def _migrate(self) -> None:
        migrations.migrate(self)

    def transaction(self) -> Transaction:
        return Transaction(self)

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
        """Note a change (data_version) in the current write transaction (Transaction does, before its
        commit, so every write bumps the counter): meta 'changes' + 1, on SQLite made at the first write
        where missing, so a database an older storyline made needs no migration."""
        if self.pg:
            self.db.execute("UPDATE meta SET value = (value::bigint + 1)::text WHERE key = 'changes'")
        else:
            self.db.execute("INSERT INTO meta(key, value) VALUES ('changes', '1') ON CONFLICT(key)"
                            " DO UPDATE SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT)")

    def _count_input(self) -> None:
        """Note, in the current write transaction, a change to what the cross-article stages read (articles
        added, layers stored or dropped): meta 'inputs' + 1, made at the first such write where missing."""
        cast = "(meta.value::bigint + 1)::text" if self.pg else "CAST(CAST(meta.value AS INTEGER) + 1 AS TEXT)"
        self.db.execute(f"INSERT INTO meta(key, value) VALUES ('inputs', '1') ON CONFLICT(key) DO UPDATE SET value = {cast}")

    def link_inputs(self) -> str:
        """What the cross-article stages would read now, as a key: the input counter (`_count_input`), the
        numbers of articles and of annotated ones, the schema version and storyline's version (a new
        storyline links again). Equal to `stage_done("link")` when the last link ran over exactly these
        inputs and finished: a build with nothing new then skips it."""
        from storyline import __version__

        row = self.db.execute("SELECT value FROM meta WHERE key = 'inputs'").fetchone()
        # and the counts a writer that does not keep the counter (an older storyline) changes too
        counts = self.db.execute("SELECT (SELECT count(*) FROM articles), (SELECT max(seq) FROM articles),"
                                 " (SELECT count(*) FROM annotations WHERE events IS NOT NULL)").fetchone()
        return f"{row[0] if row else 0}|{'/'.join(str(c) for c in counts)}|{SCHEMA_VERSION}|{__version__}"

    def stage_done(self, stage: str) -> str | None:
        """The `link_inputs()` key a stage ("link": the cross-article stages as a whole; "entities") last
        finished over (None: never, or killed before it finished)."""
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (f"done:{stage}",)).fetchone()
        return row[0] if row else None

    def set_stage_done(self, stage: str, key: str) -> None:
        with self.transaction():
            self.db.execute("INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key)"
                            " DO UPDATE SET value = excluded.value", (f"done:{stage}", key))

    def set_story_ids(self, assignment: dict[str, str]) -> None:
        """Story ids for articles that have none (those a batch found over exactly the stored articles);
        their stories' layers are computed by the next link."""
        with self.transaction():
            self.db.executemany("UPDATE articles SET story_id = ? WHERE id = ? AND story_id IS NULL",
                                [(sid, aid) for aid, sid in assignment.items()])
            self._mark_stale(assignment)

    def _limit(self, limit: int) -> int | None:
        """A LIMIT argument: -1 (all) is NULL on PostgreSQL, which refuses negative limits."""
        return limit_arg(limit, self.pg)

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
            if articles:
                self._count_input()
        return earlier

    def record_problem(self, source: str, message: str) -> None:
        with self.transaction():
            self.db.execute("INSERT OR IGNORE INTO problems(source, message) VALUES (?, ?)", (source, message))

    def problems(self) -> list[tuple[str, str]]:
        return [(r[0], r[1]) for r in self.db.execute("SELECT source, message FROM problems ORDER BY source, message")]

    def clear_problems(self, sources: Iterable[str]) -> None:
        with self.transaction():
            self.db.executemany("DELETE FROM problems WHERE source = ?", [(s,) for s in sources])

    def input_file(self, state: FileState, reader: str) -> list[StoredDocument | ReadProblem] | None:
        """What an earlier build read from this file when it was exactly as `state` says (same resolved path,
        source name, size and modification time) with the same `reader`: its documents, as stored, and its
        problems, in the order read; None when no build read it so."""
        r = self.db.execute("SELECT size, mtime_ns, reader, items FROM input_files WHERE path = ? AND source = ?",
                            (state.path, state.source)).fetchone()
        return recalled(tuple(r) if r else None, state, reader)

    def input_files_in(self, folder: str) -> dict[tuple[str, str], tuple[int, int, str, str]]:
        """(path, source) → (size, mtime_ns, reader, items) of every file an earlier build read in `folder` (a
        resolved path; not its subfolders' files), read at once through a range of the table's key (paths
        compare in code-point order on both backends); for `recalled`."""
        base = folder.rstrip("/")
        rows = self.db.execute("SELECT path, source, size, mtime_ns, reader, items FROM input_files"
                               " WHERE path >= ? AND path < ?", (base + "/", base + "0"))  # '0' follows '/'
        return {(r[0], r[1]): (r[2], r[3], r[4], r[5]) for r in rows if os.path.dirname(r[0]) == (base or "/")}

    def set_input_file(self, state: FileState, reader: str, items: list[StoredDocument | ReadProblem]) -> None:
        """Note what a build read from a file as `state` says (its documents stored by then), replacing what
        an earlier state of it gave."""
        gave = [{"source": x.source, "document": x.id, "no_article": x.no_article} if isinstance(x, StoredDocument)
                else {"source": x.source, "problem": x.message} for x in items]
        with self.transaction():
            self.db.execute("INSERT OR REPLACE INTO input_files(path, source, size, mtime_ns, reader, items)"
                            " VALUES (?, ?, ?, ?, ?, ?)",
                            (state.path, state.source, state.size, state.mtime_ns, reader, json.dumps(gave)))

    def documents(self) -> Iterator[Document]:
        for r in self.db.execute("SELECT * FROM documents ORDER BY seq"):
            yield document_of(r)

    def document(self, doc_id: str) -> Document | None:
        r = self.db.execute("SELECT * FROM documents WHERE id = ?", (doc_id,)).fetchone()
        return document_of(r) if r else None

    def article_sources(self, ids: Iterable[str]) -> dict[str, tuple[str, int]]:
        """article id → (its document's source, its position in the document), for messages."""
        args = list(ids)
        return {r[0]: (r[1], r[2]) for r in self.db.execute(
            f"SELECT a.id, d.source, a.idx FROM articles a JOIN documents d ON d.id = a.document_id"
            f" WHERE a.id IN ({marks(args)})", args)}

    def article_ids_by_document(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for r in self.db.execute("SELECT document_id, id FROM articles ORDER BY document_id, idx"):
            out.setdefault(r[0], []).append(r[1])
        return out

    def articles(self) -> Iterator[Article]:
        for r in self.db.execute(f"SELECT {ARTICLE_COLS} FROM articles ORDER BY seq"):
            yield article_of(r)

    def article(self, ref: str) -> Article | None:
        """An article by id, by an unambiguous id prefix, or by its position (1-based) in `articles`."""
        r = self.db.execute(f"SELECT {ARTICLE_COLS} FROM articles WHERE id = ?", (ref,)).fetchone()
        if r is None and ref.isdigit() and int(ref) >= 1:
            r = self.db.execute(f"SELECT {ARTICLE_COLS} FROM articles ORDER BY seq LIMIT 1 OFFSET ?",
                                (int(ref) - 1,)).fetchone()
        if r is None and len(ref) >= 4:
            rows = self.db.execute(
                f"SELECT {ARTICLE_COLS} FROM articles WHERE substr(id, 1, ?) = ? ORDER BY seq LIMIT 2", (len(ref), ref)
            ).fetchall()
            r = rows[0] if len(rows) == 1 else None
        return article_of(r) if r else None

    def unkeyed(self) -> list[Any]:
        """Articles whose duplicate keys are not stored yet (new ones): seq, id, text, text_hash, minhash."""
        return self.db.execute("SELECT seq, id, text, text_hash, minhash FROM articles WHERE keyed IS NULL ORDER BY seq"
                               ).fetchall()

    def sharing_keys(self, keys: Iterable[int]) -> set[int]:
        """The seq of every stored article that has one of these duplicate keys."""
        out: set[int] = set()
        keys = sorted(set(keys))
        for i in range(0, len(keys), 500):
            chunk = keys[i:i + 500]
            out.update(r[0] for r in self.db.execute(
                f"SELECT DISTINCT seq FROM dedupe_keys WHERE key IN ({marks(chunk)})", chunk))
        return out

    def dedupe_members(self, seqs: Iterable[int] | None = None) -> list[Any]:
        """These articles (None: all) in canonical order for duplicate finding (earliest published first,
        then ingestion order): seq, id, text, text_hash, minhash, duplicate_of."""
        sql = ("SELECT seq, id, text, text_hash, minhash, duplicate_of,"
               " coalesce(json_extract(published, '$.date'), json_extract(published, '$.earliest'), '9999') AS pub"
               " FROM articles")
        if seqs is None:
            rows = self.db.execute(sql).fetchall()
        else:
            wanted = sorted(set(seqs))
            rows = []
            for i in range(0, len(wanted), 500):
                chunk = wanted[i:i + 500]
                rows += self.db.execute(f"{sql} WHERE seq IN ({marks(chunk)})", chunk).fetchall()
        return sorted(rows, key=lambda r: (r["pub"], r["seq"]))

    def passage_holders(self, hashes: Iterable[int]) -> list[tuple[int, str, int, int, str | None]]:
        """(hash, article id, start, stop, duplicate_of) of every stored paragraph with one of these hashes."""
        hashes = sorted(set(hashes))
        out = []
        for i in range(0, len(hashes), 500):
            chunk = hashes[i:i + 500]
            out += [(r[0], r[1], r[2], r[3], r[4]) for r in self.db.execute(
                "SELECT p.hash, a.id, p.start, p.stop, a.duplicate_of FROM passage_keys p JOIN articles a ON a.seq = p.seq"
                f" WHERE p.hash IN ({marks(chunk)}) ORDER BY p.hash, p.seq, p.start", chunk)]
        return out

    def save_keyed(self, keyed: list[int], keys: list[tuple[int, int]], paragraphs: list[tuple[int, int, int, int]],
                   members: list[str], dups: dict[str, tuple[str, str, float]], passages_of: list[str],
                   passages: list[tuple[str, int, int, str, int, int]]) -> None:
        """In one transaction: the new articles' (`keyed` seqs) duplicate keys (key, seq) and paragraph hashes
        (hash, seq, start, stop); the duplicate decisions of `members` (those in `dups`, the others originals);
        the shared passages of the articles `passages_of`, replaced by `passages`."""
        with self.transaction():
            self.db.executemany("INSERT OR IGNORE INTO dedupe_keys(key, seq) VALUES (?, ?)", keys)
            self.db.executemany("INSERT OR IGNORE INTO passage_keys(hash, seq, start, stop) VALUES (?, ?, ?, ?)",
                                paragraphs)
            self._mark_stale(members)  # an original may become a copy, a copy an original
            self.db.executemany("UPDATE articles SET duplicate_of = ?, duplicate_kind = ?, duplicate_score = ? WHERE id = ?",
                                [(*dups.get(a, (None, None, None)), a) for a in members])
            self.db.executemany("DELETE FROM shared_passages WHERE article_id = ? OR other_article_id = ?",
                                [(a, a) for a in passages_of])
            self.db.executemany("INSERT OR IGNORE INTO shared_passages VALUES (?,?,?,?,?,?)", passages)
            self.db.executemany("UPDATE articles SET keyed = 1 WHERE seq = ?", [(s,) for s in keyed])

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
        """(id, title, text) of articles stored before languages were detected (language NULL; the partial index
        articles_undetected holds them, so none is an index lookup)."""
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
            self._mark_stale(aid for aid, in other)
            self.db.executemany("DELETE FROM annotations WHERE article_id = ?", other)
            self.db.executemany("INSERT OR IGNORE INTO entity_stale(article_id) VALUES (?)", other)
            self.db.executemany("UPDATE articles SET story_id = NULL, annotated = NULL WHERE id = ?", other)
            self._forget_story_terms([r[0] for aid, in other
                                      for r in self.db.execute("SELECT seq FROM articles WHERE id = ?", (aid,))])
            if rows:
                self._count_input()
        return dropped

    def not_annotated_languages(self, article_ids: Iterable[str] | None = None) -> dict[str, int]:
        """language → how many stored articles (or of those given) are in it, for the languages the English
        layers do not run on (these articles are stored and searchable, never annotated)."""
        sql = f"SELECT language, count(*) FROM articles WHERE language NOT IN ({marks(ENGLISH_OR_UNKNOWN)})"
        args: list[Any] = list(ENGLISH_OR_UNKNOWN)
        if article_ids is not None:
            ids = list(article_ids)
            sql += f" AND id IN ({marks(ids)})"
            args += ids
        return {r[0]: r[1] for r in self.db.execute(sql + " GROUP BY language ORDER BY count(*) DESC, language", args)}

    # --- annotation layers -----------------------------------------------------------------
    def unannotated(self) -> list[tuple[str, str, Published, str | None]]:
        """(id, text, publication, title) of articles whose layers are not stored yet (new, a killed run's
        rest, or annotated by an older storyline without a layer now computed). Articles in a language other
        than English are never annotated (the layers are English ones): they are not listed; those whose
        language could not be told (or is not detected yet) are. The partial index articles_unannotated holds
        exactly these (schema.UNANNOTATED), so none is an index lookup."""
        rows = self.db.execute(f"SELECT id, text, published, title FROM articles WHERE {UNANNOTATED} ORDER BY seq"
                               ).fetchall()
        return [(r[0], r[1], Published(**json.loads(r[2])), r[3]) for r in rows]

    def save_annotations(self, rows: Iterable[tuple[str, dict[str, Any]]]) -> None:
        """(article id, its layers as `nlp.annotate.layers_json` gives them), in one transaction (TimeML
        events or title layers None or absent: not computed, as in a batch written before them; the next
        build computes them); an article is marked annotated when every layer is stored."""
        rows = list(rows)
        with self.transaction():
            if rows:
                self._count_input()
            self.db.executemany(
                "INSERT OR REPLACE INTO annotations(article_id, anchor, timexes, mentions, quotes, events, claims,"
                " timeml, title, entities_done) VALUES (?,?,?,?,?,?,?,?,?,NULL)",
                [(aid, x["anchor"], *(None if x.get(k) is None and k in ("timeml", "title") else json.dumps(x[k])
                                      for k in ("timexes", "mentions", "quotes", "events", "claims", "timeml", "title")))
                 for aid, x in rows],
            )
            self._mark_stale(aid for aid, _ in rows)  # annotated again: it may become a story article
            self.db.executemany("UPDATE articles SET annotated = ? WHERE id = ?",
                                [(1 if all(x.get(k) is not None for k in ("timeml", "title")) else None, aid)
                                 for aid, x in rows])

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
            sql += f" WHERE a.id IN ({marks(ids)})"
            args = ids
        for r in self.db.execute(sql + " ORDER BY a.seq", args):
            yield r[0], json.loads(r[1] or ("{}" if layer == "title" else "[]"))

    # --- stories, events, claims --------------------------------------------------------------
    _ANNOTATED = "EXISTS (SELECT 1 FROM annotations n WHERE n.article_id = a.id AND n.events IS NOT NULL)"

    def story_states(self) -> list[dict[str, Any]]:
        """Every annotated article's place in the stories, in ingestion order: id, seq, story id, duplicate_of
        (no text: what deciding which stories to write needs)."""
        return [{"id": r[0], "seq": r[1], "story_id": r[2], "duplicate_of": r[3]} for r in self.db.execute(
            f"SELECT id, seq, story_id, duplicate_of FROM articles a WHERE {self._ANNOTATED} ORDER BY seq")]

    def story_pending(self) -> list[dict[str, Any]]:
        """The annotated articles in no story yet, in ingestion order, as `story_states` gives them."""
        return [{"id": r[0], "seq": r[1], "story_id": r[2], "duplicate_of": r[3]} for r in self.db.execute(
            f"SELECT id, seq, story_id, duplicate_of FROM articles a WHERE story_id IS NULL AND {self._ANNOTATED}"
            " ORDER BY seq")]

    def unplaced_story_rows(self) -> list[tuple[int, str | None, str]]:
        """(seq, title, text) of the annotated articles in no story whose story terms are not stored yet (after a
        link over the same schema and storyline, the only ones `unindexed_story_rows` can give)."""
        return [(r[0], r[1], r[2]) for r in self.db.execute(
            f"SELECT seq, title, text FROM articles a WHERE story_id IS NULL AND {self._ANNOTATED}"
            " AND NOT EXISTS (SELECT 1 FROM story_terms t WHERE t.seq = a.seq) ORDER BY seq")]

    def story_member_rows(self, story_ids: Iterable[str]) -> dict[str, list[dict[str, Any]]]:
        """story id → its annotated articles, in ingestion order, as `story_states` gives them."""
        out: dict[str, list[dict[str, Any]]] = {}
        for r in sorted(self._rows_in(f"SELECT seq, id, story_id, duplicate_of FROM articles a WHERE story_id IN ({{}})"
                                      f" AND {self._ANNOTATED}", story_ids)):
            out.setdefault(r[2], []).append({"id": r[1], "seq": r[0], "story_id": r[2], "duplicate_of": r[3]})
        return out

    def story_members_of(self, story_ids: Iterable[str]) -> dict[str, str | None]:
        """story id → the members key its stored layers were computed over, for those of these stories stored."""
        return {r[0]: r[1] for r in self._rows_in("SELECT id, members FROM stories WHERE id IN ({})", story_ids)}

    def story_stale(self) -> set[str]:
        """The stories whose articles (or which of them are originals) may have changed since their layers were
        written: an article joined, left, lost its layers or changed its duplicate status (`_mark_stale`)."""
        return {r[0] for r in self.db.execute("SELECT story_id FROM story_stale")}

    def _mark_stale(self, article_ids: Iterable[str]) -> None:
        """Inside a write: the stories of these articles noted stale (`story_stale`)."""
        self.db.executemany("INSERT OR IGNORE INTO story_stale(story_id) SELECT story_id FROM articles"
                            " WHERE id = ? AND story_id IS NOT NULL", [(a,) for a in article_ids])

    def unsited(self) -> list[tuple[int, str | None, str | None]]:
        """(seq, outlet, url) of the articles whose site is not noted yet (`set_sites`)."""
        return [(r[0], r[1], r[2]) for r in self.db.execute("SELECT seq, outlet, url FROM articles WHERE site IS NULL")]

    def set_sites(self, sites: Iterable[tuple[int, str]]) -> None:
        """(seq, site) of articles: the site their title is compared with (`stories.overview.site_key`)."""
        with self.transaction():
            self.db.executemany("UPDATE articles SET site = ? WHERE seq = ?", [(site, seq) for seq, site in sites])

    def site_titles(self, sites: Iterable[str]) -> list[dict[str, Any]]:
        """{title, outlet, url} of every article of these sites."""
        return [{"title": r[0], "outlet": r[1], "url": r[2]} for r in self._rows_in(
            "SELECT title, outlet, url FROM articles WHERE site IN ({})", sites)]

    def story_rows_of(self, article_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        """id → {id, seq, title, text, published, story_id, duplicate_of, entities} of the given articles."""
        ids = sorted(set(article_ids))
        ents = self.entity_ids_of(ids)
        out = {}
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            for r in self.db.execute("SELECT id, seq, title, text, published, story_id, duplicate_of FROM articles"
                                     f" WHERE id IN ({marks(chunk)})", chunk):
                out[r["id"]] = {"id": r["id"], "seq": r["seq"], "title": r["title"], "text": r["text"],
                                "published": json.loads(r["published"]), "story_id": r["story_id"],
                                "duplicate_of": r["duplicate_of"], "entities": ents.get(r["id"], [])}
        return out

    def entity_ids_of(self, article_ids: Iterable[str]) -> dict[str, list[str]]:
        """article id → the canonical entity ids of its mentions, in text order."""
        ids = sorted(set(article_ids))
        out: dict[str, list[str]] = {}
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            for r in self.db.execute(f"SELECT article_id, entity_id FROM entity_mentions WHERE article_id IN ({marks(chunk)})"
                                     " ORDER BY article_id, start, entity_id", chunk):
                out.setdefault(r[0], []).append(r[1])
        return out

    def unindexed_story_rows(self) -> list[tuple[int, str | None, str]]:
        """(seq, title, text) of the annotated articles whose story terms are not stored yet."""
        return [(r[0], r[1], r[2]) for r in self.db.execute(
            f"SELECT seq, title, text FROM articles a WHERE {self._ANNOTATED}"
            " AND NOT EXISTS (SELECT 1 FROM story_terms t WHERE t.seq = a.seq) ORDER BY seq")]

    def story_statistics(self, keys: Iterable[str]) -> tuple[int, dict[str, int]]:
        """(how many articles the statistics count, document frequency of each key): "t" + a term, over the
        stored story terms; "e" + an entity id, over the annotated articles mentioning it."""
        keys = sorted(set(keys))
        n = self.db.execute("SELECT count(*) FROM story_terms").fetchone()[0]
        df = dict.fromkeys(keys, 0)
        terms = [k[1:] for k in keys if k[0] == "t"]
        ents = [k[1:] for k in keys if k[0] == "e"]
        for i in range(0, len(terms), 500):
            chunk = terms[i:i + 500]
            df.update(("t" + r[0], r[1]) for r in self.db.execute(
                f"SELECT term, df FROM story_df WHERE term IN ({marks(chunk)})", chunk))
        for i in range(0, len(ents), 500):
            chunk = ents[i:i + 500]
            df.update(("e" + r[0], r[1]) for r in self.db.execute(
                "SELECT entity_id, count(DISTINCT article_id) FROM entity_mentions"
                f" WHERE entity_id IN ({marks(chunk)}) GROUP BY entity_id", chunk))
        return n, df

    def story_holders(self, keys: Iterable[str]) -> set[int]:
        """The seq of every article already in a story that holds one of these keys ("t" + term, "e" +
        entity id)."""
        keys = sorted(set(keys))
        out: set[int] = set()
        terms = [k[1:] for k in keys if k[0] == "t"]
        ents = [k[1:] for k in keys if k[0] == "e"]
        for i in range(0, len(terms), 500):
            chunk = terms[i:i + 500]
            out.update(r[0] for r in self.db.execute(
                "SELECT p.seq FROM story_postings p JOIN articles a ON a.seq = p.seq"
                f" WHERE p.term IN ({marks(chunk)}) AND a.story_id IS NOT NULL", chunk))
        for i in range(0, len(ents), 500):
            chunk = ents[i:i + 500]
            out.update(r[0] for r in self.db.execute(
                "SELECT DISTINCT a.seq FROM entity_mentions m JOIN articles a ON a.id = m.article_id"
                f" WHERE m.entity_id IN ({marks(chunk)}) AND a.story_id IS NOT NULL", chunk))
        return out

    def story_vectors(self, seqs: Iterable[int]) -> dict[int, tuple[dict[str, int], list[str], dict[str, Any], str | None]]:
        """seq → (term counts, canonical entity ids, publication, story id) of these articles."""
        seqs = sorted(set(seqs))
        rows: dict[int, Any] = {}
        for i in range(0, len(seqs), 500):
            chunk = seqs[i:i + 500]
            for r in self.db.execute("SELECT a.seq, a.id, a.published, a.story_id, t.counts FROM articles a"
                                     f" JOIN story_terms t ON t.seq = a.seq WHERE a.seq IN ({marks(chunk)})", chunk):
                rows[r[0]] = r
        ents = self.entity_ids_of(r[1] for r in rows.values())
        return {seq: (json.loads(r[4]), ents.get(r[1], []), json.loads(r[2]), r[3]) for seq, r in rows.items()}

    def story_size(self, story_id: str) -> int:
        return self.db.execute("SELECT count(*) FROM articles WHERE story_id = ?", (story_id,)).fetchone()[0]

    def story_of(self, article_id: str) -> str | None:
        r = self.db.execute("SELECT story_id FROM articles WHERE id = ?", (article_id,)).fetchone()
        return r[0] if r else None

    def article_meta(self, ids: Iterable[str] | None = None) -> dict[str, dict[str, Any]]:
        """id → {seq, title, outlet, url, published, story_id} (all articles, or those given)."""
        sql = "SELECT seq, id, title, outlet, url, published, story_id FROM articles"
        rows = (self.db.execute(sql + " ORDER BY seq").fetchall() if ids is None
                else sorted(self._rows_in(sql + " WHERE id IN ({})", ids)))  # in chunks: a story may be large
        return {r[1]: {"seq": r[0], "title": r[2], "outlet": r[3], "url": r[4], "published": json.loads(r[5]),
                       "story_id": r[6]} for r in rows}

    def entity_ids_at(self, article_ids: Iterable[str]) -> dict[tuple[str, int], str]:
        """(article id, mention start) → canonical entity id, for the given articles; a capital standing for
        its government ("Ankara bought ...") gives its country's (the state is who acts)."""
        ids = list(article_ids)
        out: dict[tuple[str, int], str] = {}
        for aid, start, eid, as_, data in self.db.execute(
                "SELECT m.article_id, m.start, m.entity_id, m.mention_as, e.data FROM entity_mentions m"
                f" JOIN entities e ON e.id = m.entity_id WHERE m.article_id IN ({marks(ids)})", ids):
            country = json.loads(data).get("capital_of") if as_ == "capital" else None
            out[(aid, start)] = country or eid
        return out

    def story_members(self) -> dict[str, str | None]:
        """story id → the members key its stored layers were computed over (None from an older storyline)."""
        return {r[0]: r[1] for r in self.db.execute("SELECT id, members FROM stories")}

    def set_stories(self, assignment: dict[str, str], story_ids: Iterable[str], stories: list[Story],
                    events: list[Event], claims: list[Claim], members: dict[str, str],
                    checked: Iterable[str] | None = None) -> None:
        """In one transaction: the articles' new story ids (`assignment`), and the stories, events and
        claims of `story_ids` replaced by those given (each stored as its `to_json()`), each story with the
        members key of its layers; the stories `checked` (None: all) no longer stale."""
        sids = list(story_ids)
        with self.transaction():
            if checked is None:
                self.db.execute("DELETE FROM story_stale")
            else:
                self.db.executemany("DELETE FROM story_stale WHERE story_id = ?", [(x,) for x in sorted(set(checked))])
            self.db.executemany("UPDATE articles SET story_id = ? WHERE id = ?",
                                [(sid, aid) for aid, sid in assignment.items()])
            for table in ("stories", "claims"):
                self.db.execute(f"DELETE FROM {table} WHERE {'id' if table == 'stories' else 'story_id'}"
                                f" IN ({marks(sids)})", sids)
            self.db.execute(f"DELETE FROM event_refs WHERE event_id IN (SELECT id FROM events WHERE story_id IN"
                            f" ({marks(sids)}))", sids)
            self.db.execute(f"DELETE FROM events WHERE story_id IN ({marks(sids)})", sids)
            self.db.executemany(
                "INSERT OR REPLACE INTO stories(id, seq, title, first, last, data, members) VALUES (?,?,?,?,?,?,?)",
                [(x.id, x.seq, x.title, x.first, x.last, json.dumps(x.to_json()), members.get(x.id)) for x in stories])
            self.db.executemany(
                "INSERT OR REPLACE INTO events(id, story_id, type, date, sort, data) VALUES (?,?,?,?,?,?)",
                [(e.id, e.story_id, e.type, e.date, e.sort, json.dumps(e.to_json())) for e in events])
            self.db.executemany(
                "INSERT OR IGNORE INTO event_refs(event_id, article_id, start) VALUES (?,?,?)",
                [(e.id, p.ref[0], p.ref[1]) for e in events for p in e.participants if p.ref])
            self.db.executemany(
                "INSERT OR REPLACE INTO claims(id, story_id, status, data) VALUES (?,?,?,?)",
                [(c.id, c.story_id, c.status, json.dumps(c.to_json())) for c in claims])

    def stories(self) -> list[dict[str, Any]]:
        """Stories, the one with most articles first: {id, title, article_ids, first, last, …}, the dossier's JSON
        view (a `Story.to_json()` with the ids of the articles that hold it), as the export, pages and API read it."""
        return self.stories_page(-1, 0)[1]

    def stories_page(self, limit: int = 20, offset: int = 0) -> tuple[int, list[dict[str, Any]]]:
        """(total, one page) of stories, the one with most articles first (a limit of -1: all), as `stories` gives them,
        each with `timeline_count`: the events its timeline lists (`event_count` less the undated generic ones)."""
        total = self.db.execute("SELECT count(*) FROM stories").fetchone()[0]
        out = [json.loads(r[0]) for r in self.db.execute(
            "SELECT s.data, (SELECT count(*) FROM articles a WHERE a.story_id = s.id) AS n FROM stories s"
            " ORDER BY n DESC, s.seq, s.id LIMIT ? OFFSET ?", (self._limit(limit), offset))]
        ids: dict[str, list[str]] = {x["id"]: [] for x in out}
        listed: dict[str, int] = {}
        if ids:
            for r in self.db.execute(f"SELECT story_id, id FROM articles WHERE story_id IN ({marks(ids)})"
                                     " ORDER BY seq", list(ids)):
                ids[r[0]].append(r[1])
            not_generic = self._NOT_GENERIC_PG if self.pg else self._NOT_GENERIC
            listed = dict(self.db.execute(f"SELECT e.story_id, count(*) FROM events e WHERE e.story_id IN ({marks(ids)})"
                                          f" AND {not_generic} GROUP BY e.story_id", list(ids)).fetchall())
        for x in out:
            x["article_ids"] = ids[x["id"]]
            # what the story's timeline lists in every door (`events_page`): its events but the undated
            # ones found only as something an entity did; `event_count` counts those too
            x["timeline_count"] = listed.get(x["id"], 0)
        return total, out

    def story_article_facts(self, story_ids: Iterable[str]) -> dict[str, list[dict[str, Any]]]:
        """Story id → its articles' {id, outlet, url, published} in ingestion order: what a list of stories
        shows beside each (outlets, date span, articles over time)."""
        ids = list(story_ids)
        out: dict[str, list[dict[str, Any]]] = {sid: [] for sid in ids}
        if ids:
            for r in self.db.execute(f"SELECT story_id, id, outlet, url, published FROM articles"
                                     f" WHERE story_id IN ({marks(ids)}) ORDER BY seq", ids):
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
        """One story, as `stories` gives them (the dossier's JSON view); None when there is no such story."""
        row = self.db.execute("SELECT data FROM stories WHERE id = ?", (story_id,)).fetchone()
        if row is None:
            return None
        x = json.loads(row[0])
        x["article_ids"] = [r[0] for r in self.db.execute(
            "SELECT id FROM articles WHERE story_id = ? ORDER BY seq", (story_id,))]
        return x

    def events(self, story_id: str | None = None, entity_id: str | None = None) -> list[dict[str, Any]]:
        """Events (dossier shape: the JSON view of `Event.to_json()`) ordered by date, undated last: every one of
        `events_page`."""
        return self.events_page(-1, 0, story_id, entity_id, generic=True)[1]

    _NOT_GENERIC = "NOT (e.date IS NULL AND coalesce(json_extract(e.data, '$.generic'), 0))"
    _NOT_GENERIC_PG = "NOT (e.date IS NULL AND coalesce((e.data::json ->> 'generic')::boolean, false))"

    def events_page(self, limit: int = 20, offset: int = 0, story_id: str | None = None,
                    entity_id: str | None = None, generic: bool | None = None, type: str | None = None,
                    event_class: str | None = None) -> tuple[int, list[dict[str, Any]]]:
        """(total, one page) of events (dossier shape: the JSON view of `Event.to_json()`, as the export, pages and
        API read it) ordered by date, undated last (a limit of -1: all).
        Undated generic events (a predicate found only as what some entity did) are left out of a
        story's timeline unless `generic` is True; an entity's timeline (`entity_id`) keeps them. `type`
        keeps one news type, `event_class` one TimeML class. Participants are linked to the canonical entities as they are now (through the mention each came
        from), so a story left untouched by a later build still points at the right entities when a new
        article renames one."""
        if generic is None:
            generic = entity_id is not None
        where, args = where_clause(("e.story_id = ?", story_id), (
            "e.id IN (SELECT r.event_id FROM event_refs r JOIN entity_mentions m"
            " ON m.article_id = r.article_id AND m.start = r.start WHERE m.entity_id = ?)", entity_id),
            (self._NOT_GENERIC_PG if self.pg else self._NOT_GENERIC, None if generic else ()),
            ("e.type = ?", type),
            ("(e.data::json ->> 'class') = ?" if self.pg else "json_extract(e.data, '$.class') = ?", event_class))
        # an entity's timeline (thousands of events for the most named) is counted and put in date order from the
        # events_order index, and only the page's records are read (SQLite's planner takes the table's own key
        # otherwise, reading every event's record)
        by_index = entity_id is not None and not self.pg and story_id is None and type is None \
            and event_class is None and generic
        src = "events e INDEXED BY events_order" if by_index else "events e"
        total = self.db.execute(f"SELECT count(*) FROM {src}{where}", args).fetchone()[0]
        order = f"{where} ORDER BY e.date IS NULL, e.sort, e.id LIMIT ? OFFSET ?"
        page_args = [*args, self._limit(limit), offset]
        if by_index:
            ids = [r[0] for r in self.db.execute(f"SELECT e.id FROM {src}{order}", page_args)]
            data = dict(self._rows_in("SELECT id, data FROM events WHERE id IN ({})", ids))
            evs = [json.loads(data[i]) for i in ids]
        else:
            evs = [json.loads(r[0]) for r in self.db.execute(f"SELECT e.data FROM {src}{order}", page_args)]
        refs = {p["ref"][0] for e in evs for p in e["participants"] if p.get("ref")}
        now = self.entity_ids_at(refs) if refs else {}
        for e in evs:
            for p in e["participants"]:
                if p.get("ref"):
                    p["entity_id"] = now.get(tuple(p["ref"]), p.get("entity_id"))
        return total, evs

    def claims(self, story_id: str | None = None, conflicts_only: bool = False) -> list[dict[str, Any]]:
        """Claims (dossier shape: the JSON view of `Claim.to_json()`), by story; `conflicts_only`: the conflicts."""
        where, args = where_clause(("story_id = ?", story_id),
                                   ("status = 'conflict'", None if not conflicts_only else ()))
        return [json.loads(r[0]) for r in self.db.execute(f"SELECT data FROM claims{where} ORDER BY story_id, id", args)]

    def set_entities(self, entities: list[dict[str, Any]], quotes: list[dict[str, Any]]) -> None:
        """Replace the canonical entities (dossier shape) and the linked quotes in one transaction (a batch's,
        found without the entity stage's state: the next build's update takes in every article again)."""
        with self.transaction():
            self.db.execute("DELETE FROM entity_mentions")
            self.db.execute("DELETE FROM entities")
            self.db.execute("DELETE FROM quotes")
            self.db.executemany(INSERT_ENTITY, [entity_row(e) for e in entities])
            self.db.executemany(INSERT_MENTION, [r for e in entities for r in mention_rows(e)])
            self.db.executemany(INSERT_QUOTE, [quote_row(q) for q in quotes])
            self.forget_entity_state()
            self.forget_journal(("entities", "entity_mentions", "quotes"))

    def entities(self, type: str | None = None, name: str | None = None) -> list[dict[str, Any]]:
        """Canonical entities with their mentions, most mentioned first; `name` matches name or alias."""
        _, rows = self.entities_page(limit=-1, type=type)  # LIMIT -1: all of them
        out = [e for e in rows if not name or _name_matches(name, e)]
        for e in out:
            e.pop("mention_count", None)
        return out

    def entities_of(self, article_ids: Iterable[str]) -> list[dict[str, Any]]:
        """The canonical entities mentioned in these articles (a story's), most mentioned there first, each
        with its mentions there and `mention_count` (how many)."""
        return self.entities_page(limit=-1, article_ids=list(article_ids))[1]

    def quotes(self, speaker: str | None = None, article_ids: Iterable[str] | None = None) -> list[dict[str, Any]]:
        """Quotes in reading order; `speaker` matches the speaker's name, alias or entity id."""
        return self.quotes_page(limit=-1, speaker=speaker,
                                article_ids=list(article_ids) if article_ids is not None else None)[1]

    def search(self, query: str, limit: int = 20, offset: int = 0, outlet: str | None = None,
               date_from: str | None = None, date_to: str | None = None, entity_id: str | None = None,
               story_id: str | None = None) -> tuple[int, list[dict[str, Any]]]:
        """Full-text search in the one query grammar (storyline.store.fulltext: FTS5 MATCH on SQLite, a
        tsquery on PostgreSQL) with the article list's filters: (number of hits, one page of them by
        rank). A hit is the article's summary (id, title, published, outlet, url, authors, words,
        story_id, duplicate_of), `story` ({id, title} or None) and `snippet` (plain text) with the
        `highlights` in it ([start, end) offsets). Raises QueryError (one line) on a query not in the grammar."""
        tree = fulltext.parse(query)
        cond, args = article_filters(outlet, date_from, date_to, entity_id, story_id)
        if self.pg:
            tsq = fulltext.tsquery(tree)
            base = " FROM articles a WHERE a.tsv @@ to_tsquery('simple', ?) AND " + cond
            total = self.db.execute("SELECT count(*)" + base, [tsq, *args]).fetchone()[0]
            seqs = [r[0] for r in self.db.execute(
                "SELECT a.seq" + base + " ORDER BY ts_rank(a.tsv, to_tsquery('simple', ?)) DESC, a.seq LIMIT ? OFFSET ?",
                [tsq, *args, tsq, self._limit(limit), offset])]
            # the snippet from the text, or from the title where only the title matches (FTS5 picks a column)
            snippets = {r[0]: ellipsis(r[1], r[2], "\ue000\ue001") for r in self.db.execute(
                "SELECT a.seq, ts_headline('simple', CASE WHEN to_tsvector('simple', a.text)"
                " @@ to_tsquery('simple', ?) THEN a.text ELSE coalesce(a.title, '') END, to_tsquery('simple', ?), ?),"
                f" a.text FROM articles a WHERE a.seq IN ({marks(seqs)})",
                [tsq, tsq, "StartSel=\ue000, StopSel=\ue001, MaxWords=24, MinWords=12", *seqs])}
        else:
            match = fulltext.fts5(tree)
            # rank first, then read columns and make snippets for the one page only (cheap at any hit count)
            if args:
                base = (" FROM articles_fts JOIN articles a ON a.seq = articles_fts.rowid"
                        f" WHERE articles_fts MATCH ? AND {cond}")
            else:  # no filter: the index alone answers
                base = " FROM articles_fts WHERE articles_fts MATCH ?"
            try:
                total = self.db.execute("SELECT count(*)" + base, [match, *args]).fetchone()[0]
                seqs = [r[0] for r in self.db.execute(
                    "SELECT articles_fts.rowid" + base + " ORDER BY rank LIMIT ? OFFSET ?", [match, *args, limit, offset])]
                snippets = dict(self.db.execute(
                    "SELECT rowid, snippet(articles_fts, -1, char(57344), char(57345), '…', 24) FROM articles_fts"
                    f" WHERE articles_fts MATCH ? AND rowid IN ({marks(seqs)})", [match, *seqs]).fetchall())
            except sqlite3.OperationalError as e:  # the grammar's FTS5 should always read; say so if not
                raise QueryError(f"search {query!r}: {e}") from e
        by_seq = {r["seq"]: r for r in self.db.execute(
            "SELECT a.seq, a.id, a.title, a.outlet, a.url, a.published, a.authors, a.story_id, a.duplicate_of, a.text,"
            f" s.title AS story_title FROM articles a LEFT JOIN stories s ON s.id = a.story_id WHERE a.seq IN ({marks(seqs)})",
            seqs)}
        hits = []
        for seq in seqs:
            r = by_seq.get(seq)
            if r is None:
                continue
            snippet, highlights = fulltext.unmark(snippets.get(seq) or "")
            hits.append({"id": r["id"], "title": r["title"], "published": json.loads(r["published"]),
                         "outlet": r["outlet"], "url": r["url"], "authors": json.loads(r["authors"]),
                         "words": len(r["text"].split()), "story_id": r["story_id"], "duplicate_of": r["duplicate_of"],
                         "story": {"id": r["story_id"], "title": r["story_title"]} if r["story_id"] else None,
                         "snippet": snippet, "highlights": highlights})
        return total, hits

    # --- titles, names, entities and quotes, whole or a page at a time ------------------------------
    # (the queries only the HTTP API and the pages run are storyline.web.queries)
    def article_titles(self, ids: list[str]) -> dict[str, dict[str, Any]]:
        """id → {title, outlet, published} for the given articles (a story's sources)."""
        return {r[0]: {"title": r[1], "outlet": r[2], "published": json.loads(r[3])} for r in self.db.execute(
            f"SELECT id, title, outlet, published FROM articles WHERE id IN ({marks(ids)})", list(ids))}

    def entity_names(self, ids: Iterable[str]) -> dict[str, str]:
        """id → canonical name for the given entities (those that exist)."""
        ids = sorted(set(ids))
        if not ids:
            return {}
        return {r[0]: r[1] for r in self.db.execute(f"SELECT id, name FROM entities WHERE id IN ({marks(ids)})", ids)}

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
            args += [like_pattern(q), like_pattern(q)]
        cond = " AND ".join(where)
        if article_ids is not None:  # a story's entities: its mentions counted in one grouped pass
            counted = (f"(SELECT entity_id, count(*) AS n FROM entity_mentions WHERE article_id IN"
                       f" ({marks(article_ids)}) GROUP BY entity_id) c JOIN entities e ON e.id = c.entity_id")
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
                within, wargs = f" AND m.article_id IN ({marks(article_ids)})", list(article_ids)
            for m in self.db.execute(
                "SELECT entity_id, article_id, start, \"end\", text, mention_as FROM ("
                " SELECT m.entity_id, m.article_id, m.start, m.\"end\", m.text, m.mention_as, a.seq,"
                " row_number() OVER (PARTITION BY m.entity_id ORDER BY a.seq, m.start) AS k FROM entity_mentions m"
                f" JOIN articles a ON a.id = m.article_id WHERE m.entity_id IN ({marks(by_id)}){within}) t"
                " WHERE k <= ? ORDER BY seq, start, entity_id", [*by_id, *wargs, 1 << 62 if max_mentions is None else max_mentions],
            ):
                e = by_id[m[0]]
                e["mentions"].append(
                    {"article_id": m[1], "span": [m[2], m[3]], "text": m[4], **({"as": m[5]} if m[5] else {}),
                     **({"country_id": e["capital_of"]} if m[5] == "capital" and e.get("capital_of") else {})})
        return out

    def quotes_page(
        self, limit: int = 20, offset: int = 0, speaker: str | None = None, article_ids: list[str] | None = None,
        kind: str | None = None, story_id: str | None = None, outlet: str | None = None,
        date_from: str | None = None, date_to: str | None = None,
    ) -> tuple[int, list[dict[str, Any]]]:
        """(total, one page) of linked quotes in reading order; `speaker` matches as in `quotes`
        (the speaker's entity id, a word-wise part of its name or an alias, or whole words of the name given);
        `kind` (direct, partial, indirect), the article's story, outlet and publication date range
        (`clauses.article_filters`: YYYY[-MM[-DD]], a year or month as `date_to` taking in its every day) narrow it."""
        where, args = ["1=1"], []
        if article_ids is not None:
            where.append(f"q.article_id IN ({marks(article_ids)})")
            args += list(article_ids)
        if kind:
            where.append("q.kind = ?")
            args.append(kind)
        cond, cargs = article_filters(outlet, date_from, date_to, None, story_id)  # as the article list filters
        where.append(cond)
        args += cargs
        if speaker and speaker.startswith("e-") and self.db.execute(
                "SELECT 1 FROM entities WHERE id = ?", (speaker,)).fetchone():
            where.append("q.speaker_entity = ?")  # an entity's id: its quotes (no name holds an id)
            args.append(speaker)
        elif speaker:
            pat = like_pattern(speaker)
            fpat = like_pattern(speaker.split()[0] if speaker.split() else speaker)
            candidates = self.db.execute(
                "SELECT id, data FROM entities"
                " WHERE name LIKE ? ESCAPE '\\' OR json_extract(data, '$.aliases') LIKE ? ESCAPE '\\'",
                (fpat, fpat)).fetchall()
            ids = [r[0] for r in candidates if _name_matches(speaker, json.loads(r[1]))] + [speaker]
            # the name given, word-wise: "Russia" is not "a Russian newspaper" (a group keeps its own words)
            core = pat[1:-1]
            where.append(f"(q.speaker_entity IN ({marks(ids)}) OR q.speaker_name LIKE ? ESCAPE '\\'"
                         " OR q.speaker_name LIKE ? ESCAPE '\\' OR q.speaker_name LIKE ? ESCAPE '\\'"
                         " OR q.speaker_name LIKE ? ESCAPE '\\')")
            args += [*ids, core, f"{core} %", f"% {core}", f"% {core} %"]
        cond = " AND ".join(where)
        total = self.db.execute(f"SELECT count(*) FROM quotes q JOIN articles a ON a.id = q.article_id WHERE {cond}",
                                args).fetchone()[0]
        rows = self.db.execute(
            f"SELECT q.data FROM quotes q JOIN articles a ON a.id = q.article_id WHERE {cond}"
            " ORDER BY a.seq, q.start, q.id LIMIT ? OFFSET ?", [*args, self._limit(limit), offset]).fetchall()
        return total, [json.loads(r[0]) for r in rows]


def _name_matches(query: str, entity: dict[str, Any]) -> bool:
    """A name query matches an entity when it is a word-wise part of its name or an alias ('erdogan')."""
    q = query.casefold().split()
    for name in [entity.get("name", "")] + list(entity.get("aliases", [])):
        words = name.casefold().split()
        if any(words[i : i + len(q)] == q for i in range(len(words) - len(q) + 1)):
            return True
    return False

