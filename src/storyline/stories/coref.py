"""Cross-document event coreference over TimeML event mentions: the mentions of one happening, across articles, as one cluster.

Mentions are compared only inside one story. A logistic regression gives each pair of mentions the
probability that they tell one happening, from what the two say alike: their meaning (the same lemma;
a WordNet sense or derivation in common, "the arrest" / "arrested"; how close their senses are), their
TimeML classes and parts of speech, their arguments and the named entities, dates and figures of their
sentences, the other words of their sentences, and how alike their two articles are (TF-IDF). It is
trained on ECB+'s train topics by `bench/train_coref.py` (weights: nlp/data/coref.json). Mentions are
then clustered by average link: two clusters merge while their mean pair probability is at least the
threshold chosen with the weights. Every pair of a story's mentions is scored: fit for a story of
hundreds of mentions, not for a corpus at once.

A build uses the pair probability inside `stories.events.corefer`: the annotation stores each news event
mention's `trigger_features`, and the story link reads them back with `from_stored`.
"""

from __future__ import annotations

import functools
import json
import math
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from storyline.nlp.lexicon import meaning_keys, similarity

MODEL = Path(__file__).resolve().parent.parent / "nlp" / "data" / "coref.json"
_ENT_LABELS = {"PERSON", "ORG", "GPE", "NORP", "FAC", "LOC", "PRODUCT", "EVENT"}
_ARG_DEPS = {"nsubj", "nsubjpass", "dobj", "pobj", "agent", "poss", "compound", "amod"}


MAX_CONTEXT = 64  # the most content lemmas (and names, dates, figures) of a sentence kept for a mention


def trigger_features(doc: Any, span: tuple[int, int] | list[int], cls: str | None,
                     sentences: dict[int, dict[str, Any]] | None = None,
                     doc_ents: list[Any] | None = None) -> dict[str, Any]:
    """What a pair's features are made from, for the event whose trigger is at `span` (characters of
    `doc`) with the TimeML class `cls`, as JSON-ready lists: the annotation stores it with each news event
    mention, so that the story link compares mentions without parsing again. `sent` is the sentence's first
    token, to tell two mentions of one sentence. `sentences` keeps what each sentence gives (its names,
    dates, figures and words) across the calls for one document; `doc_ents`, the document's `doc.ents` taken
    once for those calls (spaCy builds every entity span of the document each time a sentence's are asked for)."""
    at = doc.char_span(span[0], span[1], alignment_mode="expand")
    tok = at.root if at is not None else doc[0]
    sent = tok.sent
    if sentences is None or sent.start not in sentences:
        ents = (list(sent.ents) if doc_ents is None  # as Span.ents: the entities inside the sentence
                else [e for e in doc_ents if e.start >= sent.start and e.end <= sent.end])
        got = {  # each list bounded: a hostile text's one endless "sentence" is stored with every mention in it
            "ents": sorted({e.text.lower() for e in ents if e.label_ in _ENT_LABELS})[:MAX_CONTEXT],
            "dates": sorted({e.text.lower() for e in ents if e.label_ in ("DATE", "TIME")})[:MAX_CONTEXT],
            "nums": sorted({e.text.lower() for e in ents
                            if e.label_ in ("CARDINAL", "QUANTITY", "MONEY", "PERCENT")})[:MAX_CONTEXT],
            "words": [(t.i, t.lemma_.lower()) for t in sent if t.is_alpha and not t.is_stop],
        }
        if sentences is None:
            sentences = {}
        sentences[sent.start] = got
    got = sentences[sent.start]
    args = {c.lemma_.lower() for c in tok.children if c.dep_ in _ARG_DEPS and c.is_alpha}
    args |= {g.lemma_.lower() for c in tok.children if c.dep_ == "prep" for g in c.children
             if g.dep_ == "pobj" and g.is_alpha}
    ctx = dict.fromkeys(w for i, w in got["words"] if i != tok.i)
    return {
        "lemma": tok.lemma_.lower(), "pos": tok.pos_, "class": cls or "", "sent": sent.start, "tok": tok.i,
        "ents": got["ents"], "dates": got["dates"], "nums": got["nums"],
        "ctx": list(ctx)[:MAX_CONTEXT], "args": sorted(args), "doers": doers(tok),
    }


_OWN = ("lemma", "pos", "class", "sent", "args", "doers")  # what is a mention's own, not its sentence's


def stored_features(doc: Any, triggers: list[tuple[list[int], str | None]]) -> list[dict[str, Any]]:
    """`trigger_features` of each (span, class) in `doc`, as the annotation stores them: a sentence's part
    (names, dates, figures, and its words, those it holds twice apart) only with the first of its mentions,
    so that a sentence of several events is stored once; each mention keeps `own`, its word where it is one
    of the sentence's words. A sentence of more distinct words than a mention keeps is stored with each of
    its mentions, as they are. `expand_stored` gives back what `trigger_features` gave (`ctx` as a set)."""
    sentences: dict[int, dict[str, Any]] = {}
    doc_ents = list(doc.ents) if triggers else []
    out = []
    for span, cls in triggers:
        known = set(sentences)
        f = trigger_features(doc, span, cls, sentences, doc_ents)
        part = sentences[f["sent"]]
        if "counts" not in part:
            part["counts"] = Counter(w for _, w in part["words"])  # distinct words, first-seen order
        counts = part["counts"]
        if len(counts) > MAX_CONTEXT:
            out.append({k: v for k, v in f.items() if k != "tok"})
            continue
        own = {k: f[k] for k in _OWN}
        mine = next((w for i, w in part["words"] if i == f["tok"]), None)
        if mine is not None:
            own["own"] = mine
        if f["sent"] in known:
            out.append(own)
            continue
        out.append(dict(own, ents=f["ents"], dates=f["dates"], nums=f["nums"], words=list(counts),
                        twice=[w for w, n in counts.items() if n > 1]))
    return out


def expand_stored(stored: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What `stored_features` stored for one text's mentions, in their order, back as `trigger_features`
    gave it (each mention's sentence part from the first mention of its sentence)."""
    parts: dict[int, dict[str, Any]] = {}
    out = []
    for f in stored:
        if "words" in f:
            parts[f["sent"]] = f
        part = parts.get(f["sent"]) if "ctx" not in f else None
        if part is None:
            out.append(dict(f))
            continue
        own, twice = f.get("own"), set(part["twice"])
        out.append(dict({k: f[k] for k in _OWN}, ents=part["ents"], dates=part["dates"], nums=part["nums"],
                        ctx=[w for w in part["words"] if w != own or w in twice]))
    return out


def doers(tok: Any) -> list[str]:
    """Who does what a trigger names, as the parse says, lower-cased head lemmas: a verb's active subject or
    its passive's by-agent ("police arrested", "was arrested by police"), a noun's possessor or by-object
    ("the police's arrest", "the arrest by police"); not a pronoun, which says nothing on its own."""
    out = set()
    for c in tok.children:
        if c.dep_ == "nsubj" or (c.dep_ == "poss" and tok.pos_ in ("NOUN", "PROPN")):
            out.add(c)
        elif c.dep_ == "agent" or (c.dep_ == "prep" and c.lower_ == "by" and tok.pos_ in ("NOUN", "PROPN")):
            out |= {g for g in c.children if g.dep_ == "pobj"}
    return sorted({t.lemma_.lower() for t in out if t.is_alpha and t.pos_ != "PRON"})


def from_stored(stored: dict[str, Any], doc_id: str) -> dict[str, Any]:
    """A mention's features as `pair_features` reads them, from what `trigger_features` gave: sets, the
    document, and the lemma's WordNet meaning keys."""
    lemma = stored["lemma"]
    return {"doc_id": doc_id, "lemma": lemma, "pos": stored["pos"], "class": stored.get("class") or "",
            "keys": meaning_keys(lemma, stored["pos"]) if lemma.isalpha() else frozenset(), "sent": stored["sent"],
            **{k: set(stored.get(k) or ()) for k in ("ents", "dates", "nums", "ctx", "args", "doers")}}


def mention_features(doc: Any, event: dict[str, Any], doc_id: str) -> dict[str, Any]:
    """What a pair's features are made from, for one mention (a `timeml_events` dict in `doc`)."""
    return from_stored(trigger_features(doc, event["span"], event.get("class")), doc_id)


def _bucket(x: float, edges: tuple[float, ...]) -> str:
    return next((str(e) for e in edges if x >= e), "lo")


def pair_features(a: dict[str, Any], b: dict[str, Any], doc_sim: float) -> list[str]:
    """The (binary) features of a pair of mentions; `doc_sim` is their articles' TF-IDF cosine."""
    same = a["lemma"] == b["lemma"]
    f = []
    if same:
        f.append("same_lemma")
    elif a["keys"] & b["keys"]:
        f.append("shared_key")
    f.append("wup:" + _bucket(1.0 if same else similarity(a["lemma"], a["pos"], b["lemma"], b["pos"]),
                              (0.95, 0.85, 0.7, 0.5)))
    f.append("pos:" + "|".join(sorted((a["pos"], b["pos"]))))
    cls = "|".join(sorted((a["class"], b["class"])))
    f.append("cls:" + cls)
    same_doc = a["doc_id"] == b["doc_id"]
    if same_doc:
        f.append("same_doc")
        if a["sent"] == b["sent"]:
            f.append("same_sent")
    shared = len(a["ents"] & b["ents"])
    f.append(f"ent_shared:{min(shared, 2)}")
    if a["ents"] and b["ents"] and not shared:
        f.append("ent_disjoint")
    for key in ("dates", "nums", "args"):
        if a[key] and b[key]:
            f.append(f"{key}_" + ("shared" if a[key] & b[key] else "differ"))
    ctx = len(a["ctx"] & b["ctx"]) / max(1, len(a["ctx"] | b["ctx"]))
    f.append("ctx:" + _bucket(ctx, (0.5, 0.3, 0.2, 0.1, 0.05)))
    f.append("doc:" + _bucket(doc_sim, (0.6, 0.4, 0.3, 0.2, 0.1)))
    if same:  # what the same word means depends on the rest
        f += ["same&" + ("shared_ent" if shared else "no_ent"), "same&cls:" + cls,
              "same&ctx:" + _bucket(ctx, (0.3, 0.1)), "same&doc:" + _bucket(doc_sim, (0.4, 0.2))]
        if same_doc:
            f.append("same&same_doc")
    return f


@functools.lru_cache(maxsize=1)
def model() -> dict[str, Any]:
    """The trained weights: {"bias", "weights": {feature: weight}, "threshold", "trained_on"}."""
    return json.loads(MODEL.read_text(encoding="utf-8"))


def probability(features: list[str], m: dict[str, Any] | None = None) -> float:
    m = m or model()
    z = m["bias"] + sum(m["weights"].get(x, 0.0) for x in features)
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


NEEDS_PARTICIPANT = {"REPORTING", "I_STATE", "PERCEPTION"}  # what the same word for them says little on its own


def pair_probability(a: dict[str, Any], b: dict[str, Any], doc_sim: float, m: dict[str, Any] | None = None) -> float:
    """The model's probability that two mentions tell one happening; 0 for two reports, beliefs or
    perceptions that share no named entity and no argument (the mayor's "said" and the officials')."""
    if (a["class"] in NEEDS_PARTICIPANT or b["class"] in NEEDS_PARTICIPANT) and not (
            a["ents"] & b["ents"] or a["args"] & b["args"]):
        return 0.0
    return probability(pair_features(a, b, doc_sim), m)


def doc_similarities(texts: dict[str, str]) -> dict[tuple[str, str], float]:
    """TF-IDF cosine of every pair of documents (ids in sorted order as the key): `DocSimilarity` of each."""
    sim = DocSimilarity(texts)
    ids = sorted(texts)
    return {(a, b): sim(a, b) for i, a in enumerate(ids) for b in ids[i + 1:]} if len(ids) > 1 else {}


class DocSimilarity:
    """The TF-IDF cosine of two of a story's articles (`cluster.vectorizer` fitted on the story): every pair at
    once for a story of up to FULL_MATRIX articles, else for the pairs asked for only (a story of tens of
    thousands of articles would not fit a full matrix)."""

    FULL_MATRIX = 2000  # 2,000 articles: a 32 MB matrix, filled by one sparse product

    def __init__(self, texts: dict[str, str]) -> None:
        from storyline.stories.cluster import vectorizer

        self.row = {d: i for i, d in enumerate(sorted(texts))}
        self.X = vectorizer().fit_transform([texts[d] for d in sorted(texts)]).tocsr() if len(texts) > 1 else None
        self.full = (self.X @ self.X.T).toarray() if self.X is not None and len(texts) <= self.FULL_MATRIX else None
        self.cache: dict[tuple[str, str], float] = {}

    def __call__(self, a: str, b: str) -> float:
        if a == b or self.X is None or a not in self.row or b not in self.row:
            return 1.0  # as `doc_similarities` is read: a pair it has no entry for
        if self.full is not None:
            return float(self.full[self.row[a], self.row[b]])
        key = (a, b) if a < b else (b, a)
        if key not in self.cache:
            self.cache[key] = float((self.X[self.row[a]] @ self.X[self.row[b]].T)[0, 0])
        return self.cache[key]


def cluster(probs: list[list[float]], threshold: float) -> list[int]:
    """Average-link clustering of n items from their pair probabilities (a full n × n list): a label each."""
    n = len(probs)
    if n < 2:
        return list(range(n))
    import numpy as np
    from scipy.cluster.hierarchy import fcluster, linkage

    dist = np.array([1.0 - probs[i][j] for i in range(n) for j in range(i + 1, n)])
    labels = fcluster(linkage(dist, method="average"), t=1.0 - threshold, criterion="distance")
    return [int(x) - 1 for x in labels]


def entity_names(doc: Any) -> list[str]:
    """A document's named entities as "LABEL:lower-cased text", standing in for canonical entity ids when
    documents are grouped into stories without the corpus's entities."""
    return sorted({f"{e.label_}:{e.text.lower()}" for e in doc.ents})


def corefer_mentions(items: Iterable[dict[str, Any]], stories: dict[str, str] | None = None) -> list[int]:
    """A cluster label per item ({"doc_id", "doc": spaCy Doc, "event": a timeml_events dict}), same order.
    Mentions corefer only inside one story (`stories`: doc id → story id; when not given, the documents
    are grouped as the pipeline groups articles, `stories.cluster.assign`, with `entity_names`)."""
    items = list(items)
    docs: dict[str, Any] = {}
    for x in items:
        docs.setdefault(x["doc_id"], x["doc"])
    if stories is None:
        from storyline.stories.cluster import assign

        stories, _ = assign([{"id": d, "title": None, "text": doc.text, "published": {}, "story_id": None,
                              "duplicate_of": None, "entities": entity_names(doc)} for d, doc in docs.items()])
    m = model()
    feats = [mention_features(x["doc"], x["event"], x["doc_id"]) for x in items]
    groups: dict[str, list[int]] = {}
    for i, x in enumerate(items):
        groups.setdefault(stories.get(x["doc_id"], x["doc_id"]), []).append(i)
    labels = [0] * len(items)
    offset = 0
    for members in groups.values():
        sims = doc_similarities({items[i]["doc_id"]: docs[items[i]["doc_id"]].text for i in members})
        n = len(members)
        probs = [[0.0] * n for _ in range(n)]
        for p in range(n):
            for q in range(p + 1, n):
                a, b = feats[members[p]], feats[members[q]]
                key = tuple(sorted((a["doc_id"], b["doc_id"])))
                probs[p][q] = probs[q][p] = pair_probability(a, b, sims.get(key, 1.0), m)
        for i, lab in zip(members, cluster(probs, m["threshold"])):
            labels[i] = offset + lab
        offset += n
    return labels
