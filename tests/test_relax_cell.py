"""relax with a cell filter, filters passed in, periodicity warnings, and the provenance record
(one schema for relax and multi-start, enough to repeat the run).

The crystal runs use ASE's EMT (a toy calculator: `--calculator emt`, `calculator=EMT()`) on fcc
Cu, because the shipped DPA2 model knows only H and O and was trained without periodicity;
the record and warning tests that need the shipped model run where deepmd-kit is installed.
"""

from __future__ import annotations

import importlib.util
import json
import warnings
from pathlib import Path

import numpy as np
import pytest
from ase.build import bulk, molecule
from ase.calculators.emt import EMT
from ase.constraints import FixAtoms
from ase.filters import FrechetCellFilter
from ase.io import read, write

import structcheck
from structcheck.dp.provenance import atoms_from_record, atoms_sha256
from structcheck.dp.relax import PeriodicityWarning

HAVE_DEEPMD = importlib.util.find_spec("deepmd") is not None
needs_deepmd = pytest.mark.skipif(not HAVE_DEEPMD, reason="deepmd-kit is not installed (python -m structcheck.install_deepmd)")
SECTIONS = {"structcheck_provenance", "kind", "created_utc", "command", "input", "model", "parameters", "versions",
            "hardware", "runtime", "preflight", "warnings", "timings_s", "total_seconds", "output"}


def stretched_cu(factor=1.04):
    a = bulk("Cu", cubic=True)  # a = 3.61 Å; EMT's minimum is 3.59 Å
    a.set_cell(a.cell * factor, scale_atoms=True)
    return a


def test_cli_cell_filter_changes_the_cell_and_the_record_says_so(run_cli, tmp_path):
    start = tmp_path / "cu.extxyz"
    write(start, stretched_cu())
    code, out, err = run_cli("relax", start, "--calculator", "emt", "--cell-filter", "frechet", "-o",
                             tmp_path / "cu.relaxed.extxyz")
    assert code == 0, err
    assert "converged in" in out and "cell: 52.9" in out and "Å^3" in out
    rec = json.loads((tmp_path / "cu.relaxed.provenance.json").read_text())
    cell = rec["run"]["cell"]
    assert cell["relaxed"] is True and cell["changed"] is True
    assert cell["filter"]["class"] == "ase.filters.FrechetCellFilter"
    assert rec["parameters"]["cell_filter"] == cell["filter"]
    assert np.allclose(np.diag(cell["initial_A"]), 3.61 * 1.04, atol=1e-6)
    final = read(tmp_path / "cu.relaxed.extxyz")
    assert np.allclose(final.cell.lengths(), 3.5929, atol=2e-3)   # EMT's Cu lattice constant
    assert np.allclose(np.diag(cell["final_A"]), final.cell.lengths(), atol=1e-6)
    assert cell["volume_change_percent"] < -10
    assert max(abs(x) for x in cell["final_stress_eV_per_A3"]) < 0.05
    assert rec["model"]["path"] is None and rec["model"]["calculator"] == "ase.calculators.emt.EMT"
    # without the filter the cell stays as it was, and the record says that too
    code, _, err = run_cli("relax", start, "--calculator", "emt", "-o", tmp_path / "fixed.extxyz")
    assert code == 0, err
    rec = json.loads((tmp_path / "fixed.provenance.json").read_text())
    assert rec["run"]["cell"]["changed"] is False and rec["run"]["cell"]["relaxed"] is False


def test_cli_cell_filter_on_a_molecule_is_a_usage_error(run_cli, tmp_path):
    start = tmp_path / "water.xyz"
    write(start, molecule("H2O"))
    code, out, err = run_cli("relax", start, "--calculator", "emt", "--cell-filter", "frechet")
    assert code == 2 and "pbc=False" in err and len(err.strip().splitlines()) == 1
    assert not list(tmp_path.glob("*.relaxed.*"))


def test_a_filter_passed_in_is_honoured_with_its_parameters():
    a = stretched_cu()
    before = a.copy()
    free = structcheck.relax(FrechetCellFilter(a), calculator=EMT())
    pressed = structcheck.relax(FrechetCellFilter(a, scalar_pressure=0.01), calculator=EMT())
    assert free.provenance["run"]["cell"]["changed"] and pressed.provenance["run"]["cell"]["changed"]
    assert pressed.atoms.cell.lengths()[0] < free.atoms.cell.lengths()[0] < 3.61 * 1.04 - 0.1
    assert pressed.provenance["parameters"]["cell_filter"]["parameters"]["scalar_pressure"] == 0.01
    # the caller's Atoms (and its cell) are untouched
    assert np.array_equal(a.cell.array, before.cell.array) and np.array_equal(a.positions, before.positions)
    with pytest.raises(ValueError, match="one of them"):
        structcheck.relax(FrechetCellFilter(a), calculator=EMT(), cell_filter="frechet")
    with pytest.raises(ValueError, match="pbc=False"):
        structcheck.relax(molecule("H2O"), calculator=EMT(), cell_filter="frechet")


def test_pymatgen_structure_in_gives_a_structure_back():
    pytest.importorskip("pymatgen.core")
    from pymatgen.io.ase import AseAtomsAdaptor

    st = AseAtomsAdaptor.get_structure(stretched_cu())
    res = structcheck.relax(st, calculator=EMT(), cell_filter="frechet")
    assert type(res.structure) is type(st)
    assert res.structure.lattice.a == pytest.approx(res.atoms.cell.lengths()[0])
    assert st.lattice.a == pytest.approx(3.61 * 1.04)  # the input is not changed


def test_periodicity_mismatch_is_warned_and_recorded():
    box = stretched_cu()
    with pytest.warns(PeriodicityWarning, match="trained on non-periodic"):
        res = structcheck.relax(box, calculator=EMT(), model_periodic=False, steps=2)
    assert "pbc=[True, True, True]" in res.warnings[0] and res.provenance["warnings"] == res.warnings
    assert res.provenance["model"]["periodic"] is False
    mol = molecule("H2O")
    with pytest.warns(PeriodicityWarning, match="not periodic"):
        structcheck.relax(mol, calculator=EMT(), model_periodic=True, steps=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error", PeriodicityWarning)
        res = structcheck.relax(box, calculator=EMT(), steps=1)  # unknown periodicity: no warning
    assert res.warnings == [] and res.provenance["model"]["periodic"] is None


def test_record_is_enough_to_repeat_the_run(tmp_path):
    a = stretched_cu(1.02)
    a.set_constraint(FixAtoms(indices=[0]))
    a.set_initial_magnetic_moments([0.1, 0.0, 0.0, 0.0])
    res = structcheck.relax(a, calculator=EMT(), alpha=50.0, memory=7, maxstep=0.1,
                            output=tmp_path / "out.extxyz")
    rec = json.loads((tmp_path / "out.provenance.json").read_text())
    assert set(rec) >= SECTIONS and rec["kind"] == "relax" and rec["structcheck_provenance"] == 2
    # the optimizer's parameters as the optimizer object held them
    assert rec["parameters"]["optimizer_parameters"] == {"maxstep": 0.1, "memory": 7, "damping": 1.0, "alpha": 50.0,
                                                         "use_line_search": False}
    assert rec["run"]["optimizer"]["class"] == "ase.optimize.lbfgs.LBFGS"
    # the start itself, constraints included: rebuilt bit for bit
    again = atoms_from_record(rec)
    assert atoms_sha256(again) == rec["input"]["atoms_sha256"] == atoms_sha256(a)
    assert again.constraints[0].index.tolist() == [0] and rec["input"]["constraints"] == ["FixAtoms"]
    assert np.array_equal(again.get_initial_magnetic_moments(), a.get_initial_magnetic_moments())
    assert np.array_equal(res.atoms.positions[0], a.positions[0])  # the fixed atom stayed
    # repeating it from the record alone gives the same final structure
    p = rec["parameters"]
    twice = structcheck.relax(again, calculator=EMT(), fmax=p["fmax_eV_per_A"], steps=p["steps"],
                              **{k: v for k, v in p["optimizer_parameters"].items() if k != "use_line_search"})
    assert atoms_sha256(twice.atoms) == rec["output"]["final_atoms_sha256"]
    hw = rec["hardware"]
    assert hw["cpu_count"] >= 1 and hw["machine"] and "cpu_model" in hw and "memory_GiB" in hw
    for key in ("python", "structcheck", "ase", "numpy", "scipy"):
        assert rec["versions"][key], key
    assert rec["timings_s"]["lbfgs"] > 0 and rec["total_seconds"] > 0


@needs_deepmd
def test_relax_and_multistart_share_one_schema(run_cli, tmp_path):
    water = Path(__file__).resolve().parents[1] / "data" / "examples" / "water.xyz"
    code, _, err = run_cli("relax", water, "-q", "-o", tmp_path / "one.extxyz")
    assert code == 0, err
    code, _, err = run_cli("relax", water, "-q", "--starts", "2", "-o", tmp_path / "many.extxyz")
    assert code == 0, err
    one = json.loads((tmp_path / "one.provenance.json").read_text())
    many = json.loads((tmp_path / "many.provenance.json").read_text())
    assert set(one) - {"run"} == set(many) - {"multistart"} >= SECTIONS
    assert (one["kind"], many["kind"]) == ("relax", "multistart")
    assert many["model"]["sha256"] == one["model"]["sha256"] and len(many["model"]["sha256"]) == 64
    assert many["model"]["calculator"] == "deepmd.calculator.DP" and many["model"]["periodic"] is False
    assert many["runtime"]["threads"]["torch_intra_op"] == 1 and many["total_seconds"] > 0
    assert many["parameters"]["optimizer_parameters"]["maxstep"] == 0.2
    assert set(one["parameters"]) <= set(many["parameters"]) | {"force", "head", "trajectory", "fix_kwargs"}
    assert atoms_sha256(atoms_from_record(many)) == many["input"]["atoms_sha256"]
    for rec in (one, many):
        assert rec["hardware"]["torch_cuda_build"] is None or rec["hardware"]["cudnn"] is not None
        assert rec["versions"]["deepmd-kit_build"]["enable_pytorch"] == "1"


@needs_deepmd
def test_periodic_water_box_with_the_shipped_model_warns(run_cli, tmp_path):
    box = molecule("H2O")
    box.center(vacuum=3.0)
    box.pbc = True
    start = tmp_path / "box.extxyz"
    write(start, box)
    code, out, err = run_cli("relax", start, "--steps", "3", "-q", "-o", tmp_path / "box.out.extxyz")
    assert code in (0, 1), err
    assert "warning: the structure is periodic" in err and "trained on non-periodic" in err
    rec = json.loads((tmp_path / "box.out.provenance.json").read_text())
    assert rec["warnings"] and rec["model"]["periodic"] is False


@needs_deepmd
def test_pymatgen_molecule_relaxes_with_the_shipped_model():
    pmg = pytest.importorskip("pymatgen.core")
    mol = pmg.Molecule(["O", "H", "H"], [[0, 0, 0], [0.96, 0, 0], [-0.24, 0.93, 0]])
    res = structcheck.relax(mol)
    assert res.converged and type(res.structure) is pmg.Molecule
    assert res.structure.charge == 0 and res.structure.get_distance(0, 1) == pytest.approx(
        res.atoms.get_distance(0, 1))
    assert res.provenance["input"]["structure"]["symbols"] == ["O", "H", "H"]
