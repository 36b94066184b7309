"""Languages: detected per article, stored and exported; the English layers on English (or unknown) only."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from storyline import pipeline
from storyline.cli import app
from storyline.clean.language import detect
from storyline.export.json import dossier
from storyline.store import SCHEMA_VERSION, Store
from storyline.store.migrations import _INDEXED

GERMAN = """Regierung beschließt neues Entlastungspaket

Die Bundesregierung hat am Dienstag in Berlin neue Maßnahmen gegen die steigenden Energiepreise beschlossen. Sämtliche Daten zum Verbrauch der Haushalte sollen künftig jeden Monat veröffentlicht werden, sagte Wirtschaftsminister Klaus Hartmann nach der Sitzung des Kabinetts.

Die Opposition kritisierte das Paket als zu spät und zu klein. Die Verbände der Industrie begrüßten dagegen die geplante Senkung der Stromsteuer.
"""

MALAY = """Harga minyak masak diturunkan

Kerajaan Malaysia mengumumkan pada hari Selasa bahawa harga minyak masak akan diturunkan bermula bulan depan. Menteri Perdagangan Dalam Negeri, Ahmad Rahman, berkata langkah itu bertujuan untuk meringankan beban rakyat yang terjejas akibat kenaikan kos sara hidup.

Peniaga kecil di Kuala Lumpur menyambut baik keputusan tersebut tetapi meminta bantuan tambahan daripada kerajaan.
"""

ENGLISH = """Government cuts fuel taxes

The government announced on Tuesday in London that it would cut fuel taxes from next month. "This will ease the burden on families," Finance Minister Rachel Reeves said after the cabinet meeting.

The opposition called the package too little and too late, while industry groups welcomed the lower electricity levy.
"""


def write(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    for name, text in (("de.txt", GERMAN), ("ms.txt", MALAY), ("en.txt", ENGLISH)):
        (src / name).write_text(text, encoding="utf-8")
    return src


def by_lang(d: dict) -> dict[str, dict]:
    return {a["language"]: a for a in d["articles"]}


def entity_articles(d: dict) -> set[str]:
    return {m["article_id"] for e in d["entities"] for m in e.get("mentions") or []}


def test_detect_gives_no_guess_on_too_little_text():
    assert detect("Berlin, Dienstag") == (None, None)
    assert detect("") == (None, None)
    lang, score = detect(ENGLISH)
    assert lang == "en" and 0.5 <= score <= 1


def test_languages_stored_exported_and_only_english_annotated(tmp_path, new_db):
    src, db = write(tmp_path), new_db("lang")
    with Store(db) as store:
        report = pipeline.build([src], store)
        d = dossier(store)
        assert report.not_english == {"de": 1, "ms": 1}
        assert store.not_annotated_languages() == {"de": 1, "ms": 1}
        assert store.unannotated() == []  # never listed again: a later build does not retry them
        arts = by_lang(d)
        assert set(arts) == {"de", "ms", "en"}
        de, ms, en = arts["de"], arts["ms"], arts["en"]
        assert de["not_annotated"] == "language de" and ms["not_annotated"] == "language ms"
        assert en["not_annotated"] is None and en["language_score"] >= 0.5
        assert store.annotations(de["id"]) is None and store.annotations(ms["id"]) is None
        assert store.annotations(en["id"]) is not None
        assert entity_articles(d) == {en["id"]}  # no entity ("Sämtliche Daten") from the German or Malay page
        assert not any("Sämtliche" in e["name"] for e in d["entities"])
        assert {q["article_id"] for q in d["quotes"]} <= {en["id"]}
        assert {m["article_id"] for ev in d["events"] for m in ev.get("mentions") or []} <= {en["id"]}
        assert de["story_id"] is None and ms["story_id"] is None
        # stored and searchable
        assert [h["id"] for h in store.search("Energiepreise")[1]] == [de["id"]]
        assert [h["id"] for h in store.search("minyak")[1]] == [ms["id"]]
        assert store.article(de["id"]).language == "de"
        # a re-run changes nothing
        again = pipeline.build([src], store)
        assert again.not_english == {} and again.annotated == 0 and again.added_articles == 0
        assert dossier(store) == d


def test_build_summary_counts_articles_not_in_english(tmp_path, new_db):
    src, db = write(tmp_path), new_db("cli")
    r = CliRunner().invoke(app, ["build", str(src), "--db", db])
    assert r.exit_code == 0, r.output
    assert "not in English, not annotated" in r.output
    assert "2: de 1, ms 1" in r.output
    r = CliRunner().invoke(app, ["export", "--db", db])
    assert r.exit_code == 0, r.output


def test_old_database_migrates_and_drops_english_layers_from_other_languages(tmp_path, new_db):
    src, db = write(tmp_path), new_db("old")
    with Store(db) as store:
        pipeline.build([src], store)
        de_id = next(a.id for a in store.articles() if a.language == "de")
        en_id = next(a.id for a in store.articles() if a.language == "en")
        fresh = {a["id"]: a for a in dossier(store)["articles"]}
        # as an older storyline (schema 7) left it: no language columns, and the German page annotated
        # with the English layers (a PERSON "Sämtliche Daten")
        with store.transaction():
            layers = store.db.execute("SELECT * FROM annotations WHERE article_id = ?", (en_id,)).fetchone()
            row = dict(zip(layers.keys(), layers), article_id=de_id,
                       mentions=json.dumps([{"span": [200, 215], "text": "Sämtliche Daten", "type": "PERSON"}]))
            store.db.execute(f"INSERT INTO annotations({','.join(row)}) VALUES ({','.join('?' * len(row))})",
                             list(row.values()))
            store.db.execute("DROP INDEX articles_site")  # what version 13 added (its other columns: tables dropped below)
            store.db.execute("ALTER TABLE articles DROP COLUMN site")
            for table in ("story_hot", "story_stale"):
                store.db.execute(f"DROP TABLE {table}")
            store.db.execute("DELETE FROM meta WHERE key = 'story_epoch'")
            for _, index in _INDEXED[15]:  # what version 15 added
                store.db.execute(f"DROP INDEX {index}")
            for index in ("articles_undetected", "articles_unannotated"):  # what version 12 added
                store.db.execute(f"DROP INDEX {index}")
            store.db.execute("ALTER TABLE articles DROP COLUMN annotated")
            store.db.execute("ALTER TABLE articles DROP COLUMN language")
            store.db.execute("ALTER TABLE articles DROP COLUMN language_score")
            store.db.execute("DROP INDEX articles_unkeyed")  # and what versions 9 to 11 added
            store.db.execute("ALTER TABLE articles DROP COLUMN keyed")
            store.db.execute("DROP INDEX annotations_entities_pending")
            store.db.execute("ALTER TABLE annotations DROP COLUMN entities_done")
            for table in ("dedupe_keys", "passage_keys", "story_terms", "story_postings", "story_df", "entity_edges",
                          "entity_votes", "entity_decisions", "entity_shuffle", "entity_keys", "entity_stale",
                          "input_files", "corrections", "correction_journal"):
                store.db.execute(f"DROP TABLE {table}")
            store.db.execute("DELETE FROM meta WHERE key = 'entity_state'")
            if store.pg:
                store.db.execute("UPDATE meta SET value = '7' WHERE key = 'schema_version'")
            else:
                store.db.execute("PRAGMA user_version = 7")
    with Store(db) as store:
        version = store.db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] if store.pg \
            else store.db.execute("PRAGMA user_version").fetchone()[0]
        assert int(version) == SCHEMA_VERSION == 15
        assert store.article(de_id).language is None  # not detected yet: the next build does
        assert store.annotations(de_id)["mentions"][0]["text"] == "Sämtliche Daten"  # the old English layers
        pipeline.build([src], store)
        d = dossier(store)
        assert {a["id"]: (a["language"], a["language_score"]) for a in d["articles"]} == \
            {aid: (a["language"], a["language_score"]) for aid, a in fresh.items()}
        assert store.annotations(de_id) is None
        assert de_id not in entity_articles(d)
        assert not any("Sämtliche" in e["name"] for e in d["entities"])
        assert store.not_annotated_languages() == {"de": 1, "ms": 1}


def test_batch_skips_other_languages_and_an_older_partition_loads(tmp_path, new_db):
    import pyarrow.parquet as pq

    from storyline.batch.engines import LocalEngine
    from storyline.batch.load import load
    from storyline.batch.partition import finished
    from storyline.batch.run import run_batch

    src = write(tmp_path)
    with Store(new_db("build")) as store:
        pipeline.build([src], store)
        built = dossier(store)
    out = tmp_path / "out"
    run_batch([src], out, LocalEngine(), 50 * 1024 * 1024, units=1)
    arts = [r for part in finished(out) for r in pq.read_table(part / "articles.parquet").to_pylist()]
    layers = {r["article_id"] for part in finished(out) for r in pq.read_table(part / "annotations.parquet").to_pylist()}
    assert sorted(r["language"] for r in arts) == ["de", "en", "ms"]
    assert layers == {r["id"] for r in arts if r["language"] == "en"}
    with Store(new_db("load")) as store:
        load(out, store)
        assert by_lang(dossier(store)).keys() == by_lang(built).keys()
        assert store.not_annotated_languages() == {"de": 1, "ms": 1}
        assert entity_articles(dossier(store)) == entity_articles(built)
    # a partition written before languages were detected: no language columns; and its entity mentions
    # under their old column name, "entities"
    for part in finished(out):
        t = pq.read_table(part / "articles.parquet")
        pq.write_table(t.drop_columns(["language", "language_score"]), part / "articles.parquet")
        t = pq.read_table(part / "annotations.parquet")
        pq.write_table(t.rename_columns(["entities" if c == "mentions" else c for c in t.column_names]),
                       part / "annotations.parquet")
    with Store(new_db("old-batch")) as store:
        load(out, store)
        assert {a["id"]: a["language"] for a in dossier(store)["articles"]} == \
            {a["id"]: a["language"] for a in built["articles"]}
        assert store.not_annotated_languages() == {"de": 1, "ms": 1}
        assert entity_articles(dossier(store)) == entity_articles(built)
