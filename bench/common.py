"""Shared by the benchmarks: where ../shared/bench is, and a child-process runner that reports peak memory."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED_BENCH = ROOT.parent / "shared" / "bench"
WORK = ROOT / "bench" / "_work"


def require(path: Path) -> Path:
    if not path.exists():
        sys.exit(f"{path}: not found; the benchmarks read ../shared/bench beside the project")
    return path


def run_child(script: Path, *args: str) -> dict:
    """Run `script ARGS` in a fresh interpreter; it prints one JSON object as its last line."""
    proc = subprocess.run([sys.executable, str(script), *args], capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        sys.exit(f"{script.name} {' '.join(args)} failed:\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def one_to_one(cands: list[list[int]]) -> list[int | None]:
    """A maximum one-to-one matching (augmenting paths): `cands[g]` lists the partners gold item g may take,
    best first; the result gives each gold item its partner's index, or None."""
    owner: dict[int, int] = {}  # partner index -> gold index

    def augment(g: int, seen: set[int]) -> bool:
        for j in cands[g]:
            if j in seen:
                continue
            seen.add(j)
            if j not in owner or augment(owner[j], seen):
                owner[j] = g
                return True
        return False

    for g in range(len(cands)):
        if cands[g]:
            augment(g, set())
    out: list[int | None] = [None] * len(cands)
    for j, g in owner.items():
        out[g] = j
    return out


def doc_offset(text_map: list, p: int) -> int | None:
    """Where offset `p` of a stored article's text sits in its document (`Article.text_map` runs of
    [text start, document start, length]); None when `p` is in no run (text the cleaner added)."""
    for t0, d0, n in text_map:
        if t0 <= p < t0 + n:
            return d0 + p - t0
    return None
