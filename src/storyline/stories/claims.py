"""Claims compared across a story's sources: the same figure, first or status side by side, marked agree, compatible, evolving or conflict."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from storyline.model import stable_id
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


def _status(values: list[dict], ranges: list[tuple[float, float]] | None = None, same: bool | None = None) -> str:
    if len({v["article_id"] for v in values}) < 2 and len(values) < 2:
        return "single"
    if same:
        return "agree"
    if ranges is not None:
        if all(_overlap(a, b) for i, a in enumerate(ranges) for b in ranges[i + 1:]):
            return "compatible"
        mods = {v.get("modality") for v in values}
        if len(mods) > 1:
            return "evolving"  # an expected figure and the figure done
    return "conflict"


def _entry(c: dict, value: str) -> dict[str, Any]:
    return {"value": value, "article_id": c["article_id"], "span": c["span"], "text": c.get("sentence_text", ""),
            "modality": c.get("modality"), "date": c.get("published")}


def compare(claim_mentions: list[dict[str, Any]], events: list[dict[str, Any]], story_id: str,
            main_product: str | None = None) -> list[dict[str, Any]]:
    """A story's claims. `claim_mentions` carry article_id, published (the article's date or bounds
    as text), sentence_text and the fields `nlp.claim_mentions.find_claims` gives; `events` are the
    story's merged events. Groups: a sum of money about the same thing ('deal' + its product), a
    count of the same unit, the holder of the same first ('first NATO member to buy'), the status
    of sanctions over time, and the date of a one-off event (an agreement or purchase between the
    same parties) told differently by different sources."""
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for c in claim_mentions:
        prod = (sorted(c.get("products") or []) or [main_product])[0]
        if c["kind"] == "money":
            if not c.get("subject"):
                continue
            groups[("money", c["subject"], prod)].append(c)
        elif c["kind"] == "count":
            groups[("count", c["value"]["unit"], prod)].append(c)
        elif c["kind"] == "first":
            v = c["value"]
            quals = sorted({e["name"] for e in c.get("entities", []) if e["type"] in ("ORG", "NORP")
                            and e["name"] in v["class"]})
            cls = f"{quals[0]} member" if quals else "buyer"  # "NATO country" ~ "NATO member state"
            groups[("first", cls, _ACTIONS.get(v["action"], v["action"]), prod)].append(c)
    out: list[dict[str, Any]] = []
    for key, cs in groups.items():
        kind = key[0]
        if kind == "money":
            ranges = [_money_range(c["value"]) for c in cs]
            same = len({(c["value"]["amount"], c["value"].get("bound")) for c in cs}) == 1
            values = [_entry(c, c["text"]) for c in cs]
            subject = f"{key[2]} {key[1]}" if key[2] else key[1]
            out.append(_claim(story_id, subject, "value", _status(values, ranges, same), values))
        elif kind == "count":
            nums = [c["value"]["number"] for c in cs]
            values = [_entry(c, c["text"]) for c in cs]
            subject = f"{key[2]} {key[1]}s" if key[2] else f"{key[1]}s"
            out.append(_claim(story_id, subject, "count", _status(values, [(n, n) for n in nums], len(set(nums)) == 1),
                              values))
        else:
            holders = [c["value"]["holder"] for c in cs]
            values = [_entry(c, h) for c, h in zip(cs, holders)]
            what = f" {key[3]}" if key[3] else ""
            subject = f"first {key[1]} to {key[2]}{what}"
            out.append(_claim(story_id, subject, "first", _status(values, same=len(set(holders)) == 1), values))
    out += _sanction_statuses(events, story_id)
    out += _date_conflicts(events, story_id)
    return out


def _claim(story_id: str, subject: str, attribute: str, status: str, values: list[dict]) -> dict[str, Any]:
    return {"id": stable_id("c", story_id, subject, attribute), "story_id": story_id, "subject": subject,
            "attribute": attribute, "status": status, "values": values}


def _sanction_statuses(events: list[dict], story_id: str) -> list[dict]:
    """Sanctions: threatened → considered → imposed, as the sources tell it over time."""
    rows = []
    for ev in events:
        if ev["type"] != "sanction":
            continue
        for m in ev["mentions"]:
            st = m.get("status")
            if st and st != "mentioned":
                rows.append((ev, m, st))
    if not rows:
        return []
    values = [{"value": st, "article_id": m["article_id"], "span": m["clause"], "text": m["text"],
               "modality": m.get("modality"), "date": m.get("date") or ev.get("date")} for ev, m, st in rows]
    statuses = {v["value"] for v in values}
    status = "single" if len(values) == 1 else "agree" if len(statuses) == 1 else "evolving"
    return [_claim(story_id, "sanctions", "status", status, values)]


def _date_conflicts(events: list[dict], story_id: str) -> list[dict]:
    """One-off events between the same parties with dates that cannot both be true."""
    out = []
    done = [e for e in events if e["type"] in ONE_OFF and e["modality"] == "done" and period(e.get("date"))]
    seen: set[tuple[str, str]] = set()
    for i, a in enumerate(done):
        pa = {p["entity_id"]: p for p in a["participants"] if p.get("entity_id") and p["type"] in ("GPE", "ORG")}
        for b in done[i + 1:]:
            pb = {p["entity_id"]: p for p in b["participants"] if p.get("entity_id") and p["type"] in ("GPE", "ORG")}
            agents_a = {k for k, p in pa.items() if p["role"] == "agent"}
            agents_b = {k for k, p in pb.items() if p["role"] == "agent"}
            buyer = agents_a & agents_b
            others = (set(pa) & set(pb)) - buyer
            if not buyer or not others or compatible(a["date"], b["date"]):
                continue
            names = sorted(pa[k]["name"] for k in buyer) + sorted(pa[k]["name"] for k in others)
            key = (a["id"], b["id"])
            if key in seen:
                continue
            seen.add(key)
            values = []
            for ev in (a, b):
                m = next((m for m in ev["mentions"] if m.get("date")), ev["mentions"][0])
                values.append({"value": ev["date"], "article_id": m["article_id"], "span": m["clause"],
                               "text": m["text"], "modality": m.get("modality"), "date": ev["date"]})
            subject = f"{' – '.join(names)} {a['type']}"
            out.append(_claim(story_id, subject, "date", "conflict", values))
    return out
