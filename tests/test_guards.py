"""Nothing crashes (issue 13): guards before native code, every failure a finding, the run goes on.

`lint good.xyz <each crashing file>` prints good.xyz's findings and a finding for the other,
exit 1, within 5 s and 500 MB (measured on the child process).
"""

import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from ase import Atoms

from structcheck.linter.config import load_config
from structcheck.linter.engine import lint_atoms, lint_frames
from structcheck.neighbors import NeighborLimit, half_pairs, search_problem

ROOT = Path(__file__).resolve().parents[1]

GOOD = "3\nclash\nO 0 0 0\nH 0 0 0.3\nH 0.93 0 -0.24\n"  # good.xyz: readable, one close contact

POSCAR = "big\n1.0\n{a} 0 0\n0 5 0\n0 0 5\nH\n2\nCartesian\n0 0 0\n0 0 0.7\n"
CIF = """data_x
_cell_length_a 5
_cell_length_b 5
_cell_length_c 4294967297
_cell_angle_alpha 90
_cell_angle_beta 90
_cell_angle_gamma 90
_symmetry_space_group_name_H-M 'P 1'
loop_
_atom_site_label
_atom_site_type_symbol
_atom_site_fract_x
_atom_site_fract_y
_atom_site_fract_z
H1 H 0 0 0
H2 H 0 0 0.1
"""
LAMMPS = ("box\n\n2 atoms\n1 atom types\n\n0 1e8 xlo xhi\n0 5 ylo yhi\n0 5 zlo zhi\n\nMasses\n\n1 1.008\n\n"
          "Atoms # atomic\n\n1 1 0 0 0\n2 1 0 0 0.7\n")


def _far_molecule() -> str:
    pos = np.random.default_rng(0).uniform(0, 10, (65, 3))
    pos[0, 0] = 3e9
    return "65\n\n" + "".join(f"C {x} {y} {z}\n" for x, y, z in pos)


CRASHERS = {
    "lattice_1e15.vasp": (POSCAR.format(a="1e15"), "SC004"),
    "lattice_2p32.vasp": (POSCAR.format(a="4294967297"), "SC004"),
    "c_2p32.cif": (CIF, "SC004"),
    "far_atom.xyz": (_far_molecule(), "SC004"),
    "cell_0.01.xyz": ('2\nLattice="0.01 0 0 0 0.01 0 0 0 0.01" pbc="T T T"\nH 0 0 0\nH 0.005 0.005 0.005\n', "SC004"),
    "cell_0.003.xyz": ('2\nLattice="0.003 0 0 0 0.003 0 0 0 0.003" pbc="T T T"\nH 0 0 0\nH 0.001 0 0\n', "SC004"),
    "int_1e20.xyz": ('2\nProperties=species:S:1:pos:R:3:tag:I:1 pbc="F F F"\nH 0 0 0 100000000000000000000\n'
                     'H 0 0 0.74 1\n', "SC001"),
}


def _run(args, cwd):
    """The CLI in a child process: (exit code, stdout, stderr, wall seconds, peak RSS MB of the child)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), OMP_NUM_THREADS="1")
    script = ("import resource, subprocess, sys, json; "
              "p = subprocess.run(sys.argv[1:], capture_output=True, text=True); "
              "print(json.dumps([p.returncode, p.stdout, p.stderr, "
              "resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024]))")
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", script, sys.executable, "-m", "structcheck.cli", *args],
                         cwd=cwd, env=env, capture_output=True, text=True, timeout=120)
    wall = time.perf_counter() - t0
    import json

    code, stdout, stderr, rss = json.loads(out.stdout)
    return code, stdout, stderr, wall, rss


@pytest.mark.parametrize("name", sorted(CRASHERS))
def test_good_file_findings_survive_a_crashing_file(tmp_path, name):
    text, code = CRASHERS[name]
    (tmp_path / "good.xyz").write_text(GOOD)
    (tmp_path / name).write_text(text)
    rc, out, err, wall, rss = _run(["lint", "good.xyz", name], tmp_path)
    assert rc == 1, (out, err)
    assert "good.xyz:3: SC" in out and "close-contact" in out, out
    assert f"{name}" in out and code in out.split(name, 1)[1], out
    assert "Traceback" not in err and "internal error" not in err, err
    assert wall < 5 and rss < 500, (wall, rss)


def test_lammps_box_of_1e8(tmp_path):
    (tmp_path / "box.data").write_text(LAMMPS)
    rc, out, err, wall, rss = _run(["lint", "box.data", "--format-in", "lammps-data"], tmp_path)
    assert rc == 1 and "SC004 [error] absurd-coordinates" in out and "1e+08" in out, (out, err)
    assert wall < 5 and rss < 500


def test_search_problem_and_half_pairs_refuse_before_vesin():
    pos = np.random.default_rng(1).uniform(0, 10, (100, 3))
    assert search_problem(pos, np.eye(3) * 10, [True] * 3, 3.0) is None
    pos[3, 1] = -2e6
    assert "atom 3" in search_problem(pos, np.zeros((3, 3)), [False] * 3, 3.0)
    with pytest.raises(NeighborLimit):
        half_pairs(pos, np.zeros((3, 3)), [False] * 3, 3.0)
    tiny = np.eye(3) * 0.05
    with pytest.raises(NeighborLimit, match="per atom"):
        half_pairs(pos[:10] * 0.005, tiny, [True] * 3, 3.0)
    # a wide open frame within bounds: vesin's grid would fail; the k-d tree answers exactly
    pos = np.random.default_rng(2).uniform(0, 5, (80, 3))
    pos[0, 0] = 9e4
    got = half_pairs(pos, np.zeros((3, 3)), [False] * 3, 2.0)
    d = np.linalg.norm(pos[:, None] - pos[None], axis=2)
    iu = np.triu_indices(80, 1)
    assert len(got.d) == int((d[iu] < 2.0).sum())


def test_a_failing_rule_keeps_the_other_findings(monkeypatch):
    from structcheck.linter import registry

    config = load_config()
    atoms = Atoms("OH2", positions=[(0, 0, 0), (0, 0, 0.3), (0.93, 0, -0.24)])
    rules = list(config.rules_for("<atoms>"))
    victim = next(r for r in rules if r.family == "composition")

    def boom(frame, **kw):
        raise OverflowError("boom")

    import dataclasses

    rules = [dataclasses.replace(r, func=boom) if r is victim else r for r in rules]
    found = lint_atoms(atoms, config, rules=rules)
    assert any(f.name == "close-contact" for f in found)
    bad = [f for f in found if f.code == "SC001"]
    assert len(bad) == 1 and victim.name in bad[0].message and "OverflowError" in bad[0].message
    assert registry  # the registry itself is untouched


def test_a_reader_exception_is_a_finding_and_the_run_goes_on():
    from structcheck.io import FrameRecord

    config = load_config()

    def records():
        yield FrameRecord("a.xyz", 0, Atoms("H2", positions=[(0, 0, 0), (0, 0, 0.74)]))
        raise MemoryError("no room")

    got = list(lint_frames(records(), config, "a.xyz"))
    assert len(got) == 2 and got[1][1][0].code == "SC001" and "MemoryError" in got[1][1][0].message
    assert "frame 1" in got[1][1][0].message

    def broken():
        raise OverflowError("at once")
        yield

    got = list(lint_frames(broken(), config, "b.xyz"))
    assert got[0][0].path == "b.xyz" and got[0][1][0].code == "SC001"


def test_findings_are_flushed_as_produced(tmp_path):
    """The first file's findings reach a pipe before the second file is read (no block buffering)."""
    (tmp_path / "good.xyz").write_text(GOOD)
    os.mkfifo(tmp_path / "slow.xyz")
    env = dict(os.environ, PYTHONPATH=str(ROOT), OMP_NUM_THREADS="1")
    p = subprocess.Popen([sys.executable, "-m", "structcheck.cli", "lint", "good.xyz", "slow.xyz"], cwd=tmp_path,
                         env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        import select

        # good.xyz's findings come while slow.xyz is still unread (a regression fails here, not hangs)
        assert select.select([p.stdout], [], [], 60)[0], "nothing printed before the FIFO was read"
        first = p.stdout.readline().decode()
        assert first.startswith("good.xyz:3: SC"), first
    finally:
        with open(tmp_path / "slow.xyz", "w") as fh:
            fh.write(GOOD)
        p.communicate(timeout=60)
    assert resource  # imported for the child measurements above


# ------------------------------------------------------------------ the xyz reader refuses what it would misread

STRICT = {
    "wrapped line": ('2\nProperties=species:S:1:pos:R:3\nH 0 0 0 H\n0 0 0.74\n', 3, "columns"),
    "blank line in a frame": ("3\n\nH 0 0 0\n\nH 0 0 0.74\n", 4, "columns"),
    "truncated pbc": ('2\nLattice="5 0 0 0 5 0 0 0 5" pbc="F F\nH 0 0 0\nH 0 0 0.74\n', 2, "unterminated"),
    "quote swallows the cell": ('2\nnote="x Lattice="5 0 0 0 5 0 0 0 5" pbc="T T T"\nH 0 0 0\nH 0 0 0.74\n', 2, ""),
    "Lattice of 3": ('2\nLattice="5 0 0" pbc="T T T"\nH 0 0 0\nH 0 0 0.74\n', 2, "9 numbers"),
    "unknown type": ('2\nProperties=species:S:1:pos:X:3\nH 0 0 0\nH 0 0 0.74\n', 2, "unknown type"),
    "integer 1e20": ('2\nProperties=species:S:1:pos:R:3:tag:I:1\nH 0 0 0 100000000000000000000\nH 0 0 0.74 1\n',
                     1, "OverflowError"),
    "not UTF-8": (b"2\n\nH 0 0 0\nH\xff 0 0 0.74\n", 4, "UTF-8"),
}


@pytest.mark.parametrize("case", sorted(STRICT))
def test_xyz_reader_refuses_with_the_line(case):
    from structcheck.io import iter_frames
    from structcheck.io.xyz import iter_xyz_bytes

    text, line, words = STRICT[case]
    data = text if isinstance(text, bytes) else text.encode()
    recs = list(iter_xyz_bytes(data, "t.xyz"))
    assert recs[0].error is not None and recs[0].atoms is None, case
    assert recs[0].line == line and words in recs[0].error, (recs[0].line, recs[0].error)
    assert iter_frames  # the same reader behind every path


def test_huge_quoted_comment_is_linear(tmp_path):
    (tmp_path / "q.xyz").write_text('2\nkey="' + "a" * 10_000_000 + '" pbc="F F F"\nH 0 0 0\nH 0 0 0.74\n')
    rc, out, err, wall, rss = _run(["lint", "q.xyz"], tmp_path)
    assert rc == 0 and wall < 5 and rss < 500, (out, err, wall, rss)


# ------------------------------------------------------------------ nothing passes as clean by accident

def test_inline_ignore_never_hides_input_rules(run_cli, tmp_path):
    (tmp_path / "n.xyz").write_text('2\nstructcheck_ignore="ALL"\nH 0 0 nan\nH 0 0 0.3\n')
    code, out, _ = run_cli("lint", "n.xyz")
    assert code == 1 and "SC002" in out and "close-contact" not in out
    code, out, _ = run_cli("lint", "n.xyz", "--no-inline-ignore")
    assert code == 1 and "SC002" in out
    (tmp_path / "c.xyz").write_text('2\nstructcheck_ignore="close-contact"\nH 0 0 0\nH 0 0 0.3\n')
    assert run_cli("lint", "c.xyz")[0] == 0
    code, out, _ = run_cli("lint", "c.xyz", "--no-inline-ignore")
    assert code == 1 and "close-contact" in out


def test_zero_atoms_and_no_file_matched_are_not_clean(run_cli, tmp_path):
    (tmp_path / "POSCAR").write_text("empty\n1.0\n5 0 0\n0 5 0\n0 0 5\nH\n0\nCartesian\n")
    code, out, err = run_cli("lint", "POSCAR")
    assert code == 1 and "SC001" in out and "no atoms" in out, (out, err)
    (tmp_path / "empty").mkdir()
    (tmp_path / "gz").mkdir()
    (tmp_path / "gz" / "notes.txt").write_text("x")
    for d in ("empty", "gz"):
        code, out, err = run_cli("lint", d)
        assert code == 2 and f"{d}: no file matched" in err and "All checks passed" not in out
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "w.xyz").write_text("3\n\nO 0 0 0\nH 0 0 0.96\nH 0.93 0 -0.24\n")
    code, out, err = run_cli("lint", "d", "--include", "*.xzy")
    assert code == 2 and "*.xzy" in err


def test_file_names_cannot_forge_lines(run_cli, tmp_path):
    name = "x\nAll checks passed: 9 file(s).xyz"
    (tmp_path / name).write_text("2\n\nH 0 0 0\nH 0 0 0.3\n")
    code, out, _ = run_cli("lint", name)
    assert code == 1 and "x\\nAll checks passed" in out
    assert not any(line.startswith("All checks passed") for line in out.splitlines())


def test_non_utf8_file_name_is_escaped_not_fatal(tmp_path):
    name = os.fsdecode(b"caf\xe9.xyz")
    (tmp_path / name).write_text("2\n\nH 0 0 0\nH 0 0 0.3\n")
    for fmt in ("text", "jsonl"):
        env = dict(os.environ, PYTHONPATH=str(ROOT), OMP_NUM_THREADS="1", PYTHONIOENCODING="utf-8")
        p = subprocess.run([sys.executable, "-m", "structcheck.cli", "lint", ".", "--output-format", fmt],
                           cwd=tmp_path, env=env, capture_output=True, timeout=60)
        assert p.returncode == 1 and b"caf\\xe9" in p.stdout or b"caf\\udce9" in p.stdout, p
        assert b"internal error" not in p.stderr and b"Traceback" not in p.stderr


@pytest.mark.parametrize("argv", [
    ("relax", "s.xyz", "--fmax", "nan"), ("relax", "s.xyz", "--fmax", "inf"),
    ("wander", "s.xyz", "--noise", "nan"), ("fix", "s.xyz", "--margin", "-1"),
    ("lint", "s.xyz", "--jobs", "5000"), ("lint", "s.xyz", "--format-in", "bogus"),
    ("lint", "s.xyz", "--model", "missing.pth"), ("fix", "s.xyz", "--model", "missing.pth"),
])
def test_bad_option_values_are_usage_errors(run_cli, tmp_path, argv):
    (tmp_path / "s.xyz").write_text("2\n\nH 0 0 0\nH 0 0 0.74\n")
    code, out, err = run_cli(*argv)
    assert code == 2 and "structcheck: error:" in err and "internal error" not in err, err
    assert "Traceback" not in err and not out


def test_lammps_header_declaring_1e8_atoms_is_refused_before_ase(tmp_path):
    (tmp_path / "n.data").write_text(LAMMPS.replace("2 atoms", "100000000 atoms"))
    rc, out, err, wall, rss = _run(["lint", "n.data", "--format-in", "lammps-data"], tmp_path)
    assert rc == 1 and "SC001" in out and "100000000 atoms" in out, (out, err)
    assert wall < 5 and rss < 500, (wall, rss)  # was 7.5 s and 1.6 GB inside ASE


@pytest.mark.parametrize("shape", ["flat sheet", "thin cell", "slab"])
def test_shapes_vesin_cannot_take_are_searched_elsewhere(shape):
    """vesin 0.6 divides by zero for a flat 500 Å sheet of 100 atoms and a 5 × 1000 × 1000 Å cell
    (SIGFPE, measured); those go to a k-d tree or ASE's neighbour list, with the same pairs."""
    rng = np.random.default_rng(5)
    if shape == "flat sheet":
        pos, cell, pbc = rng.uniform(0, 1, (100, 3)) * [500, 500, 0], np.zeros((3, 3)), [False] * 3
    elif shape == "thin cell":
        cell, pbc = np.diag([5.0, 1000.0, 1000.0]), [True] * 3
        pos = rng.uniform(0, 1, (50, 3)) @ cell
    else:
        cell, pbc = np.diag([1.0, 1000.0, 30.0]), [True, True, False]
        pos = rng.uniform(0, 1, (50, 3)) @ cell
    got = half_pairs(pos, cell, pbc, 1.5)
    from ase.neighborlist import primitive_neighbor_list

    if any(pbc):
        i, j = primitive_neighbor_list("ij", pbc, cell, pos, 1.5)
        assert 2 * len(got.d) == len(i)
    else:
        d = np.linalg.norm(pos[:, None] - pos[None], axis=2)
        assert len(got.d) == int((d[np.triu_indices(100, 1)] < 1.5).sum())
