"""Bond angles at centres whose shape the bond graph fixes beyond doubt, for bond-angle
(SC108): four-coordinate C, Si, Ge, N and B (tetrahedral: no angle near 180°, none with a
hydrogen far below the tetrahedral one), three-coordinate N (no angle near 180°) and B (planar),
two-coordinate O/S with a hydrogen (bent, never near 180° nor far below the hydrides' 90°),
two-coordinate carbon with both bonds multiple (sp: CO2, allenes, ketenes; never bent far).

Molecules and small boxes only (small_graph): the vectorised rule in checks/bonds.py covers
the sp3-carbon and O–H cases of large structures. Limits: rules/chemistry.toml [bond_angle].
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


def angle_hits(frame, done=frozenset()) -> list:
    """[(centre, partners, angle, limit, what)] beyond the limits; centres in ``done`` (already
    reported by the vectorised rule) are skipped."""
    sg = small_graph(frame)
    if sg is None:
        return []
    z, nb = sg
    nml = nonmetal_list()
    want = []
    for a, lst in enumerate(nb):
        k = len(lst)
        za = z[a]
        if (k == 4 and za in _TETRA) or (k == 3 and za in (7, 5)) or (k == 2 and za in (8, 16, 6)):
            if a not in done and all(nml[z[j]] for j, _ in lst):
                want.append(a)
    if not want:
        return []
    crowded = crowded_atoms(frame)  # a centre in a close contact is close-contact's
    want = [a for a in want if a not in crowded and not any(j in crowded for j, _ in nb[a])]
    t = _limits()
    b = frame.bonded_pairs
    vec = frame.bond_vectors.tolist()
    bi = b.i.tolist()
    bn = None
    out = []
    for a in want:
        lst = nb[a]
        za, k = z[a], len(lst)
        # bond vectors from the centre
        vs = [vec[p] if bi[p] == a else [-x for x in vec[p]] for _, p in lst]
        # each norm once (the same floats _angle computes for every pair)
        ns = [math.sqrt(u[0] * u[0] + u[1] * u[1] + u[2] * u[2]) or 1.0 for u in vs]
        angles = [(math.degrees(math.acos(max(-1.0, min(1.0, (vs[x][0] * vs[y][0] + vs[x][1] * vs[y][1]
                                                               + vs[x][2] * vs[y][2]) / (ns[x] * ns[y]))))),
                   lst[x][0], lst[y][0]) for x in range(k) for y in range(x + 1, k)]
        partners = tuple(sorted(j for j, _ in lst))
        hs = [j for j, _ in lst if z[j] == 1]
        if k == 4:
            big = max(angles)[0]
            if big > t["tetrahedral_max"]:
                out.append((a, partners, big, t["tetrahedral_max"], "four-coordinate centre"))
                continue
            if hs:
                if bn is None:
                    bn = small_bond_numbers(frame)
                # a hydrogen bridging two atoms with two part bonds (B-H-B) closes small angles
                bridge = {j for j in hs if len(nb[j]) == 2
                          and max(bn[p] for _, p in nb[j]) <= table()["multicentre"]["bridging_h_max_bond_number"]}
                low = [x for x in angles
                       if (z[x[1]] == 1 and x[1] not in bridge) or (z[x[2]] == 1 and x[2] not in bridge)]
                if low and min(low)[0] < t["tetrahedral_h_min"]:
                    out.append((a, partners, min(low)[0], t["tetrahedral_h_min"], "four-coordinate centre, angle to H"))
        elif k == 3:
            if za == 7:
                big = max(angles)[0]
                if big > t["nitrogen3_max"]:
                    out.append((a, partners, big, t["nitrogen3_max"], "three-coordinate N"))
            else:
                total = sum(x[0] for x in angles)
                if total < t["boron3_min_sum"]:
                    out.append((a, partners, total, t["boron3_min_sum"], "three-coordinate B, sum of angles"))
        elif za in (8, 16):
            if not hs:
                continue
            ang = angles[0][0]
            lo = t["oh_min"] if za == 8 else t["sh_min"]
            if ang > t["oh_max_any"]:
                out.append((a, partners, ang, t["oh_max_any"], "two-coordinate O/S with H"))
            elif ang < lo:
                out.append((a, partners, ang, lo, "two-coordinate O/S with H"))
        else:  # two-coordinate carbon: both bonds multiple (sp) must stay near linear
            if bn is None:
                bn = small_bond_numbers(frame)
            if sum(bn[p] for _, p in lst) >= t["sp_carbon_min_sum"] and angles[0][0] < t["sp_carbon_min"]:
                out.append((a, partners, angles[0][0], t["sp_carbon_min"], "sp carbon (two multiple bonds)"))
    return out
