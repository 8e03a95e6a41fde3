"""Configuration: shipped profiles, project files and arguments layered into one Config."""

from __future__ import annotations

import fnmatch
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import tomllib

from ..findings import SEVERITIES
from ..tables import PairThresholds, load_toml, pair_thresholds, rules_dir
from .registry import ConfigError, Rule, all_rules, resolve

__all__ = ["Config", "ConfigError", "find_project_config", "load_config"]

PROFILE_KEYS = {"select", "extend-select", "ignore", "severity", "params", "pairs", "fail-on",
                "per-file-ignores", "profile", "expect-formula", "model", "type-map", "extends",
                "thresholds", "charge", "pbc"}


@dataclass
class Config:
    """The resolved configuration: which rules run, with which parameters."""

    enabled: dict[str, Rule]
    severity: dict[str, str]
    params: dict[str, dict]
    thresholds: PairThresholds
    fail_on: str = "warning"
    per_file_ignores: dict[str, list[str]] = field(default_factory=dict)
    expect_formula: str | None = None
    model: str | None = None
    type_map: list[str] | None = None
    profile: str = "default"
    charge: float | None = None  # total charge of frames that declare none (--charge / charge=)
    pbc: bool = False  # a PDB/mmCIF crystal's cell linted as periodic (--pbc / pbc=true)
    inline_ignore: bool = True  # honour structcheck_ignore= in files (never for input rules); --no-inline-ignore
    # per-run memo (e.g. the neighbour cutoff per set of species); not configuration
    cache: dict = field(default_factory=dict, repr=False, compare=False)

    def rules_for(self, path: str) -> list[Rule]:
        if not self.per_file_ignores:  # the same list for every file (the engine keeps a plan per list)
            got = self.cache.get("rules_for")
            if got is None or got[0] is not self.enabled or got[1] != len(self.enabled):
                got = self.cache["rules_for"] = (self.enabled, len(self.enabled),
                                                 [r for c, r in sorted(self.enabled.items())])
            return got[2]
        drop: set[str] = set()
        for pattern, sels in self.per_file_ignores.items():
            if fnmatch.fnmatch(path, pattern) or fnmatch.fnmatch(Path(path).name, pattern):
                for s in sels:
                    drop.update(r.code for r in resolve(s))
        return [r for c, r in sorted(self.enabled.items()) if c not in drop]


def _profile_table(name_or_path: str) -> dict:
    p = Path(name_or_path)
    if p.suffix == ".toml" and p.exists():
        with open(p, "rb") as fh:
            return tomllib.load(fh)
    shipped = rules_dir() / f"{name_or_path}.toml"
    if not shipped.exists():
        names = sorted(q.stem for q in rules_dir().glob("*.toml") if "profile" in load_toml(q.name))
        raise ConfigError(f"unknown profile {name_or_path!r} (shipped: {', '.join(names)})")
    return load_toml(shipped.name)


def find_project_config(start: Path | None = None) -> tuple[dict, Path | None]:
    """``[tool.structcheck]`` of the nearest pyproject.toml (or a structcheck.toml)."""
    d = (start or Path.cwd()).resolve()
    for folder in [d, *d.parents]:
        for fname in ("structcheck.toml", "pyproject.toml"):
            f = folder / fname
            if f.is_file():
                try:
                    with open(f, "rb") as fh:
                        data = tomllib.load(fh)
                except (tomllib.TOMLDecodeError, OSError) as exc:
                    raise ConfigError(f"{f}: cannot read configuration: {exc}") from None
                if fname == "structcheck.toml":
                    return data.get("tool", {}).get("structcheck", data), f
                if "structcheck" in data.get("tool", {}):
                    return data["tool"]["structcheck"], f
    return {}, None


def _apply(layer: dict, where: str, state: dict) -> None:
    unknown = set(layer) - PROFILE_KEYS - {"description", "profile-name"}
    if unknown:
        raise ConfigError(f"{where}: unknown configuration key(s): {', '.join(sorted(unknown))}")
    if "select" in layer:
        state["selected"] = {r.code for s in layer["select"] for r in resolve(s)}
    for s in layer.get("extend-select", []):
        state["selected"].update(r.code for r in resolve(s))
    for s in layer.get("ignore", []):
        state["selected"].difference_update(r.code for r in resolve(s))
    for sel, sev in layer.get("severity", {}).items():
        if sev not in SEVERITIES:
            raise ConfigError(f"{where}: severity must be one of {SEVERITIES}, got {sev!r}")
        for r in resolve(sel):
            state["severity"][r.code] = sev
    for sel, params in layer.get("params", {}).items():
        for r in resolve(sel):
            state["params"].setdefault(r.code, {}).update(params)
    state["pairs"].update(layer.get("pairs", {}))
    bad = set(layer.get("thresholds", {})) - {"close_contact", "overlap", "bonded", "overlap_min_distance"}
    if bad:
        raise ConfigError(f"{where}: unknown threshold(s): {', '.join(sorted(bad))}")
    state["thresholds"].update(layer.get("thresholds", {}))
    for key in ("fail-on", "expect-formula", "model", "type-map", "charge", "pbc"):
        if key in layer:
            state[key] = layer[key]
    if state.get("fail-on") not in SEVERITIES:
        raise ConfigError(f"{where}: fail-on must be one of {SEVERITIES}")
    for pat, sels in layer.get("per-file-ignores", {}).items():
        for s in sels:
            resolve(s)
        state["pfi"].setdefault(pat, []).extend(sels)


def load_config(profile: str | None = None, config_file: str | None = None,
                select: Sequence[str] | None = None, extend_select: Sequence[str] = (),
                ignore: Sequence[str] = (), use_project: bool = True, **overrides) -> Config:
    """Layers, later wins: shipped profile -> project/--config file -> arguments.

    ``overrides`` take the keys of a profile with ``_`` for ``-`` (fail_on, expect_formula,
    model, type_map, params, severity, pairs, thresholds).
    """
    rules = all_rules()
    state = {"selected": {r.code for r in rules if r.default_enabled}, "severity": {},
             "params": {}, "pairs": {}, "pfi": {}, "fail-on": "warning", "thresholds": {}}
    user: dict = {}
    where = "arguments"
    if config_file:
        p = Path(config_file)
        if not p.is_file():
            raise ConfigError(f"{config_file}: configuration file not found")
        try:
            with open(p, "rb") as fh:
                data = tomllib.load(fh)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{config_file}: invalid TOML: {exc}") from None
        user = data.get("tool", {}).get("structcheck", data)
        where = config_file
    elif use_project:
        user, f = find_project_config()
        where = str(f)
    prof_name = profile or user.get("profile", "default")
    prof = _profile_table(prof_name)
    chain = [prof]
    while "extends" in chain[0]:
        chain.insert(0, _profile_table(chain[0]["extends"]))
    for layer in chain:
        _apply({k: v for k, v in layer.items() if k != "extends"}, f"profile {prof_name}", state)
    if user:
        _apply({k: v for k, v in user.items() if k != "profile"}, where, state)
    args: dict = {}
    if select:
        args["select"] = list(select)
    if extend_select:
        args["extend-select"] = list(extend_select)
    if ignore:
        args["ignore"] = list(ignore)
    for k, v in overrides.items():
        if v is not None:
            args[k.replace("_", "-")] = v
    _apply(args, "arguments", state)
    th = state["thresholds"]
    thresholds = pair_thresholds(close_contact=th.get("close_contact"), overlap=th.get("overlap"),
                                 bonded=th.get("bonded"), overlap_min_distance=th.get("overlap_min_distance"),
                                 pairs=state["pairs"])
    by_code = {r.code: r for r in rules}
    tm = state.get("type-map")
    if isinstance(tm, str):
        tm = [s for s in tm.replace(",", " ").split() if s]
    return Config(
        enabled={c: by_code[c] for c in sorted(state["selected"])},
        severity=state["severity"],
        params=state["params"],
        thresholds=thresholds,
        fail_on=state["fail-on"],
        per_file_ignores=state["pfi"],
        expect_formula=state.get("expect-formula"),
        model=state.get("model"),
        type_map=tm,
        profile=prof_name,
        charge=state.get("charge"),
        pbc=bool(state.get("pbc", False)),
    )
