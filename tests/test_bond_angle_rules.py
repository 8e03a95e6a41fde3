"""Issue 11: bond-angle (SC108) at centres whose shape the bond graph fixes: tetrahedral
centres, three-coordinate N and B, O/S–H, sp carbon; boranes, carbenes and g2 untouched."""

from __future__ import annotations

import numpy as np
from ase import Atoms
from ase.build import molecule
from ase.collections import g2

import structcheck


def flagged(atoms):
    return [f.atoms[0] for f in structcheck.lint(atoms) if f.name == "bond-angle"]


def planar(centre, ligand, d, n=4):
    ang = np.linspace(0, 2 * np.pi, n, endpoint=False)
    return Atoms(centre + ligand * n, [[0, 0, 0]] + [[d * np.cos(a), d * np.sin(a), 0] for a in ang])


def bent(centre, a, b, da, db, angle):
    t = np.radians(angle)
    return Atoms(centre + a + b, [[0, 0, 0], [da, 0, 0], [db * np.cos(t), db * np.sin(t), 0]])


def test_planar_tetrahedral_centres():
    assert flagged(planar("Si", "H", 1.48)) == [0]
    assert flagged(planar("C", "F", 1.32)) == [0]
    nh4 = planar("N", "H", 1.02)
    nh4.info["charge"] = 1
    assert flagged(nh4) == [0]


def test_water_angles_both_ways_and_bent_co2_and_pyramidal_bf3():
    for angle, bad in ((104.5, False), (150, True), (60, True)):
        assert flagged(bent("O", "H", "H", 0.958, 0.958, angle)) == ([0] if bad else []), angle
    assert flagged(bent("C", "O", "O", 1.16, 1.16, 100)) == [0]
    assert flagged(bent("C", "O", "O", 1.16, 1.16, 180)) == []
    bf3 = Atoms("BF3", [[0, 0, 0], [1.31, 0, 0], [0, 1.31, 0], [0, 0, 1.31]])
    assert flagged(bf3) == [0]
    assert flagged(molecule("BF3")) == []


def test_real_molecules_are_not_flagged():
    for name in g2.names:
        assert flagged(g2[name]) == [], name
    ch2 = bent("C", "H", "H", 1.11, 1.11, 102)  # singlet carbene: not an sp carbon
    assert flagged(ch2) == []


def test_a_methyl_flattened_onto_its_carbon():
    """Three partners of a four-coordinate C coplanar with it (sum of their angles 360°): a
    planar CH3 on a C-C bond. The SN2 TS's planar CH3 has five partners, cations are not judged."""
    e = molecule("C2H6")
    ax = e.positions[0] - e.positions[1]
    ax /= np.linalg.norm(ax)
    for h in (2, 3, 4):  # the H of C0
        v = e.positions[h] - e.positions[0]
        v -= ax * (v @ ax)
        e.positions[h] = e.positions[0] + 1.09 * v / np.linalg.norm(v)
    assert 0 in [f.atoms[0] for f in structcheck.lint(e) if f.name == "bond-angle"]
    e.info["charge"] = 1
    assert [f for f in structcheck.lint(e) if f.name == "bond-angle"] == []


def test_linear_h2se_and_h2te_but_not_their_real_90_degree_shapes():
    for sym, d in (("Se", 1.46), ("Te", 1.66)):
        assert 0 in [f.atoms[0] for f in structcheck.lint(Atoms(sym + "H2", [[0, 0, 0], [d, 0, 0], [-d, 0, 0]]))
                     if f.name == "bond-angle"]
        t = np.radians(90.5)  # H2Se 90.6, H2Te 90.3 (Herzberg 1966)
        bent = Atoms(sym + "H2", [[0, 0, 0], [d, 0, 0], [d * np.cos(t), d * np.sin(t), 0]])
        assert [f for f in structcheck.lint(bent) if f.name == "bond-angle"] == []
