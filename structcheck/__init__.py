"""structcheck: sanity checks for atomistic structures before a relaxation.

Public API (functions): ``lint``, ``fix``, ``preflight``, ``relax``, ``guarded``, ``doctor``; data
and errors: ``Finding``, ``PreflightError``. No module shares a name with them (the rule engine is
``structcheck.linter``, the repair ``structcheck.repair``, the DPA2 hand-off ``structcheck.dp``,
the pre-flight ``structcheck.guard``, the install check ``structcheck.installation``). Heavy
dependencies (torch, deepmd, pymatgen, matplotlib) load only where needed.
"""

from __future__ import annotations

from ._version import __version__
from .findings import Finding
from .guard import PreflightError

__all__ = ["Finding", "PreflightError", "__version__", "doctor", "fix", "guarded", "lint", "preflight", "relax"]


def lint(atoms_or_path, *, profile: str | None = None, select=None, ignore=(), extend_select=(),
         config_file: str | None = None, use_project: bool = False, fmt: str | None = None,
         **overrides) -> list[Finding]:
    """Lint structures as you hold them, or files; returns the findings (a ``FindingList``: a
    list that shows as a table in a notebook).

    ``atoms_or_path``: an ``ase.Atoms``, a pymatgen ``Structure``/``Molecule``, an ``ase.db``
    row, a path, or many of these (a list, an iterator or generator, an ``ase.io.Trajectory``,
    an ``ase.db`` connection); each structure of a collection is one frame. Keyword arguments
    select rules as on the command line (``select=["geometry"]``, ``ignore=["isolated-atom"]``)
    and ``overrides`` take profile keys (``expect_formula="H2O"``, ``model="m.pth"``,
    ``thresholds={"close_contact": 0.7}``).
    """
    from .findings import FindingList
    from .io.convert import is_path, is_single, iter_atoms, to_atoms
    from .linter.config import load_config
    from .linter.engine import lint_atoms, lint_frames

    config = load_config(profile=profile, config_file=config_file, select=select, ignore=ignore,
                         extend_select=extend_select, use_project=use_project, **overrides)
    out = FindingList()
    if is_path(atoms_or_path):
        from .io import iter_frames

        out.extend(f for _, found in lint_frames(iter_frames(str(atoms_or_path), fmt), config) for f in found)
        return out
    if is_single(atoms_or_path):
        out.extend(lint_atoms(to_atoms(atoms_or_path), config))
        return out
    if isinstance(atoms_or_path, (list, tuple)) and any(is_path(p) for p in atoms_or_path):
        for item in atoms_or_path:  # paths (and structures) side by side
            out.extend(lint(item, profile=profile, select=select, ignore=ignore, extend_select=extend_select,
                            config_file=config_file, use_project=use_project, fmt=fmt, **overrides))
        return out
    for k, a in enumerate(iter_atoms(atoms_or_path)):
        out.extend(lint_atoms(a, config, frame=k))
    return out


def fix(atoms, **kwargs):
    """Repair close contacts of ``atoms``; returns ``(repaired structure, FixReport)``, the
    structure of the type given (``ase.Atoms``, pymatgen ``Structure``/``Molecule``...; see
    :func:`structcheck.repair.fix.fix` for the keywords)."""
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


def doctor(route: str | None = None, probe: bool = True):
    """What is installed for each command, what is missing, and the exact commands that fix it
    (a report that prints as text and shows as a table in a notebook; see :mod:`structcheck.installation`)."""
    import importlib

    return importlib.import_module(".installation", __name__).doctor(route=route, probe=probe)
