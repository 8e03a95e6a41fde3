"""A corpus of malformed files: the message, the line, the frame and the exit code."""

import json

import pytest

GOOD = "3\nframe{k}\nO 0 0 0\nH 0.96 0 0\nH -0.24 0.93 0\n"

CORPUS = {
    "empty.xyz": (b"", 1, "empty file"),
    "truncated.xyz": (b"3\n\nO 0 0 0\nH 0.96 0 0\n", 1, "truncated frame: 3 atoms declared, 2 atom line(s) found"),
    "badcount.xyz": (b"three\n\nO 0 0 0\n", 1, "bad atom count line 'three'"),
    "binary.xyz": (bytes(range(256)) * 4, 1, "binary data"),
    "columns.xyz": (b"2\n\nO 0 0 0\nH 0.96 0\n", 4, "expected 4 columns, found 3"),
    "notnumber.xyz": (b"2\n\nO 0 0 0\nH 0.96 x 0\n", 4, "not a number: 'x'"),
}


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_malformed_file_is_a_finding(run_cli, tmp_path, name):
    data, line, msg = CORPUS[name]
    (tmp_path / name).write_bytes(data)
    (tmp_path / "good.xyz").write_text(GOOD.format(k=0))
    code, out, err = run_cli("lint", "--output-format", "json", name, "good.xyz")
    assert code == 1 and err == ""
    found = json.loads(out)
    assert [(f["path"], f["code"], f["name"], f["frame"], f["line"]) for f in found] == \
        [(name, "SC001", "unreadable-structure", 0, line)]
    assert msg in found[0]["message"]


def test_text_report_names_file_and_line(run_cli, tmp_path):
    (tmp_path / "t.xyz").write_bytes(CORPUS["truncated.xyz"][0])
    code, out, err = run_cli("lint", "t.xyz")
    assert code == 1
    assert out.splitlines()[0].startswith("t.xyz:1: SC001 [error] unreadable-structure: truncated frame")
    assert "Traceback" not in out + err


def test_one_bad_frame_among_good_ones(run_cli, tmp_path):
    text = GOOD.format(k=0) + "3\nframe1\nO 0 0 0\nH 0.96 abc 0\nH -0.24 0.93 0\n" + GOOD.format(k=2)
    text += "3\nframe3\nO 0 0 0\nH 0.96 0 0\nH 0.2 0 0\n"
    (tmp_path / "multi.xyz").write_text(text)
    code, out, _ = run_cli("lint", "--output-format", "json", "multi.xyz")
    found = json.loads(out)
    assert code == 1
    assert [(f["code"], f["frame"], f["line"]) for f in found if f["code"] == "SC001"] == [("SC001", 1, 9)]
    # frames after the bad one are still linted: frame 3 has a close contact on atoms 0, 2
    cc = [f for f in found if f["code"] == "SC102"]
    assert [(f["frame"], f["atoms"], f["line"]) for f in cc] == [(3, [0, 2], 18)]


def test_nan_and_unknown_symbol_files(run_cli, tmp_path):
    (tmp_path / "nan.xyz").write_text("3\n\nO 0 0 0\nH nan 0 0\nH -0.24 0.93 0\n")
    (tmp_path / "unk.xyz").write_text("3\n\nO 0 0 0\nHx 0.96 0 0\nH -0.24 0.93 0\n")
    code, out, _ = run_cli("lint", "--output-format", "json", "nan.xyz", "unk.xyz")
    found = json.loads(out)
    assert code == 1
    assert [(f["path"], f["code"], f["atoms"], f["line"]) for f in found] == \
        [("nan.xyz", "SC002", [1], 4), ("unk.xyz", "SC003", [1], 4)]


def test_crlf_line_endings_are_fine(run_cli, tmp_path):
    (tmp_path / "crlf.xyz").write_bytes(GOOD.format(k=0).replace("\n", "\r\n").encode())
    code, out, _ = run_cli("lint", "crlf.xyz")
    assert code == 0 and "All checks passed" in out


def test_extxyz_round_trip_matches_ase(tmp_path):
    """Our frame splitter gives what ase.io.read gives (cell, pbc, info, arrays)."""
    import numpy as np
    from ase.build import bulk
    from ase.io import read, write

    from structcheck.io import iter_frames

    a = bulk("NaCl", "rocksalt", a=5.64).repeat(2)
    a.rattle(0.01, seed=1)
    a.info["charge"] = 0
    a.info["note"] = "hello world"
    a.set_initial_magnetic_moments(np.arange(len(a)) % 2)
    b = bulk("Cu", "fcc", a=3.6, orthorhombic=True)
    b.pbc = [True, True, False]
    write(tmp_path / "x.extxyz", [a, b])
    ours = [r.atoms for r in iter_frames(str(tmp_path / "x.extxyz"))]
    ref = read(tmp_path / "x.extxyz", ":")
    assert len(ours) == 2
    for o, r in zip(ours, ref):
        assert np.array_equal(o.numbers, r.numbers)
        assert np.allclose(o.positions, r.positions) and np.allclose(o.cell, r.cell)
        assert list(o.pbc) == list(r.pbc)
    assert ours[0].info["note"] == "hello world" and ours[0].info["charge"] == 0
    assert np.allclose(ours[0].get_initial_magnetic_moments(), np.arange(len(a)) % 2)


def test_other_formats_through_ase(run_cli, tmp_path):
    from ase.build import bulk
    from ase.io import write

    si = bulk("Si", "diamond", a=5.43, cubic=True)
    write(tmp_path / "si.cif", si)
    write(tmp_path / "POSCAR", si, format="vasp")
    bad = si.copy()
    bad.positions[1] = bad.positions[0] + (0.5, 0, 0)
    write(tmp_path / "CONTCAR", bad, format="vasp")
    (tmp_path / "broken.cif").write_text("data_x\n_cell_length_a 3\nnonsense\n")
    code, out, _ = run_cli("lint", "--output-format", "json", "si.cif", "POSCAR", "CONTCAR", "broken.cif")
    found = json.loads(out)
    assert code == 1
    assert {(f["path"], f["code"]) for f in found} == {("CONTCAR", "SC102"), ("broken.cif", "SC001")}
    cc = [f for f in found if f["code"] == "SC102"]
    assert cc[0]["atoms"] == [0, 1] and cc[0]["line"] is None


def test_unknown_format_and_missing_file(run_cli, tmp_path):
    (tmp_path / "notes.txt").write_text("hello\n")
    code, out, err = run_cli("lint", "--output-format", "json", "notes.txt", "missing.xyz")
    found = json.loads(out)
    assert code == 1 and "Traceback" not in err
    assert [f["path"] for f in found] == ["notes.txt", "missing.xyz"]
    assert "--format-in" in found[0]["message"] and "cannot open" in found[1]["message"]


ONE_FRAME_CASES = [
    b"", b"\n", b"\n\n3\n\nO 0 0 0\nH 0.96 0 0\nH -0.24 0.93 0\n", GOOD.format(k=0).encode(),
    GOOD.format(k=0).encode().rstrip(b"\n"), GOOD.format(k=0).encode() + b"\n \n\r\n",
    GOOD.format(k=0).encode().replace(b"\n", b"\r\n"), GOOD.format(k=0).encode() * 2,
    GOOD.format(k=0).encode() + b"junk\n", b"0\ncomment\n", b"0\n", b"2\nc\nH 0 0 0\n", b"2\nc\nH 0 0 0\nH 0 0",
    b"+2\nc\nH 0 0 0\nH 0 0 0.7\n", b"2 3\nc\nH 0 0 0\nH 0 0 0.7\n", b"\x002\nc\n",
    b'2\nLattice="5 0 0 0 5 0 0 0 5" Properties=species:S:1:pos:R:3:forces:R:3 pbc="T T T"\n'
    b"H 0 0 0 0.1 0 0\nH 0 0 0.7 0 0 -0.1\n",
    *[data for data, _, _ in CORPUS.values()],
]


@pytest.mark.parametrize("data", ONE_FRAME_CASES)
def test_whole_file_fast_path_gives_the_streaming_records(data):
    """A small file read whole (one frame split without the streaming machinery) gives the
    same records, errors and line numbers as the streaming reader."""
    from structcheck.io import iter_xyz_bytes, iter_xyz_stream

    def records(it):
        out = []
        for r in it:
            a = r.atoms
            arrays = None if a is None else {k: v.tolist() for k, v in sorted(a.arrays.items())}
            out.append((r.path, r.index, r.line, r.error, arrays,
                        None if a is None else (a.cell.array.tolist(), a.pbc.tolist(), dict(a.info))))
        return out

    fast = records(iter_xyz_bytes(data, "f.xyz"))
    slow = records(iter_xyz_stream(iter([data]), "f.xyz"))
    assert fast == slow


def test_whole_file_fast_path_is_taken_for_one_frame(monkeypatch):
    from structcheck.io import xyz as io

    def no_streaming(*a):
        raise AssertionError("streaming path used")

    monkeypatch.setattr(io, "iter_xyz_stream", no_streaming)
    (rec,) = io.iter_xyz_bytes(GOOD.format(k=0).encode(), "f.xyz")
    assert rec.error is None and rec.atoms.get_chemical_formula() == "H2O" and rec.line == 1


PLAIN_CASES = [
    *ONE_FRAME_CASES,
    b"3\nwater\nO 0 0 0\nH 0.96 0 0\nH -0.24 0.93 0\n", b"2\n\nXx 0 0 0\nH 0 0 0.7\n",
    b"2\n\nOw 0 0 0\nHW 0 0 0.7\n", b"2\n\n8 0 0 0\n1 0 0 0.7\n", b"2\n\nca 0 0 0\nCL 0 0 2.7\n",
    b"2\n\nH 0 0 nan\nH 1e400 0 0.7\n", b"2\n\nH 0 0 1_0\nH 0 0 0.7\n", b"2\n\nH 0 0 0d0\nH 0 0 0.7\n",
    b"2\n\nH 0 0 0\nH 0 0 0.7 5\n", b"2\n\nH 0 0 0 5\nH 0 0 0.7 5\n", b"2\n\nH 0 0\nH 0 0 0.7\n",
    b"3\n\nH 0 0 0\nH 0 0 0.7\n", b"2\n\nH 0 0 0\n\nH 0 0 0.7\n", b"2\n\nH\t0\x0b0 0\nH 0 0 0.7\n",
    b"2\n\nH 0 0 0\nH 0 0 0.7\x00\n", b"2\n\n\xce\xb1 0 0 0\nH 0 0 0.7\n",
    b"300\n\n" + b"".join(b"C %d 0 0\n" % k for k in range(300)),
]


@pytest.mark.parametrize("data", PLAIN_CASES)
def test_plain_small_frames_read_as_the_general_parser_reads_them(data, monkeypatch):
    """A small plain-xyz frame parsed line by line in Python (io/xyz.py _plain_small) gives the
    records, arrays (bitwise), info, labels and errors of the general parser."""
    from structcheck.io import iter_xyz_bytes
    from structcheck.io import xyz as io

    def records():
        out = []
        for r in iter_xyz_bytes(data, "f.xyz"):
            a = r.atoms
            arrays = None if a is None else {k: (v.dtype.str, v.shape, v.tobytes()) for k, v in sorted(a.arrays.items())}
            info = None if a is None else {k: (v.tolist() if hasattr(v, "tolist") else v) for k, v in a.info.items()}
            out.append((r.index, r.line, r.error, arrays,
                        None if a is None else (a.cell.array.tolist(), a.pbc.tolist(), info)))
        return out

    fast = records()
    monkeypatch.setattr(io, "PLAIN_SMALL", 0)
    assert fast == records()


def test_plain_small_path_is_taken_for_a_plain_molecule(monkeypatch):
    from structcheck.io import xyz as io

    got = []
    real = io._plain_small
    monkeypatch.setattr(io, "_plain_small", lambda *a: got.append(real(*a)) or got[-1])
    (rec,) = io.iter_xyz_bytes(b"3\nwater\nO 0 0 0\nH 0.96 0 0\nH -0.24 0.93 0\n", "f.xyz")
    assert got and got[0] is rec.atoms and rec.atoms.get_chemical_formula() == "H2O"


def test_molecule_atoms_is_what_the_atoms_constructor_builds():
    """io/records.molecule_atoms (the small-frame readers' Atoms, built without the
    constructor's argument handling) has the constructor's attributes, types and values,
    and owns independent cell, pbc and celldisp arrays per frame."""
    import numpy as np
    from ase import Atoms

    from structcheck.io import records

    z = np.array([8, 1, 1])
    pos = np.array([[0.0, 0.0, 0.0], [0.96, 0.0, 0.0], [-0.24, 0.93, 0.0]])
    got = records.molecule_atoms(z.copy(), pos.copy())
    ref = Atoms(numbers=z, positions=pos)
    assert records._BARE[0] is True  # this ASE: the fast layout is used
    assert sorted(vars(got)) == sorted(vars(ref))
    for k, v in vars(ref).items():
        assert type(vars(got)[k]) is type(v) and np.shape(vars(got)[k]) == np.shape(v), k
    assert got == ref and got.info == ref.info and got.constraints == ref.constraints and got.calc is None
    assert {k: (v.dtype, v.shape) for k, v in got.arrays.items()} == {k: (v.dtype, v.shape) for k, v in ref.arrays.items()}
    assert np.array_equal(got.get_celldisp(), ref.get_celldisp()) and got.pbc.tolist() == [False] * 3
    other = records.molecule_atoms(z.copy(), pos.copy())
    other.cell[0, 0] = 5.0
    other.pbc[0] = True
    assert got.cell[0, 0] == 0.0 and not got.pbc[0]  # nothing shared between frames
    got.center(vacuum=3.0)  # the usual Atoms methods work on it
    ref.center(vacuum=3.0)
    assert got == ref
