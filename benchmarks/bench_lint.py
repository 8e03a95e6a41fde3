"""Lint speed and memory against ASE/pymatgen baselines measured in the same run (issue 2).

Run (from the repository root; ~3-4 minutes, data cached in /tmp/structcheck-bench):

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/bench_lint.py            # full
    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/bench_lint.py --quick    # fewer repeats, no pymatgen/ASE-nl report

Every figure is a RATIO against a baseline measured in this run, interleaved with ours and
repeated (medians), because the machine is shared and noisy:

1. ``structcheck lint`` on a 1e6- and a 1e5-atom periodic triclinic extxyz (rattled SiC
   supercell of the 60° primitive cell, Si-C 1.89 Å), run as a user runs it (no
   OMP_NUM_THREADS: vesin's neighbour list uses every core, its default; the run with
   OMP_NUM_THREADS=1 is printed beside it), wall time of the whole subprocess, vs
   the time of the ``ase.io.read(path)`` call alone (auto-detected format; import excluded:
   the strict reading of "just parsing it"). Peak RSS of our subprocess vs that of a
   process that imports ase.io and reads the file.
2. 10,000 small xyz files (g2 molecules of 3-30 atoms, rattled): one ``structcheck lint``
   process on all of them vs the time of a loop that only calls ``ase.io.read`` on each
   (import excluded).
3. Start-up: ``structcheck lint one.xyz`` vs ``python -c "import ase.io"`` (both whole processes).
4. Report only: the same neighbour work with pymatgen ``Structure.is_valid`` (1e4 atoms; it is
   O(N^2)) and ASE ``neighbor_list`` (1e4, 1e5), vs our lint of the same file.

Targets are on wall time. CPU-time ratios (user + sys of our child process; process_time of
the baseline's own call or loop) are printed beside them: on a shared, overloaded machine
wall time also counts the time spent waiting for a core. The small-file rows also show the
lint without the valence rule (SC202), whose bond-order search dominates for molecules, and
the lint with the valence rule's per-bond-graph memo switched off: the 10,000 files repeat
~100 g2 molecules (rattled), as trajectories and conformer sets repeat bond graphs; with the
memo off every file pays the search as if it were a new molecule.

structcheck is byte-compiled first (as a regular pip install does; an editable install run
under PYTHONDONTWRITEBYTECODE=1 would otherwise compile its sources at every start).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

DATA = Path(os.environ.get("STRUCTCHECK_BENCH_DATA", "/tmp/structcheck-bench"))
PY = sys.executable
SC = [PY, "-m", "structcheck.cli"]
ENV = dict(os.environ, OMP_NUM_THREADS=os.environ.get("OMP_NUM_THREADS", "1"))
# ``structcheck lint`` as a user runs it: no OMP_NUM_THREADS, so vesin's neighbour list uses
# every core (its default) on a big frame; the single-thread figures are printed beside it
ENV_DEFAULT = {k: v for k, v in os.environ.items() if k != "OMP_NUM_THREADS"}

# ------------------------------------------------------------------ data


def crystal(n_cells: tuple[int, int, int]):
    import numpy as np
    from ase.build import bulk

    prim = bulk("SiC", "zincblende", a=4.36)  # fcc primitive cell: a triclinic (60°) lattice
    a = prim.repeat(n_cells)
    a.positions += np.random.default_rng(1).normal(0.0, 0.05, a.positions.shape)
    return a


SIZES = {10_000: (25, 20, 10), 100_000: (50, 50, 20), 1_000_000: (100, 100, 50)}


def big_file(n: int) -> Path:
    p = DATA / f"sic_{n}.extxyz"
    if not p.exists():
        import ase.io

        DATA.mkdir(parents=True, exist_ok=True)
        ase.io.write(str(p) + ".tmp", crystal(SIZES[n]), format="extxyz")
        os.replace(str(p) + ".tmp", p)
    return p


def small_files(count: int = 10_000) -> list[Path]:
    d = DATA / "small"
    files = [d / f"m{k:05d}.xyz" for k in range(count)]
    if not all(f.exists() for f in (files[0], files[-1])):
        import ase.io
        import numpy as np
        from ase.collections import g2

        d.mkdir(parents=True, exist_ok=True)
        mols = [m for m in g2 if 3 <= len(m) <= 30]
        rng = np.random.default_rng(0)
        for k, f in enumerate(files):
            m = mols[k % len(mols)].copy()
            m.positions += rng.normal(0.0, 0.01, m.positions.shape)
            ase.io.write(f, m, format="xyz")
    return files


# ------------------------------------------------------------------ measuring


def measured(argv: list[str], stdout_json: bool = False, env: dict | None = None) -> tuple[float, float, object]:
    """(wall s, peak RSS MiB, stdout) of argv, run under a tiny wrapper that reports the
    child's own peak RSS and CPU time (``last_cpu()``)."""
    wrapper = ("import json,os,subprocess,sys,time,resource;t=time.perf_counter();"
               "p=subprocess.run(sys.argv[1:],capture_output=True);w=time.perf_counter()-t;"
               "u=resource.getrusage(resource.RUSAGE_CHILDREN);r=u.ru_maxrss/1024;"
               "print(json.dumps([w,r,u.ru_utime+u.ru_stime,p.returncode,"
               "p.stdout.decode(errors='replace')[-4000:],p.stderr.decode(errors='replace')[-2000:]]))")
    proc = subprocess.run([PY, "-c", wrapper, *argv], capture_output=True, env=ENV if env is None else env)
    wall, rss, cpu, rc, out, err = json.loads(proc.stdout.decode().strip().splitlines()[-1])
    if rc not in (0, 1):
        raise RuntimeError(f"{' '.join(map(str, argv[:6]))} failed ({rc}): {err}")
    _LAST_CPU[0] = cpu
    return wall, rss, (json.loads(out.strip().splitlines()[-1]) if stdout_json else out)


_LAST_CPU = [0.0]


def last_cpu() -> float:
    return _LAST_CPU[0]


ASE_READ = ("import json,time,sys,ase.io;t=time.perf_counter();c=time.process_time();a=ase.io.read(sys.argv[1]);"
            "print(json.dumps([time.perf_counter()-t,len(a),time.process_time()-c]))")
ASE_LOOP = ("import json,time,sys,ase.io;fs=open(sys.argv[1]).read().split();t=time.perf_counter()\n"
            "c=time.process_time()\nfor f in fs: ase.io.read(f)\n"
            "print(json.dumps([time.perf_counter()-t,len(fs),time.process_time()-c]))")
LINT_FILELIST = ("import sys;from structcheck.cli import main;"
                 "sys.exit(main(['lint','-q','--isolated',*sys.argv[2:],*open(sys.argv[1]).read().split()]))")
# the same with the valence rule's per-bond-graph memo off: as if every file were a new molecule
# (the 10,000 files repeat ~100 g2 molecules, as trajectories and conformer sets repeat bond graphs)
LINT_FILELIST_NOMEMO = LINT_FILELIST.replace(
    "from structcheck.cli import main;",
    "from structcheck.cli import main;import structcheck.linter.checks.valence as c;c._VALENCE_MEMO_SIZE=0;")


def med(xs):
    return statistics.median(xs)


ROWS: list[tuple[str, str, str, float | None, str, float | None]] = []


def row(metric, ours, base, ratio, target=None, unit=""):
    ROWS.append((metric, ours, base, ratio, f"<= {target}x" if target else "report", target))
    print(f"  {metric}: ours {ours}, baseline {base}, ratio {ratio:.2f}" if ratio is not None
          else f"  {metric}: ours {ours}, baseline {base}", flush=True)


def bench_big(n: int, reps: int, time_target: float, mem_target: float | None):
    f = str(big_file(n))
    ours_t, base_t, base_proc_t, ours_m, base_m, ours_c, base_c = [], [], [], [], [], [], []
    one_t, one_c = [], []
    for k in range(reps):
        order = (0, 1, 2) if k % 2 == 0 else (2, 1, 0)
        for which in order:
            if which == 0:
                w, rss, _ = measured([*SC, "lint", "-q", "--isolated", f], env=ENV_DEFAULT)
                ours_t.append(w)
                ours_m.append(rss)
                ours_c.append(last_cpu())
            elif which == 2:
                w, _, _ = measured([*SC, "lint", "-q", "--isolated", f])  # OMP_NUM_THREADS=1
                one_t.append(w)
                one_c.append(last_cpu())
            else:
                w, rss, (t_read, natoms, c_read) = measured([PY, "-c", ASE_READ, f], stdout_json=True)
                assert natoms == n
                base_t.append(t_read)
                base_c.append(c_read)
                base_proc_t.append(w)
                base_m.append(rss)
    label = f"{n:.0e}".replace("+0", "")
    row(f"lint {label} atoms, wall (vs ase.io.read call)", f"{med(ours_t):.2f} s", f"{med(base_t):.2f} s",
        med(ours_t) / med(base_t), time_target)
    row(f"lint {label} atoms, CPU (vs ase.io.read call)", f"{med(ours_c):.2f} s", f"{med(base_c):.2f} s",
        med(ours_c) / med(base_c))
    row(f"lint {label} atoms, one thread (OMP_NUM_THREADS=1), wall (vs call)", f"{med(one_t):.2f} s",
        f"{med(base_t):.2f} s", med(one_t) / med(base_t))
    row(f"lint {label} atoms, one thread, CPU (vs call)", f"{med(one_c):.2f} s", f"{med(base_c):.2f} s",
        med(one_c) / med(base_c))
    row(f"lint {label} atoms, wall (vs ase.io.read process)", f"{med(ours_t):.2f} s",
        f"{med(base_proc_t):.2f} s", med(ours_t) / med(base_proc_t))
    row(f"lint {label} atoms, peak RSS", f"{med(ours_m):.0f} MiB", f"{med(base_m):.0f} MiB",
        med(ours_m) / med(base_m), mem_target)


def bench_small(reps: int):
    files = small_files()
    lst = DATA / "small.list"
    lst.write_text("\n".join(map(str, files)))
    ours, base, base_proc, ours_c, base_c, nov, nov_c, nom, nom_c = [], [], [], [], [], [], [], [], []
    for k in range(reps):
        order = (0, 1, 2, 3) if k % 2 == 0 else (3, 2, 1, 0)
        for which in order:
            if which == 3:
                w, _, _ = measured([PY, "-c", LINT_FILELIST_NOMEMO, str(lst)])
                nom.append(w)
                nom_c.append(last_cpu())
            elif which == 0:
                w, _, _ = measured([PY, "-c", LINT_FILELIST, str(lst)])
                ours.append(w)
                ours_c.append(last_cpu())
            elif which == 2:  # the valence rule (SC202) alone, for the report
                w, _, _ = measured([PY, "-c", LINT_FILELIST, str(lst), "--ignore", "valence"])
                nov.append(w)
                nov_c.append(last_cpu())
            else:
                w, _, (t, nf, c) = measured([PY, "-c", ASE_LOOP, str(lst)], stdout_json=True)
                assert nf == len(files)
                base.append(t)
                base_c.append(c)
                base_proc.append(w)
    nf = len(files)
    row(f"lint {nf} small xyz, one process, wall (vs ase.io.read loop)", f"{med(ours):.2f} s",
        f"{med(base):.2f} s", med(ours) / med(base), 0.5)
    row(f"lint {nf} small xyz, CPU (vs ase.io.read loop)", f"{med(ours_c):.2f} s",
        f"{med(base_c):.2f} s", med(ours_c) / med(base_c))
    row(f"lint {nf} small xyz, valence memo off, wall (vs loop)", f"{med(nom):.2f} s",
        f"{med(base):.2f} s", med(nom) / med(base))
    row(f"lint {nf} small xyz, valence memo off, CPU (vs loop)", f"{med(nom_c):.2f} s",
        f"{med(base_c):.2f} s", med(nom_c) / med(base_c))
    row(f"lint {nf} small xyz --ignore valence, wall (vs loop)", f"{med(nov):.2f} s",
        f"{med(base):.2f} s", med(nov) / med(base))
    row(f"lint {nf} small xyz --ignore valence, CPU (vs loop)", f"{med(nov_c):.2f} s",
        f"{med(base_c):.2f} s", med(nov_c) / med(base_c))


def bench_startup(reps: int):
    one = small_files()[0]
    ours, base = [], []
    for k in range(reps):
        for which in ((0, 1) if k % 2 == 0 else (1, 0)):
            if which == 0:
                ours.append(measured([*SC, "lint", "-q", "--isolated", str(one)])[0])
            else:
                base.append(measured([PY, "-c", "import ase.io"])[0])
    row("start-up: lint one.xyz (vs python -c 'import ase.io')", f"{med(ours):.3f} s",
        f"{med(base):.3f} s", med(ours) / med(base), 1.0)


PMG = ("import json,time,sys,ase.io;a=ase.io.read(sys.argv[1]);t=time.perf_counter()\n"
       "from pymatgen.io.ase import AseAtomsAdaptor\n"
       "s=AseAtomsAdaptor.get_structure(a);t1=time.perf_counter();ok=s.is_valid(tol=0.5)\n"
       "print(json.dumps([time.perf_counter()-t,t1-t,bool(ok)]))")
ASENL = ("import json,time,sys,ase.io;a=ase.io.read(sys.argv[1]);t=time.perf_counter()\n"
         "from ase.neighborlist import neighbor_list\n"
         "i,j,d=neighbor_list('ijd',a,float(sys.argv[2]))\n"
         "print(json.dumps([time.perf_counter()-t,len(i)]))")
OURS_NL = ("import json,time,sys,ase.io;from structcheck.io import read_one;a=read_one(sys.argv[1]);"
           "import structcheck;t=time.perf_counter();f=structcheck.lint(a);"
           "print(json.dumps([time.perf_counter()-t,len(f)]))")


def bench_report():
    from structcheck.tables import default_pair_thresholds
    import numpy as np

    cutoff = default_pair_thresholds().cutoff(np.array([6, 14]))
    for n in (10_000, 100_000):
        f = str(big_file(n))
        label = f"{n:.0e}".replace("+0", "")
        w_ours, m_ours, (t_ours, _) = measured([PY, "-c", OURS_NL, f], stdout_json=True)
        w_lint, _, _ = measured([*SC, "lint", "-q", "--isolated", f])
        w, m, (t_nl, npairs) = measured([PY, "-c", ASENL, f, str(cutoff)], stdout_json=True)
        row(f"report {label}: ASE neighbor_list ({cutoff:.2f} Å) vs our lint_atoms (all rules)",
            f"{t_ours:.2f} s, {m_ours:.0f} MiB", f"{t_nl:.2f} s, {m:.0f} MiB", t_ours / t_nl)
        if n == 10_000:
            w, m, (t_pmg, t_build, ok) = measured([PY, "-c", PMG, f], stdout_json=True)
            row(f"report {label}: pymatgen Structure.is_valid vs our lint_atoms",
                f"{t_ours:.2f} s, {m_ours:.0f} MiB", f"{t_pmg:.2f} s (build {t_build:.2f}), {m:.0f} MiB",
                t_ours / t_pmg)
        row(f"report {label}: structcheck lint process (end to end)", f"{w_lint:.2f} s", "-", None)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer repeats; skip the pymatgen/ASE report")
    ap.add_argument("--only", choices=["big", "small", "startup", "report"], action="append")
    args = ap.parse_args()
    only = set(args.only or ["big", "small", "startup", "report"])
    if args.quick:
        only.discard("report")
    r = 1 if args.quick else 3
    print(f"python {sys.version.split()[0]}, OMP_NUM_THREADS={ENV['OMP_NUM_THREADS']}, "
          f"data in {DATA}", flush=True)
    t0 = time.perf_counter()
    for n in SIZES:
        if n > 10_000 or "report" in only:
            big_file(n)
    small_files()
    print(f"data ready ({time.perf_counter() - t0:.1f} s)", flush=True)
    # Byte-compile structcheck as a regular (non-editable) pip install does, so that neither
    # side pays for compiling its sources at start-up (ASE's .pyc come from its install; an
    # editable install under PYTHONDONTWRITEBYTECODE=1 would compile ours at every start).
    import compileall
    import structcheck

    compileall.compile_dir(str(Path(structcheck.__file__).parent), quiet=1)
    if "startup" in only:
        bench_startup(5 * r)
    if "big" in only:
        bench_big(100_000, 3 * r, 1.3, None)
        bench_big(1_000_000, r, 1.5, 2.0)
    if "small" in only:
        bench_small(r)
    if "report" in only:
        bench_report()
    print()
    w = max(len(m[0]) for m in ROWS)
    print(f"{'metric':<{w}}  {'ours':>20}  {'baseline':>34}  {'ratio':>6}  {'target':>8}  result")
    failed = 0
    for metric, ours, base, ratio, target_s, target in ROWS:
        res = "-" if target is None else ("pass" if ratio <= target else "FAIL")
        failed += res == "FAIL"
        rs = f"{ratio:.2f}" if ratio is not None else "-"
        print(f"{metric:<{w}}  {ours:>20}  {base:>34}  {rs:>6}  {target_s:>8}  {res}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
