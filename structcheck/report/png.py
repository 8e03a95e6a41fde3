"""Static pictures of a flagged frame (PNG) with ASE's matplotlib drawing, for CI artefacts and papers.

The same scene as the HTML report (:mod:`structcheck.report.scene`): flagged atoms ringed,
each contact a dashed line labelled with its distance and threshold, periodic images drawn
pale. matplotlib is imported here only, and only its object API is used (``Figure`` with an
Agg canvas): no pyplot, no backend switch, no global state changed.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .scene import NEIGHBOURHOOD, build_scene, view_rotation

RADIUS_FACTOR = 0.3  # drawn radius = this × covalent radius: compressed contacts stay visible
HL = "#e000e0"


def _figure(size=(7.0, 6.0), dpi: int = 120):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=size, dpi=dpi)
    FigureCanvasAgg(fig)
    return fig


def _pale(rgb, amount: float = 0.6):
    rgb = np.asarray(rgb, dtype=float)
    return tuple(rgb + (1.0 - rgb) * amount)


def draw_scene(ax, scene, *, rotation: str = "", labels: bool = True, highlight=()):
    """Draw a :class:`~structcheck.report.scene.Scene` on a matplotlib Axes; returns the projector.

    ``rotation``: ASE's angle string ('45x,30y'); empty: the contacts seen side-on
    (:func:`~structcheck.report.scene.view_rotation`, as the HTML report). The projector maps
    Cartesian positions (n, 3) to the axes' 2-D coordinates.
    """
    from ase import Atoms
    from ase.data import covalent_radii
    from ase.data.colors import jmol_colors
    from ase.visualize.plot import Matplotlib

    disp = Atoms(scene.symbols, positions=scene.positions)
    show_cell = 0
    if scene.cell is not None and scene.whole:
        disp.cell = scene.cell
        disp.pbc = True
        show_cell = 1
    image = scene.image
    colors = [(_pale(jmol_colors[z]) if image[k] else tuple(jmol_colors[z]))
              for k, z in enumerate(disp.numbers)]
    radii = covalent_radii[disp.numbers] * RADIUS_FACTOR
    m = Matplotlib(disp, ax, rotation=rotation or view_rotation(scene).T, radii=radii, colors=colors, scale=1,
                   show_unit_cell=show_cell, maxwidth=1e9)
    m.write()
    pad = 0.8  # Å around the atoms for rings and labels
    ax.set_xlim(-pad, m.w + pad)
    ax.set_ylim(-pad, m.h + pad)
    ax.set_axis_off()

    def project(p):
        return m.to_image_plane_positions(np.atleast_2d(p))[:, :2]

    xy = project(scene.positions)
    flagged = sorted({k for row in scene.findings for k in row["scene"]})
    from matplotlib.patches import Circle

    for k in flagged:
        ring = Circle(xy[k], radii[k] + 0.06, fill=False, edgecolor="#ffb000", lw=1.4, zorder=5)
        ax.add_patch(ring)
        if labels:
            ax.annotate(scene.label(k), xy[k], xytext=(4, 4), textcoords="offset points", fontsize=7,
                        zorder=8, color="#333333")
    for k in highlight:
        ax.add_patch(Circle(xy[k], radii[k] + 0.12, fill=False, edgecolor=HL, lw=2.2, zorder=6))
    for ci, c in enumerate(scene.contacts):
        a, b = xy[c["a"]], xy[c["b"]]
        ax.plot([a[0], b[0]], [a[1], b[1]], ls="--", lw=1.4, color="#d06000" if c["periodic"] else "red",
                zorder=7)
        if labels:
            mid = (a + b) / 2
            # stacked below the line: contacts along one chain keep readable labels
            ax.annotate(c["label"], mid, xytext=(0, -14 - 11 * (ci % 5)), textcoords="offset points", fontsize=7,
                        color="#b00000", ha="center", zorder=9,
                        bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.8})
    return project


def frame_figure(atoms, findings, *, title: str = "", rotation: str = "", radius: float = NEIGHBOURHOOD,
                 max_listed: int = 12):
    """A matplotlib Figure: the frame's scene on the left, its findings listed on the right."""
    scene = build_scene(atoms, findings, radius=radius)
    fig = _figure(size=(11.0, 6.0))
    ax = fig.add_axes((0.01, 0.02, 0.58, 0.9))
    draw_scene(ax, scene, rotation=rotation)
    fig.suptitle(title, fontsize=10, x=0.02, ha="left")
    lines = []
    for row in scene.findings[:max_listed]:
        lines.append(f"{row['code']} [{row['severity']}] {row['name']}")
        lines.append("   " + _wrap(row["message"], 60))
    if len(scene.findings) > max_listed:
        lines.append(f"… and {len(scene.findings) - max_listed} more")
    shown = "all atoms" if scene.whole else f"{len(scene.symbols)} of {scene.n_atoms} atoms (flagged + {radius:g} Å)"
    lines.append("")
    lines.append(f"shown: {shown}; pale: periodic images; dashed: contacts")
    fig.text(0.61, 0.9, "\n".join(lines), fontsize=7.5, va="top", family="monospace")
    return fig


def _wrap(text: str, width: int) -> str:
    import textwrap

    return "\n   ".join(textwrap.wrap(text, width)) or ""


def write_png(path, atoms, findings, *, title: str = "", rotation: str = "", dpi: int = 120,
              radius: float = NEIGHBOURHOOD) -> Path:
    """Draw one frame with its findings highlighted into a PNG file; returns the path."""
    fig = frame_figure(atoms, findings, title=title, rotation=rotation, radius=radius)
    fig.savefig(path, dpi=dpi)
    return Path(path)
