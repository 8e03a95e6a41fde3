"""HTML report of a 100,000-atom cell with 30 close contacts: size and time, as a ratio to one lint.

Run: OMP_NUM_THREADS=1 python benchmarks/bench_report.py
Prints the report's size and the time to build it (scene + HTML + write) next to the time of
one lint of the same structure (the comparison that does not depend on the machine).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import numpy as np


def structure(n_contacts: int = 30, seed: int = 0):
    """fcc Cu, 100,920 atoms, periodic; ``n_contacts`` atoms pushed to 1.3 Å from a neighbour."""
    from ase.build import bulk

    atoms = bulk("Cu", "fcc", a=3.61, cubic=True).repeat((29, 29, 30))
    rng = np.random.default_rng(seed)
    picks = rng.choice(len(atoms), size=n_contacts, replace=False)
    nn = np.array([0.0, 3.61 / 2, 3.61 / 2])  # a nearest-neighbour vector, 2.553 Å
    for i in picks:  # move atom i towards the neighbour at +nn: 2.553 -> 1.30 Å
        atoms.positions[i] += nn * (1 - 1.30 / np.linalg.norm(nn))
    atoms.wrap()
    return atoms


def main() -> int:
    import structcheck
    from structcheck.report.html import to_html, write_html

    atoms = structure()
    structcheck.lint(atoms)  # warm-up (imports, tables)
    t0 = time.perf_counter()
    findings = structcheck.lint(atoms)
    t_lint = time.perf_counter() - t0
    contacts = [f for f in findings if f.name == "close-contact"]
    to_html(findings[:1], atoms)  # warm-up (assets)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "report.html"
        t0 = time.perf_counter()
        write_html(out, findings, atoms)
        t_html = time.perf_counter() - t0
        size = out.stat().st_size
        # the command line, file to file: lint --output-format html against plain lint
        import ase.io

        from structcheck.cli import main as cli

        xyz = Path(tmp) / "cu100k.extxyz"
        ase.io.write(xyz, atoms, format="extxyz")
        cli(["lint", "-q", "-o", str(Path(tmp) / "w.txt"), str(xyz)])  # warm-up
        t0 = time.perf_counter()
        cli(["lint", "-q", "-o", str(Path(tmp) / "t.txt"), str(xyz)])
        t_cli_text = time.perf_counter() - t0
        t0 = time.perf_counter()
        cli(["lint", "-q", "--output-format", "html", "-o", str(out), str(xyz)])
        t_cli_html = time.perf_counter() - t0
        size_cli = out.stat().st_size
    print(f"atoms {len(atoms)}, findings {len(findings)} ({len(contacts)} close-contact)")
    print(f"lint {t_lint:.3f} s; HTML report {t_html:.3f} s = {t_html / t_lint:.2f} x one lint; "
          f"size {size / 1e6:.2f} MB")
    print(f"command line (read + lint + write): text {t_cli_text:.3f} s, html {t_cli_html:.3f} s "
          f"= {t_cli_html / t_cli_text:.2f} x; html size {size_cli / 1e6:.2f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
