"""The lint path stays light: no heavy import unless a selected rule needs it."""

import subprocess
import sys
from pathlib import Path

EX = Path(__file__).resolve().parent.parent / "data" / "examples"
HEAVY = ["torch", "deepmd", "pymatgen", "matplotlib", "ase.io", "ase.optimize", "dask"]


def test_cli_lint_imports_nothing_heavy():
    code = (
        "import sys\n"
        "from structcheck.cli import main\n"
        f"rc = main(['lint', '--isolated', '-q', r'{EX / 'h2o3_report.xyz'}', r'{EX / 'water.xyz'}'])\n"
        f"heavy = [m for m in {HEAVY!r} if m in sys.modules]\n"
        "print('HEAVY', heavy, rc)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "HEAVY [] 1"


def test_console_script_runs():
    exe = Path(sys.executable).with_name("structcheck")
    r = subprocess.run([str(exe), "lint", "--isolated", str(EX / "water.xyz")], capture_output=True, text=True)
    assert r.returncode == 0 and "All checks passed" in r.stdout and r.stderr == ""


def test_wheel_ships_rules_and_model():
    """A non-editable install finds profiles, tables and the shipped model inside the package."""
    import tomllib

    root = Path(__file__).resolve().parent.parent
    include = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["hatch"]["build"]["targets"]["wheel"][
        "force-include"]
    assert include["rules"] == "structcheck/rules"
    assert include["data/models/structcheck-dpa2-HO.pth"] == "structcheck/data/structcheck-dpa2-HO.pth"
    for src in include:
        assert (root / src).exists(), src
    for name in ("default.toml", "dpa2-preflight.toml", "pair_distances.toml", "coordination.toml", "valences.toml"):
        assert (root / "rules" / name).is_file()


def last_line(code: str) -> str:
    """The last line a fresh interpreter prints running ``code``."""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return out.strip().splitlines()[-1]


def test_lint_leaves_vesin_and_torch_to_the_user():
    """The periodic path calls vesin's compiled library without importing the vesin package
    (which imports torch): after a lint, nothing of vesin, torch, importlib.metadata or
    numpy.ma is loaded, and a vesin imported afterwards by the user still returns torch
    tensors for torch tensors (no module was blocked or replaced while linting)."""
    code = (
        "import sys\n"
        "from structcheck.cli import main\n"
        f"rc = main(['lint', '--isolated', '-q', r'{EX / 'water_box_image_contact.xyz'}'])\n"
        "light = [m in sys.modules for m in ('vesin', 'torch', 'importlib.metadata', 'numpy.ma')]\n"
        "import torch, vesin\n"
        "pos = torch.tensor([[0.0, 0.0, 0.0], [1.0, 0.0, 0.0]], dtype=torch.float64)\n"
        "i, j, d = vesin.NeighborList(cutoff=2.0, full_list=False).compute(pos, torch.zeros(3, 3, dtype=torch.float64),"
        " False, quantities='ijd')\n"
        "print(light, rc, type(d).__module__, float(d[0]))\n"
    )
    assert last_line(code) == "[False, False, False, False] 1 torch 1.0"


def test_own_vesin_binding_matches_vesin_neighborlist():
    """structcheck's ctypes call of libvesin gives exactly vesin.NeighborList's pairs."""
    import numpy as np
    import vesin

    from structcheck.neighbors import half_pairs

    rng = np.random.default_rng(3)
    pos = rng.uniform(0, 9, (300, 3))
    cell = np.array([[9.0, 0, 0], [1.0, 9.5, 0], [0.5, 0.3, 8.7]])
    mine = half_pairs(pos, cell, np.array([True, True, True]), 3.1)
    i, j, s, d = vesin.NeighborList(cutoff=3.1, full_list=False).compute(pos, cell, True, quantities="ijSd")
    key = lambda a, b, sh, dd: sorted(zip(a.tolist(), b.tolist(), map(tuple, sh.tolist()), dd.round(12).tolist()))
    assert key(mine.i, mine.j, mine.shift, mine.d) == key(i.astype(int), j.astype(int), s.astype(int), d)
