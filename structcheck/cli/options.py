"""Options shared by every subcommand (rule selection, configuration) and the CLI's UsageError."""

from __future__ import annotations

import argparse


class UsageError(Exception):
    """A usage error: one line on stderr, exit code 2."""


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


def add_output_arguments(p: argparse.ArgumentParser) -> None:
    """``--force-overwrite``: the one switch that lets a command replace existing files."""
    p.add_argument("--force-overwrite", action="store_true",
                   help="replace output files that already exist (never an input, a model or another "
                        "output of the same run; files are always written to a temporary name and renamed)")


def output_plan(args, inputs=()):
    """The run's ``Outputs``: the given inputs and any --model are read, --force-overwrite allows replacing."""
    from ..outputs import Outputs

    plan = Outputs(overwrite=getattr(args, "force_overwrite", False))
    for p in inputs:
        if p and p != "-" and not _isdir(p):
            plan.add_input(p)
    if getattr(args, "model", None):
        plan.add_input(args.model, "model")
    return plan


def _isdir(p) -> bool:
    import os

    return os.path.isdir(p)


def config_from_args(args, **extra):
    from ..linter.config import load_config

    return load_config(profile=args.profile, config_file=args.config, select=args.select,
                       extend_select=args.extend_select, ignore=args.ignore,
                       use_project=not args.isolated, expect_formula=args.expect_formula,
                       model=args.model, type_map=args.type_map, charge=getattr(args, "charge", None),
                       pbc=getattr(args, "pbc", None) or None, **extra)
