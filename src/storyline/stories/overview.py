"""What a person scans in a list of stories: a title without the site's name, the date span in words, the
outlets, and the articles over time.

    clean_title(title, outlet, url, suffixes)  a headline without its site suffix (' – 9to5Mac', ' | Reuters')
    site_suffixes(rows)                        the trailing segments each site repeats across its titles
    story_title(arts, sites, suffixes, ...)    the central article's clean headline, else the key event's sentence
    span_in_words(published)                   '16 April 2017 – 9 December 2021'; a bound reads as one
    volume(published)                          [{"period": "YYYY-MM", "articles": n}, …] over the known months
    sparkline(volume)                          '▁▃█' (at most `width` characters)
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any, Iterable
from urllib.parse import urlsplit

from storyline.datewords import bounds_in_words, in_words
from storyline.model import Event

__all__ = ["describe", "clean_title", "site_key", "site_suffixes", "story_title", "span_in_words", "volume", "sparkline",
           "outlet_counts"]

# a separator between a headline and the site's name: spaced on both sides, so "S-400" or "Erdogan-Putin" never splits
_SEP = re.compile(r"\s+(?:\||–|—|-|·|::|»)\s+")
_MAX_SUFFIX_WORDS = 5
_MAX_SUFFIX_CHARS = 40


def _norm(s: str | None) -> str:
    return re.sub(r"[\W_]+", "", (s or "").lower())


def _host(url: str | None) -> str:
    """'https://www.9to5mac.com/2021/…' → '9to5mac' (the registered name without 'www.' and the suffix)."""
    if not url:
        return ""
    try:
        host = (urlsplit(url if "//" in url else "//" + url).hostname or "").lower()
    except ValueError:
        return ""
    parts = [p for p in host.split(".") if p and p not in ("www", "m", "amp", "mobile")]
    if len(parts) >= 3 and len(parts[-2]) <= 3 and len(parts[-1]) == 2:  # bbc.co.uk
        parts = parts[:-2]
    elif len(parts) >= 2:
        parts = parts[:-1]
    return parts[-1] if parts else ""


def site_key(outlet: str | None, url: str | None) -> str:
    """Which site an article comes from, for comparing its title with the site's other titles: the URL's
    host name, else the outlet; '' when neither is known."""
    return _host(url) or _norm(outlet)


def _split(title: str) -> tuple[str, str] | None:
    """The headline and its last segment after a separator, when there is one."""
    last = None
    for m in _SEP.finditer(title):
        last = m
    if last is None:
        return None
    return title[: last.start()].rstrip(), title[last.end():].strip()


def _looks_like_name(tail: str) -> bool:
    words = tail.split()
    return 0 < len(words) <= _MAX_SUFFIX_WORDS and len(tail) <= _MAX_SUFFIX_CHARS and not tail.endswith(("?", "!", "."))


def site_suffixes(rows: Iterable[dict[str, Any]]) -> Counter:
    """(site key, normalised last segment) → how many titles of that site end with it. `rows`: dicts with
    title, outlet, url."""
    seen: Counter = Counter()
    for r in rows:
        title = r.get("title") or ""
        key = site_key(r.get("outlet"), r.get("url"))
        while (cut := _split(title)) and _looks_like_name(cut[1]):
            seen[(key, _norm(cut[1]))] += 1
            title = cut[0]
    return seen


def _names_site(tail: str, outlet: str | None, url: str | None) -> bool:
    t = _norm(tail)
    if not t:
        return False
    names = [n for n in (_norm(outlet), _host(url)) if n]
    # the name itself, or most of it ('Paradigm' of theparadigmng.com), or it with a short word ('SpaceNews.com')
    return any(t == n or (len(t) >= 4 and t in n and 2 * len(t) >= len(n))
               or (len(n) >= 4 and n in t and len(t) - len(n) <= 6) for n in names)


def clean_title(title: str | None, outlet: str | None = None, url: str | None = None,
                suffixes: Counter | None = None) -> str:
    """The headline without its site suffix: each trailing segment after ' | ', ' – ', ' — ' or ' - ' that is
    short and names the site (the outlet or the URL's host, or a segment another title of the same site
    ends with). A title that would be nothing but site names comes back as ''."""
    title = " ".join((title or "").split())
    key = site_key(outlet, url)
    if outlet and outlet.strip() and (m := re.search(_SEP.pattern + re.escape(" ".join(outlet.split())) + "$", title)):
        title = title[: m.start()].rstrip()  # the outlet's whole name, separators in it too
    while (cut := _split(title)) and _looks_like_name(cut[1]):
        head, tail = cut
        # this title and another of the same site end with it (a site not known: no such evidence)
        repeated = bool(key) and suffixes is not None and suffixes.get((key, _norm(tail)), 0) >= 2
        if not (_names_site(tail, outlet, url) or repeated):
            break
        title = head
    head = title
    if _names_site(head, outlet, url) and len(head.split()) <= _MAX_SUFFIX_WORDS:
        return ""  # only the site's name (a list of them, once the rest went)
    return head


def story_title(arts: list[dict[str, Any]], sites: dict[str, dict[str, Any]] | None = None,
                suffixes: Counter | None = None, key_event: Event | None = None) -> str:
    """The headline of the story's most central article (the one sharing the most entities with the others)
    without its site suffix; when no article has a usable headline, the key event's summary; else the start
    of the central article's text. `sites`: article id → {outlet, url}."""
    sites = sites or {}

    def clean(r: dict) -> str:
        s = sites.get(r["id"]) or {}
        return clean_title(r.get("title"), s.get("outlet"), s.get("url"), suffixes)

    titled = [(r, t) for r in arts for t in [clean(r)] if len(t.split()) >= 2 or len(t) >= 12]  # CJK: no spaces
    if titled:
        def score(pair: tuple[dict, str]) -> tuple[int, int]:
            r = pair[0]
            mine = set(r.get("entities") or [])
            return (sum(len(mine & set(o.get("entities") or [])) for o in arts if o is not r), -arts.index(r))
        return max(titled, key=score)[1]
    if key_event and key_event.summary.strip():
        return told_as_title(key_event)
    return " ".join((arts[0].get("text") or "")[:80].split()) if arts else ""


def told_as_title(event: Event, max_words: int = 40) -> str:
    """An event as a story's title: the whole sentence its summary clause is from ('It was revealed last week
    that the estate has agreed to ...', not 'that the estate has agreed to ...'), as the digest tells it, where
    that reads as a sentence of at most `max_words` words; else the clause."""
    from storyline.stories.digest import reads_as_sentence, told_sentence

    clause = " ".join(event.summary.split())
    for m in event.mentions:
        if clause and clause in " ".join(m.text.split()):
            sentence, _ = told_sentence(m.to_json())
            words = [w for w in sentence.split() if any(c.isalnum() for c in w)]  # not tokenised copy's ' , '
            if clause in sentence and reads_as_sentence(sentence) and len(words) <= max_words:
                return sentence
            break
    return clause


def _ends(p: dict[str, Any]) -> tuple[tuple[str, str] | None, tuple[str, str] | None]:
    """An article's publication as (lower end, upper end), each (value, kind): kind 'day' for a date, 'after'
    for an earliest bound, 'before' for a latest bound; None where that side is unknown."""
    if p.get("date"):
        return (p["date"], "day"), (p["date"], "day")
    lo = (p["earliest"], "after") if p.get("earliest") else None
    hi = (p["latest"], "before") if p.get("latest") else None
    return lo or hi, hi or lo


def _piece(end: tuple[str, str]) -> str:
    value, kind = end
    words = in_words(value)
    return words if kind == "day" else f"on or {kind} {words}"


def span_in_words(published: Iterable[dict[str, Any] | None]) -> str:
    """The span of a story's articles in words: '16 April 2017 – 9 December 2021' between two dated
    articles; an end known only by a bound reads as one ('on or after 16 April 2017 – 9 December 2021');
    '' when no article's publication is known at all."""
    los, his = [], []
    for p in published:
        lo, hi = _ends(p or {})
        if lo:
            los.append(lo)
        if hi:
            his.append(hi)
    if not los:
        return ""
    rank_lo = {"before": 0, "day": 1, "after": 2}  # ties at the start: the least certain side first
    rank_hi = {"after": 2, "day": 1, "before": 0}
    start = min(los, key=lambda e: (e[0], rank_lo[e[1]]))
    end = max(his, key=lambda e: (e[0], rank_hi[e[1]]))
    if start[1] == end[1] == "day":
        return in_words(start[0] if start[0] == end[0] else f"{start[0]}/{end[0]}")
    if start[1] == "after" and end[1] == "before":  # a window, as one article's bounds read
        return bounds_in_words(start[0], end[0])
    a, b = _piece(start), _piece(end)
    return a if a == b else f"{a} – {b}"


def _month(p: dict[str, Any] | None) -> str | None:
    """The month an article was published in, when known: its date's, or the one month its bounds allow."""
    p = p or {}
    d = p.get("date") or ""
    if re.match(r"^\d{4}-\d{2}", d):
        return d[:7]
    lo, hi = p.get("earliest") or "", p.get("latest") or ""
    if re.match(r"^\d{4}-\d{2}", lo) and lo[:7] == hi[:7]:
        return lo[:7]
    return None


def volume(published: Iterable[dict[str, Any] | None], max_months: int = 240) -> list[dict[str, Any]]:
    """Articles a month, from the first known month to the last (months with none as 0; over `max_months`
    months, only the months with articles). Articles whose month is not known are not counted."""
    counts = Counter(m for p in published if (m := _month(p)))
    if not counts:
        return []
    first, last = min(counts), max(counts)
    y0, m0, y1, m1 = int(first[:4]), int(first[5:7]), int(last[:4]), int(last[5:7])
    n = (y1 - y0) * 12 + (m1 - m0) + 1
    if n > max_months:
        return [{"period": k, "articles": counts[k]} for k in sorted(counts)]
    out = []
    for i in range(n):
        y, m = divmod(m0 - 1 + i, 12)
        key = f"{y0 + y:04d}-{m + 1:02d}"
        out.append({"period": key, "articles": counts.get(key, 0)})
    return out


_BLOCKS = "▁▂▃▄▅▆▇█"


def _bins(vol: list[dict[str, Any]], width: int) -> list[int]:
    values = [v["articles"] for v in vol]
    if len(values) <= width:
        return values
    size = -(-len(values) // width)
    return [sum(values[i:i + size]) for i in range(0, len(values), size)]


def sparkline(vol: list[dict[str, Any]], width: int = 24) -> str:
    """Articles over time as block characters, at most `width` of them (neighbouring months summed); a month
    with none is a space."""
    values = _bins(vol, width)
    top = max(values, default=0)
    if not top:
        return ""
    return "".join(" " if v == 0 else _BLOCKS[min(len(_BLOCKS) - 1, (v * len(_BLOCKS) - 1) // top)] for v in values)


def outlet_counts(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """[{"name", "articles"}, …], the outlet with most articles first; an article of no known outlet counts
    under its URL's host name, or not at all."""
    c: Counter = Counter()
    for r in rows:
        name = (r.get("outlet") or "").strip() or _host_name(r.get("url"))
        if name:
            c[name] += 1
    return [{"name": k, "articles": n} for k, n in sorted(c.items(), key=lambda kv: (-kv[1], kv[0].lower()))]


def _host_name(url: str | None) -> str:
    try:
        host = (urlsplit(url).hostname or "") if url else ""
    except ValueError:
        return ""
    return host[4:] if host.startswith("www.") else host


def describe(stories: list[dict[str, Any]], facts: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """Each story (dossier shape: the JSON view `Store.stories_page` reads, as the pages and the API show it) with `outlets` ([{"name", "articles"}]), `volume` ([{"period": "YYYY-MM",
    "articles"}]) and `span` (its date span in words) added; `facts`: `Store.story_article_facts`."""
    out = []
    for st in stories:
        rows = facts.get(st["id"]) or []
        pubs = [r.get("published") for r in rows]
        out.append(dict(st, outlets=outlet_counts(rows), volume=volume(pubs), span=span_in_words(pubs)))
    return out
