"""Nothing lost, nothing frozen (issue 15): hostile strings reach no terminal, control characters leave article
text with a record, content the parsers or the cleaner used to lose is kept or reported, and inputs that
are not regular files are reported instead of read."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from storyline.cli import app
from storyline.ingest import read_paths
from storyline.model import Document, ReadProblem
from storyline.pipeline import normalise_document, process_document
from storyline.store import Store

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()

# Escape sequences a terminal obeys: clear screen, window title, clipboard write (OSC 52), a hyperlink
# (OSC 8), the one-character CSI and OSC of C1, and bidi controls that reorder what is shown.
HOSTILE = ("\x1b[2J\x1b]0;pwned\x07\x1b]52;c;cHduZWQ=\x07\x1b]8;;http://evil.example/\x1b\\click\x1b]8;;\x1b\\"
           "\x9b31m\x9d0;t\x9c\u202eevil\u202c\u2066x\u2069\u200e\u200f\u061c")
# What must not reach the terminal as a character (a 0x9b byte inside another character's UTF-8 is inert).
OBEYED = ["\x1b", "\x07", "\x9b", "\x9d", "\x9c", "\u202a", "\u202b", "\u202c", "\u202d", "\u202e",
          "\u2066", "\u2067", "\u2068", "\u2069", "\u200e", "\u200f", "\u061c"]

PARAS = [
    "The city council approved a new tram line on Monday after a two-year debate over its cost.",
    "The line will link the harbour district with the university campus by 2027, officials said.",
    "Mayor Anna Berg said: \u201cWe will start building the line next spring.\u201d",
    "Opponents argued that buses would serve the same routes for a fraction of the price.",
]


def run(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


def assert_inert(r, what: str) -> None:
    out = r.output + (r.stderr or "")
    assert "Traceback" not in out, what
    bad = sorted({f"U+{ord(c):04X}" for c in out if c in OBEYED})
    assert not bad, f"{what} printed {bad}"


# --- 1. terminal escapes -------------------------------------------------------------------------------

def hostile_corpus(folder: Path) -> None:
    folder.mkdir()
    body = "".join(f"<p>{p}</p>" for p in PARAS[:2]) + f"<p>A note {HOSTILE} in the middle of the text, as scraped.</p>"
    page = (f"<html><head><title>Harbour tram {HOSTILE} approved</title>"
            f'<meta name="author" content="Jane {HOSTILE} Roe"></head>'
            f"<body><article>{body}{''.join(f'<p>{p}</p>' for p in PARAS[2:])}</article></body></html>")
    (folder / "evil\x1b[2J\x1b]0;t\x07.html").write_text(page, encoding="utf-8")
    line = {"title": f"Tram vote {HOSTILE} passes", "authors": [f"Ola {HOSTILE} Nordmann"],
            "outlet": f"Daily {HOSTILE}", "published": "2024-03-04",
            "text": "\n\n".join(PARAS) + f"\n\nThe vote {HOSTILE} was 31 to 20, officials said on Monday."}
    (folder / "feed\x1b]8;;http:x\x1b\\.jsonl").write_text(json.dumps(line) + "\n", encoding="utf-8")
    (folder / "empty\x1b[2J.txt").write_bytes(b"")  # a problem whose file name is hostile


def test_no_command_prints_a_terminal_escape(tmp_path, new_db):
    hostile_corpus(tmp_path / "in")
    db = new_db("hostile")
    r = run("build", str(tmp_path / "in"), "--db", db)
    assert r.exit_code == 0, r.output
    assert_inert(r, "build")
    assert "empty\\x1b[2J.txt" in r.stderr  # the problem names its file, escape shown, not obeyed
    listed = run("articles", "--db", db)
    assert_inert(listed, "articles")
    assert "Tram vote \\x1b[2J" in listed.output
    n = len(json.loads(run("export", "--db", db).stdout)["articles"])
    assert n >= 2
    commands = [["articles", "--json"], ["search", "council"], ["quotes"], ["quotes", "--json"], ["entities"],
                ["entities", "--json"], ["timeline"], ["timeline", "--format", "json"], ["timeline", "--format", "md"],
                ["claims"], ["claims", "--format", "json"], ["export"], ["export", "--format", "md"],
                ["export", "--format", "html"], ["show", "no\x1b[2Jsuch"]]
    commands += [["show", str(i), "--removed", "--quotes"] for i in range(1, n + 1)]
    commands += [["show", str(i), "--plain"] for i in range(1, n + 1)]
    for args in commands:
        assert_inert(run(*args, "--db", db), " ".join(args))
    shown = "".join(run("show", str(i), "--removed", "--db", db).output for i in range(1, n + 1))
    assert "Ola \\x1b[2J" in shown and "feed\\x1b]8;;http:x" in shown  # author and file name, made visible
    assert_inert(run("articles", "--db", str(tmp_path / "no\x1b]0;x\x07such.db")), "unknown database")
    text = tmp_path / "note.txt"
    text.write_text(f"On Monday {HOSTILE} the council met.", encoding="utf-8")
    assert_inert(run("annotate", str(text)), "annotate")


# --- 2. control characters leave article text, with a record --------------------------------------------

def test_control_characters_replaced_and_recorded_spans_line_up():
    title = "Council approves new tram line"
    raw = "\n\n".join([title, PARAS[0],
                       "The line will link the harbour\x9b\u202e district with the campus by 2027, officials said.",
                       PARAS[3] + "\x7f", "\u2066" + PARAS[2]])
    doc = Document(source="x.txt", sha256="0", kind="txt", text=raw)
    articles = process_document(normalise_document(doc))
    assert len(articles) == 1
    a = articles[0]
    assert not any(c in a.text for c in "\x7f\x9b\u202e\u2066")
    pieces = [r for r in a.removed if r.reason == "control characters"]
    assert [r.text for r in pieces] == ["\x9b\u202e", "\x7f", "\u2066"]
    for r in pieces:
        assert raw[r.span[0]:r.span[1]] == r.text  # the span is into the document text as read
        assert doc.text[r.span[0]:r.span[1]] == " " * len(r.text)  # replaced one for one
    assert len(doc.text) == len(raw)
    # other layers still line up: the article text maps back onto the document, character for character
    for t0, d0, n in a.text_map:
        assert a.text[t0:t0 + n] == doc.text[d0:d0 + n]
    inside = pieces[0]
    t0, d0, n = next(run for run in a.text_map if run[1] <= inside.span[0] < run[1] + run[2])
    at = t0 + inside.span[0] - d0
    assert a.text[at - 7:at] == "harbour" and a.text[at + 2:at + 11] == " district"
    for r in a.removed:
        if r.reason != "control characters":
            assert doc.text[r.span[0]:r.span[1]] == r.text


def test_control_characters_stored_with_the_article(tmp_path, new_db):
    src = tmp_path / "controls.txt"
    src.write_text("\n\n".join(["Council approves new tram line", PARAS[0],
                                PARAS[1].replace("harbour", "harbour\x85\u202d"),
                                PARAS[3]]), encoding="utf-8")
    db = new_db("controls")
    assert run("build", str(src), "--db", db).exit_code == 0
    [article] = json.loads(run("export", "--db", db).stdout)["articles"]
    assert "\x85" not in article["text"] and "\u202d" not in article["text"]
    assert [(r["text"], r["reason"]) for r in article["removed"] if r["reason"] == "control characters"] == [
        ("\x85\u202d", "control characters")]


# --- 3. content lost without a word ----------------------------------------------------------------------

def test_deeply_nested_page_keeps_its_paragraphs(tmp_path):
    depth = 100_000
    page = ("<html><head><title>Council approves new tram line</title></head><body>" + "<div>" * depth
            + "".join(f"<p>{p}</p>" for p in PARAS) + "</div>" * depth + "</body></html>")
    (tmp_path / "deep.html").write_text(page, encoding="utf-8")
    [doc] = list(read_paths([tmp_path / "deep.html"]))
    assert isinstance(doc, Document), doc
    for p in PARAS:
        assert p in doc.text
    assert doc.meta.title == "Council approves new tram line"


def test_page_holding_its_article_twice_keeps_it_once(tmp_path):
    body = "<h1>Council approves new tram line</h1>" + "".join(f"<p>{p}</p>" for p in PARAS)
    page = (f"<html><head><title>Council approves new tram line</title></head>"
            f"<body><div>{body}</div><div>{body}</div></body></html>")
    (tmp_path / "twice.html").write_text(page, encoding="utf-8")
    (tmp_path / "twice.txt").write_text("\n\n".join(["Council approves new tram line", *PARAS] * 2), encoding="utf-8")
    for name in ("twice.html", "twice.txt"):
        [doc] = list(read_paths([tmp_path / name]))
        articles = process_document(normalise_document(doc))
        assert len(articles) == 1, name
        a = articles[0]
        for p in PARAS:
            assert a.text.count(p) == 1, (name, p)
        assert "caption" not in {r.reason for r in a.removed}, name
        assert sum(r.reason == "repeated-line" for r in a.removed) == len(PARAS), name


def test_document_with_no_article_is_a_problem_on_every_run(tmp_path, new_db):
    (tmp_path / "furniture.txt").write_text("Share\n\nTweet\n\nAdvertisement\n\n12 comments\n", encoding="utf-8")
    (tmp_path / "good.txt").write_text("\n\n".join(["Council approves new tram line", *PARAS]), encoding="utf-8")
    db = new_db("noarticle")
    for _ in range(2):  # the second run skips the stored document, and still says it has no article
        r = run("build", str(tmp_path / "furniture.txt"), str(tmp_path / "good.txt"), "--db", db)
        assert r.exit_code == 0, r.output
        lines = [ln for ln in r.stderr.splitlines() if "furniture.txt" in ln]
        assert len(lines) == 1 and "no article" in lines[0], r.stderr
        store = Store(db)
        try:
            problems = store.problems()
        finally:
            store.close()
        assert [s for s, _ in problems] == ["furniture.txt"]
        assert "no article" in problems[0][1] and "\n" not in problems[0][1]


def test_broken_and_looping_symlinks_reported(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text("\n\n".join(["Council approves new tram line", *PARAS]), encoding="utf-8")
    (folder / "dangling.txt").symlink_to(tmp_path / "nowhere.txt")
    (folder / "loop.txt").symlink_to(folder / "loop.txt")
    items = list(read_paths([folder, folder / "dangling.txt", folder / "loop.txt"]))
    problems = {p.source: p.message for p in items if isinstance(p, ReadProblem)}
    assert "broken symbolic link" in problems["in/dangling.txt"]
    assert "symbolic link loop" in problems["in/loop.txt"]
    assert "broken symbolic link" in problems[str(folder / "dangling.txt")]
    assert "symbolic link loop" in problems[str(folder / "loop.txt")]
    assert [d.source for d in items if isinstance(d, Document)] == ["in/good.txt"]
    assert all("\n" not in m for m in problems.values())


# --- 4. smaller ingest cases --------------------------------------------------------------------------------

def good_line(i: int, **extra) -> str:
    return json.dumps({"title": f"Story {i}", "text": PARAS[i % len(PARAS)], **extra})


def test_deeply_nested_jsonl_line_loses_only_itself(tmp_path):
    f = tmp_path / "feed.jsonl"
    deep = "[" * 100_000
    f.write_text("\n".join([good_line(0), deep, good_line(1), '{"text": ' + deep, good_line(2)]) + "\n",
                 encoding="utf-8")
    items = list(read_paths([f]))
    assert [d.source for d in items if isinstance(d, Document)] == ["feed.jsonl#L1", "feed.jsonl#L3", "feed.jsonl#L5"]
    problems = [p for p in items if isinstance(p, ReadProblem)]
    assert [p.source for p in problems] == ["feed.jsonl#L2", "feed.jsonl#L4"]
    assert all("line" in p.message and "\n" not in p.message for p in problems)


def test_nul_byte_spoils_one_jsonl_line_not_the_file(tmp_path):
    f = tmp_path / "feed.jsonl"
    f.write_bytes("\n".join([good_line(0), good_line(1).replace("Story", "Sto\x00ry"), '{"text": "a\x00', good_line(2)])
                  .encode() + b"\n")
    items = list(read_paths([f]))
    docs = {d.source: d for d in items if isinstance(d, Document)}
    assert {"feed.jsonl#L1", "feed.jsonl#L4"} <= set(docs)
    assert all("\x00" not in d.text and "\x00" not in (d.meta.title or "") for d in docs.values())
    assert all(p.source.startswith("feed.jsonl#L") for p in items if isinstance(p, ReadProblem))


def test_jsonl_authors_only_names(tmp_path):
    f = tmp_path / "feed.jsonl"
    f.write_text("\n".join([good_line(0, authors=[1, None, " Jane  Roe ", "", {"x": 1}]),
                            good_line(1, authors=[1, None]),
                            good_line(2, author="Ola Nordmann")]) + "\n", encoding="utf-8")
    docs = [d for d in read_paths([f]) if isinstance(d, Document)]
    assert [d.meta.authors for d in docs] == [["Jane Roe"], [], ["Ola Nordmann"]]


READ_IN_CHILD = """
import json, resource, sys
resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))  # a read without bound fails here, not the machine
from storyline.ingest import read_paths
items = read_paths(sys.argv[1:], max_bytes=1 << 20)
print(json.dumps([[type(i).__name__, i.source, getattr(i, "message", "")] for i in items]))
"""


@pytest.mark.skipif(not hasattr(os, "mkfifo") or not Path("/dev/zero").exists(), reason="needs FIFOs and /dev/zero")
def test_pipes_and_devices_reported_not_read(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text("\n\n".join(["Council approves new tram line", *PARAS]), encoding="utf-8")
    os.mkfifo(folder / "pipe.txt")
    os.mkfifo(tmp_path / "given.fifo")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    try:
        r = subprocess.run([sys.executable, "-c", READ_IN_CHILD, str(folder), str(tmp_path / "given.fifo"),
                            "/dev/zero"], capture_output=True, text=True, timeout=120, env=env)
    except subprocess.TimeoutExpired:
        pytest.fail("reading a pipe or a device hung")
    assert r.returncode == 0, r.stderr[-2000:]
    items = json.loads(r.stdout)
    problems = {source: message for kind, source, message in items if kind == "ReadProblem"}
    assert "not a regular file" in problems["in/pipe.txt"]
    assert "not a regular file" in problems["given.fifo"]
    assert "not a regular file" in problems["zero"]
    assert [source for kind, source, _ in items if kind == "Document"] == ["in/good.txt"]


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs /proc")
def test_read_bounded_by_the_limit_whatever_the_size_said():
    # /proc files say they are 0 bytes and hold more: what is read counts, not what stat said
    [item] = list(read_paths(["/proc/self/status"], max_bytes=64))
    assert isinstance(item, ReadProblem) and "limit" in item.message
