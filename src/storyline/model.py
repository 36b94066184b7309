"""The records that flow between stages: plain dataclasses, spans as [start, end) offsets."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

Span = tuple[int, int]


def stable_id(prefix: str, *parts: str) -> str:
    """An id derived from content, stable across re-runs of the same input."""
    h = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:16]
    return f"{prefix}-{h}"


def unique_names(*lists: list[str]) -> list[str]:
    """The names of all lists in order, each once (case aside): authors, wire sources."""
    out: list[str] = []
    seen: set[str] = set()
    for names in lists:
        for name in names:
            if name and name.casefold() not in seen:
                seen.add(name.casefold())
                out.append(name)
    return out


@dataclass
class DocMeta:
    """Metadata a source gave for a document (any field may be missing)."""

    title: str | None = None
    url: str | None = None
    published: str | None = None  # ISO date (or datetime) as the source gave it
    published_source: str | None = None  # where `published` came from: "htmldate", "jsonl", "feed", ...
    capture_date: str | None = None  # web-archive capture date: an upper bound only
    outlet: str | None = None
    authors: list[str] = field(default_factory=list)
    language: str | None = None


@dataclass
class Document:
    """One unit of text read from a source: a file, a JSONL line, a WARC record, a feed entry.

    `text` is the text the articles are cut from (for HTML: the extracted main text),
    normalised to NFC with '\n' line ends. `source` names the file, with '#locator' for a
    record inside it (line number, WARC record id, feed entry index).
    """

    source: str
    sha256: str  # of the raw bytes of this unit
    kind: str  # txt | html | warc | jsonl | feed
    text: str
    meta: DocMeta = field(default_factory=DocMeta)
    encoding: str | None = None
    # what normalisation replaced in `text` (control characters), spans into `text`; not stored with the
    # document but handed to the articles whose text it was in
    removed: list[Removed] = field(default_factory=list)

    @property
    def id(self) -> str:
        return stable_id("d", self.source, self.sha256)

    @property
    def origin(self) -> str:
        """`source` without a positional locator: the file, for a JSONL line or a feed entry (whose number
        moves when lines are added or a feed rolls on); a WARC record id is not a position and stays."""
        if self.kind in ("jsonl", "feed") and "#" in self.source:
            return self.source.rsplit("#", 1)[0]
        return self.source


@dataclass
class ReadProblem:
    """A file (or a record in it) that could not be read; reported, never fatal. `lasting`: a fact of the file's
    content; not when the system would not let us read it (permissions, an I/O error, a pipe in its place),
    which can change while the file's size and modification time stay as they were."""

    source: str
    message: str
    lasting: bool = field(default=True, compare=False, repr=False)

    def __str__(self) -> str:
        return f"{self.source}: {self.message}"


@dataclass(frozen=True)
class FileState:
    """An input file as a build finds it without opening it (os.stat, links followed): its resolved path, the
    source name it is read under (which the documents' ids hold), its size and its modification time in ns."""

    path: str
    source: str
    size: int
    mtime_ns: int


@dataclass
class StoredDocument:
    """A document an earlier build read from a file unchanged since, given in its place without reading the
    file: its source, the id it is stored under, and the problem it was reported with when it yielded no article."""

    source: str
    id: str
    no_article: str | None = None


@dataclass
class Removed:
    """A piece of page furniture taken out of an article, with why. Span is into the document text."""

    text: str
    reason: str
    span: Span


@dataclass
class Published:
    date: str | None = None
    earliest: str | None = None
    latest: str | None = None
    evidence: str | None = None


@dataclass
class Article:
    """One article cut from a document and cleaned.

    `source_span` is where the article sits in its document's text. `text` is the clean
    body (title not repeated). `text_map` lists `[text_start, doc_start, length]` runs so any
    span of `text` maps back to the document.
    """

    document_id: str
    index: int  # position of the article in its document
    title: str | None
    text: str
    source_span: Span
    text_map: list[tuple[int, int, int]] = field(default_factory=list)
    removed: list[Removed] = field(default_factory=list)
    published: Published = field(default_factory=Published)
    outlet: str | None = None
    url: str | None = None
    authors: list[str] = field(default_factory=list)
    syndicated_from: list[str] = field(default_factory=list)
    duplicate_of: str | None = None
    duplicate_kind: str | None = None  # "exact" | "near"
    duplicate_score: float | None = None  # shingle Jaccard similarity to the original
    story_id: str | None = None
    # ISO 639-1 code of the clean text (clean/language.py) and the detector's probability; None when too
    # little text to tell (the English layers run on English and unknown articles only)
    language: str | None = None
    language_score: float | None = None

    @property
    def id(self) -> str:
        return stable_id("a", self.document_id, str(self.index), str(self.source_span[0]))


@dataclass
class Timex:
    """A time expression (TimeML TIMEX3): extent, type and normalised value.

    `value` is resolved against the anchor the tagger was given; without one, anchor-dependent
    expressions keep an underspecified value ('XXXX-04-16', 'XXXX-WXX-2', 'PAST_REF').
    """

    span: Span
    text: str
    type: str  # DATE | TIME | DURATION | SET
    value: str
    mod: str | None = None  # TIMEX3 mod: BEFORE, AFTER, START, MID, END, APPROX, MORE_THAN, ...
    anchored: bool = False  # the value depends on the anchor (relative or year-less)
    tense: str | None = None  # past | present | future: the tense of the clause, where seen

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"span": list(self.span), "text": self.text, "type": self.type, "value": self.value}
        if self.mod:
            out["mod"] = self.mod
        if self.anchored:
            out["anchored"] = True
        if self.tense:
            out["tense"] = self.tense
        return out


@dataclass
class Mention:
    """A mention of an entity in one text: `name` is the name with titles stripped,
    `role` the title kept ('Presidential spokesman'), `stands_for` the country a capital or
    demonym stands for ('Ankara' → 'Turkey'), `described` what the text itself says the name is
    (the noun it is put with: 'MEDIA' for an outlet or agency, "the newspaper Izvestiya"; 'ORG',
    "the company Airbus", "Airbus Chief Executive ..."; 'PLACE', "the island of Crete")."""

    span: Span
    text: str
    type: str  # PERSON | ORG | GPE | NORP | PRODUCT | ... (spaCy's labels)
    name: str
    role: str | None = None
    stands_for: str | None = None
    described: str | None = None


@dataclass
class Speaker:
    """Who a quote is given to: the name as resolved in the article, and the span of the
    mention it was resolved from (a pronoun's antecedent, a name, a group description)."""

    name: str
    text: str
    span: Span
    type: str  # PERSON | GROUP | ORG | MEDIA | DOCUMENT | ANONYMOUS (storyline.nlp.quotes.SPEAKER_KINDS)
    entity_id: str | None = None


@dataclass
class Quote:
    span: Span  # the quoted (or reported) content
    text: str
    kind: str  # direct | partial | indirect
    speaker: Speaker | None
    via: list[str] = field(default_factory=list)  # reporting chain, nearest first: ["Izvestiya", "TASS"]
    cue: Span | None = None  # the speech verb or phrase ("said", "according to")


@dataclass
class Entity:
    """A canonical entity across the corpus: `name` its fullest form, `aliases` the other forms
    seen, `roles` the titles seen with it, `mentions` (article_id, span, text) everywhere it is
    named. `mention_as` marks mentions that refer to something else through it: a capital (or seat
    of government) standing for its government ('capital': the mention is the capital's, the state it
    stands for is `capital_of`, the country's entity id) or a demonym ('demonym', a country's mention),
    keyed by (article_id, span). `media`: an outlet or agency (the text describes it as one).
    In `to_json()` a 'capital' mention carries `"country_id"`: the id of `capital_of`."""

    id: str
    name: str
    type: str  # PERSON | ORG | GPE | NORP | PRODUCT | LOC | FAC | EVENT | WORK_OF_ART | LAW
    aliases: list[str] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)
    mentions: list[tuple[str, Span, str]] = field(default_factory=list)
    mention_as: dict[tuple[str, Span], str] = field(default_factory=dict)
    capital_of: str | None = None  # the country's entity id, for a capital or seat of government
    media: bool = False

    def to_json(self) -> dict[str, Any]:
        ms = []
        for aid, span, text in self.mentions:
            m: dict[str, Any] = {"article_id": aid, "span": list(span), "text": text}
            kind = self.mention_as.get((aid, (span[0], span[1])))  # a span read from JSON is a list
            if kind:
                m["as"] = kind
                if kind == "capital" and self.capital_of:
                    m["country_id"] = self.capital_of
            ms.append(m)
        out: dict[str, Any] = {"id": self.id, "name": self.name, "type": self.type, "aliases": list(self.aliases),
               "roles": list(self.roles), "mentions": ms}
        if self.capital_of:
            out["capital_of"] = self.capital_of
        if self.media:
            out["media"] = True
        return out

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> "Entity":
        """The entity `to_json` gave."""
        ms = [(m["article_id"], tuple(m["span"]), m["text"]) for m in d["mentions"]]
        return cls(id=d["id"], name=d["name"], type=d["type"], aliases=list(d["aliases"]), roles=list(d["roles"]),
                   mentions=ms, mention_as={(m["article_id"], tuple(m["span"])): m["as"]
                                            for m in d["mentions"] if m.get("as")},
                   capital_of=d.get("capital_of"), media=bool(d.get("media")))


def span_of(value: Any) -> Span:
    """A span read from JSON (a two-item list) as a Span."""
    return (value[0], value[1])


@dataclass
class Trigger:
    """The word that names an event in its sentence ('signed', 'the deal'), with its lemma."""

    span: Span
    text: str
    lemma: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"span": list(self.span), "text": self.text, "lemma": self.lemma}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Trigger:
        """The trigger `to_json` gave."""
        return cls(span=span_of(d["span"]), text=d["text"], lemma=d.get("lemma"))


@dataclass
class EventMention:
    """One sentence of an article telling a merged event: the sentence (`span`, `text`), the clause that
    tells it, its trigger, and its own date with where that came from. `part` "title": told in the
    headline (spans into the title); None: the body. `timeml` is the TimeML reading of the trigger (class,
    tense, aspect, polarity, modality) and `timex` the time expression it is dated by ({span, text,
    value}), each as the annotation layer gave it."""

    article_id: str
    span: Span
    text: str
    clause: Span
    trigger: Trigger
    part: str | None = None
    timeml: dict[str, Any] | None = None
    date: str | None = None
    date_from: str | None = None  # own | report | published | lead: where the date came from
    timex: dict[str, Any] | None = None
    modality: str | None = None
    status: str | None = None  # a sanction's: threatened, considered, imposed, in force, lifted, mentioned

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"article_id": self.article_id}
        if self.part:
            out["field"] = self.part
        out.update({"span": list(self.span), "text": self.text, "clause": list(self.clause),
                    "trigger": self.trigger.to_json()})
        if self.timeml:
            out["timeml"] = self.timeml
        out.update({"date": self.date, "date_from": self.date_from, "timex": self.timex, "modality": self.modality,
                    "status": self.status})
        return out

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> EventMention:
        """The mention `to_json` gave."""
        return cls(article_id=d["article_id"], span=span_of(d["span"]), text=d["text"], clause=span_of(d["clause"]),
                   trigger=Trigger.from_json(d["trigger"]), part=d.get("field"), timeml=d.get("timeml"),
                   date=d.get("date"), date_from=d.get("date_from"), timex=d.get("timex"),
                   modality=d.get("modality"), status=d.get("status"))


@dataclass
class Participant:
    """Who or what takes part in an event: its role (agent, patient, participant, place), its name and type
    as the text gives them, its canonical entity, and `ref`, the mention it came from (article id, start), to
    re-link it to the entities a later build makes."""

    role: str
    name: str
    type: str
    entity_id: str | None = None
    ref: tuple[str, int] | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"role": self.role, "entity_id": self.entity_id, "name": self.name, "type": self.type}
        if self.ref is not None:
            out["ref"] = list(self.ref)
        return out

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Participant:
        """The participant `to_json` gave."""
        ref = d.get("ref")
        return cls(role=d["role"], name=d["name"], type=d["type"], entity_id=d.get("entity_id"),
                   ref=(ref[0], ref[1]) if ref else None)


@dataclass
class Event:
    """A happening of a story, its mentions merged across the articles that tell it (stories/events.py).

    `date` is the most precise date that fits all its mentions' dates (a TIMEX3 value: '2017-FA', '2019-07-12'),
    `precision` how precise it is (day, month, season, year, …) and `sort` the first day it can be, for
    ordering; `modality` 'done' or what the mentions say instead (expected, possible, negated, …);
    `event_class` the TimeML class most of its mentions have. `sources` are the articles telling it (first
    told first), `main_of` those whose main event it is, `generic` marks one found only as what an entity
    did (no taxonomy word, no date of its own). In `to_json()` `event_class` is `"class"`."""

    id: str
    story_id: str
    type: str
    date: str | None = None
    precision: str | None = None
    sort: str | None = None
    modality: str = "done"
    event_class: str | None = None
    summary: str = ""
    participants: list[Participant] = field(default_factory=list)
    mentions: list[EventMention] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    quote_ids: list[str] = field(default_factory=list)
    generic: bool = False
    main_of: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id, "story_id": self.story_id, "type": self.type, "date": self.date,
            "precision": self.precision, "sort": self.sort, "modality": self.modality, "class": self.event_class,
            "summary": self.summary, "participants": [p.to_json() for p in self.participants],
            "mentions": [m.to_json() for m in self.mentions], "sources": list(self.sources),
            "quote_ids": list(self.quote_ids),
        }
        if self.generic:
            out["generic"] = True
        out["main_of"] = list(self.main_of)
        return out

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Event:
        """The event `to_json` gave (or `Store.events` reads: its participants linked to the entities now)."""
        return cls(id=d["id"], story_id=d["story_id"], type=d["type"], date=d.get("date"),
                   precision=d.get("precision"), sort=d.get("sort"), modality=d["modality"],
                   event_class=d.get("class"), summary=d["summary"],
                   participants=[Participant.from_json(p) for p in d["participants"]],
                   mentions=[EventMention.from_json(m) for m in d["mentions"]], sources=list(d["sources"]),
                   quote_ids=list(d["quote_ids"]), generic=bool(d.get("generic")), main_of=list(d.get("main_of") or []))


@dataclass
class ClaimValue:
    """What one article says for a claim (a sum, a count, the holder of a first, a status, a date), where it
    says it (`span`: the figure, or the clause), the sentence, its modality, and its date (the article's
    publication as text, or the event's date)."""

    value: str
    article_id: str
    span: Span
    text: str
    modality: str | None = None
    date: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"value": self.value, "article_id": self.article_id, "span": list(self.span), "text": self.text,
                "modality": self.modality, "date": self.date}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> ClaimValue:
        """The value `to_json` gave."""
        return cls(value=d["value"], article_id=d["article_id"], span=span_of(d["span"]), text=d["text"],
                   modality=d.get("modality"), date=d.get("date"))


@dataclass
class Claim:
    """One thing a story's sources state, compared across them (stories/claims.py): `subject` and
    `attribute` ('S-400 deal', 'value'), `about` the canonical entities the subject names, `status`
    (single, agree, compatible, evolving, conflict), the values side by side, and for a conflict or
    evolution `pair`: the two values, from two articles, that cannot both hold."""

    id: str
    story_id: str
    subject: str
    about: list[str]
    attribute: str
    status: str
    values: list[ClaimValue]
    pair: tuple[int, int] | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "story_id": self.story_id, "subject": self.subject,
                               "about": list(self.about), "attribute": self.attribute, "status": self.status,
                               "values": [v.to_json() for v in self.values]}
        if self.pair is not None:
            out["pair"] = list(self.pair)
        return out

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Claim:
        """The claim `to_json` gave."""
        pair = d.get("pair")
        return cls(id=d["id"], story_id=d["story_id"], subject=d["subject"], attribute=d["attribute"],
                   status=d["status"], values=[ClaimValue.from_json(v) for v in d["values"]],
                   about=list(d["about"]), pair=(pair[0], pair[1]) if pair is not None else None)


@dataclass
class Story:
    """A story as the story stage writes it: its title, the earliest and latest publication dates of its
    articles, how many events and claims it has, and each article's main event (article id → event id). Its
    articles are the articles that hold its id (`Article.story_id`): the dossier's `article_ids` come from
    them, not from this record."""

    id: str
    seq: int  # the first ingested of its articles': orders stories of equal size
    title: str
    first: str | None = None
    last: str | None = None
    event_count: int = 0
    claim_count: int = 0
    main_events: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "seq": self.seq, "title": self.title, "first": self.first, "last": self.last,
                "event_count": self.event_count, "claim_count": self.claim_count, "main_events": dict(self.main_events)}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Story:
        """The story `to_json` gave (a dossier story's `article_ids` are left: the articles hold them)."""
        return cls(id=d["id"], seq=d["seq"], title=d["title"], first=d.get("first"), last=d.get("last"),
                   event_count=d["event_count"], claim_count=d["claim_count"], main_events=dict(d["main_events"]))
