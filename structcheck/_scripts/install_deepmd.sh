#!/usr/bin/env bash
# Install deepmd-kit 3.2.0 (PyTorch backend only; CPU, or DP_VARIANT=cuda) built from the sdist
# against the torch that is ALREADY installed in the active environment,
# plus the runtime extras structcheck's DP relaxation / model build needs.
#
# Why not the wheel: the PyPI wheel's C++ op library is built for torch 2.11
# (fails to load under torch 2.13) and its run_config.ini has CIBUILDWHEEL=1,
# which makes `import deepmd.pt` load libmpi via the `mpich` package.
#
# Usage (inside the venv that already has torch, e.g. torch==2.13.0 CPU):
#   python -m structcheck.install_deepmd      (from an installed structcheck, wheel or editable)
#   PYTHON=.venv/bin/python scripts/install_deepmd.sh     # in a checkout (python on PATH if PYTHON is unset)
# Optional: DEEPMD_SDIST=/path/to/deepmd_kit-3.2.0.tar.gz to build from a local sdist.
# Idempotent: exits early when deepmd (pt backend, customized ops, no MPI),
# e3nn, tblite and ase already import.
set -euo pipefail

PY="${PYTHON:-python}"
PIP=("$PY" -m pip)
DEEPMD_VERSION="3.2.0"

check() {
  "$PY" - <<'PYEOF'
import sys, importlib.metadata as md
import torch  # noqa: F401
assert md.version("deepmd-kit") == "3.2.0", md.version("deepmd-kit")
import deepmd.pt  # noqa: F401
from deepmd.pt.cxx_op import ENABLE_CUSTOMIZED_OP
assert ENABLE_CUSTOMIZED_OP, "deepmd C++ op library not loaded"
assert "mpi4py" not in sys.modules
from deepmd.calculator import DP  # noqa: F401
import e3nn, tblite.ase, ase  # noqa: F401
print("deepmd-kit", md.version("deepmd-kit"), "torch", torch.__version__)
PYEOF
}

if check >/dev/null 2>&1; then
  echo "install_deepmd: already installed: $(check 2>/dev/null | tail -1)"
  exit 0
fi

if ! "$PY" -c "import torch" >/dev/null 2>&1; then
  echo "install_deepmd: torch must be installed first (pinned, CPU build), e.g." >&2
  echo "  $PY -m pip install torch==2.13.0" >&2
  exit 1
fi
TORCH_BEFORE="$("$PY" -c 'import torch; print(torch.__version__)')"

# build requirements (used with --no-build-isolation so the build sees the installed torch)
"${PIP[@]}" install scikit-build-core dependency_groups setuptools_scm cmake ninja hatch-fancy-pypi-readme

# runtime extras; pip keeps the installed torch because it satisfies e3nn's torch>=2.2
"${PIP[@]}" install e3nn tblite ase

SRC="deepmd-kit==${DEEPMD_VERSION}"
if [[ -n "${DEEPMD_SDIST:-}" && -f "${DEEPMD_SDIST}" ]]; then
  SRC="${DEEPMD_SDIST}"
fi
DP_ENABLE_TENSORFLOW=0 DP_VARIANT="${DP_VARIANT:-cpu}" \
  "${PIP[@]}" install --no-build-isolation --no-binary deepmd-kit "${SRC}"

TORCH_AFTER="$("$PY" -c 'import torch; print(torch.__version__)')"
if [[ "$TORCH_BEFORE" != "$TORCH_AFTER" ]]; then
  echo "install_deepmd: ERROR torch changed from $TORCH_BEFORE to $TORCH_AFTER" >&2
  exit 1
fi
check
"$PY" -c "from deepmd.calculator import DP; print('install_deepmd: deepmd.calculator.DP OK')"
