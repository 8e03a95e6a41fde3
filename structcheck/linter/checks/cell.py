"""Input, number and cell rules (families ``input`` and ``cell``)."""

from __future__ import annotations

import numpy as np

from ...smallcell import plain_lengths
from ..frame import Frame
from ..rule import Hit, rule


@rule("SC001", "unreadable-structure", "input", "error",
      "A file or frame that cannot be read as a structure.", needs=("finite", "engine"))
def unreadable_structure(frame: Frame):
    """A file, or one frame of a multi-frame file, that cannot be parsed.

    What it does: the reader reports the file, the frame and, for xyz/extxyz, the line
    where parsing failed (bad atom count, truncated frame, non-numeric coordinate, binary
    data, unknown format). The other frames and files are still linted.

    Why it matters: a silently skipped frame is a structure nobody checked.

    Example: an xyz whose second frame says 5 atoms but has 4 lines.

    Fix: repair or regenerate the file; `--format-in` when the extension misleads.
    """
    return ()


@rule("SC002", "non-finite-coordinates", "input", "error",
      "NaN or infinite coordinates or cell.", needs=("finite",))
def non_finite_coordinates(frame: Frame):
    """Coordinates or cell vectors that are NaN or infinite.

    What it does: flags atoms with a non-finite coordinate, and a non-finite cell.

    Why it matters: NaN propagates silently through neighbour lists, models and
    optimizers; ASE accepts it without complaint.

    Example: a coordinate written as "nan" by a crashed MD run.

    Fix: take the last finite frame of the trajectory, or regenerate the structure.
    """
    if frame.finite:  # the same test, cached on the frame: nothing to flag
        return
    bad = np.flatnonzero(~np.isfinite(frame.positions).all(axis=1))
    if len(bad):
        yield Hit(tuple(int(a) for a in bad), f"{len(bad)} atom(s) with NaN or infinite coordinates",
                  float(len(bad)), 0.0, "atoms")
    if not np.isfinite(frame.cell).all():
        yield Hit((), "the cell has NaN or infinite entries")


@rule("SC003", "unknown-element", "input", "error",
      "A chemical symbol that is not an element (ASE maps it to X or rejects it).", needs=("finite",))
def unknown_element(frame: Frame):
    """Symbols that are not chemical elements.

    What it does: flags atoms whose symbol was not recognised (read as "X", atomic
    number 0), naming the symbol found in the file.

    Why it matters: ASE maps some unknown labels to X (a dummy with no mass or radius)
    and rejects others with a KeyError; a model then fails or, worse, treats it as a
    real species.

    Example: "Ow" or "HW" atom labels from a force-field topology, or "D" for deuterium.

    Fix: rename to the element symbol (keep the label in a separate array).
    """
    if 0 not in frame.species_key:  # no atomic number 0 (X): nothing to flag (the species
        return  # present, which the cutoff needs anyway: no numpy call per molecule)
    bad = np.flatnonzero(frame.numbers == 0)
    if len(bad) == 0:
        return
    labels = frame.atoms.info.get("_structcheck_labels")
    names = sorted({str(labels[a]) for a in bad}) if labels is not None else ["X"]
    yield Hit(tuple(int(a) for a in bad), f"{len(bad)} atom(s) with unknown element symbol "
              f"{', '.join(repr(s) for s in names)}", float(len(bad)), 0.0, "atoms")


@rule("SC301", "degenerate-cell", "cell", "error",
      "A periodic cell with zero or near-zero volume (or a zero periodic vector).", needs=("periodic",))
def degenerate_cell(frame: Frame, min_volume_per_atom: float = 0.5, min_length: float = 0.1):
    """A periodic cell that cannot be a cell.

    What it does: for structures periodic in any direction, flags a periodic lattice
    vector shorter than 0.1 Å, or, when periodic in 3D, a volume below 0.5 Å³ per atom
    (collinear or coplanar vectors). ASE accepts such cells silently.

    Why it matters: fractional coordinates, neighbour lists and stress are undefined.

    Example: pbc=True with the default cell of zeros (Atoms('H2', pbc=True)).

    Fix: set a real cell (Atoms.center(vacuum=...)), or pbc=False for a molecule.
    """
    pbc = frame.pbc.tolist()
    if not any(pbc):
        return
    lengths = plain_lengths(frame.cell)[:3]  # np.linalg.norm(cell, axis=1)'s values, bitwise
    short = [ax for ax in range(3) if pbc[ax] and lengths[ax] < min_length]
    if short:
        yield Hit((), f"periodic along {'/'.join('abc'[a] for a in short)} with a cell vector "
                  f"shorter than {min_length} Å", float(min(lengths[a] for a in short)), min_length, "Å")
        return
    if all(pbc):
        vol = frame.volume
        thr = min_volume_per_atom * max(len(frame), 1)
        if vol < thr:
            yield Hit((), f"cell volume {vol:.3g} Å³ for {len(frame)} atoms: vectors collinear "
                      f"or coplanar", vol, thr, "Å^3")


@rule("SC302", "implausible-density", "cell", "warning",
      "Volume per atom far outside what condensed matter has.", needs=("periodic",))
def implausible_density(frame: Frame, min_volume_per_atom: float | None = None,
                        max_volume_per_atom: float = 150.0):
    """Volume per atom denser than any solid, or emptier than any condensed structure.

    What it does: for cells periodic in all three directions: (1) too dense: the atoms'
    Cordero covalent spheres (4/3 π r³) fill more than 2× the volume (packing fraction
    above 2; Cu 0.81, diamond 0.32, metallic atomic hydrogen at ~500 GPa 0.09, an fcc Cu
    cell with its lattice constant in Bohr read as Å 3.0; rules/chemistry.toml [cell]);
    (2) too empty: more than 150 Å³ per atom in a structure that percolates in three
    dimensions (porous frameworks stay below ~60). A molecule or cluster in a vacuum box
    is vacuum-box's (a warning), a slab with vacuum is not flagged.

    Why it matters: a cell scaled by a unit mistake (Bohr vs Å gives ×6.6 in volume),
    a missing atom block, or a wrong lattice constant.

    Example: an fcc Cu cell with a lattice constant of 3.6 Bohr read as Å gives 3.2 Å³/atom.

    Fix: check the cell units and the atom count.
    """
    if not all(frame.pbc.tolist()) or len(frame) == 0:
        return
    vol = frame.volume
    if vol < 1e-6:
        return  # degenerate-cell's
    vpa = vol / len(frame)
    if min_volume_per_atom is None:
        from ase.data import covalent_radii

        from ..chemistry import table

        frac = table()["cell"]["max_packing_fraction"]
        # the limit is the atoms' mean sphere / frac, at most the largest species' sphere / frac:
        # a cell emptier than that (with a margin for rounding) needs no mean
        big = max(4.0 / 3.0 * np.pi * float(covalent_radii[z]) ** 3 for z in frame.species.tolist())
        if vpa * frac <= 1.000001 * big:
            r = np.asarray(covalent_radii)[frame.numbers]
            min_volume_per_atom = float((4.0 / 3.0 * np.pi * r ** 3).mean()) / frac
    if min_volume_per_atom is not None and vpa < min_volume_per_atom:
        yield Hit((), f"{vpa:.3g} Å³ per atom: denser than any known solid",
                  round(vpa, 6), round(min_volume_per_atom, 6), "Å^3/atom")
    elif vpa > max_volume_per_atom:
        from .frameworks import dimensions

        labels, sizes, dims = dimensions(frame)
        if len(frame.bonded_pairs.i) and not (dims == 3).any():
            return  # a molecule in a box (vacuum-box) or a slab with vacuum
        yield Hit((), f"{vpa:.3g} Å³ per atom: a vacuum box labelled periodic, or a unit mistake?",
                  round(vpa, 6), max_volume_per_atom, "Å^3/atom")
