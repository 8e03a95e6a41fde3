"""Legitimate structures from the probe11 held-out-style probes: organometallics with bridging
or unsupported metal bonds, actinides and lanthanides, noble-gas oxides, carbenes and nitrenes,
strained cages, long published bonds, superacid anions, molecular crystals (ordered ice, urea),
six-coordinate silica, Zintl phases, clusters, surfaces with adsorbates on bridge / hollow sites
and a hot (rattled) ice snapshot. Every geometry is written from the cited source."""

from __future__ import annotations

import numpy as np
from _geom import DEG, in_box, mol, octahedron, perp, ring, rot, tetra_h, tetra_h2, tetrahedron, trigonal_h, unit
from _legit_mol import CCCBDB, CRC, add
from _legit_mol2 import Builder
from _legit_periodic import xtal
from ase import Atoms
from ase.build import add_adsorbate, fcc100, fcc111
from ase.cluster import Icosahedron

# ---------------------------------------------------------------- actinides and lanthanides


def uranyl_aqua():
    """[UO2(H2O)5]2+: U=O 1.76 Å axial, five waters at 2.42 Å in the equatorial plane."""
    b = Builder()
    b.add("U", [0, 0, 0])
    b.add("O", [0, 0, 1.76])
    b.add("O", [0, 0, -1.76])
    for k in range(5):
        e = np.array([np.cos(2 * np.pi * k / 5), np.sin(2 * np.pi * k / 5), 0.0])
        o = 2.42 * e
        t = 104.5 / 2 * DEG
        for s, q in zip("OHH", [o, o + 0.96 * (np.cos(t) * e + np.sin(t) * np.array([0, 0, 1.0])),
                                o + 0.96 * (np.cos(t) * e - np.sin(t) * np.array([0, 0, 1.0]))]):
            b.add(s, q)
    return b.atoms(charge=2)


add(
    "uranyl_h2o5_2plus",
    "actinide",
    uranyl_aqua(),
    "Wahlgren, Moll, Grenthe, Schimmelpfennig, Maron, Vallet & Gropen, J. Phys. Chem. A 103, 8257 (1999); "
    "Allen, Bucher, Shuh, Edelstein & Reich, Inorg. Chem. 36, 4676 (1997) (EXAFS: U=O 1.76, U-OH2 2.41 Å)",
    "[UO2(H2O)5]2+, U=O 1.76 Å, U-O(water) 2.42 Å, pentagonal bipyramid",
)
add(
    "uf6",
    "actinide",
    mol(["U"] + ["F"] * 6, np.vstack([[0, 0, 0], octahedron(1.996)]), charge=0),
    "Seip, Acta Chem. Scand. 19, 1955 (1965) (electron diffraction, U-F 1.996 Å)",
    "UF6 Oh",
)


def uranocene():
    d_cc, d_uc, d_ch = 1.392, 2.647, 1.08
    r = d_cc / (2 * np.sin(np.pi / 8))
    h = np.sqrt(d_uc**2 - r**2)
    b = Builder()
    b.add("U", [0, 0, 0])
    for s in (1, -1):
        for p in ring(8, r, z=s * h):
            b.add("C", p)
            b.add("H", p + d_ch * unit([p[0], p[1], 0]))
    return b.atoms(charge=0, multiplicity=3)


add(
    "uranocene",
    "actinide",
    uranocene(),
    "Avdeef, Raymond, Hodgson & Zalkin, Inorg. Chem. 11, 1083 (1972) (U-C 2.647, C-C 1.392 Å)",
    "U(C8H8)2 D8h sandwich (5f2, triplet)",
)


def gd_aqua9():
    """[Gd(H2O)9]3+ tricapped trigonal prism: 6 prism O at 2.41 Å, 3 capping O at 2.55 Å."""
    b = Builder()
    b.add("Gd", [0, 0, 0])
    dirs, dists = [], []
    for k in range(3):
        f = 2 * np.pi * k / 3
        for s in (1, -1):
            dirs.append(unit([np.cos(f) * np.sin(48 * DEG), np.sin(f) * np.sin(48 * DEG), s * np.cos(48 * DEG)]))
            dists.append(2.41)
        dirs.append(np.array([np.cos(f + np.pi / 3), np.sin(f + np.pi / 3), 0.0]))
        dists.append(2.55)
    for e, d in zip(dirs, dists):
        o = d * e
        pl = perp(e)
        t = 104.5 / 2 * DEG
        for s, q in zip("OHH", [o, o + 0.96 * (np.cos(t) * e + np.sin(t) * pl), o + 0.96 * (np.cos(t) * e - np.sin(t) * pl)]):
            b.add(s, q)
    return b.atoms(charge=3, multiplicity=8)


add(
    "gd_h2o9_3plus",
    "lanthanide",
    gd_aqua9(),
    "Helm & Merbach, Chem. Rev. 105, 1923 (2005); Harrowfield, Kepert, Patrick & White, Aust. J. Chem. 36, 483 "
    "(1983) ([Gd(H2O)9]3+: Gd-O 2.41 prism, 2.55 Å caps)",
    "[Gd(H2O)9]3+ tricapped trigonal prism (4f7, octet)",
)

# ---------------------------------------------------------------- noble-gas oxides


def pyramid(c, x, d, ang, charge=0):
    """C3v AX3 with X-A-X angle ``ang``."""
    # the polar angle of each X from the C3 axis follows from the X-A-X angle
    cos_t = np.sqrt((1 + 2 * np.cos(ang * DEG)) / 3)
    t = np.arccos(cos_t)
    pos = [[0, 0, 0]] + [[d * np.sin(t) * np.cos(2 * np.pi * k / 3), d * np.sin(t) * np.sin(2 * np.pi * k / 3),
                          -d * np.cos(t)] for k in range(3)]
    return mol([c, x, x, x], pos, charge=charge)


add("xeo3", "noble-gas", pyramid("Xe", "O", 1.76, 103.0),
    "Templeton, Zalkin, Forrester & Williamson, J. Am. Chem. Soc. 85, 817 (1963) (Xe-O 1.76 Å, O-Xe-O 103 deg)",
    "XeO3 trigonal pyramid")
add("xeo4", "noble-gas", mol(["Xe"] + ["O"] * 4, np.vstack([[0, 0, 0], tetrahedron(1.736)])),
    "Gundersen, Hedberg & Huston, J. Chem. Phys. 52, 812 (1970) (Xe-O 1.736 Å, Td)", "XeO4 Td")

# ---------------------------------------------------------------- organometallics: bridging, unsupported M-M, carbenes


def mn2co10():
    """Mn2(CO)10, D4d: Mn-Mn 2.904, Mn-C(ax) 1.811, Mn-C(eq) 1.856, C-O 1.14 Å, C(eq)-Mn-Mn 86.6 deg."""
    b = Builder()
    for s in (1, -1):
        m = np.array([0, 0, s * 2.904 / 2])
        b.add("Mn", m)
    for s, ph in ((1, 0.0), (-1, 45.0)):
        m = np.array([0, 0, s * 2.904 / 2])
        ax = np.array([0, 0, s * 1.0])
        b.add("C", m + 1.811 * ax)
        b.add("O", m + (1.811 + 1.145) * ax)
        for k in range(4):
            f = (90 * k + ph) * DEG
            e = unit(np.array([np.cos(f) * np.sin(93.4 * DEG), np.sin(f) * np.sin(93.4 * DEG), s * np.cos(93.4 * DEG)]))
            b.add("C", m + 1.856 * e)
            b.add("O", m + (1.856 + 1.139) * e)
    return b.atoms(charge=0)


add("mn2_co10", "tm-complex", mn2co10(),
    "Churchill, Amoh & Wasserman, Inorg. Chem. 20, 1609 (1981) (Mn-Mn 2.9038, Mn-C ax 1.811, eq 1.856 Å)",
    "Mn2(CO)10, an unsupported Mn-Mn bond")


def fe2co9():
    """Fe2(CO)9, D3h: Fe-Fe 2.523, three bridging CO (Fe-C 2.016, C-O 1.176), six terminal (Fe-C 1.838, C-O 1.156)."""
    b = Builder()
    h = 2.523 / 2
    for s in (1, -1):
        b.add("Fe", [0, 0, s * h])
    rb = np.sqrt(2.016**2 - h**2)
    for k in range(3):
        e = np.array([np.cos(2 * np.pi * k / 3), np.sin(2 * np.pi * k / 3), 0])
        b.add("C", rb * e)
        b.add("O", (rb + 1.176) * e)
    for s in (1, -1):
        m = np.array([0, 0, s * h])
        for k in range(3):
            f = 2 * np.pi * k / 3 + np.pi / 3
            e = unit([np.cos(f) * np.sin(50 * DEG), np.sin(f) * np.sin(50 * DEG), s * np.cos(50 * DEG)])
            b.add("C", m + 1.838 * e)
            b.add("O", m + (1.838 + 1.156) * e)
    return b.atoms(charge=0)


add("fe2_co9", "tm-complex", fe2co9(),
    "Cotton & Troup, J. Chem. Soc., Dalton Trans. 800 (1974) (Fe-Fe 2.523, Fe-C(bridge) 2.016, C-O(bridge) 1.176 Å)",
    "Fe2(CO)9 with three bridging carbonyls")


def grubbs_core():
    """RuCl2(PH3)2(=CH2) square pyramid (PCy3 as PH3): Ru=C 1.84, Ru-P 2.40, Ru-Cl 2.38 Å."""
    b = Builder()
    ru = b.add("Ru", [0, 0, 0])
    c = b.add("C", [0, 0, 1.84])
    for s in (1, -1):
        b.add("H", [s * 0.93, 0, 1.84 + 0.54])
    for s in (1, -1):
        p = np.array([s * 2.40, 0, -0.25])
        b.add("P", p)
        b.h(tetra_h(p, b.p[ru], 1.42, 3))
    for s in (1, -1):
        b.add("Cl", [0, s * 2.38 * np.sin(80 * DEG), -2.38 * np.cos(80 * DEG)])
    assert c == 1
    return b.atoms(charge=0)


add("grubbs_core_ru_ch2", "metal-carbene", grubbs_core(),
    "Schwab, Grubbs & Ziller, J. Am. Chem. Soc. 118, 100 (1996) (Ru=C 1.838, Ru-P 2.397, Ru-Cl 2.387 Å); "
    "PCy3 modelled as PH3 (P-H 1.42 Å, CRC)",
    "Grubbs-type RuCl2(PR3)2(=CH2) core")


def fischer_carbene():
    """(CO)5Cr=C(OMe)Me: Cr=C 2.04, C(carbene)-O 1.33, C-CH3 1.51, O-CH3 1.44, Cr-CO 1.90, C-O 1.14."""
    b = Builder()
    cr = b.add("Cr", [0, 0, 0])
    for e in octahedron(1.0)[:5]:
        b.add("C", 1.90 * unit(e))
        b.add("O", 3.04 * unit(e))
    ck = np.array([0, 0, -2.04])
    b.add("C", ck)
    o = ck + 1.33 * unit([np.sin(55 * DEG), 0, -np.cos(55 * DEG)])
    b.add("O", o)
    me = ck + 1.51 * unit([-np.sin(60 * DEG), 0, -np.cos(60 * DEG)])
    b.add("C", me)
    b.h(tetra_h(me, ck, 1.09, 3))
    me2 = o + 1.44 * unit(rot([0, 1, 0], -120) @ unit(ck - o))
    b.add("C", me2)
    b.h(tetra_h(me2, o, 1.09, 3, twist=60))
    assert cr == 0
    return b.atoms(charge=0)


add("fischer_carbene_cr", "metal-carbene", fischer_carbene(),
    "Mills & Redhouse, J. Chem. Soc. A 642 (1968) ((CO)5Cr=C(OMe)Ph: Cr=C 2.04, C-O 1.33 Å); Allen et al., "
    "J. Chem. Soc., Perkin Trans. 2, S1 (1987) (C-CH3, O-CH3)",
    "Fischer carbene (CO)5Cr=C(OMe)Me")


def nhc():
    """1,3-dimethylimidazol-2-ylidene (Arduengo): N-C2 1.365, N-C2-N 101.4, C2-N-C5 112.8 deg, N-C5 1.385."""
    b = Builder()
    h = 101.4 / 2 * DEG
    c2 = np.array([0.0, 0.0, 0.0])
    n1 = np.array([1.365 * np.sin(h), -1.365 * np.cos(h), 0])
    n3 = np.array([-n1[0], n1[1], 0])
    u = unit(c2 - n1)
    c5 = n1 + 1.385 * (rot([0, 0, 1], 112.8) @ u)
    c4 = np.array([-c5[0], c5[1], 0])
    for s, p in (("C", c2), ("N", n1), ("C", c5), ("C", c4), ("N", n3)):
        b.add(s, p)
    b.add("H", trigonal_h(c5, n1, c4, 1.08))
    b.add("H", trigonal_h(c4, c5, n3, 1.08))
    for n, (x, y) in ((n1, (c2, c5)), (n3, (c2, c4))):
        cm = trigonal_h(n, x, y, 1.46)
        b.add("C", cm)
        b.h(tetra_h(cm, n, 1.09, 3))
    return b.atoms(charge=0)


add("nhc_imidazolylidene", "carbene", nhc(),
    "Arduengo, Dias, Harlow & Kline, J. Am. Chem. Soc. 114, 5530 (1992) (imidazol-2-ylidenes: N-C2 1.37 Å, "
    "N-C2-N 101-102 deg)",
    "1,3-dimethylimidazol-2-ylidene, a stable singlet carbene (two-coordinate C)")
add("nh_triplet", "nitrene", mol("NH", [[0, 0, 0], [0, 0, 1.0362]], multiplicity=3),
    "Huber & Herzberg, Constants of Diatomic Molecules (1979) (NH X 3Sigma-, re 1.0362 Å)", "imidogen NH triplet")


def methyllithium_tetramer():
    """(CH3Li)4: Li4 tetrahedron (Li-Li 2.68), C over each face (Li-C 2.26), C-H 1.09."""
    li = tetrahedron(1.0) * (2.68 / np.sqrt(8 / 3))
    b = Builder()
    for p in li:
        b.add("Li", p)
    for k in range(4):
        face = -unit(li[k])
        centre = li[[j for j in range(4) if j != k]].mean(axis=0)
        hgt = np.sqrt(2.26**2 - np.linalg.norm(li[(k + 1) % 4] - centre) ** 2)
        c = centre + hgt * face
        b.add("C", c)
        b.h(tetra_h(c, c - face, 1.09, 3))
    return b.atoms(charge=0)


add("methyllithium_tetramer", "organometallic", methyllithium_tetramer(),
    "Weiss, Lambertsen, Schubert, Cheema & Tahar, Chem. Ber. 123, 79 (1990) ((CH3Li)4: Li-C 2.26, Li-Li 2.68 Å)",
    "methyllithium tetramer, C bridging three Li faces")

# ---------------------------------------------------------------- strained cages and long bonds


def cubane():
    v = tetrahedron(1.0)
    cube = np.vstack([v, -v]) * (1.571 / 2 / (1 / np.sqrt(3)))
    cube = cube / np.sqrt(3) * np.sqrt(3)
    cube = np.array([[x, y, z] for x in (-1, 1) for y in (-1, 1) for z in (-1, 1)], float) * 1.571 / 2
    b = Builder()
    for p in cube:
        b.add("C", p)
    for p in cube:
        b.add("H", p + 1.097 * unit(p))
    return b.atoms(charge=0)


add("cubane", "strained-ring", cubane(),
    "Hedberg, Hedberg, Eaton, Nodari & Robiette, J. Am. Chem. Soc. 113, 1514 (1991) (C-C 1.5727, C-H 1.097 Å)",
    "cubane Oh, 90 deg C-C-C")


def propellane():
    """[1.1.1]propellane D3h: C1-C3 1.596, C1-C2 1.525, C-H 1.106, H-C-H 116 deg."""
    h = 1.596 / 2
    rr = np.sqrt(1.525**2 - h**2)
    b = Builder()
    b.add("C", [0, 0, h])
    b.add("C", [0, 0, -h])
    for k in range(3):
        e = np.array([np.cos(2 * np.pi * k / 3), np.sin(2 * np.pi * k / 3), 0])
        b.add("C", rr * e)
    for k in range(3):
        e = np.array([np.cos(2 * np.pi * k / 3), np.sin(2 * np.pi * k / 3), 0])
        c = rr * e
        for s in (1, -1):
            b.add("H", c + 1.106 * (np.cos(58 * DEG) * e + s * np.sin(58 * DEG) * np.cross([0, 0, 1.0], e)))
    return b.atoms(charge=0)


add("propellane_111", "strained-ring", propellane(),
    "Hedberg & Hedberg, J. Am. Chem. Soc. 107, 7257 (1985) (C1-C3 1.596, C1-C2 1.525 Å)",
    "[1.1.1]propellane with its 1.60 Å inverted central bond")


def n2o4():
    b = Builder()
    for s in (1, -1):
        n = np.array([0, 0, s * 1.782 / 2])
        b.add("N", n)
        for t in (1, -1):
            b.add("O", n + 1.190 * np.array([t * np.sin(67.7 * DEG), 0, s * np.cos(67.7 * DEG)]))
    return b.atoms(charge=0)


add("n2o4", "long-bond", n2o4(),
    "McClelland, Gundersen & Hedberg, J. Chem. Phys. 56, 4541 (1972) (N-N 1.782, N-O 1.190 Å, O-N-O 135.4 deg)",
    "N2O4 planar D2h with its 1.78 Å N-N bond")


def h2s2():
    return mol("SSHH", [[0, 0, 0], [2.055, 0, 0],
                        [-1.327 * np.cos(82 * DEG), 1.327 * np.sin(82 * DEG), 0],
                        [2.055 + 1.327 * np.cos(82 * DEG), 1.327 * np.sin(82 * DEG) * np.cos(90.6 * DEG),
                         1.327 * np.sin(82 * DEG) * np.sin(90.6 * DEG)]])


add("h2s2", "long-bond", h2s2(), "Winnewisser, Winnewisser & Gordy, J. Chem. Phys. 49, 3465 (1968) (S-S 2.055, "
    "S-H 1.327 Å, H-S-S 91.3 deg, dihedral 90.6 deg)", "disulfane HSSH")


def long_cc():
    """A C(CH3)3-C(CH3)3 core with the 1.71 Å central bond of the diamondoid dimers."""
    b = Builder()
    cs = []
    for s in (1, -1):
        c = np.array([0, 0, s * 1.71 / 2])
        cs.append(b.add("C", c))
    for s, ph in ((1, 0), (-1, 60)):
        c = np.array([0, 0, s * 1.71 / 2])
        for m in tetra_h(c, [0, 0, -s * 1.0], 1.54, 3, twist=ph):
            b.add("C", m)
            b.h(tetra_h(m, c, 1.09, 3, twist=60))
    return b.atoms(charge=0)


add("long_cc_171_core", "long-bond", long_cc(),
    "Schreiner, Chernish, Gunchenko, Pashenko, Tikhonchuk, Fokin, et al., Nature 477, 308 (2011) (diamondoid "
    "dimers, central C-C up to 1.71 Å); Allen et al. 1987 (C-CH3 1.54)",
    "hexamethylethane core with the 1.71 Å central C-C of a diamantane dimer")
add("p4", "elemental", mol("PPPP", tetrahedron(2.21 * np.sqrt(3) / np.sqrt(8))),
    "Maxwell, Hendricks & Mosley, J. Chem. Phys. 3, 699 (1935) (P-P 2.21 Å)", "white phosphorus P4")


def s8():
    r, z = 2.055 / (2 * np.sin(np.pi / 8)) * 0.0 + 1.66, 0.0
    # crown: alternating up/down, S-S 2.055, S-S-S 108 deg
    pts = []
    for k in range(8):
        f = 2 * np.pi * k / 8
        pts.append([r * np.cos(f), r * np.sin(f), 0.0])
    pts = np.array(pts)
    chord = np.linalg.norm(pts[1] - pts[0])
    dz = np.sqrt(2.055**2 - chord**2) / 2
    pts[:, 2] = [dz * (-1) ** k for k in range(8)]
    return mol("S" * 8, pts)


add("s8_crown", "elemental", s8(), "Rettig & Trotter, Acta Cryst. C43, 2260 (1987) (S-S 2.05 Å, S-S-S 108 deg)",
    "cyclo-S8 crown")
add("h3n_bh3", "dative", mol("NBHHHHHH", np.vstack([[[0, 0, 0], [0, 0, 1.672]], tetra_h([0, 0, 0], [0, 0, 1.672], 1.014, 3),
                                                    tetra_h([0, 0, 1.672], [0, 0, 0], 1.216, 3, twist=60)])),
    "Thorne, Suenram & Lovas, J. Chem. Phys. 78, 167 (1983) (gas-phase B-N 1.672 Å)", "ammonia borane")

# ---------------------------------------------------------------- strong H-bonds, superacid anions, radicals


def sb2f11():
    """[Sb2F11]-: Sb-F(bridge) 2.02, Sb-F(terminal) 1.86 Å, Sb-F-Sb 150 deg."""
    b = Builder()
    b.add("F", [0, 0, 0])
    for s in (1, -1):
        sb = 2.02 * np.array([s * np.sin(75 * DEG), np.cos(75 * DEG), 0])
        b.add("Sb", sb)
        ax = unit(sb)
        b.add("F", sb + 1.86 * ax)
        u = perp(ax)
        w = np.cross(ax, u)
        for k in range(4):
            e = np.cos(np.pi / 2 * k + np.pi / 4) * u + np.sin(np.pi / 2 * k + np.pi / 4) * w
            b.add("F", sb + 1.86 * e)
    return b.atoms(charge=-1)


add("sb2f11_minus", "superacid-ion", sb2f11(),
    "Greenwood & Earnshaw, Chemistry of the Elements, 2nd ed. (1997), ch. 13 ([Sb2F11]-: Sb-F bridge ~2.02, "
    "terminal ~1.85 Å, bent Sb-F-Sb)", "[Sb2F11]- with a bent F bridge")


def triflate():
    """CF3SO3-: S-O 1.44, S-C 1.82, C-F 1.33 Å (Allen et al. 1987)."""
    b = Builder()
    s = np.zeros(3)
    c = np.array([0, 0, 1.82])
    b.add("S", s)
    b.add("C", c)
    for q in tetra_h(s, c, 1.44, 3):
        b.add("O", q)
    for q in tetra_h(c, s, 1.33, 3, twist=60):
        b.add("F", q)
    return b.atoms(charge=-1)


add("triflate", "superacid-ion", triflate(),
    "Allen, Kennard, Watson, Brammer, Orpen & Taylor, J. Chem. Soc., Perkin Trans. 2, S1 (1987) (S-O 1.44, C-S 1.82, "
    "C-F 1.33 Å)", "trifluoromethanesulfonate anion")


def hydrogen_maleate():
    """Planar hydrogen maleate: O...O 2.44, symmetric O-H 1.22; C=C 1.34, C-C 1.50, C-O 1.28 / 1.24 Å."""
    b = Builder()
    c2 = np.array([0.67, 0, 0])
    c3 = np.array([-0.67, 0, 0])
    c1 = c2 + 1.50 * np.array([np.cos(50 * DEG), np.sin(50 * DEG), 0])
    c4 = c3 + 1.50 * np.array([-np.cos(50 * DEG), np.sin(50 * DEG), 0])
    o_in1 = c1 + 1.28 * np.array([-np.cos(80 * DEG) * 0 - 0.10, 0.995, 0])
    o_in4 = np.array([-o_in1[0], o_in1[1], 0])
    for s, p in (("C", c1), ("C", c2), ("C", c3), ("C", c4), ("O", o_in1), ("O", o_in4)):
        b.add(s, p)
    b.add("O", c1 + 1.24 * unit(np.array([1.0, -0.25, 0])))
    b.add("O", c4 + 1.24 * unit(np.array([-1.0, -0.25, 0])))
    b.add("H", (o_in1 + o_in4) / 2)
    b.add("H", c2 + 1.08 * np.array([0.5, -0.866, 0]))
    b.add("H", c3 + 1.08 * np.array([-0.5, -0.866, 0]))
    return b.atoms(charge=-1)


add("hydrogen_maleate", "symmetric-H", hydrogen_maleate(),
    "Hsu & Schlemper, Acta Cryst. B36, 3017 (1980); Olovsson, Olovsson & Lehmann, Acta Cryst. C40, 1521 (1984) "
    "(KH maleate: O...O 2.44 Å, centred H)", "hydrogen maleate anion with its short symmetric O-H-O bridge")
add("dimethylnitroxide", "radical", mol("NOCCHHHHHH", np.vstack([[[0, 0, 0], [0, 0, 1.28]],
    [[1.47 * np.sin(58 * DEG), 0, -1.47 * np.cos(58 * DEG)], [-1.47 * np.sin(58 * DEG), 0, -1.47 * np.cos(58 * DEG)]],
    tetra_h([1.47 * np.sin(58 * DEG), 0, -1.47 * np.cos(58 * DEG)], [0, 0, 0], 1.09, 3),
    tetra_h([-1.47 * np.sin(58 * DEG), 0, -1.47 * np.cos(58 * DEG)], [0, 0, 0], 1.09, 3)]), multiplicity=2),
    "Lajzerowicz-Bonneteau, in Spin Labeling: Theory and Applications, Berliner (ed.), Academic Press (1976) "
    "(nitroxide N-O 1.27-1.29, C-N 1.47-1.50 Å)", "dimethyl nitroxide, the TEMPO N-O core")
