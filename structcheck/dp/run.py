"""One ASE relaxation (LBFGS by default, optionally with a cell filter) with per-step energies, forces and
cells, the optimizer's parameters as the optimizer object holds them, and the summary for the record."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..outputs import atomic_path

DEFAULT_FMAX = 0.05  # eV/Å
DEFAULT_STEPS = 500
# ASE's own optimizers a run may use (`wander --optimizer`): how the noise grows depends on them
OPTIMIZERS = ("LBFGS", "BFGS", "BFGSLineSearch", "FIRE")
# cell filters by name (`relax --cell-filter`): ASE's classes
CELL_FILTERS = {"frechet": "FrechetCellFilter", "unitcell": "UnitCellFilter"}
ENERGY_ROSE = ("the final energy is HIGHER than the start's: ASE's LBFGS has no line search, so on a "
               "rough energy surface it can accept uphill steps and end above where it began; check "
               "the start (structcheck lint), try --prerelax, a smaller maxstep, or another optimizer")


@dataclass
class LBFGSRun:
    """Per-step data of one LBFGS relaxation (step 0 is the start).

    ``positions`` (steps+1, n, 3) Å, ``energies`` eV, ``fmax`` the largest atomic force norm
    in eV/Å, ``converged`` whether fmax fell below the criterion within the step budget.
    """

    atoms: object  # ase.Atoms: the final structure, with a SinglePointCalculator
    positions: np.ndarray
    energies: np.ndarray
    fmax: np.ndarray
    converged: bool
    seconds: float = 0.0
    force_calls: int = 0
    cells: np.ndarray | None = None  # (steps+1, 3, 3) Å
    optimizer: dict | None = None    # {"class": ..., "parameters": {...}} read from the optimizer object
    cell_filter: dict | None = None  # {"class": ..., "parameters": {...}} when the cell was relaxed too

    @property
    def steps(self) -> int:
        return len(self.energies) - 1


def _current_results(a) -> tuple[np.ndarray, float]:
    """Forces and energy the optimizer has just computed for ``a``'s positions: read from the
    calculator's results when its atoms have exactly these positions and no constraint
    changes the forces (ASE's check_state compares with tolerances, ~0.1 ms a call, several
    calls a step); else asked for the ordinary way."""
    calc = a.calc
    res = getattr(calc, "results", None)
    done = getattr(calc, "atoms", None)
    if res and not a.constraints and "forces" in res and "energy" in res and done is not None and len(done) == len(a) \
            and np.array_equal(done.positions, a.positions) and np.array_equal(done.numbers, a.numbers) \
            and np.array_equal(done.cell.array, a.cell.array) and np.array_equal(done.pbc, a.pbc):
        return res["forces"], float(res["energy"])
    return a.get_forces(), float(a.get_potential_energy())


def resolve_cell_filter(spec):
    """A cell filter factory ``f(atoms) -> filter`` from a name (:data:`CELL_FILTERS`), an ASE
    filter class or any callable; None stays None."""
    if spec is None or spec is False:
        return None
    if isinstance(spec, str):
        if spec.lower() not in CELL_FILTERS:
            raise ValueError(f"cell filter {spec!r}: one of {', '.join(CELL_FILTERS)}")
        import ase.filters

        return getattr(ase.filters, CELL_FILTERS[spec.lower()])
    if callable(spec):
        return spec
    raise TypeError(f"cell_filter: a name ({', '.join(CELL_FILTERS)}), a filter class or a callable; got {spec!r}")


_NOT_PARAMETERS = {"self", "atoms", "restart", "logfile", "trajectory", "append_trajectory", "master", "comm",
                   "force_consistent", "kwargs", "args", "orig_cell"}


def object_parameters(obj) -> dict:
    """The constructor parameters of an optimizer or filter as the object holds them now
    (``maxstep`` of LBFGS, ``dt`` of FIRE, ``scalar_pressure`` of a cell filter...): each
    parameter of ``type(obj).__init__`` read back from the attribute of that name; LBFGS's
    ``memory`` and ``alpha`` from its L-BFGS state (alpha = 1 / the initial inverse Hessian)."""
    import inspect

    out: dict = {}
    try:
        names = [n for n in inspect.signature(type(obj).__init__).parameters if n not in _NOT_PARAMETERS]
    except (TypeError, ValueError):
        names = []
    state = getattr(obj, "state", None)
    for name in names:
        try:
            value = getattr(obj, name)
        except Exception:  # noqa: BLE001 - a property that cannot be read here: leave it out
            value = None
            if name == "memory" and state is not None and hasattr(state, "memory"):
                value = state.memory
            elif name == "alpha" and state is not None and hasattr(state, "H0"):
                h0 = state.H0
                diag = h0.diagonal() if hasattr(h0, "diagonal") else np.atleast_1d(h0)
                value = float(1.0 / diag[0]) if len(diag) and diag[0] else None
            elif name in ("mask",) and hasattr(obj, "_utility"):
                value = getattr(obj._utility, "mask", None)
            if value is None:
                continue
        if callable(value) or hasattr(value, "get_positions"):
            continue
        if isinstance(value, np.ndarray):
            value = value.tolist()
        out[name] = value
    return out


def describe(obj) -> dict:
    """{"class": module.Name, "parameters": :func:`object_parameters`}."""
    return {"class": f"{type(obj).__module__}.{type(obj).__name__}", "parameters": object_parameters(obj)}


def _optimize(opt_class, target, a, filt, traj, fmax, steps, callback, kwargs, pos, ene, fm, cells):
    """Run the optimizer on ``target`` (``a`` or its filter), recording each step: (converged, optimizer)."""
    opt = opt_class(target, logfile=None, trajectory=traj, **kwargs)
    converged = False
    try:
        for converged in opt.irun(fmax=fmax, steps=steps):
            if filt is None:
                f, e = _current_results(a)
            else:  # what the optimizer converges on: atomic and cell rows of the filter
                f, e = filt.get_forces(), float(a.get_potential_energy())
            m = float(np.sqrt((f ** 2).sum(axis=1)).max()) if len(f) else 0.0
            pos.append(a.get_positions().copy())
            cells.append(a.cell.array.copy())
            ene.append(e)
            fm.append(m)
            if callback is not None:
                callback(len(ene) - 1, e, m)
    finally:
        if getattr(opt, "trajectory", None) is not None and hasattr(opt.trajectory, "close"):
            opt.trajectory.close()
    return bool(converged), opt


def run_lbfgs(atoms, calc, *, fmax: float = DEFAULT_FMAX, steps: int = DEFAULT_STEPS,
              trajectory: str | Path | None = None,
              callback: Callable[[int, float, float], None] | None = None,
              optimizer: str = "LBFGS", cell_filter=None, **lbfgs_kwargs) -> LBFGSRun:
    """Relax a copy of ``atoms`` with ``calc`` and ASE's LBFGS; the input is not modified.

    ``trajectory``: an ASE .traj file of every step. ``callback(step, energy_eV, fmax_eV_per_A)``
    after each optimizer step. ``optimizer``: one of :data:`OPTIMIZERS` (ASE's classes of
    that name). ``cell_filter``: relax the cell too: a name of :data:`CELL_FILTERS`
    ("frechet": ``ase.filters.FrechetCellFilter``), a filter class, or a callable
    ``f(atoms) -> filter`` (e.g. a ready filter re-targeted at the copy); the recorded fmax is
    then the optimizer's own measure (atomic forces and the filter's cell "forces").
    Other keywords go to the optimizer (for LBFGS: maxstep, memory, damping, alpha).
    Reusable for multi-start runs: pass a fresh calculator per run.
    """
    import ase.optimize
    from ase.calculators.singlepoint import SinglePointCalculator

    if optimizer not in OPTIMIZERS:
        raise ValueError(f"optimizer {optimizer!r}: one of {', '.join(OPTIMIZERS)}")
    opt_class = getattr(ase.optimize, optimizer)
    make_filter = resolve_cell_filter(cell_filter)

    a = atoms.copy()
    a.calc = calc
    filt = make_filter(a) if make_filter is not None else None
    if filt is not None and getattr(filt, "atoms", None) is not a:
        raise ValueError("cell_filter: the filter must wrap the Atoms it is given")
    pos, ene, fm, cells = [], [], [], []
    t0 = time.perf_counter()
    with contextlib.ExitStack() as stack:
        # the trajectory is written to a hidden temporary file beside it and renamed when the
        # run ends: an interrupted run never leaves a partial .traj under the final name
        traj = str(stack.enter_context(atomic_path(trajectory, overwrite=True))) if trajectory else None
        converged, opt = _optimize(opt_class, filt if filt is not None else a, a, filt, traj, fmax, steps,
                                   callback, lbfgs_kwargs, pos, ene, fm, cells)
    calls = len(ene)
    final = a.copy()
    results = {"energy": ene[-1], "forces": a.get_forces().copy()}
    if filt is not None:
        results["stress"] = a.get_stress().copy()
    final.calc = SinglePointCalculator(final, **results)
    return LBFGSRun(final, np.array(pos), np.array(ene), np.array(fm), bool(converged),
                    time.perf_counter() - t0, calls, np.array(cells), describe(opt),
                    describe(filt) if filt is not None else None)


def run_summary(run: LBFGSRun, fmax: float) -> dict:
    """The "run" section of a provenance record: per-step energy and max force, convergence,
    the energy change and an explicit statement when the energy rose."""
    energies = [float(e) for e in run.energies]
    fmaxes = [float(m) for m in run.fmax]
    de = energies[-1] - energies[0]
    rec = {
        "converged": bool(run.converged),
        "steps": run.steps,
        "force_calls": run.force_calls,
        "energy_initial_eV": energies[0],
        "energy_final_eV": energies[-1],
        "energy_change_eV": de,
        "energy_rose": de > 0,
        "energy_statement": ENERGY_ROSE if de > 0 else "the final energy is not above the start's",
        "uphill_steps": [k for k in range(1, len(energies)) if energies[k] > energies[k - 1]],
        "fmax_final_eV_per_A": fmaxes[-1],
        "energies_eV": energies,
        "fmax_eV_per_A": fmaxes,
        "relax_seconds": round(run.seconds, 4),
    }
    if run.optimizer is not None:
        rec["optimizer"] = run.optimizer
    if run.cells is not None and len(run.cells):
        c0, c1 = run.cells[0], run.cells[-1]
        v0, v1 = abs(float(np.linalg.det(c0))), abs(float(np.linalg.det(c1)))
        rec["cell"] = {
            "relaxed": run.cell_filter is not None,
            "filter": run.cell_filter,
            "initial_A": c0.tolist(), "final_A": c1.tolist(),
            "changed": bool(not np.allclose(c0, c1, rtol=0.0, atol=1e-8)),
            "volume_initial_A3": v0, "volume_final_A3": v1,
            "volume_change_percent": (100.0 * (v1 - v0) / v0) if v0 > 0 else None,
        }
        if run.cell_filter is not None:
            stress = run.atoms.calc.results.get("stress") if run.atoms.calc is not None else None
            if stress is not None:
                rec["cell"]["final_stress_eV_per_A3"] = [float(x) for x in stress]
    if not run.converged:
        rec["convergence_statement"] = (f"NOT converged: fmax {fmaxes[-1]:.4g} eV/Å > {fmax:g} eV/Å "
                                        f"after {run.steps} steps")
    return rec
