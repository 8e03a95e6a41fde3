"""structcheck: sanity checks for atomistic structures before a relaxation.

Public API (functions): ``lint``, ``fix``, ``preflight``, ``relax``, ``guarded``; data and errors:
``Finding``, ``PreflightError``. No module shares a name with them (the rule engine is
``structcheck.linter``, the repair ``structcheck.repair``, the DPA2 hand-off ``structcheck.dp``,
the pre-flight ``structcheck.guard``). Heavy dependencies (torch, deepmd, pymatgen, matplotlib)
load only where needed.
"""

from __future__ import annotations

from ._version import __version__

from .findings import Finding
from .guard import PreflightError

__all__ = ["Finding", "PreflightError", "__version__", "fix", "guarded", "lint", "preflight", "relax"]


def lint(atoms_or_path, *, profile: str | None = None, select=None, ignore=(), extend_select=(),
         config_file: str | None = None, use_project: bool = False, fmt: str | None = None,
         **overrides) -> list[Finding]:
    """Lint an ``ase.Atoms``, a list of Atoms (frames), or a path; returns the findings.

    Keyword arguments select rules as on the command line (``select=["geometry"]``,
    ``ignore=["isolated-atom"]``) and ``overrides`` take profile keys
    (``expect_formula="H2O"``, ``model="m.pth"``, ``thresholds={"close_contact": 0.7}``).
    """
    from .linter.config import load_config
    from .linter.engine import lint_atoms, lint_frames

    config = load_config(profile=profile, config_file=config_file, select=select, ignore=ignore,
                         extend_select=extend_select, use_project=use_project, **overrides)
    if isinstance(atoms_or_path, (str, bytes)) or hasattr(atoms_or_path, "__fspath__"):
        from .io import iter_frames

        return [f for _, found in lint_frames(iter_frames(str(atoms_or_path), fmt), config) for f in found]
    if isinstance(atoms_or_path, (list, tuple)):
        out: list[Finding] = []
        for k, a in enumerate(atoms_or_path):
            out.extend(lint_atoms(a, config, frame=k))
        return out
    return lint_atoms(atoms_or_path, config)


def fix(atoms, **kwargs):
    """Repair close contacts of ``atoms``; returns ``(new Atoms, FixReport)``
    (see :func:`structcheck.repair.fix.fix` for the keywords)."""
    from .repair.fix import fix as _fix

    return _fix(atoms, **kwargs)


def preflight(atoms, profile: str = "dpa2-preflight", fix: bool = False, model: str | None = None, **kw):
    """Return ``atoms`` when it is a sane start, else raise :class:`PreflightError`
    (see :func:`structcheck.guard.preflight`)."""
    from .guard import preflight as _preflight

    return _preflight(atoms, profile=profile, fix=fix, model=model, **kw)


def relax(atoms, *args, **kwargs):
    """Pre-flight, optional repair, then DPA2 + ASE LBFGS with a provenance record; returns a
    ``RelaxResult`` (see :func:`structcheck.dp.relax.relax` for the parameters)."""
    from .dp.relax import relax as _relax

    return _relax(atoms, *args, **kwargs)


def guarded(optimizer_class: type, **preflight_kwargs) -> type:
    """An ASE optimizer class whose ``run()`` refuses a bad start (see :func:`structcheck.guard.guarded`)."""
    from .guard import guarded as _guarded

    return _guarded(optimizer_class, **preflight_kwargs)
