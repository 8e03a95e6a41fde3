"""How far a periodic structure is scaled from its expected density: nearest-neighbour
distances against the element's reference crystal, the bond-valence model (ionic
crystals) or the covalent radii sum, for expanded-cell, scaled-cell and suspect-units."""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
from ase.data import atomic_numbers, chemical_symbols

from .chemistry import table

BOHR = 0.529177


@lru_cache(maxsize=1)
def _bv_table() -> tuple[dict, float]:
    """{(cation Z, anion Z): (R0, valence)} and b of the bond-valence model ([cell.bond_valence])."""
    t = table()["cell"]["bond_valence"]
    out = {}
    for anion, rows in t["r0"].items():
        for cation, (r0, v) in rows.items():
            out[(atomic_numbers[cation], atomic_numbers[anion])] = (float(r0), float(v))
    return out, float(t["b"])


def _reference_nn(z: int) -> float | None:
    """Nearest-neighbour distance of element ``z``'s reference crystal (ase.data.reference_states)."""
    from ase.data import reference_states

    known = table()["cell"]["element_nn"]
    if chemical_symbols[z] in known:
        return float(known[chemical_symbols[z]])
    ref = reference_states[z] or {}
    a, sym = ref.get("a"), ref.get("symmetry")
    if sym == "diatom":
        return ref.get("d")
    if not a:
        return None
    if sym == "rhombohedral" and len(ref.get("basis_x", [0.0])) == 1:
        return a  # one atom per rhombohedral cell (alpha-Hg)
    if sym == "hcp":  # c/a below the ideal 1.633: the out-of-plane neighbours are nearer
        return min(a, math.sqrt(a * a / 3 + (ref.get("c/a", 1.633) * a) ** 2 / 4))
    return {"fcc": a / math.sqrt(2), "bcc": a * math.sqrt(3) / 2, "diamond": a * math.sqrt(3) / 4,
            "sc": a, "hcp": a}.get(sym)


def _nn_ratios(frame, p) -> tuple[np.ndarray, bool]:
    """(per atom: the nearest-neighbour distance over the expected one, inf when unknown;
    whether the estimate is accurate: a reference crystal or the bond-valence model).

    Expected: the reference crystal for one element; for a cation of the bond-valence table,
    its nearest anion at  R0 - b ln(V / CN)  (Brown's bond-valence model, CN counted within
    1.2 x the nearest cation-anion distance), the anion then judged through its cation;
    otherwise the Cordero radii sum times [cell] covalent_factor."""
    from ase.data import covalent_radii

    z = frame.numbers
    n = len(frame)
    sp = frame.species.tolist()
    ref = _reference_nn(sp[0]) if len(sp) == 1 else None
    # a simple reference lattice (fcc, bcc, hcp, diamond) is accurate; [cell] element_nn is
    # polymorph-dependent (graphite/diamond, alpha/beta-Sn) and judges unbonded structures only
    accurate = bool(ref) and chemical_symbols[sp[0]] not in table()["cell"]["element_nn"]
    if ref:
        exp = np.full(len(p.i), float(ref))
    else:
        r = np.asarray(covalent_radii)
        exp = table()["cell"]["covalent_factor"] * (r[z[p.i]] + r[z[p.j]])
    ratio = p.d / exp
    nn = np.full(n, np.inf)
    np.minimum.at(nn, p.i, ratio)
    np.minimum.at(nn, p.j, ratio)
    bv, b = _bv_table()
    if not any(c in sp and a in sp for (c, a) in bv):
        return nn, accurate
    # every cation-anion pair of the table: R0, the cation, its valence
    zi, zj = z[p.i], z[p.j]
    r0 = np.zeros(len(p.i))
    val = np.zeros(len(p.i))
    ci = np.full(len(p.i), -1)
    for (c, a), (r, v) in bv.items():
        if c in sp and a in sp:
            for m, side in ((((zi == c) & (zj == a)), p.i), (((zi == a) & (zj == c)), p.j)):
                r0[m], val[m], ci[m] = r, v, side[m]
    m = ci >= 0
    ci, d, r0, val = ci[m], p.d[m], r0[m], val[m]
    d1 = np.full(n, np.inf)
    np.minimum.at(d1, ci, d)
    shell = d <= 1.2 * d1[ci]  # the first coordination shell
    ci, d, r0, val = ci[shell], d[shell], r0[shell], val[shell]
    cn = np.bincount(ci, minlength=n)
    v_at = np.zeros(n)
    v_at[ci] = val
    # the scale s at which the bond-valence sum of each cation equals its valence (bond
    # valences of at most 1: fewer anions than the valence are single bonds), by bisection
    target = np.minimum(v_at, cn)
    lo, hi = np.full(n, 0.3), np.full(n, 5.0)
    for _ in range(30):
        mid = (lo + hi) / 2
        bvs = np.bincount(ci, weights=np.minimum(np.exp((r0 - d / mid[ci]) / b), 1.0), minlength=n)
        up = bvs < target
        lo = np.where(up, mid, lo)
        hi = np.where(up, hi, mid)
    cat = cn > 0
    nn[cat] = ((lo + hi) / 2)[cat]
    if cat.any():  # the cations of the table decide: the other atoms' Cordero estimate is rough
        nn = np.where(cat, nn, np.inf)
    return nn, accurate or bool(cat.any())


def _median_finite(x: np.ndarray) -> float | None:
    x = x[np.isfinite(x)]
    if not len(x):
        return None
    h = len(x) // 2  # the median by np.partition (np.median's overhead; no numpy.ma)
    part = np.partition(x, (h - 1, h) if len(x) % 2 == 0 and h else h)
    return float(part[h] if len(x) % 2 else (part[h - 1] + part[h]) / 2)


def expansion(frame) -> tuple[str, float] | None:
    """("expanded" | "scaled" | "bohr", scale) for a 3D-periodic structure whose nearest
    neighbours all sit at ``scale`` x their expected distance (no bond left, or only bonds
    stretched by the same factor); else None."""
    memo = frame.__dict__
    if "_expansion" in memo:
        return memo["_expansion"]
    memo["_expansion"] = None
    if not all(frame.pbc.tolist()) or len(frame) == 0:
        return None
    sp = frame.species.tolist()
    if all(z in (2, 10, 18, 36, 54, 86) for z in sp) or sp == [1] or 0 in sp:
        return None
    t = table()["cell"]
    b = frame.bonded_pairs
    from ase.data import covalent_radii

    r = np.asarray(covalent_radii)
    if len(b.i):
        # any bond at its normal length (relative to the radii sum): not expanded; the first
        # few bonds decide the common case at once
        z = frame.numbers
        ref = _reference_nn(sp[0]) if len(sp) == 1 and chemical_symbols[sp[0]] not in t["element_nn"] else None
        for k in (slice(0, 2048), slice(None)):
            # a single element with a simple reference lattice: against its nearest neighbours
            # (W: bcc 2.74 Å is 0.85 x the radii sum, so x1.3 leaves bonds at 1.10 x the sum)
            expected = ref if ref else r[z[b.i[k]]] + r[z[b.j[k]]]
            if (b.d[k] < t["bonded_min"] * expected).any():
                return None
    if abs(np.linalg.det(frame.cell)) < 1e-6:
        return None
    cut = t["max_scale"] * 1.05 * 2 * float(r[frame.species].max())
    p = frame.pairs_up_to(cut)
    if len(p.i) == 0:
        return None
    nn, accurate = _nn_ratios(frame, p)
    if not np.isfinite(nn).any() or (len(b.i) and (not accurate or nn.min() < t["bonded_min"])):
        return None
    scale = _median_finite(nn)
    if scale is None or scale < t["expanded_min"] or scale > t["max_scale"]:
        return None
    if abs(scale - 1 / BOHR) <= t["bohr_tolerance"] / BOHR:
        kind = "bohr"
    elif scale >= t["scaled_min"]:
        kind = "scaled"
    else:
        kind = "expanded"
    memo["_expansion"] = (kind, scale)
    return memo["_expansion"]
