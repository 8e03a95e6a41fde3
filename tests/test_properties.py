"""Property tests: findings do not change under translation, wrapping, supercells, permutation."""

from collections import Counter

import numpy as np
from ase import Atoms
from hypothesis import given, settings
from hypothesis import strategies as st

import structcheck

RULES = ["overlapping-atoms", "close-contact", "isolated-atom", "over-coordinated"]


@st.composite
def periodic_structures(draw):
    n = draw(st.integers(2, 9))
    symbols = draw(st.lists(st.sampled_from(["H", "C", "O", "N"]), min_size=n, max_size=n))
    a, b, c = (draw(st.floats(3.0, 6.0)) for _ in range(3))
    shear = draw(st.floats(-0.3, 0.3))
    cell = [[a, 0, 0], [shear * a, b, 0], [0.1 * a, -shear * b, c]]
    frac = np.array(draw(st.lists(st.tuples(*(st.floats(0, 0.999),) * 3), min_size=n, max_size=n)))
    atoms = Atoms(symbols, cell=cell, pbc=True)
    atoms.set_scaled_positions(frac)
    return atoms


def signature(findings, index_map=None):
    m = (lambda i: i) if index_map is None else index_map
    return Counter((f.code, tuple(sorted({m(a) for a in f.atoms})), None if f.value is None else round(f.value, 6))
                   for f in findings)


def lint(atoms):
    return structcheck.lint(atoms, select=RULES)


@settings(max_examples=40, deadline=None)
@given(periodic_structures(), st.tuples(*(st.floats(-20, 20),) * 3))
def test_translation_and_wrapping(atoms, shift):
    ref = signature(lint(atoms))
    moved = atoms.copy()
    moved.translate(shift)
    assert signature(lint(moved)) == ref
    moved.wrap()
    assert signature(lint(moved)) == ref


@settings(max_examples=40, deadline=None)
@given(periodic_structures(), st.randoms(use_true_random=False))
def test_permutation(atoms, rnd):
    perm = list(range(len(atoms)))
    rnd.shuffle(perm)
    shuffled = atoms[perm]
    assert signature(lint(shuffled), lambda k: perm[k]) == signature(lint(atoms))


@settings(max_examples=25, deadline=None)
@given(periodic_structures(), st.sampled_from([(2, 1, 1), (1, 2, 1), (1, 1, 2), (2, 2, 1)]))
def test_supercell(atoms, rep):
    n = len(atoms)
    copies = int(np.prod(rep))
    ref = signature(lint(atoms))
    big = signature(lint(atoms.repeat(rep)), lambda k: k % n)
    assert big == Counter({key: count * copies for key, count in ref.items()})


@settings(max_examples=30, deadline=None)
@given(st.integers(2, 10), st.integers(0, 10_000), st.tuples(*(st.floats(-50, 50),) * 3))
def test_molecule_translation_and_permutation(n, seed, shift):
    rng = np.random.default_rng(seed)
    atoms = Atoms(rng.choice(["H", "C", "O"], n), positions=rng.uniform(0, 3.0, (n, 3)))
    ref = signature(structcheck.lint(atoms))
    moved = atoms.copy()
    moved.translate(shift)
    assert signature(structcheck.lint(moved)) == ref
    perm = rng.permutation(n)
    assert signature(structcheck.lint(atoms[perm]), lambda k: perm[k]) == ref
