"""Schema versions: a new database made at SCHEMA_VERSION from the description, an older one upgraded step by step."""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

from storyline.store import schema
from storyline.store.errors import StoreError

if TYPE_CHECKING:
    from storyline.store import Store

SCHEMA_VERSION = 15

# Upgrading: version v's step runs on a database at v - 1. A new database never runs them: it is made
# at SCHEMA_VERSION from schema.TABLES (schema.create), so a schema change is written once, in the
# description, and its step here is either what it adds (_ADDED columns, _INDEXED indexes, _CREATED tables,
# whose DDL each backend takes from the description, with _FILLED's portable statements filling new columns)
# or, for what more it does, a script.
# The SQLite scripts of versions 1 to 5, as they were written: history, never edited (version 1's made
# the first tables; it now serves to make databases of old versions, in tests).
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
}

# the columns a version added, as the description defines them (on both backends)
_ADDED: dict[int, tuple[tuple[str, str], ...]] = {
    # the TimeML event mentions of an article (nlp/timeml.py); NULL for articles annotated before: the
    # next build annotates them again (see Store.unannotated)
    6: (("annotations", "timeml"),),
    # the event layers of an article's title ({"text", "timeml", "events"}; {} without a title); NULL for
    # articles annotated before: the next build annotates them again
    7: (("annotations", "title"),),
    # an article's language (ISO 639-1, 'und' when too little text to tell) and the detector's probability;
    # NULL for articles stored before: the next build detects it (pipeline.detect_languages)
    8: (("articles", "language"), ("articles", "language_score")),
    # whether an article's duplicate keys and paragraph hashes are stored (NULL for articles stored
    # before: the next build keys them, comparing them with everything once; pipeline.link_duplicates)
    9: (("articles", "keyed"),),
    # whether an article's mentions are in the entity stage's state (NULL for articles annotated before,
    # and for any annotated again: the next build takes them in; nlp/canonical_state.py)
    11: (("annotations", "entities_done"),),
    # whether every layer of an article is stored (schema.UNANNOTATED): filled from the stored layers (_FILLED)
    12: (("articles", "annotated"),),
    # the story stage's bounds (stories/stored.py): each article's norm and each posting's term frequency factor
    # under the statistics of an epoch; NULL until the next link makes the epoch (from the stored term counts);
    # the site a title is compared with (NULL: filled by the next link, pipeline.link_stories)
    13: (("story_terms", "norm0"), ("story_postings", "tf"), ("story_df", "df0"), ("articles", "site")),
}
# what fills a version's new columns from what the database holds (portable SQL, run before its indexes are made)
_FILLED: dict[int, tuple[str, ...]] = {
    12: ("UPDATE articles SET annotated = 1 WHERE id IN (SELECT article_id FROM annotations"
         " WHERE events IS NOT NULL AND timeml IS NOT NULL AND title IS NOT NULL)",),
}
# the indexes and tables a version added, as the description defines them (on both backends)
_INDEXED: dict[int, tuple[tuple[str, str], ...]] = {
    9: (("articles", "articles_unkeyed"),),
    11: (("annotations", "annotations_entities_pending"),),
    # the articles a build still has to detect the language of or annotate, found by an index lookup, not a scan
    12: (("articles", "articles_undetected"), ("articles", "articles_unannotated")),
    13: (("articles", "articles_site"),),
    # an entity's page from indexes: its timeline put in date order, its quotes and the quotes naming it found,
    # without reading every event or quote record of its articles
    15: (("events", "events_order"), ("quotes", "quotes_speaker_entity"), ("quotes", "quotes_spans")),
}
_CREATED: dict[int, tuple[str, ...]] = {
    # the duplicate stage's state (schema.TABLES, "the cross-article stages' state")
    9: ("dedupe_keys", "passage_keys"),
    # the story stage's state; articles annotated before get their terms at the next build
    10: ("story_terms", "story_postings", "story_df"),
    # the entity stage's state; the next build fills it from every article once
    11: ("entity_edges", "entity_votes", "entity_decisions", "entity_shuffle", "entity_keys", "entity_stale"),
    # what a build read from each input file; empty after the upgrade: the next build reads every file once more
    12: ("input_files",),
    # the terms the bounds do not hold for since the epoch, and the stories whose articles changed since their
    # layers were written; empty after the upgrade: its first link compares every story (pipeline.link_stories)
    13: ("story_hot", "story_stale"),
    # corrections a person made, and the journal of what replaying them changed (storyline.corrections)
    14: ("corrections", "correction_journal"),
}

# PostgreSQL databases start at version 4 (an older one cannot exist); a version's PostgreSQL script,
# where its SQLite one is not portable SQL, is here (text columns sort in code-point order, COLLATE "C",
# as SQLite's BINARY does)
_PG_FIRST = 4
_PG_MIGRATIONS: dict[int, str] = {
    5: """
    ALTER TABLE documents ADD COLUMN origin TEXT COLLATE "C";
    UPDATE documents SET origin = CASE WHEN kind IN ('feed', 'jsonl') AND strpos(source, '#') > 0
        THEN regexp_replace(source, '#[^#]*$', '') ELSE source END;
    CREATE INDEX documents_origin ON documents(origin, sha256);
    ALTER TABLE stories ADD COLUMN members TEXT;
    """,
}
# (whether there is a table meta, how many tables) in the current PostgreSQL schema
PG_TABLES = ("SELECT count(*) FILTER (WHERE c.relname = 'meta'), count(*) FROM pg_class c"
             " JOIN pg_namespace n ON n.oid = c.relnamespace"
             " WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'v', 'm', 'p', 'f')")


def step(version: int, dialect: schema.Dialect) -> list[str]:
    """The statements that take a database at `version` - 1 to `version`."""
    if version in _ADDED or version in _CREATED or version in _INDEXED:
        return ([schema.add_column(table, column, dialect) for table, column in _ADDED.get(version, ())]
                + list(_FILLED.get(version, ()))
                + [schema.add_index(table, index, dialect) for table, index in _INDEXED.get(version, ())]
                + [stmt for table in _CREATED.get(version, ())
                   for stmt in schema.add_table(table, dialect, _added_after(version, table))])
    if dialect == "postgresql":
        return [_PG_MIGRATIONS[version]]
    return _split_sql(_MIGRATIONS[version])


def _added_after(version: int, table: str) -> tuple[str, ...]:
    """The columns of `table` that versions after `version` add (not there when `version` makes the table)."""
    return tuple(c for v, added in _ADDED.items() if v > version for t, c in added if t == table)


def migrate(store: Store) -> None:
    """Bring the store's database to SCHEMA_VERSION: make a new one, upgrade an older one; refuse a newer
    one, one with other tables, and an older one that cannot be written (StoreError)."""
    if store.pg:
        return _migrate_pg(store)
    version = store.db.execute("PRAGMA user_version").fetchone()[0]
    _check_version(store, version,
                   version == 0 and store.db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0])
    if store.read_only and version < SCHEMA_VERSION:
        raise StoreError(f"{store.path}: the database is read-only and at schema version {version}; this storyline"
                         f" needs {SCHEMA_VERSION}: open it once where it can be written, or use a writable copy")
    if version == 0:
        with store.transaction():
            for stmt in schema.create("sqlite"):
                store.db.execute(stmt)
            _set_version(store, SCHEMA_VERSION)
        return
    for v in range(version + 1, SCHEMA_VERSION + 1):
        with store.transaction():
            for stmt in step(v, "sqlite"):
                store.db.execute(stmt)
            _set_version(store, v)


def _set_version(store: Store, version: int) -> None:
    if not store.pg:
        store.db.execute(f"PRAGMA user_version={int(version)}")
    store.db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('schema_version', ?)", (str(version),))


def _check_version(store: Store, version: int, foreign: bool) -> None:
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"{store.path}: schema version {version} is newer than this storyline ({SCHEMA_VERSION}); upgrade storyline"
        )
    if foreign:
        raise StoreError(f"{store.path}: not a storyline database (it has other tables); choose another --db")


def _pg_version(store: Store) -> tuple[int, bool]:
    """(schema version, whether the schema holds tables that are not storyline's) on PostgreSQL."""
    # pg_class read as a table (a fresh snapshot), not through to_regclass, whose catalog snapshot
    # may not yet show another process's migration that committed while we waited for the lock
    meta, tables = store.db.execute(PG_TABLES).fetchone()
    if not meta:
        return 0, bool(tables)
    row = store.db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    version = int(row[0]) if row and str(row[0]).isdigit() else 0
    return version, version == 0


def _migrate_pg(store: Store) -> None:
    version, _ = _pg_version(store)
    _check_version(store, version, False)
    if version == SCHEMA_VERSION:
        return
    with store.transaction():
        # one migrating process at a time; the others find the work done (and only under the lock is
        # "tables but no meta" a foreign database rather than another process's migration landing)
        store.db.execute("SELECT pg_advisory_xact_lock(7391026457)")
        version, foreign = _pg_version(store)
        _check_version(store, version, foreign)
        if version < _PG_FIRST:
            statements, version = schema.create("postgresql"), SCHEMA_VERSION
            for stmt in statements:
                store.db.execute(stmt, raw=True)
            _set_version(store, SCHEMA_VERSION)
        for v in range(version + 1, SCHEMA_VERSION + 1):
            for stmt in step(v, "postgresql"):
                store.db.execute(stmt, raw=True)
            _set_version(store, v)


def _split_sql(script: str) -> list[str]:
    """Statements of a migration script; trigger bodies hold ';' so split on complete statements."""
    out, buf = [], ""
    for line in script.strip().splitlines():
        buf += line + "\n"
        if sqlite3.complete_statement(buf):
            out.append(buf.strip())
            buf = ""
    return out
