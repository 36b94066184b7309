"""Publication dates: metadata and datelines first, else reasoned from the article's own dated text."""

from __future__ import annotations

import datetime as dt

import pytest

from storyline.model import DocMeta
from storyline.published import infer_from_text, parse_dateline, period, publication


def test_period_of_timex_values():
    d = dt.date
    assert period("2017-09-12") == (d(2017, 9, 12), d(2017, 9, 12))
    assert period("2016-02") == (d(2016, 2, 1), d(2016, 2, 29))
    assert period("2015") == (d(2015, 1, 1), d(2015, 12, 31))
    assert period("2017-W37") == (d(2017, 9, 11), d(2017, 9, 17))
    assert period("2017-Q4") == (d(2017, 10, 1), d(2017, 12, 31))
    assert period("2017-FA") == (d(2017, 9, 1), d(2017, 11, 30))
    assert period("2017-WI") == (d(2017, 12, 1), d(2018, 2, 28))
    for bad in ("2021-02-30", "20177", "XXXX-04-16", "PAST_REF", "P3M", ""):
        assert period(bad) is None


def test_dateline_rejects_impossible_dates():
    assert parse_dateline("09 December 2021") == "2021-12-09"
    assert parse_dateline("30 February 2021") is None


def test_yearless_past_and_future_dates_bound_the_year_after_the_dated_events():
    text = ("The two ministries have been talking since a thaw in August 2016.\n\n"
            "On April 16, voters narrowly approved the new constitution.\n\n"
            "The agreement could be discussed at a summit scheduled for May 3, officials said.")
    p = infer_from_text(text, [])
    assert (p.date, p.earliest, p.latest) == (None, "2017-04-16", "2017-05-03")
    assert "2016-08-01" in p.evidence


def test_dated_past_event_is_only_a_lower_bound():
    p = infer_from_text("Shipments reportedly began on July 12, 2019, and continued for months.", [])
    assert (p.date, p.earliest, p.latest) == (None, "2019-07-12", None)


def test_caption_date_named_by_weekday_in_the_text_gives_the_day():
    caption = "Farmers gather outside the ministry in Lisk on March 10, 2024. (Photo: Agency)"
    text = "The minister told a local radio station in remarks broadcast on Sunday, adding that talks had stalled."
    p = infer_from_text(text, [caption])
    assert p.date == "2024-03-10" and p.earliest == "2024-03-10" and p.latest == "2024-03-16"
    # the same caption beside a different weekday pins nothing
    p = infer_from_text(text.replace("Sunday", "Tuesday"), [caption])
    assert p.date is None and p.earliest == "2024-03-10"


def test_metadata_wins_unless_the_text_contradicts_it():
    text = "Deliveries began on July 12, 2019, the ministry said."
    ok = publication(DocMeta(published="2019-08-01", published_source="htmldate"), [], text)
    assert ok.date == "2019-08-01"
    bad = publication(DocMeta(published="2010-01-05", published_source="htmldate"), [], text)
    assert bad.date is None and bad.earliest == "2019-07-12" and "contradicted" in bad.evidence


def test_a_yearless_window_is_no_ground_to_overrule_metadata():
    text = ("The two ministries have been talking since a thaw in August 2016.\n\n"
            "On April 16, voters narrowly approved the new constitution.\n\n"
            "The agreement could be discussed at a summit scheduled for May 3, officials said.")
    # the window (2017-04-16 … 05-03) is a guess of the year; only the dated event (August 2016) is a floor
    p = publication(DocMeta(published="2017-03-01", published_source="jsonl"), [], text)
    assert p.date == "2017-03-01"


def test_capture_date_is_an_upper_bound_only():
    p = publication(DocMeta(capture_date="2024-03-20T10:00:00Z"), [], "Talks began on March 3, 2023.")
    assert (p.date, p.earliest, p.latest) == (None, "2023-03-03", "2024-03-20")


def test_a_dated_note_after_the_body_is_an_upper_bound():
    p = publication(DocMeta(), [], "The council met on Oct. 23, 2015, to vote.", [], ["Friday, December 4, 2015."])
    assert (p.date, p.earliest, p.latest) == (None, "2015-10-23", "2015-12-04")


def test_bare_years_and_year_modifiers_bound_nothing():
    # a bare year is too often a plan with a misread tense, and "the 2016 candidates" names no event
    for text in ("The survey found that in 2050, whites will be a minority.",
                 "The group has pressed the 2016 candidates on climate.",
                 "Officials said the plant opened in 2014."):
        p = infer_from_text(text, [])
        assert (p.date, p.earliest, p.latest) == (None, None, None), text


def test_one_sided_yearless_dates_do_not_pick_a_year():
    # a past "On April 16" after a dated event says nothing about which year it is
    p = infer_from_text("The thaw began in August 2016.\n\nOn April 16, voters approved the plan.", [])
    assert p.earliest == "2016-08-01" and p.latest is None


def test_no_dates_no_claims():
    p = publication(DocMeta(), [], "Nothing here says when.")
    assert (p.date, p.earliest, p.latest) == (None, None, None)
    assert publication(DocMeta(), [], "").date is None


@pytest.fixture
def seed_articles(seeds, tmp_path):
    from storyline.pipeline import build
    from storyline.store import Store

    store = Store(tmp_path / "seeds.db")
    build([seeds], store)
    docs = {d.id: d.source for d in store.documents()}
    out = {}
    for a in store.articles():
        out.setdefault(docs[a.document_id].split("/")[-1][:3], []).append(a)
    store.close()
    return out


def test_seed_publication_dates(seed_articles):
    assert seed_articles["004"][0].published.date == "2021-12-09"
    second = seed_articles["000"][1].published
    assert second.date == "2024-11-24"
    p = seed_articles["001"][0].published
    assert p.date is None and p.earliest >= "2017-04-16" and p.latest <= "2017-05-03"
    p = seed_articles["003"][0].published
    assert p.earliest >= "2019-07-12" and (p.date is None or p.date >= "2019-07-12")


def test_no_seed_article_is_dated_before_its_own_dated_past_events(seed_articles):
    for arts in seed_articles.values():
        for a in arts:
            floor = infer_from_text(a.text, []).earliest
            p = a.published
            if floor and p.date:
                assert p.date >= floor, (a.title, p)
            if floor and p.latest:
                assert p.latest >= floor, (a.title, p)
