"""Input as a stream of raw units (a file, a JSON Lines line, a WARC record) for the batch: bounded memory, read into Documents later."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from storyline.model import Document, ReadProblem

from . import _walk, not_regular, read_file, unreadable_entry
from .detect import GZIP_MAGIC, kind_from_name
from .jsonl import read_line
from .warc import RawRecord, document_from_record, stream_warc


@dataclass(frozen=True)
class Unit:
    """One piece of input a worker turns into Documents.

    kind "file": the worker reads `path` itself (a shared filesystem); "jsonl": `data` is one line,
    `number` its line number; "warc": `record` is an HTML response record's payload and headers.
    """

    kind: str
    source: str
    path: str | None = None
    data: bytes | None = None
    number: int = 0
    record: RawRecord | None = None
    size: int = 0

    def fingerprint(self) -> str:
        """What identifies this unit's content, for checking that a finished partition still matches the input."""
        if self.kind == "file":
            st = Path(self.path).stat() if self.path and Path(self.path).exists() else None
            return f"file:{self.source}:{st.st_size if st else -1}:{st.st_mtime_ns if st else -1}"
        body = self.data if self.kind == "jsonl" else self.record.payload
        return f"{self.kind}:{self.source}:{hashlib.sha256(body).hexdigest()}"


def units(paths: Iterable[str | Path], max_bytes: int) -> Iterator[Unit | ReadProblem]:
    """Units (and problems) under `paths`, in the order `ingest.read_paths` reads them.

    JSON Lines and WARC files are streamed record by record whatever their size (each record is
    still bounded by `max_bytes`); any other file is one unit its worker reads whole."""
    for path in map(Path, paths):
        if path.is_dir():
            name = path.resolve().name or str(path)
            any_file = False
            for found in _walk(path, name):
                if isinstance(found, ReadProblem):
                    yield found
                    continue
                any_file = True
                yield from _file_units(*found, max_bytes)
            if not any_file:
                yield ReadProblem(name, "no readable files in folder — nothing was read from it")
        elif path.exists():
            yield from _file_units(path, path.name, max_bytes)
        else:
            yield ReadProblem(str(path), unreadable_entry(path) or "no such file or directory")


def _file_units(path: Path, source: str, max_bytes: int) -> Iterator[Unit | ReadProblem]:
    try:
        problem = not_regular(path.stat().st_mode)
    except OSError:
        problem = None  # the worker's read_file reports why
    if problem:  # a pipe or a device: opening it to look at its head could block
        yield ReadProblem(source, problem)
        return
    kind = kind_from_name(path.name)
    try:
        with open(path, "rb") as f:
            head = f.read(2)
    except OSError:
        head = b""  # the worker's read_file reports why
    if kind == "warc":
        for item in stream_warc(path, source, max_bytes):
            if isinstance(item, ReadProblem):
                yield item
            else:
                yield Unit("warc", item.where, record=item, size=len(item.payload))
    elif kind == "jsonl" and head and not head.startswith(GZIP_MAGIC):
        with open(path, "rb") as f:
            for number, line in enumerate(f, start=1):
                line = line.rstrip(b"\n").rstrip(b"\r")
                if line.strip():
                    yield Unit("jsonl", f"{source}#L{number}", data=line, number=number, size=len(line))
    else:
        try:
            size = path.stat().st_size
        except OSError:
            size = 0
        yield Unit("file", source, path=str(path), size=size)


def read_unit(unit: Unit, max_bytes: int) -> list[Document | ReadProblem]:
    """The Documents (and problems) of one unit: what `ingest.read_paths` gives for the same input."""
    if unit.kind == "file":
        return list(read_file(Path(unit.path), unit.source, max_bytes))
    if unit.kind == "jsonl":
        return [read_line(unit.data, unit.source, unit.number, max_bytes)]
    return [document_from_record(unit.record)]
