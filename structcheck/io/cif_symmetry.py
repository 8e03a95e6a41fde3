"""Symmetry expansion and site tests of a CIF, as ASE does them, vectorised (issue 17).

ASE's ``crystal()`` / ``Spacegroup.equivalent_sites`` loop over sites and images in Python
(quadratic in the number of sites); these functions compute the same sites, in the same
order and with the same floating-point operations (so bitwise the same positions), with
numpy. Used by ``io/cif.py``; nothing here parses text.
"""

from __future__ import annotations

import numpy as np

SYMPREC = 1e-3  # ASE's crystal()/equivalent_sites default: fractional tolerance for one site


class Unsupported(Exception):
    """This CIF holds something the gemmi path does not read as ASE does: read it with ASE."""


def cellpar_to_cell(cellpar: list[float]) -> np.ndarray:
    """``ase.geometry.cell.cellpar_to_cell(cellpar)`` in ASE's default orientation (a along
    x, b in the xy plane), with the same floating-point operations in the same order (so
    the same bits), without its vector set-up (~0.1-0.3 ms a call)."""
    a, b, c, alpha, beta, gamma = cellpar
    eps = 2 * np.spacing(90.0, dtype=np.float64)
    cos_alpha = 0.0 if abs(abs(alpha) - 90) < eps else np.cos(alpha * np.pi / 180.0)
    cos_beta = 0.0 if abs(abs(beta) - 90) < eps else np.cos(beta * np.pi / 180.0)
    if abs(gamma - 90) < eps:
        cos_gamma, sin_gamma = 0.0, 1.0
    elif abs(gamma + 90) < eps:
        cos_gamma, sin_gamma = 0.0, -1.0
    else:
        cos_gamma, sin_gamma = np.cos(gamma * np.pi / 180.0), np.sin(gamma * np.pi / 180.0)
    cx = cos_beta
    cy = (cos_alpha - cos_beta * cos_gamma) / sin_gamma
    cz_sqr = 1.0 - cx * cx - cy * cy
    if not cz_sqr >= 0:
        raise Unsupported("impossible cell angles")
    cz = np.sqrt(cz_sqr)
    return np.array([[a * 1.0, a * 0.0, a * 0.0],
                     [b * cos_gamma, b * sin_gamma, b * 0.0],
                     [c * cx, c * cy, c * cz]], dtype=float) + 0.0



def pairs_within(a: np.ndarray, b: np.ndarray, periodic: bool) -> np.ndarray:
    """(i, j) index pairs, sorted, with a[i] within SYMPREC of b[j]: in every fractional
    coordinate, periodically, when ``periodic``; else by Euclidean distance (ASE's two
    tests, both strict). Large inputs go through a grid of SYMPREC-wide cells (numpy
    sort + search; scipy's k-d tree would add ~0.5 s of import to every CIF lint)."""
    if len(a) * len(b) <= 1 << 16:
        ij = None
        diff = a[:, None, :] - b[None, :, :]
    else:
        ij = _grid_candidates(a, b, periodic)
        diff = a[ij[:, 0]] - b[ij[:, 1]]
    if periodic:
        diff -= np.rint(diff)
        near = (np.abs(diff) < SYMPREC).all(axis=-1)
    else:
        near = np.sqrt((diff * diff).sum(axis=-1)) < SYMPREC
    return np.argwhere(near) if ij is None else ij[near]


def _grid_candidates(a: np.ndarray, b: np.ndarray, periodic: bool) -> np.ndarray:
    """Sorted (i, j) pairs of points in the same or adjacent SYMPREC cells (a superset of
    the pairs within SYMPREC, in L-infinity and so in Euclidean distance)."""
    qa = np.floor(a / SYMPREC).astype(np.int64)
    qb = np.floor(b / SYMPREC).astype(np.int64)
    if periodic:
        g = int(round(1.0 / SYMPREC))
        qa %= g
        qb %= g
        size = np.array([g, g, g], dtype=np.int64)
    else:
        lo = np.minimum(qa.min(axis=0), qb.min(axis=0)) - 1
        qa -= lo
        qb -= lo
        size = np.maximum(qa.max(axis=0), qb.max(axis=0)) + 2
        if float(size[0]) * float(size[1]) * float(size[2]) > 2.0 ** 62:
            return np.argwhere(np.ones((len(a), len(b)), dtype=bool))  # absurd coordinates
    kb = (qb[:, 0] * size[1] + qb[:, 1]) * size[2] + qb[:, 2]
    order = np.argsort(kb, kind="stable")
    kb = kb[order]
    found_i, found_j = [], []
    for dx in (-1, 0, 1):
        for dy in (-1, 0, 1):
            for dz in (-1, 0, 1):
                c = qa + np.array([dx, dy, dz])
                if periodic:
                    c %= size
                key = (c[:, 0] * size[1] + c[:, 1]) * size[2] + c[:, 2]
                lo_ = np.searchsorted(kb, key, side="left")
                hi_ = np.searchsorted(kb, key, side="right")
                cnt = hi_ - lo_
                if not cnt.any():
                    continue
                i = np.repeat(np.arange(len(a)), cnt)
                start = np.repeat(lo_ - np.cumsum(cnt) + cnt, cnt)
                found_i.append(i)
                found_j.append(order[start + np.arange(len(i))])
    if not found_i:
        return np.zeros((0, 2), dtype=np.intp)
    ij = np.unique(np.column_stack([np.concatenate(found_i), np.concatenate(found_j)]), axis=0)
    return ij.astype(np.intp)


def distinct_images(cand: np.ndarray) -> np.ndarray:
    """keep[k, a]: image a of site k is not within SYMPREC of an earlier kept image of it
    (ASE's ``find_orbit``, which compares every image with the orbit so far).

    Images are grouped by their coordinates rounded to SYMPREC; every image is then
    compared with the first image of each group only (a site has few distinct images).
    Where that agrees with the grouping (near its own group's first image, near no other
    group's), the first image of each group is exactly what ASE keeps; a site where it
    does not (images chained across a rounding boundary) is compared image by image."""
    n, m = cand.shape[:2]
    q = np.rint(cand * (1.0 / SYMPREC)).astype(np.int64) % int(round(1.0 / SYMPREC))
    key = (np.arange(n, dtype=np.int64)[:, None] * 1000 + q[:, :, 0]) * 1000 + q[:, :, 1]
    key = (key * 1000 + q[:, :, 2]).reshape(-1)
    _, first, group = np.unique(key, return_index=True, return_inverse=True)
    keep = np.zeros(n * m, dtype=bool)
    keep[first] = True
    keep = keep.reshape(n, m)
    group = group.reshape(n, m)
    reps = np.sort(first).reshape(-1)
    site_of_rep = reps // m
    width = np.bincount(site_of_rep, minlength=n)
    r = int(width.max())
    slot = np.arange(len(reps)) - np.repeat(np.cumsum(width) - width, width)
    rep_idx = np.zeros((n, r), dtype=np.int64)
    rep_ok = np.zeros((n, r), dtype=bool)
    rep_idx[site_of_rep, slot] = reps % m
    rep_ok[site_of_rep, slot] = True
    rows = np.arange(n)[:, None]
    rep_pos = cand[rows, rep_idx]  # (n, r, 3)
    rep_group = group[rows, rep_idx]
    bad = np.zeros(n, dtype=bool)
    step = max(1, (1 << 20) // (m * r))
    for k0 in range(0, n, step):
        sl = slice(k0, k0 + step)
        diff = cand[sl, :, None, :] - rep_pos[sl, None, :, :]
        diff -= np.rint(diff)
        np.abs(diff, out=diff)
        near = (diff < SYMPREC).all(axis=3) & rep_ok[sl, None, :]
        same = (group[sl, :, None] == rep_group[sl, None, :]) & rep_ok[sl, None, :]
        bad[sl] = (near != same).any(axis=(1, 2))
    for k in np.flatnonzero(bad).tolist():
        keep[k] = greedy_images(cand[k])
    return keep


def greedy_images(c: np.ndarray) -> np.ndarray:
    """ASE's orbit test for one site, image by image."""
    kept = [0]
    out = np.zeros(len(c), dtype=bool)
    out[0] = True
    for a in range(1, len(c)):
        diff = c[a] - c[kept]
        diff -= np.rint(diff)
        if not (np.abs(diff) < SYMPREC).all(axis=1).any():
            kept.append(a)
            out[a] = True
    return out


def orbits(scaled: np.ndarray, rot: np.ndarray, tran: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """ASE's ``Spacegroup.equivalent_sites``: (sites, kinds), computed as ASE computes them
    (same float operations, so bitwise the same sites in the same order)."""
    n, m = len(scaled), len(rot)
    # candidates[k, o] = (R_o @ p_k + t_o % 1) % 1
    cand = (np.einsum("oij,kj->koi", rot.astype(float), scaled) + tran % 1.0) % 1.0
    keep = distinct_images(cand) if m > 1 else None  # None: one operation, every image kept
    # a site on the orbit of an earlier kept site is dropped (ASE keeps the first)
    kept_site = np.ones(n, dtype=bool)
    if n > 1:
        owner = np.repeat(np.arange(n), keep.sum(axis=1)) if keep is not None else np.arange(n)
        ij = pairs_within(scaled, cand[keep] if keep is not None else cand.reshape(n, 3), periodic=True)
        earlier = ij[owner[ij[:, 1]] < ij[:, 0]]
        for k in (np.unique(earlier[:, 0]).tolist() if len(earlier) else ()):
            owners = owner[earlier[earlier[:, 0] == k, 1]]
            if kept_site[owners].any():
                kept_site[k] = False
    if keep is None:
        if kept_site.all():  # P1 with no two sites on one spot: each site is its image
            return cand.reshape(n, 3), np.arange(n)
        keep = np.ones((n, m), dtype=bool)
    counts = np.where(kept_site, keep.sum(axis=1), 0)
    sites = cand[kept_site][keep[kept_site]]
    kinds = np.repeat(np.arange(n), counts)
    return sites, kinds


def occupancy_sites(scaled: np.ndarray, symbols: list[str], occ: np.ndarray) -> list[dict]:
    """ASE's ``crystal()`` occupancy dictionaries: per basis site its own species, then
    the species of every other basis site within SYMPREC (Euclidean, fractional), in
    index order."""
    values = occ.tolist()
    out = [{s: v} for s, v in zip(symbols, values)]
    xs = np.sort(scaled[:, 0])
    if len(xs) < 2 or float((xs[1:] - xs[:-1]).min()) >= 1.001 * SYMPREC:
        return out  # every two sites further apart in x alone than SYMPREC (with a margin): none shared
    ij = pairs_within(scaled, scaled, periodic=False)
    for i, j in ij[ij[:, 0] != ij[:, 1]].tolist():  # sorted by i, then j
        out[i][symbols[j]] = values[j]
    return out
