"""storyline batch and load: same output as the single-process build, restart, a killed worker, the shuffles."""

from __future__ import annotations

import functools
import json
import os
import signal
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from storyline import pipeline
from storyline.batch import crossdoc, entities, stories
from storyline.batch.engines import DaskEngine, LocalEngine
from storyline.batch.load import LoadError, load
from storyline.batch.partition import finished, plan
from storyline.batch.run import BatchError, run_batch
from storyline.clean import dedupe
from storyline.export.json import dossier
from storyline.ingest import read_paths
from storyline.ingest.stream import read_unit, units
from storyline.model import Document
from storyline.store import Store
from storyline.stories import cluster

MAX = 50 * 1024 * 1024
CORPUS = Path(__file__).resolve().parent.parent / "examples" / "corpus"


def _built(paths, db) -> dict:
    with Store(db) as store:
        pipeline.build(paths, store)
        return dossier(store)


def _loaded(out, db) -> dict:
    with Store(db) as store:
        load(out, store)
        return dossier(store)


def _articles(out: Path) -> list[tuple]:
    """Every article of a batch output with its annotation layers, in order."""
    rows = []
    for part in finished(out):
        anns = {r["article_id"]: r for r in pq.read_table(part / "annotations.parquet").to_pylist()}
        for a in pq.read_table(part / "articles.parquet").to_pylist():
            x = anns.get(a["id"], {})
            rows.append((a["id"], a["text"], json.dumps(a["published"]), x.get("timexes"), x.get("mentions"),
                         x.get("quotes"), x.get("events"), x.get("claims")))
    return rows


@pytest.fixture(scope="module")
def reference(databases):
    """The example corpus built by the single-process pipeline."""
    return _built([CORPUS], databases.new("ref"))


def test_streamed_units_read_as_build_reads(corpus):
    docs = [d for d in read_paths([corpus]) if isinstance(d, Document)]
    streamed = [d for u in units([corpus], MAX) if not hasattr(u, "message")
                for d in read_unit(u, MAX) if isinstance(d, Document)]
    assert [(d.id, d.text) for d in streamed] == [(d.id, d.text) for d in docs]
    kinds = {u.kind for u in units([corpus], MAX)}
    assert {"file", "jsonl", "warc"} <= kinds  # records of the .jsonl and the .warc.gz stream one by one


def test_dask_batch_then_load_equals_build(reference, corpus, tmp_path, new_db):
    with DaskEngine(workers=2) as engine:
        report = run_batch([corpus], tmp_path / "out", engine, MAX, units=3)
    assert report.partitions == len(finished(tmp_path / "out")) > 2
    assert len({t["pid"] for t in report.tasks}) == 2  # both workers took partitions
    assert _loaded(tmp_path / "out", new_db("b")) == reference


def test_restart_skips_finished_partitions(corpus, tmp_path, new_db):
    whole = tmp_path / "whole"
    run_batch([corpus], whole, LocalEngine(), MAX, units=2, annotate=False)
    out = tmp_path / "stopped"
    seen = []

    def stop_after_two(kind, item):
        if kind == "partition":
            seen.append(item)
            if len(seen) == 2:
                raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_batch([corpus], out, LocalEngine(), MAX, units=2, annotate=False, progress=stop_after_two)
    stopped_with = len(finished(out))
    assert 2 <= stopped_with < len(finished(whole))
    with pytest.raises(LoadError, match="did not finish"):
        with Store(new_db("x")) as store:
            load(out, store)
    again = run_batch([corpus], out, LocalEngine(), MAX, units=2, annotate=False)
    assert again.skipped == stopped_with and len(again.tasks) == again.partitions - stopped_with
    assert _articles(out) == _articles(whole)


def test_killed_worker_loses_and_duplicates_nothing(corpus, tmp_path):
    from distributed import LocalCluster

    whole = tmp_path / "whole"
    run_batch([corpus], whole, LocalEngine(), MAX, units=1)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                      silence_logs=40) as cluster, DaskEngine(address=cluster.scheduler_address) as engine:
        pids = list(engine.client.run(os.getpid).values())  # the engine's own client: no second client current
        killed = []

        def kill_one(kind, item):
            if kind == "partition" and not killed:
                victim = next(p for p in pids if p != item["pid"]) if item["pid"] in pids else pids[0]
                os.kill(victim, signal.SIGKILL)  # the other worker, busy with its own partition
                killed.append(victim)

        run_batch([corpus], tmp_path / "out", engine, MAX, units=1, progress=kill_one)
    assert killed
    rows = _articles(tmp_path / "out")
    assert len(rows) == len({r[0] for r in rows})  # no article twice
    assert rows == _articles(whole)  # none lost, layers the same


def test_shuffled_duplicates_match_the_single_process_finder(tmp_path, new_db):
    """Exact copies, near copies, a copy of a near copy, and dates that reorder the canonical order."""
    base = " ".join(f"word{i} sentence{i % 7} item{i % 11}" for i in range(120))
    near = base.replace("word5 ", "changed ").replace("word50 ", "other ")
    far = " ".join(f"unrelated{i} text{i % 5}" for i in range(120))
    lines = [
        {"text": far, "published": "2020-01-05"},
        {"text": near, "published": "2020-01-02"},
        {"text": base, "published": "2020-01-03"},
        {"text": base.upper(), "published": "2020-01-04"},  # exact (case aside)
        {"text": near + " tail words here", "published": "2020-01-01"},  # the earliest: the original of its group
        {"text": far.replace("text1 ", "txt "), "published": None},
        {"text": base[: len(base) // 2] + "\n\n" + far[: len(far) // 2]},
    ]
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(json.dumps({k: v for k, v in x.items() if v}) for x in lines) + "\n")
    with Store(new_db("ref")) as store:
        pipeline.build([src], store, annotate=False)
        rows = store.dedupe_members()
        expected = dedupe.find_duplicates([dedupe.DedupeItem(r["id"], r["text_hash"], r["minhash"], r["text"]) for r in rows])
    assert len(expected) >= 3
    out = tmp_path / "out"
    run_batch([src], out, LocalEngine(), MAX, units=2, annotate=False)
    assert crossdoc.read_duplicates(out) == expected


def test_load_twice_changes_nothing_and_adds_to_a_database(corpus, seeds, tmp_path, new_db):
    out = tmp_path / "out"
    run_batch([corpus], out, LocalEngine(), MAX, units=4)
    with Store(new_db("x")) as store:
        pipeline.build([seeds], store)  # a database with other articles: the cross-article stages run here
        r1 = load(out, store)
        first = dossier(store)
        r2 = load(out, store)
        assert dossier(store) == first
    assert not r1.reused_crossdoc and r1.added_articles == 13
    assert r2.added_documents == 0 and r2.skipped == r1.added_documents
    assert _built([seeds, corpus], new_db("both"))["articles"] == first["articles"]


def test_bad_output_folders(corpus, tmp_path, new_db):
    out = tmp_path / "out"
    run_batch([corpus], out, LocalEngine(), MAX, units=50, annotate=False)
    with pytest.raises(BatchError, match="other inputs"):
        run_batch([corpus / "press_feed.jsonl"], out, LocalEngine(), MAX)
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "notes.txt").write_text("mine")
    with pytest.raises(BatchError, match="not empty"):
        run_batch([corpus], tmp_path / "full", LocalEngine(), MAX)
    with Store(new_db("x")) as store:
        with pytest.raises(LoadError, match="not the output of `storyline batch`"):
            load(tmp_path / "full", store)


def test_plan_is_deterministic_and_bounded(corpus):
    a = [p for p in plan([corpus], MAX, size=2) if not hasattr(p, "message")]
    b = [p for p in plan([corpus], MAX, size=2) if not hasattr(p, "message")]
    assert [p.key for p in a] == [p.key for p in b]
    assert all(len(p.units) <= 2 for p in a)
    assert [p.number for p in a] == list(range(len(a)))


def test_cli_batch_and_load(corpus, tmp_path, new_db):
    from typer.testing import CliRunner

    from storyline.cli import app

    def run(*args):
        return CliRunner().invoke(app, [str(a) for a in args], catch_exceptions=False)

    db = new_db("cli")
    r = run("batch", corpus, "--out", tmp_path / "out", "--engine", "local", "--no-annotate")
    assert r.exit_code == 0 and "13" in r.output and "storyline load" in r.output
    r = run("load", tmp_path / "out", "--db", db)
    assert r.exit_code == 0 and "from the batch" in r.output
    with Store(db) as store:
        assert store.counts()["annotated"] == 13  # annotated at load, the batch having skipped it
    for args, words in [(("load", tmp_path / "nowhere", "--db", db), "no such folder"),
                        (("batch", corpus, "--out", tmp_path / "o2", "--engine", "spark"), "unknown engine"),
                        (("batch", corpus, "--out", tmp_path / "out", "--engine", "local", "--workers", "0"), "at least 1")]:
        r = run(*args)
        assert r.exit_code == 1, r.output
        lines = [ln for ln in r.output.splitlines() if ln.strip()]
        assert len(lines) == 1 and words in lines[0] and "Traceback" not in r.output


def test_a_failing_partition_is_one_clear_error_and_keeps_the_rest(corpus, tmp_path, monkeypatch):
    import storyline.batch.run as batch_run

    real = batch_run.process

    def flaky(part, out, max_bytes, annotate):
        if part.number == 2:
            raise ValueError("spaCy fell over")
        return real(part, out, max_bytes, annotate)

    monkeypatch.setattr(batch_run, "process", flaky)
    with pytest.raises(BatchError, match=r"partition failed on local .*ValueError: spaCy fell over.*run the same command"):
        run_batch([corpus], tmp_path / "out", LocalEngine(), MAX, units=2, annotate=False)
    assert len(finished(tmp_path / "out")) >= 2
    monkeypatch.setattr(batch_run, "process", real)
    again = run_batch([corpus], tmp_path / "out", LocalEngine(), MAX, units=2, annotate=False)
    assert again.skipped >= 2 and len(finished(tmp_path / "out")) == again.partitions


def _story_ids(db) -> dict[str, str]:
    with Store(db) as store:
        return {aid: m["story_id"] for aid, m in store.article_meta().items()}


@pytest.mark.parametrize("min_sim", [0.0, stories.MIN_SIM])
def test_distributed_stories_match_the_single_process_assignment(corpus, seeds, tmp_path, new_db, min_sim):
    """The batch's story step (blocking, pair scores on the engine, one ordered pass) assigns every
    article to the story `cluster.assign` gives it in `build`, and `load` uses the batch's stories."""
    out = tmp_path / "out"
    report = run_batch([seeds, corpus], out, LocalEngine(), MAX, units=3)
    if min_sim != stories.MIN_SIM:
        parts = finished(out)
        stories.run(LocalEngine(), out, parts, functools.partial(entities.article_entities, out),
                    crossdoc.read_duplicates(out), min_sim)
    want = _story_ids(_built_db([seeds, corpus], new_db("ref")))
    got = stories.read_stories(out)
    assert got == want
    assert report.stories == len(set(want.values())) < len(want)  # some stories hold several articles
    with Store(new_db("loaded")) as store:
        assert load(out, store).reused_crossdoc
        assert {aid: m["story_id"] for aid, m in store.article_meta().items()} == want


def _built_db(paths, db):
    with Store(db) as store:
        pipeline.build(paths, store)
    return db


def test_prefix_blocking_finds_every_pair_above_the_bound():
    """Prefix filtering's guarantee on random sparse vectors: an article whose cosine (or entity overlap)
    with another reaches the bound holds one of that one's blocking keys (what placing an article probes
    with), and the two share a blocking key (taken in one global order, as the batch's are)."""
    import math
    import random

    rnd = random.Random(7)
    vocab = [f"t{i}" for i in range(60)]
    vecs = []
    for _ in range(80):
        terms = rnd.sample(vocab, rnd.randint(1, 12))
        w = {t: rnd.random() ** 3 + 0.01 for t in terms}
        norm = math.sqrt(sum(x * x for x in w.values()))
        vecs.append({t: x / norm for t, x in w.items()})
    df = {t: sum(t in v for v in vecs) for t in vocab}
    for bound in (0.1, 0.3, 0.5):
        keys = [set(cluster.prefix([(df[t], t, x) for t, x in v.items()], bound, squared=True)) for v in vecs]
        checked = 0
        for i, a in enumerate(vecs):
            for j in range(i):
                cos = sum(x * vecs[j].get(t, 0.0) for t, x in a.items())
                if cos >= bound:
                    checked += 1
                    assert keys[i] & keys[j] and keys[i] & set(vecs[j]) and keys[j] & set(a), (bound, i, j, cos)
        assert checked > 10
        ents = [{t: 1.0 + df[t] % 5 for t in v} for v in vecs]  # entity sets with rarity weights
        ekeys = [set(cluster.prefix([(df[t], t, x) for t, x in e.items()], bound)) for e in ents]
        for i, a in enumerate(ents):
            for j in range(i):
                ov = cluster.weighted_overlap(a, ents[j])
                if ov >= bound:
                    assert ekeys[i] & ekeys[j] and ekeys[i] & set(ents[j]), (bound, i, j, ov)
    assert sum(map(len, keys)) < sum(map(len, vecs))  # and it does leave keys out
