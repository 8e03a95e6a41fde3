"""A case hypothesis found (tests/test_properties.py::test_supercell): the electron deficit of a
periodic network grows with the cell, so over-coordinated's multi-centre allowance must be
judged per atom there, or a 2x1x1 supercell changes the verdict."""

from collections import Counter

from ase import Atoms

import structcheck


def test_network_deficit_is_the_same_in_a_supercell():
    a = Atoms("HHCCHC", cell=[[3.0, 0, 0], [0, 3.0, 0], [0.3, 0, 3.0]], pbc=True)
    a.set_scaled_positions([[0, 0, 0], [0, 0, 0], [0, 0, 0.25], [0.5, 0, 0], [0, 0, 0], [0, 0, 0]])
    one = Counter((f.code, tuple(sorted(set(f.atoms)))) for f in structcheck.lint(a, select=["over-coordinated"]))
    two = Counter((f.code, tuple(sorted({k % 6 for k in f.atoms})))
                  for f in structcheck.lint(a.repeat((2, 1, 1)), select=["over-coordinated"]))
    assert one and two == Counter({k: 2 * v for k, v in one.items()})
