"""Bond angles at centres whose shape the bond graph fixes beyond doubt, for bond-angle
(SC108): four-coordinate C, Si, Ge, N and B (tetrahedral: no angle near 180°, none with a
hydrogen far below the tetrahedral one), three-coordinate N (no angle near 180°) and B (planar),
two-coordinate O/S/Se/Te with a hydrogen (bent, never near 180° nor far below the hydrides' 90°),
two-coordinate carbon with both bonds multiple (sp: CO2, allenes, ketenes; never bent far).

Molecules and small boxes only (small_graph); for large structures the vectorised rule in
checks/bonds.py covers the sp3-carbon and O/S–H cases. Limits: rules/chemistry.toml [bond_angle].
"""

from __future__ import annotations

import math
from functools import lru_cache

from .chemistry import nonmetal_list, small_bond_numbers, small_graph, table
from .stretch import crowded_atoms

_TETRA = (6, 14, 32, 7, 5)  # C, Si, Ge, N, B with four partners: no lone pair, tetrahedral


@lru_cache(maxsize=1)
def _limits() -> dict:
    return dict(table()["bond_angle"])


def _deg(cos: float) -> float:
    return math.degrees(math.acos(max(-1.0, min(1.0, cos))))


def _flat_three(vs: list, lst: list, limit: float) -> float | None:
    """The sum of the three angles of the partner triple that lies flattest around the centre
    (a tetrahedral centre has 328.4°, a trigonal one flattened into the plane of three of its
    partners 360°), when it reaches ``limit``; else None. The triple product of the three unit
    vectors (0 when coplanar) is the cheap pre-test before any acos."""
    best = None
    for skip in range(4):
        x, y, w = (vs[q] for q in range(4) if q != skip)
        det = (x[0] * (y[1] * w[2] - y[2] * w[1]) - x[1] * (y[0] * w[2] - y[2] * w[0])
               + x[2] * (y[0] * w[1] - y[1] * w[0]))
        if abs(det) > 0.12:  # sum of angles below ~355°
            continue
        total = sum(_deg(u[0] * v[0] + u[1] * v[1] + u[2] * v[2]) for u, v in ((x, y), (x, w), (y, w)))
        if total >= limit and (best is None or total > best):
            best = total
    return best


def _charged(frame) -> bool:
    """A declared charge: carbocations (non-classical 2-norbornyl: C2 with C6 at 1.8 Å over its
    sp2 plane) and SN2-like transition states are judged no further."""
    from .chemistry import frame_charge

    q = frame_charge(frame)
    return q != 0


def angle_hits(frame) -> list:
    """[(centre, partners, angle, limit, what)] beyond the limits (small_graph frames)."""
    sg = small_graph(frame)
    if sg is None:
        return []
    z, nb = sg
    nml = nonmetal_list()
    want = []
    for a, lst in enumerate(nb):
        k = len(lst)
        za = z[a]
        if (k == 4 and za in _TETRA) or (k == 3 and za in (7, 5)) or (k == 2 and za in (8, 16, 34, 52, 6)):
            if all(nml[z[j]] for j, _ in lst):
                want.append(a)
    if not want:
        return []
    t = _limits()
    cos_tmax = math.cos(math.radians(t["tetrahedral_max"]))
    cos_hmin = math.cos(math.radians(t["tetrahedral_h_min"]))
    cos_n3 = math.cos(math.radians(t["nitrogen3_max"]))
    b = frame.bonded_pairs
    vec = frame.bond_vectors.tolist()  # computed once per frame (Frame.bond_vectors)
    bi = b.i.tolist()
    bn = None
    out = []
    for a in want:
        lst = nb[a]
        za, k = z[a], len(lst)
        # unit bond vectors from the centre, and the cosine of every angle (acos only when flagged)
        vs = []
        for _, p in lst:
            v = vec[p] if bi[p] == a else [-vec[p][0], -vec[p][1], -vec[p][2]]
            r = math.sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]) or 1.0
            vs.append((v[0] / r, v[1] / r, v[2] / r))
        cosines = [(vs[x][0] * vs[y][0] + vs[x][1] * vs[y][1] + vs[x][2] * vs[y][2], lst[x][0], lst[y][0])
                   for x in range(k) for y in range(x + 1, k)]
        partners = tuple(sorted(j for j, _ in lst))
        if k == 4:
            low = min(cosines)[0]  # the largest angle
            if low < cos_tmax:
                out.append((a, partners, _deg(low), t["tetrahedral_max"], "four-coordinate centre"))
                continue
            hs = [j for j, _ in lst if z[j] == 1]
            if hs and max(cosines)[0] > cos_hmin:
                if bn is None:
                    bn = small_bond_numbers(frame)
                # a hydrogen bridging two atoms with two part bonds (B-H-B) closes small angles
                bridge = {j for j in hs if len(nb[j]) == 2
                          and max(bn[p] for _, p in nb[j]) <= table()["multicentre"]["bridging_h_max_bond_number"]}
                near = [c for c, j1, j2 in cosines
                        if (z[j1] == 1 and j1 not in bridge) or (z[j2] == 1 and j2 not in bridge)]
                if near and max(near) > cos_hmin:
                    out.append((a, partners, _deg(max(near)), t["tetrahedral_h_min"],
                                "four-coordinate centre, angle to H"))
                    continue
            flat = _flat_three(vs, lst, t["tetrahedral_flat_sum"])
            if flat is not None and not _charged(frame):
                out.append((a, partners, flat, t["tetrahedral_flat_sum"],
                            "four-coordinate centre, three partners coplanar with it: sum of angles"))
        elif k == 3:
            if za == 7:
                low = min(cosines)[0]
                if low < cos_n3:
                    out.append((a, partners, _deg(low), t["nitrogen3_max"], "three-coordinate N"))
            else:
                total = sum(_deg(c[0]) for c in cosines)
                if total < t["boron3_min_sum"]:
                    out.append((a, partners, total, t["boron3_min_sum"], "three-coordinate B, sum of angles"))
        elif za in (8, 16, 34, 52):  # O, S, Se, Te with an H: bent
            if z[lst[0][0]] != 1 and z[lst[1][0]] != 1:
                continue
            ang = _deg(cosines[0][0])
            lo = t["oh_min"] if za == 8 else t["sh_min"]
            if ang > t["oh_max_any"] or ang < lo:
                out.append((a, partners, ang, t["oh_max_any"] if ang > lo else lo,
                            "two-coordinate O/S/Se/Te with H"))
        else:  # two-coordinate carbon: both bonds multiple (sp) must stay near linear
            ang = _deg(cosines[0][0])
            if ang < t["sp_carbon_min"]:
                if bn is None:
                    bn = small_bond_numbers(frame)
                if sum(bn[p] for _, p in lst) >= t["sp_carbon_min_sum"]:
                    out.append((a, partners, ang, t["sp_carbon_min"], "sp carbon (two multiple bonds)"))
    if out:
        crowded = crowded_atoms(frame)  # a centre in a close contact is close-contact's
        out = [x for x in out if x[0] not in crowded and not any(j in crowded for j in x[1])]
    return out
