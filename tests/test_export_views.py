"""The timeline and claim views, the Markdown and HTML dossiers (hostile text kept inert) and their commands."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from storyline.cli import app
from storyline.export.html import render_html
from storyline.export.markdown import md, render_markdown
from storyline.export.views import StoryNotFound, claims_view, date_key, format_date, timeline, via_chain

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"


def fixture_dossier() -> dict:
    """Two stories; events at day, month, season, quarter, year and decade precision and one undated; a
    conflicting claim; quotes with a reporting chain; hostile text in titles, quotes, summaries and values."""
    arts = [
        {"id": "a-111", "title": f"Russia, Turkey sign S-400 deal {SCRIPT}", "outlet": "TASS",
         "published": {"date": "2017-09-12", "earliest": "2017-09-12", "latest": "2017-09-13"}, "story_id": "s-1",
         "url": "https://example.org/a"},
        {"id": "a-222", "title": "# heading | col | injection", "outlet": f"Daily {IMG}",
         "published": {"date": None, "earliest": "2017-12-01", "latest": None}, "story_id": "s-1",
         "url": f'https://example.org/b"><x onerror=alert(1)>{SCRIPT}'},
        {"id": "a-333", "title": "Deliveries begin", "outlet": None, "published": None, "story_id": "s-1",
         "url": "javascript:alert(1)"},
        {"id": "a-444", "title": "Tram line approved", "outlet": "Harbour Times",
         "published": {"date": "2024-03-18"}, "story_id": "s-2"},
    ]
    ents = [
        {"id": "e-erd", "name": "Recep Tayyip Erdogan", "type": "PERSON", "aliases": ["Erdogan", "Recep Erdogan"],
         "mentions": [{"article_id": "a-111", "span": [10, 17], "text": "Erdogan"},
                      {"article_id": "a-222", "span": [3, 10], "text": "Erdogan"}]},
        {"id": "e-pes", "name": "Dmitry Peskov", "type": "PERSON", "aliases": ["Peskov"],
         "mentions": [{"article_id": "a-111", "span": [50, 56], "text": "Peskov"}]},
        {"id": "e-ru", "name": "Russia", "type": "GPE", "aliases": [],
         "mentions": [{"article_id": "a-111", "span": [0, 6], "text": "Russia"}]},
        {"id": "e-vos", "name": "Anna Vos", "type": "PERSON", "aliases": ["Vos"],
         "mentions": [{"article_id": "a-444", "span": [6, 14], "text": "Anna Vos"}]},
    ]
    quotes = [
        {"id": "q-1", "article_id": "a-111", "text": f"Signatures have been made {SCRIPT}", "span": [0, 40],
         "kind": "direct", "speaker": {"name": "Recep Tayyip Erdogan", "entity_id": "e-erd", "type": "PERSON"},
         "via": []},
        {"id": "q-2", "article_id": "a-222", "text": "# the deal | is `done` [link](javascript:x)", "span": [5, 60],
         "kind": "indirect", "speaker": {"name": "Dmitry Peskov", "entity_id": "e-pes"}, "via": ["Izvestiya", "TASS"]},
        {"id": "q-3", "article_id": "a-333", "text": "It will come.", "span": [1, 14], "kind": "partial",
         "speaker": None, "via": None},
    ]

    def ev(id_, date, summary, sources, precision=None, parts=(), quote_ids=(), **kw):
        return {"id": id_, "story_id": kw.get("story", "s-1"), "type": kw.get("type", "agreement"), "date": date,
                "precision": precision, "modality": kw.get("modality", "done"), "summary": summary,
                "participants": [{"role": r, "entity_id": e, "name": n, "type": "PERSON"} for r, e, n in parts],
                "mentions": [{"article_id": a, "span": [100 + i, 150 + i], "text": f"Sentence {i} of {summary}",
                              "trigger": {"span": [105, 111], "text": "signed"}, "date": date}
                             for i, a in enumerate(sources)],
                "sources": list(sources), "quote_ids": list(quote_ids)}

    events = [
        ev("v-undated", None, "Talks were held at some point", ["a-333"]),
        ev("v-fall", "2017-FA", f"Deal signed {IMG}", ["a-111", "a-222"], "season",
           [("agent", "e-erd", "Recep Tayyip Erdogan"), ("partner", "e-ru", "Russia")], ["q-1"]),
        ev("v-day", "2019-07-12", "# First delivery | arrives", ["a-333"], "day", type="delivery", quote_ids=["q-3"]),
        ev("v-month", "2017-09", "Contract talks conclude\x1b]0;pwned\x07\x1b[2J", ["a-111"], "month",
           [("agent", "e-pes", "Dmitry Peskov")]),
        ev("v-q", "2018-Q3", "Payment expected", ["a-222"], "quarter", type="economic", modality="expected"),
        ev("v-decade", "198", "Earlier arms ties", ["a-111"], "decade", type="other"),
        ev("v-tram", "2024-03-18", "Council approves tram line", ["a-444"], "day", [("agent", "e-vos", "Anna Vos")],
           story="s-2", type="vote"),
    ]
    claims = [
        {"id": "c-1", "story_id": "s-1", "subject": "S-400 deal", "attribute": "value", "status": "conflict",
         "values": [{"value": "more than USD 2 billion", "modality": "reported", "date": "2017-09",
                     "article_id": "a-111", "span": [200, 240], "text": "The deal is worth more than USD 2 billion."},
                    {"value": f"$2.5 billion {SCRIPT}", "modality": None, "date": "2017-12-01…",
                     "article_id": "a-222",
                     "span": [300, 330], "text": f"It costs $2.5 billion | {IMG}"}]},
        {"id": "c-2", "story_id": "s-1", "subject": "systems", "attribute": "count", "status": "agree",
         "values": [{"value": "4 batteries", "article_id": "a-111", "span": [1, 2], "text": "four"},
                    {"value": "four batteries", "article_id": "a-333", "span": [3, 4], "text": "four"}]},
        {"id": "c-3", "story_id": "s-2", "subject": "tram line", "attribute": "opening", "status": "single",
         "values": [{"value": "2027", "article_id": "a-444", "span": [5, 9], "text": "by 2027"}]},
    ]
    stories = [
        {"id": "s-1", "title": f"S-400 deal {SCRIPT} | col | ", "article_ids": ["a-111", "a-222", "a-333"],
         "first": "2017-09-12", "last": "2019-07-12"},
        {"id": "s-2", "title": "Lindenport tram line", "article_ids": ["a-444"], "first": None, "last": None},
    ]
    return {"format": "storyline-dossier/1", "documents": [], "articles": arts, "stories": stories, "entities": ents,
            "quotes": quotes, "events": events, "claims": claims}


# --- views ---------------------------------------------------------------------------------------------------
def test_timeline_orders_by_date_with_undated_last():
    d = fixture_dossier()
    ids = [e["id"] for e in timeline(d["events"], d["entities"], story_id="s-1")]
    assert ids == ["v-decade", "v-month", "v-fall", "v-q", "v-day", "v-undated"]
    assert [e["id"] for e in timeline(d["events"], d["entities"], story_id="s-2")] == ["v-tram"]
    assert len(timeline(d["events"], d["entities"])) == 7


@pytest.mark.parametrize("value, precision, want", [
    ("2017-FA", None, "fall 2017"), ("2019-07-12", None, "12 July 2019"), ("2017-09", None, "September 2017"),
    ("2017-Q3", None, "the third quarter of 2017"), ("198", None, "the 1980s"), (None, None, "undated"),
    ("2017", None, "2017"), ("19", None, "the 20th century"), ("2017-W37", None, "week 37 of 2017"),
    ("XXXX-09", None, "September (year not given)"), ("2017-09-12", "month", "September 2017"),
    ("2017-09-12", "year", "2017"), ("2017-10-02", "season", "fall 2017"), ("2018-01-20", "season", "winter 2017–18"),
    ("2017-09-12", "quarter", "the third quarter of 2017"), ("2017-09-12", "decade", "the 2010s"),
    ("2017-SP", "season", "spring 2017"), ("PRESENT_REF", None, "at the time"), ("", None, "undated"),
    # bounds, as a claim's value carries its article's publication: never an exact day
    ("2019-07-12…", None, "on or after 12 July 2019"), ("…2017-05-03", None, "on or before 3 May 2017"),
    ("2017-04-16…2017-05-03", None, "16 April – 3 May 2017"),
])
def test_format_date_at_its_precision(value, precision, want):
    assert format_date(value, precision) == want


def test_date_key_puts_unplaceable_before_undated():
    values = [None, "XXXX-09", "2017-FA", "2017", "2017-09-30"]
    assert sorted(values, key=date_key) == ["2017", "2017-FA", "2017-09-30", "XXXX-09", None]


def test_entity_filter_matches_names_aliases_and_ids():
    d = fixture_dossier()
    for query in ("erdogan", "Recep Tayyip Erdogan", "RECEP ERDOGAN", "e-erd"):
        assert [e["id"] for e in timeline(d["events"], d["entities"], entity=query)] == ["v-fall"], query
    assert [e["id"] for e in timeline(d["events"], d["entities"], story_id="s-1", entity="peskov")] == ["v-month"]
    assert timeline(d["events"], d["entities"], story_id="s-2", entity="erdogan") == []
    assert timeline(d["events"], d["entities"], entity="erdo") == []  # word-wise, not any substring
    assert timeline(d["events"], d["entities"], entity="vos")[0]["id"] == "v-tram"


def test_claims_view_conflicts_first_and_filter():
    d = fixture_dossier()
    assert [c["id"] for c in claims_view(d["claims"])] == ["c-1", "c-2", "c-3"]
    assert [c["id"] for c in claims_view(d["claims"], True)] == ["c-1"]
    assert [c["id"] for c in claims_view(d["claims"], False, story_id="s-2")] == ["c-3"]
    assert claims_view([], True) == []


def test_via_chain():
    d = fixture_dossier()
    assert via_chain(d["quotes"][1]) == "Dmitry Peskov → Izvestiya → TASS"
    assert via_chain(d["quotes"][0]) == "" and via_chain(d["quotes"][2]) == ""


# --- the renderers ----------------------------------------------------------------------------------------------
def _no_raw_markup(text: str) -> None:
    assert "\x1b" not in text and "\x07" not in text
    low = text.lower()
    assert "<script" not in low and "<img" not in low
    assert not re.search(r"<[a-z!/][^>]*onerror\s*=", low)


def test_md_escape_neutralises_blocks_and_inline_markup():
    assert md("# heading") == "\\# heading"
    assert md("| col |") == "\\| col \\|"
    assert md(SCRIPT) == "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert md("[x](javascript:1) `code`") == "\\[x\\](javascript:1) \\`code\\`"
    assert md("line one\n\n# two\r\n- three") == "line one \\# two - three"  # one line: no block can start
    assert md("1. item") == "1\\. item" and md("- item") == "\\- item" and md("> q") == "&gt; q"
    assert md(None) == "" and md("AT&T") == "AT&amp;T"


def test_markdown_dossier_sections_and_provenance():
    d = fixture_dossier()
    text = render_markdown(d)
    _no_raw_markup(text)
    for heading in ("## S-400 deal", "### Timeline", "### Quotes by speaker", "### Claims", "### Entities"):
        assert heading in text
    assert "## Lindenport tram line" in text
    # provenance: article id and span for event sources, quotes and claim values
    for c in ("`a-111:100-150`", "`a-222:101-151`", "`a-111:0-40`", "`a-222:5-60`", "`a-222:300-330`"):
        assert c in text, c
    assert "Dmitry Peskov → Izvestiya → TASS" in text
    assert "**⚠ CONFLICT**" in text
    assert "fall 2017" in text and "the 1980s" in text and "the third quarter of 2018" in text and "undated" in text
    # dates in words; a publication or a claim known only by a bound never reads as a day
    assert "(TASS, 12 September 2017)" in text and "12 July 2019" in text and "September 2017" in text
    assert "on or after 1 December 2017" in text and "2017-12-01" not in text
    assert not re.search(r"\b\d{4}-\d\d\b|\b198\b", text)  # no TIMEX3 value left for a reader
    # the timeline in date order, undated last
    tl = text.split("### Timeline")[1].split("### Quotes")[0]
    order = [tl.index(s) for s in ("Earlier arms ties", "Contract talks", "Deal signed", "Payment expected",
                                   "First delivery", "Talks were held")]
    assert order == sorted(order)
    # hostile text cannot open a heading, a table cell or a link
    assert "\n# heading" not in text and "\\# heading \\| col \\| injection" in text
    assert "[link](javascript:x)" not in text and "\\[link\\](javascript:x)" in text
    for line in text.splitlines():
        if line.startswith("| "):  # every table row keeps its four cells
            assert len(re.findall(r"(?<!\\)\|", line)) == 5, line
    # summary: counts, outlets, date range, main events, most mentioned entities
    assert "3 articles from 2 outlets" in text and "12 September 2017 to 12 July 2019" in text
    assert "Most mentioned: Recep Tayyip Erdogan (2)" in text
    # the sources carry their addresses: a plain one as a link, any other as escaped text, never markup
    sources = text.split("### Sources")[1]
    assert "<https://example.org/a>" in sources
    assert "(https://example.org/b\"&gt;&lt;x onerror=alert(1)&gt;&lt;script&gt;" in sources
    assert "(javascript:alert(1))" in sources and "<javascript:" not in sources


def test_markdown_one_story_by_id_or_title():
    d = fixture_dossier()
    one = render_markdown(d, "s-2")
    assert one.startswith("# Lindenport tram line\n") and "S-400" not in one
    assert render_markdown(d, "TRAM") == one
    with pytest.raises(StoryNotFound, match="s-9"):
        render_markdown(d, "s-9")


def test_html_dossier_is_escaped_self_contained_and_cites():
    d = fixture_dossier()
    page = render_html(d)
    _no_raw_markup(page)
    assert page.startswith("<!DOCTYPE html>") and page.count("<html") == 1 and page.rstrip().endswith("</html>")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "<script" not in page.lower() and "<link" not in page.lower()
    assert not re.search(r"""(?:src|href|action|poster|data)\s*=\s*["']?\s*(?:https?:)?//""", page, re.I)
    assert "@import" not in page and "url(" not in page
    for c in ("a-111:100-150", "a-222:5-60", "a-222:300-330"):
        assert c in page, c
    assert 'class="status-conflict"' in page and "⚠ conflict" in page
    assert "Dmitry Peskov → Izvestiya → TASS" in page
    # the timeline: an ordered list grouped by year, numbered across the years
    tl = page.split("Timeline", 1)[1].split("Quotes by speaker")[0]
    years = re.findall(r'<li class="year"><h4>([^<]+)</h4>', tl)
    assert years == ["the 1980s", "2017", "2018", "2019", "undated"]
    # in words for the reader, the TIMEX3 value kept beside them
    assert '<span class="when" data-value="2017-FA">fall 2017</span>' in tl
    assert "on or after 1 December 2017" in page and ">2017-12-01" not in page
    assert '<ol class="events" start="4">' in tl


def test_renderers_survive_empty_and_missing_fields():
    for d in ({}, {"stories": [], "events": None}, {"stories": [{"id": "s-x"}], "events": [{"id": "v"}],
              "claims": [{"values": [{}]}], "quotes": [{"speaker": None}], "articles": [{"id": "a-1"}],
              "entities": [{"id": "e", "mentions": [{}]}]}):
        assert render_markdown(d).startswith("# ")
        assert render_html(d).startswith("<!DOCTYPE html>")
    assert "No events yet." in render_markdown({})


# --- the commands ----------------------------------------------------------------------------------------------
runner = CliRunner()
CORPUS = Path(__file__).resolve().parent.parent / "examples" / "corpus"


def run(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def corpus_db(databases) -> str:
    db = databases.new("c")
    assert run("build", str(CORPUS), "--db", db).exit_code == 0
    return db


def test_export_md_and_html(corpus_db, tmp_path):
    r = run("export", "--db", corpus_db, "--format", "md")
    assert r.exit_code == 0 and r.stdout.startswith("# ")
    out = tmp_path / "d.html"
    r = run("export", "--db", corpus_db, "--format", "html", "--output", str(out))
    assert r.exit_code == 0 and out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    json.loads(run("export", "--db", corpus_db).stdout)  # json unchanged
    r = run("export", "--db", corpus_db, "--format", "md", "--story", "s-nosuchstory")
    assert r.exit_code == 1 and "s-nosuchstory" in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_format_errors_are_one_line(corpus_db):
    for args in (("export", "--format", "pdf"), ("timeline", "--format", "xml"), ("claims", "--format", "md")):
        r = run(*args, "--db", corpus_db)
        assert r.exit_code == 1 and "--format" in r.stderr and len(r.stderr.strip().splitlines()) == 1, args


def test_timeline_and_claims_commands(corpus_db):
    r = run("timeline", "--db", corpus_db, "--format", "json")
    assert r.exit_code == 0 and isinstance(json.loads(r.stdout)["events"], list)
    r = run("claims", "--db", corpus_db, "--format", "json")
    assert r.exit_code == 0 and isinstance(json.loads(r.stdout)["claims"], list)
    for cmd in ("timeline", "claims"):
        r = run(cmd, "--db", corpus_db)
        assert r.exit_code == 0
        if not json.loads(run(cmd, "--db", corpus_db, "--format", "json").stdout)[cmd.replace("timeline", "events")]:
            assert f"no {cmd.replace('timeline', 'events')} yet" in r.stderr
    r = run("timeline", "--db", corpus_db, "--format", "md")
    assert r.exit_code == 0 and r.stdout.startswith("# ")
    r = run("timeline", "no such story at all", "--db", corpus_db)
    assert r.exit_code == 1 and "no such story at all" in r.stderr and len(r.stderr.strip().splitlines()) == 1


class LayerStore:
    """The store's stories-layer methods, serving the fixture dossier."""

    def __init__(self, d: dict):
        self.d = d

    def close(self) -> None:
        pass

    def stories(self):
        return self.d["stories"]

    def events(self, story_id=None):
        return [e for e in self.d["events"] if story_id is None or e["story_id"] == story_id]

    def claims(self, story_id=None):
        return [c for c in self.d["claims"] if story_id is None or c["story_id"] == story_id]

    def entities(self, type=None, name=None):
        return self.d["entities"]

    def quotes(self, speaker=None, article_ids=None):
        return self.d["quotes"]

    def article_titles(self, ids):
        return {a["id"]: {k: a.get(k) for k in ("title", "outlet", "published")} for a in self.d["articles"]
                if a["id"] in ids}


def test_timeline_and_claims_commands_on_a_dossier_with_events(monkeypatch, corpus_db):
    """With the stories layer filled in: the fixture dossier stands in for the database."""
    import storyline.cli as cli
    import storyline.export.json as jsonmod

    monkeypatch.setattr(jsonmod, "dossier", lambda store: fixture_dossier())
    monkeypatch.setattr(cli, "_open", lambda db, must_exist=True: LayerStore(fixture_dossier()))
    r = run("timeline", "s-1", "--db", corpus_db, "--format", "json")
    assert [e["id"] for e in json.loads(r.stdout)["events"]] == [
        "v-decade", "v-month", "v-fall", "v-q", "v-day", "v-undated"]
    r = run("timeline", "lindenport", "--db", corpus_db, "--format", "json")
    assert [e["id"] for e in json.loads(r.stdout)["events"]] == ["v-tram"]
    r = run("timeline", "--entity", "erdogan", "--db", corpus_db, "--format", "json")
    assert [e["id"] for e in json.loads(r.stdout)["events"]] == ["v-fall"]
    r = run("timeline", "s-1", "--db", corpus_db)  # the key events only: placed in time, told best
    assert r.exit_code == 0 and "key events of 6" in r.stderr and "--all" in r.stderr
    assert "fall 2017" in r.stdout and "undated" not in r.stdout
    r = run("timeline", "s-1", "--db", corpus_db, "--all", "--dated", "--from", "2017", "--to", "2017")
    assert "fall 2017" in r.stdout and "the 1980s" not in r.stdout and "undated" not in r.stdout
    r = run("timeline", "s-1", "--db", corpus_db, "--all")
    assert r.exit_code == 0 and "fall 2017" in r.stdout and "a-111:100-150" in r.stdout
    assert "(TASS, 12 September 2017)" in r.stdout and "2017-09-12" not in r.stdout
    assert "Dmitry Peskov → Izvestiya → TASS" not in r.stdout and "Signatures have been made" in r.stdout
    assert "\x1b" not in r.stdout and "Contract talks conclude" in r.stdout  # no terminal escapes from the text
    assert r.stdout.index("the 1980s") < r.stdout.index("fall 2017") < r.stdout.index("undated")
    r = run("timeline", "s-1", "--entity", "Nobody Atall", "--db", corpus_db)
    assert r.exit_code == 0 and "no events" in r.stderr
    r = run("timeline", "de", "--db", corpus_db)  # matches both titles
    assert r.exit_code == 1 and "2 stories" in r.stderr
    r = run("claims", "--conflicts", "--db", corpus_db, "--format", "json")
    assert [c["id"] for c in json.loads(r.stdout)["claims"]] == ["c-1"]
    r = run("claims", "s-1", "--db", corpus_db)
    assert r.exit_code == 0 and "conflict" in r.stdout and "a-222:300-330" in r.stdout
    # each value's date in words: the article's bound reads as one ("on or after …"), not as a day
    assert "(reported, September 2017)" in r.stdout and "(on or after 1 December 2017)" in r.stdout
    assert "2017-12-01" not in r.stdout
    r = run("export", "--db", corpus_db, "--format", "md", "--story", "tram")
    assert r.exit_code == 0 and r.stdout.startswith("# Lindenport tram line")


def test_html_dossier_in_a_browser_runs_nothing_and_loads_nothing(tmp_path):
    """Headless Chromium opens the page: no dialog pops up, no request leaves for anything but the file."""
    import os
    import shutil

    sync_api = pytest.importorskip("playwright.sync_api")
    chromium = os.environ.get("STORYLINE_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(chromium).exists():
        pytest.skip("chromium is not installed")
    page_file = tmp_path / "d.html"
    page_file.write_text(render_html(fixture_dossier()), encoding="utf-8")
    seen: list[str] = []
    with sync_api.sync_playwright() as p:
        try:
            browser = p.chromium.launch(executable_path=chromium, headless=True,
                                        args=["--headless", "--no-sandbox", "--disable-gpu"])
        except Exception as e:  # a chromium that cannot start here
            pytest.skip(f"chromium does not start: {str(e).splitlines()[0]}")
        page = browser.new_page()
        page.on("dialog", lambda d: (seen.append("dialog " + d.message), d.dismiss()))
        page.on("request", lambda r: seen.append(r.url))
        page.goto(page_file.as_uri())
        page.locator("section.timeline details summary").first.click()  # every event sits behind a switch
        texts = page.locator("li.event .summary-text").all_inner_texts()
        browser.close()
    assert seen == [page_file.as_uri()]
    assert "Deal signed <img src=x onerror=alert(1)>" in texts


def test_exports_keep_groups_as_groups_with_their_kind_and_affiliation(seed_db, tmp_path):
    """The Markdown and HTML dossiers file "Turkish media" under its own words, say it is a group and whose,
    and never put its words under Turkey."""
    md_out, html_out = tmp_path / "s.md", tmp_path / "s.html"
    for fmt, out in (("md", md_out), ("html", html_out)):
        r = runner.invoke(app, ["export", "--db", seed_db, "--format", fmt, "--story", "S-400", "-o", str(out)])
        assert r.exit_code == 0, r.output
    text = md_out.read_text(encoding="utf-8")
    quotes = text.split("# Quotes by speaker")[1].split("# Claims")[0]
    assert re.search(r"^#+ Turkish media \(group, of Turkey, \d+\)$", quotes, re.M)
    assert re.search(r"^#+ Dmitry Peskov \(person, \d+\)$", quotes, re.M)
    turkey = re.search(r"^#+ Turkey \(.*?(?=^#)", quotes, re.M | re.S)
    assert turkey is None or "use Russian missiles" not in turkey.group(0)
    page = html_out.read_text(encoding="utf-8")
    assert re.search(r'>Turkish media <span class="muted">\(group, of Turkey, \d+\)</span>', page)


def test_csv_tables_carry_provenance_and_defuse_formulas():
    import csv
    import io

    from storyline.export.tables import csv_text, scope, tables

    d = fixture_dossier()
    d["quotes"].append({"id": "q-4", "article_id": "a-444", "text": '=HYPERLINK("http://x","y")', "span": [9, 30],
                        "kind": "direct", "speaker": {"name": "@SUM(A1)", "type": "PERSON", "span": [0, 8]},
                        "via": ["-Reuters"]})
    t = tables(d)
    assert set(t) == {"articles", "entities", "entity_mentions", "quotes", "events", "event_mentions", "claims"}

    def read(name: str) -> list[dict]:
        return list(csv.DictReader(io.StringIO(csv_text(*t[name]))))

    quotes = {q["id"]: q for q in read("quotes")}
    assert quotes["q-2"]["start"] == "5" and quotes["q-2"]["end"] == "60" and quotes["q-2"]["via"] == "Izvestiya; TASS"
    assert quotes["q-3"]["speaker"] == ""  # no speaker stays none
    # a cell a spreadsheet would run as a formula is text
    assert quotes["q-4"]["text"] == "'=HYPERLINK(\"http://x\",\"y\")" and quotes["q-4"]["speaker"] == "'@SUM(A1)"
    assert quotes["q-4"]["via"] == "'-Reuters"
    claims = read("claims")
    assert [(c["claim_id"], c["article_id"], c["start"], c["end"]) for c in claims][:2] == \
        [("c-1", "a-111", "200", "240"), ("c-1", "a-222", "300", "330")]
    assert {m["event_id"] for m in read("event_mentions")} == {e["id"] for e in d["events"]}
    ents = {e["id"]: e for e in read("entities")}
    assert ents["e-erd"]["mentions"] == "2" and ents["e-erd"]["articles"] == "2"
    assert ents["e-erd"]["aliases"] == "Erdogan; Recep Erdogan"
    arts = {a["id"]: a for a in read("articles")}
    assert arts["a-111"]["url"] == "https://example.org/a" and arts["a-222"]["published_earliest"] == "2017-12-01"
    # one story: its articles, the entities they name (those mentions only), its events and claims
    part = tables(scope(d, "tram"))
    assert [r[0] for r in part["articles"][1]] == ["a-444"] and [r[0] for r in part["entities"][1]] == ["e-vos"]
    assert {r[0] for r in part["events"][1]} == {"v-tram"} and {r[0] for r in part["claims"][1]} == {"c-3"}
    assert {r[0] for r in part["quotes"][1]} == {"q-4"}


def test_gexf_graph_weights_shared_articles_and_is_the_same_each_time():
    import io

    import networkx as nx

    from storyline.export.tables import render_gexf

    d = fixture_dossier()
    d["entities"][0]["name"] = f"Erdogan {SCRIPT}"
    text = render_gexf(d)
    assert text == render_gexf(d) and "lastmodifieddate" not in text
    assert "<script>" not in text and "&lt;script&gt;" in text
    g = nx.read_gexf(io.BytesIO(text.encode()))
    assert g.number_of_nodes() == 4
    assert g["e-erd"]["e-pes"]["weight"] == 1 and g["e-erd"]["e-ru"]["weight"] == 1  # named together in a-111
    assert not g.has_edge("e-erd", "e-vos")  # never in one article
    assert g.nodes["e-erd"]["type"] == "PERSON" and g.nodes["e-erd"]["articles"] == 2


def test_export_csv_and_gexf_commands(corpus_db, tmp_path):
    out = tmp_path / "tables"
    r = run("export", "--db", corpus_db, "--format", "csv", "--output", str(out))
    assert r.exit_code == 0, r.output
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{n}.csv" for n in (
        "articles", "entities", "entity_mentions", "quotes", "events", "event_mentions", "claims"))
    dossier = json.loads(run("export", "--db", corpus_db).stdout)
    assert len((out / "articles.csv").read_text(encoding="utf-8").splitlines()) >= len(dossier["articles"]) + 1
    r = run("export", "--db", corpus_db, "--format", "csv")
    assert r.exit_code == 1 and "--output" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    r = run("export", "--db", corpus_db, "--format", "gexf", "--output", str(tmp_path / "g.gexf"))
    assert r.exit_code == 0 and (tmp_path / "g.gexf").read_text(encoding="utf-8").startswith("<gexf")
    r = run("export", "--db", corpus_db, "--format", "gexf", "--story", "s-nosuchstory")
    assert r.exit_code == 1 and "s-nosuchstory" in r.stderr


def test_export_one_story_as_json(seed_db):
    whole = json.loads(run("export", "--db", seed_db).stdout)
    small = min(whole["stories"], key=lambda s: len(s["article_ids"]))
    r = run("export", "--db", seed_db, "--story", small["id"])
    assert r.exit_code == 0, r.output
    part = json.loads(r.stdout)
    ids = set(small["article_ids"])
    assert part["format"] == whole["format"] and [s["id"] for s in part["stories"]] == [small["id"]]
    assert {a["id"] for a in part["articles"]} == ids
    assert {d["id"] for d in part["documents"]} == {a["document_id"] for a in part["articles"]}
    assert part["events"] and all(e["story_id"] == small["id"] for e in part["events"])
    assert all(q["article_id"] in ids for q in part["quotes"])
    assert part["entities"] and all(m["article_id"] in ids for e in part["entities"] for m in e["mentions"])
    assert len(part["events"]) == sum(e["story_id"] == small["id"] for e in whole["events"])
    r = run("export", "--db", seed_db, "--story", "no such story anywhere")
    assert r.exit_code == 1 and len(r.stderr.strip().splitlines()) == 1
