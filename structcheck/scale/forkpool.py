"""A lean pool of forked worker processes for ``--jobs`` (POSIX): pipes, pickles, one selector.

Why not ``concurrent.futures.ProcessPoolExecutor``: for a folder of small files the pool's own
cost is a visible share of the run (importing multiprocessing and concurrent.futures, its
queue-feeder and manager threads in this process, semaphores); here each worker is forked
once and talks over two pipes, and this process waits on one ``select``. Results come back in
input order; a worker that dies ends the run with ``BrokenProcessPool`` (the run is reported
incomplete), as with the executor.
"""

from __future__ import annotations

import os
import pickle
import selectors
import signal
import struct
from collections.abc import Callable, Iterable, Iterator

_HEAD = struct.Struct("<Q")


def _read_exact(fd: int, n: int) -> bytes | None:
    chunks, got = [], 0
    while got < n:
        b = os.read(fd, n - got)
        if not b:
            return None
        chunks.append(b)
        got += len(b)
    return b"".join(chunks)


def _serve(task_fd: int, result_fd: int, work: Callable) -> None:
    """A worker's life: read (seq, item), answer (seq, ok, result or exception), until EOF."""
    while True:
        head = _read_exact(task_fd, _HEAD.size)
        if head is None:
            return
        body = _read_exact(task_fd, _HEAD.unpack(head)[0])
        if body is None:
            return
        seq, item = pickle.loads(body)
        try:
            answer = (seq, True, work(item))
        except Exception as exc:  # noqa: BLE001 - travels back and is raised in the parent
            answer = (seq, False, exc)
        try:
            data = pickle.dumps(answer, pickle.HIGHEST_PROTOCOL)
        except Exception as exc:  # noqa: BLE001 - an unpicklable result or exception
            data = pickle.dumps((seq, False, RuntimeError(f"{type(exc).__name__}: {exc}")), pickle.HIGHEST_PROTOCOL)
        view = memoryview(_HEAD.pack(len(data)) + data)
        while view:
            view = view[os.write(result_fd, view):]


class _Worker:
    __slots__ = ("pid", "task_fd", "result_fd", "outbuf", "inbuf", "busy")

    def __init__(self, pid: int, task_fd: int, result_fd: int):
        self.pid, self.task_fd, self.result_fd = pid, task_fd, result_fd
        self.outbuf = bytearray()
        self.inbuf = bytearray()
        self.busy = 0  # tasks sent and not answered


def _fork_worker(work: Callable, others: list[_Worker]) -> _Worker:
    task_r, task_w = os.pipe()
    result_r, result_w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the worker: never returns, never runs the parent's exit handlers
        code = 0
        try:
            signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            for fd in (task_w, result_r, *(w.task_fd for w in others), *(w.result_fd for w in others)):
                os.close(fd)
            _serve(task_r, result_w, work)
        except BaseException:  # noqa: BLE001 - the parent sees the pipe close and says so
            code = 1
        finally:
            os._exit(code)
    os.close(task_r)
    os.close(result_w)
    os.set_blocking(task_w, False)
    return _Worker(pid, task_w, result_r)


def ordered_fork_map(work: Callable, items: Iterable, jobs: int, window: int,
                     local: Callable[[object], bool] = lambda item: False,
                     before_wait: Callable[[], None] | None = None) -> Iterator:
    """``work(item)`` for each item in ``jobs`` forked processes, results in input order; at
    most ``window`` items sent and not yet yielded. Items for which ``local(item)`` is true run
    in this process (standard input cannot travel). ``before_wait()``: called whenever the
    next result is not in yet."""
    workers: list[_Worker] = []
    sel = selectors.DefaultSelector()
    try:
        for _ in range(jobs):
            workers.append(_fork_worker(work, workers))
        for w in workers:
            sel.register(w.result_fd, selectors.EVENT_READ, w)
        yield from _drive(work, iter(items), workers, sel, window, local, before_wait)
    finally:
        _stop(workers, sel)


def _drive(work, items, workers, sel, window, local, before_wait) -> Iterator:
    results: dict[int, object] = {}
    sent = done_seq = 0
    exhausted = False
    while True:
        while not exhausted and sent - done_seq < window:  # hand out work to idle or nearly idle workers
            w = min(workers, key=lambda w: w.busy)
            if w.busy >= 2:
                break
            item = next(items, _END)
            if item is _END:
                exhausted = True
                break
            if local(item):
                results[sent] = (None, item)  # run here when its turn comes: all before it is out
            else:
                data = pickle.dumps((sent, item), pickle.HIGHEST_PROTOCOL)
                w.outbuf += _HEAD.pack(len(data)) + data
                w.busy += 1
                _flush(w, sel)
            sent += 1
        if done_seq in results:
            ok, value = results.pop(done_seq)
            done_seq += 1
            if ok is None:
                if before_wait is not None:
                    before_wait()  # reading standard input may wait: what came before is out first
                value = work(value)
            elif not ok:
                raise value
            yield value
            continue
        if exhausted and done_seq == sent:
            return
        if before_wait is not None:
            before_wait()
        for key, events in sel.select():
            w = key.data
            if events & selectors.EVENT_WRITE:
                _flush(w, sel)
            if events & selectors.EVENT_READ:
                _receive(w, results, sel)


_END = object()


def _flush(w: _Worker, sel) -> None:
    """Write what the pipe takes now; watch the pipe for room while anything is left."""
    if w.outbuf:
        try:
            n = os.write(w.task_fd, w.outbuf)
        except BlockingIOError:
            n = 0
        except BrokenPipeError:  # the worker is gone: its result pipe says how
            n = len(w.outbuf)
        del w.outbuf[:n]
    watched = w.task_fd in sel.get_map()
    if w.outbuf and not watched:
        sel.register(w.task_fd, selectors.EVENT_WRITE, w)
    elif not w.outbuf and watched:
        sel.unregister(w.task_fd)


def _receive(w: _Worker, results: dict, sel) -> None:
    chunk = os.read(w.result_fd, 1 << 16)  # a pipe holds 64 KiB
    if not chunk:
        _died(w)
    w.inbuf += chunk
    while len(w.inbuf) >= _HEAD.size:
        n = _HEAD.unpack_from(w.inbuf)[0]
        if len(w.inbuf) < _HEAD.size + n:
            break
        seq, ok, value = pickle.loads(w.inbuf[_HEAD.size:_HEAD.size + n])
        del w.inbuf[:_HEAD.size + n]
        w.busy -= 1
        results[seq] = (ok, value)


def _died(w: _Worker) -> None:
    from concurrent.futures.process import BrokenProcessPool

    try:
        _, status = os.waitpid(w.pid, 0)
        how = (f"killed by signal {os.WTERMSIG(status)}" if os.WIFSIGNALED(status)
               else f"exit code {os.WEXITSTATUS(status)}")
    except ChildProcessError:
        how = "gone"
    w.pid = 0
    raise BrokenProcessPool(f"a worker process ended abruptly ({how}) with work unfinished")


def _stop(workers: list[_Worker], sel) -> None:
    sel.close()
    for w in workers:
        for fd in (w.task_fd, w.result_fd):
            try:
                os.close(fd)
            except OSError:
                pass
    for w in workers:  # EOF on its task pipe ends an idle worker; a busy one is stopped
        if w.pid and w.busy:
            try:
                os.kill(w.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
    for w in workers:
        if w.pid:
            try:
                os.waitpid(w.pid, 0)
            except ChildProcessError:
                pass
