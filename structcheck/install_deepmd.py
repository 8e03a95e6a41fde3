"""``python -m structcheck.install_deepmd``: install deepmd-kit 3.2.0 for ``structcheck relax``.

Runs the installer shipped inside this package (``structcheck/_scripts/install_deepmd.sh``,
the same script ``make install`` uses) with this interpreter: it builds deepmd-kit 3.2.0
from its sdist against the torch already installed (``pip install torch==2.13.0`` first),
PyTorch backend only, no MPI. ``--cuda`` builds the CUDA variant (``DP_VARIANT=cuda``).
Idempotent: returns at once when a working deepmd-kit is already there.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

__all__ = ["main", "script_path"]


def script_path() -> Path:
    """The shipped installer (inside the installed package, wheel or editable)."""
    return Path(__file__).resolve().parent / "_scripts" / "install_deepmd.sh"


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    env = dict(os.environ, PYTHON=sys.executable)
    if "--cuda" in argv:
        env["DP_VARIANT"] = "cuda"
        argv.remove("--cuda")
    if argv:
        sys.stderr.write(f"usage: python -m structcheck.install_deepmd [--cuda]  (unknown: {' '.join(argv)})\n")
        return 2
    bin_dir = str(Path(sys.executable).parent)
    env["PATH"] = bin_dir + os.pathsep + env.get("PATH", "")  # cmake/ninja installed into this venv
    return subprocess.call(["bash", str(script_path())], env=env)


if __name__ == "__main__":
    raise SystemExit(main())
