"""The ECB+ entity bench's pure parts: head matching of mention spans and reading the entity markables."""

from __future__ import annotations

import sys

import pytest

from conftest import ROOT, SHARED

sys.path.insert(0, str(ROOT / "bench"))
import ecbplus  # noqa: E402
import ecbplus_entities as bench  # noqa: E402


def test_a_name_matches_the_mention_it_heads_and_not_one_it_only_modifies():
    text = "Lohan 's lawyer met Lindsay Lohan at a clinic in Malibu"

    def at(words: str, start: int = 0) -> tuple[int, int]:
        i = text.index(words, start)
        return i, i + len(words)

    gold = [at("Lohan 's lawyer"), at("Lindsay Lohan"), at("a clinic in Malibu")]
    gold_heads = [at("lawyer"), at("Lohan", 20), at("clinic")]
    pred = [at("Lohan"), at("Lindsay Lohan"), at("Malibu")]
    pred_heads = [at("Lohan"), at("Lohan", 20), at("Malibu")]
    assert bench.match_heads(gold, gold_heads, pred, pred_heads) == [None, 1, None]
    # plain overlap (the event bench's matching) would pair all three
    assert ecbplus.match(gold, pred) == [0, 1, 2]


def test_head_matching_is_one_to_one_and_prefers_the_exact_span():
    gold = [(0, 13), (8, 13)]  # "Lindsay Lohan" and, nested, "Lohan"
    heads = [(8, 13), (8, 13)]
    pred = [(8, 13), (0, 13)]
    assert bench.match_heads(gold, heads, pred, [(8, 13), (8, 13)]) == [1, 0]
    assert bench.match_heads(gold, heads, [(0, 13)], [(8, 13)]) == [0, None]
    assert bench.match_heads([], [], pred, heads) == []


def test_label_of_gives_one_label_per_key():
    assert ecbplus.label_of(["a", "b", "a", ("t", "a")]) == [0, 1, 0, 2]


@pytest.mark.skipif(not (SHARED / "bench" / "ecbplus").exists(), reason="needs ../shared/bench/ecbplus")
def test_the_entity_markables_are_read_with_their_cross_document_clusters():
    docs = ecbplus.read_part("dev", [2], tags=ecbplus.ENTITY_TAGS)
    tags = {m.tag for d in docs for m in d.mentions}
    assert tags and all(t.startswith(ecbplus.ENTITY_TAGS) for t in tags)
    assert not any(t.startswith(("ACTION_", "TIME_")) for t in tags)
    docs_of: dict[str, set[str]] = {}
    for d in docs:
        for m in d.mentions:
            assert d.text[m.span[0]:m.span[1]] == m.text and d.in_scored(m.span)
            docs_of.setdefault(m.cluster, set()).add(d.name)
    assert any(len(v) > 1 for v in docs_of.values())  # some participant is linked across documents
    events = ecbplus.read_part("dev", [2])
    assert {m.tag for d in events for m in d.mentions} & tags == set()
