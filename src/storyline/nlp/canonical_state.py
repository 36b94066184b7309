"""Canonical entities kept up to date as articles come: `canonical`'s steps run again only where new articles reach.

The third runner of the steps in `storyline.nlp.canonical` (beside `canonicalise` in one process and
`storyline.batch.entities` on an engine). The store keeps what each step emitted, by key (schema.TABLES,
"the entity stage's state"): each article's acronym pairs and type votes per name key, each acronym
group's decided type, and the values every source sent to each shuffle key (an article's routed Names
and Parts; a surname's reduce's Names for the first-name shuffle and its Parts; a first name's Parts).
`update` takes in the articles annotated since (and drops those whose annotations went):

1. their acronym pairs and votes; the acronym groups again (over every stored pair: a few per
   organisation); the groups whose members or votes changed decided again;
2. `route` over the new articles and the stored ones with a name in a group whose root or decision
   changed (any other article's route gives what it gave);
3. each surname, then first name, then entity key a replaced value was or is under: its reduce again,
   over the stored values of the unchanged sources and the new ones;
4. those keys' entities replaced; a capital's country link set or dropped as its country comes or goes;
5. the quote speakers of the articles whose entities changed (new ones, gone ones, a name, type, alias or
   country link changed, a mention moved) linked again: an article's speakers read only its entities.

Each reduce sees exactly the values it would see over the whole corpus, so the entities and speakers are
those of `canonicalise` over every article (a test builds a corpus file by file and at once). The work is
in proportion to the new articles and to the keys they touch (a name's reduce reads all of that name's
mentions), not to the corpus. A database without the state (new, upgraded, or whose entities a batch
wrote) takes in every article at its next update."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Iterable

from storyline.model import Entity, Mention
from storyline.nlp.canonical import (
    Decision, EntityIndex, Item, Name, Part, Rec, acronym_edges, acronym_roots, article_items, decide_type,
    entities_of, item_of, link_quotes, people_by_first_name, people_by_surname, record, route, type_votes,
)

if TYPE_CHECKING:
    from storyline.store import Store

Value = tuple[str, str, str]  # (step, key, JSON data) a source sends


@dataclass
class Update:
    """What one update writes (`Store.save_entity_state`), in one transaction."""

    full: bool  # the state started afresh: every entity, quote and state row replaced
    pending: list[str]  # articles taken in
    stale: list[str]  # articles whose annotations went
    changed: set[str]  # both: their edges and votes replaced
    edges: list[tuple[str, str, str]] = field(default_factory=list)
    votes: list[tuple[str, str, str, int]] = field(default_factory=list)
    decided_roots: set[str] = field(default_factory=set)
    decisions: list[tuple[str, str, int]] = field(default_factory=list)
    replaced_sources: set[str] = field(default_factory=set)
    shuffled: list[tuple[str, str, str, int, str]] = field(default_factory=list)
    removed_entities: set[str] = field(default_factory=set)  # gone, with their mentions
    entity_keys: set[str] = field(default_factory=set)
    entities: list[dict[str, Any]] = field(default_factory=list)  # new or changed: `to_json()` but the mentions
    mentions_gone: list[tuple[str, str, int]] = field(default_factory=list)  # (entity id, article id, start)
    mentions_new: list[tuple[str, str, int, int, str, str | None]] = field(default_factory=list)
    keys: list[tuple[str, str, str | None]] = field(default_factory=list)
    recapitalised: list[tuple[str, str]] = field(default_factory=list)  # (data, entity id)
    relinked: set[str] = field(default_factory=set)
    quotes: list[dict[str, Any]] = field(default_factory=list)


# --- values as the store keeps them -------------------------------------------------------------------
def _name_json(n: Name[Rec]) -> str:
    return json.dumps([n.kind, list(n.name), n.mentions])


def _name(data: str) -> Name[Rec]:
    kind, name, recs = json.loads(data)
    return Name(kind, tuple(name), [tuple(r) for r in recs])


def _part_json(p: Part[Rec]) -> str:
    kind, key = p.group
    return json.dumps([kind, list(key) if isinstance(key, tuple) else key, p.mentions])


def _part(data: str) -> Part[Item]:
    kind, key, recs = json.loads(data)
    return Part((kind, tuple(key) if isinstance(key, list) else key), [item_of(r) for r in recs])


class _Shuffles:
    """The stored shuffles with this update's replaced sources over them."""

    def __init__(self, store: Store, full: bool):
        self.store, self.full = store, full
        self.replaced: set[str] = set()
        self.added: dict[tuple[str, str], list[tuple[str, int, str]]] = defaultdict(list)

    def replace(self, sent: dict[str, list[Value]]) -> set[tuple[str, str]]:
        """Each source's values replaced by `sent`'s; returns the (step, key) they were or are under."""
        touched = set() if self.full else self.store.entity_shuffle_keys(sent)
        self.replaced.update(sent)
        for source, values in sent.items():
            for n, (step, key, data) in enumerate(values):
                self.added[(step, key)].append((source, n, data))
                touched.add((step, key))
        return touched

    def values(self, step: str, key: str) -> list[str]:
        """The data of every value under a key: the stored ones of unreplaced sources, then this update's."""
        stored = [] if self.full else [d for s, _, d in self.store.entity_shuffle(step, key) if s not in self.replaced]
        return stored + [d for _, _, d in self.added.get((step, key), [])]

    def rows(self) -> list[tuple[str, str, str, int, str]]:
        return [(step, key, s, n, d) for (step, key), vs in self.added.items() for s, n, d in vs]


def _mentions(store: Store, article_ids: Iterable[str]) -> dict[str, list[Mention]]:
    return {aid: [Mention(**{**m, "span": tuple(m["span"])}) for m in ms]
            for aid, ms in store.all_annotations("mentions", list(article_ids))}


# --- the update ----------------------------------------------------------------------------------------
def update(store: Store) -> Update | None:
    """Take the articles annotated (or dropped) since the last update into the entities and quote speakers;
    returns what was written (None: nothing to do)."""
    full = not store.entity_state_ready()
    pending = store.entities_pending(every=full)
    stale = [] if full else store.entities_stale()
    if not (pending or stale or full):
        return None
    u = Update(full, pending, stale, set(pending) | set(stale))
    arts = {aid: article_items(aid, ms) for aid, ms in _mentions(store, pending).items()}
    # 1. acronym groups and type votes (votes per name key, before `route` retypes the items)
    old_edges = [] if full else store.entity_edges()
    u.edges = sorted({(aid, a, b) for aid in pending if aid in arts for a, b in acronym_edges(arts[aid][1])})
    old_root = acronym_roots((a, b) for _, a, b in old_edges)
    root_of = acronym_roots([(a, b) for aid, a, b in old_edges if aid not in u.changed] + [(a, b) for _, a, b in u.edges])
    moved = {k for k in old_root.keys() | root_of.keys() if old_root.get(k, k) != root_of.get(k, k)}
    u.votes = [(key, aid, label, w) for aid in pending if aid in arts
               for key, c in type_votes(arts[aid][1], {}).items() for label, w in c.items()]
    members: dict[str, set[str]] = defaultdict(set)
    for k, r in root_of.items():
        members[r].add(k)
    voted = (set() if full else store.entity_vote_keys(u.changed)) | {v[0] for v in u.votes}
    u.decided_roots = {root_of.get(k, k) for k in voted | moved} | {old_root.get(k, k) for k in moved}
    group_keys = {k for r in u.decided_roots for k in members.get(r, {r})}
    by_root: dict[str, Counter[str]] = defaultdict(Counter)
    stored_votes = [] if full else [v for v in store.entity_votes(group_keys) if v[1] not in u.changed]
    for key, _, label, w in stored_votes + [v for v in u.votes if v[0] in group_keys]:
        by_root[root_of.get(key, key)][label] += w  # a zero weight kept, as `type_votes` keeps it
    decided = {r: decide_type(r, [c]) for r, c in by_root.items() if root_of.get(r, r) == r}
    old_decisions = {} if full else store.entity_decisions(u.decided_roots)
    u.decisions = [(r, t, int(p)) for r, (t, p) in sorted(decided.items())]
    flipped = {r for r in u.decided_roots if decided.get(r) != old_decisions.get(r)}
    # 2. route: the new articles, and the stored ones with a name whose group or its type changed
    again_keys = moved | {k for r in flipped for k in members.get(r, {r})}
    again = [] if full else sorted(store.entity_vote_articles(again_keys) - u.changed)
    arts.update((aid, article_items(aid, ms)) for aid, ms in _mentions(store, again).items())
    roots_needed = {root_of.get(it.key, it.key) for _, free in arts.values() for it in free}
    decisions: dict[str, Decision] = {**({} if full else store.entity_decisions(roots_needed - decided.keys())),
                                      **decided}
    shuffles = _Shuffles(store, full)
    sent: dict[str, list[Value]] = {f"a:{aid}": [] for aid in u.changed | set(again)}
    for aid, (items, free) in arts.items():
        names, parts = route(items, free, root_of, decisions)
        sent[f"a:{aid}"] = ([("surname", k, _name_json(Name(n.kind, n.name, [record(it) for it in n.mentions])))
                             for k, n in names]
                            + [("part", k, _part_json(Part(p.group, [record(it) for it in p.mentions])))
                               for k, p in parts])
    touched = shuffles.replace(sent)
    # 3. people across articles: each touched surname's reduce, then each touched first name's
    sent = {}
    for s in sorted(k for step, k in touched if step == "surname"):
        firsts, people = people_by_surname(_name(d) for d in shuffles.values("surname", s))
        sent[f"s:{s}"] = ([("first", k, _name_json(n)) for k, n in firsts]
                          + [("part", k, _part_json(p)) for k, p in people])
    touched |= shuffles.replace(sent)
    sent = {}
    for f in sorted(k for step, k in touched if step == "first"):
        sent[f"f:{f}"] = [("part", k, _part_json(p))
                          for k, p in people_by_first_name(_name(d) for d in shuffles.values("first", f))]
    touched |= shuffles.replace(sent)
    u.replaced_sources, u.shuffled = shuffles.replaced, shuffles.rows()
    # 4. the touched entity keys' entities
    u.entity_keys = {k for step, k in touched if step == "part"}
    new: list[tuple[str, Entity]] = [(k, e) for k in sorted(u.entity_keys)
                                     for e in entities_of(_part(d) for d in shuffles.values("part", k))]
    old_ids = {i for ids in ({} if full else store.entity_key_ids(u.entity_keys)).values() for i in ids}
    new_ids = {e.id for _, e in new}
    u.removed_entities = old_ids - new_ids
    countries = {e.capital_of for _, e in new if e.capital_of}
    present = (set() if full else store.existing_entities(countries) - old_ids) | (countries & new_ids)
    u.keys = [(k, e.id, e.capital_of) for k, e in new]
    for _, e in new:
        if e.capital_of not in present:
            e.capital_of = None  # as `finish` drops it
    recap: dict[str, str | None] = {}
    if not full:  # a capital kept as it was whose country came or went
        came_or_went = (new_ids - old_ids) | (old_ids - new_ids)
        for eid, country in store.capitals_of(came_or_went):
            if eid not in new_ids and eid not in old_ids:
                recap[eid] = country if country in new_ids else None
    old = [] if full else store.stored_entities(old_ids)
    _rows_changed(u, {e.id: e for e in old}, [e for _, e in new])
    # 5. quote speakers of the articles whose entities changed
    if full:
        u.relinked = set(pending)
    else:
        u.relinked = set(u.changed) | _moved_articles(old, [e for _, e in new])
        recapped = [e for e in store.stored_entities(recap) if e.capital_of != recap[e.id]]
        for e in recapped:
            e.capital_of = recap[e.id]
            u.recapitalised.append((json.dumps({k: v for k, v in e.to_json().items() if k != "mentions"}), e.id))
            u.relinked |= {aid for aid, _, _ in e.mentions}
    u.quotes = _linked_quotes(store, sorted(u.relinked), [e for _, e in new], old_ids | new_ids, recap)
    store.save_entity_state(u)
    return u


def _rows_changed(u: Update, old: dict[str, Entity], new: list[Entity]) -> None:
    """The entity rows to write again (new or changed ones) and the mention rows gone and new, from a key's
    entities before (by id) and after: a big entity's unchanged mentions are not written again."""
    def rows(e: Entity) -> set[tuple[str, str, int, int, str, str | None]]:
        return {(e.id, aid, span[0], span[1], text, e.mention_as.get((aid, (span[0], span[1]))))
                for aid, span, text in e.mentions}

    def head(e: Entity) -> dict[str, Any]:  # the entities table's row: `to_json` but its mentions
        return {k: v for k, v in replace(e, mentions=[], mention_as={}).to_json().items() if k != "mentions"}

    for e in new:
        before = old.get(e.id)
        now, had = rows(e), rows(before) if before else set()
        if before is None or head(before) != head(e):
            u.entities.append(head(e))
        u.mentions_gone += [(r[0], r[1], r[2]) for r in sorted(had - now)]
        u.mentions_new += sorted(now - had)


def _moved_articles(old: list[Entity], new: list[Entity]) -> set[str]:
    """The articles whose entities differ between `old` and `new` (a key's entities before and after) as
    `EntityIndex` reads them: an entity come or gone, its name, type, aliases or country link changed, or
    its mentions there (span, and what they stand for) changed."""
    def sig(e: Entity) -> tuple[Any, ...]:
        return e.name, e.type, tuple(e.aliases), e.capital_of

    def spans(e: Entity) -> dict[str, set[tuple[Any, ...]]]:
        out: dict[str, set[tuple[Any, ...]]] = defaultdict(set)
        for aid, span, _ in e.mentions:
            out[aid].add((span[0], span[1], e.mention_as.get((aid, (span[0], span[1])))))
        return out

    before, after = {e.id: e for e in old}, {e.id: e for e in new}
    moved: set[str] = set()
    for eid in before.keys() | after.keys():
        a, b = before.get(eid), after.get(eid)
        sa, sb = spans(a) if a else {}, spans(b) if b else {}
        if a is None or b is None or sig(a) != sig(b):
            moved |= sa.keys() | sb.keys()
        else:
            moved |= {aid for aid in sa.keys() | sb.keys() if sa.get(aid) != sb.get(aid)}
    return moved


def _linked_quotes(store: Store, article_ids: list[str], new: list[Entity], rewritten: set[str],
                   recap: dict[str, str | None]) -> list[dict[str, Any]]:
    """These articles' quotes with their speakers linked, over the entities they mention after the update."""
    if not article_ids:
        return []
    arts = set(article_ids)
    kept = store.stored_entities(store.entities_mentioned_in(arts) - rewritten, arts)
    for e in kept:
        if e.id in recap:
            e.capital_of = recap[e.id]
    ents = kept + [e for e in new if any(aid in arts for aid, _, _ in e.mentions)]
    index = EntityIndex(ents)
    names = {e.id: (e.name, e.type) for e in ents}
    return [q for aid, qs in store.all_annotations("quotes", article_ids) for q in link_quotes(index, names, aid, qs)]
