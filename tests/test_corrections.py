"""Corrections that last (issue 20 item 6): made with `storyline correct`, stored as records, shown in every
export and list, kept through a rebuild of the same input and a build with a new article, and undone by
`storyline corrections --undo`, which brings back what the stages computed."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from storyline.cli import app
from storyline.pipeline import build
from storyline.store import Store

EXTRA = """Erdogan and Putin meet again in Sochi

Turkish President Recep Tayyip Erdogan met Russian President Vladimir Putin in Sochi on Monday, 16 September 2019.
"The S-400 deliveries are complete," Erdogan told reporters after the talks. Putin said Russia and Turkey would
work on further projects. Turkey received the last battery of the S-400 system from Russia in September 2019.
"""


def _run(*args: str, ok: bool = True) -> str:
    r = CliRunner().invoke(app, list(args))
    if ok:
        assert r.exit_code == 0, r.output
    return r.output


def _dossier(db: str) -> dict:
    return json.loads(_run("export", "--db", db, "--format", "json"))


def _computed(d: dict) -> str:
    """What the stages computed in a dossier, comparable across builds of the same input."""
    return json.dumps({k: d[k] for k in ("entities", "quotes", "events", "claims", "stories", "articles", "rejected")},
                      sort_keys=True)


def _entity(d: dict, name: str) -> dict:
    return next(e for e in d["entities"] if e["name"] == name)


@pytest.fixture
def work(seed_db, databases, tmp_path, seeds):
    """A copy of the seeds database, the seeds folder, and a folder of one more article."""
    db = databases.copy(seed_db, "corr")
    more = tmp_path / "more"
    more.mkdir()
    (more / "900_sochi.txt").write_text(EXTRA, encoding="utf-8")
    return db, seeds, more


def test_corrections_hold_through_rebuilds_show_everywhere_and_undo(work, databases, seed_db):
    db, seeds, more = work
    before = _dossier(db)
    putin, erdogan = _entity(before, "Vladimir Putin"), _entity(before, "Recep Tayyip Erdogan")
    quote = next(q for q in before["quotes"] if "Signatures have been made" in q["text"])
    other_quote = next(q for q in before["quotes"] if q["id"] != quote["id"])
    event = before["events"][0]
    claim = before["claims"][0]
    article = before["articles"][0]["id"]

    out = _run("correct", "merge-entities", "Vladimir Putin", "Recep Tayyip Erdogan", "--why", "test: one person",
               "--by", "tester", "--db", db)
    assert "correction #1" in out and "applied" in out
    _run("correct", "rename-entity", "Ankara", "<b>Ankara</b> city", "--why", "capital", "--db", db)
    _run("correct", "split-entity", "Turkey", "--alias", "Turkish", "--why", "a demonym", "--db", db)
    _run("correct", "speaker", quote["id"], "--name", "A spokesman", "--why", "misattributed", "--db", db)
    _run("correct", "reject", "event", event["id"], "--why", "not an event", "--db", db)
    _run("correct", "reject", "claim", claim["id"], "--why", "misread figure", "--db", db)
    _run("correct", "reject", "quote", other_quote["id"], "--why", "not a quote", "--db", db)
    _run("correct", "redate", article, "2017-09", "--why", "dateline", "--db", db)

    def holds(d: dict) -> None:
        ids = {e["id"] for e in d["entities"]}
        p = _entity(d, "Vladimir Putin")
        assert erdogan["id"] not in ids and "Recep Tayyip Erdogan" in p["aliases"]
        assert {(m["article_id"], m["span"][0]) for m in erdogan["mentions"]} <= {
            (m["article_id"], m["span"][0]) for m in p["mentions"]}
        assert p["corrected"][0] == {"id": 1, "op": "merge-entities", "why": "test: one person", "by": "tester",
                                     "at": p["corrected"][0]["at"]}
        assert _entity(d, "<b>Ankara</b> city")["corrected"][0]["op"] == "rename-entity"
        turkish = _entity(d, "Turkish")
        assert turkish["type"] == "GPE" and all(m["text"] == "Turkish" for m in turkish["mentions"])
        assert all(m["text"] != "Turkish" for m in _entity(d, "Turkey")["mentions"])
        q = next(x for x in d["quotes"] if x["id"] == quote["id"])
        assert q["speaker"]["name"] == "A spokesman" and q["speaker"]["entity_id"] is None and q["corrected"]
        assert other_quote["id"] not in {x["id"] for x in d["quotes"]}
        assert event["id"] not in {x["id"] for x in d["events"]}
        assert claim["id"] not in {x["id"] for x in d["claims"]}
        assert {(r["kind"], r["id"]) for r in d["rejected"]} == {
            ("event", event["id"]), ("claim", claim["id"]), ("quote", other_quote["id"])}
        a = next(x for x in d["articles"] if x["id"] == article)
        assert (a["published"]["earliest"], a["published"]["latest"]) == ("2017-09-01", "2017-09-30")
        assert a["corrected"][0]["op"] == "redate"

    corrected = _dossier(db)
    holds(corrected)
    # shown as corrected in the Markdown and HTML dossiers (hostile names escaped), and in the CLI lists
    md = _run("export", "--db", db, "--format", "md")
    assert "(corrected)" in md or "\\(corrected\\)" in md
    html = _run("export", "--db", db, "--format", "html")
    assert "(corrected)" in html and "&lt;b&gt;Ankara&lt;/b&gt; city" in html and "<b>Ankara</b>" not in html
    assert "(corrected)" in _run("entities", "--db", db, "--name", "Putin")
    assert "(corrected)" in _run("quotes", "--db", db, "--speaker", "A spokesman")
    # a rebuild of the same input, then a build with a new article: the corrections hold
    with Store(db) as store:
        build([seeds], store)
    assert _computed(_dossier(db)) == _computed(corrected)
    with Store(db) as store:
        build([seeds, more], store)
    after = _dossier(db)
    holds(after)
    assert len(after["articles"]) == len(before["articles"]) + 1
    new = next(a["id"] for a in after["articles"] if a["id"] not in {x["id"] for x in before["articles"]})
    p = _entity(after, "Vladimir Putin")
    assert any(m["article_id"] == new and "Erdogan" in m["text"] for m in p["mentions"]), [
        (e["name"], m["text"]) for e in after["entities"] for m in e["mentions"] if m["article_id"] == new]
    listed = [json.loads(x) for x in _run("corrections", "--db", db, "--json").splitlines()]
    assert [c["status"] for c in listed] == ["applied"] * 8 and listed[0]["by"] == "tester"
    # undo every one: the database is what the same builds give without corrections
    for c in reversed(listed):
        assert f"correction #{c['id']} undone" in _run("corrections", "--undo", str(c["id"]), "--db", db)
    twin = databases.copy(seed_db, "twin")
    with Store(twin) as store:
        build([seeds, more], store)
    assert _computed(_dossier(db)) == _computed(_dossier(twin))
    assert all(c["status"] == "undone" and c["undone_at"]
               for c in map(json.loads, _run("corrections", "--db", db, "--json").splitlines()))
    assert putin["id"] in {e["id"] for e in _dossier(db)["entities"]}


def test_undo_restores_the_export_and_replaying_twice_is_once(work):
    from storyline import corrections

    db, seeds, _ = work
    before = _computed(_dossier(db))
    _run("correct", "merge-entities", "Russia", "Moscow", "--why", "the state", "--db", db)
    _run("correct", "speaker", _dossier(db)["quotes"][0]["id"], "--entity", "NATO", "--why", "x", "--db", db)
    once = _computed(_dossier(db))
    assert once != before
    with Store(db) as store:
        corrections.reapply(store)
        corrections.reapply(store)
    assert _computed(_dossier(db)) == once
    _run("corrections", "--undo", "2", "--db", db)
    _run("corrections", "--undo", "1", "--db", db)
    assert _computed(_dossier(db)) == before
    with Store(db) as store:
        assert not store.journal_pending()


def test_a_correction_whose_target_is_gone_is_kept_and_listed(work):
    from storyline import corrections

    db, _, _ = work
    _run("correct", "rename-entity", "NATO", "the Alliance", "--why", "x", "--db", db)
    with Store(db) as store:
        c = store.corrections()[0]
        gone = dict(c["payload"]["entity"], id="e-0000000000000000", name="Nobody", mentions=[])
        with store.transaction():  # as if canonicalisation had changed since: nothing finds it
            store.db.execute("UPDATE corrections SET payload = ? WHERE id = ?",
                             (json.dumps({**c["payload"], "entity": gone}), c["id"]))
        corrections.reapply(store)
        assert store.corrections()[0]["status"].startswith("not applied: target gone")
    assert "not applied: target gone" in _run("corrections", "--db", db)
    assert "NATO" in {e["name"] for e in _dossier(db)["entities"]}


def test_entities_are_found_again_by_their_mentions_when_ids_change(work):
    from storyline import corrections

    db, _, _ = work
    _run("correct", "rename-entity", "NATO", "the Alliance", "--why", "x", "--db", db)
    with Store(db) as store:
        c = store.corrections()[0]
        moved = dict(c["payload"]["entity"], id="e-0000000000000000")  # an id canonicalisation no longer gives
        with store.transaction():
            store.db.execute("UPDATE corrections SET payload = ? WHERE id = ?",
                             (json.dumps({**c["payload"], "entity": moved}), c["id"]))
        corrections.reapply(store)
        assert store.corrections()[0]["status"] == "applied"
    assert "the Alliance" in {e["name"] for e in _dossier(db)["entities"]}


@pytest.mark.parametrize("args, code, message", [
    (["merge-entities", "Vladimir Putin", "Nobody at all", "--why", "x"], 1, "no entity 'Nobody at all'"),
    (["merge-entities", "Vladimir Putin", "Putin", "--why", "x"], 1, "are the same entity"),
    (["merge-entities", "Vladimir Putin", "Russia"], 2, "Missing option '--why'"),
    (["merge-entities", "Vladimir Putin", "Russia", "--why", "  "], 1, "say why"),
    (["split-entity", "Turkey", "--alias", "Turkiye", "--why", "x"], 1, "is written 'Turkiye'"),
    (["rename-entity", "NATO", "NATO", "--why", "x"], 1, "already named"),
    (["speaker", "q-0", "--clear", "--why", "x"], 1, "no quote 'q-0'"),
    (["speaker", "QUOTE", "--clear", "--name", "X", "--why", "x"], 1, "exactly one of"),
    (["reject", "story", "s-1", "--why", "x"], 1, "cannot reject a 'story'"),
    (["reject", "event", "v-0", "--why", "x"], 1, "no event 'v-0'"),
    (["redate", "1", "2017-13", "--why", "x"], 1, "not a date: '2017-13'"),
    (["redate", "a-nothing", "2017", "--why", "x"], 1, "no article 'a-nothing'"),
])
def test_bad_corrections_are_one_line_and_store_nothing(work, args, code, message):
    db, _, _ = work
    quote = _dossier(db)["quotes"][0]["id"]
    r = CliRunner().invoke(app, ["correct", *[quote if a == "QUOTE" else a for a in args], "--db", db])
    assert r.exit_code == code, r.output
    assert message in r.output and "Traceback" not in r.output
    if code == 1:
        assert len(r.output.strip().splitlines()) == 1
    with Store(db) as store:
        assert store.corrections() == [] and not store.journal_pending()


def test_an_ambiguous_name_lists_the_candidates(work):
    db, _, _ = work
    _run("correct", "split-entity", "Turkey", "--alias", "Turks", "--why", "x", "--db", db)
    _run("correct", "rename-entity", "Turks", "Turkey", "--why", "make two entities named Turkey", "--db", db)
    r = CliRunner().invoke(app, ["correct", "rename-entity", "Turkey", "X", "--why", "x", "--db", db])
    assert r.exit_code == 1 and "'Turkey' names 2 entities" in r.output and "give an entity id" in r.output


def test_undo_errors(work):
    db, _, _ = work
    r = CliRunner().invoke(app, ["corrections", "--undo", "7", "--db", db])
    assert r.exit_code == 1 and "no correction #7" in r.output
    _run("correct", "redate", "1", "2019-07-12", "--why", "x", "--db", db)
    _run("corrections", "--undo", "1", "--db", db)
    r = CliRunner().invoke(app, ["corrections", "--undo", "1", "--db", db])
    assert r.exit_code == 1 and "already undone" in r.output


def test_the_api_and_pages_show_corrections(work):
    from fastapi.testclient import TestClient

    from storyline.web.app import create_app

    db, _, _ = work
    d = _dossier(db)
    q = d["quotes"][0]
    _run("correct", "speaker", q["id"], "--name", "<script>x</script>", "--why", "wrong speaker", "--db", db)
    _run("correct", "merge-entities", "Russia", "Moscow", "--why", "the state", "--db", db)
    client = TestClient(create_app(db))
    russia = _entity(_dossier(db), "Russia")
    got = client.get(f"/api/entities/{russia['id']}").json()
    assert got["corrected"][0]["why"] == "the state" and "Moscow" in got["aliases"]
    page = client.get(f"/articles/{q['article_id']}").text
    assert "(corrected)" in page and "&lt;script&gt;x&lt;/script&gt;" in page and "<script>x</script>" not in page


def test_corrections_show_on_the_entity_and_quotes_pages(work):
    import warnings

    pytest.importorskip("fastapi")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient
    from storyline.web import create_app

    db, _, _ = work
    d = _dossier(db)
    erdogan = _entity(d, "Recep Tayyip Erdogan")
    quote = next(q for q in d["quotes"] if (q.get("speaker") or {}).get("entity_id") == erdogan["id"])
    _run("correct", "rename-entity", erdogan["id"], "Recep Tayyip Erdoğan", "--why", "spelling", "--db", db)
    _run("correct", "speaker", quote["id"], "--clear", "--why", "not his words", "--db", db)
    client = TestClient(create_app(db))
    ent = next(e for e in _dossier(db)["entities"] if e["name"] == "Recep Tayyip Erdoğan")
    page = client.get(f"/entities/{ent['id']}").text
    assert "Recep Tayyip Erdoğan" in page and 'class="corrected" title="spelling"' in page
    assert client.get(f"/api/entities/{ent['id']}/profile").json()["entity"]["corrected"][0]["why"] == "spelling"
    assert 'title="not his words">(corrected)' in client.get("/quotes").text
    assert 'class="corrected"' in client.get("/entities", params={"q": "Erdo"}).text
