"""Structures as users hold them, through the public API: ase.Atoms, lists, generators,
ase.io.Trajectory, ase.db rows and connections, pymatgen Structure/IStructure/Molecule/IMolecule;
and their notebook display (HTML table, readable Finding)."""

import pytest
from ase import Atoms
from ase.build import bulk, molecule

import structcheck

pmg = pytest.importorskip("pymatgen.core", reason="pymatgen is not installed (pip install 'structcheck[composition]')")


def _bad_water():
    a = molecule("H2O")
    a.positions[1] = a.positions[0] + [0.30, 0.0, 0.0]  # O–H at 0.30 Å: close-contact
    return a


def _bad_crystal():
    from pymatgen.core import Lattice, Structure

    return Structure(Lattice.cubic(4.0), ["Na", "Cl"], [[0, 0, 0], [0.35, 0, 0]])  # Na–Cl 1.40 Å


def _codes(found):
    return sorted({f.code for f in found})


def test_atoms_list_generator_trajectory(tmp_path):
    from ase.io import Trajectory

    bad, good = _bad_water(), molecule("CH4")
    assert _codes(structcheck.lint(bad)) == ["SC102"]
    frames = [bad, good, bad]
    by_list = structcheck.lint(frames)
    assert [f.frame for f in by_list] == [0, 2]
    assert structcheck.lint(iter(frames)) == by_list
    assert structcheck.lint(a for a in frames) == by_list
    with Trajectory(tmp_path / "run.traj", "w") as traj:
        for a in frames:
            traj.write(a)
    with Trajectory(tmp_path / "run.traj") as traj:
        assert [(f.code, f.frame) for f in structcheck.lint(traj)] == [(f.code, f.frame) for f in by_list]
    assert structcheck.lint([str(tmp_path / "run.traj")])[0].path.endswith("run.traj")  # a list of paths


def test_ase_db_rows_and_connection(tmp_path):
    from ase.db import connect

    db = connect(tmp_path / "s.db")
    db.write(_bad_water())
    db.write(molecule("CH4"))
    row = db.get(id=1)
    assert _codes(structcheck.lint(row)) == ["SC102"]
    assert structcheck.lint(db.get(id=2)) == []
    assert [f.frame for f in structcheck.lint(db)] == [0]
    assert [f.frame for f in structcheck.lint(db.select())] == [0]
    assert structcheck.preflight(db.get(id=2)).get_chemical_formula() == "CH4"  # the row's Atoms
    fixed, _ = structcheck.fix(row)
    assert isinstance(fixed, Atoms) and not [f for f in structcheck.lint(fixed) if f.severity == "error"]


@pytest.mark.parametrize("immutable", [False, True])
def test_pymatgen_structure_round_trips(immutable):
    from pymatgen.core import IStructure, Structure

    st = _bad_crystal()
    if immutable:
        st = IStructure.from_sites(st.sites)
    found = structcheck.lint(st)
    assert _codes(found) == ["SC102"] and found[0].atoms == (0, 1)
    fixed, _ = structcheck.fix(st)
    assert type(fixed) is (IStructure if immutable else Structure)
    assert fixed.lattice == st.lattice and [s.species_string for s in fixed] == ["Na", "Cl"]
    assert fixed[0].distance(fixed[1]) > 0.7 * (1.66 + 1.02)  # beyond the close-contact distance
    assert structcheck.lint(fixed) == []
    with pytest.raises(structcheck.PreflightError):
        structcheck.preflight(st)
    again = structcheck.preflight(st, fix=True)
    assert type(again) is type(st)


@pytest.mark.parametrize("immutable", [False, True])
def test_pymatgen_molecule_round_trips_with_charge(immutable):
    from pymatgen.core import IMolecule, Molecule
    from pymatgen.io.ase import AseAtomsAdaptor

    bad = _bad_water()
    mol = AseAtomsAdaptor.get_molecule(bad)
    mol.set_charge_and_spin(1, 2)  # H2O+: odd electrons, declared doublet
    if immutable:
        mol = IMolecule.from_sites(mol.sites, charge=1, spin_multiplicity=2)
    found = _codes(structcheck.lint(mol))
    assert "SC102" in found and "SC201" not in found  # no odd-electron warning: charge/spin passed on
    fixed, _ = structcheck.fix(mol)
    assert type(fixed) is (IMolecule if immutable else Molecule)
    assert (fixed.charge, fixed.spin_multiplicity) == (1, 2)
    assert "charge" not in fixed.properties and not [f for f in structcheck.lint(fixed) if f.severity == "error"]
    radical = Molecule(["O", "H"], [[0, 0, 0], [0, 0, 0.97]])  # OH: a Molecule always carries its spin
    assert structcheck.lint(radical) == []
    assert "SC201" in _codes(structcheck.lint(AseAtomsAdaptor.get_atoms(radical)))  # as Atoms: undeclared


def test_lint_refuses_unknown_objects_in_one_line():
    with pytest.raises(TypeError, match="expected an ase.Atoms, a pymatgen"):
        structcheck.lint(42)


def test_pymatgen_imported_only_when_a_pymatgen_object_arrives():
    import subprocess
    import sys

    code = ("import sys, structcheck\nfrom ase.build import molecule\n"
            "structcheck.lint([molecule('H2O')]); structcheck.fix(molecule('H2O'))\n"
            "print('pymatgen' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split()[-1] == "False"


def test_findings_show_as_a_table_in_a_notebook():
    found = structcheck.lint([_bad_water(), bulk("Cu", cubic=True), Atoms("H", positions=[[0, 0, 0]])])
    assert isinstance(found, list)
    html = found._repr_html_()
    assert html.startswith('<div class="structcheck-findings">')
    assert found.summary() in html and "1 error" in found.summary()
    for col in ("code", "severity", "atoms", "message"):
        assert f"<th>{col}</th>" in html
    assert "SC102" in html and "O0–H1 at 0.300 Å" in html and "0, 1" in html
    assert "<script" not in html
    evil = structcheck.Finding("SC001", "unreadable-structure", "error", "<script>x</script>", path="<b>.xyz")
    assert "&lt;script&gt;" in evil._repr_html_() and "&lt;b&gt;.xyz" in evil._repr_html_()
    f = found[0]
    assert repr(f).startswith("Finding(SC102 error close-contact, atoms=(0, 1), frame=0")
    assert len(repr(f)) < 160 and "\n" not in repr(f)
    assert str(f) == "<atoms>: SC102 [error] close-contact: O0–H1 at 0.300 Å < 0.679 Å (frame 0; atoms 0, 1) [*]"
    assert "FindingList([" in repr(found) and found.summary() in repr(found)
    assert structcheck.lint(molecule("CH4"))._repr_html_().count("no findings") == 1
