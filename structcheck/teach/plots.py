"""Plots of the wander experiment (matplotlib Figures on the Agg canvas; pyplot is never used)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from .wander import WanderResult


def new_figure(**kw):
    """A matplotlib Figure drawn by the Agg canvas: no pyplot, no backend switch, no global state."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(**kw)
    FigureCanvasAgg(fig)
    return fig


def plot_spread(results: Sequence[WanderResult], path: Path) -> None:
    fig = new_figure(figsize=(6.4, 4.2), dpi=100)
    ax = fig.subplots()
    colors = {"raw": "tab:red", "fixed": "tab:blue"}
    for k, r in enumerate(results):
        c = colors.get(r.label, f"C{k}")
        steps = np.arange(len(r.spread_max))
        smax = np.where(r.spread_max > 0, r.spread_max, np.nan)
        srms = np.where(r.spread_rms > 0, r.spread_rms, np.nan)
        ax.plot(steps, smax, "-o", ms=3, color=c, label=f"{r.label}: max over atoms ({r.n_minima} minim{'um' if r.n_minima == 1 else 'a'})")
        ax.plot(steps, srms, "--", color=c, alpha=0.7, label=f"{r.label}: RMS over atoms")
    noise = max((r.noise for r in results), default=0)
    if noise > 0:
        ax.axhline(noise, color="grey", lw=0.8, ls=":", label=f"injected noise {noise:.0e} Å")
    ax.set_yscale("log")
    ax.set_xlim(0, max(max(len(r.spread_max) - 1 for r in results), 1))
    identical = [r.label for r in results if not np.any(r.spread_max > 0)]
    if identical:
        if len(identical) == len(results):
            ax.set_ylim(1e-16, 1.0)
        ax.text(0.02, 0.04, f"{', '.join(identical)}: every replica bitwise identical to replica 0 at every "
                "step\n(spread 0, which a log scale cannot draw)", transform=ax.transAxes, fontsize=8)
    ax.set_xlabel("LBFGS step")
    ax.set_ylabel("displacement from replica 0 (Å)")
    r0 = results[0]
    ax.set_title(f"{r0.replicas} replicas, fmax {r0.fmax} eV/Å: spread between replicas")
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=8, loc="best")
    fig.tight_layout()
    fig.savefig(path)


def plot_energy(results: Sequence[WanderResult], path: Path) -> None:
    """Top row: energy per replica vs step. Bottom row: each replica's energy minus replica 0's
    at the same step (symlog), where the divergence shows even when the curves overlap."""
    fig = new_figure(figsize=(4.8 * len(results), 6.4), dpi=100)
    axes = fig.subplots(2, len(results), squeeze=False, sharex="col")
    for col, r in enumerate(results):
        top, bottom = axes[0][col], axes[1][col]
        lab = r.replicas <= 10
        for i in range(r.replicas):
            n = r.runs[i].steps + 1
            kw = {"lw": 1.0, "color": f"C{i % 10}"}
            top.plot(np.arange(n), r.energies[i, :n], label=f"replica {i} (minimum {r.minima[i]})" if lab else None,
                     **kw)
            if i:
                bottom.plot(np.arange(r.energies.shape[1]), r.energies[i] - r.energies[0], **kw)
        top.set_ylabel("potential energy (eV)")
        top.set_title(f"{r.label} start: energy per replica")
        top.grid(True, alpha=0.3)
        if lab:
            top.legend(fontsize=6, ncol=2, loc="best")
        bottom.set_yscale("symlog", linthresh=1e-6)
        from matplotlib.ticker import SymmetricalLogLocator

        bottom.yaxis.set_major_locator(SymmetricalLogLocator(base=100.0, linthresh=1e-6))
        bottom.axhline(0.0, color="grey", lw=0.8)
        bottom.set_xlabel("LBFGS step")
        bottom.set_ylabel("E(replica) − E(replica 0) (eV)\n(symlog: linear within ±1e-6)")
        bottom.grid(True, alpha=0.3)
    fig.tight_layout()
    fig.savefig(path)
