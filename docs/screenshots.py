"""Screenshots of the pages for the docs: `python docs/screenshots.py [--db seeds.db]`.

Builds a database from ../shared/seeds (unless --db names one), serves it on a free loopback
port and photographs the pages in headless Chromium (Debian's `chromium`, driven by Playwright's
Python client). Writes docs/home.png, docs/search.png, docs/story-page.png, docs/graph.png (the biggest
story's graph of who appears with whom), docs/entity-page.png (the most quoted speaker's page),
docs/quotes.png, docs/claims.png and docs/article-page.png.
With `--suffix=-polnear` (and `--db` naming, say, a PolNeAR build: `bench/api.py --build-only` makes one
in bench/_work/api-1000.db) it writes all but the search and article pages, named with the suffix.
"""

from __future__ import annotations

import argparse
import shutil
import socket
import tempfile
import threading
import time
from pathlib import Path

import uvicorn
from playwright.sync_api import sync_playwright

from storyline import pipeline
from storyline.store import Store
from storyline.web import create_app

ROOT = Path(__file__).resolve().parent.parent
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars"]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", help="a built database (default: build one from ../shared/seeds)")
    ap.add_argument("--article", help="article id to photograph (default: the one with most quotes)")
    ap.add_argument("--suffix", default="", help="write all but the search and article pages, each named with the"
                                                 " suffix (home{suffix}.png, …)")
    ap.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    args = ap.parse_args()
    db = args.db
    if not db:
        db = str(Path(tempfile.mkdtemp()) / "seeds.db")
        with Store(db) as s:
            pipeline.build([ROOT.parent / "shared" / "seeds"], s)
    article = args.article
    if not article and not args.suffix:
        with Store(db) as s:
            article = max((a.id for a in s.articles()), key=lambda i: (s.quotes_page(1, 0, None, [i])[0], i))
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(create_app(db), host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=srv.run, daemon=True).start()
    while not srv.started:
        time.sleep(0.05)
    base = f"http://127.0.0.1:{port}"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=args.chromium, args=ARGS)
        pg = b.new_page(viewport={"width": 1360, "height": 900}, device_scale_factor=1)
        pg.goto(base + "/")
        pg.screenshot(path=str(ROOT / "docs" / f"home{args.suffix}.png"), full_page=False)
        with Store(db) as s:
            story = max(s.stories(), key=lambda x: len(x["article_ids"]))["id"]
        pg.goto(base + f"/stories/{story}")
        pg.screenshot(path=str(ROOT / "docs" / f"story-page{args.suffix}.png"), full_page=True,
                      clip={"x": 0, "y": 0, "width": 1360, "height": 1600})
        # the analyst's desk: the graph of the biggest story, the most quoted person's page, quotes, claims
        pg.evaluate("document.querySelector('header.top').style.display = 'none'")  # the sticky bar would cover it
        slider = pg.locator("input[data-graph-target]")
        if slider.count():  # a busy graph: the links named together in a third of the heaviest link's articles
            slider.fill(str(max(1, int(slider.get_attribute("max") or 1) // 3)))
        graph = pg.locator("section.graph")
        graph.scroll_into_view_if_needed()
        box = graph.bounding_box()
        svg = pg.locator("#entity-graph").bounding_box()
        if box and svg:
            pg.screenshot(path=str(ROOT / "docs" / f"graph{args.suffix}.png"), full_page=True,
                          clip={"x": box["x"], "y": box["y"] + pg.evaluate("scrollY"), "width": box["width"],
                                "height": svg["y"] + svg["height"] - box["y"] + 10})
        with Store(db) as s:
            row = s.db.execute("SELECT speaker_entity, count(*) AS n FROM quotes WHERE speaker_entity IS NOT NULL"
                               " GROUP BY speaker_entity ORDER BY n DESC, speaker_entity LIMIT 1").fetchone()
        shots = [("quotes", "/quotes"), ("claims", "/claims")]
        if row:
            shots.insert(0, ("entity-page", f"/entities/{row[0]}"))
        for name, path in shots:
            pg.goto(base + path)
            pg.screenshot(path=str(ROOT / "docs" / f"{name}{args.suffix}.png"), full_page=True,
                          clip={"x": 0, "y": 0, "width": 1360, "height": 1400})
        written = ["home", "story-page", "graph", *(n for n, _ in shots)]
        if args.suffix:
            b.close()
            srv.should_exit = True
            print("wrote " + ", ".join(f"docs/{n}{args.suffix}.png" for n in written) + f" (story {story})")
            return
        pg.goto(base + "/?q=Erdogan")
        pg.screenshot(path=str(ROOT / "docs" / "search.png"), full_page=False)
        pg.goto(base + f"/articles/{article}")
        pg.locator("label[for=show-removed]").click()
        pg.screenshot(path=str(ROOT / "docs" / "article-page.png"), full_page=True,
                      clip={"x": 0, "y": 0, "width": 1360, "height": 1250})
        b.close()
    srv.should_exit = True
    print("wrote " + ", ".join(f"docs/{n}.png" for n in [*written, "search", "article-page"]) + f" (article {article})")


if __name__ == "__main__":
    main()
