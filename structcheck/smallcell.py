"""Plain-Python answers to the neighbour search's questions about one small periodic crystal.

Before a small crystal's neighbour search, ``neighbors.search_problem`` and ``half_pairs``
ask a 3 x 3 cell for its vector lengths, face heights and volume, and whether vesin's cell
grid can take it. numpy answers each with a call of 1-5 µs on a 3 x 3 array (about 60 µs
of a 20-atom CIF's lint in all). ``clear_for_vesin`` answers them with Python floats, and
says yes only where numpy's answer is the same by a margin that no rounding can cross
(factor 2 on every limit); a cell near any limit gets no answer here and goes on to the
numpy path in ``neighbors``, which decides as before. So both paths give the same verdict
and the same pairs (tests/test_smallcell.py plants cells on both sides of every limit).
"""

from __future__ import annotations

import math

import numpy as np

SMALL_CELL_ATOMS = 4096  # fully periodic frames below this size are tried here first


def plain_lengths(cell) -> tuple[float, float, float, float] | None:
    """(|a|, |b|, |c|, det) of a 3 x 3 cell in plain Python (lengths as np.linalg.norm sums
    their squares, in the same order); None when the cell is not 3 x 3 numbers."""
    try:
        (a0, a1, a2), (b0, b1, b2), (c0, c1, c2) = cell.tolist()
    except (ValueError, TypeError):  # not 3 x 3
        return None
    la = math.sqrt(a0 * a0 + a1 * a1 + a2 * a2)
    lb = math.sqrt(b0 * b0 + b1 * b1 + b2 * b2)
    lc = math.sqrt(c0 * c0 + c1 * c1 + c2 * c2)
    det = a0 * (b1 * c2 - b2 * c1) - a1 * (b0 * c2 - b2 * c0) + a2 * (b0 * c1 - b1 * c0)
    return la, lb, lc, det


def small_crystal_clear(pos: np.ndarray, cell, pbc, cutoff: float, per_atom_limit: float, limits: tuple) -> bool:
    """True when a fully periodic frame of fewer than SMALL_CELL_ATOMS atoms at ``pos`` in
    this cell passes every check of ``neighbors.search_problem`` (at ``per_atom_limit``)
    and of ``half_pairs`` before vesin (usable box as given, span, vesin's grid), each by a
    factor of 2; False: not decided here (the numpy path decides). ``limits``: neighbors'
    (COORD_LIMIT, SPAN_LIMIT, PAIR_FLOOR, VESIN_MAX_CELLS)."""
    n = len(pos)
    if not 0 < n < SMALL_CELL_ATOMS or np.asarray(pbc).tolist() != [True, True, True]:
        return False
    got = plain_lengths(np.asarray(cell, dtype=float))
    if got is None:
        return False
    coord_limit, span_limit, pair_floor, max_cells = limits
    lo, hi = float(np.minimum.reduce(pos, axis=None)), float(np.maximum.reduce(pos, axis=None))
    la, lb, lc, det = got
    lmax = max(la, lb, lc)
    # every vector finite, longer than 1e-6 Å and shorter than half the coordinate limit
    if not (min(la, lb, lc) > 2e-6 and lmax <= 0.5 * coord_limit):
        return False
    # neighbors._plainly_usable's own volume test (it keeps the cell and pbc as given), which
    # also passes numpy's "vol > 1e-6 lmax^3" in search_problem
    vol = abs(det)
    if not vol > 1.001e-6 * lmax ** 3:
        return False
    if not (-0.5 * coord_limit <= lo and hi <= 0.5 * coord_limit):
        return False
    if max(hi - lo, lmax) > 0.5 * span_limit * cutoff:
        return False
    # vesin's grid: the cells per direction from the lengths bound those from the heights
    # (a face height is at most its vector's length); max(1, floor(x)) <= x + 1
    if (la / cutoff + 1) * (lb / cutoff + 1) * (lc / cutoff + 1) > 0.5 * max_cells:
        return False
    # search_problem's pair estimate over the periodic heights: each height is vol / |normal|
    # and their product vol^3 / (|na| |nb| |nc|) >= vol^3 / (lb lc * lc la * la lb)
    heights = vol ** 3 / ((la * lb * lc) ** 2)
    per_atom = (n / heights) * (4.0 / 3.0) * math.pi * cutoff ** 3 if heights > 0 else math.inf
    return 0.5 * n * per_atom <= 0.5 * pair_floor or per_atom <= 0.5 * per_atom_limit
