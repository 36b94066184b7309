"""Cross-document event coreference over TimeML event mentions: the mentions of one happening, across articles, as one cluster.

Mentions are compared only inside one story. Two are one happening when their meaning is compatible
(the same lemma; a noun and the verb it derives from, "the arrest" / "arrested"; WordNet synonyms);
reporting and mental-state predicates ("said", "told", "believes") also need a named participant in
common: two outlets' "said" are rarely one statement. Clusters grow by average link: a mention joins
the cluster it is most compatible with on average, above a threshold, else starts its own. A first
step: on ECB+ it is a little above grouping by lemma (bench/ecbplus.py); compatible time, place and
participants, and embeddings for different words, are still to come.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from storyline.nlp.lexicon import meaning_keys

# thresholds (tuned on ECB+ train topics only: bench/ecbplus.py)
LINK = 0.5  # the average compatibility a mention needs with a cluster to join it
NEEDS_PARTICIPANT = {"REPORTING", "I_STATE", "PERCEPTION"}  # classes whose same word says little on its own
_ENT_LABELS = {"PERSON", "ORG", "GPE", "NORP", "FAC", "LOC", "PRODUCT", "EVENT", "WORK_OF_ART"}


def _features(item: dict[str, Any]) -> dict[str, Any]:
    doc, ev = item["doc"], item["event"]
    span = doc.char_span(ev["span"][0], ev["span"][1], alignment_mode="expand")
    tok = span.root if span is not None else doc[0]
    sent = tok.sent
    ents = {e.text.lower().split()[-1] for e in sent.ents if e.label_ in _ENT_LABELS and e.text.strip()}
    lemma = tok.lemma_.lower()
    return {"doc_id": item["doc_id"], "lemma": lemma, "class": ev.get("class"), "pos": tok.pos_,
            "senses": meaning_keys(lemma, tok.pos_) if lemma.isalpha() else frozenset(), "ents": ents}


def compatible(a: dict[str, Any], b: dict[str, Any]) -> float:
    """How compatible two mentions are as one happening, 0 to 1: 1 for the same lemma, 0.8 for a shared
    WordNet sense or derivation; 0 for a reporting or mental-state predicate with no participant in
    common. (Weighting by participant overlap, and refusing differing date words, scored worse on ECB+'s
    train topics in a one-off comparison; bench/ecbplus.py scores the rule kept.)"""
    if a["lemma"] == b["lemma"]:
        meaning = 1.0
    elif a["senses"] & b["senses"]:
        meaning = 0.8
    else:
        return 0.0
    if (a["class"] in NEEDS_PARTICIPANT or b["class"] in NEEDS_PARTICIPANT) and not (a["ents"] & b["ents"]):
        return 0.0
    return meaning


def cluster(feats: list[dict[str, Any]]) -> list[int]:
    """Average-link clustering in mention order: a cluster label per mention."""
    clusters: list[list[int]] = []
    by_key: dict[str, set[int]] = {}  # a meaning key → clusters holding it: only those are tried
    labels: list[int] = []
    for i, f in enumerate(feats):
        keys = {f["lemma"], *f["senses"]}
        tried = sorted({c for k in keys for c in by_key.get(k, ())})
        best, best_score = None, LINK
        for c in tried:
            members = clusters[c]
            score = sum(compatible(f, feats[j]) for j in members) / len(members)
            if score >= best_score:
                best, best_score = c, score
        if best is None:
            best = len(clusters)
            clusters.append([])
        clusters[best].append(i)
        for k in keys:
            by_key.setdefault(k, set()).add(best)
        labels.append(best)
    return labels


def corefer_mentions(items: Iterable[dict[str, Any]], stories: dict[str, str] | None = None) -> list[int]:
    """A cluster label per item ({"doc_id", "doc": spaCy Doc, "event": a timeml_events dict}), same order.
    Mentions corefer only inside one story (`stories`: doc id → story id; when not given, the documents
    are grouped as the pipeline groups articles, `stories.cluster.assign`)."""
    items = list(items)
    if stories is None:
        from storyline.stories.cluster import assign

        docs: dict[str, Any] = {}
        for x in items:
            docs.setdefault(x["doc_id"], x["doc"])
        stories, _ = assign([{"id": d, "title": None, "text": doc.text, "published": {}, "story_id": None,
                              "duplicate_of": None, "entities": []} for d, doc in docs.items()])
    feats = [_features(x) for x in items]
    labels = [0] * len(items)
    groups: dict[str, list[int]] = {}
    for i, x in enumerate(items):
        groups.setdefault(stories.get(x["doc_id"], x["doc_id"]), []).append(i)
    offset = 0
    for members in groups.values():
        for i, lab in zip(members, cluster([feats[i] for i in members])):
            labels[i] = offset + lab
        offset += len(members)
    return labels
