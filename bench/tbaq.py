"""TempEval-3 TBAQ-cleaned (../shared/bench/temporal) as text with gold EVENTs, and its fixed tune / held-out split."""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass, field
from pathlib import Path

from common import SHARED_BENCH

DATA = SHARED_BENCH / "temporal"
_TAG = re.compile(r"<(/?)(\w+)([^>]*?)(/?)>")
_ATTR = re.compile(r'(\w+)="([^"]*)"')
HELD_OUT_EVERY = 5  # one document in five (by a hash of its name) is never tuned or trained on


@dataclass
class GoldEvent:
    start: int
    end: int
    cls: str
    tense: str = "NONE"
    aspect: str = "NONE"
    polarity: str = "POS"
    modality: str = ""
    pos: str = ""


@dataclass
class TmlDoc:
    name: str
    corpus: str  # TimeBank | AQUAINT
    dct: str
    text: str
    events: list[GoldEvent] = field(default_factory=list)


def part_of(name: str) -> str:
    """'tune' or 'held-out': a fixed split by the document's name, the same on every machine."""
    h = int(hashlib.sha1(name.encode()).hexdigest(), 16)
    return "held-out" if h % HELD_OUT_EVERY == 0 else "tune"


def load_doc(path: Path) -> TmlDoc:
    """A .tml file's text (tags out, entities unescaped) with its EVENTs, offsets into that text, and
    each EVENT's first MAKEINSTANCE attributes (tense, aspect, polarity, modality, pos)."""
    raw = path.read_text(encoding="utf-8")
    dct = re.search(r'<DCT>.*?value="([^"]+)"', raw, re.S)
    body = re.search(r"<TEXT>(.*)</TEXT>", raw, re.S).group(1)
    out: list[str] = []
    events: dict[str, GoldEvent] = {}
    pos = n = 0
    open_event: tuple[int, dict] | None = None
    for t in _TAG.finditer(body):
        seg = html.unescape(body[pos:t.start()])
        out.append(seg)
        n += len(seg)
        pos = t.end()
        if t.group(2) == "EVENT":
            if not t.group(1):
                open_event = (n, dict(_ATTR.findall(t.group(3))))
            elif open_event:
                attrs = open_event[1]
                events[attrs.get("eid", str(len(events)))] = GoldEvent(open_event[0], n, attrs.get("class", ""))
                open_event = None
    out.append(html.unescape(body[pos:]))
    seen: set[str] = set()
    for m in re.finditer(r"<MAKEINSTANCE([^>]*)/?>", raw):
        a = dict(_ATTR.findall(m.group(1)))
        ev = events.get(a.get("eventID", ""))
        if ev is None or a["eventID"] in seen:
            continue
        seen.add(a["eventID"])
        ev.tense, ev.aspect = a.get("tense", "NONE"), a.get("aspect", "NONE")
        ev.polarity, ev.modality, ev.pos = a.get("polarity", "POS"), a.get("modality", ""), a.get("pos", "")
    return TmlDoc(path.stem, path.parent.name, dct.group(1) if dct else "", "".join(out),
                  sorted(events.values(), key=lambda e: e.start))


def load(part: str | None = None, limit: int | None = None) -> list[TmlDoc]:
    """Every document (or those of one part: 'tune' or 'held-out'), in name order."""
    files = sorted(DATA.glob("*/*.tml"), key=lambda p: p.name)
    docs = [load_doc(f) for f in files if part is None or part_of(f.stem) == part]
    return docs[: limit or None]
