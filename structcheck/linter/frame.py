"""One structure being linted: arrays, pair thresholds and one shared neighbour list."""

from __future__ import annotations

import math
import numpy as np

from ..neighbors import COORD_LIMIT, Pairs, half_pairs, search_problem
from ..smallpairs import all_d2, closer_than, direct_pairs, python_pair_lists, python_sized, zero_shifts


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


PYTHON_LOOKUPS = 64  # pairs up to which per-pair threshold look-ups run in plain Python


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
        """A small non-periodic frame, whose pairs are all tested directly (``smallpairs.direct_pairs``)."""
        return direct_pairs(len(self.numbers), self.pbc)

    @cached_property
    def _within_limit(self) -> bool:
        """Every coordinate within ±COORD_LIMIT, so finite (NaN fails every comparison): a small
        frame's finiteness and its search check in one pass of plain Python (numpy reductions on
        a molecule cost more)."""
        lim = COORD_LIMIT
        for row in self.positions.tolist():
            for x in row:
                if not -lim <= x <= lim:
                    return False
        return True

    @cached_property
    def finite(self) -> bool:
        if self.direct and self._within_limit and math.isfinite(sum(self.cell.ravel().tolist())):
            return True
        # a sum of finite numbers is finite unless it overflows (then look element by element)
        add = np.add.reduce  # ndarray.sum()'s reduction without its two Python wrappers
        if math.isfinite(add(self.positions, None)) and math.isfinite(add(self.cell, None)):
            return True
        return bool(np.isfinite(self.positions).all() and np.isfinite(self.cell).all())

    @cached_property
    def search_problem(self) -> str | None:
        """Why a neighbour search at ``cutoff`` would crash or explode (``neighbors.search_problem``,
        absurd-coordinates' verdict), computed once per frame; None when fine or not finite."""
        if not (self.finite and len(self.numbers)):
            return None
        if self.direct and self._within_limit:  # search_problem's own test for such a frame
            return None
        return search_problem(self.positions, self.cell, self.pbc, self.cutoff)

    @cached_property
    def pairs(self):
        """Every pair within the largest distance any geometry rule needs."""
        if not self.finite:
            z = np.zeros(0, int)
            return Pairs(z, z, np.zeros(0), np.zeros((0, 3), int), 0.0)
        cutoff = self.cutoff
        if self.direct and cutoff > 0 and python_sized(len(self.numbers)) and self._within_limit:
            # half_pairs' molecule path (smallpairs), keeping the lists the per-pair look-ups read
            i, j, d = python_pair_lists(np.asarray(self.positions, dtype=np.float64), float(cutoff))
            self.__dict__["pair_lists"] = (i, j, d, self.numbers.tolist())
            return Pairs(np.array(i, dtype=np.int64), np.array(j, dtype=np.int64),
                         np.array(d, dtype=np.float64), zero_shifts(len(i)), cutoff)
        if self.direct and cutoff > 0 and not python_sized(len(self.numbers)):
            return self._direct_pairs(cutoff)
        # the frame's own check (stricter than half_pairs') passed: half_pairs need not repeat it
        return half_pairs(self.positions, self.cell, self.pbc, self.cutoff, checked=self.search_problem is None)

    @cached_property
    def _all_d2(self) -> tuple:
        """``smallpairs.all_d2`` of a direct frame, kept: each cutoff asked for is one filter."""
        return all_d2(np.asarray(self.positions, dtype=np.float64))

    def _direct_pairs(self, cutoff: float) -> Pairs:
        """``half_pairs`` of a direct frame (more than PYTHON_PAIRS atoms): ``all_pairs``' result."""
        cutoff = float(cutoff)
        i, j, d = closer_than(*self._all_d2, cutoff)
        return Pairs(i, j, d, zero_shifts(len(i)), cutoff)

    def pairs_up_to(self, cutoff: float) -> Pairs:
        """Pairs within ``cutoff`` Å, for the rules that look beyond ``pairs`` in unbonded
        structures (expanded-cell's and suspect-units' nearest-neighbour ratios, vdw-contact):
        one wider search per frame, which a later request it covers reuses (filtered), so those
        rules share one neighbour list instead of each running its own."""
        if self.direct and cutoff > 0 and not python_sized(len(self.numbers)):
            return self._direct_pairs(cutoff)
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
        values = self._species_values
        if name not in values:
            values[name] = compute(self)
        return values[name]

    @cached_property
    def _species_values(self) -> dict:
        key = ("species", id(self.t), self.species_key)
        memo = self.config.cache
        got = memo.get(key)
        if got is None:
            got = memo[key] = (self.t, {})  # holds t: its id stays unique
        return got[1]

    @cached_property
    def cutoff(self) -> float:
        """Largest distance any geometry rule needs for these species (memoised per run, kept
        on the frame: read by the neighbour search, its check and several rules)."""
        return self.per_species("cutoff", lambda f: f.t.cutoff(f.species))

    def species_max(self, name: str) -> float:
        """The largest ``name`` threshold (overlap, close_contact, bonded) between any two species
        present: no pair closer than ``min_distance`` can be below it when it is no larger."""
        values = self._species_values  # per_species' memo, without a closure per call
        key = "max_" + name
        got = values.get(key)
        if got is None:
            got = values[key] = _table_max(getattr(self.t, name), self.species)
        return got

    @cached_property
    def min_distance(self) -> float:
        """The shortest distance of ``pairs`` (inf when there is none)."""
        d = self.pairs.d
        if len(d) <= PYTHON_LOOKUPS:
            return min(self.pair_lists[2], default=math.inf)
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
            key = self.species_key
            if len(key) == 1 and table.shape == (119, 119) and 0 <= key[0] < 119:
                # one species (amorphous Si, a metal): every pair has the same entry, no gathers
                memo[name] = np.full(len(self.pairs.d), table[key[0], key[0]], dtype=table.dtype)
            else:
                memo[name] = table.reshape(-1)[self.pair_key] if table.shape == (119, 119) \
                    else table[self._pair_z]
        return memo[name]

    @cached_property
    def close_free(self) -> bool:
        """No pair of ``pairs`` is closer than its close-contact threshold (overlaps included)."""
        if self.min_distance >= self.species_max("close_contact"):  # no per-pair look-up needed
            return True
        if len(self.pairs.d) <= PYTHON_LOOKUPS:
            return not self.pairs_below("close_contact")
        return not (self.pairs.d < self.pair_threshold("close_contact")).any()

    @cached_property
    def bonded_pairs(self):
        """Pairs closer than the bonded threshold but not overlapping (one site)."""
        p = self.pairs
        overlaps = self.min_distance < self.species_max("overlap")  # else no pair overlaps
        if len(p.d) <= PYTHON_LOOKUPS:  # a molecule: the same comparisons, per pair in plain Python
            keep = self.pairs_below("bonded")
            if overlaps:
                over = set(self.pairs_below("overlap"))
                keep = [k for k in keep if k not in over]
            if len(keep) == len(p.d):
                return p
            idx = np.array(keep, dtype=np.int64)
            if self.direct:  # a molecule's pairs: no cell shift
                return Pairs(p.i[idx], p.j[idx], p.d[idx], zero_shifts(len(keep)), p.cutoff)
            return p.subset(idx)
        bonded = p.d < self.pair_threshold("bonded")
        if overlaps:
            bonded &= p.d >= self.pair_threshold("overlap")
        return p.within(bonded)

    @cached_property
    def pair_lists(self) -> tuple[list, list, list, list]:
        """(i, j, d, Z per atom) of ``pairs`` as lists, for per-pair work in plain Python on a
        molecule (up to PYTHON_LOOKUPS pairs)."""
        p = self.pairs
        return p.i.tolist(), p.j.tolist(), p.d.tolist(), self.numbers.tolist()

    def pairs_below(self, name: str) -> list[int]:
        """Positions in ``pairs`` (up to PYTHON_LOOKUPS of them) of the pairs closer than their
        ``name`` threshold (overlap, close_contact, bonded): ``pair_threshold``'s comparison per
        pair in plain Python."""
        table = self.table_list(name)
        if table is None:  # not indexed by [Zi][Zj]
            return (self.pairs.d < self.pair_threshold(name)).nonzero()[0].tolist()
        il, jl, dl, z = self.pair_lists
        return [k for k, (a, b, d) in enumerate(zip(il, jl, dl)) if d < table[z[a]][z[b]]]

    def table_list(self, name: str) -> list | None:
        """The ``name`` threshold table (overlap, close_contact, bonded) as nested lists (``[Zi][Zj]``),
        once per run (None for a table of another shape)."""
        key = ("table_list", id(self.t), name)
        memo = self.config.cache
        if key not in memo:
            table = getattr(self.t, name)
            rows = table.tolist() if table.ndim == 2 else None
            memo[key] = (self.t, rows)  # holds t: its id stays unique
        return memo[key][1]

    @cached_property
    def bond_vectors(self) -> np.ndarray:
        """Vector from i to j of every bonded pair (bond-angle's two passes share it)."""
        return self.bonded_pairs.vectors(self.positions, self.cell)

    @cached_property
    def coordination(self) -> np.ndarray:
        b = self.bonded_pairs
        n = len(self.numbers)
        if len(b.i) <= PYTHON_LOOKUPS:  # a molecule: one count of both ends (the same counts)
            return np.bincount(np.concatenate((b.i, b.j)), minlength=n)
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
