"""Timeline summary of a story or the database: key dates, and the sentences that tell them.

Timeline summarisation as the field defines it (Martschat & Markert; Gholipour Ghalandari & Ifrim):
given the merged events (`Store.events()`, dossier shape), pick at most N dates and, for each, at most
K whole sentences from the articles, in date order; every sentence keeps its article id and span.
It reads events as the dossier's JSON view, not as `model.Event` records: it runs where the exports, pages and
commands read a dossier, whose events may lack fields (a missing one counts as absent).

Salience of an event (undated events are never placed: a timeline cannot hold them):

    1 + 2·(articles whose main event it is) + (articles telling it) + 0.5·(outlets beyond the first)
      + (its most prominent participant's share of the events, 0–1) + 0.5 when it is a typed happening
      (an agreement, a delivery; not a bare statement or an untyped predicate)

times the weight of its date's precision (a day 1, a week or month 0.8, a season, quarter or half 0.6,
a year 0.5, a span of years or a decade 0.3), halved for a generic event (found only as what an
entity did), times 0.3 for what was not done (expected, possible: a plan is not a happening), and times
its news value: 1 when an article tells it as news (dated by the report's time, within a month before the
article's time, or later), 1/(1 + years between) for background an article recalls ("the downing of a
jet in November 2015" in a 2017 report: 0.44), the best over its mentions. An article's time is its
publication, else the latest date it tells of; unknown, the news value is 1.

A date's salience is the sum of its events'. Dates are taken greedily, the most salient first, a date
told only by articles that already gave chosen dates counting 1/(1 + the fewest dates any of its
articles gave): a story's digest draws on its articles, not one long article's every date.

Dates: an entry's `date` is the event's date as the evidence gives it: a day `YYYY-MM-DD` when the
event is dated to the day, else the coarser TIMEX3 value ('2020-12', '2017-FA', '2014'), its
`precision` said beside it and never printed as a day; the precision weight ranks coarser dates below
days told as often. `days_only=True` (what a task that asks for days wants, e.g. the Timeline17
benchmark) keeps day-dated events only: a month is not put on its first day.

Sentences for a date: each mention of the date's events offers its sentence (`text`, with `article_id`
and `span`). A sentence held on several lines (a headline run into the lead) is cut to the line that
holds the trigger. Score: half the mention's event salience (relative to the date's best), half its
word overlap with the date's other candidate sentences (how central it is to what is told that day);
a headline (`field` "title") counts half (body sentences preferred), something that does not read as a
sentence (no capital or quote at the start, no final stop, fewer than 6 words) 0.3, one over 60 words
0.7. Near-identical sentences (word sets 70% the same, or one 90% inside the other) are told once, the
copies' sources added to the kept one, across the whole digest.

Length without `dates`: round(3 + 2·√articles), plus one for each further year its articles were
published in (a story followed over years needs more dates than one told in a week), at most 30, and
never more than the dates there are (a five-article story of one week gets 7 dates, one whose articles
span four years 10, a 100-article one 23 or more). Without `sentences`: one a date.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from datetime import date as Date
from typing import Any, Iterable

from storyline.published import period
from storyline.settings import INSIDE, MAX_DATES, PLANNED, SAME
from storyline.stories.events import NOT_HAPPENINGS
from storyline.stories.events import precision as precision_of

PRECISION_WEIGHT = {"day": 1.0, "week": 0.8, "month": 0.8, "season": 0.6, "quarter": 0.6, "half": 0.6,
                    "year": 0.5, "years": 0.3, "decade": 0.3}
_WORD = re.compile(r"\w+", re.UNICODE)
_STOP = frozenset("""a an the and or but of to in on at by for with from as is are was were be been being has have
had it its this that these those he she they we you i his her their our not no said says say will would could should
may might can also than then there which who whom whose what when where while after before about into over""".split())


def default_dates(n_articles: int, n_dates: int, years: int = 1) -> int:
    """How many dates a reader would want: round(3 + 2·√articles) and one more for each further year the
    articles were published in, at most 30 and the dates there are."""
    n = round(3 + 2 * math.sqrt(max(0, n_articles))) + max(0, years - 1)
    return max(0, min(n_dates, MAX_DATES, n))


def _words(text: str) -> list[str]:
    return [w for w in _WORD.findall(text.casefold()) if w not in _STOP]


def reads_as_sentence(text: str) -> bool:
    """Whether text reads as a whole sentence: six words or more, a capital, digit or quote first, a stop last."""
    t = text.strip()
    return (len(t.split()) >= 6 and bool(re.match(r"^[\"'“‘(`]*[A-Z0-9]", t))
            and bool(re.search(r"[.!?][\"'”’)]*$|''$", t)))


def _participant_shares(events: list[dict[str, Any]]) -> dict[str, float]:
    counts: Counter[str] = Counter()
    for e in events:
        counts.update({_pkey(p) for p in e.get("participants") or [] if _pkey(p)})
    top = max(counts.values(), default=0)
    return {k: n / top for k, n in counts.items()} if top else {}


def _pkey(p: dict[str, Any]) -> str:
    return str(p.get("entity_id") or (p.get("name") or "").casefold().strip())


def _published(value: Any) -> tuple[Date, Date] | None:
    """An article's publication as (earliest, latest) days, from a dossier `published` record ({date,
    earliest, latest}), a date or an ISO string; None when unknown."""
    if isinstance(value, dict):
        lo = period(value.get("date") or value.get("earliest"))
        hi = period(value.get("date") or value.get("latest")) or lo
        return (lo[0], hi[1]) if lo and hi else None
    if isinstance(value, Date):
        return value, value
    iv = period(str(value)) if value else None
    return (iv[0], iv[1]) if iv else None


_REPORT_TIME = frozenset({"published", "lead", "report"})  # mention dates that are the report's own time


def article_times(events: Iterable[dict[str, Any]], published: dict[str, Any] | None) -> dict[str, tuple[Date, Date]]:
    """Each article's time: its publication where known, else the latest date it tells of (an article
    is not older than what it reports), as (earliest, latest) days."""
    out = {a: iv for a, v in (published or {}).items() if (iv := _published(v))}
    latest: dict[str, Date] = {}
    for e in events:
        for m in e.get("mentions") or []:
            a = m.get("article_id")
            iv = period(m.get("date")) or (period(e.get("date")) if m.get("date_from") in _REPORT_TIME else None)
            if a and a not in out and iv and e.get("modality", "done") == "done":
                latest[a] = max(latest.get(a, iv[1]), iv[1])
    return {**{a: (d, d) for a, d in latest.items()}, **out}


def news_value(event: dict[str, Any], times: dict[str, tuple[Date, Date]] | None) -> float:
    """1 when some article tells the event as news (dated by the report's time, or within a month before
    the article's time, or later); 1/(1 + years between) when articles only recall it as background; 1
    when no article's time is known (`article_times`)."""
    best = None
    for m in event.get("mentions") or []:
        if m.get("date_from") in _REPORT_TIME:
            return 1.0
        pub = (times or {}).get(m.get("article_id"))
        iv = period(m.get("date")) or period(event.get("date"))
        if pub is None or iv is None:
            continue
        v = 1 / (1 + max(0, (pub[0] - iv[1]).days - 31) / 365)
        best = v if best is None else max(best, v)
    return 1.0 if best is None else best


def salience(event: dict[str, Any], shares: dict[str, float] | None = None,
             outlets: dict[str, str | None] | None = None, times: dict[str, tuple[Date, Date]] | None = None) -> float:
    """An event's salience (the module docstring gives the formula); 0 for an undated event. `times`: article
    id → its time (`article_times`)."""
    prec = event.get("precision") or precision_of(event.get("date"))
    weight = PRECISION_WEIGHT.get(prec or "", 0.0)
    if not weight or not period(event.get("date")):
        return 0.0
    sources = list(dict.fromkeys(event.get("sources") or [m.get("article_id") for m in event.get("mentions") or []]))
    named = {(outlets or {}).get(a) or a for a in sources}
    prominence = max((shares or {}).get(_pkey(p), 0.0) for p in event.get("participants") or [{}])
    s = (1 + 2 * len(event.get("main_of") or []) + len(sources) + 0.5 * max(0, len(named) - 1) + prominence
         + (0.5 if event.get("type") not in NOT_HAPPENINGS else 0.0))
    return (s * weight * (0.5 if event.get("generic") else 1.0) * news_value(event, times)
            * (1.0 if event.get("modality", "done") == "done" else PLANNED))


def told_sentence(m: dict[str, Any]) -> tuple[str, list[int] | None]:
    """The mention's sentence and its span, a sentence on several lines cut to the trigger's line."""
    text, span = m.get("text") or "", m.get("span")
    if "\n" not in text.strip() or not span:
        return " ".join(text.split()), list(span) if span else None
    start = span[0]
    trig = ((m.get("trigger") or {}).get("span") or [start])[0] - start
    pos = 0
    for line in text.split("\n"):
        if pos <= trig <= pos + len(line) and line.strip():
            lead = len(line) - len(line.lstrip())
            return " ".join(line.split()), [start + pos + lead, start + pos + len(line.rstrip())]
        pos += len(line) + 1
    return " ".join(text.split()), list(span)


def _same(a: set[str], b: set[str]) -> bool:
    if not a or not b:
        return a == b
    inter = len(a & b)
    return inter / len(a | b) >= SAME or inter / min(len(a), len(b)) >= INSIDE


def _bound(value: Date | str | None, end: bool) -> Date | None:
    if value is None or isinstance(value, Date):
        return value
    iv = period(str(value))
    if iv is None:
        raise ValueError(f"not a date: {value!r} (give YYYY, YYYY-MM or YYYY-MM-DD)")
    return iv[1] if end else iv[0]


def digest(events: Iterable[dict[str, Any]], dates: int | None = None, sentences: int | None = None,
           start: Date | str | None = None, end: Date | str | None = None, days_only: bool = False,
           outlets: dict[str, str | None] | None = None, n_articles: int | None = None,
           published: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """The timeline summary: [{date, precision, sentences, sources, events}], in date order; at most `dates`
    dates (default: `default_dates`) and `sentences` sentences a date (default 1), each date between
    `start` and `end` (a date, or 'YYYY', 'YYYY-MM', 'YYYY-MM-DD'; a coarser event date must lie wholly
    inside). `sources[i]` lists where sentence i is told: {article_id, span} (and `field` "title" for a
    headline). `outlets` (article id → outlet) counts outlets; `published` (article id → publication)
    tells news from background (`news_value`); `n_articles` sets the default length
    (else the articles the events cite). Raises ValueError for a bad bound or a count under 1."""
    if dates is not None and dates < 1:
        raise ValueError(f"dates must be 1 or more, not {dates}")
    if sentences is not None and sentences < 1:
        raise ValueError(f"sentences must be 1 or more, not {sentences}")
    lo, hi = _bound(start, False), _bound(end, True)
    events = list(events)
    shares = _participant_shares(events)
    times = article_times(events, published)
    by_date: dict[str, list[tuple[float, dict]]] = {}
    for e in events:
        iv = period(e.get("date"))
        if iv is None or (days_only and iv[0] != iv[1]) or (lo and iv[0] < lo) or (hi and iv[1] > hi):
            continue
        s = salience(e, shares, outlets, times)
        if s > 0:
            day = iv[0].isoformat() if iv[0] == iv[1] else str(e["date"])
            by_date.setdefault(day, []).append((s, e))
    if n_articles is None:
        n_articles = len({a for e in events for a in e.get("sources") or []})
    years = len({iv[0].year for iv in times.values()})
    n = dates if dates is not None else default_dates(n_articles, len(by_date), years)
    k = sentences or 1
    base = {d: sum(s for s, _ in evs) for d, evs in by_date.items()}
    told = {d: {a for _, e in evs for a in e.get("sources") or []} for d, evs in by_date.items()}
    used: Counter[str] = Counter()  # articles the chosen dates were told by
    seen: list[tuple[set[str], dict]] = []
    out: list[dict[str, Any]] = []
    left = set(by_date)
    while left and len(out) < n:
        day = min(left, key=lambda d: (-base[d] / (1 + min((used[a] for a in told[d]), default=0)), d))
        left.discard(day)
        entry = _pick(day, by_date[day], k, seen)
        if entry:
            out.append(entry)
            used.update(told[day])
    out.sort(key=lambda x: (period(x["date"])[0], period(x["date"])[1], x["date"]))
    return out


def _pick(day: str, scored: list[tuple[float, dict]], k: int, seen: list[tuple[set[str], dict]]) -> dict | None:
    """The date's entry: its k best sentences not told already (`seen` gathers them across dates)."""
    best = max(s for s, _ in scored)
    cands: list[dict[str, Any]] = []
    for s, e in scored:
        for m in e.get("mentions") or []:
            text, span = told_sentence(m)
            if text:
                cands.append({"text": text, "words": set(_words(text)), "event": e, "rel": s / best,
                              "source": {"article_id": m.get("article_id"), "span": span,
                                         **({"field": m["field"]} if m.get("field") else {})}})
    if not cands:
        return None
    df: Counter[str] = Counter(w for c in cands for w in c["words"])
    for c in cands:
        others = len(cands) - 1
        central = (sum(df[w] - 1 for w in c["words"]) / (len(c["words"]) * others)) if others and c["words"] else 0.0
        factor = 0.5 if c["source"].get("field") == "title" else 1.0
        factor *= 1.0 if reads_as_sentence(c["text"]) else 0.3
        factor *= 0.7 if len(c["text"].split()) > 60 else 1.0
        c["score"] = (0.5 * c["rel"] + 0.5 * central) * factor
    cands.sort(key=lambda c: (-c["score"], c["text"]))
    chosen: list[dict] = []
    for c in cands:
        dup = next((kept for words, kept in seen if _same(words, c["words"])), None)
        if dup is not None:
            if c["source"] not in dup["_sources"]:
                dup["_sources"].append(c["source"])
            continue
        if len(chosen) < k:
            c["_sources"] = [c["source"]]
            chosen.append(c)
            seen.append((c["words"], c))
    if not chosen:
        return None
    iv = period(day)
    return {"date": day, "precision": "day" if iv and iv[0] == iv[1] else precision_of(day),
            "sentences": [c["text"] for c in chosen], "sources": [c["_sources"] for c in chosen],
            "events": list(dict.fromkeys(c["event"]["id"] for c in chosen))}


def key_events(events: Iterable[dict[str, Any]], outlets: dict[str, str | None] | None = None,
               published: dict[str, Any] | None = None) -> dict[str, str]:
    """Each story's key events (id → the whole sentence its digest tells it with): those its digest picks
    (default length, one sentence a date), in date order; events without a story are taken as one."""
    by_story: dict[Any, list[dict[str, Any]]] = {}
    for e in events:
        by_story.setdefault(e.get("story_id"), []).append(e)
    out: dict[str, str] = {}
    for evs in by_story.values():
        for entry in digest(evs, outlets=outlets, published=published):
            for eid, sentence in zip(entry["events"], entry["sentences"]):
                out.setdefault(eid, sentence)
    return out
