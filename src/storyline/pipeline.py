"""Composes the stages in order (read → segment → clean → date → store → annotate → link); the only place that knows it."""

from __future__ import annotations

import os
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from storyline.clean import dedupe
from storyline.clean.boilerplate import Cleaned, clean_article
from storyline.clean.language import UNDETERMINED, article_language, is_english
from storyline.clean.segment import split_articles
from storyline.ingest import file_state, read_file, read_paths
from storyline.model import (Article, Claim, Document, Entity, Event, FileState, ReadProblem, Removed, Story,
                             StoredDocument, stable_id, unique_names)
from storyline.published import publication
from storyline.settings import ANNOTATE_COMMIT_EVERY, DEFAULT_MAX_MB, RECALL_AT_ONCE, SETTLE_SECONDS
from storyline.store import Store, recalled
from storyline.textsafe import TEXT_CONTROLS

# Spaces that scraped copy uses between words, replaced one-for-one so offsets do not move.
_ODD_SPACES = re.compile(r"[\u00a0\u2000-\u200a\u202f\u205f\u3000]")
_CONTROL_RUNS = re.compile(f"(?:{TEXT_CONTROLS.pattern})+")
CONTROL_REASON = "control characters"  # the reason a replaced run is recorded with, beside the furniture


def normalise_document(doc: Document) -> Document:
    """Odd spaces to plain ones; control characters (C0 but tab and newline, DEL, C1) and bidi overrides to
    spaces, each run kept in `doc.removed`. One character for one, so spans stay valid.

    The readers' `normalize_text` has already dropped C0 controls from what they read; this catches the
    rest, and anything a Document was made with otherwise."""
    text = _ODD_SPACES.sub(" ", doc.text)
    runs = list(_CONTROL_RUNS.finditer(text))
    if runs:
        doc.removed = doc.removed + [Removed(m.group(), CONTROL_REASON, m.span()) for m in runs]
        text = _CONTROL_RUNS.sub(lambda m: " " * len(m.group()), text)
    doc.text = text
    return doc


def _cleaned(doc: Document) -> list[tuple[int, tuple[int, int], Cleaned]]:
    """Every article span of the document, with what the cleaner makes of it."""
    out = []
    for index, span in enumerate(split_articles(doc.text)):
        title = doc.meta.title if (index == 0 and doc.meta.title) else None
        out.append((index, span, clean_article(doc.text, span, title=title)))
    return out


def _pieces_by_article(pieces: list[Removed], spans: list[tuple[int, int]]) -> list[list[Removed]]:
    """Each piece to the article whose span holds it, else to the next one after it, else to the last."""
    out: list[list[Removed]] = [[] for _ in spans]
    for piece in pieces:
        k = next((i for i, (_, end) in enumerate(spans) if piece.span[0] < end), len(spans) - 1)
        out[k].append(piece)
    return out


def process_document(doc: Document) -> list[Article]:
    """The per-article stages for one document: split it into articles and clean each one; what
    normalisation replaced (`doc.removed`) joins the removed pieces of the article it was in."""
    kept = [(index, span, c) for index, span, c in _cleaned(doc) if c.text.strip()]
    extra = _pieces_by_article(doc.removed, [span for _, span, _ in kept]) if kept else []
    articles = []
    for (index, span, c), more in zip(kept, extra):
        language, score = article_language(c.title, c.text)
        articles.append(
            Article(
                document_id=doc.id,
                index=index,
                title=c.title,
                text=c.text,
                source_span=span,
                text_map=c.text_map,
                removed=sorted(c.removed + more, key=lambda r: r.span),
                published=publication(doc.meta, c.datelines, c.text,
                                      [r.text for r in c.removed if r.reason == "caption"], c.later_dates),
                outlet=doc.meta.outlet,
                url=doc.meta.url,
                authors=unique_names(doc.meta.authors, c.authors),
                syndicated_from=c.syndicated_from,
                language=language or UNDETERMINED,  # checked, too little text to tell: 'und', exported as null
                language_score=score,
            )
        )
    return articles


def no_article_reason(doc: Document) -> str:
    """Why a document yields no article, in one line (for a problem report)."""
    cleaned = _cleaned(doc)
    if not cleaned:
        return "no article: no paragraph of text left after normalisation — stored without articles"
    reasons = Counter(r.reason for _, _, c in cleaned for r in c.removed)
    what = ", ".join(f"{n} {reason}" for reason, n in reasons.most_common(4)) or "nothing"
    return (f"no article left after cleaning: every paragraph was taken for page furniture ({what})"
            " — stored without articles")


@dataclass
class BuildReport:
    """What a build did; `problems` are the inputs that were reported and skipped."""

    skipped: int = 0  # documents already in the database from an earlier run
    added_documents: int = 0
    added_articles: int = 0
    problems: list[ReadProblem] = field(default_factory=list)
    annotated: int = 0
    new_versions: int = 0  # documents stored beside an earlier version of the same source (kept too)
    # language → articles added this run in a language other than English: stored, searchable, not annotated
    not_english: dict[str, int] = field(default_factory=dict)


ProgressFn = Callable[[str, object], None]


def build(
    paths: Iterable[str | Path],
    store: Store,
    max_mb: float = DEFAULT_MAX_MB,
    progress: ProgressFn | None = None,
    annotate: bool = True,
) -> BuildReport:
    """Ingest every readable document under `paths` into `store`, then run the cross-article stages.

    `annotate=False` leaves the annotation stage (spaCy) for a later build (benchmarks time the
    stages apart). Each document is stored with its articles in one transaction, so a run killed half-way
    resumes where it stopped; documents already stored are skipped, so re-running changes nothing. A file an
    earlier build read and unchanged since, by its size and modification time (`InputFiles`), is not opened:
    its documents count as already stored and its problems are reported again, as if it had been read.
    """
    report = BuildReport()
    ok_sources: list[str] = []
    empty: list[ReadProblem] = []  # documents that yield no article: recorded once the old problems are cleared
    files = InputFiles(store)
    for item in read_paths(list(paths), max_bytes=int(max_mb * 1024 * 1024), read=files.read):
        if isinstance(item, ReadProblem):
            files.note(item)
            report.problems.append(item)
            store.record_problem(item.source, item.message)
            if progress:
                progress("problem", item)
            continue
        ok_sources.append(item.source)
        if isinstance(item, StoredDocument):
            report.skipped += 1
            stored = item
        else:
            stored = _store_document(item, store, report)
        files.note(stored)
        if stored.no_article:  # reported again on every run, as on the run that stored it
            empty.append(ReadProblem(item.source, stored.no_article))
            report.problems.append(empty[-1])
            if progress:
                progress("problem", empty[-1])
        if progress:
            progress("document", item)
    store.clear_problems(ok_sources)
    for problem in empty:
        store.record_problem(problem.source, problem.message)
    detect_languages(store)
    if annotate:
        report.annotated = annotate_articles(store, progress, report.problems)
    link_articles(store, progress=progress)
    return report


def _store_document(doc: Document, store: Store, report: BuildReport) -> StoredDocument:
    """A document read, stored with its articles when new (counted in `report`), else skipped; as stored, with
    the problem it is reported with when it has no article."""
    stored = store.stored_as(doc)
    if stored:
        report.skipped += 1
        no_article = not store.has_articles(stored)
    else:
        articles = process_document(normalise_document(doc))
        sigs = [(dedupe.text_hash(a.text), dedupe.signature(a.text)) for a in articles]
        report.new_versions += store.save_document(doc, articles, sigs)
        report.added_documents += 1
        report.added_articles += len(articles)
        for a in articles:
            if not is_english(a.language):
                report.not_english[a.language] = report.not_english.get(a.language, 0) + 1
        stored, no_article = doc.id, not articles
    return StoredDocument(doc.source, stored, no_article_reason(normalise_document(doc)) if no_article else None)


class InputFiles:
    """A build's input files, each read or recalled: a file an earlier build read, unchanged since, is not
    opened, and what it gave then (its documents, as stored, and its problems) is given again.

    Unchanged is judged as make and rsync judge it: the same resolved path and source name, size and
    modification time (to the nanosecond the file system keeps), read by the same storyline with the same size
    bound; the content is not compared. So an edit that keeps the size and sets the modification time back to
    what it was (a tool that restores times, `touch -d`) is not seen until the file is touched; a file modified
    in the SETTLE_SECONDS before a build looked at it is read again by the next build, since its file system's
    clock could not tell two edits that close apart. A file that could not be opened (permissions, an I/O
    error) is not remembered: every build tries it again."""

    def __init__(self, store: Store):
        self.store = store
        self.reading: FileState | None = None  # the file being read, when what it gives is to be remembered
        self.gave: list[StoredDocument | ReadProblem] = []  # what it gave so far, as the build handled it
        self.folders: dict[str, str] = {}  # folder → its real path (ingest.real_path)
        self.asked: dict[str, int] = {}  # real folder → files of it looked up one by one so far
        self.known: dict[str, dict[tuple[str, str], tuple[int, int, str, str]]] = {}  # real folder → its records

    def _recall(self, state: FileState, reader: str) -> list[StoredDocument | ReadProblem] | None:
        """`Store.input_file`: one lookup a file, until a folder has had RECALL_AT_ONCE of them; then that
        folder's records are read at once (`Store.input_files_in`), so that a build listing thousands of files
        does not query for each."""
        folder = os.path.dirname(state.path)
        known = self.known.get(folder)
        if known is None:
            self.asked[folder] = asked = self.asked.get(folder, 0) + 1
            if asked < RECALL_AT_ONCE:
                return self.store.input_file(state, reader)
            known = self.known[folder] = self.store.input_files_in(folder)
        return recalled(known.get((state.path, state.source)), state, reader)

    def read(self, path: Path, source: str, max_bytes: int) -> Iterator[Document | StoredDocument | ReadProblem]:
        """One file's items: what an earlier build read from it when it is unchanged since (`Store.input_file`),
        else `read_file`'s, remembered (`Store.set_input_file`) once the build has handled the last of them."""
        from storyline import __version__

        state = file_state(path, source, self.folders)
        reader = f"{__version__}|{max_bytes}"
        if state is not None and time.time_ns() - state.mtime_ns < SETTLE_SECONDS * 1e9:
            state = None  # modified a moment ago: read, not remembered
        gave = self._recall(state, reader) if state else None
        if gave is not None:
            yield from gave
            return
        self.reading, self.gave = state, []
        yield from read_file(path, source, max_bytes)
        if self.reading is not None:  # asked for the next item: the build has stored every document of this file
            self.store.set_input_file(self.reading, reader, self.gave)
        self.reading = None

    def note(self, item: StoredDocument | ReadProblem) -> None:
        """What the file being read gave, once the build has handled it (a document as stored, or a problem); a
        file the system would not let us read is not remembered."""
        if self.reading is None:
            return
        if isinstance(item, ReadProblem) and not item.lasting:
            self.reading = None
        else:
            self.gave.append(item)


def detect_languages(store: Store) -> int:
    """The language of every article stored before languages were detected (an older storyline, a batch
    partition written before); those found not to be English lose the English layers they were given.
    Returns how many lost layers."""
    rows = store.undetected_languages()
    if not rows:
        return 0
    found = []
    for aid, title, text in rows:
        language, score = article_language(title, text)
        found.append((aid, language or UNDETERMINED, score))
    return store.set_languages(found)


def annotate_articles(store: Store, progress: ProgressFn | None = None,
                      problems: list[ReadProblem] | None = None) -> int:
    """Annotate every stored article that has no layers yet (time expressions, mentions, quotes, events,
    claims); returns how many were annotated. Articles in a language other than English are not listed
    (`Store.unannotated`): stored and searchable, never annotated, counted by `Store.not_annotated_languages`.

    Layers are committed every few articles, so a killed run resumes with the rest. An article the
    annotator cannot take (too long, a model error) is recorded as a problem of its source, one line,
    and stays unannotated (out of entities and stories) while the others go on; a later build tries it again."""
    from storyline.nlp.annotate import NotAnnotated, annotate_texts, layers_json

    rows = store.unannotated()
    if not rows:
        return 0
    if progress:
        progress("annotate", len(rows))
    done = 0
    batch: list[tuple[str, dict]] = []

    def flush() -> None:
        nonlocal batch
        if batch:
            store.save_annotations(batch)
            if progress:
                progress("annotated", len(batch))
            batch = []

    layers = annotate_texts((text, pub, title) for _, text, pub, title in rows)
    for (aid, *_), lay in zip(rows, layers):
        if isinstance(lay, NotAnnotated):
            flush()
            where = store.article_sources([aid]).get(aid, (aid, 0))
            problem = ReadProblem(where[0], f"article {where[1] + 1} ({aid}) not annotated: {lay.reason}")
            store.record_problem(problem.source, problem.message)
            if problems is not None:
                problems.append(problem)
            if progress:
                progress("problem", problem)
                progress("annotated", 1)
            continue
        done += 1
        batch.append((aid, layers_json(lay)))
        if len(batch) >= ANNOTATE_COMMIT_EVERY:
            flush()
    flush()
    return done


def link_articles(store: Store, progress: ProgressFn | None = None) -> None:
    """The cross-article stages: duplicates, shared passages, entities and quote speakers over everything stored;
    stories for new annotated articles, and events and claims for the stories they touch. Skipped when
    nothing they read has changed since the last link finished (`Store.link_inputs`): a build with nothing
    new does not read the corpus.

    One process at a time per database (`Store.exclusive`): a second build waits here until the first
    has linked, so neither computes stories over articles the other is still writing. The corrections a person
    made (`storyline.corrections`) are taken out before the stages run and replayed after them."""
    def waiting() -> None:
        if progress:
            progress("waiting", f"{store.path}: another storyline process is linking this database; waiting for it")

    from storyline import corrections

    with store.exclusive(waiting):
        inputs = store.link_inputs()
        if store.stage_done("link") == inputs:
            corrections.reapply(store)  # a run killed before its replay leaves none to do otherwise
            return  # nothing added, annotated or dropped since the last link finished: it stands as it is
        if progress:
            progress("cross-article", None)
        corrections.unapply(store)  # the stages compare with the rows they computed, never with a correction
        link_duplicates(store)
        if store.stage_done("entities") != inputs:  # not given by a batch over exactly these inputs
            link_entities(store)
        link_stories(store)
        store.set_stage_done("link", inputs)
        corrections.reapply(store)  # what a person corrected, applied to what the stages computed


def link_duplicates(store: Store) -> int:
    """Duplicates and shared passages for the articles not compared yet, incrementally: the new articles
    and every stored article they share a duplicate key with (and, in turn, those share one with) are
    decided again by `dedupe.find_duplicates`, which is what deciding over the whole corpus gives them,
    since no candidate pair leaves that group; the shared passages of the new articles and of those whose
    duplicate status changed are written again from the stored paragraph hashes. The work is in
    proportion to the new articles and their near copies, not to the corpus. Returns how many were new."""
    new = store.unkeyed()
    if not new:
        return 0
    key_rows = _key_rows(new)
    members = {r["seq"] for r in new}
    frontier = {k for k, _ in key_rows}
    seen = set(frontier)
    while frontier:  # the stored articles sharing a key with the group, until none is left outside it
        more = store.sharing_keys(frontier) - members
        members |= more
        frontier = set()
        for r in store.dedupe_members(more):
            frontier.update(k for k in map(dedupe.key_number, dedupe.keys(r["text_hash"], r["minhash"])) if k not in seen)
        seen |= frontier
    rows = store.dedupe_members(members)
    dups = dedupe.find_duplicates([dedupe.DedupeItem(r["id"], r["text_hash"], r["minhash"], r["text"]) for r in rows])
    new_seqs = {r["seq"] for r in new}
    changed = [r for r in rows if r["seq"] in new_seqs or (dups.get(r["id"]) or (None,))[0] != r["duplicate_of"]]
    changed_paragraphs = _paragraph_rows(changed)
    hashes = {h for h, _, _, _ in changed_paragraphs}
    paragraphs = [p for p in changed_paragraphs if p[1] in new_seqs]
    ids = {r["id"] for r in changed}
    member_ids = {r["id"] for r in rows}
    id_of = {r["seq"]: r["id"] for r in rows}
    occ: dict[int, list[tuple[str, tuple[int, int]]]] = {}
    for h, aid, start, stop, dup in store.passage_holders(hashes):  # the stored paragraphs (articles keyed before)
        if not (aid in dups if aid in member_ids else dup):  # duplicates are left out of shared passages
            occ.setdefault(h, []).append((aid, (start, stop)))
    for h, seq, start, stop in paragraphs:  # the new articles' own
        if id_of[seq] not in dups:
            occ.setdefault(h, []).append((id_of[seq], (start, stop)))
    passages = [(p.article_id, *p.span, p.other_article_id, *p.other_span)
                for o in occ.values() for p in dedupe.passages_of_hash(o)
                if p.article_id in ids or p.other_article_id in ids]
    store.save_keyed(sorted(new_seqs), key_rows, paragraphs, sorted(member_ids), dups, sorted(ids), passages)
    return len(new)


def use_duplicates(store: Store, dups: dict[str, tuple[str, str, float]],
                   passages: list[tuple[str, int, int, str, int, int]]) -> None:
    """Duplicates and shared passages a batch found over exactly the stored articles, stored as
    `link_duplicates` leaves its own: with each article's keys and paragraph hashes, so that the next
    build compares only what it adds."""
    rows = store.unkeyed()
    ids = [r["id"] for r in rows]
    store.save_keyed([r["seq"] for r in rows], _key_rows(rows), _paragraph_rows(rows), ids, dups, ids, passages)


def _key_rows(rows: list[Any]) -> list[tuple[int, int]]:
    """(key number, seq) of each article's duplicate keys; an empty text has none (it has no copies)."""
    return [(dedupe.key_number(k), r["seq"]) for r in rows if r["text"].strip()
            for k in dedupe.keys(r["text_hash"], r["minhash"])]


def _paragraph_rows(rows: list[Any]) -> list[tuple[int, int, int, int]]:
    """(hash number, seq, start, stop) of each article's paragraphs long enough to be shared passages."""
    return [(dedupe.key_number(digest.encode()), r["seq"], start, stop)
            for r in rows for digest, (start, stop) in dedupe.passage_hashes(r["text"])]


def link_entities(store: Store) -> None:
    """Canonical entities across the corpus from every article's mentions, and quote speakers linked to them,
    brought up to date for the articles annotated since (`nlp.canonical_state.update`: what `canonicalise`
    over every article gives, in work in proportion to what the new articles touch)."""
    from storyline.nlp.canonical_state import update

    update(store)


def save_entities(store: Store, entities: list[Entity]) -> None:
    """Canonical entities stored, with every quote's speaker linked to them; noted as computed over the
    inputs stored now (`Store.stage_done("entities")`: entities a batch found over exactly the stored
    articles are not computed again)."""
    from storyline.nlp.canonical import EntityIndex, link_quotes

    inputs = store.link_inputs()
    index = EntityIndex(entities)
    names = {e.id: (e.name, e.type) for e in entities}
    quotes = [q for aid, qs in store.all_annotations("quotes") for q in link_quotes(index, names, aid, qs)]
    store.set_entities([e.to_json() for e in entities], quotes)
    store.set_stage_done("entities", inputs)


def _pub_text(pub: dict) -> str | None:
    if pub.get("date"):
        return pub["date"]
    if pub.get("earliest") or pub.get("latest"):
        return f"{pub.get('earliest') or ''}…{pub.get('latest') or ''}"
    return None


def link_stories(store: Store) -> set[str]:
    """New annotated articles into stories (online: earlier assignments never change); then, for each story
    they touch and each story whose stored layers were not computed over its present articles (a run killed
    before this one, an older storyline, story ids a batch gave), its events merged across articles and its
    claims compared. The story ids and the layers are written in one transaction. Returns the story ids
    whose layers were written.

    After a link by this schema and storyline (`_linked_before`), the stories whose articles may have changed
    since are the ones the store noted stale (`Store.story_stale`) and those the new articles join: only
    theirs are read. Otherwise every article's story and every story's members key are compared."""
    from storyline.stories.claims import compare
    from storyline.stories.cluster import assign, assign_pending, term_counts
    from storyline.stories.events import corefer, main_events
    from storyline.stories.overview import site_key, site_suffixes
    from storyline.stories.stored import StoredStories, add_terms, new_epoch

    every_story = not _linked_before(store)
    store.set_sites((seq, site_key(outlet, url)) for seq, outlet, url in store.unsited())
    # new articles (and, on a first link here, those annotated before the terms were kept)
    fresh = store.unindexed_story_rows() if every_story else store.unplaced_story_rows()
    add_terms(store, {seq: term_counts(title, text) for seq, title, text in fresh})
    rows = store.story_states() if every_story else None
    pending = [r for r in rows if not r["story_id"]] if rows is not None else store.story_pending()
    if len(pending) * 2 > (len(rows) if rows is not None else store.story_statistics([])[0]):
        rows = rows if rows is not None else store.story_states()  # most articles are new (a first build): one
        every = _with_counts(store, rows)  # read of every article's counts, and the same placing in memory
        assignment, _ = assign(every)
        new_epoch(store, {r["seq"]: r["counts"] for r in every})  # the bounds the next builds place with
    else:
        assignment = assign_pending([(r["seq"], r) for r in _with_counts(store, pending)], StoredStories(store))
    touched = set(assignment.values())
    members: dict[str, list[dict]] = {}
    if rows is not None:
        for r in rows:
            sid = assignment.get(r["id"]) or r["story_id"]
            if sid:
                members.setdefault(sid, []).append(r)
        stored = store.story_members()
        checked = None
    else:
        checked = store.story_stale() | touched
        members = store.story_member_rows(checked)
        for r in pending:
            if r["id"] in assignment:
                members.setdefault(assignment[r["id"]], []).append(r)
        for arts in members.values():
            arts.sort(key=lambda r: r["seq"])
        stored = store.story_members_of(checked)
    touched |= {sid for sid, arts in members.items() if stored.get(sid) != _members_key(arts)}
    gone = set(stored) - set(members)  # stories whose articles are no longer stored (an older storyline deleted them)
    if not touched and not gone:
        if checked:
            store.set_stories({}, [], [], [], [], {}, checked)  # stale no longer: their layers stand
        return touched
    if rows is not None:
        meta = store.article_meta()
        suffixes = site_suffixes(meta.values())
    else:  # the articles of the stories written, and the titles of their sites (what `clean_title` compares)
        meta = store.article_meta(r["id"] for sid in touched for r in members.get(sid, []))
        suffixes = site_suffixes(store.site_titles({s for m in meta.values() if (s := site_key(m["outlet"], m["url"]))}))
    stories: list[Story] = []
    events: list[Event] = []
    claims: list[Claim] = []
    for sid in sorted(touched):
        if not members.get(sid):
            continue
        full = store.story_rows_of(r["id"] for r in members[sid])
        arts = [full[r["id"]] for r in members[sid]]
        originals = [r for r in arts if not r["duplicate_of"]] or arts
        aids = [r["id"] for r in originals]
        text_of = {r["id"]: r["text"] for r in originals}
        ent_at = store.entity_ids_at(aids)
        quotes_by_article: dict[str, list[dict]] = {}
        for q in store.quotes(article_ids=aids):
            quotes_by_article.setdefault(q["article_id"], []).append(q)
        mentions = []
        timeml = {aid: {t["span"][0]: t for t in ts} for aid, ts in store.all_annotations("timeml", aids)}
        for aid, evs in store.all_annotations("events", aids):
            text = text_of[aid]
            for m in _expanded(evs):
                m = _with_timeml(m, timeml.get(aid, {}))
                s0, s1 = m["span"]
                c0, c1 = m["clause"]
                parts = [dict(p, entity_id=ent_at.get((aid, p["span"][0]))) for p in m["participants"]]
                qids = [q["id"] for q in quotes_by_article.get(aid, []) if q["span"][0] < s1 and q["span"][1] > s0]
                mentions.append(dict(m, article_id=aid, text=text[s0:s1].strip(), summary=" ".join(text[c0:c1].split()),
                                     participants=parts, quote_ids=qids))
        ents = store.entities_of(aids)
        names = _names_by_article(ents, aids)
        mentions += _title_mentions(store, aids, names)
        _with_sentence_entities(mentions, names)
        evs = corefer(mentions, sid, text_of, {aid: meta[aid]["published"] for aid in aids})
        mains = main_events(evs)
        for ev in evs:
            ev.main_of = sorted((a for a, e in mains.items() if e == ev.id), key=aids.index)
        products = [e for e in ents if e["type"] == "PRODUCT"]
        canon = {alias: e["name"] for e in products for alias in [e["name"], *e.get("aliases", [])]}
        cms = []
        for aid, cs in store.all_annotations("claims", aids):
            for c in cs:
                s0, s1 = c["sentence"]
                cms.append(dict(c, article_id=aid, published=_pub_text(meta[aid]["published"]),
                                products=[canon.get(p, p) for p in c.get("products", [])],
                                sentence_text=" ".join(text_of[aid][s0:s1].split())))
        cls = compare(cms, evs, sid, products[0]["name"] if products else None, entities=ents)
        pubs = sorted(d for r in arts for p in [meta[r["id"]]["published"]]
                      for d in (p.get("date") or p.get("earliest"), p.get("date") or p.get("latest")) if d)
        stories.append(Story(
            id=sid, seq=min(meta[r["id"]]["seq"] for r in arts), title=_story_title(arts, meta, suffixes, evs, mains),
            first=pubs[0] if pubs else None, last=pubs[-1] if pubs else None,
            event_count=len(evs), claim_count=len(cls), main_events=mains,
        ))
        events += evs
        claims += cls
    store.set_stories(assignment, touched | gone, stories, events, claims,
                      {sid: _members_key(members[sid]) for sid in touched if sid in members}, checked)
    return touched


def _linked_before(store: Store) -> bool:
    """Whether a link by this schema and storyline finished on the database (so that every change to a story's
    articles since is noted in `Store.story_stale`)."""
    done = store.stage_done("link")
    return done is not None and done.split("|")[-2:] == store.link_inputs().split("|")[-2:]


def _with_counts(store: Store, pending: list[dict]) -> list[dict]:
    """The articles to place, in ingestion order, with their term counts, entities and publication."""
    if not pending:
        return []
    vecs = store.story_vectors(r["seq"] for r in pending)
    return [dict(r, counts=vecs[r["seq"]][0], entities=vecs[r["seq"]][1], published=vecs[r["seq"]][2])
            for r in pending]


_TIMEML_POS = {"VERB": "VERB", "NOUN": "NOUN", "ADJECTIVE": "ADJ"}


def _names_by_article(ents: list[dict], aids: list[str]) -> dict[str, dict[str, str]]:
    """Article → lower-cased name, alias or mention text → canonical entity id, for the entities (`ents`,
    with their mentions) each of `aids` mentions."""
    names: dict[str, dict[str, str]] = {}
    wanted = set(aids)
    for e in ents:
        for m in e.get("mentions") or []:
            if m.get("article_id") in wanted:
                known = names.setdefault(m["article_id"], {})
                for n in [e["name"], *e.get("aliases", []), m.get("text") or ""]:
                    if n:
                        known.setdefault(n.lower(), e["id"])
    return names


def _expanded(evs: list[dict]) -> list[dict]:
    """An article's (or title's) stored event mentions with their coreference features whole again
    (`stories.coref.expand_stored`: the annotation stores a sentence's part once)."""
    from storyline.stories.coref import expand_stored

    full = iter(expand_stored([m["coref"] for m in evs if m.get("coref")]))
    return [dict(m, coref=next(full)) if m.get("coref") else m for m in evs]


def _with_sentence_entities(mentions: list[dict], names: dict[str, dict[str, str]]) -> None:
    """Each mention the annotation stored coreference features for gets `sentence_entities`: the names of
    its sentence as canonical entity ids where the article's entities know them ("Ankara" and "Turkey" one),
    else as the lower-cased name."""
    for m in mentions:
        if m.get("coref"):
            known = names.get(m["article_id"], {})
            m["sentence_entities"] = sorted({known.get(n, "name:" + n) for n in m["coref"].get("ents") or ()})


def _title_mentions(store: Store, aids: list[str], names: dict[str, dict[str, str]]) -> list[dict]:
    """The event mentions of the articles' titles (`field` "title", spans into the title), their
    participants linked by name (`names`: `_names_by_article`) to the canonical entities the article's
    text mentions."""
    out = []
    for aid, layer in store.all_annotations("title", aids):
        title = layer.get("text") or ""
        at = {t["span"][0]: t for t in layer.get("timeml") or []}
        known = names.get(aid, {})
        for m in _expanded(layer.get("events") or []):
            m = _with_timeml(m, at)
            parts = [dict(p, entity_id=known.get((p.get("name") or "").lower()) or known.get(p["text"].lower()))
                     for p in m["participants"]]
            out.append(dict(m, article_id=aid, field="title", span=[0, len(title)], text=title.strip(),
                            summary=" ".join(title.split()), participants=parts, quote_ids=[]))
    return out


def _with_timeml(m: dict, at: dict[int, dict]) -> dict:
    """A news event mention with the TimeML reading of its trigger word (class, tense, aspect, polarity,
    modality; its part of speech on the trigger), where the TimeML layer found an event at that word."""
    t = at.get(m["trigger"]["span"][0])
    if t is None:
        return m
    trigger = dict(m["trigger"])
    if t.get("pos") in _TIMEML_POS:
        trigger["pos"] = _TIMEML_POS[t["pos"]]
    return dict(m, trigger=trigger, timeml={k: t.get(k) for k in ("class", "tense", "aspect", "polarity", "modality")})


def _members_key(arts: list[dict]) -> str:
    """What a story's layers were computed over: its articles, and which of them are originals (the
    layers read the originals only, and a later, earlier-dated copy can turn an original into a duplicate)."""
    return stable_id("m", *sorted(f"{r['id']}{'' if r['duplicate_of'] else '*'}" for r in arts))


def _story_title(arts: list[dict], meta: dict[str, dict] | None = None, suffixes: Counter | None = None,
                 evs: list[Event] | None = None, mains: dict[str, str] | None = None) -> str:
    """The headline of the story's most central article (the one sharing the most entities with the others)
    without its site suffix, else the summary of its key event (the main event of most articles)."""
    from storyline.stories.overview import story_title

    key = None
    if evs:
        main_of = Counter((mains or {}).values())
        key = max(evs, key=lambda e: (main_of.get(e.id, 0), len(e.sources)))
    return story_title(arts, meta, suffixes, key)
