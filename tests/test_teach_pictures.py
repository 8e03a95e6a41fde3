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

    from structcheck.prerelax import fix
    from structcheck.wander import toy_factory, wander

    raw = ase.io.read(START)
    fixed, _ = fix(raw)
    starts = [("raw", raw), ("fixed", fixed)]
    results = [wander(a, toy_factory("morse"), replicas=3, steps=8, label=label) for label, a in starts]
    return results, starts


def test_growth_rate_is_the_log_ratio_of_consecutive_spreads():
    from structcheck.report.teach import growth_rates

    r = growth_rates(np.array([1e-10, 1e-9, 1e-9, 0.0, 1e-3]))
    assert r[0] == pytest.approx(np.log(10)) and r[1] == pytest.approx(0.0)
    assert np.isnan(r[2]) and np.isnan(r[3])


def test_pictures_and_trajectories(toy_run, tmp_path):
    import ase.io
    from PIL import Image

    from structcheck.report.teach import write_wander_pictures

    results, starts = toy_run
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
