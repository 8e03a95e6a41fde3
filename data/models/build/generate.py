#!/usr/bin/env python
"""Generate and label the H/O training data for the structcheck DPA2 demo model.

Labels: GFN2-xTB via tblite's ASE calculator, non-periodic (pbc=False, no cell),
default spin handling (uhf from initial magnetic moments = 0; odd-electron
species get one unpaired electron automatically), electronic temperature 300 K.

Configurations (all for elements H and O):
  * monomers / small molecules: H2O, H2O2, O2, H2, OH
  * water dimer and trimer
  * the DeePMD-kit issue #4502 start (H2O3, four atoms within 0.7 A) and its
    neighbourhood: perturbations, uniform expansions, intermediate frames along
    a repulsive push-apart, and frames along tblite LBFGS relaxations from there
  * near-equilibrium samples: rattles, normal-mode displacements at 300-1500 K,
    short Langevin MD (300-1000 K)
  * compressed / short-contact samples: uniformly scaled geometries, pushed
    pairs, relaxation paths from compressed starts

Every frame whose SCF does not converge (tblite raises CalculationFailed) is
retried once with stronger damping; if it still fails it is DROPPED and counted.
No label from an unconverged SCF is ever written.

Frames are classified objectively:
  compressed : min pair distance < 0.75 * (sum of covalent radii) or
               max atomic force > 8 eV/A
  eq         : everything else
and written as DeePMD npy systems (nopbc) under OUT/{train,valid}/{eq,compressed}/<formula>/
with ~12 % of each (formula, class) held out for validation.

Usage:  OMP_NUM_THREADS=1 python generate.py [--out data] [--seed 20261126]
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np
from ase import Atoms, units
from ase.build import molecule
from ase.calculators.calculator import CalculationFailed
from ase.data import covalent_radii
from ase.optimize import LBFGS
from tblite.ase import TBLite

TYPE_MAP = ["H", "O"]
ISSUE_4502 = dict(
    symbols="H2O3",
    positions=[(0.3, 0.3, 0.3), (0.5, 0.5, 0.5), (0.7, 0.7, 0.7), (0.1, 0.1, 0.1), (0.6, 2.5, 3.7)],
)
VALID_FRACTION = 0.12


class Labeler:
    def __init__(self):
        self.n_ok = 0
        self.n_retry_ok = 0
        self.n_dropped = 0
        self.dropped_by_tag: dict[str, int] = {}

    @staticmethod
    def _calc(retry: bool) -> TBLite:
        if retry:
            # mixer_memory must be bounded: it defaults to max_iterations (very slow history)
            return TBLite(method="GFN2-xTB", verbosity=0, max_iterations=500, mixer_memory=30, mixer_damping=0.1)
        return TBLite(method="GFN2-xTB", verbosity=0)

    def label(self, atoms: Atoms, tag: str):
        """Return (energy eV, forces eV/A) or None if the SCF did not converge."""
        a = Atoms(atoms.get_chemical_symbols(), positions=atoms.get_positions(), pbc=False)
        for retry in (False, True):
            a.calc = self._calc(retry)
            try:
                e = float(a.get_potential_energy())
                f = np.array(a.get_forces(), dtype=float)
            except CalculationFailed:
                continue
            if not (np.isfinite(e) and np.all(np.isfinite(f))):
                continue
            self.n_ok += 1
            self.n_retry_ok += int(retry)
            return e, f
        self.n_dropped += 1
        self.dropped_by_tag[tag] = self.dropped_by_tag.get(tag, 0) + 1
        return None


def min_dist_ratio(atoms: Atoms) -> float:
    """min over pairs of d_ij / (r_cov_i + r_cov_j)."""
    p = atoms.get_positions()
    r = covalent_radii[atoms.numbers]
    n = len(atoms)
    if n < 2:
        return np.inf
    d = np.linalg.norm(p[:, None] - p[None], axis=-1)
    s = r[:, None] + r[None]
    iu = np.triu_indices(n, 1)
    return float(np.min(d[iu] / s[iu]))


def relax_tblite(atoms: Atoms, fmax=0.01, steps=300, record_every=0, robust=False):
    a = Atoms(atoms.get_chemical_symbols(), positions=atoms.get_positions(), pbc=False)
    a.calc = Labeler._calc(robust)
    frames = []
    opt = LBFGS(a, logfile=None, maxstep=0.1)
    if record_every:
        step = [0]

        def rec():
            if step[0] % record_every == 0:
                frames.append(a.copy())
            step[0] += 1

        opt.attach(rec, interval=1)
    try:
        opt.run(fmax=fmax, steps=steps)
    except CalculationFailed:
        pass
    a.calc = None
    return a, frames


def hessian_modes(atoms: Atoms, h=0.005):
    """Finite-difference Hessian -> (omega^2, cartesian displacement vectors per unit mass-weighted q)."""
    a = atoms.copy()
    a.calc = TBLite(method="GFN2-xTB", verbosity=0)
    n = len(a)
    x0 = a.get_positions().copy()
    H = np.zeros((3 * n, 3 * n))
    for i in range(3 * n):
        for sgn in (1, -1):
            x = x0.copy()
            x.flat[i] += sgn * h
            a.set_positions(x)
            g = -a.get_forces().ravel()
            H[i] += sgn * g / (2 * h)
    H = 0.5 * (H + H.T)
    m = np.repeat(a.get_masses(), 3)
    Hm = H / np.sqrt(np.outer(m, m))
    w2, v = np.linalg.eigh(Hm)
    keep = w2 > 1e-3  # drop translations/rotations/very soft modes
    return w2[keep], (v[:, keep] / np.sqrt(m)[:, None])


def langevin_frames(atoms: Atoms, T, nsteps, every, rng):
    from ase.md.langevin import Langevin
    from ase.md.velocitydistribution import MaxwellBoltzmannDistribution

    a = atoms.copy()
    a.pbc = False
    a.calc = TBLite(method="GFN2-xTB", verbosity=0)
    MaxwellBoltzmannDistribution(a, temperature_K=T, rng=rng)
    dyn = Langevin(a, 0.5 * units.fs, temperature_K=T, friction=0.02, rng=rng)
    frames = []
    try:
        for k in range(nsteps // every):
            dyn.run(every)
            frames.append(Atoms(a.get_chemical_symbols(), positions=a.get_positions()))
    except CalculationFailed:
        pass
    return frames


def scaled(atoms: Atoms, s: float, center=None) -> Atoms:
    a = atoms.copy()
    p = a.get_positions()
    c = p.mean(0) if center is None else center
    a.set_positions(c + s * (p - c))
    return a


def push_pair(atoms: Atoms, rng, lo=0.35, hi=0.85) -> Atoms:
    a = atoms.copy()
    p = a.get_positions()
    i, j = rng.choice(len(a), 2, replace=False)
    r0 = covalent_radii[a.numbers[i]] + covalent_radii[a.numbers[j]]
    target = rng.uniform(lo, hi) * r0
    d = p[j] - p[i]
    dist = np.linalg.norm(d)
    u = d / dist
    shift = 0.5 * (dist - target)
    p[i] += shift * u
    p[j] -= shift * u
    a.set_positions(p)
    return a


def push_apart_path(atoms: Atoms, thresholds=(0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1, 1.2), d0=1.3, lr=0.05, maxit=5000):
    """Repulsive pre-relax: gradient descent on sum_{r<d0} (d0-r)^2 and snapshots
    when the minimum distance first exceeds each threshold (A)."""
    p = atoms.get_positions().copy()
    n = len(p)
    out = []
    ti = 0
    for _ in range(maxit):
        d = p[:, None] - p[None]
        r = np.linalg.norm(d, axis=-1) + np.eye(n) * 1e9
        rmin = r.min()
        while ti < len(thresholds) and rmin >= thresholds[ti]:
            out.append(Atoms(atoms.get_chemical_symbols(), positions=p.copy()))
            ti += 1
        if ti >= len(thresholds):
            break
        overlap = np.clip(d0 - r, 0, None)
        # force on i: sum_j 2*overlap * (p_i - p_j)/r
        f = (2 * overlap / r)[:, :, None] * d
        p += lr * f.sum(1)
    return out


def water_cluster(n: int, rng) -> Atoms:
    """Approximate water dimer/trimer starts (relaxed with tblite afterwards)."""
    w = molecule("H2O")
    if n == 2:
        a = w.copy()
        b = w.copy()
        b.rotate(180, "z")
        b.translate((0, 0, 2.9))
        b.rotate(50, "x", center=b.get_positions()[0])
        return a + b
    # cyclic trimer
    out = Atoms()
    for k in range(3):
        m = w.copy()
        m.rotate(rng.uniform(0, 360), "z")
        m.translate((1.6, 0, 0))
        m.rotate(120 * k, "z", center=(0, 0, 0))
        out += m
    return out


def build_frames(rng, log):
    frames: list[tuple[Atoms, str]] = []  # (atoms, generation tag)

    starts = {
        "H2O": molecule("H2O"),
        "H2O2": molecule("H2O2"),
        "O2": Atoms("O2", positions=[(0, 0, 0), (0, 0, 1.21)]),
        "H2": Atoms("H2", positions=[(0, 0, 0), (0, 0, 0.74)]),
        "OH": Atoms("OH", positions=[(0, 0, 0), (0, 0, 0.97)]),
        "(H2O)2": water_cluster(2, rng),
        "(H2O)3": water_cluster(3, rng),
    }
    # per-species sample counts: (rattle, normal-mode, md-frames-per-T, scaled, pushed, relax-paths)
    plan = {
        "H2O": (120, 200, 60, 40, 40, 10),
        "H2O2": (60, 100, 40, 25, 25, 6),
        "O2": (30, 40, 20, 15, 10, 3),
        "H2": (30, 40, 20, 15, 10, 3),
        "OH": (30, 40, 20, 15, 10, 3),
        "(H2O)2": (50, 60, 40, 20, 20, 4),
        "(H2O)3": (30, 40, 30, 15, 15, 3),
    }
    for name, a0 in starts.items():
        t0 = time.time()
        a0.pbc = False
        eq, _ = relax_tblite(a0, fmax=0.005, steps=500)
        n_r, n_nm, n_md, n_s, n_p, n_rp = plan[name]
        frames.append((eq.copy(), "eq_min"))
        for k in range(n_r):
            a = eq.copy()
            a.positions += rng.normal(0, rng.uniform(0.01, 0.08), a.positions.shape)
            frames.append((a, "rattle"))
        w2, V = hessian_modes(eq)
        for k in range(n_nm):
            T = rng.uniform(300, 1500)
            q = rng.normal(0, np.sqrt(units.kB * T / w2))
            disp = (V @ q).reshape(-1, 3)
            mx = np.abs(disp).max()
            if mx > 0.3:
                disp *= 0.3 / mx
            a = eq.copy()
            a.positions += disp
            frames.append((a, "normal_mode"))
        for T in (300, 600, 1000):
            every = 8
            for a in langevin_frames(eq, T, n_md * every, every, rng):
                frames.append((a, f"md{T}"))
        comp_starts = []
        for k in range(n_s):
            a = scaled(eq, rng.uniform(0.5, 0.9))
            a.positions += rng.normal(0, 0.03, a.positions.shape)
            frames.append((a, "scaled"))
            comp_starts.append(a)
        for k in range(n_p):
            a = push_pair(eq, rng)
            frames.append((a, "pushed"))
            comp_starts.append(a)
        for k in range(n_rp):
            a = comp_starts[rng.integers(len(comp_starts))]
            _, path = relax_tblite(a, fmax=0.05, steps=60, record_every=3)
            frames += [(p, "relax_path") for p in path[1:]]
        log(f"  {name}: {len(frames)} frames so far ({time.time() - t0:.1f}s)")

    # --- issue 4502 start and neighbourhood ---------------------------------
    t0 = time.time()
    s0 = Atoms(ISSUE_4502["symbols"], positions=ISSUE_4502["positions"], pbc=False)
    frames.append((s0.copy(), "i4502_start"))
    clust_center = s0.positions[:4].mean(0)
    for k in range(40):
        a = s0.copy()
        a.positions += rng.normal(0, rng.choice([0.02, 0.05, 0.1, 0.2]), a.positions.shape)
        frames.append((a, "i4502_rattle"))
    for lam in np.linspace(1.2, 5.0, 20):
        p = s0.get_positions().copy()
        p[:4] = clust_center + lam * (p[:4] - clust_center)
        a = Atoms(s0.get_chemical_symbols(), positions=p)
        a.positions += rng.normal(0, 0.05, a.positions.shape)
        frames.append((a, "i4502_expand"))
    relax_starts = []
    for k in range(12):
        a = s0.copy()
        if k:
            a.positions += rng.normal(0, 0.05, a.positions.shape)
        path = push_apart_path(a, d0=rng.uniform(1.25, 1.5))
        frames += [(p, "i4502_pushapart") for p in path]
        if path:
            relax_starts.append(path[-1])
    for a in relax_starts[:8]:
        # relaxation frames (robust SCF settings; every frame is re-labelled below anyway)
        _, path = relax_tblite(a, fmax=0.05, steps=150, record_every=4, robust=True)
        frames += [(p, "i4502_relax_path") for p in path]
    log(f"  H2O3 (issue 4502): {len(frames)} frames so far ({time.time() - t0:.1f}s)")
    return frames


def write_system(path, frames, energies, forces, energy_name="energy.npy"):
    os.makedirs(os.path.join(path, "set.000"), exist_ok=True)
    symbols = frames[0].get_chemical_symbols()
    types = [TYPE_MAP.index(s) for s in symbols]
    with open(os.path.join(path, "type.raw"), "w") as fh:
        fh.write("\n".join(map(str, types)) + "\n")
    with open(os.path.join(path, "type_map.raw"), "w") as fh:
        fh.write("\n".join(TYPE_MAP) + "\n")
    open(os.path.join(path, "nopbc"), "w").close()
    nf = len(frames)
    coord = np.array([a.get_positions() for a in frames]).reshape(nf, -1)
    box = np.tile((20.0 * np.eye(3)).ravel(), (nf, 1))
    np.save(os.path.join(path, "set.000", "coord.npy"), coord)
    np.save(os.path.join(path, "set.000", "box.npy"), box)
    np.save(os.path.join(path, "set.000", energy_name), np.asarray(energies))
    np.save(os.path.join(path, "set.000", "force.npy"), np.asarray(forces).reshape(nf, -1))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "data"))
    ap.add_argument("--seed", type=int, default=20261126)
    args = ap.parse_args(argv)
    rng = np.random.default_rng(args.seed)

    def log(msg):
        print(msg, flush=True)

    t0 = time.time()
    log("building configurations ...")
    frames = build_frames(rng, log)
    log(f"{len(frames)} configurations; labelling with GFN2-xTB (tblite) ...")
    lab = Labeler()
    groups: dict[tuple[str, str], list] = {}
    tag_counts: dict[str, int] = {}
    for a, tag in frames:
        res = lab.label(a, tag)
        if res is None:
            continue
        e, f = res
        fmax = float(np.linalg.norm(f, axis=1).max())
        cls = "compressed" if (min_dist_ratio(a) < 0.75 or fmax > 8.0) else "eq"
        key = (a.get_chemical_formula(mode="hill"), cls)
        g = groups.setdefault(key, [])
        assert not g or g[0][0].get_chemical_symbols() == a.get_chemical_symbols()
        g.append((a, e, f))
        tag_counts[tag] = tag_counts.get(tag, 0) + 1

    if os.path.exists(args.out):
        import shutil

        shutil.rmtree(args.out)
    summary = {"train": {}, "valid": {}}
    for (key, cls), items in sorted(groups.items()):
        idx = rng.permutation(len(items))
        n_val = int(round(VALID_FRACTION * len(items))) if len(items) >= 8 else 0
        splits = {"valid": idx[:n_val], "train": idx[n_val:]}
        for split, ii in splits.items():
            if len(ii) == 0:
                continue
            sel = [items[i] for i in sorted(ii)]
            path = os.path.join(args.out, split, cls, key)
            # Compressed TRAINING systems are force-only for DeePMD: their energies are
            # stored as energy_ref.npy (not read by dp train, so find_energy=0 and the
            # energy loss is masked for them). Their energies are tens-hundreds of eV
            # above equilibrium and otherwise dominate the energy loss and the per-type
            # energy bias. Validation systems keep energy.npy.
            ename = "energy_ref.npy" if (split == "train" and cls == "compressed") else "energy.npy"
            write_system(path, [s[0] for s in sel], [s[1] for s in sel], [s[2] for s in sel], ename)
            summary[split][f"{cls}/{key}"] = len(sel)
    stats = {
        "n_configurations": len(frames),
        "n_labelled": lab.n_ok,
        "n_converged_after_retry": lab.n_retry_ok,
        "n_dropped_unconverged": lab.n_dropped,
        "dropped_by_tag": lab.dropped_by_tag,
        "kept_by_tag": tag_counts,
        "systems": summary,
        "n_train": sum(summary["train"].values()),
        "n_valid_eq": sum(v for k, v in summary["valid"].items() if k.startswith("eq/")),
        "n_valid_compressed": sum(v for k, v in summary["valid"].items() if k.startswith("compressed/")),
        "seed": args.seed,
        "wall_s": round(time.time() - t0, 1),
    }
    with open(os.path.join(args.out, "stats.json"), "w") as fh:
        json.dump(stats, fh, indent=1, sort_keys=True)
    log(json.dumps(stats, indent=1, sort_keys=True))


if __name__ == "__main__":
    sys.exit(main())
