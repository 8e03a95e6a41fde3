"""Why the lint-clean repair of the 4502 start still wanders: the same repair, rotated (issue 16).

Run (from the repository root; about 3 minutes on one CPU core):

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/repair_orientations.py

The 4502 start's four chain atoms lie on the (1, 1, 1) line, so the minimum-norm repair is
degenerate: rotating it about that line (the lone O4 stays) moves every atom exactly as far
(largest displacement and Σd² unchanged; `fix` picks one rotation through its deterministic
symmetry-breaking kick). Each rotation is run as `structcheck wander` runs a start (8
replicas, 1e-10 Å, 50 LBFGS steps, the shipped DPA2 model, one thread), and so is the same
rotation after the GFN2-xTB pre-optimisation (`fix --preopt gfn2`, repair/preopt.py). Printed
per angle: final spread, minima, replicas converged (and the last step of the second).
"""

from __future__ import annotations

import numpy as np


def main() -> None:
    from ase.io import read
    from scipy.spatial.transform import Rotation

    from structcheck.dp.calculator import dp_factory
    from structcheck.dp.runtime import runtime_settings
    from structcheck.repair.fix import fix
    from structcheck.repair.preopt import preoptimize
    from structcheck.teach.wander import wander

    raw = read("data/examples/h2o3_report.xyz")
    repaired = fix(raw)[0]
    centre, axis = np.full(3, 0.4), np.ones(3) / np.sqrt(3)
    print(f"{'angle':>5} {'max d':>6} {'Σd²':>6} | {'repair: final (Å)':>17} {'minima':>6} {'conv.':>5} | "
          f"{'+ GFN2-xTB: final (Å)':>21} {'minima':>6} {'conv.':>5} {'steps':>5}")
    with runtime_settings(threads=1):
        for deg in range(0, 360, 30):
            a = repaired.copy()
            rot = Rotation.from_rotvec(np.radians(deg) * axis)
            a.positions[:4] = rot.apply(repaired.positions[:4] - centre) + centre  # the lone O4 stays
            d = np.linalg.norm(a.positions - raw.positions, axis=1)
            row = f"{deg:>5} {d.max():>6.3f} {(d**2).sum():>6.3f} |"
            for start in (a, preoptimize(a)[0]):
                r = wander(start, dp_factory(), replicas=8, noise=1e-10, steps=50)
                s = r.summary()
                row += f" {r.final_spread:>17.2e} {r.n_minima:>6} {sum(s['converged']):>5} |"
            print(row + f" {max(s['steps_run']):>5}", flush=True)


if __name__ == "__main__":
    main()
