"""Geometry helpers for the verdict corpus generator (build_corpus.py).

Hand-written because the corpus is built from published internal coordinates (bond
lengths, angles, dihedrals, Wyckoff positions): a Z-matrix (NeRF) placer, ideal
polyhedra around a centre, and water / methyl placement. Everything is deterministic.
"""

from __future__ import annotations

import numpy as np
from ase import Atoms

DEG = np.pi / 180.0


def unit(v):
    v = np.asarray(v, float)
    return v / np.linalg.norm(v)


def perp(v):
    """A unit vector perpendicular to v (deterministic)."""
    v = unit(v)
    trial = np.array([1.0, 0.0, 0.0]) if abs(v[0]) < 0.9 else np.array([0.0, 1.0, 0.0])
    return unit(np.cross(v, trial))


def rot(axis, angle_deg):
    """Rotation matrix about ``axis`` by ``angle_deg`` (right hand)."""
    a = unit(axis)
    t = angle_deg * DEG
    k = np.array([[0, -a[2], a[1]], [a[2], 0, -a[0]], [-a[1], a[0], 0]])
    return np.eye(3) + np.sin(t) * k + (1 - np.cos(t)) * k @ k


def place(a, b, c, r, theta, phi):
    """Position of D with |CD| = r, angle BCD = theta, dihedral ABCD = phi (NeRF)."""
    a, b, c = (np.asarray(x, float) for x in (a, b, c))
    bc = unit(c - b)
    n = unit(np.cross(b - a, bc))
    m = np.cross(n, bc)
    t, p = theta * DEG, phi * DEG
    d2 = np.array([-r * np.cos(t), r * np.sin(t) * np.cos(p), r * np.sin(t) * np.sin(p)])
    return c + d2[0] * bc + d2[1] * m + d2[2] * n


def zmatrix(rows):
    """Atoms from Z-matrix rows: (sym,), (sym, i, r), (sym, i, r, j, ang), (sym, i, r, j, ang, k, dih).

    Indices are 0-based references to earlier rows; the first atom sits at the origin,
    the second on +z, the third in the xz plane.
    """
    syms, pos = [], []
    for row in rows:
        s = row[0]
        if len(row) == 1:
            p = np.zeros(3)
        elif len(row) == 3:
            p = pos[row[1]] + np.array([0.0, 0.0, row[2]])
        elif len(row) == 5:
            i, r, j, ang = row[1:]
            # third atom: in the xz plane
            b, c = pos[j], pos[i]
            a = b + np.array([1.0, 0.0, 0.0]) if abs(unit(c - b)[0]) < 0.9 else b + np.array([0.0, 1.0, 0.0])
            p = place(a, b, c, r, ang, 0.0)
        else:
            i, r, j, ang, k, dih = row[1:]
            p = place(pos[k], pos[j], pos[i], r, ang, dih)
        syms.append(s)
        pos.append(np.asarray(p, float))
    return Atoms(syms, positions=np.array(pos))


def octahedron(d_ax, d_eq=None):
    """Six unit-length directions scaled: +-z at d_ax, +-x, +-y at d_eq."""
    d_eq = d_ax if d_eq is None else d_eq
    return np.array([[d_eq, 0, 0], [-d_eq, 0, 0], [0, d_eq, 0], [0, -d_eq, 0], [0, 0, d_ax], [0, 0, -d_ax]], float)


def tetrahedron(d):
    return d / np.sqrt(3) * np.array([[1, 1, 1], [1, -1, -1], [-1, 1, -1], [-1, -1, 1]], float)


def ring(n, radius, z=0.0, phase=0.0):
    return np.array(
        [
            [radius * np.cos(2 * np.pi * k / n + phase * DEG), radius * np.sin(2 * np.pi * k / n + phase * DEG), z]
            for k in range(n)
        ]
    )


def mol(symbols, positions, **info):
    a = Atoms(symbols, positions=np.asarray(positions, float))
    a.info.update(info)
    return a


def water_at(o_pos, toward, d_oh=0.9572, hoh=104.52, plane=None):
    """(O, H, H) positions with the HOH bisector pointing away from ``toward`` (a metal):
    the lone-pair side faces it. ``plane`` sets a vector in the molecular plane."""
    o = np.asarray(o_pos, float)
    away = unit(o - np.asarray(toward, float))
    u = perp(away) if plane is None else unit(np.asarray(plane, float) - np.dot(plane, away) * away)
    h = hoh / 2 * DEG
    return [o, o + d_oh * (np.cos(h) * away + np.sin(h) * u), o + d_oh * (np.cos(h) * away - np.sin(h) * u)]


def donor_water(o_pos, acceptor, d_oh_b=0.98, d_oh=0.9572, hoh=104.52, plane=None):
    """(O, Hb, Hf): water donating a linear H-bond from O to ``acceptor``."""
    o = np.asarray(o_pos, float)
    to = unit(np.asarray(acceptor, float) - o)
    u = perp(to) if plane is None else unit(np.asarray(plane, float) - np.dot(plane, to) * to)
    hb = o + d_oh_b * to
    hf = o + d_oh * (np.cos(hoh * DEG) * to + np.sin(hoh * DEG) * u)
    return [o, hb, hf]


def tetra_h(center, bonded, d, n=3, twist=0.0):
    """n H positions completing a tetrahedron at ``center`` bonded to ``bonded`` (one neighbour)."""
    c = np.asarray(center, float)
    ax = unit(c - np.asarray(bonded, float))
    u = perp(ax)
    out = []
    for k in range(n):
        dirn = rot(ax, twist + 120 * k) @ (np.cos((180 - 109.47) * DEG) * ax + np.sin((180 - 109.47) * DEG) * u)
        out.append(c + d * dirn)
    return out


def tetra_h2(center, b1, b2, d):
    """Two H completing a tetrahedron at ``center`` with two bonded neighbours b1, b2."""
    c = np.asarray(center, float)
    u1, u2 = unit(np.asarray(b1) - c), unit(np.asarray(b2) - c)
    bis = -unit(u1 + u2)
    n = unit(np.cross(u1, u2))
    half = 109.47 / 2 * DEG
    return [c + d * (np.cos(half) * bis + np.sin(half) * n), c + d * (np.cos(half) * bis - np.sin(half) * n)]


def trigonal_h(center, b1, b2, d):
    """One H in the plane of an sp2 centre bonded to b1 and b2 (bisector, outward)."""
    c = np.asarray(center, float)
    return c + d * -unit(unit(np.asarray(b1) - c) + unit(np.asarray(b2) - c))


def periodic(atoms, cell, pbc=True):
    a = atoms.copy()
    a.set_cell(cell)
    a.pbc = pbc
    return a


def in_box(atoms, size):
    """A molecule centred in a cubic periodic vacuum box."""
    a = atoms.copy()
    a.set_cell([size, size, size])
    a.pbc = True
    a.center()
    return a
