"""TimeML event extraction on ../shared/bench/temporal (TempEval-3 task B, TBAQ-cleaned): storyline beside baselines.

Data: the TBAQ-cleaned .tml files (TimeBank 183 + AQUAINT 73 docs) as `bench/tbaq.py` reads them:
raw text with the tags stripped, gold `<EVENT class=...>` extents, and each event's first
`<MAKEINSTANCE>` attributes (tense, aspect, polarity, modality, pos). Only events inside <TEXT>
are scored (the 16 headline EVENTs above it are not). Two fixed parts (`tbaq.part_of`, a hash of
the document name): `tune` (about 4 docs in 5: look at its errors freely) and `held-out` (never
tuned on: the figure that counts).

Metrics as TempEval-3 task B defines them:
- strict extent P/R/F1: exact span, white space stripped;
- relaxed extent P/R/F1: spans overlap; matching is one to one within a document, as
  bench/temporal.py's `_pairs`, but as a maximum matching that tries exact and then the most
  overlapping partners first (a duplicated prediction on one gold event counts once, the copy is
  spurious; a prediction overlapping two gold events matches one of them);
- class accuracy over the relaxed matches, and class F1 as the official scorer computes attribute
  F1: accuracy × relaxed P and R, combined (= 2·correct / (gold + system));
- tense, aspect and polarity accuracy over the relaxed matches whose gold event has a MAKEINSTANCE
  (24 gold events in <TEXT> have none). Polarity leaves out the documents whose gold marks most of
  their events NEG (25 AQUAINT Elian González stories mark nearly every event NEG, "refused",
  "applied", "predicted" included: an annotation artefact); `polarity_acc_all` in --json keeps them.
  A prediction without an attribute counts as wrong for it. `pos_acc` (--json only) is over gold
  events with a known part of speech (AQUAINT mostly says UNKNOWN), ADJECTIVE read as ADJ.

Systems run here, on the same spaCy parses (`storyline.nlp.annotate.load_nlp`, `nlp.pipe`, batch 8):
- storyline TimeML events: `storyline.nlp.timeml.timeml_events(doc)`;
- storyline news events (before): the trigger spans of the existing event layer
  (`event_mentions.find_events` with `timex.tag` at the DCT and `entity_mentions.mentions`), which
  gives no TimeML class or attributes (counted wrong);
- baseline every verb: each token spaCy tags VERB is an event, with the gold's most frequent
  values as constants (OCCURRENCE, PAST, NONE, POS): the floor each column should clear.
Published figures (TempEval-3 platinum test set, relaxed match; quoted, not run here, and not
directly comparable — the platinum set is held out and never read here): ATT-1 P 0.814 R 0.806
F1 0.81; NavyTime-1 F1 0.803.

Speed: words (white-space separated) per second of `nlp.pipe` alone, and of `nlp.pipe` followed by
`timeml_events` on each doc (the parse time plus the extraction time, on the same texts, one
pass), and their ratio; and of the whole annotate step, `storyline.nlp.annotate.annotate_texts` (its
own parse and every layer: time expressions, entities, quotes, news and TimeML events, claims, and
the title's events, each text given its first line as a title), against the faster of two bare
`nlp.pipe` passes (one before, one after).

    python bench/events.py [--limit N] [--part tune|held-out|all] [--by-corpus] [--errors] [--json]
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from bisect import bisect_left
from collections import Counter
from pathlib import Path
from typing import Any, Callable, Iterable

sys.path.insert(0, str(Path(__file__).resolve().parent))
import tbaq  # noqa: E402
from common import one_to_one, peak_rss_mb  # noqa: E402

ATTRS = ("tense", "aspect", "polarity")
MAJORITY = {"class": "OCCURRENCE", "tense": "PAST", "aspect": "NONE", "polarity": "POS"}
PUBLISHED = {  # TempEval-3 task B, platinum test set, relaxed match (../shared/bench/README.md)
    "ATT-1 (published, TE3 platinum)": {"relaxed_p": 0.814, "relaxed_r": 0.806, "relaxed_f": 0.81},
    "NavyTime-1 (published, TE3 platinum)": {"relaxed_f": 0.803},
}
_POS = {"ADJECTIVE": "ADJ", "PREPOSITION": "OTHER"}

Span = tuple[int, int]


# --- the metric (pure: a test calls these) -----------------------------------------------------

def _strip(text: str, s: int, e: int) -> Span:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e


def _pred_span(text: str, p: dict) -> Span:
    s, e = p["span"]
    return _strip(text, int(s), int(e))


def match(gold: list[Span], sys_: list[Span]) -> list[int | None]:
    """One-to-one relaxed matching of one document's spans: for each gold span, the index of the
    system span paired with it (or None). A maximum matching over overlapping pairs; each gold span
    tries exact partners first, then the most overlapping, then text order."""
    order = sorted(range(len(sys_)), key=lambda j: sys_[j])
    starts = [sys_[j][0] for j in order]
    longest = max((e - s for s, e in sys_), default=0)
    cands: list[list[int]] = []
    for gs, ge in gold:
        cs = []
        for k in range(bisect_left(starts, gs - longest), bisect_left(starts, ge)):
            j = order[k]
            ss, se = sys_[j]
            ov = min(ge, se) - max(gs, ss)
            if ov > 0:
                cs.append((-((ss, se) == (gs, ge)), -ov, j))
        cands.append([j for *_, j in sorted(cs)])
    return one_to_one(cands)


def _polarity_artefact(doc) -> bool:
    """A document whose gold marks most of its events NEG (the AQUAINT artefact, see the docstring)."""
    n = len(doc.events)
    return n >= 10 and sum(e.polarity == "NEG" for e in doc.events) > n / 2


def pairs(doc, preds: list[dict]) -> tuple[list[tuple[Any, dict | None]], list[dict]]:
    """(gold event, matched prediction or None) for each gold event, and the unmatched predictions."""
    gold = [_strip(doc.text, e.start, e.end) for e in doc.events]
    sys_ = [_pred_span(doc.text, p) for p in preds]
    m = match(gold, sys_)
    used = {j for j in m if j is not None}
    return ([(ev, None if j is None else preds[j]) for ev, j in zip(doc.events, m)],
            [p for j, p in enumerate(preds) if j not in used])


def _same(pred_value: Any, gold_value: str) -> bool:
    return pred_value is not None and str(pred_value).upper() == gold_value.upper()


def score(docs: Iterable, preds: dict[str, list[dict]]) -> dict[str, Any]:
    """TempEval-3 task B figures over `docs` (objects with .name, .text, .events as tbaq.TmlDoc);
    `preds` maps a document name to its predictions, dicts with "span": [start, end] into the text
    and optionally "class", "tense", "aspect", "polarity", "pos" (a missing one counts as wrong)."""
    n_gold = n_sys = strict = relaxed = 0
    ok: Counter = Counter()
    n_attr: Counter = Counter()  # relaxed matches each attribute is scored over
    for doc in docs:
        ps = preds.get(doc.name, [])
        gold = [_strip(doc.text, e.start, e.end) for e in doc.events]
        sys_ = [_pred_span(doc.text, p) for p in ps]
        n_gold += len(gold)
        n_sys += len(sys_)
        strict += sum((Counter(gold) & Counter(sys_)).values())
        artefact = _polarity_artefact(doc)
        for ev, j in zip(doc.events, match(gold, sys_)):
            if j is None:
                continue
            p = ps[j]
            relaxed += 1
            ok["class"] += _same(p.get("class"), ev.cls)
            if not ev.pos:  # no MAKEINSTANCE: no gold tense, aspect, polarity
                continue
            for a in ATTRS:
                good = _same(p.get(a), getattr(ev, a))
                if a == "polarity":
                    n_attr["polarity_all"] += 1
                    ok["polarity_all"] += good
                    if artefact:
                        continue
                n_attr[a] += 1
                ok[a] += good
            if ev.pos != "UNKNOWN":
                n_attr["pos"] += 1
                ok["pos"] += _same(p.get("pos"), _POS.get(ev.pos, ev.pos))

    def prf(k: int) -> tuple[float, float, float]:
        p = k / n_sys if n_sys else 0.0
        r = k / n_gold if n_gold else 0.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)

    out: dict[str, Any] = {}
    for name, k in (("strict", strict), ("relaxed", relaxed)):
        out[f"{name}_p"], out[f"{name}_r"], out[f"{name}_f"] = prf(k)
    out["class_acc"] = ok["class"] / relaxed if relaxed else 0.0
    out["class_f"] = prf(ok["class"])[2]
    for a in (*ATTRS, "pos"):
        out[f"{a}_acc"] = ok[a] / n_attr[a] if n_attr[a] else 0.0
    out["polarity_acc_all"] = ok["polarity_all"] / n_attr["polarity_all"] if n_attr["polarity_all"] else 0.0
    out.update(gold=n_gold, system=n_sys, strict=strict, relaxed=relaxed, class_ok=ok["class"])
    return out


def error_words(docs: Iterable, preds: dict[str, list[dict]]) -> dict[str, Counter]:
    """Missed gold trigger words, spurious predicted words (lower case), and class confusions."""
    out = {"missed": Counter(), "spurious": Counter(), "class": Counter()}
    for doc in docs:
        ps, extra = pairs(doc, preds.get(doc.name, []))
        for ev, p in ps:
            if p is None:
                out["missed"][doc.text[ev.start:ev.end].strip().lower()] += 1
            elif not _same(p.get("class"), ev.cls):
                out["class"][f"{ev.cls}→{p.get('class')}"] += 1
        for p in extra:
            s, e = _pred_span(doc.text, p)
            out["spurious"][doc.text[s:e].lower()] += 1
    return out


# --- systems ----------------------------------------------------------------------------------

def timeml_system() -> Callable[[Any, Any], list[dict]] | str:
    try:
        from storyline.nlp.timeml import timeml_events
    except ImportError as exc:
        return f"not available: {exc}"
    except Exception as exc:  # noqa: BLE001 - the module is being written: a broken import is a row's note
        return f"not importable: {type(exc).__name__}: {(str(exc).splitlines() or [''])[0][:100]}"
    from storyline.nlp.annotate import load_nlp
    from storyline.nlp.lexicon import wordnet
    from storyline.nlp.timeml import model

    load_nlp()
    before = _resident_mb()
    wordnet()
    MEMORY["wordnet_mb"] = _resident_mb() - before
    model(), timeml_events(load_nlp()("Warm up."))  # loaded once per process: not per text
    MEMORY["wordnet_and_model_mb"] = _resident_mb() - before
    return lambda doc, _gold: timeml_events(doc)


MEMORY: dict[str, float] = {}  # what loading WordNet and the weights adds to the process (resident MB)


def _resident_mb() -> float:
    """This process's resident memory now, in MB (Linux: /proc/self/statm)."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return 0.0
    return pages * resource.getpagesize() / 1e6


def news_events(doc, gold) -> list[dict]:
    import datetime as dt

    from storyline.nlp.entity_mentions import mentions
    from storyline.nlp.event_mentions import find_events
    from storyline.nlp.timex import tag

    day = gold.dct[:10]
    try:
        anchor = dt.date.fromisoformat(day)
    except ValueError:
        anchor, day = None, None
    evs = find_events(doc, tag(doc.text, anchor), mentions(doc), day)
    return [{"span": list(ev["trigger"]["span"]), "text": ev["trigger"]["text"]} for ev in evs]


def every_verb(doc, _gold) -> list[dict]:
    return [{"span": [t.idx, t.idx + len(t)], "text": t.text, **MAJORITY, "pos": "VERB"} for t in doc
            if t.pos_ == "VERB"]


def _failure(doc_name: str, exc: Exception) -> str:
    """Why a system has no figures, in one short line."""
    if isinstance(exc, OSError) and exc.filename:
        what = f"{Path(str(exc.filename)).name}: {exc.strerror}"
    else:
        what = (str(exc).splitlines() or [""])[0]
    return f"failed on {doc_name}: {type(exc).__name__}: {what[:100]}"


SYSTEMS = ("storyline TimeML events", "storyline news events (before)", "baseline: every verb")


def run_part(docs: list, nlp) -> tuple[dict[str, dict | str], dict[str, float | str], dict[str, dict]]:
    """Parse the part's texts once (timed), run every system on the parses; returns per system its
    figures (or why it has none), the speed figures, and its predictions."""
    texts = [d.text for d in docs]
    words = sum(len(t.split()) for t in texts)
    t0 = time.perf_counter()
    parsed = list(nlp.pipe(texts, batch_size=8))
    t_pipe = time.perf_counter() - t0
    speed: dict[str, float | str] = {"words": words, "pipe_wps": words / t_pipe if t_pipe else 0.0}
    funcs: dict[str, Callable | str] = {SYSTEMS[0]: timeml_system(), SYSTEMS[1]: news_events,
                                        SYSTEMS[2]: every_verb}
    results: dict[str, dict | str] = {}
    all_preds: dict[str, dict] = {}
    for name, fn in funcs.items():
        if isinstance(fn, str):
            results[name] = fn
            continue
        preds: dict[str, list[dict]] = {}
        t0 = time.perf_counter()
        try:
            for doc, gold in zip(parsed, docs):
                preds[gold.name] = list(fn(doc, gold))
        except Exception as exc:  # noqa: BLE001 - the module under test may be mid-edit: report, go on
            results[name] = _failure(gold.name, exc)
            continue
        secs = time.perf_counter() - t0
        results[name] = score(docs, preds)
        all_preds[name] = preds
        if name == SYSTEMS[0]:
            speed["with_timeml_wps"] = words / (t_pipe + secs)
            speed["ratio"] = t_pipe / (t_pipe + secs)
    if SYSTEMS[0] not in all_preds:
        speed["with_timeml_wps"] = speed["ratio"] = None
    try:  # the whole annotate step: parse and every layer, each text with its first line as a title
        from storyline.nlp.annotate import annotate_texts

        t0 = time.perf_counter()
        for _ in annotate_texts((t, None, next((ln for ln in t.splitlines() if ln.strip()), "")[:200]) for t in texts):
            pass
        t_all = time.perf_counter() - t0
        t0 = time.perf_counter()
        for _ in nlp.pipe(texts, batch_size=8):  # the bare parse again, warm: the faster pass is the baseline
            pass
        t_bare = min(t_pipe, time.perf_counter() - t0)
        speed["bare_wps"] = words / t_bare
        speed["annotate_wps"], speed["annotate_ratio"] = words / t_all, t_bare / t_all
    except Exception as exc:  # noqa: BLE001 - report, go on
        speed["annotate_wps"] = speed["annotate_ratio"] = None
        speed["annotate_error"] = f"{type(exc).__name__}: {exc}"[:120]
    return results, speed, all_preds


# --- output -----------------------------------------------------------------------------------

COLUMNS = (("strict P", "strict_p"), ("strict R", "strict_r"), ("strict F1", "strict_f"), ("rel. P", "relaxed_p"),
           ("rel. R", "relaxed_r"), ("rel. F1", "relaxed_f"), ("class acc", "class_acc"), ("class F1", "class_f"),
           ("tense acc", "tense_acc"), ("aspect acc", "aspect_acc"), ("polar. acc", "polarity_acc"))


def print_table(console, title: str, results: dict[str, dict | str], speed: dict) -> None:
    from rich.table import Table

    table = Table(title=title)
    table.add_column("system", overflow="fold", max_width=40)
    for col, _ in COLUMNS:
        table.add_column(col, justify="right")
    table.add_column("events", justify="right")
    notes = []
    for name, m in results.items():
        if isinstance(m, str):
            table.add_row(name, *["n/a"] * len(COLUMNS), "")
            notes.append(f"  {name}: {m}")
        else:
            table.add_row(name, *(f"{m[k]:.3f}" for _, k in COLUMNS), f"{m['system']:,}")
    for name, m in PUBLISHED.items():
        table.add_row(name, *(f"{m[k]:.3f}" if k in m else "" for _, k in COLUMNS), "")
    console.print(table)
    for n in notes:
        console.print(n, highlight=False, overflow="ignore", crop=False)
    line = f"  speed: nlp.pipe {speed['pipe_wps']:,.0f} words/s"
    if speed.get("ratio") is not None:
        line += (f"; nlp.pipe + timeml_events {speed['with_timeml_wps']:,.0f} words/s "
                 f"({speed['ratio']:.0%} of nlp.pipe alone; target ≥ 60%)")
    else:
        line += "; nlp.pipe + timeml_events: n/a (no TimeML events, see above)"
    if speed.get("annotate_ratio") is not None:
        line += (f"; annotate_texts (every layer, titles too) {speed['annotate_wps']:,.0f} words/s "
                 f"({speed['annotate_ratio']:.0%} of the faster of two bare nlp.pipe passes, {speed['bare_wps']:,.0f} words/s)")
    elif speed.get("annotate_error"):
        line += f"; annotate_texts: {speed['annotate_error']}"
    console.print(line + f"  [{speed['words']:,} words]", highlight=False)


def print_errors(console, part: str, name: str, docs: list, preds: dict, top: int = 25) -> None:
    errs = error_words(docs, preds)
    console.print(f"\n[bold]{part}: {name} errors[/bold]")
    for kind in ("missed", "spurious", "class"):
        total = sum(errs[kind].values())
        items = ", ".join(f"{w} {n}" for w, n in errs[kind].most_common(top))
        console.print(f"  {kind} ({total:,}): {items}", highlight=False)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=int, default=None, help="only the first N documents of each part")
    ap.add_argument("--part", choices=("tune", "held-out", "all"), default=None,
                    help="one part, or all documents as one table (default: tune and held-out)")
    ap.add_argument("--by-corpus", action="store_true", help="also a table for TimeBank and AQUAINT separately")
    ap.add_argument("--errors", action="store_true", help="most frequent missed and spurious trigger words per part")
    ap.add_argument("--json", action="store_true", help="all figures as one JSON object on the last line")
    args = ap.parse_args()
    if not tbaq.DATA.exists():
        print(f"{tbaq.DATA}: not found; this benchmark reads ../shared/bench beside the project — skipped")
        return
    from rich.console import Console

    from storyline.nlp.annotate import load_nlp

    console = Console(width=190)
    nlp = load_nlp()
    parts = {"tune": ["tune"], "held-out": ["held-out"], "all": ["all"]}.get(args.part or "", ["tune", "held-out"])
    report: dict[str, Any] = {"bench": "events", "limit": args.limit, "parts": {},
                              "published": {k: v for k, v in PUBLISHED.items()}}
    for part in parts:
        docs = tbaq.load(None if part == "all" else part, args.limit)
        groups = [(part, docs)]
        if args.by_corpus:
            groups += [(f"{part} / {c}", [d for d in docs if d.corpus == c]) for c in ("TimeBank", "AQUAINT")]
        for label, group in groups:
            if not group:
                continue
            results, speed, preds = run_part(group, nlp)
            n_gold = sum(len(d.events) for d in group)
            artefact = [d.name for d in group if _polarity_artefact(d)]
            what = {"tune": "tune part", "held-out": "held-out part, never tuned on",
                    "all": "all documents"}.get(label, label)
            print_table(console, f"TimeML events ({what}): {len(group)} TBAQ-cleaned docs, {n_gold:,} gold EVENTs",
                        results, speed)
            if artefact:
                console.print(f"  polarity accuracy leaves out {len(artefact)} document(s) whose gold marks most events "
                              f"NEG (an AQUAINT annotation artefact)", highlight=False)
            report["parts"][label] = {"docs": len(group), "gold": n_gold, "polarity_artefact_docs": len(artefact),
                                      "speed": speed, "systems": results}
            if args.errors and label == part:
                name = next((n for n in SYSTEMS if n in preds), None)
                if name:
                    print_errors(console, label, name, group, preds[name])
    if MEMORY:
        console.print(f"memory: WordNet's reader {MEMORY['wordnet_mb']:,.0f} MB resident, with the model's weights "
                      f"{MEMORY['wordnet_and_model_mb']:,.0f} MB; peak of this process {peak_rss_mb():,.0f} MB",
                      highlight=False)
        report["memory"] = {**MEMORY, "peak_mb": peak_rss_mb()}
    console.print("Published rows: TempEval-3 platinum test set (20 docs), relaxed match; not run here, not "
                  "directly comparable. News events give no TimeML class or attributes (counted wrong).",
                  highlight=False)
    if args.json:
        print(json.dumps(report, ensure_ascii=False))


if __name__ == "__main__":
    main()
