"""Placing new articles in a stored corpus (stories/stored.py) decides as comparing them with every key holder does, reading fewer; a link reads only the stale stories."""

from __future__ import annotations

from pathlib import Path

from storyline import pipeline
from storyline.pipeline import build as build_into
from storyline.store import Store
from storyline.stories.cluster import assign_pending
from storyline.stories.stored import StoredStories

CORPUS = Path(__file__).resolve().parent.parent / "examples" / "corpus"
S400 = ("Turkey takes delivery of S-400 missile batteries\n\nAnkara, July 12 (Reuters) - The first parts of the Russian "
        "S-400 air defence system arrived at the Murted air base near Ankara on Friday, Turkey's defence ministry said, "
        "defying warnings from Washington that the purchase would bring sanctions and put Turkey's part in the F-35 "
        "programme at risk. Russian cargo planes landed with the batteries, the ministry said; more deliveries will "
        "follow. NATO said it was concerned about the consequences of the S-400 purchase.\n")


def build(paths: list[Path], db: str | Store) -> None:
    if isinstance(db, Store):
        build_into(paths, db)
    else:
        with Store(db) as store:
            build_into(paths, store)


class EveryHolder(StoredStories):
    """The index as placing read it before the bounds: every story article holding one of the keys."""

    def candidates(self, keys, vec, ents):  # type: ignore[no-untyped-def]
        keys = set(keys)
        found = self.store.story_holders(keys)
        found.update(seq for k in keys for seq in self.postings.get(k, ()))
        return sorted(found)


class Counting:
    """An index's candidates, counted."""

    def __init__(self, index: StoredStories):
        self.index, self.read = index, 0
        real = index.candidates

        def counted(*a):  # type: ignore[no-untyped-def]
            out = real(*a)
            self.read += len(out)
            return out

        index.candidates = counted  # type: ignore[method-assign]


def test_placing_from_bounds_equals_placing_over_every_key_holder(seeds, new_db):
    """The last articles taken out of their stories and placed again, against the store: the stories they may
    join (`cluster.may_join` over the bounds) give the same stories as every story article holding one of
    their blocking keys, and far fewer articles are compared."""
    db = new_db("bounds")
    with Store(db) as store:
        build([seeds, CORPUS], store)
        rows = store.story_states()
        last = rows[-6:]
        with store.transaction():
            store.db.executemany("UPDATE articles SET story_id = NULL WHERE id = ?", [(r["id"],) for r in last])
        pending = [(r["seq"], r) for r in pipeline._with_counts(store, [dict(r, story_id=None) for r in last])]
        pruned, every = Counting(StoredStories(store)), Counting(EveryHolder(store))
        got = assign_pending(pending, pruned.index)
        want = assign_pending(pending, every.index)
    assert got == want == {r["id"]: r["story_id"] for r in last}
    assert every.read > 2 * pruned.read


def test_the_bounds_hold_as_the_statistics_move(seeds, new_db, tmp_path):
    """Articles added one build at a time, each placed from the norms of an epoch made before them (the entities'
    weights moving with the corpus): the same stories as a database placing every article with every key holder."""
    db = new_db("moving")
    with Store(db) as store:
        build([seeds], store)
    with Store(db) as store:
        epoch = store.story_epoch()
    for k, f in enumerate(sorted(CORPUS.iterdir())):
        folder = tmp_path / f"add{k}"
        folder.mkdir()
        (folder / f.name).symlink_to(f)
        build([folder], db)
    with Store(db) as store:
        assert store.story_epoch() == epoch  # no new epoch: every article since placed from the same one
        rows = store.story_states()
        new = [r for r in rows if r["seq"] > epoch]
        with store.transaction():
            store.db.executemany("UPDATE articles SET story_id = NULL WHERE id = ?", [(r["id"],) for r in new])
        pending = [(r["seq"], r) for r in pipeline._with_counts(store, [dict(r, story_id=None) for r in new])]
        got = assign_pending(pending, StoredStories(store))
        want = assign_pending(pending, EveryHolder(store))
    assert got == want == {r["id"]: r["story_id"] for r in new}


def _stories(db: str) -> dict:
    with Store(db) as store:
        return {"ids": {r["id"]: r["story_id"] for r in store.story_states()},
                **{t: [tuple(r) for r in store.db.execute(f"SELECT * FROM {t} ORDER BY 1, 2")]
                   for t in ("stories", "events", "claims", "event_refs")}}


def test_a_link_reads_the_stale_stories_only_and_writes_what_comparing_every_story_does(seeds, new_db, tmp_path,
                                                                                        monkeypatch):
    """An article joining a story after a link by this storyline: the link reads the stories it joins and those
    noted stale, not every article's story state, every story's members key or every article's metadata; the
    stories, events and claims are those of a link comparing every story."""
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "s400.txt").write_text(S400, encoding="utf-8")
    a, b = new_db("stale"), new_db("every")
    for db in (a, b):
        build([seeds, CORPUS], db)
    with Store(b) as store, store.transaction():
        store.db.execute("DELETE FROM meta WHERE key = 'done:link'")  # as after an older storyline: every story
    read: list[str] = []
    for name in ("story_states", "story_members", "unindexed_story_rows"):
        real = getattr(Store, name)
        monkeypatch.setattr(Store, name, lambda self, *x, _real=real, _name=name: read.append(_name) or _real(self, *x))
    real_meta = Store.article_meta
    monkeypatch.setattr(Store, "article_meta",
                        lambda self, ids=None: read.append("article_meta") if ids is None else None or real_meta(self, ids))
    build([extra], a)
    assert read == []
    monkeypatch.undo()
    build([extra], b)
    assert _stories(a) == _stories(b)
    with Store(a) as store:
        assert store.story_stale() == set()
        new = next(r for r in store.story_states() if r["seq"] == max(x["seq"] for x in store.story_states()))
        assert sum(1 for r in store.story_states() if r["story_id"] == new["story_id"]) > 1  # it joined a story


def test_a_story_whose_article_leaves_is_noted_stale_and_written_again_as_comparing_every_story_does(seeds, new_db):
    """An article of a several-article story found not English (it loses its layers and its story): the store
    notes the story stale, and the next link writes it as a link comparing every story does."""
    a, b = new_db("leaves"), new_db("leaves-every")
    for db in (a, b):
        build([seeds, CORPUS], db)
    with Store(a) as store:
        rows = store.story_states()
        sid = max({r["story_id"] for r in rows}, key=lambda s: sum(r["story_id"] == s for r in rows))
        aid = next(r["id"] for r in rows if r["story_id"] == sid)
    for db in (a, b):
        with Store(db) as store:
            store.set_languages([(aid, "de", 0.99)])
            if db == b:
                with store.transaction():
                    store.db.execute("DELETE FROM meta WHERE key = 'done:link'")
            else:
                assert store.story_stale() == {sid}
            pipeline.link_articles(store)
    assert _stories(a) == _stories(b)
    with Store(a) as store:
        assert store.story_stale() == set() and aid not in store.story(sid)["article_ids"]


def test_norms_computed_with_other_weights_are_computed_again(seeds, new_db):
    """A database whose norms an older storyline computed (its terms weighed by the corpus's document
    frequencies, no weights recorded): placing from it first computes every norm again with the weights now."""
    from storyline.stories import cluster
    from storyline.stories.stored import epoch_norm

    db = new_db("weights")
    with Store(db) as store:
        build([seeds], store)
        with store.transaction():
            store.db.execute("DELETE FROM meta WHERE key = 'story_weights'")
            store.db.execute("UPDATE story_terms SET norm0 = 1.0")
        StoredStories(store)
        assert store.story_epoch_weights() == cluster.WEIGHTS
        norms = dict(store.db.execute("SELECT seq, norm0 FROM story_terms").fetchall())
        counts = store.story_counts_all()
    assert counts and all(abs(norms[seq] - epoch_norm(c)) < 1e-9 * epoch_norm(c) for seq, c in counts.items())
