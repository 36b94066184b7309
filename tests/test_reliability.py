"""Nothing lost, nothing frozen: same-name sources, rolling feeds, uploads, over-long articles, kills
between story steps and concurrent builds, on the backend under test (SQLite, or PostgreSQL)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from storyline import pipeline
from storyline.export.json import dossier
from storyline.store import Store

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "examples" / "corpus"
STORYLINE = [sys.executable, "-c", "from storyline.cli import main; main()"]


def build(paths, db: str, **kw) -> pipeline.BuildReport:
    with Store(db) as store:
        return pipeline.build(paths, store, **kw)


def rss(items: list[int]) -> str:
    entries = "".join(
        f"<item><title>Harbour report number {n}</title><link>https://example.org/harbour/{n}</link>"
        f"<guid>https://example.org/harbour/{n}</guid><pubDate>Mon, 0{n} Apr 2024 09:00:00 GMT</pubDate>"
        f"<description>Report {n}: the harbour authority in Caldera said on Monday that berth {n} would "
        f"reopen after dredging work number {n * 7} finished, and that ships of class {n} may dock again."
        f"</description></item>" for n in items)
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>Harbour Wire</title>{entries}</channel></rss>'


# --- documents are never lost --------------------------------------------------------------------
def test_same_source_name_in_two_folders_keeps_both_articles(tmp_path, new_db):
    d1, d2 = tmp_path / "d1" / "scrape", tmp_path / "d2" / "scrape"
    d1.mkdir(parents=True), d2.mkdir(parents=True)
    shutil.copy(CORPUS / "lindenport_election.txt", d1 / "a.txt")
    shutil.copy(CORPUS / "caldera_port_strike.txt", d2 / "a.txt")
    db = new_db("same-name")
    build([d1], db)
    with Store(db) as store:
        first = [a.id for a in store.articles()]
    report = build([d2], db)
    assert report.new_versions == 1
    with Store(db) as store:
        arts = list(store.articles())
        assert [a.id for a in arts][: len(first)] == first  # the earlier article is still there, same id
        assert len(arts) == 2 and len({a.document_id for a in arts}) == 2
        docs = {d.source for d in store.documents()}
        assert docs == {"scrape/a.txt"}
        assert all(a.story_id for a in arts)  # both annotated and in stories
        sids = {a.story_id for a in arts}
        assert {s["id"] for s in store.stories()} == sids  # no story left without its articles


def test_rolling_feed_keeps_every_item_with_stable_ids(tmp_path, new_db):
    feed = tmp_path / "wire" / "harbour.rss"
    feed.parent.mkdir()
    feed.write_text(rss([5, 4, 3, 2, 1]))
    db = new_db("feed")
    build([feed.parent], db)
    with Store(db) as store:
        before = {a.title: a.id for a in store.articles()}
    assert len(before) == 5
    feed.write_text(rss([6, 5, 4, 3, 2]))  # the feed moved on: item 1 gone from it, item 6 new on top
    report = build([feed.parent], db)
    assert report.added_documents == 1 and report.skipped == 4
    with Store(db) as store:
        after = {a.title: a.id for a in store.articles()}
        assert store.counts()["duplicates"] == 0
    assert len(after) == 6
    assert {t: after[t] for t in before} == before  # items 1–5 kept, under the ids they had
    assert build([feed.parent], db).added_documents == 0  # and a third run adds nothing


def test_jsonl_lines_keep_their_ids_when_lines_are_added_above(tmp_path, new_db):
    f = tmp_path / "in" / "wire.jsonl"
    f.parent.mkdir()
    line = lambda n: json.dumps({"title": f"Ferry timetable {n}", "text": f"The ferry operator said on Tuesday "  # noqa: E731
                                 f"that crossing {n} would run {n} times a day from May, after {n * 3} complaints."})
    f.write_text(line(1) + "\n" + line(2) + "\n")
    db = new_db("jsonl")
    build([f.parent], db)
    with Store(db) as store:
        before = {a.title: a.id for a in store.articles()}
    f.write_text(line(0) + "\n" + line(1) + "\n" + line(2) + "\n")
    assert build([f.parent], db).added_documents == 1
    with Store(db) as store:
        after = {a.title: a.id for a in store.articles()}
    assert len(after) == 3 and {t: after[t] for t in before} == before


def test_a_stub_rescrape_does_not_replace_the_article(tmp_path, new_db):
    folder = tmp_path / "site"
    folder.mkdir()
    page = folder / "story.txt"
    shutil.copy(CORPUS / "caldera_port_strike.txt", page)
    db = new_db("stub")
    build([folder], db)
    with Store(db) as store:
        good = [(a.id, a.text) for a in store.articles()]
    page.write_text("Please enable cookies\n\nPlease enable cookies and JavaScript to continue to this site.\n")
    build([folder], db)
    with Store(db) as store:
        now = {a.id: a.text for a in store.articles()}
    assert all(now.get(aid) == text for aid, text in good)


def test_ten_same_name_uploads_keep_ten_articles(new_db):
    from fastapi.testclient import TestClient

    from storyline.web.app import create_app

    db = new_db("uploads")
    Store(db).close()
    token = "t0ken-for-the-tests-only"
    c = TestClient(create_app(db, allow_ingest=True, token=token))
    auth = {"Authorization": f"Bearer {token}"}
    places = ["Lindenport", "Caldera", "North Reach", "Meridian", "Kestrel", "Ashford", "Brightwater", "Coldharbour",
              "Dunmore", "Eastwick"]
    for n, place in enumerate(places):
        body = (f"{place} council report\n\nThe {place} council approved budget item {n} on Monday, "
                f"its leader said, after a debate about {place}'s {n + 2} libraries.\n").encode()
        r = c.post("/api/ingest", files={"files": ("report.txt", body)}, headers=auth)
        assert r.status_code == 200, r.text
    assert c.get("/api/articles").json()["total"] == 10
    r = c.post("/api/ingest", files={"files": ("report.txt", body)}, headers=auth)  # the same bytes again
    assert r.json()["added_articles"] == 0 and c.get("/api/articles").json()["total"] == 10


def test_schema_5_migration_fills_origins(tmp_path):
    """A database from before version 5: its JSONL and feed documents get the file as their origin."""
    import sqlite3

    from storyline.store.migrations import _MIGRATIONS

    db = tmp_path / "old.db"
    con = sqlite3.connect(db)
    for v in range(1, 5):
        con.executescript(_MIGRATIONS[v])
    con.execute("PRAGMA user_version=4")
    con.executemany("INSERT INTO documents(id, source, sha256, kind, meta, text) VALUES (?,?,?,?,'{}','x')", [
        ("d1", "in/wire#1.jsonl#L3", "s1", "jsonl"), ("d2", "in/a#b.txt", "s2", "txt"), ("d3", "f.rss#12", "s3", "feed"),
        ("d4", "c.warc.gz#<urn:uuid:1>", "s4", "warc")])
    con.commit()
    con.close()
    with Store(db) as store:
        got = dict(store.db.execute("SELECT id, origin FROM documents").fetchall())
    assert got == {"d1": "in/wire#1.jsonl", "d2": "in/a#b.txt", "d3": "f.rss", "d4": "c.warc.gz#<urn:uuid:1>"}


# --- one article's failure is that article's problem ---------------------------------------------
LONG = "The mayor said on Monday that the port would reopen next week. " * 17000  # 1.07M characters


@pytest.fixture
def refuse_over_a_million(monkeypatch):
    """Texts over a million characters refused rather than annotated in pieces (which takes a minute for
    LONG: test_long_texts_are_annotated_in_pieces checks the pieces on a smaller scale)."""
    from storyline.nlp import annotate

    monkeypatch.setattr(annotate, "MAX_CHARS", 1_000_000)


def test_long_texts_are_annotated_in_pieces(monkeypatch):
    """A text over the parser's limit is parsed in pieces joined into one Doc: the same layers as one
    parse, spans into the whole text."""
    from storyline.nlp import annotate

    text = "\n\n".join((CORPUS / name).read_text() for name in ("caldera_port_strike.txt", "lindenport_election.txt",
                                                                "two_stories_march2024.txt"))
    pub = annotate.Published(date="2024-03-20")
    whole = next(annotate.annotate_texts([(text, pub)]))
    nlp = annotate.load_nlp()
    monkeypatch.setattr(nlp, "max_length", len(text) // 3)
    monkeypatch.setattr(annotate, "PIECE_CHARS", len(text) // 4)
    assert len(annotate.pieces(text)) >= 4 and "".join(annotate.pieces(text)) == text
    parts = next(annotate.annotate_texts([(text, pub)]))
    assert isinstance(parts, dict) and parts["events"] and parts["quotes"] and parts["mentions"]
    assert parts == whole
    monkeypatch.setattr(annotate, "MAX_CHARS", len(text) - 1)
    refused = next(annotate.annotate_texts([(text, pub)]))
    assert isinstance(refused, annotate.NotAnnotated) and f"{len(text):,} characters" in refused.reason


def test_pieces_join_back_whatever_the_text():
    from storyline.nlp.annotate import pieces

    for text in ("a" * 250, "word " * 100, "One. Two. " * 40, "line\n" * 60, "para\n\n" * 50, "", "x"):
        got = pieces(text, 37)
        assert "".join(got) == text and all(0 < len(p) <= 37 for p in got)


def test_an_over_long_article_does_not_freeze_the_database(tmp_path, new_db, refuse_over_a_million):
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir(), second.mkdir()
    (first / "long.txt").write_text(LONG)
    shutil.copy(CORPUS / "caldera_port_strike.txt", first / "strike.txt")
    shutil.copy(CORPUS / "lindenport_election.txt", second / "election.txt")
    db = new_db("long")
    report = build([first], db)
    assert report.annotated == 1
    assert any(p.source == "first/long.txt" and "not annotated" in p.message and "1,000,000" in p.message
               for p in report.problems)
    report = build([second], db)  # the next build annotates and links the rest
    assert report.annotated == 1
    with Store(db) as store:
        arts = {a.id: a for a in store.articles()}
        long_id = next(aid for aid, a in arts.items() if len(a.text) > 1_000_000)
        assert store.annotations(long_id) is None and arts[long_id].story_id is None
        others = [a for aid, a in arts.items() if aid != long_id]
        assert len(others) == 2 and all(a.story_id and store.annotations(a.id) for a in others)
        assert any("not annotated" in m for s, m in store.problems() if s == "first/long.txt")
        assert store.counts()["events"] > 0


def test_a_model_error_is_that_articles_problem(tmp_path, monkeypatch, new_db):
    from storyline.nlp import annotate

    real = annotate._layers

    def flaky(doc, timexes, anchor):
        if "Lindenport" in doc.text:
            raise RuntimeError("the model broke")
        return real(doc, timexes, anchor)

    monkeypatch.setattr(annotate, "_layers", flaky)
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("lindenport_election.txt", "caldera_port_strike.txt"):
        shutil.copy(CORPUS / name, folder / name)
    db = new_db("model-error")
    report = build([folder], db)
    assert report.annotated == 1
    assert [p.source for p in report.problems] == ["in/lindenport_election.txt"]
    assert "RuntimeError: the model broke" in report.problems[0].message
    monkeypatch.setattr(annotate, "_layers", real)
    assert build([folder], db).annotated == 1  # tried again on the next build, and annotated


def test_an_over_long_article_does_not_fail_its_batch_partition(tmp_path, refuse_over_a_million):
    from storyline.batch.engines import LocalEngine
    from storyline.batch.partition import finished, read_table
    from storyline.batch.run import run_batch

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "long.txt").write_text(LONG)
    shutil.copy(CORPUS / "caldera_port_strike.txt", folder / "strike.txt")
    out = tmp_path / "out"
    run_batch([folder], out, LocalEngine(), 50 * 1024 * 1024, units=4)
    parts = finished(out)
    assert len(parts) == 1
    assert len(read_table(parts[0], "annotations")) == 1
    assert any("not annotated" in p["message"] for p in read_table(parts[0], "problems"))


# --- stories and their layers written together -----------------------------------------------------
def _story_state(db: str) -> dict:
    with Store(db) as store:
        d = dossier(store)
    return {k: d[k] for k in ("articles", "stories", "events", "claims")}


def test_kill_between_story_ids_and_layers_then_rerun_equals_a_whole_build(seeds, monkeypatch, new_db):
    whole = new_db("whole")
    build([seeds, CORPUS], whole)
    from storyline.stories import claims

    real, calls = claims.compare, []

    def die(*a, **kw):
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt  # killed while the layers of the third story are computed
        return real(*a, **kw)

    monkeypatch.setattr(claims, "compare", die)
    db = new_db("killed")
    with pytest.raises(KeyboardInterrupt):
        build([seeds, CORPUS], db)
    with Store(db) as store:
        assert store.counts()["events"] == 0 and not any(a.story_id for a in store.articles())
    monkeypatch.setattr(claims, "compare", real)
    build([seeds, CORPUS], db)
    assert _story_state(db) == _story_state(whole)


def test_a_rerun_repairs_stories_an_older_run_left_incomplete(seeds, new_db):
    whole = new_db("whole")
    build([seeds, CORPUS], whole)
    db = new_db("broken")
    build([seeds, CORPUS], db)
    with Store(db) as store:
        sid = max(store.stories(), key=lambda s: s["event_count"])["id"]
        with store.transaction():  # what a run of an older storyline killed between the two steps left
            store.db.execute("UPDATE stories SET members = NULL")
            store.db.execute("DELETE FROM meta WHERE key = 'done:link'")  # an older storyline keeps no link key
            store.db.execute("DELETE FROM event_refs WHERE event_id IN (SELECT id FROM events WHERE story_id = ?)", (sid,))
            store.db.execute("DELETE FROM events WHERE story_id = ?", (sid,))
    assert _story_state(db) != _story_state(whole)
    build([seeds, CORPUS], db)
    assert _story_state(db) == _story_state(whole)
    with Store(db) as store:
        assert pipeline.link_stories(store) == set()  # and now nothing is left to repair


def test_linking_is_one_process_at_a_time(new_db):
    db = new_db("lock")
    Store(db).close()
    a, b = Store(db), Store(db)
    waited, order = threading.Event(), []

    def second():
        with b.exclusive(waited.set):
            order.append("b")

    with a.exclusive():
        t = threading.Thread(target=second)
        t.start()
        assert waited.wait(30)  # b was told it waits …
        order.append("a")
    t.join(30)
    assert order == ["a", "b"]  # … and ran only once a let go
    with a.exclusive(), a.exclusive():  # reentrant
        pass
    a.close(), b.close()


def test_two_concurrent_builds_leave_every_article_in_a_story_with_its_events(tmp_path, seeds, new_db):
    # one small build links while the other is still annotating the articles it has stored
    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir()
    (one / "note.txt").write_text("Tram line approved\n\nThe city council approved a new tram line on Monday.\n")
    shutil.copytree(seeds, two / "seeds")
    shutil.copytree(CORPUS, two / "corpus")
    db = new_db("concurrent")
    Store(db).close()
    env = {**os.environ, "COLUMNS": "200"}
    procs = [subprocess.Popen([*STORYLINE, "build", str(p), "--db", db], stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, env=env) for p in (one, two)]
    outs = [p.communicate(timeout=600)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    with Store(db) as store:
        arts = list(store.articles())
        assert len(arts) == 20  # the note, 6 seed articles, 13 of the example corpus
        assert all(a.story_id for a in arts)
        with_events = {aid for aid, evs in store.all_annotations("events") if evs}
        referenced = {m["article_id"] for e in store.events() for m in e["mentions"]}
        assert with_events - {a.id for a in arts if a.duplicate_of} <= referenced
        assert pipeline.link_stories(store) == set()  # every story's layers are those of its articles
