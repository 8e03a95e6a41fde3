"""Broken structures, part 5: guests left in framework pores, duplicates and close contacts,
valence mistakes, frameworks and periodic molecules missing hydrogen."""

from __future__ import annotations

import itertools

import numpy as np
from _broken import MH, add, benzene, methane, req, water, without
from _broken2 import legit
from _geom import DEG, in_box, mol, tetra_h, unit
from ase import Atoms
from ase.build import bulk


def pore_centre(frame, n=12):
    """The point of an n^3 grid over the cell farthest from every framework atom (deterministic)."""
    from ase.geometry import get_distances

    grid = np.array(list(itertools.product(np.arange(n) / n, repeat=3))) @ frame.cell.array
    _, d = get_distances(grid, frame.positions, cell=frame.cell, pbc=True)
    clearance = d.min(axis=1)
    k = int(np.argmax(clearance))
    return grid[k], float(clearance[k])


def with_guest(frame_name, guest, n=10):
    frame = legit(frame_name)
    centre, clearance = pore_centre(frame, n)
    g = guest.copy()
    g.positions += centre - g.positions.mean(axis=0)
    return frame + g, list(range(len(frame), len(frame) + len(g))), clearance


CH4 = Atoms("CH4", positions=methane())
CO2 = mol("OCO", [[0, 0, -1.16], [0, 0, 0], [0, 0, 1.16]])
H2O = Atoms("OH2", positions=water())
for frame_name, gname, g in (
    ("mof5_primitive", "ch4", CH4),
    ("mof5_primitive", "benzene", benzene()[0]),
    ("mof5_primitive", "co2", CO2),
    ("hkust1_primitive", "ch4", CH4),
    ("hkust1_primitive", "co2", CO2),
    ("sod_iza", "h2o", H2O),
    ("cha_iza", "ch4", CH4),
    ("cha_iza", "h2o", H2O),
):
    a, idx, clear = with_guest(frame_name, g)
    add(
        f"{frame_name.split('_')[0]}_pore_{gname}",
        "pore-guest",
        a,
        [req(("pore-guest",), idx, "any")],
        f"a lone {gname} floating in a {frame_name.split('_')[0]} pore ({clear:.1f} Å from the nearest framework atom)",
    )

# ---------------------------------------------------------------- G. duplicates and close contacts (existing rules)
w = Atoms("OH2", positions=water())
add(
    "water_duplicated_o",
    "overlapping-atoms",
    w + Atoms("O", positions=[w.positions[0]]),
    [req(("overlapping-atoms",), [0, 3], sev="error")],
    "H2O with its O written twice",
)
m = Atoms("CH4", positions=methane())
add(
    "methane_h_duplicate_005",
    "overlapping-atoms",
    m + Atoms("H", positions=[m.positions[1] + [0.05, 0, 0]]),
    [req(("overlapping-atoms",), [1, 5], sev="error")],
    "CH4 with one H duplicated 0.05 Å away",
)
si = bulk("Si", "diamond", a=5.431, cubic=True)
add(
    "si_conv_duplicated_atom",
    "overlapping-atoms",
    si + Atoms("Si", positions=[si.positions[3]]),
    [req(("overlapping-atoms",), [3, 8], sev="error")],
    "Si conventional cell with one atom written twice",
)
nacl = bulk("NaCl", "rocksalt", a=5.64, cubic=True)
add(
    "nacl_conv_near_duplicate",
    "overlapping-atoms",
    nacl + Atoms("Na", positions=[nacl.positions[0] + [0.02, 0.01, 0]]),
    [req(("overlapping-atoms",), [0, 8], sev="error")],
    "NaCl with a Na repeated 0.02 Å away",
)
add(
    "h2o3_report_start",
    "close-contact",
    Atoms(
        "H2O3",
        positions=[(0.3, 0.3, 0.3), (0.5, 0.5, 0.5), (0.7, 0.7, 0.7), (0.1, 0.1, 0.1), (0.6, 2.5, 3.7)],
        cell=[5, 5, 5],
        pbc=True,
    ),
    [req(("close-contact",), [0, 1], sev="error")],
    "the DeePMD-kit issue 4502 start (H-H 0.346 Å)",
)
b6 = benzene()[0]
b6b = b6.copy()
b6b.positions += [0, 0, 0.9]
add(
    "benzene_stack_090",
    "close-contact",
    b6 + b6b,
    [req(("close-contact", "overlapping-atoms"), [0, 12], sev="error")],
    "benzene dimer stacked at 0.9 Å",
)
cu = bulk("Cu", "fcc", a=3.615, cubic=True)
add(
    "cu_conv_image_contact",
    "close-contact",
    cu + Atoms("Cu", positions=[[3.615 - 0.6, 0, 0]]),
    [req(("close-contact", "overlapping-atoms"), [0, 4], sev="error")],
    "Cu cell with an extra atom 0.6 Å from a periodic image",
)
add(
    "water_h_h_040",
    "close-contact",
    w + Atoms("H", positions=[w.positions[1] + [0, 0, 0.4]]),
    [req(("close-contact", "overlapping-atoms"), [1, 3], sev="error")],
    "H2O with a stray H 0.4 Å from an H",
)

# ---------------------------------------------------------------- H. valence / electron-count mistakes
VAL = ("valence", "isolated-atom", "odd-electron-count", "missing-hydrogen")
add(
    "two_oh_plus_o",
    "valence",
    mol("OHOHO", [[0, 0, 0], [0.97, 0, 0], [4.0, 0, 0], [4.97, 0, 0], [8.0, 0, 0]]),
    [req(VAL, [0, 2, 4], "any")],
    "two OH radicals and a lone O atom (even electron count overall)",
)
add(
    "two_oh_plus_o_close",
    "valence",
    mol("OHOHO", [[0, 0, 0], [0.97, 0, 0], [0, 3.0, 0], [0.97, 3.0, 0], [2.5, 1.5, 0]]),
    [req(VAL, [0, 2, 4], "any")],
    "two OH and an O about 2.5 Å apart (no bonds between them)",
)
add(
    "water_plus_lone_h",
    "valence",
    Atoms("OH2", positions=water()) + Atoms("H", positions=[[4.0, 0, 0]]),
    [req(VAL, [3], "any")],
    "H2O and a lone H atom 4 Å away, no spin declared",
)
tbp = [[0, 0, 1.09], [0, 0, -1.09]] + [
    [1.09 * np.cos(f), 1.09 * np.sin(f), 0] for f in (0, 2 * np.pi / 3, 4 * np.pi / 3)
]
add(
    "ch5_neutral_tbp",
    "valence",
    mol("CH5", [[0, 0, 0]] + tbp),
    [req(("over-coordinated", "valence"), [0], "any")],
    "neutral CH5 with five 1.09 Å C-H bonds (only CH5+ exists, and not like this)",
)
add(
    "methyl_no_spin",
    "valence",
    mol("CH3", [[0, 0, 0]] + [[1.079 * np.cos(f), 1.079 * np.sin(f), 0] for f in (0, 2.0944, 4.1888)]),
    [req(("odd-electron-count",), [])],
    "planar CH3 radical with no multiplicity declared",
)
add(
    "no2_no_spin",
    "valence",
    mol(
        "NO2",
        [
            [0, 0, 0],
            [1.197 * np.sin(67 * DEG), 1.197 * np.cos(67 * DEG), 0],
            [-1.197 * np.sin(67 * DEG), 1.197 * np.cos(67 * DEG), 0],
        ],
    ),
    [req(("odd-electron-count",), [])],
    "NO2 with no multiplicity declared",
)
c1, c2 = np.zeros(3), np.array([2.18, 0, 0])
bridged = Atoms(
    "C2H7",
    positions=[c1, c2, [1.09, 0, 0]]
    + tetra_h(c1, c1 + [1.0, 0, 0], 1.09, 3)
    + tetra_h(c2, c2 - [1.0, 0, 0], 1.09, 3, twist=60),
)
add(
    "methane_pair_shared_h",
    "valence",
    bridged,
    [req(("over-coordinated", "valence", "bond-length"), [2], "any")],
    "two CH3 sharing one H on a straight C-H-C line (1.09 Å to both C): a hydrogen with two covalent partners, neutral",
)

# ---------------------------------------------------------------- A'. frameworks / periodic molecules missing hydrogen


def strip_h(atoms, h_indices):
    """Remove the given H atoms; returns (new Atoms, new indices of the atoms they were bonded to)."""
    partners = []
    for h in h_indices:
        d = atoms.get_distances(h, range(len(atoms)), mic=True)
        d[h] = np.inf
        d[[k for k in range(len(atoms)) if atoms[k].symbol == "H"]] = np.inf
        partners.append(int(np.argmin(d)))
    gone = sorted(set(h_indices))
    new_index = {old: old - sum(1 for g in gone if g < old) for old in partners}
    return without(atoms, gone), sorted({new_index[p] for p in partners})


for frame in ("mof5_primitive", "hkust1_primitive"):
    f = legit(frame)
    hs = [k for k in range(len(f)) if f[k].symbol == "H"]
    short = frame.split("_")[0]
    a, cs = strip_h(f, hs[:1])
    add(f"{short}_missing_one_h", "missing-hydrogen", a, [req(MH, cs, "any")], f"{short} with one aromatic H missing")
    a, cs = strip_h(f, hs[:4])
    add(f"{short}_missing_four_h", "missing-hydrogen", a, [req(MH, cs, "any")], f"{short} with four aromatic H missing")
    a, cs = strip_h(f, hs)
    add(
        f"{short}_missing_all_h",
        "missing-hydrogen",
        a,
        [req(MH, cs, "any")],
        f"{short} with every H missing (an X-ray model without riding H)",
    )


def mof5_amine_without_h():
    f = legit("mof5_primitive")
    h = [k for k in range(len(f)) if f[k].symbol == "H"][0]
    d = f.get_distances(h, range(len(f)), mic=True)
    d[h] = np.inf
    c = int(np.argmin(d))
    v = f.get_distance(c, h, mic=True, vector=True)
    p = f.positions
    p[h] = f.positions[c] + 1.40 * unit(v)
    f.positions = p
    f[h].symbol = "N"
    return f, h


a, n_idx = mof5_amine_without_h()
add(
    "irmof3_like_nh2_missing_h",
    "missing-hydrogen",
    a,
    [req(MH, [n_idx], "any")],
    "MOF-5 with one ring H replaced by an amine N that has no H (IRMOF-3 written without its NH2 hydrogens)",
)
gz = legit("glycine_zwitterion")
hn = [k for k in range(len(gz)) if gz[k].symbol == "H"][:2]
add(
    "box_glycine_zwitterion_missing_nh_h",
    "missing-hydrogen",
    in_box(without(gz, hn), 12.0),
    [req(MH + ("valence",), [0], "any")],
    "glycine zwitterion in a periodic box with two of its NH3+ hydrogens missing",
)
pep = legit("ace_ala3_nme_strand")
h_amide = [
    k
    for k in range(len(pep))
    if pep[k].symbol == "H" and pep[int(np.argsort(pep.get_distances(k, range(len(pep))))[1])].symbol == "N"
][0]
n_amide = int(np.argsort(pep.get_distances(h_amide, range(len(pep))))[1])
pep_b, _ = strip_h(pep, [h_amide])
add(
    "box_peptide_missing_amide_h",
    "missing-hydrogen",
    in_box(pep_b, 20.0),
    [req(MH + ("valence", "odd-electron-count"), [n_amide - (1 if h_amide < n_amide else 0)], "any")],
    "capped tri-alanine strand in a periodic box with one amide H missing",
)
