"""Cost of the composition rules on ASE's g2 and s22 molecules, as ratios (issue 2).

Run from the repository root (a few seconds):

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/bench_composition.py

For every molecule of g2 and s22 (184 molecules, 1-42 atoms) the lint of one family is
timed with the shared neighbour list already built (as in a real lint, where every rule
reads the same ``frame.pairs``), interleaved and repeated (medians), because the machine
is shared. Printed: the time of each composition rule, and of the whole composition
family, as a RATIO to the geometry family (the rules that must run on every structure),
and the default lint (all default rules, neighbour list included) with and without
valence (SC202). charge-imbalance (SC203, off by default) only acts on periodic cells,
so it is timed on rock-salt NaCl and rutile TiO2 cells against the geometry family too.
"""

from __future__ import annotations

import statistics
import time
import warnings

warnings.simplefilter("ignore")


def main(repeats: int = 7) -> None:
    from ase.build import bulk
    from ase.collections import g2, s22
    from ase.spacegroup import crystal

    from structcheck.linter.config import load_config
    from structcheck.linter.frame import Frame
    from structcheck.linter.registry import all_rules

    mols = [g2[n] for n in g2.names] + [s22[n] for n in s22.names]
    rules = {r.code: r for r in all_rules()}
    cfg = load_config(use_project=False)
    geometry = [r for r in rules.values() if r.family == "geometry" and r.default_enabled]
    composition = [r for r in rules.values() if r.family == "composition"]

    def run(atoms_list, rule_list):
        for a in atoms_list:
            f = Frame(a, cfg)
            f.bonded_pairs  # noqa: B018  shared by every rule: built outside the timing
            t = time.perf_counter()
            for r in rule_list:
                list(r.func(f, **cfg.params.get(r.code, {})))
            yield time.perf_counter() - t

    def total(atoms_list, rule_list):
        return sum(run(atoms_list, rule_list))

    def default_lint(atoms_list, ignore=()):
        from structcheck.linter.engine import lint_atoms

        c = load_config(use_project=False, ignore=list(ignore))
        t = time.perf_counter()
        for a in atoms_list:
            lint_atoms(a, c)
        return time.perf_counter() - t

    rows: dict[str, list[float]] = {}
    for _ in range(repeats):
        rows.setdefault("geometry family", []).append(total(mols, geometry))
        rows.setdefault("composition family", []).append(total(mols, composition))
        for r in composition:
            rows.setdefault(f"{r.code} {r.name}", []).append(total(mols, [r]))
        rows.setdefault("default lint", []).append(default_lint(mols))
        rows.setdefault("default lint, valence ignored", []).append(default_lint(mols, ["valence"]))
    med = {k: statistics.median(v) for k, v in rows.items()}
    base = med["geometry family"]
    print(f"g2 + s22, {len(mols)} molecules, median of {repeats}; baseline: geometry family "
          f"({base * 1e3:.1f} ms)")
    for k in ["composition family"] + [f"{r.code} {r.name}" for r in composition]:
        print(f"  {k:36s} RATIO {med[k] / base:6.2f} x geometry family")
    print(f"  default lint / default lint without valence: RATIO "
          f"{med['default lint'] / med['default lint, valence ignored']:.2f} "
          f"(per molecule {med['default lint'] / len(mols) * 1e3:.2f} ms)")

    cells = [bulk("NaCl", "rocksalt", a=5.64, cubic=True),
             crystal(["Ti", "O"], basis=[(0, 0, 0), (0.305, 0.305, 0)], spacegroup=136,
                     cellpar=[4.594, 4.594, 2.959, 90, 90, 90])]
    sc203 = [rules["SC203"]]
    total(cells, sc203)  # the first call imports pymatgen and loads its ICSD table: not timed
    geo = statistics.median(total(cells, geometry) for _ in range(repeats))
    ci = statistics.median(total(cells, sc203) for _ in range(repeats))
    print(f"NaCl + rutile cells: SC203 charge-imbalance RATIO {ci / geo:.2f} x geometry family "
          f"(after pymatgen is imported)")


if __name__ == "__main__":
    main()
