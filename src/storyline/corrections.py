"""Corrections a person makes to what the stages computed, kept as records and replayed after every link so that no rebuild undoes them.

The operations: merge two entities, split an entity (its mentions written one way become an entity of their
own), rename an entity, set or clear a quote's speaker, reject an event, a quote or a claim, re-date an article.
Each is stored as its own record (`corrections` table: who, when, why, the operation, its target, and in its
payload what re-finds the target when ids move), never as a hand edit of the computed rows.

How they last: `replay` first puts back every computed row the last replay changed (the journal holds the
inverse of each change: `Store.unapply_journal`), then applies every correction not undone, in the order they
were made, each change journalled. `pipeline.link_articles` puts the rows back before the cross-article stages
run (so the stages' incremental state compares against what they computed, never against a correction) and
replays after them; applying twice is applying once, since a replay starts from the computed rows. Undoing a
correction marks it undone and replays the others: the rows come back as computed.

Finding a target again: entity ids derive from names and change when canonicalisation does, so an entity is
found by its id, else as the entity holding most of the mentions (article, start) it had when corrected, else
by its exact name and type; a quote by its id, else by its article and start; an event or a claim by its id,
else in its story by its mentions or values. A correction whose target is gone is kept and listed as not
applied (its status says why); a later build may find the target again.

Re-dating sets the article's publication (a day, or a month or year as bounds) and its story's first and last
dates; event dates read from the article's own words ("yesterday") keep the date they were resolved against."""

from __future__ import annotations

import calendar
import datetime as dt
import getpass
import json
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from storyline.model import stable_id

if TYPE_CHECKING:
    from storyline.store import Store

OPS = ("merge-entities", "split-entity", "rename-entity", "speaker", "reject", "redate")
REJECTABLE = ("event", "quote", "claim")
_SNAPSHOT_MENTIONS = 200  # mentions kept in a payload to find an entity again
_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


class CorrectionError(ValueError):
    """A correction that cannot be made (an unknown target, an ambiguous name, a bad date): one line."""


class TargetGone(LookupError):
    """At replay: the correction's target is not in the computed rows any more."""


def now() -> str:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def default_author() -> str:
    """The OS user, the default of `--by`."""
    try:
        return getpass.getuser()
    except Exception:  # no user name in the environment (a container)
        return "unknown"


def mark(c: dict[str, Any]) -> dict[str, Any]:
    """What a corrected object carries (`corrected`), and a rejected one's record in the dossier."""
    return {"id": c["id"], "op": c["op"], "why": c["why"], "by": c["made_by"], "at": c["created_at"]}


# --- targets ---------------------------------------------------------------------------------------------
def _entity(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "data": json.loads(row["data"])}


def find_entity(store: Store, ref: str) -> dict[str, Any]:
    """The entity `ref` names: its id, else its exact name or alias (one entity). CorrectionError otherwise,
    listing the candidates when the name is ambiguous."""
    rows = store.rows_where("entities", {"id": ref})
    if rows:
        return _entity(rows[0])
    named = store.entities_named(ref)
    exact = [e for e in named if e["name"] == ref]
    found = exact if len(exact) == 1 else named
    if len(found) == 1:
        return {"id": found[0]["id"], "name": found[0]["name"], "type": found[0]["type"], "data": found[0]["data"]}
    if not found:
        raise CorrectionError(f"no entity {ref!r} (give an entity id, or its exact name or alias:"
                              " storyline entities --name lists them)")
    listed = "; ".join(f"{e['id']} ({e['name']}, {e['type']})" for e in found[:8])
    raise CorrectionError(f"{ref!r} names {len(found)} entities: {listed}; give an entity id")


def entity_snapshot(store: Store, e: dict[str, Any]) -> dict[str, Any]:
    """What finds an entity again: its id, name, type and mentions (article, start, end, text)."""
    ms = sorted(store.rows_where("entity_mentions", {"entity_id": e["id"]}), key=lambda m: (m["article_id"], m["start"]))
    return {"id": e["id"], "name": e["name"], "type": e["type"],
            "mentions": [[m["article_id"], m["start"], m["end"], m["text"]] for m in ms[:_SNAPSHOT_MENTIONS]]}


def _resolve_entity(store: Store, snap: dict[str, Any]) -> dict[str, Any]:
    rows = store.rows_where("entities", {"id": snap["id"]})
    if not rows:
        owners = store.mention_owners((m[0], m[1]) for m in snap["mentions"])
        if owners:
            rows = store.rows_where("entities", {"id": max(owners, key=lambda k: (owners[k], k))})
    if not rows:
        named = [e for e in store.entities_named(snap["name"]) if e["name"] == snap["name"] and e["type"] == snap["type"]]
        if len(named) == 1:
            rows = store.rows_where("entities", {"id": named[0]["id"]})
    if not rows:
        raise TargetGone(f"entity {snap['name']!r} ({snap['id']})")
    return _entity(rows[0])


def find_quote(store: Store, ref: str) -> dict[str, Any]:
    rows = store.rows_where("quotes", {"id": ref})
    if not rows:
        raise CorrectionError(f"no quote {ref!r} (storyline quotes --json gives quote ids)")
    return {**rows[0], "data": json.loads(rows[0]["data"])}


def _resolve_quote(store: Store, snap: dict[str, Any]) -> dict[str, Any]:
    rows = store.rows_where("quotes", {"id": snap["id"]}) or store.rows_where(
        "quotes", {"article_id": snap["article_id"], "start": snap["span"][0]})
    if not rows:
        raise TargetGone(f"quote {snap['id']}")
    return {**rows[0], "data": json.loads(rows[0]["data"])}


def _mention_keys(obj: dict[str, Any], kind: str) -> set[tuple[str, int]]:
    """An event's mentions or a claim's values as (article id, start)."""
    items = obj.get("mentions" if kind == "event" else "values") or []
    return {(str(m["article_id"]), int(m["span"][0])) for m in items if m.get("article_id") and m.get("span")}


def _find_layer(store: Store, kind: str, ref: str) -> dict[str, Any]:
    rows = store.rows_where("events" if kind == "event" else "claims", {"id": ref})
    if not rows:
        raise CorrectionError(f"no {kind} {ref!r} (storyline {kind}s --json gives {kind} ids)")
    return json.loads(rows[0]["data"])


def _resolve_layer(store: Store, kind: str, snap: dict[str, Any]) -> dict[str, Any]:
    table = "events" if kind == "event" else "claims"
    rows = store.rows_where(table, {"id": snap["id"]})
    if rows:
        return json.loads(rows[0]["data"])
    keys = {(a, s) for a, s in snap["refs"]}
    stories = {r["story_id"] for a in {a for a, _ in keys} for r in store.rows_where("articles", {"id": a}) if r["story_id"]}
    best, score = None, 0
    for sid in sorted(stories):
        for x in store.events_of_story(sid) if kind == "event" else store.claims_of_story(sid):
            if kind == "claim" and (x.get("subject"), x.get("attribute")) != (snap.get("subject"), snap.get("attribute")):
                continue
            n = len(keys & _mention_keys(x, kind))
            if n * 2 > len(keys) and n > score:  # most of what it was told by
                best, score = x, n
    if best is None:
        raise TargetGone(f"{kind} {snap['id']}")
    return best


# --- making one ----------------------------------------------------------------------------------------------
def _check_why(why: str | None) -> str:
    why = " ".join((why or "").split())
    if not why:
        raise CorrectionError("say why: --why TEXT (kept with the correction, shown wherever it applies)")
    return why


def _record(store: Store, op: str, kind: str, target_id: str, payload: dict[str, Any], why: str | None,
            by: str | None) -> int:
    """Store a correction and replay them all, in one transaction; returns its id. Its status says whether it
    applied (it does, for a target just checked)."""
    why = _check_why(why)
    by = " ".join((by or "").split()) or default_author()
    with store.transaction():
        cid = store.add_correction(now(), by, why, op, kind, target_id, payload)
        replay(store)
    return cid


def merge_entities(store: Store, a: str, b: str, why: str | None, by: str | None = None) -> int:
    """B's mentions become A's, B's names A's aliases, B's quotes A's."""
    ea, eb = find_entity(store, a), find_entity(store, b)
    if ea["id"] == eb["id"]:
        raise CorrectionError(f"{a!r} and {b!r} are the same entity ({ea['id']}): nothing to merge")
    return _record(store, "merge-entities", "entity", ea["id"],
                   {"a": entity_snapshot(store, ea), "b": entity_snapshot(store, eb)}, why, by)


def split_entity(store: Store, ref: str, alias: str, why: str | None, by: str | None = None) -> int:
    """The entity's mentions written `alias` become an entity of their own, named so."""
    e = find_entity(store, ref)
    forms = sorted({m["text"] for m in store.rows_where("entity_mentions", {"entity_id": e["id"]})})
    if alias not in forms:
        raise CorrectionError(f"no mention of {e['name']} ({e['id']}) is written {alias!r}; it is written: "
                              + "; ".join(repr(f) for f in forms[:12]))
    if len(forms) == 1:
        raise CorrectionError(f"every mention of {e['name']} ({e['id']}) is written {alias!r}: nothing would remain;"
                              " rename it instead")
    return _record(store, "split-entity", "entity", e["id"], {"entity": entity_snapshot(store, e), "alias": alias}, why, by)


def rename_entity(store: Store, ref: str, name: str, why: str | None, by: str | None = None) -> int:
    e = find_entity(store, ref)
    name = " ".join(name.split())
    if not name:
        raise CorrectionError("the new name is empty")
    if name == e["name"]:
        raise CorrectionError(f"{e['id']} is already named {name!r}")
    return _record(store, "rename-entity", "entity", e["id"], {"entity": entity_snapshot(store, e), "name": name}, why, by)


def set_speaker(store: Store, quote: str, entity: str | None, name: str | None, clear: bool, why: str | None,
                by: str | None = None) -> int:
    """The quote's speaker: an entity, a name (no entity), or none (`clear`); exactly one of them."""
    if sum((entity is not None, name is not None, clear)) != 1:
        raise CorrectionError("give exactly one of --entity, --name and --clear")
    q = find_quote(store, quote)
    payload: dict[str, Any] = {"quote": {"id": q["id"], "article_id": q["article_id"], "span": [q["start"], q["end"]],
                                         "text": q["data"].get("text")}}
    if entity is not None:
        payload["entity"] = entity_snapshot(store, find_entity(store, entity))
    elif name is not None:
        payload["name"] = " ".join(name.split())
        if not payload["name"]:
            raise CorrectionError("the speaker's name is empty")
    return _record(store, "speaker", "quote", q["id"], payload, why, by)


def reject(store: Store, kind: str, ref: str, why: str | None, by: str | None = None) -> int:
    """An event, a quote or a claim taken out of every view and export (listed under the dossier's `rejected`)."""
    if kind not in REJECTABLE:
        raise CorrectionError(f"cannot reject a {kind!r}: reject one of {', '.join(REJECTABLE)}")
    if kind == "quote":
        q = find_quote(store, ref)
        snap = {"id": q["id"], "article_id": q["article_id"], "span": [q["start"], q["end"]], "text": q["data"].get("text")}
    else:
        x = _find_layer(store, kind, ref)
        snap = {"id": x["id"], "story_id": x.get("story_id"), "refs": sorted(_mention_keys(x, kind)),
                "text": x.get("summary") if kind == "event" else f"{x.get('subject')} {x.get('attribute')}",
                **({"subject": x.get("subject"), "attribute": x.get("attribute")} if kind == "claim" else {})}
    return _record(store, "reject", kind, ref, {kind: snap}, why, by)


def parse_date(value: str) -> dict[str, Any]:
    """'2017', '2017-09' or '2017-09-12' as a publication: a day as its date, a month or a year as bounds."""
    m = _DATE.match(value.strip())
    try:
        if not m:
            raise ValueError
        y, mo, d = int(m[1]), int(m[2]) if m[2] else None, int(m[3]) if m[3] else None
        if d is not None:
            day = dt.date(y, mo or 1, d).isoformat()
            return {"date": day, "earliest": day, "latest": day, "precision": "day"}
        if mo is not None:
            last = calendar.monthrange(y, mo)[1]
            return {"date": None, "earliest": dt.date(y, mo, 1).isoformat(), "latest": dt.date(y, mo, last).isoformat(),
                    "precision": "month"}
        return {"date": None, "earliest": f"{y:04d}-01-01", "latest": f"{y:04d}-12-31", "precision": "year"}
    except ValueError:
        raise CorrectionError(f"not a date: {value!r} (give YYYY, YYYY-MM or YYYY-MM-DD)") from None


def redate(store: Store, article: str, date: str, why: str | None, by: str | None = None) -> int:
    """The article's publication set to `date` at the precision given."""
    a = store.article(article)
    if a is None:
        raise CorrectionError(f"no article {article!r} (storyline articles lists them)")
    when = parse_date(date)
    return _record(store, "redate", "article", a.id, {"article": a.id, "value": date.strip(), **when}, why, by)


def undo(store: Store, correction_id: int) -> dict[str, Any]:
    """Mark a correction undone and replay the others: what it changed comes back as computed."""
    found = [c for c in store.corrections() if c["id"] == correction_id]
    if not found:
        raise CorrectionError(f"no correction #{correction_id} (storyline corrections lists them)")
    if found[0]["undone_at"]:
        raise CorrectionError(f"correction #{correction_id} is already undone ({found[0]['undone_at']})")
    with store.transaction():
        store.set_correction_undone(correction_id, now())
        replay(store)
    return found[0]


# --- replaying -----------------------------------------------------------------------------------------------
def replay(store: Store) -> None:
    """Inside the caller's transaction: the computed rows put back, then every correction not undone applied
    in order, each one's status noted ("applied", or "not applied: target gone (…)")."""
    store.unapply_journal()
    for c in store.corrections(active_only=True):
        try:
            _APPLY[c["op"]](store, c)
            status = "applied"
        except TargetGone as e:
            status = f"not applied: target gone ({e})"
        store.set_correction_status(c["id"], status)


def reapply(store: Store) -> None:
    """After the cross-article stages: the corrections applied to what they computed (nothing written when
    there is no correction and nothing to put back)."""
    if store.corrections(active_only=True) or store.journal_pending():
        with store.transaction():
            replay(store)


def unapply(store: Store) -> None:
    """Before the cross-article stages: the computed rows as they left them."""
    if store.journal_pending():
        with store.transaction():
            store.unapply_journal()


def _marked(data: dict[str, Any], c: dict[str, Any]) -> dict[str, Any]:
    return {**data, "corrected": [*(data.get("corrected") or []), mark(c)]}


def _save_entity(store: Store, c: dict[str, Any], e: dict[str, Any], data: dict[str, Any]) -> None:
    store.journal_update(c["id"], "entities", {"id": e["id"]}, {"name": data["name"], "data": json.dumps(data)})


def _move_mentions(store: Store, c: dict[str, Any], rows: list[dict[str, Any]], to: str) -> None:
    for m in rows:
        key = {"article_id": m["article_id"], "start": m["start"], "entity_id": m["entity_id"]}
        if store.rows_where("entity_mentions", {**key, "entity_id": to}):
            store.journal_delete(c["id"], "entity_mentions", key)
        else:
            store.journal_update(c["id"], "entity_mentions", key, {"entity_id": to})


def _move_speakers(store: Store, c: dict[str, Any], quotes: list[dict[str, Any]], to: str | None,
                   name: str | None, marked: bool = False, kind: str | None = None) -> None:
    """Quotes (rows) given to another speaker: an entity `to` named `name`, a name alone, or none; `kind`: the
    speaker's type (nlp.quotes.SPEAKER_KINDS) where the correction sets it."""
    for q in quotes:
        data = json.loads(q["data"]) if isinstance(q["data"], str) else dict(q["data"])
        if name is None:
            data["speaker"] = None
        else:  # the words the article uses for the speaker (`text`, `span`) stay as found
            sp = dict(data.get("speaker") or {"text": name, "span": None, "type": kind or "PERSON"})
            sp.update(name=name, entity_id=to, **({"type": kind} if kind else {}))
            data["speaker"] = sp
        if marked:
            data = _marked(data, c)
        store.journal_update(c["id"], "quotes", {"id": q["id"]},
                             {"speaker_name": name, "speaker_entity": to, "data": json.dumps(data)})


def _apply_merge(store: Store, c: dict[str, Any]) -> None:
    a, b = _resolve_entity(store, c["payload"]["a"]), _resolve_entity(store, c["payload"]["b"])
    if a["id"] == b["id"]:
        return  # one entity already (canonicalisation merged them since)
    _move_mentions(store, c, store.rows_where("entity_mentions", {"entity_id": b["id"]}), a["id"])
    _move_speakers(store, c, store.rows_where("quotes", {"speaker_entity": b["id"]}), a["id"], a["name"])
    data = dict(a["data"])
    names = [n for n in [b["name"], *b["data"].get("aliases", [])] if n != a["name"]]
    data["aliases"] = list(dict.fromkeys([*data.get("aliases", []), *names]))
    data["roles"] = list(dict.fromkeys([*data.get("roles", []), *b["data"].get("roles", [])]))
    _save_entity(store, c, a, _marked(data, c))
    store.journal_delete(c["id"], "entities", {"id": b["id"]})


def _apply_split(store: Store, c: dict[str, Any]) -> None:
    e = _resolve_entity(store, c["payload"]["entity"])
    alias = c["payload"]["alias"]
    moving = [m for m in store.rows_where("entity_mentions", {"entity_id": e["id"]}) if m["text"] == alias]
    if not moving:
        raise TargetGone(f"no mention of {e['name']!r} written {alias!r}")
    new_id = stable_id("e", e["type"], "correction", str(c["id"]))
    data = _marked({"id": new_id, "name": alias, "type": e["type"], "aliases": [], "roles": []}, c)
    store.journal_insert(c["id"], "entities", {"id": new_id, "name": alias, "type": e["type"], "data": json.dumps(data)})
    _move_mentions(store, c, moving, new_id)
    _move_speakers(store, c, [q for q in store.rows_where("quotes", {"speaker_entity": e["id"]})
                              if alias in ((json.loads(q["data"]).get("speaker") or {}).get("text"), q["speaker_name"])],
                   new_id, alias)
    rest = dict(e["data"], aliases=[x for x in e["data"].get("aliases", []) if x != alias])
    _save_entity(store, c, e, _marked(rest, c))


def _apply_rename(store: Store, c: dict[str, Any]) -> None:
    e = _resolve_entity(store, c["payload"]["entity"])
    name = c["payload"]["name"]
    data = dict(e["data"], name=name)
    data["aliases"] = [x for x in dict.fromkeys([*e["data"].get("aliases", []), e["name"]]) if x != name]
    _save_entity(store, c, e, _marked(data, c))
    _move_speakers(store, c, [q for q in store.rows_where("quotes", {"speaker_entity": e["id"]})
                              if q["speaker_name"] == e["name"]], e["id"], name)


def _apply_speaker(store: Store, c: dict[str, Any]) -> None:
    p = c["payload"]
    q = _resolve_quote(store, p["quote"])
    row = {**q, "data": json.dumps(q["data"])}
    if "entity" in p:
        e = _resolve_entity(store, p["entity"])
        kind = "PERSON" if e["type"] == "PERSON" else "MEDIA" if e["data"].get("media") else "ORG"
        _move_speakers(store, c, [row], e["id"], e["name"], marked=True, kind=kind)
    else:
        _move_speakers(store, c, [row], None, p.get("name"), marked=True)


def _apply_reject(store: Store, c: dict[str, Any]) -> None:
    kind = c["target_kind"]
    snap = c["payload"][kind]
    if kind == "quote":
        q = _resolve_quote(store, snap)
        store.journal_delete(c["id"], "quotes", {"id": q["id"]})
        return
    x = _resolve_layer(store, kind, snap)
    if kind == "claim":
        store.journal_delete(c["id"], "claims", {"id": x["id"]})
        return
    store.journal_delete(c["id"], "event_refs", {"event_id": x["id"]})
    store.journal_delete(c["id"], "events", {"id": x["id"]})
    for s in store.rows_where("stories", {"id": x["story_id"]}):  # no article's main event any more
        data = json.loads(s["data"])
        mains = {a: e for a, e in (data.get("main_events") or {}).items() if e != x["id"]}
        if mains != data.get("main_events"):
            store.journal_update(c["id"], "stories", {"id": s["id"]}, {"data": json.dumps(dict(data, main_events=mains))})


def _apply_redate(store: Store, c: dict[str, Any]) -> None:
    p = c["payload"]
    rows = store.rows_where("articles", {"id": p["article"]})
    if not rows:
        raise TargetGone(f"article {p['article']}")
    pub = {"date": p["date"], "earliest": p["earliest"], "latest": p["latest"],
           "evidence": f"set by correction #{c['id']} ({p['value']}): {c['why']}"}
    store.journal_update(c["id"], "articles", {"id": p["article"]}, {"published": json.dumps(pub)})
    sid = rows[0]["story_id"]
    for s in store.rows_where("stories", {"id": sid}) if sid else []:  # its first and last dates, as the story stage sets them
        pubs = sorted(d for a in store.rows_where("articles", {"story_id": sid}) for x in [json.loads(a["published"])]
                      for d in (x.get("date") or x.get("earliest"), x.get("date") or x.get("latest")) if d)
        first, last = (pubs[0], pubs[-1]) if pubs else (None, None)
        data = json.loads(s["data"])
        if (first, last) != (s["first"], s["last"]):
            store.journal_update(c["id"], "stories", {"id": sid},
                                 {"first": first, "last": last, "data": json.dumps(dict(data, first=first, last=last))})


_APPLY: dict[str, Callable[[Store, dict[str, Any]], None]] = {
    "merge-entities": _apply_merge, "split-entity": _apply_split, "rename-entity": _apply_rename,
    "speaker": _apply_speaker, "reject": _apply_reject, "redate": _apply_redate,
}


# --- what views show -----------------------------------------------------------------------------------------
def applied(store: Store) -> list[dict[str, Any]]:
    """The corrections in force: not undone, applied at the last replay."""
    return [c for c in store.corrections(active_only=True) if c["status"] == "applied"]


def article_marks(store: Store) -> dict[str, list[dict[str, Any]]]:
    """article id → the corrections of it in force (re-datings), as `mark` gives them."""
    out: dict[str, list[dict[str, Any]]] = {}
    for c in applied(store):
        if c["target_kind"] == "article":
            out.setdefault(c["target_id"], []).append(mark(c))
    return out


def rejected(store: Store) -> list[dict[str, Any]]:
    """The events, quotes and claims rejected (in force): kind, id, what it said, and the correction."""
    return [{"kind": c["target_kind"], "id": c["payload"][c["target_kind"]]["id"],
             "text": c["payload"][c["target_kind"]].get("text"), "correction": mark(c)}
            for c in applied(store) if c["op"] == "reject"]


def record(c: dict[str, Any]) -> dict[str, Any]:
    """A correction as `storyline corrections --json` and GET /api/corrections list it."""
    return {**{k: c[k] for k in ("id", "op", "target_kind", "target_id", "why", "undone_at", "status", "payload")},
            "by": c["made_by"], "at": c["created_at"], "what": describe(c)}


def describe(c: dict[str, Any]) -> str:
    """A correction's target and change in a few words: 'entity Dmitry Peskov ← Peskov (merged)'."""
    p = c["payload"]
    if c["op"] == "merge-entities":
        return f"entity {p['a']['name']} ({p['a']['id']}) ← {p['b']['name']} ({p['b']['id']})"
    if c["op"] == "split-entity":
        return f"entity {p['entity']['name']} ({p['entity']['id']}): mentions written {p['alias']!r} split off"
    if c["op"] == "rename-entity":
        return f"entity {p['entity']['name']} ({p['entity']['id']}) → {p['name']!r}"
    if c["op"] == "speaker":
        to = p["entity"]["name"] if "entity" in p else (repr(p["name"]) if p.get("name") else "no speaker")
        return f"quote {p['quote']['id']}: speaker → {to}"
    if c["op"] == "reject":
        return f"{c['target_kind']} {c['target_id']} rejected"
    return f"article {p['article']}: published {p['value']}"
