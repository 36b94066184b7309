"""Which reader a file needs, from its name and its first bytes; gzip unwrapped on the way."""

from __future__ import annotations

import json
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

from storyline.model import Document, ReadProblem

from .common import Reader, format_size, over_limit
from .feed import looks_like_feed, read_feed
from .html import read_html
from .jsonl import read_jsonl
from .text import SNIFF_BYTES, binary_kind, read_text
from .warc import read_warc

GZIP_MAGIC = b"\x1f\x8b"
WARC_MAGIC = b"WARC/"

EXTENSIONS: dict[str, str] = {
    ".txt": "txt", ".text": "txt", ".md": "txt",
    ".html": "html", ".htm": "html", ".xhtml": "html", ".shtml": "html",
    ".warc": "warc",
    ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json",
    ".xml": "feed", ".rss": "feed", ".atom": "feed",
}  # fmt: skip

READERS: dict[str, Reader] = {
    "txt": read_text,
    "html": read_html,
    "warc": read_warc,
    "jsonl": read_jsonl,
    "feed": read_feed,
}

_HTML_START = re.compile(rb"^\s*(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body)[\s>]", re.IGNORECASE | re.DOTALL)


def kind_from_name(name: str) -> str | None:
    """The kind an extension names ('.html.gz' counts as '.html'), None if unknown."""
    lower = name.lower().removesuffix(".gz")
    dot = lower.rfind(".")
    return EXTENSIONS.get(lower[dot:]) if dot > 0 else None


def sniff_kind(data: bytes) -> str:
    """The kind the first bytes suggest for a text file: feed, html, jsonl, else txt."""
    head = data[:4096].lstrip(b"\xef\xbb\xbf")
    if looks_like_feed(head):
        return "feed"
    if _HTML_START.match(head) or b"<html" in head[:1024].lower():
        return "html"
    if _first_line_is_object(data):
        return "jsonl"
    return "txt"


def _first_line_is_object(data: bytes) -> bool:
    first = data.lstrip()[:65536].split(b"\n", 1)[0].strip()
    if not first.startswith(b"{"):
        return False
    try:
        return isinstance(json.loads(first), dict)
    except (ValueError, UnicodeDecodeError):
        return False


def read_bytes(data: bytes, name: str, source: str, max_bytes: int) -> Iterator[Document | ReadProblem]:
    """Read one file's bytes with the reader its name and content call for."""
    if not data:
        yield ReadProblem(source, "empty file")
    elif data.startswith(GZIP_MAGIC):
        yield from _read_gzip(data, name, source, max_bytes)
    elif data.startswith(WARC_MAGIC) or kind_from_name(name) == "warc":
        yield from read_warc(data, source, max_bytes)
    else:
        yield from _read_plain(data, name, source, max_bytes)


def _read_plain(data: bytes, name: str, source: str, max_bytes: int) -> Iterator[Document | ReadProblem]:
    named = kind_from_name(name)
    jsonl = named in ("jsonl", "json") or (b"\x00" in data[:SNIFF_BYTES] and _first_line_is_object(data))
    binary = binary_kind(data, lines=jsonl)
    if binary:
        yield ReadProblem(source, f"binary file ({binary}), not text — skipped")
        return
    sniffed = sniff_kind(data)
    kind = named or sniffed
    if named == "feed" and sniffed != "feed":
        kind = "html" if sniffed == "html" else ""
        if not kind:
            yield ReadProblem(source, "XML file is not an RSS or Atom feed — skipped")
            return
    if named == "json":
        kind = "jsonl" if sniffed == "jsonl" else ""
        if not kind:
            yield ReadProblem(source, "JSON file is not JSON Lines (one article object a line) — skipped")
            return
    yield from READERS[kind](data, source, max_bytes)


def _read_gzip(data: bytes, name: str, source: str, max_bytes: int) -> Iterator[Document | ReadProblem]:
    """warcio reads gzipped WARCs itself; anything else is unpacked (bounded) and read as its inner kind."""
    if kind_from_name(name) == "warc":
        yield from read_warc(data, source, max_bytes)
        return
    unpacked = gunzip(data, max_bytes)
    if unpacked.over_limit:
        yield ReadProblem(source, over_limit("decompressed content", None, max_bytes))
        return
    inner = unpacked.data
    if inner.startswith(WARC_MAGIC):
        yield from read_warc(data, source, max_bytes)
        return
    if unpacked.error:
        read = format_size(len(inner))
        yield ReadProblem(source, f"truncated gzip: read {read} before the error: {unpacked.error}")
    if inner.startswith(GZIP_MAGIC):
        yield ReadProblem(source, "binary file (gzip inside gzip), not text — skipped")
    elif inner or not unpacked.error:
        yield from read_bytes(inner, name.removesuffix(".gz").removesuffix(".GZ"), source, max_bytes)


@dataclass
class Gunzipped:
    data: bytes
    error: str | None = None  # set when the stream is cut short or corrupt; `data` is what came before
    over_limit: bool = False


def gunzip(data: bytes, max_bytes: int) -> Gunzipped:
    """Decompress all gzip members of `data`, stopping at max_bytes of output."""
    out = bytearray()
    rest = data
    while rest.startswith(GZIP_MAGIC):
        stream = zlib.decompressobj(wbits=31)
        try:
            out += stream.decompress(rest, max_bytes + 1 - len(out))
        except zlib.error as err:
            return Gunzipped(bytes(out), f"corrupt gzip data ({err})")
        if len(out) > max_bytes:
            return Gunzipped(b"", over_limit=True)
        if not stream.eof:
            return Gunzipped(bytes(out), "the file ends in the middle of the compressed stream")
        rest = stream.unused_data
    return Gunzipped(bytes(out))
