"""Issue 17: the plain-Python paths of bond-length and bond-angle for molecules give what the
numpy paths give (zone pairs, bond vectors, sp3-carbon angles), clean and broken structures."""

from __future__ import annotations

import math

import numpy as np
from ase import Atoms
from ase.build import bulk, molecule

from structcheck.linter import engine
from structcheck.linter.angles import _cosines, _unit_vectors, angle_hits, classic_angles
from structcheck.linter.checks.bonds import _zone_span_for, zone_candidates
from structcheck.linter.config import load_config
from structcheck.linter.frame import Frame


def frame(atoms, cfg=load_config()):
    return Frame(engine.lint_view(atoms, cfg), cfg)


def stretched_ethane(cc):
    a = molecule("C2H6")
    c0, c1 = np.flatnonzero(a.numbers == 6)
    axis = a.positions[c1] - a.positions[c0]
    axis /= np.linalg.norm(axis)
    shift = (cc - np.linalg.norm(a.positions[c1] - a.positions[c0])) * axis
    side = (a.positions - a.positions[c0]) @ axis > 0.5 * np.linalg.norm(a.positions[c1] - a.positions[c0])
    a.positions[side] += shift  # C1 and its hydrogens move out along the C-C axis
    return a


def test_zone_candidates_same_on_both_paths():
    for cc, found in ((1.53, False), (1.95, True), (1.88, True)):
        fr = frame(stretched_ethane(cc))
        span = _zone_span_for(tuple(fr.species.tolist()))
        small = zone_candidates(fr, *span, small=True)
        big = zone_candidates(fr, *span, small=False)
        assert small == big, cc
        assert bool(small) == found, cc
        if found:
            assert [type(x) for x in small[0]] == [int, float]
    # a crystal (SiO2-like pairs in reach): many pairs, the same on both paths
    quartz = bulk("Si", "diamond", a=5.43) * (2, 2, 2)
    quartz.numbers[::2] = 8
    fr = frame(quartz)
    span = _zone_span_for(tuple(fr.species.tolist()))
    assert zone_candidates(fr, *span, small=True) == zone_candidates(fr, *span, small=False)


def test_molecule_bond_vectors_from_positions_match_frame_bond_vectors():
    for name in ("isobutane", "CH3CH2OH", "bicyclobutane"):
        fr = frame(molecule(name))
        units = _unit_vectors(fr)
        vec, bi = fr.bond_vectors.tolist(), fr.bonded_pairs.i.tolist()
        from structcheck.linter.chemistry import small_graph

        for a, lst in enumerate(small_graph(fr)[1]):
            want = []
            for _, p in lst:  # Frame.bond_vectors, turned to point away from a, normalised
                v = vec[p] if bi[p] == a else [-x for x in vec[p]]
                r = math.sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2])
                want.append(tuple(x / r for x in v))
            assert units(a, lst) == want


def test_periodic_small_box_uses_the_bond_shifts():
    si = bulk("Si", "diamond", a=5.43)  # every bond of the 2-atom cell crosses the boundary
    fr = frame(si)
    from structcheck.linter.chemistry import small_graph

    z, nb = small_graph(fr)
    units = _unit_vectors(fr)
    cos = _cosines(units(0, nb[0]))
    assert len(cos) == 6 and all(abs(c + 1 / 3) < 1e-9 for c in cos)  # tetrahedral


def test_sp3_carbon_angles_agree_with_the_vectorised_rule():
    ch4 = molecule("CH4")
    flat = Atoms("CH4", [[0, 0, 0], [1.09, 0, 0], [0, 1.09, 0], [-1.09, 0, 0], [0, -1.09, 0]])
    for atoms, bad in ((ch4, False), (flat, True), (molecule("C3H8"), False), (molecule("trans-butane"), False)):
        fr = frame(atoms)
        small = [(a, p) for a, p, ang, lim, what in angle_hits(fr) if what == "four-coordinate centre"]
        big = [(a, p) for a, p, ang, lim, what in classic_angles(fr) if what == "sp3 carbon"]
        assert small == big
        assert bool(small) == bad


def test_flat_triple_and_angle_to_hydrogen_prefilters_keep_their_findings():
    # three partners coplanar with the centre (a pyramid pressed flat), one above: found
    d = 1.09
    flat3 = Atoms("CH4", [[0, 0, 0], [0, 0, d]] + [[d * math.cos(t), d * math.sin(t), 0]
                                                    for t in np.radians([0, 120, 240])])
    assert [x[4] for x in angle_hits(frame(flat3))] == \
        ["four-coordinate centre, three partners coplanar with it: sum of angles"]
    # an H at 60 degrees to another partner: found; cyclopropane's 60 degree C-C-C: not
    squeezed = Atoms("CH4", [[0, 0, 0], [d, 0, 0], [d * math.cos(math.radians(60)), d * math.sin(math.radians(60)), 0],
                             [-0.6, -0.6, 0.7], [-0.6, -0.3, -0.9]])
    assert [x[4] for x in angle_hits(frame(squeezed))] == ["four-coordinate centre, angle to H"]
    assert angle_hits(frame(molecule("C3H6_D3h"))) == []
    assert angle_hits(frame(molecule("C5H8"))) == []  # spiropentane: every carbon strained


def test_terminal_length_prefilter_keeps_every_underbonded_terminal_atom():
    from structcheck.linter.chemistry import small_bond_numbers, small_graph
    from structcheck.linter.stretch import terminal_underbonded

    flagged = []
    for d in np.linspace(1.15, 1.75, 121):  # formaldehyde's C=O pulled out past the limit
        a = molecule("H2CO")
        o = int(np.flatnonzero(a.numbers == 8)[0])
        c = int(np.flatnonzero(a.numbers == 6)[0])
        u = (a.positions[o] - a.positions[c]) / np.linalg.norm(a.positions[o] - a.positions[c])
        a.positions[o] = a.positions[c] + d * u
        fr = frame(a)
        z, nb = small_graph(fr)
        if len(nb[o]) != 1:
            continue  # no longer bonded
        want = small_bond_numbers(fr)[nb[o][0][1]] < 0.6  # the rule's definition, no length test
        got = [r[0] for r in terminal_underbonded(fr)] == [o]
        assert got == want, d
        flagged.append(got)
    assert True in flagged and False in flagged


def test_zone_span_without_a_carbon_pair_keeps_every_candidate():
    """One carbon: no C-C pair can occur, so the span leaves C-C out (CH4, CH3Cl: no zone pass),
    and a stretched C-O of methanol is found with either span, on both paths."""
    assert _zone_span_for((1, 6), False) is None and _zone_span_for((1, 6), True) is not None
    for co, found in ((1.43, False), (1.75, True), (1.62, False)):
        a = molecule("CH3OH")
        c, o = int(np.flatnonzero(a.numbers == 6)[0]), int(np.flatnonzero(a.numbers == 8)[0])
        u = a.positions[o] - a.positions[c]
        u /= np.linalg.norm(u)
        side = (a.positions - a.positions[c]) @ u > 0.5  # O and its H move out along C-O
        a.positions[side] += (co - np.linalg.norm(a.positions[o] - a.positions[c])) * u
        fr = frame(a)
        key = tuple(fr.species.tolist())
        got = {zone_candidates(fr, *_zone_span_for(key, t), small=s) == zone_candidates(fr, *_zone_span_for(key))
               for t in (True, False) for s in (True, False)}
        assert got == {True}, co
        assert bool(zone_candidates(fr, *_zone_span_for(key, False))) == found, co
        hits = [h for h in engine.lint_atoms(a, load_config(), "m.xyz", 0, 1) if h.name == "bond-length"]
        assert bool(hits) == found, (co, hits)


def test_one_partner_pass_matches_the_bonded_pairs_and_keeps_findings():
    """bond-length's H-stretch and terminal checks share one memoised pass over the atoms
    (stretch.one_partner): it lists exactly the atoms with one bonded partner (numpy's
    coordination), and a stretched O-H (water) and C=O (formaldehyde) are still found."""
    from structcheck.linter.stretch import one_partner, terminal_underbonded

    for name, stretch_to, rule_hit in (("H2O", None, False), ("H2O", 1.25, True), ("H2CO", None, False),
                                       ("H2CO", 1.60, True)):
        a = molecule(name)
        if stretch_to is not None:  # an H of water / the O of formaldehyde moved out along its bond
            heavy = int(np.flatnonzero(a.numbers == (8 if name == "H2O" else 6))[0])
            t = 1 if name == "H2O" else int(np.flatnonzero(a.numbers == 8)[0])
            u = a.positions[t] - a.positions[heavy]
            a.positions[t] = a.positions[heavy] + u / np.linalg.norm(u) * stretch_to
        fr = frame(a)
        b = fr.bonded_pairs
        want = []
        for x in range(len(a)):
            if fr.coordination[x] == 1:
                k = int(np.flatnonzero((b.i == x) | (b.j == x))[0])
                want.append((x, int(b.j[k] if b.i[k] == x else b.i[k]), k))
        assert one_partner(fr) == want, name
        assert one_partner(fr) is one_partner(fr)  # memoised
        hits = [h for h in engine.lint_atoms(a, load_config(), "m.xyz", 0, 1) if h.name == "bond-length"]
        assert bool(hits) == rule_hit, (name, stretch_to, hits)
        if name == "H2CO":
            assert bool(terminal_underbonded(frame(a))) == rule_hit
