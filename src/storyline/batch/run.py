"""`storyline batch`: stream the input into partitions, run them on an engine with backpressure, skip finished ones, then the shuffles."""

from __future__ import annotations

import functools
import json
import os
import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from storyline.batch import crossdoc, entities, stories
from storyline.batch.engines import Engine
from storyline.batch.partition import DEFAULT_PART_MB, DEFAULT_UNITS, part_name, plan, process, written
from storyline.model import ReadProblem

FORMAT = "storyline-batch/1"
MANIFEST = "_batch.json"


class BatchError(Exception):
    """The output folder cannot be used (another batch's output, not a folder, …)."""


@dataclass
class BatchReport:
    partitions: int = 0
    skipped: int = 0  # finished by an earlier run
    documents: int = 0
    articles: int = 0
    problems: list[ReadProblem] = field(default_factory=list)
    tasks: list[dict[str, Any]] = field(default_factory=list)  # per-partition stats of this run
    duplicates: int = 0
    shared_passages: int = 0
    entities: int = 0  # canonical entities, and stories, found by the batch's own steps (annotated batches)
    stories: int = 0


ProgressFn = Callable[[str, Any], None]


def run_batch(paths: Iterable[str | Path], out: str | Path, engine: Engine, max_bytes: int,
              units: int = DEFAULT_UNITS, part_mb: float = DEFAULT_PART_MB, annotate: bool = True,
              progress: ProgressFn | None = None, in_flight: int | None = None) -> BatchReport:
    """Process every partition not yet finished under `out`, then the cross-article steps.

    At most `in_flight` partitions (2 per worker by default) are submitted and not yet done: reading
    the input waits for the engine (backpressure), so memory stays bounded whatever the input size."""
    out = Path(out)
    paths = [str(p) for p in paths]
    _claim(out, paths, annotate)
    limit = in_flight or 2 * max(1, engine.workers)
    report = BatchReport()
    pending: list[Any] = []

    def drain(keep: int) -> None:
        while len(pending) > keep:
            try:
                handle, stats = next(iter(engine.as_completed(pending)))
            except Exception as e:  # noqa: BLE001 - the engine gave up on a task (its retries spent, workers lost)
                raise BatchError(f"a partition failed on {engine.name} after retries ({type(e).__name__}: "
                                 f"{' '.join(str(e).split())[:200]}); finished partitions are kept: run the same "
                                 "command again to retry the rest") from e
            pending.remove(handle)
            report.tasks.append(stats)
            report.documents += stats["documents"]
            report.articles += stats["articles"]
            if progress:
                progress("partition", stats)

    for item in plan(paths, max_bytes, units, part_mb):
        if isinstance(item, ReadProblem):
            report.problems.append(item)
            continue
        report.partitions += 1
        done = written(out, item)
        if done is not None and (done.get("annotated") or not annotate):
            report.skipped += 1
            if progress:
                progress("skipped", item)
            continue
        pending.append(engine.submit(process, item, str(out), max_bytes, annotate,
                                     key=f"storyline-{item.name}-{item.key[:12]}"))
        drain(limit - 1)
    drain(0)
    for stale in out.glob("part=*"):  # partitions past the end of an input that shrank since an earlier run
        if int(stale.name.split("=", 1)[1]) >= report.partitions:
            shutil.rmtree(stale)
    _write_json(out / "problems.json", [{"source": p.source, "message": p.message} for p in report.problems])
    if progress:
        progress("cross-article", None)
    parts = [out / part_name(n) for n in range(report.partitions)]
    try:
        report.duplicates, report.shared_passages = crossdoc.run(engine, out, parts)
        if annotate:  # entities and stories need the mentions; an unannotated batch gets them at load
            report.entities = entities.run(engine, out, parts)
            report.stories = stories.run(engine, out, parts, functools.partial(entities.article_entities, out),
                                         crossdoc.read_duplicates(out) or {})
    except Exception as e:  # noqa: BLE001 - as for a partition: one line, and the partitions stay
        raise BatchError(f"the cross-article step failed on {engine.name} ({type(e).__name__}: "
                         f"{' '.join(str(e).split())[:200]}); run the same command again to retry it") from e
    _write_json(out / MANIFEST, {"format": FORMAT, "inputs": paths, "annotated": annotate,
                                 "partitions": report.partitions, "complete": True})
    return report


def _claim(out: Path, paths: list[str], annotate: bool) -> None:
    """Make `out` this batch's folder: new, empty, or the output of a batch over the same inputs."""
    if out.exists() and not out.is_dir():
        raise BatchError(f"{out}: exists and is not a folder; choose another --out")
    manifest = out / MANIFEST
    if manifest.exists():
        try:
            m = json.loads(manifest.read_text())
        except ValueError:
            m = {}
        if m.get("format") != FORMAT:
            raise BatchError(f"{out}: {MANIFEST} is not a storyline batch manifest; choose another --out")
        if m.get("inputs") != paths:
            raise BatchError(f"{out}: holds a batch of other inputs ({', '.join(m.get('inputs', []))}); "
                             "choose another --out")
    elif out.exists() and any(p for p in out.iterdir() if not p.name.startswith((".", "part="))):
        raise BatchError(f"{out}: folder is not empty and holds no storyline batch; choose another --out")
    out.mkdir(parents=True, exist_ok=True)
    _write_json(manifest, {"format": FORMAT, "inputs": paths, "annotated": annotate, "complete": False})


def _write_json(path: Path, value: Any) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(value, indent=1))
    os.replace(tmp, path)
