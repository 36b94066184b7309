"""The README's command output, regenerated from the real CLI on ../shared/seeds by cog, and checked.

In README.md a block of command output is written by a cog line above it, e.g.

    <!-- [[[cog console("storyline articles --db seeds.db") ]]] -->
    ```console  …what the command printed…  ```
    <!-- [[[end]]] -->

`console` runs each command (`storyline` is this checkout's CLI, `../shared/seeds` the seed files beside
the project) in one temporary folder per run, where `seeds.db` is built once, and writes the prompt and
the output, each line's trailing spaces cut, at a fixed terminal width. `head`/`tail` keep the first or
last lines of a long output and mark the cut with "…".

    python scripts/readme.py          # rewrite README.md's blocks
    python scripts/readme.py --check  # fail (exit 1, with a diff) when README.md is stale (make test)

Both skip, with a message, when ../shared/seeds is not beside the project.
"""

from __future__ import annotations

import atexit
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT.parent / "shared" / "seeds"
WIDTH = 100  # the terminal width every command sees (rich wraps and truncates to it)
_work: Path | None = None


def _run(args: list[str]) -> str:
    env = {**os.environ, "COLUMNS": str(WIDTH), "LINES": "50", "PYTHONPATH": str(ROOT / "src"),
           "NO_COLOR": "1", "TERM": "dumb"}
    args = [str(SEEDS) if a == "../shared/seeds" else a for a in args]
    proc = subprocess.run([sys.executable, "-m", "storyline.cli", *args], cwd=_workdir(), env=env,
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"storyline {shlex.join(args)} exited {proc.returncode}:\n{proc.stderr[-2000:]}")
    return proc.stdout


def _workdir() -> Path:
    global _work
    if _work is None:
        _work = Path(tempfile.mkdtemp(prefix="storyline-readme-"))
        atexit.register(shutil.rmtree, _work, True)
    return _work


def output(command: str, head: int | None = None, tail: int | None = None) -> str:
    """`$ command` and what it printed (stdout), cut to its first `head` and/or last `tail` lines."""
    args = shlex.split(command)
    if args[0] != "storyline":
        raise ValueError(f"not a storyline command: {command}")
    if args[1] != "build" and not (_workdir() / "seeds.db").exists():
        _run(["build", "../shared/seeds", "--db", "seeds.db"])
    lines = [ln.rstrip() for ln in _run(args[1:]).splitlines()]
    if head is not None or tail is not None:
        first = lines[:head] if head else []
        last = lines[len(lines) - tail:] if tail else []
        if len(first) + len(last) < len(lines):
            lines = [*first, "…", *last]
    return "\n".join([f"$ {command}", *lines])


def console(*commands: str | tuple[str, dict[str, int]]) -> None:
    """Write a ```console block with each command and its output (a command may come with head=/tail=)."""
    import cog  # only inside a cog run

    parts = [output(c) if isinstance(c, str) else output(c[0], **c[1]) for c in commands]
    cog.outl("```console\n" + "\n".join(parts) + "\n```")


def main() -> int:
    check = "--check" in sys.argv[1:]
    if not SEEDS.exists():
        print(f"{SEEDS}: not found; the README's command output is made from it — "
              + ("check skipped" if check else "nothing rewritten"))
        return 0
    from cogapp import Cog

    opts = ["--check", "--diff", "--check-fail-msg=run: python scripts/readme.py"] if check else ["-r"]
    return Cog().main(["cog", *opts, "-I", str(ROOT / "scripts"), "-p", "from readme import console",
                       str(ROOT / "README.md")])


if __name__ == "__main__":
    sys.exit(main())
