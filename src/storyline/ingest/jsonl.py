"""JSON Lines: one article object a line ("text" or "html", optional title, url, published, outlet, authors)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from storyline.model import DocMeta, Document, ReadProblem

from .common import make_document, over_limit, short_reason
from .html import extract_html, split_authors
from .text import decode_bytes, normalize_text


def read_jsonl(data: bytes, source: str, max_bytes: int) -> Iterator[Document | ReadProblem]:
    """One Document per good line; a bad line is a problem and the others still come back."""
    for number, line in enumerate(data.split(b"\n"), start=1):
        if line.strip():
            where = f"{source}#L{number}"
            try:
                yield read_line(line.rstrip(b"\r"), where, number, max_bytes)
            except Exception as err:  # noqa: BLE001 - one line's failure must not lose the lines after it
                yield ReadProblem(where, f"line {number}: could not read ({type(err).__name__}: {short_reason(err)})"
                                         " — line skipped")


def read_line(line: bytes, source: str, number: int, max_bytes: int) -> Document | ReadProblem:
    if len(line) > max_bytes:
        return ReadProblem(source, over_limit(f"line {number}", len(line), max_bytes) + " — line skipped")
    raw_text, encoding = decode_bytes(line)
    try:
        record = json.loads(raw_text)
    except json.JSONDecodeError as err:
        return ReadProblem(source, f"line {number}: invalid JSON ({err.msg}) — line skipped")
    except RecursionError:
        return ReadProblem(source, f"line {number}: JSON nested too deeply to read — line skipped")
    if not isinstance(record, dict):
        return ReadProblem(source, f"line {number}: not a JSON object — line skipped")
    text, meta = _body(record)
    if text is None:
        return ReadProblem(source, f'line {number}: no "text" or "html" field — line skipped')
    _apply_fields(meta, record)
    return make_document(
        source, line, "jsonl", text, meta, encoding, empty=f"line {number}: article has no text — line skipped"
    )


def _body(record: dict[str, Any]) -> tuple[str | None, DocMeta]:
    """The article text: `text` as given, or `html` through the HTML extractor."""
    if isinstance(record.get("text"), str):
        return normalize_text(record["text"]), DocMeta()
    if isinstance(record.get("html"), str):
        url = record.get("url") if isinstance(record.get("url"), str) else None
        text, meta = extract_html(record["html"], url)
        return text, meta
    return None, DocMeta()


def _apply_fields(meta: DocMeta, record: dict[str, Any]) -> None:
    """Fields the line gives win over what the HTML extractor found."""
    for name in ("title", "url", "outlet", "language"):
        value = _string(record.get(name))
        if value:
            setattr(meta, name, value)
    published = _string(record.get("published", record.get("date")))
    if published:
        meta.published, meta.published_source = published, "jsonl"
    authors = record.get("authors", record.get("author"))
    if isinstance(authors, str):
        authors = [authors]
    if isinstance(authors, list):  # names only: numbers, nulls and objects in the list are not authors
        names = split_authors([a for a in authors if isinstance(a, str)])
        if names:
            meta.authors = names


def _string(value: Any) -> str | None:
    if value is None or isinstance(value, (dict, list, bool)):
        return None
    text = " ".join(str(value).split())
    return text or None
