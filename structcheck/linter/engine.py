"""The lint loop: run the enabled rules on each frame and turn their hits into Findings."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

import numpy as np

from ..findings import Finding
from ..io import FrameRecord, unreadable_finding
from ..neighbors import NeighborLimit
from .checks.bounds import bounds_problem
from .checks.reading import lint_view, settle_disorder
from .config import Config
from .frame import Frame
from .registry import ConfigError, Rule, resolve
from .rootcause import ROOT_CODES, group_root_causes


def _suppressed(atoms) -> set[str]:
    raw = atoms.info.get("structcheck_ignore")
    if raw is None:
        return set()
    if isinstance(raw, (list, tuple, np.ndarray)):
        items = [str(x) for x in raw]
    else:
        items = str(raw).replace(",", " ").split()
    codes: set[str] = set()
    for s in items:
        try:
            codes.update(r.code for r in resolve(s))
        except ConfigError:
            pass
    return codes


def lint_atoms(atoms, config: Config, path: str = "<atoms>", frame: int = 0,
               line: int | None = None, rules: Sequence[Rule] | None = None) -> list[Finding]:
    """Run the enabled rules on one Atoms; findings sorted by code then atoms.

    A frame whose neighbour search would crash or explode (absurd-coordinates) gets only the
    input rules; a rule that fails on a frame becomes an unreadable-structure finding naming
    the rule, and the other rules' findings are kept. In-file suppressions
    (``structcheck_ignore``) never hide input rules, and are not read with ``config.inline_ignore``
    off."""
    rules = config.rules_for(path) if rules is None else rules
    atoms = lint_view(atoms, config)  # --pbc on a crystal's cell (io/macro.py)
    ctx = Frame(atoms, config)
    skip = _suppressed(atoms) if getattr(config, "inline_ignore", True) else ()
    out: list[Finding] = []
    severity = config.severity
    sane = None  # computed on the first non-input rule
    failed: list[str] = []
    for r, code, func, kw, checked, finite_only in _plan(rules, config, _has(atoms)):
        if checked:
            if skip and code in skip:
                continue
            if sane is None:
                sane = ctx.finite and not _absurd(ctx)
            if not sane and finite_only:
                continue
        try:
            hits = list(func(ctx) if kw is None else func(ctx, **kw))
        except NeighborLimit as exc:  # a wider search than the frame's own check: report, go on
            failed.append(f"{r.name}: neighbour search refused ({exc})")
            continue
        except Exception as exc:  # noqa: BLE001 - one failing rule must not hide the others
            failed.append(f"{r.name}: {type(exc).__name__}: {_one_line(exc)}")
            continue
        for h in hits:
            atom_ids = tuple(int(a) for a in h.atoms)
            # xyz: the line of the first flagged atom (2 header lines per frame)
            at_line = line + 2 + atom_ids[0] if (line is not None and atom_ids) else line
            out.append(Finding(code=r.code, name=r.name, severity=severity.get(r.code, r.severity),
                               message=h.message, atoms=atom_ids, value=h.value,
                               threshold=h.threshold, unit=h.unit, path=path, frame=frame, line=at_line,
                               fixable=r.fixable, data=h.data or {}))
    if out:
        out = settle_disorder(out, ctx)  # partial occupancy, unknown particles: never errors
    if failed:
        out.append(Finding(code="SC001", name="unreadable-structure", severity=severity.get("SC001", "error"),
                           message=("could not check this frame: " + "; ".join(failed))[:400],
                           path=path, frame=frame, line=line))
    if out and any(f.code in ROOT_CODES for f in out):
        out = group_root_causes(out)
    return out


# what a frame has, for the rules' ``needs`` (rule.py): a check that needs what the frame lacks
# finds nothing there, and is not called ("finite" is judged per frame, "engine": never called)
NEEDS = ("periodic", "reading-notes", "occupancy")


def _has(atoms) -> tuple[bool, bool, bool]:
    """(periodic, reading notes, occupancy information): which of ``NEEDS`` the frame has."""
    info = atoms.info
    return (True in atoms.pbc.tolist(), bool(info.get("structcheck_reading")),
            "occupancy" in atoms.arrays or "occupancy" in info or "structcheck_mixed_sites" in info)


def _plan(rules: Sequence[Rule], config: Config, has: tuple[bool, ...] = (True, True, True)) -> list[tuple]:
    """Per rule that can find something in a frame that ``has`` what it has: (rule, code, func,
    parameters or None, judged only on a sane frame (not an input rule), skipped on a frame
    that is not sane (needs no "finite")); kept per rule list (``Config.rules_for`` gives
    one list per per-file-ignores pattern set) and ``has``."""
    memo = config.cache
    key = ("engine_plan", id(rules), has)
    got = memo.get(key)
    if got is None or got[0] is not rules or got[1] is not config.params or got[3] != len(rules):
        params = config.params
        lacks = {need for need, there in zip(NEEDS, has) if not there} | {"engine"}
        plan = [(r, r.code, r.func, params.get(r.code), r.family != "input", "finite" not in r.needs)
                for r in rules if lacks.isdisjoint(r.needs)]
        if len(memo) > 1000:  # lists made per call (an explicit rules= each time): do not grow
            for k in [k for k in memo if isinstance(k, tuple) and k[:1] == ("engine_plan",)]:
                del memo[k]
        got = memo[key] = (rules, params, plan, len(rules))
    return got[2]


def _absurd(ctx) -> bool:
    return bounds_problem(ctx) is not None


def _one_line(exc) -> str:
    text = str(exc).strip()
    return (text.splitlines()[0] if text else type(exc).__name__)[:200]


def lint_frames(records: Iterable, config: Config, path: str | None = None) -> Iterator[tuple[object, list[Finding]]]:
    """(record, findings) per frame as frames stream from ``io.iter_frames``, in input order.

    An unreadable frame, a check that crashes on one frame, or a reader that raises (any
    exception: an OverflowError, a MemoryError) becomes an unreadable-structure finding; the
    other frames and files are still checked. ``path``: the file, for a reader that fails
    before its first frame.
    """
    rules_cache: dict[str, list[Rule]] = {}
    it = iter(records)
    last_path, next_index = path, 0
    while True:
        try:
            rec = next(it)
        except StopIteration:
            return
        except Exception as exc:  # noqa: BLE001 - a reader crash is this file's finding, not the run's end
            rec = FrameRecord(last_path or "<input>", next_index,
                              error=f"cannot read frame {next_index} ({type(exc).__name__}: {_one_line(exc)})"
                              + ("; later frames not read" if next_index else ""))
            yield rec, [unreadable_finding(rec, config)]
            return
        last_path, next_index = rec.path, rec.index + 1
        if rec.path not in rules_cache:
            rules_cache[rec.path] = config.rules_for(rec.path)
        rules = rules_cache[rec.path]
        if rec.error is None and rec.atoms is not None and len(rec.atoms) == 0:
            rec.error = "no atoms in this frame (the reader found none: nothing was checked)"
            rec.atoms = None
        if rec.error is not None:
            wants_sc001 = any(r.code == "SC001" for r in rules)
            yield rec, ([unreadable_finding(rec, config)] if wants_sc001 else [])
            continue
        try:
            yield rec, lint_atoms(rec.atoms, config, rec.path, rec.index, rec.line, rules)
        except Exception as exc:  # noqa: BLE001 - one bad frame must not stop the others
            rec.error = f"internal error while checking this frame ({type(exc).__name__}: {_one_line(exc)})"
            yield rec, [unreadable_finding(rec, config)]
