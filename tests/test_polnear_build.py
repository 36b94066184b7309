"""A build of all PolNeAR texts (train and dev: 924 US political news articles nobody here wrote; the test
split is never read), checked as a whole: speakers, entity names and claim conflicts (issues 17 and 18).
SQLite only (one build, about nine minutes of one core: make test starts it first); skipped when ../shared
is absent."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from storyline.nlp.names import ORG_WORDS
from storyline.nlp.quotes import SPEAKER_KINDS
from storyline.pipeline import build
from storyline.stories.claims import is_name
from storyline.store import Store
from tests.conftest import SHARED, sqlite_only

TEXTS = [SHARED / "bench" / "attribution" / part / "text" for part in ("train", "dev")]

pytestmark = [sqlite_only, pytest.mark.first]

# a time of day, a bare number or figure: never a speaker
_TIME = re.compile(r"^\W*\d{1,2}(?::\d\d)?\s*(?:[ap]\.?\s?m\.?)?\W*$|^\W*[\d.,%$]+\W*$", re.I)
# a figure glued to a name ("Trump 34 percent", "Trump 46 to 40 percent"), a year after a possessive
# ("Obama's 2008"), a date ("… on Nov. 3")
_GLUED = re.compile(r"\d\s*(?:%|percent\b|points?\b)|\d+\s*(?:to|-|–)\s*\d+|['’]s\s+\d{4}$"
                    r"|\b(?:on|in)\s+(?:[A-Z][a-z]{2}\.?\s+)?\d", re.I)


@pytest.fixture(scope="module")
def polnear_db(tmp_path_factory) -> str:
    if not all(p.is_dir() for p in TEXTS):
        pytest.skip("../shared/bench/attribution is not present")
    db = str(tmp_path_factory.mktemp("polnear") / "polnear.db")
    with Store(db) as store:
        build(TEXTS, store)
    return db


def test_speakers_are_of_the_known_kinds_and_never_a_time_number_or_headline(polnear_db):
    with Store(polnear_db) as store:
        quotes = store.quotes()
        titles = {a.id: " ".join(a.title.split()).casefold() for a in store.articles() if a.title}
    kinds = Counter((q.get("speaker") or {}).get("type") for q in quotes)
    print("speaker kinds:", dict(kinds))
    assert set(kinds) - {None} <= set(SPEAKER_KINDS), kinds
    assert sum(n for k, n in kinds.items() if k) > 1000  # most quotes have a speaker
    bad = []
    for q in quotes:
        sp = q.get("speaker")
        if not sp:
            continue
        name = " ".join((sp.get("text") or sp.get("name") or "").split())
        assert name, q
        title = titles.get(q["article_id"], "")
        if (_TIME.match(name) or not re.search(r"[^\W\d_]", name)
                or (len(name.split()) >= 4 and name.casefold() in title) or (name.isupper() and len(name.split()) >= 3)):
            bad.append(name)
    assert not bad, bad[:20]


# words a name does not start with: prepositions and conjunctions ("Beneath Clinton", "Between [Donald Trump")
_FUNCTION_WORDS = frozenset("""about after against amid among as at because before beneath between beyond by despite
during for from if into of onto since through throughout to toward towards unless until upon via whereas while with
within without and nor or but although though""".split())  # not "in", "near", "inside": "Near East", "Inside Edition"


def test_entity_names_are_names(polnear_db):
    from storyline.nlp.lexicon import wordnet

    with Store(polnear_db) as store:
        _, ents = store.entities_page(limit=-1, max_mentions=0)
    names = {e["name"]: e for e in ents if e["type"] not in ("WORK_OF_ART", "EVENT", "LAW")}  # titles keep theirs
    wn = wordnet()

    def not_a_start(name: str) -> bool:
        words = name.split()
        w = words[0].casefold().strip(".,'’\"[(")
        adverb = bool(wn.synsets(w, "r")) and not any(wn.synsets(w, p) for p in ("n", "v", "a"))
        # a sentence adverb ("Certainly <Name>", "Constantly"), a lone adverb ("ASAP"), a function word, a bracket
        return (adverb and (w.endswith("ly") or len(words) == 1)) or w in _FUNCTION_WORDS or words[0][0] in "[(<{"

    starts_adverb = [n for n in names if n.split() and not_a_start(n)]
    assert not starts_adverb, starts_adverb[:20]
    glued = [n for n in names if _GLUED.search(n)]
    assert not glued, glued[:20]
    # a person's name holds no number of its own ("Donald Trump 384", "Marco Rubio 3")
    numbered = [n for n, e in names.items() if e["type"] == "PERSON" and any(t.isdigit() for t in n.split())]
    assert not numbered, numbered[:20]
    for bad in ("Trump v. Trump", "Certainly Donald Trump", "Trump 34 percent"):
        assert bad not in names
    # no word in lower case at a name's edge ("this White House", "Twitter junkie"; particles such as "de", "al"
    # and brand names with a capital inside, "iPhone", are name words), no link, no phrase broken by a spaced dash
    particles = {"de", "da", "das", "do", "dos", "du", "del", "della", "di", "van", "von", "der", "den", "ter", "ten",
                 "al", "el", "bin", "ibn", "ben", "la", "le", "y"}

    def common_edge(name: str) -> bool:
        words = [w for w in name.split() if any(c.isalpha() for c in w)]
        return any(w.islower() and w.strip(".,'’") not in particles for w in (words[:1] + words[-1:]))

    edged = [n for n, e in names.items() if e["type"] in ("PERSON", "ORG", "GPE", "NORP", "LOC", "FAC")
             and common_edge(n) and not (e["type"] == "ORG" and n.split()[-1] in ORG_WORDS)]  # "<Town> city council"
    assert not edged, edged[:20]
    broken = [n for n in names if "://" in n or " - " in n or " -- " in n]
    assert not broken, broken[:20]
    # a title joined to a name by "for" or "of" is someone else's ("a spokeswoman for Mr. Trump")
    roles = [(n, r) for n, e in names.items() for r in e.get("roles") or [] if r.split()[-1].lower() in ("for", "of")]
    assert not roles, roles[:20]


def test_one_barack_obama(polnear_db):
    with Store(polnear_db) as store:
        _, ents = store.entities_page(limit=-1, max_mentions=0)
    people = [e for e in ents if e["type"] == "PERSON" and e["name"] in ("Barack Obama", "Obama", "B. Hussein Obama",
                                                                           "Barack Hussein Obama", "President Obama")]
    assert [e["name"] for e in people] == ["Barack Obama"], [(e["name"], e["mention_count"]) for e in people]
    print("Barack Obama:", people[0]["mention_count"], "mentions, aliases", people[0].get("aliases"))
    assert people[0]["mention_count"] > 200, people[0]["mention_count"]  # "Obama" alone is him
    assert "Obama" in (people[0].get("aliases") or [])


def test_claim_conflicts_are_between_articles_about_canonical_entities(polnear_db):
    with Store(polnear_db) as store:
        claims = store.claims()
        _, ents = store.entities_page(limit=-1, max_mentions=0)
    canonical = {e["name"] for e in ents}
    conflicts = [c for c in claims if c["status"] == "conflict"]
    print("claims:", dict(Counter(c["status"] for c in claims)),
          "conflicts:", sorted((c["subject"], c["attribute"]) for c in conflicts))
    assert claims and all(c["values"] and all(v["article_id"] and v["span"] for v in c["values"]) for c in claims)
    for c in claims:
        if c["status"] != "single":  # compared: always two articles at least
            assert len({v["article_id"] for v in c["values"]}) >= 2, c
    for c in conflicts:
        a, b = (c["values"][i] for i in c["pair"])
        assert a["article_id"] != b["article_id"] and a["value"] != b["value"], c
        assert c["about"], c["subject"]
        for name in c["about"]:  # the subject names canonical entities (or an event of them)
            assert is_name(name) and name in canonical and name in c["subject"], (c["subject"], name)
