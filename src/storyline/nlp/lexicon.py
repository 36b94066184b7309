"""WordNet 3.0 as a lexical resource (Debian's wordnet-base, read by nltk): a word's sense classes and derivations."""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Any

from storyline.settings import SENSES

# Where Debian's wordnet-base puts the database (`make setup` installs it); STORYLINE_WORDNET overrides.
WORDNET_DIRS = ("/usr/share/wordnet",)


# The lexicographer files, numbered as WordNet 3.0's data files number them (lexnames(5WN), the table
# Debian installs as a man page but not as the `lexnames` file nltk's reader opens): a format constant.
LEXNAMES = (
    "adj.all adj.pert adv.all noun.Tops noun.act noun.animal noun.artifact noun.attribute noun.body noun.cognition"
    " noun.communication noun.event noun.feeling noun.food noun.group noun.location noun.motive noun.object"
    " noun.person noun.phenomenon noun.plant noun.possession noun.process noun.quantity noun.relation noun.shape"
    " noun.state noun.substance noun.time verb.body verb.change verb.cognition verb.communication verb.competition"
    " verb.consumption verb.contact verb.creation verb.emotion verb.motion verb.perception verb.possession"
    " verb.social verb.stative verb.weather adj.ppl"
).split()
_CATEGORY = {"noun": 1, "verb": 2, "adj": 3, "adv": 4}
WORDNET_POS = {"NOUN": "n", "PROPN": "n", "VERB": "v", "AUX": "v", "ADJ": "a"}  # spaCy's part of speech → WordNet's


class LexiconError(RuntimeError):
    """WordNet's database is not installed where storyline looks for it."""


def wordnet_dir() -> Path | None:
    """The folder holding WordNet's database: STORYLINE_WORDNET when set (and only it), else Debian's."""
    given = os.environ.get("STORYLINE_WORDNET")
    for d in [given] if given else WORDNET_DIRS:
        if (Path(d) / "data.noun").is_file():
            return Path(d)
    return None


@functools.lru_cache(maxsize=1)
def wordnet() -> Any:
    """nltk's reader over the WordNet database, loaded once per process."""
    folder = wordnet_dir()
    if folder is None:
        where = os.environ.get("STORYLINE_WORDNET") or ", ".join(WORDNET_DIRS)
        raise LexiconError(f"WordNet 3.0 is not installed (no data.noun in {where}): install "
                           "Debian's wordnet-base (`sudo apt-get install wordnet-base`; `make setup` does it as root),"
                           " or set STORYLINE_WORDNET to a folder holding its data.noun")
    import io
    import warnings

    import nltk.data
    from nltk.corpus.reader.wordnet import WordNetCorpusReader

    class Reader(WordNetCorpusReader):
        def open(self, file: str) -> Any:
            if file == "lexnames" and not (folder / file).is_file():
                return io.StringIO("".join(f"{i:02d}\t{name}\t{_CATEGORY[name.split('.')[0]]}\n"
                                           for i, name in enumerate(LEXNAMES)))
            return super().open(file)

        def map_wn(self, version: str = "wordnet") -> None:
            return None  # a mapping to nltk's own download of WordNet, for multilingual data: not used, not there

    if str(folder) not in nltk.data.path:
        nltk.data.path.append(str(folder))  # nltk reads only from its data paths
    with warnings.catch_warnings():  # "multilingual functions are not available": not used here
        warnings.simplefilter("ignore", UserWarning)
        return Reader(str(folder), None)


@functools.lru_cache(maxsize=200_000)
def sense_classes(lemma: str, pos: str) -> tuple[str, ...]:
    """The lexicographer files of the first senses of `lemma` as pos 'n', 'v' or 'a' (e.g. ('noun.act',
    'noun.event')), most frequent sense first; () for a word WordNet does not know."""
    out: list[str] = []
    for s in wordnet().synsets(lemma.replace(" ", "_"), pos)[:SENSES]:
        if s.lexname() not in out:
            out.append(s.lexname())
    return tuple(out)


@functools.lru_cache(maxsize=200_000)
def derived_from_verb(noun: str) -> bool:
    """Whether a first sense of `noun` is derivationally related to a verb ('signing', 'attack', 'election')."""
    for s in wordnet().synsets(noun.replace(" ", "_"), "n")[:SENSES]:
        for lemma in s.lemmas():
            if lemma.name().lower() == noun.lower() and any(d.synset().pos() == "v"
                                                            for d in lemma.derivationally_related_forms()):
                return True
    return False


@functools.lru_cache(maxsize=200_000)
def meaning_keys(lemma: str, pos: str) -> frozenset[str]:
    """Keys of a word's meaning, for comparing two words (spaCy's `pos`): its first two WordNet senses,
    and the senses derivationally related to this word in them, so "election" and "elect", "arrest" the
    noun and "arrest" the verb, share a key."""
    out: set[str] = set()
    for s in wordnet().synsets(lemma, WORDNET_POS.get(pos, "a"))[:2]:
        out.add(s.name())
        for lem in s.lemmas():
            if lem.name().lower() == lemma:
                out.update(d.synset().name() for d in lem.derivationally_related_forms()
                           if d.synset().pos() in ("v", "n"))
    return frozenset(out)


@functools.lru_cache(maxsize=500_000)
def similarity(a: str, pos_a: str, b: str, pos_b: str) -> float:
    """Wu–Palmer similarity of two words' closest first-two senses of one part of speech (spaCy's `pos`),
    0 to 1; 0 when WordNet knows either not, or they share no part of speech."""
    wa, wb = WORDNET_POS.get(pos_a), WORDNET_POS.get(pos_b)
    if not wa or not wb or not a.isalpha() or not b.isalpha():
        return 0.0
    best = 0.0
    for x in _senses(a, wa):
        for y in _senses(b, wb):
            if x.pos() == y.pos():
                best = max(best, wup(x, y) or 0.0)
    return best


@functools.lru_cache(maxsize=100_000)
def _senses(lemma: str, pos: str) -> tuple[Any, ...]:
    """A word's first two senses as one part of speech."""
    return tuple(wordnet().synsets(lemma, pos)[:2])


@functools.lru_cache(maxsize=100_000)
def _ancestors(synset: Any, root: bool) -> dict[Any, int]:
    """A synset's hypernyms (itself included) with the fewest steps up to each, as nltk computes them."""
    return synset._shortest_hypernym_paths(root)


def _distance(x: Any, y: Any, root: bool) -> int | None:
    """nltk's `shortest_path_distance`, over the cached ancestors."""
    if x == y:
        return 0
    up_x, up_y = _ancestors(x, root), _ancestors(y, root)
    return min((d + up_y[s] for s, d in up_x.items() if s in up_y), default=None)


def wup(x: Any, y: Any) -> float | None:
    """nltk's `Synset.wup_similarity(y)` with its defaults, the same figure: nltk walks both synsets'
    hypernyms again on every call (a tenth of a build's time went there); here each synset's are kept."""
    root = x._needs_root() or y._needs_root()
    subsumers = x.lowest_common_hypernyms(y, simulate_root=root, use_min_depth=True)
    if not subsumers:
        return None
    subsumer = x if x in subsumers else subsumers[0]
    depth = subsumer.max_depth() + 1
    len1, len2 = _distance(x, subsumer, root), _distance(y, subsumer, root)
    if len1 is None or len2 is None:
        return None
    return (2.0 * depth) / (len1 + depth + len2 + depth)
