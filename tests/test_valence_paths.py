"""One answer by every route: the valence rule on a molecule through its plain-Python graph
(``valence_rule._small_graph_of``), through the numpy path over the bonded pairs
(``_valence_of``) and from the answer memoised per bond graph (``_molecule_key``); and
missing-hydrogen's early exit on the bond-valence sum (``frameworks._sum_bounds``) against
the reasons it skips (``frameworks._judge``). Clean and broken molecules both ways."""

from __future__ import annotations

import itertools

import pytest
from ase import Atoms
from ase.build import molecule

from structcheck.linter.chemistry import frame_charge, small_graph
from structcheck.linter.checks import composition
from structcheck.linter.checks import frameworks
from structcheck.linter.checks import valence as vc
from structcheck.linter.checks import valence_rule as vr
from structcheck.linter.config import load_config
from structcheck.linter.frame import Frame


def _without(name, *drop):
    m = molecule(name)
    del m[list(drop)]
    return m


def _with(atoms, **info):
    atoms.info.update(info)
    return atoms


def _methyl(**info):
    m = molecule("CH3")
    m.set_initial_magnetic_moments(None)  # ase's g2 radicals carry their moments
    return _with(m, **info)


def _ammonium(**info):
    nh4 = molecule("NH3")
    nh4.append("H")
    nh4.positions[-1] = nh4.positions[0] + [0, 0, -1.02]
    return _with(nh4, **info)


def _diborane():
    return Atoms("B2H6", positions=[(0, 0, 0.885), (0, 0, -0.885), (0, 0.97, 0), (0, -0.97, 0),
                                    (1.04, 0, 1.50), (-1.04, 0, 1.50), (1.04, 0, -1.50), (-1.04, 0, -1.50)])


def _lone_na():
    w = molecule("H2O")
    w += Atoms("Na", positions=[(6.0, 0, 0)])
    return w


def _fe_co():
    return Atoms("FeCO", positions=[(0, 0, 0), (1.8, 0, 0), (2.95, 0, 0)])


# (name, atoms, broken?): the valence rule's verdict on each
CASES = [
    ("benzene", lambda: molecule("C6H6"), False),
    ("phenyl", lambda: _without("C6H6", 6), True),
    ("ethyl", lambda: _without("C2H6", 2), True),
    ("nitromethane", lambda: molecule("CH3NO2"), False),
    ("methyl", _methyl, True),
    ("methyl doublet", lambda: _methyl(multiplicity=2), False),
    ("ammonium uncharged", _ammonium, True),
    ("ammonium +1", lambda: _ammonium(charge=1), False),
    ("AlCl3 (a metal)", lambda: molecule("AlCl3"), False),
    ("water and a lone Na", _lone_na, True),
    ("water and a lone Na, charge +1", lambda: _with(_lone_na(), charge=1), False),
    ("diborane (multi-centre)", _diborane, False),
    ("Fe-CO (a transition metal)", _fe_co, False),
    ("CO2 charged", lambda: _with(molecule("CO2"), charge=2), True),
]


def _frame(atoms):
    return Frame(atoms, load_config(None, use_project=False))


def _state(frame):
    u = vc.unpaired_electrons(frame.atoms) if composition.declared_spin(frame.atoms) else 0
    limits, _ = vc._valence_table()
    return round(frame_charge(frame)), u, limits


def _answer(hits, frame):
    return ([(h.atoms, h.message, h.data) for h in hits], frame.__dict__.get("_valence_not_checked") or [])


@pytest.mark.parametrize("name,make,broken", CASES, ids=[c[0] for c in CASES])
def test_valence_routes_agree(monkeypatch, name, make, broken):
    monkeypatch.setattr(vc, "_VALENCE_MEMO", {})
    first = _frame(make())
    got = _answer(list(vr.valence(first)), first)
    assert bool(got[0]) == broken, got
    again = _frame(make())  # the same bond graph: the memoised answer, on its own objects
    hits = list(vr.valence(again))
    assert _answer(hits, again) == got
    assert all(h.data is not g for h, g in zip(hits, (x[2] for x in got[0])) if g is not None)
    # the numpy path on its own, nothing memoised
    monkeypatch.setattr(vc, "_VALENCE_MEMO_SIZE", 0)
    monkeypatch.setattr(vc, "_VALENCE_MEMO", {})
    plain = _frame(make())
    q, u, limits = _state(plain)
    assert _answer(list(vr._valence_of(plain, q, u, limits, limits["max_atoms"], limits["max_nodes"])),
                   plain) == got
    # the plain-Python graph where it applies
    frame = _frame(make())
    zl = small_graph(frame)[0]
    key = vr._molecule_key(frame, zl, vr.small_degrees(frame), q, u, limits["max_nodes"])
    small = None if key is None else vr._small_graph_of(frame, zl, vr.small_degrees(frame), key[4])
    if small is not None:
        assert _answer(list(vr._judge(frame, q, u, *small, limits, limits["max_nodes"])), frame) == got
    # which route each case exercises (the test covers all three)
    assert (key is None) == (name == "diborane (multi-centre)")
    assert (small is None) == (key is None or "metal" in name or "Na" in name)


def test_valence_memo_off_gives_the_same_answers(monkeypatch):
    on = [_answer(list(vr.valence(f)), f) for f in (_frame(make()) for _, make, _ in CASES)]
    monkeypatch.setattr(vc, "_VALENCE_MEMO_SIZE", 0)
    monkeypatch.setattr(vc, "_VALENCE_MEMO", {})
    off = [_answer(list(vr.valence(f)), f) for f in (_frame(make()) for _, make, _ in CASES)]
    assert off == on and vc._VALENCE_MEMO == {}


def test_missing_hydrogen_exit_bound_matches_its_reasons():
    """At or above ``_sum_bounds`` no reason of ``_judge`` applies; just below, one does (the
    bound is the reasons' own edge, not a looser one)."""
    t = frameworks.table()["missing_hydrogen"]
    triple = frameworks._triple_partner()
    bounds = frameworks._sum_bounds()
    for za, kmax in ((6, 3), (7, 2)):
        for k in range(1, kmax + 1):
            bound = bounds[za][k]
            for zs in itertools.product((1, 6, 7, 8, 16, 17), repeat=k):
                for d in (1.0, 1.5, 2.2):
                    for s in (bound, bound + 1e-9, bound + 0.4, bound + 3.0):
                        partners = [(zp, d, s / k) for zp in zs]
                        for big in (False, True):
                            assert frameworks._judge(za, partners, t, triple, big) is None
    # just below the bound a lone-partner C (no triple-bond partner) and an N are flagged
    assert frameworks._judge(6, [(6, 1.5, bounds[6][1] - 1e-6)], t, triple) is not None
    assert frameworks._judge(7, [(6, 1.5, bounds[7][1] - 1e-6)], t, triple) is not None


@pytest.mark.parametrize("atoms,flagged", [
    (lambda: molecule("C6H6"), []),
    (lambda: _without("C6H6", 6), [0]),
    (lambda: _without("C2H6", 2, 5), [0, 1]),
    (lambda: molecule("CH3CN"), []),
])
def test_missing_hydrogen_molecules(atoms, flagged):
    frame = _frame(atoms())
    assert sorted(h.atoms[0] for h in frameworks.missing_hydrogen(frame)) == flagged


def test_identical_molecules_searched_once(monkeypatch):
    """A frame of many molecules (a box, a fragmented solid): each distinct molecule's bond-order
    search runs once, and every copy is still flagged on its own atoms, as when judged alone."""
    monkeypatch.setattr(vc, "_VALENCE_MEMO", {})
    ethene_bent = lambda: _without("C2H6", 2, 5)  # noqa: E731 - C-C 1.52 Å: no C=C, each C three bonds
    parts = [ethene_bent(), molecule("C6H6"), ethene_bent(), _without("C6H6", 6), ethene_bent(), molecule("C6H6")]
    box = Atoms()
    alone = []
    for k, p in enumerate(parts):
        p = p.copy()
        p.translate((12.0 * k, 0, 0))
        alone += [tuple(a + len(box) for a in h.atoms) for h in vr.valence(_frame(p.copy()))]
        box += p
    built = []
    real = vc._ValenceSearch

    def counting(*a, **k):
        built.append(a[0])
        return real(*a, **k)

    monkeypatch.setattr(vc, "_VALENCE_MEMO", {})
    monkeypatch.setattr(vc, "_ValenceSearch", counting)
    got = [h.atoms for h in vr.valence(_frame(box))]
    assert sorted(got) == sorted(alone) and len(got) == 4  # three bent ethenes and the phenyl
    # one search per distinct molecule (the odd electron counts of the phenyl and of the whole
    # frame need none); without the memo two per copy of each searched molecule
    assert built == [6, 12]


def test_bond_orders_from_lengths_equal_the_bond_number_orders():
    """valence's memo key takes each bond's allowed order from its length (stretch.
    bond_orders_allowed) unless the bond numbers are computed already: the same orders on both
    routes, for bonds swept across the double and triple thresholds (within 1e-6 Å the number
    itself decides) and for the bench-like G2 molecules."""
    import math

    from ase import Atoms
    from ase.build import molecule

    from structcheck.linter.chemistry import single_bond_matrix, small_bond_numbers, small_graph, small_pairs, table
    from structcheck.linter.stretch import bond_orders_allowed

    bv = table()["bond_valence"]
    cases = []
    for za, zb in ((6, 6), (6, 7), (6, 8), (7, 7), (7, 8), (8, 8), (6, 16), (5, 7)):
        d1 = float(single_bond_matrix()[za, zb])
        for n in (bv["double"], bv["triple"]):
            edge = d1 - bv["pauling_c"] * math.log10(n)
            for off in (-0.05, -1e-5, -1e-6, -5e-7, -1e-9, 0.0, 1e-9, 5e-7, 1e-6, 1e-5, 0.05):
                cases.append(Atoms([za, zb], positions=[(0, 0, 0), (edge + off, 0, 0)]))
    cases += [molecule(m) for m in ("C2H2", "C2H4", "C2H6", "HCN", "CO2", "H2CO", "C6H6", "CH3CN", "N2", "NO2")]
    seen = set()
    for atoms in cases:
        f1, f2 = _frame(atoms), _frame(atoms)
        zl = small_graph(f1)[0]
        bi, bj = small_pairs(f1)
        fast = bond_orders_allowed(f1, zl, bi, bj)  # no bond numbers yet: from the lengths
        assert "_small_bn" not in f1.__dict__
        small_bond_numbers(f2)
        slow = bond_orders_allowed(f2, small_graph(f2)[0], *small_pairs(f2))
        assert fast == slow, atoms
        seen.update(fast)
    assert seen == {1, 2, 3}


def _box(parts, cell=40.0, pbc=True, **info):
    """Molecules (Atoms) placed on a grid 5 Å apart in one cell."""
    out = Atoms(cell=[cell] * 3, pbc=pbc)
    k = 0
    for m in parts:
        m = m.copy()
        m.positions += [5.0 * (k % 7) + 2, 5.0 * (k // 7 % 7) + 2, 5.0 * (k // 49) + 2]
        out += m
        k += 1
    out.info.update(info)
    return out


def _valence_hits(atoms):
    config = load_config(use_project=False)
    frame = Frame(atoms, config)
    vc._VALENCE_MEMO.clear()
    return sorted((h.atoms, h.message) for h in vr.valence(frame)), \
        sorted(frame.__dict__.get("_valence_not_checked", []))


def test_forced_neutral_molecules_left_out_of_a_big_graph_change_nothing(monkeypatch):
    """A box of many molecules: leaving out those that can only be neutral and fine (water,
    methane, ammonia, ethane) gives the hits and the not-judged records of the whole graph,
    with broken molecules, ions, a declared charge, a short C=C and a spin among them."""
    water, ch4, nh3 = molecule("H2O"), molecule("CH4"), molecule("NH3")
    ethane, ethene, oh = molecule("C2H6"), molecule("C2H4"), _without("H2O", 2)
    h3o = Atoms("OH3", positions=[(0, 0, 0), (0.97, 0, 0), (-0.3, 0.92, 0), (-0.3, -0.46, 0.8)])
    na, cl = Atoms("Na"), Atoms("Cl")
    bulk = [water] * 60 + [ch4] * 20 + [nh3] * 20 + [ethane] * 10
    cases = [
        _box(bulk + [oh]),                                   # a radical among them
        _box(bulk + [h3o]),                                  # a cation with no declared charge
        _box(bulk + [h3o], charge=1),                        # ... declared
        _box(bulk + [oh, h3o]),                              # an ion pair
        _box(bulk + [na, cl, oh]),                           # lone ions
        _box(bulk + [ethene, _without("C2H6", 7)]),           # a double bond; ethyl radical
        _box(bulk + [oh], multiplicity=2),                   # a declared spin: not left out
        _box(bulk, charge=-1),                               # a charge nothing can carry
        _box(bulk, pbc=False),                               # no cell
        _box(bulk),                                          # all fine
    ]
    seen = []
    real = vr._without_forced_neutral
    monkeypatch.setattr(vr, "_without_forced_neutral", lambda *a: seen.append(1) or real(*a))
    fast = [_valence_hits(a) for a in cases]
    assert seen and any(h for h, _ in fast) and not fast[-1][0]
    monkeypatch.setattr(vr, "_without_forced_neutral", lambda z, d, l, ei, ej, o, b: (ei, ej, o, b))
    assert [_valence_hits(a) for a in cases] == fast


def test_few_distinct_is_unique_up_to_order():
    import numpy as np

    from structcheck.io.xyz import _few_distinct

    rng = np.random.default_rng(0)
    for k in (1, 2, 3, 8, 9, 40):
        keys = (rng.integers(0, k, 5000).astype(np.uint64) * 7919 + 3)
        uniq, inverse = _few_distinct(keys)
        assert np.array_equal(uniq[inverse], keys)
        assert sorted(uniq.tolist()) == np.unique(keys).tolist()


def _mh_hits(atoms):
    frame = Frame(atoms, load_config(use_project=False))
    return [(h.atoms, h.message, h.value) for h in frameworks.missing_hydrogen(frame)]


def test_missing_hydrogen_big_frame_path_equals_the_molecule_path(monkeypatch):
    """missing-hydrogen's path for frames of more than 256 bonds (``_missing_h_big``: bond
    ends grouped in numpy, metal partners by one mask, component sizes counted once) gives
    the molecule path's hits on every G2 molecule, each with one H removed, with a sodium
    next to it, and on carbon/nitrogen radicals, carbenes and a CO."""
    from ase.collections import g2

    cases = []
    for name in g2.names:
        a = g2[name]
        a.set_initial_magnetic_moments(None)
        cases.append(a)
        h = [k for k, s in enumerate(a.get_chemical_symbols()) if s == "H"]
        if h and {"C", "N"} & set(a.get_chemical_symbols()):
            cases.append(_without(name, h[0]))
            b = cases[-1].copy()
            c_or_n = [k for k, s in enumerate(b.get_chemical_symbols()) if s in "CN"][0]
            b += Atoms("Na", positions=[b.positions[c_or_n] + (0, 0, 2.4)])
            cases.append(b)
    for a in cases:
        a.set_initial_magnetic_moments(None)
    small = [_mh_hits(a) for a in cases]
    assert sum(bool(h) for h in small) > 20 and sum(not h for h in small) > 20
    monkeypatch.setattr(frameworks, "small_graph", lambda frame: None)
    assert [_mh_hits(a) for a in cases] == small
