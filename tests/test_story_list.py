"""Stories a person can scan: titles without the site's name, the date span in words (a bound never reads
as a day), outlets, articles over time; `storyline stories` and the web story list on the seeds."""

from __future__ import annotations

import json
import re

import pytest
from typer.testing import CliRunner

from storyline.model import Event
from storyline.pipeline import _story_title
from storyline.stories.overview import clean_title, site_suffixes, span_in_words, sparkline, volume


def _art(aid, title, ents=("tr", "ru")):
    return {"id": aid, "title": title, "text": f"Text of {aid}.", "entities": list(ents)}


def test_titles_lose_the_site_suffix_by_outlet_host_or_repetition():
    arts = [_art("a1", "Apple ships the new iPad – 9to5Mac"), _art("a2", "Logo tips | BIG Brand System"),
            _art("a3", "Turkey buys S-400 - Reuters"), _art("a4", "Second story | Daily Planet"),
            _art("a5", "Third story | Daily Planet"), _art("a6", "Erdogan-Putin talks - Analysis")]
    sites = {"a1": {"outlet": None, "url": "https://9to5mac.com/2019/11/18/ipad"},
             "a2": {"outlet": None, "url": "https://www.bigbrandsystem.com/logo"},
             "a3": {"outlet": "Reuters", "url": None},
             "a4": {"outlet": None, "url": "https://dailyplanet.example/a"},
             "a5": {"outlet": None, "url": "https://dailyplanet.example/b"},  # repeated by the same site
             "a6": {"outlet": None, "url": None}}
    suffixes = site_suffixes({**a, **sites[a["id"]]} for a in arts)
    cleaned = [clean_title(a["title"], sites[a["id"]]["outlet"], sites[a["id"]]["url"], suffixes) for a in arts]
    assert cleaned == ["Apple ships the new iPad", "Logo tips", "Turkey buys S-400", "Second story", "Third story",
                       "Erdogan-Putin talks - Analysis"]  # no evidence 'Analysis' names a site: kept
    # not a site's name: a segment of the headline that merely starts with it
    assert clean_title("Take C.A.R.E. - comwrap auf der DMEXCO 2018", "comwrap", None) == \
        "Take C.A.R.E. - comwrap auf der DMEXCO 2018"
    # a site named with a separator inside, and nothing but site names
    assert clean_title("A deal - Remember 80/90 - Memorabilia anni 80/90", "Remember 80/90 - Memorabilia anni 80/90") \
        == "A deal"
    assert clean_title("Reuters | Reuters", "Reuters") == ""
    # the story's title: its central article's headline without the suffix
    story = [_art("b1", "Russia and Turkey sign the S-400 deal - Reuters", ("tr", "ru", "s400")),
             _art("b2", "Other news - Reuters", ("x",))]
    meta = {"b1": {"outlet": "Reuters", "url": None}, "b2": {"outlet": "Reuters", "url": None}}
    assert _story_title(story, meta, site_suffixes({**a, **meta[a["id"]]} for a in story)) == \
        "Russia and Turkey sign the S-400 deal"


def test_title_falls_back_to_the_key_event():
    arts = [_art("c1", "Reuters"), _art("c2", None)]
    meta = {"c1": {"outlet": "Reuters", "url": None}, "c2": {"outlet": None, "url": None}}
    evs = [Event("v1", "s-1", "delivery", summary="Turkey took delivery of the S-400.", sources=["c1", "c2"]),
           Event("v2", "s-1", "other", summary="Something else.", sources=["c1"])]
    assert _story_title(arts, meta, None, evs, {"c1": "v1", "c2": "v1"}) == "Turkey took delivery of the S-400."


def test_a_title_from_the_key_event_is_the_whole_sentence_its_clause_is_from():
    from storyline.model import EventMention, Trigger

    arts = [_art("c1", None), _art("c2", None)]
    sentence = "It was revealed last week that the estate has agreed to pay for the memorial service."
    clause = "that the estate has agreed to pay for the memorial service"
    at = sentence.index("agreed")
    told = EventMention("c1", (100, 100 + len(sentence)), sentence, (100 + sentence.index(clause), 100 + len(sentence) - 1),
                        Trigger((100 + at, 106 + at), "agreed", "agree"))
    ev = Event("v1", "s-1", "agreement", summary=clause, mentions=[told], sources=["c1", "c2"])
    assert _story_title(arts, {}, None, [ev], {"c1": "v1", "c2": "v1"}) == sentence
    # a sentence too long for a title, or one that does not read as a sentence: the clause
    long = "It was revealed " + "and so on " * 20 + "that the estate has agreed to pay for the memorial service."
    ev.mentions = [EventMention("c1", (0, len(long)), long, (0, 1), Trigger((0, 1), "agreed", "agree"))]
    assert _story_title(arts, {}, None, [ev], {"c1": "v1", "c2": "v1"}) == clause
    ev.mentions = [EventMention("c1", (0, 70), "the estate said " + clause, (0, 1), Trigger((0, 1), "agreed"))]
    assert _story_title(arts, {}, None, [ev], {"c1": "v1", "c2": "v1"}) == clause


def test_span_and_volume_keep_bounds_as_bounds():
    window = {"date": None, "earliest": "2017-04-16", "latest": "2017-05-03"}
    after = {"date": None, "earliest": "2019-07-12", "latest": None}
    day = {"date": "2021-12-09", "earliest": "2021-12-09", "latest": "2021-12-09"}
    unknown = {"date": None, "earliest": None, "latest": None}
    assert span_in_words([unknown, window, after, day]) == "on or after 16 April 2017 – 9 December 2021"
    assert span_in_words([window]) == "16 April – 3 May 2017"
    assert span_in_words([after]) == "on or after 12 July 2019"
    assert span_in_words([day, {"date": "2017-04-16"}]) == "16 April 2017 – 9 December 2021"
    assert span_in_words([unknown]) == ""
    # only articles whose month is known count; months between them count 0
    assert volume([window, after, day]) == [{"period": "2021-12", "articles": 1}]
    v = volume([{"date": f"2016-0{m}-01"} for m in (1, 1, 1, 2, 5)])
    assert [x["period"] for x in v] == ["2016-01", "2016-02", "2016-03", "2016-04", "2016-05"]
    assert [x["articles"] for x in v] == [3, 1, 0, 0, 1]
    assert sparkline(v) == "█▃  ▃" and len(sparkline(volume([{"date": f"{y}-01-01"} for y in range(1990, 2020)]))) <= 24


def test_storyline_stories_on_the_seeds(seed_db):
    from storyline.cli import app

    runner = CliRunner()
    r = runner.invoke(app, ["stories", "--db", seed_db, "--format", "json"])
    assert r.exit_code == 0, r.output
    stories = json.loads(r.stdout)["stories"]
    assert len(stories) == 2 and len(stories[0]["article_ids"]) == 5  # most articles first
    s400 = stories[0]
    assert "S-400" in s400["title"] and s400["span"] == "on or after 16 April 2017 – 9 December 2021"
    assert s400["volume"] == [{"period": "2021-12", "articles": 1}] and s400["outlets"] == []
    assert {"id", "seq", "title", "first", "last", "event_count", "claim_count", "main_events"} <= set(s400)
    r = runner.invoke(app, ["stories", "--db", seed_db])
    assert r.exit_code == 0, r.output
    text = r.stdout
    assert "on or after 16 April 2017 – 9 December 2021" in text and "5 articles" in text
    assert "24 November 2024" in text and "1 article" in text and "█" in text
    assert "1 of 5 dated to a month" in text
    assert not re.search(r"\d{4}-\d{2}-\d{2}", text)  # no raw date, and no bound printed as a day
    r = runner.invoke(app, ["stories", "--db", seed_db, "--limit", "1"])
    assert r.exit_code == 0 and "Taiwan" not in r.stdout and "1 of 2 stories shown" in r.stderr
    assert runner.invoke(app, ["stories", "--db", seed_db, "--format", "md"]).exit_code == 1


def test_web_story_list_on_the_seeds(seed_db):
    import warnings

    pytest.importorskip("fastapi")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # starlette's note about httpx vs httpx2
        from fastapi.testclient import TestClient
    from storyline.web import create_app

    client = TestClient(create_app(seed_db))
    page = client.get("/").text
    assert "on or after 16 April 2017 – 9 December 2021" in page and "24 November 2024" in page
    assert page.count('<svg class="volume"') == 2 and "December 2021: 1 article" in page
    lists = page.split('<section class="articles">')[0]
    assert ">16 April 2017<" not in lists and "2017-04-16" not in lists
    items = client.get("/api/stories").json()["items"]
    assert items[0]["volume"] == [{"period": "2021-12", "articles": 1}] and items[0]["outlets"] == []
    assert items[0]["span"] == "on or after 16 April 2017 – 9 December 2021"


def test_every_door_gives_a_story_the_same_number_of_events(seed_db):
    """The list of stories (API, CLI, home page) says as many events as the story's timeline lists (API, page,
    `storyline timeline --all`); `event_count` also counts the undated ones found only as what an entity did."""
    import warnings

    pytest.importorskip("fastapi")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # starlette's note about httpx vs httpx2
        from fastapi.testclient import TestClient
    from storyline.cli import app
    from storyline.web import create_app

    client = TestClient(create_app(seed_db))
    items = client.get("/api/stories").json()["items"]
    cli = json.loads(CliRunner().invoke(app, ["stories", "--db", seed_db, "--format", "json"]).stdout)["stories"]
    home = client.get("/").text
    assert [s["timeline_count"] for s in cli] == [s["timeline_count"] for s in items]
    hidden = 0
    for s in items:
        listed = client.get(f"/api/stories/{s['id']}/events", params={"limit": 1}).json()["total"]
        detail = client.get(f"/api/stories/{s['id']}").json()
        assert s["timeline_count"] == listed == detail["timeline_total"] == detail["timeline_count"]
        assert f"<span>{listed} events</span>" in client.get(f"/stories/{s['id']}").text
        assert f"<span>{listed} events</span>" in home
        r = CliRunner().invoke(app, ["timeline", s["id"], "--all", "--db", seed_db, "--format", "json"])
        assert r.exit_code == 0, r.output
        assert len(json.loads(r.stdout)["events"]) == listed
        hidden += s["event_count"] - listed
    assert hidden > 0  # the seeds have undated generic events: the two counts differ, and each says which it is
