"""Legitimate molecules, part 3: carbocations, radicals (spin declared), charged species,
ionic-liquid ion pairs, capped peptides, molecules in a periodic vacuum box."""

from __future__ import annotations

import numpy as np
from _geom import DEG, mol, ring, rot, tetra_h, unit
from _legit_mol import CCCBDB, CRC, add
from _legit_mol2 import Builder

# ---------------------------------------------------------------- small building blocks


def planar_xy3(c, x, d, charge=0, mult=None, angle=120.0):
    pos = [[0, 0, 0]] + [[d * np.cos(k * 2 * np.pi / 3), d * np.sin(k * 2 * np.pi / 3), 0] for k in range(3)]
    info = {"charge": charge}
    if mult:
        info["multiplicity"] = mult
    return mol([c, x, x, x], pos, **info)


def bent(c, x, d, ang, charge=0, mult=None, x2=None, d2=None):
    x2, d2 = (x, d) if x2 is None else (x2, d2)
    t = ang / 2 * DEG
    info = {"charge": charge}
    if mult:
        info["multiplicity"] = mult
    return mol([c, x, x2], [[0, 0, 0], [d * np.sin(t), d * np.cos(t), 0], [-d2 * np.sin(t), d2 * np.cos(t), 0]], **info)


def linear(syms, dists, charge=0, mult=None):
    z = np.concatenate([[0], np.cumsum(dists)])
    info = {"charge": charge}
    if mult:
        info["multiplicity"] = mult
    return mol(syms, [[0, 0, v] for v in z], **info)


def tert_centre(center_sym, d_cc, charge, mult=None, pyramid=0.0):
    """C(CH3)3 with a planar (or slightly pyramidal) centre; methyl H staggered."""
    b = Builder()
    c0 = b.add(center_sym, [0, 0, 0])
    for k in range(3):
        f = 2 * np.pi * k / 3
        cm = d_cc * np.array(
            [np.cos(f) * np.cos(pyramid * DEG), np.sin(f) * np.cos(pyramid * DEG), -np.sin(pyramid * DEG)]
        )
        b.add("C", cm)
        b.h(tetra_h(cm, b.p[c0], 1.09, 3, twist=90))
    info = {"charge": charge}
    if mult:
        info["multiplicity"] = mult
    return b.atoms(**info)


def aromatic(n, d_cc, charge=0, mult=None, d_ch=1.08):
    r = d_cc / (2 * np.sin(np.pi / n))
    pts = ring(n, r)
    info = {"charge": charge}
    if mult:
        info["multiplicity"] = mult
    return mol(["C"] * n + ["H"] * n, np.vstack([pts, pts + d_ch * pts / r]), **info)


def benzyl(charge, mult=None, d_exo=1.37):
    pts = ring(6, 1.40)
    b = Builder()
    for p in pts:
        b.add("C", p)
    for p in pts[1:]:
        b.add("H", p + 1.08 * unit(p))
    c7 = pts[0] + d_exo * unit(pts[0])
    b.add("C", c7)
    for s in (1, -1):
        b.add("H", c7 + 1.08 * unit(rot([0, 0, 1], s * 120) @ (pts[0] - c7)))
    info = {"charge": charge}
    if mult:
        info["multiplicity"] = mult
    return b.atoms(**info)


def allyl(charge, mult=None, d=1.38, ang=117.0):
    t = ang / 2 * DEG
    c2 = np.zeros(3)
    c1 = d * np.array([-np.sin(t), -np.cos(t), 0])
    c3 = d * np.array([np.sin(t), -np.cos(t), 0])
    b = Builder()
    for p in (c1, c2, c3):
        b.add("C", p)
    b.add("H", [0, 1.08, 0])
    for c in (c1, c3):
        for s in (1, -1):
            b.add("H", c + 1.08 * unit(rot([0, 0, 1], s * 120) @ unit(c2 - c)))
    info = {"charge": charge}
    if mult:
        info["multiplicity"] = mult
    return b.atoms(**info)


def trityl(charge, mult=None):
    b = Builder()
    b.add("C", [0, 0, 0])
    for k in range(3):
        f = 2 * np.pi * k / 3
        e = np.array([np.cos(f), np.sin(f), 0])
        ipso = 1.45 * e
        ctr = ipso + 1.40 * e
        u = rot(e, 33.0) @ np.array([-np.sin(f), np.cos(f), 0])  # ring twisted 33 deg (propeller)
        for j in range(6):
            ang = np.pi + j * np.pi / 3
            p = ctr + 1.40 * (np.cos(ang) * e + np.sin(ang) * u)
            b.add("C", p)
            if j:
                b.add("H", p + 1.08 * unit(p - ctr))
    info = {"charge": charge}
    if mult:
        info["multiplicity"] = mult
    return b.atoms(**info)


# ---------------------------------------------------------------- carbocations
add(
    "methyl_cation",
    "carbocation",
    planar_xy3("C", "H", 1.087, charge=1),
    "Crofton, Jagod, Rehfuss & Oka, J. Chem. Phys. 91, 5139 (1989)",
    "CH3+ D3h",
)
add(
    "tert_butyl_cation",
    "carbocation",
    tert_centre("C", 1.442, 1),
    "Laube, Olah & Bau, J. Am. Chem. Soc. 119, 3087 (1997)",
    "(CH3)3C+, planar centre, C-C 1.442 Å",
)
add(
    "allyl_cation",
    "carbocation",
    allyl(1, None, 1.38, 117.0),
    "Buzek, Schleyer & Sieber, Chem. Unserer Zeit 26, 116 (1992); "
    "MP2 geometry: Koch, Liu & Schleyer, J. Am. Chem. Soc. 111, 3479 (1989)",
    "allyl cation C2v",
)
add(
    "tropylium",
    "carbocation",
    aromatic(7, 1.40, charge=1),
    "Allen et al., J. Chem. Soc., Perkin Trans. 2 1987, S1 (aromatic C-C); idealised D7h",
    "C7H7+ D7h, C-C 1.40 Å",
)
add(
    "cyclopropenium",
    "carbocation",
    aromatic(3, 1.373, charge=1),
    "Sundaralingam & Jensen, J. Am. Chem. Soc. 88, 198 (1966)",
    "C3H3+ D3h (triphenyl derivative ring 1.373 Å)",
)
add(
    "benzyl_cation",
    "carbocation",
    benzyl(1, None, 1.37),
    "Olah & Prakash (eds.), Carbocation Chemistry, Wiley 2004; idealised C2v (ring 1.40, exocyclic C-C 1.37 Å)",
    "benzyl cation C2v (exocyclic C-C 1.37 Å)",
)
add(
    "trityl_cation",
    "carbocation",
    trityl(1),
    "Gomes & Mallion, Rev. Port. Quím. 21, 82 (1979); Ph3C+ BF4- crystal: "
    "Gomes de Mesquita, MacGillavry & Eriks, Acta Cryst. 18, 437 (1965)",
    "Ph3C+ propeller (33 deg twist)",
)


def acetyl_cation():
    b = Builder()
    c1 = b.add("C", [0, 0, 0])
    b.add("C", [0, 0, 1.385])
    b.add("O", [0, 0, 1.385 + 1.108])
    b.h(tetra_h(b.p[c1], [0, 0, 1.385], 1.09))
    return b.atoms(charge=1)


add(
    "acetyl_cation",
    "carbocation",
    acetyl_cation(),
    "Le Carpentier & Weiss, Acta Cryst. B28, 1430 (1972) (CH3CO+ SbF6-)",
    "CH3-C≡O+",
)


def isopropyl_cation():
    b = Builder()
    c0 = b.add("C", [0, 0, 0])
    b.add("H", [0, 1.09, 0])
    for s in (1, -1):
        cm = 1.45 * np.array([s * np.sin(63 * DEG), -np.cos(63 * DEG), 0])
        b.add("C", cm)
        b.h(tetra_h(cm, b.p[c0], 1.09, 3, twist=90))
    return b.atoms(charge=1)


add(
    "isopropyl_cation",
    "carbocation",
    isopropyl_cation(),
    "Koch, Schleyer, Buzek & Liu, Croat. Chem. Acta 65, 655 (1992)",
    "(CH3)2CH+, C-C 1.45 Å, C-C-C 126 deg",
)

# ---------------------------------------------------------------- radicals (spin declared)


def ethyl_radical():
    b = Builder()
    b.add("C", [0, 0, 0])
    b.add("C", [1.49, 0, 0])
    b.h(tetra_h([1.49, 0, 0], [0, 0, 0], 1.09))
    b.h([[-0.54, 0.935, 0], [-0.54, -0.935, 0]])
    return b.atoms(multiplicity=2, charge=0)


add(
    "methyl_radical",
    "radical",
    planar_xy3("C", "H", 1.079, mult=2),
    "Yamada, Hirota & Kawaguchi, J. Chem. Phys. 75, 5256 (1981)",
    "CH3 planar",
)
add(
    "allyl_radical",
    "radical",
    allyl(0, 2, 1.39, 124.0),
    "Hirota, Yamada et al. (microwave, 1992); idealised C2v, C-C 1.39 Å, C-C-C 124 deg",
    "allyl radical",
)
add(
    "benzyl_radical",
    "radical",
    benzyl(0, 2, 1.39),
    "Cossart-Magos & Leach, J. Chem. Phys. 64, 4006 (1976); idealised C2v (exocyclic C-C 1.39 Å)",
    "benzyl radical (exocyclic C-C 1.39 Å)",
)
add("no2_radical", "radical", bent("N", "O", 1.197, 134.1, mult=2), CRC, "NO2 doublet")
add("clo2_radical", "radical", bent("Cl", "O", 1.470, 117.4, mult=2), CRC, "ClO2 doublet")
add(
    "no3_radical",
    "radical",
    planar_xy3("N", "O", 1.240, mult=2),
    "Ishiwata, Tanaka, Kawaguchi & Hirota, J. Chem. Phys. 82, 2196 (1985)",
    "NO3 D3h doublet",
)
add("o2_triplet", "radical", linear("OO", [1.2075], mult=3), CRC, "O2 X3Σg-")
add(
    "ch2_triplet",
    "radical",
    bent("C", "H", 1.075, 134.0, mult=3),
    "Jensen & Bunker, J. Chem. Phys. 89, 1327 (1988)",
    "CH2 3B1",
)
add("nh2_radical", "radical", bent("N", "H", 1.024, 103.3, mult=2), CRC, "NH2 doublet")
add(
    "ho2_radical",
    "radical",
    mol(
        "OOH",
        [[0, 0, 0], [1.331, 0, 0], [0.971 * np.cos(104.3 * DEG), 0.971 * np.sin(104.3 * DEG), 0]],
        multiplicity=2,
        charge=0,
    ),
    "Lubic & Amano, J. Chem. Phys. 81, 440 (1984)",
    "HO2 doublet",
)
add("no_radical", "radical", linear("NO", [1.151], mult=2), CRC, "NO doublet")
add("cn_radical", "radical", linear("CN", [1.172], mult=2), CRC, "CN doublet")
add(
    "tert_butyl_radical",
    "radical",
    tert_centre("C", 1.49, 0, mult=2, pyramid=10.0),
    "Yoshimine & Pacansky, J. Chem. Phys. 74, 5168 (1981)",
    "(CH3)3C, slightly pyramidal",
)
add("trityl_radical", "radical", trityl(0, 2), "Andersen, Acta Chem. Scand. 19, 629 (1965)", "Ph3C doublet")
add(
    "phenyl_radical",
    "radical",
    mol(
        aromatic(6, 1.395)[[0, 1, 2, 3, 4, 5, 7, 8, 9, 10, 11]].symbols,
        aromatic(6, 1.395)[[0, 1, 2, 3, 4, 5, 7, 8, 9, 10, 11]].positions,
        charge=0,
        multiplicity=2,
    ),
    "McMahon, Halter, Fimmen, Wilson, Peebles, Kuczkowski & Stanton, J. Am. Chem. Soc. 122, 939 (2000)",
    "C6H5 doublet",
)
add(
    "ethyl_radical",
    "radical",
    ethyl_radical(),
    "Pacansky & Dupuis, J. Chem. Phys. 68, 4276 (1978)",
    "C2H5, planar radical centre",
)

# ---------------------------------------------------------------- charged species (charge declared)
add(
    "azide",
    "ion",
    linear("NNN", [1.18, 1.18], charge=-1),
    "Orpen et al., J. Chem. Soc., Dalton Trans. 1989, S1; N-N 1.18 Å",
    "N3- linear",
)
add(
    "nitronium",
    "ion",
    linear("ONO", [1.154, 1.154], charge=1),
    "Truter, Cruickshank & Jeffrey, Acta Cryst. 13, 855 (1960)",
    "NO2+ linear",
)
add("nitrosonium", "ion", linear("NO", [1.063], charge=1), CRC, "NO+")
add("cyanide", "ion", linear("CN", [1.17], charge=-1), "Orpen et al., J. Chem. Soc., Dalton Trans. 1989, S1", "CN-")
add(
    "thiocyanate",
    "ion",
    linear("SCN", [1.65, 1.17], charge=-1),
    "Akers, Peterson & Willett, Acta Cryst. B24, 1125 (1968)",
    "SCN-",
)
add("cyanate", "ion", linear("OCN", [1.21, 1.17], charge=-1), "Waddington, J. Chem. Soc. 1959, 2499 (KOCN)", "OCN-")
add(
    "nitrite", "ion", bent("N", "O", 1.236, 115.4, charge=-1), "Kay & Frazer, Acta Cryst. 14, 56 (1961) (NaNO2)", "NO2-"
)
add(
    "nitrate",
    "ion",
    planar_xy3("N", "O", 1.25, charge=-1),
    "Orpen et al., J. Chem. Soc., Dalton Trans. 1989, S1",
    "NO3-",
)
add(
    "carbonate",
    "ion",
    planar_xy3("C", "O", 1.29, charge=-2),
    "Orpen et al., J. Chem. Soc., Dalton Trans. 1989, S1",
    "CO3 2-",
)
add(
    "hydroxide",
    "ion",
    linear("OH", [0.964], charge=-1),
    "Rosenbaum, Owrutsky, Tack & Saykally, J. Chem. Phys. 84, 5308 (1986)",
    "OH-",
)
add("hydrosulfide", "ion", linear("SH", [1.34], charge=-1), CCCBDB, "SH-")


def hydronium():
    t = 111.3 * DEG  # H-O-H
    # pyramidal H3O+: O-H 0.976, H-O-H 111.3
    r = 0.976 * np.sqrt(2 * (1 - np.cos(t)) / 3)
    h = np.sqrt(0.976**2 - r**2)
    return mol("OH3", np.vstack([[0, 0, h], ring(3, r)]), charge=1)


add("hydronium", "ion", hydronium(), "Tang & Oka, J. Mol. Spectrosc. 196, 120 (1999)", "H3O+ pyramidal")


def carboxylate(r_group):
    b = Builder()
    c = b.add("C", [0, 0, 0])
    for s in (1, -1):
        b.add("O", 1.26 * np.array([s * np.sin(63 * DEG), np.cos(63 * DEG), 0]))
    if r_group == "H":
        b.add("H", [0, -1.10, 0])
    else:
        cm = b.add("C", [0, -1.52, 0])
        b.h(tetra_h(b.p[cm], b.p[c], 1.09, 3, twist=90))
    return b.atoms(charge=-1)


add("formate", "ion", carboxylate("H"), "Orpen et al., J. Chem. Soc., Dalton Trans. 1989, S1", "HCOO-")
add("acetate", "ion", carboxylate("CH3"), "Hsu & Schlemper, Acta Cryst. B36, 3017 (1980) (sodium acetate)", "CH3COO-")


def guanidinium():
    b = Builder()
    b.add("C", [0, 0, 0])
    for k in range(3):
        f = 2 * np.pi * k / 3
        n = 1.326 * np.array([np.cos(f), np.sin(f), 0])
        b.add("N", n)
        for s in (1, -1):
            b.add("H", n + 1.01 * unit(rot([0, 0, 1], s * 120) @ unit(-n)))
    return b.atoms(charge=1)


add("guanidinium", "ion", guanidinium(), "Haas, Harris & Mills, Acta Cryst. 19, 676 (1965)", "C(NH2)3+ D3h")


def methylammonium():
    b = Builder()
    c = b.add("C", [0, 0, 0])
    n = b.add("N", [0, 0, 1.486])
    b.h(tetra_h(b.p[c], b.p[n], 1.09))
    b.h(tetra_h(b.p[n], b.p[c], 1.03, twist=60))
    return b.atoms(charge=1)


add("methylammonium", "ion", methylammonium(), "Orpen et al., J. Chem. Soc., Dalton Trans. 1989, S1", "CH3NH3+")
add(
    "oxalate",
    "ion",
    mol(
        "CCOOOO",
        [[-0.78, 0, 0], [0.78, 0, 0], [-1.40, 1.08, 0], [-1.40, -1.08, 0], [1.40, 1.08, 0], [1.40, -1.08, 0]],
        charge=-2,
    ),
    "Jeffrey & Parry, J. Am. Chem. Soc. 76, 5283 (1954) (sodium oxalate)",
    "C2O4 2- planar, C-C 1.56 Å",
)
