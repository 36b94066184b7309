"""Web archives (.warc, .warc.gz) via warcio: each successful HTML response record becomes a Document."""

from __future__ import annotations

import io
import re
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import StatusAndHeadersParserException

from storyline.model import Document, ReadProblem

from .common import make_document, over_limit, short_reason
from .html import decode_html, extract_html
from .text import codec_name

_CHARSET = re.compile(r"""charset\s*=\s*["']?([\w.:-]+)""", re.IGNORECASE)
_HTML_TYPES = ("text/html", "application/xhtml+xml")


class Truncated(Exception):
    """The archive ends inside a record."""


def read_warc(data: bytes, source: str, max_bytes: int) -> Iterator[Document | ReadProblem]:
    """HTML response records of a WARC file; records read before a truncation still come back."""
    return _records(io.BytesIO(data), source, max_bytes, read_record)


def stream_warc(path: str | Path, source: str, max_bytes: int) -> Iterator[RawRecord | ReadProblem]:
    """The HTML response records of a WARC file of any size, read as a stream (one record in memory at a
    time) and left undecoded: the batch sends them to workers, which call `document_from_record`."""
    with open(path, "rb") as stream:
        yield from _records(stream, source, max_bytes, record_payload)


def _records(stream: BinaryIO, source: str, max_bytes: int, convert: Callable) -> Iterator:
    archive = ArchiveIterator(stream)
    found = read = index = 0
    try:
        for index, record in enumerate(archive, start=1):
            if record.format != "warc":
                raise ArchiveLoadFailed("the first record is not a WARC/1.x record")
            item = convert(record, source, index, max_bytes) if is_html_response(record) else None
            check_complete(archive, record)
            if item is not None:
                found += 1
                read += not isinstance(item, ReadProblem)
                yield item
        stream.seek(archive.offset)
        if _blank_rest(stream) is False:  # warcio stops quietly at a record cut short
            raise Truncated(f"the file ends inside a record at byte {archive.offset}")
    except Exception as err:  # noqa: BLE001 - warcio raises many kinds on broken input; all mean "cut short" or "not a WARC"
        if index <= 1 and isinstance(err, ArchiveLoadFailed):
            yield ReadProblem(source, f"not a WARC file ({short_reason(err)}) — skipped")
            return
        records = f"{read} record" + ("" if read == 1 else "s")
        yield ReadProblem(source, f"truncated gzip/WARC: read {records} before the error: {_reason(err)}")
        return
    if not index:
        yield ReadProblem(source, "not a WARC file: no WARC records found — skipped")
    elif not found:
        yield ReadProblem(source, "WARC has no HTML response records — nothing to read")


def _blank_rest(stream: BinaryIO) -> bool:
    """Whether nothing but white space follows in the stream (read in chunks)."""
    while chunk := stream.read(1 << 16):
        if chunk.strip():
            return False
    return True


def _reason(err: Exception) -> str:
    if isinstance(err, (Truncated, ArchiveLoadFailed, EOFError, zlib.error, StatusAndHeadersParserException)):
        return short_reason(err)
    return f"malformed record ({type(err).__name__})"


def check_complete(archive: ArchiveIterator, record: ArcWarcRecord) -> None:
    """Raise Truncated when the record's block is shorter than its Content-Length says."""
    archive.read_to_end()
    if getattr(record.raw_stream, "limit", 0) > 0:
        raise Truncated(f"record at byte {archive.get_record_offset()} is cut short")


def is_html_response(record: ArcWarcRecord) -> bool:
    """A 2xx HTTP response whose Content-Type is HTML."""
    if record.rec_type != "response" or record.http_headers is None:
        return False
    status = record.http_headers.get_statuscode() or ""
    content_type = (record.http_headers.get_header("Content-Type") or "").lower()
    return status.startswith("2") and any(kind in content_type for kind in _HTML_TYPES)


def read_record(record: ArcWarcRecord, source: str, index: int, max_bytes: int) -> Document | ReadProblem:
    """One HTML response record: HTTP headers stripped, charset from the header or the page."""
    raw = record_payload(record, source, index, max_bytes)
    return raw if isinstance(raw, ReadProblem) else document_from_record(raw)


@dataclass(frozen=True)
class RawRecord:
    """An HTML response record's payload and the headers its Document needs (what a batch worker is sent)."""

    where: str
    payload: bytes
    url: str | None
    capture_date: str | None
    charset: str | None


def record_payload(record: ArcWarcRecord, source: str, index: int, max_bytes: int) -> RawRecord | ReadProblem:
    """The payload of an HTML response record (bounded by `max_bytes`), not yet decoded or extracted."""
    record_id = (record.rec_headers.get_header("WARC-Record-ID") or "").strip("<>") or str(index)
    where = f"{source}#{record_id}"
    length = _content_length(record)
    if length > max_bytes:
        return ReadProblem(where, over_limit("WARC record", length, max_bytes) + " — record skipped")
    payload = record.content_stream().read(max_bytes + 1)
    if len(payload) > max_bytes:
        return ReadProblem(where, over_limit("decoded WARC record", None, max_bytes) + " — record skipped")
    return RawRecord(where, payload, record.rec_headers.get_header("WARC-Target-URI"),
                     record.rec_headers.get_header("WARC-Date"), header_charset(record))


def document_from_record(raw: RawRecord) -> Document | ReadProblem:
    """Decode and extract a record's HTML into a Document."""
    html, encoding = decode_html(raw.payload, raw.charset)
    text, meta = extract_html(html, raw.url, max_date=raw.capture_date)
    meta.url, meta.capture_date = raw.url or meta.url, raw.capture_date
    return make_document(raw.where, raw.payload, "warc", text, meta, encoding, empty="HTML has no extractable text — skipped")


def header_charset(record: ArcWarcRecord) -> str | None:
    content_type = record.http_headers.get_header("Content-Type") or ""
    match = _CHARSET.search(content_type)
    return codec_name(match.group(1)) if match else None


def _content_length(record: ArcWarcRecord) -> int:
    value = record.rec_headers.get_header("Content-Length") or ""
    return int(value) if value.strip().isdigit() else 0
