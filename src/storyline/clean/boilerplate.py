"""Take page furniture out of one article's text, keeping every removed piece with its span and reason.

The rules describe what furniture looks like on any site (repetition, position, length,
lexical cues, no sentence verb), never strings of a particular page.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from storyline.clean.segment import (Block, ends_sentence, is_date_line, is_headline, is_url_line, norm_key, split_blocks,
                                     stamp_words)
from storyline.model import Removed, unique_names

PARA_SEP = "\n\n"

# --- lexical cues ------------------------------------------------------------------------

_CREDIT_CUE = r"(?:photo(?:graph)?s?|image|picture|pic|foto|credit|illustration|video|file photo|source)"
# "… . Photo: Agency" / "(Photo by Name / AGENCY)" / "(Reuters)" at the end of a caption.
_TRAILING_CREDIT = re.compile(
    r"(?:[.!?…]\s*|\s)(?:\(\s*[^()]{1,80}\)|" + _CREDIT_CUE + r"\s*(?:by|:)\s*[^.!?]{1,80})\s*$",
    re.IGNORECASE,
)
_CREDIT_ONLY = re.compile(r"^\W*" + _CREDIT_CUE + r"s?\s*(?:by|:|©)\s*\S.{0,100}$", re.IGNORECASE)
_AGENCY_PAREN = re.compile(r"\(\s*([^()]{1,60})\s*\)\s*$")

_COUNTER = re.compile(
    r"^[\s\d.,:|/·•+kKmM]*\d[\s\d.,:|/·•+kKmM]*"
    r"(?:\s*(?:views?|shares?|comments?|likes?|reads?|reactions?|min(?:ute)?s? read))?\s*$",
    re.IGNORECASE,
)
_AD = re.compile(
    r"^\W*(?:advertisements?|advertising|adverti[sz]ing feature|sponsored(?: content)?|promoted(?: content)?|"
    r"ad|ads|story continues below(?: advertisement)?|continue reading below|scroll to continue)\W*$",
    re.IGNORECASE,
)
_SOCIAL = {
    "share", "shares", "tweet", "email", "e-mail", "print", "comment", "comments", "facebook", "twitter",
    "x", "whatsapp", "telegram", "linkedin", "pinterest", "reddit", "copy", "link", "save", "listen",
    "like", "follow", "messenger", "vk", "flipboard", "more", "menu", "close", "font", "size", "a",
}
_NEWSLETTER_CUE = re.compile(
    r"\b(?:subscri(?:be|ption)|newsletters?|sign(?:ing)?[- ]up|inbox|notifications?|push alerts?|"
    r"follow us|follow [\w .@-]{1,40} on (?:twitter|facebook|instagram|x|linkedin|tiktok|threads|bluesky)|"
    r"download (?:our|the) app|special offers|register (?:now|for free)|"
    r"get (?:the latest|real[- ]?time|daily|breaking|our)|unsubscribe|mailing list|"
    r"(?:morning|evening|daily|weekly|free) (?:briefings?|digests?|e-?mails?|bulletins?))\b",
    re.IGNORECASE,
)
_IMPERATIVE = re.compile(
    r"^\W*(?:subscribe|sign|get|join|follow|download|register|click|tap|enter|stay|don'?t miss|never miss|"
    r"want|receive|like us|support)\b",
    re.IGNORECASE,
)
_SECOND_PERSON = re.compile(r"\b(?:you|your|yours)\b", re.IGNORECASE)
_TEASER_START = re.compile(
    r"^\W*(?:read more|read also|also read|more to read|related(?: (?:stories|articles|content|coverage|news))?|"
    r"see also|more on (?:this|that)(?: story)?|recommended(?: for you)?|you (?:may|might) also like|"
    r"read next|further reading|most read|trending(?: now)?|popular|more from|watch|listen)\b\s*[:\-–—|]?",
    re.IGNORECASE,
)
_NUMBER_WORD = r"(?:\d+|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty)"
_LISTICLE = re.compile(
    r"^\W*(?:here are |these are |the |)" + _NUMBER_WORD + r"\b.{0,60}?\b(?:reasons?|things|ways|facts|questions|"
    r"signs|lessons|takeaways|charts|maps|photos|pictures|moments|times|mistakes|tips)\b",
    re.IGNORECASE,
)
_WIRE = re.compile(
    r"^\W*(?:based on (?:materials|reports?|reporting|information) (?:from|by|of)|"
    r"(?:with|including) (?:additional )?(?:reporting|input|materials|files|contributions?) (?:from|by)|"
    r"(?:additional )?reporting by|compiled (?:from|by)|source[s]?\s*:|courtesy(?: of)?|"
    r"this (?:article|story|report) (?:was )?(?:first )?(?:appeared|published|originally published) (?:in|on|by)|"
    r"originally published (?:in|on|by)|(?:©|\(c\)|copyright)\s*(?:\d{4}\s*)?)\s*(?P<who>.{2,120}?)\W*$",
    re.IGNORECASE,
)
_REPORTERS = re.compile(r"^\W*reporting by\s+([^;]+)", re.IGNORECASE)
_WIRE_STAFF = re.compile(r"\b(?:editing|writing|additional reporting) by\b.*$", re.IGNORECASE)
_BYLINE = re.compile(
    r"^\W*(?i:by|written by|words by|author:?|reporting by)\s+(?P<names>[A-Z][\w.'’-]+(?:\s+[A-Z][\w.'’-]+){0,3}"
    r"(?:\s*(?:,|and|&)\s*[A-Z][\w.'’-]+(?:\s+[A-Z][\w.'’-]+){0,3})*)\s*(?:[,|–—-].{0,60})?$"
)
_NAME = r"[A-Z][a-zà-ÿ'’.-]+(?:\s+(?:[A-Z]\.|[A-Z][a-zà-ÿ'’-]+|van|von|de|da|del|al|bin|ibn)){1,3}"
_NAME_ONLY = re.compile(r"^" + _NAME + r"$")
_PROFESSION = re.compile(
    r"\b(?:reporter|journalist|correspondent|editor|writer|author|columnist|contributor|founder|"
    r"analyst|producer|freelancer?|blogger|commentator|researcher|fellow|specialist|covers|covering|"
    r"has written|writes (?:about|on|for))\b",
    re.IGNORECASE,
)
_BIO_OPEN = re.compile(r"^(?P<name>" + _NAME + r"|(?:He|She|They))(?:\s*,[^,]{1,120},)?\s+(?:is|was|has|writes|covers|reports|leads|joined)\b")
_DATELINE_PREFIX = re.compile(  # used with .match(text, pos): no "^"
    r"(?P<place>[A-Z][A-Z.'’-]+(?:[ -][A-Z][A-Z.'’-]+){0,3}(?:,\s*[A-Z][A-Za-z.]+(?:\s[A-Z][A-Za-z.]+)?)?)"
    r"\s*(?:\((?P<agency>[A-Za-z][\w .&-]{0,30})\))?\s*[–—-]{1,2}\s*(?=\S)"
)

FURNITURE_REASONS = (
    "title", "title-repeat", "caption", "photo-credit", "page-widget", "share-counter", "advertisement",
    "newsletter-prompt", "byline", "author-bio", "related-teaser", "wire-credit", "dateline", "repeated-line",
    "web-address",
)


@dataclass
class Cleaned:
    """What the cleaner makes of one article span."""

    title: str | None
    text: str
    text_map: list[tuple[int, int, int]]
    removed: list[Removed]
    authors: list[str] = field(default_factory=list)
    syndicated_from: list[str] = field(default_factory=list)
    datelines: list[str] = field(default_factory=list)  # date lines above the body: publication evidence
    later_dates: list[str] = field(default_factory=list)  # date lines after the body began (corrections, updates)


# --- one block at a time -------------------------------------------------------------------

def _is_widget(b: Block) -> bool:
    t = b.text
    if len(t) > 30:
        return False
    words = [w.casefold() for w in re.findall(r"[^\W\d_]+", t)]
    if not words:
        return not any(c.isdigit() for c in t)  # bare symbols: "+", "|", "…"
    if all(w in _SOCIAL for w in words):
        return True
    letters = "".join(words)
    return len(letters) <= 4 and letters.upper() == "".join(re.findall(r"[^\W\d_]+", t)) and len(words) <= 2


def _is_caption(b: Block) -> bool:
    """A descriptive line that ends with a photo credit: "… on Monday. (Photo by J. Roe / Agency)"."""
    t = b.text
    if len(b.words) < 3 or len(b.words) > 80:
        return False
    m = _TRAILING_CREDIT.search(t)
    if not m:
        return False
    tail = m.group(0).strip(" .!?…")
    if tail.startswith("("):
        return _is_credit(tail.strip("() .").rstrip("."))
    return True


_CREDIT_WORD = re.compile(r"\b(?:" + _CREDIT_CUE + r"|getty|images?|pool|handout|courtesy)\b", re.IGNORECASE)
_NAME_PARTICLES = {"of", "de", "da", "del", "van", "von", "and", "&", "la", "le", "der", "for"}


def _is_credit(inner: str) -> bool:
    """The inside of a closing parenthesis that credits a photo: an agency or a photographer, not an aside."""
    words = inner.split()
    if not words or len(words) > 10:
        return False
    if "/" in inner or _CREDIT_WORD.search(inner):
        return True
    if not any(w[0].isalpha() for w in words):
        return False  # "(5.)", "(2015)": a rank or a year, not a credit
    return all(w[0].isupper() or w.lower() in _NAME_PARTICLES or not w[0].isalpha() for w in words)


def _is_newsletter(b: Block) -> bool:
    n = len(b.words)
    if n > 50 or not _NEWSLETTER_CUE.search(b.text):
        return False
    return bool(_SECOND_PERSON.search(b.text) or _IMPERATIVE.search(b.text) or not ends_sentence(b.text) or n <= 8)


def _wire_sources(who: str) -> list[str]:
    who = _WIRE_STAFF.sub("", who)
    parts = re.split(r"\s*(?:,|;|\band\b|&|/)\s*", who)
    return [p.strip(" .\"'“”") for p in parts if p.strip(" .\"'“”")]


def _classify(b: Block, title_key: str | None) -> str | None:
    """The reason a block is furniture on its own, or None when only context can tell."""
    t = b.text
    key = norm_key(t)
    if title_key and key == title_key:
        return "title-repeat"
    if not key:
        return "page-widget"
    if _AD.match(t):
        return "advertisement"
    if _COUNTER.match(t):
        return "share-counter"
    if is_date_line(t):
        return "dateline"
    if is_url_line(t):
        return "web-address"
    if _CREDIT_ONLY.match(t) and len(b.words) <= 14:
        return "photo-credit"
    if _is_widget(b):
        return "page-widget"
    if _is_newsletter(b):
        return "newsletter-prompt"
    if len(b.words) <= 20 and _TEASER_START.match(t) and not ends_sentence(t) or (
        _TEASER_START.match(t) and re.match(r"^\W*\w[\w ]*\s*[:|–—]", t) and len(b.words) <= 30
    ):
        return "related-teaser"
    if len(b.words) <= 20 and _WIRE.match(t):
        return "wire-credit"
    if _BYLINE.match(t) and len(b.words) <= 12:
        return "byline"
    if _is_caption(b):
        return "caption"
    return None


def _is_title_sentence(b: Block, following: Block) -> bool:
    """A first line that is one short sentence heading a longer paragraph: many .txt dumps end titles with '.'."""
    if not (3 <= len(b.words) <= 16) or len(re.findall(r"[.!?](?:\s|$)", b.text)) != 1 or "\n" in b.text:
        return False
    return not _looks_like_lead(b) and len(following.words) > len(b.words)


def _looks_like_lead(b: Block) -> bool:
    """A quote introduced in the sentence ('X asked, “…”'), or a lead paragraph opening with its dateline."""
    # two apostrophes or backquotes as a double mark ("She said : `` ... . ''"), as some papers and tokenised
    # copy set them
    return bool(re.search(r",\s*(?:[“\"‘']|``)|(?:[”\"]|'')\W*$", b.text) or _DATELINE_PREFIX.match(b.text))


def _continues(b: Block) -> bool:
    """A line that opens with a coordinating conjunction ("But is that true?", "And then ..."): it goes on from
    the sentence before it, as a headline does not."""
    return bool(re.match(r"^\W*(?:but|and|or|yet|nor)\s", b.text, re.I))


def _is_body(b: Block) -> bool:
    return ends_sentence(b.text) and len(b.words) >= 8


# --- the whole article -----------------------------------------------------------------------

def clean_article(doc_text: str, span: tuple[int, int], title: str | None = None) -> Cleaned:
    """Clean the article at doc_text[span]; `title` is the source's own title when it gave one."""
    blocks = split_blocks(doc_text, span[0], span[1])
    reasons: list[str | None] = [None] * len(blocks)
    authors: list[str] = []
    wires: list[str] = []
    datelines: list[str] = []
    later_dates: list[str] = []

    # The title: the source's, else the first headline-like block at the top.
    title_idx = None
    if title is None:
        for i, b in enumerate(blocks[:4]):
            if is_headline(b) and _classify(b, None) is None and not _looks_like_lead(b) and not _continues(b):
                title_idx = i
                break
        if title_idx is None and len(blocks) > 1 and _is_title_sentence(blocks[0], blocks[1]) and \
                _classify(blocks[0], None) is None and not _continues(blocks[0]):
            title_idx = 0  # a first line that is one short sentence: scraped .txt copy opens with its title
        if title_idx is not None:
            title = blocks[title_idx].text
            reasons[title_idx] = "title"
    title_key = norm_key(title) if title else None

    for i, b in enumerate(blocks):
        if reasons[i] is None:
            reasons[i] = _classify(b, title_key)

    _mark_repeats(blocks, reasons)
    _mark_credited_captions(blocks, reasons)
    _mark_tail(blocks, reasons, authors)
    _mark_header_byline(blocks, reasons, authors)

    for i, b in enumerate(blocks):
        if reasons[i] == "wire-credit":
            staff = _REPORTERS.match(b.text)
            if staff:  # "(Reporting by A in Washington; Editing by B)": reporters, not a wire source
                authors += [re.sub(r"\s+in\s+[A-Z][\w .-]*$", "", n).strip() for n in _wire_sources(staff.group(1))]
            elif m := _WIRE.match(b.text):
                wires += _wire_sources(m.group("who"))
        elif reasons[i] == "byline":
            m = _BYLINE.match(b.text)
            names = m.group("names") if m else b.text
            authors += [n.strip() for n in re.split(r"\s*(?:,|\band\b|&)\s*", names) if n.strip()]
        elif reasons[i] == "web-address" and not any(r is None for r in reasons[:i]):
            datelines.append("".join(b.text.split()))  # the page's own address, above the text: its path's date
        elif reasons[i] == "dateline":
            # after the body began (a correction's date), or a stamp of when the page was updated: only a
            # bound on when it was published
            body_began = any(r is None for r in reasons[:i])
            stamps = stamp_words(b.text) or frozenset()
            updated = bool(stamps) and not stamps - {"updated", "update", "modified"}
            (later_dates if body_began or updated else datelines).append(b.text)

    removed = [Removed(b.text, r, (b.start, b.end)) for b, r in zip(blocks, reasons) if r]
    kept: list[tuple[int, int]] = [(b.start, b.end) for b, r in zip(blocks, reasons) if not r]

    # A dateline prefix on the first body paragraph ("NAIROBI (Reuters) – ...").
    if kept:
        s, e = kept[0]
        m = _DATELINE_PREFIX.match(doc_text, s, e)
        if m and len(m.group("place")) >= 3 and not m.group("place").isdigit():
            removed.append(Removed(doc_text[s : m.end()].rstrip(), "dateline", (s, s + len(doc_text[s : m.end()].rstrip()))))
            datelines.append(doc_text[s : m.end()].strip(" –—-"))
            if m.group("agency"):
                wires.append(m.group("agency").strip())
            kept[0] = (m.end(), e)
    removed.sort(key=lambda r: r.span)

    parts: list[str] = []
    text_map: list[tuple[int, int, int]] = []
    pos = 0
    for s, e in kept:
        if parts:
            parts.append(PARA_SEP)
            pos += len(PARA_SEP)
        text_map.append((pos, s, e - s))
        parts.append(doc_text[s:e])
        pos += e - s
    return Cleaned(
        title=title,
        text="".join(parts),
        text_map=text_map,
        removed=removed,
        authors=unique_names(authors),
        syndicated_from=unique_names(wires),
        datelines=datelines,
        later_dates=later_dates,
    )


def _mark_repeats(blocks: list[Block], reasons: list[str | None]) -> None:
    """A line printed more than once is furniture: a caption above the body, else a repeated line.

    The body starts at the first body paragraph printed once, or at the first one that opens a run of
    paragraphs the page prints again in the same order (the article twice over): its later copy is the
    repeat, not the body above it."""
    keys = [norm_key(b.text) for b in blocks]
    counts = Counter(k for k in keys if k)
    body = [reasons[i] is None and _is_body(b) for i, b in enumerate(blocks)]
    pairs = Counter(zip(keys, keys[1:]))

    def opens_copy(i: int) -> bool:  # this paragraph and the next are printed again, in this order
        return i + 1 < len(blocks) and body[i + 1] and pairs[keys[i], keys[i + 1]] > 1

    first_body = next((i for i, is_body in enumerate(body) if is_body and (counts[keys[i]] == 1 or opens_copy(i))),
                      len(blocks))
    seen: set[str] = set()
    for i, k in enumerate(keys):
        if counts[k] > 1 and reasons[i] is None:
            if i < first_body or k in seen:
                reasons[i] = "caption" if i < first_body and len(blocks[i].words) >= 4 else "repeated-line"
        seen.add(k)


def _mark_credited_captions(blocks: list[Block], reasons: list[str | None]) -> None:
    """A short one-sentence line right above a photo credit is that photo's caption."""
    for i in range(1, len(blocks)):
        prev = blocks[i - 1]
        if reasons[i] == "photo-credit" and reasons[i - 1] is None and len(prev.words) <= 30:
            if len(re.findall(r"[.!?](?:\s|$)", prev.text)) <= 1:
                reasons[i - 1] = "caption"


def _mark_tail(blocks: list[Block], reasons: list[str | None], authors: list[str]) -> None:
    """After the last body paragraph: author bios and bylines, teasers, tags and credits."""
    body = [i for i, r in enumerate(reasons) if r is None and _is_body(blocks[i])]
    if not body:
        return
    # Author bios: a paragraph near the end that opens with a name (or pronoun) and "is/was ...",
    # describing a profession. They may sit before or after the last body paragraph.
    tail_start = max(body[-3] if len(body) >= 3 else body[0], len(blocks) - 4)
    for i in range(tail_start, len(blocks)):
        if reasons[i] is None and _is_bio(blocks[i]):
            reasons[i] = "author-bio"
            m = _BIO_OPEN.match(blocks[i].text)
            if m and m.group("name") not in ("He", "She", "They"):
                authors.append(m.group("name"))
            if i > 0 and reasons[i - 1] is None and _NAME_ONLY.match(blocks[i - 1].text):
                reasons[i - 1] = "byline"
    body = [i for i, r in enumerate(reasons) if r is None and _is_body(blocks[i])]
    last_body = body[-1] if body else -1
    for i in range(max(0, len(blocks) - 6), len(blocks)):
        if reasons[i] is not None:
            continue
        b = blocks[i]
        if _LISTICLE.match(b.text) and len(b.words) <= 25 and i >= len(blocks) - 4:
            reasons[i] = "related-teaser"
        elif i > last_body:
            if _NAME_ONLY.match(b.text):
                reasons[i] = "byline"
            elif not ends_sentence(b.text) and len(b.words) <= 20:
                reasons[i] = "related-teaser"  # a headline-like line after the body: a link or a tag


def _is_bio(b: Block) -> bool:
    return len(b.words) <= 120 and bool(_BIO_OPEN.match(b.text)) and bool(_PROFESSION.search(b.text))


def _mark_header_byline(blocks: list[Block], reasons: list[str | None], authors: list[str]) -> None:
    """A lone name line right under the title, before the body, is a byline."""
    for i, b in enumerate(blocks[:6]):
        if reasons[i] is None and _is_body(b):
            return
        if reasons[i] is None and _NAME_ONLY.match(b.text) and len(b.words) <= 4 and i + 1 < len(blocks):
            if any(r in ("title", "title-repeat", "dateline") for r in reasons[:i]):
                reasons[i] = "byline"
