"""isolated-atom's contact test for a few atoms of a big frame (``neighbors.contacts_of``)
against the pair search it replaces there: the same answer on random frames (triclinic,
partly periodic, open, atoms at the cell faces, contacts just inside and outside reach)."""

from __future__ import annotations

import numpy as np
import pytest

from structcheck.neighbors import contacts_of, half_pairs


def _by_pairs(pos, cell, pbc, atoms, radii, factor, reach):
    p = half_pairs(pos, cell, pbc, reach)
    close = (p.d < factor * (radii[p.i] + radii[p.j])) & (p.i != p.j)
    hit = np.zeros(len(pos), bool)
    hit[p.i[close]] = True
    hit[p.j[close]] = True
    return hit[atoms]


@pytest.mark.parametrize("seed", range(12))
def test_contacts_of_equals_the_pair_search(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(200, 3000))
    pbc = [np.array([True] * 3), np.array([True, True, False]), np.array([False] * 3)][seed % 3]
    cell = np.diag(rng.uniform(14, 30, 3))
    if seed % 2:
        cell[1, 0] = rng.uniform(-6, 6)  # triclinic
        cell[2, :2] = rng.uniform(-5, 5, 2)
    frac = rng.random((n, 3))
    frac[:20, 0] = rng.choice([0.0, 1e-9, 0.999999], 20)  # on the cell faces
    pos = frac @ cell
    radii = rng.uniform(1.1, 2.2, n)
    factor = 1.15
    reach = factor * 2 * float(radii.max())
    atoms = rng.choice(n, 40, replace=False)
    # contacts planted at 1 - 1e-9 and 1 + 1e-9 of the threshold from some of the queried atoms
    for k, a in enumerate(atoms[:10]):
        b = (a + 1) % n
        t = factor * (radii[a] + radii[b]) * (1 - 1e-9 if k % 2 else 1 + 1e-9)
        v = rng.normal(size=3)
        pos[b] = pos[a] + t * v / np.linalg.norm(v)
    got = contacts_of(pos, cell, pbc, atoms, radii, factor, reach)
    assert got is not None
    assert np.array_equal(got, _by_pairs(pos, cell, pbc, atoms, radii, factor, reach))


def test_a_cell_too_small_for_the_nearest_image_is_left_to_the_pair_search():
    pos = np.zeros((5, 3))
    assert contacts_of(pos, np.eye(3) * 6.0, np.array([True] * 3), np.array([0]), np.full(5, 2.0), 1.15,
                       4.6) is None
    assert contacts_of(pos, np.zeros((3, 3)), np.array([True, False, False]), np.array([0]), np.full(5, 2.0),
                       1.15, 4.6) is None


def test_isolated_atom_on_a_big_slab_is_judged_as_by_the_pair_search(monkeypatch):
    """A 5,832-atom Si slab with an adatom in contact (3.2 Å up: not bonded, not isolated),
    one far out in the vacuum and an Ar among them: isolated-atom's findings with the
    few-atom path equal those of the full pair search."""
    from ase import Atoms
    from ase.build import bulk

    import structcheck
    import structcheck.neighbors as nb

    slab = bulk("Si", "diamond", a=5.43, cubic=True).repeat((9, 9, 9))
    slab.center(vacuum=15.0, axis=2)
    top = slab.positions[:, 2].max()
    x0, y0 = slab.positions[slab.positions[:, 2].argmax(), :2]
    slab += Atoms("SiSiAr", positions=[(x0, y0, top + 3.2), (10, 10, top + 11), (20, 20, top + 8)])

    def found(a):
        return sorted((f.code, f.atoms) for f in structcheck.lint(a) if f.code in ("SC103", "SC001"))

    calls = []
    real = nb.contacts_of
    monkeypatch.setattr(nb, "contacts_of", lambda *a: calls.append(1) or real(*a))
    fast = found(slab)
    assert calls and ("SC103", (len(slab) - 2,)) in fast and ("SC103", (len(slab) - 3,)) not in fast
    monkeypatch.setattr(nb, "contacts_of", lambda *a: None)
    assert found(slab) == fast


def _multicentre_by_atom(frame, atoms, count):
    """multicentre_allowed as it read before it was vectorised: one atom at a time."""
    from structcheck.linter import chemistry as ch
    from structcheck.tables import coordination_table

    mc = ch.table()["multicentre"]
    z, b, s = frame.numbers, frame.bonded_pairs, ch.bond_numbers(frame)
    nm, hard, maxn = ch.nonmetal_mask(), ch.hard_max_neighbours(), coordination_table()[0]
    _, labels = ch.components(frame)
    ok = np.zeros(len(atoms), bool)
    for k, a in enumerate(atoms.tolist()):
        mine = [p for p in range(len(b.i)) if (b.i[p] == a and nm[z[b.j[p]]])
                or (b.j[p] == a and nm[z[b.i[p]]] and b.i[p] != b.j[p])]
        sa = s[mine]
        if z[a] in (1, 9) and count[k] == 2:
            w = "h" if z[a] == 1 else "f"
            if sa.max() <= mc[f"bridging_{w}_max_bond_number"] and sa.sum() <= mc[f"bridging_{w}_max_sum"]:
                ok[k] = True
                continue
        if z[a] != 1:
            other = [b.j[p] if b.i[p] == a else b.i[p] for p in mine]
            if count[k] - 0.5 * np.count_nonzero(ch._bridging_h(frame, s, mc)[other]) <= maxn[z[a]]:
                ok[k] = True
                continue
        if hard[z[a]] >= count[k]:
            deficit, sizes = ch._deficits(frame, labels)
            c = labels[a]
            ok[k] = (deficit[c] >= mc["min_network_deficit_per_atom"] * sizes[c]
                     if ch.periodic_dimension(frame, labels, c) > 0 else deficit[c] >= mc["min_electron_deficit"])
    return ok


def test_multicentre_allowed_equals_its_atom_by_atom_reading():
    """The vectorised multi-centre test against the per-atom one on crowded frames: random
    B/C/N/O/F/H/Si packings (periodic and not) where many atoms exceed their limits, with
    bridging hydrogens and fluorides among them."""
    from ase import Atoms

    from structcheck.linter import chemistry as ch
    from structcheck.linter.config import load_config
    from structcheck.linter.frame import Frame
    from structcheck.tables import coordination_table

    maxn = coordination_table()[0]
    nm = ch.nonmetal_mask()
    for seed in range(8):
        rng = np.random.default_rng(seed)
        n = 120
        z = rng.choice([1, 1, 1, 5, 6, 7, 8, 9, 14], n)
        side = 7.0 + seed % 3
        atoms = Atoms(numbers=z, positions=rng.random((n, 3)) * side, cell=[side] * 3, pbc=bool(seed % 2))
        frame = Frame(atoms, load_config(use_project=False))
        b = frame.bonded_pairs
        count = (np.bincount(b.i, weights=nm[z[b.j]], minlength=n)
                 + np.bincount(b.j, weights=nm[z[b.i]], minlength=n)).astype(int)
        bad = np.flatnonzero((maxn[z] >= 0) & (count > maxn[z]))
        assert len(bad) > 5
        got = ch.multicentre_allowed(frame, bad, count[bad])
        assert np.array_equal(got, _multicentre_by_atom(frame, bad, count[bad]))
