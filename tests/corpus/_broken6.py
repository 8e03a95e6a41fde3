"""Broken structures, part 6 (rules11b): hydrogens pulled off beyond any bond (P–H, Si–H, an
aromatic N–H, a lone H left near its atom), a CH2 cut out of ethanol, scaled crystals: ionic
ones whose large cations stay inside bonding range (CsCl type), fluorite oxides, a carbide,
intermetallics, a MOF with stretched bonds, Bohr and x2 cells of graphite, NiAl and LiH. Bases are ASE's G2 geometries
(Curtiss et al., J. Chem. Phys. 94, 7221 (1991)) and textbook lattice constants."""

from __future__ import annotations

from _broken import add, req, without
from _broken2 import legit, pull
from ase.build import bulk, molecule

BL = ("bond-length",)


def h_of(atoms, centre):
    """The first hydrogen bonded to ``centre`` (nearest H)."""
    d = atoms.get_distances(centre, range(len(atoms)))
    return min((k for k in range(len(atoms)) if atoms[k].symbol == "H"), key=lambda k: d[k])


# ---------------------------------------------------------------- hydrogens pulled beyond any bond
for name, base, centre, dists in (
    ("phosphine", "PH3", 0, (2.26, 2.83)),  # P-H 1.42 x 1.6, x 2.0
    ("silane", "SiH4", 0, (2.37, 2.97)),  # Si-H 1.48 x 1.6, x 2.0
    ("disilane", "Si2H6", 0, (2.38,)),
    ("pyrrole", "C4H4NH", 1, (1.30, 1.45, 1.60)),  # aromatic N: its Pauling sum stays 2.9 without the H
    ("methanethiol", "CH3SH", 1, (2.14, 2.68)),
    ("water", "H2O", 0, (1.94,)),  # O-H 0.97 x 2: a lone H at 0.72 of the van der Waals sum
):
    m = molecule(base)
    h = h_of(m, centre)
    for d in dists:
        add(
            f"{name}_{m[centre].symbol.lower()}h_{int(round(d * 100))}",
            "bond-length",
            pull(m, centre, h, d),
            [req(BL, [centre, h])],
            f"{base} with one {m[centre].symbol}-H pulled to {d:.2f} Å: a stretched or broken bond, the H alone",
        )

# ---------------------------------------------------------------- CH2 cut out of a larger molecule
m = molecule("CH3CH2OH")
cs = [k for k in range(len(m)) if m[k].symbol == "C"]
add(
    "ethanol_ch2_minus_2h",
    "missing-hydrogen",
    without(m, [h for h in range(len(m)) if m[h].symbol == "H" and m.get_distance(cs[0], h) < 1.2][:2]),
    [req(("missing-hydrogen", "valence"), [cs[0]], "any")],
    "ethanol with two H of one carbon deleted (tetrahedral angles kept)",
)

# ---------------------------------------------------------------- scaled crystals: ionic with touching cations,
# fluorite oxides, intermetallics, a MOF with its bonds stretched, carbon in Bohr
BOHR = 0.529177210903
for nm, base in (
    ("cscl", legit("cscl_cesiumchloride")),
    ("csbr", bulk("CsBr", "cesiumchloride", a=4.286)),  # Wyckoff, Crystal Structures vol. 1 (1963)
    ("ceo2", legit("ceo2_fluorite")),
    ("li2o", legit("li2o_antifluorite")),
    ("uo2", legit("uo2_fluorite")),
    ("tic", legit("tic_rocksalt")),
    ("nb3sn", legit("nb3sn_a15")),
    ("tial", legit("tial_l10")),
    ("mgcu2", legit("mgcu2_c15")),
    ("hkust1", legit("hkust1_primitive")),
):
    x = base.copy()
    x.set_cell(x.cell * 1.3, scale_atoms=True)
    add(f"{nm}_cell_x13", "expanded-cell", x, [req(("expanded-cell",), [])],
        f"{nm} with cell and atoms scaled by 1.3 (cation-cation or stretched bonds left inside bonding range)")
for nm, base in (("graphite", legit("graphite_ab")), ("nial", legit("nial_b2")), ("lih", legit("lih_rocksalt"))):
    x = base.copy()
    x.set_cell(x.cell / BOHR, scale_atoms=True)
    add(f"{nm}_bohr_as_angstrom", "suspect-units", x, [req(("suspect-units",), [])],
        f"{nm} with Bohr values read as Å (x 1.8897)", max_errors=1)
    x = base.copy()
    x.set_cell(x.cell * 2.0, scale_atoms=True)
    add(f"{nm}_cell_x20", "scaled-cell", x, [req(("scaled-cell",), [])], f"{nm} scaled by 2", max_errors=1)

# ---------------------------------------------------------------- terminal atoms held by a fraction of a bond,
# a flattened methyl, a radical's H pulled off
for base, t, p in (("CH3CHO", 0, 1), ("SO2", 1, 0), ("CS2", 0, 1), ("C2H6SO", 1, 0), ("CH3NO2", 5, 1)):
    m = molecule(base)
    add(
        f"{base.lower()}_{m[t].symbol.lower()}{t}_x13",
        "bond-length",
        pull(m, p, t, 1.3 * m.get_distance(p, t)),
        [req(BL, [t, p])],
        f"{base} with its terminal {m[t].symbol}{t} pulled to 1.3 x its bond: held by half a bond",
    )
e = molecule("C2H6")
ax = (e.positions[0] - e.positions[1]) / e.get_distance(0, 1)
for h in (2, 3, 4):
    v = e.positions[h] - e.positions[0]
    v -= ax * (v @ ax)
    e.positions[h] = e.positions[0] + 1.09 * v / (v @ v) ** 0.5
add("ethane_planar_methyl", "bond-angle", e, [req(("bond-angle",), [0], "any")],
    "ethane with one CH3 flattened onto its carbon (H-C-C 90 deg, H-C-H 120 deg)")
for base, centre in (("CH3", 0), ("OH", 0), ("NH2", 0)):
    m = molecule(base)  # G2's radicals carry their spin (initial magnetic moments)
    h = h_of(m, centre)
    x = pull(m, centre, h, 1.6 * m.get_distance(centre, h))
    x.info["multiplicity"] = 3  # now two radicals: the H atom and the rest
    add(f"{base.lower()}_radical_h_x16", "bond-length", x, [req(BL, [centre, h])],
        f"{base} radical (spin declared) with an H pulled to 1.6 x its bond")

# ---------------------------------------------------------------- a halogen pulled off; an H pushed onto a pi face
m = molecule("ClF3")
add("clf3_f1_x13", "bond-length", pull(m, 0, 1, 1.3 * m.get_distance(0, 1)), [req(BL, [0, 1])],
    "ClF3 with one F pulled to 1.3 x its bond (2.13 Å): a lone F inside the Cl...F contact")
from ase.collections import s22  # noqa: E402

for name in ("Benzene-water_complex", "Benzene-methane_complex", "Benzene-ammonia_complex"):
    a = s22[name]
    d = a.get_all_distances()[:12, 12:]
    i, j = divmod(int(d.argmin()), d.shape[1])
    u = a.positions[12:].mean(0) - a.positions[:12].mean(0)
    u /= (u @ u) ** 0.5
    a.positions[12:] -= u * d.min() * 0.4
    add(f"{name.split('_')[0].lower()}_pushed_x06", "vdw-contact", a, [req(("vdw-contact",), [], "any")],
        f"S22 {name} with the guest pushed to 0.6 x its closest contact (an H onto the pi face)")

# ---------------------------------------------------------------- linear H2Se (H2Se 90.6 deg: Herzberg 1966)
from ase import Atoms  # noqa: E402

add("h2se_linear", "bond-angle", Atoms("SeH2", [[0, 0, 0], [1.46, 0, 0], [-1.46, 0, 0]]),
    [req(("bond-angle",), [0], "any")], "H2Se with H-Se-H 180 deg")

# ---------------------------------------------------------------- the formyl H of formic acid deleted
m = molecule("HCOOH")
hc = [k for k in range(len(m)) if m[k].symbol == "H" and min(m.get_distance(k, c) for c in range(len(m))
                                                              if m[c].symbol == "C") < 1.2][0]
x = without(m, [hc])
c0 = [k for k in range(len(x)) if x[k].symbol == "C"][0]
add("formic_acid_minus_ch", "missing-hydrogen", x, [req(("missing-hydrogen", "valence"), [c0], "any")],
    "formic acid with its C-H hydrogen deleted (a carboxyl radical, not a carbene)")
