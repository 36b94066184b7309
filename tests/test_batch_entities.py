"""Entity canonicalisation as a batch step: the same entities as `canonicalise` over the same articles,
whatever the partitions and shuffle buckets, on the local engine and on Dask."""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from storyline.batch import entities as batch_entities
from storyline.batch.engines import DaskEngine, Engine, LocalEngine
from storyline.batch.partition import SCHEMAS, finished, part_name
from storyline.batch.run import run_batch
from storyline.model import Mention
from storyline.nlp.annotate import mention_json
from storyline.nlp.canonical import canonicalise

MAX = 50 * 1024 * 1024
LAYOUTS = [(1, 1), (1, 6), (2, 3), (100, 1), (100, 5)]  # (articles a partition, shuffle buckets)


def m(name: str, start: int, type: str = "PERSON", role: str | None = None, text: str | None = None,
      stands_for: str | None = None, described: str | None = None) -> Mention:
    t = text or name
    return Mention(span=(start, start + len(t)), text=t, type=type, name=name, role=role, stands_for=stands_for,
                   described=described)


def write_partitions(out: Path, per_article: dict[str, list[Mention]], size: int, seed: int = 0) -> list[Path]:
    """Partition folders holding only annotations.parquet, `size` articles each, in a shuffled order."""
    aids = list(per_article)
    random.Random(seed).shuffle(aids)
    parts = []
    for n, i in enumerate(range(0, max(1, len(aids)), size)):
        d = out / part_name(n)
        d.mkdir(parents=True)
        rows = [{"article_id": a, "anchor": None, "timexes": "[]", "quotes": "[]", "events": "[]", "claims": "[]",
                 "mentions": json.dumps([mention_json(x) for x in per_article[a]])} for a in aids[i:i + size]]
        pq.write_table(pa.Table.from_pylist(rows, schema=SCHEMAS["annotations"]), d / "annotations.parquet")
        parts.append(d)
    return parts


def mentions_of(parts: list[Path]) -> dict[str, list[Mention]]:
    """Every article's mentions as the partitions hold them (what `pipeline.link_entities` would read)."""
    per = {}
    for d in parts:
        for r in pq.read_table(d / "annotations.parquet", columns=["article_id", "mentions"]).to_pylist():
            per[r["article_id"]] = [Mention(**{**x, "span": tuple(x["span"])}) for x in json.loads(r["mentions"])]
    return per


def expected_links(want: list[dict]) -> dict[str, list[str]]:
    """Article id -> entity ids of its mentions by start then id, from `canonicalise`'s entities."""
    pairs: dict[str, set[tuple[int, str]]] = {}
    for e in want:
        for x in e["mentions"]:
            pairs.setdefault(x["article_id"], set()).add((x["span"][0], e["id"]))
    return {a: [eid for _, eid in sorted(ps)] for a, ps in pairs.items()}


def check(engine: Engine, out: Path, parts: list[Path], buckets: int) -> list[dict]:
    """Run the step; assert its entities and per-article links are `canonicalise`'s."""
    want = [e.to_json() for e in canonicalise(mentions_of(parts))]
    assert batch_entities.run(engine, out, parts, buckets) == len(want)
    assert batch_entities.read_entities(out) == want
    links: dict[str, list[str]] = {}
    for d in parts:
        links.update(batch_entities.article_entities(out, int(d.name.split("=")[1])))
    assert links == expected_links(want)
    return want


def check_layouts(tmp_path: Path, per_article: dict[str, list[Mention]]) -> list[dict]:
    """`check` over several partition sizes and bucket counts; returns canonicalise's entities."""
    want = []
    for i, (size, buckets) in enumerate(LAYOUTS):
        out = tmp_path / f"out{i}"
        want = check(LocalEngine(), out, write_partitions(out, per_article, size, seed=i), buckets)
    return want


# ---------------------------------------------------------------- hand-made mention sets


def test_acronym_pair_split_across_articles(tmp_path):
    long = "China Precision Machinery Import-Export Corporation"
    per = {"a": [m(long, 0, "ORG"), m("CPMIEC", len(long) + 2, "GPE")],
           "b": [m("CPMIEC", 10, "ORG")],
           "c": [m(long, 5, "ORG"), m("NATO", 80, "ORG")],
           "d": [m("North Atlantic Treaty Organization", 0, "ORG"), m("NATO", 37, "GPE"), m("Stoltenberg", 60, "ORG")],
           "e": [m("NATO", 3, "PERSON"), m("Jens Stoltenberg", 20)]}
    want = check_layouts(tmp_path, per)
    cpmiec = next(e for e in want if e["name"] == long)
    assert cpmiec["type"] == "ORG" and len(cpmiec["mentions"]) == 4


def test_bare_surname_with_one_or_two_known_bearers(tmp_path):
    one = check_layouts(tmp_path / "one", {"a": [m("John Smith", 0)], "c": [m("Smith", 5)], "d": [m("Mary", 0)],
                                           "e": [m("Mary Jones", 9)]})
    assert {e["name"]: len(e["mentions"]) for e in one} == {"John Smith": 2, "Mary Jones": 2}
    two = check_layouts(tmp_path / "two", {"a": [m("John Smith", 0)], "b": [m("Mary Smith", 0)], "c": [m("Smith", 5)]})
    assert sorted(e["name"] for e in two) == ["John Smith", "Mary Smith", "Smith"]


def test_same_first_and_last_name_with_other_middle_names_collide_on_id(tmp_path):
    per = {"a": [m("George W. Bush", 0)], "b": [m("George H. W. Bush", 0), m("Bush", 30)],
           "c": [m("George Bush", 0)], "d": [m("John W. Smith", 0)], "e": [m("John H. Smith", 0)]}
    want = check_layouts(tmp_path, per)
    assert len({e["id"] for e in want}) == len(want) == 5


def test_country_by_capital_and_demonym(tmp_path):
    per = {"a": [m("Ankara", 0, "GPE", stands_for="Turkey"), m("Turkish", 20, "NORP", stands_for="Turkey")],
           "b": [m("Turkey", 0, "GPE"), m("Turks", 10, "NORP"), m("Ankara", 30, "GPE")],
           "c": [m("United States", 0, "GPE", text="the United States"), m("U.S.", 40, "GPE"),
                 m("Washington", 50, "GPE", stands_for="United States"), m("Europe", 70, "LOC"),
                 m("European", 80, "NORP")]}
    want = check_layouts(tmp_path, per)
    turkey = next(e for e in want if e["name"] == "Turkey")
    assert {x.get("as") for x in turkey["mentions"]} == {None, "demonym"}
    ankara = next(e for e in want if e["name"] == "Ankara")  # the capital: one entity, linked to its country
    assert ankara["capital_of"] == turkey["id"] and len(ankara["mentions"]) == 2
    assert [x.get("country_id") for x in ankara["mentions"]] == [turkey["id"], None]
    us = next(e for e in want if e["name"] == "United States")
    assert next(e for e in want if e["name"] == "Washington")["capital_of"] == us["id"]


def test_what_the_text_says_outweighs_the_labels_and_a_capital_keeps_its_country(tmp_path):
    # "the newspaper Gazeta" once (MEDIA), a PERSON and a NORP label elsewhere; "Gazeta (GZ)": one outlet;
    # Kabul stands for a country no article names: its link is dropped on both paths
    per = {"a": [m("Gazeta", 0, "ORG", described="MEDIA"), m("GZ", 8, "PERSON")],
           "b": [m("Gazeta", 0, "PERSON"), m("Gazeta", 20, "NORP")],
           "c": [m("Kabul", 0, "GPE", stands_for="Afghanistan"), m("Sardinia", 10, "LOC", described="PLACE"),
                 m("Sardinia", 30, "ORG")]}
    want = check_layouts(tmp_path, per)
    gazeta = next(e for e in want if e["name"] == "Gazeta")
    assert (gazeta["type"], gazeta.get("media"), gazeta["aliases"], len(gazeta["mentions"])) == ("ORG", True, ["GZ"], 4)
    assert next(e for e in want if e["name"] == "Sardinia")["type"] == "LOC"
    kabul = next(e for e in want if e["name"] == "Kabul")
    assert "capital_of" not in kabul and [x.get("as") for x in kabul["mentions"]] == ["capital"]
    assert "country_id" not in kabul["mentions"][0]


def test_product_codes_with_plurals(tmp_path):
    per = {"a": [m("S-400s", 0, "PRODUCT"), m("S-400 Triumph", 20, "PRODUCT"), m("F-35s", 40, "PRODUCT")],
           "b": [m("S-400", 0, "PRODUCT"), m("S-300", 10, "ORG"), m("F-35", 30, "PRODUCT")]}
    want = check_layouts(tmp_path, per)
    assert {e["name"] for e in want if e["type"] == "PRODUCT"} >= {"S-400 Triumph", "F-35"}


def test_first_seen_forms_win_whatever_order_the_shuffle_brings(tmp_path):
    """A role's case variant, and the name of a place known only through what stands for it, are taken
    from the first mention in corpus order (article id, position)."""
    per = {f"a{i}": [m("Ann Lee", 0, role=role, text=f"{role} Ann Lee"),
                     m(cap, 30, "GPE", stands_for="Freedonia")]
           for i, (role, cap) in enumerate([("mayor", "Fredville"), ("Mayor", "Libertyburg"), ("MAYOR", "Fredville")])}
    want = check_layouts(tmp_path, per)
    assert {(e["name"], tuple(e["roles"])) for e in want} == {("Ann Lee", ("mayor",)), ("Fredville", ())}


def random_corpus(seed: int, articles: int) -> dict[str, list[Mention]]:
    """Mentions drawn from a small vocabulary, so names, surnames, acronyms and ids meet across articles."""
    r = random.Random(seed)
    names = [("Vladimir Putin", "PERSON"), ("Putin", "PERSON"), ("Putin", "ORG"), ("John W. Smith", "PERSON"),
             ("John H. Smith", "PERSON"), ("John Smith", "PERSON"), ("Smith", "PERSON"), ("Mary", "PERSON"),
             ("Mary Jones", "PERSON"), ("Jordan", "GPE"), ("Michael Jordan", "PERSON"), ("NATO", "ORG"),
             ("NATO", "GPE"), ("North Atlantic Treaty Organization", "ORG"), ("Kuomintang", "ORG"), ("KMT", "ORG"),
             ("Turkey", "GPE"), ("Turks", "NORP"), ("Moscow", "GPE"), ("S-400s", "PRODUCT"), ("S-400", "ORG"),
             ("Smith Holdings", "PERSON"), ("European", "NORP")]
    per = {}
    for i in range(articles):
        pos, ms = 0, []
        for _ in range(r.randrange(8)):
            name, etype = r.choice(names)
            sf = "Russia" if name == "Moscow" and r.random() < 0.5 else None
            role = "President" if etype == "PERSON" and r.random() < 0.2 else None
            ms.append(m(name, pos, etype, role=role, text=f"{role} {name}" if role else None, stands_for=sf))
            pos = ms[-1].span[1] + r.choice([2, 2, 3, 9])
        per[f"r{r.randrange(1000):03d}-{i}"] = ms
    return per


@pytest.mark.parametrize("seed", range(6))
def test_random_corpora(tmp_path, seed):
    check_layouts(tmp_path, random_corpus(seed, 25))


def test_an_article_in_two_partitions_counts_once(tmp_path):
    """The same input given twice puts its articles in two partitions; `canonicalise` sees each id once
    (counted twice, "y" would outvote "x" on Acme's type and put "Mayor" first among Ann Lee's roles)."""
    # ("Mr. Acme": the honorific shows "x"'s Acme to be a person, as a one-word name needs to stay one)
    per = {"x": [m("Acme", 0, text="Mr. Acme")],
           "y": [m("Acme", 0, "ORG"), m("Ann Lee", 10, role="Mayor", text="Mayor Ann Lee")],
           "z": [m("Ann Lee", 0, role="Governor", text="Governor Ann Lee")]}
    for buckets in (1, 4):
        out = tmp_path / f"out{buckets}"
        parts = write_partitions(out, per, 1, seed=buckets)
        again = out / part_name(len(parts))
        again.mkdir()
        holder = next(d for d in parts if "y" in mentions_of([d]))
        shutil.copy(holder / "annotations.parquet", again / "annotations.parquet")
        want = check(LocalEngine(), out, [*parts, again], buckets)
        assert {(e["name"], e["type"], tuple(e["roles"])) for e in want} == {
            ("Acme", "PERSON", ()), ("Ann Lee", "PERSON", ("Governor", "Mayor"))}


def test_empty_partitions_and_readers_without_output(tmp_path):
    assert batch_entities.read_entities(tmp_path) is None and batch_entities.article_entities(tmp_path, 0) is None
    parts = write_partitions(tmp_path, {"a": [], "b": [m("x", 0, "CARDINAL")]}, 1)
    assert check(LocalEngine(), tmp_path, parts, 3) == []


def test_a_rerun_with_fewer_buckets_leaves_no_stale_files(tmp_path):
    parts = write_partitions(tmp_path, random_corpus(7, 20), 4)
    check(LocalEngine(), tmp_path, parts, 8)
    check(LocalEngine(), tmp_path, parts, 2)
    assert len(list((tmp_path / "_crossdoc").glob("entities-*.parquet"))) == 2


# ---------------------------------------------------------------- annotated batches


@pytest.fixture(scope="module")
def corpus_batch(tmp_path_factory) -> Path:
    """The example corpus as a batch of two-unit partitions (annotated)."""
    out = tmp_path_factory.mktemp("corpus") / "out"
    run_batch([Path(__file__).resolve().parent.parent / "examples" / "corpus"], out, LocalEngine(), MAX, units=2)
    return out


@pytest.mark.parametrize("buckets", [1, 7])
def test_example_corpus(corpus_batch, buckets):
    parts = finished(corpus_batch)
    assert len(parts) > 2
    want = check(LocalEngine(), corpus_batch, parts, buckets)
    assert any(e["type"] == "PERSON" for e in want)


def test_seeds(seeds, tmp_path):
    out = tmp_path / "out"
    run_batch([seeds], out, LocalEngine(), MAX, units=1)
    parts = finished(out)
    want = check(LocalEngine(), out, parts, 4)
    assert any(e["name"] == "Recep Tayyip Erdogan" for e in want)


def test_dask(corpus_batch):
    pytest.importorskip("distributed")
    with DaskEngine(workers=2) as engine:
        check(engine, corpus_batch, finished(corpus_batch), 3)


def test_one_off_variants_and_a_dominant_bearer(tmp_path):
    per = {f"a{i}": [m("Ivo Brandt", 0), m("Brandt", 30)] for i in range(6)}
    per.update({"b": [m("I. Karl Brandt", 0)], "c": [m("Lena Brandt", 0)], "d": [m("Brandt", 12)]})
    want = check_layouts(tmp_path, per)
    assert {e["name"]: len(e["mentions"]) for e in want} == {"Ivo Brandt": 14, "Lena Brandt": 1}


def test_known_places_typed_as_places(tmp_path):
    per = {"a": [m("Valparaiso", 0, "ORG")], "b": [m("Valparaiso", 5, "ORG")], "c": [m("Valparaiso", 9, "GPE")]}
    assert [(e["name"], e["type"]) for e in check_layouts(tmp_path, per)] == [("Valparaiso", "GPE")]
