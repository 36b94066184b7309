"""The human-readable story dossier as one self-contained HTML page, every text escaped."""

from __future__ import annotations

import re
from html import escape
from typing import Any

from storyline.export.views import (
    article_label,
    cite,
    corrected_note,
    event_detail,
    format_date,
    one_line,
    speaker_note,
    story_parts,
    summary_sentence,
    via_chain,
    year_of,
)
from storyline.settings import EXPORT_MAX_ENTITIES as MAX_ENTITIES
from storyline.settings import EXPORT_MAX_SENTENCE as MAX_SENTENCE

# no scripts, no fetches: even a text that slipped past escaping could neither run nor load anything
_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"

_CSS = """
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2125;background:#fafaf7;margin:0}
main{max-width:60rem;margin:0 auto;padding:1.5rem}
h1{font-size:1.7rem;margin:.2rem 0}h2{font-size:1.3rem;border-bottom:1px solid #ccd;margin-top:2rem}
h3{font-size:1.1rem;margin:1rem 0 .3rem}article.story{margin-bottom:3rem}
.meta,.muted{color:#667}.summary{background:#eef2f6;padding:.6rem .8rem;border-radius:4px}
code,.cite{font:12px ui-monospace,SFMono-Regular,Menlo,monospace;color:#445;background:#eef;padding:0 .2em;
border-radius:3px;text-decoration:none;white-space:nowrap}
ol.years{list-style:none;padding-left:0}ol.events{padding-left:1.6rem}li.event{margin:.5rem 0}
.when{font-weight:600}.etype{display:inline-block;font-size:12px;background:#dde7f0;border-radius:3px;padding:0 .35em}
.modality{font-size:12px;color:#935}ul.sources{margin:.2rem 0;padding-left:1.1rem;font-size:14px}
.sentence{color:#445}
table{border-collapse:collapse;width:100%;font-size:14px}th,td{border:1px solid #ccd;padding:.3rem .45rem;
vertical-align:top;text-align:left}th{background:#eef2f6}td ul{margin:0;padding-left:1rem}
tr.status-conflict td{background:#fde8e8}.status{font-weight:600}.status-conflict .status{color:#b00}
tr.status-evolving td{background:#fff6e0}
blockquote{margin:.2rem 0 .2rem .8rem;padding-left:.6rem;border-left:3px solid #ccd}
ul.quotes{padding-left:1.1rem}ul.quotes li{margin:.4rem 0}
"""


def _t(value: Any) -> str:
    """Any value as escaped HTML text on one line, control characters dropped (None → '')."""
    return escape(one_line(value), quote=True)


def _cls(value: Any) -> str:
    """A value usable inside a class name: lower-case letters, digits and hyphens only."""
    return re.sub(r"[^a-z0-9-]+", "-", str(value or "").lower()).strip("-") or "none"


def _clip(text: Any, n: int = MAX_SENTENCE) -> str:
    return one_line(text, n)


def _anchor(prefix: str, value: Any) -> str:
    return prefix + re.sub(r"[^A-Za-z0-9_.:-]", "_", str(value or ""))


def _cite(article_id: Any, span: Any, sid: str = "") -> str:
    return (f'<a class="cite" href="#{_t(_anchor(sid + "src-", article_id))}">'
            f"{_t(cite(article_id, span))}</a>")


def _article(part: dict[str, Any], article_id: Any) -> str:
    aid = str(article_id or "")
    a = part["articles"].get(aid) or part["all_articles"].get(aid)
    return _t(article_label(a, aid) + corrected_note(a))


def _quote(part: dict[str, Any], q: dict[str, Any], sid: str, with_speaker: bool = True) -> str:
    sp = q.get("speaker") or {}
    bits = [_t(q.get("kind") or "quote")]
    if via_chain(q):
        bits.append("via " + _t(via_chain(q)))
    who = f"<strong>{_t(sp.get('name') or '(speaker not identified)')}</strong> — " if with_speaker else ""
    return (f"{who}<span class=\"muted\">{' · '.join(bits)}</span>"
            f"<blockquote>{_t(_clip(q.get('text')))}</blockquote>"
            f"<span class=\"muted\">{_article(part, q.get('article_id'))}</span> "
            f"{_cite(q.get('article_id'), q.get('span'), sid)}"
            + (f' <span class="corrected">{_t(corrected_note(q).strip())}</span>' if corrected_note(q) else ""))


def _event(part: dict[str, Any], e: dict[str, Any], sid: str) -> str:
    out = [f'<li class="event type-{_cls(e.get("type"))}" id="{_t(_anchor(sid + "event-", e.get("id")))}">',
           f'<span class="when" data-value="{_t(e.get("date") or "")}">'
           f'{_t(format_date(e.get("date"), e.get("precision")))}</span> ',
           f'<span class="etype">{_t(e.get("type") or "event")}</span> ']
    if e.get("modality") and e.get("modality") != "done":
        out.append(f'<span class="modality">{_t(e["modality"])}</span> ')
    out.append(f'<span class="summary-text">{_t(e.get("summary") or "(no summary)")}</span>')
    d = event_detail(e)
    items = []
    if d["people"]:
        items.append('<li class="participants">Participants: '
                     + ", ".join(f"{_t(name)} ({_t(role)})" for name, role in d["people"]) + "</li>")
    for m in d["mentions"]:
        dated = f' <span class="muted">(dated {_t(format_date(m["date"]))} here)</span>' if m["date"] else ""
        dated += " (headline)" if m.get("field") == "title" else ""
        items.append(f"<li>{_article(part, m['article_id'])}{dated}: "
                     f"<span class=\"sentence\">“{_t(_clip(m['text']))}”</span> "
                     f"{_cite(m['article_id'], m['span'], sid)}</li>")
    for a in d["also"]:
        items.append(f"<li>Also reported in {_article(part, a)} {_cite(a, None, sid)}</li>")
    for qid in d["quote_ids"]:
        q = part["quotes_by_id"].get(qid)
        if q:
            items.append(f'<li class="quote">{_quote(part, q, sid)}</li>')
    if items:
        out.append('<ul class="sources">' + "".join(items) + "</ul>")
    return "".join(out) + "</li>"


def timeline_html(part: dict[str, Any], events: list[dict[str, Any]], sid: str = "", level: int = 3) -> str:
    """Events (already in timeline order) as an ordered list grouped by year, numbered across the years."""
    if not events:
        return '<p class="muted">No events yet.</p>'
    groups: list[tuple[str, list[dict[str, Any]]]] = []
    for e in events:
        y = year_of(e.get("date"))
        if not groups or groups[-1][0] != y:
            groups.append((y, []))
        groups[-1][1].append(e)
    out, n = ['<ol class="years">'], 1
    for y, evs in groups:
        out.append(f'<li class="year"><h{level}>{_t(y)}</h{level}><ol class="events" start="{n}">')
        out += [_event(part, e, sid) for e in evs]
        out.append("</ol></li>")
        n += len(evs)
    return "".join(out) + "</ol>"


def _summary(part: dict[str, Any]) -> str:
    return f'<p class="summary">{summary_sentence(part, _t)}</p>'

def _value(part: dict[str, Any], v: dict[str, Any], sid: str, sentence: bool) -> str:
    bits = [_t(b) for b in (v.get("modality"), format_date(v["date"]) if v.get("date") else None) if b]
    extra = f' <span class="muted">({", ".join(bits)})</span>' if bits else ""
    said = f'<br><span class="sentence">“{_t(_clip(v.get("text")))}”</span>' if sentence and v.get("text") else ""
    return (f"<li><strong>{_t(v.get('value'))}</strong>{extra} — {_article(part, v.get('article_id'))} "
            f"{_cite(v.get('article_id'), v.get('span'), sid)}{said}</li>")


def claims_html(part: dict[str, Any], claims: list[dict[str, Any]], sid: str = "") -> str:
    """The claims as a table, conflicts highlighted and shown with the sentences that state each value."""
    if not claims:
        return '<p class="muted">No claims yet.</p>'
    rows = []
    for c in claims:
        status = c.get("status") or "?"
        label = "⚠ conflict" if status == "conflict" else status
        values = "".join(_value(part, v, sid, status == "conflict")
                         for v in c.get("values") or [] if isinstance(v, dict))
        rows.append(f'<tr class="status-{_cls(status)}"><td>{_t(c.get("subject"))}</td>'
                    f'<td>{_t(c.get("attribute"))}</td>'
                    f'<td><span class="status">{_t(label)}</span></td><td><ul>{values}</ul></td></tr>')
    return ("<table><thead><tr><th>subject</th><th>attribute</th><th>status</th>"
            "<th>values (modality, date) — source</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>")


def _story(part: dict[str, Any], level: int, many: bool) -> str:
    st = part["story"]
    sid = (_anchor("", st.get("id")) + "-") if many else ""
    h, h2 = f"h{level}", f"h{level + 1}"
    out = [f'<article class="story" id="{_t(_anchor("story-", st.get("id") or "all"))}">',
           f"<{h}>{_t(st.get('title') or st.get('id') or 'Untitled story')}</{h}>"]
    if st.get("id"):
        out.append(f'<p class="meta">Story <code>{_t(st["id"])}</code></p>')
    key = []
    for entry in part.get("key") or []:
        for sentence, sources in zip(entry["sentences"], entry["sources"]):
            cited = "; ".join(f"{_article(part, x.get('article_id'))} "
                              f"{_cite(x.get('article_id'), None if x.get('field') else x.get('span'), sid)}"
                              for x in sources)
            key.append(f'<li><strong>{_t(format_date(entry["date"], entry.get("precision")))}</strong> — '
                       f'{_t(sentence)} <span class="muted">({cited})</span></li>')
    out += [_summary(part), f'<section class="key-events"><{h2}>Key events</{h2}>',
            f'<ol>{"".join(key)}</ol>' if key else '<p class="muted">No dated events yet.</p>', "</section>",
            f'<section class="timeline"><details><summary><{h2}>Timeline: every event '
            f'({len(part["events"])})</{h2}></summary>',
            timeline_html(part, part["events"], sid, level + 2), "</details></section>"]
    out.append(f'<section class="quotes-by-speaker"><{h2}>Quotes by speaker</{h2}>')
    if not part["speakers"]:
        out.append('<p class="muted">No quotes.</p>')
    for name, qs in part["speakers"]:
        note = speaker_note(qs, part.get("entity_names") or {})
        out.append(f"<h{level + 2}>{_t(name)} <span class=\"muted\">({_t(note) + ', ' if note else ''}{len(qs)})</span>"
                   f"</h{level + 2}>"
                   '<ul class="quotes">' + "".join(f"<li>{_quote(part, q, sid, False)}</li>" for q in qs) + "</ul>")
    out += ["</section>", f'<section class="claims"><{h2}>Claims</{h2}>', claims_html(part, part["claims"], sid),
            "</section>", f'<section class="entities"><{h2}>Entities</{h2}>']
    ents = part["entities"]
    if not ents:
        out.append('<p class="muted">No entities.</p>')
    else:
        rows = "".join(f"<tr><td>{_t(e.get('name'))}{_t(corrected_note(e))}</td><td>{_t(e.get('type'))}</td>"
                       f"<td>{_t(', '.join(str(a) for a in e.get('aliases') or [] if a))}</td><td>{e['n']}</td></tr>"
                       for e in ents[:MAX_ENTITIES])
        out.append("<table><thead><tr><th>name</th><th>type</th><th>aliases</th><th>mentions</th></tr></thead>"
                   f"<tbody>{rows}</tbody></table>")
        if len(ents) > MAX_ENTITIES:
            out.append(f'<p class="muted">… and {len(ents) - MAX_ENTITIES} more entities mentioned less often.</p>')
    out.append(f'</section><section class="sources"><{h2}>Sources</{h2}>')
    if part["article_ids"]:
        items = []
        for aid in part["article_ids"]:
            a = part["articles"].get(aid) or {}
            url = f' <span class="muted">{_t(a["url"])}</span>' if a.get("url") else ""
            items.append(f'<li id="{_t(_anchor(sid + "src-", aid))}"><code>{_t(aid)}</code> '
                         f"{_article(part, aid)}{url}</li>")
        out.append("<ul>" + "".join(items) + "</ul>")
    else:
        out.append('<p class="muted">No articles.</p>')
    return "".join(out) + "</section></article>"


def page(title: str, body: str) -> str:
    """A complete HTML document around `body` (already escaped HTML): inline CSS, no scripts, no fetches."""
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">'
            '<meta name="referrer" content="no-referrer">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{_t(title)}</title><style>{_CSS}</style></head>\n<body><main>\n{body}\n</main></body></html>\n")


def render_html(dossier: dict[str, Any], story_id: str | None = None) -> str:
    """The dossier (or one story of it: an id or a title part) as one HTML page; raises views.StoryNotFound."""
    parts = story_parts(dossier, story_id)
    if len(parts) == 1:
        st = parts[0]["story"]
        return page(f"{st.get('title') or st.get('id') or 'Story'} · storyline", _story(parts[0], 1, False))
    body = [f"<h1>Story dossier</h1><p class=\"meta\">{len(parts)} stories</p><nav><ol>"]
    body += [f'<li><a href="#{_t(_anchor("story-", p["story"].get("id") or "all"))}">'
             f"{_t(p['story'].get('title') or p['story'].get('id'))}</a></li>" for p in parts]
    body.append("</ol></nav>")
    body += [_story(p, 2, True) for p in parts]
    return page("Story dossier · storyline", "\n".join(body))
