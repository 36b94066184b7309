"""Timeline summarisation on ../shared/bench/tls (Timeline17, 4 topics): `storyline digest` scored with tilse as news-tls scores it.

The data (../shared/bench/README.md, tls): `articles/<topic>.csv` (`date,text`, one article a row, the
text tokenised, one sentence a line) and `gold_timelines/<topic>.txt` (journalists' timelines: a date
line, a Python list of summary sentences, a `----` line; a topic with several timelines has them one
after another, the dates starting again: a date not after the one before starts the next timeline).

How storyline runs here: each topic's articles are written as one JSONL file (`text` as given,
`published` the row's date, no `title`: the first line of these texts is a byline or dateline, not a
headline) and built into a fresh database (`storyline.pipeline.build`), cached under
bench/_work/tls/ (git-ignored; `--rebuild` builds again). A topic is taken as a whole: the digest
runs over the whole database (no story filter), since a Timeline17 topic is one subject that the
story clustering may split into several stories. For each gold timeline, as news-tls does
(experiments/evaluate.py): the digest is asked for as many dates as the gold has, round(average
sentences per gold date) sentences a date, between the gold's first and last date
(`storyline.stories.digest.digest(..., dates=l, sentences=k, start=, end=)`); the system timeline is
scored against that one gold timeline with tilse's `TimelineRougeEvaluator(measures=["rouge_1",
"rouge_2"])`: concat, agreement and align+ m:1 (`evaluate_align_date_content_costs_many_to_one`)
ROUGE-1/2 F1, and date F1 (shared dates over the system's and the gold's dates). Averages follow
news-tls's `get_average_results`: precision and recall averaged over the timelines, F1 computed from
those averages (per topic over its timelines; the mean row over all timelines of all topics, as
news-tls averages over a dataset's timelines).

Baseline: the k first sentences (in article order) of the l days with the most articles published in
the gold's span.

Published (Gholipour Ghalandari & Ifrim, ACL 2020, Table 4, all of Timeline17, align+ m:1):
DATEWISE ROUGE-1 0.120, ROUGE-2 0.035, date F1 0.544; CLUST 0.082 / 0.020 / 0.407.

Stories (printed under the table): how the story clustering splits each topic's database. A Timeline17
topic is one subject followed over weeks or months (a pandemic, an earthquake and its aftermath, a death and
the trial that followed it), so the reference is the topic as one story: B³ of the build's stories against
one cluster per topic (precision is 1 by construction; recall is what splitting costs), with the number of
stories, how many hold one article, and the largest story's share. The topics are broad (the financial
crisis holds several developments), so this shows fragmentation, with no target.

Mixed stream (`--mixed`): every topic's articles fed to one build in publication order, its stories scored
against the topics (B³): what a user feeding several subjects at once gets, precision and recall both at stake
(1,014 articles; beside it one story for all and a story for each article).

Run: `PYTHONPATH=src python bench/tls.py [--topics finan,h1n1] [--rebuild] [--build-only] [--mixed]`.
"""

from __future__ import annotations

import argparse
import ast
import csv
import datetime as dt
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "bench" / "tls"
WORK = ROOT / "bench" / "_work" / "tls"
MIXED = "mixed"
PUBLISHED = {"DATEWISE": (0.120, 0.035, 0.544), "CLUST": (0.082, 0.020, 0.407)}

csv.field_size_limit(10**9)


def topics() -> list[str]:
    return sorted(p.stem for p in (DATA / "gold_timelines").glob("*.txt") if (DATA / "articles" / f"{p.stem}.csv").exists())


def read_articles(topic: str) -> list[dict]:
    with open(DATA / "articles" / f"{topic}.csv", encoding="utf-8", newline="") as fh:
        return [{"date": r["date"], "text": r["text"]} for r in csv.DictReader(fh)]


def read_gold(topic: str) -> list[dict[dt.date, list[str]]]:
    """The topic's gold timelines, each date → its summary sentences."""
    text = (DATA / "gold_timelines" / f"{topic}.txt").read_text(encoding="utf-8")
    timelines: list[dict[dt.date, list[str]]] = []
    prev = None
    for block in text.split("\n--------------------------------"):
        block = block.strip("\n-")
        if not block.strip():
            continue
        first, _, rest = block.strip().partition("\n")
        day = dt.date.fromisoformat(first.strip())
        rest = rest.strip()
        if rest.startswith('"'):
            rest = next(csv.reader([rest]))[0]
        sents = [str(s) for s in ast.literal_eval(rest)]
        if prev is None or day <= prev:
            timelines.append({})
        timelines[-1].setdefault(day, []).extend(sents)
        prev = day
    return timelines


def database(topic: str, rebuild: bool = False):
    """The topic's database, built once into bench/_work/tls/<topic>.db (MIXED: every topic's articles as one
    stream in publication order)."""
    from storyline.pipeline import build
    from storyline.store import Store

    WORK.mkdir(parents=True, exist_ok=True)
    db = WORK / f"{topic}.db"
    done = WORK / f"{topic}.done"
    if rebuild or not done.exists():
        for p in WORK.glob(f"{topic}.db*"):
            p.unlink()
        src = WORK / f"{topic}.jsonl"
        recs = [{"url": f"https://timeline17.invalid/{t}/{i}", "text": a["text"], "published": a["date"]}
                for t in (topics() if topic == MIXED else [topic]) for i, a in enumerate(read_articles(t))]
        if topic == MIXED:  # one stream, in publication order
            recs.sort(key=lambda r: (r["published"], r["url"]))
        with open(src, "w", encoding="utf-8") as fh:
            for rec in recs:
                fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
        t0 = time.time()
        store = Store(str(db))
        build([src], store)
        done.write_text(f"{time.time() - t0:.0f}s\n")
        return store
    return Store(str(db))



def tilse_timeline(entries: dict[dt.date, list[str]]):
    from tilse.data.timelines import Timeline as TilseTimeline

    return TilseTimeline({d: list(s) for d, s in entries.items()})


def score(pred: dict[dt.date, list[str]], gold: dict[dt.date, list[str]], evaluator) -> dict[str, dict]:
    """tilse's concat, agreement and align+ m:1 ROUGE-1/2 and news-tls's date P/R/F of one system timeline."""
    from tilse.data.timelines import GroundTruth as TilseGroundTruth

    p, g = tilse_timeline(pred), TilseGroundTruth([tilse_timeline(gold)])
    out = {"concat": evaluator.evaluate_concat(p, g), "agreement": evaluator.evaluate_agreement(p, g),
           "align_m1": evaluator.evaluate_align_date_content_costs_many_to_one(p, g)}
    pd, gd = set(p.get_dates()), set(g.get_dates())
    shared = len(pd & gd)
    prec, rec = (shared / len(pd) if pd else 0.0), shared / len(gd)
    out["date"] = {"precision": prec, "recall": rec, "f_score": 2 * prec * rec / (prec + rec) if prec + rec else 0.0}
    return out


def average(results: list[dict[str, dict]]) -> dict[str, float]:
    """news-tls's get_average_results: precision and recall averaged, F1 from the averages."""
    def f(metric: str, key: str | None) -> float:
        rows = [r[metric][key] if key else r[metric] for r in results]
        p = sum(x["precision"] for x in rows) / len(rows)
        r = sum(x["recall"] for x in rows) / len(rows)
        return 2 * p * r / (p + r) if p + r else 0.0

    out = {}
    for metric in ("concat", "agreement", "align_m1"):
        out[f"{metric} R1"] = f(metric, "rouge_1")
        out[f"{metric} R2"] = f(metric, "rouge_2")
    out["date F1"] = f("date", None)
    return out


def system_timeline(store, n_dates: int, k: int, start: dt.date, end: dt.date) -> dict[dt.date, list[str]]:
    """`storyline digest` of the whole database: n_dates dates, k sentences a date, days only, in [start, end]."""
    from storyline.stories.digest import digest

    events = store.events()
    published = {a.id: {"date": a.published.date, "earliest": a.published.earliest, "latest": a.published.latest}
                 for a in store.articles()}
    got = digest(events, dates=n_dates, sentences=k, start=start, end=end, days_only=True, n_articles=len(published),
                 published=published)
    return {dt.date.fromisoformat(x["date"]): x["sentences"] for x in got}


def baseline_timeline(articles: list[dict], n_dates: int, k: int, start: dt.date, end: dt.date) -> dict[dt.date, list[str]]:
    """The k first sentences (lines) of the first article of each of the n_dates days with the most articles."""
    by_day: dict[dt.date, list[dict]] = {}
    for a in articles:
        d = dt.date.fromisoformat(a["date"])
        if start <= d <= end:
            by_day.setdefault(d, []).append(a)
    days = sorted(by_day, key=lambda d: (-len(by_day[d]), d))[:n_dates]
    out = {}
    for d in days:
        sents: list[str] = []
        for a in by_day[d]:
            sents += [s.strip() for s in a["text"].split("\n") if len(s.split()) >= 6][: k - len(sents)]
            if len(sents) >= k:
                break
        out[d] = sents
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--topics", help="comma-separated topics (default: all)")
    ap.add_argument("--rebuild", action="store_true", help="build the databases again")
    ap.add_argument("--build-only", action="store_true", help="build (or find) the databases, print the time each took")
    ap.add_argument("--mixed", action="store_true",
                    help="only the stories of every topic's articles fed as one stream (one more build, about 9 minutes)")
    args = ap.parse_args(argv)
    if not DATA.is_dir():
        print(f"{DATA} is not present", file=sys.stderr)
        return 1
    if args.mixed:
        return print_mixed(database(MIXED, args.rebuild))
    if args.build_only:
        for t in args.topics.split(",") if args.topics else topics():
            t0 = time.time()
            database(t, args.rebuild)
            print(t, f"{time.time() - t0:.0f}s", flush=True)
        return 0
    from tilse.evaluation import rouge

    evaluator = rouge.TimelineRougeEvaluator(measures=["rouge_1", "rouge_2"])
    names = args.topics.split(",") if args.topics else topics()
    cols = ["concat R1", "concat R2", "agreement R1", "agreement R2", "align_m1 R1", "align_m1 R2", "date F1"]
    rows: list[tuple[str, str, dict]] = []
    every: dict[str, list] = {"storyline digest": [], "baseline": []}
    for t in names:
        t0 = time.time()
        store = database(t, args.rebuild)
        articles = read_articles(t)
        mine, base = [], []
        for gold in read_gold(t):
            dates = sorted(gold)
            n_dates, k = len(dates), round(sum(len(s) for s in gold.values()) / len(dates))
            mine.append(score(system_timeline(store, n_dates, k, dates[0], dates[-1]), gold, evaluator))
            base.append(score(baseline_timeline(articles, n_dates, k, dates[0], dates[-1]), gold, evaluator))
        every["storyline digest"] += mine
        every["baseline"] += base
        rows.append((t, "storyline digest", average(mine)))
        rows.append((t, "baseline", average(base)))
        print(f"{t}: {len(read_gold(t))} gold timeline(s), {time.time() - t0:.0f}s", file=sys.stderr, flush=True)
    for sysname in every:
        rows.append(("mean", sysname, average(every[sysname])))
    for name, (r1, r2, df) in PUBLISHED.items():
        rows.append(("published", f"{name} (all Timeline17)", {"align_m1 R1": r1, "align_m1 R2": r2, "date F1": df}))
    head = f"{'topic':<10} {'system':<30} " + " ".join(f"{c:>12}" for c in cols)
    print(head)
    print("-" * len(head))
    for t, sysname, r in rows:
        print(f"{t:<10} {sysname:<30} " + " ".join(f"{r[c]:>12.3f}" if c in r else f"{'':>12}" for c in cols))
    print("\nmean: over all gold timelines of the topics (news-tls: P and R averaged, F1 from them); "
          "a topic row: over its timelines.")
    print("\nstories of each topic's database, against the topic as one story (B³; precision 1 by construction):")
    for t in names:
        sizes = story_sizes(database(t))
        n = sum(sizes)
        recall = sum(x * x for x in sizes) / (n * n) if n else 0.0
        f1 = 2 * recall / (1 + recall) if n else 0.0
        print(f"{t:<10} {n:>4} articles in {len(sizes):>3} stories ({sum(1 for x in sizes if x == 1)} of one "
              f"article), the largest {max(sizes, default=0)} ({max(sizes, default=0) / (n or 1):.0%}); "
              f"B³ R {recall:.3f}, F1 {f1:.3f}")
    return 0


def b3(gold: dict[str, str], pred: dict[str, str]) -> tuple[float, float, float]:
    """B³ precision, recall and F1 of a grouping (item → group) against the gold one, by scorch (as
    bench/ecbplus.py scores its groupings)."""
    from scorch import scores

    def clusters(labels: dict[str, str]) -> list[set[str]]:
        out: dict[str, set[str]] = {}
        for i, lab in labels.items():
            out.setdefault(lab, set()).add(i)
        return list(out.values())

    r, p, f = scores.b_cubed(clusters(gold), clusters({i: pred[i] for i in gold}))
    return p, r, f


def print_mixed(store) -> int:
    """The stories of the topics fed as one stream, against the topics (B³): a story holding two topics costs
    precision, a topic split into stories recall. Beside them the two trivial groupings."""
    from collections import Counter

    gold, pred = {}, {}
    for a in store.articles():
        if a.duplicate_of is None and a.story_id and a.id not in gold:
            gold[a.id] = a.url.split("/")[-2]
            pred[a.id] = a.story_id
    sizes = Counter(pred.values())
    print(f"{len(gold)} articles of {len(set(gold.values()))} topics fed as one stream, in publication order;"
          " B³ against the topics:")
    print(f"{'grouping':<34} {'P':>6} {'R':>6} {'F1':>6} {'stories':>8} {'of one':>7} {'largest':>8}")
    rows = [("storyline's stories", pred), ("baseline: one story", {i: "x" for i in gold}),
            ("baseline: a story each", {i: i for i in gold})]
    for name, grouping in rows:
        c = Counter(grouping.values())
        p, r, f = b3(gold, grouping)
        print(f"{name:<34} {p:>6.3f} {r:>6.3f} {f:>6.3f} {len(c):>8} {sum(1 for v in c.values() if v == 1):>7}"
              f" {max(c.values()):>8}")
    mixed = {sid: Counter(gold[i] for i in pred if pred[i] == sid) for sid in sizes if sizes[sid] > 1}
    print("stories holding two topics or more:", sum(1 for c in mixed.values() if len(c) > 1))
    return 0


def story_sizes(store) -> list[int]:
    """The number of articles in each story of a database (duplicates left out), largest first."""
    from collections import Counter

    counts = Counter(a.story_id for a in store.articles() if a.duplicate_of is None and a.story_id)
    return sorted(counts.values(), reverse=True)


if __name__ == "__main__":
    sys.exit(main())
