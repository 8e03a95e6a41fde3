"""All pairs of a small non-periodic frame (a molecule), tested directly: a vesin call and its
conversions cost more than the whole lint of a small molecule. The pairs, order and distances
are those vesin returns (i < j, d² < cutoff², the same floating-point distance); up to
PYTHON_PAIRS atoms in plain Python, where numpy's per-call cost exceeds the work
(tests/test_small_frames.py checks the two bitwise)."""

from __future__ import annotations

import math

import numpy as np

SMALL_OPEN = 64  # non-periodic frames up to this size: all pairs directly (no vesin call)
PYTHON_PAIRS = 7  # atoms up to which all pairs are tested in plain Python (measured crossover ~8)


def direct_pairs(n: int, pbc) -> bool:
    """True for a frame whose pairs are all tested directly (``all_pairs``): up to SMALL_OPEN
    atoms and not periodic, so only the coordinates' size can make its search fail."""
    if n > SMALL_OPEN:
        return False
    pbc = np.asarray(pbc, dtype=bool)
    return not (True in pbc.tolist() if pbc.ndim == 1 else pbc.any())  # pbc.any() without its wrappers


_TRIU: dict[int, tuple[np.ndarray, np.ndarray]] = {}


def _triu(n: int) -> tuple[np.ndarray, np.ndarray]:
    if n not in _TRIU:
        _TRIU[n] = np.triu_indices(n, 1)
    return _TRIU[n]


def python_sized(n: int) -> bool:
    """Are all pairs of ``n`` atoms tested in plain Python (``all_pairs``' choice)?"""
    return n <= PYTHON_PAIRS


def all_pairs(pos: np.ndarray, cutoff: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(i, j, d) of every pair closer than ``cutoff``: int64, int64, float64 arrays."""
    if python_sized(len(pos)):
        return _python_pairs(pos, cutoff)
    return closer_than(*all_d2(pos), cutoff)


def all_d2(pos: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(i, j, squared distance) of every pair i < j (numpy): ``all_pairs`` before its cutoff,
    which a frame keeps to answer several cutoffs with one filter each."""
    i, j = _triu(len(pos))
    v = pos[j] - pos[i]
    return i, j, np.add.reduce(v * v, axis=1)  # (v * v).sum(axis=1): the same reduction, no wrappers


def closer_than(i: np.ndarray, j: np.ndarray, d2: np.ndarray, cutoff: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The pairs of ``all_d2`` closer than ``cutoff``, with their distances."""
    m = d2 < cutoff * cutoff
    return i[m], j[m], np.sqrt(d2[m])


_ZERO_SHIFTS = np.zeros((SMALL_OPEN * (SMALL_OPEN - 1) // 2, 3), dtype=np.int64)
_ZERO_SHIFTS.flags.writeable = False


def zero_shifts(k: int) -> np.ndarray:
    """``np.zeros((k, 3), np.int64)`` as a read-only view (k up to a small frame's pair count):
    the cell shifts of a molecule's pairs, without an allocation per frame."""
    return _ZERO_SHIFTS[:k] if k <= len(_ZERO_SHIFTS) else np.zeros((k, 3), dtype=np.int64)


def _python_pairs(pos: np.ndarray, cutoff: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``all_pairs`` in plain Python: the sum of squares in numpy's order, a correctly rounded root."""
    ii, jj, dd = python_pair_lists(pos, cutoff)
    return np.array(ii, dtype=np.int64), np.array(jj, dtype=np.int64), np.array(dd, dtype=np.float64)


def python_pair_lists(pos: np.ndarray, cutoff: float) -> tuple[list, list, list]:
    """``_python_pairs`` as lists (i, j, d), which a molecule's per-pair look-ups read."""
    rows = pos.tolist()
    c2 = cutoff * cutoff
    ii: list[int] = []
    jj: list[int] = []
    dd: list[float] = []
    for a, (x, y, z) in enumerate(rows):
        b = a
        for u, v, w in rows[a + 1:]:
            b += 1
            dx, dy, dz = u - x, v - y, w - z
            d2 = dx * dx + dy * dy + dz * dz
            if d2 < c2:
                ii.append(a)
                jj.append(b)
                dd.append(math.sqrt(d2))
    return ii, jj, dd
