"""Issue 17: the faster paths give exactly what the slower ones gave."""

from __future__ import annotations

import numpy as np

import structcheck
from structcheck.linter.checks.units import _median, _median_ruled_out


def test_suspect_units_shortcut_never_hides_a_median_in_range():
    """The count-based exit only skips frames whose median ratio is in neither range."""
    rng = np.random.default_rng(1)
    for _ in range(5000):
        n, m = int(rng.integers(3, 12)), int(rng.integers(1, 20))
        i, j = rng.integers(0, n, m), rng.integers(0, n, m)
        ratio = rng.choice([0.3, 0.6, 0.65, 0.66, 1.0, 1.5, 1.59, 1.6, 1.61, 2.0, 2.4], m)
        keep = rng.random(n) > 0.2
        nn = np.full(n, np.inf)
        np.minimum.at(nn, i, ratio)
        np.minimum.at(nn, j, ratio)
        nn = nn[keep & np.isfinite(nn)]
        if len(nn) and (_median(nn) >= 1.6 or _median(nn) <= 0.65):
            assert not _median_ruled_out(i, j, ratio, keep, n)


def test_suspect_units_still_flags_a_large_bohr_crystal():
    from ase.build import bulk

    a = bulk("Si", "diamond", a=5.43).repeat((6, 6, 6))  # 1,728 atoms: the numpy branch
    assert not [f for f in structcheck.lint(a) if f.code == "SC106"]
    b = a.copy()
    b.set_cell(a.cell / 0.529177, scale_atoms=True)
    assert [f.code for f in structcheck.lint(b) if f.code == "SC106"] == ["SC106"]
    c = a.copy()
    c.set_cell(a.cell * 0.529177, scale_atoms=True)
    assert "SC106" in [f.code for f in structcheck.lint(c)]


def test_fixed_point_columns_parse_exactly_as_float():
    """The int64 Horner parse of fixed-width columns equals float(token), signed zeros
    included, and declines what it cannot do exactly (the caller then splits tokens)."""
    from structcheck.io.xyz_numbers import _fixed_floats

    rng = np.random.default_rng(5)
    for width, prec, scale in ((16, 8, 50.0), (12, 8, 5.0), (14, 3, 1e6), (10, 6, 0.01)):
        vals = rng.normal(0, scale, 4000)
        vals[:4] = [-0.0, 0.0, -10.0 ** -(prec + 1), 10.0 ** -(prec + 1)]
        toks = [(f"%{width}.{prec}f" % v).encode() for v in vals]
        assert len({len(t) for t in toks}) == 1
        m = np.frombuffer(b"".join(toks), dtype=np.uint8).reshape(len(toks), -1)
        got = _fixed_floats(m, 0, m.shape[1])
        want = np.array([float(t) for t in toks])
        assert np.array_equal(got, want) and np.array_equal(np.signbit(got), np.signbit(want))
    # 19 significant digits: more than an exact int64 -> float mantissa allows
    m = np.frombuffer(b"1234567890.123456789", dtype=np.uint8).reshape(1, -1)
    assert _fixed_floats(m, 0, m.shape[1]) is None
    m = np.frombuffer(b"".join([b"  1.5", b" -2.5", b" 1e-3"]), dtype=np.uint8).reshape(3, -1)
    assert _fixed_floats(m, 0, 5) is None  # an exponent: not a fixed-point table


def test_fixed_point_columns_accept_exactly_the_fixed_point_tokens():
    """Random tables, mostly valid, some with one bad byte: the array parse returns the
    floats exactly when every token is ``spaces [sign] digits . digits`` (point in the same
    column, mantissa below 2**53), and None otherwise (a regular expression per row decides)."""
    import re

    from structcheck.io.xyz_numbers import _fixed_floats

    rng = np.random.default_rng(11)
    rx = re.compile(rb" *[+-]?[0-9]+\.[0-9]+")
    for trial in range(600):
        width, prec = int(rng.integers(4, 22)), int(rng.integers(1, 17))
        if prec + 2 > width:
            continue
        rows = int(rng.integers(1, 70))
        vals = rng.normal(0, 10.0 ** rng.integers(-2, 6), rows)
        toks = [(f"%{width}.{prec}f" % v).encode()[-width:] for v in vals]
        toks = [t if len(t) == width else t.rjust(width) for t in toks]
        if trial % 3:  # plant a byte: a space, sign, letter, point, digit or tab anywhere
            r, c = int(rng.integers(rows)), int(rng.integers(width))
            t = bytearray(toks[r])
            t[c] = b" +-e.5\t"[int(rng.integers(7))]
            toks[r] = bytes(t)
        m = np.frombuffer(b"".join(toks), dtype=np.uint8).reshape(rows, width)
        dot = toks[0].find(b".")
        ok = (all(rx.fullmatch(t) and t.find(b".") == dot for t in toks) and width - 1 <= 18
              and all(int(re.sub(rb"[ .+-]", b"", t)) < 2 ** 53 for t in toks))
        got = _fixed_floats(m, 0, width)
        assert (got is not None) == ok, toks
        if got is None:
            continue
        want = np.array([float(t) for t in toks])
        assert np.array_equal(got, want) and np.array_equal(np.signbit(got), np.signbit(want)), toks


def test_unbonded_crystal_needs_one_wider_neighbour_search(monkeypatch):
    """Bohr read as Å: the frame's list finds no bond; expanded-cell and suspect-units
    then share one wider search (it was one each)."""
    from ase.build import bulk

    import structcheck.linter.frame as frame_mod

    calls = []
    real = frame_mod.half_pairs

    def counting(*args, **kwargs):  # kwargs: Frame.pairs says its own check passed (checked=)
        calls.append(args[-1])
        return real(*args, **kwargs)

    monkeypatch.setattr(frame_mod, "half_pairs", counting)
    a = bulk("Si", "diamond", a=5.43).repeat((3, 3, 3))
    a.set_cell(a.cell / 0.529177, scale_atoms=True)
    found = [f.code for f in structcheck.lint(a)]
    assert "SC106" in found
    assert len(calls) == 2 and calls[1] > calls[0]


def test_suspect_units_network_with_lone_atoms_decided_as_by_its_ratios(monkeypatch):
    """A network with a few lone atoms (adatoms far above a slab, a lone atom in a big
    cell) exits before its ratios are computed only where the full computation finds
    nothing: every case gives the findings the shortcut-free path gives, Bohr ones included."""
    from ase import Atoms
    from ase.build import bulk, fcc111

    import structcheck.linter.checks.units as units

    slab = fcc111("Cu", (6, 6, 4), vacuum=12.0)
    top = slab.positions[:, 2].max()
    ad = slab + Atoms("OOAr", positions=[(1, 1, top + 7), (6, 4, top + 8), (3, 9, top + 9)])
    si = bulk("Si", "diamond", a=5.43).repeat((5, 5, 5))
    si_lone = si.copy()
    si_lone.positions[::50] += 1.3  # some atoms knocked between the others
    cases = [ad, si, si_lone]
    for a in list(cases):
        b = a.copy()
        b.set_cell(a.cell / 0.529177, scale_atoms=True)  # Bohr read as Å
        cases.append(b)
    sparse = Atoms("Si8Ar", positions=[(0, 0, 0), (2.35, 0, 0), (0, 2.35, 0), (0, 0, 2.35), (20, 20, 20),
                                        (26, 20, 20), (20, 26, 20), (20, 20, 26), (12, 12, 12)],
                   cell=[40, 40, 40], pbc=True)  # 3 Si bonded of 8: the ratios decide
    cases.append(sparse)

    def codes(a):
        return sorted((f.code, f.message) for f in structcheck.lint(a) if f.code == "SC106")

    fast = [codes(a) for a in cases]
    assert any(fast) and not all(fast)
    calls = []
    real = units._mostly_bonded
    monkeypatch.setattr(units, "_mostly_bonded", lambda f, m: calls.append(real(f, m)) or calls[-1])
    assert [codes(a) for a in cases] == fast and True in calls  # the exit was taken somewhere
    monkeypatch.setattr(units, "_mostly_bonded", lambda f, m: False)
    assert [codes(a) for a in cases] == fast
