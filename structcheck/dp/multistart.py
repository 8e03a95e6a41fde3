"""Multi-start search: relax sane rattled copies of one start and cluster the minima they reach."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..teach.metrics import DEFAULT_ENERGY_TOL, DEFAULT_RMSD_TOL, cluster_minima
from .run import DEFAULT_FMAX, run_lbfgs


@dataclass
class MultiStartResult:
    starts: int
    rattle: float
    seed: int
    runs: list  # structcheck.relax.LBFGSRun per replica
    start_atoms: list
    rejected: int
    minima: list[int]
    rmsd_tol: float
    energy_tol: float
    best: object  # ase.Atoms: the lowest final structure
    seconds: float = 0.0

    @property
    def final_energies(self) -> list[float]:
        return [float(r.energies[-1]) for r in self.runs]

    def table(self) -> list[dict]:
        rows = []
        for m in sorted(set(self.minima)):
            members = [i for i, x in enumerate(self.minima) if x == m]
            rows.append({"minimum": m, "energy_eV": min(self.final_energies[i] for i in members),
                         "starts": members, "count": len(members),
                         "converged": sum(self.runs[i].converged for i in members)})
        return rows

    def to_dict(self) -> dict:
        return {"starts": self.starts, "rattle_A": self.rattle, "seed": self.seed,
                "rejected_rattles": self.rejected, "final_energies_eV": self.final_energies,
                "steps_run": [r.steps for r in self.runs],
                "converged": [r.converged for r in self.runs],
                "minimum_of_start": list(self.minima), "minima": self.table(),
                "lowest_energy_eV": min(self.final_energies), "rmsd_tol_A": self.rmsd_tol,
                "energy_tol_eV": self.energy_tol, "seconds": round(self.seconds, 3)}


def sane_rattles(atoms, starts: int, rattle: float, seed: int = 0, *, config=None,
                 max_tries: int = 50) -> tuple[list, int]:
    """``starts`` copies of ``atoms`` rattled by a Gaussian of ``rattle`` Å per coordinate,
    each linted (default: the ``dpa2-preflight`` profile ``relax`` uses); a copy with a finding
    at or above the profile's fail-on severity is redrawn (at most ``max_tries`` per start).

    Returns (starts, number of rejected draws). Raises ValueError when no sane draw is found.
    """
    from ..findings import SEVERITY_RANK
    from ..linter.config import load_config
    from ..linter.engine import lint_atoms

    config = config or load_config(profile="dpa2-preflight")
    fail = SEVERITY_RANK[config.fail_on]
    failing = [f for f in lint_atoms(atoms, config) if SEVERITY_RANK[f.severity] >= fail]
    if failing:
        raise ValueError(f"the start itself fails the {config.profile} check, so its rattles are not sane "
                         f"starts either: {'; '.join(f'{f.code} {f.name}: {f.message}' for f in failing)} "
                         "(repair it with `structcheck fix`, or add --prerelax)")
    rng = np.random.default_rng(seed)
    out, rejected = [], 0
    for k in range(starts):
        for _ in range(max_tries):
            a = atoms.copy()
            a.calc = None
            a.set_positions(a.get_positions() + rng.normal(scale=rattle, size=(len(a), 3)))
            if not any(SEVERITY_RANK[f.severity] >= fail for f in lint_atoms(a, config)):
                out.append(a)
                break
            rejected += 1
        else:
            raise ValueError(f"start {k}: no rattle of {rattle} Å passed lint in {max_tries} tries "
                             "(is the start itself sane? try `structcheck fix` or a smaller --rattle)")
    return out, rejected


def multistart(atoms, calc_factory: Callable[[], object], *, starts: int = 8, rattle: float = 0.05,
               seed: int = 0, fmax: float = DEFAULT_FMAX, steps: int = 500, config=None,
               rmsd_tol: float = DEFAULT_RMSD_TOL, energy_tol: float = DEFAULT_ENERGY_TOL,
               progress: Callable[[str], None] | None = None) -> MultiStartResult:
    """Relax ``starts`` sane rattled copies of ``atoms`` and cluster the minima they reach."""
    t0 = time.perf_counter()
    starts_atoms, rejected = sane_rattles(atoms, starts, rattle, seed, config=config)
    runs = []
    for k, a in enumerate(starts_atoms):
        runs.append(run_lbfgs(a, calc_factory(), fmax=fmax, steps=steps))
        if progress:
            progress(f"start {k + 1}/{starts}: {runs[-1].steps} steps, E = {runs[-1].energies[-1]:.6f} eV"
                     f"{'' if runs[-1].converged else ' (not converged)'}")
    labels = cluster_minima([r.positions[-1] for r in runs], [r.energies[-1] for r in runs],
                            rmsd_tol=rmsd_tol, energy_tol=energy_tol, periodic=bool(np.any(atoms.pbc)))
    ibest = int(np.argmin([r.energies[-1] for r in runs]))
    best = starts_atoms[ibest].copy()
    best.set_positions(runs[ibest].positions[-1])
    return MultiStartResult(starts, rattle, seed, runs, starts_atoms, rejected, labels, rmsd_tol,
                            energy_tol, best, time.perf_counter() - t0)


def format_multistart(res: MultiStartResult) -> str:
    lines = [(f"multi-start: {res.starts} sane starts (rattle {res.rattle} Å, seed {res.seed}; "
              f"{res.rejected} rattled draws rejected by lint), {len(set(res.minima))} distinct minima"),
             f"{'minimum':>7} {'energy (eV)':>14} {'starts':>6} {'converged':>9}  which"]
    for row in res.table():
        lines.append(f"{row['minimum']:>7} {row['energy_eV']:>14.6f} {row['count']:>6} "
                     f"{row['converged']:>9}  {','.join(map(str, row['starts']))}")
    lines.append(f"lowest: minimum 0 at {min(res.final_energies):.6f} eV, reached by "
                 f"{res.table()[0]['count']} of {res.starts} starts")
    return "\n".join(lines)
