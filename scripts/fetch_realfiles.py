"""Build tests/realfiles/: real-world structure files, taken verbatim from packages on PyPI.

    python scripts/fetch_realfiles.py [--mdanalysistests DIR] [--max-bytes 65536]

Sources: MDAnalysisTests 2.11.0 (``pip download --no-deps mdanalysistests==2.11.0``; its
``MDAnalysisTests/data``: PDB, GRO, LAMMPS, xyz and mmCIF files that MD packages and the PDB
wrote; LGPL-3.0-or-later, PDB entries CC0) and ASE's own test data (``ase/test/testdata``,
LGPL-2.1-or-later) and pymatgen's structures (``pymatgen/util/structures``: Structure JSON, MIT). Files up to ``--max-bytes`` are copied into ``tests/realfiles/files/``;
``manifest.json`` gets one entry per file (source path, sha256, bytes). Existing entries keep
their ``defect`` text and ``errors`` list (written by hand after reading the file: what is
really wrong with it and which rules name it); new files start as ``"defect": null`` (a
physically fine file: no error finding allowed). Run it again with ``--all`` and a larger
``--max-bytes`` to lint the large files too (they are not committed).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "realfiles"
MDA = "mdanalysistests==2.11.0"
SUFFIXES = (".pdb", ".gro", ".data", ".lammpstrj", ".xyz", ".cif", ".ent", ".pdbx", ".mcif", ".lmp")
COMPRESSED = ("", ".gz", ".bz2")
# larger files kept for what only they show (17,927-atom solvated DNA box with K+: the valence
# search deeper than Python's stack)
EXTRA = {"mdanalysistests/analysis/1k5i_c36.pdb.gz"}


def _wanted(name: str) -> bool:
    return any(name.endswith(s + c) for s in SUFFIXES for c in COMPRESSED)


def _mda_dir(given: str | None) -> Path:
    if given:
        return Path(given)
    tmp = Path(tempfile.mkdtemp())
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(tmp), MDA], check=True)
    (sdist,) = tmp.glob("mdanalysistests-*.tar.gz")
    with tarfile.open(sdist) as tf:
        tf.extractall(tmp, filter="data")
    return next(tmp.glob("mdanalysistests-*/MDAnalysisTests/data"))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mdanalysistests", metavar="DIR", help="an unpacked MDAnalysisTests/data folder")
    ap.add_argument("--max-bytes", type=int, default=65536)
    args = ap.parse_args()
    import ase
    import pymatgen.core
    from pymatgen.util.testing import STRUCTURES_DIR

    sources = [("mdanalysistests", _mda_dir(args.mdanalysistests), "mdanalysistests 2.11.0: MDAnalysisTests/data/"),
               ("ase", Path(ase.__file__).parent / "test" / "testdata", f"ase {ase.__version__}: ase/test/testdata/"),
               ("pymatgen", Path(STRUCTURES_DIR),
                f"pymatgen {pymatgen.core.__version__}: pymatgen/util/structures/")]
    man_path = OUT / "manifest.json"
    old = {e["file"]: e for e in json.loads(man_path.read_text())["entries"]} if man_path.exists() else {}
    entries = []
    for tag, base, label in sources:
        for p in sorted(base.rglob("*")):
            rel = p.relative_to(base).as_posix()
            if not p.is_file() or (p.stat().st_size > args.max_bytes and f"{tag}/{rel}" not in EXTRA):
                continue
            if not (_wanted(p.name.lower()) or (tag == "ase" and p.name.startswith("POSCAR"))
                    or (tag == "pymatgen" and p.suffix == ".json")):
                continue
            dest = OUT / "files" / tag / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(p, dest)
            key = f"{tag}/{rel}"
            e = {"file": key, "source": label + rel, "bytes": p.stat().st_size,
                 "sha256": hashlib.sha256(p.read_bytes()).hexdigest(), "defect": None, "errors": []}
            if key in old:
                e["defect"] = old[key].get("defect")
                e["errors"] = old[key].get("errors", [])
            entries.append(e)
    man_path.write_text(json.dumps({"version": 1, "entries": entries}, indent=1, ensure_ascii=False) + "\n")
    print(f"{len(entries)} files in {OUT / 'files'}")


if __name__ == "__main__":
    main()
