"""`structcheck.fix` time as a ratio to one `structcheck.lint` of the same structure (issue 3).

Run (from the repository root):

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/bench_fix.py            # 10,000 and 100,000 atoms (~15 s)
    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/bench_fix.py --quick    # 10,000 atoms only

Structures: a rattled periodic diamond-Si supercell (Si-Si 2.35 Å) in which ``--contacts``
(default 3 %) of the atoms are each moved to 0.45-0.6 × (r_i + r_j) = 1.0-1.33 Å from a
neighbour (the close-contact threshold is 0.70 × 2.22 = 1.55 Å). Both measurements run in
this process on the same Atoms, interleaved and repeated (median), the lint with its
default rules (what `structcheck lint` runs). Printed: the ratio fix / lint, the number
of contacts before and after, optimizer steps and the displacement of the atoms that had no
contact.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np


def structure(n_target: int, fraction: float, seed: int = 0):
    from ase.build import bulk

    from structcheck.neighbors import half_pairs

    rng = np.random.default_rng(seed)
    rep = max(1, round((n_target / 8) ** (1 / 3)))
    a = bulk("Si", "diamond", a=5.43, cubic=True).repeat(rep)
    a.positions += rng.normal(0, 0.03, a.positions.shape)
    p = half_pairs(a.positions, a.cell.array, a.pbc, 2.6)
    partner = {}
    for i, j, s in zip(p.i, p.j, p.shift):
        partner.setdefault(int(i), (int(j), s))
    moved: set[int] = set()
    chosen = rng.permutation(len(a))
    count = 0
    for i in chosen:
        if count >= fraction * len(a):
            break
        if int(i) not in partner:
            continue
        j, s = partner[int(i)]
        if i in moved or j in moved:
            continue
        v = a.positions[i] - (a.positions[j] + s @ a.cell.array)
        d = rng.uniform(0.45, 0.6) * 2 * 1.11
        a.positions[i] = a.positions[j] + s @ a.cell.array + d * v / np.linalg.norm(v)
        moved.update((int(i), j))
        count += 1
    return a, np.array(sorted(moved))


def timed_fix(a, repeats: int):
    """lint and fix of the same Atoms, interleaved ``repeats`` times (imports and caches warmed
    first): (findings before, fixed atoms, fix report, median lint s, median fix s)."""
    import structcheck
    from structcheck.repair.fix import fix

    structcheck.lint(a)  # warm imports and caches
    fix(a[:64])
    t_lint, t_fix = [], []
    for _ in range(repeats):
        t0 = time.perf_counter()
        before = structcheck.lint(a)
        t_lint.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        fixed, report = fix(a)
        t_fix.append(time.perf_counter() - t0)
    return before, fixed, report, statistics.median(t_lint), statistics.median(t_fix)


def measure(n: int, fraction: float, repeats: int) -> None:
    import structcheck

    a, _moved = structure(n, fraction)
    before, fixed, report, lint_s, fix_s = timed_fix(a, repeats)
    contacts = [f for f in before if f.name == "close-contact"]
    after = structcheck.lint(fixed, select=["close-contact", "overlapping-atoms"])
    disp = np.linalg.norm(fixed.positions - a.positions, axis=1)
    contact_atoms = np.unique([k for f in contacts for k in f.atoms])
    others = np.delete(disp, contact_atoms)
    print(f"{len(a):>7} atoms, {len(contacts)} close contacts ({len(contact_atoms) / len(a):.1%} of atoms): "
          f"fix / lint = {fix_s / lint_s:5.2f}  (median of {repeats}; lint {lint_s:.3f} s, fix {fix_s:.3f} s)")
    print(f"         after: {len(after)} contact finding(s); {report.steps} LBFGS steps in {report.rounds} "
          f"round(s); largest displacement {report.max_displacement:.3f} Å; atoms without a contact: "
          f"{(others > 0).sum()} moved, at most {others.max():.4f} Å")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="skip the 100,000-atom structure")
    ap.add_argument("--contacts", type=float, default=0.03, help="fraction of atoms moved into a contact")
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    measure(10_000, args.contacts, args.repeats)
    if not args.quick:
        measure(100_000, args.contacts, args.repeats)


if __name__ == "__main__":
    main()
