"""Stories on a 1,000-article database: the full build, then one article added (incremental), and the stories it finds.

Input: the PolNeAR plain-text articles (train + dev, 924 US political news articles, 2015–2016)
plus the five seed files, about 1,000 articles. Steps, each timed:
  full     a fresh database built from all of it (read, clean, annotate, link, stories, events, claims)
  add one  one more article (a seed article's text under a new name, so it is not a duplicate of a
           stored document) added to that database: only the stories it touches are recomputed
  again    the same input once more: nothing new, nothing recomputed
It prints both times and their ratio, and the story sizes (how many stories, the largest, how many
single-article stories) so a clustering that collapses everything into one story, or never joins
anything, shows. No peer is run: no installable tool builds incremental story dossiers; the
SemEval timeline benchmark (bench/timeline.py) compares with published systems.

    python bench/stories.py [--keep]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, SHARED_BENCH, WORK  # noqa: E402

TEXTS = [SHARED_BENCH / "attribution" / "train" / "text", SHARED_BENCH / "attribution" / "dev" / "text"]
SEEDS = ROOT.parent / "shared" / "seeds"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--keep", action="store_true", help="keep bench/_work/stories.db for inspection")
    args = ap.parse_args()
    if not all(p.exists() for p in TEXTS) or not SEEDS.exists():
        print(f"{TEXTS[0].parent.parent} or {SEEDS}: not found; this benchmark reads ../shared beside the project — skipped")
        return
    from rich.console import Console
    from rich.table import Table

    from storyline import pipeline
    from storyline.store import Store

    WORK.mkdir(parents=True, exist_ok=True)
    db = WORK / "stories.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    extra_dir = WORK / "stories-extra"
    shutil.rmtree(extra_dir, ignore_errors=True)
    extra_dir.mkdir()
    seed = sorted(SEEDS.glob("003_*"))[0]
    (extra_dir / "added_article.txt").write_text("Reprinted: " + seed.read_text(encoding="utf-8"), encoding="utf-8")

    console = Console(width=120)
    with Store(db) as store:
        t0 = time.perf_counter()
        pipeline.build([*TEXTS, SEEDS], store)
        full = time.perf_counter() - t0
        counts = store.counts()
        t0 = time.perf_counter()
        pipeline.build([extra_dir], store)
        add_one = time.perf_counter() - t0
        t0 = time.perf_counter()
        pipeline.build([*TEXTS, SEEDS, extra_dir], store)
        again = time.perf_counter() - t0
        stories = store.stories()
        n_events = store.counts()["events"]
        n_claims = store.counts()["claims"]
    sizes = Counter(len(s["article_ids"]) for s in stories)
    table = Table(title=f"Stories on {counts['articles']} articles (PolNeAR train+dev and the seeds)")
    table.add_column("step")
    table.add_column("seconds", justify="right")
    table.add_column("share of the full build", justify="right")
    table.add_row("full build (annotate + link + stories, events, claims)", f"{full:.1f}", "100%")
    table.add_row("add one article", f"{add_one:.1f}", f"{add_one / full:.1%}")
    table.add_row("same input again (nothing new)", f"{again:.1f}", f"{again / full:.1%}")
    console.print(table)
    t2 = Table(title="What the clustering found")
    for col in ("stories", "largest", "single-article", "2–5 articles", "6+ articles", "events", "claims"):
        t2.add_column(col, justify="right")
    t2.add_row(str(len(stories)), str(max(sizes) if sizes else 0), str(sizes.get(1, 0)),
               str(sum(v for k, v in sizes.items() if 2 <= k <= 5)), str(sum(v for k, v in sizes.items() if k >= 6)),
               str(n_events), str(n_claims))
    console.print(t2)
    for s in stories[:8]:
        console.print(f"  {len(s['article_ids']):4d}  {s['title'][:90]}", highlight=False, markup=False)
    if not args.keep:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)


if __name__ == "__main__":
    main()
