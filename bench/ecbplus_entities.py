"""ECB+ entity mentions and cross-document entity coreference: storyline's canonical entities beside baselines.

Data: ECB+ 1.0 topics 1–35, read by `bench/ecbplus.py`'s readers (the test topics 36–45 are held out
and never read): parts `train` and `dev` from `split.json`. Nothing in storyline was tuned on ECB+
entities, so both parts are "not tuned on"; dev is the one to quote. Gold entity mentions are the
HUMAN_PART_*, NON_HUMAN_PART* and LOC_* markables (participants and places; TIME_* left out), first to
last anchored token, in the validated sentences only (ECBplus_coreference_sentences.csv); gold
clusters as for events: a CROSS_DOC_COREF note (the instance id), an INTRA_DOC_COREF target within
its document, else a singleton. ECB+ marks every mention of a participant, pronouns ("who", "he")
and common nouns ("the actress", "facility") included; storyline's entities are named mentions
only, so mention recall is bounded by the share of named gold mentions (printed: recall over the
gold mentions whose head is a proper noun, and over the others).

The system, as a build runs it (`pipeline.link_entities` over `annotate`'s layers): each document
parsed by `storyline.nlp.annotate.load_nlp` (`nlp.pipe`, documents in `ecbplus.stream_order`),
`storyline.nlp.entity_mentions.mentions(doc)` on it, then `canonical.canonicalise` over the documents of
ONE TOPIC (as if each topic were its own database: the grouping unit of every coreference row,
baselines included). A second storyline row canonicalises the whole part at once (no topic
given). A mention's cluster is its canonical entity. Every system reads the whole text; predicted
mentions outside the validated sentences are dropped before scoring.

Matching a predicted mention to a gold one, one to one per document: the two spans overlap, the
predicted mention's head token lies inside the gold span and the gold mention's head inside the
predicted span (a head: spaCy's root of the span with edge determiners, prepositions and
punctuation taken off, so "at Promises" heads on "Promises"; "Lohan" does not match "Lohan's
lawyer"); exact spans first, then the most overlapping (`match_heads`). Mention detection P/R/F1
is printed by this head match and by plain overlap (`ecbplus.match`, as the event bench counts).

Coreference, scored over the whole part with `ecbplus.coref_scores` (scorch's MUC, B³, CEAF-e;
CoNLL = their mean), with singletons and without (−s), in two ways:
* all gold mentions: a predicted mention matched to a gold one takes its id, an unmatched one is
  spurious, missed gold mentions stay in the key (detection and linking together);
* found only: key and response are the matched mentions alone (the linking of what was found).
Baselines over the same predicted mentions, within the same topic: the same head lemma (the
mention's head token's lemma, lower case); the same string (the mention's text, lower case);
every mention alone.

    python bench/ecbplus_entities.py [--part train|dev] [--topics 2,5] [--limit N] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any, Callable

sys.path.insert(0, str(Path(__file__).resolve().parent))
import ecbplus  # noqa: E402
from common import one_to_one  # noqa: E402
from ecbplus import ENTITY_TAGS, EcbDoc, Span, clusters_from_labels, coref_scores, detection_scores  # noqa: E402

EDGE_POS = frozenset({"ADP", "DET", "PUNCT", "CCONJ", "PART", "SPACE"})


# --- matching (pure) ---------------------------------------------------------------------------

def match_heads(gold: list[Span], gold_heads: list[Span], pred: list[Span], pred_heads: list[Span]
                ) -> list[int | None]:
    """One-to-one matching of one document's spans by head: for each gold span, the index of the
    predicted span paired with it (or None). A pair may match when the spans overlap, the predicted
    head lies inside the gold span and the gold head inside the predicted span (heads are char spans
    of one token); a maximum matching, each gold span trying the exact span first, then the most
    overlapping, then text order."""
    def inside(h: Span, s: Span) -> bool:
        return s[0] <= h[0] and h[1] <= s[1]

    cands: list[list[int]] = []
    for (gs, ge), gh in zip(gold, gold_heads):
        cs = []
        for j, ((ss, se), ph) in enumerate(zip(pred, pred_heads)):
            ov = min(ge, se) - max(gs, ss)
            if ov > 0 and inside(ph, (gs, ge)) and inside(gh, (ss, se)):
                cs.append((-((ss, se) == (gs, ge)), -ov, ss, j))
        cands.append([j for *_, j in sorted(cs)])
    return one_to_one(cands)


# --- spaCy helpers -----------------------------------------------------------------------------

def head_token(doc, span: Span):
    """The head of a char span: spaCy's root of the span's tokens, edge determiners, prepositions and
    punctuation taken off (None when no token is left)."""
    sp = doc.char_span(span[0], span[1], alignment_mode="expand")
    if sp is None or not len(sp):
        return None
    toks = list(sp)
    while len(toks) > 1 and toks[0].pos_ in EDGE_POS:
        toks.pop(0)
    while len(toks) > 1 and toks[-1].pos_ in EDGE_POS:
        toks.pop()
    return doc[toks[0].i:toks[-1].i + 1].root


def _tok_span(tok, fallback: Span) -> Span:
    return (tok.idx, tok.idx + len(tok)) if tok is not None else fallback


# --- one part ----------------------------------------------------------------------------------

def storyline_entities(docs: list[EcbDoc], found: dict[str, list]) -> dict[tuple[str, Span], str]:
    """(document, span) -> canonical entity id, `canonical.canonicalise` over these documents' mentions."""
    from storyline.nlp.canonical import canonicalise

    out: dict[tuple[str, Span], str] = {}
    for ent in canonicalise({d.name: found[d.name] for d in docs}):
        for aid, span, _text in ent.mentions:
            out[(aid, tuple(span))] = ent.id
    return out


def run_part(docs: list[EcbDoc], nlp, progress: Callable[[str, int], None] | None = None) -> dict[str, Any]:
    from storyline.nlp.entity_mentions import mentions

    by_name = {d.name: d for d in docs}
    order = ecbplus.stream_order(by_name)
    timings: dict[str, float] = {"parse_s": 0.0, "mentions_s": 0.0}
    parsed: dict[str, Any] = {}
    found: dict[str, list] = {}
    t_loop = time.perf_counter()
    for n, doc in zip(order, nlp.pipe([by_name[n].text for n in order], batch_size=8)):
        parsed[n] = doc
        t0 = time.perf_counter()
        found[n] = mentions(doc)
        timings["mentions_s"] += time.perf_counter() - t0
        if progress:
            progress(n, 1)
    timings["parse_s"] = time.perf_counter() - t_loop - timings["mentions_s"]

    # canonical entities: per topic (the grouping unit), and over the whole part (no topic given)
    t0 = time.perf_counter()
    topics: dict[int, list[EcbDoc]] = defaultdict(list)
    for d in docs:
        topics[d.topic].append(d)
    per_topic: dict[tuple[str, Span], str] = {}
    for t, tdocs in topics.items():
        per_topic.update({k: f"{t}:{v}" for k, v in storyline_entities(tdocs, found).items()})
    timings["canonicalise_s"] = time.perf_counter() - t0
    whole = storyline_entities(docs, found)

    # predicted mentions in the validated sentences, with heads; matched to gold
    items: list[dict] = []  # {"doc", "topic", "span", "text", "lemma", "gold": gold id | None, "entity", "whole"}
    gold_spans: dict[str, list[Span]] = {}
    pred_spans: dict[str, list[Span]] = {}
    found_by_pos: dict[str, list[int]] = {"proper": [0, 0], "other": [0, 0]}  # [found, gold]
    for n in order:
        d, doc = by_name[n], parsed[n]
        preds = [tuple(m.span) for m in found[n] if (n, tuple(m.span)) in per_topic and d.in_scored(tuple(m.span))]
        preds = sorted(set(preds))
        texts = {tuple(m.span): m.text for m in found[n]}
        p_heads = [head_token(doc, s) for s in preds]
        g_heads = [head_token(doc, g.span) for g in d.mentions]
        m = match_heads([g.span for g in d.mentions], [_tok_span(h, g.span) for h, g in zip(g_heads, d.mentions)],
                        preds, [_tok_span(h, s) for h, s in zip(p_heads, preds)])
        gold_of = {j: d.mentions[g].id for g, j in enumerate(m) if j is not None}
        for g, (j, h) in enumerate(zip(m, g_heads)):
            kind = "proper" if h is not None and h.pos_ == "PROPN" else "other"
            found_by_pos[kind][1] += 1
            found_by_pos[kind][0] += j is not None
        gold_spans[n] = [g.span for g in d.mentions]
        pred_spans[n] = preds
        for j, (s, h) in enumerate(zip(preds, p_heads)):
            items.append({"doc": n, "topic": d.topic, "span": s, "text": texts[s],
                          "lemma": (h.lemma_ if h is not None else texts[s]).lower(),
                          "gold": gold_of.get(j), "entity": per_topic[(n, s)], "whole": whole.get((n, s), f"{n}:{s}")})

    n_gold = sum(len(v) for v in gold_spans.values())
    matched = sum(it["gold"] is not None for it in items)
    p, r = (matched / len(items) if items else 0.0), (matched / n_gold if n_gold else 0.0)
    by_head = {"gold": n_gold, "system": len(items), "matched": matched, "p": p, "r": r,
               "f": 2 * p * r / (p + r) if p + r else 0.0}
    overlap = detection_scores(gold_spans, pred_spans)

    rows: dict[str, list[int]] = {
        "storyline canonicalise, per topic": ecbplus.label_of(it["entity"] for it in items),
        "storyline canonicalise, whole part (no topic given)": ecbplus.label_of(it["whole"] for it in items),
        "baseline: same head lemma within topic": ecbplus.label_of((it["topic"], it["lemma"]) for it in items),
        "baseline: same string within topic": ecbplus.label_of((it["topic"], it["text"].lower()) for it in items),
        "baseline: singletons": list(range(len(items))),
    }
    ids = [it["gold"] or f"{it['doc']}:p{it['span'][0]}-{it['span'][1]}" for it in items]
    key = clusters_from_labels([m.id for d in docs for m in d.mentions], [m.cluster for d in docs for m in d.mentions])
    matched_gold = {it["gold"] for it in items if it["gold"] is not None}
    key_found = [c & matched_gold for c in key]
    key_found = [c for c in key_found if c]
    coref: dict[str, dict] = {}
    for name, labels in rows.items():
        resp = clusters_from_labels(ids, labels)
        resp_found = clusters_from_labels([i for i, it in zip(ids, items) if it["gold"] is not None],
                                          [lab for lab, it in zip(labels, items) if it["gold"] is not None])
        coref[name] = {"with": coref_scores(key, resp), "without": coref_scores(key, resp, singletons=False),
                       "found_with": coref_scores(key_found, resp_found),
                       "found_without": coref_scores(key_found, resp_found, singletons=False),
                       "clusters": len(resp)}
    return {"docs": len(docs), "topics": sorted(topics), "gold_mentions": n_gold, "gold_clusters": len(key),
            "gold_clusters_multi": sum(len(c) > 1 for c in key), "predicted_mentions": len(items),
            "found_gold_clusters": len(key_found), "words": sum(len(d.text.split()) for d in docs),
            "detection": {"head": by_head, "overlap": overlap},
            "recall_by_head": {k: {"found": v[0], "gold": v[1], "r": v[0] / v[1] if v[1] else 0.0}
                               for k, v in found_by_pos.items()},
            "coref": coref, "timings": timings}


# --- output ------------------------------------------------------------------------------------

def print_part(console, label: str, r: dict[str, Any]) -> None:
    from rich.table import Table

    det, rec = r["detection"], r["recall_by_head"]
    console.print(f"\n{label}: {r['docs']} docs in {len(r['topics'])} topics, {r['gold_mentions']:,} gold entity "
                  f"mentions in validated sentences ({r['gold_clusters']:,} gold clusters, "
                  f"{r['gold_clusters_multi']:,} of more than one mention); storyline: "
                  f"{r['predicted_mentions']:,} mentions", highlight=False)
    t = Table(title=f"Entity mention detection — {label}")
    t.add_column("matching", max_width=60)
    for c in ("P", "R", "F1", "matched"):
        t.add_column(c, justify="right")
    h, o = det["head"], det["overlap"]
    t.add_row("storyline entities.mentions, head match (used below)", f"{h['p']:.3f}", f"{h['r']:.3f}",
              f"{h['f']:.3f}", f"{h['matched']:,}")
    t.add_row("storyline entities.mentions, overlap (as the event bench)", f"{o['relaxed_p']:.3f}",
              f"{o['relaxed_r']:.3f}", f"{o['relaxed_f']:.3f}", f"{o['relaxed']:,}")
    t.add_row("  recall over gold mentions headed by a proper noun", "", f"{rec['proper']['r']:.3f}", "",
              f"{rec['proper']['found']:,} / {rec['proper']['gold']:,}")
    t.add_row("  recall over the others (pronouns, common nouns)", "", f"{rec['other']['r']:.3f}", "",
              f"{rec['other']['found']:,} / {rec['other']['gold']:,}")
    console.print(t)

    t = Table(title=f"Entity coreference, within topic — {label}")
    t.add_column("system (over the same storyline mentions)", max_width=56)
    for c in ("MUC", "B³", "CEAF-e", "CoNLL", "CoNLL −s", "found: CoNLL", "found: −s", "clusters"):
        t.add_column(c, justify="right")
    for name, m in r["coref"].items():
        w = m["with"]
        t.add_row(name, *(f"{w[k]:.3f}" for k in ("muc_f", "b3_f", "ceafe_f", "conll_f")),
                  f"{m['without']['conll_f']:.3f}", f"{m['found_with']['conll_f']:.3f}",
                  f"{m['found_without']['conll_f']:.3f}", f"{m['clusters']:,}")
    console.print(t)
    console.print(f"  F1 columns. MUC … CoNLL −s: key = every gold mention (missed ones count against recall, "
                  f"unmatched predicted ones are spurious); found: key and response = the {h['matched']:,} "
                  f"matched mentions only ({r['found_gold_clusters']:,} gold clusters). −s: singleton clusters "
                  f"dropped from key and response.", highlight=False)
    tm = r["timings"]
    console.print(f"  time: parse {tm['parse_s']:.1f} s ({r['words']:,} words), entities.mentions "
                  f"{tm['mentions_s']:.1f} s, canonicalise per topic {tm['canonicalise_s']:.2f} s", highlight=False)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--part", choices=("train", "dev"), default=None, help="one part (default: dev, then train)")
    ap.add_argument("--topics", default=None, help="only these topics, e.g. 2,5 (within the part)")
    ap.add_argument("--limit", type=int, default=None, help="only the first N documents of each part")
    ap.add_argument("--json", action="store_true", help="all figures as one JSON object on the last line")
    args = ap.parse_args()
    if not ecbplus.DATA.exists():
        print(f"{ecbplus.DATA}: not found; this benchmark reads ../shared/bench beside the project — skipped")
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from storyline.nlp.annotate import load_nlp

    topics = [int(t) for t in args.topics.split(",") if t.strip()] if args.topics else None
    console = Console(width=190)
    nlp = load_nlp()
    report: dict[str, Any] = {"bench": "ecbplus_entities", "limit": args.limit, "topics": topics, "parts": {}}
    for part in [args.part] if args.part else ["dev", "train"]:
        docs = ecbplus.read_part(part, topics, tags=ENTITY_TAGS)[: args.limit]
        if not docs:
            console.print(f"{part}: no documents (topics {topics} are not in this part)", highlight=False)
            continue
        label = {"train": "train topics (not tuned on)", "dev": "dev topics (not tuned on)"}[part]
        with Progress(TextColumn(f"{part}: parsing and entity mentions"), BarColumn(), MofNCompleteColumn(),
                      TimeElapsedColumn(), console=console, transient=True) as bar:
            task = bar.add_task(part, total=len(docs))
            result = run_part(docs, nlp, lambda _n, k: bar.advance(task, k))
        print_part(console, label, result)
        report["parts"][part] = result
    if args.json:
        print(json.dumps(report, ensure_ascii=False))


if __name__ == "__main__":
    main()
