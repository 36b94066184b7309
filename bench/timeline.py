"""Cross-document timelines on ../shared/bench/timeline (SemEval-2015 Task 4 "TimeLine", track A, trial data).

The task: given 30 Wikinews articles about Apple and a target entity ("Steve Jobs", "iPhone 4", …), list
every event the entity takes part in, across the documents, in time order. Track A starts from raw text
(no gold events). A timeline file is the entity's name, then one line per event:
`rank <TAB> date <TAB> docid-sentence-word [<TAB> docid-sentence-word …]` — the mentions of one event
(the CAT token's word; a multi-word mention joined with '_'), its date ('2008-06-09', '2008-06', '2008',
'XXXX-XX-XX' unknown), and its rank (1, 2, … in time order; equal ranks at the same time; rank 0: events
the annotators could not place in time).

How storyline runs here: each CAT document's tokens are joined into text (light detokenisation: no space
before , . ' 's n't …, 'Wal - Mart' as 'Wal-Mart'; plain space-joined tokens score lower), its first
sentence (the headline) is the title, its second (the date line) a paragraph of its own, the other
sentences one paragraph (the CAT files keep no paragraphs), and its date is the TimeML DCT; all 30 go
into one JSONL file and a fresh database (`storyline.pipeline.build`). `Store.events()` gives events
(dossier shape); each event mention's trigger span in its article text is mapped back to the document
text (`Article.text_map`) and to the CAT tokens it covers (the text there must be the tokens' text or a
part of it, or the mention is dropped and counted). An event joins the timeline of a target when one of its participants
or an entity mentioned in one of its mentions' sentences is the target: an entity name or alias equal
to the target (case, a leading 'the', a possessive and punctuation aside), a partial name that ends the
target ('Jobs' for 'Steve Jobs', 'Apple Corps' for 'Beatles Apple Corps'; 'iPhone' is not 'iPhone 3G'),
or the target with generic words added ('iTunes Music Store'). Events are ordered by their date at its
precision ('2008' < '2008-06' < '2008-06-09' as strings, the task's habit of putting the coarser date
first; a range '1955/2011' by its start; weeks, quarters and seasons by their year); events with the
same date share a rank; undated events go to rank 0 as XXXX-XX-XX. A trigger of several tokens is
written with '_' like the task's multi-word mentions; a trigger inside a CAT token ('orders' in
'pre-orders') is written as the whole token. Sentence 0 of each document (the title) is the article's
title, which storyline annotates as a headline; its event mentions (`field` "title", spans into the title)
map to sentence 0's tokens (the trial gold has no event there; the evaluation corpora do).

The metric (`score_timelines`), temporal awareness (UzZaman & Allen 2011) as this bench read the task
(Minard et al. 2015) before the organisers' tool was found (its rules are further down): each
timeline becomes a graph of interval relations (`timeline_relations`):
- every mention is an interval node named by its `docid-sentence-word` string (so a system mention
  counts only if it names the same document, sentence and word as the gold);
- mentions on one line are SIMULTANEOUS (one event);
- lines with the same rank > 0 are SIMULTANEOUS; each rank > 0 is BEFORE the next rank > 0 (and, by
  closure, every later one);
- rank 0 is not ordered: its lines are SIMULTANEOUS with nothing but their own mentions and BEFORE
  nothing — an undated event that is the only mention on its line therefore adds no relation to
  either graph (it cannot earn or lose points);
- a known date is a time node ('time:2008-06') that INCLUDES every mention on its lines. Dates are
  compared at the precision they state, with the task's 'XX' placeholders cut: '2007-09-XX' is
  '2007-09', '2010-XX-XX' is '2010'; 'XXXX-XX-XX' (and the gold's one typo 'XXX-XX-XX') is no date and
  gives no node. Time nodes are not related to each other ('2008' does not INCLUDE '2008-06').
- a mention listed twice (the gold lists 18315-9-appearance under ranks 25 and 26) keeps its first
  line only, since a node on two ranks would be BEFORE itself.
`closure` is the full closure over BEFORE / SIMULTANEOUS / INCLUDES computed exactly in the point
algebra (each interval a start point before its end point; BEFORE(a, b): a.end < b.start; SIMULTANEOUS:
equal starts and equal ends; INCLUDES(t, a): t.start < a.start and a.end < t.end), so it also finds
what a composition table misses (t INCLUDES a, a BEFORE b BEFORE c, t INCLUDES c ⇒ t INCLUDES b);
inverse relations (AFTER, IS_INCLUDED) are stored as their forward forms. `reduce_graph` removes,
from the last relation to the first, every relation the remaining ones imply (UzZaman & Allen's
reduction); where several minimal graphs exist — one SIMULTANEOUS class can be spanned many ways — it
keeps the earliest-listed relations, i.e. the first-listed mention of a rank stands for the rank.
Precision = |closure(gold) ∩ reduced(system)| / |reduced(system)|, recall = |closure(system) ∩
reduced(gold)| / |reduced(gold)|, both micro-averaged over the target entities (numerators and
denominators summed over the timelines), F1 their harmonic mean, in percent as the task reports it.

Where this metric differs from the official scorer: see the organisers' rules below; the bench prints
both. This metric is kept as it was (its figures are the project's running record).

The organisers' rules (`score_timelines_official`). Sources: the task's tools page
(alt.qcri.org/semeval2015/task4/index.php?id=tools: each time anchor a TIMEX3, each event related to
one TIMEX3 by SIMULTANEOUS, BEFORE or SIMULTANEOUS between events; the official results come from
evaluation_tool_timeline_task4_v3.zip) and the tool's own files as stored in a public code index
(its 00-README.txt "TRIAL DATA and EVALUATION SCRIPT" by Itziar Aldabe and Eneko Agirre,
evaluation_all.py, evaluation_timeline.py; the index does not name the repository holding them),
which call UzZaman's TempEval-3 scorer (temporal_evaluation.py, as in the TempEval-3 toolkit, e.g.
qiangning/StructTempRel-EMNLP17 data/TempEval3/Tools/tools/evaluation-relations/;
relation_to_timegraph.py, e.g. jmarecek/ip-ensemble). Read from that code:
- evaluation_timeline.py drops the entity-name line, sorts the other lines by their whole text with
  numbers compared as numbers (rank, then date, then mentions), skips rank 0 entirely (its events
  are in neither graph, whatever the line says) and writes a TimeML file per side: a TIMEX3 per
  distinct date string, taken literally (`2008-06`, `2008-06-XX` and `2008-06-09` are three unrelated
  time nodes; `XXXX-XX-XX` on a ranked line is one node shared by all such events, so they are all
  simultaneous; the gold's `XXX-XX-XX` typo is a node of its own), an EVENT per listed mention (a
  mention listed twice is two events), a TLINK event SIMULTANEOUS its date (not IS_INCLUDED), and
  between each mention and the next in that order BEFORE when the rank grows, else SIMULTANEOUS.
  Time nodes are never linked to each other. Ids: gold events ei1, ei2, … in line order, gold dates
  t0, t1, …; a system mention takes the gold id of the same text (its k-th listing the k-th gold
  listing, searched from the first listing + k as the tool does), a system date the gold id of the
  same string; anything else a fresh id, so it can match nothing in the gold.
- consequence: in the gold, two events with the same date string on different ranks are equal (via
  the date) and BEFORE each other; the timegraph refuses the BEFORE ('violated'), but the scorer still
  counts it (below), so only a system that writes that very link earns it (7 such links in the trial
  gold, 4 of them Steve Jobs's).
- temporal_evaluation.py (evaluate_two_files, the default): each side's TLINKs go into a timegraph in
  the order written; a relation between nodes already there is dropped when the relations added
  before it imply it (so the reduction is order-dependent, not a minimal graph), refused and kept as
  'violated' when they contradict it, else added. The scored relations are the kept plus the violated
  ones. One of them counts as verified by the other side when the other side's file states it (either
  way round: A BEFORE B = B AFTER A) or the other side's timegraph implies it. Precision = verified
  system relations / scored system relations, recall likewise from the gold.
- evaluation_all.py sums those four counts over the targets and reports 100 × round(ratio, 6) for P
  and R, F1 from the rounded figures. A target without an answer file is skipped (its gold relations
  do not count); a run with no system relations at all stops with a division by zero (0 here).
How it is written here: the TimeML files are not written; `official_graphs` builds the same TLINKs
with the same ids, `official_reduction` replays the timegraph's decisions with a reachability test on
start/end points (`_OrderGraph`), and the implication test on the finished graph reuses `_PointGraph`,
the exact point-algebra closure of this bench's metric. The timegraph (chains of points with
cross-chain links) answers exactly that closure for graphs of these two relation types as long as
they stay consistent, which its refusals keep them; this, and that the code above is the v3 tool,
are the assumptions. To check them, a scratch Python 3 replica of the code paths these files reach
(the TML writing, the timegraph's chains, aliasing and cross-chain search, the regex matching of
stated relations) was run against this module outside the project: identical counts on the gold,
the two baselines, storyline's timelines (both date styles) and some 3,000 random timeline pairs.
Not replicated: Python 2's rounding of exact halves (P and R at the sixth decimal).

Dates for the official rules: the bench writes system dates as the issue says the task writes them,
at the known precision with XX for the rest (`2008-06-XX`, `2008-XX-XX`, `XXXX-XX-XX`; `task_date`,
and `--dump` writes them so too). The trial gold mostly writes partial dates without XX (`2008-06`,
`2004`: 26 of its 31 month- or year-dated lines), and the tool compares date strings, so on this
trial set such anchors cannot match; the bench also prints storyline's official figures with its
dates written that way.

Sanity checks (printed; the first two asserted under both metrics): gold against itself scores 100; an
empty system (an answer file per target with no lines) scores 0; two baselines that are handed the
gold's own mentions (so they show what the ordering part of the metric gives away, not a track A
result): one mention per rank in document order (documents by DCT, then sentence; no dates, written
XXXX-XX-XX, so under the official rules they all share one time node and every BEFORE between them
is refused, yet still scored), and every mention dated by its document's DCT (one rank per DCT).

Published: the best track A F1 in the task paper is 7.85 (as the bench README quotes it, on the
evaluation corpora, not on this trial set); the project's target is 25.

    python bench/timeline.py [--dump DIR] [--errors] [--keep-db PATH]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import unicodedata
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import SHARED_BENCH, doc_offset  # noqa: E402

DATA = SHARED_BENCH / "timeline" / "trial"
PUBLISHED_BEST_A = 7.85  # best published track A F1 (bench README; Minard et al. 2015)
TARGET_F1 = 25.0

BEFORE, SIMULTANEOUS, INCLUDES = "BEFORE", "SIMULTANEOUS", "INCLUDES"
_INVERSE = {"AFTER": BEFORE, "IS_INCLUDED": INCLUDES}
TIME = "time:"
UNDATED = "XXXX-XX-XX"

Relation = tuple[str, str, str]


# --- timelines --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Line:
    rank: int
    date: str
    mentions: tuple[str, ...]


@dataclass
class Timeline:
    name: str
    lines: list[Line] = field(default_factory=list)


def parse_timeline(text: str) -> Timeline:
    """A timeline file's text: the entity's name, then `rank TAB date TAB mention [TAB mention …]` lines."""
    rows = text.splitlines()
    tl = Timeline(rows[0].strip() if rows else "")
    for row in rows[1:]:
        parts = [p.strip() for p in row.split("\t") if p.strip()]
        if len(parts) < 3 or not parts[0].lstrip("-").isdigit():
            continue
        tl.lines.append(Line(int(parts[0]), parts[1], tuple(parts[2:])))
    return tl


def format_timeline(tl: Timeline) -> str:
    return tl.name + "\n" + "".join(f"{ln.rank}\t{ln.date}\t" + "\t".join(ln.mentions) + "\n" for ln in tl.lines)


def load_gold(root: Path = DATA) -> dict[str, Timeline]:
    """Gold timelines by file stem ('steve_jobs')."""
    files = sorted((root / "gold_timelines").glob("*.txt"))
    return {p.stem: parse_timeline(p.read_text(encoding="utf-8")) for p in files}


# --- the metric -------------------------------------------------------------------------------

def normalise_date(value: str | None) -> str | None:
    """A date at the precision it states: 'YYYY', 'YYYY-MM' or 'YYYY-MM-DD' ('2007-09-XX' → '2007-09',
    '2010-06-07T10:00' → '2010-06-07', '2010-W23' → '2010'); None when not even the year is known."""
    if not value:
        return None
    m = re.match(r"(\d{4})(?:-(\d\d)(?=$|[-T])(?:-(\d\d)(?=$|T))?)?", value)
    if not m:
        return None
    return "-".join(p for p in m.groups() if p)


def canonical(r: Relation) -> Relation:
    """A relation in its stored form: AFTER and IS_INCLUDED turned round; SIMULTANEOUS with its nodes sorted."""
    x, rel, y = r
    if rel in _INVERSE:
        x, rel, y = y, _INVERSE[rel], x
    if rel not in (BEFORE, SIMULTANEOUS, INCLUDES):
        raise ValueError(f"unknown relation {rel!r}")
    if rel == SIMULTANEOUS and y < x:
        x, y = y, x
    return (x, rel, y)


def timeline_relations(lines: Iterable[Line]) -> list[Relation]:
    """The relations a timeline states (see the module docstring): SIMULTANEOUS within a line and a
    rank > 0, BEFORE between consecutive ranks > 0, INCLUDES from each known date to its mentions.

    Written compactly (each rank's first mention stands for the rank; one BEFORE per pair of consecutive
    ranks); the all-pairs graph has the same closure and the same reduction."""
    seen: set[str] = set()
    by_rank: dict[int, list[str]] = {}
    rels: list[Relation] = []
    for line in lines:
        ms = [m for m in dict.fromkeys(line.mentions) if m not in seen]
        seen.update(ms)
        if not ms:
            continue
        if line.rank == 0:
            rels += [(ms[0], SIMULTANEOUS, m) for m in ms[1:]]
        else:
            by_rank.setdefault(line.rank, []).extend(ms)
        date = normalise_date(line.date)
        if date:
            rels += [(TIME + date, INCLUDES, m) for m in ms]
    ranks = sorted(by_rank)
    for r in ranks:
        rels += [(by_rank[r][0], SIMULTANEOUS, m) for m in by_rank[r][1:]]
    rels += [(by_rank[a][0], BEFORE, by_rank[b][0]) for a, b in zip(ranks, ranks[1:])]
    return [canonical(r) for r in rels]


class _PointGraph:
    """The point-algebra form of interval relations: every node's start and end point, points made
    equal by SIMULTANEOUS merged into classes, and '<' edges between classes with reachability bitsets."""

    def __init__(self, relations: Iterable[Relation]):
        self.rels = [r for r in dict.fromkeys(canonical(r) for r in relations) if not (r[1] == SIMULTANEOUS
                                                                                        and r[0] == r[2])]
        self.nodes: list[str] = list(dict.fromkeys(n for x, _, y in self.rels for n in (x, y)))
        index = {n: i for i, n in enumerate(self.nodes)}
        parent = list(range(2 * len(self.nodes)))

        def find(p: int) -> int:
            while parent[p] != p:
                parent[p] = parent[parent[p]]
                p = parent[p]
            return p

        for x, rel, y in self.rels:
            if rel == SIMULTANEOUS:
                for k in (0, 1):
                    parent[find(2 * index[x] + k)] = find(2 * index[y] + k)
        roots = {find(p) for p in range(len(parent))}
        number = {r: i for i, r in enumerate(sorted(roots))}
        self.cls = [number[find(p)] for p in range(len(parent))]
        self.start = {n: self.cls[2 * i] for n, i in index.items()}
        self.end = {n: self.cls[2 * i + 1] for n, i in index.items()}
        n_cls = len(roots)
        self.succ: list[set[int]] = [set() for _ in range(n_cls)]
        for n in self.nodes:
            self.succ[self.start[n]].add(self.end[n])
        self.edges: list[list[tuple[int, int]]] = []  # the '<' edges each relation adds (none for SIMULTANEOUS)
        for x, rel, y in self.rels:
            if rel == BEFORE:
                es = [(self.end[x], self.start[y])]
            elif rel == INCLUDES:
                es = [(self.start[x], self.start[y]), (self.end[y], self.end[x])]
            else:
                es = []
            self.edges.append(es)
            for u, v in es:
                if u == v:
                    raise ValueError(f"inconsistent relations: {x} {rel} {y} makes a point precede itself")
                self.succ[u].add(v)
        # reachability, children before parents (Kahn's order reversed); a cycle is an inconsistency
        indeg = [0] * n_cls
        for u in range(n_cls):
            for v in self.succ[u]:
                indeg[v] += 1
        order = [u for u in range(n_cls) if indeg[u] == 0]
        for u in order:
            for v in self.succ[u]:
                indeg[v] -= 1
                if indeg[v] == 0:
                    order.append(v)
        if len(order) != n_cls:
            raise ValueError("inconsistent relations: a cycle of BEFORE / INCLUDES")
        self.reach = [0] * n_cls
        for u in reversed(order):
            bits = 0
            for v in self.succ[u]:
                bits |= (1 << v) | self.reach[v]
            self.reach[u] = bits

    def before(self, p: int, q: int) -> bool:
        return bool(self.reach[p] >> q & 1)

    def in_reduction(self, u: int, v: int) -> bool:
        """Whether the point edge u < v is in the transitive reduction (no other path from u to v)."""
        return not any(w != v and self.reach[w] >> v & 1 for w in self.succ[u])


def closure(relations: Iterable[Relation]) -> set[Relation]:
    """Every BEFORE / SIMULTANEOUS / INCLUDES relation between the nodes that the relations imply."""
    g = _PointGraph(relations)
    groups: dict[tuple[int, int], list[str]] = defaultdict(list)
    for n in g.nodes:
        groups[(g.start[n], g.end[n])].append(n)
    out: set[Relation] = set()
    for members in groups.values():
        ms = sorted(members)
        out.update((a, SIMULTANEOUS, b) for i, a in enumerate(ms) for b in ms[i + 1:])
    items = list(groups.items())
    for (s1, e1), xs in items:
        for (s2, e2), ys in items:
            if (s1, e1) == (s2, e2):
                continue
            if g.before(e1, s2):
                rel = BEFORE
            elif g.before(s1, s2) and g.before(e2, e1):
                rel = INCLUDES
            else:
                continue
            out.update((x, rel, y) for x in xs for y in ys)
    return out


def reduce_graph(relations: Iterable[Relation]) -> list[Relation]:
    """A minimal subset with the same closure: from the last relation to the first, each relation the
    remaining ones imply is dropped (so where several minimal graphs exist, the earliest-listed relations
    stay). SIMULTANEOUS relations are implied only by other SIMULTANEOUS ones (a spanning forest of each
    class is kept); a BEFORE or INCLUDES relation is implied when each of its point edges either has
    another path in the point graph or is also given by a relation still kept."""
    g = _PointGraph(relations)
    keep = [False] * len(g.rels)
    parent: dict[str, str] = {}

    def find(n: str) -> str:
        parent.setdefault(n, n)
        while parent[n] != n:
            parent[n] = parent[parent[n]]
            n = parent[n]
        return n

    for i, (x, rel, y) in enumerate(g.rels):  # Kruskal in listed order = reverse-delete from the end
        if rel == SIMULTANEOUS and find(x) != find(y):
            parent[find(x)] = find(y)
            keep[i] = True
    needed = [[e for e in es if g.in_reduction(*e)] for es in g.edges]
    providers = Counter(e for es in needed for e in es)
    for i in reversed(range(len(g.rels))):
        if g.rels[i][1] == SIMULTANEOUS:
            continue
        if all(providers[e] > 1 for e in needed[i]):
            for e in needed[i]:
                providers[e] -= 1
        else:
            keep[i] = True
    return [r for r, k in zip(g.rels, keep) if k]


def score_timelines(gold: dict[str, Timeline | list[Line]], system: dict[str, Timeline | list[Line]]) -> dict:
    """Temporal awareness over every gold timeline (a target the system has no timeline for counts as
    empty): micro-averaged precision, recall and F1 in percent, plus one row of counts per target."""
    rows = []
    for name, g in gold.items():
        s = system.get(name, [])
        g_lines = g.lines if isinstance(g, Timeline) else g
        s_lines = s.lines if isinstance(s, Timeline) else s
        g_rel, s_rel = timeline_relations(g_lines), timeline_relations(s_lines)
        g_clo, s_clo = closure(g_rel), closure(s_rel)
        g_red, s_red = reduce_graph(g_rel), reduce_graph(s_rel)
        rows.append({"name": name, "p_hit": sum(r in g_clo for r in s_red), "system": len(s_red),
                     "r_hit": sum(r in s_clo for r in g_red), "gold": len(g_red)})
    p_hit, n_sys = sum(r["p_hit"] for r in rows), sum(r["system"] for r in rows)
    r_hit, n_gold = sum(r["r_hit"] for r in rows), sum(r["gold"] for r in rows)
    p = 100 * p_hit / n_sys if n_sys else 0.0
    r = 100 * r_hit / n_gold if n_gold else 0.0
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0, "rows": rows}


# --- the organisers' scorer -------------------------------------------------------------------
# The rules of the task's evaluation tool (evaluation_tool_timeline_task4: evaluation_all.py,
# evaluation_timeline.py and UzZaman's TempEval-3 temporal_evaluation.py / relation_to_timegraph.py;
# see the module docstring), written again here: nothing of its code is copied.

TASK_UNDATED = "XXXX-XX-XX"
_REVERSE = {BEFORE: "AFTER", "AFTER": BEFORE, SIMULTANEOUS: SIMULTANEOUS}


def task_date(date: str | None) -> str:
    """A date as the task writes it: '2008' → '2008-XX-XX', '2008-06' → '2008-06-XX', '2008-06-09' as
    it is, no date → 'XXXX-XX-XX' (a value already in that form is kept)."""
    d = normalise_date(date)
    if d is None:
        return date if date and re.fullmatch(r"[0-9X]{4}-[0-9X]{2}-[0-9X]{2}", date) else TASK_UNDATED
    return d + "-XX" * (2 - d.count("-"))


def in_task_dates(timelines: dict[str, Timeline]) -> dict[str, Timeline]:
    """The same timelines with every date written the task's way (`task_date`)."""
    return {k: Timeline(t.name, [Line(ln.rank, task_date(ln.date), ln.mentions) for ln in t.lines])
            for k, t in timelines.items()}


def _natural_key(text: str) -> list:
    """The tool's sort key for a timeline line: runs of ASCII digits compared as numbers."""
    return [int(c) if i % 2 else c for i, c in enumerate(re.split(r"(\d+)", text, flags=re.ASCII))]


def _official_rows(lines: Iterable[Line]) -> list[tuple[int, str, list[str]]]:
    """(rank, date, mentions) of the lines the tool reads: each line as its text (`rank TAB date TAB
    mention …`), the lines sorted by `_natural_key` of that text, rank 0 left out."""
    texts = [f"{ln.rank}\t{ln.date}\t" + "\t".join(ln.mentions) for ln in lines]
    rows = []
    for text in sorted((t.rstrip() for t in texts if t.strip()), key=_natural_key):
        info = text.split("\t")
        if len(info) >= 3 and int(info[0]) != 0:
            rows.append((int(info[0]), info[1], info[2:]))
    return rows


def _official_links(events: list[tuple[str, str, int]]) -> list[Relation]:
    """The TLINKs the tool writes for (event id, time id, rank) in line order: every event SIMULTANEOUS
    with its time, then each event BEFORE the next one when its rank is lower, else SIMULTANEOUS. The
    tool keeps an event's time and rank in a table by id, so an id given twice takes its last ones."""
    info = {e: (t, r) for e, t, r in events}
    rels = [(e, SIMULTANEOUS, info[e][0]) for e, _, _ in events]
    rels += [(a, BEFORE if info[a][1] < info[b][1] else SIMULTANEOUS, b)
             for (a, _, _), (b, _, _) in zip(events, events[1:])]
    return rels


def official_graphs(gold: Timeline | Iterable[Line],
                    system: Timeline | Iterable[Line]) -> tuple[list[Relation], list[Relation]]:
    """The relations of the two TimeML files the tool writes for a gold and a system timeline, in the
    order it writes them, with its ids: gold events ei1, ei2, … in line order (every mention a node of
    its own, a mention listed twice twice), gold dates t0, t1, … in order of first use; a system mention
    takes the id of the gold mention with the same text (its k-th listing the gold's k-th, found as the
    tool finds it), a system date the id of the same gold string; anything else a new id."""
    g_rows, s_rows = (_official_rows(t.lines if isinstance(t, Timeline) else t) for t in (gold, system))
    g_times: list[str] = list(dict.fromkeys(d for _, d, _ in g_rows))
    g_flat = [(r, d, m) for r, d, ms in g_rows for m in ms]
    g_mentions = [m for _, _, m in g_flat]
    g_events = [(f"ei{i + 1}", f"t{g_times.index(d)}", r) for i, (r, d, _) in enumerate(g_flat)]
    next_t, next_e = len(g_times) + 1, len(g_mentions) + 1
    s_times: dict[str, str] = {}
    seen: list[str] = []
    s_events = []
    for r, d, ms in s_rows:
        if d not in s_times:
            if d in g_times:
                s_times[d] = f"t{g_times.index(d)}"
            else:
                s_times[d], next_t = f"t{next_t}", next_t + 1
        for m in ms:
            k = seen.count(m)
            if m in g_mentions and k < g_mentions.count(m):  # the tool searches from the first listing + k
                eid = f"ei{g_mentions.index(m, g_mentions.index(m) + k) + 1}"
            else:
                eid, next_e = f"ei{next_e}", next_e + 1
            seen.append(m)
            s_events.append((eid, s_times[d], r))
    return _official_links(g_events), _official_links(s_events)


class _OrderGraph:
    """The relations added so far, as points (each node's start and end) with '≤' edges: an interval's
    start before its end, BEFORE from the first's end to the second's start, SIMULTANEOUS both ways
    between the starts and between the ends. p < q when q is reachable from p and not p from q; p = q
    when each reaches the other (what the TempEval-3 timegraph answers for these relations)."""

    def __init__(self) -> None:
        self.succ: dict[tuple[str, str], set[tuple[str, str]]] = {}

    def __contains__(self, node: str) -> bool:
        return (node, "s") in self.succ

    def _reach(self, p, q) -> bool:
        todo, seen = [p], {p}
        while todo:
            u = todo.pop()
            if u == q:
                return True
            for v in self.succ[u] - seen:
                seen.add(v)
                todo.append(v)
        return False

    def point(self, p, q) -> str:
        a, b = self._reach(p, q), self._reach(q, p)
        return "=" if a and b else "<" if a else ">" if b else "?"

    def test(self, x: str, rel: str, y: str) -> bool | None:
        """Whether the graph implies the relation (True), contradicts it (False) or neither (None)."""
        if rel == BEFORE:
            return {"<": True, "?": None}.get(self.point((x, "e"), (y, "s")), False)
        starts, ends = self.point((x, "s"), (y, "s")), self.point((x, "e"), (y, "e"))
        if starts not in ("=", "?") or ends not in ("=", "?"):
            return False
        return True if starts == ends == "=" else None

    def add(self, x: str, rel: str, y: str) -> None:
        for n in (x, y):
            if n not in self:
                self.succ[(n, "s")], self.succ[(n, "e")] = {(n, "e")}, set()
        if rel == BEFORE:
            self.succ[(x, "e")].add((y, "s"))
        else:
            for k in "se":
                self.succ[(x, k)].add((y, k))
                self.succ[(y, k)].add((x, k))


def official_reduction(relations: Iterable[Relation]) -> tuple[list[Relation], list[Relation]]:
    """The relations the tool scores and the ones its graph holds, as UzZaman's timegraph builds them:
    relations are added in the order written (a repeated one once); a relation between nodes already
    there is dropped when the ones added before it imply it, and not added but kept when they contradict
    it (a 'violated' relation: still scored, found in the other graph or not); every other one is added.
    Returns (scored: added + violated, added)."""
    done: set[Relation] = set()
    g = _OrderGraph()
    added: list[Relation] = []
    violated: list[Relation] = []
    for r in relations:
        x, rel, y = r
        if r in done:
            continue
        done.add(r)
        if x == y and rel != SIMULTANEOUS:
            violated.append(r)
            continue
        verdict = g.test(x, rel, y) if x in g and y in g else None
        if verdict is True:
            continue
        if verdict is False:
            violated.append(r)
            continue
        g.add(x, rel, y)
        added.append(r)
    return added + violated, added


def _official_matched(scored: list[Relation], stated: list[Relation], graph_relations: list[Relation]) -> int:
    """How many of one side's scored relations the other side verifies: written in its file (either
    way round) or implied by its graph (the added relations' closure, `_PointGraph`)."""
    said = set(stated) | {(y, _REVERSE[rel], x) for x, rel, y in stated}
    g = _PointGraph(graph_relations)
    n = 0
    for x, rel, y in scored:
        if (x, rel, y) in said:
            n += 1
        elif x in g.start and y in g.start:
            if rel == BEFORE:
                n += g.before(g.end[x], g.start[y])
            else:
                n += g.start[x] == g.start[y] and g.end[x] == g.end[y]
    return n


def score_timelines_official(gold: dict[str, Timeline | list[Line]],
                             system: dict[str, Timeline | list[Line]]) -> dict:
    """Temporal awareness by the organisers' rules (module docstring): per target the tool's TimeML
    graphs, its order-dependent reduction, precision and recall counts; micro-averaged over the targets
    the system has a timeline for (the tool skips a target without an answer file, so its gold relations
    do not count), P and R rounded like the tool (100 × round(ratio, 6)), F1 from the rounded P and R.
    A zero denominator gives 0 (the tool itself stops with a division by zero)."""
    rows = []
    for name, g in gold.items():
        if name not in system:
            continue
        g_rel, s_rel = official_graphs(g, system[name])
        (g_red, g_added), (s_red, s_added) = official_reduction(g_rel), official_reduction(s_rel)
        rows.append({"name": name, "p_hit": _official_matched(s_red, g_rel, g_added), "system": len(s_red),
                     "r_hit": _official_matched(g_red, s_rel, s_added), "gold": len(g_red)})
    p_hit, n_sys = sum(r["p_hit"] for r in rows), sum(r["system"] for r in rows)
    r_hit, n_gold = sum(r["r_hit"] for r in rows), sum(r["gold"] for r in rows)
    p = 100 * round(p_hit / n_sys, 6) if n_sys else 0.0
    r = 100 * round(r_hit / n_gold, 6) if n_gold else 0.0
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0, "rows": rows}


# --- the documents ----------------------------------------------------------------------------

@dataclass
class Token:
    sentence: int
    number: int
    text: str
    start: int = -1  # offsets in the text given to storyline
    end: int = -1


@dataclass
class Doc:
    doc_id: str
    name: str
    url: str | None
    dct: str
    tokens: list[Token]
    title: str
    text: str
    title_at: list[tuple[int, int, Token]] = field(default_factory=list)  # the title's tokens: spans into the title


_NO_SPACE_BEFORE = {",", ".", ";", ":", "!", "?", ")", "]", "}", "%", "'s", "'S", "n't", "'re", "'ve", "'ll",
                    "'d", "'m", "...", "'"}
_NO_SPACE_AFTER = {"(", "[", "{", "$", "#"}


def _join(tokens: list[Token], base: int) -> str:
    """Tokens as text with a light detokenisation; sets each token's offsets (from `base`)."""
    out: list[str] = []
    pos = base
    prev: Token | None = None
    in_quote = hyphen_glued = False
    for t in tokens:
        glue = prev is None
        if prev is not None:
            if t.text in _NO_SPACE_BEFORE or prev.text in _NO_SPACE_AFTER:
                glue = True
            elif t.text == '"':
                glue = in_quote  # a closing quote sticks to the word before it
            elif prev.text == '"' and in_quote:
                glue = True  # the word after an opening quote
            elif t.text == "-":  # 'Wal - Mart' → 'Wal-Mart'
                glue = prev.text[-1:].isalnum()
            elif prev.text == "-":
                glue = hyphen_glued and t.text[:1].isalnum()
        if t.text == '"':
            in_quote = not in_quote
        hyphen_glued = t.text == "-" and glue
        if not glue:
            out.append(" ")
            pos += 1
        t.start, t.end = pos, pos + len(t.text)
        out.append(t.text)
        pos = t.end
        prev = t
    return "".join(out)


def load_doc(cat: Path, timeml_dir: Path) -> Doc:
    root = ET.parse(cat).getroot()
    doc_id = root.get("doc_id") or cat.stem.split("-")[0].split("_")[0]
    tokens = [Token(int(t.get("sentence")), int(t.get("number")), unicodedata.normalize("NFC", t.text or ""))
              for t in root.iter("token")]
    tokens = [t for t in tokens if t.text]
    sents: dict[int, list[Token]] = defaultdict(list)
    for t in tokens:
        sents[t.sentence].append(t)
    title_tokens = sents.pop(0, [])
    title = _join(title_tokens, 0)
    title_at = [(t.start, t.end, t) for t in title_tokens]
    for t in title_tokens:
        t.start = t.end = -1  # the title is a field of its own, not part of the text
    dateline = sents.pop(1, [])
    text = _join(dateline, 0) + "\n\n" if dateline else ""
    body: list[str] = []
    pos = len(text)
    for s in sorted(sents):
        piece = _join(sents[s], pos)
        body.append(piece)
        pos += len(piece) + 1
    text += " ".join(body)
    dct = ""
    stem = root.get("doc_name") or cat.stem
    for tml in (timeml_dir / f"{cat.stem.removesuffix('.txt')}.tml", *timeml_dir.glob(f"{doc_id}[-_]*.tml")):
        if tml.exists():
            m = re.search(r'functionInDocument="CREATION_TIME"[^>]*value="(\d{4}-\d\d-\d\d)', tml.read_text("utf-8"))
            if m:
                dct = m.group(1)
                break
    return Doc(doc_id, stem, root.get("src_url"), dct, tokens, title, text, title_at)


def load_documents(root: Path = DATA) -> list[Doc]:
    return [load_doc(p, root / "corpus_timeml") for p in sorted((root / "corpus_cat").glob("*.xml"))]


def load_gold_events(root: Path = DATA) -> set[tuple[str, int, int]]:
    """(doc id, sentence, token number) of every gold event mention in corpus_cat_events (analysis only)."""
    out: set[tuple[str, int, int]] = set()
    for p in sorted((root / "corpus_cat_events").glob("*.xml")):
        r = ET.parse(p).getroot()
        by_tid = {t.get("t_id"): (int(t.get("sentence")), int(t.get("number"))) for t in r.iter("token")}
        for ev in r.iter("EVENT_MENTION"):
            for a in ev.iter("token_anchor"):
                if a.get("t_id") in by_tid:
                    out.add((r.get("doc_id"), *by_tid[a.get("t_id")]))
    return out


# --- storyline ------------------------------------------------------------------------------

def build_database(docs: list[Doc], workdir: Path):
    """A fresh storyline database of the documents; returns the open Store."""
    from storyline.pipeline import build
    from storyline.store import Store

    src = workdir / "timeline-trial.jsonl"
    with open(src, "w", encoding="utf-8") as fh:
        for d in docs:
            rec = {"url": d.url or f"https://en.wikinews.org/?curid={d.doc_id}", "title": d.title, "text": d.text,
                   "published": d.dct}
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    store = Store(workdir / "timeline-trial.db")
    build([src], store)
    return store


@dataclass
class Aligned:
    """Where each stored article sits among the CAT tokens."""

    doc_of_article: dict[str, Doc] = field(default_factory=dict)
    doc_offsets: dict[str, list[tuple[int, int, int]]] = field(default_factory=dict)  # article id → text_map
    token_at: dict[str, list[tuple[int, int, Token]]] = field(default_factory=dict)  # doc id → stored-text spans
    article_text: dict[str, str] = field(default_factory=dict)
    unaligned_tokens: int = 0


def align(store, docs: list[Doc]) -> Aligned:
    """Each stored document matched to its CAT document (by JSONL line), each token found in the stored text."""
    al = Aligned()
    by_line = {i + 1: d for i, d in enumerate(docs)}
    stored: dict[str, Doc] = {}
    for sd in store.documents():
        m = re.search(r"#L(\d+)$", sd.source)
        d = by_line.get(int(m.group(1))) if m else None
        if d is None:
            continue
        stored[sd.id] = d
        spans: list[tuple[int, int, Token]] = []
        pos = 0
        for t in d.tokens:
            if t.start < 0:
                continue
            i = sd.text.find(t.text, pos)
            if i < 0 or i - pos > 40:
                al.unaligned_tokens += 1
                continue
            spans.append((i, i + len(t.text), t))
            pos = i + len(t.text)
        al.token_at[d.doc_id] = spans
    for a in store.articles():
        d = stored.get(a.document_id)
        if d is None:
            continue
        al.doc_of_article[a.id] = d
        al.doc_offsets[a.id] = [tuple(x) for x in a.text_map]
        al.article_text[a.id] = a.text
    return al


def tokens_of(al: Aligned, article_id: str, span: list[int] | tuple[int, int], field: str | None = None
              ) -> list[Token] | None:
    """The CAT tokens an article span covers (a span into the title with `field` "title": sentence 0's
    tokens), or None when the span cannot be mapped back or the text there is not the tokens' text."""
    d = al.doc_of_article.get(article_id)
    if d is None:
        return None
    s, e = span
    if field == "title":
        toks = [t for a, b, t in d.title_at if a < e and b > s]
        return toks if toks and d.title[s:e].strip() and "".join(d.title[s:e].split()) in "".join(t.text for t in toks) else None
    ds, de = doc_offset(al.doc_offsets[article_id], s), doc_offset(al.doc_offsets[article_id], e - 1)
    if ds is None or de is None:
        return None
    toks = [t for a, b, t in al.token_at.get(d.doc_id, []) if a <= de and b > ds]
    text = "".join(al.article_text[article_id][s:e].split())
    # the same text, or a part of the tokens' text (spaCy splits 'pre-orders'; the CAT token is the whole word)
    return toks if toks and text and text in "".join(t.text for t in toks) else None


def mention_id(doc: Doc, toks: list[Token]) -> str:
    """docid-sentence-word; a trigger of several tokens is joined with '_' ('showed_off')."""
    return f"{doc.doc_id}-{toks[0].sentence}-" + "_".join(t.text for t in toks)


_GENERIC = {"music", "online", "inc", "co", "corp", "corporation", "ltd", "the", "computer", "computers", "company"}


def _name_tokens(name: str) -> list[str]:
    s = name.lower().replace("’", "'")
    s = re.sub(r"'s\b", "", s)
    toks = [w[:-1] if w.isalpha() and len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w
            for w in re.findall(r"[a-z0-9]+", s)]  # plurals as singulars: 'iPods' is 'iPod' (and 'Jobs' 'Job')
    return toks[1:] if toks[:1] == ["the"] and len(toks) > 1 else toks


def name_matches(target: str, name: str) -> bool:
    """A target entity named by `name`: the same words; a partial name that ends the target ('Jobs' for
    'Steve Jobs', not 'iPhone' for 'iPhone 3G'); or the target's words with generic ones added
    ('iTunes Music Store' for 'iTunes store')."""
    t, n = _name_tokens(target), _name_tokens(name)
    if not t or not n:
        return False
    if t == n:
        return True
    if len(n) < len(t) and t[-len(n):] == n:
        return True
    if len(n) > len(t):
        it = iter(n)
        if all(any(w == x for x in it) for w in t) and all(w in t or w in _GENERIC for w in n):
            return True
    return False


def entity_ids_for(target: str, entities: list[dict]) -> set[str]:
    return {e["id"] for e in entities
            if any(name_matches(target, nm) for nm in [e.get("name") or "", *(e.get("aliases") or [])])}


@dataclass
class SystemRun:
    timelines: dict[str, Timeline]
    events: int = 0
    mentions: int = 0
    unmapped: int = 0
    triggers: set[tuple[str, int, int]] = field(default_factory=set)  # (doc id, sentence, token number)
    note: str | None = None


def system_timelines(store, al: Aligned, gold: dict[str, Timeline], titles: bool = True) -> SystemRun:
    """Each target's timeline from storyline's events (`titles` False: mentions in titles not listed)."""
    events_fn = getattr(store, "events", None)
    if events_fn is None:
        return SystemRun({}, note="Store has no events() yet (the events layer has not landed): storyline not scored")
    events = events_fn() or []
    if not events:
        return SystemRun({}, note="Store.events() returned no events: storyline scores 0")
    run = SystemRun({}, events=len(events))
    entities = store.entities()
    ent_spans: dict[str, list[tuple[str, int, int]]] = {e["id"]: [(m["article_id"], *m["span"])
                                                                  for m in e.get("mentions", [])] for e in entities}
    resolved: list[tuple[dict, list[str]]] = []  # event, its mention ids
    for ev in events:
        ids: list[str] = []
        for m in ev.get("mentions", []):
            if not titles and m.get("field") == "title":
                continue
            run.mentions += 1
            trig = m.get("trigger") or {}
            toks = (tokens_of(al, m["article_id"], trig.get("span") or m["span"], m.get("field"))
                    if trig.get("span") else None)
            if not toks:
                run.unmapped += 1
                continue
            d = al.doc_of_article[m["article_id"]]
            run.triggers.update((d.doc_id, t.sentence, t.number) for t in toks)
            ids.append(mention_id(d, toks))
        resolved.append((ev, ids))
    for stem, g in gold.items():
        ents = entity_ids_for(g.name, entities)
        spans = [sp for eid in ents for sp in ent_spans.get(eid, [])]
        chosen = []
        for ev, ids in resolved:
            if not ids:
                continue
            hit = any(p.get("entity_id") in ents or (p.get("name") and name_matches(g.name, p["name"]))
                      for p in ev.get("participants", []))
            if not hit:
                hit = any(aid == m["article_id"] and not m.get("field") and m["span"][0] <= s and e <= m["span"][1]
                          for m in ev.get("mentions", []) for aid, s, e in spans)
            if hit:  # a range ('1955/2011') is dated by its start
                chosen.append((normalise_date((ev.get("date") or "").split("/")[0]), ids))
        run.timelines[stem] = make_timeline(g.name, chosen)
    return run


def make_timeline(name: str, events: list[tuple[str | None, list[str]]]) -> Timeline:
    """Events (date at its precision or None, mention ids) as a timeline: undated at rank 0, the rest by
    date, equal dates on one rank; each mention on its first event only."""
    seen: set[str] = set()
    tl = Timeline(name)
    undated, dated = [], []
    for date, ids in events:
        ms = tuple(m for m in dict.fromkeys(ids) if m not in seen)
        seen.update(ms)
        if ms:
            (dated if date else undated).append((date, ms))
    tl.lines += [Line(0, UNDATED, ms) for _, ms in undated]
    ranks = {d: i + 1 for i, d in enumerate(sorted({d for d, _ in dated}))}
    tl.lines += [Line(ranks[d], d, ms) for d, ms in sorted(dated, key=lambda x: (x[0], x[1]))]
    return tl


# --- baselines and checks ---------------------------------------------------------------------

def document_order_baseline(gold: dict[str, Timeline], docs: list[Doc]) -> dict[str, Timeline]:
    """The gold's own mentions, one per rank, in document order (documents by DCT, then sentence), undated."""
    dct = {d.doc_id: d.dct for d in docs}

    def key(m: str) -> tuple:
        doc, sent, _ = (m.split("-", 2) + ["", ""])[:3]
        return (dct.get(doc, "9999"), doc, int(sent) if sent.isdigit() else 0, m)

    out = {}
    for stem, g in gold.items():
        ms = sorted(dict.fromkeys(m for ln in g.lines for m in ln.mentions), key=key)
        out[stem] = Timeline(g.name, [Line(i + 1, UNDATED, (m,)) for i, m in enumerate(ms)])
    return out


def dct_baseline(gold: dict[str, Timeline], docs: list[Doc]) -> dict[str, Timeline]:
    """The gold's own mentions, each dated by its document's DCT: one rank per DCT, documents in DCT order."""
    dct = {d.doc_id: d.dct for d in docs}
    out = {}
    for stem, g in gold.items():
        ms = list(dict.fromkeys(m for ln in g.lines for m in ln.mentions))
        out[stem] = make_timeline(g.name, [(dct.get(m.split("-", 1)[0]) or None, [m]) for m in ms])
    return out


def sanity_checks(gold: dict[str, Timeline], docs: list[Doc]) -> list[tuple[str, dict, dict]]:
    """Gold against itself (100), an empty system (0), and two baselines that are handed the gold's
    mentions: (name, this metric, the organisers' rules with the system's dates written the task's way)."""
    empty_files = {k: Timeline(g.name) for k, g in gold.items()}  # an answer file per target, with no lines
    systems = [("gold vs gold", gold, gold), ("empty system", {}, empty_files)]
    systems += [(name, tl, in_task_dates(tl)) for name, tl in [
        ("gold mentions, one per rank in document order, undated", document_order_baseline(gold, docs)),
        ("gold mentions, dated by their DCT", dct_baseline(gold, docs))]]
    out = [(name, score_timelines(gold, ours), score_timelines_official(gold, task)) for name, ours, task in systems]
    for _, ours, official in out[:1]:
        assert abs(ours["f1"] - 100.0) < 1e-9 and abs(official["f1"] - 100.0) < 1e-9, (ours, official)
    for _, ours, official in out[1:2]:
        assert ours["f1"] == 0.0 and official["f1"] == 0.0, (ours, official)
    return out


# --- error analysis ---------------------------------------------------------------------------

def diagnostics(gold: dict[str, Timeline], system: dict[str, Timeline]) -> dict[str, int]:
    """Mention-level counts: gold mentions the system lists, system mentions that are gold ones, and
    among the shared ones how many carry the gold's date (at the gold's stated precision)."""
    out = Counter()
    for stem, g in gold.items():
        s = system.get(stem, Timeline(g.name))
        g_date = {m: normalise_date(ln.date) for ln in g.lines for m in ln.mentions}
        s_date = {m: normalise_date(ln.date) for ln in s.lines for m in ln.mentions}
        out["gold"] += len(g_date)
        out["system"] += len(s_date)
        shared = set(g_date) & set(s_date)
        out["shared"] += len(shared)
        out["same_date"] += sum(g_date[m] == s_date[m] for m in shared)
        out["gold_undated_shared"] += sum(g_date[m] is None for m in shared)
    return dict(out)


def print_errors(gold: dict[str, Timeline], system: dict[str, Timeline]) -> None:
    for stem, g in gold.items():
        s = system.get(stem, Timeline(g.name))
        g_ms = {m for ln in g.lines for m in ln.mentions}
        s_ms = {m for ln in s.lines for m in ln.mentions}
        print(f"\n== {g.name}: gold {len(g_ms)} mentions, system {len(s_ms)}, shared {len(g_ms & s_ms)} ==")
        print("-- gold (* = the system lists it)")
        for ln in g.lines:
            print(f"  {ln.rank:3d} {ln.date:11} " + "  ".join(("*" if m in s_ms else " ") + m for m in ln.mentions))
        print("-- system (* = in the gold)")
        for ln in s.lines:
            print(f"  {ln.rank:3d} {ln.date:11} " + "  ".join(("*" if m in g_ms else " ") + m for m in ln.mentions))


# --- main -------------------------------------------------------------------------------------

def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dump", type=Path, default=None,
                    help="write storyline's timelines in the task format here (dates as 2008-06-XX)")
    ap.add_argument("--errors", action="store_true", help="print gold and system lines for each target entity")
    ap.add_argument("--keep-db", type=Path, default=None,
                    help="build the database in this directory (timeline-trial.db, rebuilt each run) and keep it")
    args = ap.parse_args()
    if not DATA.exists():
        print(f"{DATA}: not found; this benchmark reads ../shared/bench beside the project — skipped")
        return
    from rich.console import Console
    from rich.table import Table

    console = Console(width=160)
    docs = load_documents()
    gold = load_gold()
    checks = sanity_checks(gold, docs)

    with tempfile.TemporaryDirectory() as tmp:
        workdir = args.keep_db or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        for old in workdir.glob("timeline-trial.db*"):  # a fresh build, never an older run's layers
            old.unlink()
        store = build_database(docs, workdir)
        try:
            al = align(store, docs)
            run = system_timelines(store, al, gold)
            untitled = system_timelines(store, al, gold, titles=False)
        finally:
            store.close()

    n_gold_events = sum(len(g.lines) for g in gold.values())
    n_gold_mentions = sum(len({m for ln in g.lines for m in ln.mentions}) for g in gold.values())
    table = Table(title=f"TimeLine (SemEval-2015 Task 4, track A), trial set: {len(docs)} documents, {len(gold)} "
                        f"target entities, {n_gold_events} gold events ({n_gold_mentions} mentions); P/R/F1: this "
                        f"bench's metric, official: the organisers' rules (system dates written as 2008-06-XX)")
    for col in ("system", "P", "R", "F1", "official P", "official R", "official F1", "events listed",
                "mentions listed"):
        table.add_column(col, justify="left" if col == "system" else "right")

    def figures(sc: dict) -> list[str]:
        return [f"{sc['precision']:.2f}", f"{sc['recall']:.2f}", f"{sc['f1']:.2f}"]

    if run.note is None:
        m = score_timelines(gold, run.timelines)
        mo = score_timelines_official(gold, in_task_dates(run.timelines))
        table.add_row("storyline (run here)", *figures(m), *figures(mo),
                      str(sum(len(t.lines) for t in run.timelines.values())),
                      str(sum(len({x for ln in t.lines for x in ln.mentions}) for t in run.timelines.values())))
        # the trial's annotators marked no event in a title (sentence 0); the evaluation corpora's did
        mu, muo = score_timelines(gold, untitled.timelines), score_timelines_official(gold, in_task_dates(untitled.timelines))
        table.add_row("storyline, title mentions not listed (the trial gold marks none)", *figures(mu), *figures(muo),
                      str(sum(len(t.lines) for t in untitled.timelines.values())),
                      str(sum(len({x for ln in t.lines for x in ln.mentions}) for t in untitled.timelines.values())))
    else:
        table.add_row("storyline (run here)", *[""] * 8)
    for name, sc, sco in checks:
        table.add_row(f"check: {name}", *figures(sc), *figures(sco), "", "")
    table.add_row("best published track A (evaluation corpora, official tool)", "", "", "", "", "",
                  f"{PUBLISHED_BEST_A:.2f}", "", "")
    table.add_row("target", "", "", f"{TARGET_F1:.2f}", "", "", "", "", "")
    console.print(table)

    if run.note:
        print(run.note)
    else:
        per = Table(title="Per target entity (scored relations: matched / listed)")
        for col in ("target", "precision", "recall", "official precision", "official recall"):
            per.add_column(col, justify="left" if col == "target" else "right")
        official_rows = {r["name"]: r for r in mo["rows"]}
        for r in m["rows"]:
            o = official_rows[r["name"]]
            per.add_row(gold[r["name"]].name, f"{r['p_hit']} / {r['system']}", f"{r['r_hit']} / {r['gold']}",
                        f"{o['p_hit']} / {o['system']}", f"{o['r_hit']} / {o['gold']}")
        console.print(per)
        partial = Counter("X" in ln.date for g in gold.values() for ln in g.lines
                          if (normalise_date(ln.date) or "").count("-") == 1 or len(normalise_date(ln.date) or "") == 4)
        as_gold = score_timelines_official(gold, run.timelines)  # dates as make_timeline writes them: '2008-06'
        print(f"official rules with storyline's dates written '2008-06' / '2008' instead (the trial gold writes "
              f"{partial[False]} of its month- or year-dated lines that way, {partial[True]} with XX; the tool "
              f"compares dates as strings): P {as_gold['precision']:.2f}, R {as_gold['recall']:.2f}, "
              f"F1 {as_gold['f1']:.2f}")
        dg = diagnostics(gold, run.timelines)
        gold_events = load_gold_events()
        hit = len(run.triggers & gold_events)
        print(f"storyline: {run.events} events, {run.mentions} mentions, {run.unmapped} mentions not mapped back to "
              f"CAT tokens; {al.unaligned_tokens} CAT tokens not found in the stored text")
        print(f"event triggers against the gold event mentions of corpus_cat_events (the timelines' events, any "
              f"target; analysis only): {hit} of {len(run.triggers)} trigger tokens are gold events, {hit} of "
              f"{len(gold_events)} gold event tokens found")
        print(f"timeline mentions: {dg.get('shared', 0)} of {dg.get('gold', 0)} gold mentions listed; "
              f"{dg.get('shared', 0)} of {dg.get('system', 0)} listed mentions are gold; of the shared ones "
              f"{dg.get('same_date', 0)} carry the gold's date "
              f"({dg.get('gold_undated_shared', 0)} undated in the gold)")
    if args.dump and run.timelines:
        args.dump.mkdir(parents=True, exist_ok=True)
        for stem, tl in in_task_dates(run.timelines).items():
            (args.dump / f"{stem}.txt").write_text(format_timeline(tl), encoding="utf-8")
        print(f"timelines written to {args.dump}")
    if args.errors:
        print_errors(gold, run.timelines)


if __name__ == "__main__":
    main()
