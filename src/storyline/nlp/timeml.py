"""TimeML event mentions of a parsed text: every predicate denoting a happening or state, its class, tense, aspect, polarity, modality.

What counts as an event, and its class, is learned: two logistic regressions (event or not; which
of the seven TimeML classes) over features of the parse and of WordNet (the senses' lexicographer
files: `noun.act`, `noun.event`, `verb.communication`, …, and whether a noun derives from a verb),
trained on the tune part of TempEval-3's TBAQ corpus by `bench/train_timeml.py` and shipped as
weights (data/timeml.json.gz). Tense, aspect, polarity and modality are read off the parse as
TimeML defines them (auxiliaries, negation, modal verbs). Spans are into `doc.text`; the trigger is
one word, as TimeML draws it.
"""

from __future__ import annotations

import functools
import gzip
import json
import math
from pathlib import Path
from typing import Any

from storyline.nlp.lexicon import WORDNET_POS, derived_from_verb, sense_classes

MODEL = Path(__file__).parent / "data" / "timeml.json.gz"
CANDIDATE_POS = ("VERB", "NOUN", "ADJ", "AUX", "PROPN")  # 99.7% of TBAQ's events are one of these
CLASSES = ("OCCURRENCE", "REPORTING", "STATE", "I_ACTION", "I_STATE", "ASPECTUAL", "PERCEPTION")
_MODALS = {"can", "could", "may", "might", "must", "shall", "should", "would", "will", "ought"}


def features(tok: Any) -> list[str]:
    """The features of one candidate word: its form and part of speech, its place in the parse, its
    neighbours, and its WordNet classes."""
    lemma = tok.lemma_.lower()
    head = tok.head
    f = [
        f"pos={tok.pos_}", f"tag={tok.tag_}", f"dep={tok.dep_}", f"lemma={lemma}", f"lower={tok.lower_}",
        f"suf3={tok.lower_[-3:]}", f"suf4={tok.lower_[-4:]}", f"dep+head={tok.dep_}+{head.pos_}",
        f"head.lemma={head.lemma_.lower()}", f"head.pos={head.pos_}", f"shape={tok.shape_[:4]}",
        f"ent={tok.ent_type_ or '-'}", f"lemma+pos={lemma}+{tok.pos_}",
    ]
    if tok.i > 0:
        prev = tok.doc[tok.i - 1]
        f += [f"prev={prev.lower_}", f"prev.pos={prev.pos_}"]
    if tok.i + 1 < len(tok.doc):
        nxt = tok.doc[tok.i + 1]
        f += [f"next={nxt.lower_}", f"next.pos={nxt.pos_}"]
    for c in tok.children:
        f.append(f"child={c.dep_}")
        if c.dep_ in ("aux", "auxpass", "neg", "det", "cop", "mark", "case"):
            f.append(f"child={c.dep_}:{c.lower_}")
    for key in ("Tense", "VerbForm", "Number"):
        for v in tok.morph.get(key):
            f.append(f"{key}={v}")
    wn = WORDNET_POS.get(tok.pos_)
    if wn and lemma.isalpha():
        classes = sense_classes(lemma, wn)
        if classes:
            f.append(f"wn1={classes[0]}")
            f += [f"wn={c}" for c in classes]
        else:
            f.append(f"wn=none.{wn}")
        if wn == "n" and derived_from_verb(lemma):
            f.append("wn.deverbal")
    return f


@functools.lru_cache(maxsize=1)
def model() -> dict[str, Any]:
    """The trained weights: {"event": {"bias", "weights", "threshold"}, "class": {"classes", "bias",
    "weights"}, "trained_on": …}."""
    with gzip.open(MODEL, "rt", encoding="utf-8") as fh:
        return json.load(fh)


def _is_event(f: list[str], m: dict[str, Any]) -> float:
    w = m["weights"]
    z = m["bias"] + sum(w.get(x, 0.0) for x in f)
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def _class(f: list[str], m: dict[str, Any]) -> str:
    w = m["weights"]
    scores = list(m["bias"])
    for x in f:
        row = w.get(x)
        if row:
            for k, v in enumerate(row):
                scores[k] += v
    return m["classes"][max(range(len(scores)), key=scores.__getitem__)]


def timeml_events(doc: Any) -> list[dict[str, Any]]:
    """The TimeML event mentions of a parsed Doc, in text order: {span, text, class, tense, aspect,
    polarity, modality, pos, score}."""
    m = model()
    out = []
    for tok in doc:
        if tok.pos_ not in CANDIDATE_POS or not any(ch.isalpha() for ch in tok.text):
            continue
        f = features(tok)
        p = _is_event(f, m["event"])
        if p < m["event"]["threshold"]:
            continue
        out.append({"span": [tok.idx, tok.idx + len(tok)], "text": tok.text, "class": _class(f, m["class"]),
                    **attributes(tok), "score": round(p, 3)})
    return out


def attributes(tok: Any) -> dict[str, str]:
    """TimeML's tense, aspect, polarity, modality and pos of an event word, from its auxiliaries, its
    negation, its modal verb and its form (an adjective or noun after a copula takes the copula's)."""
    verbal = tok.pos_ in ("VERB", "AUX")
    pos = "VERB" if verbal else "NOUN" if tok.pos_ in ("NOUN", "PROPN") else "ADJECTIVE" if tok.pos_ == "ADJ" else "OTHER"
    kids = list(tok.children)
    auxes = [c for c in kids if c.dep_ in ("aux", "auxpass", "cop")]
    negated = any(c.dep_ == "neg" for c in kids) or any(c.dep_ == "neg" for a in auxes for c in a.children)
    modal = next((a.lower_ for a in auxes if a.lower_ in _MODALS or a.lemma_.lower() in _MODALS), "")
    modal = {"'ll": "will", "wo": "will", "ca": "can", "'d": "would"}.get(modal, modal)
    tense, aspect = "NONE", "NONE"
    if verbal or any(a.dep_ == "cop" for a in auxes):
        lemmas = [a.lemma_.lower() for a in auxes]
        tags = [a.tag_ for a in auxes if a.lower_ != "to"]
        perfect = "have" in lemmas and (tok.tag_ == "VBN" or any(a.tag_ == "VBN" for a in auxes))
        progressive = tok.tag_ == "VBG" and "be" in lemmas
        aspect = ("PERFECTIVE_PROGRESSIVE" if perfect and progressive else "PERFECTIVE" if perfect
                  else "PROGRESSIVE" if progressive else "NONE")
        if modal in ("will", "shall"):
            tense = "FUTURE"
        elif any(a.lower_ == "to" for a in auxes) and not tags:
            tense = "INFINITIVE"
        elif tags:
            first = tags[0]
            tense = "PAST" if first in ("VBD",) else "PRESENT" if first in ("VBZ", "VBP") else "NONE"
            if modal:
                tense = "NONE"
        elif tok.tag_ == "VBD":
            tense = "PAST"
        elif tok.tag_ in ("VBZ", "VBP"):
            tense = "PRESENT"
        elif tok.tag_ == "VBG":
            tense = "PRESPART"
        elif tok.tag_ == "VBN":
            tense = "PASTPART"
        elif tok.tag_ == "VB" and any(c.lower_ == "to" for c in kids):
            tense = "INFINITIVE"
    return {"tense": tense, "aspect": aspect, "polarity": "NEG" if negated else "POS",
            "modality": "" if modal in ("will", "shall") else modal, "pos": pos}
