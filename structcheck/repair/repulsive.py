"""A purely repulsive ASE calculator: a harmonic wall below each pair's close-contact distance.

(``structcheck fix`` no longer relaxes with it: it solves the minimum-norm problem of
:mod:`structcheck.repair.minnorm`. The calculator stays for pipelines that want a soft
repulsive pre-relaxation with the linter's thresholds.)

``RepulsiveCalculator`` is an ASE calculator (written like ``ase/calculators/morse.py``)
with a harmonic wall  E = Σ_pairs ½ k (r0 − d)²  for d < r0, exactly zero at and beyond
r0, where r0 is the close-contact threshold of the element pair (rules/pair_distances.toml,
the same table the ``close-contact`` rule uses) times (1 + margin).
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
from ase.calculators.calculator import Calculator, all_changes


DEFAULT_MARGIN = 0.05  # r0 = (1 + margin) * close-contact threshold
DEFAULT_K = 10.0  # eV/Å², stiffness of the wall


class RepulsiveCalculator(Calculator):
    """Purely repulsive harmonic wall between every pair closer than its target distance.

    Parameters:

    k: float
        Stiffness in eV/Å² (default 10).
    margin: float
        r0 = (1 + margin) × close-contact threshold of the pair (default 0.05).
    thresholds: (119, 119) array or PairThresholds, optional
        Close-contact distances in Å indexed by atomic number; default: the shipped
        table (``structcheck.tables.default_pair_thresholds().close_contact``).

    Energy per pair ½ k (r0 − d)² for d < r0, zero otherwise (C1 at r0); forces are
    its exact derivative, stress the virial, periodic and triclinic cells included.
    Energies per atom split each pair half and half.
    """

    implemented_properties: ClassVar[list[str]] = ["energy", "energies", "free_energy", "forces", "stress"]
    default_parameters: ClassVar[dict] = {"k": DEFAULT_K, "margin": DEFAULT_MARGIN, "thresholds": None}
    nolabel = True

    def __init__(self, **kwargs):
        Calculator.__init__(self, **kwargs)

    def target_distances(self) -> np.ndarray:
        """The (119, 119) matrix of r0 in Å."""
        t = self.parameters.thresholds
        if t is None:
            from ..tables import default_pair_thresholds

            t = default_pair_thresholds()
        table = getattr(t, "close_contact", t)
        return np.asarray(table, dtype=float) * (1.0 + self.parameters.margin)

    def pairs(self, atoms):
        """(i, j, r_ij vectors, d, r0) of every pair closer than its r0, in a fixed order."""
        from ..neighbors import half_pairs

        numbers = atoms.numbers
        r0_table = self.target_distances()
        z = np.unique(numbers)
        cutoff = float(r0_table[np.ix_(z, z)].max()) if len(z) else 0.0
        p = half_pairs(atoms.positions, atoms.cell.array, atoms.pbc, cutoff)
        r0 = r0_table[numbers[p.i], numbers[p.j]]
        m = p.d < r0
        i, j, shift, d, r0 = p.i[m], p.j[m], p.shift[m], p.d[m], r0[m]
        order = np.lexsort((shift[:, 2], shift[:, 1], shift[:, 0], j, i))  # deterministic sums
        i, j, shift, d, r0 = i[order], j[order], shift[order], d[order], r0[order]
        vec = atoms.positions[j] - atoms.positions[i] + shift @ atoms.cell.array
        return i, j, vec, d, r0

    def calculate(self, atoms=None, properties=None, system_changes=all_changes):
        if properties is None:
            properties = self.implemented_properties
        Calculator.calculate(self, atoms, properties, system_changes)
        natoms = len(self.atoms)
        k = float(self.parameters.k)
        i, j, vec, d, r0 = self.pairs(self.atoms)
        self.last_pairs = (i, j, d, r0)

        overlap = r0 - d
        pair_energy = 0.5 * k * overlap**2
        # dE/dd = -k (r0 - d); force on j = -dE/dd * r_ij / d, on i the opposite
        with np.errstate(divide="ignore", invalid="ignore"):
            unit = np.where(d[:, None] > 0, vec / d[:, None], 0.0)
        f_pair = (k * overlap)[:, None] * unit

        energies = 0.5 * (np.bincount(i, pair_energy, natoms) + np.bincount(j, pair_energy, natoms))
        forces = np.zeros((natoms, 3))
        for ax in range(3):
            forces[:, ax] = np.bincount(j, f_pair[:, ax], natoms) - np.bincount(i, f_pair[:, ax], natoms)

        energy = float(pair_energy.sum())
        self.results["energy"] = energy
        self.results["free_energy"] = energy
        self.results["energies"] = energies
        self.results["forces"] = forces
        if self.atoms.cell.rank == 3:
            # virial: sigma = (1/V) sum_pairs dE/dd * r_ij (x) r_ij / d = -(1/V) sum r_ij (x) f_j
            stress = -(vec.T @ f_pair) / self.atoms.get_volume()
            self.results["stress"] = stress.flat[[0, 4, 8, 5, 2, 1]]
        elif "stress" in properties:
            from ase.calculators.calculator import PropertyNotImplementedError

            raise PropertyNotImplementedError("stress needs a 3-dimensional cell")
