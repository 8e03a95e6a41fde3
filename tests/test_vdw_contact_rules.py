"""Issue 11: vdw-contact (SC109) knows which contacts can be short: hydrogen bonds, C-H donors,
N/O/F lone pairs, pi stacks, noble gases; s22 dimers and high-pressure H3S untouched."""

from __future__ import annotations

import numpy as np
from ase import Atoms
from ase.build import molecule
from ase.collections import s22

import structcheck


def contacts(atoms):
    return [tuple(sorted(f.atoms)) for f in structcheck.lint(atoms) if f.name == "vdw-contact"]


def pair(a, b, shift):
    b = b.copy()
    b.translate(shift)
    return a + b


def test_two_waters_with_and_without_a_hydrogen_between_them():
    left = Atoms("OH2", [[0, 0, 0], [-0.586, 0.757, 0], [-0.586, -0.757, 0]])  # H atoms away from +x
    right = Atoms("OH2", [[0, 0, 0], [0.586, 0, 0.757], [0.586, 0, -0.757]])
    assert contacts(pair(left, right, [2.4, 0, 0])) == [(0, 3)]  # O...O 2.4 Å, no H between
    assert contacts(pair(left, right, [2.9, 0, 0])) == []
    donor = Atoms("OH2", [[0, 0, 0], [0.957, 0, 0], [-0.24, 0.927, 0]])  # an O-H pointing at the other O
    assert contacts(pair(donor, right, [2.5, 0, 0])) == []  # a strong hydrogen bond
    assert contacts(pair(donor, right, [2.2, 0, 0]))


def test_methane_pair_benzene_stack_and_argon_pair():
    ch4 = molecule("CH4")
    d = ch4.positions[1] / np.linalg.norm(ch4.positions[1])
    other = ch4.copy()
    other.positions = -other.positions  # an H pointing back along -d
    # H1...H(other) at 1.4 Å along d
    shift = d * (2 * np.linalg.norm(ch4.positions[1]) + 1.4)
    assert len(contacts(pair(ch4, other, shift))) == 1
    bz = molecule("C6H6")
    assert contacts(pair(bz, bz, [0, 0, 2.5])) and not contacts(pair(bz, bz, [0, 0, 3.4]))
    assert contacts(Atoms("Ar2", [[0, 0, 0], [2.8, 0, 0]])) == [(0, 1)]
    assert contacts(Atoms("Ar2", [[0, 0, 0], [3.76, 0, 0]])) == []


def test_s22_dimers_have_no_contact_warning():
    for name in s22.names:
        assert contacts(s22[name]) == [], name


def test_an_h_pushed_into_a_bond_of_another_molecule_keeps_its_own_partner():
    """A CH4 pushed onto benzene until one of its H is 1.3 Å from a ring C (and bonded to both
    by distance): the H keeps its own C (the stronger bond), so the two molecules stay two and
    vdw-contact names their contacts, the H among them."""
    bz = molecule("C6H6")
    ch4 = molecule("CH4")
    c = bz.positions[0]
    h = 1
    ch4.rotate(ch4.positions[h] - ch4.positions[0], [0, 0, -1])  # that H points down at the ring C
    ch4.translate(c + [0, 0, 1.3] - ch4.positions[h])
    assert both_bonded(bz + ch4, 0, len(bz) + h, len(bz))
    both = bz + ch4
    found = [f for f in structcheck.lint(both) if f.name == "vdw-contact"]
    assert found and {0, len(bz) + h} <= set(found[0].atoms)


def both_bonded(atoms, ring_c, h, own_c):
    return atoms.get_distance(ring_c, h) < 1.25 * 1.07 and atoms.get_distance(own_c, h) < 1.25 * 1.07


def test_an_h_pushed_onto_a_pi_face_or_an_sp3_carbon():
    """S22's benzene-water and benzene-methane complexes pushed to 0.6 x their closest contact
    (H...C 1.67 / 2.00 Å): an H over a carbon with three or four partners meets no lone pair."""
    for name in ("Benzene-water_complex", "Benzene-methane_complex"):
        a = s22[name]
        n = 12  # benzene first
        b_idx = np.arange(n, len(a))
        u = a.positions[b_idx].mean(0) - a.positions[:n].mean(0)
        u /= np.linalg.norm(u)
        dmin = a.get_all_distances()[:n, n:].min()
        a.positions[b_idx] -= u * dmin * 0.4
        assert contacts(a), name
        assert contacts(s22[name]) == []
