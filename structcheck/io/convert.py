"""Structures as users hold them -> ``ase.Atoms``, and back to the type they came in.

Accepted: ``ase.Atoms``; an ``ase.db`` row (``AtomsRow``, what ``db.get``/``db.select``
give); pymatgen ``Structure``/``IStructure``/``Molecule``/``IMolecule`` (converted with
pymatgen's own ``AseAtomsAdaptor``, imported only when such an object arrives); an ASE
filter or optimizable around an Atoms (``FrechetCellFilter(atoms)``). Many structures:
a list/tuple, an iterator or generator, an ``ase.io.Trajectory`` reader, an ``ase.db``
connection (every row) or a ``select`` generator.

Nothing here is hand-written that pymatgen or ASE does: this module only recognises the
types (without importing pymatgen) and keeps what the adaptor drops on the way back
(the Molecule's charge and spin, the immutable class).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from ase import Atoms

__all__ = ["Converted", "is_path", "is_single", "iter_atoms", "to_atoms"]

# info keys this module adds to the Atoms of a pymatgen Molecule (so that the composition
# rules see the declared charge/spin); removed again on the way back
_ADDED = "_structcheck_added_info"


def is_path(obj) -> bool:
    return isinstance(obj, (str, bytes)) or hasattr(obj, "__fspath__")


def _pymatgen_kind(obj) -> str | None:
    """'structure' / 'molecule' for a pymatgen (I)Structure / (I)Molecule, without importing pymatgen."""
    mod = type(obj).__module__ or ""
    if not mod.startswith("pymatgen"):
        return None
    names = {c.__name__ for c in type(obj).__mro__}
    if "IStructure" in names:
        return "structure"
    if "IMolecule" in names:
        return "molecule"
    return None


def _is_row(obj) -> bool:
    return hasattr(obj, "toatoms") and callable(obj.toatoms) and hasattr(obj, "numbers")


def _is_db(obj) -> bool:
    mod = type(obj).__module__ or ""
    return mod.startswith("ase.db") and hasattr(obj, "select") and not _is_row(obj)


def is_single(obj) -> bool:
    """One structure (as opposed to a collection of them)."""
    return isinstance(obj, Atoms) or _pymatgen_kind(obj) is not None or _is_row(obj) or \
        (hasattr(obj, "atoms") and not isinstance(obj, (list, tuple)) and not hasattr(obj, "__next__")
         and hasattr(obj, "get_positions"))


def to_atoms(obj) -> Atoms:
    """The ``ase.Atoms`` for one structure (the object itself when it is already an Atoms).

    A pymatgen Molecule's charge and spin multiplicity go to ``info["charge"]`` and
    ``info["spin_multiplicity"]``: a Molecule always carries them (pymatgen checks that they
    fit the electron count), so the composition rules take them as declared.
    """
    if isinstance(obj, Atoms):
        return obj
    kind = _pymatgen_kind(obj)
    if kind is not None:
        from pymatgen.io.ase import AseAtomsAdaptor

        atoms = AseAtomsAdaptor.get_atoms(obj)
        if kind == "molecule":
            added = []
            charge = float(getattr(obj, "charge", 0.0) or 0.0)
            if charge and "charge" not in atoms.info:
                atoms.info["charge"] = charge
                added.append("charge")
            mult = getattr(obj, "spin_multiplicity", None)
            if mult is not None and "spin_multiplicity" not in atoms.info:
                atoms.info["spin_multiplicity"] = int(mult)
                added.append("spin_multiplicity")
            if added:
                atoms.info[_ADDED] = added
        return atoms
    if _is_row(obj):
        atoms = obj.toatoms()
        if getattr(obj, "id", None) is not None:
            atoms.info.setdefault("db_id", obj.id)
        return atoms
    inner, depth = obj, 0
    while not isinstance(inner, Atoms) and depth < 8:  # a filter / optimizable around an Atoms
        inner = getattr(inner, "atoms", None)
        if inner is None:
            break
        depth += 1
    if isinstance(inner, Atoms):
        return inner
    raise TypeError(f"expected an ase.Atoms, a pymatgen Structure/Molecule, an ase.db row or a path; "
                    f"got {type(obj).__module__}.{type(obj).__name__}")


def iter_atoms(obj) -> Iterator[Atoms]:
    """The Atoms of one structure or of a collection (list, iterator, generator,
    ``ase.io.Trajectory``, ``ase.db`` connection or ``select``), in order."""
    if is_single(obj):
        yield to_atoms(obj)
        return
    if _is_db(obj):
        obj = obj.select()
    if not isinstance(obj, Iterable):
        raise TypeError(f"expected an ase.Atoms, a pymatgen Structure/Molecule, an ase.db row, a collection "
                        f"of them or a path; got {type(obj).__module__}.{type(obj).__name__}")
    for item in obj:
        yield to_atoms(item)


class Converted:
    """One structure as Atoms plus the way back: ``back(atoms)`` returns the type the user
    gave (pymatgen in -> pymatgen out; an Atoms or anything else -> Atoms)."""

    def __init__(self, obj: Any):
        self.original = obj
        self.atoms = to_atoms(obj)
        self.kind = _pymatgen_kind(obj)

    def back(self, atoms: Atoms):
        if self.kind is None:
            return atoms
        from pymatgen.io.ase import AseAtomsAdaptor

        a = atoms.copy()
        for key in a.info.pop(_ADDED, ()):
            a.info.pop(key, None)
        a.calc = None
        cls = type(self.original)
        if self.kind == "molecule":
            from pymatgen.core import Molecule

            a.charge = self.original.charge
            a.spin_multiplicity = self.original.spin_multiplicity
            mol = AseAtomsAdaptor.get_molecule(a, cls=Molecule)
            if cls is Molecule:
                return mol
            return cls.from_sites(mol.sites, charge=mol.charge, spin_multiplicity=mol.spin_multiplicity,
                                  properties=mol.properties)
        from pymatgen.core import Structure

        st = AseAtomsAdaptor.get_structure(a, cls=Structure)
        if cls is Structure:
            return st
        return cls.from_sites(st.sites, charge=st.charge, properties=st.properties)
