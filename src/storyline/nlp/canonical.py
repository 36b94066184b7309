"""Canonical entities across the corpus: each article's mentions merged into `Entity` records, in typed steps.

`canonicalise(per_article)` (article id -> its mentions, from `storyline.nlp.entity_mentions`) gives:

* countries: every form of the name, plus the demonym mentions, form ONE entity for the country
  ("Turkey" lists "Turkey", "Turkish", "Turks"; a demonym mention is marked `"as": "demonym"`).
* capitals (and seats of government): ONE place entity each, the city's own, with every mention of
  it; a mention where it stands for its government ("Ankara said") is marked `"as": "capital"` and
  carries `"country_id"`, the country's entity id (the entity's `capital_of`). Never an alias of the
  country. `EntityIndex` and the event participants (`Store.entity_ids_at`) take such a mention for
  the country: "Ankara said" is Turkey speaking, "Ankara authorities" belong to Turkey.
* people: full names are merged when compatible (same surname, same or initial first name, or
  one a nickname of the other in the `nicknames` package's list: "Bill Clinton" ~ "William Clinton";
  the shorter one's middle names, if any, agreeing with the longer one's from the first: "Recep
  Erdogan" ~ "Recep Tayyip Erdogan", "George W. Bush" ≁ "George H. W. Bush"; a short form that
  fits several different people stays its own entity); two different full names that share a
  surname stay apart; a bare surname joins
  the person with that surname in the same article (of several, the one named in full far more often, else the
  one the article names first),
  and in an article with no such full name only a person who is the single known bearer of
  that surname in the corpus (or the one who dominates it), and only if named in full in at least
  a quarter as many articles as use the surname alone ("Fiorina" alone in 30 articles is not the
  Frank Fiorina one article names). A bare surname written with an honorific goes only to a bearer
  whose given name the census gives to that gender, or to none ("Mrs. Clinton" is not Bill Clinton,
  "Mr. Clinton" not Hillary; `names.gender_conflict`; "Lindsey", given to both, decides nothing); one
  written with a title, to the one bearer the article gives that title ("President Clinton" after
  "former President Bill Clinton").
* products by designation ("S-400", "S-400s", "S-400 Triumph" are one; "S-300" is another).
* everything else by normalised name (case, accents, "the", possessive, periods ignored), with
  "Long Name (ACRONYM)" pairs joined, the type decided by the majority of the mentions (longer
  forms weigh more, a mention typed by what the text says it is weighs 3 of spaCy's labels); a name
  mostly labelled PERSON is a person in all its mentions; an ORG some mention describes as an outlet
  or agency is `media`. Besides the labels, the articles vote on whether a name is shown to be a
  person's (`_NAMED`): a one-word name inside a full name of the article, or with a title or honorific;
  a full name with a title, or whose surname the article uses alone as a person. A one-word name the
  tagger calls a person but no article shows as one, with other labels too, takes the other type
  ("Twitter"; an organisation unless a known place); a full name mostly labelled otherwise but shown
  as a person in half its weight is a person.
* `name` is the fullest form not used in under a quarter as many articles as the most used one
  ("Recep Tayyip Erdogan", "S-400 Triumph", "China Precision
  Machinery Import-Export Corporation"; a country's table name: "United States"); `aliases` the
  other forms seen (case/quote variants once; for countries also "the United States"); `roles`
  the titles seen, most frequent first.

The algorithm is a few typed steps (map per article, shuffle by key, reduce per key; the table under
"The steps" below): `canonicalise` runs them in one process, `storyline.batch.entities` runs the same
functions on an engine over partitions and shuffle buckets.

`EntityIndex(entities).link(article_id, span, name, type)` gives a quote speaker its entity.

Ids are `stable_id("e", type, key)` from content (for people the first and last name of the
fullest form; a bare surname nobody can be picked for: "~surname"), so a re-run gives the same
ids and adding unrelated articles does not change them; an id changes only when new text
changes what the entity is (a bare "Borisov" entity becomes "Yuri Borisov").
"""

from __future__ import annotations

import functools
import re
from collections import Counter, defaultdict
from typing import Any, Generic, Iterable, Literal, Mapping, NamedTuple, TypeVar

from storyline.model import Entity, Mention, Span, stable_id
from storyline.nlp.names import (
    CAPITALS, CODE_RE, COUNTRY_NAMES, COUNTRY_SET, DEMONYMS, HONORIFICS, NAMED_TYPES, ORG_WORDS, REGION_SET, REGIONS,
    capital_type, code_key, country_name, fold, gender_conflict, glued_name, honorific_gender, known_places,
    name_key,
)

__all__ = [
    "canonicalise", "EntityIndex", "Item", "Group", "Name", "Part", "Decision", "Keyed", "Rec", "record", "item_of",
    "article_items",
    "acronym_edges", "acronym_roots", "type_votes", "decide_type", "route", "people_by_surname", "people_by_first_name",
    "entity_key", "entities_of", "finish", "entity_order", "link_quotes",
]


# --------------------------------------------------------------------------------------------
# Names compared: people's name tokens, acronyms, the canonical form
# --------------------------------------------------------------------------------------------
@functools.lru_cache(maxsize=1 << 16)
def _person_tokens(name: str) -> tuple[str, ...]:
    toks = [t.strip(".,") for t in fold(name).replace(".", ". ").split()]
    toks = [t for t in toks if t]
    while toks and toks[0] in HONORIFICS:
        toks = toks[1:]
    # a generational suffix stays as the last token, so "Donald Trump Jr." (and "Donald Jr.") never
    # merge with "Donald J. Trump"; the price: "James Comey" and "James B. Comey Jr." stay apart
    return tuple(toks)


def _first_compatible(a: str, b: str) -> bool:
    return a == b or (len(a) == 1 and b.startswith(a)) or (len(b) == 1 and a.startswith(b)) or _nickname(a, b)


@functools.lru_cache(maxsize=1)
def _nicknamer() -> Any:
    from nicknames import NickNamer

    return NickNamer()


@functools.lru_cache(maxsize=1 << 16)
def _nickname(a: str, b: str) -> bool:
    """The shorter given name is a nickname of the longer in the `nicknames` package's hand-curated list ("bill"
    and "william", "mike" and "michael"). Names of one length are not taken for each other: the list also pairs
    names that are each other's in no usage ("fred" and "will"), and two nicknames of one name ("bill", "will")
    are not one person's."""
    if len(a) == len(b) or min(len(a), len(b)) < 2 or not a.isalpha() or not b.isalpha():
        return False
    short, long = sorted((a, b), key=len)
    nn = _nicknamer()
    return short in nn.nicknames_of(long) or long in nn.canonicals_of(short)


def _compatible(short: tuple[str, ...], long: tuple[str, ...]) -> bool:
    """Could the name `short` (≥ 2 tokens) be a form of `long`? Same surname, same (or initial, or
    nickname: `_nickname`) first name, the short one's middle names found in order among the long one's."""
    if len(short) > len(long) or short[-1] != long[-1] or not _first_compatible(short[0], long[0]):
        return False
    # middle names, where the short form has any, line up from the first one ("George W. Bush" is
    # not "George H. W. Bush"; "Recep Erdogan" may be "Recep Tayyip Erdogan")
    return all(_first_compatible(t, u) for t, u in zip(short[1:-1], long[1:-1]))


class _UF:
    """Union-find over name keys; a set's root is its smallest key."""

    def __init__(self) -> None:
        self.p: dict[str, str] = {}

    def find(self, x: str) -> str:
        p = self.p
        p.setdefault(x, x)
        while p[x] != x:
            p[x] = p[p[x]]
            x = p[x]
        return x

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            if str(rb) < str(ra):
                ra, rb = rb, ra
            self.p[rb] = ra


def _acronym_of(acro: str, long: str) -> bool:
    """'CPMIEC' ~ 'China Precision Machinery Import-Export Corporation', 'PRC' ~ "People's Republic of China"."""
    if not (2 <= len(acro) <= 8 and acro.replace(".", "").isupper() and acro.isascii()):
        return False
    words = [w for w in re.split(r"[\s\-]+", long) if w]
    initials = [w[0].upper() for w in words if w[0].isupper()]
    if len(initials) < 2:
        # one-word names: letters in order, first letter the same ("Kuomintang (KMT)")
        letters = [c.upper() for c in long if c.isalpha()]
        a = [c for c in acro.upper() if c.isalpha()]
        if not a or not letters or a[0] != letters[0]:
            return False
        it = iter(letters[1:])
        return all(c in it for c in a[1:])
    a = [c for c in acro.upper() if c.isalpha()]
    if a == initials:
        return True
    # the acronym's letters in order among the initials, starting at the first or second word
    for off in (0, 1):
        it = iter(initials[off:])
        if a and initials[off:] and a[0] == initials[off] and all(c in it for c in a):
            return len(a) >= max(2, len(initials) - off - 2)
    return False


_TYPE_PRIORITY = {"GPE": 0, "ORG": 1, "PERSON": 2, "NORP": 3, "PRODUCT": 4, "LOC": 5, "FAC": 6, "EVENT": 7,
                  "WORK_OF_ART": 8, "LAW": 9}


_ONE_OFF = 4  # a form used in fewer than 1/_ONE_OFF as many articles as the most used form is a variant


def _pick_name(forms: Counter[str], articles: Counter[str] | None = None, person: bool = False) -> str:
    """The canonical form: the fullest of the forms most used across articles (`articles`: form -> the
    number of articles that use it; a form in under a quarter as many articles as the most used one is
    a one-off variant, "B. Hussein Obama" beside "Barack Obama", a nickname one article gives); of the
    others a person's full name before a bare one; then most words, not an acronym/all-caps, most
    frequent, alphabetical. A name seen only in
    capitals ('MOSCOW' in a dateline) is given in title case."""
    cands = list(forms)
    if articles:
        top = max(articles[f] for f in cands)
        cands = [f for f in cands if articles[f] * _ONE_OFF >= top]
    if person:
        cands = [f for f in cands if len(f.split()) >= 2] or cands
    best: str = min(cands, key=lambda f: (-len(f.split()), f.isupper(), -forms[f], f))
    if best.isupper() and len(best) > 4 and best.isalpha():
        best = best.title()
    return best


class Item:
    """A mention in canonicalisation: the Mention, its article and position there (`n`), its name key,
    type and group key (and `as_`: 'capital' / 'demonym' for a mention standing for a country)."""

    __slots__ = ("aid", "n", "m", "key", "type", "group", "as_")

    def __init__(self, aid: str, m: Mention, n: int = 0):
        self.aid, self.m, self.n = aid, m, n
        self.key = name_key(m.name)
        self.type = m.type
        self.group: Any = None
        self.as_: str | None = None


# a group key, (kind, key): ("GPE", "turkey"), ("PERSON", ("recep", "tayyip", "erdogan")), ("PERSON~", "smith")
Group = tuple[str, Any]
_Cluster = tuple[tuple[str, ...], list[Item]]  # a person's fullest name in one article, and its mentions there
Decision = tuple[str, bool]  # an acronym group's type, and whether it is mostly a person

P = TypeVar("P")  # the mentions that travel with a name or a group: `Item`s here, the batch's records on the engine
K = TypeVar("K")
V = TypeVar("V")


# A mention as it travels between steps outside one process (the batch's shuffles, the stored state):
# (partition index, article id, position in the article's mentions, start, end, text, name, role, type,
# as_, described). Enough to rebuild the `Item` that `entities_of` reads.
Rec = tuple[int, str, int, int, int, str, str, str | None, str, str | None, str | None]


def record(it: Item, p: int = 0) -> Rec:
    """A mention as it travels (its group travels beside it); `p`: the partition holding its article."""
    m = it.m
    return (p, it.aid, it.n, m.span[0], m.span[1], m.text, m.name, m.role, it.type, it.as_, m.described)


def item_of(rec: Rec | list[Any]) -> Item:
    """The `Item` a record (or its JSON list) was made from."""
    _, aid, n, start, end, text, name, role, etype, as_, described = rec
    it = Item(aid, Mention((start, end), text, etype, name, role, described=described), n)
    it.as_ = as_
    return it


class Name(NamedTuple, Generic[P]):
    """A name on its way through the people steps. `full`: a person's fullest name in one article (its
    tokens) with its mentions there; `bare`: a one-word name (`(word,)`) no full name of its article takes,
    with its mentions; `person`: a person the surname step knows (fullest name), sent to its first name."""

    kind: Literal["full", "bare", "person"]
    name: tuple[str, ...]
    mentions: list[P]


class Part(NamedTuple, Generic[P]):
    """Mentions of one group (an entity to be) on their way to its entity key (`entity_key`)."""

    group: Group
    mentions: list[P]


Keyed = tuple[str, V]  # a value with the key it is shuffled by


# --------------------------------------------------------------------------------------------
# The steps, and the runner in one process
#
# The algorithm is defined once, as steps: a map runs per article, what it emits is grouped by
# key, a reduce runs per key (or over any set of whole keys: a bucket). `canonicalise` runs them
# in this order in one process; `storyline.batch.entities` runs the same functions on an engine,
# with partitions, shuffle buckets and Parquet around them.
#
#   step          map (per article)       key                    reduce (per key)          gives
#   prepare       article_items           -                      -                         items, free items
#   acronyms      acronym_edges           one key: the corpus    acronym_roots             root_of
#   types         type_votes              acronym-group root     decide_type               decisions
#   route         route                   surname | entity key   -                         Names, Parts
#   surnames      -                       surname                people_by_surname         Names, Parts
#   first names   -                       first name             people_by_first_name      Parts
#   entities      -                       entity key (base id)   entities_of               entities
#   finish        -                       one key: the corpus    finish                    the sorted entities
# --------------------------------------------------------------------------------------------
def canonicalise(per_article: dict[str, list[Mention]]) -> list[Entity]:
    """Canonical entities of the whole corpus from each article's mentions (article id -> mentions): the
    steps above run in one process."""
    arts = [article_items(aid, per_article[aid]) for aid in sorted(per_article)]
    root_of = acronym_roots(e for _, free in arts for e in acronym_edges(free))
    votes = _by_key((root, c) for _, free in arts for root, c in type_votes(free, root_of).items())
    decisions = {root: decide_type(root, cs) for root, cs in votes.items()}
    names: list[Keyed[Name[Item]]] = []
    parts: list[Keyed[Part[Item]]] = []
    for items, free in arts:
        n, p = route(items, free, root_of, decisions)
        names += n
        parts += p
    firsts: list[Keyed[Name[Item]]] = []
    for same_surname in _by_key(names).values():
        n, p = people_by_surname(same_surname)
        firsts += n
        parts += p
    for same_first in _by_key(firsts).values():
        parts += people_by_first_name(same_first)
    return finish([e for same_key in _by_key(parts).values() for e in entities_of(same_key)])


def _by_key(pairs: Iterable[tuple[K, V]]) -> dict[K, list[V]]:
    """The shuffle in one process: values grouped by key, in the order they come."""
    out: dict[K, list[V]] = {}
    for k, v in pairs:
        out.setdefault(k, []).append(v)
    return out


def decide_type(root: str, votes: Iterable[Mapping[str, int]]) -> Decision:
    """Reduce (per acronym-group root): the group's type from its votes (`type_votes`' counts for it,
    in parts: per article or per partition), and whether it is mostly a person (`_type_decisions`)."""
    total: Counter[str] = Counter()
    for c in votes:
        for label, n in c.items():
            total[label] += n  # a zero weight kept, as `type_votes` keeps it
    return _type_decisions({root: total})[root]


def route(items: list[Item], free: list[Item], root_of: Mapping[str, str], decisions: Mapping[str, Decision]
          ) -> tuple[list[Keyed[Name[Item]]], list[Keyed[Part[Item]]]]:
    """Map (per article, `article_items`' output, once the types are decided): every named mention, grouped
    as far as its article alone allows. The article's people go to the surname shuffle (a `full` Name per
    person of the article, keyed by surname; a `bare` Name per bare name no full name of the article takes,
    keyed by the word); every mention whose group is known (countries, regions, products, other
    non-person names) goes to its group's entity key as a `Part`."""
    clusters, bare = _cluster_article_people(_split_persons(free, root_of, decisions))
    names = [(rep[-1], Name("full", rep, ms)) for rep, ms in clusters]
    names += [(w, Name("bare", (w,), ms)) for w, ms in bare]
    groups: dict[Group, list[Item]] = {}
    for it in items:
        if it.group is not None:
            groups.setdefault(it.group, []).append(it)
    return names, [(entity_key(g), Part(g, ms)) for g, ms in groups.items()]


def people_by_surname(names: Iterable[Name[P]]) -> tuple[list[Keyed[Name[P]]], list[Keyed[Part[P]]]]:
    """Reduce (per surname, or any set of whole surnames): the people of these surnames, their full names
    merged across articles (`_canonical_people`); each person's mentions sent to its entity key. A bare
    name with known bearers of that surname is decided here (`_bare_group`); one without goes on to the
    first-name shuffle, where every person goes too (a `person` Name, keyed by its first name)."""
    names = list(names)
    reps = [n.name for n in names if n.kind == "full"]
    canon = _canonical_people(reps)
    by_surname, _ = _people_tables(canon.values())
    weight = _person_weights(canon, reps)
    firsts: list[Keyed[Name[P]]] = [(h[0], Name("person", h, [])) for h in dict.fromkeys(canon.values())]
    parts: list[Keyed[Part[P]]] = []
    # a surname -> the articles using it alone (an article's bare Names of one surname: one per honorific gender)
    bare = Counter(w for w, _ in {(n.name[0], _item(n.mentions[0]).aid) for n in names if n.kind == "bare"})
    for n in names:
        if n.kind == "full":
            parts.append(_part(("PERSON", canon[n.name]), n.mentions))
        elif (w := n.name[0]) in by_surname:
            fits = _fitting(by_surname[w], n.mentions)  # "Ms. Jackson" is none of the men named Jackson
            parts.append(_part(_bare_group(w, fits, set(), weight, bare[w]) if fits else ("PERSON~", w), n.mentions))
        else:
            firsts.append((w, n))
    return firsts, parts


def people_by_first_name(names: Iterable[Name[P]]) -> list[Keyed[Part[P]]]:
    """Reduce (per first name, or any set of whole first names): a bare name no one bears as a surname
    goes to the single person with that first name, else it is an entity of its own (`_bare_group`)."""
    names = list(names)
    _, by_first = _people_tables(n.name for n in names if n.kind == "person")
    return [_part(_bare_group(n.name[0], set(), by_first.get(n.name[0], set())), n.mentions)
            for n in names if n.kind == "bare"]


def _part(group: Group, mentions: list[P]) -> Keyed[Part[P]]:
    return entity_key(group), Part(group, mentions)


def entity_key(group: Group) -> str:
    """The key a group's mentions are shuffled by to become an entity: its base id, so groups whose ids
    could collide (two people of the same first and last name) meet in one reduce."""
    return _base_id(_group_type(group), group)


def entities_of(parts: Iterable[Part[Item]]) -> list[Entity]:
    """Reduce (per entity key, or any set of whole keys): one entity per group, from its mentions in corpus
    order (article id, then position), with its id (`_assign_ids`); in the order the groups come."""
    groups: dict[Group, list[Item]] = {}
    for group, its in parts:
        groups.setdefault(group, []).extend(its)
    entities = [_assemble(g, sorted(its, key=lambda it: (it.aid, it.n))) for g, its in groups.items()]
    _assign_ids(entities)
    return entities


def finish(entities: list[Entity]) -> list[Entity]:
    """Over every entity (one key: the corpus): a capital's link to a country no entity is dropped
    (`_drop_missing_countries`), the entities sorted (`entity_order`); returns them."""
    _drop_missing_countries(entities)
    entities.sort(key=entity_order)
    return entities


# --- per article ------------------------------------------------------------------------------
def article_items(aid: str, mentions: list[Mention]) -> tuple[list[Item], list[Item]]:
    """One article's named mentions, and those of them left free (in no fixed group), with the fixed
    groups set (countries, regions, product codes) and misread surnames retyped."""
    items = [Item(aid, m, n) for n, m in enumerate(mentions) if m.type in NAMED_TYPES and m.name]
    free = [it for it in items if not _fixed_group(it)]
    _retype_surnames(free)
    _short_forms(free)
    return items, free


_SHORT_FORM_TYPES = frozenset({"ORG", "NORP", "FAC", "PRODUCT"})


def _short_forms(free: list[Item]) -> None:
    """An organisation named in full with its place in front, then without it, in the same article ("the
    Boston Red Sox … the Red Sox", "The New York Times … the Times") is one: the short form takes the full
    form's key in this article, when one full form only fits. The place is a known one (`known_places`,
    countries and demonyms); "Democratic Party … the Party" is no such pair."""
    full = {it.key for it in free if it.type in ("ORG", "FAC") and " " in it.key}
    if not full:
        return
    for it in free:
        if it.type not in _SHORT_FORM_TYPES:
            continue
        fits = {k for k in full if k != it.key and k.endswith(" " + it.key) and _is_place(k[:-len(it.key) - 1])}
        if len(fits) == 1:
            it.key = fits.pop()
            it.type = "ORG"


def _is_place(key: str) -> bool:
    return key in known_places() or country_name(key) is not None or key in DEMONYMS or key in CAPITALS


def _fixed_group(it: Item) -> bool:
    """Put a country (with capitals-as-government and demonyms), region or product code in its group."""
    m = it.m
    country = country_name(it.key) if m.type in ("GPE", "ORG", "LOC", "PERSON", "NORP", "FAC") else None
    if it.key in CAPITALS and not country and m.type in ("GPE", "ORG", "LOC", "FAC"):
        # a capital is a place of its own, in each mention standing for its government or not
        it.type = capital_type(it.key)
        it.group = (it.type, it.key)
        it.as_ = "capital" if m.stands_for else None
    elif m.stands_for and (m.stands_for in COUNTRY_SET or m.stands_for in REGION_SET):
        target = m.stands_for
        it.as_ = "demonym" if m.type == "NORP" else "capital"
        if target in REGION_SET:
            it.group, it.type = ("LOC", name_key(target)), "LOC"
        else:
            it.group, it.type = ("GPE", name_key(target)), "GPE"
    elif m.stands_for:
        it.group, it.type = ("GPE", name_key(m.stands_for)), "GPE"
        it.as_ = "demonym" if m.type == "NORP" else "capital"
    elif country:
        it.group, it.type = ("GPE", name_key(country)), "GPE"
    elif m.type == "NORP" and it.key in DEMONYMS:  # a demonym given without stands_for
        target = DEMONYMS[it.key]
        it.as_ = "demonym"
        it.type = "LOC" if target in REGION_SET else "GPE"
        it.group = (it.type, name_key(target))
    elif it.key in REGIONS and m.type in ("LOC", "GPE"):
        it.group, it.type = ("LOC", it.key), "LOC"
    elif m.type == "PRODUCT" and (cm := CODE_RE.match(m.name)):
        it.group, it.type = ("PRODUCT", code_key(cm.group("pre"), cm.group("num"), cm.group("suf"))), "PRODUCT"
    else:
        return False
    return True


def _retype_surnames(free: list[Item]) -> None:
    """A one-word non-person mention equal to the surname of a person in the same article is that person."""
    surnames_by_article: dict[str, set[str]] = defaultdict(set)
    for it in free:
        if it.type == "PERSON":
            toks = _person_tokens(it.m.name)
            if len(toks) >= 2:
                surnames_by_article[it.aid].add(toks[-1])
    for it in free:
        if it.type != "PERSON" and " " not in it.key and it.key in surnames_by_article.get(it.aid, ()):
            it.type = "PERSON"


def acronym_edges(free: list[Item]) -> list[tuple[str, str]]:
    """The name keys of "Long Name (ACRONYM)" pairs among one article's free mentions (neither a person,
    unless the text says what the other is: "the TV channel Antenna (ANT1)", ANT1 taken for a person)."""
    its = sorted(free, key=lambda x: x.m.span)
    edges: list[tuple[str, str]] = []
    for a, b in zip(its, its[1:]):
        gap = b.m.span[0] - a.m.span[1]
        if 1 <= gap <= 3 and (a.type != "PERSON" and b.type != "PERSON" or a.m.described or b.m.described):
            if _acronym_of(b.m.name, a.m.name) or _acronym_of(a.m.name, b.m.name):
                edges.append((a.key, b.key))
    return edges


# --- per acronym group: non-person names, type by majority -------------------------------------
def acronym_roots(edges: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Name key -> the root of its acronym group, for the keys in `edges` (any other key is its own
    root). The root is the group's smallest key, whatever order the edges come in."""
    uf = _UF()
    for a, b in edges:
        uf.union(a, b)
    return {k: uf.find(k) for k in list(uf.p)}


_TOLD = 3  # a mention whose type the text itself gives ("the newspaper Izvestiya") weighs 3 of spaCy's labels


def type_votes(free: Iterable[Item], root_of: Mapping[str, str]) -> dict[str, Counter[str]]:
    """Per acronym-group root, the type labels of its free mentions; longer forms are labelled more
    reliably: they weigh more, and a mention typed by what the text says it is (`Mention.described`)
    weighs `_TOLD` times as much. (Partial votes, per article or per partition, add up in `decide_type`.)"""
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    free = list(free)  # one article's or a partition's: what shows a person is read within each article
    name_words = {(it.aid, w) for it in free if it.type == "PERSON" and len(toks := _person_tokens(it.m.name)) >= 2
                  for w in toks}
    bare = {(it.aid, it.key) for it in free if it.type == "PERSON" and " " not in it.key}
    for it in free:
        root = root_of.get(it.key, it.key)
        weight = len(it.key.split()) * (_TOLD if it.m.described else 1)
        votes[root][it.type] += weight
        if " " not in it.key:
            if it.type == "PERSON" and ((it.aid, it.key) in name_words or it.m.role or _honorific(it.m) is not None):
                votes[root][_NAMED] += 1
        elif it.m.role or ((it.aid, it.key.split()[-1]) in bare and not set(it.key.split()) & ORG_WORDS
                           and _looks_like_name(it.m.name)):
            votes[root][_NAMED] += weight  # "<First> <Last>" with a title, or with "<Last>" a person alone
    return votes


_NAMED = "PERSON+"  # a vote, not a type: a name the article shows to be a person's


def _looks_like_name(name: str) -> bool:
    """Two or three capitalised words and nothing else: the shape of a person's name."""
    words = name.split()
    return 2 <= len(words) <= 3 and all(w[:1].isupper() and w[1:].replace(".", "").isalpha() and not w.isupper()
                                        for w in words)


def _honorific(m: Mention) -> str | None:
    """The honorific the mention writes before its name ("Mrs." in "Mrs. Clinton", "Dr." in "Dr. Oz"), if any."""
    head = m.text[:len(m.text) - len(m.name)].strip() if m.text.endswith(m.name) else ""
    return head.split()[-1] if head and fold(head.split()[-1]).rstrip(".") in HONORIFICS else None


def _item(x: Any) -> Item:
    """A mention travelling as an Item or as its record (`record`)."""
    return x if isinstance(x, Item) else item_of(x)


def _fitting(bearers: set[tuple[str, ...]], mentions: list[Any]) -> set[tuple[str, ...]]:
    """The people a bare name's mentions (Items or their records) may be: where their honorifics all say one
    gender ("Ms. Jackson"), not those whose given name is the other's (`gender_conflict`); else all."""
    written = [h for x in mentions if (h := _honorific(_item(x).m)) is not None and honorific_gender(h)]
    if not written or len({honorific_gender(h) for h in written}) > 1:
        return bearers
    return {b for b in bearers if not gender_conflict(written[0], b[0])}


def _type_decisions(votes: dict[str, Counter[str]]) -> dict[str, Decision]:
    """Root -> (the group's type: the majority of its non-person labels, whether it is mostly a PERSON).
    A known place (`known_places`) that is not mostly a person and that some mention calls a place is a
    GPE (a LOC when so labelled most), whatever the other mentions are labelled."""
    out: dict[str, Decision] = {}
    places = known_places()
    for root, c0 in votes.items():
        named = c0[_NAMED]
        c = Counter({t: n for t, n in c0.items() if t != _NAMED})
        non_person = Counter({t: n for t, n in c.items() if t != "PERSON"})
        gtype = min(non_person or c, key=lambda t: (-(non_person or c)[t], _TYPE_PRIORITY.get(t, 99)))
        mostly_person = c["PERSON"] * 2 >= sum(c.values())
        if " " not in root:
            if mostly_person and not named and sum(non_person.values()) > 0:
                # one word the tagger calls a person, but no article shows it as one (no full name holding it,
                # no title or honorific before it) while some mention types it otherwise ("Twitter",
                # "Patriot"): an agent that is no person and no known place is an organisation
                mostly_person = False
                if gtype in ("GPE", "LOC", "FAC") and root not in places:
                    gtype = "ORG"
        elif not mostly_person and named * 2 >= sum(c.values()):
            mostly_person = True  # "<First> <Last>" tagged ORG, but titled or named by surname alone as a person
        if root in places and not mostly_person and gtype not in ("GPE", "LOC", "FAC") \
                and (c["GPE"] or c["LOC"]):  # the corpus calls it a place at least once
            gtype = "GPE"
        out[root] = (gtype, mostly_person)
    return out


def _split_persons(free: Iterable[Item], root_of: Mapping[str, str], decisions: Mapping[str, Decision]) -> list[Item]:
    """Give each free non-person its group (type, root); return the persons (typed PERSON, not yet grouped).
    A name mostly labelled a person is that person in all its forms (but an org-looking non-person form)."""
    persons: list[Item] = []
    for it in free:
        root = root_of.get(it.key, it.key)
        gtype, mostly_person = decisions[root]
        if mostly_person and (it.type == "PERSON" or not set(it.key.split()) & ORG_WORDS):
            it.type = "PERSON"
            persons.append(it)
            continue
        it.type = gtype
        it.group = (gtype, root)
    return persons


# --- people ------------------------------------------------------------------------------------
def _cluster_article_people(persons: list[Item]) -> tuple[list[_Cluster], list[tuple[str, list[Item]]]]:
    """One article's people: clusters keyed by their longest full name, and the bare names (surname
    -> mentions) that no full name of the article takes."""
    its = sorted(persons, key=lambda x: x.m.span)
    full: dict[tuple[str, ...], list[Item]] = defaultdict(list)
    bare: list[tuple[Item, tuple[str, ...]]] = []
    for it in its:
        toks = _person_tokens(it.m.name)
        if not toks:
            toks = (it.key,)
        if len(toks) >= 2:
            full[toks].append(it)
        else:
            bare.append((it, toks))
    # merge compatible full names within the article into the longest one
    names = sorted(full, key=lambda t: (-len(t), t))
    rep: dict[tuple[str, ...], tuple[str, ...]] = {}
    for t in names:
        targets = [r for r in dict.fromkeys(rep.values()) if _compatible(t, r)]
        rep[t] = targets[0] if len(targets) == 1 else t
    clusters: dict[tuple[str, ...], list[Item]] = defaultdict(list)
    for t in names:
        clusters[rep[t]].extend(full[t])
    # bare names: the person with that surname in this article its honorific fits ("Mrs." not "Bill":
    # `gender_conflict`); of several, the one it titles so ("President"), else the one it names in full most
    # often where that one dominates (the subject of a profile, not the children it lists once each), else the
    # one it names first (`_first_named`)
    named = {r: len(v) for r, v in clusters.items()}
    bare_left: dict[tuple[str, str], list[Item]] = defaultdict(list)  # (surname, its honorific's gender) → mentions
    for it, toks in bare:
        w = toks[0]
        cands = [r for r in clusters if r[-1] == w] or [r for r in clusters if r[0] == w]
        if (hon := _honorific(it.m)) is not None:  # "Mrs. Clinton" is not Bill Clinton, even if he is the one named
            cands = [r for r in cands if not gender_conflict(hon, r[0])]
        if it.m.role and len(cands) > 1:  # "President Clinton": the one the article gives that title
            titled = [r for r in cands if any(_same_title(x.m.role, it.m.role) for x in clusters[r])]
            cands = titled if len(titled) == 1 else cands
        if len(cands) == 1:
            clusters[cands[0]].append(it)
        elif cands:
            ranked = sorted(cands, key=lambda r: -named[r])
            top = ranked[0] if named[ranked[0]] >= _SALIENT * max(named[r] for r in ranked[1:]) else None
            clusters[top or _first_named(cands, clusters)].append(it)
        else:  # "Mrs. Clinton" and "Mr. Clinton" in an article naming neither in full are two people
            bare_left[(w, honorific_gender(_honorific(it.m)) or "")].append(it)
    return list(clusters.items()), [(w, its) for (w, _), its in bare_left.items()]


def _same_title(a: str | None, b: str | None) -> bool:
    """Two roles of one title: their last words agree ("Former President", "President")."""
    return bool(a and b and a.split() and b.split() and fold(a.split()[-1]) == fold(b.split()[-1]))


_SALIENT = 3  # a bare surname goes to the bearer named in full 3x as often in the article as any other


def _first_named(cands: list[tuple[str, ...]], clusters: dict[tuple[str, ...], list[Item]]) -> tuple[str, ...]:
    """Of several people a bare name could be, the one the article names first. A writer gives a second bearer
    of a surname their full name each time, to tell them from the one the surname alone stands for: "Chris
    Murphy" is "Murphy" after "Anne Marie Murphy" is named, "Mr. Cruz" is Ted Cruz after his father Rafael.
    Over train's tune part of PolNeAR (one-off, 25 of the 378 bare names where this and the person named last
    before differ, read): this one right 19 times, that one 2."""
    first = min(cands, key=lambda r: min(x.m.span[0] for x in clusters[r]))
    return glued_name(first, cands) or first  # "Clinton Slams Donald Trump" is Donald Trump


def _canonical_people(reps: Iterable[tuple[str, ...]]) -> dict[tuple[str, ...], tuple[str, ...]]:
    """Across articles: each full name -> the person it is (merged when compatible with exactly one
    longer person). Needs every full name of a surname together; surnames are independent."""
    by_surname: dict[str, dict[tuple[str, ...], None]] = defaultdict(dict)
    for r in reps:
        by_surname[r[-1]][r] = None  # each name once (the order does not matter: sorted below)
    canon: dict[tuple[str, ...], tuple[str, ...]] = {}
    for surname, names in by_surname.items():
        heads: list[tuple[str, ...]] = []
        for t in sorted(names, key=lambda t: (-len(t), t)):
            targets = [h for h in heads if _compatible(t, h)]
            if len(targets) == 1:
                canon[t] = targets[0]
            elif not targets:
                heads.append(t)
                canon[t] = t
            else:
                # compatible with several different people ("George Bush"): its own entity
                canon[t] = t
    return canon


_People = dict[str, set[tuple[str, ...]]]  # a name token -> the people (fullest names) who have it


def _people_tables(heads: Iterable[tuple[str, ...]]) -> tuple[_People, _People]:
    """The people (their fullest names) by surname and by first name."""
    by_surname: dict[str, set[tuple[str, ...]]] = defaultdict(set)
    by_first: dict[str, set[tuple[str, ...]]] = defaultdict(set)
    for h in heads:
        by_surname[h[-1]].add(h)
        by_first[h[0]].add(h)
    return by_surname, by_first


_DOMINANT = 3  # a bare surname goes to a bearer named in 3x as many articles as all the others together
# a bare surname goes to a bearer only when the articles naming that bearer in full are at least a quarter as
# many as those using the surname alone: "Fiorina" alone in 30 articles is not the Frank Fiorina one article
# names (the one the corpus calls Fiorina may be named in full under another label, or not at all)
_BARE_PER_FULL = 4


def _bare_group(w: str, bearers: set[tuple[str, ...]], first_named: set[tuple[str, ...]],
                weight: Mapping[tuple[str, ...], int] | None = None, alone: int = 0) -> Group:
    """The group of a bare name `w` no full name in its article takes: the single known person with that
    surname (`bearers`), or the one of several who dominates the corpus (`weight`: person -> the number
    of article clusters naming them in full; "Barack Obama" in 200 articles, "Michelle Obama" in 3), if
    named in full in at least 1/_BARE_PER_FULL as many articles as use `w` alone (`alone`, when known);
    else, when nobody bears it, the single one with that first name; else its own."""
    known = bearers or first_named
    if bearers and weight and alone:
        known = {h for h in bearers if weight.get(h, 0) * _BARE_PER_FULL >= alone}
        if not known:
            return ("PERSON~", w)
    if len(known) == 1:
        return ("PERSON", next(iter(known)))
    if bearers and weight:
        ranked = sorted(known, key=lambda h: (-weight.get(h, 0), h))
        top, rest = weight.get(ranked[0], 0), sum(weight.get(h, 0) for h in bearers if h != ranked[0])
        if top >= 2 and top >= _DOMINANT * rest:
            return ("PERSON", ranked[0])
    return ("PERSON~", w)


def _person_weights(canon: Mapping[tuple[str, ...], tuple[str, ...]], reps: Iterable[tuple[str, ...]]
                    ) -> Counter[tuple[str, ...]]:
    """Person (fullest name) -> the number of article clusters (`reps`, one per article and person) naming them."""
    return Counter(canon[r] for r in reps)


# --- entities ----------------------------------------------------------------------------------
def _assemble(gkey: Group, its: list[Item]) -> Entity:
    """The entity of one group from its mentions (in corpus order: article id, then position); its
    id is set by `_assign_ids`."""
    etype = its[0].type
    forms: Counter[str] = Counter()
    form_articles: dict[str, set[str]] = defaultdict(set)
    for it in its:
        if it.as_ != "demonym":
            f = _display_name(it)
            forms[f] += 1
            form_articles[f].add(it.aid)
    if etype == "GPE" and (c := COUNTRY_NAMES.get(gkey[1]) or next(
            (v for v in COUNTRY_SET if name_key(v) == gkey[1]), None)):
        name = c
    elif etype == "LOC" and gkey[1] in REGIONS:
        name = REGIONS[gkey[1]]
    elif forms:
        name = _pick_name(forms, Counter({f: len(a) for f, a in form_articles.items()}), etype == "PERSON")
    else:
        name = its[0].m.name
    roles: Counter[str] = Counter()
    role_form: dict[str, str] = {}
    for it in its:
        if it.m.role:
            rk = it.m.role.casefold()
            roles[rk] += 1
            role_form.setdefault(rk, it.m.role)
    ment = sorted({(it.aid, (it.m.span[0], it.m.span[1]), it.m.text): it.as_ for it in its}.items())
    ent = Entity(
        id="",
        name=name,
        type=etype,
        aliases=_aliases(name, etype, its),
        roles=[role_form[k] for k, _ in sorted(roles.items(), key=lambda kv: (-kv[1], kv[0]))],
        mentions=[k for k, _ in ment],
        mention_as={(k[0], k[1]): v for k, v in ment if v},
        capital_of=_capital_of(gkey),
        media=etype == "ORG" and any(it.m.described == "MEDIA" for it in its),
    )
    ent._key = gkey  # type: ignore[attr-defined]
    return ent


def _capital_of(gkey: Group) -> str | None:
    """The entity id of the country whose capital (or seat of government) a group is, None for others.
    (The country's group key is its name key; no other entity shares its base id.)"""
    if gkey[0] in ("GPE", "FAC") and isinstance(gkey[1], str) and (country := CAPITALS.get(gkey[1])):
        return _base_id("GPE", ("GPE", name_key(country)))
    return None


def _drop_missing_countries(entities: list[Entity]) -> None:
    """A capital's link to a country the corpus never names otherwise is dropped (no id without its entity)."""
    ids = {e.id for e in entities}
    for e in entities:
        if e.capital_of and e.capital_of not in ids:
            e.capital_of = None


def _aliases(name: str, etype: str, its: list[Item]) -> list[str]:
    """The other forms seen, in article and span order (case/quote variants once; "the ..." for countries)."""
    aliases: list[str] = []
    seen = {_alias_norm(name)}
    for it in sorted(its, key=lambda x: (x.aid, x.m.span)):
        cands = [it.m.name]
        if etype == "GPE" and it.m.text.lower().startswith("the ") and name_key(it.m.text) == it.key \
                and it.m.role is None:
            cands.append("the " + it.m.text[4:])
        for a in cands:
            if _alias_norm(a) not in seen:
                seen.add(_alias_norm(a))
                aliases.append(a)
    return aliases


def _group_type(gkey: Group) -> str:
    """The type of the entity of a group (what `_assemble` finds on its mentions)."""
    return "PERSON" if gkey[0] == "PERSON~" else gkey[0]


def _base_id(etype: str, gkey: Group) -> str:
    """An entity's id from content, when no other entity of the corpus has the same one."""
    return stable_id("e", etype, _id_key(gkey))


def _assign_ids(entities: list[Entity]) -> None:
    """Ids from content; a collision (two people with the same first and last name) uses the full key.
    Entities with different base ids never interact: any set holding all those of a base id will do."""
    base: dict[str, list[Entity]] = defaultdict(list)
    for e in entities:
        base[_base_id(e.type, e._key)].append(e)  # type: ignore[attr-defined]
    for eid, es in base.items():
        if len(es) == 1:
            es[0].id = eid
        else:
            for e in es:
                e.id = stable_id("e", e.type, _id_key(e._key, full=True))  # type: ignore[attr-defined]
    for e in entities:
        del e._key  # type: ignore[attr-defined]


def entity_order(e: Entity) -> tuple[int, str, str]:
    """The order of `canonicalise`'s result: most mentioned first, then by name and id."""
    return (-len(e.mentions), e.name, e.id)


@functools.lru_cache(maxsize=1 << 16)
def _alias_norm(s: str) -> str:
    """Forms that differ only in case, typographic quotes or spacing are one alias."""
    return re.sub(r"\s+", " ", s.replace("’", "'").replace("‘", "'").replace("`", "'")).casefold()


def _display_name(it: Item) -> str:
    name = it.m.name
    if it.type == "PRODUCT" and (cm := CODE_RE.match(name)) and cm.group("pl"):
        name = name[:cm.end("pl") - 1] + name[cm.end("pl"):]  # "S-400s" -> "S-400" for the canonical name
    return name


def _id_key(gkey: Any, full: bool = False) -> str:
    kind, key = gkey[0], gkey[1]
    if kind == "PERSON" and isinstance(key, tuple):
        toks = key
        if full or len(toks) < 2:
            return " ".join(toks)
        return f"{toks[0]} {toks[-1]}"
    if kind == "PERSON~":
        return "~" + str(key)
    return key if isinstance(key, str) else " ".join(key)


# --------------------------------------------------------------------------------------------
# EntityIndex: quote speakers -> entity ids
# --------------------------------------------------------------------------------------------
class EntityIndex:
    """Find the entity an article's span or name refers to. An article's answers read only the entities
    with a mention in it: an index of those of some articles answers for these articles as one of all."""

    def __init__(self, entities: Iterable[Entity]):
        self._spans: dict[str, list[tuple[int, int, str, str]]] = defaultdict(list)
        self._names: dict[str, dict[str, list[tuple[str, str]]]] = defaultdict(lambda: defaultdict(list))
        self._surnames: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        for e in entities:
            keys = {name_key(e.name), *(name_key(a) for a in e.aliases)}
            arts = set()
            for aid, span, _text in e.mentions:
                # (`finish` has dropped a capital's link to a country no entity is)
                if e.capital_of and e.mention_as.get((aid, (span[0], span[1]))) == "capital":
                    # "Ankara said", "Ankara authorities": the state speaks through its capital
                    self._spans[aid].append((span[0], span[1], e.capital_of, "GPE"))
                else:
                    self._spans[aid].append((span[0], span[1], e.id, e.type))
                arts.add(aid)
            for aid in arts:
                for k in keys:
                    self._names[aid][k].append((e.id, e.type))
                if e.type == "PERSON" and (toks := _person_tokens(e.name)):
                    self._surnames[aid][toks[-1]].add(e.id)
        for lst in self._spans.values():
            lst.sort()

    # A capital's mention standing for its government is indexed as its country's (the state speaks).

    def speaker(self, article_id: str, span: Span | None, name: str | None = None,
                type: str | None = None) -> tuple[str | None, str | None]:
        """(the entity that is the speaker, the entity the speaker belongs to): a speaker is the entity
        its words name when that entity's mention ends the speaker's phrase, its head ("Russia", "Izvestiya",
        "President Putin"); an entity named only as a modifier ("Turkish officials", "a Russian newspaper",
        "US officials") is the group's affiliation, not the speaker."""
        eid = self.link(article_id, span, name, type)
        if eid is None or span is None:
            return eid, None
        s0, s1 = span
        ends = [b for a, b, e, _ in self._spans.get(article_id, ()) if e == eid and a < s1 and b > s0]
        if not ends or max(ends) >= s1:  # the head, or linked by name ("the newspaper" the text calls Izvestiya)
            return eid, None
        named = self.link(article_id, None, name, type) if name else None  # "the Russian newspaper" Izvestiya
        return named, eid

    def link(self, article_id: str, span: Span | None, name: str | None = None, type: str | None = None) -> str | None:
        """The entity whose mention in that article overlaps `span` (most overlap, the given type
        first), else the one of that article's entities with `name` as its name or an alias.

        Speaker types from the quote layer narrow it: PERSON takes only a person; GROUP ("US
        officials", "Moscow and Ankara") only when a single entity is named in it; ANONYMOUS
        ("a Russian newspaper", "a source close to ...") is never an entity."""
        if type == "ANONYMOUS":
            return None
        if span is not None:
            s0, s1 = span
            hits: dict[str, tuple[bool, int]] = {}
            for a, b, eid, etype in self._spans.get(article_id, ()):
                if a >= s1:
                    break
                ov = min(b, s1) - max(a, s0)
                if ov > 0 and (type != "PERSON" or etype == "PERSON"):
                    score = (etype == type, ov)
                    hits[eid] = max(hits.get(eid, score), score)
            if type == "GROUP":
                return next(iter(hits)) if len(hits) == 1 else None
            if hits:
                return max(hits, key=lambda e: (hits[e], e))
        if name and type != "GROUP":
            hits_n = self._names.get(article_id, {}).get(name_key(name), [])
            if type:
                typed = [h for h in hits_n if h[1] == type]
                hits_n = typed or ([] if type == "PERSON" else hits_n)
            ids = list(dict.fromkeys(h[0] for h in hits_n))
            if len(ids) == 1:
                return ids[0]
            # a bare surname ("Peskov") for the one person of that surname in the article
            toks = _person_tokens(name)
            if not ids and len(toks) == 1 and type in (None, "PERSON"):
                people = self._surnames.get(article_id, {}).get(toks[0], set())
                if len(people) == 1:
                    return next(iter(people))
        return None



def link_quotes(index: EntityIndex, names: Mapping[str, tuple[str, str]], aid: str,
                quotes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """An article's quotes (its quote layer) with their speakers linked to entities (`names`: entity id ->
    (name, type) of the entities the index holds), each with its id and article id."""
    out = []
    for q in quotes:
        sp = q.get("speaker")
        if sp:
            eid, affiliation = index.speaker(aid, tuple(sp["span"]), sp.get("name"), sp.get("type"))
            sp["entity_id"] = eid
            if affiliation:  # "Turkish officials" belong to Turkey; they are not Turkey
                sp["affiliation_id"] = affiliation
            if eid is not None and eid in names and names[eid][1] == sp.get("type"):  # a person's fullest name;
                sp["name"] = names[eid][0]  # a group ("Turkish officials") keeps its own words
        q["id"] = stable_id("q", aid, str(q["span"][0]), str(q["span"][1]))
        q["article_id"] = aid
        out.append(q)
    return out
