"""How far a periodic structure is scaled from its expected density: nearest-neighbour
distances against the element's reference crystal, the bond-valence model (ionic
crystals) or the covalent radii sum, for expanded-cell, scaled-cell and suspect-units."""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
from ase.data import atomic_numbers, chemical_symbols

from .chemistry import nonmetal_mask, table

BOHR = 0.529177


@lru_cache(maxsize=1)
def _bv_table() -> tuple[dict, float, dict, dict]:
    """({(cation Z, anion Z): (R0, valence)} fitted, b, {Z: (r, c)} of O'Keeffe & Brese,
    {anion Z: valence}) of the bond-valence model ([cell.bond_valence])."""
    t = table()["cell"]["bond_valence"]
    out = {}
    for anion, rows in t["r0"].items():
        for cation, (r0, v) in rows.items():
            out[(atomic_numbers[cation], atomic_numbers[anion])] = (float(r0), float(v))
    ob = {atomic_numbers[k]: (float(r), float(c)) for k, (r, c) in t["okeeffe_brese"].items()}
    anions = {atomic_numbers[k]: float(v) for k, v in t["anion_valence"].items()}
    return out, float(t["b"]), ob, anions


def _r0(c: int, a: int) -> float | None:
    """R0 of the cation-anion pair: fitted (Brese & O'Keeffe 1991), else from O'Keeffe &
    Brese's element parameters; None when neither knows the pair."""
    fitted, _, ob, _ = _bv_table()
    if (c, a) in fitted:
        return fitted[(c, a)][0]
    if c not in ob or a not in ob:
        return None
    (rc, cc), (ra, ca) = ob[c], ob[a]
    return rc + ra - rc * ra * (math.sqrt(cc) - math.sqrt(ca)) ** 2 / (cc * rc + ca * ra)


def _anions(sp: list) -> list:
    """The anions of the bond-valence estimate among species ``sp``: carbon only in a carbide
    (beside another anion it is a carbonate's or an organic linker's C, not an anion);
    hydrogen only in a saline hydride (every other species an s- or p-block metal)."""
    an = [s for s in sp if s in _bv_table()[3]]
    if an == [6]:
        return an
    an = [s for s in an if s not in (1, 6)]
    if not an and 1 in sp and len(sp) > 1:
        from .chemistry import TRANSITION, nonmetal_list

        nml = nonmetal_list()
        if not any(nml[s] or TRANSITION[s] for s in sp if s != 1):
            return [1]
    return an


def _cation_valences(frame, sp: list) -> dict:
    """{cation Z: valence} for the bond-valence estimate: with one cation species beside the
    anions, the valence that balances the anions' charges; otherwise the fitted table's."""
    from .chemistry import nonmetal_list

    fitted, _, _, anions = _bv_table()
    an = _anions(sp)
    if not an:
        return {}
    nml = nonmetal_list()
    cations = [s for s in sp if s not in anions and (not nml[s] or any((s, a) in fitted for a in an))]
    if len(cations) == 1 and len(cations) + len(an) == len(sp):
        cnt = np.bincount(frame.numbers, minlength=max(sp) + 1)
        v = sum(float(cnt[a]) * anions[a] for a in an) / float(cnt[cations[0]])
        return {cations[0]: v} if 0 < v <= 8 else {}
    out = {}
    for c in cations:
        for a in an:
            if (c, a) in fitted:
                out[c] = fitted[(c, a)][1]
    return out


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


@lru_cache(maxsize=64)
def _metallic_radii(species: tuple) -> np.ndarray | None:
    """Per Z: half the nearest-neighbour distance of the element's own metal (fcc, bcc, hcp of
    ase.data.reference_states, or [cell] element_nn), when every element of ``species`` is a
    metal that has one; else None."""
    from .chemistry import nonmetal_list

    nml = nonmetal_list()
    out = np.zeros(119)
    from ase.data import reference_states

    for zz in species:
        sym = (reference_states[zz] or {}).get("symmetry")
        known = chemical_symbols[zz] in table()["cell"]["element_nn"]  # beta-Sn, In, alpha-Mn, Ga
        if nml[zz] or not (known or sym in ("fcc", "bcc", "hcp")):
            return None
        out[zz] = _reference_nn(zz) / 2
    return out


def _nn_ratios(frame, p) -> tuple[np.ndarray, float]:
    """(per atom: the nearest-neighbour distance over the expected one, inf when unknown;
    the relative uncertainty of the estimate, [cell.uncertainty]: a reference crystal, the
    fitted or the generic bond-valence model, metallic radii, or the covalent radii).

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
    unc = table()["cell"]["uncertainty"]
    if ref:
        sym = chemical_symbols[sp[0]]
        u = unc["element_nn"] if sym in table()["cell"]["element_nn"] else \
            table()["cell"]["polymorph_uncertainty"].get(sym, unc["reference"])
    else:
        u = unc["covalent"]
    metallic = _metallic_radii(tuple(sp)) if len(sp) > 1 else None
    if ref:
        exp = np.full(len(p.i), float(ref))
    elif metallic is not None:
        # an intermetallic: each pair at the mean of the two elements' own nearest-neighbour
        # distances (half of each is its metallic radius; Vegard-like additivity)
        exp = metallic[z[p.i]] + metallic[z[p.j]]
        u = unc["metallic"]
    else:
        r = np.asarray(covalent_radii)
        exp = table()["cell"]["covalent_factor"] * (r[z[p.i]] + r[z[p.j]])
    ratio = p.d / exp
    nn = np.full(n, np.inf)
    np.minimum.at(nn, p.i, ratio)
    np.minimum.at(nn, p.j, ratio)
    vals = _cation_valences(frame, sp)
    if not vals:
        return nn, u
    b = _bv_table()[1]
    anions = _anions(sp)
    # every cation-anion pair with an R0: R0, the cation, its valence
    zi, zj = z[p.i], z[p.j]
    r0 = np.zeros(len(p.i))
    val = np.zeros(len(p.i))
    ci = np.full(len(p.i), -1)
    fitted = _bv_table()[0]
    u_bv = unc["fitted"]
    for c, v in vals.items():
        for a in anions:
            r = _r0(c, a)
            if r is None:
                continue
            if (c, a) not in fitted:
                u_bv = unc["generic"]
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
    return nn, (u_bv if cat.any() else u)


def _median_finite(x: np.ndarray) -> float | None:
    x = x[np.isfinite(x)]
    if not len(x):
        return None
    h = len(x) // 2  # the median by np.partition (np.median's overhead; no numpy.ma)
    part = np.partition(x, (h - 1, h) if len(x) % 2 == 0 and h else h)
    return float(part[h] if len(x) % 2 else (part[h - 1] + part[h]) / 2)


def expansion(frame) -> tuple[str, float, str | None] | None:
    """("expanded" | "scaled" | "bohr", scale, alternative) for a 3D-periodic structure whose
    nearest neighbours all sit at ``scale`` x their expected distance (no bond left, or only
    bonds stretched by the same factor); else None. ``alternative``: "scaled" or "bohr" where
    the estimate cannot tell x1.89 from x2, else None."""
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
        # in an ionic crystal two cations are not bonded, however large their covalent radii
        # (Cs...Cs in CsCl x1.3 is 5.36 Å, inside 1.25 x 4.88): only cation-anion bonds count
        ionic = not ref and any(a in sp for a in _bv_table()[3])
        nm = nonmetal_mask() if ionic else None
        met = _metallic_radii(tuple(sp)) if len(sp) > 1 else None  # an intermetallic
        for k in (slice(0, 2048), slice(None)):
            # a single element with a simple reference lattice: against its nearest neighbours
            # (W: bcc 2.74 Å is 0.85 x the radii sum, so x1.3 leaves bonds at 1.10 x the sum)
            if ref:
                expected = ref
            else:
                expected = (met if met is not None else r)[z[b.i[k]]] + (met if met is not None else r)[z[b.j[k]]]
            short = b.d[k] < t["bonded_min"] * expected
            if ionic:
                short &= nm[z[b.i[k]]] | nm[z[b.j[k]]]
            if short.any():
                return None
    if frame.volume < 1e-6:
        return None
    cut = t["max_scale"] * 1.05 * 2 * float(r[frame.species].max())
    p = frame.pairs_up_to(cut)
    if len(p.i) == 0:
        return None
    nn, u = _nn_ratios(frame, p)
    # carbon's nearest neighbour is never beyond 1.05 x the radii sum in a real structure (C-C
    # 1.54 / 1.52 Å, C-H 1.09 / 1.07, carbides below 1.0): with every atom's nearest neighbour
    # stretched, even the covalent estimate tells an expanded organic or framework crystal
    accurate = u < t["uncertainty"]["covalent"] or 6 in sp
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
    # x1.89 (Bohr) and x2 lie 6 % apart: an estimate less certain than that fits both; the
    # nearer is the finding, the other an alternative (a warning beside it)
    fits = [k for k, h in (("bohr", 1 / BOHR), ("scaled", 2.0)) if abs(scale / h - 1) <= u]
    if kind == "expanded" and fits == ["bohr"] and u < t["uncertainty"]["covalent"]:
        kind = "bohr"  # within a fair estimate's error of x1.89 (Al in NiAl: metallic radii 6 % long)
    alt = None
    if len(fits) == 2:
        kind, alt = ("scaled", "bohr") if kind == "scaled" else ("bohr", "scaled")
    memo["_expansion"] = (kind, scale, alt)
    return memo["_expansion"]
