"""Minimum-norm repair: move atoms as little as possible so that every pair meets its distance bounds.

Problem: minimise ½ Σ_a |x_a − x0_a|² over the movable atoms subject to, for each pair
constraint k between atoms i and j (minimum-image vector r_ij = x_j − x_i + offset_k),
lo_k ≤ |r_ij| ≤ hi_k. It is solved with the PHR augmented Lagrangian (Hestenes 1969,
Powell 1969; Rockafellar 1973 for inequalities; Nocedal & Wright, *Numerical Optimization*,
2nd ed., §17.4) around scipy's L-BFGS-B for the inner problems: sparse (one term per pair
constraint, gradients scattered with ``np.bincount``), so it scales to 10⁵ atoms, and it
converges to a KKT point of the minimum-norm problem, not just to some feasible point.

Exact symmetry (a collinear chain: every constraint gradient lies on the line) is broken
deterministically: the start is x0 plus a fixed, seeded displacement of ``kick`` Å per
movable atom (the objective still measures from x0, so atoms that need not move return
to x0 and are set back to it exactly at the end).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

KICK = 1e-3  # Å: the deterministic symmetry-breaking start offset
SEED = 20261205


@dataclass
class PairBounds:
    """Pair constraints: atoms i, j, the fixed offset (shift @ cell) and bounds lo ≤ d ≤ hi (Å)."""

    i: np.ndarray
    j: np.ndarray
    offset: np.ndarray
    lo: np.ndarray
    hi: np.ndarray


def _kick(n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    v = rng.normal(size=(n, 3))
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def solve(x0: np.ndarray, movable: np.ndarray, c: PairBounds, *, start: np.ndarray | None = None,
          kick: float = KICK, seed: int = SEED, tol: float = 1e-7, max_outer: int = 40) -> tuple[np.ndarray, float, int]:
    """Positions (n, 3) closest to ``x0`` meeting ``c`` with only ``movable`` atoms moved.

    ``start``: where the search begins (default ``x0``), plus the deterministic kick; atoms
    that may not move stay at their ``start`` positions.
    Returns (positions, largest remaining bound violation in Å, L-BFGS-B iterations).
    Deterministic: the same input gives bitwise the same output in any process.
    """
    from scipy.optimize import minimize

    x0 = np.asarray(x0, dtype=float)
    mov = np.flatnonzero(movable)
    n = len(x0)
    s0 = x0 if start is None else np.asarray(start, dtype=float)
    pos = s0.copy()  # atoms that do not move stay where the start has them
    if len(mov) == 0 or len(c.i) == 0:
        return pos, _violation(pos, c), 0
    # constraints that can change (one movable atom at least) and each side's slot in x
    slot = np.full(n, -1)
    slot[mov] = np.arange(len(mov))
    keep = (slot[c.i] >= 0) | (slot[c.j] >= 0)
    ci, cj, off, lo, hi = c.i[keep], c.j[keep], c.offset[keep], c.lo[keep], c.hi[keep]
    si, sj = slot[ci], slot[cj]
    mi, mj = si >= 0, sj >= 0
    has_hi = np.isfinite(hi)
    ref = x0[mov].ravel()
    x_start = (s0[mov] + kick * _kick(len(mov), seed)).ravel() if kick else s0[mov].ravel().copy()
    lam_lo = np.zeros(len(ci))
    lam_hi = np.zeros(len(ci))
    mu = 10.0
    m = len(mov)

    def unpack(x):
        p = pos.copy()
        p[mov] = x.reshape(m, 3)
        return p

    def terms(x):
        p = unpack(x)
        vec = p[cj] - p[ci] + off
        d = np.sqrt(np.einsum("ij,ij->i", vec, vec))
        return vec, d

    def fun(x, lam_lo, lam_hi, mu):
        vec, d = terms(x)
        dx = x - ref
        f = 0.5 * float(dx @ dx)
        a = np.maximum(0.0, lam_lo + mu * (lo - d))  # multiplier estimates of lo - d <= 0
        b = np.where(has_hi, np.maximum(0.0, lam_hi + mu * (d - np.where(has_hi, hi, 0.0))), 0.0)
        f += float(((a * a - lam_lo * lam_lo).sum() + (b * b - lam_hi * lam_hi).sum()) / (2.0 * mu))
        with np.errstate(invalid="ignore", divide="ignore"):
            u = np.where(d[:, None] > 1e-12, vec / d[:, None], 0.0)
        w = (b - a)[:, None] * u  # d(psi)/d(x_j); x_i gets the opposite
        g = dx.reshape(m, 3).copy()
        for ax in range(3):
            g[:, ax] += np.bincount(sj[mj], w[mj, ax], m) - np.bincount(si[mi], w[mi, ax], m)
        return f, g.ravel()

    x = x_start
    iters = 0
    prev = np.inf
    viol = np.inf
    for _ in range(max_outer):
        res = minimize(fun, x, args=(lam_lo, lam_hi, mu), jac=True, method="L-BFGS-B",
                       options={"maxiter": 5000, "maxcor": 20, "ftol": 1e-15, "gtol": 1e-11})
        x = res.x
        iters += int(res.nit)
        _, d = terms(x)
        g_lo = lo - d
        g_hi = np.where(has_hi, d - np.where(has_hi, hi, 0.0), -np.inf)
        viol = float(max(g_lo.max(initial=0.0), g_hi.max(initial=0.0), 0.0))
        lam_lo = np.maximum(0.0, lam_lo + mu * g_lo)
        lam_hi = np.where(has_hi, np.maximum(0.0, lam_hi + mu * g_hi), 0.0)
        if viol < tol:
            break
        if viol > 0.25 * prev:
            mu = min(mu * 10.0, 1e10)
        prev = viol
    out = unpack(x)
    # atoms that did not need to move: back to x0 exactly (only if that keeps every bound)
    near = (np.linalg.norm(out - x0, axis=1) < 1e-5) & movable
    if near.any():
        trial = out.copy()
        trial[near] = x0[near]
        if _violation(trial, c) <= _violation(out, c):
            out = trial
    return out, _violation(out, c), iters


def _violation(pos: np.ndarray, c: PairBounds) -> float:
    if len(c.i) == 0:
        return 0.0
    vec = pos[c.j] - pos[c.i] + c.offset
    d = np.sqrt(np.einsum("ij,ij->i", vec, vec))
    v = np.maximum(c.lo - d, 0.0)
    w = np.where(np.isfinite(c.hi), np.maximum(d - np.where(np.isfinite(c.hi), c.hi, 0.0), 0.0), 0.0)
    return float(max(v.max(initial=0.0), w.max(initial=0.0)))
