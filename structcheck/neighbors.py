"""One neighbour list per frame (vesin, compiled), shared by every rule."""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Pairs:
    """Each pair once (half list), periodic images included.

    ``i``, ``j``: atom indices; ``d``: distance in Å; ``shift``: integer cell shift
    with  r_ij = pos[j] - pos[i] + shift @ cell.  A pair may have i == j (an atom and
    its own periodic image) when the cell is smaller than the cutoff.
    """

    i: np.ndarray
    j: np.ndarray
    d: np.ndarray
    shift: np.ndarray
    cutoff: float

    def within(self, mask: np.ndarray) -> Pairs:
        if mask.all():  # e.g. every pair of a crystal is bonded: share the arrays (read-only use)
            return self
        idx = np.flatnonzero(mask)
        return Pairs(self.i[idx], self.j[idx], self.d[idx], self.shift.take(idx, axis=0), self.cutoff)

    def vectors(self, positions: np.ndarray, cell: np.ndarray) -> np.ndarray:
        return positions[self.j] - positions[self.i] + self.shift @ cell


def usable_box(cell: np.ndarray, pbc: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(box, periodic) safe for the neighbour list.

    A periodic direction whose cell vector is zero or collinear with the others cannot
    be periodic (the degenerate-cell rule reports that); it is treated as open.
    """
    cell = np.asarray(cell, dtype=float)
    pbc = np.asarray(pbc, dtype=bool).copy()
    if not pbc.any():
        return np.zeros((3, 3)), pbc
    lengths = np.linalg.norm(cell, axis=1)
    pbc &= lengths > 1e-6
    if pbc.any() and abs(np.linalg.det(cell)) < 1e-6 * max(lengths.max(), 1e-12) ** 3:
        # try to complete open directions with orthogonal vectors; else give up periodicity
        box = cell.copy()
        for ax in np.flatnonzero(~pbc):
            others = [box[k] for k in range(3) if k != ax]
            n = np.cross(others[0], others[1])
            if np.linalg.norm(n) < 1e-9:
                n = np.eye(3)[ax]
            box[ax] = n / np.linalg.norm(n)
        if abs(np.linalg.det(box)) < 1e-9:
            return np.zeros((3, 3)), np.zeros(3, dtype=bool)
        return box, pbc
    return cell, pbc


def _metadata_stub():
    """A stand-in for ``importlib.metadata`` while vesin imports, or None.

    vesin's ``__init__`` only calls ``importlib.metadata.version("vesin")``; importing
    importlib.metadata (email, zipfile, ...) costs ~15 ms, 5 % of a 1e5-atom lint. The
    stand-in answers that one question from the ``vesin-X.Y.Z.dist-info`` folder next to
    the package; anything else (or no such folder) falls back to the real module, and
    the stand-in is removed as soon as vesin is imported.
    """
    import sys
    import types
    from importlib.util import find_spec

    if "importlib.metadata" in sys.modules:
        return None
    threading = sys.modules.get("threading")
    if threading is not None and threading.active_count() > 1:
        return None  # another thread could import importlib.metadata meanwhile and get the stand-in
    try:
        spec = find_spec("vesin")
        site = os.path.dirname(os.path.dirname(spec.origin))
        (dist,) = [d for d in os.listdir(site) if d.startswith("vesin-") and d.endswith(".dist-info")]
    except Exception:
        return None
    found = dist[len("vesin-"):-len(".dist-info")]

    def version(name: str) -> str:
        if name == "vesin":
            return found
        _drop_stub(stub)
        import importlib.metadata

        return importlib.metadata.version(name)

    import importlib

    stub = types.ModuleType("importlib.metadata")
    stub.version = version
    sys.modules["importlib.metadata"] = stub
    importlib.metadata = stub  # `import importlib.metadata` then reads the attribute
    return stub


def _drop_stub(stub) -> None:
    import importlib
    import sys

    if sys.modules.get("importlib.metadata") is stub:
        del sys.modules["importlib.metadata"]
    if getattr(importlib, "metadata", None) is stub:
        del importlib.metadata


def _vesin_neighbor_list():
    """vesin's NeighborList, imported without torch/cupy.

    vesin imports torch and cupy at import time when they are installed (for tensor
    inputs, which structcheck never passes): ~1 s of start-up on the lint path. Block them
    for the duration of the import unless they are already loaded.
    """
    import sys

    if "vesin" not in sys.modules:
        blocked = [m for m in ("torch", "cupy") if m not in sys.modules]
        for m in blocked:
            sys.modules[m] = None  # makes `import m` raise ImportError
        stub = _metadata_stub()
        try:
            try:
                import vesin  # noqa: F401
            except Exception:  # noqa: BLE001 - e.g. a vesin that wants more of importlib.metadata
                if stub is None:
                    raise
                _drop_stub(stub)
                stub = None
                for m in [m for m in sys.modules if m == "vesin" or m.startswith("vesin.")]:
                    del sys.modules[m]
                import vesin  # noqa: F401  (again, with the real importlib.metadata)
        finally:
            for m in blocked:
                if sys.modules.get(m, 0) is None:
                    del sys.modules[m]
            if stub is not None:
                _drop_stub(stub)
    from vesin import NeighborList

    return NeighborList


SMALL_OPEN = 64  # non-periodic frames up to this size: all pairs directly (no vesin call)
PARALLEL_ATOMS = 250_000  # frames from this size: vesin on its default threads


_TRIU: dict[int, tuple[np.ndarray, np.ndarray]] = {}


def _triu(n: int) -> tuple[np.ndarray, np.ndarray]:
    if n not in _TRIU:
        _TRIU[n] = np.triu_indices(n, 1)
    return _TRIU[n]


def _all_pairs(pos: np.ndarray, cutoff: float) -> Pairs:
    """The pairs vesin returns for a small non-periodic frame (i < j, d² < cutoff², the
    same floating-point distance), by testing all of them: a vesin call and its
    conversions cost more than the whole lint of a small molecule."""
    i, j = _triu(len(pos))
    v = pos[j] - pos[i]
    d2 = (v * v).sum(axis=1)
    m = d2 < cutoff * cutoff
    return Pairs(i[m], j[m], np.sqrt(d2[m]), np.zeros((int(m.sum()), 3), dtype=np.int64), cutoff)


def half_pairs(positions: np.ndarray, cell: np.ndarray, pbc: np.ndarray, cutoff: float) -> Pairs:
    """All pairs closer than ``cutoff`` Å, each once."""
    n = len(positions)
    if n == 0 or cutoff <= 0:
        return Pairs(np.zeros(0, int), np.zeros(0, int), np.zeros(0), np.zeros((0, 3), int), cutoff)
    if n <= SMALL_OPEN and not any(np.asarray(pbc).tolist()):  # a molecule: no box to check
        return _all_pairs(np.asarray(positions, dtype=np.float64), float(cutoff))
    box, periodic = usable_box(cell, pbc)
    pos = np.ascontiguousarray(positions, dtype=np.float64)
    if not periodic.any():
        if n <= SMALL_OPEN:
            return _all_pairs(pos, float(cutoff))
        box = np.zeros((3, 3))
    NeighborList = _vesin_neighbor_list()
    # vesin's OpenMP threads (OMP_NUM_THREADS, else every core) pay off only for big frames;
    # below that, starting them costs more wall time than they save (and a core's worth of
    # spinning), and --jobs/Dask workers are parallel already
    nl = NeighborList(cutoff=float(cutoff), full_list=False, n_threads=0 if n >= PARALLEL_ATOMS else 1)
    i, j, s, d = nl.compute(pos, box, [bool(p) for p in periodic], quantities="ijSd")
    return Pairs(_as_int64(i), _as_int64(j), d, s.astype(np.int64), cutoff)


def _as_int64(a: np.ndarray) -> np.ndarray:
    """vesin's uint64 indices as int64 without a copy (indices are far below 2**63)."""
    if a.dtype == np.uint64 and a.flags.c_contiguous:
        return a.view(np.int64)
    return a.astype(np.int64)
