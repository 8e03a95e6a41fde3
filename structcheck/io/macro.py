"""A model of a PDB/mmCIF/GRO file as Atoms, read by the conventions its authors followed.

- Cell: ``CRYST1 1 1 1 90 90 90`` (or any edge <= 1 Å) is the PDB's placeholder for "no unit
  cell" (NMR, cryo-EM, models: wwPDB format 3.3, CRYST1): the frame has no cell. A cell of a
  deposited crystal (SCALEn / REMARK 290 records, an experiment named, a space group other
  than P 1), and the cell of a macromolecule that does not fill it, is the crystal's, not a
  simulation box: kept on the Atoms but not periodic (``--pbc`` makes it periodic). A GRO box
  is GROMACS' simulation box: periodic.
- Alternate locations are alternatives: per residue the altloc with the highest total
  occupancy is kept (with the atoms that have none), and a note says which.
- Elements: the element columns (77–78) when they hold an element, else inferred from the
  residue and atom names (a hydrogen-aware map: CA in an amino acid is carbon, CA in a CA
  residue is calcium; the PDB's name alignment, columns 13–14, for other residues), and a
  note says the element was guessed.
- Water models' virtual sites (TIP4P's MW/M/EPW, TIP5P's lone pairs) are not atoms: skipped.

Notes go to ``atoms.info["structcheck_reading"]`` (a list of ``{"code", "message", "atoms"}``);
the input rules of ``linter/checks/reading.py`` report them.
"""

from __future__ import annotations

import numpy as np
from ase import Atoms
from ase.data import atomic_numbers

from .pdb import Header, Model

AMINO = set("""ALA ARG ASN ASP CYS GLN GLU GLY HIS ILE LEU LYS MET PHE PRO SER THR TRP TYR VAL SEC PYL
MSE HID HIE HIP HSD HSE HSP HSH CYX CYM ASH GLH LYN LYP ARN HIN ACE NME NMA NH2 NHE CT3 HYP""".split())
NUCLEIC = set("""DA DC DG DT DU A C G U T I RA RC RG RU DA5 DA3 DC5 DC3 DG5 DG3 DT5 DT3 RA5 RA3 RC5 RC3
RG5 RG3 RU5 RU3 ADE CYT GUA THY URA""".split())
WATER = set("HOH WAT SOL SOLV TIP TIP2 TIP3 TIP4 TIP5 TP3 TP4 TP5 T3P T4P T5P T4E SPC SPCE H2O OPC OPC3 DOD".split())
ION = {"NA": "Na", "NA+": "Na", "SOD": "Na", "K": "K", "K+": "K", "POT": "K", "CL": "Cl", "CL-": "Cl",
       "CLA": "Cl", "CA": "Ca", "CAL": "Ca", "CA2+": "Ca", "MG": "Mg", "MG2+": "Mg", "ZN": "Zn", "ZN2": "Zn",
       "ZN2+": "Zn", "LI": "Li", "LIT": "Li", "LI+": "Li", "RB": "Rb", "CS": "Cs", "CES": "Cs", "BR": "Br",
       "IOD": "I", "F": "F", "FE": "Fe", "FE2": "Fe", "CU": "Cu", "CU1": "Cu", "MN": "Mn", "CO": "Co",
       "NI": "Ni", "CD": "Cd", "CD2": "Cd", "BA": "Ba", "BAR": "Ba", "SR": "Sr", "HG": "Hg", "AG": "Ag",
       "AU": "Au", "PT": "Pt", "AL": "Al"}
# two-letter elements read from an atom name outside polymers (never HO, HE, HF, NE, SC ...:
# those are hydrogens, carbons and others with a letter after them)
SAFE_TWO = set("""CL BR FE ZN MG MN CU NI CO SE SI LI AL AU AG PT PD IR RU RH GA GE AS SB TE MO TI CR CD HG
PB SN NA CA BE SR BA CS RB XE KR AR TL BI ZR LA GD EU YB SM""".split())
AMBIGUOUS_TWO = {"CA", "CD", "CO", "CS", "NA", "HG", "SN", "CR", "PB"}  # also carbon/nitrogen/H labels
POLYMER = AMINO | NUCLEIC | {"N" + r for r in AMINO} | {"C" + r for r in AMINO}
# bead names of Cα/P traces and MARTINI models (backbone, side-chain, lipid and water beads)
BEADS = set("""CA P BB SC1 SC2 SC3 SC4 SC5 W WF PW PO4 NC3 NH3 CNO GL1 GL2 C1A C2A C3A C4A C5A C1B C2B C3B C4B
C5B D1A D2A D3A D1B D2B D3B ROH R1 R2 R3 R4 R5 C1 C2 C3""".split())


def _element(s: str) -> str | None:
    t = s.strip().title()
    if t == "D":
        return "H"
    return t if t in atomic_numbers and t != "X" else None


def is_virtual(name: str, resname: str) -> bool:
    """A water model's massless site (TIP4P M, MW, EPW; TIP5P LP1/LP2, EP1/EP2) or a lone pair."""
    n = name.strip().upper()
    if resname.upper() in WATER:
        return n[:1] in ("M", "E") or n.startswith("LP")
    return n.startswith(("LP", "EP")) and (len(n) == 2 or n[2:].isdigit())


def guess_element(raw: str, resname: str, aligned: bool) -> str | None:
    """The element of an atom with blank element columns, from its residue and name (None: a
    virtual site). ``raw`` is the PDB's 4-character name field when ``aligned``."""
    r = resname.strip().upper()
    name = raw.strip().upper()
    if is_virtual(name, r):
        return None
    core = name.lstrip("0123456789'*") or name
    bare = core.rstrip("+-0123456789")
    if r in ION and (bare == r.rstrip("+-0123456789") or len(bare) <= 3):
        return ION[r]
    if bare == r.rstrip("+-0123456789") and r not in POLYMER and _element(bare):
        return _element(bare)  # a one-atom residue named after its element (ZN ZN, K K)
    if r in POLYMER or r in WATER:
        if core[:2] == "SE" and r in ("MSE", "SEC"):
            return "Se"
        if core[:1] in ("H", "C", "N", "O", "S", "P", "D"):
            return "H" if core[0] == "D" else core[0]
    if aligned and len(raw) == 4:
        if raw[0] in " 0123456789":
            return _element(raw[1]) or _first(core)
        two = raw[:2].upper()
        if two in SAFE_TWO and two not in AMBIGUOUS_TWO and (raw[3] == " " or not raw[2:].strip().isalpha()):
            return _element(raw[:2])
        return _first(core)
    if core[:2] in SAFE_TWO and core[:2] not in AMBIGUOUS_TWO and (len(core) == 2 or not core[2].isalpha()):
        return _element(core[:2])
    return _first(core)


def _first(core: str) -> str:
    for c in core:
        if c.isalpha():
            return _element(c) or "X"
    return "X"


def _altloc_keep(m: Model) -> tuple[np.ndarray, dict]:
    """Indices kept (blank altloc, or per residue the altloc of highest total occupancy)."""
    alt = m.altlocs
    if not any(alt):
        return np.arange(len(m)), {}
    by_res: dict[tuple, list[int]] = {}
    for i, key in enumerate(m.residues):
        by_res.setdefault(key, []).append(i)
    keep = []
    chosen: dict[str, int] = {}
    dropped = 0
    for key, idx in by_res.items():
        letters: dict[str, float] = {}
        for i in idx:
            if alt[i]:
                letters[alt[i]] = letters.get(alt[i], 0.0) + m.occ[i]
        if not letters:
            keep.extend(idx)
            continue
        best = sorted(letters.items(), key=lambda x: (-x[1], x[0]))[0][0]
        chosen[best] = chosen.get(best, 0) + 1
        by_name: dict[str, list[int]] = {}
        for i in idx:
            by_name.setdefault(m.names[i].strip(), []).append(i)
        for name, cand in by_name.items():
            plain = [i for i in cand if not alt[i]]
            if plain:
                got = plain
            else:
                mine = [i for i in cand if alt[i] == best]
                got = mine or [max(cand, key=lambda i: m.occ[i])]
            keep.extend(got)
            dropped += len(cand) - len(got)
    keep.sort()
    return np.array(keep, dtype=int), {"chosen": chosen, "dropped": dropped,
                                       "residues": sum(chosen.values())}


def _placeholder(cellpar) -> bool:
    return cellpar is None or min(cellpar[:3]) <= 1.0 + 1e-3


def to_atoms(m: Model, head: Header, pbc: bool | None = None) -> Atoms:
    """The model as Atoms with the reading notes (see the module docstring)."""
    notes: list[dict] = []
    keep, alt = _altloc_keep(m)
    if alt:
        letters = ", ".join(f"{k} at {v} residue(s)" for k, v in sorted(alt["chosen"].items()))
        notes.append({"code": "alternate-locations", "atoms": [],
                      "message": f"alternate locations: kept the highest-occupancy conformer per residue "
                                 f"(altloc {letters}), {alt['dropped']} alternative atom(s) not linted"})
    symbols: list[str] = []
    kept: list[int] = []
    guessed: dict[tuple[str, str], list[int]] = {}
    virtual = 0
    for i in keep.tolist():
        el = _element(m.elements[i]) if m.elements[i] else None
        if el is None:
            el = guess_element(m.names[i], m.resnames[i], m.aligned_names)
            if el is None:
                virtual += 1
                continue
            guessed.setdefault((m.names[i].strip(), m.resnames[i], el), []).append(len(kept))
        symbols.append(el)
        kept.append(i)
    pos = np.array(m.xyz, dtype=float).reshape(-1, 3)[kept]
    unknown = {k: v for k, v in guessed.items() if k[2] == "X"}
    if unknown:
        guessed = {k: v for k, v in guessed.items() if k[2] != "X"}
        names = ", ".join(f"{nm} in {rn}" for nm, rn, _ in list(unknown)[:6])
        notes.append({"code": "element-unknown", "atoms": [v[0] for v in list(unknown.values())[:6]],
                      "message": f"no element columns, and no element could be inferred for "
                                 f"{sum(len(v) for v in unknown.values())} atom(s) ({names}"
                                 f"{', ...' if len(unknown) > 6 else ''}): a coarse-grained or dummy "
                                 f"particle? their chemistry is not checked"})
    if virtual:
        notes.append({"code": "virtual-sites", "atoms": [],
                      "message": f"{virtual} massless virtual site(s) of a water model (TIP4P M/MW/EPW, TIP5P "
                                 f"lone pairs) skipped: they are not atoms"})
    if guessed:
        n = sum(len(v) for v in guessed.values())
        shown = sorted(guessed.items(), key=lambda kv: (len(kv[0][2]) < 2 and kv[0][0][:1] == kv[0][2], -len(kv[1])))
        ex = ", ".join(f"{nm} in {rn} → {el}" for (nm, rn, el), _ in shown[:6])
        first = [v[0] for _, v in shown[:6]]
        notes.append({"code": "element-guessed", "atoms": first,
                      "message": f"no element columns for {n} atom(s): elements guessed from residue and atom "
                                 f"names ({ex}{', ...' if len(shown) > 6 else ''})"})
    names = [m.names[i].strip().upper() for i in kept]
    if names and any(r.upper() in POLYMER or r.upper() in ("W", "PW", "WF") for r in set(m.resnames)) and \
            sum(n in BEADS for n in names) >= 0.9 * len(names) and not any(n in ("N", "O", "OW") for n in names):
        notes.append({"code": "coarse-grained", "atoms": [],
                      "message": f"a coarse-grained model ({len(names)} beads such as "
                                 f"{', '.join(sorted(set(names))[:5])}: a Cα/P trace or MARTINI), not "
                                 f"atoms: geometry and chemistry findings are info only"})
    cell, periodic, role = _cell(m, head, symbols, pos, notes, pbc)
    atoms = Atoms(symbols=symbols, positions=pos, cell=cell, pbc=periodic)
    occ = np.array(m.occ, dtype=float)[kept]
    if len(occ) and (occ < 1 - 1e-6).any() and not (occ <= 0).all():
        atoms.arrays["occupancy"] = occ
    atoms.info["structcheck_source"] = {"format": head.fmt, "reader": "structcheck"}  # pdb pdbqt gro mmcif
    if role:
        atoms.info["structcheck_cell"] = role
    if notes:
        atoms.info["structcheck_reading"] = notes
    return atoms


def _cell(m: Model, head: Header, symbols, pos, notes, pbc):
    """(cell, pbc, role) of a model under the conventions of its format."""
    if m.box is not None:  # GRO
        if not np.abs(m.box).sum():
            return None, False, ""
        return m.box, True, "box"
    cp = m.cellpar
    if cp is None:
        return None, False, ""
    if _placeholder(cp):
        notes.append({"code": "cell-convention", "atoms": [],
                      "message": f"CRYST1 {cp[0]:g} {cp[1]:g} {cp[2]:g} is the PDB's placeholder for "
                                 f"'no unit cell' (NMR, cryo-EM, models): linted as a molecule, not periodic"})
        return None, False, ""
    from .cif_symmetry import cellpar_to_cell

    cell = cellpar_to_cell(list(cp))
    vol = abs(np.linalg.det(cell))
    polymer = any(r.upper() in POLYMER for r in set(m.resnames))
    crystal = head.crystallographic or bool(head.experiment) or \
        head.spacegroup.replace(" ", "").upper() not in ("", "P1")
    dense = vol > 0 and len(symbols) / vol >= 0.08 and "H" in symbols  # a solvated simulation box
    if pbc or not (crystal or (polymer and not dense)):
        return cell, True, "box"
    why = "a deposited crystal's cell" if crystal else "a macromolecule's cell it does not fill"
    notes.append({"code": "cell-convention", "atoms": [],
                  "message": f"CRYST1 {cp[0]:g} {cp[1]:g} {cp[2]:g} {cp[3]:g} {cp[4]:g} {cp[5]:g} "
                             f"{head.spacegroup or ''}: {why}, not a simulation box: linted without periodic "
                             f"images (pass --pbc to lint it as periodic)"})
    return cell, False, "crystal"
