"""Input and cell rules: clean and failing cases."""

import numpy as np
from ase import Atoms
from ase.build import bulk

import structcheck


def by(findings, code):
    return [f for f in findings if f.code == code]


def test_non_finite_coordinates(water):
    bad = water.copy()
    bad.positions[2, 1] = np.nan
    f = structcheck.lint(bad)
    assert [x.atoms for x in by(f, "SC002")] == [(2,)]
    assert [x.code for x in f] == ["SC002"]  # geometry is not attempted on NaN
    assert by(structcheck.lint(water), "SC002") == []


def test_unknown_element_from_file(tmp_path):
    p = tmp_path / "w.xyz"
    p.write_text("3\n\nOw 0 0 0\nH 0.96 0 0\nH -0.24 0.93 0\n")
    f = by(structcheck.lint(p), "SC003")
    assert len(f) == 1 and f[0].atoms == (0,) and "'Ow'" in f[0].message
    p.write_text("3\n\nO 0 0 0\nH 0.96 0 0\nH -0.24 0.93 0\n")
    assert structcheck.lint(p) == []


def test_unknown_element_x(water):
    a = water.copy()
    a.numbers[0] = 0
    assert [x.atoms for x in by(structcheck.lint(a), "SC003")] == [(0,)]


def test_degenerate_cell():
    a = Atoms("H2", positions=[(0, 0, 0), (0.74, 0, 0)], pbc=True)  # default zero cell
    f = by(structcheck.lint(a), "SC301")
    assert len(f) == 1 and "shorter than" in f[0].message
    flat = Atoms("Si2", positions=[(0, 0, 0), (1.3, 1.3, 0)], cell=[[4, 0, 0], [0, 4, 0], [4, 4, 0.0]], pbc=True)
    f = by(structcheck.lint(flat), "SC301")
    assert len(f) == 1 and "coplanar" in f[0].message
    assert by(structcheck.lint(bulk("Si", "diamond", 5.43)), "SC301") == []


def test_implausible_density(water):
    box = water.copy()
    box.cell = [20, 20, 20]
    box.pbc = True
    # a molecule in a vacuum box is said (vacuum-box), not called implausible (issue 11)
    assert by(structcheck.lint(box), "SC302") == []
    f = by(structcheck.lint(box), "SC306")
    assert len(f) == 1 and f[0].value == np.float64(8000 / 3).round(6) and f[0].unit == "Å^3/atom"
    assert f[0].severity == "warning"
    assert [x for x in structcheck.lint(box, profile="dpa2-preflight") if x.severity == "error"] == []
    dense = bulk("Cu", "fcc", a=3.6 * 0.529177)  # Bohr lattice constant read as Å
    f = by(structcheck.lint(dense), "SC302")
    assert len(f) == 1 and f[0].value < f[0].threshold
    assert by(structcheck.lint(bulk("Cu", "fcc", a=3.6)), "SC302") == []
    water.pbc = False
    assert by(structcheck.lint(water), "SC302") == []
