"""Teaching pictures for `structcheck wander`: replica trajectories, the animation, growth rates, distances.

- every replica's trajectory as extxyz (one file per replica; ASE's GUI and OVITO read it),
- an animated GIF of the replicas moving apart (all replicas overlaid, one colour each, next
  to the spread curve with the current step marked),
- the per-step growth rate of the spread, ln(spread[k] / spread[k-1]),
- the start's distance matrix with the close-contact and bonded thresholds marked.

Pictures use matplotlib's object API with an Agg canvas and ASE's drawing
(``ase.visualize.plot.Matplotlib``): no pyplot, no backend switch, nothing global changed.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

REPLICA_COLOURS = ("#000000", "#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#42d4f4",
                   "#f032e6", "#9a6324", "#808000")
RADIUS_FACTOR = 0.3  # drawn radius = this × covalent radius


def _figure(size, dpi=100):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=size, dpi=dpi)
    FigureCanvasAgg(fig)
    return fig


def write_trajectories(results, starts, folder) -> list[Path]:
    """``<folder>/<start>_replica<i>.extxyz``: every optimizer step of every replica.

    Each frame's info holds start, replica, step, energy_eV and fmax_eV_per_A.
    """
    from ase.io import write

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for r, (_, start) in zip(results, starts):
        for i, run in enumerate(r.runs):
            frames = []
            for k, pos in enumerate(run.positions):
                a = start.copy()
                a.calc = None
                a.set_positions(pos)
                a.info.update({"start": r.label, "replica": i, "step": k,
                               "energy_eV": float(run.energies[k]), "fmax_eV_per_A": float(run.fmax[k])})
                frames.append(a)
            p = folder / f"{r.label}_replica{i}.extxyz"
            write(str(p), frames, format="extxyz")
            paths.append(p)
    return paths


def growth_rates(spread: np.ndarray) -> np.ndarray:
    """ln(spread[k] / spread[k-1]) for k = 1..n-1 (NaN where either is 0): the per-step growth rate.

    Positive: the replicas move apart (the noise is amplified); negative: they come together
    (the optimizer damps it). A run whose rates are positive early and negative later ended
    in one basin: its peak amplification measured transient chaos, not different minima.
    """
    s = np.asarray(spread, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.log(s[1:] / s[:-1])
    r[~np.isfinite(r)] = np.nan
    return r


def plot_growth(results, path) -> Path:
    """Per-step growth rate of spread_max for each start, with the cumulative log-amplification."""
    fig = _figure((7.0, 5.2))
    ax, ax2 = fig.subplots(2, 1, sharex=True)
    colors = {"raw": "tab:red", "fixed": "tab:blue"}
    for k, r in enumerate(results):
        c = colors.get(r.label, f"C{k}")
        rate = growth_rates(r.spread_max)
        steps = np.arange(1, len(r.spread_max))
        ax.plot(steps, rate, "-o", ms=3, color=c, label=f"{r.label} ({r.n_minima} minim{'um' if r.n_minima == 1 else 'a'})")
        if r.initial_spread > 0:
            with np.errstate(divide="ignore"):
                cum = np.log10(np.where(r.spread_max > 0, r.spread_max, np.nan) / r.initial_spread)
            ax2.plot(np.arange(len(cum)), cum, "-", color=c, label=r.label)
    ax.axhline(0.0, color="grey", lw=0.8)
    ax.set_ylabel("ln(spread[k] / spread[k−1])")
    ax.set_title("per-step growth rate of the spread between replicas (>0: amplified, <0: damped)", fontsize=9)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8)
    ax2.axhline(0.0, color="grey", lw=0.8)
    ax2.set_ylabel("log10(spread / injected noise)")
    ax2.set_xlabel("optimizer step")
    ax2.grid(True, alpha=0.3)
    fig.tight_layout()
    fig.savefig(path)
    return Path(path)


def plot_distance_matrix(atoms, path, *, thresholds=None, max_atoms: int = 40) -> Path:
    """The start's interatomic distances (minimum image where periodic) as a heatmap; pairs below the
    close-contact threshold boxed red, below the bonded threshold boxed grey; values written in."""
    from ase.data import chemical_symbols
    from matplotlib.colors import LogNorm
    from matplotlib.patches import Rectangle

    from ..tables import default_pair_thresholds

    t = thresholds or default_pair_thresholds()
    n = min(len(atoms), max_atoms)
    a = atoms[:n]
    d = a.get_all_distances(mic=bool(np.any(a.pbc)))
    z = a.numbers
    cc = t.close_contact[np.ix_(z, z)]
    bd = t.bonded[np.ix_(z, z)]
    labels = [f"{chemical_symbols[q]}{i}" for i, q in enumerate(z)]
    fig = _figure((2.4 + 0.62 * n, 1.4 + 0.55 * n) if n > 6 else (6.4, 5.0))
    ax = fig.add_subplot(1, 1, 1)
    shown = np.where(np.eye(n, dtype=bool), np.nan, d)
    positive = shown[np.isfinite(shown) & (shown > 0)]
    norm = LogNorm(vmin=max(positive.min() if positive.size else 0.1, 0.05), vmax=max(positive.max(), 1.0)) \
        if positive.size else None
    im = ax.imshow(shown, cmap="viridis", norm=norm)
    cb = fig.colorbar(im, ax=ax, shrink=0.85)
    cb.set_label("distance (Å)")
    for i in range(n):
        for j in range(n):
            if i == j:
                continue
            close, bonded = d[i, j] < cc[i, j], d[i, j] < bd[i, j]
            if close or bonded:
                ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, lw=2.2 if close else 1.2,
                                       edgecolor="red" if close else "#bbbbbb"))
            if n <= 16:
                r, g, b, _ = im.cmap(im.norm(d[i, j]))
                ink = "black" if 0.299 * r + 0.587 * g + 0.114 * b > 0.5 else "white"
                ax.text(j, i, f"{d[i, j]:.2f}\n<{cc[i, j]:.2f}" if close else f"{d[i, j]:.2f}",
                        ha="center", va="center", fontsize=7, color=ink)
    ax.set_xticks(range(n), labels, fontsize=8)
    ax.set_yticks(range(n), labels, fontsize=8)
    more = f" (first {n} of {len(atoms)} atoms)" if len(atoms) > n else ""
    ax.set_title(f"start: distances (Å){more}\nred box: closer than the close-contact threshold "
                 f"({t.close_contact_factor:g} × Σr_cov, shown under the distance)\n"
                 f"grey box: bonded (< {t.bonded_factor:g} × Σr_cov)", fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    return Path(path)


def _side_view(positions: np.ndarray) -> np.ndarray:
    """A matrix for ASE's ``rotation`` (positions @ M): principal axes of the start, longest across."""
    p = np.asarray(positions, dtype=float)
    if len(p) < 3:
        return np.eye(3)
    _, _, vt = np.linalg.svd(p - p.mean(axis=0))
    if np.linalg.det(vt) < 0:
        vt[2] *= -1
    return vt.T


def _bbox(all_positions: np.ndarray, rot: np.ndarray, pad: float) -> tuple[float, float, float, float]:
    p = all_positions.reshape(-1, 3) @ rot
    lo, hi = p[:, :2].min(0) - pad, p[:, :2].max(0) + pad
    return float(lo[0]), float(lo[1]), float(hi[0]), float(hi[1])


def animate_replicas(results, starts, path, *, rotation: str = "", fps: int = 4, dpi: int = 80) -> Path:
    """A GIF: per optimizer step, every replica drawn over the others (replica 0 black-edged in element
    colours, the others one colour each, translucent) beside the spread curve with the step marked."""
    from ase.data import covalent_radii
    from ase.data.colors import jmol_colors
    from ase.utils import rotate
    from ase.visualize.plot import Matplotlib
    from matplotlib.animation import FuncAnimation, PillowWriter
    from matplotlib.colors import to_rgba

    results = list(results)
    ncol = len(results)
    fig = _figure((4.2 * ncol + 4.0, 4.4), dpi=dpi)
    axes = [fig.add_subplot(1, ncol + 1, c + 1) for c in range(ncol)]
    sax = fig.add_subplot(1, ncol + 1, ncol + 1)
    rot = rotate(rotation) if rotation else _side_view(starts[0][1].positions)
    view = rotation or rot  # ASE takes an angle string or the matrix itself
    boxes, atoms_of = [], []
    for r, (_, start) in zip(results, starts):
        radii = covalent_radii[start.numbers] * RADIUS_FACTOR
        boxes.append(_bbox(r.trajectories, rot, pad=float(radii.max()) + 0.3))
        atoms_of.append((start, radii))
    n_steps = max(len(r.spread_max) for r in results)
    colors = {"raw": "tab:red", "fixed": "tab:blue"}
    for k, r in enumerate(results):
        s = np.where(r.spread_max > 0, r.spread_max, np.nan)
        sax.plot(np.arange(len(s)), s, color=colors.get(r.label, f"C{k}"), label=r.label)
    sax.set_yscale("log")
    sax.set_xlabel("optimizer step")
    sax.set_ylabel("spread between replicas (Å)")
    sax.grid(True, alpha=0.3)
    sax.legend(fontsize=7)
    marker = sax.axvline(0, color="black", lw=1)

    def draw(step: int):
        for c, (r, (start, radii)) in enumerate(zip(results, atoms_of)):
            ax = axes[c]
            ax.clear()
            k = min(step, r.trajectories.shape[1] - 1)
            for i in list(range(1, r.replicas)) + [0]:
                a = start.copy()
                a.set_positions(r.trajectories[i, k])
                if i == 0:
                    cols = [tuple(jmol_colors[q]) + (1.0,) for q in a.numbers]
                else:
                    cols = [to_rgba(REPLICA_COLOURS[i % len(REPLICA_COLOURS)], 0.45)] * len(a)
                a.pbc = False
                Matplotlib(a, ax, rotation=view, radii=radii, colors=cols, scale=1, bbox=boxes[c],
                           show_unit_cell=0).write()
            ax.set_axis_off()
            ax.set_title(f"{r.label}: step {k}, spread {r.spread_max[k]:.1e} Å", fontsize=8)
        marker.set_xdata([step, step])
        return []

    fig.text(0.01, 0.01, "replica 0: element colours, black edge; replicas 1.."
             f"{max(r.replicas for r in results) - 1}: one colour each, translucent (they hide behind "
             "replica 0 while they agree)", fontsize=7)
    anim = FuncAnimation(fig, draw, frames=range(n_steps), blit=False)
    anim.save(str(path), writer=PillowWriter(fps=fps), dpi=dpi)
    return Path(path)


def write_wander_pictures(results: Sequence, starts: Sequence, out, *, rotation: str = "",
                          distance_starts: Sequence | None = None) -> list[Path]:
    """replicas.gif, growth.png and distances_<start>.png into ``out`` (trajectories: :func:`write_trajectories`).

    ``starts``: (label, Atoms) for each result; ``distance_starts``: the starts whose distance
    matrix is drawn (default: ``starts``).
    """
    out = Path(out)
    paths = [animate_replicas(results, starts, out / "replicas.gif", rotation=rotation),
             plot_growth(results, out / "growth.png")]
    for label, atoms in (distance_starts if distance_starts is not None else starts):
        paths.append(plot_distance_matrix(atoms, out / f"distances_{label}.png"))
    return paths
