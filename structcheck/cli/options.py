"""Options shared by every subcommand (rule selection, configuration) and the CLI's UsageError."""

from __future__ import annotations

import argparse


class UsageError(Exception):
    """A usage error: one line on stderr, exit code 2."""


def finite_float(text: str) -> float:
    """An argparse type: a finite number (nan and inf refused with one line, exit 2)."""
    import math

    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"must be a finite number, not {text!r}")
    return value


def positive_float(text: str) -> float:
    value = finite_float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be > 0, not {text!r}")
    return value


def nonneg_float(text: str) -> float:
    value = finite_float(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be >= 0, not {text!r}")
    return value


MAX_JOBS = 256  # --jobs beyond this (or 4 x the cores) is a typo, not a machine: refused


def jobs_count(text: str) -> int:
    """--jobs: 0 (one per core) up to min(MAX_JOBS, 4 x cores)."""
    import os

    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    cap = min(MAX_JOBS, 4 * cores)
    if not 0 <= value <= cap:
        raise argparse.ArgumentTypeError(f"must be 0 (one per core) to {cap} (4 x the {cores} cores here), "
                                         f"not {text!r}")
    return value


def _csv(value: str) -> list[str]:
    return [s for s in value.replace(" ", ",").split(",") if s]


def _extend(ns_list, value):
    return (ns_list or []) + _csv(value)


class _CsvAppend(argparse.Action):
    def __call__(self, parser, namespace, values, option_string=None):
        setattr(namespace, self.dest, _extend(getattr(namespace, self.dest), values))


def add_selection_arguments(p: argparse.ArgumentParser) -> None:
    """Rule selection and configuration, shared by lint, fix, relax and wander."""
    g = p.add_argument_group("rule selection and configuration")
    g.add_argument("--select", action=_CsvAppend, metavar="RULES",
                   help="only these rules: codes, code prefixes, names or families (comma-separated; ALL)")
    g.add_argument("--extend-select", action=_CsvAppend, metavar="RULES", default=[],
                   help="add rules to the profile's selection (e.g. charge-imbalance)")
    g.add_argument("--ignore", action=_CsvAppend, metavar="RULES", default=[], help="skip these rules")
    g.add_argument("--profile", help="rule profile: a shipped name (default, dpa2-preflight) or a .toml path")
    g.add_argument("--config", metavar="FILE",
                   help="configuration file (a pyproject.toml with [tool.structcheck], or a plain TOML)")
    g.add_argument("--isolated", action="store_true", help="ignore pyproject.toml/structcheck.toml found nearby")
    g.add_argument("--expect-formula", metavar="FORMULA", help="formula every frame should have (formula-mismatch)")
    g.add_argument("--model", metavar="PATH", help="DeePMD-kit model whose type map must cover the elements")
    g.add_argument("--type-map", metavar="ELEMENTS", help="elements a model knows, e.g. H,O (instead of --model)")
    g.add_argument("--pbc", action="store_true",
                   help="lint the cell of a PDB/mmCIF crystal (CRYST1) as a periodic box (by default a "
                        "deposited crystal's cell is not a simulation box; the 1 Å placeholder is never a cell)")
    g.add_argument("--charge", type=int, metavar="Q",
                   help="total charge of every frame that declares none (an extxyz charge= key wins)")
    g.add_argument("--no-inline-ignore", action="store_true",
                   help="ignore structcheck_ignore= suppressions written in the files (they never hide "
                        "input rules such as unreadable-structure or non-finite-coordinates)")


def add_output_arguments(p: argparse.ArgumentParser) -> None:
    """``--force-overwrite``: the one switch that lets a command replace existing files."""
    p.add_argument("--force-overwrite", action="store_true",
                   help="replace output files that already exist (never an input, a model or another "
                        "output of the same run; files are always written to a temporary name and renamed)")


def output_plan(args, inputs=()):
    """The run's ``Outputs``: the given inputs and any --model are read, --force-overwrite allows replacing."""
    from ..outputs import Outputs

    check_inputs(args)
    plan = Outputs(overwrite=getattr(args, "force_overwrite", False))
    for p in inputs:
        if p and p != "-":
            plan.add_input(p, files_only=True)  # a folder argument is walked, not read
    if getattr(args, "model", None):
        plan.add_input(args.model, "model")
    return plan


def check_inputs(args) -> None:
    """Usage errors (exit 2, one line) for a --model that is not a file and a --format-in no
    reader knows, before anything is read."""
    import os

    model = getattr(args, "model", None)
    if model and not os.path.isfile(model):
        raise UsageError(f"--model {model}: no such file")
    fmt = getattr(args, "format_in", None)
    if fmt and fmt not in ("xyz", "extxyz", "cif", "db"):
        from ase.io.formats import ioformats

        if fmt not in ioformats:
            raise UsageError(f"--format-in {fmt}: not a format ASE reads (e.g. extxyz, cif, vasp, lammps-data, "
                             "proteindatabank)")


def config_from_args(args, **extra):
    from ..linter.config import load_config

    check_inputs(args)
    config = load_config(profile=args.profile, config_file=args.config, select=args.select,
                         extend_select=args.extend_select, ignore=args.ignore,
                         use_project=not args.isolated, expect_formula=args.expect_formula,
                         model=args.model, type_map=args.type_map, charge=getattr(args, "charge", None),
                         pbc=getattr(args, "pbc", None) or None, **extra)
    if getattr(args, "no_inline_ignore", False):
        config.inline_ignore = False
    return config


def unmatched_exit(args) -> int | None:
    """2, with one line per folder argument in which no structure file matched; else None."""
    import sys

    from ..outputs import shown

    folders = getattr(args, "_unmatched", None)
    if not folders:
        return None
    pats = ", ".join(getattr(args, "include", None) or ()) or "the default structure-file names"
    for d in folders:
        print(f"structcheck: error: {shown(d)}: no file matched ({pats}); nothing checked there", file=sys.stderr)
    return 2


def quiet_library_logs() -> None:
    """The CLI prints its own progress: silence torch's "Triton not available" and deepmd's
    batch-size hints (warnings about nothing the user can act on); errors still show."""
    import logging

    for name in ("torch._library", "torch._subclasses", "deepmd"):
        logging.getLogger(name).setLevel(logging.ERROR)
