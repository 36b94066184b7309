"""Cross-document event coreference over TimeML mentions (stories/coref.py), and the ECB+ bench's scorer."""

from __future__ import annotations

import sys
from pathlib import Path

from storyline.nlp.annotate import load_nlp
from storyline.nlp.timeml import timeml_events
from storyline.stories.coref import corefer_mentions

ROOT = Path(__file__).resolve().parent.parent

TEXTS = {
    "a": "Police arrested the suspect in Lindenport on Tuesday. The mayor said the city was safe.",
    "b": "The arrest of the suspect came after a week-long search in Lindenport, officials said.",
    "c": "Caldera's port workers went on strike. Their union leader said talks had failed.",
}


def _items():
    nlp = load_nlp()
    out = []
    for name, text in TEXTS.items():
        doc = nlp(text)
        out += [{"doc_id": name, "doc": doc, "event": e} for e in timeml_events(doc)]
    return out


def test_a_verb_and_its_noun_are_one_happening_and_said_needs_a_shared_participant():
    items = _items()
    labels = corefer_mentions(items, stories={"a": "s1", "b": "s1", "c": "s2"})
    at = {(x["doc_id"], x["event"]["text"]): lab for x, lab in zip(items, labels)}
    assert at[("a", "arrested")] == at[("b", "arrest")]  # WordNet: the noun derives from the verb
    assert at[("a", "said")] != at[("b", "said")]  # the mayor and officials: no participant in common
    assert at[("c", "strike")] not in {at[("a", "arrested")]}
    assert at[("c", "said")] != at[("a", "said")]  # another story: never compared


def test_the_ecbplus_scorer_agrees_with_scorch_on_hand_made_and_random_clusterings():
    sys.path.insert(0, str(ROOT / "bench"))
    import ecbplus

    assert ecbplus.self_check() == []


def test_the_shipped_model_and_wordnet_similarity():
    from storyline.nlp.lexicon import similarity
    from storyline.stories import coref

    m = coref.model()
    assert 0.0 < m["threshold"] < 1.0 and m["weights"] and "ECB+ train" in m["trained_on"]
    assert similarity("buy", "VERB", "purchase", "VERB") == 1.0  # one WordNet sense
    assert similarity("buy", "VERB", "sleep", "VERB") < 0.5
    assert similarity("buy", "VERB", "purchase", "NOUN") == 0.0  # no part of speech in common
    same = ["same_lemma", "wup:0.95", "pos:VERB|VERB", "cls:OCCURRENCE|OCCURRENCE", "ent_shared:2", "ctx:0.3",
            "doc:0.6", "same&shared_ent", "same&cls:OCCURRENCE|OCCURRENCE", "same&ctx:0.3", "same&doc:0.4"]
    unlike = ["wup:lo", "pos:NOUN|VERB", "cls:OCCURRENCE|REPORTING", "ent_shared:0", "ent_disjoint", "ctx:lo", "doc:lo"]
    assert coref.probability(same) > m["threshold"] > coref.probability(unlike)


def test_the_kept_wu_palmer_similarity_is_nltks_figure():
    """lexicon.wup keeps each synset's hypernyms between calls; it must give nltk's own figure, including across
    verb hierarchies (the simulated root), for a synset and its own hypernym, and for a synset with itself."""
    import random

    from storyline.nlp.lexicon import wordnet, wup

    rng = random.Random(3)
    for pos in "nv":
        senses = list(wordnet().all_synsets(pos))
        pairs = [(rng.choice(senses), rng.choice(senses)) for _ in range(600)]
        pairs += [(a, a.hypernyms()[0]) for a, _ in pairs[:200] if a.hypernyms()] + [(a, a) for a, _ in pairs[:20]]
        assert [wup(x, y) for x, y in pairs] == [x.wup_similarity(y) for x, y in pairs]


def test_the_ecbplus_bench_scores_what_a_build_merges(tmp_path):
    """bench/ecbplus.py --build: a storyline build of the documents, its events' trigger spans mapped back to
    each document's text (a headline the cleaner takes as the title too), matched to the gold mentions, and
    scored beside the same lemma within the build's story. Gold: the arrests (the first one's headline and
    both bodies) are one happening."""
    sys.path.insert(0, str(ROOT / "bench"))
    import ecbplus

    texts = {
        "1_1ecb": "Police arrest suspect in Lindenport\n\nPolice arrested the suspect in Lindenport on Tuesday, "
                  "officials said. The mayor praised the officers.",
        "1_2ecb": "Lindenport suspect held\n\nPolice arrested a suspect in Lindenport on Tuesday after a "
                  "week-long search, the police chief said.",
    }
    docs = []
    for name, text in texts.items():
        starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]
        doc = ecbplus.EcbDoc(name, 1, "1ecb", text, starts, list(range(len(starts))), set(range(len(starts))))
        for word in (["arrest"] if name == "1_1ecb" else []) + ["arrested"]:  # the first one's headline, both bodies
            k = text.find(word)
            doc.mentions.append(ecbplus.Mention(f"{name}:m{k}", (k, k + len(word)), doc.sentence_at(k), word,
                                                "ACTION_OCCURRENCE", "arrest-1"))
        docs.append(doc)
    r = ecbplus.build_part(docs, tmp_path)
    assert r["unmapped"] == 0 and r["mentions"] > 0
    assert r["detection"]["strict_r"] == 1.0  # both gold triggers are triggers of the build's events, the title's too
    rows = r["coref"]
    assert set(rows) >= {"storyline build: its events (stories.events.corefer)",
                         "baseline: same lemma within the build's story"}
    # the same lemma in one story links the arrests: the gold cluster, found
    assert rows["baseline: same lemma within the build's story"]["without"]["muc_f"] == 1.0
    # the build links the arrests across the documents (the learned model: no named participant in common
    # but the place), the undated headline's too, as it names the same doer ("police"): the gold cluster
    build = rows["storyline build: its events (stories.events.corefer)"]["without"]
    assert build["muc_p"] == 1.0 and build["muc_r"] == 1.0
    # the build's article groups against the one sub-topic: its stories and its articles' main events
    grouping = r["grouping"]
    assert set(grouping) == {"storyline build: its stories", "storyline build: its articles' main events"}
    assert grouping["storyline build: its stories"]["groups"] == 1  # two reports of one arrest: one story
    assert grouping["storyline build: its stories"]["f"] == 1.0
    assert all(0.0 < m["f"] <= 1.0 for m in grouping.values())


def test_stored_features_read_back_as_the_model_was_trained_on_them():
    """What the annotation stores with a text's event mentions (`stored_features`: a sentence's part once,
    with its first mention; JSON) reads back (`expand_stored`, `from_stored`) as exactly the features the
    model was trained on (`mention_features`), a sentence of several mentions included."""
    import json

    from storyline.stories.coref import expand_stored, from_stored, mention_features, stored_features

    nlp = load_nlp()
    texts = dict(TEXTS, d="Rebels attacked the town, killed two guards and burned the market before police "
                          "arrested them; the attack shocked the town, and the killing of the guards angered it.")
    several = 0
    for name, text in texts.items():
        doc = nlp(text)
        events = timeml_events(doc)
        assert events
        stored = json.loads(json.dumps(stored_features(doc, [(e["span"], e.get("class")) for e in events])))
        with_part = sum("words" in f for f in stored)
        several += len(stored) - with_part  # mentions stored without their sentence's part
        assert with_part == len({f["sent"] for f in stored})
        for e, f in zip(events, expand_stored(stored)):
            assert from_stored(f, name) == mention_features(doc, e, name)
    assert several >= 3  # the sentence part was shared, not only stored whole


def test_a_build_stores_the_features_with_each_event_mention(tmp_path):
    """Each news event mention a build stores (body and title) carries the model's features, and the story
    link reads them: two reports of one arrest, sharing no named participant but the place, are one event."""
    import json

    from storyline.pipeline import build
    from storyline.store import Store

    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(json.dumps({"url": f"https://x.invalid/{k}", "title": title, "text": text,
                                         "published": "2024-03-05"}) for k, (title, text) in enumerate([
        ("Police arrest suspect in Lindenport", "Police arrested the suspect in Lindenport on Tuesday, officials said."),
        ("Lindenport suspect held", "Police arrested a suspect in Lindenport on Tuesday after a week-long search."),
    ])) + "\n", encoding="utf-8")
    with Store(tmp_path / "db.sqlite") as store:
        build([src], store)
        aids = [a.id for a in store.articles()]
        layers = dict(store.all_annotations("events", aids))
        titles = dict(store.all_annotations("title", aids))
        events = store.events()
    body = [m for aid in aids for m in layers[aid]]
    assert body and all(m["coref"]["lemma"] and "sent" in m["coref"] for m in body)
    assert all("words" in layers[aid][0]["coref"] for aid in aids if layers[aid])  # a sentence's part, stored once
    assert all(m["coref"] for aid in aids for m in titles[aid].get("events") or [])
    arrests = [e for e in events if any(m["trigger"]["lemma"] == "arrest" and not m.get("field") for m in e["mentions"])]
    assert len(arrests) == 1 and len(arrests[0]["sources"]) == 2


def test_stored_features_are_bounded_on_an_endless_sentence():
    """A hostile text's one endless "sentence" (no full stop, thousands of names and words) is stored with a
    bounded list of each kind, however many event mentions it holds."""
    from storyline.stories.coref import MAX_CONTEXT, expand_stored, stored_features, trigger_features

    import itertools

    nouns = ["".join(p) for p in itertools.islice(itertools.product("bdfgklmnprstvz", "aeiou", "bdgklmnprt"), 400)]
    doc = load_nlp()("Police arrested the men with " + ", ".join(nouns) + " and more")
    tok = next(t for t in doc if t.lower_ == "arrested")
    sentence = [t for t in tok.sent if t.is_alpha and not t.is_stop]
    assert len({t.lemma_.lower() for t in sentence}) > MAX_CONTEXT  # the parser kept a long sentence
    f = trigger_features(doc, (tok.idx, tok.idx + len(tok.text)), "OCCURRENCE")
    assert all(len(f[k]) <= MAX_CONTEXT for k in ("ents", "dates", "nums", "ctx", "args", "doers"))
    assert len(f["ctx"]) == MAX_CONTEXT  # the bound is reached, not missed
    stored = stored_features(doc, [((tok.idx, tok.idx + len(tok.text)), "OCCURRENCE")])[0]
    assert "words" not in stored and len(stored["ctx"]) == MAX_CONTEXT  # stored as it is, bounded
    assert expand_stored([stored])[0]["ctx"] == f["ctx"]


def test_doc_similarity_from_the_full_matrix_equals_the_pairs_asked_for(monkeypatch):
    """A story's article similarities read from one sparse product equal those computed a pair at a time."""
    from storyline.stories import coref

    texts = {f"d{i}": " ".join(f"w{(i * 7 + k) % 23}" for k in range(12 + i)) for i in range(9)}
    full = coref.DocSimilarity(texts)
    assert full.full is not None
    monkeypatch.setattr(coref.DocSimilarity, "FULL_MATRIX", 0)
    pairs = coref.DocSimilarity(texts)
    assert pairs.full is None
    values = {(a, b): full(a, b) for a in texts for b in texts}
    assert values == {(a, b): pairs(a, b) for a in texts for b in texts}
    assert len(set(values.values())) > 5  # the texts differ: the check is not over equal numbers
