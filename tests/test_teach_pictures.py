"""wander's teaching pictures: trajectories, the replica animation, growth rates, the distance matrix."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
START = ROOT / "data" / "examples" / "h2o3_report.xyz"


@pytest.fixture(scope="module")
def toy_run():
    import ase.io

    from structcheck.repair.fix import fix
    from structcheck.dp.calculator import toy_factory
    from structcheck.teach.wander import wander

    raw = ase.io.read(START)
    fixed, _ = fix(raw)
    starts = [("raw", raw), ("fixed", fixed)]
    results = [wander(a, toy_factory("morse"), replicas=3, steps=8, label=label) for label, a in starts]
    return results, starts


def test_growth_rate_is_the_log_ratio_of_consecutive_spreads():
    from structcheck.teach.pictures import growth_rates

    r = growth_rates(np.array([1e-10, 1e-9, 1e-9, 0.0, 1e-3]))
    assert r[0] == pytest.approx(np.log(10)) and r[1] == pytest.approx(0.0)
    assert np.isnan(r[2]) and np.isnan(r[3])


def test_pictures_and_trajectories(toy_run, tmp_path):
    import ase.io
    from PIL import Image

    from structcheck.teach.pictures import write_trajectories, write_wander_pictures

    results, starts = toy_run
    write_trajectories(results, starts, tmp_path / "trajectories")
    paths = write_wander_pictures(results, starts, tmp_path)
    trajs = sorted((tmp_path / "trajectories").glob("*.extxyz"))
    assert len(trajs) == 6
    frames = ase.io.read(tmp_path / "trajectories" / "raw_replica2.extxyz", ":")
    run = results[0].runs[2]
    assert len(frames) == run.steps + 1
    assert np.allclose(frames[-1].positions, run.positions[-1])
    assert frames[-1].info["energy_eV"] == pytest.approx(run.energies[-1])
    gif = Image.open(tmp_path / "replicas.gif")
    assert gif.n_frames == max(len(r.spread_max) for r in results)
    for name in ("growth.png", "distances_raw.png", "distances_fixed.png"):
        assert (tmp_path / name).read_bytes()[:4] == b"\x89PNG"
    assert set(paths) >= {tmp_path / "replicas.gif", tmp_path / "growth.png"}


EXAMPLES = ROOT / "data" / "examples"


def test_cli_optimizer_choice_is_used_and_recorded(run_cli, tmp_path):
    import json

    code, out, err = run_cli("wander", START, "--calculator", "morse", "--replicas", "2", "--steps", "6",
                             "--optimizer", "FIRE", "--no-pictures", "-q", "-o", tmp_path / "w")
    assert code == 0, err
    rep = json.loads((tmp_path / "w" / "report.json").read_text())
    assert rep["optimizer"] == "FIRE" and rep["results"]["raw"]["settings"]["optimizer"] == "FIRE"
    assert "FIRE fmax" in (tmp_path / "w" / "report.md").read_text()
    assert len(list((tmp_path / "w" / "trajectories").glob("*.extxyz"))) == 2
    assert not (tmp_path / "w" / "replicas.gif").exists()
    # BFGSLineSearch takes other steps than LBFGS from the same start
    code, _, err = run_cli("wander", START, "--calculator", "morse", "--replicas", "1", "--steps", "6",
                           "--optimizer", "BFGSLineSearch", "--no-pictures", "-q", "-o", tmp_path / "b")
    code2, _, _ = run_cli("wander", START, "--calculator", "morse", "--replicas", "1", "--steps", "6",
                          "--no-pictures", "-q", "-o", tmp_path / "l")
    assert code == code2 == 0, err
    e_b = json.loads((tmp_path / "b" / "report.json").read_text())["results"]["raw"]["per_step"]["energy_eV"]
    e_l = json.loads((tmp_path / "l" / "report.json").read_text())["results"]["raw"]["per_step"]["energy_eV"]
    assert e_b[0][0] == e_l[0][0] and e_b[0][1:] != e_l[0][1:]


def test_cli_reference_gfn2_runs_the_same_replicas(run_cli, tmp_path):
    import json

    pytest.importorskip("tblite.ase", reason="tblite not installed (pip install structcheck[reference])")
    code, out, err = run_cli("wander", START, "--calculator", "morse", "--replicas", "2", "--steps", "3",
                             "--reference", "gfn2", "--no-pictures", "-o", tmp_path / "w")
    assert code == 0, err
    rep = json.loads((tmp_path / "w" / "report.json").read_text())
    assert set(rep["results"]) == {"raw", "raw-gfn2"}
    assert "3000 K" in rep["reference"] and "GFN2-xTB" in rep["reference"]
    g = rep["results"]["raw-gfn2"]
    assert g["settings"]["electronic_temperature_K"] == 3000.0
    # GFN2-xTB at the 4502 start: about -151.1 eV (tblite, 3000 K); the DP model gives -272.7 eV
    assert g["per_step"]["energy_eV"][0][0] == pytest.approx(-151.11, abs=0.05)
    assert "raw-gfn2" in out


def test_cli_reference_refused_when_the_scf_does_not_converge(run_cli, tmp_path, monkeypatch):
    pytest.importorskip("tblite.ase", reason="tblite not installed")
    import structcheck.teach.reference as ref

    monkeypatch.setattr(ref, "ATTEMPTS", ({"max_iterations": 2}, {"max_iterations": 3, "mixer_damping": 0.1}))
    code, out, err = run_cli("wander", START, "--calculator", "morse", "--replicas", "2", "--steps", "3",
                             "--reference", "gfn2", "-o", tmp_path / "w")
    assert code == 2
    lines = [x for x in err.splitlines() if x.startswith("structcheck: error")]
    assert len(lines) == 1 and "SCF did not converge" in lines[0] and "Traceback" not in err
    assert not (tmp_path / "w").exists()  # refused before anything ran
