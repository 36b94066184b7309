"""What the web layer reads from the store, in the dossier shapes.

Stories, events and claims come with the stories layer (another issue). Until the store has
them, these read as empty: the story endpoints list nothing and answer 404 for any id, the home
page lists articles. The store methods this module uses once they exist:

    Store.stories() -> list[{"id", "title", "article_ids", ...}]      (dossier `stories` shape)
    Store.story(id) -> that shape or None                                (optional; else found in stories())
    Store.events(story_id=...) -> list of dossier `events`               (optional)
    Store.claims(story_id=...) -> list of dossier `claims`               (optional)
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from storyline.store import Store


def stories(store: Store) -> list[dict[str, Any]]:
    fn = getattr(store, "stories", None)
    return list(fn()) if callable(fn) else []


def story(store: Store, story_id: str) -> dict[str, Any] | None:
    fn = getattr(store, "story", None)
    if callable(fn):
        return fn(story_id)
    return next((s for s in stories(store) if s.get("id") == story_id), None)


def _layer(store: Store, name: str, story_id: str) -> list[dict[str, Any]]:
    fn = getattr(store, name, None)
    if not callable(fn):
        return []
    try:
        return list(fn(story_id=story_id))
    except TypeError:  # a method without the filter: take the story's own
        return [x for x in fn() if x.get("story_id") == story_id]


def events(store: Store, story_id: str) -> list[dict[str, Any]]:
    """The story's events ordered by date (undated last), the dossier `events` shape."""
    evs = _layer(store, "events", story_id)
    return sorted(evs, key=lambda e: (e.get("date") is None, e.get("date") or "", e.get("id") or ""))


def claims(store: Store, story_id: str) -> list[dict[str, Any]]:
    return _layer(store, "claims", story_id)


def span_link(article_id: str, span: list[int] | tuple[int, int]) -> str:
    """The URL of an article page that highlights `span` and scrolls to it."""
    s, e = int(span[0]), int(span[1])
    return f"/articles/{quote(str(article_id), safe='')}?hl={s}-{e}#span-{s}-{e}"
