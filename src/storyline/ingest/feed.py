"""RSS and Atom feeds via feedparser: each entry becomes a Document, the feed's title its outlet."""

from __future__ import annotations

import io
import json
import re
import time
from collections.abc import Iterator
from typing import Any

import feedparser

from storyline.model import DocMeta, Document, ReadProblem
from storyline.settings import SNIPPET_CHARS

from .common import make_document, short_reason
from .html import extract_html, html_to_text, split_authors
from .text import normalize_text

_FEED_ROOT = re.compile(rb"<(rss|feed|rdf:RDF)[\s>]", re.IGNORECASE)
_HTML_TYPES = ("text/html", "application/xhtml+xml", "html", "xhtml")


def looks_like_feed(head: bytes) -> bool:
    """Whether the first bytes of a file open an RSS, Atom or RDF feed."""
    return _FEED_ROOT.search(head[:4096]) is not None


def read_feed(data: bytes, source: str, max_bytes: int) -> Iterator[Document | ReadProblem]:
    """One Document per feed entry, located as `source#<entry number from 1>`."""
    parsed = feedparser.parse(io.BytesIO(data), resolve_relative_uris=False)  # a stream: never a URL fetch
    if not parsed.entries:
        reason = f" ({short_reason(parsed.bozo_exception)})" if parsed.get("bozo") else ""
        yield ReadProblem(source, f"feed has no entries{reason} — nothing to read")
        return
    outlet = _clean(parsed.feed.get("title"))
    language = _clean(parsed.feed.get("language"))
    for number, entry in enumerate(parsed.entries, start=1):
        yield read_entry(entry, f"{source}#{number}", DocMeta(outlet=outlet, language=language))


def read_entry(entry: Any, source: str, meta: DocMeta) -> Document | ReadProblem:
    text = entry_text(entry)
    meta.title = _clean(entry.get("title"))
    meta.url = _clean(entry.get("link"))
    meta.published = _published(entry)
    meta.published_source = "feed" if meta.published else None
    meta.authors = _authors(entry)
    raw = json.dumps(entry, sort_keys=True, default=str, ensure_ascii=False).encode("utf-8")
    return make_document(source, raw, "feed", text, meta, "utf-8", empty="feed entry has no text — skipped")


def entry_text(entry: Any) -> str:
    """The entry's full content if given, else its summary; HTML becomes plain text."""
    content = entry.get("content") or []
    part = content[0] if content else entry.get("summary_detail") or {"value": entry.get("summary", "")}
    value, mime = part.get("value") or "", (part.get("type") or "text/html").lower()
    if not any(kind in mime for kind in _HTML_TYPES):
        return normalize_text(value)
    stripped = html_to_text(value)
    if len(value) < SNIPPET_CHARS:
        return stripped
    extracted = extract_html(value)[0]
    # an entry's HTML is mostly article already: keep the extraction only if it kept most of it
    return extracted if len(extracted) >= len(stripped) / 2 else stripped


def _published(entry: Any) -> str | None:
    """ISO 8601 (UTC) from feedparser's parsed date, else the date string as the feed gave it."""
    for key in ("published", "updated", "created"):
        parsed = entry.get(f"{key}_parsed")
        if parsed:
            return time.strftime("%Y-%m-%dT%H:%M:%SZ", parsed)
        if entry.get(key):
            return _clean(entry.get(key))
    return None


_EMAIL_NAME = re.compile(r"^\s*\S*@?\S*\s*\(\s*([^()@]+?)\s*\)?\s*$")


def _authors(entry: Any) -> list[str]:
    """Author names; RSS writes `<author>email (Name)</author>`, which feedparser can split badly."""
    names = [str(a["name"]) for a in entry.get("authors") or [] if isinstance(a, dict) and a.get("name")]
    out: list[str] = []
    for name in split_authors(names or entry.get("author")):
        m = _EMAIL_NAME.match(name) if "(" in name else None
        name = m.group(1) if m else name
        if "@" not in name and name.casefold() not in {o.casefold() for o in out}:
            out.append(name)
    return out


def _clean(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    text = " ".join(value.split())
    return text or None
