"""suspect-units (family ``geometry``): coordinates in Bohr read as Å, Å converted as if Bohr, or
fractional coordinates written as Cartesian, judged from nearest-neighbour distances."""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
from ase.data import covalent_radii

from ..chemistry import NOBLE as _NOBLE
from ..frame import Frame
from ..rule import Hit, rule
from .geometry import _coordination_lists


@lru_cache(maxsize=1)
def _radii_sum_flat() -> np.ndarray:
    """r_i + r_j (ASE's covalent radii) at Zi * 119 + Zj (Frame.pair_key)."""
    r = np.asarray(covalent_radii)[:119]
    return (r[:, None] + r[None, :]).reshape(-1)


def _ratio_bounds(frame: Frame) -> tuple[float, float]:
    """(smallest close-contact threshold, largest bonded threshold) between the species present,
    each as a ratio to the radii sum, as suspect-units divides."""
    s = frame.species
    r = np.asarray(covalent_radii)[s]
    rsum = r[:, None] + r[None, :]
    sub = np.ix_(s, s)
    return float((frame.t.close_contact[sub] / rsum).min()), float((frame.t.bonded[sub] / rsum).max())


def _ratios_plain(frame: Frame) -> bool:
    """True when no pair is below its close-contact threshold, every such threshold is above
    0.65 × the radii sum and every bonded threshold below 1.45 ×: then each bonded atom's
    nearest-neighbour ratio lies in (0.65, 1.45), and so does any median of such ratios."""
    lo, hi = frame.per_species("units_ratio_bounds", _ratio_bounds)
    return lo > 0.65 and hi < 1.45 and frame.close_free


def _mostly_bonded(frame: Frame, min_atoms: int) -> bool:
    """With ``_ratios_plain``: the bonded atoms other than noble gases (each with its
    nearest-neighbour ratio in (0.65, 1.45)) are more than half of all such atoms and at
    least ``min_atoms`` (so the noble-gas fallback below cannot apply): the median of the
    ratios is then in (0.65, 1.6), whatever the lone atoms' ratios, and no finding follows
    (the no-bond molecule case needs no bond at all). A network with a few lone atoms
    (an amorphous solid, a surface with adatoms) is decided without its ratios."""
    keep = ~_NOBLE[frame.numbers]
    bonded = int(np.count_nonzero(frame.coordination[keep] > 0))
    return bonded >= max(min_atoms, int(np.count_nonzero(keep)) // 2 + 1)


BOHR = 0.529177
_NOBLE_L = _NOBLE.tolist()


def _median(x: np.ndarray) -> float:
    """``float(np.median(x))`` for a 1-D finite array, without its per-call overhead."""
    k = len(x)
    h = k // 2
    if k % 2:
        return float(np.partition(x, h)[h])
    part = np.partition(x, (h - 1, h))
    return float((part[h - 1] + part[h]) / 2)


def _median_ruled_out(i: np.ndarray, j: np.ndarray, ratio: np.ndarray, keep: np.ndarray, n: int) -> bool:
    """True when the median of the per-atom nearest-neighbour ratios (each atom's minimum
    over its pairs, atoms in ``keep`` with any pair) can be neither >= 1.6 nor <= 0.65,
    decided from counts of atoms with a pair below each bound (a boolean scatter) instead
    of the per-atom minimum (``np.minimum.at``: ~0.4 s per million atoms). Exact: with k
    values and h = k // 2, the median is below 1.6 once h + 1 values are, and above 0.65
    while fewer than h (k even) or h + 1 (k odd) values are at or below it."""
    def atoms_with(mask) -> int:
        hit = np.zeros(n, dtype=bool)
        hit[i[mask]] = True
        hit[j[mask]] = True
        return int(np.count_nonzero(hit & keep))

    k = atoms_with(slice(None))
    h = k // 2
    return atoms_with(ratio < 1.6) >= h + 1 and atoms_with(ratio <= 0.65) < (h + 1 if k % 2 else h)


@rule("SC106", "suspect-units", "geometry", "error",
      "Distances look like Bohr read as Å, Å read as Bohr, or fractional coordinates as Cartesian.")
def suspect_units(frame: Frame, min_atoms: int = 3, fraction: float = 0.6):
    """Coordinates in the wrong unit or the wrong basis.

    What it does: looks at the nearest-neighbour distance of every atom relative to the
    covalent radii sum (ratio ~1 in real matter). If most atoms (default 60 %) sit at
    ~1.9× (Bohr coordinates read as Å) or ~0.53× (Å converted as if Bohr), or all
    coordinates lie in [0, 1] with a cell of several Å (fractional coordinates written as
    Cartesian), it says which mistake is likely. A molecule with a non-metal (not only H)
    and not one bond, its nearest neighbours at 1.45–2.8× the sum, is in Bohr too (WF6,
    Cr(CO)6, MnO4-: their short bonds end at ~1.5× the sum). Noble-gas-only systems are skipped.

    Why it matters: every other distance rule then fires for the wrong reason, and a
    relaxation would crush or explode the structure.

    Example: a water molecule written in Bohr (O–H 1.81) read as Å.

    Fix: convert the coordinates (× 0.529177 for Bohr→Å), or read the file with the
    right unit / as fractional (`Atoms.set_scaled_positions`).
    """
    n = len(frame)
    if True in frame.pbc.tolist():
        from ..cellscale import expansion

        e = expansion(frame)
        if e is not None and e[2] == "bohr":  # the alternative reading of a x2 cell (a warning)
            yield Hit(tuple(range(n)), f"or Bohr read as Å (nearest neighbours at {e[1]:.2f}× their expected "
                      "distance; the estimate cannot tell Bohr's ×1.89 from ×2 here)", round(e[1], 4), 1.6, "ratio",
                      {"alternative": True})
            return
        if e is not None and e[0] != "bohr":
            return  # an expanded or scaled cell: expanded-cell / scaled-cell say so
        if e is not None:  # a crystal of any size, judged against its expected distances
            alt = " (or a cell scaled by 2: the estimate cannot tell them apart here)" if e[2] else ""
            yield Hit(tuple(range(n)), f"nearest neighbours at {e[1]:.2f}× their expected distance "
                      f"(1/{BOHR} = 1.89 for Bohr): the cell and coordinates are in Bohr, read as Å? "
                      f"multiply by {BOHR}{alt}", round(e[1], 4), 1.6, "ratio")
            return
    if n < min_atoms:
        return
    if all(_NOBLE_L[s] for s in frame.species_key):
        return
    z = frame.numbers
    pos = frame.positions
    # fractional coordinates written as Cartesian (a zero cell, as in any xyz molecule, can't be)
    cell_len = np.linalg.norm(frame.cell, axis=1) if any(frame.cell.ravel().tolist()) else None
    if cell_len is not None and (cell_len > 2.5).all() and pos.min() >= -0.05 and pos.max() <= 1.05:
        p = frame.pairs
        close = np.zeros(n, bool)
        m = p.d < frame.pair_threshold("close_contact")
        close[p.i[m]] = close[p.j[m]] = True
        if close.mean() >= fraction:
            yield Hit(tuple(range(n)), "all coordinates lie in [0, 1] Å inside a cell of "
                      f"{cell_len.min():.2f}–{cell_len.max():.2f} Å: fractional coordinates "
                      "written as Cartesian?", float(pos.max()), 1.0, "Å")
            return
    if _ratios_plain(frame) and (frame.lone_count == 0 or _mostly_bonded(frame, min_atoms)):
        return  # most atoms bonded, none in close contact: the median ratio lies in (0.65, 1.45)
    noble = _NOBLE[z]
    # nearest-neighbour ratio d / (r_i + r_j) for every atom, up to 2.6x the radii sum
    r = np.asarray(covalent_radii)
    p = frame.pairs
    # count / n is exactly what (coord == 0).mean() computes
    coord = frame.coordination
    if frame.lone_count / n >= fraction:
        p = frame.pairs_up_to(2.6 * 2 * r[frame.species].max())
        ratio = p.d / (r[z[p.i]] + r[z[p.j]])
    else:
        ratio = p.d / _radii_sum_flat()[frame.pair_key]  # the same sums, one lookup
    if len(ratio) <= 256:  # a molecule: plain Python beats numpy's per-call overhead
        nnl = [math.inf] * n
        for a, b, v in zip(p.i.tolist(), p.j.tolist(), ratio.tolist()):
            if v < nnl[a]:
                nnl[a] = v
            if v < nnl[b]:
                nnl[b] = v
        vals = sorted(v for v, g in zip(nnl, noble.tolist()) if not g and math.isfinite(v))
        if len(vals) < min_atoms:  # XeF2, KrF2: the noble-gas centre counts too
            vals = sorted(v for v in nnl if math.isfinite(v))
        k = len(vals)
        if k < min_atoms:
            return
        h = k // 2
        med = float(vals[h]) if k % 2 else float((vals[h - 1] + vals[h]) / 2)
        n_big = sum(v > 1.5 for v in vals)
        n_small = sum(v < 0.7 for v in vals)
        big_frac, small_frac = n_big / k, n_small / k
    else:
        if _median_ruled_out(p.i, p.j, ratio, ~noble, n):
            return
        nn = np.full(n, np.inf)
        np.minimum.at(nn, p.i, ratio)
        np.minimum.at(nn, p.j, ratio)
        nn = nn[~noble & np.isfinite(nn)]
        if len(nn) < min_atoms:
            return
        med = _median(nn)
        big_frac = small_frac = None
    bohr = BOHR
    if 1.6 <= med <= 2.3 and (big_frac if big_frac is not None else (nn > 1.5).mean()) >= fraction:
        yield Hit(tuple(range(n)), f"nearest-neighbour distances are {med:.2f}× the covalent radii "
                  f"sum (~1/{bohr} = 1.89 expected for Bohr): Bohr coordinates read as Å? "
                  f"multiply by {bohr}", round(med, 4), 1.6, "ratio")
    elif 0.4 <= med <= 0.65 and (small_frac if small_frac is not None else (nn < 0.7).mean()) >= fraction:
        yield Hit(tuple(range(n)), f"nearest-neighbour distances are {med:.2f}× the covalent radii "
                  f"sum (~{bohr} expected): Å coordinates converted as if they were Bohr? "
                  f"divide by {bohr}", round(med, 4), 0.65, "ratio")
    elif big_frac is not None and 1.45 <= med <= 2.8 and not coord.any() and True not in frame.pbc.tolist() \
            and any(a > 1 and _coordination_lists()[3][a] for a in z.tolist()):
        # not one bond in a molecule with a non-metal other than H: metal-ligand and multiple
        # bonds are far shorter than the radii sum (W-F 0.84, C-O 0.81, U-F 0.79), so x1.89
        # leaves them at 1.49-1.63 (WF6, UF6, Cr(CO)6, MnO4- in Bohr); a real molecule has
        # bonds (H3+, 1.41 x with H-H 0.874 Å, has none perceived: only H, not judged)
        yield Hit(tuple(range(n)), f"no two atoms bonded and nearest-neighbour distances {med:.2f}× the "
                  f"covalent radii sum: Bohr coordinates read as Å? multiply by {bohr}", round(med, 4), 1.45,
                  "ratio")
