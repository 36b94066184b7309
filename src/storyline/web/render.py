"""HTML pieces the templates cannot draw themselves: an article's text with its layers marked
(entities, quotes, time expressions, a highlighted span, removed furniture put back struck
through), links to a source span, and the layouts of the story page (timeline axis, entity graph).

Article text is hostile input: every piece of it, and every attribute value, goes through
`html.escape` (quotes included); nothing here concatenates unescaped text.
"""

from __future__ import annotations

import math
from html import escape as _esc
from urllib.parse import quote
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from markupsafe import Markup

from storyline.datewords import in_words
from storyline.published import period
from storyline.textsafe import inert

# which layer wins the outer position when two spans start at the same place and end at the same place
_ORDER = {"hl": 0, "quote": 1, "timex": 2, "entity": 3}


_ATTRS_CACHE: dict[tuple, str] = {}


def _attrs_html(attrs: dict[str, str]) -> str:
    """` name="value"` for each attribute, values escaped (quotes too); memoised, since the same
    entity's attributes repeat at every mention."""
    key = tuple(attrs.items())
    out = _ATTRS_CACHE.get(key)
    if out is None:
        out = "".join(f' {k}="{_esc(v)}"' for k, v in attrs.items() if v is not None)
        if len(_ATTRS_CACHE) > 50_000:
            _ATTRS_CACHE.clear()
        _ATTRS_CACHE[key] = out
    return out


@dataclass
class Mark:
    start: int
    end: int
    kind: str  # hl | quote | timex | entity
    attrs: dict[str, str] = field(default_factory=dict)
    href: str | None = None

    def open(self, first: bool, anchor_open: bool, ids: set[str]) -> tuple[str, bool]:
        """The opening tag (an <a> when it links and no link is open around it) and whether it is an <a>."""
        head = f'class="{self.kind}"' if first else f'class="{self.kind} cont"'
        anchor_id = f"span-{self.start}-{self.end}"
        if first and anchor_id not in ids:
            ids.add(anchor_id)
            head = f'id="{anchor_id}" {head}'
        rest = _attrs_html(self.attrs)
        if self.href and not anchor_open:
            return f'<a {head}{rest} href="{_esc(self.href)}">', True
        return f"<mark {head}{rest}>", False


def insertion_points(text_map: list[list[int]] | list[tuple[int, int, int]], removed: list[dict[str, Any]],
                     text_len: int) -> list[tuple[int, dict[str, Any]]]:
    """Where each removed piece (a span of the *document*) sits in the article text: before the first
    run of text that comes after it in the document (runs are [text_start, doc_start, length])."""
    runs = sorted((int(r[1]), int(r[0]), int(r[2])) for r in text_map)  # by document position
    out = []
    for piece in removed:
        start, end = piece["span"]
        pos = text_len
        for doc_start, text_start, length in runs:
            if doc_start <= start < doc_start + length:  # inside a run (rare): at the same place in the text
                pos = text_start + (start - doc_start)
                break
            if doc_start >= end:
                pos = text_start
                break
        out.append((pos, piece))
    return sorted(out, key=lambda x: (x[0], x[1]["span"][0]))


def _removed_html(piece: dict[str, Any]) -> str:
    return (f'<span class="removed" data-reason="{_esc(piece["reason"])}">'
            f'<span class="reason">{_esc(piece["reason"])}</span>'
            f'<del>{_esc(inert(piece["text"]))}</del></span>')  # control characters written out, not obeyed


def marked_text(text: str, marks: list[Mark], inserts: list[tuple[int, dict[str, Any]]] | None = None) -> Markup:
    """The text with every mark as an element, properly nested even when marks cross (a crossing mark is
    closed and reopened as a continuation, `class="… cont"`); the first piece of each mark carries the
    anchor `id="span-START-END"`. `inserts` are removed pieces put back at their positions."""
    n = len(text)
    marks = [m for m in marks if 0 <= m.start < m.end <= n]
    inserts = [(min(max(p, 0), n), piece) for p, piece in (inserts or [])]
    bounds = sorted({0, n, *(m.start for m in marks), *(m.end for m in marks), *(p for p, _ in inserts)})
    starts: dict[int, list[Mark]] = {}
    for m in sorted(marks, key=lambda m: (m.start, -m.end, _ORDER.get(m.kind, 9))):
        starts.setdefault(m.start, []).append(m)
    by_pos: dict[int, list[dict]] = {}
    for p, piece in inserts:
        by_pos.setdefault(p, []).append(piece)

    out: list[str] = []
    stack: list[tuple[Mark, bool]] = []  # open marks, innermost last, with whether each is an <a>
    ids: set[str] = set()
    opened: set[int] = set()

    def anchor_open() -> bool:
        return any(is_a for _, is_a in stack)

    def push(m: Mark) -> None:
        first = id(m) not in opened
        opened.add(id(m))
        tag, is_a = m.open(first, anchor_open(), ids)
        out.append(tag)
        stack.append((m, is_a))

    for i, pos in enumerate(bounds):
        # close the marks that end here; marks above them that go on are closed and reopened
        if any(m.end == pos for m, _ in stack):
            reopen: list[Mark] = []
            while any(m.end == pos for m, _ in stack):
                m, is_a = stack.pop()
                out.append("</a>" if is_a else "</mark>")
                if m.end != pos:
                    reopen.append(m)
            for m in reversed(reopen):
                push(m)
        for piece in by_pos.get(pos, []):
            out.append(_removed_html(piece))
        for m in starts.get(pos, []):
            push(m)
        if i + 1 < len(bounds):
            out.append(_esc(text[pos:bounds[i + 1]]))
    while stack:
        _, is_a = stack.pop()
        out.append("</a>" if is_a else "</mark>")
    return Markup("".join(out))


def article_marks(mentions: list[dict[str, Any]], quotes: list[dict[str, Any]], timexes: list[dict[str, Any]],
                  highlight: tuple[int, int] | None = None) -> list[Mark]:
    marks: list[Mark] = []
    for m in mentions:
        label = m.get("name") or m.get("text") or ""
        eid = m.get("entity_id")
        marks.append(Mark(m["span"][0], m["span"][1], "entity",
                          {"data-type": m.get("type") or "", "title": f"{label} ({m.get('type') or 'entity'})",
                           "data-entity": eid or ""},
                          href=f"/entities/{quote(eid, safe='')}" if eid else None))
    for q in quotes:
        sp = q.get("speaker") or {}
        who = sp.get("name") or "unknown speaker"
        via = " via " + ", ".join(q.get("via") or []) if q.get("via") else ""
        marks.append(Mark(q["span"][0], q["span"][1], "quote",
                          {"data-speaker": who, "data-kind": q.get("kind") or "",
                           "title": f"{who} ({q.get('kind')} quote{via})"}))
    for t in timexes:
        marks.append(Mark(t["span"][0], t["span"][1], "timex",
                          {"data-value": t.get("value") or "",
                           "title": f"{t.get('type')}: {in_words(t.get('value'))}"}))
    if highlight:
        marks.append(Mark(highlight[0], highlight[1], "hl", {"title": "the source of the statement you followed"}))
    return marks


# --- story page layouts --------------------------------------------------------------------------
def span_link(article_id: str, span: list[int] | tuple[int, int] | None) -> str:
    """The URL of an article page that highlights `span` and scrolls to it (no span: the page)."""
    if span is None:
        return f"/articles/{quote(str(article_id), safe='')}"
    s, e = int(span[0]), int(span[1])
    return f"/articles/{quote(str(article_id), safe='')}?hl={s}-{e}#span-{s}-{e}"


def _date_of(value: str | None) -> date | None:
    """A calendar value at any precision → its first day ('2017-09' → 2017-09-01, the decade '196' →
    1960-01-01, '2017-W37' → that Monday); None when it has no place on the calendar."""
    p = period(value)
    return p[0] if p else None


def timeline_layout(events: list[dict[str, Any]], width: int = 1000, on_page: set[str] | None = None,
                    page: int = 100) -> dict[str, Any]:
    """x positions (0…width) of dated events on a linear time axis, with year/month ticks, and the
    points drawn as SVG (`svg`; a story can have thousands); undated events are left out of the axis
    (they stay in the list below it). A point links to its event in the list when the event is among
    `on_page` (all when None), else to the list page (`page` events a page, dated first) it is on."""
    dated = [(e, _date_of(e.get("date"))) for e in events]
    days = [d.toordinal() for _, d in dated if d]
    if not days:
        return {"width": width, "points": [], "ticks": []}
    lo, hi = min(days), max(days)
    span = max(hi - lo, 1)
    pad = span * 0.05 + 1
    lo, hi = lo - pad, hi + pad

    def x(day: float) -> float:
        return round((day - lo) / (hi - lo) * width, 1)

    points = []
    lanes: dict[int, int] = {}
    for e, d in dated:
        if d:
            px = x(d.toordinal())
            bucket = int(px // 14)
            lane = lanes.get(bucket, 0)
            lanes[bucket] = lane + 1
            points.append({"x": px, "y": 40 - min(lane, 4) * 7, "id": e.get("id"), "date": e.get("date"),
                           "here": on_page is None or e.get("id") in on_page, "rank": len(points),
                           "summary": e.get("summary") or e.get("type") or ""})
    ticks = []
    lo, hi = max(lo, 1), min(hi, date.max.toordinal())
    first, last = date.fromordinal(int(lo)), date.fromordinal(int(hi))
    years = last.year - first.year
    step_months = 1 if years < 1 else 3 if years < 3 else 12 if years < 12 else 60
    cur = date(first.year, 1, 1)
    while cur <= last:
        if cur >= first:
            ticks.append({"x": x(cur.toordinal()), "label": str(cur.year) if cur.month == 1 else cur.strftime("%b %Y")})
        month = cur.month - 1 + step_months
        cur = date(cur.year + month // 12, month % 12 + 1, 1)
    svg = []
    for p in points:
        href = ("" if p["here"] else f"?offset={p['rank'] // page * page}") + f"#event-{p['id']}"
        svg.append(f'<a href="{_esc(href)}"><circle cx="{p["x"]}" cy="{p["y"]}" r="4" class="event-dot">'
                   f'<title>{_esc(in_words(p["date"]))} {_esc(str(p["summary"]))}</title></circle></a>')
    return {"width": width, "points": points, "ticks": ticks, "svg": Markup("".join(svg))}


def entity_graph(entities: list[dict[str, Any]], articles_of: dict[str, set[str]], top: int = 24,
                 size: int = 560) -> dict[str, Any]:
    """Who appears with whom: the `top` most mentioned entities (their `mention_count`), an edge between two
    named in the same articles (`articles_of`: entity id → article ids), its `w` the number of those articles.
    Laid out force-directed (Fruchterman–Reingold, networkx's spring layout, edges pulling by their weight,
    a fixed seed so a page is the same each time), in a `size` square with room for the labels; `max_w` is
    the heaviest edge (the page's weight slider goes up to it)."""
    import networkx as nx

    nodes = []
    for e in entities:
        arts = articles_of.get(e["id"]) or set()
        if arts:
            nodes.append({"id": e["id"], "name": e["name"], "type": e["type"], "articles": arts,
                          "n": e.get("mention_count") or len(e.get("mentions") or [])})
    nodes.sort(key=lambda n: (-n["n"], n["name"]))
    nodes = nodes[:top]
    edges: list[dict[str, Any]] = []
    g = nx.Graph()
    g.add_nodes_from(range(len(nodes)))
    for i, a_ in enumerate(nodes):
        for j in range(i + 1, len(nodes)):
            b = nodes[j]
            w = len(a_["articles"] & b["articles"])
            if w:
                edges.append({"a": a_, "b": b, "w": w})
                g.add_edge(i, j, weight=w)
    pos = nx.spring_layout(g, weight="weight", seed=0, iterations=100) if nodes else {}
    xs = [p[0] for p in pos.values()] or [0.0]
    ys = [p[1] for p in pos.values()] or [0.0]
    span_x, span_y = (max(xs) - min(xs)) or 1.0, (max(ys) - min(ys)) or 1.0
    margin = 40
    for i, node in enumerate(nodes):
        x, y = pos[i]
        node["x"] = round(margin + (x - min(xs)) / span_x * (size - 2 * margin), 1)
        node["y"] = round(margin + (y - min(ys)) / span_y * (size - 2 * margin), 1)
        node["r"] = round(5 + 3 * math.log1p(node["n"]), 1)
        node["anchor"] = "start"
        node["lx"], node["ly"] = round(node["x"] + node["r"] + 4, 1), round(node["y"] + 4, 1)
        node["articles"] = sorted(node["articles"])
    return {"size": size, "nodes": nodes, "edges": edges, "max_w": max((e["w"] for e in edges), default=0)}


def volume_chart(volume: list[dict[str, Any]], width: int = 180, height: int = 32, undated: int = 0) -> Markup:
    """A story's articles a month (`volume`: [{"period": "YYYY-MM", "articles": n}]) as a small inline SVG bar
    chart, a bar a month (a month with none: no bar), each bar titled with its month in words and its count;
    '' when no article's month is known. `undated`: the articles left out, said in the chart's label."""
    if not volume:
        return Markup("")
    top = max(v["articles"] for v in volume) or 1
    n = len(volume)
    step = width / n
    bar = max(min(step - 1, 14), 1)
    first, last = volume[0]["period"], volume[-1]["period"]
    months = in_words(first if n == 1 else f"{first}/{last}")
    total = sum(v["articles"] for v in volume)
    label = f"articles a month: {total} over {months}"
    if undated:
        label += f"; {undated} more not dated to a month"
    parts = [f'<svg class="volume" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img"'
             f' aria-label="{_esc(label)}"><title>{_esc(label)}</title>'
             f'<line x1="0" y1="{height - 0.5}" x2="{width}" y2="{height - 0.5}" class="volume-axis"/>']
    for i, v in enumerate(volume):
        if not v["articles"]:
            continue
        h = max(round(v["articles"] / top * (height - 3), 1), 2)
        x = round(i * step + (step - bar) / 2, 1)
        parts.append(f'<rect x="{x}" y="{round(height - 1 - h, 1)}" width="{round(bar, 1)}" height="{h}"'
                     f' class="volume-bar"><title>{_esc(in_words(v["period"]))}: {int(v["articles"])}'
                     f' article{"" if v["articles"] == 1 else "s"}</title></rect>')
    parts.append("</svg>")
    return Markup("".join(parts))
