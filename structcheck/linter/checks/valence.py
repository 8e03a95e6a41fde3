"""The valence search behind SC202: bond orders, formal charges and radical deficits that give every
atom a standard valence (the rule itself is valence_rule.py)."""

from __future__ import annotations

from functools import cache, lru_cache
from typing import NamedTuple

import numpy as np
from ase.data import chemical_symbols

from ..rule import Hit


def unpaired_electrons(atoms) -> int:
    """Declared number of unpaired electrons (an upper bound where the key is ambiguous).

    ``multiplicity``/``spin_multiplicity`` M gives M - 1; ``uhf`` (xtb) is the count;
    ``spin`` may be S or M depending on the code, so 2·spin bounds both; a ``magmom`` key
    or initial magnetic moments give round(Σ|m|) (ASE's g2 radicals: 1 per unpaired
    electron). Nothing declared: 0. An unparsable value counts as 2.
    """
    info = atoms.info
    try:
        for key in ("multiplicity", "spin_multiplicity"):
            if key in info:
                return max(round(float(info[key])) - 1, 0)
        if "uhf" in info:
            return max(round(float(info["uhf"])), 0)
        if "spin" in info:
            return round(2 * abs(float(info["spin"])))
        if "magmom" in info:
            return round(abs(float(info["magmom"])))
    except (TypeError, ValueError, OverflowError):
        return 2
    for key in ("initial_magmoms", "magmoms"):
        arr = atoms.arrays.get(key)
        if arr is not None and np.isfinite(arr).all():
            return round(float(np.abs(arr).sum()))
    return 0


class _Undecided(Exception):
    """The search hit its node cap."""


def _span(elems) -> int:
    """Largest |formal charge| of any choice of any atom (SiF6 2-: Si -2), at least 1."""
    return max([1] + [abs(f) for e in elems if e is not None for f, _ in e.choices])


class _ValenceSearch:
    """Depth-first search for bond orders (1..max_order), formal charges (-1, 0, +1)
    and radical deficits so that every atom has one of its standard valences.

    Atom i is satisfied when Σ_j order_ij + deficit_i ∈ valences(element_i, charge_i),
    with Σ charge_i = q (unless ``free_charge``), Σ deficit_i ≤ u, and charges that the
    total does not explain sitting in +/- pairs on bonded atoms (nitro, CO, O3), at most
    ``max_pairs`` of them. Pruning: the bounds on each atom's reachable sum, the charge
    still reachable by the atoms left, and a charge with no opposite neighbour (checked
    as soon as the atom and its neighbours are complete). At most ``max_nodes``
    bond-order trials are made, then it gives up (``_Undecided``).

    ``elems`` holds per atom its element's ``_Element`` (options, valences sorted);
    plain lists and inlined bounds: molecules are small and the search is the hot loop.
    """

    def __init__(self, n, edges, elems, q, u, *, free_charge, max_nodes, max_order, max_pairs,
                 emax=None, hetero=None, span=None):
        self.edges = edges
        self.nedges = len(edges)
        # per bond: the highest order its length allows (chemistry.toml [bond_valence])
        self.emax = emax if emax is not None else [max_order] * len(edges)
        # separated charges on heteroatoms (zwitterions, ion pairs: N+ ... O-) need no
        # opposite neighbour; on C/B/Si/H (carbocation + carbanion) they do
        self.hetero = hetero if hetero is not None else [False] * n
        # largest |formal charge| of any choice (SiF6 2-: Si -2): bounds the charge still reachable
        self.span = span if span is not None else _span(elems)
        self.choices = [e.choices if e is not None else () for e in elems]  # (charge, valence) in table order
        self.allv = [e.allv if e is not None else () for e in elems]  # sorted
        self.neutral = [e.neutral if e is not None else () for e in elems]  # sorted
        self.q, self.u, self.free = q, u, free_charge
        self.max_nodes, self.max_order = max_nodes, max_order
        # bond orders to try, the given one first
        self.orders = [None] + [(o, *[x for x in range(1, max_order + 1) if x != o])
                                for o in range(1, max_order + 1)]
        self.max_pos = max(q, 0) + max_pairs
        self.max_neg = max(-q, 0) + max_pairs
        self.lone_pos = n if free_charge else max(q, 0)  # charges without an opposite neighbour
        self.lone_neg = n if free_charge else max(-q, 0)
        nbr: list[list[int]] = [[] for _ in range(n)]
        for a, b in edges:
            nbr[a].append(b)
            nbr[b].append(a)
        self.nbr = nbr
        self.judged = [(x, *y) for x, y in enumerate(nbr)]  # atom i and its neighbours
        self.s = [0] * n
        self.rem = [len(x) for x in nbr]
        # incomplete atoms among x and its neighbours: x's charge is judged at zero
        self.pending = [len(x) + 1 if x else 0 for x in nbr]
        self.charge = [0] * n
        self.open = sum(1 for r in self.rem if r)
        self.nodes = 0

    def solve(self) -> bool:
        return self._edge(0, 0, 0, 0, 0, 0, 0)

    def _need(self, i) -> int:
        """Bond order atom i still lacks beyond single bonds to reach its nearest neutral valence."""
        base = self.s[i] + self.rem[i]
        for v in self.neutral[i]:
            if v >= base:
                return v - base
        return 0

    def _edge(self, k, qsum, dsum, npos, nneg, lpos, lneg):
        if k == self.nedges:
            return self.free or qsum == self.q
        a, b = self.edges[k]
        s, rem, maxo = self.s, self.rem, self.max_order
        # the order that best fills both atoms first (Kekulé-like greedy), then the others
        em = self.emax[k]
        best = 1 + min(self._need(a), self._need(b), em - 1)
        u_left = self.u - dsum
        allv_a, allv_b = self.allv[a], self.allv[b]
        for order in self.orders[best]:
            if order > em:
                continue
            self.nodes += 1
            if self.nodes > self.max_nodes:
                raise _Undecided
            sa = s[a] = s[a] + order
            sb = s[b] = s[b] + order
            ra = rem[a] = rem[a] - 1
            rb = rem[b] = rem[b] - 1
            # both atoms can still reach a valence: v in [s + rem, s + maxo * rem + u_left]
            lo, hi = sa + ra, sa + maxo * ra + u_left
            ok = False
            for v in allv_a:
                if v >= lo:
                    ok = v <= hi
                    break
            if ok:
                ok = False
                lo, hi = sb + rb, sb + maxo * rb + u_left
                for v in allv_b:
                    if v >= lo:
                        ok = v <= hi
                        break
            if ok:
                if ra == 0:
                    if self._complete(a, b if rb == 0 else -1, k, qsum, dsum, npos, nneg, lpos, lneg):
                        return True
                elif rb == 0:
                    if self._complete(b, -1, k, qsum, dsum, npos, nneg, lpos, lneg):
                        return True
                elif self._edge(k + 1, qsum, dsum, npos, nneg, lpos, lneg):
                    return True
            s[a] = sa - order
            s[b] = sb - order
            rem[a] = ra + 1
            rem[b] = rb + 1
        return False

    def _complete(self, i, rest, k, qsum, dsum, npos, nneg, lpos, lneg):
        """Choose charge and deficit for atom i (then ``rest`` if >= 0), whose bonds are
        all assigned, then go on."""
        self.open -= 1
        si = self.s[i]
        c = self.charge
        pending = self.pending
        nbr = self.nbr
        judged = self.judged[i]
        try:
            for f, v in self.choices[i]:
                d = v - si
                if d < 0 or dsum + d > self.u:
                    continue
                p, m = npos + (f > 0), nneg + (f < 0)
                if p > self.max_pos or m > self.max_neg:
                    continue
                if not self.free and abs(self.q - qsum - f) > self.open * self.span:
                    continue
                c[i] = f
                # the charges that became final with atom i: those without an opposite neighbour
                lp, ln = lpos, lneg
                for x in judged:
                    pending[x] -= 1
                    if pending[x] == 0 and c[x] and not self.hetero[x]:
                        cx = -c[x]
                        for y in nbr[x]:  # a bonded +/- pair needs a heteroatom (N+-O-, C-=O+), not C+-C-
                            if c[y] == cx and (self.hetero[y] or self.hetero[x]):
                                break
                        else:
                            if cx < 0:
                                lp += 1
                            else:
                                ln += 1
                try:
                    if lp <= self.lone_pos and ln <= self.lone_neg:
                        if rest >= 0:
                            if self._complete(rest, -1, k, qsum + f, dsum + d, p, m, lp, ln):
                                return True
                        elif self._edge(k + 1, qsum + f, dsum + d, p, m, lp, ln):
                            return True
                finally:
                    for x in judged:
                        pending[x] += 1
            c[i] = 0
            return False
        finally:
            self.open += 1


@lru_cache(maxsize=1)
def _valence_table() -> tuple[dict, list]:
    """(limits, options per atomic number: list of (charge, valences) or None) from rules/valences.toml."""

    from ...tables import load_toml

    data = load_toml("valences.toml")
    by_z: list = [None] * len(chemical_symbols)
    for sym, entry in data["valences"].items():
        opts = [(0, tuple(entry.get("neutral", ())))]
        opts += [(f, tuple(entry[key])) for f, key in ((-1, "anion"), (1, "cation"), (-2, "dianion"))
                 if entry.get(key)]
        by_z[chemical_symbols.index(sym)] = opts
    return data["limits"], by_z


@cache
def _parity_of(opts: tuple) -> int | None:
    neutral = {v % 2 for f, vs in opts if f == 0 for v in vs}
    charged = {v % 2 for f, vs in opts if f != 0 for v in vs}
    if len(neutral) != 1 or (charged and charged != {1 - next(iter(neutral))}):
        return None
    return next(iter(neutral))


def _valence_parity(opts: list) -> int | None:
    """Parity of the element's neutral valences if every charged valence has the other one."""
    return _parity_of(tuple(opts))


def _fmt_valences(sym, opts):
    parts = ["/".join(map(str, vs)) for f, vs in opts if f == 0]
    parts += [f"{'' if abs(f) == 1 else abs(f)}{'+' if f > 0 else '−'}: {'/'.join(map(str, vs))}"
              for f, vs in opts if f and vs]
    return f"{sym} {', '.join(parts)}"

class _Element(NamedTuple):
    """One element's entry of rules/valences.toml, arranged for the search."""

    options: list  # (charge, valences) as in the table, neutral first
    choices: tuple  # (charge, valence) pairs in that order
    allv: tuple  # every valence, sorted
    neutral: tuple  # the neutral valences, sorted
    parity: int | None  # see _valence_parity


@lru_cache(maxsize=1)
def _element_table() -> list:
    """Per atomic number: its ``_Element``, None when it is missing from the table."""
    _, by_z = _valence_table()
    return [None if o is None else
            _Element(o, tuple((f, v) for f, vs in o for v in vs), tuple(sorted({v for _, vs in o for v in vs})),
                     tuple(sorted(next((vs for f, vs in o if f == 0), ()))), _valence_parity(o))
            for o in by_z]



_VALENCE_MEMO: dict[tuple, list] = {}
_VALENCE_MEMO_SIZE = 4096


def memo_put(key: tuple, value) -> None:
    """Store ``value`` in ``_VALENCE_MEMO``, the oldest entries out beyond ``_VALENCE_MEMO_SIZE``
    (0: no memo, as if every frame were a new molecule)."""
    while _VALENCE_MEMO and len(_VALENCE_MEMO) >= _VALENCE_MEMO_SIZE:
        del _VALENCE_MEMO[next(iter(_VALENCE_MEMO))]
    if _VALENCE_MEMO_SIZE > 0:
        _VALENCE_MEMO[key] = value


def _valence_hits(n, zs, elems, edges, degree, q, u, maxo, max_nodes, limits, free=None, emax=None,
                  hetero=None, ids=None):
    """The valence rule's hits for one bond graph (see ``valence``); an undecided search
    yields one Hit with ``data={"undecided": True}``. ``emax``: highest order per edge
    (dict edge -> order); ``hetero``: per atom, may carry a charge with no opposite neighbour;
    ``ids``: the atom numbers to print (default 0..n-1)."""
    if ids is None:
        ids = range(n)
    # atoms whose bond count alone rules out every valence: none in [degree, maxo·degree + u]
    local = []
    for i in range(n):
        d = degree[i]
        if d:
            for v in elems[i].allv:  # sorted
                if v >= d:
                    if v > maxo * d + u:
                        local.append(i)
                    break
            else:
                local.append(i)
    if local:
        syms = [chemical_symbols[z] for z in zs]
        for i in local:
            options = elems[i].options
            yield Hit((i,), f"{syms[i]}{ids[i]} has {degree[i]} bonded neighbours; no standard valence "
                      f"fits ({_fmt_valences(syms[i], options)})", float(degree[i]),
                      float(max(v for _, vs in options for v in vs)), "bonds")
        return

    # molecules (connected components) and a breadth-first rank per molecule, so that
    # atoms complete early in the search; plain Python: molecules are small
    nbr: list[list[int]] = [[] for _ in range(n)]
    for i, j in edges:
        nbr[i].append(j)
        nbr[j].append(i)
    labels = [-1] * n
    rank = [-1] * n
    pos = 0
    for start in range(n):
        if labels[start] >= 0 or not nbr[start]:
            continue
        labels[start], rank[start] = start, pos
        pos += 1
        queue = [start]
        for a in queue:
            for c in nbr[a]:
                if labels[c] < 0:
                    labels[c], rank[c] = start, pos
                    pos += 1
                    queue.append(c)
    edges.sort(key=lambda e: (max(rank[e[0]], rank[e[1]]), min(rank[e[0]], rank[e[1]])))
    comps = sorted({c for c in labels if c >= 0})
    max_pairs = int(limits["max_charge_pairs"])

    # one molecule's atoms and bonds, grouped once (a search per molecule is then linear
    # in that molecule, not in the frame: thousands of molecules in one frame)
    comp_members: dict[int, list] = {}
    comp_edges: dict[int, list] = {}
    if len(comps) > 1:
        for i in range(n):
            if labels[i] >= 0:
                comp_members.setdefault(labels[i], []).append(i)
        for e in edges:
            comp_edges.setdefault(labels[e[0]], []).append(e)
    span = _span(elems)
    solved: dict[tuple, bool] = {}  # one molecule's search by its graph (elems are zs's table entries)

    def search(atom_ids, qq, uu, free):
        one = None
        if len(comps) == 1:
            members = [i for i in range(n) if degree[i]]
            sub = edges
        elif len(atom_ids) == 1:
            (one,) = atom_ids
            members, sub = comp_members[one], comp_edges[one]
        else:
            members = [i for i in range(n) if labels[i] in atom_ids]
            sub = [e for e in edges if labels[e[0]] in atom_ids]
        # 2 Σ bond orders is even; a charge of ±1 moves a valence by one (checked for
        # the table): an odd Σ valence + charge has no solution, found without search
        if not free and uu == 0:
            par = [elems[i].parity for i in members]
            if None not in par and (sum(par) + qq) % 2:
                return False
        # every atom's bond count a neutral valence: the search's first path (single
        # bonds, no charge, no deficit) succeeds after len(sub) trials; no need to walk it
        if (qq == 0 or free) and len(sub) <= max_nodes and all(degree[i] in elems[i].neutral for i in members):
            return True
        sub_emax = None if emax is None else [emax[e] for e in sub]
        if one is not None:  # the molecule alone, renumbered in order: the same search, smaller lists
            loc = {a: k for k, a in enumerate(members)}
            local = [(loc[a], loc[b]) for a, b in sub]
            mz = [zs[i] for i in members]
            mh = None if hetero is None else [hetero[i] for i in members]
            # the same molecule again (elements, numbering, bonds, their orders): the same answer
            key = (tuple(mz), tuple(local), None if sub_emax is None else tuple(sub_emax),
                   None if mh is None else tuple(mh), qq, uu, free)
            got = solved.get(key)
            if got is None:
                got = solved[key] = _ValenceSearch(
                    len(members), local, [elems[i] for i in members], qq, uu, free_charge=free,
                    max_nodes=max_nodes, max_order=maxo, max_pairs=max_pairs, hetero=mh, emax=sub_emax,
                    span=span).solve()
            return got
        return _ValenceSearch(n, sub, elems, qq, uu, free_charge=free, max_nodes=max_nodes,
                              max_order=maxo, max_pairs=max_pairs, hetero=hetero, emax=sub_emax, span=span).solve()

    if free is None:
        free = 0 in degree
    try:
        # molecules one by one, neutral closed-shell: the common case, linear in molecules
        closed = {c: search({c}, 0, 0, False) for c in comps}
        if q == 0 and all(closed.values()):
            return
        if search(set(comps), q, u, free):  # the declared charge and spin shared by all molecules
            return
        if len(comps) == 1:
            failing = comps
        else:  # each molecule alone with the whole budget, then closed-shell
            failing = [c for c in comps if not search({c}, q, u, free)]
        if not failing:
            failing = [c for c, ok in closed.items() if not ok]
    except (_Undecided, RecursionError):  # a search deeper than the stack (the joint search of a
        # solvated box: thousands of molecules at once) is undecided, not a crash (files12 hook)
        yield Hit((), "undecided", data={"undecided": True})
        return
    syms = [chemical_symbols[z] for z in zs]
    for c in failing or comps:
        members = comp_members[c] if comp_members else [i for i in range(n) if labels[i] == c]
        neutral = {i: elems[i].options[0][1] for i in members}
        flag = [i for i in members if degree[i] not in neutral[i]] or members
        kinds = sorted({syms[i] for i in flag})
        tables = "; ".join(_fmt_valences(k, elems[flag[[syms[i] for i in flag].index(k)]].options)
                           for k in kinds)
        yield Hit(tuple(flag), f"no bond orders give {', '.join(syms[i] + str(ids[i]) for i in flag)} a standard "
                  f"valence ({tables}) at charge {q} with {u} unpaired electron(s)",
                  None, None, None, {"charge": q, "unpaired_electrons": u})


# ---------------------------------------------------------------- charge-imbalance (SC203)
