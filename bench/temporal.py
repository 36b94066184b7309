"""Time-expression tagging on ../shared/bench/temporal (TempEval-3 TBAQ-cleaned, 256 docs): storyline beside peers.

Metrics as TempEval-3 task A defines them (the official TE3 scorer, `evaluate_entities.py`):
strict extent P/R/F1 (exact span), relaxed extent P/R/F1 (spans overlap), and the attribute
F1s for type and value: attribute accuracy over the relaxed matches times relaxed precision
and recall, combined as F1 (so a timex counts for value only when it is found *and* its
normalised value equals the gold string). Matching is one to one within a document (each gold
timex pairs with the system timex it overlaps most, each system timex used once); the
document-creation-time TIMEX3 (tid t0, functionInDocument=CREATION_TIME) is the anchor and is
not scored, as in the official scorer. Extents are compared with surrounding white space
stripped.

Peers run here on the same raw texts with the DCT as their reference date:
- dateparser 1.5.0 `search.search_dates` (RELATIVE_BASE = DCT): each returned string is mapped
  to the next occurrence in the text after the previous match (type DATE), its datetime to a
  DATE value at day precision (YYYY-MM-DD) — dateparser has no granularity, so every value is a
  day, and no durations or sets.
- timexy 0.1.3 (spaCy component, TIMEX3 labels) and ctparse 0.3.6, from a separate virtual
  environment under bench/_work/ (ctparse needs python-dateutil < 3; the project pins 4.0.0),
  run as a child process. timexy gives type and value itself; ctparse's Time objects map to
  a DATE value at the precision it resolved (year, month or day) and its Intervals to the
  start's value; ctparse resolves one expression per call, so it is run on each sentence-sized
  piece (split at . ! ? and line ends) with a 0.5 s timeout. timexy's 'YYYY-MM-DDT00:00:00'
  dates are cut to the day.

Gold consistency (printed under the table): how often the gold gives the same expression different
readings relative to the DCT, and the value F1 an oracle would reach with storyline's extents and the
gold's most common reading of every expression — the ceiling for consistent normalisation here.

Speed: sentences per second on one core, sentences counted with a simple splitter over the
raw texts; only the tagging call is timed (best of three passes over all documents).

    python bench/temporal.py [--limit N] [--errors] [--no-peers] [--split timebank|aquaint]
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import json
import re
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, SHARED_BENCH, WORK  # noqa: E402

DATA = SHARED_BENCH / "temporal"
PEER_VENV = WORK / "peers-venv"
_TAG = re.compile(r"<(/?)(\w+)([^>]*)>")
_ATTR = re.compile(r'(\w+)="([^"]*)"')
_SENT = re.compile(r"[.!?]+[\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9])|\n\s*\n")

Gold = tuple[int, int, str, str]  # start, end, type, value


# --- data -------------------------------------------------------------------------------------

def load_doc(path: Path) -> tuple[str, dt.date, str, list[Gold]]:
    """(doc id, DCT, raw text, gold timexes) from a .tml file; offsets into the raw text."""
    raw = path.read_text(encoding="utf-8")
    dct_m = re.search(r'<DCT>.*?value="(\d{4}-\d{2}-\d{2})', raw, re.S)
    dct = dt.date.fromisoformat(dct_m.group(1))
    body = re.search(r"<TEXT>(.*)</TEXT>", raw, re.S).group(1)
    out: list[str] = []
    gold: list[Gold] = []
    pos = n = 0
    open_at: tuple[int, dict] | None = None
    for t in _TAG.finditer(body):
        seg = html.unescape(body[pos : t.start()])
        out.append(seg)
        n += len(seg)
        pos = t.end()
        if t.group(2) == "TIMEX3":
            if not t.group(1):
                open_at = (n, dict(_ATTR.findall(t.group(3))))
            elif open_at:
                attrs = open_at[1]
                if attrs.get("functionInDocument") != "CREATION_TIME":
                    gold.append((open_at[0], n, attrs.get("type", ""), attrs.get("value", "")))
                open_at = None
    out.append(html.unescape(body[pos:]))
    return path.stem, dct, "".join(out), gold


def load_all(limit: int | None = None, split: str | None = None) -> list[tuple[str, dt.date, str, list[Gold]]]:
    """All documents, or one corpus's (split 'timebank' or 'aquaint': the generalisation check)."""
    sub = {"timebank": "TimeBank", "aquaint": "AQUAINT"}.get(split or "", "*")
    files = sorted(DATA.glob(f"{sub}/*.tml"))[: limit or None]
    return [load_doc(f) for f in files]


def count_sentences(text: str) -> int:
    return sum(1 for piece in _SENT.split(text) if piece.strip())


# --- the metric -------------------------------------------------------------------------------

def _strip(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e


def _pairs(gold_: list[Gold], sys_: list[Gold]) -> tuple[list[tuple[Gold, Gold | None]], set[int]]:
    """One-to-one relaxed matching within a document: each gold timex pairs with the unused system
    timex it overlaps most; returns (gold, system or None) pairs and the indexes of system timexes used."""
    used: set[int] = set()
    pairs: list[tuple[Gold, Gold | None]] = []
    for g in gold_:
        best, best_ov = None, 0
        for j, sp in enumerate(sys_):
            if j in used:
                continue
            ov = min(g[1], sp[1]) - max(g[0], sp[0])
            if ov > best_ov:
                best, best_ov = j, ov
        if best is not None:
            used.add(best)
        pairs.append((g, None if best is None else sys_[best]))
    return pairs, used


def score(docs, preds: dict[str, list[Gold]]) -> tuple[dict[str, float], dict]:
    """TempEval-3 task A numbers over all documents, plus the pairs for error analysis."""
    n_gold = n_sys = strict = relaxed = type_ok = value_ok = 0
    errors: dict[str, list] = defaultdict(list)
    for doc_id, dct, text, gold in docs:
        sys_ = [(*_strip(text, s, e), ty, v) for s, e, ty, v in preds.get(doc_id, [])]
        gold_ = [(*_strip(text, s, e), ty, v) for s, e, ty, v in gold]
        n_gold += len(gold_)
        n_sys += len(sys_)
        pairs, matched_sys = _pairs(gold_, sys_)
        for g, sp in pairs:
            if sp is None:
                errors["fn"].append((doc_id, dct, text, g, None))
                continue
            relaxed += 1
            strict += (sp[0], sp[1]) == (g[0], g[1])
            type_ok += sp[2] == g[2]
            value_ok += sp[3] == g[3]
            if (sp[0], sp[1]) != (g[0], g[1]):
                errors["extent"].append((doc_id, dct, text, g, sp))
            if sp[3] != g[3]:
                errors["value"].append((doc_id, dct, text, g, sp))
        for j, sp in enumerate(sys_):
            if j not in matched_sys:
                errors["fp"].append((doc_id, dct, text, None, sp))

    def prf(k: int) -> tuple[float, float, float]:
        p = k / n_sys if n_sys else 0.0
        r = k / n_gold if n_gold else 0.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)

    sp_, sr, sf = prf(strict)
    rp, rr, rf = prf(relaxed)
    # attribute F1 as the official scorer: accuracy over relaxed matches x relaxed P and R
    _, _, tf = prf(type_ok)
    _, _, vf = prf(value_ok)
    return ({"strict_p": sp_, "strict_r": sr, "strict_f": sf, "relaxed_p": rp, "relaxed_r": rr, "relaxed_f": rf,
             "type_f": tf, "value_f": vf, "gold": n_gold, "system": n_sys}, errors)


# --- how consistent the gold is ----------------------------------------------------------------

_DOW_RX = re.compile(r"monday|tuesday|wednesday|thursday|friday|saturday|sunday")


def _expression(text: str) -> str:
    """An expression's key: lower case, digits as 9, weekday names as DOW ('Friday night' ~ 'Monday night')."""
    t = _DOW_RX.sub("DOW", text.lower().strip(" .,"))
    return re.sub(r"\d", "9", t)


def _reading(value: str, dct: dt.date, key: str) -> str:
    """A value as its relation to the document date, so the same reading of 'last week' in two documents
    compares equal: D-1 (a day back), W-1, M+2, Q-5, Y-1, Y-1-QX …; a weekday is D (within a week of the
    DCT) or Dfar; expressions that carry their own digits ('1968', 'Sept. 30') compare by value shape."""
    if "9" in key:
        return re.sub(r"\d", "9", value)
    m = re.fullmatch(r"(\d{4})-(\d\d)-(\d\d)(T.*)?", value)
    if m:
        try:
            off = (dt.date(int(m[1]), int(m[2]), int(m[3])) - dct).days
        except ValueError:
            return value
        if "DOW" in key:
            return ("D" if abs(off) <= 7 else "Dfar") + (m[4] or "")
        return f"D{off}{m[4] or ''}"
    iso_y, iso_w, _ = dct.isocalendar()
    m = re.fullmatch(r"(\d{4})-W(\d+)(-WE)?", value)
    if m:
        return f"W{(int(m[1]) - iso_y) * 52 + int(m[2]) - iso_w}{m[3] or ''}{'/unpadded' if len(m[2]) == 1 else ''}"
    m = re.fullmatch(r"(\d{4})-(\d\d)", value)
    if m:
        return f"M{(int(m[1]) - dct.year) * 12 + int(m[2]) - dct.month}"
    m = re.fullmatch(r"(\d{4})-Q(\d)", value)
    if m:
        return f"Q{(int(m[1]) - dct.year) * 4 + int(m[2]) - (dct.month - 1) // 3 - 1}"
    m = re.fullmatch(r"(\d{4})(-.+)?", value)
    if m:
        return f"Y{int(m[1]) - dct.year}{m[2] or ''}"
    return value


def consistency(docs, preds: dict[str, list[Gold]]) -> dict[str, float]:
    """How far the gold agrees with itself, to read the value F1 against: every gold timex's reading
    relative to its DCT, grouped by expression. `minority`: gold timexes whose reading is not the one
    the gold gives the same expression most often. `oracle_value_f`: value F1 of this run's extents if
    every matched timex had the gold's most common reading of its expression (an oracle that has seen
    the gold, and still context-free: no system that reads each expression one consistent way beats it
    by being consistent)."""
    readings: dict[str, Counter] = defaultdict(Counter)
    for _doc_id, dct, text, gold in docs:
        for s, e, _ty, v in gold:
            k = _expression(text[s:e])
            readings[k][_reading(v, dct, k)] += 1
    n_gold = sum(sum(c.values()) for c in readings.values())
    minority = sum(sum(c.values()) - c.most_common(1)[0][1] for c in readings.values())
    n_sys = ok = 0
    for doc_id, dct, text, gold in docs:
        sys_ = [(*_strip(text, s, e), ty, v) for s, e, ty, v in preds.get(doc_id, [])]
        gold_ = [(*_strip(text, s, e), ty, v) for s, e, ty, v in gold]
        n_sys += len(sys_)
        for g, sp in _pairs(gold_, sys_)[0]:
            if sp is not None:
                k = _expression(text[g[0]:g[1]])
                ok += readings[k].most_common(1)[0][0] == _reading(g[3], dct, k)
    return {"gold": n_gold, "minority": minority, "oracle_value_f": 2 * ok / (n_gold + n_sys) if n_gold + n_sys else 0.0}


# --- contenders -------------------------------------------------------------------------------

def run_storyline(docs) -> tuple[dict[str, list[Gold]], float]:
    from storyline.nlp.timex import tag

    out = {d[0]: [(t.span[0], t.span[1], t.type, t.value) for t in tag(d[2], d[1])] for d in docs}
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        for _doc_id, dct, text, _gold in docs:
            tag(text, dct)
        best = min(best, time.perf_counter() - t0)
    return out, best


def per_sentence_rate(docs) -> float:
    """Sentences per second when each sentence is its own call (the per-call overhead included)."""
    from storyline.nlp.timex import tag

    sents = [(piece, dct) for _id, dct, text, _g in docs for piece in _SENT.split(text) if piece.strip()]
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        for piece, dct in sents:
            tag(piece, dct)
        best = min(best, time.perf_counter() - t0)
    return len(sents) / best


def run_dateparser(docs) -> tuple[dict[str, list[Gold]], float]:
    from dateparser.search import search_dates

    out: dict[str, list[Gold]] = {}
    t0 = time.perf_counter()
    for doc_id, dct, text, _gold in docs:
        base = dt.datetime(dct.year, dct.month, dct.day)
        try:
            found = search_dates(text, languages=["en"], settings={"RELATIVE_BASE": base}) or []
        except Exception:  # noqa: BLE001 - a peer's crash on one document costs that document only
            found = []
        spans: list[Gold] = []
        pos = 0
        for s, when in found:
            i = text.find(s, pos)
            if i < 0:
                continue
            spans.append((i, i + len(s), "DATE", when.date().isoformat()))
            pos = i + len(s)
        out[doc_id] = spans
    return out, time.perf_counter() - t0


_PEER_CHILD = r'''
import datetime as dt, json, sys, time
name, path = sys.argv[1], sys.argv[2]
docs = json.load(open(path))
out = {}
if name == "timexy":
    import spacy
    from timexy import Timexy  # noqa: F401 - registers the factory
    nlp = spacy.blank("en")
    nlp.add_pipe("timexy", config={"kb_id_type": "timex3", "label": "timexy", "overwrite": False})
    t0 = time.perf_counter()
    for doc_id, dct, text in docs:
        res = []
        for ent in nlp(text).ents:
            kb = ent.kb_id_ or ""
            ty = "DATE"; val = ""
            for part in kb.replace('"', "").split():
                if part.startswith("type="): ty = part[5:]
                if part.startswith("value="): val = part[6:]
            if val.endswith("T00:00:00"): val = val[:-9]  # timexy writes every date as midnight
            res.append((ent.start_char, ent.end_char, ty, val))
        out[doc_id] = res
    secs = time.perf_counter() - t0
elif name == "ctparse":
    from ctparse import ctparse
    from ctparse.types import Time, Interval
    import re
    from ctparse.types import Duration
    def val(t):
        if t is None: return ""
        if isinstance(t, Duration):
            unit = {"minutes": "TM", "hours": "TH", "days": "D", "nights": "D", "weeks": "W", "months": "M"}.get(str(t.unit.value) if hasattr(t.unit, "value") else str(t.unit), "")
            return ("PT" + str(t.value) + unit[1:]) if unit.startswith("T") else ("P" + str(t.value) + unit if unit else "")
        if t.day is not None and t.month is not None and t.year is not None: return f"{t.year:04d}-{t.month:02d}-{t.day:02d}"
        if t.month is not None and t.year is not None: return f"{t.year:04d}-{t.month:02d}"
        if t.year is not None: return f"{t.year:04d}"
        return ""
    t0 = time.perf_counter()
    for doc_id, dct, text in docs:
        ref = dt.datetime.fromisoformat(dct)
        res = []
        # ctparse resolves one expression per call: run it on each sentence-sized piece
        for m in re.finditer(r"[^.!?\n]+[.!?]?", text):
            piece = m.group()
            if not piece.strip():
                continue
            try:
                r = ctparse(piece, ts=ref, timeout=0.5)
            except Exception:
                r = None
            if r is None or r.resolution is None:
                continue
            res_ = r.resolution
            s0, e0 = res_.mstart, res_.mend
            v = val(res_.start if isinstance(res_, Interval) else res_)
            ty = "DURATION" if isinstance(res_, Duration) else ("TIME" if getattr(res_, "hour", None) is not None else "DATE")
            res.append((m.start() + s0, m.start() + e0, ty, v))
        out[doc_id] = res
    secs = time.perf_counter() - t0
print(json.dumps({"out": out, "seconds": secs}))
'''


def run_peer_child(name: str, docs) -> tuple[dict[str, list[Gold]], float] | str:
    py = PEER_VENV / "bin" / "python"
    if not py.exists():
        return f"not installed (no {PEER_VENV.relative_to(ROOT)})"
    WORK.mkdir(parents=True, exist_ok=True)
    inp = WORK / "temporal-docs.json"
    inp.write_text(json.dumps([(d[0], d[1].isoformat(), d[2]) for d in docs]), encoding="utf-8")
    script = WORK / "temporal_peer_child.py"
    script.write_text(_PEER_CHILD, encoding="utf-8")
    try:
        proc = subprocess.run([str(py), str(script), name, str(inp)], capture_output=True, text=True, timeout=1800,
                              check=False)
    except subprocess.TimeoutExpired:
        return "timed out (30 min)"
    if proc.returncode != 0:
        return "failed: " + (proc.stderr.strip().splitlines() or ["?"])[-1][:160]
    data = json.loads(proc.stdout.strip().splitlines()[-1])
    return {k: [tuple(x) for x in v] for k, v in data["out"].items()}, data["seconds"]


# --- error analysis ---------------------------------------------------------------------------

def _shape(s: str) -> str:
    s = re.sub(r"\d", "9", s.lower())
    return re.sub(r"\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b", "DOW", s)


def print_errors(errors: dict, top: int = 40) -> None:
    for kind in ("fn", "fp", "value", "extent"):
        rows = errors.get(kind, [])
        groups: dict[str, list] = defaultdict(list)
        for doc_id, dct, text, g, sp in rows:
            ref = g if g is not None else sp
            groups[_shape(text[ref[0] : ref[1]])].append((doc_id, dct, text, g, sp))
        print(f"\n== {kind}: {len(rows)} ==")
        for key, items in sorted(groups.items(), key=lambda kv: -len(kv[1]))[:top]:
            doc_id, dct, text, g, sp = items[0]
            ref = g if g is not None else sp
            ctx = text[max(0, ref[0] - 50) : ref[1] + 30].replace("\n", " ")
            gs = f"gold {text[g[0]:g[1]]!r} {g[2]} {g[3]}" if g else ""
            ss = f"sys {text[sp[0]:sp[1]]!r} {sp[2]} {sp[3]}" if sp else ""
            print(f"{len(items):4d}  {key!r:32} {gs:45} {ss:45} dct={dct} | {ctx}")


# --- main -------------------------------------------------------------------------------------

def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=int, default=None, help="only the first N documents (quick check)")
    ap.add_argument("--errors", action="store_true", help="print storyline's errors grouped by pattern")
    ap.add_argument("--no-peers", action="store_true", help="score storyline only")
    ap.add_argument("--split", choices=("timebank", "aquaint"), default=None,
                    help="score one corpus only (TimeBank 183 or AQUAINT 73 docs)")
    args = ap.parse_args()
    if not DATA.exists():
        print(f"{DATA}: not found; this benchmark reads ../shared/bench beside the project — skipped")
        return
    docs = load_all(args.limit, args.split)
    n_sent = sum(count_sentences(d[2]) for d in docs)
    n_gold = sum(len(d[3]) for d in docs)
    rows: list[tuple[str, dict, float | None]] = []
    notes: list[str] = []

    preds, secs = run_storyline(docs)
    m, errors = score(docs, preds)
    rows.append(("storyline (run here)", m, n_sent / secs))
    notes.append(f"storyline, one call per sentence instead of per document: {per_sentence_rate(docs):,.0f} sent/s")
    if not args.no_peers:
        preds_dp, secs_dp = run_dateparser(docs)
        rows.append(("dateparser 1.5.0 search_dates", score(docs, preds_dp)[0], n_sent / secs_dp))
        for name in ("timexy", "ctparse"):
            res = run_peer_child(name, docs)
            if isinstance(res, str):
                notes.append(f"{name}: {res}")
                continue
            rows.append((f"{name} (run here)", score(docs, res[0])[0], n_sent / res[1]))

    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"Time expressions, {len(docs)} TBAQ-cleaned docs, {n_gold} gold TIMEX3 (DCT excluded), "
                        f"{n_sent} sentences")
    table.add_column("system")
    for col in ("strict P", "strict R", "strict F1", "relaxed P", "relaxed R", "relaxed F1", "type F1", "value F1",
                "sent/s"):
        table.add_column(col, justify="right")
    for name, mm, sps in rows:
        table.add_row(name, *(f"{mm[k]:.3f}" for k in ("strict_p", "strict_r", "strict_f", "relaxed_p", "relaxed_r",
                                                       "relaxed_f", "type_f", "value_f")),
                      f"{sps:,.0f}" if sps else "")
    table.add_row("HeidelTime (published, TE3 platinum)", "", "", "0.813", "", "", "", "", "0.776", "")
    table.add_row("SUTime (published, TE3 platinum)", "", "", "", "", "", "", "", "≈0.67", "")
    Console(width=160).print(table)
    cons = consistency(docs, preds)
    notes.append(f"gold consistency: {cons['minority']} of {cons['gold']} gold timexes "
                 f"({cons['minority'] / max(cons['gold'], 1):.0%}) are not the reading the gold most often gives the "
                 f"same expression; with storyline's extents and every value set to that most common reading, "
                 f"value F1 would be {cons['oracle_value_f']:.3f}")
    for n in notes:
        print(n)
    print("Published figures are on the TempEval-3 platinum test set (20 docs), not on this set.")
    seed_dates(Console(width=160))
    text_only_dates(Console(width=160))
    if args.errors:
        print_errors(errors)


def text_only_dates(console) -> None:
    """Publication dates reasoned from the text alone (metadata withheld) on PolNeAR's articles,
    checked against the publication dates its metadata gives: how often the text yields bounds,
    and how often those bounds (or the date) hold the true date."""
    import csv

    from rich.table import Table

    from storyline.clean.boilerplate import clean_article
    from storyline.model import DocMeta
    from storyline.published import publication

    root = SHARED_BENCH / "attribution"
    if not (root / "metadata.tsv").exists():
        print(f"{root}: not found — text-only publication dates skipped")
        return
    with open(root / "metadata.tsv", encoding="utf-8") as fh:
        truth = {r["filename"]: r["publication_date"] for r in csv.DictReader(fh, delimiter="\t")}
    n = dated = dated_right = bounded = holds = 0
    for split in ("train", "dev"):
        for f in sorted((root / split / "text").glob("*.txt")):
            day = truth.get(f.stem)
            if not day:
                continue
            text = f.read_text(encoding="utf-8")
            c = clean_article(text, (0, len(text)))
            p = publication(DocMeta(), c.datelines, c.text, [r.text for r in c.removed if r.reason == "caption"],
                            c.later_dates)
            n += 1
            if p.date:
                dated += 1
                dated_right += p.date == day
            if p.earliest or p.latest:
                bounded += 1
                holds += (not p.earliest or p.earliest <= day) and (not p.latest or day <= p.latest)
    table = Table(title=f"Publication dates from the text alone, PolNeAR train+dev ({n} articles, metadata withheld)")
    for col in ("articles", "given a date", "date right", "given bounds", "bounds hold the true date", "bounds wrong"):
        table.add_column(col, justify="right")
    table.add_row(str(n), str(dated), str(dated_right), str(bounded), f"{holds} ({holds / max(bounded, 1):.1%})",
                  str(bounded - holds))
    console.print(table)


# What the seeds' publication dates must be (from the temporal issue): (file prefix, article index) → check.
SEED_EXPECTED = {
    ("000", 1): ("2024-11-24", lambda p: p.date == "2024-11-24"),
    ("001", 0): ("inside 2017-04-16 … 2017-05-03",
                 lambda p: p.date is None and (p.earliest or "") >= "2017-04-16" and "" < (p.latest or "") <= "2017-05-03"),
    ("003", 0): ("not before 2019-07-12", lambda p: (p.earliest or "") >= "2019-07-12"),
    ("004", 0): ("2021-12-09", lambda p: p.date == "2021-12-09"),
}


def seed_dates(console) -> None:
    """The seeds' publication dates as the pipeline infers them (read, split, clean, date)."""
    from rich.table import Table

    from storyline.ingest import read_paths
    from storyline.model import ReadProblem
    from storyline.pipeline import normalise_document, process_document

    seeds = SHARED_BENCH.parent / "seeds"
    if not seeds.is_dir():
        print(f"{seeds}: not found — seed publication dates skipped")
        return
    table = Table(title="Seed publication dates (storyline)")
    for col in ("seed", "#", "date", "earliest", "latest", "expected", "ok", "evidence"):
        table.add_column(col, overflow="fold")
    for doc in read_paths([seeds]):
        if isinstance(doc, ReadProblem):
            continue
        prefix = Path(doc.source).name[:3]
        for i, a in enumerate(process_document(normalise_document(doc))):
            want = SEED_EXPECTED.get((prefix, i))
            ok = "" if want is None else ("yes" if want[1](a.published) else "NO")
            p = a.published
            table.add_row(Path(doc.source).name[:14], str(i + 1), p.date or "", p.earliest or "", p.latest or "",
                          want[0] if want else "", ok, (p.evidence or "")[:110])
    console.print(table)


if __name__ == "__main__":
    main()
