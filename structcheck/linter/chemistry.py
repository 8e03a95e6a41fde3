"""Chemistry shared by the rules: bond numbers, electron counts, van der Waals radii,
molecules (connected components) and their periodicity, cached per frame.

Hand-written: the bond-number (Pauling) and electron-deficiency bookkeeping that the
rules need per bonded pair of one neighbour list; RDKit/pymatgen have it per molecule
object and would be heavy imports on the lint path. Everything here is vectorised over
the frame's bonded pairs; results are memoised in the frame's ``__dict__``.
"""

from __future__ import annotations

from functools import lru_cache
from operator import le

import numpy as np
from ase.data import atomic_numbers, covalent_radii

from .periodicity import connected_components as _components

# valence electrons of the s/p-block elements (group number; 0 for d/f-block)
_GROUP_E = np.zeros(119, dtype=float)
for _z, _e in {1: 1, 2: 2, 3: 1, 4: 2, 5: 3, 6: 4, 7: 5, 8: 6, 9: 7, 10: 8, 11: 1, 12: 2, 13: 3, 14: 4,
               15: 5, 16: 6, 17: 7, 18: 8, 19: 1, 20: 2, 31: 3, 32: 4, 33: 5, 34: 6, 35: 7, 36: 8,
               37: 1, 38: 2, 49: 3, 50: 4, 51: 5, 52: 6, 53: 7, 54: 8, 55: 1, 56: 2, 81: 3, 82: 4,
               83: 5, 84: 6, 85: 7, 86: 8}.items():
    _GROUP_E[_z] = _e

# d- and f-block (transition metals, lanthanides, actinides)
TRANSITION = np.zeros(119, dtype=bool)
TRANSITION[list(range(21, 31)) + list(range(39, 49)) + list(range(57, 81)) + list(range(89, 113))] = True


@lru_cache(maxsize=1)
def table() -> dict:
    from ..tables import load_toml

    return load_toml("chemistry.toml")


@lru_cache(maxsize=1)
def single_bond_matrix() -> np.ndarray:
    """D(1) per element pair: Cordero radii sum, measured single bonds where it is far off."""
    r = np.asarray(covalent_radii, dtype=float)
    d1 = r[:, None] + r[None, :]
    for key, val in table()["single_bond"].items():
        a, b = (atomic_numbers[s.strip()] for s in key.split("-"))
        d1[a, b] = d1[b, a] = float(val)
    return d1


@lru_cache(maxsize=1)
def vdw_radii() -> np.ndarray:
    """Alvarez 2013 van der Waals radii (ase.data.vdw_alvarez); 2.0 Å where unknown."""
    from ase.data.vdw_alvarez import vdw_radii as alvarez

    r = np.full(119, 2.0)
    a = np.asarray(alvarez, dtype=float)
    r[: len(a)] = np.where(np.isfinite(a), a, 2.0)
    return r


@lru_cache(maxsize=1)
def nonmetal_mask() -> np.ndarray:
    from ..tables import coordination_table

    return coordination_table()[1]


def bond_numbers(frame, pairs=None) -> np.ndarray:
    """Pauling bond number n = 10 ** ((D1 - d) / c) of each pair (default: the bonded pairs)."""
    if pairs is None:
        memo = frame.__dict__
        if "_bond_numbers" not in memo:
            memo["_bond_numbers"] = bond_numbers(frame, frame.bonded_pairs)
        return memo["_bond_numbers"]
    z = frame.numbers
    if len(pairs.i) > 256 and len(frame.species_key) == 1:  # one element: one D1 (no gathers)
        d1 = single_bond_matrix()[z[0], z[0]]
    else:
        d1 = single_bond_matrix()[z[pairs.i], z[pairs.j]]
    return 10.0 ** ((d1 - pairs.d) / table()["bond_valence"]["pauling_c"])


def valence_sums(frame, nonmetal_only: bool = True) -> np.ndarray:
    """Per atom: the sum of bond numbers to its (non-metal) bonded partners."""
    key = "_valence_sums" + ("_nm" if nonmetal_only else "")
    memo = frame.__dict__
    if key not in memo:
        b = frame.bonded_pairs
        s = bond_numbers(frame)
        n = len(frame)
        if nonmetal_only:
            nm = nonmetal_mask()
            z = frame.numbers
            memo[key] = (np.bincount(b.i, weights=s * nm[z[b.j]], minlength=n)
                         + np.bincount(b.j, weights=s * nm[z[b.i]], minlength=n))
        else:
            memo[key] = np.bincount(b.i, weights=s, minlength=n) + np.bincount(b.j, weights=s, minlength=n)
    return memo[key]


def components(frame) -> tuple[int, np.ndarray]:
    """(count, label per atom) of the bond graph (periodic bonds included), memoised.

    A big periodic frame: from the pieces joined by bonds inside the cell (``cell_pieces``,
    which the periodic dimensions need anyway) and then the few cell-crossing bonds between
    pieces; the numbering is the same (pieces are numbered by their smallest atom)."""
    memo = frame.__dict__
    if "_components" not in memo:
        b = frame.bonded_pairs
        wrap = _wrap(frame) if len(b.i) > 2000 and True in frame.pbc.tolist() else None
        if wrap is not None and wrap.any():
            npiece, piece = cell_pieces(frame)
            count, lab = _components(npiece, piece[b.i[wrap]], piece[b.j[wrap]])
            memo["_components"] = (count, lab[piece])
        else:
            memo["_components"] = _components(len(frame), b.i, b.j)
    return memo["_components"]


def _wrap(frame) -> np.ndarray:
    """Per bonded pair: does it cross the cell (a nonzero shift)? Memoised."""
    memo = frame.__dict__
    if "_wrap" not in memo:
        s = frame.bonded_pairs.shift  # shift.any(axis=1), column by column (7x faster on (n, 3))
        memo["_wrap"] = (s[:, 0] != 0) | (s[:, 1] != 0) | (s[:, 2] != 0)
    return memo["_wrap"]


def cell_pieces(frame) -> tuple[int, np.ndarray]:
    """(count, label per atom) of the graph of the bonds inside the cell (zero shift), memoised."""
    memo = frame.__dict__
    if "_cell_pieces" not in memo:
        b = frame.bonded_pairs
        zero = ~_wrap(frame)
        memo["_cell_pieces"] = _components(len(frame), b.i[zero], b.j[zero])
    return memo["_cell_pieces"]


def frame_charge(frame) -> float:
    """The declared total charge: ``charge`` (or ``total_charge``) in the frame's info, else
    the configured one (``--charge`` / ``charge=``), else 0; NaN when unparsable."""
    info = frame.info
    for key in ("charge", "total_charge"):
        if key in info:
            try:
                return float(info[key])
            except (TypeError, ValueError):
                return float("nan")
    c = frame.config.charge
    return 0.0 if c is None else float(c)


def electron_deficit(frame, atoms: np.ndarray) -> float:
    """2 x (non-metal bonds) - (valence electrons - charge) over the molecule(s) of ``atoms``."""
    ncomp, labels = components(frame)
    comp = np.zeros(ncomp, bool)
    comp[labels[atoms]] = True
    z = frame.numbers
    member = comp[labels]
    nm = nonmetal_mask()
    b = frame.bonded_pairs
    nb = int((member[b.i] & nm[z[b.i]] & nm[z[b.j]]).sum())
    electrons = float(_GROUP_E[z[member & nm[z]]].sum())
    q = frame_charge(frame)
    if np.isfinite(q) and q > 0:
        electrons -= q
    return 2.0 * nb - electrons


def periodic_dimension(frame, labels: np.ndarray, comp: int) -> int:
    """In how many independent directions component ``comp`` repeats itself through the
    cell (0: a finite molecule, 2: a slab/layer, 3: a framework): the rank of the cell
    offsets of its periodic loops, over the bonds from its atoms. Computed for every
    component of ``labels`` at once (linter/periodicity.py) and memoised per labelling."""
    if not frame.pbc.any():
        return 0
    memo = frame.__dict__.setdefault("_periodic_dims", {})
    got = memo.get(id(labels))
    if got is None or got[0] is not labels:
        from .periodicity import periodic_dimensions

        b = frame.bonded_pairs
        pieces = None
        if labels is frame.__dict__.get("_components", (None, None))[1]:
            pieces = lambda: cell_pieces(frame)  # noqa: E731 - the bond graph's own: shared
        got = memo[id(labels)] = (labels, periodic_dimensions(b.i, b.j, b.shift, labels, _components,
                                                              pieces=pieces, wrap=_wrap(frame)))
    return int(got[1][comp])


@lru_cache(maxsize=1)
def hard_max_neighbours() -> np.ndarray:
    hm = np.full(119, -1, dtype=int)
    for sym, n in table()["hard_max_neighbours"].items():
        hm[atomic_numbers[sym]] = int(n)
    return hm


def multicentre_allowed(frame, atoms: np.ndarray, count: np.ndarray) -> np.ndarray:
    """Per atom of ``atoms`` (each above its classical neighbour limit, ``count`` non-metal
    partners): is the excess explained by multi-centre bonding?

    A hydrogen with two partners, neither a full bond (bridging B-H-B, symmetric O-H-O,
    H3S): yes. An atom whose bridging-hydrogen partners, counted as half a partner each,
    bring it within its classical limit (ice X): yes. Any atom within its hard limit
    (chemistry.toml) in an electron-deficient molecule (fewer electrons than two per bond:
    boranes, carboranes, CH5+, boron): yes.
    """
    mc = table()["multicentre"]
    z = frame.numbers
    b = frame.bonded_pairs
    s = bond_numbers(frame)
    nm = nonmetal_mask()
    ok = np.zeros(len(atoms), bool)
    hard = hard_max_neighbours()
    from ..tables import coordination_table

    maxn = coordination_table()[0]
    _, labels = components(frame)
    # each atom's pairs to non-metal partners, in pair order (one sort, not a scan per atom)
    wanted = np.zeros(len(frame), bool)
    wanted[atoms] = True
    # the pairs' ends at a wanted atom: first as i (pair order), then as j (pair order)
    at_i = np.flatnonzero(wanted[b.i])
    at_i = at_i[nm[z[b.j[at_i]]]]
    at_j = np.flatnonzero(wanted[b.j])
    at_j = at_j[nm[z[b.i[at_j]]] & (b.i[at_j] != b.j[at_j])]
    pair = np.concatenate([at_i, at_j])
    end = np.concatenate([b.i[at_i], b.j[at_j]])
    order = np.lexsort((pair, end))
    pair, owner = pair[order], end[order]
    lo = np.searchsorted(owner, atoms, side="left")
    hi = np.searchsorted(owner, atoms, side="right")
    za = z[atoms]
    for k in np.flatnonzero(((za == 1) | (za == 9)) & (count == 2)).tolist():  # bridging H and F
        sa = s[pair[lo[k]:hi[k]]]
        what = "h" if za[k] == 1 else "f"
        if sa.max() <= mc[f"bridging_{what}_max_bond_number"] and sa.sum() <= mc[f"bridging_{what}_max_sum"]:
            ok[k] = True  # B-H-B, O-H-O; a fluoride bridge (Sb-F-Sb of [Sb2F11]-, Xe-F-Xe of [Xe2F3]+)
    need = ~ok & (za != 1)
    if need.any():
        # a bridging hydrogen is half a partner (a three-centre bond): ice X, where every O
        # has four symmetric O-H-O hydrogens, has two bonds' worth at each O
        bridging = _bridging_h(frame, s, mc)
        other = np.where(b.i[pair] == owner, b.j[pair], b.i[pair])
        run = np.concatenate(([0], np.cumsum(bridging[other])))
        ok |= need & (count - 0.5 * (run[hi] - run[lo]) <= maxn[za])
    rest = np.flatnonzero(~ok & (hard[za] >= count))
    if len(rest):  # within the hard limit in an electron-deficient molecule or network
        deficit, sizes = _deficits(frame, labels)
        c = labels[atoms[rest]]
        dims = {x: periodic_dimension(frame, labels, x) for x in set(c.tolist())}
        net = np.array([dims[x] > 0 for x in c.tolist()], bool)  # per atom: the same in any supercell
        ok[rest] = np.where(net, deficit[c] >= mc["min_network_deficit_per_atom"] * sizes[c],
                            deficit[c] >= mc["min_electron_deficit"])
    return ok


def _bridging_h(frame, s: np.ndarray, mc: dict) -> np.ndarray:
    """Per atom: a hydrogen with two non-metal partners, neither a full bond (see above);
    memoised per frame (over-coordinated and valence both ask)."""
    memo = frame.__dict__
    if "_bridging_h" not in memo:
        memo["_bridging_h"] = _bridging_h_of(frame, s, mc)
    return memo["_bridging_h"]


def _bridging_h_of(frame, s: np.ndarray, mc: dict) -> np.ndarray:
    z = frame.numbers
    n = len(frame)
    if 1 not in frame.species.tolist():
        return np.zeros(n, bool)  # no hydrogen: none bridges
    b = frame.bonded_pairs
    nm = nonmetal_mask()
    w = nm[z[b.i]] & nm[z[b.j]]
    cnt = np.bincount(b.i[w], minlength=n) + np.bincount(b.j[w], minlength=n)
    tot = np.bincount(b.i[w], weights=s[w], minlength=n) + np.bincount(b.j[w], weights=s[w], minlength=n)
    top = np.zeros(n)
    np.maximum.at(top, b.i[w], s[w])
    np.maximum.at(top, b.j[w], s[w])
    return (z == 1) & (cnt == 2) & (top <= mc["bridging_h_max_bond_number"]) & (tot <= mc["bridging_h_max_sum"])


def _deficits(frame, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(``electron_deficit``, atom count) of every component of ``labels`` (components(frame))
    at once; memoised per frame."""
    memo = frame.__dict__
    got = memo.get("_deficits")
    if got is None or got[0] is not labels:
        got = memo["_deficits"] = (labels, _deficits_of(frame, labels), np.bincount(labels))
    return got[1], got[2]


def _deficits_of(frame, labels: np.ndarray) -> np.ndarray:
    z = frame.numbers
    nm = nonmetal_mask()
    b = frame.bonded_pairs
    ncomp = int(labels.max()) + 1
    nb = np.bincount(labels[b.i], weights=nm[z[b.i]] & nm[z[b.j]], minlength=ncomp)
    electrons = np.bincount(labels, weights=_GROUP_E[z] * nm[z], minlength=ncomp)
    q = frame_charge(frame)
    if np.isfinite(q) and q > 0:
        electrons -= q
    return 2.0 * nb - electrons


def in_contact(frame, atoms: np.ndarray) -> np.ndarray:
    """Per atom of ``atoms``: is some other atom closer than contact_factor x the sum of
    their van der Waals radii? (One neighbour search up to the largest such distance, shared
    through ``Frame.pairs_up_to``; an atom's own periodic image does not count.)"""
    if len(atoms) == 0:
        return np.zeros(0, bool)
    if len(atoms) * len(frame) > 2e7:
        return np.zeros(len(atoms), bool)  # too many lone atoms to judge: keep flagging them
    f = table()["isolated"]["contact_factor"]
    rv = vdw_radii()
    z = frame.numbers
    reach = f * 2 * float(rv[frame.species].max())
    wide = frame.__dict__.get("_wide_pairs")
    if len(atoms) <= 64 and len(frame) > 4096 and (wide is None or wide.cutoff < reach):
        from ..neighbors import contacts_of  # a few lone atoms of a big frame: no search of all

        got = contacts_of(frame.positions, np.asarray(frame.cell), frame.pbc, atoms, rv[z], f, reach)
        if got is not None:
            return got
    p = frame.pairs_up_to(reach)
    close = (p.d < f * (rv[z[p.i]] + rv[z[p.j]])) & (p.i != p.j)
    hit = np.zeros(len(frame), bool)
    hit[p.i[close]] = True
    hit[p.j[close]] = True
    return hit[np.asarray(atoms)]


def small_graph(frame):
    """(z list, neighbour lists of (partner, bonded-pair index)) for a frame with at most
    256 bonded pairs (plain Python: numpy's per-call cost exceeds a molecule's work), else None."""
    memo = frame.__dict__
    if "_small_graph" not in memo:
        b = frame.bonded_pairs
        if len(b.i) > 256:
            memo["_small_graph"] = None
        else:
            n = len(frame)
            nb: list[list] = [[] for _ in range(n)]
            bi, bj = memo["_small_pairs"] = b.i.tolist(), b.j.tolist()
            for k, (i, j) in enumerate(zip(bi, bj)):
                nb[i].append((j, k))
                nb[j].append((i, k))
            memo["_small_graph"] = (frame.numbers.tolist(), nb)
    return memo["_small_graph"]


def small_degrees(frame) -> list:
    """Bonded partners per atom of a small_graph frame (a list), memoised."""
    memo = frame.__dict__
    if "_small_degrees" not in memo:
        memo["_small_degrees"] = list(map(len, small_graph(frame)[1]))
    return memo["_small_degrees"]


def small_pairs(frame) -> tuple[list, list]:
    """(i list, j list) of the bonded pairs of a small_graph frame (its pair numbering)."""
    small_graph(frame)
    return frame.__dict__["_small_pairs"]


def small_bond_numbers(frame) -> list:
    """``bond_numbers(frame)`` as a list, computed in plain Python (for small_graph frames)."""
    memo = frame.__dict__
    if "_small_bn" not in memo:
        d1 = _d1_rows()
        c = table()["bond_valence"]["pauling_c"]
        b = frame.bonded_pairs
        sg = memo.get("_small_graph")  # its lists where they are built already (the same numbers)
        bi, bj = memo["_small_pairs"] if "_small_pairs" in memo else (b.i.tolist(), b.j.tolist())
        z = sg[0] if sg is not None else frame.numbers.tolist()
        dl = memo["_bond_lists"][2] if "_bond_lists" in memo else b.d.tolist()
        memo["_small_bn"] = [10.0 ** ((d1[z[i]][z[j]] - d) / c) for i, j, d in zip(bi, bj, dl)]
    return memo["_small_bn"]


@lru_cache(maxsize=1)
def _d1_rows() -> list:
    return single_bond_matrix().tolist()


@lru_cache(maxsize=1)
def neighbour_limits() -> list:
    """Per Z: the classical limit of bonded partners (rules/coordination.toml), 2**30 where
    there is none (a list, for plain-Python checks on molecules)."""
    from ..tables import coordination_table

    return [m if m >= 0 else 1 << 30 for m in coordination_table()[0].tolist()]


NOBLE = np.zeros(119, dtype=bool)  # He, Ne, Ar, Kr, Xe, Rn
NOBLE[[2, 10, 18, 36, 54, 86]] = True


@lru_cache(maxsize=1)
def nonmetal_list() -> list:
    return nonmetal_mask().tolist()


def contact_components(frame) -> tuple[int, np.ndarray]:
    """``components(frame)`` without the bonds an over-coordinated atom cannot have: where an
    atom has more non-metal partners than its classical limit (rules/coordination.toml) and
    multi-centre bonding does not explain it (``multicentre_allowed``), its weakest bonds
    (lowest Pauling bond number) beyond the limit are non-bonded contacts. An H pushed 1.3 Å
    from a ring C while still 1.09 Å from its own C keeps its own C: the two molecules stay
    two, and vdw-contact can name the contact. Memoised; the bond graph itself is unchanged."""
    memo = frame.__dict__
    if "_contact_components" in memo:
        return memo["_contact_components"]
    sg = small_graph(frame)
    if sg is not None and all(map(le, small_degrees(frame), map(neighbour_limits().__getitem__, sg[0]))):
        memo["_contact_components"] = components(frame)  # no atom beyond its limit
        return memo["_contact_components"]
    from ..tables import coordination_table

    maxn, nonmetal = coordination_table()
    b = frame.bonded_pairs
    z = frame.numbers
    n = len(frame)
    if sg is None and not ((maxn[z] >= 0) & (frame.coordination > maxn[z])).any():
        memo["_contact_components"] = components(frame)
        return memo["_contact_components"]
    nmb = nonmetal[z[b.i]] & nonmetal[z[b.j]]
    count = (np.bincount(b.i[nmb], minlength=n) + np.bincount(b.j[nmb], minlength=n)).astype(int)
    bad = np.flatnonzero((maxn[z] >= 0) & (count > maxn[z]))
    if len(bad):
        bad = bad[~multicentre_allowed(frame, bad, count[bad])]
    if not len(bad):
        memo["_contact_components"] = components(frame)
        return memo["_contact_components"]
    s = bond_numbers(frame)
    keep = np.ones(len(b.i), bool)
    for a in bad.tolist():
        mine = np.flatnonzero(((b.i == a) | (b.j == a)) & nmb)
        weakest = mine[np.argsort(s[mine], kind="stable")][: len(mine) - int(maxn[z[a]])]
        keep[weakest] = False
    memo["_contact_components"] = _components(n, b.i[keep], b.j[keep])
    return memo["_contact_components"]
