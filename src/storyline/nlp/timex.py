"""Time expressions in English news: find them (TimeML TIMEX3 extents) and normalise them.

    tag(text, anchor=None, *, day_first=False) -> list[Timex]

Rules, not a model: a handful of compiled regular expressions (absolute dates in the common
formats, years, months, seasons, quarters, halves, decades, centuries, weeks, holidays,
relative expressions, durations, sets, clock times, vague references), each with a
normaliser that builds the TIMEX3 value, resolved against `anchor` (the publication date)
where the expression depends on it. Without an anchor such values stay underspecified the
TimeML way ('XXXX-04-16', 'XXXX-WXX-2', 'XXXX-WXX'). Candidates from all rules are chosen
longest-first with no overlaps; modifiers ("early", "the end of", "more than", "about") are
taken into the extent and give TIMEX3 `mod`. The clause's tense comes from cheap cues around
the expression (auxiliaries, "scheduled for", "-ed" verbs, "said") and picks the year of
year-less dates ("In February", "on April 16") and the week of bare weekdays.

Conventions follow the TimeML annotation guidelines and TimeBank practice: determiners and
"last/this/next" are part of the extent, prepositions are not; "now"/"currently" are
PRESENT_REF, "recently" PAST_REF, "the future"/"soon" FUTURE_REF; "the 1990s" is 199;
"a year ago" takes the granularity of the period the text is talking about (a quarter in an
earnings report: 1988-Q3); "the first nine months" is a duration P9M; "fiscal 1989" is 1989 (as
TimeBank annotates it, not FY1989); "Friday night" is one TIME (…TNI); ages ("a 44-year-old") and
adjectival "quarterly dividend" are not time expressions. The narrative's reference time is the last
date the text named: "that day", "the next day", "later that year", "a year later", "two days earlier"
resolve against it ("In 1983 … A year later" is 1984), "ago", "yesterday", "last week", a bare weekday
against the anchor (the report's time); a year in "since 2012" is no such time. A year-less day keeps
the anchor's year by the tense rule unless the narrative sets another: the same day named earlier with
its year, a sentence opened by an earlier year ("In 2008, … in mid-September"), or the past perfect
after one. A clock time with no day of its own takes the day named beside it. Decades written as words
or two digits are figures, not dates, as the level a clause measures ("polls in the forties", "scored
in the 90s"). Impossible dates (February 30, 20177) give no timex. "Monday, Oct. 26" is one
DATE; "the quarter ended July 31" is the calendar quarter holding most of it (Q2) unless the text
named its quarter already; "for the year", "by the end of the month" are the anchor's period. A
tense cue after "that"/"which" or a comma is another clause's; a possessive weekday ("Wednesday's
ruling") and a year-less month with no tense cue are read in the past (next month, though, rather than
eleven months back); "next to" is no future cue, "payable"/"of record" are. Rates are not time
expressions unless money ("rise 8.5% annually", "average daily volume", "four flights a week" give
none; "$1.76 a year" is a SET), nor are a sentence-opening discourse "Now," or a title-cased "This Week"
inside a sentence (a TV show).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from storyline.model import Timex
from storyline.settings import TIMEX_MAX_CHARS as MAX_CHARS

__all__ = ["tag"]


# --- lexicon -------------------------------------------------------------------------------

_MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4,
    "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9,
    "sept": 9, "sep": 9, "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}
_FULL_MONTH = r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"
_ABBR_MONTH = r"(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"
_MONTH = rf"(?:{_FULL_MONTH}|{_ABBR_MONTH})"
_DAYS = {"monday": 1, "tuesday": 2, "wednesday": 3, "thursday": 4, "friday": 5, "saturday": 6, "sunday": 7}
_DOW = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_UNITS = {
    "second": "S", "minute": "M", "hour": "H", "day": "D", "night": "D", "week": "W", "fortnight": "W2",
    "month": "M", "quarter": "Q", "year": "Y", "decade": "DE", "century": "CE", "weekend": "WE",
}
_UNIT = r"(?:seconds?|minutes?|hours?|days?|nights?|weeks?|fortnights?|months?|quarters?|years?|decades?|centur(?:y|ies)|weekends?)"
_ONES = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
    "eighteen": 18, "nineteen": 19,
}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
_FUZZY = {"several", "a few", "few", "many", "some", "a couple of", "couple of", "a couple", "dozens of", "numerous",
          "a number of", "the next few", "a handful of"}
_NUMWORD = (r"(?:(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[- ](?:one|two|three|four|five|six|seven|eight|nine))?"
            r"|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen"
            r"|seventeen|eighteen|nineteen|a|an|one and a half|a half)")
_NUM = (rf"(?:\d+(?:\.\d+)?(?:\s+1/2|\s+and\s+a\s+half)?|{_NUMWORD}(?:\s+and\s+a\s+half)?|several|a\s+few|few|many|some"
        r"|a\s+couple\s+of|a\s+couple|couple\s+of|dozens\s+of|numerous|a\s+number\s+of|a\s+handful\s+of)")
_ORD = {"first": 1, "second": 2, "third": 3, "fourth": 4, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4, "final": 4, "last": 4}
_ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8, "ninth": 9,
    "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13, "fourteenth": 14, "fifteenth": 15,
    "sixteenth": 16, "seventeenth": 17, "eighteenth": 18, "nineteenth": 19, "twentieth": 20, "twenty-first": 21,
}
_SEASONS = {"spring": "SP", "summer": "SU", "fall": "FA", "autumn": "FA", "winter": "WI"}
_SEASON_INDEX = {"WI": 0, "SP": 1, "SU": 2, "FA": 3}
_DECADE_WORDS = {"twenties": 2, "thirties": 3, "forties": 4, "fifties": 5, "sixties": 6, "seventies": 7,
                 "eighties": 8, "nineties": 9}
_PARTS = {"morning": "MO", "afternoon": "AF", "evening": "EV", "night": "NI", "overnight": "NI"}


def _num(word: str) -> float | None:
    """A cardinal as a number; None for fuzzy amounts ('several', 'a few')."""
    w = " ".join(word.lower().replace("-", " ").split())
    if w in _FUZZY or w.startswith(("several", "a few", "few", "many", "some", "dozens", "numerous", "a number",
                                    "a couple", "couple", "a handful")):
        if w.startswith(("a couple", "couple")):
            return 2
        return None
    half = 0.0
    for tail in (" and a half", " 1/2"):
        if w.endswith(tail):
            half, w = 0.5, w[: -len(tail)].strip()
    if w in ("a half",):
        return 0.5
    if w in ("a", "an"):
        return 1 + half
    try:
        return float(w) + half
    except ValueError:
        pass
    parts = w.split()
    total = 0
    for p in parts:
        if p in _TENS:
            total += _TENS[p]
        elif p in _ONES:
            total += _ONES[p]
        elif p == "and":
            continue
        else:
            return None
    return total + half


# --- formatting and calendar helpers ---------------------------------------------------------

def _ymd(d: dt.date) -> str:
    return d.isoformat()


def _ym(y: int, m: int) -> str:
    return f"{y:04d}-{m:02d}"


def _week(d: dt.date) -> str:
    y, w, _ = d.isocalendar()
    return f"{y:04d}-W{w:02d}"


def _add_months(y: int, m: int, n: int) -> tuple[int, int]:
    k = y * 12 + (m - 1) + n
    return k // 12, k % 12 + 1


def _quarter(m: int) -> int:
    return (m - 1) // 3 + 1


def _safe_date(y: int, m: int, d: int) -> dt.date | None:
    try:
        return dt.date(y, m, d)
    except (ValueError, OverflowError):
        return None


def _shift_value(anchor: dt.date | None, unit: str, n: int) -> str | None:
    """The anchor moved by n units, written at that unit's granularity."""
    if anchor is None:
        return {"Y": "XXXX", "M": "XXXX-XX", "W": "XXXX-WXX", "D": "XXXX-XX-XX", "Q": "XXXX-QX",
                "DE": "XXX", "CE": "XX", "WE": "XXXX-WXX-WE", "H": "XXXX-XX-XXTXX"}.get(unit)
    try:
        if unit == "Y":
            return f"{anchor.year + n:04d}"
        if unit == "M":
            return _ym(*_add_months(anchor.year, anchor.month, n))
        if unit == "Q":
            y, m = _add_months(anchor.year, anchor.month, 3 * n)
            return f"{y:04d}-Q{_quarter(m)}"
        if unit == "W":
            return _week(anchor + dt.timedelta(weeks=n))
        if unit == "WE":
            return _week(anchor + dt.timedelta(weeks=n)) + "-WE"
        if unit == "D":
            return _ymd(anchor + dt.timedelta(days=n))
        if unit == "DE":
            return f"{anchor.year // 10 + n:03d}"
        if unit == "CE":
            return f"{anchor.year // 100 + n:02d}"
        if unit == "H":
            return None
    except (OverflowError, ValueError):
        return None
    return None


def _duration(n: float | None, unit: str) -> str:
    """A TIMEX3 duration value: P3Y, PT5H30M, PXM for a fuzzy amount."""
    if unit == "W2":
        unit, n = "W", (None if n is None else n * 2)
    if unit == "DE":
        return "PXDE" if n is None else f"P{_fmt(n * 10)}Y"
    if unit == "CE":
        return "PXCE" if n is None else f"P{_fmt(n * 100)}Y"
    if unit == "WE":
        return "PXWE" if n is None else f"P{_fmt(n)}WE"
    if unit == "Q":
        return "PXQ" if n is None else f"P{_fmt(n * 3)}M"
    time_unit = unit in ("H", "S") or unit == "MI"
    u = "M" if unit == "MI" else unit
    pre = "PT" if time_unit else "P"
    if n is None:
        return f"{pre}X{u}"
    if n != int(n):  # a half: 2 1/2 years -> P2Y6M, 5 1/2 hours -> PT5H30M
        whole = int(n)
        sub = {"Y": (6, "M"), "M": (15, "D"), "D": (12, "H"), "H": (30, "M"), "W": (84, "H")}.get(unit)
        if sub:
            lead = f"{whole}{u}" if whole else ""
            if unit == "D" or unit == "W":
                return f"P{lead}T{sub[0]}{sub[1]}"
            return f"{pre}{lead}{sub[0]}{sub[1]}"
    return f"{pre}{_fmt(n)}{u}"


def _fmt(n: float) -> str:
    return str(int(n)) if n == int(n) else str(n)


def _easter(y: int) -> dt.date:
    a, b, c = y % 19, y // 100, y % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l_) // 451
    month = (h + l_ - 7 * m + 114) // 31
    return dt.date(y, month, (h + l_ - 7 * m + 114) % 31 + 1)


def _nth_weekday(y: int, m: int, weekday: int, n: int) -> dt.date:
    """n-th ISO weekday (1=Mon) of a month; n=-1 for the last."""
    if n > 0:
        d = dt.date(y, m, 1)
        d += dt.timedelta(days=(weekday - d.isoweekday()) % 7)
        return d + dt.timedelta(weeks=n - 1)
    d = dt.date(y + (m == 12), m % 12 + 1, 1) - dt.timedelta(days=1)
    return d - dt.timedelta(days=(d.isoweekday() - weekday) % 7)


_HOLIDAYS: dict[str, Callable[[int], dt.date]] = {
    "christmas": lambda y: dt.date(y, 12, 25), "christmas day": lambda y: dt.date(y, 12, 25),
    "christmas eve": lambda y: dt.date(y, 12, 24), "new year's day": lambda y: dt.date(y, 1, 1),
    "new year's eve": lambda y: dt.date(y, 12, 31), "independence day": lambda y: dt.date(y, 7, 4),
    "halloween": lambda y: dt.date(y, 10, 31), "valentine's day": lambda y: dt.date(y, 2, 14),
    "thanksgiving": lambda y: _nth_weekday(y, 11, 4, 4), "thanksgiving day": lambda y: _nth_weekday(y, 11, 4, 4),
    "labor day": lambda y: _nth_weekday(y, 9, 1, 1), "memorial day": lambda y: _nth_weekday(y, 5, 1, -1),
    "easter": _easter, "easter sunday": _easter, "good friday": lambda y: _easter(y) - dt.timedelta(days=2),
    "veterans day": lambda y: dt.date(y, 11, 11), "armistice day": lambda y: dt.date(y, 11, 11),
    "boxing day": lambda y: dt.date(y, 12, 26), "may day": lambda y: dt.date(y, 5, 1),
    "election day": lambda y: _nth_weekday(y, 11, 1, 1) + dt.timedelta(days=1),
}


# --- tense of the clause -----------------------------------------------------------------------

_FUT = (r"(?:has|have|had)\s+(?:scheduled|slated)|will|won't|shall|'ll|would|wouldn't|going\s+to|(?:is|are|was|were|be)\s+(?:expected|scheduled|due|set|slated"
        r"|planned|supposed|likely|poised|about)|expected\s+(?:to|in|on|by|for)|expects?\s+to|scheduled\s+(?:for|to|on|in)"
        r"|slated\s+(?:for|to)|due\s+(?:to|in|on|by)|plans?\s+to|planned\s+(?:for|to)|planning\s+to|set\s+(?:to|for)"
        r"|payable|of\s+record|intends?\s+to|aims?\s+to|hopes?\s+to|wants?\s+to|upcoming|forthcoming|next(?!\s+to\b)|tomorrow|from\s+now|by\s+the\s+end"
        r"|must|should|can|cannot|can't|may|might|ought\s+to|(?:has|have|need|needs)\s+to|expects?|anticipates?|predicts?"
        r"|forecasts|projects|effective|begins|starts|opens|ends|expires?|matures?|as\s+soon\s+as|scheduled|slated|planned"
        r"|(?:is|are|was|were)\s+to|(?:decided|agreed|promised|pledged|vowed|threatened|offered|voted|prepared|ready"
        r"|willing|likely|unlikely|poised|eager|able|determined|asked|urged|invited)\s+to")
_PAST_WORDS = (
    "was|were|had|did|hadn't|wasn't|weren't|didn't|has\\s+been|have\\s+been|ago|last|yesterday|earlier|previously"
    "|said|told|took|made|came|went|saw|began|met|gave|won|lost|held|left|sold|bought|paid|fell|rose|led|brought|got"
    "|found|thought|knew|became|wrote|spoke|sent|spent|built|broke|struck|hit|quit|shut|chose|drove|flew|grew|ran"
    "|sought|fought|taught|caught|meant|felt|kept|heard|stood|understood|agreed|freed|fled|slid|won|overtook|withdrew"
    "|arose|forecast|sank|swore|tore|wore|woke|beat|bid|dealt|rang|sang|sat|slept|stole|stuck|threw|underwent")
_PARTICIPLE = (r"[a-z]+ed|heard|held|made|taken|given|seen|done|told|said|sold|paid|built|sent|spent|found|brought|"
               r"bought|kept|left|lost|won|shown|known|thrown|chosen|written|driven|beaten|set|put|cut|hit|shut|struck")
_TENSE_RE = re.compile(
    rf"\b(?P<f>{_FUT})\b|\b(?P<pv>(?P<aux>is|are|am|was|were|be|being)\s+(?:\w+ly\s+)?(?:{_PARTICIPLE}))\b|\b(?P<p>{_PAST_WORDS}|(?:has|have)\s+\w+ed|[a-z]{{2,}}[^e\W]ed|[a-z]+ied)\b"
    r"|\b(?P<r>is|are|am|says|say|does|do|has|have|remains?|continues?|isn't|aren't|doesn't|don't|now)\b")
_NOT_PAST = {"need", "united", "based", "red", "bed", "shed", "hundred", "naked", "wicked", "sacred", "kindred",
             "rugged", "ragged", "aged", "limited", "detailed", "advanced", "related", "expected", "scheduled",
             "planned", "proposed", "intended", "supposed", "so-called", "called", "interested", "concerned",
             "armed", "allied", "unnamed", "unidentified", "unspecified", "undisclosed"}
_CLAUSE_END = re.compile(r"[;!?]\s|\.\s+(?=[A-Z\"'`(\[])|\n")  # "Sept. 14" does not end a clause
_RIGHT_SUBCLAUSE = re.compile(r"\b(?:that|which|who|whom|whose)\b", re.I)
# on the right of a timex, where the clause it belongs to ends and a subordinate or coordinate one starts
_RIGHT_CLAUSE = re.compile(r"[,:(\"]|''|``|\s-{1,2}\s|\b(?:that|which|who|whom|whose|where|when|while|whereas|because"
                           r"|since|although|though|if|unless|until|after|before|as|but|so|and|or)\b", re.I)


def _kind(m: re.Match) -> str | None:
    if m.group("pv"):  # a passive takes its auxiliary's tense; "be done" defers to the modal before it
        aux = m.group("aux").lower()
        return "p" if aux in ("was", "were") else ("r" if aux in ("is", "are", "am") else None)
    return m.lastgroup


def _clause_tense(text: str, start: int, end: int) -> str | None:
    """past | present | future from the nearest tense cue in the clause around [start, end)."""
    lo = max(0, start - 90)
    left = text[lo:start]
    cut = None
    for m in _CLAUSE_END.finditer(left):
        cut = m.end()
    if cut is not None:
        left = left[cut:]
        lo += cut
    right = text[end : end + 90]
    m = _CLAUSE_END.search(right)
    if m:
        right = right[: m.start()]
    # "broadcast on Sunday that talks would resume": a cue past "that" or a comma is another clause's, unless the
    # timex opens its sentence ("On Sunday, police said ..."): then the clause after the comma is its own
    fronted = len(re.findall(r"\w+", left)) <= 3
    m = (_RIGHT_SUBCLAUSE if fronted else _RIGHT_CLAUSE).search(right)
    if m:
        right = right[: m.start()]
    best: tuple[int, str] | None = None
    for m in _TENSE_RE.finditer(left):
        kind = _kind(m)
        if kind is None:
            continue
        if kind == "p" and m.group().lower() in _NOT_PAST:
            continue
        dist = len(left) - m.end()
        if best is None or dist <= best[0]:
            best = (dist, kind)
    for m in _TENSE_RE.finditer(right):
        kind = _kind(m)
        if kind is None:
            continue
        if kind == "p" and m.group().lower() in _NOT_PAST:
            continue
        dist = 2 * m.start() + 3  # the governing verb is mostly on the left: a cue on the right counts double
        if best is None or dist < best[0]:
            best = (dist, kind)
        break
    if best is None:
        return None
    return {"f": "future", "p": "past", "r": "present"}[best[1]]


# --- the rules ---------------------------------------------------------------------------------

class _Ctx:
    __slots__ = ("text", "anchor", "day_first", "_tense", "last_quarter", "last_day", "last_month", "last_year",
                 "explicit", "last_start", "named", "final")

    def __init__(self, text: str, anchor: dt.date | None, day_first: bool):
        self.text = text
        self.anchor = anchor
        self.day_first = day_first
        self._tense: dict[tuple[int, int], str | None] = {}
        self.last_quarter: int | None = None
        # the narrative's reference time: the last day, month and year the text named ("that day", "later that
        # year", "a year later"), each kept only while it lies inside the coarser ones named after it
        self.last_day: dt.date | None = None
        self.last_month: tuple[int, int] | None = None
        self.last_year: int | None = None
        self.explicit: tuple[int, int, bool] | None = None  # (start, year, fronted) of the last year the text wrote out
        self.last_start = -1  # where the last DATE or TIME the text named starts
        self.named: dict[tuple[int, int | None], int] = {}  # (month, day or None) → year, of dates written out
        self.final = False  # False while candidates are only being checked, True in the pass in text order

    def note(self, value: str, anchored: bool, s: int) -> None:
        """A DATE or TIME the text named (in text order) becomes the narrative's reference time."""
        if value == "PRESENT_REF" and self.anchor is not None:  # "now": back to the time of the report
            value, anchored = _ymd(self.anchor), True
        dm = _R_VALUE_DAY.match(value) if value[:4].isdigit() else None
        if not dm or re.search(r"\bsince\s+(?:(?:early|late|mid)[\s-]+)?$", self.text[max(0, s - 16):s], re.I):
            return  # "held since 2012": a span that runs up to the report's time, not a time the story stands at
        y = int(dm.group(1))
        month = (y, int(dm.group(2))) if dm.group(2) else None
        day = _safe_date(y, int(dm.group(2)), int(dm.group(3))) if dm.group(3) else None
        self.last_year = y
        self.last_month = month or (self.last_month if self.last_month and self.last_month[0] == y else None)
        self.last_day = day or (self.last_day if self.last_day and (self.last_day.year, self.last_day.month)
                                == self.last_month else None)
        self.last_start = s
        if anchored:
            return
        if day:
            self.named[(day.month, day.day)] = y
        # a year the text wrote out as a point of its story ("In 1983", "on July 25, 2019"), not as a modifier
        # ("the 2016 candidates") nor as a bound of a span ("until 1974", "bonds due 1993")
        if not _MODIFIER_BEFORE.search(self.text, max(0, s - 12), s) and \
                not _BOUND_BEFORE.search(self.text, max(0, s - 24), s):
            cut = max([m.end() for m in _R_SENT_END.finditer(self.text, max(0, s - 300), s)] +
                      [self.text.rfind("\n", 0, s) + 1])
            self.explicit = (s, y, bool(_FRONTED.fullmatch(self.text, cut, s)))

    def tense(self, s: int, e: int) -> str | None:
        key = (s, e)
        if key not in self._tense:
            self._tense[key] = _clause_tense(self.text, s, e)
        return self._tense[key]


# A rule's normaliser returns (type, value, mod, anchored) or None to reject the candidate.
Result = tuple[str, str, str | None, bool] | None


def _month_no(tok: str) -> int | None:
    return _MONTHS.get(tok.lower().rstrip("."))


def _capitalised(tok: str) -> bool:
    return tok[:1].isupper()


_BOUND_BEFORE = re.compile(r"\b(?:since|until|till|through|thru|by|before|after|due|from|to|between)\s+"
                           r"(?:(?:early|late|mid|the\s+(?:end|start|beginning|middle)\s+of)[\s-]+)?$", re.I)
# the opening of a sentence whose first phrase is a time adverbial: "In 2008, …", "But in 2012, …", "Back in 1983"
_FRONTED = re.compile(r"\W*(?:(?:but|and|yet|so|then|still|however|back|even|also|later|earlier)\W+)?"
                      r"(?:(?:in|on|during|at|of)\s+)?", re.I)
_PAST_PERFECT = re.compile(r"\bhad\s+(?:not\s+|never\s+|already\s+|\w+ly\s+)?(?:been\s+)?[a-z]+(?:ed|en|wn|t)\b", re.I)


def _narrative_year(ctx: _Ctx, s: int, e: int, m: int, d: int | None) -> int | None:
    """The year the narrative gives a year-less month (day), where it overrides the time of the report.

    - the text already named that day with its year: "On July 25, 2019, Trump called … Trump's July 25
      call" is the same day;
    - the story is told at an earlier year than the report's, and the clause is in the past: the text wrote
      that year out as a point of its story (not "since 1990", "until 1974", "the 2016 race"), named no
      other time since, and either opened this sentence with it ("In 2008, the campaign began airing ads in
      mid-September") or, in the sentence before, with the past perfect marking a time before the report's
      ("In 1983 IBM hired him. On July 25 he had …").
    News writes the dates of the report's year without the year, so no more than that moves the year away
    from the anchor (in TimeBank a year-less date after another year the text named is the report's year;
    a year in a relative clause or a contrast — "which became legal in 2013, … in October" — is background)."""
    if not ctx.final:
        return None
    if d is not None and (m, d) in ctx.named:
        return ctx.named[(m, d)]
    if ctx.explicit is None or ctx.explicit[0] != ctx.last_start or ctx.anchor is None:
        return None
    start, y, fronted = ctx.explicit
    if y >= ctx.anchor.year or ctx.tense(s, e) != "past" or _BOUND_BEFORE.search(ctx.text, max(0, s - 24), s):
        return None
    between = ctx.text[start:s]
    ends = len(_R_SENT_END.findall(between)) + between.count("\n")
    if ends == 0:
        return y if fronted else None
    if ends == 1:
        sent = ctx.text[s: s + 200]
        sent = sent[: m_.start()] if (m_ := _R_SENT_END.search(sent)) else sent
        head = between[_R_SENT_END.search(between).end():] if _R_SENT_END.search(between) else ""
        if _PAST_PERFECT.search(head + ctx.text[s:e] + sent):
            return y
    return None


def _pick_year_md(ctx: _Ctx, s: int, e: int, m: int, d: int | None) -> int | None:
    """The year of a year-less month (day): the narrative's where it overrides the report's time
    (`_narrative_year`), else around the anchor: past tense → the latest on or before the anchor,
    future → the next on or after it, no tense cue → the nearer of the two."""
    a = ctx.anchor
    if a is None:
        return None
    ny = _narrative_year(ctx, s, e, m, d)
    if ny is not None and (d is None or _safe_date(ny, m, d) is not None):
        return ny
    tense = ctx.tense(s, e)
    if re.search(r"\bsince\s+(?:early\s+|late\s+|mid-?)?$", ctx.text[max(0, s - 12) : s], re.I):
        tense = "past"
    key, ak = (m, d or 1), (a.month, a.day if d else 1)
    past_y = a.year if key <= ak else a.year - 1
    fut_y = a.year if key >= ak else a.year + 1
    if d is None:
        dist_past = (a.year - past_y) * 12 + a.month - m
        dist_fut = (fut_y - a.year) * 12 + m - a.month
    else:
        dp, df = _safe_date(past_y, m, d), _safe_date(fut_y, m, d)
        dist_past = (a - dp).days if dp else 9999
        dist_fut = (df - a).days if df else 9999
    if tense == "past":
        y = past_y
        # a year-less day almost a year back while the other reading is weeks ahead: the tense cue was
        # the clause's, not the date's ("extended to Nov. 20 its offer")
        if d is not None and dist_past > 240 and dist_fut < 45:
            y = fut_y
        elif d is None and dist_past >= 11 and dist_fut <= 1:
            y = fut_y  # "decided to admit them in March" said in February: next month, not eleven back
    elif tense == "future":
        y = fut_y
        if d is not None and dist_fut > 240 and dist_past < 45:
            y = past_y
    elif d is None and tense is None:
        y = past_y  # a bare month with no tense cue: news reports what happened ("In January, ...")
        if dist_fut <= 1 and dist_past >= 11:
            y = fut_y  # ... but next month, not eleven back (a year-less month that far back would carry its year)
    else:
        y = past_y if dist_past <= dist_fut else fut_y
    if d is not None and _safe_date(y, m, d) is None:
        for alt in (y - 1, y + 1, y - 2, y - 3):  # February 29
            if _safe_date(alt, m, d) is not None:
                return alt
    return y


def _resolve_weekday(ctx: _Ctx, s: int, e: int, wd: int, rel: str | None) -> str:
    a = ctx.anchor
    if a is None:
        return f"XXXX-WXX-{wd}"
    diff = wd - a.isoweekday()  # -6..6
    if rel == "last":
        back = (a.isoweekday() - wd) % 7 or 7
        return _ymd(a - dt.timedelta(days=back))
    if rel == "next":
        fwd = (wd - a.isoweekday()) % 7 or 7
        return _ymd(a + dt.timedelta(days=fwd))
    if rel == "this":
        return _ymd(a + dt.timedelta(days=diff))
    tense = ctx.tense(s, e)
    if ctx.text.startswith(("'s ", "’s "), e):
        tense = "past"  # "Wednesday's ruling", "Friday's close": a day whose event the story reports
    if tense == "past":
        return _ymd(a - dt.timedelta(days=(a.isoweekday() - wd) % 7))
    if tense == "future":
        return _ymd(a + dt.timedelta(days=(wd - a.isoweekday()) % 7))
    back = (a.isoweekday() - wd) % 7
    fwd = (wd - a.isoweekday()) % 7
    # no tense cue: news mostly reports what happened, so the past reading unless it is most of a week back
    return _ymd(a - dt.timedelta(days=back) if back <= 4 or back <= fwd else a + dt.timedelta(days=fwd))


# a year with a determiner or a possessive before it modifies a noun ("the 2016 candidates", "Trump's 2017 visit")
_MODIFIER_BEFORE = re.compile(r"\b(?:the|a|an|his|her|its|their|our|your|my|this|that|whose)\s+$|['’]s\s+$", re.I)


def _from_reference(ctx: _Ctx, u: str, k: int) -> str | None:
    """The narrative's reference time moved by k units ("a year later", "two days earlier"), written at the
    unit's granularity. The reference is the last day, month or year the text named (`_Ctx.note`); with
    none named, or one that holds the anchor but is coarser than the unit, it is the anchor (the time of
    the report). A reference too coarse for the unit that does not hold the anchor ("In 1983 … two months
    later") gives an underspecified value: the text does not say which month."""
    a = ctx.anchor
    if not ctx.final or ctx.last_year is None:
        return _shift_value(a, u, k)
    if u in ("Y", "DE", "CE"):
        return _shift_value(dt.date(ctx.last_year, 7, 1), u, k) if _year_ok(ctx.last_year) else None
    if u in ("M", "Q") and ctx.last_month is not None:
        return _shift_value(dt.date(ctx.last_month[0], ctx.last_month[1], 1), u, k)
    if u in ("W", "D") and ctx.last_day is not None:
        return _shift_value(ctx.last_day, u, k)
    if a is not None and a.year == ctx.last_year and (u in ("M", "Q") or ctx.last_month in (None, (a.year, a.month))):
        return _shift_value(a, u, k)
    return _shift_value(None, u, k)


def _year_ok(y: int) -> bool:
    return 1000 <= y <= 2199


# absolute dates ------------------------------------------------------------------------------

_R_MDY = re.compile(
    rf"\b(?P<dow>)(?P<mon>{_MONTH})\s+(?:the\s+)?(?P<d>\d{{1,2}})(?:st|nd|rd|th)?(?!\d|:\d|\.\d|,\d)"
    rf"(?:(?:\s?,\s*|\s+)(?P<y>\d{{4}})(?![\d-]\w|\d))?")  # "August 29, 1958"; tokenised: "August 29 , 1958"
_R_DMY = re.compile(
    rf"\b(?P<dow>)(?:the\s+)?(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<mon>{_MONTH})(?!\w)"
    rf"(?:(?:\s?,)?\s+(?P<y>\d{{4}})(?!\d))?")
_R_MY = re.compile(rf"\b(?P<mon>{_FULL_MONTH}|{_ABBR_MONTH}(?=\s+\d))(?:,?\s+(?:of\s+)?(?P<y>\d{{4}})(?![\d-]\w|\d)"
                   r"|\s+(?P<rely>this|last|next)\s+year\b)?(?!\w)")
_R_ISO = re.compile(r"(?<![\w/.-])(?P<y>\d{4})(?P<sep>[-/.])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})(?:T(?P<t>\d{2}:\d{2}))?(?![\w/-]|\.\d)")
_R_NUMERIC = re.compile(r"(?<![\w/.$-])(?P<a>\d{1,2})(?P<sep>[/.-])(?P<b>\d{1,2})(?P=sep)(?P<y>\d{4}|\d{2})(?![\w/%-]|\.\d)")
_R_DOW = re.compile(rf"\b(?:(?P<rel>last|this|next|past|coming|previous)\s+)?(?P<dow>{_DOW})"
                    r"(?:\s+(?P<part>morning|afternoon|evening|night|overnight))?\b", re.I)


def _norm_full(ctx: _Ctx, m: re.Match, s: int, e: int) -> Result:
    mon_tok = m.group("mon")
    if not _capitalised(mon_tok):
        return None
    mo = _month_no(mon_tok)
    d = int(m.group("d"))
    y = m.group("y")
    if mo is None or not 1 <= d <= 31:
        return None
    if y:
        yi = int(y)
        if not _year_ok(yi) or _safe_date(yi, mo, d) is None:
            return None
        return "DATE", _ymd(dt.date(yi, mo, d)), None, False
    if _safe_date(2000, mo, d) is None:  # not a day of that month in any year
        return None
    if ctx.anchor is None:
        return "DATE", f"XXXX-{mo:02d}-{d:02d}", None, True
    yi = _pick_year_md(ctx, s, e, mo, d)
    if yi is None or _safe_date(yi, mo, d) is None:
        return None
    return "DATE", _ymd(dt.date(yi, mo, d)), None, True


_MONTH_PREV = re.compile(r"(?:\b(?:in|since|until|till|by|of|from|through|during|before|after|early|late|mid|last|next"
                         r"|this|that|each|every|between|and|to|or|the|end|beginning|start|middle)[\s-]+)$", re.I)


def _norm_month(ctx: _Ctx, m: re.Match, s: int, e: int) -> Result:
    mon_tok = m.group("mon")
    if not _capitalised(mon_tok):
        return None
    mo = _month_no(mon_tok)
    if mo is None:
        return None
    y = m.group("y")
    if y:
        yi = int(y)
        if not _year_ok(yi):
            return None
        return "DATE", _ym(yi, mo), None, False
    if m.group("rely"):
        if ctx.anchor is None:
            return "DATE", f"XXXX-{mo:02d}", None, True
        off = {"this": 0, "last": -1, "next": 1}[m.group("rely").lower()]
        return "DATE", _ym(ctx.anchor.year + off, mo), None, True
    if re.match(r"\s+(?:the\s+)?\d{1,2}(?!\d)", ctx.text[e : e + 10]):
        return None  # "February 30": the full-date rule found no such day
    # a bare month name: "May" and "March" need a preposition-like word before them (the modal, the verb)
    before = ctx.text[max(0, s - 16) : s]
    if mon_tok in ("May", "March", "August") or mon_tok.isupper():
        if not _MONTH_PREV.search(before):
            return None
    if ctx.anchor is None:
        return "DATE", f"XXXX-{mo:02d}", None, True
    yi = _pick_year_md(ctx, s, e, mo, None)
    return "DATE", _ym(yi, mo), None, True


def _norm_iso(ctx: _Ctx, m: re.Match, s: int, e: int) -> Result:
    y, mo, d = int(m.group("y")), int(m.group("m")), int(m.group("d"))
    if not _year_ok(y) or _safe_date(y, mo, d) is None:
        return None
    if m.group("t"):
        return "TIME", f"{y:04d}-{mo:02d}-{d:02d}T{m.group('t')}", None, False
    return "DATE", _ymd(dt.date(y, mo, d)), None, False


def _norm_numeric(ctx: _Ctx, m: re.Match, s: int, e: int) -> Result:
    a, b, ys = int(m.group("a")), int(m.group("b")), m.group("y")
    if len(ys) == 2:
        if m.group("sep") == ".":
            return None  # "3.5.12" is more often a version or a score than a date
        yy = int(ys)
        base = ctx.anchor.year if ctx.anchor else 2000
        y = 2000 + yy if 2000 + yy <= base + 10 else 1900 + yy
    else:
        y = int(ys)
    if not _year_ok(y):
        return None
    day, mon = (a, b) if ctx.day_first else (b, a)
    d = _safe_date(y, mon, day) or _safe_date(y, day, mon)  # swap only where the locale's order is impossible
    if d is None:
        return None
    return "DATE", _ymd(d), None, False


def _norm_dow(ctx: _Ctx, m: re.Match, s: int, e: int) -> Result:
    tok = m.group("dow")
    if not _capitalised(tok):
        return None
    rel = (m.group("rel") or "").lower() or None
    if rel in ("past", "previous"):
        rel = "last"
    elif rel == "coming":
        rel = "next"
    wd = _DAYS[tok.lower()]
    value = _resolve_weekday(ctx, s, e, wd, rel)
    if not rel:  # "Monday, Oct. 26": the weekday names the date that follows it
        nxt = _R_MDY.match(ctx.text, e + 2) if ctx.text[e : e + 2] == ", " else None
        if nxt and ctx.anchor is not None:
            res = _norm_full(ctx, nxt, nxt.start(), nxt.end())
            if res and re.fullmatch(r"\d{4}-\d\d-\d\d", res[1]) and dt.date.fromisoformat(res[1]).isoweekday() == wd:
                value = res[1]
    part = m.group("part")
    if part:
        return "TIME", value + "T" + _PARTS[part.lower()], None, True
    return "DATE", value, None, True


# "Monday, Oct. 26", "Friday 13 March 2020": one DATE with the weekday inside the extent (as TimeBank)
_R_DOW_MDY = re.compile(_R_MDY.pattern.replace(r"\b(?P<dow>)", rf"\b(?P<dow>{_DOW})\s?,?\s+", 1))
_R_DOW_DMY = re.compile(_R_DMY.pattern.replace(r"\b(?P<dow>)", rf"\b(?P<dow>{_DOW})\s?,?\s+(?:the\s+)?", 1))


# years, decades, centuries ------------------------------------------------------------------------

_R_YEAR = re.compile(
    r"(?:(?<=\bmid-)|(?<=\bMid-)|(?<![\w$#.,/-]))(?P<pre>(?:fiscal|calendar|the\s+year|model\s+year|FY)[\s-]*|(?:pre|post)-)?"
    r"(?P<y>(?:1[0-9]|20|21)\d\d)(?:(?P<dash>\s*(?:-|–|—|to|through)\s*)(?P<y2>(?:1[0-9]|20|21)\d\d|\d\d))?"
    r"(?![\w%$]|[.,]\d|-\w|/\d)", re.I)
_NOT_YEAR_AFTER = re.compile(
    r"\s*(?:(?:million|billion|thousand|hundred|percent|per|people|troops|soldiers|men|women|children|units|shares"
    r"|cars|vehicles|dollars|euros|pounds|yuan|rubles|roubles|tons|tonnes|km|kilometers|kilometres|miles|meters|metres"
    r"|feet|points|votes|seats|members|workers|employees|jobs|barrels|tanks|missiles|aircraft|planes|jets|systems"
    r"|launchers|rounds|cases|deaths|dead|victims|refugees|pages|words|acres|hectares|residents|students|patients"
    r"|[a-z]+ers|degrees|calories|mph|kg|lbs?)\b|\s*(?:%|:\d|\.\d))", re.I)
_NOT_YEAR_BEFORE = re.compile(
    r"(?:\b(?:No|no|number|Nos|page|pages|room|flight|Flight|route|Route|about|some|nearly|almost|around|over|than|only"
    r"|approximately|roughly|least|exactly|total|of\s+the|to|by|up|down|from\s+\$?\d+)\s+|[$€£¥#]\s*|\d[,.]?|[A-Za-z]-)$")


_R_BROKEN_DATE = re.compile(rf"\b{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s*$|\b\d{{1,2}}\s+{_MONTH},?\s*$")


def _norm_year(ctx: _Ctx, m: re.Match, s: int, e: int) -> Result:
    y = int(m.group("y"))
    if not _year_ok(y):
        return None
    before = ctx.text[max(0, s - 24) : s]
    if _R_BROKEN_DATE.search(before):
        return None  # the year of an impossible date ("February 30, 2017")
    pre = m.group("pre")
    if not pre:
        if before[-4:].lower() == "mid-":
            pass
        elif _NOT_YEAR_AFTER.match(ctx.text, e) or _NOT_YEAR_BEFORE.search(before):
            # "2000 troops", "about 1500", "$1990", "S-1990" are numbers, not years
            if not re.search(r"\b(?:in|since|of|from|until|till|by|before|after|during|early|late|mid|year)\s+$",
                             before, re.I) or _NOT_YEAR_AFTER.match(ctx.text, e):
                return None
        if not (1800 <= y <= 2100):
            if not re.search(r"\b(?:in|since|of|from|until|by|year|before|after|during)\s+$", before, re.I):
                return None
    return "DATE", f"{y:04d}", None, False


def _split_year_range(ctx: _Ctx, m: re.Match) -> list[tuple[int, int, str, str, str | None, bool]] | None:
    """'1997-1998', '1997-98', '1990 to 1995': two DATE timexes (TimeML tags each end)."""
    if not m.group("y2"):
        return None
    y1 = int(m.group("y"))
    raw2 = m.group("y2")
    y2 = int(raw2) if len(raw2) == 4 else (y1 // 100) * 100 + int(raw2)
    if len(raw2) == 2 and y2 < y1:
        y2 += 100
    if not (_year_ok(y1) and _year_ok(y2)) or not (y1 < y2 <= y1 + 200):
        return None
    if len(raw2) == 2 and m.group("dash").strip() not in ("-", "–", "—"):
        return None
    s1 = m.start("pre") if m.group("pre") else m.start("y")
    return [(s1, m.end("y"), "DATE", f"{y1:04d}", None, False),
            (m.start("y2"), m.end("y2"), "DATE", f"{y2:04d}", None, False)]


_R_DECADE = re.compile(
    r"\b(?:the\s+)?(?:(?P<y>(?:1[0-9]|20)\d)0['’]?s|(?:nineteen[\s-])?(?P<w>twenties|thirties|forties"
    r"|fifties|sixties|seventies|eighties|nineties))\b"
    r"|(?:\bthe\s+|(?<![\w'’‘`]))(?P<q>['’‘`])(?P<yy>\d)0s\b"
    r"|\b(?:the\s+)?(?P<bare>[1-9])0s\b", re.I)
# "the 90s" written without its apostrophe is a decade only after a preposition: "in the 90s", "since the mid-70s"
_BARE_DECADE_BEFORE = re.compile(r"\b(?:in|of|to|by|from|since|during|through|until|till|into)\s+(?:the\s+)?"
                                 r"(?:(?:very\s+)?(?:early|mid|late)[\s-]+)?(?:the\s+)?$", re.I)
_R_CENTURY = re.compile(
    r"\b(?:the\s+)?(?P<n>\d{1,2}(?:st|nd|rd|th)|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth"
    r"|eleventh|twelfth|thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|nineteenth|twentieth"
    r"|twenty-first)[\s-]+century\b", re.I)


# A decade written as a word ("forties") or as two digits ("the 90s", "the '90s") is a range of numbers as
# often as a decade: after "high" or "low" it is a quantity ("polling in the high forties", "temperatures in
# the low thirties"; decades take early, mid, late), after a possessive an age ("in his early forties"), and as
# the level of what its clause measures (a poll, a rating, a temperature, a score, a percentage) a figure
# ("Polls put her in the forties", "he scored in the 90s"). A clause that gives its figure otherwise uses the
# decade as a time ("prices rose 5% in the nineties"). "the 1990s" is always a decade.
_NOT_A_DECADE_BEFORE = re.compile(r"(?:\b(?:high|low|upper|lower)|\b(?:his|her|their|my|your|our|its|one's)"
                                  r"(?:\s+(?:early|mid|late))?)[\s-]*(?:the\s+)?$", re.I)
_MEASURE = re.compile(r"\b(?:polls?|polling|pollsters?|approval|ratings?|temperatures?|degrees?|scored?|scores"
                      r"|scoring|averages?|averaged|mph|IQ|margin|odds|fahrenheit|celsius|thermometer|percent(?:age)?"
                      r"|per\s+cent|points|aged?|ages)\b", re.I)
_CLAUSE_CUT = re.compile(r"[,;:()]|\s[-–—]+\s|\b(?:but|while|whereas)\b|[.!?]\s|\n", re.I)


def _a_measured_level(text: str, s: int, e: int, sentence: bool = False) -> bool:
    """Whether [s, e) is the level its clause measures: the clause names a poll, a rating, a temperature, a
    score or a percentage and gives no figure of its own. With `sentence`, whether its sentence names one
    at all (for "the 30s" written without an apostrophe: "… improved to the low 40s in the polls, while
    Trump's remains in the 30s")."""
    cut = _R_SENT_END if sentence else _CLAUSE_CUT
    left = text[max(0, s - 200) : s]
    cuts = [m.end() for m in cut.finditer(left)] + [left.rfind("\n") + 1]
    left = left[max(cuts):]
    right = text[e : e + 200]
    m = cut.search(right)
    right = right[: m.start()] if m else right
    right = right.split("\n", 1)[0]
    clause = left + " " + right
    return bool(_MEASURE.search(clause)) and (sentence or not re.search(r"\d", clause))


def _norm_decade(ctx: _Ctx, m: re.Match, s: int, e: int) -> Result:
    if m.group("y"):
        return "DATE", m.group("y"), None, False
    w = m.start("w") if m.group("w") else m.start("q") if m.group("q") else m.start("bare")
    if _NOT_A_DECADE_BEFORE.search(ctx.text[max(0, s - 24) : w]) or _a_measured_level(ctx.text, s, e):
        return None
    if m.group("bare") and (not _BARE_DECADE_BEFORE.search(ctx.text[max(0, s - 40) : w])
                            or _a_measured_level(ctx.text, s, e, sentence=True)):
        return None
    digit = int(m.group("yy") or m.group("bare")) if not m.group("w") else _DECADE_WORDS[m.group("w").lower()]
    return "DATE", f"19{digit}", None, False


def _norm_century(ctx: _Ctx, m: re.Match, s: int, e: int) -> Result:
    n = m.group("n").lower()
    k = int(n[:-2]) if n[0].isdigit() else _ORDINALS.get(n)
    if not k or k > 30:
        return None
    return "DATE", f"{k - 1:02d}", None, False


# quarters, halves, seasons, weeks -------------------------------------------------------------

_R_QUARTER = re.compile(
    r"\b(?:(?P<det>the|this|last|next|that)\s+)?"
    r"(?:(?P<ypre>\d{4}|this\s+year's|last\s+year's|next\s+year's)\s+)?"
    r"(?:(?P<rel>latest|current|previous|past|last|next|coming|same|year-ago|year-earlier|comparable\s+year-ago"
    r"|comparable\s+year-earlier|comparable|corresponding|recent|most\s+recent|just-ended|just\s+ended|final)\s+)?"
    r"(?:(?P<f1>fiscal|calendar)[\s-]+)?(?:(?P<ord>first|second|third|fourth|1st|2nd|3rd|4th)[\s-]+)?"
    r"(?:(?P<f2>fiscal|calendar)[\s-]+)?(?P<unit>quarter|period)(?![s-]|\w)"
    r"(?:\s+(?:of\s+|in\s+)?(?P<ypost>(?:fiscal\s+)?\d{4}|this\s+year|last\s+year|next\s+year|the\s+year(?:\s+before)?)"
    r"(?!\d)|\s+(?P<lastyear>a\s+year\s+(?:ago|earlier)|last\s+year))?"
    r"|\b(?P<q>Q[1-4])(?:\s*(?P<qy>\d{4}))?\b|\b(?P<qn>[1-4])Q(?:\s*(?P<qny>\d{4}))?\b", re.I)


_R_ENDED = re.compile(rf"\s+(?:that\s+|which\s+)?(?:ended|ending|ends|through)\s+(?P<mon>{_MONTH})"
                      r"\s+(?P<d>\d{1,2})(?!\d)(?:,?\s+(?P<y>\d{4})(?!\d))?")


def _year_from_phrase(ctx: _Ctx, phrase: str | None) -> tuple[int | None, bool]:
    """'1989' → 1989; "last year's" → anchor-1 (anchored)."""
    if not phrase:
        return None, False
    p = phrase.lower()
    dm = re.search(r"\d{4}", p)
    if dm:
        return int(dm.group()), False
    if ctx.anchor is None:
        return None, True
    off = -1 if ("last" in p or "before" in p) else (1 if "next" in p else 0)
    return ctx.anchor.year + off, True


def _norm_quarter(ctx: _Ctx, m: re.Match, s: int, e: int) -> Result:
    a = ctx.anchor
    if m.group("q") or m.group("qn"):
        q = int((m.group("q") or "Q" + m.group("qn"))[1])
        yv = m.group("qy") or m.group("qny")
        if yv:
            return "DATE", f"{yv}-Q{q}", None, False
        if a is None:
            return "DATE", f"XXXX-Q{q}", None, True
        y = a.year if (q - 1) * 3 + 1 <= a.month or ctx.tense(s, e) == "future" else a.year - 1
        return "DATE", f"{y}-Q{q}", None, True
    unit = m.group("unit").lower()
    det = (m.group("det") or "").lower()
    rel = (m.group("rel") or "").lower()
    rel = " ".join(rel.split())
    ordw = (m.group("ord") or "").lower()
    yphrase = m.group("ypre") or m.group("ypost")
    y, y_anch = _year_from_phrase(ctx, yphrase)
    lastyear = m.group("lastyear")
    ago = "year-ago" in rel or "year-earlier" in rel or bool(lastyear)
    if unit == "period":
        # "the latest period", "the year-ago period", "the 1988 period": the quarter a results story is about
        if det in ("a", "an") or not (rel or yphrase or lastyear):
            return None
        if rel in ("past", "next", "coming", "final", "same", "previous", "last"):
            return None
        if not rel and not lastyear:
            if y is None:
                return None
            if ctx.last_quarter is not None:
                return "DATE", f"{y}-Q{ctx.last_quarter}", None, True
            return "DATE", f"{y}", None, y_anch
    if not ordw and not rel and not yphrase and det not in ("the", "this", "last", "next", "that"):
        return None
    if ordw in ("",) and det == "a" and not rel:
        return None
    if not det and not ordw and not rel and not yphrase:
        return None
    ended = _R_ENDED.match(ctx.text, e)
    if ended and not ordw and unit == "quarter" and not ago and not yphrase and ctx.last_quarter is None:
        # "the quarter ended July 31": the calendar quarter holding most of its three months (its midpoint)
        mo = _month_no(ended.group("mon"))
        dd = int(ended.group("d"))
        if mo and _safe_date(2000, mo, dd):
            if ended.group("y"):
                ey = int(ended.group("y"))
            elif a is not None:
                ey = _pick_year_md(ctx, s, e, mo, dd) or a.year
            else:
                return "DATE", "XXXX-QX", None, True
            end_day = _safe_date(ey, mo, dd)
            if end_day is not None:
                mid = end_day - dt.timedelta(days=45)
                return "DATE", f"{mid.year}-Q{_quarter(mid.month)}", None, not ended.group("y")
    if ordw:
        q = _ORD[ordw]
    elif rel in ("previous", "past", "last") or (det == "last" and not rel):
        if a is None:
            return "DATE", "XXXX-QX", None, True
        return "DATE", _shift_value(a, "Q", -1), None, True
    elif rel in ("next", "coming") or (det == "next" and not rel):
        if a is None:
            return "DATE", "XXXX-QX", None, True
        return "DATE", _shift_value(a, "Q", 1), None, True
    elif (det == "this" and not rel) or rel in ("current",):
        if a is None:
            return "DATE", "XXXX-QX", None, True
        return "DATE", _shift_value(a, "Q", 0), None, True
    else:
        # "the quarter", "the latest quarter", "the year-ago quarter": the quarter the text is about
        if ctx.last_quarter is not None and not (rel in ("latest", "most recent", "just-ended", "just ended", "recent")
                                                 and a is not None):
            q = ctx.last_quarter
        elif a is not None:
            yq, mq = _add_months(a.year, a.month, -3)
            q = _quarter(mq)
            if y is None:
                y = yq - (1 if ago else 0)
                y_anch = True
        else:
            return "DATE", "XXXX-QX", None, True
    if y is None:
        if a is None:
            return "DATE", f"XXXX-Q{q}", None, True
        y = a.year
        if (q - 1) * 3 + 1 > a.month and ctx.tense(s, e) != "future":
            y -= 1
        if ago:
            y -= 1
        y_anch = True
    elif ago and not yphrase:
        y -= 1
    return "DATE", f"{y}-Q{q}", None, y_anch


_R_HALF = re.compile(
    r"\b(?:(?P<det>the|this|last|next)\s+)?(?:(?P<ypre>\d{4}|this\s+year's|last\s+year's|next\s+year's)\s+)?"
    r"(?:fiscal\s+)?(?P<ord>first|second|last|latter|back|front)[\s-]+half(?!-point|\s+(?:a|an|of\s+(?:the|a|an|all|its|his|her|their|those|these)\b))"
    r"(?:\s+of\s+(?P<ypost>\d{4}|this\s+year|last\s+year|next\s+year|the\s+year))?", re.I)


def _norm_half(ctx: _Ctx, m: re.Match, s: int, e: int) -> Result:
    h = 1 if m.group("ord").lower() in ("first", "front") else 2
    if not (m.group("det") or m.group("ypre") or m.group("ypost")):
        if ctx.text[max(0, s - 1) : s] != "" and not re.search(r"(?:\b(?:in|for|during|of|the)\s+)$", ctx.text[max(0, s - 12) : s], re.I):
            return None
    y, anch = _year_from_phrase(ctx, m.group("ypre") or m.group("ypost"))
    if y is None:
        if ctx.anchor is None:
            return "DATE", f"XXXX-H{h}", None, True
        y = ctx.anchor.year
        if h == 2 and ctx.anchor.month <= 6 and ctx.tense(s, e) != "future":
            y -= 1
        anch = True
    return "DATE", f"{y}-H{h}", None, anch


_R_SEASON = re.compile(
    r"\b(?:(?P<det>the|this|last|next|past|coming|that)\s+)?(?:(?P<ypre>\d{4})\s+)?"
    r"(?P<s>spring|summer|fall|autumn|winter)(?:\s+(?:of\s+)?(?P<ypost>\d{4}))?(?![\w-])", re.I)


def _norm_season(ctx: _Ctx, m: re.Match, s: int, e: int) -> Result:
    code = _SEASONS[m.group("s").lower()]
    det = (m.group("det") or "").lower()
    yv = m.group("ypre") or m.group("ypost")
    if yv:
        return "DATE", f"{yv}-{code}", None, False
    before = ctx.text[max(0, s - 12) : s]
    if not det and not re.search(r"\b(?:in|during|since|until|by|this|last|next|over|through|of|early|late|mid)[\s-]+$",
                                 before, re.I):
        return None
    a = ctx.anchor
    if a is None:
        return "DATE", f"XXXX-{code}", None, True
    cur = _SEASON_INDEX[{12: "WI", 1: "WI", 2: "WI", 3: "SP", 4: "SP", 5: "SP", 6: "SU", 7: "SU", 8: "SU"}.get(a.month, "FA")]
    idx = _SEASON_INDEX[code]
    y = a.year
    if det in ("last", "past"):
        y = a.year if idx < cur else a.year - 1
    elif det in ("next", "coming"):
        y = a.year if idx > cur else a.year + 1
    elif det != "this":
        tense = ctx.tense(s, e)
        if tense == "past" and idx > cur:
            y -= 1
        elif tense == "future" and idx < cur:
            y += 1
    return "DATE", f"{y}-{code}", None, True


_R_WEEKNO = re.compile(r"\b(?:(?:the\s+)?week\s+(?:no\.?\s*|number\s+)?(?P<n>\d{1,2})(?!\d)(?:\s+of\s+(?P<y>\d{4}))?"
                       rf"|(?:the\s+)?week\s+of\s+(?P<mon>{_MONTH})\s+(?P<d>\d{{1,2}})(?!\d)(?:,?\s+(?P<y2>\d{{4}}))?)", re.I)


def _norm_weekno(ctx: _Ctx, m: re.Match, s: int, e: int) -> Result:
    a = ctx.anchor
    if m.group("n"):
        n = int(m.group("n"))
        if not 1 <= n <= 53:
            return None
        if m.group("y"):
            return "DATE", f"{m.group('y')}-W{n:02d}", None, False
        if a is None:
            return "DATE", f"XXXX-W{n:02d}", None, True
        return "DATE", f"{a.isocalendar()[0]}-W{n:02d}", None, True
    mon = _month_no(m.group("mon"))
    d = int(m.group("d"))
    if mon is None or not _capitalised(m.group("mon")):
        return None
    if m.group("y2"):
        y, anch = int(m.group("y2")), False
    else:
        if a is None:
            return "DATE", "XXXX-WXX", None, True
        y, anch = _pick_year_md(ctx, s, e, mon, d), True
    day = _safe_date(y, mon, d)
    if day is None:
        return None
    return "DATE", _week(day), None, anch


# relative expressions -----------------------------------------------------------------------------

_R_DEICTIC = re.compile(
    r"\b(?P<w>today|tonight|yesterday|tomorrow|the\s+day\s+before\s+yesterday|the\s+day\s+after\s+tomorrow)"
    r"(?:'s)?(?:\s+(?P<part>morning|afternoon|evening|night))?\b"
    r"|\b(?P<this>this|last|tomorrow|yesterday)\s+(?P<part2>morning|afternoon|evening|night)\b", re.I)


def _norm_deictic(ctx: _Ctx, m: re.Match, s: int, e: int) -> Result:
    a = ctx.anchor
    if m.group("w"):
        w = " ".join(m.group("w").lower().split())
        off = {"today": 0, "tonight": 0, "yesterday": -1, "tomorrow": 1, "the day before yesterday": -2,
               "the day after tomorrow": 2}[w]
        part = m.group("part")
        if w == "tonight":
            part = "night"
    else:
        w = m.group("this").lower()
        off = {"this": 0, "last": -1, "tomorrow": 1, "yesterday": -1}[w]
        part = m.group("part2")
        if w == "last" and part.lower() != "night":
            return None
    day = "XXXX-XX-XX" if a is None else _ymd(a + dt.timedelta(days=off))
    if part:
        return "TIME", f"{day}T{_PARTS[part.lower()]}", None, True
    return "DATE", day, None, True


_REL_UNIT = r"(?:year|month|week|weekend|decade|century|quarter)"
_R_RELATIVE = re.compile(
    rf"\b(?P<rel>last|this|next|past|previous|coming|current|following|prior|the\s+same)\s+(?P<u>{_REL_UNIT})\b(?!-)"
    rf"|\b(?P<rel2>last|this|next|coming)\s+(?P<mon>{_FULL_MONTH})\b"
    r"|\b(?:the\s+(?=(?:year|month|week)-(?:ago|earlier|before)\s+(?:period|quarter)\b))?(?P<adj>year|month|week)-(?P<dir>ago|earlier|before)\b(?:\s+(?P<noun>period|quarter)\b)?"
    r"|\b(?P<ye>year[\s-]end)\b"
    r"|\b(?P<the>the)\s+(?P<cur>current|present|previous|prior|latest|past|last|coming|next|full|same|fiscal|calendar"
    r"|current\s+fiscal|latest\s+fiscal|previous\s+fiscal|prior\s+fiscal|last\s+fiscal|next\s+fiscal)\s+"
    rf"(?P<u2>year|month|week|decade|century)\b(?!-|\s+(?:old|long)\b)|\b(?P<the2>the)\s+(?P<u3>year|month|week)(?=\s+(?:that\s+|which\s+)?(?:ended|ending)\b)", re.I)


def _norm_relative(ctx: _Ctx, m: re.Match, s: int, e: int) -> Result:
    a = ctx.anchor
    if m.group("rel") and m.group("u")[0] == "W" and m.group("rel")[0] == "T" and \
            not re.search(r"(?:^|[.!?]['\"`]*|\n)\s*$", ctx.text[max(0, s - 4) : s]):
        return None  # "ABC News' \"This Week\"": a title-cased week inside a sentence is a name (a TV show)
    if m.group("u3"):  # "the year ended Sept. 30": the period itself
        return "DURATION", _duration(1, _UNITS[m.group("u3").lower()]), None, False
    if m.group("mon"):
        mon_tok = m.group("mon")
        if not _capitalised(mon_tok):
            return None
        mo = _MONTHS[mon_tok.lower()]
        rel = m.group("rel2").lower()
        if a is None:
            return "DATE", f"XXXX-{mo:02d}", None, True
        if rel == "last":
            y = a.year if mo < a.month else a.year - 1
        elif rel in ("next", "coming"):
            y = a.year if mo > a.month else a.year + 1
        else:
            y = a.year
        return "DATE", _ym(y, mo), None, True
    if m.group("ye"):
        if a is None:
            return "DATE", "XXXX-12-31", None, True
        y = a.year if ctx.tense(s, e) == "future" or a.month >= 12 else a.year - 1
        if ctx.tense(s, e) != "past" and a.month >= 7:
            y = a.year
        return "DATE", f"{y}-12-31", None, True
    if m.group("adj"):
        u = {"year": "Y", "month": "M", "week": "W"}[m.group("adj").lower()]
        d = m.group("dir").lower()
        if d == "end":
            return None
        noun = (m.group("noun") or "").lower()
        if u == "Y" and ctx.last_quarter is not None and noun in ("", "period", "quarter", "level", "levels",
                                                                 "figure", "figures", "result", "results"):
            if a is None:
                return "DATE", f"XXXX-Q{ctx.last_quarter}", None, True
            return "DATE", f"{a.year - 1}-Q{ctx.last_quarter}", None, True
        if noun in ("period", "quarter"):
            return None
        return "DATE", _shift_value(a, u, -1), None, True
    if m.group("rel"):
        rel = " ".join(m.group("rel").lower().split())
        unit = m.group("u").lower()
    else:
        rel = " ".join(m.group("cur").lower().split())
        unit = m.group("u2").lower()
        if rel in ("fiscal", "calendar") and unit != "year":
            return None
    u = _UNITS[unit]
    if re.match(r"\s+(?:that\s+|which\s+)?(?:ended|ending|ends|through|to\s+date)\b", ctx.text[e : e + 20]) and m.group("the"):
        return "DURATION", _duration(1, u), None, False  # "the fiscal year ended Jan. 31": the period itself
    if rel in ("past", "following", "coming") and m.group("rel") is None:
        # "the past year" reads as a period of time in TimeML
        return "DURATION", _duration(1, u), None, False
    if rel in ("following", "the same"):
        return None
    if rel == "past" or rel == "prior":
        if u in ("Y", "DE", "CE") and m.group("rel"):
            return "DURATION", _duration(1, u), None, False
        off = -1
    elif rel in ("last", "previous", "prior", "last fiscal", "previous fiscal", "prior fiscal"):
        off = -1
    elif rel in ("next", "coming", "next fiscal"):
        off = 1
    elif rel in ("full", "fiscal", "calendar", "latest", "latest fiscal"):
        if rel == "latest" and u != "Y":
            off = 0
        off = 0 if rel != "latest fiscal" else -1
        if rel == "latest" and u == "Y":
            off = -1
    elif rel == "same":
        return None
    else:
        off = 0
    if u == "WE":
        if a is None:
            return "DATE", "XXXX-WXX-WE", None, True
        if off == -1:
            base = a - dt.timedelta(days=(a.isoweekday() + 1) % 7 + 1 if a.isoweekday() >= 6 else a.isoweekday())
            return "DATE", _week(base) + "-WE", None, True
        if off == 1:
            return "DATE", _week(a + dt.timedelta(days=7 if a.isoweekday() >= 6 else 0)) + "-WE", None, True
        return "DATE", _week(a) + "-WE", None, True
    value = _shift_value(a, u, off)
    if value is None:
        return None
    return "DATE", value, None, True


# "for the year", "a high for the year", "by the end of the month": the current period the story is in
_R_THE_PERIOD = re.compile(r"\b[Tt]he\s+(?P<u>year|month)\b(?![-’']|\s+(?:ended|ending|ends|to\s+date|before|after"
                           r"|earlier|later|ago|two|nineteen|twenty|\d|of\s+(?:the\s+)?[A-Z\d]|that|which|when"
                           r"|in\s+which|old|long)\b)")
_PERIOD_PREP = re.compile(r"\b(?:for|of|in|during|through|throughout|by|until|till|since)\s+$", re.I)


def _norm_the_period(ctx: _Ctx, m: re.Match, s: int, e: int) -> Result:
    if not _PERIOD_PREP.search(ctx.text, max(0, s - 12), s):
        return None
    a = ctx.anchor
    if m.group("u") == "year":
        return "DATE", ("XXXX" if a is None else f"{a.year:04d}"), None, True
    return "DATE", ("XXXX-XX" if a is None else _ym(a.year, a.month)), None, True


_R_WEEKEND = re.compile(r"\b(?P<det>the|this|last|next|that|past|coming)\s+weekend\b(?!-)", re.I)


def _norm_weekend(ctx: _Ctx, m: re.Match, s: int, e: int) -> Result:
    a = ctx.anchor
    det = m.group("det").lower()
    if a is None:
        return "DATE", "XXXX-WXX-WE", None, True
    wd = a.isoweekday()
    sat_this = a + dt.timedelta(days=6 - wd)  # Saturday of the anchor's week
    sat_last = sat_this - dt.timedelta(days=7) if wd < 6 else sat_this
    if det in ("last", "past"):
        return "DATE", _week(sat_last) + "-WE", None, True
    if det in ("next", "coming"):
        return "DATE", _week(sat_this if wd < 6 else sat_this + dt.timedelta(days=7)) + "-WE", None, True
    if det == "this":
        return "DATE", _week(sat_this) + "-WE", None, True
    tense = ctx.tense(s, e)
    return "DATE", _week(sat_last if tense != "future" else sat_this) + "-WE", None, True


_R_WORD_YEAR = re.compile(
    rf"\b(?:(?P<mon>{_FULL_MONTH})[\s,]+|(?:the\s+)?(?P<sea>spring|summer|fall|autumn|winter)\s+of\s+)?"
    rf"(?:(?P<the>the\s+year)\s+)?(?:(?P<c>nineteen|eighteen|twenty)[\s-]+(?:hundred(?:\s+and)?\s+)?(?P<yy>{_NUMWORD})"
    rf"|two\s+thousand(?:\s+(?:and\s+)?(?P<y2k>{_NUMWORD}))?)\b", re.I)


def _norm_word_year(ctx: _Ctx, m: re.Match, s: int, e: int) -> Result:
    if m.group("c"):
        yy = _num(m.group("yy"))
        if yy is None or not 1 <= yy <= 99 or m.group("yy").lower() in ("a", "an"):
            return None
        y = {"nineteen": 1900, "eighteen": 1800, "twenty": 2000}[m.group("c").lower()] + int(yy)
        if m.group("c").lower() == "twenty" and not m.group("the") and yy < 10:
            return None
    else:
        if not m.group("the"):
            return None  # "two thousand troops"
        yy = _num(m.group("y2k")) if m.group("y2k") else 0
        if yy is None or m.group("y2k") and m.group("y2k").lower() in ("a", "an"):
            return None
        y = 2000 + int(yy)
    if m.group("mon"):  # "January nineteen ninety-seven", as broadcast transcripts write it
        return "DATE", f"{y:04d}-{_month_no(m.group('mon')):02d}", None, False
    if m.group("sea"):  # "the winter of nineteen ninety-four"
        return "DATE", f"{y:04d}-{_SEASONS[m.group('sea').lower()]}", None, False
    return "DATE", f"{y:04d}", None, False


_R_ANAPHORIC = re.compile(
    r"\b(?P<rel>that|that\s+same|the\s+same|the\s+next|the\s+following|the\s+previous|the\s+preceding|the\s+prior)"
    r"\s+(?P<u>day|morning|afternoon|evening|night|month|year)\b(?!-)|\b(?P<u2>the\s+day)\s+(?P<rel2>before|after)\b(?=\s*[.,;:)]|$)",
    re.I)


def _norm_anaphoric(ctx: _Ctx, m: re.Match, s: int, e: int) -> Result:
    """'that day', 'the next day', 'later that year': relative to the last date the text named."""
    if not ctx.final:
        return "DATE", "XXXX", None, True
    rel = " ".join((m.group("rel") or m.group("rel2")).lower().split())
    unit = (m.group("u") or "day").lower()
    off = 1 if rel in ("the next", "the following", "after") else (-1 if rel in ("the previous", "the preceding",
                                                                                  "the prior", "before") else 0)
    if ctx.last_year is None:
        return None
    # the story stands at a coarser time than the unit: "that same day" after "last October" is a day of it
    # (1998-10-XX); "the next day" after it could be in the next month, so no more than that it is a day
    coarse = (f"{ctx.last_month[0]:04d}-{ctx.last_month[1]:02d}" if ctx.last_month else f"{ctx.last_year:04d}-XX")
    if unit in ("day", "morning", "afternoon", "evening", "night"):
        if ctx.last_day is None and ctx.last_month is None:
            return None  # a day of a year the story stands at is no day the text can point back to
        if ctx.last_day is None:
            day = f"{coarse}-XX" if off == 0 else "XXXX-XX-XX"
        else:
            day = _ymd(ctx.last_day + dt.timedelta(days=off))
        if unit != "day":
            return "TIME", f"{day}T{_PARTS[unit]}", None, True
        return "DATE", day, None, True
    if unit == "month":
        if ctx.last_month is None:
            return "DATE", f"{ctx.last_year:04d}-XX" if off == 0 else "XXXX-XX", None, True
        return "DATE", _ym(*_add_months(ctx.last_month[0], ctx.last_month[1], off)), None, True
    return "DATE", f"{ctx.last_year + off:04d}", None, True


# durations and "N units ago" ---------------------------------------------------------------------

_MODS = (r"(?P<mod>more\s+than|less\s+than|fewer\s+than|nearly|almost|about|around|roughly|approximately|some|at\s+least"
         r"|at\s+most|up\s+to|no\s+more\s+than|no\s+less\s+than|just\s+over|just\s+under|well\s+over"
         r"|close\s+to|upwards\s+of|in\s+excess\s+of)")
_MOD_VALUE = {
    "more than": "MORE_THAN", "over": "MORE_THAN", "just over": "MORE_THAN", "well over": "MORE_THAN",
    "upwards of": "MORE_THAN", "in excess of": "MORE_THAN", "less than": "LESS_THAN", "fewer than": "LESS_THAN",
    "under": "LESS_THAN", "just under": "LESS_THAN", "nearly": "APPROX", "almost": "APPROX", "close to": "APPROX",
    "barely": "APPROX", "about": "APPROX", "around": "APPROX", "roughly": "APPROX", "approximately": "APPROX",
    "some": "APPROX", "at least": "EQUAL_OR_MORE", "no less than": "EQUAL_OR_MORE", "at most": "EQUAL_OR_LESS",
    "up to": "EQUAL_OR_LESS", "no more than": "EQUAL_OR_LESS",
}
_R_DURATION = re.compile(
    rf"\b(?:{_MODS}\s+)?(?:(?P<the>the|each\s+of\s+the|all\s+of\s+the)\s+)?"
    r"(?:(?P<dir>past|last|next|first|previous|coming|following|latest|final|initial|remaining|recent|preceding"
    r"|intervening|ensuing|subsequent|same|full|entire|whole)\s+)?"
    rf"(?P<n>{_NUM}(?:\s+(?:or|to)\s+{_NUM})?|another|an\s+additional|an\s+extra)(?:\s+(?:more|additional|extra))?"
    rf"[\s-]+(?P<u>{_UNIT})(?!\w)"
    r"(?:(?P<ago>\s+(?:ago|earlier|later|from\s+now|hence))|(?P<old>[\s-]+old\b))?", re.I)
_R_BARE_PLURAL = re.compile(
    r"\b(?:(?P<pre>for|within|in|over|after|takes?|took|lasted|last|spent|spend|past|recent|coming|ensuing)\s+)"
    r"(?P<t>(?:the\s+)?(?:(?P<q>past|recent|coming|next|last|ensuing|following|previous)\s+)?"
    r"(?P<u>seconds|minutes|hours|days|weeks|months|years|decades|centuries|quarters))\b(?!\s+(?:of|old|ago|before|after)\b)"
    r"|\b(?P<t2>(?P<q2>recent|coming)\s+(?P<u2>days|weeks|months|years|decades|quarters))\b", re.I)


def _unit_code(tok: str) -> str:
    t = tok.lower()
    if t.startswith("centur"):
        return "CE"
    t = t[:-1] if t.endswith("s") else t
    if t == "minute":
        return "MI"
    return _UNITS[t]


_RATE_OK = {"times", "percent", "cents", "dollars", "pence", "yen", "marks", "francs", "pounds", "euros", "hours",
            "days", "minutes", "miles", "kilometers", "hour", "day"}


def _norm_duration(ctx: _Ctx, m: re.Match, s: int, e: int) -> Result:
    ntok = m.group("n")
    nlow = ntok.lower()
    unit = m.group("u").lower()
    u = _unit_code(unit)
    if " or " in nlow or " to " in nlow:
        n = None
    else:
        n = _num(ntok)
    if nlow in ("another", "an additional", "an extra") or re.fullmatch(r"an\s+(?:additional|extra)", nlow):
        n = 1
    if nlow in ("a", "an") and unit.endswith("s"):
        return None
    mod = _MOD_VALUE.get(" ".join((m.group("mod") or "").lower().split()))
    if m.group("mod") and m.group("mod").lower() == "some" and n is None:
        return None
    the = (m.group("the") or "").lower()
    direction = (m.group("dir") or "").lower()
    if m.group("old"):
        return None  # ages ("a 44-year-old protester") are not time expressions in TimeML
    if u == "Q" and ctx.text[m.end("n") : m.start("u")] == "-":
        return None  # "three-quarters" is a fraction
    if nlow in ("a", "an") and u in ("S", "MI"):
        return None  # "a second betrayal"
    if m.group("ago"):
        word = " ".join(m.group("ago").split()).lower()
        if word in ("before", "after", "since"):
            return None  # "two days before the vote": the duration alone (a shorter candidate)
        if direction or the in ("the",):
            return None
        sign = -1 if word in ("ago", "earlier") else 1
        a = ctx.anchor
        if n is None:
            return "DATE", "PAST_REF" if sign < 0 else "FUTURE_REF", mod, False
        if n != int(n):
            return "DATE", "PAST_REF" if sign < 0 else "FUTURE_REF", mod, False
        k = int(n) * sign
        if u == "Y" and ctx.last_quarter is not None and int(n) == 1:
            v = f"XXXX-Q{ctx.last_quarter}" if a is None else f"{a.year + k}-Q{ctx.last_quarter}"
            return "DATE", v, mod, True
        # "ago", "from now", "hence" count from the time of the report; "later", "earlier" from the narrative's
        shift = (lambda unit, k_: _shift_value(a, unit, k_)) if word in ("ago", "from now", "hence") else \
            (lambda unit, k_: _from_reference(ctx, unit, k_))
        if u in ("MI", "S"):
            return "DURATION", _duration(n, u), mod, False
        if u == "H":
            if a is None:
                return "TIME", "XXXX-XX-XXTXX", mod, True
            return "DURATION", _duration(n, u), mod, False
        if u == "WE":
            u = "W"
        if u == "DE":
            v = shift("Y", 10 * k)
            return "DATE", (v[:3] if v and v[0] != "X" else "XXX"), mod, True
        if u == "CE":
            v = shift("Y", 100 * k)
            return "DATE", (v[:2] if v and v[0] != "X" else "XX"), mod, True
        if u in ("Q", "Y", "M", "W", "D"):
            v = shift(u, k)
            return ("DATE", v, mod, True) if v else None
        return None
    if the in ("a", "an") and nlow not in ("few", "couple", "couple of", "number of", "handful of", "half"):
        return None
    if direction == "first" and u == "Q":
        return None
    if n is not None and n > 1000:
        return None
    if u == "Q" and not unit.endswith("s"):
        return None  # "a quarter" is a fraction more often than a period
    if nlow in ("a", "an") and not (the or mod or direction):
        # "a year" after an amount is a rate: "$5 million a year"
        before = ctx.text[max(0, s - 30) : s]
        cnt = re.search(r"(?P<cur>[$£¥€]\s*)?\b[\d,.]*\d(?:\s+(?:million|billion|thousand))?(?:\s+(?P<noun>[a-z]+))?\s*$"
                        r"|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|dozen|hundred)\s+(?P<noun2>[a-z]+)\s*$", before)
        if cnt and not cnt.group("cur") and (cnt.group("noun") or cnt.group("noun2") or "").lower() not in _RATE_OK:
            return None  # "four flights a week", "358,000 a month": a count per period, not tagged in TimeBank
        if re.search(r"(?:\d|million|billion|thousand|percent|%|times|once|twice|cents|dollars|hours|days|shares)\W*$",
                     before, re.I):
            return "SET", _duration(1, u), None, False
        if unit in ("day", "night"):
            return None  # "a day" on its own is mostly not a period ("a day after"), TimeML tags it only in context
    if direction in ("past", "last", "recent", "previous", "preceding") and n is None:
        return "DURATION", _duration(None, u), mod, False
    if direction in ("next", "coming") and n is None:
        return "DURATION", _duration(None, u), mod, False
    return "DURATION", _duration(n, u), mod, False


def _norm_bare_plural(ctx: _Ctx, m: re.Match, s: int, e: int) -> Result:
    unit = (m.group("u") or m.group("u2")).lower()
    q = (m.group("q") or m.group("q2") or "").lower()
    pre = (m.group("pre") or "").lower()
    if not q and pre in ("past", "recent", "coming", "ensuing", "last"):
        return None
    if q == "last" and not pre:
        return None
    return "DURATION", _duration(None, _unit_code(unit)), None, False


# sets ------------------------------------------------------------------------------------------

_R_SET = re.compile(
    r"\b(?P<adv>daily|weekly|monthly|quarterly|annually|yearly|hourly|nightly|biweekly|bimonthly|semiannually"
    r"|semi-annually|biannually|fortnightly)\b"
    rf"|\b(?P<ev>every|each|per)\s+(?:(?P<other>other|single)\s+)?(?:(?P<n>{_NUMWORD}|\d+)\s+)?"
    rf"(?P<u>{_UNIT}|{_DOW}s?|{_FULL_MONTH}|morning|afternoon|evening|night|spring|summer|fall|autumn|winter)\b"
    rf"|\b(?P<freq>once|twice|three\s+times|four\s+times|several\s+times|\d+\s+times)\s+(?:a|an|per|each|every)\s+(?P<fu>{_UNIT})\b"
    rf"|\b(?P<dows>{_DOW})s\b", re.I)
_SET_ADV = {"daily": "P1D", "weekly": "P1W", "monthly": "P1M", "quarterly": "P3M", "annually": "P1Y", "yearly": "P1Y",
            "hourly": "PT1H", "nightly": "P1D", "biweekly": "P2W", "bimonthly": "P2M", "semiannually": "P6M",
            "semi-annually": "P6M", "biannually": "P6M", "fortnightly": "P2W"}


_NOT_NOUN = {"and", "or", "but", "in", "to", "for", "at", "on", "by", "from", "with", "since", "until", "during", "as",
             "the", "a", "an", "basis", "than", "if", "when", "while", "because", "through", "over", "after", "before"}


def _norm_set(ctx: _Ctx, m: re.Match, s: int, e: int) -> Result:
    if m.group("adv"):
        adv = m.group("adv").lower()
        if adv not in ("daily", "annually", "semiannually", "semi-annually", "biannually"):
            nxt = re.match(r"\s+([a-z][a-z-]*)", ctx.text[e : e + 30])
            if nxt and nxt.group(1) not in _NOT_NOUN:
                return None  # an adjective: "its quarterly dividend", "a weekly magazine"
        before = ctx.text[max(0, s - 20) : s]
        if adv in ("annually", "yearly") and re.search(r"(?:%|\bpercent)\s*$", before, re.I):
            return None  # a growth rate ("to rise 8.5% annually") is not a time expression in TimeBank
        if adv == "daily" and re.search(r"\baverage\s+$", before, re.I):
            return None  # "average daily volume": the name of a statistic
        return "SET", _SET_ADV[adv], None, False
    if m.group("dows"):
        tok = m.group("dows")
        if not _capitalised(tok):
            return None
        return "SET", f"XXXX-WXX-{_DAYS[tok.lower()]}", None, False
    if m.group("freq"):
        return "SET", _duration(1, _unit_code(m.group("fu"))), None, False
    u = m.group("u")
    low = u.lower()
    ev = m.group("ev").lower()
    n = _num(m.group("n")) if m.group("n") else 1
    if m.group("other") and m.group("other").lower() == "other":
        n = 2
    if low.rstrip("s") in _DAYS:
        if not _capitalised(u) or ev == "per":
            return None
        return "SET", f"XXXX-WXX-{_DAYS[low.rstrip('s')]}", None, False
    if low in _MONTHS and len(low) > 3:
        if not _capitalised(u) or ev == "per":
            return None
        return "SET", f"XXXX-{_MONTHS[low]:02d}", None, False
    if low in _PARTS:
        return "SET", f"XXXX-XX-XXT{_PARTS[low]}", None, False
    if low in _SEASONS:
        return "SET", f"XXXX-{_SEASONS[low]}", None, False
    if ev == "per" and m.group("n") is None and not low.endswith("s"):
        before = ctx.text[max(0, s - 30) : s]
        if not re.search(r"\S", before):
            return None
    if n is None:
        return None
    return "SET", _duration(n, _unit_code(low)), None, False


# vague references, holidays, clock times -------------------------------------------------------

_R_VAGUE = re.compile(
    r"\b(?P<present>now|right\s+now|just\s+now|currently|nowadays|presently|at\s+present|these\s+days|the\s+present"
    r"|current|the\s+moment|this\s+time)\b(?!-)"
    r"|\b(?P<past>recently|lately|formerly|the\s+past|the\s+old\s+days|once\s+upon\s+a\s+time)\b(?!-)"
    r"|\b(?P<future>(?<!as\s)soon(?!\s+as\b|\s+after\b)|the\s+future|the\s+near\s+future|the\s+distant\s+future|a\s+later\s+date"
    r"|the\s+coming\s+(?:days|weeks|months|years))\b(?!-)", re.I)
_VAGUE_SKIP_AFTER = re.compile(r"\s*(?:account|accounts|affairs|events|rate|rates|flows?|assets|liabilities|"
                               r"\w+ers\b|that\b|on\b)", re.I)


def _norm_vague(ctx: _Ctx, m: re.Match, s: int, e: int) -> Result:
    w = " ".join(m.group().lower().split())
    if m.group("present"):
        if w == "current" and _VAGUE_SKIP_AFTER.match(ctx.text, e):
            return None  # "current account", "current affairs": not a time
        if w == "the moment" and not re.search(r"\b(?:at|for)\s+$", ctx.text[max(0, s - 6) : s], re.I):
            return None
        if w == "this time":
            return None
        if m.group() == "Now" and ctx.text.startswith(",", e):
            return None  # "Now, he says, ...": a sentence-opening discourse marker, not tagged in TimeBank
        return "DATE", "PRESENT_REF", None, False
    if m.group("past"):
        if w == "in the past":
            return None  # the preposition stays out: "the past" alone is a shorter candidate
        if w == "recent" and re.match(r"\s+(?:days|weeks|months|years|decades)\b", ctx.text[e : e + 10], re.I):
            return None
        return "DATE", "PAST_REF", None, False
    if w == "future" and re.match(r"\s+(?:tense|perfect)\b", ctx.text[e : e + 10], re.I):
        return None
    return "DATE", "FUTURE_REF", None, False


_R_HOLIDAY = re.compile(
    r"\b(?:(?P<rel>last|this|next)\s+)?(?P<h>Christmas(?:\s+(?:Day|Eve))?|New\s+Year's\s+(?:Day|Eve)|Independence\s+Day"
    r"|Halloween|Valentine's\s+Day|Thanksgiving(?:\s+Day)?|Labor\s+Day|Memorial\s+Day|Easter(?:\s+Sunday)?"
    r"|Good\s+Friday|Veterans\s+Day|Armistice\s+Day|Boxing\s+Day|May\s+Day|Election\s+Day)(?:,?\s+(?P<y>\d{4}))?\b")


def _norm_holiday(ctx: _Ctx, m: re.Match, s: int, e: int) -> Result:
    name = " ".join(m.group("h").lower().split())
    fn = _HOLIDAYS.get(name)
    if fn is None:
        return None
    if m.group("y"):
        return "DATE", _ymd(fn(int(m.group("y")))), None, False
    a = ctx.anchor
    if a is None:
        d = fn(2000)
        return "DATE", f"XXXX-{d.month:02d}-{d.day:02d}", None, True
    rel = (m.group("rel") or "").lower()
    this = fn(a.year)
    if rel == "last" or (not rel and ctx.tense(s, e) == "past"):
        d = this if this < a or (not rel and this == a) else fn(a.year - 1)
    elif rel == "next" or ctx.tense(s, e) == "future":
        d = this if this > a or (not rel and this == a) else fn(a.year + 1)
    else:
        d = this
    return "DATE", _ymd(d), None, True


_AMPM = r"(?P<ap>a\.\s?m\.?|p\.\s?m\.?|am\b|pm\b|AM\b|PM\b)"
_TZ = r"(?:\s+(?P<tz>[ECMP][SD]T|GMT|UTC|BST|CET|CEST|EET|EEST|MSK|local\s+time|Moscow\s+time|Ankara\s+time))?"
_DAYREF = (rf"(?:,?\s+(?:on\s+)?(?:(?P<ddow>{_DOW})|(?P<dd>today|tomorrow|yesterday|tonight)"
           rf"|(?P<dmon>{_MONTH})\s+(?P<dday>\d{{1,2}})(?!\d)(?:,\s*(?P<dy>\d{{4}}))?))?")
_R_TIME = re.compile(
    rf"(?:(?<![\w:.$])(?P<h>1[0-2]|0?[1-9])(?::(?P<mi>[0-5]\d))?\s*{_AMPM}"
    rf"|(?<![\w:.$])(?P<h24>[01]?\d|2[0-3])[:.](?P<mi24>[0-5]\d)(?=\s*(?:GMT|UTC|[ECMP][SD]T|hours|hrs|local|Moscow|Ankara|CET|MSK|BST)\b)"
    rf"(?:\s*(?:hours|hrs))?"
    rf"|\b(?P<nm>noon|midnight|midday)\b){_TZ}{_DAYREF}", re.I)


def _norm_time(ctx: _Ctx, m: re.Match, s: int, e: int) -> Result:
    if m.group("nm"):
        hh, mm = (12, 0) if m.group("nm").lower() in ("noon", "midday") else (24, 0)
        time = f"{hh:02d}:{mm:02d}"
    elif m.group("h24"):
        time = f"{int(m.group('h24')):02d}:{m.group('mi24')}"
    else:
        h = int(m.group("h"))
        ap = m.group("ap").lower().replace(" ", "")
        if ap.startswith("p") and h != 12:
            h += 12
        elif ap.startswith("a") and h == 12:
            h = 0
        time = f"{h:02d}:{m.group('mi') or '00'}"
    a = ctx.anchor
    day: str | None = None
    anch = True
    if m.group("ddow"):
        tok = m.group("ddow")
        day = _resolve_weekday(ctx, s, e, _DAYS[tok.lower()], None)
    elif m.group("dd"):
        off = {"today": 0, "tonight": 0, "tomorrow": 1, "yesterday": -1}[m.group("dd").lower()]
        day = "XXXX-XX-XX" if a is None else _ymd(a + dt.timedelta(days=off))
    elif m.group("dmon"):
        mo = _month_no(m.group("dmon"))
        dd = int(m.group("dday"))
        if mo is None or _safe_date(2000, mo, dd) is None:
            return None
        if m.group("dy"):
            dd_ = _safe_date(int(m.group("dy")), mo, dd)
            if dd_ is None:
                return None
            day, anch = _ymd(dd_), False
        elif a is None:
            day = f"XXXX-{mo:02d}-{dd:02d}"
        else:
            y = _pick_year_md(ctx, s, e, mo, dd)
            d_ = _safe_date(y, mo, dd) if y else None
            day = _ymd(d_) if d_ else f"XXXX-{mo:02d}-{dd:02d}"
    else:
        day = "XXXX-XX-XX" if a is None else _ymd(a)
    return "TIME", f"{day}T{time}", None, anch


# --- candidate selection ------------------------------------------------------------------------

_RULES: list[tuple[re.Pattern, Callable[[_Ctx, re.Match, int, int], Result], int]] = [
    (_R_ISO, _norm_iso, 0),
    (_R_NUMERIC, _norm_numeric, 0),
    (_R_TIME, _norm_time, 0),
    (_R_MDY, _norm_full, 1),
    (_R_DMY, _norm_full, 1),
    (_R_DOW_MDY, _norm_full, 1),
    (_R_DOW_DMY, _norm_full, 1),
    (_R_WEEKNO, _norm_weekno, 1),
    (_R_HOLIDAY, _norm_holiday, 1),
    (_R_QUARTER, _norm_quarter, 2),
    (_R_HALF, _norm_half, 2),
    (_R_DECADE, _norm_decade, 2),
    (_R_CENTURY, _norm_century, 2),
    (_R_MY, _norm_month, 3),
    (_R_SEASON, _norm_season, 3),
    (_R_DEICTIC, _norm_deictic, 3),
    (_R_RELATIVE, _norm_relative, 3),
    (_R_DOW, _norm_dow, 4),
    (_R_WEEKEND, _norm_weekend, 3),
    (_R_THE_PERIOD, _norm_the_period, 6),
    (_R_ANAPHORIC, _norm_anaphoric, 3),
    (_R_WORD_YEAR, _norm_word_year, 2),
    (_R_DURATION, _norm_duration, 4),
    (_R_SET, _norm_set, 4),
    (_R_YEAR, _norm_year, 5),
    (_R_VAGUE, _norm_vague, 6),
    (_R_BARE_PLURAL, _norm_bare_plural, 7),
]

# modifiers taken into the extent on the left: "early 2017", "the end of 1990", "mid-November"
_R_LEFT_MOD = re.compile(
    r"(?:(?P<pos>(?:the\s+)?(?:very\s+)?(?P<pw>early|earlier|late|later|mid|middle)(?:-|\s+)(?:in\s+(?:the\s+)?)?)"
    r"|(?P<of>(?:the\s+)?(?P<ow>end|beginning|start|middle|close|turn|dawn|first\s+half|second\s+half)\s+of\s+(?:the\s+)?))$",
    re.I)
_POS_MOD = {"early": "START", "earlier": "START", "late": "END", "later": "END", "mid": "MID", "middle": "MID",
            "end": "END", "beginning": "START", "start": "START", "close": "END", "turn": "END", "dawn": "START"}
_R_VALUE_DAY = re.compile(r"(\d{4})(?:-(\d\d)(?:-(\d\d))?)?(?![\dWQHX])")
_R_ADJ_COMPOUND = re.compile(r"[\w ]*\w-(?:quarter|year|month|week|day|hour|minute|November|December|January|February"
                              r"|March|April|May|June|July|August|September|October)$", re.I)
_R_LEFT_APPROX = re.compile(rf"\b{_MODS}\s+$", re.I)


def tag(text: str, anchor: dt.date | None = None, *, day_first: bool = False) -> list[Timex]:
    """The time expressions in `text`, sorted by start, with no overlaps.

    `anchor` is the date relative expressions are resolved against (the publication date);
    without it, anchor-dependent values stay underspecified ('XXXX-04-16'). `day_first` reads
    numeric dates as day/month/year ('12/07/2019' → 2019-07-12).
    """
    if anchor is not None:
        if isinstance(anchor, dt.datetime):
            anchor = anchor.date()
        elif not isinstance(anchor, dt.date):
            raise ValueError(f"anchor must be a datetime.date or None, not {type(anchor).__name__}")
    if not text or not isinstance(text, str):
        if text is None or isinstance(text, str):
            return []
        raise ValueError(f"text must be a str, not {type(text).__name__}")
    if len(text) > MAX_CHARS:
        text = text[:MAX_CHARS]
    ctx = _Ctx(text, anchor, bool(day_first))

    # 1. every rule's raw matches that its normaliser accepts
    cands: list[tuple[int, int, int, int, re.Match]] = []  # (start, end, priority, rule index, match)
    for i, (rx, fn, prio) in enumerate(_RULES):
        for m in rx.finditer(text):
            s, e = m.span()
            if rx is _R_BARE_PLURAL:
                s, e = m.span("t" if m.group("t") else "t2")
            if e <= s:
                continue
            if rx is _R_YEAR and m.group("y2") and _split_year_range(ctx, m) is None:
                e = m.end("y")
                m = _R_YEAR.match(text, s, e) or m
            if not (rx is _R_YEAR and m.group("y2")) and _call(fn, ctx, m, s, e) is None:
                continue
            cands.append((s, e, prio, i, m))
    # 2. longest first, then by rule priority; no overlaps
    cands.sort(key=lambda c: (-(c[1] - c[0]), c[2], c[0]))
    chosen: list[tuple[int, int, int, re.Match]] = []
    occupied = bytearray(len(text) + 1)
    for s, e, _p, i, m in cands:
        if any(occupied[s:e]):
            continue
        chosen.append((s, e, i, m))
        occupied[s:e] = b"\x01" * (e - s)
    chosen.sort(key=lambda c: c[0])

    # 3. normalise in text order (quarter context and the last named date flow forward)
    ctx.final = True
    out: list[Timex] = []
    for s, e, i, m in chosen:
        fn = _RULES[i][1]
        if _RULES[i][0] is _R_YEAR:
            parts = _split_year_range(ctx, m)
            if parts:
                for ps, pe, ty, val, mod, anch in parts:
                    ctx.note(val, anch, ps)
                    out.append(Timex(span=(ps, pe), text=text[ps:pe], type=ty, value=val, mod=mod, anchored=anch,
                                     tense=ctx.tense(ps, pe)))
                continue
        res = _call(fn, ctx, m, s, e)
        if res is None:
            continue
        ty, value, mod, anch = res
        # modifiers on the left: "early 2017" (START), "more than two years" (MORE_THAN)
        prev_end = out[-1].span[1] if out else 0
        lm = _R_LEFT_MOD.search(text, max(prev_end, s - 40), s)
        if lm and ty in ("DATE", "TIME") and not value.endswith("_REF") and lm.end() == s:
            word = (lm.group("pw") or lm.group("ow") or "").lower().split()[0]
            mod = _POS_MOD.get(word, mod)
            if lm.group("ow") and lm.group("ow").lower().startswith(("first half", "second half")):
                mod = None
            s = lm.start()
        elif ty == "DURATION" and mod is None:
            am = _R_LEFT_APPROX.search(text, max(prev_end, s - 25), s)
            if am and am.end() == s and am.group("mod").lower() != "some":
                mod = _MOD_VALUE.get(" ".join(am.group("mod").lower().split()))
                s = am.start()
        if text.startswith(("the ", "The "), s) and _R_ADJ_COMPOUND.match(text, s + 4, e) and \
                re.match(r"\s+[a-z]", text[e : e + 3]):
            s += 4  # "the 14-day waiting period": the determiner belongs to the noun, not to the timex
        if ty == "DATE" and re.fullmatch(r"\d{4}-Q[1-4]|XXXX-Q[1-4]", value):
            ctx.last_quarter = int(value[-1])
        if ty in ("DATE", "TIME"):
            ctx.note(value, anch, s)
        out.append(Timex(span=(s, e), text=text[s:e], type=ty, value=value, mod=mod, anchored=anch,
                         tense=ctx.tense(s, e)))
    out.sort(key=lambda t: t.span[0])
    _times_take_nearby_day(text, out)
    return out


_R_DAY_WORD = re.compile(rf"{_DOW}|today|tonight|tomorrow|yesterday|{_MONTH}|\d{{4}}-\d", re.I)
_R_SENT_END = re.compile(r"[.!?]\s+(?=[A-Z\"'`(])")


def _times_take_nearby_day(text: str, out: list[Timex]) -> None:
    """'at about 10:35 a.m. (0735 GMT) Friday': a clock time without its own day takes the day named next to it."""
    for i, t in enumerate(out):
        if t.type != "TIME" or "T" not in t.value or _R_DAY_WORD.search(t.text):
            continue
        best = None
        for j in (i - 1, i + 1):
            if 0 <= j < len(out):
                o = out[j]
                if o.type != "DATE" or not re.fullmatch(r"\d{4}-\d\d-\d\d", o.value):
                    continue
                lo, hi = (o.span[1], t.span[0]) if j < i else (t.span[1], o.span[0])
                gap = text[lo:hi]
                if len(gap) <= 40 and not _R_SENT_END.search(gap) and (best is None or len(gap) < best[0]):
                    best = (len(gap), o.value)
        if best:
            t.value = best[1] + t.value[t.value.index("T"):]


def _call(fn, ctx: _Ctx, m: re.Match, s: int, e: int) -> Result:
    try:
        res = fn(ctx, m, s, e)
    except (ValueError, OverflowError, KeyError, TypeError, IndexError):
        return None  # an impossible calendar value (a date before year 1, February 30): no timex
    return res if res is not None and res[1] else None
