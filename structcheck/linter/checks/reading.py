"""Input rules about how a file was read: guessed elements, altlocs, virtual sites, cells, disorder.

The readers (io/macro.py, io/macroread.py, io/cif.py) leave notes on the Atoms when they had to
interpret a file by its format's conventions; these rules report them, so a user sees what
was assumed. Two more rules read occupancies: contacts that involve partially occupied sites
(a disordered crystal: two alternative positions are never present together) are reported
at info level as disorder, and a site shared by two species is named with its mixture.

``lint_view`` and ``settle_disorder`` are the engine's hooks: the first makes a crystal's cell
periodic when the user asks (``--pbc``), the second keeps findings that only a disordered
or partly unknown structure produces from counting as errors.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from ase.data import chemical_symbols

from ..frame import Frame
from ..rule import Hit, rule

CONTACT_CODES = {"SC101", "SC102", "SC109"}  # overlapping-atoms, close-contact, vdw-contact
UNIT_CODES = {"SC106", "SC303", "SC304"}  # suspect-units, expanded-cell, scaled-cell


def _notes(frame: Frame, code: str):
    for note in frame.info.get("structcheck_reading", ()) or ():
        if isinstance(note, dict) and note.get("code") == code:
            yield Hit(tuple(int(a) for a in note.get("atoms", ()) if 0 <= int(a) < len(frame)),
                      str(note.get("message", code)))


@rule("SC021", "element-guessed", "input", "info",
      "Elements inferred from atom and residue names (or LAMMPS masses): the file has no element column.",
      needs=("reading-notes",))
def element_guessed(frame: Frame):
    """Elements that the file does not state and the reader inferred.

    What it does: reports frames of PDB/GRO files without element columns (elements
    inferred from residue and atom names as the PDB defines them: CA in an amino acid is
    carbon, CA in a CA residue calcium) and LAMMPS files whose elements were matched to the
    Masses section, with examples of each mapping.

    Why it matters: a wrong guess names wrong elements in every other finding.

    Fix: nothing if the examples are right; else write element columns (77–78 in PDB).
    """
    yield from _notes(frame, "element-guessed")


@rule("SC022", "element-not-inferred", "input", "info",
      "Particles with no element or not atoms: coarse-grained beads, Cα traces, LAMMPS types without masses.",
      needs=("reading-notes",))
def element_not_inferred(frame: Frame):
    """Particles whose element neither the file states nor its names or masses tell.

    What it does: reports them once (they are read as element 0, "X"); unknown-element
    is not raised for them, and findings about them are info only: their chemistry
    cannot be checked.

    Fix: give elements (an element column, atomic masses), or lint the atomistic model.
    """
    yield from _notes(frame, "element-unknown")
    yield from _notes(frame, "coarse-grained")


@rule("SC023", "alternate-locations", "input", "info",
      "Alternate locations (altlocs): the highest-occupancy conformer was linted.", needs=("reading-notes",))
def alternate_locations(frame: Frame):
    """Alternate conformations of a PDB/mmCIF model are alternatives, not atoms present together.

    What it does: per residue, the altloc with the highest total occupancy is linted (with
    the atoms that have no altloc); this says which and how many atoms were left out.

    Fix: nothing for linting; choose a conformer before a simulation.
    """
    yield from _notes(frame, "alternate-locations")


@rule("SC024", "virtual-sites", "input", "info",
      "Water models' massless virtual sites (TIP4P M/MW/EPW, TIP5P lone pairs) skipped.", needs=("reading-notes",))
def virtual_sites(frame: Frame):
    """Virtual sites are not atoms: they are skipped, and this says how many."""
    yield from _notes(frame, "virtual-sites")


@rule("SC025", "cell-convention", "input", "info",
      "A PDB placeholder cell (CRYST1 1 1 1) or a crystal's cell not used as a periodic box.", needs=("reading-notes",))
def cell_convention(frame: Frame):
    """What the reader made of a PDB/mmCIF CRYST1 record.

    What it does: ``CRYST1 1 1 1 90 90 90`` is the PDB's "no unit cell" (NMR, cryo-EM,
    models): the structure is linted as a molecule. A deposited crystal's cell (or one a
    macromolecule does not fill) is not a simulation box: linted without periodic images
    unless ``--pbc`` is given.

    Fix: pass ``--pbc`` to lint a simulation box written as PDB with periodic images.
    """
    yield from _notes(frame, "cell-convention")


def partial_mask(atoms) -> np.ndarray | None:
    """Per atom: is its site partially occupied (occupancy < 1)? None when no occupancy is known."""
    occ = atoms.arrays.get("occupancy")
    if occ is not None and len(occ) == len(atoms):
        occ = np.asarray(occ, dtype=float)
        if (occ <= 0).all():
            return None  # an MD writer's 0.00 column: no occupancy information
        mask = occ < 1 - 1e-6
        return mask if mask.any() else None
    info = atoms.info.get("occupancy")
    if isinstance(info, dict) and info:
        kinds = atoms.arrays.get("spacegroup_kinds")
        keys = kinds if kinds is not None else np.arange(len(atoms))
        total = {str(k): sum(v.values()) for k, v in info.items() if isinstance(v, dict)}
        if all(t >= 1 - 1e-6 for t in total.values()):
            return None  # every site full (an ordered crystal): no atom to look up
        mask = np.array([total.get(str(k), 1.0) < 1 - 1e-6 for k in keys], dtype=bool)
        return mask if mask.any() else None
    return None


@rule("SC026", "disorder-contact", "input", "info",
      "Close contacts involving partially occupied sites: crystallographic disorder, not a clash.",
      needs=("occupancy",))
def disorder_contact(frame: Frame):
    """Contacts between sites that are not both fully occupied.

    What it does: pairs closer than the close-contact threshold where at least one site
    has an occupancy below 1 (CIF ``_atom_site_occupancy``, PDB occupancy) are reported
    here, once per frame with the closest ones, instead of as overlapping-atoms or
    close-contact errors: alternative positions of a disordered group are never
    occupied together.

    Fix: choose one ordered configuration (a supercell that orders the sites) before a
    simulation.
    """
    partial = partial_mask(frame.atoms)
    if partial is None:
        return
    p = frame.pairs
    m = (p.d < frame.pair_threshold("close_contact")) & (partial[p.i] | partial[p.j])
    if not m.any():
        return
    idx = np.flatnonzero(m)
    idx = idx[np.argsort(p.d[idx], kind="stable")]
    z = frame.numbers
    shown = [f"{chemical_symbols[z[p.i[k]]]}{p.i[k]}–{chemical_symbols[z[p.j[k]]]}{p.j[k]} {p.d[k]:.2f} Å"
             for k in idx[:5]]
    atoms = tuple(sorted({int(a) for k in idx[:5] for a in (p.i[k], p.j[k])}))
    both = int((partial[p.i[idx]] & partial[p.j[idx]]).sum())
    yield Hit(atoms, f"{len(idx)} contact(s) involving partially occupied sites ({both} between two of them): "
              f"disorder, alternatives not present together ({', '.join(shown)}{', ...' if len(idx) > 5 else ''})",
              round(float(p.d[idx[0]]), 6), None, "Å")


@rule("SC027", "mixed-occupancy-site", "input", "warning",
      "A site shared by two or more species (e.g. Cl 0.5 / Br 0.5), linted as its majority species.",
      needs=("occupancy",))
def mixed_occupancy_site(frame: Frame):
    """A crystallographic site occupied by a mixture of species (a solid solution).

    What it does: names the mixture of each such site of a CIF; the structure holds one
    atom there (the majority species, as ASE reads it), so every check and any repaired
    or converted file sees a pure compound that the file does not describe.

    Fix: build an ordered supercell (or a special quasirandom structure) with the
    composition, or choose the species on purpose.
    """
    sites = frame.info.get("structcheck_mixed_sites")
    by_label: dict[str, tuple[dict, list[int]]] = {}
    if isinstance(sites, list):
        for s in sites:
            if isinstance(s, dict) and "index" in s:
                key = str(s.get("label") or s.get("species"))
                by_label.setdefault(key, (dict(s.get("species", {})), []))[1].append(int(s["index"]))
    else:
        occ = frame.info.get("occupancy")
        kinds = frame.atoms.arrays.get("spacegroup_kinds")
        # only a site of two or more species is named: none in the file, no atom to look up
        if isinstance(occ, dict) and kinds is not None and any(isinstance(d, dict) and len(d) > 1
                                                               for d in occ.values()):
            for i, k in enumerate(np.asarray(kinds).tolist()):
                d = occ.get(str(k)) or occ.get(k)
                if isinstance(d, dict) and len(d) > 1:
                    by_label.setdefault(str(k), (dict(d), []))[1].append(i)
    for label, (species, members) in by_label.items():
        mix = " + ".join(f"{el} {float(x):g}" for el, x in sorted(species.items(), key=lambda kv: -kv[1]))
        z = frame.numbers[members[0]]
        yield Hit(tuple(members[:20]), f"site {label!s} is a mixture ({mix}) on {len(members)} atom(s), "
                  f"linted as {chemical_symbols[z]}: the file describes a solid solution, not this compound")


def lint_view(atoms, config):
    """The Atoms the rules see: a crystal's cell made periodic when the user asked (``--pbc``)."""
    if getattr(config, "pbc", False) and atoms.info.get("structcheck_cell") == "crystal":
        atoms = atoms.copy()
        atoms.pbc = True
    return atoms


def settle_disorder(findings: list, frame: Frame) -> list:
    """Findings of a disordered or partly unknown structure, kept from counting as errors:
    contact findings that involve a partially occupied site are left to disorder-contact;
    other error/warning findings on such sites (or on a site bonded to one) become info;
    unknown-element is left to element-not-inferred when the reader said why."""
    info = frame.info
    codes = {n.get("code") for n in info.get("structcheck_reading", ()) or () if isinstance(n, dict)}
    unknown = "element-unknown" in codes
    partial = partial_mask(frame.atoms) if ("occupancy" in frame.atoms.arrays or "occupancy" in info) else None
    src = info.get("structcheck_source")
    fixed_units = isinstance(src, dict) and src.get("format") in ("pdb", "pdbqt", "gro", "mmcif")
    if partial is None and not codes and not fixed_units:
        return findings
    if "coarse-grained" in codes:
        return [f if f.severity == "info" or f.code.startswith("SC02") else
                replace(f, severity="info", message=f"{f.message} (info only: a coarse-grained model)")
                for f in findings]
    x = frame.numbers == 0 if unknown else None
    near = None
    out = []
    for f in findings:
        if f.severity == "info" or f.code.startswith("SC02"):
            out.append(f)
            continue
        if unknown and f.code == "SC003":
            continue
        why = None
        atoms = [a for a in f.atoms if 0 <= a < len(frame)]
        if fixed_units and f.code in UNIT_CODES:
            why = f"the {src['format'].upper()} format fixes the unit of length; a sparse model, not a unit mistake"
        elif x is not None and any(x[a] for a in atoms):
            why = "an atom without a known element"
        elif partial is not None and atoms and len(atoms) <= 12:
            if any(partial[a] for a in atoms):
                if f.code in CONTACT_CODES:
                    continue  # reported by disorder-contact
                why = "a partially occupied site: disorder"
            else:
                if near is None:
                    b = frame.bonded_pairs
                    near = np.zeros(len(frame), bool)
                    near[b.i[partial[b.j]]] = True
                    near[b.j[partial[b.i]]] = True
                if near[atoms[0]]:
                    why = "bonded to a partially occupied site: disorder"
        if why is None:
            out.append(f)
            continue
        out.append(replace(f, severity="info", message=f"{f.message} (info only: {why})"))
    return out
