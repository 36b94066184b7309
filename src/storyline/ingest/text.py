"""Bytes to clean text: binary sniffing, charset decoding, Unicode and line-end normalisation."""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections.abc import Iterator

from charset_normalizer import from_bytes

from storyline.model import DocMeta, Document, ReadProblem
from storyline.settings import CONTROL_RATIO, SNIFF_BYTES

from .common import make_document

# Most used legacy code pages first: breaks charset-normalizer's ties between look-alikes.
COMMON_ENCODINGS = ("cp1252", "latin_1", "cp1251", "koi8_r", "cp1250", "iso8859_2", "iso8859_15")

BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE: it starts with the same two bytes
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"%PDF-", "PDF document"),
    (b"PK\x03\x04", "ZIP archive or Office document"),
    (b"PK\x05\x06", "ZIP archive"),
    (b"\x7fELF", "ELF executable"),
    (b"MZ", "Windows executable"),
    (b"\x1f\x8b", "gzip archive"),
    (b"BZh", "bzip2 archive"),
    (b"\xfd7zXZ\x00", "xz archive"),
    (b"7z\xbc\xaf\x27\x1c", "7-Zip archive"),
    (b"\x28\xb5\x2f\xfd", "zstd archive"),
    (b"Rar!\x1a\x07", "RAR archive"),
    (b"SQLite format 3\x00", "SQLite database"),
    (b"RIFF", "RIFF media file"),
    (b"OggS", "Ogg media file"),
    (b"ID3", "MP3 audio"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "old Microsoft Office document"),
)

# C0 controls except tab and newline (\r, \f, \v are turned into newlines before this runs)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f]")
_NEWLINES = re.compile(r"\r\n?|[\f\v]")
_TEXT_CONTROLS = frozenset(b"\t\n\r\f\v\x1b")


def binary_kind(data: bytes, lines: bool = False) -> str | None:
    """Name the binary format of `data` ("PNG image", "unknown format"), or None if it looks like text.

    `lines`: the file is JSON Lines, where a NUL byte spoils its line only (the line's reader deals with it)."""
    if any(data.startswith(bom) for bom, _ in BOMS):
        return None
    for magic, name in MAGIC:
        if data.startswith(magic) and _magic_is_plausible(magic, data):
            return name
    if data[4:8] == b"ftyp":
        return "MP4/QuickTime media file"
    head = data[:SNIFF_BYTES]
    if b"\x00" in head and not lines:
        return "unknown format, contains NUL bytes"
    controls = sum(1 for b in head if b < 0x20 and b not in _TEXT_CONTROLS)
    if head and controls / len(head) > CONTROL_RATIO:
        return "unknown format, mostly control bytes"
    return None


def _magic_is_plausible(magic: bytes, data: bytes) -> bool:
    """Short magics that a text could start with need a second look."""
    if magic == b"MZ":
        return b"\x00" in data[:64]
    if magic == b"BZh":
        return data[3:4].isdigit() and data[4:10] == b"1AY&SY"
    if magic == b"ID3":
        return len(data) > 3 and data[3] < 0x10
    return True


def normalize_text(text: str) -> str:
    """NFC, '\\n' line ends, no NUL or other control characters except tab and newline."""
    text = _NEWLINES.sub("\n", text)
    text = _CONTROL.sub("", text)
    return unicodedata.normalize("NFC", text)


def decode_bytes(data: bytes, declared: str | None = None, normalise: bool = True) -> tuple[str, str]:
    """Decode `data` to text (normalised unless `normalise=False`); return (text, encoding name).

    Order: byte-order mark, strict UTF-8, the declared charset (strict), UTF-8 with a few
    bad bytes, charset-normalizer's guess, and UTF-8 with replacements as a last resort.
    """
    text, codec = _decode(data, declared)
    return (normalize_text(text) if normalise else text), codec


def _decode(data: bytes, declared: str | None) -> tuple[str, str]:
    for bom, codec in BOMS:
        if data.startswith(bom):
            return data.decode(codec, errors="replace"), codec
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    for attempt in (_decode_declared, _decode_mostly_utf8, _decode_detected):
        result = attempt(data, declared)
        if result is not None:
            return result
    return data.decode("utf-8", errors="replace"), "utf-8 (with replacements)"


def _decode_declared(data: bytes, declared: str | None) -> tuple[str, str] | None:
    codec = codec_name(declared)
    if codec is None or codec == "utf-8":
        return None
    try:
        return data.decode(codec), codec
    except UnicodeDecodeError:
        return None


def _decode_mostly_utf8(data: bytes, declared: str | None) -> tuple[str, str] | None:
    """UTF-8 text with a few broken bytes stays UTF-8 (a guess would garble every good character)."""
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    good = len(text) - len(text.encode("ascii", errors="ignore")) - bad  # non-ASCII characters decoded
    if good >= 4 * bad:
        return text, "utf-8 (with replacements)"
    return None


def _decode_detected(data: bytes, declared: str | None) -> tuple[str, str] | None:
    codec = detect_encoding(data)
    if codec is None:
        return None
    return data.decode(codec, errors="replace"), codec


def detect_encoding(data: bytes) -> str | None:
    """charset-normalizer's guess; on a tie the more common code page wins (cp1252 over cp1250)."""
    matches = list(from_bytes(data))
    if not matches:
        return None
    best = matches[0]
    tied = [m.encoding for m in matches if (m.chaos, m.coherence) == (best.chaos, best.coherence)]
    preferred = [name for name in COMMON_ENCODINGS if name in tied]
    return codec_name(preferred[0] if preferred else best.encoding)


def codec_name(label: str | None) -> str | None:
    """Python's canonical codec name for a charset label, or None if unknown."""
    if not label:
        return None
    try:
        name = codecs.lookup(label.strip().strip("\"'")).name
    except LookupError:
        return None
    return "utf-8" if name == "utf-8-sig" else name


def read_text(data: bytes, source: str, max_bytes: int) -> Iterator[Document | ReadProblem]:
    """A plain-text file: one Document."""
    text, encoding = decode_bytes(data)
    yield make_document(source, data, "txt", text, DocMeta(), encoding, empty="file has only whitespace, no text")
