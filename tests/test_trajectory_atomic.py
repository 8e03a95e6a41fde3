"""relax --trajectory goes through the one atomic writer: the .traj appears under its name only
when the run ends, and an interrupted run leaves nothing under that name (issue 13)."""

import os

import pytest
from ase.build import molecule
from ase.calculators.emt import EMT
from ase.io import Trajectory

from structcheck.dp.run import run_lbfgs


def test_trajectory_is_whole_under_its_name(tmp_path):
    a = molecule("H2O")
    a.rattle(0.05, seed=1)
    path = tmp_path / "run.traj"
    run = run_lbfgs(a, EMT(), fmax=0.05, steps=20, trajectory=path)
    with Trajectory(str(path)) as t:
        assert len(t) == len(run.energies)
    assert sorted(os.listdir(tmp_path)) == ["run.traj"]


def test_interrupted_run_leaves_no_partial_trajectory(tmp_path):
    a = molecule("H2O")
    a.rattle(0.05, seed=1)
    path = tmp_path / "run.traj"

    def stop(step, energy, fmax):
        if step == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_lbfgs(a, EMT(), fmax=1e-6, steps=50, trajectory=path, callback=stop)
    assert os.listdir(tmp_path) == []
