"""Helpers shared by the readers: building a Document (or a problem when it has no text), sizes."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable, Iterator
from pathlib import PurePath

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
    """A Document for `text`, or a ReadProblem with message `empty` when it has no text. A file that holds one
    page (text or HTML) whose metadata gives no publication date takes a full date its file name writes
    (`date_in_name`), as htmldate takes one from a URL; the text can still overrule it (`published.publication`)."""
    if not text.strip():
        return ReadProblem(source, empty)
    if kind in ("txt", "html") and not meta.published:
        named = date_in_name(source)
        if named:
            meta.published, meta.published_source = named, "file name"
    return Document(source=source, sha256=sha256_bytes(raw), kind=kind, text=text, meta=meta, encoding=encoding)


# a full date in a file name: 2015-11-11, 2015_11_11, 2015.11.11 or 20151111, not inside a longer number
_NAME_DATE = re.compile(r"(?<![0-9])((?:19|20)[0-9]{2})([-_.]?)(0[1-9]|1[0-2])\2(0[1-9]|[12][0-9]|3[01])(?![0-9])")


def date_in_name(source: str) -> str | None:
    """The ISO date a file's name writes in full ('breitbart_2015-11-11_slug.txt' → '2015-11-11'), when there is
    exactly one and it is a real day not after today; None otherwise (folders and '#n' entry numbers ignored)."""
    name = PurePath(source.split("#", 1)[0]).name
    found = set()
    for m in _NAME_DATE.finditer(name):
        try:
            day = dt.date(int(m[1]), int(m[3]), int(m[4]))
        except ValueError:
            continue
        if day <= dt.date.today():
            found.add(day.isoformat())
    return found.pop() if len(found) == 1 else None


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
