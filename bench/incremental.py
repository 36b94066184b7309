"""What a growing database costs: a build with nothing new, and one adding 1 or 10 articles, at two corpus sizes.

Input: PolNeAR's plain-text articles from ../shared/bench/attribution (train, in file-name order, for
the stored corpus; dev for the added ones). Steps, at each size N (200, then 800 by adding 600 to the same database):
  no-op    the same input again: nothing new
  no-op of the first N's files   (at the later sizes) the first size's folder again: the same input files
           against a larger database, so what grows with the stored articles, not with the files listed
  add 1    one dev article more
  add 10   ten dev articles more (on a copy of the N-article database, not after the one)
The N-file folders are named corpus-N, and a file's name holds its folder, so the database at 800 holds the
first 200 texts twice (once as corpus-200/…, once as corpus-800/…): 1,000 documents.
Each build is `pipeline.build` with annotation, timed whole, with the seconds its stages took
(annotation; duplicates and shared passages; entities with quote speakers; stories with their events and
claims). Work in proportion to what was added shows as add times that stay flat from N=200 to N=800;
work in proportion to the corpus as times that grow with N. No peer builds incremental dossiers; the
baseline is the full build of the same N articles (its seconds printed beside).

    python bench/incremental.py [--sizes 200,800] [--json]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import SHARED_BENCH, WORK  # noqa: E402

TRAIN = SHARED_BENCH / "attribution" / "train" / "text"
DEV = SHARED_BENCH / "attribution" / "dev" / "text"


class Timer:
    """Seconds spent in the cross-article stages of the build in progress, by stage."""

    def __init__(self) -> None:
        self.spent: dict[str, float] = defaultdict(float)

    def wrap(self, module, name: str, label: str) -> None:
        real = getattr(module, name)

        def timed(*a, **kw):
            t0 = time.perf_counter()
            try:
                return real(*a, **kw)
            finally:
                self.spent[label] += time.perf_counter() - t0

        setattr(module, name, timed)


def _link(paths: list[Path], db: Path, timer: Timer) -> dict[str, float]:
    from storyline import pipeline
    from storyline.store import Store

    timer.spent.clear()
    with Store(db) as store:
        t0 = time.perf_counter()
        pipeline.build(paths, store)
        total = time.perf_counter() - t0
    return {"total": total, **timer.spent}


def _copy(src: Path, dst: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{dst}{suffix}").unlink(missing_ok=True)
        if Path(f"{src}{suffix}").exists():
            shutil.copyfile(f"{src}{suffix}", f"{dst}{suffix}")


def _folder(name: str, files: list[Path]) -> Path:
    """A folder holding links to `files` (a build reads folders)."""
    d = WORK / "incremental" / name
    shutil.rmtree(d, ignore_errors=True)
    d.mkdir(parents=True)
    for f in files:
        (d / f.name).symlink_to(f)
    return d


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="200,800", help="corpus sizes, ascending (default 200,800)")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON too")
    args = ap.parse_args()
    if not TRAIN.exists() or not DEV.exists():
        print(f"{TRAIN.parent.parent}: not found; this benchmark reads ../shared/bench beside the project — skipped")
        return
    from rich.console import Console
    from rich.table import Table

    from storyline import pipeline

    timer = Timer()
    timer.wrap(pipeline, "link_duplicates", "duplicates")
    timer.wrap(pipeline, "link_entities", "entities")
    timer.wrap(pipeline, "link_stories", "stories")
    timer.wrap(pipeline, "annotate_articles", "annotate")

    sizes = [int(s) for s in args.sizes.split(",")]
    train = sorted(TRAIN.glob("*.txt"))
    dev = sorted(DEV.glob("*.txt"))
    if sizes[-1] > len(train) or len(dev) < 11:
        sys.exit(f"{TRAIN}: {len(train)} articles, fewer than {sizes[-1]}")
    work = WORK / "incremental"
    work.mkdir(parents=True, exist_ok=True)
    base = work / "base.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{base}{suffix}").unlink(missing_ok=True)
    one, ten = _folder("add-1", dev[:1]), _folder("add-10", dev[1:11])
    console = Console(width=140)
    results = []
    had = 0
    first = _folder(f"corpus-{sizes[0]}", train[:sizes[0]])
    for n in sizes:
        corpus = _folder(f"corpus-{n}", train[:n]) if n != sizes[0] else first
        with console.status(f"building {n} articles ({n - had} new)"):
            full = _link([corpus], base, timer)
        had = n
        row: dict = {"n": n, "build": full}
        with console.status(f"{n}: the same input again"):
            row["no-op"] = _link([corpus], base, timer)
        if n != sizes[0]:
            with console.status(f"{n}: the first {sizes[0]} files again"):
                row[f"no-op, {sizes[0]} files"] = _link([first], base, timer)
        for label, folder in (("add 1", one), ("add 10", ten)):
            db = work / "grown.db"
            _copy(base, db)
            with console.status(f"{n}: {label}"):
                row[label] = _link([corpus, folder], db, timer)
        results.append(row)

    stages = ("annotate", "duplicates", "entities", "stories")
    table = Table(title="Builds on a growing database (PolNeAR texts; seconds)")
    for col in ("articles", "step", "whole build", *stages):
        table.add_column(col, justify="right")
    for row in results:
        first = True
        for step in ("build", "no-op", f"no-op, {sizes[0]} files", "add 1", "add 10"):
            if step not in row:
                continue
            r = row[step]
            name = "full build" if step == "build" and row["n"] == sizes[0] else (
                f"build (+{row['n'] - sizes[sizes.index(row['n']) - 1]})" if step == "build" else step)
            table.add_row(str(row["n"]) if first else "", name, f"{r['total']:.2f}",
                          *(f"{r.get(s, 0.0):.2f}" for s in stages))
            first = False
    console.print(table)
    console.print("Before this change (issue 19, measured on PolNeAR texts): no-op 1.3 s at 200 articles and 3.5 s "
                  "at 800; adding one 2.9 s and 5.5 s (quoted, not rerun).", highlight=False)
    if args.json:
        print(json.dumps(results))


if __name__ == "__main__":
    main()
