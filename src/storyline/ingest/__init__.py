"""Read files and folders into Documents, one reader per source kind; problems are reported, never raised."""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TypeVar

from storyline.model import Document, FileState, ReadProblem
from storyline.settings import DEFAULT_MAX_BYTES

from .common import over_limit, short_reason
from .detect import kind_from_name, read_bytes, sniff_kind
from .html import extract_html
from .text import decode_bytes, normalize_text

__all__ = [
    "DEFAULT_MAX_BYTES",
    "SUPPORTED",
    "FileReader",
    "decode_bytes",
    "extract_html",
    "file_state",
    "iter_files",
    "kind_from_name",
    "normalize_text",
    "read_bytes",
    "read_file",
    "read_paths",
    "real_path",
    "sniff_kind",
]


SUPPORTED = """\
Readable sources (a folder is read recursively, in sorted order, hidden files skipped):
  .txt (and any unknown extension that is text)  plain text in any common encoding
  .html .htm (also .html.gz)                     main text + title, authors, outlet, date
  .warc .warc.gz                                 every 2xx HTML response record; URL, capture date
  .jsonl                                         one article a line: "text" or "html", optional
                                                 title, url, published, outlet, authors
  .xml .rss .atom (or XML sniffed as a feed)     RSS/Atom: every entry, feed title as outlet
Locators: file#L3 (JSONL line 3), file#<WARC-Record-ID>, file#2 (second feed entry)."""


Item = TypeVar("Item")
# reads one regular file (path, source name, max_bytes) into its items: `read_file`, or a caller's own (one that
# gives what an earlier build read from a file unchanged since: pipeline.InputFiles)
FileReader = Callable[[Path, str, int], Iterator[Item]]


def read_paths(paths: Iterable[str | Path], max_bytes: int = DEFAULT_MAX_BYTES,
               read: FileReader[Item] | None = None) -> Iterator[Item | Document | ReadProblem]:
    """Documents (and problems) from files and folders, in a deterministic order; each regular file read by
    `read` (default `read_file`)."""
    if isinstance(paths, (str, Path)):
        paths = [paths]
    for path in paths:
        yield from _read_argument(Path(path), max_bytes, read or read_file)


def file_state(path: Path, source: str, folders: dict[str, str] | None = None) -> FileState | None:
    """The file as it is now, without opening it (a stat, links followed, and its real path: `real_path`, with
    `folders`); None when it cannot be stat'ed or is not a regular file."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    if not stat.S_ISREG(st.st_mode):
        return None
    return FileState(real_path(path, {} if folders is None else folders), source, st.st_size, st.st_mtime_ns)


_MAX_LINKS = 40  # links followed in a row before giving up on the short way (Linux's MAXSYMLINKS)


def real_path(path: Path, folders: dict[str, str]) -> str:
    """`os.path.realpath(path)`, each folder's real path found once and kept in `folders` (path → real path):
    a folder of many files costs an lstat a file (and a readlink a link), not a walk up every path."""
    p = os.fspath(path)
    for _ in range(_MAX_LINKS):
        if not os.path.islink(p):
            parent, name = os.path.split(p)
            if name in ("", ".", ".."):
                break
            if parent not in folders:
                folders[parent] = os.path.realpath(parent)
            return os.path.join(folders[parent], name)
        p = os.path.join(os.path.dirname(p), os.readlink(p))  # a relative target is read from the link's folder
    return os.path.realpath(path)


def iter_files(paths: Iterable[str | Path]) -> Iterator[tuple[Path, str]]:
    """(file, source name) for every file `read_paths` would read, in the same order (for progress totals)."""
    for path in map(Path, paths):
        if path.is_dir():
            name = path.resolve().name or str(path)
            yield from (f for f in _walk(path, name) if not isinstance(f, ReadProblem))
        elif path.exists():
            yield path, path.name


def _read_argument(path: Path, max_bytes: int, read: FileReader[Item]) -> Iterator[Item | ReadProblem]:
    if path.is_dir():
        yield from _read_folder(path, max_bytes, read)
    elif path.exists():
        yield from read(path, path.name, max_bytes)
    else:
        yield ReadProblem(str(path), unreadable_entry(path) or "no such file or directory")


_KINDS = ((stat.S_ISFIFO, "a named pipe"), (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
          (stat.S_ISSOCK, "a socket"))


def not_regular(mode: int) -> str | None:
    """The problem with a file of this mode, when it is not a regular file (reading one could block or never end)."""
    if stat.S_ISREG(mode):
        return None
    kind = next((name for test, name in _KINDS if test(mode)), "a special file")
    return f"not a regular file ({kind}) — skipped"


def unreadable_entry(path: Path) -> str | None:
    """Why `path` is neither a folder nor a regular file to read (a broken symbolic link, a link loop, a
    pipe, a device); None when it is a folder or a regular file, or does not exist at all."""
    try:
        mode = path.stat().st_mode
    except OSError as err:
        if not path.is_symlink():
            return None
        if err.errno == errno.ELOOP:
            return "symbolic link loop (the link leads back to itself) — skipped"
        return "broken symbolic link (what it points to does not exist) — skipped"
    return None if stat.S_ISDIR(mode) else not_regular(mode)


def _read_folder(folder: Path, max_bytes: int, read: FileReader[Item]) -> Iterator[Item | ReadProblem]:
    """Every file under `folder`, named relative to the folder's parent ('seeds/000_x.txt')."""
    name = folder.resolve().name or str(folder)
    read_any = False
    for found in _walk(folder, name):
        if isinstance(found, ReadProblem):
            yield found
            continue
        for item in read(*found, max_bytes):
            read_any = read_any or not isinstance(item, ReadProblem)  # a document (or one stored before)
            yield item
    if not read_any:
        yield ReadProblem(name, "no readable files in folder — nothing was read from it")


def _walk(folder: Path, source: str) -> Iterator[tuple[Path, str] | ReadProblem]:
    """(file, source name) under `folder`, sorted, depth first, skipping hidden names and symlinked folders.
    The listing's entry types tell folders, links and regular files apart without a stat each (`os.scandir`;
    a link is followed to tell what it leads to)."""
    try:
        with os.scandir(folder) as listing:
            entries = sorted(listing, key=lambda e: e.name)
    except OSError as err:
        yield ReadProblem(source, _os_message(err))
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        path = folder / entry.name
        if entry.is_dir(follow_symlinks=False):
            yield from _walk(path, f"{source}/{entry.name}")
        elif _is_file(entry):
            yield path, f"{source}/{entry.name}"
        elif problem := unreadable_entry(path):
            yield ReadProblem(f"{source}/{entry.name}", problem)


def _is_file(entry: os.DirEntry) -> bool:
    """Whether a listed entry is a regular file or a link to one; a link that leads nowhere or back to itself is
    not (`unreadable_entry` says which), as `Path.is_file` answers."""
    try:
        return entry.is_file()
    except OSError:
        return False


def read_file(path: Path, source: str, max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[Document | ReadProblem]:
    """One regular file: kind and size checked before reading, the read itself bounded by `max_bytes`
    (a file that grows meanwhile is still over the limit); nothing raised, whatever the content."""
    try:
        problem = not_regular(path.stat().st_mode)
        if problem:  # a pipe or a device: opening it could block, reading it never end
            yield ReadProblem(source, problem, lasting=False)
            return
        data = _read_bounded(path, max_bytes)
    except _Refused as refused:
        yield ReadProblem(source, str(refused), lasting=refused.by_size)
        return
    except OSError as err:
        yield ReadProblem(source, _os_message(err), lasting=False)
        return
    try:
        yield from read_bytes(data, path.name, source, max_bytes)
    except Exception as err:  # noqa: BLE001 - a reader bug must not stop the run; say what broke
        yield ReadProblem(source, f"could not read file ({type(err).__name__}: {short_reason(err)}) — skipped")


class _Refused(Exception):
    """A file not read, with why; `by_size` when the why is the size its stat gave (else: not a regular file,
    or it grew while read)."""

    def __init__(self, message: str, by_size: bool = False):
        super().__init__(message)
        self.by_size = by_size


def _read_bounded(path: Path, max_bytes: int) -> bytes:
    """At most `max_bytes` of a regular file; _Refused when it is not one (swapped since it was checked) or
    holds more. Opened non-blocking, so a pipe put in its place cannot stall the open."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags)
    with open(fd, "rb", closefd=True) as f:
        st = os.fstat(f.fileno())
        problem = not_regular(st.st_mode)
        if problem:
            raise _Refused(problem)
        if st.st_size > max_bytes:
            raise _Refused(over_limit("file", st.st_size, max_bytes), by_size=True)
        data = f.read(max_bytes + 1)
    if len(data) > max_bytes:  # it grew while read: what it held then is not what its stat said
        raise _Refused(over_limit("file", None, max_bytes))
    return data


def _os_message(err: OSError) -> str:
    if err.errno in (errno.EACCES, errno.EPERM):
        return "permission denied — check the file's permissions"
    if err.errno == errno.ENOENT:
        return "no such file or directory"
    return f"cannot read ({err.strerror or short_reason(err)})"
