"""`structcheck lint --output-format html|png` and `structcheck show`: pictures of findings."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..findings import SEVERITY_RANK


def _collect(args, config):
    """(findings, {(path, frame): Atoms} of flagged frames, files, frames) from lint's own loop."""
    from .lint import iter_lint

    findings, frames, missing = [], {}, []
    files, n_frames, last = 0, 0, None
    for rec, found in iter_lint(args, config):
        if rec.path != last:
            files += 1
            last = rec.path
        n_frames += 1
        if not found:
            continue
        findings.extend(found)
        if rec.atoms is not None:
            frames[(rec.path, rec.index)] = rec.atoms
        elif rec.error is None:
            missing.append((rec.path, rec.index))  # linted in another process: read it again here
    if missing:
        from ..io import iter_frames

        want = set(missing)
        for path in dict.fromkeys(p for p, _ in missing):
            for rec in iter_frames(path, args.format_in):
                if (path, rec.index) in want and rec.atoms is not None:
                    frames[(path, rec.index)] = rec.atoms
    return findings, frames, files, n_frames


def png_paths(out: Path, n: int) -> list[Path]:
    """``out`` for one picture; ``<stem>_<k><suffix>`` for several."""
    if n == 1:
        return [out]
    return [out.with_name(f"{out.stem}_{k}{out.suffix or '.png'}") for k in range(n)]


def write_pictures(fmt: str, out: str, findings, frames, checked, *, rotation: str = "",
                   say=lambda m: None) -> list[Path]:
    """Write the html report or one PNG per flagged frame; the paths written."""
    if fmt == "html":
        from ..report.html import write_html

        write_html(out, findings, frames, checked=checked)
        return [Path(out)]
    from ..report.scene import group_findings

    try:
        import matplotlib  # noqa: F401

        from ..report.png import write_png
    except ImportError:
        from ..linter.config import ConfigError

        raise ConfigError("PNG pictures need matplotlib: pip install 'structcheck[report]'") from None

    groups = [(key, found) for key, found in group_findings(findings).items() if key in frames]
    paths = png_paths(Path(out), len(groups))
    for ((path, frame), found), p in zip(groups, paths):
        write_png(p, frames[(path, frame)], found, title=f"{path} — frame {frame}", rotation=rotation)
    if not groups:
        say("no flagged frame to draw: no picture written")
    return paths[:len(groups)]


def run_picture_lint(args, config) -> int:
    from ..linter.config import ConfigError

    if not args.output_file:
        raise ConfigError(f"--output-format {args.output_format} needs -o FILE")
    if args.statistics:
        raise ConfigError(f"--statistics and --output-format {args.output_format} do not combine")
    findings, frames, files, n_frames = _collect(args, config)
    say = (lambda m: None) if args.quiet else (lambda m: print(m, file=sys.stderr))
    written = write_pictures(args.output_format, args.output_file, findings, frames, (files, n_frames), say=say)
    for p in written:
        say(f"wrote {p}")
    if args.fix:
        from .lint import _fix_files

        _fix_files(args, list(dict.fromkeys(f.path for f in findings if f.fixable and f.path != "-")))
    if args.exit_zero:
        return 0
    rank = SEVERITY_RANK[config.fail_on]
    return 1 if any(SEVERITY_RANK[f.severity] >= rank for f in findings) else 0


def add_show_arguments(p: argparse.ArgumentParser) -> None:
    from .options import add_selection_arguments

    p.add_argument("paths", nargs="+", metavar="PATH", help="structure files (any format ASE reads)")
    p.add_argument("-o", "--output-file", metavar="FILE", required=True,
                   help="picture to write: .png (one per flagged frame) or .html (the 3D report)")
    p.add_argument("--format-in", metavar="FMT", help="input format (ASE name)")
    p.add_argument("--rotation", default="", metavar="ANGLES",
                   help="PNG view rotation as ASE writes it, e.g. '45x,30y' (default: looking down z)")
    p.add_argument("-q", "--quiet", action="store_true", help="no 'wrote' lines")
    add_selection_arguments(p)


def run_show(args) -> int:
    """Lint the files and draw their flagged frames; exit 0 (a picture is not a verdict)."""
    from .options import config_from_args
    from ..linter.config import ConfigError

    suffix = Path(args.output_file).suffix.lower()
    if suffix not in (".png", ".html", ".htm"):
        raise ConfigError(f"{args.output_file}: give a .png or .html output file")
    fmt = "png" if suffix == ".png" else "html"
    config = config_from_args(args)
    ns = argparse.Namespace(**vars(args), progress="off", output_format=fmt)
    findings, frames, files, n_frames = _collect(ns, config)
    say = (lambda m: None) if args.quiet else (lambda m: print(m, file=sys.stderr))
    for p in write_pictures(fmt, args.output_file, findings, frames, (files, n_frames),
                            rotation=args.rotation, say=say):
        say(f"wrote {p}")
    return 0
