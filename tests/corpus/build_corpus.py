"""Rebuild the issue-11 verdict corpus: tests/corpus/{legit,broken}/ and manifest.json.

    python tests/corpus/build_corpus.py        # rewrites every file (deterministic)
    python tests/corpus/build_corpus.py --check   # rebuild in memory and compare with the files on disk

Legitimate structures come from published geometries (the source of each is in the
manifest); broken ones are deliberate mistakes of the kinds issue 11 lists, each with the
rule meant to catch it and the atoms. The schema is described in tests/corpus/README.md.
"""

from __future__ import annotations

import io
import json
import re
import sys
import tempfile
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

# legit modules register into _legit_mol.ENTRIES on import; broken ones into _broken.BROKEN
import _broken  # noqa: E402
import _broken2  # noqa: E402,F401
import _broken3  # noqa: E402,F401
import _broken4  # noqa: E402,F401
import _broken5  # noqa: E402,F401
import _broken6  # noqa: E402,F401
import _extra  # noqa: E402
import _legit_bio  # noqa: E402,F401
import _legit_mol  # noqa: E402
import _legit_mol2  # noqa: E402,F401
import _legit_mol3  # noqa: E402,F401
import _legit_periodic  # noqa: E402,F401
import _legit_periodic2  # noqa: E402,F401
import _probe11_legit  # noqa: E402,F401
import _probe11_periodic  # noqa: E402,F401
import _probe11_legit2  # noqa: E402,F401
import _probe11_broken  # noqa: E402,F401

# a few legit files in other formats, so the reader paths are exercised too
OTHER_FORMATS = {"ace_ala4_nme_helix": ("pdb", "proteindatabank"), "hkust1_primitive": ("cif", "cif")}


def serialise(atoms, fmt):
    from ase.io import write

    buf = io.StringIO()
    a = atoms.copy()
    info = {k: v for k, v in a.info.items() if k in ("charge", "multiplicity")}
    a.info = info
    if fmt == "extxyz":
        write(buf, a, format="extxyz", columns=["symbols", "positions"], write_info=True)
        return buf.getvalue()
    if fmt == "cif":  # cell parameters rounded: their last digit differs between numpy builds
        frac = a.get_scaled_positions(wrap=False)
        a.set_cell(np.round(a.cell.cellpar(), 8))
        a.set_scaled_positions(frac)
    with tempfile.TemporaryDirectory() as tmp:  # the CIF writer wants a binary file
        path = Path(tmp) / f"x.{fmt}"
        write(path, a, format=fmt)
        return path.read_text()


def sanity(name, atoms):
    """Refuse a legit structure with an atom pair closer than 0.6 Å (a construction bug)."""
    from ase.geometry import get_distances

    p = atoms.positions
    periodic = atoms.pbc.any()
    _, d = get_distances(p, cell=atoms.cell if periodic else None, pbc=atoms.pbc if periodic else None)
    d[np.diag_indices_from(d)] = np.inf
    if d.min() < 0.6:
        i, j = np.unravel_index(np.argmin(d), d.shape)
        raise SystemExit(f"legit {name}: atoms {i},{j} at {d.min():.3f} Å")


def build():
    files, entries = {}, []
    seen = set()
    for name, cls, atoms, source, desc in _legit_mol.ENTRIES:
        assert name not in seen, name
        seen.add(name)
        if len(atoms) <= 2000:
            sanity(name, atoms)
        if name in _extra.VERBATIM:  # a real file, copied as it is
            rel = f"legit/{name}.cif"
            files[rel] = _extra.VERBATIM[name].read_text()
        else:
            ext, fmt = OTHER_FORMATS.get(name, ("extxyz", "extxyz"))
            rel = f"legit/{name}.{ext}"
            files[rel] = serialise(atoms, fmt)
        e = {
            "file": rel,
            "kind": "legit",
            "class": cls,
            "description": desc,
            "source": source,
            "formula": atoms.get_chemical_formula(),
            "n_atoms": len(atoms),
            "periodic": bool(atoms.pbc.any()),
        }
        for k in ("charge", "multiplicity"):
            if k in atoms.info:
                e[k] = int(atoms.info[k])
        e["expect"] = {"max_severity": "warning"}
        entries.append(e)
    for name, cls, atoms, expect, desc in _broken.BROKEN:
        assert name not in seen, name
        seen.add(name)
        rel = f"broken/{name}.extxyz"
        files[rel] = serialise(atoms, "extxyz")
        for r in expect["requires"]:
            assert all(0 <= i < len(atoms) for i in r["atoms"]), (name, r)
        e = {
            "file": rel,
            "kind": "broken",
            "class": cls,
            "description": desc,
            "source": "constructed mistake (tests/corpus/build_corpus.py)",
            "formula": atoms.get_chemical_formula(),
            "n_atoms": len(atoms),
            "periodic": bool(atoms.pbc.any()),
        }
        for k in ("charge", "multiplicity"):
            if k in atoms.info:
                e[k] = int(atoms.info[k])
        e["expect"] = expect
        entries.append(e)
    manifest = {"version": 1, "schema": "tests/corpus/README.md", "entries": entries}
    files["manifest.json"] = json.dumps(manifest, indent=1, ensure_ascii=False) + "\n"
    return files


def _same_numbers(text):
    """The text with every decimal number rounded to 10 significant digits: the last bit of a
    cell angle from ``arccos`` (60.00000000000001 vs 59.99999999999999) depends on the BLAS
    thread count, not on the corpus."""
    return _FLOAT.sub(lambda m: f"{float(m.group()):.10g}", text)


_FLOAT = re.compile(r"-?\d+\.\d+(?:[eE][-+]?\d+)?")


def main(argv):
    files = build()
    if "--check" in argv:
        bad = [rel for rel, text in files.items()
               if not (HERE / rel).is_file() or _same_numbers((HERE / rel).read_text()) != _same_numbers(text)]
        print(f"{len(files)} files, {len(bad)} differ" + (": " + ", ".join(bad[:10]) if bad else ""))
        return 1 if bad else 0
    for sub in ("legit", "broken"):
        (HERE / sub).mkdir(exist_ok=True)
        for old in (HERE / sub).iterdir():
            if f"{sub}/{old.name}" not in files:
                old.unlink()
    for rel, text in files.items():
        (HERE / rel).write_text(text)
    kinds = [e for e in json.loads(files["manifest.json"])["entries"]]
    print(f"{sum(e['kind'] == 'legit' for e in kinds)} legit, {sum(e['kind'] == 'broken' for e in kinds)} broken")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
