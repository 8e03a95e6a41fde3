"""Nothing lost (issue 13): every command writes through structcheck.outputs.

Each data-loss case of the issue: the existing file is untouched, the error is one line, exit 2;
a SIGTERM at a random moment never leaves a partial file under a final name.
"""

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import ase.io
import pytest
from ase import Atoms

from structcheck.outputs import OutputError, Outputs, atomic_open, atomic_path, shown

ROOT = Path(__file__).resolve().parents[1]
PRECIOUS = "precious content\n"


def clash(n=0):
    return Atoms("H2O3", positions=[(0.3, 0.3, 0.3), (0.5, 0.5, 0.5), (0.7, 0.7, 0.7), (0.1, 0.1, 0.1),
                                    (0.6, 2.5, 3.7 + 0.01 * n)], cell=[5, 5, 5])


def put(path: Path, frames=None) -> Path:
    if frames is None:
        path.write_text(PRECIOUS)
    else:
        ase.io.write(str(path), frames, format="extxyz")
    return path


def one_line_error(code, err):
    assert code == 2, err
    assert "Traceback" not in err
    lines = [x for x in err.splitlines() if x.startswith("structcheck: error:")]
    assert len(lines) >= 1 and all("\n" not in x for x in lines), err


def hidden_leftovers(folder: Path):
    return [p.name for p in folder.rglob(".*sc-tmp*")]


# ------------------------------------------------------------------ the helper itself

def test_claim_refuses_existing_inputs_links_and_twice(tmp_path):
    a = put(tmp_path / "a.xyz", [clash()])
    os.link(a, tmp_path / "hard.xyz")
    os.symlink(a, tmp_path / "soft.xyz")
    plan = Outputs([a], overwrite=True)
    for target in (a, tmp_path / "hard.xyz", tmp_path / "soft.xyz", tmp_path / "sub" / ".." / "a.xyz"):
        with pytest.raises(OutputError, match="would overwrite the input"):
            plan.claim(target)
    plan.claim(tmp_path / "out.txt")
    with pytest.raises(OutputError, match="of this run"):
        plan.claim(tmp_path / "." / "out.txt")
    put(tmp_path / "old.txt")
    with pytest.raises(OutputError, match="exists; not overwritten"):
        Outputs().claim(tmp_path / "old.txt")
    os.symlink(tmp_path / "nowhere", tmp_path / "dangling")
    with pytest.raises(OutputError, match="exists"):
        Outputs().claim(tmp_path / "dangling")
    with pytest.raises(OutputError, match="is a folder"):
        Outputs().claim(tmp_path)
    assert (tmp_path / "old.txt").read_text() == PRECIOUS


def test_unwritable_folder_refused(tmp_path):
    if os.geteuid() == 0:
        (tmp_path / "file").write_text("x")
        with pytest.raises(OutputError, match="not a folder"):
            Outputs().claim(tmp_path / "file" / "out.txt")
        return
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        with pytest.raises(OutputError, match="not writable"):
            Outputs().claim(ro / "out.txt")
    finally:
        ro.chmod(0o700)


def test_atomic_write_never_partial_and_cleans_up(tmp_path):
    target = put(tmp_path / "t.txt")
    with pytest.raises(RuntimeError):
        with atomic_open(target, overwrite=True) as fh:
            fh.write("half")
            assert target.read_text() == PRECIOUS  # nothing under the final name yet
            raise RuntimeError("writer died")
    assert target.read_text() == PRECIOUS and not hidden_leftovers(tmp_path)
    with pytest.raises(OutputError, match="exists"):
        with atomic_path(target) as tmp:
            tmp.write_text("new")  # no overwrite: the existing file wins, even if it appeared late
    assert target.read_text() == PRECIOUS and not hidden_leftovers(tmp_path)
    target.chmod(0o640)
    with atomic_open(target, overwrite=True) as fh:
        fh.write("new")
    assert target.read_text() == "new" and (target.stat().st_mode & 0o777) == 0o640


def test_shown_escapes_control_characters():
    assert shown("a\nb.xyz") == "a\\nb.xyz"
    assert shown(os.fsdecode(b"caf\xe9.xyz")) == "caf\\xe9.xyz"
    assert shown("plain/ü.xyz") == "plain/ü.xyz"


# ------------------------------------------------------------------ fix

def test_fix_never_overwrites(run_cli, tmp_path):
    put(tmp_path / "in.xyz", [clash()])
    put(tmp_path / "existing.extxyz")
    code, _, err = run_cli("fix", "in.xyz", "-o", "existing.extxyz")
    one_line_error(code, err)
    assert "existing.extxyz" in err and (tmp_path / "existing.extxyz").read_text() == PRECIOUS
    put(tmp_path / "in.fixed.extxyz")
    code, _, err = run_cli("fix", "in.xyz")
    one_line_error(code, err)
    assert (tmp_path / "in.fixed.extxyz").read_text() == PRECIOUS
    code, _, err = run_cli("fix", "in.xyz", "--force-overwrite")
    assert code == 0, err
    assert len(ase.io.read(tmp_path / "in.fixed.extxyz", ":")) == 1
    os.link(tmp_path / "in.xyz", tmp_path / "hard.extxyz")
    code, _, err = run_cli("fix", "in.xyz", "-o", "hard.extxyz", "--force-overwrite")
    one_line_error(code, err)
    assert "hard link" in err
    code, _, err = run_cli("fix", "in.xyz", "-o", "new.extxyz", "--html", "in.xyz")
    one_line_error(code, err)
    assert not (tmp_path / "new.extxyz").exists()
    assert not hidden_leftovers(tmp_path)


# ------------------------------------------------------------------ lint

def test_lint_output_never_an_input(run_cli, tmp_path):
    put(tmp_path / "in.xyz", [clash()])
    before = (tmp_path / "in.xyz").read_bytes()
    for extra in ((), ("--force-overwrite",)):
        code, _, err = run_cli("lint", "in.xyz", "-o", "in.xyz", *extra)
        one_line_error(code, err)
        assert (tmp_path / "in.xyz").read_bytes() == before
    put(tmp_path / "b.xyz", [clash(1)])
    b = (tmp_path / "b.xyz").read_bytes()
    code, _, err = run_cli("lint", "in.xyz", "b.xyz", "-o", "b.xyz", "--force-overwrite")
    one_line_error(code, err)
    assert (tmp_path / "b.xyz").read_bytes() == b
    # an existing report in a folder walked: refused even with --force-overwrite if it is linted
    d = tmp_path / "d"
    d.mkdir()
    put(d / "c.xyz", [clash()])
    c = (d / "c.xyz").read_bytes()
    code, _, err = run_cli("lint", "d", "-o", "d/c.xyz", "--force-overwrite")
    one_line_error(code, err)
    assert (d / "c.xyz").read_bytes() == c
    put(tmp_path / "report.txt")
    code, _, err = run_cli("lint", "in.xyz", "-o", "report.txt")
    one_line_error(code, err)
    assert (tmp_path / "report.txt").read_text() == PRECIOUS
    code, _, err = run_cli("lint", "in.xyz", "-o", "report.txt", "--force-overwrite")
    assert code == 1 and "close-contact" in (tmp_path / "report.txt").read_text()
    for fmt, name in (("html", "r.html"), ("png", "r.png")):
        put(tmp_path / name)
        code, _, err = run_cli("lint", "in.xyz", "--output-format", fmt, "-o", name)
        one_line_error(code, err)
        assert (tmp_path / name).read_text() == PRECIOUS
    code, _, err = run_cli("show", "in.xyz", "-o", "r.html")
    one_line_error(code, err)
    assert (tmp_path / "r.html").read_text() == PRECIOUS
    assert not hidden_leftovers(tmp_path)


def test_lint_fix_never_overwrites(run_cli, tmp_path):
    put(tmp_path / "in.xyz", [clash()])
    put(tmp_path / "in.fixed.extxyz", [clash(5)])
    kept = (tmp_path / "in.fixed.extxyz").read_bytes()
    # in.xyz's repaired copy would be the input in.fixed.extxyz
    code, out, err = run_cli("lint", "--fix", "in.fixed.extxyz", "in.xyz", "--force-overwrite")
    one_line_error(code, err)
    assert (tmp_path / "in.fixed.extxyz").read_bytes() == kept
    assert (tmp_path / "in.fixed.fixed.extxyz").exists()  # the other file's repair is written
    # two inputs, one repaired name: the first repair is kept, the second refused
    put(tmp_path / "a.xyz", [clash()])
    put(tmp_path / "a.extxyz", [clash(3)])
    code, _, err = run_cli("lint", "--fix", "a.xyz", "a.extxyz")
    one_line_error(code, err)
    first = ase.io.read(tmp_path / "a.fixed.extxyz")
    assert abs(first.positions[4, 2] - 3.7) < 0.2  # from a.xyz, not a.extxyz (3.73)
    assert "a.fixed.extxyz" in err
    # through a symlink: the repaired name links to another file, which stays as it was
    put(tmp_path / "p.xyz", [clash()])
    put(tmp_path / "elsewhere.txt")
    os.symlink(tmp_path / "elsewhere.txt", tmp_path / "p.fixed.extxyz")
    code, _, err = run_cli("lint", "--fix", "p.xyz")
    one_line_error(code, err)
    assert (tmp_path / "elsewhere.txt").read_text() == PRECIOUS
    # the link points to the input itself: refused even with --force-overwrite
    put(tmp_path / "q.xyz", [clash()])
    q = (tmp_path / "q.xyz").read_bytes()
    os.symlink(tmp_path / "q.xyz", tmp_path / "q.fixed.extxyz")
    code, _, err = run_cli("lint", "--fix", "q.xyz", "--force-overwrite")
    one_line_error(code, err)
    assert (tmp_path / "q.xyz").read_bytes() == q
    assert not hidden_leftovers(tmp_path)


# ------------------------------------------------------------------ relax and wander (refused before a model loads)

def test_relax_outputs_never_inputs(run_cli, tmp_path, monkeypatch):
    import structcheck.cli.relax as cli_relax  # first: its `from ..dp.relax import relax` must bind the real one
    import structcheck.dp.relax as dp_relax

    def no_relax(*a, **k):
        raise AssertionError("refused targets must stop relax before any work")

    monkeypatch.setattr(dp_relax, "relax", no_relax)
    monkeypatch.setattr(cli_relax, "relax", no_relax)
    from ase.build import molecule

    put(tmp_path / "start.xyz", [molecule("H2O")])
    start = (tmp_path / "start.xyz").read_bytes()
    os.link(tmp_path / "start.xyz", tmp_path / "hard.extxyz")
    code, _, err = run_cli("relax", "start.xyz", "-o", "hard.extxyz", "--force-overwrite")
    one_line_error(code, err)
    put(tmp_path / "m.pth")
    code, _, err = run_cli("relax", "start.xyz", "--model", "m.pth", "-o", "m.pth", "--force-overwrite")
    one_line_error(code, err)
    assert (tmp_path / "m.pth").read_text() == PRECIOUS and "model" in err
    # the provenance record (x.provenance.json beside -o x.extxyz) would be the input
    put(tmp_path / "x.provenance.json", [molecule("H2O")])
    code, _, err = run_cli("relax", "x.provenance.json", "--format-in", "extxyz", "-o", "x.extxyz",
                           "--force-overwrite")
    one_line_error(code, err)
    assert "provenance" in err
    put(tmp_path / "start.relaxed.extxyz")
    code, _, err = run_cli("relax", "start.xyz")
    one_line_error(code, err)
    assert (tmp_path / "start.relaxed.extxyz").read_text() == PRECIOUS
    code, _, err = run_cli("relax", "start.xyz", "-o", "new.extxyz", "--trajectory", "start.xyz",
                           "--force-overwrite")
    one_line_error(code, err)
    code, _, err = run_cli("relax", "start.xyz", "--starts", "2", "-o", "hard.extxyz", "--force-overwrite")
    one_line_error(code, err)
    assert (tmp_path / "start.xyz").read_bytes() == start


def test_wander_folder_never_overwritten(run_cli, tmp_path):
    from ase.build import molecule

    d = tmp_path / "w"
    d.mkdir()
    put(d / "report.json")
    put(tmp_path / "s.xyz", [molecule("H2O")])
    code, _, err = run_cli("wander", "s.xyz", "--calculator", "morse", "--replicas", "2", "--steps", "2",
                           "-o", "w", "--no-pictures")
    one_line_error(code, err)
    assert (d / "report.json").read_text() == PRECIOUS
    put(d / "finals.extxyz", [molecule("H2O")])
    finals = (d / "finals.extxyz").read_bytes()
    code, _, err = run_cli("wander", "w/finals.extxyz", "--calculator", "morse", "--replicas", "2",
                           "--steps", "2", "-o", "w", "--no-pictures", "--force-overwrite")
    one_line_error(code, err)
    assert (d / "finals.extxyz").read_bytes() == finals
    code, out, err = run_cli("wander", "s.xyz", "--calculator", "morse", "--replicas", "2", "--steps", "2",
                             "-o", "new", "--no-pictures")
    assert code == 0, err
    assert (tmp_path / "new" / "report.json").is_file() and (tmp_path / "new" / "finals.extxyz").is_file()
    assert not hidden_leftovers(tmp_path)


# ------------------------------------------------------------------ SIGTERM at a random moment

def _cli(*argv, cwd):
    env = dict(os.environ, PYTHONPATH=str(ROOT), OMP_NUM_THREADS="1")
    return subprocess.Popen([sys.executable, "-m", "structcheck.cli", *argv], cwd=cwd, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def test_sigterm_never_leaves_a_partial_file(tmp_path):
    """``lint -o`` and ``fix -o`` killed at random moments: the final name holds the old content
    or the complete new one, never a part; a poller never sees a partial file."""
    frames = [clash(k) for k in range(400)]
    put(tmp_path / "in.xyz", frames)
    jobs = {"report.txt": ["lint", "in.xyz", "-o", "report.txt", "--force-overwrite"],
            "fixed.extxyz": ["fix", "in.xyz", "-o", "fixed.extxyz", "--force-overwrite", "-q"]}
    full = {}
    for name, argv in jobs.items():
        put(tmp_path / name)
        t0 = time.perf_counter()
        p = _cli(*argv, cwd=tmp_path)
        _, err = p.communicate(timeout=300)
        assert p.returncode in (0, 1), err
        full[name] = ((tmp_path / name).read_bytes(), time.perf_counter() - t0)
    rng = random.Random(13)
    for trial in range(6):
        name = list(jobs)[trial % 2]
        put(tmp_path / name)
        p = _cli(*jobs[name], cwd=tmp_path)
        deadline = time.perf_counter() + rng.uniform(0.2, full[name][1])
        seen = set()
        while time.perf_counter() < deadline and p.poll() is None:
            seen.add((tmp_path / name).read_bytes())  # a reader polling the final name
            time.sleep(0.01)
        p.send_signal(signal.SIGTERM)
        p.communicate(timeout=60)
        seen.add((tmp_path / name).read_bytes())
        assert seen <= {PRECIOUS.encode(), full[name][0]}, f"partial {name} after SIGTERM (trial {trial})"
        assert not hidden_leftovers(tmp_path), "the SIGTERM handler removes temporary files"
