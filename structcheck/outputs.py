"""Writing outputs without losing anything: the one helper every command writes through.

``Outputs`` is the plan of one run: the files it reads (inputs, models) and the files it will
write. ``claim(path)`` checks a target before any expensive work starts and raises
``OutputError`` (one line naming the file) when the target

- is, or resolves to, a file the run reads (same path after symlinks, or the same inode:
  a hard link) -- refused even with ``overwrite``;
- is another output of the same run (two inputs that would both write ``a.fixed.extxyz``);
- already exists (a file, a symlink, even a dangling one) and ``overwrite`` is off;
- is a folder, or its folder cannot be created or written.

Writing goes to a temporary file in the target's folder (a hidden name, so directory walks
skip it), is flushed and fsync'ed, and only then renamed over the final name (``os.link``
without ``overwrite``, so a file that appeared meanwhile is not clobbered either). A reader,
a crash or a SIGTERM never sees a partial file under the final name; an exception removes the
temporary file.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["OutputError", "Outputs", "atomic_open", "atomic_path", "shown"]


class OutputError(Exception):
    """An output that must not or cannot be written: one line naming the file (exit 2)."""


def shown(path) -> str:
    """A file name safe to print on one line: control characters, newlines and characters
    that are not valid text (undecodable bytes of a non-UTF-8 name) escaped as Python does."""
    s = os.fspath(path)
    if isinstance(s, bytes):
        s = s.decode("utf-8", "surrogateescape")
    if s.isprintable() and "\\" not in s:
        try:
            s.encode("utf-8")
            return s
        except UnicodeEncodeError:
            pass
    out = []
    for ch in s:
        if ch == "\\":
            out.append("\\\\")
        elif ch.isprintable() and not 0xD800 <= ord(ch) <= 0xDFFF:
            out.append(ch)
        elif 0xDC80 <= ord(ch) <= 0xDCFF:  # an undecodable byte kept by surrogateescape
            out.append(f"\\x{ord(ch) - 0xDC00:02x}")
        else:
            out.append(ch.encode("unicode_escape").decode("ascii"))
    return "".join(out)


def _identity(path: str) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    return (st.st_dev, st.st_ino) if stat.S_ISREG(st.st_mode) else None


def _real(path: str) -> str:
    try:
        return os.path.realpath(path)
    except (OSError, ValueError):
        return os.path.abspath(path)


class Outputs:
    """The files one run reads and writes; see the module docstring.

    ``inputs`` are paths the run reads (``-`` and missing files are ignored); ``overwrite``
    allows replacing existing files that are neither inputs nor other outputs.
    """

    def __init__(self, inputs: Iterable = (), *, overwrite: bool = False):
        self.overwrite = bool(overwrite)
        self._reads: list[tuple[str, str, str, tuple | None]] = []  # (what, path, real, identity)
        self._pending: list[tuple[str, str, bool]] = []  # (what, path, files_only): resolved when first needed
        self._writes: list[tuple[str, str, str, tuple | None]] = []
        for p in inputs:
            self.add_input(p)

    def add_input(self, path, what: str = "input", files_only: bool = False) -> None:
        """Note a path the run reads (``files_only``: not when it is a folder). Its real path and
        inode are looked up when a target is first checked against the inputs: a lint without
        outputs never resolves its 10,000 inputs (a realpath and a stat each)."""
        if path is None or os.fspath(path) == "-":
            return
        self._pending.append((what, os.fspath(path), files_only))

    def _read_list(self) -> list[tuple[str, str, str, tuple | None]]:
        if self._pending:
            for what, p, files_only in self._pending:
                if not (files_only and os.path.isdir(p)):
                    self._reads.append((what, p, _real(p), _identity(p)))
            self._pending.clear()
        return self._reads

    def reads(self, path) -> bool:
        """Whether ``path`` is (resolves to, or is a hard link of) one of the files read."""
        p = os.fspath(path)
        real, ident = _real(p), _identity(p)
        return any(real == r or (ident is not None and ident == i) for _, _, r, i in self._read_list())

    def claim(self, path, what: str = "output") -> Path:
        """Check that ``path`` may be written by this run and reserve it; the Path."""
        p = os.fspath(path)
        if not p:
            raise OutputError(f"empty {what} file name")
        real, ident = _real(p), _identity(p)
        name = shown(p)
        for kind, q, r, i in self._read_list():
            if real == r or (ident is not None and ident == i):
                how = "the same file" if os.path.abspath(p) == os.path.abspath(q) else \
                    ("a link to it" if real == r else "a hard link of it")
                raise OutputError(f"{name}: the {what} would overwrite the {kind} {shown(q)} ({how}); "
                                  "not written (choose another name)")
        for kind, q, r, i in self._writes:
            if real == r or (ident is not None and ident == i):
                raise OutputError(f"{name}: the {what} would overwrite the {kind} {shown(q)} of this run; "
                                 "not written (choose another name)")
        if os.path.isdir(p):
            raise OutputError(f"{name}: is a folder; give a file name for the {what}")
        if os.path.lexists(p) and not self.overwrite:
            raise OutputError(f"{name}: exists; not overwritten (pass --force-overwrite to replace it)")
        _check_folder(p, name)
        self._writes.append((what, p, real, ident))
        return Path(p)

    def claimed(self, path) -> bool:
        real = _real(os.fspath(path))
        return any(real == r for _, _, r, _ in self._writes)

    @contextmanager
    def path(self, path, what: str = "output") -> Iterator[Path]:
        """Claim ``path`` (unless claimed already) and yield a temporary path to write to."""
        if not self.claimed(path):
            self.claim(path, what)
        with atomic_path(path, overwrite=self.overwrite) as tmp:
            yield tmp

    @contextmanager
    def open(self, path, mode: str = "w", what: str = "output", **kw):
        if not self.claimed(path):
            self.claim(path, what)
        with atomic_open(path, mode, overwrite=self.overwrite, **kw) as fh:
            yield fh

    def claim_folder(self, path, names: Iterable[str] = (), what: str = "output folder") -> Path:
        """Check a folder this run fills: a new or empty folder (any folder with ``overwrite``),
        and none of ``names`` inside it (the files it will write) an input or existing file."""
        p = os.fspath(path)
        name = shown(p)
        if os.path.lexists(p) and not os.path.isdir(p):
            raise OutputError(f"{name}: exists and is not a folder; give a folder for the {what}")
        if os.path.isdir(p):
            try:
                with os.scandir(p) as it:
                    busy = next(iter(it), None) is not None
            except OSError as exc:
                raise OutputError(f"{name}: cannot list the {what}: {exc.strerror or exc}") from None
            if busy and not self.overwrite:
                raise OutputError(f"{name}: the {what} exists and is not empty; nothing in it is overwritten "
                                  "(choose a new folder or pass --force-overwrite)")
            if not os.access(p, os.W_OK | os.X_OK):
                raise OutputError(f"{name}: the {what} is not writable")
        else:
            _check_folder(os.path.join(p, "x"), name)
        for n in names:
            self.claim(os.path.join(p, n), what=f"file {n} of the {what}")
        return Path(p)

    @contextmanager
    def folder(self, path, what: str = "output folder") -> Iterator[Path]:
        """Yield a temporary folder beside ``path``; on success every file written in it is
        checked (``claim``, unless claimed by ``claim_folder``) and renamed into ``path``
        (sub-folders kept); on failure it is removed and ``path`` is untouched."""
        import shutil

        final = Path(os.fspath(path))
        final.parent.mkdir(parents=True, exist_ok=True)
        tmp = _temp_name(final)
        tmp.mkdir()
        try:
            yield tmp
            files = sorted(q for q in tmp.rglob("*") if not q.is_dir())
            for q in files:
                dest = final / q.relative_to(tmp)
                if not self.claimed(dest):
                    self.claim(dest, what=f"file {q.relative_to(tmp)} of the {what}")
            for q in files:
                dest = final / q.relative_to(tmp)
                dest.parent.mkdir(parents=True, exist_ok=True)
                _commit(q, dest, self.overwrite)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


def _check_folder(p: str, name: str) -> None:
    """The nearest existing folder above ``p`` must be a folder we may write in."""
    folder = os.path.dirname(os.path.abspath(p))
    while not os.path.exists(folder):
        if os.path.lexists(folder):  # a dangling symlink
            raise OutputError(f"{name}: folder {shown(folder)} is a broken link")
        parent = os.path.dirname(folder)
        if parent == folder:
            break
        folder = parent
    if not os.path.isdir(folder):
        raise OutputError(f"{name}: {shown(folder)} is not a folder")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputError(f"{name}: folder {shown(folder)} is not writable")


def _temp_name(final: Path) -> Path:
    # hidden (directory walks skip it), same folder (the rename stays on one filesystem),
    # same suffix (writers that choose the format by suffix, e.g. matplotlib, still do)
    stem = final.name[:-len(final.suffix)] if final.suffix else final.name
    import secrets  # here, not at import: hmac/_hashlib cost a lint that writes nothing ~5 ms

    return final.with_name(f".{stem[:80]}.sc-tmp-{secrets.token_hex(4)}{final.suffix}")


def _fsync_path(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _commit(tmp: Path, final: Path, overwrite: bool) -> None:
    _fsync_path(tmp)
    if overwrite:
        try:
            mode = stat.S_IMODE(os.stat(final).st_mode) if os.path.isfile(final) else None
            if mode is not None:
                os.chmod(tmp, mode)
        except OSError:
            pass
        os.replace(tmp, final)
    else:
        try:
            os.link(tmp, final)  # fails if the name exists: nothing is clobbered
        except FileExistsError:
            raise OutputError(f"{shown(final)}: exists (appeared during the run); not overwritten "
                              "(pass --force-overwrite to replace it)") from None
        except OSError:  # a filesystem without hard links
            if os.path.lexists(final):
                raise OutputError(f"{shown(final)}: exists; not overwritten "
                                  "(pass --force-overwrite to replace it)") from None
            os.replace(tmp, final)
        else:
            os.unlink(tmp)
    _fsync_path(final.parent)


@contextmanager
def atomic_path(path, *, overwrite: bool = False) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success it becomes ``path`` (fsync, rename).

    The temporary file is created empty (permissions as a new file: 0666 less the umask);
    the caller writes it by any means (a library that takes a file name). On any exception,
    KeyboardInterrupt and SystemExit included, it is removed and ``path`` is untouched.
    """
    final = Path(os.fspath(path))
    try:
        final.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{shown(final)}: cannot create its folder: {exc.strerror or exc}") from None
    tmp = _temp_name(final)
    try:
        os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
    except OSError as exc:
        raise OutputError(f"{shown(final)}: cannot write: {exc.strerror or exc}") from None
    try:
        yield tmp
        if os.path.isdir(tmp):
            raise OutputError(f"{shown(final)}: the writer made a folder, not a file")
        _commit(tmp, final, overwrite)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


@contextmanager
def atomic_open(path, mode: str = "w", *, overwrite: bool = False, **kw):
    """``open`` for writing through ``atomic_path`` (``mode`` "w" or "wb")."""
    if mode not in ("w", "wb", "wt"):
        raise ValueError(f"atomic_open writes a new file (mode 'w' or 'wb'), not {mode!r}")
    if "b" not in mode:
        kw.setdefault("encoding", "utf-8")
    with atomic_path(path, overwrite=overwrite) as tmp:
        with open(tmp, mode, **kw) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())


def write_text(path, text: str, *, overwrite: bool = False) -> None:
    with atomic_open(path, "w", overwrite=overwrite) as fh:
        fh.write(text)
