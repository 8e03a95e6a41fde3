"""Composition rules: electrons, valences, charge balance, formula (family ``composition``)."""

from __future__ import annotations

import numpy as np

from ..engine import Frame, Hit, rule


def declared_charge(info: dict) -> float:
    for key in ("charge", "total_charge"):
        if key in info:
            return float(info[key])
    return 0.0


def declared_spin(atoms) -> bool:
    info = atoms.info
    if any(k in info for k in ("spin", "multiplicity", "spin_multiplicity", "uhf", "magmom")):
        return True
    for key in ("initial_magmoms", "magmoms"):
        arr = atoms.arrays.get(key)
        if arr is not None and np.any(np.abs(arr) > 1e-8):
            return True
    return False


@rule("SC201", "odd-electron-count", "composition", "warning",
      "An odd number of electrons for the declared charge, and no spin declared.")
def odd_electron_count(frame: Frame):
    """Odd electron count with no spin multiplicity declared.

    What it does: for non-periodic structures, electrons = Σ Z − charge (``charge`` in atoms.info / the extxyz comment,
    default 0). Odd, with no ``spin``/``multiplicity`` key and no initial magnetic
    moments, is flagged.

    Why it matters: a closed-shell (spin-restricted) calculation of a radical is wrong,
    and an unintended radical usually means a missing or extra H.

    Example: CH3 with no magnetic moment; H2O3 of DeePMD-kit issue 4502 (26 electrons,
    even, passes this rule).

    Fix: add or remove the missing atom, or declare the state: charge=... and
    multiplicity=... in the extxyz comment (or initial magnetic moments).
    """
    if len(frame) == 0 or frame.pbc.any() or (frame.numbers == 0).any():
        return  # a periodic cell of a metal has any electron count
    charge = declared_charge(frame.info)
    nel = float(frame.numbers.sum()) - charge
    if abs(nel - round(nel)) > 1e-6 or int(round(nel)) % 2 == 0:
        return
    if declared_spin(frame.atoms):
        return
    yield Hit((), f"{int(round(nel))} electrons at charge {charge:g} and no spin multiplicity "
              "declared", float(nel), None, "electrons")


@rule("SC204", "formula-mismatch", "composition", "error",
      "The formula differs from the one expected (--expect-formula or an extxyz key).")
def formula_mismatch(frame: Frame):
    """The structure's formula is not the expected one.

    What it does: compares the empirical formula (reduced, so a supercell passes) with
    ``--expect-formula`` / ``expect-formula`` in the configuration, or the frame's own
    ``expected_formula`` key in atoms.info.

    Why it matters: a lost hydrogen, a doubled ligand or a wrong species mapping of a
    POSCAR (the element line missing) shows up here first.

    Example: expected H2O, found H3O.

    Fix: repair the structure or the expectation.
    """
    from ase.formula import Formula

    expected = frame.info.get("expected_formula") or frame.config.expect_formula
    if not expected or len(frame) == 0:
        return
    try:
        want = Formula(str(expected))
    except ValueError:
        yield Hit((), f"cannot parse expected formula {expected!r}")
        return
    have = Formula.from_list([frame.atoms.get_chemical_symbols()[k] for k in range(len(frame))])
    if have.reduce()[0] != want.reduce()[0]:
        yield Hit((), f"formula {have.format('hill')} does not match expected {want.format('hill')}",
                  data={"found": str(have), "expected": str(want)})
