"""Cost of `structcheck wander` against the plain ASE script it replaces.

Baseline (measured in the same run, same start, same calculator): a bare loop of N x
(fresh calculator, ``LBFGS(atoms, logfile=None).run(fmax, steps)``) with no recording.
Candidate: ``structcheck.teach.wander.wander`` with N replicas (per-step recording, spread, Kabsch
clustering). Prints RATIO = wander / baseline, and the wall time of the whole
`structcheck wander` command (8 replicas, report and plots) for the acceptance figure.

    .venv/bin/python benchmarks/bench_wander.py                 # shipped DPA2 model
    .venv/bin/python benchmarks/bench_wander.py --calculator morse
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
ROOT = Path(__file__).resolve().parents[1]
START = ROOT / "data" / "examples" / "h2o3_report.xyz"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--calculator", default="dp", choices=["dp", "morse", "emt", "lj"])
    ap.add_argument("--replicas", type=int, default=8)
    ap.add_argument("--steps", type=int, default=50)
    ap.add_argument("--fmax", type=float, default=0.05)
    ap.add_argument("--repeat", type=int, default=1)
    a = ap.parse_args()

    from ase.io import read
    from ase.optimize import LBFGS

    from structcheck.models import default_model_path
    from structcheck.dp.calculator import dp_factory, toy_factory
    from structcheck.dp.runtime import runtime_settings
    from structcheck.teach.wander import wander

    runtime_settings().__enter__()  # held for the whole benchmark (this script is its own process)
    factory = dp_factory(default_model_path()) if a.calculator == "dp" else toy_factory(a.calculator)
    atoms = read(START)
    factory()  # import and first-load costs outside both timings

    def baseline():
        for _ in range(a.replicas):
            x = atoms.copy()
            x.calc = factory()
            LBFGS(x, logfile=None).run(fmax=a.fmax, steps=a.steps)

    def candidate():
        wander(atoms, factory, replicas=a.replicas, fmax=a.fmax, steps=a.steps)

    tb, tc = [], []
    for _ in range(a.repeat):
        t = time.perf_counter(); baseline(); tb.append(time.perf_counter() - t)
        t = time.perf_counter(); candidate(); tc.append(time.perf_counter() - t)
    b, c = min(tb), min(tc)
    print(f"baseline  plain LBFGS loop, {a.replicas} x {a.steps} steps ({a.calculator}): {b:.2f} s")
    print(f"candidate wander()                                          : {c:.2f} s")
    print(f"RATIO wander/plain-LBFGS-loop = {c / b:.3f}")
    with tempfile.TemporaryDirectory() as d:
        cmd = [sys.executable, "-m", "structcheck.cli", "wander", str(START), "--replicas", str(a.replicas),
               "--steps", str(a.steps), "--fmax", str(a.fmax), "--calculator", a.calculator, "-q", "-o", d]
        t = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        w = time.perf_counter() - t
    print(f"`structcheck wander` command, {a.replicas} replicas, whole process: {w:.2f} s "
          f"(acceptance: < 120 s); RATIO command/plain-LBFGS-loop = {w / b:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
