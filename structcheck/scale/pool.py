"""Local process pools (--jobs): batches sized by bytes, results in input order through a bounded window."""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator

from ..io import FrameRecord
from .batch import PortableConfig, _init_worker, lint_batch
from .paths import Special

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
    every worker gets work at once, and per-task overhead stays small later; standard input
    and ``Special`` paths (not regular files) are a batch each) or stop at
    ``max_bytes`` (``None``: by count only, no ``stat``), counted by ``_SampledSize`` with
    an even share (``max_bytes / max_files``) as the size of a small file."""
    batch: list = []
    limit = min(first_files, max_files)
    sizes = _SampledSize(max_bytes / max_files) if max_bytes is not None else None
    cwd = os.getcwd() if absolute else ""
    for p in paths:
        real = (p if os.path.isabs(p) else os.path.join(cwd, p)) if (absolute and p != "-") else None
        if p == "-" or type(p) is Special:  # reading it may wait: alone, so nothing else waits with it
            if batch:
                yield batch
                batch = []
            yield [(str(p), real)]
            continue
        batch.append((p, real))
        if len(batch) >= limit or (sizes is not None and sizes.add(p) >= max_bytes):
            yield batch
            batch = []
            limit = min(2 * limit, max_files)
            if sizes is not None:
                sizes = _SampledSize(sizes.share)
    if batch:
        yield batch


def ordered_map(submit: Callable, items: Iterable, window: int,
                before_wait: Callable[[], None] | None = None) -> Iterator:
    """``submit(item).result()`` for each item, in input order, at most ``window`` in flight;
    ``before_wait()`` is called whenever the next result is not ready yet (the consumer's
    moment to flush what it has: everything before it is out when we block)."""
    it = iter(items)
    pending: deque = deque()
    for item in it:
        pending.append(submit(item))
        if len(pending) >= window:
            break
    while pending:
        if before_wait is not None and not pending[0].done():
            before_wait()
        result = pending.popleft().result()
        nxt = next(it, None)
        if nxt is not None:
            pending.append(submit(nxt))
        yield result


def _reads_stdin(batch) -> bool:
    """Standard input cannot travel to a worker: a batch holding it is linted here."""
    return any(p == "-" for p, _ in batch)


def _local_first(submit: Callable, fmt, config) -> Callable:
    """Standard input cannot travel to a worker: such a batch is linted here."""
    from concurrent.futures import Future

    def go(batch):
        if _reads_stdin(batch):
            f: Future = Future()
            f.set_result(lint_batch(batch, fmt, config))
            return f
        return submit(batch)

    return go


def _warm(config) -> None:
    """Lint one tiny water molecule so that every module a check imports lazily is loaded."""
    from ase import Atoms

    from ..linter.engine import lint_atoms

    try:
        lint_atoms(Atoms("OH2", positions=[(0, 0, 0), (0.76, 0.59, 0), (-0.76, 0.59, 0)]), config)
    except Exception:  # noqa: BLE001, S110 - warming is an optimisation only
        pass


def lint_paths_pool(paths: Iterable[str], fmt: str | None, config, jobs: int,
                    batch_files: int = 256, batch_bytes: int = 8 << 20,
                    before_wait: Callable[[], None] | None = None) -> Iterator[tuple[FrameRecord, list]]:
    """Files spread over ``jobs`` local processes; results in input order (``before_wait``:
    see ``ordered_map``). Where ``os.fork`` exists, workers are forked once after the lazy
    imports are done (``forkpool``); elsewhere a ``ProcessPoolExecutor`` spawns them."""
    batches = _batches(paths, batch_files, batch_bytes, False)
    if hasattr(os, "fork"):
        from .forkpool import ordered_fork_map

        _warm(config)  # lazy imports happen once here: forked workers inherit them
        for results in ordered_fork_map(lambda b: lint_batch(b, fmt, config), batches, jobs, 4 * jobs,
                                        local=_reads_stdin, before_wait=before_wait):
            yield from _expand(results)
        return
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(jobs, initializer=_init_worker, initargs=(PortableConfig(config),)) as pool:
        submit = _local_first(lambda b: pool.submit(lint_batch, b, fmt), fmt, config)
        try:
            for results in ordered_map(submit, batches, 4 * jobs, before_wait):
                yield from _expand(results)
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise
