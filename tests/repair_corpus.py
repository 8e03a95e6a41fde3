"""The planted-defect corpus of issue 16: broken starts built from clean structures, deterministically.

``cases()`` returns a list of ``Case(name, kind, atoms, kwargs)``: ``kwargs`` go to
``structcheck.fix`` (``merge_duplicates=True`` for duplicated sites: merging is what the
user asks for there). Every start lints with at least one error under the default profile.
Kinds: g2-contact (a terminal atom squeezed onto its partner), g2-overcoordinated (an H
moved into a second atom's bonding shell), overlap-molecules (two molecules interpenetrating),
duplicate, periodic-image (contacts only through the cell boundary), self-image (an atom
closer to its own periodic image than a contact allows), crystal (bulk crystals with an atom
pushed onto a neighbour or into an interstitial), collinear (symmetric chains, the 4502 start).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from ase import Atoms
from ase.build import bulk, molecule
from ase.collections import g2
from ase.data import covalent_radii


class Case(NamedTuple):
    name: str
    kind: str
    atoms: Atoms
    kwargs: dict


def _rsum(a, i, j):
    return covalent_radii[a.numbers[i]] + covalent_radii[a.numbers[j]]


def _bonded(a):
    from structcheck.tables import default_pair_thresholds

    t = default_pair_thresholds()
    d = a.get_all_distances(mic=bool(a.pbc.any()))
    return (d < t.bonded[a.numbers][:, a.numbers]) & ~np.eye(len(a), dtype=bool)


def g2_contacts(count=30):
    rng = np.random.default_rng(16)
    out = []
    for name in g2.names:
        a = g2[name]
        if len(a) < 3:
            continue
        b = _bonded(a)
        term = np.flatnonzero(b.sum(1) == 1)
        if not len(term):
            continue
        i = int(term[rng.integers(len(term))])
        j = int(np.flatnonzero(b[i])[0])
        c = a.copy()
        u = c.positions[i] - c.positions[j]
        c.positions[i] = c.positions[j] + rng.uniform(0.3, 0.6) * _rsum(c, i, j) * u / np.linalg.norm(u)
        out.append(Case(f"g2-contact:{name}:{i}", "g2-contact", c, {}))
        if len(out) == count:
            break
    return out


def g2_overcoordinated(count=10):
    rng = np.random.default_rng(17)
    out = []
    for name in g2.names:
        a = g2[name]
        heavy = np.flatnonzero(a.numbers > 1)
        hs = np.flatnonzero(a.numbers == 1)
        if len(heavy) < 2 or not len(hs):
            continue
        b = _bonded(a)
        h = int(hs[rng.integers(len(hs))])
        owner = int(np.flatnonzero(b[h])[0])
        others = [k for k in heavy if k != owner]
        k = int(others[rng.integers(len(others))])
        c = a.copy()
        # the H halfway between its own atom and another heavy atom, pulled towards the latter
        mid = 0.45 * c.positions[owner] + 0.55 * c.positions[k]
        c.positions[h] = mid + rng.normal(0, 0.05, 3)
        out.append(Case(f"g2-overcoordinated:{name}:{h}", "g2-overcoordinated", c, {}))
        if len(out) == count:
            break
    return out


def overlapping_molecules():
    out = []
    pairs = [("H2O", "CH4", 1.0), ("NH3", "H2O", 0.8), ("CH3OH", "H2O", 1.1), ("C6H6", "H2O", 1.2),
             ("CH3CH2OH", "NH3", 1.0), ("HCOOH", "H2O", 0.9)]
    for n, (m1, m2, gap) in enumerate(pairs):
        a, b = molecule(m1), molecule(m2)
        # b's first atom placed `gap` Å from a's last atom, along +z away from a's centre
        u = a.positions[-1] - a.get_center_of_mass()
        u = u / (np.linalg.norm(u) or 1.0)
        b.translate(a.positions[-1] + gap * u - b.positions[0])
        out.append(Case(f"overlap-molecules:{m1}+{m2}", "overlap-molecules", a + b, {}))
    return out


def duplicates():
    out = []
    rng = np.random.default_rng(18)
    for name in ("H2O", "CH4", "C6H6", "CH3OH", "NH3"):
        a = molecule(name)
        k = int(rng.integers(len(a)))
        dup = a + a[k:k + 1]
        dup.positions[-1] += rng.normal(0, 0.01, 3)
        out.append(Case(f"duplicate:{name}:{k}", "duplicate", dup, {"merge_duplicates": True}))
    for name, crystal in (("Si", bulk("Si", "diamond", a=5.43, cubic=True)), ("Cu", bulk("Cu", "fcc", a=3.6, cubic=True)),
                          ("NaCl", bulk("NaCl", "rocksalt", a=5.64))):
        c = crystal.repeat(2) if len(crystal) < 8 else crystal.copy()
        d = c + c[1:2]
        out.append(Case(f"duplicate:{name}", "duplicate", d, {"merge_duplicates": True}))
    return out


def _box_with_image_contact(gap, pbc_box=5.0, first="H2O", second="CH4"):
    w, m = molecule(first), molecule(second)
    w.translate(np.array([0.3, pbc_box / 2, pbc_box / 2]) - w.positions[0])
    h = 1
    m.translate(np.array([pbc_box - (gap - 0.3), pbc_box / 2, pbc_box / 2]) - m.positions[h])
    box = w + m
    box.cell = [pbc_box, pbc_box, pbc_box]
    box.pbc = True
    return box


def periodic_image():
    out = []
    for gap in (0.4, 0.55, 0.7):
        out.append(Case(f"periodic-image:water-methane:{gap}", "periodic-image", _box_with_image_contact(gap), {}))
    out.append(Case("periodic-image:ammonia-water:0.5", "periodic-image",
                    _box_with_image_contact(0.5, 6.0, "NH3", "H2O"), {}))
    # crystals: an atom moved across the boundary onto its neighbour's image
    for name, crystal, frac in (("Si", bulk("Si", "diamond", a=5.43, cubic=True), 0.45),
                                ("Si-0.4A", bulk("Si", "diamond", a=5.43, cubic=True), None),
                                ("C", bulk("C", "diamond", a=3.567, cubic=True), 0.5),
                                ("Cu", bulk("Cu", "fcc", a=3.6, cubic=True), 0.55)):
        c = crystal.repeat(2)
        # atom 0 sits at the origin: put another atom just outside the opposite face, near 0's image
        k = len(c) - 1
        target = c.cell.array.sum(axis=0)  # the image of atom 0 at (1, 1, 1)
        u = np.array([-1.0, -0.6, -0.3]) / np.linalg.norm([-1.0, -0.6, -0.3])
        d = 0.4 if frac is None else frac * 2 * covalent_radii[c.numbers[0]]
        c.positions[k] = target + d * u
        out.append(Case(f"periodic-image:{name}", "periodic-image", c, {}))
    return out


def self_image():
    # no move of an atom changes its distance to its own image: refused with the reason
    return [Case("self-image:H-chain-0.5A", "self-image",
                 Atoms("H", positions=[(0.1, 0.1, 0.1)], cell=[0.5, 4, 4], pbc=True), {}),
            Case("self-image:O-sheet-0.8A", "self-image",
                 Atoms("OH2", positions=[(0, 0, 0), (0.0, 0.76, 0.59), (0.0, -0.76, 0.59)],
                       cell=[0.8, 6, 6], pbc=True), {})]


def crystals():
    out = []
    rng = np.random.default_rng(19)
    specs = [("Si", bulk("Si", "diamond", a=5.43, cubic=True).repeat(2)),
             ("C", bulk("C", "diamond", a=3.567, cubic=True).repeat(2)),
             ("Cu", bulk("Cu", "fcc", a=3.6, cubic=True).repeat(2)),
             ("NaCl", bulk("NaCl", "rocksalt", a=5.64, cubic=True).repeat(2)),
             ("MgO", bulk("MgO", "rocksalt", a=4.21, cubic=True).repeat(2)),
             ("GaAs", bulk("GaAs", "zincblende", a=5.65, cubic=True).repeat(2)),
             ("Al", bulk("Al", "fcc", a=4.05, cubic=True).repeat(2)),
             ("Fe", bulk("Fe", "bcc", a=2.87, cubic=True).repeat(3))]
    for name, c in specs:
        # one atom pushed onto a neighbour (0.45-0.6 of the radii sum)
        a = c.copy()
        a.positions += rng.normal(0, 0.02, a.positions.shape)
        d = a.get_all_distances(mic=True)
        np.fill_diagonal(d, np.inf)
        i = int(rng.integers(len(a)))
        j = int(np.argmin(d[i]))
        v = a.get_distance(j, i, mic=True, vector=True)
        a.positions[i] = a.positions[j] + rng.uniform(0.45, 0.6) * _rsum(a, i, j) * v / np.linalg.norm(v)
        out.append(Case(f"crystal:{name}:pushed", "crystal", a, {}))
    # interstitials: an extra atom in the middle of a crowded spot
    cu = bulk("Cu", "fcc", a=3.6, cubic=True).repeat(2)
    cu.positions[7] = cu.cell.array.sum(axis=0) - [0.5, 0.5, 0.5]
    out.append(Case("crystal:Cu:corner-interstitial", "crystal", cu, {}))
    si = bulk("Si", "diamond", a=5.43, cubic=True).repeat(2)
    si += Atoms("Si", positions=[si.positions[0] + [0.6, 0.6, 0.0]])
    out.append(Case("crystal:Si:interstitial", "crystal", si, {}))
    return out


def collinear():
    out = [Case("collinear:4502", "collinear",
                Atoms("H2O3", positions=[(0.3, 0.3, 0.3), (0.5, 0.5, 0.5), (0.7, 0.7, 0.7), (0.1, 0.1, 0.1),
                                         (0.6, 2.5, 3.7)], cell=[5, 5, 5]), {})]
    out.append(Case("collinear:linear-H2O+H", "collinear",
                    Atoms("HOHH", positions=[(0, 0, 0), (0.96, 0, 0), (1.92, 0, 0), (2.3, 0, 0)]), {}))
    out.append(Case("collinear:diacetylene-squeezed", "collinear",
                    Atoms("HCCCCH", positions=[(-2.9, 0, 0), (-1.84, 0, 0), (-0.64, 0, 0), (0.0, 0, 0),
                                               (1.2, 0, 0), (2.26, 0, 0)]), {}))
    out.append(Case("collinear:HCN-H", "collinear",
                    Atoms("HCNH", positions=[(-1.06, 0, 0), (0, 0, 0), (1.15, 0, 0), (1.5, 0, 0)]), {}))
    return out


def cases() -> list[Case]:
    return (g2_contacts() + g2_overcoordinated() + overlapping_molecules() + duplicates() + periodic_image()
            + self_image() + crystals() + collinear())
