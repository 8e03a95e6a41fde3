"""Issue 11: bond-length (SC107) on stretched bonds whose atoms are both short of their valence,
and on bonds shorter than any single bond; real chemistry (radicals declared, ions, metallic
hydrogen, hyperconjugation, X-ray hydrogens) untouched."""

from __future__ import annotations

import numpy as np
from ase import Atoms
from ase.build import molecule

import structcheck


def hits(atoms, name="bond-length"):
    return [tuple(sorted(f.atoms)) for f in structcheck.lint(atoms) if f.name == name]


def stretch(atoms, i, j, d):
    a = atoms.copy()
    v = a.positions[j] - a.positions[i]
    a.positions[j] = a.positions[i] + v / np.linalg.norm(v) * d
    return a


def test_a_hydrogen_pulled_out_of_its_bond():
    w = molecule("H2O")
    for d in (1.25, 1.5):  # beyond the bonded range: the H has no partner left
        assert hits(stretch(w, 0, 1, d)) == [(0, 1)]
    assert hits(Atoms("H2", [[0, 0, 0], [1.0, 0, 0]])) == [(0, 1)]
    assert hits(molecule("H2")) == [] and hits(w) == []


def test_two_methyls_at_a_broken_bond_and_a_carbon_carrying_h():
    e = molecule("C2H6")
    for d in (1.80, 2.1, 2.3):
        moved = e.copy()
        shift = (d - e.get_distance(0, 1)) * (e.positions[1] - e.positions[0]) / e.get_distance(0, 1)
        moved.positions[[1, 5, 6, 7]] += shift  # the second methyl, rigid
        assert (0, 1) in hits(moved), d


def test_compressed_bonds_but_not_xray_hydrogens_or_hyperconjugation():
    w = molecule("H2O")
    assert hits(stretch(w, 0, 1, 0.75)) == [(0, 1)]
    assert hits(stretch(w, 0, 1, 0.82)) == []  # SHELXL riding O-H
    assert hits(stretch(molecule("CH4"), 0, 1, 0.80)) == [(0, 1)]


def test_metallic_hydrogen_declared_radicals_and_solid_fluorine_are_not_stretched_bonds():
    from ase.collections import dcdft

    assert hits(dcdft["H"]) == [] and hits(dcdft["F"]) == []
    ch3 = molecule("CH3")
    pair = ch3.copy() + ch3.copy()
    pair.positions[4:] += [0, 0, 2.3]
    pair.info["multiplicity"] = 3  # two methyl radicals, declared
    assert hits(pair) == []
