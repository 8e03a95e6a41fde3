"""`structcheck fix`: repair close contacts with a purely repulsive pre-relaxation.

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

import argparse
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import ClassVar

import numpy as np
from ase.calculators.calculator import Calculator, all_changes

CONTACT_RULES = ("SC101", "SC102")  # overlapping-atoms, close-contact
DEFAULT_MARGIN = 0.05  # r0 = (1 + margin) * close-contact threshold
DEFAULT_MAX_STEPS = 1000
DEFAULT_K = 10.0  # eV/Å², stiffness of the wall
ANCHORED_MOBILITY = 0.02  # relative step of an atom that keeps a proper bond (see fix)
SKIN = 1.0  # Å: neighbourhood of the moving atoms held fixed around them


def _optimizer(atoms):
    """ASE LBFGS: measured against FIRE (maxstep 0.1 Å), MDMin and LBFGS 0.1 Å on the
    benchmark (10k-atom Si, 3 % contacts: 7 steps vs FIRE's 95) and on the g2 and H2O3
    cases (fewest steps, smallest displacements). Deterministic: no randomness inside."""
    from ase.optimize import LBFGS

    return LBFGS(atoms, logfile=None, maxstep=0.2)  # Å


class FixError(Exception):
    """The structure cannot be repaired as asked (one-line message)."""


# ---------------------------------------------------------------- the calculator


class RepulsiveCalculator(Calculator):
    """Purely repulsive harmonic wall between every pair closer than its target distance.

    Parameters:

    k: float
        Stiffness in eV/Å² (default 10).
    margin: float
        r0 = (1 + margin) × close-contact threshold of the pair (default 0.05).
    thresholds: (119, 119) array or PairThresholds, optional
        Close-contact distances in Å indexed by atomic number; default: the shipped
        table (``structcheck.tables.default_pair_thresholds().close_contact``).

    Energy per pair ½ k (r0 − d)² for d < r0, zero otherwise (C1 at r0); forces are
    its exact derivative, stress the virial, periodic and triclinic cells included.
    Energies per atom split each pair half and half.
    """

    implemented_properties: ClassVar[list[str]] = ["energy", "energies", "free_energy", "forces", "stress"]
    default_parameters: ClassVar[dict] = {"k": DEFAULT_K, "margin": DEFAULT_MARGIN, "thresholds": None}
    nolabel = True

    def __init__(self, **kwargs):
        Calculator.__init__(self, **kwargs)

    def target_distances(self) -> np.ndarray:
        """The (119, 119) matrix of r0 in Å."""
        t = self.parameters.thresholds
        if t is None:
            from .tables import default_pair_thresholds

            t = default_pair_thresholds()
        table = getattr(t, "close_contact", t)
        return np.asarray(table, dtype=float) * (1.0 + self.parameters.margin)

    def pairs(self, atoms):
        """(i, j, r_ij vectors, d, r0) of every pair closer than its r0, in a fixed order."""
        from .neighbors import half_pairs

        numbers = atoms.numbers
        r0_table = self.target_distances()
        z = np.unique(numbers)
        cutoff = float(r0_table[np.ix_(z, z)].max()) if len(z) else 0.0
        p = half_pairs(atoms.positions, atoms.cell.array, atoms.pbc, cutoff)
        r0 = r0_table[numbers[p.i], numbers[p.j]]
        m = p.d < r0
        i, j, shift, d, r0 = p.i[m], p.j[m], p.shift[m], p.d[m], r0[m]
        order = np.lexsort((shift[:, 2], shift[:, 1], shift[:, 0], j, i))  # deterministic sums
        i, j, shift, d, r0 = i[order], j[order], shift[order], d[order], r0[order]
        vec = atoms.positions[j] - atoms.positions[i] + shift @ atoms.cell.array
        return i, j, vec, d, r0

    def calculate(self, atoms=None, properties=None, system_changes=all_changes):
        if properties is None:
            properties = self.implemented_properties
        Calculator.calculate(self, atoms, properties, system_changes)
        natoms = len(self.atoms)
        k = float(self.parameters.k)
        i, j, vec, d, r0 = self.pairs(self.atoms)
        self.last_pairs = (i, j, d, r0)

        overlap = r0 - d
        pair_energy = 0.5 * k * overlap**2
        # dE/dd = -k (r0 - d); force on j = -dE/dd * r_ij / d, on i the opposite
        with np.errstate(divide="ignore", invalid="ignore"):
            unit = np.where(d[:, None] > 0, vec / d[:, None], 0.0)
        f_pair = (k * overlap)[:, None] * unit

        energies = 0.5 * (np.bincount(i, pair_energy, natoms) + np.bincount(j, pair_energy, natoms))
        forces = np.zeros((natoms, 3))
        for ax in range(3):
            forces[:, ax] = np.bincount(j, f_pair[:, ax], natoms) - np.bincount(i, f_pair[:, ax], natoms)

        energy = float(pair_energy.sum())
        self.results["energy"] = energy
        self.results["free_energy"] = energy
        self.results["energies"] = energies
        self.results["forces"] = forces
        if self.atoms.cell.rank == 3:
            # virial: sigma = (1/V) sum_pairs dE/dd * r_ij (x) r_ij / d = -(1/V) sum r_ij (x) f_j
            stress = -(vec.T @ f_pair) / self.atoms.get_volume()
            self.results["stress"] = stress.flat[[0, 4, 8, 5, 2, 1]]
        elif "stress" in properties:
            from ase.calculators.calculator import PropertyNotImplementedError

            raise PropertyNotImplementedError("stress needs a 3-dimensional cell")


class _SteeredRepulsion(RepulsiveCalculator):
    """The wall with forces scaled per atom (a diagonal preconditioner).

    LBFGS (and FIRE) follow forces only, so scaling them steers which atom of a contact moves while
    keeping the minimum set (every pair at or beyond r0) unchanged. Not for energies.
    """

    def __init__(self, mobility: np.ndarray, movable: np.ndarray, skin: float = SKIN, **kwargs):
        RepulsiveCalculator.__init__(self, **kwargs)
        self.mobility = mobility
        self.movable = movable
        self.skin = skin
        self._verlet = None  # (positions at build, i, j, shift @ cell, r0) of candidate pairs

    def check_state(self, atoms, tol=1e-15):
        # only positions change during fix (ASE's full comparison costs more than the step)
        if self.atoms is None or not np.array_equal(self.atoms.positions, atoms.positions):
            return ["positions"]
        return []

    def pairs(self, atoms):
        """A Verlet list: candidates within r0 + skin, rebuilt once an atom moved skin / 2."""
        pos = atoms.positions
        if self._verlet is None or np.abs(pos - self._verlet[0]).max() * np.sqrt(3) > 0.5 * self.skin:
            from .neighbors import half_pairs

            r0_table = self.target_distances()
            z = np.unique(atoms.numbers)
            cutoff = float(r0_table[np.ix_(z, z)].max()) + self.skin
            p = half_pairs(pos, atoms.cell.array, atoms.pbc, cutoff)
            r0 = r0_table[atoms.numbers[p.i], atoms.numbers[p.j]]
            keep = (p.d < r0 + self.skin) & (self.movable[p.i] | self.movable[p.j])
            i, j, shift, r0 = p.i[keep], p.j[keep], p.shift[keep], r0[keep]
            order = np.lexsort((shift[:, 2], shift[:, 1], shift[:, 0], j, i))
            i, j, shift, r0 = i[order], j[order], shift[order], r0[order]
            self._verlet = (pos.copy(), i, j, shift @ atoms.cell.array, r0)
        _, i, j, offset, r0 = self._verlet
        vec = pos[j] - pos[i] + offset
        d = np.sqrt((vec * vec).sum(axis=1))
        m = d < r0
        return i[m], j[m], vec[m], d[m], r0[m]

    def calculate(self, atoms=None, properties=None, system_changes=all_changes):
        RepulsiveCalculator.calculate(self, atoms, ["energy", "forces"], system_changes)
        self.results["forces"] = self.results["forces"] * self.mobility[:, None]
        _, _, d, r0 = self.last_pairs  # only pairs with a movable atom (see pairs)
        # worst d / r0 among the pairs the optimizer can still change (1.0: none below r0)
        self.worst = float((d / r0).min()) if len(d) else 1.0


# ---------------------------------------------------------------- fix()


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
    from .engine import REGISTRY, all_rules, lint_atoms

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
    """Repair close contacts; returns ``(new_atoms, FixReport)``. The input is never modified.

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

    from .engine import load_config
    from .neighbors import half_pairs

    if config is None:
        config = load_config(use_project=False)
    t = config.thresholds
    out = atoms.copy()
    out.calc = None
    report = FixReport(margin=float(margin), close_contact_factor=float(t.close_contact_factor))
    if len(out) == 0:
        return out, report
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
        opt = _optimizer(sub)
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
    return out, report


# ---------------------------------------------------------------- command line


def add_fix_arguments(p: argparse.ArgumentParser) -> None:
    from .cli_lint import add_selection_arguments

    p.add_argument("path", metavar="PATH", help="structure file (any format ASE reads); every frame is repaired")
    p.add_argument("-o", "--output", metavar="FILE",
                   help="write the repaired frames here (extxyz; default <name>.fixed.extxyz beside the "
                        "input); never the input itself")
    p.add_argument("--format-in", metavar="FMT", help="input format (ASE name), if the extension does not say")
    p.add_argument("--diff", action="store_true", help="print each moved atom's displacement; write nothing")
    p.add_argument("--merge-duplicates", action="store_true",
                   help="delete the later atom of each overlapping same-element pair (reported) instead of refusing")
    p.add_argument("--margin", type=float, default=DEFAULT_MARGIN,
                   help=f"push pairs towards (1 + margin) × the close-contact distance (default {DEFAULT_MARGIN})")
    p.add_argument("--max-steps", type=int, default=DEFAULT_MAX_STEPS,
                   help=f"optimizer (LBFGS) steps per frame at most (default {DEFAULT_MAX_STEPS})")
    p.add_argument("-q", "--quiet", action="store_true", help="no per-frame summary on stderr")
    add_selection_arguments(p)


def _read_frames(path: str, fmt: str | None):
    import ase.io

    from .cli import UsageError

    if not Path(path).is_file():
        raise UsageError(f"{path}: no such file")
    try:
        frames = ase.io.read(path, ":", format=fmt)
    except Exception as exc:  # noqa: BLE001 - any reader error, one line
        raise UsageError(f"{path}: cannot read: {type(exc).__name__}: {exc}") from None
    if not isinstance(frames, list):
        frames = [frames]
    return frames


def _provenance(atoms, report: FixReport) -> None:
    from . import __version__

    atoms.info["structcheck_version"] = __version__
    atoms.info["structcheck_fix_close_contact_factor"] = report.close_contact_factor
    atoms.info["structcheck_fix_margin"] = report.margin
    atoms.info["structcheck_fix_steps"] = report.steps
    atoms.info["structcheck_fix_max_displacement_A"] = round(report.max_displacement, 6)
    atoms.info["structcheck_fix_converged"] = report.converged
    if report.merged_duplicates:
        atoms.info["structcheck_fix_deleted_atoms"] = " ".join(str(b) for _, b in report.merged_duplicates)


def _fix_frames(path: str, frames, args, config, say):
    """(fixed frames, reports, failed?) with one line per problem frame."""
    fixed_frames, reports, failed = [], [], False
    for n, atoms in enumerate(frames):
        where = f"{path}: frame {n}"
        try:
            fixed, rep = fix(atoms, config=config, margin=args.margin, max_steps=args.max_steps,
                             merge_duplicates=args.merge_duplicates)
        except FixError as exc:
            print(f"structcheck: {where}: {exc}", file=sys.stderr)
            failed = True
            fixed_frames.append(atoms.copy())
            reports.append(None)
            continue
        if not rep.converged:
            print(f"structcheck: {where}: {rep.message}", file=sys.stderr)
            failed = True
        else:
            n_before = sum(f.name == "close-contact" for f in rep.findings_before)
            merged = f", {len(rep.merged_duplicates)} duplicate(s) deleted" if rep.merged_duplicates else ""
            say(f"{where}: {n_before} close contact(s) repaired in {rep.steps} steps{merged}, largest "
                f"displacement {rep.max_displacement:.3f} Å"
                + (f" (atom {rep.max_displacement_atom})" if rep.max_displacement_atom is not None else ""))
        fixed_frames.append(fixed)
        reports.append(rep)
    return fixed_frames, reports, failed


def _write(frames, reports, out: Path) -> None:
    import ase.io

    written = []
    for a, rep in zip(frames, reports):
        a = a.copy()
        if rep is not None:
            _provenance(a, rep)
        written.append(a)
    out.parent.mkdir(parents=True, exist_ok=True)
    ase.io.write(str(out), written, format="extxyz")


def _print_diff(frames, fixed, reports) -> None:
    """Every atom that moved: frame, input index, element, displacement in Å; deleted duplicates."""
    print(f"{'frame':>5} {'atom':>6} {'el':<3} {'dx/Å':>9} {'dy/Å':>9} {'dz/Å':>9} {'|d|/Å':>9}")
    for n, (a, b, rep) in enumerate(zip(frames, fixed, reports)):
        if rep is None:
            continue
        deleted = [d for _, d in rep.merged_duplicates]
        for d in deleted:
            print(f"{n:>5} {d:>6} {a[d].symbol:<3} deleted (duplicate of atom "
                  f"{ {y: x for x, y in rep.merged_duplicates}[d]})")
        src = np.setdiff1d(np.arange(len(a)), deleted)  # index in b -> index in a
        dv = b.positions - a.positions[src]
        dist = np.linalg.norm(dv, axis=1)
        for q in np.flatnonzero(dist > 0):
            print(f"{n:>5} {src[q]:>6} {b[q].symbol:<3} {dv[q, 0]:9.4f} {dv[q, 1]:9.4f} {dv[q, 2]:9.4f} "
                  f"{dist[q]:9.4f}")


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (b.exists() and a.samefile(b))
    except OSError:
        return False


def beside(path: str) -> Path:
    p = Path(path)
    return p.with_name(f"{p.stem}.fixed.extxyz")


def run_fix(args) -> int:
    from .cli import UsageError
    from .cli_lint import config_from_args

    if args.max_steps < 0 or args.margin < 0:
        raise UsageError("--max-steps and --margin must not be negative")
    config = config_from_args(args)
    frames = _read_frames(args.path, args.format_in)
    out = Path(args.output) if args.output else beside(args.path)
    if not args.diff and _same_file(Path(args.path), out):
        raise UsageError(f"{out}: the output would overwrite the input; choose another -o")
    say = (lambda m: None) if args.quiet else (lambda m: print(m, file=sys.stderr))
    fixed, reports, failed = _fix_frames(args.path, frames, args, config, say)
    if args.diff:
        _print_diff(frames, fixed, reports)
        return 1 if failed else 0
    _write(fixed, reports, out)
    say(f"wrote {out}")
    return 1 if failed else 0


def fix_file_beside(path: str, args) -> int:
    """``structcheck lint --fix``: write ``<name>.fixed.extxyz`` beside ``path``; exit code."""
    from .cli import UsageError
    from .cli_lint import config_from_args

    ns = argparse.Namespace(margin=DEFAULT_MARGIN, max_steps=DEFAULT_MAX_STEPS, merge_duplicates=False)
    try:
        config = config_from_args(args)
        frames = _read_frames(path, getattr(args, "format_in", None))
    except UsageError as exc:
        print(f"structcheck: error: {exc}", file=sys.stderr)
        return 2
    out = beside(path)
    if _same_file(Path(path), out):
        print(f"structcheck: error: {out}: would overwrite the input; not written", file=sys.stderr)
        return 2
    quiet = getattr(args, "quiet", False)
    say = (lambda m: None) if quiet else (lambda m: print(m, file=sys.stderr))
    fixed, reports, failed = _fix_frames(path, frames, ns, config, say)
    _write(fixed, reports, out)
    say(f"wrote {out}")
    return 1 if failed else 0
