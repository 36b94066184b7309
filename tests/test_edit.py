"""Corrections from the web (issue 20 item 6): `storyline serve --allow-edit` with a bearer token adds
POST /api/corrections and POST /api/corrections/{id}/undo and the pages' editing controls; without it neither
exists. A correction made through the API is the same record `storyline correct` makes: it shows in the API,
the pages (no stale cached answer) and a fresh JSON export, lasts through rebuilds, and its undo brings back
what the stages computed. (The browser's side: tests/test_browser.py.)"""

from __future__ import annotations

import re
import warnings

import pytest
from typer.testing import CliRunner

from storyline.cli import app
from storyline.pipeline import build
from storyline.store import Store
from tests import test_corrections
from tests.test_corrections import _computed, _dossier, _entity

work = test_corrections.work  # the fixture: a copy of the seeds' database, the seeds, a folder of one more article

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

TOKEN = "edit-token-for-the-tests-only"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
CONTROLS = ("data-correct", "data-undo", "data-edit-token", 'action="/api/corrections')


def _client(db: str, edit: bool = True) -> TestClient:
    from storyline.web import create_app

    return TestClient(create_app(db, allow_edit=True, token=TOKEN) if edit else create_app(db))


def _correct(client: TestClient, **body: object) -> dict:
    r = client.post("/api/corrections", json=body, headers=AUTH)
    assert r.status_code == 201, r.text
    assert r.json()["status"] == "applied", r.json()
    return r.json()


def _nothing_stored(db: str) -> None:
    with Store(db) as store:
        assert store.corrections() == [] and not store.journal_pending()


def _pages(client: TestClient, d: dict) -> dict[str, str]:
    """Every page that has editing controls when editing is on."""
    e = _entity(d, "Vladimir Putin")
    story = d["stories"][0]["id"]
    urls = ["/", f"/entities/{e['id']}", "/quotes", "/claims", f"/stories/{story}", "/corrections",
            f"/articles/{d['articles'][0]['id']}", "/entities"]
    out = {}
    for u in urls:
        r = client.get(u)
        assert r.status_code == 200, (u, r.status_code)
        out[u] = r.text
    return out


def test_editing_is_off_by_default(work):
    db, _, _ = work
    d = _dossier(db)
    client = _client(db, edit=False)
    putin, erdogan = _entity(d, "Vladimir Putin"), _entity(d, "Recep Tayyip Erdogan")
    body = {"op": "merge-entities", "target": putin["id"], "other": erdogan["id"], "why": "x"}
    assert client.post("/api/corrections", json=body, headers=AUTH).status_code in (404, 405)
    assert client.post("/api/corrections/1/undo", headers=AUTH).status_code in (404, 405)
    for url, html in _pages(client, d).items():
        assert not any(c in html for c in CONTROLS), url
    assert client.get("/api/corrections").json()["total"] == 0  # the list is public (read only)
    assert not any("/api/corrections" in p and "post" in ops for p, ops in client.get("/openapi.json").json()["paths"].items())
    _nothing_stored(db)


def test_editing_needs_a_token(work, monkeypatch, tmp_path):
    from storyline.web import create_app

    db, _, _ = work
    with pytest.raises(ValueError, match="needs a bearer token"):
        create_app(db, allow_edit=True, token=None)
    monkeypatch.delenv("STORYLINE_TOKEN", raising=False)
    r = CliRunner().invoke(app, ["serve", "--db", db, "--allow-edit"])
    assert r.exit_code == 1 and "--allow-edit needs a bearer token" in r.output
    assert len(r.output.strip().splitlines()) == 1
    empty = tmp_path / "token"
    empty.write_text("\n")
    r = CliRunner().invoke(app, ["serve", "--db", db, "--allow-edit", "--token-file", str(empty)])
    assert r.exit_code == 1 and "needs a bearer token" in r.output


def test_corrections_are_refused_without_the_token(work):
    db, _, _ = work
    d = _dossier(db)
    client = _client(db)
    body = {"op": "rename-entity", "target": _entity(d, "NATO")["id"], "name": "the Alliance", "why": "x"}
    for headers in ({}, {"Authorization": "Bearer wrong-token-of-the-same-size"}, {"Authorization": TOKEN},
                    {"Authorization": f"Basic {TOKEN}"}, {"Cookie": f"token={TOKEN}"}):
        r = client.post("/api/corrections", json=body, headers=headers)
        assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer", (headers, r.text)
        assert r.headers["content-security-policy"]  # the refusal passes through the security headers
        assert client.post("/api/corrections/1/undo", headers=headers).status_code == 401
    # a form another site posts (no Authorization header can be set on one): refused before its body is read
    r = client.post("/api/corrections", data={"op": "rename-entity", "target": "NATO", "name": "x", "why": "x"})
    assert r.status_code == 401
    # a body without the token is refused even when it is not JSON
    assert client.post("/api/corrections", content=b"{not json", headers={"Content-Type": "application/json"}
                       ).status_code == 401
    big = {**body, "why": "x" * 70_000}
    assert client.post("/api/corrections", json=big, headers=AUTH).status_code == 413
    _nothing_stored(db)


@pytest.mark.parametrize("body, field, message", [
    ({"op": "merge-entities", "target": "Vladimir Putin", "why": "x"}, "other", "Field required"),
    ({"op": "merge-entities", "target": "Vladimir Putin", "other": "Nobody at all", "why": "x"}, "other",
     "no entity 'Nobody at all'"),
    ({"op": "merge-entities", "target": "Nobody at all", "other": "Russia", "why": "x"}, "target", "no entity"),
    ({"op": "merge-entities", "target": "Vladimir Putin", "other": "Putin", "why": "x"}, "other", "same entity"),
    ({"op": "merge-entities", "target": "Vladimir Putin", "other": "Russia", "why": "   "}, "why", "at least 1"),
    ({"op": "merge-entities", "target": "Vladimir Putin", "other": "Russia"}, "why", "Field required"),
    ({"op": "merge-entities", "a": "Vladimir Putin", "target": "x", "other": "y", "why": "x"}, "a", "not permitted"),
    ({"op": "frobnicate", "target": "x", "why": "x"}, "body", "'op'"),
    ({"target": "x", "why": "x"}, "body", "'op'"),
    ({"op": "split-entity", "target": "Turkey", "alias": "Turkiye", "why": "x"}, "alias", "is written 'Turkiye'"),
    ({"op": "rename-entity", "target": "NATO", "name": "NATO", "why": "x"}, "name", "already named"),
    ({"op": "speaker", "target": "QUOTE", "name": "X", "clear": True, "why": "x"}, "speaker", "exactly one of"),
    ({"op": "speaker", "target": "QUOTE", "why": "x"}, "speaker", "exactly one of"),
    ({"op": "speaker", "target": "q-0", "clear": True, "why": "x"}, "target", "no quote 'q-0'"),
    ({"op": "speaker", "target": "QUOTE", "entity": "Nobody at all", "why": "x"}, "entity", "no entity"),
    ({"op": "reject", "kind": "story", "target": "s-1", "why": "x"}, "kind", "'event', 'quote' or 'claim'"),
    ({"op": "reject", "kind": "event", "target": "v-0", "why": "x"}, "target", "no event 'v-0'"),
    ({"op": "redate", "target": "1", "date": "2017-13", "why": "x"}, "date", "not a date: '2017-13'"),
    ({"op": "redate", "target": "a-nothing", "date": "2017", "why": "x"}, "target", "no article 'a-nothing'"),
    ([{"op": "redate"}], "body", "valid"),
    ("{not json", "body", "JSON"),
])
def test_bad_bodies_are_a_422_naming_the_field(work, body, field, message):
    db, _, _ = work
    quote = _dossier(db)["quotes"][0]["id"]
    client = _client(db)
    if isinstance(body, str):
        r = client.post("/api/corrections", content=body.encode(), headers={**AUTH, "Content-Type": "application/json"})
    else:
        if isinstance(body, dict):
            body = {k: quote if v == "QUOTE" else v for k, v in body.items()}
        r = client.post("/api/corrections", json=body, headers=AUTH)
    assert r.status_code == 422, r.text
    detail = r.json()["detail"]
    assert isinstance(detail, list) and detail, detail
    named = (lambda loc: loc[0] == "body") if field == "body" else (lambda loc: loc[-1] == field)
    assert any(named(d["loc"]) and message in d["msg"] for d in detail), detail
    _nothing_stored(db)


def test_a_merge_through_the_api_shows_everywhere_lasts_and_undoes(work, databases, seed_db):
    db, seeds, more = work
    before = _dossier(db)
    putin, erdogan = _entity(before, "Vladimir Putin"), _entity(before, "Recep Tayyip Erdogan")
    client = _client(db)
    page = client.get(f"/entities/{putin['id']}")  # cached (the response cache is on), with its ETag
    profile = client.get(f"/api/entities/{putin['id']}/profile")
    assert "(corrected)" not in page.text and "Recep Tayyip Erdogan" not in profile.json()["entity"]["aliases"]

    c = _correct(client, op="merge-entities", target="Vladimir Putin", other=erdogan["id"], why="test: <one> person",
                 by="tester")
    assert (c["id"], c["by"], c["target_id"]) == (1, "tester", putin["id"]) and "←" in c["what"]
    # no stale answer: the page and the profile are read again (a new ETag; the old one no longer gives a 304)
    again = client.get(f"/entities/{putin['id']}", headers={"If-None-Match": page.headers["etag"]})
    assert again.status_code == 200 and again.headers["etag"] != page.headers["etag"]
    assert "(corrected)" in again.text and "test: &lt;one&gt; person" in again.text
    p = client.get(f"/api/entities/{putin['id']}/profile").json()
    assert "Recep Tayyip Erdogan" in p["entity"]["aliases"] and p["entity"]["corrected"][0]["by"] == "tester"
    assert p["mention_count"] == profile.json()["mention_count"] + len(erdogan["mentions"])
    assert client.get(f"/api/entities/{erdogan['id']}").status_code == 404
    listed = client.get("/api/corrections").json()
    assert listed["total"] == 1 and listed["items"][0]["status"] == "applied"

    def holds(d: dict) -> None:
        ids = {e["id"] for e in d["entities"]}
        p = _entity(d, "Vladimir Putin")
        assert erdogan["id"] not in ids and "Recep Tayyip Erdogan" in p["aliases"]
        assert p["corrected"][0]["why"] == "test: <one> person"
        assert {(m["article_id"], m["span"][0]) for m in erdogan["mentions"]} <= {
            (m["article_id"], m["span"][0]) for m in p["mentions"]}

    merged = _dossier(db)  # a fresh JSON export (storyline export)
    holds(merged)
    with Store(db) as store:  # a rebuild of the same input
        build([seeds], store)
    assert _computed(_dossier(db)) == _computed(merged)
    with Store(db) as store:  # and a build with one more article
        build([seeds, more], store)
    after = _dossier(db)
    holds(after)
    new = next(a["id"] for a in after["articles"] if a["id"] not in {x["id"] for x in before["articles"]})
    assert any(m["article_id"] == new and "Erdogan" in m["text"] for m in _entity(after, "Vladimir Putin")["mentions"])
    p = client.get(f"/api/entities/{putin['id']}/profile", params={"top": 1000}).json()  # the rebuilt database
    assert new in {a["id"] for a in p["articles"]} and "Recep Tayyip Erdogan" in p["entity"]["aliases"]

    r = client.post("/api/corrections/1/undo", headers=AUTH)
    assert r.status_code == 200 and r.json()["status"] == "undone" and r.json()["undone_at"]
    twin = databases.copy(seed_db, "twin")  # the same builds, never corrected
    with Store(twin) as store:
        build([seeds, more], store)
    assert _computed(_dossier(db)) == _computed(_dossier(twin))
    assert client.get(f"/api/entities/{erdogan['id']}").status_code == 200
    assert "Recep Tayyip Erdogan" not in client.get(f"/api/entities/{putin['id']}/profile").json()["entity"]["aliases"]
    assert client.post("/api/corrections/1/undo", headers=AUTH).status_code == 409
    assert client.post("/api/corrections/7/undo", headers=AUTH).status_code == 404


def test_every_operation_through_the_api_and_undo_restores_the_export(work):
    db, _, _ = work
    before = _dossier(db)
    client = _client(db)
    quote, other_quote = before["quotes"][0], before["quotes"][1]
    event, claim, article = before["events"][0], before["claims"][0], before["articles"][0]["id"]
    hostile = "<script>alert(1)</script> Ankara"
    _correct(client, op="rename-entity", target="Ankara", name=hostile, why="<b>capital</b>")
    _correct(client, op="split-entity", target="Turkey", alias="Turkish", why="a demonym")
    _correct(client, op="speaker", target=quote["id"], entity="NATO", why="misattributed")
    _correct(client, op="speaker", target=other_quote["id"], clear=True, why="not known")
    _correct(client, op="reject", kind="event", target=event["id"], why="not an event")
    _correct(client, op="reject", kind="claim", target=claim["id"], why="misread")
    _correct(client, op="reject", kind="quote", target=before["quotes"][2]["id"], why="not a quote")
    _correct(client, op="redate", target=article, date="2017-09", why="dateline")
    d = _dossier(db)
    assert _entity(d, hostile)["corrected"][0]["op"] == "rename-entity"
    assert {e["name"] for e in d["entities"]} >= {"Turkish", "Turkey"}
    assert next(q for q in d["quotes"] if q["id"] == quote["id"])["speaker"]["name"] == "NATO"
    assert next(q for q in d["quotes"] if q["id"] == other_quote["id"])["speaker"] is None
    assert {(r["kind"], r["id"]) for r in d["rejected"]} == {
        ("event", event["id"]), ("claim", claim["id"]), ("quote", before["quotes"][2]["id"])}
    a = next(x for x in d["articles"] if x["id"] == article)
    assert (a["published"]["earliest"], a["published"]["latest"]) == ("2017-09-01", "2017-09-30")
    listed = client.get("/api/corrections").json()
    assert listed["total"] == 8 and {c["by"] for c in listed["items"]} == {"web"}
    assert client.get("/api/corrections", params={"limit": 2, "offset": 7}).json()["items"][0]["id"] == 8
    page = client.get("/corrections").text  # hostile text escaped; an undo button for each
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt; Ankara" in page
    assert "&lt;b&gt;capital&lt;/b&gt;" in page and len(re.findall(r"data-undo=\"\d+\"", page)) == 8
    ent = client.get(f"/entities/{_entity(d, hostile)['id']}").text
    assert "<script>alert(1)" not in ent and "&lt;script&gt;alert(1)&lt;/script&gt; Ankara" in ent
    for c in reversed(listed["items"]):
        assert client.post(f"/api/corrections/{c['id']}/undo", headers=AUTH).status_code == 200
    assert _computed(_dossier(db)) == _computed(before)
    page = client.get("/corrections").text
    assert "data-undo=" not in page and page.count("undone 20") == 8


def test_pages_have_editing_controls_when_editing_is_on(work):
    db, _, _ = work
    d = _dossier(db)
    client = _client(db)
    _correct(client, op="rename-entity", target="NATO", name="the Alliance", why="x")
    pages = _pages(client, d)
    putin = _entity(d, "Vladimir Putin")
    forms = {u: set(re.findall(r'name="op" value="([a-z-]+)"', html)) for u, html in pages.items()}
    assert forms[f"/entities/{putin['id']}"] >= {"rename-entity", "merge-entities", "speaker", "reject"}
    assert forms["/quotes"] == {"speaker", "reject"}
    assert 'name="kind" value="claim"' in pages["/claims"]
    story = pages[f"/stories/{d['stories'][0]['id']}"]
    assert 'name="kind" value="event"' in story
    assert 'data-undo="1"' in pages["/corrections"]
    for url, html in pages.items():
        assert "data-edit-token" in html, url  # the token bar, on every page
        # no inline script or style (CSP): scripts only by src, handlers bound by app.js
        assert not re.search(r"<script(?![^>]*\bsrc=)", html) and not re.search(r"\s(on[a-z]+|style)=", html), url
    assert 'type="password"' in pages["/"] and "Cookie" not in pages["/"]
    # a page a browser kept from the server started without editing is not "not modified" with it, nor back
    url = f"/entities/{putin['id']}"
    plain = _client(db, edit=False).get(url)
    assert client.get(url, headers={"If-None-Match": plain.headers["etag"]}).status_code == 200
    assert _client(db, edit=False).get(url, headers={"If-None-Match": client.get(url).headers["etag"]}).status_code == 200
    assert _client(db, edit=False).get(url, headers={"If-None-Match": plain.headers["etag"]}).status_code == 304


def test_the_corrections_list_is_paged_by_the_store(work):
    """GET /api/corrections pages oldest first and /corrections the latest first, both read a page at a time."""
    db, _, _ = work
    client = _client(db)
    for i in range(23):
        _correct(client, op="rename-entity", target="NATO" if i == 0 else f"The Alliance {i - 1}",
                 name=f"The Alliance {i}", why=f"step {i}")
    page = client.get("/api/corrections", params={"limit": 10, "offset": 20}).json()
    assert page["total"] == 23 and [c["id"] for c in page["items"]] == [21, 22, 23]
    html = client.get("/corrections").text
    assert re.findall(r'data-correction="(\d+)"', html) == [str(i) for i in range(23, 3, -1)]
    assert "1–20 of 23" in html and 'href="?offset=20"' in html
    rest = client.get("/corrections", params={"offset": 20}).text
    assert re.findall(r'data-correction="(\d+)"', rest) == ["3", "2", "1"]
    with Store(db) as store:
        assert store.corrections_page(5, 0, latest_first=True)[1] == list(reversed(store.corrections()))[:5]
