"""The time-expression tagger: extents, types, values, mods, tense; bad input; speed."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pytest

from storyline.nlp.timex import MAX_CHARS, tag

A = dt.date(2017, 9, 12)  # a Tuesday, ISO week 37


def one(text: str, anchor: dt.date | None = A, **kw):
    found = tag(text, anchor, **kw)
    assert len(found) == 1, [(t.text, t.value) for t in found]
    return found[0]


def find(text: str, piece: str, anchor: dt.date | None = A, **kw):
    for t in tag(text, anchor, **kw):
        if t.text == piece:
            return t
    raise AssertionError(f"{piece!r} not tagged in {text!r}: {[(t.text, t.value) for t in tag(text, anchor, **kw)]}")


@pytest.mark.parametrize(
    "text, piece, type_, value, value_no_anchor",
    [
        ("It was signed on July 12, 2019.", "July 12, 2019", "DATE", "2019-07-12", "2019-07-12"),
        ("It was signed on 09 December 2021.", "09 December 2021", "DATE", "2021-12-09", "2021-12-09"),
        ("It was signed on 2021-12-09.", "2021-12-09", "DATE", "2021-12-09", "2021-12-09"),
        ("Talks began in 2015.", "2015", "DATE", "2015", "2015"),
        ("Talks began in March 2017.", "March 2017", "DATE", "2017-03", "2017-03"),
        ("Deliveries started in fall 2017.", "fall 2017", "DATE", "2017-FA", "2017-FA"),
        ("Profit rose in the third quarter of 2016.", "the third quarter of 2016", "DATE", "2016-Q3", "2016-Q3"),
        ("Profit rose in the third quarter.", "the third quarter", "DATE", "2017-Q3", "XXXX-Q3"),
        ("It began in the 1990s.", "the 1990s", "DATE", "199", "199"),
        ("It was built in the 20th century.", "the 20th century", "DATE", "19", "19"),
        ("Moscow and Ankara confirmed on Tuesday that they signed a deal.", "Tuesday", "DATE", "2017-09-12",
         "XXXX-WXX-2"),
        ("Erdogan said on Monday that a deposit was paid.", "Monday", "DATE", "2017-09-11", "XXXX-WXX-1"),
        ("The deal was signed last week.", "last week", "DATE", "2017-W36", "XXXX-WXX"),
        ("The deal was signed earlier this month.", "earlier this month", "DATE", "2017-09", "XXXX-XX"),
        ("Talks were held this year.", "this year", "DATE", "2017", "XXXX"),
        ("Talks began two years ago.", "two years ago", "DATE", "2015", "XXXX"),
        ("On April 16 the deal was signed.", "April 16", "DATE", "2017-04-16", "XXXX-04-16"),
        ("In February, Turkey paid a deposit.", "February", "DATE", "2017-02", "XXXX-02"),
        ("In February, Turkey will receive the first battery.", "February", "DATE", "2018-02", "XXXX-02"),
        ("The talks took more than two years.", "more than two years", "DURATION", "P2Y", "P2Y"),
        ("Deliveries will take about three weeks.", "about three weeks", "DURATION", "P3W", "P3W"),
        ("Sales fell in the first six months.", "the first six months", "DURATION", "P6M", "P6M"),
        ("Prices rose 5% over the past three years.", "the past three years", "DURATION", "P3Y", "P3Y"),
        ("Inspectors visit every Monday.", "every Monday", "SET", "XXXX-WXX-1", "XXXX-WXX-1"),
        ("The fee is paid annually.", "annually", "SET", "P1Y", "P1Y"),
        ("Dividends are paid quarterly.", "quarterly", "SET", "P3M", "P3M"),
        ("Turkey now has the system.", "now", "DATE", "PRESENT_REF", "PRESENT_REF"),
        ("Turkey recently bought the system.", "recently", "DATE", "PAST_REF", "PAST_REF"),
        ("More may be bought in the future.", "the future", "DATE", "FUTURE_REF", "FUTURE_REF"),
        ("Deliveries start in week 37.", "week 37", "DATE", "2017-W37", "XXXX-W37"),
        ("The team met the week of Sept. 11.", "the week of Sept. 11", "DATE", "2017-W37", "XXXX-WXX"),
        ("He arrived yesterday.", "yesterday", "DATE", "2017-09-11", "XXXX-XX-XX"),
        ("The vote is at 3 p.m. today.", "3 p.m. today", "TIME", "2017-09-12T15:00", "XXXX-XX-XXT15:00"),
        ("More orders may come in the coming months.", "the coming months", "DATE", "FUTURE_REF", "FUTURE_REF"),
    ],
)
def test_values_with_and_without_anchor(text, piece, type_, value, value_no_anchor):
    t = find(text, piece)
    assert (t.type, t.value) == (type_, value)
    assert text[t.span[0] : t.span[1]] == t.text
    t0 = find(text, piece, None)
    assert t0.value == value_no_anchor


def test_anchored_flag():
    assert find("He arrived yesterday.", "yesterday").anchored
    assert find("He arrived yesterday.", "yesterday", None).anchored
    assert find("On April 16 the deal was signed.", "April 16", None).anchored
    assert not find("It was signed on July 12, 2019.", "July 12, 2019").anchored
    assert not find("Turkey now has the system.", "now").anchored


def test_mods():
    assert find("Talks began in early 2017.", "early 2017").mod == "START"
    assert find("Talks ended at the end of 1990.", "the end of 1990").mod == "END"
    assert find("Talks began in mid-2016.", "mid-2016").mod == "MID"
    assert find("The talks took more than two years.", "more than two years").mod == "MORE_THAN"
    assert find("Deliveries will take about three weeks.", "about three weeks").mod == "APPROX"


def test_tense_and_year_choice():
    signed = find("The deal was signed on April 16.", "April 16")
    assert signed.tense == "past" and signed.value == "2017-04-16"
    summit = find("The summit is scheduled for May 3.", "May 3")
    assert summit.tense == "future" and summit.value == "2018-05-03"
    assert find("Deliveries will begin on October 2.", "October 2").value == "2017-10-02"
    assert find("Turkey said it would sign in February.", "February").tense == "future"


@pytest.mark.parametrize(
    "text",
    ["Turkey bought the S-400 system.", "China offered the FD-2000 (HQ-9) instead.", "It was shown at MAKS-2021.",
     "Turkey was removed from the F-35 programme.", "The deal is worth $567 million.", "It is 100% complete.",
     "Russia sent two battalions.", "Model 2000 units were sold.", "It costs $2,019."],
)
def test_not_dates(text):
    assert tag(text, A) == []


def test_year_range():
    found = tag("He served in 1997-1998.", A)
    assert [(t.text, t.value) for t in found] == [("1997", "1997"), ("1998", "1998")]


def test_a_full_date_in_tokenised_copy_keeps_its_year():
    # a space before the comma (Penn Treebank text): the year is still the date's, not the anchor's
    assert [(t.text, t.value) for t in tag("Born : August 29 , 1958 , Gary , Indiana .", A)] == \
        [("August 29 , 1958", "1958-08-29")]
    assert one("Born on 29 August , 1958 .").value == "1958-08-29"
    assert [(t.text, t.value) for t in tag("Updated Tuesday , 27 September 2011 .", A)] == \
        [("Tuesday , 27 September 2011", "2011-09-27")]


def test_day_first():
    assert one("Signed 12/07/2019.").value == "2019-12-07"
    assert one("Signed 12/07/2019.", day_first=True).value == "2019-07-12"
    assert one("Signed 25/12/2019.").value == "2019-12-25"  # only one reading is a date


def test_seasons_quarters_decades_weeks():
    assert find("Deliveries were due last summer.", "last summer", dt.date(2017, 4, 1)).value == "2016-SU"
    assert find("Deliveries are due this winter.", "this winter").value == "2017-WI"
    assert find("Sales rose in Q2 2018.", "Q2 2018").value == "2018-Q2"
    assert find("Sales rose in the first half of 2018.", "the first half of 2018").value == "2018-H1"
    assert find("It dates from the '80s.", "the '80s").value == "198"
    assert find("It was sold this week.", "this week").value == "2017-W37"
    assert find("Fiscal 1998 was good.", "Fiscal 1998").value == "1998"


def test_spelled_out_years_with_a_month_or_season():
    # broadcast transcripts spell years out
    assert one("January nineteen ninety-seven. Atlanta again.").value == "1997-01"
    assert one("the level we saw in the winter of nineteen ninety-four.").value == "1994-WI"
    assert one("It happened in nineteen ninety-eight.").value == "1998"


def test_bad_input():
    assert tag("", A) == []
    assert tag(None, A) == []  # type: ignore[arg-type]
    assert tag("It happened on February 30, 2017.", A) == []
    assert tag("Code 20177 shipped.", A) == []
    assert tag("It happened on 31/02/2017.", A) == []
    with pytest.raises(ValueError):
        tag("Monday", "2017-09-12")  # type: ignore[arg-type]
    assert one("Monday", dt.datetime(2017, 9, 12, 10, 0)).value in ("2017-09-11", "2017-09-18")


def test_spans_sorted_and_disjoint():
    text = ("Moscow and Ankara confirmed on Tuesday that they signed a deal on Sept. 12, 2017. Deliveries are "
            "scheduled for early 2019, two years after talks began in 2016, and will take about three months.")
    found = tag(text, A)
    assert len(found) >= 5
    for a, b in zip(found, found[1:]):
        assert a.span[1] <= b.span[0]
    for t in found:
        assert text[t.span[0] : t.span[1]] == t.text


def test_huge_text_is_bounded():
    text = ("The deal was signed on April 16, 2017 by both sides, said officials on Monday. " * 4000) + "x" * 200_000
    found = tag(text, A)
    assert len(found) == 8000
    assert found[-1].span[1] <= MAX_CHARS  # the tail past the bound is not read


def test_seed_files_if_present():
    seeds = Path(__file__).resolve().parents[2] / "shared" / "seeds"
    if not seeds.exists():
        pytest.skip("../shared/seeds not present")
    for f in sorted(seeds.glob("*.txt")):
        text = f.read_text(encoding="utf-8", errors="replace")
        found = tag(text, A)
        for t in found:
            assert text[t.span[0] : t.span[1]] == t.text
            assert not t.text.startswith(("S-", "F-", "MAKS"))


def test_benchmark_loader_if_data_present():
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    import temporal  # noqa: PLC0415

    if not temporal.DATA.exists():
        pytest.skip("../shared/bench/temporal not present")
    docs = temporal.load_all(limit=3)
    assert docs and all(d[3] for d in docs)
    preds = {d[0]: [(g[0], g[1], g[2], g[3]) for g in d[3]] for d in docs}
    m, _ = temporal.score(docs, preds)
    assert m["value_f"] == pytest.approx(1.0) and m["strict_f"] == pytest.approx(1.0)


def test_anaphoric_and_clock_times():
    text = "The deal was signed on April 16, 2017. Later that day, Putin called. The next day, Erdogan spoke."
    assert find(text, "Later that day").value == "2017-04-16"
    assert find(text, "The next day").value == "2017-04-17"
    t = find("The blast occurred at about 10:35 a.m. (0735 GMT) Friday.", "10:35 a.m.", dt.date(1998, 8, 8))
    assert (t.type, t.value) == ("TIME", "1998-08-07T10:35")


def test_quarter_context_for_year_ago():
    text = "Third-quarter profit rose to $5 million from $4 million a year earlier."
    assert find(text, "a year earlier", dt.date(1989, 10, 26)).value == "1988-Q3"
    assert find("Profit rose from a year earlier.", "a year earlier", dt.date(1989, 10, 26)).value == "1988"


def test_tense_cue_in_a_following_clause_is_not_the_timex_clause():
    text = "The minister told a radio station in remarks broadcast on Sunday that talks would resume."
    t = find(text, "Sunday")
    assert (t.tense, t.value) == ("past", "2017-09-10")
    # a fronted weekday belongs to the clause after its comma
    t = find("On Friday, officials said the talks had ended.", "Friday")
    assert (t.tense, t.value) == ("past", "2017-09-08")
    assert find("Talks will resume on Sunday.", "Sunday").value == "2017-09-17"


def test_possessive_weekday_is_the_past_day():
    t = find("Relatives said they would look for ways to get around Wednesday's ruling.", "Wednesday")
    assert t.value == "2017-09-06"


def test_weekday_with_its_date_is_one_timex():
    t = one("The Times said in an editorial on Monday, Oct. 26: the vote counts.", dt.date(1998, 10, 25))
    assert (t.text, t.value) == ("Monday, Oct. 26", "1998-10-26")
    t = one("It happened on Friday 13 March 2020.")
    assert (t.text, t.value) == ("Friday 13 March 2020", "2020-03-13")


def test_a_weekend_is_not_a_week():
    assert [t.text for t in tag("After a weekend of talks, they agreed.", A)] == ["a weekend"]


def test_quarter_ended_a_date_is_the_quarter_holding_most_of_it():
    anchor = dt.date(1989, 10, 30)
    assert find("In the quarter ended July 31, Jayark had a loss.", "the quarter", anchor).value == "1989-Q2"
    assert find("For the quarter ended Sept. 30, Delta posted a gain.", "the quarter", anchor).value == "1989-Q3"
    # a quarter the text already named keeps its (fiscal) name
    text = "Sun earned $20 million in its first quarter. For the quarter ended Sept. 29, sales rose."
    assert find(text, "the quarter", anchor).value == "1989-Q1"
    assert find("The current quarter began well.", "The current quarter", anchor).value == "1989-Q4"


def test_year_less_month_defaults_to_the_past_and_next_month_beats_eleven_back():
    anchor = dt.date(1998, 10, 25)
    assert find("In January, a week after the anniversary, a doctor was shot.", "January", anchor).value == "1998-01"
    text = "NATO has decided to admit Poland in March, an official said."
    assert find(text, "March", dt.date(1999, 2, 10)).value == "1999-03"


def test_the_year_and_the_month_as_the_current_period():
    anchor = dt.date(1989, 11, 2)
    assert find("For the year, pet food volume was flat.", "the year", anchor).value == "1989"
    t = find("The goal is 40,000 troops by the end of the month.", "the end of the month", anchor)
    assert (t.value, t.mod) == ("1989-11", "END")
    assert find("For the year, sales were flat.", "the year", None).value == "XXXX"
    assert find("In the year ended June 30 it lost money.", "the year", anchor).value == "P1Y"
    assert tag("The year was hard.", anchor) == []


def test_next_to_and_scheduling_and_payable_cues():
    anchor = dt.date(1998, 8, 8)  # a Saturday
    text = "More than 100 people were killed in the blasts next to the embassies in Kenya on Friday."
    assert find(text, "Friday", anchor).value == "1998-08-07"  # "next to" is a place, not a future cue
    text = "The U.S. attorney has scheduled a news conference Thursday to announce a development."
    assert find(text, "Thursday", dt.date(1999, 5, 5)).value == "1999-05-06"
    text = "Oneida declared a 10% stock dividend, payable Dec. 15 to stock of record Nov. 17."
    assert find(text, "Dec. 15", dt.date(1989, 10, 26)).value == "1989-12-15"


def test_bare_month_with_no_cue_is_next_month_rather_than_eleven_back():
    text = "Iraq warned Japanese oil companies of a cutback in its oil supply in September."
    assert find(text, "September", dt.date(1990, 8, 16)).value == "1990-09"
    assert find("In January, a doctor was shot.", "January", dt.date(1998, 10, 25)).value == "1998-01"


def test_rates_and_statistics_are_not_time_expressions():
    anchor = dt.date(1989, 10, 30)
    assert tag("Revenue is expected to increase by 20% annually.", anchor) == []
    assert tag("That is 5% of Nasdaq's average daily volume.", anchor) == []
    assert tag("Qantas flies four flights a week to Bombay.", anchor) == []
    assert tag("The economy created jobs at a rate of 358,000 a month.", anchor) == []
    # a sum of money per period stays a SET, and an adverbial frequency too
    assert find("The dividend rate is $1.76 a year.", "a year", anchor).type == "SET"
    assert find("Such rallies are held here annually.", "annually", anchor).value == "P1Y"
    assert find("They rallied daily outside the home.", "daily", anchor).value == "P1D"


def test_discourse_now_titles_and_quarterly_are_not_timexes():
    anchor = dt.date(1991, 2, 25)
    assert tag('Iraq was ready to withdraw. Now, he says, "it looks bad."', anchor) == []
    assert find("Now the court must decide.", "Now", anchor).value == "PRESENT_REF"
    assert tag('Baker said on ABC-TV\'s "This Week With David Brinkley" that it failed.', anchor) == []
    assert find("This week, the company paid.", "This week", anchor).value == "1991-W09"
    assert tag("The quarterly results reflected a charge.", anchor) == []
    assert find("The quarter was terrible.", "The quarter", anchor).type == "DATE"


def test_a_decade_word_after_high_low_or_a_possessive_is_no_date():
    """'polling in the high forties' is a quantity, 'in his early forties' an age; 'the forties' a decade."""
    import datetime as dt

    from storyline.nlp.timex import tag

    anchor = dt.date(2016, 5, 1)
    for text in ("Clinton is polling in the high forties in Ohio.", "Temperatures stay in the low thirties.",
                 "She is in her early forties.", "a man in his forties", "turnout in the upper sixties"):
        assert tag(text, anchor) == [], text
    for text, value in (("He grew up in the forties.", "194"), ("In the late sixties the town grew.", "196"),
                        ("prices of the 1970s", "197")):
        assert [t.value for t in tag(text, anchor)] == [value], text


def test_later_and_earlier_count_from_the_narratives_reference_time():
    """'a year later' counts from the last time the text named (the narrative's), 'ago' from the report's."""
    anchor = dt.date(2016, 8, 3)
    text = "In 1983 he joined IBM. One year later he was fired. Two months later he returned."
    assert find(text, "One year later", anchor).value == "1984"
    # the story stands at 1984 with no month: which month two months later is, the text does not say
    assert find(text, "Two months later", anchor).value == "XXXX-XX"
    text = "When Trump announced his candidacy in June 2015, he spoke of a wall. A month later, he visited the border."
    assert find(text, "A month later", anchor).value == "2015-07"
    text = "In 1983 IBM hired him. In 1984 he was promoted. The following year he left, and that year he married."
    assert find(text, "The following year", anchor).value == "1985"
    assert find(text, "that year", anchor).value == "1985"
    # "since 2012" is a span up to the report's time, not a time the story stands at
    text = ("Obama met her after a speech last winter; her husband has been held since 2012. "
            "A year later, Obama called her.")
    assert find(text, "A year later", dt.date(2016, 1, 20)).value == "2016"
    # with no time named before it, the report's time is the reference
    assert find("A week later the vote is held.", "A week later", anchor).value == "2016-W32"


def test_deictic_expressions_keep_the_reports_time_after_a_narrative_year():
    anchor = dt.date(2016, 8, 3)  # a Wednesday
    text = ("In 1983 he joined IBM. Two years ago he retired. Yesterday he spoke. Last week he flew. "
            "On Monday he rested.")
    assert [(t.text, t.value) for t in tag(text, anchor)] == [
        ("1983", "1983"), ("Two years ago", "2014"), ("Yesterday", "2016-08-02"), ("Last week", "2016-W30"),
        ("Monday", "2016-08-01")]


def test_a_year_less_day_takes_the_narratives_year_where_the_text_sets_it():
    # the day the text named with its year is the same day later on, whatever the clause's tense
    text = "On July 25, 2019, Trump spoke with Zelensky. Democrats will examine Trump's July 25 call."
    assert find(text, "July 25", dt.date(2020, 2, 10)).value == "2019-07-25"
    # a sentence opened by its year, told in the past
    text = "In 2008, Obama's campaign began airing ads in mid-September."
    assert find(text, "mid-September", dt.date(2016, 9, 4)).value == "2008-09"
    # the past perfect after a year the story stands at
    text = "In 1983 IBM hired him. On July 25 he had already left."
    assert find(text, "July 25", dt.date(2016, 9, 4)).value == "1983-07-25"


def test_a_year_less_day_stays_in_the_reports_year_after_background_years():
    """News writes the dates of the report's year without the year (AP style)."""
    assert find("Turkey signed the deal in 2017. On April 16, Erdogan said it was done.", "April 16",
                dt.date(2019, 5, 1)).value == "2019-04-16"
    text = "Internet gambling, which became legal in late 2013, was up 36 percent in October."
    assert find(text, "October", dt.date(2015, 11, 13)).value == "2015-10"
    text = "The bank, which has held rates near zero since December 2008, is expected to act in December."
    assert find(text, "December", dt.date(2015, 11, 9)).value == "2015-12"
    text = "Sales in May 2015 were flat. Sanders told Rolling Stone in late May that he was doing well."
    assert find(text, "late May", dt.date(2016, 6, 5)).value == "2016-05"  # a month is not the same month


@pytest.mark.parametrize("text", [
    "Polls put her in the forties.", "Clinton's support is in the forties in most polls.",
    "She won 52 percent; he scored in the 90s.", "Temperatures in the 90s are expected.",
    "His approval rating dipped into the mid-20s before the election.",
    "Clinton's figure has improved to the low 40s in the polls, while Trump's remains in the 30s.",
    "The 90s were good.", "He is in his 40s.",
])
def test_a_figure_is_no_decade(text):
    assert tag(text, dt.date(2016, 5, 1)) == [], text


@pytest.mark.parametrize("text, piece, value", [
    ("He grew up in the 90s.", "the 90s", "199"),
    ("Germany in the ‘20s, or Zimbabwe in the ‘90s,", "the ‘20s", "192"),
    ("I observed him in the late '90s.", "the late '90s", "199"),
    ("Prices rose 5% in the nineties.", "the nineties", "199"),
    ("Hate group numbers dropped through the nineties, but this year they jumped twenty percent.", "the nineties",
     "199"),
])
def test_a_decade_however_written(text, piece, value):
    assert find(text, piece, dt.date(2016, 5, 1)).value == value
