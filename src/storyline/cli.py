"""The `storyline` commands: parse arguments, call the pipeline or the store, print."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from storyline import pipeline
from storyline.ingest import iter_files
from storyline.store import Store, StoreError

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Turn a pile of news articles into sourced story dossiers.")
out = Console()
err = Console(stderr=True, soft_wrap=True)  # one message, one line: never wrapped

DB_OPTION = typer.Option("storyline.db", "--db", help="SQLite database file.")


def _fail(message: str) -> None:
    err.print(f"[red]error:[/red] {escape(message)}")
    raise typer.Exit(1)


def _open(db: str, must_exist: bool = True) -> Store:
    if must_exist and not Path(db).exists():
        _fail(f"{db}: no such database; build one first with: storyline build PATH --db {db}")
    try:
        return Store(db)
    except StoreError as e:
        _fail(str(e))
    raise AssertionError  # unreachable


@app.command()
def build(
    paths: list[Path] = typer.Argument(..., help="Files or folders: .txt, .html(.gz), .warc(.gz), .jsonl, RSS/Atom."),
    db: str = DB_OPTION,
    max_mb: float = typer.Option(pipeline.DEFAULT_MAX_MB, "--max-mb", help="Refuse files larger than this (MB)."),
) -> None:
    """Ingest files and run every stage; re-running on the same input changes nothing."""
    store = _open(db, must_exist=False)
    total = sum(1 for _ in iter_files(paths))
    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=err, transient=True, disable=not err.is_terminal,
    ) as bar:
        task = bar.add_task("reading", total=total or None)
        last_file = [""]

        def progress(kind: str, item: object) -> None:
            if kind == "problem":
                err.print(f"[yellow]skipped[/yellow] {escape(str(item))}")
            elif kind == "cross-article":
                bar.update(task, description="duplicates and shared passages")
            source = getattr(item, "source", "").split("#")[0]
            if source and source != last_file[0]:
                last_file[0] = source
                bar.advance(task)

        report = pipeline.build(paths, store, max_mb=max_mb, progress=progress)
    counts = store.counts()
    table = Table(title=f"storyline build → {db}")
    table.add_column("", style="bold")
    table.add_column("this run", justify="right")
    table.add_column("in database", justify="right")
    table.add_row("documents", f"{report.added_documents} new, {report.skipped} already stored", str(counts["documents"]))
    table.add_row("articles", str(report.added_articles), str(counts["articles"]))
    table.add_row("duplicates", "", str(counts["duplicates"]))
    table.add_row("shared passages", "", str(counts["shared passages"]))
    table.add_row("furniture removed", "", str(counts["removed pieces"]))
    table.add_row("inputs skipped", str(len(report.problems)), str(counts["problems"]))
    out.print(table)
    store.close()


@app.command()
def articles(db: str = DB_OPTION, json_out: bool = typer.Option(False, "--json", help="Print JSON lines.")) -> None:
    """List the articles in the database."""
    store = _open(db)
    rows = list(store.articles())
    if json_out:
        for i, a in enumerate(rows, 1):
            print(json.dumps({"n": i, "id": a.id, "title": a.title, "published": a.published.date,
                              "duplicate_of": a.duplicate_of, "words": len(a.text.split())}))
        return
    number = {a.id: i for i, a in enumerate(rows, 1)}
    out.print(f"[bold]{len(rows)} articles in {escape(db)}[/bold]")
    out.print(f"[dim]{'#':>3}  {'id':<10}  {'published':<10}  {'words':>5}  {'cut':>3}  title[/dim]")
    room = max(20, out.width - 42)
    for i, a in enumerate(rows, 1):
        title = a.title or "—"
        if a.duplicate_of:
            title = f"(duplicate of #{number.get(a.duplicate_of, '?')}) {title}"
        title = title if len(title) <= room else title[: room - 1] + "…"
        out.print(f"{i:>3}  {a.id[:10]}  {a.published.date or '':<10}  {len(a.text.split()):>5}  {len(a.removed):>3}  "
                  f"{escape(title)}", highlight=False)


@app.command()
def show(
    article: str = typer.Argument(..., help="Article id, id prefix, or number from `storyline articles`."),
    db: str = DB_OPTION,
    removed: bool = typer.Option(False, "--removed", help="Also list what was removed and why."),
) -> None:
    """Print an article's clean text (and what cleaning removed)."""
    store = _open(db)
    a = store.article(article)
    if a is None:
        _fail(f"no article {article!r} in {db}; list them with: storyline articles --db {db}")
        return
    doc = store.document(a.document_id)
    out.print(f"[bold]{escape(a.title or '(no title)')}[/bold]")
    meta = [f"id {a.id}", f"from {doc.source if doc else a.document_id} {list(a.source_span)}"]
    if a.published.date or a.published.latest:
        meta.append(f"published {a.published.date or '?'} ({escape(a.published.evidence or '')})")
    if a.authors:
        meta.append("by " + ", ".join(a.authors))
    if a.syndicated_from:
        meta.append("via " + ", ".join(a.syndicated_from))
    if a.duplicate_of:
        meta.append(f"{a.duplicate_kind} duplicate of {a.duplicate_of}")
    out.print("[dim]" + escape(" · ".join(meta)) + "[/dim]\n", soft_wrap=True)
    out.print(escape(a.text), highlight=False)
    if removed:
        table = Table(title="removed")
        table.add_column("reason")
        table.add_column("span")
        table.add_column("text")
        for r in a.removed:
            table.add_row(r.reason, f"{r.span[0]}–{r.span[1]}", escape(r.text if len(r.text) < 120 else r.text[:117] + "…"))
        out.print()
        out.print(table)


@app.command()
def search(query: str, db: str = DB_OPTION, limit: int = 20) -> None:
    """Full-text search over article titles and text (SQLite FTS5 syntax)."""
    store = _open(db)
    try:
        hits = store.search(query, limit)
    except Exception as e:  # FTS5 syntax errors come back as sqlite3.OperationalError
        _fail(f"search {query!r}: {e}; quote phrases with double quotes")
        return
    for aid, snippet in hits:
        out.print(f"[bold]{aid}[/bold]  {escape(snippet)}", highlight=False)
    if not hits:
        err.print("no matches")


@app.command()
def export(
    db: str = DB_OPTION,
    format: str = typer.Option("json", "--format", help="json (the dossier format)."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="File to write; '-' or none for stdout."),
) -> None:
    """Write the whole dossier of a database."""
    from storyline.export.json import dossier

    if format != "json":
        _fail(f"--format {format!r} is not available yet; use --format json")
    store = _open(db)
    data = dossier(store)
    text = json.dumps(data, ensure_ascii=False, indent=1)
    if output is None or str(output) == "-":
        sys.stdout.write(text + "\n")
    else:
        output.parent.mkdir(parents=True, exist_ok=True)
        tmp = output.with_suffix(output.suffix + ".tmp")
        tmp.write_text(text + "\n", encoding="utf-8")
        tmp.replace(output)
        err.print(f"wrote {output} ({len(data['articles'])} articles, {len(data['documents'])} documents)")


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
    print(json.dumps(run(text, when), ensure_ascii=False, indent=1))


def main() -> None:
    # trafilatura and htmldate log every page they find hard; our own problems report says what matters
    for name in ("trafilatura", "htmldate", "charset_normalizer"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    app()


if __name__ == "__main__":
    main()
