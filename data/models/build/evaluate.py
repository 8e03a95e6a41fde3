#!/usr/bin/env python
"""Evaluate the frozen structcheck DPA2 model against the held-out tblite labels.

Uses deepmd.calculator.DP (the same ASE calculator structcheck uses) on every
frame of data/valid/{eq,compressed}/* (and, for reference, the training split),
and writes data/models/metrics.json with
  energy RMSE per atom (eV/atom) and force RMSE (eV/A, over all components).
Energies are compared directly (the model's per-type bias is part of the model).

Usage: OMP_NUM_THREADS=1 python evaluate.py [--model ../structcheck-dpa2-HO.pth]
"""
from __future__ import annotations

import argparse
import glob
import json
import os
import sys
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("DP_INTRA_OP_PARALLELISM_THREADS", "1")
os.environ.setdefault("DP_INTER_OP_PARALLELISM_THREADS", "1")

import numpy as np
import torch

torch.set_num_threads(1)
try:
    torch._C._set_graph_executor_optimize(False)
except Exception:  # pragma: no cover
    pass

from ase import Atoms
from deepmd.calculator import DP

HERE = os.path.dirname(os.path.abspath(__file__))


def load_system(path):
    tmap = open(os.path.join(path, "type_map.raw")).read().split()
    types = np.loadtxt(os.path.join(path, "type.raw"), dtype=int, ndmin=1)
    symbols = [tmap[t] for t in types]
    s = os.path.join(path, "set.000")
    coord = np.load(os.path.join(s, "coord.npy")).reshape(-1, len(types), 3)
    ename = "energy.npy" if os.path.exists(os.path.join(s, "energy.npy")) else "energy_ref.npy"
    energy = np.load(os.path.join(s, ename)).reshape(-1)
    force = np.load(os.path.join(s, "force.npy")).reshape(-1, len(types), 3)
    return symbols, coord, energy, force


def evaluate_split(calc, root):
    de, df, nat, fmax_lab, per_sys = [], [], [], [], {}
    for path in sorted(glob.glob(os.path.join(root, "*"))):
        if not os.path.isfile(os.path.join(path, "type.raw")):
            continue
        symbols, coord, energy, force = load_system(path)
        n = len(symbols)
        e_err, f_err = [], []
        for x, e, f in zip(coord, energy, force):
            a = Atoms(symbols, positions=x, pbc=False)
            a.calc = calc
            e_pred = a.get_potential_energy()
            f_pred = a.get_forces()
            e_err.append((e_pred - e) / n)
            f_err.append((f_pred - f).ravel())
            fmax_lab.append(np.linalg.norm(f, axis=1).max())
        de += e_err
        df += f_err
        nat.append(n)
        per_sys[os.path.basename(path)] = {
            "n_frames": len(energy),
            "energy_rmse_per_atom_eV": float(np.sqrt(np.mean(np.square(e_err)))),
            "force_rmse_eV_per_A": float(np.sqrt(np.mean(np.square(np.concatenate(f_err))))),
        }
    if not de:
        return None
    df = np.concatenate(df)
    return {
        "n_frames": len(de),
        "energy_rmse_per_atom_eV": float(np.sqrt(np.mean(np.square(de)))),
        "energy_mae_per_atom_eV": float(np.mean(np.abs(de))),
        "force_rmse_eV_per_A": float(np.sqrt(np.mean(np.square(df)))),
        "force_mae_eV_per_A": float(np.mean(np.abs(df))),
        "label_force_max_median_eV_per_A": float(np.median(fmax_lab)),
        "per_system": per_sys,
    }


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default=os.path.join(HERE, "..", "structcheck-dpa2-HO.pth"))
    ap.add_argument("--data", default=os.path.join(HERE, "data"))
    ap.add_argument("--out", default=os.path.join(HERE, "..", "metrics.json"))
    ap.add_argument("--no-train", action="store_true", help="skip the (slower) training-split numbers")
    args = ap.parse_args(argv)

    calc = DP(model=args.model)
    t0 = time.time()
    metrics = {"model": os.path.basename(args.model), "reference": "GFN2-xTB (tblite), non-periodic"}
    splits = [("valid_eq", "valid/eq"), ("valid_compressed", "valid/compressed")]
    if not args.no_train:
        splits += [("train_eq", "train/eq"), ("train_compressed", "train/compressed")]
    for name, sub in splits:
        r = evaluate_split(calc, os.path.join(args.data, sub))
        metrics[name] = r
        if r:
            print(
                f"{name:18s} n={r['n_frames']:5d}  E_rmse={r['energy_rmse_per_atom_eV']:.4f} eV/atom"
                f"  F_rmse={r['force_rmse_eV_per_A']:.4f} eV/A  (F_mae={r['force_mae_eV_per_A']:.4f})"
            )
    metrics["eval_wall_s"] = round(time.time() - t0, 1)
    with open(args.out, "w") as fh:
        json.dump(metrics, fh, indent=1, sort_keys=True)
    print("wrote", os.path.abspath(args.out))


if __name__ == "__main__":
    sys.exit(main())
