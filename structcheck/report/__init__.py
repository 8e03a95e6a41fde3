"""Pictures of findings: the offline HTML report (3Dmol.js) and static PNG pictures.

``to_html(findings, frames)`` / ``write_html(path, findings, frames)`` / ``Report`` (a notebook
object with ``_repr_html_``) live in :mod:`structcheck.report.html`; ``write_png`` in
:mod:`structcheck.report.png` (matplotlib, imported only when a picture is drawn).
"""

from __future__ import annotations

__all__ = ["Report", "fix_html", "to_html", "write_html", "write_png"]


def __getattr__(name):
    import importlib

    if name in ("Report", "to_html", "write_html"):
        return getattr(importlib.import_module(".html", __name__), name)
    if name == "fix_html":
        return getattr(importlib.import_module(".fixview", __name__), name)
    if name == "write_png":
        return getattr(importlib.import_module(".png", __name__), name)
    raise AttributeError(name)
