"""One structure being linted: arrays, pair thresholds and one shared neighbour list."""

from __future__ import annotations

import math
import numpy as np

from ..neighbors import COORD_LIMIT, SMALL_LIST, Pairs, direct_pairs, half_pairs, search_problem


class cached_property:  # noqa: N801 - functools' name, its behaviour for one thread
    """``functools.cached_property`` without its lock (Python 3.11 takes an RLock on every
    first access: ~1 µs, and a frame computes about ten of them); a frame is linted by one
    thread."""

    def __init__(self, func):
        self.func = func
        self.attrname = func.__name__
        self.__doc__ = func.__doc__

    def __get__(self, obj, cls=None):
        if obj is None:
            return self
        value = obj.__dict__[self.attrname] = self.func(obj)
        return value

def _table_max(table: np.ndarray, species: np.ndarray) -> float:
    if not len(species):
        return -math.inf
    if table.shape == (119, 119):
        return float(table[np.ix_(species, species)].max())
    return float(table.max())


class Frame:
    """One structure being linted: arrays, thresholds and one shared neighbour list."""

    def __init__(self, atoms, config):
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
    def direct(self) -> bool:
        """A small non-periodic frame, whose pairs are all tested directly (``neighbors.direct_pairs``)."""
        return direct_pairs(len(self.numbers), self.pbc)

    @cached_property
    def _max_abs(self) -> float:
        """The largest |coordinate| (NaN when one is NaN): a small frame's finiteness and bounds."""
        return float(np.maximum.reduce(np.abs(self.positions), None))

    @cached_property
    def finite(self) -> bool:
        # a sum of finite numbers is finite unless it overflows (then look element by element);
        # a small frame's largest |coordinate| is finite exactly when they all are (and its
        # search check reads it too); its cell summed in Python (no reduction call)
        if self.direct:
            ok = math.isfinite(self._max_abs) and math.isfinite(sum(self.cell.ravel().tolist()))
        else:
            add = np.add.reduce  # ndarray.sum()'s reduction without its two Python wrappers
            ok = math.isfinite(add(self.positions, None)) and math.isfinite(add(self.cell, None))
        return ok or bool(np.isfinite(self.positions).all() and np.isfinite(self.cell).all())

    @cached_property
    def search_problem(self) -> str | None:
        """Why a neighbour search at ``cutoff`` would crash or explode (``neighbors.search_problem``,
        absurd-coordinates' verdict), computed once per frame; None when fine or not finite."""
        if not (self.finite and len(self)):
            return None
        if self.direct and self._max_abs <= COORD_LIMIT:  # search_problem's own test for such a frame
            return None
        return search_problem(self.positions, self.cell, self.pbc, self.cutoff)

    @cached_property
    def pairs(self):
        """Every pair within the largest distance any geometry rule needs."""
        if not self.finite:
            z = np.zeros(0, int)
            return Pairs(z, z, np.zeros(0), np.zeros((0, 3), int), 0.0)
        # the frame's own check (stricter than half_pairs') passed: half_pairs need not repeat it
        return half_pairs(self.positions, self.cell, self.pbc, self.cutoff, checked=self.search_problem is None)

    def pairs_up_to(self, cutoff: float) -> Pairs:
        """Pairs within ``cutoff`` Å, for the rules that look beyond ``pairs`` in unbonded
        structures (expanded-cell's and suspect-units' nearest-neighbour ratios): one wider
        search per frame, which a later request it covers reuses (filtered), so those rules
        share one neighbour list instead of each running its own."""
        wide = self.__dict__.get("_wide_pairs")
        if wide is None or wide.cutoff < cutoff:
            wide = self.__dict__["_wide_pairs"] = half_pairs(self.positions, self.cell, self.pbc, cutoff)
        if wide.cutoff == cutoff:
            return wide
        m = wide.d < cutoff
        return Pairs(wide.i[m], wide.j[m], wide.d[m], wide.shift[m], cutoff)

    @cached_property
    def species_key(self) -> tuple:
        """The atomic numbers present, sorted, as a tuple of ints (a memo key; no numpy call
        for a molecule)."""
        z = self.numbers
        if len(z) <= 256:
            return tuple(sorted(set(z.tolist())))
        return tuple(self.species.tolist())

    @cached_property
    def species(self) -> np.ndarray:
        """The atomic numbers present, sorted."""
        z = self.numbers
        if len(z) <= 256:  # np.unique's overhead dominates for a molecule
            return np.array(self.species_key, dtype=z.dtype)
        if z.dtype.kind in "iu" and 0 <= z.min() and z.max() < 1024:  # O(n), no sort
            return np.flatnonzero(np.bincount(z)).astype(z.dtype)
        return np.unique(z)

    def per_species(self, name: str, compute):
        """``compute(frame)``, a value that depends only on the species present and the
        thresholds (the cutoff, a table's largest entry), computed once per run and species set."""
        key = ("species", id(self.t), self.species_key)
        memo = self.config.cache
        got = memo.get(key)
        if got is None:
            got = memo[key] = (self.t, {})  # holds t: its id stays unique
        values = got[1]
        if name not in values:
            values[name] = compute(self)
        return values[name]

    @cached_property
    def cutoff(self) -> float:
        """Largest distance any geometry rule needs for these species (memoised per run, kept
        on the frame: read by the neighbour search, its check and several rules)."""
        return self.per_species("cutoff", lambda f: f.t.cutoff(f.species))

    def species_max(self, name: str) -> float:
        """The largest ``name`` threshold (overlap, close_contact, bonded) between any two species
        present: no pair closer than ``min_distance`` can be below it when it is no larger."""
        return self.per_species("max_" + name, lambda f: _table_max(getattr(f.t, name), f.species))

    @cached_property
    def min_distance(self) -> float:
        """The shortest distance of ``pairs`` (inf when there is none)."""
        d = self.pairs.d
        if len(d) <= SMALL_LIST:
            return min(d.tolist(), default=math.inf)
        return float(np.minimum.reduce(d)) if len(d) else math.inf

    @cached_property
    def _pair_z(self):
        p = self.pairs
        return self.numbers[p.i], self.numbers[p.j]

    def pair_numbers(self, pairs=None):
        if pairs is None:
            return self._pair_z
        return self.numbers[pairs.i], self.numbers[pairs.j]

    @cached_property
    def pair_key(self) -> np.ndarray:
        """Zi * 119 + Zj of every pair of ``pairs`` (an index into a flattened 119 x 119 table)."""
        zi, zj = self._pair_z
        return zi * 119 + zj

    def pair_threshold(self, name: str) -> np.ndarray:
        """The ``name`` threshold (close_contact, overlap, bonded) of every pair of ``pairs``."""
        memo = self.__dict__.setdefault("_pair_thr", {})
        if name not in memo:
            table = getattr(self.t, name)
            memo[name] = table.reshape(-1)[self.pair_key] if table.shape == (119, 119) \
                else table[self._pair_z]
        return memo[name]

    @cached_property
    def close_free(self) -> bool:
        """No pair of ``pairs`` is closer than its close-contact threshold (overlaps included)."""
        if self.min_distance >= self.species_max("close_contact"):  # no per-pair look-up needed
            return True
        below = self.pairs.d < self.pair_threshold("close_contact")
        return True not in below.tolist() if len(below) <= SMALL_LIST else not below.any()

    @cached_property
    def bonded_pairs(self):
        """Pairs closer than the bonded threshold but not overlapping (one site)."""
        p = self.pairs
        bonded = p.d < self.pair_threshold("bonded")
        if self.min_distance < self.species_max("overlap"):  # else no pair overlaps
            bonded &= p.d >= self.pair_threshold("overlap")
        return p.within(bonded)

    @cached_property
    def bond_vectors(self) -> np.ndarray:
        """Vector from i to j of every bonded pair (bond-angle's two passes share it)."""
        return self.bonded_pairs.vectors(self.positions, self.cell)

    @cached_property
    def coordination(self) -> np.ndarray:
        b = self.bonded_pairs
        n = len(self)
        return np.bincount(b.i, minlength=n) + np.bincount(b.j, minlength=n)

    @cached_property
    def lone_count(self) -> int:
        """How many atoms have no bonded neighbour."""
        coord = self.coordination  # a molecule: no numpy call; a crystal: no list of a million ints
        return coord.tolist().count(0) if len(coord) <= 4096 else int(np.count_nonzero(coord == 0))

    @cached_property
    def volume(self) -> float:
        """|det(cell)| as np.linalg.det gives it, once per frame (the cell rules' common test)."""
        return abs(float(np.linalg.det(self.cell)))
