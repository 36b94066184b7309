"""The commands as a user runs them: bad input reported in one line, the rest of the run kept."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from typer.testing import CliRunner

from storyline.cli import app

GOOD = ("Council approves new tram line\n\n"
        "The city council approved a new tram line on Monday after a two-year debate over its cost.\n\n"
        "The line will link the harbour district with the university campus by 2027, officials said.\n")

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


def make_bad_inputs(folder: Path) -> dict[str, str]:
    """Each bad file and a word its message must contain."""
    folder.mkdir()
    (folder / "empty.txt").write_bytes(b"")
    (folder / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    (folder / "big.txt").write_bytes(b"word " * 300_000)  # 1.5 MB, over --max-mb 1
    (folder / "broken.warc.gz").write_bytes(gzip.compress(b"WARC/1.0\r\nWARC-Type: response\r\n")[:20])
    (folder / "bad.jsonl").write_text('{"text": "' + GOOD.replace("\n", "\\n") + '"}\n{not json\n', encoding="utf-8")
    return {"empty.txt": "empty", "image.png": "binary", "big.txt": "limit", "broken.warc.gz": "", "bad.jsonl": "line 2"}


def test_bad_inputs_reported_one_line_each_and_run_completes(tmp_path, new_db):
    good = tmp_path / "good.txt"
    good.write_text(GOOD, encoding="utf-8")
    bad = make_bad_inputs(tmp_path / "bad")
    db = new_db("x")
    r = run("build", str(good), str(tmp_path / "bad"), "--db", db, "--max-mb", "1")
    assert r.exit_code == 0, r.output
    lines = [ln for ln in r.stderr.splitlines() if ln.startswith("skipped")]
    out = r.output + r.stderr
    assert "Traceback" not in out
    for name, word in bad.items():
        hit = [ln for ln in out.splitlines() if name in ln]
        assert hit, f"no message names {name}"
        assert word.lower() in hit[0].lower()
    assert lines and all(len(ln) < 400 for ln in lines)
    d = json.loads(run("export", "--db", db).stdout)
    titles = [a["title"] for a in d["articles"]]
    assert titles.count("Council approves new tram line") == 2  # the .txt and the good JSONL line


def test_bad_run_loses_nothing_already_stored(tmp_path, new_db):
    good = tmp_path / "good.txt"
    good.write_text(GOOD, encoding="utf-8")
    db = new_db("x")
    assert run("build", str(good), "--db", db).exit_code == 0
    empty = tmp_path / "nothing"
    empty.mkdir()
    (empty / "junk.bin").write_bytes(b"\x00\x01\x02" * 100)
    r = run("build", str(empty), "--db", db)
    assert r.exit_code == 1 and "no readable files" in (r.output + r.stderr)  # the build could not do its job
    assert "nothing readable" in r.stderr and "unchanged" in r.stderr
    d = json.loads(run("export", "--db", db).stdout)
    assert [a["title"] for a in d["articles"]] == ["Council approves new tram line"]


def test_build_of_a_missing_or_empty_path_fails_and_makes_no_database(tmp_path):
    db = tmp_path / "x.db"
    r = run("build", str(tmp_path / "seedz"), "--db", str(db))  # a typo
    assert r.exit_code == 1 and "seedz: no such file or folder" in r.stderr and len(r.stderr.splitlines()) == 1
    empty = tmp_path / "nothing"
    empty.mkdir()
    r = run("build", str(empty), "--db", str(db))
    assert r.exit_code == 1 and "no file to read" in r.stderr
    (empty / "junk.bin").write_bytes(b"\x00\x01\x02" * 100)
    r = run("build", str(empty), "--db", str(db))
    assert r.exit_code == 1 and "no database was made" in r.stderr and "Traceback" not in r.output + r.stderr
    assert list(tmp_path.glob("x.db*")) == []


def test_show_removed_and_articles(tmp_path, new_db):
    f = tmp_path / "a.txt"
    f.write_text("Council approves new tram line\n\nTT\n\n" + GOOD.split("\n\n", 1)[1], encoding="utf-8")
    db = new_db("x")
    run("build", str(f), "--db", db)
    r = run("show", "1", "--db", db, "--removed")
    assert r.exit_code == 0 and "page-widget" in r.stdout and "The city council approved" in r.stdout
    r = run("articles", "--db", db, "--json")
    assert json.loads(r.stdout.splitlines()[0])["title"] == "Council approves new tram line"
    r = run("show", "a-doesnotexist", "--db", db)
    assert r.exit_code == 1 and "no article" in r.stderr


def test_missing_database_and_bad_anchor_are_one_line_errors(tmp_path, new_db):
    r = run("articles", "--db", new_db("none"))
    assert r.exit_code == 1 and "storyline build" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    f = tmp_path / "t.txt"
    f.write_text("Talks resumed on Tuesday.", encoding="utf-8")
    r = run("annotate", str(f), "--anchor", "2017-02-30")
    assert r.exit_code == 1 and "YYYY-MM-DD" in r.stderr
    r = run("annotate", str(f), "--anchor", "2017-09-12")
    got = json.loads(r.stdout)
    assert got["text"] == "Talks resumed on Tuesday." and got["anchor"] == "2017-09-12"
    assert {"timexes", "entities", "quotes"} <= set(got)
    assert got["timexes"] == [{"span": [17, 24], "text": "Tuesday", "type": "DATE", "value": "2017-09-12",
                               "anchored": True, "tense": "past"}]
    for anchor in ("20177-01-01", "yesterday", ""):
        r = run("annotate", str(f), "--anchor", anchor)
        assert r.exit_code == 1 and len(r.stderr.strip().splitlines()) == 1


def test_annotate_layers_on_a_quoted_text(tmp_path):
    f = tmp_path / "q.txt"
    f.write_text("Mayor Anna Vos said on Monday that the tram line would open in fall 2027.\n\n"
                 "“We have waited long enough,” Vos told reporters.\n", encoding="utf-8")
    got = json.loads(run("annotate", str(f), "--anchor", "2024-03-20").stdout)
    values = {t["text"]: t["value"] for t in got["timexes"]}
    assert values["Monday"] == "2024-03-18" and values["fall 2027"] == "2027-FA"
    assert any(e["type"] == "PERSON" and e["name"] == "Anna Vos" and e.get("role") == "Mayor" for e in got["entities"])
    direct = [q for q in got["quotes"] if q["kind"] == "direct"]
    assert direct and direct[0]["text"] == "We have waited long enough" and direct[0]["speaker"]["name"] == "Anna Vos"
    text = got["text"]
    for layer in ("timexes", "entities", "quotes"):
        for x in got[layer]:
            assert text[x["span"][0]:x["span"][1]] == x["text"]
    r = run("annotate", str(tmp_path / "missing.txt"))
    assert r.exit_code == 1 and "missing.txt" in r.stderr


def test_quotes_and_entities_commands(tmp_path, new_db):
    db = new_db("c")
    run("build", str(Path(__file__).parent.parent / "examples" / "corpus"), "--db", db)
    r = run("entities", "--db", db, "--json")
    ents = [json.loads(line) for line in r.stdout.splitlines()]
    assert ents and all({"id", "name", "type", "aliases", "mentions"} <= set(e) for e in ents)
    r = run("quotes", "--db", db, "--json")
    quotes = [json.loads(line) for line in r.stdout.splitlines()]
    named = [q for q in quotes if q["speaker"] and q["speaker"]["entity_id"]]
    assert named
    who = named[0]["speaker"]["name"]
    r = run("quotes", "--db", db, "--speaker", who.split()[-1], "--json")
    theirs = [json.loads(line) for line in r.stdout.splitlines()]
    assert theirs and all(q["speaker"]["name"] == who for q in theirs)
    r = run("quotes", "--db", db, "--speaker", "Nobody Atall")
    assert r.exit_code == 0 and "no quotes" in r.stderr
    r = run("show", "1", "--db", db)
    assert "⟨" in r.stdout and "|2024-" in r.stdout


def test_export_is_the_dossier_format(tmp_path, new_db):
    f = tmp_path / "a.txt"
    f.write_text(GOOD, encoding="utf-8")
    db = new_db("x")
    run("build", str(f), "--db", db)
    out = tmp_path / "d.json"
    assert run("export", "--db", db, "--format", "json", "--output", str(out)).exit_code == 0
    d = json.loads(out.read_text(encoding="utf-8"))
    assert d["format"] == "storyline-dossier/1"
    for key in ("documents", "articles", "stories", "entities", "quotes", "events", "claims"):
        assert isinstance(d[key], list)
    a = d["articles"][0]
    for key in ("id", "document_id", "title", "text", "source_span", "published", "outlet", "authors",
                "syndicated_from", "removed", "duplicate_of", "story_id"):
        assert key in a
    assert a["id"].startswith("a-") and d["documents"][0]["article_ids"] == [a["id"]]
    doc_text = f.read_text(encoding="utf-8")
    for t0, d0, n in a["text_map"]:  # every run of the clean text maps back to the document
        assert a["text"][t0:t0 + n] == doc_text[d0:d0 + n]
    assert run("export", "--db", db, "--format", "pdf").exit_code == 1


def test_progress_total_counts_the_files_the_readers_read():
    from storyline.ingest import iter_files, read_paths

    corpus = Path(__file__).resolve().parent.parent / "examples" / "corpus"
    files = [source for _, source in iter_files([corpus])]
    read = {item.source.split("#")[0] for item in read_paths([corpus])}
    assert files == sorted(files) and set(files) == read and len(files) == 9


def test_a_publication_known_by_a_bound_reads_as_one(tmp_path, new_db):
    """No metadata and no dateline: the text dates a past event, so the article was published on or after it;
    `articles` and `show` say so in words and never print the bound as the day."""
    f = tmp_path / "bound.txt"
    f.write_text("Moscow ready for a new deal\n\nMoscow is ready to sign a new contract with Ankara, officials "
                 "said. The first systems were delivered on July 12, 2019, to an air base near Ankara.\n",
                 encoding="utf-8")
    db = new_db("bound")
    run("build", str(f), "--db", db)
    r = run("articles", "--db", db, "--json")
    row = json.loads(r.stdout.splitlines()[0])
    assert (row["published"], row["published_earliest"]) == (None, "2019-07-12")  # the JSON keeps the values
    r = run("articles", "--db", db)
    assert "on or after 12 July 2019" in r.stdout and "2019-07-12" not in r.stdout
    r = run("show", "1", "--db", db)
    assert "published on or after 12 July 2019" in r.stdout


def test_an_unknown_entity_type_is_an_error_listing_the_known_ones(tmp_path, new_db):
    good = tmp_path / "good.txt"
    good.write_text(GOOD, encoding="utf-8")
    db = new_db("x")
    assert run("build", str(good), "--db", db).exit_code == 0
    r = run("entities", "--type", "PERSNO", "--db", db)
    assert r.exit_code == 1 and "'PERSNO' is not one of" in r.stderr and "PERSON" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    assert run("entities", "--type", "org", "--db", db).exit_code == 0  # any case
