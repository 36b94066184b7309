"""The human-readable story dossier as Markdown, every text field neutralised against Markdown/HTML injection."""

from __future__ import annotations

import re
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
)
from storyline.settings import EXPORT_MAX_ENTITIES as MAX_ENTITIES
from storyline.settings import EXPORT_MAX_SENTENCE as MAX_SENTENCE

_SPECIAL = re.compile(r"([\\`*_\[\]|~#])")
_BLOCK_START = re.compile(r"^(\d+)([.)])|^([-+=])")
_SAFE_CODE = re.compile(r"[\w.:\-]+")
# a web address an autolink can hold as it is: http(s), no space, angle bracket, quote or backslash (RFC 3986's
# characters but the apostrophe); anything else is printed as escaped text
_SAFE_URL = re.compile(r"https?://[A-Za-z0-9\-._~:/?#\[\]@!$&()*+,;=%]{1,2000}")


def md(text: Any) -> str:
    """One line of literal text in Markdown: whitespace runs (newlines too) become one space, `&<>` become
    entities, Markdown punctuation is backslash-escaped and nothing can start a block (list, heading, quote)."""
    t = one_line(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    t = _SPECIAL.sub(r"\\\1", t)
    return _BLOCK_START.sub(lambda m: f"{m[1]}\\{m[2]}" if m[1] else f"\\{m[3]}", t)


def _clip(text: Any, n: int = MAX_SENTENCE) -> str:
    return one_line(text, n)


def _code(s: str) -> str:
    """An id or citation as inline code when it is plain (it always is for the store's ids), else escaped."""
    return f"`{s}`" if _SAFE_CODE.fullmatch(s) else md(s)


def _cite(article_id: Any, span: Any) -> str:
    return _code(cite(article_id, span))


def _url(url: Any) -> str:
    """An article's address after its label: an autolink when it is a plain http(s) address, else escaped text."""
    u = str(url or "").strip()
    if not u:
        return ""
    return f" <{u}>" if _SAFE_URL.fullmatch(u) else f" ({md(u)})"


def _article(part: dict[str, Any], article_id: Any) -> str:
    aid = str(article_id or "")
    a = part["articles"].get(aid) or part.get("all_articles", {}).get(aid)
    return md(article_label(a, aid) + corrected_note(a))


def _quote_line(part: dict[str, Any], q: dict[str, Any], with_speaker: bool = True) -> str:
    sp = q.get("speaker") or {}
    bits = [md(q.get("kind") or "quote")]
    if via_chain(q):
        bits.append("via " + md(via_chain(q)))
    head = (md(sp.get("name") or "(speaker not identified)") + " — ") if with_speaker else ""
    return (f"{head}{' · '.join(bits)}: “{md(_clip(q.get('text')))}” — {_article(part, q.get('article_id'))} "
            f"{_cite(q.get('article_id'), q.get('span'))}{md(corrected_note(q))}")


def _event_head(e: dict[str, Any]) -> str:
    when = format_date(e.get("date"), e.get("precision"))
    bits = [md(e.get("type") or "event")]
    if e.get("modality") and e.get("modality") != "done":
        bits.append(md(e["modality"]))
    return f"**{md(when)}** · {' · '.join(bits)} — {md(e.get('summary') or '(no summary)')}"


def event_items(part: dict[str, Any], events: list[dict[str, Any]]) -> list[str]:
    """The timeline as a numbered Markdown list: each event with its participants, sources and quotes."""
    lines: list[str] = []
    for i, e in enumerate(events, 1):
        lines.append(f"{i}. {_event_head(e)}")
        d = event_detail(e)
        if d["people"]:
            lines.append("   - Participants: " + ", ".join(f"{md(name)} ({md(role)})" for name, role in d["people"]))
        for m in d["mentions"]:
            dated = f" (dated {md(format_date(m['date']))} here)" if m["date"] else ""
            dated += " (headline)" if m.get("field") == "title" else ""
            lines.append(f"   - Source: {_article(part, m['article_id'])}{dated} — “{md(_clip(m['text']))}” "
                         f"{_cite(m['article_id'], m['span'])}")
        if d["also"]:
            lines.append("   - Also reported in: " + "; ".join(f"{_article(part, a)} {_code(a)}" for a in d["also"]))
        for qid in d["quote_ids"]:
            q = part["quotes_by_id"].get(qid)
            if q:
                lines.append("   - Quote: " + _quote_line(part, q))
    return lines


def _summary(part: dict[str, Any]) -> str:
    return summary_sentence(part, md)

def _status(status: Any) -> str:
    return "**⚠ CONFLICT**" if status == "conflict" else md(status or "?")


def _value(part: dict[str, Any], v: dict[str, Any]) -> str:
    bits = [b for b in (md(v.get("modality")) if v.get("modality") else "",
                        md(format_date(v["date"])) if v.get("date") else "") if b]
    extra = f" ({', '.join(bits)})" if bits else ""
    return (f"“{md(v.get('value'))}”{extra} — {_article(part, v.get('article_id'))} "
            f"{_cite(v.get('article_id'), v.get('span'))}")


def claim_lines(part: dict[str, Any], claims: list[dict[str, Any]]) -> list[str]:
    """The claims as a Markdown table, then each conflict's values with the sentences that state them."""
    if not claims:
        return ["No claims yet."]
    lines = ["| subject | attribute | status | values (modality, date) — source |", "|---|---|---|---|"]
    for c in claims:
        values = "; ".join(_value(part, v) for v in c.get("values") or [] if isinstance(v, dict)) or "—"
        lines.append(f"| {md(c.get('subject')) or '—'} | {md(c.get('attribute')) or '—'} | {_status(c.get('status'))} "
                     f"| {values} |")
    conflicts = [c for c in claims if c.get("status") == "conflict"]
    if conflicts:
        lines += ["", "**Conflicts in detail**", ""]
        for c in conflicts:
            lines.append(f"- ⚠ {md(c.get('subject'))} — {md(c.get('attribute'))}:")
            for v in c.get("values") or []:
                if isinstance(v, dict):
                    lines.append(f"  - {_value(part, v)}: “{md(_clip(v.get('text')))}”")
    return lines


def _story(part: dict[str, Any], level: int) -> list[str]:
    h = "#" * level
    st = part["story"]
    lines = [f"{h} {md(st.get('title') or st.get('id') or 'Untitled story')}", ""]
    if st.get("id"):
        lines += [f"Story {_code(str(st['id']))}", ""]
    lines += [_summary(part), "", f"{h}# Key events", ""]
    for entry in part.get("key") or []:
        for sentence, sources in zip(entry["sentences"], entry["sources"]):
            cited = "; ".join(f"{_article(part, x.get('article_id'))} "
                              f"{_cite(x.get('article_id'), None if x.get('field') else x.get('span'))}" for x in sources)
            lines.append(f"- **{md(format_date(entry['date'], entry.get('precision')))}** — {md(sentence)} ({cited})")
    if not part.get("key"):
        lines.append("No dated events yet.")
    lines += ["", f"{h}# Timeline: every event", ""]
    lines += event_items(part, part["events"]) or ["No events yet."]
    lines += ["", f"{h}# Quotes by speaker", ""]
    if not part["speakers"]:
        lines.append("No quotes.")
    for name, qs in part["speakers"]:
        note = speaker_note(qs, part.get("entity_names") or {})
        lines += [f"{h}## {md(name)} ({md(note) + ', ' if note else ''}{len(qs)})", ""]
        lines += [f"- {_quote_line(part, q, with_speaker=False)}" for q in qs]
        lines.append("")
    lines += ["", f"{h}# Claims", ""] + claim_lines(part, part["claims"])
    lines += ["", f"{h}# Entities", ""]
    ents = part["entities"]
    if not ents:
        lines.append("No entities.")
    else:
        lines += ["| name | type | aliases | mentions |", "|---|---|---|---|"]
        for e in ents[:MAX_ENTITIES]:
            aliases = ", ".join(md(a) for a in e.get("aliases") or [] if a) or "—"
            lines.append(f"| {md(e.get('name')) or '—'}{md(corrected_note(e))} | {md(e.get('type')) or '—'} | {aliases}"
                         f" | {e['n']} |")
        if len(ents) > MAX_ENTITIES:
            lines += ["", f"… and {len(ents) - MAX_ENTITIES} more entities mentioned less often."]
    lines += ["", f"{h}# Sources", ""]
    for aid in part["article_ids"]:
        lines.append(f"- {_code(aid)} {_article(part, aid)}{_url((part['articles'].get(aid) or {}).get('url'))}")
    if not part["article_ids"]:
        lines.append("No articles.")
    return lines + [""]


def render_markdown(dossier: dict[str, Any], story_id: str | None = None) -> str:
    """The dossier (or one story of it: an id or a title part) as Markdown; raises views.StoryNotFound."""
    parts = story_parts(dossier, story_id)
    if len(parts) == 1:
        lines = _story(parts[0], 1)
    else:
        lines = ["# Story dossier", "", f"{len(parts)} stories.", ""]
        for p in parts:
            lines += _story(p, 2)
    return "\n".join(lines).rstrip() + "\n"


def timeline_markdown(groups: list[tuple[str | None, list[dict[str, Any]]]], articles: dict[str, dict[str, Any]],
                      quotes: list[dict[str, Any]], title: str | None = None) -> str:
    """Events already chosen and ordered (views.timeline) as a Markdown timeline for `storyline timeline`:
    `groups` are (story title or None, its events); a titled group gets its own heading."""
    part = {"articles": articles, "all_articles": articles, "quotes_by_id": {q["id"]: q for q in quotes if q.get("id")}}
    lines = [f"# {md(title or 'Timeline')}", ""]
    for name, events in groups:
        if name:
            lines += [f"## {md(name)}", ""]
        lines += event_items(part, events) or ["No events yet."]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
