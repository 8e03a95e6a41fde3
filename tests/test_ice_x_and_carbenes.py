"""Issue 11: symmetric hydrogens count half at the atoms they bridge (ice X); divalent carbon
inside a molecule is two lost hydrogens, so is a lone CH2 unless its spin is declared (a free
carbene); a heteroatom carbene is not."""

from __future__ import annotations

from ase import Atoms
from ase.build import molecule

import structcheck


def test_ice_x_every_o_with_four_symmetric_hydrogens_is_not_over_coordinated():
    a = 2.78  # bcc O sublattice, H midway between neighbouring O (O-H 1.20 Å)
    o = [[0, 0, 0], [a / 2, a / 2, a / 2]]
    q, t = a / 4, 3 * a / 4
    h = [[q, q, q], [t, t, q], [t, q, t], [q, t, t]]
    ice = Atoms("O2H4", o + h, cell=[a, a, a], pbc=True)
    for profile in (None, "dpa2-preflight"):
        assert [f.name for f in structcheck.lint(ice, profile=profile) if f.severity == "error"] == []
    w = molecule("H2O") + Atoms("H2", [[0, 0.0, 1.1], [0.95, 0, 0.4]])  # two stray H on a water O: still an error
    assert "over-coordinated" in {f.name for f in structcheck.lint(w) if f.severity == "error"}


def missing(atoms):
    return [f.atoms for f in structcheck.lint(atoms) if f.name == "missing-hydrogen"]


def test_divalent_carbon_in_a_molecule():
    eth = molecule("C2H6")
    del eth[[2, 3]]  # two H of the first carbon
    assert (0,) in missing(eth)
    assert missing(molecule("C2H6")) == []
    ch2 = Atoms("CH2", [[0, 0, 0], [1.107, 0, 0], [-0.23, 1.083, 0]])  # singlet CH2 (102 deg)
    assert missing(ch2) == [(0,)]  # a warning: CH4 minus two H has the same shape
    ch2.info["multiplicity"] = 1  # a carbene meant as one
    assert missing(ch2) == []
    fragment = molecule("CH4")
    del fragment[[3, 4]]  # CH4 minus two H, tetrahedral angle kept
    assert missing(fragment) == [(0,)]
    assert [f.severity for f in structcheck.lint(fragment) if f.severity == "error"] == []


def test_a_carboxyl_or_formate_carbon_that_lost_its_h_is_not_a_carbene():
    """Formic acid / methyl formate without the formyl H: a C with two O partners is a radical
    (no stable dioxycarbene); a carbon between two N (NHC-like) stays exempt."""
    for name in ("HCOOH", "HCOOCH3"):
        m = molecule(name)
        c = [k for k in range(len(m)) if m[k].symbol == "C" and
             sum(m[j].symbol == "O" and m.get_distance(k, j) < 1.5 for j in range(len(m))) == 2][0]
        h = [k for k in range(len(m)) if m[k].symbol == "H" and m.get_distance(c, k) < 1.2][0]
        del m[h]
        c -= c > h
        assert (c,) in missing(m), name
