"""Overhead of `structcheck relax` (pre-flight + provenance record) over a plain script.

Baseline, measured in the same run on the same input and model: the plain ASE script a user
would write,

    atoms = read(start); atoms.calc = DP(model)
    LBFGS(atoms, logfile=None, trajectory=traj).run(fmax, steps); write(out, atoms)

Candidate: ``structcheck.relax(start, model, output=out, trajectory=traj)`` (reads the file,
lints it with the dpa2-preflight profile and the model's type map, loads a fresh DP, runs the
same LBFGS recording every step, writes the final structure, hashes the input, model and
output, writes the provenance JSON). Both use the same torch runtime settings (one thread,
TorchScript graph optimisation off; set once, before either runs), so the ratio isolates what
structcheck adds. Repeats in ABBA order; RATIO = candidate / baseline of the fastest run of
each (the least-disturbed on a shared machine) and of the medians; the same for process CPU time
(robust to other processes on a shared machine: both sides are single-threaded); and an
"accounted" ratio, 1 + (structcheck's own stages, from the record's timings: reading and
linting the start, hashing and writing the record and files) / baseline. Target < 1.05.

    .venv/bin/python benchmarks/bench_relax.py                       # shipped model, two starts
    .venv/bin/python benchmarks/bench_relax.py --model my.pth --repeat 7
    .venv/bin/python benchmarks/bench_relax.py --runtime     # threads and TorchScript settings

``--runtime`` measures the settings structcheck chooses, each in a fresh process: the time of
one DP force call with 1 and 2 torch threads, and the first call of a freshly loaded model
with TorchScript's profiling graph executor on (torch default) and off (structcheck), with
the largest difference between the first call's forces and a later call at the same
positions (0 means bitwise identical).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
ROOT = Path(__file__).resolve().parents[1]


def water_cluster(tmp: Path) -> Path:
    """A sane 8-molecule water cluster (a 2x2x2 grid of monomers 2.9 Å apart), slightly rattled."""
    from ase.build import molecule
    from ase.io import write

    w = molecule("H2O")
    atoms = None
    for i in range(2):
        for j in range(2):
            for k in range(2):
                m = w.copy()
                m.translate([2.9 * i, 2.9 * j, 2.9 * k])
                atoms = m if atoms is None else atoms + m
    atoms.rattle(0.03, seed=3)
    atoms.center(vacuum=4.0)
    path = tmp / "water8.xyz"
    write(path, atoms, format="extxyz")
    return path


def runtime_child(model: Path, start: Path, threads: int, optimize: bool, calls: int,
                  deterministic: bool = False) -> None:
    """One fresh process: threads and graph-executor setting first, then load and call."""
    import json

    os.environ.update(OMP_NUM_THREADS=str(threads), DP_INTRA_OP_PARALLELISM_THREADS=str(threads),
                      DP_INTER_OP_PARALLELISM_THREADS="1")
    import numpy as np
    import torch

    torch.set_num_threads(threads)
    torch._C._set_graph_executor_optimize(optimize)
    torch.use_deterministic_algorithms(deterministic)
    from ase.io import read
    from deepmd.calculator import DP

    atoms = read(start)
    calc = DP(str(model))
    rng = np.random.default_rng(0)
    x0 = atoms.positions.copy()

    def forces(pos):
        atoms.positions = pos
        calc.calculate(atoms, ["energy", "forces"])
        return calc.results["forces"].copy()

    t = time.perf_counter()
    f_first = forces(x0)
    first = time.perf_counter() - t
    times = []
    for _ in range(calls):
        p = x0 + rng.normal(scale=0.01, size=x0.shape)
        t = time.perf_counter()
        forces(p)
        times.append(time.perf_counter() - t)
    f_later = forces(x0)
    f_again = forces(x0)
    print(json.dumps({"first_ms": first * 1e3, "median_ms": statistics.median(times) * 1e3,
                      "first_vs_later_max_abs": float(np.abs(f_first - f_later).max()),
                      "later_calls_bitwise_equal": f_later.tobytes() == f_again.tobytes()}))


def runtime_report(model: Path, starts: list[Path], calls: int) -> None:
    import json
    import subprocess

    print(f"runtime settings, each row a fresh process ({calls} force calls; other load on this "
          f"machine: {os.getloadavg()[0]:.1f})")
    print(f"{'start':<12} {'threads':>7} {'graph opt':>9} {'determ.':>7} {'first call ms':>13} {'median ms':>9} "
          f"{'max|F1-Flater| eV/Å':>20} {'later equal':>11}")
    for start in starts:
        for threads, optimize, det in ((1, False, False), (2, False, False), (1, True, False),
                                       (1, False, True)):
            out = subprocess.run([sys.executable, __file__, "--_child", str(model), str(start), str(threads),
                                  str(int(optimize)), str(calls), str(int(det))], capture_output=True, text=True, check=False,
                                 env={**os.environ, "OMP_NUM_THREADS": str(threads)})
            if out.returncode:
                print(f"{start.name}: child failed: {out.stderr.strip().splitlines()[-1:]}")
                continue
            r = json.loads(out.stdout.strip().splitlines()[-1])
            print(f"{start.name:<12} {threads:>7} {'on' if optimize else 'off':>9} {'on' if det else 'off':>7} "
                  f"{r['first_ms']:>13.1f} "
                  f"{r['median_ms']:>9.2f} {r['first_vs_later_max_abs']:>20.3g} "
                  f"{r['later_calls_bitwise_equal']!s:>11}")


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--_child":
        m, st, th, opt, n, det = sys.argv[2:8]
        runtime_child(Path(m), Path(st), int(th), bool(int(opt)), int(n), bool(int(det)))
        return 0
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", type=Path)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--fmax", type=float, default=0.05)
    ap.add_argument("--steps", type=int, default=200)
    ap.add_argument("--runtime", action="store_true", help="measure threads and TorchScript settings")
    ap.add_argument("--calls", type=int, default=50, help="force calls per --runtime row")
    a = ap.parse_args()
    import logging

    logging.getLogger("deepmd").setLevel(logging.ERROR)  # per-load batch-size hints
    if a.runtime:
        from structcheck.models import default_model_path

        tmp = Path(tempfile.mkdtemp(prefix="bench_relax_"))
        runtime_report(a.model or default_model_path(), [ROOT / "data" / "examples" / "water.xyz",
                                                         water_cluster(tmp)], a.calls)
        return 0

    from ase.io import read, write
    from ase.optimize import LBFGS

    import structcheck
    from structcheck.models import default_model_path
    from structcheck.dp.relax import relax
    from structcheck.dp.runtime import runtime_settings

    model = a.model or default_model_path()
    settings = runtime_settings()  # the same runtime for both sides, set before deepmd is imported
    settings.__enter__()  # held for the whole benchmark (this script is its own process)
    from deepmd.calculator import DP

    tmp = Path(tempfile.mkdtemp(prefix="bench_relax_"))
    starts = [ROOT / "data" / "examples" / "water.xyz", water_cluster(tmp)]
    print(f"model {model}; torch threads as structcheck sets them; fmax {a.fmax}, steps {a.steps}; "
          f"{a.repeat} repeats each, ABBA order")
    worst = 0.0
    for start in starts:
        def baseline(start=start):
            atoms = read(start)
            atoms.calc = DP(str(model))
            opt = LBFGS(atoms, logfile=None, trajectory=str(tmp / "b.traj"))
            opt.run(fmax=a.fmax, steps=a.steps)
            write(tmp / "b.extxyz", atoms, format="extxyz")
            return opt.nsteps

        accounted = []

        def candidate(start=start, accounted=accounted):
            res = relax(start, model=model, fmax=a.fmax, steps=a.steps, output=tmp / "c.extxyz",
                        trajectory=tmp / "c.traj")
            t = res.provenance["timings_s"]
            accounted.append(t["read_and_preflight"] + t["record_and_output"])
            return res.steps

        baseline(), candidate()  # warm: imports, first model load, file caches
        times = {baseline: [], candidate: []}
        cpu = {baseline: [], candidate: []}
        steps = {}
        for k in range(a.repeat):  # ABBA order: neither side always runs first
            for side in ((baseline, candidate) if k % 2 == 0 else (candidate, baseline)):
                t, tp = time.perf_counter(), time.process_time()
                steps[side] = side()
                times[side].append(time.perf_counter() - t)
                cpu[side].append(time.process_time() - tp)
        tb, tc, nb, nc = times[baseline], times[candidate], steps[baseline], steps[candidate]
        b, c = min(tb), min(tc)  # the least-disturbed run of each (a shared machine)
        bm, cm = statistics.median(tb), statistics.median(tc)
        cpu_ratio = statistics.median(cpu[candidate]) / statistics.median(cpu[baseline])
        acc_ratio = 1.0 + statistics.median(accounted) / bm
        t = time.perf_counter()
        structcheck.lint(read(start), profile="dpa2-preflight", model=str(model))
        t_lint = time.perf_counter() - t
        worst = max(worst, cpu_ratio)
        print(f"{start.name:<11} steps {nb}/{nc}: plain ASE+DP+LBFGS script {b * 1e3:7.1f} ms, "
              f"structcheck.relax {c * 1e3:7.1f} ms (fastest runs)")
        print(f"{'':<11} RATIO cpu-time {cpu_ratio:.3f} (medians of process CPU time)  wall {c / b:.3f} "
              f"(fastest)  {cm / bm:.3f} (medians)  accounted {acc_ratio:.3f} (1 + structcheck's own "
              f"stages: read+lint {t_lint * 1e3:.1f} ms lint alone, record+files)")
    print(f"worst cpu-time RATIO {worst:.3f} (target < 1.05; wall ratios on a shared machine carry the "
          f"other processes' noise: load {os.getloadavg()[0]:.1f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
