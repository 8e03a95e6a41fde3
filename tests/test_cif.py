"""The gemmi CIF path (io/cif.py) reads what ASE's CIF reader reads, bit for bit, and more (issue 17)."""

from __future__ import annotations

import glob
import os
import warnings

import numpy as np
import pytest

import structcheck
from structcheck.io.cif import Unsupported, iter_cif, read_cif

ASE_MINERALS = sorted(glob.glob(os.path.join(os.path.dirname(__import__("ase").__file__),
                                             "test", "testdata", "minerals", "*.cif")))

MIXED = """data_mixed
_space_group_IT_number 221
_symmetry_space_group_name_H-M 'P m -3 m'
_cell_length_a 4.10(2)
_cell_length_b 4.10(2)
_cell_length_c 4.10(2)
_cell_angle_alpha 90
_cell_angle_beta 90
_cell_angle_gamma 90
loop_
_space_group_symop_operation_xyz
x,y,z
-x,-y,z
-x,y,-z
x,-y,-z
z,x,y
z,-x,-y
-z,-x,y
-z,x,-y
y,z,x
-y,z,-x
y,-z,-x
-y,-z,x
y,x,-z
-y,-x,-z
y,-x,z
-y,x,z
x,z,-y
-x,z,y
-x,-z,-y
x,-z,y
z,y,-x
z,-y,x
-z,y,x
-z,-y,-x
-x,-y,-z
x,y,-z
x,-y,z
-x,y,z
-z,-x,-y
-z,x,y
z,x,-y
z,-x,y
-y,-z,-x
y,-z,x
-y,z,x
y,z,-x
-y,-x,z
y,x,z
-y,x,-z
y,-x,-z
-x,-z,y
x,-z,-y
x,z,y
-x,z,-y
-z,-y,x
-z,y,-x
z,-y,-x
z,y,x
loop_
_atom_site_label
_atom_site_type_symbol
_atom_site_fract_x
_atom_site_fract_y
_atom_site_fract_z
_atom_site_occupancy
Cs1 Cs+ 0.5 0.5 0.5 1.0
Cl1 Cl- 0 0 0 0.5
Br1 Br- 0 0 0 0.5
data_no_atoms
_journal_year 2024
data_second
_cell_length_a 5.0
_cell_length_b 5.0
_cell_length_c 5.0
_cell_angle_alpha 90
_cell_angle_beta 90
_cell_angle_gamma 90
_symmetry_space_group_name_H-M 'P 1'
loop_
_symmetry_equiv_pos_as_xyz
'x, y, z'
loop_
_atom_site_label
_atom_site_Cartn_x
_atom_site_Cartn_y
_atom_site_Cartn_z
O1 0.0 0.0 0.0
D1 0.96 0.0 0.0
D2 -0.24 0.93 0.0
"""

# P6_3/mmc-like site written with 4 decimals: its images near the special position merge
NEAR_SPECIAL = """data_near
_cell_length_a 3.0
_cell_length_b 3.0
_cell_length_c 5.0
_cell_angle_alpha 90
_cell_angle_beta 90
_cell_angle_gamma 120
_symmetry_Int_Tables_number 194
loop_
_symmetry_equiv_pos_as_xyz
x,y,z
-y,x-y,z
-x+y,-x,z
-x,-y,z+1/2
y,-x+y,z+1/2
x-y,x,z+1/2
loop_
_atom_site_label
_atom_site_fract_x
_atom_site_fract_y
_atom_site_fract_z
C1 0.3333 0.6667 0.25
C2 0.0 0.0 0.25
C3 0.0 0.0 0.2500001
"""

TABLE_ONLY = """data_nacl
_cell_length_a 5.64
_cell_length_b 5.64
_cell_length_c 5.64
_cell_angle_alpha 90
_cell_angle_beta 90
_cell_angle_gamma 90
_symmetry_space_group_name_H-M 'F m -3 m'
loop_
_atom_site_label
_atom_site_fract_x
_atom_site_fract_y
_atom_site_fract_z
Na1 0 0 0
Cl1 0.5 0.5 0.5
"""

GSAS_CASE = """data_gsas
_space_group_IT_number 14
_symmetry_space_group_name_H-M 'P 1 21/n 1'
_cell_length_a 5.37706(9)
_cell_length_b 5.41557(9)
_cell_length_c 7.62550(13)
_cell_angle_alpha 90.0
_cell_angle_beta 89.970(4)
_cell_angle_gamma 90.0
loop_
_symmetry_equiv_pos_site_id
_symmetry_equiv_pos_as_xyz
1 +x,+y,+z
2 -x+1/2,+y+1/2,-z+1/2
-1 -x,-y,-z
-2 +x+1/2,-y+1/2,+z+1/2
loop_
_atom_site_type_symbol
_atom_site_label
_atom_site_fract_x
_atom_site_fract_y
_atom_site_fract_z
_atom_site_occupancy
CA Ca 0.5059(4) 0.5309(2) 0.2485(8) 1.0
AL Al1 0.0 0.5 0.0 0.941(8)
NB Nb1 0.0 0.5 0.0 0.059(8)
O O1 0.2092(6) 0.2158(7) -0.0340(5) 1.0
O O2 0.2824(6) 0.7130(8) -0.0338(6) 1.0
O O3 0.4333(2) -0.01305(19) 0.2529(6) 1.0
"""


def _ase_frames(path):
    import ase.io

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ase.io.read(path, index=":", format="cif")


def _same_as_ase(ours, theirs, ordered=True):
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        assert len(a) == len(b)
        assert np.array_equal(a.cell.array, b.cell.array)
        assert a.pbc.all() and b.pbc.all()
        if ordered:
            assert np.array_equal(a.numbers, b.numbers)
            assert np.array_equal(a.positions, b.positions)  # bitwise
            assert np.array_equal(a.arrays["spacegroup_kinds"], b.arrays["spacegroup_kinds"])
            assert a.info.get("occupancy") == b.info.get("occupancy")
            assert np.array_equal(a.get_masses(), b.get_masses())
        else:  # same atoms, images of a site possibly in another order
            key = lambda at: sorted(zip(at.numbers.tolist(), np.round(at.get_scaled_positions() % 1.0, 6).tolist()))  # noqa: E731
            assert key(a) == key(b)


def _pymatgen_cifs(tmp_path):
    """pymatgen's shipped structures as P1 and as symmetrised CIFs (CifWriter, symprec 0.1)."""
    pytest.importorskip("pymatgen")
    import pymatgen.util
    from pymatgen.core import Structure
    from pymatgen.io.cif import CifWriter

    out = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for f in sorted(glob.glob(os.path.join(os.path.dirname(pymatgen.util.__file__), "structures", "*.json"))):
            s = Structure.from_file(f)
            name = os.path.basename(f)[:-5]
            for tag, kw in (("p1", {}), ("sym", {"symprec": 0.1})):
                p = tmp_path / f"{name}_{tag}.cif"
                CifWriter(s, **kw).write_file(str(p))
                out.append(p)
    return out


def test_ase_minerals_bitwise_equal():
    assert len(ASE_MINERALS) >= 5
    for path in ASE_MINERALS:
        with open(path, "rb") as fh:
            ours = read_cif(fh.read().decode("utf-8", "replace"))
        _same_as_ase(ours, _ase_frames(path))


def test_pymatgen_structures_bitwise_equal(tmp_path):
    paths = _pymatgen_cifs(tmp_path)
    assert len(paths) >= 30
    for p in paths:
        _same_as_ase(read_cif(p.read_text()), _ase_frames(p))


def test_mixed_sites_blocks_cartesian_deuterium_uncertainties(tmp_path):
    p = tmp_path / "mixed.cif"
    p.write_text(MIXED)
    ours = read_cif(MIXED)
    _same_as_ase(ours, _ase_frames(p))  # the block without atoms is skipped by both
    cscl, water = ours
    assert cscl.get_chemical_formula() == "BrCs" and len(cscl) == 2
    # ASE's rule: the last of the largest occupancies names the site; the contract keys
    assert cscl.info["structcheck_mixed_sites"] == [{"index": 1, "species": {"Cl": 0.5, "Br": 0.5}, "label": "Cl1"}]
    assert "occupancy" not in cscl.arrays  # 0.5 + 0.5: a full site
    assert water.get_chemical_symbols() == ["O", "H", "H"]
    assert np.allclose(water.get_masses()[1:], 2.01355)
    assert np.allclose(water.positions[1], [0.96, 0, 0])


def test_partial_occupancy_contract(tmp_path):
    text = MIXED.replace("Br1 Br- 0 0 0 0.5\n", "").split("data_no_atoms")[0]
    atoms = read_cif(text)[0]
    assert atoms.get_chemical_formula() == "ClCs"
    assert atoms.arrays["occupancy"].tolist() == [1.0, 0.5]
    assert "structcheck_mixed_sites" not in atoms.info


def test_images_near_a_special_position_merge_as_in_ase(tmp_path):
    p = tmp_path / "near.cif"
    p.write_text(NEAR_SPECIAL)
    ours = read_cif(NEAR_SPECIAL)
    _same_as_ase(ours, _ase_frames(p))
    # C3 lies 5e-7 from C2's site: one atom, as in ASE; C1's six images are two sites
    assert len(ours[0]) == 4


def test_space_group_from_the_table(tmp_path):
    p = tmp_path / "nacl.cif"
    p.write_text(TABLE_ONLY)
    ours = read_cif(TABLE_ONLY)
    assert len(ours[0]) == 8
    _same_as_ase(ours, _ase_frames(p), ordered=False)


def test_type_symbols_case_insensitive():
    """GSAS writes CA / AL / NB: ASE reads C and fails on 'A'; here they are Ca, Al, Nb."""
    atoms = read_cif(GSAS_CASE)[0]
    assert atoms.get_chemical_formula() == "Al2Ca4O12"
    mixed = atoms.info["structcheck_mixed_sites"]
    assert [m["label"] for m in mixed] == ["Al1", "Al1"]
    assert mixed[0]["species"] == {"Al": 0.941, "Nb": 0.059}


def test_unsupported_content_goes_to_ase():
    bad = TABLE_ONLY.replace("Cl1 0.5 0.5 0.5", "Cl1 ? 0.5 0.5")
    with pytest.raises(Unsupported):
        read_cif(bad)
    seen = []

    def fallback(text):
        seen.append(text)
        yield None, None, "from the fallback"

    assert list(iter_cif(bad.encode(), True, fallback)) == [(None, None, "from the fallback")]
    assert seen == [bad]


def test_syntax_error_names_the_line_unless_ase_reads_it():
    text = "data_x\n_cell_length_a 3\nnonsense\n"
    (atoms, line, err), = iter_cif(text.encode(), True, lambda t: iter([(None, None, "ase fails too")]))
    assert atoms is None and line == 3 and "nonsense" in err
    # a duplicate tag: gemmi refuses the file, ASE reads it, ASE's frames are used
    dup = TABLE_ONLY.replace("_cell_length_a 5.64\n", "_cell_length_a 5.64\n_cell_length_a 5.64\n")
    import io

    import ase.io

    def ase_fallback(t):
        for a in ase.io.iread(io.StringIO(t), index=":", format="cif"):
            yield a, None, None

    got = list(iter_cif(dup.encode(), True, ase_fallback))
    assert len(got) == 1 and len(got[0][0]) == 8


def test_lint_reads_cif_with_gemmi(tmp_path, run_cli):
    from structcheck.io import iter_frames

    p = tmp_path / "gsas.cif"
    p.write_text(GSAS_CASE)
    rec, = iter_frames(str(p))
    assert rec.error is None and rec.atoms.info["structcheck_source"]["reader"] == "gemmi"
    assert not [f for f in structcheck.lint(str(p)) if f.code == "SC001"]
    (tmp_path / "bad.cif").write_text("data_x\n_cell_length_a 3\nnonsense\n")
    code, out, _ = run_cli("lint", "--isolated", "bad.cif")
    assert code == 1 and "bad.cif:3: SC001" in out and "nonsense" in out
    code, out, _ = run_cli("lint", "--isolated", "--format-in", "cif", "-", stdin=GSAS_CASE.encode())
    assert "SC001" not in out


def test_latin1_bytes_are_read(tmp_path):
    data = TABLE_ONLY.replace("data_nacl\n", "data_nacl\n_publ_author_name 'M\xfcller'\n").encode("latin-1")
    (atoms, _, err), = iter_cif(data, True, None)
    assert err is None and len(atoms) == 8


def test_distinct_images_equals_ase_rule_on_chained_images():
    """Images jittered across the rounding boundaries (chains at the 1e-3 tolerance):
    the grouped test gives what ASE's image-by-image test gives."""
    from structcheck.io.cif_symmetry import distinct_images as _distinct_images, greedy_images as _greedy_images

    rng = np.random.default_rng(7)
    for trial in range(40):
        n, m = int(rng.integers(1, 6)), int(rng.integers(2, 40))
        base = rng.choice([0.0, 0.25, 0.5, 0.0005, 0.9995, 1 / 3], size=(n, m, 3))
        cand = (base + rng.normal(0, 6e-4, base.shape)) % 1.0
        got = _distinct_images(cand)
        want = np.array([_greedy_images(c) for c in cand])
        assert np.array_equal(got, want), trial


def test_cif_lint_needs_no_ase_io_and_xyz_lint_no_gemmi(tmp_path):
    import subprocess
    import sys

    (tmp_path / "nacl.cif").write_text(TABLE_ONLY)
    (tmp_path / "w.xyz").write_text("3\n\nO 0 0 0\nH 0.96 0 0\nH -0.24 0.93 0\n")
    code = ("import sys\nfrom structcheck.cli import main\n"
            "rc = main(['lint', '--isolated', '-q', sys.argv[1]])\n"
            "print('MODS', 'ase.io' in sys.modules, 'gemmi' in sys.modules)\n")
    for name, want in (("nacl.cif", "MODS False True"), ("w.xyz", "MODS False False")):
        out = subprocess.run([sys.executable, "-c", code, str(tmp_path / name)], capture_output=True, text=True).stdout
        assert out.strip().splitlines()[-1] == want, (name, out)


@pytest.mark.parametrize("periodic", [True, False])
def test_grid_pairs_equal_all_pairs(periodic):
    """The grid search for large files finds exactly the pairs the all-pairs test finds."""
    from structcheck.io.cif_symmetry import SYMPREC, pairs_within as _pairs_within

    rng = np.random.default_rng(3)
    for _ in range(5):
        a = rng.choice([0, 5e-4, 1 - 5e-4, 0.5, 1 / 3], size=(300, 3)) + rng.normal(0, 7e-4, (300, 3))
        b = rng.choice([0, 5e-4, 1 - 5e-4, 0.5, 1 / 3], size=(250, 3)) + rng.normal(0, 7e-4, (250, 3))
        if not periodic:
            a, b = 3 * a - 1, 3 * b - 1
        d = a[:, None, :] - b[None]
        if periodic:
            d -= np.rint(d)
            want = np.argwhere((np.abs(d) < SYMPREC).all(-1))
        else:
            want = np.argwhere(np.sqrt((d * d).sum(-1)) < SYMPREC)
        assert len(a) * len(b) > 1 << 16  # the grid path
        assert np.array_equal(_pairs_within(a, b, periodic), want)


def test_crystal_atoms_is_the_constructors_atoms():
    """io/records.crystal_atoms (the CIF reader's Atoms without the constructor's argument
    handling) builds what Atoms(numbers, positions, cell, pbc=True, info) builds, and is in use."""
    from ase import Atoms

    from structcheck.io import records

    rng = np.random.default_rng(3)
    for n in (1, 5, 40):
        z, pos, cell = rng.integers(1, 90, n), rng.normal(size=(n, 3)), rng.normal(size=(3, 3))
        info = {"unit_cell": "conventional", "occupancy": {"0": {"O": 1.0}}}
        ref = Atoms(numbers=z.copy(), positions=pos.copy(), cell=cell, pbc=True, info=info)
        got = records.crystal_atoms(z.copy(), pos.copy(), cell, info)
        assert records._BARE[0] is True
        assert sorted(vars(ref)) == sorted(vars(got)) and ref == got and ref.info == got.info
        assert got.info is not info and got.cell.array is not cell
        for k, v in ref.arrays.items():
            assert v.dtype == got.arrays[k].dtype and v.tobytes() == got.arrays[k].tobytes()
        assert ref.get_celldisp().tobytes() == got.get_celldisp().tobytes() and ref.constraints == got.constraints
        ref.set_masses(np.full(n, 2.01355))
        got.set_masses(np.full(n, 2.01355))
        assert list(ref.arrays) == list(got.arrays) and ref.get_masses().tobytes() == got.get_masses().tobytes()


def test_p1_orbits_are_ases_equivalent_sites():
    """orbits with the one identity operation (P1: each site its own image, no orbit machinery)
    gives ASE's Spacegroup(1).equivalent_sites bit for bit, with and without sites on one spot."""
    from ase.spacegroup import Spacegroup

    from structcheck.io.cif_symmetry import orbits

    rng = np.random.default_rng(11)
    rot, tran = np.eye(3, dtype=int)[None], np.zeros((1, 3))
    for n in (1, 2, 7, 40):
        for dup in (False, True):
            scaled = rng.uniform(-0.2, 1.2, (n, 3))
            if dup and n > 1:  # a later site within 1e-3 of an earlier one (ASE drops it), one just beyond
                scaled[-1] = scaled[0] + 4e-4
                if n > 2:
                    scaled[1] = scaled[0] + [1.5e-3, 0, 0]
            sites, kinds = orbits(scaled, rot, tran)
            ref_sites, ref_kinds = Spacegroup(1).equivalent_sites(scaled, onduplicates="keep")  # as ase.io.cif reads
            assert sites.tobytes() == np.asarray(ref_sites).tobytes() and kinds.tolist() == list(ref_kinds)
            assert len(sites) == n - (dup and n > 1)


def test_occupancy_sites_shortcut_finds_what_all_pairs_find():
    """occupancy_sites returns at once when every two sites lie more than SYMPREC apart in x; sites
    planted around that margin (shared or not, in x or only in y, z) give the all-pairs answer."""
    from structcheck.io.cif_symmetry import SYMPREC, occupancy_sites, pairs_within

    def all_pairs(scaled, symbols, occ):
        out = [{s: v} for s, v in zip(symbols, occ.tolist())]
        ij = pairs_within(scaled, scaled, periodic=False)
        for i, j in ij[ij[:, 0] != ij[:, 1]].tolist():
            out[i][symbols[j]] = occ.tolist()[j]
        return out

    rng = np.random.default_rng(5)
    for gap in (0.0, 0.5, 0.99, 0.9995, 1.0, 1.0005, 1.001, 1.01, 3.0):
        for other in (0.0, 0.5e-3, 2e-3):
            scaled = rng.uniform(0, 1, (6, 3))
            scaled[4] = scaled[1] + [gap * SYMPREC, other, 0.0]
            symbols, occ = ["Cl", "Br", "O", "O", "I", "Na"], rng.uniform(0.1, 1, 6)
            assert occupancy_sites(scaled, symbols, occ) == all_pairs(scaled, symbols, occ)
    assert occupancy_sites(np.array([[0.1, 0.2, 0.3]]), ["O"], np.array([0.5])) == [{"O": 0.5}]
