"""The HTTP API and the pages: FastAPI over one storyline database.

- JSON in the dossier shapes; lists are `{"items": [...], "total": N, "limit", "offset"}`.
- Every GET answers with an ETag (a hash of the database's state and the URL) and honours
  If-None-Match with 304.
- Article text is hostile input: templates autoescape, JSON is data, pages carry a strict
  Content-Security-Policy (no inline script, nothing from another origin), static files are
  served from one folder by Starlette (no path traversal), SQL is parameterised (storyline.store, queries.py).
- Ingest (`POST /api/ingest`) exists only when the app is created with `allow_ingest=True`; it
  needs `Authorization: Bearer <token>` and enforces a size limit.
- Corrections (`POST /api/corrections`, `POST /api/corrections/{id}/undo`) and the pages' editing
  controls exist only when the app is created with `allow_edit=True`; they need the same bearer token,
  sent by the pages in the `Authorization` header (never a cookie: a cross-site form cannot act).
- CORS is off unless origins are given.
- /openapi.json (and /docs) describe every answer and error body with the models of storyline.web.schemas,
  as documentation only (`responses=`, never `response_model=`): answers are sent as built, unfiltered.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import tempfile
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

import jinja2
from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi import Path as Path_
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from pydantic import AfterValidator
from pydantic_core import PydanticCustomError
from starlette.concurrency import run_in_threadpool

from storyline import corrections
from storyline.datewords import in_words, published_in_words
from storyline.export import views
from storyline.export.json import article_record
from storyline.nlp.event_mentions import TYPES as EVENT_TYPES
from storyline.nlp.names import NAMED_TYPES
from storyline.nlp.quotes import QUOTE_KINDS
from storyline.nlp.timeml import CLASSES as TIMEML_CLASSES
from storyline.published import period
from storyline.settings import DEFAULT_CACHE_MB, DEFAULT_MAX_UPLOAD_MB, MAX_JSON_DEPTH, MAX_LIMIT
from storyline.store import QueryError, Store, StoreError, WriteError, display_name, fulltext, write_error
from storyline.textsafe import inert
from storyline.web import edit, queries, render, schemas
from storyline.web.schemas import answers

HERE = Path(__file__).resolve().parent
PAGE = 20
MAX_OFFSET = 1 << 62  # what both backends take as an OFFSET (a 64-bit integer, with room for the limit)
STORY_ENTITIES = 100  # a story bundle lists at most this many entities …
ENTITY_MENTIONS = 10  # … each with its first this many mentions in the story (mention_count counts all)
STORY_EVENTS = 100  # events of a story bundle's timeline by default (?limit=&offset= page them)
STORY_QUOTES = 100  # quotes in a story bundle (GET /api/quotes?story= pages them all)
HOME_STORIES = 30  # stories a page of the home page lists
ENTITY_LISTS = 20  # items of each list on an entity's page (its quotes, events, articles, who appears with it)
SPEAKERS_SHOWN = 12  # speakers a story page lists open; the rest wait behind a switch, none left out
GRAPH_ENTITIES = 24  # entities in a story page's who-appears-with-whom graph

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "font-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
# Swagger UI (served from the installed swagger-ui-bundle, never a CDN) starts itself with an inline script
DOCS_CSP = ("default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
            "img-src 'self' data:; connect-src 'self'; base-uri 'none'; frame-ancestors 'none'")


# --- parameters checked where FastAPI reads them: a bad one is a 422 in FastAPI's shape, naming it ----------
def _search_query(q: str) -> str:
    """A query in the search grammar (storyline.store.fulltext), else its problem in one line."""
    try:
        return fulltext.check(q)
    except QueryError as e:
        raise PydanticCustomError("search_query", "{problem}", {"problem": str(e)}) from None


_ISO_DATE = re.compile(r"\d{4}(?:-\d{2}(?:-\d{2})?)?", re.ASCII)


def _iso_date(value: str | None) -> str | None:
    """YYYY, YYYY-MM or YYYY-MM-DD, a real one (2024-02-30 is not); empty is none (an empty form field)."""
    if not value:
        return None
    if not _ISO_DATE.fullmatch(value) or period(value) is None:
        raise PydanticCustomError("date", "not a date: {given} (use YYYY, YYYY-MM or YYYY-MM-DD)",
                                  {"given": repr(value[:40])})
    return value


def _one_of(known: tuple[str, ...], fold: Any) -> AfterValidator:
    """One of `known` after `fold` (str.upper, str.lower), which it becomes; empty is none."""
    def check(value: str | None) -> str | None:
        if not value:
            return None
        if fold(value) not in known:
            raise PydanticCustomError("enum", "{given} is not one of: {known}",
                                      {"given": repr(value[:40]), "known": ", ".join(known)})
        return fold(value)
    return AfterValidator(check)


SearchQuery = Annotated[str, Query(min_length=1, max_length=500, description=f"The search grammar: {fulltext.SYNTAX}."),
                        AfterValidator(_search_query)]
DateFrom = Annotated[str | None, Query(description="Published on or after (YYYY, YYYY-MM or YYYY-MM-DD)."),
                     AfterValidator(_iso_date)]
DateTo = Annotated[str | None, Query(description="Published on or before (YYYY, YYYY-MM or YYYY-MM-DD)."),
                   AfterValidator(_iso_date)]
EventType = Annotated[str | None, Query(description=f"Only events of this news type: {', '.join(EVENT_TYPES)}."),
                      _one_of(EVENT_TYPES, str.lower)]
EventClass = Annotated[str | None, Query(alias="class", description="Only events of this TimeML class: "
                                                                    f"{', '.join(TIMEML_CLASSES)}."),
                       _one_of(TIMEML_CLASSES, str.upper)]
ENTITY_TYPES = tuple(sorted(NAMED_TYPES))
EntityType = Annotated[str | None, Query(description=f"Only entities of this type: {', '.join(ENTITY_TYPES)}."),
                       _one_of(ENTITY_TYPES, str.upper)]
CLAIM_STATUSES = ("conflict", "evolving", "compatible", "agree", "single")  # the order a claims list takes
QuoteKind = Annotated[str | None, Query(description=f"Only quotes of this kind: {', '.join(QUOTE_KINDS)}."),
                      _one_of(QUOTE_KINDS, str.lower)]
ClaimStatus = Annotated[str | None, Query(description=f"Only claims of this status: {', '.join(CLAIM_STATUSES)}."),
                        _one_of(CLAIM_STATUSES, str.lower)]
PublishedFrom = Annotated[str | None, Query(alias="from", description="From articles published on or after"
                                                                      " (YYYY, YYYY-MM or YYYY-MM-DD)."),
                          AfterValidator(_iso_date)]
PublishedTo = Annotated[str | None, Query(alias="to", description="From articles published on or before"
                                                                  " (YYYY, YYYY-MM or YYYY-MM-DD)."),
                        AfterValidator(_iso_date)]


def create_app(
    db_path: str | Path,
    allow_ingest: bool = False,
    token: str | None = None,
    max_upload_mb: float = DEFAULT_MAX_UPLOAD_MB,
    cors_origins: list[str] | None = None,
    allowed_hosts: list[str] | None = None,
    cache_mb: float = DEFAULT_CACHE_MB,
    allow_edit: bool = False,
) -> FastAPI:
    """The app over the database at `db_path` (it must exist; the server never creates one).
    `allowed_hosts` limits the Host header (`storyline serve` on loopback allows only loopback names,
    so a web page cannot reach the server through DNS rebinding). `cache_mb` bounds the memory of
    the response cache (0: off): GET answers kept by their ETag, so a change to the data retires
    them all (the ETag carries the database's state). `allow_edit` adds the corrections' POST routes
    and the pages' editing controls (`token` required, as for ingest)."""
    db_path = str(db_path)
    if not Store.exists(db_path):
        name = display_name(db_path)
        raise FileNotFoundError(f"{name}: no such database; build one first with: storyline build PATH --db {name}")
    if allow_ingest and not token:
        raise ValueError("ingest over HTTP needs a bearer token")
    if allow_edit and not token:
        raise ValueError("editing over HTTP needs a bearer token")
    Store(db_path).close()  # migrate (and refuse a foreign or newer database) before serving

    app = FastAPI(
        title="storyline",
        summary="Sourced story dossiers: stories, articles, entities, quotes and full-text search.",
        version="1",
        docs_url=None, redoc_url=None,
    )
    local = threading.local()
    state = {"generation": 0}
    ingest_lock = threading.Lock()
    max_bytes = int(max_upload_mb * 1024 * 1024)

    def store() -> Store:
        """One connection per thread (SQLite connections stay in the thread that made them; on
        PostgreSQL each thread's requests run on a connection of their own too)."""
        s = getattr(local, "store", None)
        if s is None or s.broken:  # a PostgreSQL connection the server dropped is opened anew
            s = local.store = Store(db_path)
        return s

    def db_state() -> str:
        """What changes when the data does (Store.data_version: the file's state on SQLite, a change
        counter on PostgreSQL), and the app's own generation."""
        return f"{state['generation']}|{store().data_version()}"

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(HERE / "templates")), autoescape=True,
                             undefined=jinja2.ChainableUndefined)
    templates = Jinja2Templates(env=env)
    cache: dict[str, Any] = {}

    def story_menu() -> list[dict[str, Any]]:
        """The stories for the filter menus (the 200 with most articles), read again only when the database changed."""
        key = db_state()
        if cache.get("stories_key") != key:
            cache["stories"], cache["stories_key"] = queries.story_choices(store()), key
        return cache["stories"]

    def outlets() -> list[tuple[str, int]]:
        """The outlets for the filter menu, read again only when the database changed."""
        key = db_state()
        if cache.get("outlets_key") != key:
            cache["outlets"], cache["outlets_key"] = queries.outlets(store()), key
        return cache["outlets"]
    templates.env.globals.update(span_link=render.span_link, page_url=_page_url, safe_url=_safe_url)
    templates.env.filters["when"] = _when
    templates.env.globals["volume_chart"] = render.volume_chart
    templates.env.filters["date_words"] = in_words  # a TIMEX3 value as people read it (the value: data-value)
    # removed pieces are shown as they were, their control characters written out (a bidi override in a
    # <del> would still reorder the page around it)
    templates.env.filters["inert"] = inert

    # --- middleware: ETags, security headers, CORS only when asked -------------------------------
    def etag_for(scope: dict[str, Any]) -> str:
        # editing on or off changes the pages (their controls): a page a browser kept from a server started
        # the other way is never answered with a 304
        key = f"{db_state()}|{'edit' if allow_edit else ''}|{scope['path']}?{scope.get('query_string', b'').decode('latin-1')}"
        return '"' + hashlib.blake2b(key.encode(), digest_size=12).hexdigest() + '"'

    responses: OrderedDict[str, tuple[dict, bytes]] = OrderedDict()  # ETag → (start message, body), LRU
    budget = {"bytes": 0, "max": int(cache_mb * 1024 * 1024)}

    def remember(etag: str, start: dict, body: bytes) -> None:
        if len(body) > budget["max"] // 8:
            return  # one answer may take an eighth of the cache at most
        responses[etag] = (start, body)
        budget["bytes"] += len(body)
        while budget["bytes"] > budget["max"]:
            _, (_, old) = responses.popitem(last=False)
            budget["bytes"] -= len(old)

    class Headers:
        """Pure ASGI (cheaper than BaseHTTPMiddleware): ETag and 304 on GET, answers from the response
        cache, security headers on all."""

        def __init__(self, inner: Any) -> None:
            self.inner = inner

        async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
            if scope["type"] != "http":
                return await self.inner(scope, receive, send)
            path = scope["path"]
            etag = None
            if scope["method"] in ("GET", "HEAD") and not path.startswith(("/static/", "/static-docs/")):
                etag = etag_for(scope)
                inm = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"if-none-match"), "")
                if etag in [t.strip().removeprefix("W/") for t in inm.split(",")]:
                    await send({"type": "http.response.start", "status": 304,
                                "headers": [(b"etag", etag.encode()), (b"cache-control", b"no-cache")]})
                    await send({"type": "http.response.body", "body": b""})
                    return
            csp = (DOCS_CSP if path == "/docs" else CSP).encode()
            head = scope["method"] == "HEAD"
            if head:  # answered as GET, without the body
                scope = {**scope, "method": "GET"}
            if etag and etag in responses:
                responses.move_to_end(etag)
                start, body = responses[etag]
                await send(start)
                await send({"type": "http.response.body", "body": b"" if head else body})
                return
            kept: dict[str, Any] = {"start": None, "body": []}
            keep = bool(etag) and budget["max"] > 0

            async def send_with_headers(message: dict) -> None:
                if keep and message["type"] == "http.response.start" and message["status"] == 200:
                    kept["start"] = True
                if kept["start"] and message["type"] == "http.response.body":
                    kept["body"].append(message.get("body", b""))
                    if not message.get("more_body"):
                        remember(etag, kept["start"], b"".join(kept["body"]))
                if head and message["type"] == "http.response.body":
                    message = {**message, "body": b""}
                if message["type"] == "http.response.start":
                    headers = list(message.get("headers", []))
                    if etag and message["status"] == 200:
                        headers += [(b"etag", etag.encode()), (b"cache-control", b"no-cache")]
                    headers += [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer"),
                                (b"x-frame-options", b"DENY"), (b"content-security-policy", csp)]
                    message = {**message, "headers": headers}
                    if kept["start"]:
                        kept["start"] = message
                await send(message)

            await self.inner(scope, receive, send_with_headers)

    if allow_edit:  # added before Headers, so inside it: its refusals carry the security headers too
        app.add_middleware(edit.Guard, check=lambda header: _check_token(header, token or ""))
    app.add_middleware(Headers)
    if allowed_hosts:
        from starlette.middleware.trustedhost import TrustedHostMiddleware

        app.add_middleware(TrustedHostMiddleware, allowed_hosts=list(allowed_hosts))
    if cors_origins:  # outside the ETag layer, so a 304 carries the CORS headers too
        from fastapi.middleware.cors import CORSMiddleware

        app.add_middleware(CORSMiddleware, allow_origins=list(cors_origins), allow_methods=["GET"],
                           allow_headers=["If-None-Match"], expose_headers=["ETag"])

    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    try:
        from swagger_ui_bundle import swagger_ui_path

        app.mount("/static-docs", StaticFiles(directory=str(swagger_ui_path)), name="static-docs")
        has_swagger = True
    except ImportError:  # pragma: no cover - the package is a dependency
        has_swagger = False

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        if not has_swagger:
            return HTMLResponse('<p>Swagger UI is not installed; the schema is at <a href="/openapi.json">'
                                "/openapi.json</a>.</p>")
        return get_swagger_ui_html(openapi_url="/openapi.json", title="storyline API",
                                   swagger_js_url="/static-docs/swagger-ui-bundle.js",
                                   swagger_css_url="/static-docs/swagger-ui.css",
                                   swagger_favicon_url="/static-docs/favicon-32x32.png")

    # --- API --------------------------------------------------------------------------------
    def _list(total: int, items: list, limit: int, offset: int) -> dict[str, Any]:
        return {"items": items, "total": total, "limit": limit, "offset": offset}

    limit_q = Query(PAGE, ge=1, le=MAX_LIMIT, description="Page size.")
    offset_q = Query(0, ge=0, le=MAX_OFFSET, description="Items to skip.")

    @app.get("/api/stories", tags=["stories"], responses=answers(schemas.StoryPage, 422))
    async def api_stories(limit: int = limit_q, offset: int = offset_q) -> dict[str, Any]:
        """Stories (dossier `stories` shape, with `outlets`: [{name, articles}], `volume`: articles a month
        [{period: "YYYY-MM", articles}], `span`: the date span in words, and `timeline_count`: the events the
        story's timeline lists, as its page and `/api/stories/{id}/events` count them; `event_count` also
        counts the undated events found only as something an entity did), empty until the stories layer has run."""
        s = store()
        total, items = s.stories_page(limit, offset)
        return _list(total, _described(s, items), limit, offset)

    @app.get("/api/stories/{story_id}", tags=["stories"], responses=answers(schemas.StoryBundle, 404, 422))
    async def api_story(story_id: str, limit: int = Query(STORY_EVENTS, ge=1, le=1000,
                                                          description="Timeline events on this page."),
                        offset: int = offset_q) -> dict[str, Any]:
        """A story with its timeline (events by date, undated last; `timeline_total` counts them all and
        `limit`/`offset` page them), claims, its first quotes (`quotes_total`; `/api/quotes?story=` pages
        them) and its most named entities (`entities_total`), each with its first mentions in the story."""
        return _story_bundle(store(), story_id, limit, offset)

    @app.get("/api/stories/{story_id}/events", tags=["stories"],
             responses=answers(schemas.EventPage, 404, 422))
    async def api_story_events(story_id: str, limit: int = limit_q, offset: int = offset_q,
                               entity: str | None = Query(None, description="Only events this entity id takes part in.")
                               ) -> dict[str, Any]:
        """A story's timeline, one page of events at a time (dossier `events` shape)."""
        s = store()
        if s.story(story_id) is None:
            raise HTTPException(404, f"no story {story_id}")
        total, items = s.events_page(limit, offset, story_id, entity)
        return _list(total, items, limit, offset)

    @app.get("/api/events", tags=["stories"], responses=answers(schemas.EventPage, 404, 422))
    async def api_events(limit: int = limit_q, offset: int = offset_q,
                         story: str | None = Query(None, description="Only this story's events (its id)."),
                         type: EventType = None, event_class: EventClass = None,
                         generic: bool = Query(False, description="Also the undated predicates found only as "
                                                                  "what an entity did.")) -> dict[str, Any]:
        """Events merged across articles (dossier `events` shape, with `class` and `main_of`), by date,
        undated last; the filters `storyline events` has. An unknown type or class is a 422 naming the known ones."""
        s = store()
        if story is not None and s.story(story) is None:
            raise HTTPException(404, f"no story {story}")
        total, items = s.events_page(limit, offset, story, None, generic, type, event_class)
        return _list(total, items, limit, offset)

    @app.get("/api/articles", tags=["articles"], responses=answers(schemas.ArticlePage, 422))
    async def api_articles(limit: int = limit_q, offset: int = offset_q, outlet: str | None = None,
                           date_from: DateFrom = None, date_to: DateTo = None,
                           entity: str | None = None, story: str | None = None) -> dict[str, Any]:
        """Article summaries in ingestion order, with the same filters as search."""
        total, items = queries.articles_page(store(), limit, offset, None, outlet, date_from, date_to, entity, story)
        return _list(total, items, limit, offset)

    @app.get("/api/articles/{article_id}", tags=["articles"], responses=answers(schemas.Article, 404, 422))
    async def api_article(article_id: str) -> dict[str, Any]:
        """An article (dossier shape): text, removed pieces with reasons, and its annotations (time
        expressions, entity mentions linked to canonical entities, quotes)."""
        return _article_bundle(store(), article_id)

    @app.get("/api/entities", tags=["entities"], responses=answers(schemas.EntityPage, 422))
    async def api_entities(limit: int = limit_q, offset: int = offset_q, type: EntityType = None,
                           q: str | None = Query(None, description="Part of a name or alias.")) -> dict[str, Any]:
        """Canonical entities, most mentioned first, with every mention."""
        total, items = store().entities_page(limit, offset, type, q)
        return _list(total, items, limit, offset)

    @app.get("/api/entities/{entity_id}", tags=["entities"], responses=answers(schemas.Entity, 404, 422))
    async def api_entity(entity_id: str) -> dict[str, Any]:
        """A canonical entity (dossier `entities` shape) with `mention_count` and every mention."""
        e = store().entity(entity_id)
        if e is None:
            raise HTTPException(404, f"no entity {entity_id}")
        return e

    @app.get("/api/entities/{entity_id}/profile", tags=["entities"],
             responses=answers(schemas.EntityProfile, 404, 422))
    async def api_entity_profile(entity_id: str, top: int = Query(10, ge=1, le=1000,
                                                                  description="How many of each list.")) -> dict[str, Any]:
        """What the corpus says of one entity: how it is written (`forms`), its quotes (`quotes_by`) and the quotes
        naming it (`quotes_naming`), its events by date, the entities named with it (`with`, weighted by the
        articles shared) and its articles by date with their outlets; each list with its total."""
        p = queries.entity_profile(store(), entity_id, top=top, per=top)
        if p is None:
            raise HTTPException(404, f"no entity {entity_id}")
        return p

    @app.get("/api/quotes", tags=["quotes"], responses=answers(schemas.QuotePage, 422))
    async def api_quotes(limit: int = limit_q, offset: int = offset_q,
                         speaker: str | None = Query(None, description="Speaker name, alias or entity id."),
                         article: str | None = None, story: str | None = None,
                         kind: QuoteKind = None, outlet: str | None = Query(None, description="The article's outlet."),
                         date_from: PublishedFrom = None, date_to: PublishedTo = None) -> dict[str, Any]:
        """Quotes in reading order (dossier `quotes` shape), of one article or one story if asked, narrowed by
        kind, outlet and the article's publication date."""
        total, items = _quotes(store(), limit, offset, speaker, article, story, kind, outlet, date_from, date_to)
        return _list(total, items, limit, offset)

    @app.get("/api/claims", tags=["claims"], responses=answers(schemas.ClaimPage, 422))
    async def api_claims(limit: int = limit_q, offset: int = offset_q, story: str | None = None,
                         status: ClaimStatus = None) -> dict[str, Any]:
        """The figures and facts each source states, compared across sources (dossier `claims` shape): conflicts
        first, then the claims told most often."""
        total, items = _claims(store(), limit, offset, story, status)
        return _list(total, items, limit, offset)

    @app.get("/api/search", tags=["search"], responses=answers(schemas.SearchPage, 422))
    async def api_search(q: SearchQuery, limit: int = limit_q, offset: int = offset_q, outlet: str | None = None,
                         date_from: DateFrom = None, date_to: DateTo = None,
                         entity: str | None = None, story: str | None = None) -> dict[str, Any]:
        """Full-text search in the one grammar of the CLI and the pages (a bad query is a 422 saying what
        is wrong); by rank, each hit names its `article_id`, `title`, `published`, `outlet`, `story`
        ({id, title} or null), a `snippet` and the `highlights` in it ([start, end) offsets into the snippet)."""
        total, items = _search(store(), q, limit, offset, outlet, date_from, date_to, entity, story)
        hits = [{"article_id": i["id"], **{k: v for k, v in i.items() if k != "id"}} for i in items]
        return _list(total, hits, limit, offset)

    if allow_ingest:
        @app.post("/api/ingest", tags=["ingest"], responses=answers(
            schemas.IngestReport, 400, 401, 411, 413, 415, 503, 507, etag=False))
        async def api_ingest(request: Request) -> dict[str, Any]:
            """Add files (multipart `files`) or JSON articles (`{"articles": [...]}` or a list) to the
            database; needs `Authorization: Bearer <token>`."""
            _check_token(request.headers.get("authorization", ""), token or "")
            length = request.headers.get("content-length")
            if length is None:
                raise HTTPException(411, "Content-Length required")
            if not length.isdigit() or int(length) > max_bytes:
                raise HTTPException(413, f"request larger than {max_upload_mb:g} MB")
            ctype = request.headers.get("content-type", "")
            with tempfile.TemporaryDirectory(prefix="storyline-ingest-") as tmp:
                folder = Path(tmp) / "upload"
                folder.mkdir()
                if ctype.startswith("multipart/form-data"):
                    names = await _save_files(request, folder, max_bytes)
                elif ctype.startswith("application/json"):
                    names = [_save_json(await _body(request, max_bytes), folder)]
                else:
                    raise HTTPException(415, "send multipart/form-data files or application/json articles")
                report = await run_in_threadpool(_build, db_path, folder, max_upload_mb, ingest_lock)
            state["generation"] += 1
            return {"files": names, **report}

    # --- pages ------------------------------------------------------------------------------
    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def home(request: Request, q: str | None = None, outlet: str | None = None,
                   date_from: DateFrom = None, date_to: DateTo = None, entity: str | None = None,
                   story: str | None = None, offset: int = Query(0, ge=0, le=MAX_OFFSET),
                   soffset: int = Query(0, ge=0, le=MAX_OFFSET)) -> HTMLResponse:
        s = store()
        q = (q or "").strip()[:500] or None
        filters = {"q": q, "outlet": outlet or None, "date_from": date_from, "date_to": date_to,
                   "entity": entity or None, "story": story or None}
        stories_total, stories = s.stories_page(HOME_STORIES, soffset)
        stories = _described(s, stories) if not any(filters.values()) else stories
        query_error = None
        try:
            total, items = queries.articles_page(s, PAGE, offset, q, outlet or None, date_from, date_to,
                                                 entity or None, story or None)
        except QueryError as e:  # the search box's query is not in the grammar: say what is wrong, keep it to mend
            query_error, total, items = str(e), 0, []
        entity_rec = s.entity(entity) if entity else None
        return templates.TemplateResponse(request, "home.html", {
            "stories": stories, "stories_total": stories_total, "soffset": soffset, "spage": HOME_STORIES,
            "items": items, "total": total, "offset": offset, "page": PAGE,
            "filters": filters, "outlets": outlets(), "entity": entity_rec,
            "filtered": any(v for v in filters.values()), "query_error": query_error, "syntax": fulltext.SYNTAX,
        }, status_code=422 if query_error else 200)

    @app.get("/stories/{story_id}", response_class=HTMLResponse, include_in_schema=False)
    async def story_page(
        request: Request, story_id: str, offset: int = Query(0, ge=0, le=MAX_OFFSET),
        type: str | None = Query(None, description="every event: only this news type"),
        dated: bool = Query(False, description="every event: dated ones only"),
        min_sources: int = Query(0, ge=0, le=10_000, description="every event: told by at least this many articles"),
        date_from: str | None = Query(None, alias="from", description="every event: from this date (YYYY[-MM[-DD]])"),
        date_to: str | None = Query(None, alias="to", description="every event: up to this date (YYYY[-MM[-DD]])"),
    ) -> HTMLResponse:
        s = store()
        type = type or None  # an empty select sends type=
        if type is not None and type not in EVENT_TYPES:
            raise HTTPException(422, f"type {type!r} is not one of: {', '.join(EVENT_TYPES)}")
        filters = {"type": type, "dated": dated, "min_sources": min_sources,
                   "from": date_from or None, "to": date_to or None}
        filtered = bool(type or dated or min_sources or date_from or date_to)
        bundle = _story_bundle(s, story_id, STORY_EVENTS, offset, GRAPH_ENTITIES, 0, 0)
        # the story's every event, read once: filtered behind the switch, and the digest of the first page
        every = s.events_page(-1, 0, story_id)[1] if filtered or not offset else []
        if filtered:  # every event behind the switch, filtered as `storyline timeline --all` filters them
            try:
                kept = views.filter_events(every, type, dated, min_sources, date_from or None, date_to or None)
            except ValueError as e:
                raise HTTPException(422, f"from/to: {e}") from e
            bundle["timeline"], bundle["timeline_total"] = kept[offset:offset + STORY_EVENTS], len(kept)
        ids = bundle["article_ids"]
        speakers = [(name or "unknown speaker", n, qs)
                    for name, n, qs in queries.speakers(s, ids, top=None)] if ids else []
        # a group's affiliation ("Turkish media" → Turkey) is a link beside it, never the speaker
        affiliations = s.entity_names(sp["affiliation_id"] for _, _, qs in speakers for q in qs
                                      if (sp := q.get("speaker") or {}).get("affiliation_id"))
        cited = set(ids)
        cited |= {m["article_id"] for e in bundle["timeline"] for m in e.get("mentions") or []}
        cited |= {v["article_id"] for c in bundle["claims"] for v in c.get("values") or []}
        cited |= {q["article_id"] for _, _, qs in speakers for q in qs}
        # the key events: the story's digest (a whole sentence a date, its sources), above every event
        key = views.key_dates(every, s.article_titles(sorted({a for e in every for a in views.event_sources(e)})))\
            if every and not offset else []
        cited |= {x["article_id"] for entry in key for srcs in entry["sources"] for x in srcs}
        titles = s.article_titles(sorted(cited)) if cited else {}
        top = bundle["entities"]
        return templates.TemplateResponse(request, "story.html", {
            "story": bundle, "titles": titles, "speakers": speakers[:SPEAKERS_SHOWN],
            "more_speakers": speakers[SPEAKERS_SHOWN:], "affiliations": affiliations, "offset": offset, "page": STORY_EVENTS,
            "key": key, "filters": filters, "filtered": filtered, "event_types": EVENT_TYPES,
            "filter_query": urlencode({k: ("1" if v is True else v) for k, v in filters.items() if v}),
            "timeline": render.timeline_layout(queries.event_points(s, story_id),
                                               on_page={e["id"] for e in bundle["timeline"]}, page=STORY_EVENTS),
            "graph": render.entity_graph(top, queries.entity_articles(s, [e["id"] for e in top], ids) if top else {}),
        })

    @app.get("/articles/{article_id}", response_class=HTMLResponse, include_in_schema=False)
    async def article_page(request: Request, article_id: str, hl: str | None = None) -> Response:
        s = store()
        a = s.article(article_id)
        if a is None:
            raise HTTPException(404, f"no article {article_id}")
        if a.id != article_id:  # a prefix or a position: send to the canonical address
            return RedirectResponse(f"/articles/{a.id}" + (f"?{urlencode({'hl': hl})}" if hl else ""), 307)
        bundle = _article_bundle(s, a.id, a)
        highlight = None
        if hl and re.fullmatch(r"\d{1,9}-\d{1,9}", hl):
            st, en = map(int, hl.split("-"))
            if 0 <= st < en <= len(a.text):
                highlight = (st, en)
        marks = render.article_marks(bundle["mentions"], bundle["quotes"], bundle["timexes"], highlight)
        inserts = render.insertion_points(bundle["text_map"], bundle["removed"], len(a.text))
        body = render.marked_text(a.text, marks, inserts)
        entities: OrderedDict[str, dict] = OrderedDict()
        for m in bundle["mentions"]:
            e = entities.setdefault(m["entity_id"], {"id": m["entity_id"], "name": m["name"], "type": m["type"],
                                                     "spans": []})
            e["spans"].append(m["span"])
        dups = {"of": s.article(a.duplicate_of) if a.duplicate_of else None}
        return templates.TemplateResponse(request, "article.html", {
            "a": bundle, "body": body, "entities": sorted(entities.values(), key=lambda e: -len(e["spans"])),
            "highlight": highlight, "dup_of": dups["of"],
        })

    @app.get("/entities", response_class=HTMLResponse, include_in_schema=False)
    async def entities_index(request: Request, q: str | None = Query(None, max_length=200), type: EntityType = None,
                             offset: int = Query(0, ge=0, le=MAX_OFFSET)) -> HTMLResponse:
        """Every entity, most mentioned first, searchable by a part of its name or an alias, filtered by type."""
        q = (q or "").strip() or None
        total, items = store().entities_page(PAGE, offset, type, q, max_mentions=0)
        return templates.TemplateResponse(request, "entities.html", {
            "items": items, "total": total, "offset": offset, "page": PAGE, "q": q, "type": type,
            "types": ENTITY_TYPES, "filter_query": urlencode({k: v for k, v in (("q", q), ("type", type)) if v})})

    @app.get("/entities/{entity_id}", response_class=HTMLResponse, include_in_schema=False)
    async def entity_page(request: Request, entity_id: str) -> HTMLResponse:
        """One entity: how it is written, who appears with it, its events, its quotes and those naming it,
        its articles (`queries.entity_profile`, as `storyline entity` and /api/entities/{id}/profile)."""
        s = store()
        p = queries.entity_profile(s, entity_id, top=ENTITY_LISTS, per=ENTITY_LISTS)
        if p is None:
            raise HTTPException(404, f"no entity {entity_id}")
        cited = {q["article_id"] for key in ("quotes_by", "quotes_naming") for q in p[key]}
        cited |= {m["article_id"] for ev in p["events"] for m in ev.get("mentions") or []}
        return templates.TemplateResponse(request, "entity.html", {
            "p": p, "titles": s.article_titles(sorted(cited)) if cited else {}})

    @app.get("/quotes", response_class=HTMLResponse, include_in_schema=False)
    async def quotes_index(request: Request, speaker: str | None = Query(None, max_length=200),
                           kind: QuoteKind = None, story: str | None = Query(None, max_length=200),
                           outlet: str | None = Query(None, max_length=500),
                           date_from: PublishedFrom = None, date_to: PublishedTo = None,
                           offset: int = Query(0, ge=0, le=MAX_OFFSET)) -> HTMLResponse:
        """Every quote in reading order, filtered by speaker, kind, story, outlet and publication date."""
        s = store()
        filters = {"speaker": (speaker or "").strip() or None, "kind": kind or None, "story": story or None,
                   "outlet": outlet or None, "from": date_from or None, "to": date_to or None}
        total, items = _quotes(s, PAGE, offset, filters["speaker"], None, filters["story"], filters["kind"],
                               filters["outlet"], filters["from"], filters["to"])
        titles = s.article_titles(sorted({q["article_id"] for q in items})) if items else {}
        return templates.TemplateResponse(request, "quotes.html", {
            "items": items, "total": total, "offset": offset, "page": PAGE, "filters": filters, "titles": titles,
            "kinds": QUOTE_KINDS, "outlets": outlets(), "stories": story_menu(),
            "filter_query": urlencode({k: v for k, v in filters.items() if v})})

    @app.get("/claims", response_class=HTMLResponse, include_in_schema=False)
    async def claims_index(request: Request, status: ClaimStatus = None, story: str | None = Query(None, max_length=200),
                           offset: int = Query(0, ge=0, le=MAX_OFFSET)) -> HTMLResponse:
        """Every claim compared across its sources, conflicts first."""
        s = store()
        filters = {"status": status or None, "story": story or None}
        total, items = _claims(s, PAGE, offset, filters["story"], filters["status"])
        titles = s.article_titles(sorted({v["article_id"] for c in items for v in c.get("values") or []})) \
            if items else {}
        return templates.TemplateResponse(request, "claims.html", {
            "items": items, "total": total, "offset": offset, "page": PAGE, "filters": filters, "titles": titles,
            "statuses": CLAIM_STATUSES, "stories": story_menu(),
            "filter_query": urlencode({k: v for k, v in filters.items() if v})})

    # --- corrections: listed to all (what the pages' "(corrected)" marks and the dossier already show);
    # made and undone only with allow_edit and the bearer token (edit.Guard checks it before the body is read)
    templates.env.globals["editing"] = allow_edit

    @app.get("/api/corrections", tags=["corrections"], responses=answers(schemas.CorrectionPage, 422))
    async def api_corrections(limit: int = limit_q, offset: int = offset_q) -> dict[str, Any]:
        """The corrections made (as `storyline corrections --json`), oldest first: `what` in words, `status`
        ("applied", "not applied: target gone (…)" or "undone"), `by`, `at`, `why`, and the `payload` that finds
        the target again when ids move."""
        total, rows = store().corrections_page(limit, offset)
        return _list(total, [corrections.record(c) for c in rows], limit, offset)

    @app.get("/corrections", response_class=HTMLResponse, include_in_schema=False)
    async def corrections_page(request: Request, offset: int = Query(0, ge=0, le=MAX_OFFSET)) -> HTMLResponse:
        """The corrections, the latest first, a page at a time; undo buttons when editing is on."""
        total, rows = store().corrections_page(PAGE, offset, latest_first=True)
        return templates.TemplateResponse(request, "corrections.html", {
            "items": [corrections.record(c) for c in rows], "total": total, "offset": offset, "page": PAGE,
            "filter_query": ""})

    if allow_edit:
        def editor(request: Request) -> None:
            _check_token(request.headers.get("authorization", ""), token or "")

        @app.post("/api/corrections", tags=["corrections"], status_code=201, dependencies=[Depends(editor)],
                  responses=answers(schemas.Correction, 401, 411, 413, 422, 503, 507, status=201, etag=False))
        async def api_correct(body: edit.Correction) -> dict[str, Any]:
            """Make a correction, as `storyline correct OP` does (`op`: merge-entities, split-entity, rename-entity,
            speaker, reject, redate; `target` and the op's arguments; `why`; `by`, default "web"); needs
            `Authorization: Bearer <token>`. Answers the correction as GET /api/corrections lists it (201); a bad
            body, an unknown target or a change that cannot be made is a 422 naming the field."""
            rec = await run_in_threadpool(_write, db_path, ingest_lock,
                                          lambda s: edit.listed(s, edit.make(s, body)))
            state["generation"] += 1
            return rec

        @app.post("/api/corrections/{correction_id}/undo", tags=["corrections"], dependencies=[Depends(editor)],
                  responses=answers(schemas.Correction, 401, 404, 409, 411, 413, 422, 503, 507, etag=False))
        async def api_undo(correction_id: int = Path_(ge=1, le=MAX_OFFSET)) -> dict[str, Any]:
            """Undo a correction (what it changed comes back as computed; 404: no such correction, 409: undone
            already); needs `Authorization: Bearer <token>`. Answers the correction as listed."""
            def run(s: Store) -> dict[str, Any]:
                edit.undo(s, correction_id)
                return edit.listed(s, correction_id)

            rec = await run_in_threadpool(_write, db_path, ingest_lock, run)
            state["generation"] += 1
            return rec

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        if request.url.path.startswith("/api/") or request.url.path.startswith("/static"):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)
        return templates.TemplateResponse(request, "error.html", {"status": exc.status_code, "detail": exc.detail},
                                          status_code=exc.status_code)

    @app.exception_handler(RequestValidationError)
    async def invalid_parameter(request: Request, exc: RequestValidationError) -> Response:
        """A bad parameter: FastAPI's 422 on the API; on a page, the page's error saying which and why."""
        if request.url.path.startswith("/api/"):
            return await request_validation_exception_handler(request, exc)
        detail = "; ".join(f"{e['loc'][-1]}: {e['msg']}" for e in exc.errors())
        return templates.TemplateResponse(request, "error.html", {"status": 422, "detail": detail}, status_code=422)

    from starlette.exceptions import HTTPException as StarletteHTTPException

    @app.exception_handler(StarletteHTTPException)
    async def http_error2(request: Request, exc: StarletteHTTPException) -> Response:
        return await http_error(request, HTTPException(exc.status_code, exc.detail, getattr(exc, "headers", None)))

    schemas.documented(app)  # /openapi.json: each answer's shape (storyline.web.schemas), documentation only
    return app


# --- bundles in the dossier shapes ---------------------------------------------------------------
def _article_bundle(s: Store, article_id: str, a: Any = None) -> dict[str, Any]:
    a = a or s.article(article_id)
    if a is None or a.id != article_id:
        raise HTTPException(404, f"no article {article_id}")
    layers = s.annotations(a.id) or {}
    main = s.main_events(a.story_id).get(a.id) if a.story_id else None
    rec = article_record(a, s.shared_passages(a.id), layers, main)
    linked = queries.article_entity_mentions(s, a.id)
    seen = {tuple(m["span"]) for m in linked}
    unlinked = [{"entity_id": None, "name": m.get("name"), "type": m.get("type"), "span": m["span"], "text": m["text"]}
                for m in layers.get("mentions", []) if tuple(m["span"]) not in seen]
    rec["mentions"] = sorted(linked + unlinked, key=lambda m: (m["span"][0], -m["span"][1]))
    rec["quotes"] = s.quotes_page(10_000, 0, None, [a.id])[1]
    if marks := corrections.article_marks(s).get(a.id):
        rec["corrected"] = marks  # a re-dating in force, as the JSON export marks it
    return rec


def _story_bundle(s: Store, story_id: str, limit: int = STORY_EVENTS, offset: int = 0,
                  n_entities: int = STORY_ENTITIES, n_mentions: int = ENTITY_MENTIONS,
                  n_quotes: int = STORY_QUOTES) -> dict[str, Any]:
    st = s.story(story_id)
    if st is None:
        raise HTTPException(404, f"no story {story_id}")
    ids = list(st.get("article_ids") or [])
    events_total, events = s.events_page(limit, offset, story_id)
    quotes_total, quotes = s.quotes_page(n_quotes, 0, None, ids) if ids else (0, [])
    entities_total, entities = s.entities_page(n_entities, 0, None, None, ids, n_mentions) if ids else (0, [])
    return {
        **st,
        "article_ids": ids,
        # timeline_count: the name the story list gives the same count (its page's filters narrow timeline_total)
        "timeline": events, "timeline_total": events_total, "timeline_count": events_total,
        "claims": s.claims(story_id),
        "quotes": quotes, "quotes_total": quotes_total,
        # the story's entities, most named in it first, with their first mentions in its articles
        "entities": entities, "entities_total": entities_total,
    }


def _search(s: Store, q: str, limit: int, offset: int, *filters: str | None) -> tuple[int, list[dict[str, Any]]]:
    """The API's search: a query the backend still refuses after the grammar took it is a 422 on `q` too."""
    try:
        return s.search(q, limit, offset, *filters)
    except QueryError as e:
        raise RequestValidationError([{"type": "search_query", "loc": ("query", "q"), "msg": str(e), "input": q}]) from None


# --- ingest -----------------------------------------------------------------------------------------
def _check_token(header: str, token: str) -> None:
    scheme, _, given = header.partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), token.encode()):
        raise HTTPException(401, "a valid bearer token is required", headers={"WWW-Authenticate": "Bearer"})


async def _body(request: Request, max_bytes: int) -> bytes:
    buf = bytearray()
    async for chunk in request.stream():
        buf += chunk
        if len(buf) > max_bytes:
            raise HTTPException(413, "request too large")
    return bytes(buf)


_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def _safe_name(name: str, i: int) -> str:
    """A file name that cannot leave the upload folder: the last component, plain characters only."""
    base = _SAFE_NAME.sub("_", Path(name.replace("\\", "/")).name).lstrip(".")[:120] or f"file-{i}"
    return base


async def _save_files(request: Request, folder: Path, max_bytes: int) -> list[str]:
    form = await request.form(max_files=100, max_fields=20, max_part_size=max_bytes)
    names, total = [], 0
    try:
        for i, (_, item) in enumerate(form.multi_items()):
            if isinstance(item, str):
                continue
            name = _safe_name(item.filename or "", i)
            while (folder / name).exists():
                name = f"{i}-{name}"
            content = await item.read()
            total += len(content)
            if total > max_bytes:
                raise HTTPException(413, "upload too large")
            (folder / name).write_bytes(content)
            names.append(name)
    finally:
        await form.close()
    if not names:
        raise HTTPException(400, "no files in the upload (send them as multipart field 'files')")
    return names


def _save_json(body: bytes, folder: Path) -> str:
    too_deep = HTTPException(400, f"invalid JSON: nested more than {MAX_JSON_DEPTH} levels deep")
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError) as e:
        raise HTTPException(400, f"invalid JSON: {e}") from e
    except RecursionError:
        raise too_deep from None
    if _depth(payload) > MAX_JSON_DEPTH:
        raise too_deep
    items = payload.get("articles") if isinstance(payload, dict) else payload
    if isinstance(payload, dict) and items is None and ("text" in payload or "html" in payload):
        items = [payload]
    if not isinstance(items, list) or not items or not all(isinstance(x, dict) for x in items):
        raise HTTPException(400, 'send {"articles": [{"text": ..., "title": ...}, ...]} or a list of such objects')
    lines = "\n".join(json.dumps(x, ensure_ascii=False) for x in items) + "\n"
    name = "api-" + hashlib.sha256(lines.encode()).hexdigest()[:16] + ".jsonl"
    (folder / name).write_text(lines, encoding="utf-8")
    return name


def _depth(value: Any) -> int:
    """How deeply lists and objects nest in a parsed JSON value (without recursion)."""
    deepest, todo = 0, [(value, 1)]
    while todo:
        v, d = todo.pop()
        if isinstance(v, (list, dict)):
            deepest = max(deepest, d)
            todo.extend((x, d + 1) for x in (v.values() if isinstance(v, dict) else v))
    return deepest


def _build(db_path: str, folder: Path, max_mb: float, lock: threading.Lock) -> dict[str, Any]:
    """Build the upload into the database; a write the database refuses (full disk: 507; read-only or
    an I/O error: 503) is an HTTP error of one line, the failed transaction rolled back."""
    from storyline import pipeline

    def run(s: Store) -> dict[str, Any]:
        report = pipeline.build([folder], s, max_mb=max_mb)
        return {"added_documents": report.added_documents, "added_articles": report.added_articles,
                "already_stored": report.skipped,
                "problems": [{"source": p.source, "message": p.message} for p in report.problems],
                "articles_in_database": s.counts()["articles"]}

    return _write(db_path, lock, run)


def _write(db_path: str, lock: threading.Lock, run: Any) -> Any:
    """`run(store)` on a connection of its own, one writer at a time (ingest and corrections share the lock); a
    write the database refuses is an HTTP error of one line, the failed transaction rolled back."""
    try:
        with lock, Store(db_path) as s:
            return run(s)
    except StoreError as e:
        raise HTTPException(507 if isinstance(e, WriteError) and e.kind == "full" else 503, str(e)) from None
    except Exception as e:
        refused = write_error(e, display_name(db_path))
        if refused is None:
            raise
        raise HTTPException(507 if refused.kind == "full" else 503, str(refused)) from None


# --- template helpers -------------------------------------------------------------------------------
def _described(s: Store, stories: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The stories with their outlets, articles a month and date span in words (`overview.describe`)."""
    from storyline.stories.overview import describe

    return describe(stories, s.story_article_facts([x["id"] for x in stories])) if stories else stories


def _page_url(filters: dict[str, Any], **change: Any) -> str:
    params = {k: v for k, v in {**filters, **change}.items() if v not in (None, "", 0)}
    return "/" + ("?" + urlencode(params) if params else "")


def _safe_url(url: str | None) -> str | None:
    """Only http(s) links leave the page (an article's `url` could be `javascript:…`)."""
    if url and re.match(r"(?i)^https?://[^\s]+$", url):
        return url
    return None


def _story_id(s: Any, story: str | None) -> str | None | bool:
    """The id of the story a `story` filter names (an id, or what `Store.story` takes), None when not given,
    False when it names none (the list is then empty)."""
    if story is None:
        return None
    st = s.story(story)
    return st["id"] if st is not None else False


def _quotes(s: Any, limit: int, offset: int, speaker: str | None, article: str | None, story: str | None,
            kind: str | None, outlet: str | None, date_from: str | None, date_to: str | None
            ) -> tuple[int, list[dict[str, Any]]]:
    """One page of quotes as /api/quotes and /quotes filter them (kind and dates checked where FastAPI reads them)."""
    story_id = _story_id(s, story)
    if story_id is False:
        return 0, []
    return s.quotes_page(limit, offset, speaker, [article] if article is not None else None, kind, story_id, outlet,
                         date_from, date_to)


def _claims(s: Any, limit: int, offset: int, story: str | None, status: str | None) -> tuple[int, list[dict[str, Any]]]:
    """One page of claims, conflicts first, then those told by most sources (the status checked where FastAPI reads it)."""
    story_id = _story_id(s, story)
    if story_id is False:
        return 0, []
    rows = [c for c in s.claims(story_id or None) if status is None or c.get("status") == status]
    rows.sort(key=lambda c: (CLAIM_STATUSES.index(c["status"]) if c.get("status") in CLAIM_STATUSES else 9,
                             -len({v.get("article_id") for v in c.get("values") or []}), c.get("id") or ""))
    return len(rows), rows[offset:] if limit < 0 else rows[offset:offset + limit]


def _when(published: dict[str, Any] | None) -> str:
    """A publication date in words, or its bounds where only those are known ('on or after 12 July 2019'),
    as `storyline articles` shows them."""
    return published_in_words(published or {})
