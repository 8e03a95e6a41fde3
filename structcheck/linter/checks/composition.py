"""Composition rules: electron count, charge balance, formula (family ``composition``); valence is in valence.py."""

from __future__ import annotations

import math

import numpy as np

from ..chemistry import frame_charge as _frame_charge
from ..frame import Frame
from ..rule import Hit, rule


def declared_charge(info: dict) -> float:
    """``charge`` (or ``total_charge``) of atoms.info, 0 when absent, NaN when unparsable."""
    for key in ("charge", "total_charge"):
        if key in info:
            try:
                return float(info[key])
            except (TypeError, ValueError):
                return float("nan")
    return 0.0


_SPIN_KEYS = frozenset(("spin", "multiplicity", "spin_multiplicity", "uhf", "magmom"))


def declared_spin(atoms) -> bool:
    if not _SPIN_KEYS.isdisjoint(atoms.info):
        return True
    arrays = atoms.arrays
    if "initial_magmoms" not in arrays and "magmoms" not in arrays:
        return False
    for key in ("initial_magmoms", "magmoms"):
        arr = arrays.get(key)
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
    even, passes this rule). A declared multiplicity of the wrong parity (a doublet with an
    even count: a radical that lost an H) is flagged too.

    Fix: add or remove the missing atom, or declare the state: charge=... and
    multiplicity=... in the extxyz comment (or initial magnetic moments).
    """
    z = frame.numbers
    if len(z) == 0 or True in frame.pbc.tolist():
        return  # a periodic cell of a metal has any electron count
    # plain Python for a molecule: less overhead (the small graph's Z list where it is built)
    sg = frame.__dict__.get("_small_graph") if len(z) <= 256 else None
    zs = sg[0] if sg is not None else z.tolist() if len(z) <= 256 else None
    if (0 in zs) if zs is not None else (z == 0).any():
        return
    charge = _frame_charge(frame)
    if not math.isfinite(charge):
        return
    nel = float(sum(zs) if zs is not None else z.sum()) - charge
    if abs(nel - round(nel)) > 1e-6:
        return
    mult = frame.info.get("multiplicity")
    if mult is not None and isinstance(mult, (int, np.integer)) and not isinstance(mult, bool) and mult >= 1:
        if (round(nel) + int(mult)) % 2 == 0:  # 2S+1 is even exactly when the count is odd
            yield Hit((), f"{round(nel)} electrons at charge {charge:g} cannot have the declared multiplicity "
                      f"{int(mult)} (an atom too many or too few, or the wrong charge)", float(nel), None, "electrons")
        return
    if round(nel) % 2 == 0:
        return
    if declared_spin(frame.atoms):
        return
    yield Hit((), f"{round(nel)} electrons at charge {charge:g} and no spin multiplicity "
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
    expected = frame.info.get("expected_formula") or frame.config.expect_formula
    if not expected or len(frame) == 0:
        return
    from ase.formula import Formula

    try:
        want = Formula(str(expected))
    except ValueError:
        yield Hit((), f"cannot parse expected formula {expected!r}")
        return
    have = Formula.from_list([frame.atoms.get_chemical_symbols()[k] for k in range(len(frame))])
    if have.reduce()[0] != want.reduce()[0]:
        yield Hit((), f"formula {have.format('hill')} does not match expected {want.format('hill')}",
                  data={"found": str(have), "expected": str(want)})


@rule("SC203", "charge-imbalance", "composition", "warning",
      "A periodic ionic structure with no charge-balanced assignment of oxidation states.",
      default_enabled=False, needs=("periodic",))
def charge_imbalance(frame: Frame):
    """No charge-balanced assignment of oxidation states (off by default).

    What it does: for periodic structures whose elements differ in Pauling
    electronegativity by at least 0.9 (ionic; alloys and covalent solids are skipped),
    asks pymatgen's ``Composition.oxi_state_guesses()`` for an assignment of oxidation
    states with zero total charge (minus the declared ``charge``). States: those seen in
    the ICSD (pymatgen's default), plus peroxide O−1 (rules/valences.toml), and only the
    negative ones for the most electronegative element; one element may average over
    mixed states, as Fe in Fe3O4. None: flagged. Off by default because pymatgen marks
    its guesser experimental: enable with ``--extend-select charge-imbalance``.
    Compositions whose enumeration would take pymatgen more than about a second
    (``max_work`` in rules/valences.toml) are skipped, so the time stays bounded.

    Why it matters: a missing or extra ion (NaCl2, a vacancy left in a supercell, a
    wrong species in a POSCAR) gives a charged cell; periodic codes then add a
    neutralizing background silently and the energy is meaningless.

    Example: the 8-atom cubic rock-salt NaCl cell with one Cl replaced by Na (Na5Cl3).

    Fix: add or remove the ion, or declare the intended charge (``charge=-1`` in the
    extxyz comment) for a charged-defect calculation.
    """
    if not frame.pbc.any() or len(frame) < 2 or (frame.numbers == 0).any():
        return
    zs = frame.species
    if len(zs) < 2:
        return
    from math import comb

    from ase.data import chemical_symbols
    from ase.formula import Formula

    from ...tables import load_toml

    params = load_toml("valences.toml")["charge_balance"]
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from pymatgen.core import Composition, Element

        els = [Element(chemical_symbols[int(z)]) for z in zs]
        en = np.array([e.X for e in els], dtype=float)
        if not np.isfinite(en).all() or en.max() - en.min() < params["min_electronegativity_difference"]:
            return
        extra = params.get("extra_oxidation_states", {})
        states = {e.symbol: sorted(set(e.icsd_oxidation_states or e.common_oxidation_states) | set(extra.get(e.symbol, ())))
                  for e in els}
        # the most electronegative element is the anion: its positive states (Cl+1 ...
        # in Na3Cl5) would let pymatgen balance almost anything by averaging
        top = els[int(np.argmax(en))].symbol
        if any(v < 0 for v in states[top]):
            states[top] = [v for v in states[top] if v < 0]
        if any(not s for s in states.values()):
            return
        per_z = np.bincount(frame.numbers)
        g = int(np.gcd.reduce(per_z[zs]))
        counts = {chemical_symbols[int(z)]: int(per_z[z]) // g for z in zs}
        reduced = Formula.from_dict(counts)
        # pymatgen's enumeration cost (see rules/valences.toml): bounded time
        work, product = 0, 1
        for sym, k in states.items():
            combos = comb(counts[sym] + len(k) - 1, len(k) - 1)
            sums = min(combos, counts[sym] * (max(k) - min(k)) + 1)
            work += combos * sums
            product *= sums
        if work + product > params["max_work"]:
            return
        charge = _frame_charge(frame)
        if not np.isfinite(charge):
            return
        comp = Composition(counts)
        # the declared charge is per cell; the guesser works on the reduced formula
        n_cells = len(frame) / sum(counts.values())
        guesses = comp.oxi_state_guesses(target_charge=round(charge / n_cells, 6) if charge else 0.0,
                                         oxi_states_override=states)
    if guesses:
        return
    yield Hit((), f"no charge-balanced assignment of oxidation states for {reduced.format('metal')}"
              f" at charge {charge:g} (" + "; ".join(f"{s} {', '.join(f'{v:+d}' for v in k)}"
                                                     for s, k in states.items()) + ")",
              data={"formula": str(reduced), "oxidation_states": states})
