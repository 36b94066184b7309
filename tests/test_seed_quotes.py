"""Who said what in the seeds, as a careful reader lists it: every attributed statement of the five
seed articles (direct, partial and reported speech whose source the text names or describes), each
with the speaker and the kind that reader gives it, checked on a full build (the stored quotes, with
their speakers linked across the corpus)."""

from __future__ import annotations

import pytest

from storyline.nlp.quotes import SPEAKER_KINDS
from storyline.store import Store

# (a distinctive fragment of the words, the speaker as the text names it or its canonical name, kind).
# Read by hand from ../shared/seeds, in reading order per article; questions put by an unnamed asker
# ("When asked if ...", "A TV correspondent asked ...") are not statements and are left out.
SEED_STATEMENTS = [
    # 000: the S-400 deal signed; Russia on Taiwan
    ("they signed a deal in which Moscow would sell Ankara", "Moscow and Ankara", "GROUP"),
    ("Signatures have been made", "Recep Tayyip Erdogan", "PERSON"),
    ("are determined on this issue", "Recep Tayyip Erdogan", "PERSON"),  # "He stated that he and ..."
    ("will not impede the S-400 missiles deal", "James Mattis", "PERSON"),
    ("sovereign decision", "James Mattis", "PERSON"),
    ("is part of the political game", "Ivan Konovalov", "PERSON"),
    ("can be ruled out at this current time", "Ivan Konovalov", "PERSON"),
    ("S-400 missiles are designed to protect", "Russia", "ORG"),
    ("is using Taiwan to provoke", "Andrei Rudenko", "PERSON"),
    ("We see that Washington", "Andrei Rudenko", "PERSON"),
    ("The goal of such obvious US interference", "Andrei Rudenko", "PERSON"),  # a quote standing alone
    ("it was standing alongside China on Asian issues", "Russia", "ORG"),
    ("deliberate attempts", "Russia", "ORG"),
    ("no limits", "China and Russia", "GROUP"),
    ("new era", "Putin and Chinese President Xi Jinping", "GROUP"),
    # 001: Izvestiya's account
    ("may clear the way for its purchase", "a Russian newspaper", "MEDIA"),
    ("increasingly likely to strike a deal", "Fikri Isik", "PERSON"),
    ("will understand", "Fikri Isik", "PERSON"),
    ("still holding talks", "Mevlut Cavusoglu", "PERSON"),
    ("the Chinese offer was the best deal", "Turkish officials", "GROUP"),
    ("some NATO countries using non-NATO systems", "Fikri Isik", "PERSON"),  # "Turkey's Defense Minister"
    ("Turkey may decide to use Russian missiles", "Turkish media", "GROUP"),
    ("could be discussed during the meeting", "Dmitry Peskov", "PERSON"),
    ("the United States pressured Turkey", "Izvestiya", "MEDIA"),  # "The newspaper points out"
    ("using threats of freezing some military and technical projects", "Izvestiya", "MEDIA"),  # "It is noted"
    ("seems to have more chances of being fulfilled", "Mikhail Barabanov", "PERSON"),
    ("first deal of its kind", "a source close to the Russian Defense Ministry", "ANONYMOUS"),
    ("political factors play a key role", "The source", "ANONYMOUS"),
    ("did not offer due support", "Izvestiya", "MEDIA"),  # "The Russian newspaper writes"
    ("it is still unknown how many S-400 systems", "the source", "ANONYMOUS"),
    # 002: Putin and the Russia-Turkey Cooperation Council
    ("other projects to supply weapons", "Vladimir Putin", "PERSON"),
    ("There are also tasks before our countries", "Vladimir Putin", "PERSON"),
    ("would not give up plans to buy the S-400s", "Ankara authorities", "GROUP"),
    ("incompatible with NATO standards", "US", "ORG"),
    ("delay or cancel the process of selling", "US", "ORG"),
    ("is a major concern in the US", "US officials", "GROUP"),
    ("reckless", "US officials", "GROUP"),
    ("undermining", "US officials", "GROUP"),
    ("could not lead to the expulsion of Ankara", "Turkish experts", "GROUP"),
    ("reliable security provider", "Hasan Basri Yalcin", "PERSON"),
    ("no one, neither in NATO", "Enes Bayrakli", "PERSON"),
    # 003: Borisov
    ("Moscow is ready to sign a new contract", "Yuri Borisov", "PERSON"),
    ("They have such an option", "Yuri Borisov", "PERSON"),
    ("China considers Russian S-400 missile systems", "Russian media", "GROUP"),
    # 004: Peskov to ANT1; Mikheev at MAKS-2021
    ("Russia intends to supply an additional batch", "Dmitry Peskov", "PERSON"),  # "This was announced by"
    ("We have a certain understanding", "Dmitry Peskov", "PERSON"),
    ("We all know that the US likes", "Dmitry Peskov", "PERSON"),  # "..., he assured."
    ("would not leave the application of such restrictions", "Ankara", "ORG"),
    ("would prepare a project to supply Turkey", "Alexander Mikheev", "PERSON"),  # "told journalists at ... that"
    ("expected to be completed in the coming months", "Alexander Mikheev", "PERSON"),  # "According to Mikheev"
    ("final consultations are being held", "Alexander Mikheev", "PERSON"),
]


@pytest.fixture(scope="module")
def seed_quotes(seed_db) -> list[dict]:
    with Store(seed_db) as s:
        return s.quotes()


def _names(sp: dict) -> set[str]:
    return {sp.get("name"), sp.get("text")}


def test_every_statement_a_careful_reader_lists_has_its_speaker(seed_quotes):
    right, wrong = [], []
    for fragment, who, kind in SEED_STATEMENTS:
        hits = [q for q in seed_quotes if fragment in q["text"]]
        ok = [q for q in hits if q.get("speaker") and who in _names(q["speaker"]) and q["speaker"]["type"] == kind]
        # the right speaker or none: no quote holding these words given to someone else
        other = [q["speaker"] for q in hits if q.get("speaker") and who not in _names(q["speaker"])]
        (right if ok and not other else wrong).append(
            (fragment, who, kind, [((q.get("speaker") or {}).get("name"), (q.get("speaker") or {}).get("type"))
                                   for q in hits]))
    assert not wrong, f"{len(right)}/{len(SEED_STATEMENTS)} right; missed or misattributed: {wrong}"


def test_seed_chains_and_groups(seed_quotes):
    by = {f: [q for q in seed_quotes if f in q["text"]] for f, _, _ in SEED_STATEMENTS}
    # "..., Peskov said earlier, Russian newspaper Izvestiya reported, as cited by ... TASS": nearest first
    assert [q["via"] for q in by["could be discussed during the meeting"]] == [["Izvestiya", "TASS"]]
    assert [q["via"] for q in by["it is still unknown how many S-400 systems"]] == [["Izvestiya"]]
    # a group keeps its own words and is no entity; its country is its affiliation
    for f in ("Turkey may decide to use Russian missiles", "the Chinese offer was the best deal"):
        sp = by[f][0]["speaker"]
        assert sp["entity_id"] is None and sp.get("affiliation_id")


def test_every_seed_speaker_kind_is_in_the_set(seed_quotes):
    kinds = {q["speaker"]["type"] for q in seed_quotes if q.get("speaker")}
    assert kinds <= set(SPEAKER_KINDS), kinds - set(SPEAKER_KINDS)
    assert {"PERSON", "GROUP", "ORG", "MEDIA", "ANONYMOUS"} <= kinds  # the seeds use all but DOCUMENT
