"""structcheck: sanity checks for atomistic structures before a relaxation.

Public API: ``lint``, ``preflight``, ``fix``, ``relax``, ``Finding``, ``PreflightError``.
Heavy dependencies (torch, deepmd, pymatgen, matplotlib) load only where needed.
"""

from __future__ import annotations

__version__ = "0.1.0"

from .findings import Finding

__all__ = ["Finding", "PreflightError", "__version__", "fix", "lint", "preflight", "relax"]


def lint(atoms_or_path, *, profile: str | None = None, select=None, ignore=(), extend_select=(),
         config_file: str | None = None, use_project: bool = False, fmt: str | None = None,
         **overrides) -> list[Finding]:
    """Lint an ``ase.Atoms``, a list of Atoms (frames), or a path; returns the findings.

    Keyword arguments select rules as on the command line (``select=["geometry"]``,
    ``ignore=["isolated-atom"]``) and ``overrides`` take profile keys
    (``expect_formula="H2O"``, ``model="m.pth"``, ``thresholds={"close_contact": 0.7}``).
    """
    from .engine import lint_atoms, lint_frames, load_config

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


def __getattr__(name):
    if name in ("preflight", "PreflightError"):
        import importlib

        # not `from . import preflight`: that asks this __getattr__ for "preflight" again (recursion)
        _p = importlib.import_module(".preflight", __name__)
        return getattr(_p, name)
    if name == "fix":
        from .prerelax import fix

        return fix
    if name == "relax":
        from .relax import relax

        return relax
    raise AttributeError(name)
