"""fix(): the least movement that makes a start lint clean, verified by the linter itself.

1. Lint the start with the config in use (the real linter, every enabled rule). Errors that
   moving atoms cannot repair (suspect units, a scaled or expanded cell, a wrong formula, an
   isolated atom under the pre-flight profile, ...) -> refused before anything moves.
2. Duplicated sites (same element, closer than half the overlap distance) are deleted only
   when asked (``merge_duplicates``); otherwise refused.
3. Perceive the intended bond graph and turn it into distance bounds with the linter's own
   thresholds (:mod:`structcheck.repair.graph`), then find the positions closest to the start
   (minimum Σ|Δx|², :mod:`structcheck.repair.minnorm`) that meet them; atoms held by FixAtoms
   never move. The moving set starts with the atoms of violated bounds and grows by every
   partner of a bound that ends up tight, so the movement is shared as the minimum-norm
   problem over all atoms would share it.
4. Lint again. No error left -> done. Contacts or over-coordination left (a bound outside the
   first neighbour list) -> perceive again from the repaired positions (the reference stays
   the start). Anything else, or no progress -> the start comes back unchanged, with the
   reason (``report.converged`` False): a failed repair never makes a start worse.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np

REPAIRED_RULES = ("SC101", "SC102", "SC105")  # overlapping-atoms, close-contact, over-coordinated
CONTACT_RULES = ("SC101", "SC102")
DEFAULT_MARGIN = 0.005  # bounds sit this fraction beyond each linter threshold
DEFAULT_MAX_ROUNDS = 6


class FixError(Exception):
    """The structure cannot be repaired as asked (one-line message)."""


@dataclass
class FixReport:
    """What ``fix`` did. Distances in Å, indices 0-based (of the input)."""

    findings_before: list = field(default_factory=list)
    findings_after: list = field(default_factory=list)
    steps: int = 0  # L-BFGS-B iterations of the minimum-norm solves
    rounds: int = 0  # lint -> perceive -> solve rounds
    max_displacement: float = 0.0
    max_displacement_atom: int | None = None
    rms_displacement: float = 0.0
    sum_sq_displacement: float = 0.0
    converged: bool = True
    merged_duplicates: list = field(default_factory=list)  # (kept, deleted) index pairs
    moved_atoms: list = field(default_factory=list)
    rejected_bonds: list = field(default_factory=list)  # (i, j) pairs pushed out of the bonding shell
    margin: float = DEFAULT_MARGIN
    target: str = "lint"
    close_contact_factor: float | None = None
    message: str = ""
    preopt: dict | None = None  # the physical pre-optimisation after the repair (repair/preopt.py)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["findings_before"] = [f.to_dict() if hasattr(f, "to_dict") else str(f) for f in self.findings_before]
        d["findings_after"] = [f.to_dict() if hasattr(f, "to_dict") else str(f) for f in self.findings_after]
        return d


def _lint(atoms, config, codes=None):
    from ..linter.engine import lint_atoms
    from ..linter.registry import REGISTRY

    return lint_atoms(atoms, config, rules=None if codes is None else [REGISTRY[c] for c in codes])


def _errors(found, target):
    if target == "contacts":
        return [f for f in found if f.code in CONTACT_RULES]
    return [f for f in found if f.severity == "error"]


def _user_fixed(atoms) -> np.ndarray:
    """Atoms no step may move: FixAtoms, plus every atom of a constraint fix cannot map."""
    from ase.constraints import FixAtoms

    fixed = np.zeros(len(atoms), dtype=bool)
    for c in atoms.constraints:
        if isinstance(c, FixAtoms):
            fixed[c.index] = True
            continue
        try:
            fixed[np.asarray(c.get_indices(), dtype=int)] = True
        except Exception:  # noqa: BLE001 - unknown constraint: be safe, move nothing it covers
            raise FixError(f"cannot honour the constraint {type(c).__name__} while repairing; "
                           "remove it or hold its atoms with FixAtoms") from None
    return fixed


def _duplicates(atoms, found, t, merge: bool, report: FixReport) -> np.ndarray | None:
    """Merge (or refuse) same-element pairs closer than half their overlap distance; the
    kept atoms' mask, or None when there are none. Other overlaps are pushed apart later."""
    pairs = []
    for f in found:
        if f.code != "SC101" or len(f.atoms) != 2:
            continue
        a, b = f.atoms
        same = atoms.numbers[a] == atoms.numbers[b]
        if a != b and same and f.value is not None and f.value < 0.5 * t.overlap[atoms.numbers[a], atoms.numbers[b]]:
            pairs.append((min(a, b), max(a, b), f.value))
    if not pairs:
        return None
    if not merge:
        a, b, d = pairs[0]
        raise FixError(f"{len(pairs)} duplicated site(s), e.g. atoms {a} and {b} ({atoms[a].symbol}) {d:.3f} Å "
                       "apart: one atom twice; --merge-duplicates (merge_duplicates=True) deletes the later one")
    drop: set[int] = set()
    for a, b, _ in sorted(pairs):
        if a in drop:
            continue
        drop.add(b)
        report.merged_duplicates.append((int(a), int(b)))
    keep = np.ones(len(atoms), dtype=bool)
    keep[sorted(drop)] = False
    return keep


def unrepairable(atoms, errors) -> list:
    """The error findings of ``atoms`` no move of atoms can repair (the pre-flight policy asks too)."""
    other = [f for f in errors if f.code not in REPAIRED_RULES]
    roots = _contact_roots(atoms, other)
    return [f for f in other if f not in roots]


def _contact_roots(atoms, other) -> list:
    """Root-cause findings (suspect-units, ...) that the contacts themselves set off: the
    findings grouped under them are contacts or over-coordination, and some atom still has a
    nearest neighbour at a normal 0.8-1.3 × (r_i + r_j) (a unit mistake scales every bond).
    The repair then goes ahead; the linter decides afterwards."""
    from ase.data import covalent_radii

    from ..linter.rootcause import ROOT_CODES
    from ..neighbors import half_pairs

    roots = [f for f in other if f.code in ROOT_CODES]
    names = {"close-contact", "overlapping-atoms", "over-coordinated"}
    if not roots or any(not names & set(f.data.get("grouped", {})) for f in roots):
        return []
    r = np.asarray(covalent_radii)
    p = half_pairs(atoms.positions, atoms.cell.array, atoms.pbc, 2.6 * 2 * r[np.unique(atoms.numbers)].max())
    ratio = p.d / (r[atoms.numbers[p.i]] + r[atoms.numbers[p.j]])
    nn = np.full(len(atoms), np.inf)
    np.minimum.at(nn, p.i, ratio)
    np.minimum.at(nn, p.j, ratio)
    return roots if ((nn >= 0.8) & (nn <= 1.3)).any() else []


def _refuse_mixed_sites(found) -> None:
    """A site shared by two species (mixed-occupancy-site, SC027) holds one atom of the majority
    species here: a repaired file would state a pure compound the input does not describe."""
    mixed = [f for f in found if f.name == "mixed-occupancy-site"]
    if mixed:
        more = f" (+{len(mixed) - 1} more site(s))" if len(mixed) > 1 else ""
        raise FixError(f"refused, nothing repaired: {mixed[0].message}{more}; a repaired file would state that "
                       "species and hide the disorder: order the site first (a supercell or SQS with the "
                       "composition) or choose the species on purpose, then fix")


def _names(found) -> str:
    return ", ".join(f"{c} {n}" for c, n in sorted({(f.code, f.name) for f in found}))


def fix(atoms, *, config=None, margin: float = DEFAULT_MARGIN, merge_duplicates: bool = False,
        target: str = "lint", max_rounds: int = DEFAULT_MAX_ROUNDS, full_bonds: bool = False,
        preopt: str | None = None, preopt_kwargs: dict | None = None, **_ignored):
    """Repair a start with the least movement; returns ``(new_structure, FixReport)`` of the type
    given (Atoms, pymatgen Structure/Molecule, ase.db row...). The input is never modified.

    ``target="lint"`` (default): no error of ``config`` (default: the default profile) left;
    ``"contacts"``: only no close contact / overlap (the contact-only repair). ``full_bonds``:
    every kept bond at least a single bond long (no compressed-bond warning; moves more: the
    4502 start 0.438 Å instead of 0.393 Å). ``margin``:
    bounds sit this fraction beyond each threshold. ``FixAtoms`` atoms never move. When the
    repair fails (``report.converged`` False, ``report.message`` one line) the structure comes
    back unmoved. Raises ``FixError`` for duplicated sites unless ``merge_duplicates`` (then
    the later atom of each same-element pair closer than half the overlap distance is
    deleted: ``report.merged_duplicates``), for a site shared by two species (mixed-occupancy-site:
    the output would hide the disorder) and for constraints other than FixAtoms it cannot
    honour. Deterministic: the same input gives bitwise the same output.

    ``preopt`` ("gfn2", "gfn1"): then relax the repaired start with that method through tblite
    (:mod:`structcheck.repair.preopt`; molecules only) and lint it again; ``report.preopt`` is
    its record, the displacement figures stay the repair's own. Where it does not apply or
    leaves an error, the repair fails with its one-line reason (the input comes back).
    """
    from ..io.convert import Converted
    from ..linter.config import load_config

    if target not in ("lint", "contacts"):
        raise ValueError(f"target must be 'lint' or 'contacts', not {target!r}")
    if preopt is not None:
        return _with_preopt(atoms, preopt, preopt_kwargs or {}, config=config, margin=margin,
                            merge_duplicates=merge_duplicates, target=target, max_rounds=max_rounds,
                            full_bonds=full_bonds)
    conv = Converted(atoms)  # pymatgen Structure/Molecule, ase.db row... in; the same type out
    atoms = conv.atoms
    if config is None:
        config = load_config(use_project=False)
    t = config.thresholds
    out = atoms.copy()
    out.calc = None
    report = FixReport(margin=float(margin), target=target, close_contact_factor=float(t.close_contact_factor))
    if len(out) == 0:
        return conv.back(out), _done(report)
    if not (np.isfinite(out.positions).all() and np.isfinite(out.cell.array).all()):
        raise FixError("non-finite coordinates or cell: nothing to move")
    found = _lint(out, config)
    report.findings_before = found
    _refuse_mixed_sites(found)
    errors = _errors(found, target)
    if not errors:
        report.findings_after = found
        return conv.back(out), _done(report)
    other = unrepairable(out, errors)
    if other:
        return conv.back(out), _failed(report, found, f"not a contact problem, no move repairs it: {_names(other)} "
                                                      f"({other[0].message})")
    fixed_by_user = _user_fixed(out)
    kept = _duplicates(out, found, t, merge_duplicates, report)
    index_map = np.arange(len(out))
    if kept is not None:
        del out[np.flatnonzero(~kept).tolist()]
        fixed_by_user = fixed_by_user[kept]
        index_map = np.flatnonzero(kept)  # new index -> input index
        found = _lint(out, config)
    x0 = out.positions.copy()
    ok, found, why = _repair(out, x0, config, fixed_by_user, margin, target, max_rounds, report, found, full_bonds)
    if not ok:
        out.positions = x0
        if kept is not None:  # nothing deleted either: the input comes back as it was
            out = atoms.copy()
            out.calc = None
            report.merged_duplicates = []
            index_map = np.arange(len(out))
        return conv.back(out), _failed(report, found, why)
    report.findings_after = found
    disp = np.linalg.norm(out.positions - x0, axis=1)
    if len(disp):
        a = int(np.argmax(disp))
        report.max_displacement = float(disp[a])
        report.max_displacement_atom = int(index_map[a]) if disp[a] > 0 else None
        report.rms_displacement = float(np.sqrt(np.mean(disp**2)))
        report.sum_sq_displacement = float((disp**2).sum())
        report.moved_atoms = [int(index_map[q]) for q in np.flatnonzero(disp > 0)]
    report.rejected_bonds = [(int(index_map[i]), int(index_map[j])) for i, j in report.rejected_bonds]
    return conv.back(out), _done(report)


def _with_preopt(atoms, method, kwargs, **fix_kwargs):
    """fix(), then the physical pre-optimisation of the repaired start, then lint again."""
    from ..io.convert import Converted
    from ..linter.config import load_config
    from .preopt import PreoptRefused, preoptimize

    conv = Converted(atoms)
    config = fix_kwargs.pop("config", None) or load_config(use_project=False)
    fixed, report = fix(conv.atoms, config=config, **fix_kwargs)
    if not report.converged:
        return conv.back(fixed), report
    try:
        relaxed, rec = preoptimize(fixed, method, **kwargs)
    except PreoptRefused as exc:
        return conv.back(conv.atoms.copy()), _failed(report, report.findings_after, f"refused: {exc}")
    report.preopt = rec.to_dict()
    found = _lint(relaxed, config)
    left = _errors(found, fix_kwargs.get("target", "lint"))
    if left:
        return conv.back(conv.atoms.copy()), _failed(report, found, (
            f"the {rec.method} pre-optimised start has error(s): {_names(left)} ({left[0].message})"))
    report.findings_after = found
    return conv.back(relaxed), report


def _done(report: FixReport) -> FixReport:
    report.converged = True
    return report


def _failed(report: FixReport, found, why: str) -> FixReport:
    report.findings_after = found
    report.converged = False
    report.message = why
    report.max_displacement, report.max_displacement_atom = 0.0, None
    report.rms_displacement = report.sum_sq_displacement = 0.0
    report.moved_atoms = []
    return report


def _repair(out, x0, config, fixed, margin, target, max_rounds, report, found, full_bonds=False):
    """Lint -> perceive -> solve until the linter finds no error; (ok, last findings, reason)."""
    from .graph import plan
    from .minnorm import _violation, solve

    pos = x0.copy()
    last = None
    for rnd in range(max_rounds):
        errors = _errors(found, target)
        if not errors:
            return True, found, ""
        other = [f for f in errors if f.code not in REPAIRED_RULES]
        if other and (rnd > 0 or _contact_roots(out, other) != other):
            return False, found, f"the repair left errors it does not handle: {_names(other)} ({other[0].message})"
        key = sorted((f.code, f.atoms) for f in errors)
        if key == last:
            return False, found, (f"{len(errors)} error(s) left after {rnd} round(s) ({_names(errors)}), "
                                  f"e.g. {errors[0].message}")
        last = key
        report.rounds = rnd + 1
        if other:  # grouped under a root cause: ask over-coordinated itself
            errors = [f for f in _lint(out, config, ["SC105"]) if f.severity == "error"]
        over = sorted({f.atoms[0] for f in errors if f.code == "SC105"})
        p = plan(pos, out.numbers, out.cell.array, out.pbc, config.thresholds, over=over, fixed=fixed,
                 margin=margin, target=target, full_bonds=full_bonds)
        if p.problems:
            return False, found, "cannot repair: " + "; ".join(p.problems[:3]) + \
                (f" (+{len(p.problems) - 3} more)" if len(p.problems) > 3 else "")
        report.rejected_bonds.extend(x for x in p.rejected if x not in report.rejected_bonds)
        b = p.bounds
        vec = pos[b.j] - pos[b.i] + b.offset
        d = np.sqrt(np.einsum("ij,ij->i", vec, vec))
        bad = (d < b.lo) | (d > b.hi)
        movable = np.zeros(len(pos), bool)
        movable[b.i[bad]] = movable[b.j[bad]] = True
        movable |= (pos != x0).any(axis=1)  # what earlier rounds moved may settle again
        movable &= ~fixed
        new = pos
        for _ in range(8):  # grow the moving set by the partners of tight bounds
            new, viol, iters = solve(x0, movable, b, start=pos)
            report.steps += iters
            vec = new[b.j] - new[b.i] + b.offset
            d = np.sqrt(np.einsum("ij,ij->i", vec, vec))
            tight = (d < b.lo + 1e-6) | (d > b.hi - 1e-6)
            tight &= movable[b.i] | movable[b.j]
            grow = np.zeros(len(pos), bool)
            grow[b.i[tight]] = grow[b.j[tight]] = True
            grow &= ~fixed & ~movable
            if not grow.any():
                break
            movable |= grow
        if _violation(new, b) > 1e-4:
            return False, found, (f"no placement meets every bound (largest shortfall {_violation(new, b):.3f} Å); "
                                  "the atoms that may move are boxed in")
        pos = new
        out.positions = pos
        found = _lint(out, config)
    errors = _errors(found, target)
    if not errors:
        return True, found, ""
    return False, found, f"{len(errors)} error(s) left after {max_rounds} rounds ({_names(errors)})"


def provenance_info(report: FixReport) -> dict:
    """The ``atoms.info`` keys a written repaired frame carries (what was done to it)."""
    from .._version import __version__

    info = {
        "structcheck_version": __version__,
        "structcheck_fix_target": report.target,
        "structcheck_fix_close_contact_factor": report.close_contact_factor,
        "structcheck_fix_margin": report.margin,
        "structcheck_fix_steps": report.steps,
        "structcheck_fix_max_displacement_A": round(report.max_displacement, 6),
        "structcheck_fix_sum_sq_displacement_A2": round(report.sum_sq_displacement, 6),
        "structcheck_fix_converged": report.converged,
    }
    if report.preopt:
        p = report.preopt
        info.update({"structcheck_preopt_method": p["method"], "structcheck_preopt_tblite": p["tblite"],
                     "structcheck_preopt_electronic_temperature_K": p["electronic_temperature_K"],
                     "structcheck_preopt_steps": p["steps"],
                     "structcheck_preopt_energy_eV": round(p["energy_end_eV"], 6),
                     "structcheck_preopt_max_displacement_A": round(p["max_displacement_A"], 6)})
    if report.merged_duplicates:
        info["structcheck_fix_deleted_atoms"] = " ".join(str(b) for _, b in report.merged_duplicates)
    return info
