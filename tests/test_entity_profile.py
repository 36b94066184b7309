"""One entity's profile on the seeds: `storyline entity NAME` and /api/entities/{id}/profile say the same
things, each list drawn from the store (forms, quotes by and naming it, events, who appears with it, articles)."""

from __future__ import annotations

import json
import warnings

import pytest
from typer.testing import CliRunner

from storyline.cli import app


def _profile(seed_db: str, name: str) -> dict:
    r = CliRunner().invoke(app, ["entity", name, "--db", seed_db, "--json", "--top", "50"])
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def test_entity_profile_by_name_and_by_api(seed_db):
    from storyline.store import Store

    p = _profile(seed_db, "Erdogan")
    e = p["entity"]
    assert e["name"] == "Recep Tayyip Erdogan" and e["type"] == "PERSON"
    store = Store(seed_db)
    mentions = store.entity(e["id"])["mentions"]
    assert sum(f["n"] for f in p["forms"]) == p["mention_count"] == len(mentions)
    assert p["article_count"] == len({m["article_id"] for m in mentions}) == len(p["articles"])
    # quotes he speaks, and quotes that name him spoken by others, each with its span
    assert p["quotes_by"] and all(q["speaker"]["entity_id"] == e["id"] for q in p["quotes_by"])
    assert any("Signatures have been made" in q["text"] for q in p["quotes_by"])
    assert p["quotes_naming"] and all((q.get("speaker") or {}).get("entity_id") != e["id"] for q in p["quotes_naming"])
    for q in p["quotes_naming"]:
        inside = [m for m in mentions if m["article_id"] == q["article_id"]
                  and q["span"][0] <= m["span"][0] and m["span"][1] <= q["span"][1]]
        assert inside, q
    # who appears with him: weighted by the articles shared, most first, never himself
    weights = [w["articles"] for w in p["with"]]
    assert weights == sorted(weights, reverse=True) and e["id"] not in {w["id"] for w in p["with"]}
    putin = next(w for w in p["with"] if w["name"] == "Vladimir Putin")
    shared = {m["article_id"] for m in mentions} & {m["article_id"] for m in store.entity(putin["id"])["mentions"]}
    assert putin["articles"] == len(shared) > 0
    assert p["events_total"] >= len(p["events"]) > 0
    # the API gives the same profile
    pytest.importorskip("fastapi")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient
    from storyline.web import create_app

    client = TestClient(create_app(seed_db))
    assert client.get(f"/api/entities/{e['id']}/profile", params={"top": 50}).json() == p
    assert client.get("/api/entities/e-nosuch/profile").status_code == 404


def test_entity_command_text_and_errors(seed_db):
    r = CliRunner().invoke(app, ["entity", "Erdogan", "--db", seed_db])
    assert r.exit_code == 0, r.output
    assert "Recep Tayyip Erdogan" in r.stdout and "quotes by" in r.stdout and "appears with:" in r.stdout
    r = CliRunner().invoke(app, ["entity", "Nobody Whatsoever", "--db", seed_db])
    assert r.exit_code == 1 and "no entity named" in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_entity_pages_index_and_profile(seed_db):
    pytest.importorskip("fastapi")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient
    from storyline.web import create_app

    client = TestClient(create_app(seed_db))
    p = _profile(seed_db, "Erdogan")
    eid = p["entity"]["id"]
    index = client.get("/entities").text
    assert f'href="/entities/{eid}"' in index and 'href="/entities"' in index  # listed, and in the top bar
    people = client.get("/entities", params={"type": "person"}).text
    assert f'href="/entities/{eid}"' in people and '<td class="type">GPE</td>' not in people
    assert client.get("/entities", params={"q": "Erdog"}).text.count('href="/entities/e-') == 1
    assert client.get("/entities", params={"type": "PERSNO"}).status_code == 422
    page = client.get(f"/entities/{eid}").text
    assert "Quotes by Recep Tayyip Erdogan" in page and "Quotes naming Recep Tayyip Erdogan" in page
    putin = next(w for w in p["with"] if w["name"] == "Vladimir Putin")
    assert f'href="/entities/{putin["id"]}"' in page  # who appears with him, one click away
    assert "Signatures have been made" in page
    assert client.get("/entities/e-nosuch").status_code == 404
    # an entity named in an article's text opens its page
    art = p["articles"][0]["id"]
    assert f'href="/entities/{eid}"' in client.get(f"/articles/{art}").text


def test_an_entity_page_read_from_indexes_lists_what_the_records_say(seed_db):
    """The entity page reads its timeline through the events_order index and its quotes by speaker id: for
    every entity, the same events in the same order, and the same quotes, as a filter over all records."""
    from storyline.store import Store

    store = Store(seed_db)
    all_events = store.events_page(-1, 0, generic=True)[1]  # every event, in timeline order
    all_quotes = store.quotes_page(-1, 0)[1]
    refs: dict[str, set[str]] = {}
    for eid, ev in store.db.execute("SELECT m.entity_id, r.event_id FROM event_refs r JOIN entity_mentions m"
                                    " ON m.article_id = r.article_id AND m.start = r.start"):
        refs.setdefault(eid, set()).add(ev)
    ids = [r[0] for r in store.db.execute("SELECT id FROM entities ORDER BY id")]
    assert len(ids) > 20 and len(refs) > 5
    for eid in ids:
        want = [ev for ev in all_events if ev["id"] in refs.get(eid, set())]
        total, page = store.events_page(-1, 0, entity_id=eid)
        assert (total, [ev["id"] for ev in page]) == (len(want), [ev["id"] for ev in want]), eid
        total, page = store.events_page(3, 1, entity_id=eid)
        assert [ev["id"] for ev in page] == [ev["id"] for ev in want[1:4]] and total == len(want)
        by = [q for q in all_quotes if (q.get("speaker") or {}).get("entity_id") == eid]
        assert store.quotes_page(-1, 0, eid)[1] == by, eid


def test_the_profile_says_an_outlet_is_media(seed_db):
    """An outlet's profile carries `media` as its entity record does; other entities' profiles do not."""
    from storyline.store import Store
    from storyline.web.queries import entity_profile

    store = Store(seed_db)
    entities = store.entities()
    outlets = [e for e in entities if e.get("media")]
    assert outlets, "the seeds name outlets (Izvestiya, TASS)"
    for e in outlets:
        assert entity_profile(store, e["id"])["entity"]["media"] is True
    other = next(e for e in entities if not e.get("media"))
    assert "media" not in entity_profile(store, other["id"])["entity"]
