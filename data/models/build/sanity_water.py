#!/usr/bin/env python
"""Sanity check: relax one water molecule with the DP model and with tblite
(GFN2-xTB) from the same start (O-H 0.97 A, H-O-H 104 deg), ASE LBFGS, fmax 0.05,
and compare O-H length / H-O-H angle.  Also times force calls with 1 thread,
checks first-call cost and bitwise repeatability with
torch._C._set_graph_executor_optimize(False), and runs the DeePMD-kit issue
#4502 H2O3 start through a DP relaxation (must stay finite).

Usage: OMP_NUM_THREADS=1 python sanity_water.py [--model ../structcheck-dpa2-HO.pth] [--no-optimize-off]
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("DP_INTRA_OP_PARALLELISM_THREADS", "1")
os.environ.setdefault("DP_INTER_OP_PARALLELISM_THREADS", "1")

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))


def water_start():
    from ase import Atoms

    r, th = 0.97, np.radians(104.0)
    return Atoms(
        "OH2",
        positions=[(0, 0, 0), (r, 0, 0), (r * np.cos(th), r * np.sin(th), 0)],
        pbc=False,
    )


def geom(a):
    d1, d2 = a.get_distance(0, 1), a.get_distance(0, 2)
    return 0.5 * (d1 + d2), a.get_angle(1, 0, 2)


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default=os.path.join(HERE, "..", "structcheck-dpa2-HO.pth"))
    ap.add_argument("--no-optimize-off", action="store_true")
    ap.add_argument("--out", default=None)
    args = ap.parse_args(argv)

    torch.set_num_threads(1)
    if not args.no_optimize_off:
        torch._C._set_graph_executor_optimize(False)
    from ase import Atoms
    from ase.optimize import LBFGS
    from deepmd.calculator import DP
    from tblite.ase import TBLite

    res = {"graph_executor_optimize": bool(args.no_optimize_off)}
    calc = DP(model=args.model)
    a = water_start()
    # first / repeated calls: timing and bitwise repeatability
    times, forces = [], []
    for k in range(12):
        calc.reset()
        t = time.perf_counter()
        calc.calculate(a, ["energy", "forces"])
        times.append(time.perf_counter() - t)
        forces.append(calc.results["forces"].copy())
    res["first_call_s"] = times[0]
    res["second_call_s"] = times[1]
    res["median_call_s_after_3"] = float(np.median(times[3:]))
    res["max_abs_force_diff_first_vs_last"] = float(np.abs(forces[0] - forces[-1]).max())
    res["bitwise_identical_all_calls"] = bool(all(np.array_equal(forces[0], f) for f in forces))
    res["bitwise_identical_calls_3_on"] = bool(all(np.array_equal(forces[3], f) for f in forces[3:]))

    out = {}
    for name, c in (("dp", DP(model=args.model)), ("tblite", TBLite(method="GFN2-xTB", verbosity=0))):
        w = water_start()
        w.calc = c
        opt = LBFGS(w, logfile=None)
        t = time.perf_counter()
        opt.run(fmax=0.05, steps=200)
        d, ang = geom(w)
        out[name] = {"O-H": d, "HOH": ang, "steps": opt.nsteps, "wall_s": time.perf_counter() - t,
                     "fmax": float(np.linalg.norm(w.get_forces(), axis=1).max())}
    res["water"] = out
    res["dOH_A"] = out["dp"]["O-H"] - out["tblite"]["O-H"]
    res["dHOH_deg"] = out["dp"]["HOH"] - out["tblite"]["HOH"]
    res["water_pass"] = bool(abs(res["dOH_A"]) <= 0.02 and abs(res["dHOH_deg"]) <= 3.0)

    # issue 4502 start: DP relaxation must stay finite
    s0 = Atoms("H2O3", positions=[(0.3, 0.3, 0.3), (0.5, 0.5, 0.5), (0.7, 0.7, 0.7), (0.1, 0.1, 0.1), (0.6, 2.5, 3.7)], cell=[5, 5, 5])
    s0.calc = DP(model=args.model)
    e0 = s0.get_potential_energy()
    f0 = float(np.linalg.norm(s0.get_forces(), axis=1).max())
    opt = LBFGS(s0, logfile=None, maxstep=0.2)
    opt.run(fmax=0.05, steps=300)
    f1 = np.linalg.norm(s0.get_forces(), axis=1).max()
    d = s0.get_all_distances()
    res["issue4502"] = {"E0": float(e0), "fmax0": f0, "E_final": float(s0.get_potential_energy()),
                        "fmax_final": float(f1), "steps": opt.nsteps,
                        "min_dist_final": float(d[np.triu_indices(5, 1)].min()),
                        "finite": bool(np.isfinite(s0.get_positions()).all() and np.isfinite(f1))}
    # the structcheck pipeline: repulsive push-apart first (min distance >= 1.0 A),
    # then relax; compare DP with tblite (robust SCF settings) from the same start
    sys.path.insert(0, HERE)
    from generate import Labeler, push_apart_path

    start = Atoms("H2O3", positions=[(0.3, 0.3, 0.3), (0.5, 0.5, 0.5), (0.7, 0.7, 0.7), (0.1, 0.1, 0.1), (0.6, 2.5, 3.7)])
    pushed = push_apart_path(start, thresholds=(1.0,), d0=1.3)[-1]
    pa = {}
    for name, c in (("dp", DP(model=args.model)), ("tblite", Labeler._calc(True))):
        a = pushed.copy()
        a.calc = c
        opt = LBFGS(a, logfile=None, maxstep=0.2)
        try:
            opt.run(fmax=0.05, steps=300)
            d = a.get_all_distances()[np.triu_indices(5, 1)]
            pa[name] = {"steps": opt.nsteps, "fmax": float(np.linalg.norm(a.get_forces(), axis=1).max()),
                        "min_dist": float(d.min()), "sorted_dists": [round(float(x), 3) for x in sorted(d)],
                        "positions": np.round(a.get_positions(), 3).tolist()}
        except Exception as e:  # tblite SCF failure
            pa[name] = {"error": str(e)}
    if "positions" in pa.get("dp", {}):
        b = Atoms("H2O3", positions=pa["dp"]["positions"])
        b.calc = Labeler._calc(True)
        try:
            pa["tblite_fmax_at_dp_minimum"] = float(np.linalg.norm(b.get_forces(), axis=1).max())
        except Exception as e:
            pa["tblite_fmax_at_dp_minimum"] = str(e)
    res["issue4502_pushed_apart"] = pa

    # DP-only robustness: relax from push-apart snapshots at several minimum distances,
    # and from uniformly compressed water
    th = (0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)
    rob = {}
    for a, t in zip(push_apart_path(start, thresholds=th, d0=1.3), th):
        a.calc = DP(model=args.model)
        opt = LBFGS(a, logfile=None, maxstep=0.2)
        opt.run(fmax=0.05, steps=300)
        d = a.get_all_distances()[np.triu_indices(5, 1)]
        rob[f"H2O3_pushed_to_{t}"] = {"steps": opt.nsteps, "min_dist_final": float(d.min()),
                                      "fmax_final": float(np.linalg.norm(a.get_forces(), axis=1).max())}
    for sc in (0.5, 0.6, 0.7):
        w = water_start()
        w.positions *= sc
        w.calc = DP(model=args.model)
        opt = LBFGS(w, logfile=None, maxstep=0.2)
        opt.run(fmax=0.05, steps=300)
        d, ang = geom(w)
        rob[f"H2O_scaled_{sc}"] = {"steps": opt.nsteps, "O-H": d, "HOH": ang}
    res["dp_relax_robustness"] = rob
    print(json.dumps(res, indent=1))
    if args.out:
        with open(args.out, "w") as fh:
            json.dump(res, fh, indent=1)


if __name__ == "__main__":
    sys.exit(main())
