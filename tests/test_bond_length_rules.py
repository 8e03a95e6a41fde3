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


def test_a_hydrogen_pulled_off_beyond_any_bond_is_a_broken_bond_whatever_its_partner():
    """A lone H inside the van der Waals contact of its nearest non-metal: P-H and Si-H x1.6 and
    x2, an aromatic N-H (pyrrole's N keeps a Pauling sum of 2.9 without its H)."""
    for name, centre in (("PH3", 0), ("SiH4", 0), ("Si2H6", 0), ("C4H4NH", 1), ("H2O", 0)):
        m = molecule(name)
        h = min((k for k in range(len(m)) if m[k].symbol == "H"), key=lambda k: m.get_distance(centre, k))
        d0 = m.get_distance(centre, h)
        for f in (1.6, 2.0):
            assert (min(centre, h), max(centre, h)) in hits(stretch(m, centre, h, f * d0)), (name, f)
    # hydrogen on a metal (nearest atom a metal), H atoms meant as such (spin declared) and a
    # stray H far from everything (isolated-atom's) are not stretched bonds
    from ase.build import fcc111

    slab = fcc111("Pt", (2, 2, 3), vacuum=6.0)
    slab += Atoms("H", [slab.positions[-1] + [0, 0, 1.6]])
    assert hits(slab) == []
    m = stretch(molecule("PH3"), 0, 1, 2.6)  # 0.84 of the van der Waals sum: a radical pair may be meant
    m.info["multiplicity"] = 3
    assert hits(m) == []
    m = stretch(molecule("PH3"), 0, 1, 1.9)  # ... but not this close (0.61)
    m.info["multiplicity"] = 3
    assert hits(m) == [(0, 1)]
    m = stretch(molecule("PH3"), 0, 1, 2.26)
    m.info["charge"] = -1  # a hydride meant as one
    assert hits(m) == []
    assert hits(stretch(molecule("H2O"), 0, 1, 4.0)) == []


def test_a_terminal_atom_held_by_a_fraction_of_a_bond():
    """A terminal O, S or halogen whose one bond is stretched far beyond its kind (C=O x1.3,
    S=O x1.3, Si-F x1.3), but not a single bond of a file without hydrogens (Lys NZ, an
    N-terminus), nor nitrosyl chloride's long N-Cl (1.975 Å)."""
    for name, t, p in (("CH3CHO", 0, 1), ("SO2", 1, 0), ("CS2", 0, 1), ("C2H6SO", 1, 0)):
        m = molecule(name)
        assert (min(t, p), max(t, p)) in hits(stretch(m, p, t, 1.3 * m.get_distance(p, t))), name
    amine = molecule("CH3CH2NH2")
    heavy = amine[[k for k in range(len(amine)) if amine[k].symbol != "H"]]  # no hydrogens: N-C 1.47 Å
    assert hits(heavy) == []
    assert hits(molecule("ClNO")) == [] and hits(molecule("ClF3")) == []


def test_a_halogen_pulled_off_beyond_any_bond_but_not_a_halide_in_its_shell():
    clf3 = molecule("ClF3")
    assert (0, 1) in hits(stretch(clf3, 0, 1, 1.3 * clf3.get_distance(0, 1)))
    cl = molecule("H2O") + Atoms("Cl", [[0, 3.1, 0]])  # a halide beside a water's H: not judged
    cl.positions[2] = [0, 0.9, 0.5]
    assert hits(cl) == []
