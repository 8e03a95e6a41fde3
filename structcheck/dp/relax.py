"""relax(): pre-flight (and optional repair), then a DeePMD-kit DPA2 model under ASE's LBFGS, with a provenance record.

The path through a run::

    start --lint (dpa2-preflight, model type map)--> refuse | fix (prerelax) | force
          --DP calculator inside runtime_settings (threads, TorchScript, determinism)--> LBFGS
          --> final.extxyz + final.provenance.json (+ trajectory)

deepmd-kit and torch are imported only inside the functions that evaluate a model.
"""

from __future__ import annotations

import datetime as _dt
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..guard import RelaxRefused
from .calculator import make_calculator
from .provenance import (atoms_sha256, jsonable, model_sha256, provenance_path, sha256_file, versions,
                         write_record)
from .run import DEFAULT_FMAX, DEFAULT_STEPS, LBFGSRun, run_lbfgs, run_summary
from .runtime import runtime_record, runtime_settings

__all__ = ["RelaxRefused", "RelaxResult", "relax"]


@dataclass
class RelaxResult:
    """The outcome of :func:`relax`.

    ``atoms`` final structure (energy and forces attached), ``energies`` eV and ``fmax``
    eV/Å per step (step 0 = start), ``converged``, ``steps`` taken, ``provenance`` the record
    (also written beside ``output`` when one was given), ``run`` the raw per-step data.
    """

    atoms: object
    energies: list[float]
    fmax: list[float]
    converged: bool
    steps: int
    provenance: dict
    run: LBFGSRun | None = field(default=None, repr=False)
    output: Path | None = None
    provenance_file: Path | None = None

    @property
    def energy_change(self) -> float:
        return self.energies[-1] - self.energies[0]

    @property
    def energy_rose(self) -> bool:
        return self.energy_change > 0


def relax(atoms, model: str | Path | None = None, fmax: float = DEFAULT_FMAX,
          steps: int = DEFAULT_STEPS, prerelax: bool = False, deterministic: bool = False,
          force: bool = False, head: str | None = None, trajectory: str | Path | None = None, *,
          output: str | Path | None = None, input_path: str | Path | None = None,
          threads: int | None = None, device: str | None = None,
          callback: Callable[[int, float, float], None] | None = None,
          fix_kwargs: dict | None = None, command: dict | Sequence[str] | None = None,
          calculator=None, **lbfgs_kwargs) -> RelaxResult:
    """Pre-flight, optional pre-relax, then DPA2 + ASE LBFGS; returns a :class:`RelaxResult`.

    ``atoms``: an ``ase.Atoms`` (not modified) or a path (its first frame). ``model``: a
    DeePMD-kit model file (default: the shipped DPA2 H/O model). ``fmax`` eV/Å, ``steps`` the
    LBFGS step budget. The start is linted with the ``dpa2-preflight`` profile and the model's
    type map first: a start with errors raises :class:`RelaxRefused` (carrying the findings)
    unless ``prerelax`` and the policy of :func:`structcheck.guard.prepare_start` lets a repaired
    copy through, or ``force`` (recorded as forced).
    Elements outside the type map are always refused, before the model is loaded. ``deterministic``: see the module docstring. ``output``: write the
    final structure (extxyz) there and the provenance record beside it
    (``final.extxyz`` -> ``final.provenance.json``). ``trajectory``: an ASE .traj of every
    step. ``calculator``: an already-built ASE calculator to use instead of loading ``model``
    (its settings are then the caller's; the record says so). Extra keywords go to LBFGS.
    """
    from ..guard import PROFILE, _config, prepare_start
    from ..models import ModelError, default_model_path, model_type_map

    t_start = time.perf_counter()
    created = _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")
    if fmax <= 0:
        raise ValueError("fmax must be > 0 eV/Å")
    if steps < 0:
        raise ValueError("steps must be >= 0")
    if isinstance(atoms, (str, bytes)) or hasattr(atoms, "__fspath__"):
        from ..io import read_one

        input_path = input_path or atoms
        atoms = read_one(str(atoms))
    start = atoms.copy()
    start.calc = None
    model_path = Path(model) if model else default_model_path()
    if not model_path.is_file():
        raise ModelError(f"{model_path}: model file not found"
                         + ("" if model else " (the shipped default model is missing from this install)"))
    type_map = model_type_map(model_path, head) if head and model_path.suffix == ".pt" else \
        model_type_map(model_path)

    config = _config(PROFILE, str(model_path), {"type_map": ",".join(type_map)})
    start_for_run, pre = prepare_start(start, config, prerelax=prerelax, force=force, fix_kwargs=fix_kwargs)
    t_preflight = time.perf_counter()

    with runtime_settings(threads=threads, deterministic=deterministic, device=device) as runtime_set:
        if calculator is None:
            calc = make_calculator(model_path, head=head)
        else:
            calc = calculator
            runtime_set["notes"].append("calculator supplied by the caller")
        t_loaded = time.perf_counter()
        run = run_lbfgs(start_for_run, calc, fmax=fmax, steps=steps, trajectory=trajectory,
                        callback=callback, **lbfgs_kwargs)
        t_run = time.perf_counter()
        runtime = runtime_record(deterministic, runtime_set.get("notes", ()))

    opt_params = {"maxstep": lbfgs_kwargs.get("maxstep", 0.2), "memory": lbfgs_kwargs.get("memory", 100),
                  "damping": lbfgs_kwargs.get("damping", 1.0), "alpha": lbfgs_kwargs.get("alpha", 70.0)}
    runtime["notes"] = list(runtime_set.get("notes", []))
    if head and model_path.suffix == ".pth":
        runtime["notes"].append(f"--head {head!r} has no effect on a frozen .pth model (it holds one "
                                "head; deepmd-kit reads heads from multi-task .pt checkpoints)")
    if calculator is not None:
        runtime["deterministic"]["fresh_calculator"] = False
    from .._version import __version__

    out = Path(output) if output else None
    prov_file = provenance_path(out) if out else None
    record = {
        "structcheck_provenance": 1,
        "created_utc": created,
        "command": jsonable(command),
        "input": {
            "path": str(input_path) if input_path else None,
            "sha256": sha256_file(input_path) if input_path and Path(input_path).is_file() else None,
            "atoms_sha256": atoms_sha256(start),
            "formula": start.get_chemical_formula(),
            "n_atoms": len(start),
            "pbc": [bool(x) for x in start.pbc],
        },
        "model": {
            "path": str(model_path),
            "sha256": model_sha256(model_path),
            "shipped_default": model is None,
            "type_map": list(type_map),
            "head": head,
            "calculator": f"{type(calc).__module__}.{type(calc).__name__}",
        },
        "parameters": {
            "fmax_eV_per_A": fmax, "steps": steps, "prerelax": prerelax, "deterministic": deterministic,
            "force": force, "head": head, "threads": threads, "device": device,
            "optimizer": "ase.optimize.LBFGS", "optimizer_parameters": opt_params,
            "profile": PROFILE, "trajectory": str(trajectory) if trajectory else None,
            "output": str(out) if out else None, "fix_kwargs": jsonable(fix_kwargs or {}),
        },
        "versions": {"structcheck": __version__, **{k: v for k, v in versions().items() if k != "structcheck"}},
        "runtime": runtime,
        "preflight": pre,
        "run": run_summary(run, fmax),
        "output": {"final": str(out) if out else None, "provenance": str(prov_file) if prov_file else None,
                   "trajectory": str(trajectory) if trajectory else None,
                   "final_atoms_sha256": atoms_sha256(run.atoms)},
        # wall seconds of each stage (read + lint + any pre-relax; model load; LBFGS; record and
        # files): what structcheck adds to a plain script is the first and the last, minus I/O
        "timings_s": {"read_and_preflight": round(t_preflight - t_start, 5),
                      "calculator_load": round(t_loaded - t_preflight, 5),
                      "lbfgs": round(t_run - t_loaded, 5)},
    }
    if out is not None:
        _write_outputs(run.atoms, record, out, prov_file, start_time=t_start, t_run=t_run)
    else:
        record["timings_s"]["record_and_output"] = round(time.perf_counter() - t_run, 5)
        record["total_seconds"] = round(time.perf_counter() - t_start, 4)
    return RelaxResult(run.atoms, record["run"]["energies_eV"], record["run"]["fmax_eV_per_A"],
                       run.converged, run.steps, record, run, out, prov_file)


def _write_outputs(final, record: dict, out: Path, prov_file: Path, start_time: float,
                   t_run: float) -> None:
    from ase.io import write

    from ..outputs import atomic_path

    a = final.copy()
    a.calc = final.calc
    a.info["structcheck_converged"] = record["run"]["converged"]
    a.info["structcheck_provenance"] = prov_file.name
    with atomic_path(out, overwrite=True) as tmp:  # temporary file, fsync, rename (structcheck.outputs)
        write(str(tmp), a, format="extxyz")
    record["output"]["final_sha256"] = sha256_file(out)
    record["timings_s"]["record_and_output"] = round(time.perf_counter() - t_run, 5)
    record["total_seconds"] = round(time.perf_counter() - start_time, 4)
    write_record(record, prov_file)
