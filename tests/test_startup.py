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
