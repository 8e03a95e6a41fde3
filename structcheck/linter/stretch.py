"""Stretched and compressed bonds for bond-length (SC107): pairs of atoms that are both short
of their valence and sit far inside their van der Waals contact (the bond between them is
stretched or broken), and bonds shorter than any single bond at centres that can only have
single bonds (hydrogen, four-coordinate carbon).

Bond numbers are Pauling's (chemistry.bond_numbers); valences and factors are in
rules/chemistry.toml [bond_length]. Molecules go through plain Python (small_graph), larger
structures through numpy, with candidates filtered by coordination first so that a
saturated crystal costs one comparison per atom.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
from ase.data import atomic_numbers

from .chemistry import (_d1_rows, bond_numbers, components, frame_charge, nonmetal_list, nonmetal_mask,
                        single_bond_matrix, small_bond_numbers, small_graph, small_pairs, table, vdw_radii)


@lru_cache(maxsize=1)
def _valence() -> tuple[list, np.ndarray]:
    v = np.zeros(119)
    for sym, n in table()["bond_length"]["valence"].items():
        v[atomic_numbers[sym]] = float(n)
    return v.tolist(), v


def _declared(frame) -> bool:
    from .checks.composition import declared_spin
    q = frame_charge(frame)
    return q != 0 or declared_spin(frame.atoms)


def _candidates_small(frame):
    """(atoms short of their valence, their valence sums) for a small_graph frame."""
    z, nb = small_graph(frame)
    vl, _ = _valence()
    cand = [a for a, lst in enumerate(nb) if len(lst) < vl[z[a]]]
    if len(cand) < 2:
        return [], {}
    nml = nonmetal_list()
    short = table()["bond_length"]["pairs"]["valence_deficit"]
    cand = [a for a in cand if all(nml[z[j]] for j, _ in nb[a])]
    if len(cand) < 2:
        return [], {}
    # the bond-valence sums of these atoms only (not every bond's number: most molecules have none)
    memo = frame.__dict__.get("_small_bn")
    if memo is not None:
        sums = {a: sum(memo[k] for _, k in nb[a]) for a in cand}
    else:
        d = bond_lists(frame)[2]
        d1 = _d1_rows()
        c = table()["bond_valence"]["pauling_c"]
        sums = {a: sum(10.0 ** ((d1[z[a]][z[j]] - d[k]) / c) for j, k in nb[a]) for a in cand}
    cand = [a for a in cand if sums[a] <= vl[z[a]] - short]
    return cand, sums


def _candidates_big(frame):
    z = frame.numbers
    _, v = _valence()
    coord = frame.coordination
    m = (v[z] > 0) & (coord < v[z])
    if not m.any():
        return [], {}
    b = frame.bonded_pairs
    nm = nonmetal_mask()
    n = len(frame)
    if not nm[frame.species].all():  # no metal in the frame: no atom has a metal partner
        metal = np.bincount(b.i, weights=~nm[z[b.j]], minlength=n) + np.bincount(b.j, weights=~nm[z[b.i]], minlength=n)
        m &= metal == 0
    if np.count_nonzero(m) < 2 or np.count_nonzero(m) > max(64, n // 10):
        return [], {}  # none, or a whole structure without its hydrogens (missing-hydrogen's)
    sel = m[b.i] | m[b.j]
    s = bond_numbers(frame)[sel]
    sums = np.bincount(b.i[sel], weights=s, minlength=n) + np.bincount(b.j[sel], weights=s, minlength=n)
    cand = np.flatnonzero(m & (sums <= v[z] - table()["bond_length"]["pairs"]["valence_deficit"]))
    return cand.tolist(), {int(a): float(sums[a]) for a in cand}


def stretched_pairs(frame) -> list:
    """[(i, j, d, limit, sum_i, sum_j)]: in a structure of two or more pieces (bond-graph
    components), two atoms both short of their valence by at least
    valence_deficit, each the other's unique nearest such atom, with no common bonded
    neighbour, closer than contact_factor x their van der Waals radii sum, and not joined
    by a bond of normal length (a bonded pair is left to the longest-bond limits)."""
    if len(frame) < 2:
        return []
    sg = small_graph(frame)
    if sg is None:  # a big frame: its candidates cost less than its components (a crystal has none)
        cand, sums = _candidates_big(frame)
        if len(cand) < 2:
            return []
    if components(frame)[0] < 2:
        return []  # a broken bond leaves two pieces (or a lone atom): one piece, no broken bond
    if sg is not None:
        cand, sums = _candidates_small(frame)
    if len(cand) < 2 or _declared(frame):
        return []
    idx = np.asarray(cand)
    z = frame.numbers[idx]
    rv = vdw_radii()
    f = table()["bond_length"]["pairs"]["contact_factor"]
    from ..neighbors import half_pairs

    p = half_pairs(frame.positions[idx], frame.cell, frame.pbc, f * 2 * float(rv[z].max()))
    keep = p.i != p.j
    pi, pj, pd = p.i[keep], p.j[keep], p.d[keep]
    lim = f * (rv[z[pi]] + rv[z[pj]])
    ok = pd < lim
    if not ok.any():
        return []
    # each atom's nearest candidate partner (relative to the limit) must be unique: several at
    # the same distance are a metallic or multi-centre environment (atomic hydrogen), not a bond
    rel = pd / lim
    best = {}
    for k in np.argsort(rel, kind="stable").tolist():
        for a in (int(pi[k]), int(pj[k])):
            best.setdefault(a, []).append(rel[k])
    nbr = neighbour_sets(frame)
    out = []
    for k in np.flatnonzero(ok).tolist():
        a, c = int(pi[k]), int(pj[k])
        if any(len(best[x]) > 1 and best[x][1] < table()["bond_length"]["pairs"]["unique_ratio"] * best[x][0]
               or best[x][0] != rel[k] for x in (a, c)):
            continue
        i, j = int(idx[a]), int(idx[c])
        if nbr(i) & nbr(j):
            continue  # a 1-3 pair
        if j in nbr(i) and not _longer_than_known(frame, i, j, float(pd[k])):
            continue
        out.append((min(i, j), max(i, j), float(pd[k]), float(lim[k]), sums[min(i, j)], sums[max(i, j)]))
    return out


def _longer_than_known(frame, i: int, j: int, d: float) -> bool:
    from ..tables import zone_tables

    lo = zone_tables()[0]
    zi, zj = int(frame.numbers[i]), int(frame.numbers[j])
    return bool(lo[zi, zj]) and d > lo[zi, zj]


def bond_lists(frame) -> tuple[list, list, list]:
    """(i, j, d) of the bonded pairs as lists, memoised: what the plain-Python (small_graph)
    paths of bond-length and bond-angle read."""
    memo = frame.__dict__
    if "_bond_lists" not in memo:
        b = frame.bonded_pairs
        memo["_bond_lists"] = (*small_pairs(frame), b.d.tolist())
    return memo["_bond_lists"]


def one_partner(frame) -> list:
    """[(atom, its partner, bonded-pair index)] of the atoms with exactly one bonded partner, in
    atom order, memoised (small_graph frames): the one pass over the atoms that bond-length's
    H-stretch and terminal-atom checks share."""
    memo = frame.__dict__
    got = memo.get("_one_partner")
    if got is None:
        got = memo["_one_partner"] = [(a, *lst[0]) for a, lst in enumerate(small_graph(frame)[1]) if len(lst) == 1]
    return got


def neighbour_sets(frame):
    """a -> the set of atoms bonded to a (lazily, per atom; the small graph when there is one)."""
    sg = small_graph(frame)
    if sg is not None:
        nb = sg[1]
        return lambda a: {j for j, _ in nb[a]}
    b = frame.bonded_pairs  # a big frame: every atom's partners by one sort (a scan per atom was O(n^2))
    cache: dict[int, set] = {}
    csr: list = []  # (bond ends sorted by atom, the partner at each), built on first use

    def of(a: int) -> set:
        if a not in cache:
            if not csr:
                ends = np.concatenate([b.i, b.j])
                order = np.argsort(ends, kind="stable")
                csr.extend((ends[order], np.concatenate([b.j, b.i])[order]))
            lo, hi = np.searchsorted(csr[0], [a, a + 1]).tolist()
            cache[a] = set(csr[1][lo:hi].tolist())
        return cache[a]

    return of


@lru_cache(maxsize=1)
def _short_limits() -> tuple[float, list, np.ndarray]:
    """(shift, per element pair the compressed-bond limit D1 - c log10(n_max) as rows of lists,
    the same as an array); 0 where a pair is not two non-metals with an H or a C."""
    nmax = float(table()["bond_length"]["compressed"]["max_single_bond_number"])
    shift = table()["bond_valence"]["pauling_c"] * math.log10(nmax)
    nm = nonmetal_mask()
    lim = single_bond_matrix() - shift
    z = np.arange(119)
    hc = (z == 1) | (z == 6)
    ok = nm[:, None] & nm[None, :] & (hc[:, None] | hc[None, :])
    lim = np.where(ok, lim, 0.0)
    return shift, lim.tolist(), lim


def compressed_bonds(frame) -> list:
    """[(centre, partner, d, limit)]: a bond of a hydrogen, or of a carbon with four non-metal
    partners, shorter than a single bond can be (Pauling bond number above
    max_single_bond_number: d < D1 - c log10(n_max)) but not a close contact."""
    _, rows, arr = _short_limits()
    b = frame.bonded_pairs
    sg = small_graph(frame)
    cc = frame.t.close_contact  # closer still is close-contact's (an error)
    out = []
    if sg is not None:
        z, nb = sg
        nml = nonmetal_list()
        for i, j, d in zip(*bond_lists(frame)):
            lim = rows[z[i]][z[j]]
            if d >= lim or d < cc[z[i], z[j]]:
                continue
            for a, o in ((i, j), (j, i)):  # the single-bonded centre: H, or C with four non-metal partners
                if z[a] == 1 or (z[a] == 6 and len(nb[a]) == 4 and all(nml[z[x]] for x, _ in nb[a])):
                    out.append((a, o, d, lim))
                    break
        return _without_contacts(frame, out)
    if 1 not in frame.species_key:
        return out
    z = frame.numbers
    lim = arr[z[b.i], z[b.j]]
    short = np.flatnonzero((b.d < lim) & (b.d >= cc[z[b.i], z[b.j]]) & ((z[b.i] == 1) | (z[b.j] == 1)))
    for k in short.tolist():
        out.append((int(b.i[k]), int(b.j[k]), float(b.d[k]), float(lim[k])))
    return _without_contacts(frame, out)


def _without_contacts(frame, out: list) -> list:
    """Drop the bonds of atoms that are in a close contact: the crowding is close-contact's
    finding (an error), which ``fix`` repairs together with the bond."""
    if not out:
        return out
    crowded = crowded_atoms(frame)
    return [x for x in out if x[0] not in crowded and x[1] not in crowded]


def crowded_atoms(frame) -> set:
    """The atoms in a close contact (memoised): their bonds and angles are close-contact's."""
    memo = frame.__dict__
    if "_crowded" not in memo:
        p = frame.pairs
        m = p.d < frame.pair_threshold("close_contact")
        memo["_crowded"] = set(p.i[m].tolist()) | set(p.j[m].tolist()) if m.any() else set()
    return memo["_crowded"]


def shortest_single_bond(zi: np.ndarray, zj: np.ndarray) -> np.ndarray:
    """Per pair: the shortest length compressed-bond accepts for a bond to hydrogen between
    non-metals (D1 - c log10(n_max)), 0 for other pairs (for the repair's lower bounds)."""
    lim = _short_limits()[2][zi, zj]
    return np.where((zi == 1) | (zj == 1), lim, 0.0)


def lone_hydrogens(frame) -> list:
    """[(h, x, d, limit)]: a hydrogen (or a halogen, see lone_x_factor) with no bonded partner
    whose nearest atom x is a non-metal
    inside lone_h_factor x their van der Waals radii sum, the next non-metal at least
    unique_ratio x farther (relative to its own sum), and no metal nearer (a hydride or an
    adsorbed H has metal neighbours): the X-H bond is stretched or broken, whatever the
    partner's remaining bond valence (an aromatic N keeps a sum near 3 without its H).
    Skipped when a charge is declared (hydride ions); with a declared spin (an H atom beside a
    radical may be meant) only inside lone_h_factor_spin."""
    if not frame.lone_count:
        return []
    sg = small_graph(frame)
    if sg is not None:
        z, nb = sg
        lone = [a for a, lst in enumerate(nb) if not lst and z[a] in _MONO]
    else:
        if _MONO.isdisjoint(frame.species_key):
            return []
        lone = np.flatnonzero(np.isin(frame.numbers, list(_MONO)) & (frame.coordination == 0)).tolist()
    if not lone or len(lone) == len(frame) or len(lone) > 64 or _charged(frame):
        return []
    t = table()["bond_length"]["pairs"]
    # a declared spin: an H atom beside a radical may be meant, but not this close
    factor = t["lone_h_factor_spin"] if _declared(frame) else t["lone_h_factor"]
    rv = vdw_radii()
    zz = frame.numbers
    # the search isolated-atom's contact test runs for the same lone atoms (shared, memoised)
    p = frame.pairs_up_to(table()["isolated"]["contact_factor"] * 2 * float(rv[frame.species].max()))
    is_lone = np.zeros(len(frame), bool)
    is_lone[lone] = True
    m = (is_lone[p.i] | is_lone[p.j]) & (p.i != p.j)
    if not m.any():
        return []
    pi, pj, pd = p.i[m], p.j[m], p.d[m]
    nm = nonmetal_mask()
    noble = np.isin(zz, (2, 10, 18, 36, 54, 86))
    near: dict[int, list] = {}
    for i, j, d in zip(pi.tolist(), pj.tolist(), pd.tolist()):
        for h, x in ((i, j), (j, i)):
            if is_lone[h]:
                near.setdefault(h, []).append((d / (rv[zz[h]] + rv[zz[x]]), d, x))
    out = []
    for h, lst in near.items():
        lst.sort()
        if not nm[zz[lst[0][2]]]:
            continue  # a metal is nearest: a hydride or an adsorbed H
        f = factor
        if zz[h] != 1:  # a halogen: a halide's nearest is an H-bond donor's H; an atom only inside lone_x_factor
            if zz[lst[0][2]] == 1:
                continue
            f = t["lone_x_factor"]
        cand = [e for e in lst if nm[zz[e[2]]] and not noble[e[2]]]
        if not cand or cand[0][0] >= f:
            continue
        if len(cand) > 1 and cand[1][0] < t["unique_ratio"] * cand[0][0]:
            continue  # several equidistant partners: a cage centre or atomic hydrogen, not a bond
        _, d, x = cand[0]
        out.append((h, x, d, f * (rv[zz[h]] + rv[zz[x]])))
    return out


_MONO = {1, 9, 17, 35, 53}  # H and the halogens: one bond, or none as an ion


def terminal_underbonded(frame) -> list:
    """[(t, p, d, n, need)]: a terminal lone-pair atom t (groups 15-17; one bonded partner p, a
    non-metal that is neither H nor a noble gas) whose one bond's Pauling number n is below
    need ([bond_length.terminal]: 0.6, halogens 0.25): a bond stretched far beyond any of its
    kind (C=O at 1.59 Å, S=O at 1.92, Si-F at 2.06), still inside the bonding range. Halogens
    are not judged when a charge is declared (trihalides, SN2 transition states)."""
    if _terminal_z().isdisjoint(frame.species_key):
        return []
    sg = small_graph(frame)
    vl, vz = _terminal_valence()
    if sg is not None:
        z, nb = sg
        d = bond_lists(frame)[2]
        reach = _terminal_reach()  # the bond numbers only of bonds long enough to fall short
        cand = [(a, j, k) for a, j, k in one_partner(frame) if vl[z[a]] > 0 and d[k] > reach[z[a]][z[j]]]
        if not cand:
            return []
        bn = small_bond_numbers(frame)
        rows = [(a, p, d[k], bn[k]) for a, p, k in cand]
    else:
        zz = frame.numbers
        m = (frame.coordination == 1) & (vz[zz] > 0)
        if not m.any():
            return []
        b = frame.bonded_pairs
        s = bond_numbers(frame)
        rows = []
        for k in np.flatnonzero(m[b.i] | m[b.j]).tolist():
            i, j = int(b.i[k]), int(b.j[k])
            for a, p in ((i, j), (j, i)):
                if m[a]:
                    rows.append((a, p, float(b.d[k]), float(s[k])))
        z = zz.tolist()
    t = table()["bond_length"]["terminal"]
    nml = nonmetal_list()
    halogen = (9, 17, 35, 53)
    out = []
    for a, p, d, n in rows:
        if z[p] == 1 or not nml[z[p]] or z[p] in (2, 10, 18, 36, 54, 86):
            continue
        need = t["halogen_min_bond_number"] if z[a] in halogen else t["min_bond_number"]
        if n < need:
            out.append((a, p, d, n, need))
    if out and _charged(frame):  # halide ions and SN2 leaving groups: only O, N, S ... judged
        return [r for r in out if z[r[0]] not in halogen]
    return out


@lru_cache(maxsize=1)
def _terminal_valence() -> tuple[list, np.ndarray]:
    """[bond_length.valence] of the elements [bond_length.terminal] judges, 0 elsewhere."""
    v = np.zeros(119)
    val = table()["bond_length"]["valence"]
    for sym in table()["bond_length"]["terminal"]["elements"]:
        v[atomic_numbers[sym]] = float(val[sym])
    return v.tolist(), v


@lru_cache(maxsize=1)
def _terminal_reach() -> list:
    """Per (terminal element, partner) as rows of lists: the length below which the bond's Pauling
    number 10**((D1 - d) / c) is at least the [bond_length.terminal] minimum (d < D1 - c log10(need)),
    less 1e-6 Å (far beyond any rounding of the power): a shorter bond is never under-bonded."""
    t = table()["bond_length"]["terminal"]
    c = table()["bond_valence"]["pauling_c"]
    d1 = _d1_rows()
    rows = [[-math.inf] * 119 for _ in range(119)]
    for a in _terminal_z():
        need = t["halogen_min_bond_number"] if a in (9, 17, 35, 53) else t["min_bond_number"]
        rows[a] = [x - c * math.log10(need) - 1e-6 for x in d1[a]]
    return rows


@lru_cache(maxsize=1)
def _terminal_z() -> frozenset:
    """The elements [bond_length.terminal] judges."""
    return frozenset(atomic_numbers[s] for s in table()["bond_length"]["terminal"]["elements"])


def _charged(frame) -> bool:
    return frame_charge(frame) != 0


def bond_orders_allowed(frame, zl: list, bi: list, bj: list) -> list:
    """Per bonded pair of a small_graph frame: the highest order its length allows (3 where the
    Pauling bond number 10**((D1 - d) / c) reaches [bond_valence] triple, 2 where it reaches
    double, else 1). From the bond numbers where they are computed already, else from the
    lengths at which the number reaches each threshold (``_order_lengths``): a bond within
    1e-6 Å of one gets its number computed, the same expression as small_bond_numbers."""
    bv = table()["bond_valence"]
    dbl, tri = bv["double"], bv["triple"]
    bn = frame.__dict__.get("_small_bn")
    if bn is not None:
        return [3 if sv >= tri else 2 if sv >= dbl else 1 for sv in bn]
    l2, l3, d1, c = _order_lengths()
    out = []
    for i, j, x in zip(bi, bj, bond_lists(frame)[2]):
        a, b = zl[i], zl[j]
        p2 = l2[a][b]
        if x > p2 + 1e-6:
            out.append(1)
            continue
        p3 = l3[a][b]
        if p3 + 1e-6 < x < p2 - 1e-6:
            out.append(2)
        elif x < p3 - 1e-6:
            out.append(3)
        else:  # near a threshold (or no D1): the number itself
            sv = 10.0 ** ((d1[a][b] - x) / c)
            out.append(3 if sv >= tri else 2 if sv >= dbl else 1)
    return out


@lru_cache(maxsize=1)
def _order_lengths() -> tuple[list, list, list, float]:
    """(per element pair as rows of lists: the length below which the Pauling bond number exceeds
    the double threshold, D1 - c log10(double); the same for triple; D1; c)."""
    bv = table()["bond_valence"]
    c = bv["pauling_c"]
    d1 = single_bond_matrix()
    return (d1 - c * math.log10(bv["double"])).tolist(), (d1 - c * math.log10(bv["triple"])).tolist(), \
        d1.tolist(), c
