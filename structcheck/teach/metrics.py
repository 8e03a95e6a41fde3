"""Metrics of the wander experiment: spread between replicas per step, aligned RMSD, minima.

Definitions (all distances in Å, energies in eV):

- spread_max[k]: the largest displacement of any atom of any replica from the same atom
  of replica 0 after optimizer step k (raw Cartesian positions, no alignment; k = 0 is the
  start). A replica that has converged keeps its final positions for later steps.
- spread_rms[k]: the root mean square of those displacements over all atoms of all
  replicas 1..N-1.
- amplification: final spread_max / initial spread_max (the initial one is the injected
  noise); peak_amplification uses the largest spread_max seen during the run.
- energy_spread: max - min of the replicas' final energies.
- minima: replicas grouped by their final structures. Two replicas are counted in
  *different* minima only when both their RMSD after optimal rigid alignment (Kabsch; for
  a periodic cell only the translation is removed, a rotation would change the crystal)
  exceeds ``rmsd_tol`` and their final energies differ by more than ``energy_tol``.
  Replicas are taken in order of final energy; each joins the first minimum whose
  lowest-energy member it matches, else founds a new one (so a chain of small differences
  cannot merge far-apart structures). Equivalent structures that differ by a permutation
  of like atoms have the same energy and so count as one minimum.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

DEFAULT_RMSD_TOL = 0.05  # Å
DEFAULT_ENERGY_TOL = 0.01  # eV


def kabsch_rmsd(a: np.ndarray, b: np.ndarray, *, rotate: bool = True) -> float:
    """RMSD (Å) between two (n, 3) position arrays after optimal rigid alignment of b onto a.

    Both are centred; with ``rotate`` the proper rotation that minimises the RMSD is found by
    ``scipy.spatial.transform.Rotation.align_vectors`` (the Kabsch solution). With
    ``rotate=False`` only the translation is removed (periodic cells).
    """
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    if a.shape != b.shape or a.ndim != 2 or a.shape[1] != 3:
        raise ValueError(f"need two (n, 3) arrays of equal shape, got {a.shape} and {b.shape}")
    p = a - a.mean(axis=0)
    q = b - b.mean(axis=0)
    if rotate and len(a) > 1:
        import warnings

        from scipy.spatial.transform import Rotation

        with warnings.catch_warnings():  # collinear sets: any of the equally good rotations will do
            warnings.simplefilter("ignore", UserWarning)
            rot, _ = Rotation.align_vectors(p, q)
        q = rot.apply(q)
    return float(np.sqrt(np.mean(np.sum((p - q) ** 2, axis=1))))


def cluster_minima(positions: Sequence[np.ndarray], energies: Sequence[float], *,
                   rmsd_tol: float = DEFAULT_RMSD_TOL, energy_tol: float = DEFAULT_ENERGY_TOL,
                   periodic: bool = False) -> list[int]:
    """Label each structure with its minimum: 0 for the lowest-energy minimum, 1 the next, ...

    Structures are taken in order of energy (ties by index); each joins the first minimum
    whose representative (its lowest-energy member) it matches, else it founds a new one.
    Two structures match when their aligned RMSD is at most ``rmsd_tol`` (Å) or their
    energies differ by at most ``energy_tol`` (eV) (see the module docstring). Comparing with
    the representative, not with any member, keeps a chain of small steps from merging
    structures that are far apart.
    """
    n = len(positions)
    if len(energies) != n:
        raise ValueError("one energy per structure")
    order = sorted(range(n), key=lambda i: (float(energies[i]), i))
    reps: list[int] = []
    labels = [0] * n
    for i in order:
        for label, rep in enumerate(reps):
            if abs(energies[i] - energies[rep]) <= energy_tol or \
                    kabsch_rmsd(positions[rep], positions[i], rotate=not periodic) <= rmsd_tol:
                labels[i] = label
                break
        else:
            labels[i] = len(reps)
            reps.append(i)
    return labels


def spread_per_step(trajectories: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(spread_max, spread_rms) per step from an array (replicas, steps+1, atoms, 3) in Å."""
    t = np.asarray(trajectories, dtype=float)
    if t.shape[0] < 2:
        z = np.zeros(t.shape[1])
        return z, z
    d = np.linalg.norm(t[1:] - t[:1], axis=-1)  # (replicas-1, steps+1, atoms)
    return d.max(axis=(0, 2)), np.sqrt((d ** 2).mean(axis=(0, 2)))
