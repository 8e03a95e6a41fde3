"""Legitimate structures from the probe11 probes, periodic part: proton-ordered ice Ih (ice rules
from an Eulerian orientation of the O network) and a hot rattled copy of it, the urea crystal,
six-coordinate silica (stishovite), CsPbI3, Zintl and antifluorite phases, CaB6, black phosphorus and
phosphorene, metal clusters, CO / H / O on bridge and hollow sites."""

from __future__ import annotations

import numpy as np
from _legit_mol import add
from _legit_periodic import slab, xtal
from ase import Atoms
from ase.build import fcc100, fcc111
from ase.cluster import Icosahedron
from ase.spacegroup import crystal

ICE = "Peterson & Levy, Acta Cryst. 10, 70 (1957); Röttger, Endriss, Ihringer, Doyle & Kuhs, Acta Cryst. B50, 644 (1994)"


def _euler_orient(n, edges):
    """Orient every edge of a connected 4-regular multigraph so each vertex has in = out = 2 (Hierholzer)."""
    adj = {v: [] for v in range(n)}
    for k, (i, j, _) in enumerate(edges):
        adj[i].append((k, j))
        adj[j].append((k, i))
    used, out, stack = [False] * len(edges), [], [(0, None, None)]
    ptr = {v: 0 for v in range(n)}
    while stack:
        v, k_in, frm = stack[-1]
        while ptr[v] < len(adj[v]) and used[adj[v][ptr[v]][0]]:
            ptr[v] += 1
        if ptr[v] == len(adj[v]):
            stack.pop()
            if k_in is not None:
                out.append((k_in, frm, v))
            continue
        k, w = adj[v][ptr[v]]
        used[k] = True
        stack.append((w, k, v))
    return {k: (a, b) for k, a, b in out}  # edge k goes from a to b


def ice_ih(rep=(2, 2, 1), d_oh=1.0):
    """Proton-ordered ice Ih: O at 4f of P6_3/mmc, one H per O-O edge at d_oh from its donor."""
    o = crystal(["O"], [(1 / 3, 2 / 3, 0.0625)], spacegroup=194, cellpar=[4.497, 4.497, 7.322, 90, 90, 120])
    o = o.repeat(rep)
    from ase.neighborlist import neighbor_list

    i, j, S = neighbor_list("ijS", o, 3.0)
    edges = [(a, b, s) for a, b, s in zip(i, j, S) if a < b or (a == b and tuple(s) > (0, 0, 0))]
    orient = _euler_orient(len(o), edges)
    cell = o.cell.array
    h = []
    for k, (a, b, s) in enumerate(edges):
        vec = o.positions[b] + s @ cell - o.positions[a]
        src, dst = orient[k]
        if src == a:
            h.append(o.positions[a] + d_oh * vec / np.linalg.norm(vec))
        else:
            h.append(o.positions[b] - d_oh * vec / np.linalg.norm(vec))
    return o + Atoms(["H"] * len(h), positions=h, cell=o.cell, pbc=True)


ice = ice_ih()
add("ice_ih_ordered", "molecular-crystal", ice, ICE,
    "ice Ih, a = 4.497, c = 7.322 Å, one proton-ordered arrangement obeying the ice rules (O-H 1.00 Å on O...O)")
hot = ice.copy()
hot.rattle(stdev=0.1, seed=11)
add("ice_ih_hot_rattled", "hot-snapshot", hot, ICE + "; Gaussian displacements 0.1 Å (ASE rattle, seed 11) as in "
    "an AIMD snapshot near 300 K (O-H rms amplitude ~0.1 Å)", "ordered ice Ih with every atom displaced 0.1 Å (rms)")
xtal("urea_crystal", "molecular-crystal", ["C", "O", "N", "H", "H"],
     [(0, 0.5, 0.3260), (0, 0.5, 0.5953), (0.1459, 0.6459, 0.1766), (0.2575, 0.7575, 0.2827), (0.1441, 0.6441, -0.0380)],
     113, [5.565, 5.565, 4.684, 90, 90, 90],
     "Swaminathan, Craven & McMullan, Acta Cryst. B40, 300 (1984) (neutron, 12 K)", "urea P-42_1m, N-H...O chains")
xtal("stishovite", "crystal", ["Si", "O"], [(0, 0, 0), (0.3062, 0.3062, 0)], 136, [4.1773, 4.1773, 2.6655, 90, 90, 90],
     "Sinclair & Ringwood, Nature 272, 714 (1978); Hill, Newton & Gibbs, J. Solid State Chem. 47, 185 (1983)",
     "stishovite, rutile-type SiO2 with six-coordinate Si (Si-O 1.76 / 1.81 Å)")
xtal("cspbi3_cubic", "crystal", ["Cs", "Pb", "I"], [(0.5, 0.5, 0.5), (0, 0, 0), (0.5, 0, 0)], 221, [6.2894] * 3 + [90] * 3,
     "Trots & Myagkota, J. Phys. Chem. Solids 69, 2520 (2008) (alpha-CsPbI3, 634 K)", "cubic CsPbI3 perovskite")
xtal("natl_zintl", "zintl", ["Na", "Tl"], [(0, 0, 0), (0.5, 0.5, 0.5)], 227, [7.473] * 3 + [90] * 3,
     "Zintl & Dullenkopf, Z. Phys. Chem. B16, 195 (1932); Villars & Calvert, Pearson's Handbook "
     "(1991) (NaTl, a = 7.473 Å)", "NaTl Zintl phase: a diamond Tl- network", primitive=True)
xtal("mg2si_antifluorite", "zintl", ["Si", "Mg"], [(0, 0, 0), (0.25, 0.25, 0.25)], 225, [6.351] * 3 + [90] * 3,
     "Villars & Calvert, Pearson's Handbook of Crystallographic Data for Intermetallic Phases (1991) (Mg2Si a = 6.351 Å)",
     "Mg2Si antifluorite", primitive=True)
xtal("cab6", "crystal", ["Ca", "B"], [(0, 0, 0), (0.2025, 0.5, 0.5)], 221, [4.145] * 3 + [90] * 3,
     "Blomberg, Merisalo, Korsukova & Gurin, J. Alloys Compd. 217, 123 (1995) (CaB6, a = 4.145, x(B) = 0.2025)",
     "CaB6: B6 octahedra linked by 1.68 Å B-B bonds")
bp = crystal(["P"], [(0, 0.10168, 0.08056)], spacegroup=64, cellpar=[3.3136, 10.478, 4.3763, 90, 90, 90])
add("black_phosphorus", "crystal", bp, "Brown & Rundqvist, Acta Cryst. 19, 684 (1965)",
    "black phosphorus Cmce, P-P 2.22 / 2.24 Å")
layer = bp[[k for k in range(len(bp)) if bp.get_scaled_positions()[k, 1] < 0.25 or bp.get_scaled_positions()[k, 1] > 0.75]]
layer.set_cell([3.3136, 22.0, 4.3763], scale_atoms=False)
layer.wrap()
add("phosphorene", "2d", layer, "Brown & Rundqvist, Acta Cryst. 19, 684 (1965); Li et al., Nat. Nanotechnol. 9, 372 "
    "(2014)", "phosphorene: one puckered layer of black phosphorus in a 22 Å cell")

# ---------------------------------------------------------------- metal clusters (non-periodic)
cubo = np.array([[x, y, 0] for x in (-1, 1) for y in (-1, 1)] + [[x, 0, z] for x in (-1, 1) for z in (-1, 1)]
                + [[0, y, z] for y in (-1, 1) for z in (-1, 1)], float) / np.sqrt(2) * 2.70
add("pt13_cuboctahedron", "cluster", Atoms("Pt13", positions=np.vstack([[0, 0, 0], cubo])),
    "Aprà, Baletto, Ferrando & Fortunelli, Phys. Rev. Lett. 93, 065502 (2004) (Pt13 Pt-Pt ~2.70 Å)",
    "Pt13 cuboctahedron, Pt-Pt 2.70 Å")
add("au55_icosahedron", "cluster", Icosahedron("Au", noshells=3, latticeconstant=4.08),
    "Mackay, Acta Cryst. 15, 916 (1962) (icosahedral packing); Au a = 4.08 Å (Kittel)",
    "Au55 Mackay icosahedron")
add("au13_icosahedron", "cluster", Icosahedron("Au", noshells=2, latticeconstant=4.08),
    "Mackay, Acta Cryst. 15, 916 (1962); Au a = 4.08 Å (Kittel)", "Au13 icosahedron")

# ---------------------------------------------------------------- adsorbates on bridge and hollow sites


def co():
    return Atoms("CO", positions=[(0, 0, 0), (0, 0, 1.15)])


slab("pt111_co_bridge", fcc111, "Pt", 3.924, [(co(), 1.55, "bridge")], None, None,
     "Ogletree, Van Hove & Somorjai, Surf. Sci. 173, 351 (1986) (bridge CO in c(4x2)-2CO: Pt-C 2.08 Å)",
     "CO on a bridge site of Pt(111)")
slab("pt111_co_fcc", fcc111, "Pt", 3.924, [(co(), 1.36, "fcc")], None, None,
     "Feibelman, Hammer, Nørskov, Wagner, Scheffler, Stumpf, Watwe & Dumesic, J. Phys. Chem. B 105, 4018 (2001) "
     "(CO/Pt(111) hollow: Pt-C ~2.10 Å)", "CO in the fcc hollow of Pt(111)")
slab("pd111_h_fcc", fcc111, "Pd", 3.890, [("H", 0.88, "fcc")], None, None,
     "Felter, Sowa & Van Hove, Phys. Rev. B 40, 891 (1989) (H in fcc hollows of Pd(111), 0.88 Å above)",
     "H in the fcc hollow of Pd(111)")
slab("cu100_o_hollow", fcc100, "Cu", 3.615, [("O", 0.78, "hollow")], None, None,
     "Kittel, Polcik, Terborg, Hoeft, Baumgärtel, Bradshaw, Toomes, Kang, Woodruff, Pascal, Lamont & Rotenberg, "
     "Surf. Sci. 470, 311 (2001) (O in the four-fold hollow of Cu(100), ~0.8 Å high)", "O in the hollow of Cu(100)")
