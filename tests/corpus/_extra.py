"""Corpus additions (second round): real CIF files from the COD (copied verbatim from ASE's
shipped test data), large transition-metal frameworks (conventional MOF-5 / HKUST-1 cells,
above the old 200-atom valence cut-off), and more broken variations of each kind."""

from __future__ import annotations

from pathlib import Path

import ase.test
import numpy as np
from _broken import add as add_broken
from _broken import alkane, methane, req, water
from _broken2 import legit, pull
from _broken5 import strip_h, with_guest
from _geom import DEG, in_box, mol, unit
from _legit_mol import add as add_legit
from _legit_periodic import xtal
from ase import Atoms
from ase.build import bulk
from ase.io import read

# ---------------------------------------------------------------- real CIF files (COD, via ASE's test data)
MINERALS = Path(ase.test.__file__).parent / "testdata" / "minerals"
VERBATIM: dict[str, Path] = {}  # corpus stem -> original file, copied byte for byte
for stem, src in (
    ("cod_1010930", "Alsen, Geol. Fören. Stockh. Förh. 47, 19 (1925); COD 1010930 (breithauptite NiSb)"),
    ("cod_1010995", "Braekken, Z. Kristallogr. 75, 572 (1930); COD 1010995 (moissanite-3C SiC)"),
    ("cod_9001665", "Kampf & Foord, Am. Mineral. 80, 179 (1995); COD 9001665 (artroeite PbAlF3(OH)2, with H)"),
    ("cod_9004112", "Scott & Nowacki, Can. Mineral. 14, 561 (1976); COD 9004112 (alloclasite CoAsS)"),
    ("cod_9004218", "Fleet & Burns, Can. Mineral. 28, 719 (1990); COD 9004218 (cobaltite CoAsS)"),
    ("cod_9007640", "Parise, Acta Cryst. B36, 1179 (1980); COD 9007640 (heazlewoodite Ni3S2)"),
    ("cod_9007661", "Schönfeld, Huang & Moss, Acta Cryst. B39, 404 (1983); COD 9007661 (molybdenite MoS2)"),
    ("cod_9017338", "Lee & Xu, Acta Cryst. B75 (2019); COD 9017338 (cristobalite SiO2)"),
):
    path = MINERALS / f"{stem}.cif"
    VERBATIM[stem] = path
    add_legit(
        stem, "real-file", read(path), src + "; file shipped with ASE (ase/test/testdata/minerals)", "real COD CIF file"
    )

# ---------------------------------------------------------------- large transition-metal frameworks (> 200 atoms)
xtal(
    "mof5_conventional",
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
    "Li, Eddaoudi, O'Keeffe & Yaghi, Nature 402, 276 (1999); coordinates as mof5_primitive",
    "MOF-5 conventional cubic cell, 424 atoms (Zn, above 200 atoms)",
)
xtal(
    "hkust1_conventional",
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
    "Chui, Lo, Charmant, Orpen & Williams, Science 283, 1148 (1999)",
    "HKUST-1 conventional cubic cell, 624 atoms (Cu paddlewheels, above 200 atoms)",
)
add_legit(
    "cr2_acetate4_box",
    "vacuum-box",
    in_box(legit("cr2_acetate4_gas"), 18.0),
    "Ketkar & Fink, J. Am. Chem. Soc. 107, 338 (1985)",
    "Cr2(O2CCH3)4 (Cr-Cr 2.288 Å) in an 18 Å periodic box",
)

MH = ("missing-hydrogen", "valence")
for frame in ("mof5_conventional", "hkust1_conventional"):
    f = legit(frame)
    hs = [k for k in range(len(f)) if f[k].symbol == "H"]
    short = frame.split("_")[0]
    a, cs = strip_h(f, hs[:1])
    add_broken(
        f"{short}_conventional_missing_one_h",
        "missing-hydrogen",
        a,
        [req(MH, cs, "any")],
        f"{short} conventional cell ({len(a)} atoms, transition metal) with one aromatic H missing",
    )
    a, cs = strip_h(f, hs[::8])
    add_broken(
        f"{short}_conventional_missing_every_8th_h",
        "missing-hydrogen",
        a,
        [req(MH, cs, "any")],
        f"{short} conventional cell with every eighth H missing",
    )

# ---------------------------------------------------------------- more stretched bonds
BL = ("bond-length",)


def methyl_x(x, d):
    c = np.zeros(3)
    return Atoms(
        f"C{x}H3",
        positions=[c, [0, 0, d]]
        + [
            c + 1.09 * np.array([np.sin(t) * np.cos(f), np.sin(t) * np.sin(f), np.cos(t)])
            for t, f in ((108.5 * DEG, 0.0), (108.5 * DEG, 2.094), (108.5 * DEG, 4.189))
        ],
    )


add_broken("ch3f_cf_170", "bond-length", methyl_x("F", 1.70), [req(BL, [0, 1])], "CH3F with C-F 1.70 Å (r_e 1.383)")
add_broken(
    "ch3cl_ccl_230",
    "bond-length",
    methyl_x("Cl", 2.30),
    [req(BL, [0, 1])],
    "CH3Cl with C-Cl 2.30 Å and a pyramidal methyl (not an SN2 saddle: one halogen, sp3 CH3)",
)
add_broken(
    "water_second_oh_128",
    "bond-length",
    pull(Atoms("OH2", positions=water()), 0, 2, 1.28),
    [req(BL, [0, 2])],
    "H2O with the other O-H at 1.28 Å",
)
add_broken(
    "h2s_sh_180",
    "bond-length",
    mol("SH2", [[0, 0, 0], [1.80, 0, 0], [1.336 * np.cos(92 * DEG), 1.336 * np.sin(92 * DEG), 0]]),
    [req(BL, [0, 1])],
    "H2S with one S-H at 1.80 Å (r_e 1.336)",
)
eth, _ = alkane(2)
add_broken("ethane_ch_140", "bond-length", pull(eth, 0, 2, 1.40), [req(BL, [0, 2])], "ethane with one C-H at 1.40 Å")
add_broken(
    "box_water_oh_130",
    "bond-length",
    in_box(pull(Atoms("OH2", positions=water()), 0, 1, 1.30), 10.0),
    [req(BL, [0, 1])],
    "H2O with O-H 1.30 Å in a periodic box",
)

# ---------------------------------------------------------------- more impossible angles
BA = ("bond-angle",)
add_broken(
    "bf3_pyramidal_90",
    "bond-angle",
    mol("BF3", [[0, 0, 0], [1.31, 0, 0], [0, 1.31, 0], [0, 0, 1.31]]),
    [req(BA, [0])],
    "BF3 with three 90 deg F-B-F angles (real: planar, 120 deg)",
)
add_broken(
    "box_methane_planar",
    "bond-angle",
    in_box(mol("CH4", [[0, 0, 0], [1.09, 0, 0], [-1.09, 0, 0], [0, 1.09, 0], [0, -1.09, 0]]), 10.0),
    [req(BA, [0])],
    "square-planar CH4 in a periodic box",
)
add_broken(
    "box_water_linear",
    "bond-angle",
    in_box(mol("OH2", [[0, 0, 0], [0.9572, 0, 0], [-0.9572, 0, 0]]), 10.0),
    [req(BA, [0])],
    "linear H2O in a periodic box",
)
h2o2_lin = mol("OOHH", [[0, 0, 0], [1.475, 0, 0], [-0.95, 0, 0], [2.425, 0, 0]])
add_broken(
    "h2o2_linear", "bond-angle", h2o2_lin, [req(BA, [0, 1], "any")], "H2O2 with both O-O-H at 180 deg (real ~100 deg)"
)

# ---------------------------------------------------------------- more van der Waals clashes
VDW = ("vdw-contact",)
co2a = mol("OCO", [[0, 0, -1.16], [0, 0, 0], [0, 0, 1.16]])
co2b = co2a.copy()
co2b.positions += [2.0, 0, 0]
add_broken(
    "box_co2_pair_200",
    "vdw-contact",
    in_box(co2a + co2b, 10.0),
    [req(VDW, [0, 1, 2, 3, 4, 5], "any")],
    "two parallel CO2 2.0 Å apart in a periodic box (C...C, O...O 2.0 Å)",
)
a, idx, _ = with_guest("mof5_primitive", Atoms("CH4", positions=methane()))
frame_n = len(legit("mof5_primitive"))
ring_h = [k for k in range(frame_n) if a[k].symbol == "H"][0]
d_vec = a.get_distance(idx[1], ring_h, mic=True, vector=True)
shift = d_vec - 1.1 * unit(d_vec)
a.positions[idx] = a.positions[idx] + shift
add_broken(
    "mof5_ch4_touching_ring_h",
    "vdw-contact",
    a,
    [req(VDW, [idx[1], ring_h])],
    "CH4 in MOF-5 pushed until one of its H sits 1.1 Å from a linker H",
)

# ---------------------------------------------------------------- more expanded / scaled frameworks
for nm, base in (("cha", legit("cha_iza")), ("mof5", legit("mof5_primitive")), ("ice_x", legit("ice_x_100gpa"))):
    x = base.copy()
    x.set_cell(x.cell * 1.4, scale_atoms=True)
    add_broken(
        f"{nm}_cell_x14",
        "expanded-cell",
        x,
        [req(("expanded-cell",), [])],
        f"{nm} with cell and atoms scaled by 1.4: no bond left",
    )
for nm, base in (("nacl_conv", bulk("NaCl", "rocksalt", a=5.64, cubic=True)), ("ni3al", legit("ni3al_l12"))):
    x = base.copy()
    x.set_cell(x.cell * 2.0, scale_atoms=True)
    add_broken(f"{nm}_cell_x20", "scaled-cell", x, [req(("scaled-cell",), [])], f"{nm} scaled by 2", max_errors=1)
