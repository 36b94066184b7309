"""Train storyline's event coreference model (src/storyline/nlp/data/coref.json) on ECB+'s train topics.

A logistic regression (scikit-learn) over `storyline.stories.coref.pair_features` for every pair of
predicted TimeML event mentions (`nlp/timeml.py`, in the validated sentences) inside one predicted
story (`stories.cluster.assign` with spaCy's entity names, as `corefer_mentions` groups them): 1 when both match gold mentions
of one gold cluster, else 0. The regularisation strength and the average-link threshold are chosen
together by two-fold cross-validation over the train topics (half the topics fit, the other half
clustered and scored by CoNLL F1 without singletons, and the other way round; pairs that
`pair_probability` never links, two reports with no participant in common, count as 0 there too); the model is then
fitted on all train topics. ECB+'s dev topics are never read here (bench/ecbplus.py scores them), nor
the test topics. The weights are written as JSON (data, not code), rounded, near-zero ones dropped.

    python bench/train_coref.py [--out PATH]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
from pathlib import Path

import numpy as np
from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression

sys.path.insert(0, str(Path(__file__).resolve().parent))
import ecbplus  # noqa: E402
from common import ROOT  # noqa: E402

from storyline.nlp.annotate import load_nlp  # noqa: E402
from storyline.nlp.timeml import timeml_events  # noqa: E402
from storyline.stories import coref  # noqa: E402

C_GRID = (0.3, 1.0, 3.0)
THRESHOLDS = (0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5)


def pairs(docs: list[ecbplus.EcbDoc]) -> dict:
    """Every within-story pair of the part's predicted mentions: features, label, group and topic."""
    nlp = load_nlp()
    by = {d.name: d for d in docs}
    order = ecbplus.stream_order(by)
    parsed = dict(zip(order, nlp.pipe([by[n].text for n in order], batch_size=8)))
    groups = ecbplus.group_documents(docs, parsed, entities=True)  # as corefer_mentions groups them
    items = []  # (mention features, gold id, gold cluster or None, topic)
    for n in order:
        d = by[n]
        kept = [e for e in timeml_events(parsed[n]) if d.in_scored(tuple(e["span"]))]
        m = ecbplus.match([g.span for g in d.mentions], [tuple(e["span"]) for e in kept])
        gold_of = {j: d.mentions[g] for g, j in enumerate(m) if j is not None}
        for j, ev in enumerate(kept):
            g = gold_of.get(j)
            items.append((coref.mention_features(parsed[n], ev, n), g.id if g else f"{n}:p{j}",
                          g.cluster if g else None, d.topic))
    by_group: dict[str, list[int]] = {}
    for i, it in enumerate(items):
        by_group.setdefault(groups[it[0]["doc_id"]], []).append(i)
    X, y, where, blocked = [], [], [], []  # blocked: pairs corefer_mentions never links (pair_probability)
    for g, members in by_group.items():
        sims = coref.doc_similarities({items[i][0]["doc_id"]: by[items[i][0]["doc_id"]].text for i in members})
        for p in range(len(members)):
            for q in range(p + 1, len(members)):
                a, b = items[members[p]], items[members[q]]
                key = tuple(sorted((a[0]["doc_id"], b[0]["doc_id"])))
                X.append(coref.pair_features(a[0], b[0], sims.get(key, 1.0)))
                blocked.append(coref.pair_probability(a[0], b[0], 1.0, {"bias": 30.0, "weights": {}}) == 0.0)
                y.append(int(a[2] is not None and a[2] == b[2]))
                where.append((members[p], members[q]))
    key = [(mm.id, mm.cluster) for d in docs for mm in d.mentions]
    return {"items": items, "groups": by_group, "X": X, "y": y, "where": where, "key": key, "blocked": blocked}


def conll(data: dict, probs: dict[tuple[int, int], float], threshold: float, topics: set[int]) -> float:
    """CoNLL F1 without singletons of the clustering at `threshold`, over the given topics only."""
    labels: dict[int, int] = {}
    offset = 0
    for members in data["groups"].values():
        members = [i for i in members if data["items"][i][3] in topics]
        n = len(members)
        mat = [[probs.get((members[p], members[q]), probs.get((members[q], members[p]), 0.0)) if p != q else 1.0
                for q in range(n)] for p in range(n)]
        for i, lab in zip(members, coref.cluster(mat, threshold)):
            labels[i] = offset + lab
        offset += n + 1
    ids = list(labels)
    response = ecbplus.clusters_from_labels([data["items"][i][1] for i in ids], [labels[i] for i in ids])
    wanted = {d for d, _ in data["key"] if int(d.split("_")[0]) in topics}
    key = ecbplus.clusters_from_labels([m for m, _ in data["key"] if m in wanted],
                                       [c for m, c in data["key"] if m in wanted])
    return ecbplus.coref_scores(key, response, singletons=False)["conll_f"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=coref.MODEL)
    args = ap.parse_args()
    docs = ecbplus.read_part("train")
    data = pairs(docs)
    print(f"{len(docs)} documents, {len(data['items'])} mentions, {len(data['y'])} pairs ({sum(data['y'])} coreferent)")
    vec = DictVectorizer()
    X = vec.fit_transform([{f: 1 for f in fs} for fs in data["X"]])
    y = np.array(data["y"])
    topics = sorted({it[3] for it in data["items"]})
    random.Random(0).shuffle(topics)
    halves = [set(topics[: len(topics) // 2]), set(topics[len(topics) // 2:])]
    in_first = np.array([data["items"][p][3] in halves[0] for p, _ in data["where"]])
    results = {}
    for C in C_GRID:
        probs = np.zeros(len(y))
        for fold in (True, False):
            fit = LogisticRegression(C=C, max_iter=3000).fit(X[in_first != fold], y[in_first != fold])
            probs[in_first == fold] = fit.predict_proba(X[in_first == fold])[:, 1]
        probs[np.array(data["blocked"])] = 0.0  # as corefer_mentions scores them
        by_pair = dict(zip(data["where"], probs.tolist()))
        for t in THRESHOLDS:
            results[(C, t)] = (conll(data, by_pair, t, halves[0]) + conll(data, by_pair, t, halves[1])) / 2
            print(f"C={C} threshold={t}: cross-validated CoNLL F1 without singletons {results[(C, t)]:.4f}")
    C, threshold = max(results, key=results.get)
    fit = LogisticRegression(C=C, max_iter=3000).fit(X, y)
    weights = {f: round(float(w), 4) for f, w in zip(vec.get_feature_names_out(), fit.coef_[0]) if abs(w) >= 1e-4}
    out = {"bias": round(float(fit.intercept_[0]), 4), "weights": dict(sorted(weights.items())),
           "threshold": threshold,
           "trained_on": f"ECB+ train topics ({len(docs)} documents, {len(y)} mention pairs), C={C}, "
                         f"cross-validated CoNLL F1 -s {results[(C, threshold)]:.4f}; "
                         f"bench/train_coref.py, {dt.date.today().isoformat()}"}
    args.out.write_text(json.dumps(out, indent=0, sort_keys=False) + "\n", encoding="utf-8")
    print(f"C={C}, threshold={threshold}: written to {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}")


if __name__ == "__main__":
    main()
