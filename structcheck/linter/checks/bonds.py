"""Bond-shape rules: bond lengths, bond angles, van der Waals contacts (family ``geometry``)."""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
from ase.data import atomic_numbers, chemical_symbols

from ..chemistry import NOBLE as _NOBLE, components, contact_components, nonmetal_list, nonmetal_mask, small_graph, table, vdw_radii
from ...tables import zone_tables
from ..angles import angle_hits, classic_angles
from ..frame import Frame
from ..ligands import ligand_outliers
from ..stretch import (bond_lists, compressed_bonds, lone_hydrogens, neighbour_sets, one_partner,
                       stretched_pairs, terminal_underbonded)
from ..rule import Hit, rule


def _sym(z: int) -> str:
    return chemical_symbols[int(z)]


@lru_cache(maxsize=1)
def _terminal_h_max() -> tuple[np.ndarray, list]:
    t = np.full(119, np.inf)
    for sym, v in table()["bond_length"]["terminal_h_max"].items():
        t[atomic_numbers[sym]] = float(v)
    return t, t.tolist()


@lru_cache(maxsize=1)
def _zone_pairs() -> list:
    lo = zone_tables()[0]
    return [(int(a), int(b)) for a, b in zip(*np.nonzero(lo)) if a <= b]


@lru_cache(maxsize=256)
def _zone_span_for(species: tuple, twin: bool = True) -> tuple[float, float] | None:
    """(shortest lower limit, longest reach) of the zone pairs among ``species``; None if none.
    ``twin`` False: the same-element pairs (C-C, the only one) are left out: fewer than two carbons."""
    lo, hi = zone_tables()
    hb = _h_bearing_max()
    pairs = [(a, b) for a, b in _zone_pairs() if a in species and b in species and (twin or a != b)]
    if not pairs:
        return None
    dmin = min(min(lo[a, b], hb.get((a, b), lo[a, b])) for a, b in pairs)
    return float(dmin), float(max(hi[a, b] for a, b in pairs))  # floats: compared in plain Python


@lru_cache(maxsize=1)
def _zone_flat() -> tuple[np.ndarray, np.ndarray]:
    """zone_tables() flattened for Zi * 119 + Zj, the lower table with the
    [bond_length.heavy_max_h_bearing] limits in place (the ones an H-bearing pair gets)."""
    lo, hi = zone_tables()
    low = lo.copy()
    for (a, c), v in _h_bearing_max().items():
        low[a, c] = v
    return low.reshape(-1), hi.reshape(-1)


@lru_cache(maxsize=1)
def _h_bearing_max() -> dict:
    """{(Zi, Zj): longest bond when either atom carries a hydrogen} ([bond_length.heavy_max_h_bearing])."""
    out = {}
    for key, v in table()["bond_length"]["heavy_max_h_bearing"].items():
        a, b = (atomic_numbers[x.strip()] for x in key.split("-"))
        out[(a, b)] = out[(b, a)] = float(v)
    return out


@rule("SC107", "bond-length", "geometry", "warning",
      "A bond longer than the pair ever has: stretched, or between bonded and non-bonded.")
def bond_length(frame: Frame):
    """A bond far longer than the element pair has in any equilibrium structure.

    What it does: (1) a hydrogen with exactly one partner X whose X–H distance exceeds
    the longest terminal X–H bond known (O–H 1.10, N–H 1.13, C–H 1.20 Å, ...; neutron
    data of Allen et al. 1987 plus a margin); a hydrogen shared by two partners (B–H–B,
    Zundel, a proton-transfer TS) is not judged. (2) C–C, C–N and C–O pairs longer than
    the longest such bond known (C–C 1.85 Å: hexaarylethanes reach 1.806 Å) but shorter
    than 1.32 × the covalent radii sum: neither a bond nor a contact. Pairs with a common
    neighbour (1–3 pairs such as the bridgeheads of bicyclo[1.1.1]pentane) are skipped.
    (3) One CO / CN / NH3 / PR3 of a transition-metal complex ≥ 1.25× its kind's other
    bonds to that metal (a ligand pulled away). Thresholds and sources: rules/chemistry.toml
    [bond_length].

    Why it matters: a stretched bond is a half-dissociated start: a relaxation either
    snaps it back or breaks it, depending on noise, and a closed-shell method describes
    it badly.

    Example: water with one O–H at 1.15 Å; ethane with its C–C at 1.95 Å.

    Fix: rebuild the bond at its normal length; for an intended transition state or
    scan point, ignore the rule for that frame (structcheck_ignore="bond-length").
    """
    b = frame.bonded_pairs
    tmax, tmax_l = _terminal_h_max()
    sg = small_graph(frame)
    if sg is not None:
        z = sg[0]
        if 1 in z:
            d = bond_lists(frame)[2]
            for a, j, k in one_partner(frame):
                if z[a] == 1 and d[k] > tmax_l[z[j]]:
                    yield _h_hit(a, j, z[j], d[k], tmax_l[z[j]])
    else:
        zz = frame.numbers
        hmask = (zz == 1) & (frame.coordination == 1)
        if hmask.any():
            si, sj = hmask[b.i], hmask[b.j]
            other = np.where(si, b.j, b.i)
            lim = tmax[zz[other]]
            for k in np.flatnonzero((si | sj) & (b.d > lim)):
                h = int(b.i[k] if si[k] else b.j[k])
                yield _h_hit(h, int(other[k]), int(zz[other[k]]), float(b.d[k]), float(lim[k]))
    zn = frame.numbers
    for a, j, d, lim in compressed_bonds(frame):
        yield Hit((a, j), f"{_sym(zn[a])}{a}–{_sym(zn[j])}{j} at {d:.3f} Å: shorter than any single bond "
                  f"({lim:.2f} Å), and {_sym(zn[a])}{a} forms single bonds only (compressed)", round(d, 6), lim, "Å")
    seen = set()
    for i, j, d, lim, si, sj in stretched_pairs(frame):
        seen.add((i, j))
        yield Hit((i, j), f"{_sym(zn[i])}{i}···{_sym(zn[j])}{j} at {d:.3f} Å: both short of their valence "
                  f"(bond-valence sums {si:.2f}, {sj:.2f}) and inside {lim:.2f} Å (van der Waals contact): "
                  "the bond between them is stretched or broken", round(d, 6), round(lim, 6), "Å")
    for h, x, d, lim in lone_hydrogens(frame):
        if (min(h, x), max(h, x)) in seen:
            continue
        seen.add((min(h, x), max(h, x)))
        e = _sym(zn[h])  # a lone H, or a lone halogen
        yield Hit((min(h, x), max(h, x)), f"{e}{h} has no bonded partner and sits {d:.3f} Å from {_sym(zn[x])}{x}, "
                  f"inside {lim:.2f} Å (van der Waals contact): the {_sym(zn[x])}–{e} bond is stretched or broken",
                  round(d, 6), round(lim, 6), "Å")
    for t, x, d, n, need in terminal_underbonded(frame):
        if (min(t, x), max(t, x)) in seen:
            continue
        seen.add((min(t, x), max(t, x)))
        yield Hit((t, x), f"{_sym(zn[t])}{t}–{_sym(zn[x])}{x} at {d:.3f} Å: {_sym(zn[t])}{t}'s only bond has a "
                  f"bond number of {n:.2f}, below {need:.2f} (a stretched bond: a terminal atom is held by its "
                  "one bond)", round(d, 6), None, "Å")
    for m, a, d, med in ligand_outliers(frame):  # one ligand pulled away from its metal
        yield Hit((m, a), f"{_sym(zn[m])}{m}–{_sym(zn[a])}{a} at {d:.3f} Å: {d / med:.2f}× the {med:.3f} Å of the "
                  "same ligand's other bonds to it (a stretched or broken metal-ligand bond)", round(d, 6), None, "Å")
    # C-C/N/O, Si-O: the pairs present (C-C only where a molecule has two carbons)
    span = _zone_span_for(frame.species_key, sg is None or sg[0].count(6) > 1)
    if span is None:
        return
    cand = zone_candidates(frame, *span)
    if not cand:
        return
    lo = zone_tables()[0]
    p = frame.pairs
    z = frame.numbers
    hb = _h_bearing_max()
    bonded = neighbour_sets(frame)
    for k, lim in cand:
        i, j = int(p.i[k]), int(p.j[k])
        if i == j or (min(i, j), max(i, j)) in seen or bonded(i) & bonded(j):
            continue
        if (z[i], z[j]) in hb and lim < lo[z[i], z[j]]:
            if not any(z[x] == 1 for x in bonded(i) | bonded(j)):
                if not p.d[k] > lo[z[i], z[j]]:
                    continue
                lim = float(lo[z[i], z[j]])
        what = " (a carbon carrying H)" if lim < lo[z[i], z[j]] else ""
        yield Hit((i, j), f"{_sym(z[i])}{i}–{_sym(z[j])}{j} at {p.d[k]:.3f} Å: longer than any "
                  f"{_sym(z[i])}–{_sym(z[j])} bond known{what} ({lim:.2f} Å), too short for a "
                  "non-bonded contact", round(float(p.d[k]), 6), float(lim), "Å")


_SMALL_PAIRS = 64  # up to this many pairs (a molecule's), zone_candidates loops in plain Python


def zone_candidates(frame, dmin: float, dmax: float, small: bool | None = None) -> list:
    """[(index in frame.pairs, lower limit)] of the pairs longer than their pair's longest known
    bond (its [bond_length.heavy_max_h_bearing] limit where there is one) and shorter than its
    reach, looked for among the pairs in (dmin, dmax) (``_zone_span_for``). Plain Python for a
    molecule's few pairs (``small`` None: decided by their number), numpy for more: the same
    comparisons on the same numbers."""
    p = frame.pairs
    if small is None:
        small = len(p.d) <= _SMALL_PAIRS
    if small:
        il, jl, dl, z = frame.pair_lists  # p's lists (shared with the engine's pair tests)
        sel = [k for k, d in enumerate(dl) if dmin < d < dmax]  # often H···H of a CH2 (1.75 Å)
        if not sel:
            return []
        low_l, hi_l = _zone_flat_lists()
        keys = [z[il[k]] * 119 + z[jl[k]] for k in sel]  # pair_key's Zi * 119 + Zj
        return [(k, low_l[q]) for k, q in zip(sel, keys) if low_l[q] < dl[k] < hi_l[q]]
    sel = np.flatnonzero((p.d > dmin) & (p.d < dmax))
    if not len(sel):
        return []
    low_flat, hi_flat = _zone_flat()
    key = frame.pair_key[sel]  # Zi * 119 + Zj: one lookup per table instead of a pass per hb pair
    dd = p.d[sel]
    low = low_flat[key]  # the lower limit, kept only where an atom carries an H
    m = (dd > low) & (dd < hi_flat[key])
    return list(zip(sel[m].tolist(), low[m].tolist()))


@lru_cache(maxsize=1)
def _zone_flat_lists() -> tuple[list, list]:
    return tuple(a.tolist() for a in _zone_flat())


def _h_hit(h, x, zx, d, lim):
    return Hit((h, x), f"H{h}–{_sym(zx)}{x} at {d:.3f} Å: longer than any terminal {_sym(zx)}–H bond "
               f"({lim:.2f} Å) and H{h} has no second partner (stretched bond)", round(d, 6), lim, "Å")


@rule("SC108", "bond-angle", "geometry", "warning",
      "An angle at a well-defined centre far from any real value (planar CH4, linear H2O).")
def bond_angle(frame: Frame):
    """Bond angles at well-defined centres far outside what they ever are.

    What it does: from the bond graph, at centres with non-metal partners only: (1) C, Si,
    Ge, N, B with four partners (no lone pair: tetrahedral): largest angle at most 150°
    (tetrahedral centres span ~98–125°, cubane 125°; a planar CH4 or NH4+ has 180°), and an
    angle to a hydrogen at least 80° (a bridging B–H–B hydrogen excepted); (2) N with three
    partners: at most 150° (planar amides 120–125°); B with three partners: planar, the
    angles summing to at least 340°; (3) O or S with two partners, one a hydrogen (water,
    alcohols, thiols, silanols): at most 140°, at least 95° (O) / 85° (S; H2S 92°); (4) a
    two-coordinate carbon with two multiple bonds (bond-valence sum ≥ 3.5: CO2, allenes,
    ketenes): at least 115° (cyclic allenes and arynes ~127°). Carbenes and radicals
    (valence sum below 3.5) are not judged. This is the kind of 1–3 distance bound that
    RDKit's distance geometry and PoseBusters apply, restricted to centres whose geometry
    is beyond doubt (rules/chemistry.toml [bond_angle]); (2)–(4) for molecules and small
    boxes (up to 256 bonds).

    Why it matters: such a centre is a builder or conversion error (a flattened
    molecule, a lost coordinate); a relaxation from it follows a symmetric saddle.

    Example: CH4 with its four H in a plane around C; H2O with H–O–H = 150° or 60°; a
    pyramidal BF3; a CO2 bent to 100°.

    Fix: rebuild the centre (any builder's sp3/bent geometry); for an intended transition
    state ignore the rule for that frame.
    """
    hits = classic_angles(frame) if small_graph(frame) is None else angle_hits(frame)
    zl = frame.numbers
    for a, partners, ang, lim, what in hits:
        rel = "at least" if what.endswith("sum of angles") or ang < lim else "at most"
        yield Hit((a, *partners), f"{_sym(zl[a])}{a} ({what}) has a bond angle{'s' if 'sum' in what else ''} "
                  f"of {ang:.1f}° ({rel} {lim:g}° at such a centre)", round(float(ang), 3), float(lim), "deg")


@rule("SC109", "vdw-contact", "geometry", "warning",
      "Atoms of two different molecules far inside their van der Waals contact.")
def vdw_contact(frame: Frame):
    """Two molecules that interpenetrate: non-bonded atoms far inside van der Waals contact.

    What it does: for atoms of two different molecules (connected components of the bond
    graph with two or more atoms; metals and lone atoms, whose contacts are ionic or
    guest contacts, are left out; lone noble-gas atoms of a finite cluster are in), flags
    pairs closer than a fraction of the sum of their van der Waals radii (Alvarez 2013):
    H···H 0.62 (1.49 Å); H···heavy 0.45 for a polar H (on N, O, F, S, halogen), 0.60 for
    a C–H; N/O/F pairs 0.78 with a hydrogen between them, 0.85 without (O···O 2.34 / 2.55
    Å); pairs with C 0.75 (C···C 2.66 Å); noble gases 0.80; other heavy pairs 0.70. The
    shortest real contacts stay above: dihydrogen bonds H···H 1.7 Å (0.71), strong
    hydrogen bonds H···O 1.4 Å (0.52) and O···O 2.45 Å (0.82), C–H···O 2.0 Å (0.74),
    pancake-bonded C···C 2.9 Å (0.82), halogen bonds I···N 2.65 Å (0.72)
    (rules/chemistry.toml [vdw_contact]). Periodic structures of more than 50,000 atoms
    are not examined.

    Why it matters: overlapping molecules (a cluster built with too small a spacing, a
    solvent box packed too densely) start a relaxation on a steep repulsive wall; forces
    are huge and the molecules fly apart or react.

    Example: a water dimer with O···O 2.2 Å; two CH4 with H···H 1.4 Å; two benzenes
    stacked at 2.5 Å; an Ar pair at 2.8 Å.

    Fix: move the molecules apart (or `structcheck fix` for what close-contact reports).
    """
    n = len(frame)
    periodic = True in frame.pbc.tolist()
    if n < 4 and (n < 2 or periodic or not _NOBLE[frame.species].any()):
        return  # two molecules need four atoms; lone noble-gas atoms two
    if periodic and n > 50_000:
        return
    ncomp, labels = contact_components(frame)  # an over-coordinated atom's excess bonds are contacts
    if ncomp < 2:
        return
    sizes = np.bincount(labels, minlength=ncomp)
    z = frame.numbers
    nm = nonmetal_mask()
    ok = nm[z] & (sizes[labels] >= 2)
    if not periodic:  # a lone noble-gas atom has nothing but van der Waals contacts
        ok |= _NOBLE[z]
    if np.count_nonzero(np.bincount(labels[ok], minlength=ncomp)) < 2:
        return
    t = table()["vdw_contact"]
    rv = vdw_radii()
    cut = max(t["unbridged_nof"], t["carbon"], t["noble"]) * 2 * float(rv[frame.species].max())
    p = frame.pairs_up_to(cut)
    m = ok[p.i] & ok[p.j] & (labels[p.i] != labels[p.j])
    if not m.any():
        return
    p = p.within(m)
    zi, zj = z[p.i], z[p.j]
    if not (p.d < _most_factor()[zi, zj] * (rv[zi] + rv[zj])).any():
        return  # below no pair's highest possible fraction: none below its own (the common dimer)
    f = _vdw_factors(frame, p, t)
    lim = f * (rv[zi] + rv[zj])
    bad = np.flatnonzero(p.d < lim)
    # one finding per pair of molecules: the deepest contact first, then the atoms of the others
    best: dict[tuple, list] = {}
    for k in bad[np.argsort(p.d[bad] / lim[bad], kind="stable")]:
        key = tuple(sorted((int(labels[p.i[k]]), int(labels[p.j[k]]))))
        best.setdefault(key, []).append(int(k))
    for ks in sorted(best.values(), key=lambda ks: (int(p.i[ks[0]]), int(p.j[ks[0]]))):
        k = ks[0]
        i, j = int(p.i[k]), int(p.j[k])
        atoms = list(dict.fromkeys([i, j, *(int(x) for q in ks[1:8] for x in (p.i[q], p.j[q]))]))
        more = f"; {len(ks) - 1} more contact(s) between them" if len(ks) > 1 else ""
        yield Hit(tuple(atoms), f"{_sym(zi[k])}{i}···{_sym(zj[k])}{j} at {p.d[k]:.3f} Å between two molecules: "
                  f"< {lim[k]:.2f} Å ({f[k]:g} × van der Waals radii sum){more}", round(float(p.d[k]), 6),
                  round(float(lim[k]), 6), "Å")


_POLAR = np.zeros(119, dtype=bool)  # hydrogen-bond donors: an H on them is a polar H
_POLAR[[7, 8, 9, 16, 17, 35, 53]] = True
_NOF = np.zeros(119, dtype=bool)
_NOF[[7, 8, 9]] = True
_XB, _XB_BASE = np.zeros(119, dtype=bool), np.zeros(119, dtype=bool)
_XB[[17, 35, 53]] = True
_XB_BASE[[7, 8, 15, 16, 34]] = True


@lru_cache(maxsize=1)
def _most_factor() -> np.ndarray:
    """Per element pair: the highest fraction ``_vdw_factors`` can give it in any context (an
    H polar or not, over a pi face or not; N/O/F bridged or not), the rest as there."""
    t = table()["vdw_contact"]
    z = np.arange(119)
    zi, zj = z[:, None], z[None, :]
    carbon = (zi == 6) | (zj == 6)
    h_any = max(t["h_heavy"], t["h_heavy_nonpolar"])
    h_heavy = np.where(carbon, max(h_any, t["h_carbon"]), h_any)
    heavy = np.where(carbon, t["carbon"], t["heavy_heavy"])
    heavy = np.where(_NOF[zi] & _NOF[zj], max(t["bridged_nof"], t["unbridged_nof"]), heavy)
    heavy = np.where((_XB[zi] & _XB_BASE[zj]) | (_XB[zj] & _XB_BASE[zi]), t["halogen_bond"], heavy)
    heavy = np.where(_NOBLE[zi] | _NOBLE[zj], t["noble"], heavy)
    hi, hj = zi == 1, zj == 1
    return np.where(hi & hj, t["h_h"], np.where(hi | hj, h_heavy, heavy))


def _vdw_factors(frame, p, t) -> np.ndarray:
    """The vdw-contact fraction of the van der Waals sum for each pair of ``p`` (see the rule)."""
    z = frame.numbers
    zi, zj = z[p.i], z[p.j]
    hi, hj = zi == 1, zj == 1
    b = frame.bonded_pairs
    # an H is polar (a hydrogen-bond donor's) when it is bonded to N, O, F, S or a halogen
    polar = np.zeros(len(frame), bool)
    polar[b.i[(z[b.i] == 1) & _POLAR[z[b.j]]]] = True
    polar[b.j[(z[b.j] == 1) & _POLAR[z[b.i]]]] = True
    h_heavy = np.where((hi & polar[p.i]) | (hj & polar[p.j]), t["h_heavy"], t["h_heavy_nonpolar"])
    # an H over a carbon with three or four partners (a pi face or an sp3 C): no lone pair there
    # to accept a hydrogen bond, polar H or not
    coord = frame.coordination
    pi_c = ((zi == 6) & (coord[p.i] >= 3) & hj) | ((zj == 6) & (coord[p.j] >= 3) & hi)
    h_heavy = np.where(pi_c, np.maximum(h_heavy, t["h_carbon"]), h_heavy)
    heavy = np.full(len(p.i), t["heavy_heavy"])
    heavy = np.where((zi == 6) | (zj == 6), t["carbon"], heavy)
    nof = _NOF[zi] & _NOF[zj]
    if nof.any():  # N/O/F pairs: only a hydrogen between them brings them this close
        bridged = np.zeros(len(p.i), bool)
        rv = vdw_radii()
        near = nof & (p.d < t["unbridged_nof"] * (rv[zi] + rv[zj]))  # the others pass either way
        for k in np.flatnonzero(near).tolist():
            bridged[k] = _h_between(frame, int(p.i[k]), int(p.j[k]), float(p.d[k]))
        heavy = np.where(nof, np.where(bridged, t["bridged_nof"], t["unbridged_nof"]), heavy)
    xb = (_XB[zi] & _XB_BASE[zj]) | (_XB[zj] & _XB_BASE[zi])  # halogen bonds X...N/O/S/P
    heavy = np.where(xb, t["halogen_bond"], heavy)
    heavy = np.where(_NOBLE[zi] | _NOBLE[zj], t["noble"], heavy)
    return np.where(hi & hj, t["h_h"], np.where(hi | hj, h_heavy, heavy))


def _h_between(frame, i: int, j: int, d: float) -> bool:
    """Is a hydrogen bonded to i (j) closer to j (i) than d (an X-H...Y bridge)?"""
    b = frame.bonded_pairs
    z = frame.numbers
    pos = frame.positions
    for a, other in ((i, j), (j, i)):
        hs = np.concatenate([b.j[(b.i == a) & (z[b.j] == 1)], b.i[(b.j == a) & (z[b.i] == 1)]])
        for h in hs.tolist():
            v = pos[other] - pos[h]
            if frame.pbc.any():
                from ase.geometry import find_mic

                v = find_mic(v[None, :], frame.cell, frame.pbc)[0][0]
            if float(np.linalg.norm(v)) < d:
                return True
    return False
