"""structcheck relax: pre-flight gate, DPA2 + LBFGS, deterministic mode, provenance record.

Tests that evaluate a model use the shipped DPA2 model (data/models/structcheck-dpa2-HO.pth)
through real deepmd-kit; they are skipped only where deepmd-kit is not installed.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from ase.build import molecule

from structcheck.models import default_model_path, model_type_map
from structcheck.dp.provenance import provenance_path
from structcheck.dp.relax import relax

REPO = Path(__file__).resolve().parents[1]
WATER = REPO / "data" / "examples" / "water.xyz"
H2O3 = REPO / "data" / "examples" / "h2o3_report.xyz"
HAVE_DEEPMD = importlib.util.find_spec("deepmd") is not None
needs_deepmd = pytest.mark.skipif(not HAVE_DEEPMD, reason="deepmd-kit is not installed (python -m structcheck.install_deepmd)")
ENV = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONHASHSEED": "0"}


@pytest.fixture(scope="module")
def model():
    path = default_model_path()
    assert path.is_file(), f"the shipped model {path} is missing"
    return path


def cli(*args, cwd):
    return subprocess.run([sys.executable, "-m", "structcheck.cli", "relax", *map(str, args)],
                          cwd=cwd, env=ENV, capture_output=True, text=True, timeout=300, check=False)


def geometry(a):
    """(O–H lengths in Å, H–O–H angle in degrees) of a water molecule, O first."""
    return [a.get_distance(0, 1), a.get_distance(0, 2)], a.get_angle(1, 0, 2)


# ------------------------------------------------------------------ without a model evaluation


def test_model_type_map_is_read_from_the_frozen_model_without_torch(model):
    code = ("import sys; from structcheck.models import model_type_map; "
            f"print(','.join(model_type_map({str(model)!r}))); print('torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], env=ENV, capture_output=True, text=True,
                         timeout=60, check=False).stdout.split()
    assert out == ["H,O", "False"]
    assert model_type_map(model) == ("H", "O")


def test_h2o3_refuses_without_flags_and_prints_findings(run_cli, tmp_path, model):
    code, out, err = run_cli("relax", H2O3)
    assert code == 1
    assert "SC102" in out and "close-contact" in out and "h2o3_report.xyz" in out
    assert "--prerelax" in err and "Traceback" not in err
    assert not list(tmp_path.iterdir())  # nothing written


def test_unsupported_element_refused_before_any_model_evaluation(tmp_path, model):
    # in a fresh process: deepmd and torch must not even be imported
    code = ("import sys; from ase.build import molecule; import structcheck\n"
            "from structcheck.dp.relax import RelaxRefused\n"
            "try:\n    structcheck.relax(molecule('CH4'), force=True)\n"
            "except RelaxRefused as e:\n    print([f.code for f in e.findings], e.findings[0].atoms)\n"
            "print('deepmd' in sys.modules, 'torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], env=ENV, capture_output=True, text=True,
                         timeout=120, check=False)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split("\n")[:2] == ["['SC401'] (0,)", "False False"]
    ch4 = tmp_path / "ch4.xyz"
    molecule("CH4").write(ch4)
    res = cli(ch4, "--force", cwd=tmp_path)
    assert res.returncode == 1 and "SC401" in res.stdout and "before any model evaluation" in res.stderr
    assert not (tmp_path / "ch4.relaxed.extxyz").exists()


def test_usage_errors_exit_2_in_one_line(run_cli, tmp_path):
    start = tmp_path / "w.xyz"
    start.write_bytes(WATER.read_bytes())
    for argv in (("relax", start, "-o", start), ("relax", start, "--fmax", "0"),
                 ("relax", tmp_path / "missing.xyz"), ("relax", start, "--model", tmp_path / "no.pth")):
        code, _out, err = run_cli(*argv)
        assert code == 2, argv
        assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert start.read_bytes() == WATER.read_bytes()


def test_missing_deepmd_names_the_install_command(monkeypatch, water, model):
    monkeypatch.setitem(sys.modules, "deepmd.calculator", None)  # import fails as if not installed
    from structcheck.dp.runtime import DeepmdUnavailable

    with pytest.raises(DeepmdUnavailable, match=r"-m structcheck\.install_deepmd") as err:
        relax(water, model=model)
    assert "found torch" in str(err.value) and "deepmd-kit 3.2.0" in str(err.value)


# ------------------------------------------------------------------ with the shipped DPA2 model


@needs_deepmd
def test_water_converges_and_matches_tblite(model, tmp_path):
    tblite_ase = pytest.importorskip("tblite.ase")
    from ase.io import read
    from ase.optimize import LBFGS

    res = relax(str(WATER), model=model, output=tmp_path / "w.extxyz")
    assert res.converged and res.fmax[-1] < 0.05
    ref = read(WATER)
    ref.calc = tblite_ase.TBLite(method="GFN2-xTB", verbosity=0)
    LBFGS(ref, logfile=None).run(fmax=0.01, steps=200)
    (dp_oh, dp_angle), (tb_oh, tb_angle) = geometry(res.atoms), geometry(ref)
    print(f"DPA2 O-H {dp_oh} angle {dp_angle}; tblite O-H {tb_oh} angle {tb_angle}")
    assert np.max(np.abs(np.array(dp_oh) - np.array(tb_oh))) < 0.02  # Å
    assert abs(dp_angle - tb_angle) < 3.0  # degrees


@needs_deepmd
def test_provenance_record(model, tmp_path, run_cli):
    start = tmp_path / "water.xyz"
    start.write_bytes(WATER.read_bytes())
    code, out_text, err = run_cli("relax", start, "--trajectory", "run.traj")
    assert code == 0, err
    assert "converged in" in out_text and "water.relaxed.provenance.json" in out_text
    out, prov = tmp_path / "water.relaxed.extxyz", tmp_path / "water.relaxed.provenance.json"
    assert provenance_path(out) == prov
    assert out.is_file() and prov.is_file() and (tmp_path / "run.traj").is_file()
    assert start.read_bytes() == WATER.read_bytes()
    rec = json.loads(prov.read_text())
    assert rec["input"]["sha256"] == hashlib.sha256(WATER.read_bytes()).hexdigest()
    assert rec["model"]["sha256"] == hashlib.sha256(model.read_bytes()).hexdigest()
    assert rec["model"]["shipped_default"] is True and rec["model"]["type_map"] == ["H", "O"]
    assert rec["model"]["calculator"] == "deepmd.calculator.DP"
    for pkg in ("structcheck", "ase", "deepmd-kit", "torch", "numpy"):
        assert rec["versions"][pkg], pkg
    p = rec["parameters"]
    assert (p["fmax_eV_per_A"], p["steps"], p["prerelax"], p["deterministic"], p["force"]) == \
        (0.05, 500, False, False, False)
    assert p["optimizer"] == "ase.optimize.LBFGS"
    rt = rec["runtime"]
    assert rt["device"] == "cpu"
    assert rt["threads"]["torch_intra_op"] == 1 and rt["threads"]["DP_INTRA_OP_PARALLELISM_THREADS"] == "1"
    assert rt["torchscript_graph_executor_optimize"] is False
    assert rt["deterministic"]["requested"] is False
    assert "may not be bitwise repeatable" in rt["deterministic"]["statement"]
    assert rec["preflight"]["findings_before"] == [] and rec["preflight"]["forced"] is False
    r = rec["run"]
    assert r["converged"] is True and len(r["energies_eV"]) == len(r["fmax_eV_per_A"]) == r["steps"] + 1
    assert r["energy_change_eV"] == r["energies_eV"][-1] - r["energies_eV"][0]
    assert r["energy_rose"] is (r["energy_change_eV"] > 0)
    # the record's per-step energies are the trajectory's, and the final structure the last frame
    from ase.io import read

    traj = read(tmp_path / "run.traj", ":")
    assert [a.get_potential_energy() for a in traj] == r["energies_eV"]
    final = read(out)
    assert np.allclose(final.positions, traj[-1].positions, atol=1e-7)  # extxyz: 8 decimals
    assert final.info["structcheck_provenance"] == prov.name
    assert rec["output"]["final_sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()


def chain_start(tmp_path):
    """The report's start without its lone O: the collinear O–H–H–O chain alone."""
    from ase.io import read, write

    a = read(H2O3)
    del a[4]
    a.positions += 1.0  # not every coordinate in [0, 1] (suspect-units would call that fractional)
    path = tmp_path / "chain.xyz"
    write(path, a)
    return path


def test_h2o3_prerelax_refuses_and_says_what_is_left(tmp_path, run_cli):
    # the repair makes every contact and over-coordination go, but the lone O4 stays isolated,
    # an error under dpa2-preflight: nothing is tolerated, so the run is refused before a model loads
    code, _out, err = run_cli("relax", H2O3, "--prerelax", "-o", "final.extxyz")
    assert code == 1 and "refused" in err and "SC103 isolated-atom" in err
    assert not (tmp_path / "final.extxyz").exists()


@needs_deepmd
def test_chain_completes_with_prerelax_lint_clean(model, tmp_path, run_cli):
    code, _out, err = run_cli("relax", chain_start(tmp_path), "--prerelax", "-o", "final.extxyz")
    assert code in (0, 1), err
    rec = json.loads((tmp_path / "final.provenance.json").read_text())
    pre = rec["preflight"]
    assert {f["name"] for f in pre["findings_before"]} >= {"close-contact", "over-coordinated"}
    assert pre["prerelax"] is not None and pre["prerelax"]["converged"] is True
    assert not any(f["severity"] == "error" for f in pre["findings_after"])
    assert "accepted_after_prerelax" not in pre and pre["forced"] is False
    assert code == (0 if rec["run"]["converged"] else 1)
    assert (tmp_path / "final.extxyz").is_file()


@needs_deepmd
def test_not_converged_exits_1_and_still_writes(model, tmp_path, run_cli):
    start = tmp_path / "bent.xyz"
    a = molecule("H2O")
    a.positions[1] += [0.0, 0.15, 0.1]
    a.write(start)
    code, out, _err = run_cli("relax", start, "--steps", "2")
    assert code == 1 and "NOT converged" in out
    rec = json.loads((tmp_path / "bent.relaxed.provenance.json").read_text())
    assert rec["run"]["converged"] is False and rec["run"]["steps"] == 2
    assert (tmp_path / "bent.relaxed.extxyz").is_file()


@needs_deepmd
def test_force_runs_a_refused_start_and_records_it(model, h2o3):
    before = h2o3.positions.copy()
    res = relax(h2o3, model=model, force=True, steps=3)
    pre = res.provenance["preflight"]
    assert pre["forced"] is True and {f["code"] for f in pre["forced_findings"]} >= {"SC102"}
    assert pre["prerelax"] is None and res.steps <= 3 and np.isfinite(res.energies).all()
    assert np.array_equal(h2o3.positions, before)  # the input is not modified
    assert res.atoms is not h2o3


@needs_deepmd
def test_deterministic_runs_in_two_processes_are_bitwise_identical(model, tmp_path):
    """The report's chain (repaired) through 25 LBFGS steps, twice, in separate processes."""
    from ase.io import read

    runs = []
    for k in (1, 2):
        res = cli(chain_start(tmp_path), "--prerelax", "--deterministic", "--steps", "25", "-o", f"f{k}.extxyz",
                  "--trajectory", f"t{k}.traj", cwd=tmp_path)
        assert res.returncode in (0, 1), res.stderr
        runs.append(read(tmp_path / f"t{k}.traj", ":"))
    a, b = runs
    assert len(a) == len(b) > 5
    for x, y in zip(a, b):
        assert x.positions.tobytes() == y.positions.tobytes()
        assert x.get_forces().tobytes() == y.get_forces().tobytes()
        assert x.get_potential_energy() == y.get_potential_energy()
    rec = json.loads((tmp_path / "f1.provenance.json").read_text())
    det = rec["runtime"]["deterministic"]
    assert det["requested"] and det["torch_use_deterministic_algorithms"]
    assert det["CUBLAS_WORKSPACE_CONFIG"] == ":4096:8" and "bitwise identical" in det["statement"]


# ------------------------------------------------------------------ the reusable pieces, no model needed


def test_run_lbfgs_records_every_step_and_leaves_the_input_alone(water):
    from ase.calculators.morse import MorsePotential

    from structcheck.dp.run import run_lbfgs

    start = water.copy()
    start.positions[1] += [0.0, 0.2, 0.1]
    before = start.positions.copy()
    seen = []
    run = run_lbfgs(start, MorsePotential(rho0=6.0, r0=1.0), fmax=0.01, steps=100,
                    callback=lambda k, e, m: seen.append((k, e, m)))
    assert run.converged and run.fmax[-1] < 0.01 and run.steps == len(seen) - 1
    assert [s[0] for s in seen] == list(range(run.steps + 1))
    assert np.array_equal([s[1] for s in seen], run.energies)
    assert run.positions.shape == (run.steps + 1, 3, 3)
    assert np.array_equal(run.atoms.positions, run.positions[-1])
    assert np.array_equal(start.positions, before) and start.calc is None


def test_run_summary_states_when_the_energy_rose():
    from structcheck.dp.run import LBFGSRun, run_summary

    up = LBFGSRun(None, np.zeros((4, 1, 3)), np.array([-1.0, -1.5, -0.7, -0.9]), np.array([1.0, 0.5, 0.2, 0.04]),
                  True)
    rec = run_summary(up, fmax=0.05)
    assert rec["energy_rose"] is True and rec["energy_change_eV"] == pytest.approx(0.1)
    assert rec["uphill_steps"] == [2] and "HIGHER" in rec["energy_statement"] and "line search" in rec["energy_statement"]
    down = LBFGSRun(None, np.zeros((2, 1, 3)), np.array([-1.0, -1.2]), np.array([1.0, 0.3]), False)
    rec = run_summary(down, fmax=0.05)
    assert rec["energy_rose"] is False and rec["uphill_steps"] == []
    assert rec["convergence_statement"].startswith("NOT converged")
