"""wander(): the teaching experiment behind DeePMD-kit issue 4502, and its text reports.

The same start is relaxed N times with ASE's LBFGS. Replica 0 starts exactly from the
input; every other replica starts with each atom moved by exactly ``noise`` Å in a
seeded random direction (or, with ``--native-noise`` on a GPU, from the very same
positions, so that only the hardware's non-deterministic reductions differ). Per
optimizer step we measure how far the replicas have drifted apart, and at the end how
many distinct minima they reached.

The metrics (spread, amplification, minima) are defined in teach/metrics.py; plots in
teach/plots.py. matplotlib, torch and deepmd are imported only inside the functions that need them.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from ..dp.run import run_lbfgs
from .metrics import DEFAULT_ENERGY_TOL, DEFAULT_RMSD_TOL, cluster_minima, spread_per_step

DEFAULT_NOISE = 1e-10  # Å, the size of the numerical noise in the report
DEFAULT_FMAX = 0.05  # eV/Å, see docs/teaching.md for why not the report's 1e-6
DEFAULT_STEPS = 50  # the report's step budget


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
           settings: dict | None = None, optimizer: str = "LBFGS") -> WanderResult:
    """Relax ``replicas`` copies of ``atoms``, each (except replica 0) displaced by ``noise`` Å.

    ``calc_factory()`` is called once per replica and must return an ASE calculator; a fresh
    calculator per replica gives every replica the same warm-up history. The input Atoms
    is not modified. ``optimizer``: LBFGS (default), BFGS, BFGSLineSearch or FIRE (ASE's own).
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
        runs.append(run_lbfgs(a, calc_factory(), fmax=fmax, steps=steps, optimizer=optimizer))
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
                        {**(settings or {}), "optimizer": optimizer})


def _fmt(x, spec: str = ".3g") -> str:
    return "-" if x is None else format(x, spec)


def format_table(results: Sequence[WanderResult]) -> str:
    w = max([8] + [len(r.label) for r in results])
    head = (f"{'start':<{w}} {'replicas':>8} {'noise (Å)':>10} {'steps':>9} {'spread0 (Å)':>11} "
            f"{'peak (Å)':>9} {'final (Å)':>9} {'amplif.':>8} {'ΔE final (eV)':>13} {'minima':>6}")
    lines = [head]
    for r in results:
        s = r.summary()
        steps = f"{min(s['steps_run'])}-{max(s['steps_run'])}" if min(s['steps_run']) != max(s['steps_run']) \
            else str(s['steps_run'][0])
        lines.append(f"{r.label:<{w}} {r.replicas:>8} {_fmt(r.noise, '.0e'):>10} {steps:>9} "
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
               f"{meta.get('optimizer', 'LBFGS')} fmax {meta['fmax']} eV/Å, at most {meta['steps']} steps, seed {meta['seed']}, "
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
                   + (" (some replicas ended uphill)" if max(s['energy_change_eV']) > 0 else "") + ".")
    if any(not all(r.summary()["converged"]) for r in results):
        out.append("")
        out.append("Replicas that did not converge stopped at the step budget: their final structures are "
                   "where the optimizer was left, not minima; they are grouped all the same.")
    if meta.get("reference"):
        out.append("")
        out.append(f"Reference: {meta['reference']}. Rows ending in `-gfn2` are the same replicas relaxed with it: "
                   "where they wander less than the model's, the model's roughness is its extrapolation.")
    if meta.get("lint"):
        out.append("")
        out.append("Lint of the start(s):")
        for label, lines in meta["lint"].items():
            out.append("")
            out.append(f"- {label}: " + ("clean" if not lines else f"{len(lines)} finding(s)"))
            out.extend(f"  - {line}" for line in lines)
    out.append("")
    out.append("Plots: `spread.png` (spread vs step, log scale), `energy.png` (energy vs step per replica), "
               "`growth.png` (per-step growth rate of the spread), `distances_<start>.png` (the start's "
               "distance matrix with the thresholds), `replicas.gif` (the replicas moving apart). "
               "All figures: `report.json`; every replica's final structure: `finals.extxyz`; every step "
               "of every replica: `trajectories/<start>_replica<i>.extxyz` (ASE's GUI, OVITO).")
    return "\n".join(out) + "\n"
