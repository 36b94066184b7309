"""The `storyline` commands: parse arguments, call the pipeline or the store, print."""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from storyline import pipeline, settings
from storyline.ingest import iter_files
from storyline.nlp.event_mentions import TYPES as EVENT_TYPES
from storyline.nlp.names import NAMED_TYPES
from storyline.nlp.quotes import QUOTE_KINDS
from storyline.nlp.timeml import CLASSES as TIMEML_CLASSES
from storyline.store import QueryError, Store, StoreError, display_name, fulltext, write_error
from storyline.store.connection import is_url
from storyline.textsafe import inert, inert_json

ENTITY_TYPES = tuple(sorted(NAMED_TYPES))  # the entity types `entities --type` takes

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Turn a pile of news articles into sourced story dossiers.")
# emoji codes off: a title holding ":fire:" is printed as written
out = Console(emoji=False)
err = Console(stderr=True, soft_wrap=True, emoji=False)  # one message, one line: never wrapped

DB_OPTION = typer.Option("storyline.db", "--db", help="SQLite database file, or a postgresql://user@host/db URL.")


def _t(value: object) -> str:
    """Stored or input-derived text (titles, file names, article text) for a rich print: inert for the
    terminal (no control character, escape sequence or bidi control), markup escaped."""
    return escape(inert(value))


def _print_json(text: str) -> None:
    """One JSON document or line to stdout, the characters a terminal obeys written as \\u escapes."""
    print(inert_json(text))


def _languages(counts: dict[str, int]) -> str:
    """'3: de 2, ms 1' — articles not in English by language (not annotated: the layers are English ones)."""
    if not counts:
        return "0"
    return f"{sum(counts.values())}: " + ", ".join(
        f"{lang} {n}" for lang, n in sorted(counts.items(), key=lambda x: (-x[1], x[0])))


def _documents_row(report: pipeline.BuildReport | Any) -> str:
    """What a build or load did with documents: '3 new (1 a new version of a stored source, kept beside it), 2 already stored'."""
    versions = f" ({report.new_versions} a new version of a stored source, kept beside it)" if report.new_versions else ""
    return f"{report.added_documents} new{versions}, {report.skipped} already stored"


def _fail(message: str, code: int = 1) -> None:
    """`error: message` on one line of stderr, and exit `code` (1; 2 for input the command cannot read)."""
    err.print(f"[red]error:[/red] {_t(message)}")
    raise typer.Exit(code)


def _bar(*columns: object) -> Progress:
    """A progress bar on stderr that goes away when done (and stays off when stderr is not a terminal)."""
    return Progress(SpinnerColumn(), TextColumn("{task.description}"), *(columns or (BarColumn(), MofNCompleteColumn())),
                    TimeElapsedColumn(), console=err, transient=True, disable=not err.is_terminal)


def _open(db: str, must_exist: bool = True) -> Store:
    try:
        if must_exist and not Store.exists(db):
            name = display_name(db)
            _fail(f"{name}: no such database; build one first with: storyline build PATH --db {name}")
        return Store(db)
    except StoreError as e:
        _fail(str(e))
    raise AssertionError  # unreachable


def _remove_new_database(db: str) -> None:
    """Remove the SQLite database file this command made and left empty (with its journal and lock files)."""
    for suffix in ("", "-wal", "-shm", "-journal", "-link.lock"):
        Path(db + suffix).unlink(missing_ok=True)


@contextmanager
def _writing(db: str) -> Iterator[None]:
    """Around a command's writes: a full disk, a read-only database or an I/O error is one line naming
    the database and exit 1; the failed transaction was rolled back, what was stored before it stays."""
    from storyline.nlp.lexicon import LexiconError

    try:
        yield
    except (StoreError, LexiconError) as e:
        _fail(str(e))
    except Exception as e:
        refused = write_error(e, display_name(db))
        if refused is None:
            raise
        _fail(str(refused))


@app.command()
def build(
    paths: list[Path] = typer.Argument(..., help="Files or folders: .txt, .html(.gz), .warc(.gz), .jsonl, RSS/Atom."),
    db: str = DB_OPTION,
    max_mb: float = typer.Option(pipeline.DEFAULT_MAX_MB, "--max-mb", help="Refuse files larger than this (MB)."),
) -> None:
    """Ingest files and run every stage; re-running on the same input changes nothing."""
    missing = [p for p in paths if not p.exists() and not p.is_symlink()]
    if missing:  # a typo: no database is made
        more = f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""
        _fail(f"{missing[0]}: no such file or folder{more}; nothing was built")
    total = sum(1 for _ in iter_files(paths))
    if not total:
        _fail(f"{', '.join(map(str, paths))}: no file to read in {'it' if len(paths) == 1 else 'them'}; nothing was built")
    new_db = not is_url(db) and not Path(db).exists()  # a file this command makes (a server's database stays)
    store = _open(db, must_exist=False)
    with _writing(db), _bar() as bar:
        task = bar.add_task("reading", total=total or None)
        last_file = [""]

        def progress(kind: str, item: object) -> None:
            if kind == "problem":
                err.print(f"[yellow]skipped[/yellow] {_t(item)}")
            elif kind == "annotate":
                bar.update(task, description="annotating (spaCy)", total=item, completed=0)
                return
            elif kind == "annotated":
                bar.advance(task, item)
                return
            elif kind == "cross-article":
                bar.update(task, description="duplicates, shared passages, entities")
            elif kind == "waiting":
                err.print(f"[yellow]waiting[/yellow] {_t(item)}")
                return
            source = getattr(item, "source", "").split("#")[0]
            if source and source != last_file[0]:
                last_file[0] = source
                bar.advance(task)

        report = pipeline.build(paths, store, max_mb=max_mb, progress=progress)
        counts = store.counts()
    if not report.added_documents and not report.skipped:  # every file a problem: the build could not do its job
        store.close()
        if new_db:
            _remove_new_database(db)
        _fail(f"nothing readable in {', '.join(map(str, paths))} ({len(report.problems)} problems above); "
              + ("no database was made" if new_db else "what the database held is unchanged"))
    table = Table(title=f"storyline build → {_t(db)}")
    table.add_column("", style="bold")
    table.add_column("this run", justify="right")
    table.add_column("in database", justify="right")
    table.add_row("documents", _documents_row(report), str(counts["documents"]))
    table.add_row("articles", str(report.added_articles), str(counts["articles"]))
    table.add_row("duplicates", "", str(counts["duplicates"]))
    table.add_row("shared passages", "", str(counts["shared passages"]))
    table.add_row("furniture removed", "", str(counts["removed pieces"]))
    table.add_row("articles annotated", str(report.annotated), str(counts["annotated"]))
    other = store.not_annotated_languages()
    if other or report.not_english:
        table.add_row("not in English, not annotated", _languages(report.not_english), _languages(other))
    table.add_row("time expressions", "", str(counts["time expressions"]))
    table.add_row("entities", "", str(counts["entities"]))
    table.add_row("quotes", "", str(counts["quotes"]))
    table.add_row("inputs skipped", str(len(report.problems)), str(counts["problems"]))
    out.print(table)
    store.close()


@app.command()
def batch(
    paths: list[Path] = typer.Argument(..., help="Files or folders: .warc(.gz) and .jsonl are streamed record by record."),
    out_dir: Path = typer.Option(..., "--out", help="Output folder: Parquet partitions (part=NNNNNN/) and _crossdoc/."),
    engine: str = typer.Option("dask", "--engine", help="local (this process), dask or ray."),
    address: Optional[str] = typer.Option(None, "--address", help="A running cluster's scheduler (tcp://host:8786, ray://…); "
                                          "default: start a local one."),
    workers: int = typer.Option(2, "--workers", help="Worker processes of a local cluster (one core each)."),
    partition_size: int = typer.Option(32, "--partition-size", help="Units (files, lines, WARC records) per partition."),
    max_mb: float = typer.Option(pipeline.DEFAULT_MAX_MB, "--max-mb", help="Refuse files and records larger than this (MB)."),
    annotate: bool = typer.Option(True, "--annotate/--no-annotate", help="Run the annotation stage (spaCy) on the workers."),
) -> None:
    """Run the per-article stages on a distributed engine and write Parquet; re-running skips finished partitions."""
    from storyline.batch.engines import EngineError, open_engine
    from storyline.batch.run import BatchError, run_batch

    if partition_size < 1 or workers < 1:
        _fail("--partition-size and --workers must be at least 1")
    try:
        eng = open_engine(engine, workers, address)
    except EngineError as e:
        _fail(str(e))
    with eng, _bar(MofNCompleteColumn(), TextColumn("articles: {task.fields[n]}")) as bar:
        task = bar.add_task(f"partitions on {eng.name} ({eng.workers} workers)", total=None, n=0)
        articles_done = [0]

        def progress(kind: str, item: object) -> None:
            if kind == "partition":
                articles_done[0] += item["articles"]
                bar.update(task, advance=1, n=articles_done[0])
            elif kind == "skipped":
                bar.update(task, advance=1)
            elif kind == "cross-article":
                bar.update(task, description="duplicates and shared passages (shuffles)")

        try:
            report = run_batch(paths, out_dir, eng, int(max_mb * 1024 * 1024), units=partition_size,
                               annotate=annotate, progress=progress)
        except BatchError as e:
            _fail(str(e))
    for p in report.problems:
        err.print(f"[yellow]skipped[/yellow] {_t(p)}")
    table = Table(title=f"storyline batch → {_t(out_dir)}")
    table.add_column("", style="bold")
    table.add_column("this run", justify="right")
    table.add_row("engine", f"{eng.name}, {eng.workers} workers")
    table.add_row("partitions", f"{report.partitions - report.skipped} run, {report.skipped} already done")
    table.add_row("documents", str(report.documents))
    table.add_row("articles", str(report.articles))
    table.add_row("duplicates (whole batch)", str(report.duplicates))
    table.add_row("shared passages (whole batch)", str(report.shared_passages))
    table.add_row("inputs skipped", str(len(report.problems)))
    out.print(table)
    out.print(f"next: storyline load {_t(out_dir)} --db DB")


@app.command()
def load(
    batch_dir: Path = typer.Argument(..., help="The --out folder of a finished `storyline batch`."),
    db: str = DB_OPTION,
) -> None:
    """Bring a batch's Parquet output into a database and run the cross-article stages; loading twice changes nothing."""
    from storyline.batch.load import LoadError, load as load_batch

    store = _open(db, must_exist=False)
    with _writing(db), _bar() as bar:
        task = bar.add_task("loading partitions", total=None)

        def progress(kind: str, item: object) -> None:
            if kind == "load":
                bar.update(task, total=item)
            elif kind == "partition":
                bar.advance(task)
            elif kind == "annotate":
                bar.update(task, description="annotating (spaCy)", total=item, completed=0)
            elif kind == "annotated":
                bar.advance(task, item)
            elif kind == "cross-article":
                bar.update(task, description="duplicates, entities, stories")
            elif kind in ("waiting", "problem"):
                err.print(f"[yellow]{'waiting' if kind == 'waiting' else 'skipped'}[/yellow] {_t(item)}")

        try:
            report = load_batch(batch_dir, store, progress)
        except LoadError as e:
            _fail(str(e))
        counts = store.counts()
    table = Table(title=f"storyline load {_t(batch_dir)} → {_t(db)}")
    table.add_column("", style="bold")
    table.add_column("this run", justify="right")
    table.add_column("in database", justify="right")
    table.add_row("documents", _documents_row(report), str(counts["documents"]))
    table.add_row("articles", str(report.added_articles), str(counts["articles"]))
    table.add_row("duplicates", "from the batch" if report.reused_crossdoc else "recomputed", str(counts["duplicates"]))
    other = store.not_annotated_languages()
    if other:
        table.add_row("not in English, not annotated", "", _languages(other))
    table.add_row("entities", "", str(counts["entities"]))
    table.add_row("stories", "", str(counts["stories"]))
    out.print(table)
    store.close()


def _when(p) -> str:
    """A publication date in words, or its bounds where only those are known: 'on or after 12 July 2019'."""
    from storyline.datewords import published_in_words

    return published_in_words(p)


@app.command()
def articles(db: str = DB_OPTION, json_out: bool = typer.Option(False, "--json", help="Print JSON lines.")) -> None:
    """List the articles in the database."""
    store = _open(db)
    rows = list(store.articles())
    if json_out:
        for i, a in enumerate(rows, 1):
            _print_json(json.dumps({"n": i, "id": a.id, "title": a.title, "published": a.published.date,
                              "published_earliest": a.published.earliest, "published_latest": a.published.latest,
                              "duplicate_of": a.duplicate_of, "words": len(a.text.split())}))
        return
    number = {a.id: i for i, a in enumerate(rows, 1)}
    out.print(f"[bold]{len(rows)} articles in {_t(db)}[/bold]")
    out.print(f"[dim]{'#':>3}  {'id':<10}  {'published':<24}  {'words':>5}  {'cut':>3}  title[/dim]")
    room = max(20, out.width - 56)
    for i, a in enumerate(rows, 1):
        title = a.title or "—"
        if a.duplicate_of:
            title = f"(duplicate of #{number.get(a.duplicate_of, '?')}) {title}"
        out.print(f"{i:>3}  {_t(a.id[:10])}  {_t(_when(a.published)):<24}  {len(a.text.split()):>5}  "
                  f"{len(a.removed):>3}  {_safe(title, room)}", highlight=False)


@app.command()
def show(
    article: str = typer.Argument(..., help="Article id, id prefix, or number from `storyline articles`."),
    db: str = DB_OPTION,
    removed: bool = typer.Option(False, "--removed", help="Also list what was removed and why."),
    quotes: bool = typer.Option(False, "--quotes", help="Also list the article's quotes and their speakers."),
    plain: bool = typer.Option(False, "--plain", help="The text alone, time expressions not marked."),
) -> None:
    """Print an article's clean text, its time expressions marked ⟨like this|2017-09-12⟩."""
    store = _open(db)
    a = store.article(article)
    if a is None:
        _fail(f"no article {article!r} in {db}; list them with: storyline articles --db {db}")
        return
    doc = store.document(a.document_id)
    out.print(f"[bold]{_safe(a.title or '(no title)')}[/bold]", highlight=False)
    meta = [f"id {a.id}", f"from {doc.source if doc else a.document_id} {list(a.source_span)}"]
    if a.published.date or a.published.earliest or a.published.latest:
        meta.append(f"published {_when(a.published)} ({a.published.evidence or ''})")
    if a.authors:
        meta.append("by " + ", ".join(a.authors))
    if a.syndicated_from:
        meta.append("via " + ", ".join(a.syndicated_from))
    if a.duplicate_of:
        meta.append(f"{a.duplicate_kind} duplicate of {a.duplicate_of}")
    layers = store.annotations(a.id) or {}
    if layers.get("anchor"):
        meta.append(f"times read against {layers['anchor']}")
    out.print("[dim]" + _safe(" · ".join(meta)) + "[/dim]\n", soft_wrap=True, highlight=False)
    out.print(_t(a.text) if plain else _marked(a.text, layers.get("timexes", [])), highlight=False)
    if quotes:
        qt = Table(title="quotes")
        for col in ("kind", "speaker", "via", "span", "text"):
            qt.add_column(col)
        for q in store.quotes(article_ids=[a.id]):
            sp = q.get("speaker") or {}
            qt.add_row(_t(q["kind"]), _t(sp.get("name") or "—"), _t(", ".join(q.get("via") or [])),
                       f"{q['span'][0]}–{q['span'][1]}", _t(_clip(q["text"], 100)))
        out.print()
        out.print(qt)
    if removed:
        table = Table(title="removed")
        table.add_column("reason")
        table.add_column("span")
        table.add_column("text")
        for r in a.removed:
            table.add_row(_t(r.reason), f"{r.span[0]}–{r.span[1]}", _t(_clip(r.text, 120)))
        out.print()
        out.print(table)


def _clip(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _marked(text: str, timexes: list[dict]) -> str:
    """Rich markup of `text` (escaped) with each time expression marked ⟨text|value⟩."""
    parts, pos = [], 0
    for t in sorted(timexes, key=lambda t: t["span"][0]):
        s, e = t["span"]
        if s < pos:
            continue
        parts.append(_t(text[pos:s]))
        parts.append(f"[cyan]⟨{_t(text[s:e])}[/cyan][dim]|{_t(t['value'])}⟩[/dim]")
        pos = e
    parts.append(_t(text[pos:]))
    return "".join(parts)


@app.command()
def quotes(
    db: str = DB_OPTION,
    speaker: Optional[str] = typer.Option(None, "--speaker", help="Only quotes of this speaker (name, alias or entity id)."),
    story: Optional[str] = typer.Option(None, "--story", help="Only quotes from this story's articles (id or part of its title)."),
    kind: Optional[str] = typer.Option(None, "--kind", help=f"Only this kind: {', '.join(QUOTE_KINDS)}."),
    outlet: Optional[str] = typer.Option(None, "--outlet", help="Only quotes from this outlet's articles."),
    date_from: Optional[str] = typer.Option(None, "--from", help="Only from articles published from (YYYY[-MM[-DD]])."),
    date_to: Optional[str] = typer.Option(None, "--to", help="Only from articles published up to (YYYY[-MM[-DD]])."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON lines (the dossier's quote shape)."),
) -> None:
    """Who said what: quotes and reported speech, with their speakers and reporting chains (the filters of
    /quotes and /api/quotes)."""
    from storyline.store.clauses import date_bound

    _check_choice("--kind", kind, QUOTE_KINDS)
    try:
        date_bound(date_from), date_bound(date_to)
    except ValueError as e:
        _fail(f"--from/--to: {e}")
        return
    store = _open(db)
    story_id = None
    if story:
        st, _ = _story_of(store, story, db)
        story_id = st["id"] if st else None
    rows = store.quotes_page(-1, 0, speaker, None, kind, story_id, outlet, date_from, date_to)[1]
    if json_out:
        for q in rows:
            _print_json(json.dumps(q, ensure_ascii=False))
        return
    for q in rows:
        sp = q.get("speaker") or {}
        who = sp.get("name") or "(no speaker found)"
        via = f" [dim]via {_t(', '.join(q['via']))}[/dim]" if q.get("via") else ""
        mark = "“”" if q["kind"] != "indirect" else "  "
        fixed = " [yellow](corrected)[/yellow]" if q.get("corrected") else ""
        out.print(f"[bold]{_t(who)}[/bold]{via}{fixed} [dim]{_t(q['kind'])} · {_t(q['article_id'][:10])} "
                  f"{q['span'][0]}–{q['span'][1]}[/dim]\n  {mark[0]}{_t(q['text'])}{mark[1]}", highlight=False)
    if not rows:
        err.print(_t("no quotes" + (f" by {speaker!r}" if speaker else "")))


@app.command()
def entities(
    db: str = DB_OPTION,
    type: Optional[str] = typer.Option(None, "--type", help=f"Only this type: {', '.join(ENTITY_TYPES)}."),
    name: Optional[str] = typer.Option(None, "--name", help="Only entities with this name or alias."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON lines (the dossier's entity shape)."),
) -> None:
    """The people, organisations, places and things, with their name variants merged."""
    type = type.upper() if type else None
    _check_choice("--type", type, ENTITY_TYPES)
    store = _open(db)
    rows = store.entities(type=type, name=name)
    if json_out:
        for e in rows:
            _print_json(json.dumps(e, ensure_ascii=False))
        return
    table = Table(title=f"{len(rows)} entities")
    for col in ("type", "name", "mentions", "aliases", "roles"):
        table.add_column(col)
    for e in rows:
        table.add_row(_t(e["type"]), _t(e["name"]) + (" (corrected)" if e.get("corrected") else ""), str(len(e["mentions"])),
                      _t(_clip(", ".join(e.get("aliases", [])), 60)), _t(_clip(", ".join(e.get("roles", [])), 40)))
    out.print(table)


@app.command()
def entity(
    name: str = typer.Argument(..., help="An entity id, or a name or alias (the most mentioned entity so named)."),
    db: str = DB_OPTION,
    top: int = typer.Option(10, "--top", min=1, max=1000, help="How many of each list to show."),
    json_out: bool = typer.Option(False, "--json", help="Print the profile as JSON (as /api/entities/{id}/profile)."),
) -> None:
    """One entity: how the articles name it, its quotes and the quotes naming it, its events by date, who appears
    with it (by articles shared) and its articles by date and outlet."""
    from storyline.export import views
    from storyline.web.queries import entity_profile

    store = _open(db)
    p = entity_profile(store, name, top=top, per=top)  # an id; else a name below
    others: list[dict] = []
    if p is None:
        named = store.entities(name=name)
        if not named:
            _fail(f"no entity named {name!r} in {display_name(db)}; storyline entities --name lists the near ones")
            return
        others = named[1:]
        p = entity_profile(store, named[0]["id"], top=top, per=top)
        assert p is not None
    if json_out:
        _print_json(json.dumps(p, ensure_ascii=False, indent=1))
        return
    e = p["entity"]
    fixed = " [yellow](corrected)[/yellow]" if e.get("corrected") else ""
    out.print(f"[bold]{_safe(e['name'])}[/bold]{fixed}  {_t(e.get('type') or '')}  [dim]{_t(e['id'])}[/dim]", highlight=False)
    if others:
        err.print(_safe(f"{len(others)} more named so: " + ", ".join(f"{o['name']} ({o['id']})" for o in others[:5])))
    out.print(_safe(f"{views.plural(p['mention_count'], 'mention')} in {views.plural(p['article_count'], 'article')}"
                    + (f"; roles: {', '.join(e.get('roles') or [])}" if e.get("roles") else "")), highlight=False)
    out.print(_safe("written as: " + "; ".join(f"{f['text']} ({f['n']})" for f in p["forms"][:top])), highlight=False)
    if p["outlets"]:
        out.print(_safe("outlets: " + ", ".join(f"{o} ({n})" for o, n in p["outlets"][:top])), highlight=False)
    if p["with"]:
        out.print(_safe("appears with: " + ", ".join(f"{w['name']} ({w['articles']})" for w in p["with"])),
                  highlight=False)
    for key, head in (("quotes_by", "quotes by"), ("quotes_naming", "quotes naming")):
        if p[key]:
            out.print(f"\n[bold]{head} {_safe(e['name'])}[/bold] ({p[key + '_total']})", highlight=False)
            for q in p[key]:
                who = "" if key == "quotes_by" else f"{(q.get('speaker') or {}).get('name') or 'speaker not identified'}: "
                out.print(_safe(f"  {who}“{views.one_line(q.get('text'), 160)}” — {q['article_id']}:"
                                f"{q['span'][0]}-{q['span'][1]}"), highlight=False)
    if p["events"]:
        out.print(f"\n[bold]events[/bold] ({p['events_total']})", highlight=False)
        for ev in p["events"]:
            out.print(_safe(f"  {views.format_date(ev.get('date'), ev.get('precision')) or 'undated'} · "
                            f"{views.one_line(ev.get('summary'), 140)} ({views.plural(len(ev.get('sources') or []), 'source')})"),
                      highlight=False)
    if p["articles"]:
        out.print(f"\n[bold]articles[/bold] ({p['article_count']}, by date)", highlight=False)
        for a in p["articles"]:
            pub = a.get("published") or {}
            when = views.format_date(pub.get("date") or pub.get("earliest") or pub.get("latest")) or "date not known"
            out.print(_safe(f"  {when} · {a.get('outlet') or 'outlet not known'} · {a.get('title') or a['id']}"
                            f" [{a['id']}]"), highlight=False)


@app.command()
def search(
    query: str = typer.Argument(..., help=f"What to find: {fulltext.SYNTAX}."),
    db: str = DB_OPTION,
    limit: int = typer.Option(20, "--limit", min=1, help="At most this many hits, best first."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON lines (the hits of /api/search)."),
) -> None:
    """Full-text search over article titles and text, in the grammar the API and the pages take: each hit's
    title, date, outlet, story and the words found (a query starting with "-" goes after --)."""
    try:
        fulltext.parse(query)  # a bad query is a usage error, whatever the database
    except QueryError as e:
        _fail(f"search {query!r}: {e}", code=2)
    store = _open(db)
    try:
        total, hits = store.search(query, limit)
    except QueryError as e:  # the backend refused what the grammar took
        _fail(str(e), code=2)
        return
    if json_out:
        for h in hits:
            _print_json(json.dumps({"article_id": h["id"], **{k: v for k, v in h.items() if k != "id"}},
                                   ensure_ascii=False))
        return
    if not hits:
        err.print("no matches")
        return
    out.print(f"[bold]{_safe(f'{total} hits for {query!r}' if total != 1 else f'1 hit for {query!r}')}[/bold]"
              + (f" [dim](the best {len(hits)}; --limit shows more)[/dim]" if len(hits) < total else ""), highlight=False)
    for h in hits:
        story = h["story"]
        meta = [_when(h["published"]) or "date not known", h["outlet"] or "outlet not known",
                f"story: {_clip(story['title'] or story['id'], 60)} ({story['id']})" if story else "no story"]
        out.print(f"[bold]{_safe(h['title'] or '(no title)', 120)}[/bold]  [dim]{_safe(h['id'])}[/dim]\n"
                  f"  [dim]{_safe(' · '.join(meta))}[/dim]\n  {_highlighted(h['snippet'], h['highlights'])}",
                  highlight=False, soft_wrap=True)


def _highlighted(snippet: str, highlights: list[list[int]]) -> str:
    """A search hit's snippet as rich markup on one line, its highlighted runs bold: made inert and one line
    whole, then each piece escaped on its own (so no backslash of the text can undo a tag)."""
    from storyline.export.views import one_line

    on, off = "\ue000", "\ue001"  # private-use marks, which one_line and inert leave alone
    marked, pos = "", 0
    for start, end in highlights:
        marked += snippet[pos:start] + on + snippet[start:end] + off
        pos = end
    marked += snippet[pos:]
    pieces = re.split(f"([{on}{off}])", one_line(inert(marked)))
    return "".join("[bold]" if p == on else "[/bold]" if p == off else escape(p) for p in pieces)


def _check_format(format: str, allowed: tuple[str, ...]) -> None:
    if format not in allowed:
        _fail(f"--format {format!r} is not one of: {', '.join(allowed)}")


def _write(text: str, output: Optional[Path], what: str, is_json: bool = False) -> None:
    """`text` to stdout ('-' or no output), made inert for a terminal (JSON by its own \\u escapes, so the
    value is unchanged), else atomically to the file as it is, saying what was written."""
    if output is None or str(output) == "-":
        text = inert_json(text) if is_json else inert(text)
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_suffix(output.suffix + ".tmp")
    tmp.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
    tmp.replace(output)
    err.print(f"wrote {_t(str(output))} ({what})")


@app.command()
def export(
    db: str = DB_OPTION,
    format: str = typer.Option(
        "json", "--format", help="json (the dossier format), md (Markdown to read), html (one self-contained page), "
        "csv (a folder of tables: articles, entities, entity_mentions, quotes, events, event_mentions, claims) "
        "or gexf (the entity graph for Gephi: two entities linked by the articles naming both)."),
    story: Optional[str] = typer.Option(
        None, "--story", help="Only this story (id or part of its title): its articles, the entities they name,"
        " their quotes, the story's events and claims."),
    output: Optional[Path] = typer.Option(None, "--output", "-o",
                                          help="File to write ('-' or none: stdout); for csv, a folder (required)."),
) -> None:
    """Write the whole dossier of a database, or one story of it as a document to read, as tables or as a graph."""
    from storyline.export.json import dossier
    from storyline.export.views import StoryNotFound

    _check_format(format, ("json", "md", "html", "csv", "gexf"))
    if format == "csv" and (output is None or str(output) == "-"):
        _fail("--format csv writes one file a table: give a folder with --output DIR")
    if format == "csv" and output is not None and output.exists() and not output.is_dir():
        _fail(f"{output}: not a folder; --format csv writes one file a table into a folder")
    store = _open(db)
    data = dossier(store)
    from storyline.export.html import render_html
    from storyline.export.markdown import render_markdown
    from storyline.export.tables import render_gexf, scope, write_csv

    try:
        if format == "json":
            part = scope(data, story)
            _write(json.dumps(part, ensure_ascii=False, indent=1), output,
                   f"{len(part['articles'])} articles, {len(part['documents'])} documents", is_json=True)
            return
        if format in ("csv", "gexf"):
            part = scope(data, story)
            if format == "csv":
                assert output is not None
                counts = write_csv(part, output)
                err.print(_safe(f"wrote {len(counts)} tables to {output}: "
                                + ", ".join(f"{k} {n:,}" for k, n in counts.items())))
                return
            text = render_gexf(part)
            _write(text, output, f"gexf: {len(part.get('entities') or [])} entities")
            return
        text = (render_markdown if format == "md" else render_html)(data, story)
    except StoryNotFound as e:
        _fail(f"{db}: {e}")
        return
    n = 1 if story else len(data.get("stories") or [])
    _write(text, output,
           f"{format}: " + ("1 story" if n == 1 else f"{n} stories" if n else "all articles, no stories yet"))


STORY_HELP = "Story id or part of its title (any case); all stories if left out."


def _story_scope(db: str, ref: Optional[str]) -> tuple[Store, Optional[dict], list[dict], Optional[str]]:
    """The store, the story STORY names (None when not given), all the stories, and its id."""
    store = _open(db)
    st, stories = _story_of(store, ref, db)
    return store, st, stories, (st.get("id") if st else None)


def _titles(store: Store, ids: list[str]) -> dict[str, dict]:
    """id → {id, title, outlet, published} of the given articles."""
    return {aid: {"id": aid, **rec} for aid, rec in store.article_titles(list(ids)).items()}


def _check_choice(option: str, value: Optional[str], allowed: tuple[str, ...]) -> None:
    """A one-line error naming the known values when `value` is not one of them (None: not given)."""
    if value is not None and value not in allowed:
        _fail(f"{option} {value!r} is not one of: {', '.join(allowed)}")


def _story_of(store: Store, ref: Optional[str], db: str) -> tuple[Optional[dict], list[dict]]:
    """The story STORY names (None when not given) and all the stories; one-line error when it names none."""
    from storyline.export.views import StoryNotFound, find_story

    stories = store.stories()
    if ref is None:
        return None, stories
    try:
        return find_story(stories, ref), stories
    except StoryNotFound as e:
        _fail(f"{db}: {e}")
        raise AssertionError  # unreachable


def _safe(value: object, n: Optional[int] = None) -> str:
    """Hostile text for the terminal on one line: as `_t`, whitespace runs one space, clipped to `n`."""
    from storyline.export.views import one_line

    return escape(one_line(inert(value), n))


def _by_story(rows: list[dict], stories: list[dict]) -> list[tuple[Optional[str], list[dict]]]:
    """Rows grouped by story, the stories in their own order (rows of no known story last), each group's
    rows in the order given."""
    groups: dict[Optional[str], list[dict]] = {s.get("id"): [] for s in stories}
    for r in rows:
        groups.setdefault(r.get("story_id"), []).append(r)
    return [(sid, rs) for sid, rs in groups.items() if rs]


@app.command()
def timeline(
    story: Optional[str] = typer.Argument(None, metavar="STORY", help=STORY_HELP),
    entity: Optional[str] = typer.Option(
        None, "--entity", help="Only events with a participant of this name or alias (any case)."),
    format: str = typer.Option("text", "--format", help='text, json ({"events": [...]}, the dossier shape) or md.'),
    every_event: bool = typer.Option(False, "--all", help="Every event, not only the key events (text and md)."),
    type: Optional[str] = typer.Option(None, "--type", help=f"Only events of this news type: {', '.join(EVENT_TYPES)}."),
    dated: bool = typer.Option(False, "--dated", help="Only dated events."),
    min_sources: int = typer.Option(0, "--min-sources", min=0, help="Only events told by at least this many articles."),
    start: Optional[str] = typer.Option(None, "--from", help="Only events inside this date or later (YYYY[-MM[-DD]])."),
    end: Optional[str] = typer.Option(None, "--to", help="Only events inside this date or earlier (YYYY[-MM[-DD]])."),
    db: str = DB_OPTION,
) -> None:
    """A story's key events in date order (--all: every event, with filters), at the precision the sources give, with their sources and quotes."""
    from storyline.export import views
    from storyline.export.markdown import timeline_markdown
    from storyline.stories.digest import key_events

    _check_format(format, ("text", "json", "md"))
    _check_choice("--type", type, EVENT_TYPES)
    store, st, stories, sid = _story_scope(db, story)
    every = store.events(story_id=sid)
    events = views.timeline(every, store.entities() if entity else [], story_id=sid, entity=entity)
    try:
        events = views.filter_events(events, type, dated, min_sources, start, end)
    except ValueError as e:
        _fail(f"--from/--to: {e}")
    info = _titles(store, list({a for e in events for a in views.event_sources(e)}))
    key = key_events(events, outlets={a: (r or {}).get("outlet") for a, r in info.items()},
                     published={a: (r or {}).get("published") for a, r in info.items()})
    if format == "json":  # every event, the key ones marked
        _print_json(json.dumps({"events": [dict(e, key=e.get("id") in key) for e in events]},
                               ensure_ascii=False, indent=1))
        return
    # a key event reads as the whole sentence its story's digest tells it with, not its clause
    shown = [dict(e, summary=key[e["id"]]) if e.get("id") in key else e
             for e in events if every_event or e.get("id") in key]
    if not events:
        where = f" in story {sid}" if sid else ""
        err.print(_safe(f"no events yet{where}: the stories layer has not produced any" if not every else
                        f"no events{where} match" if entity is None else
                        f"no events{where} with a participant matching {entity!r}"))
    elif not every_event:
        err.print(_safe(f"{len(shown)} key events of {len(events)}; --all lists every one (with --type, --dated, "
                        "--min-sources, --from, --to)"))
    events = shown
    articles = _titles(store, list(dict.fromkeys(a for e in events for a in views.event_sources(e))))
    wanted = {q for e in events for q in e.get("quote_ids") or []}
    quotes = {q["id"]: q for q in store.quotes() if q.get("id") in wanted} if wanted else {}
    titles = {s.get("id"): s.get("title") or s.get("id") for s in stories}
    groups = [(sid, events)] if sid else _by_story(events, stories)
    if format == "md":
        title = (st.get("title") or sid) if st else "Timeline"
        sys.stdout.write(inert(timeline_markdown(
            [(titles.get(g) or g or "(no story)" if not sid else None, evs) for g, evs in groups] or [(None, [])],
            articles, list(quotes.values()), f"{title} — {entity}" if entity else title)))
        return
    if sid and events:
        out.print(f"[bold]{_safe(st.get('title') or sid)}[/bold] "
                  f"[dim]{_safe(sid)} · {views.plural(len(events), 'event')}[/dim]", highlight=False, soft_wrap=True)
    for g, evs in groups:
        if not sid:
            out.print(f"\n[bold]{_safe(titles.get(g) or g or '(no story)')}[/bold]", highlight=False, soft_wrap=True)
        for e in evs:
            _print_event(e, articles, quotes)




@app.command()
def events(
    story: Optional[str] = typer.Argument(None, metavar="STORY", help=STORY_HELP),
    type: Optional[str] = typer.Option(None, "--type", help=f"Only events of this news type: {', '.join(EVENT_TYPES)}."),
    event_class: Optional[str] = typer.Option(
        None, "--class", help=f"Only events of this TimeML class: {', '.join(TIMEML_CLASSES)}."),
    as_json: bool = typer.Option(False, "--json", help='Print {"events": [...]} in the dossier shape.'),
    limit: int = typer.Option(50, "--limit", min=0, help="At most this many rows in the table (0: all)."),
    db: str = DB_OPTION,
) -> None:
    """The events merged across articles: the happenings most articles report (as their main event first), with type, TimeML class, date and sources."""
    from storyline.export import views
    from storyline.export.views import format_date

    _check_choice("--type", type, EVENT_TYPES)
    _check_choice("--class", event_class.upper() if event_class else None, TIMEML_CLASSES)
    store, st, stories, sid = _story_scope(db, story)
    rows = [e for e in store.events(story_id=sid)
            if (type is None or e.get("type") == type)
            and (event_class is None or e.get("class") == event_class.upper())]
    rows.sort(key=lambda e: (-len(e.get("main_of") or []), -len(e.get("sources") or []), e.get("sort") or "9999"))
    if as_json:
        _print_json(json.dumps({"events": rows}, ensure_ascii=False, indent=1))
        return
    if not rows:
        where = f" in story {sid}" if sid else ""
        err.print(_safe(f"no events{where} match" if type or event_class else f"no events yet{where}"))
        return
    titles = {s.get("id"): s.get("title") or s.get("id") for s in stories}
    if st:
        out.print(f"[bold]{_safe(st.get('title') or sid)}[/bold] [dim]{_safe(sid)}[/dim]", highlight=False, soft_wrap=True)
    shown = rows if limit == 0 else rows[:limit]
    for e in shown:
        counts = (f"main event of {len(e.get('main_of') or [])} · {views.plural(len(e.get('sources') or []), 'article')}"
                  f" · {views.plural(len(e.get('mentions') or []), 'mention')}")
        where = "" if sid else f" · {_safe(titles.get(e.get('story_id')) or e.get('story_id'), 60)}"
        out.print(f"[bold cyan]{_safe(format_date(e.get('date'), e.get('precision'))):<12}[/bold cyan] "
                  f"[magenta]{_safe(e.get('type'))}[/magenta] [dim]{_safe(e.get('class') or '')}[/dim]  "
                  f"{_safe(e.get('summary'), 200)}\n{' ' * 13}[dim]{counts}{where} · {_safe(e.get('id'))}[/dim]",
                  highlight=False, soft_wrap=True)
    if len(shown) < len(rows):
        err.print(_safe(f"{len(shown)} of {len(rows)} events shown; --limit 0 shows all, --json prints them all"))


@app.command()
def digest(
    story: Optional[str] = typer.Option(None, "--story", help=STORY_HELP),
    dates: Optional[int] = typer.Option(
        None, "--dates", help="At most this many dates (default: what a reader would want, from the number of articles)."),
    sentences: Optional[int] = typer.Option(None, "--sentences", help="At most this many sentences a date (default 1)."),
    start: Optional[str] = typer.Option(None, "--start", help="Only dates from this one on: YYYY, YYYY-MM or YYYY-MM-DD."),
    end: Optional[str] = typer.Option(None, "--end", help="Only dates up to this one: YYYY, YYYY-MM or YYYY-MM-DD."),
    format: str = typer.Option("text", "--format", help='text, md or json ({"timeline": [{"date", "sentences", "sources"}, …]}).'),
    db: str = DB_OPTION,
) -> None:
    """A timeline summary of one story or the whole database: the key dates, each told in whole sentences from the articles, each sentence cited."""
    from storyline.datewords import in_words
    from storyline.export import views
    from storyline.stories.digest import digest as make_digest

    _check_format(format, ("text", "json", "md"))
    for name, n in (("--dates", dates), ("--sentences", sentences)):
        if n is not None and n < 1:
            _fail(f"{name} must be 1 or more, not {n}")
    store, st, stories, sid = _story_scope(db, story)
    evs = store.events(story_id=sid)
    aids = st.get("article_ids") if st else [a for s in stories for a in s.get("article_ids") or []]
    cited = list(dict.fromkeys([*(aids or []), *(a for e in evs for a in views.event_sources(e))]))
    info = _titles(store, cited)
    try:
        timeline = make_digest(evs, dates=dates, sentences=sentences, start=start, end=end,
                               outlets={a: (r or {}).get("outlet") for a, r in info.items()},
                               published={a: (r or {}).get("published") for a, r in info.items()},
                               n_articles=len(aids) if aids else None)
    except ValueError as e:
        _fail(str(e))
    if format == "json":
        _print_json(json.dumps({"timeline": [{"date": x["date"], "sentences": x["sentences"], "sources": x["sources"],
                                              "precision": x["precision"]} for x in timeline]},
                               ensure_ascii=False, indent=1))
        return
    title = (st.get("title") or sid) if st else "All stories"
    if not timeline:
        err.print(_safe(f"no dated events{' in story ' + sid if sid else ''}{' in that range' if start or end else ''}"))

    def cites(srcs: list[dict]) -> str:
        return "; ".join(views.cite(s.get("article_id"), None if s.get("field") == "title" else s.get("span"))
                         + (" (headline)" if s.get("field") == "title" else "") for s in srcs)

    if format == "md":
        lines = [f"# {one_line_md(title)}", ""]
        for x in timeline:
            lines += [f"## {in_words(x['date'])}", ""]
            lines += [f"- {one_line_md(t)} ({cites(srcs)})" for t, srcs in zip(x["sentences"], x["sources"])]
            lines.append("")
        sys.stdout.write(inert("\n".join(lines)))
        return
    if timeline:
        out.print(f"[bold]{_safe(title)}[/bold] [dim]{_safe(sid or '')} · {views.plural(len(timeline), 'date')}[/dim]",
                  highlight=False, soft_wrap=True)
    for x in timeline:
        out.print(f"\n[bold cyan]{_safe(in_words(x['date']))}[/bold cyan]", highlight=False, soft_wrap=True)
        for t, srcs in zip(x["sentences"], x["sources"]):
            out.print(f"  {_safe(t)}\n  [dim]{_safe(cites(srcs))}[/dim]", highlight=False, soft_wrap=True)


def one_line_md(text: object) -> str:
    """Text on one line for Markdown, its markup characters escaped."""
    import re as _re

    from storyline.export.views import one_line

    return _re.sub(r"([\\`*_{}\[\]<>#|])", r"\\\1", one_line(text))


def _print_event(e: dict, articles: dict[str, dict], quotes: dict[str, dict]) -> None:
    from storyline.export.views import article_label, cite, event_sources, format_date, via_chain

    pad = " " * 15
    modality = f" [yellow]{_safe(e['modality'])}[/yellow]" if e.get("modality") not in (None, "done") else ""
    out.print(f"[bold cyan]{_safe(format_date(e.get('date'), e.get('precision'))):<14}[/bold cyan] "
              f"[magenta]{_safe(e.get('type') or 'event')}[/magenta]{modality}  {_safe(e.get('summary'))}",
              highlight=False, soft_wrap=True)
    seen = set()
    for m in e.get("mentions") or []:
        aid = m.get("article_id") or ""
        seen.add(aid)
        out.print(f"{pad}[dim]·[/dim] {_safe(article_label(articles.get(aid), aid))} "
                  f"[dim]{_safe(cite(aid, None if m.get('field') == 'title' else m.get('span')))}"
                  f"{' (headline)' if m.get('field') == 'title' else ''}[/dim]\n{pad}  “{_safe(m.get('text'), 240)}”",
                  highlight=False, soft_wrap=True)
    for aid in event_sources(e):
        if aid not in seen:
            out.print(f"{pad}[dim]·[/dim] {_safe(article_label(articles.get(aid), aid))} [dim]{_safe(aid)}[/dim]",
                      highlight=False, soft_wrap=True)
    for qid in e.get("quote_ids") or []:
        if q := quotes.get(qid):
            who = (q.get("speaker") or {}).get("name") or "(speaker not identified)"
            how = (q.get("kind") or "quote") + (f", via {via_chain(q)}" if q.get("via") else "")
            fixed = " [yellow](corrected)[/yellow]" if q.get("corrected") else ""
            out.print(f"{pad}[green]“{_safe(q.get('text'), 200)}”[/green] — {_safe(who)}{fixed} "
                      f"[dim]({_safe(how)}) {_safe(cite(q.get('article_id'), q.get('span')))}[/dim]",
                      highlight=False, soft_wrap=True)


@app.command()
def claims(
    story: Optional[str] = typer.Argument(None, metavar="STORY", help=STORY_HELP),
    conflicts: bool = typer.Option(False, "--conflicts", help="Only the claims the sources disagree on."),
    format: str = typer.Option("text", "--format", help='text or json ({"claims": [...]}, the dossier shape).'),
    db: str = DB_OPTION,
) -> None:
    """The figures and facts each source states, compared across sources: conflicts first."""
    from storyline.export.views import article_label, cite, claims_view, format_date

    _check_format(format, ("text", "json"))
    store, st, stories, sid = _story_scope(db, story)
    every = store.claims(story_id=sid)
    rows = claims_view(every, conflicts, story_id=sid)
    if format == "json":
        _print_json(json.dumps({"claims": rows}, ensure_ascii=False, indent=1))
        return
    if not rows:
        where = f" in story {sid}" if sid else ""
        err.print(_safe(f"no claims yet{where}: the stories layer has not produced any" if not every else
                        f"no conflicting claims{where}"))
        return
    titles = {s.get("id"): s.get("title") or s.get("id") for s in stories}
    articles = _titles(store, list(dict.fromkeys(
        v.get("article_id") for c in rows for v in c.get("values") or [] if v.get("article_id"))))
    colour = {"conflict": "bold red", "evolving": "yellow", "compatible": "cyan", "agree": "green"}
    for c in rows:
        status = c.get("status") or "?"
        style = colour.get(status, "dim")
        label = f"⚠ {status}" if status == "conflict" else status
        where = titles.get(c.get("story_id")) or c.get("story_id") or "no story"
        note = f"  [dim]({_safe(where)})[/dim]" if not sid else ""
        out.print(f"[{style}]{_safe(label):<12}[/{style}] [bold]{_safe(c.get('subject') or '—')}[/bold] · "
                  f"{_safe(c.get('attribute') or '—')}{note}", highlight=False, soft_wrap=True)
        for v in c.get("values") or []:
            bits = [b for b in (v.get("modality"), format_date(v["date"]) if v.get("date") else None) if b]
            extra = f" ({_safe(', '.join(bits))})" if bits else ""
            aid = v.get("article_id") or ""
            out.print(f"{'':14}“{_safe(v.get('value'))}”{extra} — "
                      f"{_safe(article_label(articles.get(aid), aid))} [dim]{_safe(cite(aid, v.get('span')))}[/dim]",
                      highlight=False, soft_wrap=True)


@app.command()
def annotate(
    file: str = typer.Argument("-", help="A text file, or '-' for standard input."),
    anchor: Optional[str] = typer.Option(None, "--anchor", help="Date relative expressions are read against (YYYY-MM-DD)."),
) -> None:
    """Annotate one text as given, without cleaning; print its layers as JSON."""
    from storyline.ingest.text import decode_bytes
    from storyline.nlp.annotate import AnchorError, annotate as run, parse_anchor

    try:
        when = parse_anchor(anchor)
    except AnchorError as e:
        _fail(str(e))
        return
    try:
        raw = sys.stdin.buffer.read() if file == "-" else Path(file).read_bytes()
    except OSError as e:
        _fail(f"{file}: {e.strerror or e}")
        return
    text, _ = decode_bytes(raw)
    from storyline.nlp.lexicon import LexiconError

    try:
        layers = run(text, when)
    except LexiconError as e:
        _fail(str(e))
        return
    _print_json(json.dumps(layers, ensure_ascii=False, indent=1))


@app.command()
def serve(
    db: str = DB_OPTION,
    host: str = typer.Option("127.0.0.1", "--host", help="Address to bind; loopback unless you mean to share it."),
    port: int = typer.Option(8000, "--port", help="TCP port."),
    allow_ingest: bool = typer.Option(False, "--allow-ingest", help="Enable POST /api/ingest (needs a bearer token)."),
    allow_edit: bool = typer.Option(
        False, "--allow-edit",
        help="Enable corrections from the pages and POST /api/corrections (needs a bearer token)."),
    token_file: Optional[Path] = typer.Option(
        None, "--token-file",
        help="File holding the bearer token of ingest and editing (else the STORYLINE_TOKEN environment variable)."),
    max_upload_mb: float = typer.Option(settings.DEFAULT_MAX_UPLOAD_MB, "--max-upload-mb", help="Largest ingest request accepted (MB)."),
    cors_origin: list[str] = typer.Option(
        [], "--cors-origin", help="Allow this origin cross-site (repeatable); off by default."),
    cache_mb: float = typer.Option(
        settings.DEFAULT_CACHE_MB, "--cache-mb", min=0,
        help="Memory for answers kept by their ETag (a data change retires them); 0 turns the cache off."),
) -> None:
    """Serve the HTTP API (OpenAPI docs at /docs) and the pages over a database."""
    import os

    import uvicorn

    from storyline.web import create_app

    _open(db).close()
    token = None
    if allow_ingest or allow_edit:
        wants = " and ".join(f for f, on in (("--allow-ingest", allow_ingest), ("--allow-edit", allow_edit)) if on)
        if token_file is not None:
            try:
                token = token_file.read_text(encoding="utf-8").strip()
            except OSError as e:
                _fail(f"{token_file}: {e.strerror or e}")
        else:
            token = os.environ.get("STORYLINE_TOKEN", "").strip()
        if not token:
            _fail(f"{wants} needs a bearer token: set STORYLINE_TOKEN or pass --token-file FILE")
        if len(token) < 16:
            _fail("the bearer token is too short: use at least 16 characters"
                  " (e.g. python -c 'import secrets; print(secrets.token_urlsafe())')")
    loopback = host in ("127.0.0.1", "localhost", "::1")
    sock = _listen_socket(host, port)  # a busy port is said here, before anything claims to serve
    try:
        application = create_app(db, allow_ingest=allow_ingest, token=token, max_upload_mb=max_upload_mb,
                                 cache_mb=cache_mb, cors_origins=cors_origin or None, allow_edit=allow_edit,
                                 allowed_hosts=["127.0.0.1", "localhost", "::1", "[::1]"] if loopback else None)
    except BaseException:
        sock.close()
        raise
    if not loopback:
        err.print(f"[yellow]note:[/yellow] listening on {_t(host)}, not only on this machine")
    err.print(f"serving {_t(display_name(db))} on http://{_t(f'[{host}]' if ':' in host else host)}:{port}/"
              f"  (API docs: /docs; ingest {'on' if allow_ingest else 'off'}; editing {'on' if allow_edit else 'off'})")
    import gc

    gc.collect()
    gc.freeze()  # what start-up made lives as long as the server: keep it out of the collector's scans
    config = uvicorn.Config(application, workers=1, log_level="warning", server_header=False, proxy_headers=False)
    uvicorn.Server(config).run(sockets=[sock])


def _listen_socket(host: str, port: int) -> Any:
    """A TCP socket bound to host:port for the server to listen on; a port in use, one that needs
    privileges, or a host that is no address here is one line and exit 1 (nothing served)."""
    import errno
    import socket

    if not 1 <= port <= 65535:
        _fail(f"--port {port} is not a TCP port (1 to 65535)", code=2)
    try:
        family, kind, proto, _, addr = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except (socket.gaierror, UnicodeError) as e:
        _fail(f"--host {host!r} is not an address here: {getattr(e, 'strerror', None) or e}")
        raise AssertionError from None  # unreachable
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does: a port in TIME_WAIT is free
    try:
        sock.bind(addr)
    except OSError as e:
        sock.close()
        if e.errno == errno.EADDRINUSE:
            _fail(f"port {port} is in use on {host}: stop what listens there, or pass --port with another")
        if e.errno == errno.EACCES:
            _fail(f"port {port} on {host} needs privileges: pass --port 1024 or above")
        _fail(f"cannot listen on {host} port {port}: {e.strerror or e}")
    return sock


@app.command("stories")
def stories_command(
    format: str = typer.Option("text", "--format", help='text or json ({"stories": [...]}: the dossier shape with'
                                                        ' outlets, volume and span).'),
    limit: int = typer.Option(50, "--limit", min=0, help="At most this many stories (0: all)."),
    db: str = DB_OPTION,
) -> None:
    """The stories, most articles first: title, date span, outlets, articles (and events) and the articles over
    time (a month a character)."""
    from storyline.export import views
    from storyline.datewords import in_words
    from storyline.stories.overview import describe, sparkline

    _check_format(format, ("text", "json"))
    store = _open(db)
    try:
        total, page = store.stories_page(-1 if limit == 0 else limit, 0)
        rows = describe(page, store.story_article_facts([s["id"] for s in page]))
    except StoreError as e:
        _fail(str(e))
        raise AssertionError  # unreachable
    if format == "json":
        _print_json(json.dumps({"stories": rows}, ensure_ascii=False, indent=1))
        return
    if not rows:
        err.print(_safe(f"no stories yet in {display_name(db)}: build it first (storyline build PATH --db {display_name(db)})"))
        return
    for st in rows:
        outlets = st["outlets"]
        named = ", ".join(o["name"] for o in outlets[:3]) + (f" and {len(outlets) - 3} more" if len(outlets) > 3 else "")
        bits = [st["span"] or "date not known", views.plural(len(st.get("article_ids") or []), "article"),
                f"{views.plural(len(outlets), 'outlet')}: {named}" if outlets else "outlets not known",
                views.plural(st.get("timeline_count") or 0, "event")]
        dated = sum(v["articles"] for v in st["volume"])
        spark = sparkline(st["volume"])
        chart = ""
        if spark:
            months = in_words(st["volume"][0]["period"] if len(st["volume"]) == 1
                              else f"{st['volume'][0]['period']}/{st['volume'][-1]['period']}")
            chart = (f"\n  [green]{_safe(spark)}[/green] [dim]articles a month, {_safe(months)}"
                     + (f" ({dated} of {len(st.get('article_ids') or [])} dated to a month)"
                        if dated < len(st.get("article_ids") or []) else "") + "[/dim]")
        out.print(f"[bold]{_safe(st.get('title') or st['id'], 120)}[/bold]  [dim]{_safe(st['id'])}[/dim]\n"
                  f"  {_safe(' · '.join(bits))}{chart}", highlight=False, soft_wrap=True)
    if len(rows) < total:
        err.print(_safe(f"{len(rows)} of {total} stories shown; --limit 0 shows all"))


correct_app = typer.Typer(no_args_is_help=True, help=(
    "Correct what the stages computed: merge, split or rename entities, set a quote's speaker, reject an event,"
    " a quote or a claim, re-date an article. Each correction is kept as a record and applied again after"
    " every build; storyline corrections lists them and undoes one."))
app.add_typer(correct_app, name="correct")
WHY_OPTION = typer.Option(..., "--why", help="Why (kept with the correction and shown beside what it changed).")
BY_OPTION = typer.Option(None, "--by", help="Who corrects (default: the OS user).")


def _correcting(db: str, make: Any) -> None:
    """Run one correction (`make(store)` → its id) and say what it did, in one line; a bad input is one line, exit 1."""
    from storyline import corrections

    store = _open(db)
    with _writing(db):
        try:
            cid = make(store)
        except corrections.CorrectionError as e:
            _fail(str(e))
    c = next(x for x in store.corrections() if x["id"] == cid)
    out.print(_safe(f"correction #{cid}: {corrections.describe(c)} — {c['status']}"), highlight=False, soft_wrap=True)
    store.close()


@correct_app.command("merge-entities")
def correct_merge(
    a: str = typer.Argument(..., help="The entity that stays (id, or exact name or alias)."),
    b: str = typer.Argument(..., help="The entity merged into it: its mentions and quotes become A's, its names A's aliases."),
    why: str = WHY_OPTION, by: Optional[str] = BY_OPTION, db: str = DB_OPTION,
) -> None:
    """Two entities are one: B's mentions become A's, B's names become A's aliases."""
    from storyline import corrections

    _correcting(db, lambda store: corrections.merge_entities(store, a, b, why, by))


@correct_app.command("split-entity")
def correct_split(
    entity: str = typer.Argument(..., help="The entity (id, or exact name or alias)."),
    alias: str = typer.Option(..., "--alias", help="The mentions written so become an entity of their own, named so."),
    why: str = WHY_OPTION, by: Optional[str] = BY_OPTION, db: str = DB_OPTION,
) -> None:
    """The entity's mentions written NAME are another entity."""
    from storyline import corrections

    _correcting(db, lambda store: corrections.split_entity(store, entity, alias, why, by))


@correct_app.command("rename-entity")
def correct_rename(
    entity: str = typer.Argument(..., help="The entity (id, or exact name or alias)."),
    name: str = typer.Argument(..., help="Its name from now on (the old one becomes an alias)."),
    why: str = WHY_OPTION, by: Optional[str] = BY_OPTION, db: str = DB_OPTION,
) -> None:
    """Give an entity another name."""
    from storyline import corrections

    _correcting(db, lambda store: corrections.rename_entity(store, entity, name, why, by))


@correct_app.command("speaker")
def correct_speaker(
    quote: str = typer.Argument(..., help="The quote id (storyline quotes --json)."),
    entity: Optional[str] = typer.Option(None, "--entity", help="The speaker is this entity (id, or exact name or alias)."),
    name: Optional[str] = typer.Option(None, "--name", help="The speaker is named so (no entity)."),
    clear: bool = typer.Option(False, "--clear", help="No speaker is known."),
    why: str = WHY_OPTION, by: Optional[str] = BY_OPTION, db: str = DB_OPTION,
) -> None:
    """Set or clear a quote's speaker."""
    from storyline import corrections

    _correcting(db, lambda store: corrections.set_speaker(store, quote, entity, name, clear, why, by))


@correct_app.command("reject")
def correct_reject(
    kind: str = typer.Argument(..., metavar="event|quote|claim", help="What to reject."),
    ref: str = typer.Argument(..., metavar="ID", help="Its id (storyline events, quotes or claims with --json)."),
    why: str = WHY_OPTION, by: Optional[str] = BY_OPTION, db: str = DB_OPTION,
) -> None:
    """Take an event, a quote or a claim out of every view and export."""
    from storyline import corrections

    _correcting(db, lambda store: corrections.reject(store, kind, ref, why, by))


@correct_app.command("redate")
def correct_redate(
    article: str = typer.Argument(..., help="The article (id, id prefix, or number in storyline articles)."),
    date: str = typer.Argument(..., help="Its publication: YYYY, YYYY-MM or YYYY-MM-DD (the precision given)."),
    why: str = WHY_OPTION, by: Optional[str] = BY_OPTION, db: str = DB_OPTION,
) -> None:
    """Set an article's publication date, at the precision given."""
    from storyline import corrections

    _correcting(db, lambda store: corrections.redate(store, article, date, why, by))


@app.command("corrections")
def corrections_command(
    undo: Optional[int] = typer.Option(None, "--undo", metavar="ID", help="Undo this correction (what it changed comes back as computed)."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON lines."),
    db: str = DB_OPTION,
) -> None:
    """The corrections made (storyline correct …): when, by whom, what, why, and whether they apply; --undo ID undoes one."""
    from storyline import corrections

    store = _open(db)
    if undo is not None:
        with _writing(db):
            try:
                corrections.undo(store, undo)
            except corrections.CorrectionError as e:
                _fail(str(e))
        out.print(_safe(f"correction #{undo} undone"), highlight=False)
        return
    rows = store.corrections()
    if json_out:
        for c in rows:
            _print_json(json.dumps(corrections.record(c), ensure_ascii=False))
        return
    if not rows:
        err.print("no corrections yet (storyline correct --help lists what can be corrected)")
        return
    for c in rows:  # two lines each: what and where, then why and whether it applies
        state = f"undone {c['undone_at']}" if c["undone_at"] else (c["status"] or "not applied yet")
        style = "green" if state == "applied" else "dim" if c["undone_at"] else "yellow"
        out.print(f"[bold]#{c['id']}[/bold] {_safe(c['created_at'])} {_safe(c['made_by'])} [magenta]{_safe(c['op'])}[/magenta]"
                  f" [{style}]{_safe(state)}[/{style}]\n    {_safe(corrections.describe(c))}\n    [dim]why:[/dim] {_safe(c['why'])}",
                  highlight=False, soft_wrap=True)


def main() -> None:
    # trafilatura and htmldate log every page they find hard; our own problems report says what matters
    for name in ("trafilatura", "htmldate", "charset_normalizer"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    app()


if __name__ == "__main__":
    main()
