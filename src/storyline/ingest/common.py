"""Helpers shared by the readers: building a Document (or a problem when it has no text), sizes."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator

from storyline.model import DocMeta, Document, ReadProblem

Item = Document | ReadProblem
Reader = Callable[[bytes, str, int], Iterator[Item]]


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def make_document(
    source: str,
    raw: bytes,
    kind: str,
    text: str,
    meta: DocMeta,
    encoding: str | None,
    *,
    empty: str,
) -> Item:
    """A Document for `text`, or a ReadProblem with message `empty` when it has no text."""
    if not text.strip():
        return ReadProblem(source, empty)
    return Document(source=source, sha256=sha256_bytes(raw), kind=kind, text=text, meta=meta, encoding=encoding)


def format_size(n: int) -> str:
    """A size for people: '812 bytes', '3.4 KB', '61.2 MB' (binary units)."""
    if n < 1024:
        return f"{n} bytes"
    value, unit = n / 1024, "KB"
    for bigger in ("MB", "GB"):
        if value < 1024:
            break
        value, unit = value / 1024, bigger
    return f"{value:.1f}".removesuffix(".0") + f" {unit}"


def over_limit(what: str, size: int | None, max_bytes: int) -> str:
    """'file is 61.2 MB, over the 50 MB limit (…)'; without a size: 'file is over the 50 MB limit (…)'."""
    limit = f"the {format_size(max_bytes)} limit (raise it with --max-mb)"
    return f"{what} is {format_size(size)}, over {limit}" if size is not None else f"{what} is over {limit}"


def short_reason(err: BaseException, limit: int = 160) -> str:
    """One line naming an exception, for a problem message."""
    text = " ".join(str(err).split()) or type(err).__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"
