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


def test_vesin_imported_without_importlib_metadata_and_version_kept():
    """The periodic path imports vesin with a stand-in for importlib.metadata (~15 ms) and
    never numpy.ma (np.unique pulls it in, ~7 ms); vesin still reports its real version
    and importlib.metadata works normally afterwards."""
    code = (
        "import sys\n"
        "from structcheck.cli import main\n"
        f"rc = main(['lint', '--isolated', '-q', r'{EX / 'water_box_image_contact.xyz'}'])\n"
        "light = ['vesin' in sys.modules, 'importlib.metadata' in sys.modules, 'numpy.ma' in sys.modules]\n"
        "import importlib.metadata, vesin\n"
        "print(light, rc, vesin.__version__ == importlib.metadata.version('vesin'),\n"
        "      importlib.metadata.version('numpy') == __import__('numpy').__version__)\n"
    )
    assert last_line(code) == "[True, False, False] 1 True True"


def test_vesin_import_falls_back_to_the_real_importlib_metadata():
    """If vesin ever asks importlib.metadata for more than its version, the stand-in steps
    aside and vesin is imported again normally."""
    code = (
        "import sys, types\n"
        "from structcheck import neighbors\n"
        "real = neighbors._metadata_stub\n"
        "def picky():\n"
        "    stub = real()\n"
        "    stub.version = lambda name: stub.no_such_thing\n"  # AttributeError, as a vesin using more would get
        "    return stub\n"
        "neighbors._metadata_stub = picky\n"
        "NL = neighbors._vesin_neighbor_list()\n"
        "import importlib.metadata, vesin\n"
        "print(NL.__name__, vesin.__version__ == importlib.metadata.version('vesin'))\n"
    )
    assert last_line(code) == "NeighborList True"


def test_no_importlib_metadata_stand_in_while_other_threads_run():
    code = (
        "import sys, threading\n"
        "stop = threading.Event()\n"
        "t = threading.Thread(target=stop.wait); t.start()\n"
        "from structcheck import neighbors\n"
        "print(neighbors._metadata_stub() is None, 'importlib.metadata' in sys.modules or 'absent')\n"
        "stop.set(); t.join()\n"
    )
    assert last_line(code) == "True absent"
