"""HTML to main text plus metadata (trafilatura, htmldate), with plain tag stripping as a fallback."""

from __future__ import annotations

import re
from collections.abc import Iterator
from copy import deepcopy
from html import escape as html_escape
from html.parser import HTMLParser
from typing import Any

import htmldate
import lxml.html
import trafilatura
from lxml.etree import ParserError
from lxml.html import HtmlElement
from trafilatura.metadata import (
    examine_meta,
    extract_meta_json,
    extract_sitename,
    extract_title,
    extract_url,
)

from storyline.model import DocMeta, Document, ReadProblem
from storyline.settings import CAPPED_DEPTH, PARSER_DEPTH_LIMIT, SHORT_TEXT

from .common import make_document
from .text import codec_name, decode_bytes, normalize_text

# Scored on ../shared/bench/extraction (181 news pages, word 4-gram F1, with our cleaning on top):
# fast 0.961 in 2.6 s, default (readability/jusText comparison) 0.960 in 3.9 s, favor_precision
# 0.959. So the fast pass runs first and the full one only when it finds little text.
EXTRACT_OPTIONS: dict[str, Any] = {
    "with_metadata": False,  # metadata comes from page_metadata(): the same trafilatura parts, minus the slow ones
    "include_comments": False,
    "include_tables": True,
}

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""<\?xml[^>]+encoding\s*=\s*["']([\w.:-]+)""", re.IGNORECASE)
_BLOCK_TAGS = (
    "address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "figcaption",
    "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main",
    "nav", "ol", "p", "pre", "section", "table", "td", "th", "title", "tr", "ul",
)  # fmt: skip
_NOT_TEXT = ("script", "style", "noscript", "template", "svg")
_TAG = re.compile(r"<[^>]*>")


def declared_charset(data: bytes) -> str | None:
    """The charset an HTML or XML document declares in its first bytes, as a Python codec name."""
    head = data[:4096]
    match = _META_CHARSET.search(head) or _XML_ENCODING.search(head)
    if match is None:
        return None
    codec = codec_name(match.group(1).decode("ascii", errors="ignore"))
    # browsers read "latin-1" and "ascii" labels as windows-1252 (WHATWG encoding standard)
    return "cp1252" if codec in {"latin-1", "iso8859-1", "ascii"} else codec


def decode_html(data: bytes, declared: str | None = None, normalise: bool = True) -> tuple[str, str]:
    """Decode HTML bytes: a charset given by the transport (`declared`) or the page, else detection.

    `normalise=False` skips NFC and control-character clean-up of the whole page, for callers
    that normalise the extracted text instead.
    """
    return decode_bytes(data, declared or declared_charset(data), normalise=normalise)


def extract_html(html: str | bytes, url: str | None = None, *, max_date: str | None = None) -> tuple[str, DocMeta]:
    """Main text (one paragraph a line, title not repeated) and metadata of an HTML page.

    `max_date` (ISO) bounds the publication date htmldate may find, e.g. a web-archive capture date.
    Returns ("", meta) when the page has no text at all.
    """
    if isinstance(html, bytes):
        html = decode_html(html, normalise=False)[0]
    tree = parse_html(html)
    if tree is None:
        return normalize_text(_strip_tags(html)), DocMeta(url=url)
    meta = page_metadata(tree, url, max_date)
    text = _main_text(tree, url, fast=True)  # prunes `tree` in place
    if len(text) < SHORT_TEXT:
        fresh = parse_html(html)
        if fresh is not None and too_deep(fresh):  # the parser gave up half-way: parse the page made flatter
            html = capped_html(html)
            fresh = parse_html(html)
        if fresh is not None:
            fuller = _main_text(fresh, url, fast=False)
            text = fuller if len(fuller) > len(text) else text
            if not text.strip():
                again = parse_html(html)  # both passes pruned their trees; the fallback needs a whole one
                text = fallback_text(again if again is not None else fresh)
    return normalize_text(_drop_title_line(text, meta.title)), meta


def too_deep(tree: HtmlElement) -> bool:
    """Whether the tree reaches the parser's nesting limit (where the parser dropped the rest of the page)."""
    stack = [(tree, 0)]
    while stack:
        element, depth = stack.pop()
        if depth >= PARSER_DEPTH_LIMIT:
            return True
        stack.extend((child, depth + 1) for child in element)
    return False


def capped_html(html: str, cap: int = CAPPED_DEPTH) -> str:
    """The page written again with at most `cap` levels of nesting, by the standard library's tokenizer
    (which keeps no tree, so has no depth limit): deeper tags are left out, their text kept, each deeper
    block element a paragraph break. Scripts, styles and comments are left out."""
    writer = _CappedWriter(cap)
    writer.feed(html)
    writer.close()
    return "".join(writer.out)


_VOID = frozenset(("area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
                   "wbr"))
_FLAT_BLOCKS = frozenset(_BLOCK_TAGS)
_END_SEARCH = 64  # an end tag closes an open element at most this far down the stack; else it is stray


class _CappedWriter(HTMLParser):
    def __init__(self, cap: int):
        super().__init__(convert_charrefs=True)
        self.cap = cap
        self.out: list[str] = []
        self.stack: list[tuple[str, bool]] = []  # open elements, with whether each was written
        self.hidden = 0  # depth inside script, style and the like

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _NOT_TEXT:
            self.hidden += 1
        if self.hidden:
            return
        shallow = len(self.stack) < self.cap
        if shallow:
            parts = "".join(f' {k}="{html_escape(v)}"' if v is not None else f" {k}" for k, v in attrs
                            if re.fullmatch(r"[\w:.-]+", k))
            self.out.append(f"<{tag}{parts}>")
        elif tag in _FLAT_BLOCKS:
            self.out.append("<p>")
        if tag not in _VOID:
            self.stack.append((tag, shallow))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _NOT_TEXT:
            self.hidden = max(0, self.hidden - 1)
            return
        if self.hidden:
            return
        for k in range(len(self.stack) - 1, max(-1, len(self.stack) - 1 - _END_SEARCH), -1):
            if self.stack[k][0] == tag:
                closed = self.stack[k:]
                del self.stack[k:]
                self.out.extend(f"</{name}>" for name, written in reversed(closed) if written)
                if not closed[0][1] and tag in _FLAT_BLOCKS:
                    self.out.append("<p>")
                return

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.out.append(html_escape(data, quote=False))


def _main_text(tree: HtmlElement, url: str | None, fast: bool) -> str:
    result: Any = trafilatura.bare_extraction(tree, url=url, fast=fast, **EXTRACT_OPTIONS)
    return (result.text or "") if result is not None else ""


def page_metadata(tree: HtmlElement, url: str | None = None, max_date: str | None = None) -> DocMeta:
    """Title, authors, outlet, URL and publication date of a page.

    trafilatura's own metadata steps (meta tags, JSON-LD, title and author heuristics) and
    htmldate's quick date search; categories, tags and licence, which we do not use and which
    cost more than the rest together, are left out.
    """
    md = examine_meta(tree)
    if md.author and " " not in md.author:
        md.author = None  # a handle or a site name, not a person
    try:
        md = extract_meta_json(tree, md)
    except Exception:  # noqa: BLE001 - trafilatura's JSON-LD parser can fail on odd markup; meta tags remain
        pass
    title = md.title or extract_title(tree)
    author = md.author or _byline_author(tree)
    page_url = url or md.url or extract_url(tree, None)
    sitename = (md.sitename or extract_sitename(tree) or "").lstrip("@") or None
    published = htmldate.find_date(
        tree, url=page_url, original_date=True, extensive_search=False, max_date=max_date[:10] if max_date else None
    )
    return DocMeta(
        title=title or None,
        url=page_url or None,
        published=published or None,
        published_source="htmldate" if published else None,
        outlet=sitename,
        authors=split_authors(author),
    )


_AUTHOR_XPATH = (
    '//*[@rel="author"] | //*[@itemprop="author"] | //*[contains(@class, "byline") or contains(@class, "author-name")'
    ' or contains(@class, "author__name")]'
)
_BY = re.compile(r"^\s*(?:by|written by|von|par|por)\s+", re.IGNORECASE)


def _byline_author(tree: HtmlElement) -> str | None:
    """An author from the page's byline markup (rel/itemprop author, byline classes), in one XPath pass.

    trafilatura's own author search walks dozens of expressions and costs more than the
    rest of the metadata together; this covers the markup most news sites use.
    """
    for element in tree.xpath(_AUTHOR_XPATH)[:5]:
        text = " ".join(element.text_content().split())
        text = _BY.sub("", text).split("|")[0].split("·")[0].strip(" ,")
        words = text.split()
        if 2 <= len(words) <= 6 and not any(ch.isdigit() for ch in text) and text[0].isupper():
            return text
    return None


def parse_html(html: str) -> HtmlElement | None:
    """Parse once; trafilatura's loader copes with most broken markup, lxml's with the rest."""
    tree = trafilatura.load_html(html)
    if tree is not None:
        return tree
    try:
        return lxml.html.fromstring(html)
    except (ParserError, ValueError):
        return None


def fallback_text(tree: HtmlElement) -> str:
    """Text when trafilatura finds no main text: its baseline extractor, then all the page's text."""
    text = trafilatura.baseline(tree)[1]
    return text if text.strip() else tree_text(tree)


def html_to_text(fragment: str) -> str:
    """Plain text of an HTML fragment (a feed summary, a snippet): tags out, blocks on their own lines."""
    try:
        tree = lxml.html.fromstring(fragment)
    except (ParserError, ValueError):
        return normalize_text(_strip_tags(fragment))
    return normalize_text(tree_text(tree))


def tree_text(tree: HtmlElement) -> str:
    """All visible text of a tree, one block element a line, whitespace collapsed."""
    tree = deepcopy(tree)
    for element in list(tree.iter(*_NOT_TEXT)):
        if element.getparent() is not None:
            element.drop_tree()
    for element in tree.iter(*_BLOCK_TAGS):
        element.tail = "\n" + (element.tail or "")
    text = tree.text_content() if tree.tag not in _NOT_TEXT else ""
    return _tidy_lines(text)


def _strip_tags(html: str) -> str:
    return _tidy_lines(_TAG.sub(" ", html))


def _tidy_lines(text: str) -> str:
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def split_authors(value: str | list[str] | None) -> list[str]:
    """Authors as a list: trafilatura's "A; B", a feed's "A, B and C" stays whole, a list is cleaned."""
    if not value:
        return []
    items = value if isinstance(value, list) else str(value).split(";")
    return [name for name in (" ".join(str(item).split()) for item in items) if name]


def _drop_title_line(text: str, title: str | None) -> str:
    """Some pages put the headline inside the article body; the main text must not repeat it."""
    if not title:
        return text
    first, _, rest = text.partition("\n")
    same = " ".join(first.split()).casefold() == " ".join(title.split()).casefold()
    return rest if same and rest.strip() else text


def read_html(data: bytes, source: str, max_bytes: int) -> Iterator[Document | ReadProblem]:
    """An HTML page: one Document with the page's main text and metadata."""
    html, encoding = decode_html(data, normalise=False)
    text, meta = extract_html(html)
    yield make_document(source, data, "html", text, meta, encoding, empty="HTML has no extractable text — skipped")
