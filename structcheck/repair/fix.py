"""fix(): repair close contacts with a purely repulsive pre-relaxation, moving as little as possible.

``RepulsiveCalculator`` is an ASE calculator (written like ``ase/calculators/morse.py``)
with a harmonic wall  E = Σ_pairs ½ k (r0 − d)²  for d < r0, exactly zero at and beyond
r0, where r0 is the close-contact threshold of the element pair (rules/pair_distances.toml,
the same table the ``close-contact`` rule uses) times (1 + margin).

``fix`` moves only the atoms in a close contact (and, round by round, any atom the
repair pushes into a new contact) with ASE's LBFGS optimizer, every other atom held by
``FixAtoms``, until the ``close-contact`` rule itself finds nothing. Within a contact the
atom without a proper (non-contact) bond moves first: an atom squeezed onto a molecule is
pushed out instead of the molecule being pushed away from it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np

from .repulsive import (ANCHORED_MOBILITY, CONTACT_RULES, DEFAULT_K, DEFAULT_MARGIN, DEFAULT_MAX_STEPS, SKIN,
                        RepulsiveCalculator, _SteeredRepulsion, optimizer)


class FixError(Exception):
    """The structure cannot be repaired as asked (one-line message)."""


@dataclass
class FixReport:
    """What ``fix`` did. Distances in Å, energies in eV, indices 0-based (of the input)."""

    findings_before: list = field(default_factory=list)
    findings_after: list = field(default_factory=list)
    steps: int = 0
    rounds: int = 0
    max_displacement: float = 0.0
    max_displacement_atom: int | None = None
    rms_displacement: float = 0.0
    energy_before: float = 0.0
    energy_after: float = 0.0
    converged: bool = True
    merged_duplicates: list = field(default_factory=list)  # (kept, deleted) index pairs
    moved_atoms: list = field(default_factory=list)
    margin: float = DEFAULT_MARGIN
    close_contact_factor: float | None = None
    message: str = ""

    def to_dict(self) -> dict:
        d = asdict(self)
        d["findings_before"] = [f.to_dict() if hasattr(f, "to_dict") else str(f) for f in self.findings_before]
        d["findings_after"] = [f.to_dict() if hasattr(f, "to_dict") else str(f) for f in self.findings_after]
        return d


def _contact_lint(atoms, config):
    from ..linter.engine import lint_atoms
    from ..linter.registry import REGISTRY, all_rules

    all_rules()
    return lint_atoms(atoms, config, rules=[REGISTRY[c] for c in CONTACT_RULES])


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


def _merge(atoms, overlaps, report: FixReport):
    """Delete the later atom of each same-species overlapping pair (input indices reported)."""
    drop: set[int] = set()
    for f in sorted(overlaps, key=lambda f: f.atoms):
        a, b = f.atoms
        if a == b:
            raise FixError(f"atom {a} overlaps its own periodic image: the cell is too small "
                           "(not a duplicate that can be merged)")
        if atoms.numbers[a] != atoms.numbers[b]:
            raise FixError(f"overlapping atoms {a} and {b} are different elements "
                           f"({atoms[a].symbol}, {atoms[b].symbol}): not duplicates; fix the structure by hand")
        if a in drop:
            continue
        drop.add(b)
        report.merged_duplicates.append((int(a), int(b)))
    keep = np.ones(len(atoms), dtype=bool)
    keep[sorted(drop)] = False
    del atoms[sorted(drop)]
    return keep


def fix(atoms, *, config=None, margin: float = DEFAULT_MARGIN, max_steps: int = DEFAULT_MAX_STEPS,
        merge_duplicates: bool = False, fmax: float = 1e-4, k: float = DEFAULT_K,
        max_rounds: int = 20):
    """Repair close contacts; returns ``(new_structure, FixReport)`` (the type given: Atoms, pymatgen...). The input is never modified.

    Only atoms in a close contact move (plus atoms the repair pushes into a new contact, in
    later rounds); ``FixAtoms`` atoms never move. Stops when the ``close-contact`` rule
    finds nothing, or after ``max_steps`` optimizer steps in all (``report.converged`` False,
    ``report.message`` says why). Coincident atoms (``overlapping-atoms``) raise
    ``FixError`` unless ``merge_duplicates``, which deletes the later atom of each
    same-element duplicate pair (``report.merged_duplicates``: (kept, deleted) indices).
    ``margin``: pairs are pushed towards (1 + margin) × threshold and the repair stops
    once every pair is at least (1 + margin/2) × threshold. ``fmax`` in eV/Å, ``k`` in eV/Å².
    """
    from ase.constraints import FixAtoms

    from ..io.convert import Converted
    from ..linter.config import load_config
    from ..neighbors import half_pairs

    conv = Converted(atoms)  # pymatgen Structure/Molecule, ase.db row... in; the same type out
    atoms = conv.atoms

    if config is None:
        config = load_config(use_project=False)
    t = config.thresholds
    out = atoms.copy()
    out.calc = None
    report = FixReport(margin=float(margin), close_contact_factor=float(t.close_contact_factor))
    if len(out) == 0:
        return conv.back(out), report
    if not (np.isfinite(out.positions).all() and np.isfinite(out.cell.array).all()):
        raise FixError("non-finite coordinates or cell: nothing to push")
    before = _contact_lint(out, config)
    report.findings_before = before
    overlaps = [f for f in before if f.name == "overlapping-atoms"]
    if overlaps:
        if not merge_duplicates:
            f = overlaps[0]
            raise FixError(f"{len(overlaps)} overlapping atom pair(s), e.g. atoms {f.atoms[0]} and {f.atoms[1]} "
                           f"at {f.value:.3f} Å: coincident sites have no push direction; delete the "
                           "duplicate (--merge-duplicates) or repair by hand")
        kept = _merge(out, overlaps, report)
        index_map = np.flatnonzero(kept)  # new index -> input index
        still = [f for f in _contact_lint(out, config) if f.name == "overlapping-atoms"]
        if still:
            raise FixError(f"atoms {still[0].atoms} still overlap after merging duplicates")
    else:
        index_map = np.arange(len(out))
    start = out.positions.copy()
    calc = RepulsiveCalculator(k=k, margin=margin, thresholds=t)
    fixed_by_user = _user_fixed(out)
    r0_table = t.close_contact * (1.0 + margin)
    z = np.unique(out.numbers)
    cutoff = float(max(t.bonded[np.ix_(z, z)].max(), r0_table[np.ix_(z, z)].max() + SKIN))
    active = np.zeros(len(out), dtype=bool)
    problems: list[str] = []
    steps_left = int(max_steps)
    done = False
    stale = True  # positions moved since the last energy
    for rnd in range(max_rounds):
        p = half_pairs(out.positions, out.cell.array, out.pbc, cutoff)
        zi, zj = out.numbers[p.i], out.numbers[p.j]
        # the wall energy from this list (its cutoff exceeds every r0): no extra neighbour list
        gap = np.maximum(r0_table[zi, zj] - p.d, 0.0)
        report.energy_after = float(0.5 * k * (gap * gap).sum())
        if rnd == 0:
            report.energy_before = report.energy_after
        stale = False
        cc = t.close_contact[zi, zj]
        contact = p.d < cc
        if not contact.any():
            break
        report.rounds = rnd + 1
        ci, cj = p.i[contact], p.j[contact]
        self_image = ci == cj
        stuck = fixed_by_user[ci] & fixed_by_user[cj]
        for a, b in zip(ci[self_image | stuck], cj[self_image | stuck]):
            why = "its own periodic image (the cell is too small)" if a == b else \
                f"atom {index_map[b]}, both fixed by FixAtoms"
            msg = f"atom {index_map[a]} is too close to {why}"
            if msg not in problems:
                problems.append(msg)
        active_before = active.copy()
        newly = np.zeros(len(out), dtype=bool)
        newly[ci] = newly[cj] = True
        newly &= ~fixed_by_user
        active |= newly
        if not active.any() or steps_left <= 0 or (rnd > 0 and done and not (newly & ~active_before).any()):
            break
        # the moving atoms, and every atom near one of them held still around them
        near = active[p.i] | active[p.j]
        sub_mask = active.copy()
        sub_mask[p.i[near]] = True
        sub_mask[p.j[near]] = True
        sub_idx = np.flatnonzero(sub_mask)
        # steering: an atom with a proper bond (bonded, not a contact) is anchored
        proper = (p.d >= cc) & (p.d < t.bonded[zi, zj])
        nbonds = np.bincount(p.i[proper], minlength=len(out)) + np.bincount(p.j[proper], minlength=len(out))
        movable = active[sub_idx]
        mobility = np.where(nbonds[sub_idx] > 0, ANCHORED_MOBILITY, 1.0) * movable
        if mobility.max() > 0:
            mobility /= mobility.max()
        sub = out[sub_idx]
        sub.set_constraint(FixAtoms(indices=np.flatnonzero(~movable)))
        sub.calc = _SteeredRepulsion(mobility, movable, k=k, margin=margin, thresholds=t)
        opt = optimizer(sub)
        done = False
        for _ in opt.irun(fmax=fmax, steps=steps_left):
            if sub.calc.worst >= (1.0 + 0.5 * margin) / (1.0 + margin):
                done = True
                break
        steps_left -= opt.nsteps
        report.steps += opt.nsteps
        out.arrays["positions"][sub_idx] = sub.positions  # no constraint may adjust this
        stale = True
        if not done:
            if steps_left <= 0:
                break
            # stuck against held neighbours: let the atoms inside the moving atoms' walls move too
            i, j, _, _ = sub.calc.last_pairs
            wall = np.zeros(len(out), dtype=bool)
            wall[sub_idx[i]] = wall[sub_idx[j]] = True
            wall &= ~fixed_by_user
            if not (wall & ~active).any():
                break
            active |= wall
    after = _contact_lint(out, config)
    report.findings_after = after
    report.converged = not after
    if stale:
        report.energy_after = float(calc.get_potential_energy(out))
    disp = np.linalg.norm(out.positions - start, axis=1)
    if len(disp):
        a = int(np.argmax(disp))
        report.max_displacement = float(disp[a])
        report.max_displacement_atom = int(index_map[a]) if disp[a] > 0 else None
        report.rms_displacement = float(np.sqrt(np.mean(disp**2)))
        report.moved_atoms = [int(index_map[q]) for q in np.flatnonzero(disp > 0)]
    if not report.converged:
        if problems:
            report.message = "cannot repair: " + "; ".join(problems[:3]) + \
                (f" (+{len(problems) - 3} more)" if len(problems) > 3 else "")
        else:
            report.message = (f"{len(after)} close contact(s) left after {report.steps} steps "
                              f"(--max-steps {max_steps})")
    out.calc = None
    return conv.back(out), report


def provenance_info(report: FixReport) -> dict:
    """The ``atoms.info`` keys a written repaired frame carries (what was done to it)."""
    from .._version import __version__

    info = {
        "structcheck_version": __version__,
        "structcheck_fix_close_contact_factor": report.close_contact_factor,
        "structcheck_fix_margin": report.margin,
        "structcheck_fix_steps": report.steps,
        "structcheck_fix_max_displacement_A": round(report.max_displacement, 6),
        "structcheck_fix_converged": report.converged,
    }
    if report.merged_duplicates:
        info["structcheck_fix_deleted_atoms"] = " ".join(str(b) for _, b in report.merged_duplicates)
    return info
