"""Claims that don't cry wolf, on a real build: a small PolNeAR sample (../shared, skipped cleanly when
absent) beside hand-made articles in which two outlets state different figures for the same entity."""

from __future__ import annotations

import json

import pytest

from storyline.pipeline import build
from storyline.stories.claims import is_name
from storyline.store import Store
from tests.conftest import SHARED

POLNEAR = SHARED / "bench" / "attribution" / "train" / "text"

# two outlets, one story, two sums for the same order by the same airline; a third article of the
# story states the airline's figures of another kind (its own series) in one article
HAND = [
    {"title": "Lufthansa orders 60 Airbus A350 jets in record deal", "outlet": "Harbour Times",
     "url": "https://harbour-times.example/business/lufthansa-airbus-order", "published": "2024-05-02",
     "text": "Lufthansa signed an order for 60 Airbus A350 jets on Wednesday, the German airline said in Frankfurt.\n\n"
             "Lufthansa's order is worth $9 billion at list prices, according to the airline.\n\n"
             "The Airbus jets will be delivered from 2026 and replace older Boeing aircraft, Lufthansa said. "
             "Analysts in Frankfurt said the Lufthansa order secures Airbus production in Toulouse for years."},
    {"title": "Lufthansa places record order for Airbus A350 jets", "outlet": "Capital Ledger",
     "url": "https://capital-ledger.example/markets/lufthansa-airbus-a350", "published": "2024-05-03",
     "text": "Lufthansa ordered 60 Airbus A350 jets on Wednesday, the German airline announced in Frankfurt.\n\n"
             "Lufthansa's order is worth $14 billion, the airline said.\n\n"
             "The Airbus jets will be delivered from 2026 and replace older Boeing aircraft. Analysts in "
             "Frankfurt said the Lufthansa order secures Airbus production in Toulouse for years."},
    {"title": "Lufthansa's Airbus order: what the A350 jets mean for Frankfurt", "outlet": "Harbour Times",
     "url": "https://harbour-times.example/business/lufthansa-airbus-frankfurt", "published": "2024-05-04",
     "text": "Lufthansa's order for 60 Airbus A350 jets was signed in Frankfurt on Wednesday.\n\n"
             "Lufthansa's revenue was $38 billion last year and Lufthansa's profit was $1.8 billion, the airline said. "
             "The Airbus jets will be delivered from 2026 and replace older Boeing aircraft, Analysts in Frankfurt "
             "said the Lufthansa order secures Airbus production in Toulouse for years."},
]


@pytest.fixture(scope="module")
def claims_db(databases, tmp_path_factory):
    if not POLNEAR.is_dir():
        pytest.skip("../shared/bench/attribution is not present")
    folder = tmp_path_factory.mktemp("claims")
    sample = folder / "polnear"
    sample.mkdir()
    for p in sorted(POLNEAR.glob("*.txt"))[:30]:
        (sample / p.name).write_text(p.read_text(encoding="utf-8"), encoding="utf-8")
    hand = folder / "hand.jsonl"
    hand.write_text("".join(json.dumps(a) + "\n" for a in HAND), encoding="utf-8")
    db = databases.new("claims")
    with Store(db) as store:
        build([sample, hand], store)
    return db


def _story_names(store: Store, story_id: str) -> set[str]:
    aids = [a.id for a in store.articles() if a.story_id == story_id]
    return {e["name"] for e in store.entities_page(limit=-1, article_ids=aids)[1]}


def test_conflicts_are_between_articles_about_canonical_entities(claims_db):
    with Store(claims_db) as store:
        claims = store.claims()
        conflicts = store.claims(conflicts_only=True)
        names = {c["story_id"]: _story_names(store, c["story_id"]) for c in claims}
    compared = [c for c in claims if c["status"] != "single"]
    for c in compared:  # an agreement, evolution or conflict is always between two articles at least
        assert len({v["article_id"] for v in c["values"]}) >= 2, c
    subjects = sorted((c["subject"], c["attribute"]) for c in conflicts)
    for c in claims:  # every subject names canonical entities of its story: no bare noun, handle or markup
        assert c["about"], c["subject"]
        for name in c["about"]:
            assert is_name(name) and name in names[c["story_id"]] and name in c["subject"], (c["subject"], name)
    for c in conflicts:  # both sources side by side
        a, b = (c["values"][i] for i in c["pair"])
        assert a["article_id"] != b["article_id"] and a["value"] != b["value"]
    order = [c for c in conflicts if c["about"] == ["Lufthansa"] and c["attribute"] == "value"]
    assert order, subjects
    assert {v["value"] for v in order[0]["values"]} == {"$9 billion", "$14 billion"}
    assert order[0]["subject"] == "Lufthansa order"


def test_is_name():
    assert is_name("Turkey") and is_name("S-400") and is_name("iPhone") and is_name("Bernie Sanders")
    for bad in ('2016">.@berniesander', "@BernieSanders", "#Election2016", "https://t.co/x", "amazon", "cash",
                "<b>Trump</b>", ""):
        assert not is_name(bad), bad
