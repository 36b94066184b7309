"""The HTTP API and the pages (storyline.web) over a tiny invented corpus whose text is hostile:
everything rendered must come back escaped, JSON must carry the raw strings, and the server
must keep to its limits (pagination, ETags, 404s, path traversal, CORS, ingest behind a token)."""

from __future__ import annotations

import json
import warnings
from html.parser import HTMLParser
from pathlib import Path

import pytest

pytest.importorskip("fastapi")
with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette's note about httpx vs httpx2
    from fastapi.testclient import TestClient

from storyline import pipeline
from storyline.model import Claim, ClaimValue, Event, EventMention, Story, Trigger
from storyline.store import Store
from storyline.web import create_app, queries
from storyline.web.render import Mark, insertion_points, marked_text

EVIL_TITLE = "Harbour <script>alert(1)</script> strike <img src=x onerror=alert(1)>"
EVIL_OUTLET = "<script>alert('outlet')</script>Daily"
EVIL_ENTITY = "<b onmouseover=alert(4)>Evil</b> Corp"
ARTICLES = [
    {"title": EVIL_TITLE, "outlet": EVIL_OUTLET, "url": "javascript:alert(1)", "published": "2024-03-05",
     "authors": ["<b>Eve</b> Writer"],
     "text": "Dockworkers at <b>Caldera Bay</b> walked out on Monday, the <script>alert(1)</script> union said.\n\n"
             "“We will not go back <img src=x onerror=alert(1)> until the offer improves,” said union secretary "
             "Ines <b>Halloran</b> on Tuesday.\n\n"
             "Mayor Jane Doe said the port would reopen by March 12, 2024, according to "
             "<i onmouseover=alert(3)>officials</i>.\n\n"
             "The strike has cost exporters 14 million euros a day, the chamber of commerce said on Wednesday."},
    {"title": "Talks resume in the Caldera Bay strike", "outlet": "Harbour Post", "published": "2024-03-06",
     "url": "https://example.org/a?x=1&y=<2>",
     "text": "Ines Halloran said on Wednesday that talks with Meridian Terminals would resume in Caldera Bay.\n\n"
             "“This is a first step,” Halloran told reporters. The company said it welcomed the return to talks.\n\n"
             "Officials in Caldera Bay said the port would reopen next week."},
]


def make_hostile(path: str, folder: Path) -> str:
    """The hostile corpus built into the (empty) database at `path`."""
    src = folder / "hostile.jsonl"
    src.write_text("".join(json.dumps(a) + "\n" for a in ARTICLES), encoding="utf-8")
    with Store(path) as s:
        pipeline.build([src], s)
        # an entity whose name and alias are markup, with a mention in the first article
        first = next(s.articles())
        ents = s.entities()
        ents.append({"id": "e-evil", "name": EVIL_ENTITY, "type": "ORG", "aliases": ["<script>alert(5)</script>"],
                     "roles": [], "mentions": [{"article_id": first.id, "span": [0, 11], "text": first.text[0:11]}]})
        s.set_entities(ents, s.quotes())
    return path


@pytest.fixture(scope="module")
def db(tmp_path_factory, databases) -> str:
    return make_hostile(databases.new("hostile"), tmp_path_factory.mktemp("hostile"))


@pytest.fixture(scope="module")
def client(db) -> TestClient:
    return TestClient(create_app(db))


@pytest.fixture(scope="module")
def ids(db) -> list[str]:
    with Store(db) as s:
        return [a.id for a in s.articles()]


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def assert_safe_html(html: str) -> None:
    """No markup from the articles became markup: no script but ours, no event-handler attributes,
    none of the tags the hostile text holds, no javascript: links."""
    assert "<script>alert" not in html and "<img" not in html and "<b>" not in html and "<i " not in html
    p = _Tags()
    p.feed(html)
    for tag, attrs in p.tags:
        assert tag not in ("img", "b", "i", "iframe", "object"), (tag, attrs)
        if tag == "script":
            assert attrs.get("src") == "/static/app.js", attrs
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, attrs)
            if name in ("href", "src", "action"):
                assert not (value or "").strip().lower().startswith("javascript:"), (tag, attrs)


# --- hostile text ---------------------------------------------------------------------------------
def test_every_page_escapes_hostile_text(client, ids):
    pages = ["/", "/?q=strike", "/?q=alert", "/?entity=e-evil", "/?outlet=" + EVIL_OUTLET,
             "/?q=<script>alert(9)</script>", "/articles/<script>alert(1)</script>", "/nope<script>alert(1)</script>",
             "/entities", "/entities?q=<script>alert(9)</script>", "/entities/e-evil", "/entities/<script>alert(1)</script>",
             "/quotes", "/quotes?speaker=<script>alert(9)</script>", "/claims", "/claims?story=<script>alert(9)</script>"]
    pages += [f"/articles/{i}" for i in ids] + [f"/articles/{ids[0]}?hl=0-20"]
    for url in pages:
        r = client.get(url)
        assert r.status_code in (200, 404), url
        assert r.headers["content-type"].startswith("text/html")
        assert_safe_html(r.text)
    first = client.get(f"/articles/{ids[0]}").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in first          # shown as text, escaped
    assert "&lt;b onmouseover=alert(4)&gt;Evil&lt;/b&gt; Corp" in first  # the entity's name
    assert 'href="javascript:' not in first


def test_api_returns_raw_strings_as_json_data(client, ids):
    a = client.get(f"/api/articles/{ids[0]}").json()
    assert a["title"] == EVIL_TITLE and a["outlet"] == EVIL_OUTLET
    assert "<img src=x onerror=alert(1)>" in a["text"]
    names = {e["name"] for e in client.get("/api/entities?limit=100").json()["items"]}
    assert EVIL_ENTITY in names
    speakers = {(q.get("speaker") or {}).get("name") for q in client.get("/api/quotes?limit=100").json()["items"]}
    assert any("<script>" in (s or "") for s in speakers)
    hit = client.get("/api/search", params={"q": "alert"}).json()["items"][0]
    assert hit["article_id"] == ids[0]
    for r in (client.get(f"/api/articles/{ids[0]}"), client.get("/api/search?q=alert")):
        assert r.headers["content-type"] == "application/json"


def _mention(article_id: str, end: int, text: str, trigger: tuple[int, int] = (0, 1), word: str = "x") -> EventMention:
    """An event's mention: the sentence [0, end) of the article, its trigger."""
    return EventMention(article_id, (0, end), text, (0, end), Trigger(trigger, word))


def test_story_page_escapes_hostile_story_data(ids, tmp_path, new_db):
    """A story whose title, events and claims carry markup: stored (in a database of its own, in place
    of the stories the build made), then drawn safely and paged."""
    db = make_hostile(new_db("story"), tmp_path)
    story = Story("s-1", 0, "<script>alert('story')</script>")
    events = [Event("v-1", "s-1", "strike<img src=x onerror=alert(1)>", date="2024-03-04", sort="2024-03-04",
                    summary="<b>walkout</b>", mentions=[_mention(ids[0], 40, "<script>alert(2)</script>", (12, 18), "walked")]),
              Event("v-2", "s-1", "talks", date="2024-03-06", sort="2024-03-06", summary="talks resume",
                    mentions=[_mention(ids[1], 30, "x")]),
              Event("v-3", "s-1", "other", summary="praised", generic=True, mentions=[_mention(ids[1], 5, "y")])]
    claims = [Claim("c-1", "s-1", "<i onmouseover=alert(1)>cost</i>", [], "value", "conflict",
                    [ClaimValue("<script>alert(3)</script>", ids[0], (0, 5), "t")])]
    with Store(db) as s:
        s.set_stories({a: "s-1" for a in ids}, [x["id"] for x in s.stories()] + ["s-1"], [story], events, claims, {})
    c = TestClient(create_app(str(db)))
    for url in ("/", "/stories/s-1"):
        r = c.get(url)
        assert r.status_code == 200
        assert_safe_html(r.text)
    page = c.get("/stories/s-1").text
    assert f'href="/articles/{ids[0]}?hl=0-40#span-0-40"' in page  # an event links to its source span
    assert "status-conflict" in page
    body = c.get("/api/stories/s-1").json()
    assert body["title"] == story.title and [e["id"] for e in body["timeline"]] == ["v-1", "v-2"]
    assert body["claims"][0]["values"][0]["value"] == "<script>alert(3)</script>"
    assert body["timeline_total"] == 2 and body["article_ids"] == ids  # the undated generic v-3 left out
    with Store(db) as s:
        assert [e["id"] for e in s.events("s-1")] == ["v-1", "v-2", "v-3"]
    paged = c.get("/api/stories/s-1?limit=1&offset=1").json()
    assert [e["id"] for e in paged["timeline"]] == ["v-2"] and paged["timeline_total"] == 2
    page = c.get("/api/stories/s-1/events?limit=1").json()
    assert page["total"] == 2 and [e["id"] for e in page["items"]] == ["v-1"]
    assert c.get("/api/stories").json()["total"] == 1
    assert c.get("/stories/s-404").status_code == 404
    assert c.get("/api/stories/s-404/events").status_code == 404


def test_pages_show_dates_in_words_and_keep_the_timex_value(ids, tmp_path, new_db):
    """Event dates, time expressions and publication dates read as words on the pages; the TIMEX3 value
    stays in data-value and in the JSON; a publication known only by a bound never reads as a day."""
    from storyline.web.app import _when

    db = make_hostile(new_db("words"), tmp_path)
    events = [Event(f"v-{i}", "s-1", "other", date=d, sort=d, summary=f"event {i}", mentions=[_mention(ids[0], 5, "x")])
              for i, d in enumerate(["196", "2017-FA", "2024-03-04"])]
    with Store(db) as s:
        s.set_stories({a: "s-1" for a in ids}, [x["id"] for x in s.stories()] + ["s-1"], [Story("s-1", 0, "Dates")],
                      events, [], {})
    c = TestClient(create_app(str(db)))
    page = c.get("/stories/s-1").text
    for words, value in (("the 1960s", "196"), ("fall 2017", "2017-FA"), ("4 March 2024", "2024-03-04")):
        assert f'data-value="{value}">{words}</div>' in page
        assert f">{value}<" not in page
    assert [e["date"] for e in c.get("/api/stories/s-1").json()["timeline"]] == ["196", "2017-FA", "2024-03-04"]
    article = c.get(f"/articles/{ids[0]}").text
    assert "5 March 2024" in article  # published
    assert 'data-value="2024-03-04">4 March 2024</span>' in article  # "on Monday", in the list of time expressions
    assert _when({"earliest": "2019-07-12"}) == "on or after 12 July 2019"
    assert _when({"earliest": "2017-04-16", "latest": "2017-05-03"}) == "16 April – 3 May 2017"
    assert _when({"latest": "2019-07-12"}) == "on or before 12 July 2019" and _when(None) == ""


# --- marking the text -------------------------------------------------------------------------------
def test_marks_nest_and_cross_correctly():
    text = "<b>Ann</b> said on Monday that it is over."
    marks = [Mark(0, 10, "entity", href="/?entity=e-1"), Mark(15, 25, "quote", {"data-speaker": "<x>"}),
             Mark(18, 24, "timex", {"data-value": "2024-03-04"}), Mark(20, 30, "entity", href="/?entity=e-2")]
    html = str(marked_text(text, marks))
    assert "&lt;b&gt;Ann&lt;/b&gt;" in html and 'data-speaker="&lt;x&gt;"' in html
    p = _Tags()
    p.feed(html)
    assert [t for t, _ in p.tags].count("a") + [t for t, _ in p.tags].count("mark") >= 5  # the crossing one split
    ids_ = [a.get("id") for _, a in p.tags if a.get("id")]
    assert ids_ == ["span-0-10", "span-15-25", "span-18-24", "span-20-30"]
    # tags balance: the output parses back to the text
    stripped = HTMLParser()
    out: list[str] = []
    stripped.handle_data = out.append  # type: ignore[method-assign]
    stripped.feed(html)
    assert "".join(out) == text


def test_removed_pieces_go_back_where_they_were():
    # document: "TITLE\n\nBody one.\n\nAD\n\nBody two." → text "Body one.\n\nBody two."
    text_map = [[0, 7, 9], [11, 22, 9]]
    removed = [{"text": "TITLE", "reason": "title", "span": [0, 5]}, {"text": "AD", "reason": "advertisement", "span": [18, 20]}]
    points = insertion_points(text_map, removed, 20)
    assert [p for p, _ in points] == [0, 11]
    html = str(marked_text("Body one.\n\nBody two.", [], points))
    assert html.index("TITLE") < html.index("Body one") < html.index("AD") < html.index("Body two")


# --- the API's contract -------------------------------------------------------------------------------
def test_pagination_and_limits(client):
    whole = client.get("/api/entities?limit=100").json()
    assert whole["total"] == len(whole["items"]) >= 4
    a = client.get("/api/entities?limit=2&offset=0").json()
    b = client.get("/api/entities?limit=2&offset=2").json()
    assert a["total"] == b["total"] == whole["total"]
    assert [e["id"] for e in a["items"] + b["items"]] == [e["id"] for e in whole["items"][:4]]
    for bad in ("limit=0", "limit=101", "offset=-1", "limit=x"):
        assert client.get(f"/api/entities?{bad}").status_code == 422
    arts = client.get("/api/articles?limit=1").json()
    assert arts["total"] == 2 and len(arts["items"]) == 1
    stories = client.get("/api/stories").json()
    # a harbour strike and the talks to end it: one story (the union, the port and the strike's words in both)
    assert stories["total"] == 1 and len(stories["items"]) == 1
    assert client.get("/api/stories?limit=1&offset=0").json()["items"] == stories["items"]
    past = client.get("/api/stories?limit=1&offset=1").json()
    assert past["total"] == 1 and past["items"] == []


def test_unknown_ids_are_404(client):
    for url in ("/api/articles/a-nope", "/api/entities/e-nope", "/api/stories/s-nope", "/articles/a-nope",
                "/stories/s-nope", "/api/nothing"):
        assert client.get(url).status_code == 404, url


def test_article_bundle_has_text_layers_and_removed(client, ids):
    a = client.get(f"/api/articles/{ids[1]}").json()
    for key in ("text", "removed", "timexes", "mentions", "quotes", "published", "source_span", "text_map"):
        assert key in a
    assert any(m["entity_id"] for m in a["mentions"])
    assert all(a["text"][q["span"][0]:q["span"][1]] == q["text"] for q in a["quotes"])
    page = client.get(f"/articles/{ids[1]}").text
    for m in a["mentions"][:3]:
        assert f'id="span-{m["span"][0]}-{m["span"][1]}"' in page


def test_search_filters(client, ids):
    def hits(**params):
        return [h["article_id"] for h in client.get("/api/search", params=params).json()["items"]]

    assert set(hits(q="Halloran")) == set(ids)
    assert hits(q="Halloran", outlet="Harbour Post") == [ids[1]]
    assert hits(q="Halloran", date_from="2024-03-06") == [ids[1]]
    assert hits(q="Halloran", date_to="2024-03-05") == [ids[0]]
    assert hits(q="Halloran", entity="e-evil") == [ids[0]]
    assert hits(q="Halloran", story="s-none") == []
    h = client.get("/api/search", params={"q": "Meridian"}).json()["items"][0]
    s, e = h["highlights"][0]
    assert h["snippet"][s:e] == "Meridian"
    # not in the search grammar: a 422 in FastAPI's shape saying what is wrong (tests/test_search.py has the rest)
    bad = client.get("/api/search", params={"q": 'Halloran"('})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["query", "q"]
    assert "quote is not closed" in bad.json()["detail"][0]["msg"]
    assert client.get("/api/search").status_code == 422
    assert client.get("/api/quotes", params={"speaker": "halloran"}).json()["total"] >= 2


def test_etag_and_304(client, ids):
    for url in ("/", f"/articles/{ids[0]}", f"/api/articles/{ids[0]}", "/api/search?q=strike"):
        r = client.get(url)
        tag = r.headers["etag"]
        again = client.get(url, headers={"If-None-Match": tag})
        assert again.status_code == 304 and again.content == b""
        assert client.get(url, headers={"If-None-Match": '"other"'}).status_code == 200
    assert client.get("/api/articles").headers["etag"] != client.get("/api/articles?limit=1").headers["etag"]
    head = client.head("/api/articles")
    assert head.status_code == 200 and head.content == b"" and head.headers["etag"] == client.get("/api/articles").headers["etag"]


def test_first_request_on_a_fresh_database_keeps_its_etag(new_db):
    # a reader's connection creates an empty write-ahead log: that is no change of the data
    db = new_db("fresh")
    with Store(db) as s:
        pipeline.build([Path(__file__).parent.parent / "examples" / "corpus" / "caldera_port_strike.txt"], s)
    c = TestClient(create_app(db))
    tag = c.get("/api/articles").headers["etag"]
    assert c.get("/api/articles", headers={"If-None-Match": tag}).status_code == 304


# --- safety -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("path", [
    "/static/../../etc/passwd", "/static/..%2f..%2fetc%2fpasswd", "/static/%2e%2e/%2e%2e/etc/passwd",
    "/static/..%5c..%5cetc%5cpasswd", "/static//etc/passwd", "/static/%2fetc%2fpasswd", "/static/....//....//etc/passwd",
])
def test_no_path_traversal(client, path):
    r = client.get(path)
    assert r.status_code == 404
    assert "root:" not in r.text


def test_static_and_docs_served_locally(client):
    assert client.get("/static/style.css").status_code == 200
    docs = client.get("/docs").text
    assert "/static-docs/swagger-ui-bundle.js" in docs and "cdn." not in docs and "//unpkg" not in docs
    assert client.get("/static-docs/swagger-ui-bundle.js").status_code == 200
    assert client.get("/openapi.json").json()["paths"]["/api/search"]


def test_cors_off_by_default_and_headers(client, db):
    r = client.get("/api/articles", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in r.headers
    pre = client.options("/api/articles", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"})
    assert "access-control-allow-origin" not in pre.headers
    page = client.get("/")
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["x-content-type-options"] == "nosniff"
    open_ = TestClient(create_app(db, cors_origins=["https://ok.example"]))
    assert open_.get("/api/articles", headers={"Origin": "https://ok.example"}).headers[
        "access-control-allow-origin"] == "https://ok.example"


def test_loopback_names_only_when_asked(db):
    c = TestClient(create_app(db, allowed_hosts=["127.0.0.1", "localhost"]), base_url="http://127.0.0.1:8000")
    assert c.get("/api/articles").status_code == 200
    assert c.get("/api/articles", headers={"Host": "rebound.evil.example"}).status_code == 400


def test_ingest_off_by_default(client, db, new_db):
    assert client.post("/api/ingest", json={"articles": [{"text": "x"}]}).status_code in (404, 405)
    with pytest.raises(ValueError):
        create_app(db, allow_ingest=True, token=None)
    with pytest.raises(FileNotFoundError):
        create_app(new_db("missing"))


def test_ingest_needs_token_and_enforces_limits(new_db):
    db = new_db("ingest")
    Store(db).close()
    token = "t0ken-for-the-tests-only"
    c = TestClient(create_app(db, allow_ingest=True, token=token, max_upload_mb=0.01))
    body = {"articles": [{"title": "Tram line approved", "published": "2024-05-02", "outlet": "City Desk",
                          "text": "The city council approved a new tram line on Monday after a two-year debate.\n\n"
                                  "The line will open in 2027, officials said."}]}
    assert c.post("/api/ingest", json=body).status_code == 401
    assert c.post("/api/ingest", json=body, headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert c.post("/api/ingest", json=body, headers={"Authorization": token}).status_code == 401
    auth = {"Authorization": f"Bearer {token}"}
    big = {"articles": [{"text": "word " * 5000}]}
    assert c.post("/api/ingest", json=big, headers=auth).status_code == 413
    assert c.post("/api/ingest", content=b"hello", headers={**auth, "Content-Type": "text/plain"}).status_code == 415
    assert c.post("/api/ingest", content=b"{bad", headers={**auth, "Content-Type": "application/json"}).status_code == 400
    before = c.get("/api/articles").headers["etag"]
    r = c.post("/api/ingest", json=body, headers=auth)
    assert r.status_code == 200, r.text
    assert r.json()["added_articles"] == 1
    assert c.get("/api/articles").json()["total"] == 1
    assert c.get("/api/articles").headers["etag"] != before
    # a file whose name tries to leave the upload folder lands inside it, under a plain name
    files = {"files": ("../../../tmp/evil name.txt", b"Bridge reopens\n\nThe old bridge reopened on Friday "
                                                        b"after repairs that took two years, the mayor said.\n")}
    r = c.post("/api/ingest", files=files, headers=auth)
    assert r.status_code == 200, r.text
    assert r.json()["files"] == ["evil_name.txt"] and r.json()["added_articles"] == 1
    with Store(db) as s:
        assert {d.source for d in s.documents()} >= {"upload/evil_name.txt"}


def test_serve_refuses_ingest_without_a_token(db, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from storyline.cli import app

    monkeypatch.delenv("STORYLINE_TOKEN", raising=False)
    r = CliRunner().invoke(app, ["serve", "--db", db, "--allow-ingest"])
    assert r.exit_code == 1 and "token" in r.output
    empty = tmp_path / "token"
    empty.write_text("\n")
    r = CliRunner().invoke(app, ["serve", "--db", db, "--allow-ingest", "--token-file", str(empty)])
    assert r.exit_code == 1 and "token" in r.output


def test_response_cache_serves_repeats_and_retires_on_new_data(tmp_path, new_db):
    """A repeated GET comes from the cache (same bytes, same ETag); a change to the data gives a new answer."""
    path = make_hostile(new_db("cache"), tmp_path)
    c = TestClient(create_app(path, cache_mb=8))
    first = c.get("/api/stories")
    again = c.get("/api/stories")
    assert again.content == first.content and again.headers["etag"] == first.headers["etag"]
    assert again.headers["content-security-policy"] == first.headers["content-security-policy"]
    head = c.head("/api/stories")
    assert head.status_code == 200 and head.content == b"" and c.get("/api/stories").content == first.content
    with Store(path) as s:
        st = s.stories()[0]
        s.set_stories({}, [st["id"]], [Story.from_json({**st, "title": "renamed story"})],
                      [Event.from_json(e) for e in s.events(st["id"])], [Claim.from_json(x) for x in s.claims(st["id"])], {})
    fresh = c.get("/api/stories")
    assert fresh.headers["etag"] != first.headers["etag"]
    assert "renamed story" in fresh.text and "renamed story" not in first.text


def test_removed_control_characters_are_written_out_on_the_article_page(tmp_path, new_db):
    """A bidi override taken out of the text is shown as \\u202e in the removed list and in the
    struck-through pieces, never as the character itself (it would reorder the page)."""
    from storyline import pipeline

    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text("Harbour reopens\n\nThe harbour \u202edistrict\u202c reopened on Monday after "
                               "dredging works \x1b[2J finished, the port authority said.\n")
    db = new_db("controls")
    with Store(db) as s:
        pipeline.build([src], s, annotate=False)
        aid = next(s.articles()).id
    page = TestClient(create_app(db)).get(f"/articles/{aid}").text
    assert "\u202e" not in page and "\u202c" not in page and "\x1b" not in page
    assert "\\u202e" in page and "\\u202c" in page  # (the reader already drops C0 controls such as ESC)


# --- who said what: every speaker, groups as groups ----------------------------------------------
def test_story_page_lists_every_speaker_and_groups_as_groups(seed_db):
    """The story page's 'who said what' names every speaker of the story (the first ones open, the
    rest behind one switch), and "Turkish media" is a group of its own, linked to Turkey as its
    affiliation, never filed under Turkey."""
    import html
    import re

    from storyline.web.app import SPEAKERS_SHOWN

    with Store(seed_db) as s:
        story = next(st for st in s.stories() if "S-400" in st["title"])
        speakers = queries.speakers(s, story["article_ids"], top=None)
        turkey = next(e["id"] for e in s.entities() if e["name"] == "Turkey")
    assert len(speakers) > SPEAKERS_SHOWN  # the switch has something to hold
    page = TestClient(create_app(seed_db)).get(f"/stories/{story['id']}").text
    section = page[page.index('class="quotes-by-speaker"'):]
    section = section[:section.index("</section>")]
    listed = [html.unescape(x).strip() for x in
              re.findall(r'<details class="speaker"[^>]*>\s*<summary>([^<]*)', section)]
    assert sorted(listed) == sorted(name or "unknown speaker" for name, _, _ in speakers)  # each once, none left out
    head, rest = section.split('<details class="more-speakers">', 1)
    assert head.count('<details class="speaker"') == SPEAKERS_SHOWN
    assert re.search(r"\d+ more speakers", rest)
    media = re.search(r"<summary>Turkish media (.*?)</summary>", section, re.S)
    assert media, "Turkish media is not a speaker of its own"
    assert '<span class="speaker-kind">group</span>' in media.group(1)
    assert f'<span class="affiliation">of <a href="/entities/{turkey}">Turkey</a></span>' in media.group(1)
    block = section[media.start():section.index("</details>", media.start())]
    assert "Turkey may decide to use Russian missiles" in block  # its own words under its own name
    for m in re.finditer(r"<summary>Turkey <(.*?)</details>", section, re.S):  # Turkey's own block, if any
        assert "use Russian missiles" not in m.group(1)


# --- key events first, every event behind a switch with filters -----------------------------------
def test_story_page_key_events_first_every_event_behind_a_filtered_switch(seed_db):
    import re

    with Store(seed_db) as s:
        story = next(st for st in s.stories() if "S-400" in st["title"])
        every = s.events_page(-1, 0, story["id"])[1]
    c = TestClient(create_app(seed_db))
    url = f"/stories/{story['id']}"
    page = c.get(url).text
    assert page.index('class="key-events"') < page.index('class="every-event"')
    assert '<details class="every-event">' in page  # closed: the key events come first
    assert f"Every event ({len(every)})" in page

    def listed(text: str) -> list[str]:
        return re.findall(r'<li class="event" id="event-([^"]+)"', text)

    sanctions = c.get(url, params={"type": "sanction"})
    assert sanctions.status_code == 200 and '<details class="every-event" open>' in sanctions.text
    want = [e["id"] for e in every if e["type"] == "sanction"]
    assert want and listed(sanctions.text) == want
    told = c.get(url, params={"dated": "1", "min_sources": "2", "from": "2016", "to": "2021-12"}).text
    ids = listed(told)
    assert ids and len(ids) < len(every)
    by_id = {e["id"]: e for e in every}
    for i in ids:
        e = by_id[i]
        assert e["date"] and len({m["article_id"] for m in e["mentions"]}) >= 2 and "2016" <= e["date"][:4] <= "2021"
    for bad in ({"type": "bogus"}, {"from": "yesterday"}, {"min_sources": "-1"}):
        r = c.get(url, params=bad)
        assert r.status_code == 422, bad
