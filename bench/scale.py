"""Batch scaling: articles per second of `storyline batch` on 1 and 2 workers, beside the single-process pipeline.

The input is every article of the bench sets in the three streamed forms (about 1,450 documents):
  PolNeAR train   840 texts as one .jsonl         ../shared/bench/attribution/train/text
  PolNeAR dev      84 texts as a folder of files  ../shared/bench/attribution/dev/text
  news pages      181 HTML pages in one .warc.gz  ../shared/bench/extraction/html
  TimeBank+AQUAINT 256 texts (TimeML tags stripped, DCT as the date) as one .jsonl

Each run is a fresh process and a fresh output: the pipeline's per-article stages (read → annotate,
timed up to the cross-article stages), then the batch on the Dask engine with 1 and with 2 worker
processes (one core each), and the same on Ray when `--ray-python` names an interpreter that has Ray.
Outputs are compared: the batch must hold exactly the pipeline's articles and annotation layers, and
its distributed story step is compared with the pipeline's stories (`cluster.assign` after `link_articles`).

    python bench/scale.py [--limit N] [--ray-python /path/to/python-with-ray]
"""

from __future__ import annotations

import argparse
import gzip
import html
import io
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, SHARED_BENCH, WORK, peak_rss_mb, require  # noqa: E402

IN = WORK / "scale" / "input"
PAGES = SHARED_BENCH / "extraction" / "html"
TRAIN = SHARED_BENCH / "attribution" / "train" / "text"
DEV = SHARED_BENCH / "attribution" / "dev" / "text"
TML = [SHARED_BENCH / "temporal" / "TimeBank", SHARED_BENCH / "temporal" / "AQUAINT"]
MONTH = 1_000_000  # articles in a month of English news in the public web archives (the figure)


class _Stop(Exception):
    pass


def prepare(limit: int | None) -> list[Path]:
    """Write the streamed inputs under bench/_work/scale/input (once; `limit` caps each source)."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    tag = f"-{limit}" if limit else ""
    train, warc, tml = IN / f"polnear-train{tag}.jsonl", IN / f"pages{tag}.warc.gz", IN / f"timebank{tag}.jsonl"
    dev = IN / f"polnear-dev{tag}"
    if not all(p.exists() for p in (train, warc, tml, dev)):
        IN.mkdir(parents=True, exist_ok=True)
        cut = slice(0, limit)
        with train.open("w") as f:
            for p in sorted(TRAIN.glob("*"))[cut]:
                f.write(json.dumps({"text": p.read_text(encoding="utf-8", errors="replace")}) + "\n")
        shutil.rmtree(dev, ignore_errors=True)
        dev.mkdir()
        for p in sorted(DEV.glob("*"))[cut]:
            shutil.copy(p, dev / (p.name if p.suffix else p.name + ".txt"))
        with tml.open("w") as f:
            for p in sorted(q for d in TML for q in d.glob("*.tml"))[cut]:
                raw = p.read_text(encoding="utf-8", errors="replace")
                body = re.search(r"<TEXT>(.*)</TEXT>", raw, re.S)
                dct = re.search(r'functionInDocument="CREATION_TIME"[^>]*value="(\d{4}-\d\d-\d\d)', raw) or \
                    re.search(r'value="(\d{4}-\d\d-\d\d)"[^>]*functionInDocument="CREATION_TIME"', raw)
                text = html.unescape(re.sub(r"<[^>]+>", "", body.group(1) if body else raw)).strip()
                f.write(json.dumps({"text": text, "published": dct.group(1) if dct else None}) + "\n")
        with open(warc, "wb") as out:
            writer = WARCWriter(out, gzip=True)
            for p in sorted(PAGES.glob("*.gz"))[cut]:
                payload = gzip.decompress(p.read_bytes())
                headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
                rec = writer.create_warc_record(f"https://bench.example/{p.stem}", "response",
                                                payload=io.BytesIO(payload), http_headers=headers)
                writer.write_record(rec)
    return [train, dev, warc, tml]


def child_pipeline(paths: list[str], work: Path) -> dict:
    from storyline import pipeline
    from storyline.store import Store

    db = work / "pipeline.db"
    marks: dict[str, float] = {}

    def progress(kind: str, item: object) -> None:
        if kind == "cross-article":
            raise _Stop
    t0 = time.perf_counter()
    with Store(db) as store:
        try:
            pipeline.build(paths, store, progress=progress)
        except _Stop:
            marks["done"] = time.perf_counter() - t0
        n = store.counts()["articles"]
        t1 = time.perf_counter()
        pipeline.link_articles(store)  # the cross-article stages on one node, for the batch's to be compared with
        marks["link"] = time.perf_counter() - t1
    return {"articles": n, "seconds": marks["done"], "crossdoc": marks["link"], "peak_rss_mb": peak_rss_mb()}


def child_batch(paths: list[str], work: Path, engine: str, workers: int) -> dict:
    from storyline.batch.engines import open_engine
    from storyline.batch.run import run_batch

    out = work / f"{engine}-{workers}"
    shutil.rmtree(out, ignore_errors=True)
    t0 = time.perf_counter()
    marks: dict[str, float] = {}

    def progress(kind: str, item: object) -> None:
        if kind == "cross-article":
            marks["articles"] = time.perf_counter()
    with open_engine(engine, workers) as eng:
        t_start = time.perf_counter()
        report = run_batch(paths, out, eng, 50 << 20, progress=progress)
        t_end = time.perf_counter()
    per_worker: dict[int, float] = {}
    for t in report.tasks:
        per_worker[t["pid"]] = max(per_worker.get(t["pid"], 0.0), t["peak_rss_mb"])
    return {"articles": report.articles, "partitions": report.partitions, "startup": t_start - t0,
            "seconds": marks["articles"] - t_start, "crossdoc": t_end - marks["articles"],
            "duplicates": report.duplicates, "entities": report.entities, "stories": report.stories,
            "worker_peak_mb": max(per_worker.values()),
            "workers_seen": len(per_worker), "driver_peak_mb": peak_rss_mb(), "out": str(out)}


def compare(work: Path, out: Path) -> tuple[int, int]:
    """(articles in both with equal text, publication and layers; articles that differ or are missing)."""
    import pyarrow.parquet as pq

    from storyline.batch.partition import finished
    from storyline.store import Store

    with Store(work / "pipeline.db") as store:
        ref = {a.id: (a.text, json.dumps(a.published.__dict__, sort_keys=True)) for a in store.articles()}
        lay = {aid: store.annotations(aid) for aid in ref}
    same = differ = 0
    seen = set()
    for part in finished(out):
        anns = {r["article_id"]: r for r in pq.read_table(part / "annotations.parquet").to_pylist()}
        for a in pq.read_table(part / "articles.parquet").to_pylist():
            seen.add(a["id"])
            x, r = anns.get(a["id"]), lay.get(a["id"])
            ok = a["id"] in ref and x is not None and r is not None and \
                ref[a["id"]] == (a["text"], json.dumps(a["published"], sort_keys=True)) and \
                all(json.loads(x[k]) == r[k2] for k, k2 in (("timexes", "timexes"), ("entities", "mentions"),
                                                              ("quotes", "quotes"), ("events", "events"),
                                                              ("claims", "claims")))
            same += ok
            differ += not ok
    return same, differ + len(set(ref) - seen)


def compare_stories(work: Path, out: Path) -> tuple[int, int, float, float]:
    """(articles, articles in the same story as the pipeline put them, pairwise precision, recall) of the
    batch's distributed story step against `cluster.assign` in the single-process pipeline."""
    from itertools import combinations

    from storyline.batch.stories import read_stories
    from storyline.store import Store

    with Store(work / "pipeline.db") as store:
        ref = {aid: m["story_id"] for aid, m in store.article_meta().items()}
    got = read_stories(out) or {}

    def pairs(m: dict[str, str]) -> set[tuple[str, str]]:
        groups: dict[str, list[str]] = {}
        for a, s in m.items():
            groups.setdefault(s, []).append(a)
        return {p for g in groups.values() for p in combinations(sorted(g), 2)}

    pr, pg = pairs(ref), pairs(got)
    return (len(ref), sum(got.get(a) == s for a, s in ref.items()), len(pr & pg) / max(1, len(pg)),
            len(pr & pg) / max(1, len(pr)))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=int, default=None, help="at most N items of each source (a quick run)")
    ap.add_argument("--ray-python", default=None, help="a Python interpreter with Ray installed, to run the Ray rows")
    ap.add_argument("--child", nargs=3, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    work = WORK / "scale" / "runs"
    if args.child:
        kind, engine, workers = args.child
        paths = json.loads(sys.stdin.read())
        res = child_pipeline(paths, work) if kind == "pipeline" else child_batch(paths, work, engine, int(workers))
        print(json.dumps(res))
        return
    for p in (PAGES, TRAIN, DEV, *TML):
        require(p)
    paths = [str(p) for p in prepare(args.limit)]
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)

    def run(kind: str, engine: str = "-", workers: int = 0, python: str = sys.executable) -> dict:
        env_path = str(ROOT / "src")
        proc = subprocess.run([python, __file__, "--child", kind, engine, str(workers)], input=json.dumps(paths),
                              capture_output=True, text=True, env={**os.environ, "PYTHONPATH": env_path})
        if proc.returncode != 0:
            sys.exit(f"{kind} {engine} {workers} failed:\n{proc.stderr[-3000:]}")
        return json.loads(proc.stdout.strip().splitlines()[-1])

    rows = [("single-process pipeline (build, per-article stages)", run("pipeline"))]
    engines = [("dask", sys.executable)] + ([("ray", args.ray_python)] if args.ray_python else [])
    for engine, python in engines:
        for w in (1, 2):
            rows.append((f"storyline batch, {engine}, {w} worker{'s' if w > 1 else ''}", run("batch", engine, w, python)))
    print(f"\nBatch scaling on {rows[0][1]['articles']} articles ({len(paths)} inputs: .jsonl, folder, .warc.gz, .jsonl); "
          "this machine, 2 cores\n")
    print(f"| {'run':<52} | {'articles':>8} | {'start s':>7} | {'per-article s':>13} | {'art/s':>6} | "
          f"{'cross-article s':>15} | {'peak MB/worker':>14} | {'driver MB':>9} |")
    print(f"|{'-' * 54}|{'-' * 10}|{'-' * 9}|{'-' * 15}|{'-' * 8}|{'-' * 17}|{'-' * 16}|{'-' * 11}|")
    for label, r in rows:
        rate = r["articles"] / r["seconds"]
        r["rate"] = rate
        print(f"| {label:<52} | {r['articles']:>8} | {r.get('startup', 0):>7.1f} | {r['seconds']:>13.1f} | {rate:>6.2f} | "
              f"{r.get('crossdoc', 0):>15.1f} | {r.get('worker_peak_mb', r.get('peak_rss_mb', 0)):>14.0f} | "
              f"{r.get('driver_peak_mb', r.get('peak_rss_mb', 0)):>9.0f} |")
    print()
    for engine, _ in engines:
        one = next(r for label, r in rows if label.startswith(f"storyline batch, {engine}, 1"))
        two = next(r for label, r in rows if label.startswith(f"storyline batch, {engine}, 2"))
        print(f"{engine}: 2 workers / 1 worker = {two['rate'] / one['rate']:.2f}x (target 1.7x); "
              f"2 workers / single-process pipeline = {two['rate'] / rows[0][1]['rate']:.2f}x")
        for w, r in ((1, one), (2, two)):
            same, differ = compare(work, Path(r["out"]))
            print(f"{engine}, {w} worker{'s' if w > 1 else ''} vs the pipeline: {same} articles identical "
                  f"(text, publication, all five layers), {differ} different or missing")
            n, kept, p, rec = compare_stories(work, Path(r["out"]))
            print(f"  stories ({r['stories']} found by the distributed step, {r['entities']} entities): {kept} of {n} "
                  f"articles in the story the pipeline gives them; same-story pairs precision {p:.4f}, recall {rec:.4f}")
    one = next(r for label, r in rows if label.startswith("storyline batch, dask, 1"))
    two = next(r for label, r in rows if label.startswith("storyline batch, dask, 2"))
    cost, efficiency = 1 / one["rate"], two["rate"] / one["rate"] / 2
    size = sum(f.stat().st_size for f in Path(two["out"]).rglob("*") if f.is_file())
    print(f"\nOutput of the dask 2-worker batch: {size / 1e6:.1f} MB of Parquet for {two['articles']} articles "
          f"({size / two['articles'] / 1e3:.1f} KB an article: {MONTH * size / two['articles'] / 1e9:.0f} GB for 1M)")
    print(f"Projection (dask): {cost:.3f} worker-seconds per article (1 worker), "
          f"{efficiency:.1%} of perfect scaling kept at 2 workers and assumed beyond:")
    for n in (1, 2, 16, 64, 256):
        hours = MONTH * cost / n / (efficiency if n > 1 else 1) / 3600
        print(f"  1M articles on {n:>3} worker{'s' if n > 1 else ' '}: {hours:6.1f} h")

if __name__ == "__main__":
    main()
