"""End to end: build, re-build, resume after a kill, and export, on the seeds and the example corpus."""

from __future__ import annotations

import json
import os
import re
import shutil
import time
from pathlib import Path

import pytest

from storyline import pipeline
from storyline.export.json import dossier
from storyline.store import Store
from storyline.store.migrations import _INDEXED

ROOT = Path(__file__).resolve().parent.parent
CORPUS_DOC = ROOT / "examples" / "CORPUS.md"


def build(paths, db: str) -> dict:
    with Store(db) as store:
        pipeline.build(paths, store)
        return dossier(store)


# --- the seeds ---------------------------------------------------------------------------------

SEED_TITLES = [
    "Russia, Turkey Sign S-400 Deal despite Criticism and Suspicion",
    "Russia Says US Using Taiwan to Stir Crisis in Asia",
    "Turkey’s ‘Rift with West’ Paving Way for S-400 Missile Deal with Russia, Moscow’s First with NATO Member, Russian Paper Says",
    "DEFYING NATO: Putin reveals that Turkish Arms-Deals Far Exceed the S-400 Project",
    "Russia signals interest in new deal with Turkey for S-400 air defence systems",
    "Russia intends to supply Turkey with an additional batch of S-400 SAMs",
]


def paragraphs(text: str) -> list[str]:
    return [p.strip() for p in text.split("\n\n") if p.strip()]


def test_seeds_six_articles_clean(seeds, tmp_path, new_db):
    d = build([seeds], new_db("s"))
    arts = d["articles"]
    assert [a["title"] for a in arts] == SEED_TITLES
    docs = {x["id"]: x for x in d["documents"]}
    for a in arts:
        doc_text = (seeds / Path(docs[a["document_id"]]["source"]).name).read_text(encoding="utf-8")
        source = doc_text[a["source_span"][0]:a["source_span"][1]]
        # every non-furniture line of the source is in the body, and nothing else is
        removed = {r["text"] for r in a["removed"]}
        body = paragraphs(a["text"])
        assert a["title"] not in a["text"]
        for line in (ln.strip() for ln in source.splitlines()):
            line = line.replace("\u00a0", " ").strip()
            if not line or line in removed:
                continue
            prefix = next((r for r in removed if line.startswith(r) and r != line), "")
            line = line[len(prefix):].strip()  # a dateline prefix ("MOSCOW –") cut off the paragraph
            assert any(line in p for p in body), f"body line lost: {line[:60]}"
        for r in a["removed"]:
            assert doc_text[r["span"][0]:r["span"][1]].replace("\u00a0", " ") == r["text"]
        for furniture in ("TT", "0 3,340", "- Advertisement -", "Subscribe", "Sign up here", "(Reuters)",
                          "Photo:", "Based on materials", "Neal Path is", "Ivan Dikov, the founder", "AFP)",
                          "These are four reasons", "GSV "):
            assert furniture not in a["text"], f"{furniture!r} left in {a['title'][:40]}"
    by_title = {a["title"]: a for a in arts}
    assert by_title[SEED_TITLES[4]]["authors"] == ["Neal Path"]
    assert by_title[SEED_TITLES[2]]["authors"] == ["Ivan Dikov"]
    assert by_title[SEED_TITLES[5]]["syndicated_from"] == ["TASS"]
    assert by_title[SEED_TITLES[5]]["published"]["date"] == "2021-12-09"
    reasons = {r["reason"] for a in arts for r in a["removed"]}
    assert {"title-repeat", "caption", "page-widget", "share-counter", "advertisement", "newsletter-prompt",
            "byline", "author-bio", "related-teaser", "wire-credit", "dateline", "photo-credit"} <= reasons


# --- the example corpus ------------------------------------------------------------------------

def corpus_truth() -> dict[str, dict]:
    """Title → {furniture strings} from examples/CORPUS.md (the corpus's own ground truth)."""
    truth: dict[str, dict] = {}
    for section in re.split(r"\n(?=### |\*\*Response)", CORPUS_DOC.read_text(encoding="utf-8"))[1:]:
        m = re.search(r"Title: `([^`]+)`", section)
        if not m:
            continue
        bad = []
        for line in section.splitlines():
            if line.startswith("| `"):
                bad.append(re.match(r"\| `(.+?)`(?: \(| ×| \|)", line).group(1).replace("\\|", "|"))
            elif "must not contain" in line:
                bad += [s for s in re.findall(r"`([^`]+)`", line) if len(s) > 3]
        truth[m.group(1)] = {"furniture": bad}
    return truth


@pytest.fixture(scope="module")
def corpus_dossier(databases):
    return build([ROOT / "examples" / "corpus"], databases.new("c"))


def test_corpus_titles_and_furniture(corpus_dossier):
    truth = corpus_truth()
    arts = {a["title"]: a for a in corpus_dossier["articles"]}
    assert len(corpus_dossier["articles"]) == 13
    assert set(arts) == set(truth)
    for title, t in truth.items():
        body = paragraphs(arts[title]["text"])
        for f in t["furniture"]:
            if f == title:
                continue
            assert f.strip() not in body, f"{f!r} left in {title}"
            if len(f) > 25:
                assert f.strip() not in arts[title]["text"], f"{f!r} left in {title}"


def test_corpus_duplicates_and_syndication(corpus_dossier):
    arts = corpus_dossier["articles"]
    dups = [a for a in arts if a["duplicate_of"]]
    assert len(dups) == 1
    pair = {dups[0]["title"], next(a["title"] for a in arts if a["id"] == dups[0]["duplicate_of"])}
    assert pair == {"Greens take Lindenport city hall as turnout hits 20-year high",
                    "Lindenport elects first Green mayor as Social Democrats slump"}
    sharing = {a["title"] for a in arts if a["shared_passages"]}
    assert sharing == {"Kestrel Aerospace wins $340m contract to launch weather satellites",
                       "Kestrel Aerospace shares jump 18% after weather satellite deal"}
    k = next(a for a in arts if a["title"].startswith("Kestrel Aerospace wins"))
    assert len(k["shared_passages"]) == 2


def test_corpus_metadata(corpus_dossier):
    arts = {a["title"]: a for a in corpus_dossier["articles"]}
    k = arts["Kestrel Aerospace wins $340m contract to launch weather satellites"]
    assert k["published"]["date"] == "2024-04-02" and k["authors"] == ["Yusuf Brandvold"]
    assert k["outlet"] == "Orbital Business Review"
    v = arts["Vireo Pharmaceuticals recalls 1.2 million inhalers over faulty dose counter"]
    assert v["syndicated_from"] == ["Reuters"] and v["authors"] == ["Clara Mbeki"]
    assert arts["Greens take Lindenport city hall as turnout hits 20-year high"]["authors"] == ["Amara Quist"]
    cod = arts["Fishing nations agree 12 percent cut in North Reach cod quota"]
    assert "Søren Ågård" in cod["text"] and cod["syndicated_from"] == ["Nordic Wire Service"]
    w = arts["Regulator widens Vireo inhaler recall to three more countries"]
    assert w["published"]["date"] == "2024-04-23" and "“" in w["text"]


# --- idempotence, resume, ids -----------------------------------------------------------------

def test_rebuild_changes_nothing_and_ids_are_stable(tmp_path, new_db):
    src = ROOT / "examples" / "corpus"
    a = new_db("a")
    first = build([src], a)
    again = build([src], a)
    fresh = build([src], new_db("b"))
    assert first == again == fresh


def test_a_build_with_nothing_new_does_not_read_the_corpus(tmp_path, monkeypatch, new_db):
    src = ROOT / "examples" / "corpus"
    db = new_db("noop")
    first = build([src], db)
    read = []
    for name in ("unkeyed", "all_annotations", "story_pending"):
        real = getattr(Store, name)
        monkeypatch.setattr(Store, name, lambda self, *a, _real=real, _name=name, **kw: read.append(_name) or _real(self, *a, **kw))
    assert build([src], db) == first and read == []  # nothing new: the cross-article stages are not run
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "note.txt").write_text("Port officials in Valmora said on Tuesday that the northern quay will close "
                                    "for dredging work until the spring.\n", encoding="utf-8")
    build([extra], db)
    assert {"unkeyed", "all_annotations", "story_pending"} <= set(read)  # something new: they run
    read.clear()
    build([src, extra], db)
    assert read == []


def _copies(db: str) -> tuple[dict, list]:
    with Store(db) as store:
        dups = {a.id: (a.duplicate_of, a.duplicate_kind) for a in store.articles()}
        return dups, sorted(tuple(sorted(p.items())) for p in store.shared_passages())


def test_duplicates_found_one_file_at_a_time_equal_those_of_one_build(tmp_path, new_db):
    # an earlier copy arriving later takes the original's place; a shared paragraph is found whichever
    # side comes first; the example corpus file by file, in reverse, gives what one build of it gives
    from tests.test_dedupe import OTHER, P1, P2, P3, P4

    folder = tmp_path / "in"
    folder.mkdir()
    texts = {
        "wire_2024-03-02_quota.txt": "\n\n".join([P1, P2, P3, P4]),
        "paper_2024-03-05_council.txt": "\n\n".join([OTHER, P2]),  # shares P2
        "site_2024-03-01_quota.txt": "\n\n".join([P1, P2, "Boat owners warned that the cut would cost many jobs.", P4]),
    }
    one_by_one = new_db("steps")
    for name, text in texts.items():
        (folder / name).write_text(text + "\n", encoding="utf-8")
        build([folder], one_by_one)
    whole = new_db("whole")
    build([folder], whole)
    dups, passages = _copies(one_by_one)
    assert (dups, passages) == _copies(whole)
    assert sorted(k for _, k in dups.values() if k) == ["near"] and passages  # the later-dated copy, one pair
    corpus = sorted((ROOT / "examples" / "corpus").iterdir(), reverse=True)
    steps, all_at_once = new_db("corpus-steps"), new_db("corpus-whole")
    for i in range(len(corpus)):
        build(corpus[:i + 1], steps)
    build(corpus, all_at_once)
    assert _copies(steps) == _copies(all_at_once)
    assert any(k for _, k in _copies(steps)[0].values()) and _copies(steps)[1]


def _entities_and_speakers(db: str) -> tuple[list, list, list]:
    """The stored entities and linked quotes, and the entities `canonicalise` gives over the stored mentions."""
    from storyline.model import Mention
    from storyline.nlp.canonical import canonicalise

    with Store(db) as store:
        per = {aid: [Mention(**{**m, "span": tuple(m["span"])}) for m in ms]
               for aid, ms in store.all_annotations("mentions")}
        ref = sorted((e.to_json() for e in canonicalise(per)), key=lambda e: e["id"])
        return (sorted(store.entities(), key=lambda e: e["id"]), sorted(store.quotes(), key=lambda q: q["id"]),
                [{**e, "mentions": sorted(e["mentions"], key=lambda m: (m["article_id"], m["span"]))} for e in ref])


def _sorted_mentions(ents: list) -> list:
    return [{**e, "mentions": sorted(e["mentions"], key=lambda m: (m["article_id"], m["span"]))} for e in ents]


def test_entities_taken_in_one_file_at_a_time_equal_those_of_one_build(tmp_path, monkeypatch, new_db):
    # the entity stage's stored runner (nlp/canonical_state.py) gives, file by file, what one build gives
    # and what canonicalise gives over every article; re-annotated and dropped articles leave as they should
    from storyline.nlp import canonical_state

    corpus = sorted((ROOT / "examples" / "corpus").iterdir(), reverse=True)
    steps, whole = new_db("steps"), new_db("whole")
    for i in range(len(corpus)):
        build(corpus[:i + 1], steps)
    build(corpus, whole)
    ents, quotes, ref = _entities_and_speakers(steps)
    assert ents and any(q["speaker"] and q["speaker"].get("entity_id") for q in quotes)
    assert (_sorted_mentions(ents), quotes) == (_sorted_mentions(_entities_and_speakers(whole)[0]),
                                                _entities_and_speakers(whole)[1])
    assert _sorted_mentions(ents) == ref
    # one more small article: `route` runs for it (and the few articles sharing a name whose type changed)
    routed = []
    real = canonical_state.route
    monkeypatch.setattr(canonical_state, "route", lambda *a: routed.append(a[0][0].aid if a[0] else None) or real(*a))
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "note.txt").write_text("Mayor Elena Varga of Lindenport said on Tuesday that the harbour will close "
                                    "for repairs until the spring.\n", encoding="utf-8")
    build([*corpus, extra], steps)
    with Store(steps) as store:
        n_articles = store.counts()["articles"]
    assert 1 <= len(routed) < n_articles / 3
    ents, quotes, ref = _entities_and_speakers(steps)
    assert _sorted_mentions(ents) == ref and any(e["name"] == "Elena Varga" for e in ents)
    # an article annotated again with fewer mentions, and one found not English: both taken out
    with Store(steps) as store:
        arts = [a.id for a in store.articles()]
        layers = store.annotations(arts[0])
        assert layers and layers["mentions"]
        store.save_annotations([(arts[0], {**layers, "mentions": layers["mentions"][:1]})])
        store.set_languages([(arts[1], "de", 0.99)])
        canonical_state.update(store)
    ents, quotes, ref = _entities_and_speakers(steps)
    assert _sorted_mentions(ents) == ref
    assert not any(q["article_id"] == arts[1] for q in quotes)
    assert not any(m["article_id"] == arts[1] for e in ents for m in e["mentions"])


def test_killed_build_resumes_without_duplicates_or_losses(tmp_path, new_db):
    src = ROOT / "examples" / "corpus"
    whole = build([src], new_db("whole"))
    db = new_db("killed")
    seen = []

    def die(kind, item):
        if kind == "document":
            seen.append(item)
            if len(seen) == 4:
                raise KeyboardInterrupt

    with Store(db) as store, pytest.raises(KeyboardInterrupt):
        pipeline.build([src], store, progress=die)
    with Store(db) as store:
        assert 0 < store.counts()["documents"] < len(whole["documents"])
    assert build([src], db) == whole


def test_build_killed_while_annotating_resumes(tmp_path, monkeypatch, new_db):
    src = ROOT / "examples" / "corpus"
    whole = build([src], new_db("whole"))
    monkeypatch.setattr(pipeline, "ANNOTATE_COMMIT_EVERY", 2)
    db = new_db("killed")

    def die(kind, item):
        if kind == "annotated":
            raise KeyboardInterrupt

    with Store(db) as store, pytest.raises(KeyboardInterrupt):
        pipeline.build([src], store, progress=die)
    with Store(db) as store:
        assert store.counts()["annotated"] == 2 and store.counts()["articles"] == 13
    assert build([src], db) == whole


def test_corpus_layers_are_filled_and_point_at_their_text(corpus_dossier):
    arts = {a["id"]: a for a in corpus_dossier["articles"]}
    assert all(a["timex_anchor"] for a in arts.values() if a["published"]["date"])
    tx = [(a, t) for a in arts.values() for t in a["timexes"]]
    assert len(tx) >= 13
    for a, t in tx:
        assert a["text"][t["span"][0]:t["span"][1]] == t["text"]
    assert corpus_dossier["entities"] and corpus_dossier["quotes"]
    for e in corpus_dossier["entities"]:
        for m in e["mentions"]:
            assert arts[m["article_id"]]["text"][m["span"][0]:m["span"][1]] == m["text"]
    for q in corpus_dossier["quotes"]:
        assert arts[q["article_id"]]["text"][q["span"][0]:q["span"][1]] == q["text"]
        if q["speaker"] and q["speaker"]["entity_id"]:
            assert any(e["id"] == q["speaker"]["entity_id"] for e in corpus_dossier["entities"])


def test_changed_file_is_kept_beside_its_old_version(tmp_path, new_db):
    """A new version of a source never replaces what was stored: both versions stay, each with its own
    articles; the old article keeps its id."""
    folder = tmp_path / "in"
    folder.mkdir()
    f = folder / "a.txt"
    f.write_text("A first headline for a story\n\nThe council voted on Monday to close the old bridge to traffic for good.\n")
    db = new_db("x")
    first = build([folder], db)
    f.write_text("A better headline for the story\n\nThe council voted on Monday to close the old bridge to all traffic.\n")
    d = build([folder], db)
    assert [a["title"] for a in d["articles"]] == ["A first headline for a story", "A better headline for the story"]
    assert d["articles"][0]["id"] == first["articles"][0]["id"]
    assert len(d["documents"]) == 2 and {x["source"] for x in d["documents"]} == {"in/a.txt"}


# --- input files unchanged since the last build are not opened ----------------------------------------

MAX_MB = 0.01  # the size bound these builds read with: about 10 KB, so dump.txt is over it and the rest under
NOTE = ("Port officials in Valmora said on Tuesday that the northern quay will close for dredging work until the "
        "spring, and that ferries will use the south pier meanwhile.\n")
HOUR_AGO = time.time() - 3600


def _age(path: Path, when: float = HOUR_AGO) -> None:
    """The file's modification time set to `when` (seconds), as a file not touched since."""
    os.utime(path, ns=(int(when * 1e9), int(when * 1e9)))


def _inputs(tmp_path: Path) -> Path:
    """The example corpus (every input kind) with a file of page furniture only (a document without an article),
    a binary file, a file over MAX_MB and a JSON Lines file holding a bad line; modified an hour ago."""
    folder = tmp_path / "in"
    shutil.copytree(ROOT / "examples" / "corpus", folder)
    (folder / "furniture.txt").write_text("Share\n\nTweet\n\nAdvertisement\n\n12 comments\n", encoding="utf-8")
    (folder / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    (folder / "dump.txt").write_text(NOTE * 80, encoding="utf-8")
    (folder / "extra.jsonl").write_text(json.dumps({"title": "Valmora quay to close", "text": NOTE}) + "\n{not json\n",
                                        encoding="utf-8")
    for f in folder.iterdir():
        _age(f)
    return folder


def _opened(monkeypatch) -> list[str]:
    """The names of the files whose bytes are read from now on (a file's bytes are read by _read_bounded only)."""
    import storyline.ingest as ingest

    opened: list[str] = []
    real = ingest._read_bounded
    monkeypatch.setattr(ingest, "_read_bounded", lambda path, max_bytes: opened.append(path.name) or real(path, max_bytes))
    return opened


def _build(folder: Path, db: str, max_mb: float = MAX_MB) -> pipeline.BuildReport:
    with Store(db) as store:
        return pipeline.build([folder], store, max_mb=max_mb)


def _state(db: str) -> tuple[dict, list]:
    with Store(db) as store:
        return dossier(store), store.problems()


@pytest.mark.parametrize("at_once", [32, 1], ids=["one-by-one", "folder-at-once"])
def test_a_build_opens_no_input_file_unchanged_since_the_last(tmp_path, monkeypatch, new_db, at_once):
    """Also with each folder's records read at once from its first file (RECALL_AT_ONCE), a subfolder's files
    recalled from their own folder's records."""
    monkeypatch.setattr(pipeline, "RECALL_AT_ONCE", at_once)
    folder, db = _inputs(tmp_path), new_db("unchanged")
    (folder / "more").mkdir()
    (folder / "more" / "valmora.txt").write_text("The Valmora ferry company said on Monday that it will add two "
                                                 "sailings a day to the islands from May.\n", encoding="utf-8")
    _age(folder / "more" / "valmora.txt")
    first = _build(folder, db)
    before = _state(db)
    assert {p.source.split("#")[0] for p in first.problems} == {"in/furniture.txt", "in/logo.png", "in/dump.txt",
                                                                "in/extra.jsonl"}
    assert any("over the" in p.message for p in first.problems)  # dump.txt, refused for its size
    opened = _opened(monkeypatch)
    again = _build(folder, db)
    assert opened == []
    assert (again.added_documents, again.skipped, again.annotated) == (0, first.added_documents + first.skipped, 0)
    assert again.problems == first.problems  # each reported again as the run that read the file reported it
    assert _state(db) == before
    # another size bound is another reading: every file is read again, and the one over the old bound stored
    bigger = _build(folder, db, max_mb=1)
    assert sorted(opened) == sorted(f.name for f in folder.rglob("*") if f.is_file())
    assert (bigger.added_documents, bigger.skipped) == (1, again.skipped)
    assert not any("over the" in p.message for p in bigger.problems)


@pytest.mark.parametrize("at_once", [32, 1], ids=["one-by-one", "folder-at-once"])
def test_a_touched_or_changed_file_is_read_again(tmp_path, monkeypatch, new_db, at_once):
    monkeypatch.setattr(pipeline, "RECALL_AT_ONCE", at_once)
    folder, db = _inputs(tmp_path), new_db("touched")
    note = folder / "lindenport_election.txt"
    first = _build(folder, db)
    opened = _opened(monkeypatch)
    _age(note, HOUR_AGO + 600)  # touched: the same bytes, another modification time
    r = _build(folder, db)
    assert opened == [note.name] and (r.added_documents, r.skipped) == (0, first.added_documents)
    opened.clear()
    text = note.read_bytes()
    note.write_bytes(text.replace(b"20-year", b"30-year"))  # changed, the size kept
    _age(note, HOUR_AGO + 1200)
    r = _build(folder, db)
    assert opened == [note.name] and (r.added_documents, r.new_versions) == (1, 1)  # the new version, as today
    titles = [a["title"] for a in _state(db)[0]["articles"]]
    assert "Greens take Lindenport city hall as turnout hits 30-year high" in titles
    assert "Greens take Lindenport city hall as turnout hits 20-year high" in titles
    # the check is by size and modification time (make's and rsync's): an edit that keeps both is not seen …
    opened.clear()
    mtime = note.stat().st_mtime_ns
    note.write_bytes(text.replace(b"20-year", b"40-year"))
    os.utime(note, ns=(mtime, mtime))
    r = _build(folder, db)
    assert opened == [] and r.added_documents == 0
    _age(note, HOUR_AGO + 1800)  # … until the file is touched
    r = _build(folder, db)
    assert opened == [note.name] and r.added_documents == 1


def test_a_file_modified_a_moment_before_a_build_is_read_by_the_next_one_too(tmp_path, monkeypatch, new_db):
    folder, db = tmp_path / "in", new_db("settle")
    folder.mkdir()
    (folder / "note.txt").write_text(NOTE, encoding="utf-8")
    _age(folder / "note.txt", time.time() - 60)
    opened = _opened(monkeypatch)
    monkeypatch.setattr(pipeline, "SETTLE_SECONDS", 120.0)  # a minute ago is a moment ago
    assert [_build(folder, db).added_documents, _build(folder, db).skipped] == [1, 1]
    assert opened == ["note.txt", "note.txt"]  # the second build read it again: it could have changed unseen
    monkeypatch.setattr(pipeline, "SETTLE_SECONDS", 2.0)
    assert [_build(folder, db).skipped, _build(folder, db).skipped] == [1, 1]
    assert opened == ["note.txt"] * 3  # settled: read once more and remembered


def test_a_file_that_could_not_be_opened_is_tried_again(tmp_path, monkeypatch, new_db):
    import storyline.ingest as ingest

    folder, db = tmp_path / "in", new_db("denied")
    folder.mkdir()
    (folder / "note.txt").write_text(NOTE, encoding="utf-8")
    _age(folder / "note.txt")
    real = ingest._read_bounded

    def denied(path: Path, max_bytes: int) -> bytes:
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(ingest, "_read_bounded", denied)
    r = _build(folder, db)
    assert [p.message for p in r.problems if p.source == "in/note.txt"] == [
        "permission denied — check the file's permissions"]
    monkeypatch.setattr(ingest, "_read_bounded", real)  # the permissions fixed: size and mtime are as they were
    r = _build(folder, db)
    assert r.added_documents == 1 and not r.problems
    assert "in/note.txt" not in {source for source, _ in _state(db)[1]}


def _strip_schema_13(store: Store) -> None:
    """Inside a write: what version 13 added (and version 15, which is after it), dropped."""
    for _, index in _INDEXED[15]:
        store.db.execute(f"DROP INDEX {index}")
    store.db.execute("DROP INDEX articles_site")
    store.db.execute("ALTER TABLE articles DROP COLUMN site")
    for table, column in (("story_terms", "norm0"), ("story_postings", "tf"), ("story_df", "df0")):
        store.db.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    for table in ("story_hot", "story_stale"):
        store.db.execute(f"DROP TABLE {table}")
    store.db.execute("DELETE FROM meta WHERE key = 'story_epoch'")


def _as_schema_11(store: Store) -> None:
    """The database as a storyline of schema version 11 leaves it: without what versions 12 to 15 added."""
    with store.transaction():
        _strip_schema_13(store)
        for index in ("articles_undetected", "articles_unannotated"):
            store.db.execute(f"DROP INDEX {index}")
        store.db.execute("ALTER TABLE articles DROP COLUMN annotated")
        for table in ("input_files", "corrections", "correction_journal"):
            store.db.execute(f"DROP TABLE {table}")
        if store.pg:
            store.db.execute("UPDATE meta SET value = '11' WHERE key = 'schema_version'")
        else:
            store.db.execute("PRAGMA user_version = 11")


def test_input_files_are_remembered_after_the_upgrade_from_schema_11(tmp_path, monkeypatch, new_db):
    folder, db = _inputs(tmp_path), new_db("v11")
    first = _build(folder, db)
    before = _state(db)
    with Store(db) as store:
        _as_schema_11(store)
    opened = _opened(monkeypatch)
    with Store(db) as store:
        assert store.unannotated() == [] and store.undetected_languages() == []  # marked from the stored layers
    r = _build(folder, db)  # the upgraded database remembers no file yet: each is read once more
    assert sorted(opened) == sorted(f.name for f in folder.iterdir())
    assert (r.added_documents, r.skipped, r.annotated) == (0, first.added_documents, 0)
    assert r.problems == first.problems
    opened.clear()
    r = _build(folder, db)
    assert opened == [] and (r.added_documents, r.skipped, r.annotated) == (0, first.added_documents, 0)
    assert r.problems == first.problems
    assert _state(db) == before


def test_a_build_without_annotation_then_one_with_it_equals_one_whole_build(tmp_path, monkeypatch, new_db):
    folder = _inputs(tmp_path)
    whole, db = new_db("whole"), new_db("later")
    _build(folder, whole)
    with Store(db) as store:
        r = pipeline.build([folder], store, max_mb=MAX_MB, annotate=False)
        assert r.annotated == 0 and len(store.unannotated()) == store.counts()["articles"]
    opened = _opened(monkeypatch)
    r = _build(folder, db)  # no file opened: the articles left to annotate are those stored unannotated
    assert opened == [] and r.added_documents == 0 and r.annotated > 0
    assert _state(db) == _state(whole)
