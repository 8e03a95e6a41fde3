"""Optional physical pre-optimisation before the DPA2 hand-off: GFN2-xTB (or GFN1-xTB) through tblite.

Why: the least movement to a lint-clean start is sane for the linter but not near any minimum
of a model. The DeePMD-kit issue 4502 start after ``fix`` has compressed O–H bonds (0.682 Å)
and a largest DPA2 force of 40.8 eV/Å; 8 DPA2 + LBFGS replicas 1e-10 Å apart then end
4.2e-4 Å apart after 50 steps (not converged), and rotating that same repair about the chain
axis (the same displacements) gives anything from 2.6e-6 Å to 2.3 Å and 8 minima: the model's
long descent (−335.8 → −354.8 eV) is where the noise grows, not one step. A method that knows
chemistry takes the start down that descent once, deterministically: after GFN2-xTB the 8
replicas converge in 30 steps into one minimum, 9e-10 Å apart (docs/teaching.md, section 3).

:func:`preoptimize` relaxes a copy with ASE's BFGS (LBFGS oscillates on the 3000 K smeared
surface: 500 steps, fmax stuck at 0.085 eV/Å on that start; BFGS converges in 105) and
:class:`structcheck.teach.reference.FallbackTBLite` (tblite's ASE calculator, electronic
temperature 3000 K by default because compressed starts have no converged SCF at 300 K, and
SCF fall-backs). It applies to molecules (no periodic direction) of at most ``MAX_ATOMS``
atoms of elements H–Rn (the GFN parametrisation); anything else, a missing tblite or an SCF
that never converges is :class:`PreoptRefused` with one line. The record (method, tblite
version, temperature, steps, energies, largest move) goes into the fix report and the relax
provenance.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

METHODS = {"gfn2": "GFN2-xTB", "gfn1": "GFN1-xTB"}
MAX_ATOMS = 200  # one GFN2 SCF per BFGS step: ~0.1 s at 20 atoms, tens of seconds at a few hundred
MAX_Z = 86  # GFN1/GFN2-xTB parametrise H–Rn (Grimme, Bannwarth, Shushkov, JCTC 13, 1989 (2017); Bannwarth et al. 2019)
DEFAULT_FMAX = 0.05  # eV/Å, as relax and wander
DEFAULT_STEPS = 500


class PreoptRefused(Exception):
    """The pre-optimisation does not apply or failed (one-line message)."""


@dataclass
class PreoptRecord:
    method: str
    tblite: str
    electronic_temperature_K: float
    optimizer: str
    fmax_eV_per_A: float
    steps: int
    converged: bool
    energy_start_eV: float
    energy_end_eV: float
    fmax_start_eV_per_A: float
    fmax_end_eV_per_A: float
    max_displacement_A: float
    rms_displacement_A: float
    charge: int
    multiplicity: int
    scf_retries: int

    def to_dict(self) -> dict:
        return asdict(self)


def refusal(atoms, method: str = "gfn2") -> str | None:
    """Why ``atoms`` cannot be pre-optimised with ``method`` (one line), or None."""
    from ..teach.reference import tblite_available

    if method not in METHODS:
        return f"unknown pre-optimisation method {method!r}: one of {', '.join(METHODS)}"
    if np.any(atoms.pbc):
        return (f"{METHODS[method]} pre-optimisation is for molecules: this structure is periodic "
                f"(pbc={''.join('T' if p else 'F' for p in atoms.pbc)}); relax it with the model itself")
    if len(atoms) > MAX_ATOMS:
        return (f"{METHODS[method]} pre-optimisation is for molecules of at most {MAX_ATOMS} atoms, "
                f"this one has {len(atoms)}")
    bad = sorted({s for s, z in zip(atoms.get_chemical_symbols(), atoms.numbers) if not 1 <= z <= MAX_Z})
    if bad:
        return f"{METHODS[method]} has no parameters for {', '.join(bad)} (it covers H to Rn)"
    if not tblite_available():
        return "the pre-optimisation needs tblite: pip install 'structcheck[preopt]'"
    return None


def preoptimize(atoms, method: str = "gfn2", *, electronic_temperature: float | None = None,
                fmax: float = DEFAULT_FMAX, steps: int = DEFAULT_STEPS, charge: int = 0):
    """A copy of ``atoms`` relaxed with ``method`` (gfn2, gfn1) and its :class:`PreoptRecord`.

    Raises :class:`PreoptRefused` (one line) where it does not apply (see :func:`refusal`), when
    the SCF fails at every fall-back, or when BFGS does not reach ``fmax`` in ``steps``.
    FixAtoms constraints are honoured. The input is never modified; deterministic.
    """
    from ase.calculators.calculator import CalculationFailed
    from ase.optimize import BFGS

    from ..teach.reference import DEFAULT_ELECTRONIC_TEMPERATURE, FallbackTBLite, tblite_version

    why = refusal(atoms, method)
    if why:
        raise PreoptRefused(why)
    temp = float(DEFAULT_ELECTRONIC_TEMPERATURE if electronic_temperature is None else electronic_temperature)
    electrons = int(atoms.numbers.sum()) - int(charge)
    multiplicity = 1 + electrons % 2
    calc = FallbackTBLite(method=METHODS[method], electronic_temperature=temp,
                          tblite_kwargs={"charge": int(charge), "multiplicity": multiplicity})
    a = atoms.copy()
    a.calc = calc
    name = METHODS[method]
    try:
        e0 = float(a.get_potential_energy())
        f0 = float(np.linalg.norm(a.get_forces(), axis=1).max()) if len(a) else 0.0
        opt = BFGS(a, logfile=None)
        converged = bool(opt.run(fmax=fmax, steps=steps))
        e1 = float(a.get_potential_energy())
        f1 = float(np.linalg.norm(a.get_forces(), axis=1).max()) if len(a) else 0.0
    except CalculationFailed as exc:
        raise PreoptRefused(f"{name} pre-optimisation failed: {str(exc).splitlines()[0]}") from None
    if not converged:
        raise PreoptRefused(f"{name} pre-optimisation did not converge: largest force {f1:.3g} eV/Å after "
                            f"{opt.get_number_of_steps()} BFGS steps (fmax {fmax:g})")
    d = np.linalg.norm(a.positions - atoms.positions, axis=1)
    out = atoms.copy()
    out.calc = None
    out.positions = a.positions
    rec = PreoptRecord(method=name, tblite=tblite_version(), electronic_temperature_K=temp, optimizer="BFGS",
                       fmax_eV_per_A=float(fmax), steps=int(opt.get_number_of_steps()), converged=converged,
                       energy_start_eV=e0, energy_end_eV=e1, fmax_start_eV_per_A=f0, fmax_end_eV_per_A=f1,
                       max_displacement_A=float(d.max()) if len(d) else 0.0,
                       rms_displacement_A=float(np.sqrt(np.mean(d**2))) if len(d) else 0.0,
                       charge=int(charge), multiplicity=multiplicity, scf_retries=int(calc.retries))
    return out, rec
