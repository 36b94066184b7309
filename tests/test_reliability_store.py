"""Nothing lost, nothing frozen (issue 15): the web app sees every write, a write the database refuses
(full disk, read-only database, I/O error) is one line and loses nothing, a read-only database or one
on read-only media can still be read, and the API answers out-of-range paging and hostile bodies with
a 4xx, never a 500."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from typer.testing import CliRunner

import storyline
from storyline import pipeline
from storyline.store import connection as store_module
from storyline.cli import app
from storyline.store import Store, WriteError
from tests.conftest import CORPUS, PG, sqlite_only

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette's note about httpx
    from fastapi.testclient import TestClient

from storyline.web import create_app

runner = CliRunner()
FIRST = CORPUS / "caldera_port_strike.txt"
SECOND = CORPUS / "lindenport_election.txt"
TOKEN = "t0ken-for-the-tests-only"


LONG = ("Harbour council approves the new ferry terminal\n\n" + "\n\n".join(
    f"The council voted {i} times on part {i} of the ferry terminal plan, officials in Caldera Bay said on"
    f" day {i} of the session, and the harbour master welcomed vote number {i}." for i in range(1, 90)) + "\n")


def long_article(folder: Path) -> Path:
    """An article larger than a database page (about 14 kB): storing it must take new pages."""
    path = folder / "ferry_terminal.txt"
    path.write_text(LONG, encoding="utf-8")
    return path


def run(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


def one_line_error(output: str, stderr: str, code: int, *words: str) -> None:
    assert code == 1, output + stderr
    assert "Traceback" not in output + stderr
    assert len(stderr.strip().splitlines()) == 1, stderr
    for w in words:
        assert w in stderr, (w, stderr)


def built(db: str, *files: Path) -> str:
    with Store(db) as s:
        pipeline.build(list(files), s)
    return db


def state(db: str) -> tuple:
    """What the database holds, to compare before and after a refused write."""
    with Store(db) as s:
        return (s.counts(), [a.id for a in s.articles()], [d.source for d in s.documents()],
                [e["id"] for e in s.entities()], [x["id"] for x in s.stories()])


def changes(s: Store) -> int:
    row = s.db.execute("SELECT value FROM meta WHERE key = 'changes'").fetchone()
    return int(row[0]) if row else 0


# --- 1. the web app sees every write ---------------------------------------------------------------
def _file_key(path: str) -> str:
    """The old cache key: the file's mtime and size and the log's size."""
    parts = []
    for name in (path, path + "-wal"):
        try:
            st = os.stat(name)
            parts.append(f"{st.st_mtime_ns}:{st.st_size}" if name == path else str(st.st_size))
        except OSError:
            parts.append("-")
    return "|".join(parts)


def test_the_api_sees_a_write_that_leaves_the_file_and_log_sizes_as_they_were(new_db):
    """The issue's case: a build after a checkpoint writes into the reused log, whose size does not
    change, and leaves the database file untouched; the server must still answer with the new article."""
    db = built(new_db("stale"), FIRST)
    with TestClient(create_app(db)) as c:  # one server thread, one connection kept open, as `serve`
        assert c.get("/api/articles").json()["total"] == 1
        with Store(db) as s:
            before = s.data_version()
            if not s.pg:  # grow the log well past what the next build writes, then checkpoint it all
                for i in range(300):
                    s.record_problem(f"pad-{i}", "x" * 3000)
                s.clear_problems([f"pad-{i}" for i in range(300)])
                busy, _, _ = s.db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
                assert busy == 0
                assert s.data_version() != before
        assert c.get("/api/articles").json()["total"] == 1
        old_key = _file_key(db)
        built(db, SECOND)
        if not PG:  # the scenario holds: by the file's state alone nothing changed
            assert _file_key(db) == old_key
        assert c.get("/api/articles").json()["total"] == 2
        assert c.get("/api/search", params={"q": "Lindenport"}).json()["total"] >= 1


def test_every_write_bumps_the_change_counter(new_db, tmp_path):
    db = built(new_db("bumps"), FIRST)
    with Store(db) as s:
        writes = {
            "record_problem": lambda: s.record_problem("x.txt", "unreadable"),
            "clear_problems": lambda: s.clear_problems(["x.txt"]),
            "build (save_document and the stages)": lambda: pipeline.build([SECOND], s),
            "save_annotations": lambda: s.save_annotations([]),
            "save_keyed": lambda: s.save_keyed([], [], [], [], {}, [], []),
            "add_story_terms": lambda: s.add_story_terms({10**9: {"word": 1}}),
            "set_story_ids": lambda: s.set_story_ids({}),
            "set_stage_done": lambda: s.set_stage_done("link", "x"),
            "set_entities": lambda: s.set_entities(s.entities(), s.quotes()),
            "set_stories": lambda: s.set_stories({}, [], [], [], [], {}),
        }
        for name, write in writes.items():
            n, version = changes(s), s.data_version()
            write()
            assert changes(s) > n, name
            assert s.data_version() != version, name


@sqlite_only
def test_a_database_without_the_counter_still_works(tmp_path, monkeypatch):
    """A database an older storyline made has no meta 'changes': read as 0, made by the first write;
    and the counter alone tells a change when the file's state says nothing (stat pinned)."""
    db = built(str(tmp_path / "old.db"), FIRST)
    with Store(db) as s:
        s.db.execute("DELETE FROM meta WHERE key = 'changes'")
    with Store(db) as s:
        assert changes(s) == 0
        pinned = os.stat(db)
        monkeypatch.setattr(store_module.os, "stat", lambda name, *a, **k: pinned)
        version = s.data_version()
        s.record_problem("y.txt", "unreadable")
        assert changes(s) == 1 and s.data_version() != version


# --- 2. refused writes: one line, nothing lost ------------------------------------------------------
def _refuse_on_pg(db: str, errcode: str) -> None:
    """PostgreSQL refuses every new document with the given SQLSTATE (as a full disk or a failing disk would)."""
    import psycopg

    with psycopg.connect(db, autocommit=True) as c:
        c.execute(f"""CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
                      RAISE EXCEPTION 'could not extend file: simulated' USING ERRCODE = '{errcode}'; END $$""")
        c.execute("CREATE TRIGGER refuse BEFORE INSERT ON documents FOR EACH ROW EXECUTE FUNCTION refuse()")


def _unrefuse_on_pg(db: str) -> None:
    import psycopg

    with psycopg.connect(db, autocommit=True) as c:
        c.execute("DROP TRIGGER refuse ON documents")


def _full_disk(db: str, monkeypatch) -> None:
    """From now on the database cannot grow: SQLite's max_page_count pinned to what the file holds (after
    VACUUM, so no free page is left), on every connection a Store opens; on PostgreSQL SQLSTATE 53100."""
    if PG:
        return _refuse_on_pg(db, "53100")
    c = sqlite3.connect(db)
    c.execute("VACUUM")
    c.close()
    real = store_module.open_sqlite

    def small(path: str):
        conn, *how = real(path)
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count={pages}")
        return conn, *how
    monkeypatch.setattr(store_module, "open_sqlite", small)


class _FailingDisk:
    """A SQLite connection whose disk fails when a document is written."""

    def __init__(self, conn: sqlite3.Connection):
        object.__setattr__(self, "conn", conn)

    def execute(self, sql: str, *args):
        if sql.startswith("INSERT OR IGNORE INTO documents"):
            raise sqlite3.OperationalError("disk I/O error")
        return self.conn.execute(sql, *args)

    def __getattr__(self, name):
        return getattr(self.conn, name)

    def __setattr__(self, name, value):
        setattr(self.conn, name, value)


def _failing_disk(db: str, monkeypatch) -> None:
    if PG:
        return _refuse_on_pg(db, "58030")
    real = store_module.open_sqlite
    monkeypatch.setattr(store_module, "open_sqlite", lambda path: (_FailingDisk(real(path)[0]), False, False))


@pytest.mark.parametrize("failure,words", [(_full_disk, ("full", "free some space")),
                                           (_failing_disk, ("check the disk",))])
def test_build_on_a_full_or_failing_disk_is_one_line_and_loses_nothing(new_db, tmp_path, monkeypatch, failure,
                                                                       words):
    db = built(new_db("full"), FIRST)
    before = state(db)
    failure(db, monkeypatch)
    new = long_article(tmp_path)
    r = run("build", str(new), "--db", db)
    one_line_error(r.output, r.stderr, r.exit_code, store_module.display_name(db), "nothing of the failed step", *words)
    monkeypatch.undo()
    if PG:
        _unrefuse_on_pg(db)
    assert state(db) == before
    with Store(db) as s:
        if not s.pg:
            assert s.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert not s.db.execute("SELECT 1 FROM documents WHERE source LIKE '%ferry%'").fetchall()
    # nothing frozen: with room again the same build goes through
    assert run("build", str(new), "--db", db).exit_code == 0
    assert state(db)[0]["articles"] == before[0]["articles"] + 1


def test_load_on_a_full_disk_is_one_line_and_loses_nothing(new_db, tmp_path, monkeypatch):
    pytest.importorskip("pyarrow")
    src = tmp_path / "in"
    src.mkdir()
    long_article(src)
    r = run("batch", str(src), "--out", str(tmp_path / "out"), "--engine", "local", "--no-annotate")
    assert r.exit_code == 0, r.output
    db = built(new_db("load-full"), FIRST)
    before = state(db)
    _full_disk(db, monkeypatch)
    r = run("load", str(tmp_path / "out"), "--db", db)
    one_line_error(r.output, r.stderr, r.exit_code, store_module.display_name(db), "full", "free some space")
    monkeypatch.undo()
    if PG:
        _unrefuse_on_pg(db)
    assert state(db) == before


def test_a_refused_transaction_is_a_write_error_and_rolled_back(new_db, tmp_path, monkeypatch):
    db = built(new_db("rollback"), FIRST)
    before = state(db)
    _full_disk(db, monkeypatch)
    with Store(db) as s:
        with pytest.raises(WriteError) as e:
            pipeline.build([long_article(tmp_path)], s)
        assert e.value.kind == "full" and "\n" not in str(e.value)
        assert not s.db.in_transaction if not s.pg else s.db.raw.info.transaction_status == 0
        assert s.counts() == before[0]  # the same connection goes on reading
    monkeypatch.undo()
    if PG:
        _unrefuse_on_pg(db)
    assert state(db) == before


def test_ingest_on_a_full_disk_is_a_one_line_507_and_loses_nothing(new_db, monkeypatch):
    db = built(new_db("ingest-full"), FIRST)
    before = state(db)
    _full_disk(db, monkeypatch)
    c = TestClient(create_app(db, allow_ingest=True, token=TOKEN))
    body = {"articles": [{"title": "Ferry terminal approved", "text": LONG}]}
    r = c.post("/api/ingest", json=body, headers={"Authorization": f"Bearer {TOKEN}"})
    assert r.status_code == 507, r.text
    detail = r.json()["detail"]
    assert "\n" not in detail and "full" in detail and store_module.display_name(db) in detail
    assert c.get("/api/articles").json()["total"] == 1  # the server goes on answering
    monkeypatch.undo()
    if PG:
        _unrefuse_on_pg(db)
    assert state(db) == before


# read-only: chmod is what makes a file read-only, and root ignores it: run the commands in a process
# without the capabilities that let root pass (setpriv), or as they are when not root
def _reader() -> list[str]:
    if os.geteuid() != 0:
        return []
    if not shutil.which("setpriv"):
        pytest.skip("running as root without setpriv: cannot make a file read-only to the commands")
    return ["setpriv", "--bounding-set", "-dac_override,-dac_read_search,-fowner", "--"]


def _env() -> dict[str, str]:
    src = str(Path(storyline.__file__).resolve().parent.parent)
    return {**os.environ, "PYTHONPATH": os.pathsep.join([src, os.environ.get("PYTHONPATH", "")]),
            "COLUMNS": "200", "NO_COLOR": "1"}


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*_reader(), sys.executable, "-c", "from storyline.cli import main; main()", *args],
                          capture_output=True, text=True, env=_env(), timeout=300)


_SERVE = """
import json, sys, warnings
warnings.simplefilter("ignore")
from fastapi.testclient import TestClient
from storyline.web import create_app
c = TestClient(create_app(sys.argv[1]))
r = c.get("/api/articles")
print(json.dumps({"status": r.status_code, "total": r.json().get("total"), "home": c.get("/").status_code,
                  "again": c.get("/api/articles").status_code}))
"""


def _cannot_write(path: Path) -> None:
    if subprocess.run([*_reader(), "test", "-w", str(path)]).returncode == 0:
        pytest.skip(f"{path} is still writable here (chmod has no effect)")


@contextmanager
def _read_only(path: Path, mode: int = 0o555, restore: int = 0o755) -> Iterator[None]:
    """`path` (a folder, or a file with mode 0o444) read-only to the reader for the block, then as before;
    the test skips where chmod has no effect on the reader."""
    os.chmod(path, mode)
    try:
        _cannot_write(path)
        yield
    finally:
        os.chmod(path, restore)


def _reads_and_refuses_writes(db: str, tmp_path: Path, before: tuple) -> None:
    """Every reading command works on the read-only database; build is one line, exit 1."""
    r = _cli("articles", "--db", db, "--json")
    assert r.returncode == 0, r.stderr
    assert [json.loads(line)["id"] for line in r.stdout.splitlines()] == before[1]
    r = _cli("show", "1", "--db", db)
    assert r.returncode == 0 and "Caldera" in r.stdout, r.stderr
    out = tmp_path / "out" / "dossier.json"
    r = _cli("export", "--db", db, "-o", str(out))
    assert r.returncode == 0, r.stderr
    assert len(json.loads(out.read_text(encoding="utf-8"))["articles"]) == len(before[1])
    r = subprocess.run([*_reader(), sys.executable, "-c", _SERVE, db], capture_output=True, text=True, env=_env(),
                       timeout=300)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == {"status": 200, "total": len(before[1]), "home": 200, "again": 200}
    r = _cli("build", str(SECOND), "--db", db)
    one_line_error(r.stdout, r.stderr, r.returncode, db, "cannot be written", "permissions")


@sqlite_only
def test_a_read_only_database_file_is_read_and_refuses_writes_in_one_line(tmp_path):
    folder = tmp_path / "rw"
    folder.mkdir()
    db = built(str(folder / "ro.db"), FIRST)
    before = state(db)
    with _read_only(Path(db), 0o444, 0o644):
        _reads_and_refuses_writes(db, tmp_path, before)
    assert state(db) == before


@sqlite_only
def test_a_database_on_read_only_media_is_read_and_refuses_writes_in_one_line(tmp_path):
    """A folder that cannot be written (read-only media): SQLite cannot make the log's files beside
    the database, so it is opened read-only (immutable where nothing else opens it), not refused."""
    folder = tmp_path / "media"
    folder.mkdir()
    db = built(str(folder / "media.db"), FIRST)
    before = state(db)
    assert not Path(db + "-wal").exists()  # the last connection closed cleanly
    with _read_only(folder):
        _reads_and_refuses_writes(db, tmp_path, before)
        r = _cli("build", str(SECOND), "--db", str(folder / "new.db"))
        one_line_error(r.stdout, r.stderr, r.returncode, "new.db", "cannot create the database")
    assert state(db) == before


_SERVE_TWICE = """
import sys, warnings
warnings.simplefilter("ignore")
from fastapi.testclient import TestClient
from storyline.web import create_app
with TestClient(create_app(sys.argv[1])) as c:
    print(c.get("/api/articles").json()["total"], flush=True)
    sys.stdin.readline()
    print(c.get("/api/articles").json()["total"], flush=True)
"""


@sqlite_only
def test_serve_on_read_only_media_sees_a_change_its_owner_makes(tmp_path):
    """Opened immutable, a connection never looks for changes itself: the app opens a new one when the
    file changed (Store.broken), so an owner's later build shows (and the cache is retired)."""
    folder = tmp_path / "media"
    folder.mkdir()
    db = built(str(folder / "media.db"), FIRST)
    with _read_only(folder):
        server = subprocess.Popen([*_reader(), sys.executable, "-c", _SERVE_TWICE, db], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env())
        try:
            assert server.stdout.readline().strip() == "1", server.stderr.read()
            os.chmod(folder, 0o755)  # the owner writes (when not root, the folder must let them)
            built(db, SECOND)
            os.chmod(folder, 0o555)
            out, err = server.communicate("go\n", timeout=120)
        finally:
            server.kill()
        assert server.returncode == 0, err
        assert out.strip() == "2"


@sqlite_only
def test_read_only_media_with_a_log_holding_changes_is_a_one_line_error(tmp_path):
    """A copy taken with its write-ahead log, the log holding the last build: reading the file without
    the log would show old data, so refuse in one line instead."""
    live, media = tmp_path / "live", tmp_path / "media"
    live.mkdir()
    media.mkdir()
    db = built(str(live / "x.db"), FIRST)
    keep = sqlite3.connect(db)  # another reader: closing the build's connection leaves the log as it is
    try:
        keep.execute("SELECT count(*) FROM meta").fetchall()
        built(db, SECOND)
        for name in ("x.db", "x.db-wal"):
            shutil.copy(live / name, media / name)
    finally:
        keep.close()
    copy = str(media / "x.db")
    with _read_only(media):
        r = _cli("articles", "--db", copy)
        one_line_error(r.stdout, r.stderr, r.returncode, copy, "write-ahead log", "writable folder")
    assert state(copy)[0]["articles"] == 2  # where it can be written, the log is read


@pytest.mark.skipif(not PG, reason="PostgreSQL's read-only database")
def test_a_read_only_postgresql_database_is_read_and_refuses_writes_in_one_line(new_db, tmp_path):
    import psycopg
    from urllib.parse import urlsplit

    db = built(new_db("readonly"), FIRST)
    before = state(db)
    with psycopg.connect(db, autocommit=True) as c:
        c.execute(f'ALTER DATABASE "{urlsplit(db).path.lstrip("/")}" SET default_transaction_read_only = on')
    r = run("build", str(SECOND), "--db", db)
    one_line_error(r.output, r.stderr, r.exit_code, store_module.display_name(db), "cannot be written")
    assert [json.loads(x)["id"] for x in run("articles", "--db", db, "--json").stdout.splitlines()] == before[1]
    c = TestClient(create_app(db))
    assert c.get("/api/articles").json()["total"] == 1
    assert state(db) == before


@sqlite_only
def test_an_old_database_on_read_only_media_is_refused_in_one_line(tmp_path):
    """It would need a migration, which cannot be written: say so, instead of a traceback."""
    folder = tmp_path / "media"
    folder.mkdir()
    db = str(folder / "v3.db")
    with Store(db) as s:
        s.db.execute("PRAGMA user_version=3")
    with _read_only(folder):
        r = _cli("articles", "--db", db)
        one_line_error(r.stdout, r.stderr, r.returncode, db, "read-only", "schema version 3")


# --- 3. the API: no 500 for paging out of range or hostile bodies ----------------------------------------
@pytest.fixture(scope="module")
def api(tmp_path_factory, databases):
    db = built(databases.new("api"), FIRST, SECOND)
    with Store(db) as s:
        sid = s.stories()[0]["id"]
    return TestClient(create_app(db, allow_ingest=True, token=TOKEN)), sid, db


BAD_PAGING = ["offset=9223372036854775808", "offset=18446744073709551616", "offset=-1", "offset=" + "9" * 5000,
              "limit=-1", "limit=0", "limit=9223372036854775808", "limit=" + "9" * 5000, "offset=1e3", "limit=x"]


def test_out_of_range_paging_is_422_on_every_list(api):
    client, sid, _ = api
    lists = ["/api/stories", "/api/articles", "/api/entities", "/api/quotes", "/api/search?q=strike",
             f"/api/stories/{sid}/events", f"/api/stories/{sid}", "/", "/?q=strike", f"/stories/{sid}"]
    for url in lists:
        for bad in BAD_PAGING:
            if bad.startswith("limit") and not url.startswith("/api/"):
                continue  # the pages take no limit
            r = client.get(url + ("&" if "?" in url else "?") + bad)
            assert r.status_code == 422, (url, bad[:40], r.status_code)
        r = client.get(url + ("&" if "?" in url else "?") + f"offset={1 << 62}")
        assert r.status_code == 200, url
    r = client.get("/?soffset=9223372036854775808")
    assert r.status_code == 422
    far = client.get(f"/api/articles?offset={1 << 62}").json()
    assert far["items"] == [] and far["total"] == 2


@pytest.mark.parametrize("body", [
    b"[" * 100_000,
    b'{"a":' * 100_000,
    b'{"articles": [{"text": "deep", "authors": ' + b"[" * 5000 + b"]" * 5000 + b"}]}",
    b'{"articles": [{"text": "deep", "meta": ' + b'{"a": ' * 40 + b"1" + b"}" * 40 + b"}]}",
])
def test_deeply_nested_json_ingest_is_a_one_line_400(api, body):
    client, _, db = api
    before = state(db)
    r = client.post("/api/ingest", content=body,
                    headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"})
    assert r.status_code == 400, r.text[:200]
    assert "\n" not in r.json()["detail"] and "nested" in r.json()["detail"]
    assert state(db) == before


def test_upload_names_are_plain_and_never_sql_or_shell(api):
    """A file name full of SQL and shell is stored under a plain name inside the upload folder."""
    client, _, db = api
    before = state(db)[0]["articles"]
    name = "x'; DROP TABLE articles; -- $(touch pwned) `id` |rm -rf ~.txt"
    files = {"files": (name, b"Bridge reopens\n\nThe old bridge reopened on Friday after repairs that took two"
                             b" years, the mayor said.\n")}
    r = client.post("/api/ingest", files=files, headers={"Authorization": f"Bearer {TOKEN}"})
    assert r.status_code == 200, r.text
    stored = r.json()["files"][0]
    assert set(stored) <= set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
    assert not Path("pwned").exists()
    with Store(db) as s:
        assert s.counts()["articles"] == before + 1
        assert f"upload/{stored}" in {d.source for d in s.documents()}
