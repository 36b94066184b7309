"""What the CLI, Markdown and HTML outputs share: date formatting, timeline and claim views, a story's parts."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from typing import Any, Callable, Iterable

from storyline.datewords import in_words, published_in_words
from storyline.published import period
from storyline.textsafe import TEXT_CONTROLS

STATUS_ORDER = ("conflict", "evolving", "compatible", "agree", "single")
_ISO = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?(?:T(\d{2}:\d{2})(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$")
_SEASON_OF_MONTH = {12: "WI", 1: "WI", 2: "WI", 3: "SP", 4: "SP", 5: "SP", 6: "SU", 7: "SU", 8: "SU",
                    9: "FA", 10: "FA", 11: "FA"}


class StoryNotFound(LookupError):
    """A story reference that names no story, or more than one."""


def _at_precision(v: str, precision: str) -> str | None:
    """`v` (a day, month or year) as the TIMEX3 value of a coarser `precision`; None when that cannot be done."""
    m = _ISO.match(v)
    if not m:
        return None
    y, mo = int(m[1]), int(m[2]) if m[2] else None
    if precision == "year":
        return f"{y:04d}"
    if precision == "decade":
        return f"{y // 10:03d}"
    if mo is None:
        return None
    if precision == "month":
        return f"{y:04d}-{mo:02d}"
    if precision == "quarter":
        return f"{y:04d}-Q{(mo - 1) // 3 + 1}"
    if precision == "season":  # winter runs from December into the next year: January 2018 is winter 2017–18
        return f"{y - (mo <= 2):04d}-{_SEASON_OF_MONTH[mo]}"
    if precision == "week" and m[3]:
        iy, iw, _ = date(y, mo, int(m[3])).isocalendar()
        return f"{iy:04d}-W{iw:02d}"
    return None


def format_date(value: Any, precision: str | None = None) -> str:
    """A date value in words (`datewords.in_words`), at its precision: '2017-FA' → 'fall 2017', '2017-Q3' → 'the
    third quarter of 2017', '198' → 'the 1980s', '2019-07-12' → '12 July 2019', bounds '2019-07-12…' → 'on or
    after 12 July 2019', None → 'undated'. With `precision` ('month', 'year', …) a finer value is cut to it
    ('2017-09-12', 'month' → 'September 2017')."""
    if value is None or str(value).strip() == "":
        return "undated"
    v = str(value).strip()
    if precision and precision != "day":
        cut = _at_precision(v, precision)
        if cut:
            return in_words(cut)
    return in_words(v)


def date_key(value: Any) -> tuple:
    """Sort key for date values: dated ones by when they start (the narrower first on a tie), then those
    with no calendar place ('XXXX-09', 'PRESENT_REF'), then undated."""
    b = period(str(value).strip()) if value is not None else None
    if b:
        return (0, b[0].toordinal(), b[1].toordinal(), "")
    if value is None or str(value).strip() == "":
        return (2, 0, 0, "")
    return (1, 0, 0, str(value))


def year_of(value: Any) -> str:
    """The heading a date value goes under in a timeline grouped by year: '2017', '1980s', 'undated'."""
    b = period(str(value).strip()) if value is not None else None
    if b is None:
        return "undated" if value is None or str(value).strip() == "" else "date unknown"
    if b[0].year == b[1].year:
        return str(b[0].year)
    return format_date(value)


# --- matching --------------------------------------------------------------------------------------
def name_matches(query: str, names: Iterable[str | None]) -> bool:
    """A query matches a name when its words are a word-wise part of it, case-insensitively ('erdogan'
    matches 'Recep Tayyip Erdogan', 'tayyip erdogan' too, 'erdo' does not)."""
    q = query.casefold().split()
    if not q:
        return False
    for name in names:
        words = (name or "").casefold().split()
        if any(words[i:i + len(q)] == q for i in range(len(words) - len(q) + 1)):
            return True
    return False


def entity_ids_matching(entities: list[dict[str, Any]], query: str) -> set[str]:
    """Ids of the entities whose id is `query`, or whose name or an alias matches it."""
    return {e["id"] for e in entities or [] if e.get("id") and
            (e["id"] == query or name_matches(query, [e.get("name"), *(e.get("aliases") or [])]))}


def find_story(stories: list[dict[str, Any]], ref: str) -> dict[str, Any]:
    """The story `ref` names: its id, else the one story whose title contains it (case-insensitive; an exact
    title wins over partial ones). Raises StoryNotFound, its message one line."""
    stories = stories or []
    for s in stories:
        if s.get("id") == ref:
            return s
    low = ref.casefold().strip()
    hits = [s for s in stories if low and low in (s.get("title") or "").casefold()]
    exact = [s for s in hits if (s.get("title") or "").casefold().strip() == low]
    if len(exact) == 1 or len(hits) == 1:
        return (exact or hits)[0]
    if not hits:
        raise StoryNotFound(f"no story {ref!r}" + ("" if stories else " (no stories yet)"))
    some = "; ".join(f"{s.get('id')} ({_clip(s.get('title') or '', 40)})" for s in hits[:3])
    more = f" and {len(hits) - 3} more" if len(hits) > 3 else ""
    raise StoryNotFound(f"{ref!r} matches {len(hits)} stories: {some}{more}; give a story id")


def corrected_note(obj: dict[str, Any] | None) -> str:
    """' (corrected)' beside an object a person corrected (its `corrected` list: storyline.corrections), else ''."""
    return " (corrected)" if obj and obj.get("corrected") else ""


def plural(n: int, word: str) -> str:
    """'1 event', '3 events'."""
    return f"{n} {word}{'' if n == 1 else 's'}"


def one_line(text: Any, n: int | None = None) -> str:
    """Text made safe to show on one line: control characters (terminal escapes too) and bidi overrides
    dropped, whitespace runs one space, clipped to `n` characters with '…'."""
    t = " ".join(TEXT_CONTROLS.sub(" ", "" if text is None else str(text)).split())  # tab, newline: split()
    return t if n is None or len(t) <= n else t[: n - 1] + "…"


def _clip(text: str, n: int) -> str:
    return one_line(text, n)


# --- the views ---------------------------------------------------------------------------------------
def timeline(events: list[dict[str, Any]], entities: list[dict[str, Any]], story_id: str | None = None,
             entity: str | None = None) -> list[dict[str, Any]]:
    """Events ordered by date (undated last), only the story's when `story_id` is given, and only those with
    a participant matching `entity` (an entity id, name or alias, or the participant's own name). Without
    `entity`, undated generic events (a predicate found only as what some entity did) are left out: they
    belong in an entity's timeline, not in a story's."""
    evs = [e for e in events or [] if isinstance(e, dict)]
    if not entity:
        evs = [e for e in evs if not (e.get("generic") and not e.get("date"))]
    if story_id is not None:
        evs = [e for e in evs if e.get("story_id") == story_id]
    if entity:
        ids = entity_ids_matching(entities, entity)
        evs = [e for e in evs if any(
            (p.get("entity_id") and p["entity_id"] in ids) or name_matches(entity, [p.get("name")])
            for p in e.get("participants") or [] if isinstance(p, dict))]
    return sorted(evs, key=lambda e: (date_key(e.get("date")), str(e.get("id") or "")))


def filter_events(events: list[dict[str, Any]], type: str | None = None, dated: bool = False, min_sources: int = 0,
                  start: str | None = None, end: str | None = None) -> list[dict[str, Any]]:
    """The events of one news type, dated only, told by at least `min_sources` articles, inside a date range
    ('YYYY', 'YYYY-MM' or 'YYYY-MM-DD'; an event's whole interval must lie inside). ValueError: a bad date."""
    lo_iv, hi_iv = period(start) if start else None, period(end) if end else None
    lo, hi = lo_iv[0] if lo_iv else None, hi_iv[1] if hi_iv else None
    if (start and lo is None) or (end and hi is None):
        raise ValueError(f"not a date: {start if start and lo is None else end!r} (use YYYY, YYYY-MM or YYYY-MM-DD)")
    out = []
    for e in events:
        iv = period(e.get("date"))
        if type and e.get("type") != type:
            continue
        if (dated or lo or hi) and iv is None:
            continue
        if (lo and iv[0] < lo) or (hi and iv[1] > hi) or len(event_sources(e)) < min_sources:
            continue
        out.append(e)
    return out


def claims_view(claims: list[dict[str, Any]], conflicts_only: bool = False,
                story_id: str | None = None) -> list[dict[str, Any]]:
    """Claims, conflicts first, then evolving, compatible, agreeing and single-source ones, each group by
    subject and attribute; only conflicts with `conflicts_only`, only the story's with `story_id`."""
    out = [c for c in claims or [] if isinstance(c, dict)]
    if story_id is not None:
        out = [c for c in out if c.get("story_id") == story_id]
    if conflicts_only:
        out = [c for c in out if c.get("status") == "conflict"]
    rank = {s: i for i, s in enumerate(STATUS_ORDER)}
    return sorted(out, key=lambda c: (rank.get(c.get("status") or "", len(rank)), str(c.get("subject") or ""),
                                      str(c.get("attribute") or ""), str(c.get("id") or "")))


def via_chain(quote: dict[str, Any]) -> str:
    """The reporting chain of a quote, speaker first: 'Peskov → Izvestiya → TASS'; '' when it has none."""
    via = [str(v) for v in quote.get("via") or [] if v]
    if not via:
        return ""
    who = ((quote.get("speaker") or {}).get("name")) or "unidentified speaker"
    return " → ".join([who, *via])


def cite(article_id: Any, span: Any) -> str:
    """The citation of a statement: 'a-1f2e3d:120-245' (article id and character span)."""
    aid = str(article_id or "?")
    if isinstance(span, (list, tuple)) and len(span) == 2:
        return f"{aid}:{span[0]}-{span[1]}"
    return aid


def event_sources(event: dict[str, Any]) -> list[str]:
    """The distinct articles an event is reported in, in order: its `sources`, else its mentions' articles."""
    ids = [str(a) for a in event.get("sources") or [] if a]
    ids += [str(m.get("article_id")) for m in event.get("mentions") or []
            if isinstance(m, dict) and m.get("article_id")]
    return list(dict.fromkeys(ids))


def event_detail(event: dict[str, Any]) -> dict[str, Any]:
    """What a dossier prints under an event, whatever the format: its participants as (name, role); its
    mentions (article_id, span (None for one in the title), text, field, and `date` only where the mention dates it otherwise than the
    event); the other articles that report it (`also`); its quote ids."""
    people = [(p.get("name") or p.get("entity_id") or "?", p.get("role") or "participant")
              for p in event.get("participants") or [] if isinstance(p, dict)]
    mentions = [{"article_id": m.get("article_id"), "text": m.get("text"),
                 # a headline's mention is cited as the article (its span is into the title, not the text)
                 "span": None if m.get("field") == "title" else m.get("span"), "field": m.get("field"),
                 "date": m["date"] if m.get("date") and m.get("date") != event.get("date") else None}
                for m in event.get("mentions") or [] if isinstance(m, dict)]
    seen = {m["article_id"] for m in mentions}
    return {"people": people, "mentions": mentions, "also": [a for a in event_sources(event) if a not in seen],
            "quote_ids": list(event.get("quote_ids") or [])}


def quotes_by_speaker(quotes: list[dict[str, Any]]) -> list[tuple[str, list[dict[str, Any]]]]:
    """(speaker name, their quotes in reading order), most quoted first; quotes with no speaker last."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for q in quotes or []:
        name = ((q.get("speaker") or {}).get("name")) or ""
        groups.setdefault(name, []).append(q)
    order = sorted(groups, key=lambda n: (n == "", -len(groups[n]), n.casefold()))
    return [(n or "(speaker not identified)", groups[n]) for n in order]


def speaker_note(qs: list[dict[str, Any]], names: dict[str, str]) -> str:
    """What a speaker heading says beside the name: its kind and, for a group, the entity it belongs to
    ("group, of Turkey" for "Turkish media"); '' when the quotes give neither."""
    sp = next((q.get("speaker") for q in qs if isinstance(q.get("speaker"), dict)), None) or {}
    kind = str(sp.get("type") or "").lower()
    aff = next((names.get(str(x["speaker"]["affiliation_id"])) for x in qs if isinstance(x.get("speaker"), dict)
                and x["speaker"].get("affiliation_id")), None)
    return ", ".join(b for b in (kind, f"of {aff}" if aff else "") if b)


def _published(a: dict[str, Any]) -> str | None:
    """The day an article's publication sorts by (its date, else a bound): for ordering, never for showing."""
    p = a.get("published") or {}
    return p.get("date") or p.get("earliest") or p.get("latest") if isinstance(p, dict) else None


def article_label(a: dict[str, Any] | None, article_id: str = "") -> str:
    """'Title (Outlet, 12 September 2017)' for an article record, its publication in words ('on or after 12 July
    2019' where only a bound is known); its id when it has no title."""
    if not a:
        return article_id or "(unknown article)"
    p = a.get("published")
    bits = [b for b in (a.get("outlet"), published_in_words(p) if isinstance(p, dict) else None) if b]
    title = a.get("title") or a.get("id") or article_id or "(untitled)"
    return f"{title} ({', '.join(bits)})" if bits else str(title)


def story_parts(dossier: dict[str, Any], story_id: str | None = None) -> list[dict[str, Any]]:
    """Each story of a dossier (or only `story_id`, an id or title part) with what belongs to it: `story`,
    `articles` (id → record), `events` (timeline order), `claims`, `quotes`, `speakers`, `entities` (with
    `n`, mentions in the story), `events_by_id`, `quotes_by_id` and `summary`. A dossier with no stories
    gives one pseudo-story of all its articles. Raises StoryNotFound for an unknown story."""
    d = dossier or {}
    stories = [s for s in d.get("stories") or [] if isinstance(s, dict)]
    articles = {a["id"]: a for a in d.get("articles") or [] if isinstance(a, dict) and a.get("id")}
    events = [e for e in d.get("events") or [] if isinstance(e, dict)]
    claims = [c for c in d.get("claims") or [] if isinstance(c, dict)]
    quotes = [q for q in d.get("quotes") or [] if isinstance(q, dict)]
    entities = [e for e in d.get("entities") or [] if isinstance(e, dict)]
    if story_id is not None:
        stories = [find_story(stories, story_id)]
    elif not stories:
        stories = [{"id": None, "title": "All articles", "article_ids": list(articles)}]
    out = []
    for s in stories:
        sid = s.get("id")
        ids = [str(a) for a in s.get("article_ids") or []]
        if sid is not None:
            ids += [a for a, rec in articles.items() if rec.get("story_id") == sid and a not in ids]
        wanted = set(ids)
        evs = timeline(events, entities, story_id=sid) if sid is not None else timeline(events, entities)
        cls = claims_view(claims, story_id=sid) if sid is not None else claims_view(claims)
        qs = [q for q in quotes if q.get("article_id") in wanted]
        ents = []
        for e in entities:
            n = sum(1 for m in e.get("mentions") or [] if isinstance(m, dict) and m.get("article_id") in wanted)
            if n:
                ents.append({**e, "n": n})
        ents.sort(key=lambda e: (-e["n"], str(e.get("name") or "")))
        part = {
            "story": s, "article_ids": ids, "articles": {a: articles[a] for a in ids if a in articles},
            "events": evs, "claims": cls, "quotes": qs, "speakers": quotes_by_speaker(qs), "entities": ents,
            "quotes_by_id": {q["id"]: q for q in quotes if q.get("id")},
            "all_articles": articles,
            "entity_names": {str(e["id"]): str(e.get("name") or "") for e in entities if e.get("id")},
        }
        part["summary"] = summary(part)
        part["key"] = key_dates(evs, articles)
        out.append(part)
    return out


def key_dates(events: list[dict[str, Any]], articles: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """A story's key events as its digest tells them (`stories.digest`): [{date, precision, sentences,
    sources, events}] in date order, each sentence a whole one from the articles with where it is told."""
    from storyline.stories.digest import digest

    arts = {aid: a for aid, a in (articles or {}).items() if isinstance(a, dict)}
    return digest([e for e in events if isinstance(e, dict)], outlets={aid: a.get("outlet") for aid, a in arts.items()},
                  published={aid: a.get("published") for aid, a in arts.items()})


def summary(part: dict[str, Any]) -> dict[str, Any]:
    """A story's figures: `articles`, `outlets` (most articles first), `first`/`last` dates, `top_events`
    (3–5, most sources first) and `top_entities` (up to 5, most mentioned first)."""
    s = part["story"]
    arts = [part["articles"][a] for a in part["article_ids"] if a in part["articles"]]
    outlets = Counter(a.get("outlet") for a in arts if a.get("outlet"))
    days = sorted(d for a in arts for d in [_published(a)] if d)
    first = s.get("first") or (days[0] if days else None)
    last = s.get("last") or (days[-1] if days else None)
    ranked = sorted(part["events"], key=lambda e: (-len(event_sources(e)), date_key(e.get("date"))))
    top = [e for e in ranked[:5] if len(event_sources(e)) > 1]  # up to 5 reported more than once …
    top = top if len(top) >= 3 else ranked[:3]  # … and at least 3
    return {"articles": len(part["article_ids"]), "outlets": [o for o, _ in outlets.most_common()],
            "first": first, "last": last, "top_events": top, "top_entities": part["entities"][:5]}


def summary_sentence(part: dict[str, Any], esc: Callable[[Any], str]) -> str:
    """A story part's summary as prose ("5 articles from 3 outlets (…), published … to …; 66 events, …
    Main events: … Most mentioned: …"), every piece of source text passed through `esc` (Markdown or HTML)."""
    s = part["summary"]
    text = plural(s["articles"], "article")
    if s["outlets"]:
        shown = ", ".join(esc(o) for o in s["outlets"][:6]) + (", …" if len(s["outlets"]) > 6 else "")
        text += f" from {plural(len(s['outlets']), 'outlet')} ({shown})"
    if s["first"] and s["last"] and s["first"] != s["last"]:
        text += f", published {esc(format_date(s['first']))} to {esc(format_date(s['last']))}"
    elif s["first"] or s["last"]:
        text += f", published {esc(format_date(s['first'] or s['last']))}"
    text += "; " + ", ".join(plural(len(part[k]), k[:-1]) for k in ("events", "claims", "quotes")) + "."
    if s["top_events"]:
        text += " Main events: " + "; ".join(
            f"{esc(format_date(e.get('date'), e.get('precision')))} {esc(e.get('summary') or e.get('type') or 'event')}"
            f" ({plural(len(event_sources(e)), 'source')})" for e in s["top_events"]) + "."
    if s["top_entities"]:
        text += " Most mentioned: " + ", ".join(f"{esc(e.get('name'))} ({e['n']})" for e in s["top_entities"]) + "."
    return text
