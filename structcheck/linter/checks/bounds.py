"""Input rule for frames no neighbour search can take (family ``input``): absurd coordinates or cells."""

from __future__ import annotations

from ..frame import Frame
from ..rule import Hit, rule


def bounds_problem(frame: Frame) -> str | None:
    """``Frame.search_problem``: None when the coordinates are not finite (non-finite-coordinates'
    case) or the frame is fine."""
    return frame.search_problem


@rule("SC004", "absurd-coordinates", "input", "error",
      "Coordinates or a cell beyond any structure, or a cell far smaller than the neighbour search.",
      needs=("finite",))
def absurd_coordinates(frame: Frame):
    """Coordinates, cell vectors or periodic images that no structure has.

    What it does: flags a coordinate beyond ±1e5 Å (10 µm), a periodic cell vector longer
    than 1e5 Å, and a periodic cell (or a cluster of atoms) so small for its atom count
    that the neighbour search would return over 1000 neighbours per atom and 1e5 pairs (a dense
    solid has about 100 neighbours within 8 Å). The other geometry, cell and chemistry
    checks are skipped for such a frame.

    Why it matters: these are unit or parsing accidents (a lattice entry of 4294967297, a box
    of 0 1e8, an atom at 3e9 Å, a 0.01 Å cell): the neighbour search of structcheck and of
    the simulation code either crashes (SIGFPE inside a cell grid) or runs out of memory.

    Example: a POSCAR whose first lattice vector reads 1e15 0 0.

    Fix: correct the coordinates or the cell (units, scale factor, a corrupted field).
    """
    problem = bounds_problem(frame)
    if problem:
        yield Hit((), problem)
