"""Findings (plain data) and every report format, in one place."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from copy import deepcopy
from dataclasses import dataclass, field, fields, replace

SEVERITIES = ("info", "warning", "error")
SEVERITY_RANK = {name: rank for rank, name in enumerate(SEVERITIES)}


@dataclass(frozen=True)
class Finding:
    """One problem found in one frame. A Finding is always a problem.

    ``atoms`` are 0-based indices as in ASE; ``line`` is the 1-based line in the
    file where the format has lines (xyz/extxyz), else None. ``value`` and
    ``threshold`` carry ``unit`` (e.g. "Å", "Å^3/atom", "ratio").
    """

    code: str
    name: str
    severity: str
    message: str
    atoms: tuple[int, ...] = ()
    value: float | None = None
    threshold: float | None = None
    unit: str | None = None
    path: str = "<atoms>"
    frame: int = 0
    line: int | None = None
    fixable: bool = False
    data: dict = field(default_factory=dict, compare=False, hash=False)

    def at(self, **where) -> Finding:
        """A copy placed at a path/frame/line."""
        return replace(self, **where)

    def to_dict(self) -> dict:
        """Every field as plain data (``asdict`` without its recursive deep copy: only
        ``data`` can hold containers, and it is copied)."""
        d = {name: getattr(self, name) for name in _FIELDS}
        d["atoms"] = list(self.atoms)
        if self.data:
            d["data"] = deepcopy(self.data)
        else:
            del d["data"]
        return d


_FIELDS = tuple(f.name for f in fields(Finding))


def at_least(findings: Iterable[Finding], severity: str) -> list[Finding]:
    rank = SEVERITY_RANK[severity]
    return [f for f in findings if SEVERITY_RANK[f.severity] >= rank]


def _atoms_text(atoms: Sequence[int], limit: int = 8) -> str:
    if not atoms:
        return ""
    shown = ",".join(str(a) for a in atoms[:limit])
    more = f",…(+{len(atoms) - limit})" if len(atoms) > limit else ""
    return f" [atoms {shown}{more}]"


def format_text(f: Finding) -> str:
    """``path:line: CODE [severity] name: message (frame F; atoms ...)``; ``[*]`` = fixable."""
    where = f"{f.path}:{f.line}" if f.line is not None else f.path
    atoms = ""
    if f.atoms:
        shown = ", ".join(str(a) for a in f.atoms[:8])
        atoms = f"; atoms {shown}" + (f", … (+{len(f.atoms) - 8})" if len(f.atoms) > 8 else "")
    fix = " [*]" if f.fixable else ""
    return f"{where}: {f.code} [{f.severity}] {f.name}: {f.message} (frame {f.frame}{atoms}){fix}"


def format_github(f: Finding) -> str:
    level = {"error": "error", "warning": "warning", "info": "notice"}[f.severity]
    line = f",line={f.line}" if f.line is not None else ""
    msg = f"{f.code} {f.name}: {f.message}{_atoms_text(f.atoms)} (frame {f.frame})"
    return f"::{level} file={_gh_property(f.path)}{line},title={f.code} {f.name}::{_gh_data(msg)}"


def _gh_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_property(text: str) -> str:
    """GitHub workflow-command property values also escape ':' and ','."""
    return _gh_data(text).replace(":", "%3A").replace(",", "%2C")


def sarif_document(findings: Sequence[Finding], rules: Sequence) -> dict:
    """A SARIF 2.1.0 log with one run; ``rules`` are engine.Rule objects."""
    from ._version import __version__

    level = {"error": "error", "warning": "warning", "info": "note"}
    results = []
    for f in findings:
        region = {"startLine": f.line} if f.line is not None else None
        loc = {"physicalLocation": {"artifactLocation": {"uri": f.path}}}
        if region:
            loc["physicalLocation"]["region"] = region
        results.append(
            {
                "ruleId": f.code,
                "level": level[f.severity],
                "message": {"text": f"{f.name}: {f.message}{_atoms_text(f.atoms)} (frame {f.frame})"},
                "locations": [loc],
                "properties": {"frame": f.frame, "atoms": list(f.atoms), "value": f.value,
                               "threshold": f.threshold, "unit": f.unit},
            }
        )
    return {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "structcheck",
                        "version": __version__,
                        "rules": [
                            {
                                "id": r.code,
                                "name": r.name,
                                "shortDescription": {"text": r.summary},
                                "defaultConfiguration": {"level": level[r.severity]},
                            }
                            for r in rules
                        ],
                    }
                },
                "results": results,
            }
        ],
    }


def statistics_lines(findings: Sequence[Finding]) -> list[str]:
    counts = Counter((f.code, f.name, f.fixable) for f in findings)
    rows = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0][0]))
    return [f"{n:>6}  {code:<6} {name}{' [*]' if fix else ''}" for (code, name, fix), n in rows]


def dumps_json(findings: Sequence[Finding]) -> str:
    return json.dumps([f.to_dict() for f in findings], indent=2, ensure_ascii=False)


def table(findings: Sequence[Finding]) -> str:
    """A readable fixed-width table (used by PreflightError and relax)."""
    rows = [("frame", "code", "severity", "name", "atoms", "message")]
    for f in findings:
        rows.append((str(f.frame), f.code, f.severity, f.name,
                     ",".join(map(str, f.atoms[:8])) + ("…" if len(f.atoms) > 8 else ""), f.message))
    widths = [max(len(r[c]) for r in rows) for c in range(5)]
    out = []
    for r in rows:
        out.append("  ".join(r[c].ljust(widths[c]) for c in range(5)) + "  " + r[5])
    return "\n".join(out)
