"""Legitimate molecules and molecular ions for the verdict corpus, from published geometries.

Each ``add`` call records (file stem, class, Atoms, source, description). Internal
coordinates are the cited experimental (or, for transition states and unstable
species, the cited ab initio) values; where a symmetric idealisation is used the
description says so.
"""

from __future__ import annotations

import numpy as np
from _geom import (
    DEG,
    mol,
    octahedron,
    ring,
    rot,
    tetra_h,
    tetrahedron,
    trigonal_h,
    unit,
    water_at,
)

ENTRIES: list[tuple] = []
CRC = "CRC Handbook of Chemistry and Physics, 97th ed., 'Structure of Free Molecules in the Gas Phase'"
CCCBDB = "NIST CCCBDB (Computational Chemistry Comparison and Benchmark DataBase), experimental geometry"
GE = "Greenwood & Earnshaw, Chemistry of the Elements, 2nd ed. (1997)"
CMW = "Cotton, Murillo & Walton, Multiple Bonds between Metal Atoms, 3rd ed., Springer 2005"


def add(name, cls, atoms, source, desc=""):
    ENTRIES.append((name, cls, atoms, source, desc))


# ---------------------------------------------------------------- metal-metal multiple bonds
add(
    "cr2",
    "metal-metal",
    mol("Cr2", [[0, 0, 0], [0, 0, 1.679]], charge=0, multiplicity=1),
    "Bondybey & English, Chem. Phys. Lett. 94, 443 (1983)",
    "Cr2 sextuple bond, r = 1.679 Å",
)
add(
    "mo2",
    "metal-metal",
    mol("Mo2", [[0, 0, 0], [0, 0, 1.940]], charge=0, multiplicity=1),
    "Hopkins, Langridge-Smith, Morse & Smalley, J. Chem. Phys. 78, 1627 (1983); " + CMW,
    "Mo2, r0 = 1.940 Å",
)
add(
    "v2",
    "metal-metal",
    mol("V2", [[0, 0, 0], [0, 0, 1.77]], charge=0, multiplicity=3),
    "Langridge-Smith, Morse, Hansen, Smalley & Merer, J. Chem. Phys. 80, 593 (1984)",
    "V2 triplet, r0 = 1.77 Å",
)


def phcrcrph():
    # trans-bent C-Cr-Cr-C core of Ar'CrCrAr' (Cr-Cr 1.8351, Cr-C 2.131, C-Cr-Cr 102.78 deg), Ar' -> Ph
    cr1, cr2 = np.array([0, 0, -1.8351 / 2]), np.array([0, 0, 1.8351 / 2])
    t = 102.78 * DEG  # angle C1-Cr1-Cr2, measured from +z (the Cr1->Cr2 direction)
    c1 = cr1 + 2.131 * np.array([np.sin(t), 0, np.cos(t)])
    c2 = cr2 - (c1 - cr1)
    syms, pos = ["Cr", "Cr"], [cr1, cr2]
    for cipso, cr in ((c1, cr1), (c2, cr2)):
        ax = unit(cipso - cr)
        u = np.array([0, 1.0, 0])  # ring plane perpendicular to the C-Cr-Cr-C plane
        ctr = cipso + 1.397 * ax
        for k in range(6):
            ang = np.pi + k * np.pi / 3
            p = ctr + 1.397 * (np.cos(ang) * ax + np.sin(ang) * u)
            syms.append("C")
            pos.append(p)
            if k:
                syms.append("H")
                pos.append(p + 1.084 * unit(p - ctr))
    return mol(syms, pos, charge=0, multiplicity=1)


add(
    "phcrcrph_quintuple",
    "metal-metal",
    phcrcrph(),
    "Nguyen, Sutton, Brynda, Fettinger, Long & Power, Science 310, 844 (2005) (Ar'CrCrAr' core); "
    "Ph model as in Brynda, Gagliardi, Widmark, Power & Roos, Angew. Chem. Int. Ed. 45, 3804 (2006)",
    "Cr-Cr quintuple bond 1.835 Å with ipso carbons (Cr-C 2.131, C-Cr-Cr 102.8 deg), phenyl ligands",
)


def paddlewheel(m, d_mm, d_mo, r_group, axial=None, d_ax=None, charge=0, mult=1):
    """M2(O2CR)4 (D4h): O-C 1.27 Å, O-C-O 123 deg; R = 'H' or 'CH3'; optional axial water."""
    z_m = d_mm / 2
    half_oo = 1.27 * np.sin(61.5 * DEG)
    z_o = half_oo
    r_o = np.sqrt(d_mo**2 - (z_o - z_m) ** 2) if z_o > z_m else np.sqrt(d_mo**2 - (z_m - z_o) ** 2)
    r_c = r_o + 1.27 * np.cos(61.5 * DEG)
    syms, pos = [m, m], [np.array([0, 0, -z_m]), np.array([0, 0, z_m])]
    for k in range(4):
        e = np.array([np.cos(k * np.pi / 2), np.sin(k * np.pi / 2), 0])
        f = np.array([0, 0, 1.0])
        syms += ["O", "O", "C"]
        pos += [r_o * e - z_o * f, r_o * e + z_o * f, r_c * e]
        if r_group == "H":
            syms.append("H")
            pos.append((r_c + 1.09) * e)
        else:
            cm = (r_c + 1.50) * e
            syms.append("C")
            pos.append(cm)
            for h in tetra_h(cm, r_c * e, 1.09, 3, twist=90):
                syms.append("H")
                pos.append(h)
    if axial:
        for s in (-1, 1):
            o = np.array([0, 0, s * (z_m + d_ax)])
            w = water_at(o, [0, 0, s * z_m], plane=[1, 1, 0])
            syms += ["O", "H", "H"]
            pos += w
    return mol(syms, pos, charge=charge, multiplicity=mult)


add(
    "mo2_acetate4",
    "metal-metal",
    paddlewheel("Mo", 2.093, 2.119, "CH3"),
    "Cotton, Mester & Webb, Acta Cryst. B30, 2768 (1974)",
    "Mo2(O2CCH3)4, Mo-Mo 2.093, Mo-O 2.119 Å",
)
add(
    "mo2_formate4",
    "metal-metal",
    paddlewheel("Mo", 2.091, 2.12, "H"),
    "Cotton, Norman, Stults & Webb, J. Coord. Chem. 5, 217 (1976)",
    "Mo2(O2CH)4, Mo-Mo 2.091 Å",
)
add(
    "cr2_acetate4_gas",
    "metal-metal",
    paddlewheel("Cr", 2.288, 2.022, "CH3"),
    "Ketkar & Fink, J. Am. Chem. Soc. 107, 338 (1985) (gas-phase electron diffraction)",
    "Cr2(O2CCH3)4, Cr-Cr 2.288 Å",
)
add(
    "rh2_acetate4_h2o2",
    "metal-metal",
    paddlewheel("Rh", 2.386, 2.039, "CH3", axial=True, d_ax=2.310),
    "Cotton, DeBoer, LaPrade, Pipal & Ucko, Acta Cryst. B27, 1664 (1971)",
    "Rh2(O2CCH3)4(H2O)2, Rh-Rh 2.386 Å",
)
add(
    "cu2_acetate4_h2o2",
    "metal-metal",
    paddlewheel("Cu", 2.616, 1.97, "CH3", axial=True, d_ax=2.156),
    "Brown & Chidambaram, Acta Cryst. B29, 2393 (1973)",
    "Cu2(O2CCH3)4(H2O)2, Cu...Cu 2.616 Å, singlet ground state",
)


def m2x8(m, x, d_mm, d_mx, ang, charge):
    syms, pos = [m, m], [np.array([0, 0, -d_mm / 2]), np.array([0, 0, d_mm / 2])]
    t = (180 - ang) * DEG
    for s in (-1, 1):
        for k in range(4):
            e = np.array([np.cos(k * np.pi / 2), np.sin(k * np.pi / 2), 0])
            syms.append(x)
            pos.append(np.array([0, 0, s * d_mm / 2]) + d_mx * (np.sin(t) * e + s * np.cos(t) * np.array([0, 0, 1.0])))
    return mol(syms, pos, charge=charge, multiplicity=1)


add(
    "mo2cl8_4minus",
    "metal-metal",
    m2x8("Mo", "Cl", 2.139, 2.45, 105.0, -4),
    "Brencic & Cotton, Inorg. Chem. 8, 7 (1969); " + CMW,
    "[Mo2Cl8]4-, Mo-Mo 2.139 Å, eclipsed D4h",
)
add(
    "w2cl8_4minus",
    "metal-metal",
    m2x8("W", "Cl", 2.259, 2.40, 104.0, -4),
    CMW + " ([W2Cl8]4-: W-W 2.259 Å)",
    "[W2Cl8]4-, W-W 2.259 Å",
)
add(
    "re2cl8_2minus",
    "metal-metal",
    m2x8("Re", "Cl", 2.241, 2.29, 103.7, -2),
    "Cotton & Harris, Inorg. Chem. 4, 330 (1965)",
    "[Re2Cl8]2-, Re-Re 2.241 Å (quadruple bond)",
)
add("mo2br8_4minus", "metal-metal", m2x8("Mo", "Br", 2.135, 2.60, 104.9, -4), CMW, "[Mo2Br8]4-, Mo-Mo 2.135 Å")
add(
    "hg2cl2",
    "metal-metal",
    mol("ClHgHgCl", [[0, 0, -2.53 / 2 - 2.43], [0, 0, -2.53 / 2], [0, 0, 2.53 / 2], [0, 0, 2.53 / 2 + 2.43]]),
    "Wells, Structural Inorganic Chemistry, 5th ed. (1984) (calomel Hg2Cl2: Hg-Hg 2.53 Å)",
    "Cl-Hg-Hg-Cl, Hg-Hg 2.53 Å",
)

# ---------------------------------------------------------------- multi-centre / symmetric hydrogen


def diborane(bb=1.775, bht=1.196, bhb=1.339, htbht=120.2):
    zb = bb / 2
    hb_y = np.sqrt(bhb**2 - zb**2)
    t = htbht / 2 * DEG
    syms = ["B", "B", "H", "H", "H", "H", "H", "H"]
    pos = [[-zb, 0, 0], [zb, 0, 0], [0, hb_y, 0], [0, -hb_y, 0]]
    for s in (-1, 1):
        for u in (-1, 1):
            pos.append([s * (zb + bht * np.cos(t)), 0, u * bht * np.sin(t)])
    return mol(syms, pos, charge=0)


add(
    "b2h6",
    "multicentre-H",
    diborane(),
    "Bartell & Carroll, J. Chem. Phys. 42, 1135 (1965)",
    "diborane, two B-H-B three-centre bonds (B-Hb 1.339 Å)",
)


def b5h9():
    s = 1.80 / np.sqrt(2)  # half-diagonal of the basal square (B-B 1.80)
    h = np.sqrt(1.69**2 - s**2)
    syms, pos = ["B"], [np.array([0, 0, h])]
    base = [np.array([s * np.cos(k * np.pi / 2), s * np.sin(k * np.pi / 2), 0]) for k in range(4)]
    syms += ["B"] * 4
    pos += base
    syms.append("H")
    pos.append(np.array([0, 0, h + 1.18]))
    for b in base:
        syms.append("H")
        pos.append(b + 1.19 * unit(unit(b) + np.array([0, 0, -0.35])))
    for k in range(4):
        mid = (base[k] + base[(k + 1) % 4]) / 2
        off = np.sqrt(1.35**2 - 0.9**2)
        syms.append("H")
        pos.append(mid + off * unit(unit(mid) + np.array([0, 0, -0.6])))
    return mol(syms, pos, charge=0)


add(
    "b5h9",
    "multicentre-H",
    b5h9(),
    GE + " (B5H9: B(apex)-B 1.69, B-B(base) 1.80, B-Hb 1.35 Å)",
    "nido-pentaborane(9): 4 B-H-B bridges",
)


def icosahedron(edge):
    p = (1 + 5**0.5) / 2
    v = []
    for a in (-1, 1):
        for b in (-1, 1):
            v += [[0, a, b * p], [a, b * p, 0], [b * p, 0, a]]
    v = np.array(v, float)
    return v * edge / 2.0


def cage_with_h(verts, syms, d_bh=1.19, d_ch=1.09, **info):
    out_s, out_p = list(syms), [x for x in verts]
    for s, p in zip(syms, verts):
        out_s.append("H")
        out_p.append(p + (d_ch if s == "C" else d_bh) * unit(p))
    return mol(out_s, out_p, **info)


ico = icosahedron(1.77)
# o-carborane: two adjacent vertices are C (vertices 0 and 1 are adjacent: [0,-1,-p] and [-1,-p,0])
_d = np.linalg.norm(ico[:, None] - ico[None], axis=-1)
_adj = int(np.argsort(_d[0])[1])
_syms = ["B"] * 12
_syms[0] = _syms[_adj] = "C"
add(
    "o_carborane",
    "multicentre-H",
    cage_with_h(ico, _syms, 1.19, 1.08, charge=0),
    GE + " (o-carborane: B-B 1.77-1.79 Å, C-C 1.63 Å, B-H 1.19 Å); idealised icosahedron",
    "1,2-C2B10H12, idealised icosahedron with edge 1.77 Å",
)
add(
    "b12h12_2minus",
    "multicentre-H",
    cage_with_h(icosahedron(1.78), ["B"] * 12, 1.12, charge=-2),
    "Wunderlich & Lipscomb, J. Am. Chem. Soc. 82, 4427 (1960)",
    "[B12H12]2- closo icosahedron, B-B 1.78 Å",
)
add(
    "b6h6_2minus",
    "multicentre-H",
    cage_with_h(octahedron(1.69 / np.sqrt(2)), ["B"] * 6, 1.12, charge=-2),
    GE + " ([B6H6]2-: B-B 1.69 Å)",
    "[B6H6]2- closo octahedron, B-B 1.69 Å",
)


def zundel():
    # symmetric H5O2+: O...O 2.39, central H on the midpoint, O-H(terminal) 0.965, H-O-H 110 deg
    o1, o2 = np.array([-1.195, 0, 0]), np.array([1.195, 0, 0])
    syms, pos = ["O", "O", "H"], [o1, o2, np.zeros(3)]
    for o, sgn, twist in ((o1, -1, 0.0), (o2, 1, 90.0)):
        ax = np.array([sgn, 0, 0])
        for k in (-1, 1):
            d = rot(ax, twist) @ unit(
                np.array([sgn * np.cos(65 * DEG), k * np.sin(65 * DEG) * 0.87, -np.sin(65 * DEG) * 0.5])
            )
            syms.append("H")
            pos.append(o + 0.965 * d)
    return mol(syms, pos, charge=1)


add(
    "zundel_h5o2",
    "symmetric-H",
    zundel(),
    "Huang, Braams & Bowman, J. Chem. Phys. 122, 044308 (2005)",
    "Zundel cation H5O2+, shared proton symmetric, O...O 2.39 Å",
)
add(
    "bifluoride",
    "symmetric-H",
    mol("FHF", [[-1.13, 0, 0], [0, 0, 0], [1.13, 0, 0]], charge=-1),
    "McGaw & Ibers, J. Chem. Phys. 39, 2677 (1963)",
    "[F-H-F]-, symmetric, F...F 2.26 Å",
)


def h3o2_minus():
    o1, o2 = np.array([-1.145, 0, 0]), np.array([1.145, 0, 0])
    t = 104 * DEG
    return mol(
        "OOHHH",
        [
            o1,
            o2,
            [0, 0, 0],
            o1 + 0.97 * np.array([np.cos(t), np.sin(t), 0]),
            o2 + 0.97 * np.array([-np.cos(t), -np.sin(t), 0.0]),
        ],
        charge=-1,
    )


add(
    "h3o2_minus",
    "symmetric-H",
    h3o2_minus(),
    "Abu-Dari, Raymond & Freyberg, J. Am. Chem. Soc. 101, 3688 (1979)",
    "[HO-H-OH]-, symmetric O-H-O, O...O 2.29 Å",
)


def formic_dimer_ts():
    a, co, oco = 1.21, 1.26, 126.0
    b = co * np.sin(oco / 2 * DEG)
    h = co * np.cos(oco / 2 * DEG)
    syms = ["C", "O", "O", "H", "C", "O", "O", "H", "H", "H"]
    pos = [
        [-a - h, 0, 0],
        [-a, b, 0],
        [-a, -b, 0],
        [-a - h - 1.08, 0, 0],
        [a + h, 0, 0],
        [a, b, 0],
        [a, -b, 0],
        [a + h + 1.08, 0, 0],
        [0, b, 0],
        [0, -b, 0],
    ]
    return mol(syms, pos, charge=0)


add(
    "formic_dimer_double_pt_ts",
    "symmetric-H",
    formic_dimer_ts(),
    "Kim, J. Am. Chem. Soc. 118, 1522 (1996) (D2h transition state: O...O 2.42, C-O 1.26 Å)",
    "double proton-transfer transition state of the formic acid dimer, both protons centred",
)


def malonaldehyde_ts():
    # C2v: O...H...O with the proton centred; C-O 1.28, C-C 1.39, O-C-C 122, C-C-C 118
    c2 = np.array([0.0, 0.0, 0.0])
    syms, pos = ["C"], [c2]
    cc, co = 1.39, 1.28
    half = 118 / 2 * DEG
    c1 = c2 + cc * np.array([-np.sin(half), np.cos(half), 0])
    c3 = c2 + cc * np.array([np.sin(half), np.cos(half), 0])
    o1 = c1 + co * unit(rot([0, 0, 1], 122) @ unit(c2 - c1))
    o3 = c3 + co * unit(rot([0, 0, 1], -122) @ unit(c2 - c3))
    hc = (o1 + o3) / 2
    syms += ["C", "C", "O", "O", "H", "H", "H", "H"]
    pos += [
        c1,
        c3,
        o1,
        o3,
        hc,
        c2 + 1.08 * np.array([0, -1.0, 0]),
        trigonal_h(c1, c2, o1, 1.09),
        trigonal_h(c3, c2, o3, 1.09),
    ]
    return mol(syms, pos, charge=0)


add(
    "malonaldehyde_pt_ts",
    "symmetric-H",
    malonaldehyde_ts(),
    "Wang, Braams, Bowman, Carter & Tew, J. Chem. Phys. 128, 224314 (2008) (C2v saddle point)",
    "malonaldehyde proton-transfer transition state, proton centred between the O atoms",
)


def al2me6():
    # Al2(CH3)6: Al-Al 2.60, Al-C(bridge) 2.14, Al-C(terminal) 1.957 (gas ED)
    al = 1.30
    cb = np.sqrt(2.14**2 - al**2)
    syms, pos = ["Al", "Al", "C", "C"], [[-al, 0, 0], [al, 0, 0], [0, cb, 0], [0, -cb, 0]]
    pos = [np.array(p, float) for p in pos]
    for c in (pos[2], pos[3]):
        for hh in tetra_h(c, c - unit(c), 1.10, 3):
            syms.append("H")
            pos.append(hh)
    for s in (-1, 1):
        for u in (-1, 1):
            ct = np.array([s * (al + 1.957 * np.cos(60 * DEG)), 0, u * 1.957 * np.sin(60 * DEG)])
            syms.append("C")
            pos.append(ct)
            for hh in tetra_h(ct, np.array([s * al, 0, 0]), 1.10, 3):
                syms.append("H")
                pos.append(hh)
    return mol(syms, pos, charge=0)


add(
    "al2me6",
    "multicentre-H",
    al2me6(),
    "Almenningen, Halvorsen & Haaland, Acta Chem. Scand. 25, 1937 (1971)",
    "trimethylaluminium dimer, two Al-C-Al three-centre bridges (5-coordinate C)",
)
add(
    "h3_plus",
    "multicentre-H",
    mol("H3", ring(3, 0.874 / np.sqrt(3)), charge=1),
    "Oka, Phys. Rev. Lett. 45, 531 (1980); Lindsay & McCall, J. Mol. Spectrosc. 210, 60 (2001)",
    "H3+, equilateral, H-H 0.874 Å (two-electron three-centre)",
)

# ---------------------------------------------------------------- hypervalent / non-classical


def ax_eq(center, lig, d_ax, d_eq, n_eq, n_ax=2, ang=90.0, charge=0, extra=(), mult=None, phase=0.0):
    """Central atom with n_eq equatorial ligands in a ring (angle ``ang`` to +z) and n_ax axial ligands."""
    syms, pos = [center], [np.zeros(3)]
    axl = [np.array([0, 0, d_ax]), np.array([0, 0, -d_ax])][:n_ax]
    for p in axl:
        syms.append(lig if isinstance(lig, str) else lig[0])
        pos.append(p)
    t = ang * DEG
    for k in range(n_eq):
        f = 2 * np.pi * k / n_eq + phase * DEG
        syms.append(lig if isinstance(lig, str) else lig[1])
        pos.append(d_eq * np.array([np.sin(t) * np.cos(f), np.sin(t) * np.sin(f), np.cos(t)]))
    for s, p in extra:
        syms.append(s)
        pos.append(np.asarray(p, float))
    info = {"charge": charge}
    if mult:
        info["multiplicity"] = mult
    return mol(syms, pos, **info)


def ch5_plus():
    syms, pos = ["C", "H", "H"], [np.zeros(3), np.array([0.475, 0, 1.091]), np.array([-0.475, 0, 1.091])]
    for k in range(3):
        f = 2 * np.pi * k / 3 + np.pi / 2
        t = 104 * DEG
        syms.append("H")
        pos.append(1.10 * np.array([np.sin(t) * np.cos(f), np.sin(t) * np.sin(f), np.cos(t)]))
    return mol(syms, pos, charge=1)


add(
    "ch5_plus",
    "hypervalent",
    ch5_plus(),
    "Müller, Kutzelnigg, Noga & Klopper, J. Chem. Phys. 106, 1863 (1997)",
    "protonated methane CH5+ (Cs-like: C-H 1.19 Å to an H2 unit with H-H 0.95 Å, three C-H 1.10 Å)",
)
add(
    "harf",
    "hypervalent",
    mol("HArF", [[0, 0, -1.329], [0, 0, 0], [0, 0, 1.969]], charge=0),
    "Khriachtchev, Pettersson, Runeberg, Lundell & Räsänen, Nature 406, 874 (2000); Runeberg et al., "
    "J. Chem. Phys. 114, 836 (2001)",
    "HArF, linear, H-Ar 1.329, Ar-F 1.969 Å",
)
add(
    "clf5",
    "hypervalent",
    ax_eq("Cl", "F", 1.571, 1.669, 4, n_ax=1, ang=86.0),
    CRC,
    "ClF5 square pyramid, Cl-F ax 1.571, eq 1.669 Å",
)
add("brf5", "hypervalent", ax_eq("Br", "F", 1.689, 1.774, 4, n_ax=1, ang=84.8), CRC, "BrF5 square pyramid")
add("if5", "hypervalent", ax_eq("I", "F", 1.844, 1.869, 4, n_ax=1, ang=81.9), CRC, "IF5 square pyramid")
add(
    "if7",
    "hypervalent",
    ax_eq("I", "F", 1.786, 1.858, 5),
    "Christe, Curtis & Dixon et al., J. Am. Chem. Soc. 115, 9461 (1993) (IF7, TeF7-); D5h idealised",
    "IF7 pentagonal bipyramid",
)
add(
    "tef7_minus",
    "hypervalent-ion",
    ax_eq("Te", "F", 1.790, 1.856, 5, charge=-1),
    "Christe, Curtis & Dixon et al., J. Am. Chem. Soc. 115, 9461 (1993) (IF7, TeF7-)",
    "[TeF7]- pentagonal bipyramid (D5h idealised)",
)


def if8_minus():
    syms, pos = ["I"], [np.zeros(3)]
    t = 57.5 * DEG
    for s, ph in ((1, 0.0), (-1, 45.0)):
        for k in range(4):
            f = k * np.pi / 2 + ph * DEG
            syms.append("F")
            pos.append(1.98 * np.array([np.sin(t) * np.cos(f), np.sin(t) * np.sin(f), s * np.cos(t)]))
    return mol(syms, pos, charge=-1)


add(
    "if8_minus",
    "hypervalent-ion",
    if8_minus(),
    GE + " ([IF8]-: square antiprism, I-F 1.98 Å)",
    "[IF8]- square antiprism, I-F 1.98 Å",
)
for nm, c, d, q, src in (
    ("pf6_minus", "P", 1.589, -1, "Orpen et al., J. Chem. Soc., Dalton Trans. 1989, S1 (PF6-)"),
    ("sif6_2minus", "Si", 1.683, -2, "Loehlin, Acta Cryst. C40, 570 (1984) (K2SiF6)"),
    ("asf6_minus", "As", 1.719, -1, GE + " (AsF6-: As-F 1.72 Å)"),
    ("sbf6_minus", "Sb", 1.877, -1, GE + " (SbF6-: Sb-F 1.88 Å)"),
    ("alf6_3minus", "Al", 1.806, -3, "Yang, Ghose & Hatch, Phys. Chem. Miner. 19, 528 (1993) (cryolite Na3AlF6)"),
    ("pcl6_minus", "P", 2.14, -1, GE + " ([PCl4]+[PCl6]-: P-Cl 2.14 Å in PCl6-)"),
    ("sf6", "S", 1.561, 0, CRC),
    ("sef6", "Se", 1.688, 0, CRC),
    ("tef6", "Te", 1.815, 0, CRC),
    ("wf6", "W", 1.832, 0, CRC),
    ("sbcl6_minus", "Sb", 2.37, -1, "Orpen et al., J. Chem. Soc., Dalton Trans. 1989, S1"),
):
    lig = "Cl" if "cl" in nm else "F"
    add(
        nm,
        "hypervalent-ion" if q else "hypervalent",
        mol([c] + [lig] * 6, np.vstack([np.zeros(3), octahedron(d)]), charge=q),
        src,
        f"{nm}: octahedral {c}-{lig} {d} Å",
    )
add("xef2", "hypervalent", mol("XeF2", [[0, 0, 0], [0, 0, 1.977], [0, 0, -1.977]]), CRC, "XeF2 linear, 1.977 Å")
add("krf2", "hypervalent", mol("KrF2", [[0, 0, 0], [0, 0, 1.875], [0, 0, -1.875]]), CRC, "KrF2 linear, 1.875 Å")
add("xef4", "hypervalent", ax_eq("Xe", "F", 0, 1.953, 4, n_ax=0), CRC, "XeF4 square planar, 1.953 Å")
add(
    "xef5_minus",
    "hypervalent-ion",
    ax_eq("Xe", "F", 0, 2.00, 5, n_ax=0, charge=-1),
    "Christe, Curtis, Dixon, Mercier, Sanders & Schrobilgen, J. Am. Chem. Soc. 113, 3351 (1991) ([XeF5]-)",
    "[XeF5]- pentagonal planar",
)
add("xeof4", "hypervalent", ax_eq("Xe", ("O", "F"), 1.703, 1.900, 4, n_ax=1, ang=91.8), CRC, "XeOF4 square pyramid")
add(
    "icl4_minus",
    "hypervalent-ion",
    ax_eq("I", "Cl", 0, 2.45, 4, n_ax=0, charge=-1),
    GE + " ([ICl4]-: I-Cl 2.45 Å)",
    "[ICl4]- square planar",
)
add(
    "brf4_minus",
    "hypervalent-ion",
    ax_eq("Br", "F", 0, 1.89, 4, n_ax=0, charge=-1),
    GE + " ([BrF4]-: Br-F 1.89 Å)",
    "[BrF4]- square planar",
)
add(
    "i3_minus",
    "hypervalent-ion",
    mol("I3", [[0, 0, -2.92], [0, 0, 0], [0, 0, 2.92]], charge=-1),
    GE + " (symmetric I3-: I-I 2.92 Å)",
    "triiodide, symmetric, I-I 2.92 Å",
)
add(
    "br3_minus",
    "hypervalent-ion",
    mol("Br3", [[0, 0, -2.54], [0, 0, 0], [0, 0, 2.54]], charge=-1),
    GE + " (Br3-: Br-Br 2.54 Å)",
    "tribromide, Br-Br 2.54 Å",
)
add(
    "icl2_minus",
    "hypervalent-ion",
    mol("ClICl", [[0, 0, -2.55], [0, 0, 0], [0, 0, 2.55]], charge=-1),
    GE + " ([ICl2]-: I-Cl 2.55 Å)",
    "[ICl2]- linear",
)
add(
    "clf3",
    "hypervalent",
    mol(
        "ClF3",
        [
            [0, 0, 0],
            [1.598, 0, 0],
            [-1.698 * np.cos(87.5 * DEG), 1.698 * np.sin(87.5 * DEG), 0],
            [-1.698 * np.cos(87.5 * DEG), -1.698 * np.sin(87.5 * DEG), 0],
        ],
    ),
    CRC,
    "ClF3 T-shaped, F_ax-Cl-F_eq 87.5 deg",
)
add(
    "brf3",
    "hypervalent",
    mol(
        "BrF3",
        [
            [0, 0, 0],
            [1.721, 0, 0],
            [-1.810 * np.cos(86.2 * DEG), 1.810 * np.sin(86.2 * DEG), 0],
            [-1.810 * np.cos(86.2 * DEG), -1.810 * np.sin(86.2 * DEG), 0],
        ],
    ),
    CRC,
    "BrF3 T-shaped",
)


def seesaw2(c, x, d_ax, d_eq, a_ax, a_eq, charge=0):
    ta = (180 - a_ax) / 2 * DEG
    te = a_eq / 2 * DEG
    pos = [
        [0, 0, 0],
        [-d_ax * np.sin(ta), d_ax * np.cos(ta), 0],
        [-d_ax * np.sin(ta), -d_ax * np.cos(ta), 0],
        [d_eq * np.cos(te), 0, d_eq * np.sin(te)],
        [d_eq * np.cos(te), 0, -d_eq * np.sin(te)],
    ]
    return mol([c, x, x, x, x], pos, charge=charge)


add("sf4", "hypervalent", seesaw2("S", "F", 1.646, 1.545, 173.1, 101.6), CRC, "SF4 seesaw")
add("sef4", "hypervalent", seesaw2("Se", "F", 1.771, 1.682, 169.2, 100.6), CRC, "SeF4 seesaw")
add("pf5", "hypervalent", ax_eq("P", "F", 1.577, 1.534, 3), CRC, "PF5 D3h")
add("pcl5", "hypervalent", ax_eq("P", "Cl", 2.124, 2.020, 3), CRC, "PCl5 D3h")
add("asf5", "hypervalent", ax_eq("As", "F", 1.711, 1.656, 3), CRC, "AsF5 D3h")
add(
    "pcl4_plus",
    "hypervalent-ion",
    mol("PCl4", np.vstack([np.zeros(3), tetrahedron(1.90)]), charge=1),
    GE + " ([PCl4]+: P-Cl 1.90 Å)",
    "[PCl4]+ tetrahedral",
)
for nm, c, x, d, q, src in (
    ("clo4_minus", "Cl", "O", 1.44, -1, "Orpen et al., J. Chem. Soc., Dalton Trans. 1989, S1"),
    ("so4_2minus", "S", "O", 1.473, -2, "Orpen et al., J. Chem. Soc., Dalton Trans. 1989, S1"),
    ("po4_3minus", "P", "O", 1.54, -3, "Orpen et al., J. Chem. Soc., Dalton Trans. 1989, S1"),
    ("bf4_minus", "B", "F", 1.39, -1, "Orpen et al., J. Chem. Soc., Dalton Trans. 1989, S1 (BF4-)"),
    ("alcl4_minus", "Al", "Cl", 2.13, -1, GE + " (AlCl4-: Al-Cl 2.13 Å)"),
    ("bh4_minus", "B", "H", 1.224, -1, GE + " (BH4-: B-H 1.22 Å)"),
    ("alh4_minus", "Al", "H", 1.63, -1, GE + " (AlH4-: Al-H 1.63 Å)"),
    ("nh4_plus", "N", "H", 1.03, 1, "Orpen et al., J. Chem. Soc., Dalton Trans. 1989, S1"),
    ("mno4_minus", "Mn", "O", 1.629, -1, "Palenik, Inorg. Chem. 6, 503 (1967) (KMnO4: Mn-O 1.63 Å)"),
    ("cro4_2minus", "Cr", "O", 1.65, -2, GE + " (CrO4 2-: Cr-O 1.65 Å)"),
    ("oso4", "Os", "O", 1.711, 0, CRC),
    ("ticl4", "Ti", "Cl", 2.170, 0, CRC),
):
    add(
        nm,
        "ion" if q else "tm-complex",
        mol([c] + [x] * 4, np.vstack([np.zeros(3), tetrahedron(d)]), charge=q),
        src,
        f"{nm}: tetrahedral {c}-{x} {d} Å",
    )
