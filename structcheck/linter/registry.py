"""Every rule, collected from an explicit list of check modules; selection by code, prefix, name, family."""

from __future__ import annotations

from .checks import bonds, bounds, cell, composition, frameworks, geometry, model, reading, units, valence, valence_rule
from .rule import Rule

CHECK_MODULES = (cell, bounds, geometry, units, bonds, composition, valence, valence_rule, frameworks, model, reading)


class ConfigError(Exception):
    """A usage or configuration error (exit code 2)."""


def _collect() -> dict[str, Rule]:
    found = {}
    for module in CHECK_MODULES:
        for obj in vars(module).values():
            spec = getattr(obj, "rule", None)
            if isinstance(spec, Rule) and spec.func is obj:
                found[spec.code] = spec
    return dict(sorted(found.items()))


REGISTRY: dict[str, Rule] = _collect()


def all_rules() -> list[Rule]:
    return list(REGISTRY.values())


def resolve(selector: str) -> list[Rule]:
    """Rules matched by a code, code prefix, name, family or ALL."""
    rules = all_rules()
    s = selector.strip()
    if s.upper() == "ALL":
        return rules
    hits = [r for r in rules if r.name == s or r.family == s or r.code == s.upper()]
    if not hits:
        hits = [r for r in rules if r.code.startswith(s.upper())] if s[:1].isalpha() else []
    if not hits:
        raise ConfigError(f"unknown rule selector {selector!r} (see `structcheck rules`)")
    return hits
