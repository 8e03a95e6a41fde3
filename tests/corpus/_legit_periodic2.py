"""Legitimate structures, periodic part 2: ordinary crystals, intermetallics, metal hydrides;
plus molecules in a periodic vacuum box, ionic-liquid ion pairs and capped peptides."""

from __future__ import annotations

import numpy as np
from _geom import DEG, in_box, mol, tetrahedron
from _legit_mol import add
from _legit_mol2 import sandwich
from _legit_mol3 import aromatic
from _legit_periodic import KITTEL, WYCKOFF, xtal
from ase.build import bulk

# ---------------------------------------------------------------- ordinary crystals via ase.build.bulk
for nm, kind, a, src in (
    ("NaCl", "rocksalt", 5.640, KITTEL),
    ("MgO", "rocksalt", 4.212, KITTEL),
    ("LiF", "rocksalt", 4.027, KITTEL),
    ("KCl", "rocksalt", 6.293, KITTEL),
    ("PbS", "rocksalt", 5.936, KITTEL),
    ("CaO", "rocksalt", 4.811, WYCKOFF),
    ("CsCl", "cesiumchloride", 4.123, KITTEL),
    ("GaAs", "zincblende", 5.653, KITTEL),
    ("ZnS", "zincblende", 5.409, KITTEL),
    ("InP", "zincblende", 5.869, KITTEL),
    ("SiC", "zincblende", 4.360, WYCKOFF),
    ("BN", "zincblende", 3.615, WYCKOFF),
    ("CaF2", "fluorite", 5.463, WYCKOFF),
    ("CeO2", "fluorite", 5.411, WYCKOFF),
    ("C", "diamond", 3.567, KITTEL),
    ("TlBr", "cesiumchloride", 3.985, WYCKOFF),  # Tl+: the Cordero sum puts Tl-Br 1.30 x too long
    ("CsI", "cesiumchloride", 4.567, WYCKOFF),
    ("NaBr", "rocksalt", 5.973, WYCKOFF),
    ("TiC", "rocksalt", 4.328, WYCKOFF),
    ("UO2", "fluorite", 5.470, WYCKOFF),
    ("ThO2", "fluorite", 5.597, WYCKOFF),
):
    add(f"{nm.lower()}_{kind}", "crystal", bulk(nm, kind, a=a), src, f"{nm} {kind}, a = {a} Å")
for nm, a, c, u, src in (
    ("ZnO", 3.250, 5.207, 0.3817, "Kisi & Elcombe, Acta Cryst. C45, 1867 (1989)"),
    ("GaN", 3.189, 5.185, 0.377, "Schulz & Thiemann, Solid State Commun. 23, 815 (1977)"),
    ("AlN", 3.112, 4.982, 0.382, "Schulz & Thiemann, Solid State Commun. 23, 815 (1977)"),
):
    add(f"{nm.lower()}_wurtzite", "crystal", bulk(nm, "wurtzite", a=a, c=c, u=u), src, f"{nm} wurtzite")
for el, kind, a in (
    ("Fe", "bcc", 2.8665),
    ("W", "bcc", 3.165),
    ("Na", "bcc", 4.225),
    ("Cr", "bcc", 2.91),
    ("Mo", "bcc", 3.147),
    ("Li", "bcc", 3.51),
    ("K", "bcc", 5.23),
    ("Cu", "fcc", 3.615),
    ("Al", "fcc", 4.05),
    ("Au", "fcc", 4.078),
    ("Ni", "fcc", 3.524),
    ("Pt", "fcc", 3.924),
    ("Pb", "fcc", 4.95),
    ("Ag", "fcc", 4.086),
):
    add(f"{el.lower()}_{kind}", "crystal", bulk(el, kind, a=a), KITTEL, f"{el} {kind}, a = {a} Å")
for el, a, c in (
    ("Mg", 3.209, 5.211),
    ("Ti", 2.951, 4.686),
    ("Zn", 2.665, 4.947),
    ("Co", 2.507, 4.069),
    ("Be", 2.286, 3.584),
):
    add(f"{el.lower()}_hcp", "crystal", bulk(el, "hcp", a=a, c=c), KITTEL, f"{el} hcp")
add(
    "fe_bcc_supercell",
    "crystal",
    bulk("Fe", "bcc", a=2.8665, cubic=True).repeat((3, 3, 3)),
    KITTEL,
    "Fe bcc 3x3x3 (54 atoms)",
)

# ---------------------------------------------------------------- crystals from Wyckoff positions
xtal(
    "rutile_tio2",
    "crystal",
    ["Ti", "O"],
    [(0, 0, 0), (0.3048, 0.3048, 0)],
    136,
    [4.594, 4.594, 2.959, 90, 90, 90],
    "Burdett, Hughbanks, Miller, Richardson & Smith, J. Am. Chem. Soc. 109, 3639 (1987)",
    "rutile TiO2",
)
xtal(
    "cassiterite_sno2",
    "crystal",
    ["Sn", "O"],
    [(0, 0, 0), (0.307, 0.307, 0)],
    136,
    [4.737, 4.737, 3.186, 90, 90, 90],
    "Bolzan, Fong, Kennedy & Howard, Acta Cryst. B53, 373 (1997)",
    "SnO2 rutile type",
)
xtal(
    "srtio3_cubic",
    "crystal",
    ["Ti", "Sr", "O"],
    [(0, 0, 0), (0.5, 0.5, 0.5), (0.5, 0, 0)],
    221,
    [3.905] * 3 + [90] * 3,
    WYCKOFF,
    "SrTiO3 cubic perovskite",
)
xtal(
    "batio3_cubic",
    "crystal",
    ["Ti", "Ba", "O"],
    [(0, 0, 0), (0.5, 0.5, 0.5), (0.5, 0, 0)],
    221,
    [4.009] * 3 + [90] * 3,
    WYCKOFF,
    "BaTiO3 cubic perovskite (above 393 K)",
)
xtal(
    "cspbbr3_cubic",
    "crystal",
    ["Pb", "Cs", "Br"],
    [(0, 0, 0), (0.5, 0.5, 0.5), (0.5, 0, 0)],
    221,
    [5.874] * 3 + [90] * 3,
    "Møller, Nature 182, 1436 (1958)",
    "CsPbBr3 cubic perovskite",
)
xtal(
    "spinel_mgal2o4",
    "crystal",
    ["Mg", "Al", "O"],
    [(0.125, 0.125, 0.125), (0.5, 0.5, 0.5), (0.2624, 0.2624, 0.2624)],
    227,
    [8.083] * 3 + [90] * 3,
    "Yamanaka & Takéuchi, Z. Kristallogr. 165, 65 (1983)",
    "MgAl2O4 normal spinel (origin choice 2)",
    primitive=True,
    setting=2,
)
xtal(
    "magnetite_fe3o4",
    "crystal",
    ["Fe", "Fe", "O"],
    [(0.125, 0.125, 0.125), (0.5, 0.5, 0.5), (0.2549, 0.2549, 0.2549)],
    227,
    [8.396] * 3 + [90] * 3,
    "Fleet, Acta Cryst. B37, 917 (1981)",
    "Fe3O4 inverse spinel",
    primitive=True,
    setting=2,
)
xtal(
    "corundum_al2o3",
    "crystal",
    ["Al", "O"],
    [(0, 0, 0.35216), (0.30624, 0, 0.25)],
    167,
    [4.7589, 4.7589, 12.991, 90, 90, 120],
    "Lewis, Schwarzenbach & Flack, Acta Cryst. A38, 733 (1982)",
    "alpha-Al2O3",
    primitive=True,
)
xtal(
    "calcite",
    "crystal",
    ["Ca", "C", "O"],
    [(0, 0, 0), (0, 0, 0.25), (0.25706, 0, 0.25)],
    167,
    [4.9896, 4.9896, 17.061, 90, 90, 120],
    "Effenberger, Mereiter & Zemann, Z. Kristallogr. 156, 233 (1981)",
    "calcite CaCO3",
    primitive=True,
)
xtal(
    "pyrite_fes2",
    "crystal",
    ["Fe", "S"],
    [(0, 0, 0), (0.3848, 0.3848, 0.3848)],
    205,
    [5.417] * 3 + [90] * 3,
    "Brostigen & Kjekshus, Acta Chem. Scand. 23, 2186 (1969)",
    "pyrite FeS2 (S-S 2.16 Å dimers)",
)
xtal(
    "li2o_antifluorite",
    "crystal",
    ["O", "Li"],
    [(0, 0, 0), (0.25, 0.25, 0.25)],
    225,
    [4.619] * 3 + [90] * 3,
    WYCKOFF,
    "Li2O antifluorite",
    primitive=True,
)
# ---------------------------------------------------------------- intermetallics
xtal(
    "ni3al_l12",
    "intermetallic",
    ["Al", "Ni"],
    [(0, 0, 0), (0, 0.5, 0.5)],
    221,
    [3.572] * 3 + [90] * 3,
    WYCKOFF,
    "Ni3Al L12",
)
xtal(
    "cu3au_l12",
    "intermetallic",
    ["Au", "Cu"],
    [(0, 0, 0), (0, 0.5, 0.5)],
    221,
    [3.749] * 3 + [90] * 3,
    WYCKOFF,
    "Cu3Au L12",
)
xtal(
    "nial_b2",
    "intermetallic",
    ["Ni", "Al"],
    [(0, 0, 0), (0.5, 0.5, 0.5)],
    221,
    [2.887] * 3 + [90] * 3,
    WYCKOFF,
    "NiAl B2",
)
xtal(
    "cuzn_b2",
    "intermetallic",
    ["Cu", "Zn"],
    [(0, 0, 0), (0.5, 0.5, 0.5)],
    221,
    [2.95] * 3 + [90] * 3,
    WYCKOFF,
    "beta-brass CuZn B2",
)
xtal(
    "feal_b2",
    "intermetallic",
    ["Fe", "Al"],
    [(0, 0, 0), (0.5, 0.5, 0.5)],
    221,
    [2.909] * 3 + [90] * 3,
    WYCKOFF,
    "FeAl B2",
)
xtal(
    "tial_l10",
    "intermetallic",
    ["Ti", "Ti", "Al"],
    [(0, 0, 0), (0.5, 0.5, 0), (0.5, 0, 0.5)],
    123,
    [4.005, 4.005, 4.070, 90, 90, 90],
    WYCKOFF,
    "gamma-TiAl L10",
)
xtal(
    "mgcu2_c15",
    "intermetallic",
    ["Mg", "Cu"],
    [(0.125, 0.125, 0.125), (0.5, 0.5, 0.5)],
    227,
    [7.048] * 3 + [90] * 3,
    WYCKOFF,
    "MgCu2 Laves C15 (origin choice 2)",
    primitive=True,
    setting=2,
)
xtal(
    "nb3sn_a15",
    "intermetallic",
    ["Sn", "Nb"],
    [(0, 0, 0), (0.25, 0, 0.5)],
    223,
    [5.29] * 3 + [90] * 3,
    WYCKOFF,
    "Nb3Sn A15",
)
xtal(
    "mgb2",
    "intermetallic",
    ["Mg", "B"],
    [(0, 0, 0), (1 / 3, 2 / 3, 0.5)],
    191,
    [3.086, 3.086, 3.524, 90, 90, 120],
    "Nagamatsu, Nakagawa, Muranaka, Zenitani & Akimitsu, Nature 410, 63 (2001)",
    "MgB2 AlB2 type",
)
# ---------------------------------------------------------------- metal hydrides (crystals)
xtal(
    "mgh2_rutile",
    "metal-hydride",
    ["Mg", "H"],
    [(0, 0, 0), (0.3040, 0.3040, 0)],
    136,
    [4.5025, 4.5025, 3.0123, 90, 90, 90],
    "Bortz, Bertheville, Böttger & Yvon, J. Alloys Compd. 287, L4 (1999)",
    "alpha-MgH2",
)
xtal(
    "mg2feh6",
    "metal-hydride",
    ["Fe", "Mg", "H"],
    [(0, 0, 0), (0.25, 0.25, 0.25), (0.2415, 0, 0)],
    225,
    [6.443] * 3 + [90] * 3,
    "Didisheim, Zolliker, Yvon, Fischer, Schefer, Gubelmann, Niggli & Williams, Inorg. Chem. 23, 1953 (1984)",
    "Mg2FeH6 with octahedral [FeH6]4-, Fe-H 1.556 Å",
    primitive=True,
)
add(
    "pdh_rocksalt",
    "metal-hydride",
    bulk("PdH", "rocksalt", a=4.02),
    "Worsham, Wilkinson & Shull, J. Phys. Chem. Solids 3, 303 (1957)",
    "PdH rocksalt",
)
add("lih_rocksalt", "metal-hydride", bulk("LiH", "rocksalt", a=4.083), WYCKOFF, "LiH rocksalt")
add(
    "tih2_fluorite",
    "metal-hydride",
    bulk("TiH2", "fluorite", a=4.454),
    "Yakel, Acta Cryst. 11, 46 (1958)",
    "TiH2 fluorite type",
)

# ---------------------------------------------------------------- molecules in a periodic vacuum box


def water():
    t = 104.52 / 2 * DEG
    return mol(
        "OHH", [[0, 0, 0], [0.9572 * np.sin(t), 0.9572 * np.cos(t), 0], [-0.9572 * np.sin(t), 0.9572 * np.cos(t), 0]]
    )


add(
    "box_water",
    "vacuum-box",
    in_box(water(), 12.0),
    "Hoy & Bunker, J. Mol. Spectrosc. 74, 1 (1979) (r_e)",
    "H2O in a 12 Å periodic box (as atomate2 / pymatgen Structure)",
)
add(
    "box_methane",
    "vacuum-box",
    in_box(mol("CH4", np.vstack([[0, 0, 0], tetrahedron(1.087)])), 15.0),
    "Gray & Robiette, Mol. Phys. 37, 1901 (1979)",
    "CH4 in a 15 Å periodic box",
)
add(
    "box_benzene",
    "vacuum-box",
    in_box(aromatic(6, 1.397, d_ch=1.084), 15.0),
    "Gauss & Stanton, J. Phys. Chem. A 104, 2865 (2000)",
    "benzene in a 15 Å periodic box",
)
add(
    "box_co2",
    "vacuum-box",
    in_box(mol("OCO", [[0, 0, -1.160], [0, 0, 0], [0, 0, 1.160]]), 10.0),
    "CRC gas-phase structures",
    "CO2 in a 10 Å periodic box",
)
add(
    "box_ferrocene",
    "vacuum-box",
    in_box(sandwich("Fe", 1.440, 1.66, d_chh=1.104), 16.0),
    "Haaland & Nilsson, Acta Chem. Scand. 22, 2653 (1968)",
    "ferrocene in a 16 Å periodic box",
)
add(
    "box_water_dimer",
    "vacuum-box",
    in_box(
        mol(
            "OHHOHH",
            [[0, 0, 0], [0.9572, 0, 0], [-0.2400, 0.9266, 0], [2.912, 0, 0], [3.498, 0, 0.757], [3.498, 0, -0.757]],
        ),
        14.0,
    ),
    "Odutola & Dyke, J. Chem. Phys. 72, 5062 (1980) (water dimer, O...O 2.91 Å, linear H-bond)",
    "water dimer in a 14 Å box",
)
