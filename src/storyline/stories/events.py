"""Cross-document event coreference: a story's event mentions merged into events, each dated at the precision its sources allow."""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass, field
from typing import Any

from storyline.model import Event, EventMention, Participant, Trigger, span_of, stable_id
from storyline.nlp.lexicon import meaning_keys
from storyline.stories import coref
from storyline.published import period
from storyline.settings import EVENT_LINK as LINK
from storyline.settings import EVENT_PUBLISHED_NEAR_DAYS as PUBLISHED_NEAR_DAYS
from storyline.settings import EVENT_SENTENCE_OVERLAP as SENTENCE_OVERLAP
from storyline.settings import MAIN_EVENT_PER_SOURCE, MAIN_EVENT_SOURCES, MAX_TRIED

_PRECISION = [
    (re.compile(r"^\d{4}-\d\d-\d\d"), "day"), (re.compile(r"^\d{4}-W\d\d"), "week"),
    (re.compile(r"^\d{4}-\d\d$"), "month"), (re.compile(r"^\d{4}-(?:SP|SU|FA|WI)$"), "season"),
    (re.compile(r"^\d{4}-Q\d$"), "quarter"), (re.compile(r"^\d{4}-H\d$"), "half"),
    (re.compile(r"^\d{4}$"), "year"), (re.compile(r"^\d{4}/\d{4}$"), "years"), (re.compile(r"^\d{3}$"), "decade"),
]
_DONE = {"done", "reported", None}
# kinds of event that do not recur between the same parties: differing dates for them are a conflict
ONE_OFF = {"agreement", "purchase"}


def precision(value: str | None) -> str | None:
    if not value:
        return None
    for rx, name in _PRECISION:
        if rx.match(value):
            return name
    return None


@functools.lru_cache(maxsize=10_000)
def _weekday(value: str | None) -> int | None:
    """'XXXX-WXX-2' (a Tuesday the text did not date) → 1 (Monday is 0)."""
    m = re.match(r"^XXXX-WXX-(\d)", value or "")
    return int(m[1]) - 1 if m else None


@functools.lru_cache(maxsize=100_000)  # pure: a big story's events ask it millions of times of a few values
def compatible(a: str | None, b: str | None) -> bool:
    """Whether two dates can name the same day: their intervals overlap, and a bare weekday matches."""
    ia, ib = period(a), period(b)
    if ia and ib:
        return ia[0] <= ib[1] and ib[0] <= ia[1]
    wa, wb = _weekday(a), _weekday(b)
    if wa is not None and ib and ib[0] == ib[1]:
        return ib[0].weekday() == wa
    if wb is not None and ia and ia[0] == ia[1]:
        return ia[0].weekday() == wb
    if wa is not None and wb is not None:
        return wa == wb
    return True


def _narrowest(values: list[str]) -> str | None:
    """The most precise of the values that fits inside all the others ('2017' and '2017-FA' → '2017-FA')."""
    dated = [(v, iv) for v in values if (iv := period(v))]
    if not dated:
        return None
    dated.sort(key=lambda x: ((x[1][1] - x[1][0]).days, x[0]))
    for v, (a, b) in dated:
        if all(c <= a and b <= d for _, (c, d) in dated):
            return v
    return None


def _dated(value: str | None) -> bool:
    """Whether a date places a mention in time at all: an interval, or a weekday ('XXXX-WXX-2')."""
    return period(value) is not None or _weekday(value) is not None


def _key_entities(m: dict) -> set[str]:
    return {p["entity_id"] for p in m["participants"] if p.get("entity_id") and p.get("role") != "place"}


def _agents(m: dict) -> set[str]:
    return {p["entity_id"] for p in m["participants"] if p.get("entity_id") and p.get("role") == "agent"}


def _modality_class(m: dict) -> str:
    mod = m.get("modality")
    return "done" if mod in _DONE else str(mod)


def _meaning_keys(m: dict) -> frozenset[str]:
    """The trigger's lemma and its WordNet meaning keys (senses and derivations: 'signing' and 'sign'), as
    the part of speech the TimeML layer gave it, else as noun and verb both."""
    trig = m["trigger"]
    lemma = (trig.get("lemma") or "").lower()
    if not lemma.replace("-", "").isalpha():
        return frozenset({lemma})
    pos = trig.get("pos")
    keys = meaning_keys(lemma, pos) if pos else meaning_keys(lemma, "NOUN") | meaning_keys(lemma, "VERB")
    return frozenset({lemma, *keys})


def _meaning(m: dict, x: dict) -> float:
    """How alike two triggers' meanings are: 1 the same lemma, 0.8 a shared WordNet sense or derivation,
    0.6 only the same news type ('signed' and 'the deal'), 0 otherwise."""
    if m["trigger"].get("lemma") == x["trigger"].get("lemma"):
        return 1.0
    if m["_keys"] & x["_keys"]:
        return 0.8
    return 0.6 if m["type"] != "other" else 0.0


def _pair(m: dict, x: dict) -> float:
    """How strongly two mentions (of compatible types, the same modality and compatible dates) tell one
    happening, 0 to 1: 0 when they name different agents ("China signed" and "Turkey signed"); else the
    larger of what the rules say (`_by_rules`, for two mentions of one type) and, for two mentions the
    annotation stored coreference features for, what the learned model says (`_by_model`)."""
    ga, gb = m["_agents"], x["_agents"]
    if ga and gb and not ga & gb:
        return 0.0
    if m["_f"] is None or x["_f"] is None:
        return _by_rules(m, x) if m["type"] == x["type"] else 0.0
    return max(_by_rules(m, x) if m["type"] == x["type"] else 0.0, _by_model(m, x))


def _by_model(m: dict, x: dict) -> float:
    """The learned model's probability that two mentions tell one happening (`stories.coref`, trained on
    ECB+), where their parties and times agree, which the model does not check: ECB+'s stories are days long,
    so it links nearly any two mentions of one word, while a story of years tells many purchases by different
    buyers in one word. The parties agree when the two name the same agent, a canonical entity or the
    parse's doer ("police arrested" twice). Otherwise: two dated mentions whose sentences' named entities
    (canonical) are mostly the same; two undated ones only when their articles came out within
    PUBLISHED_NEAR_DAYS of each other (`_published_near`: the same week's news on one meaning), since an
    undated mention in a later article is often a reference back ("the first NATO member to buy" and
    "Turkey's purchase" years on); never an undated one with a dated one, which it would lend its weight
    on words alone. It is asked only about pairs `_blocked_together` puts side by side."""
    if not _blocked_together(m, x):
        return 0.0
    if not (m["_agents"] & x["_agents"] or m["_f"]["doers"] & x["_f"]["doers"]):  # no agent in common
        dated = _dated(m.get("date")) + _dated(x.get("date"))
        if dated == 1 or (dated == 0 and not _published_near(m["_pub"], x["_pub"])):
            return 0.0
        if dated == 0 and m["_f"]["doers"] and x["_f"]["doers"]:
            return 0.0  # each names who did it, not the same
        sa, sb = m["_sents"], x["_sents"]
        if dated == 2 and sa and sb and len(sa & sb) < SENTENCE_OVERLAP * min(len(sa), len(sb)):
            return 0.0
    return _on_link_scale(coref.pair_probability(m["_f"], x["_f"], m["_sim"](m["article_id"], x["article_id"])))


def _published_near(a: tuple[dt.date, dt.date] | None, b: tuple[dt.date, dt.date] | None) -> bool:
    """Whether two articles' publication intervals (earliest, latest day) fit in one window of
    PUBLISHED_NEAR_DAYS: both came out that week, whatever their exact days. None (no date known in the
    whole story) is near anything, there being nothing to tell it apart by."""
    if a is None or b is None:
        return True
    return (max(a[1], b[1]) - min(a[0], b[0])).days <= PUBLISHED_NEAR_DAYS


def _publications(published: dict[str, dict[str, Any]]) -> dict[str, tuple[dt.date, dt.date] | None]:
    """Each article's publication as stored (a dict: date, or earliest and latest) → its first and last
    possible day. An end the article does not give is the story's (the earliest and latest day any of its
    articles gives): an undated article of a story told over years may be from any of them. None for every
    article when no article of the story gives a date."""
    ends = {aid: (period(p.get("date") or p.get("earliest")), period(p.get("date") or p.get("latest")))
            for aid, p in published.items() if p}
    known = [iv for pair in ends.values() for iv in pair if iv]
    if not known:
        return {aid: None for aid in published}
    first, last = min(iv[0] for iv in known), max(iv[1] for iv in known)
    return {aid: (lo[0] if lo else first, hi[1] if hi else last)
            for aid in published for lo, hi in [ends.get(aid, (None, None))]}


def _on_link_scale(p: float) -> float:
    """The model's probability on the rules' scale, so that an event's average link mixes the two fairly:
    its threshold becomes LINK, 0 and 1 stay (piecewise linear)."""
    t = float(coref.model()["threshold"])
    return LINK * p / t if p < t else LINK + (1.0 - LINK) * (p - t) / (1.0 - t)


def _blocking_keys(m: dict) -> set[tuple[str, str]]:
    """What the learned model compares a mention with others through (coreference's blocking): its
    meaning keys (lemma, WordNet senses and derivations), key entities, sentence entities, arguments,
    and its article."""
    f = m["_f"]
    return ({("k", k) for k in m["_keys"]} | {("e", e) for e in m["_sents"]} | {("a", a) for a in f["args"]}
            | {("d", m["article_id"])})


def _blocked_together(m: dict, x: dict) -> bool:
    return bool(m["_block"] & x["_block"])


def _by_rules(m: dict, x: dict) -> float:
    """The rules' reading of a pair: their meaning's likeness (`_meaning`) when they share enough
    participants; 0 when they share none, or when an undated one has nothing but the word and the parties
    to go by and the agents are not the same; statements only from the same speaker on the same day."""
    ga, gb = m["_agents"], x["_agents"]
    a, b = m["_ents"], x["_ents"]
    shared = a & b
    if not shared:
        return 0.0
    meaning = _meaning(m, x)
    overlap = len(shared) / min(len(a), len(b))
    if m["type"] == "statement":  # the same speaker on the same day
        same_day = precision(m.get("date")) == "day" and m.get("date") == x.get("date")
        return meaning if overlap >= 0.5 and same_day else 0.0
    dated = _dated(m.get("date")) + _dated(x.get("date"))
    if dated == 1:
        return 0.0  # an undated mention would lend a dated event its weight, and take its date, on words alone
    if dated == 0:
        # undated mentions are references back or generic ("the first NATO member to buy"): one
        # happening only with the same word for it, the same agent and most of the parties
        if meaning < 0.8 or not (ga & gb) or overlap < 0.66 or len(shared) < 2:
            return 0.0
        return meaning
    return meaning if overlap >= 0.5 else 0.0


@dataclass
class _Merging:
    """An event while `corefer` merges mentions into it: the prepared mentions it holds so far and the
    date that fits them all."""

    id: str
    story_id: str
    type: str
    modality: str
    mentions: list[dict[str, Any]] = field(default_factory=list)
    date: str | None = None


def _score(m: dict, ev: _Merging) -> float:
    """A mention's average link to an event: 0 when its type or modality differ (an untyped predicate read
    by the learned model may join a typed event: "the talks" and "met"), when it is negated, or when its
    date cannot be the date of every mention already in the event; else its mean `_pair` with them."""
    if ev.modality != _modality_class(m) or ev.modality == "negated":
        return 0.0
    if ev.type != m["type"] and not (m["_f"] is not None and "other" in (ev.type, m["type"])):
        return 0.0
    if not all(compatible(m.get("date"), x.get("date")) for x in ev.mentions):
        return 0.0
    return sum(_pair(m, x) for x in ev.mentions) / len(ev.mentions)


def _prepared(m: dict, sim: coref.DocSimilarity | None, published: tuple[dt.date, dt.date] | None = None) -> dict:
    """A mention with what `_pair` compares: its meaning keys, key entities and agents, its article's
    publication interval (`_pub`, `_publications`), and the learned model's features (`_f`, from the
    annotation's `coref`; None for a mention annotated before it was stored, which the rules compare) with
    the story's article similarity."""
    f = None
    if m.get("coref") and sim is not None:
        f = coref.from_stored(m["coref"], m["article_id"])
        if m.get("field") == "title":
            f["sent"] = -1 - f["sent"]  # the title's sentences are not the body's
    ents = _key_entities(m)
    out = dict(m, _keys=_meaning_keys(m), _ents=ents, _agents=_agents(m), _f=f, _sim=sim,
               _sents=ents | set(m.get("sentence_entities") or ()), _pub=published)
    out["_block"] = _blocking_keys(out) if f is not None else set()
    return out


def _index_keys(m: dict, kind: tuple[str, str]) -> set[tuple[str, ...]]:
    """What a mention can link through: a key entity of the same type and modality, and for an untyped
    (`other`) predicate also a meaning key (`_meaning` is 0 without one); a mention the learned model
    reads, in its modality, also through its `_blocking_keys`. Only events sharing a key are tried, not
    every event of the story, and they are all those a scan of every event could link it to."""
    learned = {(kind[1], *k) for k in m["_block"]}
    if m["type"] == "other":
        return learned | {(*kind, e, k) for e in m["_ents"] for k in m["_keys"]}
    return learned | {(*kind, e) for e in m["_ents"]}


def corefer(mentions: list[dict[str, Any]], story_id: str, texts: dict[str, str] | None = None,
            published: dict[str, dict[str, Any]] | None = None) -> list[Event]:
    """A story's event mentions (the annotation layer's, in ingestion order, each with its article_id, text,
    summary, quote_ids, participants linked to entity ids, and, where the annotation stored them, its
    `coref` features and `sentence_entities`) → events. `texts` (article id → text) gives the learned
    model its articles' similarity; without it only the rules link. `published` (article id → its
    publication as stored: date, earliest, latest; every article of the story) tells the model when undated
    mentions' articles came out.

    Average link: a mention joins the earlier event it links to most strongly on average over that
    event's mentions (`_score`, at least LINK), else starts its own. Two mentions are one happening when their types and modalities agree, their dates
    overlap ('fall 2017' with '2017'; a bare 'Tuesday' only with a Tuesday), they name no differing agents,
    and either the rules link them (`_by_rules`: alike meanings, `_meaning`, and at least half of the
    smaller set of participants; an undated mention only with the same word, the same agent and two thirds
    of the parties, and never with a dated one; statements only from the same speaker on the same day) or
    the learned model does (`_by_model`: its probability where the two name the same agent, or, both
    dated, mostly the same names, or, both undated, come from articles of the same week, put on the rules'
    scale). Comparing with each mention, not with the union of the event's parties, keeps an event
    from growing by chaining. The event's date is the most precise date that fits inside all its mentions'
    dates.
    """
    events: list[_Merging] = []
    index: dict[tuple[str, ...], list[int]] = {}  # `_index_keys` → numbers of the events holding it
    sim = coref.DocSimilarity(texts) if texts is not None else None
    pubs = _publications(published or {})
    for raw in mentions:
        m = _prepared(raw, sim, pubs.get(raw["article_id"]))
        kind = (m["type"], _modality_class(m))
        keys = _index_keys(m, kind)
        tried = sorted({n for k in keys for n in index.get(k, ())})[-MAX_TRIED:]
        best, best_score = None, LINK
        for n in tried:
            s = _score(m, events[n])
            if s >= best_score and (best is None or s > best_score):
                best, best_score = n, s
        if best is None:
            best = len(events)
            events.append(_Merging(stable_id("v", story_id, m["article_id"], str(m["trigger"]["span"][0])),
                                   story_id, m["type"], _modality_class(m)))
        target = events[best]
        _join(target, m)
        for k in keys:
            held = index.setdefault(k, [])
            if not held or held[-1] != best:
                held.append(best)
    return [_finish(ev) for ev in events]


def _join(ev: _Merging, m: dict) -> None:
    """`m` joins `ev`: an untyped predicate's event takes the type of the first typed mention, and the
    event's date is the most precise one that fits all its mentions."""
    ev.mentions.append(m)
    if ev.type == "other":
        ev.type = m["type"]
    ev.date = _narrowest([x["date"] for x in ev.mentions if x.get("date")])


def _class(mentions: list[dict]) -> str | None:
    """The TimeML class most of an event's mentions have (OCCURRENCE, REPORTING, …); None when the
    TimeML layer found none of its triggers."""
    classes = [m["timeml"]["class"] for m in mentions if m.get("timeml")]
    return max(sorted(set(classes)), key=classes.count) if classes else None


def _finish(ev: _Merging) -> Event:
    """The merged event: one mention per sentence, its summary from the mention with most participants,
    its participants each once (`ref`: the mention it came from, to re-link it after a later build)."""
    mentions, seen = [], set()
    for m in sorted(ev.mentions, key=lambda m: m.get("date") is None):  # one mention per sentence, dated first
        key = (m["article_id"], m.get("field"), tuple(m["span"]))
        if key not in seen:
            seen.add(key)
            mentions.append(m)
    mentions.sort(key=ev.mentions.index)
    best = max(mentions, key=lambda m: (len(m["participants"]), m.get("date") is not None, -len(m["summary"])))
    participants: dict[str, Participant] = {}
    for m in mentions:
        for p in m["participants"]:
            key = p.get("entity_id") or p["name"]
            if key not in participants:
                participants[key] = Participant(role=p["role"], name=p["name"], type=p["type"],
                                                entity_id=p.get("entity_id"), ref=(m["article_id"], p["span"][0]))
    iv = period(ev.date)
    return Event(
        id=ev.id, story_id=ev.story_id, type=ev.type, date=ev.date, precision=precision(ev.date),
        sort=iv[0].isoformat() if iv else None, modality=ev.modality, event_class=_class(mentions),
        summary=best["summary"], participants=list(participants.values()), mentions=[_mention(m) for m in mentions],
        sources=sorted({m["article_id"] for m in mentions}, key=[m["article_id"] for m in mentions].index),
        quote_ids=sorted({q for m in mentions for q in m.get("quote_ids", [])}),
        # found only as something an entity did (no taxonomy word, no date of its own): views down-rank it
        generic=all(m.get("generic") for m in mentions),
    )


def _mention(m: dict[str, Any]) -> EventMention:
    """An event's record of one of its mentions: where it is, its trigger, its TimeML reading and its date."""
    trig = m["trigger"]
    return EventMention(article_id=m["article_id"], part=m.get("field"), span=span_of(m["span"]), text=m["text"],
                        clause=span_of(m["clause"]), trigger=Trigger(span_of(trig["span"]), trig["text"], trig.get("lemma")),
                        timeml=m.get("timeml") or None, date=m.get("date"), date_from=m.get("date_from"),
                        timex=m.get("timex"), modality=m.get("modality"), status=m.get("status"))


NOT_HAPPENINGS = frozenset({"other", "statement", None})  # news types that are no happening of their own


def main_events(events: list[Event]) -> dict[str, str]:
    """Each article's main event (article id → event id): the happening it was written to report, as news
    writing puts it in its headline and lead. Each of the article's event mentions is weighed by where it
    is (the title; how early its sentence comes among the article's sentences that tell events, the first
    three counting), whether it is a typed happening (an agreement, a delivery: not a bare statement or an
    untyped predicate), done, dated, and how many other articles tell the same event (the news is what
    several outlets carry); a generic mention (an entity's undated doing) only when nothing else is there.
    Ties go to the earlier mention."""
    by_article: dict[str, list[tuple[Event, EventMention]]] = {}
    for ev in events:
        for m in ev.mentions:
            by_article.setdefault(m.article_id, []).append((ev, m))
    out: dict[str, str] = {}
    for aid, pairs in by_article.items():
        starts = sorted({m.span[0] for _, m in pairs if not m.part})
        rank = {s: k for k, s in enumerate(starts)}

        def weight(pair: tuple[Event, EventMention]) -> tuple[bool, float, int]:
            ev, m = pair
            w = 3.0 if m.part == "title" else max(0, 3 - rank[m.span[0]])  # the headline, the lead
            w += 1.0 if ev.type not in NOT_HAPPENINGS else 0.0
            w += 0.5 if m.modality in _DONE else 0.0
            w += 0.5 if m.date else 0.0
            # the news many outlets carry: each other article telling the event counts half a lead sentence, up to
            # as much as the headline (chosen on ECB+'s train topics: articles by main event B³ 0.301 -> 0.370)
            w += MAIN_EVENT_PER_SOURCE * min(len([s for s in ev.sources if s != aid]), MAIN_EVENT_SOURCES)
            return (not ev.generic, w, -m.trigger.span[0])

        out[aid] = max(pairs, key=weight)[0].id
    return out
