"""`structcheck lint`: read, check and report; --fix writes repaired copies beside the inputs."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterable, Iterator

from ..findings import SEVERITIES, SEVERITY_RANK, Finding
from .options import (_CsvAppend, add_output_arguments, add_selection_arguments, config_from_args, jobs_count,
                      output_plan, unmatched_exit)


def add_lint_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("paths", nargs="*", metavar="PATH", help="structure files (any format ASE reads); - for stdin")
    p.add_argument("--format-in", metavar="FMT", help="input format for every path (ASE name: xyz, extxyz, cif, vasp, ...)")
    p.add_argument("--output-format", choices=["text", "json", "jsonl", "github", "sarif", "html", "png"],
                   default="text", help="html: one offline file with a 3D view of each flagged frame; "
                   "png: a picture of each flagged frame (both need -o)")
    p.add_argument("-o", "--output-file", metavar="FILE", help="write the report here instead of stdout")
    p.add_argument("--exit-zero", action="store_true", help="exit 0 even when there are findings")
    p.add_argument("--fail-on", choices=SEVERITIES, help="lowest severity that makes the exit code 1 (default: warning)")
    p.add_argument("--statistics", action="store_true", help="print counts per rule instead of each finding")
    p.add_argument("-q", "--quiet", action="store_true", help="print findings only, no summary")
    p.add_argument("--fix", action="store_true",
                   help="write <name>.fixed.extxyz beside each file with fixable findings (inputs never overwritten)")
    s = p.add_argument_group("many files (directories, ASE databases, parallel runs)")
    s.add_argument("-r", "--recursive", action="store_true",
                   help="walk directories recursively (the default for a directory PATH; kept for clarity)")
    s.add_argument("--include", action=_CsvAppend, metavar="GLOBS",
                   help="in directories, lint only files matching these globs (default: *.xyz, *.extxyz, *.cif, "
                        "*.vasp, POSCAR*, CONTCAR*, *.traj, *.db, ...)")
    s.add_argument("--exclude", action=_CsvAppend, metavar="GLOBS", default=[],
                   help="in directories, skip files and folders matching these globs (hidden ones always skipped)")
    s.add_argument("-j", "--jobs", type=jobs_count, default=1, metavar="N",
                   help="lint files in N local processes (0: one per core); output order unchanged")
    s.add_argument("--dask-scheduler", metavar="ADDRESS",
                   help="spread files over an existing Dask distributed cluster (e.g. tcp://host:8786); "
                        "needs structcheck[scale]")
    s.add_argument("--dask-profiler", choices=["pause", "keep"], default="pause",
                   help="the Dask worker's statistical profiler samples every task's stack (~6%% of a "
                        "worker's time on structcheck's small tasks): pause it while structcheck tasks run "
                        "(default) or keep it")
    s.add_argument("--progress", choices=["auto", "on", "off"], default="auto",
                   help="progress line on stderr (auto: only on a terminal, never with JSON output)")
    add_output_arguments(p)
    add_selection_arguments(p)


def _records(args) -> Iterator:
    from ..io import iter_frames

    for path in args.paths:
        yield from iter_frames(path, args.format_in)


def _summary(findings_count: dict, files: int, frames: int, fixable: int) -> str:
    total = sum(findings_count.values())
    if files == 0:
        return "Nothing checked: 0 file(s)."
    if total == 0:
        return f"All checks passed: {files} file(s), {frames} frame(s)."
    parts = ", ".join(f"{findings_count[s]} {s}" for s in reversed(SEVERITIES) if findings_count[s])
    s = f"Found {total} finding(s) ({parts}) in {files} file(s), {frames} frame(s)."
    if fixable:
        s += f"\n[*] {fixable} fixable with `structcheck fix` (or `structcheck lint --fix`)."
    return s


def _big_array_memory():
    """Memory policy of this process for frames of 10^5-10^6 atoms, whose rules make many
    short-lived arrays of 8-32 MiB: numpy's huge-page advice off (where the kernel's huge
    pages come by compaction, each fresh array stalled on it: 0.4-0.5 s of system time per
    1e6-atom lint, measured with THP in madvise mode, and the pages were never granted), and
    glibc keeps freed arrays up to 32 MiB for reuse instead of returning them to the kernel
    and faulting fresh zeroed pages in for the next one. Peak memory is not raised (the
    arrays are reused, not added). Returns a callable that puts numpy's setting back (the
    allocator's thresholds stay for this process, which exits when the command ends)."""
    restore = None
    try:
        from numpy._core import multiarray as _ma  # numpy >= 2
    except ImportError:  # pragma: no cover - numpy 1.x
        from numpy.core import multiarray as _ma
    setter = getattr(_ma, "_set_madvise_hugepage", None)
    if setter is not None:
        previous = setter(False)
        restore = lambda: setter(previous)  # noqa: E731
    try:
        os.confstr("CS_GNU_LIBC_VERSION")  # glibc only (ValueError/OSError elsewhere)
        import ctypes

        mallopt = ctypes.CDLL(None).mallopt
        mallopt(-3, 32 << 20)  # M_MMAP_THRESHOLD: arrays below 32 MiB from the reusable heap
        mallopt(-1, 512 << 20)  # M_TRIM_THRESHOLD: keep up to 512 MiB of freed heap for reuse
    except (AttributeError, OSError, ValueError):
        pass
    return restore


def run_lint(args) -> int:
    restore = _big_array_memory()
    try:
        return _run_lint(args)
    finally:
        if restore is not None:
            restore()


def _run_lint(args) -> int:
    from ..linter.config import ConfigError

    if not args.paths:
        raise ConfigError("no input: give structure files, or - to read standard input")
    config = config_from_args(args, fail_on=args.fail_on)
    plan = args._outputs = output_plan(args, args.paths)
    if args.output_file:  # refused before any file is read (exists, an input, unwritable folder)
        plan.claim(args.output_file, "report")
        _check_walked_inputs(args, plan)
    if args.output_format in ("html", "png"):
        from .pictures import run_picture_lint

        if not args.output_file:
            raise ConfigError(f"--output-format {args.output_format} needs -o FILE")
        if args.statistics:
            raise ConfigError(f"--statistics and --output-format {args.output_format} do not combine")
        from ..scale import IncompleteRun

        try:
            return run_picture_lint(args, config, iter_lint(args, config), _fix_files)
        except IncompleteRun as exc:  # no picture or page of a partial run is written
            print(f"structcheck: error: run INCOMPLETE: {exc}; no {args.output_format} report written",
                  file=sys.stderr)
            return 2
    if not args.output_file:
        args._out = sys.stdout
        return _report(args, config, sys.stdout)
    with plan.open(args.output_file, errors="backslashreplace") as out:  # a temporary file, renamed when the report is complete
        args._out = out
        return _report(args, config, out)


def _check_walked_inputs(args, plan) -> None:
    """With --force-overwrite, an existing report target inside a folder being walked must not
    be one of the files the walk lints (checked before linting starts)."""
    from ..outputs import OutputError, shown
    from ..scale.paths import iter_paths

    target = args.output_file
    if not os.path.exists(target):
        return
    folders = [p for p in args.paths if p != "-" and os.path.isdir(p)]
    real = os.path.realpath(target)
    if not folders or not any(real.startswith(os.path.realpath(d) + os.sep) for d in folders):
        return
    st = os.stat(target)
    for q in iter_paths(folders, getattr(args, "include", None), getattr(args, "exclude", None) or ()):
        try:
            sq = os.stat(q)
        except OSError:
            continue
        if (sq.st_dev, sq.st_ino) == (st.st_dev, st.st_ino):
            raise OutputError(f"{shown(target)}: the report is the input {shown(q)}; not written "
                              "(choose another name)")


def _report(args, config, out) -> int:
    from ..findings import dumps_json, format_github, format_text, sarif_document, statistics_lines
    from ..linter.config import ConfigError
    from .incomplete import Stopped, json_document, mark_stream, sarif_invocation, say
    from .options import UsageError

    fmt = args.output_format
    counts = {s: 0 for s in SEVERITIES}
    files = 0
    last_path = None
    frames = 0
    fixable = 0
    failing = 0
    keep: list[Finding] = []
    fixable_paths: list[str] = []
    fail_rank = SEVERITY_RANK[config.fail_on]
    stopped = None
    # A frame's lines go out in one write (one system call per frame under PYTHONUNBUFFERED,
    # not two per line); with workers, per batch: whenever the next results are not in yet.
    pending: list[str] = []

    def emit() -> None:
        if pending:
            out.write("".join(pending))
            pending.clear()
        if out is sys.stdout:
            out.flush()

    try:
        pairs = iter_lint(args, config, getattr(args, "_out", None), emit)
        batched = args.__dict__.get("_batched", False)  # set by iter_lint: workers or Dask
        for rec, found in pairs:
            if rec.path != last_path:  # frames arrive file by file: count without keeping paths
                files += 1
                last_path = rec.path
            frames += 1
            for f in found:
                counts[f.severity] += 1
                fixable += f.fixable
                failing += SEVERITY_RANK[f.severity] >= fail_rank
                # findings arrive file by file: comparing with the last path keeps this O(1)
                if args.fix and f.fixable and f.path != "-" and (not fixable_paths or fixable_paths[-1] != f.path):
                    fixable_paths.append(f.path)
                if args.statistics or fmt in ("json", "sarif"):
                    keep.append(f)
                elif fmt == "text":
                    pending.append(format_text(f) + "\n")
                elif fmt == "github":
                    pending.append(format_github(f) + "\n")
                elif fmt == "jsonl":
                    pending.append(json.dumps(f.to_dict(), ensure_ascii=False) + "\n")
            if found and (not batched or len(pending) >= 512):
                emit()  # each frame's findings are out before the next frame is read
    except (ConfigError, UsageError):  # set-up errors (no dask.distributed, no scheduler): nothing linted
        raise
    except _stops(args) as exc:  # noqa: BLE001 - workers died, a pool broke: the report says so
        stopped = Stopped(exc, files, frames, last_path)
        emit()
        mark_stream(fmt, stopped, out)
    except BaseException:  # Ctrl-C, SIGTERM: what was found is still shown
        try:
            emit()
        except (OSError, ValueError):
            pass
        raise
    emit()
    if args.statistics:
        if fmt == "json":
            from collections import Counter

            c = Counter((f.code, f.name) for f in keep)
            stats = [{"code": k[0], "name": k[1], "count": n} for k, n in c.most_common()]
            print(json.dumps(json_document(stats, "statistics", stopped), indent=2), file=out)
        else:
            for line in statistics_lines(keep):
                print(line, file=out)
            if stopped is not None and fmt != "text":
                print(f"INCOMPLETE: {stopped.line()}", file=out)
    elif fmt == "json":
        print(dumps_json(keep) if stopped is None else
              json.dumps(json_document([f.to_dict() for f in keep], "findings", stopped), indent=2,
                         ensure_ascii=False), file=out)
    elif fmt == "sarif":
        from ..linter.registry import all_rules

        doc = sarif_invocation(sarif_document(keep, all_rules()), stopped)
        print(json.dumps(doc, indent=2, ensure_ascii=False), file=out)
    if fmt == "text" and not args.quiet:
        print(_summary(counts, files, frames, fixable) if stopped is None else stopped.line(), file=out)
    out.flush()
    refused = bool(args.fix and fixable_paths and _fix_files(args, fixable_paths))
    if stopped is not None:
        return say(stopped)
    if refused:
        return 2
    if unmatched_exit(args):
        return 2
    if args.exit_zero:
        return 0
    return 1 if failing else 0


def _stops(args) -> tuple[type[BaseException], ...]:
    """What ends a lint run with an incomplete report: any error, and with worker processes
    or Dask a cancelled future (a BaseException); concurrent.futures is imported only then
    (start-up of a plain run)."""
    if getattr(args, "jobs", 1) in (1, None) and not getattr(args, "dask_scheduler", None):
        return (Exception,)
    from concurrent.futures import CancelledError

    return (Exception, CancelledError)


def _fix_files(args, paths: Iterable[str]) -> bool:
    """``lint --fix``: repaired copies beside the files; True when one could not be written."""
    from .fix import fix_file_beside

    plan = getattr(args, "_outputs", None) or output_plan(args, args.paths)
    bad = False
    for path in paths:
        bad |= fix_file_beside(path, args, plan) == 2
    return bad


def _watch_folders(paths, include, exclude, unmatched: list, iter_paths, named=None) -> Iterator[str]:
    """``iter_paths``, noting each folder argument in which no file matched (``unmatched``);
    ``named(p)`` of each path named as it is (not walked), when given."""
    for p in paths:
        if p != "-" and os.path.isdir(p):
            n = 0
            for q in iter_paths([p], include, exclude):
                n += 1
                yield q
            if n == 0:
                unmatched.append(p)
        else:
            yield p if named is None else named(p)


def iter_lint(args, config, out=None, before_wait=None) -> Iterator[tuple]:
    """(record, findings) per frame for ``structcheck lint``, in input order; with worker
    processes or Dask, ``before_wait()`` runs whenever the next batch's results are not in yet."""
    from ..linter.config import ConfigError
    from ..scale.paths import iter_paths, lint_paths, special_if_irregular

    unmatched = args.__dict__.setdefault("_unmatched", [])
    fmt = args.format_in
    jobs = getattr(args, "jobs", 1)
    jobs = 1 if jobs is None else jobs  # 0: one per core (below)
    address = getattr(args, "dask_scheduler", None)
    if jobs < 0:
        raise ConfigError("--jobs must be 0 (all cores) or a positive number")
    if jobs == 0:
        jobs = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    # with workers, a named FIFO or device gets a batch of its own (the walk marks those it finds)
    named = special_if_irregular if (jobs > 1 or address) else None
    paths = _watch_folders(args.paths, getattr(args, "include", None), getattr(args, "exclude", None) or (),
                           unmatched, iter_paths, named)
    if address:
        from ..scale.dask import lint_paths_dask

        args._batched = True
        pairs = lint_paths_dask(paths, fmt, config, address,
                                pause_profiler=getattr(args, "dask_profiler", "pause") == "pause",
                                before_wait=before_wait)
    elif jobs > 1:
        from ..scale.pool import lint_paths_pool

        args._batched = True
        pairs = lint_paths_pool(paths, fmt, config, jobs, before_wait=before_wait)
    else:
        pairs = lint_paths(paths, fmt, config)
    mode = getattr(args, "progress", "auto") or "auto"
    if getattr(args, "output_file", None):
        out = None  # the report goes to a file: the terminal is free for the progress line
    from .progress import progress_enabled

    if progress_enabled(mode, args.output_format, out):
        from .progress import Progress, with_progress

        return with_progress(pairs, Progress(sys.stderr))
    return pairs
