"""Claims compared across a story's sources: the same figure, first or status side by side, marked agree, compatible, evolving or conflict."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable
from typing import Any

from storyline.model import Claim, ClaimValue, Event, EventMention, Participant, span_of, stable_id
from storyline.nlp.event_mentions import _STATUS_WORDS
from storyline.published import period
from storyline.stories.events import ONE_OFF, compatible

_ACTIONS = {"purchase": "buy", "buy": "buy", "acquire": "buy", "seal": "buy", "sign": "buy", "order": "buy",
            "procure": "buy", "receive": "buy", "sell": "sell", "supply": "sell", "deliver": "sell"}
# statuses a measure moves through, in order: a later one after an earlier one is evolution, not conflict
STATUS_ORDER = ["mentioned", "threatened", "considered", "imposed", "in force", "lifted"]


def _money_range(v: dict) -> tuple[float, float]:
    x = v["amount"]
    b = v.get("bound")
    if b == "more":
        return x, float("inf")
    if b == "less":
        return 0.0, x
    if b == "about":
        return x * 0.9, x * 1.1
    return x * 0.995, x * 1.005


def _overlap(a: tuple[float, float], b: tuple[float, float]) -> bool:
    return a[0] <= b[1] and b[0] <= a[1]


def is_name(name: str | None) -> bool:
    """A name a claim can be about: letters, capitalised or with a digit ("Turkey", "S-400", "iPhone"),
    a few words long; never markup, a URL, a social-media handle or a hashtag ('2016">.@berniesander')."""
    if not name or len(name) > 60 or len(name.split()) > 6:
        return False
    if _MARKUP.search(name) or name.lower().startswith(("http", "www.")):
        return False
    words = [w for w in re.findall(r"[^\W\d_][\w'’.-]*", name)]
    if not words:
        return False
    return any(w[0].isupper() or any(ch.isupper() for ch in w[1:]) for w in words) or any(ch.isdigit() for ch in name)


_MARKUP = re.compile(r"[<>\"=@#{}\[\]|\\/]|&\w+;")


class _Canon:
    """The story's canonical entities: a mention's name (or alias) → the canonical name, or None where the
    name is no canonical entity of the story (or not a name at all). Without the story's entities (a
    unit test), any name that reads as a name stands for itself."""

    def __init__(self, entities: list[dict[str, Any]] | None):
        self.known: dict[str, str] | None = None
        self.by_id: dict[str, str] = {}
        if entities is not None:
            self.known = {}
            for e in entities:
                if not is_name(e.get("name")):
                    continue
                self.by_id[e["id"]] = e["name"]
                for alias in [e["name"], *(e.get("aliases") or [])]:
                    self.known.setdefault(alias.lower(), e["name"])

    def name(self, name: str | None) -> str | None:
        if name is None or not is_name(name):
            return None
        if self.known is None:
            return name
        return self.known.get(name.lower())

    def participant(self, p: Participant) -> str | None:
        """The canonical name of an event's participant: its entity's, else its own name read as one."""
        if self.known is not None and p.entity_id is not None and p.entity_id in self.by_id:
            return self.by_id[p.entity_id]
        return self.name(p.name)


def _by_article(values: list[ClaimValue]) -> dict[str, list[int]]:
    out: dict[str, list[int]] = defaultdict(list)
    for i, v in enumerate(values):
        out[v.article_id].append(i)
    return out


def _status(values: list[ClaimValue], fits: Callable[[int, int], bool],
            same: bool) -> tuple[str, tuple[int, int] | None]:
    """Whether the sources agree, compared article against article: values from one article only are
    that article's own series ('single'); two articles agree where some value of one fits some value of
    the other (`fits(i, j)`: whether values i and j can both hold); a pair of articles with no value in
    common is a conflict (or evolution, an expected figure against one done). Returns the status and, for a
    conflict or evolution, the two values side by side."""
    arts = _by_article(values)
    if len(arts) < 2:
        return "single", None
    if same:
        return "agree", None
    ids = list(arts)
    for i, a in enumerate(ids):
        for b in ids[i + 1:]:
            if any(fits(x, y) for x in arts[a] for y in arts[b]):
                continue
            pair = (arts[a][0], arts[b][0])
            mods = {values[x].modality for x in arts[a] + arts[b]}
            return ("evolving" if len(mods) > 1 else "conflict"), pair
    return "compatible", None


def _entry(c: dict, value: str) -> ClaimValue:
    """A claim mention's value, cited from its sentence, dated by its article's publication."""
    return ClaimValue(value=value, article_id=c["article_id"], span=span_of(c["span"]), text=c.get("sentence_text", ""),
                      modality=c.get("modality"), date=c.get("published"))


def _event_at(events: list[Event]) -> dict[tuple[str, int], Event]:
    """(article, trigger start) → the merged event whose mention has that trigger."""
    return {(m.article_id, m.trigger.span[0]): ev for ev in events for m in ev.mentions}


def _anchor(c: dict, canon: _Canon, main_product: str | None, event_at: dict[tuple[str, int], Event]) -> str | None:
    """The canonical entity a figure is about: a product the sentence names, an entity the figure's noun
    belongs to ("Turkey's loan", `about` from the parse), or the story's main product where the figure's
    noun is itself a mention of one of the story's events that product takes part in ('the deal')."""
    for p in sorted(c.get("products") or []):
        if (n := canon.name(p)):
            return n
    for a in c.get("about") or []:
        if (n := canon.name(a)):
            return n
    span = c.get("subject_span")
    if main_product and span:
        ev = event_at.get((c["article_id"], span[0]))
        if ev and any(canon.participant(p) == main_product for p in ev.participants):
            return main_product
    return None


def compare(claim_mentions: list[dict[str, Any]], events: list[Event], story_id: str,
            main_product: str | None = None, entities: list[dict[str, Any]] | None = None) -> list[Claim]:
    """A story's claims. `claim_mentions` carry article_id, published (the article's date or bounds
    as text), sentence_text and the fields `nlp.claim_mentions.find_claims` gives; `events` are the
    story's merged events; `entities` its canonical entities (id, name, aliases). Groups: a sum of
    money about the same thing (a canonical entity and the noun valued: 'S-400 deal'), a count of
    the same unit of the same product, the holder of the same first ('first NATO member to buy'), the
    status of sanctions on the same target over time, and the date of a one-off event (an agreement
    or purchase between the same parties) told differently by different articles. A subject is
    always a canonical entity or a merged event, never a bare noun; a comparison is always between
    articles (values from one article only are 'single')."""
    canon = _Canon(entities)
    main = canon.name(main_product)
    event_at = _event_at(events)
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for c in claim_mentions:
        if c["kind"] == "money":
            noun = c.get("subject")
            if not noun or not noun.isalpha():
                continue
            anchor = _anchor(c, canon, main, event_at)
            if anchor is None or anchor.lower() == noun:
                continue  # no canonical entity the figure is about, or no noun saying what is valued
            groups[("money", noun, anchor)].append(c)
        elif c["kind"] == "count":
            anchor = next((n for p in sorted(c.get("products") or []) if (n := canon.name(p))), None)
            if anchor is None:
                continue
            groups[("count", c["value"]["unit"], anchor)].append(c)
        elif c["kind"] == "first":
            v = c["value"]
            if not canon.name(v["holder"]) and not is_name(v["holder"]):
                continue
            prod = next((n for p in sorted(c.get("products") or []) if (n := canon.name(p))), main)
            if prod is None:
                continue  # "the first country to buy": of what, no canonical entity says
            quals = sorted({e["name"] for e in c.get("entities", []) if e["type"] in ("ORG", "NORP")
                            and e["name"] in v["class"]})
            cls = f"{quals[0]} member" if quals else "buyer"  # "NATO country" ~ "NATO member state"
            groups[("first", cls, _ACTIONS.get(v["action"], v["action"]), prod)].append(c)
    out: list[Claim] = []
    for key, cs in groups.items():
        kind = key[0]
        if kind == "money":
            values = [_entry(c, c["text"]) for c in cs]
            ranges = [_money_range(c["value"]) for c in cs]
            same = len({(c["value"]["amount"], c["value"].get("bound")) for c in cs}) == 1
            status, pair = _status(values, lambda i, j: _overlap(ranges[i], ranges[j]), same)
            out.append(_claim(story_id, f"{key[2]} {key[1]}", "value", status, values, [key[2]], pair))
        elif kind == "count":
            values = [_entry(c, c["text"]) for c in cs]
            numbers = [c["value"]["number"] for c in cs]
            status, pair = _status(values, lambda i, j: numbers[i] == numbers[j], len(set(numbers)) == 1)
            out.append(_claim(story_id, f"{key[2]} {key[1]}s", "count", status, values, [key[2]], pair))
        else:
            values = [_entry(c, canon.name(c["value"]["holder"]) or c["value"]["holder"]) for c in cs]
            status, pair = _status(values, lambda i, j: values[i].value == values[j].value,
                                   len({v.value for v in values}) == 1)
            out.append(_claim(story_id, f"first {key[1]} to {key[2]} {key[3]}", "first", status, values, [key[3]], pair))
    out += _sanction_statuses(events, story_id, canon)
    out += _date_conflicts(events, story_id, canon)
    return out


def _claim(story_id: str, subject: str, attribute: str, status: str, values: list[ClaimValue], about: list[str],
           pair: tuple[int, int] | None = None) -> Claim:
    """The claim, its id from its story, subject and attribute."""
    return Claim(id=stable_id("c", story_id, subject, attribute), story_id=story_id, subject=subject, about=about,
                 attribute=attribute, status=status, values=values, pair=pair)


# trigger words that state a sanction or its status in so many words; "excluded from a programme" is a
# measure of its own, and a status read from its tense is not one the sentence states
_STATED = {"sanction", "embargo", "blacklist", "penalize", "penalise"} | {w for _, ws in _STATUS_WORDS for w in ws}
_FROM_THE_DAY = ("published", "lead")  # dates read from the article's own day, not stated
_TARGET_TYPES = ("GPE", "ORG", "PERSON", "NORP")


def _sanction_statuses(events: list[Event], story_id: str, canon: _Canon) -> list[Claim]:
    """Sanctions on the same target (a canonical entity: the patient of the story's sanction events, or
    the imposer where no target is named): threatened → considered → imposed, as the sources tell it
    over time, each status cited from the sentence that states it."""
    rows: list[tuple[Event, EventMention, str, Counter[str], Counter[str]]] = []
    for ev in events:
        if ev.type != "sanction":
            continue
        targets = Counter(n for p in ev.participants if p.role == "patient" and p.type in _TARGET_TYPES
                          for n in [canon.participant(p)] if n)
        imposers = Counter(n for p in ev.participants if p.role in ("agent", "participant")
                           and p.type in _TARGET_TYPES for n in [canon.participant(p)] if n)
        for m in ev.mentions:
            st = m.status
            lemma = (m.trigger.lemma or "").lower()
            if st and st != "mentioned" and lemma in _STATED:
                rows.append((ev, m, st, targets, imposers))
    if not rows:
        return []
    all_targets: Counter[str] = sum((r[3] for r in rows), Counter())
    all_imposers: Counter[str] = sum((r[4] for r in rows), Counter())
    main_target = all_targets.most_common(1)[0][0] if all_targets else None
    groups: dict[tuple[str, str], list[tuple[Event, EventMention, str]]] = defaultdict(list)
    for ev, m, st, targets, imposers in rows:
        who = targets.most_common(1)[0][0] if targets else main_target
        if who:
            subject = f"sanctions on {who}"
        elif all_imposers:
            who = all_imposers.most_common(1)[0][0]
            subject = f"{who} sanctions"
        else:
            continue  # no canonical entity the sanctions are on or by
        groups[(subject, who)].append((ev, m, st))
    out = []
    for (subject, who), rs in groups.items():
        values = [ClaimValue(value=st, article_id=m.article_id, span=m.clause, text=m.text, modality=m.modality,
                             date=m.date or ev.date) for ev, m, st in rs]
        statuses = {v.value for v in values}
        status = ("single" if len({v.article_id for v in values}) < 2 else "agree" if len(statuses) == 1
                  else "evolving")
        out.append(_claim(story_id, subject, "status", status, values, [who]))
    return out


def _date_conflicts(events: list[Event], story_id: str, canon: _Canon) -> list[Claim]:
    """One-off events between the same parties (canonical entities) with dates that cannot both be
    true, told by two different articles."""
    out = []
    done = [(e, e.date) for e in events if e.type in ONE_OFF and e.modality == "done" and e.date and period(e.date)]
    seen: set[tuple[str, str]] = set()

    def parties(ev: Event) -> dict[str, Participant]:
        return {p.entity_id: p for p in ev.participants
                if p.entity_id and p.type in ("GPE", "ORG") and canon.participant(p)}

    for i, (a, date_a) in enumerate(done):
        pa = parties(a)
        for b, date_b in done[i + 1:]:
            pb = parties(b)
            agents_a = {k for k, p in pa.items() if p.role == "agent"}
            agents_b = {k for k, p in pb.items() if p.role == "agent"}
            buyer = agents_a & agents_b
            others = (set(pa) & set(pb)) - buyer
            if not buyer or not others or compatible(date_a, date_b):
                continue
            key = (a.id, b.id)
            if key in seen:
                continue
            # the dates as the texts state them: a date taken from the article's day ("on Wednesday" read
            # as the day it was published) is no source's statement to contradict
            ma = [m for m in a.mentions if m.date and m.date_from not in _FROM_THE_DAY]
            mb = [m for m in b.mentions if m.date and m.date_from not in _FROM_THE_DAY]
            cited = next(((x, y) for x in ma for y in mb if x.article_id != y.article_id), None)
            if cited is None:
                continue  # one article's own dates: not two sources disagreeing
            seen.add(key)
            # each party has a canonical name (`parties`)
            names = (sorted(n for k in buyer if (n := canon.participant(pa[k])))
                     + sorted(n for k in others if (n := canon.participant(pa[k]))))
            values = [ClaimValue(value=date, article_id=m.article_id, span=m.clause, text=m.text, modality=m.modality,
                                 date=date) for date, m in zip((date_a, date_b), cited)]
            subject = f"{' – '.join(names)} {a.type}"
            out.append(_claim(story_id, subject, "date", "conflict", values, names, (0, 1)))
    return out
