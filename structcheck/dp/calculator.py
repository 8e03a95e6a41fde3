"""The DeePMD-kit DP calculator for a model file, and factories of fresh calculators (DP or ASE's toys)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from .runtime import DeepmdUnavailable


def make_calculator(model: str | Path | None = None, *, head: str | None = None):
    """A fresh ``deepmd.calculator.DP`` for ``model`` (default: the shipped DPA2 model) with the
    runtime settings in force: build it (and run it) inside :func:`structcheck.dp.runtime.runtime_settings`."""
    from ..models import ModelError, default_model_path

    path = Path(model) if model else default_model_path()
    if not path.is_file():
        raise ModelError(f"{path}: model file not found")
    try:
        from deepmd.calculator import DP
    except (ImportError, RuntimeError, OSError) as exc:  # not installed, 2.x (TensorFlow), ops built for another torch
        from ..installation import relax_install_message

        raise DeepmdUnavailable(relax_install_message(exc)) from None
    kw = {"head": head} if head else {}
    try:
        calc = DP(str(path), **kw)
    except Exception as exc:  # noqa: BLE001 - deepmd raises many kinds for a bad model file
        raise ModelError(f"{path}: deepmd-kit cannot load the model ({type(exc).__name__}: "
                         f"{str(exc).strip().splitlines()[0] if str(exc).strip() else ''})") from None
    return calc


def dp_factory(model: str | Path | None = None, *, head: str | None = None) -> Callable[[], object]:
    """A factory of fresh DeePMD-kit ``DP`` calculators. One fresh calculator per replica gives
    every replica the same warm-up history. The first one is built at once (so a missing
    deepmd-kit or a bad model fails before any run). Use it inside ``runtime_settings``."""

    def make():
        return make_calculator(model, head=head)

    first = [make()]

    def factory():
        return first.pop() if first else make()

    return factory


TOY_CALCULATORS = ("morse", "emt", "lj")


def toy_factory(name: str) -> Callable[[], object]:
    """ASE's own cheap calculators, for comparing how the experiment depends on the model.
    morse: ``MorsePotential(rho0=6, r0=1.0)``; emt: ``EMT()``; lj: ``LennardJones(sigma=1, rc=5)``."""
    if name == "morse":
        from ase.calculators.morse import MorsePotential

        return lambda: MorsePotential(rho0=6.0, r0=1.0)
    if name == "emt":
        from ase.calculators.emt import EMT

        return EMT
    if name == "lj":
        from ase.calculators.lj import LennardJones

        return lambda: LennardJones(sigma=1.0, epsilon=1.0, rc=5.0)
    raise ValueError(f"unknown calculator {name!r}: one of dp, {', '.join(TOY_CALCULATORS)}")
