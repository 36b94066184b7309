"""The store on either backend: refusing newer and foreign databases, one-line errors for bad URLs
and bad queries, the FTS5 query subset on PostgreSQL, and the same answers from SQLite and PostgreSQL."""

from __future__ import annotations

import json
import sqlite3
import threading

import pytest
from typer.testing import CliRunner

from storyline import pipeline
from storyline.cli import app
from storyline.export.json import dossier
from storyline.store import SCHEMA_VERSION, QueryError, Store, StoreError, display_name
from storyline.web import queries
from tests.conftest import CORPUS, PG, pg_only

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


def one_line_error(r, *words: str) -> None:
    assert r.exit_code == 1, r.output
    assert "Traceback" not in r.output + r.stderr
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr
    for w in words:
        assert w in r.stderr, (w, r.stderr)


def test_newer_schema_is_refused(new_db):
    db = new_db("newer")
    with Store(db) as s:
        s.db.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION + 1),))
        if not s.pg:
            s.db.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    with pytest.raises(StoreError, match="newer than this storyline"):
        Store(db)
    one_line_error(run("articles", "--db", db), "newer", "upgrade storyline")


def test_a_database_with_other_tables_is_refused(new_db):
    db = new_db("foreign")
    if PG:
        import psycopg

        with psycopg.connect(db, autocommit=True) as c:
            c.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY)")
    else:
        with sqlite3.connect(db) as c:
            c.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY)")
    with pytest.raises(StoreError, match="not a storyline database"):
        Store(db)
    one_line_error(run("build", str(CORPUS / "caldera_port_strike.txt"), "--db", db), "not a storyline database")


def test_bad_full_text_queries_are_one_line_errors(new_db):
    db = new_db("q")
    assert run("build", str(CORPUS / "caldera_port_strike.txt"), "--db", db).exit_code == 0
    with Store(db) as s:
        for q in ('"unterminated', "strike AND", "(strike", "strike)", "OR strike", "-strike", " ", "()"):
            with pytest.raises(QueryError):
                s.search(q)
            with pytest.raises(QueryError):
                queries.articles_page(s, q=q)
        assert s.search("strike")[1] and s.search("covid-19") == (0, [])  # a coded name is a phrase, never an error
    r = run("search", '"unterminated', "--db", db)
    assert r.exit_code == 2 and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert "search" in r.stderr and "quote is not closed" in r.stderr


def test_full_text_query_syntax(new_db):
    """The search grammar's forms answer alike on both backends (FTS5 MATCH on SQLite, a tsquery on PostgreSQL)."""
    db = new_db("fts")
    with Store(db) as s:
        pipeline.build([CORPUS], s)
        ids = lambda q: {h["id"] for h in s.search(q, limit=100)[1]}  # noqa: E731
        strike, port = ids("strike"), ids("port")
        assert strike and port
        assert ids("strike port") == ids("strike AND port") == strike & port
        assert ids("strike OR port") == strike | port
        assert ids("strike NOT port") == ids("strike -port") == strike - port
        assert ids("strik*") >= strike
        assert ids('"port strike"') <= strike & port
        assert ids("(strike OR port) NOT strike") == port - strike
        assert ids("title:strike") <= strike
        total, page = queries.articles_page(s, limit=5, q="strike")
        assert total == len(strike) and len(page) == min(5, total)
        for hit in page:
            for a, b in hit["highlights"]:
                assert hit["snippet"][a:b].lower().startswith("strik")


def test_display_name_hides_the_password():
    assert display_name("postgresql://ann:s3cret@db.example/news") == "postgresql://ann:***@db.example/news"
    assert display_name("postgresql://ann@db.example/news") == "postgresql://ann@db.example/news"
    assert display_name("out/x.db") == "out/x.db"


@pg_only
def test_unreachable_server_and_bad_urls_are_one_line_errors():
    for url in ("postgresql://ann:s3cret@127.0.0.1:1/news", "postgresql://127.0.0.1:1/news?sslmode=nonsense"):
        with pytest.raises(StoreError) as e:
            Store(url)
        assert "s3cret" not in str(e.value) and "127.0.0.1:1" in str(e.value)
        assert len(str(e.value).splitlines()) == 1
        for cmd in (["articles"], ["build", str(CORPUS / "caldera_port_strike.txt")]):
            r = run(*cmd, "--db", url)
            one_line_error(r, "cannot open the PostgreSQL database")
            assert "s3cret" not in r.stderr


@pg_only
def test_missing_postgresql_database(databases):
    url = databases.url("st_no_such_database")
    with pytest.raises(StoreError, match="st_no_such_database"):
        Store(url)
    one_line_error(run("articles", "--db", url), "st_no_such_database")


@pg_only
def test_empty_postgresql_database_is_no_storyline_database_yet(new_db):
    db = new_db("empty")
    one_line_error(run("articles", "--db", db), "no such database", "storyline build")
    assert run("build", str(CORPUS / "caldera_port_strike.txt"), "--db", db).exit_code == 0
    assert run("articles", "--db", db).exit_code == 0


@pg_only
def test_concurrent_first_opens_migrate_once(new_db):
    db = new_db("race")
    errors: list[BaseException] = []

    def open_it() -> None:
        try:
            Store(db).close()
        except BaseException as e:  # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=open_it) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    with Store(db) as s:
        assert s.counts()["articles"] == 0


@pg_only
def test_postgresql_answers_as_sqlite_does(tmp_path, new_db):
    """The example corpus built on both backends: the same dossier, pages, filters and search hits."""
    lite, pg = str(tmp_path / "lite.db"), new_db("same")
    for db in (lite, pg):
        with Store(db) as s:
            pipeline.build([CORPUS], s)

    def answers(db: str) -> dict:
        with Store(db) as s:
            story = s.stories()[0]
            ent = s.entities()[0]
            out = {
                "dossier": dossier(s), "counts": s.counts(), "articles": queries.articles_page(s, 100),
                "outlets": queries.outlets(s), "entities": s.entities_page(50, q="a"), "quotes": s.quotes_page(100),
                "story_entities": s.entities_page(10, article_ids=story["article_ids"], max_mentions=3),
                "speakers": queries.speakers(s, story["article_ids"]),
                "events": s.events_page(100, story_id=story["id"]),
                "entity_events": s.events(entity_id=ent["id"]), "points": queries.event_points(s, story["id"]),
                "claims": s.claims(), "filtered": queries.articles_page(s, 100, date_from="2024-01-01", outlet=None),
                "speaker": s.quotes(speaker=ent["name"].split()[0]), "passages": s.shared_passages(),
                "problems": s.problems(), "article": s.article("3"), "story_rows": s.story_rows_of(r["id"] for r in s.story_states()),
                "story_index": (s.story_statistics(["tport", "tstrike", "e" + ent["id"]]), sorted(s.story_holders(["tport"])),
                                s.story_vectors(range(1, 5))),
                "dedupe": [tuple(r) for r in s.dedupe_members()],
            }
            for q in ("strike", "port OR election", '"the port"', "elect*", "strike NOT port"):
                out[q] = sorted(h["id"] for h in s.search(q, 100)[1])
                total, page = queries.articles_page(s, 100, q=q)
                out["page " + q] = (total, sorted(x["id"] for x in page))
            return json.loads(json.dumps(out, default=repr))

    a, b = answers(lite), answers(pg)
    for key in a:
        assert a[key] == b[key], key


@pg_only
def test_a_connection_the_server_dropped_is_known_broken(new_db):
    """The web app opens a new Store in a thread whose connection is broken (a server restart)."""
    import psycopg

    db = new_db("dropped")
    s = Store(db)
    assert not s.broken and s.counts()["articles"] == 0
    with psycopg.connect(PG, autocommit=True) as admin:  # what a server restart does to the app's connections
        admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                      (db.rsplit("/", 1)[1],))
    with pytest.raises(psycopg.OperationalError):
        s.counts()
    assert s.broken
    s.close()
    with Store(db) as again:
        assert again.counts()["articles"] == 0
