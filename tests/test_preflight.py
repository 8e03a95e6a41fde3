"""preflight(), guarding ASE optimizers, the pipeline recipes of docs/pipelines.md, pre-commit."""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest
from ase import Atoms
from ase.build import bulk, molecule
from ase.calculators.emt import EMT
from ase.calculators.lj import LennardJones
from ase.filters import FrechetCellFilter
from ase.optimize import BFGS, FIRE, LBFGS

import structcheck
from structcheck import PreflightError
from structcheck.guard import guard, guarded

REPO = Path(__file__).resolve().parents[1]
OPTIMIZERS = [BFGS, LBFGS, FIRE]


def report_start(calc=None):
    from conftest import REPORT_POSITIONS

    a = Atoms("H2O3", positions=REPORT_POSITIONS, cell=[5, 5, 5])
    a.calc = calc
    return a


def copper(calc=True):
    a = bulk("Cu", "fcc", a=3.6, cubic=True)
    a.rattle(0.05, seed=1)
    if calc:
        a.calc = EMT()
    return a


def squeezed_copper():
    """Two Cu atoms 0.6 Å apart: a close contact EMT would happily 'relax'."""
    a = copper()
    a.positions[1] = a.positions[0] + [0.6, 0.0, 0.0]
    return a


# ---------------------------------------------------------------- preflight()


def test_sane_start_is_returned_unchanged(water):
    before = water.copy()
    assert structcheck.preflight(water) is water
    assert np.array_equal(water.positions, before.positions)


def test_report_start_raises_with_table_and_findings(h2o3):
    before = h2o3.positions.copy()
    with pytest.raises(PreflightError) as err:
        structcheck.preflight(h2o3)
    e = err.value
    close = sorted(f.atoms for f in e.findings if f.code == "SC102")
    assert close == [(0, 1), (0, 3), (1, 2)]
    assert {f.severity for f in e.findings} == {"error"}  # dpa2-preflight fails on errors
    assert "SC103" in {f.code for f in e.findings}  # isolated-atom is an error in this profile
    text = str(e)
    assert "frame  code   severity" in text and "H0–H1 at 0.346 Å" in text
    assert "fix=True" in text  # close contacts are fixable: the message says how
    assert np.array_equal(h2o3.positions, before)  # a check never mutates its input


def test_profile_decides_what_fails():
    isolated = molecule("H2O") + Atoms("O", positions=[(6, 6, 6)])
    # default profile: isolated-atom is a warning and fail-on is warning -> fails
    with pytest.raises(PreflightError) as err:
        structcheck.preflight(isolated, profile="default", select=["isolated-atom"])
    assert [(f.code, f.severity, f.atoms) for f in err.value.findings] == [("SC103", "warning", (3,))]
    # a selection without the failing rule passes
    assert structcheck.preflight(isolated, select=["close-contact"]) is isolated


def fake_deepmd_model(path: Path, type_map) -> Path:
    """A DeePMD-kit .pth is a TorchScript zip whose extra files hold the model definition."""
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("model/extra/model_def_script.json", json.dumps({"model": {"type_map": list(type_map)}}))
    return path


def test_model_enables_unsupported_element(tmp_path, water):
    model = fake_deepmd_model(tmp_path / "ho.pth", ["H", "O"])
    assert structcheck.preflight(water, model=str(model)) is water
    methane = molecule("CH4")
    with pytest.raises(PreflightError) as err:
        structcheck.preflight(methane, model=str(model))
    f = [f for f in err.value.findings if f.code == "SC401"]
    assert len(f) == 1 and f[0].atoms == (0,)  # the C atom
    assert structcheck.preflight(methane) is methane  # no model: the rule is silent


def test_preflight_accepts_a_filter_around_atoms(h2o3, water):
    assert structcheck.preflight(FrechetCellFilter(water)) is water
    with pytest.raises(PreflightError):
        structcheck.preflight(FrechetCellFilter(h2o3))


def test_fix_returns_a_repaired_copy():
    bad = squeezed_copper()
    bad.calc = None
    before = bad.positions.copy()
    fixed = structcheck.preflight(bad, fix=True)
    assert fixed is not bad
    assert np.array_equal(bad.positions, before)
    d = fixed.get_distance(0, 1, mic=True)
    assert d > 1.6  # no longer a close contact for Cu-Cu (0.7 * 2 * 1.32 Å)
    assert structcheck.preflight(fixed) is fixed


def test_fix_refuses_what_it_cannot_repair(h2o3):
    with pytest.raises(PreflightError) as err:
        structcheck.preflight(h2o3, fix=True)  # the lone O4 is not a close contact
    assert "not fixable: SC103 isolated-atom" in str(err.value)
    # the way out it names: the lone atom is judged after a physical pre-optimisation (molecules only)
    assert "--prerelax --preopt gfn2: SC103 isolated-atom is then judged after" in str(err.value)
    fixed = structcheck.preflight(h2o3, fix=True, ignore=["isolated-atom", "over-coordinated", "valence"])
    assert fixed is not h2o3 and not structcheck.lint(fixed, select=["close-contact"])


# ---------------------------------------------------------------- guarding ASE optimizers


@pytest.mark.parametrize("opt_class", OPTIMIZERS)
def test_guard_refuses_bad_start_before_any_force_call(opt_class):
    atoms = report_start(LennardJones())
    opt = guard(opt_class(atoms, logfile=None))
    with pytest.raises(PreflightError):
        opt.run(fmax=0.05, steps=50)
    assert opt.nsteps == 0
    assert atoms.calc.atoms is None  # the calculator never ran
    with pytest.raises(PreflightError):
        opt.irun(fmax=0.05)  # the generator API too (quacc's Runner.run_opt uses it)


@pytest.mark.parametrize("opt_class", OPTIMIZERS)
def test_guard_lets_a_sane_start_run_identically(opt_class):
    a, b = copper(), copper()
    plain = opt_class(a, logfile=None)
    converged_plain = plain.run(fmax=0.05, steps=200)
    guarded_opt = guard(opt_class(b, logfile=None))
    assert guarded_opt.run(fmax=0.05, steps=200) == converged_plain
    assert guarded_opt.nsteps == plain.nsteps > 0
    assert np.allclose(a.positions, b.positions)


def test_guard_with_fix_moves_the_optimizer_atoms_then_runs():
    atoms = squeezed_copper()
    opt = guard(BFGS(atoms, logfile=None), fix=True, profile="default", ignore=["implausible-density"])
    opt.run(fmax=0.05, steps=100)
    assert atoms.get_distance(0, 1, mic=True) > 1.6


@pytest.mark.parametrize("opt_class", OPTIMIZERS)
def test_guarded_class_is_a_subclass_and_pickles(opt_class):
    cls = guarded(opt_class)
    assert issubclass(cls, opt_class) and cls.__name__ == f"Guarded{opt_class.__name__}"
    assert guarded(opt_class) is cls
    assert pickle.loads(pickle.dumps(cls)) is cls  # importable: structcheck.guard.GuardedBFGS
    with pytest.raises(PreflightError):
        cls(report_start(LennardJones()), logfile=None).run(fmax=0.05)


# ---------------------------------------------------------------- docs/pipelines.md recipes
# Each test performs, with ASE objects only, the exact calls the pipeline makes on the
# optimizer class the recipe hands it (see the quoted source in docs/pipelines.md).


def janus_geomopt_run(struct, optimizer, filter_func=FrechetCellFilter, fmax=0.1, steps=1000):
    # janus_core.calculations.geom_opt.GeomOpt.set_optimizer() and .run()
    filtered = filter_func(struct)
    dyn = optimizer(filtered)
    return dyn.run(fmax=fmax, steps=steps)


def quacc_run_opt(atoms, calculator, optimizer=BFGS, fmax=0.01, max_steps=1000, optimizer_kwargs=None):
    # quacc.runners.ase.Runner.run_opt(): `with traj, optimizer(self.atoms, **kw) as dyn: dyn.irun(...)`
    atoms = atoms.copy()
    atoms.calc = calculator
    with optimizer(atoms, logfile=None, **(optimizer_kwargs or {})) as dyn:
        for _ in dyn.irun(fmax=fmax, steps=max_steps):
            pass
    return dyn


def atomate2_ase_relaxer_relax(atoms, calculator, optimizer="FIRE", relax_cell=True, fmax=0.1, steps=500):
    # atomate2.ase.utils.AseRelaxer(calculator, optimizer=...).relax(atoms, ...)
    opt_class = {"FIRE": FIRE, "BFGS": BFGS, "LBFGS": LBFGS}.get(optimizer, optimizer)
    atoms.calc = calculator
    if relax_cell and atoms.pbc.any():
        atoms = FrechetCellFilter(atoms)
    opt = opt_class(atoms, logfile=None)
    opt.attach(lambda: None, interval=1)  # the TrajectoryObserver
    opt.run(fmax=fmax, steps=steps)
    return opt


def test_recipe_janus_core_geomopt():
    assert janus_geomopt_run(copper(), guarded(LBFGS), fmax=0.1, steps=200)
    with pytest.raises(PreflightError):
        janus_geomopt_run(report_start(LennardJones()), guarded(LBFGS))


def test_recipe_quacc_relax_job():
    dyn = quacc_run_opt(copper(calc=False), EMT(), optimizer=guarded(BFGS), fmax=0.05, max_steps=200)
    assert dyn.nsteps > 0
    with pytest.raises(PreflightError):
        quacc_run_opt(report_start(), LennardJones(), optimizer=guarded(BFGS))


def test_recipe_atomate2_forcefield_relax_maker():
    assert atomate2_ase_relaxer_relax(copper(calc=False), EMT(), optimizer=guarded(FIRE)).nsteps > 0
    with pytest.raises(PreflightError):
        atomate2_ase_relaxer_relax(report_start(), LennardJones(), optimizer=guarded(FIRE))


def test_pipelines_doc_names_the_wrapped_functions():
    doc = (REPO / "docs" / "pipelines.md").read_text(encoding="utf-8")
    for name in ("GeomOpt", "optimizer=guarded(LBFGS)", "relax_job", "Runner.run_opt",
                 "ForceFieldRelaxMaker", "optimizer_kwargs", "AseRelaxer", "structcheck.preflight("):
        assert name in doc, name


# ---------------------------------------------------------------- pre-commit


def _git(cwd, *args, env=None):
    env = {**(env or os.environ), "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"}
    return subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=False)


def test_pre_commit_hook_blocks_a_bad_structure(tmp_path, h2o3, water):
    import yaml  # PyYAML comes with pre-commit
    precommit = Path(sys.executable).with_name("pre-commit")
    assert precommit.exists(), "pip install pre-commit (the [test] extra)"
    hook = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())[0]
    assert hook["id"] == "structcheck-lint" and hook["entry"] == "structcheck lint"
    assert hook["language"] == "python"
    # offline: a local hook with the shipped id/entry/files, run from this environment
    from pre_commit.all_languages import language_names

    local = {**hook, "language": "unsupported" if "unsupported" in language_names else "system"}
    repo = tmp_path / "structures"
    repo.mkdir()
    assert _git(repo, "init", "-q").returncode == 0
    (repo / ".pre-commit-config.yaml").write_text(
        yaml.safe_dump({"repos": [{"repo": "local", "hooks": [local]}]}))
    from ase.io import write

    (repo / "good").mkdir()
    write(repo / "good" / "water.xyz", water)
    write(repo / "good" / "POSCAR", bulk("Cu", "fcc", a=3.6), format="vasp")
    (repo / "notes.txt").write_text("not a structure\n")
    env = {**os.environ, "PATH": f"{precommit.parent}{os.pathsep}{os.environ['PATH']}",
           "PRE_COMMIT_HOME": str(tmp_path / "pc-home"), "OMP_NUM_THREADS": "1"}

    def commit(msg):
        return subprocess.run([str(precommit), "run"], cwd=repo, env=env, capture_output=True, text=True, check=False), \
            _git(repo, "commit", "-q", "-m", msg, env=env)

    assert subprocess.run([str(precommit), "install"], cwd=repo, env=env, capture_output=True, check=False).returncode == 0
    _git(repo, "add", ".")
    run, com = commit("good structures")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "structcheck lint" in run.stdout and "Passed" in run.stdout
    assert com.returncode == 0, com.stdout + com.stderr

    write(repo / "bad.xyz", h2o3)
    _git(repo, "add", "bad.xyz")
    run, com = commit("bad structure")
    assert run.returncode == 1
    assert "Failed" in run.stdout and "bad.xyz:3: SC102" in run.stdout
    assert com.returncode != 0  # the installed git hook refused the commit
    assert "bad structure" not in _git(repo, "log", "--format=%s").stdout
