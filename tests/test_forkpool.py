"""The forked worker pool behind ``lint --jobs N`` (POSIX): order, big messages, errors, dead
workers, clean-up (no worker outlives the run), standard input in the parent, streaming."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="the fork pool exists only where os.fork does")

from structcheck.scale.forkpool import ordered_fork_map  # noqa: E402


def _children() -> set[int]:
    """Processes whose parent is this one (from /proc)."""
    me = str(os.getpid())
    kids = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    text = fh.read()
            except OSError:
                continue
            if text[text.rindex(")") + 2:].split()[1] == me:
                kids.add(int(entry))
    return kids


def _square(x):
    time.sleep(0.001 * (x % 3))  # answers arrive out of order
    return x * x


def test_results_in_input_order_and_workers_gone():
    before = _children()
    assert list(ordered_fork_map(_square, range(200), 3, 12)) == [x * x for x in range(200)]
    assert _children() == before


def test_big_items_and_results_cross_full_pipes():
    """Messages many times a pipe's 64 KiB, both ways, with several in flight per worker."""
    items = [bytes([k]) * (300_000 + k) for k in range(24)]
    got = list(ordered_fork_map(lambda b: b[::-1] + b, items, 2, 8))
    assert got == [b[::-1] + b for b in items]


def test_an_exception_in_a_worker_reaches_the_caller_after_the_results_before_it():
    def work(x):
        if x == 7:
            raise ValueError("bad item 7")
        return x

    before = _children()
    out = []
    with pytest.raises(ValueError, match="bad item 7"):
        for r in ordered_fork_map(work, range(40), 2, 6):
            out.append(r)
    assert out == list(range(7))
    assert _children() == before


def test_a_worker_that_dies_breaks_the_pool_and_leaves_no_process():
    from concurrent.futures.process import BrokenProcessPool

    def work(x):
        if x == 5:
            os._exit(9)  # as the OOM killer's victim, or a native crash
        return x

    before = _children()
    with pytest.raises(BrokenProcessPool, match="exit code 9"):
        list(ordered_fork_map(work, range(50), 2, 6))
    assert _children() == before


def test_a_consumer_that_stops_early_leaves_no_process():
    before = _children()
    gen = ordered_fork_map(lambda x: (time.sleep(0.05), x)[1], range(100), 2, 8)
    assert [next(gen), next(gen)] == [0, 1]
    gen.close()
    assert _children() == before


def test_local_items_run_here_in_order_and_before_wait_is_called():
    waits = []
    got = list(ordered_fork_map(lambda x: (x, os.getpid()), ["a", "-", "b", "-", "c"], 2, 4,
                                local=lambda x: x == "-", before_wait=lambda: waits.append(1)))
    assert [x for x, _ in got] == ["a", "-", "b", "-", "c"]
    here = [pid == os.getpid() for _, pid in got]
    assert here == [False, True, False, True, False]
    assert waits  # the consumer was told each time it would wait


@pytest.mark.parametrize("where", ["named", "walked"])
def test_sigterm_to_a_jobs_run_stops_every_worker(tmp_path, where):
    """A worker blocked on a FIFO nobody writes is busy for ever: the findings of the files
    before it are out meanwhile (named after the folder: all of the folder's; found by the
    walk between m10 and m11: m02's and m07's, in order), and SIGTERM ends the command (143)
    and leaves its process group empty."""
    from ase import Atoms
    from ase.io import write

    folder = tmp_path / "d"
    folder.mkdir()
    for k in range(20):
        atoms = Atoms("OH2", positions=[(0, 0, 0), (0.96, 0, 0), (-0.24, 0.93, 0)])
        if k % 5 == 2:
            atoms.positions[1] = (0.3, 0, 0)  # an H on top of the O: findings
        write(folder / f"m{k:02d}.xyz", atoms)
    fifo = tmp_path / "never.xyz" if where == "named" else folder / "m10a.xyz"
    os.mkfifo(fifo)
    named = [str(fifo)] if where == "named" else []
    proc = subprocess.Popen([sys.executable, "-m", "structcheck.cli", "lint", "--jobs", "2", "--isolated",
                             str(folder), *named], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)
    try:
        import select

        want = {b"m02.xyz", b"m07.xyz", b"m12.xyz", b"m17.xyz"} if where == "named" else {b"m02.xyz", b"m07.xyz"}

        def files(text):
            return {line.split(b":")[0].rsplit(b"/", 1)[-1] for line in text.splitlines()}

        shown = b""
        deadline = time.time() + 60
        while files(shown) != want and time.time() < deadline:  # the findings before the FIFO
            if select.select([proc.stdout], [], [], 1.0)[0]:
                shown += os.read(proc.stdout.fileno(), 1 << 16)
        assert files(shown) == want  # all out while the FIFO still blocks its reader
        time.sleep(0.5)
        assert proc.poll() is None
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=60)
    except BaseException:
        os.killpg(proc.pid, signal.SIGKILL)
        raise
    assert proc.returncode == 143
    deadline = time.time() + 10
    while time.time() < deadline:
        try:
            os.killpg(proc.pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.05)
    else:
        os.killpg(proc.pid, signal.SIGKILL)
        pytest.fail("a worker of the --jobs run was still alive 10 s after SIGTERM")


def test_standard_input_between_folders_keeps_its_place(run_cli, tmp_path):
    """``lint --jobs 2 a - b``: the findings of standard input come between a's and b's, as serially."""
    from ase import Atoms
    from ase.io import write

    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        for k in range(40):
            atoms = Atoms("OH2", positions=[(0, 0, 0), (0.96, 0, 0), (-0.24, 0.93, 0)])
            if k % 9 == 4:
                atoms.positions[1] = (0.3, 0, 0)  # an H on top of the O
            write(tmp_path / name / f"m{k:02d}.xyz", atoms)
    text = "3\n\nO 0 0 0\nH 0.2 0 0\nH -0.24 0.93 0\n".encode()
    args = ("lint", "a", "-", "b", "--exit-zero", "--isolated")
    _, serial, _ = run_cli(*args, cwd=tmp_path, stdin=text)
    _, pooled, _ = run_cli(*args, "--jobs", "2", cwd=tmp_path, stdin=text)
    assert pooled == serial
    lines = serial.splitlines()
    first_stdin = next(i for i, line in enumerate(lines) if line.startswith("-:"))
    assert all(line.startswith("a/") for line in lines[:first_stdin])
    assert any(line.startswith("b/") for line in lines[first_stdin:])
