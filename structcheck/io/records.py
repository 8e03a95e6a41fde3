"""What reading yields: one FrameRecord per frame (Atoms or a one-line error), and ReadError."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from ase import Atoms
from ase.cell import Cell

from ..findings import Finding


@dataclass
class FrameRecord:
    """One frame as read: ``atoms`` or an ``error`` (one line, no traceback)."""

    path: str
    index: int
    atoms: Atoms | None = None
    line: int | None = None  # 1-based line where the frame (or the error) is
    error: str | None = None


class ReadError(Exception):
    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.line = line


def unreadable_finding(rec: FrameRecord, config=None):
    sev = config.severity.get("SC001", "error") if config is not None else "error"
    return Finding(code="SC001", name="unreadable-structure", severity=sev, message=rec.error or "",
                   path=rec.path, frame=rec.index, line=rec.line)


def molecule_atoms(numbers: np.ndarray, positions: np.ndarray) -> Atoms:
    """``Atoms(numbers=numbers, positions=positions)`` (no cell, not periodic) for the
    readers' small-frame paths, without the constructor's argument handling (~9 of ~10 µs
    per frame of a small molecule, which a folder of small files pays per file).
    ``numbers``: a fresh int array; ``positions``: a fresh (n, 3) float64 array; both are
    kept, not copied. Built by the constructor when this ASE's Atoms is not laid out as
    checked on first use (``_bare_ok``)."""
    if not _bare_ok():
        return Atoms(numbers=numbers, positions=positions)
    return _bare(numbers, positions)


def crystal_atoms(numbers: np.ndarray, positions: np.ndarray, cell: np.ndarray, info: dict) -> Atoms:
    """``Atoms(numbers=numbers, positions=positions, cell=cell, pbc=True, info=info)`` for the
    CIF reader's crystals, as ``molecule_atoms`` builds a molecule (~15 of ~20 µs per small
    CIF): ``numbers`` and ``positions`` fresh arrays, kept; ``cell`` copied; ``info`` a dict
    copy."""
    if not _bare_ok():
        return Atoms(numbers=numbers, positions=positions, cell=cell, pbc=True, info=info)
    return _bare(numbers, positions, cell, info)


_BARE: list = [None]  # does _bare build what the constructor builds (this ASE)?


def _bare_ok() -> bool:
    """Does ``_bare`` build the constructor's Atoms here (attributes, their types, shapes,
    dtypes and values), for a molecule and for a crystal? Checked once per process."""
    if _BARE[0] is None:
        cell, info = np.eye(3) * 2.0, {"k": 1}
        pairs = ((Atoms(numbers=np.array([1]), positions=np.zeros((1, 3))), _bare(np.array([1]), np.zeros((1, 3)))),
                 (Atoms(numbers=np.array([1]), positions=np.zeros((1, 3)), cell=cell, pbc=True, info=info),
                  _bare(np.array([1]), np.zeros((1, 3)), cell, info)))
        _BARE[0] = all(sorted(vars(ref)) == sorted(vars(got)) and ref == got and ref.info == got.info and all(
            type(v) is type(vars(got)[k]) and np.shape(v) == np.shape(vars(got)[k]) and
            getattr(v, "dtype", None) == getattr(vars(got)[k], "dtype", None) for k, v in vars(ref).items())
            for ref, got in pairs)
    return _BARE[0]


def _bare(numbers: np.ndarray, positions: np.ndarray, cell: np.ndarray | None = None,
          info: dict | None = None) -> Atoms:
    """The Atoms the constructor builds, set attribute by attribute: not periodic without a
    cell, periodic in 3D with one."""
    atoms = Atoms.__new__(Atoms)
    atoms._cellobj = Cell(np.zeros((3, 3)) if cell is None else np.array(cell, dtype=float))
    atoms._pbc = np.zeros(3, bool) if cell is None else np.ones(3, bool)
    atoms.arrays = {"numbers": numbers, "positions": positions}
    atoms.info = {} if info is None else dict(info)
    atoms._constraints = []
    atoms._calc = None
    atoms._celldisp = np.zeros((3, 1))
    return atoms
