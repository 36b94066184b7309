"""Build throughput: pages/s, MB/s and peak memory of `storyline build` on the bench sets.

Two inputs, each built into a fresh database in a fresh process:
  html   the 181 gzipped news pages of ../shared/bench/extraction (beside trafilatura alone on them)
  text   the PolNeAR plain-text articles (train + dev) plus those pages: about 1,100 documents,
         once without the annotation stage (spaCy: time expressions, entities, quotes) and once with it

    python bench/throughput.py
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import SHARED_BENCH, WORK, peak_rss_mb, require, run_child  # noqa: E402

HTML = SHARED_BENCH / "extraction" / "html"
TEXTS = [SHARED_BENCH / "attribution" / "train" / "text", SHARED_BENCH / "attribution" / "dev" / "text"]
INPUTS = {"html": [HTML], "text+html": [*TEXTS, HTML], "text+html+annotate": [*TEXTS, HTML]}


def _input_mb(paths: list[Path]) -> float:
    total = 0
    for p in paths:
        for f in p.rglob("*"):
            if f.is_file():
                total += len(gzip.decompress(f.read_bytes())) if f.suffix == ".gz" else f.stat().st_size
    return total / 1e6


def child(name: str) -> None:
    if name == "trafilatura":
        import trafilatura

        pages = [gzip.decompress(f.read_bytes()) for f in sorted(HTML.glob("*.gz"))]
        trafilatura.extract(pages[0])
        t0 = time.perf_counter()
        for raw in pages:
            trafilatura.extract(raw)
        secs = time.perf_counter() - t0
        print(json.dumps({"documents": len(pages), "articles": len(pages), "seconds": secs, "peak_rss_mb": peak_rss_mb()}))
        return
    from storyline import pipeline
    from storyline.store import Store

    WORK.mkdir(parents=True, exist_ok=True)
    db = WORK / f"throughput-{name}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    t0 = time.perf_counter()
    with Store(db) as store:
        report = pipeline.build(INPUTS[name], store, annotate=name.endswith("+annotate"))
        counts = store.counts()
    secs = time.perf_counter() - t0
    print(json.dumps({"documents": report.added_documents, "articles": counts["articles"],
                      "duplicates": counts["duplicates"], "problems": len(report.problems),
                      "seconds": secs, "peak_rss_mb": peak_rss_mb()}))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child)
        return
    for p in (*TEXTS, HTML):
        require(p)
    print("\nBuild throughput (one process, one core; each row a fresh process and a fresh database)\n")
    print(f"| {'run':<34} | {'docs':>5} | {'articles':>8} | {'MB in':>6} | {'seconds':>7} | {'docs/s':>6} | {'MB/s':>5} | {'peak MB':>7} |")
    print(f"|{'-' * 36}|{'-' * 7}|{'-' * 10}|{'-' * 8}|{'-' * 9}|{'-' * 8}|{'-' * 7}|{'-' * 9}|")
    rates = {}
    for name, label, paths in [("trafilatura", "trafilatura.extract alone, html", [HTML]),
                               ("html", "storyline build, html", [HTML]),
                               ("text+html", "storyline build, text + html", [*TEXTS, HTML]),
                               ("text+html+annotate", "… with the annotation stage", [*TEXTS, HTML])]:
        r = run_child(Path(__file__), "--child", name)
        mb = _input_mb(paths)
        rates[name] = r["documents"] / r["seconds"]
        print(f"| {label:<34} | {r['documents']:>5} | {r['articles']:>8} | {mb:6.1f} | {r['seconds']:7.1f} | "
              f"{rates[name]:6.1f} | {mb / r['seconds']:5.2f} | {r['peak_rss_mb']:7.0f} |")
    print(f"\nstoryline build on the html pages runs at {rates['html'] / rates['trafilatura']:.0%} of trafilatura "
          "alone (build also reads, cleans, dedupes and stores; the html rows leave out the annotation stage).")
    print(f"With the annotation stage (spaCy nlp.pipe, time expressions, entities, quotes, entity linking) the "
          f"text + html build takes {rates['text+html'] / rates['text+html+annotate']:.1f}× as long as without it.")


if __name__ == "__main__":
    main()
