"""The corpus-wide lists an analyst browses on the seeds: /quotes and /api/quotes (speaker, kind, story, outlet
and publication-date filters) and /claims and /api/claims (status and story filters, conflicts first)."""

from __future__ import annotations

import warnings

import pytest


@pytest.fixture
def client(seed_db):
    pytest.importorskip("fastapi")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # starlette's note about httpx vs httpx2
        from fastapi.testclient import TestClient
    from storyline.web import create_app

    return TestClient(create_app(seed_db))


def test_quotes_api_filters(client, seed_db):
    from storyline.store import Store

    every = client.get("/api/quotes", params={"limit": 100}).json()
    assert every["total"] == len(every["items"]) == len(Store(seed_db).quotes()) > 0
    for kind in ("direct", "partial", "indirect"):
        got = client.get("/api/quotes", params={"kind": kind, "limit": 100}).json()
        assert got["total"] == sum(q["kind"] == kind for q in every["items"])
        assert all(q["kind"] == kind for q in got["items"])
    assert client.get("/api/quotes", params={"kind": "verbatim"}).status_code == 422
    for bad in ("yesterday", "2017-9", "2017/09/12"):
        r = client.get("/api/quotes", params={"from": bad})
        assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["query", "from"], bad
    # publication dates: the seeds' S-400 articles are 2017–2021, the Taiwan one 24 November 2024
    late = client.get("/api/quotes", params={"from": "2024", "limit": 100}).json()
    early = client.get("/api/quotes", params={"to": "2023-12", "limit": 100}).json()
    assert late["total"] > 0 and early["total"] > 0
    assert {q["id"] for q in late["items"]}.isdisjoint({q["id"] for q in early["items"]})
    stories = client.get("/api/stories").json()["items"]
    s400 = stories[0]["id"]
    in_story = client.get("/api/quotes", params={"story": s400, "limit": 100}).json()
    assert in_story["total"] and {q["article_id"] for q in in_story["items"]} <= set(stories[0]["article_ids"])
    assert client.get("/api/quotes", params={"story": "s-nosuch"}).json()["total"] == 0
    peskov = client.get("/api/quotes", params={"speaker": "Peskov", "limit": 100}).json()
    assert peskov["total"] and all("Peskov" in q["speaker"]["name"] for q in peskov["items"])


def test_quotes_page(client):
    page = client.get("/quotes", params={"speaker": "Erdogan"}).text
    assert "Signatures have been made" in page and 'href="/entities/e-' in page
    assert "Dmitry Peskov" not in page.split('<ul class="quote-list">')[1]
    assert client.get("/quotes", params={"kind": "nonsense"}).status_code == 422
    assert '<a href="/quotes">Quotes</a>' in client.get("/").text


def test_claims_conflicts_first_and_filters(client):
    every = client.get("/api/claims", params={"limit": 100}).json()
    order = ["conflict", "evolving", "compatible", "agree", "single"]
    ranks = [order.index(c["status"]) for c in every["items"]]
    assert every["total"] == len(every["items"]) > 0 and ranks == sorted(ranks)
    for status in {c["status"] for c in every["items"]}:
        got = client.get("/api/claims", params={"status": status, "limit": 100}).json()
        assert got["total"] == ranks.count(order.index(status)) and {c["status"] for c in got["items"]} == {status}
    assert client.get("/api/claims", params={"status": "wrong"}).status_code == 422
    page = client.get("/claims").text
    first = every["items"][0]
    assert f'class="status-{first["status"]}"' in page and 'href="/stories/' in page
    assert client.get("/claims", params={"status": "nope"}).status_code == 422


def test_quotes_command_takes_the_same_filters(client, seed_db):
    import json

    from typer.testing import CliRunner

    from storyline.cli import app

    def cli(*args: str) -> list[dict]:
        r = CliRunner().invoke(app, ["quotes", "--db", seed_db, "--json", *args])
        assert r.exit_code == 0, r.output
        return [json.loads(line) for line in r.stdout.splitlines() if line.strip()]

    for args, params in ((("--kind", "indirect"), {"kind": "indirect"}), (("--from", "2024"), {"from": "2024"}),
                         (("--to", "2021-12"), {"to": "2021-12"}), (("--story", "S-400"), {"story": None})):
        if params.get("story", 1) is None:
            params = {"story": client.get("/api/stories").json()["items"][0]["id"]}
        api = client.get("/api/quotes", params={**params, "limit": 100}).json()["items"]
        assert [q["id"] for q in cli(*args)] == [q["id"] for q in api] and api, args
    for bad in (("--kind", "verbatim"), ("--from", "yesterday"), ("--story", "no such story at all")):
        r = CliRunner().invoke(app, ["quotes", "--db", seed_db, *bad])
        assert r.exit_code == 1 and len(r.stderr.strip().splitlines()) == 1, bad


def test_entity_graph_is_force_directed_weighted_and_stable(client):
    from storyline.web.render import entity_graph

    ents = [{"id": f"e{i}", "name": f"E{i}", "type": "PERSON", "mention_count": 10 - i} for i in range(6)]
    arts = {"e0": {"a1", "a2", "a3"}, "e1": {"a1", "a2", "a3"}, "e2": {"a3"}, "e3": {"a4"}, "e4": {"a4"}, "e5": set()}
    g = entity_graph(ents, arts, size=400)
    assert g == entity_graph(ents, arts, size=400)  # the same page each time
    assert [n["id"] for n in g["nodes"]] == ["e0", "e1", "e2", "e3", "e4"]  # one never named: left out
    w = {(e["a"]["id"], e["b"]["id"]): e["w"] for e in g["edges"]}
    assert w == {("e0", "e1"): 3, ("e0", "e2"): 1, ("e1", "e2"): 1, ("e3", "e4"): 1} and g["max_w"] == 3
    assert all(0 <= n["x"] <= 400 and 0 <= n["y"] <= 400 for n in g["nodes"])
    pos = {n["id"]: (n["x"], n["y"]) for n in g["nodes"]}

    def dist(a: str, b: str) -> float:
        return ((pos[a][0] - pos[b][0]) ** 2 + (pos[a][1] - pos[b][1]) ** 2) ** 0.5

    assert dist("e0", "e1") < dist("e0", "e3")  # linked entities drawn nearer than unlinked ones
    page = client.get(f"/stories/{client.get('/api/stories').json()['items'][0]['id']}").text
    assert 'data-graph-target="entity-graph"' in page and 'class="edge" data-w="' in page
