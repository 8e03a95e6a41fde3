"""The intended bond graph of a broken start, and the distance bounds that make it lint clean.

Every threshold is the linter's own: ``close_contact``, ``overlap`` and ``bonded`` of the
config's :class:`~structcheck.tables.PairThresholds` (rules/pair_distances.toml) and the
neighbour limits of rules/coordination.toml (``tables.coordination_table``), which is what
``over-coordinated`` (SC105) counts against: non-metal partners below the bonded distance.

Perception: an atom the linter flags as over-coordinated keeps its nearest partners (by
d / (r_i + r_j), ties by index; a pair held by FixAtoms on both sides first, then a partner's
only bond, so that no atom is cut loose) up to its limit;
the rest of its counted pairs are *rejected*. Bounds per pair of the neighbour list:

- every pair: d ≥ (1 + margin) × close_contact (no contact, no overlap);
- a rejected pair: d ≥ (1 + margin) × bonded (it leaves the bonding shell);
- a pair not bonded now that would count for an atom already at its limit: it stays out;
- each atom's nearest kept bond: d ≤ (1 − margin) × bonded (no atom is cut loose).

``target="contacts"`` keeps only the first kind (the contact-only repair).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .minnorm import PairBounds

SKIN = 0.5  # Å beyond the largest bound: pairs a repair may bring into play


@dataclass
class Plan:
    bounds: PairBounds
    rejected: list = field(default_factory=list)  # (i, j) pairs pushed out of the bonding shell
    problems: list = field(default_factory=list)  # one-line reasons no move can help


def _first_per_atom(atom: np.ndarray, key: np.ndarray, n: int) -> np.ndarray:
    """Index (into ``atom``) of the smallest ``key`` per atom, -1 where the atom has none."""
    out = np.full(n, -1)
    if len(atom) == 0:
        return out
    order = np.lexsort((np.arange(len(atom)), key, atom))
    a = atom[order]
    first = np.ones(len(a), bool)
    first[1:] = a[1:] != a[:-1]
    out[a[first]] = order[first]
    return out


def plan(positions, numbers, cell, pbc, t, *, over=(), fixed=None, margin: float = 0.005,
         target: str = "lint", full_bonds: bool = False) -> Plan:
    """Bounds for every pair within reach (see the module text). ``over``: atoms the linter
    flags as over-coordinated; ``fixed``: atoms held by FixAtoms (bool per atom);
    ``full_bonds``: every kept bond at least a single bond long (bond-length's compressed
    limit, a warning: O-H 0.75 Å) instead of only beyond the close-contact distance (an error)."""
    from ..neighbors import half_pairs
    from ..tables import coordination_table

    numbers = np.asarray(numbers)
    n = len(numbers)
    fixed = np.zeros(n, bool) if fixed is None else np.asarray(fixed, bool)
    z = np.unique(numbers)
    sub = np.ix_(z, z)
    reach = float(t.close_contact[sub].max() if target == "contacts" else t.bonded[sub].max())
    p = half_pairs(positions, np.asarray(cell), np.asarray(pbc), reach * (1 + margin) + SKIN)
    zi, zj = numbers[p.i], numbers[p.j]
    cc, bd = t.close_contact[zi, zj], t.bonded[zi, zj]
    offset = p.shift @ np.asarray(cell, dtype=float) if len(p.i) else np.zeros((0, 3))
    lo = cc * (1 + margin)
    hi = np.full(len(p.i), np.inf)
    out = Plan(PairBounds(p.i, p.j, offset, lo, hi))
    if target == "contacts":
        _problems(out, p, fixed, numbers)
        return out
    maxn, nonmetal = coordination_table()
    rsum = _rsum(zi, zj)
    ratio = p.d / rsum
    bonded = (p.d < bd) & (p.d >= t.overlap[zi, zj])  # as Frame.bonded_pairs
    # does the pair count for its i side / j side (SC105 counts non-metal partners)?
    limited = maxn >= 0
    for_i = limited[zi] & nonmetal[zj]
    for_j = limited[zj] & nonmetal[zi]
    over_mask = np.zeros(n, bool)
    over_mask[list(over)] = True
    # a partner of a flagged atom that is itself over its limit (the linter may have let it
    # pass as a bridging H) is limited too: else keeping both its bonds makes it the next finding
    raw = (np.bincount(p.i[bonded], weights=for_i[bonded], minlength=n)
           + np.bincount(p.j[bonded], weights=for_j[bonded], minlength=n))
    raw_over = limited[numbers] & (raw > maxn[numbers])
    touch = bonded & (over_mask[p.i] | over_mask[p.j])
    partner = np.zeros(n, bool)
    partner[p.i[touch]] = partner[p.j[touch]] = True
    over_mask |= partner & raw_over
    cap = np.where(over_mask, maxn[numbers], 1 << 30)
    accepted = bonded.copy()
    cand = np.flatnonzero(bonded & ((over_mask[p.i] & for_i) | (over_mask[p.j] & for_j)))
    if len(cand):
        both_fixed = fixed[p.i[cand]] & fixed[p.j[cand]]
        # a partner's only bond first: rejecting it would cut that atom loose (isolated-atom)
        deg = np.bincount(p.i[bonded], minlength=n) + np.bincount(p.j[bonded], minlength=n)
        only = (deg[p.i[cand]] == 1) | (deg[p.j[cand]] == 1)
        order = cand[np.lexsort((p.j[cand], p.i[cand], ratio[cand], ~only, ~both_fixed))]
        capl = cap.tolist()
        fi, fj = for_i.tolist(), for_j.tolist()
        for k in order.tolist():
            i, j = int(p.i[k]), int(p.j[k])
            need_i = fi[k] and over_mask[i]
            need_j = fj[k] and over_mask[j]
            # a self-image pair counts twice for its atom (the linter counts both ends)
            use_i = (2 if i == j else 1) if need_i else 0
            use_j = 0 if i == j else (1 if need_j else 0)
            if (use_i and capl[i] < use_i) or (use_j and capl[j] < use_j):
                accepted[k] = False
                out.rejected.append((i, j))
                continue
            capl[i] -= use_i
            if use_j:
                capl[j] -= use_j
        cap = np.asarray(capl)
    rej = bonded & ~accepted
    lo[rej] = bd[rej] * (1 + margin)
    # count after the plan: atoms at their limit take no new counted partner
    acc = np.flatnonzero(accepted)
    cnt = (np.bincount(p.i[acc], weights=for_i[acc], minlength=n)
           + np.bincount(p.j[acc], weights=for_j[acc], minlength=n))
    full = limited[numbers] & (cnt >= maxn[numbers])
    out_now = ~bonded & ((full[p.i] & for_i) | (full[p.j] & for_j))
    lo[out_now] = np.maximum(bd[out_now] * (1 + 1e-6), np.minimum(bd[out_now] * (1 + margin), p.d[out_now]))
    # each atom keeps its nearest accepted bond
    real = acc[p.i[acc] != p.j[acc]]
    side = np.concatenate([p.i[real], p.j[real]])
    pidx = np.concatenate([real, real])
    first = _first_per_atom(side, ratio[pidx], n)
    keep = np.unique(pidx[first[first >= 0]])
    if full_bonds:  # no bond shorter than a single bond can be (bond-length's compressed warning)
        from ..linter.stretch import shortest_single_bond

        lo[acc] = np.maximum(lo[acc], shortest_single_bond(zi[acc], zj[acc]) * (1 + margin))
    hi[keep] = np.maximum(np.maximum(bd[keep] * (1 - margin), p.d[keep]), lo[keep])
    _problems(out, p, fixed, numbers)
    return out


def _rsum(zi, zj):
    from ase.data import covalent_radii

    r = np.asarray(covalent_radii, dtype=float).copy()
    r[0] = 0.2  # as tables.pair_thresholds
    return r[zi] + r[zj]


def _problems(out: Plan, p, fixed, numbers) -> None:
    """Bounds no move of an atom can meet: an atom and its own image, two FixAtoms atoms."""
    from ase.data import chemical_symbols

    b = out.bounds
    d = p.d
    bad = (d < b.lo - 1e-9) | (d > b.hi + 1e-9)
    stuck = bad & ((p.i == p.j) | (fixed[p.i] & fixed[p.j]))
    for k in np.flatnonzero(stuck)[:5].tolist():
        i, j = int(p.i[k]), int(p.j[k])
        need = f"at least {b.lo[k]:.3f} Å" if d[k] < b.lo[k] else f"at most {b.hi[k]:.3f} Å"
        if i == j:
            out.problems.append(
                f"atom {i} ({chemical_symbols[numbers[i]]}) is {d[k]:.3f} Å from its own periodic image "
                f"(shift {p.shift[k].tolist()}; {need} needed): the cell is too small, no move of an atom "
                "can change that; enlarge the cell")
        else:
            out.problems.append(f"atoms {i} and {j} are both held by FixAtoms {d[k]:.3f} Å apart ({need} needed)")
