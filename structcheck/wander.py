"""`structcheck wander`: the teaching experiment behind DeePMD-kit issue 4502.

The same start is relaxed N times with ASE's LBFGS. Replica 0 starts exactly from the
input; every other replica starts with each atom moved by exactly ``noise`` Å in a
seeded random direction (or, with ``--native-noise`` on a GPU, from the very same
positions, so that only the hardware's non-deterministic reductions differ). Per
optimizer step we measure how far the replicas have drifted apart, and at the end how
many distinct minima they reached.

Definitions (all distances in Å, energies in eV):

- spread_max[k]: the largest displacement of any atom of any replica from the same atom
  of replica 0 after optimizer step k (raw Cartesian positions, no alignment; k = 0 is the
  start). A replica that has converged keeps its final positions for later steps.
- spread_rms[k]: the root mean square of those displacements over all atoms of all
  replicas 1..N-1.
- amplification: final spread_max / initial spread_max (the initial one is the injected
  noise); peak_amplification uses the largest spread_max seen during the run.
- energy_spread: max - min of the replicas' final energies.
- minima: replicas grouped by their final structures. Two replicas are counted in
  *different* minima only when both their RMSD after optimal rigid alignment (Kabsch; for
  a periodic cell only the translation is removed, a rotation would change the crystal)
  exceeds ``rmsd_tol`` and their final energies differ by more than ``energy_tol``.
  Replicas are taken in order of final energy; each joins the first minimum whose
  lowest-energy member it matches, else founds a new one (so a chain of small differences
  cannot merge far-apart structures). Equivalent structures that differ by a permutation
  of like atoms have the same energy and so count as one minimum.

matplotlib, torch and deepmd are imported only inside the functions that need them.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

DEFAULT_NOISE = 1e-10  # Å, the size of the numerical noise in the report
DEFAULT_FMAX = 0.05  # eV/Å, see docs/teaching.md for why not the report's 1e-6
DEFAULT_STEPS = 50  # the report's step budget
DEFAULT_RMSD_TOL = 0.05  # Å
DEFAULT_ENERGY_TOL = 0.01  # eV


# ------------------------------------------------------------------ metrics


def kabsch_rmsd(a: np.ndarray, b: np.ndarray, *, rotate: bool = True) -> float:
    """RMSD (Å) between two (n, 3) position arrays after optimal rigid alignment of b onto a.

    Both are centred; with ``rotate`` the proper rotation (det +1, no mirror image) that
    minimises the RMSD is found by the Kabsch algorithm (SVD of the covariance matrix).
    With ``rotate=False`` only the translation is removed (periodic cells).
    """
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    if a.shape != b.shape or a.ndim != 2 or a.shape[1] != 3:
        raise ValueError(f"need two (n, 3) arrays of equal shape, got {a.shape} and {b.shape}")
    p = a - a.mean(axis=0)
    q = b - b.mean(axis=0)
    if rotate and len(a) > 1:
        h = q.T @ p
        u, _, vt = np.linalg.svd(h)
        d = np.sign(np.linalg.det(vt.T @ u.T)) or 1.0
        r = vt.T @ np.diag([1.0, 1.0, d]) @ u.T
        q = q @ r.T
    return float(np.sqrt(np.mean(np.sum((p - q) ** 2, axis=1))))


def cluster_minima(positions: Sequence[np.ndarray], energies: Sequence[float], *,
                   rmsd_tol: float = DEFAULT_RMSD_TOL, energy_tol: float = DEFAULT_ENERGY_TOL,
                   periodic: bool = False) -> list[int]:
    """Label each structure with its minimum: 0 for the lowest-energy minimum, 1 the next, ...

    Structures are taken in order of energy (ties by index); each joins the first minimum
    whose representative (its lowest-energy member) it matches, else it founds a new one.
    Two structures match when their aligned RMSD is at most ``rmsd_tol`` (Å) or their
    energies differ by at most ``energy_tol`` (eV) (see the module docstring). Comparing with
    the representative, not with any member, keeps a chain of small steps from merging
    structures that are far apart.
    """
    n = len(positions)
    if len(energies) != n:
        raise ValueError("one energy per structure")
    order = sorted(range(n), key=lambda i: (float(energies[i]), i))
    reps: list[int] = []
    labels = [0] * n
    for i in order:
        for label, rep in enumerate(reps):
            if abs(energies[i] - energies[rep]) <= energy_tol or \
                    kabsch_rmsd(positions[rep], positions[i], rotate=not periodic) <= rmsd_tol:
                labels[i] = label
                break
        else:
            labels[i] = len(reps)
            reps.append(i)
    return labels


def spread_per_step(trajectories: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(spread_max, spread_rms) per step from an array (replicas, steps+1, atoms, 3) in Å."""
    t = np.asarray(trajectories, dtype=float)
    if t.shape[0] < 2:
        z = np.zeros(t.shape[1])
        return z, z
    d = np.linalg.norm(t[1:] - t[:1], axis=-1)  # (replicas-1, steps+1, atoms)
    return d.max(axis=(0, 2)), np.sqrt((d ** 2).mean(axis=(0, 2)))


# ------------------------------------------------------------------ one relaxation


def lbfgs_run(atoms, calc, *, fmax: float = DEFAULT_FMAX, steps: int = DEFAULT_STEPS):
    """One ASE LBFGS relaxation of a copy of ``atoms`` with ``calc``, every step recorded:
    ``structcheck.relax.run_lbfgs`` (the same optimizer settings as ``structcheck relax``)."""
    from .relax import run_lbfgs

    return run_lbfgs(atoms, calc, fmax=fmax, steps=steps)


# ------------------------------------------------------------------ the experiment


def replica_noise(n_atoms: int, replicas: int, noise: float, seed: int) -> np.ndarray:
    """(replicas, n_atoms, 3) displacements: zero for replica 0, exactly ``noise`` Å per atom
    in a seeded random direction for the others."""
    rng = np.random.default_rng(seed)
    out = np.zeros((replicas, n_atoms, 3))
    if replicas > 1 and n_atoms:
        v = rng.normal(size=(replicas - 1, n_atoms, 3))
        v /= np.linalg.norm(v, axis=-1, keepdims=True)
        out[1:] = noise * v
    return out


@dataclass
class WanderResult:
    label: str
    replicas: int
    noise: float
    fmax: float
    steps: int
    seed: int
    runs: list  # structcheck.relax.LBFGSRun per replica
    rmsd_tol: float
    energy_tol: float
    periodic: bool
    trajectories: np.ndarray = field(repr=False)  # (replicas, steps+1, n, 3), padded
    energies: np.ndarray = field(repr=False)  # (replicas, steps+1), padded
    spread_max: np.ndarray = field(repr=False)
    spread_rms: np.ndarray = field(repr=False)
    minima: list[int] = field(default_factory=list)
    seconds: float = 0.0
    settings: dict = field(default_factory=dict)

    @property
    def initial_spread(self) -> float:
        return float(self.spread_max[0])

    @property
    def final_spread(self) -> float:
        return float(self.spread_max[-1])

    @property
    def amplification(self) -> float | None:
        return self.final_spread / self.initial_spread if self.initial_spread > 0 else None

    @property
    def peak_amplification(self) -> float | None:
        return float(self.spread_max.max()) / self.initial_spread if self.initial_spread > 0 else None

    @property
    def final_energies(self) -> list[float]:
        return [float(r.energies[-1]) for r in self.runs]

    @property
    def energy_spread(self) -> float:
        e = self.final_energies
        return max(e) - min(e)

    @property
    def n_minima(self) -> int:
        return len(set(self.minima))

    @property
    def first_divergent_step(self) -> int | None:
        """First step at which any replica differs from replica 0 at all (noise 0: hardware noise)."""
        nz = np.flatnonzero(self.spread_max > 0)
        return int(nz[0]) if len(nz) else None

    def summary(self) -> dict:
        minima = []
        for m in sorted(set(self.minima)):
            members = [i for i, x in enumerate(self.minima) if x == m]
            minima.append({"minimum": m, "replicas": members, "count": len(members),
                           "energy_eV": min(self.final_energies[i] for i in members)})
        return {
            "label": self.label,
            "replicas": self.replicas,
            "noise_A": self.noise,
            "fmax_eV_per_A": self.fmax,
            "steps_max": self.steps,
            "seed": self.seed,
            "steps_run": [r.steps for r in self.runs],
            "converged": [r.converged for r in self.runs],
            "initial_spread_max_A": self.initial_spread,
            "final_spread_max_A": self.final_spread,
            "peak_spread_max_A": float(self.spread_max.max()),
            "peak_step": int(np.argmax(self.spread_max)),
            "final_spread_rms_A": float(self.spread_rms[-1]),
            "amplification": self.amplification,
            "peak_amplification": self.peak_amplification,
            "first_divergent_step": self.first_divergent_step,
            "final_energies_eV": self.final_energies,
            "energy_spread_eV": self.energy_spread,
            "energy_change_eV": [float(r.energies[-1] - r.energies[0]) for r in self.runs],
            "n_minima": self.n_minima,
            "minima": minima,
            "minimum_of_replica": list(self.minima),
            "rmsd_tol_A": self.rmsd_tol,
            "energy_tol_eV": self.energy_tol,
            "alignment": "translation only (periodic cell)" if self.periodic else "Kabsch rotation + translation",
            "seconds": round(self.seconds, 3),
        }

    def to_dict(self) -> dict:
        d = self.summary()
        d["per_step"] = {
            "spread_max_A": self.spread_max.tolist(),
            "spread_rms_A": self.spread_rms.tolist(),
            "energy_eV": self.energies.tolist(),
            "fmax_eV_per_A": [r.fmax.tolist() for r in self.runs],
        }
        d["settings"] = self.settings
        return d


def _pad(arrays: list[np.ndarray], length: int) -> np.ndarray:
    out = []
    for a in arrays:
        if len(a) < length:
            a = np.concatenate([a, np.repeat(a[-1:], length - len(a), axis=0)])
        out.append(a)
    return np.array(out)


def wander(atoms, calc_factory: Callable[[], object], *, replicas: int = 8,
           noise: float = DEFAULT_NOISE, fmax: float = DEFAULT_FMAX, steps: int = DEFAULT_STEPS,
           seed: int = 0, rmsd_tol: float = DEFAULT_RMSD_TOL, energy_tol: float = DEFAULT_ENERGY_TOL,
           label: str = "start", progress: Callable[[str], None] | None = None,
           settings: dict | None = None) -> WanderResult:
    """Relax ``replicas`` copies of ``atoms``, each (except replica 0) displaced by ``noise`` Å.

    ``calc_factory()`` is called once per replica and must return an ASE calculator; a fresh
    calculator per replica gives every replica the same warm-up history. The input Atoms
    is not modified.
    """
    if replicas < 1:
        raise ValueError("replicas must be at least 1")
    if noise < 0:
        raise ValueError("noise must be >= 0 Å")
    t0 = time.perf_counter()
    disp = replica_noise(len(atoms), replicas, noise, seed)
    runs = []
    for r in range(replicas):
        a = atoms.copy()
        a.calc = None
        a.set_positions(a.get_positions() + disp[r])
        runs.append(lbfgs_run(a, calc_factory(), fmax=fmax, steps=steps))
        if progress:
            run = runs[-1]
            progress(f"{label}: replica {r + 1}/{replicas}: {run.steps} steps, "
                     f"E = {run.energies[-1]:.6f} eV, fmax = {run.fmax[-1]:.3g} eV/Å"
                     f"{'' if run.converged else ' (not converged)'}")
    length = max(r.steps for r in runs) + 1
    traj = _pad([r.positions for r in runs], length)
    ene = _pad([r.energies for r in runs], length)
    smax, srms = spread_per_step(traj)
    periodic = bool(np.any(atoms.pbc))
    labels = cluster_minima([r.positions[-1] for r in runs], [r.energies[-1] for r in runs],
                            rmsd_tol=rmsd_tol, energy_tol=energy_tol, periodic=periodic)
    return WanderResult(label, replicas, noise, fmax, steps, seed, runs, rmsd_tol, energy_tol,
                        periodic, traj, ene, smax, srms, labels, time.perf_counter() - t0,
                        dict(settings or {}))


# ------------------------------------------------------------------ multi-start search


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
    from .engine import lint_atoms, load_config
    from .findings import SEVERITY_RANK

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
        runs.append(lbfgs_run(a, calc_factory(), fmax=fmax, steps=steps))
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


# ------------------------------------------------------------------ reports and plots


def _fmt(x, spec: str = ".3g") -> str:
    return "-" if x is None else format(x, spec)


def format_table(results: Sequence[WanderResult]) -> str:
    head = (f"{'start':<8} {'replicas':>8} {'noise (Å)':>10} {'steps':>9} {'spread0 (Å)':>11} "
            f"{'peak (Å)':>9} {'final (Å)':>9} {'amplif.':>8} {'ΔE final (eV)':>13} {'minima':>6}")
    lines = [head]
    for r in results:
        s = r.summary()
        steps = f"{min(s['steps_run'])}-{max(s['steps_run'])}" if min(s['steps_run']) != max(s['steps_run']) \
            else str(s['steps_run'][0])
        lines.append(f"{r.label:<8} {r.replicas:>8} {_fmt(r.noise, '.0e'):>10} {steps:>9} "
                     f"{_fmt(r.initial_spread, '.2e'):>11} {_fmt(s['peak_spread_max_A'], '.2e'):>9} "
                     f"{_fmt(r.final_spread, '.2e'):>9} {_fmt(r.amplification, '.2e'):>8} "
                     f"{_fmt(r.energy_spread, '.2e'):>13} {r.n_minima:>6}")
    return "\n".join(lines)


def _checkpoints(n: int) -> list[int]:
    ks = sorted({0, 1, 2, 5} | set(range(10, n, 10)) | {n - 1})
    return [k for k in ks if k < n]


def format_markdown(results: Sequence[WanderResult], meta: dict) -> str:
    out = ["# structcheck wander", ""]
    sha = f" (sha256 {meta['model_sha256'][:12]}…)" if meta.get("model_sha256") else ""
    out.append(f"Start `{meta['start']}`, model `{meta['model']}`{sha}, {meta['replicas']} replicas, "
               f"LBFGS fmax {meta['fmax']} eV/Å, at most {meta['steps']} steps, seed {meta['seed']}, "
               f"noise {meta['noise_description']}, deterministic: {meta['deterministic']}, "
               f"device: {meta['device']}.")
    out.append("")
    out.append("| start | spread at step 0 (Å) | peak spread (Å) | final spread (Å) | amplification "
               "| final energy spread (eV) | minima | converged |")
    out.append("|---|---|---|---|---|---|---|---|")
    for r in results:
        s = r.summary()
        out.append(f"| {r.label} | {_fmt(r.initial_spread, '.2e')} | {s['peak_spread_max_A']:.2e} "
                   f"(step {s['peak_step']}) | {r.final_spread:.2e} | {_fmt(r.amplification, '.2e')} | "
                   f"{r.energy_spread:.2e} | {r.n_minima} | {sum(s['converged'])}/{r.replicas} |")
    out.append("")
    out.append("Largest displacement of any atom from replica 0 (Å), by optimizer step:")
    out.append("")
    n = max(len(r.spread_max) for r in results)
    ks = _checkpoints(n)
    out.append("| step | " + " | ".join(r.label for r in results) + " |")
    out.append("|---|" + "---|" * len(results))
    for k in ks:
        out.append(f"| {k} | " + " | ".join(f"{r.spread_max[min(k, len(r.spread_max) - 1)]:.2e}"
                                            for r in results) + " |")
    out.append("")
    for r in results:
        s = r.summary()
        mins = "; ".join(f"minimum {m['minimum']}: {m['energy_eV']:.6f} eV, replicas {m['replicas']}"
                         for m in s["minima"])
        out.append(f"- **{r.label}**: {mins}. Energy change over the run: "
                   f"{min(s['energy_change_eV']):.4g} to {max(s['energy_change_eV']):.4g} eV"
                   + (" (some replicas ended uphill: LBFGS has no line search)"
                      if max(s['energy_change_eV']) > 0 else "") + ".")
    if any(not all(r.summary()["converged"]) for r in results):
        out.append("")
        out.append("Replicas that did not converge stopped at the step budget: their final structures are "
                   "where the optimizer was left, not minima; they are grouped all the same.")
    if meta.get("lint"):
        out.append("")
        out.append("Lint of the start(s):")
        for label, lines in meta["lint"].items():
            out.append("")
            out.append(f"- {label}: " + ("clean" if not lines else f"{len(lines)} finding(s)"))
            out.extend(f"  - {line}" for line in lines)
    out.append("")
    out.append("Plots: `spread.png` (spread vs step, log scale), `energy.png` (energy vs step per replica). "
               "All figures: `report.json`; every replica's final structure: `finals.extxyz`.")
    return "\n".join(out) + "\n"


def plot_spread(results: Sequence[WanderResult], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 4.2), dpi=100)
    colors = {"raw": "tab:red", "fixed": "tab:blue"}
    for k, r in enumerate(results):
        c = colors.get(r.label, f"C{k}")
        steps = np.arange(len(r.spread_max))
        smax = np.where(r.spread_max > 0, r.spread_max, np.nan)
        srms = np.where(r.spread_rms > 0, r.spread_rms, np.nan)
        ax.plot(steps, smax, "-o", ms=3, color=c, label=f"{r.label}: max over atoms ({r.n_minima} minim{'um' if r.n_minima == 1 else 'a'})")
        ax.plot(steps, srms, "--", color=c, alpha=0.7, label=f"{r.label}: RMS over atoms")
    noise = max((r.noise for r in results), default=0)
    if noise > 0:
        ax.axhline(noise, color="grey", lw=0.8, ls=":", label=f"injected noise {noise:.0e} Å")
    ax.set_yscale("log")
    ax.set_xlim(0, max(max(len(r.spread_max) - 1 for r in results), 1))
    identical = [r.label for r in results if not np.any(r.spread_max > 0)]
    if identical:
        if len(identical) == len(results):
            ax.set_ylim(1e-16, 1.0)
        ax.text(0.02, 0.04, f"{', '.join(identical)}: every replica bitwise identical to replica 0 at every "
                "step\n(spread 0, which a log scale cannot draw)", transform=ax.transAxes, fontsize=8)
    ax.set_xlabel("LBFGS step")
    ax.set_ylabel("displacement from replica 0 (Å)")
    r0 = results[0]
    ax.set_title(f"{r0.replicas} replicas, fmax {r0.fmax} eV/Å: spread between replicas")
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=8, loc="best")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def plot_energy(results: Sequence[WanderResult], path: Path) -> None:
    """Top row: energy per replica vs step. Bottom row: each replica's energy minus replica 0's
    at the same step (symlog), where the divergence shows even when the curves overlap."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, len(results), figsize=(4.8 * len(results), 6.4), dpi=100, squeeze=False,
                             sharex="col")
    for col, r in enumerate(results):
        top, bottom = axes[0][col], axes[1][col]
        lab = r.replicas <= 10
        for i in range(r.replicas):
            n = r.runs[i].steps + 1
            kw = {"lw": 1.0, "color": f"C{i % 10}"}
            top.plot(np.arange(n), r.energies[i, :n], label=f"replica {i} (minimum {r.minima[i]})" if lab else None,
                     **kw)
            if i:
                bottom.plot(np.arange(r.energies.shape[1]), r.energies[i] - r.energies[0], **kw)
        top.set_ylabel("potential energy (eV)")
        top.set_title(f"{r.label} start: energy per replica")
        top.grid(True, alpha=0.3)
        if lab:
            top.legend(fontsize=6, ncol=2, loc="best")
        bottom.set_yscale("symlog", linthresh=1e-6)
        from matplotlib.ticker import SymmetricalLogLocator

        bottom.yaxis.set_major_locator(SymmetricalLogLocator(base=100.0, linthresh=1e-6))
        bottom.axhline(0.0, color="grey", lw=0.8)
        bottom.set_xlabel("LBFGS step")
        bottom.set_ylabel("E(replica) − E(replica 0) (eV)\n(symlog: linear within ±1e-6)")
        bottom.grid(True, alpha=0.3)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


# ------------------------------------------------------------------ calculators


def dp_factory(model: str | Path | None = None, *, head: str | None = None, deterministic: bool = False,
               device: str | None = None, threads: int | None = None) -> Callable[[], object]:
    """A factory of fresh DeePMD-kit ``DP`` calculators (``structcheck.relax.make_calculator``:
    threads, TorchScript and deterministic settings as ``structcheck relax``). One fresh
    calculator per replica gives every replica the same warm-up history. The first one is
    built at once (so a missing deepmd-kit or a bad model fails before any run)."""
    from .relax import make_calculator

    # deepmd prints a hint per calculator unless the inference batch size is set; 1024 is its default
    os.environ.setdefault("DP_INFER_BATCH_SIZE", "1024")

    def make():
        return make_calculator(model, head=head, deterministic=deterministic, device=device, threads=threads)

    first = [make()]

    def factory():
        return first.pop() if first else make()

    return factory


def _device() -> str:
    """The device deepmd evaluates on (call after a calculator was made)."""
    from .relax import runtime_record

    return runtime_record()["device"]


TOY_CALCULATORS = ("morse", "emt", "lj")


def toy_factory(name: str) -> Callable[[], object]:
    """ASE's own cheap calculators, for comparing how the experiment depends on the model.
    morse: ``MorsePotential(rho0=6, r0=1.0)``; emt: ``EMT()``; lj: ``LennardJones(sigma=1, rc=5)``."""
    if name == "morse":
        from ase.calculators.morse import MorsePotential

        return lambda: MorsePotential(rho0=6.0, r0=1.0)
    if name == "emt":
        from ase.calculators.emt import EMT

        return EMT
    if name == "lj":
        from ase.calculators.lj import LennardJones

        return lambda: LennardJones(sigma=1.0, epsilon=1.0, rc=5.0)
    raise ValueError(f"unknown calculator {name!r}: one of dp, {', '.join(TOY_CALCULATORS)}")


# ------------------------------------------------------------------ CLI


def add_wander_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("start", help="the start structure (any format ASE reads; the first frame is used)")
    p.add_argument("--replicas", type=int, default=8, help="number of relaxations of the same start (default 8)")
    p.add_argument("--noise", type=float, default=None, metavar="Å",
                   help=f"every atom of replicas 1..N-1 is moved by exactly this distance in a seeded "
                        f"random direction; replica 0 is unperturbed (default {DEFAULT_NOISE:g}; "
                        "0 with --native-noise)")
    p.add_argument("--fmax", type=float, default=DEFAULT_FMAX, metavar="EV_PER_A",
                   help=f"LBFGS force criterion in eV/Å (default {DEFAULT_FMAX}, as relax; the report used "
                        "1e-6, which its start never reaches in 50 steps, so every replica ran all steps)")
    p.add_argument("--steps", type=int, default=DEFAULT_STEPS,
                   help=f"at most this many LBFGS steps per replica (default {DEFAULT_STEPS}, as the report)")
    p.add_argument("--seed", type=int, default=0, help="seed of the noise directions (default 0)")
    p.add_argument("--model", metavar="PATH", help="DeePMD-kit .pth model (default: the shipped DPA2 H/O model)")
    p.add_argument("--head", help="model head of a multi-task model")
    p.add_argument("--calculator", choices=("dp",) + TOY_CALCULATORS, default="dp",
                   help="dp: the DeePMD-kit model (default); morse, emt, lj: ASE's toy calculators, "
                        "to see how the outcome depends on the potential")
    p.add_argument("--deterministic", action="store_true",
                   help="deterministic PyTorch algorithms and fixed threads: two identical runs agree bitwise")
    p.add_argument("--threads", type=int, metavar="N", help="torch intra-op threads (default 1, as relax)")
    p.add_argument("--device", choices=("cpu", "cuda"), help="default: CUDA when available, else CPU")
    p.add_argument("--native-noise", action="store_true",
                   help="GPU only: no deterministic algorithms and no injected noise unless --noise is given, "
                        "so the hardware's non-deterministic reductions supply the noise")
    p.add_argument("--compare-fixed", action="store_true",
                   help="also run the experiment on the `structcheck fix`-ed start, side by side")
    p.add_argument("--rmsd-tol", type=float, default=DEFAULT_RMSD_TOL, metavar="Å",
                   help=f"final structures closer than this after rigid alignment are one minimum "
                        f"(default {DEFAULT_RMSD_TOL})")
    p.add_argument("--energy-tol", type=float, default=DEFAULT_ENERGY_TOL, metavar="EV",
                   help=f"final energies closer than this are one minimum (default {DEFAULT_ENERGY_TOL})")
    p.add_argument("-o", "--output", metavar="DIR", help="output folder (default: wander_<start name>)")
    p.add_argument("--format-in", metavar="FMT", help="input format (ASE name)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress lines, only the table")


def _lint_lines(atoms, type_map) -> list[str]:
    from .engine import lint_atoms, load_config

    config = load_config(type_map=",".join(type_map) if type_map else None)
    return [f"{f.code} {f.name}: {f.message}" for f in lint_atoms(atoms, config)]


def run_wander(args) -> int:
    from .io import ReadError
    from .models import ModelError
    from .relax import DeepmdUnavailable

    try:
        return _run_wander(args)
    except (ModelError, DeepmdUnavailable, ReadError, OSError) as exc:
        print(f"structcheck: error: {exc}", file=sys.stderr)
        return 2


def _run_wander(args) -> int:
    from .cli import UsageError
    from .io import read_one
    from .models import default_model_path, model_type_map

    if args.replicas < 1:
        raise UsageError("--replicas must be at least 1")
    if args.steps < 0 or args.fmax <= 0:
        raise UsageError("--steps must be >= 0 and --fmax > 0")
    if args.native_noise and args.deterministic:
        raise UsageError("--native-noise and --deterministic contradict each other: choose one")
    noise = args.noise if args.noise is not None else (0.0 if args.native_noise else DEFAULT_NOISE)
    if noise < 0:
        raise UsageError("--noise must be >= 0 Å")
    atoms = read_one(args.start, args.format_in)
    factory = None
    if args.calculator == "dp":
        model = Path(args.model) if args.model else default_model_path()
        type_map = model_type_map(model)
        missing = sorted(set(atoms.get_chemical_symbols()) - set(type_map))
        if missing:
            raise UsageError(f"{args.start}: element(s) {', '.join(missing)} not in the model's type map "
                             f"({', '.join(type_map)}) of {model}")
        factory = dp_factory(model, head=args.head, deterministic=args.deterministic,
                             device=args.device, threads=args.threads)
        device = _device()
    else:
        if args.model:
            raise UsageError("--model is for --calculator dp")
        model, type_map, device = f"ASE toy calculator: {args.calculator}", None, "cpu"
        factory = toy_factory(args.calculator)
    if args.native_noise and not device.startswith("cuda"):
        raise UsageError("--native-noise needs a CUDA GPU and the dp calculator: on CPU, PyTorch gives the "
                         "same result for the same input and thread count, so the replicas would be bitwise "
                         "identical and show nothing. Use --noise (injected noise) instead")
    say = (lambda m: None) if args.quiet else (lambda m: print(m, file=sys.stderr, flush=True))
    starts = [("raw", atoms)]
    lint = {"raw": _lint_lines(atoms, type_map)}
    if args.compare_fixed:
        from .prerelax import FixError, fix

        try:
            fixed, _report = fix(atoms)
        except FixError as exc:
            raise UsageError(f"{args.start}: --compare-fixed: structcheck fix cannot repair this start: {exc}")
        starts.append(("fixed", fixed))
        lint["fixed"] = _lint_lines(fixed, type_map)
    for label, lines in lint.items():
        say(f"lint {label} start: " + ("clean" if not lines else f"{len(lines)} finding(s)"))
        for line in lines:
            say(f"  {line}")
    noise_desc = (f"{noise:g} Å per atom (seed {args.seed})" if noise > 0 else "none injected") + \
        ("; GPU non-deterministic kernels (native noise)" if args.native_noise else "")
    settings = {"model": str(model), "head": args.head, "device": device,
                "deterministic": args.deterministic, "native_noise": args.native_noise,
                "runtime": _runtime(args)}
    results = []
    for label, a in starts:
        results.append(wander(a, factory, replicas=args.replicas, noise=noise, fmax=args.fmax,
                              steps=args.steps, seed=args.seed, rmsd_tol=args.rmsd_tol,
                              energy_tol=args.energy_tol, label=label, progress=say, settings=settings))
    out = Path(args.output or f"wander_{Path(args.start).stem}")
    out.mkdir(parents=True, exist_ok=True)
    model_sha = None
    if args.calculator == "dp":
        from .relax import sha256_file

        model_sha = sha256_file(model)
    meta = {"start": args.start, "model": str(model), "model_sha256": model_sha,
            "replicas": args.replicas, "fmax": args.fmax,
            "steps": args.steps, "seed": args.seed, "noise_A": noise, "noise_description": noise_desc,
            "deterministic": args.deterministic, "native_noise": args.native_noise, "device": device,
            "lint": lint}
    from .relax import versions as _relax_versions

    doc = {"structcheck_wander": 1, **meta, "versions": _relax_versions(),
           "results": {r.label: r.to_dict() for r in results}}
    (out / "report.json").write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")
    (out / "report.md").write_text(format_markdown(results, meta), encoding="utf-8")
    _write_finals(results, starts, out / "finals.extxyz")
    plot_spread(results, out / "spread.png")
    plot_energy(results, out / "energy.png")
    print(format_table(results))
    print(f"wrote {out}/report.json, report.md, spread.png, energy.png, finals.extxyz")
    return 0


def _write_finals(results, starts, path: Path) -> None:
    """Every replica's final structure (extxyz), with its start, replica, minimum and energy."""
    from ase.io import write

    frames = []
    for r, (_, start) in zip(results, starts):
        for i, run in enumerate(r.runs):
            a = start.copy()
            a.calc = None
            a.set_positions(run.positions[-1])
            a.info.update({"start": r.label, "replica": i, "minimum": r.minima[i],
                           "energy_eV": float(run.energies[-1]), "converged": bool(run.converged),
                           "steps": run.steps})
            frames.append(a)
    write(str(path), frames, format="extxyz")


def _runtime(args) -> dict:
    if args.calculator != "dp":
        return {"calculator": args.calculator}
    from .relax import runtime_record

    return runtime_record(args.deterministic)


# ------------------------------------------------------------------ relax --starts N --rattle S


def add_multistart_arguments(p: argparse.ArgumentParser) -> None:
    """``--starts`` and ``--rattle`` for ``structcheck relax``."""
    p.add_argument("--starts", type=int, default=0, metavar="N",
                   help="multi-start search: relax N sane rattled copies of the start (each linted) and "
                        "report the distinct minima; the lowest is written to -o")
    p.add_argument("--rattle", type=float, default=0.05, metavar="Å",
                   help="Gaussian rattle per coordinate of each start, Å (default 0.05; with --starts)")
    p.add_argument("--rattle-seed", type=int, default=0, metavar="SEED",
                   help="seed of the rattles (default 0; with --starts)")


def run_relax_multistart(args) -> int:
    """``structcheck relax START --starts N --rattle S``: exit 0 when the lowest minimum's
    relaxation converged, 1 when it did not or the start cannot give sane rattles."""
    from ase.io import write

    from .cli import UsageError
    from .engine import load_config
    from .io import ReadError, read_one
    from .models import ModelError, default_model_path, model_type_map
    from .relax import DeepmdUnavailable, provenance_path, versions

    if args.starts < 1:
        raise UsageError("--starts must be >= 1")
    if args.rattle <= 0:
        raise UsageError("--rattle must be > 0 Å")
    start = Path(args.start)
    try:
        atoms = read_one(str(start), getattr(args, "format_in", None))
    except (OSError, ReadError) as exc:
        print(f"structcheck: error: {exc}", file=sys.stderr)
        return 2
    model = Path(args.model) if args.model else default_model_path()
    try:
        type_map = model_type_map(model)
    except ModelError as exc:
        print(f"structcheck: error: {exc}", file=sys.stderr)
        return 2
    config = load_config(profile="dpa2-preflight", type_map=",".join(type_map))
    fix_report = None
    if getattr(args, "prerelax", False):
        from .prerelax import fix

        atoms, fix_report = fix(atoms)
    say = (lambda m: None) if getattr(args, "quiet", False) else (lambda m: print(m, file=sys.stderr, flush=True))
    try:
        sane_rattles(atoms, 1, args.rattle, args.rattle_seed, config=config)  # refuse before loading a model
    except ValueError as exc:
        print(f"structcheck: {start}: {exc}", file=sys.stderr)
        return 1
    try:
        factory = dp_factory(model, head=args.head, deterministic=args.deterministic,
                             device=getattr(args, "device", None), threads=getattr(args, "threads", None))
        res = multistart(atoms, factory, starts=args.starts, rattle=args.rattle, seed=args.rattle_seed,
                         fmax=args.fmax, steps=args.steps, config=config, progress=say)
    except (ModelError, DeepmdUnavailable) as exc:
        print(f"structcheck: error: {exc}", file=sys.stderr)
        return 2
    except ValueError as exc:
        print(f"structcheck: {start}: {exc}", file=sys.stderr)
        return 1
    out = Path(args.output) if args.output else Path.cwd() / f"{start.stem}.relaxed.extxyz"
    if start.exists() and out.exists() and out.resolve() == start.resolve():
        raise UsageError(f"{out}: the output would overwrite the input; choose another -o")
    out.parent.mkdir(parents=True, exist_ok=True)
    best = res.best.copy()
    best.info["structcheck_multistart_minimum"] = 0
    write(str(out), best, format="extxyz")
    record = {"structcheck_multistart": 1, "input": str(start), "model": str(model),
              "fmax_eV_per_A": args.fmax, "steps": args.steps, "deterministic": args.deterministic,
              "prerelax": fix_report is not None, "versions": versions(), **res.to_dict()}
    prov = provenance_path(out)
    prov.write_text(json.dumps(record, indent=1, default=str) + "\n", encoding="utf-8")
    print(format_multistart(res))
    print(f"wrote {out} (lowest minimum) and {prov}")
    ibest = int(np.argmin(res.final_energies))
    return 0 if res.runs[ibest].converged else 1
