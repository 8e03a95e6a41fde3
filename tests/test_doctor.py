"""`structcheck doctor` and the install messages of relax: versions found, needed, exact commands.

The full route (a wheel in a fresh venv, then the install command, then a relax) is
scripts/check_wheel_install.sh, run by hand (it builds deepmd-kit: minutes); these tests
check the advice for each situation from package metadata alone."""

import importlib.metadata as md
from pathlib import Path

import pytest

from structcheck import installation as d


def fake(monkeypatch, versions: dict, build: dict | None = None):
    monkeypatch.setattr(d, "_version", lambda dist: versions.get(dist))
    monkeypatch.setattr(d, "deepmd_build", lambda: dict(build or {}))
    monkeypatch.setattr(d, "python_command", lambda: "python")


BASE = {"numpy": "2.0", "scipy": "1.14", "ase": "3.23", "vesin": "0.3"}


def test_base_install_cpu_route(monkeypatch):
    fake(monkeypatch, BASE)
    r = d.doctor(route="cpu", probe=False)
    assert not r.relax_ready
    assert r.commands == ["python -m pip install torch==2.13.0",
                          "python -m structcheck.install_deepmd   # = structcheck doctor --install-deepmd"]
    text = str(r)
    assert "torch        not installed" in text and "MISSING" in text and "structcheck relax: NOT ready" in text
    msg = d.relax_install_message(ImportError("No module named 'torch'"), route="cpu")
    assert "found torch not installed, deepmd-kit not installed" in msg
    assert "python -m pip install torch==2.13.0 && python -m structcheck.install_deepmd" in msg
    assert 'python -m pip install "torch==2.11.0" "deepmd-kit[torch]==3.2.0"' in msg  # the other route too


def test_gpu_route_uses_the_registry_wheel_and_its_torch(monkeypatch):
    fake(monkeypatch, BASE)
    r = d.doctor(route="gpu", probe=False)
    assert r.commands == ['python -m pip install "torch==2.11.0" "deepmd-kit[torch]==3.2.0"']


def test_deepmd_2x_is_named_tensorflow_only(monkeypatch):
    fake(monkeypatch, {**BASE, "torch": "2.13.0+cpu", "deepmd-kit": "2.2.11"})
    r = d.doctor(route="cpu", probe=False)
    item = next(i for i in r.items if i.name == "deepmd-kit")
    assert item.status == "wrong" and "TensorFlow-only 2.x" in item.note
    assert r.commands[0] == "python -m pip uninstall -y deepmd-kit"
    msg = d.relax_install_message(ModuleNotFoundError("No module named 'tensorflow'"), route="cpu")
    assert "deepmd-kit 2.2.11 is the TensorFlow-only 2.x series" in msg and "pip uninstall -y deepmd-kit" in msg


def test_wheel_built_for_another_torch_keeps_deepmds_hint(monkeypatch):
    fake(monkeypatch, {**BASE, "torch": "2.13.0+cpu", "deepmd-kit": "3.2.0"},
         {"pt_version": "2.11.0", "cibuildwheel": "1", "dp_variant": "cuda"})
    r = d.doctor(route="cpu", probe=False)
    item = next(i for i in r.items if i.name == "deepmd-kit")
    assert item.status == "wrong" and "registry wheel" in item.note and "compiled for torch 2.11.0" in item.note
    assert "pip install deepmd-kit --no-binary deepmd-kit" in item.note
    msg = d.relax_install_message(RuntimeError("The version of PyTorch used to compile ..."), route="cpu")
    assert "compiled for torch 2.11.0 but torch 2.13.0+cpu is installed" in msg
    assert "DP_ENABLE_PYTORCH=1 pip install deepmd-kit --no-binary deepmd-kit" in msg


def test_working_install_is_ready(monkeypatch):
    fake(monkeypatch, {**BASE, "torch": "2.13.0+cpu", "deepmd-kit": "3.2.0"},
         {"pt_version": "2.13.0", "cibuildwheel": "0", "dp_variant": "cpu"})
    r = d.doctor(route="cpu", probe=False)
    assert r.relax_ready and r.commands == [] and "structcheck relax: ready" in str(r)
    assert "<table>" in r._repr_html_()


def test_cli_doctor_exit_code_and_json(run_cli, monkeypatch):
    fake(monkeypatch, BASE)
    code, out, _ = run_cli("doctor", "--no-probe", "--route", "cpu", "--json")
    import json

    rep = json.loads(out)
    assert code == 1 and rep["relax_ready"] is False and rep["route"] == "cpu"


def test_installer_ships_inside_the_package():
    from structcheck.install_deepmd import script_path

    path = script_path()
    assert path.is_file() and "structcheck" in path.parts
    text = path.read_text()
    assert 'DEEPMD_VERSION="3.2.0"' in text and "--no-binary deepmd-kit" in text
    root = Path(__file__).resolve().parent.parent
    wrapper = (root / "scripts" / "install_deepmd.sh").read_text()
    assert "structcheck/_scripts/install_deepmd.sh" in wrapper  # one script, two ways in


@pytest.mark.skipif(not (d._version("deepmd-kit") and d._version("torch")), reason="deepmd-kit/torch not installed")
def test_probe_of_this_environment_reports_versions():
    r = d.doctor(probe=True)
    torch = next(i for i in r.items if i.name == "torch")
    assert torch.found == md.version("torch") and "cuda_available" in r.hardware
