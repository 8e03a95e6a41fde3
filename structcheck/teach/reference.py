"""GFN2-xTB (tblite) as a reference calculator for `structcheck wander --reference gfn2`.

A compressed start such as the DeePMD-kit issue 4502 one has no converged SCF at tblite's
default electronic temperature (300 K: "SCF not converged in 250 cycles"); a Fermi smearing
of ~3000 K makes it converge (measured there: -151.11 eV). :class:`FallbackTBLite` keeps the
Hamiltonian fixed (method, charge, spin, electronic temperature) and only changes the SCF's
convergence aids when an SCF fails: stronger damping with a bounded Broyden memory and more
iterations, then the EEQ guess. When every attempt fails it raises
``ase.calculators.calculator.CalculationFailed`` with one line saying so, and the caller
refuses the reference run rather than report numbers from an unconverged SCF.
"""

from __future__ import annotations

from ase.calculators.calculator import CalculationFailed, Calculator, all_changes

DEFAULT_ELECTRONIC_TEMPERATURE = 3000.0  # K; see the module docstring
# SCF convergence aids tried in order (the Hamiltonian is the same in every one)
ATTEMPTS = (
    {},
    {"mixer_damping": 0.1, "mixer_memory": 30, "max_iterations": 500},
    {"mixer_damping": 0.05, "mixer_memory": 30, "max_iterations": 1000, "guess": "eeq"},
)


class ReferenceUnavailable(Exception):
    """tblite is not installed, or its SCF does not converge for this structure."""


def tblite_available() -> bool:
    try:
        import tblite.ase  # noqa: F401
    except ImportError:
        return False
    return True


def tblite_version() -> str:
    """tblite's version (its ``__version__`` where it has one, else the package metadata)."""
    try:
        import tblite

        found = getattr(tblite, "__version__", None)
    except ImportError:
        found = None
    if found:
        return str(found)
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("tblite")
    except PackageNotFoundError:
        return "unknown"


class FallbackTBLite(Calculator):
    """tblite's ASE calculator with SCF fall-backs; ``attempts_used`` counts the retries needed."""

    implemented_properties = ["energy", "free_energy", "forces", "stress"]

    def __init__(self, method: str = "GFN2-xTB",
                 electronic_temperature: float = DEFAULT_ELECTRONIC_TEMPERATURE, tblite_kwargs: dict | None = None,
                 **kwargs):
        super().__init__(**kwargs)
        self.method = method
        self.electronic_temperature = float(electronic_temperature)
        self.tblite_kwargs = dict(tblite_kwargs or {})  # e.g. charge, multiplicity
        self.retries = 0

    def _tblite(self, extra: dict):
        from tblite.ase import TBLite

        return TBLite(method=self.method, electronic_temperature=self.electronic_temperature,
                      verbosity=0, **self.tblite_kwargs, **extra)

    def calculate(self, atoms=None, properties=("energy",), system_changes=all_changes):
        super().calculate(atoms, properties, system_changes)
        last = None
        for k, extra in enumerate(ATTEMPTS):
            calc = self._tblite(extra)
            a = self.atoms.copy()
            a.calc = calc
            try:
                energy = a.get_potential_energy()
                forces = a.get_forces()
            except CalculationFailed as exc:
                last = exc
                continue
            self.retries += k
            self.results = {"energy": energy, "free_energy": energy, "forces": forces}
            return
        raise CalculationFailed(
            f"{self.method} SCF did not converge at {self.electronic_temperature:g} K in {len(ATTEMPTS)} attempts "
            f"(tblite's defaults, then stronger damping, more iterations, another guess): {last}")


def gfn2_factory(electronic_temperature: float = DEFAULT_ELECTRONIC_TEMPERATURE):
    """A calculator factory for `wander`; raises ReferenceUnavailable when tblite is missing."""
    if not tblite_available():
        raise ReferenceUnavailable("--reference gfn2 needs tblite: pip install 'structcheck[reference]'")
    return lambda: FallbackTBLite(electronic_temperature=electronic_temperature)


def check_start(atoms, electronic_temperature: float = DEFAULT_ELECTRONIC_TEMPERATURE) -> tuple[float, float]:
    """(energy eV, max |F| eV/Å) of GFN2-xTB at the start, or ReferenceUnavailable with the reason."""
    import numpy as np

    calc = gfn2_factory(electronic_temperature)()
    a = atoms.copy()
    a.calc = calc
    try:
        e = float(a.get_potential_energy())
        f = a.get_forces()
    except CalculationFailed as exc:
        raise ReferenceUnavailable(f"no GFN2-xTB reference: {exc}") from None
    return e, float(np.linalg.norm(f, axis=1).max()) if len(a) else 0.0
