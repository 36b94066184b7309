"""Cut a document's text into blocks (paragraphs) and into articles (one file may hold several)."""

from __future__ import annotations

import re
import statistics
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import cached_property, lru_cache

from storyline.settings import REPEAT_WINDOW

# Whitespace that scraped copy uses for empty lines: ASCII, NBSP, thin and zero-width spaces.
_BLANK = re.compile(r"^[\s\u00a0\u2000-\u200b\u202f\u205f\u3000\ufeff]*$")
# a stop, then closing marks, which tokenised copy sets apart ("... that . ''", as Penn Treebank text does)
_TERMINAL = re.compile(r"[.!?…](?:\s?[\"'”’»)\]])*$")
_WORD = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*")


@dataclass(frozen=True)
class Block:
    """A paragraph of the document: its stripped text and [start, end) offsets, blank lines before it."""

    start: int
    end: int
    text: str
    gap_before: int  # blank lines between this block and the previous one (or the start)

    @cached_property
    def words(self) -> list[str]:
        return _WORD.findall(self.text)


@lru_cache(maxsize=8192)
def norm_key(text: str) -> str:
    """A comparison key for 'the same line': case, spacing, quotes and punctuation ignored."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(_WORD.findall(text))


def ends_sentence(text: str) -> bool:
    return bool(_TERMINAL.search(text.rstrip()))


def _strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and (text[start].isspace() or text[start] in "\u00a0\u200b\ufeff"):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in "\u00a0\u200b\ufeff"):
        end -= 1
    return start, end


def _is_wrapped(prev: str, line: str) -> bool:
    """A hard-wrapped continuation: the previous line stops mid-sentence and this one goes on in lower case."""
    return bool(prev) and not ends_sentence(prev) and not prev.endswith(":") and line[:1].islower()


def split_blocks(text: str, start: int = 0, end: int | None = None) -> list[Block]:
    """Non-blank lines of text[start:end] as blocks; hard-wrapped lines are joined into one block."""
    end = len(text) if end is None else end
    blocks: list[Block] = []
    gap = 0
    pos = start
    while pos < end:
        nl = text.find("\n", pos, end)
        line_end = end if nl < 0 else nl
        raw = text[pos:line_end]
        if _BLANK.match(raw):
            gap += 1
        else:
            s, e = _strip_span(text, pos, line_end)
            if blocks and gap == 0 and _is_wrapped(blocks[-1].text, text[s:e]):
                b = blocks[-1]
                blocks[-1] = Block(b.start, e, text[b.start : e], b.gap_before)
            else:
                blocks.append(Block(s, e, text[s:e], gap))
            gap = 0
        pos = line_end + 1
    return blocks


# --- what a headline looks like -------------------------------------------------------

_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december|"
    "jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)
_DATE_ONLY = re.compile(
    r"^\W*(?:(?:published|updated|posted|last updated|date)\W*(?:on|at)?\s*)?"
    r"(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s*)?"
    r"(?:\d{1,2}(?:st|nd|rd|th)?\s+(?:" + _MONTHS + r")\.?,?\s+\d{4}"
    r"|(?:" + _MONTHS + r")\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}"
    r"|\d{4}-\d{2}-\d{2}(?:[t ]\d{2}:\d{2}(?::\d{2})?(?:z|[+-]\d{2}:?\d{2})?)?"
    r"|\d{1,2}[./]\d{1,2}[./]\d{2,4})"
    r"(?:\s*[,|·•-]?\s*(?:at\s+)?\d{1,2}[:.]\d{2}(?:\s*[ap]\.?m\.?)?(?:\s*[a-z]{2,4})?)?\W*$",
    re.IGNORECASE,
)


# A publication stamp: a short line of nothing but stamp words, weekdays, months, numbers and time zones
# ("Posted on Thu Jun 13, 2013 08:45 AM PDT", "9 September 2013 Last updated at 14:39 GMT", "PUBLISHED: 22:07
# GMT, 7 July 2012 | UPDATED: ..."), holding a date (a year, or a day and month) and a stamp word. Tokens may be
# spaced apart ("13 , 2013", "4 : 59"), as tokenised corpora and some scrapers leave them.
_STAMP_WORDS = frozenset("published publish posted post updated update modified created first last on at time "
                         "article date dated and am pm a m p".split())
STAMP_KEYS = frozenset("published publish posted post updated update modified created dated".split())  # what says "stamp"
_WEEKDAYS = frozenset("monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thur thurs "
                      "fri sat sun".split())
_MONTH_WORDS = frozenset(_MONTHS.split("|"))
_ORDINALS = frozenset(("st", "nd", "rd", "th"))
_STAMP_TOKEN = re.compile(r"[^\W\d_]+|\d+")
_ZONE = re.compile(r"^(?:[A-Z]{2,5}|UTC|GMT)$")
_YEAR_TOKEN = re.compile(r"^(?:1[89]|20)\d\d$")
STAMP_MAX_CHARS = 120


@lru_cache(maxsize=8192)
def stamp_words(text: str) -> frozenset[str] | None:
    """The stamp words ("published", "updated", …) of a publication stamp line, or None when the line is not
    one: only stamp words, weekdays, months, ordinal suffixes, numbers and time zones, a year or a month among
    them, and a stamp word; or an empty set for a line of a full date alone ("Monday, May 23, 2005"; "March 2014"
    alone may head a part of the text). Cached: headline tests ask again about the same lines."""
    if len(text) > STAMP_MAX_CHARS or "://" in text:
        return None
    stamps: set[str] = set()
    month = year = day = False
    for t in _STAMP_TOKEN.findall(text):
        low = t.lower()
        if t.isdigit():
            year = year or bool(_YEAR_TOKEN.match(t))
            day = day or 1 <= int(t) <= 31
        elif low in _STAMP_WORDS:
            stamps.add(low)
        elif low in _MONTH_WORDS:
            month = True
        elif not (low in _WEEKDAYS or low in _ORDINALS or _ZONE.match(t)):
            return None
    keys = frozenset(stamps & STAMP_KEYS)
    if keys:
        return keys if month or year else None
    return keys if not stamps and month and year and day else None  # not a heading ("March 2014")


def is_date_line(text: str) -> bool:
    """A line that is only a date, or a publication stamp (`stamp_words`)."""
    return len(text) <= 80 and bool(_DATE_ONLY.match(text)) or stamp_words(text) is not None


# A line that is a web address and nothing else (the page a scraped text came from): never a headline. Tokenised
# copy sets its parts apart ("http : / / www . example . com / news"), but never two words side by side.
_URL_START = re.compile(r"^\s*<?(?:https?\s*:\s*/\s*/|www\s*\.)", re.I)
_PLAIN_WORD = re.compile(r"^[^\W_]+$")


def is_url_line(text: str) -> bool:
    if len(text) > 2_000 or not _URL_START.match(text):
        return False
    tokens = text.split()
    return not any(_PLAIN_WORD.match(a) and _PLAIN_WORD.match(b) for a, b in zip(tokens, tokens[1:]))


_NOT_HEADLINE_START = re.compile(r"^\s*(?:[-–—|•*>#+]|\d+[.)]\s|@)")


def is_headline(block: Block) -> bool:
    """Short, several words, no closing sentence punctuation, not a date, a credit, a list item or a table row."""
    t = block.text
    if _NOT_HEADLINE_START.match(t) or t.count("|") >= 2 or "\n" in t:
        return False
    n = len(block.words)
    if not (3 <= n <= 32) or len(t) > 250:
        return False
    if ends_sentence(t) and not t.rstrip("\"'”’").endswith(("?", "!")):
        return False
    if t.endswith((",", ";", ":", ")")) or is_date_line(t) or is_url_line(t):
        return False
    letters = [c for c in t if c.isalpha()]
    return len(letters) >= 0.5 * len(t.replace(" ", ""))


# --- articles in a document -------------------------------------------------------------


def article_starts(blocks: list[Block]) -> list[int]:
    """Indexes of blocks that open an article.

    Two general signals, neither tied to a site:
    - a headline that the page repeats within the next few blocks (scraped pages print the
      title in the header and again above the body), unless it is itself such a repeat;
    - a headline after a wider gap of blank lines than the document's usual paragraph gap,
      followed by enough body text to be an article of its own.
    """
    if not blocks:
        return []
    keys = [norm_key(b.text) for b in blocks]
    counts = Counter(keys)
    starts = [0]
    gaps = [b.gap_before for b in blocks[1:]] or [1]
    usual_gap = statistics.median(gaps)
    for i in range(1, len(blocks)):
        if not is_headline(blocks[i]):
            continue
        earlier = keys[max(0, i - REPEAT_WINDOW) : i]
        if keys[i] in earlier:
            continue  # the repeat of a title already seen
        later = keys[i + 1 : i + 1 + REPEAT_WINDOW]
        if keys[i] in later and counts[keys[i]] <= 3:  # printed over and over, it is a recurring element
            starts.append(i)
        elif blocks[i].gap_before >= 2 and blocks[i].gap_before > usual_gap and _body_follows(blocks, i):
            starts.append(i)
    # A start with no body before the next one (e.g. a second title line) is not an article.
    return [s for k, s in enumerate(starts) if k == 0 or _has_body(blocks, starts[k - 1], s)]


def _body_follows(blocks: list[Block], i: int, min_chars: int = 400) -> bool:
    n = 0
    chars = 0
    for b in blocks[i + 1 :]:
        if is_headline(b) and b.gap_before > 1 and n >= 2:
            break
        if ends_sentence(b.text) and len(b.words) >= 8:
            n += 1
            chars += len(b.text)
    return n >= 2 and chars >= min_chars


def _has_body(blocks: list[Block], start: int, stop: int) -> bool:
    return any(ends_sentence(b.text) and len(b.words) >= 8 for b in blocks[start:stop])


def split_articles(text: str) -> list[tuple[int, int]]:
    """The [start, end) spans of the articles in a document's text, in order."""
    blocks = split_blocks(text)
    if not blocks:
        return []
    starts = article_starts(blocks)
    spans = []
    for k, s in enumerate(starts):
        last = (starts[k + 1] if k + 1 < len(starts) else len(blocks)) - 1
        spans.append((blocks[s].start, blocks[last].end))
    return spans
