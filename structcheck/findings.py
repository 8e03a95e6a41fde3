"""Findings (plain data), every text report format, and FindingList (a list that shows as a table in a notebook)."""

from __future__ import annotations

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

    def __str__(self) -> str:
        return format_text(self)

    def __repr__(self) -> str:
        where = f", path={self.path!r}" if self.path != "<atoms>" else ""
        return (f"Finding({self.code} {self.severity} {self.name}, atoms={self.atoms}, frame={self.frame}"
                f"{where}: {self.message!r})")

    def _repr_html_(self) -> str:
        return findings_html([self])

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
    from .outputs import shown  # a newline or control character in a name cannot forge a line

    path = shown(f.path)
    where = f"{path}:{f.line}" if f.line is not None else path
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
    import json  # here, not at import: a text report needs no json (start-up of one lint)

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


# ---------------------------------------------------------------- notebooks: FindingList
# Jupyter shows an object by its ``_repr_html_``; a plain list of dataclasses shows as one long
# line. The table is a few lines of escaped HTML (pandas would be a heavy import for it).

MAX_ROWS = 200  # rows shown in a notebook table; the summary counts all of them
_COLOURS = {"error": "#b00020", "warning": "#9a6700", "info": "#0b5394"}


def summary(findings) -> str:
    """``3 findings (2 errors, 1 warning) in 1 frame: SC102×2, SC103`` or ``no findings``."""
    findings = list(findings)
    if not findings:
        return "no findings"
    sev = Counter(f.severity for f in findings)
    parts = [f"{sev[s]} {s}{'s' if sev[s] != 1 else ''}" for s in ("error", "warning", "info") if sev[s]]
    frames = {(f.path, f.frame) for f in findings}
    codes = Counter(f.code for f in findings)
    code_text = ", ".join(f"{c}×{n}" if n > 1 else c for c, n in sorted(codes.items()))
    return (f"{len(findings)} finding{'s' if len(findings) != 1 else ''} ({', '.join(parts)}) in "
            f"{len(frames)} frame{'s' if len(frames) != 1 else ''}: {code_text}")


def _atoms_cell(atoms, limit: int = 8) -> str:
    shown = ", ".join(str(a) for a in atoms[:limit])
    return shown + (f", … (+{len(atoms) - limit})" if len(atoms) > limit else "")


def findings_html(findings: Iterable, title: str | None = None, max_rows: int = MAX_ROWS) -> str:
    """An HTML table of findings with a summary line (and ``title`` above it)."""
    from html import escape  # not at module level: the lint path never needs it

    findings = list(findings)
    head = f"<strong>{escape(title)}</strong>: " if title else ""
    out = [f'<div class="structcheck-findings"><p>{head}{escape(summary(findings))}</p>']
    if findings:
        paths = {f.path for f in findings}
        show_path = len(paths) > 1 or paths != {"<atoms>"}
        cols = (["path"] if show_path else []) + ["frame", "code", "severity", "name", "atoms", "message"]
        out.append("<table><thead><tr>" + "".join(f"<th>{c}</th>" for c in cols) + "</tr></thead><tbody>")
        for f in findings[:max_rows]:
            colour = _COLOURS.get(f.severity, "inherit")
            where = [escape(f.path) + (f":{f.line}" if f.line is not None else "")] if show_path else []
            cells = where + [str(f.frame), escape(f.code),
                             f'<span style="color:{colour}">{escape(f.severity)}</span>',
                             escape(f.name) + (" [*]" if f.fixable else ""),
                             escape(_atoms_cell(f.atoms)), escape(f.message)]
            out.append("<tr>" + "".join(f'<td style="text-align:left">{c}</td>' for c in cells) + "</tr>")
        out.append("</tbody></table>")
        if len(findings) > max_rows:
            out.append(f"<p>… {len(findings) - max_rows} more (all are in the list)</p>")
    out.append("</div>")
    return "".join(out)


class FindingList(list):
    """A list of :class:`~structcheck.findings.Finding` that shows as a table in a notebook.

    ``summary()`` is the one-line count; ``errors``/``warnings`` filter by severity
    (plain lists are returned by slicing and by ``+``, as for any list).
    """

    def summary(self) -> str:
        return summary(self)

    @property
    def errors(self) -> FindingList:
        return FindingList(f for f in self if f.severity == "error")

    @property
    def warnings(self) -> FindingList:
        return FindingList(f for f in self if f.severity == "warning")

    def _repr_html_(self) -> str:
        return findings_html(self)

    def __str__(self) -> str:
        return "\n".join([summary(self)] + [format_text(f) for f in self])

    def __repr__(self) -> str:
        if not self:
            return "FindingList([])  # no findings"
        return "FindingList([\n" + "".join(f"  {f!r},\n" for f in self) + f"])  # {summary(self)}"
