"""Legitimate structures: ionic-liquid ion pairs and capped peptides (Engh & Huber geometry)."""

from __future__ import annotations

import numpy as np
from _geom import DEG, place, ring, tetra_h, tetra_h2, tetrahedron, trigonal_h, unit
from _legit_mol import add
from _legit_mol2 import Builder, dihedral

ENGH_HUBER = "Engh & Huber, Acta Cryst. A47, 392 (1991) (standard peptide geometry)"


def imidazolium(b, ethyl=True, butyl=False):
    """1-alkyl-3-methylimidazolium in the xy plane; returns (index of C2, index of H2)."""
    pts = ring(5, 1.35 / (2 * np.sin(np.pi / 5)), phase=90)  # N1 C2 N3 C4 C5; C2 on top (+y)... rotated below
    names = ["C", "N", "C", "C", "N"]  # pts[0] is C2 at +y; pts[1] N1, pts[2] C5, pts[3] C4, pts[4] N3
    idx = [b.add(s, p) for s, p in zip(names, pts)]
    c2 = idx[0]
    h2 = b.add("H", pts[0] + 1.08 * unit(pts[0]))
    for k in (2, 3):
        b.add("H", pts[k] + 1.08 * unit(pts[k]))
    # N1 methyl
    cm = pts[1] + 1.47 * unit(pts[1])
    b.add("C", cm)
    b.h(tetra_h(cm, pts[1], 1.09, 3, twist=90))
    # N3 ethyl / butyl
    chain = [pts[4] + 1.47 * unit(pts[4])]
    n_c = 4 if butyl else (2 if ethyl else 1)
    backbone = [pts[0], pts[4], chain[0]]
    for k in range(1, n_c):
        chain.append(place(backbone[-3], backbone[-2], backbone[-1], 1.52, 112.0, 90.0 if k == 1 else 180.0))
        backbone.append(chain[-1])
    for k, c in enumerate(chain):
        b.add("C", c)
        before = pts[4] if k == 0 else chain[k - 1]
        if k == len(chain) - 1:
            b.h(tetra_h(c, before, 1.09, 3, twist=60))
        else:
            b.h(tetra_h2(c, before, chain[k + 1], 1.09))
    return c2, h2


def emim_bf4():
    b = Builder()
    c2, h2 = imidazolium(b)
    d = unit(b.p[h2] - b.p[c2])
    f = b.p[h2] + 2.15 * d
    bb = f + 1.39 * d
    b.add("B", bb)
    b.add("F", f)
    for k in range(3):
        u = np.cross(d, [0, 0, 1.0])
        v = np.cos((180 - 109.47) * DEG) * d + np.sin((180 - 109.47) * DEG) * (
            np.cos(2 * np.pi * k / 3) * unit(u) + np.sin(2 * np.pi * k / 3) * np.array([0, 0, 1.0])
        )
        b.add("F", bb + 1.39 * v)
    return b.atoms(charge=0)


def emim_x(x, dist, butyl=False):
    b = Builder()
    c2, h2 = imidazolium(b, butyl=butyl)
    d = unit(b.p[h2] - b.p[c2])
    b.add(x, b.p[h2] + dist * d)
    return b.atoms(charge=0)


add(
    "emim_bf4_pair",
    "ionic-liquid",
    emim_bf4(),
    "Matsumoto, Hagiwara & Ito, Electrochem. Solid-State Lett. 5, F1 (2002) ([EMIM][BF4]); ring idealised (1.35 Å), "
    "C2-H...F 2.15 Å as in Hunt, J. Phys. Chem. B 111, 4844 (2007)",
    "[EMIM]+[BF4]- ion pair, anion at the C2-H",
)
add(
    "emim_cl_pair",
    "ionic-liquid",
    emim_x("Cl", 2.45),
    "Dymek, Grossie, Fratini & Adams, J. Mol. Struct. 213, 25 (1989) ([EMIM]Cl: C2-H...Cl 2.5 Å)",
    "[EMIM]+Cl- ion pair",
)
add(
    "bmim_br_pair",
    "ionic-liquid",
    emim_x("Br", 2.60, butyl=True),
    "Holbrey, Reichert, Nieuwenhuyzen, Johnston, Seddon & Rogers, "
    "Chem. Commun. 2003, 1636 ([BMIM]Cl/Br crystal structures)",
    "[BMIM]+Br- ion pair, C2-H...Br 2.60 Å",
)


def nme4_cl():
    b = Builder()
    n = b.add("N", [0, 0, 0])
    for e in tetrahedron(1.0):
        c = 1.49 * e
        b.add("C", c)
        b.h(tetra_h(c, b.p[n], 1.09, 3, twist=60))
    b.add("Cl", -3.95 * np.array([1, 1, 1]) / np.sqrt(3))
    return b.atoms(charge=0)


add(
    "nme4_cl_pair",
    "ionic-liquid",
    nme4_cl(),
    "Wells, Structural Inorganic Chemistry, 5th ed. (1984) (NMe4+ N-C 1.49 Å); N...Cl 3.95 Å",
    "[NMe4]+Cl- contact ion pair",
)

# ---------------------------------------------------------------- capped peptides


def peptide(n_res, phi, psi, side="A"):
    """Ace-(Ala|Gly)n-NMe with Engh & Huber bond lengths/angles; L-alanine side chains."""
    b = Builder()
    # acetyl: CH3-C(=O)-
    cm = np.array([0.0, 0.0, 0.0])
    c0 = np.array([1.52, 0.0, 0.0])
    b.add("C", cm)
    b.add("C", c0)
    n = place([0, 1.0, 0], cm, c0, 1.329, 116.2, 180.0)
    b.add("O", place(n, cm, c0, 1.231, 120.8, 180.0))
    b.h(tetra_h(cm, c0, 1.09, 3))
    prev_ca, prev_c = cm, c0
    for r in range(n_res):
        b.add("N", n)
        ca = place(prev_ca, prev_c, n, 1.458, 121.7, 180.0)
        b.add("C", ca)
        c = place(prev_c, n, ca, 1.525, 111.2, phi)
        b.add("H", trigonal_h(n, prev_c, ca, 1.01))
        h1, h2 = tetra_h2(ca, n, c, 1.09)
        if side == "A":
            cb, ha = (h1, h2) if dihedral(ca, n, c, h1) > 0 else (h2, h1)
            cb = ca + 1.53 * unit(cb - ca)
            b.add("C", cb)
            b.add("H", ha)
            b.h(tetra_h(cb, ca, 1.09, 3))
        else:
            b.h([h1, h2])
        b.add("C", c)
        n_next = place(n, ca, c, 1.329, 116.2, psi)
        b.add("O", place(n, ca, c, 1.231, 120.1, psi + 180.0))
        prev_ca, prev_c, n = ca, c, n_next
    # N-methyl cap
    b.add("N", n)
    cm2 = place(prev_ca, prev_c, n, 1.458, 121.7, 180.0)
    b.add("H", trigonal_h(n, prev_c, cm2, 1.01))
    b.add("C", cm2)
    b.h(tetra_h(cm2, n, 1.09, 3))
    return b.atoms(charge=0)


add(
    "ace_ala4_nme_helix",
    "protein",
    peptide(4, -57.0, -47.0),
    ENGH_HUBER + "; alpha-helix phi/psi -57/-47 (Pauling & Corey 1951)",
    "Ace-(Ala)4-NMe alpha-helical fragment with all H",
)
add(
    "ace_ala3_nme_strand",
    "protein",
    peptide(3, -120.0, 130.0),
    ENGH_HUBER + "; beta-strand phi/psi -120/130",
    "Ace-(Ala)3-NMe extended strand with all H",
)
add(
    "ace_gly3_nme_ppii",
    "protein",
    peptide(3, -75.0, 145.0, side="G"),
    ENGH_HUBER + "; polyproline-II phi/psi -75/145",
    "Ace-(Gly)3-NMe PPII fragment with all H",
)
