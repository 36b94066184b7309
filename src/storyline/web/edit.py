"""Corrections from the web (`storyline serve --allow-edit`): the request bodies of POST /api/corrections, what
each one does (the operations of `storyline.corrections`, as `storyline correct` makes them), and the guard
that checks the bearer token before a body is read.

CSRF: the pages send the token in the `Authorization` header from static/app.js (typed once, kept in the tab's
sessionStorage), never in a cookie; a form another site posts carries no such header and is refused (401)
before its body is read. A bad body is a 422 naming the field (`loc`: ["body", op, field]), the shape FastAPI
gives its own validation errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal, TypeVar, Union

from fastapi import HTTPException
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator
from starlette.responses import JSONResponse

from storyline import corrections
from storyline.corrections import CorrectionError
from storyline.store import Store

MAX_BODY = 64 * 1024  # a correction's body is a few fields; anything larger is refused unread
EDIT_PATH = "/api/corrections"
WEB_AUTHOR = "web"  # `by` when a body gives none (the server's OS user would say nothing of who corrected)

Ref = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
Why = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
By = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
T = TypeVar("T")


class _Correction(BaseModel):
    model_config = ConfigDict(extra="forbid")
    why: Why = Field(description="Why (kept with the correction and shown beside what it changed).")
    by: By | None = Field(None, description=f"Who corrects (default: {WEB_AUTHOR!r}).")


class _OfEntity(_Correction):
    target: Ref = Field(description="The entity (id, or exact name or alias).")


class MergeEntities(_OfEntity):
    """Two entities are one: `other`'s mentions and quotes become `target`'s (the entity that stays), its names
    `target`'s aliases."""
    op: Literal["merge-entities"]
    other: Ref = Field(description="The entity merged into the target (id, or exact name or alias).")


class SplitEntity(_OfEntity):
    """The entity's mentions written `alias` become an entity of their own, named so."""
    op: Literal["split-entity"]
    alias: Ref = Field(description="How the mentions that become another entity are written.")


class RenameEntity(_OfEntity):
    """Give an entity another name (the old one becomes an alias)."""
    op: Literal["rename-entity"]
    name: Ref = Field(description="Its name from now on.")


class Speaker(_Correction):
    """Set or clear a quote's speaker: exactly one of `entity`, `name` and `clear`."""
    op: Literal["speaker"]
    target: Ref = Field(description="The quote id.")
    entity: Ref | None = Field(None, description="The speaker is this entity (id, or exact name or alias).")
    name: Ref | None = Field(None, description="The speaker is named so (no entity).")
    clear: bool = Field(False, description="No speaker is known.")

    @model_validator(mode="after")
    def _one(self) -> Speaker:
        if sum((self.entity is not None, self.name is not None, self.clear)) != 1:
            raise ValueError("give exactly one of entity, name and clear")
        return self


class Reject(_Correction):
    """Take an event, a quote or a claim out of every view and export."""
    op: Literal["reject"]
    kind: Literal["event", "quote", "claim"]
    target: Ref = Field(description="Its id.")


class Redate(_Correction):
    """Set an article's publication date, at the precision given."""
    op: Literal["redate"]
    target: Ref = Field(description="The article (id, id prefix, or number in storyline articles).")
    date: str = Field(max_length=10, description="YYYY, YYYY-MM or YYYY-MM-DD.")

    @field_validator("date")
    @classmethod
    def _date(cls, v: str) -> str:
        try:
            corrections.parse_date(v)
        except CorrectionError as e:
            raise ValueError(str(e)) from None
        return v.strip()


Correction = Annotated[Union[MergeEntities, SplitEntity, RenameEntity, Speaker, Reject, Redate],
                       Field(discriminator="op")]


def unprocessable(loc: list[str], msg: str) -> HTTPException:
    """A 422 in FastAPI's own shape: `loc` names the field."""
    return HTTPException(422, [{"type": "value_error", "loc": ["body", *loc], "msg": msg}])


def make(store: Store, c: MergeEntities | SplitEntity | RenameEntity | Speaker | Reject | Redate) -> int:
    """Make the correction the body asks for; returns its id. A target not found, or a change that cannot be made,
    is a 422 naming the field it comes from."""
    def at(field: str, run: Callable[[], T]) -> T:
        try:
            return run()
        except CorrectionError as e:
            raise unprocessable([c.op, field], str(e)) from None

    by = c.by or WEB_AUTHOR
    if isinstance(c, MergeEntities):
        a, b = at("target", lambda: corrections.find_entity(store, c.target)), at(
            "other", lambda: corrections.find_entity(store, c.other))
        return at("other", lambda: corrections.merge_entities(store, a["id"], b["id"], c.why, by))
    if isinstance(c, SplitEntity):
        e = at("target", lambda: corrections.find_entity(store, c.target))
        return at("alias", lambda: corrections.split_entity(store, e["id"], c.alias, c.why, by))
    if isinstance(c, RenameEntity):
        e = at("target", lambda: corrections.find_entity(store, c.target))
        return at("name", lambda: corrections.rename_entity(store, e["id"], c.name, c.why, by))
    if isinstance(c, Speaker):
        at("target", lambda: corrections.find_quote(store, c.target))
        speaker = None
        if c.entity is not None:
            speaker = at("entity", lambda: corrections.find_entity(store, c.entity or ""))["id"]
        return at("name" if c.name is not None else "entity" if c.entity is not None else "clear",
                  lambda: corrections.set_speaker(store, c.target, speaker, c.name, c.clear, c.why, by))
    if isinstance(c, Reject):
        return at("target", lambda: corrections.reject(store, c.kind, c.target, c.why, by))
    return at("target", lambda: corrections.redate(store, c.target, c.date, c.why, by))


def undo(store: Store, correction_id: int) -> None:
    """Undo one: 404 for no such correction, 409 for one already undone."""
    if not any(c["id"] == correction_id for c in store.corrections()):
        raise HTTPException(404, f"no correction #{correction_id}")
    try:
        corrections.undo(store, correction_id)
    except CorrectionError as e:
        raise HTTPException(409, str(e)) from None


def listed(store: Store, correction_id: int) -> dict[str, Any]:
    """One correction as GET /api/corrections lists it."""
    return next(corrections.record(c) for c in store.corrections() if c["id"] == correction_id)


class Guard:
    """Pure ASGI, only when editing is on: a POST under /api/corrections needs the bearer token (`check` raises
    the 401) and a declared, small body, checked before anything reads the body."""

    def __init__(self, inner: Any, check: Callable[[str], None]) -> None:
        self.inner, self.check = inner, check

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["method"] == "POST" and (
                scope["path"] == EDIT_PATH or scope["path"].startswith(EDIT_PATH + "/")):
            headers = {k.lower(): v.decode("latin-1") for k, v in scope["headers"]}
            length = headers.get(b"content-length", "")
            try:
                self.check(headers.get(b"authorization", ""))
                if not length and b"transfer-encoding" in headers:
                    raise HTTPException(411, "Content-Length required")
                if length and (not length.isdigit() or int(length) > MAX_BODY):
                    raise HTTPException(413, f"request larger than {MAX_BODY // 1024} KB")
            except HTTPException as e:
                await JSONResponse({"detail": e.detail}, e.status_code, headers=e.headers)(scope, receive, send)
                return
        await self.inner(scope, receive, send)
