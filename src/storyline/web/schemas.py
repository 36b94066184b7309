"""The API's response shapes as Pydantic models, for the OpenAPI document.

Documentation only: the routes of storyline.web.app name these models in `responses=` (see `answers`), never
as `response_model=`, so FastAPI neither validates nor filters what an endpoint sends against them (an answer
keeps every field it has, and costs no second pass over it). tests/test_openapi.py validates real answers
against them with unknown fields refused, so they cannot drift from what the API sends.

Field meanings follow ../shared/design/dossier-format.md (the export contract) and storyline.model. The
contract welcomes more fields than it names, so the models do not forbid others (no `additionalProperties:
false` in the document); a field the code leaves out when it has nothing to say is optional here and says
when it is absent. Names that are Python keywords (`class`, `as`, `with`) are fields with that alias.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import FastAPI
from pydantic import BaseModel, ConfigDict, Field

Span = Annotated[list[int], Field(min_length=2, max_length=2,
                                  description="[start, end) character offsets into the text it names.")]
Date = Annotated[str | None, Field(description="ISO 8601 at the precision the text supports ('2019-07-12', "
                                               "'2017-09', '2016'); null when unknown.")]


class Shape(BaseModel):
    """The base of every model here: fields by their JSON names (aliases)."""
    model_config = ConfigDict(populate_by_name=True)


# --- errors -------------------------------------------------------------------------------------------
class HTTPError(Shape):
    """An error in one line (404: no such id; 401, 409, 411, 413, 415, 400, 503, 507)."""
    detail: str = Field(description="What is wrong, in one line.")


class ValidationErrorItem(Shape):
    """One bad parameter or body field, in FastAPI's shape."""
    type: str = Field(description="The kind of problem ('greater_than_equal', 'enum', 'date', 'search_query', "
                                  "'value_error', …).")
    loc: list[str | int] = Field(description="Where: ['query', 'limit'], ['path', 'correction_id'], "
                                             "['body', op, field].")
    msg: str = Field(description="What is wrong, in one line.")
    input: Any = Field(None, description="The value given (absent where a correction's target is refused).")
    ctx: dict[str, Any] | None = Field(None, description="The check's parameters (absent for some problems).")


class ValidationErrors(Shape):
    """A 422: the parameters or body fields that are wrong, each naming its field."""
    detail: list[ValidationErrorItem]


# --- shared pieces ------------------------------------------------------------------------------------
class CorrectionMark(Shape):
    """A correction in force that changed this object (storyline.corrections)."""
    id: int = Field(description="The correction's id (GET /api/corrections).")
    op: str = Field(description="merge-entities, split-entity, rename-entity, speaker, reject or redate.")
    why: str | None = Field(description="Why it was made.")
    by: str | None = Field(description="Who made it.")
    at: str = Field(description="When (ISO 8601, UTC).")


Corrected = Annotated[list[CorrectionMark] | None,
                      Field(None, description="The corrections in force that changed it; absent otherwise.")]


class Published(Shape):
    """When an article was published: a date, or only bounds, with why (any of the three may be null)."""
    date: Date = None
    earliest: Date = None
    latest: Date = None
    evidence: str | None = Field(None, description="Why these dates (where they were read).")


class OutletCount(Shape):
    name: str = Field(description="The outlet.")
    articles: int = Field(description="Its articles in the story.")


class Volume(Shape):
    period: str = Field(description="A month, YYYY-MM.")
    articles: int = Field(description="The story's articles published that month.")


class StoryRef(Shape):
    id: str = Field(description="The story's id.")
    title: str | None = Field(description="The story's title.")


# --- quotes -------------------------------------------------------------------------------------------
class QuoteSpeaker(Shape):
    """Who a quote is given to, as resolved in the article."""
    name: str = Field(description="The speaker's name (the canonical entity's where linked; a group keeps its own "
                                  "words, 'Turkish officials').")
    text: str | None = Field(description="How the article names the speaker there (a pronoun's antecedent, a name, a "
                                         "group description).")
    span: Span | None = Field(description="Where `text` is in the article's text (null for a speaker a correction "
                                          "gave a quote that had none).")
    type: str = Field(description="PERSON, GROUP, ORG, MEDIA, DOCUMENT or ANONYMOUS.")
    entity_id: str | None = Field(description="The canonical entity, or null.")
    affiliation_id: str | None = Field(None, description="A group's country or organisation entity ('Turkish media' "
                                                         "→ Turkey); absent otherwise.")


class Quote(Shape):
    """A quote (dossier `quotes` shape)."""
    id: str
    article_id: str
    text: str = Field(description="The quoted (or reported) words.")
    span: Span = Field(description="Where the quoted words are in the article's text.")
    kind: str = Field(description="direct, partial or indirect.")
    speaker: QuoteSpeaker | None = Field(description="Who says it; null when unknown.")
    via: list[str] = Field(description="The reporting chain, nearest first, e.g. ['Izvestiya', 'TASS'].")
    cue: Span | None = Field(description="The speech verb or phrase ('said', 'according to'), or null.")
    corrected: Corrected = None


# --- entities -----------------------------------------------------------------------------------------
class EntityMention(Shape):
    article_id: str
    span: Span
    text: str = Field(description="The mention as the article writes it.")
    as_: str | None = Field(None, alias="as", description="'capital' where a capital stands for its government "
                                                          "('Ankara said'), 'demonym' on a country's demonym "
                                                          "('Turkish'); absent otherwise.")
    country_id: str | None = Field(None, description="With `as` 'capital': the country's entity id.")


class Entity(Shape):
    """A canonical entity across the corpus (dossier `entities` shape, with `mention_count`)."""
    id: str
    name: str = Field(description="Its fullest form, e.g. 'Recep Tayyip Erdogan'.")
    type: str = Field(description="PERSON, ORG, GPE, NORP, PRODUCT, LOC, FAC, EVENT, WORK_OF_ART or LAW.")
    aliases: list[str] = Field(description="The other forms seen ('Erdogan').")
    roles: list[str] = Field(description="The titles seen with it ('President').")
    mention_count: int = Field(description="Its mentions, all of them (`mentions` may list fewer).")
    mentions: list[EntityMention] = Field(description="Where it is named, in reading order.")
    capital_of: str | None = Field(None, description="On a capital or seat of government: its country's entity id; "
                                                     "absent otherwise.")
    media: bool | None = Field(None, description="true on an organisation the text describes as a news outlet or "
                                                 "agency; absent otherwise.")
    corrected: Corrected = None


# --- events -------------------------------------------------------------------------------------------
class Trigger(Shape):
    """The word that names the event in its sentence."""
    span: Span
    text: str = Field(description="'signed', 'the deal'.")
    lemma: str | None = Field(description="Its lemma.")


class TimemlReading(Shape):
    """The TimeML reading of a trigger."""
    class_: str = Field(alias="class", description="OCCURRENCE, REPORTING, STATE, I_ACTION, I_STATE, ASPECTUAL or "
                                                   "PERCEPTION.")
    tense: str
    aspect: str
    polarity: str = Field(description="POS or NEG.")
    modality: str = Field(description="The modal verb, or ''.")


class EventTimex(Shape):
    """The time expression a mention is dated by."""
    span: Span
    text: str
    value: str = Field(description="Its TIMEX3 value ('2017-09-12', 'PAST_REF').")


class EventMention(Shape):
    """One sentence of an article telling the event."""
    article_id: str
    field: str | None = Field(None, description="'title' where the headline tells it (spans into the title); absent "
                                                "for the body.")
    span: Span = Field(description="The sentence.")
    text: str = Field(description="The sentence's text.")
    clause: Span = Field(description="The clause that tells the event.")
    trigger: Trigger = Field(description="The word that names the event.")
    timeml: TimemlReading | None = Field(None, description="The trigger's TimeML reading; absent when none.")
    date: str | None = Field(description="The mention's own date (a TIMEX3 value), or null.")
    date_from: str | None = Field(description="Where the date came from: own, report, published or lead.")
    timex: EventTimex | None = Field(description="The time expression it is dated by, or null.")
    modality: str | None = Field(description="done, expected, possible, negated, …")
    status: str | None = Field(description="A sanction's: threatened, considered, imposed, in force, lifted, "
                                           "mentioned; null for other events.")


class Participant(Shape):
    role: str = Field(description="agent, patient, participant or place.")
    entity_id: str | None = Field(description="The canonical entity, linked as the entities are now; null when none.")
    name: str = Field(description="Its name as the text gives it.")
    type: str = Field(description="Its type as the text gives it.")
    ref: tuple[str, int] | None = Field(None, description="The mention it came from: [article id, start].")


class Event(Shape):
    """A happening of a story, its mentions merged across articles (dossier `events` shape)."""
    id: str
    story_id: str
    type: str = Field(description="The news type ('agreement', 'sanction', …).")
    date: str | None = Field(description="The most precise date that fits all its mentions' dates (a TIMEX3 value: "
                                         "'2017-09', '2019-07-12', '2017-FA'); null when undated.")
    precision: str | None = Field(description="How precise `date` is: day, month, season, year, …")
    sort: str | None = Field(description="The first day it can be, for ordering.")
    modality: str = Field(description="'done', or what the mentions say instead (expected, possible, negated, …).")
    class_: str | None = Field(alias="class", description="The TimeML class most of its mentions have.")
    summary: str = Field(description="'Russia and Turkey sign the S-400 contract'.")
    participants: list[Participant]
    mentions: list[EventMention] = Field(description="The sentences telling it, with the word that names it.")
    sources: list[str] = Field(description="The articles telling it, first told first.")
    quote_ids: list[str] = Field(description="Quotes about it.")
    generic: bool | None = Field(None, description="true on one found only as what an entity did (no taxonomy word, "
                                                   "no date of its own); absent otherwise.")
    main_of: list[str] = Field(description="The articles whose main event it is.")


# --- claims -------------------------------------------------------------------------------------------
class ClaimValue(Shape):
    """What one article says for a claim."""
    value: str = Field(description="'more than USD 2 billion'.")
    article_id: str
    span: Span = Field(description="The figure, or the clause.")
    text: str = Field(description="The sentence.")
    modality: str | None
    date: str | None = Field(description="The article's publication, or the event's date.")


class Claim(Shape):
    """A figure or fact a story's sources state, compared across them (dossier `claims` shape)."""
    id: str
    story_id: str
    subject: str = Field(description="'S-400 deal'.")
    about: list[str] = Field(description="The canonical entities the subject names.")
    attribute: str = Field(description="'value', …")
    status: str = Field(description="single, agree, compatible, evolving or conflict.")
    values: list[ClaimValue]
    pair: tuple[int, int] | None = Field(None, description="For a conflict or evolution: the indexes in `values` of "
                                                           "two values, from two articles, that cannot both hold.")


# --- stories ------------------------------------------------------------------------------------------
class StoryRecord(Shape):
    """A story (dossier `stories` shape)."""
    id: str
    seq: int = Field(description="The first ingested of its articles' position: orders stories of equal size.")
    title: str
    first: str | None = Field(description="The earliest publication date of its articles.")
    last: str | None = Field(description="The latest publication date of its articles.")
    event_count: int = Field(description="Its events, the undated ones found only as something an entity did "
                                         "included.")
    claim_count: int
    main_events: dict[str, str] = Field(description="Article id → the id of its main event.")
    article_ids: list[str] = Field(description="Its articles, in ingestion order.")


class Story(StoryRecord):
    """A story as the list gives it."""
    timeline_count: int = Field(description="The events its timeline lists (its page and /api/stories/{id}/events "
                                            "count them).")
    outlets: list[OutletCount] = Field(description="Its outlets, most articles first.")
    volume: list[Volume] = Field(description="Its articles a month.")
    span: str = Field(description="Its date span in words ('16 April 2017 – 9 December 2021'); '' when no "
                                  "article's date is known.")


class StoryBundle(StoryRecord):
    """A story with one page of its timeline, its claims, its first quotes and its most named entities."""
    timeline: list[Event] = Field(description="Events by date, undated last (`limit`/`offset` page them).")
    timeline_total: int
    timeline_count: int = Field(description="The events its timeline lists: the story list's `timeline_count`.")
    claims: list[Claim]
    quotes: list[Quote] = Field(description="Its first quotes in reading order (/api/quotes?story= pages them).")
    quotes_total: int
    entities: list[Entity] = Field(description="Its most named entities, each with its first mentions in the story "
                                               "(`mention_count` counts them all).")
    entities_total: int


# --- articles -----------------------------------------------------------------------------------------
class _ArticleFacts(Shape):
    title: str | None
    published: Published
    outlet: str | None
    url: str | None
    authors: list[str]
    words: int = Field(description="Words in the clean text.")
    story_id: str | None
    duplicate_of: str | None = Field(description="The id of the article this one copies, or null.")


class ArticleSummary(_ArticleFacts):
    """An article in a list."""
    id: str


class SearchHit(_ArticleFacts):
    """An article a search finds."""
    article_id: str
    story: StoryRef | None = Field(description="Its story, or null.")
    snippet: str = Field(description="Plain text around what matched.")
    highlights: list[Span] = Field(description="What matched: [start, end) offsets into the snippet.")


class Removed(Shape):
    """Page furniture cleaning took out, with why."""
    text: str
    reason: str = Field(description="'page-widget', …")
    span: Span = Field(description="Where it was, in the document's text.")


class Duplicate(Shape):
    kind: str | None = Field(description="exact or near.")
    similarity: float | None = Field(description="Shingle Jaccard similarity to the original.")


class SharedPassage(Shape):
    """A passage another article repeats."""
    span: Span = Field(description="Here.")
    article_id: str = Field(description="The other article.")
    other_span: Span = Field(description="There.")


class Timex(Shape):
    """A time expression (TimeML TIMEX3)."""
    span: Span
    text: str
    type: str = Field(description="DATE, TIME, DURATION or SET.")
    value: str = Field(description="'2017-09-12', '2017-W37', 'P3M', 'PRESENT_REF', …")
    mod: str | None = Field(None, description="BEFORE, AFTER, START, MID, END, APPROX, …; absent when none.")
    anchored: bool | None = Field(None, description="true where the value depends on the anchor; absent otherwise.")
    tense: str | None = Field(None, description="past, present or future: the clause's; absent when not seen.")


class TimemlEvent(Shape):
    """A TimeML event word of the text."""
    span: Span
    text: str
    class_: str = Field(alias="class")
    tense: str
    aspect: str
    polarity: str
    modality: str
    pos: str
    score: float = Field(description="The tagger's probability.")


class ArticleMention(Shape):
    """An entity mention of the article: linked to its canonical entity, or not (`entity_id` null)."""
    entity_id: str | None
    name: str | None
    type: str | None
    span: Span
    text: str
    as_: str | None = Field(None, alias="as", description="'capital' or 'demonym' (as on an entity's mentions); "
                                                          "absent otherwise.")
    country_id: str | None = Field(None, description="With `as` 'capital': the country's entity id.")


class Article(Shape):
    """An article (dossier `articles` shape) with its annotations."""
    id: str
    document_id: str
    title: str | None
    text: str = Field(description="The clean body, title not repeated.")
    source_span: Span = Field(description="Where the article sits in its document.")
    text_map: list[list[int]] = Field(description="[text_start, doc_start, length] runs mapping `text` back to the "
                                                  "document.")
    published: Published
    outlet: str | None
    url: str | None
    authors: list[str]
    syndicated_from: list[str] = Field(description="The agencies it comes from ('TASS').")
    language: str | None = Field(description="ISO 639-1; null when there was too little text to tell.")
    language_score: float | None
    not_annotated: str | None = Field(description="Why the English layers did not run ('language de'), or null.")
    removed: list[Removed]
    duplicate_of: str | None = Field(description="The id of the article this one copies, or null.")
    duplicate: Duplicate | None
    shared_passages: list[SharedPassage]
    story_id: str | None
    event_id: str | None = Field(description="Its main event: the happening it reports.")
    timex_anchor: str | None = Field(description="The date its time expressions were read against.")
    timexes: list[Timex]
    event_mentions: list[TimemlEvent]
    title_event_mentions: list[TimemlEvent] = Field(description="As `event_mentions`, spans into the title.")
    mentions: list[ArticleMention] = Field(description="By position.")
    quotes: list[Quote] = Field(description="In reading order.")
    corrected: Corrected = None


# --- an entity's profile --------------------------------------------------------------------------------
class ProfileEntity(Shape):
    id: str
    name: str
    type: str
    aliases: list[str] | None = None
    roles: list[str] | None = None
    as_: str | None = Field(None, alias="as")
    capital_of: str | None = None
    media: bool | None = Field(None, description="true on a news outlet or agency; absent otherwise.")
    corrected: Corrected = None


class Form(Shape):
    text: str = Field(description="A way the articles write it.")
    n: int = Field(description="How often.")


class ProfileArticle(Shape):
    id: str
    title: str | None
    outlet: str | None
    published: Published | None
    story_id: str | None


class Together(Shape):
    """An entity named in the same articles."""
    id: str
    name: str
    type: str | None
    articles: int = Field(description="The articles both are named in.")


class EntityProfile(Shape):
    """What the corpus says of one entity; each list holds its first `top` items beside its total."""
    entity: ProfileEntity
    mention_count: int
    forms: list[Form] = Field(description="How it is written, most often first.")
    article_count: int
    outlets: list[tuple[str, int]] = Field(description="[outlet, articles naming it], most first.")
    articles: list[ProfileArticle] = Field(description="Its articles by date.")
    quotes_by_total: int
    quotes_by: list[Quote] = Field(description="Its quotes (it is the speaker).")
    quotes_naming_total: int
    quotes_naming: list[Quote] = Field(description="Quotes naming it (a mention of it inside the quoted words).")
    events_total: int
    events: list[Event] = Field(description="The events it takes part in, by date.")
    with_: list[Together] = Field(alias="with", description="Who appears with it, weighted by the articles shared.")


# --- corrections and ingest -----------------------------------------------------------------------------
class Correction(Shape):
    """A correction, as `storyline corrections --json` lists it."""
    id: int
    op: str = Field(description="merge-entities, split-entity, rename-entity, speaker, reject or redate.")
    target_kind: str = Field(description="entity, quote, event, claim or article.")
    target_id: str
    why: str | None
    undone_at: str | None = Field(description="When it was undone (ISO 8601, UTC), or null.")
    status: str = Field(description="'applied', 'not applied: target gone (…)' or 'undone'.")
    payload: dict[str, Any] = Field(description="What finds the target again when ids move, and the change (by op).")
    by: str | None
    at: str = Field(description="When it was made (ISO 8601, UTC).")
    what: str = Field(description="The target and the change in a few words.")


class Problem(Shape):
    source: str
    message: str


class IngestReport(Shape):
    """What an upload added."""
    files: list[str] = Field(description="The files read (as saved: plain names).")
    added_documents: int
    added_articles: int
    already_stored: int = Field(description="Documents stored before.")
    problems: list[Problem] = Field(description="What could not be read, and why.")
    articles_in_database: int


# --- pages: {"items", "total", "limit", "offset"} ----------------------------------------------------------
class _Page(Shape):
    total: int = Field(description="Items in the whole list.")
    limit: int = Field(description="The page size asked for.")
    offset: int = Field(description="Items skipped.")


class StoryPage(_Page):
    """One page of stories."""
    items: list[Story]


class EventPage(_Page):
    """One page of events."""
    items: list[Event]


class ArticlePage(_Page):
    """One page of articles."""
    items: list[ArticleSummary]


class EntityPage(_Page):
    """One page of entities."""
    items: list[Entity]


class QuotePage(_Page):
    """One page of quotes."""
    items: list[Quote]


class ClaimPage(_Page):
    """One page of claims."""
    items: list[Claim]


class SearchPage(_Page):
    """One page of search hits, by rank."""
    items: list[SearchHit]


class CorrectionPage(_Page):
    """One page of corrections."""
    items: list[Correction]


ERRORS = {
    400: "The upload is not what it should be.",
    401: "No valid bearer token.",
    404: "No such id.",
    409: "Undone already.",
    411: "Content-Length required.",
    413: "The request is too large.",
    415: "Neither multipart files nor JSON.",
    422: "A bad parameter or body field, named.",
    503: "The database refused the write (read-only, an I/O error).",
    507: "The disk is full.",
}


def answers(model: type[BaseModel], *errors: int, status: int = 200,
            etag: bool = True) -> dict[int | str, dict[str, Any]]:
    """An endpoint's `responses=`: `model` at `status`, the error bodies of `errors`, and for a GET (`etag`) the
    304 that an If-None-Match naming the current ETag gets."""
    out: dict[int | str, dict[str, Any]] = {status: {"model": model, "description": (model.__doc__ or "").split("\n")[0]
                                                     or "OK"}}
    if etag:
        out[304] = {"description": "Not Modified: If-None-Match named the current ETag (no body)."}
    for code in errors:
        out[code] = {"model": ValidationErrors if code == 422 else HTTPError, "description": ERRORS[code]}
    return out


def documented(app: FastAPI) -> None:
    """The app's OpenAPI document with each documented answer's schema the model's alone: a route's return
    annotation (`dict[str, Any]`) adds a loose object schema of its own that FastAPI merges into the model's
    reference; it keeps that annotation (it serialises the answer), the document drops its schema."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            doc = generate()
            for operations in doc.get("paths", {}).values():
                for op in operations.values():
                    for answer in op.get("responses", {}).values():
                        content = answer.get("content", {}).get("application/json", {})
                        if "$ref" in content.get("schema", {}):
                            content["schema"] = {"$ref": content["schema"]["$ref"]}
            app.openapi_schema = doc
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
