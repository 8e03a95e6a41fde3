"""Periodic and framework rules: missing hydrogens, expanded or scaled cells, pore guests,
molecules in vacuum boxes (families ``composition`` and ``cell``)."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from ase.data import atomic_numbers, chemical_symbols

from ..chemistry import (components, nonmetal_mask, periodic_dimension, single_bond_matrix, small_bond_numbers,
                         small_graph, table)
from ..cellscale import expansion
from ..chemistry import frame_charge as _frame_charge
from ..frame import Frame
from ..rule import Hit, rule
from .composition import declared_spin



def _sym(z: int) -> str:
    return chemical_symbols[int(z)]


# ---------------------------------------------------------------- missing-hydrogen (SC205)


@lru_cache(maxsize=1)
def _lists() -> tuple[list, list]:
    return nonmetal_mask().tolist(), single_bond_matrix().tolist()


@lru_cache(maxsize=1)
def _triple_partner() -> dict:
    return {atomic_numbers[k]: float(v) for k, v in table()["missing_hydrogen"]["carbon_triple_partner_max"].items()}


_HETERO = (7, 8, 9, 15, 16, 17, 35, 53)  # lone-pair partners that stabilise a carbene


def _judge(za, partners, t, triple, in_molecule=False):
    """None, or the reason atom ``za`` with partners [(z, d, n)] lacks a hydrogen;
    ``in_molecule``: the atom belongs to a molecule of more than three atoms."""
    s = sum(n for _, _, n in partners)
    k = len(partners)
    if za == 6:
        if k == 1 and partners[0][1] <= triple.get(partners[0][0], 0.0):
            return None  # CO, CN-, isocyanide: divalent carbon
        if k == 2 and all(zp in (7, 8, 16) for zp, _, _ in partners) and any(zp in (7, 16) for zp, _, _ in partners):
            return None  # a heteroatom-stabilised carbene (NHC, amino(oxy)carbene); two O: a carboxyl lost its H
        if t["carbon_low"] <= s < (t["carbon_high_two"] if k == 2 else t["carbon_high"]):
            return f"C with {k} partner(s) and a bond-valence sum of {s:.2f} (valence 3: a lost H or a radical)"
        if s < t["carbon_low"] and k == 1:
            return f"C with a single partner and a bond-valence sum of {s:.2f}"
        if s < t["carbon_low"] and k == 2 and in_molecule and not all(zp in _HETERO for zp, _, _ in partners):
            return (f"divalent C (two partners, bond-valence sum {s:.2f}) with no heteroatom to stabilise a "
                    "carbene: two hydrogens lost (or a free carbene, a reactive intermediate: declare its spin)")
        return None
    if s < t["nitrogen_below"]:
        return f"N with {k} partner(s) and a bond-valence sum of {s:.2f} (< {t['nitrogen_below']:g})"
    return None


@rule("SC205", "missing-hydrogen", "composition", "warning",
      "Under-coordinated carbon or nitrogen: a hydrogen is missing (molecules and frameworks).")
def missing_hydrogen(frame: Frame):
    """Carbon or nitrogen with fewer bonds than its valence needs: a lost hydrogen.

    What it does: for every C with one to three partners and every N with one or two
    (no metal partner), sums the Pauling bond numbers n = 10^((D1 − d)/0.6) of its bonds
    (D1: single-bond length; rules/chemistry.toml). Carbon at valence ~3 (sum in
    [2.5, 3.5): a methyl-like or aryl carbon that lost its H) and nitrogen below 2.4 (an
    amine that lost its H) are flagged. Divalent carbon is standard (CO, CN⁻, isocyanides,
    N-heterocyclic carbenes). Works on periodic frameworks too (a MOF linker without its
    H, as MOFChecker's under-coordinated C/N checks). Skipped when a charge or a spin is
    declared (carbocations, radicals).

    Why it matters: a missing hydrogen makes a radical that nobody intended; an ML
    potential trained on closed-shell data gives meaningless forces there, and the
    relaxation rearranges the molecule.

    Example: ethane with one H removed from each carbon (C–C 1.52 Å: not a C=C); a
    terephthalate linker of MOF-5 with one ring H deleted.

    Fix: add the hydrogen (a builder, or pymatgen/ase tools); or declare the radical
    (``multiplicity=`` in the extxyz comment).
    """
    sg = small_graph(frame)
    if sg is not None:
        zl, nb = sg
        if 6 not in zl and 7 not in zl:
            return
        most = _most_partners()
        cand = [a for a, (x, lst) in enumerate(zip(zl, nb)) if 0 < len(lst) <= most[x]]
    else:
        z_all = frame.numbers
        coord = frame.coordination
        m = (((z_all == 6) & (coord >= 1) & (coord <= 3)) | ((z_all == 7) & (coord >= 1) & (coord <= 2)))
        cand = np.flatnonzero(m).tolist()
        nb = None
    if not cand:
        return
    q = _frame_charge(frame)
    if q != 0 or declared_spin(frame.atoms):
        return
    if sg is None:
        yield from _missing_h_big(frame, cand)
        return
    b = frame.bonded_pairs
    nm, d1 = _lists()
    bn = frame.__dict__.get("_small_bn")  # else each candidate's own bonds' numbers below
    metal = not all(map(nm.__getitem__, zl))  # else no partner can be a metal
    d = None if bn is not None else frame.__dict__["_bond_lists"][2] if "_bond_lists" in frame.__dict__ \
        else b.d.tolist()  # bond-length's list of the same lengths where it is built
    c = table()["bond_valence"]["pauling_c"]
    bound = _sum_bounds()
    for a in cand:
        lst = nb[a]
        if metal and any(not nm[zl[j]] for j, _ in lst):
            continue
        if bn is not None:
            ns = [bn[k] for _, k in lst]
        else:
            row = d1[zl[a]]
            ns = [10.0 ** ((row[zl[j]] - d[k]) / c) for j, k in lst]
        if sum(ns) >= bound[zl[a]][len(ns)]:
            continue  # at or above the bound no reason of _judge applies
        if d is None:
            d = b.d.tolist()
        t = table()["missing_hydrogen"]
        partners = [(zl[j], d[k], x) for (j, k), x in zip(lst, ns)]
        big = False
        if zl[a] == 6 and len(lst) == 2:
            ncomp, labels = components(frame)
            big = int(np.count_nonzero(labels == labels[a])) > t["carbene_molecule_min_atoms"] - 1
        why = _judge(int(zl[a]), partners, t, _triple_partner(), big)
        if why:
            yield Hit((int(a),), f"{_sym(zl[a])}{a}: {why}: a hydrogen is missing?",
                      round(sum(n for _, _, n in partners), 4), None, "bond valence")


def _missing_h_big(frame: Frame, cand: list):
    """missing-hydrogen's loop for a frame of more than 256 bonds, on the same numbers: the
    candidates' bond ends grouped by atom in bond order (as the small path's lists), the
    bond numbers' exponents in numpy (a subtraction and a division: bitwise Python's) and
    the powers in Python (libm's pow, as the small path); candidates with a metal partner
    dropped with one mask; component sizes counted once."""
    b = frame.bonded_pairs
    z = frame.numbers
    nm_arr = nonmetal_mask()
    metal = ~nm_arr[z]
    if metal.any():  # a candidate with a metal partner is not judged
        near = np.zeros(len(frame), bool)
        near[b.i[metal[b.j]]] = True
        near[b.j[metal[b.i]]] = True
        cand = [a for a in cand if not near[a]] if near.any() else cand
        if not cand:
            return
    want = np.zeros(len(frame), bool)
    want[cand] = True
    sel = np.flatnonzero(want[b.i] | want[b.j])
    # bond ends (atom, partner, bond) in the small path's order: by atom, bond, i-end first
    atom = np.concatenate([b.i[sel], b.j[sel]])
    other = np.concatenate([b.j[sel], b.i[sel]])
    bond = np.concatenate([sel, sel])
    side = np.repeat(np.array([0, 1], np.int8), len(sel))
    order = np.lexsort((side, bond, atom))
    atom, other, bond = atom[order], other[order], bond[order]
    ca = np.asarray(cand)
    lo = np.searchsorted(atom, ca, side="left").tolist()
    hi = np.searchsorted(atom, ca, side="right").tolist()
    dist = b.d[bond]
    x = (single_bond_matrix()[z[atom], z[other]] - dist) / table()["bond_valence"]["pauling_c"]
    power = [10.0 ** v for v in x.tolist()]
    zo, do, zl = z[other].tolist(), dist.tolist(), z[ca].tolist()
    bound = _sum_bounds()
    t = table()["missing_hydrogen"]
    triple = _triple_partner()
    sizes = labels = None
    for a, za, l0, l1 in zip(cand, zl, lo, hi):
        ns = power[l0:l1]
        if sum(ns) >= bound[za][l1 - l0]:
            continue  # at or above the bound no reason of _judge applies
        partners = list(zip(zo[l0:l1], do[l0:l1], ns))
        big = False
        if za == 6 and l1 - l0 == 2:
            if sizes is None:
                labels = components(frame)[1]
                sizes = np.bincount(labels)
            big = int(sizes[labels[a]]) > t["carbene_molecule_min_atoms"] - 1
        why = _judge(int(za), partners, t, triple, big)
        if why:
            yield Hit((int(a),), f"{_sym(za)}{a}: {why}: a hydrogen is missing?",
                      round(sum(n for _, _, n in partners), 4), None, "bond valence")


@lru_cache(maxsize=1)
def _most_partners() -> list:
    """Per Z: the most partners a candidate of missing-hydrogen has (C 3, N 2, else 0)."""
    most = [0] * 119
    most[6], most[7] = 3, 2
    return most


@lru_cache(maxsize=1)
def _sum_bounds() -> dict:
    """{Z: per partner count k, the bond-valence sum from which ``_judge`` gives no reason}
    (every reason needs a lower sum): a cheap exit before the partner list."""
    t = table()["missing_hydrogen"]
    high = [max(t["carbon_low"], t["carbon_high_two"] if k == 2 else t["carbon_high"]) for k in range(4)]
    return {6: high, 7: [t["nitrogen_below"]] * 3}


# ---------------------------------------------------------------- expanded / scaled cell


@rule("SC303", "expanded-cell", "cell", "error",
      "A periodic solid without a single bond: cell and atoms expanded (×1.2–1.8).", needs=("periodic",))
def expanded_cell(frame: Frame):
    """A crystal whose cell (with its atoms) was expanded: no bond left anywhere.

    What it does: a 3D-periodic structure whose nearest neighbours sit at 1.15–1.95× their
    expected distance: the element's reference crystal for a single element
    (ase.data.reference_states; Donohue 1974 where it has no simple lattice); for ionic
    crystals (oxides, halides, chalcogenides, nitrides, carbides, saline hydrides) the scale
    at which each cation's bond-valence sum equals its valence (Brown & Altermatt 1985; R0
    of Brese & O'Keeffe 1991, else from O'Keeffe & Brese's element parameters; the valence
    from the charge balance when there is one cation species); for intermetallics the
    elements' own metallic radii; else the Cordero covalent radii sum. Two cations of an
    ionic crystal within bonding range (Cs···Cs in CsCl ×1.3) are not a bond. A structure with no bond at all is judged
    on any estimate; one whose bonds are all stretched (every bond ≥ 1.1 × the radii sum)
    only on the reference crystal or the bond-valence model. Noble-gas and pure-hydrogen
    solids are not judged. Thresholds: rules/chemistry.toml [cell]. This is the root
    cause: the findings it causes are grouped under it.

    Why it matters: a lattice constant typed wrong or a scaled cell gives a gas of atoms
    labelled as a crystal; nothing else complains (no contact is too short), and a
    relaxation either collapses it or stays in a meaningless state.

    Example: Si, Cu or NaCl with the cell scaled by 1.3 or 1.5 (scale_atoms=True).

    Fix: use the right lattice constant (or scale the cell back).
    """
    e = expansion(frame)
    if e and e[0] == "expanded":
        yield Hit(tuple(range(len(frame))), f"no bond at its normal length: nearest neighbours at {e[1]:.2f}× "
                  "their expected distance: the cell and atoms expanded (a wrong lattice constant?)",
                  round(e[1], 4), table()["cell"]["expanded_min"], "ratio")


@rule("SC304", "scaled-cell", "cell", "error",
      "A periodic solid whose cell and atoms were scaled by about 2 or more.", needs=("periodic",))
def scaled_cell(frame: Frame):
    """A crystal scaled by ~2 (or more): every distance doubled.

    What it does: as expanded-cell, for nearest neighbours at 1.95–3.5× their expected
    distance. A factor within 3.5 % of 1.8897 is reported by suspect-units instead
    (Bohr read as Å). Root cause: the findings it causes are grouped under it.

    Why it matters: see expanded-cell.

    Example: an fcc Cu cell with a = 7.22 Å (a supercell's lattice constant on the
    primitive cell), or any cell multiplied by 2 with its atoms.

    Fix: scale the cell back (``atoms.set_cell(cell / 2, scale_atoms=True)``).
    """
    e = expansion(frame)
    if e and e[0] == "scaled":
        alt = " (or Bohr read as Å, ×1.89: the estimate cannot tell them apart here)" if e[2] else \
            " (not Bohr: that is ×1.89)"
        yield Hit(tuple(range(len(frame))), f"no bond at its normal length: nearest neighbours at {e[1]:.2f}× "
                  f"their expected distance: the cell was scaled by ~{e[1]:.2f}{alt}",
                  round(e[1], 4), table()["cell"]["scaled_min"], "ratio")
    elif e and e[2] == "scaled":  # the alternative reading of a Bohr-looking cell (a warning)
        yield Hit(tuple(range(len(frame))), f"or the cell was scaled by ~2 (nearest neighbours at {e[1]:.2f}× "
                  "their expected distance; the estimate cannot tell ×2 from Bohr's ×1.89 here)",
                  round(e[1], 4), table()["cell"]["scaled_min"], "ratio", {"alternative": True})


# ---------------------------------------------------------------- pore-guest, vacuum-box


def dimensions(frame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(labels, sizes, periodic dimension per component), memoised; dimension only for
    components of 2+ atoms (0 for lone atoms)."""
    memo = frame.__dict__
    if "_dimensions" not in memo:
        ncomp, labels = components(frame)
        sizes = np.bincount(labels, minlength=ncomp)
        dims = np.zeros(ncomp, int)
        for c in np.flatnonzero(sizes >= 2):
            dims[c] = periodic_dimension(frame, labels, int(c))
            if dims[c] == 3:
                break
        memo["_dimensions"] = (labels, sizes, dims)
    return memo["_dimensions"]


@rule("SC305", "pore-guest", "cell", "warning",
      "A molecule floating in the pore of a 3D framework, bonded to nothing.", needs=("periodic",))
def pore_guest(frame: Frame, min_volume_per_atom: float = 12.0):
    """A lone molecule in a framework's pore.

    What it does: in a 3D-periodic structure of at least 12 Å³ per atom (porous: dense
    solids, SiC 10.4, cannot hold a guest; zeolites and MOFs are above 14) with a framework that percolates in three dimensions,
    flags each other molecule of 2–64 atoms that is bonded to nothing (MOFChecker's
    "lone molecule"). Lone atoms are isolated-atom's. Periodic structures above 50,000
    atoms are not examined.

    Why it matters: solvent or a guest left over from the experimental structure (or put
    there by mistake) changes the energy and the pore; an ML potential trained on empty
    frameworks sees an unknown environment.

    Example: MOF-5 with a CH4 in its pore; a zeolite with a water left in a cage.

    Fix: remove the guest, or keep it knowingly (--ignore pore-guest).
    """
    if not all(frame.pbc.tolist()) or len(frame) < 3 or len(frame) > 50_000:
        return
    vol = frame.volume
    if vol / len(frame) < min_volume_per_atom or components(frame)[0] < 2:
        return  # dense, or one bonded network (no guest without a second molecule)
    labels, sizes, dims = dimensions(frame)
    if not (dims == 3).any():
        return
    limit = int(table()["cell"]["max_guest_atoms"])
    fw = int(np.flatnonzero(dims == 3)[0])
    for c in np.flatnonzero((sizes >= 2) & (sizes <= limit)):
        if c == fw:
            continue
        atoms = np.flatnonzero(labels == c)
        if _hydrogen_bonded(frame, atoms, np.flatnonzero(labels == fw)):
            continue  # a counter-ion or solvent held by H-bonds (CH3NH3+ in MAPbI3), not a lost guest
        zs = frame.numbers[atoms]
        formula = "".join(f"{_sym(z)}{(zs == z).sum() if (zs == z).sum() > 1 else ''}" for z in sorted(set(zs.tolist())))
        yield Hit(tuple(int(a) for a in atoms), f"a {formula} molecule ({len(atoms)} atoms) floats in the "
                  "framework's pore, bonded to nothing", float(len(atoms)), float(limit), "atoms")


def _hydrogen_bonded(frame: Frame, guest: np.ndarray, framework: np.ndarray) -> bool:
    """Does an N-H or O-H hydrogen of ``guest`` reach an N, O or halogen of ``framework`` within
    [cell] guest_hbond_factor x their van der Waals sum (rules/chemistry.toml)?"""
    from ase.data.vdw_alvarez import vdw_radii
    from ase.geometry import get_distances

    z = frame.numbers
    b = frame.bonded_pairs
    donor = np.isin(z, (7, 8))
    hs = [int(h) for h in guest.tolist() if z[h] == 1]
    hs = [h for h in hs if donor[b.j[b.i == h]].any() or donor[b.i[b.j == h]].any()]
    acc = framework[np.isin(z[framework], (7, 8, 9, 17, 35, 53))]
    if not hs or not len(acc):
        return False
    _, d = get_distances(frame.positions[hs], frame.positions[acc], cell=frame.cell, pbc=frame.pbc)
    lim = table()["cell"]["guest_hbond_factor"] * (vdw_radii[1] + vdw_radii[z[acc]])
    return bool((d < lim[None, :]).any())


def finite_in_box(frame) -> bool:
    """Periodic, and no molecule of it repeats through the cell (a molecule or cluster in a box)."""
    if not frame.pbc.any():
        return False
    labels, sizes, dims = dimensions(frame)
    return not dims.any()


@rule("SC306", "vacuum-box", "cell", "warning",
      "A molecule or cluster in a periodic vacuum box (not a condensed structure).", needs=("periodic",))
def vacuum_box(frame: Frame, max_volume_per_atom: float = 150.0):
    """A molecule or cluster given a periodic cell with vacuum around it.

    What it does: a periodic structure of more than 150 Å³ per atom in which no molecule
    repeats itself through the cell (every connected component is finite). This is how
    plane-wave codes and many workflows (atomate2 passes every molecule as a Structure)
    model molecules; it is said, not refused (implausible-density is not raised for it).

    Why it matters: an ML potential sees the periodic images only if the vacuum is
    thinner than its cutoff; a model trained on bulk data is then outside its domain, and
    the energy is that of a periodic array of molecules.

    Example: a water molecule in a 15 Å cubic box with pbc=True.

    Fix: nothing if intended (keep ≥ 2 × the model cutoff of vacuum); else pbc=False.
    """
    if not all(frame.pbc.tolist()) or len(frame) == 0:
        return
    vol = frame.volume
    if vol < 1e-6:
        return
    vpa = vol / len(frame)
    if vpa <= max_volume_per_atom or expansion(frame) is not None or not finite_in_box(frame):
        return
    yield Hit((), f"a molecule/cluster in a periodic vacuum box ({vpa:.0f} Å³ per atom): its periodic "
              "images interact only through the vacuum; fine for plane-wave codes, use pbc=False otherwise",
              round(vpa, 6), max_volume_per_atom, "Å^3/atom")
