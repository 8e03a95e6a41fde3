"""Valence with molecules that are not judged: their charge is unknown, so a counter-ion does
not put its opposite charge on every judged molecule (a solvated protein with Cl⁻, MDAnalysis'
villin_folded.gro gave 3,452 SC202 warnings on plain water molecules)."""

import numpy as np
from ase import Atoms
from ase.build import molecule

import structcheck


def _alkane(n_c: int) -> Atoms:
    """A zig-zag n-alkane C_nH_(2n+2), far over the valence rule's 200-atom molecule limit."""
    pos, sym = [], []
    for k in range(n_c):
        x, y = 1.27 * k, 0.43 * (k % 2)
        pos.append((x, y, 0.0))
        sym.append("C")
        sign = -1 if k % 2 == 0 else 1
        pos += [(x, y + sign * 0.63, 0.89), (x, y + sign * 0.63, -0.89)]
        sym += ["H", "H"]
    pos += [(-0.9, 0.0, 0.0), (1.27 * (n_c - 1) + 0.9, 0.43 * ((n_c - 1) % 2), 0.0)]
    sym += ["H", "H"]
    return Atoms(sym, positions=pos)


def _solvated(extra: Atoms) -> Atoms:
    big = _alkane(70)  # 212 atoms: not judged (valence-not-checked)
    sys_ = big.copy()
    for k in range(4):
        w = molecule("H2O")
        w.translate((10.0 * k, 12.0, 0.0))
        sys_ += w
    sys_ += Atoms("Cl", positions=[(40.0, -10.0, 0.0)])
    extra = extra.copy()
    extra.translate((60.0, 20.0, 0.0))
    return sys_ + extra


def test_counter_ion_of_an_unjudged_molecule_puts_no_charge_on_water():
    found = structcheck.lint(_solvated(Atoms()), select=["SC202", "SC206"])
    codes = sorted({f.code for f in found})
    assert codes == ["SC206"], [str(f) for f in found]


def test_a_broken_judged_molecule_is_still_flagged_beside_an_unjudged_one():
    # a C with five bonds cannot be any charge state: still flagged with the rest's charge free
    bad = Atoms("CH5", positions=[(0, 0, 0), (1.09, 0, 0), (-1.09, 0, 0), (0, 1.09, 0), (0, -1.09, 0),
                                  (0, 0, 1.09)])
    found = structcheck.lint(_solvated(bad), select=["SC202", "SC105"])
    assert any(np.isin(f.atoms, range(len(_solvated(Atoms())), len(_solvated(bad)))).any() for f in found)


def _tetra(centre: str, ligand: str, d: float) -> Atoms:
    v = np.array([(1, 1, 1), (1, -1, -1), (-1, 1, -1), (-1, -1, 1)]) / np.sqrt(3)
    return Atoms(centre + ligand * 4, positions=np.vstack([[0, 0, 0], d * v]))


def test_borates_and_xef5_minus_carry_their_charge():
    for a in (_tetra("B", "F", 1.39), _tetra("B", "H", 1.24)):
        a.info["charge"] = -1
        assert [f.code for f in structcheck.lint(a, select=["SC202"])] == [], a.get_chemical_formula()
    ang = np.radians(np.arange(5) * 72.0)
    xef5 = Atoms("XeF5", positions=np.vstack([[0, 0, 0], np.c_[2.0 * np.cos(ang), 2.0 * np.sin(ang), np.zeros(5)]]))
    xef5.info["charge"] = -1
    assert [f.code for f in structcheck.lint(xef5, select=["SC202"])] == []


def test_a_neutral_bf4_radical_is_still_flagged():
    a = _tetra("B", "F", 1.39)
    a.info["charge"] = 0
    assert "SC202" in [f.code for f in structcheck.lint(a, select=["SC202"])]


def test_a_metal_without_a_valence_entry_is_an_ion_of_any_charge():
    from ase.build import bulk

    # PbS (galena, a = 5.936 Å) and CsPbBr3 (cubic, a = 5.87 Å): Pb2+ balances S2- / Cs+ 3 Br-
    pbs = bulk("PbS", "rocksalt", a=5.936)
    csp = Atoms("CsPbBr3", scaled_positions=[(0, 0, 0), (0.5, 0.5, 0.5), (0.5, 0.5, 0), (0.5, 0, 0.5), (0, 0.5, 0.5)],
                cell=[5.87] * 3, pbc=True)
    for a in (pbs, csp):
        assert [f.code for f in structcheck.lint(a, select=["SC202"])] == [], a.get_chemical_formula()
    # without the metal the lone ions must still add up: Cs+ 3 Br- alone is flagged
    cs_br3 = Atoms("CsBr3", positions=[(0, 0, 0), (6, 0, 0), (0, 6, 0), (0, 0, 6)])
    assert "SC202" in [f.code for f in structcheck.lint(cs_br3, select=["SC202"])]
