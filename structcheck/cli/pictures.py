"""Pictures of lint findings for the command line: `lint --output-format html|png` and `show` write them here."""

from __future__ import annotations

import sys
from pathlib import Path

from ..findings import SEVERITY_RANK
from ..outputs import shown


def collect(pairs, format_in=None):
    """(findings, {(path, frame): Atoms} of flagged frames, files, frames) from lint's (record, findings) pairs."""
    findings, frames, missing = [], {}, []
    files, n_frames, last = 0, 0, None
    for rec, found in pairs:
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
            for rec in iter_frames(path, format_in):
                if (path, rec.index) in want and rec.atoms is not None:
                    frames[(path, rec.index)] = rec.atoms
    return findings, frames, files, n_frames


def png_paths(out: Path, n: int) -> list[Path]:
    """``out`` for one picture; ``<stem>_<k><suffix>`` for several."""
    if n == 1:
        return [out]
    return [out.with_name(f"{out.stem}_{k}{out.suffix or '.png'}") for k in range(n)]


def write_pictures(fmt: str, out: str, findings, frames, checked, *, rotation: str = "",
                   say=lambda m: None, plan=None) -> list[Path]:
    """Write the html report or one PNG per flagged frame through the run's output plan
    (each checked, written to a temporary file and renamed); the paths written."""
    if plan is None:
        from ..outputs import Outputs

        plan = Outputs()
    if fmt == "html":
        from ..report.html import write_html

        with plan.path(out, "HTML report") as tmp:
            write_html(tmp, findings, frames, checked=checked)
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
    for p in paths[:len(groups)]:  # every name checked before the first picture is drawn
        if not plan.claimed(p):
            plan.claim(p, "picture")
    for ((path, frame), found), p in zip(groups, paths):
        with plan.path(p, "picture") as tmp:
            write_png(tmp, frames[(path, frame)], found, title=f"{shown(path)} — frame {frame}", rotation=rotation)
    if not groups:
        say("no flagged frame to draw: no picture written")
    return paths[:len(groups)]


def run_picture_lint(args, config, pairs, fix_files) -> int:
    """``lint --output-format html|png``: the pictures, ``--fix`` through ``fix_files(args, paths)``, the exit code."""
    findings, frames, files, n_frames = collect(pairs, args.format_in)
    say = (lambda m: None) if args.quiet else (lambda m: print(m, file=sys.stderr))
    written = write_pictures(args.output_format, args.output_file, findings, frames, (files, n_frames), say=say,
                             plan=getattr(args, "_outputs", None))
    for p in written:
        say(f"wrote {shown(p)}")
    if args.fix and fix_files(args, list(dict.fromkeys(f.path for f in findings if f.fixable and f.path != "-"))):
        return 2
    from .options import unmatched_exit

    if unmatched_exit(args):
        return 2
    if args.exit_zero:
        return 0
    rank = SEVERITY_RANK[config.fail_on]
    return 1 if any(SEVERITY_RANK[f.severity] >= rank for f in findings) else 0
