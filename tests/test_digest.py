"""The digest: key dates of a story, each told in whole sentences with their sources (stories/digest.py, `storyline digest`)."""

from __future__ import annotations

import json
import re

import pytest
from typer.testing import CliRunner

from storyline.cli import app
from storyline.stories.digest import default_dates, digest
from storyline.store import Store

runner = CliRunner()


def ev(eid, date, sents, main_of=(), type="agreement", participants=(), title=None, generic=False):
    """An event told by one sentence per (article id, sentence) pair; `title` adds a headline mention."""
    mentions = []
    for aid, text in sents:
        mentions.append({"article_id": aid, "span": [100, 100 + len(text)], "text": text,
                         "trigger": {"span": [104, 110], "text": text[4:10]}, "date": date})
    if title:
        aid, text = title
        mentions.append({"article_id": aid, "field": "title", "span": [0, len(text)], "text": text,
                         "trigger": {"span": [0, 4], "text": text[:4]}, "date": date})
    prec = {10: "day", 7: "month", 4: "year"}.get(len(date or ""), None)
    return {"id": eid, "story_id": "s-1", "type": type, "date": date, "precision": prec,
            "sources": list(dict.fromkeys(m["article_id"] for m in mentions)), "main_of": list(main_of),
            "participants": [{"name": p, "entity_id": None, "role": "agent", "type": "ORG"} for p in participants],
            "mentions": mentions, "quote_ids": [], **({"generic": True} if generic else {})}


EVENTS = [
    ev("e1", "2017-09-12", [("a1", "Russia and Turkey signed a contract for the missile systems on Tuesday."),
                            ("a2", "The two governments signed the missile contract in Ankara on Tuesday."),
                            ("a3", "Officials confirmed the contract had been signed in the Turkish capital.")],
       main_of=["a1", "a2"], participants=["Turkey"]),
    ev("e2", "2019-07-12", [("a4", "The first deliveries of the systems arrived at an air base near Ankara."),
                            ("a5", "Cargo planes brought the first parts of the system to the air base.")],
       main_of=["a4"], type="delivery", participants=["Turkey"],
       title=("a4", "First deliveries arrive")),
    ev("e3", "2018-03-01", [("a6", "A minor official visited the factory that makes the missile parts.")], type="other"),
    ev("e4", None, [("a1", "Talks on the systems have gone on for a long time without a date given.")],
       main_of=["a5"], participants=["Turkey"]),
    ev("e5", "2020-12", [("a7", "Washington imposed sanctions on the Turkish procurement agency that month."),
                         ("a8", "The United States imposed sanctions on the agency over the purchase.")],
       main_of=["a7", "a8"], type="sanction"),
    ev("e6", "2021-11-30", [("a9", "Officials said talks on a second batch of the systems had begun this week.")],
       type="meeting"),
]


def test_picks_most_told_dated_events_in_date_order_with_sources():
    got = digest(EVENTS, dates=3, sentences=1)
    assert [x["date"] for x in got] == ["2017-09-12", "2019-07-12", "2020-12"]  # e3, e6 told once, e4 undated
    assert [x["precision"] for x in got] == ["day", "day", "month"]
    for x in got:
        assert len(x["sentences"]) == 1 and len(x["sources"]) == 1
        for srcs in x["sources"]:
            assert srcs and all(s["article_id"] and isinstance(s["span"], list) for s in srcs)
    # a body sentence is preferred to the headline
    assert got[1]["sentences"][0] != "First deliveries arrive"
    assert all(s.get("field") != "title" for s in got[1]["sources"][0])


def test_respects_n_k_and_range():
    got = digest(EVENTS, dates=10, sentences=2)
    assert [x["date"] for x in got] == ["2017-09-12", "2018-03-01", "2019-07-12", "2020-12", "2021-11-30"]
    assert max(len(x["sentences"]) for x in got) == 2
    assert all(len(x["sentences"]) == len(x["sources"]) for x in got)
    assert [x["date"] for x in digest(EVENTS, dates=1)] == ["2017-09-12"]
    assert [x["date"] for x in digest(EVENTS, dates=10, start="2018", end="2020-12-31")] == ["2018-03-01", "2019-07-12", "2020-12"]
    # a month must lie wholly inside the range; days_only keeps day-dated events only
    assert "2020-12" not in [x["date"] for x in digest(EVENTS, dates=10, start="2020-12-15")]
    assert [x["date"] for x in digest(EVENTS, dates=10, days_only=True)] == ["2017-09-12", "2018-03-01", "2019-07-12", "2021-11-30"]


def test_near_copies_told_once_their_sources_kept():
    evs = [ev("e1", "2017-09-12", [("a1", "Russia and Turkey signed a contract for the missile systems on Tuesday."),
                                   ("a2", "Russia and Turkey signed a contract for the missile systems on Tuesday, officials said.")]),
           ev("e2", "2017-09-13", [("a3", "Russia and Turkey signed a contract for the missile systems on Tuesday.")])]
    got = digest(evs, dates=5, sentences=3)
    sents = [s for x in got for s in x["sentences"]]
    assert len(sents) == 1
    assert {s["article_id"] for x in got for srcs in x["sources"] for s in srcs} == {"a1", "a2", "a3"}


def test_a_sentence_over_two_lines_is_cut_to_its_trigger_line():
    text = "Turkey Buys Missiles\nAnkara signed the contract for the missile systems on Tuesday."
    e = ev("e1", "2017-09-12", [("a1", text)])
    e["mentions"][0]["trigger"] = {"span": [100 + text.index("signed"), 100 + text.index("signed") + 6], "text": "signed"}
    (x,) = digest([e], dates=1)
    assert x["sentences"] == ["Ankara signed the contract for the missile systems on Tuesday."]
    assert x["sources"][0][0]["span"] == [100 + text.index("Ankara"), 100 + len(text)]


def test_bad_input_and_default_length():
    for kw in ({"dates": 0}, {"sentences": 0}, {"start": "2019-13"}, {"end": "soon"}):
        with pytest.raises(ValueError):
            digest(EVENTS, **kw)
    assert default_dates(5, 100) == 7 and default_dates(100, 100) == 23 and default_dates(10_000, 500) == 30
    assert default_dates(400, 4) == 4
    assert default_dates(5, 100, years=4) == 10 and default_dates(10_000, 500, years=9) == 30  # a year more, a date more


def test_background_a_report_recalls_ranks_below_its_news():
    """An event an article recalls from years before its publication is background: the same telling, dated
    near the article's publication, is its news and outranks it; a publication not known leaves it alone."""
    from storyline.stories.digest import article_times, news_value

    old = ev("e1", "2015-11", [("a1", "Relations were strained after the downing of a jet by the air force.")], type="military")
    new = ev("e2", "2017-04", [("a2", "The two governments agreed on the air defence contract that week.")])
    pub = {"a1": {"date": "2017-05-02"}, "a2": {"earliest": "2017-04-20", "latest": "2017-05-03"}}
    times = article_times([old, new], pub)
    assert news_value(new, times) == 1.0 and 0.3 < news_value(old, times) < 0.5
    # without a publication, an article's time is the latest date it tells of: a1 telling of 2017 too
    later = ev("e3", "2017-03-02", [("a1", "The ministers met in Moscow to discuss the air defence contract.")], type="meeting")
    assert news_value(old, article_times([old], {})) == 1.0 and news_value(old, article_times([old, later], {})) < 0.5
    assert news_value(old, {}) == 1.0
    got = digest([old, new], dates=1, published=pub)
    assert [x["date"] for x in got] == ["2017-04"]
    assert [x["date"] for x in digest([old, new], dates=1)] == ["2015-11"]  # more told, without publications


def test_a_plan_ranks_below_what_was_done():
    done = ev("e1", "2021-07", [("a1", "The agency signed the contract for a second batch of the systems.")])
    plan = dict(ev("e2", "2021-09", [("a2", "The agency will sign the contract for a second batch in September."),
                                     ("a3", "A contract for a second batch is to be signed in September.")]),
                modality="expected")
    assert [x["date"] for x in digest([done, plan], dates=1)] == ["2021-07"]
    assert len(digest([done, plan])) == 2  # still on the timeline when there is room
    assert digest([ev("e1", None, [("a1", "An undated thing happened to the systems at some point.")])]) == []


# the seeds: ../shared/seeds, skipped when absent

def _run(*args):
    return runner.invoke(app, list(args), catch_exceptions=False)


def _first(timeline, pattern, date_prefix):
    """Index of the first entry dated `date_prefix…` with a sentence matching `pattern`."""
    for i, x in enumerate(timeline):
        if x["date"].startswith(date_prefix) and any(re.search(pattern, s, re.I) for s in x["sentences"]):
            return i
    return None


def _check_sources(seed_db, timeline):
    with Store(seed_db) as store:
        for x in timeline:
            assert len(x["sources"]) == len(x["sentences"])
            for sent, srcs in zip(x["sentences"], x["sources"]):
                assert re.match(r"^[\"'“A-Z0-9]", sent) and re.search(r"[.!?][\"'”]?$", sent), sent  # whole sentences
                for s in srcs:
                    a = store.article(s["article_id"])
                    text = a.title if s.get("field") == "title" else a.text
                    assert " ".join(text[s["span"][0]:s["span"][1]].split()) == sent


def test_seeds_digest_of_the_s400_story(seed_db):
    r = _run("digest", "--story", "S-400", "--format", "json", "--db", seed_db)
    assert r.exit_code == 0, r.output
    tl = json.loads(r.stdout)["timeline"]
    assert all(set(x) >= {"date", "sentences", "sources"} for x in tl)
    _check_sources(seed_db, tl)
    dates = [x["date"] for x in tl]
    assert dates == sorted(dates, key=lambda d: (d[:4], d))  # date order (a season after its year's months)
    contract = _first(tl, r"deal|contract", "2017")
    deliveries = _first(tl, r"deliver", "2019")
    talks = _first(tl, r"batch", "2021")
    assert None not in (contract, deliveries, talks), dates
    assert contract < deliveries < talks
    # the December 2020 sanctions, told by one article a year later in one sentence dated to the month
    sanctions = _first(tl, r"sanction", "2020-12")
    assert sanctions is not None and deliveries < sanctions < talks, dates
    assert not any(d.startswith("2016-08") for d in dates)  # "negotiating since August 2016" is not dated then


def test_seeds_digest_text_and_md_cite_and_say_dates_in_words(seed_db):
    r = _run("digest", "--story", "S-400", "--db", seed_db)
    assert r.exit_code == 0
    assert "12 July 2019" in r.stdout and "2019-07-12" not in r.stdout
    assert re.search(r"a-[0-9a-f]+:\d+-\d+", r.stdout)
    md = _run("digest", "--story", "S-400", "--format", "md", "--sentences", "2", "--db", seed_db).stdout
    assert md.startswith("# ") and "\n## 12 July 2019\n" in md and re.search(r"\(a-[0-9a-f]+:\d+-\d+", md)


def test_cli_json_shape_and_bad_input(seed_db):
    r = _run("digest", "--dates", "2", "--sentences", "1", "--start", "2019", "--end", "2021-12", "--format", "json", "--db", seed_db)
    assert r.exit_code == 0
    tl = json.loads(r.stdout)["timeline"]
    assert 1 <= len(tl) <= 2 and all(re.fullmatch(r"\d{4}-\d\d(-\d\d)?", x["date"]) for x in tl)
    assert all(len(x["sentences"]) == 1 for x in tl)
    assert all("2019" <= x["date"] <= "2021-12-31" for x in tl)
    for args, word in ((["--story", "no such story"], "no story"), (["--dates", "0"], "--dates"),
                       (["--sentences", "-2"], "--sentences"), (["--start", "2019-13-01"], "not a date"),
                       (["--end", "tomorrow"], "not a date"), (["--format", "xml"], "--format")):
        r = _run("digest", *args, "--db", seed_db)
        assert r.exit_code != 0
        msg = r.output.strip()
        assert len(msg.splitlines()) == 1 and word in msg and "Traceback" not in msg, msg
