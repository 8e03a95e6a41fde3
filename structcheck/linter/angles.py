"""Bond angles at centres whose shape the bond graph fixes beyond doubt, for bond-angle
(SC108): four-coordinate C, Si, Ge, N and B (tetrahedral: no angle near 180°, none with a
hydrogen far below the tetrahedral one), three-coordinate N (no angle near 180°) and B (planar),
two-coordinate O/S/Se/Te with a hydrogen (bent, never near 180° nor far below the hydrides' 90°),
two-coordinate carbon with both bonds multiple (sp: CO2, allenes, ketenes; never bent far).

Molecules and small boxes (small_graph) go through ``angle_hits`` in plain Python; large
structures through ``classic_angles``, vectorised, which covers the sp3-carbon and O/S–H cases.
Both return (centre, partners, angle, limit, what). Limits: rules/chemistry.toml [bond_angle].
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from .chemistry import frame_charge, nonmetal_list, nonmetal_mask, small_bond_numbers, small_graph, table
from .stretch import bond_lists, crowded_atoms

# (number of partners, element) of the centres angle_hits judges: C, Si, Ge, N, B with four
# partners (no lone pair: tetrahedral), N and B with three, O/S/Se/Te (with an H) and C with two
_CENTRES = frozenset([(4, z) for z in (6, 14, 32, 7, 5)] + [(3, 7), (3, 5)]
                     + [(2, z) for z in (8, 16, 34, 52, 6)])
_CENTRE_Z = frozenset(z for _, z in _CENTRES)
_PAIRS = {k: [(x, y) for x in range(k) for y in range(x + 1, k)] for k in (2, 3, 4)}
# the four partner triples of a four-coordinate centre (leaving out 0, 1, 2, 3), and the
# positions in _PAIRS[4] of their three angles
_TRIPLES = [(t, [_PAIRS[4].index(pq) for pq in ((t[0], t[1]), (t[0], t[2]), (t[1], t[2]))])
            for t in ((1, 2, 3), (0, 2, 3), (0, 1, 3), (0, 1, 2))]


@lru_cache(maxsize=1)
def _limits() -> tuple:
    """([bond_angle], and the cosines of its angle limits: tetrahedral_max, tetrahedral_h_min,
    nitrogen3_max, and the largest angle below which no partner triple can be coplanar)."""
    t = dict(table()["bond_angle"])

    def cos(deg):
        return math.cos(math.radians(deg))
    # three angles summing to tetrahedral_flat_sum or more include one of at least a third of
    # it: a centre whose largest angle stays 0.5° below that has no flat triple (an exact
    # pre-test: the margin is far beyond any rounding of acos)
    return t, cos(t["tetrahedral_max"]), cos(t["tetrahedral_h_min"]), cos(t["nitrogen3_max"]), \
        cos(t["tetrahedral_flat_sum"] / 3 - 0.5)


@lru_cache(maxsize=256)
def _metal_free(species: tuple) -> bool:
    """No metal among ``species`` (then no centre's partners need looking at for one)."""
    nml = nonmetal_list()
    return all(nml[s] for s in species)


def _deg(cos: float) -> float:
    return math.degrees(math.acos(max(-1.0, min(1.0, cos))))


def _flat_three(vs: list, cosines: list, limit: float, cos_flat: float) -> float | None:
    """The sum of the three angles of the partner triple that lies flattest around the centre
    (a tetrahedral centre has 328.4°, a trigonal one flattened into the plane of three of its
    partners 360°), when it reaches ``limit``; else None. ``cosines``: _cosines(vs). A triple
    without an angle reaching a third of ``limit`` (cosine above ``cos_flat``) cannot, and the
    triple product of the three unit vectors (0 when coplanar) is the pre-test before any acos."""
    best = None
    for (p, q, r), (e, f, g) in _TRIPLES:
        ce, cf, cg = cosines[e], cosines[f], cosines[g]
        if ce > cos_flat and cf > cos_flat and cg > cos_flat:
            continue
        x, y, w = vs[p], vs[q], vs[r]
        det = (x[0] * (y[1] * w[2] - y[2] * w[1]) - x[1] * (y[0] * w[2] - y[2] * w[0])
               + x[2] * (y[0] * w[1] - y[1] * w[0]))
        if abs(det) > 0.12:  # sum of angles below ~355°
            continue
        total = _deg(ce) + _deg(cf) + _deg(cg)
        if total >= limit and (best is None or total > best):
            best = total
    return best


def _unit_vectors(frame):
    """(a, [(partner, bonded-pair index)]) -> unit vectors from a to its partners, for a
    small_graph frame: from the positions for a molecule, the same floating-point operations as
    Frame.bond_vectors (pos[j] - pos[i], the shift zero); its bonded pairs' shifts when periodic."""
    sqrt = math.sqrt
    if True in frame.pbc.tolist():
        vec = frame.bond_vectors.tolist()
        bi = bond_lists(frame)[0]

        def units(a, lst):
            out = []
            for _, p in lst:
                u, v, w = vec[p] if bi[p] == a else (-vec[p][0], -vec[p][1], -vec[p][2])
                r = sqrt(u * u + v * v + w * w) or 1.0
                out.append((u / r, v / r, w / r))
            return out
    else:
        pos = frame.positions.tolist()

        def units(a, lst):
            x, y, s = pos[a]
            out = []
            for j, _ in lst:
                q = pos[j]
                u, v, w = q[0] - x, q[1] - y, q[2] - s
                r = sqrt(u * u + v * v + w * w) or 1.0
                out.append((u / r, v / r, w / r))
            return out

    return units


def _cosines(vs: list) -> list:
    """The cosine of every angle between the unit vectors ``vs`` (2 to 4), pairs in _PAIRS order."""
    if len(vs) == 2:
        (a0, a1, a2), (b0, b1, b2) = vs
        return [a0 * b0 + a1 * b1 + a2 * b2]
    if len(vs) == 3:
        (a0, a1, a2), (b0, b1, b2), (c0, c1, c2) = vs
        return [a0 * b0 + a1 * b1 + a2 * b2, a0 * c0 + a1 * c1 + a2 * c2, b0 * c0 + b1 * c1 + b2 * c2]
    (a0, a1, a2), (b0, b1, b2), (c0, c1, c2), (d0, d1, d2) = vs
    return [a0 * b0 + a1 * b1 + a2 * b2, a0 * c0 + a1 * c1 + a2 * c2, a0 * d0 + a1 * d1 + a2 * d2,
            b0 * c0 + b1 * c1 + b2 * c2, b0 * d0 + b1 * d1 + b2 * d2, c0 * d0 + c1 * d1 + c2 * d2]


def angle_hits(frame) -> list:
    """[(centre, partners, angle, limit, what)] beyond the limits (small_graph frames)."""
    sg = small_graph(frame)
    if sg is None:
        return []
    if _CENTRE_Z.isdisjoint(frame.species_key):
        return []
    z, nb = sg
    nml = nonmetal_list()
    cz = _CENTRE_Z  # hydrogens (half the atoms) fail this first, cheaper test
    if _metal_free(frame.species_key):
        want = [a for a, x in enumerate(z) if x in cz and (len(nb[a]), x) in _CENTRES]
    else:
        want = [a for a, x in enumerate(z) if x in cz and (len(nb[a]), x) in _CENTRES
                and all(nml[z[j]] for j, _ in nb[a])]
    if not want:
        return []
    t, cos_tmax, cos_hmin, cos_n3, cos_flat = _limits()
    units = _unit_vectors(frame)
    bn = None
    out = []
    for a in want:
        lst = nb[a]
        za, k = z[a], len(lst)
        if k == 2 and za != 6 and z[lst[0][0]] != 1 and z[lst[1][0]] != 1:
            continue  # O/S/Se/Te without a hydrogen: not judged
        # unit bond vectors from the centre, and the cosine of every angle (acos only when flagged)
        vs = units(a, lst)
        cosines = _cosines(vs)
        if k == 4:
            low = min(cosines)  # the largest angle
            if low < cos_tmax:
                out.append((a, _partners(lst), _deg(low), t["tetrahedral_max"], "four-coordinate centre"))
                continue
            if max(cosines) > cos_hmin:
                hs = [z[j] == 1 for j, _ in lst]
                # any angle to a hydrogen that small? then a hydrogen bridging two atoms with two
                # part bonds (B-H-B), which closes small angles, is left out
                if any(c > cos_hmin and (hs[x] or hs[y]) for c, (x, y) in zip(cosines, _PAIRS[4])):
                    if bn is None:
                        bn = small_bond_numbers(frame)
                    bridge = {j for j, _ in lst if z[j] == 1 and len(nb[j]) == 2 and max(bn[p] for _, p in nb[j])
                              <= table()["multicentre"]["bridging_h_max_bond_number"]}
                    near = [c for c, (x, y) in zip(cosines, _PAIRS[4])
                            if (hs[x] and lst[x][0] not in bridge) or (hs[y] and lst[y][0] not in bridge)]
                    if near and max(near) > cos_hmin:
                        out.append((a, _partners(lst), _deg(max(near)), t["tetrahedral_h_min"],
                                    "four-coordinate centre, angle to H"))
                        continue
            if low > cos_flat:
                continue  # no angle wide enough for three partners in one plane with the centre
            flat = _flat_three(vs, cosines, t["tetrahedral_flat_sum"], cos_flat)
            if flat is not None and not _charged(frame):
                out.append((a, _partners(lst), flat, t["tetrahedral_flat_sum"],
                            "four-coordinate centre, three partners coplanar with it: sum of angles"))
        elif k == 3:
            if za == 7:
                low = min(cosines)
                if low < cos_n3:
                    out.append((a, _partners(lst), _deg(low), t["nitrogen3_max"], "three-coordinate N"))
            else:
                total = sum(_deg(c) for c in cosines)
                if total < t["boron3_min_sum"]:
                    out.append((a, _partners(lst), total, t["boron3_min_sum"], "three-coordinate B, sum of angles"))
        elif za != 6:  # O, S, Se, Te with an H: bent
            ang = _deg(cosines[0])
            lo = t["oh_min"] if za == 8 else t["sh_min"]
            if ang > t["oh_max_any"] or ang < lo:
                out.append((a, _partners(lst), ang, t["oh_max_any"] if ang > lo else lo,
                            "two-coordinate O/S/Se/Te with H"))
        else:  # two-coordinate carbon: both bonds multiple (sp) must stay near linear
            ang = _deg(cosines[0])
            if ang < t["sp_carbon_min"]:
                if bn is None:
                    bn = small_bond_numbers(frame)
                if sum(bn[p] for _, p in lst) >= t["sp_carbon_min_sum"]:
                    out.append((a, _partners(lst), ang, t["sp_carbon_min"], "sp carbon (two multiple bonds)"))
    if out:
        crowded = crowded_atoms(frame)  # a centre in a close contact is close-contact's
        out = [x for x in out if x[0] not in crowded and not any(j in crowded for j in x[1])]
    return out


def _partners(lst: list) -> tuple:
    return tuple(sorted(j for j, _ in lst))


def _charged(frame) -> bool:
    """A declared charge: carbocations (non-classical 2-norbornyl: C2 with C6 at 1.8 Å over its
    sp2 plane) and SN2-like transition states are judged no further."""
    return frame_charge(frame) != 0


def _angles(frame, centre: np.ndarray, nbr: np.ndarray, k: int) -> np.ndarray:
    """Max angle (deg) between the k bonds of each centre; nbr: (len(centre), k) pair indices."""
    b = frame.bonded_pairs
    v = frame.bond_vectors[nbr]  # from i to j
    flip = (b.i[nbr] != centre[:, None])  # centre is j: reverse
    v = np.where(flip[..., None], -v, v)
    v = v / np.linalg.norm(v, axis=2, keepdims=True)
    cos = np.einsum("nad,nbd->nab", v, v)
    iu = np.triu_indices(k, 1)
    return np.degrees(np.arccos(np.clip(cos[:, iu[0], iu[1]].min(axis=1), -1, 1)))


def classic_angles(frame):
    """Large structures (no small_graph): sp3 carbons with H and O/S–H centres, vectorised;
    yields (centre, partners, angle, limit, what) like angle_hits."""
    t = table()["bond_angle"]
    b = frame.bonded_pairs
    if 1 not in frame.species_key:
        return  # every centre judged here has a hydrogen partner
    nm = nonmetal_mask()
    zz = frame.numbers
    coord = frame.coordination
    want4 = (zz == 6) & (coord == 4)
    want2 = ((zz == 8) | (zz == 16)) & (coord == 2)
    if not (want4.any() or want2.any()):
        return
    hn = np.bincount(b.i, weights=zz[b.j] == 1, minlength=len(zz)) + \
        np.bincount(b.j, weights=zz[b.i] == 1, minlength=len(zz))
    metal = np.bincount(b.i, weights=~nm[zz[b.j]], minlength=len(zz)) + \
        np.bincount(b.j, weights=~nm[zz[b.i]], minlength=len(zz))
    ok = (hn > 0) & (metal == 0)
    for k, want, limit, what in ((4, want4 & ok, t["sp3_carbon_max"], "sp3 carbon"),
                                 (2, want2 & ok, t["oh_max"], "two-coordinate O/S with H")):
        centres = np.flatnonzero(want)
        if not len(centres):
            continue
        side = np.concatenate([b.i, b.j])
        pidx = np.concatenate([np.arange(len(b.i))] * 2)
        sel = want[side]
        side, pidx = side[sel], pidx[sel]
        order = np.argsort(side, kind="stable")
        nbr = pidx[order].reshape(-1, k)
        ang = _angles(frame, centres, nbr, k)
        for idx in np.flatnonzero(ang > limit):
            a = int(centres[idx])
            partners = sorted({int(x) for x in np.concatenate([b.i[nbr[idx]], b.j[nbr[idx]]]) if x != a})
            yield a, tuple(partners), float(ang[idx]), float(limit), what
