"""Event mentions of one parsed article: a trigger word with its type, participants, own date and modality."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from storyline.model import Mention, Timex
from storyline.nlp.lexicon import sense_classes

# The taxonomy: a trigger's lemma names the kind of event (verbs and nouns apart: "sign" vs "deal").
_VERBS: dict[str, str] = {}
_NOUNS: dict[str, str] = {}
for _type, _verbs, _nouns in (
    ("agreement", "sign agree conclude seal ink finalize finalise ratify",
     "deal contract agreement accord treaty pact partnership memorandum signing"),
    ("delivery", "deliver supply ship",
     "delivery shipment supply batch"),
    ("purchase", "buy purchase acquire sell procure order export import",
     "purchase sale acquisition procurement order"),
    ("sanction", "sanction impose embargo exclude expel blacklist penalize penalise",
     "sanction embargo exclusion ban"),
    ("meeting", "meet visit host negotiate",
     "meeting visit talks summit negotiation negotiations conference"),
    ("statement", "say announce declare confirm state tell reveal warn urge claim insist stress "
                  "note argue deny report",
     "announcement statement declaration remarks interview"),
    ("military", "attack invade bomb shoot kill strike launch down clash deploy test intercept",
     "attack invasion war coup strike crisis downing parade clash deployment bombing offensive test"),
    ("vote", "vote elect",
     "vote referendum election ballot"),
    ("legal", "sue charge indict convict arrest rule sentence file",
     "lawsuit suit trial ruling verdict indictment charge court"),
    ("economic", "pay invest fund lend borrow",
     "payment investment deposit loan tariff"),
):
    for _w in _verbs.split():
        _VERBS[_w] = _type
    for _w in _nouns.split():
        _NOUNS[_w] = _type

TYPES = tuple(dict.fromkeys([*_VERBS.values(), "other"]))  # the news types, in the taxonomy's order, and `other`

# Verbs that carry another event in their subject or complement ("deliveries began", "completed the purchase").
_ASPECT = {"begin", "start", "continue", "complete", "finish", "end", "resume", "take", "hold", "make", "reach",
           "strike", "go", "get"}
# Verbs whose object names the event they stand for ("struck a deal", "held talks", "imposed sanctions").
_SUPPORT = {"strike", "reach", "make", "hold", "conduct", "impose", "carry", "stage", "sign", "seal", "complete",
            "finalize", "finalise", "launch"}
_REPORTING = {k for k, v in _VERBS.items() if v == "statement"} | {"show", "write", "add", "explain"}
# Too general to be an event by themselves; an event only when they carry a date and nothing better does.
_LIGHT = {"be", "have", "do", "become", "seem", "appear", "remain", "let", "can", "may", "will"}
_FUTURE_AUX = {"will", "shall", "'ll", "wo"}
_POSSIBLE_AUX = {"could", "may", "might", "can", "would", "should", "must"}
# adverbs that make a present perfect experiential or continuative ("has previously excluded", "has long
# threatened", "has never succeeded"): something before the report's time, not the news it reports
_NOT_NOW_ADVERBS = {"previously", "already", "long", "ever", "never", "once", "before", "earlier", "repeatedly",
                    "often", "always", "since", "formerly", "twice", "frequently", "consistently", "still"}
_SPAN_BOUNDS = {"since", "until", "till"}  # a date after these bounds a state; it is not the verb's time
_DURATION_UNITS = {"year", "decade", "month", "week", "day", "hour", "century", "while", "time"}
_EXPECT = {"expect", "plan", "schedule", "intend", "hope", "want", "aim", "prepare", "ready", "seek", "propose",
           "set", "due", "likely", "going", "wish", "offer"}
_POSSIBLE = {"consider", "threaten", "mull", "weigh", "discuss", "study", "explore", "possible", "potential",
             "may", "could"}
_REPORTED = {"reportedly", "allegedly", "purportedly", "reported", "rumored", "rumoured"}
_PARTICIPANT_TYPES = {"PERSON", "ORG", "GPE", "NORP", "PRODUCT", "FAC", "LOC", "EVENT", "WORK_OF_ART", "LAW"}
_VAGUE = re.compile(r"^(?:PRESENT_REF|PAST_REF|FUTURE_REF)$")

# Nouns that name an occurrence (a general, WordNet-like list of event nouns common in news): an event
# when a named entity is its possessor or its of/by-argument ("his resignation", "the death of X").
_EVENT_NOUNS = set("""
speech keynote address talk lecture presentation remarks interview appearance debut farewell testimony
resignation retirement departure arrival return leave absence illness surgery operation transplant treatment
diagnosis death birth funeral marriage wedding divorce appointment nomination election victory defeat win loss
decision request invitation offer proposal bid plan attempt pledge promise apology warning threat criticism
praise complaint appeal protest campaign investigation probe inquiry hearing arrest conviction acquittal
settlement dispute lawsuit suit trial launch release introduction unveiling demonstration demo unveil
takeover merger acquisition purchase sale investment bankruptcy recall comeback visit trip tour meeting
announcement statement founding creation expansion closure move switch transition reorganization
""".split())
# Verbs whose object is the event itself ("gave a speech", "made an appearance", "took leave").
_LIGHT_SUPPORT = {"give", "make", "take", "deliver", "hold", "do", "have", "pay", "put"}
_SUBJECT_DEPS = ("nsubj", "nsubjpass")
_PERSON_PRONOUNS = {"he", "she", "him", "her", "his", "hers"}


def _type_of(tok: Any) -> str | None:
    lemma = tok.lemma_.lower()
    if tok.pos_ == "VERB":
        return _VERBS.get(lemma)
    if tok.pos_ in ("NOUN", "PROPN"):
        return _NOUNS.get(lemma) or _NOUNS.get(tok.text.lower())
    return None


def _dated_value(t: Timex) -> str | None:
    """The value an event can be dated by: a calendar DATE or TIME, not a duration, set or vague reference."""
    if t.type not in ("DATE", "TIME") or _VAGUE.match(t.value) or not t.value:
        return None
    return t.value


def _span_tokens(doc: Any, span: tuple[int, int]) -> list[Any]:
    """The tokens overlapping a character span (found through the token index, not a scan of the doc:
    this runs once per mention, and a scan made long texts quadratic)."""
    found = doc.char_span(span[0], span[1], alignment_mode="expand")
    return list(found) if found is not None else []


def _span_root(toks: list[Any]) -> Any | None:
    ids = {t.i for t in toks}
    for t in toks:
        if t.head.i not in ids or t.head.i == t.i:
            return t
    return toks[-1] if toks else None


def modality(trigger: Any) -> str:
    """done | expected | possible | reported | negated, from the trigger's own clause and the verbs above it."""
    chain = [trigger]
    h = trigger
    while h.head.i != h.i and len(chain) < 6:
        if h.dep_ == "parataxis":
            break  # "this, he said, would happen": the inserted report stands on its own
        if h.dep_ in ("ccomp", "advcl", "relcl", "conj") and h.head.lemma_.lower() in _REPORTING:
            break  # "X said that Y would …": Y's modality is its own, the report's is done
        h = h.head
        chain.append(h)
    for k, tok in enumerate(chain):
        kids = list(tok.children)
        if any(c.dep_ == "neg" for c in kids) and k == 0:
            return "negated"
        if any(c.lower_ in _REPORTED for c in kids) and k <= 1:
            return "reported"
        if any(c.dep_ == "mark" and c.lower_ in ("if", "unless", "whether") for c in kids):
            return "possible"
        if any(c.dep_ in ("aux", "auxpass") and c.lower_ in _FUTURE_AUX for c in kids):
            return "expected"
        if any(c.dep_ in ("aux", "auxpass") and c.lower_ in _POSSIBLE_AUX for c in kids):
            return "possible"
        if k > 0 and tok.lemma_.lower() in _POSSIBLE:
            return "possible"
        if k > 0 and (tok.lemma_.lower() in _EXPECT or tok.lower_ in _EXPECT):
            return "expected"
        if k == 0 and tok.pos_ in ("NOUN", "PROPN"):
            for c in kids:  # "the meeting scheduled for May 3", "a possible deal", "a new contract"
                if c.lemma_.lower() in _EXPECT | {"planned", "proposed", "upcoming", "future", "new"}:
                    return "expected"
                if c.lemma_.lower() in _POSSIBLE:
                    return "possible"
        if tok.pos_ == "VERB" and tok.tag_ in ("VBD", "VBN") and k > 0 and tok.lemma_.lower() not in _REPORTING:
            break
    return "done"


def _tense(tok: Any) -> str | None:
    h = tok
    for _ in range(4):
        if h.pos_ in ("VERB", "AUX"):
            if any(c.lower_ in _FUTURE_AUX for c in h.children if c.dep_ in ("aux", "auxpass")):
                return "future"
            if h.tag_ in ("VBD",) or any(c.tag_ == "VBD" for c in h.children if c.dep_ in ("aux", "auxpass")):
                return "past"
            if any(c.lemma_ == "have" and c.dep_ == "aux" for c in h.children) and h.tag_ == "VBN":
                return "past"
            return "present"
        if h.head.i == h.i:
            break
        h = h.head
    return None


def _summary(doc: Any, trigger: Any, sent: Any) -> tuple[int, int]:
    """The clause an event mention reads as: the trigger's subtree (with the subject of a noun's verb)."""
    if trigger.dep_ == "compound" and trigger.head.pos_ in ("NOUN", "PROPN"):
        trigger = trigger.head  # "the failed July 2016 coup attempt"
    toks = list(trigger.subtree)
    head = trigger.head
    if trigger.pos_ in ("NOUN", "PROPN") and head.pos_ == "VERB" and trigger.dep_ in ("dobj", "nsubjpass", "attr"):
        toks = list(head.subtree)
    lo = max(min(t.i for t in toks), sent.start)
    hi = min(max(t.i for t in toks), sent.end - 1)
    if hi - lo > 45:  # a long subtree: keep the part around the trigger
        lo, hi = max(lo, trigger.i - 20), min(hi, trigger.i + 25)
    return doc[lo].idx, doc[hi].idx + len(doc[hi])


def find_events(doc: Any, timexes: list[Timex], mentions: list[Mention], pub_date: str | None = None,
                headline: bool = False) -> list[dict]:
    """Event mentions in a parsed article (spans into its text), in text order.

    A trigger is a verb or noun of the taxonomy, any other main verb that carries a date of its
    own ("Apple launched … on June 9"; type `other`), or — entity-centred — any non-light predicate
    a named entity takes part in: a verb whose subject (shared along coordinated and non-finite
    verbs: "walked on stage and unveiled"), object, passive subject or agent is an entity mention or
    a he/she resolved to one, and an event noun with such a possessor or of/by-argument ("his
    resignation"); a light verb gives its event-noun object ("gave his keynote"). Its date is the
    calendar timex it governs in the parse (a fronted one also dates the verbs coordinated with it);
    a nominal event under a dated reporting verb takes the report's date ("confirmed on Tuesday
    that they signed a deal"); else, for entity-centred events and statements whose tense places
    them at the report's time (`_happened_then`), the publication date — or the day the lead dates
    its news to (`_lead_time`). Statements without a date or a named speaker are not events; those
    kept only for their speaker, and undated entity-centred predicates, are marked `generic`.
    Participants are the entity mentions inside the trigger's clause, with their role, and the
    entities found as its arguments. A `headline` tells in the present what has just happened
    ("Russia, Turkey Sign S-400 Deal"): its present-tense predicates are at the report's time.
    """
    in_timex: set[int] = set()
    dated: dict[int, list[Timex]] = {}
    for t in timexes:
        if _dated_value(t) is None:
            continue
        toks = _span_tokens(doc, t.span)
        root = _span_root(toks)
        if root is None:
            continue
        in_timex |= {tok.i for tok in toks}
        trig = _governing_trigger(root, {tok.i for tok in toks})
        if trig is not None:
            dated.setdefault(trig.i, []).append(t)
        for tok in toks:  # "in February 2022 when Putin visited Beijing": the clause happened then
            for c in tok.children:
                if c.dep_ == "relcl" and c.pos_ == "VERB" and any(w.lower_ == "when" for w in c.children):
                    dated.setdefault(c.i, []).append(t)

    for tok in doc:  # "In 1996 Jobs returned to Apple and soon after reassumed …": a fronted date scopes over both
        if tok.dep_ == "conj" and tok.pos_ == "VERB" and tok.i not in dated and tok.head.i in dated:
            v = tok.head
            first = min([v.idx] + [c.left_edge.idx for c in v.children if c.dep_ in _SUBJECT_DEPS])
            ts = [t for t in dated[v.i] if t.span[1] <= first]  # before the head's subject: the clause's frame
            if ts:
                dated[tok.i] = ts
    mention_at = []
    mention_of: dict[int, tuple[Mention, set[int]]] = {}  # token → the participant mention it is part of
    for m in mentions:
        if m.type in _PARTICIPANT_TYPES:
            toks = _span_tokens(doc, m.span)
            if toks:
                ids = {t.i for t in toks}
                mention_at.append((m, ids))
                for i in ids:
                    mention_of.setdefault(i, (m, ids))
    entity = _EntityFinder(doc, mention_of)

    out: list[dict] = []
    for sent_no, sent in enumerate(doc.sents):
        triggers: dict[int, str] = {}
        for tok in sent:
            if tok.i in in_timex:
                continue
            ty = _type_of(tok)
            if ty is None and tok.i in dated and tok.pos_ == "VERB" and tok.lemma_.lower() not in _LIGHT:
                ty = "statement" if tok.lemma_.lower() in _REPORTING else "other"
            if ty is None and tok.i in dated and _event_noun(tok):
                ty = "other"
            if ty is None:
                continue
            if tok.pos_ == "VERB" and tok.lemma_.lower() in _LIGHT:
                continue
            if tok.ent_type_ and tok.pos_ in ("NOUN", "PROPN") and tok.ent_type_ not in ("DATE", "CARDINAL"):
                continue  # part of a name: "World War Two", "the Military Procurement Agency"
            if tok.pos_ == "VERB":  # "imposed sanctions", "struck a deal": the object names the event
                for c in tok.children:
                    if c.dep_ == "dobj" and c.pos_ in ("NOUN", "PROPN") and _type_of(c) and (
                            ty == "other" or tok.lemma_.lower() in _SUPPORT):
                        ty = _type_of(c)
            triggers[tok.i] = ty
        # a noun that is the object of a verb of the same event ("signed a deal", "the signing of a deal")
        for i in list(triggers):
            tok = doc[i]
            if tok.pos_ not in ("NOUN", "PROPN") or (tok.dep_ == "pobj" and tok.head.lower_ in _SPAN_BOUNDS):
                continue  # "negotiating since their meeting in March": the meeting is what bounds the talks
            h = tok.head.head if tok.dep_ == "pobj" else tok.head
            if h.i != i and h.i in triggers and triggers[h.i] in (triggers[i], "other"):
                if i in dated and h.i not in dated:  # "signed in 2016 agreements": the date is the signing's
                    dated[h.i] = dated.pop(i)
                elif i in dated:
                    continue
                triggers[h.i] = triggers[i] if triggers[h.i] == "other" else triggers[h.i]
                del triggers[i]
                continue
            if tok.dep_ == "compound" and tok.head.i in triggers:  # "the arms deal" inside "the deal"
                del triggers[i]
        # "gave his keynote", "made an appearance": the event is the object the light verb supports
        for i in list(triggers):
            tok = doc[i]
            if triggers[i] == "other":
                obj = _supported_event(tok)
                if obj is not None and obj.i not in triggers:
                    triggers[obj.i] = _type_of(obj) or "other"
                    if i in dated:
                        dated.setdefault(obj.i, []).extend(dated.pop(i))
                    del triggers[i]
        # entity-centred: any other predicate a named entity (or a pronoun standing for one) takes part in
        centred: dict[int, list[tuple[Mention, str]]] = {}
        for tok in sent:
            if tok.i in in_timex:
                continue
            args = entity.arguments(tok)
            if not args:
                continue
            obj = _supported_event(tok)
            if obj is not None:
                centred.setdefault(obj.i, []).extend((m, "agent") for m, _ in args)
                continue
            if tok.pos_ == "VERB" and tok.lemma_.lower() in _LIGHT:
                continue
            centred[tok.i] = args
        generic: set[int] = set()
        for i, args in centred.items():
            if i not in triggers:
                tok = doc[i]
                ty = _type_of(tok) or ("statement" if tok.lemma_.lower() in _REPORTING else "other")
                triggers[i] = ty
                if i not in dated:
                    generic.add(i)
        for i, ty in sorted(triggers.items()):
            tok = doc[i]
            if tok.tag_ == "POS" or not any(ch.isalpha() for ch in tok.text):
                continue  # a possessive "'s" or a symbol parsed as a verb: not a word for an event
            own = dated.get(i, [])
            date = _best(own)
            inherited = None
            if date is None:
                inherited = _inherited_date(tok, dated)
                date = _best(inherited) if inherited else None
            published = None
            mod = modality(tok)
            lead_report = ty == "statement" and sent_no < 3 and _tense(tok) == "past" and tok.pos_ == "VERB"
            if date is None and pub_date and mod == "done" and headline and _headline_present(tok):
                date = published = pub_date  # a headline tells the news of its day, typed or not
            if date is None and pub_date and (i in centred or ty == "statement") and mod == "done":
                if _happened_then(tok) or lead_report:
                    date = published = pub_date
            if ty == "statement" and not own and not (published and lead_report):
                if i not in centred:
                    continue
                generic.add(i)  # a named speaker's report, found as what the speaker did
            s, e = _summary(doc, tok, sent)
            parts = _participants(tok, mention_at, s, e, doc)
            have = {tuple(p["span"]) for p in parts}
            for m, role in centred.get(i, []):
                if tuple(m.span) not in have:
                    have.add(tuple(m.span))
                    parts.append({"span": [m.span[0], m.span[1]], "text": m.text, "name": m.stands_for or m.name,
                                  "type": m.type, "role": role})
            if date is None and not parts:
                continue  # "the deal", "sanctions": a reference back, not an event told here
            if own and mod == "expected" and tok.pos_ in ("NOUN", "PROPN") and own[0].tense == "past":
                mod = "done"  # "the failed July 2016 coup attempt"
            out.append({
                "type": ty,
                "trigger": _trigger_json(tok),
                "span": [sent.start_char, sent.end_char],
                "clause": [s, e],
                "date": date,
                "date_from": ("own" if own else "report" if inherited else "published" if date else None),
                "timex": (_timex_json(own[0]) if own else _timex_json(inherited[0]) if inherited else None),
                "modality": mod,
                "status": _sanction_status(tok) if ty == "sanction" else None,
                "tense": _tense(tok),
                "participants": parts,
                **({"generic": True} if i in generic else {}),
            })
    _lead_time(out, doc, pub_date)
    return out


def _lead_time(events: list[dict], doc: Any, pub_date: str | None) -> None:
    """A report's narrative time: where its lead (first three sentences) dates its news to a day of the
    three before publication ("yesterday", "on Monday"), what the tense places at the report's time
    happened that day (date_from 'lead' instead of 'published')."""
    if not pub_date or len(pub_date) != 10:
        return
    starts = [s.start_char for s in doc.sents][:4]
    lead_end = starts[3] if len(starts) > 3 else len(doc.text)
    pub = dt.date.fromisoformat(pub_date)
    lead = None
    for ev in events:
        if ev["trigger"]["span"][0] >= lead_end:
            break
        d = ev["date"] or ""
        if ev["date_from"] == "own" and ev["modality"] == "done" and re.match(r"^\d{4}-\d\d-\d\d$", d):
            if 1 <= (pub - dt.date.fromisoformat(d)).days <= 3:
                lead = d
            break
    if lead:
        for ev in events:
            if ev["date_from"] == "published":
                ev["date"], ev["date_from"] = lead, "lead"


def _headline_present(tok: Any) -> bool:
    """A headline's present-tense main verb (or one coordinated with it), without a modal ("Turkey Signs
    Deal", "Russia Says"), its object, or the head noun of a headline that is a noun phrase ("Russia,
    Turkey S-400 deal")."""
    h = tok
    if tok.pos_ in ("NOUN", "PROPN"):
        if tok.dep_ == "ROOT" or (tok.dep_ == "appos" and tok.head.dep_ == "ROOT"):
            return not any(c.dep_ == "acl" or c.tag_ == "TO" for c in tok.children)
        if not (tok.dep_ == "dobj" and tok.head.pos_ == "VERB"):
            return False
        h = tok.head
    if h.pos_ != "VERB" or h.tag_ not in ("VBZ", "VBP", "VB") or h.dep_ not in ("ROOT", "conj", "ccomp"):
        return False
    return not any(c.dep_ in ("aux", "auxpass") for c in h.children)


def _supported_event(tok: Any) -> Any | None:
    """The event noun a light verb stands for ("gave his keynote", "made an appearance"), else None."""
    if tok.pos_ != "VERB" or tok.lemma_.lower() not in _LIGHT_SUPPORT:
        return None
    return next((c for c in tok.children if c.dep_ == "dobj" and c.lemma_.lower() in _EVENT_NOUNS), None)


def _happened_then(tok: Any) -> bool:
    """Whether a predicate's tense places it at the time of the report (dated by the publication date):
    a simple past or present perfect of a main, coordinated, adverbial or reported clause, or a reporting
    verb in the present ("says"); a non-finite verb ("walking on stage", "to talk") takes the time of the
    verb it depends on; a noun, that of the light verb whose object it is ("gave his keynote") or of the
    verb it frames ("during the keynote, Jobs demoed").
    Not: past perfect, future, modal, relative clauses (background), a plain present."""
    h = tok
    if tok.pos_ in ("NOUN", "PROPN"):  # only an event the verb gives, not one it refers to ("praised the decision")
        if tok.dep_ == "dobj" and tok.head.lemma_.lower() in _LIGHT_SUPPORT:
            h = tok.head
        elif tok.dep_ == "pobj" and tok.head.lower_ in ("during", "at", "amid", "throughout"):
            h = tok.head.head  # "during the keynote, Jobs demoed …": the frame of what the verb tells
        else:
            return False
    for _ in range(4):
        aux = [c for c in h.children if c.dep_ in ("aux", "auxpass")]
        if h.pos_ == "VERB" and h.tag_ in ("VBG", "VB", "VBN") and not aux and h.dep_ in ("xcomp", "advcl", "conj"):
            h = h.head  # "unveiled … after walking on stage", "moved on to talk about"
            continue
        break
    if h.pos_ != "VERB" or h.dep_ in ("relcl", "acl", "amod", "csubj"):
        return False
    aux = [c for c in h.children if c.dep_ in ("aux", "auxpass")]
    if any(a.lower_ in _FUTURE_AUX or a.lower_ in _POSSIBLE_AUX for a in aux):
        return False
    if any(a.lemma_ == "have" and a.tag_ == "VBD" for a in aux) or any(a.lower_ == "'d" for a in aux):
        return False  # past perfect: before the time of the report
    if h.tag_ == "VBD":
        return True
    if h.tag_ == "VBN" and any(a.tag_ in ("VBD", "VBZ", "VBP") and a.lemma_ in ("be", "have") for a in aux):
        if any(a.tag_ in ("VBZ", "VBP") and a.lemma_ == "have" for a in aux) and _not_now(h):
            return False  # "has previously excluded", "have been negotiating since August"
        return True  # "was fired", "has resigned"
    if h.tag_ == "VBG" and any(a.lemma_ == "be" and a.tag_ == "VBD" for a in aux):
        return True  # "was walking"
    return h.lemma_.lower() in _REPORTING and h.tag_ in ("VBZ", "VBP")


def _event_noun(tok: Any) -> bool:
    """A common noun whose first WordNet sense is an act or an event ("rapprochement", "crisis" is a state):
    what a date on it dates, as TimeML draws nominal events."""
    return (tok.pos_ == "NOUN" and not tok.ent_type_
            and sense_classes(tok.lemma_.lower(), "n")[:1] in (("noun.act",), ("noun.event",)))


def _not_now(verb: Any) -> bool:
    """Whether a present perfect is experiential or continuative rather than the news: an adverb that puts it
    before the report's time ("has previously excluded", "has long threatened", "has never succeeded"), or
    a "since" phrase or clause, or "for" a duration, that gives the span it has held ("has been in talks
    since 2016", "has ruled for a decade"; not "has voted for the bill")."""
    for c in verb.children:
        if c.dep_ in ("advmod", "neg", "npadvmod") and c.lower_ in _NOT_NOW_ADVERBS:
            return True
        if c.dep_ in ("prep", "mark") and c.lower_ == "since":
            return True
        if c.dep_ == "prep" and c.lower_ == "for" and any(
                o.dep_ == "pobj" and (o.ent_type_ == "DATE" or o.lemma_.lower() in _DURATION_UNITS) for o in c.children):
            return True
        if c.dep_ == "advcl" and any(m.dep_ == "mark" and m.lower_ == "since" for m in c.children):
            return True
    return False


class _EntityFinder:
    """The named entities a predicate's arguments are: subject, object, passive subject, agent, possessor
    or of/by-argument; a he/she resolved to the person it stands for (as quote attribution resolves it)."""

    def __init__(self, doc: Any, mention_of: dict[int, tuple[Mention, set[int]]]):
        self.doc = doc
        self.mention_of = mention_of

    def _resolve(self, pron: Any) -> Mention | None:
        from storyline.nlp.quotes import person_for

        span = person_for(pron)
        if span is None:
            return None
        for tok in self.doc.char_span(span[0], span[1], alignment_mode="expand") or ():
            hit = self.mention_of.get(tok.i)
            if hit and hit[0].type == "PERSON":
                return hit[0]
        return None

    def entity(self, tok: Any) -> Mention | None:
        hit = self.mention_of.get(tok.i)
        if hit:
            return hit[0]
        if tok.lower_ in _PERSON_PRONOUNS:
            return self._resolve(tok)
        for c in tok.children:  # "Apple's chief executive, Steve Jobs"
            if c.dep_ == "appos" and c.i in self.mention_of:
                return self.mention_of[c.i][0]
        return None

    def _each(self, tok: Any, role: str, out: list) -> None:
        for t in (tok, *(c for c in tok.children if c.dep_ == "conj")):
            m = self.entity(t)
            if m is not None and t.lower_ in ("him", "her") and any(
                    x is m and r == "agent" for x, r in out):
                continue  # "Ballmer described him": not Ballmer
            if m is not None and all(m is not x for x, _ in out):
                out.append((m, role))

    def arguments(self, tok: Any) -> list[tuple[Mention, str]]:
        out: list[tuple[Mention, str]] = []
        if tok.pos_ == "VERB":
            if tok.dep_ in ("aux", "auxpass", "amod"):
                return out
            for subj, role in _subjects(tok):
                self._each(subj, role, out)
            for c in tok.children:
                if c.dep_ in ("dobj", "dative", "nsubjpass"):
                    self._each(c, "patient", out)
                elif c.dep_ == "agent":
                    for g in c.children:
                        if g.dep_ == "pobj":
                            self._each(g, "agent", out)
        elif tok.pos_ == "NOUN" and (tok.lemma_.lower() in _EVENT_NOUNS or _type_of(tok)):
            for c in tok.children:
                if c.dep_ == "poss":
                    self._each(c, "agent", out)
                elif c.dep_ == "prep" and c.lower_ in ("of", "by"):
                    for g in c.children:
                        if g.dep_ == "pobj":
                            self._each(g, "agent" if c.lower_ == "by" else "participant", out)
        return out


def _subjects(v: Any) -> list[tuple[Any, str]]:
    """A verb's subjects with their role; a verb without one shares that of the verb it is conjoined to
    ("walked on stage and unveiled …") or, non-finite, depends on ("walking", "to talk"; "asked him to leave":
    the object)."""
    h = v
    for _ in range(4):
        subj = [(c, "patient" if c.dep_ == "nsubjpass" else "agent") for c in h.children if c.dep_ in _SUBJECT_DEPS]
        if subj:
            return subj
        if h.dep_ == "conj" and h.head.pos_ in ("VERB", "AUX"):
            h = h.head
            continue
        if h.dep_ == "acl" and h.tag_ in ("VBN", "VBG") and h.head.pos_ in ("NOUN", "PROPN"):
            # "Jobs, born in San Francisco": the noun a participle describes is its subject
            return [(h.head, "patient" if h.tag_ == "VBN" else "agent")]
        if h.dep_ in ("xcomp", "advcl") and h.tag_ in ("VBG", "VB", "VBN") and h.head.pos_ in ("VERB", "AUX"):
            if h.dep_ == "xcomp":
                obj = [(c, "agent") for c in h.head.children if c.dep_ == "dobj"]
                if obj:
                    return obj
            h = h.head
            continue
        break
    return []


def _trigger_json(tok: Any) -> dict:
    """The trigger word, with the particle of a phrasal verb right after it ("step down", "showed off")."""
    end = tok.idx + len(tok)
    prt = next((c for c in tok.children if c.dep_ == "prt" and c.i == tok.i + 1), None)
    if prt is not None:
        end = prt.idx + len(prt)
    text = tok.text_with_ws + prt.text if prt is not None else tok.text  # not doc.text: built anew on each access
    return {"span": [tok.idx, end], "text": text, "lemma": tok.lemma_.lower()}


def _timex_json(t: Timex) -> dict:
    return {"span": list(t.span), "text": t.text, "value": t.value}


def _best(timexes: list[Timex]) -> str | None:
    """The most precise dated value among a trigger's timexes."""
    vals = sorted({v for v in (_dated_value(t) for t in timexes) if v})
    if not vals:
        return None
    if len(vals) == 2 and len(vals[0]) == len(vals[1]) and "X" not in vals[0] + vals[1]:
        return f"{vals[0]}/{vals[1]}"  # "in 2014 and 2015", "1997-1998": the span of both
    return max(vals, key=lambda v: (len(re.sub(r"X", "", v)), v))


def _governing_trigger(root: Any, own: set[int]) -> Any | None:
    """The event word a timex belongs to: up the parse from the timex to the first verb or event noun. None
    past a "since" or "until" ("have been negotiating since their rapprochement in August 2016"): the date
    bounds a state that holds from or up to it, it is not the time of the verb above."""
    h = root
    for _ in range(8):
        if h.head.i == h.i:
            return h if h.pos_ == "VERB" and h.i not in own else None
        h = h.head
        if h.i in own:
            continue
        if h.lower_ in _SPAN_BOUNDS and h.dep_ in ("prep", "mark"):
            return None
        if _type_of(h) is None and _event_noun(h):  # "their rapprochement in August 2016"
            return h
        if _type_of(h) is not None:
            if h.pos_ == "VERB" and h.lemma_.lower() in _ASPECT:
                continue
            if h.pos_ == "VERB" and h.tag_ == "VB" and h.dep_ in ("acl", "relcl", "xcomp", "advcl"):
                # "signed a contract for Moscow to supply Ankara … in 2017": the date is the contract's
                up = h.head
                if _type_of(up) == "agreement":
                    return up
            return h
        for c in h.children:  # "the July 2016 coup attempt": the event is the compound
            if c.dep_ == "compound" and _type_of(c) is not None and c.i not in own:
                return c
        if h.pos_ == "VERB" and (h.lemma_.lower() in _EXPECT or h.lower_ in _EXPECT):
            # "whose delivery is expected in 2020", "the meeting scheduled for May 3"
            if h.dep_ == "acl" and _type_of(h.head) is not None:
                return h.head
            for c in h.children:
                if c.dep_ in ("nsubj", "nsubjpass") and _type_of(c) is not None:
                    return c
        if h.pos_ == "VERB":
            lemma = h.lemma_.lower()
            if lemma in _ASPECT:  # "deliveries began on July 12": the event is the subject
                for c in h.children:
                    if c.dep_ in ("nsubj", "nsubjpass", "dobj", "xcomp") and _type_of(c) is not None:
                        return c
            if lemma not in _LIGHT:
                return h
    return None


def _inherited_date(tok: Any, dated: dict[int, list[Timex]]) -> list[Timex] | None:
    """A date from the reporting verb above an undated event: "announced in fall 2017 the signing of …"."""
    h = tok
    for _ in range(4):
        if h.head.i == h.i:
            return None
        if h.dep_ == "advcl" and any(c.dep_ == "advmod" and c.lower_ == "when" for c in h.children):
            return dated.get(h.head.i)  # "declared … in February 2022 when Putin visited Beijing"
        if h.dep_ in ("advcl", "relcl"):
            return None
        h = h.head
        if h.pos_ in ("NOUN", "PROPN") and _type_of(h) is not None:
            return None  # "the signing of a deal on the delivery of …": the delivery is not dated by the report
        if h.pos_ == "VERB" and h.lemma_.lower() in _REPORTING:
            if tok.pos_ == "VERB" and tok.tag_ not in ("VBD", "VBN"):
                return None  # "said on Monday that it will sign": the signing is not on Monday
            return dated.get(h.i)
    return None


def _participants(tok: Any, mention_at: list, s: int, e: int, doc: Any) -> list[dict]:
    sub = {t.i for t in tok.subtree}
    if tok.pos_ in ("NOUN", "PROPN") and tok.head.pos_ == "VERB" and tok.dep_ in ("dobj", "nsubjpass", "attr"):
        sub |= {t.i for t in tok.head.subtree}
    copula_subject: set[int] = set()
    if tok.dep_ in ("acl", "relcl") and tok.head.dep_ == "attr":  # "China was the first buyer to seal a deal"
        cop = tok.head.head
        for c in cop.children:
            if c.dep_ in ("nsubj", "nsubjpass"):
                copula_subject = {t.i for t in c.subtree}
                sub |= copula_subject
    out = []
    seen = set()
    for m, ids in mention_at:
        if not ids & sub or (not ids & copula_subject and (m.span[0] < s or m.span[1] > e)):
            continue
        first = doc[min(ids)]
        role = "agent" if ids & copula_subject else "participant"
        h = first
        for _ in range(6 if role != "agent" else 0):
            if h.dep_ in ("nsubj", "nsubjpass", "agent"):
                role = "agent" if h.dep_ != "nsubjpass" else "patient"
                break
            if h.dep_ in ("dobj", "dative"):
                role = "patient"
                break
            if h.dep_ == "pobj" and h.head.lower_ in ("in", "at", "near") and m.type in ("GPE", "LOC", "FAC"):
                role = "place"
                break
            if h.head.i == h.i or h.head.i == tok.i:
                break
            h = h.head
        key = (m.span[0], m.span[1])
        if key in seen:
            continue
        seen.add(key)
        out.append({"span": [m.span[0], m.span[1]], "text": m.text, "name": m.stands_for or m.name,
                    "type": m.type, "role": role})
    return out


_STATUS_WORDS = [("lifted", {"lift", "ease", "remove", "waive", "suspend", "end", "drop"}),
                 ("threatened", {"threaten", "warn"}),
                 ("considered", {"consider", "mull", "weigh", "discuss", "study", "explore", "propose", "prepare"}),
                 ("imposed", {"impose", "slap", "introduce", "adopt", "level", "announce", "expand", "extend"})]


def _sanction_status(tok: Any) -> str:
    """Where a sanction stands in the sentence: threatened, considered, imposed, lifted, in force or mentioned."""
    chain = [tok]
    h = tok
    for _ in range(3):
        if h.head.i == h.i:
            break
        h = h.head
        chain.append(h)
    for status, lemmas in _STATUS_WORDS:  # nearest verb first would miss "considered imposing"; the outermost wins
        if any(t.lemma_.lower() in lemmas for t in chain[1:] if t.pos_ == "VERB"):
            if status == "imposed" and any(t.lemma_.lower() in {"consider", "threaten", "mull", "weigh"}
                                           for t in chain if t.pos_ == "VERB"):
                continue
            return status
    if tok.pos_ == "VERB":
        for status, lemmas in _STATUS_WORDS:
            if tok.lemma_.lower() in lemmas:
                return status
        return "imposed" if tok.tag_ in ("VBD", "VBN") else "mentioned"
    if tok.head.lower_ in ("despite", "under", "amid"):
        return "in force"
    return "mentioned"
