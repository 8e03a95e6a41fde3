"""The lint-clean repair (`structcheck fix`) as a ratio to one `structcheck.lint` (issue 16).

Run (from the repository root):

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/bench_repair.py            # 10,000 and 100,000 atoms
    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/bench_repair.py --quick    # 10,000 atoms only

Structures: bench_fix.py's rattled periodic diamond-Si supercell in which ``--contacts``
(default 3 %) of the atoms are each moved to 0.45-0.6 × (r_i + r_j) from a neighbour; and a
periodic lattice of water molecules (3.1 Å apart) in which 1 % of the molecules (3 % of the
atoms) are pushed 2.28 Å towards a neighbour: over-coordinated O and H. The
lint runs the default rules (what `structcheck lint` runs); fix runs its whole loop (lint,
bond-graph perception, minimum-norm solve, lint again to verify). Printed: fix / lint (median
of the repeats, interleaved), the errors left, and the displacements.
"""

from __future__ import annotations

import argparse

import numpy as np
from bench_fix import structure, timed_fix  # same directory


def water(n_target: int, seed: int = 0):
    from ase import Atoms
    from ase.build import molecule

    w = molecule("H2O")
    k = max(2, round((n_target / 3) ** (1 / 3)))
    g = np.stack(np.meshgrid(*[np.arange(k)] * 3, indexing="ij"), -1).reshape(-1, 3) * 3.1
    a = Atoms("OH2" * len(g), positions=(g[:, None, :] + w.positions[None]).reshape(-1, 3),
              cell=[k * 3.1] * 3, pbc=True)
    rng = np.random.default_rng(seed)
    for m in rng.choice(len(g), max(1, len(g) // 100), replace=False):
        a.positions[3 * m:3 * m + 3] += [2.2, 0.0, 0.6]
    return a, None


def measure(n: int, fraction: float, repeats: int, kind: str = "si") -> None:
    import structcheck

    a, _moved = structure(n, fraction) if kind == "si" else water(n)
    before, fixed, report, lint_s, fix_s = timed_fix(a, repeats)
    errors_before = [f for f in before if f.severity == "error"]
    errors_after = [f for f in structcheck.lint(fixed) if f.severity == "error"]
    print(f"{kind:>5} {len(a):>7} atoms, {len(errors_before)} error findings before: fix / lint = {fix_s / lint_s:5.2f}  "
          f"(median of {repeats}; lint {lint_s:.3f} s, fix {fix_s:.3f} s)")
    print(f"         after: {len(errors_after)} error finding(s), converged {report.converged}; "
          f"{report.steps} L-BFGS-B iterations in {report.rounds} round(s); {len(report.moved_atoms)} atoms moved, "
          f"largest displacement {report.max_displacement:.3f} Å, RMS over all atoms {report.rms_displacement:.4f} Å"
          + ("" if report.converged else f"\n         refused: {report.message}"))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="skip the 100,000-atom structure")
    ap.add_argument("--contacts", type=float, default=0.03, help="fraction of atoms moved into a contact")
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    for kind in ("si", "water"):
        measure(10_000, args.contacts, args.repeats, kind)
        if not args.quick:
            measure(100_000, args.contacts, args.repeats, kind)


if __name__ == "__main__":
    main()
