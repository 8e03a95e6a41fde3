"""structcheck wander: metrics on constructed inputs, the experiment machinery with a cheap
ASE calculator, and the teaching commands with the shipped DPA2 model."""

from __future__ import annotations

import numpy as np
import pytest
from ase.calculators.morse import MorsePotential
from scipy.spatial.transform import Rotation

from structcheck.dp.multistart import multistart
from structcheck.teach.metrics import cluster_minima, kabsch_rmsd, spread_per_step
from structcheck.teach.wander import replica_noise, wander

TETRA = np.array([[0.0, 0.0, 0.0], [1.0, 0.0, 0.0], [0.0, 1.3, 0.0], [0.2, 0.1, 1.7]])


def _rigid(x, seed=1, shift=(0.3, -2.0, 5.0)):
    return Rotation.random(random_state=seed).apply(x) + np.asarray(shift)


# ------------------------------------------------------------------ Kabsch RMSD


def test_kabsch_identical_and_rigidly_moved_is_zero():
    assert kabsch_rmsd(TETRA, TETRA) < 1e-12
    assert kabsch_rmsd(TETRA, _rigid(TETRA)) < 1e-12
    assert kabsch_rmsd(_rigid(TETRA, seed=7), TETRA) < 1e-12


def test_kabsch_mirror_image_is_not_a_rotation():
    mirror = TETRA * np.array([1.0, 1.0, -1.0])  # a chiral tetrahedron and its mirror image
    assert kabsch_rmsd(TETRA, mirror) > 0.1


def test_kabsch_known_value_one_atom_moved():
    # moving one of 4 atoms by d moves the centroid by d/4: after removing the translation the
    # misfit is sqrt((9/16 + 3/16) d^2 / 4) = d*sqrt(3)/4; a rotation can only lower it
    d = 0.2
    b = TETRA.copy()
    b[0, 0] += d
    translation_only = kabsch_rmsd(TETRA, b, rotate=False)
    assert translation_only == pytest.approx(d * np.sqrt(3) / 4, rel=1e-12)
    assert 0 < kabsch_rmsd(TETRA, b) <= translation_only


def test_kabsch_periodic_removes_only_translation():
    moved = TETRA + [1.0, 2.0, 3.0]
    assert kabsch_rmsd(TETRA, moved, rotate=False) < 1e-12
    assert kabsch_rmsd(TETRA, _rigid(TETRA), rotate=False) > 0.1


def test_kabsch_rejects_bad_shapes():
    with pytest.raises(ValueError):
        kabsch_rmsd(TETRA, TETRA[:3])


# ------------------------------------------------------------------ clustering


def test_cluster_two_minima_lowest_first():
    other = TETRA.copy()
    other[3] = [0.2, 0.1, -1.7]  # a different structure
    pos = [TETRA, _rigid(TETRA, 2), other, _rigid(other, 3), TETRA + 1e-3]
    ene = [-1.0, -1.0 + 1e-4, -2.0, -2.0, -1.0]
    assert cluster_minima(pos, ene) == [1, 1, 0, 0, 1]


def test_cluster_needs_both_structure_and_energy_to_differ():
    other = TETRA * np.array([1.0, 1.0, -1.0])  # mirror image: different structure ...
    assert cluster_minima([TETRA, other], [-1.0, -1.0]) == [0, 0]  # ... same energy: one minimum
    assert cluster_minima([TETRA, other], [-1.0, -1.5]) == [1, 0]
    assert cluster_minima([TETRA, TETRA + 0.01], [-1.0, -1.5]) == [0, 0]  # same structure
    # tolerances are honoured
    assert cluster_minima([TETRA, other], [-1.0, -1.5], energy_tol=1.0) == [0, 0]


def test_cluster_a_chain_of_small_steps_does_not_merge_far_structures():
    # each structure is 0.04 Å RMSD from the next (within 0.05) and 0.02 eV above it (beyond 0.01)
    chain = [TETRA + k * np.array([[0.08, 0, 0], [0, 0, 0], [0, 0, 0], [0, 0, 0]]) for k in range(3)]
    rmsd = kabsch_rmsd(chain[0], chain[1], rotate=False)
    assert 0.03 < rmsd < 0.05
    assert cluster_minima(chain, [0.0, 0.02, 0.04], periodic=True) == [0, 0, 1]


def test_cluster_is_order_independent():
    other = TETRA.copy()
    other[3] = [0.2, 0.1, -1.7]
    pos = [TETRA, other, _rigid(TETRA, 4), other + 0.5]
    ene = [-1.0, -3.0, -1.0, -3.0]
    labels = cluster_minima(pos, ene)
    perm = [3, 1, 0, 2]
    relabelled = cluster_minima([pos[i] for i in perm], [ene[i] for i in perm])
    assert relabelled == [labels[i] for i in perm]
    assert len(set(labels)) == 2


# ------------------------------------------------------------------ spread and noise


def test_spread_per_step_constructed():
    t = np.zeros((3, 2, 2, 3))
    t[1, 1, 0] = [3.0, 4.0, 0.0]  # replica 1, step 1, atom 0 moved by 5
    t[2, 1, 1] = [0.0, 0.0, 1.0]  # replica 2, step 1, atom 1 moved by 1
    smax, srms = spread_per_step(t)
    assert smax.tolist() == [0.0, 5.0]
    assert srms[1] == pytest.approx(np.sqrt((25 + 1) / 4))


def test_replica_noise_exact_size_seeded():
    d = replica_noise(5, 4, 1e-10, seed=3)
    assert np.all(d[0] == 0)
    assert np.allclose(np.linalg.norm(d[1:], axis=-1), 1e-10, rtol=1e-12)
    assert np.array_equal(d, replica_noise(5, 4, 1e-10, seed=3))
    assert not np.array_equal(d, replica_noise(5, 4, 1e-10, seed=4))


# ------------------------------------------------------------------ machinery, cheap calculator


def _morse():
    return MorsePotential(rho0=6.0, r0=1.0)


def test_wander_machinery_with_an_ase_calculator(h2o3, water):
    """Any ASE calculator works; a Morse pair potential amplifies the report start's noise
    by orders of magnitude and damps a sane molecule's (measured, see docs/teaching.md)."""
    raw = wander(h2o3, _morse, replicas=3, noise=1e-10, fmax=0.05, steps=50, label="raw")
    sane = wander(water, _morse, replicas=3, noise=1e-10, fmax=0.05, steps=50, label="sane")
    assert raw.initial_spread == pytest.approx(1e-10)
    assert raw.amplification > 1e6
    assert raw.n_minima > 1
    assert sane.final_spread < 1e-6 and sane.n_minima == 1
    assert all(r.converged for r in sane.runs)
    d = raw.to_dict()
    assert len(d["per_step"]["spread_max_A"]) == raw.trajectories.shape[1]
    assert sum(m["count"] for m in d["minima"]) == 3
    assert np.array_equal(h2o3.positions, np.array([(0.3, 0.3, 0.3), (0.5, 0.5, 0.5), (0.7, 0.7, 0.7),
                                                    (0.1, 0.1, 0.1), (0.6, 2.5, 3.7)]))  # input untouched


def test_wander_zero_noise_is_bitwise_identical(water):
    res = wander(water, _morse, replicas=2, noise=0.0)
    assert res.first_divergent_step is None and res.amplification is None
    assert np.array_equal(res.trajectories[0], res.trajectories[1])


def test_multistart_machinery(water):
    res = multistart(water, _morse, starts=3, rattle=0.05, seed=1, steps=200)
    assert len(res.runs) == 3 and all(r.converged for r in res.runs)
    rows = res.table()
    assert sum(r["count"] for r in rows) == 3
    assert rows[0]["energy_eV"] == pytest.approx(min(res.final_energies))
    best = res.best.copy()
    best.calc = _morse()
    assert best.get_potential_energy() == pytest.approx(min(res.final_energies), abs=1e-9)


def test_multistart_refuses_an_insane_start(h2o3):
    with pytest.raises(ValueError, match="fails the dpa2-preflight check"):
        multistart(h2o3, _morse, starts=1, rattle=0.01, steps=5)


# ------------------------------------------------------------------ CLI (toy calculator: no deepmd needed)


EXAMPLES = __import__("pathlib").Path(__file__).resolve().parents[1] / "data" / "examples"


def test_cli_wander_writes_report_and_plots(run_cli, tmp_path):
    import json

    code, out, err = run_cli("wander", EXAMPLES / "h2o3_report.xyz", "--calculator", "morse",
                             "--replicas", "3", "-o", tmp_path / "w")
    assert code == 0, err
    assert "amplif." in out and out.splitlines()[1].startswith("raw")
    assert "SC102 close-contact" in err  # the start is linted first
    rep = json.loads((tmp_path / "w" / "report.json").read_text())
    raw = rep["results"]["raw"]
    assert raw["replicas"] == 3 and raw["initial_spread_max_A"] == pytest.approx(1e-10)
    assert len(raw["per_step"]["spread_max_A"]) == max(raw["steps_run"]) + 1
    assert "| raw |" in (tmp_path / "w" / "report.md").read_text()
    assert len(__import__("ase.io").io.read(tmp_path / "w" / "finals.extxyz", ":")) == 3
    for png in ("spread.png", "energy.png"):
        assert (tmp_path / "w" / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_cli_wander_refusals(run_cli, tmp_path):
    code, _, err = run_cli("wander", EXAMPLES / "water.xyz", "--calculator", "morse", "--native-noise")
    assert code == 2 and "needs a CUDA GPU" in err
    code, _, err = run_cli("wander", EXAMPLES / "water.xyz", "--calculator", "morse", "--native-noise",
                           "--deterministic")
    assert code == 2 and "contradict" in err
    code, _, err = run_cli("wander", EXAMPLES / "water.xyz", "--calculator", "morse", "--noise", "-1")
    assert code == 2 and "--noise" in err
    code, _, err = run_cli("wander", tmp_path / "missing.xyz", "--calculator", "morse")
    assert code == 2 and "missing.xyz" in err and "Traceback" not in err


# ------------------------------------------------------------------ the teaching commands, shipped DPA2 model
# docs/teaching.md runs these with 8 replicas; here 3 (replicas 1 and 2 get the same noise as
# there: the noise directions are drawn in replica order from one seeded generator).


def _report(path):
    import json

    return json.loads((path / "report.json").read_text())["results"]


def _first_step_above(spread, threshold):
    """First optimizer step whose spread exceeds ``threshold``; infinity if none does."""
    return next((i for i, s in enumerate(spread) if s > threshold), float("inf"))


def test_teaching_raw_start_wanders_fixed_start_does_not(run_cli, tmp_path):
    """At the report's 50-step budget (docs/teaching.md section 3; with --steps 200 the fixed
    start, still over-coordinated, wanders too: section 3 shows it).

    Only the DIRECTION is asserted, as comparisons between the two starts of the same run, not
    figures fitted to one model build. Measured with the shipped model v2 (sha256 390e901c…),
    3 replicas: raw final spread 0.58 Å, energy spread 0.23 eV, 2 minima, amplification 5.8e9;
    fixed 4.9e-4 Å, 1.5e-3 eV, 1 minimum, 4.9e6 (ratios ~1200 in spread, ~150 in energy; with
    8 replicas 405 and 52, so the energy ratio asserted is 10)."""
    code, _, err = run_cli("wander", EXAMPLES / "h2o3_report.xyz", "--compare-fixed", "--replicas", "3",
                             "-q", "-o", tmp_path / "cmp")
    assert code == 0, err
    res = _report(tmp_path / "cmp")
    raw, fixed = res["raw"], res["fixed"]
    assert raw["initial_spread_max_A"] == pytest.approx(1e-10) == fixed["initial_spread_max_A"]
    # raw: 1e-10 Å of noise grows by orders of magnitude into different final structures
    assert raw["amplification"] > 1e6
    assert raw["n_minima"] > 1
    assert raw["energy_spread_eV"] > 0.01
    # fixed: every replica ends in the same place, far closer together than the raw ones
    assert fixed["n_minima"] == 1
    assert fixed["final_spread_max_A"] < raw["final_spread_max_A"] / 100
    assert fixed["peak_spread_max_A"] < raw["peak_spread_max_A"] / 100
    assert fixed["amplification"] < raw["amplification"] / 100
    assert fixed["energy_spread_eV"] < raw["energy_spread_eV"] / 10
    # ... and the raw replicas separate first: raw passes 1e-3 Å earlier than fixed (if ever)
    assert (_first_step_above(raw["per_step"]["spread_max_A"], 1e-3)
            < _first_step_above(fixed["per_step"]["spread_max_A"], 1e-3))
    assert (tmp_path / "cmp" / "spread.png").stat().st_size > 10_000
    # the teaching pictures (issue 15): every replica's trajectory, the animation, growth rates, distances
    trajs = sorted(p.name for p in (tmp_path / "cmp" / "trajectories").glob("*.extxyz"))
    assert trajs == [f"{s}_replica{i}.extxyz" for s in ("fixed", "raw") for i in range(3)]
    from PIL import Image

    assert Image.open(tmp_path / "cmp" / "replicas.gif").n_frames == len(raw["per_step"]["spread_max_A"])
    for png in ("growth.png", "distances_raw.png", "distances_fixed.png"):
        assert (tmp_path / "cmp" / png).read_bytes()[:4] == b"\x89PNG"


def test_teaching_sane_water_damps_the_noise(run_cli, tmp_path):
    code, _, err = run_cli("wander", EXAMPLES / "water.xyz", "--replicas", "3", "-q", "-o", tmp_path / "w")
    assert code == 0, err
    w = _report(tmp_path / "w")["raw"]
    assert all(w["converged"]) and w["n_minima"] == 1
    assert w["final_spread_max_A"] < 1e-8 and w["energy_spread_eV"] < 1e-9


def test_teaching_deterministic_without_noise_is_bitwise_identical(run_cli, tmp_path):
    code, _, err = run_cli("wander", EXAMPLES / "h2o3_report.xyz", "--noise", "0", "--deterministic",
                           "--replicas", "2", "-q", "-o", tmp_path / "d")
    assert code == 0, err
    d = _report(tmp_path / "d")["raw"]
    assert d["first_divergent_step"] is None
    assert set(d["per_step"]["spread_max_A"]) == {0.0}
    assert d["energy_spread_eV"] == 0.0 and d["n_minima"] == 1


def test_relax_multistart_on_a_sane_start(run_cli, tmp_path):
    import json

    code, out, err = run_cli("relax", EXAMPLES / "water.xyz", "--starts", "3", "--rattle", "0.05", "-q",
                             "-o", tmp_path / "best.extxyz")
    assert code == 0, err
    assert "3 sane starts" in out and "reached by 3 of 3 starts" in out
    rec = json.loads((tmp_path / "best.provenance.json").read_text())
    assert rec["structcheck_provenance"] == 2 and rec["kind"] == "multistart"
    assert rec["multistart"]["starts"] == 3 and len(rec["multistart"]["minima"]) == 1
    from ase.io import read

    best = read(tmp_path / "best.extxyz")
    assert len(best) == 3


def test_relax_multistart_refuses_the_report_start(run_cli, tmp_path):
    code, _, err = run_cli("relax", EXAMPLES / "h2o3_report.xyz", "--starts", "2", "-o", tmp_path / "b.extxyz")
    assert code == 1 and "fails the dpa2-preflight check" in err
    assert not (tmp_path / "b.extxyz").exists()
