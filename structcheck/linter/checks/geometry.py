"""Geometry rules: distances, coordination, connectivity, units (family ``geometry``)."""

from __future__ import annotations

import numpy as np
from ase.data import chemical_symbols, covalent_radii

from ..chemistry import components
from ..frame import Frame
from ..rule import Hit, rule


def _sym(z: int) -> str:
    return chemical_symbols[int(z)]


def _partially_occupied(frame: Frame) -> np.ndarray | None:
    """Per atom: does its site have a total occupancy below 1 (ASE's CIF reader info)?"""
    occ = frame.info.get("occupancy")
    if not isinstance(occ, dict) or not occ:
        return None
    kinds = frame.atoms.arrays.get("spacegroup_kinds")
    keys = kinds if kinds is not None else np.arange(len(frame))
    total = {str(k): sum(v.values()) for k, v in occ.items() if isinstance(v, dict)}
    return np.array([total.get(str(k), 1.0) < 1 - 1e-6 for k in keys], dtype=bool)


def _pair_hits(frame: Frame, mask: np.ndarray, what: str, table: np.ndarray):
    if not mask.any():
        return
    p = frame.pairs.within(mask)
    zi, zj = frame.pair_numbers(p)
    thr = table[zi, zj]
    order = np.lexsort((p.j, p.i))
    partial = _partially_occupied(frame)
    for k in order:
        i, j, d, t = int(p.i[k]), int(p.j[k]), float(p.d[k]), float(thr[k])
        image = " (periodic image)" if p.shift[k].any() else ""
        if partial is not None and partial[i] and partial[j]:
            image += " (both sites partially occupied: a disordered CIF read as full sites)"
        yield Hit((i, j), f"{_sym(zi[k])}{i}–{_sym(zj[k])}{j} {what} {d:.3f} Å < {t:.3f} Å{image}",
                  round(d, 6), round(t, 6), "Å", {"shift": p.shift[k].tolist()})


@rule("SC101", "overlapping-atoms", "geometry", "error",
      "Two atoms (or an atom and its periodic image) sit on almost the same site.")
def overlapping_atoms(frame: Frame):
    """Near-coincident atoms: a duplicated site.

    What it does: flags pairs closer than max(0.1 Å, 0.2 × (r_i + r_j)) with Cordero
    covalent radii (thresholds in rules/pair_distances.toml), periodic images included.

    Why it matters: a duplicated site usually comes from merging files, applying symmetry
    twice, or an occupancy-disordered CIF read without its partial occupancies. Any force
    field sees an infinite or undefined repulsion; the push direction between two
    coincident atoms is undefined, so `structcheck fix` refuses to invent one.

    Example: two O atoms 0.02 Å apart in an ice cell built by a symmetry tool.

    Fix: delete the duplicate (`structcheck fix --merge-duplicates` removes exact
    duplicates and says which), or read the CIF with its occupancies.
    """
    if frame.min_distance >= frame.species_max("overlap"):  # no pair can be below its threshold
        return
    p = frame.pairs
    yield from _pair_hits(frame, p.d < frame.pair_threshold("overlap"), "overlap at", frame.t.overlap)


@rule("SC102", "close-contact", "geometry", "error",
      "Two atoms closer than a fraction of the sum of their covalent radii.", fixable=True)
def close_contact(frame: Frame):
    """Interatomic distance below close_contact × (r_i + r_j) (default 0.70).

    What it does: flags every pair (periodic images included) with d < 0.70 (r_i + r_j),
    Cordero et al. 2008 covalent radii, per-pair overrides from rules/pair_distances.toml.
    Overlapping pairs are reported by overlapping-atoms instead.

    Why it matters: no bound state has such contacts (the shortest real bonds, triple
    bonds such as N≡N, sit at 0.77 of the radii sum). A machine-learned potential has
    never seen them: its energy surface there is arbitrary and rough, so forces are huge
    and noisy, and tiny numerical differences (1e-14 eV/Å from non-deterministic GPU
    kernels) steer an optimizer into different minima (DeePMD-kit issue 4502: H–H and H–O
    contacts of 0.346 Å).

    Example: Atoms('H2O3', positions=[(0.3,)*3, (0.5,)*3, (0.7,)*3, (0.1,)*3, (0.6, 2.5, 3.7)])
    has H0–H1, H0–O3 and H1–O2 at 0.346 Å.

    Fix: `structcheck fix FILE -o fixed.extxyz` pushes the pair apart with a purely
    repulsive pre-relaxation, moving atoms as little as possible.
    """
    if frame.close_free:
        return
    p = frame.pairs
    mask = (p.d < frame.pair_threshold("close_contact")) & (p.d >= frame.pair_threshold("overlap"))
    yield from _pair_hits(frame, mask, "at", frame.t.close_contact)


@rule("SC103", "isolated-atom", "geometry", "warning",
      "An atom with no bonded neighbour in a structure that is otherwise bonded.")
def isolated_atom(frame: Frame):
    """An atom with no neighbour within bonding range (1.25 × (r_i + r_j)), nor in contact.

    What it does: flags atoms with zero bonded neighbours when at least one other atom
    of the structure is bonded (a lone atom, or a gas of atoms, is not flagged), and no
    atom is within 1.15 × the sum of their van der Waals radii (Alvarez 2013): a solvated
    ion (Cl⁻ in water), an endohedral guest (He@C60), a pore guest or the leaving group of
    an SN2 transition state is in contact, not isolated (rules/chemistry.toml).

    Why it matters: an atom left alone by a builder or a bad edit (the lone O 4.4 Å away
    in DeePMD-kit issue 4502) is usually not meant; a relaxation will pull it somewhere
    arbitrary or leave a radical.

    Example: water plus one O atom 4 Å away.

    Fix: remove the atom, or place it where it belongs; ignore this rule for intended
    adsorbate-far-away or single-ion setups (`--ignore isolated-atom`).
    """
    if len(frame) < 2:
        return
    n_lone = frame.lone_count
    if n_lone == 0 or n_lone == len(frame):
        return
    coord = frame.coordination
    lone = np.flatnonzero(coord == 0)
    if len(lone) == 0 or len(lone) == len(frame):
        return
    from ..chemistry import in_contact

    lone = lone[~in_contact(frame, lone)]  # a solvated ion, a guest, an SN2 leaving group
    cutoff = frame.cutoff
    for a in lone:
        yield Hit((int(a),), f"{_sym(frame.numbers[a])}{a} has no bonded neighbour "
                  f"(bonded below {frame.t.bonded_factor:g} × covalent radii sum)",
                  None, round(cutoff, 6), "Å")


@rule("SC104", "fragments", "geometry", "info",
      "A non-periodic structure made of several disconnected molecules.")
def fragments(frame: Frame):
    """Several disconnected fragments where one molecule may have been meant.

    What it does: in a non-periodic structure, counts connected components of the bond
    graph (bonded below 1.25 × radii sum) with two or more atoms; reports when there are
    several, listing the atoms of all but a unique largest one. Lone atoms are isolated-atom's.

    Why it matters: a dimer or cluster is often intended (info level), but a molecule
    broken by a bad edit or a unit error also falls apart into fragments.

    Example: the s22 water dimer gives two fragments of 3 atoms (all 6 flagged: a tie).

    Fix: nothing, if intended; else rebuild the molecule.
    """
    if True in frame.pbc.tolist() or len(frame) < 4:
        return
    n = len(frame)
    ncomp, labels = components(frame)  # shared with vdw-contact
    if ncomp < 2:  # one piece: no two fragments
        return
    if n <= 256:  # a molecule: decided and reported without numpy
        labs = labels.tolist()
        count = [0] * ncomp
        for lab in labs:
            count[lab] += 1
        multi = [c for c in range(ncomp) if count[c] >= 2]
        if len(multi) < 2:
            return
        top = max(count[c] for c in multi)
        big = [c for c in multi if count[c] == top]
        drop = set(multi) - (set(big) if len(big) == 1 else set())  # a tie flags all
        yield Hit(tuple(a for a, lab in enumerate(labs) if lab in drop),
                  f"{len(multi)} disconnected fragments of sizes "
                  f"{', '.join(str(s) for s in sorted((count[c] for c in multi), reverse=True))}",
                  float(len(multi)), 1.0, "fragments")
        return
    sizes = np.bincount(labels, minlength=ncomp)
    multi = np.flatnonzero(sizes >= 2)
    if len(multi) < 2:
        return
    # flag every fragment but a unique largest one (a tie flags all: no order dependence)
    big = multi[sizes[multi] == sizes[multi].max()]
    keep = big if len(big) == 1 else np.zeros(0, int)
    others = np.flatnonzero(np.isin(labels, multi) & ~np.isin(labels, keep))
    yield Hit(tuple(int(a) for a in others),
              f"{len(multi)} disconnected fragments of sizes "
              f"{', '.join(str(int(s)) for s in sorted(sizes[multi], reverse=True))}",
              float(len(multi)), 1.0, "fragments")


_COORD: tuple | None = None


def _coordination_lists():
    """``tables.coordination_table()`` (from a cached file, so constant) and as lists, once."""
    global _COORD
    if _COORD is None:
        from ...tables import coordination_table

        maxn, nonmetal = coordination_table()
        _COORD = (maxn, nonmetal, maxn.tolist(), nonmetal.tolist())
    return _COORD


@rule("SC105", "over-coordinated", "geometry", "error",
      "More bonded non-metal neighbours than the element can have.")
def over_coordinated(frame: Frame):
    """More bonded neighbours than the element allows (H with two, C with five, ...).

    What it does: counts bonded neighbours (below 1.25 × radii sum, non-metal partners
    only) and compares with the per-element maximum in rules/coordination.toml
    (H 1, C 4, N 4, O 3, F 1, P 6, S 6, ...). Elements without a maximum are skipped.

    Why it matters: such an atom sits inside another atom's bonding shell, a sign of
    overlapping molecules, a wrong cell or a misplaced atom.

    Example: H2O with an extra H 0.9 Å from one of the hydrogens.

    Fix: move or delete the misplaced atom; `structcheck fix` repairs the close contacts
    that usually come with it.
    """
    maxn, nonmetal, maxn_l, nonmetal_l = _coordination_lists()
    b = frame.bonded_pairs
    z = frame.numbers
    n = len(frame)
    if len(b.i) <= 256:  # a molecule: decide "nothing over-coordinated" without numpy calls
        zl = z.tolist()
        # the non-metal partners are at most all partners: no atom beyond its limit in those, done
        if not any(0 <= maxn_l[a] < c for a, c in zip(zl, frame.coordination.tolist())):
            return
        cnt = [0] * n
        for i, j in zip(b.i.tolist(), b.j.tolist()):
            if nonmetal_l[zl[j]]:
                cnt[i] += 1
            if nonmetal_l[zl[i]]:
                cnt[j] += 1
        if not any(0 <= maxn_l[zl[a]] < cnt[a] for a in range(n)):
            return
    if nonmetal[frame.species].all():  # every partner a non-metal: the coordination numbers
        count = frame.coordination.astype(int)
    else:
        count = (np.bincount(b.i, weights=nonmetal[z[b.j]], minlength=n)
                 + np.bincount(b.j, weights=nonmetal[z[b.i]], minlength=n)).astype(int)
    lim = maxn[z]
    bad = np.flatnonzero((lim >= 0) & (count > lim))
    if len(bad):  # multi-centre bonding (bridging H, electron-deficient clusters) explains some
        from ..chemistry import multicentre_allowed

        bad = bad[~multicentre_allowed(frame, bad, count[bad])]
    if len(bad):  # cation-cation contacts across a shared polyhedron edge are not bonds
        bad = _without_cation_contacts(frame, bad, count, lim)
    if len(bad) == 0:
        return
    # the flagged atoms' non-metal partners, picked with masks (a Python loop over every
    # bonded pair cost ~1 s per million atoms)
    flagged = np.zeros(n, dtype=bool)
    flagged[bad] = True
    mi = flagged[b.i] & nonmetal[z[b.j]]
    mj = flagged[b.j] & nonmetal[z[b.i]]
    partners: dict[int, list[int]] = {int(a): [] for a in bad}
    for a, k in zip(np.concatenate([b.i[mi], b.j[mj]]).tolist(), np.concatenate([b.j[mi], b.i[mj]]).tolist()):
        partners[a].append(k)
    for a in bad:
        nb = sorted(set(partners[int(a)]))
        yield Hit((int(a), *nb), f"{_sym(z[a])}{a} has {count[a]} bonded neighbours "
                  f"({', '.join(_sym(z[k]) + str(k) for k in nb)}); at most {lim[a]}",
                  float(count[a]), float(lim[a]), "neighbours")


def _without_cation_contacts(frame: Frame, bad: np.ndarray, count: np.ndarray, lim: np.ndarray) -> np.ndarray:
    """``bad`` less the atoms within their limit once cation-cation contacts are not counted:
    a partner j of a that is no anion, farther than ``cation_contact_min_ratio`` x the radii
    sum, with a and j each bonded to an anion closer than j (Si...Si 2.67 Å across the shared
    O-O edge of stishovite's SiO6 octahedra; rules/chemistry.toml [cation_contact])."""
    from ..chemistry import table

    t = table()["cation_contact"]
    z = frame.numbers
    b = frame.bonded_pairs
    _, nonmetal, _, _ = _coordination_lists()
    anion = np.zeros(119, bool)
    anion[[chemical_symbols.index(s) for s in t["anions"]]] = True
    if not anion[frame.species].any():  # no anion: no atom has a bond to one, so no contact
        return bad
    n = len(frame)
    # only pairs at a flagged atom can change its count; their ends' shortest anion bonds need
    # every pair at those ends (a subset: the whole bond list of a 1e6-atom frame cost ~0.1 s)
    flag = np.zeros(n, bool)
    flag[bad] = True
    at_bad = flag[b.i] | flag[b.j]
    ends = np.zeros(n, bool)
    ends[b.i[at_bad]] = True
    ends[b.j[at_bad]] = True
    keep = ends[b.i] | ends[b.j]
    bi, bj, bd = b.i[keep], b.j[keep], b.d[keep]
    at_bad = at_bad[keep]
    zi, zj = z[bi], z[bj]
    r = np.asarray(covalent_radii)
    # each end's shortest bond to an anion
    near = np.full(n, np.inf)
    ai, aj = anion[zj], anion[zi]
    np.minimum.at(near, bi[ai], bd[ai])
    np.minimum.at(near, bj[aj], bd[aj])
    long_ = bd >= t["min_ratio"] * (r[zi] + r[zj])
    contact = at_bad & long_ & ~anion[zi] & ~anion[zj] & (near[bi] < bd) & (near[bj] < bd)
    contact &= nonmetal[zi] & nonmetal[zj]
    if not contact.any():
        return bad
    less = (np.bincount(bi[contact], minlength=n) + np.bincount(bj[contact], minlength=n))
    return bad[count[bad] - less[bad] > lim[bad]]
