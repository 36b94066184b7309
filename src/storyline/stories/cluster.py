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


def _date(pub: dict[str, Any]) -> dt.date | None:
    v = pub.get("date") or pub.get("earliest") or pub.get("latest")
    try:
        return dt.date.fromisoformat(v[:10]) if v else None
    except ValueError:
        return None


def _vectors(texts: list[str]):
    """TF-IDF rows (L2-normalised) of the texts: scikit-learn's vectoriser, English stop words,
    sublinear term frequency, single words."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    vec = TfidfVectorizer(stop_words="english", sublinear_tf=True, ngram_range=(1, 1), min_df=1,
                          max_features=200_000, token_pattern=r"(?u)\b[\w][\w-]*\w\b|\b\w\b")
    return vec.fit_transform(texts)


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
    X = _vectors([f"{r.get('title') or ''}\n{r['text']}" for r in rows])
    n = len(rows)
    df = Counter(e for r in rows for e in set(r["entities"]))
    idf = {e: math.log((1 + n) / (1 + c)) + 1.0 for e, c in df.items()}
    ents = [set(r["entities"]) for r in rows]
    dates = [_date(r.get("published") or {}) for r in rows]
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
                to_story: dict[str, float] = {}
                size: Counter = Counter()
                for k, j in enumerate(members):
                    to_story[story[j]] = to_story.get(story[j], 0.0) + float(sims[k])
                    size[story[j]] += 1
                best, best_j = 0.0, None
                for k, j in enumerate(members):
                    shared = ents[i] & ents[j]
                    union = ents[i] | ents[j]
                    ov = (sum(idf[e] for e in shared) / sum(idf[e] for e in union)) if union else 0.0
                    mean = to_story[story[j]] / size[story[j]]
                    text = LINK_WEIGHT * float(sims[k]) + (1 - LINK_WEIGHT) * mean
                    s = TEXT_WEIGHT * text + (1 - TEXT_WEIGHT) * ov
                    if dates[i] and dates[j] and abs((dates[i] - dates[j]).days) > FAR_DAYS and s < FAR_JOIN_AT:
                        continue
                    if s > best:
                        best, best_j = s, j
                if best_j is not None and best >= JOIN_AT:
                    sid = story[best_j]
            if sid is None:
                sid = stable_id("s", r["id"])
        story[i] = sid
        assignment[r["id"]] = sid
        touched.add(sid)
    return assignment, touched
