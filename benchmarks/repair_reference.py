"""`structcheck fix` on the planted-defect corpus vs an independent minimum-norm reference (issue 16).

Run (from the repository root):

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/repair_reference.py

For every case of tests/repair_corpus.py: fix (default profile), then lint the result. The
reference is scipy's SLSQP (a different algorithm from fix's augmented Lagrangian) on the same
problem with the bounds exactly at the linter's thresholds (margin 0): minimise Σ|Δx|² over
every atom within 4 Å of a violated bound, subject to the bounds of fix's bond graph of the
start, from four deterministic starts (x0 plus 0.01 Å kicks), the best kept. Printed per kind:
lint-clean / refused, largest displacement, RMS over moved atoms, and fix's Σd² / the
reference's (1.00: as small as the reference; fix's 0.5 % margin costs a few %).
"""

from __future__ import annotations

import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))


def reference(atoms, config):
    from scipy.optimize import minimize

    from structcheck.linter.engine import lint_atoms
    from structcheck.linter.registry import REGISTRY
    from structcheck.repair.fix import _user_fixed
    from structcheck.repair import graph
    plan = graph.plan

    found = lint_atoms(atoms, config, rules=[REGISTRY["SC105"]])  # not grouped under a root cause
    over = sorted({f.atoms[0] for f in found if f.code == "SC105"})
    fixed = _user_fixed(atoms)
    p = plan(atoms.positions, atoms.numbers, atoms.cell.array, atoms.pbc, config.thresholds, over=over,
             fixed=fixed, margin=0.0)
    b = p.bounds
    x0 = atoms.positions.copy()
    vec = x0[b.j] - x0[b.i] + b.offset
    d = np.linalg.norm(vec, axis=1)
    bad = (d < b.lo) | (d > b.hi)
    seed = np.zeros(len(atoms), bool)
    seed[b.i[bad]] = seed[b.j[bad]] = True
    # a minimum-norm repair moves only atoms near a violated bound
    near = np.zeros(len(atoms), bool)
    for a in np.flatnonzero(seed):
        near |= atoms.get_distances(a, range(len(atoms)), mic=bool(atoms.pbc.any())) < 4.0
    mov = np.flatnonzero(near & ~fixed)
    keep = np.isin(b.i, mov) | np.isin(b.j, mov)
    bi, bj, off, lo, hi = b.i[keep], b.j[keep], b.offset[keep], b.lo[keep], b.hi[keep]
    has_hi = np.isfinite(hi)

    def pos(x):
        q = x0.copy()
        q[mov] = x.reshape(-1, 3)
        return q

    def cons(x):
        q = pos(x)
        dd = np.linalg.norm(q[bj] - q[bi] + off, axis=1)
        return np.concatenate([dd - lo, (hi - dd)[has_hi]])

    best = None
    rng = np.random.default_rng(0)
    for _ in range(4):
        start = (x0[mov] + 0.01 * rng.normal(size=(len(mov), 3))).ravel()
        res = minimize(lambda x: float(((x - x0[mov].ravel()) ** 2).sum()), start,
                       jac=lambda x: 2 * (x - x0[mov].ravel()), method="SLSQP",
                       constraints=[{"type": "ineq", "fun": cons}], options={"maxiter": 500, "ftol": 1e-12})
        if cons(res.x).min() > -1e-6 and (best is None or res.fun < best):
            best = float(res.fun)
    return best


def main() -> None:
    import structcheck
    from repair_corpus import cases
    from structcheck.linter.config import load_config
    from structcheck.repair.fix import FixError, fix

    config = load_config(use_project=False)
    rows = defaultdict(list)
    refused = []
    t0 = time.perf_counter()
    for c in cases():
        try:
            fixed, rep = fix(c.atoms, config=config, **c.kwargs)
        except FixError as exc:
            refused.append((c.name, str(exc)))
            continue
        if not rep.converged:
            refused.append((c.name, rep.message))
            continue
        assert not [f for f in structcheck.lint(fixed) if f.severity == "error"], c.name
        start = c.atoms
        if rep.merged_duplicates:
            start = c.atoms.copy()
            del start[[b for _, b in rep.merged_duplicates]]
        ref = reference(start, config) if rep.sum_sq_displacement > 0 else 0.0
        rms = np.sqrt(rep.sum_sq_displacement / max(len(rep.moved_atoms), 1))
        rows[c.kind].append((c.name, rep.max_displacement, rms, rep.sum_sq_displacement, ref))
    n = sum(len(v) for v in rows.values()) + len(refused)
    print(f"{n} planted defects: {n - len(refused)} lint clean ({(n - len(refused)) / n:.1%}), "
          f"{len(refused)} refused ({time.perf_counter() - t0:.1f} s)")
    print(f"{'kind':<20} {'n':>3} {'max d (Å)':>10} {'RMS moved (Å)':>14} {'Σd² fix/ref: median':>20} {'max':>6}")
    ratios_all = []
    for kind, r in rows.items():
        ratios = [s / ref for _, _, _, s, ref in r if ref]
        ratios_all += ratios
        print(f"{kind:<20} {len(r):>3} {max(x[1] for x in r):>10.3f} {np.sqrt(np.mean([x[2] ** 2 for x in r])):>14.3f} "
              f"{(np.median(ratios) if ratios else float('nan')):>20.3f} {(max(ratios) if ratios else float('nan')):>6.3f}")
    print(f"{'all':<20} {sum(len(v) for v in rows.values()):>3} "
          f"{max(x[1] for v in rows.values() for x in v):>10.3f} "
          f"{np.sqrt(np.mean([x[2] ** 2 for v in rows.values() for x in v])):>14.3f} "
          f"{np.median(ratios_all):>20.3f} {max(ratios_all):>6.3f}")
    worst = sorted(((s / ref, name) for v in rows.values() for name, _, _, s, ref in v if ref), reverse=True)[:3]
    print("largest Σd² ratios: " + ", ".join(f"{name} {x:.3f}" for x, name in worst))
    for name, why in refused:
        print(f"refused {name}: {why}")


if __name__ == "__main__":
    main()
