"""End to end in headless Chromium (Debian's `chromium`, driven by Playwright's Python client):
the server runs on a free loopback port over a database built from examples/corpus (and one over
the seeds, where ../shared is present), and a person's clicks must land on the highlighted source
span of an article, or open what a story page holds behind a switch.

`make test` installs chromium when it is missing (as root, with apt); elsewhere these skip
with one line saying how to install it."""

from __future__ import annotations

import os
import re
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest


playwright_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed (pip install -e '.[dev]')")

CHROMIUM = os.environ.get("STORYLINE_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
if not Path(CHROMIUM).exists():
    pytest.skip("chromium is not installed: apt-get install -y chromium (make test does it as root)",
                allow_module_level=True)

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
ROOT = Path(__file__).resolve().parent.parent


def _serve(db: str, **options):
    """The app over `db` on a free loopback port, in a thread (`options`: create_app's): yields its base URL."""
    import uvicorn

    from storyline.web import create_app

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(create_app(db, **options), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.time() + 20
    while not srv.started and time.time() < deadline:
        time.sleep(0.05)
    assert srv.started, "the server did not start"
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def server(databases):
    from storyline import pipeline
    from storyline.store import Store

    db = databases.new("browser")
    with Store(db) as s:
        pipeline.build([ROOT / "examples" / "corpus"], s)
    for url in _serve(db):
        yield {"url": url, "db": db}


@pytest.fixture(scope="module")
def seed_server(seed_db):
    """The app over the seeds' database (skipped when ../shared/seeds is absent)."""
    for url in _serve(seed_db):
        yield {"url": url, "db": seed_db}


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as p:
        try:
            b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        except Exception as e:  # a chromium that cannot start here (no display libraries, …)
            pytest.skip(f"chromium at {CHROMIUM} does not start: {str(e).splitlines()[0]}")
        yield b
        b.close()


@pytest.fixture
def page(browser):
    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    pg = ctx.new_page()
    blocked: list[str] = []
    pg.on("request", lambda r: blocked.append(r.url) if not r.url.startswith(("http://127.0.0.1", "data:")) else None)
    yield pg
    ctx.close()
    assert not blocked, f"the page fetched from elsewhere: {blocked}"  # nothing from the internet at run time


def assert_landed(page, span_id: str) -> None:
    """The URL names the span, the span is the :target, highlighted, and on screen."""
    assert page.url.endswith("#" + span_id), page.url
    target = page.locator(f"[id='{span_id}']")
    assert target.count() == 1
    assert target.evaluate("el => el.matches(':target')")
    cls = target.get_attribute("class") or ""
    assert "hl" in cls.split() or "landed" in cls.split(), cls
    box = target.evaluate("el => { const r = el.getBoundingClientRect(); return [r.top, r.bottom, innerHeight]; }")
    assert 0 <= box[0] and box[1] <= box[2], f"the span is not on screen: {box}"


def test_article_quote_link_lands_on_highlighted_span(server, page):
    """Search → an article → a quote in the side list → the quote, highlighted and scrolled to."""
    page.goto(server["url"] + "/?q=Dockworkers")  # the home page lists stories; search lists articles
    page.locator("a[href^='/articles/']", has_text="Dockworkers walk out at Caldera Bay").first.click()
    page.wait_for_url(re.compile(r"/articles/a-"))
    assert page.locator("#text mark.quote").count() > 0
    link = page.locator(".quote-list a.speaker").nth(1)  # a quote further down the page
    span = "span-" + link.get_attribute("data-span")
    link.click()
    page.wait_for_url(re.compile(span + "$"))
    page.wait_for_load_state("load")
    assert_landed(page, span)
    target = page.locator(f"[id='{span}']")
    assert target.evaluate("el => el.classList.contains('hl')")  # the followed span wraps the quote
    assert target.locator("mark.quote").count() >= 1


def test_entity_link_and_removed_toggle(server, page):
    page.goto(server["url"] + "/")
    page.locator("ol.article-list a.title").first.click()
    page.wait_for_url(re.compile(r"/articles/a-"))
    link = page.locator(".entity-list li > a[data-span]").first
    span = "span-" + link.get_attribute("data-span")
    link.click()
    page.wait_for_url(re.compile(span + "$"))
    assert_landed(page, span)
    removed = page.locator("#text .removed").first
    assert not removed.is_visible()
    page.locator("label[for=show-removed]").click()
    assert removed.is_visible()
    assert removed.evaluate("el => getComputedStyle(el.querySelector('del')).textDecorationLine").startswith("line-through")


def test_story_event_click_lands_on_source_span(server, page):
    """Story page → "every event" (the switch under the key events) → an event → its source article at the
    highlighted span."""
    from storyline.store import Store

    with Store(server["db"]) as s:
        stories = s.stories()
    if not stories:
        pytest.skip("events land with the stories issue")
    page.goto(server["url"] + "/")
    page.locator(".story-list a").first.click()
    page.wait_for_url(re.compile(r"/stories/"))
    switch = page.locator("details.every-event")
    if switch.get_attribute("open") is None:
        assert not page.locator(".events a.source-link").first.is_visible()  # closed under the key events
        switch.locator("summary").click()
    link = page.locator(".events a.source-link").first
    href = link.get_attribute("href")
    span = href.rsplit("#", 1)[1]
    link.click()
    page.wait_for_url(re.compile(r"/articles/a-.*#" + span + "$"))
    assert_landed(page, span)


def test_story_page_shows_every_speaker_and_turkish_media_as_a_group(seed_server, page):
    """Seeds' story page → "who said what": the speakers past the first ones sit behind a switch;
    opened, "Turkish media" is there under its own words, a group, linked to Turkey as its
    affiliation, and its quote opens under it."""
    from storyline.store import Store
    from storyline.web import queries

    with Store(seed_server["db"]) as s:
        story = next(st for st in s.stories() if "S-400" in st["title"])
    page.goto(seed_server["url"] + f"/stories/{story['id']}")
    section = page.locator("section.quotes-by-speaker")
    media = section.locator("details.speaker > summary", has_text=re.compile(r"^\s*Turkish media\b"))
    assert media.count() == 1
    if not media.is_visible():  # behind the switch: a reader opens it
        switch = section.locator("details.more-speakers > summary")
        assert switch.is_visible() and re.search(r"\d+ more speakers", switch.inner_text())
        switch.click()
    assert media.is_visible()
    kind = media.locator(".speaker-kind")
    assert kind.is_visible() and kind.inner_text().strip().lower() == "group"
    aff = media.locator(".affiliation a")
    assert aff.inner_text().strip() == "Turkey" and aff.get_attribute("href").startswith("/entities/e-")
    words = media.locator("xpath=..").locator("blockquote", has_text="Turkey may decide to use Russian missiles")
    assert not words.is_visible()
    media.click(position={"x": 5, "y": 5})  # open the group's own block (not its affiliation link)
    assert words.is_visible()
    # every speaker the story has is on the page once the switch is open
    with Store(seed_server["db"]) as s:
        names = {name or "unknown speaker" for name, _, _ in queries.speakers(s, story["article_ids"], top=None)}
    shown = section.locator("details.speaker > summary")
    assert shown.count() == len(names)


def test_entity_page_from_a_quotes_speaker_and_the_graph_slider(seed_server, page):
    """/quotes → a speaker's name → the entity's page, which lists that quote among its own; the story page's
    graph hides the links under the slider's weight and a node opens its entity."""
    page.goto(seed_server["url"] + "/quotes?speaker=Peskov")
    link = page.locator(".quote-list li strong a").first
    name = link.inner_text().strip()
    quote = page.locator(".quote-list li blockquote").first.inner_text().strip()[:40]
    link.click()
    page.wait_for_url(re.compile(r"/entities/e-"))
    assert page.locator("h1").inner_text().startswith(name)
    by = page.locator("section.entity-quotes", has_text=f"Quotes by {name}")
    assert by.locator("blockquote", has_text=quote).count() >= 1
    # the graph: heavier links only, then a node to its page
    page.goto(seed_server["url"] + "/")
    page.locator("a.story-title").first.click()
    page.wait_for_url(re.compile(r"/stories/s-"))
    edges = page.locator("#entity-graph line.edge")
    slider = page.locator("input[data-graph-target]")
    top = int(slider.get_attribute("max"))
    slider.fill(str(top))
    heavy = [int(w) for w in edges.evaluate_all("els => els.map(e => e.dataset.w)") if int(w) >= top]
    shown = edges.evaluate_all("els => els.filter(e => getComputedStyle(e).display !== 'none').length")
    assert 0 < shown == len(heavy) < edges.count()
    page.locator("#entity-graph a circle").first.click()
    page.wait_for_url(re.compile(r"/entities/e-"))
    assert page.locator("section.appears-with").count() == 1


EDIT_TOKEN = "browser-edit-token-for-the-tests"


@pytest.fixture(scope="module")
def edit_seed_db(databases, seeds_folder):
    """A database of the seeds that no server holds open (PostgreSQL copies a database only when nobody is on
    it, and seed_server is on seed_db)."""
    from storyline.pipeline import build
    from storyline.store import Store

    db = databases.new("edit-seeds")
    with Store(db) as store:
        build([seeds_folder], store)
    return db


@pytest.fixture(scope="module")
def seeds_folder():
    from tests.conftest import SEEDS

    if not SEEDS.is_dir():
        pytest.skip("../shared/seeds is not present")
    return SEEDS


@pytest.fixture
def edit_server(edit_seed_db, seeds_folder, databases, tmp_path):
    """The app with editing on (serve --allow-edit) over a copy of the seeds' database, and the seeds folder and
    a folder of one more article to build again with."""
    from tests.test_corrections import EXTRA

    db = databases.copy(edit_seed_db, "edit")
    more = tmp_path / "more"
    more.mkdir()
    (more / "900_sochi.txt").write_text(EXTRA, encoding="utf-8")
    for url in _serve(db, allow_edit=True, token=EDIT_TOKEN):
        yield {"url": url, "db": db, "seeds": seeds_folder, "more": more}


def _submit(page, form, **fields: str) -> None:
    """Fill a correction form's fields by name and send it; the page is read again once it is made."""
    for name, value in fields.items():
        form.locator(f"input[name={name}]").fill(value)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()


def test_a_merge_made_on_the_entity_page_lasts_and_is_undone_from_corrections(edit_server, page, databases, edit_seed_db):
    """The token typed once (kept in the tab, never a cookie) → the entity page's merge form → the page shows the
    merge, and so does a fresh JSON export, through a rebuild of the same input and a build with one more
    article → /corrections → undo: the export is what the same builds give uncorrected."""
    from storyline.pipeline import build
    from storyline.store import Store
    from tests.test_corrections import _computed, _dossier, _entity

    expect = playwright_api.expect
    url, db = edit_server["url"], edit_server["db"]
    before = _dossier(db)
    putin, erdogan = _entity(before, "Vladimir Putin"), _entity(before, "Recep Tayyip Erdogan")
    page.goto(url + f"/entities/{putin['id']}")
    form = page.locator("form.merge")
    form.locator("input[name=other]").fill("Recep Tayyip Erdogan")
    form.locator("input[name=why]").fill("one person, <b>says the test</b>")
    form.locator("button[type=submit]").click()
    expect(form.locator("output")).to_contain_text("type the token first")
    bar = page.locator("[data-edit-token]")
    bar.locator("input[name=token]").fill("not-the-token")
    bar.locator("[data-token-set]").click()
    form.locator("button[type=submit]").click()
    expect(form.locator("output")).to_contain_text("the token was refused")
    bar.locator("input[name=token]").fill(EDIT_TOKEN)
    bar.locator("input[name=by]").fill("browser")
    bar.locator("[data-token-set]").click()
    expect(bar.locator("output")).to_have_text("token set for this tab")
    with page.expect_navigation():  # made, the page is read again
        form.locator("button[type=submit]").click()
    expect(page.locator("h1 .corrected")).to_have_text("(corrected)")
    expect(page.locator("section.entity-head")).to_contain_text("aliases:")
    assert "Recep Tayyip Erdogan" in page.locator("section.entity-head").inner_text()
    assert page.locator("h1 .corrected").get_attribute("title") == "one person, <b>says the test</b>"
    assert page.context.cookies() == []  # the token is never a cookie …
    assert page.evaluate("() => sessionStorage.getItem('storyline-token')") == EDIT_TOKEN  # … but this tab's

    def holds(d: dict) -> None:
        p = _entity(d, "Vladimir Putin")
        assert erdogan["id"] not in {e["id"] for e in d["entities"]} and "Recep Tayyip Erdogan" in p["aliases"]
        assert p["corrected"][0]["by"] == "browser"

    holds(_dossier(db))  # a fresh JSON export
    with Store(db) as store:
        build([edit_server["seeds"]], store)
    holds(_dossier(db))
    with Store(db) as store:
        build([edit_server["seeds"], edit_server["more"]], store)
    holds(_dossier(db))
    page.reload()
    assert "Recep Tayyip Erdogan" in page.locator("section.entity-head").inner_text()

    page.goto(url + "/corrections")
    row = page.locator("tr[data-correction='1']")
    assert "merge-entities" in row.inner_text() and "applied" in row.inner_text()
    with page.expect_navigation():
        row.locator("form[data-undo] button").click()
    expect(page.locator("tr[data-correction='1'] td.status")).to_contain_text("undone")
    assert page.locator("tr[data-correction='1'] form[data-undo]").count() == 0
    twin = databases.copy(edit_seed_db, "twin")  # the same builds, never corrected
    with Store(twin) as store:
        build([edit_server["seeds"], edit_server["more"]], store)
    assert _computed(_dossier(db)) == _computed(_dossier(twin))
    page.goto(url + f"/entities/{erdogan['id']}")
    expect(page.locator("h1")).to_contain_text("Recep Tayyip Erdogan")


def test_a_quotes_speaker_set_and_a_quote_rejected_on_the_quotes_page(edit_server, page):
    """/quotes with editing on: a speaker form with two answers is refused with the field's message (shown as
    text); a name alone is taken and shown as corrected; a rejected quote leaves the list."""
    expect = playwright_api.expect
    url = edit_server["url"]
    page.goto(url + "/quotes")
    page.evaluate(f"() => sessionStorage.setItem('storyline-token', {EDIT_TOKEN!r})")  # as the token bar keeps it
    page.reload()
    total = int(page.locator("h1 .count").inner_text())
    first = page.locator(".quote-list > li").first
    words = first.locator("blockquote").inner_text()
    first.locator("details.edit > summary").click()
    form = first.locator("form.speaker")
    form.locator("input[name=name]").fill("<i>A spokesman</i>")
    form.locator("input[name=clear]").check()
    form.locator("input[name=why]").fill("misattributed")
    form.locator("button[type=submit]").click()
    expect(form.locator("output")).to_contain_text("exactly one of entity, name and clear")
    form.locator("input[name=clear]").uncheck()
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    first = page.locator(".quote-list > li", has_text=words[:40]).first
    assert first.locator("strong").inner_text() == "<i>A spokesman</i>"  # as text, never markup
    expect(first.locator(".corrected")).to_have_attribute("title", "misattributed")
    first.locator("details.edit > summary").click()
    _submit(page, first.locator("form.reject"), why="not a quote")
    expect(page.locator("h1 .count")).to_have_text(str(total - 1))
    assert page.locator(".quote-list > li", has_text=words[:40]).count() == 0


def test_a_split_on_the_entity_page_and_a_redate_and_speaker_on_the_article_page(edit_server, page):
    """Editing on: the entity page splits off the mentions written one way (they become an entity of that name),
    the article page re-dates the article (shown as corrected, in its date) and sets a quote's speaker there."""
    from tests.test_corrections import _dossier, _entity

    expect = playwright_api.expect
    url, db = edit_server["url"], edit_server["db"]
    before = _dossier(db)
    erdogan = _entity(before, "Recep Tayyip Erdogan")
    page.goto(url + f"/entities/{erdogan['id']}")
    page.evaluate(f"() => sessionStorage.setItem('storyline-token', {EDIT_TOKEN!r})")  # as the token bar keeps it
    page.reload()
    forms = page.locator("datalist#split-forms option")
    written = sorted((o.get_attribute("value") for o in forms.all()), key=len)
    alias = next(w for w in written if w != "Recep Tayyip Erdogan")  # a shorter way it is written ("Erdogan")
    _submit(page, page.locator("form.split"), alias=alias, why="a namesake")
    after = _dossier(db)
    split = next(e for e in after["entities"] if e["name"] == alias and e["id"] != erdogan["id"])
    assert split["corrected"][0]["op"] == "split-entity"
    assert not any(m["text"] == alias for m in _entity(after, "Recep Tayyip Erdogan")["mentions"])

    art = next(a for a in after["articles"] if a["id"] in {q["article_id"] for q in after["quotes"]})  # one with quotes
    page.goto(url + f"/articles/{art['id']}")
    page.locator("details.edit > summary", has_text="correct the date").click()
    _submit(page, page.locator("form.redate"), date="2019-07", why="the wire's own date")
    head = page.locator("article header .meta").first
    expect(head.locator(".corrected")).to_have_attribute("title", "the wire's own date")
    assert "2019" in head.inner_text() and "July" in head.inner_text()
    assert next(a for a in _dossier(db)["articles"] if a["id"] == art["id"])["corrected"][0]["op"] == "redate"

    first = page.locator(".quote-list > li").first
    first.locator("details.edit > summary").click()
    _submit(page, first.locator("form.speaker"), name="An aide", why="the aide said it")
    first = page.locator(".quote-list > li").first
    expect(first.locator("a.speaker")).to_have_text("An aide")
    expect(first.locator(".corrected")).to_have_attribute("title", "the aide said it")
