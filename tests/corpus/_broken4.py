"""Broken structures, part 4: van der Waals clashes, expanded / scaled cells and unit mistakes,
pore guests, duplicates and close contacts, valence, frameworks missing hydrogen."""

from __future__ import annotations

import numpy as np
from _broken import BOHR, add, benzene, methane, req, water
from _broken2 import legit
from _geom import DEG, in_box, mol, tetrahedron, unit
from ase import Atoms
from ase.build import bulk

VDW = ("vdw-contact",)
# ---------------------------------------------------------------- D. non-bonded clashes far inside vdW contact


def water_pair_apart(d):
    a = water((0, 0, 0), axis=(-1, 0, 0), plane=(0, 1, 0))
    b = water((d, 0, 0), axis=(1, 0, 0), plane=(0, 0, 1))
    return Atoms("OH2OH2", positions=a + b)


for d in (2.0, 2.2, 2.4):
    add(
        f"water_pair_oo_{int(d * 100)}",
        "vdw-contact",
        water_pair_apart(d),
        [req(VDW, [0, 3])],
        f"two waters, H pointing away, O...O {d} Å (no H-bond)",
    )


def water_dimer_linear(d_oo):
    donor = [
        np.zeros(3),
        np.array([0.9572, 0, 0]),
        np.array([0.9572 * np.cos(104.52 * DEG), 0.9572 * np.sin(104.52 * DEG), 0]),
    ]
    t = 52.26 * DEG
    acc = [
        np.array([d_oo, 0, 0]),
        np.array([d_oo + 0.9572 * np.cos(t), 0, 0.9572 * np.sin(t)]),
        np.array([d_oo + 0.9572 * np.cos(t), 0, -0.9572 * np.sin(t)]),
    ]
    return Atoms("OH2OH2", positions=donor + acc)


add(
    "water_dimer_oo_200",
    "vdw-contact",
    water_dimer_linear(2.0),
    [req(VDW + ("bond-length", "over-coordinated"), [0, 1, 3], "any")],
    "linear H-bonded water dimer squeezed to O...O 2.0 Å",
)
add(
    "water_dimer_oo_220",
    "vdw-contact",
    water_dimer_linear(2.2),
    [req(VDW + ("bond-length", "over-coordinated"), [0, 1, 3], "any")],
    "linear H-bonded water dimer squeezed to O...O 2.2 Å",
)


def methane_pair(d_hh):
    e = unit([1, 1, 1])
    a = methane()
    c2 = e * (2 * 1.09 + d_hh)
    b = [c2] + [c2 - 1.09 * v for v in tetrahedron(1.0)]
    return Atoms("CH4CH4", positions=a + b)


for d in (1.0, 1.2, 1.4):
    add(
        f"methane_pair_hh_{int(d * 100)}",
        "vdw-contact",
        methane_pair(d),
        [req(VDW, [1, 6])],
        f"two CH4, H...H {d} Å tip to tip",
    )
b6, _ = benzene()
b6b = b6.copy()
b6b.positions += [0, 0, 2.5]
add(
    "benzene_stack_250",
    "vdw-contact",
    b6 + b6b,
    [req(VDW, [0, 12])],
    "sandwich benzene dimer at 2.5 Å (real 3.7-3.9 Å)",
)
add(
    "n2_pair_200",
    "vdw-contact",
    mol("N4", [[0, 0, 0], [1.098, 0, 0], [0, 2.0, 0], [1.098, 2.0, 0]]),
    [req(VDW, [0, 2])],
    "two N2 side by side at 2.0 Å",
)
add(
    "hf_pair_ff_190",
    "vdw-contact",
    mol("FHFH", [[0, 0, 0], [-0.917, 0, 0], [1.9, 0, 0], [2.817, 0, 0]]),
    [req(VDW, [0, 2])],
    "two HF with F...F 1.9 Å, H pointing away",
)
add(
    "nh3_pair_nn_210",
    "vdw-contact",
    mol(
        "NH3NH3",
        [[0, 0, 0]]
        + [[-0.37, 0.94 * np.cos(f), 0.94 * np.sin(f)] for f in (0, 2.094, 4.189)]
        + [[2.1, 0, 0]]
        + [[2.47, 0.94 * np.cos(f), 0.94 * np.sin(f)] for f in (0, 2.094, 4.189)],
    ),
    [req(VDW, [0, 4])],
    "two NH3 with N...N 2.1 Å, lone pairs facing",
)


def methane_water(d_ho):
    e = unit([1, 1, 1])
    a = methane()
    o = a[1] + d_ho * e
    w = water(o, axis=e, plane=np.cross(e, [1, 0, 0]))
    return Atoms("CH4OH2", positions=a + w)


add(
    "methane_water_ho_130", "vdw-contact", methane_water(1.30), [req(VDW, [1, 5])], "C-H...O 1.30 Å between CH4 and H2O"
)
add(
    "argon_pair_280",
    "vdw-contact",
    mol("Ar2", [[0, 0, 0], [2.8, 0, 0]]),
    [req(VDW + ("close-contact",), [0, 1])],
    "Ar2 at 2.8 Å (r_e 3.76 Å)",
)
add(
    "box_water_pair_oo_200",
    "vdw-contact",
    in_box(water_pair_apart(2.0), 10.0),
    [req(VDW, [0, 3])],
    "two waters at O...O 2.0 Å in a periodic 10 Å box",
)
m_ee = Atoms("CH4", positions=methane())
m_e2 = m_ee.copy()
m_e2.positions = -m_e2.positions + unit([1, 1, 1]) * (2 * 1.09 + 1.1)
add(
    "methane_pair_hh_110_box",
    "vdw-contact",
    in_box(m_ee + m_e2, 12.0),
    [req(VDW, [1, 6])],
    "two CH4 at H...H 1.1 Å in a periodic box",
)

# ---------------------------------------------------------------- E. expanded / scaled cells, unit mistakes
CELLS = {
    "si": bulk("Si", "diamond", a=5.431),
    "cu": bulk("Cu", "fcc", a=3.615),
    "nacl": bulk("NaCl", "rocksalt", a=5.640),
    "al": bulk("Al", "fcc", a=4.05),
    "fe": bulk("Fe", "bcc", a=2.8665),
    "mgo": bulk("MgO", "rocksalt", a=4.212),
    "diamond": bulk("C", "diamond", a=3.567),
    "gaas": bulk("GaAs", "zincblende", a=5.653),
    "tio2": legit("rutile_tio2"),
    "zno": bulk("ZnO", "wurtzite", a=3.250, c=5.207, u=0.3817),
    "mg": bulk("Mg", "hcp", a=3.209, c=5.211),
    "quartz": legit("alpha_quartz"),
}
for nm, base in CELLS.items():
    for f in (1.3, 1.5):
        a = base.copy()
        a.set_cell(a.cell * f, scale_atoms=True)
        add(
            f"{nm}_cell_x{int(f * 10)}",
            "expanded-cell",
            a,
            [req(("expanded-cell",), [])],
            f"{nm} with cell and positions scaled by {f}: a condensed phase with no bonds",
        )
    a = base.copy()
    a.set_cell(a.cell * 2.0, scale_atoms=True)
    add(
        f"{nm}_cell_x20",
        "scaled-cell",
        a,
        [req(("scaled-cell",), [])],
        f"{nm} scaled by 2 (not Bohr: 1.8897)",
        max_errors=1,
    )
    a = base.copy()
    a.set_cell(a.cell / BOHR, scale_atoms=True)
    add(
        f"{nm}_bohr_as_angstrom",
        "suspect-units",
        a,
        [req(("suspect-units",), [])],
        f"{nm} with Bohr values read as Å (x 1.8897)",
        max_errors=1,
    )

for nm, key in (
    ("water", None),
    ("benzene", None),
    ("glycine_zwitterion", "glycine_zwitterion"),
    ("ferrocene", "ferrocene"),
    ("ch4", None),
):
    if key:
        base = legit(key)
    elif nm == "water":
        base = Atoms("OH2", positions=water())
    elif nm == "benzene":
        base = benzene()[0]
    else:
        base = Atoms("CH4", positions=methane())
    big = base.copy()
    big.positions = big.positions / BOHR
    add(
        f"{nm}_bohr_as_angstrom",
        "suspect-units",
        big,
        [req(("suspect-units",), [])],
        f"{nm} coordinates in Bohr read as Å",
        max_errors=1,
    )
    if nm in ("water", "benzene", "ch4"):
        small = base.copy()
        small.positions = small.positions * BOHR
        add(
            f"{nm}_angstrom_as_bohr",
            "suspect-units",
            small,
            [req(("suspect-units",), [])],
            f"{nm} coordinates in Å read as Bohr (x 0.529)",
            max_errors=1,
        )

FRAC = {
    "nacl_conv": bulk("NaCl", "rocksalt", a=5.640, cubic=True),
    "si_conv": bulk("Si", "diamond", a=5.431, cubic=True),
    "cu_conv": bulk("Cu", "fcc", a=3.615, cubic=True),
    "mgo_conv": bulk("MgO", "rocksalt", a=4.212, cubic=True),
    "tio2": legit("rutile_tio2"),
    "quartz": legit("alpha_quartz"),
    "zno": bulk("ZnO", "wurtzite", a=3.250, c=5.207, u=0.3817),
    "cha": legit("cha_iza"),
    "mof5": legit("mof5_primitive"),
    "spinel": legit("spinel_mgal2o4"),
}
for nm, base in FRAC.items():
    a = base.copy()
    a.positions = base.get_scaled_positions(wrap=True)
    add(
        f"{nm}_fractional_as_cartesian",
        "suspect-units",
        a,
        [req(("suspect-units",), [], sev="error")],
        f"{nm}: fractional coordinates written as Cartesian Å (one root cause, not one error per contact)",
        max_errors=1,
    )
