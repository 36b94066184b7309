"""Entity mentions (spaCy + generic fixes) and canonical entities across articles."""

from __future__ import annotations


import pytest

from storyline.model import Entity, Mention
from storyline.nlp.canonical import EntityIndex, canonicalise
from storyline.nlp.entity_mentions import mentions
from storyline.nlp.names import country_of


@pytest.fixture(scope="module")
def nlp():
    from storyline.nlp.annotate import load_nlp

    return load_nlp()


def ments(nlp, text: str) -> list[Mention]:
    return mentions(nlp(text))


def by_name(entities: list[Entity], name: str) -> Entity:
    hits = [e for e in entities if e.name == name]
    assert len(hits) == 1, (name, [(e.name, e.type, e.aliases) for e in entities])
    return hits[0]


def entity_of(entities: list[Entity], article_id: str, text: str) -> Entity:
    hits = [e for e in entities if any(a == article_id and t == text for a, _, t in e.mentions)]
    assert len(hits) == 1, (text, [(e.name, e.type, e.mentions) for e in hits])
    return hits[0]


def corpus(nlp, texts: dict[str, str]) -> list[Entity]:
    ids = list(texts)
    return canonicalise({aid: mentions(doc) for aid, doc in zip(ids, nlp.pipe(texts[a] for a in ids))})


def m(name: str, start: int, type: str = "PERSON", role: str | None = None, text: str | None = None) -> Mention:
    t = text or name
    return Mention(span=(start, start + len(t)), text=t, type=type, name=name, role=role)


# ---------------------------------------------------------------- mentions(): titles and names


def test_titles_become_roles_and_names_lose_them(nlp):
    got = ments(nlp, "Presidential spokesman Dmitry Peskov said the talks went well. Russian Deputy Foreign "
                     "Minister Sergei Ryabkov told reporters that Moscow would respond.")
    people = [x for x in got if x.type == "PERSON"]
    assert [(p.name, p.role, p.text) for p in people] == [
        ("Dmitry Peskov", "Presidential spokesman", "Presidential spokesman Dmitry Peskov"),
        ("Sergei Ryabkov", "Deputy Foreign Minister", "Deputy Foreign Minister Sergei Ryabkov"),
    ]
    text = "Presidential spokesman Dmitry Peskov said the talks went well. Russian Deputy Foreign " \
           "Minister Sergei Ryabkov told reporters that Moscow would respond."
    for x in got:
        assert text[x.span[0]:x.span[1]] == x.text
    # the nationality is its own mention, not part of the title; the stray ORG "Presidential" is gone
    assert ("Russian", "NORP", "Russia") in [(x.name, x.type, x.stands_for) for x in got]
    assert not [x for x in got if x.type == "ORG"]


def test_titles_with_of_honorifics_and_appositions(nlp):
    got = ments(nlp, "Secretary of State Antony Blinken met Prime Minister Kyriakos Mitsotakis in Athens. "
                     "Mr. Blinken said the alliance was strong. Mikhail Barabanov, a researcher at the "
                     "institute, told the paper.")
    roles = {x.name: x.role for x in got if x.type == "PERSON"}
    assert roles == {"Antony Blinken": "Secretary of State", "Kyriakos Mitsotakis": "Prime Minister",
                     "Blinken": None, "Mikhail Barabanov": "researcher"}


def test_title_inside_a_misread_org_is_trimmed(nlp):
    text = ("In July 2021, Rosoboronexport General Director Alexander Mikheev told journalists at the show. "
            "This was announced by Presidential spokesman Dmitry Peskov.")
    got = ments(nlp, text)
    people = [(x.name, x.role) for x in got if x.type == "PERSON"]
    assert people == [("Alexander Mikheev", "General Director"), ("Dmitry Peskov", "Presidential spokesman")]
    others = [(x.text, x.type) for x in got if x.type != "PERSON"]
    assert others == [("Rosoboronexport", "ORG")]  # spaCy: ORG "Rosoboronexport General", ORG "Presidential"


def test_name_cleanup(nlp):
    got = ments(nlp, "The United Nations said on Friday that Putin's envoy had left. Officials of "
                     "the European Commission, including non-NATO members, met in Geneva.")
    names = [(x.name, x.type) for x in got]
    assert ("United Nations", "ORG") in names  # leading "the" out of the name
    assert ("Putin", "PERSON") in names  # no possessive
    assert ("European Commission", "ORG") in names  # no trailing comma
    assert all(x.name[0].isupper() for x in got)
    un = next(x for x in got if x.name == "United Nations")
    assert un.text == "The United Nations"  # the literal text keeps its article


def test_entity_over_line_break_is_split_and_junk_dropped(nlp):
    # (a blank line ends a sentence before the parser and the recogniser read it, so no entity runs over one;
    # over a single line break the recogniser still runs a name into the next line's)
    got = ments(nlp, "Neal Path\nNeal Path is a reporter covering defense.\nTT\nSubscribe to our newsletter")
    assert [x.text for x in got if x.type == "PERSON"] == ["Neal Path", "Neal Path"]
    assert not [x for x in got if x.name in ("TT", "Subscribe")]
    got = ments(nlp, "Neal Path\n\nNeal Path is a reporter covering defense.\n\nTT\n\nSubscribe to our newsletter")
    assert all("\n" not in x.text for x in got) and not [x for x in got if x.name in ("TT", "Subscribe")]


def test_person_that_is_a_country_is_retyped():
    from storyline.nlp.names import country_name, name_key

    assert country_name(name_key("the U.S.")) == "United States"
    assert country_of("Turks") == "Turkey" and country_of("Ankara") == "Turkey" and country_of("Smith") is None


# ---------------------------------------------------------------- product codes


def test_product_codes_and_plurals(nlp):
    text = ("Greece received S-300 missiles in 1998. The F-35s were delayed, and each F-35 costs more. Russia "
            "showed the Su-57 and two Su-57s. Turkey bought S-400 Triumph systems, more S-400s and China's HQ-9. "
            "The MiG-29 flew at the MAKS-2021 air show. Moscow would sell Ankara S-400 missiles.")
    got = ments(nlp, text)
    products = [x.text for x in got if x.type == "PRODUCT"]
    assert products == ["S-300", "F-35s", "F-35", "Su-57", "Su-57s", "S-400 Triumph", "S-400s", "HQ-9",
                        "MiG-29", "S-400"]
    # "Ankara S-400" (spaCy: one PERSON) is the capital plus the product
    assert ("Ankara", "GPE", "Turkey") in [(x.name, x.type, x.stands_for) for x in got]
    ents = canonicalise({"a": got})
    s400 = by_name(ents, "S-400 Triumph")
    assert sorted(t for _, _, t in s400.mentions) == ["S-400", "S-400 Triumph", "S-400s"]
    assert sorted(by_name(ents, "Su-57").aliases) == ["Su-57s"]
    assert by_name(ents, "F-35").aliases == ["F-35s"]
    assert by_name(ents, "S-300").id != s400.id


def test_designation_headline_does_not_take_following_word(nlp):
    got = ments(nlp, "Russia, Turkey Sign S-400 Deal despite Criticism and Suspicion\n\nThe deal was signed.")
    assert [x.text for x in got if x.type == "PRODUCT"] == ["S-400"]


# ---------------------------------------------------------------- countries, capitals, demonyms


def test_capitals_and_demonyms_stand_for_their_country(nlp):
    text = ("Ankara said on Tuesday that it would buy the system. Turkish officials praised the deal, and talks "
            "were held in Ankara last week. The Turks were pleased, and Turkey signed.")
    got = ments(nlp, text)
    assert [(x.text, x.type, x.stands_for) for x in got] == [
        ("Ankara", "GPE", "Turkey"),  # the government
        ("Turkish", "NORP", "Turkey"),
        ("Ankara", "GPE", None),  # a place: "in Ankara"
        ("Turks", "NORP", "Turkey"),
        ("Turkey", "GPE", None),
    ]
    ents = canonicalise({"a": got})
    turkey = by_name(ents, "Turkey")
    assert turkey.type == "GPE"
    assert [t for _, _, t in turkey.mentions] == ["Turkish", "Turks", "Turkey"]
    js = turkey.to_json()
    assert [mm.get("as") for mm in js["mentions"]] == ["demonym", "demonym", None]
    assert {"Turkish", "Turks"} <= set(turkey.aliases) and "Ankara" not in turkey.aliases
    # the capital is one place entity: the government's mention marked and linked to its country
    city = by_name(ents, "Ankara")
    assert city.type == "GPE" and len(city.mentions) == 2 and city.id != turkey.id
    assert city.capital_of == turkey.id
    cj = city.to_json()
    assert [(mm.get("as"), mm.get("country_id")) for mm in cj["mentions"]] == [("capital", turkey.id), (None, None)]
    assert cj["capital_of"] == turkey.id and Entity.from_json(cj) == city
    assert [e for e in ents if "Ankara" in [e.name, *e.aliases]] == [city]


def test_us_variants_are_one_country(nlp):
    ents = corpus(nlp, {
        "a": "The U.S. said it would respond. The United States has long opposed the deal.",
        "b": "US officials warned Turkey on Monday. American diplomats agreed, and Washington imposed sanctions.",
        "c": "Relations between the United States and Russia soured.",
    })
    us = by_name(ents, "United States")
    assert {"U.S.", "US", "the United States", "American"} <= set(us.aliases) and "Washington" not in us.aliases
    assert {a for a, _, _ in us.mentions} == {"a", "b", "c"}
    assert by_name(ents, "Washington").capital_of == us.id  # "Washington imposed sanctions": the capital's own
    assert by_name(ents, "Russia").id != us.id and by_name(ents, "Turkey").id != us.id


def test_compound_demonym_is_split(nlp):
    got = ments(nlp, "Putin met Erdogan to discuss the prospects for Russian-Turkish relations.")
    assert [(x.text, x.stands_for) for x in got if x.type == "NORP"] == [("Russian", "Russia"), ("Turkish", "Turkey")]


# ---------------------------------------------------------------- people: name variants, shared surnames


def test_person_name_variants_merge_across_articles(nlp):
    ents = corpus(nlp, {
        "a": "Turkish President Recep Tayyip Erdogan said on Monday that a deposit had been paid.",
        "b": "Putin will meet Turkish President Recep Erdogan in May, his spokesman said.",
        "c": "Erdogan told reporters in Ankara that the deal was done.",
    })
    erdogan = by_name(ents, "Recep Tayyip Erdogan")
    assert erdogan.type == "PERSON"
    assert set(erdogan.aliases) == {"Recep Erdogan", "Erdogan"}
    assert erdogan.roles == ["President"]
    assert {a for a, _, _ in erdogan.mentions} == {"a", "b", "c"}
    assert by_name(ents, "Putin").id != erdogan.id


def test_bare_surname_joins_the_person_in_the_same_article():
    per = {
        "a": [m("John Smith", 0, role="Mayor"), m("Smith", 40)],
        "b": [m("Mary Smith", 0), m("Smith", 30)],
    }
    ents = canonicalise(per)
    john, mary = by_name(ents, "John Smith"), by_name(ents, "Mary Smith")
    assert john.id != mary.id
    assert [(a, t) for a, _, t in john.mentions] == [("a", "John Smith"), ("a", "Smith")]
    assert [(a, t) for a, _, t in mary.mentions] == [("b", "Mary Smith"), ("b", "Smith")]
    assert john.roles == ["Mayor"] and mary.roles == []


def test_bare_surname_without_context_joins_only_a_single_known_person():
    one = canonicalise({"a": [m("John Smith", 0)], "c": [m("Smith", 5)]})
    assert [(a, t) for a, _, t in by_name(one, "John Smith").mentions] == [("a", "John Smith"), ("c", "Smith")]
    two = canonicalise({"a": [m("John Smith", 0)], "b": [m("Mary Smith", 0)], "c": [m("Smith", 5)]})
    assert len([e for e in two if e.type == "PERSON"]) == 3
    assert [t for _, _, t in by_name(two, "Smith").mentions] == ["Smith"]


def test_a_bare_surname_goes_to_the_bearer_the_article_names_first():
    """A second bearer is named in full where meant ("Anne Marie Murphy"); the surname alone stays with the person
    the article named first, not the one named last before it."""
    per = {"a": [m("Chris Murphy", 0), m("Murphy", 40), m("Anne Marie Murphy", 80), m("Murphy", 120),
                 m("Anne Marie Murphy", 160), m("Murphy", 200)]}
    ents = canonicalise(per)
    assert [s[0] for _, s, _ in by_name(ents, "Chris Murphy").mentions] == [0, 40, 120, 200]
    assert [s[0] for _, s, _ in by_name(ents, "Anne Marie Murphy").mentions] == [80, 160]
    # a headline read as one name ("Clinton Slams Donald Trump") is the person whose name ends it
    per = {"b": [m("Clinton Slams Donald Trump", 0), m("Melania Trump", 40), m("Donald Trump", 80), m("Trump", 120)]}
    assert [s[0] for _, s, _ in by_name(canonicalise(per), "Donald Trump").mentions] == [80, 120]


def test_a_bare_surname_goes_to_the_bearer_the_article_names_most_not_a_child_it_lists_once():
    per = {"a": [m("Mario Lanza", 0), m("Mario Lanza", 60), m("Mario Lanza", 120),
                 m("Rita Maria Lanza", 180), m("Paolo Lanza", 220), m("Lanza", 260)]}
    ents = canonicalise(per)
    assert [s[0] for _, s, _ in by_name(ents, "Mario Lanza").mentions] == [0, 60, 120, 260]
    assert [s[0] for _, s, _ in by_name(ents, "Paolo Lanza").mentions] == [220]


def test_an_honorific_goes_to_the_bearer_of_its_gender():
    """"Mrs. Clinton" is not Bill Clinton, named last before it, and "Mr. Clinton" not Hillary: the honorific's gender
    against the given name's (the census's given names, the `names` package). A given name both genders bear
    ("Lindsey") decides nothing."""
    per = {"a": [m("Hillary Clinton", 0), m("Bill Clinton", 50), m("Clinton", 100, text="Mrs. Clinton"),
                 m("Clinton", 150, text="Mr. Clinton")],
           "b": [m("Lindsey Lanza", 0), m("Paolo Lanza", 40), m("Lanza", 80, text="Mr. Lanza")]}
    ents = canonicalise(per)
    assert [s[0] for _, s, _ in by_name(ents, "Hillary Clinton").mentions] == [0, 100]
    assert [s[0] for _, s, _ in by_name(ents, "Bill Clinton").mentions] == [50, 150]
    # "Lindsey" is not left out for "Mr.": the bearer named first takes it
    assert [s[0] for _, s, _ in by_name(ents, "Lindsey Lanza").mentions] == [0, 80]
    # the one bearer an article names in full is not taken for a woman the text calls "Mrs."
    per = {"c": [m("Bill Clinton", 0), m("Clinton", 50, text="Mrs. Clinton")]}
    assert [s[0] for _, s, _ in by_name(canonicalise(per), "Bill Clinton").mentions] == [0]


def test_a_bare_surname_with_a_title_goes_to_the_bearer_the_article_gives_that_title():
    per = {"a": [m("Bill Lanza", 0, role="Former President", text="Former President Bill Lanza"),
                 m("Hillary Lanza", 50), m("Lanza", 100, text="Mrs. Lanza"),
                 m("Lanza", 150, role="President", text="President Lanza")]}
    ents = canonicalise(per)
    assert [s[0] for _, s, _ in by_name(ents, "Bill Lanza").mentions] == [0, 150]


def test_an_honorific_keeps_a_bare_surname_from_a_bearer_of_the_other_gender_across_articles():
    per = {"a": [m("Michael Lanza", 0), m("Lanza", 40)], "b": [m("Michael Lanza", 0), m("Lanza", 40)],
           "c": [m("Lanza", 10, text="Ms. Lanza")], "d": [m("Lanza", 10, text="Mr. Lanza")]}
    ents = canonicalise(per)
    michael = by_name(ents, "Michael Lanza")
    assert {a for a, _, _ in michael.mentions} == {"a", "b", "d"}
    # one article writes both, naming neither in full: two people, each the bearer of the honorific's gender
    per["e"] = [m("Maria Lanza", 0)]
    per["f"] = [m("Lanza", 10, text="Mrs. Lanza"), m("Lanza", 40, text="Mr. Lanza")]
    ents = canonicalise(per)
    assert [s[0] for a, s, _ in by_name(ents, "Maria Lanza").mentions if a == "f"] == [10]
    assert [s[0] for a, s, _ in by_name(ents, "Michael Lanza").mentions if a == "f"] == [40]


def test_a_nickname_and_its_given_name_are_one_person_other_given_names_stay_apart():
    per = {"a": [m("William Lanza", 0), m("Lanza", 40)], "b": [m("Bill Lanza", 0)], "c": [m("Hillary Lanza", 0)],
           "d": [m("Mike Lanza", 0)], "e": [m("Michael Lanza", 0)]}
    ents = canonicalise(per)
    people = [e for e in ents if e.type == "PERSON"]
    assert len(people) == 3, [(e.name, e.aliases) for e in people]
    bill = next(e for e in people if {a for a, _, _ in e.mentions} == {"a", "b"})
    assert bill.name in ("William Lanza", "Bill Lanza")
    assert any({a for a, _, _ in e.mentions} == {"d", "e"} for e in people)


def test_different_full_names_with_one_surname_stay_apart_and_initials_join():
    ents = canonicalise({
        "a": [m("George W. Bush", 0)],
        "b": [m("George H. W. Bush", 0)],
        "c": [m("George Bush", 0)],  # could be either: its own entity
        "d": [m("John Fitzgerald Kennedy", 0)],
        "e": [m("J. Kennedy", 0), m("John Kennedy", 20)],
    })
    names = sorted(e.name for e in ents)
    assert names == ["George Bush", "George H. W. Bush", "George W. Bush", "John Fitzgerald Kennedy"]
    assert set(by_name(ents, "John Fitzgerald Kennedy").aliases) == {"J. Kennedy", "John Kennedy"}


def test_misread_org_equal_to_a_surname_in_the_article_is_the_person():
    ents = canonicalise({"a": [m("Dmitry Peskov", 0), m("Peskov", 40, type="ORG")]})
    assert [(e.name, e.type, len(e.mentions)) for e in ents] == [("Dmitry Peskov", "PERSON", 2)]


# ---------------------------------------------------------------- acronyms, types, ids, index


def test_acronym_in_parentheses_joins_its_long_name():
    long = "the China Precision Machinery Import-Export Corporation"
    per = {"a": [m("China Precision Machinery Import-Export Corporation", 0, "ORG", text=long),
                 m("CPMIEC", len(long) + 2, "GPE")],
           "b": [m("CPMIEC", 10, "ORG")]}
    ents = canonicalise(per)
    assert len(ents) == 1
    e = ents[0]
    assert (e.name, e.type) == ("China Precision Machinery Import-Export Corporation", "ORG")
    assert "CPMIEC" in e.aliases and len(e.mentions) == 3


def test_ids_are_stable_and_shape_is_the_dossier_one(nlp):
    texts = {"a": "Russian President Vladimir Putin met Turkish President Recep Tayyip Erdogan in Sochi.",
             "b": "Putin said Russia would deliver more S-400s to Turkey."}
    first = corpus(nlp, texts)
    again = corpus(nlp, texts)
    assert [e.to_json() for e in first] == [e.to_json() for e in again]
    more = corpus(nlp, {**texts, "c": "Chancellor Olaf Scholz visited Paris and met Emmanuel Macron."})
    ids_more = {e.name: e.id for e in more}
    for e in first:
        assert ids_more[e.name] == e.id
    js = by_name(first, "Vladimir Putin").to_json()
    assert set(js) >= {"id", "name", "type", "aliases", "roles", "mentions"}
    assert js["id"].startswith("e-") and js["type"] == "PERSON" and js["roles"] == ["President"]
    assert set(js["mentions"][0]) >= {"article_id", "span", "text"}
    assert isinstance(js["mentions"][0]["span"], list)


def test_entity_index_links_spans_and_names(nlp):
    text = "“A deposit has been paid,” President Recep Tayyip Erdogan said. Peskov said Moscow agreed."
    per = {"a": mentions(nlp(text)), "b": [m("Dmitry Peskov", 0)]}
    alone = canonicalise(per)  # Russia named nowhere: Moscow's link to it is dropped, a speaker gets Moscow
    moscow = by_name(alone, "Moscow")
    mo = text.index("Moscow")
    assert moscow.capital_of is None and EntityIndex(alone).link("a", (mo, mo + 6)) == moscow.id
    per["c"] = [m("Russia", 0, "GPE")]
    ents = canonicalise(per)
    idx = EntityIndex(ents)
    erdogan = by_name(ents, "Recep Tayyip Erdogan")
    s = text.index("President")
    assert idx.link("a", (s, s + len("President Recep Tayyip Erdogan")), type="PERSON") == erdogan.id
    assert idx.link("a", (0, 5), name="Recep Tayyip Erdogan") == erdogan.id  # no overlap: by name
    assert idx.link("a", None, name="Erdogan", type="PERSON") == erdogan.id  # the article's only Erdogan
    assert idx.link("a", (0, 5), name="Nobody") is None
    assert idx.link("zz", (s, s + 9)) is None
    russia = by_name(ents, "Russia")
    assert idx.link("a", (mo, mo + 6)) == russia.id  # Moscow as government -> Russia
    assert by_name(ents, "Moscow").capital_of == russia.id


def test_canonicalise_a_thousand_articles():
    base = [m("Vladimir Putin", 0, role="President"), m("Putin", 30), m("Recep Tayyip Erdogan", 60),
            m("Erdogan", 90), m("Turkey", 120, "GPE"), m("Turkish", 130, "NORP"), m("S-400s", 140, "PRODUCT"),
            m("NATO", 160, "ORG"), m("the United States", 170, "GPE")]
    per = {}
    for i in range(1000):
        per[f"a-{i:05d}"] = base + [m(f"Person{i} Surname{i % 50}", 200, role="analyst"),
                                    m(f"Surname{i % 50}", 240), m(f"Agency {i % 97}", 260, "ORG")]
    ents = canonicalise(per)
    assert len([e for e in ents if e.name.startswith("Person")]) == 1000
    assert by_name(ents, "Vladimir Putin").mentions and len(by_name(ents, "Turkey").mentions) == 2000


# ---------------------------------------------------------------- the seeds (real copy)


def test_seed_entities(nlp, seeds):
    files = sorted(seeds.glob("*.txt"))
    docs = nlp.pipe(f.read_text(encoding="utf-8") for f in files)
    per = {f.stem: mentions(d) for f, d in zip(files, docs)}
    ents = canonicalise(per)

    erdogan = by_name(ents, "Recep Tayyip Erdogan")
    assert "Recep Erdogan" in erdogan.aliases and "President" in erdogan.roles
    assert len({a for a, _, _ in erdogan.mentions}) == 3

    putin, peskov = by_name(ents, "Vladimir Putin"), by_name(ents, "Dmitry Peskov")
    assert putin.id != peskov.id
    assert "Putin" in putin.aliases and "Peskov" in peskov.aliases
    assert "Presidential spokesman" in peskov.roles and "President" in putin.roles
    assert "Deputy Foreign Minister" in by_name(ents, "Andrei Rudenko").roles
    assert "Deputy Prime Minister" in by_name(ents, "Yuri Borisov").roles

    s400 = next(e for e in ents if e.type == "PRODUCT" and e.name.startswith("S-400"))
    forms = {t for _, _, t in s400.mentions}
    assert {"S-400", "S-400s", "S-400 Triumph"} <= forms
    s300 = by_name(ents, "S-300")
    assert s300.id != s400.id and not ({t for _, _, t in s300.mentions} & forms)
    assert by_name(ents, "HQ-9").type == "PRODUCT" and by_name(ents, "F-35").type == "PRODUCT"

    turkey, russia, us = by_name(ents, "Turkey"), by_name(ents, "Russia"), by_name(ents, "United States")
    assert len({turkey.id, russia.id, us.id}) == 3
    assert "Turkish" in {t for _, _, t in turkey.mentions} and "Russian" in {t for _, _, t in russia.mentions}
    assert {"US", "the United States"} <= {t for _, _, t in us.mentions}
    assert not ({t for _, _, t in turkey.mentions} & {"Russia", "Moscow", "Russian", "Ankara"})
    # capitals: one place entity each, standing for their country in some mentions, never the country's alias
    for country, capital in ((turkey, "Ankara"), (russia, "Moscow"), (us, "Washington")):
        city = by_name(ents, capital)
        assert city.type == "GPE" and city.capital_of == country.id and capital not in country.aliases
        assert "capital" in city.mention_as.values()
        assert not {t for _, _, t in country.mentions} & {capital}
        assert [e for e in ents if capital in [e.name, *e.aliases]] == [city]
    # no entity is named with a title, a possessive or a trailing punctuation mark
    for e in ents:
        assert not e.name.endswith(("'s", "’s", ",", ".")), e.name
        assert not e.name.lower().startswith(("president ", "the ")), e.name


def test_entity_index_speaker_types():
    per = {"a": [m("US", 0, "GPE"), m("Russian", 20, "NORP"), m("China", 40, "GPE"), m("Russia", 50, "GPE")]}
    per["a"][1].stands_for = "Russia"
    idx = EntityIndex(canonicalise(per))
    us = idx.link("a", (0, 2))
    assert us and idx.link("a", (0, 12), type="GROUP") == us  # "US officials"
    assert idx.link("a", (40, 56), type="GROUP") is None  # "China and Russia": two entities
    assert idx.link("a", (18, 38), type="ANONYMOUS") is None  # "a Russian newspaper"
    assert idx.link("a", (20, 40), type="PERSON") is None  # "Russian Defense Minister": not a person entity


def test_accents_and_label_slips_do_not_split_a_person():
    ents = canonicalise({
        "a": [m("Recep Tayyip Erdoğan", 0), m("Erdoğan", 30)],
        "b": [m("Erdogan", 0, type="ORG"), m("Erdogan", 20), m("Erdogan", 40)],  # mostly a person
    })
    people = [e for e in ents if e.type == "PERSON"]
    assert len(people) == 1 and len(people[0].mentions) == 5 and people[0].name == "Recep Tayyip Erdoğan"


def test_keep_all_and_empty_texts(nlp):
    assert mentions(nlp("")) == []
    assert mentions(nlp("nothing here at all.")) == []
    got = mentions(nlp("Turkey paid $2.5 billion on July 12, 2019."), keep_all=True)
    assert {x.type for x in got} >= {"GPE", "MONEY", "DATE"}
    assert canonicalise({"a": got})[0].name == "Turkey" and len(canonicalise({"a": got})) == 1


def test_person_named_like_a_place_stays_a_person(nlp):
    got = ments(nlp, "Actor Denzel Washington arrived late. Washington said he had been stuck in traffic.")
    assert [(x.name, x.type) for x in got if x.name.endswith("Washington")][:1] == [("Denzel Washington", "PERSON")]
    bare = [x for x in got if x.name == "Washington"]
    assert [(x.type, x.stands_for) for x in bare] == [("PERSON", None)]  # not the US government
    ents = canonicalise({"a": got})
    assert [(e.name, len(e.mentions)) for e in ents] == [("Denzel Washington", 2)]


def test_father_and_son_stay_apart(nlp):
    ents = corpus(nlp, {
        "a": "Businessman Harold Q. Brennick said on Monday that his company would expand. Brennick spoke in Ohio.",
        "b": "Harold Brennick Jr. said the family firm was hiring. Harold Brennick Jr. runs its Ohio office.",
    })
    people = [e for e in ents if e.type == "PERSON"]
    father = next(e for e in people if any(a == "a" for a, _, _ in e.mentions))
    assert not any(a == "b" for a, _, _ in father.mentions), (father.name, father.aliases)


def test_handles_are_not_names_and_roles_are_clean(nlp):
    ms = ments(nlp, "The then-Sen. Mara Quill wrote on Twitter as @MaraQuill that the vote was rigged.")
    assert not any(m.name.startswith("@") for m in ms)
    quill = [m for m in ms if m.name == "Mara Quill"]
    assert quill and all(m.role is None or (m.role[0].isalnum() and " - " not in m.role) for m in quill)


# ---------------------------------------------------------------- canonical names across articles


def test_canonical_name_is_the_fullest_form_most_used_not_a_one_off_variant():
    per = {f"a{i}": [m("Marta Kowalczyk", 0), m("Kowalczyk", 40)] for i in range(6)}
    per["b"] = [m("M. Elzbieta Kowalczyk", 0), m("Kowalczyk", 50)]  # one article's variant
    per["c"] = [m("Marta Elzbieta Kowalczyk", 0)]  # another one-off, fuller still
    ents = canonicalise(per)
    people = [e for e in ents if e.type == "PERSON"]
    assert [e.name for e in people] == ["Marta Kowalczyk"]
    assert {"M. Elzbieta Kowalczyk", "Marta Elzbieta Kowalczyk"} <= set(people[0].aliases)
    # a fuller form used in many articles does win
    for i in range(3):
        per[f"d{i}"] = [m("Marta Elzbieta Kowalczyk", 0)]
    assert [e.name for e in canonicalise(per) if e.type == "PERSON"] == ["Marta Elzbieta Kowalczyk"]
    # a person named in full only by a bare form elsewhere keeps the full name
    assert [e.name for e in canonicalise({"x": [m("Kowalczyk", 0)], "y": [m("Kowalczyk", 0)],
                                          "z": [m("Marta Kowalczyk", 0)]})] == ["Marta Kowalczyk"]


def test_bare_surname_goes_to_the_bearer_who_dominates_the_corpus():
    per = {f"a{i}": [m("Ivo Brandt", 0)] for i in range(6)}
    per["b"] = [m("Lena Brandt", 0)]
    per["c"] = [m("Brandt", 10)]
    ents = canonicalise(per)
    assert {e.name: len(e.mentions) for e in ents} == {"Ivo Brandt": 7, "Lena Brandt": 1}
    # two bearers of comparable weight: the bare name stays its own
    per.update({f"e{i}": [m("Lena Brandt", 0)] for i in range(4)})
    assert sorted(e.name for e in canonicalise(per)) == ["Brandt", "Ivo Brandt", "Lena Brandt"]


# ---------------------------------------------------------------- spans that are not names


def forced(nlp, text: str, *spans: tuple[str, str]) -> list[tuple[str, str]]:
    """mentions() over a parse whose entities are set by hand (the slips the small model makes)."""
    doc = nlp(text)
    doc.ents = [doc.char_span(text.index(s), text.index(s) + len(s), label=label) for s, label in spans]
    return [(x.name, x.type) for x in mentions(doc)]


def test_spans_that_are_not_names_are_cut_or_rejected(nlp):
    # a leading sentence adverb (the parse says ADV / RB) is not part of the name
    assert forced(nlp, "Certainly Maria Lopez would disagree with the plan.",
                  ("Certainly Maria Lopez", "PERSON")) == [("Maria Lopez", "PERSON")]
    # numbers and percentages glued to a name
    assert forced(nlp, "The poll had Lopez 34 percent ahead of the field.",
                  ("Lopez 34 percent", "ORG")) == [("Lopez", "ORG")]
    assert forced(nlp, "A survey put Lopez 46 to 40 percent over Ruiz.",
                  ("Lopez 46 to 40 percent", "LAW"))[0] == ("Lopez", "LAW")
    assert forced(nlp, "Maria Lopez—35, a nurse—said no.", ("Maria Lopez—35", "PERSON")) == [("Maria Lopez", "PERSON")]
    # a bracket as tokenised copy writes it (Penn Treebank's escapes), read as a name by the recogniser
    assert forced(nlp, "The fee was $ 1.3 m -LRB- # 868,169 -RRB- , Maria Lopez said .",
                  ("-RRB-", "PERSON"), ("Maria Lopez", "PERSON")) == [("Maria Lopez", "PERSON")]
    assert forced(nlp, "-LRB- photo : Carl Davies , Birmingham -RRB- Maria Lopez said no .",
                  ("Birmingham -RRB- Maria Lopez", "PERSON")) == [("Birmingham", "PERSON")]
    assert forced(nlp, "The note -LRB- signed -RRB- Maria Lopez -LRB- left -RRB- read no .",
                  ("-RRB- Maria Lopez -LRB-", "PERSON")) == [("Maria Lopez", "PERSON")]
    # a case name is not an entity
    assert forced(nlp, "The court heard Lopez v. Lopez on Monday.", ("Lopez v. Lopez", "PERSON")) == []
    # a leading preposition or an unclosed bracket is not part of the name; a lone adverb is no name
    assert forced(nlp, "Beyond Maria Lopez's smile, doubts remain.", ("Beyond Maria Lopez", "PERSON")) == [
        ("Maria Lopez", "PERSON")]
    assert forced(nlp, "Between [Maria Lopez and the board] there is a feud.", ("[Maria Lopez", "PERSON")) == [
        ("Maria Lopez", "PERSON")]
    assert forced(nlp, "The board wants it done ASAP, Lopez said.", ("ASAP", "ORG"), ("Lopez", "PERSON")) == [
        ("Lopez", "PERSON")]
    assert forced(nlp, "They break the rules CONSTANTLY & nobody minds.", ("CONSTANTLY &", "ORG")) == []
    # several capitals-only words in a line written in capitals: no name the parse can tell
    assert forced(nlp, "TURNS OUT MARIA LOPEZ WAS RIGHT ABOUT IT Crows are smart birds.",
                  ("WAS RIGHT ABOUT IT Crows", "ORG")) == []
    assert ("NATO", "ORG") in forced(nlp, "The NATO summit opened in Brussels on Monday.", ("NATO", "ORG"))
    # a year after a possessive, a date after a preposition
    assert forced(nlp, "Lopez's 2008 campaign was her first.", ("Lopez's 2008", "ORG")) == [("Lopez", "ORG")]
    assert forced(nlp, "She spoke at the Harbour Club on Nov. 3 to members.",
                  ("Harbour Club on Nov. 3", "ORG")) == [("Harbour Club", "ORG")]
    # names that hold digits themselves stay whole
    got = ments(nlp, "Turkey bought the F-35 and the S-400 at MAKS-2021 after the G20 summit in Rome.")
    assert {"F-35", "S-400", "G20"} <= {x.name for x in got}


def test_flattened_copy_does_not_glue_words_to_a_name(nlp):
    # a headline's end run into the body ("... his sister Rita" + "Rita Lanza has claimed"), a sentence adverb
    # after a name where the line break between two sentences was lost
    assert forced(nlp, "Mario was murdered for money, according to his sister Rita Rita Lanza has claimed.",
                  ("Rita Rita Lanza", "PERSON")) == [("Rita Lanza", "PERSON")]
    assert forced(nlp, "A lawyer read a statement on behalf of the Lanza family However , lawyers for Ruiz "
                       "dropped a key argument.", ("the Lanza family However", "ORG")) == [("Lanza", "ORG")]


def test_a_role_capitalised_by_its_place_is_a_role_not_part_of_the_name(nlp):
    for text in ("Comedian Rita Maria Lanza will host the awards next year, organisers said on Friday.",
                 "http://www.example.com/article/2013/08/02/lanza-host Comedian Rita Maria Lanza will host the "
                 "awards next year."):
        got = [x for x in ments(nlp, text) if "Lanza" in x.name]
        assert got and got[0].name == "Rita Maria Lanza" and (got[0].role or "").lower() == "comedian", got


def test_a_role_a_headline_capitalises_is_no_person_a_name_is(nlp):
    got = forced(nlp, "5 Thoughts on Why the Academy Picked Maria Lopez As Oscar Host We have got an Oscar host ! "
                      "The Academy said that Maria Lopez would host.", ("Oscar Host", "PERSON"), ("Maria Lopez", "PERSON"))
    assert ("Oscar Host", "PERSON") not in got and ("Maria Lopez", "PERSON") in got, got
    got = forced(nlp, "Horror Writer Tells Why He Loves Stephen King\n\nThe king of horror, Stephen King, said on "
                      "Monday that King never sleeps.", ("Stephen King", "PERSON"))
    assert ("Stephen King", "PERSON") in got, got  # the headline's: the running text writes "King" too


def test_a_weekday_and_a_month_are_no_name(nlp):
    assert forced(nlp, "Fri Aug 2, 2013 6:50pm EDT Maria Lopez will host the awards.",
                  ("Fri Aug", "PERSON"), ("Maria Lopez", "PERSON")) == [("Maria Lopez", "PERSON")]


def test_headline_words_run_into_a_name_the_body_gives_are_cut(nlp):
    text = ("Blazers Hire Maurice Okafor As New Head Coach\n\nThe Portland Trail Blazers hired Maurice Okafor "
            "as their coach on Monday. Okafor said he was glad.")
    names = [x.name for x in ments(nlp, text) if "Okafor" in x.name]
    assert names and all(n in ("Maurice Okafor", "Okafor") for n in names), names


def test_a_headline_word_run_into_a_surname_is_cut_where_the_body_names_that_surname(nlp):
    """"Senator Endorsed Trump" (a headline's verb the recogniser took for a first name) is "Trump" where the body
    names Donald Trump and nobody "Endorsed"; a first name the body does not use but is no English word stays."""
    def person(text, start):
        doc = nlp(text)
        doc.ents = [doc.char_span(text.index(start), text.index(start) + len(start), label="PERSON")] + [
            e for e in doc.ents if e.start_char >= len(start) + text.index(start)]
        return [x for x in mentions(doc) if x.span[0] < text.index("\n")]
    got = person("Right After This Senator Endorsed Trump, The Establishment Did Something Big\n\n"
                 "Jeff Sessions endorsed Donald Trump at a rally on Sunday, to the surprise of many in his party.",
                 "Endorsed Trump")
    got = [x for x in got if "Trump" in x.name]
    assert [x.name for x in got] == ["Trump"] and got[0].role is None
    got = person("Jeb Bush Wins Florida Vote After A Long Night\n\nHis brother George W. Bush called him late in the "
                 "evening to say that he was proud of the result.", "Jeb Bush")
    assert [x.name for x in got if "Bush" in x.name] == ["Jeb Bush"]


def test_no_entity_name_starts_with_an_adverb_or_holds_a_stray_number(nlp):
    texts = {"a": "Certainly Maria Lopez would disagree. The poll had Lopez 34 percent ahead of Tomas Ruiz.",
             "b": "The court heard Lopez v. Ruiz on Monday, while Ankara weighed the S-400 and the F-35.",
             "c": "Maria Lopez—35, a nurse—said the G20 summit in Rome was a success."}
    ids = list(texts)
    per = {}
    for aid, doc in zip(ids, nlp.pipe(texts[a] for a in ids)):
        forced_spans = {"a": [("Certainly Maria Lopez", "PERSON"), ("Lopez 34 percent", "ORG")],
                        "b": [("Lopez v. Ruiz", "PERSON")], "c": [("Maria Lopez—35", "PERSON")]}[aid]
        doc.ents = [doc.char_span(texts[aid].index(s), texts[aid].index(s) + len(s), label=lab)
                    for s, lab in forced_spans] + [e for e in doc.ents if not any(
                        e.start_char < texts[aid].index(s) + len(s) and texts[aid].index(s) < e.end_char
                        for s, _ in forced_spans)]
        per[aid] = mentions(doc)
    names = [e.name for e in canonicalise(per)]
    for n in names:
        first = nlp(n)[0]
        assert first.pos_ != "ADV", n
        assert not any(ch.isdigit() for ch in n) or n in {"S-400", "F-35", "G20"}, n
    assert "Maria Lopez" in names and not any(" v. " in n for n in names)


def test_a_known_place_is_a_place_whatever_some_mentions_say():
    per = {"a": [m("Valparaiso", 0, "ORG")], "b": [m("Valparaiso", 5, "ORG")], "c": [m("Valparaiso", 9, "GPE")],
           "d": [m("Quillmark Holdings", 0, "ORG")], "e": [m("Quillmark Holdings", 0, "GPE")],
           "f": [m("Quillmark Holdings", 0, "ORG")]}
    types = {e.name: e.type for e in canonicalise(per)}
    assert types == {"Valparaiso": "GPE", "Quillmark Holdings": "ORG"}


def test_a_known_place_name_never_called_a_place_keeps_its_type():
    per = {"a": [m("Valparaiso", 0, "ORG")], "b": [m("Valparaiso", 5, "ORG")]}
    assert [(e.name, e.type) for e in canonicalise(per)] == [("Valparaiso", "ORG")]


# ---------------------------------------------------------------- types from what the text says


def test_outlets_employers_and_places_typed_from_the_parse(nlp):
    got = [x for t in ("The French newspaper Le Monde reported the deal.",
                       "Ryanair Chief Executive Michael O'Leary said the fares would rise.",
                       "Troops landed on the Greek island of Lesbos and the Italian island of Lampedusa.")
           for x in ments(nlp, t)]
    told = {x.name: (x.type, x.described) for x in got}
    assert told["Le Monde"] == ("ORG", "MEDIA")  # "the newspaper <Name>": an outlet
    assert told["Ryanair"] == ("ORG", "ORG")  # "<Name> Chief Executive <Person>": the employer
    assert told["Michael O'Leary"] == ("PERSON", None)
    assert told["Lesbos"] == ("LOC", "PLACE") and told["Lampedusa"] == ("LOC", "PLACE")  # "the island of <Name>"
    assert told["French"] == ("NORP", None)  # a demonym stays the world table's


def test_no_evidence_where_the_words_do_not_say_it(nlp):
    got = ments(nlp, "Ben Domenech, publisher of The Federalist, said so. The disappearing Pacific nation of "
                     "Kiribati is sinking. So says a voice at the end of “Hail, Caesar!”")
    told = {x.name: (x.type, x.described) for x in got}
    assert told["Ben Domenech"] == ("PERSON", None)  # "publisher": a firm or a person; spaCy says a person
    assert told["Kiribati"][0] == "GPE"  # a known place, whatever noun it is put with
    assert "PLACE" not in {d for _, d in told.values()}  # "the end of ...": a part of a thing, not a place


def test_what_the_text_says_outweighs_spacys_labels_across_the_corpus(nlp):
    ents = corpus(nlp, {
        "a": "Peskov spoke to the Italian newspaper Corriere on Monday.",
        "b": "Smith told Corriere that he would stay.",  # spaCy: a PERSON here
    })
    outlet = by_name(ents, "Corriere")
    assert outlet.type == "ORG" and len(outlet.mentions) == 2 and outlet.to_json()["media"] is True
    assert "media" not in by_name(ents, "Smith").to_json()


def test_seed_entities_typed_and_capitals_their_own(seed_db):
    from storyline.store import Store

    with Store(seed_db) as store:
        ents = store.entities()
    by = {}
    for e in ents:
        for n in [e["name"], *e["aliases"]]:
            by.setdefault(n, []).append(e)
    one = {n: es[0] for n, es in by.items() if len(es) == 1}
    for name in ("Rosoboronexport", "Izvestiya", "TASS", "ANT1"):
        assert one[name]["type"] == "ORG", (name, one[name]["type"])
    assert one["Izvestiya"].get("media") and one["TASS"].get("media") and one["ANT1"].get("media")
    assert not one["Rosoboronexport"].get("media")
    assert one["ANT1"] is one["Antenna"]  # "the Greek TV channel Antenna (ANT1)": one outlet, no person
    assert not [e for e in ents if e["type"] == "PERSON" and e["name"] in ("Antenna", "ANT1")]
    assert one["Crete"]["type"] in ("GPE", "LOC") and one["Aegean"]["type"] in ("GPE", "LOC")
    # a capital: one place entity, no alias of its country; the government's mentions marked and linked
    for capital, country in (("Ankara", "Turkey"), ("Moscow", "Russia"), ("Washington", "United States")):
        city, state = one[capital], one[country]
        assert city["name"] == capital and city["type"] == "GPE" and city["capital_of"] == state["id"]
        marked = [m for m in city["mentions"] if m.get("as") == "capital"]
        assert marked and all(m["country_id"] == state["id"] for m in marked)
        assert capital not in {m["text"] for m in state["mentions"]}
    ankara = one["Ankara"]
    assert any("as" not in m for m in ankara["mentions"])  # "partners in Ankara": the city itself
    # the speakers still belong to the state: "Ankara authorities" to Turkey, "Ankara warned" is Turkey
    with Store(seed_db) as store:
        speakers = [q["speaker"] for q in store.quotes() if q.get("speaker")]
    auth = [s for s in speakers if s["text"] == "Ankara authorities"]
    assert auth and all(s["affiliation_id"] == one["Turkey"]["id"] and s["entity_id"] is None for s in auth)
    assert [s["entity_id"] for s in speakers if s["text"] == "Ankara"] == [one["Turkey"]["id"]]


def test_an_organisation_named_without_its_place_in_the_same_article_is_one(nlp):
    text = ("The Harbour City Mariners beat the Lakeside Comets on Sunday. The Mariners have won five games. "
            "The Chicago Ledger reported it; the Ledger said the Workers Party and the Party were calm.")
    # "Harbour City" is no known place: the short form stays apart; "Chicago" is one
    doc = nlp(text)
    spans, at = [], 0
    for name in ("Harbour City Mariners", "Mariners", "Chicago Ledger", "Ledger", "Workers Party", "Party"):
        at = text.index(name, at)
        spans.append(doc.char_span(at, at + len(name), label="ORG"))
        at += len(name)
    doc.ents = spans
    ents = {e.name: e for e in canonicalise({"a": mentions(doc)})}
    assert ents["Chicago Ledger"].aliases == ["Ledger"] and len(ents["Chicago Ledger"].mentions) == 2
    assert "Mariners" in ents and "Party" in ents  # no known place in front: not a short form
    # another article naming only the short form keeps it apart (the pair is read inside one article)
    other = nlp("The Ledger printed a correction.")
    other.ents = [other.char_span(4, 10, label="ORG")]
    ents2 = {e.name for e in canonicalise({"a": mentions(doc), "b": mentions(other)})}
    assert "Ledger" in ents2


def test_names_lose_common_words_links_dashes_and_clauses(nlp):
    """Words in lower case at a name's edges, a link, a spaced dash, a possessive or a finite verb are not part
    of a person's or organisation's name (invented text, the shapes seen on scraped news)."""
    def names(text: str) -> set[str]:
        return {m.name for m in ments(nlp, text)}

    got = names("Officials said this White House had misled the public about the Harbor Authority.")
    assert "White House" in got and not any(n.startswith("this ") for n in got), got
    got = names("She has been a Twitter junkie for years, and the Baltimore Sun op-ed said so.")
    assert not any(w in n for n in got for w in ("junkie", "op-ed")), got
    got = names("He repeated it: Weak - Talbot - weak on crime. Lena Talbot answered on Friday.")
    assert not any(" - " in n or n.startswith("Weak") for n in got), got
    got = names("Read the filing by Marcus Ellery: http://bit.ly/1AbC234 and tell us what you think.")
    assert not any("http" in n or "bit.ly" in n for n in got), got
    got = names("Critics of Marcus Ellery’s agenda met on Sunday in Denver.")
    assert "Marcus Ellery" in got and not any("agenda" in n for n in got), got


def test_a_title_joined_by_for_or_of_is_someone_elses(nlp):
    ms = ments(nlp, "A spokeswoman for Mr. Ellery did not return a message, said Dana Pruitt, the former "
                    "campaign manager for Mr. Ellery. Secretary of State Karen Holt spoke later.")
    roles = {m.name: m.role for m in ms if m.type == "PERSON"}
    assert roles.get("Ellery") is None, roles
    assert roles.get("Karen Holt") == "Secretary of State", roles
    assert all(m.role is None or m.role.split()[-1] not in ("for", "of") for m in ms)


def test_a_one_word_name_no_article_shows_as_a_person_takes_its_other_type():
    """The tagger calls a platform a person in most articles; no article gives it a first name, a title or an
    honorific, and some mention types it otherwise: it is not a person. A surname that an article names in
    full stays a person even where other articles type it otherwise."""
    per = {f"a{i}": [m("Chirper", 10)] for i in range(6)}
    per["b"] = [Mention(span=(0, 7), text="Chirper", type="ORG", name="Chirper")]
    per["c"] = [m("Lena Talbot", 0), m("Talbot", 40)]
    per["d"] = [m("Talbot", 5)]
    per["e"] = [Mention(span=(0, 6), text="Talbot", type="ORG", name="Talbot")]
    ents = canonicalise(per)
    assert by_name(ents, "Chirper").type == "ORG"
    assert by_name(ents, "Lena Talbot").type == "PERSON"


def test_a_surname_used_alone_far_more_than_its_one_bearer_is_named_is_not_that_bearer():
    """"Fiorina" alone in many articles is not the Frank Fiorina one article names in full: the bare name joins
    a single bearer only when articles naming that bearer in full are at least a quarter as many as those
    using the surname alone; a bearer named in full often enough takes it, and the name is the full one."""
    per = {"full": [m("Frank Wolcott", 0), m("Wolcott", 30)]}
    per.update({f"alone{i}": [m("Wolcott", 10)] for i in range(6)})
    ents = canonicalise(per)
    frank = by_name(ents, "Frank Wolcott")
    assert {a for a, _, _ in frank.mentions} == {"full"}
    alone = [e for e in ents if e.type == "PERSON" and e.id != frank.id]
    assert len(alone) == 1 and alone[0].name == "Wolcott" and len(alone[0].mentions) == 6
    per.update({f"full{i}": [m("Frank Wolcott", 0)] for i in range(2)})  # three articles name him in full
    ents = canonicalise(per)
    assert [e.name for e in ents if e.type == "PERSON"] == ["Frank Wolcott"]
    assert len(by_name(ents, "Frank Wolcott").mentions) == 10
