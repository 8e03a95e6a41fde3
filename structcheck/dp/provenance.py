"""The provenance record: one schema for relax and multi-start, hashes, versions, atomic writing."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import sys
from pathlib import Path

import numpy as np

SCHEMA = 1


def sha256_file(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


_MODEL_HASHES: dict[tuple, str] = {}


def model_sha256(path: Path) -> str:
    st = path.stat()
    key = (str(path.resolve()), st.st_size, st.st_mtime_ns)
    if key not in _MODEL_HASHES:
        _MODEL_HASHES[key] = sha256_file(path)
    return _MODEL_HASHES[key]


def atoms_sha256(atoms) -> str:
    """A digest of what the model sees: atomic numbers, positions, cell, pbc (exact bytes)."""
    h = hashlib.sha256()
    for arr in (np.ascontiguousarray(atoms.numbers, dtype=np.int64),
                np.ascontiguousarray(atoms.positions, dtype=np.float64),
                np.ascontiguousarray(atoms.cell.array, dtype=np.float64),
                np.ascontiguousarray(atoms.pbc, dtype=np.bool_)):
        h.update(arr.tobytes())
    return h.hexdigest()


def versions() -> dict:
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": sys.version.split()[0]}
    for name in ("structcheck", "ase", "deepmd-kit", "torch", "numpy"):
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = None
    return out


def provenance_path(output: str | Path) -> Path:
    """final.extxyz -> final.provenance.json (beside the output)."""
    p = Path(output)
    return p.with_name(p.stem + ".provenance.json") if p.suffix else p.with_name(p.name + ".provenance.json")


def jsonable(obj):
    if obj is None or isinstance(obj, (bool, int, str)):
        return obj
    if isinstance(obj, float):
        return obj if np.isfinite(obj) else str(obj)
    if isinstance(obj, (np.integer,)):
        return int(obj)
    if isinstance(obj, np.floating):
        return jsonable(float(obj))
    if isinstance(obj, np.ndarray):
        return [jsonable(x) for x in obj.tolist()]
    if isinstance(obj, Path):
        return str(obj)
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple, set)):
        return [jsonable(x) for x in obj]
    if hasattr(obj, "to_dict"):
        return jsonable(obj.to_dict())
    if dataclasses.is_dataclass(obj):
        return jsonable({f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)
                          if f.name not in ("atoms",)})
    return str(obj)


def findings_list(found) -> list[dict]:
    return [f.to_dict() for f in found]


def write_record(record: dict, path: Path) -> None:
    """Write the record as JSON through structcheck.outputs (a hidden temporary file in the same
    folder, fsync, rename; the CLI has checked the target before the run)."""
    from ..outputs import atomic_open

    text = json.dumps(jsonable(record), indent=1, ensure_ascii=False) + "\n"
    with atomic_open(path, "w", overwrite=True) as fh:
        fh.write(text)
