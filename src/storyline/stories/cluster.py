"""Online story clustering: each new article joins the most similar story (text, shared entities, time) or starts one."""

from __future__ import annotations

import datetime as dt
import functools
import heapq
import importlib.metadata
import math
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from storyline.model import stable_id
from storyline.settings import FAR_DAYS, FAR_JOIN_AT, JOIN_AT, LINK_NEAREST, LINK_WEIGHT, MIN_SIM, TEXT_WEIGHT
from storyline.store.story_state import tf_factor


def article_date(pub: dict[str, Any]) -> dt.date | None:
    v = pub.get("date") or pub.get("earliest") or pub.get("latest")
    try:
        return dt.date.fromisoformat(v[:10]) if v else None
    except ValueError:
        return None


def vectorizer():
    """scikit-learn's TF-IDF vectoriser: English stop words, sublinear term frequency, single words. Story
    similarity takes only its analyzer's tokens (`term_counts`, the batch's distributed step) and weighs
    them by `term_weight`; `coref.DocSimilarity` fits the whole of it on a story's articles."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(stop_words="english", sublinear_tf=True, ngram_range=(1, 1), min_df=1,
                           max_features=200_000, token_pattern=r"(?u)\b[\w][\w-]*\w\b|\b\w\b")


def story_text(title: str | None, text: str) -> str:
    """What an article's text vector is made from."""
    return f"{title or ''}\n{text}"


def rarity(n: int, df: int) -> float:
    """An entity's weight in the overlap: the smoothed inverse document frequency of TF-IDF."""
    return math.log((1 + n) / (1 + df)) + 1.0


# what `term_weight` reads: stored norms computed with other weights are computed again (stories/stored.py)
WEIGHTS = f"wordfreq {importlib.metadata.version('wordfreq')} en"


@functools.lru_cache(maxsize=200_000)
def term_weight(term: str) -> float:
    """A term's weight in the text vectors: its information in general English, −log10 of its frequency
    (wordfreq's Zipf scale: 9 − zipf; "the" 1.3, "said" 3.0, "earthquake" 4.9, a word it has never seen 9).
    Not the corpus's document frequency: in a corpus about one subject the subject's words are in every
    article and an IDF weighs them least, so its articles share only their rarest words and split into
    a story each (Timeline17's topics, bench/tls.py); a subject word weighs the same in every corpus."""
    from wordfreq import zipf_frequency

    return 9.0 - zipf_frequency(term, "en")


def choose(members: list[tuple[str, float, float, bool]], size: dict[str, int]) -> str | None:
    """The story an article joins, or None: `members` are (story, text cosine, entity overlap, years
    apart) for the story articles it is compared with, in ingestion order; `size` each story's articles.
    Text similarity to a story article: LINK_WEIGHT × its cosine + the rest × the mean cosine of the
    story's LINK_NEAREST closest articles (all of a smaller story's; one not compared counts 0)."""
    sims: dict[str, list[float]] = {}
    for sid, sim, _, _ in members:
        sims.setdefault(sid, []).append(sim)
    near = {sid: sum(heapq.nlargest(LINK_NEAREST, v)) / min(LINK_NEAREST, size[sid]) for sid, v in sims.items()}
    best, best_sid = 0.0, None
    for sid, sim, ov, far in members:
        text = LINK_WEIGHT * sim + (1 - LINK_WEIGHT) * near[sid]
        s = TEXT_WEIGHT * text + (1 - TEXT_WEIGHT) * ov
        if far and s < FAR_JOIN_AT:
            continue
        if s > best:
            best, best_sid = s, sid
    return best_sid if best_sid is not None and best >= JOIN_AT else None


def far_apart(a: dt.date | None, b: dt.date | None) -> bool:
    return bool(a and b and abs((a - b).days) > FAR_DAYS)


BOUND_SLACK = 1e-9  # what rounding may add to a score over its bound (sums of a few thousand terms near 1)


def may_join(bounds: Iterable[tuple[str, float, float]]) -> set[str]:
    """The stories `choose` may pick, from an upper bound of each story article's text cosine and entity
    overlap with the article placed (story, cosine bound, overlap bound); a story article not listed has
    neither (no term or entity in common). A story article's score is at most TEXT_WEIGHT × (LINK_WEIGHT ×
    its cosine + (1 − LINK_WEIGHT) × the mean over the story's closest) + (1 − TEXT_WEIGHT) × its overlap,
    and that mean is at most the story's largest cosine: a story whose bound stays below JOIN_AT cannot be
    chosen (`choose` joins only at JOIN_AT), so leaving its articles out of the comparison changes nothing."""
    best: dict[str, float] = {}
    top: dict[str, float] = {}
    for sid, cos, ov in bounds:
        best[sid] = max(best.get(sid, 0.0), TEXT_WEIGHT * LINK_WEIGHT * cos + (1 - TEXT_WEIGHT) * ov)
        top[sid] = max(top.get(sid, 0.0), cos)
    return {sid for sid, b in best.items()
            if (bound := b + TEXT_WEIGHT * (1 - LINK_WEIGHT) * top[sid]) > 0 and bound >= JOIN_AT - BOUND_SLACK}


# --- the stage, in steps both runners share (here in one process over a list or the store's index;
# batch/stories on an engine) ---------------------------------------------------------------------------
# map: an article's term counts and entities; statistics: document frequencies over the articles; per new
# article in ingestion order: its weighted vectors, its blocking keys (`prefix`), the story articles
# holding one (every one whose cosine or entity overlap reaches MIN_SIM does), `choose`.


@functools.lru_cache(maxsize=1)
def _analyzer() -> Callable[[str], list[str]]:
    return vectorizer().build_analyzer()


def term_counts(title: str | None, text: str) -> dict[str, int]:
    """Map: the story vectoriser's tokens of an article (title and text) with their counts."""
    return dict(Counter(_analyzer()(story_text(title, text))))


def text_weights(counts: dict[str, int]) -> dict[str, float]:
    """An article's text vector before it is normalised: `tf_factor` (1 + log count) × `term_weight`; the
    stored postings carry the same factor."""
    return {t: tf_factor(c) * term_weight(t) for t, c in counts.items()}


def text_vector(counts: dict[str, int]) -> dict[str, float]:
    """An article's L2-normalised text vector (`text_weights` over their norm)."""
    w = text_weights(counts)
    norm = math.sqrt(sum(x * x for x in w.values())) or 1.0
    return {t: x / norm for t, x in w.items()}


def entity_weights(entities: Iterable[str], df: dict[str, int], n: int) -> dict[str, float]:
    """An article's canonical entities, each weighted by its rarity."""
    return {e: rarity(n, df[e]) for e in dict.fromkeys(entities)}


def weighted_overlap(a: dict[str, float], b: dict[str, float]) -> float:
    """Shared entities weighted by rarity, over all the entities of the two articles."""
    shared = sum(w for e, w in a.items() if e in b)
    union = sum(a.values()) + sum(b.values()) - shared
    return shared / union if union > 0 else 0.0


def prefix(keys: list[tuple[int, str, float]], bound: float, squared: bool = False) -> list[str]:
    """The blocking keys of one article (prefix filtering, Bayardo et al. 2007): its (document frequency,
    key, weight) in the order rarest first, up to where what is left weighs less than `bound` (its L2
    norm for a unit text vector, else its share of the weights). An article whose similarity with it
    reaches `bound` holds one of these keys (Cauchy–Schwarz: the rest cannot reach it alone); when both
    sides' prefixes are taken in one global order, the two share a key in both (the batch's blocking).
    Keys in one article only block nothing."""
    total = 1.0 if squared else sum(w for _, _, w in keys)
    left, cut = 0.0, len(keys)
    ordered = sorted(keys)
    for i in range(len(ordered) - 1, -1, -1):
        w = ordered[i][2]
        nxt = left + (w * w if squared else w)
        if (math.sqrt(nxt) if squared else nxt / (total or 1.0)) >= bound:
            break
        left, cut = nxt, i
    return [k for df, k, _ in ordered[:cut] if df >= 2]


def blocking_keys(vec: dict[str, float], ents: dict[str, float], df: dict[str, int], bound: float = MIN_SIM) -> list[str]:
    """An article's blocking keys: "t" + term and "e" + entity id (`df` by those keys)."""
    return (prefix([(df["t" + t], "t" + t, w) for t, w in vec.items()], bound, squared=True)
            + prefix([(df["e" + e], "e" + e, w) for e, w in ents.items()], bound))


def index_keys(counts: dict[str, int], entities: Iterable[str]) -> set[str]:
    """Every key an article is found by once placed: "t" + each of its terms, "e" + each entity id."""
    return {"t" + t for t in counts} | {"e" + e for e in entities}


@dataclass
class Placed:
    """A story article as `assign_pending` compares with it: its text vector (term numbers and weights),
    its weighted entities, date and story."""

    cols: Any  # numpy int64 array
    vals: Any  # numpy float64 array
    ents: dict[str, float]
    date: dt.date | None
    story: str


class StoryIndex(Protocol):
    """What placing new articles reads: the statistics over every article (new ones included), the story
    articles holding a key, a story article's counts, a story's size; and where each placed one goes."""

    n: int

    def df(self, keys: Iterable[str]) -> dict[str, int]: ...

    def candidates(self, keys: Iterable[str], vec: dict[str, float], ents: dict[str, float]) -> list[Any]:
        """The story articles holding one of `keys` (refs in ingestion order), or those of them in the stories
        the article (its text vector `vec`, weighted entities `ents`) `may_join`: `choose` decides the same."""
        ...

    def article(self, refs: list[Any]) -> dict[Any, tuple[dict[str, int], list[str], dt.date | None, str]]: ...

    def size(self, story: str) -> int: ...

    def story_of(self, article_id: str) -> str | None: ...

    def place(self, ref: Any, row: dict[str, Any], story: str) -> None: ...


def assign_pending(pending: list[tuple[Any, dict[str, Any]]], index: StoryIndex,
                   bound: float = MIN_SIM) -> dict[str, str]:
    """Story ids for `pending` (ref, row) in ingestion order, each row with id, counts (`term_counts`),
    entities, published and duplicate_of; the index is told of each placement before the next."""
    import numpy as np

    out: dict[str, str] = {}
    cache: dict[Any, Placed] = {}
    vocab: dict[str, int] = {}  # term → its number in the vectors below

    def numbered(vec: dict[str, float]) -> tuple[Any, Any]:
        cols = np.fromiter((vocab.setdefault(t, len(vocab)) for t in vec), dtype=np.int64, count=len(vec))
        return cols, np.fromiter(vec.values(), dtype=np.float64, count=len(vec))

    for ref, r in pending:
        dup = r.get("duplicate_of")
        sid = index.story_of(dup) if dup else None
        if sid is None:
            counts, ents = r["counts"], list(dict.fromkeys(r["entities"]))
            df = index.df(["t" + t for t in counts] + ["e" + e for e in ents])
            vec = text_vector(counts)
            ew = entity_weights(ents, {e: df["e" + e] for e in ents}, index.n)
            date = article_date(r.get("published") or {})
            refs = index.candidates(blocking_keys(vec, ew, df, bound), vec, ew)
            todo = [x for x in refs if x not in cache]
            if todo:
                got = index.article(todo)
                dfs = index.df({"e" + e for _, es, _, _ in got.values() for e in es})
                for x, (c, es, d, st) in got.items():
                    cols, vals = numbered(text_vector(c))
                    cache[x] = Placed(cols, vals, entity_weights(es, {e: dfs["e" + e] for e in es}, index.n), d, st)
            placed = [cache[x] for x in refs]
            members = []
            if placed:  # the text cosines with every candidate at once: the products summed per candidate
                cols, vals = numbered(vec)
                dense = np.zeros(len(vocab))
                dense[cols] = vals
                lens = [len(p.cols) for p in placed]
                products = dense[np.concatenate([p.cols for p in placed])] * np.concatenate([p.vals for p in placed])
                sims = np.bincount(np.repeat(np.arange(len(placed)), lens), weights=products, minlength=len(placed))
                members = [(p.story, float(sim), weighted_overlap(ew, p.ents) if ew and p.ents else 0.0,
                            far_apart(date, p.date)) for p, sim in zip(placed, sims)]
            sid = choose(members, {s: index.size(s) for s in {m[0] for m in members}}) if members else None
            if sid is None:
                sid = stable_id("s", r["id"])
        index.place(ref, r, sid)
        out[r["id"]] = sid
    return out


class _Rows:
    """`StoryIndex` over a list of rows in memory (`assign`)."""

    def __init__(self, rows: list[dict[str, Any]]):
        self.rows = rows
        self.n = len(rows)
        self.counts = [r["counts"] if "counts" in r else term_counts(r.get("title"), r["text"]) for r in rows]
        self._df = Counter(["t" + t for c in self.counts for t in c]
                           + ["e" + e for r in rows for e in set(r["entities"])])
        self.postings: dict[str, list[int]] = {}
        self.story: dict[int, str] = {}
        self.by_id: dict[str, str] = {}
        self.sizes: Counter = Counter()
        for i, r in enumerate(rows):
            if r.get("story_id"):
                self.place(i, r, r["story_id"])

    def df(self, keys: Iterable[str]) -> dict[str, int]:
        return {k: self._df[k] for k in keys}

    def candidates(self, keys: Iterable[str], vec: dict[str, float], ents: dict[str, float]) -> list[int]:
        return sorted({i for k in keys for i in self.postings.get(k, ())})

    def article(self, refs: list[int]) -> dict[int, tuple[dict[str, int], list[str], dt.date | None, str]]:
        return {i: (self.counts[i], self.rows[i]["entities"], article_date(self.rows[i].get("published") or {}),
                    self.story[i]) for i in refs}

    def size(self, story: str) -> int:
        return self.sizes[story]

    def story_of(self, article_id: str) -> str | None:
        return self.by_id.get(article_id)

    def place(self, ref: int, row: dict[str, Any], story: str) -> None:
        self.story[ref] = story
        self.by_id[row["id"]] = story
        self.sizes[story] += 1
        for k in index_keys(self.counts[ref], row["entities"]):
            self.postings.setdefault(k, []).append(ref)


def assign(rows: list[dict[str, Any]]) -> tuple[dict[str, str], set[str]]:
    """Story ids for the articles that have none, in ingestion order; (new assignment, touched stories).

    `rows`: every article in ingestion order with id, title and text (or its `term_counts` as counts),
    published, story_id (None when new), duplicate_of and its canonical entity ids. Articles already in a story keep it, so adding
    articles never renames or splits a story; a duplicate joins its original's story. A story's id
    comes from its first article. Similarity to a story is the best over its articles of
    0.65 × text + 0.35 × shared-entity overlap (entities weighted by rarity), where text is half the
    cosine to that article and half the mean cosine to the story's three closest (`choose`), each word
    weighed by its frequency in general English (`term_weight`); articles years apart need a higher
    similarity. The story articles compared are those whose cosine or entity overlap with the article
    reaches MIN_SIM (`prefix`).
    """
    if not rows:
        return {}, set()
    pending = [(i, r) for i, r in enumerate(rows) if not r.get("story_id")]
    if not pending:
        return {}, set()
    index = _Rows(rows)
    assignment = assign_pending([(i, {**r, "counts": index.counts[i]}) for i, r in pending], index)
    return assignment, set(assignment.values())
