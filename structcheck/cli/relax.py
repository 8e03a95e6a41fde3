"""`structcheck relax`: one DPA2 + LBFGS run with its provenance record, or a multi-start search (--starts)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from ..dp.calculator import TOY_CALCULATORS, toy_factory
from ..dp.relax import PeriodicityWarning, RelaxRefused, relax
from ..dp.run import CELL_FILTERS, DEFAULT_FMAX, DEFAULT_STEPS, ENERGY_ROSE
from ..dp.runtime import DEFAULT_CPU_THREADS, DeepmdUnavailable
from ..outputs import shown
from .options import UsageError, add_output_arguments, output_plan, positive_float, quiet_library_logs


def add_relax_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("start", help="the start structure (any format ASE reads; the first frame is used)")
    p.add_argument("--model", metavar="PATH",
                   help="DeePMD-kit model (.pth; default: the shipped DPA2 H/O demonstration model)")
    p.add_argument("--head", help="the head of a multi-task model")
    p.add_argument("--fmax", type=positive_float, default=DEFAULT_FMAX, metavar="EV_PER_A",
                   help=f"LBFGS convergence: largest atomic force below this, eV/Å (default {DEFAULT_FMAX})")
    p.add_argument("--steps", type=int, default=DEFAULT_STEPS,
                   help=f"at most this many LBFGS steps (default {DEFAULT_STEPS}); exit 1 if not converged")
    p.add_argument("-o", "--output", metavar="FILE",
                   help="final structure, extxyz (default: <start stem>.relaxed.extxyz in the current "
                        "folder); the provenance record goes beside it as <stem>.provenance.json")
    p.add_argument("--trajectory", metavar="FILE", help="write every LBFGS step to this ASE .traj file")
    p.add_argument("--prerelax", action="store_true",
                   help="repair the start with `structcheck fix` first (close contacts, overlaps, "
                        "over-coordination; least movement) and relax it only if it then lints clean")
    p.add_argument("--preopt", choices=("gfn2", "gfn1"),
                   help="relax the accepted start with GFN2-xTB (or GFN1-xTB) through tblite first (molecules of "
                        "at most 200 atoms, 3000 K electronic temperature, SCF fall-backs; recorded in the "
                        "provenance); needs structcheck[preopt]")
    p.add_argument("--deterministic", action="store_true",
                   help="deterministic PyTorch algorithms, CUBLAS_WORKSPACE_CONFIG, fixed threads: "
                        "bitwise-repeatable on the same hardware and versions")
    p.add_argument("--force", action="store_true",
                   help="run even when the pre-flight check fails (recorded as forced)")
    p.add_argument("--threads", type=int, metavar="N",
                   help=f"torch intra-op threads (default {DEFAULT_CPU_THREADS}, or "
                        "$DP_INTRA_OP_PARALLELISM_THREADS)")
    p.add_argument("--device", choices=("cpu", "cuda"), help="default: CUDA when available, else CPU")
    p.add_argument("--format-in", metavar="FMT", help="input format (ASE name)")
    p.add_argument("--cell-filter", choices=sorted(CELL_FILTERS), metavar="{frechet,unitcell}",
                   help="relax the cell too (periodic structures): frechet = ASE's FrechetCellFilter, "
                        "unitcell = UnitCellFilter; the record gives the initial and final cell")
    p.add_argument("--calculator", choices=("dp", *TOY_CALCULATORS), default="dp",
                   help="dp: the DeePMD-kit model (default); emt, morse, lj: ASE's toy calculators "
                        "(no model, no type map: to try a pipeline, not for science)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress display even on a terminal")
    add_output_arguments(p)
    add_multistart_arguments(p)


def _default_output(start: Path) -> Path:
    """<start stem>.relaxed.extxyz in the current folder (never the input itself)."""
    return Path.cwd() / f"{start.stem}.relaxed.extxyz"


def run_relax(args) -> int:
    from ..findings import format_text
    from ..io import ReadError, read_one
    from ..models import ModelError

    if args.fmax <= 0:
        raise UsageError("--fmax must be > 0 eV/Å")
    if args.steps < 0:
        raise UsageError("--steps must be >= 0")
    if args.threads is not None and args.threads < 1:
        raise UsageError("--threads must be >= 1")
    if getattr(args, "starts", 0):
        return run_relax_multistart(args)
    start = Path(args.start)
    out = Path(args.output) if args.output else _default_output(start)
    _claim_outputs(args, start, out)
    try:
        atoms = read_one(str(start), args.format_in)
    except (ReadError, OSError) as exc:
        print(f"structcheck: error: {exc}", file=sys.stderr)
        return 2

    quiet_library_logs()
    tty = sys.stderr.isatty() and not args.quiet
    callback = None
    if tty:
        print(f"{'step':>6} {'energy (eV)':>16} {'fmax (eV/Å)':>12}", file=sys.stderr)

        def callback(step, e, m):
            print(f"{step:>6} {e:>16.6f} {m:>12.4f}", file=sys.stderr, flush=True)

    calc_name = getattr(args, "calculator", "dp") or "dp"
    if calc_name != "dp" and args.model:
        raise UsageError("--model and --calculator do not combine (the model is the dp calculator)")
    cell_filter = getattr(args, "cell_filter", None)
    if cell_filter and not atoms.pbc.any():
        raise UsageError(f"{start}: --cell-filter relaxes the cell of a periodic structure; this one has no "
                         "periodic direction (pbc=False)")
    import warnings

    try:
        with warnings.catch_warnings():  # the record's warnings are printed below, once
            warnings.simplefilter("ignore", PeriodicityWarning)
            res = relax(atoms, model=args.model, fmax=args.fmax, steps=args.steps, prerelax=args.prerelax,
                        deterministic=args.deterministic, force=args.force, head=args.head,
                        trajectory=args.trajectory, output=out, input_path=start, threads=args.threads,
                        device=args.device, callback=callback, cell_filter=cell_filter,
                        calculator=None if calc_name == "dp" else toy_factory(calc_name)(),
                        command={k: v for k, v in vars(args).items() if not callable(v)},
                        preopt=getattr(args, "preopt", None))
    except RelaxRefused as exc:
        for f in exc.all_findings:
            print(format_text(f.at(path=str(start))))
        print(f"structcheck: {exc.reason}", file=sys.stderr)
        return 1
    except (ModelError, DeepmdUnavailable) as exc:
        print(f"structcheck: error: {exc}", file=sys.stderr)
        return 2
    for w in res.warnings:
        print(f"warning: {w}", file=sys.stderr)
    r = res.provenance["run"]
    state = f"converged in {res.steps} steps" if res.converged else \
        f"NOT converged within {res.steps} steps (fmax {res.fmax[-1]:.4g} > {args.fmax:g} eV/Å)"
    forced = " [forced past pre-flight errors]" if res.provenance["preflight"]["forced"] else ""
    pre = " after the lint-clean repair" if res.provenance["preflight"]["prerelax"] is not None else ""
    po = res.provenance["preflight"].get("preopt")
    if po and "method" in po and "refused" not in po:
        pre += (f" and {po['method']} pre-optimisation ({po['steps']} BFGS steps, largest move "
                f"{po['max_displacement_A']:.3f} Å)")
    print(f"{shown(start)}: {state}{pre}{forced}: E = {res.energies[-1]:.6f} eV "
          f"(ΔE = {r['energy_change_eV']:+.6f} eV), fmax = {res.fmax[-1]:.4g} eV/Å")
    if cell_filter and "cell" in r:
        c = r["cell"]
        print(f"cell: {c['volume_initial_A3']:.4f} -> {c['volume_final_A3']:.4f} Å^3 "
              f"({c['volume_change_percent']:+.2f} %), lengths {_lengths(c['initial_A'])} -> "
              f"{_lengths(c['final_A'])} Å")
    if r["energy_rose"]:
        print(f"warning: {ENERGY_ROSE}", file=sys.stderr)
    print(f"wrote {shown(out)} and {shown(res.provenance_file)}" + (f" and {shown(args.trajectory)}" if args.trajectory else ""))
    return 0 if res.converged else 1


def _claim_outputs(args, start: Path, out: Path):
    """Every file relax writes, checked before the start is read or a model loaded: none may be
    the start, the model or another output; none may exist without --force-overwrite."""
    from ..dp.provenance import provenance_path
    from ..models import default_model_path

    plan = output_plan(args, [str(start)])
    if not args.model:
        try:
            plan.add_input(default_model_path(), "model")
        except Exception:  # noqa: BLE001 - no shipped model: the run reports it
            pass
    plan.claim(out, "final structure")
    plan.claim(provenance_path(out), "provenance record")
    if getattr(args, "trajectory", None):
        plan.claim(args.trajectory, "trajectory")
    return plan


def _lengths(cell) -> str:
    return " ".join(f"{x:.4f}" for x in np.linalg.norm(np.asarray(cell), axis=1))


def add_multistart_arguments(p: argparse.ArgumentParser) -> None:
    """``--starts`` and ``--rattle`` for ``structcheck relax``."""
    p.add_argument("--starts", type=int, default=0, metavar="N",
                   help="multi-start search: relax N sane rattled copies of the start (each linted) and "
                        "report the distinct minima; the lowest is written to -o")
    p.add_argument("--rattle", type=positive_float, default=0.05, metavar="Å",
                   help="Gaussian rattle per coordinate of each start, Å (default 0.05; with --starts)")
    p.add_argument("--rattle-seed", type=int, default=0, metavar="SEED",
                   help="seed of the rattles (default 0; with --starts)")


def run_relax_multistart(args) -> int:
    """``structcheck relax START --starts N --rattle S``: exit 0 when the lowest minimum's
    relaxation converged, 1 when it did not or the start cannot give sane rattles."""
    import datetime as dt
    import time

    from ase.io import write

    from ..dp.calculator import dp_factory
    from ..dp.multistart import format_multistart, multistart, sane_rattles
    from ..dp.provenance import base_record, model_record, provenance_path, write_record
    from ..dp.relax import model_periodicity, periodicity_warnings
    from ..dp.runtime import runtime_record, runtime_settings
    from ..guard import _config, prepare_start
    from ..io import ReadError, read_one
    from ..models import ModelError, default_model_path, model_type_map

    if args.starts < 1:
        raise UsageError("--starts must be >= 1")
    if args.rattle <= 0:
        raise UsageError("--rattle must be > 0 Å")
    if getattr(args, "cell_filter", None) or (getattr(args, "calculator", "dp") or "dp") != "dp":
        raise UsageError("--starts runs the DeePMD-kit model on fixed cells: --cell-filter and --calculator "
                         "are for a single relax")
    t0 = time.perf_counter()
    created = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    start = Path(args.start)
    out = Path(args.output) if args.output else Path.cwd() / f"{start.stem}.relaxed.extxyz"
    plan = _claim_outputs(args, start, out)
    try:
        atoms = read_one(str(start), getattr(args, "format_in", None))
    except (OSError, ReadError) as exc:
        print(f"structcheck: error: {exc}", file=sys.stderr)
        return 2
    model = Path(args.model) if args.model else default_model_path()
    try:
        type_map = model_type_map(model)
    except ModelError as exc:
        print(f"structcheck: error: {exc}", file=sys.stderr)
        return 2
    config = _config("dpa2-preflight", str(model), {"type_map": ",".join(type_map)})
    given = atoms
    periodic = model_periodicity(model)
    warned = periodicity_warnings(atoms, periodic, False)
    for w in warned:
        print(f"warning: {w}", file=sys.stderr)
    try:  # the same pre-flight policy as a single relax (a multi-start cannot be --force-d)
        atoms, pre = prepare_start(atoms, config, prerelax=getattr(args, "prerelax", False),
                                   preopt=getattr(args, "preopt", None))
    except RelaxRefused as exc:
        print(f"structcheck: {start}: {exc.reason}", file=sys.stderr)
        return 1
    say = (lambda m: None) if getattr(args, "quiet", False) else (lambda m: print(m, file=sys.stderr, flush=True))
    try:
        sane_rattles(atoms, 1, args.rattle, args.rattle_seed, config=config)  # refuse before loading a model
    except ValueError as exc:
        print(f"structcheck: {start}: {exc}", file=sys.stderr)
        return 1
    t_pre = time.perf_counter()
    try:
        with runtime_settings(threads=getattr(args, "threads", None), deterministic=args.deterministic,
                              device=getattr(args, "device", None)) as settings:
            dp = dp_factory(model, head=args.head)
            made: list = []

            def factory():
                made.append(dp())
                return made[-1]

            t_loaded = time.perf_counter()
            res = multistart(atoms, factory, starts=args.starts, rattle=args.rattle, seed=args.rattle_seed,
                             fmax=args.fmax, steps=args.steps, config=config, progress=say)
            t_run = time.perf_counter()
            runtime = runtime_record(args.deterministic, settings.get("notes", ()))
    except (ModelError, DeepmdUnavailable) as exc:
        print(f"structcheck: error: {exc}", file=sys.stderr)
        return 2
    except ValueError as exc:
        print(f"structcheck: {start}: {exc}", file=sys.stderr)
        return 1
    best = res.best.copy()
    best.info["structcheck_multistart_minimum"] = 0
    with plan.path(out, "final structure") as tmp:
        write(str(tmp), best, format="extxyz")
    first = res.runs[0]
    record = base_record(
        "multistart", created=created, command={k: v for k, v in vars(args).items() if not callable(v)},
        start=given, input_path=start,
        model=model_record(model, shipped=not args.model, type_map=type_map, head=args.head, calc=made[0],
                           periodic=periodic),
        parameters={"fmax_eV_per_A": args.fmax, "steps": args.steps, "deterministic": args.deterministic,
                    "prerelax": bool(getattr(args, "prerelax", False)), "preopt": getattr(args, "preopt", None),
                    "starts": args.starts,
                    "rattle_A": args.rattle, "seed": args.rattle_seed, "optimizer": "ase.optimize.LBFGS",
                    "optimizer_parameters": first.optimizer["parameters"] if first.optimizer else None,
                    "cell_filter": None, "threads": getattr(args, "threads", None),
                    "device": getattr(args, "device", None), "profile": "dpa2-preflight",
                    "output": str(out)},
        runtime=runtime, preflight=pre, warnings_=warned,
        timings={"read_and_preflight": round(t_pre - t0, 5), "calculator_load": round(t_loaded - t_pre, 5),
                 "lbfgs": round(t_run - t_loaded, 5)})
    record["multistart"] = res.to_dict()
    record["output"] = {"final": str(out), "provenance": str(provenance_path(out))}
    record["timings_s"]["record_and_output"] = round(time.perf_counter() - t_run, 5)
    record["total_seconds"] = round(time.perf_counter() - t0, 4)
    prov = provenance_path(out)
    write_record(record, prov)
    print(format_multistart(res))
    print(f"wrote {shown(out)} (lowest minimum) and {shown(prov)}")
    ibest = int(np.argmin(res.final_energies))
    return 0 if res.runs[ibest].converged else 1
