"""Frames of any file, one at a time: format detection, the own xyz/extxyz reader, ASE for the rest.

xyz/extxyz are split into frames by structcheck (io/xyz.py: a streaming, chunked reader with
line numbers): ASE's xyz reader stops at the first bad frame, raises unrelated exception types
without line numbers, is quadratic for large plain-xyz frames, and ``import ase.io`` alone costs
~0.5 s. CIF goes through gemmi (io/cif.py, ASE's semantics at compiled-parser speed, ASE as
its fallback). Every other format goes through ``ase.io.iread``.
"""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from ase import Atoms

from .records import FrameRecord, ReadError
from .xyz import CHUNK, CHUNK_MIN, XYZ_FORMATS, iter_xyz_bytes, iter_xyz_stream



# formats read by structcheck itself (io/pdb.py, io/macro.py), by the names users give them
OWN = {"pdb": "pdb", "proteindatabank": "pdb", "ent": "pdb", "gro": "gro", "gromacs": "gro",
       "mmcif": "mmcif", "pdbx": "mmcif", "mcif": "mmcif", "lammps-dump-text": "lammpstrj",
       "lammpstrj": "lammpstrj", "pdbqt": "pdbqt"}
# extensions the field uses that ASE does not guess (or guesses as another format)
_BY_SUFFIX = {"pdb": "pdb", "ent": "pdb", "gro": "gro", "pdbx": "mmcif", "mcif": "mmcif",
              "data": "lammps-data", "lmp": "lammps-data", "lammps": "lammps-data",
              "lammpstrj": "lammpstrj", "dump": "lammpstrj", "pdbqt": "pdbqt"}
_COMPRESSED = ("gz", "bz2", "xz")


def detect_format(path: str, fmt: str | None = None) -> str | None:
    """``xyz``/``extxyz`` when this module reads the file itself, ``pdb``/``gro``/``mmcif``/
    ``lammpstrj`` for the macromolecular and LAMMPS readers, ``lammps-data`` for ASE's, else
    None (ASE guesses, or the CIF path decides)."""
    if fmt:
        return OWN.get(fmt.lower(), fmt)
    low = path.lower()
    if low.endswith((".xyz", ".extxyz")) and low.rfind(".") > low.rfind("/") + 1:
        return "extxyz"  # what the Path below gives, without building one per file
    name = low.rsplit("/", 1)[-1]
    parts = name.split(".")
    if len(parts) > 2 and parts[-1] in _COMPRESSED:
        parts = parts[:-1]
    if len(parts) > 1 and parts[0]:
        return _BY_SUFFIX.get(parts[-1])
    return None


def _decompressed(data: bytes, path: str) -> bytes:
    """The file's bytes, decompressed when they are gzip, bzip2 or xz (by their magic bytes,
    not the name: a ``.gz`` that is not compressed is read as it is)."""
    if data.startswith(b"\x1f\x8b"):
        import gzip

        return gzip.decompress(data)
    if data.startswith(b"BZh"):
        import bz2

        return bz2.decompress(data)
    if data.startswith(b"\xfd7zXZ"):
        import lzma

        return lzma.decompress(data)
    return data


def iter_frames(path: str, fmt: str | None = None, stdin: BinaryIO | None = None) -> Iterator[FrameRecord]:
    """Frames of one file (``-`` reads standard input); never raises for bad content."""
    fmt = detect_format(path, fmt)
    if path == "-":
        data = (stdin or sys.stdin.buffer).read()
        if fmt in XYZ_FORMATS or fmt is None:
            yield from iter_xyz_bytes(data, "-")
        elif fmt == "cif":
            yield from _iter_cif(data, "-", guessed=False)
        elif fmt in _MACRO:
            yield from _iter_own(data, "-", fmt, guessed=False)
        else:
            yield from _iter_ase(_BytesPath(data), "-", fmt)
        return
    try:
        # os.open/os.read, not open(): a small file is one read into one bytes object, no
        # buffered file object (~15 µs per file, most of a 5-atom molecule's read)
        fd = os.open(path, os.O_RDONLY)
    except OSError as exc:
        yield FrameRecord(path, 0, error=f"cannot open: {exc.strerror or exc}")
        return
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            yield FrameRecord(path, 0, error="is a directory (lint the files inside it, or pass --recursive)")
            return
        if fmt in XYZ_FORMATS:
            if stat.S_ISREG(st.st_mode) and st.st_size < CHUNK:
                yield from iter_xyz_bytes(_read_all(fd, st.st_size), path)
            else:
                with open(fd, "rb", closefd=False) as fh:
                    yield from iter_xyz_stream(_Chunks(fh), path)
            return
        low = path.lower()
        if fmt == "cif" or (fmt is None and low.endswith((".cif", ".cif.gz", ".cif.bz2", ".cif.xz"))):
            data = _read_all(fd, st.st_size)
            try:
                data = _decompressed(data, path)
            except (OSError, EOFError, ValueError) as exc:
                yield FrameRecord(path, 0, error=f"cannot decompress: {exc}")
                return
            if _is_mmcif(data):
                yield from _iter_own(data, path, "mmcif", guessed=fmt is None)
            else:
                yield from _iter_cif(data, path, guessed=fmt is None)
            return
        if fmt is None and low.endswith((".json", ".json.gz")) and stat.S_ISREG(st.st_mode) \
                and st.st_size < (256 << 20):
            data = _decompressed(_read_all(fd, st.st_size), path)
            head = data[:4096]
            if (b'"@module"' in head and b"pymatgen" in head) or (b'"sites"' in data and b'"species"' in data
                                                                  and b'"nextid"' not in data):
                yield from _iter_pymatgen_json(data, path)
                return
        if fmt in _MACRO:
            try:
                data = _decompressed(_read_all(fd, st.st_size), path)
            except (OSError, EOFError, ValueError) as exc:
                yield FrameRecord(path, 0, error=f"cannot decompress: {exc}")
                return
            if fmt == "mmcif" and not _is_mmcif(data):  # .mcif is also magnetic CIF (small-molecule tags)
                yield from _iter_cif(data, path, guessed=True)
            else:
                yield from _iter_own(data, path, fmt, guessed=True)
            return
    finally:
        os.close(fd)
    yield from _iter_ase(os.fspath(path), path, fmt)


def _read_all(fd: int, size: int) -> bytes:
    """The whole small regular file (size from fstat; a file that grew is read to its end)."""
    data = os.read(fd, size + 1)
    if len(data) <= size:
        return data
    parts = [data]
    while chunk := os.read(fd, CHUNK):
        parts.append(chunk)
    return b"".join(parts)


class _Chunks:
    """A large file (or a pipe) in pieces of CHUNK_MIN that double (up to CHUNK) only while
    single frames span several pieces: memory stays flat for long trajectories of small
    frames, and huge frames are read in few large pieces."""

    def __init__(self, fh):
        self.fh = fh
        self.size = CHUNK_MIN

    def grow(self) -> None:
        self.size = min(2 * self.size, CHUNK)

    def __iter__(self):
        return self

    def __next__(self) -> bytes:
        data = self.fh.read(self.size)
        if not data:
            raise StopIteration
        return data


class _BytesPath:
    def __init__(self, data: bytes):
        self.data = data


def _iter_cif(data: bytes, path: str, guessed: bool) -> Iterator[FrameRecord]:
    """CIF through gemmi (io/cif.py), ASE for what that path declines."""
    from .cif import iter_cif

    def fallback(text: str):
        for rec in _iter_ase(_BytesPath(text.encode()), path, "cif"):
            yield rec.atoms, rec.line, rec.error

    for k, (atoms, line, error) in enumerate(iter_cif(data, guessed, fallback)):
        yield FrameRecord(path, k, atoms, line, error)


def _iter_ase(source, path: str, fmt: str | None) -> Iterator[FrameRecord]:
    import io as _io
    import warnings

    import ase.io

    k = 0
    try:
        if isinstance(source, _BytesPath):
            handle = _io.StringIO(source.data.decode("utf-8", errors="replace"))
            it = ase.io.iread(handle, index=":", format=fmt)
        else:
            if Path(source).stat().st_size == 0:
                yield FrameRecord(path, 0, error="empty file")
                return
            it = ase.io.iread(source, index=":", format=fmt)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for atoms in it:
                yield FrameRecord(path, k, atoms)
                k += 1
    except Exception as exc:  # noqa: BLE001 - any reader failure is a finding, not a crash
        name = type(exc).__name__
        msg = str(exc).strip().splitlines()[0] if str(exc).strip() else name
        if name == "UnknownFileTypeError":
            msg = f"cannot tell the file format ({msg}); pass --format-in (e.g. lammps-data, proteindatabank)"
        else:
            msg = f"cannot read frame {k} ({name}: {msg})"
            if k:
                msg += "; later frames not read"
        yield FrameRecord(path, k, error=msg[:300])
        return
    if k == 0:
        yield FrameRecord(path, 0, error=_no_frames(path, fmt))


def _no_frames(path: str, fmt: str | None) -> str:
    """'no structure in file', saying what the format was taken to be and what to pass instead."""
    if fmt:
        how = f"read as {fmt}"
    else:
        try:
            from ase.io.formats import filetype

            how = f"ASE guessed the format {filetype(path, guess=True)!r}"
        except Exception:  # noqa: BLE001 - only a better message is at stake
            how = "ASE could not tell the format"
    return (f"no structure in file ({how}); if that is not its format, pass --format-in "
            f"(e.g. lammps-data, lammps-dump-text, proteindatabank, gromacs, vasp, cif)")


def _iter_pymatgen_json(data: bytes, path: str) -> Iterator[FrameRecord]:
    """A pymatgen Structure/Molecule (or a list of them) saved as JSON (``Structure.to(...)``,
    ``monty.serialization.dumpfn``): what ASE's JSON reader (an ASE database) cannot read."""
    import json
    import warnings

    try:
        from monty.json import MontyDecoder

        from .convert import to_atoms

        obj = json.loads(data.decode("utf-8", errors="replace"), cls=MontyDecoder)
        items = obj if isinstance(obj, list) else [obj]
        from pymatgen.core import Molecule, Structure

        k = 0
        for item in items:
            if isinstance(item, dict):  # as_dict() without "@module": a Structure has a lattice
                item = (Structure if "lattice" in item else Molecule).from_dict(item)
            if not isinstance(item, (Structure, Molecule)) and hasattr(item, "final_structure"):
                item = item.final_structure  # a TransformedStructure
            if isinstance(item, Structure):
                # through CIF: partial and mixed occupancies read as every other CIF (io/cif.py)
                from pymatgen.io.cif import CifWriter

                with warnings.catch_warnings():  # pymatgen's notes on labels, electronegativities
                    warnings.simplefilter("ignore")
                    text = str(CifWriter(item))
                for rec in _iter_cif(text.encode(), path, guessed=False):
                    rec.index = k
                    k += 1
                    yield rec
                continue
            yield FrameRecord(path, k, to_atoms(item))
            k += 1
    except Exception as exc:  # noqa: BLE001 - a bad file is a one-line error
        yield FrameRecord(path, 0, error=f"cannot read pymatgen JSON ({type(exc).__name__}: {str(exc)[:200]})")


_MACRO = ("pdb", "gro", "mmcif", "lammpstrj", "lammps-data", "pdbqt")


def _is_mmcif(data: bytes) -> bool:
    low = data.lower()
    return b"_atom_site.cartn_x" in low or b"_atom_site.label_atom_id" in low


def _iter_own(data: bytes, path: str, fmt: str, guessed: bool) -> Iterator[FrameRecord]:
    """PDB, mmCIF, GRO and LAMMPS dumps through structcheck's readers (io/pdb.py, io/macro.py,
    io/lammps.py): the conventions of the format, notes on what was guessed."""
    from .macroread import iter_macro

    for k, (atoms, line, error) in enumerate(iter_macro(data, fmt)):
        if atoms is not None:
            atoms.info.setdefault("structcheck_source", {})["guessed_format"] = guessed
        elif guessed and error and "--format-in" not in error:
            error = f"{error}; the format {fmt} was guessed from the file name: pass --format-in if it is another"
        yield FrameRecord(path, k, atoms, line, error)



def read_one(path: str, fmt: str | None = None) -> Atoms:
    """The first readable frame, else ReadError (used by fix/relax on a single start)."""
    for rec in iter_frames(path, fmt):
        if rec.error is None:
            return rec.atoms
        raise ReadError(f"{path}: frame {rec.index}" + (f", line {rec.line}" if rec.line else "") + f": {rec.error}")
    raise ReadError(f"{path}: no frame")
