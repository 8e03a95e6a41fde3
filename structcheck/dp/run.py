"""One ASE relaxation (LBFGS by default) with per-step energies and forces, and its summary for the record."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

DEFAULT_FMAX = 0.05  # eV/Å
DEFAULT_STEPS = 500
# ASE's own optimizers a run may use (`wander --optimizer`): how the noise grows depends on them
OPTIMIZERS = ("LBFGS", "BFGS", "BFGSLineSearch", "FIRE")
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


def run_lbfgs(atoms, calc, *, fmax: float = DEFAULT_FMAX, steps: int = DEFAULT_STEPS,
              trajectory: str | Path | None = None,
              callback: Callable[[int, float, float], None] | None = None,
              optimizer: str = "LBFGS", **lbfgs_kwargs) -> LBFGSRun:
    """Relax a copy of ``atoms`` with ``calc`` and ASE's LBFGS; the input is not modified.

    ``trajectory``: an ASE .traj file of every step. ``callback(step, energy_eV, fmax_eV_per_A)``
    after each optimizer step. ``optimizer``: one of :data:`OPTIMIZERS` (ASE's classes of
    that name). Other keywords go to the optimizer (for LBFGS: maxstep, memory, damping,
    alpha). Reusable for multi-start runs: pass a fresh calculator per run.
    """
    import ase.optimize
    from ase.calculators.singlepoint import SinglePointCalculator

    if optimizer not in OPTIMIZERS:
        raise ValueError(f"optimizer {optimizer!r}: one of {', '.join(OPTIMIZERS)}")
    opt_class = getattr(ase.optimize, optimizer)

    a = atoms.copy()
    a.calc = calc
    pos, ene, fm = [], [], []
    calls = 0
    t0 = time.perf_counter()
    opt = opt_class(a, logfile=None, trajectory=str(trajectory) if trajectory else None, **lbfgs_kwargs)
    converged = False
    try:
        for converged in opt.irun(fmax=fmax, steps=steps):
            f, e = _current_results(a)
            m = float(np.sqrt((f ** 2).sum(axis=1)).max()) if len(a) else 0.0
            pos.append(a.get_positions().copy())
            ene.append(e)
            fm.append(m)
            calls += 1
            if callback is not None:
                callback(len(ene) - 1, e, m)
    finally:
        if getattr(opt, "trajectory", None) is not None and hasattr(opt.trajectory, "close"):
            opt.trajectory.close()
    final = a.copy()
    final.calc = SinglePointCalculator(final, energy=ene[-1], forces=a.get_forces().copy())
    return LBFGSRun(final, np.array(pos), np.array(ene), np.array(fm), bool(converged),
                    time.perf_counter() - t0, calls)


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
    if not run.converged:
        rec["convergence_statement"] = (f"NOT converged: fmax {fmaxes[-1]:.4g} eV/Å > {fmax:g} eV/Å "
                                        f"after {run.steps} steps")
    return rec
