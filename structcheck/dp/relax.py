"""relax(): pre-flight (and optional repair), then a DeePMD-kit DPA2 model under ASE's LBFGS (optionally with a
cell filter), with a provenance record.

The path through a run::

    start --lint (dpa2-preflight, model type map)--> refuse | fix (prerelax) | force
          --DP calculator inside runtime_settings (threads, TorchScript, determinism)--> LBFGS
            (on the atoms, or on FrechetCellFilter(atoms) with cell_filter / a filter passed in)
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
from .provenance import (atoms_sha256, base_record, jsonable, model_record, provenance_path, sha256_file,
                         write_record)
from .run import DEFAULT_FMAX, DEFAULT_STEPS, LBFGSRun, resolve_cell_filter, run_lbfgs, run_summary
from .runtime import runtime_record, runtime_settings

__all__ = ["PeriodicityWarning", "RelaxRefused", "RelaxResult", "relax"]


@dataclass
class RelaxResult:
    """The outcome of :func:`relax`.

    ``atoms`` final structure (energy and forces attached), ``energies`` eV and ``fmax``
    eV/Å per step (step 0 = start), ``converged``, ``steps`` taken, ``provenance`` the record
    (also written beside ``output`` when one was given), ``run`` the raw per-step data,
    ``structure`` the final structure as the type given (a pymatgen Structure in, one out),
    ``warnings`` what the record's ``warnings`` says (e.g. a periodicity mismatch).
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
    structure: object = field(default=None, repr=False)  # the final structure in the type given (pymatgen in -> out)
    warnings: list[str] = field(default_factory=list)

    @property
    def energy_change(self) -> float:
        return self.energies[-1] - self.energies[0]

    @property
    def energy_rose(self) -> bool:
        return self.energy_change > 0


class PeriodicityWarning(UserWarning):
    """The structure's boundary conditions differ from those the model was trained with."""


def model_periodicity(model_path: Path | None, declared: bool | None = None) -> bool | None:
    """Whether the model was trained on periodic structures: ``declared`` when given; False
    for the shipped DPA2 demonstration model (labels computed with pbc=False, data/models/
    README.md); None (unknown) otherwise: a DeePMD-kit model file does not record it."""
    if declared is not None:
        return bool(declared)
    if model_path is None:
        return None
    from ..models import default_model_path

    try:
        return False if Path(model_path).resolve() == default_model_path().resolve() else None
    except OSError:
        return None


def periodicity_warnings(atoms, periodic: bool | None, cell_filter: bool) -> list[str]:
    """What to warn about a structure/model boundary-condition mismatch (empty: none)."""
    pbc = [bool(x) for x in atoms.pbc]
    out = []
    if periodic is False and any(pbc):
        out.append(f"the structure is periodic (pbc={pbc}) but the model was trained on non-periodic "
                   "structures (pbc=False): interactions across the cell boundary"
                   + (" and the stress the cell filter follows" if cell_filter else "")
                   + " are outside what it learned; use a periodic model, or set pbc=False for a cluster")
    elif periodic is True and not any(pbc):
        out.append("the structure is not periodic (pbc=False) but the model was trained on periodic "
                   "structures: surfaces and vacuum are outside what it learned")
    return out


def _is_filter(obj) -> bool:
    from ase import Atoms

    if isinstance(obj, Atoms) or not isinstance(getattr(obj, "atoms", None), Atoms):
        return False
    from ase.filters import Filter

    return isinstance(obj, Filter)


def _retarget(filt):
    """A factory that copies the filter ``filt`` (all its parameters) onto another Atoms."""
    import copy

    def make(atoms):
        old = filt.atoms
        memo = {id(old): atoms, id(old.arrays): atoms.arrays, id(old.info): atoms.info}
        return copy.deepcopy(filt, memo)

    return make


def relax(atoms, model: str | Path | None = None, fmax: float = DEFAULT_FMAX,
          steps: int = DEFAULT_STEPS, prerelax: bool = False, deterministic: bool = False,
          force: bool = False, head: str | None = None, trajectory: str | Path | None = None, *,
          output: str | Path | None = None, input_path: str | Path | None = None,
          threads: int | None = None, device: str | None = None,
          callback: Callable[[int, float, float], None] | None = None,
          fix_kwargs: dict | None = None, command: dict | Sequence[str] | None = None,
          calculator=None, cell_filter=None, model_periodic: bool | None = None,
          preopt: str | None = None, **lbfgs_kwargs) -> RelaxResult:
    """Pre-flight, optional pre-relax, then DPA2 + ASE LBFGS; returns a :class:`RelaxResult`.

    ``atoms``: an ``ase.Atoms`` (not modified), a pymatgen ``Structure``/``Molecule``
    (``result.structure`` is then of that type), an ``ase.db`` row, a path (its first frame),
    or an ASE filter around an Atoms (``FrechetCellFilter(atoms, scalar_pressure=...)``): the
    filter, with its parameters, is applied to the copy that is relaxed. ``cell_filter``: relax
    the cell too ("frechet": ``ase.filters.FrechetCellFilter``, "unitcell", a filter class or
    a callable ``f(atoms) -> filter``); needs a periodic structure and a calculator with stress.
    ``model``: a DeePMD-kit model file (default: the shipped DPA2 H/O model; with
    ``calculator`` and no ``model``: no model file and no type map). ``fmax`` eV/Å, ``steps``
    the LBFGS step budget. The start is linted with the ``dpa2-preflight`` profile and the
    model's type map first: a start with errors raises :class:`RelaxRefused` (carrying the
    findings) unless ``prerelax`` and the policy of :func:`structcheck.guard.prepare_start` lets
    a repaired copy through, or ``force`` (recorded as forced). Elements outside the type map
    are always refused, before the model is loaded. ``model_periodic``: whether the model was
    trained on periodic structures (default: known for the shipped model, non-periodic); a
    mismatch with the structure's pbc gives a :class:`PeriodicityWarning` and a line in the
    record's ``warnings``. ``output``: write the final structure (extxyz) there and the
    provenance record beside it (``final.extxyz`` -> ``final.provenance.json``).
    ``trajectory``: an ASE .traj of every step. ``calculator``: an already-built ASE
    calculator to use instead of loading ``model`` (the record says so). Extra keywords go
    to LBFGS. ``preopt`` ("gfn2", "gfn1"): the accepted start is relaxed with that method
    through tblite first (molecules; :func:`structcheck.guard.prepare_start`, recorded in the
    provenance's ``preflight.preopt``).
    """
    import warnings

    from ..guard import PROFILE, _config, prepare_start
    from ..io.convert import Converted
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
    if _is_filter(atoms):
        if cell_filter is not None:
            raise ValueError("a filter was passed in and cell_filter= given: use one of them")
        cell_filter = _retarget(atoms)
        atoms = atoms.atoms
    conv = Converted(atoms)
    start = conv.atoms.copy()
    start.calc = None
    make_filter = resolve_cell_filter(cell_filter)
    if make_filter is not None and not start.pbc.any():
        raise ValueError("a cell filter relaxes the cell of a periodic structure; this one has pbc=False "
                         "(relax a molecule without cell_filter)")
    if model is None and calculator is not None:
        model_path, type_map = None, None
    else:
        model_path = Path(model) if model else default_model_path()
        if not model_path.is_file():
            raise ModelError(f"{model_path}: model file not found"
                             + ("" if model else " (the shipped default model is missing from this install)"))
        type_map = model_type_map(model_path, head) if head and model_path.suffix == ".pt" else \
            model_type_map(model_path)
    periodic = model_periodicity(model_path, model_periodic)
    warned = periodicity_warnings(start, periodic, make_filter is not None)
    for w in warned:
        warnings.warn(w, PeriodicityWarning, stacklevel=2)

    config = _config(PROFILE, str(model_path) if model_path else None,
                     {"type_map": ",".join(type_map)} if type_map else {})
    start_for_run, pre = prepare_start(start, config, prerelax=prerelax, force=force, fix_kwargs=fix_kwargs,
                                       preopt=preopt)
    t_preflight = time.perf_counter()

    with runtime_settings(threads=threads, deterministic=deterministic, device=device) as runtime_set:
        if calculator is None:
            calc = make_calculator(model_path, head=head)
        else:
            calc = calculator
            runtime_set["notes"].append("calculator supplied by the caller")
        t_loaded = time.perf_counter()
        run = run_lbfgs(start_for_run, calc, fmax=fmax, steps=steps, trajectory=trajectory,
                        callback=callback, cell_filter=make_filter, **lbfgs_kwargs)
        t_run = time.perf_counter()
        runtime = runtime_record(deterministic, runtime_set.get("notes", ()))

    runtime["notes"] = list(runtime_set.get("notes", []))
    if head and model_path is not None and model_path.suffix == ".pth":
        runtime["notes"].append(f"--head {head!r} has no effect on a frozen .pth model (it holds one "
                                "head; deepmd-kit reads heads from multi-task .pt checkpoints)")
    if calculator is not None:
        runtime["deterministic"]["fresh_calculator"] = False

    out = Path(output) if output else None
    prov_file = provenance_path(out) if out else None
    summary = run_summary(run, fmax)
    record = base_record(
        "relax", created=created, command=command, start=start, input_path=input_path,
        model=model_record(model_path, shipped=model is None and calculator is None, type_map=type_map,
                           head=head, calc=calc, periodic=periodic),
        parameters={
            "fmax_eV_per_A": fmax, "steps": steps, "prerelax": prerelax, "preopt": preopt,
            "deterministic": deterministic,
            "force": force, "head": head, "threads": threads, "device": device,
            "optimizer": "ase.optimize.LBFGS", "optimizer_parameters": summary["optimizer"]["parameters"],
            "cell_filter": run.cell_filter,
            "profile": PROFILE, "trajectory": str(trajectory) if trajectory else None,
            "output": str(out) if out else None, "fix_kwargs": jsonable(fix_kwargs or {}),
        },
        runtime=runtime, preflight=pre, warnings_=warned,
        # wall seconds of each stage (read + lint + any pre-relax; model load; LBFGS; record and
        # files): what structcheck adds to a plain script is the first and the last, minus I/O
        timings={"read_and_preflight": round(t_preflight - t_start, 5),
                 "calculator_load": round(t_loaded - t_preflight, 5),
                 "lbfgs": round(t_run - t_loaded, 5)})
    record["run"] = summary
    record["output"] = {"final": str(out) if out else None, "provenance": str(prov_file) if prov_file else None,
                        "trajectory": str(trajectory) if trajectory else None,
                        "final_atoms_sha256": atoms_sha256(run.atoms)}
    if out is not None:
        _write_outputs(run.atoms, record, out, prov_file, start_time=t_start, t_run=t_run)
    else:
        record["timings_s"]["record_and_output"] = round(time.perf_counter() - t_run, 5)
        record["total_seconds"] = round(time.perf_counter() - t_start, 4)
    return RelaxResult(run.atoms, record["run"]["energies_eV"], record["run"]["fmax_eV_per_A"],
                       run.converged, run.steps, record, run, out, prov_file,
                       structure=conv.back(run.atoms) if conv.kind else run.atoms, warnings=warned)


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
