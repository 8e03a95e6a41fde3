"""The lint loop: run the enabled rules on each frame and turn their hits into Findings."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

import numpy as np

from ..findings import Finding
from ..io import unreadable_finding
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
    """Run the enabled rules on one Atoms; findings sorted by code then atoms."""
    rules = config.rules_for(path) if rules is None else rules
    ctx = Frame(atoms, config)
    skip = _suppressed(atoms)
    out: list[Finding] = []
    params = config.params
    severity = config.severity
    for r in rules:
        code = r.code
        if skip and code in skip:
            continue
        if r.family != "input" and not ctx.finite and "finite" not in r.needs:
            continue
        for h in (r.func(ctx, **params[code]) if code in params else r.func(ctx)):
            atom_ids = tuple(int(a) for a in h.atoms)
            # xyz: the line of the first flagged atom (2 header lines per frame)
            at_line = line + 2 + atom_ids[0] if (line is not None and atom_ids) else line
            out.append(Finding(code=r.code, name=r.name, severity=severity.get(r.code, r.severity),
                               message=h.message, atoms=atom_ids, value=h.value,
                               threshold=h.threshold, unit=h.unit, path=path, frame=frame, line=at_line,
                               fixable=r.fixable, data=h.data or {}))
    if out and any(f.code in ROOT_CODES for f in out):
        out = group_root_causes(out)
    return out


def lint_frames(records: Iterable, config: Config) -> Iterator[tuple[object, list[Finding]]]:
    """(record, findings) per frame as frames stream from ``io.iter_frames``, in input order.

    An unreadable frame, or a check that crashes on one frame, becomes an
    unreadable-structure finding; the other frames are still checked.
    """
    rules_cache: dict[str, list[Rule]] = {}
    for rec in records:
        if rec.path not in rules_cache:
            rules_cache[rec.path] = config.rules_for(rec.path)
        rules = rules_cache[rec.path]
        wants_sc001 = any(r.code == "SC001" for r in rules)
        if rec.error is not None:
            yield rec, ([unreadable_finding(rec, config)] if wants_sc001 else [])
            continue
        try:
            yield rec, lint_atoms(rec.atoms, config, rec.path, rec.index, rec.line, rules)
        except Exception as exc:  # noqa: BLE001 - one bad frame must not stop the others
            rec.error = f"internal error while checking this frame ({type(exc).__name__}: {exc})"
            yield rec, [unreadable_finding(rec, config)]
