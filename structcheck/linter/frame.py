"""One structure being linted: arrays, pair thresholds and one shared neighbour list."""

from __future__ import annotations

import math
import numpy as np

from ..neighbors import Pairs, half_pairs, search_problem


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
    def finite(self) -> bool:
        # a sum of finite numbers is finite unless it overflows (then look element by element)
        add = np.add.reduce  # ndarray.sum()'s reduction without its two Python wrappers
        if math.isfinite(add(self.positions, None)) and math.isfinite(add(self.cell, None)):
            return True
        return bool(np.isfinite(self.positions).all() and np.isfinite(self.cell).all())

    @cached_property
    def search_problem(self) -> str | None:
        """Why a neighbour search at ``cutoff`` would crash or explode (``neighbors.search_problem``,
        absurd-coordinates' verdict), computed once per frame; None when fine or not finite."""
        return search_problem(self.positions, self.cell, self.pbc, self.cutoff) if self.finite and len(self) else None

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
    def species(self) -> np.ndarray:
        """The atomic numbers present, sorted."""
        z = self.numbers
        if len(z) <= 256:  # np.unique's overhead dominates for a molecule
            return np.array(sorted(set(z.tolist())), dtype=z.dtype)
        if z.dtype.kind in "iu" and 0 <= z.min() and z.max() < 1024:  # O(n), no sort
            return np.flatnonzero(np.bincount(z)).astype(z.dtype)
        return np.unique(z)

    @cached_property
    def cutoff(self) -> float:
        """Largest distance any geometry rule needs for these species (memoised per run, kept
        on the frame: read by the neighbour search, its check and several rules)."""
        key = ("cutoff", id(self.t), self.species.tobytes())
        memo = self.config.cache
        if key not in memo:
            memo[key] = (self.t, self.t.cutoff(self.species))  # holds t: its id stays unique
        return memo[key][1]

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
    def bonded_pairs(self):
        """Pairs closer than the bonded threshold but not overlapping (one site)."""
        p = self.pairs
        return p.within((p.d < self.pair_threshold("bonded")) & (p.d >= self.pair_threshold("overlap")))

    @cached_property
    def bond_vectors(self) -> np.ndarray:
        """Vector from i to j of every bonded pair (bond-angle's two passes share it)."""
        return self.bonded_pairs.vectors(self.positions, self.cell)

    @cached_property
    def coordination(self) -> np.ndarray:
        b = self.bonded_pairs
        n = len(self)
        return np.bincount(b.i, minlength=n) + np.bincount(b.j, minlength=n)
