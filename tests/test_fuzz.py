"""Seeded mutation fuzzing of every documented input format (issue 13), bounded to about a minute.

Valid files (xyz, extxyz with a cell and per-atom properties, CIF, POSCAR, LAMMPS data, PDB) are
mutated (lines deleted, duplicated, blanked or truncated; numbers replaced by huge, tiny, NaN,
2^32+1 or garbage; quotes and bytes inserted; counts changed). All mutants of a round are linted
by one `structcheck lint` process and read by ASE in another; asserted: no signal, no traceback
or internal error, exit code in {0, 1, 2}, and an unreadable-structure finding (SC001) for every
file ASE refuses (an unknown element symbol may be reported as unknown-element instead) and for
every xyz frame whose declared atom count differs from the atoms read. A PDB ASE refuses only
for slipped coordinate columns, which structcheck reads by design (io/pdb.py), must keep every
atom record instead.

STRUCTCHECK_FUZZ_SECONDS (default 45) and STRUCTCHECK_FUZZ_SEED (default 13) set the budget and seed.
"""

import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

import ase.io
import pytest
from ase import Atoms
from ase.build import bulk, molecule

ROOT = Path(__file__).resolve().parents[1]
SECONDS = float(os.environ.get("STRUCTCHECK_FUZZ_SECONDS", "45"))
SEED = int(os.environ.get("STRUCTCHECK_FUZZ_SEED", "13"))
ROUND = 60  # mutants per round (one lint process, one ASE process)

# file name -> ASE format (what `--format-in` would say; the names let structcheck detect it)
FORMATS = {"w.xyz": "extxyz", "p.extxyz": "extxyz", "nacl.cif": "cif", "POSCAR": "vasp",
           "box.lmp": "lammps-data", "m.pdb": "proteindatabank"}


def seeds(folder: Path) -> dict[str, bytes]:
    water = molecule("H2O")
    nacl = bulk("NaCl", "rocksalt", a=5.64)
    cu = bulk("Cu", cubic=True) * (2, 1, 1)
    cu.arrays["tag2"] = __import__("numpy").arange(len(cu))
    cu.set_array("forces", cu.positions * 0.1)
    ase.io.write(folder / "w.xyz", water, format="xyz")
    ase.io.write(folder / "p.extxyz", [cu, cu], format="extxyz")
    ase.io.write(folder / "nacl.cif", nacl, format="cif")
    ase.io.write(folder / "POSCAR", nacl, format="vasp")
    ase.io.write(folder / "box.lmp", cu, format="lammps-data")
    ase.io.write(folder / "m.pdb", Atoms(water), format="proteindatabank")
    return {name: (folder / name).read_bytes() for name in FORMATS}


NUMBERS = [b"1e15", b"4294967297", b"-4294967297", b"1e8", b"3e9", b"0.003", b"0.01", b"0", b"-0", b"nan",
           b"inf", b"-inf", b"1e308", b"1e-320", b"100000000000000000000", b"7", b"-1", b"x", b"1.0.0",
           b"1,5", b"", b"\xff", b'"', b"'", b"{", b"T", b"F"]


def mutate(data: bytes, rng: random.Random) -> bytes:
    lines = data.split(b"\n")
    for _ in range(rng.choice((1, 1, 2, 3))):
        k = rng.randrange(len(lines))
        op = rng.randrange(10)
        if op == 0:
            del lines[k]
        elif op == 1:
            lines.insert(k, lines[k])
        elif op == 2:
            lines.insert(k, b"")
        elif op == 3:  # a number token replaced
            toks = lines[k].split(b" ")
            idx = [i for i, t in enumerate(toks) if t[:1].isdigit() or t[:1] in (b"-", b".")]
            if idx:
                toks[rng.choice(idx)] = rng.choice(NUMBERS)
            lines[k] = b" ".join(toks)
        elif op == 4:  # a token dropped or repeated
            toks = lines[k].split()
            if toks:
                i = rng.randrange(len(toks))
                toks[i:i + 1] = [] if rng.random() < 0.5 else [toks[i], toks[i]]
            lines[k] = b" ".join(toks)
        elif op == 5:  # truncated file
            cut = rng.randrange(len(data) + 1)
            return data[:cut]
        elif op == 6:  # a character removed or inserted (quotes, braces, bytes)
            ln = lines[k]
            i = rng.randrange(len(ln) + 1)
            if ln and rng.random() < 0.5:
                lines[k] = ln[:i] + ln[i + 1:]
            else:
                lines[k] = ln[:i] + rng.choice([b'"', b"'", b"{", b"}", b"=", b" ", b"\t", b"\x00", b"\xe9",
                                                  b"\r", b":", b"X"]) + ln[i:]
        elif op == 7:  # the line cut
            lines[k] = lines[k][:rng.randrange(len(lines[k]) + 1)]
        elif op == 8:  # two lines swapped
            j = rng.randrange(len(lines))
            lines[k], lines[j] = lines[j], lines[k]
        else:  # every number of the line scaled by a huge or tiny factor
            toks = lines[k].split()
            out = []
            for t in toks:
                try:
                    out.append(repr(float(t) * rng.choice((1e12, 1e-4, 4294967297.0))).encode())
                except ValueError:
                    out.append(t)
            lines[k] = b" ".join(out)
    return b"\n".join(lines)


ASE_ORACLE = r"""
import json, signal, sys, warnings
import ase.io
from structcheck.io import iter_frames
class Slow(Exception):
    pass
def alarm(*_):
    raise Slow()
signal.signal(signal.SIGALRM, alarm)
out = {}
for path, fmt in json.loads(sys.argv[1]):
    refused, why = False, ""
    signal.alarm(5)  # ASE itself can take minutes on a mutant (a count of 4294967297): no verdict then
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            frames = ase.io.read(path, ":", format=fmt)
    except Slow:
        out[path] = {"refused": False, "why": "ASE too slow", "mismatch": []}
        continue
    except Exception as exc:
        refused, why = True, f"{type(exc).__name__}: {str(exc)[:100]}"
    finally:
        signal.alarm(0)
    mismatch = []
    if fmt == "extxyz":  # each frame read: its count line (rec.line) declares len(atoms)
        lines = open(path, "rb").read().splitlines()
        for rec in iter_frames(path, "extxyz"):
            if rec.atoms is not None:
                head = lines[rec.line - 1].split() if rec.line and rec.line <= len(lines) else []
                if not head or not head[0].isdigit() or int(head[0]) != len(rec.atoms):
                    mismatch.append(rec.index)
    lenient = False
    if fmt == "proteindatabank" and refused:  # structcheck reads slipped columns (io/pdb.py): none dropped
        text = open(path, "rb").read().decode("utf-8", "replace")
        records = sum(ln.startswith(("ATOM", "HETATM")) for ln in text.splitlines())
        got = [r for r in iter_frames(path, fmt)]
        lenient = all(r.atoms is not None for r in got) and sum(len(r.atoms) for r in got) <= records and \
            len(got) == 1 and len(got[0].atoms) == records
    out[path] = {"refused": refused and not lenient, "why": why, "mismatch": mismatch}
print(json.dumps(out))
"""


def _env():
    return dict(os.environ, PYTHONPATH=str(ROOT), OMP_NUM_THREADS="1")


def test_fuzz_every_format(tmp_path):
    rng = random.Random(SEED)
    base = seeds(tmp_path)
    deadline = time.perf_counter() + SECONDS
    rounds = checked = refused_by_ase = 0
    while time.perf_counter() < deadline:
        folder = tmp_path / f"r{rounds}"
        folder.mkdir()
        todo = []
        for k in range(ROUND):
            name = rng.choice(sorted(FORMATS))
            sub = folder / f"{k:03d}"
            sub.mkdir()
            path = sub / name
            path.write_bytes(mutate(base[name], rng))
            todo.append((str(path), FORMATS[name]))
        by_fmt: dict[str, list[str]] = {}
        for path, fmt in todo:
            by_fmt.setdefault(fmt, []).append(path)
        found: dict[str, list[dict]] = {p: [] for p, _ in todo}
        for fmt, paths in by_fmt.items():
            p = subprocess.run([sys.executable, "-m", "structcheck.cli", "lint", "--isolated", "--output-format",
                                "jsonl", "--format-in", fmt, *paths], env=_env(), capture_output=True,
                               timeout=120, cwd=folder)
            assert p.returncode in (0, 1, 2), (p.returncode, fmt, p.stderr[-2000:])
            err = p.stderr.decode("utf-8", "replace")
            assert "Traceback" not in err and "internal error" not in err, err[-3000:]
            for line in p.stdout.decode("utf-8", "replace").splitlines():
                f = json.loads(line)
                if "path" in f and f["path"] in found:
                    found[f["path"]].append(f)
        oracle = subprocess.run([sys.executable, "-c", ASE_ORACLE, json.dumps(todo)], env=_env(),
                                capture_output=True, timeout=300, text=True)
        assert oracle.returncode == 0, oracle.stderr[-2000:]
        verdict = json.loads(oracle.stdout)
        for path, fmt in todo:
            v = verdict[path]
            codes = {f["code"] for f in found[path]}
            unknown_symbol = v["why"].startswith("KeyError") and "SC003" in codes
            ok = ("SC001" in codes or unknown_symbol) if v["refused"] else True
            ok = ok and ("SC001" in codes if v["mismatch"] else True)
            refused_by_ase += v["refused"]
            if not ok and os.environ.get("STRUCTCHECK_FUZZ_KEEP"):
                keep = Path(os.environ["STRUCTCHECK_FUZZ_KEEP"]) / f"{SEED}_{rounds}_{Path(path).parent.name}"
                keep.mkdir(parents=True, exist_ok=True)
                (keep / Path(path).name).write_bytes(Path(path).read_bytes())
            assert ok, (path, v, sorted(codes), Path(path).read_bytes()[:600])
        checked += len(todo)
        rounds += 1
    assert checked >= ROUND and refused_by_ase > 0


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_seeds_are_clean_enough_to_mutate(tmp_path, name):
    """The unmutated seeds are read by both ASE and structcheck (else the fuzz tests nothing)."""
    base = seeds(tmp_path)
    assert base[name]
    p = subprocess.run([sys.executable, "-m", "structcheck.cli", "lint", "--isolated", "--format-in", FORMATS[name],
                        "--select", "SC001", name], env=_env(), capture_output=True, cwd=tmp_path, timeout=60)
    assert p.returncode == 0, p.stdout + p.stderr
