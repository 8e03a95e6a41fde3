"""Composition rules: odd-electron-count, valence, charge-imbalance, formula-mismatch;
g2, s22 and the structures pymatgen ships give no error from any rule."""

from __future__ import annotations

import warnings

import pytest
from ase import Atoms
from ase.build import bulk, molecule
from ase.collections import g2, s22
from ase.spacegroup import crystal

import structcheck
from structcheck.linter.registry import all_rules


def by(findings, code):
    return [f for f in findings if f.code == code]


def ethane_without(*hydrogens):
    """molecule('C2H6'): C0, C1, H2-H4 on C0, H5-H7 on C1."""
    a = molecule("C2H6")
    del a[list(hydrogens)]
    return a


def nacl_cell():
    return bulk("NaCl", "rocksalt", a=5.64, cubic=True)  # Na4Cl4: Na at even, Cl at odd indices


def rutile():
    return crystal(["Ti", "O"], basis=[(0, 0, 0), (0.305, 0.305, 0)], spacegroup=136,
                   cellpar=[4.594, 4.594, 2.959, 90, 90, 90])


# ---------------------------------------------------------------- SC201 odd-electron-count


def test_odd_electron_count():
    ch3 = molecule("CH3")
    ch3.set_initial_magnetic_moments(None)
    f = by(structcheck.lint(ch3), "SC201")
    assert len(f) == 1 and f[0].atoms == () and f[0].value == 9.0 and f[0].severity == "warning"
    assert by(structcheck.lint(molecule("CH3")), "SC201") == []  # g2 declares the radical's moment
    ch3.info["multiplicity"] = 2
    assert by(structcheck.lint(ch3), "SC201") == []
    ch3.info = {"charge": 1}  # the methyl cation: 8 electrons
    assert by(structcheck.lint(ch3), "SC201") == []
    assert by(structcheck.lint(molecule("H2O")), "SC201") == []


# ---------------------------------------------------------------- SC202 valence


def test_valence_clean_cases():
    for a in (molecule("C2H6"), molecule("C6H6"), molecule("CH3NO2"), molecule("CO"), molecule("O3"),
              molecule("SO2"), molecule("C60"), molecule("CH3")):
        assert by(structcheck.lint(a), "SC202") == [], a.get_chemical_formula()


def test_valence_missing_hydrogen_flags_the_carbon():
    f = by(structcheck.lint(ethane_without(2)), "SC202")
    assert [x.atoms for x in f] == [(0,)] and f[0].severity == "warning"
    assert "C0" in f[0].message and "charge 0" in f[0].message
    # declared radical: the deficit is allowed
    rad = ethane_without(2)
    rad.info["multiplicity"] = 2
    assert by(structcheck.lint(rad), "SC202") == []


def test_valence_phenyl_flags_the_ring():
    ph = molecule("C6H6")
    del ph[6]  # the H on C0
    f = by(structcheck.lint(ph), "SC202")
    assert len(f) == 1 and set(f[0].atoms) <= set(range(6)) and len(f[0].atoms) >= 5
    ph.set_initial_magnetic_moments([1.0] + [0.0] * (len(ph) - 1))
    assert by(structcheck.lint(ph), "SC202") == []


def test_valence_same_bond_graph_answered_once_per_state(monkeypatch):
    """Frames sharing a bond graph (a trajectory, conformers) share the answer: each frame
    is still flagged on its own atoms, and charge/spin changes give a new answer."""
    from structcheck.linter.checks import valence as composition

    monkeypatch.setattr(composition, "_VALENCE_MEMO", {})
    monkeypatch.setattr(composition, "_VALENCE_MEMO_SIZE", 2)
    calls = []
    real = composition._valence_hits
    monkeypatch.setattr(composition, "_valence_hits", lambda *a: calls.append(1) or real(*a))
    ph = molecule("C6H6")
    del ph[6]
    frames = []
    for k in range(4):
        f = ph.copy()
        f.rattle(0.01, seed=k)
        frames.append(f)
    found = [by(structcheck.lint(f), "SC202") for f in frames]
    assert len(calls) == 1
    assert all(len(x) == 1 and x[0].atoms == found[0][0].atoms for x in found)
    assert found[0][0].data is not found[1][0].data  # no shared mutable data
    rad = frames[0].copy()
    rad.set_initial_magnetic_moments([1.0] + [0.0] * (len(rad) - 1))
    assert by(structcheck.lint(rad), "SC202") == [] and len(calls) == 2
    by(structcheck.lint(ethane_without(2)), "SC202")
    assert len(composition._VALENCE_MEMO) == 2  # bounded


def test_valence_charge_declared():
    nh4 = molecule("NH3")
    nh4.append("H")
    nh4.positions[-1] = nh4.positions[0] + [0, 0, -1.02]
    f = by(structcheck.lint(nh4), "SC202")
    assert [x.atoms for x in f] == [(0,)]  # N with four bonds needs a + charge
    nh4.info["charge"] = 1
    assert by(structcheck.lint(nh4), "SC202") == []
    oh = molecule("OH")
    oh.set_initial_magnetic_moments(None)
    oh.info["charge"] = -1
    assert by(structcheck.lint(oh), "SC202") == []


def test_valence_h2o3_report(h2o3):
    f = by(structcheck.lint(h2o3), "SC202")
    # both H of the DeePMD-kit start sit inside three atoms' bonding range
    assert sorted(x.atoms for x in f) == [(0,), (1,)]
    assert all("H" in x.message and "3 bonded neighbours" in x.message for x in f)


def test_valence_skips_periodic_and_unknown_elements():
    assert by(structcheck.lint(bulk("Si", "diamond", 5.43)), "SC202") == []
    fe = Atoms("FeH5", positions=[(0, 0, 0), (1.5, 0, 0), (-1.5, 0, 0), (0, 1.5, 0), (0, -1.5, 0), (0, 0, 1.5)])
    assert by(structcheck.lint(fe), "SC202") == []  # no valence table for Fe


# ---------------------------------------------------------------- SC203 charge-imbalance


def test_charge_imbalance_off_by_default():
    r = {x.code: x for x in all_rules()}["SC203"]
    assert r.name == "charge-imbalance" and r.default_enabled is False


def test_charge_imbalance_clean():
    for a in (nacl_cell(), rutile(), nacl_cell().repeat(2), bulk("Cu"), bulk("Si", "diamond", 5.43)):
        assert by(structcheck.lint(a, select=["charge-imbalance"]), "SC203") == [], a.get_chemical_formula()


@pytest.mark.parametrize("site, symbol, formula", [(1, "Na", "Na5Cl3"), (0, "Cl", "Na3Cl5")])
def test_charge_imbalance_flags_wrong_ion(site, symbol, formula):
    a = nacl_cell()
    a.symbols[site] = symbol
    f = by(structcheck.lint(a, select=["charge-imbalance"]), "SC203")
    assert len(f) == 1 and f[0].severity == "warning" and formula in f[0].message
    # a declared charged cell is balanced
    a.info["charge"] = 2 if symbol == "Na" else -2
    assert by(structcheck.lint(a, select=["charge-imbalance"]), "SC203") == []


def test_charge_imbalance_cli_extend_select(run_cli, tmp_path):
    bad = nacl_cell()
    bad.symbols[1] = "Na"
    bad.write(tmp_path / "bad.cif")
    rutile().write(tmp_path / "rutile.cif")
    code, out, _ = run_cli("lint", "--isolated", "--extend-select", "charge-imbalance", "bad.cif", "rutile.cif")
    assert code == 1 and "SC203" in out and "bad.cif" in out and "rutile.cif:" not in out
    code, out, _ = run_cli("lint", "--isolated", "--extend-select", "charge-imbalance", "rutile.cif")
    assert code == 0, out


# ---------------------------------------------------------------- SC204 formula-mismatch


def test_formula_mismatch():
    w = molecule("H2O")
    assert by(structcheck.lint(w, expect_formula="H2O"), "SC204") == []
    w2 = w.copy()
    w2.cell = [6, 6, 6]
    assert by(structcheck.lint(w2.repeat((2, 1, 1)), expect_formula="OH2"), "SC204") == []  # reduced
    f = by(structcheck.lint(w, expect_formula="H3O"), "SC204")
    assert len(f) == 1 and f[0].atoms == () and "H2O" in f[0].message and "H3O" in f[0].message
    w.info["expected_formula"] = "CH4"
    assert len(by(structcheck.lint(w), "SC204")) == 1


# ---------------------------------------------------------------- reference sets: no error


@pytest.mark.parametrize("collection", [g2, s22], ids=["g2", "s22"])
def test_reference_molecules_have_no_error(collection):
    errors, valence = [], []
    for name in collection.names:
        found = structcheck.lint(collection[name])
        errors += [(name, f.code, f.message) for f in found if f.severity == "error"]
        valence += [(name, f.message) for f in by(found, "SC202")]
    assert errors == []
    assert valence == []


def _pymatgen_structures():
    from pymatgen.util.testing import STRUCTURES_DIR

    return sorted(STRUCTURES_DIR.glob("*.json"))


@pytest.mark.parametrize("source", _pymatgen_structures(), ids=lambda p: p.stem)
def test_pymatgen_structures_have_no_error(source, tmp_path):
    """The structures pymatgen ships (pymatgen/util/structures), written as CIF and linted
    from the file. A partially occupied CIF (Li10GeP2S12): its contacts between partially
    occupied sites are disorder (info, issue 12), nothing is an error."""
    from pymatgen.core import Structure

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        s = Structure.from_file(source)
        path = tmp_path / "structure.cif"
        s.to(filename=str(path))
    found = structcheck.lint(path, extend_select=["charge-imbalance"])
    assert by(found, "SC001") == []
    errors = [f for f in found if f.severity == "error"]
    assert errors == []
    if s.is_ordered:
        assert by(found, "SC203") == []
    else:
        (d,) = [f for f in found if f.name == "disorder-contact"]
        assert d.severity == "info" and "partially occupied" in d.message


def test_charge_imbalance_is_off_by_default():
    from structcheck.linter.config import load_config

    assert "SC203" not in load_config(use_project=False).enabled
    assert "SC203" in load_config(use_project=False, extend_select=["charge-imbalance"]).enabled



def test_valence_large_aromatic_and_node_cap():
    from ase.build import graphene_nanoribbon

    rib = graphene_nanoribbon(4, 10, type="armchair", saturated=True, vacuum=5.0)  # C160H40
    rib.pbc = False
    assert len(rib) == 200
    assert by(structcheck.lint(rib, select=["valence"]), "SC202") == []
    h = [i for i, s in enumerate(rib.symbols) if s == "H"]
    radical = rib.copy()
    del radical[h[3]]
    f = by(structcheck.lint(radical, select=["valence"]), "SC202")
    assert len(f) == 1 and all(radical.symbols[i] == "C" for i in f[0].atoms)
    assert structcheck.lint(radical, select=["valence"], params={"valence": {"max_atoms": 100}}) == []


def test_valence_separated_charges_and_node_cap():
    # CH3 + CH3 at total charge 0: only C+ ... C- far apart would do; a separated charge on
    # carbon needs an opposite charge on a bonded atom: a search is needed to find that out
    pair = molecule("CH3") + molecule("CH3")
    pair.set_initial_magnetic_moments(None)
    pair.positions[4:] += [5.0, 0, 0]
    f = by(structcheck.lint(pair, select=["valence"]), "SC202")
    assert [x.atoms for x in f] == [(0,), (4,)]
    # a search cut short reports no valence finding rather than guessing; valence-not-checked says so
    from ase.build import graphene_nanoribbon

    rib = graphene_nanoribbon(4, 10, type="armchair", saturated=True, vacuum=5.0)
    rib.pbc = False
    rib.info["charge"] = 2
    assert structcheck.lint(rib, select=["valence"], params={"valence": {"max_nodes": 3}}) == []
    cut = structcheck.lint(rib, select=["valence", "valence-not-checked"], params={"valence": {"max_nodes": 3}})
    assert [x.name for x in cut] == ["valence-not-checked"] and "undecided" in cut[0].message
    assert cut[0].severity == "info" and cut[0].atoms == tuple(range(len(rib)))
    pair.info["charge"] = 0
    pair.info["multiplicity"] = 1
    assert len(by(structcheck.lint(pair, select=["valence"]), "SC202")) == 2
    # on heteroatoms separated charges are real chemistry: an H3O+ ... OH- ion pair, a zwitterion
    ions = molecule("H2O")
    ions.append("H")
    ions.positions[-1] = [0, 0.76, 0.9]
    oh = molecule("OH")
    oh.set_initial_magnetic_moments(None)
    oh.translate([4, 0, 0])
    ions += oh
    assert by(structcheck.lint(ions, select=["valence"]), "SC202") == []


def test_valence_saturated_molecules_skip_the_search_only_at_charge_zero():
    # every atom saturated by single bonds: nothing to report at charge 0, even with a
    # node cap below the bond count (the search would stop undecided: also nothing)
    ethane = molecule("C2H6")
    assert by(structcheck.lint(ethane, select=["valence"]), "SC202") == []
    assert structcheck.lint(ethane, select=["valence"], params={"valence": {"max_nodes": 2}}) == []
    # a declared charge still goes through the search: C2H6 at +1 has no valid valences
    ethane.info["charge"] = 1
    f = by(structcheck.lint(ethane, select=["valence"]), "SC202")
    assert len(f) == 1 and "at charge 1" in f[0].message
    # two saturated molecules, one of them declared as a radical pair: still clean
    pair = molecule("CH4") + molecule("H2O")
    pair.positions[5:] += [5.0, 0, 0]
    pair.info["multiplicity"] = 1
    assert by(structcheck.lint(pair, select=["valence"]), "SC202") == []
