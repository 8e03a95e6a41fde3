"""Process settings a DPA2 run depends on, set inside a context that restores them.

- Threads: on CPU one intra-op and one inter-op torch thread by default. On a small,
  shared machine a DPA2 force call of a small molecule is several times *slower* with two
  threads than with one, and a fixed count is also what makes CPU runs repeatable. Set
  ``threads=`` (``--threads``) or ``DP_INTRA_OP_PARALLELISM_THREADS`` to change it; the
  variables ``DP_INTRA_OP_PARALLELISM_THREADS``, ``DP_INTER_OP_PARALLELISM_THREADS`` and
  ``OMP_NUM_THREADS`` are set before deepmd (and, when possible, torch) is imported.
- TorchScript: the graph executor's profiling optimisation is switched off while the model
  is loaded and run (``torch._C._set_graph_executor_optimize(False)``). With it on, the first
  calls of a freshly loaded model are slow (profiling, then a re-compiled graph) and give
  forces that differ from the later calls' in the last bits.
- ``deterministic=True``: ``torch.use_deterministic_algorithms(True)``,
  ``CUBLAS_WORKSPACE_CONFIG=:4096:8`` before CUDA starts, fixed thread counts, and a fresh
  calculator per run; ``deterministic=False`` turns deterministic algorithms off for the run.

:func:`runtime_settings` applies these on entry and puts back on exit what was there before:
environment variables, torch's intra-op thread count, deterministic-algorithm and cuDNN
flags, the TorchScript executor setting. Two things torch cannot undo are recorded instead:
the inter-op thread count (settable once per process) and the device deepmd-kit chose when it
was first imported. :func:`runtime_record` reports the state in force, read from torch itself.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

DEFAULT_CPU_THREADS = 1
CUBLAS_DETERMINISTIC = ":4096:8"
NOT_REPEATABLE = ("run without --deterministic: it may not be bitwise repeatable (PyTorch may choose "
                  "non-deterministic kernels, on a GPU in particular; the same input can give forces "
                  "that differ in the last bits, and a rough start amplifies that into different minima)")
_ENV_KEYS = ("DP_INTRA_OP_PARALLELISM_THREADS", "DP_INTER_OP_PARALLELISM_THREADS", "OMP_NUM_THREADS",
             "DEVICE", "CUBLAS_WORKSPACE_CONFIG", "DP_INFER_BATCH_SIZE")


class DeepmdUnavailable(RuntimeError):
    """deepmd-kit (PyTorch backend) or torch cannot be imported."""


def _default_threads(device: str | None) -> int:
    env = os.environ.get("DP_INTRA_OP_PARALLELISM_THREADS")
    if env and env.strip().isdigit() and int(env) > 0:
        return int(env)
    return DEFAULT_CPU_THREADS


def _apply(*, threads: int | None = None, deterministic: bool = False, device: str | None = None) -> dict:
    """Set threads, TorchScript and determinism before a model is loaded; returns what was set.

    ``threads``: torch intra-op threads (default 1, or ``DP_INTRA_OP_PARALLELISM_THREADS``);
    inter-op threads are 1. ``device``: "cpu" forces the CPU (``DEVICE=cpu`` for deepmd), None
    lets deepmd choose (CUDA when available). Environment variables are only effective when
    set before torch/deepmd are imported; this function is called before importing them.
    """
    n = int(threads) if threads else _default_threads(device)
    if n < 1:
        raise ValueError("threads must be >= 1")
    notes = []
    torch_was_imported = "torch" in sys.modules
    os.environ["DP_INTRA_OP_PARALLELISM_THREADS"] = str(n)
    os.environ["DP_INTER_OP_PARALLELISM_THREADS"] = "1"
    if not torch_was_imported:
        os.environ["OMP_NUM_THREADS"] = str(n)
    elif os.environ.get("OMP_NUM_THREADS") != str(n):
        notes.append("torch was imported before structcheck configured it: OMP_NUM_THREADS stays "
                     f"{os.environ.get('OMP_NUM_THREADS')!r}; torch.set_num_threads({n}) still applies")
    if device == "cpu":
        os.environ["DEVICE"] = "cpu"
    # deepmd prints a hint per calculator unless the inference batch size is set; 1024 is its default
    os.environ.setdefault("DP_INFER_BATCH_SIZE", "1024")
    if deterministic:
        cur = os.environ.get("CUBLAS_WORKSPACE_CONFIG")
        if cur not in (":4096:8", ":16:8"):
            os.environ["CUBLAS_WORKSPACE_CONFIG"] = CUBLAS_DETERMINISTIC
    try:
        import torch
    except ImportError as exc:
        from ..installation import relax_install_message

        raise DeepmdUnavailable(relax_install_message(exc)) from None
    if deterministic and torch_was_imported and torch.cuda.is_available() and torch.cuda.is_initialized():
        notes.append("CUDA was initialised before --deterministic set CUBLAS_WORKSPACE_CONFIG: cuBLAS "
                     "may still be non-deterministic in this process (run in a fresh process)")
    if torch.get_num_threads() != n:
        torch.set_num_threads(n)
    if torch.get_num_interop_threads() != 1:
        try:
            torch.set_num_interop_threads(1)
        except RuntimeError:  # only possible before the first parallel work of the process
            notes.append(f"torch inter-op threads stay {torch.get_num_interop_threads()} (set after "
                         "parallel work had started)")
    if device == "cuda" and not torch.cuda.is_available():
        raise DeepmdUnavailable("--device cuda: torch sees no CUDA device (a CPU build of torch, or no GPU)")
    if device == "cpu" and "deepmd.pt.utils.env" in sys.modules and \
            str(sys.modules["deepmd.pt.utils.env"].DEVICE) != "cpu":
        notes.append("deepmd-kit was imported on CUDA before device='cpu' was asked for: it stays on "
                     f"{sys.modules['deepmd.pt.utils.env'].DEVICE}")
    torch._C._set_graph_executor_optimize(False)
    torch.use_deterministic_algorithms(bool(deterministic))
    if deterministic:
        torch.backends.cudnn.deterministic = True
        torch.backends.cudnn.benchmark = False
    return {"threads_requested": n, "notes": notes}


def runtime_record(deterministic: bool = False, notes: Sequence[str] = ()) -> dict:
    """The runtime state that decides speed and repeatability, as it is now."""
    rec: dict = {"threads": {k: os.environ.get(k) for k in (
        "DP_INTRA_OP_PARALLELISM_THREADS", "DP_INTER_OP_PARALLELISM_THREADS", "OMP_NUM_THREADS",
        "MKL_NUM_THREADS")}}
    torch = sys.modules.get("torch")
    if torch is not None:
        rec["threads"]["torch_intra_op"] = torch.get_num_threads()
        rec["threads"]["torch_inter_op"] = torch.get_num_interop_threads()
        rec["torchscript_graph_executor_optimize"] = bool(torch._C._get_graph_executor_optimize())
        det_algos = bool(torch.are_deterministic_algorithms_enabled())
        cuda = bool(torch.cuda.is_available())
        rec["cuda_available"] = cuda
        if cuda:
            rec["cuda_device_name"] = torch.cuda.get_device_name(0)
    else:
        det_algos = False
    device = None
    env = sys.modules.get("deepmd.pt.utils.env")
    if env is not None and hasattr(env, "DEVICE"):
        device = str(env.DEVICE)
    rec["device"] = device or "cpu"
    cuda_late = any("CUBLAS_WORKSPACE_CONFIG" in n for n in notes)
    repeatable = bool(deterministic and det_algos and not cuda_late)
    rec["deterministic"] = {
        "requested": bool(deterministic),
        "torch_use_deterministic_algorithms": det_algos,
        "cudnn_deterministic": bool(torch.backends.cudnn.deterministic) if torch is not None else None,
        "CUBLAS_WORKSPACE_CONFIG": os.environ.get("CUBLAS_WORKSPACE_CONFIG"),
        "fresh_calculator": True,
        "fixed_threads": True,
        "statement": ("deterministic mode: deterministic PyTorch algorithms, fixed thread counts, "
                      "CUBLAS_WORKSPACE_CONFIG set before CUDA started, a freshly loaded model with "
                      "TorchScript graph optimisation off; the same input, model, versions and "
                      "hardware give a bitwise identical trajectory") if repeatable else
                     (NOT_REPEATABLE if not deterministic else
                      "deterministic mode was asked for but did not fully apply (see notes): the run "
                      "may not be bitwise repeatable"),
    }
    return rec


def _torch_state(torch) -> dict:
    return {"threads": torch.get_num_threads(),
            "deterministic": torch.are_deterministic_algorithms_enabled(),
            "warn_only": torch.is_deterministic_algorithms_warn_only_enabled(),
            "cudnn_deterministic": torch.backends.cudnn.deterministic,
            "cudnn_benchmark": torch.backends.cudnn.benchmark,
            "graph_optimize": torch._C._get_graph_executor_optimize()}


def _restore_torch(torch, state: dict) -> None:
    if torch.get_num_threads() != state["threads"]:
        torch.set_num_threads(state["threads"])
    torch.use_deterministic_algorithms(state["deterministic"], warn_only=state["warn_only"])
    torch.backends.cudnn.deterministic = state["cudnn_deterministic"]
    torch.backends.cudnn.benchmark = state["cudnn_benchmark"]
    torch._C._set_graph_executor_optimize(state["graph_optimize"])


@contextmanager
def runtime_settings(*, threads: int | None = None, deterministic: bool = False,
                     device: str | None = None) -> Iterator[dict]:
    """Threads, TorchScript and determinism for the duration of a run; restored afterwards.

    ``threads``: torch intra-op threads (default 1, or ``DP_INTRA_OP_PARALLELISM_THREADS``);
    inter-op threads are 1. ``device``: "cpu" forces the CPU (``DEVICE=cpu`` for deepmd), None
    lets deepmd choose (CUDA when available). Yields ``{"threads_requested": n, "notes": [...]}``.
    Environment variables are only effective when set before torch/deepmd are imported.
    """
    env_before = {k: os.environ.get(k) for k in _ENV_KEYS}
    torch = sys.modules.get("torch")
    torch_before = _torch_state(torch) if torch is not None else None
    try:
        settings = _apply(threads=threads, deterministic=deterministic, device=device)
        torch = sys.modules["torch"]
        if torch_before is None:  # torch imported just now: what it started with is the state to restore
            torch_before = {"threads": None}
        yield settings
    finally:
        torch = sys.modules.get("torch")
        if torch is not None and torch_before is not None:
            if torch_before.get("threads") is None:
                torch_before = {"threads": torch.get_num_threads(), "deterministic": False, "warn_only": False,
                                "cudnn_deterministic": False, "cudnn_benchmark": False, "graph_optimize": True}
            _restore_torch(torch, torch_before)
        for k, v in env_before.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
