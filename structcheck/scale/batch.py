"""Worker side of parallel linting: a portable configuration, batches of files, the Dask profiler pause."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from .paths import lint_files

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
            from ..linter.config import Config, ConfigError
            from ..linter.registry import all_rules

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
    """(path, frames, rows of the frames with findings or an error) per file of ``batch``."""
    out = [(path, 0, []) for path, _ in batch]
    for k, rec, found in lint_files(batch, fmt, config):
        path, n, rows = out[k]
        if found or rec.error is not None:
            rows.append((n, rec.index, rec.line, rec.error, found))
        out[k] = (path, n + 1, rows)
    return out


