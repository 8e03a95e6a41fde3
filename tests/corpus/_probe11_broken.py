"""Broken structures from the probe11 probes: one deliberate mistake in each of the probe11 legit
structures (tests/corpus/_probe11_legit.py, _probe11_periodic.py): hydrogens removed, bonds
stretched or compressed, a ligand pushed into its metal, duplicated atoms, scaled cells, Bohr
read as Å, fractional coordinates written as Cartesian, a guest left in a pore, a planarised
sp3 centre and a linearised bent centre."""

from __future__ import annotations

import numpy as np
from _broken import add, req, stretch, without
import _probe11_legit2  # noqa: F401  (registers the legit entries used below)
from _broken2 import legit, pull
from _broken5 import with_guest
from _geom import unit
from ase import Atoms

BL = ("bond-length",)
BOHR = 0.529177210903


def h_of(atoms, centre):
    d = atoms.get_distances(centre, range(len(atoms)), mic=atoms.pbc.any())
    return min((k for k in range(len(atoms)) if atoms[k].symbol == "H"), key=lambda k: d[k])


# ---------------------------------------------------------------- hydrogens removed
for nm, centre in (("cubane", 0), ("propellane_111", 2), ("long_cc_171_core", 2), ("h3n_bh3", 0),
                   ("dimethylnitroxide", 2), ("fischer_carbene_cr", 13), ("urea_crystal", None)):
    m = legit(nm)
    if centre is None:  # urea: the H of the first N
        centre = next(k for k in range(len(m)) if m[k].symbol == "N")
    h = h_of(m, centre)
    odd = not m.pbc.any() and ((sum(m.numbers) - m.info.get("charge", 0) - 1) % 2 == 1 or "multiplicity" in m.info)
    c = centre if centre < h else centre - 1
    want = [req(("odd-electron-count",), [])] if odd and nm != "fischer_carbene_cr" else \
        [req(("missing-hydrogen", "valence"), [c], "any")]
    add(f"p11_{nm}_minus_h", "missing-hydrogen", without(m, [h]), want,
        f"{nm} with one H of atom {centre} deleted (an electron count that no declared state allows, or a"
        " missing-hydrogen centre)")

# ---------------------------------------------------------------- bonds stretched (x1.3-2) and compressed (x0.6)
for nm, i, j, f in (("cubane", 0, 1, 1.5), ("cubane", 0, 8, 1.6), ("propellane_111", 2, 5, 1.7),
                    ("h2s2", 0, 2, 1.6), ("triflate", 0, 2, 1.4), ("nhc_imidazolylidene", 7, 8, 1.8),
                    ("p4", 0, 1, 1.3)):
    m = legit(nm)
    d = m.get_distance(i, j)
    add(f"p11_{nm}_{i}_{j}_x{int(f * 10)}", "bond-length", stretch(m, i, j, d * f),
        [req(BL + ("isolated-atom", "valence", "missing-hydrogen"), [i, j], "any")],
        f"{nm} with bond {i}-{j} stretched x{f}: {d:.2f} -> {d * f:.2f} Å")
for nm, i, j in (("n2o4", 0, 1), ("cubane", 0, 1), ("xeo3", 0, 1), ("triflate", 0, 1), ("uf6", 0, 1),
                 ("h2s2", 0, 1)):
    m = legit(nm)
    d = m.get_distance(i, j)
    add(f"p11_{nm}_{i}_{j}_x06", "close-contact", stretch(m, i, j, d * 0.6),
        [req(("close-contact", "overlapping-atoms", "bond-length"), [i, j], "any", "warning")],
        f"{nm} with bond {i}-{j} compressed x0.6: {d:.2f} -> {0.6 * d:.2f} Å")

# ---------------------------------------------------------------- a ligand pushed into its metal
for nm, metal, lig, group, d in (("mn2_co10", 0, 2, (3,), 1.10), ("grubbs_core_ru_ch2", 0, 1, (2, 3), 1.15),
                                 ("uranyl_h2o5_2plus", 0, 3, (4, 5), 1.20), ("fe2_co9", 0, 8, (9,), 1.05),
                                 ("gd_h2o9_3plus", 0, 1, (2, 3), 1.30)):
    m = legit(nm)
    add(f"p11_{nm}_ligand_pushed", "close-contact", pull(m, metal, lig, d, group),
        [req(("close-contact", "overlapping-atoms"), [metal, lig], "all", "error")],
        f"{nm}: ligand atom {lig} pushed to {d:.2f} Å from metal {metal}")

# ---------------------------------------------------------------- duplicated atoms
for nm, k in (("pt13_cuboctahedron", 3), ("ice_ih_ordered", 5), ("stishovite", 2), ("uranocene", 4),
              ("cspbi3_cubic", 2)):
    m = legit(nm)
    dup = m + Atoms(m[k].symbol, positions=[m.positions[k] + [0.04, 0, 0]], cell=m.cell, pbc=m.pbc)
    add(f"p11_{nm}_duplicated_{k}", "overlapping-atoms", dup,
        [req(("overlapping-atoms",), [k, len(m)], "all", "error")], f"{nm} with atom {k} written twice (0.04 Å)")

# ---------------------------------------------------------------- cells scaled, Bohr, fractional as Cartesian
for nm in ("stishovite", "ice_ih_ordered", "cab6", "urea_crystal", "black_phosphorus", "cspbi3_cubic",
           "mg2si_antifluorite"):
    base = legit(nm)
    for f, rule in ((1.3, "expanded-cell"), (2.0, "scaled-cell")):
        x = base.copy()
        x.set_cell(x.cell * f, scale_atoms=True)
        add(f"p11_{nm}_cell_x{int(f * 10)}", rule, x, [req((rule,), [])], f"{nm} with cell and atoms scaled by {f}",
            max_errors=1)
    x = base.copy()
    x.set_cell(x.cell / BOHR, scale_atoms=True)
    add(f"p11_{nm}_bohr", "suspect-units", x, [req(("suspect-units",), [])], f"{nm} in Bohr read as Å",
        max_errors=1)
    x = base.copy()
    x.positions = base.get_scaled_positions()
    add(f"p11_{nm}_fractional_as_cartesian", "suspect-units", x, [req(("suspect-units",), [])],
        f"{nm} with its fractional coordinates written as Cartesian", max_errors=1)
for nm in ("cubane", "sb2f11_minus"):
    x = legit(nm)
    x.positions = x.positions / BOHR
    add(f"p11_{nm}_bohr", "suspect-units", x, [req(("suspect-units",), [])], f"{nm} in Bohr read as Å", max_errors=1)

x = legit("natl_zintl")
x.set_cell(x.cell * 1.3, scale_atoms=True)
add("p11_natl_zintl_cell_x13", "expanded-cell", x, [req(("expanded-cell",), [])], "NaTl scaled by 1.3", max_errors=1)

# ---------------------------------------------------------------- guests left in a pore
from _broken import water  # noqa: E402

for frame_name, gname, g in (("sod_iza", "nh3", Atoms("NH3", positions=[[0, 0, 0], [0.94, 0, -0.38],
                                                                          [-0.47, 0.81, -0.38], [-0.47, -0.81, -0.38]])),
                             ("mof5_primitive", "h2o", Atoms("OH2", positions=water())),
                             ("cha_iza", "co2", Atoms("OCO", positions=[[0, 0, -1.16], [0, 0, 0], [0, 0, 1.16]]))):
    a, idx, clear = with_guest(frame_name, g)
    add(f"p11_{frame_name.split('_')[0]}_pore_{gname}", "pore-guest", a, [req(("pore-guest",), idx, "any")],
        f"a lone {gname} left in a {frame_name.split('_')[0]} pore ({clear:.1f} Å from the framework)")

# ---------------------------------------------------------------- a planarised sp3 centre, a linearised bent centre


def planarise(atoms, centre, subs):
    """Project ``subs`` (bonded to ``centre``) into the plane through ``centre`` normal to their mean direction."""
    a = atoms.copy()
    p = a.positions
    n = unit(np.mean([p[s] - p[centre] for s in subs], axis=0))
    for s in subs:
        v = p[s] - p[centre]
        v = v - np.dot(v, n) * n
        p[s] = p[centre] + atoms.get_distance(centre, s) * unit(v)
    a.positions = p
    return a


m = legit("long_cc_171_core")
subs = [k for k in range(len(m)) if m[k].symbol == "C" and k > 1 and m.get_distance(0, k) < 1.6]
add("p11_long_cc_planar_quaternary", "bond-angle", planarise(m, 0, subs),
    [req(("bond-angle",), [0], "any")], "the quaternary C of the 1.71 Å core with its three methyls flattened")
m = legit("h3n_bh3")
add("p11_h3n_bh3_planar_n", "bond-angle", planarise(m, 0, [2, 3, 4]), [req(("bond-angle",), [0], "any")],
    "ammonia borane with the NH3 hydrogens flattened into a plane (N-B 90 deg from each N-H)")
m = legit("dimethylnitroxide")
add("p11_dimethylnitroxide_planar_methyl", "bond-angle", planarise(m, 2, [4, 5, 6]),
    [req(("bond-angle",), [2], "any")], "dimethyl nitroxide with one methyl's H flattened")


def linearise(atoms, centre, a_, b_):
    """Put b_ on the line a_-centre, opposite a_, keeping |centre b_|."""
    x = atoms.copy()
    p = x.positions
    d = atoms.get_distance(centre, b_)
    p[b_] = p[centre] + d * unit(p[centre] - p[a_])
    x.positions = p
    return x


add("p11_h2s2_linear_s", "bond-angle", linearise(legit("h2s2"), 0, 1, 2), [req(("bond-angle",), [0], "any")],
    "HSSH with H-S-S made 180 deg")
m = legit("dimethylnitroxide")
add("p11_nitroxide_linear_cnc", "bond-angle", linearise(m, 0, 2, 3), [req(("bond-angle",), [0], "any")],
    "dimethyl nitroxide with C-N-C made 180 deg")
m = legit("ice_ih_ordered")
o = 0
hs = sorted((k for k in range(len(m)) if m[k].symbol == "H"), key=lambda k: m.get_distance(o, k, mic=True))[:2]
lin = m.copy()
v = lin.get_distance(o, hs[0], mic=True, vector=True)
lin.positions[hs[1]] = lin.positions[o] - v
add("p11_ice_linear_h2o", "bond-angle", lin, [req(("bond-angle",), [o], "any")],
    "ordered ice with one water made linear (H-O-H 180 deg)")

# ---------------------------------------------------------------- part 2 structures (_probe11_legit2.py)
m = legit("kubas_w_h2")
add("p11_kubas_h_pushed", "close-contact", pull(m, 0, 1, 1.00), [req(("close-contact", "overlapping-atoms"), [0, 1],
    "all", "error")], "Kubas complex with one H of the H2 pushed to 1.00 Å from W")
m = legit("mapbi3_cubic")
add("p11_mapbi3_cn_x16", "bond-length", stretch(m, 4, 5, 1.48 * 1.6), [req(BL + ("pore-guest", "missing-hydrogen",
    "valence"), [4, 5], "any")], "MAPbI3 with the C-N bond of its cation stretched x1.6 (2.37 Å)")
m = legit("pt111_ethylidyne_fcc")
c_ads = len(m) - 5
add("p11_pt111_ethylidyne_minus_h", "missing-hydrogen", without(m, [len(m) - 1]),
    [req(("missing-hydrogen", "valence"), [c_ads + 1], "any")], "ethylidyne on Pt(111) with one methyl H deleted")
for nm in ("cac2_acetylide", "bao2_peroxide", "nabh4_cubic", "li3n", "geo2_rutile", "mapbi3_cubic"):
    base = legit(nm)
    # CaC2 x1.3 is left out: its C2 2- keeps a C-C of 1.55 Å, a normal single-bond length, so the
    # cell does not read as expanded (valence and missing-hydrogen warn on the C2 instead)
    for f, rule in ((1.3, "expanded-cell"), (2.0, "scaled-cell"))[1 if nm == "cac2_acetylide" else 0:]:
        x = base.copy()
        x.set_cell(x.cell * f, scale_atoms=True)
        add(f"p11_{nm}_cell_x{int(f * 10)}", rule, x, [req((rule,), [])], f"{nm} with cell and atoms scaled by {f}",
            max_errors=1)
    x = base.copy()
    x.positions = base.get_scaled_positions()
    add(f"p11_{nm}_fractional_as_cartesian", "suspect-units", x, [req(("suspect-units",), [])],
        f"{nm} with its fractional coordinates written as Cartesian", max_errors=1)
x = legit("cyclopropenylidene")
x.positions = x.positions / BOHR
add("p11_cyclopropenylidene_bohr", "suspect-units", x, [req(("suspect-units",), [])], "c-C3H2 in Bohr read as Å",
    max_errors=1)
m = legit("nh3bh3_dihydrogen_dimer")
u = unit(m.positions[13] - m.positions[2])
x = m.copy()
x.positions[8:] -= 0.85 * u
add("p11_nh3bh3_dimer_hh_117", "vdw-contact", x, [req(("vdw-contact", "close-contact"), [2, 13], "all")],
    "the ammonia borane dimer pushed together: N-H...H-B 1.17 Å")
m = legit("ti_beta_agostic")
add("p11_ti_agostic_h_pushed", "close-contact", pull(m, 0, 3, 0.95), [req(("close-contact", "overlapping-atoms",
    "bond-length"), [0, 3], "any")], "the agostic H pushed to 0.95 Å from Ti")

# ---------------------------------------------------------------- metal complexes in Bohr: no bond left at all
for nm in ("uf6", "fe2_co9", "cr_co6", "ni_co4", "mno4_minus", "fe_cn6_4minus", "oso4", "ticl4", "wf6"):
    x = legit(nm)
    x.positions = x.positions / BOHR
    add(f"p11_{nm}_bohr", "suspect-units", x, [req(("suspect-units",), [])],
        f"{nm} in Bohr read as Å (its short metal-ligand / multiple bonds end at 1.5-1.6 x the radii sum)",
        max_errors=1)
m = legit("foof")
add("p11_foof_f_pulled", "bond-length", stretch(m, 0, 2, 2.10), [req(BL, [0, 2])],
    "O2F2 with one O-F pulled to 2.10 Å (a lone F beside the molecule)")
m = legit("s2f10")
add("p11_s2f10_ss_x06", "close-contact", stretch(m, 0, 1, 2.221 * 0.6), [req(("close-contact",), [0, 1], "all",
    "error")], "S2F10 with its S-S bond compressed x0.6")

# ---------------------------------------------------------------- one metal-ligand bond pulled out (x1.3-2)
for nm, lig_sym, f in (("cr_co6", "C", 1.3), ("cr_co6", "C", 2.0), ("ni_co4", "C", 1.5), ("co_nh3_6_3plus", "N", 1.3),
                       ("co_nh3_6_3plus", "N", 2.0), ("fe_cn6_4minus", "C", 1.6), ("mo_co6", "C", 1.4)):
    a = legit(nm)
    lig = next(k for k in range(len(a)) if a[k].symbol == lig_sym)
    grp = [k for k in range(len(a)) if k not in (0, lig) and a.get_distance(lig, k) < 1.3]
    d = a.get_distance(0, lig)
    add(f"p11_{nm}_ligand_x{int(round(f * 10))}", "bond-length", pull(a, 0, lig, d * f, grp),
        [req(BL, [0, lig])], f"{nm} with one ligand pulled out: M-{lig_sym} {d:.2f} -> {d * f:.2f} Å")
for nm in ("xef2", "krf2", "harf", "xeo4"):  # the noble-gas atom counts as a centre where the rest is too small
    x = legit(nm)
    x.positions = x.positions / BOHR
    add(f"p11_{nm}_bohr", "suspect-units", x, [req(("suspect-units",), [])], f"{nm} in Bohr read as Å", max_errors=1)
