"""Legitimate periodic structures for the verdict corpus: high-pressure phases, elemental
reference crystals, zeolites, MOFs, slabs with adsorbates, 2D materials, ordinary crystals,
intermetallics, metal hydrides, molecules in a vacuum box, ion pairs and peptides."""

from __future__ import annotations

from _legit_mol import add
from ase import Atoms
from ase.build import add_adsorbate, fcc100, fcc111, graphene, hcp0001, mx2
from ase.collections import dcdft
from ase.spacegroup import crystal

KITTEL = "Kittel, Introduction to Solid State Physics, 8th ed. (2005), lattice constants (ase.data reference states)"
WYCKOFF = "Wyckoff, Crystal Structures, 2nd ed., Interscience (1963)"


def xtal(name, cls, symbols, basis, sg, cellpar, source, desc="", primitive=False, setting=1):
    a = crystal(symbols, basis, spacegroup=sg, cellpar=cellpar, primitive_cell=primitive, setting=setting)
    add(name, cls, a, source, desc)


# ---------------------------------------------------------------- high pressure
xtal(
    "h3s_im3m_200gpa",
    "high-pressure",
    ["S", "H"],
    [(0, 0, 0), (0, 0.5, 0.5)],
    229,
    [3.089] * 3 + [90] * 3,
    "Duan et al., Sci. Rep. 4, 6968 (2014); Drozdov et al., Nature 525, 73 (2015); "
    "Einaga et al., Nat. Phys. 12, 835 (2016)",
    "H3S Im-3m near 200 GPa, a = 3.089 Å, S-H 1.545 Å (each H between two S)",
)
xtal(
    "h_i41amd_500gpa",
    "high-pressure",
    ["H"],
    [(0, 0, 0)],
    141,
    [1.20, 1.20, 3.00, 90, 90, 90],
    "McMahon & Ceperley, Phys. Rev. Lett. 106, 165302 (2011) (atomic metallic hydrogen, Cs-IV type I41/amd, c/a ~ 2.5)",
    "metallic atomic hydrogen, ~500 GPa",
)
xtal(
    "lah10_fm3m_170gpa",
    "high-pressure",
    ["La", "H", "H"],
    [(0, 0, 0), (0.25, 0.25, 0.25), (0.3815, 0.3815, 0.3815)],
    225,
    [5.10] * 3 + [90] * 3,
    "Liu, Naumov, Hoffmann, Ashcroft & Hemley, PNAS 114, 6990 (2017); Drozdov et al., Nature 569, 528 (2019)",
    "LaH10 clathrate hydride, a = 5.10 Å, H 8c + 32f (x = 0.3815, i.e. 1/2 - 0.1185)",
    primitive=True,
)


def ice_x():
    a = 2.47
    o = [[0, 0, 0], [0.5, 0.5, 0.5]]
    h = [[0.25, 0.25, 0.25], [0.75, 0.75, 0.25], [0.75, 0.25, 0.75], [0.25, 0.75, 0.75]]
    at = Atoms("O2H4", scaled_positions=o + h, cell=[a, a, a], pbc=True)
    return at


add(
    "ice_x_100gpa",
    "high-pressure",
    ice_x(),
    "Loubeyre, LeToullec, Wolanin, Hanfland & Häusermann, Nature 397, 503 (1999) (ice X, symmetric hydrogen bonds)",
    "ice X: bcc O sublattice, every H midway between two O (O-H 1.07 Å)",
)

# ---------------------------------------------------------------- elemental crystals (Delta set, ase.collections.dcdft)
for el in (
    "B",
    "Ga",
    "P",
    "As",
    "Sb",
    "Bi",
    "Se",
    "Te",
    "I",
    "Br",
    "Cl",
    "N",
    "H",
    "S",
    "Mn",
    "In",
    "Sn",
    "Hg",
    "Si",
    "Ge",
    "C",
    "Zn",
    "Cd",
    "Po",
    "F",
    "O",
):
    a = dcdft[el]
    a.pbc = True
    a.info = {}
    add(
        f"dcdft_{el}",
        "elemental",
        a,
        "Lejaeghere et al., Science 351, aad3000 (2016) (Delta test set, ase.collections.dcdft)",
        f"elemental {el}, ground-state reference structure"
        + (" (alpha-B12 icosahedra: 7 B neighbours 1.67-2.02 Å)" if el == "B" else ""),
    )

# ---------------------------------------------------------------- zeolites and silica
xtal(
    "cha_iza",
    "zeolite",
    ["O", "O", "O", "O", "Si"],
    [
        (0.9020, 0.0980, 0.1227),
        (0.9767, 0.3101, 0.1667),
        (0.1203, 0.2405, 0.1315),
        (0, 0.2577, 0),
        (0.9997, 0.2264, 0.1051),
    ],
    166,
    [13.675, 13.675, 14.767, 90, 90, 120],
    "IZA-SC Database of Zeolite Structures (Baerlocher & McCusker), CHA, DLS-76 SiO2",
    "chabazite framework, R-3m hexagonal cell, 108 atoms",
)
xtal(
    "sod_iza",
    "zeolite",
    ["Si", "O"],
    [(0.25, 0, 0.5), (0.1451, 0.1451, 0.5)],
    229,
    [8.965] * 3 + [90] * 3,
    "IZA-SC Database of Zeolite Structures (Baerlocher & McCusker), SOD, a = 8.965 Å; O position refined here "
    "DLS-style (Si-O 1.61 Å, tetrahedral O-Si-O)",
    "sodalite framework, Im-3m",
)
xtal(
    "alpha_quartz",
    "zeolite",
    ["Si", "O"],
    # Levien's coordinates with the origin of ASE's (ITA) setting of P3221: z + 2/3 (at z = 0
    # the site doubles: Si6O6 with Si-Si 1.80 Å)
    [(0.4697, 0, 2 / 3), (0.4135, 0.2669, 0.1191 + 2 / 3)],
    154,
    [4.9160, 4.9160, 5.4054, 90, 90, 120],
    "Levien, Prewitt & Weidner, Am. Mineral. 65, 920 (1980)",
    "alpha-quartz P3221",
)
xtal(
    "alpha_cristobalite",
    "zeolite",
    ["Si", "O"],
    [(0.3003, 0.3003, 0), (0.2392, 0.1044, 0.1787)],
    92,
    [4.9709, 4.9709, 6.9278, 90, 90, 90],
    "Pluth, Smith & Faber, J. Appl. Phys. 57, 1045 (1985)",
    "alpha-cristobalite P41212",
)

# ---------------------------------------------------------------- MOFs (Fm-3m), primitive cells
xtal(
    "mof5_primitive",
    "mof",
    ["Zn", "O", "O", "C", "C", "C", "H"],
    [
        (0.20608, 0.20608, 0.20608),
        (0.25, 0.25, 0.25),
        (0.28037, 0.28037, 0.13273),
        (0.25, 0.25, 0.11070),
        (0.25, 0.25, 0.05351),
        (0.21643, 0.21643, 0.02665),
        (0.19122, 0.19122, 0.04821),
    ],
    225,
    [26.089] * 3 + [90] * 3,
    "Li, Eddaoudi, O'Keeffe & Yaghi, Nature 402, 276 (1999); fractional coordinates of the DFT cell-optimised MOF-5 in "
    "MOFChecker's tests/test_files/mof-5_cellopt.cif (Jablonka et al., MIT licence), symmetrised to Fm-3m",
    "MOF-5 / IRMOF-1 Zn4O(BDC)3, primitive cell (106 atoms)",
    primitive=True,
)
xtal(
    "hkust1_primitive",
    "mof",
    ["Cu", "H", "C", "C", "C", "O"],
    [
        (0.285, 0.285, 0.0),
        (0.38, 0.228, 0.88),
        (0.322, 0.178, 0.887),
        (0.297, 0.203, 0.931),
        (0.366, 0.199, 0.866),
        (0.183, 0.257, 0.052),
    ],
    225,
    [26.343] * 3 + [90] * 3,
    "Chui, Lo, Charmant, Orpen & Williams, Science 283, 1148 (1999); positions as in MOFChecker's "
    "tests/test_files/HKUST_floating.cif (without the guest)",
    "HKUST-1 Cu3(BTC)2, primitive cell (156 atoms)",
    primitive=True,
)

# ---------------------------------------------------------------- slabs with adsorbates


def slab(name, builder, metal, a, ads, site, height, source, desc, size=(2, 2, 4)):
    s = (
        builder(metal, size=size, a=a, vacuum=8.0)
        if builder is not hcp0001
        else builder(metal, size=size, a=a, c=1.58 * a, vacuum=8.0)
    )
    for sym_or_mol, h, st in ads:
        add_adsorbate(s, sym_or_mol, h, st)
    s.pbc = True
    add(name, "slab-adsorbate", s, source, desc)


def co():
    return Atoms("CO", positions=[(0, 0, 0), (0, 0, 1.15)])


slab(
    "pt111_co_top",
    fcc111,
    "Pt",
    3.924,
    [(co(), 1.85, "ontop")],
    None,
    None,
    "Ogletree, Van Hove & Somorjai, Surf. Sci. 173, 351 (1986) (LEED: Pt-C 1.85, C-O 1.15 Å)",
    "CO on top of Pt(111)",
)
slab(
    "cu100_co_top",
    fcc100,
    "Cu",
    3.615,
    [(co(), 1.90, "ontop")],
    None,
    None,
    "Andersson & Pendry, Phys. Rev. Lett. 43, 363 (1979) (Cu-C 1.90 Å)",
    "CO on top of Cu(100)",
)
slab(
    "pt111_o_fcc",
    fcc111,
    "Pt",
    3.924,
    [("O", 1.21, "fcc")],
    None,
    None,
    "Materer, Starke, Barbieri et al., Surf. Sci. 325, 207 (1995) (O fcc hollow, 1.21 Å above the surface)",
    "O in fcc hollow of Pt(111)",
)
slab(
    "ni111_h_fcc",
    fcc111,
    "Ni",
    3.524,
    [("H", 1.15, "fcc")],
    None,
    None,
    "Christmann, Behm, Ertl, Van Hove & Weinberg, J. Chem. Phys. 70, 4168 (1979) (H in threefold sites of Ni(111))",
    "H in fcc hollow of Ni(111)",
)
slab(
    "cu111_h_fcc",
    fcc111,
    "Cu",
    3.615,
    [("H", 0.95, "fcc")],
    None,
    None,
    "Greeley & Mavrikakis, J. Phys. Chem. B 109, 3460 (2005) (H on Cu(111) fcc, ~0.95 Å)",
    "H in fcc hollow of Cu(111)",
)
slab(
    "ru0001_o_hcp",
    hcp0001,
    "Ru",
    2.706,
    [("O", 1.25, "hcp")],
    None,
    None,
    "Lindroos, Pfnür, Held & Menzel, Surf. Sci. 222, 451 (1989) (O p(2x2) in hcp sites of Ru(0001), 1.25 Å)",
    "O in hcp hollow of Ru(0001)",
)
slab(
    "pd111_co_fcc",
    fcc111,
    "Pd",
    3.89,
    [(co(), 1.29, "fcc")],
    None,
    None,
    "Ohtani, Van Hove & Somorjai, Surf. Sci. 187, 372 (1987) (CO in fcc hollow of Pd(111), 1.29 Å)",
    "CO in fcc hollow of Pd(111)",
)
slab(
    "rh111_co_top",
    fcc111,
    "Rh",
    3.803,
    [(co(), 1.95, "ontop")],
    None,
    None,
    "Koestner, Van Hove & Somorjai, Surf. Sci. 107, 439 (1981) (Rh-C 1.95 Å)",
    "CO on top of Rh(111)",
)
slab(
    "pt111_h2o_top",
    fcc111,
    "Pt",
    3.924,
    [(Atoms("OH2", positions=[(0, 0, 0), (0.757, 0.586, 0.0), (-0.757, 0.586, 0.0)]), 2.35, "ontop")],
    None,
    None,
    "Hodgson & Haq, Surf. Sci. Rep. 64, 381 (2009) (flat water monomer on top, Pt-O ~2.3-2.4 Å)",
    "flat H2O monomer on top of Pt(111)",
)

# ---------------------------------------------------------------- 2D materials


def mono(name, atoms, source, desc):
    atoms.pbc = True
    if atoms.cell[2, 2] < 1e-6:
        atoms.cell[2, 2] = 20.0
    atoms.center(axis=2)
    add(name, "2d", atoms, source, desc)


mono(
    "graphene",
    graphene("C2", a=2.46, vacuum=8.0),
    "Baskin & Meyer, Phys. Rev. 100, 544 (1955) (graphite a = 2.46 Å)",
    "graphene",
)
mono(
    "h_bn", graphene("BN", a=2.504, vacuum=8.0), "Pease, Acta Cryst. 5, 356 (1952) (h-BN a = 2.504 Å)", "h-BN monolayer"
)
mono(
    "mos2_1h",
    mx2("MoS2", "2H", a=3.160, thickness=3.172, vacuum=8.0),
    "Wakabayashi, Smith & Nicklow, Phys. Rev. B 12, 659 (1975)",
    "MoS2 monolayer (1H)",
)
mono(
    "ws2_1h",
    mx2("WS2", "2H", a=3.153, thickness=3.14, vacuum=8.0),
    "Schutte, de Boer & Jellinek, J. Solid State Chem. 70, 207 (1987)",
    "WS2 monolayer",
)
mono(
    "mose2_1h",
    mx2("MoSe2", "2H", a=3.288, thickness=3.34, vacuum=8.0),
    "James & Lavik, Acta Cryst. 16, 1183 (1963)",
    "MoSe2 monolayer",
)
mono(
    "silicene",
    graphene("Si2", a=3.86, thickness=0.44, vacuum=8.0),
    "Cahangirov, Topsakal, Aktürk, Şahin & Ciraci, "
    "Phys. Rev. Lett. 102, 236804 (2009) (low-buckled, a = 3.86, buckling 0.44 Å)",
    "silicene",
)
xtal(
    "graphite_ab",
    "2d",
    ["C", "C"],
    [(0, 0, 0.25), (1 / 3, 2 / 3, 0.25)],
    194,
    [2.464, 2.464, 6.711, 90, 90, 120],
    "Trucano & Chen, Nature 258, 136 (1975)",
    "graphite (AB, P63/mmc): layers 3.36 Å apart",
)
