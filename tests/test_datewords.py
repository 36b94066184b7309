"""Dates in words: every kind of TIMEX3 value, spans and publication bounds read as people say them."""

from __future__ import annotations

import re

import pytest

from storyline.datewords import bounds_in_words, in_words, published_in_words
from storyline.model import Published


@pytest.mark.parametrize("value, words", [
    ("2017-04-16", "16 April 2017"), ("2017-04", "April 2017"), ("2017", "2017"),
    ("2017-FA", "fall 2017"), ("2017-SP", "spring 2017"), ("2017-WI", "winter 2017–18"),
    ("2017-Q2", "the second quarter of 2017"), ("2017-H1", "the first half of 2017"),
    ("2017-W15", "week 15 of 2017"), ("2017-W37-2", "12 September 2017"),
    ("2017-W37-WE", "the weekend of 16–17 September 2017"),
    ("196", "the 1960s"), ("200", "the 2000s"), ("19", "the 20th century"), ("20", "the 21st century"),
    ("2017-09-12T15:00", "12 September 2017, 15:00"), ("2017-09-12TNI", "the night of 12 September 2017"),
    ("XXXX-WXX-2", "a Tuesday"), ("XXXX-WXX-5TNI", "a Friday night"), ("XXXX-07-25", "25 July (year not given)"),
    ("XXXX-09", "September (year not given)"), ("XXXX-Q3", "the third quarter (year not given)"),
    ("1998-10-XX", "a day in October 1998"), ("XXXX-XX", "a month"), ("XXXX", "a year"), ("XXX", "a decade"),
    ("PRESENT_REF", "at the time"), ("PAST_REF", "in the past"), ("FUTURE_REF", "in the future"),
    ("P3Y", "3 years"), ("P1D", "1 day"), ("PT5H30M", "5 hours 30 minutes"), ("PXM", "months"),
    ("1955/2011", "1955 – 2011"), ("2017-04-16/2017-05-03", "16 April – 3 May 2017"),
    ("2017-04-16/2017-04-30", "16–30 April 2017"), ("2017-03/2017-05", "March – May 2017"),
    ("2016-12-30/2017-01-02", "30 December 2016 – 2 January 2017"),
    (None, "undated"), ("", "undated"),
])
def test_timex_values_in_words(value, words):
    assert in_words(value) == words


@pytest.mark.parametrize("value", ["garbage", "2017-02-30", "2017-13", "P", "XXXX-WXX-9"])
def test_what_it_cannot_read_comes_back_as_it_is(value):
    assert in_words(value) == value


@pytest.mark.parametrize("earliest, latest, words", [
    ("2019-07-12", None, "on or after 12 July 2019"),
    (None, "2017-05-03", "on or before 3 May 2017"),
    ("2017-04-16", "2017-05-03", "16 April – 3 May 2017"),
    ("2017-04-16", "2017-04-16", "16 April 2017"),
    ("2016-11-20", "2017-01-03", "20 November 2016 – 3 January 2017"),
    ("2019-07", None, "on or after July 2019"),
    (None, None, ""),
])
def test_bounds_never_read_as_a_day(earliest, latest, words):
    assert bounds_in_words(earliest, latest) == words
    # the same bounds as a claim's value carries them ('A…B', 'A…', '…B')
    if earliest or latest:
        assert in_words(f"{earliest or ''}…{latest or ''}") == words


def test_compact_bounds_as_the_articles_list_wrote_them():
    assert in_words("2017-04-16…05-03") == "16 April – 3 May 2017"


def test_published_in_words_takes_the_record_or_its_dict():
    assert published_in_words(Published("2021-12-09", "2021-12-09", "2021-12-09")) == "9 December 2021"
    assert published_in_words(Published(None, "2019-07-12", None)) == "on or after 12 July 2019"
    assert published_in_words({"date": None, "earliest": "2017-04-16", "latest": "2017-05-03"}) == \
        "16 April – 3 May 2017"
    assert published_in_words({}) == "" and published_in_words(None) == ""


def test_no_value_the_tagger_gives_reads_as_a_raw_value():
    """Whatever the tagger writes for a time expression in copy like the seeds', a reader gets words."""
    import datetime as dt

    from storyline.nlp.timex import tag

    text = ("In 1983 he joined IBM. A year later he was fired. He grew up in the sixties. Deliveries began in fall "
            "2017, in the second quarter, in week 15 and on Tuesday. Talks ran from 1955 to 2011. He is now 70. "
            "Sales rose in the first half of 2018 and again this winter. The vote is at 3 p.m. today.")
    for t in tag(text, dt.date(2017, 9, 12)) + tag(text):
        words = in_words(t.value)
        assert not re.search(r"\d{4}-|\bXX|_REF|^\d{2,3}$", words), (t.text, t.value, words)
