"""`structcheck wander`: the teaching experiment from the command line (report.json/md, plots, finals)."""

from __future__ import annotations

import argparse
import json
import sys
from contextlib import ExitStack
from pathlib import Path

from ase.calculators.calculator import CalculationFailed

from ..dp.calculator import TOY_CALCULATORS, dp_factory, toy_factory
from ..dp.provenance import sha256_file, versions
from ..dp.run import OPTIMIZERS
from ..dp.runtime import DeepmdUnavailable, runtime_record, runtime_settings
from ..teach.metrics import DEFAULT_ENERGY_TOL, DEFAULT_RMSD_TOL
from ..teach.plots import plot_energy, plot_spread
from ..teach.wander import DEFAULT_FMAX, DEFAULT_NOISE, DEFAULT_STEPS, format_markdown, format_table, wander
from ..outputs import shown
from .options import UsageError, add_output_arguments, nonneg_float, output_plan, positive_float, quiet_library_logs


def add_wander_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("start", help="the start structure (any format ASE reads; the first frame is used)")
    p.add_argument("--replicas", type=int, default=8, help="number of relaxations of the same start (default 8)")
    p.add_argument("--noise", type=nonneg_float, default=None, metavar="Å",
                   help=f"every atom of replicas 1..N-1 is moved by exactly this distance in a seeded "
                        f"random direction; replica 0 is unperturbed (default {DEFAULT_NOISE:g}; "
                        "0 with --native-noise)")
    p.add_argument("--fmax", type=positive_float, default=DEFAULT_FMAX, metavar="EV_PER_A",
                   help=f"LBFGS force criterion in eV/Å (default {DEFAULT_FMAX}, as relax; the report used "
                        "1e-6, which its start never reaches in 50 steps, so every replica ran all steps)")
    p.add_argument("--steps", type=int, default=DEFAULT_STEPS,
                   help=f"at most this many LBFGS steps per replica (default {DEFAULT_STEPS}, as the report)")
    p.add_argument("--seed", type=int, default=0, help="seed of the noise directions (default 0)")
    p.add_argument("--model", metavar="PATH", help="DeePMD-kit .pth model (default: the shipped DPA2 H/O model)")
    p.add_argument("--head", help="model head of a multi-task model")
    p.add_argument("--calculator", choices=("dp",) + TOY_CALCULATORS, default="dp",
                   help="dp: the DeePMD-kit model (default); morse, emt, lj: ASE's toy calculators, "
                        "to see how the outcome depends on the potential")
    p.add_argument("--deterministic", action="store_true",
                   help="deterministic PyTorch algorithms and fixed threads: two identical runs agree bitwise")
    p.add_argument("--threads", type=int, metavar="N", help="torch intra-op threads (default 1, as relax)")
    p.add_argument("--device", choices=("cpu", "cuda"), help="default: CUDA when available, else CPU")
    p.add_argument("--native-noise", action="store_true",
                   help="GPU only: no deterministic algorithms and no injected noise unless --noise is given, "
                        "so the hardware's non-deterministic reductions supply the noise")
    p.add_argument("--compare-fixed", action="store_true",
                   help="also run the experiment on the `structcheck fix`-ed start, side by side")
    p.add_argument("--rmsd-tol", type=positive_float, default=DEFAULT_RMSD_TOL, metavar="Å",
                   help=f"final structures closer than this after rigid alignment are one minimum "
                        f"(default {DEFAULT_RMSD_TOL})")
    p.add_argument("--energy-tol", type=positive_float, default=DEFAULT_ENERGY_TOL, metavar="EV",
                   help=f"final energies closer than this are one minimum (default {DEFAULT_ENERGY_TOL})")
    p.add_argument("--optimizer", choices=OPTIMIZERS, default="LBFGS",
                   help="ASE optimizer of every replica (default LBFGS, as the report): the wandering depends on it")
    p.add_argument("--reference", choices=("gfn2",),
                   help="also relax the same replicas with GFN2-xTB (tblite, Fermi smearing at "
                        "--electronic-temperature; needs structcheck[reference]): which part of the "
                        "roughness is the model's extrapolation? Refused when its SCF does not converge")
    p.add_argument("--electronic-temperature", type=positive_float, default=None, metavar="K",
                   help="GFN2-xTB electronic temperature (default 3000 K: compressed starts have no "
                        "converged SCF at tblite's 300 K)")
    p.add_argument("--no-pictures", action="store_true",
                   help="skip the animation, growth-rate and distance pictures (trajectories are still written)")
    p.add_argument("-o", "--output", metavar="DIR", help="output folder (default: wander_<start name>)")
    p.add_argument("--format-in", metavar="FMT", help="input format (ASE name)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress lines, only the table")
    add_output_arguments(p)


def _lint_lines(atoms, type_map) -> list[str]:
    from ..linter.config import load_config
    from ..linter.engine import lint_atoms

    config = load_config(type_map=",".join(type_map) if type_map else None)
    return [f"{f.code} {f.name}: {f.message}" for f in lint_atoms(atoms, config)]


def run_wander(args) -> int:
    from ..io import ReadError
    from ..models import ModelError

    quiet_library_logs()
    try:
        return _run_wander(args)
    except (ModelError, DeepmdUnavailable, ReadError, OSError) as exc:
        print(f"structcheck: error: {exc}", file=sys.stderr)
        return 2


def _run_wander(args) -> int:
    """Settings that torch reads are in force for the whole experiment and restored afterwards."""
    with ExitStack() as stack:
        from ..io import read_one
        from ..models import default_model_path, model_type_map

        if args.replicas < 1:
            raise UsageError("--replicas must be at least 1")
        if args.steps < 0 or args.fmax <= 0:
            raise UsageError("--steps must be >= 0 and --fmax > 0")
        if args.native_noise and args.deterministic:
            raise UsageError("--native-noise and --deterministic contradict each other: choose one")
        noise = args.noise if args.noise is not None else (0.0 if args.native_noise else DEFAULT_NOISE)
        if noise < 0:
            raise UsageError("--noise must be >= 0 Å")
        out = Path(args.output or f"wander_{Path(args.start).stem}")
        plan = output_plan(args, [args.start])
        if args.calculator == "dp" and not args.model:
            plan.add_input(default_model_path(), "model")
        # a new or empty folder (any with --force-overwrite), checked before the start is read;
        # none of the files written may be the start or the model
        plan.claim_folder(out, _WANDER_FILES, "wander folder")
        atoms = read_one(args.start, args.format_in)
        factory = None
        if args.calculator == "dp":
            model = Path(args.model) if args.model else default_model_path()
            type_map = model_type_map(model)
            missing = sorted(set(atoms.get_chemical_symbols()) - set(type_map))
            if missing:
                raise UsageError(f"{args.start}: element(s) {', '.join(missing)} not in the model's type map "
                                 f"({', '.join(type_map)}) of {model}")
            stack.enter_context(runtime_settings(threads=args.threads, deterministic=args.deterministic,
                                                 device=args.device))
            factory = dp_factory(model, head=args.head)
            device = runtime_record()["device"]
        else:
            if args.model:
                raise UsageError("--model is for --calculator dp")
            model, type_map, device = f"ASE toy calculator: {args.calculator}", None, "cpu"
            factory = toy_factory(args.calculator)
        if args.native_noise and not device.startswith("cuda"):
            raise UsageError("--native-noise needs a CUDA GPU and the dp calculator: on CPU, PyTorch gives the "
                             "same result for the same input and thread count, so the replicas would be bitwise "
                             "identical and show nothing. Use --noise (injected noise) instead")
        say = (lambda m: None) if args.quiet else (lambda m: print(m, file=sys.stderr, flush=True))
        starts = [("raw", atoms)]
        lint = {"raw": _lint_lines(atoms, type_map)}
        if args.compare_fixed:
            from ..repair.fix import FixError, fix

            try:
                fixed, _report = fix(atoms)
            except FixError as exc:
                raise UsageError(f"{args.start}: --compare-fixed: structcheck fix cannot repair this start: {exc}")
            starts.append(("fixed", fixed))
            lint["fixed"] = _lint_lines(fixed, type_map)
        for label, lines in lint.items():
            say(f"lint {label} start: " + ("clean" if not lines else f"{len(lines)} finding(s)"))
            for line in lines:
                say(f"  {line}")
        noise_desc = (f"{noise:g} Å per atom (seed {args.seed})" if noise > 0 else "none injected") + \
            ("; GPU non-deterministic kernels (native noise)" if args.native_noise else "")
        settings = {"model": str(model), "head": args.head, "device": device,
                    "deterministic": args.deterministic, "native_noise": args.native_noise,
                    "runtime": _runtime(args)}
        runs = [(label, a, factory) for label, a in starts]
        reference = _reference(args, atoms, say) if args.reference else None
        if reference:
            runs += [(f"{label}-gfn2", a, reference["factory"]) for label, a in starts]
        results, refused = [], None
        for label, a, make in runs:
            try:
                results.append(wander(a, make, replicas=args.replicas, noise=noise, fmax=args.fmax,
                                      steps=args.steps, seed=args.seed, rmsd_tol=args.rmsd_tol,
                                      energy_tol=args.energy_tol, label=label, progress=say,
                                      settings=settings if make is factory else reference["settings"],
                                      optimizer=args.optimizer))
            except CalculationFailed as exc:  # only the reference can raise it: refuse its rows
                refused = f"--reference gfn2 refused for the {label[:-5]} start: {exc}"
                print(f"structcheck: {refused}", file=sys.stderr)
        with plan.folder(out, "wander folder") as tmp:  # written aside, renamed in when complete
            _write_folder(tmp, args, results, runs, starts, model, noise, noise_desc, device, lint, reference,
                          refused)
        pictures = "" if args.no_pictures else ", replicas.gif, growth.png, distances_*.png"
        print(format_table(results))
        print(f"wrote {shown(out)}/report.json, report.md, spread.png, energy.png{pictures}, finals.extxyz, "
              "trajectories/")
        return 2 if refused else 0


_WANDER_FILES = ("report.json", "report.md", "finals.extxyz", "spread.png", "energy.png")


def _write_folder(out: Path, args, results, runs, starts, model, noise, noise_desc, device, lint, reference,
                  refused) -> None:
    """Every file of the experiment into ``out``."""
    model_sha = None
    if args.calculator == "dp":
        model_sha = sha256_file(model)
    meta = {"start": args.start, "model": str(model), "model_sha256": model_sha,
            "replicas": args.replicas, "fmax": args.fmax,
            "steps": args.steps, "seed": args.seed, "noise_A": noise, "noise_description": noise_desc,
            "deterministic": args.deterministic, "native_noise": args.native_noise, "device": device,
            "optimizer": args.optimizer, "lint": lint,
            "reference": reference["description"] if reference else None, "reference_refused": refused}
    doc = {"structcheck_wander": 1, **meta, "versions": versions(),
           "results": {r.label: r.to_dict() for r in results}}
    (out / "report.json").write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")
    (out / "report.md").write_text(format_markdown(results, meta), encoding="utf-8")
    by_label = {label: a for label, a, _ in runs}
    used = [(r.label, by_label[r.label]) for r in results]
    _write_finals(results, used, out / "finals.extxyz")
    plot_spread(results, out / "spread.png")
    plot_energy(results, out / "energy.png")
    from ..teach.pictures import write_trajectories, write_wander_pictures

    write_trajectories(results, used, out / "trajectories")
    if not args.no_pictures:
        write_wander_pictures(results, used, out, distance_starts=starts)


def _reference(args, atoms, say) -> dict:
    """The GFN2-xTB factory, after checking that its SCF converges at the start (else UsageError)."""
    from ..teach.reference import (DEFAULT_ELECTRONIC_TEMPERATURE, ReferenceUnavailable, check_start, gfn2_factory,
                                   tblite_version)

    temp = args.electronic_temperature or DEFAULT_ELECTRONIC_TEMPERATURE
    try:
        energy, fmax = check_start(atoms, temp)
        factory = gfn2_factory(temp)
    except ReferenceUnavailable as exc:
        raise UsageError(f"{args.start}: {exc}") from None
    version = tblite_version()
    description = (f"GFN2-xTB (tblite {version}), electronic temperature {temp:g} K; at the start "
                   f"{energy:.4f} eV, largest force {fmax:.1f} eV/Å")
    say(f"reference: {description}")
    return {"factory": factory, "description": description,
            "settings": {"model": "GFN2-xTB", "tblite": version, "electronic_temperature_K": temp}}


def _write_finals(results, starts, path: Path) -> None:
    """Every replica's final structure (extxyz), with its start, replica, minimum and energy."""
    from ase.io import write

    frames = []
    for r, (_, start) in zip(results, starts):
        for i, run in enumerate(r.runs):
            a = start.copy()
            a.calc = None
            a.set_positions(run.positions[-1])
            a.info.update({"start": r.label, "replica": i, "minimum": r.minima[i],
                           "energy_eV": float(run.energies[-1]), "converged": bool(run.converged),
                           "steps": run.steps})
            frames.append(a)
    write(str(path), frames, format="extxyz")


def _runtime(args) -> dict:
    if args.calculator != "dp":
        return {"calculator": args.calculator}
    return runtime_record(args.deterministic)
