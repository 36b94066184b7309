"""Segmenting and cleaning on texts written here, shaped like copy from many sites."""

from __future__ import annotations

import pytest

from storyline.clean.boilerplate import clean_article
from storyline.clean.segment import split_articles, split_blocks

BODY = [
    "The harbour authority said on Thursday that dock workers would return to the cranes next week after a deal.",
    "“We have reached an agreement that protects jobs and keeps the port open,” union leader Maria Okafor said.",
    "The strike had halted container traffic for nine days and cost exporters an estimated $40 million.",
]


def _clean(text: str):
    spans = split_articles(text)
    assert len(spans) == 1
    return clean_article(text, spans[0])


def reasons(c) -> dict[str, str]:
    return {r.text: r.reason for r in c.removed}


def test_title_caption_widget_and_repeats_removed():
    cap = "Dock workers gather outside the harbour gates in Port Alder on Monday. (Photo by Jane Roe / Harbour Press)"
    text = "\n".join(["Port strike ends after nine days", "", cap, cap, "AA", "", "Port strike ends after nine days", "", cap, ""]
                     + BODY)
    c = _clean(text)
    assert c.title == "Port strike ends after nine days"
    r = reasons(c)
    assert r[cap] == "caption" and r["AA"] == "page-widget"
    assert sum(1 for x in c.removed if x.reason == "title-repeat") == 1
    assert c.text == "\n\n".join(BODY)
    for x in c.removed:  # every removed span points at its text in the document
        assert text[x.span[0]:x.span[1]] == x.text


def test_counters_ads_newsletters_and_tail():
    text = "\n\n".join(
        ["Grain exports rise for a third month", "12 1,204", BODY[0], "— Advertisement —", BODY[1], BODY[2],
         "Join our mailing list", "Get our morning briefing in your inbox every weekday.",
         "Read more: Why freight rates keep climbing",
         "Five things to know about the new quota rules",
         "Tom Baker",
         "Tom Baker is a correspondent covering trade and shipping for the paper. He previously reported from Lagos.",
         "With additional reporting by Reuters and AFP"]
    )
    c = _clean(text)
    r = reasons(c)
    assert r["12 1,204"] == "share-counter"
    assert r["— Advertisement —"] == "advertisement"
    assert r["Join our mailing list"] == "newsletter-prompt"
    assert r["Get our morning briefing in your inbox every weekday."] == "newsletter-prompt"
    assert r["Read more: Why freight rates keep climbing"] == "related-teaser"
    assert r["Five things to know about the new quota rules"] == "related-teaser"
    assert r["Tom Baker"] == "byline"
    assert r["With additional reporting by Reuters and AFP"] == "wire-credit"
    assert c.authors == ["Tom Baker"]
    assert c.syndicated_from == ["Reuters", "AFP"]
    assert c.text == "\n\n".join(BODY)


def test_dateline_line_and_prefix_kept_as_evidence():
    text = "\n\n".join(["Council backs new tram line", "14 March 2023", "LISBON (AP) – " + BODY[0], BODY[1], BODY[2]])
    c = _clean(text)
    assert "14 March 2023" in c.datelines and "LISBON (AP)" in c.datelines
    assert c.syndicated_from == ["AP"]
    assert c.text.startswith("The harbour authority")
    assert c.text_map[0][1] == text.index("The harbour authority")


@pytest.mark.parametrize("stamp, kind", [
    ("Posted on Thu Jun 13, 2013 08:45 AM PDT", "date"),
    ("PUBLISHED: 22:07 GMT, 7 July 2012 | UPDATED: 22:19 GMT, 7 July 2012", "date"),
    ("First Published : June 13 , 2013 4 : 59 PM EDT", "date"),  # tokenised copy: punctuation set apart
    ("9 September 2013 Last updated at 14:39 GMT", "bound"),  # when it was updated bounds when it was published
    ("Updated: July 7, 2012, 10:04 PM ET", "bound"),
])
def test_publication_stamps_are_furniture_and_evidence(stamp, kind):
    from storyline.model import DocMeta
    from storyline.published import publication

    text = "\n\n".join(["Council backs new tram line", stamp, BODY[0], BODY[1], BODY[2]])
    c = _clean(text)
    assert c.title == "Council backs new tram line" and reasons(c)[stamp] == "dateline"
    assert c.text.startswith("The harbour authority")
    p = publication(DocMeta(), c.datelines, c.text, [], c.later_dates)
    if kind == "date":
        assert stamp in c.datelines and p.date is not None and p.date == p.latest
    else:
        assert stamp in c.later_dates and p.date is None and p.latest is not None


def test_sentences_about_publishing_and_date_headings_stay():
    kept = ["The report was published on Monday, June 3, 2013 by the ministry.", "March 2014",
            "Russia posted gains in May 2013 and again in June."]
    c = _clean("\n\n".join(["Council backs new tram line", BODY[0], *kept, BODY[1], BODY[2]]))
    assert all(k in c.text for k in kept), reasons(c)


@pytest.mark.parametrize("url", ["https://www.example.org/news/2013/09/18/tram-line-approved",
                                 "http : / / www . example . org / news / technology - 24142934"])
def test_a_web_address_above_the_article_is_not_its_title(url):
    from storyline.model import DocMeta
    from storyline.published import publication

    c = _clean("\n\n".join([url, "Council backs new tram line", BODY[0], BODY[1], BODY[2]]))
    assert c.title == "Council backs new tram line"
    assert reasons(c)[url] == "web-address" and url not in c.text
    # a full date in the address's path dates the page, as htmldate takes one from a URL; none, no date
    p = publication(DocMeta(), c.datelines, c.text, [], c.later_dates)
    assert p.date == ("2013-09-18" if "2013/09/18" in url else None)


@pytest.mark.parametrize("quoted", ["She said : `` We have reached an agreement that protects jobs . ''",
                                    "She said: ''We have reached an agreement that protects jobs.''",
                                    "She said, `` We have reached an agreement that protects jobs"])
def test_a_quoted_line_set_with_two_apostrophes_or_backquotes_is_not_the_title(quoted):
    # tokenised copy (Penn Treebank quote marks, a space before them) and papers that set '' for a double mark
    c = _clean("\n\n".join([BODY[0], quoted, BODY[1], BODY[2]]))
    assert c.title is None and quoted in c.text, reasons(c)


def test_a_line_that_goes_on_from_the_one_before_is_not_the_title():
    c = _clean("\n\n".join(["But is that true for every port?", BODY[0], BODY[1], BODY[2]]))
    assert c.title is None and "But is that true" in c.text, reasons(c)
    c = _clean("\n\n".join(["Is that true for every port?", BODY[0], BODY[1], BODY[2]]))
    assert c.title == "Is that true for every port?"


def test_body_sentences_with_cue_words_are_kept():
    body = BODY + [
        "The ministry urged farmers to sign up for the new insurance scheme before the deadline.",
        "Read the full ruling, the judge told reporters, before drawing conclusions about the case.",
        "Shares in the company rose 3% after the announcement (Reuters reported the figure first).",
    ]
    c = _clean("\n\n".join(["Farm insurance scheme opens", *body]))
    assert c.removed[0].reason == "title" and len(c.removed) == 1
    assert c.text == "\n\n".join(body)


def test_two_articles_in_one_file_each_keep_their_span():
    a = "\n".join(["First story headline here", "A photo caption for the first story. (AFP)", "TT", "",
                   "First story headline here", ""] + BODY)
    b = "\n".join(["Second, unrelated story about elections", "", "Second, unrelated story about elections", "",
                   "Voters in the northern district went to the polls on Sunday in a closely watched race.",
                   "Turnout reached 61 percent, the election commission said in a statement late on Sunday."])
    text = a + "\n\n\n\n" + b
    spans = split_articles(text)
    assert len(spans) == 2
    assert text[spans[0][0]:spans[0][1]].startswith("First story") and text[spans[0][0]:spans[0][1]].endswith("$40 million.")
    assert text[spans[1][0]:spans[1][1]].startswith("Second, unrelated")
    titles = [clean_article(text, s).title for s in spans]
    assert titles == ["First story headline here", "Second, unrelated story about elections"]


def test_subheading_and_bigger_gap_do_not_split_an_article():
    text = "Headline of a single story\n\n" + "\n\n".join(BODY[:2]) + "\n\n\n\nA section heading\n\n" + BODY[2]
    assert len(split_articles(text)) == 1


def test_hard_wrapped_lines_join_into_one_paragraph():
    text = "A long sentence that was wrapped\nby the scraper at a fixed width.\n\nNext paragraph."
    blocks = split_blocks(text)
    assert [b.text for b in blocks] == ["A long sentence that was wrapped\nby the scraper at a fixed width.", "Next paragraph."]


def test_parenthetical_asides_are_not_photo_credits():
    body = BODY + [
        "Critics said the deal came too late for the workers who had already left. (The union disputes that.)",
        "Until then, get used to it.",
    ]
    c = _clean("\n\n".join(["Port deal divides the town", *body]))
    assert c.text == "\n\n".join(body)


def test_reporter_credit_goes_to_authors_and_social_prompt_is_removed():
    text = "\n\n".join(["Port deal divides the town", *BODY, "Follow Ana Ruiz on Twitter @anaruiz.",
                        "(Reporting by Ana Ruiz in Lisbon; Editing by Tom Li.)"])
    c = _clean(text)
    assert reasons(c) == {"Port deal divides the town": "title", "Follow Ana Ruiz on Twitter @anaruiz.": "newsletter-prompt",
                          "(Reporting by Ana Ruiz in Lisbon; Editing by Tom Li.)": "wire-credit"}
    assert c.authors == ["Ana Ruiz"] and c.syndicated_from == []
