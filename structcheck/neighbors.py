"""One neighbour list per frame (vesin, compiled), shared by every rule.

Guards before native code (``search_problem``): vesin's cell grid dies with SIGFPE when a
span is ~1.5e5 times the cutoff (measured with vesin 0.6: a periodic vector of 1e6 Å, an
atom at x = 3e9 Å), and a periodic cell much smaller than the cutoff makes every atom meet
millions of its own images (a 0.01 Å cell: gigabytes, then SIGSEGV). Such frames raise
``NeighborLimit`` (a ValueError with one line) instead; the absurd-coordinates rule reports it.
vesin's binding is ``vesin_lib``; small crystals' checks are answered first by ``smallcell``.
"""

from __future__ import annotations

import math
import numpy as np

from .smallcell import small_crystal_clear
from .smallpairs import SMALL_OPEN, all_pairs, direct_pairs, zero_shifts
from .vesin_lib import vesin_half_list as _vesin_half_list


class Pairs:
    """Each pair once (half list), periodic images included.

    ``i``, ``j``: atom indices; ``d``: distance in Å; ``shift``: integer cell shift
    with  r_ij = pos[j] - pos[i] + shift @ cell.  A pair may have i == j (an atom and
    its own periodic image) when the cell is smaller than the cutoff. Read-only by convention
    (a plain class with slots: a frozen dataclass costs ~1 µs per list, and a molecule's lint
    makes several).
    """

    __slots__ = ("i", "j", "d", "shift", "cutoff")

    def __init__(self, i: np.ndarray, j: np.ndarray, d: np.ndarray, shift: np.ndarray, cutoff: float):
        self.i, self.j, self.d, self.shift, self.cutoff = i, j, d, shift, cutoff

    def __repr__(self) -> str:
        return f"Pairs({len(self.i)} pairs within {self.cutoff:g} Å)"

    def within(self, mask: np.ndarray) -> Pairs:
        if len(mask) <= SMALL_LIST:  # a molecule's pairs: list tests, no reductions
            if False not in mask.tolist():
                return self
        elif mask.all():  # e.g. every pair of a crystal is bonded: share the arrays (read-only use)
            return self
        return self.subset(mask.nonzero()[0])

    def subset(self, idx: np.ndarray) -> Pairs:
        """The pairs at positions ``idx`` (an int array)."""
        return Pairs(self.i[idx], self.j[idx], self.d[idx], self.shift.take(idx, axis=0), self.cutoff)

    def vectors(self, positions: np.ndarray, cell: np.ndarray) -> np.ndarray:
        return positions[self.j] - positions[self.i] + self.shift @ cell


def _normals(box: np.ndarray) -> np.ndarray:
    """``np.cross(box[[1, 2, 0]], box[[2, 0, 1]])`` (each row: the cross product of the other two
    cell vectors), with the same floating-point operations in plain Python: bitwise equal, and
    ~2 µs instead of np.cross's ~25 µs, paid by every periodic frame's search and its check."""
    (a0, a1, a2), (b0, b1, b2), (c0, c1, c2) = box.tolist()
    return np.array([[b1 * c2 - b2 * c1, b2 * c0 - b0 * c2, b0 * c1 - b1 * c0],
                     [c1 * a2 - c2 * a1, c2 * a0 - c0 * a2, c0 * a1 - c1 * a0],
                     [a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, a0 * b1 - a1 * b0]])


def _heights(box: np.ndarray) -> tuple[float, np.ndarray]:
    """(|volume|, the three face-to-face heights) of a 3 x 3 cell: volume / |normal| per face."""
    normals = _normals(box)
    vol = abs(float(box[0] @ normals[0]))
    return vol, vol / np.maximum(np.sqrt((normals * normals).sum(axis=1)), 1e-300)


def _plainly_usable(cell: np.ndarray) -> bool:
    """True when ``usable_box`` keeps the cell and the periodicity as given: every vector
    longer than 1e-6 Å (np.linalg.norm's sums of squares, in the same order) and a volume
    beyond its degeneracy bound by a margin no rounding of the determinant can cross (then
    LAPACK's determinant need not be computed: ~10 µs of a small crystal's search)."""
    (a0, a1, a2), (b0, b1, b2), (c0, c1, c2) = cell.tolist()
    la = math.sqrt(a0 * a0 + a1 * a1 + a2 * a2)
    lb = math.sqrt(b0 * b0 + b1 * b1 + b2 * b2)
    lc = math.sqrt(c0 * c0 + c1 * c1 + c2 * c2)
    if not (la > 1e-6 and lb > 1e-6 and lc > 1e-6):  # NaN too
        return False
    det = a0 * (b1 * c2 - b2 * c1) - a1 * (b0 * c2 - b2 * c0) + a2 * (b0 * c1 - b1 * c0)
    # the two determinants differ by a few ulp of la * lb * lc <= lmax**3 (Hadamard); 1e-3 of
    # the bound is ~1e-9 lmax**3, far beyond that
    return abs(det) > 1.001e-6 * max(la, lb, lc, 1e-12) ** 3


def usable_box(cell: np.ndarray, pbc: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(box, periodic) safe for the neighbour list.

    A periodic direction whose cell vector is zero or collinear with the others cannot
    be periodic (the degenerate-cell rule reports that); it is treated as open.
    """
    cell = np.asarray(cell, dtype=float)
    pbc = np.asarray(pbc, dtype=bool).copy()
    if not pbc.any():
        return np.zeros((3, 3)), pbc
    if cell.shape == (3, 3) and _plainly_usable(cell):
        return cell, pbc
    lengths = np.linalg.norm(cell, axis=1)
    pbc &= lengths > 1e-6
    if pbc.any() and abs(np.linalg.det(cell)) < 1e-6 * max(lengths.max(), 1e-12) ** 3:
        # try to complete open directions with orthogonal vectors; else give up periodicity
        box = cell.copy()
        for ax in np.flatnonzero(~pbc):
            others = [box[k] for k in range(3) if k != ax]
            n = np.cross(others[0], others[1])
            if np.linalg.norm(n) < 1e-9:
                n = np.eye(3)[ax]
            box[ax] = n / np.linalg.norm(n)
        if abs(np.linalg.det(box)) < 1e-9:
            return np.zeros((3, 3)), np.zeros(3, dtype=bool)
        return box, pbc
    return cell, pbc


# Beyond any atomistic structure (10 µm); within vesin's measured safe range for any cutoff >= 0.3 Å
COORD_LIMIT = 1e5
SPAN_LIMIT = 3e4  # largest span / cutoff given to vesin (it fails from ~1.5e5)
PAIR_FLOOR = 1e5  # estimated pairs below which any search is cheap enough to run
PAIRS_PER_ATOM_LIMIT = 1000  # estimated neighbours per atom: a dense solid has ~100 within 8 Å
HARD_FACTOR = 20  # half_pairs itself refuses only beyond 20 × that (rules may search wider)


class NeighborLimit(ValueError):
    """A neighbour search refused before native code: coordinates, cell or image count absurd."""


def search_problem(positions, cell, pbc, cutoff: float, per_atom_limit: float = PAIRS_PER_ATOM_LIMIT) -> str | None:
    """Why a neighbour search of this frame would crash or explode (one line), else None. O(n).

    Explode: with the atoms spread evenly over the periodic cell (or their bounding box),
    more than ``per_atom_limit`` neighbours per atom and more than PAIR_FLOOR pairs."""
    pos = np.asarray(positions, dtype=float)
    n = len(pos)
    if n == 0 or not cutoff > 0:
        return None
    pbc = np.asarray(pbc, dtype=bool)
    # pbc.any() without its Python wrappers (a molecule's every µs)
    periodic_any = True in pbc.tolist() if pbc.ndim == 1 else bool(pbc.any())
    if periodic_any and small_crystal_clear(pos, cell, pbc, cutoff, per_atom_limit, _LIMITS):
        return None
    if direct_pairs(n, pbc):  # all pairs directly: only the coordinates' size matters
        big = float(np.maximum.reduce(np.abs(pos), axis=None))  # np.abs(pos).max()
        return _coordinate_problem(pos) if not big <= COORD_LIMIT else None
    lo, hi = _bounds(pos)
    if not (-COORD_LIMIT <= lo.min() and hi.max() <= COORD_LIMIT):
        return _coordinate_problem(pos)
    span = hi - lo
    if not periodic_any:
        return _pair_estimate(n, np.maximum(span, 2 * cutoff), cutoff, "the atoms' bounding box", per_atom_limit)
    cell = np.asarray(cell, dtype=float)
    lengths = np.sqrt((cell * cell).sum(axis=1))
    if not np.isfinite(lengths).all():
        return "non-finite cell"
    if (lengths[pbc] > COORD_LIMIT).any():
        ax = int(np.flatnonzero(pbc)[lengths[pbc].argmax()])
        return f"periodic cell vector {'abc'[ax]} is {lengths[ax]:.6g} Å long (beyond {COORD_LIMIT:g} Å)"
    box, periodic = (cell, pbc) if (lengths > 1e-6).all() else usable_box(cell, pbc)
    if not periodic.any():
        return _pair_estimate(n, np.maximum(span, 2 * cutoff), cutoff, "the atoms' bounding box", per_atom_limit)
    vol, heights = _heights(box)
    if not vol > 1e-6 * max(float(lengths.max()), 1e-12) ** 3:
        box, periodic = usable_box(cell, pbc)
        if not periodic.any():
            return _pair_estimate(n, np.maximum(span, 2 * cutoff), cutoff, "the atoms' bounding box",
                                  per_atom_limit)
        vol, heights = _heights(box)
    extent = np.where(periodic, heights, max(float(span.max()), 2 * cutoff))
    return _pair_estimate(n, extent, cutoff, "the periodic cell", per_atom_limit)


def _bounds(pos: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(min, max) of each column of an (n, 3) array: ``pos.min(axis=0)``'s values, column by
    column (a reduction over rows of three runs ~25x slower: 26 ms per 1e6 atoms)."""
    if len(pos) < 4096:  # a molecule or small cell: one call each
        return pos.min(axis=0), pos.max(axis=0)
    return (np.array([pos[:, k].min() for k in range(pos.shape[1])]),
            np.array([pos[:, k].max() for k in range(pos.shape[1])]))


def _ptp(pos: np.ndarray) -> np.ndarray:
    """``np.ptp(pos, axis=0)``, column by column (see ``_bounds``)."""
    lo, hi = _bounds(pos)
    return hi - lo


def _coordinate_problem(pos: np.ndarray) -> str:
    a = np.abs(pos)
    if not np.isfinite(a).all():
        return "non-finite coordinates"
    k = int(a.max(axis=1).argmax())
    return f"atom {k} has a coordinate of {pos[k][a[k].argmax()]:.6g} Å (beyond ±{COORD_LIMIT:g} Å)"


def _pair_estimate(n: int, extent: np.ndarray, cutoff: float, what: str, per_atom_limit: float) -> str | None:
    """Pairs within ``cutoff`` if ``n`` atoms filled a box of these heights evenly."""
    vol = float(np.prod(extent))
    per_atom = (n / vol) * (4.0 / 3.0) * math.pi * cutoff ** 3 if vol > 0 else math.inf
    pairs = 0.5 * n * per_atom
    if pairs > PAIR_FLOOR and per_atom > per_atom_limit:
        size = " × ".join(f"{h:.3g}" for h in extent)
        return (f"{what} ({size} Å) is so small for {n} atoms that a {cutoff:.3g} Å neighbour search "
                f"would give ~{pairs:.2g} pairs ({per_atom:.2g} per atom)")
    return None


IMAGE_LIMIT = 2000  # periodic images per atom the fallback search takes (fcc primitive at 8 Å: ~700)
VESIN_MAX_CELLS = 1e5  # vesin 0.6 scales its cell grid down to about this many cells ...
_LIMITS = (COORD_LIMIT, SPAN_LIMIT, PAIR_FLOOR, VESIN_MAX_CELLS)  # for smallcell's checks


def _vesin_grid_ok(extent: np.ndarray, cutoff: float) -> bool:
    """... by one factor per direction; a direction whose scaled cell count rounds to zero divides
    by zero (SIGFPE: a 5 × 1000 × 1000 Å cell, a flat 500 Å sheet of 100 atoms). Measured model,
    with a margin of 2 cells: False where vesin must not be called."""
    cells = np.maximum(1.0, np.floor(np.asarray(extent, dtype=float) / cutoff))
    total = float(np.prod(cells))
    if total <= VESIN_MAX_CELLS:
        return True
    return bool((cells * (VESIN_MAX_CELLS / total) ** (1 / 3) >= 2.0).all())


def _mixed_ok(pos, heights, lengths, periodic, cutoff: float) -> bool:
    """Mixed periodicity (a slab): vesin's grid only for thick periodic directions and a small grid
    (its open directions follow no measured model; a 0.08 Å periodic direction beside a 1600 Å
    open one divides by zero)."""
    if (heights[periodic] < cutoff).any():
        return False
    extent = np.maximum(np.maximum(heights, lengths), _ptp(pos).max())
    return float(np.prod(np.maximum(1.0, np.floor(extent / cutoff)))) <= 1e4


def _ase_pairs(pos: np.ndarray, box: np.ndarray, periodic: np.ndarray, cutoff: float) -> Pairs:
    """A periodic frame whose shape vesin's grid cannot take: ASE's neighbour list (numpy, bins capped)."""
    from ase.neighborlist import primitive_neighbor_list

    _, heights = _heights(box)
    images = float(np.prod(np.where(periodic, 2 * np.ceil(cutoff / heights) + 1, 1)))
    if images > IMAGE_LIMIT:  # ASE loops over them in Python: minutes
        raise NeighborLimit(f"a periodic height of {heights[periodic].min():.3g} Å makes each atom meet "
                            f"{images:.3g} images of the cell within {cutoff:.3g} Å")
    i, j, d, s = primitive_neighbor_list("ijdS", periodic, box, pos, cutoff, self_interaction=False,
                                         max_nbins=VESIN_MAX_CELLS)
    s = s.astype(np.int64)
    # each pair once: i < j, or an atom and its own image with the first non-zero shift positive
    first = np.where(s[:, 0] != 0, s[:, 0], np.where(s[:, 1] != 0, s[:, 1], s[:, 2]))
    keep = (i < j) | ((i == j) & (first > 0))
    return Pairs(i[keep].astype(np.int64), j[keep].astype(np.int64), d[keep], s[keep], cutoff)


def _kdtree_pairs(pos: np.ndarray, cutoff: float) -> Pairs:
    """An open frame whose span vesin's grid cannot take: scipy's k-d tree (no grid)."""
    from scipy.spatial import cKDTree

    ij = cKDTree(pos).query_pairs(cutoff, output_type="ndarray")
    i, j = ij[:, 0].astype(np.int64), ij[:, 1].astype(np.int64)
    v = pos[j] - pos[i]
    d = np.sqrt((v * v).sum(axis=1))
    m = d < cutoff
    return Pairs(i[m], j[m], d[m], np.zeros((int(m.sum()), 3), dtype=np.int64), cutoff)


PARALLEL_ATOMS = 250_000  # frames from this size: vesin on its default threads
SMALL_LIST = 256  # arrays up to this length: Python's list tests beat numpy's reductions


def _all_pairs(pos: np.ndarray, cutoff: float) -> Pairs:
    """The pairs vesin returns for a small non-periodic frame (``smallpairs.all_pairs``)."""
    i, j, d = all_pairs(pos, cutoff)
    return Pairs(i, j, d, zero_shifts(len(i)), cutoff)


def half_pairs(positions: np.ndarray, cell: np.ndarray, pbc: np.ndarray, cutoff: float,
               checked: bool = False) -> Pairs:
    """All pairs closer than ``cutoff`` Å, each once; ``NeighborLimit`` for a frame whose search
    would crash or explode (``search_problem``). ``checked``: the caller's own ``search_problem``
    at this cutoff and a limit no looser found nothing (``Frame.pairs``), so it is not repeated."""
    n = len(positions)
    if n == 0 or not cutoff > 0:
        return Pairs(np.zeros(0, int), np.zeros(0, int), np.zeros(0), np.zeros((0, 3), int), cutoff)
    if direct_pairs(n, pbc):  # a molecule: no box to check
        return _all_pairs(np.asarray(positions, dtype=np.float64), float(cutoff))
    pos = np.ascontiguousarray(positions, dtype=np.float64)
    if small_crystal_clear(pos, cell, pbc, cutoff, HARD_FACTOR * PAIRS_PER_ATOM_LIMIT, _LIMITS):
        # a small crystal clear of every limit: the cell as the box, vesin on one thread (as below)
        i, j, s, d = _vesin_half_list(pos, np.asarray(cell, dtype=float), np.asarray(pbc, dtype=bool),
                                      float(cutoff), 1)
        return Pairs(i, j, d, s, cutoff)
    problem = None if checked else search_problem(positions, cell, pbc, cutoff, HARD_FACTOR * PAIRS_PER_ATOM_LIMIT)
    if problem:  # before native code
        raise NeighborLimit(problem)
    box, periodic = usable_box(cell, pbc)
    extent = _ptp(pos)
    span = float(extent.max()) if n else 0.0
    if not periodic.any():
        if n <= SMALL_OPEN:
            return _all_pairs(pos, float(cutoff))
        if span > SPAN_LIMIT * cutoff or not _vesin_grid_ok(extent, cutoff):
            return _kdtree_pairs(pos, float(cutoff))  # vesin's grid would fail: a k-d tree has no grid
        box = np.zeros((3, 3))
    elif max(span, float(np.linalg.norm(box, axis=1).max())) > SPAN_LIMIT * cutoff:
        raise NeighborLimit(f"a span of {max(span, float(np.linalg.norm(box, axis=1).max())):.3g} Å is beyond "
                            f"{SPAN_LIMIT:g} × the {cutoff:.3g} Å neighbour-search cutoff")
    else:
        _, heights = _heights(box)
        lengths = np.sqrt((box * box).sum(axis=1))
        if not (_vesin_grid_ok(heights, cutoff) and _vesin_grid_ok(lengths, cutoff)) or \
                (not periodic.all() and not _mixed_ok(pos, heights, lengths, periodic, cutoff)):
            return _ase_pairs(pos, box, periodic, float(cutoff))
    # vesin's OpenMP threads (OMP_NUM_THREADS, else every core) pay off only for big frames;
    # below that, starting them costs more wall time than they save (and a core's worth of
    # spinning), and --jobs/Dask workers are parallel already
    i, j, s, d = _vesin_half_list(pos, box, periodic, float(cutoff), 0 if n >= PARALLEL_ATOMS else 1)
    return Pairs(i, j, d, s, cutoff)


def contacts_of(positions: np.ndarray, cell: np.ndarray, pbc: np.ndarray, atoms: np.ndarray,
                radii: np.ndarray, factor: float, reach: float) -> np.ndarray | None:
    """Per atom ``a`` of ``atoms``: is another atom ``b`` (any periodic image) closer than
    ``factor * (radii[a] + radii[b])`` (each at most ``reach``)? For a handful of atoms in a
    big frame, where a neighbour list of every atom costs ~1-2 s per million atoms.

    Per atom: a pass over one coordinate keeps the atoms within ``reach`` along it (the
    first fractional coordinate within reach / height with a cell, as |s0| <= |r| / h0;
    else x), then their distances by the nearest image (pos_b - pos_a + n @ cell, n the
    rounded fractional difference in periodic directions): exact when ``reach`` is below
    half of every periodic cell height, as an image that close has every fractional
    component within (-1/2, 1/2) and is the one rounding finds. None where it is not (or
    the cell is singular): the caller searches pairs."""
    per = np.asarray(pbc, bool)
    box = np.asarray(cell, float)
    vol, heights = _heights(box)
    if per.any() or vol:
        if not vol > 1e-6 * float(np.sqrt((box * box).sum(axis=1)).max()) ** 3:
            return None  # a degenerate cell: the pair search (usable_box) decides
        if per.any() and reach >= 0.5 * float(heights[per].min()):
            return None
        frac = positions @ np.linalg.inv(box)
        key, span = frac[:, 0], reach / float(heights[0])
    else:
        frac = None
        key, span = positions[:, 0], reach
    span = span * (1 + 1e-9) + 1e-12  # a filter only: never narrower than the exact test
    wrap0 = bool(per[0])
    out = np.zeros(len(atoms), bool)
    for k, a in enumerate(np.asarray(atoms).tolist()):
        dk = key - key[a]
        if wrap0:
            dk -= np.round(dk)
        idx = np.flatnonzero(np.abs(dk) < span)
        d = positions[idx] - positions[a]
        if per.any():
            n = np.zeros((len(idx), 3))
            df = frac[idx] - frac[a]
            n[:, per] = -np.round(df[:, per])
            d = d + n @ box
        r = np.sqrt(np.einsum("ij,ij->i", d, d))
        close = (r < factor * (radii[a] + radii[idx])) & (idx != a)
        out[k] = bool(close.any())
    return out
