"""HTML and PNG pictures of findings (no browser needed; tests/test_report_browser.py opens them)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from ase.build import bulk
from ase.neighborlist import neighbor_list

import structcheck
from structcheck.cli import main
from structcheck.report.html import Report, report_data, to_html
from structcheck.report.scene import build_scene

ROOT = Path(__file__).resolve().parents[1]
START = ROOT / "data" / "examples" / "h2o3_report.xyz"
IMAGE = ROOT / "data" / "examples" / "water_box_image_contact.xyz"


def _data(html: str) -> dict:
    m = re.search(r"<script type='application/json' id='sc-data'>(.*?)</script>", html, re.S)
    return json.loads(m.group(1))


def cu_100k(n_contacts=30, seed=0):
    """100,920 fcc Cu atoms with ``n_contacts`` atoms pushed to 1.30 Å from a neighbour."""
    atoms = bulk("Cu", "fcc", a=3.61, cubic=True).repeat((29, 29, 30))
    rng = np.random.default_rng(seed)
    nn = np.array([0.0, 3.61 / 2, 3.61 / 2])
    for i in rng.choice(len(atoms), size=n_contacts, replace=False):
        atoms.positions[i] += nn * (1 - 1.30 / np.linalg.norm(nn))
    atoms.wrap()
    return atoms


def test_report_is_one_offline_file():
    import ase.io

    atoms = ase.io.read(START)
    html = to_html(structcheck.lint(atoms), atoms)
    # no external resource: no src/href attributes, no <link>, no import
    assert not re.search(r"<(script|img|link|iframe)[^>]*\s(src|href)=", html)
    assert "3Dmol.js 2.5.5" in html and "BSD-3-Clause" in html
    frame = _data(html)["frames"][0]
    assert len(frame["contacts"]) == 3
    assert frame["el"] == ["H", "H", "O", "O", "O"]


def test_periodic_contact_drawn_to_the_image_at_the_reported_distance():
    import ase.io

    atoms = ase.io.read(IMAGE)
    findings = structcheck.lint(atoms)
    (f,) = [f for f in findings if f.name == "close-contact"]
    scene = build_scene(atoms, findings)
    (c,) = scene.contacts
    assert c["periodic"]
    a, b = scene.positions[c["a"]], scene.positions[c["b"]]
    assert np.linalg.norm(b - a) == pytest.approx(f.value, abs=1e-6)
    assert scene.image[c["b"]] and not scene.image[c["a"]]
    assert scene.index[c["b"]] == f.atoms[1]
    assert "′" in c["label"] and f"{f.value:.3f} Å < {f.threshold:.3f} Å" in c["label"]


def test_large_structure_shows_flagged_neighbourhood_under_5_mb():
    atoms = cu_100k()
    findings = structcheck.lint(atoms)
    assert [f.name for f in findings].count("close-contact") == 30
    html = to_html(findings, atoms)
    assert len(html.encode()) < 5_000_000
    frame = _data(html)["frames"][0]
    assert len(frame["contacts"]) == 30
    assert not frame["whole"] and len(frame["el"]) < 5000


def test_neighbourhood_is_every_atom_within_the_radius_at_its_nearest_image():
    atoms = bulk("Cu", "fcc", a=3.61, cubic=True).repeat((18, 18, 18))  # 23,328 atoms
    atoms.positions[0] += [0.0, 0.9, 0.9]  # a contact at the cell corner: neighbours wrap around
    findings = structcheck.lint(atoms)
    scene = build_scene(atoms, findings, radius=4.5, whole_limit=1000)
    centres = sorted({a for f in findings for a in f.atoms})
    i, j, D = neighbor_list("ijD", atoms, 4.5)
    want = set()
    for c in centres:
        for k, d in zip(j[i == c], D[i == c]):
            want.add((int(k), *np.round(atoms.positions[c] + d, 3)))
        want.add((c, *np.round(atoms.positions[c], 3)))
    got = {(int(k), *np.round(p, 3)) for k, p in zip(scene.index, scene.positions)}
    assert want <= got
    assert len(got) == len(want)


def test_report_groups_frames_and_lists_unreadable_ones():
    findings = structcheck.lint(str(START))
    bad = structcheck.Finding("SC001", "unreadable-structure", "error", "cannot read", path="x.xyz")
    import ase.io

    rows, views = report_data(findings + [bad], {(str(START), 0): ase.io.read(START)})
    assert [r["view"] for r in rows] == [0, None]
    assert len(views) == 1


def test_notebook_repr_is_a_sandboxed_iframe():
    import ase.io

    atoms = ase.io.read(START)
    r = Report.lint(atoms)
    out = r._repr_html_()
    assert out.startswith("<iframe srcdoc=") and "sandbox='allow-scripts'" in out
    assert "<script" not in out  # escaped into the attribute
    assert len(r.findings) == len(structcheck.lint(atoms))


def test_cli_html_needs_output_file(capsys):
    assert main(["lint", "--output-format", "html", str(START)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["structcheck: error: --output-format html needs -o FILE"]


def test_cli_html_and_png_exit_codes_and_files(tmp_path):
    html = tmp_path / "r.html"
    assert main(["lint", "-q", "--output-format", "html", "-o", str(html), str(START), str(IMAGE)]) == 1
    data = _data(html.read_text(encoding="utf-8"))
    assert len(data["frames"]) == 2
    clean = ROOT / "data" / "examples" / "water.xyz"
    assert main(["lint", "-q", "--output-format", "html", "-o", str(tmp_path / "c.html"), str(clean)]) == 0
    assert "All checks passed in 1 file(s), 1 frame(s)." in (tmp_path / "c.html").read_text(encoding="utf-8")
    png = tmp_path / "r.png"
    assert main(["lint", "-q", "--output-format", "png", "-o", str(png), str(START), str(IMAGE)]) == 1
    for p in (tmp_path / "r_0.png", tmp_path / "r_1.png"):
        assert p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert main(["show", "-q", str(START), "-o", str(tmp_path / "s.png")]) == 0
    assert (tmp_path / "s.png").stat().st_size > 10_000


def test_png_draws_without_pyplot_or_global_changes(tmp_path):
    code = f"""
import sys, matplotlib
before = dict(dict.items(matplotlib.rcParams))  # dict.items: no backend resolution
import ase.io, structcheck
from structcheck.report.png import write_png
a = ase.io.read({str(START)!r})
write_png({str(tmp_path / 'p.png')!r}, a, structcheck.lint(a))
assert "matplotlib.pyplot" not in sys.modules, "pyplot imported"
after = dict(dict.items(matplotlib.rcParams))
assert before == after
print("ok")
"""
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert r.stdout.strip() == "ok", r.stderr
    assert (tmp_path / "p.png").read_bytes()[:4] == b"\x89PNG"


def test_lint_text_path_does_not_import_the_report_modules():
    code = ("import sys; from structcheck.cli import main; main(['lint', '-q', "
            f"{str(START)!r}]); print([m for m in sys.modules if m.startswith('structcheck.report') "
            "or m == 'matplotlib'])")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert r.stdout.strip().splitlines()[-1] == "[]", r.stderr


def test_fix_report_overlays_before_and_after_with_one_arrow_per_moved_atom():
    import ase.io

    from structcheck.repair.fix import fix
    from structcheck.report.fixview import fix_html

    before = ase.io.read(START)
    after, rep = fix(before)
    html = fix_html([before], [after], [rep], path=str(START))
    frame = _data(html)["frames"][0]
    dist = np.linalg.norm(after.positions - before.positions, axis=1)
    moved = np.flatnonzero(dist > 1e-6)
    assert sorted(frame["index"][a["atom"]] for a in frame["arrows"]) == moved.tolist()
    assert [a["length"] for a in frame["arrows"]] == pytest.approx(dist[moved], abs=1e-4)
    # the before positions are the input's, in the same (rotated) frame as the repaired ones
    old = np.array(frame["before"]).reshape(-1, 3)
    new = np.array(frame["xyz"]).reshape(-1, 3)
    assert np.linalg.norm(new - old, axis=1) == pytest.approx(dist, abs=2e-4)
    assert len(frame["contacts"]) == 3 and all("start" in c for c in frame["contacts"])
    assert html.count("<tr><td class='n'>0</td>") == len(moved)  # one displacement row per moved atom


def test_fix_report_minimum_image_displacement_in_a_periodic_cell():
    import ase.io

    from structcheck.repair.fix import fix
    from structcheck.report.fixview import displacements

    before = ase.io.read(IMAGE)
    after, rep = fix(before)
    after.wrap()  # a wrapped result must not show a cell-length arrow
    _, dv = displacements(before, after, rep)
    assert np.linalg.norm(dv, axis=1).max() < 1.0


def test_cli_fix_html_with_diff_keeps_the_table_and_writes_only_the_report(run_cli, tmp_path):
    code, out, err = run_cli("fix", START, "--diff", "--html", tmp_path / "fix.html")
    assert code == 0, err
    assert out.splitlines()[0].split()[:3] == ["frame", "atom", "el"] and len(out.splitlines()) == 5
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(".")) == ["fix.html"]
    frame = _data((tmp_path / "fix.html").read_text(encoding="utf-8"))["frames"][0]
    assert len(frame["arrows"]) == 4
    code, _, err = run_cli("fix", START, "--html", START)
    assert code == 2 and "would overwrite the input" in err
