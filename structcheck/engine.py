"""Rule registry, configuration and profiles, selection, suppression, and the lint loop."""

from __future__ import annotations

import fnmatch
import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import numpy as np
import tomllib

from .findings import SEVERITIES, Finding
from .tables import PairThresholds, load_toml, pair_thresholds, rules_dir


class ConfigError(Exception):
    """A usage or configuration error (exit code 2)."""


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


REGISTRY: dict[str, Rule] = {}
FAMILIES = ("input", "geometry", "composition", "cell", "model")


def rule(code: str, name: str, family: str, severity: str, summary: str, *,
         fixable: bool = False, default_enabled: bool = True, needs: tuple[str, ...] = ()):
    """Register a check. Its docstring is the long text ``explain`` prints."""
    assert family in FAMILIES and severity in SEVERITIES

    def deco(func):
        import inspect

        REGISTRY[code] = Rule(code, name, family, severity, summary,
                              inspect.cleandoc(func.__doc__ or summary), func,
                              fixable, default_enabled, needs)
        return func

    return deco


def _load_checks() -> None:
    from .checks import cell, composition, geometry, model  # noqa: F401


def all_rules() -> list[Rule]:
    _load_checks()
    return sorted(REGISTRY.values(), key=lambda r: r.code)


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


# ---------------------------------------------------------------- configuration

PROFILE_KEYS = {"select", "extend-select", "ignore", "severity", "params", "pairs", "fail-on",
                "per-file-ignores", "profile", "expect-formula", "model", "type-map", "extends",
                "thresholds"}


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
    # per-run memo (e.g. the neighbour cutoff per set of species); not configuration
    cache: dict = field(default_factory=dict, repr=False, compare=False)

    def rules_for(self, path: str) -> list[Rule]:
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
    for key in ("fail-on", "expect-formula", "model", "type-map"):
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
    )


# ---------------------------------------------------------------- the frame context


class cached_property:  # functools.cached_property, without its lock
    """``functools.cached_property`` without the per-instance lock of Python < 3.12 (a
    Frame is never shared between threads; the lock costs more than a small molecule's
    property): computed once, then stored in the instance's ``__dict__``."""

    def __init__(self, func):
        self.func = func
        self.attrname = func.__name__
        self.__doc__ = func.__doc__

    def __set_name__(self, owner, name):
        self.attrname = name

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        value = instance.__dict__[self.attrname] = self.func(instance)
        return value


class Frame:
    """One structure being linted: arrays, thresholds and one shared neighbour list."""

    def __init__(self, atoms, config: Config):
        self.atoms = atoms
        self.config = config
        self.t = config.thresholds
        self.numbers = atoms.numbers
        self.positions = atoms.positions
        self.cell = atoms.cell.array
        self.pbc = atoms.pbc
        self.info = atoms.info

    def __len__(self) -> int:
        return len(self.numbers)

    @cached_property
    def finite(self) -> bool:
        # a sum of finite numbers is finite unless it overflows (then look element by element)
        if math.isfinite(self.positions.sum()) and math.isfinite(self.cell.sum()):
            return True
        return bool(np.isfinite(self.positions).all() and np.isfinite(self.cell).all())

    @cached_property
    def pairs(self):
        """Every pair within the largest distance any geometry rule needs."""
        from .neighbors import half_pairs

        if not self.finite:
            from .neighbors import Pairs

            z = np.zeros(0, int)
            return Pairs(z, z, np.zeros(0), np.zeros((0, 3), int), 0.0)
        return half_pairs(self.positions, self.cell, self.pbc, self.cutoff)

    @cached_property
    def species(self) -> np.ndarray:
        """The atomic numbers present, sorted."""
        z = self.numbers
        if len(z) <= 256:  # np.unique's overhead dominates for a molecule
            return np.array(sorted(set(z.tolist())), dtype=z.dtype)
        if z.dtype.kind in "iu" and 0 <= z.min() and z.max() < 1024:  # O(n), no sort
            return np.flatnonzero(np.bincount(z)).astype(z.dtype)
        return np.unique(z)

    @property
    def cutoff(self) -> float:
        """Largest distance any geometry rule needs for these species (memoised per run)."""
        key = ("cutoff", id(self.t), self.species.tobytes())
        memo = self.config.cache
        if key not in memo:
            memo[key] = (self.t, self.t.cutoff(self.species))  # holds t: its id stays unique
        return memo[key][1]

    @cached_property
    def _pair_z(self):
        p = self.pairs
        return self.numbers[p.i], self.numbers[p.j]

    def pair_numbers(self, pairs=None):
        if pairs is None:
            return self._pair_z
        return self.numbers[pairs.i], self.numbers[pairs.j]

    @cached_property
    def _pair_key(self) -> np.ndarray:
        zi, zj = self._pair_z
        return zi * 119 + zj

    def pair_threshold(self, name: str) -> np.ndarray:
        """The ``name`` threshold (close_contact, overlap, bonded) of every pair of ``pairs``."""
        memo = self.__dict__.setdefault("_pair_thr", {})
        if name not in memo:
            table = getattr(self.t, name)
            memo[name] = table.reshape(-1)[self._pair_key] if table.shape == (119, 119) \
                else table[self._pair_z]
        return memo[name]

    @cached_property
    def bonded_pairs(self):
        """Pairs closer than the bonded threshold but not overlapping (one site)."""
        p = self.pairs
        return p.within((p.d < self.pair_threshold("bonded")) & (p.d >= self.pair_threshold("overlap")))

    @cached_property
    def coordination(self) -> np.ndarray:
        b = self.bonded_pairs
        n = len(self)
        return np.bincount(b.i, minlength=n) + np.bincount(b.j, minlength=n)


# ---------------------------------------------------------------- linting


def _suppressed(atoms) -> set[str]:
    raw = atoms.info.get("structcheck_ignore")
    if raw is None:
        return set()
    if isinstance(raw, (list, tuple, np.ndarray)):
        items = [str(x) for x in raw]
    else:
        items = str(raw).replace(",", " ").split()
    codes: set[str] = set()
    for s in items:
        try:
            codes.update(r.code for r in resolve(s))
        except ConfigError:
            pass
    return codes


def lint_atoms(atoms, config: Config, path: str = "<atoms>", frame: int = 0,
               line: int | None = None, rules: Sequence[Rule] | None = None) -> list[Finding]:
    """Run the enabled rules on one Atoms; findings sorted by code then atoms."""
    rules = config.rules_for(path) if rules is None else rules
    ctx = Frame(atoms, config)
    skip = _suppressed(atoms)
    out: list[Finding] = []
    params = config.params
    severity = config.severity
    for r in rules:
        code = r.code
        if skip and code in skip:
            continue
        if r.family != "input" and not ctx.finite and "finite" not in r.needs:
            continue
        for h in (r.func(ctx, **params[code]) if code in params else r.func(ctx)):
            atom_ids = tuple(int(a) for a in h.atoms)
            # xyz: the line of the first flagged atom (2 header lines per frame)
            at_line = line + 2 + atom_ids[0] if (line is not None and atom_ids) else line
            out.append(Finding(code=r.code, name=r.name, severity=severity.get(r.code, r.severity),
                               message=h.message, atoms=atom_ids, value=h.value,
                               threshold=h.threshold, unit=h.unit, path=path, frame=frame, line=at_line,
                               fixable=r.fixable, data=h.data or {}))
    return out


def lint_frames(records: Iterable, config: Config) -> Iterator[tuple[object, list[Finding]]]:
    """(record, findings) per frame as frames stream from ``io.iter_frames``, in input order.

    An unreadable frame, or a check that crashes on one frame, becomes an
    unreadable-structure finding; the other frames are still checked.
    """
    from .io import unreadable_finding

    rules_cache: dict[str, list[Rule]] = {}
    for rec in records:
        if rec.path not in rules_cache:
            rules_cache[rec.path] = config.rules_for(rec.path)
        rules = rules_cache[rec.path]
        wants_sc001 = any(r.code == "SC001" for r in rules)
        if rec.error is not None:
            yield rec, ([unreadable_finding(rec, config)] if wants_sc001 else [])
            continue
        try:
            yield rec, lint_atoms(rec.atoms, config, rec.path, rec.index, rec.line, rules)
        except Exception as exc:  # noqa: BLE001 - one bad frame must not stop the others
            rec.error = f"internal error while checking this frame ({type(exc).__name__}: {exc})"
            yield rec, [unreadable_finding(rec, config)]
