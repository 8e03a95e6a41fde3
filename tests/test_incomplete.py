"""A lint run whose workers die part-way says so in every output format and in the exit code.

One test kills the only worker of a real Dask cluster (a scheduler and a worker without a
nanny, in their own processes) after the first results have arrived; the others replace the
Dask run with one that fails after two files (as a KilledWorker does) and check each format.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time

import pytest

from structcheck.scale import IncompleteRun
from structcheck.scale import dask as sdask
from structcheck.scale.paths import lint_paths

WATER = "3\n\nO 0 0 0\nH 0.96 0 0\nH -0.24 0.93 0\n"
CLASH = "2\n\nH 0 0 0\nH 0.2 0 0\n"


@pytest.fixture
def folder(tmp_path):
    d = tmp_path / "d"
    d.mkdir()
    for k in range(6):
        (d / f"f{k}.xyz").write_text(CLASH if k % 2 else WATER)
    return d


@pytest.fixture
def dies_after_two_files(monkeypatch):
    """lint_paths_dask that lints two files, then fails as a Dask run whose workers died."""
    class KilledWorker(Exception):  # what distributed raises when a task's workers all died
        pass

    def fake(paths, fmt, config, address, **kw):
        done = 0
        for rec, found in lint_paths(paths, fmt, config):
            if rec.index == 0:
                done += 1
                if done > 2:
                    try:
                        raise KilledWorker("Attempted to run task lint_batch-1 on 4 different workers, "
                                           "but all those workers died while running it.")
                    except KilledWorker as exc:
                        raise IncompleteRun(f"the Dask run stopped: KilledWorker: {exc}") from exc
            yield rec, found

    monkeypatch.setattr(sdask, "lint_paths_dask", fake)


DASK = ("--dask-scheduler", "tcp://127.0.0.1:8786")


@pytest.mark.parametrize("fmt", ["text", "github", "jsonl", "json", "sarif"])
def test_every_format_says_incomplete_and_exit_2(run_cli, folder, dies_after_two_files, fmt):
    code, out, err = run_cli("lint", "d", *DASK, "--output-format", fmt, cwd=folder.parent)
    assert code == 2
    assert err.startswith("structcheck: error: run INCOMPLETE: the Dask run stopped: KilledWorker")
    assert "the 2 file(s), 2 frame(s) linted before it stopped" in err and len(err.splitlines()) == 1
    if fmt == "text":
        assert "INCOMPLETE: run INCOMPLETE" in out and "d/f1.xyz" in out and "f3.xyz" not in out
        assert "All checks passed" not in out and "Found" not in out
        assert out.rstrip().splitlines()[-1].startswith("run INCOMPLETE")
    elif fmt == "github":
        assert "::error title=structcheck: run incomplete::run INCOMPLETE" in out
    elif fmt == "jsonl":
        rows = [json.loads(line) for line in out.splitlines()]
        assert rows[-1]["incomplete"] is True and rows[-1]["files_linted"] == 2
        assert {r["path"] for r in rows[:-1]} == {"d/f1.xyz"}
    elif fmt == "json":
        doc = json.loads(out)
        assert doc["incomplete"] is True and doc["frames_linted"] == 2 and "KilledWorker" in doc["reason"]
        assert [f["path"] for f in doc["findings"]] == ["d/f1.xyz"]
    else:
        inv = json.loads(out)["runs"][0]["invocations"][0]
        assert inv["executionSuccessful"] is False
        assert "KilledWorker" in inv["toolExecutionNotifications"][0]["message"]["text"]


def test_statistics_and_report_file_say_incomplete(run_cli, folder, dies_after_two_files):
    code, out, err = run_cli("lint", "d", *DASK, "--statistics", "--output-format", "json", "-o", "r.json",
                             cwd=folder.parent)
    assert code == 2 and "INCOMPLETE" in err
    doc = json.loads((folder.parent / "r.json").read_text())  # the report file is still written, marked
    assert doc["incomplete"] is True and doc["statistics"] == [{"code": "SC102", "name": "close-contact", "count": 1}]
    code, out, err = run_cli("lint", "d", *DASK, "--output-format", "html", "-o", "r.html", cwd=folder.parent)
    assert code == 2 and "no html report written" in err and not (folder.parent / "r.html").exists()


def test_a_complete_run_is_marked_successful_in_sarif(run_cli, folder):
    code, out, _ = run_cli("lint", "d", "--output-format", "sarif", cwd=folder.parent)
    assert code == 1 and json.loads(out)["runs"][0]["invocations"] == [{"executionSuccessful": True}]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(pred, timeout=60.0):
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        if pred():
            return True
        time.sleep(0.2)
    return False


def test_real_cluster_whose_only_worker_is_killed(run_cli, tmp_path, monkeypatch):
    distributed = pytest.importorskip("distributed", reason="the [scale] extra")
    d = tmp_path / "d"
    d.mkdir()
    for k in range(400):
        (d / f"f{k:03d}.xyz").write_text(CLASH if k % 7 == 0 else WATER)
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    sched = subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1",
                              "--port", str(port), "--no-dashboard"], env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    worker = None
    try:
        worker = subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_worker", address, "--no-nanny",
                                   "--nthreads", "1", "--no-dashboard"], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        with distributed.Client(address, timeout="30s") as client:
            assert _wait_for(lambda: client.nthreads()), "the worker did not start"
        real_expand = sdask._expand
        calls = []

        def expand_then_kill(results):  # the first batch's results are in: the worker dies
            yield from real_expand(results)
            calls.append(1)
            if len(calls) == 1:
                os.kill(worker.pid, signal.SIGKILL)
                worker.wait(10)

        monkeypatch.setattr(sdask, "_expand", expand_then_kill)
        monkeypatch.setattr(sdask, "HEAD_FILES", 0)  # every file goes to the cluster
        monkeypatch.setenv("STRUCTCHECK_DASK_NO_WORKERS_TIMEOUT", "3")
        monkeypatch.setattr(sdask, "lint_paths_dask", _no_head(sdask.lint_paths_dask))
        t0 = time.monotonic()
        code, out, err = run_cli("lint", "d", "--dask-scheduler", address, "--output-format", "jsonl",
                                 cwd=tmp_path)
        took = time.monotonic() - t0
    finally:
        for p in (worker, sched):
            if p is not None and p.poll() is None:
                p.kill()
                p.wait(10)
    assert code == 2, err
    assert "run INCOMPLETE" in err and took < 60
    rows = [json.loads(line) for line in out.splitlines()]
    assert rows[-1]["incomplete"] is True and 0 < rows[-1]["files_linted"] < 400
    assert all("code" in r for r in rows[:-1])


def _no_head(f):
    def call(*a, **kw):
        kw["head_files"] = 0
        return f(*a, **kw)

    return call


def _die_on_f3(batch, fmt, config=None):
    """A worker process that dies (as one killed by the OOM killer) on the batch holding f3."""
    from structcheck.scale.batch import lint_batch

    if any(str(p).endswith("f3.xyz") for p, _ in batch):
        os._exit(9)
    return lint_batch(batch, fmt, config)


def test_a_local_pool_whose_worker_dies_is_incomplete_too(run_cli, folder, monkeypatch):
    from structcheck.scale import pool

    if "fork" not in __import__("multiprocessing").get_all_start_methods():
        pytest.skip("needs fork (the patched task function reaches the workers by inheritance)")
    monkeypatch.setattr(pool, "lint_batch", _die_on_f3)
    code, out, err = run_cli("lint", "d", "--jobs", "2", "--output-format", "jsonl", cwd=folder.parent)
    assert code == 2 and "run INCOMPLETE: BrokenProcessPool" in err
    rows = [json.loads(line) for line in out.splitlines()]
    assert rows[-1]["incomplete"] is True and rows[-1]["files_linted"] < 6
