"""Root causes: one finding for a unit or coordinate-convention mistake, with the
findings it causes grouped under it instead of tens or hundreds of consequences."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

# suspect-units (Bohr/Å, fractional as Cartesian), expanded-cell, scaled-cell
ROOT_CODES = frozenset({"SC106", "SC303", "SC304"})


def group_root_causes(findings: list) -> list:
    """If a root-cause finding is present, fold every other finding of the frame (except
    input problems, SC0xx) into it: its ``data["grouped"]`` counts them by rule name and
    its message says so. Without one, the list is returned unchanged."""
    # the other reading of an ambiguous scale (x1.89 Bohr or x2) stands beside the root cause
    # as a warning, not a second error
    findings = [replace(f, severity="warning") if f.code in ROOT_CODES and f.data.get("alternative")
                and f.severity == "error" else f for f in findings]
    roots = [f for f in findings if f.code in ROOT_CODES and not f.data.get("alternative")]
    if not roots:
        return findings
    caused = [f for f in findings if f.code not in ROOT_CODES and not f.code.startswith("SC0")]
    if not caused:
        return findings
    counts = Counter(f.name for f in caused)
    text = ", ".join(f"{n} {name}" for name, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
    first = roots[0]
    data = dict(first.data)
    data["grouped"] = dict(counts)
    root = replace(first, message=f"{first.message} [root cause; {len(caused)} finding(s) it causes "
                                  f"grouped here: {text}]", data=data)
    return [root if f is first else f for f in findings if f not in caused]
