"""Train storyline's TimeML event model (src/storyline/nlp/data/timeml.json.gz) on the tune part of TBAQ and ECB+'s train topics.

Two logistic regressions (scikit-learn) over `storyline.nlp.timeml.features`: event or not, for every
candidate word (TBAQ's tune part, and the validated sentences of ECB+'s train topics unless
--tbaq-only); and the TimeML class, for TBAQ's events (ECB+ labels are not TimeML's classes). The regularisation strength and
the event threshold are chosen by 4-fold cross-validation over the tune part's documents (grouped by
document); TBAQ's held-out part (bench/tbaq.py: one document in five) and ECB+'s dev topics are never read here. The weights
are written as JSON (no pickle: data, not code), rounded and without the near-zero ones.

    python bench/train_timeml.py [--out PATH]
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import sys
from pathlib import Path

import numpy as np
from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold

sys.path.insert(0, str(Path(__file__).resolve().parent))
import ecbplus  # noqa: E402
import tbaq  # noqa: E402
from common import ROOT  # noqa: E402

from storyline.nlp.annotate import load_nlp  # noqa: E402
from storyline.nlp.timeml import CANDIDATE_POS, CLASSES, MODEL, features  # noqa: E402

C_GRID = (0.1, 0.3, 1.0, 3.0)
THRESHOLDS = tuple(round(t, 2) for t in np.arange(0.25, 0.66, 0.05))


def examples(texts: list[str], golds: list[list[tuple[int, int, str]]], scopes: list | None = None,
             first_group: int = 0) -> tuple[list[dict], list[int], list[str], list[int]]:
    """(features, is-event, gold class or '', document number) for every candidate word of the texts;
    `golds`: per text its events as (start, end, class or ''); `scopes`: per text a predicate on a
    word's character offset saying whether the text's annotation covers it (None: everywhere)."""
    nlp = load_nlp()
    X, y, cls, groups = [], [], [], []
    for n, doc in enumerate(nlp.pipe(texts, batch_size=8)):
        gold = {}
        for start, end, c in golds[n]:
            span = doc.char_span(start, end, alignment_mode="expand")
            if span is not None:
                gold[span.root.i] = c
        covered = scopes[n] if scopes else None
        for tok in doc:
            if tok.pos_ not in CANDIDATE_POS or not any(ch.isalpha() for ch in tok.text):
                continue
            if covered is not None and not covered(tok.idx):
                continue
            X.append({f: 1 for f in features(tok)})
            y.append(int(tok.i in gold))
            cls.append(gold.get(tok.i, ""))
            groups.append(first_group + n)
    return X, y, cls, groups


def f1(y: np.ndarray, p: np.ndarray) -> float:
    tp = float(((y == 1) & (p == 1)).sum())
    return 2 * tp / max(1.0, float((y == 1).sum() + (p == 1).sum()))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=MODEL)
    ap.add_argument("--tbaq-only", action="store_true", help="leave out ECB+'s train topics")
    args = ap.parse_args()
    docs = tbaq.load("tune")
    print(f"TBAQ tune part: {len(docs)} documents, {sum(len(d.events) for d in docs)} events", file=sys.stderr)
    X, y, cls, groups = examples([d.text for d in docs], [[(e.start, e.end, e.cls) for e in d.events] for d in docs])
    ecb = [] if args.tbaq_only else ecbplus.read_part("train")
    if ecb:
        # ECB+'s train topics teach which words are events (its nominal ones above all: "the earthquake",
        # "the murder"); only its validated sentences, and not the class (ECB+ labels differ from TimeML's)
        print(f"ECB+ train topics: {len(ecb)} documents, {sum(len(d.mentions) for d in ecb)} event mentions",
              file=sys.stderr)
        more = examples([d.text for d in ecb], [[(m.span[0], m.span[1], "") for m in d.mentions] for d in ecb],
                        [lambda i, d=d: d.sentence_at(i) in d.scored for d in ecb], first_group=len(docs))
        X, y, cls, groups = X + more[0], y + more[1], cls + more[2], groups + more[3]
    vec = DictVectorizer()
    Xm = vec.fit_transform(X)
    y, groups = np.array(y), np.array(groups)
    folds = list(GroupKFold(n_splits=4).split(Xm, y, groups))
    best = (-1.0, None, None)
    for C in C_GRID:
        probs = np.zeros(len(y))
        for tr, te in folds:
            lr = LogisticRegression(C=C, max_iter=3000).fit(Xm[tr], y[tr])
            probs[te] = lr.predict_proba(Xm[te])[:, 1]
        for t in THRESHOLDS:
            score = f1(y, (probs >= t).astype(int))
            if score > best[0]:
                best = (score, C, t)
    ev_f1, ev_c, threshold = best
    print(f"event: C={ev_c} threshold={threshold} cross-validated word F1 {ev_f1:.3f}", file=sys.stderr)
    event = LogisticRegression(C=ev_c, max_iter=3000).fit(Xm, y)

    idx = np.array([i for i, c in enumerate(cls) if c])
    yc = np.array([cls[i] for i in idx])
    best_c = (-1.0, None)
    for C in C_GRID:
        right = 0
        for tr, te in GroupKFold(n_splits=4).split(idx, yc, groups[idx]):
            lr = LogisticRegression(C=C, max_iter=3000).fit(Xm[idx[tr]], yc[tr])
            right += int((lr.predict(Xm[idx[te]]) == yc[te]).sum())
        if right / len(idx) > best_c[0]:
            best_c = (right / len(idx), C)
    print(f"class: C={best_c[1]} cross-validated accuracy {best_c[0]:.3f}", file=sys.stderr)
    klass = LogisticRegression(C=best_c[1], max_iter=3000).fit(Xm[idx], yc)
    assert set(klass.classes_) <= set(CLASSES)

    names = vec.get_feature_names_out()
    ev_w = {str(names[j]): round(float(w), 4) for j, w in enumerate(event.coef_[0]) if abs(w) >= 1e-3}
    cl_w = {str(names[j]): [round(float(w), 4) for w in klass.coef_[:, j]] for j in range(len(names))
            if np.abs(klass.coef_[:, j]).max() >= 1e-3}
    out = {
        "trained_on": (f"TBAQ-cleaned tune part ({len(docs)} documents; bench/tbaq.py)"
                       + (f" and ECB+ train topics ({len(ecb)} documents, event or not only)" if ecb else "")
                       + f", {dt.date.today().isoformat()}"),
        "cross_validation": {"event_word_f1": round(ev_f1, 4), "class_accuracy": round(best_c[0], 4)},
        "event": {"bias": round(float(event.intercept_[0]), 4), "threshold": threshold, "C": ev_c, "weights": ev_w},
        "class": {"classes": [str(c) for c in klass.classes_], "bias": [round(float(b), 4) for b in klass.intercept_],
                  "C": best_c[1], "weights": cl_w},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with gzip.GzipFile(args.out, "wb", mtime=0) as fh:  # mtime 0: the same weights give the same bytes
        fh.write(json.dumps(out, sort_keys=True, separators=(",", ":")).encode())
    print(f"wrote {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}: "
          f"{len(ev_w)} event and {len(cl_w)} class features, {args.out.stat().st_size // 1024} KB", file=sys.stderr)


if __name__ == "__main__":
    main()
