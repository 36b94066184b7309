"""The language of an article's clean text (py3langid: its model ships in the wheel, nothing downloaded).

`detect` gives an ISO 639-1 code and the detector's normalised probability, or (None, None) when the
text is too short to say (fewer than MIN_LETTERS letters or MIN_WORDS words) or the detector is not
sure (probability under MIN_PROBABILITY): no guess. The English layers (spaCy's English model, the
English cue and event lexicons) run on English articles and on those whose language is unknown."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from storyline.settings import MIN_LETTERS, MIN_PROBABILITY, MIN_WORDS

ENGLISH = "en"
UNDETERMINED = "und"  # ISO 639-2 "undetermined": how the store keeps a checked language it could not tell

_WORD = re.compile(r"[^\W\d_]+")


@lru_cache(maxsize=1)
def _identifier() -> Any:  # py3langid's LanguageIdentifier (py3langid is untyped)
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_pickled_model(MODEL_FILE, norm_probs=True)


def detect(text: str) -> tuple[str | None, float | None]:
    """(ISO 639-1 code, probability rounded to 3 places), or (None, None) when there is too little text
    or the detector is unsure."""
    words = _WORD.findall(text or "")
    if len(words) < MIN_WORDS or sum(len(w) for w in words) < MIN_LETTERS:
        return None, None
    code, prob = _identifier().classify(text)
    prob = round(float(prob), 3)
    if prob < MIN_PROBABILITY:
        return None, None
    return str(code), prob


def article_language(title: str | None, text: str) -> tuple[str | None, float | None]:
    """The language of an article: its title and clean body read together."""
    return detect(f"{title}\n{text}" if title else text)


def is_english(language: str | None) -> bool:
    """Whether the English layers run on an article: English, or a language that could not be told."""
    return language in (None, ENGLISH, UNDETERMINED)
