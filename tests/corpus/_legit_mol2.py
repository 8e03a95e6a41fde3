"""Legitimate molecules, part 2: zwitterions, solvated ions, complexes, cations, radicals, ions,
ionic liquids, peptides and molecules in periodic vacuum boxes (literature geometries)."""

from __future__ import annotations

import numpy as np
from _geom import (
    DEG,
    donor_water,
    mol,
    octahedron,
    perp,
    place,
    ring,
    tetra_h,
    tetra_h2,
    tetrahedron,
    unit,
    water_at,
)
from _legit_mol import add
from ase.build import molecule


def dihedral(a, b, c, d):
    b0, b1, b2 = np.asarray(a) - b, np.asarray(c) - b, np.asarray(d) - c
    b1 = unit(b1)
    v = b0 - np.dot(b0, b1) * b1
    w = b2 - np.dot(b2, b1) * b1
    return np.degrees(np.arctan2(np.dot(np.cross(b1, v), w), np.dot(v, w)))


class Builder:
    """Collects symbols and positions."""

    def __init__(self):
        self.s, self.p = [], []

    def add(self, sym, pos):
        self.s.append(sym)
        self.p.append(np.asarray(pos, float))
        return len(self.p) - 1

    def h(self, positions, sym="H"):
        for q in positions:
            self.add(sym, q)

    def atoms(self, **info):
        return mol(self.s, self.p, **info)


# ---------------------------------------------------------------- zwitterions


def amino_acid_zwitterion(methyl=False):
    b = Builder()
    n = b.add("N", [0, 0, 0])
    ca = b.add("C", [1.476, 0, 0])
    c = b.add("C", place([0, 1, 0], b.p[n], b.p[ca], 1.526, 111.9, 0.0))
    b.add("O", place(b.p[n], b.p[ca], b.p[c], 1.252, 117.5, -19.0))
    b.add("O", place(b.p[n], b.p[ca], b.p[c], 1.250, 117.9, 161.0))
    b.h(tetra_h(b.p[n], b.p[ca], 1.03, 3, twist=60))
    h1, h2 = tetra_h2(b.p[ca], b.p[n], b.p[c], 1.09)
    if methyl:
        # L-alanine: CB on the side giving improper CA-N-C-CB > 0
        cb, ha = (h1, h2) if dihedral(b.p[ca], b.p[n], b.p[c], h1) > 0 else (h2, h1)
        cb = b.p[ca] + 1.523 * unit(cb - b.p[ca])
        b.add("C", cb)
        b.add("H", ha)
        b.h(tetra_h(cb, b.p[ca], 1.09, 3))
    else:
        b.h([h1, h2])
    return b.atoms(charge=0)


add(
    "glycine_zwitterion",
    "zwitterion",
    amino_acid_zwitterion(),
    "Jönsson & Kvick, Acta Cryst. B28, 1827 (1972) (alpha-glycine, neutron)",
    "+H3N-CH2-COO-",
)
add(
    "alanine_zwitterion",
    "zwitterion",
    amino_acid_zwitterion(True),
    "Lehmann, Koetzle & Hamilton, J. Am. Chem. Soc. 94, 2657 (1972) (L-alanine, neutron)",
    "+H3N-CH(CH3)-COO-",
)


def sulfamic():
    b = Builder()
    s = b.add("S", [0, 0, 0])
    n = b.add("N", [0, 0, 1.772])
    for k in range(3):
        b.add(
            "O",
            1.44
            * np.array(
                [
                    np.sin(102.6 * DEG) * np.cos(2 * np.pi * k / 3),
                    np.sin(102.6 * DEG) * np.sin(2 * np.pi * k / 3),
                    np.cos(102.6 * DEG),
                ]
            ),
        )
    b.h(tetra_h(b.p[n], b.p[s], 1.03, 3, twist=60))
    return b.atoms(charge=0)


add(
    "sulfamic_acid_zwitterion",
    "zwitterion",
    sulfamic(),
    "Bats, Coppens & Koetzle, Acta Cryst. B33, 37 (1977) (neutron)",
    "+H3N-SO3-, N-S 1.772 Å",
)


def tmao():
    b = Builder()
    n = b.add("N", [0, 0, 0])
    b.add("O", [0, 0, 1.388])
    for k in range(3):
        t = 109.0 * DEG
        c = 1.496 * np.array([np.sin(t) * np.cos(2 * np.pi * k / 3), np.sin(t) * np.sin(2 * np.pi * k / 3), np.cos(t)])
        b.add("C", c)
        b.h(tetra_h(c, b.p[n], 1.09, 3, twist=60))
    return b.atoms(charge=0)


add(
    "tmao",
    "zwitterion",
    tmao(),
    "Caron, Palenik, Goldish & Donohue, Acta Cryst. 17, 102 (1964)",
    "trimethylamine N-oxide, N+-O-, N-O 1.388 Å",
)


def pyridine_n_oxide():
    b = Builder()
    pts = ring(6, 1.39, phase=0)
    for k, p in enumerate(pts):
        b.add("N" if k == 0 else "C", p)
    b.add("O", pts[0] + 1.29 * unit(pts[0]))
    for k in range(1, 6):
        b.add("H", pts[k] + 1.08 * unit(pts[k]))
    return b.atoms(charge=0)


add(
    "pyridine_n_oxide",
    "zwitterion",
    pyridine_n_oxide(),
    "Snerling, Nielsen, Nygaard, Pedersen & Sørensen, J. Mol. Struct. 27, 205 (1975)",
    "pyridine N-oxide, N-O 1.29 Å (idealised ring 1.39 Å)",
)

# ---------------------------------------------------------------- hydrated cations (Ohtaki & Radnai 1993)
OHTAKI = "Ohtaki & Radnai, Chem. Rev. 93, 1157 (1993) (M-O distances)"


def hydrated(m, d, n, charge, mult=None):
    b = Builder()
    b.add(m, [0, 0, 0])
    dirs = octahedron(1.0) if n == 6 else tetrahedron(1.0)
    planes = [[0, 1, 0], [0, 1, 0], [0, 0, 1], [0, 0, 1], [1, 0, 0], [1, 0, 0]] if n == 6 else [perp(x) for x in dirs]
    for e, pl in zip(dirs, planes):
        for sym, q in zip("OHH", water_at(d * unit(e), [0, 0, 0], plane=pl)):
            b.add(sym, q)
    info = {"charge": charge}
    if mult:
        info["multiplicity"] = mult
    return b.atoms(**info)


for nm, m, d, n, q, mult in (
    ("li_h2o4", "Li", 1.96, 4, 1, None),
    ("be_h2o4", "Be", 1.62, 4, 2, None),
    ("na_h2o6", "Na", 2.42, 6, 1, None),
    ("mg_h2o6", "Mg", 2.07, 6, 2, None),
    ("al_h2o6", "Al", 1.88, 6, 3, None),
    ("ca_h2o6", "Ca", 2.40, 6, 2, None),
    ("zn_h2o6", "Zn", 2.09, 6, 2, None),
    ("fe3_h2o6", "Fe", 2.00, 6, 3, 6),
    ("fe2_h2o6", "Fe", 2.12, 6, 2, 5),
    ("cr3_h2o6", "Cr", 1.96, 6, 3, 4),
    ("ni_h2o6", "Ni", 2.05, 6, 2, 3),
):
    add(nm, "hydrated-cation", hydrated(m, d, n, q, mult), OHTAKI, f"[{m}(H2O){n}]{q}+, {m}-O {d} Å")

# ---------------------------------------------------------------- solvated anions (Xantheas 1996)
XANTHEAS = "Xantheas, J. Phys. Chem. 100, 9703 (1996) (X-...O distances of X-(H2O)n clusters)"


def solvated_anion(x, d, n, charge=-1, hx=None):
    b = Builder()
    b.add(x, [0, 0, 0])
    if hx:
        b.add("H", [0, 0, hx])
    dirs = octahedron(1.0) if n == 6 else (tetrahedron(1.0) if n == 4 else ring(3, 1.0, z=-0.35))
    for e in dirs:
        o = d * unit(e)
        for sym, q in zip("OHH", donor_water(o, [0, 0, 0], plane=perp(e) + [0.1, 0.2, 0.3])):
            b.add(sym, q)
    return b.atoms(charge=charge)


add("f_h2o4", "solvated-anion", solvated_anion("F", 2.60, 4), XANTHEAS, "F-(H2O)4, F...O 2.60 Å")
add("cl_h2o6", "solvated-anion", solvated_anion("Cl", 3.17, 6), XANTHEAS, "Cl-(H2O)6, Cl...O 3.17 Å")
add("br_h2o6", "solvated-anion", solvated_anion("Br", 3.33, 6), XANTHEAS, "Br-(H2O)6, Br...O 3.33 Å")
add("i_h2o4", "solvated-anion", solvated_anion("I", 3.56, 4), XANTHEAS, "I-(H2O)4, I...O 3.56 Å")
add(
    "oh_h2o3",
    "solvated-anion",
    solvated_anion("O", 2.55, 3, hx=0.97),
    "Xantheas, J. Am. Chem. Soc. 117, 10373 (1995)",
    "OH-(H2O)3, O...O 2.55 Å",
)

# ---------------------------------------------------------------- endohedral fullerenes (C60 from ase.build extras)
_c60 = molecule("C60")
_c60.center(about=(0, 0, 0))
for nm, inner, info, src in (
    ("he_at_c60", mol("He", [[0, 0, 0]]), {}, "Saunders et al., Science 259, 1428 (1993)"),
    ("ne_at_c60", mol("Ne", [[0, 0, 0]]), {}, "Saunders et al., Science 271, 1693 (1996)"),
    ("h2_at_c60", mol("H2", [[0, 0, -0.37], [0, 0, 0.37]]), {}, "Komatsu, Murata & Murata, Science 307, 238 (2005)"),
    (
        "n_at_c60",
        mol("N", [[0, 0, 0]]),
        {"multiplicity": 4},
        "Almeida Murphy et al., Phys. Rev. Lett. 77, 1075 (1996) (quartet N@C60)",
    ),
):
    a = _c60 + inner
    a.info.update({"charge": 0, **info})
    add(nm, "endohedral", a, src + "; C60 cage: ase.build.molecule('C60')", f"{nm}: atom/molecule inside C60")

# ---------------------------------------------------------------- SN2 transition states and complexes


def sn2(x, d_cx, d_ch, y=None, d_cy=None):
    y, d_cy = (x, d_cx) if y is None else (y, d_cy)
    return mol(
        ["C", x, y, "H", "H", "H"], np.vstack([[0, 0, 0], [0, 0, d_cx], [0, 0, -d_cy], ring(3, d_ch)]), charge=-1
    )


add(
    "sn2_ts_clch3cl",
    "sn2-ts",
    sn2("Cl", 2.32, 1.07),
    "Deng, Branchadell & Ziegler, J. Am. Chem. Soc. 116, 10645 (1994); Botschwina, Theor. Chem. Acc. 99, 426 (1998)",
    "[Cl-CH3-Cl]- D3h saddle point, C-Cl 2.32 Å",
)
add(
    "sn2_ts_fch3f",
    "sn2-ts",
    sn2("F", 1.83, 1.065),
    "Deng, Branchadell & Ziegler, J. Am. Chem. Soc. 116, 10645 (1994)",
    "[F-CH3-F]- D3h saddle point, C-F 1.83 Å",
)
add(
    "sn2_ts_brch3br",
    "sn2-ts",
    sn2("Br", 2.46, 1.07),
    "Deng, Branchadell & Ziegler, J. Am. Chem. Soc. 116, 10645 (1994)",
    "[Br-CH3-Br]- D3h saddle point, C-Br 2.46 Å",
)


def ion_dipole():
    t = 108.0 * DEG
    return mol(
        "CClHHHCl",
        np.vstack(
            [
                [0, 0, 0],
                [0, 0, 1.80],
                1.09
                * np.array(
                    [
                        [np.sin(t) * np.cos(f), np.sin(t) * np.sin(f), np.cos(t)]
                        for f in (0, 2 * np.pi / 3, 4 * np.pi / 3)
                    ]
                ),
                [0, 0, -3.20],
            ]
        ),
        charge=-1,
    )


add(
    "sn2_complex_cl_ch3cl",
    "sn2-ts",
    ion_dipole(),
    "Botschwina, Theor. Chem. Acc. 99, 426 (1998)",
    "Cl-...CH3Cl ion-dipole complex, Cl...C 3.20 Å",
)

# ---------------------------------------------------------------- transition-metal complexes


def sandwich(m, d_cc, h, n=5, d_chh=1.09, staggered=False, charge=0, mult=None):
    r = d_cc / (2 * np.sin(np.pi / n))
    b = Builder()
    b.add(m, [0, 0, 0])
    for s in (1, -1):
        ph = 180.0 / n if (staggered and s < 0) else 0.0
        for p in ring(n, r, z=s * h, phase=ph):
            b.add("C", p)
            b.add("H", p + d_chh * unit(np.array([p[0], p[1], 0])))
    info = {"charge": charge}
    if mult:
        info["multiplicity"] = mult
    return b.atoms(**info)


add(
    "ferrocene",
    "tm-complex",
    sandwich("Fe", 1.440, 1.66, d_chh=1.104),
    "Haaland & Nilsson, Acta Chem. Scand. 22, 2653 (1968)",
    "ferrocene D5h, Fe-C 2.064 Å",
)
add(
    "cobaltocene",
    "tm-complex",
    sandwich("Co", 1.429, 1.735, staggered=True, mult=2),
    "Almenningen, Gard, Haaland & Brunvoll, J. Organomet. Chem. 107, 273 (1976)",
    "cobaltocene (radical, doublet)",
)
add(
    "dibenzenechromium",
    "tm-complex",
    sandwich("Cr", 1.423, 1.613, n=6),
    "Haaland, Acta Chem. Scand. 19, 41 (1965)",
    "Cr(C6H6)2 D6h",
)


def carbonyl(m, d_mc, d_co, dirs, charge=0, extra=()):
    b = Builder()
    b.add(m, [0, 0, 0])
    for e in dirs:
        e = unit(e)
        b.add("C", d_mc * e)
        b.add("O", (d_mc + d_co) * e)
    for s, q in extra:
        b.add(s, q)
    return b.atoms(charge=charge)


add(
    "cr_co6",
    "tm-complex",
    carbonyl("Cr", 1.918, 1.141, octahedron(1)),
    "Jost, Rees & Yow, Acta Cryst. B27, 1 (1971)",
    "Cr(CO)6",
)
add(
    "mo_co6",
    "tm-complex",
    carbonyl("Mo", 2.063, 1.145, octahedron(1)),
    "Arnesen & Seip, Acta Chem. Scand. 20, 2711 (1966)",
    "Mo(CO)6",
)
add(
    "w_co6",
    "tm-complex",
    carbonyl("W", 2.058, 1.148, octahedron(1)),
    "Arnesen & Seip, Acta Chem. Scand. 20, 2711 (1966)",
    "W(CO)6",
)
add(
    "ni_co4",
    "tm-complex",
    carbonyl("Ni", 1.838, 1.141, tetrahedron(1)),
    "Hedberg, Iijima & Hedberg, J. Chem. Phys. 70, 3224 (1979)",
    "Ni(CO)4",
)


def fe_co5():
    b = Builder()
    b.add("Fe", [0, 0, 0])
    for e, d in [([0, 0, 1], 1.807), ([0, 0, -1], 1.807)] + [
        ([np.cos(f), np.sin(f), 0], 1.827) for f in (0, 2 * np.pi / 3, 4 * np.pi / 3)
    ]:
        e = unit(e)
        b.add("C", d * e)
        b.add("O", (d + 1.152) * e)
    return b.atoms(charge=0)


add("fe_co5", "tm-complex", fe_co5(), "Beagley & Schmidling, J. Mol. Struct. 22, 466 (1974)", "Fe(CO)5 D3h")


def hmn_co5():
    b = Builder()
    b.add("Mn", [0, 0, 0])
    b.add("H", [0, 0, 1.601])
    b.add("C", [0, 0, -1.822])
    b.add("O", [0, 0, -1.822 - 1.139])
    for k in range(4):
        e = np.array([np.cos(k * np.pi / 2), np.sin(k * np.pi / 2), 0])
        b.add("C", 1.853 * e)
        b.add("O", (1.853 + 1.139) * e)
    return b.atoms(charge=0)


add(
    "hmn_co5",
    "metal-hydride",
    hmn_co5(),
    "La Placa, Hamilton, Ibers & Davison, Inorg. Chem. 8, 1928 (1969) (neutron)",
    "HMn(CO)5, Mn-H 1.601 Å",
)


def rehh9():
    b = Builder()
    b.add("Re", [0, 0, 0])
    t = 44 * DEG
    for s in (1, -1):
        for k in range(3):
            f = 2 * np.pi * k / 3
            b.add("H", 1.68 * np.array([np.sin(t) * np.cos(f), np.sin(t) * np.sin(f), s * np.cos(t)]))
    for k in range(3):
        f = 2 * np.pi * k / 3 + np.pi / 3
        b.add("H", 1.68 * np.array([np.cos(f), np.sin(f), 0]))
    return b.atoms(charge=-2)


add(
    "reh9_2minus",
    "metal-hydride",
    rehh9(),
    "Abrahams, Ginsberg & Knox, Inorg. Chem. 3, 558 (1964)",
    "[ReH9]2- tricapped trigonal prism, Re-H 1.68 Å",
)
add(
    "feh6_4minus",
    "metal-hydride",
    mol("FeH6", np.vstack([np.zeros(3), octahedron(1.56)]), charge=-4),
    "Didisheim, Zolliker, Yvon et al., Inorg. Chem. 23, 1953 (1984) (Mg2FeH6)",
    "[FeH6]4- octahedral, Fe-H 1.56 Å",
)


def square_planar(m, ligs, charge=0, mult=None):
    b = Builder()
    b.add(m, [0, 0, 0])
    for k, (x, d) in enumerate(ligs):
        e = np.array([np.cos(k * np.pi / 2), np.sin(k * np.pi / 2), 0])
        i = b.add(x, d * e)
        if x == "N":
            b.h(tetra_h(b.p[i], [0, 0, 0], 1.01, 3, twist=30))
        if x == "C":
            b.add("N", (d + 1.16) * e)
    info = {"charge": charge}
    if mult:
        info["multiplicity"] = mult
    return b.atoms(**info)


add(
    "cisplatin",
    "tm-complex",
    square_planar("Pt", [("Cl", 2.33), ("Cl", 2.33), ("N", 2.01), ("N", 2.01)]),
    "Milburn & Truter, J. Chem. Soc. A 1966, 1609",
    "cis-[PtCl2(NH3)2]",
)
add(
    "transplatin",
    "tm-complex",
    square_planar("Pt", [("Cl", 2.32), ("N", 2.05), ("Cl", 2.32), ("N", 2.05)]),
    "Milburn & Truter, J. Chem. Soc. A 1966, 1609",
    "trans-[PtCl2(NH3)2]",
)
add(
    "ptcl4_2minus",
    "tm-complex",
    square_planar("Pt", [("Cl", 2.31)] * 4, charge=-2),
    "Mais, Owston & Wood, Acta Cryst. B28, 393 (1972) (K2PtCl4)",
    "[PtCl4]2-",
)
add(
    "ni_cn4_2minus",
    "tm-complex",
    square_planar("Ni", [("C", 1.86)] * 4, charge=-2),
    "Vannerberg, Acta Chem. Scand. 18, 2385 (1964)",
    "[Ni(CN)4]2- square planar",
)
add(
    "cu_nh3_4_2plus",
    "tm-complex",
    square_planar("Cu", [("N", 2.03)] * 4, charge=2, mult=2),
    "Morosin, Acta Cryst. B32, 1237 (1976)",
    "[Cu(NH3)4]2+ (doublet)",
)


def zeise():
    b = Builder()
    b.add("Pt", [0, 0, 0])
    b.add("Cl", [-2.340, 0, 0])
    b.add("Cl", [0, 2.302, 0])
    b.add("Cl", [0, -2.302, 0])
    dm = np.sqrt(2.128**2 - 0.6875**2)
    for s in (1, -1):
        c = np.array([dm, 0, s * 0.6875])
        b.add("C", c)
        for u in (1, -1):
            b.add("H", c + 1.08 * unit(np.array([0.3, u * 0.9, s * 0.45])))
    return b.atoms(charge=-1)


add(
    "zeise_anion",
    "tm-complex",
    zeise(),
    "Love, Koetzle, Williams, Andrews & Bau, Inorg. Chem. 14, 2653 (1975) (neutron)",
    "[PtCl3(C2H4)]-, Pt-C 2.128, C-C 1.375 Å",
)


def octa_lig(m, lig, d, charge, mult=None, d2=1.15):
    b = Builder()
    b.add(m, [0, 0, 0])
    for e in octahedron(1.0):
        i = b.add("C" if lig == "CN" else "N", d * e)
        if lig == "CN":
            b.add("N", (d + d2) * e)
        else:
            b.h(tetra_h(b.p[i], [0, 0, 0], 1.01, 3, twist=30))
    info = {"charge": charge}
    if mult:
        info["multiplicity"] = mult
    return b.atoms(**info)


add(
    "fe_cn6_4minus",
    "tm-complex",
    octa_lig("Fe", "CN", 1.92, -4),
    "Taylor, Mueller & Hitterman, Acta Cryst. A26, 559 (1970)",
    "ferrocyanide",
)
add(
    "fe_cn6_3minus",
    "tm-complex",
    octa_lig("Fe", "CN", 1.93, -3, mult=2),
    "Figgis, Gerloch & Mason, Proc. R. Soc. A 309, 91 (1969)",
    "ferricyanide (doublet)",
)
add(
    "co_nh3_6_3plus",
    "tm-complex",
    octa_lig("Co", "NH3", 1.96, 3),
    "Kime & Ibers, Acta Cryst. B25, 168 (1969)",
    "[Co(NH3)6]3+",
)
