"""One search grammar in every door: the parser and its two translations, and the same hits (or the same
one-line error) from the CLI, the API and the pages, on SQLite and PostgreSQL, over a tiny corpus made here
whose coded names (S-400, F-35, HQ-9, G20) sit beside the numbers that used to match them (400 miles)."""

from __future__ import annotations

import json
import re
import socket
import warnings

import pytest
from typer.testing import CliRunner

from storyline import pipeline
from storyline.cli import app
from storyline.store import QueryError, Store
from storyline.store.fulltext import And, Not, Or, Term, fts5, parse, tsquery

pytest.importorskip("fastapi")
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from storyline.web import create_app  # noqa: E402

runner = CliRunner()

# each article's key: the words a test names it by
CORPUS = {
    "s400": {"title": "Turkey takes delivery of the S-400 system", "outlet": "Harbour Post", "published": "2019-07-12",
             "text": "Turkey took delivery of the first S-400 batteries on Friday, the defence ministry said.\n\n"
                     "A deposit had been paid in 2017, officials in Ankara said. NATO allies protested."},
    "miles": {"title": "Convoy crosses the border", "outlet": "Valley Times", "published": "2019-07-13",
              "text": "The convoy drove 400 miles through the night before it reached the border crossing.\n\n"
                      "Each truck carried goods worth $400,000, the S company that owns them said."},
    "jets": {"title": "Ankara loses its place in the F-35 programme", "outlet": "Harbour Post", "published": "2020-01-05",
             "text": "Washington removed Turkey from the F-35 programme after the missile purchase.\n\n"
                     "China offered its HQ-9 system instead, diplomats told reporters before the G20 summit."},
    "hostile": {"title": "Evil [bold]markup[/bold] \x1b[2J title", "outlet": "<b>Bad</b> Outlet", "published": "2021-03-01",
                "text": "A path like C:\\S-400 must not undo the terminal's markup.\n\n"
                        "The [red]second[/red] paragraph says nothing of note."},
}


# --- the grammar ----------------------------------------------------------------------------------
@pytest.mark.parametrize("query, tree", [
    ("S-400", Term("S-400")),
    ('"S-400" AND deposit', And((Term("S-400"), Term("deposit")))),
    ("Trump OR Biden", Or((Term("Trump"), Term("Biden")))),
    ("a b -c", And((Term("a"), Term("b"), Not(Term("c"))))),
    ("a NOT (b OR c)", And((Term("a"), Not(Or((Term("b"), Term("c"))))))),
    ("negotiat*", Term("negotiat", prefix=True)),
    ('title:"port strike"*', Term("port strike", prefix=True, field="title")),
    ("(a OR b) c", And((Or((Term("a"), Term("b"))), Term("c")))),
    ("a or b", And((Term("a"), Term("or"), Term("b")))),  # operators only in capitals
    ("Trump & Biden", And((Term("Trump"), Term("Biden")))),  # a word with no letter or digit is left out
    ("10:30 nosuch:col", And((Term("10:30"), Term("nosuch:col")))),  # not a column: a word as written
])
def test_parse(query, tree):
    assert parse(query) == tree


def test_translations():
    cases = {
        "S-400": ('"S-400"', "'S-400'"),
        '"S-400" AND deposit': ('"S-400" AND "deposit"', "'S-400' & 'deposit'"),
        "a OR b c": ('"a" OR ("b" AND "c")', "'a' | ( 'b' & 'c' )"),
        "a b -c": ('("a" AND "b") NOT "c"', "'a' & 'b' & !'c'"),
        "a -b -c": ('("a") NOT ("b" OR "c")', "'a' & !'b' & !'c'"),
        '"port stri"*': ('"port stri" *', "( 'port' <-> 'stri':* )"),
        "title:port": ('title : "port"', "'port':A"),
        'text:"two words"': ('text : "two words"', "( 'two':B <-> 'words':B )"),
        "it's": ('"it\'s"', "'it''s'"),
        'a\\b': ('"a\\b"', "'a\\\\b'"),
        '"Trump & Biden"': ('"Trump & Biden"', "( 'Trump' <-> 'Biden' )"),  # a gap would be <2> in PostgreSQL
    }
    for query, (want_fts5, want_tsquery) in cases.items():
        tree = parse(query)
        assert fts5(tree) == want_fts5, query
        assert tsquery(tree) == want_tsquery, query


@pytest.mark.parametrize("query, problem", [
    ("", "nothing to search for"),
    ("  & - ", "nothing to search for"),
    ('"S-400 AND deposit', "quote is not closed"),
    ('""', "empty phrase"),
    ("(S-400 OR F-35", "parenthesis is not closed"),
    ("S-400)", "')' has no '('"),
    ("()", "empty parentheses"),
    ("Trump OR", "OR needs a word after it"),
    ("OR Trump", "OR needs a word before it"),
    ("a AND", "AND needs a word after it"),
    ("a OR OR b", "OR needs a word after it"),
    ("-NATO", "only exclude"),
    ("NOT NATO", "only exclude"),
    ("a OR -b", "only exclude"),
    ("a NOT", "NOT needs a word after it"),
    ("title:", "title: needs a word"),
    ("title:(a OR b)", "not to parentheses"),
    ("(" * 40 + "a" + ")" * 40, "nested too deep"),
    (" ".join(["w"] * 201), "too many words"),
])
def test_bad_queries_name_the_problem(query, problem):
    with pytest.raises(QueryError) as e:
        parse(query)
    assert problem in str(e.value)
    assert "\n" not in str(e.value)


# --- the doors, on a tiny corpus -------------------------------------------------------------------------
@pytest.fixture(scope="module")
def built(tmp_path_factory, databases) -> tuple[str, dict[str, str]]:
    """The corpus built into a new database on the backend under test: (db, key → article id)."""
    folder = tmp_path_factory.mktemp("search")
    src = folder / "corpus.jsonl"
    src.write_text("".join(json.dumps(a) + "\n" for a in CORPUS.values()), encoding="utf-8")
    db = databases.new("search")
    with Store(db) as s:
        pipeline.build([src], s)
        by_title = {a.title: a.id for a in s.articles()}
    return db, {k: by_title[a["title"]] for k, a in CORPUS.items()}


@pytest.fixture(scope="module")
def client(built) -> TestClient:
    return TestClient(create_app(built[0]))


def cli(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


def cli_hits(db: str, q: str) -> list[str]:
    r = cli("search", q, "--db", db, "--json", "--limit", "50")
    assert r.exit_code == 0, r.output
    return [json.loads(line)["article_id"] for line in r.stdout.splitlines()]


def api_hits(client: TestClient, q: str) -> list[str]:
    r = client.get("/api/search", params={"q": q, "limit": 50})
    assert r.status_code == 200, r.text
    return [h["article_id"] for h in r.json()["items"]]


def page_hits(client: TestClient, q: str) -> list[str]:
    r = client.get("/", params={"q": q})
    assert r.status_code == 200, r.text
    listed = r.text.split('<ol class="article-list"', 1)[1].split("</ol>", 1)[0]
    return re.findall(r'<a class="title" href="/articles/([^"]+)"', listed)


@pytest.mark.parametrize("query, found", [
    ("S-400", {"s400", "hostile"}),
    ('"S-400" AND deposit', {"s400"}),
    ("S-400 -deposit", {"hostile"}),
    ("F-35", {"jets"}),
    ("HQ-9", {"jets"}),
    ("G20", {"jets"}),
    ('"400 miles"', {"miles"}),
    ("$400,000", {"miles"}),
    ("F-35 OR deposit", {"jets", "s400"}),
    ("title:S-400", {"s400"}),
    ("deliv*", {"s400"}),
    ("(convoy OR missile) -NATO", {"miles", "jets"}),
])
def test_same_hits_in_every_door(built, client, query, found):
    db, ids = built
    want = {ids[k] for k in found}
    with Store(db) as s:
        store_hits = [h["id"] for h in s.search(query, 50)[1]]
    assert set(store_hits) == want
    assert cli_hits(db, query) == api_hits(client, query) == page_hits(client, query) == store_hits


@pytest.mark.parametrize("query, problem", [
    ("Trump OR", "OR needs a word after it"),
    ('"S-400 AND deposit', "quote is not closed"),
    ("(S-400", "parenthesis is not closed"),
    ("-S-400", "only exclude"),
])
def test_a_bad_query_is_one_line_in_every_door(built, client, query, problem):
    db, _ = built
    r = cli("search", "--db", db, "--", query)  # "--": a query may start with "-"
    assert r.exit_code == 2 and r.stdout == ""
    assert r.stderr.strip().splitlines() == [f"error: search {query!r}: " + r.stderr.split(": ", 2)[2].strip()]
    assert problem in r.stderr and "Traceback" not in r.stderr
    api = client.get("/api/search", params={"q": query})
    assert api.status_code == 422
    (detail,) = api.json()["detail"]
    assert detail["loc"] == ["query", "q"] and problem in detail["msg"]
    page = client.get("/", params={"q": query})
    assert page.status_code == 422 and problem in page.text
    assert 'class="query-error"' in page.text


def test_hits_carry_title_date_outlet_story(built, client):
    db, ids = built
    (hit,) = client.get("/api/search", params={"q": '"S-400" deposit'}).json()["items"]
    assert hit["title"] == CORPUS["s400"]["title"] and hit["outlet"] == "Harbour Post"
    assert hit["published"]["date"] == "2019-07-12"
    with Store(db) as s:
        story_id = s.article(ids["s400"]).story_id
        story = s.story(story_id) if story_id else None
    assert hit["story"] == ({"id": story_id, "title": story["title"]} if story_id else None)
    assert hit["snippet"][slice(*hit["highlights"][0])] in ("S-400", "deposit")
    r = cli("search", '"S-400" deposit', "--db", db)
    assert r.exit_code == 0
    text = " ".join(r.stdout.split())
    for shown in (CORPUS["s400"]["title"], "12 July 2019", "Harbour Post", ids["s400"]):
        assert shown in text, shown
    if story_id:
        assert story_id in text
        page = client.get("/", params={"q": '"S-400" deposit'}).text
        assert f'href="/stories/{story_id}"' in page


def test_hostile_hits_stay_text(built, client):
    db, ids = built
    r = cli("search", "S-400 path", "--db", db)
    assert r.exit_code == 0, r.output
    assert "\x1b" not in r.stdout and "[bold]markup[/bold]" in r.stdout  # shown as written, not obeyed
    assert "C:\\S-400" in r.stdout  # the backslash before a highlight is text, not an escape of the tag
    page = client.get("/", params={"q": "S-400 path"}).text
    assert "<b>Bad</b>" not in page and "&lt;b&gt;Bad&lt;/b&gt; Outlet" in page


# --- the API's parameters ----------------------------------------------------------------------------
@pytest.mark.parametrize("url, field", [
    ("/api/articles?date_from=yesterday", "date_from"),
    ("/api/articles?date_to=2024-02-30", "date_to"),
    ("/api/articles?date_from=\u0662\u0660\u0662\u0664", "date_from"),  # digits, but not ASCII ones
    ("/api/search?q=S-400&date_from=12/07/2019", "date_from"),
    ("/api/entities?type=PERSNO", "type"),
    ("/api/events?type=agreemnt", "type"),
    ("/api/events?class=happening", "class"),
])
def test_bad_api_parameters_are_422_naming_the_field(client, url, field):
    r = client.get(url)
    assert r.status_code == 422, (url, r.status_code)
    (detail,) = r.json()["detail"]
    assert detail["loc"] == ["query", field] and detail["msg"]


def test_dates_as_years_and_months(built, client):
    _, ids = built
    def listed(**params):
        return {a["id"] for a in client.get("/api/articles", params={"limit": 50, **params}).json()["items"]}
    assert listed(date_to="2019") == {ids["s400"], ids["miles"]}  # a year takes in its every day
    assert listed(date_from="2020", date_to="2020-01") == {ids["jets"]}
    assert listed(date_from="", date_to="") == set(ids.values())  # an empty form field is no filter
    assert client.get("/api/entities", params={"type": "gpe"}).status_code == 200  # any case, as the CLI takes it
    page = client.get("/", params={"date_from": "yesterday"})
    assert page.status_code == 422 and "date_from" in page.text and "not a date" in page.text


# --- serve -------------------------------------------------------------------------------------------
def test_serve_on_a_busy_port_says_so_before_serving(built):
    db, _ = built
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        r = cli("serve", "--db", db, "--port", str(port))
    assert r.exit_code == 1
    assert "serving" not in r.output
    assert r.stderr.strip().splitlines() == [
        f"error: port {port} is in use on 127.0.0.1: stop what listens there, or pass --port with another"]
