"""Broken structures, part 3: impossible angles, van der Waals clashes, expanded / scaled
cells and unit mistakes, pore guests, duplicates and close contacts, valence, frameworks
missing hydrogen."""

from __future__ import annotations

import numpy as np
from _broken import add, alkane, req, water
from _geom import DEG, mol, rot, tetra_h
from ase import Atoms

BA = ("bond-angle",)
# ---------------------------------------------------------------- C. impossible bond angles
sq = [[1.09, 0, 0], [-1.09, 0, 0], [0, 1.09, 0], [0, -1.09, 0]]
add("methane_planar", "bond-angle", mol("CH4", [[0, 0, 0]] + sq), [req(BA, [0])], "square-planar CH4 (D4h), C-H 1.09 Å")
add(
    "silane_planar",
    "bond-angle",
    mol("SiH4", [[0, 0, 0]] + [[1.48 * x / 1.09 for x in v] for v in sq]),
    [req(BA, [0])],
    "square-planar SiH4",
)
add(
    "cf4_planar",
    "bond-angle",
    mol("CF4", [[0, 0, 0]] + [[1.32 * x / 1.09 for x in v] for v in sq]),
    [req(BA, [0])],
    "square-planar CF4",
)
add(
    "ammonium_planar",
    "bond-angle",
    mol("NH4", [[0, 0, 0]] + [[1.03 * x / 1.09 for x in v] for v in sq], charge=1),
    [req(BA, [0])],
    "square-planar NH4+ (charge 1)",
)
for ang in (180.0, 150.0, 60.0, 45.0):
    add(
        f"water_hoh_{int(ang)}",
        "bond-angle",
        Atoms("OH2", positions=water(ang=ang)),
        [req(BA, [0])],
        f"H2O with H-O-H {ang} deg",
    )
add(
    "h2s_linear",
    "bond-angle",
    mol("SH2", [[0, 0, 0], [1.336, 0, 0], [-1.336, 0, 0]]),
    [req(BA, [0])],
    "linear H2S (real 92 deg)",
)
add(
    "ammonia_hnh_170",
    "bond-angle",
    mol("NH3", [[0, 0, 0], [1.012, 0, 0], [1.012 * np.cos(170 * DEG), 1.012 * np.sin(170 * DEG), 0], [0, -0.3, 0.98]]),
    [req(BA, [0])],
    "NH3 with one H-N-H angle 170 deg",
)


def methanol_coh(ang):
    c, o = np.zeros(3), np.array([1.427, 0, 0])
    hs = [
        c + 1.09 * e
        for e in (
            rot([0, 0, 1], 0) @ np.array([np.cos(109.5 * DEG), np.sin(109.5 * DEG), 0]),
            np.array([np.cos(109.5 * DEG), -0.5 * np.sin(109.5 * DEG), 0.866 * np.sin(109.5 * DEG)]),
            np.array([np.cos(109.5 * DEG), -0.5 * np.sin(109.5 * DEG), -0.866 * np.sin(109.5 * DEG)]),
        )
    ]
    t = (180 - ang) * DEG
    ho = o + 0.956 * np.array([np.cos(t), np.sin(t), 0])
    return Atoms("COH4", positions=[c, o] + hs + [ho])


add("methanol_coh_180", "bond-angle", methanol_coh(180.0), [req(BA, [1])], "methanol with a linear C-O-H")
add("methanol_coh_60", "bond-angle", methanol_coh(60.0), [req(BA, [1])], "methanol with C-O-H 60 deg")


def ethane_cch(ang):
    a, hm = alkane(2)
    p = a.positions
    h = hm[0][0]
    p[h] = p[0] + 1.09 * np.array([np.cos(ang * DEG), np.sin(ang * DEG), 0])  # C1 lies on +x
    a.positions = p
    return a, h


a, h = ethane_cch(55.0)
add("ethane_cch_55", "bond-angle", a, [req(BA, [0])], "ethane with one C-C-H angle 55 deg")


def neopentane_planar():
    c0 = np.zeros(3)
    cs = [c0 + 1.54 * np.array(v) for v in ([1, 0, 0], [-1, 0, 0], [0, 1, 0], [0, -1, 0])]
    syms, pos = ["C"] * 5, [c0] + cs
    for c in cs:
        for hh in tetra_h(c, c0, 1.09, 3, twist=90):
            syms.append("H")
            pos.append(hh)
    return Atoms(syms, positions=pos)


add(
    "neopentane_planar_centre",
    "bond-angle",
    neopentane_planar(),
    [req(BA, [0])],
    "C(CH3)4 with a square-planar central carbon",
)
add(
    "co2_bent_100",
    "bond-angle",
    mol(
        "OCO",
        [
            [1.16 * np.sin(50 * DEG), 1.16 * np.cos(50 * DEG), 0],
            [0, 0, 0],
            [-1.16 * np.sin(50 * DEG), 1.16 * np.cos(50 * DEG), 0],
        ],
    ),
    [req(BA + ("valence",), [1])],
    "neutral CO2 bent to 100 deg at C=O 1.16 Å",
)
