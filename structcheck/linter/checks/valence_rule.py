"""The valence rule (SC202) over molecules of any size, periodic ones included, and the
report of what it could not judge (valence-not-checked, SC206)."""

from __future__ import annotations

import math
from functools import lru_cache
from operator import le

import numpy as np
from ase.data import atomic_numbers, chemical_symbols

from ..chemistry import (TRANSITION, bond_numbers, frame_charge, neighbour_limits, nonmetal_mask,
                         small_degrees, small_graph, small_pairs, table)
from ..frame import Frame
from ..stretch import bond_orders_allowed
from ..rule import Hit, rule
from . import composition as _comp
from . import valence as _c
from .valence_neutral import _neutral_ok, _without_forced_neutral

# H, C, Si, Ge, Sn: a lone charge there needs a partner. B is not here: four-coordinate borates
# (BF4-, BH4-, B(OH)4-, BPh4-) carry their charge on B alone (Greenwood & Earnshaw, ch. 6)
_NOT_HETERO = frozenset({1, 6, 14, 32, 50})


@lru_cache(maxsize=1)
def _lone_states() -> tuple[dict, int, int]:
    from ...tables import load_toml

    t = load_toml("valences.toml")
    ions = {atomic_numbers[k]: tuple(int(x) for x in v) for k, v in t["lone_ions"].items()
            if not isinstance(v, int)}
    return ions, int(t["lone_ions"]["max_lone_atoms"]), int(t["lone_ions"]["max_charge_candidates"])


@lru_cache(maxsize=1)
def _neutral_sets() -> list:
    """Per Z: the set of neutral valences of a non-metal in the table, else the empty set."""
    nm = nonmetal_mask()
    return [frozenset(e.neutral) - {0} if (e is not None and nm[z]) else frozenset()
            for z, e in enumerate(_c._element_table())]


def _all_neutral(zs: list, degrees: list) -> bool:
    """Is every atom (atomic numbers ``zs``) a table non-metal whose bond count is one of its
    neutral valences (single bonds suffice)? (map over C-level calls: no Python loop per atom)"""
    return all(map(frozenset.__contains__, map(_neutral_sets().__getitem__, zs), degrees))


def _lone_charges(zs_lone: list, u: int):
    """Total charges the lone atoms can carry with all electrons paired (plus neutral
    atoms when a spin is declared), or None for any charge."""
    ions, _, _ = _lone_states()
    sums = {0}
    for z in zs_lone:
        states = set(ions.get(z, ()))
        if z not in ions:
            return None
        if u > 0 or 0 in states:
            states.add(0)
        if not states:
            return None
        sums = {a + b for a in sums for b in states}
        if len(sums) > 64:
            return None
    return sums


def _skip(frame, atoms, reason):
    frame.__dict__.setdefault("_valence_not_checked", []).append((tuple(int(a) for a in atoms), reason))


@rule("SC202", "valence", "composition", "warning",
      "No assignment of bond orders gives every atom of a molecule a standard valence.")
def valence(frame: Frame, max_atoms: int | None = None, max_nodes: int | None = None):
    """No bond-order assignment gives every atom a standard valence.

    What it does: perceives bonds between non-metals (bonded below 1.25 × covalent radii
    sum, as every geometry rule; bonds to metals are not valence bonds) and searches, per
    molecule (connected component, periodic structures included), for bond orders 1–3
    such that each atom's bond-order sum is one of its standard valences from
    rules/valences.toml (H 1, B 3, C 4 or 2, N 3, O 2, halogens 1, S 2/4/6, P 3/5, and
    the hypervalent anions: P⁻ 6 for PF6⁻, I⁻ 2/8 for I3⁻ and IF8⁻, Si²⁻ 6, ...). A bond
    may only take an order its length allows (Pauling bond number ≥ 1.25 for a double,
    ≥ 2.2 for a triple bond; rules/chemistry.toml): ethane minus two H with C–C 1.52 Å is
    not a C=C. Formal charges switch an atom to its charged valences (N+ 4, O− 1, ...);
    their sum must equal the declared charge (``charge`` in the extxyz comment,
    ``--charge``, ``charge=``); a charge on C/B/Si/H needs an opposite charge on a bonded
    atom (nitro, CO, O3), on heteroatoms it may be separated (zwitterions, ion pairs).
    Lone atoms and metal atoms are ions with their common charges (Na+, Cl−, O²−, ...;
    [lone_ions]). A declared spin lets as many atoms' valences fall short by one as
    there are unpaired electrons. Not judged, and reported by valence-not-checked (info):
    molecules bonded to a transition metal, multi-centre bonding (bridging H, boranes,
    CH5+), molecules above 200 atoms, elements missing from the table, undecided
    searches (20000 trials; parameters ``max_atoms``, ``max_nodes``). Extended networks
    of a periodic structure (a component that repeats itself through the cell: covalent
    solids, frameworks) are not molecules and are left to missing-hydrogen and
    over-coordinated; molecular crystals and molecules in boxes are judged.

    Why it matters: a missing or extra hydrogen, a wrong element, a bond stretched past
    bonding range or two molecules built into each other all leave atoms with impossible
    valences; the calculation then describes a different, usually radical, species.

    Example: ethane with one H removed (C2H5, no spin declared): C0 has three bonds and
    no double bond can fix it; two OH radicals and an O atom. Nitromethane passes
    (N+ / O− on a bond); CH3 with an initial magnetic moment of 1 passes.

    Fix: add or remove the hydrogen / atom, or declare the state: ``charge=-1`` or
    ``multiplicity=2`` in the extxyz comment (or initial magnetic moments).
    """
    n = len(frame)
    if n < 2 or 0 in frame.species_key:
        return  # unknown elements: unknown-element's
    sg = None if True in frame.pbc.tolist() else small_graph(frame)
    if sg is not None:
        # a molecule: "every atom a bonded non-metal with a neutral valence at single bonds"
        # decided in plain Python (numpy's per-call cost exceeds the molecule's work)
        degrees = small_degrees(frame)
        if _all_neutral(sg[0], degrees) and frame_charge(frame) == 0:
            return
    limits, _ = _c._valence_table()
    max_atoms = limits["max_atoms"] if max_atoms is None else max_atoms
    max_nodes = limits["max_nodes"] if max_nodes is None else max_nodes
    charge = frame_charge(frame)
    if not math.isfinite(charge):
        return
    q = round(charge)
    u = _c.unpaired_electrons(frame.atoms) if _comp.declared_spin(frame.atoms) else 0
    key = _molecule_key(frame, sg[0], degrees, q, u, max_nodes) if sg is not None and n <= max_atoms else None
    if key is None:
        yield from _valence_of(frame, q, u, limits, max_atoms, max_nodes)
        return
    got = _c._VALENCE_MEMO.get(key)
    if got is None:  # the records valence-not-checked shows are part of the answer
        records = frame.__dict__.setdefault("_valence_not_checked", [])
        before = len(records)
        small = _small_graph_of(frame, sg[0], degrees, key[4])
        got = (list(_judge(frame, q, u, *small, limits, max_nodes) if small is not None
                    else _valence_of(frame, q, u, limits, max_atoms, max_nodes)), records[before:])
        del records[before:]  # added below, as for a memoised answer
        _c.memo_put(key, got)
    if got[1]:
        frame.__dict__.setdefault("_valence_not_checked", []).extend(got[1])
    for x in got[0]:
        yield x._replace(data=dict(x.data)) if x.data else x


def _valence_of(frame, q, u, limits, max_atoms, max_nodes):
    """The valence rule on any frame (numpy over its bonded pairs): what is judged, what is
    skipped and why, then ``_judge``."""
    n = len(frame)
    z = frame.numbers
    nm = nonmetal_mask()
    b = frame.bonded_pairs
    species = frame.species
    if not nm[species].any():
        return  # no non-metal: nothing has a valence to judge
    same = b.i == b.j
    if nm[species].all():  # only non-metals (a covalent solid, an organic crystal): no per-pair test
        nmi = nmj = None
        all_nm = True
        keep = ~same
    else:
        nmi, nmj = nm[z[b.i]], nm[z[b.j]]
        all_nm = bool((nmi & nmj).all())  # a covalent solid, an organic crystal: the whole bond graph
        keep = nmi & nmj & ~same
    keep_all = all_nm and bool(keep.all())
    ei, ej = (b.i, b.j) if keep_all else (b.i[keep], b.j[keep])
    degree = frame.coordination if keep_all else np.bincount(ei, minlength=n) + np.bincount(ej, minlength=n)
    table = _c._element_table()
    known = np.array([e is not None for e in table])
    tm = TRANSITION[z]  # per atom
    from ...tables import coordination_table

    maxn = coordination_table()[0]
    # what cannot be judged: bonded to a transition metal, over the classical neighbour
    # limit (multi-centre bonding or over-coordinated's business), unknown elements,
    # a bond to its own periodic image
    seeds = np.zeros(n, bool)
    if TRANSITION[species].any():
        if nmi is None:  # (transition metals are no non-metals: not reached)
            nmi, nmj = nm[z[b.i]], nm[z[b.j]]
        tm_bond = ~keep & (tm[b.i] & nmj | tm[b.j] & nmi)
        seeds[b.i[tm_bond]] = seeds[b.j[tm_bond]] = True
        seeds &= degree > 0  # a lone ion next to a metal (O2- in an oxide) is judged as an ion
    else:
        tm_bond = np.zeros(0, bool)  # no transition metal: no such bond
    unknown = bool((nm & ~known)[species].any())  # a non-metal without a valence entry
    if unknown:
        seeds |= nm[z] & ~known[z]
    mz = maxn[z]
    over = np.flatnonzero((mz >= 0) & (degree > mz))
    if len(over):  # explained by multi-centre bonding: not judged here (else over-coordinated flags it)
        from ..chemistry import multicentre_allowed

        seeds[over[multicentre_allowed(frame, over, degree[over])]] = True
    selfimg = b.i[same if nmi is None else same & nmi]
    seeds[selfimg] = True
    checked = known[z] | tm  # transition metals: ions of any charge
    ok = _neutral_ok()
    lone = checked & (degree == 0)
    if not seeds.any() and q == 0 and u == 0 and not lone.any():
        if ok[z, np.minimum(degree, 16)][degree > 0].all():
            return  # every bonded atom has a neutral valence with single bonds
    periodic = True in frame.pbc.tolist()
    labels = None
    if seeds.any() or n > max_atoms or periodic:
        ncomp, labels = _nm_components(frame, n, ei, ej, all_nm)
        bad_comp = np.zeros(ncomp, bool)
        bad_comp[labels[seeds]] = True
        sizes = np.bincount(labels, minlength=ncomp)
        if periodic:  # an extended network (repeats through the cell) is no molecule: not judged
            from ..chemistry import periodic_dimension

            from ..chemistry import _wrap

            wrap = _wrap(frame) if keep_all else b.shift[keep].any(axis=1)
            network = np.zeros(ncomp, bool)
            for c in np.flatnonzero(np.bincount(labels[ei[wrap]], minlength=ncomp)).tolist():
                network[c] = periodic_dimension(frame, labels, c) > 0
            sizes[network] = 0
        else:
            network = np.zeros(ncomp, bool)
        big = (sizes > max_atoms) & ~bad_comp
        skipped = bad_comp[labels]
        if nmi is not None:  # (with only non-metals every atom of a bad molecule is skipped)
            skipped &= (degree > 0) | nm[z]
        if skipped.any():
            why = []
            if tm_bond.any():
                metals = sorted({chemical_symbols[x] for x in z[tm]})
                why.append(f"bonded to a transition metal ({', '.join(metals)}: ligand charges and "
                           "metal–ligand bond orders are not standard valences)")
            if (seeds[over]).any():
                why.append("multi-centre or hypervalent bonding beyond the classical neighbour counts "
                           "(bridging H, boranes, CH5+)")
            if unknown:
                why.append("elements without a valence table entry")
            if len(selfimg):
                why.append("bonded to its own periodic image (cell smaller than the molecule)")
            _skip(frame, np.flatnonzero(skipped), "; ".join(why) or "not judged")
        if big.any():
            _skip(frame, np.flatnonzero(big[labels]), f"molecule(s) of more than {max_atoms} atoms")
        drop = skipped | big[labels] | network[labels]
        checked &= ~drop
        lone &= ~drop
    else:
        drop = np.zeros(n, bool)
    # the graph that is judged
    m = ~drop[ei]
    ei, ej = ei[m], ej[m]
    bonded_atoms = np.flatnonzero(checked & (degree > 0))
    if not len(bonded_atoms) and not lone.any():
        return
    s = (bond_numbers(frame) if keep_all else bond_numbers(frame)[keep])[m]
    bv = table_bv()
    order = np.where(s >= bv["triple"], 3, np.where(s >= bv["double"], 2, 1))
    if labels is not None and q == 0 and u == 0 and len(ei) > 256:
        ei, ej, order, bonded_atoms = _without_forced_neutral(z, degree, labels, ei, ej, order, bonded_atoms)
    idx = bonded_atoms
    pos = np.full(n, -1)
    pos[idx] = np.arange(len(idx))
    emax: dict = {}
    edges = []
    for a, c, o in zip(pos[ei].tolist(), pos[ej].tolist(), order.tolist()):
        e = (min(a, c), max(a, c))
        edges.append(e)
        emax[e] = max(emax.get(e, 1), o)
    yield from _judge(frame, q, u, idx.tolist(), z[idx].tolist(), edges, emax, degree[idx].tolist(),
                      np.flatnonzero(lone).tolist(), z[lone].tolist(), limits, max_nodes,
                      bool(drop.any() or (~nm & ~known & ~TRANSITION)[species].any()))  # + metals of unknown charge (Pb)


def _molecule_key(frame, zl: list, degrees: list, q: int, u: int, max_nodes: int):
    """What the valence rule's answer on a molecule (no cell) is a function of: the atoms, the
    bonded pairs with the orders their lengths allow, charge and spin; None where it also
    depends on bond lengths (a non-metal beyond its classical neighbour limit: multi-centre
    bonding is judged on them). Answers are memoised on it (``_VALENCE_MEMO``, as the
    search itself): the frames of a trajectory or a conformer set are judged once."""
    if not all(map(le, degrees, map(_degree_caps()[1].__getitem__, zl))):
        return None
    bi, bj = small_pairs(frame)
    return "molecule", tuple(zl), tuple(bi), tuple(bj), tuple(bond_orders_allowed(frame, zl, bi, bj)), q, u, \
        max_nodes


def _small_graph_of(frame, zl: list, degrees: list, orders: tuple):
    """``_judge``'s graph of a molecule of known non-metals within their neighbour limits in
    plain Python: (bonded atoms, their Z, local edges, highest order per edge, their degrees,
    lone atoms, their Z); None otherwise (``_valence_of`` decides what is skipped)."""
    if not all(map(le, degrees, map(_degree_caps()[0].__getitem__, zl))):
        return None
    bi, bj = small_pairs(frame)
    if 0 in degrees:  # lone atoms: the bonded ones renumbered in order
        idx = [a for a, d in enumerate(degrees) if d]
        lone = [a for a, d in enumerate(degrees) if not d]
        pos = [-1] * len(zl)
        for k, a in enumerate(idx):
            pos[a] = k
        bi, bj = [pos[i] for i in bi], [pos[j] for j in bj]
    else:
        idx, lone = list(range(len(zl))), []
    edges = list(zip(map(min, bi, bj), map(max, bi, bj)))  # each bond once: no periodic images
    return idx, [zl[a] for a in idx], edges, dict(zip(edges, orders)), [degrees[a] for a in idx], \
        lone, [zl[a] for a in lone]


@lru_cache(maxsize=1)
def _degree_caps() -> tuple[list, list]:
    """Per Z: the most partners (the classical neighbour limit, 2**30 where there is none)
    (1) of a non-metal, 2**30 for a metal; (0) the same with -1 for a metal or an element
    missing from the valence table (what ``_small_graph_of`` judges)."""
    elems = _c._element_table()
    nm = nonmetal_mask().tolist()
    most = neighbour_limits()
    return ([-1 if not nm[z] or elems[z] is None else m for z, m in enumerate(most)],
            [m if nm[z] else 1 << 30 for z, m in enumerate(most)])


def _judge(frame, q, u, idx, zs, edges, emax, deg, lone_atoms, lone_z, limits, max_nodes, rest_unknown=False):
    """Hits of the judged graph (atoms ``idx``, local edges) with its lone atoms/ions.

    ``rest_unknown``: some molecules were not judged (valence-not-checked: a protein over the size
    limit, a metal complex, a framework); their charge is unknown, so the judged part's total
    charge is free (a Cl⁻ counter-ion of a protein must not put +1 on every water)."""
    if q == 0 and u == 0 and _all_neutral(zs, deg):
        sums = _lone_charges(lone_z, 0) if len(lone_z) <= _lone_states()[1] else None
        if sums is None or 0 in sums:
            return
    # lone atoms: the charges they can carry decide what the molecules must carry
    ions, max_lone, max_cand = _lone_states()
    free = rest_unknown
    cands = [q]
    if lone_z and not free:
        sums = _lone_charges(lone_z, u) if len(lone_z) <= max_lone else None
        if sums is None:
            free = True
        else:
            cands = sorted({q - s for s in sums}, key=lambda x: (abs(x - q) if len(sums) > 1 else 0, -x))[:max_cand]
            cands = sorted(cands, key=lambda x: abs(x))
    if not idx:
        if free or 0 in cands:
            return
        yield Hit(tuple(lone_atoms), "no charges of the lone atoms/ions "
                  f"({', '.join(sorted({chemical_symbols[x] for x in lone_z}))}) add up to the declared "
                  f"charge {q}", None, None, None, {"charge": q})
        return
    edges.sort()
    maxo = int(limits["max_bond_order"])
    hits = elems = None
    base = (tuple(idx) if idx[-1] != len(idx) - 1 else len(idx), tuple(zs), tuple(edges),
            tuple(map(emax.__getitem__, edges)), u, maxo, int(max_nodes), free)
    for qq in ([q] if free else cands):
        key = (base, qq)
        h = _c._VALENCE_MEMO.get(key)
        if h is None:
            if elems is None:
                table = _c._element_table()
                elems = [table[x] for x in zs]
                hetero = [x not in _NOT_HETERO for x in zs]
            h = list(_c._valence_hits(len(idx), zs, elems, list(edges), deg, qq, u, maxo, int(max_nodes),
                                      limits, free or None, emax, hetero, idx))
            _c.memo_put(key, h)
        if not h:
            return
        if hits is None:
            hits = h
    if hits and any(x.data.get("undecided") for x in hits if x.data):
        _skip(frame, idx, f"the bond-order search stopped undecided after {max_nodes} trials")
        return
    shift = q - (cands[0] if not free else q)
    for x in hits or ():
        if shift and "at charge" in x.message:
            x = x._replace(message=f"{x.message} (the lone atoms/ions carrying {shift:+d})")
        yield x._replace(atoms=tuple(int(idx[a]) for a in x.atoms), data=dict(x.data) if x.data else None)


@lru_cache(maxsize=1)
def table_bv() -> dict:
    return table()["bond_valence"]


def _nm_components(frame, n, ei, ej, all_nm: bool):
    """Components of the non-metal bond graph; with every bonded pair between non-metals
    that is the frame's bond graph (an atom's bond to its own image joins nothing), so the
    frame's memoised components (and their periodic dimensions) are shared."""
    from ..chemistry import _components, components

    return components(frame) if all_nm else _components(n, ei, ej)


@rule("SC206", "valence-not-checked", "composition", "info",
      "Atoms the valence rule could not judge, and why (never a silent skip).")
def valence_not_checked(frame: Frame):
    """What the valence rule left unjudged, with the reason.

    What it does: reports the atoms of molecules the valence rule skipped: bonded to a
    transition metal (metal–ligand bond orders and ligand charges are not standard
    valences), multi-centre or hypervalent bonding beyond the classical neighbour counts
    (bridging hydrogens, boranes and carboranes, CH5+), molecules above ``max_atoms``,
    elements without a valence entry, or a search stopped undecided. Counted in
    ``--statistics`` like every finding.

    Why it matters: a check that silently does nothing looks like a pass.

    Example: ferrocene (bonded to Fe); diborane (bridging H); a 5,000-atom protein.

    Fix: nothing to fix; judge those parts by other means.
    """
    for atoms, reason in frame.__dict__.get("_valence_not_checked", ()):
        yield Hit(atoms, f"valence not judged for {len(atoms)} atom(s): {reason}", float(len(atoms)), None, "atoms")
