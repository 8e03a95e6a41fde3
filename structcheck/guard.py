"""Pre-flight: refuse (or repair) a non-physical start before a relaxation runs; guard ASE optimizers.

``preflight(atoms)`` lints one structure with the strict ``dpa2-preflight`` profile and
returns it, or raises :class:`PreflightError` carrying the findings. ``guard(opt)`` makes an
ASE optimizer (or any ``ase.optimize`` Dynamics) run that check when ``run()``/``irun()``
is called, *before* the calculator is evaluated once; ``guarded(BFGS)`` is the same as an
optimizer class, for pipelines that take an optimizer class (janus-core ``GeomOpt``,
quacc ``Runner.run_opt``, atomate2 ``AseRelaxer``). See docs/pipelines.md.
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Sequence
from pathlib import Path

from .findings import Finding, at_least, table

__all__ = ["PreflightError", "RelaxRefused", "guard", "guarded", "preflight", "prepare_start"]

PROFILE = "dpa2-preflight"
DEFERRED_TO_PREOPT = {"SC103": "warning"}  # isolated-atom: checked after a pre-optimisation, not before


class PreflightError(Exception):
    """The start failed the pre-flight check.

    ``str(err)`` is a readable table; ``err.findings`` the failing findings (plain data),
    ``err.all_findings`` every finding (warnings below ``fail-on`` included).
    """

    def __init__(self, findings: Sequence[Finding], all_findings: Sequence[Finding] | None = None,
                 profile: str = "dpa2-preflight", fixed: bool = False, note: str | None = None):
        self.findings = list(findings)
        self.all_findings = list(all_findings if all_findings is not None else findings)
        self.profile = profile
        n = len(self.findings)
        what = "after the repair (fix=True) " if fixed else ""
        hint = "" if (fixed or note) else ("\nRepair them with preflight(atoms, fix=True) or "
                                          "`structcheck fix`." if _repairable(self.findings) else "")
        super().__init__(f"pre-flight check failed {what}(profile {profile}): {n} finding(s)\n"
                         f"{table(self.findings)}{hint}" + (f"\n{note}" if note else ""))


def _repairable(findings) -> bool:
    from .repair.fix import REPAIRED_RULES

    return any(f.code in REPAIRED_RULES for f in findings)


def _as_atoms(obj):
    """The ``ase.Atoms`` behind an Atoms, a filter (FrechetCellFilter, ...), an optimizable, a
    pymatgen Structure/Molecule or an ase.db row (see ``structcheck.io.convert``)."""
    from .io.convert import to_atoms

    return to_atoms(obj)


def _config(profile, model, kw):
    from .linter.config import load_config

    kw = dict(kw)
    use_project = kw.pop("use_project", False)
    return load_config(profile=profile, model=model, use_project=use_project, **kw)


def check(atoms, profile: str = "dpa2-preflight", model: str | None = None, *, config=None,
          **kw) -> tuple[list[Finding], list[Finding]]:
    """(failing findings, all findings) of one structure under ``profile``."""
    from .linter.engine import lint_atoms

    config = config if config is not None else _config(profile, model, kw)
    found = lint_atoms(_as_atoms(atoms), config)
    return at_least(found, config.fail_on), found


class RelaxRefused(PreflightError):
    """The start failed the pre-flight check and the run was not started.

    ``findings`` the failing findings, ``all_findings`` all of them, ``reason`` one line.
    """

    def __init__(self, findings, all_findings=None, *, reason: str, fixed: bool = False, profile: str = PROFILE):
        super().__init__(findings, all_findings, profile, fixed=fixed)
        self.reason = reason
        self.args = (f"{reason}\n{table(self.findings)}",)


def _names(found) -> str:
    return ", ".join(sorted({f"{f.code} {f.name}" for f in found}))


def prepare_start(atoms, config, *, prerelax: bool = False, force: bool = False,
                  fix_kwargs: dict | None = None, preopt: str | None = None) -> tuple[object, dict]:
    """The one pre-flight policy of relax, ``relax --starts``, ``preflight(fix=True)`` and ``guarded()``.

    Lint ``atoms`` with ``config``; returns (the atoms to relax, a record of what was found and
    done) or raises :class:`RelaxRefused`. No failing finding -> the atoms as given. Elements
    outside the model's type map -> refused, always. ``prerelax`` -> the start repaired by
    ``structcheck.fix`` (least movement, verified by the linter) when that leaves no failing
    finding; otherwise refused, saying what is left. Nothing is tolerated: only a start that
    lints clean is relaxed, unless ``force`` (the findings are recorded as forced). ``preopt``
    ("gfn2", "gfn1"): the accepted start is then relaxed with that method through tblite
    (:mod:`structcheck.repair.preopt`) and checked again; ``record["preopt"]`` says what it did;
    where it does not apply or leaves a failing finding: refused (``force``: the start as
    accepted, the refusal recorded). The input is never modified.
    """
    if preopt is None:
        atoms, rec = _accepted_start(atoms, config, prerelax=prerelax, force=force, fix_kwargs=fix_kwargs)
        rec["preopt"] = None
        return atoms, rec
    import dataclasses

    from .dp.provenance import findings_list
    from .repair.preopt import PreoptRefused, preoptimize

    # a lone atom (isolated-atom) is judged after the pre-optimisation, which may bind it
    # (the 4502 start's O4 joins the others); the check after it is the full one
    lenient = dataclasses.replace(config, severity={**config.severity, **DEFERRED_TO_PREOPT}, cache={})
    atoms, rec = _accepted_start(atoms, lenient, prerelax=prerelax, force=force, fix_kwargs=fix_kwargs)
    rec["preopt"] = None

    try:
        done, record = preoptimize(_as_atoms(atoms), preopt)
        failing, found = check(done, config=config)
    except PreoptRefused as exc:
        failing, found, why = [], [], f"refused: {exc}"
    else:
        rec["preopt"] = record.to_dict()
        if not failing:
            rec["preopt"]["findings_after"] = findings_list(found)
            return done, rec
        why = f"refused: the {record.method} pre-optimised start fails the check ({_names(failing)})"
    if not force:
        raise RelaxRefused(failing, found, profile=config.profile, reason=why + "; use --force to relax the start "
                           "without it (recorded)")
    rec["preopt"] = {**(rec["preopt"] or {}), "refused": why}
    failing, _ = check(atoms, config=config)
    if failing:
        rec["forced"] = True
        rec["forced_findings"] = findings_list(failing)
    return atoms, rec


def _accepted_start(atoms, config, *, prerelax, force, fix_kwargs):
    """prepare_start without the pre-optimisation."""
    from .dp.provenance import findings_list, jsonable
    from .repair.fix import unrepairable

    failing, found = check(atoms, config=config)
    profile = config.profile
    rec = {"profile": profile, "findings_before": findings_list(found), "prerelax": None,
           "findings_after": None, "forced": False, "forced_findings": []}
    unsupported = [f for f in failing if f.name == "model-unsupported-element"]
    if unsupported:
        raise RelaxRefused(failing, found, profile=profile, reason=(
            f"refused before any model evaluation: the model {config.model and Path(config.model).name} does not "
            "know every element of the start (--force cannot help: the model has no parameters for them)"))
    if not failing:
        return atoms, rec
    blocking = unrepairable(_as_atoms(atoms), failing)
    if prerelax and not blocking:
        from .repair.fix import fix

        try:
            fixed, report = fix(atoms, config=config, **(fix_kwargs or {}))
        except Exception as exc:  # noqa: BLE001 - the repair's own refusal, in one line
            if not force:
                raise RelaxRefused(failing, found, profile=profile,
                                   reason=f"refused: the repair failed: {exc}; use --force to run anyway "
                                          "(recorded as forced)") from None
            fixed, report = atoms, None
        if report is not None:
            rec["prerelax"] = jsonable(report)
        if report is not None and report.converged:
            failing, found = check(fixed, config=config)
            rec["findings_after"] = findings_list(found)
            if not failing:
                return fixed, rec
        if not force:
            after = failing if report is None or report.converged else report.findings_after
            left = [f for f in after if f.severity == "error"] or failing
            why = "" if report is None or report.converged else f": {report.message}"
            raise RelaxRefused(left, found, profile=profile, fixed=True, reason=(
                f"refused: the repair did not give a lint-clean start{why}; left: {_names(left)}; "
                "use --force to run anyway (recorded as forced)"))
        atoms = fixed if report is not None and report.converged else atoms
    elif not force:
        if not blocking:
            hint = ("use --prerelax (fix=True) to repair them first (least movement, verified by the "
                    f"linter), or --force to run anyway (recorded as forced)")
        else:
            rest = [f for f in failing if f not in blocking]
            hint = ((f"--prerelax would repair {_names(rest)} but nothing is tolerated after it; " if rest else
                     "the repair moves atoms to clear close contacts, overlaps and over-coordination; ")
                    + f"not fixable: {_names(blocking)}; use --force to run anyway (recorded as forced)")
            deferred = [f for f in blocking if f.code in DEFERRED_TO_PREOPT]
            if deferred and len(deferred) == len(blocking) and not _as_atoms(atoms).pbc.any():
                hint += (f", or --prerelax --preopt gfn2: {_names(deferred)} is then judged after a GFN2-xTB "
                         "pre-optimisation, which may bind it")
        raise RelaxRefused(failing, found, profile=profile, reason=(
            f"refused: the start fails the {profile} check with {len(failing)} error(s) ({_names(failing)}); {hint}"))
    rec["forced"] = True
    rec["forced_findings"] = findings_list(failing)
    return atoms, rec


def preflight(atoms, profile: str = "dpa2-preflight", fix: bool = False, model: str | None = None,
              preopt: str | None = None, **kw):
    """Return ``atoms`` when it is a sane start, else raise :class:`PreflightError`.

    ``atoms``: an ``ase.Atoms``, a filter around one, an ``ase.db`` row, or a pymatgen
    ``Structure``/``Molecule`` (then the same object comes back, or with ``fix=True`` a
    repaired one of the same type).

    ``profile``: rule profile (a shipped name or a .toml path); its ``fail-on`` decides what
    fails (``dpa2-preflight``: errors). ``model``: a DeePMD-kit model path; enables
    model-unsupported-element. ``fix=True``: when every failing finding is one the repair
    handles (close contacts, overlaps, over-coordination), return a repaired *copy* from
    ``structcheck.fix`` that passes the check (:func:`prepare_start`: nothing tolerated,
    else :class:`RelaxRefused` saying what is left); the input is never modified. ``preopt``
    ("gfn2", "gfn1"): the accepted start is then relaxed with GFN2-xTB (GFN1-xTB) through tblite
    and checked again (:func:`prepare_start`; molecules only, else :class:`RelaxRefused`). Other
    keywords go to the rule configuration as in ``structcheck.lint`` (``select``, ``ignore``,
    ``type_map``, ``expect_formula``, ``thresholds``, ``use_project``...).
    """
    from .io.convert import Converted

    given = atoms
    conv = Converted(atoms)
    atoms = conv.atoms
    config = _config(profile, model, kw)
    failing, found = check(atoms, config=config)
    if not failing and preopt is None:
        return given if conv.kind else atoms  # pymatgen in -> the same object; a filter, a row -> its Atoms
    if failing and not fix and preopt is None:
        raise PreflightError(failing, found, profile)
    fixed, _ = prepare_start(atoms, config, prerelax=fix, preopt=preopt)
    return conv.back(fixed) if conv.kind else fixed


# ---------------------------------------------------------------- guarding ASE optimizers


def _refuse_bad_start(dyn, kw) -> None:
    atoms = _as_atoms(dyn.atoms)
    moves = kw.get("fix", False) or kw.get("preopt") is not None
    checked = preflight(atoms, **kw)
    if moves and checked is not atoms:
        # the optimizer holds this Atoms object: move its atoms to the repaired (pre-optimised) positions
        atoms.positions = checked.positions


def guard(dyn, **preflight_kwargs):
    """Make ``dyn.run()`` / ``dyn.irun()`` refuse a bad start; returns ``dyn``.

    ``dyn`` is any ASE optimizer (BFGS, LBFGS, FIRE, ...) or Dynamics, also around a cell
    filter. The check runs at each ``run``/``irun`` call, before the first force call, so a
    calculator never sees a non-physical start. Keywords go to :func:`preflight`; with
    ``fix=True`` the optimizer's own Atoms are moved to the repaired positions first.
    """
    if getattr(dyn, "_structcheck_guarded", False):
        return dyn
    run, irun = dyn.run, dyn.irun

    @functools.wraps(run)
    def guarded_run(*args, **kwargs):
        _refuse_bad_start(dyn, preflight_kwargs)
        return run(*args, **kwargs)

    @functools.wraps(irun)
    def guarded_irun(*args, **kwargs):
        _refuse_bad_start(dyn, preflight_kwargs)
        return irun(*args, **kwargs)

    dyn.run, dyn.irun = guarded_run, guarded_irun
    dyn._structcheck_guarded = True
    return dyn


_GUARDED: dict[str, type] = {}


def _portable_name(optimizer_class: type, preflight_kwargs: dict) -> str:
    """``Guarded<Base>`` for an ase.optimize class without keywords; else ``Guarded<Base>__<hex>``
    where the hex spells the keywords (and the base class when it is not in ase.optimize) as
    JSON, so that pickle and monty/jobflow JSON, which store a class as module + name, get the
    keywords back from the name alone (see ``__getattr__``)."""
    import ase.optimize

    base = optimizer_class.__name__
    standard = getattr(ase.optimize, base, None) is optimizer_class
    if standard and not preflight_kwargs:
        return f"Guarded{base}"
    payload: dict = {"kw": preflight_kwargs}
    if not standard:
        payload["base"] = f"{optimizer_class.__module__}:{optimizer_class.__qualname__}"
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=_json_default)
    return f"Guarded{base}__{text.encode().hex()}"


def _json_default(obj):
    if hasattr(obj, "__fspath__"):
        return os.fspath(obj)
    if isinstance(obj, (set, frozenset)):
        return sorted(obj)
    raise TypeError(f"guarded(): keyword value {obj!r} cannot be written into a portable class name "
                    "(use str, numbers, bools, lists and dicts)")


def _from_portable_name(name: str) -> type | None:
    import importlib

    import ase.optimize

    head, sep, token = name.rpartition("__")
    if not sep:
        base = getattr(ase.optimize, name[len("Guarded"):], None)
        return guarded(base) if isinstance(base, type) else None
    try:
        payload = json.loads(bytes.fromhex(token).decode())
    except ValueError:
        return None
    if "base" in payload:
        module, _, qual = payload["base"].partition(":")
        base = importlib.import_module(module)
        for part in qual.split("."):
            base = getattr(base, part)
    else:
        base = getattr(ase.optimize, head[len("Guarded"):], None)
    return guarded(base, **payload["kw"]) if isinstance(base, type) else None


def guarded(optimizer_class: type, **preflight_kwargs) -> type:
    """A subclass of an ASE optimizer class whose instances are :func:`guard`-ed.

    For pipelines that take an optimizer *class*: ``GeomOpt(optimizer=guarded(LBFGS))``,
    ``relax_job(atoms, opt_params={"optimizer": guarded(BFGS)})``,
    ``ForceFieldRelaxMaker(optimizer_kwargs={"optimizer": guarded(FIRE)})``.
    ``issubclass(guarded(BFGS), BFGS)`` holds. The class is importable by its name from
    this module, keywords included (``guarded(FIRE, fix=True)`` is
    ``structcheck.guard.GuardedFIRE__<hex of the keywords>``), so it pickles and goes
    through monty/jobflow JSON to Dask, FireWorks or jobflow workers with its keywords.
    Keyword values: str, numbers, bools, None, lists, dicts (paths become str).
    """
    name = _portable_name(optimizer_class, preflight_kwargs)
    cls = _GUARDED.get(name)
    if cls is not None:
        return cls

    def __init__(self, *args, **kwargs):
        optimizer_class.__init__(self, *args, **kwargs)
        guard(self, **type(self).preflight_kwargs)

    short = f"Guarded{optimizer_class.__name__}"
    doc = (f"{optimizer_class.__name__} that refuses a start failing structcheck.preflight"
           + (f" (keywords {preflight_kwargs})." if preflight_kwargs else "."))
    cls = type(short, (optimizer_class,), {"__init__": __init__, "preflight_kwargs": dict(preflight_kwargs),
                                           "__module__": __name__, "__qualname__": name, "__doc__": doc})
    _GUARDED[name] = cls
    return cls


def __getattr__(name: str):
    """``GuardedBFGS``, ``GuardedLBFGS``, ``GuardedFIRE``... for every ase.optimize class, and
    the keyword-carrying names :func:`guarded` gives (what pickle and monty look up)."""
    if name.startswith("Guarded"):
        if name in _GUARDED:
            return _GUARDED[name]
        cls = _from_portable_name(name)
        if cls is not None:
            return cls
    raise AttributeError(name)
