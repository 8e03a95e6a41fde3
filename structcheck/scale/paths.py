"""What to lint: a lazy directory walk with include/exclude patterns, ASE databases, files to frames."""

from __future__ import annotations

import fnmatch
import os
import stat
from collections.abc import Iterable, Iterator, Sequence

from ..io import FrameRecord, iter_frames
from ..io.suffixes import name_regex, walk_globs

# Files a directory walk picks up unless --include says otherwise (names, fnmatch): the list in
# io/suffixes.py, shared with the pre-commit hook (compressed text formats included)
DEFAULT_INCLUDE = walk_globs()
# Never walked into or picked up by a directory walk (explicitly named files always are).
DEFAULT_EXCLUDE = (".*", "__pycache__", "*.fixed.extxyz")

DB_SUFFIXES = (".db",)
DB_PAGE = 1000  # rows per database query (keyset paging: memory flat in the number of rows)


# ---------------------------------------------------------------- paths


def _matches(name: str, rel: str, patterns: Sequence[str]) -> bool:
    """``fnmatch.fnmatchcase`` of the name or the relative path against any pattern (one
    compiled regular expression per pattern set: a walk tests every entry)."""
    rx = _PATTERNS.get(patterns)
    if rx is None:
        import re

        rx = _PATTERNS[patterns] = re.compile("|".join(fnmatch.translate(p) for p in patterns) or "(?!)")
    return rx.match(name) is not None or (rel != name and rx.match(rel) is not None)


_PATTERNS: dict = {DEFAULT_INCLUDE: __import__("re").compile(name_regex())}  # the same names, one fast regex


def iter_paths(paths: Iterable[str], include: Sequence[str] | None = None,
               exclude: Sequence[str] = ()) -> Iterator[str]:
    """Files to lint, in a deterministic order: named files as given, directories walked
    recursively (entries sorted by name). ``include``/``exclude`` are glob patterns matched
    against a file's name and its path relative to the directory given (``*`` crosses
    ``/``); ``exclude`` also prunes directories. Hidden entries are skipped in walks."""
    inc = tuple(include) if include else DEFAULT_INCLUDE
    exc = tuple(exclude) + DEFAULT_EXCLUDE
    for p in paths:
        if p != "-" and os.path.isdir(p):
            yield from _walk(p, "", inc, exc, frozenset())
        else:
            yield p


class Special(str):
    """A path that is not a regular file (a FIFO, a device, standard input): reading it may
    wait for a writer, so a pool gives it a batch of its own (``pool._batches``)."""

    __slots__ = ()


def special_if_irregular(path: str) -> str:
    """``path``, as ``Special`` when it names no regular file (one ``stat``)."""
    return path if _regular(path) else Special(path)


def _walk(top: str, rel: str, inc, exc, ancestors: frozenset) -> Iterator[str]:
    folder = os.path.join(top, rel) if rel else top
    try:
        st = os.stat(folder)
        key = (st.st_dev, st.st_ino)
        if key in ancestors:  # a symlink loop
            return
        with os.scandir(folder) as it:  # the entry's type comes with the listing (no stat)
            entries = sorted((e.name, e.is_dir(follow_symlinks=True), e.is_file(follow_symlinks=True))
                             for e in it)
    except OSError:
        return
    ancestors = ancestors | {key}
    for name, is_dir, is_file in entries:
        r = f"{rel}/{name}" if rel else name
        if _matches(name, r, exc):
            continue
        if is_dir:
            yield from _walk(top, r, inc, exc, ancestors)
        elif _matches(name, r, inc):
            yield os.path.join(top, r) if is_file else Special(os.path.join(top, r))


# ---------------------------------------------------------------- frames


def iter_file_frames(path: str, fmt: str | None = None, open_path: str | None = None) -> Iterator[FrameRecord]:
    """Frames of one file; ASE databases (``.db``) row by row, all else via ``io.iter_frames``.

    ``open_path`` reads another path (e.g. absolute, on a Dask worker) while records keep
    ``path`` (so per-file-ignores and reports see the path as the user gave it).
    """
    src = open_path or path
    if (fmt == "db") or (fmt is None and src != "-" and src.lower().endswith(DB_SUFFIXES)):
        records = iter_db(src)
    else:
        records = iter_frames(src, fmt)
    for rec in records:
        rec.path = path
        yield rec


def iter_db(path: str) -> Iterator[FrameRecord]:
    """Rows of an ASE database in id order, ``DB_PAGE`` rows per query; frame = row position."""
    if not os.path.isfile(path):
        yield FrameRecord(path, 0, error="cannot open: no such file")
        return
    k = 0
    try:
        from ase.db import connect

        db = connect(path, type="db")
        last = 0
        while True:
            rows = list(db.select(f"id>{last}", sort="id", limit=DB_PAGE, include_data=False))
            for row in rows:
                atoms = row.toatoms()
                atoms.info["db_id"] = row.id
                yield FrameRecord(path, k, atoms)
                k += 1
            if len(rows) < DB_PAGE:
                break
            last = rows[-1].id
    except Exception as exc:  # noqa: BLE001 - an unreadable database is a finding, not a crash
        msg = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        yield FrameRecord(path, k, error=f"cannot read ASE database row {k} ({type(exc).__name__}: {msg})"[:300])
        return
    if k == 0:
        yield FrameRecord(path, 0, error="no structure in database")


def lint_paths(paths: Iterable[str], fmt: str | None, config) -> Iterator[tuple[FrameRecord, list]]:
    """(record, findings) per frame, in order, in this process (streaming)."""
    for _, rec, found in lint_files(((p, None) for p in paths), fmt, config):
        yield rec, found


def lint_files(files: Iterable[tuple[str, str | None]], fmt: str | None,
               config) -> Iterator[tuple[int, FrameRecord, list]]:
    """(position of the file, record, findings) per frame of ``files`` ((path, open_path) as
    ``iter_file_frames`` takes them), in order.

    Regular files of one small frame (a folder of molecules) are read ``SMALL_BATCH`` at a
    time and then linted one by one: reading and checking in two runs keeps each run's code
    and data in the CPU caches (~10 % of a small file's time); records and findings are the
    same, in the same order. Any other file streams frame by frame as it is read, and what
    is not a regular file (standard input, a pipe, a device) is read only after the findings
    of every file before it are out (a FIFO that waits for its writer blocks nothing)."""
    from ..linter.engine import lint_frames

    batch: list[tuple[int, str, Iterator[FrameRecord]]] = []  # read, not yet linted

    def drain() -> Iterator[tuple[int, FrameRecord, list]]:
        for kb, p, records in batch:
            for rec, found in lint_frames(records, config, p):
                yield kb, rec, found
        batch.clear()

    for k, (path, open_path) in enumerate(files):
        if batch and not _regular(open_path or path):
            yield from drain()
        # one lint_frames per file: its per-path rule cache then never grows with the file count
        head, error, rest = _small_file(iter_file_frames(path, fmt, open_path))
        batch.append((k, path, _replay(head, error, rest)))
        if rest is not None or len(batch) >= SMALL_BATCH:  # a file to stream, or a full batch
            yield from drain()
    yield from drain()


SMALL_BATCH = 32  # one-frame files read before they are linted
SMALL_ATOMS = 256  # ... of up to this many atoms


def _regular(path: str) -> bool:
    """A regular file (reading it cannot wait on a writer)?"""
    if path == "-":
        return False
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except (OSError, ValueError):
        return False


def _small_file(records: Iterator[FrameRecord]) -> tuple[list, BaseException | None, Iterator | None]:
    """(records read, the reader's exception, the records left) of a file: all of it (``None``
    left) when it holds at most one frame of up to SMALL_ATOMS atoms (or only an error)."""
    head: list = []
    for _ in range(2):
        try:
            rec = next(records)
        except StopIteration:
            return head, None, None
        except Exception as exc:  # noqa: BLE001 - lint_frames reports it, in its place
            return head, exc, None
        head.append(rec)
        if rec.atoms is not None and len(rec.atoms) > SMALL_ATOMS:
            break
    return head, None, records


def _replay(head: list, error: BaseException | None, rest: Iterator | None = None) -> Iterator[FrameRecord]:
    """The records of ``_small_file`` again, then its exception or the records left."""
    yield from head
    if error is not None:
        raise error
    if rest is not None:
        yield from rest
