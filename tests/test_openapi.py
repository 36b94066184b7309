"""The OpenAPI document (issue 20 item 8): every /api operation documents its answer's shape (storyline.web.schemas),
as documentation only (no response_model: answers are neither re-validated nor filtered), and the real answers of
every endpoint, on databases built from examples/corpus and ../shared/seeds, before and after corrections, are
exactly what their models describe: no field the model lacks, none it requires missing, no value of another type."""

from __future__ import annotations

import warnings
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

pytest.importorskip("fastapi")
with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette's note about httpx vs httpx2
    from fastapi.testclient import TestClient

from fastapi.routing import APIRoute

from storyline.pipeline import build
from storyline.store import Store
from storyline.web import create_app, schemas
from tests.conftest import CORPUS

TOKEN = "openapi-token-for-the-tests-only"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def _differences(data: Any, back: Any, at: str = "") -> list[str]:
    """Where `back` (the model's dump) differs from `data` (the answer): a field the model dropped or changed."""
    if isinstance(data, dict) and isinstance(back, dict):
        out = [f"{at}.{k}: not in the model" for k in data if k not in back]
        out += [f"{at}.{k}: not in the answer" for k in back if k not in data]
        return out + [d for k in data if k in back for d in _differences(data[k], back[k], f"{at}.{k}")]
    if isinstance(data, list) and isinstance(back, list) and len(data) == len(back):
        return [d for i, (x, y) in enumerate(zip(data, back)) for d in _differences(x, y, f"{at}[{i}]")]
    same = data == back and (type(data) is type(back)  # an int a float field took (1 → 1.0) is the same number
                             or isinstance(data, int | float) and not isinstance(data, bool))
    return [] if same else [f"{at}: {data!r} → {back!r}"]


def conforms(model: type[BaseModel], data: Any, where: str = "") -> None:
    """`data` validates against `model` (its required fields there, each of its type) and has no field the model
    (or a model nested in it) does not name: the dump of what was validated, only the fields given, is `data`
    again. (The models leave unknown fields unforbidden for clients, the contract allowing more; here they count.)"""
    try:
        obj = model.model_validate(data)
    except ValidationError as e:
        raise AssertionError(f"{where}: not a {model.__name__}: {e}") from None
    back = obj.model_dump(mode="json", by_alias=True, exclude_unset=True)
    diff = _differences(data, back)
    assert not diff, f"{where}: {model.__name__} does not describe the answer: {diff[:10]}"


def _app(db: str) -> Any:
    return create_app(db, allow_ingest=True, allow_edit=True, token=TOKEN)


# --- the document ---------------------------------------------------------------------------------------------
def test_every_api_operation_documents_its_answer(tmp_path, new_db):
    db = new_db("empty")
    Store(db).close()
    app = _app(db)
    doc = TestClient(app).get("/openapi.json").json()
    components = doc["components"]["schemas"]
    ops = [(path, method, op) for path, item in doc["paths"].items() if path.startswith("/api/")
           for method, op in item.items()]
    expected = {("/api/stories", "get"), ("/api/stories/{story_id}", "get"), ("/api/stories/{story_id}/events", "get"),
                ("/api/events", "get"), ("/api/articles", "get"), ("/api/articles/{article_id}", "get"),
                ("/api/entities", "get"), ("/api/entities/{entity_id}", "get"),
                ("/api/entities/{entity_id}/profile", "get"), ("/api/quotes", "get"), ("/api/claims", "get"),
                ("/api/search", "get"), ("/api/ingest", "post"), ("/api/corrections", "get"),
                ("/api/corrections", "post"), ("/api/corrections/{correction_id}/undo", "post")}
    assert {(p, m) for p, m, _ in ops} == expected
    for path, method, op in ops:
        ok = {code: r for code, r in op["responses"].items() if code.startswith("2")}
        assert len(ok) == 1, (path, method, ok)
        schema = next(iter(ok.values()))["content"]["application/json"]["schema"]
        assert schema, (path, method)
        if "$ref" in schema:  # the model alone, not merged with the return annotation's loose object
            assert list(schema) == ["$ref"], (path, method, schema)
            name = schema["$ref"].rsplit("/", 1)[-1]
            assert components[name].get("properties"), (path, method, name)
        for code, r in op["responses"].items():
            if code in ("404", "409", "401"):
                assert r["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/HTTPError"}
            if code == "422":
                assert r["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ValidationErrors"}
        if "{" in path and method == "get":
            assert "404" in op["responses"], path
    assert "HTTPValidationError" not in components  # FastAPI's own 422 is replaced by ours everywhere
    # documentation only: no route validates or filters its answer through one of the models
    for route in app.routes:
        if isinstance(route, APIRoute) and route.path.startswith("/api/"):
            assert not (isinstance(route.response_model, type) and issubclass(route.response_model, BaseModel)), route.path


def test_the_check_finds_a_field_too_many_or_missing():
    """What the answers' test relies on: `conforms` fails on an unknown field, nested too, a missing one, a wrong type."""
    quote = {"id": "q-1", "article_id": "a-1", "text": "x", "span": [0, 1], "kind": "direct",
             "speaker": {"name": "N", "text": "N", "span": [2, 3], "type": "PERSON", "entity_id": None},
             "via": [], "cue": None}
    conforms(schemas.Quote, quote)
    page = {"items": [quote], "total": 1, "limit": 20, "offset": 0}
    conforms(schemas.QuotePage, page)
    for bad in ({**quote, "surprise": 1}, {**quote, "speaker": {**quote["speaker"], "surprise": 1}},
                {k: v for k, v in quote.items() if k != "via"}, {**quote, "span": ["0", 1]}):
        with pytest.raises(AssertionError):
            conforms(schemas.Quote, bad)
    with pytest.raises(AssertionError):
        conforms(schemas.QuotePage, {**page, "items": [{**quote, "surprise": 1}]})


# --- the real answers -------------------------------------------------------------------------------------------
@pytest.fixture(scope="module", params=["corpus", "seeds"])
def built(request, databases) -> str:
    if request.param == "seeds":
        return request.getfixturevalue("seed_db")
    db = databases.new("openapi-corpus")
    with Store(db) as s:
        build([CORPUS], s)
    return db


def _all(client: TestClient, url: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    while True:
        page = client.get(url, params={"limit": 100, "offset": len(items)}).json()
        items += page["items"]
        if not page["items"] or len(items) >= page["total"]:
            return items


def _sweep(client: TestClient) -> int:
    """Every GET of the API on the database, each id the lists give, checked against its model; how many."""
    stories, articles, entities = _all(client, "/api/stories"), _all(client, "/api/articles"), _all(client, "/api/entities")
    assert stories and articles and entities
    word = next(w for w in articles[0]["title"].split() if w.isalpha())
    checks: list[tuple[str, type[BaseModel], int]] = [
        ("/api/stories", schemas.StoryPage, 200), ("/api/stories?limit=1&offset=1", schemas.StoryPage, 200),
        ("/api/events", schemas.EventPage, 200), ("/api/events?generic=true&limit=100", schemas.EventPage, 200),
        ("/api/articles?limit=100", schemas.ArticlePage, 200), ("/api/entities?limit=100", schemas.EntityPage, 200),
        ("/api/quotes?limit=100", schemas.QuotePage, 200), ("/api/claims?limit=100", schemas.ClaimPage, 200),
        (f"/api/search?q={word}", schemas.SearchPage, 200), ("/api/search?q=zzzznothing", schemas.SearchPage, 200),
        ("/api/corrections", schemas.CorrectionPage, 200),
        ("/api/stories/nope", schemas.HTTPError, 404), ("/api/stories/nope/events", schemas.HTTPError, 404),
        ("/api/events?story=nope", schemas.HTTPError, 404), ("/api/articles/nope", schemas.HTTPError, 404),
        ("/api/entities/nope", schemas.HTTPError, 404), ("/api/entities/nope/profile", schemas.HTTPError, 404),
        ("/api/stories?limit=0", schemas.ValidationErrors, 422), ("/api/events?type=nope", schemas.ValidationErrors, 422),
        ("/api/articles?date_from=2024-02-30", schemas.ValidationErrors, 422),
        ("/api/search?q=%22", schemas.ValidationErrors, 422), ("/api/search", schemas.ValidationErrors, 422),
        ("/api/claims?status=nope", schemas.ValidationErrors, 422),
    ]
    for st in stories:
        checks += [(f"/api/stories/{st['id']}", schemas.StoryBundle, 200),
                   (f"/api/stories/{st['id']}/events?limit=100", schemas.EventPage, 200),
                   (f"/api/quotes?story={st['id']}&limit=100", schemas.QuotePage, 200),
                   (f"/api/claims?story={st['id']}&limit=100", schemas.ClaimPage, 200)]
    for a in articles:
        checks.append((f"/api/articles/{a['id']}", schemas.Article, 200))
    for e in entities:
        checks += [(f"/api/entities/{e['id']}", schemas.Entity, 200),
                   (f"/api/entities/{e['id']}/profile", schemas.EntityProfile, 200)]
    for url, model, status in checks:
        r = client.get(url)
        assert r.status_code == status, (url, r.status_code, r.text[:300])
        conforms(model, r.json(), url)
    return len(checks)


def test_every_get_answer_is_what_its_model_says(built):
    client = TestClient(_app(built))
    assert _sweep(client) > 20


def test_corrections_and_their_marks_are_what_the_models_say(built, databases):
    db = databases.copy(built, "openapi-edit")
    client = TestClient(_app(db))
    entities = _all(client, "/api/entities")
    quotes = _all(client, "/api/quotes")
    events = _all(client, "/api/events?generic=true")
    article = _all(client, "/api/articles")[0]
    people = [e for e in entities if e["type"] == "PERSON"]
    assert len(people) >= 2 and len(quotes) >= 3 and events
    bodies = [
        {"op": "rename-entity", "target": people[0]["id"], "name": "Someone Renamed", "why": "the test"},
        {"op": "merge-entities", "target": people[0]["id"], "other": people[1]["id"], "why": "the test", "by": "tester"},
        {"op": "speaker", "target": quotes[0]["id"], "clear": True, "why": "the test"},
        {"op": "speaker", "target": quotes[1]["id"], "name": "A Named Speaker", "why": "the test"},
        {"op": "speaker", "target": quotes[2]["id"], "entity": people[0]["id"], "why": "the test"},
        {"op": "reject", "kind": "event", "target": events[0]["id"], "why": "the test"},
        {"op": "redate", "target": article["id"], "date": "2020-05", "why": "the test"},
    ]
    for body in bodies:
        r = client.post("/api/corrections", json=body, headers=AUTH)
        assert r.status_code == 201, r.text
        conforms(schemas.Correction, r.json(), body["op"])
    for body, status, model in (
            ({"op": "rename-entity", "target": "nobody-at-all", "name": "x", "why": "y"}, 422, schemas.ValidationErrors),
            ({"op": "no-such-op", "target": "x"}, 422, schemas.ValidationErrors),
            ({"op": "redate", "target": article["id"], "date": "2020-13", "why": "y"}, 422, schemas.ValidationErrors)):
        r = client.post("/api/corrections", json=body, headers=AUTH)
        assert r.status_code == status, r.text
        conforms(model, r.json(), str(body))
    r = client.post("/api/corrections", json=bodies[0])
    assert r.status_code == 401
    conforms(schemas.HTTPError, r.json())
    _sweep(client)  # every answer again, with `corrected` marks, a cleared speaker, a speaker without a span
    r = client.post("/api/corrections/1/undo", headers=AUTH)
    assert r.status_code == 200, r.text
    conforms(schemas.Correction, r.json(), "undo")
    for url, status in (("/api/corrections/1/undo", 409), ("/api/corrections/999/undo", 404)):
        r = client.post(url, headers=AUTH)
        assert r.status_code == status, r.text
        conforms(schemas.HTTPError, r.json(), url)
    r = client.post("/api/corrections/0/undo", headers=AUTH)
    assert r.status_code == 422
    conforms(schemas.ValidationErrors, r.json())
    listed = client.get("/api/corrections").json()
    assert listed["total"] == len(bodies)
    conforms(schemas.CorrectionPage, listed)


def test_an_upload_report_is_what_its_model_says(new_db):
    db = new_db("openapi-ingest")
    Store(db).close()
    client = TestClient(_app(db))
    article = {"title": "Harbour talks resume", "outlet": "Harbour Post", "published": "2024-03-06",
               "text": "Union secretary Ines Halloran said on Wednesday that talks would resume in Caldera Bay."}
    r = client.post("/api/ingest", json={"articles": [article, {"title": "empty"}]}, headers=AUTH)
    assert r.status_code == 200, r.text
    conforms(schemas.IngestReport, r.json())
    for kwargs, status in (({"json": {"articles": []}, "headers": AUTH}, 400), ({"json": {"articles": [article]}}, 401),
                           ({"content": b"x", "headers": {**AUTH, "Content-Type": "text/plain"}}, 415)):
        r = client.post("/api/ingest", **kwargs)
        assert r.status_code == status, r.text
        conforms(schemas.HTTPError, r.json())
