"""What a rule is: its spec (code, name, family, severity, text) and the Hit a check yields."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import NamedTuple

from ..findings import SEVERITIES

FAMILIES = ("input", "geometry", "composition", "cell", "model")


class Hit(NamedTuple):
    """What a check yields; the engine turns it into a Finding."""

    atoms: tuple[int, ...]
    message: str
    value: float | None = None
    threshold: float | None = None
    unit: str | None = None
    data: dict | None = None


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    family: str
    severity: str
    summary: str
    explanation: str
    func: Callable[..., Iterable[Hit]]
    fixable: bool = False
    default_enabled: bool = True
    needs: tuple[str, ...] = ()


def rule(code: str, name: str, family: str, severity: str, summary: str, *,
         fixable: bool = False, default_enabled: bool = True, needs: tuple[str, ...] = ()):
    """Mark a check function as a rule (the spec is stored on the function as ``.rule``;
    ``registry`` collects the rules of an explicit list of modules). Its docstring is the
    long text ``explain`` prints.

    ``needs``: what the check has to have to find anything; the engine does not call it on
    a frame without it (``engine.NEEDS``): "finite" (runs on a frame with NaN or absurd
    coordinates), "periodic" (a periodic direction), "reading-notes" (the reader's notes,
    ``structcheck_reading``), "occupancy" (site occupancies or mixed sites from the reader),
    "engine" (the engine itself reports the rule's findings)."""
    assert family in FAMILIES and severity in SEVERITIES

    def deco(func):
        func.rule = Rule(code, name, family, severity, summary, inspect.cleandoc(func.__doc__ or summary),
                         func, fixable, default_enabled, needs)
        return func

    return deco
