"""The TimeLine benchmark's scorers (bench/timeline.py): hand-worked timelines, closure and reduction
properties against a naive point-algebra closure, the organisers' rules (score_timelines_official) and
where they differ, and the gold loader on ../shared/bench/timeline."""

from __future__ import annotations

import importlib.util
import itertools
import random
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("bench_timeline", ROOT / "bench" / "timeline.py")
T = importlib.util.module_from_spec(_spec)
sys.modules["bench_timeline"] = T  # dataclasses look their module up there
_spec.loader.exec_module(T)

L = T.Line
X = "XXXX-XX-XX"
B, S, INC = T.BEFORE, T.SIMULTANEOUS, T.INCLUDES


def score(gold_lines, sys_lines):
    m = T.score_timelines({"t": gold_lines}, {"t": sys_lines})
    return round(m["precision"], 2), round(m["recall"], 2), round(m["f1"], 2)


# --- hand-worked scores ---------------------------------------------------------------------------

def test_identical_timelines_score_100():
    g = [L(0, X, ("d-3-said",)), L(1, "2008-06-09", ("d-2-launched", "e-3-launching")), L(2, "2010", ("d-5-sold",))]
    assert score(g, g) == (100.0, 100.0, 100.0)


def test_two_events_swapped():
    # gold A<B<C: reduced {A<B, B<C}, closure adds A<C; system B<A<C: reduced {B<A, A<C}.
    # P: A<C of the system's two is in the gold closure (1/2); R: B<C of the gold's two is in the system's (1/2).
    g = [L(1, X, ("A",)), L(2, X, ("B",)), L(3, X, ("C",))]
    s = [L(1, X, ("B",)), L(2, X, ("A",)), L(3, X, ("C",))]
    assert score(g, s) == (50.0, 50.0, 50.0)


def test_one_extra_event():
    # gold A<B; system A<B<C: reduced {A<B, B<C}, only A<B in the gold closure → P 1/2, R 1/1.
    g = [L(1, X, ("A",)), L(2, X, ("B",))]
    s = [L(1, X, ("A",)), L(2, X, ("B",)), L(3, X, ("C",))]
    assert score(g, s) == (50.0, 100.0, 66.67)


def test_same_rank_on_two_lines_is_one_line():
    one = [L(1, "2008-06-09", ("A", "B")), L(2, "2008-06-10", ("C",))]
    two = [L(1, "2008-06-09", ("A",)), L(1, "2008-06-09", ("B",)), L(2, "2008-06-10", ("C",))]
    assert set(T.timeline_relations(one)) == set(T.timeline_relations(two))
    assert score(one, two) == (100.0, 100.0, 100.0)
    assert sorted(T.reduce_graph(T.timeline_relations(one))) == sorted(
        [("A", S, "B"), ("time:2008-06-09", INC, "A"), ("time:2008-06-10", INC, "C"), ("A", B, "C")])


def test_coarser_date_loses_the_anchor_only():
    # reduced gold {A=B, 06-09⊃A, 06-10⊃C, A<C}; the system anchors A, B in '2008-06': 3 of 4 either way.
    g = [L(1, "2008-06-09", ("A", "B")), L(2, "2008-06-10", ("C",))]
    s = [L(1, "2008-06", ("A", "B")), L(2, "2008-06-10", ("C",))]
    assert score(g, s) == (75.0, 75.0, 75.0)


def test_rank_zero_is_not_ordered():
    # two undated single-mention lines state nothing, not even that they are simultaneous
    assert T.timeline_relations([L(0, X, ("A",)), L(0, X, ("B",))]) == []
    # a rank-0 line's own mentions are one event
    assert T.timeline_relations([L(0, X, ("A", "B"))]) == [("A", S, "B")]
    # gold: A undated, B in 2008 → only 2008⊃B. The system puts A with B: {A=B, 2008⊃B} → P 1/2, R 1/1.
    g = [L(0, X, ("A",)), L(1, "2008", ("B",))]
    s = [L(1, "2008", ("B", "A"))]
    assert score(g, s) == (50.0, 100.0, 66.67)
    # the system leaving the undated event out loses nothing
    assert score(g, [L(1, "2008", ("B",))]) == (100.0, 100.0, 100.0)


def test_unknown_date_on_a_ranked_line_orders_but_does_not_anchor():
    rels = T.timeline_relations([L(1, "1996", ("A",)), L(2, X, ("B",)), L(3, "2004", ("C",))])
    assert sorted(rels) == sorted([("time:1996", INC, "A"), ("time:2004", INC, "C"), ("A", B, "B"), ("B", B, "C")])


def test_micro_average_sums_over_timelines():
    # t1 right (2 relations), t2 missing (gold 2 relations): P 2/2, R 2/4 (a macro average would give P 50)
    g1 = [L(1, X, ("A",)), L(2, X, ("B",)), L(3, X, ("C",))]
    g2 = [L(1, X, ("D",)), L(2, X, ("E",)), L(3, X, ("F",))]
    m = T.score_timelines({"a": g1, "b": g2}, {"a": g1})
    assert (round(m["precision"], 2), round(m["recall"], 2), round(m["f1"], 2)) == (100.0, 50.0, 66.67)
    assert [(r["p_hit"], r["system"], r["r_hit"], r["gold"]) for r in m["rows"]] == [(2, 2, 2, 2), (0, 0, 0, 2)]


def test_empty_system_scores_zero():
    g = [L(1, "2008", ("A",)), L(2, "2009", ("B",))]
    assert score(g, []) == (0.0, 0.0, 0.0)
    assert score([], []) == (0.0, 0.0, 0.0)


def test_mention_on_two_lines_keeps_the_first():
    rels = T.timeline_relations([L(1, X, ("A",)), L(2, X, ("B", "A"))])
    assert rels == [("A", B, "B")]


# --- closure and reduction ------------------------------------------------------------------------

def test_closure_point_algebra_finds_inclusion_between_ordered_events():
    rels = T.timeline_relations([L(1, "2008", ("A",)), L(2, X, ("B",)), L(3, "2008", ("C",))])
    clo = T.closure(rels)
    assert ("time:2008", INC, "B") in clo and ("A", B, "C") in clo
    assert sorted(T.reduce_graph(rels)) == sorted(rels)  # nothing given is implied by the rest


def test_closure_simultaneous_is_an_equivalence_and_carries_order_and_inclusion():
    rels = [("A", S, "B"), ("B", S, "C"), ("C", B, "D"), ("t", INC, "A")]
    clo = T.closure(rels)
    assert {("A", S, "C"), ("A", B, "D"), ("B", B, "D"), ("t", INC, "B"), ("t", INC, "C")} <= clo
    assert ("t", INC, "D") not in clo and ("t", B, "D") not in clo


def test_inverse_relations_are_stored_forward():
    assert T.closure([("B", "AFTER", "A"), ("A", "IS_INCLUDED", "t")]) == {("A", B, "B"), ("t", INC, "A")}


def test_inconsistent_relations_are_refused():
    with pytest.raises(ValueError):
        T.closure([("A", B, "B"), ("B", B, "A")])
    with pytest.raises(ValueError):
        T.closure([("A", S, "B"), ("A", B, "B")])


def test_reduction_drops_implied_relations_keeping_the_earliest():
    rels = [("A", B, "B"), ("B", B, "C"), ("A", B, "C"), ("A", S, "A2"), ("A2", B, "B")]
    assert T.reduce_graph(rels) == [("A", B, "B"), ("B", B, "C"), ("A", S, "A2")]


def _naive_closure(relations):
    """Floyd–Warshall over start/end points with '<' and '=', then read back as interval relations."""
    rels = [T.canonical(r) for r in relations]
    nodes = sorted({n for x, _, y in rels for n in (x, y)})
    pts = [(n, k) for n in nodes for k in "se"]
    rel = {(p, q): None for p in pts for q in pts}
    for p in pts:
        rel[p, p] = "="
    for n in nodes:
        rel[(n, "s"), (n, "e")] = "<"
    for x, r, y in rels:
        if r == S:
            for k in "se":
                rel[(x, k), (y, k)] = rel[(y, k), (x, k)] = "="
        elif r == B:
            rel[(x, "e"), (y, "s")] = "<"
        else:
            rel[(x, "s"), (y, "s")] = rel[(y, "e"), (x, "e")] = "<"
    for k in pts:
        for i in pts:
            if rel[i, k] is None:
                continue
            for j in pts:
                if rel[k, j] is None:
                    continue
                if rel[i, j] is None:
                    rel[i, j] = "=" if rel[i, k] == rel[k, j] == "=" else "<"
    out = set()
    for x, y in itertools.permutations(nodes, 2):
        if rel[(x, "s"), (y, "s")] == "=" and rel[(x, "e"), (y, "e")] == "=":
            out.add(T.canonical((x, S, y)))
        elif rel[(x, "e"), (y, "s")] == "<":
            out.add((x, B, y))
        elif rel[(x, "s"), (y, "s")] == "<" and rel[(y, "e"), (x, "e")] == "<":
            out.add((x, INC, y))
    return out


def _random_timeline(rng: random.Random) -> list:
    mentions = [f"m{i}" for i in range(rng.randint(1, 7))]
    lines = []
    for m in mentions:
        if lines and rng.random() < 0.3:
            last = lines[-1]
            lines[-1] = L(last.rank, last.date, last.mentions + (m,))
            continue
        rank = rng.randint(0, 4)
        date = rng.choice([X, X, "2008", "2008-06", "2009"])
        lines.append(L(rank, date, (m,)))
    return sorted(lines, key=lambda ln: ln.rank)


def test_closure_and_reduction_on_random_timelines():
    rng = random.Random(7)
    for _ in range(150):
        rels = T.timeline_relations(_random_timeline(rng))
        clo = T.closure(rels)
        assert clo == _naive_closure(rels)
        red = T.reduce_graph(rels)
        assert T.closure(red) == clo
        for i in range(len(red)):  # minimal: every kept relation is needed
            assert T.closure(red[:i] + red[i + 1:]) != clo


# --- helpers --------------------------------------------------------------------------------------

@pytest.mark.parametrize("value, want", [
    ("2008-06-09", "2008-06-09"), ("2006-03", "2006-03"), ("1968", "1968"), ("2007-09-XX", "2007-09"),
    ("2010-XX-XX", "2010"), ("XXXX-XX-XX", None), ("XXX-XX-XX", None), ("2010-06-07T10:00", "2010-06-07"),
    ("2010-W23", "2010"), ("PRESENT_REF", None), (None, None),
])
def test_normalise_date(value, want):
    assert T.normalise_date(value) == want


def test_make_timeline_ranks_by_date_undated_first():
    tl = T.make_timeline("x", [("2009", ["c"]), (None, ["u"]), ("2008-06", ["b", "b2"]), ("2008", ["a"]),
                               ("2008-06", ["b3"]), ("2009", ["c"])])
    assert [(ln.rank, ln.date, ln.mentions) for ln in tl.lines] == [
        (0, X, ("u",)), (1, "2008", ("a",)), (2, "2008-06", ("b", "b2")), (2, "2008-06", ("b3",)), (3, "2009", ("c",))]
    assert T.parse_timeline(T.format_timeline(tl)).lines == tl.lines


@pytest.mark.parametrize("target, name, want", [
    ("Steve Jobs", "Steve Jobs", True), ("Steve Jobs", "Jobs", True), ("Steve Jobs", "Steve", False),
    ("iPhone 3G", "iPhone", False), ("iPhone 3G", "iPhone 3GS", False), ("iPhone 4", "the iPhone 4's", True),
    ("iPod", "iPods", True), ("iTunes store", "iTunes Music Store", True), ("Beatles Apple Corps", "Apple Corps", True),
    ("Beatles Apple Corps", "Apple", False), ("Beatles Apple Corps", "Apple Computer", False),
])
def test_name_matches(target, name, want):
    assert T.name_matches(target, name) is want


# --- the data -------------------------------------------------------------------------------------

def test_gold_loader_on_the_trial_data():
    root = ROOT.parent / "shared" / "bench" / "timeline" / "trial"
    if not (root / "gold_timelines").is_dir():
        pytest.skip("../shared/bench/timeline is not present")
    gold = T.load_gold(root)
    assert set(gold) == {"beatles_apple_corps", "iphone_3g", "iphone_4", "ipod", "itunes_store", "steve_jobs"}
    jobs = gold["steve_jobs"]
    assert jobs.name == "Steve Jobs" and len(jobs.lines) == 113
    assert jobs.lines[0] == L(0, X, ("18315-4-said",))
    assert L(8, "2004", ("17677-5-fought", "18315-7-fighting", "18355-4-fighting")) in jobs.lines
    assert gold["iphone_3g"].lines[0].mentions == ("12315-2-launched", "12315-3-launching")
    m = T.score_timelines(gold, gold)
    assert m["f1"] == 100.0 and all(r["p_hit"] == r["system"] == r["r_hit"] == r["gold"] for r in m["rows"])
    assert T.score_timelines(gold, {})["f1"] == 0.0


# --- the organisers' rules (score_timelines_official) ----------------------------------------------

def official(gold_lines, sys_lines):
    m = T.score_timelines_official({"t": gold_lines}, {"t": sys_lines})
    return round(m["precision"], 2), round(m["recall"], 2), round(m["f1"], 2)


@pytest.mark.parametrize("value, want", [
    ("2008-06-09", "2008-06-09"), ("2008-06", "2008-06-XX"), ("2008", "2008-XX-XX"), ("2007-09-XX", "2007-09-XX"),
    ("2010-XX-XX", "2010-XX-XX"), (None, X), (X, X), ("XXX-XX-XX", X), ("2010-W23", "2010-XX-XX"),
])
def test_task_date(value, want):
    assert T.task_date(value) == want


def test_official_graph_is_the_tools_tlinks():
    # lines sorted by their text with numbers as numbers (rank 10 after rank 9), rank 0 left out; every
    # mention an event SIMULTANEOUS with its date string, then a chain: BEFORE where the rank grows
    g = [L(10, "2009", ("C",)), L(0, X, ("Z", "Y")), L(9, "2008", ("A", "B"))]
    rels, _ = T.official_graphs(g, [])
    assert rels == [("ei1", S, "t0"), ("ei2", S, "t0"), ("ei3", S, "t1"), ("ei1", S, "ei2"), ("ei2", B, "ei3")]
    # a system mention takes the gold's id (a second listing the gold's second), a date the gold's id of the
    # same string; anything else a fresh id (gold: 3 events, 2 dates → ei4…, t3…)
    g = [L(1, "2008", ("A",)), L(2, "2009", ("A", "B"))]
    _, srels = T.official_graphs(g, [L(1, "2008-XX-XX", ("A",)), L(2, "2009", ("B", "A", "A", "N"))])
    assert srels[:5] == [("ei1", S, "t3"), ("ei3", S, "t1"), ("ei2", S, "t1"), ("ei4", S, "t1"), ("ei5", S, "t1")]
    assert srels[5:] == [("ei1", B, "ei3"), ("ei3", S, "ei2"), ("ei2", S, "ei4"), ("ei4", S, "ei5")]


def test_official_reduction_drops_what_earlier_links_imply_and_keeps_refused_ones():
    # A and B share 2008: A = B follows from the two date links written before it, so it is not scored
    rels, _ = T.official_graphs([L(1, "2008", ("A", "B"))], [])
    scored, added = T.official_reduction(rels)
    assert scored == added == [("ei1", S, "t0"), ("ei2", S, "t0")]
    # on two ranks with the same date string the BEFORE contradicts the date links: refused, still scored
    rels, _ = T.official_graphs([L(1, "2008", ("A",)), L(2, "2008", ("B",))], [])
    scored, added = T.official_reduction(rels)
    assert added == [("ei1", S, "t0"), ("ei2", S, "t0")] and scored == added + [("ei1", B, "ei2")]
    # order-dependent, unlike reduce_graph: a link is dropped only if the ones *before* it imply it
    assert T.official_reduction([("a", B, "c"), ("a", B, "b"), ("b", B, "c")])[0] == [
        ("a", B, "c"), ("a", B, "b"), ("b", B, "c")]
    assert T.reduce_graph([("a", B, "c"), ("a", B, "b"), ("b", B, "c")]) == [("a", B, "b"), ("b", B, "c")]


def test_official_gold_against_itself_is_100_and_empty_is_0():
    g = [L(0, X, ("U",)), L(1, "2008-06-09", ("A", "A2")), L(1, "2008-06", ("B",)), L(2, X, ("C",)),
         L(3, X, ("D",)), L(4, "2008", ("E",)), L(5, "2008", ("E",))]
    assert official(g, g) == (100.0, 100.0, 100.0)
    assert official(g, []) == (0.0, 0.0, 0.0)
    assert T.score_timelines_official({"t": g}, {})["f1"] == 0.0
    # a target without an answer is skipped, as the tool skips a missing file: the other one alone counts
    m = T.score_timelines_official({"a": g, "b": g}, {"a": g})
    assert m["f1"] == 100.0 and [r["name"] for r in m["rows"]] == ["a"]


def test_official_hand_worked_scores():
    # swapped: gold A<B, system B<A; the two date links match (same strings), the order does not → 2/3 each way
    g = [L(1, "2008-01-01", ("A",)), L(2, "2008-01-02", ("B",))]
    s = [L(1, "2008-01-02", ("B",)), L(2, "2008-01-01", ("A",))]
    assert official(g, s) == (66.67, 66.67, 66.67)
    # an extra event: the system's extra date link and BEFORE find nothing in the gold → P 3/5, R 3/3
    assert official(g, g + [L(3, "2008-01-03", ("C",))]) == (60.0, 100.0, 75.0)
    # rank 0 is not read at all: an undated line costs and earns nothing, even a line of two mentions
    assert official(g + [L(0, X, ("U", "V"))], g) == (100.0, 100.0, 100.0)


def test_official_micro_average_and_rounding():
    # P = 100 × round(hits / listed, 6), summed over the targets like the tool's evaluation_all.py
    g1 = [L(1, "2008-01-01", ("A",)), L(2, "2008-01-02", ("B",))]
    g2 = [L(1, "2009-01-01", ("D",)), L(2, "2009-01-02", ("E",)), L(3, "2009-01-03", ("F",))]
    m = T.score_timelines_official({"a": g1, "b": g2}, {"a": g1, "b": g2[:1]})
    assert [(r["p_hit"], r["system"], r["r_hit"], r["gold"]) for r in m["rows"]] == [(3, 3, 3, 3), (1, 1, 1, 5)]
    assert (m["precision"], m["recall"]) == (100.0, 50.0) and round(m["f1"], 4) == 66.6667
    m = T.score_timelines_official({"b": g2}, {"b": g2[:2]})  # P 3/3, R 3/5
    assert (m["precision"], m["recall"]) == (100.0, 60.0)


def test_where_the_two_metrics_differ():
    # 1. dates are strings to the tool: '2008-06' and '2008-06-XX' are different time nodes, so only the
    #    BEFORE matches (1 of 3 each way); this metric reads both as June 2008 and gives 100.
    g = [L(1, "2008-06", ("A",)), L(2, "2009", ("B",))]
    s = [L(1, "2008-06-XX", ("A",)), L(2, "2009-XX-XX", ("B",))]
    assert score(g, s) == (100.0, 100.0, 100.0)
    assert official(g, s) == (33.33, 33.33, 33.33)
    # 2. an event is SIMULTANEOUS with its date (not inside it): two 2008 events on ranks 1 and 2 are equal
    #    in the gold's own graph, so its A BEFORE B is refused and only an exact copy earns it. A system
    #    putting both on one rank matches both date links (P 2/2) and misses the BEFORE (R 2/3) → 80; here
    #    2008 merely INCLUDES both, the system's A = B contradicts the gold's A < B → P 1/2, R 2/3 → 57.14.
    g = [L(1, "2008", ("A",)), L(2, "2008", ("B",))]
    s = [L(1, "2008", ("A", "B"))]
    assert official(g, s) == (100.0, 66.67, 80.0)
    assert score(g, s) == (50.0, 66.67, 57.14)
    # 3. XXXX-XX-XX on a ranked line is one time node: the gold's undated A and B (ranks 1, 2) are both equal
    #    to it; a system dating them 2008 and 2009 keeps only the BEFORE, which the gold writes → 1 of 3
    #    each way. This metric gives undated events no node: its gold is just A < B → P 1/3, R 1/1.
    g = [L(1, X, ("A",)), L(2, X, ("B",))]
    s = [L(1, "2008", ("A",)), L(2, "2009", ("B",))]
    assert official(g, s) == (33.33, 33.33, 33.33)
    assert score(g, s) == (33.33, 100.0, 50.0)


def test_official_reduction_on_random_timelines():
    # what the timegraph keeps is consistent, implies every relation it drops, and contradicts every one it refuses
    rng = random.Random(11)
    for _ in range(150):
        g = _random_timeline(rng)
        for rels in T.official_graphs(g, _random_timeline(rng)):
            scored, added = T.official_reduction(rels)
            clo = T.closure(added)
            violated = [r for r in scored if r not in added]
            assert all(T.canonical(r) in clo or r in violated for r in rels)
            for r in violated:
                with pytest.raises(ValueError):
                    T.closure(added + [r])


def test_official_rules_on_the_trial_data():
    root = ROOT.parent / "shared" / "bench" / "timeline" / "trial"
    if not (root / "gold_timelines").is_dir():
        pytest.skip("../shared/bench/timeline is not present")
    gold = T.load_gold(root)
    m = T.score_timelines_official(gold, gold)
    assert m["f1"] == 100.0
    assert {r["name"]: r["gold"] for r in m["rows"]} == {
        "beatles_apple_corps": 20, "iphone_3g": 7, "iphone_4": 24, "ipod": 11, "itunes_store": 27, "steve_jobs": 146}
    refused = sum(len(sc) - len(add) for sc, add in (T.official_reduction(T.official_graphs(g, [])[0])
                                                     for g in gold.values()))
    assert refused == 7  # gold BEFOREs between events with the same date string
    assert T.score_timelines_official(gold, {k: T.Timeline(g.name) for k, g in gold.items()})["f1"] == 0.0
    # the gold with its dates rewritten the task's way ('2004' → '2004-XX-XX', the typo 'XXX-XX-XX' →
    # 'XXXX-XX-XX') loses the date link of every mention whose date string changed: 30 of 235 each way
    m = T.score_timelines_official(gold, T.in_task_dates(gold))
    assert sum(r["p_hit"] for r in m["rows"]) == 205 and sum(r["system"] for r in m["rows"]) == 235
    assert m["precision"] == m["recall"] == 87.234
