"""What is installed for each structcheck command, what is missing, the command that fixes it.

``structcheck.doctor()`` (and ``structcheck doctor``) reads package versions from their
metadata and deepmd-kit's build record (``deepmd/lib/run_config.ini``: the torch it was
compiled against, cpu/cuda, wheel or source build) without importing them, then imports
torch and deepmd-kit in a child process (``probe=True``) for CUDA/cuDNN versions and whether
deepmd-kit's PyTorch operators load, so this process's torch settings stay untouched.

Two install routes for ``structcheck relax`` (DeePMD-kit 3.2 with its PyTorch backend):

- CPU: ``torch==2.13.0`` first, then deepmd-kit 3.2.0 built from its sdist against that
  torch by the script shipped inside this package (``python -m structcheck.install_deepmd``,
  also ``structcheck doctor --install-deepmd``).
- GPU: the registry wheel ``deepmd-kit[torch]==3.2.0``, whose C++ operators are built for
  ``torch==2.11.0`` exactly (it requires that torch and ``mpich``). To keep another torch,
  build from source as deepmd-kit itself suggests:
  ``DP_ENABLE_PYTORCH=1 DP_VARIANT=cuda pip install deepmd-kit --no-binary deepmd-kit``.

deepmd-kit 2.x (what an unpinned ``pip install deepmd-kit[torch]`` falls back to when the
installed torch is not 2.11) is TensorFlow-only: reported as such, not as a missing module.
"""

from __future__ import annotations

import configparser
import importlib.metadata as md
import importlib.util
import json
import os
import shutil
import subprocess
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

__all__ = [
    "CPU_TORCH",
    "DEEPMD_VERSION",
    "GPU_TORCH",
    "DoctorReport",
    "Item",
    "deepmd_build",
    "doctor",
    "install_commands",
    "relax_install_message",
]

DEEPMD_VERSION = "3.2.0"
CPU_TORCH = "2.13.0"      # the torch this project pins and tests (CPU build)
GPU_TORCH = "2.11.0"      # the torch the deepmd-kit 3.2.0 registry wheel requires exactly
DEEPMD_SOURCE_HINT = "DP_ENABLE_PYTORCH=1 pip install deepmd-kit --no-binary deepmd-kit"  # deepmd-kit's own


def _version(dist: str) -> str | None:
    try:
        return md.version(dist)
    except md.PackageNotFoundError:
        return None


def _major(v: str | None) -> int | None:
    try:
        return int(v.split(".")[0]) if v else None
    except ValueError:
        return None


def _torch_base(v: str | None) -> str | None:
    return v.split("+")[0] if v else None


def deepmd_build() -> dict:
    """deepmd-kit's compile-time record (``run_config.ini``), read without importing deepmd:
    ``pt_version`` (torch it was compiled against), ``dp_variant``, ``cibuildwheel`` ('1' =
    the registry wheel), ``enable_pytorch``/``enable_tensorflow``; {} when absent."""
    try:
        spec = importlib.util.find_spec("deepmd")
    except (ImportError, ValueError):
        return {}
    if spec is None or not spec.submodule_search_locations:
        return {}
    ini = Path(next(iter(spec.submodule_search_locations))) / "lib" / "run_config.ini"
    if not ini.is_file():
        return {}
    cp = configparser.ConfigParser()
    try:
        cp.read(ini)
        return {k.lower(): v.strip() for k, v in cp.items("CONFIG")}
    except configparser.Error:
        return {}


def python_command() -> str:
    """``python`` when that is this interpreter on PATH (an active venv), else its full path."""
    found = shutil.which("python")
    try:
        same = found is not None and os.path.samefile(found, sys.executable)
    except OSError:
        same = False
    return "python" if same else sys.executable


def install_commands(route: str, python: str | None = None) -> list[str]:
    """The commands that install ``structcheck relax``'s backend on ``route`` ('cpu'/'gpu')."""
    python = python or python_command()
    if route == "gpu":
        return [f'{python} -m pip install "torch=={GPU_TORCH}" "deepmd-kit[torch]=={DEEPMD_VERSION}"']
    return [f"{python} -m pip install torch=={CPU_TORCH}", f"{python} -m structcheck.install_deepmd"]


def _route_default() -> str:
    return "gpu" if shutil.which("nvidia-smi") else "cpu"


def relax_install_message(exc: BaseException | None = None, route: str | None = None) -> str:
    """One paragraph for ``structcheck relax`` when torch/deepmd-kit cannot be used: the versions
    found, the ones needed, and the exact commands (metadata only: nothing is imported)."""
    route = route or _route_default()
    torch_v, dp_v = _version("torch"), _version("deepmd-kit")
    build = deepmd_build()
    found = f"found torch {torch_v or 'not installed'}, deepmd-kit {dp_v or 'not installed'}"
    if dp_v and build.get("pt_version"):
        found += f" (built against torch {build['pt_version']})"
    need = (f"structcheck relax needs deepmd-kit {DEEPMD_VERSION} with its PyTorch backend and the torch "
            f"it was built against (CPU: torch {CPU_TORCH} + deepmd-kit built from source; GPU: the "
            f"deepmd-kit {DEEPMD_VERSION} wheel + torch {GPU_TORCH})")
    why = ""
    if dp_v and _major(dp_v) is not None and _major(dp_v) < 3:
        why = (f"; deepmd-kit {dp_v} is the TensorFlow-only 2.x series (no PyTorch backend): "
               "`pip uninstall -y deepmd-kit` first")
    elif dp_v and torch_v and build.get("pt_version") and _torch_base(build["pt_version"]) != _torch_base(torch_v):
        why = (f"; this deepmd-kit's operators were compiled for torch {build['pt_version']} but torch "
               f"{torch_v} is installed (deepmd-kit's hint: `{DEEPMD_SOURCE_HINT}`)")
    elif exc is not None:
        text = str(exc).strip().splitlines()
        why = f"; import failed: {type(exc).__name__}: {text[0] if text else ''}"
        if "mpi" in str(exc).lower():
            why += " (the registry wheel loads MPI through the `mpich` package: `pip install mpich`)"
    cmds = " && ".join(install_commands(route))
    other = "gpu" if route == "cpu" else "cpu"
    return (f"{need}; {found}{why}. Fix ({route}): {cmds}   [{other}: "
            f"{' && '.join(install_commands(other))}; details: structcheck doctor]")


# ------------------------------------------------------------------ the report

@dataclass
class Item:
    """One component: ``status`` is ok, missing, wrong or optional (not installed, not needed)."""

    name: str
    found: str | None
    needed: str
    status: str
    for_: str
    note: str = ""


@dataclass
class DoctorReport:
    route: str
    items: list[Item]
    relax_ready: bool
    commands: list[str]
    hardware: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)

    def __str__(self) -> str:
        w = max(len(i.name) for i in self.items)
        lines = [f"structcheck doctor (install route: {self.route})"]
        for i in self.items:
            mark = {"ok": "ok", "missing": "MISSING", "wrong": "WRONG", "optional": "-"}[i.status]
            lines.append(f"  {i.name:<{w}}  {i.found or 'not installed':<24} {mark:<8} needed: {i.needed} "
                         f"(for {i.for_}){'  ' + i.note if i.note else ''}")
        if self.hardware:
            lines.append("  hardware: " + ", ".join(f"{k}={v}" for k, v in self.hardware.items()))
        lines += [f"  note: {n}" for n in self.notes]
        if self.relax_ready:
            lines.append("structcheck relax: ready")
        else:
            lines.append("structcheck relax: NOT ready; run:")
            lines += [f"    {c}" for c in self.commands]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        from html import escape

        rows = "".join(f"<tr><td>{escape(i.name)}</td><td>{escape(i.found or 'not installed')}</td>"
                       f"<td>{escape(i.status)}</td><td>{escape(i.needed)}</td><td>{escape(i.note)}</td></tr>"
                       for i in self.items)
        fix = "" if self.relax_ready else "<p>Fix:</p><pre>" + escape("\n".join(self.commands)) + "</pre>"
        return (f"<p>structcheck doctor (route {escape(self.route)}): relax "
                f"{'ready' if self.relax_ready else 'NOT ready'}</p><table><tr><th>package</th><th>found</th>"
                f"<th>status</th><th>needed</th><th>note</th></tr>{rows}</table>{fix}")


_PROBE = r"""
import json, sys
out = {}
try:
    import torch
    out["torch"] = torch.__version__
    out["torch_cuda"] = torch.version.cuda
    out["cuda_available"] = bool(torch.cuda.is_available())
    out["cudnn"] = torch.backends.cudnn.version() if torch.backends.cudnn.is_available() else None
    if out["cuda_available"]:
        out["gpus"] = [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())]
except Exception as exc:
    out["torch_error"] = f"{type(exc).__name__}: {exc}"
if "torch" in out:
    try:
        import deepmd.pt
        from deepmd.pt.cxx_op import ENABLE_CUSTOMIZED_OP
        from deepmd.calculator import DP
        out["deepmd_ops"] = bool(ENABLE_CUSTOMIZED_OP)
        out["deepmd_mpi"] = "mpi4py" in sys.modules
    except BaseException as exc:
        out["deepmd_error"] = f"{type(exc).__name__}: {exc}"
print("STRUCTCHECK_PROBE " + json.dumps(out))
"""


def _probe(timeout: float = 120.0) -> dict:
    env = dict(os.environ, OMP_NUM_THREADS="1")
    try:
        proc = subprocess.run([sys.executable, "-c", _PROBE], capture_output=True, text=True,
                              timeout=timeout, env=env, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return {"probe_error": f"{type(exc).__name__}: {exc}"}
    for line in proc.stdout.splitlines():
        if line.startswith("STRUCTCHECK_PROBE "):
            return json.loads(line[len("STRUCTCHECK_PROBE "):])
    tail = (proc.stderr.strip().splitlines() or [f"exit {proc.returncode}"])[-1]
    return {"probe_error": f"the import probe crashed: {tail}"}


def doctor(route: str | None = None, probe: bool = True) -> DoctorReport:
    """What is installed, what is missing for each command, and the commands that fix it.

    ``route``: 'cpu' or 'gpu' (default: 'gpu' when ``nvidia-smi`` is on PATH, else 'cpu').
    ``probe``: also import torch and deepmd-kit in a child process (CUDA/cuDNN versions,
    whether deepmd-kit's PyTorch operators load); False reads metadata only.
    """
    route = route or _route_default()
    if route not in ("cpu", "gpu"):
        raise ValueError("route must be 'cpu' or 'gpu'")
    items = [Item(d, _version(d), "any", "ok" if _version(d) else "missing", "lint")
             for d in ("numpy", "scipy", "ase", "vesin")]
    for d, need, what in (("pymatgen", ">=2024.1.1", "charge-imbalance, pymatgen objects"),
                          ("matplotlib", ">=3.7", "wander plots, show, lint --output-format png"),
                          ("tblite", ">=0.4", "wander --reference gfn2, fix/relax --preopt"),
                          ("distributed", ">=2024.1", "lint --dask-scheduler")):
        items.append(Item(d, _version(d), need, "ok" if _version(d) else "optional", what))
    torch_v, dp_v = _version("torch"), _version("deepmd-kit")
    want_torch = GPU_TORCH if route == "gpu" else CPU_TORCH
    build = deepmd_build()
    notes: list[str] = []
    t_item = Item("torch", torch_v, f"{want_torch} ({route} route)", "ok" if torch_v else "missing", "relax, wander")
    d_item = Item("deepmd-kit", dp_v, f"{DEEPMD_VERSION} with the PyTorch backend", "ok" if dp_v else "missing",
                  "relax, wander")
    if dp_v:
        if _major(dp_v) is not None and _major(dp_v) < 3:
            d_item.status = "wrong"
            d_item.note = (f"deepmd-kit {dp_v} is the TensorFlow-only 2.x series; "
                           "`pip uninstall -y deepmd-kit`, then the commands below")
        elif build:
            kind = "registry wheel" if build.get("cibuildwheel") == "1" else "source build"
            d_item.note = f"{kind}, {build.get('dp_variant', '?')}, compiled for torch {build.get('pt_version', '?')}"
            if torch_v and build.get("pt_version") and _torch_base(build["pt_version"]) != _torch_base(torch_v):
                d_item.status = "wrong"
                d_item.note += (f"; torch {torch_v} is installed: its operators will not load "
                                f"(deepmd-kit's hint: `{DEEPMD_SOURCE_HINT}`)")
        if dp_v != DEEPMD_VERSION and d_item.status == "ok":
            notes.append(f"deepmd-kit {dp_v} is not the tested {DEEPMD_VERSION}")
    if torch_v and _torch_base(torch_v) != want_torch:
        notes.append(f"torch {torch_v} is not the {route} route's {want_torch}; fine if deepmd-kit was built against it")
    hardware: dict = {}
    if probe and torch_v:
        p = _probe()
        if "torch_error" in p or "probe_error" in p:
            t_item.status = "wrong"
            t_item.note = p.get("torch_error") or p.get("probe_error")
        else:
            hardware = {"torch_cuda": p.get("torch_cuda"), "cudnn": p.get("cudnn"),
                        "cuda_available": p.get("cuda_available")}
            if p.get("gpus"):
                hardware["gpus"] = "; ".join(p["gpus"])
            if route == "gpu" and not p.get("cuda_available"):
                notes.append("route gpu, but torch sees no CUDA device (a CPU build of torch, or no driver)")
            if dp_v and "deepmd_error" in p:
                d_item.status = "wrong"
                lines = p["deepmd_error"].splitlines()
                d_item.note = (d_item.note + "; " if d_item.note else "") + "import failed: " + lines[0][:300]
                if any("--no-binary" in ln for ln in lines):
                    d_item.note += f" (deepmd-kit's hint: `{DEEPMD_SOURCE_HINT}`)"
            elif dp_v and p.get("deepmd_ops") is False:
                notes.append("deepmd-kit's C++ operators did not load (DPA2 descriptors that need them fail)")
    items += [t_item, d_item]
    ready = t_item.status == "ok" and d_item.status == "ok"
    cmds = [] if ready else _fix_commands(route, t_item, d_item)
    return DoctorReport(route, items, ready, cmds, hardware, notes)


def _fix_commands(route: str, t_item: Item, d_item: Item) -> list[str]:
    py = python_command()
    cmds = []
    if d_item.found and d_item.status == "wrong":
        cmds.append(f"{py} -m pip uninstall -y deepmd-kit")
    if route == "gpu":
        return cmds + install_commands("gpu", py)
    if not t_item.found or t_item.status == "wrong":
        cmds.append(f"{py} -m pip install torch=={CPU_TORCH}")
    cmds.append(f"{py} -m structcheck.install_deepmd   # = structcheck doctor --install-deepmd")
    return cmds
