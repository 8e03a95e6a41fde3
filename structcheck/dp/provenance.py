"""The provenance record: one schema for relax and multi-start, enough to repeat a run elsewhere.

Every record (``structcheck_provenance: 2``) has ``kind`` ("relax" or "multistart"),
``created_utc``, ``command``, ``input`` (path and hashes, and the start structure itself:
numbers, positions, cell, pbc, constraints, charges/magmoms, info; :func:`atoms_from_record`
rebuilds it), ``model`` (path, sha256, type map, head, calculator and its parameters,
periodicity), ``parameters`` (incl. the optimizer's parameters read from the optimizer
object, and the cell filter's), ``versions`` (Python, structcheck, ASE, numpy, scipy, torch,
deepmd-kit and the torch it was built against, e3nn), ``hardware`` (CPU model and count,
memory, GPU names, CUDA/cuDNN versions, driver), ``runtime`` (threads, device, determinism),
``preflight``, ``warnings``, ``timings_s`` and ``total_seconds``; then ``run`` (relax) or
``multistart``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import platform
import sys
from pathlib import Path

import numpy as np

SCHEMA = 2


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
    """Versions of Python and the libraries a run's numbers depend on (package metadata), and
    the torch/variant deepmd-kit was compiled for (its run_config.ini)."""
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": sys.version.split()[0], "python_implementation": platform.python_implementation()}
    for name in ("structcheck", "ase", "numpy", "scipy", "torch", "deepmd-kit", "e3nn", "pymatgen"):
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = None
    if out.get("deepmd-kit"):
        from ..installation import deepmd_build

        build = deepmd_build()
        out["deepmd-kit_build"] = {k: build.get(k) for k in ("pt_version", "dp_variant", "cibuildwheel",
                                                             "enable_pytorch", "enable_tensorflow") if k in build}
    return out


def _cpu_model() -> str | None:
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as fh:
            for line in fh:
                if line.lower().startswith(("model name", "hardware", "cpu model")):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or None


def hardware() -> dict:
    """CPU model, cores, memory, OS; with torch loaded: CUDA build, cuDNN, each GPU and the driver."""
    rec: dict = {"cpu_model": _cpu_model(), "machine": platform.machine(), "cpu_count": os.cpu_count(),
                 "cpus_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
                 "os": platform.platform()}
    try:
        rec["memory_GiB"] = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2 ** 30, 2)
    except (ValueError, OSError, AttributeError):
        rec["memory_GiB"] = None
    torch = sys.modules.get("torch")  # only read: a relax has imported it; a lint never does
    if torch is None:
        return rec
    rec["torch_cuda_build"] = torch.version.cuda
    rec["cudnn"] = torch.backends.cudnn.version() if torch.backends.cudnn.is_available() else None
    rec["cuda_available"] = bool(torch.cuda.is_available())
    rec["gpus"] = []
    if rec["cuda_available"]:
        for i in range(torch.cuda.device_count()):
            p = torch.cuda.get_device_properties(i)
            rec["gpus"].append({"name": p.name, "capability": f"{p.major}.{p.minor}",
                                "memory_GiB": round(p.total_memory / 2 ** 30, 2)})
        rec["cuda_driver"] = _nvidia_driver()
    return rec


def _nvidia_driver() -> str | None:
    import shutil
    import subprocess

    exe = shutil.which("nvidia-smi")
    if not exe:
        return None
    try:
        out = subprocess.run([exe, "--query-gpu=driver_version", "--format=csv,noheader"], capture_output=True,
                             text=True, timeout=10, check=False).stdout.split()
    except (OSError, subprocess.SubprocessError):
        return None
    return out[0] if out else None


def structure_record(atoms) -> dict:
    """The structure itself as plain data (floats written exactly: JSON keeps every bit of a
    float64): numbers, positions, cell, pbc, constraints (ASE's ``todict``), initial charges and
    magnetic moments when set, ``info``."""
    rec = {"symbols": atoms.get_chemical_symbols(), "numbers": atoms.numbers.tolist(),
           "positions_A": atoms.positions.tolist(), "cell_A": atoms.cell.array.tolist(),
           "pbc": [bool(x) for x in atoms.pbc],
           "constraints": [c.todict() for c in atoms.constraints]}
    for name in ("initial_charges", "initial_magmoms", "masses"):
        if atoms.has(name):
            rec[name] = atoms.arrays[name].tolist()
    if atoms.info:
        rec["info"] = jsonable(atoms.info)
    return rec


def atoms_from_record(record: dict):
    """The start ``ase.Atoms`` of a provenance record (or of its ``input`` section): the same
    ``atoms_sha256`` as the run's, constraints included."""
    from ase import Atoms
    from ase.constraints import dict2constraint

    s = record.get("input", record).get("structure", record.get("structure"))
    if s is None:
        raise ValueError("this record has no embedded structure (written by structcheck < 0.2?)")
    a = Atoms(numbers=s["numbers"], positions=s["positions_A"], cell=s["cell_A"], pbc=s["pbc"])
    for name in ("initial_charges", "initial_magmoms", "masses"):
        if name in s:
            a.set_array(name, np.array(s[name], dtype=float))
    if s.get("constraints"):
        a.set_constraint([dict2constraint(c) for c in s["constraints"]])
    a.info.update(s.get("info", {}))
    return a


def input_record(start, input_path=None) -> dict:
    return {"path": str(input_path) if input_path else None,
            "sha256": sha256_file(input_path) if input_path and Path(input_path).is_file() else None,
            "atoms_sha256": atoms_sha256(start), "formula": start.get_chemical_formula(),
            "n_atoms": len(start), "pbc": [bool(x) for x in start.pbc],
            "constraints": [type(c).__name__ for c in start.constraints],
            "structure": structure_record(start)}


def model_record(model_path, *, shipped: bool, type_map, head, calc, periodic) -> dict:
    params = getattr(calc, "parameters", None)
    return {"path": str(model_path) if model_path else None,
            "sha256": model_sha256(Path(model_path)) if model_path else None,
            "shipped_default": shipped, "type_map": list(type_map) if type_map else None, "head": head,
            "calculator": f"{type(calc).__module__}.{type(calc).__name__}" if calc is not None else None,
            "calculator_parameters": jsonable(dict(params)) if isinstance(params, dict) and params else None,
            "periodic": periodic}


def base_record(kind: str, *, created: str, command, start, input_path, model: dict, parameters: dict,
                runtime: dict, preflight: dict, warnings_: list, timings: dict) -> dict:
    """The sections every record has, in one order (see the module docstring)."""
    return {"structcheck_provenance": SCHEMA, "kind": kind, "created_utc": created,
            "command": jsonable(command), "input": input_record(start, input_path), "model": model,
            "parameters": parameters, "versions": versions(), "hardware": hardware(), "runtime": runtime,
            "preflight": preflight, "warnings": list(warnings_), "timings_s": timings}


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
