"""The HTML report of a `structcheck fix`: before and after overlaid, each moved atom's displacement an arrow.

The repaired frame is drawn in element colours, the input translucent grey on top of it,
an arrow from each atom's old to its new position, and the close contacts that were
repaired drawn (dashed, labelled) between the atoms' *old* positions. The finding list
beside it holds the repaired contacts; a table below lists every displacement.
"""

from __future__ import annotations

import html as _html
from dataclasses import replace

import numpy as np

from .html import _frame_data, document, write_text
from .scene import NEIGHBOURHOOD, build_scene, view_rotation

MOVED = 1e-6  # Å: displacements below this are "did not move" (the fix's own arithmetic noise)


def _source_index(n_before: int, report) -> np.ndarray:
    """Index in the input of each atom of the repaired frame (merged duplicates were deleted)."""
    deleted = [int(d) for _, d in (getattr(report, "merged_duplicates", None) or [])]
    return np.setdiff1d(np.arange(n_before), deleted)


def displacements(before, after, report=None) -> tuple[np.ndarray, np.ndarray]:
    """(source index per repaired atom, displacement vectors (n_after, 3) in Å, minimum image)."""
    src = _source_index(len(before), report)
    dv = after.positions - before.positions[src]
    if np.any(after.pbc) and abs(np.linalg.det(after.cell.array)) > 1e-9:
        from ase.geometry import find_mic

        dv, _ = find_mic(dv, after.cell, after.pbc)
    return src, dv


def fix_frame(before, after, report, title: str, *, radius: float = NEIGHBOURHOOD) -> tuple[dict, list]:
    """(viewer frame data, displacement rows) for one repaired frame."""
    src, dv = displacements(before, after, report)
    inv = {int(s): q for q, s in enumerate(src)}
    findings = []
    for f in getattr(report, "findings_before", []) or []:
        if not hasattr(f, "atoms"):
            continue
        atoms = tuple(inv[a] for a in f.atoms if a in inv)
        if len(atoms) == len(f.atoms):
            findings.append(replace(f, atoms=atoms))
    dist = np.linalg.norm(dv, axis=1)
    moved = np.flatnonzero(dist > MOVED)
    scene = build_scene(after, findings, radius=radius, centres=moved)
    rot = view_rotation(scene)
    data = _frame_data(title, scene, "", rot)
    old = (scene.positions - dv[scene.index]) @ rot.T
    data["before"] = np.round(old, 4).ravel().tolist()
    shown_moved = [k for k in range(len(scene.index)) if dist[scene.index[k]] > MOVED]
    data["arrows"] = [{"atom": k, "length": round(float(dist[scene.index[k]]), 4)} for k in shown_moved]
    for c in data["contacts"]:  # the repaired contacts, where they were
        c["start"] = np.round(old[c["a"]], 4).tolist()
        c["end"] = np.round(old[c["b"]], 4).tolist()
    data["note"] = (f"{len(moved)} of {len(after)} atoms moved (largest {dist.max() if len(dist) else 0:.3f} Å); "
                    "colour: repaired; grey: input; blue arrows: displacements; dashed: the contacts "
                    "repaired, at their input positions; click a contact to highlight its atoms.")
    rows = [(int(src[q]), after[q].symbol, *map(float, dv[q]), float(dist[q])) for q in moved]
    return data, rows


def fix_html(before_frames, after_frames, reports, *, path: str = "<atoms>", title: str | None = None) -> str:
    """The fix report of one or more frames (lists of ase.Atoms and FixReports; None skips a frame)."""
    if hasattr(before_frames, "positions"):
        before_frames, after_frames, reports = [before_frames], [after_frames], [reports]
    esc = _html.escape
    views, table, rows_html = [], [], []
    for n, (a, b, rep) in enumerate(zip(before_frames, after_frames, reports)):
        if rep is None:
            table.append(f"<tr class='sc-row'><td>{esc(path)}</td><td class='n'>{n}</td><td colspan='3'>"
                         "not repaired (see the command's message)</td></tr>")
            continue
        data, rows = fix_frame(a, b, rep, f"{path} — frame {n}: before and after `structcheck fix`")
        n_contacts = sum(getattr(f, "name", "") == "close-contact" for f in rep.findings_before)
        table.append(f"<tr class='sc-row' data-frame='{len(views)}'><td>{esc(path)}</td><td class='n'>{n}</td>"
                     f"<td class='n'>{n_contacts}</td><td class='n'>{len(rows)}</td>"
                     f"<td class='n'>{rep.max_displacement:.3f}</td></tr>")
        views.append(data)
        for src, sym, dx, dy, dz, d in rows:
            rows_html.append(f"<tr><td class='n'>{n}</td><td class='n'>{src}</td><td>{sym}</td>"
                             f"<td class='n'>{dx:.4f}</td><td class='n'>{dy:.4f}</td><td class='n'>{dz:.4f}</td>"
                             f"<td class='n'>{d:.4f}</td></tr>")
    head = ("<table class='sc-summary'><thead><tr><th>file</th><th>frame</th><th>contacts repaired</th>"
            "<th>atoms moved</th><th>largest move (Å)</th></tr></thead><tbody>" + "".join(table) + "</tbody></table>")
    disp = ""
    if rows_html:
        disp = ("<h2>Displacements</h2><table class='sc-summary' id='sc-displacements'><thead><tr><th>frame</th>"
                "<th>atom</th><th>el</th><th>dx/Å</th><th>dy/Å</th><th>dz/Å</th><th>|d|/Å</th></tr></thead><tbody>"
                + "".join(rows_html) + "</tbody></table>")
    moved = sum(1 for r in rows_html)
    summary = f"{len(views)} frame(s) repaired, {moved} atom(s) moved."
    return document(title or f"structcheck fix: {path}", summary, head, views, disp)


def write_fix_html(out, before_frames, after_frames, reports, **kwargs) -> None:
    write_text(out, fix_html(before_frames, after_frames, reports, **kwargs))
