"""`structcheck show FILE -o picture.png|report.html`: lint and draw the flagged frames."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .pictures import collect, write_pictures


def add_show_arguments(p: argparse.ArgumentParser) -> None:
    from .options import add_output_arguments, add_selection_arguments

    p.add_argument("paths", nargs="+", metavar="PATH", help="structure files (any format ASE reads)")
    p.add_argument("-o", "--output-file", metavar="FILE", required=True,
                   help="picture to write: .png (one per flagged frame) or .html (the 3D report)")
    p.add_argument("--format-in", metavar="FMT", help="input format (ASE name)")
    p.add_argument("--rotation", default="", metavar="ANGLES",
                   help="PNG view rotation as ASE writes it, e.g. '45x,30y' (default: the contacts seen side-on)")
    p.add_argument("-q", "--quiet", action="store_true", help="no 'wrote' lines")
    add_output_arguments(p)
    add_selection_arguments(p)


def run_show(args) -> int:
    """Lint the files and draw their flagged frames; exit 0 (a picture is not a verdict)."""
    from ..outputs import shown
    from .options import config_from_args, output_plan
    from ..linter.config import ConfigError

    suffix = Path(args.output_file).suffix.lower()
    if suffix not in (".png", ".html", ".htm"):
        raise ConfigError(f"{args.output_file}: give a .png or .html output file")
    fmt = "png" if suffix == ".png" else "html"
    config = config_from_args(args)
    plan = output_plan(args, args.paths)
    plan.claim(args.output_file, "picture")  # refused before any file is read
    ns = argparse.Namespace(**vars(args), progress="off", output_format=fmt)
    from .lint import iter_lint

    findings, frames, files, n_frames = collect(iter_lint(ns, config), args.format_in)
    say = (lambda m: None) if args.quiet else (lambda m: print(m, file=sys.stderr))
    for p in write_pictures(fmt, args.output_file, findings, frames, (files, n_frames),
                            rotation=args.rotation, say=say, plan=plan):
        say(f"wrote {shown(p)}")
    return 0
