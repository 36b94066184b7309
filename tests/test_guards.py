"""The guards `make test` runs first fail when broken: ruff, mypy (baseline and strict modules), the evaluation gate, the README check."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def _tool(name: str) -> str:
    exe = BIN / name
    if not exe.exists():
        pytest.skip(f"{name} is not installed in this environment (the dev extra pins it)")
    return str(exe)


def _project(tmp_path: Path, files: dict[str, str]) -> Path:
    """A copy of the project's tool settings (pyproject.toml) beside a small package holding `files`."""
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    pkg = tmp_path / "src" / "storyline"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    for name, text in files.items():
        (pkg / name).parent.mkdir(parents=True, exist_ok=True)
        (pkg / name).write_text(text)
    return tmp_path


def test_ruff_fails_on_a_planted_error_and_passes_clean_code(tmp_path):
    ruff = _tool("ruff")
    proj = _project(tmp_path, {"bad.py": "import os\n\nl = 1\n", "good.py": "import os\n\nprint(os.sep)\n"})
    bad = subprocess.run([ruff, "check", "--no-cache", "src/storyline/bad.py"], cwd=proj, capture_output=True,
                         text=True)
    assert bad.returncode == 1
    assert "F401" in bad.stdout and "E741" in bad.stdout
    good = subprocess.run([ruff, "check", "--no-cache", "src/storyline/good.py"], cwd=proj, capture_output=True,
                          text=True)
    assert good.returncode == 0, good.stdout


def test_mypy_fails_on_a_planted_type_error(tmp_path):
    mypy = _tool("mypy")
    proj = _project(tmp_path, {"bad.py": "def f(x: int) -> str:\n    return x\n"})
    r = subprocess.run([mypy, "--no-incremental", "--cache-dir", str(tmp_path / "cache")], cwd=proj,
                       capture_output=True, text=True)
    assert r.returncode == 1, r.stdout
    assert "bad.py:2: error" in r.stdout and "[return-value]" in r.stdout
    (proj / "src" / "storyline" / "bad.py").write_text("def f(x: int) -> str:\n    return str(x)\n")
    r = subprocess.run([mypy, "--no-incremental", "--cache-dir", str(tmp_path / "cache")], cwd=proj,
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout


def test_mypy_holds_the_strict_modules_to_strict(tmp_path):
    """An unannotated function passes the baseline but fails in a module listed as strict (datewords)."""
    mypy = _tool("mypy")
    untyped = "def f(x):\n    return x\n"
    proj = _project(tmp_path, {"loose.py": untyped, "datewords.py": untyped})
    r = subprocess.run([mypy, "--no-incremental", "--cache-dir", str(tmp_path / "cache")], cwd=proj,
                       capture_output=True, text=True)
    assert r.returncode == 1
    assert "datewords.py:1: error" in r.stdout and "[no-untyped-def]" in r.stdout
    assert "loose.py" not in r.stdout


def test_gate_fails_a_figure_under_its_floor(capsys, monkeypatch, tmp_path):
    gate = _load("bench_gate", ROOT / "bench" / "gate.py")
    assert gate.FLOORS and all(f.floor < f.measured for f in gate.FLOORS)  # each floor just under its figure
    assert gate.passes(0.80, 0.79) and gate.passes(0.79, 0.79) and not gate.passes(0.78, 0.79)
    # a capability whose figure dropped under the floor: the gate prints FAIL and exits 1
    monkeypatch.setattr(gate, "SHARED_BENCH", tmp_path)
    floor = next(f for f in gate.FLOORS if f.capability == "temporal")
    monkeypatch.setitem(gate.CHECKS, "temporal", lambda: {floor.metric: floor.floor - 0.01})
    monkeypatch.setattr(sys, "argv", ["gate.py", "--only", "temporal"])
    assert gate.main() == 1
    out = capsys.readouterr().out
    assert "FAIL" in out and "1 check(s) below the floor" in out
    monkeypatch.setitem(gate.CHECKS, "temporal", lambda: {floor.metric: floor.measured})
    assert gate.main() == 0
    # a check that raises fails too
    monkeypatch.setitem(gate.CHECKS, "temporal", lambda: 1 / 0)
    assert gate.main() == 1
    assert "ZeroDivisionError" in capsys.readouterr().out


def test_gate_skips_without_shared(capsys, monkeypatch, tmp_path):
    gate = _load("bench_gate", ROOT / "bench" / "gate.py")
    monkeypatch.setattr(gate, "SHARED_BENCH", tmp_path / "absent")
    monkeypatch.setattr(sys, "argv", ["gate.py"])
    assert gate.main() == 0
    assert "skipped" in capsys.readouterr().out


def test_readme_check_fails_when_the_output_is_stale(tmp_path, monkeypatch):
    """cog --check, as `make test` runs it, on a README whose block no longer matches what the code writes."""
    pytest.importorskip("cogapp")
    from cogapp import Cog

    readme = _load("readme_guard", ROOT / "scripts" / "readme.py")
    (tmp_path / "helper.py").write_text("import cog\n\ndef block():\n    cog.outl('quotes 58')\n")
    doc = tmp_path / "README.md"
    cmd = ["cog", "--check", "-I", str(tmp_path), "-p", "from helper import block", str(doc)]
    doc.write_text("<!-- [[[cog block() ]]] -->\nquotes 58\n<!-- [[[end]]] -->\n")
    assert Cog().main(cmd) == 0
    doc.write_text("<!-- [[[cog block() ]]] -->\nquotes 56\n<!-- [[[end]]] -->\n")
    assert Cog().main(cmd) != 0
    # and the README's own helper cuts long output as the README shows it
    monkeypatch.setattr(readme, "_run", lambda args: "a  \nb\nc\nd\ne\n")
    monkeypatch.setattr(readme, "_work", tmp_path)
    (tmp_path / "seeds.db").write_text("")
    assert readme.output("storyline articles --db seeds.db", head=1, tail=1) == "$ storyline articles --db seeds.db\na\n…\ne"
    assert readme.output("storyline articles --db seeds.db") == "$ storyline articles --db seeds.db\na\nb\nc\nd\ne"


def test_readme_skips_without_seeds(capsys, monkeypatch, tmp_path):
    readme = _load("readme_guard", ROOT / "scripts" / "readme.py")
    monkeypatch.setattr(readme, "SEEDS", tmp_path / "absent")
    monkeypatch.setattr(sys, "argv", ["readme.py", "--check"])
    assert readme.main() == 0
    assert "check skipped" in capsys.readouterr().out
