"""`structcheck relax`: lint, optionally pre-relax, then a DeePMD-kit DPA2 model driven by
ASE's LBFGS, with a provenance record beside the output.

The path through a run::

    start --lint (dpa2-preflight, model type map)--> refuse | fix (--prerelax) | force
          --DP calculator (threads, TorchScript, deterministic settings)--> LBFGS
          --> final.extxyz + final.provenance.json (+ trajectory)

Runtime settings, chosen deliberately (measurements in docs and the issue-4 report):

- Threads: on CPU one intra-op and one inter-op torch thread by default. On a small,
  shared machine a DPA2 force call of a small molecule is several times *slower* with two
  threads than with one, and a fixed count is also what makes CPU runs repeatable. Set
  ``threads=`` (``--threads``) or ``DP_INTRA_OP_PARALLELISM_THREADS`` to change it; the
  variables ``DP_INTRA_OP_PARALLELISM_THREADS``, ``DP_INTER_OP_PARALLELISM_THREADS`` and
  ``OMP_NUM_THREADS`` are set before deepmd (and, when possible, torch) is imported.
- TorchScript: the graph executor's profiling optimisation is switched off before the model
  is loaded (``torch._C._set_graph_executor_optimize(False)``). With it on, the first calls of a
  freshly loaded model are slow (profiling, then a re-compiled graph) and give forces that
  differ from the later calls' in the last bits.
- ``deterministic=True``: ``torch.use_deterministic_algorithms(True)``,
  ``CUBLAS_WORKSPACE_CONFIG=:4096:8`` before CUDA starts, fixed thread counts, and a fresh
  calculator per run. The record says which of these held; without the flag it says the
  run may not be bitwise repeatable.

deepmd-kit and torch are imported only inside the functions that evaluate a model.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as _dt
import hashlib
import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .preflight import PreflightError

__all__ = [
    "DeepmdUnavailable",
    "LBFGSRun",
    "RelaxRefused",
    "RelaxResult",
    "add_relax_arguments",
    "configure_runtime",
    "make_calculator",
    "provenance_path",
    "relax",
    "run_lbfgs",
    "run_relax",
    "runtime_record",
]

PROFILE = "dpa2-preflight"
DEFAULT_FMAX = 0.05  # eV/Å
DEFAULT_STEPS = 500
DEFAULT_CPU_THREADS = 1
CUBLAS_DETERMINISTIC = ":4096:8"
INSTALL_HINT = ("install deepmd-kit 3.2 with its PyTorch backend: `bash scripts/install_deepmd.sh` "
                "(CPU; see README), or `pip install 'deepmd-kit[torch]==3.2.0'`")
NOT_REPEATABLE = ("run without --deterministic: it may not be bitwise repeatable (PyTorch may choose "
                  "non-deterministic kernels, on a GPU in particular; the same input can give forces "
                  "that differ in the last bits, and a rough start amplifies that into different minima)")
ENERGY_ROSE = ("the final energy is HIGHER than the start's: ASE's LBFGS has no line search, so on a "
               "rough energy surface it can accept uphill steps and end above where it began; check "
               "the start (structcheck lint), try --prerelax, a smaller maxstep, or another optimizer")


# ------------------------------------------------------------------ errors


class RelaxRefused(PreflightError):
    """The start failed the pre-flight check and the run was not started.

    ``findings`` the failing findings, ``all_findings`` all of them, ``reason`` one line.
    """

    def __init__(self, findings, all_findings=None, *, reason: str, fixed: bool = False):
        super().__init__(findings, all_findings, PROFILE, fixed=fixed)
        self.reason = reason
        from .findings import table

        self.args = (f"{reason}\n{table(self.findings)}",)


class DeepmdUnavailable(RuntimeError):
    """deepmd-kit (PyTorch backend) or torch cannot be imported."""


# ------------------------------------------------------------------ runtime: threads, TorchScript, determinism


def _default_threads(device: str | None) -> int:
    env = os.environ.get("DP_INTRA_OP_PARALLELISM_THREADS")
    if env and env.strip().isdigit() and int(env) > 0:
        return int(env)
    return DEFAULT_CPU_THREADS


def configure_runtime(*, threads: int | None = None, deterministic: bool = False,
                      device: str | None = None) -> dict:
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
    if deterministic:
        cur = os.environ.get("CUBLAS_WORKSPACE_CONFIG")
        if cur not in (":4096:8", ":16:8"):
            os.environ["CUBLAS_WORKSPACE_CONFIG"] = CUBLAS_DETERMINISTIC
    try:
        import torch
    except ImportError as exc:
        raise DeepmdUnavailable(f"torch is not importable ({exc}); {INSTALL_HINT}") from None
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
    if deterministic:
        torch.use_deterministic_algorithms(True)
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


def make_calculator(model: str | Path | None = None, *, head: str | None = None,
                    deterministic: bool = False, device: str | None = None,
                    threads: int | None = None):
    """A fresh ``deepmd.calculator.DP`` for ``model`` (default: the shipped DPA2 model) with the
    runtime settings of :func:`configure_runtime`. Also used by ``structcheck wander``."""
    from .models import ModelError, default_model_path

    path = Path(model) if model else default_model_path()
    if not path.is_file():
        raise ModelError(f"{path}: model file not found")
    settings = configure_runtime(threads=threads, deterministic=deterministic, device=device)
    try:
        from deepmd.calculator import DP
    except ImportError as exc:
        raise DeepmdUnavailable(f"deepmd-kit is not importable ({exc}); {INSTALL_HINT}") from None
    kw = {"head": head} if head else {}
    try:
        calc = DP(str(path), **kw)
    except Exception as exc:  # noqa: BLE001 - deepmd raises many kinds for a bad model file
        raise ModelError(f"{path}: deepmd-kit cannot load the model ({type(exc).__name__}: "
                         f"{str(exc).strip().splitlines()[0] if str(exc).strip() else ''})") from None
    calc.structcheck_runtime = settings
    return calc


# ------------------------------------------------------------------ one LBFGS run


@dataclass
class LBFGSRun:
    """Per-step data of one LBFGS relaxation (step 0 is the start).

    ``positions`` (steps+1, n, 3) Å, ``energies`` eV, ``fmax`` the largest atomic force norm
    in eV/Å, ``converged`` whether fmax fell below the criterion within the step budget.
    """

    atoms: object  # ase.Atoms: the final structure, with a SinglePointCalculator
    positions: np.ndarray
    energies: np.ndarray
    fmax: np.ndarray
    converged: bool
    seconds: float = 0.0
    force_calls: int = 0

    @property
    def steps(self) -> int:
        return len(self.energies) - 1


def _current_results(a) -> tuple[np.ndarray, float]:
    """Forces and energy the optimizer has just computed for ``a``'s positions: read from the
    calculator's results when its atoms have exactly these positions and no constraint
    changes the forces (ASE's check_state compares with tolerances, ~0.1 ms a call, several
    calls a step); else asked for the ordinary way."""
    calc = a.calc
    res = getattr(calc, "results", None)
    done = getattr(calc, "atoms", None)
    if res and not a.constraints and "forces" in res and "energy" in res and done is not None and len(done) == len(a) \
            and np.array_equal(done.positions, a.positions) and np.array_equal(done.numbers, a.numbers) \
            and np.array_equal(done.cell.array, a.cell.array) and np.array_equal(done.pbc, a.pbc):
        return res["forces"], float(res["energy"])
    return a.get_forces(), float(a.get_potential_energy())


def run_lbfgs(atoms, calc, *, fmax: float = DEFAULT_FMAX, steps: int = DEFAULT_STEPS,
              trajectory: str | Path | None = None,
              callback: Callable[[int, float, float], None] | None = None,
              **lbfgs_kwargs) -> LBFGSRun:
    """Relax a copy of ``atoms`` with ``calc`` and ASE's LBFGS; the input is not modified.

    ``trajectory``: an ASE .traj file of every step. ``callback(step, energy_eV, fmax_eV_per_A)``
    after each force evaluation. Other keywords go to ``ase.optimize.LBFGS`` (maxstep, memory,
    damping, alpha). Reusable for multi-start runs: pass a fresh calculator per run.
    """
    from ase.calculators.singlepoint import SinglePointCalculator
    from ase.optimize import LBFGS

    a = atoms.copy()
    a.calc = calc
    pos, ene, fm = [], [], []
    calls = 0
    t0 = time.perf_counter()
    opt = LBFGS(a, logfile=None, trajectory=str(trajectory) if trajectory else None, **lbfgs_kwargs)
    converged = False
    try:
        for converged in opt.irun(fmax=fmax, steps=steps):
            f, e = _current_results(a)
            m = float(np.sqrt((f ** 2).sum(axis=1)).max()) if len(a) else 0.0
            pos.append(a.get_positions().copy())
            ene.append(e)
            fm.append(m)
            calls += 1
            if callback is not None:
                callback(len(ene) - 1, e, m)
    finally:
        if getattr(opt, "trajectory", None) is not None and hasattr(opt.trajectory, "close"):
            opt.trajectory.close()
    final = a.copy()
    final.calc = SinglePointCalculator(final, energy=ene[-1], forces=a.get_forces().copy())
    return LBFGSRun(final, np.array(pos), np.array(ene), np.array(fm), bool(converged),
                    time.perf_counter() - t0, calls)


# ------------------------------------------------------------------ provenance helpers


def run_summary(run: LBFGSRun, fmax: float) -> dict:
    """The "run" section of a provenance record: per-step energy and max force, convergence,
    the energy change and an explicit statement when the energy rose."""
    energies = [float(e) for e in run.energies]
    fmaxes = [float(m) for m in run.fmax]
    de = energies[-1] - energies[0]
    rec = {
        "converged": bool(run.converged),
        "steps": run.steps,
        "force_calls": run.force_calls,
        "energy_initial_eV": energies[0],
        "energy_final_eV": energies[-1],
        "energy_change_eV": de,
        "energy_rose": de > 0,
        "energy_statement": ENERGY_ROSE if de > 0 else "the final energy is not above the start's",
        "uphill_steps": [k for k in range(1, len(energies)) if energies[k] > energies[k - 1]],
        "fmax_final_eV_per_A": fmaxes[-1],
        "energies_eV": energies,
        "fmax_eV_per_A": fmaxes,
        "relax_seconds": round(run.seconds, 4),
    }
    if not run.converged:
        rec["convergence_statement"] = (f"NOT converged: fmax {fmaxes[-1]:.4g} eV/Å > {fmax:g} eV/Å "
                                        f"after {run.steps} steps")
    return rec


def sha256_file(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


_MODEL_HASHES: dict[tuple, str] = {}


def _model_sha256(path: Path) -> str:
    st = path.stat()
    key = (str(path.resolve()), st.st_size, st.st_mtime_ns)
    if key not in _MODEL_HASHES:
        _MODEL_HASHES[key] = sha256_file(path)
    return _MODEL_HASHES[key]


def atoms_sha256(atoms) -> str:
    """A digest of what the model sees: atomic numbers, positions, cell, pbc (exact bytes)."""
    h = hashlib.sha256()
    for arr in (np.ascontiguousarray(atoms.numbers, dtype=np.int64),
                np.ascontiguousarray(atoms.positions, dtype=np.float64),
                np.ascontiguousarray(atoms.cell.array, dtype=np.float64),
                np.ascontiguousarray(atoms.pbc, dtype=np.bool_)):
        h.update(arr.tobytes())
    return h.hexdigest()


def versions() -> dict:
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": sys.version.split()[0]}
    for name in ("structcheck", "ase", "deepmd-kit", "torch", "numpy"):
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = None
    return out


def provenance_path(output: str | Path) -> Path:
    """final.extxyz -> final.provenance.json (beside the output)."""
    p = Path(output)
    return p.with_name(p.stem + ".provenance.json") if p.suffix else p.with_name(p.name + ".provenance.json")


def _jsonable(obj):
    if obj is None or isinstance(obj, (bool, int, str)):
        return obj
    if isinstance(obj, float):
        return obj if np.isfinite(obj) else str(obj)
    if isinstance(obj, (np.integer,)):
        return int(obj)
    if isinstance(obj, np.floating):
        return _jsonable(float(obj))
    if isinstance(obj, np.ndarray):
        return [_jsonable(x) for x in obj.tolist()]
    if isinstance(obj, Path):
        return str(obj)
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple, set)):
        return [_jsonable(x) for x in obj]
    if hasattr(obj, "to_dict"):
        return _jsonable(obj.to_dict())
    if dataclasses.is_dataclass(obj):
        return _jsonable({f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)
                          if f.name not in ("atoms",)})
    return str(obj)


def _findings(found) -> list[dict]:
    return [f.to_dict() for f in found]


# ------------------------------------------------------------------ relax()


@dataclass
class RelaxResult:
    """The outcome of :func:`relax`.

    ``atoms`` final structure (energy and forces attached), ``energies`` eV and ``fmax``
    eV/Å per step (step 0 = start), ``converged``, ``steps`` taken, ``provenance`` the record
    (also written beside ``output`` when one was given), ``run`` the raw per-step data.
    """

    atoms: object
    energies: list[float]
    fmax: list[float]
    converged: bool
    steps: int
    provenance: dict
    run: LBFGSRun | None = field(default=None, repr=False)
    output: Path | None = None
    provenance_file: Path | None = None

    @property
    def energy_change(self) -> float:
        return self.energies[-1] - self.energies[0]

    @property
    def energy_rose(self) -> bool:
        return self.energy_change > 0


# Errors that describe the chemistry or the intent of a start rather than a numerically broken
# one: after a successful repair (--prerelax: no close contact or overlap left) they no longer
# block the run, and the record lists them as accepted. Over-coordination is usually the
# contacts' own consequence (atoms pushed just past the close-contact distance can still count
# as bonded); a lone atom beyond every cutoff feels no force and stays where it is. Everything
# else (non-finite coordinates, unknown or unsupported elements, degenerate cells, suspect
# units, a formula mismatch, contacts the repair could not remove) still needs --force.
TOLERATED_AFTER_PRERELAX = frozenset({"over-coordinated", "isolated-atom", "implausible-density"})


def _preflight(atoms, model_path: Path, prerelax: bool, force: bool, fix_kwargs: dict | None,
               type_map: Sequence[str] | None = None) -> tuple[object, dict]:
    """Lint (and maybe fix) the start; returns (atoms to relax, record). Raises RelaxRefused.

    Policy: no errors -> run. Elements outside the model's type map -> refused, always.
    ``prerelax`` and some errors are fixable and the rest are in TOLERATED_AFTER_PRERELAX ->
    repair a copy with ``structcheck.fix``, lint again, run when what is left is tolerated
    (recorded as accepted). ``force`` -> run whatever is left (recorded as forced).
    """
    from .preflight import check

    kw = {"type_map": ",".join(type_map)} if type_map is not None else {}
    failing, found = check(atoms, PROFILE, str(model_path), **kw)
    rec = {"profile": PROFILE, "findings_before": _findings(found), "prerelax": None,
           "findings_after": None, "accepted_after_prerelax": [], "forced": False, "forced_findings": []}
    unsupported = [f for f in failing if f.name == "model-unsupported-element"]
    if unsupported:
        raise RelaxRefused(failing, found, reason=(
            f"refused before any model evaluation: the model {model_path.name} does not know every "
            "element of the start (--force cannot help: the model has no parameters for them)"))
    if not failing:
        return atoms, rec
    repairable = any(f.fixable for f in failing) and \
        all(f.fixable or f.name in TOLERATED_AFTER_PRERELAX for f in failing)
    if prerelax and repairable:
        from .prerelax import fix

        try:
            fixed, report = fix(atoms, **(fix_kwargs or {}))
        except Exception as exc:  # noqa: BLE001 - the repair's own refusal, in one line
            raise RelaxRefused(failing, found, reason=f"refused: the pre-relaxation failed: {exc}") from None
        failing, found = check(fixed, PROFILE, str(model_path), **kw)
        rec["prerelax"] = _jsonable(report)
        rec["findings_after"] = _findings(found)
        atoms = fixed
        hard = [f for f in failing if f.fixable or f.name not in TOLERATED_AFTER_PRERELAX]
        if not hard:
            rec["accepted_after_prerelax"] = _findings(failing)
            return atoms, rec
        if not force:
            raise RelaxRefused(hard, found, fixed=True, reason=(
                f"refused: {len(hard)} error(s) remain after the repulsive pre-relaxation; "
                "use --force to run anyway (recorded as forced)"))
    elif not force:
        if repairable:
            rest = sorted({f.name for f in failing if not f.fixable})
            n_fix = sum(f.fixable for f in failing)
            hint = (f"use --prerelax to repair the {n_fix} fixable one(s) first"
                    + (f" (any {', '.join(rest)} left after the repair is accepted and recorded)" if rest else "")
                    + ", or --force to run anyway (recorded as forced)")
        else:
            hint = ("--prerelax cannot repair " if prerelax else "not repairable by --prerelax: ") + \
                ", ".join(sorted({f.name for f in failing if not f.fixable and
                                  f.name not in TOLERATED_AFTER_PRERELAX} or {f.name for f in failing})) + \
                "; use --force to run anyway (recorded as forced)"
        raise RelaxRefused(failing, found, reason=(
            f"refused: the start fails the {PROFILE} pre-flight check with {len(failing)} error(s); {hint}"))
    rec["forced"] = True
    rec["forced_findings"] = _findings(failing)
    return atoms, rec


def relax(atoms, model: str | Path | None = None, fmax: float = DEFAULT_FMAX,
          steps: int = DEFAULT_STEPS, prerelax: bool = False, deterministic: bool = False,
          force: bool = False, head: str | None = None, trajectory: str | Path | None = None, *,
          output: str | Path | None = None, input_path: str | Path | None = None,
          threads: int | None = None, device: str | None = None,
          callback: Callable[[int, float, float], None] | None = None,
          fix_kwargs: dict | None = None, command: dict | Sequence[str] | None = None,
          calculator=None, **lbfgs_kwargs) -> RelaxResult:
    """Pre-flight, optional pre-relax, then DPA2 + ASE LBFGS; returns a :class:`RelaxResult`.

    ``atoms``: an ``ase.Atoms`` (not modified) or a path (its first frame). ``model``: a
    DeePMD-kit model file (default: the shipped DPA2 H/O model). ``fmax`` eV/Å, ``steps`` the
    LBFGS step budget. The start is linted with the ``dpa2-preflight`` profile and the model's
    type map first: a start with errors raises :class:`RelaxRefused` (carrying the findings)
    unless ``prerelax`` and some are fixable and the rest are consequences a repair may leave
    (``TOLERATED_AFTER_PRERELAX``: then ``structcheck.fix`` repairs a copy, which is linted
    again; what remains of those is recorded as accepted), or ``force`` (recorded as forced).
    Elements outside the type map are always refused, before the model is loaded. ``deterministic``: see the module docstring. ``output``: write the
    final structure (extxyz) there and the provenance record beside it
    (``final.extxyz`` -> ``final.provenance.json``). ``trajectory``: an ASE .traj of every
    step. ``calculator``: an already-built ASE calculator to use instead of loading ``model``
    (its settings are then the caller's; the record says so). Extra keywords go to LBFGS.
    """
    from .models import ModelError, default_model_path, model_type_map

    t_start = time.perf_counter()
    created = _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")
    if fmax <= 0:
        raise ValueError("fmax must be > 0 eV/Å")
    if steps < 0:
        raise ValueError("steps must be >= 0")
    if isinstance(atoms, (str, bytes)) or hasattr(atoms, "__fspath__"):
        from .io import read_one

        input_path = input_path or atoms
        atoms = read_one(str(atoms))
    start = atoms.copy()
    start.calc = None
    model_path = Path(model) if model else default_model_path()
    if not model_path.is_file():
        raise ModelError(f"{model_path}: model file not found"
                         + ("" if model else " (the shipped default model is missing from this install)"))
    type_map = model_type_map(model_path, head) if head and model_path.suffix == ".pt" else \
        model_type_map(model_path)

    start_for_run, pre = _preflight(start, model_path, prerelax, force, fix_kwargs, type_map)
    t_preflight = time.perf_counter()

    if calculator is None:
        calc = make_calculator(model_path, head=head, deterministic=deterministic, device=device,
                               threads=threads)
        runtime_set = getattr(calc, "structcheck_runtime", {})
    else:
        runtime_set, calc = {"threads_requested": None, "notes": ["calculator supplied by the caller"]}, calculator
    t_loaded = time.perf_counter()
    run = run_lbfgs(start_for_run, calc, fmax=fmax, steps=steps, trajectory=trajectory,
                    callback=callback, **lbfgs_kwargs)
    t_run = time.perf_counter()

    opt_params = {"maxstep": lbfgs_kwargs.get("maxstep", 0.2), "memory": lbfgs_kwargs.get("memory", 100),
                  "damping": lbfgs_kwargs.get("damping", 1.0), "alpha": lbfgs_kwargs.get("alpha", 70.0)}
    runtime = runtime_record(deterministic, runtime_set.get("notes", ()))
    runtime["notes"] = list(runtime_set.get("notes", []))
    if head and model_path.suffix == ".pth":
        runtime["notes"].append(f"--head {head!r} has no effect on a frozen .pth model (it holds one "
                                "head; deepmd-kit reads heads from multi-task .pt checkpoints)")
    if calculator is not None:
        runtime["deterministic"]["fresh_calculator"] = False
    from . import __version__

    out = Path(output) if output else None
    prov_file = provenance_path(out) if out else None
    record = {
        "structcheck_provenance": 1,
        "created_utc": created,
        "command": _jsonable(command),
        "input": {
            "path": str(input_path) if input_path else None,
            "sha256": sha256_file(input_path) if input_path and Path(input_path).is_file() else None,
            "atoms_sha256": atoms_sha256(start),
            "formula": start.get_chemical_formula(),
            "n_atoms": len(start),
            "pbc": [bool(x) for x in start.pbc],
        },
        "model": {
            "path": str(model_path),
            "sha256": _model_sha256(model_path),
            "shipped_default": model is None,
            "type_map": list(type_map),
            "head": head,
            "calculator": f"{type(calc).__module__}.{type(calc).__name__}",
        },
        "parameters": {
            "fmax_eV_per_A": fmax, "steps": steps, "prerelax": prerelax, "deterministic": deterministic,
            "force": force, "head": head, "threads": threads, "device": device,
            "optimizer": "ase.optimize.LBFGS", "optimizer_parameters": opt_params,
            "profile": PROFILE, "trajectory": str(trajectory) if trajectory else None,
            "output": str(out) if out else None, "fix_kwargs": _jsonable(fix_kwargs or {}),
        },
        "versions": {"structcheck": __version__, **{k: v for k, v in versions().items() if k != "structcheck"}},
        "runtime": runtime,
        "preflight": pre,
        "run": run_summary(run, fmax),
        "output": {"final": str(out) if out else None, "provenance": str(prov_file) if prov_file else None,
                   "trajectory": str(trajectory) if trajectory else None,
                   "final_atoms_sha256": atoms_sha256(run.atoms)},
        # wall seconds of each stage (read + lint + any pre-relax; model load; LBFGS; record and
        # files): what structcheck adds to a plain script is the first and the last, minus I/O
        "timings_s": {"read_and_preflight": round(t_preflight - t_start, 5),
                      "calculator_load": round(t_loaded - t_preflight, 5),
                      "lbfgs": round(t_run - t_loaded, 5)},
    }
    if out is not None:
        _write_outputs(run.atoms, record, out, prov_file, start_time=t_start, t_run=t_run)
    else:
        record["timings_s"]["record_and_output"] = round(time.perf_counter() - t_run, 5)
        record["total_seconds"] = round(time.perf_counter() - t_start, 4)
    return RelaxResult(run.atoms, record["run"]["energies_eV"], record["run"]["fmax_eV_per_A"],
                       run.converged, run.steps, record, run, out, prov_file)


def _write_outputs(final, record: dict, out: Path, prov_file: Path, start_time: float,
                   t_run: float) -> None:
    from ase.io import write

    out.parent.mkdir(parents=True, exist_ok=True)
    a = final.copy()
    a.calc = final.calc
    a.info["structcheck_converged"] = record["run"]["converged"]
    a.info["structcheck_provenance"] = prov_file.name
    write(str(out), a, format="extxyz")
    record["output"]["final_sha256"] = sha256_file(out)
    record["timings_s"]["record_and_output"] = round(time.perf_counter() - t_run, 5)
    record["total_seconds"] = round(time.perf_counter() - start_time, 4)
    tmp = prov_file.with_name(prov_file.name + ".tmp")
    tmp.write_text(json.dumps(_jsonable(record), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(tmp, prov_file)


# ------------------------------------------------------------------ CLI


def add_relax_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("start", help="the start structure (any format ASE reads; the first frame is used)")
    p.add_argument("--model", metavar="PATH",
                   help="DeePMD-kit model (.pth; default: the shipped DPA2 H/O demonstration model)")
    p.add_argument("--head", help="the head of a multi-task model")
    p.add_argument("--fmax", type=float, default=DEFAULT_FMAX, metavar="EV_PER_A",
                   help=f"LBFGS convergence: largest atomic force below this, eV/Å (default {DEFAULT_FMAX})")
    p.add_argument("--steps", type=int, default=DEFAULT_STEPS,
                   help=f"at most this many LBFGS steps (default {DEFAULT_STEPS}); exit 1 if not converged")
    p.add_argument("-o", "--output", metavar="FILE",
                   help="final structure, extxyz (default: <start stem>.relaxed.extxyz in the current "
                        "folder); the provenance record goes beside it as <stem>.provenance.json")
    p.add_argument("--trajectory", metavar="FILE", help="write every LBFGS step to this ASE .traj file")
    p.add_argument("--prerelax", action="store_true",
                   help="repair fixable errors (close contacts, overlaps) with `structcheck fix` first")
    p.add_argument("--deterministic", action="store_true",
                   help="deterministic PyTorch algorithms, CUBLAS_WORKSPACE_CONFIG, fixed threads: "
                        "bitwise-repeatable on the same hardware and versions")
    p.add_argument("--force", action="store_true",
                   help="run even when the pre-flight check fails (recorded as forced)")
    p.add_argument("--threads", type=int, metavar="N",
                   help=f"torch intra-op threads (default {DEFAULT_CPU_THREADS}, or "
                        "$DP_INTRA_OP_PARALLELISM_THREADS)")
    p.add_argument("--device", choices=("cpu", "cuda"), help="default: CUDA when available, else CPU")
    p.add_argument("--format-in", metavar="FMT", help="input format (ASE name)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress display even on a terminal")
    from .wander import add_multistart_arguments  # --starts, --rattle (multi-start search)

    add_multistart_arguments(p)


def _quiet_library_logs() -> None:
    """The CLI prints its own progress: silence torch's "Triton not available" and deepmd's
    batch-size hints (warnings about nothing the user can act on); errors still show."""
    import logging

    for name in ("torch._library", "torch._subclasses", "deepmd"):
        logging.getLogger(name).setLevel(logging.ERROR)


def _default_output(start: Path) -> Path:
    """<start stem>.relaxed.extxyz in the current folder (never the input itself)."""
    return Path.cwd() / f"{start.stem}.relaxed.extxyz"


def run_relax(args) -> int:
    from .cli import UsageError
    from .findings import format_text
    from .io import ReadError, read_one
    from .models import ModelError

    if args.fmax <= 0:
        raise UsageError("--fmax must be > 0 eV/Å")
    if args.steps < 0:
        raise UsageError("--steps must be >= 0")
    if args.threads is not None and args.threads < 1:
        raise UsageError("--threads must be >= 1")
    if getattr(args, "starts", 0):
        from .wander import run_relax_multistart

        return run_relax_multistart(args)
    start = Path(args.start)
    out = Path(args.output) if args.output else _default_output(start)
    if start.exists() and out.exists() and out.resolve() == start.resolve():
        raise UsageError(f"{out}: the output would overwrite the input; choose another -o")
    if args.trajectory and start.exists() and Path(args.trajectory).exists() and \
            Path(args.trajectory).resolve() == start.resolve():
        raise UsageError(f"{args.trajectory}: the trajectory would overwrite the input")
    try:
        atoms = read_one(str(start), args.format_in)
    except (ReadError, OSError) as exc:
        print(f"structcheck: error: {exc}", file=sys.stderr)
        return 2

    _quiet_library_logs()
    tty = sys.stderr.isatty() and not args.quiet
    callback = None
    if tty:
        print(f"{'step':>6} {'energy (eV)':>16} {'fmax (eV/Å)':>12}", file=sys.stderr)

        def callback(step, e, m):
            print(f"{step:>6} {e:>16.6f} {m:>12.4f}", file=sys.stderr, flush=True)

    try:
        res = relax(atoms, model=args.model, fmax=args.fmax, steps=args.steps, prerelax=args.prerelax,
                    deterministic=args.deterministic, force=args.force, head=args.head,
                    trajectory=args.trajectory, output=out, input_path=start, threads=args.threads,
                    device=args.device, callback=callback,
                    command={k: v for k, v in vars(args).items() if not callable(v)})
    except RelaxRefused as exc:
        for f in exc.all_findings:
            print(format_text(f.at(path=str(start))))
        print(f"structcheck: {exc.reason}", file=sys.stderr)
        return 1
    except (ModelError, DeepmdUnavailable) as exc:
        print(f"structcheck: error: {exc}", file=sys.stderr)
        return 2
    r = res.provenance["run"]
    state = f"converged in {res.steps} steps" if res.converged else \
        f"NOT converged within {res.steps} steps (fmax {res.fmax[-1]:.4g} > {args.fmax:g} eV/Å)"
    forced = " [forced past pre-flight errors]" if res.provenance["preflight"]["forced"] else ""
    pre = " after pre-relaxation" if res.provenance["preflight"]["prerelax"] is not None else ""
    print(f"{start}: {state}{pre}{forced}: E = {res.energies[-1]:.6f} eV "
          f"(ΔE = {r['energy_change_eV']:+.6f} eV), fmax = {res.fmax[-1]:.4g} eV/Å")
    accepted = res.provenance["preflight"]["accepted_after_prerelax"]
    if accepted:
        print("note: left after the pre-relaxation and accepted (--prerelax): "
              + "; ".join(f"{f['code']} {f['name']}: {f['message']}" for f in accepted), file=sys.stderr)
    if r["energy_rose"]:
        print(f"warning: {ENERGY_ROSE}", file=sys.stderr)
    print(f"wrote {out} and {res.provenance_file}" + (f" and {args.trajectory}" if args.trajectory else ""))
    return 0 if res.converged else 1


# ``structcheck.relax`` names both this module and the function: once the module is imported,
# Python binds the package attribute to the module, so make the module callable
# (``structcheck.relax(atoms)`` then works however it was reached), as structcheck.preflight.
class _CallableModule(__import__("types").ModuleType):
    def __call__(self, *args, **kwargs):
        return relax(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
