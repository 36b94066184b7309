"""Web/API benchmark: requests per second and p50/p99 latency of the pages and endpoints people
hit most (the story page, an article page, search, an entity's page, the quotes and claims lists),
on a 1,000-article database, one uvicorn worker on loopback, load from a local client on the same machine.

The database is built once from ../shared/bench material (the 924 PolNeAR articles with their
publisher, date and title from metadata.tsv, plus 76 article bodies from the extraction set) as
one JSON-lines file, and cached in bench/_work/api-1000.db (building it annotates every article
with spaCy: a few minutes the first time).

The server runs with its response cache off (`serve --cache-mb 0`: every request is computed), then
the story rows run again with it on (64 MB, answers kept by ETag). The story rows rotate over the
50 stories with most articles (the biggest first), so the heaviest
pages (the longest timelines, most quotes and claims) are in the sample; the home page (the story
list) has its own row.

    python bench/api.py [--seconds 8] [--concurrency 8] [--client auto|wrk|python] [--rebuild] [--only TEXT]

Each row is loaded twice: with one connection (the latency of a request on its own) and with
`--concurrency` connections at once (throughput; latency then includes waiting in the queue of
the single worker). wrk (apt-get install wrk) is the load generator when installed; else a
Python client (httpx in threads), which takes CPU from the server on small machines.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, SHARED_BENCH, WORK, require  # noqa: E402

DB = WORK / "api-1000.db"
CORPUS = WORK / "api-1000.jsonl"
TARGET = 1000


def make_corpus() -> Path:
    """924 PolNeAR articles (with metadata) + extraction-set bodies up to 1,000 lines of JSONL."""
    att = require(SHARED_BENCH / "attribution")
    meta: dict[str, dict[str, str]] = {}
    with open(att / "metadata.tsv", encoding="utf-8") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            meta[row["filename"]] = row
    lines: list[str] = []
    for part in ("train", "dev"):
        for path in sorted((att / part / "text").glob("*.txt")):
            m = meta.get(path.stem, {})
            text = path.read_text(encoding="utf-8")
            record = {"text": text, "outlet": m.get("publisher"), "published": m.get("publication_date"),
                      "title": m.get("title"), "authors": [m["author"]] if m.get("author") not in (None, "", "None") else []}
            lines.append(json.dumps({k: v for k, v in record.items() if v}, ensure_ascii=False))
    truth = json.loads((require(SHARED_BENCH / "extraction" / "ground-truth.json")).read_text(encoding="utf-8"))
    for key in sorted(truth):
        if len(lines) >= TARGET:
            break
        body = (truth[key] or {}).get("articleBody") or ""
        if len(body.split()) >= 50:
            lines.append(json.dumps({"text": body, "url": truth[key].get("url")}, ensure_ascii=False))
    WORK.mkdir(parents=True, exist_ok=True)
    CORPUS.write_text("\n".join(lines[:TARGET]) + "\n", encoding="utf-8")
    return CORPUS


def ensure_db(rebuild: bool) -> Path:
    if rebuild and DB.exists():
        for p in (DB, Path(str(DB) + "-wal"), Path(str(DB) + "-shm")):
            p.unlink(missing_ok=True)
    if not DB.exists() or _count(DB) < TARGET * 0.95:
        make_corpus()
        exe = Path(sys.executable).parent / "storyline"
        print(f"building {DB} from {CORPUS} (spaCy annotation; a few minutes) …", file=sys.stderr)
        subprocess.run([str(exe), "build", str(CORPUS), "--db", str(DB)], check=True)
    return DB


def _count(db: Path) -> int:
    import sqlite3

    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as c:
            return c.execute("SELECT count(*) FROM articles").fetchone()[0]
    except sqlite3.Error:
        return 0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(db: Path, port: int, cache_mb: float = 0) -> subprocess.Popen:
    exe = Path(sys.executable).parent / "storyline"
    proc = subprocess.Popen([str(exe), "serve", "--db", str(db), "--host", "127.0.0.1", "--port", str(port),
                             "--cache-mb", str(cache_mb)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    import httpx

    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/articles?limit=1", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    sys.exit("the server did not come up:\n" + (proc.stderr.read() or b"").decode()[-2000:])


def load(base: str, paths: list[str], requests: int, concurrency: int) -> dict:
    """`requests` GETs spread over `paths`, from `concurrency` client threads with kept-alive connections
    (the Python client: used when wrk is not installed)."""
    import httpx

    local = threading.local()

    def client() -> httpx.Client:
        if not hasattr(local, "c"):
            local.c = httpx.Client(base_url=base, timeout=10)
        return local.c

    def one(i: int) -> float:
        t = time.perf_counter()
        r = client().get(paths[i % len(paths)])
        if r.status_code != 200:
            raise RuntimeError(f"{paths[i % len(paths)]}: HTTP {r.status_code}")
        return (time.perf_counter() - t) * 1000

    with ThreadPoolExecutor(concurrency) as pool:  # warm-up: connections, caches, first queries
        list(pool.map(one, range(min(50, requests))))
        t0 = time.perf_counter()
        times = list(pool.map(one, range(requests)))
        wall = time.perf_counter() - t0
    q = statistics.quantiles(times, n=100)
    return {"rps": requests / wall, "p50": statistics.median(times), "p99": q[98], "n": requests}


WRK_SCRIPT = """
local paths = {%s}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i %% #paths) + 1])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %%d %%d %%f %%f %%d %%d\\n", summary.requests, summary.duration,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, e.connect + e.read + e.write + e.timeout, e.status))
end
"""


def load_wrk(base: str, paths: list[str], seconds: int, concurrency: int) -> dict:
    """wrk (C, one thread, `concurrency` kept-alive connections) cycling through `paths`."""
    script = WORK / "api-wrk.lua"
    script.write_text(WRK_SCRIPT % ", ".join(json.dumps(p) for p in paths), encoding="utf-8")
    subprocess.run(["wrk", "-t1", f"-c{concurrency}", "-d2s", "-s", str(script), base], capture_output=True, check=True)
    out = subprocess.run(["wrk", "-t1", f"-c{concurrency}", f"-d{seconds}s", "--timeout", "5s", "-s", str(script), base],
                         capture_output=True, text=True, check=True).stdout
    line = next(x for x in out.splitlines() if x.startswith("RESULT"))
    n, dur_us, p50, p99, errors, non2xx = line.split()[1:]
    if int(errors) or int(non2xx):
        sys.exit(f"wrk saw {errors} socket errors and {non2xx} non-2xx answers on {paths[0]} …")
    return {"rps": int(n) / (int(dur_us) / 1e6), "p50": float(p50), "p99": float(p99), "n": int(n)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--requests", type=int, default=2000, help="requests per row (Python client)")
    ap.add_argument("--seconds", type=int, default=8, help="seconds per row (wrk)")
    ap.add_argument("--concurrency", type=int, default=8, help="concurrent connections of the loaded run")
    ap.add_argument("--client", choices=["auto", "wrk", "python"], default="auto",
                    help="load generator: wrk when installed (auto), else Python threads with httpx")
    ap.add_argument("--rebuild", action="store_true", help="rebuild the cached 1,000-article database")
    ap.add_argument("--build-only", action="store_true", help="build the database and stop")
    ap.add_argument("--only", default=None, help="run only the rows whose name holds this text (e.g. entity)")
    args = ap.parse_args()

    db = ensure_db(args.rebuild)
    if args.build_only:
        return
    sys.path.insert(0, str(ROOT / "src"))
    from storyline.store import Store
    from storyline.web import queries

    with Store(db) as store:
        n_articles = store.counts()["articles"]
        articles = [a["id"] for a in queries.articles_page(store, limit=200, offset=0)[1]]
        stories = _stories(store)
        entities = [e["id"] for e in store.entities_page(50, 0, max_mentions=0)[1]]  # the most mentioned first
        speakers = [r[0] for r in store.db.execute(
            "SELECT speaker_name, count(*) AS n FROM quotes WHERE speaker_name IS NOT NULL"
            " GROUP BY speaker_name ORDER BY n DESC, speaker_name LIMIT 5")]
        if stories:  # the heaviest page of the sample
            big = store.story(stories[0])
            ids = big["article_ids"]
            print(f"biggest story {stories[0]}: {len(ids)} articles, {store.events_page(0, 0, stories[0])[0]} events"
                  f" on its timeline, {store.quotes_page(0, 0, None, ids)[0]} quotes,"
                  f" {store.entities_page(0, 0, None, None, ids)[0]} entities", file=sys.stderr)
    # search terms that hit often, sometimes, and with a filter
    searches = ["/api/search?q=Trump", "/api/search?q=campaign%20AND%20debate", "/api/search?q=Clinton&outlet=politico",
                "/api/search?q=said&date_from=2016-01-01&date_to=2016-06-30", "/api/search?q=%22health%20care%22"]
    rows: list[tuple[str, list[str]]] = []
    rows += [("home page (story list)  /", ["/", "/?offset=20", "/?offset=40"])]
    if stories:
        rows += [("story page  /stories/{id}", [f"/stories/{s}" for s in stories[:50]]),
                 ("story API   /api/stories/{id}", [f"/api/stories/{s}" for s in stories[:50]])]
    rows += [
        ("article page  /articles/{id}", [f"/articles/{a}" for a in articles]),
        ("article API   /api/articles/{id}", [f"/api/articles/{a}" for a in articles]),
        ("search page   /?q=", ["/?q=" + s.split("q=", 1)[1] for s in searches]),
        ("search API    /api/search?q=", searches),
    ]
    if entities:  # the 50 most mentioned entities: the biggest profiles are in the sample
        rows += [("entity page  /entities/{id}", [f"/entities/{e}" for e in entities]),
                 ("entity API   /api/entities/{id}/profile", [f"/api/entities/{e}/profile" for e in entities])]
    quote_lists = ["", "?kind=direct", "?offset=400", "?from=2016-06&to=2016-09"] + \
        [f"?speaker={quote(sp)}" for sp in speakers]
    rows += [("quotes page  /quotes", [f"/quotes{q}" for q in quote_lists]),
             ("quotes API   /api/quotes", [f"/api/quotes{q}" for q in quote_lists]),
             ("claims page  /claims", ["/claims", "/claims?status=conflict", "/claims?offset=20"]),
             ("claims API   /api/claims", ["/api/claims", "/api/claims?status=conflict", "/api/claims?offset=20"])]
    if args.only:
        rows = [r for r in rows if args.only in r[0]]

    use_wrk = args.client == "wrk" or (args.client == "auto" and shutil.which("wrk"))
    levels = [1, args.concurrency]
    results = []
    # every row with the response cache off (each request computed), then the story rows again with it on
    passes = [(0, rows)] + ([(64, [(f"{n} (cache on)", p) for n, p in rows if "story" in n])] if stories else [])
    for cache_mb, these in passes:
        port = free_port()
        proc = start_server(db, port, cache_mb)
        base = f"http://127.0.0.1:{port}"
        try:
            for name, paths in these:
                per = {}
                for c in levels:
                    per[c] = load_wrk(base, paths, args.seconds, c) if use_wrk else load(base, paths, args.requests, c)
                results.append((name, per))
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()

    from rich.console import Console
    from rich.table import Table

    client = "wrk, 1 thread" if use_wrk else "Python httpx threads"
    table = Table(title=f"storyline serve: {n_articles} articles, 1 uvicorn worker, loopback, load from {client} "
                        f"({os.cpu_count()} CPUs shared by server and client)")
    table.add_column("endpoint")
    for c in levels:
        conn = "1 connection" if c == 1 else f"{c} connections"
        for col in ("req/s", "p50 ms", "p99 ms"):
            table.add_column(f"{col}\n{conn}", justify="right")
    for name, per in results:
        cells = []
        for c in levels:
            r = per[c]
            cells += [f"{r['rps']:.0f}", f"{r['p50']:.1f}", f"{r['p99']:.1f}"]
        table.add_row(name, *cells)
    Console(width=160).print(table)
    print(json.dumps({"articles": n_articles, "cpu": os.cpu_count(), "client": client,
                      "rows": {n: {str(c): {k: round(v, 2) for k, v in r.items()} for c, r in per.items()}
                               for n, per in results}}))


def _stories(store) -> list[str]:
    """The 50 stories with most articles, biggest first."""
    return [s["id"] for s in store.stories_page(50, 0)[1]]


if __name__ == "__main__":
    main()
