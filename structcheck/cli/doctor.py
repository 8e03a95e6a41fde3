"""`structcheck doctor`: what is installed, what is missing, the exact commands that fix it."""

from __future__ import annotations

import argparse
import json
import sys


def add_doctor_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--route", choices=("cpu", "gpu"),
                   help="install route to advise (default: gpu when nvidia-smi is on PATH, else cpu)")
    p.add_argument("--json", action="store_true", help="the report as JSON")
    p.add_argument("--no-probe", action="store_true",
                   help="read package metadata only (do not import torch/deepmd-kit in a child process)")
    p.add_argument("--install-deepmd", action="store_true",
                   help="run the shipped installer: deepmd-kit 3.2.0 built from source against the installed "
                        "torch (= python -m structcheck.install_deepmd); --route gpu builds the CUDA variant")


def run_doctor(args) -> int:
    if args.install_deepmd:
        from ..install_deepmd import main as install

        return install(["--cuda"] if args.route == "gpu" else [])
    from ..installation import doctor

    report = doctor(route=args.route, probe=not args.no_probe)
    if args.json:
        sys.stdout.write(json.dumps(report.to_dict(), indent=1) + "\n")
    else:
        sys.stdout.write(str(report) + "\n")
    return 0 if report.relax_ready else 1
