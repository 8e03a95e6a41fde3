"""Reading small-molecule / inorganic CIF files with gemmi's compiled CIF parser.

The result is what ``ase.io.read(path, index=":")`` gives (same atoms in the same order,
same cell, positions bitwise equal, ``info["occupancy"]`` and ``arrays["spacegroup_kinds"]``
as ASE fills them) plus the occupancy contract's keys (``arrays["occupancy"]``,
``info["structcheck_mixed_sites"]`` with the site labels, ``info["structcheck_source"]``),
at compiled-parser speed: ASE's CIF reader tokenises in Python and expands symmetry and
compares occupancies with per-site Python loops (quadratic: ~5 s for a 1,000-atom P1 file).

gemmi (``gemmi.cif.read_string``) does the parsing. Its own structure builder
(``make_small_structure_from_block`` + ``get_all_unit_cell_sites``) is not used for the
atoms because it merges symmetry images closer than 0.4 Å (a linter must see those
overlaps), takes symmetry operations in its table's order rather than the file's, and
derives elements from labels differently from ASE; the expansion below is ASE's rule
(``ase.spacegroup.Spacegroup.equivalent_sites``: images of a site within 1e-3 in every
fractional coordinate are one site; a later site on an earlier site's orbit is dropped),
vectorised over sites and operations. gemmi's space-group table is used only when a file
lists no symmetry operations (then the order of images within an orbit may differ from
ASE's table order; the set of atoms is the same).

Whatever this path does not read exactly as ASE does (Cartesian-only sites with no cell,
'?' values, unknown element symbols, decimal translations gemmi cannot represent ...)
raises ``Unsupported`` and the caller reads the file with ASE instead.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import numpy as np
from ase import Atoms
from ase.data import atomic_masses, atomic_numbers

from .cif_symmetry import Unsupported, cellpar_to_cell, occupancy_sites, orbits
from .records import crystal_atoms

class CifSyntaxError(Exception):
    def __init__(self, message: str, line: int | None):
        super().__init__(message)
        self.line = line


_CELL = ("_cell_length_a", "_cell_length_b", "_cell_length_c",
         "_cell_angle_alpha", "_cell_angle_beta", "_cell_angle_gamma")
_SITESYM = ("_space_group_symop_operation_xyz", "_space_group_symop.operation_xyz",
            "_symmetry_equiv_pos_as_xyz")
_SG_NUMBER = ("_space_group.it_number", "_space_group_it_number", "_symmetry_int_tables_number")
_SG_NAME = ("_space_group_name_h-m_alt", "_symmetry_space_group_name_h-m",
            "_space_group.patterson_name_h-m")
_NUM = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?(?:\(\d+\)?)?$")
_SYMBOL = re.compile(r"([A-Z][a-z]?)")
_GEMMI_LINE = re.compile(r"^[^:]*:(\d+)")
_DECIMAL = re.compile(r"\d*\.\d+|\d+\.\d*")


def _gemmi():
    import gemmi  # imported on the first CIF only (~70 ms): the lint start-up stays small

    return gemmi


def _column(block, names) -> list[str] | None:
    """The raw values of the first of ``names`` present in ``block`` (ASE's ``_get_any``)."""
    for name in names:
        col = block.find_values(name)
        if len(col):
            return list(col)
    return None


class _Sites:
    """The ``_atom_site_*`` columns, taken from their loop's flat value list in one call
    (a column at a time costs ~10 µs each through the bindings)."""

    def __init__(self, block):
        self.block = block
        self.tags: dict[str, int] = {}
        for tag in ("_atom_site_label", "_atom_site_type_symbol", "_atom_site_fract_x", "_atom_site_cartn_x"):
            col = block.find_values(tag)
            loop = col.get_loop() if len(col) else None
            if loop is not None:
                self.tags = {t.lower(): k for k, t in enumerate(loop.tags)}
                self.width = loop.width()
                self.values = loop.values
                break

    def get(self, tag: str) -> list[str] | None:
        k = self.tags.get(tag)
        if k is not None:
            return self.values[k::self.width]
        return _column(self.block, (tag,))


def _numbers(raw: list[str]) -> np.ndarray:
    """CIF numbers as ASE's ``convert_value`` reads them (standard uncertainty dropped)."""
    joined = "".join(raw)
    if not ("(" in joined or "_" in joined or "'" in joined or '"' in joined):
        try:
            return np.array(raw, dtype=float)
        except ValueError:
            pass
    out = np.empty(len(raw))
    for k, v in enumerate(raw):
        if not _NUM.match(v):
            raise Unsupported(f"not a number: {v!r}")
        out[k] = float(v.split("(", 1)[0])
    return out


def _triples(cols: list[list[str]], n: int) -> np.ndarray:
    """(n, 3) floats of three CIF number columns side by side (``_numbers`` of each): clean
    columns (no uncertainty, no quotes) in one conversion instead of three and a stack."""
    if not all(len(c) == n for c in cols):
        raise Unsupported("columns of unequal length")
    if n == 0:
        return np.zeros((0, 3))
    joined = "".join(cols[0]) + "".join(cols[1]) + "".join(cols[2])
    if not ("(" in joined or "_" in joined or "'" in joined or '"' in joined):
        try:
            return np.array(list(zip(*cols)), dtype=float)
        except ValueError:
            pass
    return np.column_stack([_numbers(c) for c in cols])


_SYMBOLS: dict[tuple[str, bool], str] = {}


def _label_symbol(v: str) -> str:
    """ASE's rule for a site label: its first ``[A-Z][a-z]?``."""
    got = _SYMBOLS.get((v, False))
    if got is None:
        m = _SYMBOL.search(v)
        if m is None or (m.group(0) not in atomic_numbers and m.group(0) != "D"):
            raise Unsupported(f"site label {v!r}")
        got = _SYMBOLS[(v, False)] = m.group(0)
    return got


def _type_symbol(v: str) -> str:
    """The element of an ``_atom_site_type_symbol`` (element, then charge or anything):
    ASE's rule, except that the symbol's case is not significant ("CA" and "NB", as GSAS
    writes them, are Ca and Nb; ASE reads C and fails on N+B)."""
    got = _SYMBOLS.get((v, True))
    if got is None:
        head = re.match(r"[A-Za-z]{1,2}", v)
        got = None
        if head:
            two, one = head.group(0).title(), head.group(0)[0].upper()
            got = two if len(two) == 2 and two in atomic_numbers else (one if one in atomic_numbers or one == "D" else None)
        got = _SYMBOLS[(v, True)] = got or _label_symbol(v)
    return got


def _value(block, names) -> str | None:
    for name in names:
        v = block.find_value(name)
        if v is not None:
            return v
    return None


_OPS: dict[tuple, tuple[np.ndarray, np.ndarray]] = {}


def _ops_from_symops(symops: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Rotations (int) and translations (float) of the file's symmetry operations, in file order."""
    got = _OPS.get(symops)
    if got is None:
        gemmi = _gemmi()
        rot, tran = [], []
        for xyz in symops:
            s = _gemmi_text(xyz)
            for d in _DECIMAL.findall(s):
                if float(d) * 24 != round(float(d) * 24):  # gemmi keeps translations in 1/24
                    raise Unsupported(f"translation {d} in {s!r}")
            try:
                op = gemmi.Op(s)
            except (ValueError, RuntimeError) as exc:
                raise Unsupported(str(exc)) from None
            rot.append(np.array(op.rot) // op.DEN)
            tran.append(np.array(op.tran, dtype=float) / op.DEN)
            if (np.array(op.rot) % op.DEN).any():
                raise Unsupported(f"non-integer rotation in {s!r}")
        got = (np.array(rot, dtype=int).reshape(-1, 3, 3), np.array(tran).reshape(-1, 3))
        if len(_OPS) > 256:
            _OPS.clear()
        _OPS[symops] = got
    return got


def _ops_from_table(block) -> tuple[np.ndarray, np.ndarray]:
    """Operations of the space group named by number / H-M symbol (gemmi's table), or P1."""
    gemmi = _gemmi()
    small = gemmi.make_small_structure_from_block(block)
    sg = small.spacegroup
    if sg is None:
        if _value(block, _SG_NUMBER) is None and _value(block, _SG_NAME) is None:
            return np.eye(3, dtype=int)[None], np.zeros((1, 3))
        raise Unsupported("space group not found in gemmi's table")
    ops = list(sg.operations())
    rot = np.array([op.rot for op in ops], dtype=int) // gemmi.Op.DEN
    tran = np.array([op.tran for op in ops], dtype=float) / gemmi.Op.DEN
    return rot, tran


def _gemmi_text(v: str) -> str:
    return _gemmi().cif.as_string(v)


def _block_atoms(block) -> Atoms | None:
    """One data block as ASE reads it, or None when it holds no structure (ASE skips it)."""
    sites = _Sites(block)
    types = sites.get("_atom_site_type_symbol")
    labels = types if types is not None else sites.get("_atom_site_label")
    fract = [sites.get(f"_atom_site_fract_{c}") for c in "xyz"]
    cart = [sites.get(f"_atom_site_cartn_{c}") for c in "xyz"] if None in fract else None
    if labels is None or (None in fract and None in cart):
        return None  # ASE: has_structure() is False
    if any(v in (".", "?") for v in labels):
        return None
    gemmi = _gemmi()
    rule = _type_symbol if types is not None else _label_symbol
    symbols = [rule(gemmi.cif.as_string(v) if v[:1] in "'\"" else v) for v in labels]
    raw_cell = [block.find_value(t) for t in _CELL]
    if None in raw_cell:
        raise Unsupported("no cell")  # ASE: a zero cell, positions as given, not periodic
    cellpar = _numbers(raw_cell).tolist()
    if min(cellpar[:3]) <= 0:
        raise Unsupported("degenerate cell")
    cell = cellpar_to_cell(cellpar)
    xyz = _triples(fract if None not in fract else cart, len(symbols))
    if None not in fract:
        # ASE sets these on an Atoms and reads them back: the same round trip, bitwise
        xyz = np.dot(xyz, cell)
    scaled = np.linalg.solve(cell.T, xyz.T).T  # ase.cell.Cell.scaled_positions
    n = len(symbols)
    if n == 0:
        raise Unsupported("no sites")
    occ_raw = sites.get("_atom_site_occupancy")
    occ = _numbers(occ_raw) if occ_raw is not None else None
    if occ is not None and len(occ) != n:
        raise Unsupported("occupancy column length")
    symops = _column(block, _SITESYM)
    if symops:
        if _value(block, _SG_NUMBER) is None and _value(block, _SG_NAME) is None:
            raise Unsupported("symmetry operations without a space group")  # ASE raises
        rot, tran = _ops_from_symops(tuple(symops))
    else:
        rot, tran = _ops_from_table(block)
    frac, kinds = orbits(scaled, rot, tran)
    deut = np.array([s == "D" for s in symbols])
    symbols = ["H" if s == "D" else s for s in symbols]
    masses = None
    if deut.any():  # ASE: deuterium is H with the deuteron mass
        masses = atomic_masses[[atomic_numbers[s] for s in symbols]]
        masses[deut] = 2.01355
        masses = masses[kinds]
    info: dict = {"unit_cell": "conventional"}
    site_occ = None
    if occ is not None:
        site_occ = occupancy_sites(scaled, symbols, occ)
        info["occupancy"] = {str(i): d for i, d in enumerate(site_occ)}
        # the dominant species names the atom (ASE: sorted by occupancy, the last of the largest)
        symbols = [sorted(d.items(), key=lambda x: x[1])[-1][0] if len(d) > 1 else sym
                   for d, sym in zip(site_occ, symbols)]
    z = np.array([atomic_numbers[s] for s in symbols], dtype=int)
    atoms = crystal_atoms(z[kinds], np.dot(frac, cell), cell, info)
    if masses is not None:
        atoms.set_masses(masses)  # where the constructor's masses= puts them (after the positions)
    atoms.new_array("spacegroup_kinds", np.asarray(kinds, dtype=int))
    if site_occ is not None:
        site_labels = sites.get("_atom_site_label")
        _contract(atoms, site_occ, kinds, [gemmi.cif.as_string(v) for v in site_labels] if site_labels else None)
    return atoms


def _contract(atoms: Atoms, site_occ: list[dict], kinds: np.ndarray, labels: list[str] | None) -> None:
    """The occupancy contract (the occupancy contract of issue 12): per-atom site occupancy,
    one entry per atom on a mixed site (with the file's site label)."""
    total = np.array([next(iter(d.values())) if len(d) == 1 else sum(d.values()) for d in site_occ])
    total = np.minimum(total, 1.0)
    per_atom = total[kinds]
    if (per_atom < 1 - 1e-6).any():
        atoms.arrays["occupancy"] = per_atom
    mixed_kinds = {k for k, d in enumerate(site_occ) if len(d) > 1}
    if mixed_kinds:
        atoms.info["structcheck_mixed_sites"] = [
            {"index": int(i), "species": dict(site_occ[k]),
             "label": labels[k] if labels is not None and k < len(labels) else ""}
            for i, k in enumerate(kinds.tolist()) if k in mixed_kinds]


def read_cif(text: str) -> list[Atoms]:
    """Every data block with a structure, as Atoms. Raises CifSyntaxError (message, line)
    for text gemmi cannot parse, Unsupported for content read only by the ASE path."""
    gemmi = _gemmi()
    try:
        doc = gemmi.cif.read_string(text)
    except (ValueError, RuntimeError) as exc:
        msg = str(exc)
        m = _GEMMI_LINE.match(msg)
        line = int(m.group(1)) if m else None
        detail = msg.split(": ", 1)[1] if ": " in msg else msg
        where = ""
        if line is not None:
            lines = text.splitlines()
            if 0 < line <= len(lines) and lines[line - 1].strip():
                where = f" at {lines[line - 1].strip()[:60]!r}"
        raise CifSyntaxError(f"CIF syntax error: {detail}{where}", line) from None
    out = []
    for block in doc:
        atoms = _block_atoms(block)
        if atoms is not None:
            out.append(atoms)
    return out


Record = tuple  # (atoms | None, line | None, error | None)


def iter_cif(data: bytes, guessed: bool = True,
             fallback: Callable[[str], Iterator[Record]] | None = None) -> Iterator[Record]:
    """(atoms, line, error) per frame of a CIF file's bytes, like the other readers of
    ``structcheck.io``. ``fallback(text)`` (ASE) reads what this path declines; when gemmi
    cannot parse the file and the fallback cannot either, the error is gemmi's (with a line)."""
    text = data.decode("utf-8", errors="replace")
    if not text.strip():
        yield None, None, "empty file"
        return
    src = {"format": "cif", "guessed_format": guessed, "reader": "gemmi"}
    try:
        frames = read_cif(text)
    except Unsupported:
        if fallback is None:
            raise
        yield from fallback(text)
        return
    except CifSyntaxError as exc:
        if fallback is not None:
            got = list(fallback(text))
            if got and got[0][2] is None:  # ASE reads (at least the start of) it
                yield from got
                return
        yield None, exc.line, str(exc)
        return
    if not frames:
        yield None, None, "no structure in file"
        return
    for atoms in frames:
        atoms.info["structcheck_source"] = dict(src)
        yield atoms, None, None
