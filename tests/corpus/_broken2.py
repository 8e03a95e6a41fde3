"""Broken structures, part 2: stretched bonds, impossible angles, van der Waals clashes,
expanded / scaled cells and unit mistakes, pore guests, duplicates, frameworks missing H."""

from __future__ import annotations

import _legit_bio  # noqa: F401  (registers the legit entries used below)
import _legit_periodic2  # noqa: F401
import numpy as np
from _broken import add, alkane, benzene, ethanol, methane, methylamine, req, stretch, water
from _geom import DEG, mol, unit
from _legit_mol import ENTRIES
from ase import Atoms


def legit(name):
    return next(e[2] for e in ENTRIES if e[0] == name).copy()


BL = ("bond-length",)


def pull(atoms, i, j, d, group=()):
    """Move atom j (and the atoms in ``group`` rigidly with it) so that |ij| = d."""
    a = atoms.copy()
    p = a.positions
    shift = p[i] + d * unit(p[j] - p[i]) - p[j]
    for k in [j, *group]:
        p[k] += shift
    a.positions = p
    return a


# ---------------------------------------------------------------- B. stretched / compressed bonds
w = Atoms("OH2", positions=water())
for d in (1.15, 1.25, 1.35, 1.5):
    add(
        f"water_oh_{int(d * 100)}",
        "bond-length",
        stretch(w, 0, 1, d),
        [req(BL, [0, 1])],
        f"H2O with one O-H stretched to {d} Å",
    )
add("water_oh_075", "bond-length", stretch(w, 0, 1, 0.75), [req(BL, [0, 1])], "H2O with one O-H compressed to 0.75 Å")
et = ethanol()
add("ethanol_oh_120", "bond-length", stretch(et, 2, 8, 1.20), [req(BL, [2, 8])], "ethanol O-H stretched to 1.20 Å")
add(
    "ethanol_co_185",
    "bond-length",
    pull(et, 1, 2, 1.85, [8]),
    [req(BL, [1, 2])],
    "ethanol with C-O 1.85 Å (OH moved rigidly)",
)
m = Atoms("CH4", positions=methane())
for d in (1.35, 1.55, 1.75):
    add(
        f"methane_ch_{int(d * 100)}",
        "bond-length",
        stretch(m, 0, 1, d),
        [req(BL, [0, 1])],
        f"CH4 with one C-H at {d} Å",
    )
add("methane_ch_080", "bond-length", stretch(m, 0, 1, 0.80), [req(BL, [0, 1])], "CH4 with one C-H compressed to 0.80 Å")
nh3 = Atoms(
    "NH3",
    positions=[[0, 0, 0.0]]
    + [
        1.012 * np.array([np.sin(112 * DEG) * np.cos(f), np.sin(112 * DEG) * np.sin(f), np.cos(112 * DEG)])
        for f in (0, 2 * np.pi / 3, 4 * np.pi / 3)
    ],
)
add("ammonia_nh_130", "bond-length", stretch(nh3, 0, 1, 1.30), [req(BL, [0, 1])], "NH3 with one N-H at 1.30 Å")


def ethane_cc(d):
    a, _ = alkane(2)
    p = a.positions
    shift = (d - 1.53) * np.array([1.0, 0, 0])
    for i in [1] + list(range(5, 8)):
        p[i] += shift
    a.positions = p
    return a


for d in (1.80, 1.95, 2.10, 2.30):
    add(
        f"ethane_cc_{int(d * 100)}",
        "bond-length",
        ethane_cc(d),
        [req(BL, [0, 1])],
        f"ethane with C-C {d} Å (methyls rigid): between bonded and non-bonded",
    )
add(
    "ethane_cc_115",
    "bond-length",
    ethane_cc(1.15),
    [req(BL + ("close-contact",), [0, 1])],
    "ethane with C-C 1.15 Å (shorter than a triple bond)",
)
b6, _ = benzene()
add("benzene_ch_150", "bond-length", stretch(b6, 0, 6, 1.50), [req(BL, [0, 6])], "benzene with one C-H at 1.50 Å")
ma = methylamine()
add(
    "methylamine_cn_195",
    "bond-length",
    pull(ma, 0, 1, 1.95, [5, 6]),
    [req(BL, [0, 1])],
    "methylamine with C-N 1.95 Å (NH2 moved rigidly)",
)
add("h2_100", "bond-length", mol("H2", [[0, 0, 0], [0, 0, 1.00]]), [req(BL, [0, 1])], "H2 at 1.00 Å (r_e 0.741 Å)")
add("hf_130", "bond-length", mol("HF", [[0, 0, 0], [0, 0, 1.30]]), [req(BL, [0, 1])], "HF at 1.30 Å (r_e 0.917 Å)")
add("hcl_190", "bond-length", mol("HCl", [[0, 0, 0], [0, 0, 1.90]]), [req(BL, [0, 1])], "HCl at 1.90 Å (r_e 1.275 Å)")
q = legit("alpha_quartz")
_o = min((k for k in range(len(q)) if q[k].symbol == "O"), key=lambda k: q.get_distance(0, k, mic=True))
_v = q.get_distance(0, _o, mic=True, vector=True)
_p = q.positions
_p[_o] = q.positions[0] + 2.0 * unit(_v)
q.positions = _p
add("quartz_sio_200", "bond-length", q, [req(BL, [0, _o])], "alpha-quartz with one Si-O at 2.00 Å (O displaced)")
