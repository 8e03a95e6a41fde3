"""Periodic dimension of every molecule at once (linter/periodicity.py) and the scipy-free
connected components of large bond graphs (chemistry._components)."""

from __future__ import annotations

import numpy as np
from ase import Atoms
from ase.build import bulk, graphene, molecule

from structcheck.linter.chemistry import _components, components, periodic_dimension
from structcheck.linter.config import load_config
from structcheck.linter.frame import Frame
from structcheck.linter.periodicity import loop_rank, periodic_dimensions


def _dims(atoms) -> list[int]:
    frame = Frame(atoms, load_config(None, use_project=False))
    ncomp, labels = components(frame)
    return [periodic_dimension(frame, labels, c) for c in range(ncomp)]


def test_networks_layers_chains_and_molecules():
    assert _dims(bulk("C", "diamond", a=3.567).repeat((3, 3, 3))) == [3]
    layer = graphene(vacuum=8.0).repeat((4, 4, 1))
    assert _dims(layer) == [2]
    chain = Atoms("C2", positions=[(0, 0, 0), (1.3, 0, 0)], cell=[2.6, 12, 12], pbc=True)
    assert _dims(chain) == [1]
    # a water molecule split by the cell boundary is still a finite molecule
    w = molecule("H2O")
    w.cell = [6.0, 6.0, 6.0]
    w.pbc = True
    w.positions += (0.1, 0, 0)
    w.wrap()
    assert _dims(w) == [0]


def test_many_molecules_in_one_call_and_partners_of_other_components():
    # two components: a periodic chain (label 0) and a molecule (label 1); a bond from the
    # chain to atom 3 of the molecule belongs to the chain's graph only
    i = np.array([0, 1, 0, 2])
    j = np.array([1, 0, 3, 3])
    shift = np.array([[0, 0, 0], [1, 0, 0], [0, 0, 0], [0, 0, 0]])
    labels = np.array([0, 0, 1, 1])
    assert periodic_dimensions(i, j, shift, labels, _components).tolist() == [1, 0]
    # a molecule bonded to its own image along two directions: a layer
    i = np.array([0, 0])
    j = np.array([0, 0])
    shift = np.array([[1, 0, 0], [0, 1, 0]])
    assert periodic_dimensions(i, j, shift, np.array([0]), _components).tolist() == [2]


def test_loop_rank_is_exact():
    assert loop_rank(np.zeros((0, 3), int)) == 0
    assert loop_rank(np.array([[2, 0, 0], [-1, 0, 0]])) == 1
    assert loop_rank(np.array([[1, 0, 0], [2, 0, 0], [1, 1, 0], [0, 3, 0]])) == 2
    assert loop_rank(np.array([[1, 1, 0], [0, 1, 1], [1, 0, 1]])) == 3


def _union_find(n, i, j):
    parent = list(range(n))

    def root(a):
        while parent[a] != a:
            a = parent[a]
        return a

    for a, b in zip(i.tolist(), j.tolist()):
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    ids: dict = {}
    return len(set(root(a) for a in range(n))), np.array([ids.setdefault(root(a), len(ids)) for a in range(n)])


def test_large_graph_components_number_like_union_find():
    rng = np.random.default_rng(3)
    for n, m in ((3000, 2500), (5000, 4900), (4000, 9000), (2500, 6000)):
        i = rng.integers(0, n, m)
        j = rng.integers(0, n, m)
        count, labels = _components(n, i, j)  # > 2000 edges: the vectorised path
        ref_count, ref = _union_find(n, i, j)
        assert count == ref_count
        assert np.array_equal(labels, ref)
    # a long shuffled chain: one component, in few rounds
    n = 200_000
    perm = rng.permutation(n)
    count, labels = _components(n, perm[:-1], perm[1:])
    assert count == 1 and not labels.any()


def test_small_graphs_in_python_give_the_vectorised_dimensions(monkeypatch):
    """Small bond graphs (linter/periodicity.py _small_dimensions, plain Python) give the
    vectorised search's dimensions: random graphs with self-image bonds, partners of other
    components and components not connected by the bonds given."""
    import structcheck.linter.periodicity as per

    rng = np.random.default_rng(7)
    for _ in range(3000):
        n, m = int(rng.integers(1, 25)), int(rng.integers(0, 50))
        i, j = rng.integers(0, n, m), rng.integers(0, n, m)
        shift = rng.integers(-1, 2, (m, 3)) * (rng.random((m, 1)) < rng.random())
        if rng.random() < 0.5:
            sub = rng.random(m) < 0.7
            labels = _components(n, i[sub], j[sub])[1]
        else:
            labels = np.unique(rng.integers(0, max(1, n // 3), n), return_inverse=True)[1]
        small = per.periodic_dimensions(i, j, shift, labels, _components)
        monkeypatch.setattr(per, "SMALL_BONDS", -1)
        full = per.periodic_dimensions(i, j, shift, labels, _components)
        monkeypatch.setattr(per, "SMALL_BONDS", 10**9)
        assert small.dtype == full.dtype and small.tolist() == full.tolist()


def test_cell_normals_are_numpys_cross_products_bitwise():
    from structcheck.neighbors import _normals

    rng = np.random.default_rng(3)
    for _ in range(2000):
        box = rng.normal(0, 10, (3, 3)) * (rng.random((3, 3)) < 0.8)
        assert _normals(box).tobytes() == np.cross(box[[1, 2, 0]], box[[2, 0, 1]]).tobytes()


def test_usable_box_shortcut_keeps_what_the_numpy_test_keeps():
    """neighbors._plainly_usable (plain-Python lengths and determinant with a margin) says
    "keep the cell as given" only where np.linalg's lengths and determinant say so too."""
    from structcheck.neighbors import _plainly_usable

    rng = np.random.default_rng(11)
    taken = 0
    for _ in range(20000):
        cell = rng.normal(0, 10, (3, 3))
        k = rng.random()
        if k < 0.3:  # nearly coplanar, down to 1e-12 Å off the plane
            cell[2] = cell[0] * rng.normal() + cell[1] * rng.normal() + rng.normal(0, 10 ** rng.uniform(-12, 0), 3)
        elif k < 0.4:
            cell[rng.integers(0, 3)] = rng.normal(0, 1e-7, 3)
        if _plainly_usable(cell):
            taken += 1
            lengths = np.linalg.norm(cell, axis=1)
            assert (lengths > 1e-6).all()
            assert not abs(np.linalg.det(cell)) < 1e-6 * max(lengths.max(), 1e-12) ** 3
    assert taken > 10000


def test_small_graph_components_in_python_agree_with_the_vectorised_path(monkeypatch):
    """A molecule's bond graph (union-find in plain Python) and the vectorised hooking give the
    same count and labels, numbered by smallest atom: random graphs with self-loops, repeated
    edges, lone atoms, and none."""
    import structcheck.linter.periodicity as per

    rng = np.random.default_rng(11)
    for _ in range(2000):
        n, m = int(rng.integers(1, 40)), int(rng.integers(0, 60))
        i, j = rng.integers(0, n, m), rng.integers(0, n, m)
        small = per.connected_components(n, i, j)
        monkeypatch.setattr(per, "UNION_FIND_EDGES", -1)
        full = per.connected_components(n, i, j)
        monkeypatch.setattr(per, "UNION_FIND_EDGES", 2000)
        ref = _union_find(n, i, j)
        assert small[0] == full[0] == ref[0]
        assert small[1].tolist() == full[1].tolist() == ref[1].tolist()
