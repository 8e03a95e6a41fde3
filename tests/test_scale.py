"""Linting at scale: directories, ASE databases, trajectories, --jobs, Dask, progress, CI formats."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from ase import Atoms
from ase.build import bulk, molecule
from ase.db import connect
from ase.io import write
from conftest import REPORT_POSITIONS

from structcheck.cli import progress
from structcheck.scale import batch, dask as sdask, paths as spaths, pool


def bad():
    return Atoms("H2O3", positions=REPORT_POSITIONS, cell=[5, 5, 5])


@pytest.fixture
def tree(tmp_path):
    """A small structure repository: good and bad files, a trajectory, a database, noise."""
    d = tmp_path / "d"
    (d / "sub").mkdir(parents=True)
    (d / ".git").mkdir()
    (d / "old").mkdir()
    w = molecule("H2O")
    write(d / "a.xyz", w)
    write(d / "sub" / "b.xyz", bad())
    write(d / "sub" / "POSCAR", bulk("Cu", "fcc", a=3.6), format="vasp")
    write(d / ".git" / "hidden.xyz", bad())
    write(d / "old" / "c.xyz", bad())
    write(d / "traj.extxyz", [w, bad(), w])
    write(d / "a.fixed.extxyz", w)
    (d / "notes.txt").write_text("not a structure\n")
    with connect(d / "s.db") as db:
        for atoms in (w, w, bad(), w):
            db.write(atoms)
    return d


def summary(out):
    return out.strip().splitlines()[-1] if "fixable" not in out.strip().splitlines()[-1] else \
        out.strip().splitlines()[-2]


def test_walk_is_recursive_sorted_and_filtered(tree):
    rel = [str(Path(p).relative_to(tree)) for p in spaths.iter_paths([str(tree)])]
    assert rel == ["a.xyz", "old/c.xyz", "s.db", "sub/POSCAR", "sub/b.xyz", "traj.extxyz"]
    rel = [str(Path(p).relative_to(tree)) for p in spaths.iter_paths([str(tree)], exclude=["old", "*.db"])]
    assert rel == ["a.xyz", "sub/POSCAR", "sub/b.xyz", "traj.extxyz"]
    rel = [str(Path(p).relative_to(tree)) for p in spaths.iter_paths([str(tree)], include=["sub/*"])]
    assert rel == ["sub/POSCAR", "sub/b.xyz"]
    # named files are linted whatever the patterns say
    assert list(spaths.iter_paths([str(tree / "notes.txt")], exclude=["*.txt"])) == [str(tree / "notes.txt")]


def test_lint_directory_cli(run_cli, tree):
    code, out, err = run_cli("lint", "d", "--exclude", "old", cwd=tree.parent)
    assert code == 1 and err == ""
    assert summary(out).endswith("in 5 file(s), 10 frame(s).")  # a, s.db (4 rows), POSCAR, b, traj (3)
    lines = out.splitlines()
    assert any(line.startswith("d/sub/b.xyz:3: SC102") for line in lines)
    assert any(line.startswith("d/s.db: SC102") and "(frame 2;" in line for line in lines)
    assert any(line.startswith("d/traj.extxyz:8: SC102") and "(frame 1;" in line for line in lines)
    assert not any("old/" in line or ".git" in line or "fixed" in line for line in lines)
    code, out, _ = run_cli("lint", "d", "--include", "a.xyz", cwd=tree.parent)
    assert code == 0 and "All checks passed: 1 file(s), 1 frame(s)." in out


def test_ase_database_is_read_in_pages(tree, monkeypatch):
    monkeypatch.setattr(spaths, "DB_PAGE", 3)  # 4 rows -> two queries
    recs = list(spaths.iter_file_frames(str(tree / "s.db")))
    assert [r.index for r in recs] == [0, 1, 2, 3]
    assert [r.atoms.info["db_id"] for r in recs] == [1, 2, 3, 4]
    assert recs[2].atoms.get_chemical_formula() == "H2O3"
    broken = tree / "broken.db"
    broken.write_bytes(b"this is not sqlite" * 10)
    (rec,) = spaths.iter_file_frames(str(broken))
    assert rec.error and "cannot read ASE database" in rec.error


@pytest.mark.parametrize("fmt", ["text", "jsonl", "github"])
def test_jobs_output_identical_and_ordered(run_cli, tree, fmt):
    args = ("lint", "d", "--output-format", fmt, "--exit-zero")
    _, serial, _ = run_cli(*args, cwd=tree.parent)
    _, parallel, _ = run_cli(*args, "--jobs", "2", cwd=tree.parent)
    assert parallel == serial and serial


def test_jobs_zero_runs_one_worker_per_core(run_cli, tree, monkeypatch):
    """--jobs 0 is one worker per core (it ran in one process before), with the serial output."""
    import os

    seen = []
    real = pool.lint_paths_pool

    def spy(paths, fmt, config, jobs, **kw):
        seen.append(jobs)
        return real(paths, fmt, config, jobs, **kw)

    monkeypatch.setattr(pool, "lint_paths_pool", spy)
    args = ("lint", "d", "--exit-zero")
    _, serial, _ = run_cli(*args, cwd=tree.parent)
    assert seen == []
    _, every_core, _ = run_cli(*args, "--jobs", "0", cwd=tree.parent)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    assert every_core == serial and seen == ([cores] if cores > 1 else [])


def test_jobs_batches_many_files_in_order(tmp_path):
    from structcheck.linter.config import load_config

    paths = []
    for k in range(70):
        p = tmp_path / f"f{k:03d}.xyz"
        write(p, bad() if k % 7 == 3 else molecule("H2O"))
        paths.append(str(p))
    config = load_config(use_project=False)
    serial = [(r.path, r.index, [f.code for f in found]) for r, found in spaths.lint_paths(paths, None, config)]
    pooled = [(r.path, r.index, [f.code for f in found])
              for r, found in pool.lint_paths_pool(iter(paths), None, config, 2, batch_files=4)]
    assert pooled == serial and len(serial) == 70
    assert sum(1 for _, _, c in serial if c) == 10


def test_jsonl_streams_one_finding_per_line(run_cli, tree):
    code, out, _ = run_cli("lint", "d/sub/b.xyz", "--output-format", "jsonl", cwd=tree.parent)
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 1 and len(rows) >= 6
    assert all(r["path"] == "d/sub/b.xyz" for r in rows)
    assert sorted(tuple(r["atoms"]) for r in rows if r["code"] == "SC102") == [(0, 1), (0, 3), (1, 2)]


def test_github_annotations_and_sarif(run_cli, tree):
    _, out, _ = run_cli("lint", "d/sub/b.xyz", "--output-format", "github", cwd=tree.parent)
    first = out.splitlines()[0]
    assert first.startswith("::error file=d/sub/b.xyz,line=3,title=SC102 close-contact::")
    _, out, _ = run_cli("lint", "d/sub/b.xyz", "--output-format", "sarif", cwd=tree.parent)
    doc = json.loads(out)
    assert doc["version"] == "2.1.0"
    run = doc["runs"][0]
    rule_ids = {r["id"] for r in run["tool"]["driver"]["rules"]}
    res = run["results"]
    assert {r["ruleId"] for r in res} <= rule_ids
    sc102 = [r for r in res if r["ruleId"] == "SC102"]
    assert len(sc102) == 3 and sc102[0]["level"] == "error"
    loc = sc102[0]["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"] == "d/sub/b.xyz" and loc["region"]["startLine"] == 3


def test_progress_line_counts_and_silence(run_cli, tree):
    code, out, err = run_cli("lint", "d", "--progress", "on", "-q", cwd=tree.parent)
    assert code == 1 and "\r" not in out and "frames/s" not in out  # the report itself stays clean
    assert "\r" in err and "finding(s)" in err and "frames/s" in err  # tqdm redraws the line in place
    _, _, err = run_cli("lint", "d", "-q", cwd=tree.parent)  # auto: captured, not a terminal
    assert err == ""
    p = progress.Progress(io.StringIO(), enabled=True, interval_s=0.0)
    for path, n in [("a", 0), ("a", 2), ("b", 1)]:
        p.update(path, n)
    assert (p.files, p.frames, p.findings) == (2, 3, 3)
    assert p.line().startswith("structcheck: 2 file(s), 3 frame(s), 3 finding(s), ")
    assert not progress.progress_enabled("auto", "json", None)
    assert not progress.progress_enabled("auto", "text", io.StringIO())


def test_dask_local_cluster(run_cli, tree, monkeypatch):
    distributed = pytest.importorskip("distributed", reason="the [scale] extra")
    args = ("lint", "d", "--output-format", "jsonl", "--exit-zero")
    _, serial, _ = run_cli(*args, cwd=tree.parent)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        code, out, err = run_cli(*args, "--dask-scheduler", cluster.scheduler_address, cwd=tree.parent)
        assert code == 0 and out == serial and serial  # same findings, same order, paths as typed
        code, out, _ = run_cli("lint", "d", "--dask-scheduler", cluster.scheduler_address, cwd=tree.parent)
        assert code == 1 and "in 6 file(s), 11 frame(s)." in out
    monkeypatch.setattr(sdask, "DASK_CONNECT_TIMEOUT", "1s")
    code, out, err = run_cli("lint", "d", "--dask-scheduler", "tcp://127.0.0.1:1", cwd=tree.parent)
    assert code == 2 and "cannot connect to the Dask scheduler" in err


def test_batches_ramp_up_and_keep_order(tmp_path):
    paths = [str(tmp_path / f"{k}.xyz") for k in range(200)]  # sizes unknown: stat fails, count only
    batches = list(pool._batches(iter(paths), 64, 1 << 30, False))
    assert [len(b) for b in batches] == [8, 16, 32, 64, 64, 16]
    assert [p for b in batches for p, _ in b] == paths
    assert list(pool.ordered_map(lambda x: _Done(x * x), range(10), window=3)) == [k * k for k in range(10)]


def test_batches_split_big_files_by_bytes_with_sampled_sizes(tmp_path, monkeypatch):
    """Small files: one stat per 8; once a sampled file is big, every file is sized and
    batches stop at max_bytes."""
    small = [tmp_path / f"s{k:03d}.xyz" for k in range(40)]
    big = [tmp_path / f"b{k:03d}.xyz" for k in range(6)]
    for f in small:
        f.write_bytes(b"x" * 100)
    for f in big:
        f.write_bytes(b"x" * 4000)
    stats = []
    real_stat = pool.os.stat
    monkeypatch.setattr(pool.os, "stat", lambda p, *a, **k: stats.append(p) or real_stat(p, *a, **k))
    paths = [str(f) for f in small + big]
    batches = list(pool._batches(iter(paths), 16, 10_000, False, first_files=16))
    assert [p for b in batches for p, _ in b] == paths
    assert [len(b) for b in batches] == [16, 16, 8 + 3, 3]  # the big files: 3 x 4000 B reach 10,000 B
    assert set(map(str, big)) <= set(stats) and len([p for p in stats if "/s" in p]) == 5


class _Done:
    def __init__(self, value):
        self.value = value

    def result(self):
        return self.value


def test_dask_head_and_batches_keep_order(tmp_path):
    """Files linted locally while connecting (the head), the rest by the workers in opaque
    batches: whatever the split, the same records and findings in input order."""
    distributed = pytest.importorskip("distributed", reason="the [scale] extra")
    from structcheck.linter.config import load_config

    paths = []
    for k in range(40):
        p = tmp_path / f"f{k:03d}.xyz"
        write(p, bad() if k % 7 == 3 else molecule("H2O"))
        paths.append(str(p))
    write(tmp_path / "t.extxyz", [molecule("H2O"), bad(), molecule("H2O")])
    paths.append(str(tmp_path / "t.extxyz"))
    config = load_config(use_project=False)

    def rows(pairs):
        return [(r.path, r.index, [(f.code, f.atoms, f.line) for f in found]) for r, found in pairs]

    serial = rows(spaths.lint_paths(paths, None, config))
    assert len(serial) == 43 and sum(1 for *_, c in serial if c) == 7
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        for head in (0, 5, 1000):
            got = rows(sdask.lint_paths_dask(iter(paths), None, config, cluster.scheduler_address,
                                             batch_files=4, head_files=head))
            assert got == serial, head
        with distributed.Client(cluster) as client:  # the profiler paused during the tasks is running again
            running = client.run(lambda dask_worker: dask_worker.periodic_callbacks["profile"].is_running())
            assert list(running.values()) == [True, True]
    # the head alone: a prefix of the files, the rest left in order
    h = sdask._Head(iter(paths), None, config, 10, 1 << 30)
    assert h.files == paths[:10]
    done = h.finish()
    assert [r[0] for r in done] == paths[:len(done)]
    assert list(h.remaining(done)) == paths[len(done):]
    h = sdask._Head(iter(["a.xyz", "-", "b.xyz"]), None, config, 10, 1 << 30)
    h.finish()
    assert h.files == ["a.xyz"] and list(h.remaining([])) == ["a.xyz", "-", "b.xyz"]


def test_dask_profiler_paused_while_structcheck_tasks_run(monkeypatch):
    """Stopped on the worker's event loop when the first structcheck task starts, started
    when the last one ends; left alone when its owner had switched it off, or off a worker."""
    distributed = pytest.importorskip("distributed", reason="the [scale] extra")

    class PC:
        def __init__(self, running=True):
            self.running, self.calls = running, []

        def is_running(self):
            return self.running

        def stop(self):
            self.running = False
            self.calls.append("stop")

        def start(self):
            self.running = True
            self.calls.append("start")

    class Loop:
        def add_callback(self, f):
            f()

    class Worker:
        def __init__(self, pc):
            self.periodic_callbacks, self.loop = {"profile": pc}, Loop()

    pc = PC()
    w = Worker(pc)
    monkeypatch.setattr(distributed, "get_worker", lambda: w)
    with batch._DaskProfilerPaused():
        assert not pc.running
        with batch._DaskProfilerPaused():  # a second task on a multi-threaded worker
            pass
        assert not pc.running
    assert pc.running and pc.calls == ["stop", "start"]
    off = PC(running=False)
    w.periodic_callbacks["profile"] = off
    with batch._DaskProfilerPaused():
        pass
    assert off.calls == [] and not off.running

    def no_worker():
        raise ValueError("No worker found")

    monkeypatch.setattr(distributed, "get_worker", no_worker)
    with batch._DaskProfilerPaused() as p:
        assert p.pc is None


def test_small_files_read_in_batches_give_the_streaming_records_and_findings(tmp_path, monkeypatch):
    """lint_paths reads one-frame small files SMALL_BATCH at a time before linting them: the
    records, findings and their order are those of file-by-file streaming, whatever sits
    between them (multi-frame files, a big frame, empty, binary and missing files, folders,
    a reader that raises in the middle of a file)."""
    from structcheck.linter.config import load_config

    config = load_config()
    paths = []
    for k in range(70):
        m = molecule(("H2O", "CH4", "NH3", "C6H6")[k % 4])
        if k % 5 == 0:
            m.positions[1] = m.positions[0] + 0.3  # an overlap: findings in the middle of a batch
        p = tmp_path / f"m{k:03d}.xyz"
        write(p, m, format="xyz")
        paths.append(str(p))
    traj = tmp_path / "traj.extxyz"
    write(traj, [molecule("H2O"), molecule("CO2"), molecule("NH3")], format="extxyz")
    big = tmp_path / "big.extxyz"
    write(big, bulk("Si", cubic=True).repeat((5, 5, 5)), format="extxyz")  # 1,000 atoms: streamed
    (tmp_path / "empty.xyz").write_bytes(b"")
    (tmp_path / "binary.xyz").write_bytes(b"\x00\x01\x02garbage")
    (tmp_path / "bad.xyz").write_text("3\n\nO 0 0 0\nH 1 0\n")
    raises = tmp_path / "raises.xyz"
    write(raises, [molecule("H2O")] * 3, format="extxyz")
    for at, extra in ((3, traj), (10, big), (11, tmp_path / "empty.xyz"), (40, tmp_path / "binary.xyz"),
                      (41, tmp_path / "missing.xyz"), (42, tmp_path), (43, tmp_path / "bad.xyz"), (60, raises)):
        paths.insert(at, str(extra))
    real = spaths.iter_frames

    def flaky(path, fmt=None):
        for rec in real(path, fmt):
            if path == str(raises) and rec.index == 1:
                raise OverflowError("planted")
            yield rec

    monkeypatch.setattr(spaths, "iter_frames", flaky)

    def rows():
        return [(r.path, r.index, r.line, r.error, [(f.code, f.atoms, f.message, f.severity) for f in found])
                for r, found in spaths.lint_paths(iter(paths), None, config)]

    batched = rows()
    monkeypatch.setattr(spaths, "SMALL_BATCH", 1)
    assert batched == rows()
    monkeypatch.setattr(spaths, "SMALL_BATCH", 7)
    assert batched == rows()
    by_path = {}
    for r in batched:
        by_path.setdefault(r[0], []).append(r)
    assert len(by_path[str(traj)]) == 3 and len(by_path[str(big)]) == 1
    assert [r[1] for r in by_path[str(raises)]] == [0, 1] and "OverflowError" in by_path[str(raises)][1][3]
    assert all(by_path[str(tmp_path / n)][0][3] for n in ("empty.xyz", "binary.xyz", "missing.xyz", "bad.xyz"))
    planted = [r for r in batched if Path(r[0]).name[1:4].isdigit() and int(Path(r[0]).name[1:4]) % 5 == 0]
    assert len(planted) == 14 and all(any(f[3] == "error" for f in r[4]) for r in planted)  # every planted overlap
    assert [r[0] for r in batched if r[1] == 0] == paths  # every file, in order
    # the pool's workers lint their batches the same way
    got = batch._lint_batch([(p, None) for p in paths], None, config)
    assert [g[0] for g in got] == paths and sum(g[1] for g in got) == len(batched)
