"""`structcheck fix` (and `lint --fix`): repair each frame, report, write <name>.fixed.extxyz.

Exit code and outputs agree: when any frame cannot be repaired to a lint-clean start, the
reason is printed (one line per frame) and nothing is written under the output name."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from ..outputs import OutputError, shown
from ..repair.fix import DEFAULT_MARGIN, DEFAULT_MAX_ROUNDS, FixError, fix, provenance_info
from .options import (UsageError, add_output_arguments, add_selection_arguments, config_from_args, nonneg_float,
                      output_plan)


def add_fix_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("path", metavar="PATH", help="structure file (any format ASE reads); every frame is repaired")
    p.add_argument("-o", "--output", metavar="FILE",
                   help="write the repaired frames here (extxyz; default <name>.fixed.extxyz beside the "
                        "input); never the input itself")
    p.add_argument("--format-in", metavar="FMT", help="input format (ASE name), if the extension does not say")
    p.add_argument("--diff", action="store_true", help="print each moved atom's displacement; write nothing")
    p.add_argument("--html", metavar="FILE",
                   help="also write an offline HTML report of the repair: before and after overlaid, each "
                        "moved atom's displacement an arrow (with --diff: the only file written)")
    p.add_argument("--merge-duplicates", action="store_true",
                   help="delete the later atom of each overlapping same-element pair (reported) instead of refusing")
    p.add_argument("--margin", type=nonneg_float, default=DEFAULT_MARGIN,
                   help=f"every distance bound sits this fraction beyond the linter's threshold "
                        f"(default {DEFAULT_MARGIN})")
    p.add_argument("--contacts-only", action="store_true",
                   help="repair close contacts and overlaps only (over-coordination and other errors may "
                        "remain); default: no lint error left")
    p.add_argument("--full-bonds", action="store_true",
                   help="keep every repaired bond at least a single bond long (no compressed-bond warning; "
                        "moves atoms further)")
    p.add_argument("--preopt", choices=("gfn2", "gfn1"),
                   help="then relax the repaired start with GFN2-xTB (or GFN1-xTB) through tblite (molecules of "
                        "at most 200 atoms; electronic temperature 3000 K, SCF fall-backs; needs "
                        "structcheck[preopt]) and lint it again: a start near a minimum for the model")
    p.add_argument("--max-rounds", type=int, default=DEFAULT_MAX_ROUNDS,
                   help=f"lint -> perceive bonds -> move rounds per frame at most (default {DEFAULT_MAX_ROUNDS})")
    p.add_argument("-q", "--quiet", action="store_true", help="no per-frame summary on stderr")
    add_output_arguments(p)
    add_selection_arguments(p)


def _read_frames(path: str, fmt: str | None):
    import ase.io

    if not Path(path).is_file():
        raise UsageError(f"{path}: no such file")
    try:
        frames = ase.io.read(path, ":", format=fmt)
    except Exception as exc:  # noqa: BLE001 - any reader error, one line
        raise UsageError(f"{path}: cannot read: {type(exc).__name__}: {exc}") from None
    if not isinstance(frames, list):
        frames = [frames]
    return frames


def _fix_frames(path: str, frames, args, config, say):
    """(fixed frames, reports, failed?) with one line per problem frame."""
    fixed_frames, reports, failed = [], [], False
    for n, atoms in enumerate(frames):
        where = f"{path}: frame {n}"
        try:
            fixed, rep = fix(atoms, config=config, margin=args.margin, max_rounds=args.max_rounds,
                             merge_duplicates=args.merge_duplicates, full_bonds=args.full_bonds,
                             target="contacts" if args.contacts_only else "lint",
                             preopt=getattr(args, "preopt", None))
        except FixError as exc:
            print(f"structcheck: {where}: {exc}", file=sys.stderr)
            failed = True
            fixed_frames.append(atoms.copy())
            reports.append(None)
            continue
        if not rep.converged:
            print(f"structcheck: {where}: {rep.message}", file=sys.stderr)
            failed = True
        else:
            n_before = sum(f.severity == "error" for f in rep.findings_before)
            merged = f", {len(rep.merged_duplicates)} duplicate(s) deleted" if rep.merged_duplicates else ""
            what = "contact finding(s)" if args.contacts_only else "error(s)"
            say(f"{where}: {n_before} {what} repaired{merged}, {len(rep.moved_atoms)} atom(s) moved, largest "
                f"displacement {rep.max_displacement:.3f} Å"
                + (f" (atom {rep.max_displacement_atom})" if rep.max_displacement_atom is not None else "")
                + f", sum of squares {rep.sum_sq_displacement:.3f} Å²")
            if rep.preopt:
                p = rep.preopt
                say(f"{where}: then {p['method']} (tblite {p['tblite']}, {p['electronic_temperature_K']:g} K): "
                    f"{p['steps']} BFGS steps, E {p['energy_start_eV']:.3f} -> {p['energy_end_eV']:.3f} eV, largest "
                    f"force {p['fmax_start_eV_per_A']:.3g} -> {p['fmax_end_eV_per_A']:.3g} eV/Å, largest move "
                    f"{p['max_displacement_A']:.3f} Å from the repair")
        fixed_frames.append(fixed)
        reports.append(rep)
    return fixed_frames, reports, failed


def _write(frames, reports, out: Path, plan) -> None:
    """The repaired frames to ``out`` through the run's output plan (temporary file, fsync, rename)."""
    import ase.io

    written = []
    for a, rep in zip(frames, reports):
        a = a.copy()
        if rep is not None:
            a.info.update(provenance_info(rep))
        written.append(a)
    with plan.path(out, "repaired file") as tmp:
        ase.io.write(str(tmp), written, format="extxyz")


def _print_diff(frames, fixed, reports) -> None:
    """Every atom that moved: frame, input index, element, displacement in Å; deleted duplicates."""
    print(f"{'frame':>5} {'atom':>6} {'el':<3} {'dx/Å':>9} {'dy/Å':>9} {'dz/Å':>9} {'|d|/Å':>9}")
    for n, (a, b, rep) in enumerate(zip(frames, fixed, reports)):
        if rep is None:
            continue
        deleted = [d for _, d in rep.merged_duplicates]
        for d in deleted:
            print(f"{n:>5} {d:>6} {a[d].symbol:<3} deleted (duplicate of atom "
                  f"{ {y: x for x, y in rep.merged_duplicates}[d]})")
        src = np.setdiff1d(np.arange(len(a)), deleted)  # index in b -> index in a
        dv = b.positions - a.positions[src]
        dist = np.linalg.norm(dv, axis=1)
        for q in np.flatnonzero(dist > 0):
            print(f"{n:>5} {src[q]:>6} {b[q].symbol:<3} {dv[q, 0]:9.4f} {dv[q, 1]:9.4f} {dv[q, 2]:9.4f} "
                  f"{dist[q]:9.4f}")


def beside(path: str) -> Path:
    p = Path(path)
    return p.with_name(f"{p.stem}.fixed.extxyz")


def run_fix(args) -> int:

    if args.max_rounds < 1 or not 0 <= args.margin < 0.2:
        raise UsageError("--max-rounds must be at least 1 and --margin in [0, 0.2)")
    config = config_from_args(args)
    out = Path(args.output) if args.output else beside(args.path)
    plan = output_plan(args, [args.path])  # every target checked before the file is read
    if not args.diff:
        plan.claim(out, "repaired file")
    if args.html:
        plan.claim(args.html, "HTML report")
    frames = _read_frames(args.path, args.format_in)
    say = (lambda m: None) if args.quiet else (lambda m: print(m, file=sys.stderr))
    fixed, reports, failed = _fix_frames(args.path, frames, args, config, say)
    if args.html:
        from ..report.fixview import write_fix_html

        with plan.path(args.html, "HTML report") as tmp:
            write_fix_html(tmp, frames, fixed, reports, path=args.path)
        say(f"wrote {shown(args.html)}")
    if args.diff:
        _print_diff(frames, fixed, reports)
        return 1 if failed else 0
    if failed:
        say(f"not written: {shown(out)} (a frame could not be repaired; the input is unchanged)")
        return 1
    _write(fixed, reports, out, plan)
    say(f"wrote {shown(out)}")
    return 0


def fix_file_beside(path: str, args, plan=None) -> int:
    """``structcheck lint --fix``: write ``<name>.fixed.extxyz`` beside ``path``; exit code
    (2, with one line on stderr, when the target exists, is an input or another output of the run)."""

    ns = argparse.Namespace(margin=DEFAULT_MARGIN, max_rounds=DEFAULT_MAX_ROUNDS, merge_duplicates=False,
                            contacts_only=False, full_bonds=False, preopt=None)
    plan = plan if plan is not None else output_plan(args, [path])
    out = beside(path)
    try:
        plan.add_input(path)
        plan.claim(out, "repaired file")
        config = config_from_args(args)
        frames = _read_frames(path, getattr(args, "format_in", None))
    except (UsageError, OutputError) as exc:
        print(f"structcheck: error: {exc}", file=sys.stderr)
        return 2
    quiet = getattr(args, "quiet", False)
    say = (lambda m: None) if quiet else (lambda m: print(m, file=sys.stderr))
    fixed, reports, failed = _fix_frames(path, frames, ns, config, say)
    if failed:
        say(f"not written: {shown(out)} (a frame could not be repaired)")
        return 1
    try:
        _write(fixed, reports, out, plan)
    except OutputError as exc:
        print(f"structcheck: error: {exc}", file=sys.stderr)
        return 2
    say(f"wrote {shown(out)}")
    return 0
