"""Frames of PDB, PDBx/mmCIF, GRO and LAMMPS files, with notes on what the reader had to guess.

PDB/mmCIF/GRO go through ``io/pdb.py`` (parsing) and ``io/macro.py`` (conventions). LAMMPS
data and dump files go through ASE's readers (line endings normalised first: ASE's dump
reader fails on CRLF files), and the elements are checked: a LAMMPS file knows atom types,
not elements. ASE takes them from the Masses section of a data file (nearest atomic mass)
and from an ``element`` or ``mass`` column of a dump; without either it reads type 1 as H,
type 2 as He ..., which is no chemistry. Those frames get element 0 (unknown) and a note;
masses matched to elements get an ``element-guessed`` note.
"""

from __future__ import annotations

import io
import re
import warnings
from collections.abc import Iterator

import numpy as np

from .records import ReadError

Record = tuple  # (atoms | None, line | None, error | None)
_STYLES = ("full", "atomic", "charge", "molecular", "bond", "angle", "sphere")


def iter_macro(data: bytes, fmt: str) -> Iterator[Record]:
    """(atoms, line, error) per frame of a PDB/mmCIF/GRO/LAMMPS file's bytes."""
    text = data.decode("utf-8", errors="replace")
    if not text.strip():
        yield None, None, "empty file"
        return
    if fmt in ("lammps-data", "lammpstrj"):
        yield from _iter_lammps(text, fmt)
        return
    from .macro import to_atoms  # noqa: I001
    from .pdb import is_mmcif, parse_gro, parse_mmcif, parse_pdb

    parse = {"pdb": parse_pdb, "gro": parse_gro, "mmcif": parse_mmcif,
             "pdbqt": lambda t: parse_pdb(t, pdbqt=True)}[fmt]
    if fmt == "pdb" and not re.search(r"^(ATOM  |HETATM)", text, re.M) and is_mmcif(text):
        parse = parse_mmcif  # a .pdb name on an mmCIF file
    try:
        head, models = parse(text)
    except ReadError as exc:
        yield None, exc.line, str(exc)
        return
    if not models:
        yield None, None, (f"no atoms in file (read as {fmt.upper()}: no ATOM/HETATM records"
                           if fmt == "pdb" else f"no atoms in file (read as {fmt})") + \
            "; if that is not its format, pass --format-in"
        return
    for m in models:
        yield to_atoms(m, head), m.line, None


def _iter_lammps(text: str, fmt: str) -> Iterator[Record]:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if fmt == "lammps-data":
        from .prescan import lammps_declared_beyond_size

        problem = lammps_declared_beyond_size(text)
        if problem:  # before ASE allocates arrays for the declared count
            yield None, None, problem
            return
        try:
            atoms = _read_data(text)
        except Exception as exc:  # noqa: BLE001 - any reader failure is a one-line error
            yield None, None, f"cannot read as LAMMPS data ({type(exc).__name__}: {str(exc).strip()[:200]})"
            return
        _elements_from_masses(atoms)
        yield atoms, None, None
        return
    import ase.io

    m = re.search(r"^ITEM: ATOMS(.*)$", text, re.M)
    cols = m.group(1).split() if m else []
    k = 0
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for atoms in ase.io.iread(io.StringIO(text), index=":", format="lammps-dump-text"):
                if "element" not in cols:
                    if "mass" in cols:
                        _note(atoms, "element-guessed", "LAMMPS dump without an element column: elements "
                              "taken from the mass column (nearest atomic mass)")
                    else:
                        _unknown(atoms)
                yield atoms, None, None
                k += 1
    except Exception as exc:  # noqa: BLE001
        yield None, None, f"cannot read frame {k} as a LAMMPS dump ({type(exc).__name__}: {str(exc).strip()[:200]})"
        return
    if k == 0:
        yield None, None, "no frame in file (read as a LAMMPS text dump: no ITEM: ATOMS section); " \
                          "if that is not its format, pass --format-in"


def _read_data(text: str):
    from ase.io.lammpsdata import read_lammps_data

    try:
        return read_lammps_data(io.StringIO(text))
    except (RuntimeError, ValueError, IndexError) as first:
        # "Atoms # some comment" is taken for the atom style: try the styles by their columns
        for style in _STYLES:
            try:
                return read_lammps_data(io.StringIO(text), atom_style=style)
            except (RuntimeError, ValueError, IndexError, KeyError):
                continue
        raise first


def _note(atoms, code: str, message: str) -> None:
    atoms.info.setdefault("structcheck_reading", []).append({"code": code, "atoms": [], "message": message})


def _unknown(atoms) -> None:
    types = atoms.arrays.get("type")
    nt = len(set(types.tolist())) if types is not None else 0
    atoms.numbers = np.zeros(len(atoms), dtype=int)
    _note(atoms, "element-unknown", f"LAMMPS atom types without elements ({nt} type(s); no element column, "
          "and no masses that match elements): chemistry not checked; give elements (an element "
          "column, or atomic masses) to lint them")


def _elements_from_masses(atoms) -> None:
    """LAMMPS data: ASE matched the Masses section to elements (or left 0): say which."""
    z = atoms.numbers
    if len(z) == 0:
        return
    if not z.any() or (z == 0).any():
        _unknown(atoms)
        return
    types = atoms.arrays.get("type")
    pairs = sorted(set(zip(types.tolist(), z.tolist()))) if types is not None else []
    from ase.data import chemical_symbols

    shown = ", ".join(f"type {t} → {chemical_symbols[e]}" for t, e in pairs[:8])
    _note(atoms, "element-guessed", f"LAMMPS data: elements guessed from the Masses section (nearest "
          f"atomic mass: {shown}{', ...' if len(pairs) > 8 else ''})")
