"""Broken structures for the verdict corpus, each with the rule(s) meant to catch it and the atoms.

Every entry is (name, class, atoms, expect, description). ``expect`` follows the manifest
schema (see /work/coord/CORPUS11.md and tests/corpus/README.md): requirements on findings of the
default profile. Variations of each mistake on several molecules/crystals, so a held-out set of
the same kinds is caught by general rules rather than by examples.
"""

from __future__ import annotations

import numpy as np
from _geom import DEG, place, ring, tetra_h, tetra_h2, tetrahedron, unit
from ase import Atoms

BROKEN: list[tuple] = []
BOHR = 0.529177210903


def req(rules, atoms=(), match="all", sev="warning"):
    return {"rules": list(dict.fromkeys(rules)), "atoms": [int(a) for a in atoms], "match": match, "min_severity": sev}


def add(name, cls, atoms, requires, desc, max_errors=None):
    expect = {"requires": requires}
    if max_errors is not None:
        expect["max_errors"] = max_errors
    BROKEN.append((name, cls, atoms, expect, desc))


# ---------------------------------------------------------------- organic builders (heavy atoms first, then H)


def chain(n, d=1.53, ang=112.0):
    pos = [np.zeros(3), np.array([d, 0, 0])]
    if n > 2:
        pos.append(pos[1] + d * np.array([np.cos((180 - ang) * DEG), np.sin((180 - ang) * DEG), 0]))
    for k in range(3, n):
        pos.append(place(pos[k - 3], pos[k - 2], pos[k - 1], d, ang, 180.0))
    return pos[:n]


def alkane(n):
    """n-alkane (all-anti), C first then H; returns (Atoms, list of H indices per carbon)."""
    cs = chain(n)
    syms, pos, hmap = ["C"] * n, list(cs), []
    for k, c in enumerate(cs):
        if n == 1:
            hs = list(c + tetrahedron(1.09))
        elif k == 0:
            hs = tetra_h(c, cs[1], 1.09, 3, twist=60)
        elif k == n - 1:
            hs = tetra_h(c, cs[k - 1], 1.09, 3, twist=0)
        else:
            hs = tetra_h2(c, cs[k - 1], cs[k + 1], 1.09)
        hmap.append(list(range(len(pos), len(pos) + len(hs))))
        syms += ["H"] * len(hs)
        pos += list(hs)
    return Atoms(syms, positions=pos), hmap


def cyclohexane():
    cs = [np.array([1.446 * np.cos(k * np.pi / 3), 1.446 * np.sin(k * np.pi / 3), 0.25 * (-1) ** k]) for k in range(6)]
    syms, pos, hmap = ["C"] * 6, list(cs), []
    for k, c in enumerate(cs):
        hs = tetra_h2(c, cs[k - 1], cs[(k + 1) % 6], 1.09)
        hmap.append([len(pos), len(pos) + 1])
        syms += ["H", "H"]
        pos += hs
    return Atoms(syms, positions=pos), hmap


def benzene():
    cs = ring(6, 1.397)
    return Atoms("C6H6", positions=np.vstack([cs, cs * (1.397 + 1.084) / 1.397])), [[6 + k] for k in range(6)]


def without(atoms, idx):
    keep = [i for i in range(len(atoms)) if i not in set(idx)]
    return atoms[keep]


def water(o=(0, 0, 0), d=0.9572, ang=104.52, axis=(0, 1, 0), plane=(1, 0, 0)):
    o = np.asarray(o, float)
    ax, pl = unit(axis), unit(plane)
    t = ang / 2 * DEG
    return [o, o + d * (np.cos(t) * ax + np.sin(t) * pl), o + d * (np.cos(t) * ax - np.sin(t) * pl)]


def methane(c=(0, 0, 0), d=1.09, r=None):
    c = np.asarray(c, float)
    dirs = tetrahedron(1.0) if r is None else (r @ tetrahedron(1.0).T).T
    return [c] + [c + d * e for e in dirs]


def stretch(atoms, i, j, d):
    a = atoms.copy()
    p = a.positions
    p[j] = p[i] + d * unit(p[j] - p[i])
    a.positions = p
    return a


# ---------------------------------------------------------------- A. missing hydrogen / under-coordinated C, N
MH = ("missing-hydrogen", "valence")
eth, hm = alkane(2)
add(
    "ethane_minus_h_each_c",
    "missing-hydrogen",
    without(eth, [hm[0][0], hm[1][0]]),
    [req(MH, [0, 1], "any")],
    "ethane with one H removed from each C: C-C stays 1.53 Å (single), sp3 H positions -> not ethylene",
)
add(
    "ethane_minus_2h_one_c",
    "missing-hydrogen",
    without(eth, hm[0][:2]),
    [req(MH, [0], "any")],
    "ethane with two H removed from one C (C-C 1.53 Å)",
)
for n, name in ((3, "propane"), (4, "butane"), (5, "pentane")):
    a, hm = alkane(n)
    add(
        f"{name}_minus_h_c1c2",
        "missing-hydrogen",
        without(a, [hm[0][0], hm[1][0]]),
        [req(MH, [0, 1], "any")],
        f"{name}: one H removed from each of C1 and C2 (single-bond length)",
    )
a, hm = alkane(4)
add(
    "butane_minus_h_c2c3",
    "missing-hydrogen",
    without(a, [hm[1][0], hm[2][1]]),
    [req(MH, [1, 2], "any")],
    "butane: one H removed from each of C2 and C3",
)
a, hm = cyclohexane()
add(
    "cyclohexane_minus_h_adjacent",
    "missing-hydrogen",
    without(a, [hm[0][0], hm[1][1]]),
    [req(MH, [0, 1], "any")],
    "chair cyclohexane with one H removed on adjacent carbons",
)
add(
    "cyclohexane_minus_h_13",
    "missing-hydrogen",
    without(a, [hm[0][0], hm[2][0]]),
    [req(MH, [0, 2], "any")],
    "chair cyclohexane with one H removed on C1 and C3 (a 1,3-diradical by omission)",
)
a, hm = alkane(1)
add(
    "methane_minus_h_pyramidal",
    "missing-hydrogen",
    without(a, [hm[0][0]]),
    [req(MH + ("odd-electron-count",), [0], "any")],
    "CH4 with one H deleted: pyramidal CH3, no spin declared",
)
add(
    "methane_minus_2h",
    "missing-hydrogen",
    without(a, hm[0][:2]),
    [req(MH, [0], "any")],
    "CH4 with two H deleted: bent CH2 at 109.5 deg",
)


def methylamine():
    c, n = np.zeros(3), np.array([1.471, 0, 0])
    hc, hn = tetra_h(c, n, 1.09, 3, twist=60), tetra_h(n, c, 1.01, 2, twist=0)
    return Atoms("CNH5", positions=[c, n] + hc + hn)


ma = methylamine()
add(
    "methylamine_minus_h_c_and_n",
    "missing-hydrogen",
    without(ma, [2, 5]),
    [req(MH, [0, 1], "any")],
    "CH3NH2 with one H removed from C and one from N (C-N 1.47 Å single)",
)
add(
    "methylamine_minus_nh2",
    "missing-hydrogen",
    without(ma, [5, 6]),
    [req(MH, [1], "any")],
    "CH3NH2 with both N-H removed: N with one neighbour at 1.47 Å",
)


def ethanol():
    c1, c2 = np.zeros(3), np.array([1.512, 0, 0])
    o = place([0, 1.0, 0], c1, c2, 1.425, 108.0, 180.0)
    hs = tetra_h(c1, c2, 1.09, 3, twist=60) + tetra_h2(c2, c1, o, 1.09)
    ho = place(c1, c2, o, 0.96, 108.5, 180.0)
    return Atoms("CCOH6", positions=[c1, c2, o] + hs + [ho])


et = ethanol()
add(
    "ethanol_minus_h_each_c",
    "missing-hydrogen",
    without(et, [3, 6]),
    [req(MH, [0, 1], "any")],
    "ethanol with one H removed from each C",
)
b6, hb = benzene()
add(
    "benzene_minus_para_h",
    "missing-hydrogen",
    without(b6, [6, 9]),
    [req(MH, [0, 3], "any")],
    "benzene with the two para H removed (p-benzyne by omission)",
)
add(
    "benzene_minus_all_h",
    "missing-hydrogen",
    b6[:6],
    [req(MH, list(range(6)), "any")],
    "bare C6 ring at benzene geometry (all H lost)",
)


def glycine_neutral():
    n, ca = np.zeros(3), np.array([1.455, 0, 0])
    c = ca + 1.52 * np.array([np.cos(70 * DEG), np.sin(70 * DEG), 0])
    o1 = place(n, ca, c, 1.21, 124.0, 0.0)
    o2 = place(n, ca, c, 1.34, 111.0, 180.0)
    hn = tetra_h(n, ca, 1.01, 2, twist=0)
    hca = tetra_h2(ca, n, c, 1.09)
    ho = place(ca, c, o2, 0.97, 106.0, 180.0)
    return Atoms("NCCOOH5", positions=[n, ca, c, o1, o2] + hn + hca + [ho])


gl = glycine_neutral()
add(
    "glycine_minus_nh2_h",
    "missing-hydrogen",
    without(gl, [5, 6]),
    [req(MH, [0], "any")],
    "neutral glycine with both amine H removed",
)
add(
    "glycine_minus_ch2_h",
    "missing-hydrogen",
    without(gl, [7, 8]),
    [req(MH, [1], "any")],
    "neutral glycine with both CH2 H removed (C-alpha with 2 neighbours at single-bond lengths)",
)
