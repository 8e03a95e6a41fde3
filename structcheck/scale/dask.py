"""Linting on an existing Dask cluster (--dask-scheduler), the first files linted locally while connecting."""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Iterator

from ..io import FrameRecord
from . import IncompleteRun
from .batch import Batch, PortableConfig, lint_batch
from .pool import _batches, _expand, _local_first, _SampledSize, ordered_map

DASK_CONNECT_TIMEOUT = "20s"
# seconds with no worker left (after workers were seen) before the run is declared incomplete;
# the scheduler itself would wait for ever (distributed's no-workers-timeout is off by default)
NO_WORKERS_TIMEOUT = 60.0
POLL_SECONDS = 1.0


def no_workers_timeout() -> float:
    """:data:`NO_WORKERS_TIMEOUT`, or ``$STRUCTCHECK_DASK_NO_WORKERS_TIMEOUT`` (seconds)."""
    try:
        return float(os.environ.get("STRUCTCHECK_DASK_NO_WORKERS_TIMEOUT", NO_WORKERS_TIMEOUT))
    except ValueError:
        return NO_WORKERS_TIMEOUT


class _Watch:
    """Waits for a task's result while watching the cluster: when every worker has been gone
    for ``timeout`` seconds, the wait ends with :class:`IncompleteRun` instead of hanging."""

    def __init__(self, client, timeout: float, poll: float = POLL_SECONDS):
        self.client, self.timeout, self.poll = client, timeout, poll
        self.empty_since: float | None = None

    def wrap(self, fut):
        return _Watched(fut, self)

    def result(self, fut):
        while True:
            try:
                return fut.result(timeout=self.poll)
            except TimeoutError:
                self.check()

    def check(self) -> None:
        try:
            workers = self.client.nthreads()
        except (OSError, TimeoutError) as exc:
            raise IncompleteRun(f"lost the Dask scheduler ({type(exc).__name__}: {exc})") from None
        if workers:
            self.empty_since = None
            return
        now = time.monotonic()
        if self.empty_since is None:
            self.empty_since = now
        elif now - self.empty_since >= self.timeout:
            raise IncompleteRun(f"every Dask worker is gone (none for {self.timeout:g} s; "
                                "$STRUCTCHECK_DASK_NO_WORKERS_TIMEOUT)")


class _Watched:
    def __init__(self, fut, watch: _Watch):
        self.fut, self.watch = fut, watch

    def result(self):
        return self.watch.result(self.fut)

    def done(self) -> bool:
        return self.fut.done()


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


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


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
                    head_files: int = HEAD_FILES, pause_profiler: bool = True,
                    before_wait=None) -> Iterator[tuple[FrameRecord, list]]:
    """Files spread over an existing Dask distributed cluster; results in input order
    (``before_wait``: see ``pool.ordered_map``).

    Workers must see the files at the same absolute paths (a shared filesystem) and have
    structcheck installed. While this process imports dask.distributed and connects, a
    forked local process lints the first files (``head_files``, 0: none).
    """
    from concurrent.futures import CancelledError  # a cancelled Dask future

    from ..linter.config import ConfigError

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
        if head is not None:
            done = head.finish()
            yield from _expand(done)
            paths = head.remaining(done)
        try:
            # hash=False: a key of this run's own; a content-hashed key is shared with any other run of the
            # same configuration on the cluster, and the one that ends first releases it under the other's
            # tasks ("cancelled for reason: lost dependencies")
            cfg = client.scatter(PortableConfig(config), broadcast=True, hash=False)
        except (TimeoutError, ValueError, OSError) as exc:  # "No valid workers found"
            raise IncompleteRun(f"the Dask cluster at {address} has no running worker ({_first_line(exc)}); "
                                "no file was linted there") from None
        watch = _Watch(client, no_workers_timeout())
        submit = _local_first(lambda b: watch.wrap(client.submit(lint_batch, Batch(b), fmt, cfg, pause_profiler,
                                                                 pure=False)), fmt, config)
        try:
            for results in ordered_map(submit, _batches(paths, batch_files, batch_bytes, True), 4 * nthreads,
                                       before_wait):
                yield from _expand(results)
        except IncompleteRun:
            raise
        except (Exception, CancelledError) as exc:  # noqa: BLE001 - KilledWorker, a lost connection...
            raise IncompleteRun(f"the Dask run stopped: {type(exc).__name__}: {_first_line(exc)}") from exc
    finally:
        if head is not None:
            head.finish()
        client.close()


# ---------------------------------------------------------------- progress


