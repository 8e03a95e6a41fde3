"""smallcell's plain-Python clearance of small crystals gives the numpy path's verdicts and pairs.

``neighbors.search_problem`` and ``half_pairs`` let ``smallcell.small_crystal_clear`` wave a
small fully periodic frame through to vesin; these tests run every planted frame both ways
(``SMALL_CELL_ATOMS = 0`` turns the shortcut off) on both sides of every limit: clean crystals,
and cells that are tiny, flat, huge, non-finite or too big for vesin's grid.
"""

from __future__ import annotations

import numpy as np
import pytest

from structcheck import neighbors, smallcell
from structcheck.neighbors import HARD_FACTOR, PAIRS_PER_ATOM_LIMIT, NeighborLimit, half_pairs, search_problem


def _both(fn, *args, **kw):
    """(result with the shortcut, result without it); a NeighborLimit is compared by its message."""
    def run():
        try:
            return fn(*args, **kw)
        except NeighborLimit as exc:
            return ("NeighborLimit", str(exc))

    fast = run()
    keep = smallcell.SMALL_CELL_ATOMS
    smallcell.SMALL_CELL_ATOMS = 0
    try:
        slow = run()
    finally:
        smallcell.SMALL_CELL_ATOMS = keep
    return fast, slow


def _same_pairs(a, b) -> bool:
    if isinstance(a, tuple) or isinstance(b, tuple):
        return a == b
    return all(x.dtype == y.dtype and x.shape == y.shape and x.tobytes() == y.tobytes()
               for x, y in ((a.i, b.i), (a.j, b.j), (a.d, b.d), (a.shift, b.shift))) and a.cutoff == b.cutoff


def _planted(rng):
    """(positions, cell, cutoff): random small crystals and cells at and across every limit."""
    out = []
    for _ in range(150):  # ordinary triclinic crystals, 1-60 atoms
        cell = np.diag(rng.uniform(2, 15, 3)) + rng.uniform(-2, 2, (3, 3)) * (1 - np.eye(3))
        n = int(rng.integers(1, 60))
        out.append((rng.uniform(0, 1, (n, 3)) @ cell, cell, float(rng.uniform(0.5, 8))))
    pos = rng.uniform(0, 1, (20, 3))
    for s in (1e-3, 0.01, 0.05, 0.1, 0.3, 1.0):  # shrunken cells: the pair estimate refuses the tiny ones
        out.append((pos * s * 3, np.eye(3) * s * 3, 3.0))
    for n_atoms in (200, 1000, 3000, 5000):  # dense boxes around the 1e5-pair floor
        p = rng.uniform(0, 6, (n_atoms, 3))
        out.append((p, np.eye(3) * 6, 6.0))
    for flat in (1e-4, 1e-5, 2e-6, 1.0005e-6, 1e-6, 1e-7, 0.0):  # coplanar around the degeneracy bound
        cell = np.array([[5.0, 0, 0], [0, 5.0, 0], [0, 0, 5.0 * flat]])
        out.append((pos * 4, cell, 2.0))
    for big in (4e4, 5e4, 9e4, 1.1e5):  # vectors at the coordinate limit, and atoms beyond it
        out.append((pos * 4, np.diag([big, 5, 5]), 3.0))
        out.append((pos * 4 + [0.6 * big, 0, 0], np.eye(3) * 8, 3.0))
    for length in (200.0, 600.0, 1500.0, 20000.0, 40000.0):  # vesin's grid and the span limit
        out.append((pos * [length, 5, 5], np.diag([length, 5, 5]), 0.75))
        out.append((pos * [length, length, 5], np.diag([length, length, 5]), 1.5))
    for far in (1e4, 2e4, 5e4):  # atoms spread far beyond a small cell: the span limit
        out.append((pos * [far, 1, 1], np.eye(3) * 8, 1.5))
    out.append((pos, np.zeros((3, 3)), 2.0))  # a zero cell flagged periodic
    out.append((pos, np.array([[5.0, 0, 0], [0, 0, 0], [0, 0, 5]]), 2.0))  # one zero vector
    bad = pos.copy()
    bad[3, 1] = np.nan
    out.append((bad, np.eye(3) * 5, 2.0))
    out.append((pos, np.array([[np.inf, 0, 0], [0, 5, 0], [0, 0, 5]]), 2.0))
    return out


def test_search_problem_and_pairs_agree_with_the_numpy_path():
    rng = np.random.default_rng(17)
    flagged = clear = 0
    for pos, cell, cutoff in _planted(rng):
        for limit in (PAIRS_PER_ATOM_LIMIT, HARD_FACTOR * PAIRS_PER_ATOM_LIMIT):
            fast, slow = _both(search_problem, pos, cell, [True] * 3, cutoff, limit)
            assert fast == slow, (cell.tolist(), cutoff, fast, slow)
            flagged += fast is not None
            clear += fast is None
        if not np.isfinite(pos).all() or len(pos) > 1000:
            continue  # non-finite: the frame never searches; dense boxes: estimate checked above
        for checked in (False, True):
            if checked and search_problem(pos, cell, [True] * 3, cutoff) is not None:
                continue  # the frame passes checked=True only when its own check found nothing
            fast, slow = _both(half_pairs, pos, cell, [True] * 3, cutoff, checked=checked)
            assert _same_pairs(fast, slow), (cell.tolist(), cutoff)
    assert flagged > 20 and clear > 200  # both verdicts planted


def test_a_small_crystal_takes_the_shortcut(monkeypatch):
    def refuse(*a, **k):
        raise AssertionError("numpy path taken")

    monkeypatch.setattr(neighbors, "usable_box", refuse)
    monkeypatch.setattr(neighbors, "_pair_estimate", refuse)
    cell = np.array([[5.72, 0, 0], [-2.86, 4.96, 0], [0, 0, 4.83]])
    pos = np.random.default_rng(1).uniform(0, 1, (10, 3)) @ cell
    assert search_problem(pos, cell, np.array([True] * 3), 5.4) is None
    assert len(half_pairs(pos, cell, np.array([True] * 3), 5.4).i) > 0
    with pytest.raises(AssertionError):  # a slab is not a small crystal: numpy path
        half_pairs(pos, cell, np.array([True, True, False]), 5.4)
