"""PDB, PDBx/mmCIF and GRO files split into models of atom records (names, residues, altlocs).

The atom records keep what the PDB's and GROMACS' conventions need and ASE's readers drop:
the raw 4-character atom-name field (its alignment says the element when the element
columns are blank), the residue name, the alternate-location letter, the occupancy, the
element columns as written, and the ``CRYST1`` / box record. ``io/macro.py`` turns a model
into Atoms the way the file's authors meant it (placeholder cells, crystal cells, altlocs,
guessed elements, water models' virtual sites).

PDB: fixed columns as the wwPDB format 3.3 defines them (``ATOM``/``HETATM`` x at 31–38, y
39–46, z 47–54, occupancy 55–60, element 77–78); models split at ``ENDMDL`` or ``END``, as
ASE does. GRO: GROMACS' fixed columns (positions in nm, the field width taken from the
decimal points of the first atom line, as GROMACS' own reader does); frames one after the
other. mmCIF: gemmi's reader (``make_structure_from_block``), which keeps altlocs,
occupancies and the ``type_symbol`` column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from .records import ReadError


@dataclass
class Model:
    """One model (frame) of a macromolecular file, as written."""

    names: list[str] = field(default_factory=list)     # PDB: the raw 4-character field
    resnames: list[str] = field(default_factory=list)
    residues: list[tuple] = field(default_factory=list)  # (chain, number, insertion code)
    altlocs: list[str] = field(default_factory=list)
    elements: list[str] = field(default_factory=list)  # as written ('' when blank)
    occ: list[float] = field(default_factory=list)
    xyz: list[tuple[float, float, float]] = field(default_factory=list)
    cellpar: tuple | None = None  # a, b, c, alpha, beta, gamma (Å, degrees) or None
    box: np.ndarray | None = None  # GRO: the 3x3 box (Å)
    line: int | None = None  # 1-based line of the model's first record
    aligned_names: bool = True  # PDB: the name field keeps its alignment

    def __len__(self) -> int:
        return len(self.xyz)


@dataclass
class Header:
    """File-level facts: what kind of experiment, which space group."""

    fmt: str
    spacegroup: str = ""
    experiment: str = ""
    crystallographic: bool = False  # SCALEn / REMARK 290 / a real space group: a deposited crystal
    cellpar: tuple | None = None


def _float(text: str, default: float | None = None) -> float | None:
    t = text.strip()
    if not t:
        return default
    try:
        return float(t)
    except ValueError:
        return default


def _cryst1(line: str) -> tuple | None:
    try:
        vals = tuple(float(line[a:b]) for a, b in ((6, 15), (15, 24), (24, 33), (33, 40), (40, 47), (47, 54)))
    except ValueError:
        parts = line.split()[1:7]
        try:
            vals = tuple(float(p) for p in parts)
        except ValueError:
            return None
        if len(vals) != 6:
            return None
    return vals


# AutoDock 4 atom types (PDBQT columns 78–79) -> element: A is an aromatic carbon, NA/OA/SA
# acceptors, HD/HS donor hydrogens, G0–G3/CG0–CG3 macrocycle glue carbons
AD4 = {"A": "C", "C": "C", "NA": "N", "NS": "N", "N": "N", "OA": "O", "OS": "O", "O": "O", "SA": "S",
       "S": "S", "HD": "H", "HS": "H", "H": "H", "G0": "C", "G1": "C", "G2": "C", "G3": "C", "CG0": "C",
       "CG1": "C", "CG2": "C", "CG3": "C", "W": "O"}


def parse_pdb(text: str, pdbqt: bool = False) -> tuple[Header, list[Model]]:
    """Models of a PDB file (``ENDMDL``/``END`` close a model). Raises ReadError (with the line)
    for an atom record whose coordinates are not numbers. ``pdbqt``: AutoDock's PDBQT, whose
    columns 78–79 hold the AutoDock atom type instead of the element."""
    head = Header("pdbqt" if pdbqt else "pdb")
    models: list[Model] = []
    cur = Model()
    cell = None
    for k, raw in enumerate(text.splitlines(), 1):
        rec = raw[:6]
        if rec in ("ATOM  ", "HETATM") or rec.rstrip() in ("ATOM", "HETATM"):
            line = raw.rstrip("\r\n")
            if len(line) < 54:
                line = line.ljust(54)
            try:
                xyz = (float(line[30:38]), float(line[38:46]), float(line[46:54]))
            except ValueError:
                xyz = _split_xyz(line)
                if xyz is None:
                    raise ReadError(f"atom record without numeric x, y, z in columns 31-54: {line.strip()[:60]!r}",
                                    k) from None
            if not cur.xyz:
                cur.line = k
                cur.cellpar = cell
            cur.names.append(line[12:16])
            cur.altlocs.append(line[16].strip())
            cur.resnames.append(line[17:21].strip())
            cur.residues.append((line[21], line[22:26].strip(), line[26].strip()))
            cur.occ.append(_float(line[54:60], 1.0))
            if pdbqt:
                t = line[77:79].strip()
                cur.elements.append(AD4.get(t.upper(), t))
            else:
                cur.elements.append(line[76:78].strip() if len(line) > 76 else "")
            cur.xyz.append(xyz)
        elif raw.startswith(("ATOM", "HETATM")):  # as ASE: not exactly ATOM__/HETATM in columns 1-6
            raise ReadError(f"malformed atom record (columns 1-6 {rec!r}, not 'ATOM  ' or 'HETATM')", k)
        elif rec == "CRYST1":
            cell = _cryst1(raw)
            head.cellpar = cell
            head.spacegroup = raw[55:66].strip()
            if cur.xyz:
                cur.cellpar = cell
        elif rec.startswith("ENDMDL") or rec.rstrip() == "END" or (rec.startswith("MODEL") and cur.xyz):
            # (not ENDROOT/ENDBRANCH of PDBQT; a MODEL without the previous ENDMDL closes it)
            if cur.xyz:
                models.append(cur)
                cur = Model()
        elif rec == "EXPDTA":
            head.experiment = raw[10:].strip().upper()
        elif rec.startswith("SCALE") or raw.startswith("REMARK 290"):
            head.crystallographic = True
    if cur.xyz:
        models.append(cur)
    return head, models


def _split_xyz(line: str) -> tuple[float, float, float] | None:
    """x, y, z of an atom record whose columns slipped (a writer that widened a field):
    the three numbers with a decimal point that come first after column 27."""
    out = []
    for tok in line[26:].split():
        if "." in tok:
            try:
                out.append(float(tok))
            except ValueError:
                return None
            if len(out) == 3:
                return out[0], out[1], out[2]
    return None


def parse_gro(text: str) -> tuple[Header, list[Model]]:
    """Frames of a GRO file (positions and box in nm, returned in Å). Raises ReadError."""
    lines = text.splitlines()
    models: list[Model] = []
    k = 0
    while k < len(lines):
        if not lines[k].strip() and all(not s.strip() for s in lines[k:]):
            break
        start = k + 1
        if k + 1 >= len(lines):
            raise ReadError("GRO frame without an atom count", start)
        try:
            n = int(lines[k + 1].split()[0])
        except (ValueError, IndexError):
            raise ReadError(f"GRO atom count is not a number: {lines[k + 1].strip()[:40]!r}", k + 2) from None
        if k + 2 + n >= len(lines):
            raise ReadError(f"GRO frame promises {n} atoms and a box line; the file ends first", start)
        m = Model(line=start, aligned_names=False)
        first = lines[k + 2] if n else ""
        dots = [i for i, c in enumerate(first[20:], 20) if c == "."]
        width = dots[1] - dots[0] if len(dots) >= 2 else 8
        for j in range(k + 2, k + 2 + n):
            s = lines[j]
            try:
                x, y, z = (float(s[20 + width * c: 20 + width * (c + 1)]) for c in range(3))
            except ValueError:
                parts = s[20:].split()
                try:
                    x, y, z = (float(p) for p in parts[:3])
                except ValueError:
                    raise ReadError(f"GRO atom line without numeric x, y, z: {s.strip()[:60]!r}", j + 1) from None
            m.residues.append(("", s[0:5].strip(), ""))
            m.resnames.append(s[5:10].strip())
            m.names.append(s[10:15].strip())
            m.altlocs.append("")
            m.elements.append("")
            m.occ.append(1.0)
            m.xyz.append((10 * x, 10 * y, 10 * z))
        boxline = lines[k + 2 + n].split()
        if len(boxline) not in (3, 9):  # fields run together: GROMACS writes %10.5f
            boxline = re.findall(r"-?\d+\.\d{5}", lines[k + 2 + n])
        try:
            v = [10 * float(t) for t in boxline]
        except ValueError:
            raise ReadError(f"GRO box line is not numbers: {lines[k + 2 + n].strip()[:60]!r}", k + 3 + n) from None
        if not v:  # an empty box line (ASE writes one for a structure without a cell)
            v = [0.0, 0.0, 0.0]
        if len(v) not in (3, 9):
            raise ReadError(f"GRO box line needs 3 or 9 numbers, got {len(v)}", k + 3 + n)
        box = np.diag(v[:3])
        if len(v) == 9:  # v1(x) v2(y) v3(z) v1(y) v1(z) v2(x) v2(z) v3(x) v3(y)
            box[0, 1], box[0, 2], box[1, 0], box[1, 2], box[2, 0], box[2, 1] = v[3:9]
        m.box = box
        models.append(m)
        k += 3 + n
    return Header("gro"), models


def parse_mmcif(text: str) -> tuple[Header, list[Model]]:
    """Models of a PDBx/mmCIF file through gemmi (altlocs, occupancies and elements kept)."""
    import gemmi

    try:
        doc = gemmi.cif.read_string(text)
        st = gemmi.make_structure_from_block(doc.sole_block())
    except (ValueError, RuntimeError) as exc:
        raise ReadError(f"mmCIF: {str(exc).splitlines()[0][:200]}") from None
    head = Header("mmcif", spacegroup=st.spacegroup_hm or "")
    block = doc.sole_block()
    head.experiment = (block.find_value("_exptl.method") or "").strip("'\"").upper()
    head.crystallographic = bool(block.find_value("_atom_sites.fract_transf_matrix[1][1]")) or (
        "DIFFRACTION" in head.experiment)
    c = st.cell
    cellpar = (c.a, c.b, c.c, c.alpha, c.beta, c.gamma) if c.is_crystal() else None
    head.cellpar = cellpar
    models = []
    for model in st:
        m = Model(cellpar=cellpar, aligned_names=False)
        for chain in model:
            for res in chain:
                key = (chain.name, str(res.seqid.num), res.seqid.icode.strip())
                for a in res:
                    m.names.append(a.name)
                    m.resnames.append(res.name)
                    m.residues.append(key)
                    m.altlocs.append(a.altloc.strip("\x00 ") if a.altloc else "")
                    m.elements.append(a.element.name if a.element.name != "X" else "")
                    m.occ.append(float(a.occ))
                    m.xyz.append((a.pos.x, a.pos.y, a.pos.z))
        if m.xyz:
            models.append(m)
    return head, models


def is_mmcif(text: str) -> bool:
    """A CIF whose atoms are macromolecular ``_atom_site.Cartn_x`` records (PDBx/mmCIF)."""
    low = text[:200_000].lower()
    return "_atom_site.cartn_x" in low or "_atom_site.label_atom_id" in low
