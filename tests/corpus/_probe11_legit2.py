"""Legitimate structures from the probe11 probes, part 2: a Kubas dihydrogen complex, fluoride and
chloride bridges, a surface ethylidyne, a ring carbene, ionic crystals with molecular anions
(peroxide, acetylide, borohydride), a nitride, actinide / lanthanide rocksalts, rutile GeO2 and
a hybrid perovskite."""

from __future__ import annotations

import numpy as np
from _geom import DEG, mol, tetra_h, unit
from _legit_mol import add
from _legit_mol2 import Builder
from _legit_periodic import xtal
from ase import Atoms
from ase.build import add_adsorbate, fcc111


def kubas():
    """W(CO)3(PH3)2(eta2-H2): H-H 0.82, W-H 1.75, W-C 2.01, C-O 1.16, W-P 2.49 Å (PiPr3 as PH3)."""
    b = Builder()
    w = b.add("W", [0, 0, 0])
    hh = np.sqrt(1.75**2 - 0.41**2)
    b.add("H", [hh, 0.41, 0])
    b.add("H", [hh, -0.41, 0])
    for e in ([-1, 0, 0], [0, 1, 0], [0, -1, 0]):
        e = np.asarray(e, float)
        b.add("C", 2.01 * e)
        b.add("O", 3.17 * e)
    for s in (1, -1):
        p = np.array([0, 0, s * 2.49])
        b.add("P", p)
        b.h(tetra_h(p, b.p[w], 1.42, 3))
    return b.atoms(charge=0)


add("kubas_w_h2", "metal-hydride", kubas(),
    "Kubas, Ryan, Swanson, Vergamini & Wasserman, J. Am. Chem. Soc. 106, 451 (1984) (W(CO)3(PiPr3)2(H2): H-H "
    "0.82 Å neutron, W-H 1.75 Å); PiPr3 modelled as PH3 (P-H 1.42 Å, CRC)",
    "Kubas sigma-H2 complex, side-on H2 at 0.82 Å")


def xe2f3():
    """[Xe2F3]+: Xe-F(t) 1.90, Xe-F(b) 2.14 Å, Xe-F-Xe 151 deg, F(t)-Xe-F(b) 180 deg."""
    b = Builder()
    b.add("F", [0, 0, 0])
    for s in (1, -1):
        e = np.array([s * np.sin(75.5 * DEG), np.cos(75.5 * DEG), 0])
        b.add("Xe", 2.14 * e)
        b.add("F", (2.14 + 1.90) * e)
    return b.atoms(charge=1)


add("xe2f3_plus", "noble-gas", xe2f3(),
    "Greenwood & Earnshaw, Chemistry of the Elements, 2nd ed. (1997), ch. 18 ([Xe2F3]+ in [Xe2F3][AsF6]: "
    "Xe-F(t) 1.90, Xe-F(b) 2.14 Å, Xe-F-Xe 151 deg)", "[Xe2F3]+ with a fluoride bridge")
add("hcl2_minus", "symmetric-H", mol("ClHCl", [[0, 0, 0], [0, 0, 1.57], [0, 0, 3.14]], charge=-1),
    "Evans & Lo, J. Phys. Chem. 70, 11 (1966); Schroeder & Ibers, Inorg. Chem. 7, 594 (1968) ([Cl-H-Cl]-, "
    "Cl...Cl 3.14 Å, centred H)", "bichloride anion, symmetric Cl-H-Cl")


def cyclopropenylidene():
    """c-C3H2: C1(carbene)-C2 1.42, C2=C3 1.32, C-H 1.08 Å."""
    c1 = np.array([0, np.sqrt(1.42**2 - 0.66**2), 0])
    c2, c3 = np.array([0.66, 0, 0]), np.array([-0.66, 0, 0])
    h2 = c2 + 1.08 * unit(c2 - (c1 + c3) / 2)
    h3 = c3 + 1.08 * unit(c3 - (c1 + c2) / 2)
    return mol("CCCHH", [c1, c2, c3, h2, h3], multiplicity=1)


add("cyclopropenylidene", "carbene", cyclopropenylidene(),
    "Thaddeus, Vrtilek & Gottlieb, Astrophys. J. 299, L63 (1985); Lovas, Suenram, Ogata & Yamamoto, Astrophys. "
    "J. 399, 325 (1992) (c-C3H2: C1-C2 1.42, C2=C3 1.32 Å)", "cyclopropenylidene, the interstellar ring carbene")


def ethylidyne_pt111():
    s = fcc111("Pt", size=(2, 2, 4), a=3.924, vacuum=8.0)
    m = Atoms("CC", positions=[[0, 0, 0], [0, 0, 1.50]])
    m += Atoms("HHH", positions=tetra_h([0, 0, 1.50], [0, 0, 0], 1.09, 3))
    add_adsorbate(s, m, 1.20, "fcc")
    s.pbc = True
    return s


add("pt111_ethylidyne_fcc", "slab-adsorbate", ethylidyne_pt111(),
    "Kesmodel, Dubois & Somorjai, J. Chem. Phys. 70, 2180 (1979); Starke, Barbieri, Materer, Van Hove & Somorjai, "
    "Surf. Sci. 286, 1 (1993) (CCH3 in fcc hollows of Pt(111): Pt-C 2.00, C-C 1.50 Å)",
    "ethylidyne on Pt(111): a carbon bonded to three Pt and one C")
xtal("bao2_peroxide", "crystal", ["Ba", "O"], [(0, 0, 0), (0, 0, 0.391)], 139, [3.84, 3.84, 6.84, 90, 90, 90],
     "Abrahams & Kalnajs, Acta Cryst. 7, 838 (1954) (BaO2, CaC2 type; O-O 1.49 Å)", "barium peroxide: O2 2- units",
     primitive=True)
xtal("cac2_acetylide", "crystal", ["Ca", "C"], [(0, 0, 0), (0, 0, 0.406)], 139, [3.89, 3.89, 6.38, 90, 90, 90],
     "Atoji, J. Chem. Phys. 35, 1950 (1961) (CaC2 I4/mmm, C-C 1.19 Å)", "calcium carbide: C2 2- units",
     primitive=True)
xtal("nabh4_cubic", "metal-hydride", ["Na", "B", "H"], [(0.5, 0.5, 0.5), (0, 0, 0), (0.1145, 0.1145, 0.1145)], 216,
     [6.15] * 3 + [90] * 3,
     "Davis & Kennard, J. Solid State Chem. 59, 393 (1985) (NaBH4 cubic a = 6.15 Å, B-H 1.22 Å; BH4 ordered here)",
     "sodium borohydride with one ordered BH4 orientation", primitive=True)
xtal("li3n", "crystal", ["N", "Li", "Li"], [(0, 0, 0), (0, 0, 0.5), (1 / 3, 2 / 3, 0)], 191,
     [3.648, 3.648, 3.875, 90, 90, 120], "Rabenau & Schulz, J. Less-Common Met. 50, 155 (1976) (Li3N P6/mmm)",
     "lithium nitride: N3- with no non-metal partner")
xtal("euo_rocksalt", "crystal", ["Eu", "O"], [(0, 0, 0), (0.5, 0.5, 0.5)], 225, [5.144] * 3 + [90] * 3,
     "Wyckoff, Crystal Structures vol. 1 (1963) (EuO a = 5.144 Å)", "EuO rocksalt", primitive=True)
xtal("un_rocksalt", "crystal", ["U", "N"], [(0, 0, 0), (0.5, 0.5, 0.5)], 225, [4.889] * 3 + [90] * 3,
     "Wyckoff, Crystal Structures vol. 1 (1963) (UN a = 4.889 Å)", "uranium nitride rocksalt", primitive=True)
xtal("geo2_rutile", "crystal", ["Ge", "O"], [(0, 0, 0), (0.3057, 0.3057, 0)], 136, [4.3975, 4.3975, 2.8625, 90, 90, 90],
     "Baur & Khan, Acta Cryst. B27, 2133 (1971) (rutile-type GeO2)", "argutite GeO2: six-coordinate Ge, Ge...Ge 2.86 Å")


def mapbi3():
    """Cubic CH3NH3PbI3 (a = 6.33 Å) with one ordered cation along [100]: C-N 1.48, C-H 1.09, N-H 1.03 Å."""
    a = 6.33
    pb = Atoms("PbIII", scaled_positions=[(0, 0, 0), (0.5, 0, 0), (0, 0.5, 0), (0, 0, 0.5)], cell=[a] * 3, pbc=True)
    c = np.array([a / 2 - 0.74, a / 2, a / 2])
    n = np.array([a / 2 + 0.74, a / 2, a / 2])
    ma = Atoms("CN", positions=[c, n])
    ma += Atoms("HHH", positions=tetra_h(c, n, 1.09, 3))
    ma += Atoms("HHH", positions=tetra_h(n, c, 1.03, 3, twist=60))
    pb += ma
    return pb


add("mapbi3_cubic", "crystal", mapbi3(),
    "Poglitsch & Weber, J. Chem. Phys. 87, 6373 (1987) (cubic MAPbI3 a = 6.33 Å above 327 K); Allen et al. 1987 "
    "(C-N 1.48 Å)", "methylammonium lead iodide, cubic cell, one cation orientation")


def ammonia_borane_dimer():
    """(H3NBH3)2 with one N-H...H-B dihydrogen bond at 2.02 Å (N-B 1.58, N-H 1.07, B-H 1.18 Å, crystal)."""
    from _geom import tetra_h as th

    nb = np.vstack([[[0, 0, 0], [0, 0, 1.58]], th([0, 0, 0], [0, 0, 1.58], 1.07, 3),
                    th([0, 0, 1.58], [0, 0, 0], 1.18, 3, twist=60)])
    m1 = Atoms("NBHHHHHH", positions=nb)
    m2 = m1.copy()
    u = unit(m1.positions[2] - m1.positions[0])
    m2.positions += m1.positions[2] + 2.02 * u - m1.positions[5]
    return m1 + m2


add("nh3bh3_dihydrogen_dimer", "dihydrogen-bond", ammonia_borane_dimer(),
    "Klooster, Koetzle, Siegbahn, Richardson & Crabtree, J. Am. Chem. Soc. 121, 6337 (1999) (neutron: N-B 1.58, "
    "N-H...H-B 2.02 Å)", "two ammonia boranes joined by an N-H...H-B dihydrogen bond")
add("h3n_clf", "halogen-bond", mol("NClFHHH", [[0, 0, 0], [0, 0, 2.37], [0, 0, 4.03]]
                                  + list(tetra_h([0, 0, 0], [0, 0, 2.37], 1.01, 3))),
    "Bloemink, Holloway & Legon, Chem. Phys. Lett. 254, 59 (1996) (H3N...ClF, N...Cl 2.37 Å, rotational spectrum)",
    "H3N...ClF, the shortest neutral halogen-bonded complex")


def me3n_i2():
    cs = tetra_h([0, 0, 0], [0, 0, 2.27], 1.47, 3)
    hs = [q for c in cs for q in tetra_h(c, [0, 0, 0], 1.09, 3)]
    return mol("NIICCC" + "H" * 9, [[0, 0, 0], [0, 0, 2.27], [0, 0, 5.10]] + list(cs) + hs, charge=0)


add("me3n_i2", "halogen-bond", me3n_i2(),
    "Strømme, Acta Chem. Scand. 13, 268 (1959) ((CH3)3N-I2: N-I 2.27, I-I 2.83 Å)", "trimethylamine-iodine complex")


def ti_beta_agostic():
    """EtTiCl3 core of EtTiCl3(dmpe): Ti-C 2.14, C-C 1.50, Ti-C-C 86 deg, Ti...H(beta) 2.29, C-H(agostic) 1.13."""
    from _geom import rot, tetra_h2

    ti, ca = np.zeros(3), np.array([2.14, 0, 0])
    cb = ca + 1.50 * np.array([-np.cos(86 * DEG), np.sin(86 * DEG), 0])
    u = unit(ti - cb)
    cands = [cb + 1.13 * (rot([0, 0, 1], s * 65) @ u) for s in (1, -1)]
    hag = max(cands, key=lambda q: np.linalg.norm(q - ca))
    pos = [ti, ca, cb, hag, *tetra_h2(ca, ti, cb, 1.09), *tetra_h2(cb, ca, hag, 1.09)]
    pos += [2.22 * unit(v) for v in ([-1, 1.0, 1.4], [-1, 1.0, -1.4], [-0.6, -1.6, 0])]
    return mol(["Ti", "C", "C", "H", "H", "H", "H", "H", "Cl", "Cl", "Cl"], pos, charge=0)


add("ti_beta_agostic", "agostic", ti_beta_agostic(),
    "Brookhart, Green & Parkin, Proc. Natl. Acad. Sci. USA 104, 6908 (2007) (review; EtTiCl3(dmpe): Ti-C-C 86 deg, "
    "Ti...H 2.29 Å, agostic C-H elongated); dmpe left out", "beta-agostic ethyl on Ti (EtTiCl3 core)")

# ---------------------------------------------------------------- long and unusual main-group bonds
from _geom import zmatrix  # noqa: E402

n5 = zmatrix([("N",), ("N", 0, 1.30), ("N", 1, 1.11, 0, 168.0), ("N", 0, 1.30, 1, 111.0, 2, 180.0),
              ("N", 3, 1.11, 0, 168.0, 1, 180.0)])
n5.info["charge"] = 1
add("n5_plus", "ion", n5, "Christe, Wilson, Sheehy & Boatz, Angew. Chem. Int. Ed. 38, 2004 (1999) (N5+: N1-N2 1.11, "
    "N2-N3 1.30 Å, N2-N3-N4 111, N1-N2-N3 168 deg)", "pentazenium cation, V-shaped")
foof = zmatrix([("O",), ("O", 0, 1.217), ("F", 0, 1.575, 1, 109.5), ("F", 1, 1.575, 0, 109.5, 2, 87.5)])
add("foof", "long-bond", foof, "Jackson, J. Chem. Soc. 4585 (1962) (O2F2: O-O 1.217, O-F 1.575 Å, F-O-O 109.5, "
    "dihedral 87.5 deg)", "dioxygen difluoride with its 1.575 Å O-F bonds")


def s2f10():
    pos, sym = [[0, 0, 1.1105], [0, 0, -1.1105]], ["S", "S"]
    for s, ph in ((1, 0), (-1, 45)):
        sp = np.array([0, 0, s * 1.1105])
        pos.append(sp + [0, 0, s * 1.56])
        sym.append("F")
        for k in range(4):
            f = (90 * k + ph) * DEG
            pos.append(sp + 1.56 * np.array([np.cos(f), np.sin(f), 0]))
            sym.append("F")
    return mol(sym, pos)


add("s2f10", "long-bond", s2f10(), "Harvey & Bauer, J. Am. Chem. Soc. 75, 2840 (1953) (S2F10: S-S 2.21, S-F 1.56 Å)",
    "disulfur decafluoride, a 2.21 Å S-S bond")


def s4n4():
    """S4N4 D2d cradle: S-N 1.62 Å, S-N-S 113 deg, transannular S...S 2.58 Å (solved for the N position)."""
    from scipy.optimize import fsolve

    def eq(v):
        u, z = v
        n, s1, s3 = np.array([u, u, 0]), np.array([1.29, 0, z]), np.array([0, 1.29, -z])
        a, c = s1 - n, s3 - n
        return [np.linalg.norm(a) - 1.62, np.degrees(np.arccos(a @ c / np.linalg.norm(a) / np.linalg.norm(c))) - 113.0]

    u, z = fsolve(eq, [1.2, 0.8])
    return mol("SSSSNNNN", [[1.29, 0, z], [-1.29, 0, z], [0, 1.29, -z], [0, -1.29, -z],
                            [u, u, 0], [-u, u, 0], [-u, -u, 0], [u, -u, 0]])


add("s4n4", "long-bond", s4n4(), "Greenwood & Earnshaw, Chemistry of the Elements, 2nd ed. (1997), ch. 15 (S4N4: S-N 1.62 Å, "
    "transannular S...S 2.58 Å)", "tetrasulfur tetranitride cradle with its 2.58 Å transannular S...S")
