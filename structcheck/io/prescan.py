"""Cheap checks before a file is handed to ASE: a header that declares far more records than the
file can hold makes ASE allocate for them (a LAMMPS data file declaring 1e8 atoms: 1.6 GB, 7 s)."""

from __future__ import annotations

import re

_LAMMPS_COUNT = re.compile(r"^\s*(\d+)\s+(atoms|bonds|angles|dihedrals|impropers|ellipsoids|lines|triangles|bodies)"
                           r"\s*$")
MIN_BYTES_PER_RECORD = 4  # "1 1\n" is the shortest record line a count can stand for


def lammps_declared_beyond_size(text: str) -> str | None:
    """One line when a LAMMPS data file's header declares more records than its size allows."""
    size = len(text)
    for k, line in enumerate(text[:1 << 16].splitlines()[:200], 1):
        m = _LAMMPS_COUNT.match(line)
        if m and int(m.group(1)) * MIN_BYTES_PER_RECORD > size:
            return (f"line {k} declares {int(m.group(1))} {m.group(2)}, more than a file of {size} "
                    "characters can hold")
    return None
