"""Figures and firsts an article states (sums of money, counts, "the first X to Y"), with what they are about."""

from __future__ import annotations

import re
from typing import Any

from storyline.model import Mention
from storyline.nlp.event_mentions import modality

_SCALE = {"thousand": 1e3, "k": 1e3, "million": 1e6, "mln": 1e6, "m": 1e6, "mn": 1e6, "billion": 1e9, "bn": 1e9,
          "b": 1e9, "trillion": 1e12, "tn": 1e12}
_CUR = {"$": "USD", "us$": "USD", "usd": "USD", "dollar": "USD", "dollars": "USD", "€": "EUR", "eur": "EUR",
        "euro": "EUR", "euros": "EUR", "£": "GBP", "gbp": "GBP", "pound": "GBP", "pounds": "GBP", "rub": "RUB",
        "ruble": "RUB", "rubles": "RUB", "rouble": "RUB", "roubles": "RUB", "yuan": "CNY", "cny": "CNY",
        "lira": "TRY", "liras": "TRY", "try": "TRY"}
_QUAL = r"(?P<q>more\s+than|over|above|at\s+least|less\s+than|under|below|up\s+to|as\s+much\s+as|about|around|roughly|nearly|almost|some|approximately|an\s+estimated)"
_NUM = r"(?P<n>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
_SC = r"(?:\s*(?P<s>thousand|million|billion|trillion|mln|bn|tn|mn|[mbk])\b)?"
_R_MONEY = re.compile(
    rf"(?:\b{_QUAL}\s+)?(?:(?P<c1>US\$|\$|€|£|\b(?:USD|EUR|GBP|RUB|CNY)\b)\s?{_NUM}{_SC}"
    rf"|\b{_NUM.replace('<n>', '<n2>')}{_SC.replace('<s>', '<s2>')}\s+"
    r"(?P<c2>dollars|euros?|pounds|rubles?|roubles?|yuan|liras?)\b)", re.I)
_QUAL_KIND = {"more than": "more", "over": "more", "above": "more", "at least": "more", "less than": "less",
              "under": "less", "below": "less", "up to": "less", "as much as": "less"}
_NUMWORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
             "ten": 10, "eleven": 11, "twelve": 12, "dozen": 12, "twenty": 20, "hundred": 100}
# counted things that are not figures about the story ("two years", "three times", "four reasons")
_NOT_COUNTED = {"year", "month", "week", "day", "hour", "minute", "time", "times", "reason", "way", "percent",
                "people", "side", "part", "thing", "step", "point", "country", "member", "source", "official"}


def money_value(text: str) -> dict | None:
    """'more than USD 2 billion' → {'amount': 2e9, 'currency': 'USD', 'bound': 'more'}."""
    m = _R_MONEY.search(text)
    if not m:
        return None
    try:
        n = float((m.group("n") or m.group("n2")).replace(",", ""))
    except ValueError:
        return None
    n *= _SCALE.get((m.group("s") or m.group("s2") or "").lower(), 1.0)
    cur = _CUR.get((m.group("c1") or m.group("c2") or "").lower(), "USD")
    q = " ".join((m.group("q") or "").lower().split())
    return {"amount": n, "currency": cur, "bound": _QUAL_KIND.get(q, "about" if q else "exact")}


def _subject_noun(doc: Any, start: int, end: int) -> Any | None:
    """The noun a figure is about: "$2.5 billion deal" → deal; "the deal is … worth $2 billion" → deal."""
    toks = [t for t in doc if t.idx >= start and t.idx + len(t) <= end]
    if not toks:
        return None
    ids = {t.i for t in toks}
    root = next((t for t in toks if t.head.i not in ids), toks[-1])
    for c in root.children:  # "$567 million in military support", "$2 billion for the systems"
        if c.dep_ == "prep" and c.lower_ in ("in", "for", "of", "worth"):
            pobj = next((g for g in c.children if g.dep_ == "pobj" and g.pos_ in ("NOUN", "PROPN")), None)
            if pobj is not None:
                return pobj
    h = root
    for _ in range(5):
        if h.pos_ in ("NOUN", "PROPN") and h.i not in ids:
            return h
        if h.pos_ in ("VERB", "AUX", "ADJ") or h.dep_ in ("npadvmod", "attr", "acomp"):
            for c in h.children:  # "the deal is expected to be worth …": the subject
                if c.dep_ in ("nsubj", "nsubjpass") and c.pos_ in ("NOUN", "PROPN"):
                    return c
        if h.head.i == h.i:
            return None
        h = h.head
    return None


def _clause_verb(tok: Any) -> Any:
    """The verb of the clause a figure stands in ("Ankara received a set of S-400 (two battalions)" →
    received): its modality is the figure's, not that of a noun on the way ("a regiment set")."""
    h = tok
    for _ in range(8):
        if h.pos_ in ("VERB", "AUX") or h.head.i == h.i:
            return h
        h = h.head
    return tok


def _about(noun: Any, mentions: list[Mention]) -> list[str]:
    """The named things a figure's noun belongs to: "Turkey's loan", "the S-400 deal", "the deal with
    Turkey" → their mentions' names (nearest first)."""
    if noun is None:
        return []
    toks = [c for c in noun.children if c.dep_ in ("poss", "compound", "nmod", "amod")]
    toks += [g for c in noun.children if c.dep_ == "prep" and c.lower_ in ("of", "with", "for", "to")
             for g in c.children if g.dep_ == "pobj"]
    out = []
    for t in toks:
        for m in mentions:
            if m.span[0] <= t.idx < m.span[1] and m.type in ("GPE", "ORG", "PERSON", "NORP", "PRODUCT", "EVENT", "LAW"):
                name = m.stands_for or m.name
                if name not in out:
                    out.append(name)
    return out


def _products(mentions: list[Mention], s: int, e: int) -> list[str]:
    return [m.name for m in mentions if m.type == "PRODUCT" and m.span[0] >= s and m.span[1] <= e]


def find_claims(doc: Any, mentions: list[Mention]) -> list[dict]:
    """Claim mentions in a parsed article, spans into its text: money, counts and ordinal firsts.

    Each names its `subject` noun (the deal, the contract, the systems), the products named in
    the same sentence, the entities around it, and the modality of the verb it hangs on
    (expected, possible, done), so claims about the same thing can be compared across articles.
    """
    out: list[dict] = []
    text = doc.text
    for sent in doc.sents:
        s0, s1 = sent.start_char, sent.end_char
        stext = text[s0:s1]
        products = _products(mentions, s0, s1)
        ents = [{"name": m.stands_for or m.name, "type": m.type, "span": list(m.span)} for m in mentions
                if m.span[0] >= s0 and m.span[1] <= s1 and m.type in ("GPE", "ORG", "PERSON", "NORP", "PRODUCT")]
        for m in _R_MONEY.finditer(stext):
            a, b = s0 + m.start(), s0 + m.end()
            val = money_value(m.group())
            if val is None or val["amount"] <= 0:
                continue
            noun = _subject_noun(doc, a, b)
            root = next((t for t in doc if a <= t.idx < b and not (a <= t.head.idx < b)), None)
            out.append({"kind": "money", "span": [a, b], "text": m.group(), "value": val,
                        "subject": noun.lemma_.lower() if noun is not None and noun.pos_ == "NOUN" else None,
                        "subject_span": [noun.idx, noun.idx + len(noun)] if noun is not None else None,
                        "about": _about(noun, mentions),
                        "sentence": [s0, s1], "products": products, "entities": ents,
                        "modality": modality(_clause_verb(root)) if root is not None else "done"})
        for tok in sent:
            # counts: "two battalions", "4 S-400 batteries"
            if tok.dep_ == "nummod" and tok.head.pos_ == "NOUN" and tok.ent_type_ in ("CARDINAL", ""):
                unit = tok.head.lemma_.lower()
                n = _NUMWORDS.get(tok.lower_)
                if n is None:
                    try:
                        n = float(tok.text.replace(",", ""))
                    except ValueError:
                        continue
                if unit in _NOT_COUNTED or tok.head.ent_type_ in ("DATE", "TIME", "MONEY", "PERCENT") or n > 1e6:
                    continue
                if not products:
                    continue  # a count is a claim about a named thing ("two battalions" of S-400s)
                head = tok.head
                out.append({"kind": "count", "span": [tok.idx, head.idx + len(head)],
                            "text": text[tok.idx: head.idx + len(head)], "value": {"number": n, "unit": unit},
                            "subject": unit, "sentence": [s0, s1], "products": products, "entities": ents,
                            "modality": modality(_clause_verb(head))})
            # firsts: "Turkey was the first NATO country to purchase …"
            if tok.lower_ == "first" and tok.dep_ == "amod" and tok.head.pos_ == "NOUN":
                noun = tok.head
                if noun.dep_ != "attr":
                    continue
                cop = noun.head
                holder = next((c for c in cop.children if c.dep_ in ("nsubj", "nsubjpass")), None)
                act = next((c for c in noun.children if c.dep_ in ("acl", "relcl") and c.pos_ == "VERB"), None)
                if holder is None or act is None:
                    continue
                cls = " ".join(t.text for t in noun.subtree if t.i < noun.i and t.i > tok.i) + " " + noun.text
                span_end = max(t.i for t in act.subtree)
                hold_m = next((m for m in mentions if m.span[0] <= holder.idx < m.span[1]), None)
                out.append({"kind": "first", "span": [holder.idx, doc[span_end].idx + len(doc[span_end])],
                            "text": text[holder.idx: doc[span_end].idx + len(doc[span_end])],
                            "value": {"holder": (hold_m.stands_for or hold_m.name) if hold_m else holder.text,
                                      "class": cls.strip(), "action": act.lemma_.lower()},
                            "subject": noun.lemma_.lower(), "sentence": [s0, s1], "products": products,
                            "entities": ents, "modality": modality(cop)})
    return out
