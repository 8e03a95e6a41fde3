"""Composition rules: electrons, valences, charge balance, formula (family ``composition``)."""

from __future__ import annotations

from functools import cache, lru_cache

import numpy as np
from ase.data import chemical_symbols

from ..engine import Frame, Hit, rule


def declared_charge(info: dict) -> float:
    """``charge`` (or ``total_charge``) of atoms.info, 0 when absent, NaN when unparsable."""
    for key in ("charge", "total_charge"):
        if key in info:
            try:
                return float(info[key])
            except (TypeError, ValueError):
                return float("nan")
    return 0.0


def declared_spin(atoms) -> bool:
    info = atoms.info
    if any(k in info for k in ("spin", "multiplicity", "spin_multiplicity", "uhf", "magmom")):
        return True
    for key in ("initial_magmoms", "magmoms"):
        arr = atoms.arrays.get(key)
        if arr is not None and np.any(np.abs(arr) > 1e-8):
            return True
    return False


@rule("SC201", "odd-electron-count", "composition", "warning",
      "An odd number of electrons for the declared charge, and no spin declared.")
def odd_electron_count(frame: Frame):
    """Odd electron count with no spin multiplicity declared.

    What it does: for non-periodic structures, electrons = Σ Z − charge (``charge`` in atoms.info / the extxyz comment,
    default 0). Odd, with no ``spin``/``multiplicity`` key and no initial magnetic
    moments, is flagged.

    Why it matters: a closed-shell (spin-restricted) calculation of a radical is wrong,
    and an unintended radical usually means a missing or extra H.

    Example: CH3 with no magnetic moment; H2O3 of DeePMD-kit issue 4502 (26 electrons,
    even, passes this rule).

    Fix: add or remove the missing atom, or declare the state: charge=... and
    multiplicity=... in the extxyz comment (or initial magnetic moments).
    """
    if len(frame) == 0 or frame.pbc.any() or (frame.numbers == 0).any():
        return  # a periodic cell of a metal has any electron count
    charge = declared_charge(frame.info)
    if not np.isfinite(charge):
        return
    nel = float(frame.numbers.sum()) - charge
    if abs(nel - round(nel)) > 1e-6 or round(nel) % 2 == 0:
        return
    if declared_spin(frame.atoms):
        return
    yield Hit((), f"{round(nel)} electrons at charge {charge:g} and no spin multiplicity "
              "declared", float(nel), None, "electrons")


@rule("SC204", "formula-mismatch", "composition", "error",
      "The formula differs from the one expected (--expect-formula or an extxyz key).")
def formula_mismatch(frame: Frame):
    """The structure's formula is not the expected one.

    What it does: compares the empirical formula (reduced, so a supercell passes) with
    ``--expect-formula`` / ``expect-formula`` in the configuration, or the frame's own
    ``expected_formula`` key in atoms.info.

    Why it matters: a lost hydrogen, a doubled ligand or a wrong species mapping of a
    POSCAR (the element line missing) shows up here first.

    Example: expected H2O, found H3O.

    Fix: repair the structure or the expectation.
    """
    from ase.formula import Formula

    expected = frame.info.get("expected_formula") or frame.config.expect_formula
    if not expected or len(frame) == 0:
        return
    try:
        want = Formula(str(expected))
    except ValueError:
        yield Hit((), f"cannot parse expected formula {expected!r}")
        return
    have = Formula.from_list([frame.atoms.get_chemical_symbols()[k] for k in range(len(frame))])
    if have.reduce()[0] != want.reduce()[0]:
        yield Hit((), f"formula {have.format('hill')} does not match expected {want.format('hill')}",
                  data={"found": str(have), "expected": str(want)})


# ---------------------------------------------------------------- valence (SC202)


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
    """

    def __init__(self, n, edges, options, q, u, *, free_charge, max_nodes, max_order, max_pairs):
        self.edges = edges
        self.options = options  # per atom: list of (charge, valences tuple)
        self.allv = [sorted({v for _, vs in opt for v in vs}) for opt in options]
        self.neutral = [next((vs for f, vs in opt if f == 0), ()) for opt in options]
        self.q, self.u, self.free = q, u, free_charge
        self.max_nodes, self.max_order = max_nodes, max_order
        self.max_pos = max(q, 0) + max_pairs
        self.max_neg = max(-q, 0) + max_pairs
        self.lone_pos = n if free_charge else max(q, 0)  # charges without an opposite neighbour
        self.lone_neg = n if free_charge else max(-q, 0)
        self.nbr = [[] for _ in range(n)]
        for a, b in edges:
            self.nbr[a].append(b)
            self.nbr[b].append(a)
        self.s = [0] * n
        self.rem = [len(x) for x in self.nbr]
        # incomplete atoms among x and its neighbours: x's charge is judged at zero
        self.pending = [len(x) + 1 if x else 0 for x in self.nbr]
        self.charge = [0] * n
        self.open = sum(1 for r in self.rem if r)
        self.nodes = 0

    def _reachable(self, i: int, u_left: int) -> bool:
        lo = self.s[i] + self.rem[i]
        hi = self.s[i] + self.max_order * self.rem[i]
        return any(v >= lo and v - u_left <= hi for v in self.allv[i])

    def solve(self) -> bool:
        return self._edge(0, 0, 0, 0, 0, 0, 0)

    def _edge(self, k, qsum, dsum, npos, nneg, lpos, lneg):
        if k == len(self.edges):
            return self._leaf(qsum)
        a, b = self.edges[k]
        for order in self._orders(a, b):
            self.nodes += 1
            if self.nodes > self.max_nodes:
                raise _Undecided
            self.s[a] += order
            self.s[b] += order
            self.rem[a] -= 1
            self.rem[b] -= 1
            ok = self._reachable(a, self.u - dsum) and self._reachable(b, self.u - dsum)
            if ok and self._complete([x for x in (a, b) if self.rem[x] == 0], k,
                                     qsum, dsum, npos, nneg, lpos, lneg):
                return True
            self.s[a] -= order
            self.s[b] -= order
            self.rem[a] += 1
            self.rem[b] += 1
        return False

    def _need(self, i) -> int:
        """Bond order atom i still lacks beyond single bonds to reach its nearest neutral valence."""
        base = self.s[i] + self.rem[i]
        up = [v - base for v in self.neutral[i] if v >= base]
        return min(up) if up else 0

    def _orders(self, a, b):
        """Bond orders to try, the one that best fills both atoms first (Kekulé-like greedy)."""
        best = 1 + min(self._need(a), self._need(b), self.max_order - 1)
        return [best] + [o for o in range(1, self.max_order + 1) if o != best]

    def _judge(self, i, lpos, lneg):
        """Count the charges that became final with atom i: those without an opposite neighbour."""
        c = self.charge
        for x in (i, *self.nbr[i]):
            self.pending[x] -= 1
            if self.pending[x] == 0 and c[x] and not any(c[y] == -c[x] for y in self.nbr[x]):
                if c[x] > 0:
                    lpos += 1
                else:
                    lneg += 1
        return lpos, lneg

    def _unjudge(self, i):
        for x in (i, *self.nbr[i]):
            self.pending[x] += 1

    def _complete(self, done, k, qsum, dsum, npos, nneg, lpos, lneg):
        """Choose charge and deficit for atoms whose bonds are all assigned, then go on."""
        if not done:
            return self._edge(k + 1, qsum, dsum, npos, nneg, lpos, lneg)
        i, rest = done[0], done[1:]
        self.open -= 1
        try:
            for f, vs in self.options[i]:
                for v in vs:
                    d = v - self.s[i]
                    if d < 0 or dsum + d > self.u:
                        continue
                    p, m = npos + (f > 0), nneg + (f < 0)
                    if p > self.max_pos or m > self.max_neg:
                        continue
                    if not self.free and abs(self.q - qsum - f) > self.open:
                        continue
                    self.charge[i] = f
                    lp, ln = self._judge(i, lpos, lneg)
                    try:
                        if (lp <= self.lone_pos and ln <= self.lone_neg
                                and self._complete(rest, k, qsum + f, dsum + d, p, m, lp, ln)):
                            return True
                    finally:
                        self._unjudge(i)
            self.charge[i] = 0
            return False
        finally:
            self.open += 1

    def _leaf(self, qsum) -> bool:
        return self.free or qsum == self.q


@lru_cache(maxsize=1)
def _valence_table() -> tuple[dict, list]:
    """(limits, options per atomic number: list of (charge, valences) or None) from rules/valences.toml."""

    from ..tables import load_toml

    data = load_toml("valences.toml")
    by_z: list = [None] * len(chemical_symbols)
    for sym, entry in data["valences"].items():
        opts = [(0, tuple(entry.get("neutral", ())))]
        opts += [(f, tuple(entry[key])) for f, key in ((-1, "anion"), (1, "cation")) if entry.get(key)]
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
    parts += [f"{'+' if f > 0 else '−'}: {'/'.join(map(str, vs))}" for f, vs in opts if f and vs]
    return f"{sym} {', '.join(parts)}"


@rule("SC202", "valence", "composition", "warning",
      "No assignment of bond orders gives every atom of the molecule a standard valence.")
def valence(frame: Frame, max_atoms: int | None = None, max_nodes: int | None = None):
    """No bond-order assignment gives every atom a standard valence.

    What it does: for a non-periodic structure, perceives bonds (bonded below 1.25 ×
    covalent radii sum, as every geometry rule) and searches for bond orders 1–3 such
    that each atom's bond-order sum is one of its standard valences from
    rules/valences.toml (H 1, B 3, C 4 or 2, N 3, O 2, halogens 1, S 2/4/6, P 3/5, ...).
    Formal charges of ±1 switch an atom to its charged valences (N+ 4, O− 1, O+ 3,
    C− 3, ...): their sum must equal the declared charge (``charge`` in atoms.info),
    except +/− pairs on bonded atoms (nitro groups, CO, O3); separated charges (an ion
    pair such as H3O+ … OH− at total charge 0, a zwitterion) are flagged. A declared spin (initial
    magnetic moments, ``multiplicity``, ``uhf``, ``spin``) allows as many atoms' valences
    to fall short by one as there are unpaired electrons. Lone atoms are not judged (see
    isolated-atom) and, when present, may carry any charge. Atoms whose bond count
    alone rules out every valence are flagged on their own; otherwise the atoms of each
    molecule with no solution that need multiple bonds or a charge are flagged.
    Skipped: periodic cells, more than 200 atoms, elements missing from the table; the
    search stops undecided (and reports nothing) after 20000 trials (parameters
    ``max_atoms`` and ``max_nodes``: ``[params.valence]`` in a profile; defaults in
    rules/valences.toml).

    Why it matters: a missing or extra hydrogen, a wrong element, a bond stretched past
    bonding range or two molecules built into each other all leave atoms with impossible
    valences; the calculation then describes a different, usually radical, species.

    Example: ethane with one H removed (C2H5, no spin declared): C0 has three bonds and
    no double bond can fix it. Nitromethane CH3NO2 passes (N+ / O− on a bond); CH3 with
    an initial magnetic moment of 1 passes.

    Fix: add or remove the hydrogen / atom, or declare the state: ``charge=-1`` or
    ``multiplicity=2`` in the extxyz comment (or initial magnetic moments).
    """
    n = len(frame)
    if n < 2 or frame.pbc.any():
        return
    limits, by_z = _valence_table()
    max_atoms = limits["max_atoms"] if max_atoms is None else max_atoms
    max_nodes = limits["max_nodes"] if max_nodes is None else max_nodes
    if n > max_atoms:
        return
    options = [by_z[z] for z in frame.numbers.tolist()]
    parity = [_valence_parity(o) if o is not None else None for o in options]
    if any(o is None for o in options):
        return
    b = frame.bonded_pairs
    edges = sorted({(min(i, j), max(i, j)) for i, j in zip(b.i.tolist(), b.j.tolist()) if i != j})
    if not edges:
        return
    charge = declared_charge(frame.info)
    if not np.isfinite(charge):
        return
    q = round(charge)
    u = unpaired_electrons(frame.atoms) if declared_spin(frame.atoms) else 0
    degree = [0] * n
    for i, j in edges:
        degree[i] += 1
        degree[j] += 1
    maxo = int(limits["max_bond_order"])
    syms = [chemical_symbols[z] for z in frame.numbers.tolist()]

    # atoms whose bond count alone rules out every valence
    local = []
    for i in (a for a in range(n) if degree[a]):
        allv = [v for _, vs in options[i] for v in vs]
        if not any(degree[i] <= v <= maxo * degree[i] + u for v in allv):
            local.append(int(i))
    if local:
        for i in local:
            yield Hit((i,), f"{syms[i]}{i} has {degree[i]} bonded neighbours; no standard valence "
                      f"fits ({_fmt_valences(syms[i], options[i])})", float(degree[i]),
                      float(max(v for _, vs in options[i] for v in vs)), "bonds")
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

    def search(atom_ids, qq, uu, free):
        members = [i for i in range(n) if labels[i] in atom_ids]
        # 2 Σ bond orders is even; a charge of ±1 moves a valence by one (checked for
        # the table): an odd Σ valence + charge has no solution, found without search
        if (not free and uu == 0 and all(parity[i] is not None for i in members)
                and (sum(parity[i] for i in members) + qq) % 2):
            return False
        sub = [e for e in edges if labels[e[0]] in atom_ids]
        s = _ValenceSearch(n, sub, options, qq, uu, free_charge=free, max_nodes=int(max_nodes),
                           max_order=maxo, max_pairs=int(limits["max_charge_pairs"]))
        return s.solve()

    comps = {c for c in labels if c >= 0}
    free = 0 in degree
    try:
        # molecules one by one, neutral closed-shell: the common case, linear in molecules
        closed = {c: search({c}, 0, 0, False) for c in sorted(comps)}
        if q == 0 and all(closed.values()):
            return
        if search(comps, q, u, free):  # the declared charge and spin shared by all molecules
            return
        if len(comps) == 1:
            failing = sorted(comps)
        else:  # each molecule alone with the whole budget, then closed-shell
            failing = [c for c in sorted(comps) if not search({c}, q, u, free)]
        if not failing:
            failing = [c for c, ok in closed.items() if not ok]
    except _Undecided:
        return
    for c in failing or sorted(comps):
        members = [i for i in range(n) if labels[i] == c]
        neutral = {i: next(vs for f, vs in options[i] if f == 0) for i in members}
        flag = [int(i) for i in members if degree[i] not in neutral[i]] or [int(i) for i in members]
        kinds = sorted({syms[i] for i in flag})
        tables = "; ".join(_fmt_valences(k, options[flag[[syms[i] for i in flag].index(k)]]) for k in kinds)
        yield Hit(tuple(flag), f"no bond orders give {', '.join(syms[i] + str(i) for i in flag)} a standard "
                  f"valence ({tables}) at charge {q} with {u} unpaired electron(s)",
                  None, None, None, {"charge": q, "unpaired_electrons": u})


# ---------------------------------------------------------------- charge-imbalance (SC203)


@rule("SC203", "charge-imbalance", "composition", "warning",
      "A periodic ionic structure with no charge-balanced assignment of oxidation states.",
      default_enabled=False)
def charge_imbalance(frame: Frame):
    """No charge-balanced assignment of oxidation states (off by default).

    What it does: for periodic structures whose elements differ in Pauling
    electronegativity by at least 0.9 (ionic; alloys and covalent solids are skipped),
    asks pymatgen's ``Composition.oxi_state_guesses()`` for an assignment of oxidation
    states with zero total charge (minus the declared ``charge``). States: those seen in
    the ICSD (pymatgen's default), plus peroxide O−1 (rules/valences.toml), and only the
    negative ones for the most electronegative element; one element may average over
    mixed states, as Fe in Fe3O4. None: flagged. Off by default because pymatgen marks
    its guesser experimental: enable with ``--extend-select charge-imbalance``.
    Compositions whose enumeration would take pymatgen more than about a second
    (``max_work`` in rules/valences.toml) are skipped, so the time stays bounded.

    Why it matters: a missing or extra ion (NaCl2, a vacancy left in a supercell, a
    wrong species in a POSCAR) gives a charged cell; periodic codes then add a
    neutralizing background silently and the energy is meaningless.

    Example: the 8-atom cubic rock-salt NaCl cell with one Cl replaced by Na (Na5Cl3).

    Fix: add or remove the ion, or declare the intended charge (``charge=-1`` in the
    extxyz comment) for a charged-defect calculation.
    """
    if not frame.pbc.any() or len(frame) < 2 or (frame.numbers == 0).any():
        return
    zs = np.unique(frame.numbers)
    if len(zs) < 2:
        return
    from math import comb

    from ase.data import chemical_symbols
    from ase.formula import Formula

    from ..tables import load_toml

    params = load_toml("valences.toml")["charge_balance"]
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from pymatgen.core import Composition, Element

        els = [Element(chemical_symbols[int(z)]) for z in zs]
        en = np.array([e.X for e in els], dtype=float)
        if not np.isfinite(en).all() or en.max() - en.min() < params["min_electronegativity_difference"]:
            return
        extra = params.get("extra_oxidation_states", {})
        states = {e.symbol: sorted(set(e.icsd_oxidation_states or e.common_oxidation_states) | set(extra.get(e.symbol, ())))
                  for e in els}
        # the most electronegative element is the anion: its positive states (Cl+1 ...
        # in Na3Cl5) would let pymatgen balance almost anything by averaging
        top = els[int(np.argmax(en))].symbol
        if any(v < 0 for v in states[top]):
            states[top] = [v for v in states[top] if v < 0]
        if any(not s for s in states.values()):
            return
        per_z = np.bincount(frame.numbers)
        g = int(np.gcd.reduce(per_z[zs]))
        counts = {chemical_symbols[int(z)]: int(per_z[z]) // g for z in zs}
        reduced = Formula.from_dict(counts)
        # pymatgen's enumeration cost (see rules/valences.toml): bounded time
        work, product = 0, 1
        for sym, k in states.items():
            combos = comb(counts[sym] + len(k) - 1, len(k) - 1)
            sums = min(combos, counts[sym] * (max(k) - min(k)) + 1)
            work += combos * sums
            product *= sums
        if work + product > params["max_work"]:
            return
        charge = declared_charge(frame.info)
        if not np.isfinite(charge):
            return
        comp = Composition(counts)
        # the declared charge is per cell; the guesser works on the reduced formula
        n_cells = len(frame) / sum(counts.values())
        guesses = comp.oxi_state_guesses(target_charge=round(charge / n_cells, 6) if charge else 0.0,
                                         oxi_states_override=states)
    if guesses:
        return
    yield Hit((), f"no charge-balanced assignment of oxidation states for {reduced.format('metal')}"
              f" at charge {charge:g} (" + "; ".join(f"{s} {', '.join(f'{v:+d}' for v in k)}"
                                                     for s, k in states.items()) + ")",
              data={"formula": str(reduced), "oxidation_states": states})
