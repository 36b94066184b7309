"""Online story clustering: each new article joins the most similar story (text, shared entities, time) or starts one."""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from typing import Any

from storyline.model import stable_id

JOIN_AT = 0.14  # the similarity an article needs to join a story (the seeds' stories: tests/test_stories.py)
TEXT_WEIGHT = 0.65  # the rest is shared canonical entities
LINK_WEIGHT = 0.5  # text similarity to a story: this share from its closest article, the rest the mean over its articles
FAR_DAYS = 3 * 365  # articles further apart than this join only on a clearly higher similarity
FAR_JOIN_AT = 0.25


def article_date(pub: dict[str, Any]) -> dt.date | None:
    v = pub.get("date") or pub.get("earliest") or pub.get("latest")
    try:
        return dt.date.fromisoformat(v[:10]) if v else None
    except ValueError:
        return None


def vectorizer():
    """The TF-IDF configuration of story similarity: scikit-learn's vectoriser, English stop words,
    sublinear term frequency, single words (the batch's distributed step tokenises with its analyzer)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(stop_words="english", sublinear_tf=True, ngram_range=(1, 1), min_df=1,
                           max_features=200_000, token_pattern=r"(?u)\b[\w][\w-]*\w\b|\b\w\b")


def story_text(title: str | None, text: str) -> str:
    """What an article's text vector is made from."""
    return f"{title or ''}\n{text}"


def rarity(n: int, df: int) -> float:
    """An entity's weight in the overlap: the smoothed inverse document frequency TF-IDF uses too."""
    return math.log((1 + n) / (1 + df)) + 1.0


def overlap(a: set[str], b: set[str], idf: dict[str, float]) -> float:
    """Shared entities weighted by rarity, over all the entities of the two articles."""
    union = a | b
    return (sum(idf[e] for e in a & b) / sum(idf[e] for e in union)) if union else 0.0


def choose(members: list[tuple[str, float, float, bool]], size: dict[str, int]) -> str | None:
    """The story an article joins, or None: `members` are (story, text cosine, entity overlap, years
    apart) for the story articles it is compared with, in ingestion order; `size` each story's articles."""
    to_story: dict[str, float] = {}
    for sid, sim, _, _ in members:
        to_story[sid] = to_story.get(sid, 0.0) + sim
    best, best_sid = 0.0, None
    for sid, sim, ov, far in members:
        text = LINK_WEIGHT * sim + (1 - LINK_WEIGHT) * to_story[sid] / size[sid]
        s = TEXT_WEIGHT * text + (1 - TEXT_WEIGHT) * ov
        if far and s < FAR_JOIN_AT:
            continue
        if s > best:
            best, best_sid = s, sid
    return best_sid if best_sid is not None and best >= JOIN_AT else None


def far_apart(a: dt.date | None, b: dt.date | None) -> bool:
    return bool(a and b and abs((a - b).days) > FAR_DAYS)


def assign(rows: list[dict[str, Any]]) -> tuple[dict[str, str], set[str]]:
    """Story ids for the articles that have none, in ingestion order; (new assignment, touched stories).

    `rows`: every article in ingestion order with id, title, text, published, story_id (None when
    new), duplicate_of and its canonical entity ids. Articles already in a story keep it, so adding
    articles never renames or splits a story; a duplicate joins its original's story. A story's id
    comes from its first article. Similarity to a story is the best over its articles of
    0.65 × text + 0.35 × shared-entity overlap (entities weighted by rarity), where text is half the
    TF-IDF cosine to that article and half the mean cosine to all the story's articles: pure
    closest-article linking chains a campaign's coverage into one story (102 of 931 PolNeAR articles,
    28 with the mean; bench/stories.py); articles years apart need a higher similarity.
    """
    if not rows:
        return {}, set()
    pending = [i for i, r in enumerate(rows) if not r.get("story_id")]
    if not pending:
        return {}, set()
    X = vectorizer().fit_transform([story_text(r.get("title"), r["text"]) for r in rows])
    n = len(rows)
    df = Counter(e for r in rows for e in set(r["entities"]))
    idf = {e: rarity(n, c) for e, c in df.items()}
    ents = [set(r["entities"]) for r in rows]
    dates = [article_date(r.get("published") or {}) for r in rows]
    story = [r.get("story_id") for r in rows]
    index = {r["id"]: i for i, r in enumerate(rows)}
    assignment: dict[str, str] = {}
    touched: set[str] = set()
    for i in pending:
        r = rows[i]
        dup = r.get("duplicate_of")
        if dup in index and story[index[dup]]:
            sid = story[index[dup]]
        else:
            members = [j for j in range(n) if story[j] and j != i]
            sid = None
            if members:
                sims = (X[members] @ X[i].T).toarray().ravel()
                size = Counter(story[j] for j in members)
                sid = choose([(story[j], float(sims[k]), overlap(ents[i], ents[j], idf), far_apart(dates[i], dates[j]))
                              for k, j in enumerate(members)], size)
            if sid is None:
                sid = stable_id("s", r["id"])
        story[i] = sid
        assignment[r["id"]] = sid
        touched.add(sid)
    return assignment, touched
