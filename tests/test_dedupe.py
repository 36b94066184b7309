"""Exact and near duplicates, and shared (syndicated) paragraphs."""

from __future__ import annotations

from storyline.clean import dedupe

P1 = "The fishing ministry said on Friday that the annual cod quota for the northern fleet would fall by twelve percent next year."
P2 = "Scientists from the marine institute had warned that spawning stocks were at their lowest level in two decades of surveys."
P3 = "Fleet owners said the cut would cost hundreds of jobs in the harbour towns along the coast, and promised to appeal it."
P4 = "The ministry said the quota would be reviewed again in the spring once the new stock assessment had been published."
OTHER = "A regional court on Tuesday ordered the city council to repeat last month's vote on the tram contract after irregularities were found in the count."


def item(aid: str, text: str) -> dedupe.DedupeItem:
    return dedupe.DedupeItem(aid, dedupe.text_hash(text), dedupe.signature(text), text)


def test_exact_duplicate_ignores_case_and_punctuation():
    a = "\n\n".join([P1, P2, P3])
    b = a.upper().replace(",", "")
    dups = dedupe.find_duplicates([item("a", a), item("b", b), item("c", OTHER)])
    assert dups == {"b": ("a", "exact", 1.0)}


def test_near_duplicate_with_one_reworded_paragraph():
    a = "\n\n".join([P1, P2, P3, P4])
    b = "\n\n".join([P1, P2, "Boat owners warned that the cut would cost many jobs in coastal towns.", P4])
    dups = dedupe.find_duplicates([item("a", a), item("b", b), item("c", OTHER)])
    assert set(dups) == {"b"} and dups["b"][0] == "a" and dups["b"][1] == "near"
    assert 0.5 < dups["b"][2] < 1.0


def test_different_articles_are_not_duplicates():
    a = "\n\n".join([P1, P2])
    assert dedupe.find_duplicates([item("a", a), item("c", OTHER), item("d", P3 + " " + P4)]) == {}


def test_shared_paragraph_recorded_both_ways():
    a = "\n\n".join([P1, P2])
    b = "\n\n".join([OTHER, P2])
    got = dedupe.shared_passages({"a": a, "b": b}, {})
    assert [(p.article_id, p.other_article_id) for p in got] == [("a", "b"), ("b", "a")]
    pa = got[0]
    assert a[pa.span[0]:pa.span[1]] == P2 and b[pa.other_span[0]:pa.other_span[1]] == P2


def test_duplicates_are_left_out_of_shared_passages():
    a = "\n\n".join([P1, P2])
    assert dedupe.shared_passages({"a": a, "b": a}, {"b": ("a", "exact", 1.0)}) == []


def test_one_shared_paragraph_is_not_a_duplicate():
    a = "\n\n".join([P1, P2, P3])
    b = "\n\n".join([OTHER, P2, P4])
    assert dedupe.find_duplicates([item("a", a), item("b", b)]) == {}
