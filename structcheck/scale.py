"""Linting at scale: directories, ASE databases, process pools, Dask, a progress bar.

Everything streams: paths come from a lazy directory walk, frames from ``io.iter_frames``
(or a paged ASE database reader), and parallel work goes out in a bounded window of
batches whose results come back in input order. Memory therefore stays flat in the
number of files and frames (only findings are kept, and only by the report formats
that need them all: json, sarif, --statistics).
"""

from __future__ import annotations

import fnmatch
import os
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence

from .io import FrameRecord, iter_frames

# Files a directory walk picks up unless --include says otherwise (names, fnmatch).
DEFAULT_INCLUDE = ("*.xyz", "*.extxyz", "*.cif", "*.vasp", "*.poscar", "POSCAR*", "CONTCAR*",
                   "*.traj", "*.db", "*.pdb", "*.xsf", "*.res", "*.gen", "*.cfg", "*.mol", "*.sdf")
# Never walked into or picked up by a directory walk (explicitly named files always are).
DEFAULT_EXCLUDE = (".*", "__pycache__", "*.fixed.extxyz")

DB_SUFFIXES = (".db",)
DB_PAGE = 1000  # rows per database query (keyset paging: memory flat in the number of rows)
DASK_CONNECT_TIMEOUT = "20s"


# ---------------------------------------------------------------- paths


def _matches(name: str, rel: str, patterns: Sequence[str]) -> bool:
    """``fnmatch.fnmatchcase`` of the name or the relative path against any pattern (one
    compiled regular expression per pattern set: a walk tests every entry)."""
    rx = _PATTERNS.get(patterns)
    if rx is None:
        import re

        rx = _PATTERNS[patterns] = re.compile("|".join(fnmatch.translate(p) for p in patterns) or "(?!)")
    return rx.match(name) is not None or (rel != name and rx.match(rel) is not None)


_PATTERNS: dict = {}


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


def _walk(top: str, rel: str, inc, exc, ancestors: frozenset) -> Iterator[str]:
    folder = os.path.join(top, rel) if rel else top
    try:
        st = os.stat(folder)
        key = (st.st_dev, st.st_ino)
        if key in ancestors:  # a symlink loop
            return
        with os.scandir(folder) as it:
            entries = sorted((e.name, e.is_dir(follow_symlinks=True)) for e in it)
    except OSError:
        return
    ancestors = ancestors | {key}
    for name, is_dir in entries:
        r = f"{rel}/{name}" if rel else name
        if _matches(name, r, exc):
            continue
        if is_dir:
            yield from _walk(top, r, inc, exc, ancestors)
        elif _matches(name, r, inc):
            yield os.path.join(top, r)


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
    from .engine import lint_frames

    for path in paths:
        # one lint_frames per file: its per-path rule cache then never grows with the file count
        yield from lint_frames(iter_file_frames(path, fmt), config)


# ---------------------------------------------------------------- batches (for workers)

_WORKER_CONFIG = None


class PortableConfig:
    """A resolved ``Config`` that travels to workers as data: rules by code, not as pickled
    functions, so a worker looks them up in its own registry (and says so if it lacks one)."""

    def __init__(self, config):
        self.fields = {k: v for k, v in vars(config).items() if k != "enabled"}
        self.codes = list(config.enabled)
        self._config = config

    def __getstate__(self):
        return {"fields": self.fields, "codes": self.codes}

    def __setstate__(self, state):
        self.fields, self.codes, self._config = state["fields"], state["codes"], None

    def restore(self):
        if self._config is None:
            from .engine import Config, ConfigError, all_rules

            by_code = {r.code: r for r in all_rules()}
            missing = [c for c in self.codes if c not in by_code]
            if missing:
                raise ConfigError(f"this worker's structcheck has no rule {', '.join(missing)}: "
                                  "install the same structcheck version everywhere")
            self._config = Config(enabled={c: by_code[c] for c in self.codes}, **self.fields)
        return self._config


def _init_worker(config) -> None:
    global _WORKER_CONFIG
    _WORKER_CONFIG = config
    os.environ.setdefault("OMP_NUM_THREADS", "1")


class Batch:
    """Files for one task, ``(path, open_path)`` pairs, as one opaque object: Dask does not
    walk into it looking for futures (it does for lists and tuples, item by item)."""

    __slots__ = ("items",)

    def __init__(self, items):
        self.items = items

    def __getstate__(self):
        return self.items

    def __setstate__(self, state):
        self.items = state


def lint_batch(batch: Sequence[tuple[str, str | None]] | Batch, fmt: str | None, config=None,
               pause_profiler: bool = False) -> list[tuple]:
    """Lint whole files; per file ``(path, n_frames, rows)`` where rows holds only frames with
    findings or errors: ``(position, index, line, error, findings)``. Runs on a worker."""
    if isinstance(batch, Batch):
        batch = batch.items
    config = config if config is not None else _WORKER_CONFIG
    if isinstance(config, PortableConfig):
        config = config.restore()
    if not pause_profiler:
        return _lint_batch(batch, fmt, config)
    with _DaskProfilerPaused():
        return _lint_batch(batch, fmt, config)


class _DaskProfilerPaused:
    """On a Dask worker, stop its statistical profiler (a periodic callback on the worker's
    event loop that walks every task thread's stack each 10 ms) while structcheck tasks
    run, and start it again when the last one on this worker ends. Elsewhere: nothing."""

    active: dict = {}  # worker id -> structcheck tasks running there
    locks: dict = {}

    def __enter__(self):
        import threading

        lock = self.locks.setdefault("lock", threading.Lock())  # setdefault: atomic
        self.pc = self.worker = None
        if "distributed" not in sys.modules:
            return self
        try:
            from distributed import get_worker

            worker = get_worker()
            pc = worker.periodic_callbacks.get("profile")
        except Exception:  # noqa: BLE001 - not on a worker, or a distributed without it
            return self
        if pc is None:
            return self
        with lock:
            n = self.active.get(id(worker), 0)
            if n == 0 and not pc.is_running():
                return self  # switched off by its owner: leave it off
            self.active[id(worker)] = n + 1
            if n == 0:
                worker.loop.add_callback(pc.stop)  # callbacks belong to the event loop's thread
        self.pc, self.worker = pc, worker
        return self

    def __exit__(self, *exc):
        if self.pc is None:
            return False
        with self.locks["lock"]:
            n = self.active[id(self.worker)] - 1
            self.active[id(self.worker)] = n
            if n == 0:
                self.worker.loop.add_callback(self.pc.start)
        return False


def _lint_batch(batch, fmt, config) -> list[tuple]:
    from .engine import lint_frames

    out = []
    for path, open_path in batch:
        n = 0
        rows = []
        for rec, found in lint_frames(iter_file_frames(path, fmt, open_path), config):
            if found or rec.error is not None:
                rows.append((n, rec.index, rec.line, rec.error, found))
            n += 1
        out.append((path, n, rows))
    return out


def _expand(results: list[tuple]) -> Iterator[tuple[FrameRecord, list]]:
    for path, n, rows in results:
        rows = deque(rows)
        for pos in range(n):
            if rows and rows[0][0] == pos:
                _, index, line, error, found = rows.popleft()
                yield FrameRecord(path, index, None, line, error), found
            else:
                yield FrameRecord(path, pos), []


class _SampledSize:
    """A running byte count of files whose sizes are sampled: every 8th file from the
    first, and every file while the last one sampled was larger than ``share``. A folder of
    small files costs one ``stat`` per 8 files; big files are still counted."""

    def __init__(self, share: float):
        self.share = share
        self.total = 0
        self.seen = 0
        self.sampling = True

    def add(self, path: str) -> int:
        if path != "-" and (self.sampling or self.seen % 8 == 0):
            try:
                got = os.stat(path).st_size
            except OSError:
                got = 0
            self.total += got
            self.sampling = got > self.share
        self.seen += 1
        return self.total


def _batches(paths: Iterable[str], max_files: int, max_bytes: int | None, absolute: bool,
             first_files: int = 8) -> Iterator[list]:
    """Consecutive files in batches; sizes double from ``first_files`` to ``max_files`` (so
    every worker gets work at once, and per-task overhead stays small later) or stop at
    ``max_bytes`` (``None``: by count only, no ``stat``), counted by ``_SampledSize`` with
    an even share (``max_bytes / max_files``) as the size of a small file."""
    batch: list = []
    limit = min(first_files, max_files)
    sizes = _SampledSize(max_bytes / max_files) if max_bytes is not None else None
    cwd = os.getcwd() if absolute else ""
    for p in paths:
        real = (p if os.path.isabs(p) else os.path.join(cwd, p)) if (absolute and p != "-") else None
        batch.append((p, real))
        if len(batch) >= limit or (sizes is not None and sizes.add(p) >= max_bytes):
            yield batch
            batch = []
            limit = min(2 * limit, max_files)
            if sizes is not None:
                sizes = _SampledSize(sizes.share)
    if batch:
        yield batch


def ordered_map(submit: Callable, items: Iterable, window: int) -> Iterator:
    """``submit(item).result()`` for each item, in input order, at most ``window`` in flight."""
    it = iter(items)
    pending: deque = deque()
    for item in it:
        pending.append(submit(item))
        if len(pending) >= window:
            break
    while pending:
        result = pending.popleft().result()
        nxt = next(it, None)
        if nxt is not None:
            pending.append(submit(nxt))
        yield result


def _local_first(submit: Callable, fmt, config) -> Callable:
    """Standard input cannot travel to a worker: such a batch is linted here."""
    from concurrent.futures import Future

    def go(batch):
        if any(p == "-" for p, _ in batch):
            f: Future = Future()
            f.set_result(lint_batch(batch, fmt, config))
            return f
        return submit(batch)

    return go


def _warm(config) -> None:
    """Lint one tiny water molecule so that every module a check imports lazily is loaded."""
    from ase import Atoms

    from .engine import lint_atoms

    try:
        lint_atoms(Atoms("OH2", positions=[(0, 0, 0), (0.76, 0.59, 0), (-0.76, 0.59, 0)]), config)
    except Exception:  # noqa: BLE001, S110 - warming is an optimisation only
        pass


def lint_paths_pool(paths: Iterable[str], fmt: str | None, config, jobs: int,
                    batch_files: int = 256, batch_bytes: int = 8 << 20) -> Iterator[tuple[FrameRecord, list]]:
    """Files spread over ``jobs`` local processes; results in input order."""
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else None
    if ctx is not None:
        _warm(config)  # lazy imports happen once here: forked workers inherit them
    with ProcessPoolExecutor(jobs, mp_context=ctx, initializer=_init_worker,
                             initargs=(config if ctx is not None else PortableConfig(config),)) as pool:
        submit = _local_first(lambda b: pool.submit(lint_batch, b, fmt), fmt, config)
        try:
            for results in ordered_map(submit, _batches(paths, batch_files, batch_bytes, False), 4 * jobs):
                yield from _expand(results)
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise


class _Head:
    """The first files, linted in a forked local process while this one imports
    dask.distributed and connects (~0.5 s of a core that would idle otherwise).

    The child lints files in order until told to stop and sends back results for the
    prefix it finished; the rest of the head goes to the cluster like any other file.
    Only where ``fork`` exists and this process has no other thread (forking threads is
    unsafe); otherwise, or on any failure, nothing is linted here.
    """

    def __init__(self, paths: Iterator[str], fmt, config, max_files: int, max_bytes: int):
        import threading

        self.files: list[str] = []
        self.proc = None
        self.rest: Iterable[str] = paths
        sizes = _SampledSize(max_bytes / max_files)
        for p in paths:
            if p == "-":  # standard input and what follows: not here
                self.rest = _chain_one(p, paths)
                break
            self.files.append(p)
            if len(self.files) >= max_files or sizes.add(p) >= max_bytes:
                break
        import multiprocessing as mp

        if not self.files or "fork" not in mp.get_all_start_methods() or threading.active_count() != 1:
            return
        try:
            ctx = mp.get_context("fork")
            self.stop = ctx.Event()
            self.conn, child = ctx.Pipe(duplex=False)
            self.proc = ctx.Process(target=_lint_head, args=(child, self.stop, self.files, fmt, config), daemon=True)
            self.proc.start()
            child.close()
        except (OSError, ValueError):
            self.proc = None

    def finish(self) -> list[tuple]:
        """Stop the child; per-file results (as ``lint_batch``) of the prefix it finished."""
        if self.proc is None:
            return []
        done: list = []
        try:
            self.stop.set()
            got = self.conn.recv()
            done = got if isinstance(got, list) else []
        except (EOFError, OSError):
            done = []
        finally:
            self.conn.close()
            self.proc.join()
            self.proc = None
        return done

    def remaining(self, done: list) -> Iterator[str]:
        yield from self.files[len(done):]
        yield from self.rest


def _chain_one(first, rest):
    yield first
    yield from rest


def _lint_head(conn, stop, files, fmt, config) -> None:
    out: list = []
    try:
        for path in files:
            if stop.is_set():
                break
            out.extend(lint_batch([(path, None)], fmt, config))
    except BaseException:  # noqa: BLE001 - then the cluster lints these files
        out = None
    try:
        conn.send(out)
    finally:
        conn.close()


HEAD_FILES = 4096        # at most this many files linted locally while connecting to Dask
HEAD_BYTES = 16 << 20    # ... or this many bytes


def lint_paths_dask(paths: Iterable[str], fmt: str | None, config, address: str,
                    batch_files: int = 1024, batch_bytes: int | None = 16 << 20,
                    head_files: int = HEAD_FILES, pause_profiler: bool = True) -> Iterator[tuple[FrameRecord, list]]:
    """Files spread over an existing Dask distributed cluster; results in input order.

    Workers must see the files at the same absolute paths (a shared filesystem) and have
    structcheck installed. While this process imports dask.distributed and connects, a
    forked local process lints the first files (``head_files``, 0: none).
    """
    from .engine import ConfigError

    head = _Head(iter(paths), fmt, config, head_files, HEAD_BYTES) if head_files > 0 else None
    try:
        try:
            from distributed import Client
        except ImportError:
            raise ConfigError("--dask-scheduler needs dask.distributed: pip install 'structcheck[scale]' "
                              "(or 'dask[distributed]')") from None
        try:
            client = Client(address, timeout=DASK_CONNECT_TIMEOUT, set_as_default=False)
        except (OSError, TimeoutError, ValueError) as exc:
            raise ConfigError(f"cannot connect to the Dask scheduler at {address}: {exc}") from None
    except BaseException:
        if head is not None:
            head.finish()
        raise
    try:
        nthreads = sum(client.nthreads().values()) or 1
        cfg = client.scatter(PortableConfig(config), broadcast=True)
        if head is not None:
            done = head.finish()
            yield from _expand(done)
            paths = head.remaining(done)
        submit = _local_first(lambda b: client.submit(lint_batch, Batch(b), fmt, cfg, pause_profiler,
                                                           pure=False), fmt, config)
        for results in ordered_map(submit, _batches(paths, batch_files, batch_bytes, True), 4 * nthreads):
            yield from _expand(results)
    finally:
        if head is not None:
            head.finish()
        client.close()


# ---------------------------------------------------------------- progress


class Progress:
    """One status line on a terminal: files done, frames, findings so far, rate.

    ``clear()`` before writing report lines to the same terminal; ``close()`` at the end.
    """

    def __init__(self, stream=None, enabled: bool = True, interval_s: float = 0.1):
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.interval_s = interval_s
        self.files = self.frames = self.findings = 0
        self._last_path = None
        self._t0 = time.perf_counter()
        self._drawn_at = 0.0
        self.drawn = False

    def update(self, path: str, n_findings: int) -> None:
        if path != self._last_path:
            self.files += 1
            self._last_path = path
        self.frames += 1
        self.findings += n_findings
        if self.enabled:
            now = time.perf_counter()
            if now - self._drawn_at >= self.interval_s:
                self._drawn_at = now
                self.draw(now)

    def line(self, now: float | None = None) -> str:
        dt = max((now or time.perf_counter()) - self._t0, 1e-9)
        return (f"structcheck: {self.files} file(s), {self.frames} frame(s), {self.findings} finding(s), "
                f"{self.frames / dt:,.0f} frames/s, {self.files / dt:,.0f} files/s")

    def draw(self, now: float | None = None) -> None:
        self.stream.write("\r\x1b[K" + self.line(now))
        self.stream.flush()
        self.drawn = True

    def clear(self) -> None:
        if self.drawn:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self.drawn = False

    def close(self) -> None:
        self.clear()


def progress_enabled(mode: str, fmt: str, out) -> bool:
    """``auto``: only when stderr and the report are terminals and the report is not JSON."""
    if mode == "on":
        return True
    if mode == "off" or fmt in ("json", "jsonl", "sarif"):
        return False
    try:
        return sys.stderr.isatty() and (out is None or out.isatty())
    except (AttributeError, ValueError):
        return False


def with_progress(pairs: Iterable[tuple[FrameRecord, list]], progress: Progress) -> Iterator:
    try:
        for rec, found in pairs:
            progress.update(rec.path, len(found))
            if found:
                progress.clear()  # the report lines that follow start on a clean line
            yield rec, found
    finally:
        progress.close()


# ---------------------------------------------------------------- the CLI entry


def iter_lint(args, config, out=None) -> Iterator[tuple[FrameRecord, list]]:
    """(record, findings) per frame for ``structcheck lint``, in input order."""
    from .engine import ConfigError

    paths = iter_paths(args.paths, getattr(args, "include", None), getattr(args, "exclude", None) or ())
    fmt = args.format_in
    jobs = getattr(args, "jobs", 1) or 1
    address = getattr(args, "dask_scheduler", None)
    if jobs < 0:
        raise ConfigError("--jobs must be 0 (all cores) or a positive number")
    if jobs == 0:
        jobs = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    if address:
        pairs = lint_paths_dask(paths, fmt, config, address,
                                pause_profiler=getattr(args, "dask_profiler", "pause") == "pause")
    elif jobs > 1:
        pairs = lint_paths_pool(paths, fmt, config, jobs)
    else:
        pairs = lint_paths(paths, fmt, config)
    mode = getattr(args, "progress", "auto") or "auto"
    if getattr(args, "output_file", None):
        out = None  # the report goes to a file: the terminal is free for the progress line
    if progress_enabled(mode, args.output_format, out):
        return with_progress(pairs, Progress(sys.stderr))
    return pairs
