"""Cross-document event coreference: a story's event mentions merged into events, each dated at the precision its sources allow."""

from __future__ import annotations

import re
from typing import Any

from storyline.model import stable_id
from storyline.published import period
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


def _weekday(value: str | None) -> int | None:
    """'XXXX-WXX-2' (a Tuesday the text did not date) → 1 (Monday is 0)."""
    m = re.match(r"^XXXX-WXX-(\d)", value or "")
    return int(m[1]) - 1 if m else None


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
    dated = [(v, period(v)) for v in values if period(v)]
    if not dated:
        return None
    dated.sort(key=lambda x: ((x[1][1] - x[1][0]).days, x[0]))
    for v, (a, b) in dated:
        if all(c <= a and b <= d for _, (c, d) in dated):
            return v
    return None


def _key_entities(m: dict) -> set[str]:
    return {p["entity_id"] for p in m["participants"] if p.get("entity_id") and p.get("role") != "place"}


def _modality_class(m: dict) -> str:
    mod = m.get("modality")
    return "done" if mod in _DONE else mod


def _fits(m: dict, ev: dict) -> bool:
    if ev["type"] != m["type"] or ev["modality"] != _modality_class(m):
        return False
    if ev["modality"] == "negated":
        return False
    if not all(compatible(m.get("date"), x.get("date")) for x in ev["mentions"]):
        return False
    same_word = any(x["trigger"].get("lemma") == m["trigger"].get("lemma") for x in ev["mentions"])
    if m["type"] == "other" and not same_word:
        return False  # an untyped predicate is one event only with the same word for it
    a, b = _key_entities(m), ev["entities"]
    shared = a & b
    if not shared:
        return False
    overlap = len(shared) / min(len(a), len(b))
    undated = period(m.get("date")) is None or ev["date"] is None
    if m["type"] == "statement":  # the same speaker on the same day
        return overlap >= 0.5 and not undated and precision(m.get("date")) == "day" and m.get("date") == ev["date"]
    if undated:  # nothing but the parties to go by: the same word for it, and most of the parties
        return overlap >= 0.66 and (len(shared) >= 3 or (same_word and len(shared) >= 2))
    return overlap >= 0.5


def corefer(mentions: list[dict[str, Any]], story_id: str) -> list[dict[str, Any]]:
    """A story's event mentions (in ingestion order, participants linked to entity ids) → events.

    A mention joins an earlier event of the same type and modality whose participants it shares
    (at least half of the smaller set; two or more, and two thirds, when either is undated) and
    whose mentions' dates all overlap its own ('fall 2017' with '2017'; a bare 'Tuesday' only
    with a Tuesday). Statements merge only on the same day; an untyped (`other`) predicate only with
    the same word ("pressured" and "abandoned" are two events whatever they share). The event's date is the most precise
    date that fits inside all its mentions' dates.
    """
    events: list[dict[str, Any]] = []
    # (type, modality class, key entity) → numbers of the events holding it: an event fits a mention only
    # with the same type and modality and a key entity in common, so only those are tried (first made
    # first, as a scan of all events would), not every event of the story for every mention
    index: dict[tuple[str, str, str], list[int]] = {}
    for m in mentions:
        kind = (m["type"], _modality_class(m))
        tried = sorted({n for e in _key_entities(m) for n in index.get((*kind, e), ())})
        n = next((n for n in tried if _fits(m, events[n])), None)
        if n is None:
            n = len(events)
            events.append({"id": stable_id("v", story_id, m["article_id"], str(m["trigger"]["span"][0])),
                           "story_id": story_id, "type": m["type"], "modality": _modality_class(m),
                           "entities": set(), "mentions": [], "date": None})
        target = events[n]
        target["mentions"].append(m)
        for e in _key_entities(m) - target["entities"]:
            index.setdefault((*kind, e), []).append(n)
            target["entities"].add(e)
        target["date"] = _narrowest([x["date"] for x in target["mentions"] if x.get("date")])
    return [_finish(ev) for ev in events]


def _finish(ev: dict[str, Any]) -> dict[str, Any]:
    mentions, seen = [], set()
    for m in sorted(ev["mentions"], key=lambda m: m.get("date") is None):  # one mention per sentence, dated first
        key = (m["article_id"], tuple(m["span"]))
        if key not in seen:
            seen.add(key)
            mentions.append(m)
    mentions.sort(key=ev["mentions"].index)
    date = ev["date"]
    best = max(mentions, key=lambda m: (len(m["participants"]), m.get("date") is not None, -len(m["summary"])))
    participants: dict[str, dict] = {}
    for m in mentions:
        for p in m["participants"]:
            key = p.get("entity_id") or p["name"]
            if key not in participants:  # `ref`: the mention it came from, to re-link it after a later build
                participants[key] = {"role": p["role"], "entity_id": p.get("entity_id"), "name": p["name"],
                                     "type": p["type"], "ref": [m["article_id"], p["span"][0]]}
    iv = period(date)
    return {
        "id": ev["id"],
        "story_id": ev["story_id"],
        "type": ev["type"],
        "date": date,
        "precision": precision(date),
        "sort": iv[0].isoformat() if iv else None,
        "modality": ev["modality"],
        "summary": best["summary"],
        "participants": list(participants.values()),
        "mentions": [{"article_id": m["article_id"], "span": m["span"], "text": m["text"],
                      "clause": m["clause"], "trigger": {"span": m["trigger"]["span"], "text": m["trigger"]["text"]},
                      "date": m.get("date"), "date_from": m.get("date_from"), "timex": m.get("timex"),
                      "modality": m.get("modality"), "status": m.get("status")} for m in mentions],
        "sources": sorted({m["article_id"] for m in mentions}, key=[m["article_id"] for m in mentions].index),
        "quote_ids": sorted({q for m in mentions for q in m.get("quote_ids", [])}),
        # found only as something an entity did (no taxonomy word, no date of its own): views down-rank it
        **({"generic": True} if all(m.get("generic") for m in mentions) else {}),
    }
