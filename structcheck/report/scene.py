"""What a picture of one flagged frame shows: atoms (with periodic images), contacts, findings.

Shared by the HTML report and the PNG picture, so both show the same atoms and lines.
A small frame is shown whole; a large one only as its flagged atoms and their
neighbourhood (every atom within ``radius`` Å of a flagged atom, at the periodic image
nearest to it), so a 100,000-atom cell with 30 contacts becomes a few thousand spheres.
The neighbourhood search is scipy's cKDTree over the atoms wrapped into the cell, queried
at the flagged atoms shifted by the lattice vectors of the periodic directions (exact for
any cell whose heights exceed ``radius``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from ase.data import chemical_symbols

# Display choices, not physical thresholds (those live in rules/*.toml):
NEIGHBOURHOOD = 4.5  # Å around each flagged atom shown for a large frame (~ two coordination shells)
WHOLE_LIMIT = 5000  # frames up to this many atoms are shown whole
MAX_CENTRES = 2000  # flagged atoms whose neighbourhood is searched (the rest are listed only)
CONTACT_UNITS = ("Å",)


@dataclass
class Scene:
    """Atoms to draw (``index`` into the frame, ``shift`` its lattice image), contacts and findings.

    ``positions[k] = frame.positions[index[k]] + shift[k] @ cell``. ``findings`` rows carry
    ``scene``: the scene atoms a click on that finding highlights.
    """

    symbols: list[str]
    positions: np.ndarray
    index: np.ndarray
    shift: np.ndarray
    cell: np.ndarray | None
    n_atoms: int
    whole: bool
    contacts: list[dict] = field(default_factory=list)
    findings: list[dict] = field(default_factory=list)

    @property
    def image(self) -> np.ndarray:
        """True for atoms drawn at a periodic image (not their position in the file)."""
        return self.shift.any(axis=1) if len(self.shift) else np.zeros(0, dtype=bool)

    def label(self, k: int) -> str:
        s = self.shift[k]
        tag = "′" if s.any() else ""
        return f"{self.symbols[k]}{int(self.index[k])}{tag}"


def frame_lookup(frames) -> callable:
    """``lookup(path, frame) -> Atoms | None`` for an Atoms, a list of frames or a dict.

    A dict may be keyed by ``(path, frame)`` or by the frame number.
    """
    if frames is None:
        return lambda path, frame: None
    if hasattr(frames, "positions") and hasattr(frames, "numbers"):  # one ase.Atoms
        return lambda path, frame: frames if frame == 0 else None
    if isinstance(frames, Mapping):
        def get(path, frame):
            a = frames.get((path, frame))
            return a if a is not None else frames.get(frame)
        return get
    if isinstance(frames, Sequence):
        return lambda path, frame: frames[frame] if 0 <= frame < len(frames) else None
    raise TypeError(f"frames: an ase.Atoms, a list of them or a dict, not {type(frames).__name__}")


def _periodic_cell(atoms) -> np.ndarray | None:
    if not atoms.pbc.any():
        return None
    cell = np.asarray(atoms.cell.array, dtype=float)
    if abs(np.linalg.det(cell)) < 1e-9:
        return None
    return cell


def _contact_shift(finding, pos: np.ndarray, cell: np.ndarray | None, pbc) -> np.ndarray:
    """The lattice shift of the second atom of a two-atom distance finding."""
    s = (finding.data or {}).get("shift")
    if s is not None:
        return np.asarray(s, dtype=int)
    if cell is None:
        return np.zeros(3, dtype=int)
    from ase.geometry import find_mic

    i, j = finding.atoms
    raw = pos[j] - pos[i]
    mic, _ = find_mic(raw[None], cell, pbc)
    return np.rint(np.linalg.solve(cell.T, mic[0] - raw)).astype(int)


def is_contact(f) -> bool:
    """A finding about the distance between two atoms (overlap, close contact)."""
    return (len(f.atoms) == 2 and f.value is not None and f.threshold is not None
            and f.unit in CONTACT_UNITS)


def _neighbourhood(atoms, centres: np.ndarray, radius: float, cell: np.ndarray | None):
    """(index, shift) of every atom within ``radius`` of a centre, at the image nearest it."""
    from scipy.spatial import cKDTree

    pos = atoms.positions
    if cell is None:
        tree = cKDTree(pos)
        hits = tree.query_ball_point(pos[centres], radius)
        idx = np.unique(np.concatenate([np.asarray(h, dtype=int) for h in hits] + [centres]))
        return idx, np.zeros((len(idx), 3), dtype=int)
    frac = np.linalg.solve(cell.T, pos.T).T
    pbc = np.asarray(atoms.pbc, dtype=bool)
    wrap = np.where(pbc, -np.floor(frac), 0).astype(int)
    wrapped = pos + wrap @ cell
    tree = cKDTree(wrapped)
    ranges = [(-1, 0, 1) if p else (0,) for p in pbc]
    shifts = np.array(np.meshgrid(*ranges, indexing="ij")).reshape(3, -1).T
    found_idx, found_shift = [centres], [np.zeros((len(centres), 3), dtype=int)]
    for t in shifts:
        # atoms k with |wrapped_k + t@cell - wrapped_i| < radius, drawn near atom i's own position
        hits = tree.query_ball_point(wrapped[centres] - t @ cell, radius)
        for c, h in zip(centres, hits):
            if h:
                h = np.asarray(h, dtype=int)
                found_idx.append(h)
                found_shift.append(wrap[h] + t - wrap[c])
    idx = np.concatenate(found_idx)
    sh = np.concatenate(found_shift).astype(int)
    key = np.unique(np.column_stack([idx, sh]), axis=0)
    return key[:, 0], key[:, 1:]


def build_scene(atoms, findings: Sequence, *, radius: float = NEIGHBOURHOOD,
                whole_limit: int = WHOLE_LIMIT, centres: Sequence[int] = ()) -> Scene:
    """The scene of one frame and its findings (all of the same path and frame).

    ``centres``: more atoms whose neighbourhood a large frame shows (e.g. the atoms a fix moved).
    """
    n = len(atoms)
    pos = np.asarray(atoms.positions, dtype=float)
    cell = _periodic_cell(atoms)
    pbc = np.asarray(atoms.pbc, dtype=bool)
    flagged = sorted({a for f in findings for a in f.atoms if 0 <= a < n})
    whole = n <= whole_limit
    if whole:
        idx = np.arange(n)
        sh = np.zeros((n, 3), dtype=int)
    else:
        around = sorted(set(flagged) | {int(c) for c in centres if 0 <= c < n})[:MAX_CENTRES]
        idx, sh = _neighbourhood(atoms, np.asarray(around, dtype=int), radius, cell)
    where: dict[tuple[int, int, int, int], int] = {
        (int(i), *map(int, s)): k for k, (i, s) in enumerate(zip(idx, sh))}
    extra_idx, extra_sh = [], []

    def slot(i: int, s) -> int:
        key = (int(i), *map(int, s))
        if key not in where:
            where[key] = len(idx) + len(extra_idx)
            extra_idx.append(int(i))
            extra_sh.append(list(map(int, s)))
        return where[key]

    contacts, rows = [], []
    for f in findings:
        atoms_in = [a for a in f.atoms if 0 <= a < n]
        scene_atoms = [slot(a, (0, 0, 0)) for a in atoms_in]
        contact = None
        if is_contact(f) and len(atoms_in) == 2:
            s = _contact_shift(f, pos, cell, pbc)
            i, j = atoms_in
            kj = slot(j, s)
            if s.any():
                scene_atoms.append(kj)
            contact = len(contacts)
            contacts.append({"finding": len(rows), "a": scene_atoms[0], "b": kj,
                             "value": float(f.value), "threshold": float(f.threshold), "unit": f.unit,
                             "periodic": bool(s.any()), "shift": [int(x) for x in s]})
        rows.append({"code": f.code, "name": f.name, "severity": f.severity, "message": f.message,
                     "atoms": list(f.atoms), "scene": scene_atoms, "contact": contact, "line": f.line})
    if extra_idx:
        idx = np.concatenate([idx, np.asarray(extra_idx, dtype=int)])
        sh = np.concatenate([sh, np.asarray(extra_sh, dtype=int).reshape(-1, 3)])
    shown = pos[idx] + (sh @ cell if cell is not None else 0.0)
    symbols = [chemical_symbols[z] for z in atoms.numbers[idx]]
    scene = Scene(symbols, shown, idx, sh, cell, n, whole, contacts, rows)
    for c in contacts:
        c["label"] = (f"{scene.label(c['a'])}–{scene.label(c['b'])} {c['value']:.3f} {c['unit']} "
                      f"< {c['threshold']:.3f} {c['unit']}")
    return scene


def view_rotation(scene: Scene) -> np.ndarray:
    """A rotation R (rows: screen x, y, z) showing the contacts from the side.

    Principal axes of the contact atoms (else the flagged atoms, else all shown atoms): the
    longest along the screen's x, the shortest along the line of sight, so a collinear knot
    such as the 4502 start's H–H–O chain on the cell diagonal is seen at full length.
    Apply as ``positions @ R.T``.
    """
    pick = sorted({k for c in scene.contacts for k in (c["a"], c["b"])})
    if len(pick) < 3:
        pick = sorted({k for row in scene.findings for k in row["scene"]})
    if len(pick) < 3:
        pick = list(range(len(scene.positions)))
    p = scene.positions[pick]
    if len(p) < 2:
        return np.eye(3)
    _, _, vt = np.linalg.svd(p - p.mean(axis=0))
    r = np.zeros((3, 3))
    r[: len(vt)] = vt
    if len(vt) < 3 or not np.isfinite(r).all() or abs(abs(np.linalg.det(r)) - 1) > 1e-6:
        return np.eye(3)
    if np.linalg.det(r) < 0:
        r[2] *= -1
    # a little tilt so a perfectly planar or straight arrangement keeps some depth
    t = np.radians(15.0)
    tilt = np.array([[1, 0, 0], [0, np.cos(t), -np.sin(t)], [0, np.sin(t), np.cos(t)]])
    return tilt @ r


def group_findings(findings: Sequence) -> dict[tuple[str, int], list]:
    """Findings grouped by (path, frame), in the order they first appear."""
    groups: dict[tuple[str, int], list] = {}
    for f in findings:
        groups.setdefault((f.path, f.frame), []).append(f)
    return groups
