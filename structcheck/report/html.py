"""The HTML report: one self-contained offline file with a 3D view of each flagged frame.

The file holds everything it needs: the vendored 3Dmol.js (BSD-3-Clause, see
``vendor/LICENSE-3Dmol.txt``; stored gzip-compressed in the package), the viewer script,
the style sheet and the frames' data as JSON. No network is touched when it is opened.
"""

from __future__ import annotations

import gzip
import html as _html
import json
import os
from collections import Counter
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np

from .scene import NEIGHBOURHOOD, build_scene, frame_lookup, group_findings, view_rotation

THREEDMOL_VERSION = "2.5.5"


@lru_cache(maxsize=None)
def _asset(name: str) -> str:
    res = resources.files(__package__)
    if name.endswith(".gz"):
        return gzip.decompress(res.joinpath(name).read_bytes()).decode("utf-8")
    return res.joinpath(name).read_text(encoding="utf-8")


def _script_json(obj) -> str:
    """JSON safe inside a <script> element (no ``</`` or ``<!--``)."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")


def _frame_data(title: str, scene, note: str, rot: np.ndarray | None = None) -> dict:
    """The viewer's data for one scene, coordinates turned by ``rot`` (default: :func:`view_rotation`)."""
    rot = view_rotation(scene) if rot is None else rot
    image = np.flatnonzero(scene.image).tolist()
    flagged = sorted({k for row in scene.findings for k in row["scene"]} - set(image))
    labels = {k: scene.label(k) for k in flagged + image}
    return {
        "title": title, "note": note, "whole": scene.whole,
        "el": scene.symbols,
        "xyz": np.round(scene.positions @ rot.T, 4).ravel().tolist(),
        "index": scene.index.tolist(),
        "image": image, "flagged": flagged, "labels": labels,
        "cell": None if scene.cell is None else np.round(scene.cell @ rot.T, 5).tolist(),
        "origin": [0.0, 0.0, 0.0],
        "contacts": scene.contacts, "findings": scene.findings,
    }


def _note(scene) -> str:
    shown = len(scene.symbols)
    parts = []
    if scene.whole:
        parts.append(f"all {scene.n_atoms} atoms shown")
    else:
        parts.append(f"{shown} of {scene.n_atoms} atoms shown: the flagged atoms and every atom within "
                     f"{NEIGHBOURHOOD:g} Å of one")
    n_img = int(scene.image.sum())
    if n_img:
        parts.append(f"{n_img} periodic image(s) drawn translucent, marked ′")
    if scene.contacts:
        parts.append("dashed lines: contacts shorter than their threshold (orange: through a periodic image)")
    parts.append("click a finding to highlight its atoms")
    return "; ".join(parts) + "."


def report_data(findings, frames=None, *, radius: float = NEIGHBOURHOOD) -> tuple[list[dict], list[dict]]:
    """(summary rows, viewer frames): what :func:`to_html` embeds."""
    lookup = frame_lookup(frames)
    rows, views = [], []
    for (path, frame), found in group_findings(list(findings)).items():
        atoms = lookup(path, frame)
        sev = Counter(f.severity for f in found)
        codes = Counter(f.code for f in found)
        row = {"path": path, "frame": frame, "n_atoms": None if atoms is None else len(atoms),
               "error": sev["error"], "warning": sev["warning"], "info": sev["info"],
               "codes": ", ".join(f"{c}×{n}" if n > 1 else c for c, n in sorted(codes.items())),
               "view": None}
        if atoms is not None and len(atoms):
            scene = build_scene(atoms, found, radius=radius)
            formula = atoms.get_chemical_formula()
            row["view"] = len(views)
            views.append(_frame_data(f"{path} — frame {frame} ({formula})", scene, _note(scene)))
        rows.append(row)
    return rows, views


def _summary_table(rows: list[dict]) -> str:
    esc = _html.escape
    out = ["<table class='sc-summary'><thead><tr><th>file</th><th>frame</th><th>atoms</th><th>error</th>"
           "<th>warning</th><th>info</th><th>rules</th></tr></thead><tbody>"]
    for r in rows:
        attr = f" data-frame='{r['view']}'" if r["view"] is not None else ""
        n = "" if r["n_atoms"] is None else r["n_atoms"]
        out.append(f"<tr class='sc-row'{attr}><td>{esc(r['path'])}</td><td class='n'>{r['frame']}</td>"
                   f"<td class='n'>{n}</td><td class='n'>{r['error']}</td><td class='n'>{r['warning']}</td>"
                   f"<td class='n'>{r['info']}</td><td>{esc(r['codes'])}</td></tr>")
    out.append("</tbody></table>")
    return "".join(out)


def to_html(findings, frames=None, *, title: str = "structcheck report", checked: tuple[int, int] | None = None,
            radius: float = NEIGHBOURHOOD) -> str:
    """The report as one HTML document (a string).

    ``findings``: structcheck Findings. ``frames``: the structures they refer to, an
    ``ase.Atoms`` (frame 0), a list of frames, or a dict keyed by ``(path, frame)`` or frame
    number; frames without atoms are listed in the table only. ``checked``: (files, frames)
    linted, for the summary line.
    """
    findings = list(findings)
    rows, views = report_data(findings, frames, radius=radius)
    sev = Counter(f.severity for f in findings)
    where = f" in {checked[0]} file(s), {checked[1]} frame(s)" if checked else ""
    if findings:
        parts = ", ".join(f"{sev[s]} {s}" for s in ("error", "warning", "info") if sev[s])
        summary = f"Found {len(findings)} finding(s) ({parts}){where}."
    else:
        summary = f"All checks passed{where}."
    return document(title, summary, _summary_table(rows) if rows else "", views)


def document(title: str, summary: str, table_html: str, views: list[dict], after_html: str = "") -> str:
    """The page: title, summary line, table, the viewer with its finding list, then ``after_html``."""
    from .._version import __version__

    esc = _html.escape
    if views:
        view = ("<h2 id='sc-frame-title'></h2><p class='sc-note' id='sc-frame-note'></p>"
                "<div class='sc-pane'><div id='sc-viewer'></div><ol id='sc-findings'></ol></div>")
    else:
        view = ("<span id='sc-frame-title'></span><span id='sc-frame-note'></span>"
                "<div id='sc-viewer' hidden></div><ol id='sc-findings' hidden></ol>")
    data = _script_json({"frames": views})
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<meta name='generator' content='structcheck {esc(__version__)}'>"
        f"<title>{esc(title)}</title><style>{_asset('viewer.css')}</style></head><body>"
        f"<h1>{esc(title)}</h1><p id='sc-summary-line'>{esc(summary)}</p>"
        f"{table_html}{view}{after_html}"
        f"<p class='sc-note'>structcheck {esc(__version__)}; 3D view: 3Dmol.js {THREEDMOL_VERSION} "
        "(BSD-3-Clause, embedded). Drag to rotate, scroll to zoom.</p>"
        f"<script type='application/json' id='sc-data'>{data}</script>"
        f"<script>{_asset('vendor/3Dmol-min.js.gz')}</script>"
        f"<script>{_asset('viewer.js')}</script></body></html>\n"
    )


def write_text(path, text: str) -> None:
    """Write ``text`` whole or not at all (a temporary file beside ``path``, then a rename)."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_html(path, findings, frames=None, **kwargs) -> None:
    """:func:`to_html` written to ``path``."""
    write_text(path, to_html(findings, frames, **kwargs))


class Report:
    """A report object for notebooks: displays itself (``_repr_html_``) and saves (``save``).

    >>> Report.lint(atoms)            # lint, keep the frames, show the 3D report
    >>> Report(findings, frames).save("report.html")
    """

    def __init__(self, findings, frames=None, **kwargs):
        self.findings = list(findings)
        self.frames = frames
        self.kwargs = kwargs

    @classmethod
    def lint(cls, atoms_or_frames, **lint_kwargs) -> Report:
        """Lint an ``ase.Atoms`` or a list of frames (as ``structcheck.lint``) and report it."""
        from .. import lint

        return cls(lint(atoms_or_frames, **lint_kwargs), atoms_or_frames)

    def to_html(self) -> str:
        return to_html(self.findings, self.frames, **self.kwargs)

    def save(self, path) -> Path:
        write_text(path, self.to_html())
        return Path(path)

    def _repr_html_(self) -> str:
        # a sandboxed iframe keeps the report's script and style apart from the notebook's
        doc = _html.escape(self.to_html(), quote=True)
        return (f"<iframe srcdoc=\"{doc}\" style='width:100%;height:640px;border:0' "
                "sandbox='allow-scripts'></iframe>")
