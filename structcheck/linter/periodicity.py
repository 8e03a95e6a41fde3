"""How many independent directions each molecule (bond-graph component) repeats in through the
cell: all components of a frame at once, in time linear in the bonds.

A cycle of bonds whose cell shifts do not sum to zero is a periodic loop; the rank of those
sums over a component is its periodic dimension (0: a finite molecule, 2: a layer, 3: a
framework). Bonds inside the cell (zero shift) never change a sum, so the components of
the zero-shift bonds are contracted first (one compiled connected-components pass); the
breadth-first search that assigns each piece its cell offset then runs over the few
cell-crossing bonds only. Every cell-crossing bond then gives the net shift of its cycle,
and the rank is exact (integer vectors).

``connected_components`` (numpy only, numbered as scipy's csgraph) is the graph pass that
chemistry.components and this module share.
"""

from __future__ import annotations

import numpy as np


def _first_of_each(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(sorted distinct values of ``x``, index of each one's first occurrence); no
    ``np.unique`` (it imports numpy.ma, which the lint path keeps out: tests/test_startup.py)."""
    order = np.argsort(x, kind="stable")
    xs = x[order]
    first = np.ones(len(xs), bool)
    np.not_equal(xs[1:], xs[:-1], out=first[1:])
    return xs[first], order[first]


def _dense_ranks(x: np.ndarray) -> np.ndarray:
    """Per element of ``x``: the rank of its value among the distinct values."""
    order = np.argsort(x, kind="stable")
    xs = x[order]
    step = np.zeros(len(xs), dtype=np.int64)
    step[1:] = xs[1:] != xs[:-1]
    out = np.empty(len(x), dtype=np.int64)
    out[order] = np.cumsum(step)
    return out


def loop_rank(d: np.ndarray) -> int:
    """Rank of the nonzero integer rows ``d``: a first row, a first row not parallel to it,
    a first row off their plane (exact in integers)."""
    if not len(d):
        return 0
    cr = np.cross(d, d[0])
    off = np.flatnonzero(cr.any(axis=1))
    if not len(off):
        return 1
    return 3 if (d @ cr[off[0]]).any() else 2


def periodic_dimensions(i: np.ndarray, j: np.ndarray, shift: np.ndarray, labels: np.ndarray,
                        components, pieces=None, wrap: np.ndarray | None = None) -> np.ndarray:
    """Per component label: the rank of its periodic loops.

    The bonds of component ``c`` are those (i, j, shift) with ``labels[i] == c`` (r_ij =
    pos[j] - pos[i] + shift @ cell); a partner ``j`` of another label (a metal next to a
    non-metal molecule) is a separate node of ``c``'s graph. ``components(n, i, j)`` gives
    (count, label per node) of a graph (chemistry's: union-find or scipy's csgraph).
    ``pieces()``: those components of the zero-shift bonds, when the caller has them (the
    frame's own bond graph); ``wrap``: ``shift.any(axis=1)``, when known.
    """
    if len(i) <= SMALL_BONDS:  # a small crystal: plain Python beats ~60 numpy calls
        return _small_dimensions(i, j, shift, labels)
    n = len(labels)
    ncomp = int(labels.max()) + 1 if n else 0
    dims = np.zeros(ncomp, dtype=np.int64)
    if not len(i):
        return dims
    wrap = shift.any(axis=1) if wrap is None else wrap
    if not wrap.any():
        return dims
    c = labels[i]
    v = j
    nodes = n
    cross = labels[j] != c
    if cross.any():  # partner outside the component: one node per (component, partner)
        v = j.copy()
        v[cross] = n + _dense_ranks(c[cross].astype(np.int64) * n + j[cross])
        nodes = int(v.max()) + 1
    if pieces is not None and v is j:  # no partner outside its component: the caller's pieces
        _, piece = pieces()
    else:
        zero = ~wrap
        _, piece = components(nodes, i[zero], v[zero])
    piece = np.asarray(piece, dtype=np.int64)
    qi, qj, qs, qc = piece[i[wrap]], piece[v[wrap]], shift[wrap].astype(np.int64), c[wrap]
    nq = int(max(qi.max(), qj.max())) + 1
    src = np.concatenate([qi, qj])
    order = np.argsort(src, kind="stable")
    dst = np.concatenate([qj, qi])[order]
    step = np.concatenate([qs, -qs])[order]
    start = np.zeros(nq + 1, dtype=np.int64)
    np.cumsum(np.bincount(src, minlength=nq), out=start[1:])
    offset = np.zeros((nq, 3), dtype=np.int64)
    seen = np.zeros(nq, bool)
    root = np.full(ncomp, -1, dtype=np.int64)
    root[qc[::-1]] = qi[::-1]  # one piece per component with a cell-crossing bond
    frontier = _first_of_each(root[root >= 0])[0]
    seen[frontier] = True
    while len(frontier):  # breadth-first, one vectorised step per level
        counts = start[frontier + 1] - start[frontier]
        total = int(counts.sum())
        if not total:
            break
        idx = np.repeat(start[frontier] - (np.cumsum(counts) - counts), counts) + np.arange(total)
        came = np.repeat(frontier, counts)
        to = dst[idx]
        new = ~seen[to]
        if not new.any():
            break
        idx, to, came = idx[new], to[new], came[new]
        to, first = _first_of_each(to)
        offset[to] = offset[came[first]] + step[idx[first]]
        seen[to] = True
        frontier = to
    diff = offset[qi] + qs - offset[qj]
    nz = np.flatnonzero(diff.any(axis=1))
    if not len(nz):
        return dims
    cz = qc[nz]
    order = np.argsort(cz, kind="stable")
    cz, nz = cz[order], nz[order]
    bounds = np.flatnonzero(np.concatenate(([True], cz[1:] != cz[:-1], [True])))
    for k in range(len(bounds) - 1):
        dims[cz[bounds[k]]] = loop_rank(diff[nz[bounds[k]:bounds[k + 1]]])
    return dims


UNION_FIND_EDGES = 2000  # graphs up to this many edges: union-find in plain Python


def connected_components(n: int, i: np.ndarray, j: np.ndarray) -> tuple[int, np.ndarray]:
    """(count, label per atom) of the connected components of the graph with edges (i, j),
    numbered by each component's smallest atom (as scipy's csgraph numbers them).

    Small graphs (a molecule) by union-find here; large ones by vectorised hooking: each
    round hooks every edge's root under the smaller root and compresses all paths, so the
    components involved at least halve per round. As fast as scipy's csgraph on 1e6 atoms
    without importing scipy.sparse (~0.5 s of a big lint).
    """
    if len(i) > UNION_FIND_EDGES:
        dt = np.int32 if n < 2 ** 31 - 1 else np.int64  # half the bytes per gather (labels as before)
        p = np.arange(n, dtype=dt)
        i = np.asarray(i, dtype=np.int64)
        j = np.asarray(j, dtype=np.int64)
        while len(i):
            pi, pj = p[i], p[j]
            m = pi != pj
            if not m.all():
                i, j, pi, pj = i[m], j[m], pi[m], pj[m]
                if not len(i):
                    break
            p[np.maximum(pi, pj)] = np.minimum(pi, pj)  # roots under smaller roots: no cycle
            while True:
                pp = p[p]
                if np.array_equal(pp, p):
                    break
                p = pp
        roots = np.flatnonzero(p == np.arange(n, dtype=dt))
        return len(roots), np.searchsorted(roots, p)
    # union-find, a root always hooked under a smaller one: every parent is smaller than its
    # child, so one ascending pass labels each atom after its parent (a root: the next number)
    parent = list(range(n))
    for a, b in zip(i.tolist(), j.tolist()):
        while parent[a] != a:
            parent[a] = a = parent[parent[a]]
        while parent[b] != b:
            parent[b] = b = parent[parent[b]]
        if a < b:
            parent[b] = a
        elif b < a:
            parent[a] = b
    labels = parent  # overwritten in place: parent[a] < a is already a label when a is reached
    count = 0
    for a in range(n):
        up = parent[a]
        if up == a:
            labels[a] = count
            count += 1
        else:
            labels[a] = labels[up]
    return count, np.array(labels, dtype=int)


SMALL_BONDS = 160  # bonds; measured: Python ~0.65 µs a bond, the vectorised search ~100-150 µs


def _small_dimensions(i: np.ndarray, j: np.ndarray, shift: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """``periodic_dimensions`` of a small bond graph in plain Python, with the same graph (a
    partner of another label is one node per component and partner) and the same search
    (from the first atom of each component's first cell-crossing bond; nodes it does not
    reach keep offset 0): the same rank, computed exactly in integers."""
    lab = labels.tolist()
    dims = [0] * ((max(lab) + 1) if lab else 0)
    by_comp: dict[int, list] = {}
    for a, b, s in zip(i.tolist(), j.tolist(), shift.tolist()):
        c = lab[a]
        by_comp.setdefault(c, []).append((a, b if lab[b] == c else (c, b), s))
    for c, edges in by_comp.items():
        root = next((a for a, _, s in edges if s[0] or s[1] or s[2]), None)
        if root is None:
            continue
        adj: dict = {}
        for a, v, (x, y, z) in edges:
            adj.setdefault(a, []).append((v, x, y, z))
            adj.setdefault(v, []).append((a, -x, -y, -z))
        off = {root: (0, 0, 0)}
        frontier = [root]
        while frontier:
            nxt = []
            for u in frontier:
                ou = off[u]
                for v, x, y, z in adj[u]:
                    if v not in off:
                        off[v] = (ou[0] + x, ou[1] + y, ou[2] + z)
                        nxt.append(v)
            frontier = nxt
        loops = []
        for a, v, (x, y, z) in edges:
            oa, ov = off.get(a, (0, 0, 0)), off.get(v, (0, 0, 0))
            d = (oa[0] + x - ov[0], oa[1] + y - ov[1], oa[2] + z - ov[2])
            if d[0] or d[1] or d[2]:
                loops.append(d)
        dims[c] = _rank(loops)
    return np.array(dims, dtype=np.int64)


def _rank(d: list) -> int:
    """``loop_rank`` of integer 3-vectors (nonzero), in Python integers."""
    if not d:
        return 0
    a = d[0]
    for b in d:
        cr = (b[1] * a[2] - b[2] * a[1], b[2] * a[0] - b[0] * a[2], b[0] * a[1] - b[1] * a[0])
        if cr[0] or cr[1] or cr[2]:
            break
    else:
        return 1
    return 3 if any(e[0] * cr[0] + e[1] * cr[1] + e[2] * cr[2] for e in d) else 2
