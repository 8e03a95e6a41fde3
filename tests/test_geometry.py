"""Geometry rules: a clean and a failing case each, asserting the flagged atoms."""

import numpy as np
import pytest
from ase import Atoms
from ase.build import bulk, fcc111, molecule

import structcheck


def by(findings, code):
    return [f for f in findings if f.code == code]


# ------------------------------------------------------------------ close-contact SC102

def test_report_start_close_contacts_and_isolated(h2o3):
    found = structcheck.lint(h2o3)
    cc = by(found, "SC102")
    assert [f.atoms for f in cc] == [(0, 1), (0, 3), (1, 2)]
    assert all(f.severity == "error" and f.fixable for f in cc)
    assert [f.value for f in cc] == pytest.approx([0.34641] * 3, abs=1e-4)
    assert cc[0].unit == "Å" and cc[0].threshold == pytest.approx(0.59)  # H-H pair override
    assert cc[1].threshold == pytest.approx(0.7 * (0.31 + 0.66))
    assert [f.atoms for f in by(found, "SC103")] == [(4,)]


def test_common_tools_miss_it_but_we_do_not(h2o3):
    from ase.data import covalent_radii

    # MOFChecker's overlap rule d < min(r_i, r_j) lets 0.346 Å H-H through
    assert 0.3464 > covalent_radii[1]
    assert by(structcheck.lint(h2o3), "SC102")


def test_close_contact_clean(water):
    assert structcheck.lint(water) == []


def test_close_contact_only_through_periodic_image():
    a = Atoms("O2", positions=[(0.1, 2, 2), (4.8, 2, 2)], cell=[5, 5, 5], pbc=True)
    f = by(structcheck.lint(a), "SC102")
    assert [x.atoms for x in f] == [(0, 1)]
    assert f[0].value == pytest.approx(0.3)
    assert "periodic image" in f[0].message
    a.pbc = False
    assert by(structcheck.lint(a), "SC102") == []


def test_close_contact_triclinic_image():
    cell = [[5, 0, 0], [2.5, 4.33, 0], [0, 0, 6]]
    a = Atoms("C2", cell=cell, pbc=True)
    a.set_scaled_positions([(0.01, 0.01, 0.5), (0.97, 0.95, 0.5)])
    d = a.get_distance(0, 1, mic=True)
    f = by(structcheck.lint(a), "SC102")
    assert [x.atoms for x in f] == [(0, 1)] and f[0].value == pytest.approx(d, abs=1e-6)


def test_mixed_periodicity_slab():
    slab = fcc111("Cu", (2, 2, 3), vacuum=5.0)  # pbc T T F
    assert by(structcheck.lint(slab), "SC102") == []
    top = slab.positions[:, 2].max()
    ad = Atoms("H", positions=[(slab.cell[0, 0] - 0.05, 0.0, top + 0.6)])
    slab2 = slab + ad
    # the H sits 0.6 Å above an atom that is reached only through the x boundary
    found = by(structcheck.lint(slab2), "SC102")
    assert found and all(len(slab) in x.atoms for x in found)
    # no contact through the non-periodic z direction
    b = Atoms("H2", positions=[(1, 1, 0.1), (1, 1, 2 * slab.cell[2, 2] - 0.1)], cell=slab.cell, pbc=[1, 1, 0])
    assert by(structcheck.lint(b), "SC102") == []


def test_cell_smaller_than_cutoff_self_image():
    a = Atoms("H", positions=[(0, 0, 0)], cell=[0.3, 3, 3], pbc=True)
    f = by(structcheck.lint(a), "SC102")
    assert [x.atoms for x in f] == [(0, 0)]


@pytest.mark.parametrize("name,kw", [("Cu", {"crystalstructure": "fcc", "a": 3.6}),
                                     ("Si", {"crystalstructure": "diamond", "a": 5.43}),
                                     ("NaCl", {"crystalstructure": "rocksalt", "a": 5.64}),
                                     ("Fe", {"crystalstructure": "bcc", "a": 2.87}),
                                     ("MgO", {"crystalstructure": "rocksalt", "a": 4.21}),
                                     ("Ti", {"crystalstructure": "hcp", "a": 2.95, "c": 4.68}),
                                     ("ZnS", {"crystalstructure": "zincblende", "a": 5.41})])
def test_ordinary_crystals_are_clean(name, kw):
    a = bulk(name, **kw)
    assert structcheck.lint(a) == []
    assert structcheck.lint(a.repeat((2, 2, 2))) == []


# ------------------------------------------------------------------ overlapping-atoms SC101

def test_overlapping_atoms(water):
    a = water + Atoms("O", positions=[water.positions[0] + (0.02, 0, 0)])
    f = structcheck.lint(a)
    assert [x.atoms for x in by(f, "SC101")] == [(0, 3)]
    # an overlap is not also a close contact
    assert (0, 3) not in [x.atoms for x in by(f, "SC102")]
    assert by(structcheck.lint(water), "SC101") == []


def test_overlap_through_periodic_image():
    a = Atoms("Cu2", positions=[(0.01, 1, 1), (3.59, 1, 1)], cell=[3.6, 3.6, 3.6], pbc=True)
    assert [x.atoms for x in by(structcheck.lint(a), "SC101")] == [(0, 1)]


# ------------------------------------------------------------------ isolated-atom SC103, fragments SC104

def test_isolated_atom_clean_cases(water):
    assert by(structcheck.lint(water), "SC103") == []
    assert by(structcheck.lint(Atoms("Ar")), "SC103") == []
    assert by(structcheck.lint(Atoms("Ar2", positions=[(0, 0, 0), (5, 0, 0)])), "SC103") == []


def test_isolated_atom_flags_lone_o(water):
    a = water + Atoms("O", positions=[(4.0, 0, 0)])
    assert [x.atoms for x in by(structcheck.lint(a), "SC103")] == [(3,)]


def test_fragments():
    from ase.collections import s22

    dimer = s22["Water_dimer"]
    f = by(structcheck.lint(dimer), "SC104")
    assert len(f) == 1 and f[0].severity == "info" and f[0].atoms == tuple(range(6))
    mixed = molecule("CH3CH2OH") + molecule("H2O")
    mixed.positions[-3:] += (6, 0, 0)
    assert [x.atoms for x in by(structcheck.lint(mixed), "SC104")] == [(9, 10, 11)]
    assert by(structcheck.lint(molecule("CH3CH2OH")), "SC104") == []
    # periodic structures are exempt (molecular crystals are many fragments)
    dimer.cell = [15, 15, 15]
    dimer.pbc = True
    assert by(structcheck.lint(dimer), "SC104") == []


# ------------------------------------------------------------------ over-coordinated SC105

def test_over_coordinated_h(water):
    h = water.positions[1]
    a = water + Atoms("H", positions=[h + (0.0, 0.5, 0.5)])
    f = by(structcheck.lint(a), "SC105")
    flagged = {x.atoms[0] for x in f}
    assert 1 in flagged
    assert all(x.value > x.threshold for x in f)


def test_over_coordinated_clean():
    for name in ("CH4", "NH3", "PF3", "C6H6", "SO2", "H2O2"):
        assert by(structcheck.lint(molecule(name)), "SC105") == [], name


def test_over_coordinated_carbon_with_five():
    a = molecule("CH4")
    a += Atoms("H", positions=[-(a.positions[1] + a.positions[2])])  # a fifth H near C
    f = by(structcheck.lint(a), "SC105")
    assert f and f[0].atoms[0] == 0 and f[0].value == 5


# ------------------------------------------------------------------ suspect-units SC106

def test_suspect_units_bohr_read_as_angstrom():
    a = molecule("CH3CH2OH")
    a.positions /= 0.529177
    f = by(structcheck.lint(a), "SC106")
    assert len(f) == 1 and "Bohr coordinates read as Å" in f[0].message
    assert f[0].atoms == tuple(range(len(a)))


def test_suspect_units_angstrom_converted_as_bohr():
    a = molecule("CH3CH2OH")
    a.positions *= 0.529177
    f = by(structcheck.lint(a), "SC106")
    assert len(f) == 1 and "as if they were Bohr" in f[0].message


def test_suspect_units_fractional_as_cartesian():
    si = bulk("Si", "diamond", a=5.43, cubic=True)
    bad = si.copy()
    bad.positions = si.get_scaled_positions()
    f = by(structcheck.lint(bad), "SC106")
    assert len(f) == 1 and "fractional" in f[0].message


def test_suspect_units_clean():
    assert by(structcheck.lint(molecule("CH3CH2OH")), "SC106") == []
    assert by(structcheck.lint(bulk("Si", "diamond", a=5.43, cubic=True)), "SC106") == []
    ar = bulk("Ar", "fcc", a=5.26)  # noble-gas crystals have long nearest-neighbour distances
    assert structcheck.lint(ar.repeat(2)) == []


def test_checks_do_not_mutate(h2o3):
    before = h2o3.copy()
    structcheck.lint(h2o3)
    assert np.array_equal(before.positions, h2o3.positions) and before == h2o3
