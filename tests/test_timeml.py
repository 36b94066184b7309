"""TimeML event mentions (nlp/timeml.py): what they find on plain news sentences, their attributes from
the parse, the stored layer, and WordNet as the lexical resource."""

from __future__ import annotations

import gzip
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from storyline import pipeline
from storyline.export.json import dossier
from storyline.nlp.annotate import load_nlp
from storyline.nlp.lexicon import LEXNAMES, sense_classes
from storyline.nlp.timeml import MODEL, timeml_events
from storyline.store import Store

ROOT = Path(__file__).resolve().parent.parent
TEXT = ("The minister said on Monday that the two countries had signed the contract. "
        "Deliveries will begin next year, officials told reporters. "
        "The army did not confirm the attack, and the negotiations are continuing.")


@pytest.fixture(scope="module")
def found() -> dict[str, dict]:
    doc = load_nlp()(TEXT)
    return {e["text"]: e for e in timeml_events(doc)}


def test_verbs_nouns_and_their_classes(found):
    assert {"said", "signed", "Deliveries", "begin", "told", "confirm", "attack", "negotiations", "continuing"} <= set(found)
    assert not {"minister", "countries", "Monday", "year", "reporters", "army", "The"} & set(found)
    assert found["said"]["class"] == found["told"]["class"] == "REPORTING"
    assert found["begin"]["class"] == "ASPECTUAL"
    assert found["signed"]["class"] == "OCCURRENCE"
    assert found["Deliveries"]["pos"] == found["attack"]["pos"] == "NOUN"


def test_attributes_from_the_parse(found):
    assert (found["said"]["tense"], found["said"]["aspect"]) == ("PAST", "NONE")
    assert (found["signed"]["tense"], found["signed"]["aspect"]) == ("PAST", "PERFECTIVE")
    assert found["begin"]["tense"] == "FUTURE"
    assert found["confirm"]["polarity"] == "NEG" and found["said"]["polarity"] == "POS"
    assert (found["continuing"]["tense"], found["continuing"]["aspect"]) == ("PRESENT", "PROGRESSIVE")
    assert found["attack"]["tense"] == "NONE"


def test_spans_point_at_the_trigger(found):
    for e in found.values():
        assert TEXT[e["span"][0]:e["span"][1]] == e["text"]
        assert 0 < e["score"] <= 1


def test_the_model_is_data_trained_on_the_tune_part_only():
    with gzip.open(MODEL, "rt") as fh:
        m = json.load(fh)
    assert "tune part" in m["trained_on"]
    assert set(m["class"]["classes"]) == {"OCCURRENCE", "REPORTING", "STATE", "I_ACTION", "I_STATE", "ASPECTUAL",
                                          "PERCEPTION"}
    assert 0 < m["event"]["threshold"] < 1 and m["event"]["weights"]


def test_wordnet_is_read_from_the_debian_package():
    assert sense_classes("election", "n")[0] == "noun.act"
    assert "verb.communication" in sense_classes("say", "v")
    assert sense_classes("zzzqx", "n") == ()
    page = Path("/usr/share/man/man5/lexnames.5WN.gz")
    if page.exists():  # the lexicographer files as the package's own manual numbers them
        rows = re.findall(r"^(\d\d)\t(\S+)", gzip.open(page, "rt").read(), re.M)
        assert [name for _, name in rows] == LEXNAMES


def test_missing_wordnet_is_one_line(tmp_path):
    env = {**os.environ, "STORYLINE_WORDNET": str(tmp_path)}
    r = subprocess.run([sys.executable, "-c", "from storyline.cli import main; main()", "annotate", "-"],
                       input="The council met on Friday.", capture_output=True, text=True, env=env)
    assert r.returncode == 1
    assert "WordNet 3.0 is not installed" in r.stderr and "wordnet-base" in r.stderr
    assert "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_the_layer_is_stored_exported_and_filled_in_for_older_articles(tmp_path, new_db):
    db = new_db("timeml")
    src = ROOT / "examples" / "corpus"
    with Store(db) as store:
        pipeline.build([src], store)
        first = dossier(store)
        assert all(a["event_mentions"] for a in first["articles"])
        for a in first["articles"]:
            for e in a["event_mentions"]:
                assert a["text"][e["span"][0]:e["span"][1]] == e["text"]
        with store.transaction():  # as a database from before the layer
            store.db.execute("UPDATE annotations SET timeml = NULL")
            store.db.execute("UPDATE articles SET annotated = NULL")  # upgraded to version 12: not marked annotated
        assert len(store.unannotated()) == len(first["articles"])
        pipeline.build([src], store)
        assert dossier(store) == first


def test_headlines_are_parsed_as_sentences_and_their_events_found():
    from storyline.model import Published
    from storyline.nlp.annotate import annotate_texts, truecase

    body = ("The council approved the budget on Monday, Mayor Ana Lopes said. NATO and the EU welcomed it. "
            "Critics said the budget cuts too much.")
    assert truecase("Council Approves Budget as Lopes Wins Vote", body) == "Council approves budget as Lopes wins vote"
    assert truecase("MAYOR LOPES WINS NATO PRAISE", body) == "Mayor Lopes wins NATO praise"  # 'Mayor' first word
    assert truecase("Council approves budget", body) == "Council approves budget"  # already a sentence
    title = "Lopes Wins Budget Vote in Council"
    assert len(truecase(title, body)) == len(title)
    lay = next(annotate_texts([(body, Published(date="2024-03-05"), title)]))
    words = {title[e["span"][0]:e["span"][1]] for e in lay["title"]["timeml"]}
    assert {"Wins", "Vote"} & words
    won = [e for e in lay["title"]["events"] if e["trigger"]["text"] in ("Wins", "Vote")]
    assert won and won[0]["date"] == "2024-03-05"  # a headline's present tells the news of its day
    assert won[0]["span"] == [0, len(title)]
    assert next(annotate_texts([(body, None)]))["title"] == {}


def test_report_time_perfects_and_since_bounds_date_honestly():
    """A present perfect is the report's news ("has fired": the publication date) unless an adverb or a
    "since"/"for" phrase makes it background ("has previously dropped", "has long supplied"); a date after
    "since" or "until" bounds a state, it is not the time of the verb above it."""
    from storyline.model import Published
    from storyline.nlp.annotate import annotate_texts

    body = ("Acme Corp has fired its chief executive, Dana Weiss. Acme Corp has previously dropped Beta Industries "
            "as a supplier. Gamma Holdings has long supplied Acme Corp with steel. Acme Corp and Gamma Holdings "
            "have been negotiating a joint venture since their meeting in March 2019.")
    lay = next(annotate_texts([(body, Published(date="2024-03-05"))]))
    by_word = {e["trigger"]["text"]: e for e in lay["events"]}
    assert by_word["fired"]["date"] == "2024-03-05"
    for word in ("dropped", "supplied"):
        assert by_word.get(word, {}).get("date") != "2024-03-05", word
    assert all(e["date"] != "2019-03" for e in lay["events"] if e["trigger"]["text"] in ("negotiating", "venture"))
