"""Issue 17, small frames: the plain-Python paths and cheap preconditions for molecules give
exactly what the numpy paths give, on planted clean and broken cases."""

from __future__ import annotations

import numpy as np
import pytest
from ase import Atoms
from ase.build import molecule
from ase.collections import g2

import structcheck.linter.frame as frame_module
import structcheck.neighbors as nb
import structcheck.smallpairs as sp
from structcheck.linter.checks import cell as cell_checks
from structcheck.linter.checks import geometry, units
from structcheck.linter.config import load_config
from structcheck.linter.frame import Frame

CFG = load_config(None, use_project=False)
CODES = ("SC002", "SC004", "SC101", "SC102", "SC103", "SC104", "SC105", "SC106")


def _same_pairs(p, q):
    assert p.i.dtype == q.i.dtype == np.int64 and p.j.dtype == q.j.dtype == np.int64
    assert p.i.tolist() == q.i.tolist() and p.j.tolist() == q.j.tolist()
    assert p.d.dtype == q.d.dtype and p.d.tobytes() == q.d.tobytes()  # bitwise
    assert p.shift.shape == q.shift.shape and p.shift.dtype == q.shift.dtype and not q.shift.any()


def test_python_pairs_are_numpys_pairs_bitwise(monkeypatch):
    """Up to PYTHON_PAIRS atoms all pairs are tested in Python: the same pairs, order and
    distances as the numpy path, near the cutoff, coincident atoms and far apart ones too."""
    rng = np.random.default_rng(5)
    for _ in range(3000):
        n = int(rng.integers(1, sp.PYTHON_PAIRS + 1))
        pos = rng.normal(size=(n, 3)) * rng.choice([0.01, 0.7, 1.5, 30.0, 1e4])
        if n > 1 and rng.random() < 0.3:
            pos[1] = pos[0] + rng.normal(size=3) * 1e-9  # a duplicated site
        cutoff = float(rng.choice([0.5, 2.0, 2.6, 5.0]))
        if n > 1 and rng.random() < 0.3:  # a pair right at the cutoff
            cutoff = float(np.sqrt(((pos[1] - pos[0]) ** 2).sum()))
        py = nb._all_pairs(pos, cutoff)
        monkeypatch.setattr(sp, "PYTHON_PAIRS", -1)
        full = nb._all_pairs(pos, cutoff)
        monkeypatch.setattr(sp, "PYTHON_PAIRS", 7)
        _same_pairs(py, full)


def _findings(atoms, codes=CODES):
    import structcheck

    return [(f.code, f.atoms, f.message, f.value, f.threshold) for f in structcheck.lint(atoms) if f.code in codes]


def _planted() -> list[Atoms]:
    """Clean G2 molecules and broken copies: a duplicated atom, a squeezed pair, a lone atom
    far away, two fragments, Bohr coordinates, Å divided by Bohr,
    non-finite and absurd coordinates."""
    out = []
    for name in ("H2O", "CH4", "NH3", "CH3OH", "C2H6", "HCOOH", "CH3CH2OH", "SiH4", "LiF", "H2", "Ne"):
        a = molecule(name) if name != "Ne" else Atoms("Ne")
        out.append(a)
        if len(a) >= 2:
            b = a.copy()
            b.positions[1] = b.positions[0] + 0.02
            out.append(b)  # overlapping-atoms
            c = a.copy()
            c.positions[1] = c.positions[0] + 0.5 * (c.positions[1] - c.positions[0])
            out.append(c)  # close-contact
        d = a + Atoms("O", positions=[a.positions.max(axis=0) + 4.4])
        out.append(d)  # isolated-atom
        e = a + a.copy()
        e.positions[len(a):] += 6.0
        out.append(e)  # fragments
        f = a.copy()
        f.positions /= 0.529177
        out.append(f)  # Bohr read as Å
        g = a.copy()
        g.positions *= 0.529177
        out.append(g)  # Å converted as if Bohr
        h = a.copy()
        h.positions[0, 1] = np.nan
        out.append(h)
        k = a.copy()
        k.positions[0, 2] = 3e9
        out.append(k)
    return out


def test_planted_cases_are_flagged_as_before(monkeypatch):
    """Every planted case: the rules with their small-frame shortcuts give the findings the
    shortcut-free paths give (preconditions off, no plain-Python pairs, the numpy checks)."""
    cases = _planted()
    fast = [_findings(a) for a in cases]
    assert any(f for f in fast) and any(not f for f in fast)  # both directions planted
    codes = {c for f in fast for c, *_ in f}
    assert set(CODES) <= codes | {"SC105"} and "SC105" in codes
    monkeypatch.setattr(sp, "PYTHON_PAIRS", -1)
    monkeypatch.setattr(frame_module, "direct_pairs", lambda n, pbc: False)
    monkeypatch.setattr(Frame, "species_max", lambda self, name: np.inf)
    monkeypatch.setattr(units, "_ratios_plain", lambda frame: False)
    monkeypatch.setattr(frame_module, "PYTHON_LOOKUPS", -1)
    slow = [_findings(a) for a in cases]
    assert fast == slow


@pytest.mark.parametrize("name", sorted(g2.names))
def test_g2_molecules_agree_with_the_shortcut_free_paths(name, monkeypatch):
    a = g2[name]
    fast = _findings(a)
    monkeypatch.setattr(sp, "PYTHON_PAIRS", -1)
    monkeypatch.setattr(frame_module, "direct_pairs", lambda n, pbc: False)
    monkeypatch.setattr(Frame, "species_max", lambda self, name: np.inf)
    monkeypatch.setattr(units, "_ratios_plain", lambda frame: False)
    monkeypatch.setattr(frame_module, "PYTHON_LOOKUPS", -1)
    assert _findings(a) == fast


def test_frame_finite_and_bounds_of_a_small_frame_match_the_general_checks():
    """``Frame.finite`` and ``Frame.search_problem`` of a small open frame (one largest |x|)
    equal the reductions and ``neighbors.search_problem`` on every planted coordinate."""
    for bad in (None, np.nan, np.inf, -np.inf, 1e5, 1.0000001e5, -3e9, 1e308):
        a = molecule("CH3OH")
        if bad is not None:
            a.positions[2, 1] = bad
        for cell in (None, np.nan, 1e308):
            if cell is not None:
                a.cell = [[cell, 0, 0], [0, 5, 0], [0, 0, 5]]
            f = Frame(a, CFG)
            assert f.direct
            assert f.finite == bool(np.isfinite(a.positions).all() and np.isfinite(a.cell.array).all())
            want = nb.search_problem(a.positions, a.cell.array, a.pbc, f.cutoff) if f.finite else None
            assert f.search_problem == want


def test_close_free_and_min_distance_match_the_pair_thresholds():
    for a in _planted():
        if not np.isfinite(a.positions).all() or np.abs(a.positions).max() > 1e5:
            continue
        f = Frame(a, CFG)
        p = f.pairs
        assert f.min_distance == (float(p.d.min()) if len(p.d) else np.inf)
        assert f.close_free == (not (p.d < f.pair_threshold("close_contact")).any())
        assert f.species_max("overlap") >= (f.pair_threshold("overlap").max() if len(p.d) else -np.inf)


def test_over_coordination_precondition_keeps_the_flag():
    """Ethane shrunk by 0.53 (Å converted as if Bohr): each carbon has all seven other atoms
    within bonding range (over-coordinated); the intact molecule passes the precondition."""
    a = molecule("C2H6")
    f = Frame(a, CFG)
    assert not list(geometry.over_coordinated(f))
    a.positions *= 0.529177
    assert [h.atoms[0] for h in geometry.over_coordinated(Frame(a, CFG))] == [0, 1]


def test_bonded_pairs_by_python_lookups_are_numpys(monkeypatch):
    """A molecule's bonded pairs (per-pair look-ups in plain Python) and close-contact verdict
    equal the numpy look-ups', with and without overlapping pairs."""
    for a in _planted():
        if not np.isfinite(a.positions).all() or np.abs(a.positions).max() > 1e5:
            continue
        py = Frame(a, CFG)
        monkeypatch.setattr(frame_module, "PYTHON_LOOKUPS", -1)
        full = Frame(a, CFG)
        assert full.close_free == py.close_free
        _same_pairs(py.bonded_pairs, full.bonded_pairs)
        monkeypatch.setattr(frame_module, "PYTHON_LOOKUPS", 64)


def test_frame_pairs_of_a_molecule_are_half_pairs_and_keep_their_lists():
    """Frame.pairs' own molecule path (Python pairs, lists kept for the look-ups, shared
    read-only zero shifts) gives half_pairs' pairs bitwise; bonded pairs, coordination and
    unknown-element agree with the general paths, X atoms included."""
    rng = np.random.default_rng(11)
    cases = [g2[name] for name in sorted(g2.names)] + _planted()
    for _ in range(300):
        n = int(rng.integers(1, 12))
        cases.append(Atoms(numbers=rng.integers(0, 20, n), positions=rng.normal(size=(n, 3)) * 1.5))
    for a in cases:
        f = Frame(a, CFG)
        if not f.finite:
            continue
        ref = nb.half_pairs(a.positions, a.cell.array, a.pbc, f.cutoff)
        _same_pairs(ref, f.pairs)
        assert f.pair_lists == (ref.i.tolist(), ref.j.tolist(), ref.d.tolist(), a.numbers.tolist())
        assert not f.pairs.shift.flags.writeable or not f.direct
        b = f.bonded_pairs
        assert not b.shift.any() and b.shift.shape == (len(b.i), 3) and b.shift.dtype == np.int64
        assert f.coordination.tolist() == (np.bincount(b.i, minlength=len(a))
                                           + np.bincount(b.j, minlength=len(a))).tolist()
        hits = [h.atoms for h in cell_checks.unknown_element(f)]
        bad = tuple(np.flatnonzero(a.numbers == 0).tolist())
        assert hits == ([bad] if bad else [])
    assert sp.zero_shifts(5).shape == (5, 3) and not sp.zero_shifts(5).flags.writeable
    assert sp.zero_shifts(10 ** 5).shape == (10 ** 5, 3) and not sp.zero_shifts(10 ** 5).any()


def test_one_species_pair_thresholds_are_the_table_lookups():
    """A one-species frame's per-pair thresholds (one table entry, no gathers) equal the
    Zi * 119 + Zj look-ups, bitwise, and bonded pairs follow; two species use the look-ups."""
    from ase.build import bulk

    rng = np.random.default_rng(2)
    si = bulk("Si", "diamond", 5.43) * (4, 4, 4)
    si.positions += rng.normal(size=si.positions.shape) * 0.3
    mixed = si.copy()
    mixed.numbers[::7] = 6
    for a in (si, mixed, molecule("H2"), Atoms("Ar3", positions=[[0, 0, 0], [0, 0, 0.05], [3, 0, 0]])):
        f = Frame(a, CFG)
        for name in ("overlap", "close_contact", "bonded"):
            table = getattr(CFG.thresholds, name)
            want = table.reshape(-1)[f.pair_key]
            got = f.pair_threshold(name)
            assert got.dtype == want.dtype and got.tobytes() == want.tobytes()
        b = f.bonded_pairs
        keep = (f.pairs.d < want) & (f.pairs.d >= CFG.thresholds.overlap.reshape(-1)[f.pair_key])  # want: bonded
        assert b.i.tolist() == f.pairs.i[keep].tolist() and b.j.tolist() == f.pairs.j[keep].tolist()
