"""One list of structure file names (structcheck/io/suffixes.py) behind the directory walk and the
pre-commit hook's `files` regex: they agree, and the reader lints a file of every kind."""

import bz2
import gzip
import lzma
import re
from pathlib import Path

import pytest
from ase.build import bulk, molecule
from ase.io import write

import structcheck
from structcheck.io.suffixes import BINARY, COMPRESSED, NAME_PREFIXES, TEXT, precommit_regex
from structcheck.scale.paths import DEFAULT_INCLUDE, _matches, iter_paths

ROOT = Path(__file__).resolve().parent.parent
OPEN = {"gz": gzip.open, "bz2": bz2.open, "xz": lzma.open}


def hook_regex() -> str:
    yaml = pytest.importorskip("yaml", reason="PyYAML (a pre-commit dependency) is not installed")
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    return hook["files"]


def names():
    yes = [f"a.{e}" for e in TEXT] + [f"a.{e}.{c}" for e in TEXT for c in COMPRESSED] + [f"a.{e}" for e in BINARY]
    yes += [p for p in NAME_PREFIXES] + [f"{p}_relaxed.gz" for p in NAME_PREFIXES] + ["A.XYZ", "b.Cif.GZ", "poscar"]
    no = ["a.py", "a.gz", "a.txt", "xyz", "a.traj.gz", "a.db.xz", "a.xyz.zip", "a.xyz~", "README.md", "a.xyzz",
          "POS", "a.extxyz.gz.bak"]
    return yes, no


def test_hook_regex_is_the_one_from_the_list():
    assert hook_regex() == precommit_regex()


def test_walk_and_hook_pick_the_same_names():
    rx = re.compile(hook_regex())
    yes, no = names()
    for name in yes + no:
        walk = _matches(name, name, DEFAULT_INCLUDE)
        hook = rx.search(f"data/sub/{name}") is not None
        assert walk == hook == (name in yes), name
    # the fast regex of the default and the globs it stands for agree
    import fnmatch

    globs = re.compile("|".join(fnmatch.translate(p) for p in DEFAULT_INCLUDE))
    for name in yes + no:
        assert (globs.match(name) is not None) == _matches(name, name, DEFAULT_INCLUDE), name


def test_every_kind_is_walked_and_read(tmp_path):
    bad = molecule("H2O")
    bad.positions[1] = bad.positions[0] + [0.3, 0, 0]  # one close contact in every file
    crystal = bulk("NaCl", "rocksalt", a=5.64)
    crystal[1].position += [-1.9, 0, 0]  # Na–Cl 0.92 Å
    periodic_only = {"vasp", "poscar", "xsf", "res", "gen", "cfg", "pwi"}
    made = []
    for ext, fmt in {**TEXT, **BINARY}.items():
        if ext in ("mol", "sdf"):  # ASE reads these, writes neither: an MDL molfile by hand
            text = ("water\n  hand\n\n  3  2  0  0  0  0  0  0  0  0999 V2000\n"
                    "    0.0000    0.0000    0.1193 O   0  0\n    0.3000    0.0000    0.1193 H   0  0\n"
                    "    0.0000   -0.7632   -0.4770 H   0  0\n  1  2  1  0\n  1  3  1  0\nM  END\n")
            (tmp_path / f"a.{ext}").write_text(text + ("$$$$\n" if ext == "sdf" else ""))
        elif ext in ("pdbx", "mcif"):  # ASE writes no mmCIF: a PDBx/mmCIF atom_site loop by hand
            rows = "\n".join(f"HETATM {k + 1} {a.symbol} {a.symbol}{k} . HOH A 1 {x:.3f} {y:.3f} {z:.3f} 1.0 1 A 1"
                             for k, (a, (x, y, z)) in enumerate(zip(bad, bad.positions)))
            (tmp_path / f"a.{ext}").write_text(
                "data_w\nloop_\n" + "".join(f"_atom_site.{t}\n" for t in (
                    "group_PDB", "id", "type_symbol", "label_atom_id", "label_alt_id", "label_comp_id",
                    "label_asym_id", "label_seq_id", "Cartn_x", "Cartn_y", "Cartn_z", "occupancy",
                    "auth_seq_id", "auth_asym_id", "pdbx_PDB_model_num")) + rows + "\n")
        elif ext == "lammpstrj":  # ASE writes no LAMMPS dump: one by hand, with an element column
            rows = "\n".join(f"{k + 1} 1 {a.symbol} {x:.4f} {y:.4f} {z:.4f}"
                             for k, (a, (x, y, z)) in enumerate(zip(bad, bad.positions + 5)))
            (tmp_path / f"a.{ext}").write_text(
                f"ITEM: TIMESTEP\n0\nITEM: NUMBER OF ATOMS\n{len(bad)}\nITEM: BOX BOUNDS pp pp pp\n"
                f"0 10\n0 10\n0 10\nITEM: ATOMS id type element x y z\n{rows}\n")
        else:
            atoms = crystal if ext in periodic_only else bad
            if ext in ("data", "lmp"):  # in a box, with the Masses section that names the elements
                kw = {"masses": True}
                atoms = bad.copy()
                atoms.cell = [10, 10, 10]
                atoms.center()
            else:
                kw = {"pseudopotentials": {"Na": "Na.UPF", "Cl": "Cl.UPF"}} if ext == "pwi" else {}
            write(tmp_path / f"a.{ext}", atoms, format=fmt, **kw)
        made.append(f"a.{ext}")
    for ext in ("xyz", "cif", "pdb"):
        for c in COMPRESSED:
            with OPEN[c](tmp_path / f"z.{ext}.{c}", "wb") as fh:
                fh.write((tmp_path / f"a.{ext}").read_bytes())
            made.append(f"z.{ext}.{c}")
    write(tmp_path / "POSCAR", crystal, format="vasp")
    with gzip.open(tmp_path / "CONTCAR.gz", "wb") as fh:
        fh.write((tmp_path / "POSCAR").read_bytes())
    made += ["POSCAR", "CONTCAR.gz"]
    (tmp_path / "notes.txt").write_text("not a structure")
    (tmp_path / "a.traj.gz").write_bytes(b"x")
    walked = sorted(Path(p).name for p in iter_paths([str(tmp_path)]))
    assert walked == sorted(made)
    for name in made:
        found = structcheck.lint(str(tmp_path / name))
        codes = {f.code for f in found}
        assert "SC001" not in codes and "SC102" in codes, (name, [str(f) for f in found])
