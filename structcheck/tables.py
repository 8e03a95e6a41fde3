"""Threshold tables from ``rules/`` (shipped inside the wheel as ``structcheck/rules``)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import numpy as np
import tomllib
from ase.data import atomic_numbers, covalent_radii


def rules_dir() -> Path:
    """The folder of shipped profiles and tables (wheel: inside the package; source tree: ../rules)."""
    inside = Path(__file__).with_name("rules")
    return inside if inside.is_dir() else Path(__file__).resolve().parent.parent / "rules"


@cache
def load_toml(name: str) -> dict:
    path = Path(name) if Path(name).is_absolute() else rules_dir() / name
    with open(path, "rb") as fh:
        return tomllib.load(fh)


def _pair_key(key: str) -> tuple[int, int]:
    a, b = (s.strip() for s in key.split("-"))
    return atomic_numbers[a], atomic_numbers[b]


@dataclass(frozen=True)
class PairThresholds:
    """Per element-pair distances in Å, as (119, 119) matrices indexed by atomic number.

    ``close_contact[Zi, Zj]``: below this a pair is a close contact (an error).
    ``overlap[Zi, Zj]``: below this the two atoms are one duplicated site.
    ``bonded[Zi, Zj]``: below this the pair counts as bonded.
    """

    close_contact: np.ndarray
    overlap: np.ndarray
    bonded: np.ndarray
    close_contact_factor: float
    overlap_factor: float
    bonded_factor: float

    def cutoff(self, numbers: np.ndarray) -> float:
        """Largest distance any geometry rule needs for the species present (Å).

        Repeated numbers are harmless (a max over the sub-matrix); callers pass the unique
        species (np.unique would import numpy.ma on the lint path, ~7 ms)."""
        z = np.asarray(numbers)
        if len(z) == 0:
            return 0.0
        sub = np.ix_(z, z)
        return float(max(self.bonded[sub].max(), self.close_contact[sub].max(), zone_tables()[1][sub].max()))


def pair_thresholds(close_contact: float | None = None, overlap: float | None = None,
                    bonded: float | None = None, overlap_min_distance: float | None = None,
                    pairs: dict | None = None) -> PairThresholds:
    """Build the matrices from rules/pair_distances.toml, optionally overriding factors.

    ``pairs`` maps "A-B" to a close-contact distance in Å (or {"distance": x}).
    """
    table = load_toml("pair_distances.toml")
    f = dict(table["factors"])
    cc = f["close_contact"] if close_contact is None else close_contact
    ov = f["overlap"] if overlap is None else overlap
    bd = f["bonded"] if bonded is None else bonded
    ovmin = f["overlap_min_distance"] if overlap_min_distance is None else overlap_min_distance
    r = np.asarray(covalent_radii, dtype=float).copy()
    r[0] = 0.2  # "X": unknown element, a small radius so it is still checked
    rsum = r[:, None] + r[None, :]
    ccm = cc * rsum
    # pair classes (metal–metal multiple bonds...): a factor for every pair within the class;
    # a user factor replaces only the default, not the class (the class exists because the
    # default is wrong for those pairs)
    for cls in table.get("pair_classes", {}).values():
        zs = np.array([atomic_numbers[e] for e in cls["elements"]])
        ccm[np.ix_(zs, zs)] = np.minimum(ccm[np.ix_(zs, zs)], float(cls["factor"]) * rsum[np.ix_(zs, zs)])
    merged = dict(table.get("close_contact_pairs", {}))
    merged.update(pairs or {})
    for key, val in merged.items():
        zi, zj = _pair_key(key)
        dist = float(val["distance"] if isinstance(val, dict) else val)
        ccm[zi, zj] = ccm[zj, zi] = dist
    ovm = np.maximum(ovmin, ov * rsum)
    ovm = np.minimum(ovm, ccm)
    bdm = bd * rsum
    for key, val in table.get("bonded_pairs", {}).items():  # pairs whose single bond exceeds the factor
        zi, zj = _pair_key(key)
        bdm[zi, zj] = bdm[zj, zi] = max(bdm[zi, zj], float(val["distance"] if isinstance(val, dict) else val))
    return PairThresholds(ccm, ovm, bdm, cc, ov, bd)


@lru_cache(maxsize=1)
def default_pair_thresholds() -> PairThresholds:
    return pair_thresholds()


@lru_cache(maxsize=1)
def coordination_table() -> tuple[np.ndarray, np.ndarray]:
    """(max_neighbours[Z] with -1 for unbounded, is_nonmetal[Z] bool)."""
    t = load_toml("coordination.toml")
    maxn = np.full(119, -1, dtype=int)
    for sym, n in t["max_neighbours"].items():
        maxn[atomic_numbers[sym]] = n
    nonmetal = np.zeros(119, dtype=bool)
    for sym in t["nonmetals"]["symbols"]:
        nonmetal[atomic_numbers[sym]] = True
    return maxn, nonmetal


@lru_cache(maxsize=1)
def zone_tables() -> tuple[np.ndarray, np.ndarray]:
    """(longest known bond, reach) per element pair for bond-length's heavy-atom zone
    (rules/chemistry.toml [bond_length]; 0 = not judged). The neighbour list reaches it."""
    t = load_toml("chemistry.toml")["bond_length"]
    lo = np.zeros((119, 119))
    hi = np.zeros((119, 119))
    r = np.asarray(covalent_radii)
    for key, v in t["heavy_max"].items():
        a, b = _pair_key(key)
        lo[a, b] = lo[b, a] = float(v)
        hi[a, b] = hi[b, a] = t["zone"]["reach"] * (r[a] + r[b])
    return lo, hi

